"""``cleaner explain``: each removal, removed line and repair is marked with its rule id and
action, in the plain view (piped) and in colour (a terminal), with ``--context``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cleaner import Cleaner
from cleaner.cli import main
from cleaner.explain import explain_inputs, render_plain
from cleaner.inputs import Input
from cleaner.pipeline import Options

from .conftest import FIXTURES

PAGES = sorted((FIXTURES / "pages").glob("*.in.txt"))
TEXTS = [*PAGES, *sorted((FIXTURES / "inputs").glob("[!u]*.txt"))]  # not the refused UTF-16


def explain(*args: str, input: str | None = None) -> str:
    result = CliRunner().invoke(main, ["explain", *args], input=input)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_seed_004_labels_the_comment_section_and_the_akismet_line() -> None:
    out = explain(str(FIXTURES / "pages" / "seed-004.in.txt")).splitlines()
    label = out.index("        -- comments.thread-count (drop-tail) --")
    assert out[label + 2] == "   29 - | Ein Kommentar"
    akismet = out.index("        -- comments.akismet (drop-line) --")
    assert out[akismet + 1].startswith("   37 - | Diese Seite verwendet Akismet")
    assert out[0].startswith("== ") and "10 lines removed" in out[0]
    assert "   27   | Einverstanden oder nicht einverstanden?" in out[27]  # kept: no mark


def test_seed_003_shows_the_entity_repair_before_and_after() -> None:
    out = explain(str(FIXTURES / "pages" / "seed-003.in.txt"))
    assert (
        '"Opt-in [~& rdquo; -> &rdquo; -> ”~](entities.space-broken replace, repair.entity repair)'
        " Umgebungen" in out
    )
    assert re.search(r"^   26 ~ \| ", out, re.M)


@pytest.mark.parametrize("page", TEXTS, ids=lambda p: p.name)
def test_every_change_is_in_the_view(page: Path, default_cleaner: Cleaner) -> None:
    (doc,) = explain_inputs(default_cleaner, [Input(str(page), page, Path(page.name))],
                            Options(), print)  # fmt: skip
    changes = doc.changes
    view = "\n".join(render_plain(doc))
    for change in changes:
        assert change.rule_id in view
    # lines without a mark are exactly the input lines no change touched
    touched = {c.line for c in changes if c.action not in ("valve", "pass")}
    for line in view.splitlines()[1:]:
        match = re.match(r"^ *(\d+) (.) \| ?", line)
        if match:
            assert (match[2] != " ") == (int(match[1]) in touched), line


def test_context_shows_only_lines_near_changes() -> None:
    out = explain("--context", "1", str(FIXTURES / "pages" / "seed-003.in.txt")).splitlines()
    numbers = [int(m[1]) for line in out if (m := re.match(r"^ *(\d+) ", line))]
    assert numbers[:6] == [2, 3, 4, 5, 6, 15]
    assert out.count("      ...") == 4
    assert 26 in numbers and 20 not in numbers
    assert explain("--context", "0", str(FIXTURES / "pages" / "seed-002.in.txt")).splitlines() == [
        f"== {FIXTURES / 'pages' / 'seed-002.in.txt'}: unchanged =="
    ]


def test_colour_on_request_and_plain_when_piped() -> None:
    page = str(FIXTURES / "pages" / "seed-003.in.txt")
    coloured = explain("--color", page)
    assert "\x1b[" in coloured
    assert "[~" not in coloured and "→" in coloured
    assert "\x1b[" not in explain(page)  # CliRunner's stdout is not a terminal


def test_jsonl_records_and_stdin_are_explained_each() -> None:
    out = explain(str(FIXTURES / "jsonl" / "shard.jsonl"), "--id-field", "id")
    headers = [line for line in out.splitlines() if line.startswith("== ")]
    assert headers[0].startswith("== de-1: ")
    assert len(headers) == 5
    assert explain(input="[ad_1]\n\nEin Satz mit Inhalt.\n").splitlines()[1] == (
        "        -- wp.ad-shortcode (drop-span) --"
    )


def test_missing_input_is_named_and_the_others_explained(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["explain", str(tmp_path / "nope.txt"), str(FIXTURES / "pages" / "seed-000.in.txt")]
    )
    assert result.exit_code == 1
    assert "nope.txt" in result.stderr
    assert "wp.ad-shortcode" in result.stdout
