"""Coverage-guided fuzzing of the engine and each reader with atheris (libFuzzer for Python).

    pip install atheris
    python benchmarks/fuzz.py engine -runs=1000000          # one target, a million inputs
    python benchmarks/fuzz.py all -runs=1000000             # every target in turn

Targets are in ``tests/fuzz_targets.py`` (engine, jsonl, jsonl-stop, warc, compressed,
rule-file); the test suite runs the same targets for a few seconds with hypothesis. A crash
is written by libFuzzer as ``crash-*`` in the current folder: copy it to
``fixtures/fuzz/TARGET/`` with a name that says what it is, and fix the code until
``tests/test_fuzz.py`` passes. The runs made and their figures are in docs/measurements.md.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        sys.stderr.write(__doc__ or "")
        return 2
    sys.path.insert(0, str(REPO))
    name, libfuzzer_args = argv[1], argv[2:]
    if name == "all":
        from tests.fuzz_targets import TARGETS

        status = 0
        for each in TARGETS:
            print(f"== {each}", flush=True)
            status |= subprocess.call([sys.executable, __file__, each, *libfuzzer_args])
        return status
    import atheris

    with atheris.instrument_imports(include=["cleaner"]):
        import cleaner.parallel  # noqa: F401  # every module of the package, instrumented
        from tests.fuzz_targets import TARGETS
    if name not in TARGETS:
        sys.stderr.write(f"fuzz.py: no target {name!r}; targets: {', '.join(TARGETS)}\n")
        return 2
    target = TARGETS[name]
    atheris.Setup([argv[0], *libfuzzer_args], target)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
