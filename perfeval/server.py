"""The web page and the HTTP API: ``perfeval serve``.

Finance officers open ``/`` (in Chinese, no external assets), drop in an
Excel form or a YAML/JSON document, and read the scored table, the findings
and the charts of :mod:`perfeval.html_report`.  Budgeting systems post a
document to ``/v1/score`` and get the SPEC §7 report JSON back.

::

    POST /v1/score?rules=PACK&format=json|html|xlsx   JSON, YAML or xlsx body, or multipart `file`
    POST /v1/check   {"target", "actual", "name"?, "rules"?, "direction"?, "year"?}
    POST /v1/parse   {"text"}
    GET  /v1/rules   [{"name", "title"}]
    GET  /openapi.json, /docs (a self-contained page; no CDN)

The server reads no file a client names: a department's ``projects:`` must be
inline mappings, and rule packs are chosen by name only.  Every request is
bounded in size (413), in time (504) and in concurrency (503 when the
workers stay busy); bad input gets a 4xx with ``{"error", "detail"}``.

Needs the ``server`` extra: ``pip install 'perfeval[server]'``.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import os
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException

from perfeval.errors import DocumentError, PerfevalError

__all__ = ["Limits", "create_app", "run"]

JSON_TYPES = ("application/json", "text/json")
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SUFFIXES = {".yaml": ".yaml", ".yml": ".yaml", ".json": ".json", ".xlsx": ".xlsx"}

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Limits:
    """What one server will take on.

    A real form is a few kilobytes and scores in milliseconds: 10 MB and 30 s
    are far beyond honest use, and keep one client from holding the server.
    """

    max_body: int = 10 * 1024 * 1024
    timeout: float = 30.0  # seconds of scoring per request
    workers: int = max(2, min(8, os.cpu_count() or 2))  # scoring threads
    queue_wait: float = 10.0  # seconds a request may wait for a free worker


class _ClientError(Exception):
    """Bad input: becomes ``{"error", "detail"}`` with ``status``."""

    def __init__(self, status: int, error: str, detail: Any = None) -> None:
        super().__init__(error)
        self.status, self.error, self.detail = status, error, detail


def _error(status: int, error: str, detail: Any = None,
           headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": error, "detail": detail}, status_code=status, headers=headers)


# ---------------------------------------------------------------- limits

class _TooLarge(Exception):
    pass


class _BodyLimit:
    """ASGI middleware: refuse bodies over ``limit`` bytes with 413, whether
    announced by Content-Length or streamed in chunks."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            if not declared.isdigit():
                await _error(400, "invalid Content-Length header")(scope, receive, send)
                return
            if int(declared) > self.limit:
                await self._refuse(scope, receive, send)
                return
        seen = 0
        started = False

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, watched)
        except _TooLarge:
            if not started:
                await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        await _too_large(self.limit)(scope, receive, send)


def _too_large(limit: int) -> JSONResponse:
    return _error(413, f"the request body is larger than {limit} bytes", {"limit": limit})


class _Workers:
    """Scoring runs on a bounded pool of threads, off the event loop.

    A request waits at most ``queue_wait`` for a free worker (then 503) and
    ``timeout`` for its result (then 504).  A thread cannot be killed, so a
    worker is given back when its work really ends, not when the client was
    answered: the bound holds even for work that overran.
    """

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.pool = ThreadPoolExecutor(max_workers=limits.workers,
                                       thread_name_prefix="perfeval-score")
        # One semaphore per event loop (uvicorn has one; tests may run several).
        self._free: dict[asyncio.AbstractEventLoop, asyncio.Semaphore] = {}

    async def run(self, work: Callable[[], Any]) -> Any:
        loop = asyncio.get_running_loop()
        free = self._free.get(loop)
        if free is None:
            free = self._free[loop] = asyncio.Semaphore(self.limits.workers)
        try:
            await asyncio.wait_for(free.acquire(), self.limits.queue_wait)
        except TimeoutError:
            raise _ClientError(503, "the server is busy; try again shortly") from None
        try:
            future = loop.run_in_executor(self.pool, work)
        except BaseException:
            free.release()
            raise
        future.add_done_callback(lambda _: free.release())
        try:
            return await asyncio.wait_for(asyncio.shield(future), self.limits.timeout)
        except TimeoutError:
            raise _ClientError(504, f"scoring took longer than {self.limits.timeout:g} s") from None


# ---------------------------------------------------------------- documents

def _pack_names() -> list[str]:
    from perfeval.rules import pack_names

    return pack_names()


def _check_pack(name: str | None, where: str) -> None:
    """Clients choose packs by name; a path would make the server read a file."""
    if name is None:
        return
    names = _pack_names()
    if name not in names:
        raise _ClientError(400, f"{where} must name a rule pack, one of: {', '.join(names)}; "
                                "paths are not accepted by the server",
                           {"rules": name, "packs": names})


def _refuse_project_paths(tree: object, name: str) -> None:
    """A department's projects must be inline: a path would read the server's files.

    The refusal is a document error like the others: the document (``name``,
    as the client sent it) cannot be read here."""
    from perfeval._tree import Mapping_, Scalar, Sequence
    from perfeval.documents import _DOCUMENT_KEYS, _lookup

    if not isinstance(tree, Mapping_):
        return
    for key, line, node in tree.items:
        hit = _lookup(key, _DOCUMENT_KEYS)
        if hit is None or hit[0] != "projects" or not isinstance(node, Sequence):
            continue
        for index, item in enumerate(node.items):
            if isinstance(item, Scalar) and item.text is not None:
                raise DocumentError(
                    f"project {item.text!r} is a file path; the server reads no files, "
                    "so give each project inline as a mapping",
                    path=name, line=item.line or line, key=f"{key}[{index}]")


def _named(doc: Any, name: str) -> Any:
    """The document as the client named it: reports show ``source``, and the
    server's temporary folder is none of the reader's business."""
    update: dict[str, Any] = {"source": name}
    if doc.kind == "department":
        update["projects"] = tuple(p.model_copy(update={"source": name}) for p in doc.projects)
    return doc.model_copy(update=update)


def _document_error(e: DocumentError, tmp: str, name: str) -> _ClientError:
    # The request itself was fine (400 is for a malformed one): whatever keeps
    # the document from being read or scored, from an empty body to a broken
    # zip or a project given as a path, is the document's fault, so a client
    # can tell its user "fix your file" on every 422.
    message = str(e).replace(tmp, name)
    return _ClientError(422, message, {"file": name, "line": e.line, "key": e.key})


def _score(data: bytes, suffix: str, name: str, rules: str | None, fmt: str) -> Response:
    """Load, score and render one uploaded document (runs in a worker thread)."""
    from perfeval import documents
    from perfeval.report import to_json
    from perfeval.scoring import score

    with tempfile.TemporaryDirectory(prefix="perfeval-serve-") as folder:
        # A private folder holding only the document: the loader confines a
        # project path to the document's folder, so a path can name nothing
        # but this file, and no other file of the server is ever opened.
        path = Path(folder) / f"document{suffix}"
        path.write_bytes(data)
        try:
            try:
                doc = _named(documents.load(path), name)
            except DocumentError:
                # A project given as a path can only have failed here (the
                # folder holds nothing else); say so plainly, not "not found".
                _refuse_project_paths(documents._READERS[suffix](path), name)
                raise
            if rules is None:
                _check_pack(doc.rules, "the document's rules:")
                for project in getattr(doc, "projects", ()):
                    _check_pack(project.rules, f"the rules: of project {project.name!r}")
            report = score(doc, rules=rules)
            if fmt == "html":
                from perfeval.html_report import render_html

                return HTMLResponse(render_html([report]))
            if fmt == "xlsx":
                from perfeval.excel import write_form, write_scored

                book = write_scored(path if suffix == ".xlsx" else write_form(doc), report)
                stem = Path(name).stem or "document"
                filename = f"{stem}-评分.xlsx"
                return Response(book, media_type=XLSX_TYPE, headers={
                    "Content-Disposition": "attachment; filename=\"scored.xlsx\"; "
                                           f"filename*=UTF-8''{quote(filename)}"})
        except DocumentError as e:
            raise _document_error(e, str(path), name) from None
        except (RecursionError, MemoryError):
            raise _ClientError(422, f"{name}: the document is too large or too deeply nested",
                               {"file": name, "line": None, "key": None}) from None
        return Response(to_json(report.to_dict()), media_type="application/json")


def _number(value: Any) -> Any:
    from perfeval.cli import _number as number

    return number(value)


# ---------------------------------------------------------------- API models

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# A target or actual cell is a line of text; 10,000 characters is already
# far past any form and keeps the parser's work per request small.
_MAX_TEXT = 10_000


class CheckRequest(_Strict):
    target: str = Field(max_length=_MAX_TEXT, examples=["≥ 20万件"])
    actual: str = Field(max_length=_MAX_TEXT, examples=["51 万余件"])
    name: str | None = Field(default=None, max_length=_MAX_TEXT, examples=["审批局大厅年办事项数"])
    rules: str | None = Field(default=None, max_length=200, examples=["mof-2020"])
    direction: Literal["positive", "reverse", "equal"] | None = None
    year: int | None = Field(default=None, ge=1900, le=2200)


class ParseRequest(_Strict):
    text: str = Field(max_length=_MAX_TEXT, examples=["≥ 20万件"])


_SCORE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The document: JSON, YAML, an .xlsx form, or a multipart upload "
                       "whose field `file` holds any of them.",
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "application/yaml": {"schema": {"type": "string"}},
            XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
            "multipart/form-data": {"schema": {
                "type": "object", "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}}}},
        },
    },
}

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"description": text, "content": {"application/json": {"schema": {
        "type": "object", "properties": {"error": {"type": "string"}, "detail": {}}}}}}
    for code, text in ((400, "bad input"), (413, "body too large"), (415, "unsupported type"),
                       (422, "a document that cannot be read"), (503, "busy"), (504, "timeout"))
}


# ---------------------------------------------------------------- the app

def create_app(limits: Limits | None = None) -> Any:
    """The ASGI application (FastAPI inside the body-size limit)."""
    limits = limits or Limits()
    workers = _Workers(limits)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        workers.pool.shutdown(wait=False, cancel_futures=True)

    app = FastAPI(
        lifespan=lifespan,
        title="perfeval",
        summary="Score budget performance self-evaluation tables (预算绩效自评)",
        version=_version(),
        docs_url=None, redoc_url=None,  # the defaults load scripts from a CDN
    )

    @app.exception_handler(_ClientError)
    async def client_error(request: Request, e: _ClientError) -> JSONResponse:
        return _error(e.status, e.error, e.detail)

    @app.exception_handler(_TooLarge)
    async def too_large(request: Request, e: _TooLarge) -> JSONResponse:
        return _too_large(limits.max_body)

    @app.exception_handler(PerfevalError)
    async def perfeval_error(request: Request, e: PerfevalError) -> JSONResponse:
        return _error(400, str(e), {"type": type(e).__name__})

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, e: RequestValidationError) -> JSONResponse:
        detail = [{"loc": list(err.get("loc", ())), "msg": err.get("msg"),
                   "type": err.get("type")} for err in e.errors()]
        return _error(422, "invalid request", detail)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, e: StarletteHTTPException) -> JSONResponse:
        return _error(e.status_code, str(e.detail), None, getattr(e, "headers", None))

    @app.exception_handler(Exception)
    async def internal(request: Request, e: Exception) -> JSONResponse:
        return _error(500, f"internal error ({type(e).__name__}); please report it")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page() -> HTMLResponse:
        return HTMLResponse(_static("index.html"), headers=_PAGE_HEADERS)

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(_docs_page(app.openapi()), headers=_PAGE_HEADERS)

    @app.get("/v1/rules", summary="List the rule packs")
    async def rules() -> list[dict[str, str]]:
        from perfeval.rules import load_pack

        return [{"name": n, "title": load_pack(n).title} for n in _pack_names()]

    @app.post("/v1/parse", summary="Parse one target value (年度指标值)", responses=_ERRORS)
    async def parse(body: ParseRequest) -> dict[str, Any]:
        from perfeval.targets import parse_target

        result: dict[str, Any] = _number(parse_target(body.text).to_dict())
        return result

    @app.post("/v1/check", summary="Evaluate an actual value (实际完成值) against a target",
              responses=_ERRORS)
    async def check(body: CheckRequest) -> dict[str, Any]:
        from perfeval.evaluate import evaluate
        from perfeval.rules import DEFAULT_PACK

        _check_pack(body.rules, "rules")
        outcome = await workers.run(lambda: evaluate(
            body.target, body.actual, name=body.name, rules=body.rules or DEFAULT_PACK,
            direction=body.direction, year=body.year))
        result: dict[str, Any] = _number(outcome.to_dict())
        return result

    @app.post("/v1/score", summary="Score a project or department document",
              description="Returns the SPEC §7 report JSON, or with `format` the HTML report "
                          "or the scored workbook.  A department's projects must be inline.",
              openapi_extra=_SCORE_BODY, responses=_ERRORS)
    async def score(
        request: Request,
        rules: str | None = Query(None, max_length=200, description="rule pack name"),
        format: Literal["json", "html", "xlsx"] = Query("json"),
    ) -> Response:
        _check_pack(rules, "rules")
        data, suffix, name = await _upload(request)
        response: Response = await workers.run(lambda: _score(data, suffix, name, rules, format))
        return response

    return _BodyLimit(app, limits.max_body)


async def _upload(request: Request) -> tuple[bytes, str, str]:
    """The document's bytes, its reader's suffix and a name for messages."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media in JSON_TYPES:
        return await request.body(), ".json", "document.json"
    if media in YAML_TYPES:
        return await request.body(), ".yaml", "document.yaml"
    if media == XLSX_TYPE:
        return await request.body(), ".xlsx", "document.xlsx"
    if media == "multipart/form-data":
        try:
            form = await request.form(max_files=1, max_fields=10)
        except (StarletteHTTPException, MultiPartException, ValueError) as e:  # malformed
            reason = getattr(e, "detail", None) or e
            raise _ClientError(400, f"cannot read the multipart body: {reason}") from None
        try:
            file = form.get("file")
            if file is None or isinstance(file, str):
                raise _ClientError(400, "the multipart body needs a file field named 'file'")
            name = Path(file.filename or "").name or "upload"
            data = await file.read()
        finally:
            await form.close()  # the spooled temporary files
        suffix = _SUFFIXES.get(Path(name).suffix.lower())
        if suffix is None:
            # No usable extension: an xlsx is a zip archive, anything else is YAML
            # (a superset of JSON).
            suffix = ".xlsx" if data.startswith(b"PK\x03\x04") else ".yaml"
        return data, suffix, name
    raise _ClientError(415, f"unsupported Content-Type {media or '(none)'!r}; send "
                            "application/json, application/yaml, an .xlsx "
                            f"({XLSX_TYPE}) or multipart/form-data with a field 'file'",
                       {"accepted": [*JSON_TYPES, *YAML_TYPES, XLSX_TYPE, "multipart/form-data"]})


# ---------------------------------------------------------------- pages

# Nothing on our pages may load from elsewhere: the browser enforces it too.
_PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "script-src 'self' 'unsafe-inline'; img-src 'self' data:",
    "X-Content-Type-Options": "nosniff",
}


def _version() -> str:
    from perfeval import __version__

    return __version__


def _static(name: str) -> str:
    return resources.files("perfeval").joinpath("static", name).read_text(encoding="utf-8")


def _docs_page(spec: dict[str, Any]) -> str:
    """The API reference from the OpenAPI document, as one offline page."""
    e = html.escape
    parts = [f"<h1>{e(spec['info']['title'])} API {e(spec['info']['version'])}</h1>",
             (f"<p>{e(spec['info'].get('summary', ''))}. The machine-readable description is "
              '<a href="openapi.json">openapi.json</a>; the web page is at <a href="./">/</a>.</p>')]
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            parts.append(f'<section><h2><span class="m">{e(method.upper())}</span> '
                         f"<code>{e(path)}</code></h2><p>{e(op.get('summary', ''))}</p>")
            if op.get("description"):
                parts.append(f"<p>{e(op['description'])}</p>")
            params = op.get("parameters", [])
            if params:
                parts.append("<h3>Query parameters</h3><ul>")
                parts.extend(f"<li><code>{e(p['name'])}</code> "
                             f"{e(json.dumps(p.get('schema', {}), ensure_ascii=False))}</li>"
                             for p in params)
                parts.append("</ul>")
            body = op.get("requestBody", {}).get("content", {})
            if body:
                parts.append("<h3>Request body</h3><ul>")
                for media, content in body.items():
                    schema = _resolve(spec, content.get("schema", {}))
                    parts.append(f"<li><code>{e(media)}</code><pre>"
                                 f"{e(json.dumps(schema, ensure_ascii=False, indent=2))}</pre></li>")
                parts.append("</ul>")
            codes = ", ".join(f"{code} {r.get('description', '')}"
                              for code, r in op.get("responses", {}).items())
            parts.append(f"<h3>Responses</h3><p>{e(codes)}</p></section>")
    style = ("body{font:15px/1.6 system-ui,'Noto Sans CJK SC',sans-serif;margin:24px 32px;"
             "color:#1f2328}section{border-top:1px solid #d0d7de;padding-top:4px}"
             ".m{background:#1b5fa8;color:#fff;border-radius:4px;padding:0 6px;font-size:14px}"
             "pre{background:#f6f8fa;padding:8px;overflow:auto;font-size:12.5px}")
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f"<title>perfeval API</title><style>{style}</style></head><body>"
            + "".join(parts) + "</body></html>")


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        found: dict[str, Any] = spec.get("components", {}).get("schemas", {}).get(
            ref.rsplit("/", 1)[1], schema)
        return found
    return schema


def run(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve until interrupted (``perfeval serve``)."""
    import uvicorn

    # Keep-alive for 30 s, not uvicorn's 5: budgeting systems post in bursts,
    # and a client that reuses a connection the server just closed sees an error.
    uvicorn.run(create_app(), host=host, port=port, log_level="info", timeout_keep_alive=30)

