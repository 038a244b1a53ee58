"""The progress bar of long runs: on stderr, only when a person is watching.

Shown when stderr is a terminal (or with ``--progress``), never with ``--quiet``, so pipelines
and logs stay quiet. It counts documents and input bytes (compressed files count their bytes
on disk), with the rate, and the time left when the total is known (files, not stdin).
"""

from __future__ import annotations

import io
from types import TracebackType
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


class RunProgress:
    """A progress bar for one run; every method is a no-op when it is not shown."""

    def __init__(self, total_bytes: int | None, shown: bool) -> None:
        self.shown = shown
        self.docs = 0
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        if shown:
            # imported here: rich costs ~50 ms of imports, and pipelines never show a bar
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
                TransferSpeedColumn,
            )

            self._bar = Progress(
                TextColumn("[bold]cleaner"),
                BarColumn(),
                TextColumn("{task.fields[docs]:,} docs"),
                DownloadColumn(),
                TransferSpeedColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=False,
            )
            self._task = self._bar.add_task("clean", total=total_bytes, docs=0)

    def __enter__(self) -> RunProgress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.stop()

    def read(self, nbytes: int) -> None:
        """Count ``nbytes`` more of input read."""
        if self._bar is not None and self._task is not None:
            self._bar.advance(self._task, nbytes)

    def document(self, count: int = 1) -> None:
        """Count ``count`` more documents cleaned."""
        self.docs += count
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, docs=self.docs)


class CountingReader(io.RawIOBase):
    """A raw reader that reports how many bytes pass through it (for the progress bar)."""

    def __init__(self, raw: BinaryIO, progress: RunProgress) -> None:
        self.raw = raw
        self.progress = progress

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        count = self.raw.readinto(buffer)  # type: ignore[attr-defined]
        if count:
            self.progress.read(count)
        return int(count or 0)

    def close(self) -> None:
        self.raw.close()
        super().close()
