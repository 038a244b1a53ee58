"""Compile a rule set into a few matchers, so that a line is never tested rule by rule.

Whole-line phrases become one dict lookup on the normalised line, line-start phrases a
``str.startswith`` on a tuple bucketed by first character, and patterns one combined gate
pattern per kind; only a line that passes a gate is looked at rule by rule, to find the rule
to blame. This module decides what matches; ``engine.py`` decides what to do about it.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import ahocorasick_rs
import regex

from cleaner.errors import RuleFileError
from cleaner.gates import gate_literals, raw_literals
from cleaner.literals import gate_key, normalise
from cleaner.model import Action, Anchor, Change, Rule, Where
from cleaner.quiet import NO_LIMIT, Literals, QuietFilter
from cleaner.rules import default_rules_dir
from cleaner.text import collapse, normalize_key, strip_edges, strip_leading_edge

_FLAGS = regex.V0
USER_TIMEOUT = 1.0
"""Seconds a user rule's pattern may spend on one line before it counts as no match.

Shipped patterns are checked by the test suite and run without it (passing ``timeout`` costs
~3 µs a call, research/perf.md); rule files from ``--rules`` are checked at load against probe
lines (rules.py) and, because no probe catches every pathological pattern, also run with it."""
GATE_BANDS = 2
"""Line-length bands of the pattern gate, each with its own automaton (see _PatternGate)."""
MEMO_SIZE = 2048
"""Short lines whose matches each LineMatcher remembers (cleared when full)."""
MEMO_CHARS = 120
"""Only lines up to this long are remembered: debris repeats, prose does not (and would hold
~3 MiB of memo for nothing)."""


def _rule_pattern(rule: Rule) -> str:
    """Return the rule's pattern source with its case flag scoped to it."""
    if rule.pattern is not None:
        source = rule.pattern
    else:
        source = "|".join(
            r"\s+".join(regex.escape(word) for word in phrase.split()) for phrase in rule.phrases
        )
    return source if rule.case_sensitive else f"(?i:{source})"


def _compile_now(rule: Rule) -> regex.Pattern[str]:
    if rule.pattern is not None:
        # the same (pattern, flags) the loader validated with, so regex's cache returns it
        flags = _FLAGS | (0 if rule.case_sensitive else regex.IGNORECASE)
        return regex.compile(rule.pattern, flags)
    return regex.compile(_rule_pattern(rule), _FLAGS)


class LazyPattern:
    """A rule's pattern, compiled when first used.

    Compiling the shipped packs costs ~0.5 s, paid at every start before; behind the gates
    and the quiet filter most patterns never run on a small input, and a pipeline of many
    short invocations pays only for those that do. After the first call ``search`` and
    ``finditer`` are the compiled pattern's own methods. The shipped packs are compiled by
    the test suite; a user's rule file is compiled at load (``rules.py``), so a pattern that
    does not compile can only surface here if a shipped file was edited in place, and then
    as a ``RuleFileError`` that names it.
    """

    __slots__ = ("finditer", "rule", "search")

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.search: Callable[..., regex.Match[str] | None] = self._search_first
        self.finditer: Callable[..., Iterator[regex.Match[str]]] = self._finditer_first

    def compiled(self) -> regex.Pattern[str]:
        try:
            pattern = _compile_now(self.rule)
        except regex.error as exc:
            raise RuleFileError(
                [f"{self.rule.source}: rule '{self.rule.id}': pattern does not compile: {exc}"]
            ) from None
        self.search = pattern.search
        self.finditer = pattern.finditer
        return pattern

    def _search_first(self, *args: Any, **kwargs: Any) -> regex.Match[str] | None:
        return self.compiled().search(*args, **kwargs)

    def _finditer_first(self, *args: Any, **kwargs: Any) -> Iterator[regex.Match[str]]:
        return self.compiled().finditer(*args, **kwargs)


def _timeout(rule: Rule) -> float | None:
    """Return the time limit for a rule's pattern: none for shipped packs, USER_TIMEOUT else."""
    return None if rule.source.resolve().parent == default_rules_dir().resolve() else USER_TIMEOUT


def _timed_out(rule: Rule, size: int) -> None:
    warnings.warn(
        f"rule '{rule.id}' ({rule.source}): pattern gave up after {USER_TIMEOUT:g} s on a line "
        f"of {size} characters; the line was treated as not matching",
        RuntimeWarning,
        stacklevel=3,
    )


def _gate(rules: Sequence[Rule]) -> regex.Pattern[str] | None:
    """One pattern that matches where any of ``rules`` may match (None: check each rule)."""
    if not rules:
        return None
    try:
        return regex.compile("|".join(f"(?:{_rule_pattern(r)})" for r in rules), _FLAGS)
    except regex.error:
        return None  # e.g. clashing group names: fall back to the per-rule patterns


@dataclass(frozen=True, slots=True)
class SpanEdit:
    """A span a rule removed or replaced inside a line (offsets in the line before the edit)."""

    rule: Rule
    start: int
    end: int
    text: str
    replacement: str


class LineMatcher:
    """Finds which of a set of line and tail rules match a short line, without a rule loop.

    Whole-line phrases are one dict lookup on the normalised line, line-start phrases one
    ``str.startswith`` on a tuple bucketed by first character, "anywhere" phrases one gate
    pattern; patterns run one by one, each only on lines within its ``max-chars``.
    """

    def __init__(self, rules: Sequence[Rule], order: dict[str, int]) -> None:
        self.rules = tuple(rules)
        self._order = order
        self.max_chars = max((r.max_chars for r in rules), default=0)
        self._exact: dict[str, list[Rule]] = {}
        starts: dict[str, list[tuple[str, Rule]]] = {}
        self._anywhere: list[tuple[str, Rule]] = []
        pattern_rules: list[Rule] = []
        for rule in rules:
            if rule.pattern is not None:
                pattern_rules.append(rule)
                continue
            for phrase in rule.phrases:
                if rule.anchor is Anchor.LINE:
                    self._exact.setdefault(normalize_key(phrase), []).append(rule)
                elif rule.anchor is Anchor.START:
                    key = collapse(strip_leading_edge(phrase.strip()))
                    starts.setdefault(key[:1], []).append((key, rule))
                else:
                    self._anywhere.append((collapse(phrase), rule))
        self._starts = {first: tuple(items) for first, items in starts.items()}
        # A line longer than every phrase rule's guard cannot be dropped by one: the lookups
        # are skipped (callers apply the guards anyway, so the answer is the same).
        self._phrases_max = max((r.max_chars for r in rules if r.pattern is None), default=0)
        self._start_prefixes = {
            first: tuple(key for key, _ in items) for first, items in starts.items()
        }
        self._anywhere_gate = (
            regex.compile("|".join(regex.escape(p) for p, _ in self._anywhere), _FLAGS)
            if self._anywhere
            else None
        )
        # One by one, not combined: measured on 1 MB of bench text (2026-11-22), 22 anchored,
        # case-insensitive patterns with lookarounds cost 0.17 s one by one and 0.27 s as one
        # alternation; the mrab engine finds no shared prefix to skip on. Which of them a line
        # is tried against is decided by one Aho-Corasick scan (``_PatternGate``).
        self._patterns = [
            (rule, LazyPattern(rule), rule.max_chars, _timeout(rule), 1 << index)
            for index, rule in enumerate(pattern_rules)
        ]
        self._gate = _PatternGate(pattern_rules)
        # Short lines repeat a lot (menu words, "Share", bylines, the same line in a pipe),
        # and the answer depends on the text alone: remember the latest few thousand.
        self._memo: dict[str, tuple[Rule, ...]] = {}

    def literal_limits(self) -> Literals | None:
        """Return the literals one of which a line needs for a rule here to match it, each with
        the longest line it matters on (None: no such set, because a pattern has no literals
        or a phrase has no letters or digits)."""
        if self._gate.always:
            return None
        within = [(lit, limit) for limit, _, literals in self._gate.gated for lit in literals]
        within.extend((phrase, rule.max_chars) for phrase, rule in self._anywhere)
        lines = [(key, max(rule.max_chars for rule in rules)) for key, rules in self._exact.items()]
        starts = [(key, rule.max_chars) for items in self._starts.values() for key, rule in items]
        found = Literals(
            tuple((normalise(literal), limit) for literal, limit in within),
            tuple((normalise(literal), limit) for literal, limit in lines),
            tuple((normalise(literal), limit) for literal, limit in starts),
        )
        if any(not literal.strip() for literal, _ in (*found.within, *found.starts)):
            return None
        return found

    def find(self, stripped: str, folded: str | None = None) -> tuple[Rule, ...]:
        """Return the rules whose match fits a line, in rule-file order (guards not applied).

        ``stripped`` is the line without surrounding whitespace, ``folded`` is
        ``collapse(stripped)`` if the caller has it; else it is computed only when needed
        (a remembered line needs none).
        """
        if len(stripped) > MEMO_CHARS:  # prose: it hardly ever repeats
            return self._find(stripped, collapse(stripped) if folded is None else folded)
        memo = self._memo.get(stripped)
        if memo is not None:
            return memo
        if len(self._memo) >= MEMO_SIZE:
            self._memo.clear()
        result = self._find(stripped, collapse(stripped) if folded is None else folded)
        self._memo[stripped] = result
        return result

    def _find(self, stripped: str, folded: str) -> tuple[Rule, ...]:
        found: list[Rule] = []
        size = len(stripped)
        phrases = size <= self._phrases_max
        if self._exact and phrases:
            found.extend(self._exact.get(strip_edges(folded), ()))
        if self._starts and phrases:
            head = strip_leading_edge(folded)
            prefixes = self._start_prefixes.get(head[:1])
            if prefixes and head.startswith(prefixes):
                for key, rule in self._starts[head[:1]]:
                    if head.startswith(key) and (
                        len(head) == len(key)
                        or not key[-1].isalnum()
                        or not head[len(key)].isalnum()
                    ):
                        found.append(rule)
        if self._anywhere_gate is not None and phrases and self._anywhere_gate.search(folded):
            found.extend(rule for phrase, rule in self._anywhere if phrase in folded)
        mask = self._gate.candidates(folded, size) if self._patterns else 0
        patterns = self._patterns
        while mask:  # only the patterns the gate let through, lowest bit (first rule) first
            low = mask & -mask
            mask ^= low
            rule, pattern, limit, timeout, _ = patterns[low.bit_length() - 1]
            if size > limit:
                continue  # the guard forbids
            if timeout is None:
                if pattern.search(stripped) is not None:
                    found.append(rule)
                continue
            try:
                if pattern.search(stripped, timeout=timeout) is not None:
                    found.append(rule)
            except TimeoutError:
                _timed_out(rule, size)
        if len(found) > 1:  # rule-file order, once each
            order = self._order
            found = sorted({rule.id: rule for rule in found}.values(), key=lambda r: order[r.id])
        return tuple(found)


class _PatternGate:
    """One Aho-Corasick scan per line says which patterns can match it (bit i: pattern i).

    A pattern with ``requires`` is gated by those literals on the folded line (as it always
    was); any other by the literals derived from it (``cleaner.literals``) on its gate key. A
    pattern with neither is always tried. Lines longer than a pattern's ``max-chars`` never
    try it, so there is one automaton per band of line length (``GATE_BANDS``), holding only
    the patterns whose limit a line of that band may still fit: a long prose line is not
    slowed down by the "." of a 10-character rule.
    """

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.always = 0
        self.gated: list[tuple[int, int, tuple[str, ...]]] = []  # (limit, bit, literals)
        self.declared = 0
        self.declared_literals: list[tuple[int, tuple[str, ...]]] = []
        gated = self.gated
        for index, rule in enumerate(rules):
            bit = 1 << index
            if rule.requires:
                self.declared |= bit
                self.declared_literals.append((bit, rule.requires))
                gated.append((rule.max_chars, bit, rule.requires))
                continue
            literals = gate_literals(rule)
            if literals is None:
                self.always |= bit
            else:
                gated.append((rule.max_chars, bit, literals))
        # A few bands of line length, each with the patterns whose limit reaches into it
        # (one automaton per distinct limit would hold most literals again and again).
        limits = sorted({limit for limit, _, _ in gated})
        bounds = (
            limits
            if len(limits) <= GATE_BANDS
            else [
                limits[(len(limits) * (band + 1)) // GATE_BANDS - 1] for band in range(GATE_BANDS)
            ]
        )
        self.band: list[int] = []  # line length -> index into automata
        self.automata: list[tuple[ahocorasick_rs.AhoCorasick | None, list[int]]] = []
        low = 0
        for bound in bounds:
            words: dict[str, int] = {}  # literal -> the bits of the patterns that need it
            for limit, bit, literals in gated:
                if limit > low:  # a line in (low, bound] may still fit this limit
                    for literal in literals:
                        words[literal] = words.get(literal, 0) | bit
            automaton = ahocorasick_rs.AhoCorasick(list(words)) if words else None
            self.band.extend([len(self.automata)] * (bound + 1 - len(self.band)))
            self.automata.append((automaton, list(words.values())))
            low = bound

    def candidates(self, folded: str, size: int) -> int:
        """Return the bits of the patterns a line may match (``size``: its stripped length)."""
        mask = self.always
        if size < len(self.band):
            key = gate_key(folded)
            automaton, bits = self.automata[self.band[size]]
            if automaton is not None:
                for index, _, _ in automaton.find_matches_as_indexes(key, overlapping=True):
                    mask |= bits[index]
            if self.declared and key is not folded:
                # ``requires`` compares with the folded line itself: decide those exactly
                mask &= ~self.declared
                for bit, literals in self.declared_literals:
                    if any(literal in folded for literal in literals):
                        mask |= bit
        return mask


class CompiledRules:
    """The matchers for one rule set; build once, use for every line of every document.

    Line rules are split by where they may fire, so each line pays only for the rules that
    can apply to it: ``anywhere`` rules on every short line, ``first-lines`` rules only on
    the first lines, and ``end`` rules (``drop-tail`` triggers and ``last-lines`` rules) only
    on the lines still held back when the document ends, a few dozen whatever its length.
    """

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = tuple(rules)
        self.actions = {rule.id: rule.action.value for rule in self.rules}
        order = {rule.id: index for index, rule in enumerate(self.rules)}

        span_rules = [r for r in rules if r.action in (Action.DROP_SPAN, Action.REPLACE)]
        self._span = [(rule, LazyPattern(rule), _timeout(rule)) for rule in span_rules]
        # Each span rule is tried only on lines that hold one of the literals its pattern
        # needs ("&", "[", ". " for the shipped ones: no cased letters, so a plain ``in`` on
        # the line decides): three substring tests instead of the combined gate, ~4x cheaper
        # per line. A rule without such literals brings the combined gate back for all.
        self._span_literals = [raw_literals(rule) for rule, _, _ in self._span]
        gated = all(literals is not None for literals in self._span_literals)
        # the gate combines every span pattern, so a user pattern in it needs the time limit
        self._span_gate = None if gated else _gate(span_rules)
        self._gate_timeout = USER_TIMEOUT if any(t for _, _, t in self._span) else None

        listed = [r for r in rules if r.action in (Action.DROP_LINE, Action.DROP_TAIL)]
        phrase_rules = [r for r in listed if r.when is None]
        self.feature_lines = [r for r in listed if r.when is not None]
        self.runs = [r for r in rules if r.action is Action.DROP_RUN]
        self.heads = [r for r in rules if r.action is Action.DROP_HEAD]
        self.foots = [r for r in rules if r.action is Action.DROP_FOOT]
        at_end = [
            r for r in phrase_rules if r.action is Action.DROP_TAIL or r.where is Where.LAST_LINES
        ]
        placed = {id(r) for r in at_end}  # by identity: comparing rules compares every field
        at_head = [r for r in phrase_rules if id(r) not in placed and r.where is Where.FIRST_LINES]
        placed.update(id(r) for r in at_head)
        self.anywhere = LineMatcher([r for r in phrase_rules if id(r) not in placed], order)
        self.head = LineMatcher(at_head, order)
        self.head_lines = max((r.lines or 0 for r in at_head), default=0)
        self.end = LineMatcher(at_end, order)
        self.max_line_chars = max(
            self.anywhere.max_chars,
            self.head.max_chars,
            *(r.max_chars for r in self.feature_lines),
            0,
        )

        self.repeats = [r for r in rules if r.action is Action.DROP_REPEAT]
        self.repeat_min_chars = min((r.min_chars for r in self.repeats), default=0)
        # drop-repeat needs two memories: the last few lines (rules with within-lines) and
        # every line long enough for a rule without it (in a compact hash set).
        self.repeat_window = max((r.within_lines or 0 for r in self.repeats), default=0)
        self.repeat_ever_min = min(
            (r.min_chars for r in self.repeats if r.within_lines is None), default=1 << 62
        )
        self.teaser = next((r for r in rules if r.action is Action.DROP_TEASER), None)
        self.lookahead_lines, self.lookahead_chars = _window(self.rules)
        # Quiet-line filters: one for the anywhere-matcher and the span rules (every block),
        # one for the first lines' matcher, one for the end matcher (the lines held at the end).
        end_literals = self.end.literal_limits()
        self.end_quiet = None if end_literals is None else QuietFilter(end_literals)
        head_literals = self.head.literal_limits()
        self.head_quiet = None if head_literals is None else QuietFilter(head_literals)
        literals = self.anywhere.literal_limits()
        spans = _span_literals([rule for rule, _, _ in self._span])
        self.quiet = (
            None
            if literals is None or spans is None
            else QuietFilter(literals + Literals(tuple(spans)))
        )

    def matchers_shared_with(self, other: CompiledRules) -> bool:
        """True if this set uses ``other``'s compiled matchers and filters (a layered set)."""
        return self.anywhere is other.anywhere and self.quiet is other.quiet

    def apply_spans(self, text: str) -> tuple[str, list[SpanEdit]]:
        """Return ``text`` with every drop-span and replace rule applied, and the edits made."""
        if not self._span:
            return text, []
        if self._span_gate is not None:
            try:
                if self._gate_timeout is None:
                    if not self._span_gate.search(text):
                        return text, []
                elif not self._span_gate.search(text, timeout=self._gate_timeout):
                    return text, []
            except TimeoutError:
                pass  # let each rule try on its own, each with its own limit
        edits: list[SpanEdit] = []
        for (rule, pattern, timeout), literals in zip(self._span, self._span_literals, strict=True):
            if literals is not None:
                for literal in literals:  # on the text as the rules before left it
                    if literal in text:
                        break
                else:
                    continue  # none of the literals its pattern needs: it cannot match
            try:
                matches = list(
                    pattern.finditer(text)
                    if timeout is None
                    else pattern.finditer(text, timeout=timeout)
                )
            except TimeoutError:
                _timed_out(rule, len(text))
                continue
            if not matches:
                continue
            pieces: list[str] = []
            last = 0
            shift = 0  # offsets are recorded in the text as it stood before this edit
            for match in matches:
                new = match.expand(rule.replacement or "") if rule.action is Action.REPLACE else ""
                if new == match.group():
                    continue
                start = match.start() + shift
                edits.append(SpanEdit(rule, start, start + len(match.group()), match.group(), new))
                shift += len(new) - len(match.group())
                pieces.append(text[last : match.start()])
                pieces.append(new)
                last = match.end()
            pieces.append(text[last:])
            text = "".join(pieces)
        return text, edits


def _window(rules: Sequence[Rule]) -> tuple[int, int]:
    """Return how many lines and characters the engine must hold back for ``rules``."""
    tails = [r for r in rules if r.action in (Action.DROP_TAIL, Action.DROP_HEAD, Action.DROP_FOOT)]
    listed = [r for r in rules if r.action in (Action.DROP_LINE, Action.DROP_TAIL)]
    last = [r.lines or 0 for r in listed if r.where is Where.LAST_LINES]
    runs = [r for r in rules if r.action is Action.DROP_RUN]
    teaser = any(r.action is Action.DROP_TEASER for r in rules)
    lines = max(
        [
            # twice the block: block sizes count the lines that stay, and the window must
            # still hold the trigger when other rules dropped lines inside the block
            *(r.block_max_lines for r in tails),
            *last,
            # a run is held until it is long enough, or until its end shows its context
            *(4 * max(r.min_run, r.between_max_lines) + 8 for r in runs),
            40 if teaser else 0,
            0,
        ]
    )
    chars = max([*(r.block_max_chars + r.max_chars for r in tails), 1 << 16])
    return lines, chars


STRUCTURAL = (Action.DROP_RUN, Action.DROP_HEAD, Action.DROP_FOOT)
"""Actions whose rules use no matcher, no span gate and no quiet filter (features, boundaries)."""


def with_structure(shared: CompiledRules, added: Sequence[Rule]) -> CompiledRules:
    """Return ``shared`` plus rules with ``STRUCTURAL`` actions, sharing everything compiled.

    The ``layout`` pack, which a document's first lines turn on, is only such rules: compiling
    the whole set again for it cost ~7 MiB (matchers, filters) and ~0.1 s. Only for a shared
    set with no structural rules of its own, so the order they apply in stays rule order.
    """
    assert all(rule.action in STRUCTURAL for rule in added)
    assert not (shared.runs or shared.heads or shared.foots)
    layered = copy.copy(shared)
    layered.rules = shared.rules + tuple(added)
    layered.actions = {**shared.actions, **{rule.id: rule.action.value for rule in added}}
    layered.runs = [r for r in added if r.action is Action.DROP_RUN]
    layered.heads = [r for r in added if r.action is Action.DROP_HEAD]
    layered.foots = [r for r in added if r.action is Action.DROP_FOOT]
    layered.lookahead_lines, layered.lookahead_chars = _window(layered.rules)
    return layered


def _span_literals(rules: Sequence[Rule]) -> list[tuple[str, int]] | None:
    """Return the gate-key literals of the span rules, one of which any line they edit holds."""
    pairs: list[tuple[str, int]] = []
    for rule in rules:
        if rule.pattern is None:
            literals: tuple[str, ...] | None = tuple(collapse(phrase) for phrase in rule.phrases)
        else:
            literals = rule.requires or gate_literals(rule)
        if literals is None:
            return None
        pairs.extend((normalise(literal), NO_LIMIT) for literal in literals)
    if any(not literal.strip() for literal, _ in pairs):
        return None
    return pairs


def span_change(edit: SpanEdit, line: int) -> Change:
    """Return the ``Change`` record of a span edit on input line ``line``."""
    return Change(
        rule_id=edit.rule.id,
        action=edit.rule.action.value,
        line=line,
        start=edit.start,
        end=edit.end,
        text=edit.text,
        replacement=edit.replacement,
    )
