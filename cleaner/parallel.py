"""``-j N``: the same run in worker processes, with the output of ``-j 1``, byte for byte.

Units of work are whole files (text, HTML, WARC: each worker opens and reads its own input)
and blocks of about 1 MiB of JSONL lines (read here, cleaned in a worker, so one big shard
uses every core). Results are taken in the order the units were made, and at most two units
per worker are in flight, so output order is that of ``-j 1`` and memory stays bounded
whatever the size of the corpus. A worker writes an ``-o`` file itself (atomically, as
``-j 1`` does); output for stdout comes back through a temporary file, copied in order.

Workers are forked where the platform allows (they share the rules compiled here); else
each compiles them once. They ignore Ctrl-C: this process stops handing out work, and every
output file is left old or new, never half-written.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from cleaner.audit import Audit, AuditPart
from cleaner.engine import Cleaner, CleanerConfig
from cleaner.errors import EXIT_INPUT, EXIT_OK, InputError, StopRunError
from cleaner.formats import detect_format
from cleaner.inputs import Input, WriteError, atomic_output, compress, compression_of
from cleaner.pipeline import Options, Tally, clean_input, jsonl_block, new_audit, open_input
from cleaner.progress import RunProgress
from cleaner.tasks import Task

SPOOL_BYTES = 8 << 20
"""Output for stdout a worker holds in memory before it spools to a temporary file."""
BLOCK_BYTES = 1 << 20
"""About this many bytes of JSONL lines make one unit of work."""

_CLEANER: Cleaner | None = None


def _init(config: CleanerConfig | None) -> None:
    global _CLEANER
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if config is not None:  # spawned: compile the rules once in this worker
        _CLEANER = Cleaner(config)


@dataclass(slots=True)
class _Result:
    messages: list[str]
    tally: Tally
    failed: int = 0  # inputs that could not be cleaned (messages say why)
    spool: str | None = None  # a temporary file holding output for stdout
    data: bytes = b""  # output for stdout (or a JSONL block's output)
    stop: str | None = None  # the run must stop (malformed record, --on-error stop)
    audit: AuditPart | None = None  # the unit's stats and samples
    removals: bytes = b""  # its --removals records, in order (or in removals_spool)
    removals_spool: str | None = None


FILES_BYTES = 1 << 20
"""Small files are handed out together, about this many bytes of them per unit: one task
per 10 kB file costs more in handing out than in cleaning."""


def _file_unit(
    items: list[tuple[Input, Path | None]], options: Options, backup: str | None
) -> _Result:
    """Clean whole inputs in a worker, one after the other, as ``-j 1`` would."""
    assert _CLEANER is not None
    result = _Result([], Tally())
    spool = _Spool()
    removals = _Spool()
    audit = new_audit(_CLEANER, options, removals) if options.audit.active else None  # type: ignore[arg-type]
    try:
        for inp, target in items:
            if not _one_file(inp, target, options, backup, spool, result, audit):
                break
    finally:
        for each in (spool, removals):
            each.close()
        result.spool = spool.path
        result.data = spool.memory.getvalue()
        result.removals_spool = removals.path
        result.removals = removals.memory.getvalue()
        result.audit = audit.part() if audit is not None else None
    return result


def _one_file(
    inp: Input,
    target: Path | None,
    options: Options,
    backup: str | None,
    spool: _Spool,
    result: _Result,
    audit: Audit | None,
) -> bool:
    """Clean one input into ``spool`` (stdout) or ``target``; False if the run must stop."""
    assert _CLEANER is not None
    messages = result.messages
    try:
        opened = open_input(inp, options)
    except InputError as exc:
        messages.append(f"cleaner: {exc}")
        result.failed += 1
        return True
    tally: Tally | None = None
    try:
        if target is None:
            tally = _clean_or_note(opened, spool, options, messages, audit)  # type: ignore[arg-type]
        else:
            with atomic_output(target, backup) as handle:
                writer = compress(handle, compression_of(target.name))
                tally = _clean_or_note(opened, writer, options, messages, audit)
                if writer is not handle:
                    writer.close()
    except StopRunError as exc:
        result.stop = str(exc)
        return False
    except WriteError as exc:
        where = target if target is not None else "<temporary file>"
        messages.append(f"cleaner: {where}: cannot write: {exc}; {opened.source} not cleaned")
    except OSError as exc:
        messages.append(f"cleaner: {opened.source}: cannot read: {exc.strerror or exc}")
    finally:
        opened.close()
    if tally is None:
        result.failed += 1
    else:
        result.tally.add(tally)
    return True


class _Spool(io.RawIOBase):
    """Output for stdout from a worker: in memory up to ``SPOOL_BYTES``, then a temporary
    file (so a huge input costs no memory, and the many small ones no file)."""

    def __init__(self) -> None:
        self.memory = io.BytesIO()
        self.path: str | None = None
        self.file: IO[bytes] | None = None

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        if self.file is None and self.memory.tell() + len(data) > SPOOL_BYTES:
            fd, self.path = tempfile.mkstemp(prefix="cleaner-", suffix=".out")
            self.file = os.fdopen(fd, "wb")
            self.file.write(self.memory.getvalue())
            self.memory = io.BytesIO()
        if self.file is not None:
            return self.file.write(data)
        return self.memory.write(data)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
        super().close()

    def flush(self) -> None:
        if self.file is not None:
            self.file.flush()


def _clean_or_note(
    opened: Any, out: IO[bytes], options: Options, messages: list[str], audit: Audit | None
) -> Tally | None:
    """Clean into ``out``; an input cut short is written as far as it goes, then noted."""
    assert _CLEANER is not None
    try:
        return clean_input(_CLEANER, opened, out, options, messages.append, None, audit)
    except InputError as exc:
        messages.append(f"cleaner: {exc}")
        return None


def _block_unit(lines: list[bytes], first: int, source: str, options: Options) -> _Result:
    """Clean a block of JSONL lines in a worker."""
    assert _CLEANER is not None
    block = jsonl_block(_CLEANER, lines, first, source, options)
    return _Result(
        block.messages, block.tally, data=block.data, stop=block.stop, audit=block.audit,
        removals=block.removals,
    )  # fmt: skip


@dataclass(slots=True)
class _Unit:
    """A unit handed out, in order: its future and what to do with its result."""

    future: Future[_Result] | None
    problem: str | None = None  # an input reported without work (missing file)
    jsonl: _JsonlOutput | None = None
    last: bool = False  # the last block of its JSONL input
    size: int = 0  # input bytes to count on the progress bar when done (whole files)


class _JsonlOutput:
    """Where the blocks of one JSONL input go: stdout, or an atomic -o file opened once."""

    def __init__(self, target: Path | None, backup: str | None) -> None:
        self.target = target
        self.stack = contextlib.ExitStack()
        self.out: IO[bytes] = sys.stdout.buffer
        if target is not None:
            handle = self.stack.enter_context(atomic_output(target, backup))
            self.out = compress(handle, compression_of(target.name))
            if self.out is not handle:
                self.stack.callback(self.out.close)
        self.failed = False

    def write(self, data: bytes) -> None:
        try:
            self.out.write(data)
            self.out.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise WriteError(exc) from exc

    def close(self, ok: bool) -> None:
        """Commit the output file (ok), or remove its temporary file (the run stopped)."""
        if ok:
            self.stack.close()
            return
        stop = StopRunError("stopped")
        with contextlib.suppress(StopRunError):
            self.stack.__exit__(StopRunError, stop, None)


def run_parallel(
    cleaner: Cleaner,
    plan: list[Task | InputError],
    options: Options,
    backup: str | None,
    workers: int,
    echo: Callable[[str], None],
    progress: RunProgress,
    audit: Audit | None = None,
) -> tuple[int, Tally]:
    """Run ``plan`` (tasks and input errors, in order) on ``workers`` processes.

    Returns the exit status and the run's tally; raises ``StopRunError`` as ``-j 1`` would.
    Each unit's audit (stats, samples, removal records) is merged into ``audit`` in order.
    """
    global _CLEANER
    _CLEANER = cleaner
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    config = None if "fork" in methods else cleaner.config
    status, total = EXIT_OK, Tally()
    window: deque[_Unit] = deque()
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init, initargs=(config,)
    ) as pool:
        try:
            for unit in _units(pool, plan, options, backup, progress, audit):
                window.append(unit)
                while len(window) > 2 * workers:
                    status = max(status, _finish(window.popleft(), total, echo, progress, audit))
            while window:
                status = max(status, _finish(window.popleft(), total, echo, progress, audit))
        except BaseException:
            for unit in window:
                if unit.future is not None:
                    unit.future.cancel()
            for unit in window:  # finish what runs, so no temporary file is left behind
                with contextlib.suppress(BaseException):
                    result = unit.future.result() if unit.future is not None else None
                    for spool in (result.spool, result.removals_spool) if result else ():
                        if spool:
                            Path(spool).unlink(missing_ok=True)
                if unit.jsonl is not None and unit.last:
                    with contextlib.suppress(BaseException):
                        unit.jsonl.close(ok=False)
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return status, total


def _units(
    pool: ProcessPoolExecutor,
    plan: list[Any],
    options: Options,
    backup: str | None,
    progress: RunProgress,
    audit: Audit | None,
) -> Iterator[_Unit]:
    batch: list[tuple[Input, Path | None]] = []
    size = 0
    for task in plan:
        if isinstance(task, InputError):
            yield from _flush(pool, batch, size, options, backup)
            batch, size = [], 0
            yield _Unit(None, problem=f"cleaner: {task}")
            continue
        inp: Input = task.inp
        fmt = options.format or detect_format(None if inp.is_stdin else inp.name, b"")
        if inp.is_stdin or fmt == "jsonl":
            yield from _flush(pool, batch, size, options, backup)
            batch, size = [], 0
            yield from _jsonl_units(pool, inp, task.target, options, backup, progress, audit)
            continue
        batch.append((inp, task.target))
        size += _size(inp.path)
        if size >= FILES_BYTES:
            yield from _flush(pool, batch, size, options, backup)
            batch, size = [], 0
    yield from _flush(pool, batch, size, options, backup)


def _flush(
    pool: ProcessPoolExecutor,
    batch: list[tuple[Input, Path | None]],
    size: int,
    options: Options,
    backup: str | None,
) -> Iterator[_Unit]:
    """Hand out the whole files gathered so far as one unit."""
    if batch:
        yield _Unit(pool.submit(_file_unit, list(batch), options, backup), size=size)


def _size(path: Path | None) -> int:
    try:
        return path.stat().st_size if path is not None else 0
    except OSError:
        return 0


def _jsonl_units(
    pool: ProcessPoolExecutor,
    inp: Input,
    target: Path | None,
    options: Options,
    backup: str | None,
    progress: RunProgress,
    audit: Audit | None,
) -> Iterator[_Unit]:
    """Read a JSONL input here and hand its lines out in blocks (stdin of any format too)."""
    try:
        opened = open_input(inp, options, progress)
    except InputError as exc:
        yield _Unit(None, problem=f"cleaner: {exc}")
        return
    try:
        if opened.format != "jsonl":  # stdin that is not JSONL: one unit, cleaned here
            yield _Unit(_here(opened, target, options, backup, audit))
            return
        output = _JsonlOutput(target, backup)
        lines: list[bytes] = []
        size, first, no = 0, 1, 0
        while True:
            line = opened.stream.readline(BLOCK_BYTES)
            if line:
                no += 1
                if not line.endswith(b"\n"):  # a long record: the rest of it, in one piece
                    line += opened.stream.readline()
                lines.append(line)
                size += len(line)
            if lines and (size >= BLOCK_BYTES or not line):
                future = pool.submit(_block_unit, lines, first, opened.source, options)
                yield _Unit(future, jsonl=output, last=not line)
                lines, size, first = [], 0, no + 1
            elif not line:
                yield _Unit(None, jsonl=output, last=True)
            if not line:
                return
    finally:
        opened.close()


def _here(
    opened: Any, target: Path | None, options: Options, backup: str | None, audit: Audit | None
) -> Future[_Result]:
    """Clean an input in this process (stdin that is one text document), as a done future.

    Its changes go straight to the run's ``audit``: nothing is handed back to merge.
    """
    future: Future[_Result] = Future()
    messages: list[str] = []
    if target is None:
        tally = _clean_or_note(opened, sys.stdout.buffer, options, messages, audit)
    else:
        with atomic_output(target, backup) as handle:
            writer = compress(handle, compression_of(target.name))
            tally = _clean_or_note(opened, writer, options, messages, audit)
            if writer is not handle:
                writer.close()
    future.set_result(_Result(messages, tally or Tally(), failed=tally is None))
    return future


def _to_stdout(result: _Result) -> None:
    """Copy a worker's output for stdout there, in order."""
    try:
        if result.spool:
            with Path(result.spool).open("rb") as spool:
                shutil.copyfileobj(spool, sys.stdout.buffer, 1 << 20)
        else:
            sys.stdout.buffer.write(result.data)
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise WriteError(exc) from exc


def _finish(
    unit: _Unit,
    total: Tally,
    echo: Callable[[str], None],
    progress: RunProgress,
    audit: Audit | None,
) -> int:
    """Take one unit's result in order: its messages, output, tally and audit; return a status."""
    if unit.problem is not None:
        echo(unit.problem)
        return EXIT_INPUT
    result = unit.future.result() if unit.future is not None else _Result([], Tally())
    for message in result.messages:
        echo(message)
    try:
        if unit.jsonl is not None and result.data:
            unit.jsonl.write(result.data)
        elif result.data or result.spool:
            _to_stdout(result)
    except WriteError as exc:
        if unit.jsonl is not None:
            unit.jsonl.close(ok=False)
        where = unit.jsonl.target if unit.jsonl and unit.jsonl.target else "<stdout>"
        raise StopRunError(f"{where}: cannot write: {exc}; stopped") from None
    finally:
        if result.spool:
            Path(result.spool).unlink(missing_ok=True)
    try:
        if audit is not None and result.audit is not None:
            audit.merge(result.audit)
            if result.removals_spool:
                with Path(result.removals_spool).open("rb") as spool:
                    while block := spool.read(1 << 20):
                        audit.write_bytes(block)
            elif result.removals:
                audit.write_bytes(result.removals)
    finally:
        if result.removals_spool:
            Path(result.removals_spool).unlink(missing_ok=True)
    if result.stop is not None:
        if unit.jsonl is not None:
            unit.jsonl.close(ok=False)
        raise StopRunError(result.stop)
    if unit.jsonl is not None and unit.last:
        unit.jsonl.close(ok=True)
    progress.read(unit.size)
    total.add(result.tally)
    progress.document(result.tally.documents)
    return EXIT_INPUT if result.failed else EXIT_OK
