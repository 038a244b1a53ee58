"""``--report``: one self-contained HTML page with the summary, the charts and samples, every
corpus text escaped; rendered in headless Chromium (installed with apt when missing, else
skipped saying why) to check that a browser shows the charts."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path
from typing import NoReturn

import pytest

from cleaner.audit import Sample
from cleaner.report import render_report
from cleaner.stats import Count, RunStats

from .conftest import FIXTURES, REPO, cli

PAGES = sorted((FIXTURES / "pages").glob("*.in.txt"))
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--hide-scrollbars",
]  # fmt: skip


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    path = folder / "report.html"
    inputs = [*map(str, PAGES), str(FIXTURES / "jsonl" / "small.jsonl")]
    result = cli("--report", str(path), "-o", str(folder / "out"), *inputs)
    assert result.returncode == 0, result.stderr.decode()
    return path


def test_report_has_summary_charts_and_samples(report: Path) -> None:
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>")
    assert page.count('<rect class="bar"') >= 10
    assert '<rect class="pack" data-pack="comments"' in page
    assert page.count('<rect class="hist"') == 21
    assert 'id="rule-comments.akismet"' in page
    assert "<del>Diese Seite verwendet Akismet" in page
    assert '<td class="n">18</td>' in page  # documents: 5 seeds + 13 records


def test_report_is_self_contained(report: Path) -> None:
    page = report.read_text(encoding="utf-8")
    for needle in ("<script", "<link", "src=", "@import", "url("):
        assert needle not in page


def test_corpus_text_is_escaped() -> None:
    stats = RunStats()
    stats.rules["x.rule"] = Count(1, 1, 30, 30)
    sample = Sample(
        (0, "d", 1, 0, ""), "x.rule", "drop-line", "line", "<b>doc</b>", 1,
        "<script>alert(1)</script>\n", "", ["<img src=x onerror=alert(2)>"], [],
    )  # fmt: skip
    page = render_report(stats, {"x.rule": [sample]}, {"inputs": ["<i>in</i>"]})
    assert "<script" not in page and "<img" not in page and "<i>in" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def _unavailable(reason: str) -> NoReturn:
    """Skip saying why; under CLEANER_CI=1 (.ci/run installs Chromium first) fail instead."""
    if os.environ.get("CLEANER_CI") == "1":
        pytest.fail(f"CLEANER_CI=1 and {reason}")
    pytest.skip(reason)


def _chromium() -> str:
    """Return the path of Chromium, installing Debian's package once if it is missing."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        _unavailable("chromium is not installed and cannot be installed here (needs root and apt)")
    try:
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "chromium"],
            capture_output=True, timeout=900, check=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )  # fmt: skip
    except (subprocess.SubprocessError, OSError) as exc:
        _unavailable(f"chromium is not installed and 'apt-get install chromium' failed: {exc}")
    found = shutil.which("chromium")
    if not found:
        _unavailable("chromium is still not on PATH after 'apt-get install chromium'")
    return found


@pytest.fixture(scope="module")
def chromium() -> str:
    return _chromium()


def _browse(chromium: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True, timeout=120, check=False, cwd=tmp_path,
    )  # fmt: skip


def _png_pixels(data: bytes) -> tuple[int, int, bytes]:
    """Return width, height and the decompressed scanlines of a PNG (stdlib only)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, width, height, idat = 8, 0, 0, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", chunk[:8])
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    return width, height, zlib.decompress(idat)


def test_report_renders_in_headless_chromium(report: Path, chromium: str, tmp_path: Path) -> None:
    dom = _browse(chromium, tmp_path, "--dump-dom", report.as_uri())
    assert dom.returncode == 0, dom.stderr.decode()[-2000:]
    text = dom.stdout.decode()
    assert '<svg class="chart" id="rule-chart"' in text
    assert text.count('<rect class="bar"') >= 10
    assert text.count('<rect class="hist"') == 21
    assert text.count("<tr>") >= 11
    shot = tmp_path / "report.png"
    result = _browse(chromium, tmp_path, f"--screenshot={shot}", "--window-size=1200,1600",
                     report.as_uri())  # fmt: skip
    assert result.returncode == 0 and shot.exists(), result.stderr.decode()[-2000:]
    width, height, pixels = _png_pixels(shot.read_bytes())
    assert (width, height) == (1200, 1600)
    assert len(set(pixels)) > 50, "the screenshot is blank"
    if os.environ.get("CLEANER_UPDATE_SCREENSHOT"):  # docs/report.png, regenerated on demand
        shutil.copy(shot, REPO / "docs" / "report.png")
