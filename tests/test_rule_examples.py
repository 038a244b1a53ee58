"""Runs every example of every shipped rule file, one pytest case each.

Ids read ``<file>::<rule id>::<case>``; a failure says which rule changed a ``keep`` text.
"""

from __future__ import annotations

import pytest

from cleaner import load_rules
from cleaner.ruletest import CaseResult, check_rule, full_rule_set

RULE_SET = load_rules()
RESULTS: list[CaseResult] = [
    r for rule in RULE_SET.rules for r in check_rule(rule, full_rule_set(RULE_SET.rules, rule))
]


@pytest.mark.parametrize("result", RESULTS, ids=[r.test_id for r in RESULTS])
def test_rule_example(result: CaseResult) -> None:
    assert result.ok, result.problem


@pytest.mark.parametrize("rule", RULE_SET.rules, ids=[r.id for r in RULE_SET.rules])
def test_rule_has_examples(rule) -> None:  # type: ignore[no-untyped-def]
    assert rule.match, "every rule needs a match example"
    assert rule.keep, "every rule needs a keep example"
    if rule.action.is_line_action:
        assert len({lang for lang, _ in rule.keep if lang != "*"}) >= 2


def test_a_broken_example_is_reported(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The harness itself can fail: a keep text the rule removes is caught."""
    path = tmp_path / "mine.toml"
    path.write_text(
        '[pack]\nname = "mine"\n[[rule]]\nid = "mine.share"\nwhy = "x"\naction = "drop-line"\n'
        'phrases = ["Share this"]\nmatch = ["Nope"]\nkeep.en = ["Share this"]\n'
        'keep.de = ["Teilen Sie den Artikel mit Freunden."]\n',
        encoding="utf-8",
    )
    from cleaner.ruletest import run_rule_tests

    failed = {r.case for r in run_rule_tests([path]) if not r.ok}
    assert failed == {"match[0]", "keep.en[0]"}
