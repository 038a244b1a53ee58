"""Find the lines a site repeats across its own pages (its chrome) and propose them as rules.

``learn`` counts in how many documents of each site every short line occurs and returns the
lines above the thresholds; ``render_rules`` writes them as a normal, site-scoped rule file a
person reviews. It is not a deduplicator: nothing is removed here, and the rule file, not an
opaque hash set, is what a run applies.

Lines are compared on a key (``line_key``): the line case-folded, every run of whitespace one
space, Arabic tatweel and harakat dropped, characters that are not letters or digits stripped
at both ends (``text.normalize_key``, the key whole-line phrases are matched on), then every
run of decimal digits turned into one ``0``, so "© 2023" and "© 2024", "Page 9 of 12" and
"Page 10 of 12" count as one line. Lines longer than
``max_chars`` once stripped are not counted.

Memory is bounded, with two passes over the input:

1. Each document contributes its distinct keys once. A count-min sketch (``depth`` rows of
   ``width`` 32-bit counters, indexed by a blake2b hash of site and key, never ``hash()``, so
   the result does not depend on ``PYTHONHASHSEED``) estimates each (site, line) document
   count; one integer per site counts its documents.
2. The input is read again; a line whose estimate reaches its site's threshold gets an exact
   counter in the candidate table, which holds at most ``budget`` entries.

A count-min estimate never undercounts, so every line truly above its threshold passes the
filter of pass 2; the sketch only lets in false candidates, whose exact counts then reject
them. Each estimate exceeds the true count by at most ``e * N / width`` with probability at
least ``1 - exp(-depth)``, N being the (document, distinct line) pairs of the corpus; a
wider sketch admits fewer false candidates. While the table has room, counts are exact and
the result is exactly the lines above the thresholds; a candidate that finds the table full
is refused and counted in ``LearnStats.refused`` (raise ``budget`` and run again). Memory is
``4 * width * depth`` bytes + ``budget`` candidates of at most ``max_chars`` characters + one
integer and ``KEEP_CANDIDATES`` short lines per site + the distinct lines of one document.
"""

from __future__ import annotations

import math
import re
import tempfile
import zlib
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from hashlib import blake2b
from pathlib import Path

from cleaner.documents import Document
from cleaner.engine import split_lines
from cleaner.text import normalize_key, strip_edges

_DIGIT_RE = re.compile(r"\d+")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
KEEP_MAX_CHARS = 1000
"""Longer lines are not taken as ``keep`` examples (they would make the file hard to read)."""
KEEP_CANDIDATES = 8
"""Lines per site remembered as possible ``keep`` examples (the first that qualify)."""

# Function words of the languages the shipped packs cover most; a line made of many of them
# reads as a sentence. Short and closed, so a line's share is cheap to compute.
_FUNCTION_WORDS_TEXT = """
a an and are as at be but by for from has have he her his i in is it its not of on or our
she that the their they this to was we were which who will with you your
der die das und ist nicht ein eine zu den mit von sich des auf für im dem sie es auch als
ich wir er dass wie aber oder wenn nur noch hat haben war wird werden bei aus nach um an man
le la les et est un une des du en dans que qui pour pas sur au avec il elle ce
el los las y es un una que en por con para del se lo su al
dan yang di ini itu dengan untuk dari ke tidak ada akan pada juga saya anda kami mereka
atau adalah dalam bahwa tetapi namun oleh sebagai telah
في من على أن إلى عن مع هذا هذه التي الذي كان ما لا أو
"""
FUNCTION_WORDS = frozenset(_FUNCTION_WORDS_TEXT.split())
TERMINAL = ".!?…。！？؟।"
CLOSERS = "\"'”’»)]"
PROSE_MIN_WORDS = 8
PROSE_MIN_FUNCTION_SHARE = 0.2
PROSE_LONG_WORDS = 20
"""A sentence-ending line of this many words is prose whatever its function words."""


def line_key(line: str) -> str:
    """Return the key a line is counted on: ``normalize_key`` with each run of digits as ``0``.

    >>> line_key("  © 2024 Example News — All rights reserved. ")
    '0 example news — all rights reserved'
    """
    return _DIGIT_RE.sub("0", normalize_key(line))


def looks_like_prose(line: str) -> bool:
    """Return True for a line that reads like a sentence of content, never proposed by default.

    Prose is long (at least ``PROSE_MIN_WORDS`` words), ends like a sentence, and at least a
    ``PROSE_MIN_FUNCTION_SHARE`` of its words are function words ("the", "und", "yang"); or
    it ends like a sentence and is very long (``PROSE_LONG_WORDS``), in any language.

    >>> looks_like_prose("Subscribe to our newsletter.")
    False
    >>> looks_like_prose("The views expressed here are the author's and not those of the site.")
    True
    """
    words = line.split()
    if len(words) < PROSE_MIN_WORDS:
        return False
    end = line.rstrip().rstrip(CLOSERS)
    if not end or end[-1] not in TERMINAL:
        return False
    if len(words) >= PROSE_LONG_WORDS:
        return True
    common = sum(1 for word in words if word.strip(".,;:!?\"'()«»“”").casefold() in FUNCTION_WORDS)
    return common / len(words) >= PROSE_MIN_FUNCTION_SHARE


@dataclass(frozen=True)
class LearnOptions:
    """What counts as a site's repeated line; every default is the CLI's.

    - ``min_docs`` (5): a line must occur in at least this many documents of its site …
    - ``min_share`` (0.5): … and in at least this share of them.
    - ``max_chars`` (200): longer lines are not counted (and are the learned rules' guard).
    - ``include_prose`` (False): also propose lines that look like prose (``looks_like_prose``);
      off because a repeated sentence is as often a quote or a syndicated lead as chrome.
    - ``budget`` (100 000): the most exact counters held at once (see the module docstring).
    - ``width``, ``depth`` (2**20, 4): the count-min sketch, 16 MiB.
    """

    min_docs: int = 5
    min_share: float = 0.5
    max_chars: int = 200
    include_prose: bool = False
    budget: int = 100_000
    width: int = 1 << 20
    depth: int = 4


@dataclass(frozen=True)
class LearnedLine:
    """A repeated line: its first form in the corpus, its key, and in how many documents."""

    text: str
    key: str
    docs: int
    prose: bool


@dataclass(frozen=True)
class SiteLines:
    """What ``learn`` found for one site: its repeated lines and a few lines of its content."""

    site: str
    docs: int
    lines: tuple[LearnedLine, ...]
    """Lines to propose, most frequent first (ties by key)."""
    prose: tuple[LearnedLine, ...]
    """Lines above the thresholds left out because they look like prose."""
    content: tuple[str, ...]
    """Lines of the site's pages below the thresholds, candidates for ``keep`` examples."""


@dataclass
class LearnStats:
    """Counters of a run; ``candidates`` never exceeds ``budget``."""

    documents: int = 0
    without_site: int = 0
    pairs: int = 0
    candidates: int = 0
    refused: int = 0
    budget: int = 0
    sketch_bytes: int = 0


@dataclass(frozen=True)
class Learned:
    """The sites with repeated lines, sorted by site, and the run's counters."""

    sites: tuple[SiteLines, ...]
    stats: LearnStats


class _Sketch:
    """A count-min sketch over (site, key) pairs with stable, seed-free hashing."""

    def __init__(self, width: int, depth: int) -> None:
        self.width = width
        self.depth = depth
        self.counts = array("I", bytes(4 * width * depth))

    def _cells(self, site: str, key: str) -> list[int]:
        digest = blake2b(f"{site}\0{key}".encode("utf-8", "surrogatepass"), digest_size=8)
        value = int.from_bytes(digest.digest(), "little")
        low, high = value & 0xFFFFFFFF, (value >> 32) | 1
        return [row * self.width + (low + row * high) % self.width for row in range(self.depth)]

    def add(self, site: str, key: str) -> None:
        counts = self.counts
        for cell in self._cells(site, key):
            if counts[cell] < 0xFFFFFFFF:
                counts[cell] += 1

    def estimate(self, site: str, key: str) -> int:
        counts = self.counts
        return min(counts[cell] for cell in self._cells(site, key))


class _Candidate:
    """An exact counter: the documents a line occurs in, and its first form in the corpus."""

    __slots__ = ("docs", "line")

    def __init__(self, line: str) -> None:
        self.docs = 1
        self.line = line


def _lines(doc: Document, max_chars: int) -> dict[str, str]:
    """Return the document's distinct countable keys, each with its first stripped line."""
    found: dict[str, str] = {}
    for raw in split_lines(doc.text):
        line = raw.strip()
        if not line or len(line) > max_chars or _SURROGATE_RE.search(line):
            continue  # a lone surrogate (from JSON "\\ud800") cannot be written to a rule file
        key = line_key(line)
        if key and key not in found:
            found[key] = line
    return found


def _is_content(line: str) -> bool:
    """A line fit to be a ``keep`` example: a sentence of moderate length, printable text."""
    words = line.split()
    return (
        len(words) >= 6
        and len(line) <= KEEP_MAX_CHARS
        and line.rstrip(CLOSERS)[-1:] in tuple(TERMINAL)
        and line.isprintable()
    )


def learn(corpus: Callable[[], Iterable[Document]], options: LearnOptions | None = None) -> Learned:
    """Return the lines each site repeats across its documents, reading ``corpus()`` twice.

    ``corpus`` returns a fresh iterable of the same documents on each call; documents without
    a site are counted in ``stats.without_site`` and otherwise ignored.

    >>> texts = ["Rain fell.", "Sun shone.", "Wind blew.", "Snow lay.", "Fog rose.", "Ice won."]
    >>> docs = [Document(f"{t}\\nNews footer\\n", t, "a.org") for t in texts]
    >>> found = learn(lambda: docs, LearnOptions(width=1024))
    >>> [(s.site, [(line.text, line.docs) for line in s.lines]) for s in found.sites]
    [('a.org', [('News footer', 6)])]
    """
    opts = options or LearnOptions()
    stats = LearnStats(budget=opts.budget, sketch_bytes=4 * opts.width * opts.depth)
    sketch = _Sketch(opts.width, opts.depth)
    site_docs: dict[str, int] = {}
    for doc in corpus():
        stats.documents += 1
        if doc.site is None:
            stats.without_site += 1
            continue
        site_docs[doc.site] = site_docs.get(doc.site, 0) + 1
        for key in _lines(doc, opts.max_chars):
            sketch.add(doc.site, key)
            stats.pairs += 1
    need = {
        site: max(opts.min_docs, math.ceil(opts.min_share * count - 1e-9))
        for site, count in site_docs.items()
    }
    table: dict[tuple[str, str], _Candidate] = {}
    content: dict[str, list[str]] = {}
    for doc in corpus():
        if doc.site is None:
            continue
        site = doc.site
        threshold = need[site]
        if site_docs[site] < threshold:
            continue  # too few documents: nothing of this site can qualify
        for key, line in _lines(doc, opts.max_chars).items():
            slot = table.get((site, key))
            if slot is not None:
                slot.docs += 1
                continue
            if sketch.estimate(site, key) < threshold:
                kept = content.setdefault(site, [])
                if len(kept) < KEEP_CANDIDATES and _is_content(line):
                    kept.append(line)
                continue
            if len(table) >= opts.budget:
                stats.refused += 1
                continue
            table[(site, key)] = _Candidate(line)
            stats.candidates = len(table)
        kept = content.setdefault(site, [])
        if len(kept) < KEEP_CANDIDATES:  # lines too long to count are content too
            for raw in split_lines(doc.text):
                line = raw.strip()
                if len(line) > opts.max_chars and _is_content(line) and line not in kept:
                    kept.append(line)
                    if len(kept) >= KEEP_CANDIDATES:
                        break
    by_site: dict[str, list[LearnedLine]] = {}
    for (site, key), slot in table.items():
        if slot.docs >= need[site]:
            by_site.setdefault(site, []).append(
                LearnedLine(slot.line, key, slot.docs, looks_like_prose(slot.line))
            )
    sites = []
    for site in sorted(by_site):
        found = sorted(by_site[site], key=lambda ln: (-ln.docs, ln.key, ln.text))
        sites.append(
            SiteLines(
                site,
                site_docs[site],
                tuple(ln for ln in found if opts.include_prose or not ln.prose),
                tuple(ln for ln in found if ln.prose and not opts.include_prose),
                tuple(content.get(site, ())),
            )
        )
    return Learned(tuple(sites), stats)


# -- writing the rule file ---------------------------------------------------------------------

_ESCAPES = {
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
    '"': '\\"',
    "\\": "\\\\",
}
GUARD_SLACK = 20
"""A learned rule's ``max-chars`` is its longest line plus this (at most ``max_chars``)."""
KEEP_EXAMPLES = 2
"""``keep`` examples written per rule, from the site's own content lines."""


def toml_string(text: str) -> str:
    """Return ``text`` as a TOML basic string, every character ``tomllib`` reads back as is.

    >>> print(toml_string('say "hi"\\\\ \\t\\x7f'))
    "say \\"hi\\"\\\\ \\t\\u007F"
    """
    parts = ['"']
    for ch in text:
        if ch in _ESCAPES:
            parts.append(_ESCAPES[ch])
        elif ch < " " or ch == "\x7f":
            parts.append(f"\\u{ord(ch):04X}")
        else:
            parts.append(ch)
    parts.append('"')
    return "".join(parts)


def toml_literal(text: str) -> str:
    """Return ``text`` as a TOML literal string if it can be one (a regex reads better so).

    >>> print(toml_literal(r"\\d+ of"), toml_literal("it's"))
    '\\d+ of' "it's"
    """
    if "'" in text or any(ch < " " or ch == "\x7f" for ch in text):
        return toml_string(text)
    return f"'{text}'"


def _slug(site: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", site.casefold()).strip("-") or "site"


def _line_pattern(line: str) -> str:
    """A regex for a line like ``line`` up to case, spacing, edge symbols and its numbers."""
    core = strip_edges(" ".join(line.split()))  # its own case: the pattern ignores case
    parts = []
    for token in re.split(r"(\d+|\s+)", core):
        if not token:
            continue
        if token[0].isdigit():
            parts.append(r"\d+")
        elif token.isspace():
            parts.append(r"\s+")
        else:
            parts.append(re.escape(token))
    return "".join(parts)


def _why(site: str, lines: tuple[LearnedLine, ...], docs: int) -> str:
    low, high = min(ln.docs for ln in lines), max(ln.docs for ln in lines)
    if len(lines) == 1:
        return f"A line in {high} of {docs} pages of {site}, found by cleaner learn."
    counts = f"{high}" if low == high else f"{low} to {high}"
    return f"Lines each in {counts} of {docs} pages of {site}, found by cleaner learn."


def _rule(
    rule_id: str, site: SiteLines, lines: tuple[LearnedLine, ...], keep: list[str], max_chars: int
) -> list[str]:
    out = [
        "[[rule]]",
        f"id = {toml_string(rule_id)}",
        f"why = {toml_string(_why(site.site, lines, site.docs))}",
        'action = "drop-line"',
        f"sites = [{toml_string(site.site)}]",
    ]
    if any(_DIGIT_RE.search(ln.text) for ln in lines):
        alternatives = "|".join(_line_pattern(ln.text) for ln in lines)
        edge = r"[^\p{L}\p{N}]*"  # what normalize_key strips at either end
        out.append(f"pattern = {toml_literal(f'^{edge}(?:{alternatives}){edge}$')}")
        out.extend(f"# {ln.text!r}: in {ln.docs} of {site.docs} pages" for ln in lines)
    else:
        out.append("phrases = [")
        out.extend(
            f"  {toml_string(ln.text)},  # in {ln.docs} of {site.docs} pages" for ln in lines
        )
        out.append("]")
    # the guard: a little over the longest line, for variants in spacing, symbols, numbers
    out.append(f"max-chars = {min(max_chars, max(len(ln.text) for ln in lines) + GUARD_SLACK)}")
    out.append(f"match = [{', '.join(toml_string(ln.text) for ln in lines[:2])}]")
    out.append("keep = [")
    out.extend(f"  {toml_string(line)}," for line in keep[:KEEP_EXAMPLES])
    out.append("]")
    return out


def render_rules(
    learned: Learned, options: LearnOptions, keep: dict[str, list[str]] | None = None
) -> str:
    """Return the rule file for ``learned``: one rule per site, one more for numbered lines.

    ``keep`` overrides the candidate ``keep`` lines per site (``write_rules`` passes the ones
    that survive the shipped rules); a site left with none is written as a comment only.
    """
    stats = learned.stats
    out = [
        f"# Learned by `cleaner learn` from {stats.documents} documents "
        f"(min-docs {options.min_docs}, min-share {options.min_share:g}, "
        f"max-chars {options.max_chars}{', prose included' if options.include_prose else ''}).",
        "# Every phrase is a whole line repeated across one site's pages: review before use.",
        "",
        "[pack]",
        'name = "learned"',
        'description = "Lines repeated across the pages of one site, found by cleaner learn."',
    ]
    used: set[str] = set()
    for site in learned.sites:
        slug = _slug(site.site)
        if slug in used:
            slug = f"{slug}-{zlib.crc32(site.site.encode('utf-8', 'surrogatepass')):08x}"
        used.add(slug)
        site_keep = list(site.content if keep is None else keep.get(site.site, ()))
        out.append("")
        for line in site.prose:
            out.append(
                f"# {site.site}: not proposed, looks like prose (--include-prose): "
                f"{line.text[:120]!r} in {line.docs} of {site.docs} pages"
            )
        if not site.lines:
            continue
        if not site_keep:
            out.append(
                f"# {site.site}: no content line survives the shipped rules as a keep example;"
            )
            out.extend(f"#   {ln.text!r} in {ln.docs} of {site.docs} pages" for ln in site.lines)
            continue
        plain = tuple(ln for ln in site.lines if not _DIGIT_RE.search(ln.text))
        numbered = tuple(ln for ln in site.lines if _DIGIT_RE.search(ln.text))
        if plain:
            out.extend(_rule(f"learned.{slug}", site, plain, site_keep, options.max_chars))
        if numbered:
            if plain:
                out.append("")
            out.extend(
                _rule(f"learned.{slug}.numbered", site, numbered, site_keep, options.max_chars)
            )
    return "\n".join(out) + "\n"


def write_rules(learned: Learned, options: LearnOptions, rounds: int = 3) -> str:
    """Return the rule file for ``learned`` after running its examples like ``cleaner rules test``.

    A ``keep`` candidate the shipped rules (or the learned ones) would change is replaced by
    the site's next content line, so the file passes ``cleaner rules test`` as written.
    """
    from cleaner.ruletest import run_rule_tests  # the harness loads the shipped packs

    keep = {site.site: list(site.content) for site in learned.sites}
    text = render_rules(learned, options, keep)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "learned.toml"
        for _ in range(rounds):
            path.write_text(text, encoding="utf-8")
            failed = [result for result in run_rule_tests([path]) if not result.ok]
            if not failed:
                return text
            for result in failed:
                if result.case.startswith("keep["):
                    lines = keep[result.rule.sites[0]]
                    bad = result.rule.keep[int(result.case[5:-1])][1]
                    if bad in lines:
                        lines.remove(bad)
            text = render_rules(learned, options, keep)
    return text
