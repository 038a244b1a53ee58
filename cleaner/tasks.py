"""The tasks of a run: each input paired with where its cleaned form goes, and cleaning one.

What it is for: the file side of ``cleaner clean`` (``-o`` as a file or a folder,
``--in-place``, outputs that would collide or overwrite their input), decided before anything
is written, and the errors of one input kept to that input. What it is not for: options and
exit codes (``cli.py``) or the cleaning itself (``pipeline.py``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
from pathlib import Path

from cleaner.audit import Audit
from cleaner.engine import Cleaner
from cleaner.errors import InputError
from cleaner.formats import detect_format
from cleaner.inputs import (
    Input,
    WriteError,
    atomic_output,
    compress,
    compression_of,
    expand,
    strip_compression,
)
from cleaner.pipeline import (
    Options,
    Say,
    Tally,
    clean_input,
    open_input,
    output_format,
    output_name,
)
from cleaner.progress import RunProgress


class PlanError(Exception):
    """The inputs and outputs asked for cannot be paired (a usage error: nothing is written)."""


@dataclasses.dataclass(frozen=True, slots=True)
class Task:
    """One input and where its cleaned form goes (None: stdout)."""

    inp: Input
    target: Path | None


def plan_tasks(
    names: tuple[str, ...],
    output_name_given: str | None,
    in_place: bool,
    glob: str | None,
    options: Options,
) -> list[Task | InputError]:
    """Pair each input with its output, or fail with a usage error before anything is written.

    ``-o NAME`` is a folder when it is one, when it ends with a slash, or when there are
    several inputs or a folder among them; else it is the one output file.
    """
    output = Path(output_name_given) if output_name_given else None
    folder_named = bool(output_name_given) and output_name_given.endswith(("/", os.sep))  # type: ignore[union-attr]
    found = list(expand(names, glob))
    inputs = [item for item in found if isinstance(item, Input)]
    if in_place:
        if output is not None:
            raise PlanError("--in-place rewrites each input; it cannot be mixed with -o")
        if any(inp.is_stdin for inp in inputs):
            raise PlanError("--in-place needs files; stdin ('-') cannot be rewritten")
    elif output is None:
        return [item if isinstance(item, InputError) else Task(item, None) for item in found]
    single = len(names) == 1 and len(inputs) == 1 and inputs[0].rel == Path(Path(names[0]).name)
    if output is not None and single and not output.is_dir() and not folder_named:
        return [Task(inputs[0], output)]
    if output is not None and output.exists() and not output.is_dir():
        raise PlanError(f"-o {output}: several inputs need a folder, and this is a file")
    plan: list[Task | InputError] = []
    targets: dict[Path, str] = {}
    for item in found:
        if isinstance(item, InputError):
            plan.append(item)
            continue
        if item.is_stdin:
            raise PlanError("stdin ('-') cannot be mixed with -o FOLDER; give -o a file name")
        if in_place:
            if item.path is None:  # pragma: no cover - stdin refused above
                continue
            in_format = options.format or guess_format(item, options)
            if output_format(in_format, options) != in_format:
                raise PlanError(
                    f"--in-place: {item.name} is {in_format} and would be written as "
                    f"{output_format(in_format, options)}; use -o FOLDER"
                )
            plan.append(Task(item, item.path))
            continue
        assert output is not None
        in_format = options.format or guess_format(item, options)
        target = output / output_name(item.rel, in_format, output_format(in_format, options))
        if target in targets:
            raise PlanError(
                f"-o {output}: {targets[target]} and {item.name} would both be {target}"
            )
        if item.path is not None and target.resolve() == item.path.resolve():
            raise PlanError(f"-o {output}: {item.name} would overwrite itself; use --in-place")
        targets[target] = item.name
        plan.append(Task(item, target))
    return plan


def guess_format(inp: Input, options: Options) -> str:
    """The format of an input, for naming its output: from its name, else from a peek."""
    fmt = detect_format(inp.name, b"")
    if fmt != "text" or Path(strip_compression(inp.name)).suffix.lower() in (".txt", ".text"):
        return fmt
    try:
        opened = open_input(inp, dataclasses.replace(options, binary=True))
    except InputError:
        return "text"  # reported when it is cleaned
    opened.close()
    return opened.format


class StdoutGoneError(Exception):
    """Stdout cannot be written (reported): the run stops, exit 1."""


def total_bytes(plan: list[Task | InputError]) -> int | None:
    """The size of all input files, for the progress bar's time left; None with stdin."""
    size = 0
    for task in plan:
        if isinstance(task, Task):
            if task.inp.path is None:
                return None
            with contextlib.suppress(OSError):
                size += task.inp.path.stat().st_size
    return size


def run_task(
    cleaner: Cleaner,
    task: Task,
    options: Options,
    backup: str | None,
    progress: RunProgress,
    audit: Audit | None,
    say: Say,
) -> Tally | None:
    """Clean one input in this process; None if it could not be (reported)."""
    try:
        opened = open_input(task.inp, options, progress)
    except InputError as exc:
        say(f"cleaner: {exc}")
        return None
    problem: InputError | None = None
    tally: Tally | None = None
    try:
        if task.target is None:
            tally = clean_input(
                cleaner, opened, sys.stdout.buffer, options, say, progress.document, audit
            )
        else:
            with atomic_output(task.target, backup) as handle:
                writer = compress(handle, compression_of(task.target.name))
                try:
                    tally = clean_input(
                        cleaner, opened, writer, options, say, progress.document, audit
                    )
                except InputError as exc:  # cut short: what was read is written, then said
                    problem = exc
                if writer is not handle:
                    writer.close()
    except InputError as exc:
        problem = exc
    except WriteError as exc:
        if task.target is None:  # stdout is gone for every input after this one too: stop
            say(f"cleaner: <stdout>: cannot write: {exc}; stopped at {opened.source}")
            drop_stdout_buffer()
            raise StdoutGoneError from None
        say(f"cleaner: {task.target}: cannot write: {exc}; {opened.source} not cleaned")
        return None
    except BrokenPipeError:
        raise
    except OSError as exc:
        # a read error after the file opened (EIO on a failing disk, a vanished mount); with
        # -o nothing is written, on stdout what came before the error is already out
        say(f"cleaner: {opened.source}: cannot read: {exc.strerror or exc}")
        return None
    finally:
        opened.close()
    if problem is not None:
        say(f"cleaner: {problem}")
        return None
    return tally


def drop_stdout_buffer() -> None:
    """Point stdout at /dev/null, so the bytes it could not write are not retried at exit."""
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
