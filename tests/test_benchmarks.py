"""The throughput benchmark runs end to end on a tiny corpus (a smoke test; nothing is timed)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "throughput.py"


@pytest.fixture(scope="module")
def throughput():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("throughput", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["throughput"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_corpus_is_seeded_and_mixed(throughput, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # 1 MB: ~350 documents, so ~4 % mojibake documents are a dozen whatever the packs hold
    # (debris lines come from the packs' examples, so new rules move the seeded draws)
    first = throughput.corpus(tmp_path / "a", "mixed", 1.0, 5, mixed=True)
    again = throughput.corpus(tmp_path / "b", "mixed", 1.0, 5, mixed=True)
    assert first.text.read_bytes() == again.text.read_bytes()
    records = [json.loads(line) for line in first.jsonl.read_text(encoding="utf-8").splitlines()]
    assert len(records) == first.stats.docs
    text = first.text.read_text(encoding="utf-8")
    assert 0.01 < first.stats.mojibake_docs / first.stats.docs < 0.08
    assert "Ã" in text or "â€" in text  # mojibake documents
    assert "&rsquo;" in text or "&amp;" in text or "&nbsp;" in text or "&#8230;" in text
    assert 0.1 < first.stats.debris_lines / first.stats.lines < 0.4


def test_benchmark_prints_its_table(throughput, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    argv = ["--size", "0.3", "--big-size", "0", "--repeat", "1", "--no-peer"]
    assert throughput.main([*argv, "--rows", "jsonl", "--cache", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "| cleaner, default rules | clean text |" in out
    assert "≥ 0.20 ×" in out and "≥ 0.05 ×" in out
    assert "| cleaner, default rules, JSONL | mixed JSONL |" in out
