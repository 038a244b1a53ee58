"""Every change is visible: removal records rebuild each fixture's output from its input
exactly, ``--stats`` figures are sums over the ``--removals`` file, ``-j 2`` records what
``-j 1`` records, and ``--annotate`` changes nothing but the field it adds.
"""

from __future__ import annotations

import io
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from cleaner import Cleaner, CleanerConfig
from cleaner.changes import change_kind, replay
from cleaner.encoding import read_lines
from cleaner.engine import split_lines
from cleaner.formats import JsonlFields, extract_html, read_jsonl
from cleaner.inputs import Input
from cleaner.model import Change
from cleaner.pipeline import Options, open_input
from cleaner.stats import utf8_len

from .conftest import FIXTURES, cli

PAGES = sorted((FIXTURES / "pages").glob("*.in.txt"))
TEXT_INPUTS = sorted(
    p
    for p in (FIXTURES / "inputs").iterdir()
    if p.suffix == ".txt" and not p.name.startswith("utf16")  # refused: not cleaned at all
)
JSONL = [FIXTURES / "jsonl" / "small.jsonl", FIXTURES / "jsonl" / "shard.jsonl"]


def _stream_case(cleaner: Cleaner, path: Path) -> tuple[str, str, list[Change]]:
    """Clean a text file as the CLI does: its decoded input, output and changes."""
    opened = open_input(Input(str(path), path, Path(path.name)), Options())
    try:
        data = opened.stream.read()
    finally:
        opened.close()
    source = "".join(raw.text + raw.eol for raw in read_lines(io.BytesIO(data)))
    changes: list[Change] = []
    out = "".join(cleaner.clean_stream(io.BytesIO(data), changes.append))
    return source, out, changes


@pytest.mark.parametrize("path", PAGES + TEXT_INPUTS, ids=lambda p: p.name)
def test_changes_rebuild_the_output_of_every_text_fixture(
    path: Path, default_cleaner: Cleaner
) -> None:
    source, out, changes = _stream_case(default_cleaner, path)
    assert replay(source, changes) == out
    removed = sum(len(c.text) - len(c.replacement) for c in changes)
    assert len(source) - len(out) == removed


@pytest.mark.parametrize("path", JSONL, ids=lambda p: p.name)
def test_changes_rebuild_every_jsonl_record(path: Path, default_cleaner: Cleaner) -> None:
    with path.open("rb") as stream:
        docs = [r.doc for r in read_jsonl(stream, path.name, JsonlFields()) if r.doc]
    assert docs
    for doc in docs:
        result = default_cleaner.clean(doc.text, site=doc.site)
        assert replay(doc.text, result.changes) == result.text, doc.id


def test_changes_rebuild_the_html_fixture(default_cleaner: Cleaner) -> None:
    doc = extract_html((FIXTURES / "html" / "post-with-comments.html").read_bytes(), "post")
    result = default_cleaner.clean(doc.text)
    assert result.changes
    assert replay(doc.text, result.changes) == result.text


def test_valve_kept_document_replays_to_itself() -> None:
    text = "Kurzer Artikel.\n\nLeave a Reply\n\nYour email address will not be published.\n"
    result = Cleaner(CleanerConfig(max_removed_share=0.5)).clean(text)
    assert replay(text, result.changes) == text == result.text
    (note,) = result.changes
    assert (note.start, note.end) == (round(result.removed_share * len(text)), len(text))


def test_change_kind_matches_what_the_replay_removed(default_cleaner: Cleaner) -> None:
    """A 'line' change is exactly one that takes a whole input line out."""
    for path in PAGES + TEXT_INPUTS:
        source, _, changes = _stream_case(default_cleaner, path)
        by_line: dict[int, list[Change]] = defaultdict(list)
        for change in changes:
            by_line[change.line].append(change)
        for no, line in enumerate(split_lines(source), 1):
            kinds = [change_kind(c) for c in by_line.get(no, ())]
            gone = replay(line, [Change(c.rule_id, c.action, 1, c.start, c.end, c.text,
                                        c.replacement) for c in by_line.get(no, ())]) == ""  # fmt: skip
            assert ("line" in kinds) == (gone and line != ""), (path.name, no, kinds)


def _run_audited(tmp_path: Path, *args: str, jobs: int = 1) -> tuple[list[dict[str, Any]], Any]:
    removals, stats = tmp_path / f"r{jobs}.jsonl", tmp_path / f"s{jobs}.json"
    result = cli(
        "-j", str(jobs), "--removals", str(removals), "--stats", str(stats), "-o",
        str(tmp_path / f"out{jobs}"), *args,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()
    records = [json.loads(line) for line in removals.read_text(encoding="utf-8").splitlines()]
    return records, json.loads(stats.read_text(encoding="utf-8"))


def _check_stats_against_removals(records: list[dict[str, Any]], stats: dict[str, Any]) -> None:
    per_rule: dict[str, Counter[str]] = defaultdict(Counter)
    per_pack: dict[str, Counter[str]] = defaultdict(Counter)
    docs_of: dict[str, set[str]] = defaultdict(set)
    for r in records:
        if r["kind"] == "note":
            continue
        table = per_rule if r["kind"] != "repair" else None
        counts = Counter(
            changes=1,
            chars=len(r["text"]) - len(r["replacement"]),
            bytes=utf8_len(r["text"]) - utf8_len(r["replacement"]),
        )
        if table is not None:
            per_rule[r["rule_id"]] += counts
            per_pack[r["pack"]] += counts
        docs_of[r["rule_id"]].add(r["document"])
    rules = {
        k: Counter({f: v[f] for f in ("changes", "chars", "bytes")})
        for k, v in stats["rules"].items()
    }
    assert rules == per_rule
    packs = {
        k: Counter({f: v[f] for f in ("changes", "chars", "bytes")})
        for k, v in stats["packs"].items()
    }
    assert packs == per_pack
    for rule_id, row in {**stats["rules"], **stats["repairs"]}.items():
        assert row["documents"] == len(docs_of[rule_id]), rule_id
    changed = {r["document"] for r in records if r["kind"] != "note"}
    assert stats["documents_changed"] == len(changed)
    assert stats["lines_removed"] == sum(r["kind"] == "line" for r in records)
    assert stats["spans_removed"] == sum(r["kind"] == "span" for r in records)
    removed = sum(utf8_len(r["text"]) - utf8_len(r["replacement"]) for r in records)
    assert stats["bytes_in"] - stats["bytes_out"] == removed
    removed_chars = sum(len(r["text"]) - len(r["replacement"]) for r in records)
    assert stats["chars_in"] - stats["chars_out"] == removed_chars
    assert sum(stats["removed_share"]["histogram"]) == stats["documents"]


def test_stats_are_sums_over_the_removals_of_a_jsonl_corpus(tmp_path: Path) -> None:
    records, stats = _run_audited(tmp_path, *map(str, JSONL))
    assert stats["documents"] == 13 + 5  # shard.jsonl has a blank line: no document
    assert {r["source"] for r in records} == {str(p) for p in JSONL}
    _check_stats_against_removals(records, stats)


def test_stats_are_sums_over_the_removals_of_the_seeds(tmp_path: Path) -> None:
    records, stats = _run_audited(tmp_path, *map(str, PAGES))
    assert stats["documents"] == len(PAGES)
    assert stats["documents_unchanged"] == 1  # seed-002, the Arabic page
    _check_stats_against_removals(records, stats)
    # the removals of each seed rebuild its output file
    for page in PAGES:
        source = page.read_text(encoding="utf-8")
        changes = [
            Change(r["rule_id"], r["action"], r["line"], r["start"], r["end"], r["text"],
                   r["replacement"])
            for r in records if r["document"] == str(page)
        ]  # fmt: skip
        expected = page.with_name(page.name.replace(".in.", ".out.")).read_text(encoding="utf-8")
        assert replay(source, changes) == expected


def test_bytes_in_and_out_are_the_utf8_sizes_of_input_and_output(tmp_path: Path) -> None:
    _, stats = _run_audited(tmp_path, *map(str, PAGES))
    assert stats["bytes_in"] == sum(len(p.read_bytes()) for p in PAGES)
    out = tmp_path / "out1"
    assert stats["bytes_out"] == sum(len(p.read_bytes()) for p in out.iterdir())


def test_two_workers_record_what_one_records(tmp_path: Path) -> None:
    inputs = [*map(str, PAGES), *map(str, JSONL), str(FIXTURES / "inputs" / "mixed-encoding.txt")]
    one = _run_audited(tmp_path, *inputs, "--report", str(tmp_path / "one.html"), jobs=1)
    two = _run_audited(tmp_path, *inputs, "--report", str(tmp_path / "two.html"), jobs=2)
    assert one == two
    assert (tmp_path / "one.html").read_bytes() == (tmp_path / "two.html").read_bytes()


def test_annotate_adds_the_changes_and_keeps_the_text(tmp_path: Path) -> None:
    shard = FIXTURES / "jsonl" / "shard.jsonl"
    plain = cli(str(shard)).stdout.decode().splitlines()
    annotated = cli("--annotate", str(shard)).stdout.decode().splitlines()
    assert len(plain) == len(annotated)
    cleaner = Cleaner()
    sources = shard.read_text(encoding="utf-8").splitlines()
    for before, after, source in zip(plain, annotated, sources, strict=True):
        if not source.strip():
            assert before == after == source
            continue
        record, original = json.loads(after), json.loads(source)
        notes = record.pop("cleaner")
        assert record == json.loads(before)
        expected = cleaner.clean(original["text"]).changes
        assert [(n["rule_id"], n["line"], n["start"], n["text"]) for n in notes] == [
            (c.rule_id, c.line, c.start, c.text) for c in expected
        ]
        assert replay(original["text"], [
            Change(n["rule_id"], n["action"], n["line"], n["start"], n["end"], n["text"],
                   n["replacement"]) for n in notes
        ]) == record["text"]  # fmt: skip


def test_annotate_a_text_file_as_jsonl() -> None:
    page = FIXTURES / "pages" / "seed-000.in.txt"
    result = cli("--annotate", "--to", "jsonl", str(page))
    record = json.loads(result.stdout)
    assert record["text"] == page.with_name("seed-000.out.txt").read_text(encoding="utf-8")
    assert record["cleaner"][0]["rule_id"] == "wp.ad-shortcode"
    assert cli("--annotate", "--to", "text", str(page)).returncode == 2
    refused = cli("--annotate", str(page))
    assert refused.returncode == 1
    assert b"--annotate needs JSONL output (add --to jsonl)" in refused.stderr


@pytest.mark.parametrize("option", ["--stats", "--removals", "--report"])
def test_unwritable_audit_file_stops_before_cleaning(tmp_path: Path, option: str) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    target = blocker / "out.json"
    result = cli(option, str(target), str(PAGES[0]))
    assert result.returncode == 1
    assert result.stdout == b""
    message = result.stderr.decode()
    assert message.startswith(f"cleaner: {target}: cannot write: ")
    assert message.rstrip().endswith("; nothing was cleaned")
    assert "Traceback" not in message


def test_stats_to_stderr_and_valve_counts() -> None:
    text = "Kurzer Artikel.\n\nLeave a Reply\n\nYour email address will not be published.\n"
    line = json.dumps({"id": "a", "text": text}) + "\n" + json.dumps({"id": "b", "text": "Ja.\n"})
    for excess, kept, flagged in (("keep", 1, 0), ("flag", 0, 1)):
        result = cli(
            "--stats", "-", "-q", "--max-removed-share", "0.5", "--on-excess", excess,
            "--format", "jsonl", "-", stdin=line.encode(),
        )  # fmt: skip
        stats = json.loads(result.stderr)
        share = stats["removed_share"]
        assert (share["kept"], share["flagged"], share["over_limit"]) == (kept, flagged, 1)
        assert share["valve"] == excess
        assert share["limit"] == 0.5
        assert share["histogram"][0] == 1 and share["histogram"][16] == 1  # 78 %: (75, 80]
