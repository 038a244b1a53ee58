"""A datatrove pipeline step (a formatter) that cleans ``Document.text`` as the CLI would.

For corpora cleaned with datatrove's executors (local, Slurm, Ray); the step holds no open
resources and no global state, so every executor can pickle it. Reading and writing stay
datatrove's (``JsonlReader``, ``JsonlWriter``, ...).

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from cleaner.integrations.datatrove import CleanerFormatter

    if __name__ == "__main__":  # datatrove's workers re-import the script
        LocalPipelineExecutor(
            [JsonlReader("in/"), CleanerFormatter(), JsonlWriter("out/")], tasks=2
        ).run()
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cleaner.changes import change_record, rule_counts
from cleaner.documents import site_of
from cleaner.engine import Cleaner, CleanerConfig
from cleaner.integrations.portable import PortableRules

try:
    from datatrove.data import Document, DocumentsPipeline
    from datatrove.pipeline.formatters.base import BaseFormatter
    from datatrove.utils.typeshelper import StatHints
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        f"cleaner.integrations.datatrove needs datatrove ({exc}); "
        "install it with: pip install 'cleaner[datatrove]'"
    ) from exc

METADATA_KEY = "cleaner"
"""``document.metadata[METADATA_KEY]``: the document's changes, with ``annotate=True``."""


class CleanerFormatter(BaseFormatter):  # type: ignore[misc]  # datatrove is untyped
    """Clean each document's text with cleaner's rules; count changes per rule in the stats.

    ``config`` is loaded and checked here, where the pipeline is built, and its rules travel
    inside the step (see ``cleaner.integrations.portable``); pass ``rules`` instead to share
    one ``PortableRules`` between steps. Per task the rules are compiled once.

    Stats, per rule id: ``changes/<id>`` (its total is the number of changes, the same count
    as ``cleaner.changes.rule_counts``; its ``n`` the documents it changed) and
    ``removed_chars/<id>``; and ``changed`` (documents whose text changed) besides datatrove's
    ``total``. With ``annotate=True`` each document's changes go, as dicts with the fields of
    ``cleaner.Change``, to ``document.metadata["cleaner"]`` (a list, empty if nothing changed).
    """

    name = "🧹 cleaner"

    def __init__(
        self,
        config: CleanerConfig | None = None,
        *,
        rules: PortableRules | None = None,
        annotate: bool = False,
    ) -> None:
        super().__init__()
        if rules is not None and config is not None:
            raise ValueError("pass either config or rules (which carry their config), not both")
        self.rules = rules if rules is not None else PortableRules(config)
        self.annotate = annotate
        self._cleaner: Cleaner | None = None

    def format(self, text: str) -> str:
        """Return ``text`` cleaned (no stats, no metadata)."""
        if self._cleaner is None:
            self._cleaner = self.rules.cleaner()
        return self._cleaner.clean(text).text

    def run(
        self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1
    ) -> Iterator[Document]:
        """Yield each document of ``data`` with its text cleaned, updating the stats."""
        if self._cleaner is None:
            self._cleaner = self.rules.cleaner()  # once per task: each task unpickles a step
        cleaner = self._cleaner
        for doc in data:
            self.stat_update(StatHints.total)
            with self.track_time():
                url = doc.metadata.get("url")
                result = cleaner.clean(
                    doc.text, site=site_of(url) if isinstance(url, str) else None
                )
            if result.text != doc.text:  # not a document the safety valve kept as it was
                self.stat_update("changed")
            doc.text = result.text
            for rule_id, count in rule_counts(result.changes).items():
                self.stat_update(f"changes/{rule_id}", value=count.changes)
                self.stat_update(f"removed_chars/{rule_id}", value=count.removed_chars)
            if self.annotate:
                doc.metadata[METADATA_KEY] = [change_record(c) for c in result.changes]
            yield doc

    def __getstate__(self) -> dict[str, Any]:
        # The compiled rules hold regex objects (~0.5 MB pickled): workers compile their own.
        state = self.__dict__.copy()
        state["_cleaner"] = None
        return state
