"""The datatrove step and the Ray Data adapter give, record for record, what the CLI gives.

The reference is ``cleaner --format jsonl`` on fixtures/jsonl/small.jsonl (the seed pages and
multilingual records with debris). Tests that need datatrove or Ray skip with the reason when
they are not installed, except under ``CLEANER_CI=1`` (set by .ci/run), where a missing
engine fails the run: CI never passes by skipping them.
"""

from __future__ import annotations

import importlib
import json
import os
import pickle
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner

from cleaner import Cleaner, CleanerConfig, CleanerError, RuleFileError
from cleaner.changes import RuleCount, change_record, rule_counts
from cleaner.cli import main
from cleaner.integrations.portable import PortableRules

from .conftest import FIXTURES, REPO

CORPUS = FIXTURES / "jsonl" / "small.jsonl"
REQUIRED = os.environ.get("CLEANER_CI") == "1"
ENGINES = ("datatrove", "ray", "pyarrow", "pandas")


def need(module: str) -> ModuleType:
    """Import ``module``, or skip (locally) / fail (under CLEANER_CI=1) saying why."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        reason = f"{module} is not installed ({exc}); pip install -e '.[datatrove,ray]'"
        if REQUIRED:
            pytest.fail(f"CLEANER_CI=1 and {reason}")
        pytest.skip(reason)


def records(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="module")
def corpus() -> list[dict[str, Any]]:
    return records(CORPUS)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """``cleaner --format jsonl`` on the corpus, by record id."""
    out = tmp_path_factory.mktemp("cli") / "out.jsonl"
    result = CliRunner().invoke(main, ["--format", "jsonl", "-q", "-o", str(out), str(CORPUS)])
    assert result.exit_code == 0, result.output
    cleaned = records(out)
    return {r["id"]: r for r in cleaned}


@pytest.fixture(scope="module")
def cli_stats(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """``cleaner --stats`` on the corpus: per rule and per repair, changes, documents, chars."""
    folder = tmp_path_factory.mktemp("stats")
    args = ["--stats", str(folder / "stats.json"), "-q", "-o", str(folder / "out.jsonl")]
    result = CliRunner().invoke(main, [*args, str(CORPUS)])
    assert result.exit_code == 0, result.output
    stats: dict[str, Any] = json.loads((folder / "stats.json").read_text(encoding="utf-8"))
    return {**stats["rules"], **stats["repairs"]}


@pytest.fixture(scope="module")
def expected_counts(
    corpus: list[dict[str, Any]], cli_stats: dict[str, Any]
) -> dict[str, RuleCount]:
    """Per-rule counts over the corpus as ``cleaner --stats`` reports them."""
    cleaner = Cleaner()
    total: dict[str, RuleCount] = {}
    for record in corpus:
        for rule_id, count in rule_counts(cleaner.clean(record["text"]).changes).items():
            into = total.setdefault(rule_id, RuleCount())
            into.changes += count.changes
            into.removed_chars += count.removed_chars
    from_stats = {k: RuleCount(v["changes"], v["chars"]) for k, v in cli_stats.items()}
    assert total == from_stats  # the library's counts are the CLI's --stats
    return from_stats


def test_reference_cleans_the_corpus(
    corpus: list[dict[str, Any]], reference: dict[str, dict[str, Any]]
) -> None:
    # The comparisons below mean something only if the CLI changes most records.
    assert len(reference) == len(corpus) == 13
    unchanged = [r["id"] for r in corpus if reference[r["id"]]["text"] == r["text"]]
    assert unchanged == ["seed-002", "ru-clean", "empty"]
    assert reference["de-cookie"]["text"] == (
        "Der Gemeinderat hat am Dienstag beschlossen, die Brücke über den Fluss bis zum "
        "Herbst zu sanieren.\nDie Kosten von 1,2 Millionen Euro trägt zur Hälfte das Land.\n"
    )
    for record in corpus:  # the CLI's text is the library's
        assert reference[record["id"]]["text"] == Cleaner().clean(record["text"]).text


# -- the core install -------------------------------------------------------------------------


def test_core_dependencies_pull_no_engine() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = [
        dep.split("[")[0].split(">")[0].split("=")[0].strip().lower()
        for dep in project["dependencies"]
    ]
    assert not set(names) & set(ENGINES)
    extras = project["optional-dependencies"]
    assert any(dep.startswith("datatrove") for dep in extras["datatrove"])
    assert any(dep.startswith("ray[data]") for dep in extras["ray"])


def test_import_cleaner_imports_no_engine() -> None:
    code = (
        "import sys, cleaner, cleaner.integrations.portable\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(ENGINES)!r}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- rules travel inside the step -------------------------------------------------------------


def test_rules_travel_without_their_file(tmp_path: Path) -> None:
    rule_file = tmp_path / "site.toml"
    rule_file.write_text(
        '[pack]\nname = "site"\n\n[[rule]]\nid = "site.promo"\n'
        'why = "The promo line of one site."\naction = "drop-line"\n'
        'phrases = ["Jetzt im Shop bestellen"]\nmatch.de = ["Jetzt im Shop bestellen"]\n'
        'keep.de = ["Im Shop kann man jetzt bestellen, sagt die Verkäuferin am Telefon."]\n'
        'keep.en = ["You can order in the shop now, the clerk said on the phone."]\n',
        encoding="utf-8",
    )
    shipped = pickle.dumps(PortableRules(CleanerConfig(rules=(rule_file,))))
    rule_file.unlink()  # the worker's filesystem does not have it
    cleaner = pickle.loads(shipped).cleaner()
    text = "Ein Absatz mit Inhalt.\nJetzt im Shop bestellen\n[ad_1]\n"
    result = cleaner.clean(text)
    assert result.text == "Ein Absatz mit Inhalt.\n"
    assert [c.rule_id for c in result.changes][:2] == ["site.promo", "wp.ad-shortcode"]


def test_rules_refuse_a_worker_with_another_version() -> None:
    rules = PortableRules()
    state = rules.__getstate__()
    with pytest.raises(CleanerError, match=r"built with cleaner 0\.0\.1 but this worker has"):
        PortableRules.__new__(PortableRules).__setstate__(("0.0.1", *state[1:]))
    assert pickle.loads(pickle.dumps(rules)).rules == rules.rules


def test_a_bad_rule_file_fails_where_the_job_is_defined(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[pack]\nname = "bad"\n\n[[rule]]\nid = "bad.x"\n', encoding="utf-8")
    with pytest.raises(RuleFileError):
        PortableRules(CleanerConfig(rules=(bad,)))


# -- datatrove --------------------------------------------------------------------------------


def shard(corpus: list[dict[str, Any]], folder: Path, parts: int) -> None:
    """Write the corpus as ``parts`` JSONL files: datatrove gives each task whole files."""
    folder.mkdir()
    size = -(-len(corpus) // parts)
    for i in range(parts):
        with (folder / f"part-{i}.jsonl").open("w", encoding="utf-8") as f:
            for record in corpus[i * size : (i + 1) * size]:
                f.write(json.dumps(record, ensure_ascii=False) + "\n")


def datatrove_pipeline(tmp_path: Path, corpus: list[dict[str, Any]]) -> list[Any]:
    """JsonlReader -> CleanerFormatter -> JsonlWriter over the corpus in two shards."""
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    from cleaner.integrations.datatrove import CleanerFormatter

    shard(corpus, tmp_path / "in", 2)
    return [
        JsonlReader(str(tmp_path / "in"), add_file_path=False),
        CleanerFormatter(),
        JsonlWriter(str(tmp_path / "out"), expand_metadata=True, compression=None),
    ]


def assert_datatrove_output(out: Path, reference: dict[str, dict[str, Any]]) -> None:
    files = sorted(out.glob("*.jsonl"))
    assert len(files) == 2  # both tasks had work
    got = {r["id"]: r for path in files for r in records(path)}
    # datatrove's reader skips a record with empty text (with a warning): that one is absent
    expected = {i: r for i, r in reference.items() if r["text"]}
    assert set(got) == set(expected)
    for record_id, record in expected.items():
        assert got[record_id] == record, record_id


def test_datatrove_pipeline_matches_the_cli(
    tmp_path: Path,
    corpus: list[dict[str, Any]],
    reference: dict[str, dict[str, Any]],
    expected_counts: dict[str, RuleCount],
    cli_stats: dict[str, Any],
) -> None:
    """Per-rule counts from datatrove's stats match ``cleaner --stats`` on the same input."""
    need("datatrove")
    need("orjson")
    from datatrove.executor import LocalPipelineExecutor

    pipeline = datatrove_pipeline(tmp_path, corpus)
    # workers=2: each task runs in its own process, so the step is pickled (dill), as on Slurm
    stats = LocalPipelineExecutor(
        pipeline, tasks=2, workers=2, logging_dir=str(tmp_path / "logs")
    ).run()
    assert_datatrove_output(tmp_path / "out", reference)

    step = next(s for s in stats.stats if "cleaner" in s.name)
    counted = {
        label.removeprefix("changes/"): metric.total
        for label, metric in step.stats.items()
        if label.startswith("changes/")
    }
    assert counted == {rule_id: c.changes for rule_id, c in expected_counts.items()}
    removed = {
        label.removeprefix("removed_chars/"): metric.total
        for label, metric in step.stats.items()
        if label.startswith("removed_chars/")
    }
    assert removed == {rule_id: c.removed_chars for rule_id, c in expected_counts.items()}
    documents = {
        label.removeprefix("changes/"): metric.n
        for label, metric in step.stats.items()
        if label.startswith("changes/")
    }
    assert documents == {rule_id: row["documents"] for rule_id, row in cli_stats.items()}
    assert step.stats["total"].total == len(corpus) - 1  # all but the empty record
    assert step.stats["changed"].total == 10
    saved = json.loads((tmp_path / "logs" / "stats.json").read_text(encoding="utf-8"))
    assert any("changes/comments.form-tail" in json.dumps(s) for s in saved)
    # executor.json shows the shipped rules as a summary, not 300 KB of them
    executor = (tmp_path / "logs" / "executor.json").read_text(encoding="utf-8")
    assert f"{len(Cleaner().rules)} rules of packs banners, comments" in executor


def test_datatrove_annotate_puts_the_changes_in_metadata(corpus: list[dict[str, Any]]) -> None:
    need("datatrove")
    from datatrove.data import Document

    from cleaner.integrations.datatrove import CleanerFormatter

    step = pickle.loads(pickle.dumps(CleanerFormatter(annotate=True)))
    docs = [Document(text=r["text"], id=r["id"]) for r in corpus[5:7]]
    out = list(step.run(iter(docs)))
    cleaner = Cleaner()
    for record, doc in zip(corpus[5:7], out, strict=True):
        changes = cleaner.clean(record["text"]).changes
        assert doc.metadata["cleaner"] == [change_record(c) for c in changes]
        assert doc.metadata["cleaner"]
    assert step.format("[ad_1]\nEin Satz mit Inhalt.\n") == "Ein Satz mit Inhalt.\n"


# -- Ray Data ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[ModuleType]:
    ray = need("ray")
    need("ray.data")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield ray
    finally:
        ray.shutdown()


@pytest.mark.timeout(120)
def test_ray_dataset_matches_the_cli(
    ray_cluster: ModuleType, reference: dict[str, dict[str, Any]]
) -> None:
    from cleaner.integrations.ray import clean_dataset

    ds = ray_cluster.data.read_json(str(CORPUS))
    # two actors of half a CPU each: the read tasks get the rest of the two CPUs
    got = clean_dataset(ds, concurrency=2, batch_size=4, num_cpus=0.5).take_all()
    assert len(got) == len(reference)
    for row in got:
        assert row == reference[row["id"]], row["id"]


@pytest.mark.timeout(120)
def test_ray_pandas_batches_match_the_cli(
    ray_cluster: ModuleType, reference: dict[str, dict[str, Any]]
) -> None:
    from cleaner.integrations.ray import BatchCleaner

    ds = ray_cluster.data.read_json(str(CORPUS))
    got = ds.map_batches(
        BatchCleaner,
        fn_constructor_kwargs={"rules": PortableRules()},
        batch_format="pandas",
        batch_size=5,
        compute=ray_cluster.data.ActorPoolStrategy(size=1),
        num_cpus=0.5,
    ).take_all()
    assert {row["id"]: row["text"] for row in got} == {i: r["text"] for i, r in reference.items()}


def test_batch_cleaner_removals_column(corpus: list[dict[str, Any]]) -> None:
    pa = need("pyarrow")
    pd = need("pandas")
    from cleaner.integrations.ray import BatchCleaner

    rows = [*corpus[5:8], {"id": "null", "url": None, "lang": None, "text": None}]
    clean = BatchCleaner(text_column="body", removals_column="removed")
    cleaner = Cleaner()
    expected = [
        [] if r["text"] is None else [change_record(c) for c in cleaner.clean(r["text"]).changes]
        for r in rows
    ]
    texts = [None if r["text"] is None else cleaner.clean(r["text"]).text for r in rows]

    table = pa.Table.from_pylist([{**r, "body": r["text"]} for r in rows])
    out = clean(table)
    assert out.column("body").to_pylist() == texts
    assert out.column("removed").to_pylist() == expected
    assert out.column("text").to_pylist() == [r["text"] for r in rows]  # other columns kept

    frame = pd.DataFrame([{**r, "body": r["text"]} for r in rows])
    out_frame = clean(frame)
    assert out_frame["body"].tolist()[:3] == texts[:3]
    assert pd.isna(out_frame["body"].tolist()[3])
    assert out_frame["removed"].tolist() == expected
    assert frame["body"].tolist()[:3] == [r["text"] for r in rows[:3]]  # input left alone

    with pytest.raises(KeyError, match="no column 'body'"):
        clean(pa.Table.from_pylist([{"text": "x"}]))


@pytest.mark.timeout(120)
def test_datatrove_on_its_ray_executor_matches_the_cli(
    tmp_path: Path,
    ray_cluster: ModuleType,
    corpus: list[dict[str, Any]],
    reference: dict[str, dict[str, Any]],
) -> None:
    need("datatrove")
    from datatrove.executor.ray import RayPipelineExecutor

    pipeline = datatrove_pipeline(tmp_path, corpus)
    RayPipelineExecutor(
        pipeline, tasks=2, logging_dir=str(tmp_path / "logs"), mem_per_cpu_gb=0.5
    ).run()
    assert_datatrove_output(tmp_path / "out", reference)
