"""The audit of SPEC §6: one document that triggers each rule, a near twin that
does not, and the seed department's exact findings."""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from perfeval.audit import gives_reason, narrative_figures
from perfeval.findings import Finding
from perfeval.report import Report
from perfeval.scoring import score

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "jianghan-2024"

# SPEC §6, copied by hand: the severity of every rule.
SEVERITY = {
    "execution-rate-mismatch": "error", "execution-over-100": "warning",
    "low-execution": "warning", "missing-deviation-reason": "error",
    "target-too-low": "warning", "unit-mismatch": "error", "unit-missing": "info",
    "actual-is-bound": "warning", "unverifiable-actual": "error", "weights-sum": "error",
    "weights-incomplete": "warning", "score-claim-mismatch": "error",
    "budget-missing": "warning", "budget-sum-mismatch": "error",
    "project-sum-mismatch": "warning", "cross-table-mismatch": "warning",
    "duplicate-indicator": "warning", "narrative-mismatch": "warning",
    "unknown-level": "warning",
}

NAME = "测试项目"


def row(level1: str, name: str, target: str, actual: str, **extra: Any) -> dict[str, Any]:
    return {"level1": level1, "level2": "", "name": name, "target": target, "actual": actual,
            **extra}


def base() -> dict[str, Any]:
    """A clean table: nothing to flag."""
    return {
        "kind": "project", "name": NAME, "year": 2024,
        "budget": {"planned": "100 万元", "executed": "100 万元", "stated_rate": "100.00%"},
        "indicators": [
            row("产出指标", "办件数量", "≥10件", "10件"),
            row("效益指标", "服务效率", "提升", "提升"),
            row("满意度指标", "群众满意度", "≥90%", "95%"),
        ],
        "deviation": "无",
        "improvement": "无",
    }


Edit = Callable[[dict[str, Any]], None]


def edit_row(i: int, **changes: Any) -> Edit:
    def apply(doc: dict[str, Any]) -> None:
        doc["indicators"][i].update(changes)
    return apply


def edit_budget(**changes: Any) -> Edit:
    def apply(doc: dict[str, Any]) -> None:
        doc["budget"].update(changes)
    return apply


def edit(**changes: Any) -> Edit:
    def apply(doc: dict[str, Any]) -> None:
        doc.update(changes)
    return apply


def both(*edits: Edit) -> Edit:
    def apply(doc: dict[str, Any]) -> None:
        for e in edits:
            e(doc)
    return apply


def drop_budget(doc: dict[str, Any]) -> None:
    del doc["budget"]


def weigh(*ws: str | None, budget: str | None = None) -> Edit:
    def apply(doc: dict[str, Any]) -> None:
        for r, w in zip(doc["indicators"], ws):
            if w is not None:
                r["weight"] = w
        if budget is not None:
            doc["budget"]["weight"] = budget
    return apply


def department(project_rows: list[dict[str, Any]], dept_rows: list[dict[str, Any]],
               *, executed: str = "100", project_spending: str = "100",
               second: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    projects = [{"kind": "project", "name": "项目甲", "year": 2024,
                 "budget": {"planned": "100", "executed": executed},
                 "indicators": project_rows, "deviation": "无"}]
    if second is not None:
        projects.append({"kind": "project", "name": "项目乙", "year": 2024,
                         "budget": {"planned": "0.01", "executed": "0"},
                         "indicators": second, "deviation": "无"})
    return {"kind": "department", "name": "测试部门", "year": 2024,
            "budget": {"planned": "150", "executed": "150"},
            "spending": {"basic": "50", "project": project_spending},
            "indicators": dept_rows, "deviation": "无", "projects": projects}


def findings(report: Report) -> list[Finding]:
    return list(report.findings)


# (rule, document, indicator, edit that triggers, near twin that does not,
#  texts the message must carry)
CASES: list[tuple[str, str, str | None, Edit, Edit, tuple[str, ...]]] = [
    # 281.35 / 282.41 = 99.6247% vs the stated 99.42%: 0.20 point apart.
    ("execution-rate-mismatch", NAME, None,
     edit_budget(planned="282.41", executed="281.35", stated_rate="99.42%"),
     edit_budget(planned="282.41", executed="281.35", stated_rate="99.62%"),
     ("99.42%", "99.62%", "281.35", "282.41")),
    # 0.01 point is tolerated: 99.5119% stated as 99.51% (the seed's outsourcing).
    ("execution-rate-mismatch", NAME, None,
     edit_budget(planned="1923.78", executed="1914.39", stated_rate="99.49%"),
     edit_budget(planned="1923.78", executed="1914.39", stated_rate="99.51%"),
     ("99.49%", "99.51%")),
    ("execution-over-100", NAME, None,
     edit_budget(executed="105", stated_rate="105%"), edit_budget(executed="100"),
     ("105", "100")),
    ("low-execution", NAME, None,
     edit_budget(executed="85", stated_rate="85%"),
     both(edit_budget(executed="85", stated_rate="85%"), edit(deviation="采购延期，已整改")),
     ("85.00%", "90")),
    ("low-execution", NAME, None,
     edit_budget(executed="89.99", stated_rate="89.99%"),
     edit_budget(executed="90", stated_rate="90%"),
     ("89.99%",)),
    ("missing-deviation-reason", NAME, "办件数量",
     edit_row(0, actual="8件"), edit_row(0, actual="8件", reason="受疫情影响，办件减少"),
     ("8件", "10件", "80.00%")),
    # the table's own 偏差原因 counts; improvement does not
    ("missing-deviation-reason", NAME, "办件数量",
     both(edit_row(0, actual="8件"), edit(improvement="加强管理")),
     both(edit_row(0, actual="8件"), edit(deviation="受疫情影响")),
     ("8件",)),
    ("missing-deviation-reason", NAME, "服务效率",
     edit_row(1, actual="有所提升", reason="—"), edit_row(1, actual="有所提升", reason="人手不足"),
     ("有所提升",)),
    ("target-too-low", NAME, "办件数量",
     edit_row(0, actual="12件"), edit_row(0, actual="11件"), ("12件", "120")),
    ("unit-mismatch", NAME, "办件数量",
     edit_row(0, target="≥10人", actual="10人次"), edit_row(0, target="≥10人", actual="10人"),
     ("人", "人次")),
    ("unit-missing", NAME, "办件数量",
     edit_row(0, target="78100 份", actual="78100"), edit_row(0, target="78100 份", actual="78100 份"),
     ("78100", "份")),
    ("actual-is-bound", NAME, "群众满意度",
     edit_row(2, actual="≥90%"), edit_row(2, actual="90%"), ("≥90%",)),
    ("actual-is-bound", NAME, "办件数量",
     edit_row(0, target="≤2%", actual="≤ 2%"), edit_row(0, target="≤2%", actual="1.5%"),
     ("≤2%",)),
    # `=100%` is simply the value 100%
    ("actual-is-bound", NAME, "群众满意度",
     edit_row(2, target="≥95%", actual="≥ 95%"), edit_row(2, target="=100%", actual="=100%"),
     ("95%",)),
    ("unverifiable-actual", NAME, "办件数量",
     edit_row(0, actual="情况良好"), edit_row(0, actual="10件"), ("情况良好",)),
    ("weights-sum", NAME, None,
     weigh("40", "40", "20", budget="20"), weigh("40", "30", "20", budget="10"), ("120",)),
    # printed 2-decimal weights pass: 33.33 + 33.33 + 23.33 + 10 = 99.99
    ("weights-sum", NAME, None,
     weigh("33.33", "33.33", "23.13", budget="10"), weigh("33.33", "33.33", "23.33", budget="10"),
     ("99.79",)),
    ("weights-incomplete", NAME, None,
     weigh("50", None, "10"), weigh(None, None, None), ("2",)),
    ("weights-incomplete", NAME, None,
     weigh("50", "30", "10"), weigh("50", "30", "10", budget="10"), ("3",)),
    # a quantitative claim must be within 0.1 of the computed score (50 here)
    ("score-claim-mismatch", NAME, "办件数量",
     edit_row(0, score="49.8"), edit_row(0, score="49.95"), ("49.8", "50")),
    # 8件 of 10件 → 50 × 0.8 = 40
    ("score-claim-mismatch", NAME, "办件数量",
     edit_row(0, actual="8件", reason="原因", score="45"),
     edit_row(0, actual="8件", reason="原因", score="40"), ("45", "40")),
    # a qualitative claim may lie anywhere in its band: met → 80–100% of 30 = 24–30
    ("score-claim-mismatch", NAME, "服务效率",
     edit_row(1, score="20"), edit_row(1, score="25"), ("20", "24.00", "30.00")),
    # partial (有所提升 for 提升) → 60–80% of 30 = 18–24
    ("score-claim-mismatch", NAME, "服务效率",
     edit_row(1, actual="有所提升", reason="原因", score="27"),
     edit_row(1, actual="有所提升", reason="原因", score="19"), ("27", "18.00", "24.00")),
    # a deadline is no qualitative band: missed earns 0, a claim of 10 is wrong
    ("score-claim-mismatch", NAME, "办件数量",
     edit_row(0, target="2024年12月底前", actual="2025年3月", reason="原因", score="10"),
     edit_row(0, target="2024年12月底前", actual="2025年3月", reason="原因", score="0"),
     ("10", "0.00")),
    ("score-claim-mismatch", "测试项目", "预算执行率",
     edit_budget(executed="90", stated_rate="90%", score="10"),
     edit_budget(executed="90", stated_rate="90%", score="9"), ("10", "9.00")),
    ("budget-missing", NAME, None, drop_budget, edit(), ()),
    # a block with 预算数 0 is there, but has no execution rate to score
    ("budget-missing", NAME, None, edit_budget(planned="0", executed="0", stated_rate=None),
     edit_budget(planned="0.01", executed="0.01", stated_rate=None), ("预算数为 0",)),
    ("execution-over-100", NAME, None, edit_budget(planned="0", executed="5", stated_rate=None),
     edit_budget(planned="5", executed="5", stated_rate=None), ("5", "0", "无法计算")),
    ("duplicate-indicator", NAME, "办件数量",
     edit(indicators=[row("产出指标", "办件 数量", "≥10件", "10件"),
                      row("产出指标", "办件数量", "≥10件", "10件")]),
     edit(indicators=[row("产出指标", "办件数量", "≥10件", "10件"),
                      row("产出指标", "办件质量", "≥10件", "10件")]), ()),
    ("duplicate-indicator", NAME, "办件数量",
     edit(indicators=[], goals=[{"name": "目标1", "indicators": [
         row("产出指标", "办件数量", "≥10件", "10件"), row("产出指标", "办件数量", "≥10件", "10件")]}]),
     edit(indicators=[], goals=[
         {"name": "目标1", "indicators": [row("产出指标", "办件数量", "≥10件", "10件")]},
         {"name": "目标2", "indicators": [row("产出指标", "办件数量", "≥10件", "10件")]}]),
     ("目标1",)),
    ("narrative-mismatch", NAME, None,
     edit(summary="项目全年预算数为100 万元，执行数为10 万元，完成预算的100%。"),
     edit(summary="项目全年预算数为100 万元，执行数为100 万元，完成预算的100%。"),
     ("10", "100")),
    ("narrative-mismatch", NAME, None,
     edit(summary="项目全年预算数为 99 万元，执行数为 100 万元。"),
     edit(summary="项目全年预算数为 100.00 万元，执行数为 1,000,000 元。"),
     ("99", "100")),
    # a rate agrees to the precision it is printed with: 99.5% states 99.5119%
    ("narrative-mismatch", NAME, None,
     both(edit_budget(planned="1923.78", executed="1914.39", stated_rate="99.51%"),
          edit(summary="完成预算的 99.42%。")),
     both(edit_budget(planned="1923.78", executed="1914.39", stated_rate="99.51%"),
          edit(summary="完成预算的 99.5%。")),
     ("99.42%", "99.51%")),
    ("unknown-level", NAME, "办件数量",
     edit_row(0, level1="其他指标"), edit_row(0, level1="產出指標"), ("其他指标",)),
]


@pytest.mark.parametrize(("rule", "document", "indicator", "trigger", "twin", "texts"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_each_rule(rule: str, document: str, indicator: str | None, trigger: Edit, twin: Edit,
                   texts: tuple[str, ...]) -> None:
    clean = score(base())
    assert clean.findings == (), [f.message for f in clean.findings]

    doc = copy.deepcopy(base())
    trigger(doc)
    hits = [f for f in findings(score(doc)) if f.rule == rule]
    assert len(hits) == 1, [f.message for f in findings(score(doc))]
    hit = hits[0]
    assert hit.severity == SEVERITY[rule]
    assert hit.document == document and hit.indicator == indicator
    assert hit.to_dict() == {"rule": rule, "severity": SEVERITY[rule], "message": hit.message,
                             "document": document, "indicator": indicator}
    for text in texts:
        assert text in hit.message, (text, hit.message)

    near = copy.deepcopy(base())
    twin(near)
    assert rule not in {f.rule for f in findings(score(near))}


# ---------------------------------------------------------------- departments

def test_budget_sum_mismatch() -> None:
    doc = department([row("产出指标", "A", "≥10件", "10件")], [], project_spending="100")
    doc["budget"] = {"planned": "3434.9", "executed": "3434.9"}
    doc["spending"] = {"basic": "1025.34 万元", "project": "2800.41 万元"}
    hits = [f for f in score(doc).findings if f.rule == "budget-sum-mismatch"]
    # 1025.34 + 2800.41 = 3825.75 ≠ 3434.9 (390.85 apart): one finding per figure
    assert len(hits) == 2 and all(f.severity == "error" and f.indicator is None for f in hits)
    assert "预算数" in hits[0].message and "执行数" in hits[1].message
    for f in hits:
        assert all(t in f.message for t in ("3434.9", "1025.34", "2800.41", "3825.75", "390.85"))
    # 0.02 万元 is tolerated
    doc["budget"] = {"planned": "3825.77", "executed": "3825.73"}
    assert "budget-sum-mismatch" not in {f.rule for f in score(doc).findings}
    doc["budget"] = {"planned": "3825.78", "executed": "3825.75"}
    assert [f.rule for f in score(doc).findings].count("budget-sum-mismatch") == 1


def test_project_sum_mismatch() -> None:
    doc = department([row("产出指标", "A", "≥10件", "10件")], [], executed="80",
                     project_spending="100")
    doc["spending"]["basic"] = "70"  # 70 + 100 = 170 ≠ 150 is not this test's concern
    hits = [f for f in score(doc).findings if f.rule == "project-sum-mismatch"]
    assert len(hits) == 1 and hits[0].severity == "warning" and hits[0].document == "测试部门"
    assert all(t in hits[0].message for t in ("80", "100", "20")) and "未列入" in hits[0].message
    near = department([row("产出指标", "A", "≥10件", "10件")], [], executed="99.995",
                      project_spending="100")
    assert "project-sum-mismatch" not in {f.rule for f in score(near).findings}


def test_cross_table_mismatch_department_and_project() -> None:
    doc = department([row("产出指标", "外包 服务人员聘用人数", "≥ 230 人", "232 人")],
                     [row("产出指标", "外包服务人员聘用人数", "≥230人", "276人")])
    report = score(doc)
    hits = [f for f in report.findings if f.rule == "cross-table-mismatch"]
    assert len(hits) == 1 and hits[0].document == "测试部门"
    assert hits[0].indicator == "外包服务人员聘用人数"
    assert all(t in hits[0].message for t in ("测试部门", "项目甲", "276", "232"))
    # it belongs to the department's report, not the project's
    assert all(f.rule != "cross-table-mismatch" for f in report.projects[0].findings)
    same = department([row("产出指标", "外包服务人员聘用人数", "≥ 230 人", "276 人")],
                      [row("产出指标", "外包服务人员聘用人数", "≥230人", "276人")])
    assert "cross-table-mismatch" not in {f.rule for f in score(same).findings}


@pytest.mark.parametrize(("project_row", "dept_row"), [
    # qualitative actuals are not compared
    (row("效益指标", "服务效率", "提升", "提升"), row("效益指标", "服务效率", "=100%", "=100%")),
    # per-table indicators (every project has its own 预算执行率)
    (row("成本指标", "预算执行率", "97%-100%", "99.51%"),
     row("成本指标", "预算执行率", "97%-100%", "100%")),
])
def test_cross_table_not_compared(project_row: dict[str, Any], dept_row: dict[str, Any]) -> None:
    doc = department([project_row], [dept_row])
    assert "cross-table-mismatch" not in {f.rule for f in score(doc).findings}


def test_cross_table_between_projects_needs_the_same_target() -> None:
    a = row("产出指标", "培训次数", "≥ 12 次", "12 次")
    same_target = department([a], [], second=[row("产出指标", "培训次数", "≥12次", "20次")])
    hits = [f for f in score(same_target).findings if f.rule == "cross-table-mismatch"]
    assert len(hits) == 1 and "项目甲" in hits[0].message and "项目乙" in hits[0].message
    other_target = department([a], [], second=[row("产出指标", "培训次数", "≥20次", "20次")])
    assert "cross-table-mismatch" not in {f.rule for f in score(other_target).findings}


# ---------------------------------------------------------------- helpers

@pytest.mark.parametrize("text", ["", "无", "暂无", "无偏差", "没有", "—", "-", "/", " 无。", "——"])
def test_no_reason(text: str) -> None:
    assert not gives_reason(text)


def test_a_reason() -> None:
    assert gives_reason("受疫情影响，部分培训改为线上") and not gives_reason(None)


@pytest.mark.parametrize(("summary", "figures"), [
    ("项目全年预算数为1923.78 万元，执行数为 1914.39 万元，完成预算的 99.51%。",
     {"planned": Decimal("1923.78"), "executed": Decimal("1914.39"), "rate": Decimal("99.51")}),
    ("项目全年预算数为 222.87 万元，执行数为 222.87 万元，完成预算的 100%。",
     {"planned": Decimal("222.87"), "executed": Decimal("222.87"), "rate": Decimal(100)}),
    ("项目全年预算数为 282.41 万元，执行数为 281.35 万元，完成预算的 99.42%。",
     {"planned": Decimal("282.41"), "executed": Decimal("281.35"), "rate": Decimal("99.42")}),
    ("项目全年预算数为80.5 万元，执行数为8.49 万元，完成预算的99.99%。",
     {"planned": Decimal("80.5"), "executed": Decimal("8.49"), "rate": Decimal("99.99")}),
    # the department's 资金 3825.75 万元 is no 预算数 or 执行数
    ("我部门(单位)组织对本部门(单位)开展整体支出绩效自评，资金 3825.75 万元，从评价情况来看", {}),
    # a rate is never read as an amount ("完成预算99.42%" is no 预算数 of 99.4)
    ("完成预算99.42%", {"rate": Decimal("99.42")}),
    ("预算数为19237800元，执行率为 99.5%",
     {"planned": Decimal("1923.78"), "rate": Decimal("99.5")}),
    ("预算资金 1.5亿元", {"planned": Decimal(15000)}),
    ("预算数 3, 825. 75，执行数为 80，5个项目",
     {"planned": Decimal("3825.75"), "executed": Decimal(80)}),
])
def test_narrative_figures(summary: str, figures: dict[str, Decimal]) -> None:
    assert narrative_figures(summary) == figures


# ---------------------------------------------------------------- the seed

SEED: Counter[tuple[str, str, str | None]] = Counter({
    # the department: 3434.9 ≠ 1025.34 + 2800.41 = 3825.75, for 预算数 and for 执行数
    ("武汉市江汉区行政审批局", "budget-sum-mismatch", None): 2,
    # the 4 projects executed 1914.39 + 222.87 + 281.35 + 80.49 = 2499.10 ≠ 2800.41
    ("武汉市江汉区行政审批局", "project-sum-mismatch", None): 1,
    # goal 1: 51万余件 ≥ 1.2 × 20万件, 121台 ≥ 1.2 × 90台 (1.344), 28368户 ≥ 1.2 × 6000户
    # (6964 / 6000 = 1.16 is not)
    ("武汉市江汉区行政审批局", "target-too-low", "审批局大厅年办事项数"): 1,
    ("武汉市江汉区行政审批局", "target-too-low", "设备维护数"): 1,
    ("武汉市江汉区行政审批局", "target-too-low", "免费邮寄服务户数"): 1,
    ("武汉市江汉区行政审批局", "actual-is-bound", "设备故障率"): 1,       # ≤ 2%
    ("武汉市江汉区行政审批局", "actual-is-bound", "群众办事满意度"): 1,    # ≥ 90%
    # goal 2: 276 / 230 = 1.2 exactly, 24 / 12 = 2 (35.83 / 30 = 1.19 is not)
    ("武汉市江汉区行政审批局", "target-too-low", "外包服务人员聘用人数"): 1,
    ("武汉市江汉区行政审批局", "target-too-low", "大厅环境消毒消杀次数"): 1,
    # 20次 → 12次 missed, and the table's reason is 无
    ("武汉市江汉区行政审批局", "missing-deviation-reason", "组织工作人员学习培训次数"): 1,
    # 276 vs 外包工作人员经费's 232; 12 vs 审批大厅日常运转经费's 20; 111 vs 行政审批工作经费's 112
    ("武汉市江汉区行政审批局", "cross-table-mismatch", "外包服务人员聘用人数"): 1,
    ("武汉市江汉区行政审批局", "cross-table-mismatch", "组织工作人员学习培训次数"): 1,
    ("武汉市江汉区行政审批局", "cross-table-mismatch", "对外受理审批服务窗口个数"): 1,
    # 外包工作人员经费: 99.51% vs 1914.39/1923.78 = 99.5119% is consistent;
    # 51万余件 / 20万件 = 2.55, 45万余人次 / 30万人次 = 1.5 (232 / 230 is not)
    ("外包工作人员经费", "target-too-low", "办理各类审批服务事项数"): 1,
    ("外包工作人员经费", "target-too-low", "接待群众人次"): 1,
    # 审批大厅日常运转经费: 45万余人次 / 30万人次 = 1.5 (24 / 24 is not)
    ("审批大厅日常运转经费", "target-too-low", "大厅年接待群众人次"): 1,
    # 一网通办工作经费: stated 99.42% vs 281.35/282.41 = 99.62%, in the table and in the summary
    ("一网通办工作经费", "execution-rate-mismatch", None): 1,
    ("一网通办工作经费", "narrative-mismatch", None): 1,
    # 6964 / 5500 = 1.27, 28368 / 3500 = 8.1 (70 / 60 = 1.17 is not)
    ("一网通办工作经费", "target-too-low", "免费刻章服务户数"): 1,
    ("一网通办工作经费", "target-too-low", "免费邮寄服务户数"): 1,
    ("一网通办工作经费", "actual-is-bound", "设备故障率"): 1,
    # 行政审批工作经费: summary 执行数 8.49 vs 80.49 (its 99.99% agrees with 99.9876%)
    ("行政审批工作经费", "narrative-mismatch", None): 1,
    # 51万余件 / 20万件 = 2.55, 32 / 12 = 2.67 (21 / 20 is not)
    ("行政审批工作经费", "target-too-low", "审批局大厅年办事项数"): 1,
    ("行政审批工作经费", "target-too-low", "行政审批办案数量"): 1,
    # 78100 under 78100 份
    ("行政审批工作经费", "unit-missing", "行政审批证照印刷数量"): 1,
})


def every_finding(report: Report) -> list[Finding]:
    return [*report.findings, *(f for p in report.projects for f in every_finding(p))]


def test_seed_department_findings() -> None:
    report = score(EXAMPLES / "department.yaml")
    got = Counter((f.document, f.rule, f.indicator) for f in every_finding(report))
    assert got == SEED


def test_seed_messages_carry_the_numbers() -> None:
    report = score(EXAMPLES / "department.yaml")
    by_key = {(f.document, f.rule, f.indicator): f.message for f in every_finding(report)}
    assert "2499.1" in by_key[("武汉市江汉区行政审批局", "project-sum-mismatch", None)]
    assert "2800.41" in by_key[("武汉市江汉区行政审批局", "project-sum-mismatch", None)]
    rate = by_key[("一网通办工作经费", "execution-rate-mismatch", None)]
    assert "99.42%" in rate and "99.62%" in rate
    assert "99.42%" in by_key[("一网通办工作经费", "narrative-mismatch", None)]
    narrative = by_key[("行政审批工作经费", "narrative-mismatch", None)]
    assert "8.49" in narrative and "80.49" in narrative
    reason = by_key[("武汉市江汉区行政审批局", "missing-deviation-reason", "组织工作人员学习培训次数")]
    assert "20次" in reason and "12次" in reason and "60.00%" in reason
    for name, values in (("外包服务人员聘用人数", ("276", "232")),
                         ("组织工作人员学习培训次数", ("12", "20")),
                         ("对外受理审批服务窗口个数", ("111", "112"))):
        message = by_key[("武汉市江汉区行政审批局", "cross-table-mismatch", name)]
        assert all(v in message for v in values)


def test_seed_findings_in_document_order() -> None:
    report = score(EXAMPLES / "department.yaml")
    rules = [f.rule for f in report.findings]
    # table-level first, then the rows in order, each cross-table finding with its row
    assert rules[:3] == ["budget-sum-mismatch", "budget-sum-mismatch", "project-sum-mismatch"]
    assert rules.count("cross-table-mismatch") == 3
    rows = [i.name for i in report.indicators]
    positions = [rows.index(f.indicator) for f in report.findings[3:]]
    assert positions == sorted(positions)
    # the seed's first row, 对外受理审批服务窗口个数 (111 个 here, 112 个 in 行政审批工作经费)
    assert rules[3] == "cross-table-mismatch" and positions[0] == 0


@pytest.mark.parametrize("name", ["outsourcing", "hall-operations", "approval-work"])
def test_seed_consistent_budgets_raise_nothing(name: str) -> None:
    report = score(EXAMPLES / f"{name}.yaml")
    rules = {f.rule for f in report.findings}
    assert "execution-rate-mismatch" not in rules
    assert not {"low-execution", "execution-over-100", "budget-missing", "weights-sum",
                "weights-incomplete", "unknown-level", "duplicate-indicator",
                "missing-deviation-reason", "unverifiable-actual", "unit-mismatch"} & rules
