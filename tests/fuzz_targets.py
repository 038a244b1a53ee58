"""Fuzz targets: arbitrary bytes into the engine and each reader; only documented outcomes.

Each target takes bytes and either returns or raises an ``AssertionError`` or an exception
that is not among the documented ones: that is a crash. ``tests/test_fuzz.py`` runs them for
a few seconds with hypothesis in the suite; ``benchmarks/fuzz.py`` runs them for millions of
inputs with atheris (coverage-guided). A crash found becomes a fixture in
``fixtures/fuzz/TARGET/`` that ``tests/test_fuzz.py`` replays.
"""

from __future__ import annotations

import gzip
import io
import tempfile
from collections.abc import Callable
from pathlib import Path

from cleaner import Cleaner
from cleaner.errors import InputError, RuleFileError, StopRunError
from cleaner.formats import JsonlFields, read_jsonl, read_warc
from cleaner.inputs import Input
from cleaner.model import Change
from cleaner.pipeline import Options, Tally, _Writer, clean_input, clean_jsonl, open_input
from cleaner.rules import load_rules

CLEANER = Cleaner()


def engine(data: bytes) -> None:
    """Bytes as a text file: valid UTF-8 out, and every character accounted for."""
    changes: list[Change] = []
    out = "".join(CLEANER.clean_stream(io.BytesIO(data), changes.append))
    out.encode("utf-8")  # no lone surrogates
    if not any(c.rule_id in ("repair.decode", "repair.bom") for c in changes):
        text = data.decode("utf-8")  # decoded without repair: the accounting is exact
        removed = sum(len(c.text) - len(c.replacement) for c in changes)
        assert len(text) - len(out) == removed


def jsonl(data: bytes) -> None:
    """Bytes as JSONL with --on-error keep: one output line for every input line, no crash."""
    out = io.BytesIO()
    tally = Tally()
    options = Options(on_error="keep", quiet=True)
    records = read_jsonl(io.BytesIO(data), "fuzz.jsonl", JsonlFields())
    writer = _Writer(out)
    clean_jsonl(CLEANER, records, "fuzz.jsonl", writer, "jsonl", options, lambda _: None, tally)
    writer.flush()
    lines_in = data.count(b"\n") + (not data.endswith(b"\n") and bool(data))
    assert out.getvalue().count(b"\n") == lines_in, (lines_in, out.getvalue())


def jsonl_stop(data: bytes) -> None:
    """Bytes as JSONL with --on-error stop: cleaned, or stopped with a message."""
    records = read_jsonl(io.BytesIO(data), "fuzz.jsonl", JsonlFields())
    writer = _Writer(io.BytesIO())
    try:
        clean_jsonl(CLEANER, records, "f", writer, "jsonl", Options(), lambda _: None, Tally())
    except StopRunError as exc:
        assert str(exc).startswith("f:")


def warc(data: bytes) -> None:
    """Bytes as a WARC file: documents, or the reader's documented refusal."""
    from warcio.exceptions import ArchiveLoadFailed

    try:
        for doc in read_warc(io.BytesIO(data), "fuzz.warc"):
            CLEANER.clean(doc.text)
    except (ArchiveLoadFailed, ValueError, EOFError):
        pass


def compressed(data: bytes) -> None:
    """Bytes behind a gzip header, read as an input: cleaned, or a clear InputError."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.txt.gz"
        path.write_bytes(gzip.compress(data)[:10] + data)
        inp = Input(str(path), path, Path(path.name))
        try:
            opened = open_input(inp, Options(quiet=True))
        except InputError:
            return
        try:
            clean_input(CLEANER, opened, io.BytesIO(), Options(quiet=True), lambda _: None)
        except InputError as exc:
            assert "compressed data cut short or corrupt" in str(exc)
        finally:
            opened.close()


def rule_file(data: bytes) -> None:
    """Bytes as a user's rule file: loaded, or refused with FILE:LINE messages."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.toml"
        path.write_bytes(data)
        try:
            load_rules([path], defaults=False)
        except RuleFileError as exc:
            assert exc.problems and all(p.startswith(str(path)) for p in exc.problems)


TARGETS: dict[str, Callable[[bytes], None]] = {
    "engine": engine,
    "jsonl": jsonl,
    "jsonl-stop": jsonl_stop,
    "warc": warc,
    "compressed": compressed,
    "rule-file": rule_file,
}
