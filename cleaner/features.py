"""Line features for rules that describe debris without a list: menus, link lists, counters.

A rule's ``when`` table is a ``Conditions``: every condition given must hold for a line to
match. Features are computed once per line and only for short lines (long lines are prose
and never match a feature rule), so the cost stays a few C-level calls per line.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import regex

# Sentence-final punctuation, Latin, Arabic, Devanagari and CJK, possibly followed by
# closing quotes or brackets ("… he said.”", "（完）。」").
_TERMINAL_RE = regex.compile(r"[.!?…。！？؟।:：][\"'“”‘’«»‹›)\]」』】〉》]*$")
_CJK_RE = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}]")


def word_count(text: str) -> int:
    """Return the number of words, counting two CJK characters as one word (no spaces there).

    >>> word_count("Ein ganz normaler Satz."), word_count("これは日本語の文です。")
    (4, 6)
    """
    words = len(text.split())
    if not text.isascii():
        cjk = len(_CJK_RE.findall(text))
        if cjk:
            words += cjk // 2
    return words


def is_terminal(text: str) -> bool:
    """Return True if ``text`` ends like a sentence, or like a line that introduces one (``:``).

    >>> is_terminal("Er ging.“"), is_terminal("Home"), is_terminal("Es folgt:")
    (True, False, True)
    """
    return _TERMINAL_RE.search(text) is not None


def letter_share(text: str) -> float:
    """Return the share of letters among the characters that are not spaces (0 for none).

    >>> letter_share("12 Likes"), letter_share("* * *")
    (0.7142857142857143, 0.0)
    """
    chars = "".join(text.split())
    if not chars:
        return 0.0
    return sum(1 for ch in chars if ch.isalpha()) / len(chars)


@dataclass(frozen=True)
class Conditions:
    """The ``when`` table of a rule; None means "no condition on this feature"."""

    min_words: int | None = None
    max_words: int | None = None
    min_chars: int | None = None
    max_chars: int | None = None
    terminal: bool | None = None
    min_letter_share: float | None = None
    max_letter_share: float | None = None

    def matches(self, stripped: str) -> bool:
        """Return True if the stripped line meets every condition (cheapest checks first)."""
        size = len(stripped)
        if self.max_chars is not None and size > self.max_chars:
            return False
        if self.min_chars is not None and size < self.min_chars:
            return False
        if self.terminal is not None and is_terminal(stripped) != self.terminal:
            return False
        if self.min_words is not None or self.max_words is not None:
            words = word_count(stripped)
            if self.max_words is not None and words > self.max_words:
                return False
            if self.min_words is not None and words < self.min_words:
                return False
        if self.min_letter_share is not None or self.max_letter_share is not None:
            share = letter_share(stripped)
            if self.max_letter_share is not None and share > self.max_letter_share:
                return False
            if self.min_letter_share is not None and share < self.min_letter_share:
                return False
        return True


CONDITION_KEYS = {f.name.replace("_", "-"): f.name for f in fields(Conditions)}


def parse_conditions(raw: dict[str, Any]) -> tuple[Conditions | None, list[str]]:
    """Return the ``Conditions`` of a ``when`` table and the problems found in it."""
    problems: list[str] = []
    values: dict[str, Any] = {}
    for key, value in raw.items():
        name = CONDITION_KEYS.get(key)
        if name is None:
            problems.append(f"unknown 'when' key '{key}' (one of: {', '.join(CONDITION_KEYS)})")
        elif name == "terminal":
            if not isinstance(value, bool):
                problems.append("'when.terminal' must be true or false")
            values[name] = value
        elif name.endswith("share"):
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                problems.append(f"'when.{key}' must be a number from 0 to 1")
            values[name] = float(value)
        else:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                problems.append(f"'when.{key}' must be a whole number of at least 0")
            values[name] = value
    if not values and not problems:
        problems.append("'when' needs at least one condition")
    if problems:
        return None, problems
    return Conditions(**values), problems
