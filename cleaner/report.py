"""The ``--report`` HTML page (work in progress: the summary only)."""

from __future__ import annotations

import html
from typing import Any

from cleaner.audit import Sample
from cleaner.stats import RunStats


def render_report(stats: RunStats, samples: dict[str, list[Sample]], run: dict[str, Any]) -> str:
    """Return the report page."""
    return f"<!doctype html><title>cleaner report</title><pre>{html.escape(stats.dumps())}</pre>"
