"""What a run shows of its work besides the cleaned text: removal records, stats, samples.

An ``Audit`` receives every change of every document (through the pipeline's sink), writes
``--removals`` records, sums ``--stats`` and keeps the ``--report``'s samples; it never
changes what is cleaned or written as output. Workers of ``-j`` keep an ``Audit`` each and
hand back its ``AuditPart``; merged in order they give the figures of ``-j 1`` exactly.
Rendering is elsewhere: ``stats.py`` (JSON), ``report.py`` (HTML), ``explain.py`` (marks).
"""

from __future__ import annotations

import contextlib
import json
import zlib
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from cleaner.changes import NOTE_ACTIONS, annotation, change_kind, removal_record
from cleaner.encoding import RawLine
from cleaner.errors import StopRunError
from cleaner.inputs import WriteError, atomic_output
from cleaner.model import Change
from cleaner.stats import DocumentStats, RunStats

SAMPLE_CHARS = 600
"""A sample's removed text and each of its context lines are cut to this many characters."""
SCAN = 3
"""Context is the ``context`` nearest non-blank lines, looked for within ``SCAN`` times as
many lines on each side (a page's text has a blank line between most paragraphs)."""
RING_MARGIN = 16
"""A streamed document's last input lines are kept (cut to ``SAMPLE_CHARS``) for the samples'
context: the engine's window (``lookahead_lines``: 60 lines, 500 with ``layout``), the
context on both sides and this margin, so the lines before a change are still there when
the engine settles it."""


@dataclass(frozen=True, slots=True)
class AuditOptions:
    """What a run records about its changes (all off: nothing is recorded, nothing costs)."""

    stats: bool = False
    removals: bool = False
    annotate: bool = False
    samples: int = 0
    """Removals kept per rule for ``--report`` (0: no samples)."""
    context: int = 2
    """Non-blank input lines shown before and after each sample."""
    share_limit: float | None = None
    on_excess: str = "keep"

    @property
    def active(self) -> bool:
        return self.stats or self.removals or self.annotate or self.samples > 0


def dumps_line(record: dict[str, Any]) -> bytes:
    """Return one JSONL line; characters as they are, unless the text has lone surrogates
    (from bytes that were not UTF-8), which are then written as ``\\ud8xx`` escapes."""
    text = json.dumps(record, ensure_ascii=False)
    try:
        return text.encode("utf-8") + b"\n"
    except UnicodeEncodeError:
        return json.dumps(record).encode("ascii") + b"\n"


def _cut(text: str) -> str:
    return text if len(text) <= SAMPLE_CHARS else text[:SAMPLE_CHARS] + "…"


Key = tuple[int, str, int, int, str]


@dataclass(slots=True)
class Sample:
    """One removal kept for review: where, what, and the input lines around it."""

    key: Key
    rule_id: str
    action: str
    kind: str
    document: str
    line: int
    text: str
    replacement: str
    before: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)


class Samples:
    """At most ``size`` samples per rule: those with the smallest hash of (document, line,
    offset), so the choice is spread over the whole run, the same whatever the order or the
    number of workers, and two parts merge into the samples of the whole."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.by_rule: dict[str, list[Sample]] = {}
        self.bound: dict[str, Key] = {}  # a key not below this is not kept

    @staticmethod
    def key(document: str, change: Change) -> Key:
        where = f"{document}\0{change.line}\0{change.start}\0{change.text}"
        digest = zlib.crc32(where.encode("utf-8", "surrogatepass"))
        return (digest, document, change.line, change.start, change.text)

    def wants(self, rule_id: str, key: Key) -> bool:
        """True if a change with this key would be among the samples kept (so far)."""
        bound = self.bound.get(rule_id)
        return self.size > 0 and (bound is None or key < bound)

    def add(self, sample: Sample) -> None:
        kept = self.by_rule.setdefault(sample.rule_id, [])
        kept.append(sample)
        if len(kept) >= 2 * self.size:
            self._prune(sample.rule_id)

    def _prune(self, rule_id: str) -> None:
        kept = self.by_rule[rule_id]
        kept.sort(key=lambda s: s.key)
        del kept[self.size :]
        if len(kept) == self.size:
            self.bound[rule_id] = kept[-1].key

    def merge(self, other: Samples) -> None:
        for samples in other.by_rule.values():
            for sample in samples:
                self.add(sample)

    def sorted(self) -> dict[str, list[Sample]]:
        """Return each rule's samples (rules by id), ordered by document name, line, offset."""
        for rule_id in self.by_rule:
            self._prune(rule_id)
        return {
            rule_id: sorted(kept, key=lambda s: (s.document, s.line, s.key[3]))
            for rule_id, kept in sorted(self.by_rule.items())
        }


@dataclass(slots=True)
class AuditPart:
    """What a worker's audit hands back: its stats and samples (removals come as bytes)."""

    stats: RunStats
    samples: Samples


class Audit:
    """The audit of a run (or of a worker's share of it); one ``document`` at a time."""

    def __init__(
        self,
        options: AuditOptions,
        packs: dict[str, str],
        removals: IO[bytes] | None = None,
        removals_name: str = "",
        window: int = 60,
    ) -> None:
        self.options = options
        self.ring_lines = window + 2 * SCAN * options.context + RING_MARGIN
        self.packs = packs
        self.removals = removals if options.removals else None
        self.removals_name = removals_name
        self.stats = RunStats(options.share_limit, options.on_excess)
        self.samples = Samples(options.samples)

    def document(self, name: str, source: str, text: str | None = None) -> DocumentAudit:
        """Start auditing a document; ``text`` is its input if held whole (else ``tap`` lines)."""
        return DocumentAudit(self, name, source, text)

    def write(self, record: dict[str, Any]) -> None:
        if self.removals is not None:
            self.write_bytes(dumps_line(record))

    def write_bytes(self, data: bytes) -> None:
        """Write removal records already made (a worker's, in order)."""
        if self.removals is None:
            return
        try:
            self.removals.write(data)
        except OSError as exc:
            raise StopRunError(
                f"{self.removals_name}: cannot write: {exc.strerror or exc}; stopped"
            ) from None

    def part(self) -> AuditPart:
        return AuditPart(self.stats, self.samples)

    def merge(self, part: AuditPart) -> None:
        self.stats.merge(part.stats)
        self.samples.merge(part.samples)


class DocumentAudit:
    """One document's changes as they come: records written, counts kept, samples taken.

    For a streamed text file, ``tap`` sees each input line as the engine reads it; the last
    of them (``RING_MARGIN``, cut to ``SAMPLE_CHARS``) give the samples their context, so
    memory stays bounded. A sample waits for the lines after it until they are read.
    """

    def __init__(self, audit: Audit, name: str, source: str, text: str | None) -> None:
        self.audit = audit
        self.name = name
        self.source = source
        self.stats = DocumentStats(audit.packs)
        self.annotations: list[dict[str, Any]] = []
        self.lines: list[str] | None = None
        self.ring: deque[tuple[int, str]] = deque(maxlen=audit.ring_lines)
        self.pending: list[Sample] = []
        self.no = 0
        self.in_long_line = False
        if text is not None:
            self.stats.input(text)
            if audit.options.samples:
                from cleaner.engine import split_lines

                self.lines = split_lines(text)

    def tap(self, raw: RawLine) -> None:
        """Count one input line of a stream (a piece of a long one keeps its number)."""
        self.stats.input(raw.text)
        self.stats.input(raw.eol)
        if not self.in_long_line:
            self.no += 1
        self.in_long_line = raw.oversized and not raw.eol
        if not self.audit.options.samples:
            return
        if self.ring and self.ring[-1][0] == self.no:
            return  # a later piece of a long line: its start is context enough
        self.ring.append((self.no, _cut(raw.text)))
        if self.pending:
            self._settle(final=False)

    def output(self, text: str) -> None:
        self.stats.output(text)

    def change(self, change: Change) -> None:
        self.stats.change(change)
        options = self.audit.options
        if options.removals:
            self.audit.write(removal_record(change, self.name, self.source, self.audit.packs))
        if options.annotate:
            self.annotations.append(annotation(change, self.audit.packs))
        if options.samples and change.action not in NOTE_ACTIONS and change.text.strip():
            # (a blank line that went with what it separated says nothing to a reviewer)
            key = Samples.key(self.name, change)
            if self.audit.samples.wants(change.rule_id, key):
                sample = Sample(
                    key, change.rule_id, change.action, change_kind(change), self.name,
                    change.line, _cut(change.text), _cut(change.replacement),
                )  # fmt: skip
                reach = SCAN * options.context
                sample.before = self._context(change.line - reach, change.line - 1, tail=True)
                self.pending.append(sample)
                self._settle(final=False)

    def _context(self, first: int, last: int, *, tail: bool) -> list[str]:
        """The non-blank input lines from ``first`` to ``last``: the last (or the first, for
        the lines after) ``context`` of them."""
        if last < first:
            return []
        if self.lines is not None:
            found = [line.rstrip("\r\n") for line in self.lines[max(first, 1) - 1 : last]]
        else:
            found = [text for no, text in self.ring if first <= no <= last]
        found = [_cut(line) for line in found if line.strip()]
        size = self.audit.options.context
        return found[-size:] if tail else found[:size]

    def _settle(self, *, final: bool) -> None:
        reach = SCAN * self.audit.options.context
        waiting = []
        for sample in self.pending:
            last = sample.line + reach
            if final or self.lines is not None or (self.ring and self.ring[-1][0] >= last):
                sample.after = self._context(sample.line + 1, last, tail=False)
                self.audit.samples.add(sample)
            else:
                waiting.append(sample)
        self.pending = waiting

    def finish(self) -> float:
        """End the document: add its counts to the run; return the share rules removed."""
        self._settle(final=True)
        return self.stats.finish(self.audit.stats)


class AuditFiles:
    """The files of ``--removals``, ``--stats`` and ``--report``, written atomically.

    ``open`` creates their temporary files before the run, so a path that cannot be written
    stops it before anything is cleaned (``WriteError`` naming the path); ``commit`` writes
    the stats and the report and renames all three into place; ``discard`` (interrupted)
    leaves the old files as they were.
    """

    def __init__(self, removals: Path | None, stats: str | None, report: Path | None) -> None:
        self.removals_path = removals
        self.stats_path = stats
        self.report_path = report
        self.stack = contextlib.ExitStack()
        self.removals: IO[bytes] | None = None
        self.stats: IO[bytes] | None = None
        self.report: IO[bytes] | None = None

    def open(self) -> None:
        """Open each file; raise ``AuditFileError`` for the first that cannot be written."""
        if self.removals_path is not None:
            self.removals = self._open(self.removals_path)
        if self.stats_path is not None and self.stats_path != "-":
            self.stats = self._open(Path(self.stats_path))
        if self.report_path is not None:
            self.report = self._open(self.report_path)

    def _open(self, path: Path) -> IO[bytes]:
        try:
            return self.stack.enter_context(atomic_output(path))
        except WriteError as exc:
            self.discard()
            raise AuditFileError(f"{path}: cannot write: {exc}") from None

    def commit(self, audit: Audit, run: dict[str, Any], stderr: IO[str]) -> None:
        """Write the stats and the report of ``audit`` and put every file in place."""
        try:
            if self.stats_path == "-":
                stderr.write(audit.stats.dumps())
            elif self.stats is not None:
                self.stats.write(audit.stats.dumps().encode("utf-8"))
            if self.report is not None:
                from cleaner.report import render_report

                html = render_report(audit.stats, audit.samples.sorted(), run)
                self.report.write(html.encode("utf-8"))
        except OSError as exc:
            self.discard()
            raise AuditFileError(
                f"{self._name(exc)}: cannot write: {exc.strerror or exc}"
            ) from None
        try:
            self.stack.close()
        except WriteError as exc:
            raise AuditFileError(f"cannot write: {exc}") from None

    def _name(self, exc: OSError) -> str:
        return str(exc.filename or self.report_path or self.stats_path or self.removals_path)

    def discard(self) -> None:
        """Remove the temporary files: the files named stay as they were."""
        with contextlib.suppress(BaseException):
            self.stack.__exit__(KeyboardInterrupt, KeyboardInterrupt(), None)


class AuditFileError(Exception):
    """A ``--removals``, ``--stats`` or ``--report`` file cannot be written; the message says
    which and why."""
