"""``perfeval score DIR --jobs N``: the same bytes as one process, streamed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from perfeval import cli

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


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
