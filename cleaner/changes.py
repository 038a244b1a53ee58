"""What a document's changes amount to, the same for every engine: per-rule counts and records.

The CLI, the datatrove step and the Ray adapter all summarise ``CleanResult.changes`` here, so
a count from one engine can be checked against another; the changes themselves are made in
``engine.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from cleaner.model import Change


@dataclass
class RuleCount:
    """How often one rule (or repair) changed a text, and how many characters it took out.

    ``removed_chars`` is net of replacements: a ``replace`` rule or a repair that puts back
    as many characters as it took counts 0, one that lengthens the text counts negative.
    """

    changes: int = 0
    removed_chars: int = 0


def rule_counts(changes: Iterable[Change]) -> dict[str, RuleCount]:
    """Return, per rule id, how many changes it made and the characters it removed.

    Every ``Change`` counts once, whatever its action: a dropped line, a span, a repair, and
    the notes of the safety valve and of a passed-through long line.

    >>> from cleaner import Cleaner
    >>> rule_counts(Cleaner().clean("Absatz mit Inhalt.\\n\\nLeave a Reply\\n").changes)
    {'comments.form-tail': RuleCount(changes=2, removed_chars=15)}
    """
    counts: dict[str, RuleCount] = {}
    for change in changes:
        count = counts.setdefault(change.rule_id, RuleCount())
        count.changes += 1
        count.removed_chars += len(change.text) - len(change.replacement)
    return counts


def change_record(change: Change) -> dict[str, Any]:
    """Return a change as a plain dict of JSON values, with the fields of ``Change``.

    >>> change_record(Change("wp.ad-shortcode", "drop-span", 2, 0, 6, "[ad_1]"))["rule_id"]
    'wp.ad-shortcode'
    """
    return asdict(change)
