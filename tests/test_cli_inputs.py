"""Every input a corpus builder has, through the real command: JSONL, HTML, WARC, compression,
folders, --in-place, -j, progress and legacy encodings."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import zstandard

from cleaner import Cleaner

from .conftest import FIXTURES, SHARED, cli
from .test_formats import make_warc, page

JSONL = FIXTURES / "jsonl"
SEED_IN = FIXTURES / "pages" / "seed-000.in.txt"
SEED_OUT = (FIXTURES / "pages" / "seed-000.out.txt").read_bytes()
BENCH = SHARED / "bench" / "sh-dev"


# -- JSONL ------------------------------------------------------------------------------------


def test_jsonl_shard_round_trips_fields_order_ids() -> None:
    expected = (JSONL / "shard.out.jsonl").read_bytes()
    for args, stdin in (
        ((str(JSONL / "shard.jsonl"),), None),
        (("-",), (JSONL / "shard.jsonl").read_bytes()),
    ):
        result = cli(*args, stdin=stdin)
        assert result.returncode == 0, result.stderr
        assert result.stdout == expected
        assert result.stderr == b""
    source = (JSONL / "shard.jsonl").read_text(encoding="utf-8").splitlines()
    cleaned = expected.decode("utf-8").splitlines()
    assert len(source) == len(cleaned)
    for before, after in zip(source, cleaned, strict=True):
        if not before:
            assert after == ""
            continue
        old, new = json.loads(before), json.loads(after)
        assert list(old) == list(new)  # same fields, same order
        assert {k: v for k, v in old.items() if k != "text"} == {
            k: v for k, v in new.items() if k != "text"
        }
    records = [json.loads(line) for line in cleaned if line]
    assert records[0]["text"] == "Wir sind am Morgen losgewandert und haben den Gipfel erreicht.\n"
    assert (
        records[1]["text"]
        == "Kota Bandung terkenal dengan udara yang sejuk dan kuliner yang beragam.\n"
    )
    assert records[3]["text"] == "He said ”hello” and left.\n"
    assert '"score": 0.950' in cleaned[0]  # other fields keep their very bytes


def test_broken_jsonl_line_stops_with_file_and_line() -> None:
    result = cli(str(JSONL / "broken.jsonl"))
    assert result.returncode == 1
    assert result.stderr.decode() == (
        f"cleaner: {JSONL / 'broken.jsonl'}:3: not JSON: Unterminated string starting at "
        "(column 26); stopped here (--on-error skip or keep goes on)\n"
    )
    assert result.stdout == b"".join(
        (JSONL / "broken.skip.jsonl").read_bytes().splitlines(keepends=True)[:2]
    )


@pytest.mark.parametrize("mode", ["skip", "keep"])
def test_broken_jsonl_skip_or_keep_counts_every_record(mode: str) -> None:
    result = cli("--on-error", mode, str(JSONL / "broken.jsonl"))
    assert result.returncode == 0
    assert result.stdout == (JSONL / f"broken.{mode}.jsonl").read_bytes()
    said = "skipped" if mode == "skip" else "kept unchanged"
    lines = result.stderr.decode().splitlines()
    assert [re.sub(r".*broken.jsonl:(\d+): .*", r"\1", line) for line in lines[:3]] == [
        "3",
        "5",
        "6",
    ]
    assert lines[-1] == f"cleaner: 3 documents cleaned; 3 malformed records {said}"
    if mode == "keep":  # nothing lost: every input line is in the output
        assert len(result.stdout.splitlines()) == len(
            (JSONL / "broken.jsonl").read_bytes().splitlines()
        )


def test_jsonl_text_field_and_quiet() -> None:
    data = b'{"body": "[ad_1] Ein Satz.", "text": "[ad_1] bleibt"}\n{"text": 1}\n'
    result = cli("--text-field", "body", "--on-error", "skip", "-q", "-", stdin=data)
    assert result.returncode == 0
    assert (
        result.stdout
        == b'{"body": " Ein Satz.", "text": "[ad_1] bleibt"}\n{"text": 1}\n'.split(b"\n")[0] + b"\n"
    )
    assert result.stderr == b""


# -- HTML and WARC ------------------------------------------------------------------------------


@pytest.mark.skipif(not BENCH.is_dir(), reason="../shared/bench is not beside the checkout")
def test_folder_of_bench_html_pages_to_text_per_page(tmp_path: Path) -> None:
    rows = [
        json.loads(line)
        for line in (BENCH / "pages.jsonl").read_text(encoding="utf-8").splitlines()
    ][:6]
    folder = tmp_path / "pages"
    folder.mkdir()
    for row in rows:
        shutil.copy(BENCH / "html" / f"{row['id']}.html.gz", folder)
    result = cli(str(folder), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    for row in rows:
        text = gzip.decompress((tmp_path / "out" / f"{row['id']}.txt.gz").read_bytes()).decode()
        gold = set(re.findall(r"\w+", row["gold"].lower()))
        got = set(re.findall(r"\w+", text.lower()))
        assert len(gold & got) >= 0.9 * len(gold), row["id"]


@pytest.mark.skipif(not BENCH.is_dir(), reason="../shared/bench is not beside the checkout")
def test_extract_modes_trade_recall_for_precision(tmp_path: Path) -> None:
    """--extract precision keeps fewer words of a page than recall; balanced is the default."""
    pages = sorted((BENCH / "html").glob("*.html.gz"))[:8]
    words: dict[str, int] = {}
    for mode in ("recall", "balanced", "precision"):
        out = tmp_path / mode
        assert cli("-q", "--extract", mode, *map(str, pages), "-o", str(out)).returncode == 0
        texts = [gzip.decompress(f.read_bytes()).decode() for f in sorted(out.iterdir())]
        words[mode] = sum(len(re.findall(r"\w+", text)) for text in texts)
    assert words["recall"] >= words["balanced"] >= words["precision"]
    assert words["recall"] > words["precision"]
    default = cli("-q", str(pages[0])).stdout
    assert default == cli("-q", "--extract", "balanced", str(pages[0])).stdout
    assert cli("--extract", "most", str(pages[0])).returncode == 2


def test_html_to_jsonl_with_url_and_title() -> None:
    result = cli("--to", "jsonl", str(FIXTURES / "html" / "post-with-comments.html"))
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["url"] == "https://www.wanderblog.de/harz/"
    assert record["title"] == "Wandern im Harz"
    assert "Brocken" in record["text"]
    for debris in ("[ad_1]", "Share this:", "Related:", "Leave a Reply", "Toller Bericht"):
        assert debris not in record["text"]


def test_keep_comments_extracts_comments_from_html() -> None:
    result = cli("--keep-comments", str(FIXTURES / "html" / "post-with-comments.html"))
    assert result.returncode == 0, result.stderr
    assert "Toller Bericht" in result.stdout.decode()


def test_warc_gz_to_jsonl_with_urls(tmp_path: Path) -> None:
    warc = tmp_path / "crawl.warc.gz"
    pages = [
        (
            "https://www.wanderblog.de/brocken/",
            page("Brocken", "Der Brocken ist mit 1141 Metern der höchste Berg im Harz."),
        ),
        (
            "https://contoh.co.id/bandung",
            page(
                "Bandung", "Kota Bandung terkenal dengan udara yang sejuk dan kuliner yang beragam."
            ),
        ),
    ]
    make_warc(warc, pages)
    result = cli(str(warc))
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["url"] for r in records] == [url for url, _ in pages]
    assert all(r["id"].startswith("<urn:uuid:") and r["date"] for r in records)
    assert "1141 Metern" in records[0]["text"] and "[ad_1]" not in records[0]["text"]
    assert "Leave a Reply" not in records[1]["text"]
    assert result.stderr.decode() == (
        "cleaner: 2 documents cleaned; 4 WARC records that are not pages (requests, metadata)\n"
    )
    out = tmp_path / "out"
    assert cli(str(warc), "-o", str(out / "x.jsonl")).returncode == 0
    assert (out / "x.jsonl").read_bytes() == result.stdout
    assert cli(str(tmp_path), "--glob", "*.warc.gz", "-o", str(tmp_path / "mirror")).returncode == 0
    assert gzip.decompress((tmp_path / "mirror" / "crawl.jsonl.gz").read_bytes()) == result.stdout


# -- compression ---------------------------------------------------------------------------------

PACKERS = {
    "gz": (gzip.compress, gzip.decompress),
    "bz2": (bz2.compress, bz2.decompress),
    "xz": (lzma.compress, lzma.decompress),
    "zst": (
        zstandard.ZstdCompressor().compress,
        lambda b: zstandard.ZstdDecompressor().decompressobj().decompress(b),
    ),
}


@pytest.mark.parametrize("ext", sorted(PACKERS))
def test_compressed_in_and_out(tmp_path: Path, ext: str) -> None:
    pack, unpack = PACKERS[ext]
    source = tmp_path / f"seed.txt.{ext}"
    source.write_bytes(pack(SEED_IN.read_bytes()))
    assert cli(str(source)).stdout == SEED_OUT
    assert cli("-", stdin=source.read_bytes()).stdout == SEED_OUT  # stdin: by its first bytes
    target = tmp_path / f"out.txt.{ext}"
    result = cli(str(source), "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert unpack(target.read_bytes()) == SEED_OUT


def test_truncated_gzip_cleans_what_is_there_and_says_so(tmp_path: Path) -> None:
    lines = "".join(f"Satz Nummer {i} mit Inhalt über Köln.\n[ad_1]\n" for i in range(20_000))
    packed = gzip.compress(lines.encode())
    cut = tmp_path / "cut.txt.gz"
    cut.write_bytes(packed[: len(packed) // 2])
    result = cli(str(cut), str(SEED_IN))
    assert result.returncode == 1
    stderr = result.stderr.decode()
    assert f"cleaner: {cut}: compressed data cut short or corrupt" in stderr
    assert "what came before it was cleaned and written" in stderr
    assert "Traceback" not in stderr
    out = result.stdout.decode()
    assert out.startswith("Satz Nummer 0 mit Inhalt über Köln.\nSatz Nummer 1 ")
    assert "[ad_1]" not in out
    assert out.endswith(SEED_OUT.decode())  # the next input is still cleaned
    target = tmp_path / "cut.txt"
    assert cli(str(cut), "-o", str(target)).returncode == 1
    assert target.read_text(encoding="utf-8").startswith(
        "Satz Nummer 0"
    )  # written as far as it went


# -- folders, -o mirroring, --in-place ----------------------------------------------------------


def make_tree(root: Path) -> None:
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "one.txt").write_bytes(SEED_IN.read_bytes())
    (root / "a" / "b" / "two.jsonl").write_bytes((JSONL / "shard.jsonl").read_bytes())
    (root / "a" / "b" / "three.jsonl.gz").write_bytes(
        gzip.compress((JSONL / "shard.jsonl").read_bytes())
    )
    (root / "a" / "page.html").write_bytes(
        (FIXTURES / "html" / "post-with-comments.html").read_bytes()
    )
    (root / ".hidden.txt").write_text("[ad_1]\n")


def test_output_folder_mirrors_the_input_tree(tmp_path: Path) -> None:
    make_tree(tmp_path / "in")
    result = cli(str(tmp_path / "in"), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out"
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "a/b/three.jsonl.gz",
        "a/b/two.jsonl",
        "a/one.txt",
        "a/page.txt",
    ]
    assert (out / "a" / "one.txt").read_bytes() == SEED_OUT
    assert (out / "a" / "b" / "two.jsonl").read_bytes() == (JSONL / "shard.out.jsonl").read_bytes()
    assert (
        gzip.decompress((out / "a" / "b" / "three.jsonl.gz").read_bytes())
        == (JSONL / "shard.out.jsonl").read_bytes()
    )
    only = cli(str(tmp_path / "in"), "--glob", "*.jsonl", "-o", str(tmp_path / "only"))
    assert only.returncode == 0
    assert [p.name for p in (tmp_path / "only").rglob("*") if p.is_file()] == ["two.jsonl"]


def test_in_place_rewrites_files_with_backup(tmp_path: Path) -> None:
    make_tree(tmp_path)
    result = cli("--in-place", "--backup", ".orig", "--glob", "*.txt", str(tmp_path / "a"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "a" / "one.txt").read_bytes() == SEED_OUT
    assert (tmp_path / "a" / "one.txt.orig").read_bytes() == SEED_IN.read_bytes()
    refused = cli("--in-place", str(tmp_path / "a" / "page.html"))
    assert refused.returncode == 2
    assert b"would be written as text; use -o FOLDER" in refused.stderr
    assert cli("--in-place", "-").returncode == 2
    assert cli("--backup", ".b", str(SEED_IN)).returncode == 2


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_in_place_killed_mid_run_leaves_every_file_old_or_new(
    tmp_path: Path, sig: signal.Signals
) -> None:
    template = SEED_IN.read_text(encoding="utf-8") * 40
    old: dict[Path, str] = {}
    for i in range(150):
        path = tmp_path / f"page-{i:03d}.txt"
        old[path] = f"Seite {i}.\n\n{template}"
        path.write_text(old[path], encoding="utf-8")
    cleaner = Cleaner()
    new = {path: cleaner.clean(text).text for path, text in old.items()}
    proc = subprocess.Popen(
        [sys.executable, "-m", "cleaner", "--in-place", str(tmp_path)], stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    first = tmp_path / "page-000.txt"
    while first.read_text(encoding="utf-8") == old[first] and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=60)
    states = {"old": 0, "new": 0}
    for path in old:
        text = path.read_text(encoding="utf-8")
        assert text in (old[path], new[path]), path
        states["old" if text == old[path] else "new"] += 1
    assert states["new"] >= 1 and states["old"] >= 1, states  # killed mid-run indeed
    if sig == signal.SIGTERM:
        assert proc.returncode == 143
        assert b"Traceback" not in stderr
        assert not list(tmp_path.glob(".*.tmp"))  # a catchable signal leaves no temp file


# -- -j ----------------------------------------------------------------------------------------


def test_jobs_2_output_identical_to_jobs_1(tmp_path: Path) -> None:
    make_tree(tmp_path / "in")
    big = tmp_path / "in" / "big.jsonl"
    lines = (JSONL / "shard.jsonl").read_bytes() * 4000  # several 1 MiB blocks
    big.write_bytes(lines)
    one = cli("-j", "1", str(tmp_path / "in"))
    two = cli("-j", "2", str(tmp_path / "in"))
    assert one.returncode == two.returncode == 0, two.stderr
    assert two.stdout == one.stdout
    assert two.stderr == one.stderr
    assert cli("-j", "0", "-", stdin=lines).stdout == cli("-", stdin=lines).stdout
    cli("-j", "1", str(tmp_path / "in"), "-o", str(tmp_path / "o1"))
    cli("-j", "2", str(tmp_path / "in"), "-o", str(tmp_path / "o2"))
    files = sorted(
        p.relative_to(tmp_path / "o1") for p in (tmp_path / "o1").rglob("*") if p.is_file()
    )
    assert files == sorted(
        p.relative_to(tmp_path / "o2") for p in (tmp_path / "o2").rglob("*") if p.is_file()
    )
    for rel in files:
        assert (tmp_path / "o1" / rel).read_bytes() == (tmp_path / "o2" / rel).read_bytes(), rel


def test_jobs_2_stops_where_jobs_1_stops() -> None:
    broken = JSONL / "broken.jsonl"
    one, two = cli("-j", "1", str(broken)), cli("-j", "2", str(broken))
    assert (one.returncode, one.stdout, one.stderr) == (two.returncode, two.stdout, two.stderr)
    assert two.returncode == 1


# -- progress, encodings -----------------------------------------------------------------------


def test_no_progress_when_stderr_is_not_a_terminal() -> None:
    result = cli(str(JSONL / "shard.jsonl"))
    assert result.stderr == b""
    forced = cli("--progress", str(JSONL / "shard.jsonl"))
    assert b"5 docs" in forced.stderr
    assert forced.stdout == result.stdout
    assert cli("--progress", "-q", str(JSONL / "shard.jsonl")).stderr == b""


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="no pseudo-terminal on this platform")
def test_progress_on_a_terminal() -> None:
    import pty

    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "cleaner", str(JSONL / "shard.jsonl")],
        stdout=subprocess.DEVNULL,
        stderr=follower,
    )
    proc.wait(timeout=60)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert b"docs" in shown


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("shift-jis.txt", "吾輩は猫である。名前はまだ無い。"),
        ("windows-1256.txt", "هذا نص عربي للاختبار عن مدينة القاهرة"),
        ("windows-1251.txt", "Это тестовый текст о Москве"),
    ],
)
def test_legacy_encodings_detected_per_file(name: str, expected: str) -> None:
    result = cli("--explain", str(FIXTURES / "inputs" / name))
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode("utf-8")
    assert expected in text
    assert "[ad_1]" not in text and "Leave a Reply" not in text
    assert b": read as cp" in result.stderr


def test_encoding_forced_and_unknown() -> None:
    short = "Привет, мир.\n".encode("cp1251")  # too short to detect: read as Windows-1252
    assert cli("-", stdin=short).stdout.decode() != "Привет, мир.\n"
    assert cli("--encoding", "cp1251", "-", stdin=short).stdout.decode() == "Привет, мир.\n"
    bad = cli("--encoding", "klingon", "-", stdin=short)
    assert bad.returncode == 2
    assert b"--encoding klingon: not an encoding Python knows" in bad.stderr


def test_undecodable_bytes_in_a_legacy_file_are_counted(tmp_path: Path) -> None:
    text = (FIXTURES / "inputs" / "shift-jis.txt").read_bytes()
    broken = tmp_path / "broken.txt"
    broken.write_bytes(text[:199] + b"\xff" + text[199:])  # between two characters
    result = cli("--encoding", "shift_jis", str(broken))
    assert result.returncode == 0
    assert (
        result.stderr.decode()
        == f"cleaner: warning: {broken}: 1 bytes not valid in shift_jis became U+FFFD\n"
    )
    assert "\ufffd" in result.stdout.decode()


def test_output_name_ending_in_a_slash_is_a_folder(tmp_path: Path) -> None:
    result = cli(str(SEED_IN), "-o", f"{tmp_path / 'new'}/")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "new" / SEED_IN.name).read_bytes() == SEED_OUT
