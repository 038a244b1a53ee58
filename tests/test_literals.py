"""The pattern gate: derived literals are a necessary condition, never a filter that loses a match."""

from __future__ import annotations

from pathlib import Path

import pytest
import regex

from cleaner.compile import _gate_literals, _raw_literals
from cleaner.engine import Cleaner
from cleaner.literals import gate_key, normalise, required_literals
from cleaner.text import collapse

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT.parent / "shared" / "bench" / "sh-dev" / "noisy"


def _lines() -> list[str]:
    """Lines to try every pattern on: fixtures, every example of every rule, bench pages."""
    lines: list[str] = []
    for path in sorted((ROOT / "fixtures" / "pages").glob("*.txt")):
        lines += path.read_text(encoding="utf-8").splitlines()
    for rule in Cleaner().rules:
        for _, text in (*rule.match, *rule.keep):
            lines += text.splitlines()
    if BENCH.is_dir():
        for path in sorted(BENCH.glob("*/*.txt")):
            lines += path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip()]


def test_every_shipped_pattern_is_gated() -> None:
    for rule in Cleaner().rules:
        if rule.pattern is None or rule.requires:
            continue
        pattern = regex.compile(rule.pattern, regex.V0 | (0 if rule.case_sensitive else regex.I))
        assert _gate_literals(rule, pattern), rule.id


def test_gate_never_hides_a_match() -> None:
    lines = _lines()
    checked = 0
    for rule in Cleaner().rules:
        if rule.pattern is None:
            continue
        pattern = regex.compile(rule.pattern, regex.V0 | (0 if rule.case_sensitive else regex.I))
        literals = _gate_literals(rule, pattern)
        raw = _raw_literals(rule, pattern)
        for line in lines:
            if pattern.search(line) is None:
                continue
            checked += 1
            if literals:
                key = gate_key(collapse(line))
                assert any(lit in key for lit in literals), (rule.id, line)
            if raw:
                assert any(lit in line for lit in raw), (rule.id, line)
    assert checked > 500


@pytest.mark.parametrize(
    ("pattern", "line"),
    [
        (r"(?i)click\s+here", "CLİCK HERE"),  # regex matches i with İ, casefold does not
        (r"(?i)\bINFO\b", "ınfo"),
        (r"(?i)leave\s+a\s+reply", "Leave\u00a0a \t reply"),
        (r"إرسال", "إرســال".replace("ــ", "")),
        (r"colou?r\s+(?:red|blue)", "a colour blue"),
        (r"(?i)^\W{0,3}(?=.*\bspam\b)akismet", "-- akismet blocks spam"),
    ],
)
def test_literals_are_in_the_key_of_a_matching_line(pattern: str, line: str) -> None:
    assert regex.search(pattern, line, regex.V0)
    literals = required_literals(pattern, regex.V0)
    assert literals
    assert any(lit in gate_key(collapse(line)) for lit in literals)


def test_unknown_or_fuzzy_constructs_give_no_literals() -> None:
    assert required_literals(r"(?:colour){e<=1}") is None
    assert required_literals(r"^\p{Lu}\w+$") is None
    assert required_literals(r"(a)\1") == ("a",)
    assert normalise("Leave  A\tReply") == "leave a reply"
