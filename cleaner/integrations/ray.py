"""Clean a text column of a Ray Data ``Dataset``: a callable class for ``map_batches``.

For corpora already in Ray Data (read, deduplicate, write there); reading and writing stay
Ray's. Each actor compiles the rules once in ``__init__`` and cleans every batch it is given.

    import ray
    from cleaner.integrations.ray import clean_dataset

    ds = clean_dataset(ray.data.read_json("in/"), concurrency=4)
    ds.write_json("out/")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cleaner.changes import change_record
from cleaner.documents import site_of
from cleaner.engine import CleanerConfig
from cleaner.integrations.portable import PortableRules
from cleaner.model import CleanResult

if TYPE_CHECKING:
    import ray.data

CHANGE_FIELDS = (
    ("rule_id", "string"),
    ("action", "string"),
    ("line", "int64"),
    ("start", "int64"),
    ("end", "int64"),
    ("text", "string"),
    ("replacement", "string"),
)
"""The removals column's struct fields: those of ``cleaner.Change``, typed for Arrow."""


class BatchCleaner:
    """Clean ``text_column`` of a pyarrow or pandas batch; for ``Dataset.map_batches``.

    Rules: ``rules`` (a ``PortableRules`` built on the driver, which is what ``clean_dataset``
    passes, so actors need no rule files), else ``config`` loaded in this actor. A null text
    stays null. With ``removals_column``, that column gets each row's changes: a list of
    structs with the fields of ``cleaner.Change`` (empty if nothing changed).
    """

    def __init__(
        self,
        config: CleanerConfig | None = None,
        *,
        rules: PortableRules | None = None,
        text_column: str = "text",
        removals_column: str | None = None,
        site_column: str | None = "url",
    ) -> None:
        if rules is not None and config is not None:
            raise ValueError("pass either config or rules (which carry their config), not both")
        self.rules = rules if rules is not None else PortableRules(config)
        self.cleaner = self.rules.cleaner()
        self.text_column = text_column
        self.removals_column = removals_column
        self.site_column = site_column

    def __call__(self, batch: Any) -> Any:
        """Return the batch with its text column cleaned (same format as it came in)."""
        kind = type(batch).__module__.partition(".")[0]
        if kind == "pyarrow":
            return self._arrow(batch)
        if kind == "pandas":
            return self._pandas(batch)
        raise TypeError(
            f"BatchCleaner takes pyarrow or pandas batches, not {type(batch).__name__}: "
            "use map_batches(..., batch_format='pyarrow')"
        )

    def _clean(self, texts: list[Any], urls: list[Any]) -> list[CleanResult | None]:
        # pandas may hold a missing text as NaN rather than None: only strings are cleaned;
        # a row's URL (site_column) scopes the site rules, as the CLI's --site-field does
        return [
            self.cleaner.clean(text, site=site_of(url) if isinstance(url, str) else None)
            if isinstance(text, str)
            else None
            for text, url in zip(texts, urls, strict=True)
        ]

    def _missing(self, columns: list[str]) -> KeyError:
        return KeyError(f"no column {self.text_column!r} to clean; the columns are {columns}")

    def _arrow(self, table: Any) -> Any:
        import pyarrow as pa

        index = table.schema.get_field_index(self.text_column)
        if index < 0:
            raise self._missing(table.column_names)
        field = table.schema.field(index)
        if not (pa.types.is_string(field.type) or pa.types.is_large_string(field.type)):
            raise TypeError(f"column {self.text_column!r} holds {field.type}, not text")
        texts_in = table.column(index).to_pylist()
        has_site = self.site_column is not None and self.site_column in table.column_names
        urls = table.column(self.site_column).to_pylist() if has_site else [None] * len(texts_in)
        results = self._clean(texts_in, urls)
        texts = [None if r is None else r.text for r in results]
        table = table.set_column(index, field, pa.array(texts, type=field.type))
        if self.removals_column is None:
            return table
        change_type = pa.struct([(name, getattr(pa, kind)()) for name, kind in CHANGE_FIELDS])
        removals = pa.array(_removals(results), type=pa.list_(change_type))
        existing = table.schema.get_field_index(self.removals_column)
        if existing >= 0:
            return table.set_column(existing, self.removals_column, removals)
        return table.append_column(self.removals_column, removals)

    def _pandas(self, frame: Any) -> Any:
        if self.text_column not in frame.columns:
            raise self._missing(list(frame.columns))
        texts_in = frame[self.text_column].tolist()
        has_site = self.site_column is not None and self.site_column in frame.columns
        urls = frame[self.site_column].tolist() if has_site else [None] * len(texts_in)
        results = self._clean(texts_in, urls)
        frame = frame.copy(deep=False)  # the batch Ray hands over may be shared
        texts = frame[self.text_column].tolist()
        frame[self.text_column] = [
            t if r is None else r.text for t, r in zip(texts, results, strict=True)
        ]
        if self.removals_column is not None:
            frame[self.removals_column] = _removals(results)
        return frame


def _removals(results: list[CleanResult | None]) -> list[list[dict[str, Any]]]:
    return [[] if r is None else [change_record(c) for c in r.changes] for r in results]


def clean_dataset(
    ds: ray.data.Dataset,
    *,
    text_column: str = "text",
    config: CleanerConfig | None = None,
    removals_column: str | None = None,
    concurrency: int | tuple[int, int] | None = None,
    batch_size: int | None = None,
    **map_batches_options: Any,
) -> ray.data.Dataset:
    """Return ``ds`` with ``text_column`` cleaned (lazily, as Ray Data goes).

    The rules are loaded and checked here, on the driver (a bad rule file raises
    ``RuleFileError`` before anything runs), and travel to the actors with the class.
    ``concurrency``: a fixed number of actors, or ``(min, max)`` for an autoscaling pool;
    None lets Ray Data choose. Each actor holds one CPU unless ``num_cpus`` (one of the
    ``map_batches_options``, passed on to ``Dataset.map_batches``) says otherwise: leave a
    CPU free for the read tasks, or a cluster with as many CPUs as actors waits forever.
    Batches are pyarrow tables.
    """
    import ray.data

    if isinstance(concurrency, int):
        compute = ray.data.ActorPoolStrategy(size=concurrency)
    elif concurrency is not None:
        compute = ray.data.ActorPoolStrategy(min_size=concurrency[0], max_size=concurrency[1])
    else:
        compute = None
    return ds.map_batches(
        BatchCleaner,
        fn_constructor_kwargs={
            "rules": PortableRules(config),
            "text_column": text_column,
            "removals_column": removals_column,
        },
        batch_format="pyarrow",
        batch_size=batch_size,
        compute=compute,
        **map_batches_options,
    )
