"""The quiet-line filter: the lines it lets skip the per-line path are lines that path leaves alone.

Every test compares a cleaner with the filter against the same cleaner without it (its
``quiet`` set to None, the per-line path for every line): output and change records must be
identical, so a line the filter wrongly calls quiet shows up as a lost removal or repair.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner import Cleaner, CleanerConfig
from cleaner.encoding import needs_ftfy
from cleaner.model import Change
from cleaner.quiet import NO_LIMIT, ODD_SPACES, Literals, QuietFilter

from .conftest import FIXTURES, SHARED

NOISY = SHARED / "bench" / "sh-dev" / "noisy"


def _pair(config: CleanerConfig | None = None) -> tuple[Cleaner, Cleaner]:
    with_filter = Cleaner(config)
    without = Cleaner(config)
    assert with_filter.compiled.quiet is not None  # the shipped packs can all be filtered
    without.compiled.quiet = None
    without.compiled.end_quiet = None
    without.compiled.head_quiet = None
    return with_filter, without


def _run(cleaner: Cleaner, data: bytes, site: str | None = None) -> tuple[str, list[Change]]:
    changes: list[Change] = []
    out = "".join(cleaner.clean_stream(io.BytesIO(data), changes.append, site))
    return out, changes


def _documents() -> list[Path]:
    paths = sorted((FIXTURES / "pages").glob("*.in.txt"))
    paths += sorted((FIXTURES / "inputs").glob("*.txt"))
    if NOISY.is_dir():
        paths += sorted(NOISY.glob("*/*.txt"))
    return paths


PAIR = _pair()
LAYOUT = _pair(CleanerConfig(enable=frozenset({"layout"})))


@pytest.mark.parametrize("path", _documents(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_same_output_and_changes_with_and_without_the_filter(path: Path) -> None:
    data = path.read_bytes()
    for with_filter, without in (PAIR, LAYOUT):
        assert _run(with_filter, data) == _run(without, data)


def test_short_documents_as_in_jsonl() -> None:
    """Short documents are held whole, so the end rules' filter decides for every line."""
    texts = [
        path.read_bytes().decode("utf-8", "replace")
        for path in _documents()
        if path.suffix == ".txt"
    ]
    lines = [line for text in texts for line in text.splitlines(keepends=True)]
    documents = ["".join(lines[i : i + 9]) for i in range(0, len(lines), 9)]
    assert len(documents) > 100
    for text in documents:
        full = PAIR[1].clean(text)
        assert PAIR[0].clean(text) == full
        assert PAIR[0].clean(text, detail=False).text == full.text


def test_the_filter_lets_most_prose_skip_the_per_line_path() -> None:
    """Not a timing: the share of article lines it clears, on the seeds' article text."""
    quiet = PAIR[0].compiled.quiet
    assert quiet is not None
    lines = [
        line
        for path in sorted((FIXTURES / "pages").glob("*.out.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if len(line) > 200
    ]
    busy = quiet.busy(lines, repair=True)
    assert len(lines) > 20
    assert sum(busy) <= 0.1 * len(lines), [
        line for line, flag in zip(lines, busy, strict=True) if flag
    ]


def test_repairs_and_entities_make_a_line_busy() -> None:
    quiet = QuietFilter(Literals())  # no literals: only the repair scan
    prose = "Ein ganz gewöhnlicher Satz über die Brücke, lang genug für keine Zeilenregel " * 4
    lines = [prose, prose + "Ã¼ber", prose + "&amp;", prose + "\x07", prose + "über", "\ufeffx"]
    assert quiet.busy(lines, repair=True) == [False, True, True, True, False, True]
    assert quiet.busy(lines, repair=False) == [False] * 6


def test_literal_limits_follow_the_line_length_guard() -> None:
    quiet = QuietFilter(Literals(within=(("leave a reply", 40), ("[", NO_LIMIT))))
    short = "Leave  a\u00a0REPLY"
    long = "We leave a reply to every letter we receive, and we read all of them twice."
    assert quiet.busy([short, long, long + " [x]", "nothing here"], repair=False) == [
        True,
        False,
        True,
        False,
    ]


def test_turkish_and_arabic_keys_are_folded_like_the_gate() -> None:
    quiet = QuietFilter(Literals(within=(("click here", 60), ("إرسال", 60))))
    assert quiet.busy(["CLİCK HERE", "CLıCK HERE", "إرســال", "clock here"], repair=False) == [
        True,
        True,
        True,
        False,
    ]


def test_whole_line_and_line_start_phrases() -> None:
    quiet = QuietFilter(Literals(lines=(("leave a reply", 60),), starts=(("related", 160),)))
    lines = [
        "— Leave a Reply —",
        "Please leave a reply below if you want to.",
        "Related: Zehn Dinge über Brücken",
        "» Related: x",
        "Not related to anything else at all.",
        "Leave a reply" + " x" * 40,
    ]
    assert quiet.busy(lines, repair=False) == [True, False, True, True, False, False]


def test_odd_spaces_are_every_space_but_the_space_and_lf() -> None:
    computed = [c for c in range(0x110000) if chr(c).isspace() and c not in (0x20, 0x0A)]
    assert list(ODD_SPACES) == computed


def test_every_character_a_repair_acts_on_makes_its_line_busy() -> None:
    quiet = QuietFilter(Literals())
    chars = [chr(c) for c in range(0x3000) if c != 0x0A] + [chr(c) for c in range(0xFE00, 0x10000)]
    lines = [f"ab{ch}cd" for ch in chars if ord(ch) < 0xD800 or ord(ch) > 0xDFFF]
    busy = quiet.busy(lines, repair=True)
    for line, flag in zip(lines, busy, strict=True):
        if needs_ftfy(line) or "&" in line or (line[2].isspace() and line[2] != " "):
            assert flag, repr(line)
    cont = "\u0080\u00a9\u2019\u201c\u2013\u20ac\u2122\u0153\u02dc"
    pairs = [chr(lead) + ch for lead in range(0xC2, 0xF5) for ch in cont]
    assert all(quiet.busy([f"x {pair} y" for pair in pairs], repair=True))


def test_site_rules_are_filtered_too(tmp_path: Path) -> None:
    rules = tmp_path / "site.toml"
    rules.write_text(
        '[pack]\nname = "site"\n\n[[rule]]\nid = "site.footer"\nwhy = "x"\n'
        'action = "drop-line"\nsites = ["example.org"]\nphrases = ["Ein Angebot von Beispiel"]\n'
        'match.de = ["Ein Angebot von Beispiel"]\nkeep.de = ["Ein Angebot von Beispiel, sagt sie."]\n',
        encoding="utf-8",
    )
    with_filter, without = _pair(CleanerConfig(rules=(rules,)))
    text = ("Absatz mit genug Inhalt, um keine Zeilenregel zu treffen.\n" * 3).encode()
    data = text + b"Ein Angebot von Beispiel\n" + text
    out, changes = _run(with_filter, data, "blog.example.org")
    assert "Ein Angebot" not in out
    assert (out, changes) == _run(without, data, "blog.example.org")


_PIECES = [
    "Leave a Reply",
    "Share this:",
    "[ad_1]",
    "& rdquo;",
    "&amp;rdquo;",
    "Ã¼ber",
    "CLİCK HERE",
    "إرســال",
    "Company No. 3676192 | VAT No: GB 716 6328 31",
    "Ein Kommentar",
    "Related: Zehn Dinge",
    "\u00a0",
    "\t",
    "  ",
    "\u2028",
    "\x85",
    "\ufeff",
    "ß",
    "Der Artikel geht weiter und erzählt von der Brücke über den Fluss.",
    "Это обычное предложение о погоде и о городе.",
    "これは普通の文です。",
    ". 5 Wege, Daten zu nutzen, um Ihre Strategie zu kommunizieren",
    "\n",
    "\n\n",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=60))
def test_random_mixes_of_debris_and_prose(pieces: list[str]) -> None:
    data = "".join(pieces).encode()
    assert _run(PAIR[0], data) == _run(PAIR[1], data)
