"""Tests of the command line: perfeval.cli.main in-process, and a few real runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from wcwidth import wcswidth

from perfeval import cli, formats

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "jianghan-2024"
OUTSOURCING = str(EXAMPLES / "outsourcing.yaml")
DEPARTMENT = str(EXAMPLES / "department.yaml")

BROKEN_YAML = "kind: project\nname: [unclosed\nbudget: {planned: 1}\n"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_process(*argv: str, **env: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "perfeval", *argv],
        check=False, cwd=ROOT, capture_output=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
    )


def score_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    code, out, err = run(capsys, "score", *argv, "--format", "json")
    assert code == 0, err
    return json.loads(out)


# ---------------------------------------------------------------- score

def test_score_project_json(capsys: pytest.CaptureFixture[str]) -> None:
    report = score_json(capsys, OUTSOURCING)
    assert report["name"] == "外包工作人员经费"
    assert report["total"] == 99.95
    assert report["grade"] == "优"
    assert report["budget"]["score"] == 9.95
    assert report["indicators"][0]["weight"] == 6.25
    assert "projects_score" not in report


def test_score_department(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", DEPARTMENT, "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert report["kind"] == "department"
    assert "projects_score" in report
    assert len(report["projects"]) == 4


def test_strict_fails_on_error_findings(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(capsys, "score", DEPARTMENT, "--strict")
    assert code == 1
    # The outsourcing table has warnings only.
    code, _, _ = run(capsys, "score", OUTSOURCING, "--strict")
    assert code == 0


def test_strict_counts_projects_errors(capsys: pytest.CaptureFixture[str],
                                       tmp_path: Path) -> None:
    project = tmp_path / "p.yaml"
    project.write_text(
        "kind: project\nname: 培训\nbudget: {planned: 10, executed: 10}\nindicators:\n"
        "  - {level1: 产出指标, level2: 数量指标, name: 培训次数, target: 20 次, actual: 12 次}\n",
        encoding="utf-8")
    dept = tmp_path / "d.yaml"
    dept.write_text("kind: department\nname: 某局\nprojects: [p.yaml]\n", encoding="utf-8")
    code, out, _ = run(capsys, "score", str(dept), "--format", "json", "--strict")
    report = json.loads(out)
    assert not any(f["severity"] == "error" for f in report["findings"])
    assert any(f["rule"] == "missing-deviation-reason"
               for f in report["projects"][0]["findings"])
    assert code == 1


def test_rules_override(capsys: pytest.CaptureFixture[str]) -> None:
    report = score_json(capsys, OUTSOURCING, "--rules", "hubei-2020")
    assert report["rules"] == "hubei-2020"
    assert report["budget"]["weight"] == 20


def test_unknown_rules_pack(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "score", OUTSOURCING, "--rules", "no-such-pack")
    assert code == 2
    assert out == ""
    assert err.startswith("perfeval: error: ") and "no-such-pack" in err


def test_directory_is_every_document_in_path_order(capsys: pytest.CaptureFixture[str]) -> None:
    reports = score_json(capsys, str(EXAMPLES))
    # approval-work, department, hall-operations, one-network, outsourcing, each
    # as its Excel form and then as YAML (.xlsx sorts before .yaml)
    names = ["行政审批工作经费", "武汉市江汉区行政审批局", "审批大厅日常运转经费", "一网通办工作经费",
             "外包工作人员经费"]
    assert [r["name"] for r in reports] == [n for n in names for _ in ("xlsx", "yaml")]


def test_directory_skips_hidden_folders(capsys: pytest.CaptureFixture[str],
                                        tmp_path: Path) -> None:
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "ci.yaml").write_text(BROKEN_YAML, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.yml").write_text(
        (EXAMPLES / "outsourcing.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a document", encoding="utf-8")
    reports = score_json(capsys, str(tmp_path))
    assert [r["name"] for r in reports] == ["外包工作人员经费"]


def test_several_paths_print_an_array(capsys: pytest.CaptureFixture[str]) -> None:
    reports = score_json(capsys, OUTSOURCING, str(EXAMPLES / "hall-operations.yaml"))
    assert [r["name"] for r in reports] == ["外包工作人员经费", "审批大厅日常运转经费"]


def test_empty_directory(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "score", str(tmp_path))
    assert code == 2
    assert out == ""
    assert str(tmp_path) in err and "no documents" in err


def test_json_is_byte_identical(capsys: pytest.CaptureFixture[str]) -> None:
    first = run(capsys, "score", DEPARTMENT, "--format", "json")
    second = run(capsys, "score", DEPARTMENT, "--format", "json")
    assert first == second
    assert first[1].encode("utf-8") == second[1].encode("utf-8")


def test_json_is_byte_identical_across_processes() -> None:
    a = run_process("score", DEPARTMENT, "--format", "json")
    b = run_process("score", DEPARTMENT, "--format", "json")
    assert a.returncode == b.returncode == 0
    assert a.stdout == b.stdout


# ---------------------------------------------------------------- table / markdown

def indicator_table(text: str) -> list[str]:
    """The lines of the first indicator table in a terminal report."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(("一级", "年度目标  ")))
    end = next(i for i in range(start, len(lines)) if not lines[i].strip())
    return lines[start:end]


@pytest.mark.parametrize("path", [OUTSOURCING, DEPARTMENT])
def test_table_aligns_cjk_columns(capsys: pytest.CaptureFixture[str], path: str) -> None:
    code, out, _ = run(capsys, "score", path)
    assert code == 0
    table = indicator_table(out)
    assert len(table) > 10
    widths = {wcswidth(line) for line in table}
    assert len(widths) == 1, widths
    # Every column starts at the same display offset in every row: the
    # separator's gaps line up with the gaps of each row.
    gaps = [i for i, ch in enumerate(table[1]) if ch == " "]
    for line in table[2:]:
        cells = _cell_columns(line)
        assert all(cells.get(i, " ") == " " for i in gaps), line


def _cell_columns(line: str) -> dict[int, str]:
    """Map display column → character (a wide character fills two columns)."""
    out: dict[int, str] = {}
    col = 0
    for ch in line:
        w = max(wcswidth(ch), 0)
        for k in range(w):
            out[col + k] = ch
        col += w
    return out


def test_table_content(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", OUTSOURCING)
    assert code == 0
    assert "外包工作人员经费" in out and "99.95" in out and "优" in out
    assert "1923.78" in out and "99.51%" in out and "9.95" in out
    assert "超额完成" in out and "255.00%" in out
    assert "失分" in out and "target-too-low" in out and "警告（2）" in out


def test_table_department_lists_projects(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", DEPARTMENT)
    assert code == 0
    assert "项目得分（按预算数加权平均）：99.96" in out
    for name in ("外包工作人员经费", "审批大厅日常运转经费", "一网通办工作经费",
                 "行政审批工作经费"):
        assert name in out
    assert "组织工作人员学习培训次数  未完成" in out  # the 失分 table


def test_losses_largest_first_top_ten(capsys: pytest.CaptureFixture[str],
                                      tmp_path: Path) -> None:
    rows = "".join(
        f"  - {{level1: 产出指标, level2: 数量指标, name: 指标{i:02d}, target: 100 次, "
        f"actual: {i * 5} 次, reason: 疫情影响}}\n" for i in range(1, 13))
    doc = tmp_path / "losses.yaml"
    doc.write_text("kind: project\nname: 失分测试\nbudget: {planned: 10, executed: 5}\n"
                   f"deviation: 疫情影响\nindicators:\n{rows}", encoding="utf-8")
    code, out, _ = run(capsys, "score", str(doc))
    assert code == 0
    section = out[out.index("【失分】"):out.index("【审核发现】")]
    lines = [line for line in section.splitlines()[4:] if line.strip()]
    # Each indicator has 90 / 12 = 7.5 points; the budget block loses 10 × 50% = 5.
    assert [line.split()[0] for line in lines[:10]] == [
        "指标01", "指标02", "指标03", "指标04", "指标05", "指标06", "预算执行率", "指标07",
        "指标08", "指标09"]
    assert lines[0].split()[-1] == "7.13"  # 7.5 × (1 − 5%), half-up
    assert lines[10] == "另有 3 项失分未列出"


def test_no_dust_losses(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", DEPARTMENT)
    assert code == 0
    section = out[out.index("【失分】"):out.index("【审核发现】")]
    assert "组织工作人员学习培训次数" in section
    assert "0.00" not in section


def test_statuses_read_in_chinese() -> None:
    assert formats.STATUS_WORDS["met"] == "完成"
    assert formats.STATUS_WORDS["unverifiable"] == "无法核验"
    assert formats.STATUS_WORDS["not_applicable"] == "不适用"


def test_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", OUTSOURCING, "--format", "markdown")
    assert code == 0
    assert out.startswith("# 外包工作人员经费\n")
    assert ("| 一级 | 二级 | 三级指标 | 年度指标值 | 实际完成值 | 状态 | 完成率 | 分值 | 得分 |\n"
            "| --- | --- | --- | --- | --- | --- | ---: | ---: | ---: |\n") in out
    assert ("| 产出 | 数量 | 外包服务人员聘用人数 | ≥ 230 人 | 232 人 | 完成 | 100.87% "
            "| 6.25 | 6.25 |") in out
    rows = [line for line in out.splitlines() if line.startswith("|")]
    assert all(line.endswith("|") for line in rows)


def test_markdown_escapes_pipes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    doc = tmp_path / "pipe.yaml"
    doc.write_text(
        "kind: project\nname: 甲|乙\nbudget: {planned: 10, executed: 10}\nindicators:\n"
        "  - {level1: 产出指标, level2: 数量指标, name: 'a|b 次数', target: 5 次, actual: 5 次}\n",
        encoding="utf-8")
    code, out, _ = run(capsys, "score", str(doc), "--format", "markdown")
    assert code == 0
    assert "a\\|b 次数" in out
    row = next(line for line in out.splitlines() if "次数" in line)
    assert row.replace("\\|", "").count("|") == 10  # nine cells


def test_markdown_escapes_html(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # Markdown renders raw HTML: a name from a document must stay text.
    doc = tmp_path / "html.yaml"
    doc.write_text(
        "kind: project\nname: '<b>R&D</b>'\nbudget: {planned: 10, executed: 10}\nindicators:\n"
        "  - {level1: 产出指标, level2: 数量指标, name: '<img src=x onerror=alert(1)>',\n"
        "     target: 20 次, actual: 10 次}\n"
        "  - {level1: 效益指标, level2: 社会效益, name: 'a|b <i>', target: '>= 5 次', actual: 6 次}\n",
        encoding="utf-8")
    code, out, _ = run(capsys, "score", str(doc), "--format", "markdown")
    assert code == 0
    assert "<" not in out and ">" not in out
    assert out.startswith("# &lt;b&gt;R&amp;D&lt;/b&gt;\n")
    assert "| &lt;img src=x onerror=alert(1)&gt; |" in out  # the indicator and the loss tables
    assert "- &lt;img src=x onerror=alert(1)&gt;：" in out  # the finding naming it
    assert "| a\\|b &lt;i&gt; | &gt;= 5 次 |" in out  # pipes still escaped


def test_renderers_share_content(capsys: pytest.CaptureFixture[str]) -> None:
    from perfeval.scoring import score

    report = score(OUTSOURCING)
    blocks = formats.report_blocks(report)
    text = formats.render_text(blocks)
    markdown = formats.render_markdown(blocks)
    for block in blocks:
        if isinstance(block, formats.Table):
            for row in block.rows:
                for cell in row:
                    assert cell in text and cell in markdown


# ---------------------------------------------------------------- errors

def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.yaml")
    code, out, err = run(capsys, "score", missing)
    assert code == 2
    assert out == ""
    assert err.startswith("perfeval: error: ") and missing in err
    assert "Traceback" not in err


def test_batch_with_one_bad_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text(BROKEN_YAML, encoding="utf-8")
    code, out, err = run(capsys, "score", str(bad), OUTSOURCING, "--format", "json")
    assert code == 2
    reports = json.loads(out)
    assert [r["name"] for r in reports] == ["外包工作人员经费"]
    assert str(bad) in err and "Traceback" not in err
    assert err.count("perfeval: error:") == 1


def test_batch_with_one_bad_file_table(capsys: pytest.CaptureFixture[str],
                                       tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text(BROKEN_YAML, encoding="utf-8")
    code, out, err = run(capsys, "score", OUTSOURCING, str(bad))
    assert code == 2
    assert "外包工作人员经费" in out
    assert str(bad) in err


def test_bad_file_names_file_and_line(capsys: pytest.CaptureFixture[str],
                                      tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text(BROKEN_YAML, encoding="utf-8")
    code, _, err = run(capsys, "score", str(bad))
    assert code == 2
    assert f"{bad}:" in err
    assert len(err.strip().splitlines()) >= 1 and "Traceback" not in err


def test_bad_target_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "parse", "≥ 2o万件")
    assert code == 2
    assert out == ""
    assert "perfeval: error: cannot read '≥ 2o万件'" in err
    assert "~^" in err


def test_bad_target_subprocess() -> None:
    proc = run_process("parse", "≥ 2o万件", PYTHONIOENCODING="utf-8")
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2
    assert "~^" in err
    assert "Traceback" not in err


def test_bad_actual_in_check(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", "≥ 20万件", "2o万件")
    assert code == 2
    assert "~^" in err


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "score")
    assert code == 2
    assert "usage:" in err
    code, _, err = run(capsys, "score", OUTSOURCING, "--format", "pdf")
    assert code == 2
    code, _, _ = run(capsys)
    assert code == 2


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", "--help")
    assert code == 0
    assert "twice" in out  # the department-and-projects caveat is documented


# ---------------------------------------------------------------- -o

def test_output_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    code, out, _ = run(capsys, "score", OUTSOURCING, "--format", "json", "-o", str(target))
    assert code == 0
    assert out == ""
    assert json.loads(target.read_text(encoding="utf-8"))["total"] == 99.95
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_output_file_replaces_existing(capsys: pytest.CaptureFixture[str],
                                       tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    target.write_text("old", encoding="utf-8")
    code, _, _ = run(capsys, "score", OUTSOURCING, "--format", "markdown", "-o", str(target))
    assert code == 0
    assert target.read_text(encoding="utf-8").startswith("# 外包工作人员经费")
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]


def test_output_is_not_half_written_on_interrupt(capsys: pytest.CaptureFixture[str],
                                                 tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.json"
    target.write_text("old", encoding="utf-8")

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    code, _, err = run(capsys, "score", OUTSOURCING, "--format", "json", "-o", str(target))
    assert code == 130
    assert "interrupted" in err and "Traceback" not in err
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_output_into_missing_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "report.json"
    code, _, err = run(capsys, "score", OUTSOURCING, "-o", str(target))
    assert code == 2
    assert "cannot write" in err and str(target) in err


def test_nothing_written_when_every_file_fails(capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    code, _, _ = run(capsys, "score", str(tmp_path / "nope.yaml"), "-o", str(target))
    assert code == 2
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- parse / check

def test_parse_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "parse", "≥ 20万件", "--json")
    assert code == 0
    assert json.loads(out) == {"canonical": "≥200000件", "kind": "compare", "op": ">=",
                               "value": 200000, "unit": "件"}
    assert '"value": 200000,' in out  # an integer, not 200000.0 or "200000"


def test_parse_json_range_and_fraction(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "parse", "1.5万元", "--json")
    assert code == 0
    assert json.loads(out)["value"] == 15000
    code, out, _ = run(capsys, "parse", "97%～100%", "--json")
    data = json.loads(out)
    assert (data["kind"], data["low"], data["high"], data["unit"]) == ("range", 97, 100, "%")


def test_parse_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "parse", "不低于85%")
    assert code == 0
    assert out == "≥85%  (compare)\n"


def test_check_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "20 次", "12 次", "--name", "组织工作人员学习培训次数",
                       "--json")
    assert code == 0
    data = json.loads(out)
    assert data == {
        "status": "missed",
        "ratio": 0.6,
        "explanation": "组织工作人员学习培训次数：年度指标值 20次，实际完成值 12次，"
                       "完成率 60.00%，未完成。",
        "findings": [],
    }
    assert list(data) == ["status", "ratio", "explanation", "findings"]


def test_check_json_findings_and_null_ratio(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "≥90%", "≥ 95%", "--name", "满意度", "--json")
    data = json.loads(out)
    assert data["status"] == "met" and data["ratio"] == 1
    assert [f["rule"] for f in data["findings"]] == ["actual-is-bound"]
    code, out, _ = run(capsys, "check", "明显提高", "有所提高", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["status"] == "partial" and data["ratio"] is None


def test_check_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "20 次", "12 次", "--name", "组织工作人员学习培训次数")
    assert code == 0
    assert "完成率 60.00%" in out
    assert "未完成（missed）" in out


def test_check_rules_and_direction(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "5 次", "6 次", "--direction", "reverse", "--json")
    assert code == 0
    assert json.loads(out)["status"] == "missed"
    code, _, err = run(capsys, "check", "5 次", "6 次", "--rules", "no-such-pack")
    assert code == 2 and "no-such-pack" in err


# ---------------------------------------------------------------- audit

def test_audit_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "audit", DEPARTMENT, "--format", "json")
    assert code == 0
    entries = json.loads(out)
    assert [e["document"] for e in entries] == [
        "武汉市江汉区行政审批局", "外包工作人员经费", "审批大厅日常运转经费", "一网通办工作经费",
        "行政审批工作经费"]
    assert entries[0]["source"].endswith("department.yaml")
    assert entries[1]["source"].endswith("outsourcing.yaml")
    assert any(f["rule"] == "budget-sum-mismatch" for f in entries[0]["findings"])
    assert any(f["rule"] == "execution-rate-mismatch" for f in entries[3]["findings"])
    assert set(entries[0]["findings"][0]) == {"rule", "severity", "message", "document",
                                              "indicator"}


def test_audit_table_has_no_colour_off_a_tty(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "audit", DEPARTMENT)
    assert code == 0
    assert "\x1b[" not in out
    assert "错误（3）" in out and "[budget-sum-mismatch]" in out
    assert out.index("武汉市江汉区行政审批局") < out.index("外包工作人员经费")


def test_audit_colour_on_a_tty() -> None:
    from perfeval.scoring import score

    text = formats.render_text(formats.audit_blocks(score(DEPARTMENT)), color=True)
    assert "\x1b[31m错误" in text


def test_audit_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "audit", "nope.yaml", OUTSOURCING, "--format", "json")
    assert code == 2
    assert "nope.yaml" in err


# ---------------------------------------------------------------- rules

def test_rules_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules")
    assert code == 0
    names = [line.split()[0] for line in out.splitlines()]
    assert names == ["hubei-2020", "linear-reverse", "mof-2020"]
    assert "财预〔2020〕10号" in out


def test_rules_show(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "mof-2020")
    assert code == 0
    assert "name: mof-2020" in out and "budget_points: 10" in out and "- [90, 优]" in out
    code, out, _ = run(capsys, "rules", "hubei-2020", "--json")
    data = json.loads(out)
    assert data["budget_points"] == 20 and data["qualitative"] == {"partial": 0.65,
                                                                   "missed": 0.25}


def test_rules_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "rules", "no-such-pack")
    assert code == 2 and "no-such-pack" in err and "Traceback" not in err


# ---------------------------------------------------------------- processes

def test_python_dash_m() -> None:
    proc = run_process("score", OUTSOURCING, "--format", "json")
    assert proc.returncode == 0
    assert json.loads(proc.stdout.decode("utf-8"))["total"] == 99.95


@pytest.mark.parametrize("argv", [
    ["score", DEPARTMENT],
    ["score", DEPARTMENT, "--format", "markdown"],
    ["audit", DEPARTMENT],
    ["check", "20 次", "12 次", "--name", "组织工作人员学习培训次数"],
    ["rules"],
    ["score", "--help"],
])
def test_non_utf8_console(argv: list[str]) -> None:
    proc = run_process(*argv, PYTHONIOENCODING="ascii")
    assert proc.returncode == 0, proc.stderr
    assert b"Traceback" not in proc.stderr


def test_gbk_console() -> None:
    proc = run_process("score", DEPARTMENT, PYTHONIOENCODING="gbk")
    assert proc.returncode == 0, proc.stderr
    assert "武汉市江汉区行政审批局" in proc.stdout.decode("gbk")


def test_errors_on_non_utf8_console() -> None:
    proc = run_process("parse", "≥ 2o万件", PYTHONIOENCODING="ascii")
    assert proc.returncode == 2
    assert b"~^" in proc.stderr and b"Traceback" not in proc.stderr


def test_parse_does_not_import_pydantic() -> None:
    code = ("import sys; from perfeval.cli import main; main(['parse', '=100%']); "
            "sys.exit(1 if 'pydantic' in sys.modules or 'perfeval.scoring' in sys.modules else 0)")
    proc = subprocess.run([sys.executable, "-c", code], check=False, cwd=ROOT,
                          capture_output=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
