"""Derive, from a rule's pattern, literals one of which every line it matches must contain.

What it is for: a gate. All patterns' literals go into one Aho-Corasick automaton, and a line
is tried only against the patterns whose literals it contains, so prose lines skip the
patterns entirely. The literals are a *necessary* condition read off the parsed pattern (a
superset of what the pattern matches, never a guess), compared on ``gate_key`` of the line.
What it is not for: deciding a match; the pattern still does that.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

import regex

# regex's own parser (internal, untyped): the pattern is read exactly as regex reads it.
core: Any = importlib.import_module("regex._regex_core")

MAX_EXACT = 64
"""The most strings a node's exact set may hold before it is given up (cross products grow)."""

# mrab ``regex`` matches "i" with "İ" and "I" with "ı" when ignoring case, although their case
# folds differ ("i̇" and "ı"); a check of every cased character against every other found no
# other such pair (regex 2026.11.15). Keys fold these two the same way on both sides.
_TURKISH = {0x0131: "i", 0x0307: None}
_ARABIC_MARKS = dict.fromkeys([0x0640, *range(0x064B, 0x0660), 0x0670])
_NORMALISE = {**_ARABIC_MARKS, **_TURKISH}
_NORMALISE_RE = re.compile("[\u0131\u0307\u0640\u064b-\u065f\u0670]")
_SPACES_RE = re.compile(r"\s+")  # ``re``: its \s is ``str.isspace``

_ZERO_WIDTH = tuple(
    getattr(core, name)
    for name in (
        "StartOfString", "StartOfLine", "StartOfLineU", "EndOfString", "EndOfLine",
        "EndOfLineU", "EndOfStringLine", "EndOfStringLineU", "Boundary", "DefaultBoundary",
        "StartOfWord", "EndOfWord", "DefaultStartOfWord", "DefaultEndOfWord", "Keep",
        "SearchAnchor", "GraphemeBoundary",
    )
    if hasattr(core, name)
)  # fmt: skip
_REPEATS = tuple(
    getattr(core, name)
    for name in ("GreedyRepeat", "LazyRepeat", "PossessiveRepeat")
    if hasattr(core, name)
)

Strings = frozenset[str]
_NEUTRAL: tuple[Strings | None, Strings | None] = (frozenset({""}), None)
_UNKNOWN: tuple[Strings | None, Strings | None] = (None, None)


def gate_key(folded: str) -> str:
    """Return the text the gate compares literals with: ``collapse(line)``, Turkish i folded.

    >>> gate_key("clİck here".casefold())
    'click here'
    """
    if folded.isascii() or ("ı" not in folded and "\u0307" not in folded):
        return folded  # nearly every line: two scans in C, no copy (translate is 30x slower)
    return folded.replace("ı", "i").replace("\u0307", "")


def normalise(literal: str) -> str:
    """Return ``literal`` as it appears in the gate key of a line that contains it.

    >>> normalise("  Clİck\u00a0\u00a0HERE ")
    ' click here '
    """
    text = literal.casefold()
    if not text.isascii() and _NORMALISE_RE.search(text) is not None:
        text = text.translate(_NORMALISE)  # a dict translate is slow: only where it acts
    if "  " in text or not text.replace(" ", "").isprintable() or not text.isascii():
        text = _SPACES_RE.sub(" ", text)  # each run of whitespace, edges included, as one space
    return text


def _useful(strings: Strings | None) -> bool:
    # whitespace alone is in nearly every line: a part of longer literals, never one itself
    return strings is not None and bool(strings) and all(s.strip() for s in strings)


def _score(strings: Strings) -> tuple[int, int, int]:
    shortest = min(len(s) for s in strings)
    return (min(shortest, 4), -len(strings), shortest)  # long enough, few, then longest


_RAW: list[bool] = [False]
"""Whether the literals are looked for in the line as it came (a stack: set for one
``required_literals`` call). Raw literals must be uncased; folded ones (gate keys, where every
run of whitespace is one space) may hold letters, and there a whitespace class is " "."""
_WHITE_SPACE = core.PROPERTIES["WHITESPACE"][0] << 16 | 1
"""``regex``'s parsed value of the whitespace class (the Unicode White_Space property, yes)."""


def _best(candidates: list[Strings]) -> Strings | None:
    raw = _RAW[-1]
    useful = [c for c in candidates if _useful(c) and (not raw or all(map(uncased, c)))]
    return max(useful, key=_score) if useful else None


def uncased(literal: str) -> bool:
    """True if ``literal`` has no character that case or width folding could change."""
    return all(ch.lower() == ch.upper() == ch.casefold() == ch for ch in literal)


def _node(node: Any) -> tuple[Strings | None, Strings | None]:
    """Return (exact, required) for a parsed node.

    ``exact``: every string the node can match (None: unknown or too many); ``required``:
    strings one of which every match of the node contains (None: no constraint known).
    """
    if isinstance(node, core.Sequence):
        return _sequence(node.items)
    if isinstance(node, core.Branch):
        exacts: set[str] = set()
        required: set[str] = set()
        exact_ok = True
        req_ok = True
        for branch in node.branches:
            exact, req = _node(branch)
            if exact is None:
                exact_ok = False
            else:
                exacts |= exact
            best = _best([s for s in (req, exact) if s is not None])
            if best is None:
                req_ok = False
            else:
                required |= best
        exact_out = frozenset(exacts) if exact_ok and len(exacts) <= MAX_EXACT else None
        return exact_out, frozenset(required) if req_ok else None
    if isinstance(node, core.Group | core.Atomic):
        return _node(node.subpattern)
    if isinstance(node, _REPEATS):
        exact, req = _node(node.subpattern)
        low, high = node.min_count, node.max_count
        repeated: Strings | None = None
        if exact is not None and high is not None and high <= 4:
            current: set[str] = {""}
            total: set[str] = set(current) if low == 0 else set()
            for count in range(1, high + 1):
                current = {a + b for a in current for b in exact}
                if len(current) > MAX_EXACT:
                    total = set()
                    break
                if count >= low:
                    total |= current
            repeated = frozenset(total) if total and len(total) <= MAX_EXACT else None
        if low == 0:
            return repeated, None
        return repeated, _best([s for s in (req, exact) if s is not None])
    if isinstance(node, core.Character):
        if node.positive and not node.zerowidth:
            return frozenset({chr(node.value)}), None
        return _UNKNOWN
    if isinstance(node, core.String | core.Literal):
        return frozenset({"".join(map(chr, node.characters))}), None
    if isinstance(node, core.Property):
        if node.value == _WHITE_SPACE and node.positive and not node.zerowidth and not _RAW[-1]:
            # a folded line has each run of whitespace as one " " (``collapse``; the quiet
            # filter sends a line with any other whitespace down the per-line path), so in
            # it "p, optional space, iva" is "piva" or "p iva", not "iva", a suffix of
            # Romance prose
            return frozenset({" "}), None
        return _UNKNOWN
    if isinstance(node, core.SetUnion):
        if not node.positive or node.zerowidth:
            return _UNKNOWN
        chars: set[str] = set()
        for item in node.items:
            if isinstance(item, core.Character) and item.positive:
                chars.add(chr(item.value))
            elif isinstance(item, core.Range) and item.positive and item.upper - item.lower < 16:
                chars.update(map(chr, range(item.lower, item.upper + 1)))
            else:
                return _UNKNOWN
        return (frozenset(chars), None) if len(chars) <= MAX_EXACT else _UNKNOWN
    if isinstance(node, _ZERO_WIDTH):
        return _NEUTRAL
    if isinstance(node, core.LookAround):
        return _NEUTRAL  # the caller takes a positive lookaround's requirement (see _sequence)
    return _UNKNOWN  # properties, any, back-references, conditionals, fuzzy matches, ...


def _sequence(items: list[Any]) -> tuple[Strings | None, Strings | None]:
    candidates: list[Strings] = []
    run: Strings | None = frozenset({""})
    whole = True  # the run spans every item so far: it is the sequence's exact set
    for item in items:
        if isinstance(item, core.LookAround) and item.positive:
            exact, req = _node(item.subpattern)
            best = _best([s for s in (req, exact) if s is not None])
            if best is not None:
                candidates.append(best)  # its text is in the line too, though not consumed
            continue
        exact, req = _node(item)
        if req is not None:
            candidates.append(req)
        if exact is not None:
            candidates.append(exact)  # each item's own text is in every match too
        if exact is not None and run is not None:
            product = frozenset(a + b for a in run for b in exact)
            if len(product) <= MAX_EXACT:
                run = product
                candidates.append(run)
                continue
        if run is not None:
            candidates.append(run)
        whole = False
        run = exact
    if run is not None:
        candidates.append(run)
    return (run if whole else None), _best(candidates)


def required_literals(pattern: str, flags: int = 0, *, raw: bool = False) -> tuple[str, ...] | None:
    """Return gate-key literals one of which every match of ``pattern`` contains, or None.

    None when no such set is known (a pattern of classes and properties only) or when the
    pattern cannot be parsed here; the rule is then tried on every line, as before. With
    ``raw``, only literals without cased letters are chosen and they are returned as written:
    they occur verbatim in the line itself, no folding needed.

    >>> required_literals(r"^\\W{0,3}(?:home|start\\s*seite)\\s*[>»]", regex.I)
    ('home', 'start')
    >>> required_literals(r"^\\d{1,3}\\.$"), required_literals(r"^\\p{L}+$") is None
    (('.',), True)
    >>> required_literals(r"\\[/?(?:button|box)\\]", regex.I, raw=True)
    ('[',)
    """
    global_flags = flags
    try:
        while True:
            source = core.Source(pattern)
            info = core.Info(global_flags, source.char_type, {})
            source.ignore_space = bool(info.flags & regex.VERBOSE)
            try:
                parsed = core._parse_pattern(source, info)
                break
            except core._UnscopedFlagSet:
                global_flags = info.global_flags
    except Exception:  # an internal parser: any failure means "no gate"
        return None
    _RAW.append(raw)
    try:
        exact, req = _node(parsed)
        best = _best([s for s in (req, exact) if s is not None])
    finally:
        _RAW.pop()
    if best is None:
        return None
    literals = set(best) if raw else {normalise(s) for s in best}
    if "" in literals:
        return None
    # a literal that contains another is implied by it: keep the shorter ones
    kept = sorted(literals, key=len)
    minimal: list[str] = []
    for literal in kept:
        if not any(shorter in literal for shorter in minimal):
            minimal.append(literal)
    return tuple(sorted(minimal))
