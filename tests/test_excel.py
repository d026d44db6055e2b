"""Excel forms: the three layouts read, errors naming the cell, hostile archives
refused, the form written back scored, and the seed's forms scoring as their YAML."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from perfeval import DocumentError, cli, load
from perfeval.documents import Department, Project
from perfeval.excel import MAX_UNCOMPRESSED, read, scored_workbook, write_scored
from perfeval.report import Report
from perfeval.scoring import score

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "jianghan-2024"

Rows = Sequence[Sequence[object]]
SEED = ROOT / "tests" / "data" / "jianghan-2024-final-accounts.txt"


class Formula(str):
    """A cell formula; any other text starting with ``=`` (``=100%``) is text."""


def build(path: Path, sheets: Mapping[str, Rows], *, merges: Mapping[str, Sequence[str]] = {},
          formats: Mapping[str, Mapping[str, str]] = {}, hidden: Sequence[str] = ()) -> Path:
    """A workbook with one sheet per entry, rows from A1; None is a blank cell."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    cell = ws.cell(row=r, column=c, value=value)
                    if isinstance(value, str) and value.startswith("=") and \
                            not isinstance(value, Formula):
                        cell.data_type = "s"  # as Excel stores a typed-in '=100%
        for ref, fmt in formats.get(title, {}).items():
            ws[ref].number_format = fmt
        for ref in merges.get(title, ()):
            ws.merge_cells(ref)
        if title in hidden:
            ws.sheet_state = "hidden"
    wb.save(path)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------- (a) the MOF form

MOF_ROWS: Rows = [
    ["项目支出绩效自评表"],
    ["（2023年度）"],
    [],
    ["项目名称", "老旧小区改造"],
    ["主管部门", "某区住建局", None, None, "项目实施单位", None, "某区城建中心"],
    ["项目资金（万元）", None, "年初预算数", "全年预算数（A）", "全年执行数（B）", "分值",
     "执行率（B/A）", "得分"],
    [None, "年度资金总额", 1200, 1250, 1000, 10, 0.8, 8],
    [None, "其中：当年财政拨款", 1200, 1250, 1000],
    [None, "上年结转资金", 0, 0, 0],
    ["年度总体目标", "预期目标", None, None, "实际完成情况"],
    [None, "完成改造小区 10 个", None, None, "完成 8 个"],
    ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
     "偏差原因分析及改进措施"],
    [None, "产出指标", "数量指标", "改造小区数量", "10 个", "8 个", 30, 24, "两个小区居民意见未统一"],
    [None, None, None, "改造面积", "≥ 5 万平方米", "4.2 万平方米", 20, 16.8, "同上"],
    [None, None, "质量指标", "验收合格率", "100%", 1, 10, 10],
    [],
    [None, "效益指标", "社会效益指标", "居民居住条件", "明显改善", "明显改善", 15, 15],
    [None, "满意度指标", "服务对象满意度指标", "居民满意度", "≥90%", 0.93, 15, 15],
    ["总分", None, None, None, None, None, 100, 88.8, "自评等级：良"],
    [],
    ["注：1. 预算执行情况口径：预算数为调整后财政资金总额。"],
]
MOF_MERGES = ["A1:I1", "A2:I2", "B4:I4", "A6:A9", "A12:A18", "B13:B15", "C13:C14", "A19:F19"]
MOF_FORMATS = {"G7": "0.00%", "F15": "0%", "F18": "0.00%"}


def mof(tmp_path: Path, rows: Rows = MOF_ROWS, name: str = "mof.xlsx") -> Path:
    return build(tmp_path / name, {"填表说明": [["请按财预〔2020〕10号填写"]],
                                    "项目自评表": rows},
                 merges={"项目自评表": MOF_MERGES}, formats={"项目自评表": MOF_FORMATS})


def test_mof_layout(tmp_path: Path) -> None:
    doc = load(mof(tmp_path))
    assert isinstance(doc, Project)
    assert (doc.name, doc.department, doc.unit, doc.year) == (
        "老旧小区改造", "某区住建局", "某区城建中心", 2023)
    b = doc.budget
    assert b is not None
    # 全年预算数（A）, not 年初预算数; the percent cell reads as printed.
    assert (b.planned, b.executed, b.stated_rate, b.weight, b.score) == (
        Decimal(1250), Decimal(1000), Decimal(80), Decimal(10), Decimal(8))
    rows = [(i.level1, i.level2, i.name, i.target, i.actual, i.weight, i.score, i.reason)
            for i in doc.indicators]
    assert rows == [
        ("产出指标", "数量指标", "改造小区数量", "10 个", "8 个", 30, 24, "两个小区居民意见未统一"),
        ("产出指标", "数量指标", "改造面积", "≥ 5 万平方米", "4.2 万平方米", 20, Decimal("16.8"),
         "同上"),
        ("产出指标", "质量指标", "验收合格率", "100%", "100%", 10, 10, None),
        ("效益指标", "社会效益指标", "居民居住条件", "明显改善", "明显改善", 15, 15, None),
        ("满意度指标", "服务对象满意度指标", "居民满意度", "≥90%", "93%", 15, 15, None),
    ]
    assert doc.goals == ()


def test_mof_layout_scores(tmp_path: Path) -> None:
    report = score(mof(tmp_path))
    # 8 + 30×0.8 + 20×0.84 + 10 + 15 + 15 = 88.8, as the form claims.
    assert report.total == Decimal("88.80") and report.grade == "良"
    assert not [f for f in report.findings if f.rule == "score-claim-mismatch"]


# ---------------------------------------------------------------- (b) Hubei's 部门整体 form

HUBEI_ROWS: Rows = [
    ["2023 年度部门（单位）整体绩效自评表"],
    [],
    ["单位名称", None, "某区行政审批局"],
    ["基本支出总额", None, "1025.34 万元", None, "项目支出总额", "2800.41 万元"],
    ["预算执行情况 (万元)", None, None, "预算数 (A)", "执行数 (B)", "执行率 (B/A)"],
    [None, None, "部门整体支出总额", 3825.75, 3800, "99.33%"],
    ["年度目标 1:", None, "窗口个数达 111 个，群众满意度达 90% 以上。"],
    ["年度绩效指标", "一级指标", "二级指标", "三级指标", "年初目标 (A)", "实际完成值 (B)"],
    [None, "产出指标", "数量指标", "对外受理审批服务窗口个数", "111 个", "111 个"],
    [None, None, "质量指标", "设备故障率", "≤ 2%", "1.2%"],
    [],
    [None, "满意度指标", "服务对象满意度指标", "群众办事满意度", "≥ 90%", "99.83%"],
    ["年度目标 2:", None, "组织 20 次培训，提升政务服务水平。"],
    # The seed's second goal has no header row: its label shares the first data row.
    ["年度绩效指标", "产出指标", "数量指标", "组织工作人员学习培训次数", "20 次", "12 次"],
    [None, "效益指标", "社会效益指标", "提高政务服务水平", "明显提高", "明显提高"],
    ["偏差大或目标未完成原因分析", None, "培训场地改造，部分培训取消"],
    ["改进措施及结果应用方案", None, "明年补齐培训"],
    [],
    ["备注："],
    ["1. 预算执行情况口径：预算数为调整后财政资金总额（包括上年结余结转）。"],
]
HUBEI_MERGES = ["A1:F1", "C3:F3", "A5:C5", "C7:F7", "C13:F13", "B9:B10", "C16:F16", "C17:F17"]


def hubei(tmp_path: Path, rows: Rows = HUBEI_ROWS, extra: Mapping[str, Rows] = {}) -> Path:
    return build(tmp_path / "hubei.xlsx", {"整体自评": rows, **extra},
                 merges={"整体自评": HUBEI_MERGES})


def test_hubei_department_layout(tmp_path: Path) -> None:
    doc = load(hubei(tmp_path))
    assert isinstance(doc, Department)
    assert (doc.name, doc.year) == ("某区行政审批局", 2023)
    assert doc.spending is not None
    assert (doc.spending.basic, doc.spending.project) == (Decimal("1025.34"), Decimal("2800.41"))
    assert doc.budget is not None
    assert (doc.budget.planned, doc.budget.executed, doc.budget.stated_rate) == (
        Decimal("3825.75"), Decimal(3800), Decimal("99.33"))
    assert [g.name for g in doc.goals] == ["年度目标 1", "年度目标 2"]
    assert doc.goals[0].description == "窗口个数达 111 个，群众满意度达 90% 以上。"
    assert [(i.level1, i.level2, i.name, i.target, i.actual) for i in doc.goals[0].indicators] == [
        ("产出指标", "数量指标", "对外受理审批服务窗口个数", "111 个", "111 个"),
        ("产出指标", "质量指标", "设备故障率", "≤ 2%", "1.2%"),
        ("满意度指标", "服务对象满意度指标", "群众办事满意度", "≥ 90%", "99.83%"),
    ]
    assert [i.name for i in doc.goals[1].indicators] == ["组织工作人员学习培训次数", "提高政务服务水平"]
    assert doc.deviation == "培训场地改造，部分培训取消"
    assert doc.improvement == "明年补齐培训"
    assert doc.indicators == () and doc.projects == ()


def test_the_seeds_own_department_table(tmp_path: Path) -> None:
    """The seed's 部门整体 table, cell for cell as the disclosure prints it
    (tab-separated cells, its first goal with a header row and its second
    without), reads as the hand transcription in department.yaml."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    start = lines.index("2024 年度部门（单位）整体绩效自评表")
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("## 二、"))
    rows = [[cell if cell.strip() else None for cell in line.split("\t")]
            for line in lines[start:end]]
    form = load(build(tmp_path / "seed.xlsx", {"Sheet1": rows}))
    yaml = load(EXAMPLES / "department.yaml")
    assert isinstance(form, Department) and isinstance(yaml, Department)
    for key in ("name", "year", "spending", "budget", "goals", "deviation", "improvement"):
        assert getattr(form, key) == getattr(yaml, key), key


def test_label_and_value_in_one_cell(tmp_path: Path) -> None:
    rows = [["项目名称：老旧小区改造", None, "主管部门：某区住建局"],
            ["年度目标1：完成改造小区 10 个"],
            ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值"],
            ["产出指标", "数量指标", "改造小区数量", "10 个", "8 个"]]
    doc = load(build(tmp_path / "inline.xlsx", {"表": rows}))
    assert (doc.name, doc.department) == ("老旧小区改造", "某区住建局")
    assert [(g.name, g.description) for g in doc.goals] == [("年度目标1", "完成改造小区 10 个")]
    assert [i.name for i in doc.goals[0].indicators] == ["改造小区数量"]


def test_department_workbook_with_project_sheets(tmp_path: Path) -> None:
    doc = load(hubei(tmp_path, extra={"老旧小区改造": MOF_ROWS}))
    assert isinstance(doc, Department)
    assert [p.name for p in doc.projects] == ["老旧小区改造"]
    report = score(doc)
    assert [p.name for p in report.projects] == ["老旧小区改造"]


# ---------------------------------------------------------------- (c) the split-cell export

SPLIT_HEADER = ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "完成值", "权重",
                "得分", "未完成原因分析"]
SPLIT_ROWS: Rows = [
    ["2023年度项目支出绩效自评表"],
    ["项目名称", "智慧政务平台运维"],
    ["主管部门", "某区数据局", "项目实施单位", "某区数据中心"],
    ["预算执行情况（元）", None, "预算数", "执行数", "执行率"],
    [None, "年度资金总额", 2824100, 2813500, 0.9962],
    SPLIT_HEADER,
    ["产出指标", "数量指标", "设备维护数", "≥", 60, "台", 70, 20],
    [None, None, "维护次数", ">=", 12, "次", 12, 10],
    [None, "质量指标", "设备故障率", "≤", 2, "%", 1.5, 10],
    [None, None, "数据准确率", "≥", 0.95, "%", 0.98, 10],
    [None, None, "系统可用率", "≥", 0.99, "%", 0.995, 10],
    [None, "时效指标", "故障响应时间", "≤", 2, "小时", 1.5, 10],
    [None, None, "平台上线时间", None, datetime(2023, 6, 30), None, datetime(2023, 6, 20), 5],
    ["效益指标", "社会效益指标", "服务效能", "定性", "明显提升", None, "明显提升", 10],
    [None, None, "差错率", "≤", 0.5, "%", 0.3, 5],
    ["满意度指标", "服务对象满意度指标", "用户满意度", "≥", 90, "%", 93, 10, None, None],
]


def split(tmp_path: Path, rows: Rows = SPLIT_ROWS) -> Path:
    return build(tmp_path / "split.xlsx", {"绩效自评": rows},
                 formats={"绩效自评": {"E11": "0%", "G11": "0.0%"}})


def test_split_layout(tmp_path: Path) -> None:
    doc = load(split(tmp_path))
    assert isinstance(doc, Project)
    assert (doc.name, doc.department, doc.unit, doc.year) == (
        "智慧政务平台运维", "某区数据局", "某区数据中心", 2023)
    assert doc.budget is not None
    # Amounts in 元 (the block says so); a plain 0.9962 执行率 agrees with B/A as a fraction.
    assert (doc.budget.planned, doc.budget.executed, doc.budget.stated_rate) == (
        Decimal("282.41"), Decimal("281.35"), Decimal("99.62"))
    assert [(i.name, i.target, i.actual, i.weight) for i in doc.indicators] == [
        ("设备维护数", "≥60台", "70台", 20),
        ("维护次数", ">=12次", "12次", 10),
        ("设备故障率", "≤2%", "1.5%", 10),
        ("数据准确率", "≥95%", "98%", 10),
        ("系统可用率", "≥99%", "99.5%", 10),
        ("故障响应时间", "≤2小时", "1.5小时", 10),
        ("平台上线时间", "2023年6月30日", "2023年6月20日", 5),
        ("服务效能", "明显提升", "明显提升", 10),
        ("差错率", "≤0.5%", "0.3%", 5),
        ("用户满意度", "≥90%", "93%", 10),
    ]
    report = score(doc)
    assert {r.status for r in report.indicators} <= {"met", "exceeded"}


# (指标性质, 指标值, its number format, 度量单位, 完成值) → (target, actual).  A plain
# number is read as displayed, in percent points; a percent-formatted cell as a
# fraction; a floor below 1% (or "= 1") under % is a fraction written plainly.
PERCENT_CASES = [
    ("≥", 95, None, "%", 98, "≥95%", "98%"),
    ("≥", 0.95, None, "%", 0.98, "≥95%", "98%"),
    ("≥", 0.95, None, "%", 97.5, "≥95%", "97.5%"),
    ("≥", 0.95, "0%", "%", 0.98, "≥95%", "0.98%"),
    ("≥", 0.95, "0%", None, "98%", "≥95%", "98%"),
    ("=", 1, None, "%", 1, "=100%", "100%"),
    ("=", 100, None, "%", 100, "=100%", "100%"),
    ("≤", 0.5, None, "%", 0.3, "≤0.5%", "0.3%"),
    ("≤", 2, None, "％", 1, "≤2%", "1%"),
    ("≥", 1, None, "%", 3, "≥1%", "3%"),
    (None, 0.9, None, "%", 0.95, "90%", "95%"),
    ("反向", 5, None, "%", 3, "5%", "3%"),
    ("大于等于", 85, None, "百分比", 90, "大于等于85%", "90%"),
    ("≥", "95%", None, "%", "98%", "≥95%", "98%"),
    ("≥", 20, None, "万件", "51 万余件", "≥20万件", "51 万余件"),
    ("定性", "明显提高", None, None, "有所提高", "明显提高", "有所提高"),
    ("≥", "明显提高", None, None, "明显提高", "明显提高", "明显提高"),
]


@pytest.mark.parametrize(("op", "value", "fmt", "unit", "done", "target", "actual"),
                         PERCENT_CASES)
def test_split_cells_combine(tmp_path: Path, op: object, value: object, fmt: str | None,
                             unit: object, done: object, target: str, actual: str) -> None:
    rows = [["项目名称", "测试"], SPLIT_HEADER,
            ["产出指标", "质量指标", "覆盖率", op, value, unit, done, 100]]
    formats = {"E3": fmt} if fmt else {}
    path = build(tmp_path / "one.xlsx", {"表": rows}, formats={"表": formats})
    (ind,) = load(path).indicators
    assert (ind.target, ind.actual) == (target, actual)


def test_direction_word_in_split_layout(tmp_path: Path) -> None:
    rows = [["项目名称", "测试"], SPLIT_HEADER,
            ["产出指标", "质量指标", "投诉件数", "反向指标", 5, "件", 3, 100]]
    (ind,) = load(build(tmp_path / "d.xlsx", {"表": rows})).indicators
    assert (ind.target, ind.direction) == ("5件", "reverse")


# ---------------------------------------------------------------- cells

@pytest.mark.parametrize(("value", "fmt", "text"), [
    (0.1 + 0.2, None, "0.3"),          # binary noise past Excel's 15 digits
    (1923.78, None, "1923.78"),
    (3434.9, "#,##0.00", "3434.9"),
    (12, None, "12"),
    (1e-12, None, "0"),
    (0.9951, "0.00%", "99.51%"),
    (1, "0%", "100%"),
    (0.5, '0.0"%"', "0.5"),            # a literal % sign does not scale
    (True, None, "是"),
    (datetime(2024, 12, 31), "yyyy-mm-dd", "2024年12月31日"),
    ("=100%", None, "=100%"),          # text, never a formula
    ("  97%-100%  ", None, "  97%-100%  "),
])
def test_cell_text(tmp_path: Path, value: object, fmt: str | None, text: str) -> None:
    rows = [["项目名称", "测试"],
            ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值"],
            ["产出指标", "数量指标", "指标", "x", None]]
    path = build(tmp_path / "c.xlsx", {"表": rows}, formats={"表": {"E3": fmt} if fmt else {}})
    wb = openpyxl.load_workbook(path)
    cell = wb["表"]["E3"]
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    wb.save(path)
    (ind,) = load(path).indicators
    assert ind.actual == text


def test_formula_reads_its_cached_value_or_nothing(tmp_path: Path) -> None:
    rows = [list(r) for r in MOF_ROWS]
    rows[6] = [None, "年度资金总额", 1200, 1250, 1000, 10, Formula("=E7/D7"), 8]
    doc = load(mof(tmp_path, rows))
    # openpyxl saves no computed value, as an unrecalculated export: no 执行率.
    assert doc.budget is not None and doc.budget.stated_rate is None


# ---------------------------------------------------------------- what is skipped

def test_hidden_sheet_and_empty_sheets_are_skipped(tmp_path: Path) -> None:
    path = build(tmp_path / "h.xlsx", {"说明": [["本表由财务科填报"]], "空表": [],
                                       "项目自评表": MOF_ROWS, "旧版": MOF_ROWS},
                 hidden=["旧版"])
    assert load(path).name == "老旧小区改造"


def test_scored_workbook_reads_back_past_its_findings_sheet(tmp_path: Path) -> None:
    path = mof(tmp_path)
    out = tmp_path / "scored.xlsx"
    out.write_bytes(write_scored(path, score(path)))
    assert "审核发现" in openpyxl.load_workbook(out).sheetnames
    assert load(out).name == "老旧小区改造"


# ---------------------------------------------------------------- errors name the cell

def error_of(path: Path) -> DocumentError:
    with pytest.raises(DocumentError) as info:
        load(path)
    return info.value


def with_cell(rows: Rows, ref: str, value: object) -> list[list[object]]:
    out = [list(r) for r in rows]
    col = ord(ref[0]) - ord("A")
    row = int(ref[1:]) - 1
    while len(out[row]) <= col:
        out[row].append(None)
    out[row][col] = value
    return out


@pytest.mark.parametrize(("ref", "value", "message"), [
    ("D7", "一千二百五十万", "cannot read '一千二百五十万' as an amount"),
    ("G13", "三十", "cannot read '三十' as a number of points"),
    ("D14", None, "the indicator has no name (三级指标)"),
    ("F14", "#DIV/0!", "the cell holds the Excel error #DIV/0!"),
])
def test_errors_name_sheet_and_cell(tmp_path: Path, ref: str, value: object,
                                    message: str) -> None:
    err = error_of(mof(tmp_path, with_cell(MOF_ROWS, ref, value)))
    text = str(err)
    assert text.startswith(f"{tmp_path / 'mof.xlsx'}: sheet 项目自评表, cell {ref}: "), text
    assert message in text


def test_unknown_rule_pack_names_its_cell(tmp_path: Path) -> None:
    """A pack is looked up only when the table is scored, and the error still
    points at the cell the form names it in."""
    rows = with_cell(with_cell(MOF_ROWS, "A3", "评分规则"), "B3", "mof-2099")
    with pytest.raises(DocumentError) as info:
        score(mof(tmp_path, rows))
    assert str(info.value).startswith(
        f"{tmp_path / 'mof.xlsx'}: sheet 项目自评表, cell B3: unknown rule pack 'mof-2099'")


def test_numeric_name_is_text(tmp_path: Path) -> None:
    assert load(mof(tmp_path, with_cell(MOF_ROWS, "B4", 2024))).name == "2024"


def test_duplicate_label_names_the_second_cell(tmp_path: Path) -> None:
    rows = [*MOF_ROWS[:4], ["项目名称", "另一个名字"], *MOF_ROWS[4:]]
    err = error_of(mof(tmp_path, rows))
    assert "sheet 项目自评表, cell B5" in str(err) and "same field" in str(err)


def test_table_without_actual_column(tmp_path: Path) -> None:
    rows = [["项目名称", "测试"], ["一级指标", "二级指标", "三级指标", "年度指标值", "备注"],
            ["产出指标", "数量指标", "指标", "10 个"]]
    err = error_of(build(tmp_path / "n.xlsx", {"自评表": rows}))
    assert str(err).endswith("sheet 自评表, cell C2: the indicator table has no 实际完成值 column")


def test_two_target_columns(tmp_path: Path) -> None:
    rows = [["项目名称", "测试"],
            ["一级指标", "二级指标", "三级指标", "年度指标值", "指标值", "实际完成值"]]
    err = error_of(build(tmp_path / "t.xlsx", {"自评表": rows}))
    assert "sheet 自评表, cell E2" in str(err) and "two columns" in str(err)


def test_workbook_without_a_form(tmp_path: Path) -> None:
    err = error_of(build(tmp_path / "x.xlsx", {"封面": [["2023 年度绩效自评"]], "说明": []}))
    assert "no sheet holds a self-evaluation table" in err.message
    assert "封面、说明" in err.message


def test_several_project_sheets(tmp_path: Path) -> None:
    err = error_of(build(tmp_path / "p.xlsx", {"项目一": MOF_ROWS, "项目二": MOF_ROWS}))
    assert "2 project tables (sheets 项目一、项目二)" in err.message


def test_cli_names_the_cell(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = mof(tmp_path, with_cell(MOF_ROWS, "D7", "abc"))
    code, out, err = run(capsys, "score", str(path))
    assert code == 2 and out == ""
    assert "sheet 项目自评表, cell D7" in err and "Traceback" not in err


# ---------------------------------------------------------------- hostile files

def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "form.xlsx"
    path.write_text("项目名称,测试\n", encoding="utf-8")
    assert "not a zip archive" in error_of(path).message


def test_old_xls_or_encrypted(tmp_path: Path) -> None:
    path = tmp_path / "form.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    assert ".xls" in error_of(path).message


def test_broken_zip(tmp_path: Path) -> None:
    path = tmp_path / "form.xlsx"
    path.write_bytes(mof(tmp_path).read_bytes()[:600])
    assert "not an .xlsx workbook" in error_of(path).message


def test_zip_bomb_is_refused_before_inflating(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (MAX_UNCOMPRESSED + 1))
    assert path.stat().st_size < 1_000_000

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("openpyxl was asked to open a zip bomb")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    err = error_of(path)
    assert "zip bomb" in err.message and err.path == str(path)


def test_too_many_parts(tmp_path: Path) -> None:
    path = tmp_path / "parts.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        for i in range(2001):
            z.writestr(f"xl/part{i}.xml", "")
    assert "parts" in error_of(path).message


def test_garbage_parts(tmp_path: Path) -> None:
    path = tmp_path / "garbage.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "not xml at all")
    assert "cannot open the workbook" in error_of(path).message


def test_xml_entities_are_refused(tmp_path: Path) -> None:
    source = mof(tmp_path)
    path = tmp_path / "entities.xlsx"
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>')
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet2.xml":  # the form's sheet
                data = laughs + data.replace(b"<t>", b"<t>&lol2;", 1)
            dst.writestr(info, data)
    assert "Entities" in error_of(path).message  # defusedxml refuses the DTD


@pytest.mark.parametrize("name", ["department.yaml", "approval-work.xlsx"])
def test_scoring_a_document_does_not_import_openpyxl(name: str) -> None:
    """openpyxl only writes scored copies: reading a form needs it no more
    than reading YAML does."""
    code = ("import sys\n"
            "from perfeval.scoring import score\n"
            f"score({str(EXAMPLES / name)!r})\n"
            "assert 'openpyxl' not in sys.modules, 'openpyxl imported'\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode()


def test_a_far_cell_costs_nothing(tmp_path: Path) -> None:
    path = mof(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb["项目自评表"]["XFD1048576"] = "far away"
    wb.save(path)
    assert len(load(path).indicators) == 5


def test_a_table_past_the_row_limit_is_refused(tmp_path: Path) -> None:
    rows: list[list[object]] = [["项目名称", "大表"],
                                ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值"]]
    rows += [["产出指标", "数量指标", f"指标{i}", "≥ 10 次", "12 次"] for i in range(2005)]
    err = error_of(build(tmp_path / "big.xlsx", {"大表": rows}))
    assert "sheet 大表, cell A2001" in str(err) and "past row 2000" in err.message


# ---------------------------------------------------------------- writing back

def rescore(data: bytes, tmp_path: Path, name: str = "again.xlsx") -> tuple[Path, Report]:
    path = tmp_path / name
    path.write_bytes(data)
    return path, score(path)


def findings(report: Report) -> list[dict[str, str | None]]:
    out = [f.to_dict() for f in report.findings]
    for p in report.projects:
        out += findings(p)
    return out


LAYOUTS: dict[str, Callable[[Path], Path]] = {"mof": mof, "hubei": hubei, "split": split}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_write_back_round_trip(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                               layout: str) -> None:
    source = LAYOUTS[layout](tmp_path)
    first = score(source)
    out = tmp_path / "scored.xlsx"
    code, stdout, err = run(capsys, "score", str(source), "--format", "xlsx", "-o", str(out))
    assert code == 0 and stdout == "", err
    again = score(out)
    assert again.total == first.total and again.grade == first.grade
    # What the form said of its own 分值 and 得分 was replaced by the scores;
    # every other finding stays.
    replaced = {"weights-incomplete", "weights-sum", "score-claim-mismatch"}
    assert findings(again) == [f for f in findings(first) if f["rule"] not in replaced]
    # Once scored, scoring the workbook again rewrites it to the same bytes.
    twice = tmp_path / "twice.xlsx"
    twice.write_bytes(write_scored(out, again))
    assert write_scored(twice, score(twice)) == twice.read_bytes()


def test_write_back_fills_the_mof_form(tmp_path: Path) -> None:
    source = mof(tmp_path, with_cell(with_cell(MOF_ROWS, "G13", None), "H13", None))
    report = score(source)
    wb = openpyxl.load_workbook(io.BytesIO(write_scored(source, report)))
    ws = wb["项目自评表"]
    assert ws["F7"].value == 10 and ws["H7"].value == pytest.approx(8)  # budget 分值 / 得分
    # Row 13 lost its 分值, so the default allocation gave every row its weight.
    weights = [ws.cell(row=r, column=7).value for r in (13, 14, 15, 17, 18)]
    assert sum(weights) + 10 == pytest.approx(100)
    assert weights[0] == pytest.approx(float(report.indicators[0].weight))
    assert ws["G19"].value == pytest.approx(100)  # the 总分 row
    assert ws["H19"].value == pytest.approx(float(report.exact_total))
    assert ws["G13"].number_format == "0.00"
    assert ws["J12"].value == "审核发现"
    # Findings beside their rows: table-level ones by the budget row.
    assert "low-execution" in {f.rule for f in report.findings}
    assert "预算执行率 80.00%" in ws["J7"].value and "默认分配权重" in ws["J7"].value
    assert ws["J13"].value is None and "改造面积：填报得分 16.8 分" in ws["J14"].value
    sheet = wb["审核发现"]
    assert sheet["A2"].value == "老旧小区改造"
    rules = {sheet.cell(row=r, column=4).value for r in range(1, sheet.max_row + 1)}
    assert {f.rule for f in report.findings} <= rules
    # The rest of the workbook is untouched.
    assert wb["填表说明"]["A1"].value == "请按财预〔2020〕10号填写"
    assert "A12:A18" in {str(r) for r in ws.merged_cells.ranges}


def test_write_back_adds_columns_to_the_hubei_form(tmp_path: Path) -> None:
    source = hubei(tmp_path)
    report = score(source)
    ws = openpyxl.load_workbook(io.BytesIO(write_scored(source, report)))["整体自评"]
    assert [ws.cell(row=8, column=c).value for c in (7, 8, 9)] == ["分值", "得分", "审核发现"]
    assert [ws.cell(row=5, column=c).value for c in (7, 8)] == ["分值", "得分"]
    assert ws["G6"].value == 10  # the budget block
    assert ws["G9"].value == pytest.approx(float(report.indicators[0].weight))
    # 组织工作人员学习培训次数 missed with a reason: its row carries no finding,
    # 群众办事满意度 exceeded nothing; the table-level ones sit by the budget row.
    assert "budget-sum-mismatch" in {f.rule for f in report.findings}
    assert "部门整体" in ws["I6"].value
    bottom = [[c.value for c in row] for row in ws.iter_rows(min_row=ws.max_row,
                                                              max_row=ws.max_row)]
    assert bottom[0][:4] == ["总分", pytest.approx(float(report.exact_total)), "自评等级",
                             report.grade]


def test_findings_beside_their_rows(tmp_path: Path) -> None:
    rows = with_cell(HUBEI_ROWS, "F10", "≤ 2%")  # actual-is-bound on 设备故障率 (row 10)
    source = hubei(tmp_path, rows)
    report = score(source)
    ws = openpyxl.load_workbook(io.BytesIO(write_scored(source, report)))["整体自评"]
    assert "actual-is-bound" in {f.rule for f in report.findings}
    assert "设备故障率" in (ws["I10"].value or "")
    assert ws["I9"].value is None


def test_formulas_survive_write_back(tmp_path: Path) -> None:
    rows = with_cell(MOF_ROWS, "G7", Formula("=E7/D7"))
    source = mof(tmp_path, rows)
    ws = openpyxl.load_workbook(io.BytesIO(write_scored(source, score(source))))["项目自评表"]
    assert ws["G7"].value == "=E7/D7"


def test_yaml_becomes_a_clean_form(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "scored.xlsx"
    yaml = EXAMPLES / "department.yaml"
    code, _, err = run(capsys, "score", str(yaml), "--format", "xlsx", "-o", str(out))
    assert code == 0, err
    report, again = score(yaml), score(out)
    assert again.total == report.total
    assert [p.total for p in again.projects] == [p.total for p in report.projects]
    assert findings(again) == findings(report)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["部门整体绩效自评表", "外包工作人员经费", "审批大厅日常运转经费",
                             "一网通办工作经费", "行政审批工作经费", "审核发现"]


def _department(name: str, project_name: str) -> dict[str, object]:
    row = {"level1": "产出指标", "level2": "数量指标", "name": name, "target": "≥20次",
           "actual": "10次"}
    return {"kind": "department", "name": name, "year": 2024,
            "budget": {"planned": "10", "executed": "10"}, "indicators": [row],
            "projects": [{"kind": "project", "name": project_name,
                          "budget": {"planned": "1", "executed": "1"}, "indicators": [row]}]}


def test_text_that_looks_like_a_formula_stays_text_on_every_sheet(tmp_path: Path) -> None:
    # SPEC §8: no input makes the engine (or the workbook it writes) run code.
    doc = _department('=HYPERLINK("http://example.com","x")', "=1+1")
    data = scored_workbook_of(tmp_path, doc)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    values = [(ws.title, c.coordinate, c.value) for ws in wb for row in ws.iter_rows()
              for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert any(title == "审核发现" for title, _, _ in values), values
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith("=") and \
                        c.value != "=E7/D7":  # the form's own 执行率 formula
                    assert c.data_type == "s", (ws.title, c.coordinate, c.value)


def test_control_characters_are_dropped_not_fatal(tmp_path: Path) -> None:
    data = scored_workbook_of(tmp_path, _department("部门\x01甲", "项目\x0b乙"))
    again = score(write(tmp_path / "again.xlsx", data))
    assert again.name == "部门甲" and again.projects[0].name == "项目乙"


def test_a_project_named_like_the_findings_sheet_keeps_its_sheet(tmp_path: Path) -> None:
    doc = _department("部门", "审核发现")
    report = score(doc)
    again = score(write(tmp_path / "again.xlsx", scored_workbook_of(tmp_path, doc)))
    assert [p.name for p in again.projects] == ["审核发现"]
    assert again.projects_score == report.projects_score


def scored_workbook_of(tmp_path: Path, doc: Mapping[str, object]) -> bytes:
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return scored_workbook(path, score(path))


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_xlsx_needs_an_output_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "score", str(EXAMPLES / "outsourcing.yaml"), "--format", "xlsx")
    assert code == 2 and out == ""
    assert "give -o FILE.xlsx" in err


def test_xlsx_takes_one_document(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "score", str(EXAMPLES), "--format", "xlsx", "-o",
                       str(tmp_path / "x.xlsx"))
    assert code == 2 and "one document" in err
    assert not (tmp_path / "x.xlsx").exists()


def test_scored_workbook_of_json(tmp_path: Path) -> None:
    doc = {"kind": "project", "name": "JSON 项目", "budget": {"planned": 10, "executed": 9},
           "indicators": [{"level1": "产出指标", "level2": "数量指标", "name": "次数",
                           "target": "≥ 12 次", "actual": "10 次", "reason": "疫情"}]}
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    _, again = rescore(scored_workbook(path, score(path)), tmp_path)
    assert again.total == score(path).total


# ---------------------------------------------------------------- the seed's forms

@pytest.mark.parametrize("name", ["approval-work", "department", "hall-operations",
                                  "one-network", "outsourcing"])
def test_example_form_scores_as_its_yaml(name: str) -> None:
    yaml, form = EXAMPLES / f"{name}.yaml", EXAMPLES / f"{name}.xlsx"
    assert score(form).to_dict() == score(yaml).to_dict()


def test_example_forms_are_fresh() -> None:
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import make_forms
    finally:
        sys.path.remove(str(ROOT / "examples"))
    stale = [p.name for p, data in make_forms.forms().items() if p.read_bytes() != data]
    assert not stale, "run python examples/make_forms.py"


def test_example_layouts() -> None:
    department = read(EXAMPLES / "department.xlsx")
    keys = [k for k, _, _ in department.items]
    assert keys[:4] == ["kind", "单位名称", "基本支出总额", "项目支出总额"]
    assert "goals" in keys and "projects" in keys
    project = openpyxl.load_workbook(EXAMPLES / "outsourcing.xlsx").active
    assert project is not None
    assert [c.value for c in project[7]][1:9] == [
        "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
        "偏差原因分析及改进措施"]
