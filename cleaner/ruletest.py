"""The harness that runs the examples written in rule files, for the test suite and for users.

``cleaner rules test`` and ``tests/test_rule_examples.py`` both call ``check_rule``, so a user
writing a rule file gets exactly the checks the shipped packs pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from cleaner.engine import Cleaner, CleanerConfig
from cleaner.model import Rule
from cleaner.rules import find_rule_files, load_rules


@dataclass(frozen=True)
class CaseResult:
    """The outcome of one example: ``case`` reads like ``match.de[0]`` or ``example[1]``."""

    rule: Rule
    case: str
    ok: bool
    problem: str = ""
    expected_fail: bool = False

    @property
    def test_id(self) -> str:
        """``<file>::<rule id>::<case>``, the id pytest and the CLI show."""
        return f"{self.rule.source.name}::{self.rule.id}::{self.case}"


def _cases(rule: Rule, kind: str, pairs: Iterable[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    counts: dict[str, int] = {}
    for lang, text in pairs:
        index = counts.get(lang, 0)
        counts[lang] = index + 1
        label = kind if lang == "*" else f"{kind}.{lang}"
        yield f"{label}[{index}]", text


def check_rule(rule: Rule, full: Cleaner) -> list[CaseResult]:
    """Return the outcome of every example of ``rule``.

    - each ``match`` must be changed by this rule alone (repairs off), and the change must be
      attributed to it;
    - each ``keep`` must come through ``full`` (the whole rule set, repairs on) byte-identical;
    - each ``[[rule.example]]`` must turn into its ``output`` through ``full``.
    """
    results: list[CaseResult] = []
    alone = Cleaner(CleanerConfig(repair=False), rules=[replace(rule, auto=None)])
    site = rule.sites[0] if rule.sites else None  # a site rule is tried on its own site
    for case, text in _cases(rule, "match", rule.match):
        result = alone.clean(text, site)
        if not any(change.rule_id == rule.id for change in result.changes):
            results.append(CaseResult(rule, case, False, f"not changed by the rule: {text!r}"))
        else:
            results.append(CaseResult(rule, case, True))
    for case, text in _cases(rule, "keep", rule.keep):
        result = full.clean(text, site)
        if result.text != text:
            blamed = sorted({change.rule_id for change in result.changes})
            results.append(CaseResult(
                rule, case, False,
                f"changed by {', '.join(blamed)}: {text!r} -> {result.text!r}",
            ))  # fmt: skip
        else:
            results.append(CaseResult(rule, case, True))
    for index, example in enumerate(rule.examples):
        got = full.clean(example.input, site).text
        ok = got == example.output
        problem = "" if ok else f"expected {example.output!r}, got {got!r}"
        if example.expect_fail:
            ok, problem = (
                (not ok),
                ("" if not ok else "expected to fail but passes (remove expect)"),
            )
        results.append(CaseResult(rule, f"example[{index}]", ok, problem, example.expect_fail))
    return results


def run_rule_tests(paths: Iterable[Path] = (), *, defaults: bool = True) -> list[CaseResult]:
    """Return the outcome of every example in the rule files ``paths`` (shipped packs if none).

    The files are loaded together with the shipped packs (unless ``defaults`` is false), so a
    user rule's ``keep`` examples must also survive every shipped rule.
    """
    paths = list(paths)
    rule_set = load_rules(paths, defaults=defaults)
    tested = {p.resolve() for p in find_rule_files(paths)} if paths else None
    results = []
    for rule in rule_set.rules:
        if tested is None or rule.source.resolve() in tested:
            results.extend(check_rule(rule, full_rule_set(rule_set.rules, rule)))
    return results


_FULL: dict[tuple[int, str], Cleaner] = {}


def full_rule_set(rules: tuple[Rule, ...], rule: Rule) -> Cleaner:
    """Return the cleaner a rule's ``keep`` examples must survive.

    That is every rule that is on by default, plus the rule's own pack when it is opt-in: a
    user who turns on ``layout`` gets the default packs with it.
    """
    key = (id(rules), rule.pack if not rule.default else "")
    if key not in _FULL:
        chosen = [r for r in rules if r.default or r.auto is not None]
        if not rule.default:  # an opt-in rule's examples: its pack turned on
            chosen = [r for r in rules if r.default] + [
                replace(r, auto=None) for r in rules if r.pack == rule.pack
            ]
        _FULL[key] = Cleaner(rules=chosen)
    return _FULL[key]
