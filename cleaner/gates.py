"""The literal gates of pattern rules: literals one of which a line needs before a pattern runs.

What it is for: the gates of ``compile._PatternGate`` and the quiet filter. Each rule's gate is
derived from its pattern (``literals.required_literals``, a necessary condition read off the
parsed pattern) and then checked against the rule's own ``match`` examples; a rule whose
examples disagree goes ungated. Deriving means parsing every pattern with regex's parser,
which is Python (~0.6 s a start for the shipped packs), so their gates are read from
``gates.json`` instead, keyed by everything a gate depends on (the pattern, its case flag,
the examples). A rule the table does not know, a user's or a shipped one edited since the
table was written, is derived at start as before. A test checks that the table is current;
``python -c 'from cleaner.gates import main; main()'`` rewrites it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import regex

from cleaner.literals import gate_key, required_literals
from cleaner.model import Rule
from cleaner.text import collapse

TABLE = Path(__file__).with_name("gates.json")
VERSION = 1


def _flags(rule: Rule) -> int:
    return regex.V0 | (0 if rule.case_sensitive else regex.IGNORECASE)


def derive_gate_literals(rule: Rule) -> tuple[str, ...] | None:
    """Return the gate-key literals of a pattern rule, None if it has none that hold.

    Every ``match`` example the pattern matches must contain one of the literals in its gate
    key (a check on the derivation itself), else the rule goes ungated.
    """
    if rule.pattern is None:
        return None
    literals = required_literals(rule.pattern, _flags(rule))
    if literals is None:
        return None
    pattern = regex.compile(rule.pattern, _flags(rule))
    for _, text in rule.match:
        stripped = text.strip()
        if pattern.search(stripped) is not None:
            key = gate_key(collapse(stripped))
            if not any(literal in key for literal in literals):
                return None
    return literals


def derive_raw_literals(rule: Rule) -> tuple[str, ...] | None:
    """Return literals without cased letters one of which each match of ``rule`` contains."""
    if rule.pattern is None:
        return None
    literals = required_literals(rule.pattern, _flags(rule), raw=True)
    if literals is None:
        return None
    pattern = regex.compile(rule.pattern, _flags(rule))
    for _, text in rule.match:
        if pattern.search(text) is not None and not any(lit in text for lit in literals):
            return None  # the derivation missed a case: no gate for this rule
    return literals


def _key(rule: Rule, raw: bool) -> str:
    """The table key: a digest of everything the derivation reads."""
    assert rule.pattern is not None
    payload = [VERSION, raw, rule.pattern, rule.case_sensitive, [t for _, t in rule.match]]
    text = json.dumps(payload, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


@functools.cache
def _table() -> dict[str, list[str] | None]:
    try:
        data: dict[str, Any] = json.loads(TABLE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # no table (a source tree without it): derive everything
    if data.get("version") != VERSION:
        return {}
    gates: dict[str, list[str] | None] = data.get("gates", {})
    return gates


def gate_literals(rule: Rule) -> tuple[str, ...] | None:
    """``derive_gate_literals``, from the table when it knows the rule."""
    return _lookup(rule, raw=False)


def raw_literals(rule: Rule) -> tuple[str, ...] | None:
    """``derive_raw_literals``, from the table when it knows the rule."""
    return _lookup(rule, raw=True)


def _lookup(rule: Rule, *, raw: bool) -> tuple[str, ...] | None:
    if rule.pattern is None:
        return None
    table = _table()
    key = _key(rule, raw)
    if key in table:
        found = table[key]
        return None if found is None else tuple(found)
    return derive_raw_literals(rule) if raw else derive_gate_literals(rule)


def build_table(rules: list[Rule]) -> dict[str, Any]:
    """Return the table for ``rules`` (both kinds of gate for every pattern rule)."""
    gates: dict[str, list[str] | None] = {}
    for rule in rules:
        if rule.pattern is None:
            continue
        for raw in (False, True):
            found = derive_raw_literals(rule) if raw else derive_gate_literals(rule)
            gates[_key(rule, raw)] = None if found is None else list(found)
    return {"version": VERSION, "gates": dict(sorted(gates.items()))}


def main() -> int:
    """Rewrite ``gates.json`` for the shipped packs."""
    from cleaner.rules import load_rules

    table = build_table(list(load_rules().rules))
    lines = [
        f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}"
        for key, value in table["gates"].items()
    ]
    body = ",\n".join(lines)
    text = f'{{"version": {VERSION}, "gates": {{\n{body}\n}}}}\n'  # one gate a line: readable diffs
    TABLE.write_text(text, encoding="utf-8")
    print(f"{TABLE}: {len(table['gates'])} gates", file=sys.stderr)
    return 0
