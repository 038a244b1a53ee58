"""The ``cleaner`` command: a thin click layer over the library.

It parses options, opens inputs and outputs, and maps library errors to exit codes; all the
cleaning is in ``engine.py``. Nothing but cleaned text is ever written to stdout.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import sys
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, BinaryIO, NoReturn

import click

from cleaner import __version__
from cleaner.encoding import MAX_LINE_BYTES, SNIFF_BYTES, sniff_binary
from cleaner.engine import LONG_LINE_ID, VALVE_ID, Cleaner, CleanerConfig
from cleaner.errors import (
    EXIT_BROKEN_PIPE,
    EXIT_INPUT,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    RuleFileError,
)
from cleaner.model import Change

EXIT_CODES_HELP = """\b
Exit codes:
  0    all inputs cleaned
  1    an input could not be read (the others were still cleaned)
  2    bad usage or an invalid rule file (nothing was cleaned)
  130  interrupted (Ctrl-C); no half-written output file is left
  141  stdout was closed early (e.g. piped into head); no traceback"""

CLEAN_HELP = f"""Clean web debris out of text files (or stdin) and repair their encoding.

Each FILE is one document; with no FILE, or FILE '-', stdin is read. Cleaned text goes to
stdout, or to -o PATH (a folder when there are several inputs). Only cleaned text is ever
written to stdout; --explain and messages go to stderr.

\b
Examples:
  cleaner page.txt > clean.txt
  cat page.txt | cleaner - | less
  cleaner --explain page.txt > /dev/null      # what would be removed, and by which rule
  cleaner -o cleaned/ scraped/*.txt           # one output file per input
  cleaner --rules my-site.toml --disable dup.teaser page.txt
  cleaner --enable layout page-text.txt       # also drop menus and link lists (opt-in)
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


@click.group(cls=_DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="cleaner")
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


def _explain_line(source: str, change: Change) -> str:
    what = repr(change.text)
    if change.replacement:
        what += f" -> {change.replacement!r}"
    return f"{source}:{change.line}: {change.rule_id} ({change.action}): {what}"


@contextlib.contextmanager
def _atomic_output(path: Path) -> Iterator[IO[bytes]]:
    """Write to a temporary file beside ``path`` and rename it into place only on success."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _WriteError(exc) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            try:
                handle.flush()
                os.fsync(handle.fileno())
            except OSError as exc:
                raise _WriteError(exc) from exc
        try:
            Path(tmp).replace(path)
        except OSError as exc:
            raise _WriteError(exc) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        raise


def _write_clean(
    cleaner: Cleaner, stream: BinaryIO, out: IO[bytes], source: str, explain: bool, quiet: bool
) -> None:
    valve = cleaner.config.max_removed_share

    def sink(change: Change) -> None:
        if change.rule_id == LONG_LINE_ID:
            if not quiet or explain:
                click.echo(
                    f"cleaner: warning: {source}:{change.line}: a line longer than "
                    f"{MAX_LINE_BYTES >> 20} MiB passed through unchanged (no rules, no repair)",
                    err=True,
                )
        elif change.rule_id == VALVE_ID:
            if not quiet or explain:
                what = "flagged" if cleaner.config.on_excess == "flag" else "kept unchanged"
                share = float(change.replacement)
                click.echo(
                    f"cleaner: {source}: rules would remove {share:.0%} of it "
                    f"(more than --max-removed-share {valve:g}): {what}",
                    err=True,
                )
        elif explain:
            click.echo(_explain_line(source, change), err=True)

    def write(text: str) -> None:
        try:
            out.write(text.encode("utf-8", "replace"))
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _WriteError(exc) from exc

    batch: list[str] = []
    size = 0
    for line in cleaner.clean_stream(stream, sink):
        batch.append(line)
        size += len(line)
        if size >= 1 << 16:
            write("".join(batch))
            batch, size = [], 0
    write("".join(batch))
    try:
        out.flush()  # per document: a reader sees each document as soon as it is cleaned
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise _WriteError(exc) from exc


class _WriteError(Exception):
    """Writing the output failed (disk full, ...): reported apart from errors reading input."""

    def __init__(self, cause: OSError) -> None:
        what = cause.strerror or str(cause)
        super().__init__(f"{what}: {cause.filename}" if cause.filename else what)
        self.cause = cause


def _peekable(stream: BinaryIO) -> io.BufferedReader:
    """Return ``stream`` as a reader that can show its first bytes without consuming them."""
    if isinstance(stream, io.BufferedReader):
        return stream
    return io.BufferedReader(stream)  # type: ignore[arg-type]  # BytesIO under CliRunner


def _outputs(files: tuple[str, ...], output: Path | None) -> list[tuple[str, Path | None]]:
    """Pair each input with its output path (None = stdout)."""
    if output is None:
        return [(name, None) for name in files]
    if len(files) == 1 and not output.is_dir():
        return [(files[0], output)]
    if output.exists() and not output.is_dir():
        _fail_usage(f"-o {output}: several inputs need a folder, and this is a file")
    pairs: list[tuple[str, Path | None]] = []
    for name in files:
        if name == "-":
            _fail_usage("stdin ('-') cannot be mixed with -o FOLDER; give -o a file name")
        pairs.append((name, output / Path(name).name))
    names = [target for _, target in pairs]
    if len(set(names)) != len(names):
        _fail_usage("-o FOLDER: two inputs have the same file name; clean them separately")
    return pairs


@main.command("clean", help=CLEAN_HELP)
@click.argument("files", nargs=-1, metavar="[FILE]...")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write to this file (one input) or folder (several inputs) instead of stdout.",
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
    help="Turn on an opt-in pack ('layout': menus and link lists of whole-page text) or rule.",
)
@click.option(
    "--keep-comments",
    is_flag=True,
    help="Keep comment threads (comment forms and spam notices still go).",
)
@click.option(
    "--lang",
    multiple=True,
    metavar="CODES",
    help="Only rules for these languages (e.g. 'de,en'), plus language-neutral ones.",
)
@click.option("--no-repair", is_flag=True, help="Do not repair mojibake or entities.")
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
    help="Write every removal and repair, with its rule id and line, to stderr.",
)
@click.option("-q", "--quiet", is_flag=True, help="No messages on stderr except errors.")
def clean_command(
    files: tuple[str, ...],
    output: Path | None,
    rules: tuple[Path, ...],
    disable: tuple[str, ...],
    enable: tuple[str, ...],
    keep_comments: bool,
    lang: tuple[str, ...],
    no_repair: bool,
    binary: bool,
    max_removed_share: float | None,
    on_excess: str,
    explain: bool,
    quiet: bool,
) -> None:
    current: Path | None = None
    try:
        config = _config(rules, disable, enable, keep_comments, lang, no_repair)
        config = dataclasses.replace(
            config, max_removed_share=max_removed_share, on_excess=on_excess
        )
        cleaner = _build(config)
        status = EXIT_OK
        for name, target in _outputs(files or ("-",), output):
            current = target
            if not _clean_input(cleaner, name, target, binary, explain, quiet):
                status = EXIT_INPUT
            current = None
    except BrokenPipeError:
        # The reader went away (`cleaner big.txt | head`): stop quietly, like cat does.
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        sys.exit(EXIT_BROKEN_PIPE)
    except KeyboardInterrupt:
        where = f" ({current} was not written)" if current else ""
        click.echo(f"cleaner: interrupted{where}", err=True)
        sys.exit(EXIT_INTERRUPTED)
    if status and not quiet:
        click.echo("cleaner: some inputs could not be cleaned (see above)", err=True)
    sys.exit(status)


def _clean_input(
    cleaner: Cleaner, name: str, target: Path | None, binary: bool, explain: bool, quiet: bool
) -> bool:
    """Clean one input into ``target`` (None: stdout); False if it could not be (reported)."""
    source = "<stdin>" if name == "-" else name
    try:
        opened: BinaryIO = sys.stdin.buffer if name == "-" else Path(name).open("rb")  # noqa: SIM115
    except IsADirectoryError:
        click.echo(f"cleaner: {name}: is a folder; name its files ({name}/*.txt)", err=True)
        return False
    except OSError as exc:
        click.echo(f"cleaner: {name}: {exc.strerror or exc}", err=True)
        return False
    stream = _peekable(opened)
    try:
        looks = None if binary else sniff_binary(stream.peek(SNIFF_BYTES)[:SNIFF_BYTES])
        if looks is not None:
            hint = (
                "convert it to UTF-8 first, e.g. with iconv"
                if looks.startswith("UTF-")
                else "--binary cleans it anyway"
            )
            click.echo(f"cleaner: {source}: looks like {looks}; not cleaned ({hint})", err=True)
            return False
        if target is None:
            _write_clean(cleaner, stream, sys.stdout.buffer, source, explain, quiet)
        else:
            with _atomic_output(target) as out:
                _write_clean(cleaner, stream, out, source, explain, quiet)
    except _WriteError as exc:
        if target is None:  # stdout is gone for every input after this one too: stop here
            click.echo(f"cleaner: <stdout>: cannot write: {exc}; stopped at {source}", err=True)
            _drop_stdout_buffer()
            sys.exit(EXIT_INPUT)
        click.echo(f"cleaner: {target}: cannot write: {exc}; {source} not cleaned", err=True)
        return False
    except BrokenPipeError:
        raise
    except OSError as exc:
        # a read error after the file opened (EIO on a failing disk, a vanished mount); with
        # -o nothing is written, on stdout what came before the error is already out
        click.echo(f"cleaner: {source}: cannot read: {exc.strerror or exc}", err=True)
        return False
    finally:
        if name != "-":
            stream.close()
    return True


def _drop_stdout_buffer() -> None:
    """Point stdout at /dev/null, so the bytes it could not write are not retried at exit."""
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


@main.group("rules")
def rules_group() -> None:
    """List the rules, or run the examples in rule files."""


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
            pack = rule.pack if rule.default else f"{rule.pack} (opt-in)"
            click.echo(f"{rule.id}\t{rule.action.value}\t{pack}\t{langs}\t{rule.why}")
        return
    click.echo("# Rule reference\n")
    click.echo("Generated by `cleaner rules list --markdown`; do not edit by hand.\n")
    packs: dict[str, list[Any]] = {}
    for rule in cleaner.rule_set.rules:
        packs.setdefault(rule.pack, []).append(rule)
    for pack, members in packs.items():
        opt_in = "" if members[0].default else " (opt-in: `--enable " + pack + "`)"
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


def run() -> Any:
    """Entry point for ``python -m cleaner``."""
    return main()
