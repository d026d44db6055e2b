"""The HTML report: self-contained, in Chinese, escaped, and rendered by a real
headless Chromium (skipped, with its reason, only where no Chromium exists)."""

from __future__ import annotations

import html
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from perfeval import cli
from perfeval.html_report import render_html
from perfeval.scoring import score

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "jianghan-2024"
DEPARTMENT = EXAMPLES / "department.yaml"
OUTSOURCING = EXAMPLES / "outsourcing.yaml"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def department_html() -> str:
    return render_html([score(DEPARTMENT)])


def test_self_contained(department_html: str) -> None:
    page = department_html.lower()
    # Nothing to fetch: no URL at all, no script, no external style or font.
    assert "http" not in page and "//" not in re.sub(r"<style>.*?</style>", "", page, flags=re.DOTALL)
    for needle in ("<script", "<link", "<img", "<iframe", "src=", "href=", "@import", "url("):
        assert needle not in page, needle
    assert page.startswith("<!doctype html>")
    assert '<html lang="zh-cn">' in page and '<meta charset="utf-8">' in page


def test_summary_and_table(department_html: str) -> None:
    report = score(DEPARTMENT)
    assert f'id="total">{report.total}' in department_html
    assert "武汉市江汉区行政审批局" in department_html and ">优<" in department_html
    assert "预算数 3434.9，执行数 3434.9" in department_html
    assert "失分" in department_html and "组织工作人员学习培训次数" in department_html
    for result in report.indicators:
        assert html.escape(result.explanation) in department_html
    # Status colours: a row class and background per status.
    assert 'class="status-missed" style="background:#fdeaea"' in department_html
    assert 'class="status-exceeded"' in department_html
    for finding in report.findings:
        assert finding.rule in department_html
    # The department's projects, each with its own section.
    for project in report.projects:
        assert f"<h2>{project.name}</h2>" in department_html


def test_charts(department_html: str) -> None:
    charts = re.findall(r"<svg .*?</svg>", department_html, flags=re.DOTALL)
    # One 得分/分值 chart per table (the department and its four projects), and
    # the department's projects chart.
    assert len(charts) == 6
    pools = charts[0]
    assert "<title>各一级指标得分与分值</title>" in pools
    assert [t for t in ("预算执行", "产出指标", "效益指标", "满意度指标") if t in pools] == [
        "预算执行", "产出指标", "效益指标", "满意度指标"]
    assert "49.13 / 50.00" in pools  # 产出: the one missed indicator
    projects = charts[1]
    assert "<title>所属项目得分</title>" in projects
    assert projects.count("<rect") == 2 * 4 and "加权平均 99.96" in projects


def test_escapes_document_text(tmp_path: Path) -> None:
    doc = tmp_path / "evil.yaml"
    doc.write_text(
        "kind: project\nname: '<script>alert(1)</script> & \"甲\"'\n"
        "budget: {planned: 10, executed: 10}\nindicators:\n"
        "  - {level1: '产出<b>', level2: 数量指标, name: '<img src=x onerror=alert(1)>', "
        "target: ≥ 5 次, actual: 3 次, reason: '</td><td>'}\n", encoding="utf-8")
    page = render_html([score(doc)])
    assert "<script>" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;甲&quot;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "产出&lt;b&gt;" in page


def test_cli_writes_the_page(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    code, stdout, err = run(capsys, "score", str(DEPARTMENT), "--format", "html", "-o", str(out))
    assert code == 0 and stdout == "" and err == ""
    assert out.read_text(encoding="utf-8") == render_html([score(DEPARTMENT)])


def test_cli_prints_the_page(capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, _ = run(capsys, "score", str(OUTSOURCING), str(DEPARTMENT), "--format", "html")
    assert code == 0
    assert stdout.count("<!DOCTYPE html>") == 1 and "2 张自评表" in stdout
    assert 'id="total">99.95' in stdout and 'id="total">99.13' in stdout


def test_project_without_budget_or_indicators(tmp_path: Path) -> None:
    doc = tmp_path / "bare.yaml"
    doc.write_text("kind: project\nname: 空表\n", encoding="utf-8")
    page = render_html([score(doc)])
    assert "未填写" in page and "无绩效指标" in page


# ---------------------------------------------------------------- a real browser

def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _png_pixels(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and the decompressed scanlines of a PNG (stdlib only)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    return width, height, zlib.decompress(idat)


@pytest.mark.skipif(_chromium() is None,
                    reason="no Chromium binary (apt-get install chromium); .ci/run installs it")
def test_renders_in_headless_chromium(tmp_path: Path) -> None:
    chromium = _chromium()
    assert chromium is not None
    page = tmp_path / "report.html"
    page.write_text(render_html([score(DEPARTMENT)]), encoding="utf-8")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}"]
    url = page.as_uri()

    dom = subprocess.run([chromium, *flags, "--dump-dom", url], capture_output=True,
                         timeout=180, check=False)
    assert dom.returncode == 0, dom.stderr.decode(errors="replace")[-2000:]
    rendered = dom.stdout.decode("utf-8")
    total = re.search(r'<div class="value" id="total">([0-9.]+)<span', rendered)
    assert total is not None and total.group(1) == "99.13"
    assert rendered.count("<svg") == 6

    png = tmp_path / "out.png"
    shot = subprocess.run([chromium, *flags, f"--screenshot={png}", "--window-size=1280,2000",
                           url], capture_output=True, timeout=180, check=False)
    assert shot.returncode == 0 and png.exists(), shot.stderr.decode(errors="replace")[-2000:]
    width, height, pixels = _png_pixels(png.read_bytes())
    assert (width, height) == (1280, 2000)
    # A blank or failed page is one colour; the report has text, bars and rows.
    assert png.stat().st_size > 20_000 and len(set(pixels[:2_000_000])) > 50
