"""Tests of the metric code in benchmarks/quality.py on hand-made inputs.

The benchmark's numbers are only comparable with the README's table and the held-out
evaluation if the metrics are computed exactly as defined there, so each definition (token
bag, averaging, kept, noise-rm, shingles, the c4-lines rule) is pinned here. No bench data
and no `cleaner` are needed.
"""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

QUALITY_PATH = Path(__file__).resolve().parent.parent / "benchmarks" / "quality.py"


def _load() -> ModuleType:
    """Import benchmarks/quality.py by path (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location("bench_quality", QUALITY_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being created
    spec.loader.exec_module(module)
    return module


q = _load()

GOLD = "The cat sat on the mat.\nIt was a sunny day."
NOISE = "Share on Facebook\nSubscribe to the newsletter"
INPUT = GOLD + "\n" + NOISE


def test_tokens_are_unicode_word_runs_with_case_kept() -> None:
    assert q.tokenize("Don't stop—Ünïcode 2019, 日本語。The the") == [
        "Don",
        "t",
        "stop",
        "Ünïcode",
        "2019",
        "日本語",
        "The",
        "the",
    ]


def test_identical_output_scores_one() -> None:
    s = q.score_page("p", GOLD, INPUT, GOLD)
    assert s.precision == 1.0
    assert s.recall == 1.0
    assert s.kept == 1.0
    assert s.noise_rm == 1.0
    assert s.shingle_precision == 1.0
    assert s.shingle_recall == 1.0


def test_identity_keeps_everything_and_removes_nothing() -> None:
    s = q.score_page("p", GOLD, INPUT, INPUT)
    assert s.recall == 1.0
    assert s.kept == 1.0
    assert s.noise_rm == 0.0
    gold_n, input_n = len(q.tokenize(GOLD)), len(q.tokenize(INPUT))
    assert s.precision == pytest.approx(gold_n / input_n)


def test_empty_output_has_no_precision_and_zero_recall() -> None:
    s = q.score_page("p", GOLD, INPUT, "")
    assert s.precision is None
    assert s.recall == 0.0
    assert s.kept == 0.0
    assert s.noise_rm == 1.0
    assert s.shingle_precision is None
    assert s.shingle_recall == 0.0


def test_empty_output_is_left_out_of_the_precision_average() -> None:
    scores = [q.score_page("a", GOLD, INPUT, GOLD), q.score_page("b", GOLD, INPUT, "")]
    row = q.summarize("k", "c", scores, seconds=1.0)
    assert row.P == 1.0  # only page a has a precision
    assert row.R == 0.5  # page b counts with recall 0
    f1 = row.F1
    assert f1 == pytest.approx(2 * 1.0 * 0.5 / 1.5)  # harmonic mean of the averages
    assert row.pages_per_s == 2.0


def test_f1_is_harmonic_mean_of_averages_not_average_of_f1() -> None:
    # page a: P=1, R=1/2; page b: P=1/2, R=1 -> averages 3/4 and 3/4 -> F1 = 3/4,
    # while the mean of per-page F1s would be 2/3.
    gold_a, out_a = "a b c d", "a b"
    gold_b, out_b = "a b", "a b x y"
    scores = [
        q.score_page("a", gold_a, gold_a, out_a),
        q.score_page("b", gold_b, out_b, out_b),
    ]
    row = q.summarize("k", "c", scores, seconds=1.0)
    averages = [row.P, row.R, row.F1]
    assert averages == pytest.approx([0.75, 0.75, 0.75])


def test_known_removal_gives_known_kept_and_noise_rm() -> None:
    # Gold: 11 tokens. Noise: "Share on Facebook" (3) + "Subscribe to the newsletter" (4).
    # The cleaner drops the share line and the gold line "It was a sunny day." (5 tokens).
    out = "The cat sat on the mat.\nSubscribe to the newsletter"
    s = q.score_page("p", GOLD, INPUT, out)
    assert s.kept == pytest.approx(6 / 11)
    assert s.noise_rm == pytest.approx(3 / 7)
    assert s.recall == pytest.approx(6 / 11)
    assert s.precision == pytest.approx(6 / 10)


def test_shared_token_types_count_as_gold_first() -> None:
    # "the" occurs twice in gold and once more in the noise line. Dropping the noise line
    # removes all noise: the output's two "the"s are the article's own.
    gold = "the dog saw the cat"
    inp = gold + "\nSee the menu"
    s = q.score_page("p", gold, inp, gold)
    assert s.noise_rm == 1.0
    assert s.kept == 1.0
    # Keeping only the noise line: its "the" is credited to the article (which lacks it),
    # so only "See" and "menu" count as noise left behind.
    s = q.score_page("p", gold, inp, "See the menu")
    assert s.noise_rm == pytest.approx(1 / 3)
    assert s.kept == pytest.approx(1 / 5)


def test_kept_ignores_gold_tokens_the_input_never_had() -> None:
    gold = "alpha beta gamma delta"
    inp = "alpha beta\nmenu item"  # the scraper already lost gamma and delta
    s = q.score_page("p", gold, inp, "alpha beta")
    assert s.kept == 1.0
    assert s.recall == 0.5
    assert s.noise_rm == 1.0


def test_no_noise_and_no_gold_in_input_are_not_applicable() -> None:
    assert q.noise_removed(Counter("ab"), Counter("ab"), Counter("abc")) is None
    assert q.kept_share(Counter("xy"), Counter("xy"), Counter("ab")) is None
    assert q.mean([None, 1.0, 0.0, None]) == 0.5
    assert q.mean([None]) is None


def test_tokens_created_by_a_repair_are_not_counted_as_noise() -> None:
    gold = "café au lait"
    inp = "cafÃ© au lait\nMenu"
    s = q.score_page("p", gold, inp, "café au lait")
    assert s.noise_rm == 1.0
    assert 0.0 <= s.noise_rm <= 1.0


def test_shingles() -> None:
    toks = q.tokenize("a b c d e")
    assert q.shingles(toks) == Counter([("a", "b", "c", "d"), ("b", "c", "d", "e")])
    assert q.shingles(["a", "b"]) == Counter([("a", "b")])
    assert q.shingles([]) == Counter()


def test_shingle_recall_drops_when_a_middle_line_goes() -> None:
    gold = "one two three four\nfive six seven eight\nnine ten eleven twelve"
    out = "one two three four\nnine ten eleven twelve"
    s = q.score_page("p", gold, gold, out)
    assert s.recall == pytest.approx(8 / 12)
    # 9 gold shingles; the output keeps only the two that lie wholly inside a kept line.
    assert s.shingle_recall == pytest.approx(2 / 9)
    # the output has 5 shingles; 3 of them span the gap and do not occur in the gold.
    assert s.shingle_precision == pytest.approx(2 / 5)


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ("This is a sentence.", True),
        ("Is this a question?", True),
        ("What a surprise it was!", True),
        ('He said "go away now"', True),
        ("She said “go away now”", True),
        ("She said ‘go away now’", True),
        ("Il a dit « partez maintenant »", True),
        ("Wait for it …", True),
        ("  Trailing spaces do not matter.   ", True),
        ("Two words.", False),
        ("Read more about this...", False),  # C4's ellipsis rule
        ("Share this article on Facebook", False),
        ("Terms of Use | Privacy Policy", False),
        ("Ends with a colon:", False),
        ("これはテストです。", True),  # each kana/kanji counts as a word
        ("終了。", False),  # "。" alone is not a word
        ("Welcome back, !", False),
        ("이것은 한국어 문장입니다.", True),
        ("한국어 문장.", False),  # Hangul is spaced, counted like Latin
        ("", False),
    ],
)
def test_c4_line_rule(line: str, kept: bool) -> None:
    assert q.c4_keeps_line(line) is kept


def test_c4_lines_keeps_sentence_lines_only() -> None:
    text = "Home\nNews\nThe council met on Tuesday.\nShare\nIt voted to close the road."
    assert q.c4_lines(text) == "The council met on Tuesday.\nIt voted to close the road."


def test_lost_gold_reports_article_passages_not_menu_copies() -> None:
    gold = "Black Friday deals are here.\nApple cut prices on every Mac."
    inp = "Black Friday\nMenu\n" + gold
    out = "Black Friday deals are here."
    lost, runs = q.lost_gold(inp, out, gold)
    assert lost == Counter(q.tokenize("Apple cut prices on every Mac"))
    assert runs == [["Apple", "cut", "prices", "on", "every", "Mac"]]
    assert q.excerpt(runs, 3) == "Apple cut prices …"


def test_markdown_table_layout() -> None:
    row = q.Summary("html-text", "identity", 2, 0.5, 1.0, 2 / 3, 1.0, 0.0, None, 1234.5)
    table = q.markdown_table([row]).splitlines()
    assert table[0] == "| input | cleaner | P | R | F1 | kept | noise-rm | F1-shingle | pages/s |"
    cells = [c.strip() for c in table[2].strip("|").split("|")]
    metrics = ["0.500", "1.000", "0.667", "1.000", "0.000", "-"]
    assert cells == ["html-text", "identity", *metrics, "1,234"]
