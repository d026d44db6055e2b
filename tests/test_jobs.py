"""``perfeval score DIR --jobs N``: the same bytes as one process, streamed."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfeval import cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("fmt", ["json", "table"])
def test_same_output_with_one_and_two_jobs(capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    plain = run(capsys, "score", str(EXAMPLES), "--format", fmt)
    one = run(capsys, "score", str(EXAMPLES), "--format", fmt, "--jobs", "1")
    two = run(capsys, "score", str(EXAMPLES), "--format", fmt, "--jobs", "2")
    assert one == two == plain
    assert one[0] == 0


def test_a_bad_file_is_reported_and_the_rest_scored(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for name in ("outsourcing.yaml", "hall-operations.yaml"):
        shutil.copy(EXAMPLES / "jianghan-2024" / name, tmp_path / name)
    (tmp_path / "broken.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    out = tmp_path / "out" / "scores.json"
    out.parent.mkdir()
    code, stdout, err = run(capsys, "score", str(tmp_path), "--format", "json", "--jobs", "2",
                            "-o", str(out))
    assert code == 2 and stdout == ""
    assert "broken.yaml" in err
    text = out.read_text(encoding="utf-8")
    assert text.startswith("[\n") and text.endswith("\n]\n")
    assert text.count('"schema_version"') == 2
    assert [p.name for p in out.parent.iterdir()] == ["scores.json"]  # no temporary left


def test_jobs_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "score", str(EXAMPLES), "--jobs", "0")
    assert code == 2 and "positive" in err


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_garbage_collector_is_left_as_it_was(capsys: pytest.CaptureFixture[str],
                                                  jobs: str) -> None:
    # A batch freezes the loaded modules and collects less often; a caller
    # running the command in its own process gets its collector back.
    import gc

    threshold, frozen = gc.get_threshold(), gc.get_freeze_count()
    assert run(capsys, "score", str(EXAMPLES), "--format", "json", "--jobs", jobs)[0] == 0
    assert gc.get_threshold() == threshold
    assert gc.get_freeze_count() == frozen


def test_the_command_freezes_what_it_made_before_the_process_ends(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    # `perfeval` and `python -m perfeval` run `console`: main's exit status,
    # a late Ctrl-C that cannot change it, and nothing left for the
    # collector's last pass at exit to walk.
    import gc

    monkeypatch.setattr(sys, "argv", ["perfeval", "score", str(EXAMPLES), "--strict"])
    frozen = gc.get_freeze_count()
    handler = signal.getsignal(signal.SIGINT)
    try:
        assert cli.console() == 1  # the examples hold error findings
        assert gc.get_freeze_count() > frozen
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        gc.unfreeze()
        signal.signal(signal.SIGINT, handler)
    capsys.readouterr()


def test_the_workers_are_gone_before_the_output_is_in_place(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    # A Ctrl-C while the workers wind down must still leave no output (exit
    # 130): so the pool is shut down first, and the output put in place last.
    events: list[str] = []
    stop_pool, commit = cli._stop_pool, cli._Sink.commit

    def stopping(pool: object, stop: object, early: bool) -> None:
        events.append("pool stopped")
        stop_pool(pool, stop, early)

    def committing(sink: cli._Sink) -> bool:
        events.append("output in place")
        return commit(sink)

    monkeypatch.setattr(cli, "_stop_pool", stopping)
    monkeypatch.setattr(cli._Sink, "commit", committing)
    out = tmp_path / "scores.json"
    code, _, _ = run(capsys, "score", str(EXAMPLES), "--format", "json", "--jobs", "2",
                     "-o", str(out))
    assert code == 0 and out.is_file()
    assert events == ["pool stopped", "output in place"]


@given(st.integers(0, 500), st.integers(1, 8), st.integers(1, 16))
def test_chunks_cover_every_job_once_in_order_and_shrink_toward_the_end(
        count: int, workers: int, most: int) -> None:
    chunks = list(cli._chunks(count, workers, most))
    assert [i for start, stop in chunks for i in range(start, stop)] == list(range(count))
    sizes = [stop - start for start, stop in chunks]
    assert all(1 <= size <= most for size in sizes)
    assert sizes == sorted(sizes, reverse=True)
    # the last chunk is a single document
    assert not sizes or sizes[-1] == 1
    # whole chunks while there is plenty left
    assert all(size == most for size, (start, _) in zip(sizes, chunks)
               if count - start >= 2 * workers * most)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a process group is POSIX")
def test_ctrl_c_stops_every_process_cleanly(tmp_path: Path) -> None:
    # Ctrl-C in a terminal reaches the whole foreground group: the parent and
    # its workers.  Whenever it lands in the run, the parent must exit 130,
    # nothing may print a traceback (a worker's KeyboardInterrupt, the
    # executor thread's InvalidStateError), nothing may hang or be left
    # running, and no output, whole or partial, may appear.
    folder = tmp_path / "docs"
    folder.mkdir()
    # first in path order: its error line on stderr says the batch is running
    (folder / "000-bad.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    text = (EXAMPLES / "jianghan-2024" / "outsourcing.yaml").read_text(encoding="utf-8")
    for i in range(1000):
        (folder / f"table-{i:04d}.yaml").write_text(text, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PERFEVAL_DEBUG", None)
    for delay in (0.0, 0.02, 0.05, 0.1, 0.2):
        out_dir = tmp_path / f"out-{delay}"
        out_dir.mkdir()
        proc = subprocess.Popen(
            [sys.executable, "-m", "perfeval", "score", str(folder), "--format", "json",
             "--jobs", "2", "-o", str(out_dir / "scores.json")],
            cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, start_new_session=True)
        try:
            assert proc.stderr is not None
            first = proc.stderr.readline().decode("utf-8")
            assert "000-bad.yaml" in first, first
            time.sleep(delay)
            os.killpg(proc.pid, signal.SIGINT)
            _, rest = proc.communicate(timeout=10)
            # the workers were waited for, not left behind in the group
            with pytest.raises(ProcessLookupError):
                os.killpg(proc.pid, 0)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        err = first + rest.decode("utf-8")
        assert proc.returncode == 130, (delay, err)
        assert "interrupted" in err and "Traceback" not in err, (delay, err)
        assert list(out_dir.iterdir()) == [], delay


def test_a_batch_lets_go_of_each_report_once_written() -> None:
    # Peak memory stays flat over 100,000 documents only if the futures of
    # chunks already written are dropped, and only a few chunks are in
    # flight at a time: no future for every chunk, and no pile of finished
    # reports behind one slow document at the head of the line.
    import collections
    from concurrent.futures import Future

    def done(i: int) -> Future[list[tuple[object, bool, None]]]:
        f: Future[list[tuple[object, bool, None]]] = Future()
        f.set_result([(f"report {i}", False, None)])
        return f

    made = iter(range(2, 5))
    submitted: list[int] = []

    def submit() -> Future[list[tuple[object, bool, None]]] | None:
        i = next(made, None)
        if i is None:
            return None
        submitted.append(i)
        return done(i)

    pending = collections.deque([done(0), done(1)])
    results = cli._in_order(pending, submit)
    assert next(results)[0] == "report 0"
    # the first chunk's future is gone, and one more took its place
    assert submitted == [2] and len(pending) == 2
    assert [r[0] for r in results] == ["report 1", "report 2", "report 3", "report 4"]
    assert submitted == [2, 3, 4] and not pending


def test_a_batch_keeps_a_bounded_number_of_chunks_in_flight(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    # 400 documents in chunks of at most 8: at most _AHEAD chunks per worker
    # are ever submitted and not yet read, and every report still comes, in order.
    import collections

    source = (EXAMPLES / "jianghan-2024" / "outsourcing.yaml").read_text(encoding="utf-8")
    for i in range(400):
        (tmp_path / f"t{i:03d}.yaml").write_text(
            source.replace("name: 外包工作人员经费", f"name: 表{i:03d}", 1), encoding="utf-8")
    most = 0
    original = cli._in_order

    def watched(pending: collections.deque[object], submit: object) -> object:
        nonlocal most

        def counting() -> object:
            nonlocal most
            most = max(most, len(pending))
            return submit()  # type: ignore[operator]
        most = len(pending)
        return original(pending, counting)  # type: ignore[arg-type]

    monkeypatch.setattr(cli, "_in_order", watched)
    code, out, _ = run(capsys, "score", str(tmp_path), "--format", "json", "--jobs", "2")
    assert code == 0
    names = [line.split('"')[3] for line in out.splitlines() if line.startswith('    "name": "表')]
    assert names == [f"表{i:03d}" for i in range(400)]
    assert 0 < most <= cli._AHEAD * 2 < 400 // 8


