"""A bounded fuzz run in the suite: arbitrary bytes into the engine and each reader.

The long run is ``python benchmarks/fuzz.py TARGET -runs=1000000`` (atheris, coverage-guided);
any crash it finds is saved under ``fixtures/fuzz/TARGET/`` and replayed here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import FIXTURES
from .fuzz_targets import TARGETS

SEEDS = [
    b"",
    b"\xef\xbb\xbf[ad_1]\r\nLeave a Reply\rx",
    b'{"text": "[ad_1] a"}\n{"text": 1}\n[\n',
    b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 5\r\n\r\nabcde\r\n\r\n",
    b'[pack]\nname = "x"\n[[rule]]\nid = "x.a"\naction = "drop-line"\nmatch = ["a"]\n',
]
BYTES = st.one_of(
    st.binary(max_size=400),
    st.sampled_from(SEEDS).flatmap(
        lambda seed: st.binary(max_size=60).map(lambda tail: seed + tail)
    ),
)
EXAMPLES = {"compressed": 300, "rule-file": 300, "warc": 500}


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_fuzz_target_bounded(name: str) -> None:
    target = TARGETS[name]

    @settings(
        max_examples=EXAMPLES.get(name, 1000),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        database=None,
    )
    @given(BYTES)
    def run(data: bytes) -> None:
        target(data)

    run()


def crash_fixtures() -> list[Path]:
    return sorted((FIXTURES / "fuzz").glob("*/*")) if (FIXTURES / "fuzz").is_dir() else []


@pytest.mark.parametrize("path", crash_fixtures(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_crashes_found_by_fuzzing_stay_fixed(path: Path) -> None:
    TARGETS[path.parent.name](path.read_bytes())
