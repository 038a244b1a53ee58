"""The input formats: plain text, JSONL, HTML and WARC/WET, detected or chosen, and their readers.

Text files stream through the engine line by line (``Cleaner.clean_stream``) and never pass
here as documents. The other formats are read one document at a time:

- **JSONL**: one record per line; the text field is cleaned and spliced back into the line
  it came from, so every other field keeps its bytes, its order and its formatting.
- **HTML**: one page per file; trafilatura extracts the main text (and the comments only
  when asked), then the rules clean it.
- **WARC/WET** (Common Crawl): ``response`` records with HTML go the HTML way, ``conversion``
  records (WET) and plain-text ``resource`` records the text way; warcio parses the records.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from cleaner.documents import Document, site_of
from cleaner.encoding import decode_line
from cleaner.inputs import strip_compression

FORMATS = ("text", "jsonl", "html", "warc")
_EXTENSIONS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".warc": "warc",
    ".arc": "warc",
    ".wet": "warc",
    ".txt": "text",
    ".text": "text",
}
_HTML_HEAD_RE = re.compile(rb"\s*(?:<\?xml[^>]*>\s*)?<(?:!doctype\s+html|html|head|body)\b", re.I)
MAX_RECORD_BYTES = 64 << 20
"""A JSONL record longer than this is malformed (handled by ``--on-error``): memory stays
bounded whatever a shard holds. Web pages' text is far below it (the largest bench page: 0.2 MB)."""
MAX_HTML_BYTES = 64 << 20
"""An HTML page larger than this is not parsed (reported), for the same reason."""


def detect_format(name: str | None, head: bytes) -> str:
    """Return the format a file's name says, else the one its first (decompressed) bytes show.

    >>> detect_format("a/b.jsonl.gz", b""), detect_format("x.warc.wet.gz", b"")
    ('jsonl', 'warc')
    >>> detect_format(None, b'{"text": "Hallo"}\\n'), detect_format(None, b"<!DOCTYPE html>")
    ('jsonl', 'html')
    >>> detect_format("notes", b"WARC/1.0\\r\\n"), detect_format(None, b"Ein Satz.")
    ('warc', 'text')
    """
    if name:
        kind = _EXTENSIONS.get(Path(strip_compression(name)).suffix.lower())
        if kind:
            return kind
    start = head.removeprefix(b"\xef\xbb\xbf")
    if start.startswith(b"WARC/"):
        return "warc"
    if start.lstrip().startswith(b"{"):
        return "jsonl"
    if _HTML_HEAD_RE.match(start):
        return "html"
    return "text"


# -- JSONL ------------------------------------------------------------------------------------


@dataclass(slots=True)
class Record:
    """A JSONL line read: the parsed document, or ``error`` saying why the line is not one."""

    line_no: int
    raw: bytes
    doc: Document | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class JsonlFields:
    """Which fields of a JSONL record are its text, its name and its site (a URL)."""

    text: str = "text"
    id: str | None = None
    site: str | None = "url"


_WS_RE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def parse_record(raw: bytes, line_no: int, source: str, fields: JsonlFields) -> Record:
    """Parse one JSONL line into a ``Record``; never raises on bad data.

    Bytes that are not UTF-8 are read as Windows-1252, as in text files, so one bad byte in
    a shard does not cost its record.
    """
    if len(raw) > MAX_RECORD_BYTES:
        return Record(line_no, raw, error=f"record longer than {MAX_RECORD_BYTES >> 20} MiB")
    line, _ = decode_line(raw.rstrip(b"\r\n"))
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        return Record(line_no, raw, error=f"not JSON: {exc.msg} (column {exc.colno})")
    except RecursionError:
        return Record(line_no, raw, error="not JSON: nested too deeply")
    if not isinstance(value, dict):
        return Record(line_no, raw, error=f"not a JSON object but {type(value).__name__}")
    text = value.get(fields.text)
    if not isinstance(text, str):
        if fields.text not in value:
            return Record(line_no, raw, error=f"no {fields.text!r} field")
        kind = "null" if text is None else type(text).__name__
        return Record(line_no, raw, error=f"its {fields.text!r} field is {kind}, not text")
    name = value.get(fields.id) if fields.id else None
    doc_id = f"{source}:{line_no}" if name is None else str(name)
    url = value.get(fields.site) if fields.site else None
    doc = Document(text, doc_id, site_of(url) if isinstance(url, str) else None, value)
    return Record(line_no, raw, doc)


def splice_text(raw: bytes, field: str, text: str) -> bytes:
    """Return the JSONL line ``raw`` with the value of its top-level ``field`` set to ``text``.

    Only that value's bytes change: the other fields keep their order, spacing, escapes and
    number formatting. The new value is written with non-ASCII characters as they are.

    >>> splice_text(b'{"id": 1.50, "text": "a \\\\u00fc [ad_1]", "x": [1]}\\n', "text", "a ü")
    b'{"id": 1.50, "text": "a \\xc3\\xbc", "x": [1]}\\n'
    """
    line, _ = decode_line(raw)
    span = _value_span(line, field)
    value = json.dumps(text, ensure_ascii=False)
    return (line[: span[0]] + value + line[span[1] :]).encode("utf-8", "surrogatepass")


def set_field(raw: bytes, field: str, value: bytes) -> bytes:
    """Return the JSONL line ``raw`` with its top-level ``field`` set to the JSON ``value``.

    An existing field's value is replaced in place; else the field is added at the end of the
    object. The other fields keep their bytes (``--annotate`` adds its list this way).

    >>> set_field(b'{"text": "a"}\\n', "cleaner", b'[]')
    b'{"text": "a", "cleaner": []}\\n'
    >>> set_field(b'{"cleaner": 1, "text": "a"}', "cleaner", b'[]')
    b'{"cleaner": [], "text": "a"}'
    """
    line, _ = decode_line(raw)
    try:
        start, end = _value_span(line, field)
    except ValueError:
        close = line.rstrip().rfind("}")
        head = line[:close].rstrip()
        comma = "" if head.endswith("{") else ", "
        added = f"{comma}{json.dumps(field, ensure_ascii=False)}: "
        return (
            head.encode("utf-8", "surrogatepass")
            + added.encode()
            + value
            + (line[close:].encode("utf-8", "surrogatepass"))
        )
    return (
        line[:start].encode("utf-8", "surrogatepass")
        + value
        + (line[end:].encode("utf-8", "surrogatepass"))
    )


def _value_span(line: str, field: str) -> tuple[int, int]:
    """Return where the value of the last top-level ``field`` of a JSON object line is.

    The last one, as ``json.loads`` keeps the last of duplicate keys.
    """
    found: tuple[int, int] | None = None
    idx = _WS_RE.match(line, 0).end() + 1  # type: ignore[union-attr]  # past "{"
    idx = _WS_RE.match(line, idx).end()  # type: ignore[union-attr]
    while line[idx : idx + 1] == '"':
        key, idx = json.decoder.scanstring(line, idx + 1)  # type: ignore[attr-defined]
        idx = _WS_RE.match(line, idx).end() + 1  # type: ignore[union-attr]  # past ":"
        idx = _WS_RE.match(line, idx).end()  # type: ignore[union-attr]
        _, end = _DECODER.raw_decode(line, idx)
        if key == field:
            found = (idx, end)
        idx = _WS_RE.match(line, end).end()  # type: ignore[union-attr]
        if line[idx : idx + 1] != ",":
            break
        idx = _WS_RE.match(line, idx + 1).end()  # type: ignore[union-attr]
    if found is None:
        raise ValueError(f"no top-level field {field!r}")
    return found


def read_jsonl(
    stream: BinaryIO, source: str, fields: JsonlFields, first_line: int = 1
) -> Iterator[Record]:
    """Yield a ``Record`` for each line of a JSONL stream; blank lines yield ``Record`` with
    neither doc nor error (passed through as they are)."""
    no = first_line - 1
    while True:
        raw = stream.readline(MAX_RECORD_BYTES + 1)
        if not raw:
            return
        no += 1
        if len(raw) > MAX_RECORD_BYTES and not raw.endswith(b"\n"):
            raw += _drain_line(stream)
            yield Record(no, raw, error=f"record longer than {MAX_RECORD_BYTES >> 20} MiB")
            continue
        if not raw.strip():
            yield Record(no, raw)
            continue
        yield parse_record(raw, no, source, fields)


def _drain_line(stream: BinaryIO) -> bytes:
    """Read the rest of an oversized line (kept for ``--on-error keep``: nothing is lost)."""
    parts = []
    while True:
        part = stream.readline(1 << 20)
        parts.append(part)
        if not part or part.endswith(b"\n"):
            return b"".join(parts)


# -- HTML -------------------------------------------------------------------------------------


EXTRACT_MODES = ("balanced", "recall", "precision")
"""trafilatura's trade-offs. Measured on ../shared/bench/sh-dev's 62 pages, then cleaned by the
default packs (2026-12-01, trafilatura 2.x): balanced P 0.968 R 0.986 F1 0.977; recall (more
text, more debris) P 0.962 R 0.986 F1 0.974; precision P 0.985 R 0.984 F1 0.984, which loses
0.2 % of the article's words, so it is not the default."""


def extract_html(
    html: bytes | str, source: str, keep_comments: bool = False, extract: str = "balanced"
) -> Document:
    """Return the main text of an HTML page as a Document (empty text if it has none).

    ``record`` holds ``url`` and ``title`` as trafilatura finds them in the page; ``extract``
    is one of ``EXTRACT_MODES``.
    """
    import trafilatura

    found = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=keep_comments,
        favor_recall=extract == "recall",
        favor_precision=extract == "precision",
    )
    text = ""
    record: dict[str, str | None] = {"url": None, "title": None}
    if isinstance(found, trafilatura.settings.Document):
        text = found.text or ""
        if keep_comments and found.comments:
            text = f"{text}\n{found.comments}"
        record = {"url": found.url, "title": found.title}
    if text and not text.endswith("\n"):
        text += "\n"
    return Document(text, source, site_of(record["url"]), record)


def read_html(
    stream: BinaryIO, source: str, keep_comments: bool = False, extract: str = "balanced"
) -> Document:
    """Read one HTML page from ``stream`` and extract its main text."""
    data = stream.read(MAX_HTML_BYTES + 1)
    if len(data) > MAX_HTML_BYTES:
        raise ValueError(f"an HTML page larger than {MAX_HTML_BYTES >> 20} MiB is not parsed")
    return extract_html(data, source, keep_comments, extract)


# -- WARC / WET -------------------------------------------------------------------------------


@dataclass(slots=True)
class WarcTally:
    """What a WARC file held besides the documents it yielded, for the run's summary."""

    skipped: int = 0  # requests, metadata, warcinfo, non-HTML responses


def read_warc(
    stream: BinaryIO,
    source: str,
    keep_comments: bool = False,
    tally: WarcTally | None = None,
    extract: str = "balanced",
) -> Iterator[Document]:
    """Yield a Document for each HTML response and each text conversion record of a WARC.

    ``record`` holds the record's ``url``, ``date`` and ``id`` (WARC-Record-ID).
    """
    from warcio.archiveiterator import ArchiveIterator  # type: ignore[import-untyped]

    tally = tally if tally is not None else WarcTally()
    records = ArchiveIterator(stream)
    while True:
        try:
            record = next(records)
        except StopIteration:
            return
        except Exception as exc:  # warcio on hostile bytes: any of its errors
            raise ValueError(f"not a valid WARC file ({type(exc).__name__}: {exc})") from None
        headers = record.rec_headers
        meta: dict[str, Any] = {
            "id": headers.get_header("WARC-Record-ID"),
            "url": headers.get_header("WARC-Target-URI"),
            "date": headers.get_header("WARC-Date"),
        }
        doc_id = meta["id"] or f"{source}#{meta['url']}"
        kind = record.rec_type
        if kind in ("response", "resource"):
            http = record.http_headers
            ctype = (http.get_header("Content-Type") if http else None) or (
                headers.get_header("Content-Type") or ""
            )
            if kind == "response" and http is None:
                tally.skipped += 1
                continue
            if "html" in ctype.lower():
                page = extract_html(_payload(record), doc_id, keep_comments, extract)
                yield Document(page.text, doc_id, site_of(meta["url"]), meta)
                continue
            if kind == "resource" and ctype.lower().startswith("text/plain"):
                yield _warc_text(record, doc_id, meta)
                continue
        elif kind == "conversion":
            yield _warc_text(record, doc_id, meta)
            continue
        tally.skipped += 1


def _payload(record: Any) -> bytes:
    """A record's content, decoded from its transfer and content encodings by warcio."""
    try:
        return bytes(record.content_stream().read())
    except Exception as exc:  # a broken chunked or gzip body
        raise ValueError(f"a WARC record's content cannot be read ({exc})") from None


def _warc_text(record: Any, doc_id: str, meta: dict[str, Any]) -> Document:
    data = _payload(record)
    text = "".join(decode_line(data)[0:1])
    if text and not text.endswith("\n"):
        text += "\n"
    return Document(text, doc_id, site_of(meta["url"]), meta)
