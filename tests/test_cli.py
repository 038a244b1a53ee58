"""The command line: stdin and files, stdout kept clean, exit codes, help and errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cleaner import __version__
from cleaner.cli import main

from .conftest import FIXTURES

SEED = FIXTURES / "pages" / "seed-000.in.txt"
TEXT = "[ad_1]\n\nEin Satz mit Inhalt.\n"


def run(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), input=input)


def test_stdin_to_stdout_by_default_and_with_dash() -> None:
    for args in ((), ("-",)):
        result = run(*args, input=TEXT)
        assert result.exit_code == 0
        assert result.stdout == "Ein Satz mit Inhalt.\n"
        assert result.stderr == ""


def test_explain_goes_to_stderr_only() -> None:
    result = run("--explain", "-", input=TEXT)
    assert result.stdout == "Ein Satz mit Inhalt.\n"
    assert result.stderr.splitlines()[0] == "<stdin>:1: wp.ad-shortcode (drop-span): '[ad_1]'"


def test_file_to_output_file(tmp_path: Path) -> None:
    source = tmp_path / "in.txt"
    source.write_text(TEXT, encoding="utf-8")
    target = tmp_path / "out.txt"
    result = run(str(source), "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert target.read_text(encoding="utf-8") == "Ein Satz mit Inhalt.\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.txt", "out.txt"]  # no temp left


def test_several_files_to_folder(tmp_path: Path) -> None:
    names = []
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(TEXT, encoding="utf-8")
        names.append(str(tmp_path / name))
    result = run(*names, "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.txt", "b.txt"]


def test_missing_and_empty_folder_inputs_exit_1_others_still_cleaned(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(TEXT, encoding="utf-8")
    (tmp_path / "empty").mkdir()
    result = run(str(tmp_path / "missing.txt"), str(tmp_path / "empty"), str(good))
    assert result.exit_code == 1
    assert result.stdout == "Ein Satz mit Inhalt.\n"
    assert "missing.txt: No such file or directory" in result.stderr
    assert "empty: no files in this folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_disable_is_a_usage_error() -> None:
    result = run("--disable", "no.such-rule", "-", input=TEXT)
    assert result.exit_code == 2
    assert "no rule or pack named 'no.such-rule'" in result.stderr


def test_disable_rule_and_pack() -> None:
    assert run("--disable", "wp.ad-shortcode", "-", input=TEXT).stdout == TEXT
    assert run("--disable", "wordpress", "-", input=TEXT).stdout == TEXT


def test_help_has_examples_and_exit_codes() -> None:
    result = run("--help")
    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    assert "Exit codes:" in result.stdout
    assert "rules" in result.stdout  # the subcommand is listed
    assert run("rules", "--help").exit_code == 0


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert __version__ in result.stdout


def test_rules_list_names_every_rule() -> None:
    result = run("rules", "list")
    assert result.exit_code == 0
    ids = [line.split("\t")[0] for line in result.stdout.splitlines()]
    assert "wp.ad-shortcode" in ids
    assert len(ids) == len(set(ids))


def test_rules_test_passes_on_shipped_packs() -> None:
    result = run("rules", "test")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.rstrip().endswith("rules)")
    assert " 0 failed" in result.stdout


def test_rules_test_fails_on_a_bad_example(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        '[pack]\nname = "mine"\n[[rule]]\nid = "mine.x"\nwhy = "x"\naction = "drop-span"\n'
        'pattern = \'zzz\'\nmatch = ["nothing here"]\nkeep = ["fine"]\n',
        encoding="utf-8",
    )
    result = run("rules", "test", str(path))
    assert result.exit_code == 1
    assert "FAIL mine.toml::mine.x::match[0]" in result.stdout


@pytest.mark.skipif(shutil.which("cleaner") is None, reason="cleaner is not installed")
def test_real_shell_pipeline() -> None:
    expected = (FIXTURES / "pages" / "seed-000.out.txt").read_bytes()
    out = subprocess.run(f"cat '{SEED}' | cleaner", shell=True, capture_output=True, check=True)
    assert out.stdout == expected
    assert out.stderr == b""


@pytest.mark.skipif(shutil.which("cleaner") is None, reason="cleaner is not installed")
def test_broken_pipe_exits_quietly(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text(
        "Ein ganz normaler Satz mit Inhalt, Nummer %d.\n" * 1
        + "".join(f"Ein ganz normaler Satz mit Inhalt, Nummer {i}.\n" for i in range(200_000)),
        encoding="utf-8",
    )
    out = subprocess.run(
        [
            "bash",
            "-c",
            f"set -o pipefail; cleaner '{big}' | head -1; echo \"rc=${{PIPESTATUS[0]}}\"",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.stdout.splitlines()[-1] == "rc=141"
    assert "Traceback" not in out.stderr and "Error" not in out.stderr


def test_python_m_cleaner() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "cleaner", "-"],
        input=TEXT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout == "Ein Satz mit Inhalt.\n"


def test_safety_valve_on_the_command_line() -> None:
    text = "Kurzer Artikel.\n\nLeave a Reply\n\nYour email address will not be published.\n"
    kept = run("--max-removed-share", "0.5", "-", input=text)
    assert kept.exit_code == 0
    assert kept.stdout == text
    assert "kept unchanged" in kept.stderr
    flagged = run("--max-removed-share", "0.5", "--on-excess", "flag", "-", input=text)
    assert flagged.stdout == "Kurzer Artikel.\n"
    assert "flagged" in flagged.stderr
    assert run("--max-removed-share", "1.5", "-", input=text).exit_code == 2


def test_binary_input_is_refused_unless_forced(tmp_path: Path) -> None:
    png = tmp_path / "image.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    good = tmp_path / "good.txt"
    good.write_text(TEXT, encoding="utf-8")
    result = run(str(png), str(good))
    assert result.exit_code == 1
    assert result.stdout == "Ein Satz mit Inhalt.\n"  # the text file is still cleaned
    assert f"{png}: looks like a PNG image; not cleaned" in result.stderr
    forced = run("--binary", str(png))
    assert forced.exit_code == 0
    assert forced.stdout != ""


@pytest.mark.skipif(shutil.which("cleaner") is None, reason="cleaner is not installed")
def test_ctrl_c_exits_130_and_leaves_no_output_file(tmp_path: Path) -> None:
    import signal
    import time

    big = tmp_path / "big.txt"
    line = "Ein ganz normaler Satz mit Inhalt, Nummer {}, und noch etwas mehr Text dazu.\n"
    with big.open("w", encoding="utf-8") as handle:
        for i in range(600_000):  # ~48 MB: several seconds of work
            handle.write(line.format(i))
    target = tmp_path / "out" / "clean.txt"
    proc = subprocess.Popen(
        ["cleaner", str(big), "-o", str(target)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60  # wait until it writes (start-up is slow on a busy machine)
    while not (target.parent.is_dir() and any(target.parent.iterdir())):
        assert time.monotonic() < deadline and proc.poll() is None, "never started writing"
        time.sleep(0.02)
    assert proc.poll() is None, "finished before the signal: make the input bigger"
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert b"Traceback" not in stderr
    assert b"interrupted" in stderr
    assert not target.exists()
    assert list(target.parent.iterdir()) == []  # no temporary file left beside it


@pytest.mark.skipif(shutil.which("cleaner") is None, reason="cleaner is not installed")
def test_output_is_flushed_per_document(tmp_path: Path) -> None:
    """The first file's output reaches the reader before the second input even exists."""
    import os

    first = tmp_path / "first.txt"
    first.write_text("Erster Text mit Inhalt.\n", encoding="utf-8")
    fifo = tmp_path / "second.fifo"
    os.mkfifo(fifo)
    proc = subprocess.Popen(
        ["cleaner", str(first), str(fifo)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == b"Erster Text mit Inhalt.\n"  # while cleaner waits on fifo
    with fifo.open("w", encoding="utf-8") as writer:
        writer.write("Zweiter Text.\n")
    out, _ = proc.communicate(timeout=30)
    assert out == b"Zweiter Text.\n"
    assert proc.returncode == 0


def test_safety_valve_on_jsonl_names_the_record() -> None:
    """The valve's note carries its share in start/end, for documents as for streams."""
    text = "Kurzer Artikel.\n\nLeave a Reply\n\nYour email address will not be published.\n"
    line = '{"id": "a", "text": ' + json.dumps(text) + "}\n"
    kept = run("--max-removed-share", "0.5", "--format", "jsonl", "-", input=line)
    assert kept.exit_code == 0, kept.stderr
    assert kept.stdout == line
    assert "cleaner: <stdin>:1: rules would remove 78% of it" in kept.stderr
