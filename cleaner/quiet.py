"""The quiet-line filter: which lines of a block no rule and no repair can touch.

What it is for: speed. Per line, the matchers cost tens of µs of Python (fold, gate,
lookups) even when they find nothing, which is what happens to nearly every line of prose.
Here a block of a few hundred lines is joined by LF and scanned a few times in compiled code:
the lines that hold a character a repair acts on, an odd whitespace, or a literal some rule
needs (on a line its length guard allows) are busy and take the per-line path; every other
line is quiet and skips its repairs, span rules and line-rule lookups, which could not have
changed or matched it. What it is not for: deciding anything. Busy lines are a superset of
the lines the per-line path acts on (the literals are the gates' own necessary conditions),
and ``tests/test_quiet_filter.py`` checks that the engine's output is the same without it.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import ahocorasick_rs

from cleaner.text import ARABIC_MARKS_RE as _ARABIC_MARKS_RE
from cleaner.text import strip_edges, strip_leading_edge

NO_LIMIT = 1 << 62
"""The line-length limit of a literal that matters on lines of any length (span rules)."""
MAX_BANDS = 4
"""Line-length bands of the literal scan, one automaton each: a prose line meets only the few
dozen literals of rules allowed on long lines, not the thousands of short menu phrases; more
bands would cost an automaton each (~0.3 MiB with the shipped packs) for little."""


def _repair_bytes() -> Iterator[bytes]:
    """UTF-8 of what a repair acts on (``encoding.needs_ftfy``, and "&" for entities)."""
    yield b"&"
    yield from (bytes([b]) for b in (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F))
    yield from (chr(c).encode() for c in range(0x80, 0xA0))  # C1 controls
    yield from (chr(c).encode() for c in (0xFEFF, *range(0x206A, 0x2070), *range(0xFFF9, 0xFFFE)))
    # mojibake: a lead U+00C2-U+00F4 (C3 82-B4) before any character starting with the first
    # byte of a cp1252 continuation character (C2, C5, C6, CB, E2): a superset of the pairs
    for lead in range(0xC2, 0xF5):
        for first in (0xC2, 0xC5, 0xC6, 0xCB, 0xE2):
            yield chr(lead).encode() + bytes([first])


def _odd_space_bytes() -> Iterator[bytes]:
    """UTF-8 of whitespace the joined block would not fold as ``collapse`` does.

    Two spaces, and every ``str.isspace`` character but the space and LF (a line with one is
    left to the per-line path, which folds it exactly).
    """
    yield b"  "
    yield from (chr(c).encode() for c in ODD_SPACES)


ODD_SPACES = (
    0x09, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B),
    0x2028, 0x2029, 0x202F, 0x205F, 0x3000,
)  # fmt: skip
"""The ``str.isspace`` characters other than the space and LF (a test checks the list)."""


_REPAIR = tuple(dict.fromkeys(_repair_bytes()))
_ODD_SPACE = tuple(dict.fromkeys(_odd_space_bytes()))
_SCAN_REPAIR = ahocorasick_rs.BytesAhoCorasick(list(_REPAIR))
_SCAN_SPACE = ahocorasick_rs.BytesAhoCorasick(list(_ODD_SPACE))

QUIET = 0
RULES = 1
"""A line that holds a rule's literal, or whitespace the filter does not fold: the rules run."""
REPAIR = 2
"""A line that holds a character a repair acts on: repairs run (and then the rules, on the
repaired text)."""
# the folds of ``collapse``/``gate_key`` that are not a casefold: Arabic tatweel and harakat
# (D9 80, D9 8B-9F, D9 B0), the Turkish dotless i (C4 B1) and the combining dot above (CC 87,
# which casefold writes for İ, C4 B0)
_ARABIC_MARK_BYTES = re.compile(rb"\xd9[\x80\x8b-\x9f\xb0]")
_NEWLINE_BYTES = re.compile(b"\n")


@dataclass(frozen=True)
class Literals:
    """What a line must hold for some rule to act on it, each literal with the longest line
    (stripped) a rule that needs it may act on; literals are in gate-key form
    (``literals.normalise``)."""

    within: tuple[tuple[str, int], ...] = ()
    """Anywhere in the line (pattern gates, span rules, anywhere-phrases)."""
    lines: tuple[tuple[str, int], ...] = ()
    """The whole line without the symbols at its edges (whole-line phrases)."""
    starts: tuple[tuple[str, int], ...] = ()
    """The start of the line after the symbols at its start (line-start phrases)."""

    def __add__(self, other: Literals) -> Literals:
        return Literals(
            self.within + other.within, self.lines + other.lines, self.starts + other.starts
        )


def _limits(pairs: Sequence[tuple[str, int]]) -> dict[str, int]:
    limits: dict[str, int] = {}
    for literal, limit in pairs:
        limits[literal] = max(limit, limits.get(literal, 0))
    return limits


class QuietFilter:
    """Marks the lines of a block that may change; build once from the rules' ``Literals``.

    Literals found anywhere go into Aho-Corasick automata (the Rust ``aho-corasick`` crate:
    6-13 ns a character of prose where pyahocorasick took 33, measured), one per band of
    line length.
    Whole-line and line-start phrases, thousands of menu words, are looked up per line (a
    dict, a ``startswith`` on a tuple bucketed by first character) on lines short enough.
    """

    def __init__(self, literals: Literals) -> None:
        self.literals = literals
        within = _limits(literals.within)
        self.lines = _limits(literals.lines)
        self.lines_max = max(self.lines.values(), default=0)
        self.line_key_max = max(map(len, self.lines), default=0)
        starts: dict[str, list[str]] = {}
        for key in _limits(literals.starts):
            starts.setdefault(key[:1], []).append(key)
        self.starts = {first: tuple(keys) for first, keys in starts.items()}
        self.starts_max = max((limit for _, limit in literals.starts), default=0)
        self.empty = not (within or self.lines or self.starts)
        # A line of length n is in band bisect_left(bounds, n). A band's automaton holds the
        # literals whose limit reaches into it; when all of them reach past its top, any hit
        # counts and a non-overlapping scan will do, else hits are checked against limits.
        limits = sorted({limit for limit in within.values() if limit < NO_LIMIT})
        step = len(limits) / MAX_BANDS
        self.bounds = (
            limits
            if len(limits) < MAX_BANDS
            else [limits[int(step * (band + 1)) - 1] for band in range(MAX_BANDS - 1)]
        )
        self.automata: list[tuple[ahocorasick_rs.AhoCorasick, list[int], bool] | None] = []
        low = 0
        for high in [*self.bounds, NO_LIMIT]:
            words = [(literal, limit) for literal, limit in within.items() if limit > low]
            if words:
                automaton = ahocorasick_rs.AhoCorasick([literal for literal, _ in words])
                every = all(limit >= high for _, limit in words)
                self.automata.append((automaton, [limit for _, limit in words], every))
            else:
                self.automata.append(None)
            low = high

    def busy(self, texts: Sequence[str], repair: bool) -> list[bool]:
        """Return, for each line of ``texts`` (without line endings), whether it may change."""
        return [bool(flags) for flags in self.scan(texts, repair)]

    def scan(self, texts: Sequence[str], repair: bool) -> list[int]:
        """Return, for each line of ``texts``, why it may change: ``RULES`` (a literal of a
        rule, or whitespace to fold), ``REPAIR`` (a character a repair acts on), both, or
        ``QUIET`` (0)."""
        flags = [QUIET] * len(texts)
        joined = "\n".join(texts)
        data = joined.encode("utf-8", "surrogatepass")
        newlines: list[int] | None = None
        for scanner, flag in ((_SCAN_REPAIR, REPAIR), (_SCAN_SPACE, RULES)):
            if flag is REPAIR and not repair:
                continue
            hits = scanner.find_matches_as_indexes(data)
            if hits:
                if newlines is None:
                    newlines = [match.start() for match in _NEWLINE_BYTES.finditer(data)]
                for _, start, _ in hits:
                    flags[bisect.bisect_left(newlines, start)] |= flag
        if not self.empty:
            self._mark_literals(texts, joined, data, flags)
        return flags

    def _mark_literals(
        self, texts: Sequence[str], joined: str, data: bytes, flags: list[int]
    ) -> None:
        # Lines with odd whitespace are busy already, so casefolding is all ``collapse`` does
        # to the rest (its edges aside, which only add hits).
        if joined.isascii():
            folded = joined.lower()  # the casefold of ASCII, faster
        else:
            folded = joined.casefold()
            if _ARABIC_MARK_BYTES.search(data) is not None:
                folded = _ARABIC_MARKS_RE.sub("", folded)
            if b"\xc4\xb0" in data or b"\xc4\xb1" in data or b"\xcc\x87" in data:
                folded = folded.replace("\u0131", "i").replace("\u0307", "")
        lines = folded.split("\n")  # casefold writes no LF: line i of the block
        sizes = [len(text.strip()) for text in texts]
        bands: list[list[int]] = [[] for _ in self.automata]
        bounds = self.bounds
        exact, exact_max, key_max = self.lines, self.lines_max, self.line_key_max
        starts, starts_max = self.starts, self.starts_max
        for index, size in enumerate(sizes):
            if not size or flags[index]:  # busy already: the rules run on it anyway
                continue
            if size <= exact_max or size <= starts_max:
                line = lines[index].strip()
                if size <= exact_max:
                    key = line if line[:1].isalnum() and line[-1:].isalnum() else strip_edges(line)
                    if len(key) <= key_max and exact.get(key, 0) >= size:
                        flags[index] |= RULES
                        continue
                if size <= starts_max:
                    head = line if line[:1].isalnum() else strip_leading_edge(line)
                    prefixes = starts.get(head[:1])
                    if prefixes and head.startswith(prefixes):
                        flags[index] |= RULES  # its limit is checked by the per-line path
                        continue
            bands[bisect.bisect_left(bounds, size)].append(index)
        for band, members in zip(self.automata, bands, strict=True):
            if band is None or not members:
                continue
            automaton, limits, every = band
            text = (
                lines[members[0]] if len(members) == 1 else "\n".join([lines[i] for i in members])
            )
            found = automaton.find_matches_as_indexes(text, overlapping=not every)
            if not found:
                continue
            ends = list(itertools.accumulate(len(lines[i]) + 1 for i in members))
            for literal, start, _ in found:
                index = members[bisect.bisect_right(ends, start)]
                if every or sizes[index] <= limits[literal]:
                    flags[index] |= RULES
