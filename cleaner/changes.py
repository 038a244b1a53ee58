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


RECORD_VERSION = 1
"""The version of the removal record (``removal_record``); it changes only if a field's
meaning does. New fields may be added without a new version."""

NOTE_ACTIONS = frozenset({"valve", "pass"})
"""Actions of notes: changes that remove nothing (the safety valve, a passed-through line)."""


def change_kind(change: Change) -> str:
    """Return what a change did: ``line`` (removed a whole line), ``span``, ``repair`` or ``note``.

    A removed line's text ends with its line ending, one character more than ``end - start``
    (two for CRLF); the last line of a document without a line ending is recognised by its
    line action, or by a span rule having emptied it (what is left is whitespace).

    >>> change_kind(Change("comments.form-tail", "drop-tail", 3, 0, 13, "Leave a Reply\\n"))
    'line'
    >>> change_kind(Change("wp.ad-shortcode", "drop-span", 1, 0, 6, "[ad_1]"))
    'span'
    """
    if change.action in NOTE_ACTIONS:
        return "note"
    if change.action == "repair":
        return "repair"
    if change.replacement:
        return "span"
    if len(change.text) > change.end - change.start:
        return "line"
    if change.start == 0 and change.end == len(change.text):  # a last line, or a span at 0
        emptied = not change.text.strip()
        return "line" if change.action not in ("drop-span", "replace") or emptied else "span"
    return "span"


def pack_of(rule_id: str, packs: dict[str, str]) -> str:
    """Return the pack of ``rule_id``: from ``packs`` (rule id -> pack), else its prefix.

    Repairs are the pack ``repair``, the safety valve's note ``valve``.

    >>> pack_of("repair.entity", {}), pack_of("dup.teaser", {"dup.teaser": "duplicates"})
    ('repair', 'duplicates')
    """
    return packs.get(rule_id) or rule_id.partition(".")[0]


def removal_record(
    change: Change, document: str, source: str, packs: dict[str, str]
) -> dict[str, Any]:
    """Return one line of a ``--removals`` file: the change, where it was, and its pack.

    The fields, in this order, are stable (README, "Removals and statistics").

    >>> r = removal_record(Change("wp.ad-shortcode", "drop-span", 1, 0, 6, "[ad_1]"),
    ...                    "page.txt", "page.txt", {"wp.ad-shortcode": "wordpress"})
    >>> " ".join(r)
    'v document source rule_id pack action kind line start end text replacement'

    """
    return {
        "v": RECORD_VERSION,
        "document": document,
        "source": source,
        **annotation(change, packs),
    }


def annotation(change: Change, packs: dict[str, str]) -> dict[str, Any]:
    """Return a change as ``--annotate`` puts it in a record: a removal record without the
    document's name (the record is the document)."""
    return {
        "rule_id": change.rule_id,
        "pack": pack_of(change.rule_id, packs),
        "action": change.action,
        "kind": change_kind(change),
        "line": change.line,
        "start": change.start,
        "end": change.end,
        "text": change.text,
        "replacement": change.replacement,
    }


def replay(text: str, changes: Iterable[Change]) -> str:
    """Return ``text`` with ``changes`` applied: the cleaned text, rebuilt from the record.

    Each change is checked against the text it claims to remove (``ValueError`` if it does
    not match), so a document whose replay gives its output has no unexplained change. The
    changes of a document the safety valve kept are only its note: the text comes back whole.

    >>> from cleaner import Cleaner
    >>> text = "[ad_1]\\n\\nEin Satz.\\n"
    >>> replay(text, Cleaner().clean(text).changes)
    'Ein Satz.\\n'
    """
    from cleaner.engine import split_lines  # the engine's own idea of a line

    by_line: dict[int, list[Change]] = {}
    for change in changes:
        if change.action not in NOTE_ACTIONS:
            by_line.setdefault(change.line, []).append(change)
    out: list[str] = []
    for no, line in enumerate(split_lines(text), 1):
        body = line.rstrip("\r\n")
        eol = line[len(body) :]
        dropped = False
        for change in by_line.pop(no, ()):
            if dropped:
                raise ValueError(f"line {no}: {change.rule_id} changes a line already removed")
            if body[change.start : change.end] == change.text:
                body = body[: change.start] + change.replacement + body[change.end :]
            elif change.start == 0 and change.end == len(body) and change.text == body + eol:
                dropped = True
            else:
                raise ValueError(
                    f"line {no}: {change.rule_id} removes {change.text!r} at "
                    f"{change.start}:{change.end}, but the line has {body!r} there"
                )
        if not dropped:
            out.append(body + eol)
    if by_line:
        raise ValueError(f"changes on lines the text does not have: {sorted(by_line)}")
    return "".join(out)
