"""Finding inputs and opening them: files, folders, stdin, and compressed streams.

Compression is recognised by the file name's extension (``.gz``, ``.bz2``, ``.xz``, ``.zst``)
and, for stdin or a name without one, by the stream's first bytes; outputs are compressed by
the extension of their name. Python's own modules read gzip, bzip2 and xz; ``zstandard`` reads
zstd, which the standard library lacks before 3.14.
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import io
import lzma
import os
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

import zstandard

from cleaner.errors import InputError

COMPRESSIONS = {".gz": "gzip", ".bz2": "bzip2", ".xz": "xz", ".zst": "zstd"}
_MAGIC = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"(\xb5/\xfd", "zstd"),
)


@dataclass(frozen=True, slots=True)
class Input:
    """One input: a file, or stdin (``path`` None); ``rel`` is its path below the folder given.

    ``rel`` is what ``-o FOLDER`` mirrors: ``cleaner corpus/ -o out/`` writes
    ``corpus/a/b.txt`` to ``out/a/b.txt``.
    """

    name: str
    path: Path | None
    rel: Path

    @property
    def is_stdin(self) -> bool:
        return self.path is None


def expand(names: Iterable[str], glob: str | None = None) -> Iterator[Input | InputError]:
    """Yield the inputs named: files as given, folders walked recursively in sorted order.

    In a folder only files whose name matches ``glob`` are taken (all files if None; hidden
    files and folders, whose names start with a dot, never). A name that does not exist
    yields an ``InputError`` in its place, so the caller reports it and goes on.
    """
    for name in names:
        if name == "-":
            yield Input("-", None, Path("stdin"))
            continue
        path = Path(name)
        if path.is_dir():
            found = False
            problems: list[InputError] = []
            for file in _walk(path, problems):
                yield from problems
                problems.clear()
                rel = file.relative_to(path)
                if glob is None or file.match(glob) or rel.match(glob):
                    found = True
                    yield Input(str(file), file, rel)
            yield from problems
            if not found and not problems:
                what = f"no file matching {glob!r}" if glob else "no files"
                yield InputError(f"{name}: {what} in this folder")
        elif path.exists():
            yield Input(name, path, Path(path.name))
        else:
            yield InputError(f"{name}: No such file or directory")


def _walk(folder: Path, problems: list[InputError]) -> Iterator[Path]:
    """Yield the files below ``folder`` in sorted order, skipping hidden names.

    A subfolder that cannot be listed is added to ``problems``, not skipped silently.
    """

    def unlisted(exc: OSError) -> None:
        problems.append(InputError(f"{exc.filename}: cannot list: {exc.strerror or exc}"))

    for root, dirs, files in os.walk(folder, onerror=unlisted):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for file in sorted(files):
            if not file.startswith("."):
                yield Path(root) / file


def compression_of(name: str) -> str | None:
    """Return the compression a file name's extension says, or None.

    >>> compression_of("shard-01.jsonl.zst"), compression_of("page.html")
    ('zstd', None)
    """
    return COMPRESSIONS.get(Path(name).suffix.lower())


def strip_compression(name: str) -> str:
    """Return ``name`` without its compression extension: ``a.jsonl.gz`` -> ``a.jsonl``."""
    return name[: -len(Path(name).suffix)] if compression_of(name) else name


def sniff_compression(head: bytes) -> str | None:
    """Return the compression a stream's first bytes show, or None."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return None


def peekable(stream: BinaryIO) -> io.BufferedReader:
    """Return ``stream`` as a reader that can show its first bytes without consuming them."""
    if isinstance(stream, io.BufferedReader):
        return stream
    return io.BufferedReader(stream)  # type: ignore[arg-type]  # BytesIO under CliRunner


def decompress(stream: BinaryIO, kind: str | None) -> BinaryIO:
    """Return a reader of ``stream`` decompressed as ``kind`` (unchanged if None)."""
    if kind is None:
        return stream
    if kind == "gzip":
        return gzip.GzipFile(fileobj=stream, mode="rb")  # type: ignore[return-value]
    if kind == "bzip2":
        return bz2.BZ2File(stream, "rb")  # type: ignore[return-value]
    if kind == "xz":
        return lzma.LZMAFile(stream, "rb")  # type: ignore[return-value]
    return zstandard.ZstdDecompressor().stream_reader(stream, read_across_frames=True)


TRUNCATED_ERRORS: tuple[type[Exception], ...] = (
    EOFError,
    gzip.BadGzipFile,
    zlib.error,
    lzma.LZMAError,
    zstandard.ZstdError,
)
"""What the decompressors raise on a cut or corrupt stream (bz2 raises EOFError or OSError
with "Invalid data stream", caught by the caller's read-error path)."""


def compress(handle: IO[bytes], kind: str | None) -> IO[bytes]:
    """Return a writer that compresses into ``handle`` as ``kind`` (unchanged if None).

    Closing the returned writer finishes the compressed stream; ``handle`` stays open.
    """
    if kind is None:
        return handle
    if kind == "gzip":
        return gzip.GzipFile(fileobj=handle, mode="wb", mtime=0)  # type: ignore[return-value]
    if kind == "bzip2":
        return bz2.BZ2File(handle, "wb")
    if kind == "xz":
        return lzma.LZMAFile(handle, "wb")
    return zstandard.ZstdCompressor().stream_writer(handle, closefd=False)


_UMASK = os.umask(0)
os.umask(_UMASK)


class WriteError(Exception):
    """Writing the output failed (disk full, ...): reported apart from errors reading input."""

    def __init__(self, cause: OSError) -> None:
        what = cause.strerror or str(cause)
        super().__init__(f"{what}: {cause.filename}" if cause.filename else what)
        self.cause = cause


@contextlib.contextmanager
def atomic_output(path: Path, backup: str | None = None) -> Iterator[IO[bytes]]:
    """Write to a temporary file beside ``path`` and rename it into place only on success.

    The data is flushed and fsynced before the rename, so ``path`` is always either the old
    file or the whole new one. With ``backup`` the old file is kept as ``path`` + ``backup``.
    OSErrors of the output side are raised as ``WriteError``.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise WriteError(exc) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            try:
                handle.flush()
                os.fsync(handle.fileno())
            except OSError as exc:
                raise WriteError(exc) from exc
        try:
            Path(tmp).chmod(path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_UMASK)
            if backup and path.exists():
                kept = Path(f"{path}{backup}")
                kept.unlink(missing_ok=True)
                os.link(path, kept)
            Path(tmp).replace(path)
        except OSError as exc:
            raise WriteError(exc) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        raise
