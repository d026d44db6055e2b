"""Batches: ``perfeval score DIR`` (every document scored, a summary table at the
end, and a progress line on stderr only when stderr is a terminal), and the
edge cases of the columnar ``evaluate_many`` (its law against ``evaluate`` is in
tests/property/test_batch_laws.py)."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from perfeval import TargetSyntaxError, cli, evaluate
from perfeval.rules import load_pack

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


# Every batch behaviour below holds in one process and with --jobs.
JOBS = [pytest.param((), id="one-process"), pytest.param(("--jobs", "2"), id="jobs-2")]


@pytest.mark.parametrize("jobs", JOBS)
@pytest.mark.parametrize("name", ["no-such-folder/", "no-such-file.txt", "no-such-thing"])
def test_a_path_that_does_not_exist_is_named_so(capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path, name: str,
                                                jobs: tuple[str, ...]) -> None:
    # not "unsupported file type": the trouble is that nothing is there
    missing = str(tmp_path / name) + ("/" if name.endswith("/") else "")
    code, out, err = run(capsys, "score", missing, *jobs)
    assert code == 2 and out == ""
    assert err == f"perfeval: error: {missing}: no such file or folder\n"
    code, out, err = run(capsys, "score", missing, str(EXAMPLES / "outsourcing.yaml"),
                         "--format", "json", *jobs)
    assert code == 2 and "no such file or folder" in err
    assert [r["name"] for r in json.loads(out)] == ["外包工作人员经费"]


@pytest.mark.parametrize("jobs", JOBS)
def test_no_readable_document_still_gives_an_array(capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path,
                                                   jobs: tuple[str, ...]) -> None:
    # Several inputs give a JSON array; when none can be read it is empty, so
    # a script parses the output of every run (exit 2 tells it files failed)
    # and `-o` never leaves the previous run's reports in place.
    bad1, bad2 = tmp_path / "bad1.yaml", tmp_path / "bad2.json"
    bad1.write_text("name: [unclosed\n", encoding="utf-8")
    bad2.write_text("{", encoding="utf-8")
    code, out, err = run(capsys, "score", str(bad1), str(bad2), "--format", "json", *jobs)
    assert code == 2 and out == "[]\n"
    assert "bad1.yaml" in err and "bad2.json" in err
    target = tmp_path / "out" / "scores.json"
    target.parent.mkdir()
    target.write_text("[{\"name\": \"last run\"}]\n", encoding="utf-8")
    code, out, _ = run(capsys, "score", str(tmp_path), "--format", "json", "-o", str(target),
                       *jobs)
    assert code == 2 and out == ""
    assert target.read_text(encoding="utf-8") == "[]\n"
    assert [p.name for p in target.parent.iterdir()] == ["scores.json"]
    # one document gives an object: there is none to print
    code, out, _ = run(capsys, "score", str(bad1), "--format", "json", *jobs)
    assert code == 2 and out == ""


@pytest.mark.parametrize("jobs", JOBS)
def test_excel_lock_files_are_not_documents(capsys: pytest.CaptureFixture[str], folder: Path,
                                            jobs: tuple[str, ...]) -> None:
    # Excel keeps `~$name.xlsx` beside a workbook it has open (a few bytes of
    # owner name): a folder being worked on must still score cleanly.
    (folder / "sub" / "broken.yaml").unlink()
    (folder / "~$e-network.xlsx").write_bytes(b"\x0bAdministrator" + b"\x00" * 40)
    (folder / "sub" / "~$form.xlsx").write_bytes(b"\x05Owner" + b"\x00" * 40)
    code, out, err = run(capsys, "score", str(folder), "--format", "json", *jobs)
    assert code == 0 and err == ""
    assert [r["name"] for r in json.loads(out)] == ["一网通办工作经费", "外包工作人员经费"]
    # named on its own, it is still read (and refused)
    code, _, err = run(capsys, "score", str(folder / "~$e-network.xlsx"), *jobs)
    assert code == 2 and "~$e-network.xlsx" in err


# ---------------------------------------------------------------- evaluate_many

def _batch(*columns: Any, **kwargs: Any) -> Any:
    pytest.importorskip("numpy")
    from perfeval.batch import evaluate_many

    return evaluate_many(*columns, **kwargs)


def _rows(batch: Any) -> list[tuple[str, str, str]]:
    return [(str(s), str(r), str(f)) for s, r, f in zip(batch.status, batch.ratio, batch.fraction)]


def _expected(targets: list[str | None], actuals: list[str | None],
              names: list[str | None], rules: Any = "hubei-2020") -> list[tuple[str, str, str]]:
    outcomes = [evaluate(t, a, name=n, rules=rules) for t, a, n in zip(targets, actuals, names)]
    return [(o.status, str(o.ratio), str(o.fraction)) for o in outcomes]


def test_none_cells_in_lists() -> None:
    targets = [None, "≥90%", None, "≥90%"]
    actuals = ["95%", None, None, "95%"]
    names = ["满意度", None, None, None]
    assert _rows(_batch(targets, actuals, names)) == _expected(targets, actuals, names)


def test_empty_columns() -> None:
    batch = _batch([], [], [])
    assert len(batch) == 0
    assert batch.status.dtype.str == "<U14" and batch.codes.dtype.name == "int8"
    assert batch.ratio.tolist() == [] and batch.fraction.tolist() == []
    pa = pytest.importorskip("pyarrow")
    assert len(_batch(pa.array([], pa.string()), pa.chunked_array([], pa.string()))) == 0


def test_mismatched_lengths() -> None:
    with pytest.raises(ValueError, match="same length"):
        _batch(["≥1"], [])
    with pytest.raises(ValueError, match="same length"):
        _batch(["≥1"], ["1"], ["a", "b"])
    pa = pytest.importorskip("pyarrow")
    with pytest.raises(ValueError, match="same length"):
        _batch(pa.array(["≥1", "≥2"]), ["1"])


def test_numpy_arrays() -> None:
    np = pytest.importorskip("numpy")
    targets, actuals = ["≥90%", "=100%", "≥90%"], ["95%", "99.5%", "80%"]
    batch = _batch(np.array(targets), np.array(actuals, dtype=object))
    assert _rows(batch) == _expected(targets, actuals, [None] * 3)


def test_chunked_arrays_with_a_dictionary_per_chunk() -> None:
    pa = pytest.importorskip("pyarrow")
    targets = ["≥90%", "≥90%", "20次", "≥90%", None, "20次"]
    actuals = ["95%", "80%", "12次", "95%", "95%", None]
    chunks = [slice(0, 2), slice(2, 2), slice(2, 5), slice(5, 6)]  # one of them empty
    columns = [pa.chunked_array([pa.array(c[s], pa.string()).dictionary_encode() for s in chunks])
               for c in (targets, actuals)]
    assert len({str(c.dictionary) for c in columns[0].chunks}) > 1
    assert _rows(_batch(*columns)) == _expected(targets, actuals, [None] * 6)
    plain = pa.chunked_array([pa.array(targets[s], pa.string()) for s in chunks])
    assert _rows(_batch(plain, actuals)) == _expected(targets, actuals, [None] * 6)


def test_nulls_in_arrow_columns() -> None:
    pa = pytest.importorskip("pyarrow")
    targets = [None, "≥90%", "≥90%", None]
    actuals = ["95%", None, "95%", None]
    expected = _expected(targets, actuals, [None] * 4)
    assert _rows(_batch(pa.array(targets), pa.array(actuals))) == expected
    dictionaries = [pa.array(c).dictionary_encode() for c in (targets, actuals)]
    assert dictionaries[0].null_count == 2
    assert _rows(_batch(*dictionaries)) == expected
    # a column of nulls only, of the null type or as pandas types an empty category
    assert _rows(_batch(targets, actuals, pa.nulls(4))) == expected
    pd = pytest.importorskip("pandas")
    assert _rows(_batch(targets, actuals, pd.Series([None] * 4, dtype="category"))) == expected


def test_polars_series_of_many_chunks() -> None:
    pl = pytest.importorskip("polars")
    pytest.importorskip("pyarrow")
    targets = ["≥90%", "≥90%", "20次", "≥90%"]
    actuals = ["95%", "80%", "12次", "95%"]
    chunked = pl.concat([pl.Series(targets[:2]), pl.Series(targets[2:])], rechunk=False)
    assert chunked.n_chunks() == 2
    assert _rows(_batch(chunked, pl.Series(actuals, dtype=pl.Categorical))) == \
        _expected(targets, actuals, [None] * 4)


def test_an_arrow_column_of_numbers_is_refused() -> None:
    pa = pytest.importorskip("pyarrow")
    with pytest.raises(TypeError, match="strings"):
        _batch(pa.array([90, 95]), ["95%", "95%"])


def test_values_too_large_for_scaled_integers_stay_exact() -> None:
    # 10^13 at six decimal places overflows int64: evaluate divides the Fractions.
    batch = _batch(["≥9999999999999", "≥0.0000001"], ["10000000000000", "0.0000002"])
    assert _rows(batch) == [("met", "1.000000000000100000000000010", "1"),
                            ("exceeded", "2", "1")]


def test_values_below_zero_are_evaluate_s() -> None:
    # a target or an actual below 0 leaves the scaled integers for evaluate
    targets = ["≥-5%", "≥-5%", "≥5%", "≤-5%", "=-5%", "-5%-5%", "≥90%"]
    actuals = ["-3%", "-7%", "-3%", "-3%", "3%", "-7%", "-90%"]
    names = ["收入增长率"] + [None] * 6
    assert _rows(_batch(targets, actuals, names)) == _expected(targets, actuals, names)


def test_unreadable_text_raises_as_evaluate_does() -> None:
    with pytest.raises(TargetSyntaxError):
        evaluate("≥1", "2o万件")
    with pytest.raises(TargetSyntaxError):
        _batch(["≥90%", "≥1"], ["95%", "2o万件"])


def test_rules_as_a_pack() -> None:
    pack = load_pack("linear-reverse")
    targets, actuals, names = ["≤5%", "5%"], ["6%", "8%"], ["预算调整率", "预算调整率"]
    assert _rows(_batch(targets, actuals, names, rules=pack)) == \
        _expected(targets, actuals, names, rules=pack)


def test_the_dictionary_encoded_columns() -> None:
    targets = ["≥90%", "≥90%", "20次", "≥90%"]
    actuals = ["95%", "80%", "12次", "95%"]
    batch = _batch(targets, actuals)
    assert len(batch.distinct_codes) == 3  # rows 0 and 3 are one triple
    assert batch.index[0] == batch.index[3]
    assert batch.ratio.tolist() == batch.distinct_ratio[batch.index].tolist()
    assert batch.fraction[1] == Decimal("0.8888888888888888888888888889")


def test_lists_import_no_dataframe_library() -> None:
    code = ("import sys; from perfeval.batch import evaluate_many; "
            "evaluate_many(['≥90%'], ['95%'], ['满意度']); "
            "print(sorted({'pyarrow', 'polars', 'pandas'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parent.parent)
    assert out.stdout.strip() == "[]"


def test_cells_that_are_no_text_are_read_as_evaluate_reads_them() -> None:
    # pandas marks an empty cell of an object column with NaN; a numeric cell
    # may hold a number. Each row still equals evaluate's outcome.
    nan = float("nan")
    targets: list[Any] = ["≥90%", 90, 90.0, nan, "90", "≥90%"]
    actuals: list[Any] = ["95%", "95", 95, "95%", "95", nan]
    names: list[Any] = ["满意度", nan, "满意度", None, 90, nan]
    assert _rows(_batch(targets, actuals, names, rules="mof-2020")) == \
        _expected(targets, actuals, names, rules="mof-2020")
    # a NaN name is no name
    assert evaluate("3%", "4%", name=nan) == evaluate("3%", "4%")
