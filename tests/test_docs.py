"""Docs that cannot drift: the rule reference is current, every command has help."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cleaner.cli import main

from .conftest import REPO


def test_rule_reference_is_current() -> None:
    """docs/rules.md is what `cleaner rules list --markdown` prints now; regenerate it with
    `cleaner rules list --markdown > docs/rules.md` after changing a rule file."""
    result = CliRunner().invoke(main, ["rules", "list", "--markdown"])
    assert result.exit_code == 0
    assert (REPO / "docs" / "rules.md").read_text(encoding="utf-8") == result.stdout


@pytest.mark.parametrize("args", [[], ["clean"], ["rules"], ["rules", "list"], ["rules", "test"]])
def test_every_command_has_help(args: list[str]) -> None:
    result = CliRunner().invoke(main, [*args, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.stdout
    assert len(result.stdout.splitlines()) > 5


def test_readme_starts_with_the_two_commands() -> None:
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    block = lines[lines.index("```sh") + 1 : lines.index("```")]
    assert block[0].startswith("pip install . && cleaner ")
    assert block[1] == "pip install '.[test]' && python -m pytest"


def test_ci_runs_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install '.[test]' && python -m pytest" in ci


def test_ci_runs_the_integration_tests() -> None:
    """The README's quick test command skips the datatrove and Ray tests when those engines
    are not installed; CI installs them first, as the README shows, and forbids the skip."""
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    install = "pip install '.[datatrove,ray]'"
    assert install in ci
    assert ci.index(install) < ci.index("export CLEANER_CI=1") < ci.index("python -m pytest")
    assert "pip install -e '.[datatrove,ray]'" in readme
