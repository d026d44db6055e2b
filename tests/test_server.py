"""The HTTP API and the web page, through httpx on the ASGI app (no sockets).

Skipped where the ``server`` extra (fastapi) or httpx is not installed."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

pytest.importorskip("fastapi", reason="needs the server extra: pip install 'perfeval[server]'")
httpx = pytest.importorskip("httpx", reason="needs httpx (the test extra)")

from perfeval import cli, server
from perfeval.server import XLSX_TYPE, Limits, create_app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "jianghan-2024"
YAML = {"content-type": "application/yaml"}


def request(method: str, url: str, app: Any = None, **kwargs: Any) -> Any:
    async def go() -> Any:
        transport = httpx.ASGITransport(app=app or APP)
        async with httpx.AsyncClient(transport=transport, base_url="http://perfeval") as client:
            return await client.request(method, url, **kwargs)

    return asyncio.run(go())


APP = create_app()


def post(url: str, **kwargs: Any) -> Any:
    return request("POST", url, **kwargs)


def inline_department() -> dict[str, Any]:
    """The seed's department with its projects written inline, as a client sends it."""
    department = yaml.safe_load((EXAMPLES / "department.yaml").read_text(encoding="utf-8"))
    department["projects"] = [yaml.safe_load((EXAMPLES / p).read_text(encoding="utf-8"))
                              for p in department["projects"]]
    return department


# ---------------------------------------------------------------- /v1/score

def test_score_yaml_text() -> None:
    r = post("/v1/score", content=(EXAMPLES / "outsourcing.yaml").read_bytes(), headers=YAML)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    report = r.json()
    assert report["total"] == 99.95 and report["grade"] == "优"
    assert report["kind"] == "project" and report["schema_version"] == 1
    # The same bytes as `perfeval score --format json`.
    from perfeval.report import to_json
    from perfeval.scoring import score

    assert r.text == to_json(score(EXAMPLES / "outsourcing.yaml").to_dict())


@pytest.mark.parametrize("media", ["text/yaml", "application/x-yaml", "application/yaml; charset=utf-8"])
def test_score_yaml_media_types(media: str) -> None:
    r = post("/v1/score", content=(EXAMPLES / "outsourcing.yaml").read_bytes(),
             headers={"content-type": media})
    assert r.status_code == 200 and r.json()["total"] == 99.95


def test_score_department_json_inline_projects() -> None:
    r = post("/v1/score", json=inline_department())
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["kind"] == "department" and report["total"] == 99.13
    assert len(report["projects"]) == 4 and report["projects_score"] == 99.96
    assert report["findings"]


def test_score_rules_query() -> None:
    body = (EXAMPLES / "outsourcing.yaml").read_bytes()
    r = post("/v1/score?rules=hubei-2020", content=body, headers=YAML)
    assert r.status_code == 200 and r.json()["rules"] == "hubei-2020"


def test_score_xlsx_multipart_and_body() -> None:
    data = (EXAMPLES / "outsourcing.xlsx").read_bytes()
    r = post("/v1/score", files={"file": ("outsourcing.xlsx", data)})
    assert r.status_code == 200, r.text
    assert r.json()["total"] == 99.95
    r = post("/v1/score", content=data, headers={"content-type": XLSX_TYPE})
    assert r.status_code == 200 and r.json()["total"] == 99.95
    # A multipart file without a usable name is told apart by its content.
    r = post("/v1/score", files={"file": ("form", data)})
    assert r.status_code == 200 and r.json()["total"] == 99.95


def test_score_department_workbook() -> None:
    data = (EXAMPLES / "department.xlsx").read_bytes()
    r = post("/v1/score", files={"file": ("department.xlsx", data)})
    assert r.status_code == 200 and r.json()["total"] == 99.13


def test_score_formats() -> None:
    data = (EXAMPLES / "outsourcing.xlsx").read_bytes()
    r = post("/v1/score?format=xlsx", files={"file": ("外包.xlsx", data)})
    assert r.status_code == 200 and r.headers["content-type"] == XLSX_TYPE
    assert r.content.startswith(b"PK") and "filename*=UTF-8''" in r.headers["content-disposition"]
    from perfeval.excel import scored_workbook
    from perfeval.scoring import score

    path = EXAMPLES / "outsourcing.xlsx"
    assert r.content == scored_workbook(path, score(path))
    # A YAML document becomes a clean standard form.
    r = post("/v1/score?format=xlsx", content=(EXAMPLES / "outsourcing.yaml").read_bytes(),
             headers=YAML)
    assert r.status_code == 200 and r.content.startswith(b"PK")
    r = post("/v1/score?format=html", json=inline_department())
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert 'id="total">99.13' in r.text and "<svg" in r.text
    assert "/tmp" not in r.text and "perfeval-serve" not in r.text and "document.json" in r.text


# ---------------------------------------------------------------- check, parse, rules

def test_check() -> None:
    r = post("/v1/check", json={"target": "≥ 20万件", "actual": "51 万余件",
                                "name": "审批局大厅年办事项数"})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["status"] == "exceeded" and out["ratio"] == 2.55
    assert isinstance(out["ratio"], float) and out["findings"][0]["rule"] == "target-too-low"
    r = post("/v1/check", json={"target": "20 次", "actual": "12 次", "name": "培训次数",
                                "rules": "mof-2020", "direction": "positive", "year": 2024})
    assert r.status_code == 200 and r.json()["status"] in ("partial", "missed")


def test_parse() -> None:
    r = post("/v1/parse", json={"text": "≥ 20万件"})
    assert r.status_code == 200
    assert r.json() == {"canonical": "≥200000件", "kind": "compare", "op": ">=",
                        "value": 200000, "unit": "件"}


def test_rules() -> None:
    r = request("GET", "/v1/rules")
    assert r.status_code == 200
    packs = r.json()
    assert {"name": "mof-2020", "title": "财政部 2020 项目支出绩效自评（财预〔2020〕10号）"} in packs
    assert all(set(p) == {"name", "title"} for p in packs)


# ---------------------------------------------------------------- pages

def _assets(page: str) -> list[str]:
    """URLs the page would fetch, or any absolute http(s) URL at all."""
    # CSS url() is lower case; the script's URL.createObjectURL fetches nothing.
    return re.findall(r"(?i:https?://|<link\b|\bsrc=|@import)|\burl\(", page)


def test_docs_offline() -> None:
    r = request("GET", "/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert _assets(r.text) == []
    assert "/v1/score" in r.text and "/v1/check" in r.text and "openapi.json" in r.text
    assert "default-src 'self'" in r.headers["content-security-policy"]
    spec = request("GET", "/openapi.json").json()
    assert {"/v1/score", "/v1/check", "/v1/parse", "/v1/rules"} <= set(spec["paths"])
    assert request("GET", "/redoc").status_code == 404


def test_page() -> None:
    r = request("GET", "/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    assert _assets(page) == []
    assert '<html lang="zh-CN">' in page and "上传绩效自评表" in page
    assert "v1/score" in page and "下载评分后的 Excel" in page and "下载 JSON 报告" in page


# ---------------------------------------------------------------- bad input: always 4xx, JSON

BILLION_LAUGHS = b"a: &a [x, x, x, x, x, x, x, x, x]\n" + b"".join(
    b"%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n" % ((c, c) + (c - 1,) * 9)
    for c in range(ord("b"), ord("k")))

def _workbook_without_a_table() -> bytes:
    import io

    import openpyxl

    book = openpyxl.Workbook()
    book.active["A1"] = "nothing to score here"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


JSON = {"content-type": "application/json"}
XLSX = {"content-type": XLSX_TYPE}
# 422: a well-formed request whose document cannot be read or scored; 400: a
# malformed request, or a pack named by path; 415: a content type not taken.
BAD_SCORE = [
    # (name, status, query, headers, body)
    ("bad yaml", 422, "", YAML, b"name: [unclosed"),
    ("bad json", 422, "", JSON, b'{"name": '),
    ("empty body", 422, "", YAML, b""),
    ("empty json body", 422, "", JSON, b""),
    ("not a mapping", 422, "", YAML, b"- 1\n- 2\n"),
    ("json array", 422, "", JSON, b"[1, 2]"),
    ("not utf-8", 422, "", YAML, b"name: \xff\xfe\xfa"),
    ("bad utf-16", 422, "", YAML, b"\xff\xfen\x00a\x00\x00\xd8"),
    ("binary junk", 422, "", YAML, bytes(range(256))),
    ("deep nesting", 422, "", YAML, b"[" * 5000 + b"]" * 5000),
    ("deep json", 422, "", JSON, b"[" * 5000 + b"]" * 5000),
    ("billion laughs", 422, "", YAML, BILLION_LAUGHS),
    ("no name", 422, "", YAML, b"kind: project\nindicators: []\n"),
    ("bad year", 422, "", YAML, b"name: x\nyear: soon\n"),
    ("bad indicators", 422, "", YAML, b"name: x\nindicators: 3\n"),
    ("path projects", 422, "", YAML, b"kind: department\nname: d\nprojects: [outsourcing.yaml]\n"),
    ("self project", 422, "", YAML, b"kind: department\nname: d\nprojects: [document.yaml]\n"),
    ("absolute path projects", 422, "", YAML,
     b"kind: department\nname: d\nprojects: [/etc/passwd]\n"),
    ("document rules path", 400, "", YAML, b"name: x\nrules: ../../indicators/mof-2020.yaml\n"),
    ("document rules unknown", 400, "", YAML, b"name: x\nrules: nope\n"),
    ("rules path", 400, "?rules=../indicators/mof-2020.yaml", YAML, b"name: x\n"),
    ("rules absolute", 400, "?rules=/etc/passwd", YAML, b"name: x\n"),
    ("rules unknown", 400, "?rules=nope", YAML, b"name: x\n"),
    ("format unknown", 422, "?format=pdf", YAML, b"name: x\n"),
    ("wrong content type", 415, "", {"content-type": "text/plain"}, b"name: x\n"),
    ("no content type", 415, "", {}, b"name: x\n"),
    ("not an xlsx", 422, "", XLSX, b"name: x\n"),
    ("broken zip", 422, "", XLSX, b"PK\x03\x04" + b"\0" * 100),
    ("truncated xlsx", 422, "", XLSX, (EXAMPLES / "outsourcing.xlsx").read_bytes()[:3000]),
    ("xlsx without a table", 422, "", XLSX, _workbook_without_a_table()),
    ("multipart broken", 400, "", {"content-type": "multipart/form-data; boundary=zz"},
     b"--zz\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc"),
    ("multipart no boundary", 400, "", {"content-type": "multipart/form-data"}, b"abc"),
    ("multipart without file", 400, "", {"content-type": "multipart/form-data; boundary=zz"},
     b"--zz\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nabc\r\n--zz--\r\n"),
]


@pytest.mark.parametrize(("status", "query", "headers", "body"), [c[1:] for c in BAD_SCORE],
                         ids=[c[0] for c in BAD_SCORE])
def test_score_bad_input(status: int, query: str, headers: dict[str, str], body: bytes) -> None:
    r = post("/v1/score" + query, content=body, headers=headers)
    assert r.status_code == status, (r.status_code, r.text)
    out = r.json()
    assert set(out) == {"error", "detail"} and out["error"]
    if status == 422 and "format" not in query:
        # a document error: named as the client sent it, never by a server path
        assert out["error"].startswith(("document.yaml", "document.json", "document.xlsx"))
        assert out["detail"]["file"] in out["error"] and set(out["detail"]) == {
            "file", "line", "key"}
        assert "/tmp" not in r.text and "perfeval-serve" not in r.text


def test_uploaded_documents_that_cannot_be_read_get_422() -> None:
    # The same through a multipart upload: named by the file's own name.
    for name, body in (("form.xlsx", _workbook_without_a_table()),
                       ("form.xlsx", (EXAMPLES / "outsourcing.xlsx").read_bytes()[:3000]),
                       ("table.yaml", b""), ("table.json", b"[" * 5000 + b"]" * 5000)):
        r = post("/v1/score", files={"file": (name, body)})
        assert r.status_code == 422, (name, r.text)
        assert r.json()["error"].startswith(f"{name}:") and r.json()["detail"]["file"] == name


def test_messages_are_clear() -> None:
    r = post("/v1/score", content=b"kind: department\nname: d\nprojects: [a.yaml]\n", headers=YAML)
    assert r.status_code == 422 and "inline" in r.json()["error"] and "a.yaml" in r.json()["error"]
    assert r.json()["error"].startswith("document.yaml:3: projects[0]: project 'a.yaml'")
    assert r.json()["detail"] == {"file": "document.yaml", "line": 3, "key": "projects[0]"}
    r = post("/v1/score?rules=../x.yaml", content=b"name: x\n", headers=YAML)
    assert r.status_code == 400 and "mof-2020" in r.json()["error"]
    assert r.json()["detail"]["packs"]
    r = post("/v1/score", content=b"name: x\nyear: [\n", headers=YAML)
    # The message names the document by what the client sent, not a server path.
    assert r.status_code == 422 and r.json()["error"].startswith("document.yaml:")
    assert "/tmp" not in r.text and "perfeval-serve" not in r.text
    r = post("/v1/score", content=b"x", headers={"content-type": "text/csv"})
    assert r.status_code == 415 and "application/yaml" in r.json()["error"]


def test_project_paths_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Even a project file beside the server's working folder stays unread.
    (tmp_path / "p.yaml").write_text((EXAMPLES / "outsourcing.yaml").read_text(encoding="utf-8"),
                                     encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    r = post("/v1/score", json={"kind": "department", "name": "d", "projects": ["p.yaml"]})
    assert r.status_code == 422 and "p.yaml" in r.json()["error"]
    assert r.json()["error"].startswith("document.json:1: projects[0]: ")


def test_huge_body() -> None:
    app = create_app(Limits(max_body=1000))
    r = request("POST", "/v1/score", app=app, content=b"name: x\n" + b"#" * 2000, headers=YAML)
    assert r.status_code == 413 and "1000" in r.json()["error"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
        yield b"name: x\n"
        for _ in range(10):
            yield b"#" * 200

    async def streamed() -> Any:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://perfeval") as client:
            async def body() -> Any:
                for c in chunks():
                    yield c
            return await client.post("/v1/score", content=body(), headers=YAML)

    r = asyncio.run(streamed())
    assert r.status_code == 413
    r = post("/v1/score", content=b"x" * (10 * 1024 * 1024 + 1), headers=YAML)
    assert r.status_code == 413


BAD_JSON = [
    ("/v1/check", b"not json"),
    ("/v1/check", b"{}"),
    ("/v1/check", b'{"target": 20, "actual": "12"}'),
    ("/v1/check", b'{"target": "20", "actual": "12", "rules": "../x.yaml"}'),
    ("/v1/check", b'{"target": "20", "actual": "12", "direction": "sideways"}'),
    ("/v1/check", b'{"target": "20", "actual": "12", "year": 99999}'),
    ("/v1/check", b'{"target": "20", "actual": "12", "extra": 1}'),
    ("/v1/check", b'{"target": "\\u2265 2o", "actual": "12"}'),
    ("/v1/check", b'[1]'),
    ("/v1/parse", b'{"text": "\\u2265 2o\\u4e07\\u4ef6"}'),
    ("/v1/parse", b'{"text": ""}'),
    ("/v1/parse", b'{"text": null}'),
    ("/v1/parse", b'{"text": "' + b"9" * 20000 + b'"}'),
    ("/v1/parse", b"{"),
]


@pytest.mark.parametrize(("url", "body"), BAD_JSON, ids=[f"{u} {b[:30]!r}" for u, b in BAD_JSON])
def test_check_parse_bad_input(url: str, body: bytes) -> None:
    r = post(url, content=body, headers={"content-type": "application/json"})
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    assert set(r.json()) == {"error", "detail"}


def test_unknown_route_and_method() -> None:
    assert request("GET", "/v1/nope").json() == {"error": "Not Found", "detail": None}
    r = request("GET", "/v1/score")
    assert r.status_code == 405 and r.json()["error"]


# ---------------------------------------------------------------- time and concurrency

def _slow(seconds: float) -> Any:
    def work(*args: Any) -> Any:
        time.sleep(seconds)
        from fastapi.responses import Response

        return Response(b"{}", media_type="application/json")
    return work


def test_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server, "_score", _slow(0.5))
    app = create_app(Limits(timeout=0.05))
    r = request("POST", "/v1/score", app=app, content=b"name: x\n", headers=YAML)
    assert r.status_code == 504 and "0.05" in r.json()["error"]


def test_saturated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server, "_score", _slow(0.3))
    app = create_app(Limits(workers=1, queue_wait=0.05))

    async def both() -> list[Any]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://perfeval") as client:
            return list(await asyncio.gather(*(
                client.post("/v1/score", content=b"name: x\n", headers=YAML) for _ in range(3))))

    codes = sorted(r.status_code for r in asyncio.run(both()))
    assert codes[0] == 200 and codes[-1] == 503
    busy = next(r for r in asyncio.run(both()) if r.status_code == 503)
    assert busy.json()["error"]


# ---------------------------------------------------------------- the command

def test_serve_without_extra(monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "perfeval.server", None)  # import fails
    assert cli.main(["serve", "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert "pip install 'perfeval[server]'" in err


def test_serve_runs_uvicorn(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(server, "run", lambda **kw: seen.update(kw))
    assert cli.main(["serve", "--host", "0.0.0.0", "--port", "8123"]) == 0
    assert seen == {"host": "0.0.0.0", "port": 8123}


def test_openapi_is_json() -> None:
    spec = request("GET", "/openapi.json").json()
    body = spec["paths"]["/v1/score"]["post"]["requestBody"]["content"]
    assert {"application/json", "application/yaml", XLSX_TYPE, "multipart/form-data"} <= set(body)
    json.dumps(spec)
