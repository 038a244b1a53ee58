"""The ``cleaner`` command: a thin click layer over the library.

It parses options, opens inputs and outputs, and maps library errors to exit codes; all the
cleaning is in ``engine.py``. Nothing but cleaned text is ever written to stdout.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import sys
import warnings
from pathlib import Path
from typing import Any, NoReturn

import click

import cleaner
from cleaner.audit import Audit, AuditFileError, AuditFiles, AuditOptions
from cleaner.charsets import canonical
from cleaner.engine import Cleaner, CleanerConfig
from cleaner.errors import (
    EXIT_BROKEN_PIPE,
    EXIT_INPUT,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    EXIT_USAGE,
    InputError,
    RuleFileError,
    StopRunError,
)
from cleaner.formats import EXTRACT_MODES, FORMATS, JsonlFields
from cleaner.inputs import (
    Input,
    WriteError,
    atomic_output,
    expand,
)
from cleaner.model import Rule
from cleaner.pipeline import (
    ON_ERROR,
    Options,
    Tally,
    new_audit,
)
from cleaner.progress import RunProgress
from cleaner.tasks import (
    PlanError,
    StdoutGoneError,
    drop_stdout_buffer,
    plan_tasks,
    run_task,
    total_bytes,
)

EXIT_CODES_HELP = """\b
Exit codes:
  0    all inputs cleaned
  1    an input could not be read or cleaned (the others were still cleaned), or a
       malformed JSONL record stopped the run
  2    bad usage or an invalid rule file (nothing was cleaned)
  130  interrupted (Ctrl-C); no half-written output file is left
  143  terminated (SIGTERM); no half-written output file is left
  141  stdout was closed early (e.g. piped into head); no traceback"""

CLEAN_HELP = f"""Clean web debris out of text, JSONL, HTML and WARC files (or stdin).

A text file is one document; a JSONL record, an HTML page and a WARC response are one each.
FOLDERs are walked recursively; .gz/.bz2/.xz/.zst inputs are decompressed. With no FILE, or
FILE '-', stdin is read. Cleaned output goes to stdout, or to -o PATH (a folder when there
are several inputs: their tree is mirrored). Only cleaned output is ever written to stdout;
--explain, warnings and the progress bar go to stderr.

\b
Examples:
  cleaner page.txt > clean.txt
  cat page.txt | cleaner - | less
  cleaner --explain page.txt > /dev/null      # what would be removed, and by which rule
  cleaner explain page.txt                    # the page, each removal marked in place
  cleaner --removals r.jsonl --stats s.json --report r.html corpus/ -o clean/
  cleaner -o cleaned/ scraped/                # a folder; one output file per input
  cleaner -j 0 shards/ -o clean/              # JSONL shards on every core (same output)
  cleaner --on-error skip shard.jsonl.zst > clean.jsonl
  cleaner pages/ -o text/                     # HTML pages -> main text, cleaned
  cleaner CC-MAIN-x.warc.gz > pages.jsonl     # WARC/WET -> JSONL with url, date, id
  cleaner --rules my-site.toml --disable dup.teaser page.txt
  cleaner --enable layout page-text.txt       # menus and link lists of every document
  cleaner --disable layout page.txt           # ... of none (default: whole-page text only)
  cleaner rules list                          # every rule, its id and why
  cleaner rules test my-site.toml             # run the examples in your rule file

{EXIT_CODES_HELP}
"""


def _format_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    line: str | None = None,
) -> str:
    """Library warnings (a user pattern that timed out) as one plain line on stderr."""
    return f"cleaner: warning: {message}\n"


warnings.formatwarning = _format_warning


def _fail_usage(message: str) -> NoReturn:
    click.echo(f"cleaner: {message}", err=True)
    sys.exit(EXIT_USAGE)


class _DefaultGroup(click.Group):
    """A group whose default command is ``clean``: ``cleaner FILE`` means ``cleaner clean FILE``.

    A file that happens to be called like a command (``rules``) can be given as ``./rules``.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "--version")):
            args = ["clean", *args]
        return super().parse_args(ctx, args)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        clean = self.commands["clean"]
        with click.Context(clean, info_name=ctx.info_name, parent=None) as sub:
            clean.format_help(sub, formatter)
        formatter.write_paragraph()
        self.format_commands(ctx, formatter)


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(f"cleaner, version {cleaner.__version__}")
        ctx.exit()


@click.group(cls=_DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_show_version,
    help="Show the version and exit.",
)
def main() -> None:
    """Remove web debris from scraped text; see 'cleaner --help'."""


def _config(
    rules: tuple[Path, ...],
    disable: tuple[str, ...],
    enable: tuple[str, ...],
    keep_comments: bool,
    lang: tuple[str, ...],
    no_repair: bool,
) -> CleanerConfig:
    languages = {code.strip() for item in lang for code in item.split(",") if code.strip()}
    return CleanerConfig(
        rules=rules,
        disable=frozenset(disable),
        enable=frozenset(enable),
        keep_comments=keep_comments,
        languages=frozenset(languages) if languages else None,
        repair=not no_repair,
    )


def _build(config: CleanerConfig) -> Cleaner:
    try:
        return Cleaner(config)
    except RuleFileError as exc:
        for problem in exc.problems:
            click.echo(problem, err=True)
        count = len(exc.problems)
        _fail_usage(f"{count} problem{'s' * (count != 1)} in rule files; nothing was cleaned")


class _Terminated(BaseException):
    """SIGTERM arrived: unwind like Ctrl-C, so no temporary output file is left behind."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise _Terminated


def _echo(message: str) -> None:
    click.echo(message, err=True)


def _summary(tally: Tally, options: Options) -> None:
    """One line on stderr for what a reader of the output cannot see (not with --quiet)."""
    notes = []
    if tally.bad_skipped:
        notes.append(f"{tally.bad_skipped} malformed records skipped")
    if tally.bad_kept:
        notes.append(f"{tally.bad_kept} malformed records kept unchanged")
    if tally.empty_pages:
        notes.append(f"{tally.empty_pages} pages without main text")
    if tally.warc_skipped:
        notes.append(f"{tally.warc_skipped} WARC records that are not pages (requests, metadata)")
    if notes and not options.quiet:
        _echo(f"cleaner: {tally.documents} documents cleaned; " + "; ".join(notes))


@main.command("clean", help=CLEAN_HELP)
@click.argument("files", nargs=-1, metavar="[FILE|FOLDER]...")
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    help="Write to this file (one input) or folder (several inputs or a folder: the input "
    "tree is mirrored) instead of stdout. A .gz/.bz2/.xz/.zst name is compressed.",
)
@click.option(
    "--in-place",
    is_flag=True,
    help="Rewrite each input file with its cleaned text (atomically: the file is always "
    "either old or new).",
)
@click.option(
    "--backup", metavar="SUFFIX", help="With --in-place: keep each original as FILE+SUFFIX."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", *FORMATS]),
    default="auto",
    show_default=True,
    help="Input format; auto: from the file name (.jsonl, .html, .warc, .wet, after "
    ".gz/.bz2/.xz/.zst), else from the first bytes.",
)
@click.option(
    "--to",
    type=click.Choice(["text", "jsonl"]),
    help="Output format; default: JSONL for JSONL and WARC input, text for text and HTML.",
)
@click.option("--text-field", default="text", show_default=True, help="JSONL: the field cleaned.")
@click.option(
    "--id-field", metavar="FIELD", help="JSONL: the field that names a record in messages."
)
@click.option(
    "--site-field",
    default="url",
    show_default=True,
    help="JSONL: the field with the document's URL (its site scopes site rules).",
)
@click.option(
    "--on-error",
    type=click.Choice(list(ON_ERROR)),
    default="stop",
    show_default=True,
    help="A malformed JSONL record: stop the run (exit 1), skip it, or keep it unchanged; "
    "skipped and kept records are counted on stderr.",
)
@click.option(
    "--glob", metavar="PATTERN", help="In folders, only files matching this (e.g. '*.jsonl.gz')."
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(0),
    default=1,
    show_default=True,
    help="Worker processes (0: one per core). Output is identical to -j 1, in the same order.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="A progress bar on stderr; default: on when stderr is a terminal (never with -q).",
)
@click.option(
    "--rules",
    "rules",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Add a rule file or a folder of *.toml rule files (repeatable).",
)
@click.option(
    "--disable",
    multiple=True,
    metavar="ID",
    help="Turn off a rule id or a whole pack (repeatable).",
)
@click.option(
    "--enable",
    multiple=True,
    metavar="ID",
    help=(
        "Turn on an opt-in pack or rule for every document ('layout': menus and link lists; "
        "without this, it is on only for documents that open like a whole page)."
    ),
)
@click.option(
    "--keep-comments",
    is_flag=True,
    help="Keep comment threads (comment forms and spam notices still go); HTML and WARC: "
    "also extract the comments.",
)
@click.option(
    "--extract",
    type=click.Choice(EXTRACT_MODES),
    default="balanced",
    show_default=True,
    help="HTML and WARC: trafilatura's trade-off; 'recall' keeps more of the page (and its "
    "debris), 'precision' less.",
)
@click.option(
    "--lang",
    multiple=True,
    metavar="CODES",
    help="Only rules for these languages (e.g. 'de,en'), plus language-neutral ones.",
)
@click.option("--no-repair", is_flag=True, help="Do not repair mojibake or entities.")
@click.option(
    "--encoding",
    metavar="NAME",
    help="Text input: read it in this encoding (e.g. shift_jis, cp1256). Default: UTF-8 "
    "(stray bytes as Windows-1252), or the legacy encoding detected per file.",
)
@click.option(
    "--binary",
    is_flag=True,
    help="Clean inputs that look binary (NUL bytes, image or archive signatures) anyway.",
)
@click.option(
    "--max-removed-share",
    type=click.FloatRange(0, 1),
    metavar="SHARE",
    help="Safety valve: a document whose rules would remove more than this share of its "
    "characters is kept unchanged (or flagged, see --on-excess). Off by default; RefinedWeb "
    "uses 0.05.",
)
@click.option(
    "--on-excess",
    type=click.Choice(["keep", "flag"]),
    default="keep",
    show_default=True,
    help="With --max-removed-share: 'keep' writes the document unchanged, 'flag' cleans it "
    "and names it on stderr.",
)
@click.option(
    "--explain",
    is_flag=True,
    help="Write every removal and repair, with its rule id and line, to stderr (one line "
    "each; 'cleaner explain FILE' shows the document with them marked).",
)
@click.option(
    "--removals",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE.jsonl",
    help="Write one JSON record per removal and repair (document, rule id, pack, action, "
    "line, span, text) to this file.",
)
@click.option(
    "--annotate",
    is_flag=True,
    help="JSONL output: add each record's removals and repairs to it, as a list under "
    "'cleaner' (the text is cleaned the same).",
)
@click.option(
    "--stats",
    "stats_path",
    metavar="FILE.json",
    help="Write the run's statistics (documents, bytes in and out, lines removed, per rule, "
    "per pack, repairs, removed share) as JSON to this file; '-': to stderr.",
)
@click.option(
    "--report",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE.html",
    help="Write a self-contained HTML report: summary, bytes removed per rule and pack, "
    "removed share per document, samples of each rule's removals in context.",
)
@click.option("-q", "--quiet", is_flag=True, help="No messages on stderr except errors.")
def clean_command(
    files: tuple[str, ...],
    output: str | None,
    in_place: bool,
    backup: str | None,
    fmt: str,
    to: str | None,
    text_field: str,
    id_field: str | None,
    site_field: str,
    on_error: str,
    glob: str | None,
    jobs: int,
    progress: bool | None,
    rules: tuple[Path, ...],
    disable: tuple[str, ...],
    enable: tuple[str, ...],
    keep_comments: bool,
    extract: str,
    lang: tuple[str, ...],
    no_repair: bool,
    encoding: str | None,
    binary: bool,
    max_removed_share: float | None,
    on_excess: str,
    explain: bool,
    removals: Path | None,
    annotate: bool,
    stats_path: str | None,
    report: Path | None,
    quiet: bool,
) -> None:
    current: Path | None = None
    files_out = AuditFiles(removals, stats_path, report)
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        config = _config(rules, disable, enable, keep_comments, lang, no_repair)
        config = dataclasses.replace(
            config, max_removed_share=max_removed_share, on_excess=on_excess
        )
        if backup and not in_place:
            _fail_usage("--backup only goes with --in-place")
        codec = canonical(encoding) if encoding else None
        if encoding and codec is None:
            _fail_usage(f"--encoding {encoding}: not an encoding Python knows")
        if annotate and to == "text":
            _fail_usage("--annotate adds a field to JSONL records; it cannot go with --to text")
        audit_options = AuditOptions(
            stats=bool(stats_path or report),
            removals=removals is not None,
            annotate=annotate,
            samples=REPORT_SAMPLES if report is not None else 0,
            share_limit=max_removed_share,
            on_excess=on_excess,
        )
        options = Options(
            format=None if fmt == "auto" else fmt,
            to=to,
            fields=JsonlFields(text_field, id_field, site_field or None),
            on_error=on_error,
            keep_comments=keep_comments,
            extract=extract,
            binary=binary,
            encoding=codec,
            explain=explain,
            quiet=quiet,
            audit=audit_options,
        )
        cleaner = _build(config)
        try:
            plan = plan_tasks(files or ("-",), output, in_place, glob, options)
        except PlanError as exc:
            _fail_usage(str(exc))
        audit = None
        if audit_options.active:
            try:
                files_out.open()
            except AuditFileError as exc:
                _echo(f"cleaner: {exc}; nothing was cleaned")
                sys.exit(EXIT_INPUT)
            audit = new_audit(cleaner, options, files_out.removals, str(removals))
        workers = jobs or os.cpu_count() or 1
        status = EXIT_OK
        total = Tally()
        shown = not quiet and (sys.stderr.isatty() if progress is None else progress)
        with RunProgress(total_bytes(plan), shown) as bar:
            if workers > 1:
                from cleaner.parallel import run_parallel

                status, total = run_parallel(
                    cleaner, plan, options, backup, workers, _echo, bar, audit
                )
            else:
                for task in plan:
                    if isinstance(task, InputError):
                        _echo(f"cleaner: {task}")
                        status = EXIT_INPUT
                        continue
                    current = task.target
                    tally = run_task(cleaner, task, options, backup, bar, audit, _echo)
                    current = None
                    if tally is None:
                        status = EXIT_INPUT
                    else:
                        total.add(tally)
        _summary(total, options)
    except StopRunError as exc:
        _echo(f"cleaner: {exc}")
        _commit(files_out, audit, files)
        sys.exit(EXIT_INPUT)
    except StdoutGoneError:
        files_out.discard()
        sys.exit(EXIT_INPUT)
    except BrokenPipeError:
        # The reader went away (`cleaner big.txt | head`): stop quietly, like cat does. The
        # audit files would describe a run cut short at an unknown point: they are not kept.
        files_out.discard()
        drop_stdout_buffer()
        sys.exit(EXIT_BROKEN_PIPE)
    except (KeyboardInterrupt, _Terminated) as exc:
        where = f"; {current} was not written" if current is not None else ""
        what = "terminated" if isinstance(exc, _Terminated) else "interrupted"
        _echo(f"cleaner: {what}{where}")
        files_out.discard()
        sys.exit(EXIT_TERMINATED if isinstance(exc, _Terminated) else EXIT_INTERRUPTED)
    status = max(status, _commit(files_out, audit, files))
    if status and not quiet:
        _echo("cleaner: some inputs could not be cleaned (see above)")
    sys.exit(status)


EXPLAIN_HELP = """Show documents with every removal, removed line and repair marked in place.

\b
Each line is numbered as in the input. A removed line has '-' in the gutter, under a label
'-- RULE (ACTION) --' naming what removed it; a line changed inside has '~', and in it
  [-TEXT-](RULE ACTION)              a span removed
  [~BEFORE -> AFTER~](RULE ACTION)   a replacement or repair (a chain: A -> B -> C)
On a terminal the same is in colour (--color / --no-color). Nothing is written but the
view, on stdout; the cleaning options are those of 'cleaner'. One document at a time is
held in memory (a text file whole).

\b
Examples:
  cleaner explain page.txt
  cleaner explain --context 2 shard.jsonl | less -R
  cleaner explain --rules my-site.toml --disable dup.teaser page.txt
"""

EXPLAIN_SHARED = (
    "fmt", "text_field", "id_field", "site_field", "rules", "disable", "enable",
    "keep_comments", "lang", "no_repair", "encoding", "binary", "max_removed_share",
    "on_excess", "extract",
)  # fmt: skip
"""The options of ``clean`` that ``explain`` takes too (the same objects: the same help)."""


@main.command("explain", help=EXPLAIN_HELP)
@click.argument("files", nargs=-1, metavar="[FILE|FOLDER]...")
@click.option(
    "--context",
    type=click.IntRange(0),
    metavar="N",
    help="Show only the lines within N lines of a change (default: every line).",
)
@click.option(
    "--color/--no-color",
    default=None,
    help="Colour instead of bracket markers; default: when stdout is a terminal.",
)
@click.option("--glob", metavar="PATTERN", help="In folders, only files matching this.")
def explain_command(
    files: tuple[str, ...],
    context: int | None,
    color: bool | None,
    glob: str | None,
    **shared: Any,
) -> None:
    from cleaner.explain import explain_inputs, render_plain, render_rich

    config = _config(
        shared["rules"], shared["disable"], shared["enable"], shared["keep_comments"],
        shared["lang"], shared["no_repair"],
    )  # fmt: skip
    config = dataclasses.replace(
        config, max_removed_share=shared["max_removed_share"], on_excess=shared["on_excess"]
    )
    encoding = shared["encoding"]
    codec = canonical(encoding) if encoding else None
    if encoding and codec is None:
        _fail_usage(f"--encoding {encoding}: not an encoding Python knows")
    options = Options(
        format=None if shared["fmt"] == "auto" else shared["fmt"],
        fields=JsonlFields(shared["text_field"], shared["id_field"], shared["site_field"] or None),
        keep_comments=shared["keep_comments"],
        binary=shared["binary"],
        encoding=codec,
        extract=shared["extract"],
    )
    cleaner = _build(config)
    colour = sys.stdout.isatty() if color is None else color
    status = EXIT_OK
    inputs = []
    for item in expand(files or ("-",), glob):
        if isinstance(item, InputError):
            _echo(f"cleaner: {item}")
            status = EXIT_INPUT
        else:
            inputs.append(item)
    try:
        for inp in inputs:
            try:
                for doc in explain_inputs(cleaner, [inp], options, _echo):
                    if colour:
                        render_rich(doc, sys.stdout, context)
                    else:
                        for line in render_plain(doc, context):
                            sys.stdout.write(line + "\n")
                    sys.stdout.flush()
            except InputError as exc:
                _echo(f"cleaner: {exc}")
                status = EXIT_INPUT
    except BrokenPipeError:
        drop_stdout_buffer()
        sys.exit(EXIT_BROKEN_PIPE)
    except KeyboardInterrupt:
        _echo("cleaner: interrupted")
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(status)


explain_command.params.extend(p for p in clean_command.params if p.name in EXPLAIN_SHARED)


REPORT_SAMPLES = 5
"""Removals kept per rule for the --report's samples (spread over the run; see audit.py)."""


def _commit(files_out: AuditFiles, audit: Audit | None, names: tuple[str, ...]) -> int:
    """Write --stats and --report and put the audit files in place; return an exit status."""
    if audit is None:
        return EXIT_OK
    try:
        files_out.commit(
            audit, {"inputs": list(names or ("-",)), "version": cleaner.__version__}, sys.stderr
        )
    except AuditFileError as exc:
        _echo(f"cleaner: {exc}")
        return EXIT_INPUT
    return EXIT_OK


@main.group("rules")
def rules_group() -> None:
    """List the rules, or run the examples in rule files."""


def _opt_in(rule: Rule) -> str:
    return "opt-in" if rule.auto is None else "auto"


@rules_group.command("list")
@click.option(
    "--rules",
    "rules",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Also list the rules of this file or folder (repeatable).",
)
@click.option(
    "--markdown", is_flag=True, help="A Markdown reference, one table per pack (docs/rules.md)."
)
def rules_list(rules: tuple[Path, ...], markdown: bool) -> None:
    """List every rule: id, action, pack, languages and why, one per line (tab-separated)."""
    cleaner = _build(CleanerConfig(rules=rules))
    if not markdown:
        for rule in cleaner.rule_set.rules:
            langs = ",".join(rule.languages)
            pack = rule.pack if rule.default else f"{rule.pack} ({_opt_in(rule)})"
            click.echo(f"{rule.id}\t{rule.action.value}\t{pack}\t{langs}\t{rule.why}")
        return
    click.echo("# Rule reference\n")
    click.echo("Generated by `cleaner rules list --markdown`; do not edit by hand.\n")
    packs: dict[str, list[Any]] = {}
    for rule in cleaner.rule_set.rules:
        packs.setdefault(rule.pack, []).append(rule)
    for pack, members in packs.items():
        opt_in = "" if members[0].default else f" ({_opt_in(members[0])}: `--enable {pack}`)"
        click.echo(f"## {pack}{opt_in}\n")
        click.echo(f"`{members[0].source.name}`\n")
        click.echo("| id | action | languages | why |")
        click.echo("| --- | --- | --- | --- |")
        for rule in members:
            langs = ", ".join(rule.languages)
            why = rule.why.replace("|", "\\|")
            click.echo(f"| `{rule.id}` | {rule.action.value} | {langs} | {why} |")
        click.echo()


@rules_group.command("test")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-v", "--verbose", is_flag=True, help="Show every case, not only failures.")
def rules_test(paths: tuple[Path, ...], verbose: bool) -> None:
    """Run the match/keep examples of rule files (the shipped packs if no PATH).

    \b
    Each `match` must be changed by its rule alone; each `keep` must come through all rules
    (shipped packs included) unchanged; each [[rule.example]] must give its output.
    Exit code 0 if all pass, 1 if any fails, 2 if a file does not load.
    """
    from cleaner.ruletest import run_rule_tests

    try:
        results = run_rule_tests(paths)
    except RuleFileError as exc:
        for problem in exc.problems:
            click.echo(problem, err=True)
        sys.exit(EXIT_USAGE)
    failed = [r for r in results if not r.ok]
    for result in results:
        if not result.ok:
            click.echo(f"FAIL {result.test_id}: {result.problem}")
        elif verbose:
            click.echo(f"ok   {result.test_id}")
    rules = len({r.rule.id for r in results})
    click.echo(f"{len(results) - len(failed)} passed, {len(failed)} failed ({rules} rules)")
    sys.exit(EXIT_INPUT if failed else EXIT_OK)


LEARN_HELP = """Find lines each site repeats across its pages and write them as rules.

\b
Reads the inputs twice (JSONL, HTML, WARC, compressed, folders; not stdin), groups documents
by site (the host of --site-field, or of the WARC URL) and proposes every line that occurs
in at least --min-docs and --min-share of a site's documents, as one site-scoped rule per
site. Review the file, then use it: cleaner --rules learned.toml corpus.jsonl

\b
Examples:
  cleaner learn crawl/*.jsonl.gz -o learned.toml
  cleaner learn pages.jsonl --site-field source_url --min-share 0.3 -o learned.toml
  cleaner rules test learned.toml
"""


@main.command("learn", help=LEARN_HELP)
@click.argument("files", nargs=-1, required=True, metavar="INPUT...")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="The rule file to write (default: stdout).",
)
@click.option(
    "--min-docs",
    type=click.IntRange(1),
    default=5,
    show_default=True,
    help="A line must occur in at least this many documents of its site ...",
)
@click.option(
    "--min-share",
    type=click.FloatRange(0, 1),
    default=0.5,
    show_default=True,
    help="... and in at least this share of them.",
)
@click.option(
    "--max-chars",
    type=click.IntRange(1),
    default=200,
    show_default=True,
    help="Longer lines are never proposed.",
)
@click.option(
    "--include-prose", is_flag=True, help="Also propose lines that read like sentences of content."
)
@click.option(
    "--budget",
    type=click.IntRange(1),
    default=100_000,
    show_default=True,
    help="Most lines counted exactly at once (bounds memory; see the summary).",
)
@click.option("--text-field", default="text", show_default=True, help="JSONL: the text field.")
@click.option(
    "--site-field",
    default="url",
    show_default=True,
    help="JSONL: the field with the document's URL; its host is the site.",
)
@click.option("--glob", metavar="PATTERN", help="In folders, only files matching this.")
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr.")
def learn_command(
    files: tuple[str, ...],
    output: Path | None,
    min_docs: int,
    min_share: float,
    max_chars: int,
    include_prose: bool,
    budget: int,
    text_field: str,
    site_field: str,
    glob: str | None,
    quiet: bool,
) -> None:  # fmt: skip
    from cleaner.learn import LearnOptions, learn, write_rules
    from cleaner.pipeline import read_documents

    inputs: list[Input] = []
    for item in expand(files, glob):
        if isinstance(item, InputError):
            _echo(f"cleaner: {item}")
            sys.exit(EXIT_INPUT)
        if item.is_stdin:
            _fail_usage("learn reads its inputs twice; save stdin to a file first")
        inputs.append(item)
    options = Options(fields=JsonlFields(text_field, None, site_field or None), quiet=quiet)
    said: set[str] = set()

    def say(message: str) -> None:  # each message once, not once per pass
        if message not in said and not quiet:
            said.add(message)
            _echo(message)

    settings = LearnOptions(min_docs, min_share, max_chars, include_prose, budget)
    try:
        learned = learn(lambda: read_documents(inputs, options, say), settings)
        text = write_rules(learned, settings)
    except InputError as exc:
        _echo(f"cleaner: {exc}")
        sys.exit(EXIT_INPUT)
    except KeyboardInterrupt:
        _echo("cleaner: interrupted; nothing was written")
        sys.exit(EXIT_INTERRUPTED)
    if output is None or str(output) == "-":
        click.echo(text, nl=False)
    else:
        try:
            with atomic_output(output) as handle:
                handle.write(text.encode("utf-8"))
        except WriteError as exc:
            _echo(f"cleaner: {output}: cannot write: {exc}")
            sys.exit(EXIT_INPUT)
    stats = learned.stats
    if not quiet:
        lines = sum(len(site.lines) for site in learned.sites)
        _echo(
            f"cleaner learn: {stats.documents} documents ({stats.without_site} without a site), "
            f"{lines} lines proposed for {sum(1 for s in learned.sites if s.lines)} sites; "
            f"{stats.candidates} of --budget {stats.budget} exact counters used"
        )
        if stats.refused:
            _echo(
                f"cleaner learn: warning: {stats.refused} candidate lines found the budget full "
                "and were not counted; raise --budget for exact results"
            )


def run() -> Any:
    """Entry point for ``python -m cleaner``."""
    return main()
