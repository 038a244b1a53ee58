"""Loading rule files: every broken file is refused with file, line, rule id and problem."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cleaner import RuleFileError, load_rules
from cleaner.cli import main
from cleaner.model import Action
from cleaner.rules import default_rules_dir

from .conftest import FIXTURES

BAD = sorted((FIXTURES / "bad-rules").glob("*.toml"))


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_rule_file_gives_every_problem(path: Path) -> None:
    expected = path.with_suffix(".expected").read_text(encoding="utf-8")
    with pytest.raises(RuleFileError) as info:
        load_rules([path], defaults=False)
    got = "\n".join(info.value.problems).replace(str(path.parent), "{dir}")
    assert got == expected.rstrip("\n")


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_rule_file_exits_2_without_traceback(path: Path) -> None:
    result = CliRunner().invoke(main, ["--rules", str(path), "-"], input="Text.\n")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert f"{path}:" in result.stderr
    assert "nothing was cleaned" in result.stderr


def test_duplicate_id_across_files(tmp_path: Path) -> None:
    shipped = next(default_rules_dir().glob("wordpress.toml"))
    copy = tmp_path / "mine.toml"
    copy.write_text(shipped.read_text(encoding="utf-8").replace('"wordpress"', '"mine"'))
    with pytest.raises(RuleFileError) as info:
        load_rules([copy])
    assert "duplicate id (first defined at" in info.value.problems[0]
    assert str(copy) in info.value.problems[0]


def test_missing_rule_file() -> None:
    with pytest.raises(RuleFileError, match="no such rule file or folder"):
        load_rules([Path("does/not/exist.toml")])


def test_shipped_packs_load_and_cover_every_action() -> None:
    rule_set = load_rules()
    assert len(rule_set.rules) >= 10
    actions = {rule.action for rule in rule_set.rules}
    assert actions == set(Action)
    assert all(rule.why and rule.match and rule.keep for rule in rule_set.rules)


def test_loading_the_shipped_folder_twice_is_harmless() -> None:
    assert load_rules([default_rules_dir()]).rules == load_rules().rules


def test_pathological_user_pattern_cannot_hang_a_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If a pattern gets past the load-time probes, the run-time limit still stops it."""
    import cleaner.rules
    from cleaner import Cleaner, CleanerConfig

    monkeypatch.setattr(cleaner.rules, "_too_slow", lambda *args: None)
    monkeypatch.setattr("cleaner.compile.USER_TIMEOUT", 0.2)
    path = tmp_path / "slow.toml"
    path.write_text(
        '[pack]\nname = "slow"\n[[rule]]\nid = "slow.span"\nwhy = "x"\naction = "drop-span"\n'
        'pattern = \'(x+x+)+y\'\nmatch = ["xxy"]\nkeep = ["z"]\n',
        encoding="utf-8",
    )
    cleaner = Cleaner(CleanerConfig(rules=(path,)))
    line = "x" * 5000 + "\n"
    with pytest.warns(RuntimeWarning, match="slow.span"):
        assert cleaner.clean(line).text == line


def test_shipped_packs_pass_every_load_check() -> None:
    """Shipped packs are trusted at load (patterns neither compiled nor probed, ~0.5 s a start);
    this is their check: each file parsed as a user's rule file would be."""
    import tomllib

    from cleaner.rules import _RuleFileParser, default_rules_dir

    files = sorted(default_rules_dir().glob("*.toml"))
    assert len(files) >= 9
    for file in files:
        text = file.read_text(encoding="utf-8")
        parser = _RuleFileParser(file, text, tomllib.loads(text), trusted=False)
        rules, problems, _ = parser.parse()
        assert problems == [], problems
        assert rules, file
