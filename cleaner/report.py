"""The ``--report`` page: one self-contained HTML file for reviewing what a run removed.

A summary, bars of the bytes removed per rule and per pack, the distribution of the share
removed per document and samples of each rule's removals in context, as plain string
templates with inline SVG: no script, no stylesheet or font from the network, nothing to
install. Every text from the corpus is escaped. The figures are ``stats.py``'s, the samples
``audit.py``'s; this module only lays them out.
"""

from __future__ import annotations

import html
from string import Template
from typing import Any

from cleaner.audit import Sample
from cleaner.stats import SHARE_BINS, Count, RunStats

MAX_BARS = 30
"""Rules shown as bars; the rest are summed into one bar ("N other rules")."""

PAGE = Template("""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cleaner report: $title</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px;
       padding: 0 1em; color: #1d1d1f; }
h1 { font-size: 1.5em; margin-bottom: .2em; } h2 { margin-top: 2em; font-size: 1.2em; }
.meta { color: #666; }
table { border-collapse: collapse; margin: .5em 0; }
td, th { padding: .25em .8em; border-bottom: 1px solid #e5e5e5; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
svg text { font: 12px system-ui, sans-serif; fill: #1d1d1f; }
svg .bar { fill: #c0392b; } svg .pack { fill: #2c6fbb; } svg .hist { fill: #7d5ba6; }
svg .limit { stroke: #e67e22; stroke-width: 2; stroke-dasharray: 4 3; }
.sample { border-left: 3px solid #ddd; margin: .6em 0; padding: .2em .8em; }
.sample pre { margin: 0; white-space: pre-wrap; word-break: break-word;
              font: 12.5px/1.4 ui-monospace, monospace; }
.ctx { color: #777; } del { background: #fbe3e1; color: #a12a1e; }
ins { background: #e3f4e1; color: #1e6b2a; text-decoration: none; }
.where { color: #666; font-size: .9em; } code { font-size: .95em; }
</style>
</head>
<body>
<h1>cleaner report</h1>
<p class="meta">$meta</p>
<h2 id="summary">Summary</h2>
$summary
<h2 id="rules">Bytes removed per rule</h2>
$rule_chart
<h2 id="packs">Bytes removed per pack</h2>
$pack_chart
<h2 id="share">Share of each document removed by rules</h2>
$histogram
<h2 id="repairs">Repairs</h2>
$repairs
<h2 id="samples">Samples of each rule's removals</h2>
<p class="meta">Up to $per_rule removals per rule, chosen by a hash of where they are (spread over
the run, the same with any number of workers), with the input lines around them.</p>
$samples
</body>
</html>
""")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _size(count: int) -> str:
    """Return a byte count for people: ``1.2 MB``, ``830 B``.

    >>> _size(830), _size(12_345), _size(3_400_000)
    ('830 B', '12.3 kB', '3.4 MB')
    """
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if abs(count) >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} B"


def _bars(rows: list[tuple[str, Count]], css: str, kind: str) -> str:
    """Return a horizontal bar chart (inline SVG) of the bytes of each row."""
    if not rows:
        return '<p class="meta">Nothing was removed.</p>'
    label_w, bar_w, row_h = 300, 560, 22
    top = max(max(c.bytes for _, c in rows), 1)
    height = row_h * len(rows) + 10
    parts = [
        f'<svg class="chart" id="{kind}-chart" '
        f'width="{label_w + bar_w + 110}" height="{height}" role="img" '
        f'aria-label="bytes removed per {kind}">'
    ]
    for index, (name, count) in enumerate(rows):
        y = 5 + index * row_h
        width = max(bar_w * max(count.bytes, 0) / top, 1)
        tip = f"{name}: {count.bytes} bytes, {count.changes} changes in {count.documents} documents"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end">{_e(name)}</text>'
            f'<rect class="{css}" data-{kind}="{_e(name)}" x="{label_w}" y="{y + 3}" '
            f'width="{width:.1f}" height="{row_h - 6}"><title>{_e(tip)}</title></rect>'
            f'<text x="{label_w + width + 6:.1f}" y="{y + 15}">{_size(count.bytes)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _top(counts: dict[str, Count]) -> list[tuple[str, Count]]:
    rows = sorted(counts.items(), key=lambda item: (-item[1].bytes, item[0]))
    if len(rows) <= MAX_BARS:
        return rows
    rest = Count()
    for _, count in rows[MAX_BARS - 1 :]:
        rest.add(count)
    return [*rows[: MAX_BARS - 1], (f"{len(rows) - MAX_BARS + 1} other rules", rest)]


def _histogram(stats: RunStats) -> str:
    """Return the documents per removed-share bin as an SVG column chart, the limit marked."""
    bins = stats.share_bins
    col_w, chart_h, left, bottom, head = 34, 180, 50, 44, 16
    top = max(max(bins), 1)
    width = left + col_w * len(bins) + 20
    parts = [
        f'<svg class="chart" id="share-chart" width="{width}" '
        f'height="{head + chart_h + bottom}" role="img" aria-label="documents by share removed">'
    ]
    for index, count in enumerate(bins):
        x = left + index * col_w
        h = chart_h * count / top
        label = "none" if index == 0 else f"{index * 100 // SHARE_BINS}"
        span = "nothing removed" if index == 0 else (
            f"more than {(index - 1) * 100 // SHARE_BINS} %, at most {index * 100 // SHARE_BINS} %"
        )  # fmt: skip
        parts.append(
            f'<rect class="hist" x="{x + 3}" y="{head + chart_h - h:.1f}" width="{col_w - 6}" '
            f'height="{h:.1f}"><title>{count} documents: {span}</title></rect>'
            f'<text x="{x + col_w / 2}" y="{head + chart_h + 14}" text-anchor="middle" '
            f'font-size="10">{label}</text>'
        )
        if count:
            parts.append(
                f'<text x="{x + col_w / 2}" y="{head + chart_h - h - 4:.1f}" text-anchor="middle" '
                f'font-size="10">{count}</text>'
            )
    limit_x = left + col_w * (1 + stats.limit * SHARE_BINS)
    parts.append(
        f'<line class="limit" x1="{limit_x:.1f}" y1="{head}" x2="{limit_x:.1f}" '
        f'y2="{head + chart_h + 2}"><title>limit {stats.limit:g}</title></line>'
        f'<text x="{left}" y="{head + chart_h + 34}" font-size="11">documents by the % of '
        f"their characters rules removed, in steps of 5 (dashed: "
        f"{'--max-removed-share' if stats.share_limit is not None else 'reference'} "
        f"{stats.limit:g})</text></svg>"
    )
    return "".join(parts)


def _summary(stats: RunStats) -> str:
    def pct(part: int, whole: int) -> str:
        return f" ({part / whole:.1%})" if whole else ""

    removed = stats.bytes_in - stats.bytes_out
    valve = (
        "off"
        if stats.share_limit is None
        else f"{stats.share_limit:g}, on excess: {stats.on_excess} "
        f"({stats.valve_kept} kept unchanged, {stats.valve_flagged} flagged)"
    )
    rows = [
        ("documents", f"{stats.documents}"),
        ("documents changed", f"{stats.documents - stats.documents_unchanged}"
         + pct(stats.documents - stats.documents_unchanged, stats.documents)),
        ("documents unchanged", f"{stats.documents_unchanged}"),
        ("bytes in", f"{stats.bytes_in} ({_size(stats.bytes_in)})"),
        ("bytes out", f"{stats.bytes_out} ({_size(stats.bytes_out)})"),
        ("bytes removed", f"{removed}{pct(removed, stats.bytes_in)}"),
        ("lines removed", f"{stats.lines_removed}"),
        ("spans removed or replaced", f"{stats.spans_removed}"),
        ("repairs", f"{sum(c.changes for c in stats.repairs.values())}"),
        (f"documents over {stats.limit:g} removed", f"{stats.over_share}"),
        ("safety valve", valve),
    ]  # fmt: skip
    body = "".join(f'<tr><th>{_e(k)}</th><td class="n">{_e(v)}</td></tr>' for k, v in rows)
    return f'<table id="summary-table">{body}</table>'


def _repairs(stats: RunStats) -> str:
    if not stats.repairs:
        return '<p class="meta">No repairs.</p>'
    head = "<tr><th>repair</th><th>changes</th><th>documents</th><th>bytes saved</th></tr>"
    rows = "".join(
        f'<tr><td><code>{_e(k)}</code></td><td class="n">{c.changes}</td>'
        f'<td class="n">{c.documents}</td><td class="n">{c.bytes}</td></tr>'
        for k, c in sorted(stats.repairs.items(), key=lambda item: (-item[1].changes, item[0]))
    )
    return f'<table id="repairs-table">{head}{rows}</table>'


def _sample(sample: Sample) -> str:
    before = "".join(f'<span class="ctx">{_e(line)}</span>\n' for line in sample.before)
    after = "".join(f'\n<span class="ctx">{_e(line)}</span>' for line in sample.after)
    removed = _e(sample.text.rstrip("\r\n") if sample.kind == "line" else sample.text)
    middle = f"<del>{removed}</del>"
    if sample.replacement:
        middle += f"<ins>{_e(sample.replacement)}</ins>"
    where = f"{sample.document}, line {sample.line} ({sample.kind})"
    return (
        f'<div class="sample"><div class="where">{_e(where)}</div>'
        f"<pre>{before}{middle}{after}</pre></div>"
    )


def _samples(stats: RunStats, samples: dict[str, list[Sample]]) -> str:
    order = sorted(
        samples, key=lambda rule_id: (-(stats.rules.get(rule_id) or stats.repairs.get(rule_id)
                                        or Count()).bytes, rule_id)
    )  # fmt: skip
    parts = []
    for rule_id in order:
        count = stats.rules.get(rule_id) or stats.repairs.get(rule_id) or Count()
        pack = stats.rule_packs.get(rule_id, rule_id.partition(".")[0])
        parts.append(
            f'<section class="rule" id="rule-{_e(rule_id)}"><h3><code>{_e(rule_id)}</code> '
            f'<span class="meta">({_e(pack)}: {count.changes} changes in {count.documents} '
            f"documents, {_size(count.bytes)})</span></h3>"
            + "".join(_sample(s) for s in samples[rule_id])
            + "</section>"
        )
    return "".join(parts) or '<p class="meta">Nothing was removed.</p>'


def render_report(
    stats: RunStats, samples: dict[str, list[Sample]], run: dict[str, Any], per_rule: int = 5
) -> str:
    """Return the report page for a run's ``stats`` and ``samples``.

    ``run`` names what was cleaned (``inputs``, ``version``). The page is the same for the
    same run (no date in it), so two reports can be compared byte for byte.

    >>> page = render_report(RunStats(), {}, {"inputs": ["<a>.txt"], "version": "0"})
    >>> page.startswith("<!doctype html>"), "&lt;a&gt;.txt" in page, "http" in page
    (True, True, False)
    """
    inputs = [str(name) for name in run.get("inputs", ())]
    shown = ", ".join(inputs[:10]) + (f" and {len(inputs) - 10} more" if len(inputs) > 10 else "")
    meta = f"cleaner {run.get('version', '')} on {shown}"
    return PAGE.substitute(
        title=_e(shown),
        meta=_e(meta),
        summary=_summary(stats),
        rule_chart=_bars(_top(stats.rules), "bar", "rule"),
        pack_chart=_bars(_top(stats.packs), "pack", "pack"),
        histogram=_histogram(stats),
        repairs=_repairs(stats),
        per_rule=per_rule,
        samples=_samples(stats, samples),
    )
