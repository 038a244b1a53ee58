"""Find, parse and validate rule files into a ``RuleSet``.

Everything a rule file can get wrong is caught here, at load, and reported all at once as
``FILE:LINE: rule 'ID': PROBLEM``; nothing here matches text (that is ``compile.py``).
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import regex

from cleaner.documents import site_of
from cleaner.errors import RuleFileError
from cleaner.features import Conditions, parse_conditions
from cleaner.model import Action, Anchor, AutoSwitch, Example, Rule, RuleSet, Where
from cleaner.text import normalize_key

RULE_KEYS = frozenset(
    {
        "id", "why", "action", "phrases", "pattern", "anchor", "case-sensitive", "replacement",
        "languages", "where", "lines", "max-chars", "min-chars", "within-lines", "block-max-lines",
        "when", "min-run", "between", "between-max-lines", "boundary", "requires",
        "block-max-chars", "tags", "match", "keep", "example", "sites",
    }
)  # fmt: skip
PACK_KEYS = frozenset({"name", "description", "default", "sites", "auto"})
AUTO_KEYS = frozenset({"lines", "min-share", "when"})
TOP_KEYS = frozenset({"pack", "rule"})
EXAMPLE_KEYS = frozenset({"input", "output", "expect"})
INT_KEYS = (
    "lines", "max-chars", "min-chars", "within-lines", "block-max-lines", "block-max-chars",
    "min-run", "between-max-lines",
)  # fmt: skip
ID_RE = re.compile(r"[a-z0-9]+(?:[.-][a-z0-9]+)*\Z")
LANG_RE = re.compile(r"(?:\*|[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?)\Z")
SITE_RE = re.compile(r"(?:[^\s/:@?#.\[\]]+\.)*[^\s/:@?#.\[\]]+\Z")
"""A host as ``site_of`` gives it: dot-separated labels, no scheme, port or path."""
_ID_LINE_RE = re.compile(r"""^\s*id\s*=\s*["']([^"']*)["']""")
TOML_POS_RE = re.compile(r"\(at line (\d+), column \d+\)")


def default_rules_dir() -> Path:
    """Return the folder of the shipped rule files.

    Installed, they sit inside the package (``cleaner/rules``); in a source checkout they are
    the top-level ``rules/`` beside the package.
    """
    here = Path(__file__).resolve().parent
    installed = here / "rules"
    if installed.is_dir():
        return installed
    return here.parent / "rules"


def find_rule_files(paths: Iterable[Path | str]) -> list[Path]:
    """Return the ``*.toml`` files named by ``paths`` (files as given, folders sorted by name)."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(p for p in path.glob("*.toml") if p.is_file()))
        elif path.exists():
            found.append(path)
        else:
            raise RuleFileError([f"{path}: no such rule file or folder"])
    return found


def load_rules(paths: Iterable[Path | str] = (), *, defaults: bool = True) -> RuleSet:
    """Return the rules of the shipped packs (unless ``defaults`` is false) and of ``paths``.

    Raises ``RuleFileError`` listing every problem of every file; ids must be unique across
    all files loaded together.
    """
    files: list[Path] = []
    if defaults:
        files.extend(find_rule_files([default_rules_dir()]))
    for file in find_rule_files(paths):
        if file.resolve() not in {f.resolve() for f in files}:  # `--rules rules/` twice is fine
            files.append(file)
    problems: list[str] = []
    rules: list[Rule] = []
    seen: dict[str, Rule] = {}
    packs: dict[str, Path] = {}
    for file in files:
        file_rules, file_problems, pack = _load_file(file)
        problems.extend(file_problems)
        if pack is not None:
            if pack in packs and packs[pack] != file:
                problems.append(f"{file}:1: pack '{pack}' is already defined in {packs[pack]}")
            packs.setdefault(pack, file)
        for rule in file_rules:
            if rule.id in seen:
                first = seen[rule.id]
                problems.append(
                    f"{file}:{rule.line}: rule '{rule.id}': duplicate id "
                    f"(first defined at {first.source}:{first.line})"
                )
                continue
            seen[rule.id] = rule
            rules.append(rule)
    if problems:
        raise RuleFileError(problems)
    return RuleSet(rules=tuple(rules), files=tuple(files))


def _load_file(file: Path) -> tuple[list[Rule], list[str], str | None]:
    try:
        raw = file.read_bytes()
    except OSError as exc:
        return [], [f"{file}: cannot read: {exc.strerror or exc}"], None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [], [f"{file}: not UTF-8 (byte {exc.start})"], None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = TOML_POS_RE.search(str(exc))
        line = m.group(1) if m else "1"
        return [], [f"{file}:{line}: invalid TOML: {TOML_POS_RE.sub('', str(exc)).strip()}"], None
    shipped = file.resolve().parent == default_rules_dir().resolve()
    return _RuleFileParser(file, text, data, trusted=shipped).parse()


class _RuleFileParser:
    """Turns one parsed TOML document into rules, collecting problems instead of stopping."""

    def __init__(
        self, file: Path, text: str, data: dict[str, Any], *, trusted: bool = False
    ) -> None:
        self.file = file
        # The shipped packs' patterns are compiled and probed by the test suite
        # (tests/test_rules.py), not at every start: compiling them all costs ~0.5 s, and with
        # the quiet filter and the gates most are never needed on a run (compile.LazyPattern).
        self.trusted = trusted
        self._id_lines: dict[str, list[int]] | None = None
        self.lines = text.splitlines()
        self.data = data
        self.problems: list[str] = []
        self.default = True
        self.sites: tuple[str, ...] = ()
        self.auto: AutoSwitch | None = None

    def parse(self) -> tuple[list[Rule], list[str], str | None]:
        for key in self.data:
            if key not in TOP_KEYS:
                self._problem(
                    self._find(f"[{key}", 0) or self._find(key, 0),
                    None,
                    f"unknown top-level key '{key}'{_suggest(key, TOP_KEYS)}",
                )
        pack = self._parse_pack()
        raw_rules = self.data.get("rule", [])
        if not isinstance(raw_rules, list) or not all(isinstance(r, dict) for r in raw_rules):
            self._problem(self._find("rule", 0), None, "'rule' must be [[rule]] tables")
            raw_rules = []
        if not raw_rules:
            self._problem(1, None, "no [[rule]] tables in file")
        rules = []
        search_from = 0
        for index, raw in enumerate(raw_rules):
            rule_line = self._rule_line(raw, index, search_from)
            search_from = rule_line
            rule = self._parse_rule(raw, rule_line, pack or "?")
            if rule is not None:
                rules.append(rule)
        ids = [r.id for r in rules]
        for rule in rules:
            if ids.count(rule.id) > 1 and rules.index(rule) != ids.index(rule.id):
                self._problem(rule.line, rule.id, "duplicate id in this file")
        unique: list[Rule] = []
        for rule in rules:
            if rule.id not in {u.id for u in unique}:
                unique.append(rule)
        return unique, self.problems, pack

    # -- helpers ---------------------------------------------------------------------------

    def _problem(self, line: int | None, rule_id: str | None, text: str) -> None:
        where = f"{self.file}:{line or 1}"
        who = f" rule '{rule_id}':" if rule_id else ""
        self.problems.append(f"{where}:{who} {text}")

    def _find(self, needle: str, start: int) -> int | None:
        """Return the 1-based number of the first line at or after ``start`` holding ``needle``."""
        for number in range(start, len(self.lines)):
            if needle in self.lines[number]:
                return number + 1
        return None

    def _find_key(self, key: str, start: int) -> int:
        pattern = re.compile(rf'^\s*"?{re.escape(key)}"?\s*[.=]')
        for number in range(max(start - 1, 0), len(self.lines)):
            if number >= start and self.lines[number].strip().startswith("[[rule]]"):
                break
            if pattern.match(self.lines[number]):
                return number + 1
        return start

    def _rule_line(self, raw: dict[str, Any], index: int, search_from: int) -> int:
        rule_id = raw.get("id")
        if isinstance(rule_id, str):
            found = self._find_id_line(rule_id, search_from)
            if found:
                return found
        count = -1
        for number, line in enumerate(self.lines):
            if line.strip().startswith("[[rule]]"):
                count += 1
                if count == index:
                    return number + 1
        return 1

    def _find_id_line(self, rule_id: str, start: int) -> int | None:
        if self._id_lines is None:  # every "id = ..." line of the file, read once
            self._id_lines = {}
            for number, line in enumerate(self.lines):
                match = _ID_LINE_RE.match(line)
                if match:
                    self._id_lines.setdefault(match.group(1), []).append(number)
        for number in self._id_lines.get(rule_id, ()):
            if number >= start:
                return number + 1
        return None

    def _parse_pack(self) -> str | None:
        pack = self.data.get("pack")
        line = self._find("[pack]", 0) or 1
        if not isinstance(pack, dict):
            self._problem(line, None, "missing [pack] table with a 'name'")
            return None
        for key in pack:
            if key not in PACK_KEYS:
                self._problem(line, None, f"unknown [pack] key '{key}'{_suggest(key, PACK_KEYS)}")
        name = pack.get("name")
        default = pack.get("default", True)
        if not isinstance(default, bool):
            self._problem(line, None, "[pack] 'default' must be true or false")
        self.default = default is not False
        if "sites" in pack:
            sites, problem = _parse_sites(pack["sites"])
            if problem:
                self._problem(self._find_key("sites", line), None, f"[pack] {problem}")
            self.sites = sites
        if "auto" in pack:
            self.auto = self._parse_auto(pack["auto"], self._find_key("auto", line))
        if not isinstance(name, str) or not ID_RE.match(name):
            self._problem(line, None, "[pack] 'name' must be a lowercase name like 'wordpress'")
            return None
        return name

    def _parse_auto(self, raw: Any, line: int) -> AutoSwitch | None:
        """Parse ``[pack] auto``: the test that turns an opt-in pack on for a document."""

        def bad(key: str, text: str) -> None:
            self._problem(self._find_key(f"auto.{key}", line), None, f"[pack] {text}")

        if not isinstance(raw, dict):
            self._problem(line, None, "[pack] 'auto' must be a table (auto.lines = 20, ...)")
            return None
        before = len(self.problems)
        if self.default:
            self._problem(line, None, "[pack] 'auto' is for opt-in packs ('default = false')")
        for key in raw:
            if key not in AUTO_KEYS:
                bad(key, f"unknown 'auto' key '{key}'{_suggest(key, AUTO_KEYS)}")
        lines = raw.get("lines", 20)
        if isinstance(lines, bool) or not isinstance(lines, int) or lines < 1:
            bad("lines", "'auto.lines' must be a whole number of at least 1")
        share = raw.get("min-share", 0.5)
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share <= 1:
            bad("min-share", "'auto.min-share' must be a number greater than 0 and at most 1")
        when: Conditions | None = None
        if not isinstance(raw.get("when"), dict):
            bad("when", "'auto.when' must be a table of line conditions (auto.when.max-words = 5)")
        else:
            when, problems = parse_conditions(raw["when"])
            for text in problems:
                bad("when", text.replace("'when", "'auto.when"))
        if len(self.problems) > before or when is None:
            return None
        return AutoSwitch(when=when, lines=lines, min_share=float(share))

    # -- one rule --------------------------------------------------------------------------

    def _parse_rule(self, raw: dict[str, Any], line: int, pack: str) -> Rule | None:
        before = len(self.problems)
        rule_id = raw.get("id")
        if not isinstance(rule_id, str) or not rule_id:
            self._problem(line, None, "missing 'id'")
            rule_id = None
        elif not ID_RE.match(rule_id):
            self._problem(line, rule_id, "id must be lowercase words joined by '.' or '-'")
        rid = rule_id

        def bad(key: str, text: str) -> None:
            self._problem(self._find_key(key, line), rid, text)

        for key in raw:
            if key not in RULE_KEYS:
                bad(key, f"unknown key '{key}'{_suggest(key, RULE_KEYS)}")

        why = raw.get("why")
        if not isinstance(why, str) or not why.strip():
            bad("why", "missing 'why' (one sentence on what this rule removes and why)")
        action: Action | None = None
        raw_action = raw.get("action")
        if raw_action is None:
            bad("action", "missing 'action'")
        else:
            try:
                action = Action(raw_action)
            except ValueError:
                choices = ", ".join(a.value for a in Action)
                bad("action", f"unknown action {raw_action!r} (one of: {choices})")

        phrases = raw.get("phrases")
        pattern = raw.get("pattern")
        when: Conditions | None = None
        if "when" in raw:
            if not isinstance(raw["when"], dict):
                bad("when", "'when' must be a table of line conditions (when.max-words = 6)")
            else:
                when, when_problems = parse_conditions(raw["when"])
                for text in when_problems:
                    bad("when", text)
            if action not in (Action.DROP_LINE, Action.DROP_RUN, None):
                bad("when", "'when' goes with action 'drop-line' or 'drop-run'")
        given = [key for key in ("phrases", "pattern", "when") if key in raw]
        boundary: Conditions | None = None
        if isinstance(raw.get("boundary"), dict):
            boundary, boundary_problems = parse_conditions(raw["boundary"])
            for text in boundary_problems:
                bad("boundary", text.replace("'when", "'boundary"))
        elif "boundary" in raw:
            bad(
                "boundary",
                "'boundary' must be a table of line conditions (boundary.min-words = 10)",
            )
        if "boundary" in raw and action not in (Action.DROP_HEAD, Action.DROP_FOOT, None):
            bad("boundary", "'boundary' goes with action 'drop-head' or 'drop-foot'")
        if action in (Action.DROP_HEAD, Action.DROP_FOOT):
            if "boundary" not in raw:
                bad("action", f"action '{action.value}' needs 'boundary' (what prose looks like)")
            if given:
                bad(given[0], f"action '{action.value}' matches by 'boundary' only")
        elif action is Action.DROP_RUN:
            if "when" not in raw:
                bad("action", "action 'drop-run' needs 'when' (the features of a run's lines)")
            elif len(given) > 1:
                bad("when", "a 'drop-run' rule matches by 'when' only")
        elif action in (Action.DROP_REPEAT, Action.DROP_TEASER):
            if given:
                bad("action", f"action '{action.value}' takes no 'phrases', 'pattern' or 'when'")
        elif action is not None:
            allowed = (
                "'phrases', 'pattern' or 'when'"
                if action is Action.DROP_LINE
                else ("'phrases' or 'pattern'")
            )
            if len(given) > 1:
                bad(given[1], f"give one of {allowed}, not several")
            elif not given:
                bad("action", f"missing {allowed} (what to match)")
        between: Conditions | None = None
        for key in ("min-run", "between", "between-max-lines"):
            if key in raw and action is not Action.DROP_RUN:
                bad(key, f"'{key}' only goes with action 'drop-run'")
        if isinstance(raw.get("between"), dict):
            between, between_problems = parse_conditions(raw["between"])
            for text in between_problems:
                bad("between", text.replace("'when", "'between"))
        elif "between" in raw:
            bad("between", "'between' must be a table of line conditions (between.min-words = 8)")
        if action is Action.DROP_RUN and raw.get("where") == "last-lines":
            bad("where", "drop-run rules take where = 'anywhere' or 'first-lines'")
        phrase_tuple: tuple[str, ...] = ()
        if phrases is not None:
            if (
                not isinstance(phrases, list)
                or not phrases
                or not all(isinstance(p, str) for p in phrases)
            ):
                bad("phrases", "'phrases' must be a non-empty list of strings")
            else:
                for phrase in phrases:
                    if not normalize_key(phrase):
                        bad("phrases", f"phrase {phrase!r} is empty once normalised")
                phrase_tuple = tuple(phrases)

        case_sensitive = raw.get("case-sensitive", False)
        if not isinstance(case_sensitive, bool):
            bad("case-sensitive", "'case-sensitive' must be true or false")
            case_sensitive = False
        if pattern is not None:
            if not isinstance(pattern, str) or not pattern:
                bad("pattern", "'pattern' must be a non-empty string")
                pattern = None
            elif not self.trusted:
                flags = regex.V0 | (0 if case_sensitive else regex.IGNORECASE)
                try:
                    compiled = regex.compile(pattern, flags)
                except regex.error as exc:
                    bad("pattern", f"pattern does not compile: {exc}")
                    pattern = None
                else:
                    if compiled.search("") is not None:
                        bad("pattern", "pattern matches the empty string (it would match anywhere)")
                    limit = (
                        raw.get("max-chars", 100)
                        if action is not None and action.is_line_action
                        else None
                    )
                    slow = _too_slow(compiled, limit if isinstance(limit, int) else None)
                    if slow is not None:
                        bad(
                            "pattern",
                            f"pattern takes more than {PROBE_SECONDS:g} s on a line "
                            f"like {slow[:12]!r}… of {len(slow)} characters "
                            "(catastrophic backtracking?); rewrite it",
                        )

        anchor_default = (
            Anchor.ANYWHERE if action in (Action.DROP_SPAN, Action.REPLACE) else Anchor.LINE
        )
        anchor = anchor_default
        if "anchor" in raw:
            if phrases is None:
                bad("anchor", "'anchor' applies to 'phrases' only (anchor a pattern with ^ and $)")
            try:
                anchor = Anchor(raw["anchor"])
            except ValueError:
                bad("anchor", f"unknown anchor {raw['anchor']!r} (one of: line, start, anywhere)")
            if anchor is not Anchor.ANYWHERE and action in (Action.DROP_SPAN, Action.REPLACE):
                bad("anchor", "span and replace phrases match anywhere; use a pattern to anchor")

        replacement = raw.get("replacement")
        if action is Action.REPLACE:
            if not isinstance(replacement, str):
                bad("action", "action 'replace' needs a 'replacement' string")
                replacement = None
            elif pattern is not None and not self.trusted:
                try:
                    regex.compile(pattern).sub(replacement, "")
                except (regex.error, IndexError) as exc:
                    bad("replacement", f"bad replacement template: {exc}")
        elif replacement is not None:
            bad("replacement", "'replacement' only goes with action 'replace'")

        requires = raw.get("requires", [])
        if "requires" in raw:
            if pattern is None and "pattern" not in raw:
                bad("requires", "'requires' goes with 'pattern' (phrases need no prefilter)")
            if (
                not isinstance(requires, list)
                or not requires
                or not all(isinstance(r, str) and r.strip() for r in requires)
            ):
                bad("requires", "'requires' must be a non-empty list of non-empty strings")
                requires = []
            elif pattern is not None and not self.trusted:
                compiled_check = regex.compile(
                    pattern, regex.V0 | (0 if case_sensitive else regex.I)
                )
                for text in (t for _, t in self._raw_examples(raw, "match")):
                    folded = " ".join(text.casefold().split())
                    if compiled_check.search(text.strip()) and not any(
                        r.casefold() in folded for r in requires
                    ):
                        bad("requires", f"match example {text[:40]!r} contains none of 'requires'")
        languages = raw.get("languages", ["*"])
        if (
            not isinstance(languages, list)
            or not languages
            or not all(isinstance(lang, str) and LANG_RE.match(lang) for lang in languages)
        ):
            bad("languages", "'languages' must be a list of ISO 639-1 codes or \"*\"")
            languages = ["*"]

        where = Where.ANYWHERE
        if "where" in raw:
            try:
                where = Where(raw["where"])
            except ValueError:
                bad("where", f"unknown where {raw['where']!r} (anywhere, first-lines, last-lines)")
        ints: dict[str, int] = {}
        for key in INT_KEYS:
            if key in raw:
                value = raw[key]
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    bad(key, f"'{key}' must be a whole number of at least 1")
                else:
                    ints[key] = value
        if where is not Where.ANYWHERE and "lines" not in ints and "lines" not in raw:
            bad("where", f"where = '{where.value}' needs 'lines'")
        if where is Where.ANYWHERE and "lines" in raw:
            bad("lines", "'lines' goes with where = 'first-lines' or 'last-lines'")
        if where is Where.LAST_LINES and action in (Action.DROP_REPEAT, Action.DROP_TEASER):
            bad("where", "drop-repeat and drop-teaser rules cannot be limited to the last lines")
        if "within-lines" in raw and action is not Action.DROP_REPEAT:
            bad("within-lines", "'within-lines' only goes with action 'drop-repeat'")
        for key in ("block-max-lines", "block-max-chars"):
            if key in raw and action not in (Action.DROP_TAIL, Action.DROP_HEAD, Action.DROP_FOOT):
                bad(key, f"'{key}' only goes with action 'drop-tail', 'drop-head' or 'drop-foot'")

        tags = raw.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            bad("tags", "'tags' must be a list of strings")
            tags = []

        sites = self.sites
        if "sites" in raw:  # a rule's own list replaces its pack's
            sites, problem = _parse_sites(raw["sites"])
            if problem:
                bad("sites", problem)
                sites = ("?",)  # scoped, if wrongly: no second complaint about keep languages

        match = self._examples(raw, "match", line, rid)
        keep = self._examples(raw, "keep", line, rid)
        # A site-scoped rule never sees other sites' pages, which are the reason for the second
        # language: its keep examples come from its own site's pages, in that site's language.
        if action is not None and action.is_line_action and not sites:
            keep_langs = {lang for lang, _ in keep if lang != "*"}
            if len(keep_langs) < 2:
                bad(
                    "keep",
                    "line and tail rules need 'keep' examples in at least two languages "
                    "(keep.en = [...], keep.de = [...])",
                )
        examples = self._whole_examples(raw, line, rid)

        if len(self.problems) > before or rule_id is None or action is None:
            return None
        return Rule(
            id=rule_id,
            why=str(why).strip(),
            action=action,
            pack=pack,
            source=self.file,
            line=line,
            phrases=phrase_tuple,
            pattern=pattern,
            anchor=anchor,
            case_sensitive=case_sensitive,
            replacement=replacement,
            languages=tuple(languages),
            where=where,
            lines=ints.get("lines"),
            max_chars=ints.get("max-chars", 100),
            min_chars=ints.get("min-chars", 25),
            within_lines=ints.get("within-lines"),
            when=when,
            min_run=ints.get("min-run", 3),
            between=between,
            between_max_lines=ints.get("between-max-lines", 12),
            boundary=boundary,
            requires=tuple(r.casefold() for r in requires),
            block_max_lines=ints.get("block-max-lines", 60),
            block_max_chars=ints.get("block-max-chars", 12_000),
            tags=tuple(tags),
            match=match,
            keep=keep,
            examples=examples,
            default=self.default,
            sites=sites,
            auto=self.auto,
        )

    def _examples(
        self, raw: dict[str, Any], key: str, line: int, rule_id: str | None
    ) -> tuple[tuple[str, str], ...]:
        value = raw.get(key)
        where = self._find_key(key, line)
        if value is None:
            self._problem(where, rule_id, f"missing '{key}' examples")
            return ()
        pairs: list[tuple[str, str]] = []
        if isinstance(value, list):
            groups: dict[str, Any] = {"*": value}
        elif isinstance(value, dict):
            groups = value
        else:
            self._problem(
                where, rule_id, f"'{key}' must be a list of strings or a table by language"
            )
            return ()
        for lang, texts in groups.items():
            if not LANG_RE.match(lang):
                self._problem(where, rule_id, f"'{key}.{lang}': not a language code")
            if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
                self._problem(where, rule_id, f"'{key}.{lang}' must be a list of strings")
                continue
            pairs.extend((lang, text) for text in texts)
        if not pairs:
            self._problem(where, rule_id, f"'{key}' needs at least one example")
        return tuple(pairs)

    @staticmethod
    def _raw_examples(raw: dict[str, Any], key: str) -> list[tuple[str, str]]:
        value = raw.get(key)
        if isinstance(value, list):
            return [("*", t) for t in value if isinstance(t, str)]
        if isinstance(value, dict):
            return [
                (k, t)
                for k, v in value.items()
                if isinstance(v, list)
                for t in v
                if isinstance(t, str)
            ]
        return []

    def _whole_examples(
        self, raw: dict[str, Any], line: int, rule_id: str | None
    ) -> tuple[Example, ...]:
        value = raw.get("example", [])
        where = self._find_key("[[rule.example]]", line)
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self._problem(where, rule_id, "'example' must be [[rule.example]] tables")
            return ()
        examples = []
        for item in value:
            for key in item:
                if key not in EXAMPLE_KEYS:
                    self._problem(
                        where, rule_id, f"unknown example key '{key}'{_suggest(key, EXAMPLE_KEYS)}"
                    )
            source, target = item.get("input"), item.get("output")
            expect = item.get("expect", "pass")
            if not isinstance(source, str) or not isinstance(target, str):
                self._problem(where, rule_id, "an example needs 'input' and 'output' strings")
                continue
            if expect not in ("pass", "fail"):
                self._problem(where, rule_id, 'example \'expect\' must be "pass" or "fail"')
            examples.append(Example(source, target, expect == "fail"))
        return tuple(examples)


PROBE_SECONDS = 0.2
"""How long a pattern may take on one probe line before the rule is refused at load."""

# Lines that make backtracking patterns like (a+)+$ or (\w|\s)*x explode: long runs of one
# class followed by a character that makes the match fail at the very end.
_PROBES = tuple(
    unit * (2000 // len(unit)) + tail
    for unit in ("a", "aA", "a ", " ", "1", "a1-", "ä", "а", "\u0627", "字")
    for tail in ("!", "\n!")
)


def _too_slow(compiled: regex.Pattern[str], max_chars: int | None = None) -> str | None:
    """Return a probe line the pattern cannot finish on in time (None if it copes with all).

    Probes are long runs of common characters and of the letters the pattern itself names,
    each followed by a character that makes a match fail at the end; for line rules they are
    cut to the rule's ``max-chars``, the longest line the pattern will ever see.
    """
    source = regex.sub(r"\\.", "", compiled.pattern)  # escapes like \w are classes, not letters
    own = sorted({ch for ch in source if ch.isalnum()})[:12]
    for probe in (*_PROBES, *(ch * 2000 + "!" for ch in own)):
        if max_chars is not None and len(probe) > max_chars:
            probe = probe[: max_chars - 1] + probe[-1]
        try:
            compiled.search(probe, timeout=PROBE_SECONDS)
        except TimeoutError:
            return probe
    return None


def _parse_sites(value: Any) -> tuple[tuple[str, ...], str | None]:
    """Return the hosts of a ``sites`` list, or a problem: each must be in ``site_of`` form."""
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(site, str) and site for site in value)
    ):
        return (), "'sites' must be a non-empty list of host names like \"example.org\""
    for site in value:
        host = site_of(site)
        if host != site or not SITE_RE.match(site):
            hint = f" (did you mean {host!r}?)" if host and SITE_RE.match(host) else ""
            return (), f"site {site!r} must be a host name, lower case, no 'www.'{hint}"
    return tuple(value), None


def _suggest(key: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(key, sorted(known), n=1)
    if not close and key.replace("_", "-") in known:
        close = [key.replace("_", "-")]
    return f" (did you mean '{close[0]}'?)" if close else ""
