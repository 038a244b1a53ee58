"""Turn bytes into text and repair what the web did to it: bad bytes, mojibake, entities.

What it is for: per-line repairs that run only where a cheap check says they are needed
(ftfy costs ~1/170 of a plain line loop, see research/perf.md). What it is not for: removing
debris; that is the rules' job.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Iterator
from html.entities import html5
from typing import BinaryIO, NamedTuple


# Encoding fixes on, restyling off: curly and German quotes, CJK full-width punctuation and
# ligatures are the author's choice, not damage (datatrove's FTFYFormatter and NeMo's
# UnicodeReformatter ship the same profile). Entities are decoded by ``unescape_entities``
# instead, per line and only when well-formed, never by ftfy's stream-wide "auto".
@functools.cache
def _ftfy_fixer() -> Callable[[str], str]:
    """Return ``ftfy.fix_text`` with the settings of every repair.

    ftfy is imported on first use: a run on clean text never loads it (~60 ms of start-up
    and ~8 MiB, most of it the ``wcwidth`` tables ftfy imports for its display helpers).
    """
    import ftfy

    config = ftfy.TextFixerConfig(
        unescape_html=False,
        remove_terminal_escapes=True,
        fix_encoding=True,
        restore_byte_a0=True,
        replace_lossy_sequences=True,
        decode_inconsistent_utf8=True,
        fix_c1_controls=True,
        fix_latin_ligatures=False,  # off: "ﬁ" is a typographer's choice
        fix_character_width=False,  # off: folds CJK full-width punctuation
        uncurl_quotes=False,  # off: destroys „German“ and “English” quotes
        fix_line_breaks=False,  # off: the engine keeps line endings as they came
        fix_surrogates=True,
        remove_control_chars=True,
        normalization=None,  # off: NFC would rewrite text that is not broken
        max_decode_length=1_000_000,
        explain=False,
    )
    return functools.partial(ftfy.fix_text, config=config)


# A UTF-8 lead byte read as cp1252/latin-1 followed by a continuation byte read the same way
# (research/perf.md), the replacement character, C0/C1 controls other than tab, LF, CR, and
# the other characters ftfy's remove_control_chars deletes (a BOM inside the text, deprecated
# format controls U+206A-206F, interlinear annotations U+FFF9-FFFC): a check that missed them
# would let the same character be removed from one line and kept on the next.
_CP1252_CONT = (
    "\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014"
    "\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
)
_NEEDS_FTFY_RE = re.compile(
    rf"[\u00c2-\u00f4][{_CP1252_CONT}]|[\ufffd\ufeff\u206a-\u206f\ufff9-\ufffc]"
    r"|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
)
# The first characters of every alternative above: one class, scanned ~5x faster than the
# alternation, rules out most non-ASCII lines (Cyrillic, Arabic, CJK prose) on its own.
_NEEDS_FTFY_FIRST_RE = re.compile(
    r"[\u00c2-\u00f4\ufffd\ufeff\u206a-\u206f\ufff9-\ufffc\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ENTITY_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")

MAX_LINE_BYTES = 1 << 20
"""Lines longer than this are read in pieces of this size and passed through unchanged."""


def needs_ftfy(text: str) -> bool:
    """Return True if ``text`` may hold mojibake or control characters (cheap, may over-report).

    >>> needs_ftfy("plain ASCII"), needs_ftfy("Ã¼ber"), needs_ftfy("über")
    (False, True, False)
    """
    if text.isascii():
        return not text.isprintable() and _CONTROL_RE.search(text) is not None
    if _NEEDS_FTFY_FIRST_RE.search(text) is None:
        return False
    return _NEEDS_FTFY_RE.search(text) is not None


def fix_mojibake(text: str) -> str:
    """Return ``text`` with mojibake and control characters repaired by ftfy, if it needs it.

    >>> fix_mojibake("Ã¼ber die BrÃ¼cke â€“ schÃ¶n „gut“")
    'über die Brücke – schön „gut“'
    """
    if not needs_ftfy(text):
        return text
    return _ftfy_fixer()(text)


def _decode_entity(match: re.Match[str]) -> str:
    return _decode_entity_text(match.group())


def _decode_entity_text(entity: str) -> str:
    if entity[1] == "#":
        digits = entity[2:-1]
        code = int(digits[1:], 16) if digits[:1] in "xX" else int(digits)
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return entity
        return html.unescape(entity)
    if entity[1:] not in html5:
        return entity  # "&Jerry;" is not an entity: leave prose alone
    return html5[entity[1:]]


def unescape_entities(text: str) -> str:
    """Return ``text`` with well-formed HTML entities decoded, double-escaped ones included.

    Only ``&name;`` with a real entity name and ``&#N;``/``&#xN;`` are touched, so a lone
    ``&`` in prose ("Facebook & LinkedIn") never changes.

    >>> unescape_entities("Opt-in&rdquo; &amp;rdquo;x&ldquo; Tom & Jerry; AT&amp;T")
    'Opt-in” ”x“ Tom & Jerry; AT&T'
    """
    if "&" not in text:
        return text
    for _ in range(3):  # "&amp;rdquo;" needs two rounds: the usual cases, at C speed
        fixed = _ENTITY_RE.sub(_decode_entity, text)
        if fixed == text:
            return text
        text = fixed
    return _unescape_to_the_end(text)


def _unescape_to_the_end(text: str) -> str:
    """Return ``text`` with entities decoded until none is left, in linear time.

    Deeper nesting (``&amp;amp;amp;amp;``, ``&rdquo&semi;``) would need one regex round per
    level, quadratic on a hostile line; stopping early would leave entities that a second
    run decodes, so cleaning would not be idempotent. Here one pass left to right decodes
    each entity as its ``;`` arrives and feeds the decoded characters back in, so an entity
    they complete is decoded too. Each decoding shortens the text (4 or more characters
    become 1 or 2), which bounds the work.

    >>> _unescape_to_the_end("&amp;amp;amp;amp;lt; &rdquo&semi; &Jerry;")
    '< ” &Jerry;'
    """
    out: list[str] = []
    todo = list(reversed(text))
    while todo:
        char = todo.pop()
        out.append(char)
        if char != ";":
            continue
        start = len(out) - 2
        stop = max(len(out) - 35, -1)  # its '&' is at most 33 characters before the ';'
        while start > stop and out[start] not in "&;":
            start -= 1
        if start <= stop or out[start] != "&":
            continue
        entity = "".join(out[start:])
        if _ENTITY_RE.fullmatch(entity) is None:
            continue
        decoded = _decode_entity_text(entity)
        if decoded != entity:
            del out[start:]
            todo.extend(reversed(decoded))
    return "".join(out)


class RawLine(NamedTuple):
    """One input line: its text without line ending, the ending, and how it was read."""

    text: str
    bad_bytes: int
    """How many bytes were not UTF-8 and were read as Windows-1252 instead."""
    eol: str
    oversized: bool = False
    """True for a piece of a line longer than ``MAX_LINE_BYTES``: passed through untouched."""


def _cp1252_byte(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)  # the five bytes cp1252 leaves undefined: read as latin-1


_SURROGATE_MAP = {0xDC00 + b: _cp1252_byte(b) for b in range(0x80, 0x100)}


def decode_line(raw: bytes) -> tuple[str, int]:
    """Return ``raw`` decoded as UTF-8, bytes that are not UTF-8 read as Windows-1252.

    Mixed files (a latin-1 line in a UTF-8 file, a cp1252 quote in UTF-8 prose) are common on
    the web; decoding byte by byte keeps every character instead of writing U+FFFD.

    >>> decode_line("Grüße".encode() + b" caf\\xe9")
    ('Grüße café', 1)
    """
    try:
        return raw.decode("utf-8"), 0
    except UnicodeDecodeError:
        text = raw.decode("utf-8", errors="surrogateescape")
        bad = sum(1 for ch in text if "\udc80" <= ch <= "\udcff")
        return text.translate(_SURROGATE_MAP), bad


def _utf8_cut(piece: bytes) -> int:
    """Return where to cut ``piece`` so that no UTF-8 sequence is split (len if none is)."""
    for back in range(1, min(4, len(piece)) + 1):
        byte = piece[-back]
        if byte & 0xC0 == 0x80:
            continue  # continuation byte: keep looking for the lead byte
        if byte >= 0xC0:
            need = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return len(piece) - back if need > back else len(piece)
        return len(piece)
    return len(piece)


def _cut_pieces(raw: bytes, max_line: int) -> tuple[list[bytes], bytes]:
    """Split an overlong ``raw`` into pieces of at most ``max_line`` bytes, and the rest."""
    pieces = []
    while len(raw) > max_line:
        cut = _utf8_cut(raw[:max_line])
        if raw[cut - 1 : cut] == b"\r":
            cut -= 1  # never split a CRLF
        if cut <= 0:
            cut = max_line
        pieces.append(raw[:cut])
        raw = raw[cut:]
    return pieces, raw


# A line and its ending: LF, CRLF, or a lone CR (old Mac files). A CR at the very end of a
# block is left for the next block, which may start with its LF.
_LINE_RE = re.compile(rb"([^\r\n]*)(\r\n|\n|\r(?=[^\n]))")


def read_lines(
    stream: BinaryIO, max_line: int = MAX_LINE_BYTES, block: int = 1 << 16
) -> Iterator[RawLine]:
    """Yield the lines of a binary stream in bounded memory, whatever their length.

    Lines end at LF, CRLF or a lone CR, and each keeps the ending it had. A line longer than
    ``max_line`` bytes comes out in pieces flagged ``oversized`` (cut between UTF-8
    characters, never inside a CRLF), which the engine passes through unchanged.
    """
    for lines in read_blocks(stream, max_line, block):
        yield from lines


def read_blocks(
    stream: BinaryIO, max_line: int = MAX_LINE_BYTES, block: int = 1 << 16
) -> Iterator[list[RawLine]]:
    """Yield the lines of a binary stream as lists, one list per block read (``read_lines``).

    Blocks let the engine test a few hundred lines at once with one scan in C (which lines
    can hold debris or need a repair at all). Reads with ``read1``: whatever a pipe has
    ready, so output keeps flowing; a list may be empty of lines only when a long line goes
    on, and then it is not yielded.
    """
    read = getattr(stream, "read1", stream.read)
    block = min(block, max_line)
    rest = b""
    in_long_line = False
    out: list[RawLine] = []
    while True:
        if out:
            yield out
            out = []
        data = read(block)
        if not data:
            break
        if b"\n" not in data and b"\r" not in data and not rest.endswith(b"\r"):
            # no line ends here: the line goes on (never rescan a long pending line); a CR
            # left over from the last block did end a line, so that case takes the long way
            rest += data
            if len(rest) > max_line:
                pieces, rest = _cut_pieces(rest, max_line)
                for piece in pieces:
                    out.append(RawLine(*decode_line(piece), eol="", oversized=True))
                in_long_line = True
            continue
        buf = rest + data
        if not in_long_line and b"\r" not in buf and len(buf) <= max_line:
            # The common case, LF endings: one decode and one split for the whole block
            # instead of a match and a decode per line (the same lines; a block that is not
            # all UTF-8 takes the long way, which reads each bad byte as Windows-1252).
            end = buf.rfind(b"\n") + 1
            try:
                text = buf[:end].decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                lines = text.split("\n")
                lines.pop()  # the empty string after the last LF
                out = [RawLine(line, 0, "\n") for line in lines]
                rest = buf[end:]
                continue
        end = 0
        for match in _LINE_RE.finditer(buf):
            raw, eol = match.group(1), match.group(2)
            end = match.end()
            if len(raw) > max_line:
                pieces, raw = _cut_pieces(raw, max_line)
                for piece in pieces:
                    out.append(RawLine(*decode_line(piece), eol="", oversized=True))
                in_long_line = True
            text, bad = decode_line(raw)
            out.append(RawLine(text, bad, eol.decode("ascii"), in_long_line))
            in_long_line = False
        rest = buf[end:]
        if len(rest) - rest.endswith(b"\r") > max_line:  # a CR at the end is not content
            pieces, rest = _cut_pieces(rest, max_line)
            for piece in pieces:
                out.append(RawLine(*decode_line(piece), eol="", oversized=True))
            in_long_line = True
    if rest:
        eol = "\r" if rest.endswith(b"\r") else ""
        text, bad = decode_line(rest[: len(rest) - len(eol)])
        yield [RawLine(text, bad, eol, in_long_line)]


_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"%PDF-", "a PDF"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"\xfd7zXZ\x00", "xz data"),
    (b"(\xb5/\xfd", "zstd data"),
    (b"\x7fELF", "an executable"),
    (b"\xff\xfe", "UTF-16 or UTF-32 text (a BOM)"),
    (b"\xfe\xff", "UTF-16 text (a BOM)"),
)
SNIFF_BYTES = 8192
"""How much of an input ``sniff_binary`` looks at (git looks at 8000 bytes for NULs)."""
# C0 controls that text does not contain: all but tab, LF, VT and FF (Word and pdftotext
# write them as line and page breaks), CR and ESC (terminal colours in logs); and DEL.
_BINARY_BYTES = bytes([*range(0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F])
BINARY_SHARE = 0.05
"""Above this share of such control bytes an input is binary. Random or compressed data has
about 10.5 % (27 of 256 byte values), UTF-16 text of Latin script about 50 % (its NULs); text
with a stray NUL or escape code, which is cleaned (the repair removes them), far below 1 %."""


def sniff_binary(head: bytes) -> str | None:
    """Return what the first bytes of an input look like if it is not text, else None.

    Known file signatures and UTF-16 BOMs first, then the share of control bytes that text
    never has (NUL, most C0 controls): above ``BINARY_SHARE`` the input is binary data, or
    UTF-16 text if the NULs fall on every other byte.

    >>> sniff_binary(b"\\x89PNG\\r\\n"), sniff_binary(b"Plain text")
    ('a PNG image', None)
    >>> sniff_binary(bytes(range(256)))
    'binary data (10 % control bytes in its first 256 bytes)'
    >>> sniff_binary("Hello, world".encode("utf-16-le"))
    'UTF-16 text (NULs between the letters)'
    >>> sniff_binary(b"A stray NUL \\x00 in a long line of otherwise ordinary text.")
    """
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    controls = len(head) - len(head.translate(None, _BINARY_BYTES))
    if not head or controls <= BINARY_SHARE * len(head):
        return None
    for half in (head[0::2], head[1::2]):
        if len(half) >= 8 and half.count(0) > 0.7 * len(half):
            return "UTF-16 text (NULs between the letters)"
    share = 100 * controls // len(head)
    return f"binary data ({share} % control bytes in its first {len(head)} bytes)"
