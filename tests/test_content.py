"""Content survives: the seeds come out as hand-checked, and real prose in many languages
comes through byte-identical. A cleaner that deletes a sentence is worse than one that
leaves debris, so these are the tests that matter most.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleaner import Cleaner

from .conftest import FIXTURES, SHARED

PAGES = sorted((FIXTURES / "pages").glob("*.in.txt"))
BENCH = SHARED / "bench" / "sh-dev" / "pages.jsonl"


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


@pytest.mark.parametrize("page", PAGES, ids=[p.name.removesuffix(".in.txt") for p in PAGES])
def test_page_cleans_to_expected_output(page: Path, default_cleaner: Cleaner) -> None:
    expected = _read(page.with_name(page.name.replace(".in.txt", ".out.txt")))
    assert default_cleaner.clean(_read(page)).text == expected


@pytest.mark.parametrize("page", PAGES, ids=[p.name.removesuffix(".in.txt") for p in PAGES])
def test_removals_account_for_every_character(page: Path, default_cleaner: Cleaner) -> None:
    source = _read(page)
    result = default_cleaner.clean(source)
    delta = sum(len(c.text) - len(c.replacement) for c in result.changes)
    assert len(source) - len(result.text) == delta


def test_arabic_seed_is_byte_identical(default_cleaner: Cleaner) -> None:
    source = _read(FIXTURES / "pages" / "seed-002.in.txt")
    result = default_cleaner.clean(source)
    assert result.text == source
    assert result.changes == ()


def _bench_gold() -> list[tuple[str, str, str]]:
    if not BENCH.exists():
        return []
    pages = [json.loads(line) for line in BENCH.read_text(encoding="utf-8").splitlines()]
    return [(p["id"][:12], p["lang"], p["gold"]) for p in pages]


GOLD = _bench_gold()


@pytest.mark.skipif(not GOLD, reason=f"{BENCH} not found (../shared beside the checkout)")
def test_gold_prose_covers_many_languages() -> None:
    assert len({lang for _, lang, _ in GOLD}) >= 5


@pytest.mark.parametrize(
    ("page_id", "lang", "gold"), GOLD, ids=[f"{lang}-{pid}" for pid, lang, _ in GOLD]
)
def test_real_article_text_survives(
    page_id: str, lang: str, gold: str, default_cleaner: Cleaner
) -> None:
    """The hand-checked article bodies of ../shared/bench (8 languages) lose no word.

    The gold texts are pure article prose, so every change a rule makes to them is a loss;
    the only ones allowed are the related-article label lines a few golds still contain.
    """
    result = default_cleaner.clean(gold)
    lost = [c for c in result.changes if not c.rule_id.startswith("related.")]
    assert lost == [], f"{page_id} ({lang})"
