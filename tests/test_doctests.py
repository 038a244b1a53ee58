"""The examples in the package's docstrings run, so they stay true."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import cleaner

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(cleaner.__path__, "cleaner.")
    if not info.name.startswith(("cleaner.rules", "cleaner.__main__"))
    and ".integrations." not in info.name
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert failures == 0
