#!/usr/bin/env python3
"""Quality benchmark: how much article text `cleaner` keeps and how much debris it removes.

Runs several cleaners over the noisy inputs of a bench folder (default ``sh-dev``, see
``../shared/bench/README.md``) and scores each output against the page's hand-checked gold
text with the metrics the README defines, so that numbers here and in the independent
evaluation mean the same thing.

Usage (from the repository root)::

    python benchmarks/quality.py                      # Markdown table on stdout
    python benchmarks/quality.py --kind html-text --worst 10
    python benchmarks/quality.py --diff 04a6711c      # lines cleaner removed from one page

Metric definitions (all token counts are multisets, tokens are Unicode ``\\w+`` runs, case
kept; ``&`` is multiset intersection, ``-`` multiset difference, ``|x|`` total count):

* ``P`` = |out & gold| / |out|, averaged over the pages whose output is not empty.
* ``R`` = |out & gold| / |gold|, averaged over all pages (an empty output scores 0).
* ``F1`` = harmonic mean of the two averages (not an average of per-page F1s).
* ``kept`` = |out & gold & input| / |gold & input|, averaged over pages where the input holds
  any gold token. Each output copy of a token counts as gold first, so a token type that occurs
  in both the article and the debris is "kept" as long as the output still has as many copies as
  the article needs.
* ``noise-rm`` = 1 - |(out & input) - gold| / |input - gold|, averaged over pages whose input
  has any noise. Output copies are again credited to gold first: only the copies beyond the
  gold count are debris left behind. (Crediting them to noise first, i.e. removed = noise -
  (out & noise), counts "the" as surviving debris whenever the article keeps its own "the"s,
  and gives 0.474 instead of the README's 0.721 for c4-lines on trafilatura-recall.) Tokens a
  repair creates that were not in the input are ignored, so the value stays within [0, 1].
* ``F1-shingle``: the same P/R/F1 on bags of 4 consecutive tokens (a text of 1-3 tokens is one
  shingle), which also penalises a cleaner that glues unrelated sentences together.
* ``pages/s``: pages divided by the time spent inside the cleaner's clean call (set-up, such as
  loading rule files, is not timed).

Rows: ``identity`` (the input unchanged), ``c4-lines`` (the README's C4-style line filter; the
exact rule is documented above ``C4_TERMINAL``), ``cleaner`` (the shipped default packs) and
``cleaner+layout`` (the ``layout`` pack on for every page, ``--enable layout``; by default it
turns itself on only for text that opens like a whole page), with
``--rules``/``--disable`` passed through. On sh-dev the identity and c4-lines rows are checked
against the README's table (stderr), which guards the metric code against drifting.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BENCH = REPO_ROOT.parent / "shared" / "bench" / "sh-dev"
KINDS = ("trafilatura-recall", "html-text")
CLEANER_NAMES = ("identity", "c4-lines", "cleaner", "cleaner+layout")
SHINGLE_N = 4

TOKEN_RE = re.compile(r"\w+")

# README baseline rows (P, R, F1, kept, noise-rm) on sh-dev, used as a self-check of the
# metric code: if identity or c4-lines drift from these, the metrics no longer mean what the
# independent evaluation means.
BASELINES: dict[tuple[str, str], tuple[float, ...]] = {
    ("trafilatura-recall", "identity"): (0.950, 0.987, 0.968, 1.000, 0.000),
    ("trafilatura-recall", "c4-lines"): (0.980, 0.870, 0.922, 0.880, 0.721),
    ("html-text", "identity"): (0.541, 1.000, 0.702, 1.000, 0.000),
    ("html-text", "c4-lines"): (0.853, 0.927, 0.888, 0.927, 0.825),
}
BASELINE_TOLERANCE = 0.002


# --------------------------------------------------------------------------------------------
# Tokens and metrics
# --------------------------------------------------------------------------------------------


def tokenize(text: str) -> list[str]:
    """Split text into the README's tokens: Unicode ``\\w+`` runs, case kept."""
    return TOKEN_RE.findall(text)


def shingles(tokens: Sequence[str], n: int = SHINGLE_N) -> Counter[tuple[str, ...]]:
    """Bag of ``n`` consecutive tokens; a non-empty text shorter than ``n`` is one shingle.

    The short-text rule keeps a 3-token output from scoring as empty (which would drop it
    from the precision average and give it recall 0).
    """
    if not tokens:
        return Counter()
    if len(tokens) < n:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def size(bag: Counter[Any]) -> int:
    """Total count of a multiset, ignoring zero or negative counts left by ``subtract``."""
    return sum(c for c in bag.values() if c > 0)


def precision_recall(out: Counter[Any], gold: Counter[Any]) -> tuple[float | None, float]:
    """Per-page precision and recall of a bag; precision is None for an empty output.

    None rather than 0 because the README leaves empty outputs out of the precision average
    (their cost shows up as recall 0).
    """
    shared = size(out & gold)
    n_out = size(out)
    n_gold = size(gold)
    precision = shared / n_out if n_out else None
    recall = shared / n_gold if n_gold else 0.0
    return precision, recall


def kept_share(inp: Counter[str], out: Counter[str], gold: Counter[str]) -> float | None:
    """Share of the input's gold tokens still in the output; None if the input has none.

    |out & gold & input| / |gold & input|. Measured against the gold tokens the input holds,
    not the whole gold, so a cleaner is not blamed for what the scraper already lost.
    """
    gold_in = gold & inp
    total = size(gold_in)
    if not total:
        return None
    return size(out & gold_in) / total


def noise_removed(inp: Counter[str], out: Counter[str], gold: Counter[str]) -> float | None:
    """Share of the input's non-gold tokens that the output no longer has; None if no noise.

    noise = input - gold; left = (out & input) - gold, i.e. output copies count as gold first
    and only the surplus is leftover debris. ``out & input`` ignores tokens a repair created.
    """
    noise = size(inp - gold)
    if not noise:
        return None
    left = size((out & inp) - gold)
    return 1.0 - left / noise


def f1(precision: float, recall: float) -> float:
    """Harmonic mean, 0 when both are 0."""
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def mean(values: Iterable[float | None]) -> float | None:
    """Average of the defined values (None entries are pages a metric does not apply to)."""
    defined = [v for v in values if v is not None]
    return sum(defined) / len(defined) if defined else None


@dataclass(frozen=True)
class PageScore:
    """Every per-page number one cleaner gets on one input."""

    id: str
    precision: float | None
    recall: float
    kept: float | None
    noise_rm: float | None
    shingle_precision: float | None
    shingle_recall: float


def score_page(page_id: str, gold: str, inp: str, out: str) -> PageScore:
    """Score one output against its gold text and the input it was cleaned from."""
    gold_toks, inp_toks, out_toks = tokenize(gold), tokenize(inp), tokenize(out)
    gold_bag, inp_bag, out_bag = Counter(gold_toks), Counter(inp_toks), Counter(out_toks)
    precision, recall = precision_recall(out_bag, gold_bag)
    sh_precision, sh_recall = precision_recall(shingles(out_toks), shingles(gold_toks))
    return PageScore(
        id=page_id,
        precision=precision,
        recall=recall,
        kept=kept_share(inp_bag, out_bag, gold_bag),
        noise_rm=noise_removed(inp_bag, out_bag, gold_bag),
        shingle_precision=sh_precision,
        shingle_recall=sh_recall,
    )


@dataclass(frozen=True)
class Summary:
    """One table row: the page averages of one cleaner on one input kind."""

    input: str
    cleaner: str
    pages: int
    P: float | None
    R: float | None
    F1: float | None
    kept: float | None
    noise_rm: float | None
    F1_shingle: float | None
    pages_per_s: float | None


def summarize(kind: str, cleaner: str, scores: Sequence[PageScore], seconds: float) -> Summary:
    """Average per-page scores the README's way (F1 from the averaged P and R)."""
    p = mean(s.precision for s in scores)
    r = mean(s.recall for s in scores)
    sp = mean(s.shingle_precision for s in scores)
    sr = mean(s.shingle_recall for s in scores)
    return Summary(
        input=kind,
        cleaner=cleaner,
        pages=len(scores),
        P=p,
        R=r,
        F1=f1(p, r) if p is not None and r is not None else None,
        kept=mean(s.kept for s in scores),
        noise_rm=mean(s.noise_rm for s in scores),
        F1_shingle=f1(sp, sr) if sp is not None and sr is not None else None,
        pages_per_s=len(scores) / seconds if seconds > 0 else None,
    )


# --------------------------------------------------------------------------------------------
# Baseline cleaners
# --------------------------------------------------------------------------------------------

# C4-style line filter ("keep a line only if it ends in terminal punctuation and has at least
# 3 words"). The details below are the ones that reproduce the README's c4-lines row:
#
# * terminal punctuation: . ! ? and the ASCII quotes " ' (as in C4/datatrove), the closing
#   typographic quotes ” ’ », the ellipsis character …, and the CJK full stops 。！？.
#   Lines are stripped first, so trailing spaces do not hide the punctuation.
# * a line ending in three ASCII dots "..." is dropped (C4's ellipsis rule: usually a teaser).
# * words: whitespace-separated words, except that each Han, Hiragana or Katakana character
#   counts as a word, since Japanese and Chinese do not put spaces between words (Korean does,
#   so Hangul is counted like Latin); chunks without a letter or digit are not words.
#   Counting plain whitespace words drops almost every Japanese sentence (R 0.852 instead of
#   0.870 on trafilatura-recall); counting \w+ tokens keeps "It’s complicated." and
#   "make-up photos." but misses the README's noise-rm by 0.003.
C4_TERMINAL = (".", "!", "?", '"', "'", "”", "’", "»", "…", "。", "！", "？")
C4_ELLIPSIS = "..."
C4_MIN_WORDS = 3
WORD_CHAR_RE = re.compile(r"\w")
CJK_CHAR_RE = re.compile(
    "[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]"
)


def c4_word_count(line: str) -> int:
    """Words in a line: whitespace words, with every Han/Kana character counted as one.

    A chunk with no letter or digit (a lone "|", "—" or "。") is not a word.
    """
    n_cjk = len(CJK_CHAR_RE.findall(line))
    rest = CJK_CHAR_RE.sub(" ", line).split()
    return n_cjk + sum(1 for chunk in rest if WORD_CHAR_RE.search(chunk))


def c4_keeps_line(line: str) -> bool:
    """True if the C4-style rule keeps this line (see the comment above C4_TERMINAL)."""
    stripped = line.strip()
    if not stripped.endswith(C4_TERMINAL) or stripped.endswith(C4_ELLIPSIS):
        return False
    return c4_word_count(stripped) >= C4_MIN_WORDS


def c4_lines(text: str) -> str:
    """The README's c4-lines baseline: keep only sentence-like lines."""
    return "\n".join(line for line in text.split("\n") if c4_keeps_line(line))


# --------------------------------------------------------------------------------------------
# Cleaners under test
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Output:
    """A cleaner's text plus, for `cleaner`, its change records (for attribution)."""

    text: str
    changes: tuple[Any, ...] = ()


CleanFn = Callable[[str], Output]


def identity_clean(text: str) -> Output:
    """The input unchanged: the floor every cleaner is compared with."""
    return Output(text)


def c4_clean(text: str) -> Output:
    """Wrap the c4-lines baseline in the common cleaner signature."""
    return Output(c4_lines(text))


def load_cleaner(
    rules: Sequence[str], disable: Sequence[str], enable: Sequence[str] = ()
) -> CleanFn | str:
    """Build the `cleaner` row's function, or return why it cannot run.

    The repository root is put first on ``sys.path`` so that the benchmark measures the
    working copy next to it, not some other installed version.
    """
    root = str(REPO_ROOT)
    if root not in sys.path:
        sys.path.insert(0, root)
    try:
        from cleaner import Cleaner, CleanerConfig
    except ImportError as exc:
        return f"cannot import cleaner.Cleaner ({exc})"
    try:
        config = CleanerConfig(
            rules=tuple(Path(r) for r in rules),
            disable=frozenset(disable),
            enable=frozenset(enable),
        )
        instance = Cleaner(config)
    except Exception as exc:  # a broken rule file must not hide the baselines
        return f"building the Cleaner failed: {type(exc).__name__}: {exc}"

    def clean(text: str) -> Output:
        result = instance.clean(text)
        return Output(result.text, tuple(result.changes))

    return clean


# --------------------------------------------------------------------------------------------
# Bench data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One bench page: its gold text and where it came from."""

    id: str
    url: str
    lang: str
    gold: str


def load_pages(bench: Path) -> list[Page]:
    """Read pages.jsonl (one page per line)."""
    pages = []
    with (bench / "pages.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rec = json.loads(line)
                pages.append(Page(rec["id"], rec.get("url", ""), rec.get("lang", ""), rec["gold"]))
    return pages


def read_input(bench: Path, kind: str, page_id: str) -> str:
    """The noisy text of one page for one input kind."""
    return (bench / "noisy" / kind / f"{page_id}.txt").read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------


@dataclass
class Run:
    """Everything one cleaner produced on one input kind (outputs kept for --worst)."""

    kind: str
    cleaner: str
    scores: list[PageScore] = field(default_factory=list)
    outputs: dict[str, Output] = field(default_factory=dict)
    seconds: float = 0.0


def run_cleaner(bench: Path, pages: Sequence[Page], kind: str, name: str, clean: CleanFn) -> Run:
    """Clean every page of one kind, timing only the clean calls."""
    run = Run(kind, name)
    for page in pages:
        text = read_input(bench, kind, page.id)
        start = time.perf_counter()
        try:
            out = clean(text)
        except Exception as exc:
            raise RuntimeError(f"{name} failed on {kind}/{page.id}") from exc
        run.seconds += time.perf_counter() - start
        run.outputs[page.id] = out
        run.scores.append(score_page(page.id, page.gold, text, out.text))
    return run


def fmt(value: float | None, digits: int = 3) -> str:
    """A table cell: fixed decimals, '-' where a metric applies to no page."""
    return "-" if value is None else f"{value:.{digits}f}"


def markdown_table(rows: Sequence[Summary]) -> str:
    """The result table in the README's layout plus F1-shingle and speed."""
    head = "| input | cleaner | P | R | F1 | kept | noise-rm | F1-shingle | pages/s |"
    lines = [head, "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for s in rows:
        speed = "-" if s.pages_per_s is None else f"{s.pages_per_s:,.0f}"
        cells = [fmt(v) for v in (s.P, s.R, s.F1, s.kept, s.noise_rm, s.F1_shingle)]
        lines.append(f"| {s.input} | {s.cleaner} | {' | '.join(cells)} | {speed} |")
    return "\n".join(lines)


def baseline_deviations(rows: Sequence[Summary]) -> tuple[float, list[str]]:
    """Compare identity and c4-lines rows with the README's sh-dev numbers.

    Returns the largest deviation and one message per metric off by more than the
    tolerance; no messages means the metric code still measures what the README's table
    measured.
    """
    worst = 0.0
    problems = []
    for s in rows:
        expected = BASELINES.get((s.input, s.cleaner))
        if expected is None:
            continue
        got = (s.P, s.R, s.F1, s.kept, s.noise_rm)
        names = ("P", "R", "F1", "kept", "noise-rm")
        for metric, want, have in zip(names, expected, got, strict=True):
            off = abs(have - want) if have is not None else float("inf")
            worst = max(worst, off)
            if off > BASELINE_TOLERANCE + 1e-9:
                problems.append(f"{s.input}/{s.cleaner} {metric}: {fmt(have, 4)} vs README {want}")
    return worst, problems


# --------------------------------------------------------------------------------------------
# Finding what cleaner deleted
# --------------------------------------------------------------------------------------------


def lost_gold(inp: str, out: str, gold: str) -> tuple[Counter[str], list[list[str]]]:
    """The gold tokens a cleaner lost: as a bag, and as the article passages they came from.

    The bag is (gold & input) - out, the complement of ``kept``. For the passages, the gold
    and output token streams are aligned and unmatched gold tokens are reported, in article
    order, while the bag still has copies of them. Aligning with the gold rather than the
    input matters: a word like "Black" is often removed from a menu too, and the first
    removed copy in the input would point at the menu instead of the lost paragraph.
    """
    gold_toks, inp_toks, out_toks = tokenize(gold), tokenize(inp), tokenize(out)
    lost = (Counter(gold_toks) & Counter(inp_toks)) - Counter(out_toks)
    remaining = Counter(lost)
    runs: list[list[str]] = []
    matcher = difflib.SequenceMatcher(None, gold_toks, out_toks, autojunk=False)
    for tag, i1, i2, _j1, _j2 in matcher.get_opcodes():
        if tag not in ("delete", "replace"):
            continue
        run: list[str] = []
        for tok in gold_toks[i1:i2]:
            if remaining[tok] > 0:
                remaining[tok] -= 1
                run.append(tok)
            elif run:
                runs.append(run)
                run = []
        if run:
            runs.append(run)
    return lost, runs


def blame_rules(changes: Sequence[Any], gold: str, out: str) -> Counter[str]:
    """Estimate how many gold tokens each rule removed, to point at rules that delete content.

    A removed token counts against a rule if it sits in a 4-token shingle of the gold text
    that the output no longer has (so "the" in a dropped menu line is not blamed); removals
    shorter than a shingle count if all their tokens are gold tokens the output lacks.
    """
    gold_toks, out_toks = tokenize(gold), tokenize(out)
    lost_shingles = set(shingles(gold_toks) - shingles(out_toks))
    lost_bag = Counter(gold_toks) - Counter(out_toks)
    blame: Counter[str] = Counter()
    for change in changes:
        removed = tokenize(getattr(change, "text", ""))
        if tokenize(getattr(change, "replacement", "")) == removed:
            continue
        if len(removed) < SHINGLE_N:
            hit = len(removed) if removed and not Counter(removed) - lost_bag else 0
        else:
            covered: set[int] = set()
            for i in range(len(removed) - SHINGLE_N + 1):
                if tuple(removed[i : i + SHINGLE_N]) in lost_shingles:
                    covered.update(range(i, i + SHINGLE_N))
            hit = len(covered)
        if hit:
            blame[str(getattr(change, "rule_id", "?"))] += hit
    return blame


def excerpt(runs: Sequence[Sequence[str]], n_tokens: int) -> str:
    """The first n_tokens lost tokens, passages separated by ' | ', ending in '…' if cut."""
    parts: list[str] = []
    budget = n_tokens
    for run in runs:
        if budget <= 0:
            break
        parts.append(" ".join(run[:budget]))
        budget -= len(run)
    cut = sum(len(r) for r in runs) > n_tokens
    return " | ".join(parts) + (" …" if cut else "")


def worst_pages(
    bench: Path, pages: Sequence[Page], run: Run, n: int, n_tokens: int = 12
) -> list[str]:
    """Report the n pages where a cleaner lost the most gold tokens (most first)."""
    by_id = {p.id: p for p in pages}
    rows = []
    for score in run.scores:
        page = by_id[score.id]
        inp = read_input(bench, run.kind, page.id)
        out = run.outputs[page.id]
        lost, runs = lost_gold(inp, out.text, page.gold)
        if size(lost):
            blame = blame_rules(out.changes, page.gold, out.text)
            rows.append((size(lost), score, page, runs, blame))
    rows.sort(key=lambda r: (-r[0], r[1].kept if r[1].kept is not None else 1.0))
    lines = [f"### {run.cleaner} on {run.kind}: {len(rows)} pages lost gold tokens"]
    if not rows:
        lines.append("(none)")
    for count, score, page, runs, blame in rows[:n]:
        shown = excerpt(runs, n_tokens)
        lines.append(f"- {page.id[:12]} kept {fmt(score.kept)} lost {count}  {page.url}")
        lines.append(f"    lost: {shown}")
        if blame:
            lines.append("    by rule: " + ", ".join(f"{r} ({c})" for r, c in blame.most_common()))
    return lines


def gold_share(text: str, gold_bag: Counter[str]) -> float:
    """Share of a text's tokens that also occur in the gold text (as a bag)."""
    toks = Counter(tokenize(text))
    return size(toks & gold_bag) / size(toks) if size(toks) else 0.0


def diff_page(bench: Path, page: Page, kind: str, out: Output) -> list[str]:
    """What a cleaner removed or changed on one page, with gold overlap and responsible rule.

    ``gold`` is the share of the removed text's tokens that also occur in the gold text, so
    removals with a high share are the ones to look at first. With change records (the
    `cleaner` row) each change is listed as recorded, which is exact even for repeated lines;
    otherwise the input and output lines are aligned with difflib.
    """
    inp = read_input(bench, kind, page.id)
    gold_bag = Counter(tokenize(page.gold))
    lines = [f"### {kind} {page.id} {page.url}"]
    shown = blank = 0
    if out.changes:
        for change in out.changes:
            text = str(getattr(change, "text", ""))
            replacement = str(getattr(change, "replacement", ""))
            if not text.strip() and not replacement.strip():
                blank += 1
                continue
            share = gold_share(text, gold_bag)
            line_no = int(getattr(change, "line", 0))
            tag = f"[{getattr(change, 'rule_id', '?')} {getattr(change, 'action', '')}]"
            body = text.rstrip("\n")
            if replacement:
                body = f"{body!r} -> {replacement!r}"
            lines.append(f"- {line_no:5d} gold {share:4.0%} {tag} {body}")
            shown += 1
        lines.append(f"({shown} changes; {blank} blank-line removals not shown)")
        return lines

    in_lines, out_lines = inp.split("\n"), out.text.split("\n")
    matcher = difflib.SequenceMatcher(None, in_lines, out_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        for k in range(i1, i2):
            if not in_lines[k].strip():
                blank += 1
                continue
            share = gold_share(in_lines[k], gold_bag)
            lines.append(f"- {k + 1:5d} gold {share:4.0%} {in_lines[k]}")
            shown += 1
        for k in range(j1, j2):
            if out_lines[k].strip():
                lines.append(f"+ {'':5} {'':9} {out_lines[k]}")
    lines.append(
        f"({shown} of {len(in_lines)} input lines removed or changed;"
        f" {blank} blank lines removed, not shown)"
    )
    return lines


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options (see the module docstring for examples)."""
    parser = argparse.ArgumentParser(
        description="Score cleaners on a bench folder (metrics of shared/bench/README.md)."
    )
    parser.add_argument("--bench", type=Path, default=DEFAULT_BENCH, help="bench folder")
    parser.add_argument(
        "--kind", action="append", choices=KINDS, help="input kind (repeatable; default: all)"
    )
    parser.add_argument(
        "--cleaner",
        action="append",
        choices=CLEANER_NAMES,
        dest="cleaners",
        help="cleaner rows to run (repeatable; default: all)",
    )
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument(
        "--worst", type=int, metavar="N", help="list the N pages where cleaner lost most gold"
    )
    parser.add_argument(
        "--diff", metavar="ID", help="print the lines cleaner removed from one page (id prefix)"
    )
    parser.add_argument(
        "--diff-with",
        choices=CLEANER_NAMES,
        default="cleaner",
        help="cleaner whose removals --diff/--worst show (default: cleaner)",
    )
    parser.add_argument(
        "--rules",
        action="append",
        default=[],
        help="extra rule file or folder for the cleaner rows",
    )
    parser.add_argument(
        "--disable", action="append", default=[], metavar="ID", help="rule id to turn off"
    )
    return parser.parse_args(argv)


def build_cleaners(names: Sequence[str], args: argparse.Namespace) -> dict[str, CleanFn]:
    """The requested cleaners; `cleaner` is skipped with a message if it cannot be loaded."""
    cleaners: dict[str, CleanFn] = {}
    for name in names:
        if name == "identity":
            cleaners[name] = identity_clean
        elif name == "c4-lines":
            cleaners[name] = c4_clean
        else:
            enable = ["layout"] if name == "cleaner+layout" else []
            loaded = load_cleaner(args.rules, args.disable, enable)
            if isinstance(loaded, str):
                print(f"note: skipping the cleaner row: {loaded}", file=sys.stderr)
            else:
                cleaners[name] = loaded
    return cleaners


def find_page(pages: Sequence[Page], prefix: str) -> Page:
    """The page whose id starts with prefix (exactly one)."""
    hits = [p for p in pages if p.id.startswith(prefix)]
    if len(hits) != 1:
        raise SystemExit(f"--diff {prefix}: {len(hits)} pages match (need exactly one)")
    return hits[0]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the table (or a diff); returns the exit status."""
    args = parse_args(argv)
    bench: Path = args.bench
    if not (bench / "pages.jsonl").is_file():
        print(f"error: no pages.jsonl in {bench}", file=sys.stderr)
        return 2
    kinds = args.kind or list(KINDS)
    pages = load_pages(bench)

    if args.diff:
        page = find_page(pages, args.diff)
        cleaners = build_cleaners([args.diff_with], args)
        if args.diff_with not in cleaners:
            return 2
        clean = cleaners[args.diff_with]
        for kind in kinds:
            out = clean(read_input(bench, kind, page.id))
            print("\n".join(diff_page(bench, page, kind, out)))
            print()
        return 0

    names = args.cleaners or list(CLEANER_NAMES)
    if args.worst and args.diff_with not in names:
        names.append(args.diff_with)
    cleaners = build_cleaners(names, args)
    runs = [
        run_cleaner(bench, pages, kind, name, clean)
        for kind in kinds
        for name, clean in cleaners.items()
    ]
    rows = [summarize(r.kind, r.cleaner, r.scores, r.seconds) for r in runs]
    print(f"bench: {bench} ({len(pages)} pages)\n")
    print(markdown_table(rows))

    if bench.resolve().name == "sh-dev" and any((s.input, s.cleaner) in BASELINES for s in rows):
        worst, problems = baseline_deviations(rows)
        status = "OK" if not problems else "MISMATCH"
        print(
            f"\nbaseline check vs README: {status} (largest deviation {worst:.4f},"
            f" tolerance {BASELINE_TOLERANCE})",
            file=sys.stderr,
        )
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)

    if args.worst:
        if args.diff_with not in cleaners:
            print(
                f"note: --worst needs the {args.diff_with} row, which did not run", file=sys.stderr
            )
        for run in runs:
            if run.cleaner == args.diff_with:
                print()
                print("\n".join(worst_pages(bench, pages, run, args.worst)))

    if args.json:
        payload = {
            "bench": str(bench),
            "pages": len(pages),
            "metrics": __doc__,
            "rows": [asdict(s) for s in rows],
            "per_page": [
                {"input": r.kind, "cleaner": r.cleaner, "scores": [asdict(s) for s in r.scores]}
                for r in runs
            ],
        }
        args.json.write_text(json.dumps(payload, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
