"""``perfeval score DIR``: every document scored, a summary table at the end, and
a progress line on stderr only when stderr is a terminal."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from perfeval import cli

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "jianghan-2024"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name in ("outsourcing.yaml", "one-network.xlsx"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "broken.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    return tmp_path


def summary_lines(out: str) -> list[str]:
    return out[out.index("汇总（"):].splitlines()[5:]  # after the heading and the header


def test_summary_table(capsys: pytest.CaptureFixture[str], folder: Path) -> None:
    code, out, err = run(capsys, "score", str(folder))
    assert code == 2  # the broken file; the others are still scored
    assert "broken.yaml" in err
    assert "汇总（3 个文件）" in out
    rows = [line.split() for line in summary_lines(out)]
    assert rows == [
        [str(folder / "one-network.xlsx"), "一网通办工作经费", "99.96", "优", "1", "4"],
        [str(folder / "outsourcing.yaml"), "外包工作人员经费", "99.95", "优", "0", "2"],
        [str(folder / "sub" / "broken.yaml"), "无法读取"],
    ]


def test_summary_in_markdown(capsys: pytest.CaptureFixture[str], folder: Path) -> None:
    _, out, _ = run(capsys, "score", str(folder), "--format", "markdown")
    assert "# 汇总（3 个文件）" in out
    assert "| 文件 | 表格 | 总分 | 等级 | 错误 | 警告 |" in out


def test_one_file_has_no_summary(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "score", str(EXAMPLES / "outsourcing.yaml"))
    assert "汇总" not in out


def test_department_counts_its_projects(capsys: pytest.CaptureFixture[str],
                                        tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "department.xlsx", tmp_path / "department.xlsx")
    shutil.copy(EXAMPLES / "outsourcing.xlsx", tmp_path / "outsourcing.xlsx")
    _, out, _ = run(capsys, "score", str(tmp_path))
    rows = [line.split() for line in summary_lines(out)]
    # 3 errors of its own and 1 of 一网通办工作经费; 11 + 2 + 1 + 4 + 3 warnings.
    assert rows[0][1:] == ["武汉市江汉区行政审批局", "99.13", "优", "4", "21"]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_a_terminal(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    stderr = _Terminal()
    monkeypatch.setattr("sys.stderr", stderr)
    monkeypatch.setattr("sys.stdout", io.StringIO())
    cli.main(["score", str(folder)])
    written = stderr.getvalue()
    assert "\r\x1b[K[1/3] " in written and "[3/3] " in written
    # The progress line is cleared before the error is printed on a line of its own.
    assert "\r\x1b[Kperfeval: error: " in written
    assert written.endswith("\n")


def test_no_progress_off_a_terminal(capsys: pytest.CaptureFixture[str], folder: Path) -> None:
    _, _, err = run(capsys, "score", str(folder))
    assert "[1/3]" not in err and "\x1b" not in err
