"""cleaner: remove web debris from scraped text and repair its encoding, keeping the content.

>>> from cleaner import Cleaner
>>> Cleaner().clean("Ein Satz mit Inhalt.\\n[ad_1]\\n").text
'Ein Satz mit Inhalt.\\n'
"""

from __future__ import annotations

from cleaner.engine import Cleaner, CleanerConfig, clean_text
from cleaner.errors import CleanerError, InputError, RuleFileError
from cleaner.model import Action, Change, CleanResult, Rule, RuleSet
from cleaner.rules import load_rules


def __getattr__(name: str) -> str:
    """``__version__``, read from the installed metadata on first use (importlib.metadata
    costs ~70 ms of imports, every start of the command line tool paid for it)."""
    if name != "__version__":
        raise AttributeError(f"module 'cleaner' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("cleaner")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0+unknown"


__all__ = [
    "Action",
    "Change",
    "CleanResult",
    "Cleaner",
    "CleanerConfig",
    "CleanerError",
    "InputError",
    "Rule",
    "RuleFileError",
    "RuleSet",
    "__version__",
    "clean_text",
    "load_rules",
]
