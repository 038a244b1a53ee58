"""The bad-input battery: each fixture of ``fixtures/inputs/`` through the real command line.

Every outcome here is the one the README's "Bad input" section promises; the fixtures are made
by ``tests/bad_inputs.py`` and checked against it, so a fixture cannot drift silently.
"""

from __future__ import annotations

import resource
from pathlib import Path

import pytest

from .bad_inputs import FIXTURES, INPUTS
from .conftest import cli


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_fixture_is_the_bytes_its_maker_describes(name: str) -> None:
    assert (INPUTS / name).read_bytes() == FIXTURES[name]


# input fixture -> the exact bytes cleaned (line endings as they came, final newline or not)
CLEANED = {
    "bom-crlf.txt": b"Erste Zeile.\r\nZweite Zeile.\r\n",
    "line-endings.txt": (
        b"LF line.\nCRLF line.\r\nLone CR line.\rCR then CRLF.\r\r\nLast line, no line ending."
    ),
    "old-mac.txt": b"Erster Absatz.\r\rZweiter Absatz.\r",
    "empty.txt": b"",
    "blank-lines.txt": b"\n\r\n \t\n\r",
    "no-final-newline.txt": b"Ein Satz.\n Noch ein Satz ohne Zeilenende.",
    "controls.txt": (
        "A stray NUL in a sentence.\n"
        "Bell and terminal colours bold.\n"
        "Tab\tstays, and so does a form feed\x0c between pages.\n"
        "DEL and a C1 next-line … control.\n"
    ).encode(),
}


@pytest.mark.parametrize("name", sorted(CLEANED))
def test_text_fixture_cleaned_exactly(name: str) -> None:
    for args, stdin in (((str(INPUTS / name),), None), (("-",), FIXTURES[name])):
        result = cli(*args, stdin=stdin)
        assert result.returncode == 0, result.stderr
        assert result.stdout == CLEANED[name]
        assert result.stderr == b""


def test_mixed_encodings_become_utf8_and_every_repair_is_recorded() -> None:
    result = cli("--explain", str(INPUTS / "mixed-encoding.txt"))
    assert result.returncode == 0
    lines = result.stdout.decode("utf-8").splitlines()  # strict: the output is valid UTF-8
    assert lines[:4] == [
        "UTF-8: Grüße aus Köln.",
        "Latin-1: Grüße aus Köln.",
        "Windows-1252: “Anführungszeichen” und 5 €.",
        "Both in one line: Grüße und Grüße.",
    ]
    assert lines[-1] == "Double-encoded: Grüße."
    assert "\ufffd" not in result.stdout.decode()
    explained = result.stderr.decode()
    for no in (2, 3, 4, 5, 6, 7):  # each line with bytes that are not UTF-8
        assert f"mixed-encoding.txt:{no}: repair.decode" in explained


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("image.png", "looks like a PNG image; not cleaned (--binary cleans it anyway)"),
        ("program.elf", "looks like an executable; not cleaned"),
        ("random.bin", "looks like binary data ("),
        ("utf16-bom.txt", "looks like UTF-16 or UTF-32 text (a BOM); not cleaned (convert it"),
        ("utf16-le.txt", "looks like UTF-16 text (NULs between the letters)"),
    ],
)
def test_binary_input_refused_others_still_cleaned(name: str, says: str) -> None:
    result = cli(str(INPUTS / name), str(INPUTS / "bom-crlf.txt"))
    assert result.returncode == 1
    assert result.stdout == CLEANED["bom-crlf.txt"]
    assert f"{INPUTS / name}: {says}".encode() in result.stderr
    assert b"Traceback" not in result.stderr
    forced = cli("--binary", str(INPUTS / name))
    assert forced.returncode == 0, forced.stderr
    forced.stdout.decode("utf-8")  # whatever came in, what goes out is UTF-8


def test_unreadable_file_among_inputs(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("x\n")
    secret.chmod(0)
    try:
        if secret.open("rb").readable():  # running as root: permissions do not apply
            pytest.skip("root reads files without permission bits")
    except PermissionError:
        pass
    result = cli(str(secret), str(INPUTS / "bom-crlf.txt"))
    assert result.returncode == 1
    assert result.stdout == CLEANED["bom-crlf.txt"]
    assert b"Permission denied" in result.stderr


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="no /proc/self/mem (not Linux)")
def test_read_error_after_open_is_reported_others_still_cleaned() -> None:
    """/proc/self/mem opens but fails to read at offset 0 (EIO): a failing disk's behaviour."""
    result = cli("/proc/self/mem", str(INPUTS / "bom-crlf.txt"))
    assert result.returncode == 1
    assert result.stdout == CLEANED["bom-crlf.txt"]
    assert result.stderr.decode().splitlines()[0] == (
        "cleaner: /proc/self/mem: cannot read: Input/output error"
    )
    assert (
        cli("-j", "2", "/proc/self/mem", str(INPUTS / "bom-crlf.txt")).stdout
        == CLEANED["bom-crlf.txt"]
    )


def test_a_100_mb_line_passes_through_in_bounded_memory(tmp_path: Path) -> None:
    """One line of 100 MB: passed through byte for byte with a warning naming its line."""
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.write(b"[ad_1] Vorher.\n")
        chunk = "Grüße ".encode() * 10_000
        for _ in range(100_000_000 // len(chunk)):
            handle.write(chunk)
        handle.write(b"\n[ad_1] Nachher.\n")
    out = tmp_path / "out.txt"
    result = cli(str(big), "-o", str(out))
    assert result.returncode == 0, result.stderr
    stderr = result.stderr.decode().splitlines()
    assert stderr[0] == (
        f"cleaner: warning: {big}:2: a line longer than 1 MiB passed through unchanged "
        "(no rules, no repair)"
    )
    assert len(stderr) == 1
    # the largest child so far (this one or a smaller CLI run): bounded, the line alone is 100 MB
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss < 200 * 1024
    with big.open("rb") as source, out.open("rb") as cleaned:
        assert cleaned.readline() == b" Vorher.\n"
        source.readline()
        assert cleaned.readline() == source.readline()  # the long line, byte for byte
        assert cleaned.read() == b" Nachher.\n"


def test_user_rules_cannot_make_the_engine_write_anywhere_but_the_output(tmp_path: Path) -> None:
    """Rule files are data: no key names a path, and nothing in one reaches the file system."""
    work = tmp_path / "work"
    work.mkdir()
    hostile = work / "hostile.toml"
    hostile.write_text(
        '[pack]\nname = "evil"\n'
        '[[rule]]\nid = "evil.path"\naction = "replace"\nwhy = "tries paths"\n'
        "pattern = '\\.\\./\\.\\./(escape)\\.txt'\nreplacement = '/tmp/\\1-written'\n"
        'languages = ["*"]\nmatch = ["a ../../escape.txt b"]\nkeep = ["a b"]\n',
        encoding="utf-8",
    )
    source = work / "in.txt"
    source.write_text("Text ../../escape.txt mehr.\n", encoding="utf-8")
    before = set(tmp_path.rglob("*"))
    result = cli("--rules", str(hostile), str(source), "-o", str(work / "out.txt"))
    created = set(tmp_path.rglob("*")) - before
    assert result.returncode == 0, result.stderr
    assert created == {work / "out.txt"}  # the output, and nothing else
    assert (work / "out.txt").read_text(encoding="utf-8") == "Text /tmp/escape-written mehr.\n"
    assert not Path("/tmp/escape-written").exists()  # a replacement is text, never a path
