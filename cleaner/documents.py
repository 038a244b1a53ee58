"""A document as the readers of every input format hand it to the engine.

Text files are streamed line by line and never become one ``Document``; JSONL records, HTML
pages and WARC/WET records are small enough to hold one at a time, and carry what the output
and the messages need besides their text: a name, the site they come from, their other fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


@dataclass(slots=True)
class Document:
    """One document: its text, a name for messages, its site, and the fields it came with.

    ``record`` holds the fields of a JSONL record (the text field included, in input order)
    or the metadata of an HTML page or WARC record; writers put the cleaned text back in it.
    """

    text: str
    id: str
    site: str | None = None
    record: dict[str, Any] = field(default_factory=dict)


def site_of(url: str | None) -> str | None:
    """Return the host of ``url`` in lower case without a leading ``www.``, or None.

    Site-scoped rules and ``cleaner learn`` group documents by this key.

    >>> site_of("https://WWW.Example.org:8080/a/b?c"), site_of("example.org/x"), site_of("")
    ('example.org', 'example.org', None)
    """
    if not url:
        return None
    parts = urlsplit(url if "//" in url else f"//{url}")
    host = (parts.hostname or "").rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    return host or None
