"""The ``perfeval`` command line (SPEC §7).

::

    perfeval score PATH... [--rules PACK] [--format table|json|markdown|html|xlsx] [-o OUT]
                   [--strict] [--jobs N]
    perfeval parse TEXT [--json]
    perfeval check TARGET ACTUAL [--name NAME] [--rules PACK] [--json]
    perfeval audit FILE... [--format table|json]
    perfeval rules [PACK] [--json]
    perfeval schema [document|report]
    perfeval serve [--host 127.0.0.1] [--port 8000]

Exit status: 0 on success (findings do not fail a run), 1 with ``--strict``
when an ``error`` finding is present (a department's projects included), 2 on
unreadable input or a usage error, 130 when interrupted.  Errors are one
``perfeval: error: …`` message on stderr, never a traceback; in a batch, a
bad file is reported and the others are still scored.

Start-up stays light: pydantic and the scorer are imported only by the
commands that load documents, so ``perfeval parse`` answers at once.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import functools
import os
import stat
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from perfeval.errors import PerfevalError

if TYPE_CHECKING:
    from perfeval.report import Report
    from perfeval.rules import RulePack

__all__ = ["DOCUMENT_SUFFIXES", "build_parser", "main", "write_atomic"]

PROG = "perfeval"
DOCUMENT_SUFFIXES = (".yaml", ".yml", ".json", ".xlsx")
EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130
_T = TypeVar("_T")


# ---------------------------------------------------------------- console

def _tolerant(stream: TextIO) -> None:
    """Replace what the console cannot encode instead of crashing.

    A Chinese Windows console (or a redirect there) is GBK; a CI log may be
    ASCII.  Output that cannot be encoded degrades to ``?``.
    """
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        with contextlib.suppress(ValueError, OSError, TypeError):
            reconfigure(errors="replace")


def _write(stream: TextIO, text: str) -> None:
    try:
        stream.write(text)
    except UnicodeEncodeError:  # a stream `_tolerant` could not reconfigure
        encoding = getattr(stream, "encoding", None) or "ascii"
        stream.write(text.encode(encoding, "replace").decode(encoding))
    stream.flush()


# An error quotes the input, it does not echo it: a 10 MB cell in a message
# would bury the terminal.  A longer line loses its middle, so that both the
# place (file, line, key) and the reason at its end survive.
_MAX_ERROR_LINE = 1000


def _clip(message: str) -> str:
    half = _MAX_ERROR_LINE // 2
    return "\n".join(line if len(line) <= _MAX_ERROR_LINE else f"{line[:half]} … {line[-half:]}"
                     for line in message.split("\n"))


def _error(message: str) -> None:
    _write(sys.stderr, f"{PROG}: error: {_clip(message)}\n")


def _out(text: str) -> None:
    _write(sys.stdout, text)


def _number(value: Any) -> Any:
    """Decimals as the numbers JSON shows (``report.number``), recursively."""
    from perfeval.report import number

    if isinstance(value, Decimal):
        return number(value)
    if isinstance(value, dict):
        return {k: _number(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_number(v) for v in value]
    return value


def _json(data: Any) -> str:
    from perfeval.report import to_json

    return to_json(data) + "\n"


def _colour_wanted() -> bool:
    # https://no-color.org: any non-empty NO_COLOR turns colours off.
    isatty = getattr(sys.stdout, "isatty", None)
    return bool(isatty and isatty()) and not os.environ.get("NO_COLOR")


# ---------------------------------------------------------------- files

def write_atomic(path: str | os.PathLike[str], text: str | bytes) -> None:
    """Write ``text`` (UTF-8; bytes as they are) to ``path`` so that readers see the old file or
    the whole new one: a temporary file in the same folder, then
    ``os.replace``.  Nothing is left behind on error or interruption."""
    target = Path(path)
    mode = _mode_for(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text.encode("utf-8") if isinstance(text, str) else text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        # mkstemp creates 0600; a new report gets the mode `open` would give
        # it.  Reading the umask means setting it: the CLI is single-threaded.
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@contextlib.contextmanager
def _interrupt_deferred() -> Iterator[None]:
    """A Ctrl-C during the block raised when it ends, not inside it.

    Blocking the signal would not do: with a worker pool the process has
    other threads, and the signal reaches Python through any of them."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    import signal

    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught and callable(previous):
        previous(signal.SIGINT, None)  # Python's own handler raises KeyboardInterrupt
    elif caught and previous == signal.SIG_DFL:
        raise KeyboardInterrupt


class _Sink:
    """Text written piece by piece to standard output, or to ``output``
    atomically: a temporary file beside it, created at the first write and
    renamed over ``output`` by :meth:`commit` (removed by :meth:`abort`)."""

    def __init__(self, output: str | None) -> None:
        self.output = None if output == "-" else output
        self.file: Any = None
        self.tmp: str | None = None

    def write(self, text: str | bytes) -> None:
        if self.output is None:
            _out(text.decode("utf-8", "surrogatepass") if isinstance(text, bytes) else text)
            return
        if self.file is None:
            target = Path(self.output)
            with _interrupt_deferred():  # else Ctrl-C inside mkstemp leaves a file unnamed
                fd, self.tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                                dir=target.parent)
            # reports come some 12 kB at a time: a larger buffer spares
            # the system a call for each of them
            self.file = os.fdopen(fd, "wb", buffering=1 << 20)
        self.file.write(text.encode("utf-8") if isinstance(text, str) else text)

    def commit(self) -> bool:
        if self.file is None or self.tmp is None or self.output is None:
            return True
        try:
            self.file.flush()
            os.fsync(self.file.fileno())
            self.file.close()
            os.chmod(self.tmp, _mode_for(Path(self.output)))
            os.replace(self.tmp, self.output)
        except OSError as e:
            self.abort()
            _error(f"cannot write {self.output}: {e.strerror or e}")
            return False
        return True

    def abort(self) -> None:
        if self.file is not None:
            with contextlib.suppress(OSError):
                self.file.close()
        if self.tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.tmp)
        self.file = self.tmp = None


def _deliver(text: str | bytes, output: str | None) -> bool:
    """Print ``text``, or write it to ``output``; False when that fails."""
    if output is None or output == "-":
        if isinstance(text, bytes):  # cmd_score refuses this earlier; never a binary dump
            _error("a workbook cannot go to standard output: give -o FILE.xlsx")
            return False
        _out(text)
        return True
    try:
        write_atomic(output, text)
    except OSError as e:
        _error(f"cannot write {output}: {e.strerror or e}")
        return False
    return True


def _documents(paths: Sequence[str], failures: list[str]) -> Iterator[str]:
    """The document files named by ``paths``: a directory stands for every
    document under it (recursively, sorted; hidden files and folders and
    Excel's lock files skipped)."""
    for raw in paths:
        root = Path(raw)
        if not root.is_dir():
            if root.suffix.lower() not in DOCUMENT_SUFFIXES and _missing(root):
                # The loader would call `reports/` or `x.txt` an unsupported
                # file type; what is wrong is that nothing is there.
                message = f"{raw}: no such file or folder"
                _error(message)
                failures.append(message)
                continue
            yield raw  # the loader names a missing or unreadable document
            continue
        found = _under(str(root))
        if not found:
            message = f"{raw}: no documents ({', '.join(DOCUMENT_SUFFIXES)}) in this folder"
            _error(message)
            failures.append(message)
        yield from found


def _under(root: str) -> list[str]:
    """The documents in the folder ``root`` and its subfolders, hidden ones
    left out, as ``str(Path(root) / relative)`` in the order of those paths.

    What ``sorted(Path(root).rglob("*"))`` and a filter would give, from
    one ``scandir`` per folder: a batch folder of 100,000 tables is listed
    before any is scored, and pathlib paid a ``stat`` and a dozen Python
    objects per file."""
    fold = str.lower if os.name == "nt" else None  # how pathlib compares names there
    found: list[tuple[str, ...]] = []

    def visit(folder: str, parts: tuple[str, ...]) -> None:
        try:
            entries = list(os.scandir(folder))
        except PermissionError:  # skipped, as rglob skips it
            return
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):  # rglob does not follow links to folders
                visit(entry.path, (*parts, name))
            # `~$form.xlsx` is the lock file Excel keeps beside a workbook it
            # has open: not a document, and unreadable as one.
            elif (os.path.splitext(name)[1].lower() in DOCUMENT_SUFFIXES
                  and not name.startswith("~$") and entry.is_file()):
                found.append((*parts, name))

    visit(root, ())
    found.sort(key=None if fold is None else lambda parts: tuple(map(fold, parts)))
    if root == ".":  # Path(".") / "a.yaml" is "a.yaml"
        return [os.path.join(*parts) for parts in found]
    return [os.path.join(root, *parts) for parts in found]


def _missing(path: Path) -> bool:
    """Nothing at ``path`` (an unreadable entry is there: the loader says why)."""
    try:
        path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return True
    except OSError:
        return False
    return False


def _many(paths: Sequence[str]) -> bool:
    """Several results are expected: print a JSON array, not one object."""
    return len(paths) > 1 or any(Path(p).is_dir() for p in paths)


@dataclass
class _Batch:
    """Results of a run over several inputs; failures are reported as they happen."""

    failures: list[str] = field(default_factory=list)

    def attempt(self, what: str, work: Callable[[], _T]) -> _T | None:
        try:
            return work()
        except (PerfevalError, OSError) as e:
            message = _describe(e, what)
        except (RecursionError, MemoryError):
            message = f"{what}: the document is too large or too deeply nested"
        except Exception as e:  # a bug: still one line, and the batch goes on
            if os.environ.get("PERFEVAL_DEBUG"):
                raise
            message = f"{what}: {_internal(e)}"
        _error(message)
        self.failures.append(message)
        return None

    def exit_code(self, reports: Sequence[Report], strict: bool) -> int:
        if self.failures:
            return EXIT_INPUT
        if strict and any(r.errors() for r in reports):
            return EXIT_FINDINGS
        return EXIT_OK


def _internal(error: Exception) -> str:
    return (f"internal error ({type(error).__name__}: {error}); "
            "run with PERFEVAL_DEBUG=1 for the traceback, and please report it")


def _describe(error: BaseException, what: str | None = None) -> str:
    """The one-line (or caret-marked) text of an input error."""
    if isinstance(error, OSError) and not isinstance(error, PerfevalError):
        name = error.filename if error.filename is not None else what
        text = error.strerror or str(error)
        return f"{name}: {text}" if name else text
    text = str(error)
    # A target error quotes the text but not the file it came from; a rule
    # pack's error names the pack, and a project's the project, not the
    # document that was being scored.
    if what and what not in text:
        return f"{what}: {text}"
    return text


# ---------------------------------------------------------------- commands

def _load_rules(name: str | None) -> None:
    """Fail early, once, on an unknown ``--rules`` pack."""
    if name is not None:
        from perfeval.rules import load_pack

        load_pack(name)


class _Progress:
    """``[3/12] path`` on stderr while a batch runs, only when stderr is a
    terminal (a log or a pipe gets nothing).  A plain line, rewritten in
    place, needs no library; it is cleared before anything else is printed."""

    def __init__(self, total: int) -> None:
        isatty = getattr(sys.stderr, "isatty", None)
        self.on = total > 1 and bool(isatty and isatty())
        self.total = total

    def show(self, index: int, path: str) -> None:
        if self.on:
            _write(sys.stderr, f"\r\x1b[K[{index}/{self.total}] {path}")

    def clear(self) -> None:
        if self.on:
            _write(sys.stderr, "\r\x1b[K")


def _score_all(args: argparse.Namespace, batch: _Batch,
               entries: list[tuple[str, Report | None]] | None = None) -> list[Report]:
    """Score every document of ``args.paths``; ``entries`` collects (path,
    report or None) in path order, for the summary of a batch."""
    from perfeval.scoring import score

    _load_rules(args.rules)
    reports: list[Report] = []
    paths = list(_documents(args.paths, batch.failures))
    progress = _Progress(len(paths))
    for index, path in enumerate(paths, start=1):
        progress.show(index, path)

        def work(path: str = path) -> Report:
            try:
                return score(path, rules=args.rules,
                             allow_outside_rules=args.allow_rules_outside)
            finally:
                progress.clear()  # before an error message is printed

        report = batch.attempt(path, work)
        if report is not None:
            reports.append(report)
        if entries is not None:
            entries.append((path, report))
    return reports


# In a worker process: the flag the parent raises when the run stops early
# (Ctrl-C, an error), so that the documents still queued are skipped instead
# of scored for nobody.  One shared byte, read once per document.
_stop: Any = None
_SKIPPED: tuple[Any, bool, str | None] = (None, False, None)


def _worker_start(stop: Any) -> None:
    """Initializer of a worker process.

    Ctrl-C reaches every process of the terminal's foreground group.  A
    worker that took it would die with a traceback of its own, and its death
    would break the pool under the parent's feet (Python 3.11's executor then
    trips over the futures it has cancelled, prints ``InvalidStateError`` from
    a thread and may hang at exit).  So only the parent handles Ctrl-C; it
    tells the workers through ``stop``.  SIGINT arrives here blocked (see
    :func:`_interrupts_held`) and any pending one is dropped by SIG_IGN."""
    import signal

    global _stop
    _stop = stop
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """SIGINT blocked (not lost) while the workers start: a forked worker
    inherits the parent's Python handler until its initializer runs, and a
    Ctrl-C in that window would print a KeyboardInterrupt traceback from it.
    A Ctrl-C held here is delivered to the parent when the block ends."""
    import signal

    if not hasattr(signal, "pthread_sigmask"):  # Windows: no process groups to fear
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


# Chunks a batch keeps submitted and not yet read, per worker: enough that a
# worker never waits for the next one while the first in line is read.
_AHEAD = 8


def _in_order(pending: collections.deque[Any], submit: Callable[[], Any | None]
              ) -> Iterator[tuple[Any, bool, str | None]]:
    """The results of the chunk futures ``pending``, in order, each let go
    once read; for each one read, ``submit()`` submits the next chunk, if
    any, and returns its future.  A batch of 100,000 documents holds neither
    a future for every chunk nor, behind a slow document, every report."""
    while pending:
        head = pending.popleft()
        following = submit()
        if following is not None:
            pending.append(following)
        yield from head.result()


def _chunks(count: int, workers: int, most: int = 8) -> Iterator[tuple[int, int]]:
    """(start, stop) of each run of jobs a worker takes at once: ``most``,
    fewer as the end nears, so that the workers finish together instead of
    one scoring its last eight documents while the others wait."""
    start = 0
    while start < count:
        stop = start + max(1, min(most, (count - start) // (2 * workers)))
        yield start, stop
        start = stop


def _score_chunk(jobs: list[tuple[str, str | None, bool, bool, bool]]
                 ) -> list[tuple[Any, bool, str | None]]:
    return [_score_job(job) for job in jobs]


def _stop_pool(pool: Any, stop: Any, early: bool) -> None:
    """Shut the pool down.  After an error or Ctrl-C (``early``) the workers
    skip what is queued and finish the document they hold; the executor
    itself cancels the futures not yet started.  Nothing here cancels a
    future from this thread: on Python 3.11 a future cancelled outside the
    executor's own thread makes that thread fail if the pool breaks.  The
    workers are not killed either: one killed halfway through sending a
    result would leave the executor waiting forever for the rest of it."""
    if not early:
        pool.shutdown(cancel_futures=True)
        return
    import signal

    stop.value = 1
    # A second Ctrl-C while the workers wind down (a document each, at most)
    # would only break the wait halfway and print from the exit handlers.
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        pool.shutdown(cancel_futures=True)
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def _score_job(job: tuple[str, str | None, bool, bool, bool]) -> tuple[Any, bool, str | None]:
    """One document, in a worker process: (report, or when ``as_json`` its
    JSON bytes, as an element of the array when ``many``; whether it has
    error findings; the failure message)."""
    path, rules, allow, as_json, many = job
    if _stop is not None and _stop.value:
        return _SKIPPED  # the run was interrupted: drain the queue at once
    from perfeval.scoring import score

    try:
        report = score(path, rules=rules, allow_outside_rules=allow)
        errors = bool(report.errors())
        if as_json:
            from perfeval.report import to_json_bytes

            return to_json_bytes(report.to_dict(), element=many), errors, None
        return report, errors, None
    except (PerfevalError, OSError) as e:
        return None, False, _describe(e, path)
    except (RecursionError, MemoryError):
        return None, False, f"{path}: the document is too large or too deeply nested"
    except Exception as e:  # a bug: still one line, and the batch goes on
        if os.environ.get("PERFEVAL_DEBUG"):
            raise
        return None, False, f"{path}: {_internal(e)}"


def _settle() -> Callable[[], None]:
    """Before a batch: the modules, rule packs and catalog loaded so far live
    as long as the process, so the garbage collector stops walking them, and
    it runs less often (a table leaves almost no cycles behind). Workers
    forked later inherit both. Returns what undoes it, for a caller that
    runs the command inside a longer-lived process."""
    import gc

    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)

    def undo() -> None:
        gc.unfreeze()
        gc.set_threshold(*threshold)

    return undo


def _score_jobs(args: argparse.Namespace) -> int:
    """``score --jobs N``: documents scored in N processes, results taken in
    path order as they come; JSON is streamed, one report at a time."""
    _load_rules(args.rules)
    failures: list[str] = []
    paths = list(_documents(args.paths, failures))
    as_json = args.format == "json"
    many = _many(args.paths)
    jobs = [(p, args.rules, args.allow_rules_outside, as_json, many) for p in paths]
    sink = _Sink(args.output) if as_json else None
    reports: list[Report] = []
    entries: list[tuple[str, Report | None]] = []
    written, errors = 0, False
    pool: Any = None
    stop: Any = None
    # Imported here, before the workers start: where processes fork they
    # inherit the modules instead of importing them once each.
    import perfeval.scoring
    if any(p.lower().endswith(".xlsx") for p in paths):
        import perfeval.excel  # noqa: F401
    unsettle = _settle()
    try:
        results: Iterator[Any]
        if args.jobs > 1 and len(jobs) > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            stop = multiprocessing.RawValue("b", 0)
            pool = ProcessPoolExecutor(max_workers=args.jobs, initializer=_worker_start,
                                       initargs=(stop,))
            # Chunks submitted here rather than through `pool.map`, whose
            # iterator cancels its futures from this thread when interrupted
            # (see _stop_pool).  The workers fork at the first submission.
            spans = _chunks(len(jobs), args.jobs)

            def submit() -> Any | None:
                span = next(spans, None)
                return None if span is None else pool.submit(_score_chunk, jobs[slice(*span)])

            pending: collections.deque[Any] = collections.deque()
            with _interrupts_held():
                while len(pending) < _AHEAD * args.jobs and (future := submit()) is not None:
                    pending.append(future)
            results = _in_order(pending, submit)
        else:
            results = map(_score_job, jobs)
        for path, (result, has_errors, message) in zip(paths, results):
            if message is not None:
                _error(message)
                failures.append(message)
                if not as_json:
                    entries.append((path, None))
                continue
            errors = errors or has_errors
            if sink is None:
                reports.append(result)
                entries.append((path, result))
                continue
            if not many:
                sink.write(result)
            else:
                # the bytes `json.dumps(list, indent=2)` would give, element by element
                sink.write((b"[\n" if written == 0 else b",\n") + result)
            written += 1
        if sink is not None:
            if many:
                # several inputs give an array, an empty one when none could
                # be read: a script reads what this run found, never a stale file
                sink.write(b"\n]\n" if written else b"[]\n")
            if pool is not None:
                # Before the output is in place: a Ctrl-C while the workers
                # wind down still leaves no output, and once it is in place
                # the run is all but over.
                _stop_pool(pool, stop, early=False)
                pool = None
            if not sink.commit():
                return EXIT_INPUT
    except BaseException:
        if sink is not None:
            sink.abort()  # first: a second Ctrl-C must not leave it behind
        if pool is not None:
            _stop_pool(pool, stop, early=True)
            pool = None
        raise
    finally:
        if pool is not None:
            _stop_pool(pool, stop, early=False)
        unsettle()
    if reports:
        if args.format == "html":
            from perfeval.html_report import render_html

            text = render_html(reports)
        else:
            from perfeval.formats import render_report

            text = render_report(reports, args.format, entries if many else ())
        if not _deliver(text, args.output):
            return EXIT_INPUT
    if failures:
        return EXIT_INPUT
    return EXIT_FINDINGS if args.strict and errors else EXIT_OK


def cmd_score(args: argparse.Namespace) -> int:
    if args.format == "xlsx":
        # A workbook is one document's form, and binary: never to a terminal.
        if args.output is None or args.output == "-":
            _error("--format xlsx writes a workbook: give -o FILE.xlsx")
            return EXIT_INPUT
        if _many(args.paths):
            _error("--format xlsx writes the form of one document: give one file")
            return EXIT_INPUT
    if args.jobs is not None and args.format != "xlsx":
        return _score_jobs(args)
    batch = _Batch()
    entries: list[tuple[str, Report | None]] = []
    reports = _score_all(args, batch, entries)
    # Several inputs in JSON give an array even when none could be read (see
    # _score_jobs); one document gives an object, so there is nothing to print.
    if reports or (args.format == "json" and _many(args.paths)):
        text: str | bytes
        if args.format == "json":
            data: Any = [r.to_dict() for r in reports] if _many(args.paths) \
                else reports[0].to_dict()
            text = _json(data)
        elif args.format == "xlsx":
            from perfeval.excel import scored_workbook

            path, report = args.paths[0], reports[0]
            workbook = batch.attempt(path, lambda: scored_workbook(path, report))
            if workbook is None:
                return EXIT_INPUT
            text = workbook
        elif args.format == "html":
            from perfeval.html_report import render_html

            text = render_html(reports)
        else:
            from perfeval.formats import render_report

            # Several files (or a folder) close with one line per file.
            text = render_report(reports, args.format, entries if _many(args.paths) else ())
        if not _deliver(text, args.output):
            return EXIT_INPUT
    return batch.exit_code(reports, args.strict)


def cmd_schema(args: argparse.Namespace) -> int:
    from perfeval.schema import document_schema, report_schema

    if args.which == "document":
        data: Any = document_schema()
    elif args.which == "report":
        data = report_schema()
    else:
        data = {"document": document_schema(), "report": report_schema()}
    _out(_json(data))
    return EXIT_OK


def cmd_audit(args: argparse.Namespace) -> int:
    batch = _Batch()
    reports = _score_all(args, batch)
    if reports and args.format == "json":
        entries = [
            {"document": r.name, "source": r.source, "findings": [f.to_dict() for f in r.findings]}
            for report in reports for r in (report, *report.projects)
        ]
        _out(_json(entries))
    elif reports:
        from perfeval.formats import audit_blocks, render_text

        colour = _colour_wanted()
        _out("\n".join(render_text(audit_blocks(r), color=colour) for r in reports))
    return batch.exit_code(reports, args.strict)


def cmd_parse(args: argparse.Namespace) -> int:
    from perfeval.targets import parse_target

    target = parse_target(args.text)
    if args.json:
        _out(_json(target.to_dict()))
    else:
        _out(f"{target}  ({target.kind})\n")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from perfeval.evaluate import evaluate, percent
    from perfeval.formats import STATUS_WORDS
    from perfeval.rules import DEFAULT_PACK

    outcome = evaluate(args.target, args.actual, name=args.name,
                       rules=args.rules or DEFAULT_PACK, direction=args.direction,
                       year=args.year)
    if args.json:
        _out(_json(outcome.to_dict()))
        return EXIT_OK
    lines = [outcome.explanation,
             f"状态：{STATUS_WORDS.get(outcome.status, outcome.status)}（{outcome.status}）"]
    if outcome.ratio is not None:
        lines.append(f"完成率：{percent(outcome.ratio)}")
    lines.extend(f"[{f.severity}] {f.rule}：{f.message}" for f in outcome.findings)
    _out("\n".join(lines) + "\n")
    return EXIT_OK


def cmd_rules(args: argparse.Namespace) -> int:
    from perfeval.rules import load_pack, pack_names

    if args.pack is None:
        names = pack_names()
        if args.json:
            _out(_json([{"name": n, "title": load_pack(n).title} for n in names]))
            return EXIT_OK
        from perfeval.formats import display_width

        width = max((display_width(n) for n in names), default=0)
        _out("".join(f"{n.ljust(width)}  {load_pack(n).title}\n" for n in names))
        return EXIT_OK
    described = _number(load_pack(args.pack).describe())
    if args.json:
        _out(_json(described))
    else:
        _out(_yaml(described))
    return EXIT_OK


def _yaml(data: Any, indent: str = "") -> str:
    """YAML-ish text for people: block mappings, lists of scalars on one line.

    >>> print(_yaml({"pools": {"产出": 50}, "grades": [[90, "优"]], "split": False}), end="")
    pools:
      产出: 50
    grades:
      - [90, 优]
    split: false
    """
    def scalar(value: Any) -> str:
        if isinstance(value, list):
            return "[" + ", ".join(scalar(v) for v in value) + "]"
        if value is None or isinstance(value, bool):
            return {None: "null", True: "true", False: "false"}[value]
        return str(value)

    lines: list[str] = []
    for key, value in data.items():
        if isinstance(value, dict):
            lines.append(f"{indent}{key}:\n{_yaml(value, indent + '  ')}")
        elif isinstance(value, list) and any(isinstance(v, list | dict) for v in value):
            lines.append(f"{indent}{key}:")
            lines.extend(f"{indent}  - {scalar(v)}" for v in value)
        else:
            lines.append(f"{indent}{key}: {scalar(value)}")
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


# ---------------------------------------------------------------- parser

_SCORE_HELP = """\
Score documents and print their reports.  A directory stands for every
.yaml, .yml, .json and .xlsx document under it, recursively, in path order;
hidden files and folders, and the ~$ lock files of Excel, are skipped.
Every file found is scored on its own: a folder holding a department and the
projects it links scores those projects twice (once inside the department,
once alone).  With --format json, one document prints one object; several
paths, or a directory, print an array ([] when none could be read, with exit
status 2); the table and markdown views of several close with a summary, one
line per file.  --format xlsx -o OUT gives one document's form back with 分值
and 得分 filled in (a YAML or JSON document becomes a standard form);
--format html gives a page to open in a browser."""

_EPILOG = """\
exit status: 0 success (findings do not fail the run), 1 error findings with
--strict, 2 unreadable input or usage error, 130 interrupted."""


def cmd_snapshot(args: argparse.Namespace) -> int:
    from perfeval.scoring import score
    from perfeval.snapshot import make_snapshot

    _load_rules(args.rules)
    batch = _Batch()
    entries = []
    for path in _documents(args.paths, batch.failures):
        report = batch.attempt(path, functools.partial(score, path, rules=args.rules))
        if report is not None:
            entries.append((path, report))
    if batch.failures:
        return EXIT_INPUT  # a partial snapshot would pass a later diff it should fail
    if not _deliver(_json(make_snapshot(entries, args.rules)), args.output):
        return EXIT_INPUT
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    import json

    from perfeval.errors import DocumentError
    from perfeval.scoring import score
    from perfeval.snapshot import diff_reports, read_snapshot

    try:
        with open(args.snapshot, encoding="utf-8") as handle:
            data = json.load(handle)
    except (ValueError, UnicodeError) as e:
        raise DocumentError(f"not a perfeval snapshot ({e})", path=args.snapshot) from None
    snapshot = read_snapshot(data, args.snapshot)
    recorded = {d["source"]: d["report"] for d in snapshot["documents"]}
    batch = _Batch()
    paths = list(_documents(args.paths, batch.failures)) if args.paths else list(recorded)
    lines: list[str] = []
    for path in paths:
        report = batch.attempt(path, functools.partial(score, path, rules=snapshot.get("rules")))
        if report is None:
            continue
        if path not in recorded:
            lines.append(f"{report.name}: 快照中没有 {path}")
            continue
        lines.extend(diff_reports(recorded[path], report.to_dict()))
    # a document that left a folder the snapshot covered is a change too
    folders = [Path(p) for p in args.paths if Path(p).is_dir()]
    lines.extend(f"{p}: 快照中有，本次未找到" for p in recorded
                 if p not in paths and any(Path(p).is_relative_to(f) for f in folders))
    if batch.failures:
        return EXIT_INPUT
    _out(("\n".join(lines) if lines else "无变化") + "\n")
    return EXIT_FINDINGS if lines else EXIT_OK


def _score_pair(path: str, first: RulePack, second: RulePack) -> tuple[Report, Report]:
    from perfeval.scoring import score

    return score(path, rules=first), score(path, rules=second)


def cmd_compare(args: argparse.Namespace) -> int:
    from perfeval.rules import load_pack
    from perfeval.snapshot import compare_packs, pack_differences

    if len(args.rules) != 2:
        _error("compare needs exactly two packs: --rules A --rules B")
        return EXIT_INPUT
    first, second = (load_pack(name) for name in args.rules)
    lines = [f"{first.name} → {second.name}:"]
    lines.extend(f"  {line}" for line in pack_differences(first, second) or ["（两套规则相同）"])
    batch = _Batch()
    for path in _documents(args.paths, batch.failures):
        pair = batch.attempt(path, functools.partial(_score_pair, path, first, second))
        if pair is not None:
            lines.append("")
            lines.extend(compare_packs(*pair))
    _out("\n".join(lines) + "\n")
    return batch.exit_code([], False)


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        from perfeval.server import run
    except ImportError as e:
        _error(f"perfeval serve needs the server extra ({e.name or e} is missing): "
               "pip install 'perfeval[server]'")
        return EXIT_INPUT
    run(host=args.host, port=args.port)
    return EXIT_OK


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, not {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Parse, evaluate, score and audit budget performance "
                    "self-evaluation tables (预算绩效自评).",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from perfeval import __version__

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help: str, description: str | None = None) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=help, description=description or help,
                                   epilog=_EPILOG,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)

    rules_help = "rule pack name (see `perfeval rules`) or path; overrides the documents' own"
    outside_help = ("let a document's `rules:` path (and the packs it extends) leave the "
                    "document's folder; only for documents you trust")

    p = command("score", "score documents (projects and departments)", _SCORE_HELP)
    p.add_argument("paths", nargs="+", metavar="PATH", help="document file or directory")
    p.add_argument("--rules", metavar="PACK", help=rules_help)
    p.add_argument("--format", choices=("table", "json", "markdown", "html", "xlsx"),
                   default="table",
                   help="output format (default: table); html is one self-contained page, "
                        "xlsx the form with 分值 and 得分 filled in (needs -o)")
    p.add_argument("-o", "--output", metavar="OUT",
                   help="write to OUT (atomically) instead of standard output")
    p.add_argument("--strict", action="store_true",
                   help="exit 1 when any error finding is present (projects' included)")
    p.add_argument("--allow-rules-outside", action="store_true", help=outside_help)
    p.add_argument("--jobs", "-j", type=_positive_int, metavar="N",
                   help="score in N worker processes; JSON output is streamed as "
                        "reports come, in path order")
    p.set_defaults(run=cmd_score)

    p = command("parse", "parse one target value (年度指标值) and print its canonical form")
    p.add_argument("text", metavar="TEXT", help='target text, e.g. "≥ 20万件"; put -- before '
                                                "text that starts with a dash")
    p.add_argument("--json", action="store_true", help="print the parts as JSON")
    p.set_defaults(run=cmd_parse)

    p = command("check", "evaluate one actual value (实际完成值) against a target")
    p.add_argument("target", metavar="TARGET", help='target text, e.g. "20 次"')
    p.add_argument("actual", metavar="ACTUAL", help='actual text, e.g. "12 次"')
    p.add_argument("--name", metavar="NAME",
                   help="indicator name (三级指标); gives a bare target its direction")
    p.add_argument("--direction", choices=("positive", "reverse", "equal"),
                   help="direction of a bare target, overriding the catalog")
    p.add_argument("--year", type=int, metavar="YEAR", help="year of year-less dates")
    p.add_argument("--rules", metavar="PACK", help="rule pack name or path (default: mof-2020)")
    p.add_argument("--json", action="store_true", help="print the outcome as JSON")
    p.set_defaults(run=cmd_check)

    p = command("audit", "print the findings of documents, without the scores")
    p.add_argument("paths", nargs="+", metavar="FILE", help="document file or directory")
    p.add_argument("--rules", metavar="PACK", help=rules_help)
    p.add_argument("--format", choices=("table", "json"), default="table",
                   help="output format (default: table)")
    p.add_argument("--strict", action="store_true",
                   help="exit 1 when any error finding is present")
    p.add_argument("--allow-rules-outside", action="store_true", help=outside_help)
    p.set_defaults(run=cmd_audit)

    p = command("schema", "print the JSON Schema of documents and of score reports")
    p.add_argument("which", nargs="?", choices=("document", "report"), metavar="WHICH",
                   help="document or report (default: both, as one object)")
    p.set_defaults(run=cmd_schema)

    p = command("rules", "list the rule packs, or show one")
    p.add_argument("pack", nargs="?", metavar="PACK", help="pack name or path to show")
    p.add_argument("--json", action="store_true", help="print JSON instead of YAML")
    p.set_defaults(run=cmd_rules)
    p = command("snapshot", "record the reports of documents, for `perfeval diff`")
    p.add_argument("paths", nargs="+", metavar="PATH", help="document file or directory")
    p.add_argument("--rules", metavar="PACK", help=rules_help)
    p.add_argument("-o", "--output", metavar="OUT", help="write the snapshot to OUT")
    p.set_defaults(run=cmd_snapshot)

    p = command("diff", "score documents again and list what changed since a snapshot; "
                        "exits 1 when anything changed")
    p.add_argument("snapshot", metavar="SNAPSHOT", help="a file written by `perfeval snapshot`")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="documents to compare (default: those the snapshot recorded)")
    p.set_defaults(run=cmd_diff)

    p = command("compare", "score documents under two rule packs and explain the difference")
    p.add_argument("paths", nargs="+", metavar="PATH", help="document file or directory")
    p.add_argument("--rules", metavar="PACK", action="append", required=True,
                   help="a rule pack; give it twice: --rules A --rules B")
    p.set_defaults(run=cmd_compare)

    p = command("serve", "serve the web page and the HTTP API (needs perfeval[server])")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    p.set_defaults(run=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    _tolerant(sys.stdout)
    _tolerant(sys.stderr)
    try:
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as e:  # --help, --version, or a usage error (already printed)
            return e.code if isinstance(e.code, int) else (0 if e.code is None else EXIT_INPUT)
        run: Callable[[argparse.Namespace], int] = args.run
        try:
            return run(args)
        except BrokenPipeError:
            raise
        except (PerfevalError, OSError) as e:
            _error(_describe(e))
            return EXIT_INPUT
        except (RecursionError, MemoryError):
            _error("the input is too large or too deeply nested")
            return EXIT_INPUT
        except Exception as e:
            if os.environ.get("PERFEVAL_DEBUG"):
                raise
            _error(_internal(e))
            return EXIT_INPUT
    except KeyboardInterrupt:
        _write(sys.stderr, f"\n{PROG}: interrupted\n")
        # CPython (3.11) marks a KeyboardInterrupt that passes through an
        # `exec` of source text (dataclasses and pydantic build methods that
        # way while their modules load) as unhandled, even once it is caught
        # here, and `python -m perfeval` then ends by re-raising SIGINT on
        # itself instead of exiting 130.  Executing any other source text
        # clears that mark; this one is empty and constant.
        exec("")  # noqa: S102
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader (`| head`) went away: stop quietly, and keep Python from
        # complaining again when it flushes stdout at exit.
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return 1  # what Python itself returns on EPIPE


def console() -> int:
    """The ``perfeval`` command and ``python -m perfeval``: :func:`main` in a
    process that ends when it returns.  The run is over and its output
    written: a Ctrl-C from now on is ignored, so that the exit status still
    says how the run went instead of an interrupt that came too late to stop
    anything.  And everything the run made is frozen: the collector's last
    pass at exit would otherwise walk every object (the rule packs, the memos
    of a batch) to find no cycle, for 10–100 ms."""
    code = main()
    import gc
    import signal

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.freeze()
    return code
