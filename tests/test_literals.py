"""The pattern gate: derived literals are a necessary condition, never a filter that loses a match."""

from __future__ import annotations

from pathlib import Path

import pytest
import regex

from cleaner import gates
from cleaner.engine import Cleaner
from cleaner.gates import derive_gate_literals, derive_raw_literals
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
    return list(dict.fromkeys(line.strip() for line in lines if line.strip()))


def test_every_shipped_pattern_is_gated() -> None:
    for rule in Cleaner().rules:
        if rule.pattern is None or rule.requires:
            continue
        assert derive_gate_literals(rule), rule.id


def test_gate_never_hides_a_match() -> None:
    lines = _lines()
    checked = 0
    for rule in Cleaner().rules:
        if rule.pattern is None:
            continue
        pattern = regex.compile(rule.pattern, regex.V0 | (0 if rule.case_sensitive else regex.I))
        literals = derive_gate_literals(rule)
        raw = derive_raw_literals(rule)
        # a line rule never runs on a line beyond its guard, so the gate need not hold there
        limit = rule.max_chars if rule.action.is_line_action else None
        for line in lines:
            if limit is not None and len(line) > limit:
                continue
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
        (r"(?i)p\.?\s?iva\s*\d", "P.\u00a0IVA 01234567890"),  # NBSP: one space in the key
        (r"(?i)p\.?\s?iva\s*\d", "Partita PIVA 01234567890"),
    ],
)
def test_literals_are_in_the_key_of_a_matching_line(pattern: str, line: str) -> None:
    assert regex.search(pattern, line, regex.V0)
    literals = required_literals(pattern, regex.V0)
    assert literals
    assert any(lit in gate_key(collapse(line)) for lit in literals)


def test_a_whitespace_class_is_one_space_in_folded_lines_only() -> None:
    """In a gate key every run of whitespace is one space, so ``\\s`` can be spelt out there
    (and the word around it kept: "p iva", not "iva", which half of Romance prose holds);
    raw literals are looked for in the line as it came, where it could be a tab or a NBSP.
    A literal of whitespace alone is never chosen: nearly every line has one."""
    assert required_literals(r"(?i)p\.?\s?iva\s*\d") == ("p iva", "p. iva", "p.iva", "piva")
    assert required_literals(r"\]\s?\[") == ("] [", "][")
    assert required_literals(r"\]\s?\[", raw=True) in (("[",), ("]",))
    assert required_literals(r"\s") is None
    assert required_literals(r"\d+\s\d+") is None


def test_unknown_or_fuzzy_constructs_give_no_literals() -> None:
    assert required_literals(r"(?:colour){e<=1}") is None
    assert required_literals(r"^\p{Lu}\w+$") is None
    assert required_literals(r"(a)\1") == ("a",)
    assert normalise("Leave  A\tReply") == "leave a reply"


def test_the_shipped_gate_table_is_current() -> None:
    """cleaner/gates.json holds the derivation of every shipped pattern's gates, and only those.

    If this fails after a rule edit: python -c 'from cleaner.gates import main; main()'
    """
    rules = list(Cleaner().rules)
    assert gates.build_table(rules) == {"version": gates.VERSION, "gates": gates._table()}
    for rule in rules:
        if rule.pattern is not None:
            assert gates.gate_literals(rule) == derive_gate_literals(rule), rule.id
            assert gates.raw_literals(rule) == derive_raw_literals(rule), rule.id
