"""The streaming engine: lines in, cleaned lines out, with a bounded look-ahead window.

One document at a time. Per line: decode, repair (ftfy, entities), span rules, then line
rules; lines are held back only as long as a tail block, a last-lines rule or a teaser
check needs them, so memory is bounded by the largest of those windows, not by the input.
"""

from __future__ import annotations

import copy
import itertools
import re
import tempfile
from array import array
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from cleaner.compile import STRUCTURAL, CompiledRules, LineMatcher, span_change, with_structure
from cleaner.encoding import RawLine, fix_mojibake, read_blocks, unescape_entities
from cleaner.errors import RuleFileError
from cleaner.model import Action, AutoSwitch, Change, CleanResult, Rule, RuleSet, Where
from cleaner.quiet import QUIET, REPAIR, RULES, QuietFilter
from cleaner.rules import load_rules
from cleaner.text import collapse

REPEAT_MEMORY = 196_608
"""At most this many distinct lines per document are remembered for drop-repeat rules without
``within-lines`` (2 MiB of 8-byte hashes: three quarters of a 2**18-slot table, so it never
grows to 4 MiB, nor holds 6 MiB while growing); later lines of a longer document are still
cleaned but no longer deduplicated by those rules. Rules with ``within-lines`` only need the
last few lines and always work."""


class _HashSet:
    """A set of 64-bit hashes in one array (open addressing, filled to three quarters): ~11
    bytes a hash where a Python ``set`` takes ~100 (an int object and its slot); measured:
    200,000 hashes, 4 MiB at half full vs 19 MiB.
    """

    __slots__ = ("count", "limit", "mask", "slots")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.slots = array("q", bytes(8 << 10))
        self.mask = len(self.slots) - 1
        self.count = 0

    def add(self, key: int) -> bool:
        """Return True if ``key`` was in the set; else add it (while there is room)."""
        key = key or 1  # 0 marks an empty slot
        slots, mask = self.slots, self.mask
        index = key & mask
        while True:
            value = slots[index]
            if value == key:
                return True
            if value == 0:
                break
            index = (index + 1) & mask
        if self.count < self.limit:
            slots[index] = key
            self.count += 1
            if self.count * 4 > len(slots) * 3:
                self._grow()
        return False

    def _grow(self) -> None:
        old = self.slots
        self.slots = array("q", bytes(16 * len(old)))
        self.mask = len(self.slots) - 1
        slots, mask = self.slots, self.mask
        for key in old:
            if key:
                index = key & mask
                while slots[index]:
                    index = (index + 1) & mask
                slots[index] = key


@dataclass(frozen=True)
class CleanerConfig:
    """How a ``Cleaner`` is built. Every default is what the CLI does without options.

    - ``rules``: extra rule files or folders, loaded after the shipped packs.
    - ``defaults``: load the shipped packs (off: only ``rules``).
    - ``disable``: rule ids or pack names to turn off.
    - ``enable``: rule ids or names of opt-in packs (``[pack] default = false``, like
      ``layout``) to turn on.
    - ``keep_comments``: keep comment threads (turns off rules tagged ``comments``); comment
      forms and spam notices still go.
    - ``languages``: only rules for these languages (and ``*``); None = all, because debris is
      often in another language than the page (English forms on German posts).
    - ``repair``: ftfy and entity repair on; off leaves the characters as they came.
    - ``max_removed_share``: the safety valve, off by default. A document whose rules remove
      more than this share of its characters is returned unchanged (``on_excess="keep"``)
      or cleaned but flagged (``"flag"``). RefinedWeb drops documents past 0.05; a page with
      a long comment thread legitimately loses more, so choose it for your corpus.
    """

    rules: tuple[Path, ...] = ()
    defaults: bool = True
    disable: frozenset[str] = frozenset()
    enable: frozenset[str] = frozenset()
    keep_comments: bool = False
    languages: frozenset[str] | None = None
    repair: bool = True
    max_removed_share: float | None = None
    on_excess: str = "keep"


Sink = Callable[[Change], None]

SITE_CACHE = 64
"""Compiled rule sets kept for distinct site scopes, least recently used dropped first. A
scope is the set of site rules that apply to a site, so many sites share one entry (the
unscoped set is always kept); a run over more scopes than this recompiles, never grows."""

HEAD_CHARS = 1 << 16
"""At most this many characters are read ahead for the ``auto`` tests of opt-in packs."""

BUSY = RULES | REPAIR
"""What a line is taken to hold when no filter looked at it: the full per-line path."""

LINE_ROUNDS = 4
"""At most this many rounds of repairs and span rules per line (each round after the first
only if the one before changed the line); the shipped rules settle in two."""

VALVE_ID = "valve.max-removed-share"
"""The safety valve's note (action ``valve``, line 0, no text): its ``start`` is the characters
the rules would remove, its ``end`` the document's characters, so ``start / end`` is the share.
Text and replacement stay empty, so the note never counts as a removal."""
LONG_LINE_ID = "pass.long-line"
"""A note (nothing changed) on a line longer than ``encoding.MAX_LINE_BYTES``: read in pieces
and passed through with no rules and no repair, so memory stays bounded."""


def removed_chars(changes: Iterable[Change]) -> int:
    """Return how many characters the rules (not the repairs) removed."""
    return sum(len(c.text) - len(c.replacement) for c in changes if c.action != "repair")


class _Line:
    __slots__ = (
        "blank", "changes", "drop", "emitted", "eol", "last", "no", "passthrough", "tails", "text",
    )  # fmt: skip

    def __init__(self, no: int, text: str, eol: str) -> None:
        self.no = no
        self.text = text
        self.eol = eol
        self.blank = False
        self.drop: Rule | None = None
        self.changes: list[Change] | None = None
        self.last: list[Rule] | None = None
        self.tails: list[Rule] | None = None
        self.passthrough = False
        self.emitted = False

    def record(self, change: Change) -> None:
        if self.changes is None:
            self.changes = []
        self.changes.append(change)


class _Run:
    """The current run of a drop-run rule: its first lines, its length, what came before."""

    __slots__ = ("after_prose", "confirmed", "count", "lines")

    def __init__(self) -> None:
        self.lines: list[_Line] = []
        self.count = 0
        self.confirmed = False
        self.after_prose = False

    def reset(self, *, after_prose: bool) -> None:
        self.lines = []
        self.count = 0
        self.confirmed = False
        self.after_prose = after_prose


def _diff_change(rule_id: str, action: str, no: int, old: str, new: str) -> Change:
    """Return a change covering only the part of ``old`` that differs from ``new``."""
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    end_old, end_new = len(old), len(new)
    while end_old > start and end_new > start and old[end_old - 1] == new[end_new - 1]:
        end_old -= 1
        end_new -= 1
    return Change(rule_id, action, no, start, end_old, old[start:end_old], new[start:end_new])


class _Document:
    """The state of one document being cleaned; ``feed`` lines, then ``finish``."""

    def __init__(
        self, compiled: CompiledRules, repair: bool, sink: Sink | None, detail: bool = True
    ) -> None:
        self.c = compiled
        self.repair = repair
        self.sink = sink
        # detail: build a Change for every removal and repair (else only the notes, such as
        # a long line passed through: a pipe that counts nothing pays for no records)
        self.detail = sink is not None and detail
        self.queue: deque[_Line] = deque()
        self.queue_chars = 0
        self.no = 0
        self.in_long_line = False
        # drop-repeat: line hash -> content line number of its last kept copy, for the last
        # ``repeat_window`` content lines (oldest first in ``recent_order``); and every hash
        # of a line long enough for a rule without within-lines
        self.recent: dict[int, int] = {}
        self.recent_order: deque[tuple[int, int]] = deque()
        self.ever = _HashSet(REPEAT_MEMORY)
        self.content_lines = 0
        self.teaser: _Line | None = None
        self.teaser_rest = ""
        self.teaser_parts = 0
        # Output tidying: blank lines wait until the next kept line shows they still separate.
        self.pending: list[_Line] = []
        self.have_content = False
        self.dropped_by: Rule | None = None
        self.runs: dict[str, _Run] = {rule.id: _Run() for rule in compiled.runs}
        for run in self.runs.values():
            run.after_prose = True  # the start of a document is a boundary, like prose
        # drop-head: the rules still waiting for the first line of content, and what they hold
        self.heads_open = list(compiled.heads)
        self.head_chars = 0

    # -- input side ------------------------------------------------------------------------

    def feed_block(self, raws: list[RawLine]) -> list[str]:
        """Feed a block of lines; return the output of the lines that leave the window.

        The quiet filter looks at the whole block first (``QuietFilter``): lines it clears
        skip the repairs, span rules and line-rule lookups, the rest take the full path.
        """
        quiet = self.c.quiet
        out: list[str] = []
        if quiet is None or len(raws) < 2:
            for raw in raws:
                out.extend(self.feed(raw))
            return out
        texts = [raw.text for raw in raws]
        scans = quiet.scan(texts, self.repair)
        head = self.c.head_quiet
        if head is not None and self.no < self.c.head_lines:
            # the first lines' own rules (the head matcher): a scan of those lines alone
            count = self.c.head_lines - self.no
            for index, scan in enumerate(head.scan(texts[:count], repair=False)):
                scans[index] |= scan & RULES
        # The quiet lane: a line the filter cleared, read whole, past the first line (its
        # BOM) and past the first lines when no filter took their rules, has no repair, no
        # span rule and no line-rule lookup to run, so it goes straight to the decisions
        # every line needs (repeats, teaser, structure) and the window: what ``feed`` and
        # ``_classify`` do for it, without their calls (most lines of a corpus are these).
        first_quiet = 1 if head is not None else max(1, self.c.head_lines)
        queue = self.queue
        window_lines, window_chars = self.c.lookahead_lines, self.c.lookahead_chars
        for raw, scan in zip(raws, scans, strict=True):
            if scan or self.no < first_quiet or raw.oversized or raw.bad_bytes or self.in_long_line:
                out.extend(self.feed(raw, scan))
                continue
            self.no += 1
            text = raw.text
            line = _Line(self.no, text, raw.eol)
            if not text or text.isspace():
                line.blank = True
            else:
                self._decide(line, text.strip(), True)
            queue.append(line)
            self.queue_chars += len(text)
            while len(queue) > window_lines or self.queue_chars > window_chars:
                old = queue.popleft()
                self.queue_chars -= len(old.text)
                self._emit(old, out)
        return out

    def feed(self, raw: RawLine, scan: int = BUSY) -> list[str]:
        """Feed one line; ``scan`` is what the quiet filter found in it (default: anything)."""
        continued = self.in_long_line  # a later piece of a long line keeps its line number
        self.in_long_line = raw.oversized and not raw.eol
        if not continued:
            self.no += 1
        line = _Line(self.no, raw.text, raw.eol)
        if raw.bad_bytes and self.detail:
            line.record(Change("repair.decode", "repair", self.no, 0, 0, "", ""))
        if self.no == 1 and not continued and line.text.startswith("\ufeff"):
            if self.detail:
                line.record(Change("repair.bom", "repair", 1, 0, 1, "\ufeff", ""))
            line.text = line.text[1:]
            scan = BUSY  # the filter saw the line with its BOM
        if raw.oversized:
            line.passthrough = True
            if not continued and self.sink is not None:
                line.record(Change(LONG_LINE_ID, "pass", self.no, 0, 0, "", ""))
        else:
            if raw.bad_bytes:
                scan = BUSY
            elif self.no <= self.c.head_lines and self.c.head_quiet is None:
                scan |= RULES  # the first lines' own rules, which no filter could take
            self._classify(line, scan)
        return self._push(line)

    def _classify(self, line: _Line, scan: int = BUSY) -> None:
        text = line.text
        was_blank = not text or text.isspace()
        last_span: Rule | None = None
        # Repairs and span rules again until the line settles: decoding an entity can make
        # mojibake ("&Atilde;&frac14;" -> "Ã¼") or debris ("&#91;ad_1&#93;"), and a second
        # run over the output must find nothing left to do. Most lines settle in one round;
        # a quiet line (nothing for a repair or a span rule to act on) needs none, and a line
        # without a character a repair acts on needs no repair check in the first.
        quiet = scan == QUIET
        for round_ in range(0 if was_blank or quiet else LINE_ROUNDS):
            before = text
            if self.repair and (round_ or scan & REPAIR):
                fixed = fix_mojibake(text)
                if fixed != text:
                    if self.detail:
                        line.record(_diff_change("repair.mojibake", "repair", line.no, text, fixed))
                    text = fixed
            text, edits = self.c.apply_spans(text)
            for edit in edits:
                if self.detail:
                    line.record(span_change(edit, line.no))
                last_span = edit.rule
            if self.repair and "&" in text:
                fixed = unescape_entities(text)
                if fixed != text:
                    if self.detail:
                        line.record(_diff_change("repair.entity", "repair", line.no, text, fixed))
                    text = fixed
            if text == before or not text or text.isspace():
                break
        line.text = text
        if not text or text.isspace():
            line.blank = True
            if not was_blank:
                line.drop = last_span  # a span rule emptied the line: the line goes with it
            return
        self._decide(line, text.strip(), quiet)

    def _decide(self, line: _Line, stripped: str, quiet: bool) -> None:
        """Decide a non-blank line whose text is settled (``stripped``, without whitespace)."""
        self._match(line, stripped, quiet)
        if line.drop is None:
            self.content_lines += 1  # distances for drop-repeat count the lines that stay
        if self.c.runs:
            self._track_runs(line, stripped)
        if self.heads_open and line.drop is None:
            self._check_heads(line, stripped)

    def _match(self, line: _Line, stripped: str, quiet: bool = False) -> None:
        """Decide the line rules, repeats and teasers for a non-blank line (first match wins).

        ``quiet``: the quiet filter found nothing the line-rule lookups could match.
        """
        size = len(stripped)
        if size <= self.c.max_line_chars:
            found: tuple[Rule, ...] = ()
            if quiet:
                pass  # the filter found nothing the lookups below could match
            elif line.no > self.c.head_lines:
                if size <= self.c.anywhere.max_chars:
                    found = self.c.anywhere.find(stripped)  # folded only if not remembered
            elif size <= self.c.anywhere.max_chars or size <= self.c.head.max_chars:
                folded = collapse(stripped)
                found = self.c.anywhere.find(stripped, folded) + self.c.head.find(stripped, folded)
            for rule in found:
                if size <= rule.max_chars and (
                    rule.where is not Where.FIRST_LINES or line.no <= (rule.lines or 0)
                ):
                    line.drop = rule
                    return
            for rule in self.c.feature_lines:
                if (
                    len(stripped) <= rule.max_chars
                    and (rule.where is not Where.FIRST_LINES or line.no <= (rule.lines or 0))
                    and rule.when is not None
                    and rule.when.matches(stripped)
                ):
                    if rule.where is Where.LAST_LINES:
                        line.last = [*(line.last or ()), rule]
                    else:
                        line.drop = rule
                        return
        if self.c.repeats and size >= self.c.repeat_min_chars:
            key = hash(stripped)  # 8 bytes a line, not the line: bounded memory on long documents
            now = self.content_lines
            window = self.c.repeat_window
            previous = None
            if window:
                order = self.recent_order
                while order and now - order[0][0] >= window:  # too old for any rule now
                    old_line, old_key = order.popleft()
                    if self.recent.get(old_key) == old_line:
                        del self.recent[old_key]
                previous = self.recent.get(key)
            ever = size >= self.c.repeat_ever_min and self.ever.add(key)
            if previous is not None or ever:
                for rule in self.c.repeats:
                    if size >= rule.min_chars and (
                        ever
                        if rule.within_lines is None
                        else previous is not None and now - previous < rule.within_lines
                    ):
                        line.drop = rule
                        return
            if window:
                self.recent[key] = now
                self.recent_order.append((now, key))
        if self.c.teaser is not None:
            self._check_teaser(line, stripped)

    def _check_heads(self, line: _Line, stripped: str) -> None:
        """Drop what came before the first line of content (drop-head), within its limits."""
        self.head_chars += len(stripped)
        for rule in list(self.heads_open):
            assert rule.boundary is not None
            if line.no > rule.block_max_lines or self.head_chars > rule.block_max_chars:
                self.heads_open.remove(rule)  # no content in sight: the head stays
            elif rule.boundary.matches(stripped):
                self.heads_open.remove(rule)
                for held in self.queue:
                    if held.drop is None and not held.emitted and not held.passthrough:
                        held.drop = rule

    def _track_runs(self, line: _Line, stripped: str) -> None:
        """Drop runs of at least ``min-run`` consecutive lines with a rule's features.

        Blank lines never break a run; a line another rule drops counts if it looks like a
        member and is passed over otherwise, so a footer with "Contact" and a cookie notice in it
        is one run; one short heading between two paragraphs is a run of one and survives.
        With ``between``, a run of at most ``between-max-lines`` lines that has prose (lines
        meeting ``between``) right before and right after it is kept too: a list inside an
        article, not a menu (jusText's context revision, in its simplest form).
        """
        for rule in self.c.runs:
            assert rule.when is not None
            run = self.runs[rule.id]
            member = (
                len(stripped) <= rule.max_chars
                and (rule.where is not Where.FIRST_LINES or line.no <= (rule.lines or 0))
                and rule.when.matches(stripped)
            )
            if not member:
                if line.drop is not None:
                    continue  # dropped by another rule and unlike a member: passed over
                is_prose = rule.between is not None and rule.between.matches(stripped)
                if (
                    run.confirmed
                    and is_prose
                    and run.after_prose
                    and run.count <= (rule.between_max_lines)
                ):
                    for held in run.lines:
                        if held.drop is rule and not held.emitted:
                            held.drop = None
                run.reset(after_prose=is_prose)
                continue
            run.count += 1
            if run.count <= max(rule.min_run, rule.between_max_lines):
                run.lines.append(line)
            if run.confirmed:
                if line.drop is None:
                    line.drop = rule
            elif run.count >= rule.min_run:
                run.confirmed = True
                for held in run.lines:
                    if held.drop is None and not held.emitted:
                        held.drop = rule

    def _check_teaser(self, line: _Line, norm: str) -> None:
        """Drop a paragraph that is exactly the next paragraphs joined (a repeated teaser).

        ``norm`` is the stripped line; the paragraphs must follow the teaser's text exactly,
        joined by whitespace (no per-line normalisation: this runs on every line).
        """
        assert self.c.teaser is not None
        if self.teaser is not None:
            rest = self.teaser_rest
            if rest.startswith(norm) and (len(rest) == len(norm) or rest[len(norm)].isspace()):
                self.teaser_rest = rest[len(norm) :].lstrip()
                self.teaser_parts += 1
                if not self.teaser_rest:
                    if self.teaser_parts >= 2 and self.teaser in self.queue:
                        self.teaser.drop = self.c.teaser
                    self.teaser = None
                return
            self.teaser = None
        if len(norm) >= self.c.teaser.min_chars:
            self.teaser, self.teaser_rest, self.teaser_parts = line, norm, 0

    def _push(self, line: _Line) -> list[str]:
        """Queue ``line`` and return the output of the lines that leave the window.

        Eager, not a generator: the line is queued when ``feed`` is called, whether or not
        the caller iterates over what comes back.
        """
        self.queue.append(line)
        self.queue_chars += len(line.text)
        out: list[str] = []
        while self.queue and (
            len(self.queue) > self.c.lookahead_lines or self.queue_chars > self.c.lookahead_chars
        ):
            old = self.queue.popleft()
            self.queue_chars -= len(old.text)
            self._emit(old, out)
        return out

    def finish(self) -> Iterator[str]:
        """Resolve the rules that needed the end of the document, then flush everything."""
        self._match_end_rules()
        for rule in self.c.runs:  # the end of a document is a boundary too
            run = self.runs[rule.id]
            if run.confirmed and run.after_prose and run.count <= rule.between_max_lines:
                for held in run.lines:
                    if held.drop is rule and not held.emitted:
                        held.drop = None
        lines = list(self.queue)
        count = len(lines)
        for index, line in enumerate(lines):
            if line.drop is None and line.last:
                distance = count - index
                line.drop = next((r for r in line.last if distance <= (r.lines or 0)), None)
        # Block sizes count every line, dropped or not: counting only the lines that stay would
        # let a tail trigger near the top swallow an article whose lines other rules (layout)
        # dropped in large numbers (seen on a bench page: a "Comments" share button).
        suffix = 0
        suffix_chars = [0] * count
        for index in range(count - 1, -1, -1):
            suffix += len(lines[index].text)
            suffix_chars[index] = suffix
        for rule in self.c.foots:
            assert rule.boundary is not None
            last = next(
                (
                    i
                    for i in range(count - 1, -1, -1)
                    if lines[i].drop is None
                    and not lines[i].blank
                    and rule.boundary.matches(lines[i].text.strip())
                ),
                None,
            )
            if (
                last is not None
                and count - last - 1 <= rule.block_max_lines
                and suffix_chars[last] - len(lines[last].text) <= rule.block_max_chars
            ):
                for line in lines[last + 1 :]:
                    if line.drop is None and not line.passthrough:
                        line.drop = rule
        cut: tuple[int, Rule] | None = None
        for index, line in enumerate(lines):
            for rule in line.tails or ():
                size = count - index
                if size <= rule.block_max_lines and suffix_chars[index] <= rule.block_max_chars:
                    if rule.where is Where.LAST_LINES and size > (rule.lines or 0):
                        continue
                    cut = (index, rule)
                    break
            if cut:
                break
        if cut is not None:
            for line in lines[cut[0] :]:
                if line.drop is None:
                    line.drop = cut[1]
        self.queue.clear()
        out: list[str] = []
        for line in lines:
            self._emit(line, out)
        yield from out
        if self.dropped_by is not None:
            for blank in self.pending:
                self._drop(blank, self.dropped_by)
        else:
            for blank in self.pending:
                yield blank.text + blank.eol
        self.pending = []

    def _match_end_rules(self) -> None:
        """Find tail triggers and last-lines rules, only on the lines still held back.

        These rules can only fire near the end, so they are never tried on the lines that
        already left the window: a long document pays for them on a few dozen lines. A line
        another rule already drops does not start a tail.
        """
        matcher = self.c.end
        if not matcher.rules:
            return
        held = [
            line
            for line in self.queue
            if line.drop is None and not line.blank and not line.passthrough
        ]
        if self.c.end_quiet is not None and len(held) > 1:
            # one scan of the held lines for the end rules' literals (a short document, as in
            # JSONL, is held whole: a find on each of its lines cost more than the rest)
            scans = self.c.end_quiet.scan([line.text for line in held], repair=False)
            held = [line for line, scan in zip(held, scans, strict=True) if scan]
        for line in held:
            stripped = line.text.strip()
            size = len(stripped)
            if size > matcher.max_chars:
                continue
            for rule in matcher.find(stripped, collapse(stripped)):
                if size > rule.max_chars or (
                    rule.where is Where.FIRST_LINES and line.no > (rule.lines or 0)
                ):
                    continue
                if rule.action is Action.DROP_TAIL:
                    line.tails = [*(line.tails or ()), rule]
                else:
                    line.last = [*(line.last or ()), rule]

    # -- output side -----------------------------------------------------------------------

    def _drop(self, line: _Line, rule: Rule) -> None:
        if not self.detail:  # nobody counts removals: no record to build (a pipe's hot path)
            self._flush_changes(line)  # notes only
            return
        line.record(Change(rule.id, rule.action.value, line.no, 0, len(line.text),
                           line.text + line.eol, ""))  # fmt: skip
        self._flush_changes(line)

    def _flush_changes(self, line: _Line) -> None:
        if line.changes and self.sink is not None:
            for change in line.changes:
                self.sink(change)
        line.changes = None

    def _emit(self, line: _Line, out: list[str]) -> None:
        """Settle a line that leaves the window: append its output (if any) to ``out``."""
        line.emitted = True
        if line.drop is not None:
            self._drop(line, line.drop)
            self.dropped_by = self.dropped_by or line.drop
            return
        if line.blank and not line.passthrough:
            if self.dropped_by is not None and (self.pending or not self.have_content):
                self._drop(line, self.dropped_by)  # the separator went with the dropped lines
            else:
                self._flush_changes(line)
                self.pending.append(line)
            return
        if self.pending:
            out.extend([blank.text + blank.eol for blank in self.pending])
            self.pending = []
        self.have_content = True
        self.dropped_by = None
        if line.changes:
            self._flush_changes(line)
        out.append(line.text + line.eol)


def select_rules(rule_set: RuleSet, config: CleanerConfig) -> list[Rule]:
    """Return the rules ``config`` turns on; unknown names in ``disable`` are an error."""
    known = {r.id for r in rule_set.rules} | {r.pack for r in rule_set.rules}
    problems = [
        f"--{option}: no rule or pack named '{name}'"
        for option, names in (("disable", config.disable), ("enable", config.enable))
        for name in sorted(names - known)
    ]
    if problems:
        raise RuleFileError(problems)
    chosen = []
    for rule in rule_set.rules:
        if rule.id in config.disable or rule.pack in config.disable:
            continue
        if not rule.default:
            if rule.id in config.enable or rule.pack in config.enable:
                rule = replace(rule, auto=None)  # turned on: for every document
            elif rule.auto is None:
                continue
        if config.keep_comments and "comments" in rule.tags:
            continue
        if config.languages is not None and not (
            "*" in rule.languages or config.languages & set(rule.languages)
        ):
            continue
        chosen.append(rule)
    return chosen


def _layerable(rule: Rule) -> bool:
    """True for a site rule that only adds whole-line matches anywhere (what learn writes)."""
    return rule.action is Action.DROP_LINE and rule.when is None and rule.where is Where.ANYWHERE


class _LayeredMatcher(LineMatcher):
    """The shared anywhere-matcher, then a small one for a site's own line rules."""

    def __init__(self, shared: LineMatcher, own: LineMatcher) -> None:  # no super: nothing new
        self.shared = shared
        self.own = own
        self.rules = shared.rules + own.rules
        self.max_chars = max(shared.max_chars, own.max_chars)

    def find(self, stripped: str, folded: str | None = None) -> tuple[Rule, ...]:
        if folded is None:
            folded = collapse(stripped)  # no memo of its own: fold once for both
        found = self.shared.find(stripped, folded) if len(stripped) <= self.shared.max_chars else ()
        if len(stripped) <= self.own.max_chars:
            found += self.own.find(stripped, folded)
        return found


def _layered(shared: CompiledRules, scoped: list[Rule]) -> CompiledRules:
    """Return ``shared`` with ``scoped`` line rules layered on, sharing everything compiled.

    Recompiling the whole set per site costs ~30-100 ms, paid per document when a corpus
    interleaves more sites than ``SITE_CACHE``; a layer costs a small matcher of the site's
    own phrases. A site rule matches after the shared rules (a removal the shared rules
    make is attributed to them).
    """
    layered = copy.copy(shared)
    own = LineMatcher(scoped, {rule.id: index for index, rule in enumerate(scoped)})
    layered.anywhere = _LayeredMatcher(shared.anywhere, own)
    layered.rules = shared.rules + tuple(scoped)
    layered.actions = {**shared.actions, **{rule.id: rule.action.value for rule in scoped}}
    layered.max_line_chars = max(shared.max_line_chars, own.max_chars)
    own_literals = own.literal_limits()
    layered.quiet = (
        None
        if shared.quiet is None or own_literals is None
        else QuietFilter(shared.quiet.literals + own_literals)
    )
    return layered


class Cleaner:
    """Cleans documents with a compiled rule set; build once, reuse for every document.

    >>> cleaner = Cleaner()
    >>> cleaner.clean("[ad_1]\\n\\nEin Satz mit Inhalt.\\n").text
    'Ein Satz mit Inhalt.\\n'
    """

    def __init__(
        self,
        config: CleanerConfig | None = None,
        *,
        rules: Iterable[Rule] | None = None,
    ) -> None:
        self.config = config or CleanerConfig()
        if rules is None:
            self.rule_set = load_rules(self.config.rules, defaults=self.config.defaults)
            rules = select_rules(self.rule_set, self.config)
        else:
            rules = list(rules)
            self.rule_set = RuleSet(tuple(rules))
        self._rules = tuple(rules)
        # Site rules stay out of the shared set: a document of another site, or of none,
        # never sees them. Each host names the indices of the rules scoped to it. Rules of
        # an opt-in pack with an ``auto`` test stay out too, until a document's first lines
        # turn the pack on.
        self.compiled = CompiledRules([r for r in rules if not r.sites and r.auto is None])
        self._by_site: dict[str, set[int]] = {}
        auto: dict[str, tuple[AutoSwitch, set[int]]] = {}
        for index, rule in enumerate(rules):
            for site in rule.sites:
                self._by_site.setdefault(site, set()).add(index)
            if rule.auto is not None:
                auto.setdefault(rule.pack, (rule.auto, set()))[1].add(index)
        self._auto = tuple((switch, frozenset(indices)) for switch, indices in auto.values())
        self._head_lines = max((switch.lines for switch, _ in self._auto), default=0)
        self._scoped: OrderedDict[tuple[int, ...], CompiledRules] = OrderedDict()

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The rules this cleaner applies, in order (site rules only to their sites)."""
        return self._rules

    def compiled_for(self, site: str | None, head: list[str] | None = None) -> CompiledRules:
        """Return the compiled rules for a document of ``site`` (a host as ``site_of`` gives).

        A rule scoped to ``example.org`` applies to ``example.org`` and its subdomains
        (``blog.example.org``). ``head``, the document's first lines, decides which opt-in
        packs with an ``auto`` test are on. Sets are compiled on first use and cached
        (``SITE_CACHE``).
        """
        chosen: set[int] = set()
        if head is not None:
            for switch, indices in self._auto:
                if switch.holds(head):
                    chosen.update(indices)
        host = site if self._by_site else None
        while host is not None:
            chosen.update(self._by_site.get(host, ()))
            dot = host.find(".")
            host = None if dot < 0 else host[dot + 1 :]
        if not chosen:
            return self.compiled
        key = tuple(sorted(chosen))
        compiled = self._scoped.get(key)
        if compiled is not None:
            self._scoped.move_to_end(key)
            return compiled
        scoped = [self._rules[index] for index in key]
        if all(_layerable(rule) for rule in scoped):
            compiled = _layered(self.compiled, scoped)
        elif all(rule.action in STRUCTURAL for rule in scoped) and not (
            self.compiled.runs or self.compiled.heads or self.compiled.foots
        ):
            compiled = with_structure(self.compiled, scoped)
        else:
            compiled = CompiledRules(
                [
                    rule
                    for index, rule in enumerate(self._rules)
                    if (not rule.sites and rule.auto is None) or index in chosen
                ]
            )
        if len(self._scoped) >= SITE_CACHE:
            self._scoped.popitem(last=False)
        self._scoped[key] = compiled
        return compiled

    def clean(self, text: str, site: str | None = None, *, detail: bool = True) -> CleanResult:
        """Return the cleaned text of one document and every change made to it.

        Without ``detail`` (for pipelines that count nothing) ``changes`` holds only the
        notes, such as a long line passed through, and ``removed_share`` is not measured
        (0.0); the safety valve needs the measure, so with it on ``detail`` is always on.

        >>> r = Cleaner().clean("Absatz mit Inhalt.\\n\\nLeave a Reply\\n")
        >>> r.text, [c.rule_id for c in r.changes]
        ('Absatz mit Inhalt.\\n', ['comments.form-tail', 'comments.form-tail'])
        """
        changes: list[Change] = []
        detail = detail or self.config.max_removed_share is not None
        out = "".join(self.clean_lines(split_lines(text), changes.append, site, detail=detail))
        if not detail:
            return CleanResult(out, tuple(changes), 0.0)
        share = removed_chars(changes) / len(text) if text else 0.0
        limit = self.config.max_removed_share
        if limit is None or share <= limit:
            return CleanResult(out, tuple(changes), share)
        note = Change(VALVE_ID, "valve", 0, removed_chars(changes), len(text), "", "")
        if self.config.on_excess == "flag":
            return CleanResult(out, (*changes, note), share, "flagged")
        return CleanResult(text, (note,), share, "kept")

    def clean_lines(
        self,
        lines: Iterable[str],
        sink: Sink | None = None,
        site: str | None = None,
        *,
        detail: bool = True,
    ) -> Iterator[str]:
        """Yield the cleaned lines of one document given as lines (with their line endings).

        ``sink`` receives every ``Change`` as soon as the line it concerns is settled;
        ``site`` chooses the site rules that apply (none without it); ``detail`` as in
        ``clean_stream``.
        """
        blocks, head = self._head(_raw_blocks(iter(lines)))
        doc = _Document(self.compiled_for(site, head), self.config.repair, sink, detail)
        for block in blocks:
            yield from doc.feed_block(block)
        yield from doc.finish()

    def clean_stream(
        self,
        stream: BinaryIO,
        sink: Sink | None = None,
        site: str | None = None,
        tap: Callable[[RawLine], None] | None = None,
        *,
        detail: bool = True,
    ) -> Iterator[str]:
        """Yield the cleaned text of one document read from a binary stream, in bounded memory.

        The text comes in pieces of whole lines (those of a block that left the look-ahead
        window), as soon as they are settled.

        Bytes that are not UTF-8 are read as Windows-1252 (recorded as ``repair.decode``);
        lines longer than ``encoding.MAX_LINE_BYTES`` pass through unchanged in pieces. With
        the safety valve on, the document's input and output are spooled (in memory up to
        8 MiB each, then to a temporary file) until its end decides which one to yield.
        ``tap`` sees each input line as it is read (the audit counts and samples them).
        Without ``detail`` the sink receives only the notes (a long line passed through,
        the valve), not a record of every removal and repair, which then are not built.
        """
        blocks = read_blocks(stream)
        if tap is not None:
            blocks = _tapped(blocks, tap)
        if self.config.max_removed_share is not None:
            yield from self._clean_stream_valved(blocks, sink, site)
            return
        blocks, head = self._head(blocks)
        doc = _Document(self.compiled_for(site, head), self.config.repair, sink, detail)
        for block in blocks:
            out = doc.feed_block(block)
            if out:
                yield "".join(out)  # a piece a block: a write each, not one each line
        rest = "".join(doc.finish())
        if rest:
            yield rest

    def _head(
        self, blocks: Iterator[list[RawLine]]
    ) -> tuple[Iterator[list[RawLine]], list[str] | None]:
        """Read ahead the first lines the ``auto`` tests look at; return all blocks and those.

        Only as many blocks are held as the tests need (non-blank lines; at most
        ``HEAD_CHARS`` characters), and none when no pack has a test.
        """
        if not self._auto:
            return blocks, None
        held: list[list[RawLine]] = []
        head: list[str] = []
        size = non_blank = 0
        for block in blocks:
            held.append(block)
            for raw in block:
                line = raw.text
                head.append(line)
                size += len(line)
                non_blank += not line.isspace() and bool(line)
                if non_blank >= self._head_lines or size > HEAD_CHARS:
                    return itertools.chain(held, blocks), head
        return iter(held), head

    def _clean_stream_valved(
        self, blocks: Iterator[list[RawLine]], sink: Sink | None, site: str | None
    ) -> Iterator[str]:
        changes: list[Change] = []
        blocks, head = self._head(blocks)
        doc = _Document(self.compiled_for(site, head), self.config.repair, changes.append)
        size = 0
        spool = 8 << 20
        with (
            tempfile.SpooledTemporaryFile(spool, "w+", encoding="utf-8", newline="") as source,
            tempfile.SpooledTemporaryFile(spool, "w+", encoding="utf-8", newline="") as output,
        ):
            for block in blocks:
                for raw in block:
                    size += len(raw.text) + len(raw.eol)
                    source.write(raw.text + raw.eol)
                output.writelines(doc.feed_block(block))
            output.writelines(doc.finish())
            removed = removed_chars(changes)
            share = removed / size if size else 0.0
            exceeded = share > (self.config.max_removed_share or 0.0)
            keep_source = exceeded and self.config.on_excess != "flag"
            if sink is not None:
                for change in () if keep_source else changes:
                    sink(change)
                if exceeded:
                    sink(Change(VALVE_ID, "valve", 0, removed, size, "", ""))
            chosen = source if keep_source else output
            chosen.seek(0)
            while piece := chosen.read(1 << 16):
                yield piece


def _tapped(
    blocks: Iterator[list[RawLine]], tap: Callable[[RawLine], None]
) -> Iterator[list[RawLine]]:
    for block in blocks:
        for raw in block:
            tap(raw)
        yield block


BLOCK_LINES = 512
"""Lines of a text given as a list (``clean``, ``clean_lines``) fed to the engine at once."""


def _raw_blocks(lines: Iterator[str]) -> Iterator[list[RawLine]]:
    """Yield lines with their endings as blocks of ``RawLine`` (at most ``BLOCK_LINES``)."""
    while chunk := list(itertools.islice(lines, BLOCK_LINES)):
        block = []
        for line in chunk:
            if line.endswith("\r\n"):
                block.append(RawLine(line[:-2], 0, "\r\n"))
            elif line.endswith(("\n", "\r")):
                block.append(RawLine(line[:-1], 0, line[-1]))
            else:
                block.append(RawLine(line, 0, ""))
        yield block


_TEXT_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r)")
_OTHER_BREAKS_RE = re.compile("[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def split_lines(text: str) -> list[str]:
    """Return the lines of ``text`` with their endings: LF, CRLF or a lone CR.

    Like the byte reader, and unlike ``str.splitlines``: U+2028, form feeds and the other
    Unicode breaks are characters inside a line, so ``clean`` and ``clean_stream`` see the
    same lines. Text without those characters (nearly all) is split by ``str.splitlines``,
    60 times faster than the regular expression the rest needs.

    >>> split_lines("a\\r\\nb\\u2028c\\rd\\n"), split_lines("a\\n\\nb")
    (['a\\r\\n', 'b\\u2028c\\r', 'd\\n'], ['a\\n', '\\n', 'b'])
    """
    if _OTHER_BREAKS_RE.search(text) is None:
        return text.splitlines(keepends=True)
    lines = _TEXT_LINE_RE.findall(text)
    tail = text[sum(map(len, lines)) :]
    if tail:
        lines.append(tail)
    return lines


def clean_text(text: str, config: CleanerConfig | None = None) -> CleanResult:
    """Return ``text`` cleaned with the shipped rules (or ``config``); compiles rules each call.

    For many documents build one ``Cleaner`` and call ``clean`` on it instead.
    """
    return Cleaner(config).clean(text)
