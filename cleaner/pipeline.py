"""One input through the cleaner: open, decompress, detect its format, clean, write.

This is the unit of work of a run, the same in the CLI's own process and in ``-j`` workers:
``clean_input`` reads one input and writes its cleaned form to one binary output, reporting
through a ``say`` callback (messages for stderr) and a ``Tally`` (counts for the summary). It
raises ``InputError`` when this input cannot be cleaned (the run goes on with the next) and
``StopRunError`` when the run must stop (a malformed JSONL record with ``--on-error stop``).
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, BinaryIO

from cleaner.audit import Audit, AuditOptions, AuditPart, DocumentAudit, dumps_line
from cleaner.charsets import TranscodingReader, legacy_encoding
from cleaner.documents import Document
from cleaner.encoding import MAX_LINE_BYTES, SNIFF_BYTES, sniff_binary
from cleaner.engine import LONG_LINE_ID, VALVE_ID, Cleaner
from cleaner.errors import InputError, StopRunError
from cleaner.formats import (
    JsonlFields,
    Record,
    WarcTally,
    detect_format,
    read_html,
    read_jsonl,
    read_warc,
    set_field,
    splice_text,
)
from cleaner.inputs import (
    TRUNCATED_ERRORS,
    Input,
    WriteError,
    compression_of,
    decompress,
    peekable,
    sniff_compression,
)
from cleaner.model import Action, Change, Where
from cleaner.progress import CountingReader, RunProgress

Say = Callable[[str], None]
ON_ERROR = ("stop", "skip", "keep")


@dataclass(frozen=True, slots=True)
class Options:
    """How a run reads and writes its inputs (everything but the rules); picklable for workers."""

    format: str | None = None  # None: detect from the name, then the first bytes
    to: str | None = None  # None: jsonl for JSONL and WARC input, text for text and HTML
    fields: JsonlFields = field(default_factory=JsonlFields)
    on_error: str = "stop"
    keep_comments: bool = False
    extract: str = "balanced"  # trafilatura's trade-off for HTML: formats.EXTRACT_MODES
    binary: bool = False
    encoding: str | None = None  # None: UTF-8, or a legacy encoding detected per text file
    explain: bool = False
    quiet: bool = False
    audit: AuditOptions = field(default_factory=AuditOptions)


@dataclass(slots=True)
class Tally:
    """What a run did, summed over inputs (and over workers)."""

    inputs: int = 0
    documents: int = 0
    bad_skipped: int = 0
    bad_kept: int = 0
    warc_skipped: int = 0
    empty_pages: int = 0

    def add(self, other: Tally) -> None:
        for name in self.__slots__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def output_format(in_format: str, options: Options) -> str:
    """Return the format written for an input of ``in_format``."""
    if options.to:
        return options.to
    return "jsonl" if in_format in ("jsonl", "warc") else "text"


@dataclass(slots=True)
class Opened:
    """An input opened for reading: the decompressed stream, its format and the raw file."""

    stream: io.BufferedReader
    format: str
    raw: BinaryIO
    source: str
    transcoder: TranscodingReader | None = None

    def close(self) -> None:
        if self.raw is not sys.stdin.buffer:
            self.stream.close()
            self.raw.close()


def open_input(inp: Input, options: Options, progress: RunProgress | None = None) -> Opened:
    """Open ``inp``, undo its compression and find its format; count its bytes on ``progress``.

    Raises ``InputError`` for a folder, a missing or unreadable file, and a binary file.
    """
    source = "<stdin>" if inp.is_stdin else inp.name
    raw: BinaryIO
    try:
        raw = sys.stdin.buffer if inp.path is None else inp.path.open("rb")
        if progress is not None and progress.shown:
            raw = CountingReader(raw, progress)  # type: ignore[assignment]
    except IsADirectoryError:
        raise InputError(f"{inp.name}: is a folder; name its files ({inp.name}/*.txt)") from None
    except OSError as exc:
        raise InputError(f"{inp.name}: {exc.strerror or exc}") from None
    try:
        outer = peekable(raw)
        kind = compression_of(inp.name) if not inp.is_stdin else None
        kind = kind or sniff_compression(outer.peek(8)[:8])
        stream = peekable(decompress(outer, kind)) if kind else outer
        head = stream.peek(SNIFF_BYTES)[:SNIFF_BYTES]
    except TRUNCATED_ERRORS as exc:
        if raw is not sys.stdin.buffer:
            raw.close()
        raise InputError(f"{source}: cannot decompress: {exc}") from None
    except OSError as exc:  # EIO on a failing disk, a vanished mount
        if raw is not sys.stdin.buffer:
            raw.close()
        raise InputError(f"{source}: cannot read: {exc.strerror or exc}") from None
    name = None if inp.is_stdin else inp.name
    fmt = options.format or detect_format(name, head)
    transcoder = None
    if fmt == "text":
        encoding = options.encoding or legacy_encoding(head)
        if encoding is not None and encoding != "utf-8":
            transcoder = TranscodingReader(stream, encoding)
            stream = peekable(transcoder)  # type: ignore[arg-type]
            head = stream.peek(SNIFF_BYTES)[:SNIFF_BYTES]
    if fmt == "text" and not options.binary and transcoder is None:
        looks = sniff_binary(head)
        if looks is not None:
            hint = (
                "convert it to UTF-8 first, e.g. with iconv"
                if looks.startswith("UTF-")
                else "--binary cleans it anyway"
            )
            if raw is not sys.stdin.buffer:
                raw.close()
            raise InputError(f"{source}: looks like {looks}; not cleaned ({hint})")
    return Opened(stream, fmt, raw, source, transcoder)


def clean_input(
    cleaner: Cleaner,
    opened: Opened,
    out: IO[bytes],
    options: Options,
    say: Say,
    on_document: Callable[[], None] | None = None,
    audit: Audit | None = None,
) -> Tally:
    """Clean one opened input into ``out``; return what it did.

    A compressed input cut short is cleaned as far as it goes, then ``InputError`` says so:
    what came before is written, nothing is dropped silently. ``audit`` records every
    change (``--removals``, ``--stats``, ``--report``); it never changes what is written.
    """
    tally = Tally(inputs=1)
    writer = _Writer(out)
    to = output_format(opened.format, options)
    try:
        if opened.format == "text":
            if opened.transcoder is not None and options.explain:
                say(f"{opened.source}: read as {opened.transcoder.encoding}")
            _clean_text_stream(cleaner, opened, writer, to, options, say, audit)
            tally.documents += 1
            if opened.transcoder is not None and opened.transcoder.replaced:
                say(
                    f"cleaner: warning: {opened.source}: {opened.transcoder.replaced} bytes "
                    f"not valid in {opened.transcoder.encoding} became U+FFFD"
                )
            if on_document is not None:
                on_document()
        elif opened.format == "jsonl":
            records = read_jsonl(opened.stream, opened.source, options.fields)
            clean_jsonl(
                cleaner,
                records,
                opened.source,
                writer,
                to,
                options,
                say,
                tally,
                on_document,
                audit,
            )
        else:
            warc = WarcTally()
            docs: Iterator[Document]
            if opened.format == "html":
                docs = iter(
                    (
                        read_html(
                            opened.stream, opened.source, options.keep_comments, options.extract
                        ),
                    )
                )
            else:
                docs = read_warc(
                    opened.stream, opened.source, options.keep_comments, warc, options.extract
                )
            for doc in docs:
                tally.documents += 1
                if on_document is not None:
                    on_document()
                if not doc.text:
                    tally.empty_pages += 1
                _write_document(cleaner, doc, opened.source, writer, to, options, say, None, audit)
            tally.warc_skipped += warc.skipped
        writer.flush()
    except TRUNCATED_ERRORS as exc:
        writer.flush()
        raise InputError(
            f"{opened.source}: compressed data cut short or corrupt ({exc}); "
            "what came before it was cleaned and written"
        ) from None
    except ValueError as exc:  # an HTML page too large, a WARC that is not one
        writer.flush()
        raise InputError(f"{opened.source}: {exc}") from None
    return tally


class _Writer:
    """Batches UTF-8 output into large writes; output-side OSErrors become ``WriteError``."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> None:
        self.parts.append(data)
        self.size += len(data)
        if self.size >= 1 << 16:
            self._drain()

    def _drain(self) -> None:
        try:
            self.out.write(b"".join(self.parts))
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise WriteError(exc) from exc
        self.parts, self.size = [], 0

    def flush(self) -> None:
        """Write what is batched and flush: per document, so a reader sees it at once."""
        self._drain()
        try:
            self.out.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise WriteError(exc) from exc


def _sink(
    cleaner: Cleaner, source: str, options: Options, say: Say, audit: DocumentAudit | None
) -> Callable[[Change], None]:
    valve = cleaner.config.max_removed_share
    loud = not options.quiet or options.explain

    def sink(change: Change) -> None:
        if audit is not None:
            audit.change(change)
        if change.rule_id == LONG_LINE_ID:
            if loud:
                say(
                    f"cleaner: warning: {source}:{change.line}: a line longer than "
                    f"{MAX_LINE_BYTES >> 20} MiB passed through unchanged (no rules, no repair)"
                )
        elif change.rule_id == VALVE_ID:
            if loud:
                what = "flagged" if cleaner.config.on_excess == "flag" else "kept unchanged"
                share = change.start / change.end if change.end else 0.0
                say(
                    f"cleaner: {source}: rules would remove {share:.0%} of it "
                    f"(more than --max-removed-share {valve:g}): {what}"
                )
        elif options.explain:
            say(explain_line(source, change))

    return sink


def explain_line(source: str, change: Change) -> str:
    """One ``--explain`` line: where, which rule, what it removed (and what it put instead)."""
    what = repr(change.text)
    if change.replacement:
        what += f" -> {change.replacement!r}"
    return f"{source}:{change.line}: {change.rule_id} ({change.action}): {what}"


def _clean_text_stream(
    cleaner: Cleaner,
    opened: Opened,
    writer: _Writer,
    to: str,
    options: Options,
    say: Say,
    audit: Audit | None,
) -> None:
    if to == "text" and options.audit.annotate:
        raise InputError(f"{opened.source}: --annotate needs JSONL output (add --to jsonl)")
    doc = audit.document(opened.source, opened.source) if audit is not None else None
    sink = _sink(cleaner, opened.source, options, say, doc)
    lines = cleaner.clean_stream(
        opened.stream,
        sink,
        tap=doc.tap if doc is not None else None,
        detail=doc is not None or options.explain,
    )
    if to == "text":
        for line in lines:
            if doc is not None:
                doc.output(line)
            writer.write(line.encode("utf-8", "surrogatepass"))
    else:
        # one JSON record, its text streamed as JSON string pieces: memory stays bounded
        writer.write(
            b'{"id": ' + json.dumps(opened.source, ensure_ascii=False).encode() + b', "text": "'
        )
        for line in lines:
            if doc is not None:
                doc.output(line)
            piece = json.dumps(line, ensure_ascii=False)[1:-1]
            writer.write(piece.encode("utf-8", "surrogatepass"))
        writer.write(b'"')
        if doc is not None and options.audit.annotate:  # held: one document's changes
            writer.write(b', "cleaner": ' + dumps_line(doc.annotations)[:-1])  # type: ignore[arg-type]
        writer.write(b"}\n")
    if doc is not None:
        doc.finish()


def _write_document(
    cleaner: Cleaner,
    doc: Document,
    source: str,
    writer: _Writer,
    to: str,
    options: Options,
    say: Say,
    raw: bytes | None,
    audit: Audit | None = None,
) -> None:
    """Clean one document and write it: spliced into its JSONL line, as a record, or as text."""
    annotate = options.audit.annotate
    if to == "text" and annotate:
        raise InputError(f"{doc.id}: --annotate needs JSONL output (add --to jsonl)")
    result = cleaner.clean(doc.text, site=doc.site, detail=audit is not None or options.explain)
    audited = audit.document(doc.id, source, doc.text) if audit is not None else None
    sink = _sink(cleaner, doc.id, options, say, audited)
    for change in result.changes:
        sink(change)
    if audited is not None:
        audited.output(result.text)
        audited.finish()
    if annotate and audited is not None:
        notes = dumps_line(audited.annotations)[:-1]  # type: ignore[arg-type]
        if raw is not None:
            data = (
                raw
                if result.text == doc.text
                else splice_text(raw, options.fields.text, result.text)
            )
            writer.write(set_field(data, "cleaner", notes))
        else:
            record = {**doc.record, "text": result.text}
            if "id" not in record or record["id"] is None:
                record["id"] = doc.id
            record["cleaner"] = audited.annotations
            writer.write(dumps_line(record))
        return
    if to == "text":
        if result.text:
            writer.write(result.text.encode("utf-8", "surrogatepass"))
            if not result.text.endswith("\n"):
                writer.write(b"\n")
        writer.write(b"\n")  # a blank line between documents
    elif raw is not None:
        if result.text == doc.text:
            writer.write(raw)  # unchanged: the very bytes that came in
        else:
            writer.write(splice_text(raw, options.fields.text, result.text))
    else:
        record = {**doc.record, "text": result.text}
        if "id" not in record or record["id"] is None:
            record["id"] = doc.id
        writer.write(json.dumps(record, ensure_ascii=False).encode("utf-8", "surrogatepass"))
        writer.write(b"\n")


def clean_jsonl(
    cleaner: Cleaner,
    records: Iterator[Record],
    source: str,
    writer: _Writer,
    to: str,
    options: Options,
    say: Say,
    tally: Tally,
    on_document: Callable[[], None] | None = None,
    audit: Audit | None = None,
) -> None:
    """Clean JSONL records in order; a malformed one is handled as ``options.on_error`` says."""
    for record in records:
        if record.doc is None:
            if record.error is None:  # a blank line: passed through
                if to == "jsonl":
                    writer.write(record.raw if record.raw.endswith(b"\n") else record.raw + b"\n")
                continue
            where = f"{source}:{record.line_no}"
            if options.on_error == "stop":
                writer.flush()
                raise StopRunError(
                    f"{where}: {record.error}; stopped here (--on-error skip or keep goes on)"
                )
            if options.on_error == "skip":
                tally.bad_skipped += 1
                if not options.quiet:
                    say(f"cleaner: {where}: {record.error}; skipped")
            else:
                tally.bad_kept += 1
                if not options.quiet:
                    say(f"cleaner: {where}: {record.error}; kept unchanged")
                if to == "jsonl":
                    writer.write(record.raw if record.raw.endswith(b"\n") else record.raw + b"\n")
            continue
        tally.documents += 1
        if on_document is not None:
            on_document()
        _write_document(cleaner, record.doc, source, writer, to, options, say, record.raw, audit)
        if not record.raw.endswith(b"\n") and to == "jsonl":
            writer.write(b"\n")


@dataclass(slots=True)
class BlockResult:
    """What a ``-j`` worker made of a block of JSONL lines."""

    data: bytes
    messages: list[str]
    tally: Tally
    stop: str | None
    audit: AuditPart | None = None
    removals: bytes = b""


def jsonl_block(
    cleaner: Cleaner, lines: list[bytes], first_line: int, source: str, options: Options
) -> BlockResult:
    """Clean a block of JSONL lines (a ``-j`` task): output, messages, tally, stop message,
    and what the audit recorded (its removal records as bytes, written in order by the caller).
    """
    out = io.BytesIO()
    writer = _Writer(out)
    messages: list[str] = []
    tally = Tally()
    stream = io.BytesIO(b"".join(lines))
    records = read_jsonl(stream, source, options.fields, first_line)
    to = output_format("jsonl", options)
    stop = None
    removals = io.BytesIO()
    audit = new_audit(cleaner, options, removals) if options.audit.active else None
    try:
        clean_jsonl(
            cleaner, records, source, writer, to, options, messages.append, tally, None, audit
        )
    except StopRunError as exc:
        stop = str(exc)
    writer.flush()
    part = audit.part() if audit is not None else None
    return BlockResult(out.getvalue(), messages, tally, stop, part, removals.getvalue())


def new_audit(
    cleaner: Cleaner, options: Options, removals: IO[bytes] | None = None, name: str = ""
) -> Audit:
    """Return an audit for ``options.audit``, its records going to ``removals``."""
    packs = {rule.id: rule.pack for rule in cleaner.rules}
    return Audit(options.audit, packs, removals, name, _window(cleaner))


def _window(cleaner: Cleaner) -> int:
    """The most lines the engine may hold back for any document (site and ``auto`` rules
    included): ``compile.CompiledRules.lookahead_lines`` over all the rules, without
    compiling them (the samples' context needs at least this many recent lines)."""
    tails = (Action.DROP_TAIL, Action.DROP_HEAD, Action.DROP_FOOT)
    return max(
        [
            cleaner.compiled.lookahead_lines,
            *(r.block_max_lines for r in cleaner.rules if r.action in tails),
            *(r.lines or 0 for r in cleaner.rules if r.where is Where.LAST_LINES),
            *(
                4 * max(r.min_run, r.between_max_lines) + 8
                for r in cleaner.rules
                if r.action is Action.DROP_RUN
            ),
        ]
    )


def output_name(rel: Path, in_format: str, out_format: str) -> Path:
    """Return the output path below ``-o FOLDER`` for an input at ``rel`` below its folder.

    The tree is mirrored; the format's extension changes only when the format does, and the
    compression extension stays.

    >>> output_name(Path("a/b.jsonl.gz"), "jsonl", "jsonl").as_posix()
    'a/b.jsonl.gz'
    >>> output_name(Path("cc/x.warc.wet.gz"), "warc", "jsonl").as_posix()
    'cc/x.jsonl.gz'
    >>> output_name(Path("p.html"), "html", "text").as_posix()
    'p.txt'
    """
    if in_format == out_format:
        return rel
    name = rel.name
    compression = Path(name).suffix if compression_of(name) else ""
    stem = name[: len(name) - len(compression)]
    while Path(stem).suffix.lower() in (".warc", ".wet", ".arc", ".html", ".htm", ".jsonl",
                                        ".json", ".ndjson", ".txt", ".xhtml"):  # fmt: skip
        stem = stem[: -len(Path(stem).suffix)]
    suffix = ".jsonl" if out_format == "jsonl" else ".txt"
    return rel.with_name(stem + suffix + compression)


def read_documents(inputs: list[Input], options: Options, say: Say) -> Iterator[Document]:
    """Yield the documents of ``inputs``: JSONL records, HTML pages, WARC records, in order.

    For analysis (``cleaner learn``), not cleaning: a text file is a stream with no site and
    is skipped with a message; a malformed JSONL record raises ``InputError`` (as
    ``--on-error stop``), as does any input that cannot be read.
    """

    def stop(source: str, line_no: int, error: str) -> None:
        raise InputError(f"{source}:{line_no}: {error}")

    for inp in inputs:
        opened = open_input(inp, options)
        if opened.format == "text":
            opened.close()
            say(f"cleaner: {opened.source}: a text file has no site; skipped")
            continue
        yield from opened_documents(opened, options, stop)


def opened_documents(
    opened: Opened, options: Options, bad_record: Callable[[str, int, str], None]
) -> Iterator[Document]:
    """Yield the documents of an opened JSONL, HTML or WARC input, then close it.

    A malformed JSONL record goes to ``bad_record(source, line, reason)`` (which may raise);
    a cut-short compressed stream or an unparsable page raises ``InputError``.
    """
    try:
        if opened.format == "jsonl":
            for record in read_jsonl(opened.stream, opened.source, options.fields):
                if record.error is not None:
                    bad_record(opened.source, record.line_no, record.error)
                elif record.doc is not None:
                    yield record.doc
        elif opened.format == "html":
            yield read_html(opened.stream, opened.source, options.keep_comments, options.extract)
        else:
            yield from read_warc(
                opened.stream, opened.source, options.keep_comments, extract=options.extract
            )
    except TRUNCATED_ERRORS as exc:
        raise InputError(f"{opened.source}: compressed data cut short or corrupt ({exc})") from None
    except ValueError as exc:
        raise InputError(f"{opened.source}: {exc}") from None
    finally:
        opened.close()
