"""A load test of `perfeval serve` on loopback: many concurrent clients, no errors.

By default a small run that CI affords (50 clients × 20 requests = 1,000,
bounded to a few seconds of work); ``PERFEVAL_LOAD_FULL=1`` runs the full
50 × 200 = 10,000.  Half the requests score the seed's outsourcing table
(POST /v1/score, YAML), half check one value (POST /v1/check).  The run
prints its throughput and latency percentiles (``pytest -s`` shows them)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

pytest.importorskip("fastapi", reason="needs the server extra: pip install 'perfeval[server]'")
pytest.importorskip("uvicorn", reason="needs the server extra: pip install 'perfeval[server]'")
httpx = pytest.importorskip("httpx", reason="needs httpx (the test extra)")

ROOT = Path(__file__).resolve().parent.parent
OUTSOURCING = ROOT / "examples" / "jianghan-2024" / "outsourcing.yaml"
FULL = bool(os.environ.get("PERFEVAL_LOAD_FULL"))
CLIENTS = 50
PER_CLIENT = 200 if FULL else 20
# Wall-clock bound of the whole run: generous for a slow CI machine, still
# catching a server that serialises badly or stalls.
BOUND = 300.0 if FULL else 30.0


LOGS: list[IO[bytes]] = []


def server_log() -> str:
    log = LOGS[-1]
    log.seek(0)
    lines = [line for line in log.read().decode("utf-8", "replace").splitlines()
             if '" 200 OK' not in line]
    return "\n".join(lines[-30:])


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    # The access log goes to a file: a pipe nobody reads would fill and stall the server.
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "perfeval", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
        url = f"http://127.0.0.1:{port}"
        LOGS.append(log)
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    with urllib.request.urlopen(url + "/v1/rules", timeout=1):
                        break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        pytest.fail(f"perfeval serve did not start: {log.read().decode()}")
                    time.sleep(0.1)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


async def _run(url: str) -> tuple[list[float], list[str], float]:
    document = OUTSOURCING.read_bytes()
    check = {"target": "≥ 20万件", "actual": "51 万余件", "name": "审批局大厅年办事项数"}
    latencies: list[float] = []
    errors: list[str] = []
    # A client must drop an idle connection before the server does (uvicorn:
    # 5 s by default, 30 s under `perfeval serve`), or a request sent on it
    # as the server closes it fails.
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS,
                          keepalive_expiry=2.0)

    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:
        async def one(index: int) -> None:
            for i in range(PER_CLIENT):
                start = time.perf_counter()
                try:
                    if (index + i) % 2:
                        r = await client.post("/v1/check", json=check)
                        ok = r.status_code == 200 and r.json()["status"] == "exceeded"
                    else:
                        r = await client.post("/v1/score", content=document,
                                              headers={"content-type": "application/yaml"})
                        ok = r.status_code == 200 and r.json()["total"] == 99.95
                    if not ok:
                        errors.append(f"{r.status_code} {r.text[:200]}")
                except httpx.HTTPError as e:
                    errors.append(repr(e))
                latencies.append(time.perf_counter() - start)

        began = time.perf_counter()
        await asyncio.gather(*(one(c) for c in range(CLIENTS)))
        return latencies, errors, time.perf_counter() - began


def test_load(base_url: str) -> None:
    latencies, errors, elapsed = asyncio.run(_run(base_url))
    total = CLIENTS * PER_CLIENT
    assert errors == [], (errors[:5], server_log())
    assert len(latencies) == total
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

    print(f"\nload: {CLIENTS} clients × {PER_CLIENT} = {total} requests in {elapsed:.2f} s: "
          f"{total / elapsed:.0f} req/s; latency p50 {pct(0.50):.0f} ms, p95 {pct(0.95):.0f} ms, "
          f"p99 {pct(0.99):.0f} ms, max {ordered[-1] * 1000:.0f} ms")
    assert elapsed < BOUND
