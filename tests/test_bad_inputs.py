"""Bad input never crashes, never loses data, never runs code (issue 7).

Every broken document and malicious rule pack below goes through the real
command line, ``python -m perfeval score``, in a subprocess of its own.  Each
run must:

* exit 2, print nothing on stdout and no ``Traceback`` on stderr;
* say ``perfeval: error:`` and name the file, with its line and key where the
  file has them (``duplicate-key.yaml:4: name: duplicate key …``);
* finish within ``TIME_LIMIT`` seconds and ``MEMORY_LIMIT`` bytes of peak
  memory (``ru_maxrss`` of the CLI's process, see ``run_cli``).

Small inputs are committed in ``tests/bad_inputs/`` (rule packs in its
``packs/`` folder); large or binary ones (the 50 MB file, the zip bomb, random
bytes, deep nesting) are built here in ``tmp_path``.  The runs go in parallel,
so the table costs a few seconds, not a minute.

Then: batches (one bad file does not stop the others, and ``-o`` writes the
good ones), and outputs (``-o`` is atomic, even under Ctrl-C).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from perfeval import cli

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "bad_inputs"
EXAMPLES = ROOT / "examples" / "jianghan-2024"
OUTSOURCING = EXAMPLES / "outsourcing.yaml"

# Generous for one small file on a loaded CI machine; a hang or a zip bomb
# that gets expanded blows through both by orders of magnitude.
TIME_LIMIT = 10.0
MEMORY_LIMIT = 500 * 1024 * 1024
# A run still going after this is killed, so that a hang fails the test
# instead of stalling the suite.
HARD_TIMEOUT = 60.0

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
ENV.pop("PERFEVAL_DEBUG", None)  # that one turns internal errors into tracebacks


# ---------------------------------------------------------------- inputs built here

def _random_bytes(path: Path) -> None:
    # 0x80 and 0xff never start a UTF-8 or GB18030 character; no UTF-16 BOM.
    data = random.Random(7).randbytes(64 * 1024)
    path.write_bytes(b"\x80\xff" + data)


def _fifty_megabytes(path: Path) -> None:
    line = "  - {name: 培训次数, target: ≥ 20 次, actual: 12 次}\n"
    with path.open("w", encoding="utf-8") as f:
        f.write("kind: project\nname: 培训\nindicators:\n")
        f.write(line * (50 * 1024 * 1024 // len(line.encode("utf-8")) + 1))


def _deep_yaml(path: Path) -> None:
    depth = 100_000
    path.write_text("kind: project\nname: 培训\nindicators: " + "[" * depth + "]" * depth + "\n",
                    encoding="utf-8")


def _deep_json(path: Path) -> None:
    depth = 100_000
    path.write_text('{"kind": "project", "name": "培训",\n "indicators": '
                    + "[" * depth + "]" * depth + "}\n", encoding="utf-8")


def _deep_mapping(path: Path) -> None:
    path.write_text("kind: project\nname: 培训\nbudget:\n"
                    + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(200)), encoding="utf-8")


def _dev_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _long_formula(path: Path) -> None:
    path.write_text("name: evil\nextends: mof-2020\nformulas:\n  reverse_missed: '"
                    + "target+" * 20_000 + "1'\n", encoding="utf-8")


def _zip(entries: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip archive from (name, data, method, crc, uncompressed size) entries."""
    out, central = bytearray(), bytearray()
    for name, data, method, crc, size in entries:
        raw = name.encode()
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0,
                               crc, len(data), size, len(raw), 0, 0, 0, 0, 0, len(out)) + raw
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0,
                           crc, len(data), size, len(raw), 0) + raw + data
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries),
                      len(central), len(out), 0)
    return bytes(out + central + end)


def _zip_bomb(path: Path, *, honest: bool = True) -> None:
    """A well-formed workbook whose one sheet inflates from ~1 MB to 1 GiB of rows.

    ``honest=False`` declares the sheet a kilobyte long in the zip's headers,
    so that only a reader that trusts them reads on.

    Deflating a gigabyte takes seconds, so one megabyte of rows is deflated
    once, ending on a full flush (a byte-aligned block that refers to nothing
    before it), and that block is repeated: the stream stays valid and its
    CRC is the true one.
    """
    head = (b'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns='
            b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
    row = b'<row><c t="inlineStr"><is><t>lol</t></is></c></row>'
    chunk = row * ((1 << 20) // len(row))
    tail = b"</sheetData></worksheet>"
    repeats = (1 << 30) // len(chunk)

    def flushed(data: bytes) -> bytes:
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        return c.compress(data) + c.flush(zlib.Z_FULL_FLUSH)

    crc = zlib.crc32(head)
    for _ in range(repeats):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    last = zlib.compressobj(9, zlib.DEFLATED, -15)
    sheet = flushed(head) + flushed(chunk) * repeats + last.compress(tail) + last.flush()
    size = len(head) + len(chunk) * repeats + len(tail)

    def stored(name: str, text: str) -> tuple[str, bytes, int, int, int]:
        data = text.encode()
        return name, data, 0, zlib.crc32(data), len(data)

    ns = "http://schemas.openxmlformats.org"
    path.write_bytes(_zip([
        stored("[Content_Types].xml",
               f'<?xml version="1.0"?><Types xmlns="{ns}/package/2006/content-types">'
               '<Default Extension="rels" ContentType="application/'
               'vnd.openxmlformats-package.relationships+xml"/>'
               '<Override PartName="/xl/workbook.xml" ContentType="application/'
               'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
               '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
               'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'),
        stored("_rels/.rels",
               f'<?xml version="1.0"?><Relationships xmlns="{ns}/package/2006/relationships">'
               f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/'
               'officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        stored("xl/workbook.xml",
               f'<?xml version="1.0"?><workbook xmlns="{ns}/spreadsheetml/2006/main" '
               f'xmlns:r="{ns}/officeDocument/2006/relationships"><sheets>'
               '<sheet name="绩效自评表" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        stored("xl/_rels/workbook.xml.rels",
               f'<?xml version="1.0"?><Relationships xmlns="{ns}/package/2006/relationships">'
               f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/'
               'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'),
        ("xl/worksheets/sheet1.xml", sheet, 8, crc, size if honest else 1024),
    ]))


# ---------------------------------------------------------------- the table

@dataclass(frozen=True)
class Case:
    """One bad input and what the error must say about it.

    ``where`` follows the file's name in the message: ``":4: name"`` is line 4,
    key ``name``; ``""`` when the file has no line to point at.  ``says`` are
    words of the message itself.  A ``pack`` case passes ``file`` with
    ``--rules`` while scoring a good table; ``build`` writes ``file`` into a
    temporary folder instead of reading it from the corpus.
    """

    id: str
    file: str
    where: str
    says: tuple[str, ...]
    build: Callable[[Path], None] | None = None
    pack: bool = False


CASES = [
    # YAML and JSON that do not parse, or are not a document.
    Case("yaml-unclosed-flow", "syntax-unclosed-flow.yaml", ":4", ("invalid YAML",)),
    Case("yaml-bad-indent", "syntax-bad-indent.yaml", ":5", ("invalid YAML",)),
    Case("yaml-tab-indent", "syntax-tab-indent.yaml", ":4", ("invalid YAML",)),
    Case("yaml-unterminated-quote", "syntax-unterminated-quote.yaml", ":4", ("invalid YAML",)),
    Case("yaml-two-documents", "syntax-two-documents.yaml", ":3", ("more than one",)),
    Case("yaml-python-tag", "syntax-python-tag.yaml", ":2: name", ("not supported",)),
    Case("yaml-mapping-as-key", "syntax-mapping-as-key.yaml", ":3", ("key must be text",)),
    Case("yaml-control-character", "control-character.yaml", ":2", ("control character",)),
    Case("json-trailing-comma", "syntax-trailing-comma.json", ":4", ("invalid JSON",)),
    # A wrong type at every key.
    Case("document-is-a-list", "type-document-is-a-list.yaml", ":1", ("must be a mapping",)),
    Case("document-is-text", "type-document-is-text.yaml", ":1", ("must be a mapping",)),
    Case("kind-unknown", "type-kind-unknown.yaml", ":1: kind", ("'合同'",)),
    Case("name-as-list", "type-name-as-list.yaml", ":2: name", ("expected text, got a list",)),
    Case("year-as-text", "type-year-as-text.yaml", ":3: year", ("'去年'",)),
    Case("budget-as-list", "type-budget-as-list.yaml", ":3: budget", ("must be a mapping",)),
    Case("planned-as-mapping", "type-planned-as-mapping.yaml", ":4: budget.planned",
         ("got a mapping",)),
    Case("rate-as-text", "type-rate-as-text.yaml", ":3: budget.stated_rate", ("'九成'",)),
    Case("indicators-as-string", "type-indicators-as-string.yaml", ":3: indicators",
         ("expected a list, got text",)),
    Case("indicator-not-mapping", "type-indicator-not-mapping.yaml", ":4: indicators[0]",
         ("must be a mapping",)),
    Case("indicator-without-name", "type-indicator-without-name.yaml",
         ":4: indicators[0].name", ("no name",)),
    Case("weight-as-mapping", "type-weight-as-mapping.yaml", ":4: indicators[0].weight",
         ("got a mapping",)),
    Case("target-as-mapping", "type-target-as-mapping.yaml", ":5: indicators[0].target",
         ("got a mapping",)),
    Case("direction-unknown", "type-direction-unknown.yaml", ":4: indicators[0].direction",
         ("'向上'",)),
    Case("applicable-not-boolean", "type-applicable-not-boolean.yaml",
         ":4: indicators[0].applicable", ("'也许'",)),
    Case("goals-entries-not-mappings", "type-goals-entries-not-mappings.yaml", ":4: goals[0]",
         ("must be a mapping",)),
    Case("goal-indicators-as-mapping", "type-goal-indicators-as-mapping.yaml",
         ":5: goals[0].indicators", ("expected a list",)),
    Case("projects-as-mapping", "type-projects-as-mapping.yaml", ":3: projects",
         ("expected a list, got a mapping",)),
    Case("project-entry-is-a-number", "type-project-entry-is-a-number.yaml", ":4: projects[0]",
         ("'42'",)),
    Case("spending-as-list", "type-spending-as-list.yaml", ":3: spending",
         ("must be a mapping",)),
    Case("project-has-spending", "type-project-has-spending.yaml", ":3: spending",
         ("only a department",)),
    Case("chinese-keys", "type-chinese-keys.yaml", ":6: 绩效指标[0].分值", ("got a list",)),
    # Numbers.
    Case("huge-amount", "number-huge-amount.yaml", ":3: budget.planned", ("'1e400'",)),
    Case("too-many-digits", "number-too-many-digits.yaml", ":3: budget.planned",
         ("too many digits",)),
    Case("huge-json-integer", "number-huge-integer.json", ":2: budget.planned",
         ("too many digits", " … ")),
    Case("nan", "number-nan.yaml", ":3: budget.planned", ("NaN",)),
    Case("infinity", "number-infinity.yaml", ":3: budget.executed", ("Infinity",)),
    Case("json-nan", "number-nan.json", ":2", ("NaN",)),
    Case("negative-amount", "number-negative-amount.yaml", ":3: budget.planned",
         ("cannot be negative",)),
    Case("negative-weight", "number-negative-weight.yaml", ":4: indicators[0].weight",
         ("cannot be negative",)),
    # Duplicates, aliases and nesting.
    Case("duplicate-key", "duplicate-key.yaml", ":4: name", ("duplicate key", "lines 2 and 4")),
    Case("duplicate-alias-keys", "duplicate-alias-keys.yaml", ":3: 项目名称",
         ("give the same field",)),
    Case("json-duplicate-key", "duplicate-key.json", ":3: name", ("duplicate key",)),
    Case("billion-laughs", "billion-laughs.yaml", ":3: a", ("anchors are not supported",)),
    Case("alias-in-value", "alias-in-value.yaml", ":2: name", ("anchors are not supported",)),
    # The key is named when our walker stops first; newer LibYAML builds stop
    # while scanning ahead, with the line only.
    Case("deep-nesting-yaml", "deep.yaml", ":3", ("nested deeper than",),
         build=_deep_yaml),
    Case("deep-nesting-json", "deep.json", "", ("nested deeper than",), build=_deep_json),
    Case("deep-mapping", "deep-mapping.yaml", ":", ("nested deeper than",),
         build=_deep_mapping),
    # Files that are no document at all.
    Case("empty-yaml", "empty.yaml", "", ("empty",)),
    Case("empty-json", "empty.json", "", ("empty",)),
    Case("only-comments", "only-comments.yaml", "", ("empty",)),
    Case("random-bytes", "random.yaml", "", ("cannot decode",), build=_random_bytes),
    Case("gbk-encoded", "gbk-encoded.yaml", ":3: 绩效指标", ("expected a list",)),
    Case("lone-surrogate", "lone-surrogate.json", ": name", ("surrogate",)),
    Case("fifty-megabytes", "huge.yaml", "", ("larger than 20 MB",), build=_fifty_megabytes),
    Case("endless-dev-zero", "zero.yaml", "", ("larger than 20 MB",), build=_dev_zero),
    Case("missing-file", "no-such-file.yaml", "", ("not found",), build=lambda path: None),
    Case("unsupported-suffix", "form.txt", "", ("unsupported file type",),
         build=lambda path: path.write_text("kind: project\n", encoding="utf-8")),
    # Excel: true before and after perfeval/excel.py lands.
    Case("xlsx-not-a-zip", "not-a-zip.xlsx", "", ()),
    Case("xlsx-zip-bomb", "bomb.xlsx", "", (), build=_zip_bomb),
    Case("xlsx-zip-bomb-lying-sizes", "lying-bomb.xlsx", "", (),
         build=lambda path: _zip_bomb(path, honest=False)),
    # Departments, projects and rule paths.
    Case("missing-project-file", "department-missing-project.yaml", ":4: projects[0]",
         ("not found", "no-such-project.yaml")),
    Case("department-includes-itself", "department-includes-itself.yaml", ":4: projects[0]",
         ("includes itself",)),
    Case("departments-include-each-other", "department-cycle-a.yaml", "",
         ("includes itself", "department-cycle-b.yaml")),
    Case("project-path-escapes", "department-project-escapes.yaml", ":4: projects[0]",
         ("inside the department's folder",)),
    Case("project-path-absolute", "department-project-absolute.yaml", ":4: projects[0]",
         ("must be relative",)),
    Case("rules-path-escapes", "rules-escapes-folder.yaml", ":3: rules",
         ("outside the document's folder", "--allow-rules-outside")),
    Case("rules-path-absolute", "rules-absolute-path.yaml", ":3: rules",
         ("outside the document's folder",)),
    Case("rules-extends-outside", "rules-extends-outside.yaml", ":3: rules",
         ("extends-outside.yaml", "outside the document's folder")),
    Case("rules-unknown-pack", "rules-unknown-pack.yaml", ":3: rules", ("'mof-2099'",)),
    # Malicious rule packs, given with --rules: named, with the formula quoted.
    Case("pack-attribute-access", "packs/attribute-access.yaml", ": formulas.reverse_missed",
         ("attribute access", "target.__class__"), pack=True),
    Case("pack-import", "packs/import-call.yaml", ": formulas.budget",
         ("may be called", "__import__"), pack=True),
    Case("pack-call-outside-whitelist", "packs/call-outside-whitelist.yaml",
         ": formulas.budget", ("may be called", "open("), pack=True),
    Case("pack-power", "packs/power.yaml", ": formulas.reverse_missed",
         ("power (**)", "9**9**9"), pack=True),
    Case("pack-huge-string", "packs/huge-string.yaml", ": formulas.reverse_missed",
         ("only numbers",), pack=True),
    Case("pack-long-formula", "long-formula.yaml", ": formulas.reverse_missed",
         ("at most 500 characters",), build=_long_formula, pack=True),
    Case("pack-infinite-number", "packs/infinite-number.yaml", ": formulas.reverse_missed",
         ("out of range",), pack=True),
    Case("pack-formula-cannot-run", "packs/formula-cannot-run.yaml", ": formulas.budget",
         ("'min()' failed",), pack=True),
    Case("pack-huge-points", "packs/huge-points.yaml", ": budget_points", ("out of range",),
         pack=True),
    Case("pack-billion-laughs", "packs/billion-laughs.yaml", ": not valid YAML",
         ("aliases",), pack=True),
    Case("pack-not-a-mapping", "packs/not-a-mapping.yaml", ": a rule pack must be a mapping",
         (), pack=True),
]


# ---------------------------------------------------------------- running them

@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str
    seconds: float
    peak_bytes: int | None


# Peak memory is measured one process down.  Linux carries a process's
# high-water mark across fork and exec, so a child forked from pytest reports
# at least pytest's own size; a bare Python in between runs the CLI and
# reports resource.getrusage(RUSAGE_CHILDREN).ru_maxrss, which is the CLI's.
_MEASURE = """\
import resource, subprocess, sys
code = subprocess.call([sys.executable, *sys.argv[2:]])
with open(sys.argv[1], "w") as f:
    f.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code if code >= 0 else 128 - code)
"""


def run_cli(argv: list[str], cwd: Path = ROOT, timeout: float = HARD_TIMEOUT) -> Run:
    """``python -m perfeval ARGV`` with its exit status, output, wall time and
    peak memory (resident set size, in bytes; None where ``resource`` is missing)."""
    measured = sys.platform != "win32"
    with tempfile.TemporaryDirectory() as scratch:
        peak_file = Path(scratch) / "peak"
        prefix = ["-c", _MEASURE, str(peak_file)] if measured else []
        with open(Path(scratch) / "out", "w+b") as out, open(Path(scratch) / "err", "w+b") as err:
            start = time.monotonic()
            proc = subprocess.Popen([sys.executable, *prefix, "-m", "perfeval", *argv],
                                    cwd=cwd, env=ENV, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=err, start_new_session=measured)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                if measured:  # the whole session: the CLI, not just the measuring Python
                    os.killpg(proc.pid, signal.SIGKILL)
                else:
                    proc.kill()
                proc.wait()
            seconds = time.monotonic() - start
            out.seek(0)
            err.seek(0)
            stdout, stderr = out.read(), err.read()
        peak = None
        if measured and peak_file.exists():
            # kilobytes on Linux, bytes on macOS
            peak = int(peak_file.read_text()) * (1 if sys.platform == "darwin" else 1024)
    return Run(proc.returncode, stdout.decode("utf-8", "replace"),
               stderr.decode("utf-8", "replace"), seconds, peak)


def _argv(case: Case, folder: Path) -> tuple[list[str], Path]:
    path = (folder if case.build else CORPUS) / case.file
    if case.pack:
        return ["score", str(OUTSOURCING), "--rules", str(path)], path
    return ["score", str(path)], path


# Starting Python and importing pydantic costs about half a second of CPU,
# which for eighty inputs is most of a minute on a two-core CI machine.  So
# one Python imports the CLI once and forks a fresh process per input: each
# run still has its own process, exit status, stderr, clock and peak memory
# (that last one includes the ~70 MB the forks share), and an exception that
# escapes prints its traceback as `python -m perfeval` would.  The real
# `python -m perfeval` runs every input too, in `test_corpus_end_to_end`.
_FORKSERVER = """\
import json, os, sys, time, traceback
from perfeval import cli
import perfeval.scoring  # what `score` imports, once, before the forks

jobs, limit, timeout = json.load(sys.stdin)
queue, running, results = list(enumerate(jobs)), {}, {}
while queue or running:
    while queue and len(running) < limit:
        index, (argv, out, err) = queue.pop(0)
        pid = os.fork()
        if pid == 0:
            os.dup2(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 1)
            os.dup2(os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 2)
            try:
                code = cli.main(argv)
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else 1
            except BaseException:
                traceback.print_exc()
                code = 1
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        running[pid] = (index, time.monotonic())
    pid, status, usage = os.wait4(-1, os.WNOHANG)
    if pid == 0:
        for child, (index, start) in running.items():
            if time.monotonic() - start > timeout:
                os.kill(child, 9)
        time.sleep(0.005)
        continue
    index, start = running.pop(pid)
    results[index] = [os.waitstatus_to_exitcode(status), time.monotonic() - start,
                      usage.ru_maxrss]
json.dump([results[i] for i in range(len(jobs))], sys.stdout)
"""


def forked_runs(argvs: list[list[str]], scratch: Path) -> list[Run]:
    """Run ``perfeval ARGV`` for each of ``argvs``, a fresh forked process each."""
    jobs = [[argv, str(scratch / f"{i}.out"), str(scratch / f"{i}.err")]
            for i, argv in enumerate(argvs)]
    server = subprocess.run([sys.executable, "-c", _FORKSERVER], cwd=ROOT, env=ENV,
                            input=json.dumps([jobs, (os.cpu_count() or 2) + 1, HARD_TIMEOUT]),
                            capture_output=True, text=True, timeout=10 * HARD_TIMEOUT,
                            check=False)
    assert server.returncode == 0, server.stderr
    runs = []
    for (_, out, err), (code, seconds, peak) in zip(jobs, json.loads(server.stdout)):
        runs.append(Run(code, Path(out).read_text(encoding="utf-8", errors="replace"),
                        Path(err).read_text(encoding="utf-8", errors="replace"), seconds,
                        peak * (1 if sys.platform == "darwin" else 1024)))
    return runs


def _built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("built")
    for case in CASES:
        if case.build is not None and (case.build is not _dev_zero or Path("/dev/zero").exists()):
            case.build(folder / case.file)
    return folder


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of the inputs built here."""
    return _built(tmp_path_factory)


@pytest.fixture(scope="module")
def runs(built: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Run]]:
    """Every case, run once, several at a time."""
    argvs, paths = zip(*(_argv(case, built) for case in CASES))
    if hasattr(os, "fork"):
        results = forked_runs(list(argvs), tmp_path_factory.mktemp("runs"))
    else:
        with ThreadPoolExecutor(max_workers=(os.cpu_count() or 2) + 1) as pool:
            results = list(pool.map(run_cli, argvs))
    return {case.id: (path, run) for case, path, run in zip(CASES, paths, results)}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, runs: dict[str, tuple[Path, Run]]) -> None:
    if case.build is _dev_zero and not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero here")
    path, run = runs[case.id]
    assert "Traceback" not in run.err, run.err
    assert run.code == 2, run.err
    assert run.out == ""
    assert run.err.startswith("perfeval: error: "), run.err
    assert "internal error" not in run.err or case.file.endswith(".xlsx"), run.err
    assert f"{path}{case.where}" in run.err, run.err
    for words in case.says:
        assert words in run.err, run.err
    assert max(len(line) for line in run.err.splitlines()) <= 1100  # quoted, not echoed
    assert run.seconds < TIME_LIMIT, f"took {run.seconds:.1f} s"
    if run.peak_bytes is not None:
        assert run.peak_bytes < MEMORY_LIMIT, f"peak {run.peak_bytes / 2**20:.0f} MB"


def test_every_corpus_file_is_in_the_table() -> None:
    listed = {c.file for c in CASES if c.build is None}
    present = {p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*") if p.is_file()}
    used_indirectly = {"department-cycle-b.yaml", "packs/extends-outside.yaml"}
    assert present - listed == used_indirectly
    assert listed <= present
    assert len(CASES) >= 30


def test_corpus_end_to_end(built: Path) -> None:
    """Every document of the table through the real ``python -m perfeval``,
    in one batch: each is named, none prints a traceback, stdout holds only
    the empty array of a batch in which no document could be read, and the
    whole batch stays within the limits of one file."""
    paths = [_argv(case, built)[1] for case in CASES if not case.pack]
    paths = [p for p in paths if p.exists() or p.name == "no-such-file.yaml"]
    run = run_cli(["score", *map(str, paths), "--format", "json"])
    assert run.code == 2 and "Traceback" not in run.err, run.err
    assert run.out == "[]\n"
    assert run.err.count("perfeval: error: ") == len(paths)
    for path in paths:
        assert str(path) in run.err
    assert run.seconds < 3 * TIME_LIMIT
    assert run.peak_bytes is None or run.peak_bytes < MEMORY_LIMIT


@pytest.mark.parametrize("pack", ["attribute-access", "import-call", "power", "billion-laughs"])
def test_malicious_pack_end_to_end(pack: str) -> None:
    path = CORPUS / "packs" / f"{pack}.yaml"
    run = run_cli(["score", str(OUTSOURCING), "--rules", str(path)])
    assert run.code == 2 and "Traceback" not in run.err and run.out == ""
    assert run.err.startswith(f"perfeval: error: {path}: ")


def test_gbk_file_is_decoded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A form saved as GBK by a Windows tool reads the same as its UTF-8 twin."""
    text = OUTSOURCING.read_text(encoding="utf-8")
    (tmp_path / "gbk.yaml").write_bytes(text.encode("gbk"))
    assert cli.main(["score", str(tmp_path / "gbk.yaml"), "--format", "json"]) == 0
    from_gbk = capsys.readouterr().out
    assert cli.main(["score", str(OUTSOURCING), "--format", "json"]) == 0
    assert from_gbk == capsys.readouterr().out


# ---------------------------------------------------------------- batches

def test_batch_reports_bad_files_and_writes_the_good_ones(tmp_path: Path) -> None:
    out = tmp_path / "reports.json"
    bad = [CORPUS / "duplicate-key.yaml", CORPUS / "billion-laughs.yaml"]
    good = [OUTSOURCING, EXAMPLES / "department.yaml"]
    run = run_cli(["score", str(good[0]), str(bad[0]), str(good[1]), str(bad[1]),
                   "--format", "json", "-o", str(out)])
    assert run.code == 2 and "Traceback" not in run.err
    assert run.err.count("perfeval: error: ") == 2
    assert all(str(path) in run.err for path in bad)
    reports = json.loads(out.read_text(encoding="utf-8"))
    assert [r["name"] for r in reports] == ["外包工作人员经费", "武汉市江汉区行政审批局"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports.json"]


def test_folder_of_good_and_bad_documents(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """The whole corpus mixed into a folder with the five real tables: every
    bad file is named once, and all five reports are still written."""
    folder = tmp_path / "batch"
    shutil.copytree(EXAMPLES, folder)
    bad = [p for p in CORPUS.iterdir() if p.is_file()]
    for path in bad:
        shutil.copy(path, folder / path.name)
    out = tmp_path / "reports.json"
    code = cli.main(["score", str(folder), "--format", "json", "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert err.count("perfeval: error: ") == len(bad)
    for path in bad:
        assert str(folder / path.name) in err
    names = {r["name"] for r in json.loads(out.read_text(encoding="utf-8"))}
    assert names == {"武汉市江汉区行政审批局", "外包工作人员经费", "审批大厅日常运转经费",
                     "一网通办工作经费", "行政审批工作经费"}


# ---------------------------------------------------------------- outputs

def test_failed_run_keeps_the_previous_output(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "reports.json"
    out.write_text("previous", encoding="utf-8")
    code = cli.main(["score", str(CORPUS / "empty.yaml"), "--format", "json", "-o", str(out)])
    assert code == 2
    assert out.read_text(encoding="utf-8") == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["reports.json"]


@pytest.fixture(scope="module")
def big_batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bad file that sorts first (its error tells that scoring has begun),
    then enough copies of a real table to take many seconds."""
    folder = tmp_path_factory.mktemp("big-batch")
    shutil.copy(CORPUS / "duplicate-key.yaml", folder / "000-bad.yaml")
    text = OUTSOURCING.read_text(encoding="utf-8")
    for i in range(800):
        (folder / f"table-{i:04d}.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT is POSIX")
@pytest.mark.parametrize("previous", [None, "previous complete report\n"],
                         ids=["no-previous-output", "previous-output"])
def test_ctrl_c_leaves_no_half_written_output(big_batch: Path, tmp_path: Path,
                                              previous: str | None) -> None:
    out = tmp_path / "reports.json"
    if previous is not None:
        out.write_text(previous, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "perfeval", "score", str(big_batch), "--format", "json",
         "-o", str(out)],
        cwd=ROOT, env=ENV, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE)
    try:
        assert proc.stderr is not None
        first = proc.stderr.readline().decode("utf-8")
        assert "000-bad.yaml" in first  # the batch is being scored now
        proc.send_signal(signal.SIGINT)
        _, rest = proc.communicate(timeout=HARD_TIMEOUT)
    finally:
        proc.kill()
        proc.wait()
    err = first + rest.decode("utf-8")
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    if previous is None:
        assert not out.exists()
    else:
        assert out.read_text(encoding="utf-8") == previous
    assert [p.name for p in tmp_path.iterdir()] == ([] if previous is None else ["reports.json"])

