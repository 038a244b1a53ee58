"""The values that flow through cleaner: rules, their examples, and the record of each change.

Plain frozen dataclasses, no behaviour: parsing lives in ``rules.py``, matching in ``compile.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from cleaner.features import Conditions


class Action(StrEnum):
    """What a rule does with what it matches (a closed set: unknown actions are load errors)."""

    DROP_SPAN = "drop-span"
    REPLACE = "replace"
    DROP_LINE = "drop-line"
    DROP_TAIL = "drop-tail"
    DROP_REPEAT = "drop-repeat"
    DROP_TEASER = "drop-teaser"
    DROP_RUN = "drop-run"
    DROP_HEAD = "drop-head"
    DROP_FOOT = "drop-foot"

    @property
    def is_line_action(self) -> bool:
        """True for actions that remove whole lines chosen by a match (and so need guards)."""
        return self in (
            Action.DROP_LINE, Action.DROP_TAIL, Action.DROP_RUN, Action.DROP_HEAD, Action.DROP_FOOT,
        )  # fmt: skip


class Anchor(StrEnum):
    """Where a phrase must sit in a line to match."""

    LINE = "line"
    START = "start"
    ANYWHERE = "anywhere"


class Where(StrEnum):
    """Which lines of a document a rule may fire on."""

    ANYWHERE = "anywhere"
    FIRST_LINES = "first-lines"
    LAST_LINES = "last-lines"


@dataclass(frozen=True)
class AutoSwitch:
    """An opt-in pack's test that turns it on for one document (``[pack] auto``).

    Whole-page text (a scraper that kept menus, link lists and footers) opens with a run of
    short lines that do not end like sentences; extracted article text and prose do not. The
    pack is on for a document when at least ``min_share`` of its first ``lines`` non-blank
    lines meet ``when``. A document with fewer non-blank lines never turns it on, so short
    texts (a snippet, a rule's example) are cleaned as if the pack were off.
    """

    when: Conditions
    lines: int = 20
    min_share: float = 0.5

    def holds(self, head: list[str]) -> bool:
        """Return True if the first non-blank lines of ``head`` turn the pack on.

        A document too short is decided without looking at its lines (most JSONL records),
        and a longer one as soon as the share is reached or out of reach.
        """
        lines = [stripped for stripped in map(str.strip, head) if stripped][: self.lines]
        if len(lines) < self.lines:
            return False
        need = self.min_share * self.lines
        hits = 0
        for seen, stripped in enumerate(lines, 1):
            hits += self.when.matches(stripped)
            if hits >= need:
                return True
            if hits + self.lines - seen < need:
                return False
        return False


@dataclass(frozen=True)
class Example:
    """A whole-document example: the full rule set must turn ``input`` into ``output``."""

    input: str
    output: str
    expect_fail: bool = False


@dataclass(frozen=True)
class Rule:
    """One debris rule, as read from a rule file (see ``rules/README.md`` for every key)."""

    id: str
    why: str
    action: Action
    pack: str
    source: Path
    line: int
    phrases: tuple[str, ...] = ()
    pattern: str | None = None
    anchor: Anchor = Anchor.LINE
    case_sensitive: bool = False
    replacement: str | None = None
    requires: tuple[str, ...] = ()
    """Case-folded literals, one of which a line must contain before ``pattern`` is tried."""
    languages: tuple[str, ...] = ("*",)
    where: Where = Where.ANYWHERE
    lines: int | None = None
    max_chars: int = 100
    min_chars: int = 25
    within_lines: int | None = None
    when: Conditions | None = None
    """Line features a line must have to match (rules for debris without a list)."""
    min_run: int = 3
    between: Conditions | None = None
    """drop-run: prose before and after a short run keeps it (a list inside an article)."""
    between_max_lines: int = 12
    boundary: Conditions | None = None
    """drop-head / drop-foot: what the first / last line of the content looks like."""
    block_max_lines: int = 60
    block_max_chars: int = 12_000
    tags: tuple[str, ...] = ()
    match: tuple[tuple[str, str], ...] = ()
    """(language, text) pairs that this rule alone must change."""
    keep: tuple[tuple[str, str], ...] = ()
    """(language, text) pairs that the whole rule set must leave unchanged."""
    examples: tuple[Example, ...] = ()
    default: bool = True
    """False for rules of an opt-in pack (``[pack] default = false``): on only with --enable."""
    sites: tuple[str, ...] = ()
    """Hosts (``site_of`` form) whose documents alone this rule applies to; empty: all."""
    auto: AutoSwitch | None = None
    """An opt-in rule that its pack's ``auto`` test turns on per document (None: always on
    once selected)."""


@dataclass(frozen=True)
class RuleSet:
    """The rules loaded from one or more files, in load order."""

    rules: tuple[Rule, ...]
    files: tuple[Path, ...] = field(default=())

    def by_id(self, rule_id: str) -> Rule:
        """Return the rule with this id (KeyError if none)."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


@dataclass(frozen=True)
class Change:
    """One change made to a document, attributable to a rule or a repair.

    ``line`` is the 1-based input line; ``start``/``end`` are character offsets in that line as
    it stood when the change was made (after earlier repairs of the same line). ``text`` is what
    was removed or replaced, ``replacement`` what took its place ("" for removals). A dropped
    line has ``start == 0`` and ``end == len(line)``, its line ending included in ``text``.
    """

    rule_id: str
    action: str
    line: int
    start: int
    end: int
    text: str
    replacement: str = ""


@dataclass(frozen=True)
class CleanResult:
    """The cleaned text of one document and every change made to it, in line order."""

    text: str
    changes: tuple[Change, ...]
    removed_share: float = 0.0
    """Characters removed by rules (not repairs) as a share of the input's characters."""
    valve: str | None = None
    """"kept" if the safety valve returned the input unchanged, "flagged" if it only flagged."""

    @property
    def changed(self) -> bool:
        """True if anything was removed or repaired."""
        return bool(self.changes)
