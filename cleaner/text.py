"""Normalisations used to compare lines: the keys phrase rules and duplicate checks look up.

These never change the output; they only decide what counts as "the same line". They run on
every short line, so they stay a handful of C-level string calls.
"""

from __future__ import annotations

import re

# Arabic tatweel and harakat: MT output and hand-typed text drop or add them freely
# ("إرســال" in the WordPress Arabic pack has tatweels), so keys ignore them. Deleted with a
# regular expression, not ``str.translate``: a dict-driven translate of a non-ASCII line costs
# ~40 µs, a search that finds nothing ~1 µs.
ARABIC_MARKS_RE = re.compile("[\u0640\u064b-\u065f\u0670]")


def collapse(text: str) -> str:
    """Return ``text`` case-folded with every run of whitespace (NBSP included) as one space.

    >>> collapse("  Leave\u00a0a   REPLY ")
    'leave a reply'
    """
    folded = text.casefold()
    if not folded.isascii() and ARABIC_MARKS_RE.search(folded) is not None:
        folded = ARABIC_MARKS_RE.sub("", folded)
    return " ".join(folded.split())


def strip_edges(text: str) -> str:
    """Return ``text`` without the characters that are not letters or digits at either end.

    >>> strip_edges("— Leave a Reply: —")
    'Leave a Reply'
    """
    start, end = 0, len(text)
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return text[start:end]


def strip_leading_edge(text: str) -> str:
    """Return ``text`` without the characters that are not letters or digits at its start.

    >>> strip_leading_edge("» Related: x")
    'Related: x'
    """
    start = 0
    while start < len(text) and not text[start].isalnum():
        start += 1
    return text[start:]


def normalize_key(text: str) -> str:
    """Return the key a whole-line phrase is compared on: ``collapse`` without edge symbols.

    Punctuation and symbols at either end do not count, so "Leave a Reply", "LEAVE A REPLY:"
    and "— Leave a Reply —" share one key, while words do: "Please leave a reply" does not.

    >>> normalize_key("Required fields are marked *")
    'required fields are marked'
    """
    return strip_edges(collapse(text))
