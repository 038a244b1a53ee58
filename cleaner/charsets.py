"""Text files in legacy encodings: which one a file is in, and reading it as UTF-8.

The engine reads UTF-8 and takes each byte that is not UTF-8 as Windows-1252, which is right
for the mixed UTF-8/Latin files of the web and for Western single-byte files. A file with no
UTF-8 in it and bytes that make sense in another script (Shift-JIS, GBK, Big5, EUC-KR,
Windows-1251/1256, ...) is instead decoded whole in that encoding, as charset-normalizer (a
dependency of trafilatura) detects it from the first bytes, or as ``--encoding`` says. Bytes
the encoding cannot decode become U+FFFD and are counted, never dropped silently.
"""

from __future__ import annotations

import codecs
import io
from typing import BinaryIO

# Single-byte Latin encodings: the per-byte Windows-1252 reading already handles them (and
# the detector often confuses them with one another on short samples).
_LATIN = frozenset(
    {
        "ascii",
        "utf-8",
        "cp1252",
        "latin-1",
        "iso8859-15",
        "cp1250",
        "iso8859-2",
        "cp1254",
        "iso8859-9",
        "cp1257",
        "iso8859-4",
        "iso8859-13",
        "mac-roman",
        "cp437",
        "cp850",
        "iso8859-3",
        "iso8859-10",
        "iso8859-14",
        "iso8859-16",
        "mac-latin2",
    }
)


MIN_EVIDENCE = 40
"""Fewer non-ASCII bytes than this are too few to tell encodings apart (a 50-byte Arabic
line in Windows-1256 reads as plausible ISO-8859-5 Russian): such files are read the usual
way, and ``--encoding`` names their encoding."""
MAX_CHAOS = 0.1
"""charset-normalizer's "mess" score above which its best guess is not trusted."""


def canonical(name: str) -> str | None:
    """Return Python's name for an encoding, or None if Python does not know it.

    >>> canonical("Shift_JIS"), canonical("windows-1256"), canonical("klingon")
    ('shift_jis', 'cp1256', None)
    """
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def legacy_encoding(head: bytes) -> str | None:
    """Return the encoding of a file that starts with ``head`` if it must be transcoded.

    None means: read it the usual way (UTF-8, stray bytes as Windows-1252). A head whose
    valid multi-byte UTF-8 characters outnumber its invalid bytes two to one is UTF-8 with
    damage, not a legacy file (legacy double-byte text forms a valid UTF-8 sequence now and
    then by chance, but rarely).

    >>> legacy_encoding("Grüße aus Köln".encode()), legacy_encoding("Grüße".encode("cp1252"))
    (None, None)
    >>> legacy_encoding(("日本語のテキストです。東京について。" * 4).encode("shift_jis"))
    'cp932'
    """
    if head.isascii():
        return None
    text = head.decode("utf-8", "surrogateescape")
    invalid = sum(1 for ch in text if "\udc80" <= ch <= "\udcff")
    if invalid == 0 or sum(1 for ch in text if ch > "\x7f") - invalid > 2 * invalid:
        return None
    if len(head) - len(head.decode("latin-1").encode("ascii", "ignore")) < MIN_EVIDENCE:
        return None
    import charset_normalizer  # here, not at the top: 4 MiB that UTF-8 input never needs

    best = charset_normalizer.from_bytes(head).best()
    if best is None or best.chaos >= MAX_CHAOS:
        return None
    name = canonical(best.encoding)
    if name is None or name in _LATIN or name.startswith("utf"):
        return None
    return name


class TranscodingReader(io.RawIOBase):
    """Read a byte stream in ``encoding`` and give its text as UTF-8 bytes, in bounded memory.

    ``replaced`` counts the bytes that were not valid in ``encoding`` (each became U+FFFD).
    """

    def __init__(self, raw: BinaryIO, encoding: str, block: int = 1 << 16) -> None:
        self.raw = raw
        self.encoding = encoding
        self.block = block
        self.replaced = 0
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        self._pending = b""
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._pending and not self._done:
            data = self.raw.read(self.block)
            final = not data
            self._done = final
            self._pending = self._decode(data, final).encode("utf-8", "surrogatepass")
        count = min(len(buffer), len(self._pending))
        buffer[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count

    def _decode(self, data: bytes, final: bool) -> str:
        """Decode, replacing undecodable bytes one at a time (so the rest still decodes)."""
        out: list[str] = []
        while True:
            try:
                out.append(self._decoder.decode(data, final))
                return "".join(out)
            except UnicodeDecodeError as exc:
                whole = bytes(exc.object)  # includes bytes the decoder held from before
                self._decoder.reset()
                out.append(self._decoder.decode(whole[: exc.start], False))
                self._decoder.reset()
                self.replaced += max(1, exc.end - exc.start)
                out.append("\ufffd")
                data = whole[exc.end :]

    def close(self) -> None:
        self.raw.close()
        super().close()
