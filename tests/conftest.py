"""Shared test helpers: build a cleaner from inline rule-file text, find the shared data."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from cleaner import Cleaner, CleanerConfig, load_rules

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
SHARED = REPO.parent / "shared"

PACK_HEADER = '[pack]\nname = "test"\n'


@pytest.fixture
def make_cleaner(tmp_path: Path) -> Callable[..., Cleaner]:
    """Return a factory: rule-file text (without [pack]) -> a Cleaner with only those rules."""

    def factory(rules_toml: str, *, repair: bool = True) -> Cleaner:
        path = tmp_path / "test.toml"
        path.write_text(PACK_HEADER + textwrap.dedent(rules_toml), encoding="utf-8")
        rule_set = load_rules([path], defaults=False)
        return Cleaner(CleanerConfig(repair=repair), rules=rule_set.rules)

    return factory


@pytest.fixture(scope="session")
def default_cleaner() -> Cleaner:
    """The cleaner the CLI uses without options."""
    return Cleaner()


def cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run the real command (``python -m cleaner``) in a subprocess, as a user's shell would."""
    return subprocess.run(
        [sys.executable, "-m", "cleaner", *args],
        input=stdin,
        capture_output=True,
        timeout=300,
        check=False,
    )
