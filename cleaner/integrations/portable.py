"""Rules that travel to workers inside a pipeline step, so workers need no shared filesystem.

Why not ship the ``CleanerConfig`` and let each worker load the rule files it names: a Slurm
node or a Ray worker often cannot read the driver's disk, and a worker whose installed
``cleaner`` differs from the driver's would clean with other shipped packs. Why not ship the
files' text and parse it on each worker: parsing with the load-time checks (the slow-pattern
probe) costs ~0.4 s per task, unpickling the parsed rules ~3 ms and compiling them ~30 ms. So
the rules are loaded, checked and selected once, where the job is defined (a bad rule file
fails there, before any job is submitted), and the selected ``Rule`` values are pickled with
the step: ~270 KB for the 102 default rules. Workers still need ``cleaner`` installed (the
same version, for the engine code and the ``Rule`` class), but none of the rule files.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from cleaner.engine import Cleaner, CleanerConfig, select_rules
from cleaner.errors import CleanerError
from cleaner.model import Rule
from cleaner.rules import load_rules


def _version() -> str:
    try:
        return version("cleaner")
    except PackageNotFoundError:  # a source tree that was never installed
        return "unknown"


class PortableRules:
    """The rules a ``CleanerConfig`` selects, loaded once and picklable; ``cleaner()`` compiles.

    Raises ``RuleFileError`` (every problem of every file) when built, not on a worker; and
    ``CleanerError`` when unpickled where another version of ``cleaner`` is installed (its
    ``Rule`` class and engine may differ, and the output would not be the driver's).
    """

    __slots__ = ("config", "rules", "version")

    def __init__(self, config: CleanerConfig | None = None) -> None:
        self.version = _version()
        self.config = config or CleanerConfig()
        rule_set = load_rules(self.config.rules, defaults=self.config.defaults)
        self.rules: tuple[Rule, ...] = tuple(select_rules(rule_set, self.config))

    def cleaner(self) -> Cleaner:
        """Return a ``Cleaner`` compiled from these rules (once per task or actor: ~30 ms)."""
        return Cleaner(self.config, rules=self.rules)

    def __str__(self) -> str:
        # datatrove's executor.json shows a step's attributes with str(): a summary, not 300 KB.
        packs = sorted({rule.pack for rule in self.rules})
        return f"{len(self.rules)} rules of packs {', '.join(packs)}"

    def __repr__(self) -> str:
        return f"<PortableRules: {self}>"

    def __getstate__(self) -> tuple[str, CleanerConfig, tuple[Rule, ...]]:
        return self.version, self.config, self.rules

    def __setstate__(self, state: tuple[str, CleanerConfig, tuple[Rule, ...]]) -> None:
        self.version, self.config, self.rules = state
        here = _version()
        if self.version != here:
            raise CleanerError(
                f"these rules were built with cleaner {self.version} but this worker has "
                f"cleaner {here}: install the same version on every node"
            )
