"""The web page in a real headless Chromium, against `perfeval serve` on loopback.

The page is driven by its ``#autoload=NAME:BASE64URL`` fragment, which hands
the file to the same upload code as the file chooser and the drop zone.
Skipped, with the reason, where Chromium or the server extra is missing."""

from __future__ import annotations

import base64
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="needs the server extra: pip install 'perfeval[server]'")
pytest.importorskip("uvicorn", reason="needs the server extra: pip install 'perfeval[server]'")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "jianghan-2024"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    """`perfeval serve` in a subprocess, until the module's tests are done."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "perfeval", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(url + "v1/rules", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    err = proc.stderr.read().decode() if proc.stderr else ""
                    pytest.fail(f"perfeval serve did not start: {err}")
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()


def chromium(tmp_path: Path, *args: str) -> str:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (.ci/run installs it)")
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync",
               f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=5000", *args]
    done = subprocess.run(command, capture_output=True, timeout=90, check=False)
    return done.stdout.decode("utf-8", "replace")


def autoload(base_url: str, path: Path) -> str:
    data = base64.urlsafe_b64encode(path.read_bytes()).decode("ascii").rstrip("=")
    return f"{base_url}#autoload={path.name}:{data}"


def test_upload_department_form(base_url: str, tmp_path: Path) -> None:
    url = autoload(base_url, EXAMPLES / "department.xlsx")
    dom = chromium(tmp_path, "--dump-dom", url)
    assert 'data-state="done"' in dom, dom[-2000:]
    # The total, the grade, the findings and the charts of the HTML report.
    assert re.search(r'id="total">99\.13<', dom)
    assert "武汉市江汉区行政审批局" in dom and ">优<" in dom
    assert "组织工作人员学习培训次数" in dom  # the one missed indicator
    assert "target-too-low" in dom and "审核发现" in dom
    assert "<svg" in dom and 'class="status-missed"' in dom
    assert "评分完成：department.xlsx" in dom
    assert "下载评分后的 Excel" in dom
    assert "文件 department.xlsx" in dom and "perfeval-serve" not in dom  # no server paths

    shot = tmp_path / "page.png"
    chromium(tmp_path, "--window-size=1280,1600", f"--screenshot={shot}", url)
    assert shot.is_file() and shot.stat().st_size > 10_000
    keep = os.environ.get("PERFEVAL_SCREENSHOT")
    if keep:  # to look at it: PERFEVAL_SCREENSHOT=/tmp/page.png pytest tests/test_server_browser.py
        shutil.copyfile(shot, keep)


def test_bad_upload_shows_message(base_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("kind: department\nname: d\nprojects: [a.yaml]\n", encoding="utf-8")
    dom = chromium(tmp_path, "--dump-dom", autoload(base_url, bad))
    assert 'data-state="error"' in dom
    assert "评分失败" in dom and "inline" in dom
