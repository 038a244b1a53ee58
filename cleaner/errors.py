"""Exceptions of the library and the exit codes the CLI maps them to.

The CLI is the only place that turns these into exit codes; the library raises, never exits.
"""

from __future__ import annotations

EXIT_OK = 0
"""Everything was cleaned."""
EXIT_INPUT = 1
"""An input could not be read (missing, a folder, unreadable); the others were still cleaned."""
EXIT_USAGE = 2
"""Bad command line or a rule file that does not load; nothing was cleaned."""
EXIT_INTERRUPTED = 130
"""Ctrl-C (128 + SIGINT), as shells report it."""
EXIT_TERMINATED = 143
"""SIGTERM (128 + 15), e.g. from ``kill`` or a job scheduler; no half-written output file."""
EXIT_BROKEN_PIPE = 141
"""The reader of stdout went away (``cleaner big.txt | head``): 128 + SIGPIPE, no traceback."""


class CleanerError(Exception):
    """Base class of every error the library raises on purpose."""


class RuleFileError(CleanerError):
    """One or more rule files are invalid; ``problems`` holds every problem found, in order.

    Each problem is one line ``FILE:LINE: rule 'ID': PROBLEM`` so authors fix a file in one pass.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class InputError(CleanerError):
    """An input could not be read; the message names it and says why."""


class StopRunError(CleanerError):
    """The run must stop here (a malformed JSONL record with ``--on-error stop``); exit 1."""
