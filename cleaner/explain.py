"""``cleaner explain``: a document shown with every removal, line and repair marked in place.

It renders one document at a time, held whole in memory with its changes (the cleaning
itself streams; this view does not). Lines are numbered as in the input; a removed line
has ``-`` in the gutter under a label naming its rule and action, a line changed inside has
``~``, and inside it removed spans read ``[-TEXT-](rule action)`` and replacements and
repairs ``[~BEFORE -> AFTER~](rule action)``. On a terminal the same comes in colour (rich),
without the brackets. It decides nothing: the changes are the engine's, as ``--removals``
records them.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from cleaner.changes import NOTE_ACTIONS, change_kind
from cleaner.engine import LONG_LINE_ID, VALVE_ID, Cleaner, split_lines
from cleaner.errors import InputError
from cleaner.inputs import TRUNCATED_ERRORS, Input
from cleaner.model import Change
from cleaner.pipeline import Options, Say, open_input, opened_documents


@dataclass(slots=True)
class Edit:
    """A piece of a line that changes were made to: its text at each step, and who made them."""

    steps: list[str]
    labels: list[str]


Piece = str | Edit


@dataclass(slots=True)
class Line:
    """One input line as explained: its pieces, and the rule that removed it (if any)."""

    no: int
    pieces: list[Piece]
    eol: str
    dropped: str | None = None
    """The label (``rule (action)``) of the rule that removed the whole line."""
    decoded: bool = False
    """Bytes of the line that were not UTF-8 were read as Windows-1252 (``repair.decode``)."""

    @property
    def changed(self) -> bool:
        return (
            self.dropped is not None
            or self.decoded
            or any(isinstance(p, Edit) for p in self.pieces)
        )


@dataclass(slots=True)
class Explained:
    """A document with its changes placed on its lines, and what to say about it first."""

    name: str
    lines: list[Line]
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    chars: int = 0


def _label(change: Change) -> str:
    return f"{change.rule_id} {change.action}"


def _visible(piece: Piece) -> str:
    return piece.steps[-1] if isinstance(piece, Edit) else piece


def _apply(pieces: list[Piece], change: Change) -> list[Piece]:
    """Apply one change at ``start:end`` of the line as it stands now (what is visible)."""
    before: list[Piece] = []
    covered: list[Piece] = []
    after: list[Piece] = []
    pos = 0
    for piece in pieces:
        text = _visible(piece)
        lo, hi = pos, pos + len(text)
        pos = hi
        if hi <= change.start and not (lo == hi == change.start and change.start < change.end):
            before.append(piece)
        elif lo >= change.end and (lo > change.start or change.start < change.end):
            after.append(piece)
        elif isinstance(piece, Edit):
            covered.append(piece)
        else:  # a kept piece, cut where the change starts and ends
            cut_lo = max(change.start - lo, 0)
            cut_hi = min(change.end - lo, len(text))
            if cut_lo:
                before.append(text[:cut_lo])
            covered.append(text[cut_lo:cut_hi])
            if cut_hi < len(text):
                after.append(text[cut_hi:])
    if len(covered) == 1 and isinstance(covered[0], Edit):  # a chain: entity -> repair
        edit = Edit([*covered[0].steps, change.replacement], [*covered[0].labels, _label(change)])
    else:
        original = "".join(p.steps[0] if isinstance(p, Edit) else p for p in covered)
        labels = [label for p in covered if isinstance(p, Edit) for label in p.labels]
        edit = Edit([original, change.replacement], [*labels, _label(change)])
    return [*before, edit, *after]


def explain_document(name: str, text: str, changes: list[Change]) -> Explained:
    """Return ``text`` split into lines with ``changes`` placed on them.

    >>> from cleaner import Cleaner
    >>> text = "Ein Satz [ad_1] mit Inhalt.\\n\\nLeave a Reply\\n"
    >>> doc = explain_document("x", text, list(Cleaner().clean(text).changes))
    >>> [(line.no, line.dropped) for line in doc.lines if line.changed]
    [(1, None), (2, 'comments.form-tail (drop-tail)'), (3, 'comments.form-tail (drop-tail)')]
    """
    by_line: dict[int, list[Change]] = {}
    notes = []
    for change in changes:
        if change.action in NOTE_ACTIONS:
            notes.append(_note(change))
        else:
            by_line.setdefault(change.line, []).append(change)
    lines = []
    for no, raw in enumerate(split_lines(text), 1):
        body = raw.rstrip("\r\n")
        line = Line(no, [body] if body else [], raw[len(body) :])
        for change in by_line.get(no, ()):
            if change_kind(change) == "line" and (
                change.text == _visible_text(line) + line.eol or not line.eol
            ):
                line.dropped = f"{change.rule_id} ({change.action})"
            elif change.rule_id == "repair.decode":
                line.decoded = True
            elif change.text or change.replacement:
                line.pieces = _apply(line.pieces, change)
        lines.append(line)
    return Explained(name, lines, list(changes), notes, len(text))


def _visible_text(line: Line) -> str:
    return "".join(_visible(p) for p in line.pieces)


def _note(change: Change) -> str:
    if change.rule_id == VALVE_ID:
        share = change.start / change.end if change.end else 0.0
        return f"the safety valve: rules would remove {share:.0%} of it"
    if change.rule_id == LONG_LINE_ID:
        return f"line {change.line}: longer than 1 MiB, passed through unchanged"
    return f"{change.rule_id} ({change.action})"


def summary(doc: Explained) -> str:
    """Return the one-line header of an explained document."""
    kinds = [change_kind(c) for c in doc.changes]
    removed = sum(len(c.text) - len(c.replacement) for c in doc.changes)

    def counted(count: int, what: str) -> str:
        return f"{count} {what}{'s' * (count != 1)}"

    parts = [
        counted(kinds.count("line"), "line") + " removed",
        counted(kinds.count("span"), "span"),
        counted(kinds.count("repair"), "repair"),
        f"{removed} of {doc.chars} characters",
    ]
    head = "unchanged" if not any(k != "note" for k in kinds) else ", ".join(parts)
    return f"== {doc.name}: {head} ==" + "".join(f"\n== note: {n}" for n in doc.notes)


def render_plain(doc: Explained, context: int | None = None) -> Iterator[str]:
    """Yield the lines of the plain view (markers, no colour), without line endings.

    >>> from cleaner import Cleaner
    >>> text = "Er & rdquo;ja [ad_1]\\n"
    >>> doc = explain_document("x", text, list(Cleaner().clean(text).changes))
    >>> for line in render_plain(doc):
    ...     print(line.replace("(", "\\n      ("))
    == x: 0 lines removed, 2 spans, 1 repair, 13 of 21 characters ==
        1 ~ | Er [~& rdquo; -> &rdquo; -> ”~]
          (entities.space-broken replace, repair.entity repair)ja [-[ad_1]-]
          (wp.ad-shortcode drop-span)
    """
    yield summary(doc)
    last_label: str | None = None
    for line in _shown(doc, context):
        if line is None:
            yield "      ..."
            last_label = None
            continue
        if line.dropped is not None and line.dropped != last_label:
            yield f"        -- {line.dropped} --"
        last_label = line.dropped
        mark = "-" if line.dropped else "~" if line.changed else " "
        text = "".join(_plain_piece(p) for p in line.pieces) + (DECODED if line.decoded else "")
        yield f"{line.no:>5} {mark} | {text}" if text else f"{line.no:>5} {mark} |"


def _plain_piece(piece: Piece) -> str:
    if not isinstance(piece, Edit):
        return piece
    labels = ", ".join(piece.labels)
    if len(piece.steps) == 2 and not piece.steps[1]:
        return f"[-{piece.steps[0]}-]({labels})"
    return "[~" + " -> ".join(piece.steps) + f"~]({labels})"


def _shown(doc: Explained, context: int | None) -> Iterator[Line | None]:
    """The lines to show: all, or those within ``context`` lines of a change (None: a gap)."""
    if context is None:
        yield from doc.lines
        return
    near: set[int] = set()
    for index, line in enumerate(doc.lines):
        if line.changed:
            near.update(range(index - context, index + context + 1))
    previous = -1
    for index, line in enumerate(doc.lines):
        if index in near:
            if previous >= 0 and index != previous + 1:
                yield None
            yield line
            previous = index


def render_rich(doc: Explained, out: IO[str], context: int | None = None) -> None:
    """Write the coloured view to ``out`` (a terminal): the plain view's marks as colours."""
    from rich.console import Console
    from rich.text import Text

    console = Console(file=out, force_terminal=True, highlight=False, soft_wrap=True)
    console.print(Text(summary(doc), style="bold"))
    last_label: str | None = None
    for line in _shown(doc, context):
        if line is None:
            console.print(Text("      ⋮", style="dim"))
            last_label = None
            continue
        if line.dropped is not None and line.dropped != last_label:
            console.print(Text(f"        ┌ {line.dropped}", style="bold magenta"))
        last_label = line.dropped
        mark = "-" if line.dropped else "~" if line.changed else " "
        text = Text()
        text.append(f"{line.no:>5} {mark} │ ", style="red" if line.dropped else "dim")
        for piece in line.pieces:
            if not isinstance(piece, Edit):
                text.append(piece, style="red" if line.dropped else "")
                continue
            text.append(piece.steps[0], style="red strike")
            for step in piece.steps[1:]:
                if step or len(piece.steps) > 2:
                    text.append(" → ", style="dim")
                    text.append(step, style="green")
            text.append(f" ⟨{', '.join(piece.labels)}⟩", style="magenta dim")
        if line.decoded:
            text.append(DECODED, style="magenta dim")
        console.print(text)


DECODED = "  (repair.decode repair: bytes not UTF-8 read as Windows-1252)"


def explain_inputs(
    cleaner: Cleaner, inputs: list[Input], options: Options, say: Say
) -> Iterator[Explained]:
    """Yield each document of ``inputs`` explained, as ``cleaner`` would clean it.

    A text file is one document, read whole (its lines as the CLI reads them); JSONL
    records, HTML pages and WARC records are one each. An input that cannot be read raises
    ``InputError``; a malformed JSONL record is named through ``say`` and skipped.
    """
    from cleaner.encoding import read_lines

    def skip(source: str, line_no: int, error: str) -> None:
        say(f"cleaner: {source}:{line_no}: {error}; skipped")

    for inp in inputs:
        opened = open_input(inp, options)
        if opened.format == "text":
            try:
                data = opened.stream.read()
            except TRUNCATED_ERRORS as exc:
                raise InputError(
                    f"{opened.source}: compressed data cut short or corrupt ({exc})"
                ) from None
            finally:
                opened.close()
            text = "".join(raw.text + raw.eol for raw in read_lines(io.BytesIO(data)))
            changes: list[Change] = []
            for _ in cleaner.clean_stream(io.BytesIO(data), changes.append):
                pass
            yield explain_document(opened.source, text, changes)
            continue
        for doc in opened_documents(opened, options, skip):
            result = cleaner.clean(doc.text, site=doc.site)
            yield explain_document(doc.id, doc.text, list(result.changes))
