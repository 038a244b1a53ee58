"""A seeded corpus of fake sites for ``cleaner learn``: each site's own chrome around real prose.

Every site repeats its own footer, newsletter and disclaimer lines (and a copyright line whose
year changes) on most of its pages; the prose between them is real text, the cleaned outputs
of ``fixtures/pages``, drawn at random so no prose line reaches the thresholds. ``truth``
says which lines are chrome, so tests measure precision and recall against it.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

from cleaner.documents import Document, site_of
from cleaner.learn import line_key

LETTERS = "abcdefghijklmnopqrstuvwxyz"
PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"


@dataclass(frozen=True)
class Chrome:
    """A chrome line of a site and the share of its pages that carry it."""

    text: str
    share: float
    prose: bool = False


SITES: dict[str, list[Chrome]] = {
    "news.example": [
        Chrome("Home | World | Business | Sport", 1.0),
        Chrome("© {year} Example News Ltd. All rights reserved.", 0.95),
        Chrome("Sign up for our morning briefing", 0.8),
        Chrome(
            "The views expressed in this article are those of the author and not of the paper.",
            0.7,
            prose=True,
        ),
        Chrome("Corrections? Write to the desk", 0.1),  # too rare: not chrome by the thresholds
    ],
    "laden.example.de": [
        Chrome("Startseite > Blog", 0.9),
        Chrome("Newsletter abonnieren und 10 % sparen!", 0.75),
        Chrome("Alle Preise inkl. MwSt. zzgl. Versand", 0.85),
        Chrome("Share this article", 0.6),
    ],
    "blog.example.net": [
        Chrome("Posted in Uncategorized", 0.9),
        Chrome("Share this article", 0.65),
        Chrome('"Quoted" \\ back\tslash line', 0.7),  # TOML escaping
        Chrome("Page {page} of 12", 0.8),
    ],
    "tiny.example.org": [Chrome("Tiny footer", 1.0)],  # too few pages to learn from
}
PAGES_PER_SITE = {"news.example": 60, "laden.example.de": 40, "blog.example.net": 50}


def prose_lines() -> list[str]:
    """Return the sentences of ``fixtures/pages/*.out.txt`` (lines of eight words or more)."""
    found: list[str] = []
    for path in sorted(PAGES.glob("*.out.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if len(line.split()) >= 8 and line.strip() not in found:
                found.append(line.strip())
    return found


def documents(seed: int = 8, filler: int = 0) -> list[Document]:
    """Return the corpus; ``filler`` adds that many unique short lines to each page."""
    rng = random.Random(seed)
    prose = prose_lines()
    docs: list[Document] = []
    for site, chrome in SITES.items():
        for n in range(PAGES_PER_SITE.get(site, 3)):
            head = [c for c in chrome[:1] if rng.random() < c.share]
            tail = [c for c in chrome[1:] if rng.random() < c.share]
            body = rng.sample(prose, 5)
            body += ["Item " + "".join(rng.choices(LETTERS, k=8)) for _ in range(filler)]
            lines = [
                *(fill(c.text, rng) for c in head),
                *body,
                *(fill(c.text, rng) for c in tail),
            ]
            url = f"https://www.{site}/{n}"
            docs.append(Document("\n\n".join(lines) + "\n", url, site_of(url), {"url": url}))
    docs.append(Document("A page without a URL.\n", "nourl", None, {}))
    return docs


def fill(text: str, rng: random.Random) -> str:
    return text.format(year=rng.choice(range(2019, 2025)), page=rng.randint(1, 12))


def truth(*, include_prose: bool = False) -> dict[str, set[str]]:
    """Return the keys of the chrome lines ``learn`` must find per site (default thresholds)."""
    return {
        site: {
            line_key(fill(c.text, random.Random(0)))
            for c in chrome
            if c.share >= 0.6 and (include_prose or not c.prose)
        }
        for site, chrome in SITES.items()
        if site in PAGES_PER_SITE
    }


def write_jsonl(docs: list[Document], path: Path) -> Path:
    """Write ``docs`` as JSONL records with ``url`` and ``text`` fields."""
    with path.open("w", encoding="utf-8") as out:
        for doc in docs:
            out.write(json.dumps({"url": doc.record.get("url"), "text": doc.text}) + "\n")
    return path
