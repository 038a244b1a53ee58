"""The bad-input fixtures of ``fixtures/inputs/``, as the bytes that make them.

``python -m tests.bad_inputs`` writes them; ``test_bad_input.py`` checks that the committed
files are exactly these bytes, so a fixture cannot drift from its description here. Each is
small; the 100 MB line is made by its test in a temporary folder instead.
"""

from __future__ import annotations

import random
import struct
import sys
from pathlib import Path

INPUTS = Path(__file__).resolve().parent.parent / "fixtures" / "inputs"


def _png() -> bytes:
    """A 1x1 PNG's signature and header chunk (enough for a sniffer, not a viewer)."""
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(header)) + b"IHDR" + header + bytes(4)


def _elf() -> bytes:
    """The start of a 64-bit little-endian ELF executable: mostly NUL bytes after the magic."""
    return b"\x7fELF\x02\x01\x01" + bytes(9) + struct.pack("<HHI", 2, 0x3E, 1) + bytes(200)


FIXTURES: dict[str, bytes] = {
    # bytes that are not UTF-8 next to UTF-8, in one file and in one line
    "mixed-encoding.txt": (
        b"UTF-8: Gr\xc3\xbc\xc3\x9fe aus K\xc3\xb6ln.\n"
        b"Latin-1: Gr\xfc\xdfe aus K\xf6ln.\n"
        b"Windows-1252: \x93Anf\xfchrungszeichen\x94 und 5 \x80.\n"
        b"Both in one line: Gr\xc3\xbc\xc3\x9fe und Gr\xfc\xdfe.\n"
        b"A cut sequence at the end: caf\xc3\n"
        b"Overlong and surrogate: \xc0\xaf \xed\xa0\x80.\n"
        b"Undefined in cp1252: \x81\x8d\x8f\x90\x9d.\n"
        b"Double-encoded: Gr\xc3\x83\xc2\xbc\xc3\x83\xc2\x9fe.\n"
    ),
    # control bytes in text: a stray NUL is damage to repair, not a sign of binary data
    "controls.txt": (
        b"A stray NUL\x00 in a sentence.\n"
        b"Bell\x07 and terminal colours \x1b[1mbold\x1b[0m.\n"
        b"Tab\tstays, and so does a form feed\x0c between pages.\n"
        b"DEL\x7f and a C1 next-line \xc2\x85 control.\n"
    ),
    "bom-crlf.txt": b"\xef\xbb\xbfErste Zeile.\r\nZweite Zeile.\r\n",
    "line-endings.txt": (
        b"LF line.\nCRLF line.\r\nLone CR line.\rCR then CRLF.\r\r\n[ad_1]\r\n"
        b"Last line, no line ending."
    ),
    "old-mac.txt": b"Erster Absatz.\r\r[ad_1]\r\rZweiter Absatz.\r",
    "empty.txt": b"",
    "blank-lines.txt": b"\n\r\n \t\n\r",
    "no-final-newline.txt": b"Ein Satz.\n[ad_1] Noch ein Satz ohne Zeilenende.",
    # whole files in legacy encodings, detected per file (enough text for the detector)
    "shift-jis.txt": (
        "吾輩は猫である。名前はまだ無い。\n"
        "どこで生れたかとんと見当がつかぬ。何でも薄暗いじめじめした所でニャーニャー泣いていた事だけは記憶している。\n"
        "[ad_1]\n"
        "吾輩はここで始めて人間というものを見た。しかもあとで聞くとそれは書生という人間中で一番獰悪な種族であったそうだ。\n"
    ).encode("shift_jis"),
    "windows-1256.txt": (
        "هذا نص عربي للاختبار عن مدينة القاهرة وتاريخها الطويل.\n"
        "وهذه جملة ثانية عن النيل والأهرامات والتاريخ القديم للمدينة.\n"
        "Leave a Reply\n"
        "Your email address will not be published. Required fields are marked *\n"
    ).encode("cp1256"),
    "windows-1251.txt": (
        "Это тестовый текст о Москве и её долгой истории.\n"
        "[ad_1]\n"
        "Город основан в двенадцатом веке и вырос вокруг Кремля на берегу реки.\n"
    ).encode("cp1251"),
    # binary inputs: refused unless --binary
    "image.png": _png(),
    "program.elf": _elf(),
    "random.bin": random.Random(7).randbytes(4096),
    "utf16-bom.txt": "Hallo Welt.\n".encode("utf-16"),
    "utf16-le.txt": "Hallo Welt, ohne BOM.\n".encode("utf-16-le"),
}


def main() -> None:
    """Write every fixture into ``fixtures/inputs/``."""
    INPUTS.mkdir(parents=True, exist_ok=True)
    for name, data in FIXTURES.items():
        (INPUTS / name).write_bytes(data)
        sys.stdout.write(f"{INPUTS / name}: {len(data)} bytes\n")


if __name__ == "__main__":
    main()
