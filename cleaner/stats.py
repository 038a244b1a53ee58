"""A run's statistics, summed from the changes of its documents: what ``--stats`` writes.

Every figure is a sum over the same changes that ``--removals`` writes, so the two always
agree; statistics from worker processes add up to those of one process. Rendering them as
HTML is ``report.py``'s job, deciding what to change the engine's.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from cleaner.changes import change_kind, pack_of
from cleaner.engine import LONG_LINE_ID, VALVE_ID
from cleaner.model import Change

STATS_VERSION = 1
"""The version of the ``--stats`` JSON; it changes only if a field's meaning does."""

SHARE_BINS = 20
"""The removed share per document is counted in bins of 5 % (plus one for exactly 0)."""

REFERENCE_SHARE = 0.05
"""With the valve off, ``over_share`` counts documents past RefinedWeb's 5 %, for reference."""


def utf8_len(text: str) -> int:
    """Return the length of ``text`` in UTF-8 bytes (lone surrogates as three, as written)."""
    return len(text.encode("utf-8", "surrogatepass")) if not text.isascii() else len(text)


@dataclass(slots=True)
class Count:
    """What one rule, pack or repair did: changes, documents changed, net chars and bytes.

    ``chars`` and ``bytes`` are net of replacements (a repair that shortens the text counts
    what it saved), so summed over everything they are input minus output.
    """

    changes: int = 0
    documents: int = 0
    chars: int = 0
    bytes: int = 0

    def add(self, other: Count) -> None:
        self.changes += other.changes
        self.documents += other.documents
        self.chars += other.chars
        self.bytes += other.bytes


def _add_counts(into: dict[str, Count], other: dict[str, Count]) -> None:
    for key, count in other.items():
        into.setdefault(key, Count()).add(count)


def share_bin(share: float) -> int:
    """Return the histogram bin of a removed share: 0 for nothing, then 1-20 for 5 % steps.

    >>> share_bin(0.0), share_bin(0.01), share_bin(0.05), share_bin(0.051), share_bin(1.0)
    (0, 1, 1, 2, 20)
    """
    if share <= 0:
        return 0
    return min(SHARE_BINS, max(1, math.ceil(share * SHARE_BINS - 1e-9)))


@dataclass(slots=True)
class RunStats:
    """Counts over a run's documents; ``add_document`` one at a time, ``merge`` partial runs."""

    share_limit: float | None = None
    """``--max-removed-share``, or None (then ``REFERENCE_SHARE`` is reported)."""
    on_excess: str = "keep"
    documents: int = 0
    documents_unchanged: int = 0
    chars_in: int = 0
    chars_out: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    lines_removed: int = 0
    spans_removed: int = 0
    over_share: int = 0
    valve_kept: int = 0
    valve_flagged: int = 0
    long_lines: int = 0
    rules: dict[str, Count] = field(default_factory=dict)
    packs: dict[str, Count] = field(default_factory=dict)
    repairs: dict[str, Count] = field(default_factory=dict)
    share_bins: list[int] = field(default_factory=lambda: [0] * (SHARE_BINS + 1))
    rule_packs: dict[str, str] = field(default_factory=dict)
    """Rule id -> pack, for the ``pack`` of each row of ``rules``."""

    def merge(self, other: RunStats) -> None:
        """Add another part of the run (a worker's) to this one."""
        for name in (
            "documents", "documents_unchanged", "chars_in", "chars_out", "bytes_in",
            "bytes_out", "lines_removed", "spans_removed", "over_share", "valve_kept",
            "valve_flagged", "long_lines",
        ):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        _add_counts(self.rules, other.rules)
        _add_counts(self.packs, other.packs)
        _add_counts(self.repairs, other.repairs)
        self.rule_packs.update(other.rule_packs)
        self.share_bins = [a + b for a, b in zip(self.share_bins, other.share_bins, strict=True)]

    @property
    def limit(self) -> float:
        return REFERENCE_SHARE if self.share_limit is None else self.share_limit

    def to_json(self) -> dict[str, Any]:
        """Return the statistics as the ``--stats`` JSON object (rules by bytes removed)."""

        def table(counts: dict[str, Count], packs: dict[str, str] | None = None) -> dict[str, Any]:
            order = sorted(counts.items(), key=lambda item: (-item[1].bytes, item[0]))
            return {
                key: {
                    **({"pack": packs[key]} if packs is not None else {}),
                    "changes": c.changes,
                    "documents": c.documents,
                    "chars": c.chars,
                    "bytes": c.bytes,
                }
                for key, c in order
            }

        return {
            "v": STATS_VERSION,
            "documents": self.documents,
            "documents_changed": self.documents - self.documents_unchanged,
            "documents_unchanged": self.documents_unchanged,
            "chars_in": self.chars_in,
            "chars_out": self.chars_out,
            "bytes_in": self.bytes_in,
            "bytes_out": self.bytes_out,
            "lines_removed": self.lines_removed,
            "spans_removed": self.spans_removed,
            "rules": table(self.rules, self.rule_packs),
            "packs": table(self.packs),
            "repairs": table(self.repairs),
            "removed_share": {
                "limit": self.limit,
                "valve": "off" if self.share_limit is None else self.on_excess,
                "over_limit": self.over_share,
                "kept": self.valve_kept,
                "flagged": self.valve_flagged,
                "histogram": self.share_bins,
            },
            "long_lines_passed": self.long_lines,
        }

    def dumps(self) -> str:
        """Return the ``--stats`` JSON text (indented, one trailing newline)."""
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"


class DocumentStats:
    """The counts of one document, built change by change, added to a ``RunStats`` at its end.

    Its input size comes from ``input`` (the whole text, or line by line for a stream); its
    output size from ``output``. Memory: a counter per rule that fired, not the changes.
    """

    __slots__ = ("bytes_in", "bytes_out", "chars_in", "chars_out", "counts", "kept_share",
                 "lines", "long_lines", "packs", "spans", "valve")  # fmt: skip

    def __init__(self, packs: dict[str, str]) -> None:
        self.packs = packs
        self.counts: dict[str, Count] = {}
        self.chars_in = self.bytes_in = self.chars_out = self.bytes_out = 0
        self.lines = self.spans = self.long_lines = 0
        self.valve: Change | None = None

    def input(self, text: str) -> None:
        self.chars_in += len(text)
        self.bytes_in += utf8_len(text)

    def output(self, text: str) -> None:
        self.chars_out += len(text)
        self.bytes_out += utf8_len(text)

    def change(self, change: Change) -> None:
        if change.rule_id == VALVE_ID:
            self.valve = change
            return
        if change.rule_id == LONG_LINE_ID:
            self.long_lines += 1
            return
        count = self.counts.get(change.rule_id)
        if count is None:
            count = self.counts[change.rule_id] = Count(documents=1)
        count.changes += 1
        count.chars += len(change.text) - len(change.replacement)
        count.bytes += utf8_len(change.text) - utf8_len(change.replacement)
        kind = change_kind(change)
        if kind == "line":
            self.lines += 1
        elif kind == "span":
            self.spans += 1

    def finish(self, into: RunStats) -> float:
        """Add this document to ``into``; return the share of it the rules removed."""
        into.documents += 1
        into.chars_in += self.chars_in
        into.chars_out += self.chars_out
        into.bytes_in += self.bytes_in
        into.bytes_out += self.bytes_out
        into.lines_removed += self.lines
        into.spans_removed += self.spans
        into.long_lines += self.long_lines
        if not self.counts:
            into.documents_unchanged += 1
        removed = 0
        packs: dict[str, Count] = {}
        for rule_id, count in self.counts.items():
            if rule_id.startswith("repair."):
                into.repairs.setdefault(rule_id, Count()).add(count)
                continue
            removed += count.chars
            into.rules.setdefault(rule_id, Count()).add(count)
            pack = pack_of(rule_id, self.packs)
            into.rule_packs.setdefault(rule_id, pack)
            total = packs.setdefault(pack, Count(documents=1))
            total.changes += count.changes
            total.chars += count.chars
            total.bytes += count.bytes
        _add_counts(into.packs, packs)
        if self.valve is not None:  # start/end: what the rules would remove, of how much
            share = self.valve.start / self.valve.end if self.valve.end else 0.0
            if self.counts:  # cleaned anyway; a document kept has only the note
                into.valve_flagged += 1
            else:
                into.valve_kept += 1
        else:
            share = removed / self.chars_in if self.chars_in else 0.0
        if share > into.limit:
            into.over_share += 1
        into.share_bins[share_bin(share)] += 1
        return share
