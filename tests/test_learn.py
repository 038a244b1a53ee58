"""cleaner learn: the lines it proposes, the rule file it writes, its determinism and bound."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from cleaner import Cleaner, CleanerConfig, load_rules
from cleaner.cli import main
from cleaner.learn import (
    LearnOptions,
    learn,
    line_key,
    looks_like_prose,
    toml_string,
    write_rules,
)
from cleaner.ruletest import run_rule_tests

from .learn_corpus import documents, prose_lines, truth, write_jsonl

DOCS = documents()


def proposed(options: LearnOptions | None = None, docs: list = DOCS) -> dict[str, set[str]]:  # type: ignore[type-arg]
    found = learn(lambda: docs, options)
    return {site.site: {line.key for line in site.lines} for site in found.sites}


def test_proposes_exactly_the_chrome_lines() -> None:
    got, want = proposed(), truth()
    pairs_got = {(site, key) for site, keys in got.items() for key in keys}
    pairs_want = {(site, key) for site, keys in want.items() for key in keys}
    hits = len(pairs_got & pairs_want)
    assert hits / len(pairs_got) == 1.0  # precision
    assert hits / len(pairs_want) == 1.0  # recall
    assert len(pairs_want) == 11


def test_prose_lines_only_with_include_prose() -> None:
    found = learn(lambda: DOCS)
    news = next(site for site in found.sites if site.site == "news.example")
    assert [line.text for line in news.prose] == [
        "The views expressed in this article are those of the author and not of the paper."
    ]
    assert proposed(LearnOptions(include_prose=True)) == truth(include_prose=True)


def test_thresholds_are_options() -> None:
    strict = proposed(LearnOptions(min_share=0.9))
    assert strict["news.example"] == {
        line_key("Home | World | Business | Sport"),
        line_key("© 2024 Example News Ltd. All rights reserved."),
    }
    assert proposed(LearnOptions(min_docs=100)) == {}
    assert line_key("Alle Preise inkl. MwSt. zzgl. Versand") not in proposed(
        LearnOptions(max_chars=20)
    ).get("laden.example.de", set())


def test_written_file_loads_passes_its_examples_and_round_trips(tmp_path: Path) -> None:
    found = learn(lambda: DOCS)
    path = tmp_path / "learned.toml"
    path.write_text(write_rules(found, LearnOptions()), encoding="utf-8")
    results = run_rule_tests([path])
    assert results and all(result.ok for result in results), [r.problem for r in results]
    rules = load_rules([path], defaults=False).rules
    assert {rule.sites for rule in rules} == {
        ("blog.example.net",),
        ("laden.example.de",),
        ("news.example",),
    }
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    phrases = {p for rule in data["rule"] for p in rule.get("phrases", [])}
    assert '"Quoted" \\ back\tslash line' in phrases  # escaped and read back exactly
    why = {rule["id"]: rule["why"] for rule in data["rule"]}
    assert why["learned.news-example.numbered"] == (
        "A line in 58 of 60 pages of news.example, found by cleaner learn."
    )


def test_applying_the_learned_file_removes_chrome_and_keeps_every_prose_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "learned.toml"
    path.write_text(write_rules(learn(lambda: DOCS), LearnOptions()), encoding="utf-8")
    cleaner = Cleaner(CleanerConfig(rules=(path,), defaults=False))
    want = truth()
    prose = set(prose_lines())
    for doc in DOCS:
        out = cleaner.clean(doc.text, site=doc.site).text
        before, after = doc.text.splitlines(), out.splitlines()
        assert [line for line in before if line in prose] == [
            line for line in after if line in prose
        ]
        chrome = want.get(doc.site or "", set())
        assert not [line for line in after if line_key(line) in chrome]
        # other sites' chrome is not touched: a page's own lines decide
        if doc.site is None or doc.site not in want:
            assert out == doc.text


def test_same_input_same_file_whatever_the_hash_seed(tmp_path: Path) -> None:
    corpus = write_jsonl(DOCS, tmp_path / "corpus.jsonl")
    outputs = []
    for seed in ("1", "2"):
        target = tmp_path / f"learned-{seed}.toml"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-m", "cleaner", "learn", str(corpus), "-o", str(target), "-q"],
            check=True,
            env=env,
        )
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
    assert outputs[0] == write_rules(learn(lambda: DOCS), LearnOptions()).encode()


def test_candidate_table_stays_within_the_budget() -> None:
    # 20 unique lines per page: 3000 distinct lines, far more than the budget of 40
    big = documents(filler=20)
    assert len({line_key(line) for doc in big for line in doc.text.splitlines()}) > 3000
    found = learn(lambda: big, LearnOptions(budget=40, width=1 << 16))
    assert found.stats.candidates <= 40
    assert found.stats.refused == 0
    assert {s.site: {line.key for line in s.lines} for s in found.sites} == truth()
    tiny = learn(lambda: big, LearnOptions(budget=3, width=1 << 16))
    assert tiny.stats.candidates == 3
    assert tiny.stats.refused > 0  # reported, so the user raises --budget


def test_cli_learn_then_clean_jsonl_with_it(tmp_path: Path) -> None:
    corpus = write_jsonl(DOCS, tmp_path / "corpus.jsonl")
    target = tmp_path / "learned.toml"
    result = CliRunner().invoke(main, ["learn", str(corpus), "-o", str(target)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == (
        "cleaner learn: 154 documents (1 without a site), 11 lines proposed for 3 sites; "
        "12 of --budget 100000 exact counters used\n"
    )
    tested = CliRunner().invoke(main, ["rules", "test", str(target)])
    assert tested.exit_code == 0, tested.stdout
    cleaned = CliRunner().invoke(main, ["--rules", str(target), str(corpus)])
    assert cleaned.exit_code == 0, cleaned.stderr
    assert "Sign up for our morning briefing" not in cleaned.stdout
    assert "Home | World | Business | Sport" not in cleaned.stdout


def test_cli_learn_refuses_stdin_and_reports_missing_input(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["learn", "-"], input="{}\n")
    assert result.exit_code == 2
    assert "learn reads its inputs twice; save stdin to a file first" in result.stderr
    missing = CliRunner().invoke(main, ["learn", str(tmp_path / "nope.jsonl")])
    assert missing.exit_code == 1
    assert missing.stderr == f"cleaner: {tmp_path / 'nope.jsonl'}: No such file or directory\n"


@pytest.mark.parametrize(
    "text", ["plain", 'quote " and \\ backslash', "tab\tand\x7fdel\x01", "ünï ‘quotes’ 字"]
)
def test_toml_string_round_trips(text: str) -> None:
    assert tomllib.loads(f"x = {toml_string(text)}")["x"] == text


def test_prose_detector_on_real_and_chrome_lines() -> None:
    assert all(looks_like_prose(line) for line in prose_lines() if line.endswith("."))
    assert not looks_like_prose("Alle Preise inkl. MwSt. zzgl. Versand")
    assert not looks_like_prose("Sign up for our morning briefing")


def test_lines_with_lone_surrogates_are_not_counted() -> None:
    from cleaner.documents import Document

    docs = [Document(f"Page {c}.\nBad \ud800 footer\n", c, "a.org") for c in "abcdef"]
    found = learn(lambda: docs, LearnOptions(width=1024))
    assert found.sites == ()
