"""Normalisations used to compare lines: the keys phrase rules and duplicate checks look up.

These never change the output; they only decide what counts as "the same line".
"""

from __future__ import annotations

import regex

# Arabic tatweel and harakat: MT output and hand-typed text drop or add them freely
# ("إرســال" in the WordPress Arabic pack has tatweels), so keys ignore them.
_ARABIC_MARKS = dict.fromkeys([0x0640, *range(0x064B, 0x0660), 0x0670])
_EDGE_RE = regex.compile(r"^[\p{P}\p{S}\p{Z}\s]+|[\p{P}\p{S}\p{Z}\s]+$")


def collapse(text: str) -> str:
    """Return ``text`` case-folded with every run of whitespace (NBSP included) as one space.

    >>> collapse("  Leave\u00a0a   REPLY ")
    'leave a reply'
    """
    return " ".join(text.casefold().translate(_ARABIC_MARKS).split())


def normalize_key(text: str) -> str:
    """Return the key a whole-line phrase is compared on: ``collapse`` without edge punctuation.

    Punctuation and symbols at either end do not count, so "Leave a Reply", "LEAVE A REPLY:"
    and "— Leave a Reply —" share one key, while words do: "Please leave a reply" does not.

    >>> normalize_key("Required fields are marked *")
    'required fields are marked'
    """
    return _EDGE_RE.sub("", collapse(text))


def strip_leading_edge(text: str) -> str:
    """Return ``text`` without punctuation, symbols and spaces at its start.

    >>> strip_leading_edge("» Related: x")
    'Related: x'
    """
    return _EDGE_RE.sub("", text, count=1) if text[:1] and not text[:1].isalnum() else text
