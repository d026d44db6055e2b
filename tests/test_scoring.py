"""Golden totals of SPEC §4, each worked by hand in the comment beside it.

The expected numbers were computed on paper from the SPEC's rules, never by
running perfeval: if one of these fails, the code (or the SPEC) changed.

Shorthand in the comments: P = 产出 pool (成本 rows join it), E = 效益,
S = 满意度, B = budget block; "w" is a weight, "f" the fraction earned.
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import perfeval
from perfeval import scoring
from perfeval.documents import load
from perfeval.report import Report, to_json
from perfeval.rules import load_pack
from perfeval.scoring import score

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "jianghan-2024"
OUTSOURCING = EXAMPLES / "outsourcing.yaml"
DEPARTMENT = EXAMPLES / "department.yaml"


def D(text: str | int) -> Decimal:
    return Decimal(text)


def exact(value: Decimal) -> Fraction:
    return Fraction(value)


def close(value: Decimal, expected: Fraction, places: int = 20) -> bool:
    """Within 10^-places of the exact rational the hand arithmetic gives."""
    return abs(Fraction(value) - expected) < Fraction(1, 10 ** places)


def half_up(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        D("0.01"), rounding=ROUND_HALF_UP)


def row(level1: str, name: str, target: str, actual: str, **extra: Any) -> dict[str, Any]:
    return {"level1": level1, "level2": "", "name": name, "target": target, "actual": actual,
            **extra}


def project(*indicators: dict[str, Any], budget: dict[str, Any] | None = None,
            **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"kind": "project", "name": "测试项目", "year": 2024,
                           "indicators": list(indicators), "deviation": "已说明", **extra}
    if budget is not None:
        doc["budget"] = budget
    return doc


FULL_BUDGET = {"planned": "100 万元", "executed": "100 万元"}
MET_E = row("效益指标", "服务效率", "得到提升", "得到提升")
MET_S = row("满意度指标", "服务对象满意度", "≥90%", "95%")


def rules_of(report: Report) -> list[str]:
    return [f.rule for f in report.findings]


def weights(report: Report) -> list[Decimal]:
    return [r.weight for r in report.indicators]


def weight_total(report: Report) -> Decimal:
    return sum(weights(report), Decimal(0)) + (report.budget.weight if report.budget else 0)


# ---------------------------------------------------------------- the seed project

class TestOutsourcing:
    """外包工作人员经费: 12 rows, all met or exceeded; B = 1914.39 / 1923.78."""

    def test_mof_2020(self) -> None:
        r = score(OUTSOURCING)
        # B: 10 × 1914.39/1923.78; 1923.78 − 1914.39 = 9.39, 9.39/1923.78 = 0.004881…,
        #    so the rate is 0.995119… (0.9951) and B scores 9.95119…
        # P: 1 成本 + 7 产出 rows = 8 rows × 50/8 = 6.25; E: 3 × 30/3 = 10; S: 1 × 10.
        # every row met/exceeded → 50 + 30 + 10 = 90; total 99.95119… → 99.95 优.
        assert r.total == D("99.95") and r.grade == "优"
        assert close(r.exact_total, 90 + Fraction(10) * exact(D("1914.39")) / exact(D("1923.78")))
        assert weights(r) == [D("6.25")] * 8 + [D(10)] * 3 + [D(10)]
        assert [s.score for s in r.indicators] == weights(r)
        assert r.budget is not None and r.budget.weight == 10
        assert r.to_dict()["budget"] == {"planned": 1923.78, "executed": 1914.39,
                                         "rate": 0.9951, "weight": 10, "score": 9.95}

    def test_hubei_2020(self) -> None:
        r = score(OUTSOURCING, rules="hubei-2020")
        # B: 20 × 0.995119… = 19.90238…; no goals → one goal worth 80:
        # P 80×50/90 = 44.44 over 8 rows (5.5556 each), E 80×30/90 = 26.67 over 3 (8.8889),
        # S 80×10/90 = 8.8889; all met → 80; total 99.90238… → 99.90 优.
        assert r.total == D("99.90") and r.grade == "优"
        assert close(r.exact_total, 80 + Fraction(20) * exact(D("1914.39")) / exact(D("1923.78")))
        assert close(r.indicators[0].weight, Fraction(400, 9) / 8)
        assert close(r.indicators[8].weight, Fraction(80, 9))
        assert r.to_dict()["budget"] == {"planned": 1923.78, "executed": 1914.39,
                                         "rate": 0.9951, "weight": 20, "score": 19.9}

    def test_linear_reverse(self) -> None:
        r = score(OUTSOURCING, rules="linear-reverse")
        # No reverse row misses, so as mof-2020: 90 + 9.95119… = 99.95 优.
        assert r.total == D("99.95") and r.grade == "优" and r.rules == "linear-reverse"

    def test_json_shape(self) -> None:
        d = score(OUTSOURCING).to_dict()
        assert list(d) == ["schema_version", "kind", "name", "rules", "total", "grade",
                           "budget", "indicators", "findings"]
        assert d["schema_version"] == 1 and d["kind"] == "project"
        assert d["name"] == "外包工作人员经费" and d["rules"] == "mof-2020"
        assert d["total"] == 99.95 and d["grade"] == "优"
        assert list(d["budget"]) == ["planned", "executed", "rate", "weight", "score"]
        first = d["indicators"][1]
        assert list(first) == ["goal", "level1", "level2", "name", "target", "actual",
                               "canonical_target", "status", "ratio", "weight", "score",
                               "explanation"]
        # 232 / 230 = 1.008695… → 1.0087
        assert {k: first[k] for k in ("goal", "name", "target", "actual", "canonical_target",
                                      "status", "ratio", "weight", "score")} == {
            "goal": None, "name": "外包服务人员聘用人数", "target": "≥ 230 人",
            "actual": "232 人", "canonical_target": "≥230人", "status": "met",
            "ratio": 1.0087, "weight": 6.25, "score": 6.25}
        assert list(d["findings"][0]) == ["rule", "severity", "message", "document", "indicator"]
        # the same input gives the same bytes
        assert to_json(d) == to_json(score(OUTSOURCING).to_dict())
        assert '"rate": 0.9951' in to_json(d) and '"weight": 10,' in to_json(d)


# ---------------------------------------------------------------- the seed department

class TestDepartment:
    """35 rows in 2 goals: goal 1 has 12 P, 4 E, 1 S; goal 2 has 11 P, 6 E, 1 S.
    Only 组织工作人员学习培训次数 misses (20次 → 12次, f = 0.6); B = 3434.9/3434.9."""

    def test_mof_2020_pools_the_goals(self) -> None:
        r = score(DEPARTMENT)
        # P: 23 rows × 50/23 = 2.1739; E: 10 × 3; S: 2 × 5; B: 10 × 1 = 10.
        # loss = 0.4 × 50/23 = 20/23 = 0.8696; total = 100 − 20/23 = 2280/23 = 99.1304 → 99.13.
        assert r.total == D("99.13") and r.grade == "优"
        assert close(r.exact_total, Fraction(2280, 23))
        names = [i.name for i in r.indicators]
        missed = r.indicators[names.index("组织工作人员学习培训次数")]
        assert missed.status == "missed" and missed.ratio == D("0.6")
        assert close(missed.weight, Fraction(50, 23)) and close(missed.score, Fraction(30, 23))
        assert {i.weight for i in r.indicators if i.level1 == "效益指标"} == {D(3)}
        assert {i.weight for i in r.indicators if i.level1 == "满意度指标"} == {D(5)}
        assert weight_total(r) == 100

    def test_hubei_2020_splits_by_goal(self) -> None:
        r = score(DEPARTMENT, rules="hubei-2020")
        # B 20; 80 / 2 goals = 40 each; inside a goal P:E:S = 50:30:10 of 40.
        # goal 1: P 200/9 over 12 = 50/27 (1.85), E 40/3 over 4 = 10/3, S 40/9.
        # goal 2: P 200/9 over 11 = 200/99 (2.02), E 40/3 over 6 = 20/9, S 40/9.
        # loss = 0.4 × 200/99 = 80/99; total = 100 − 80/99 = 9820/99 = 99.1919 → 99.19.
        assert r.total == D("99.19") and r.grade == "优"
        assert close(r.exact_total, Fraction(9820, 99))
        by_goal: dict[tuple[str | None, str], set[Decimal]] = {}
        for i in r.indicators:
            by_goal.setdefault((i.goal, i.level1), set()).add(i.weight.quantize(D("0.0001")))
        assert by_goal[("年度目标 1", "产出指标")] == {D("1.8519")}
        assert by_goal[("年度目标 1", "效益指标")] == {D("3.3333")}
        assert by_goal[("年度目标 2", "产出指标")] == {D("2.0202")}
        assert by_goal[("年度目标 2", "效益指标")] == {D("2.2222")}
        assert by_goal[("年度目标 1", "满意度指标")] == by_goal[("年度目标 2", "满意度指标")] \
            == {D("4.4444")}
        assert weight_total(r) == 100

    def test_projects_score(self) -> None:
        r = score(DEPARTMENT)
        # Each project earns 90 on its rows plus 10 × B/A, so planned × total = 90A + 10B:
        # ΣA = 1923.78 + 222.87 + 282.41 + 80.5 = 2509.56; ΣB = 1914.39 + 222.87 + 281.35
        # + 80.49 = 2499.10; score = 90 + 10 × 2499.10/2509.56 = 90 + 9.95832 = 99.95832 → 99.96.
        assert r.projects_score == D("99.96")
        assert r.exact_projects_score is not None
        assert close(r.exact_projects_score, 90 + 10 * Fraction(249910, 250956))
        assert [(p.name, p.total) for p in r.projects] == [
            ("外包工作人员经费", D("99.95")),    # 90 + 10 × 1914.39/1923.78 = 99.9512
            ("审批大厅日常运转经费", D("100.00")),  # 90 + 10 × 222.87/222.87
            ("一网通办工作经费", D("99.96")),    # 90 + 10 × 281.35/282.41 = 99.9625
            ("行政审批工作经费", D("100.00")),    # 90 + 10 × 80.49/80.5 = 99.99876 → 100.00
        ]
        d = r.to_dict()
        assert list(d)[-2:] == ["projects", "projects_score"] and d["projects_score"] == 99.96
        assert [p["total"] for p in d["projects"]] == [99.95, 100, 99.96, 100]

    def test_projects_score_hubei(self) -> None:
        r = score(DEPARTMENT, rules="hubei-2020")
        # 80 + 20 × 2499.10/2509.56 = 80 + 19.91664 = 99.91664 → 99.92.
        assert r.projects_score == D("99.92")
        assert r.exact_projects_score is not None
        assert close(r.exact_projects_score, 80 + 20 * Fraction(249910, 250956))

    def test_projects_without_budget_take_a_plain_mean(self) -> None:
        a = project(row("产出指标", "件数", "≥10件", "5件"), MET_E, MET_S, name="甲")
        b = project(row("产出指标", "件数", "≥10件", "10件"), MET_E, MET_S,
                    budget=FULL_BUDGET, name="乙")
        dept = {"kind": "department", "name": "部门", "year": 2024, "budget": FULL_BUDGET,
                "indicators": [MET_E], "projects": [a, b]}
        r = score(dept)
        # 甲: no B → P 100×50/90 = 55.56 × 0.5 lost → 100 − 250/9 = 650/9 = 72.22;
        # 乙: 100.  甲 has no planned budget, so a plain mean: (650/9 + 100)/2 = 775/9 = 86.11.
        assert [p.total for p in r.projects] == [D("72.22"), D("100.00")]
        assert r.projects_score == D("86.11")


# ---------------------------------------------------------------- allocation rules

def test_missing_pool_goes_to_the_others_in_proportion() -> None:
    doc = project(
        row("产出指标", "A", "≥10件", "5件"), row("产出指标", "B", "≥10件", "10件"),
        row("成本指标", "C", "≥10件", "10件"), row("产出指标", "D", "≥10件", "10件"),
        row("效益指标", "E1", "提升", "提升"), row("效益指标", "E2", "提升", "提升"),
        budget={"planned": 200, "executed": 180})
    r = score(doc)
    # No S rows: its 10 goes 50:30 to P and E → P 50 + 6.25 = 56.25 over 4 rows = 14.0625,
    # E 30 + 3.75 = 33.75 over 2 = 16.875.  B = 10 × 180/200 = 9.
    # A: 10件 → 5件, f = 0.5 → 7.03125.  total = 9 + 90 − 7.03125 = 91.96875 → 91.97 优.
    assert weights(r) == [D("14.0625")] * 4 + [D("16.875")] * 2
    assert r.indicators[0].score == D("7.03125")
    assert r.exact_total == D("91.96875") and r.total == D("91.97") and r.grade == "优"
    assert weight_total(r) == 100


def test_no_budget_block_is_redistributed() -> None:
    doc = project(row("产出指标", "A", "≥10件", "10件"), row("产出指标", "B", "≥10件", "12件"),
                  MET_E, row("满意度指标", "满意度", "≥90%", "85%"))
    r = score(doc)
    # B's 10 goes 50:30:10 to the pools: P 100×50/90 = 500/9 over 2 = 250/9 (27.78),
    # E 100×30/90 = 100/3, S 100×10/90 = 100/9 (11.11).  Weights total 100.
    # S: 85/90 = 17/18 → loses 100/9 × 1/18 = 50/81; total = 100 − 50/81 = 8050/81
    # = 99.3827 → 99.38.
    assert r.budget is None and r.to_dict()["budget"] is None
    assert "budget-missing" in rules_of(r)
    assert weight_total(r) == 100
    assert close(r.indicators[0].weight, Fraction(250, 9))
    assert close(r.indicators[2].weight, Fraction(100, 3))
    assert close(r.indicators[3].weight, Fraction(100, 9))
    assert close(r.exact_total, Fraction(8050, 81)) and r.total == D("99.38")


def test_budget_block_without_executed_is_missing() -> None:
    doc = project(row("产出指标", "A", "≥10件", "10件"), MET_E, MET_S,
                  budget={"planned": 100})
    r = score(doc)
    # Not scorable → redistributed like a missing block: weights 500/9, 100/3, 100/9.
    assert r.budget is None and "budget-missing" in rules_of(r)
    assert weight_total(r) == 100 and r.total == D("100.00")


def test_explicit_weights_are_used_as_given() -> None:
    doc = project(
        row("产出指标", "A", "≥10件", "8件", weight="30"),
        row("效益指标", "E", "明显提高", "有所提高", weight="30"),
        row("满意度指标", "S", "≥90%", "95%", weight="20"),
        budget={"planned": 100, "executed": 95, "weight": "20"})
    r = score(doc)
    # B 20 × 95/100 = 19; A 30 × 0.8 = 24; E partial 30 × 0.7 = 21; S 20.
    # total = 19 + 24 + 21 + 20 = 84 → 84.00 良.
    assert weights(r) == [D(30), D(30), D(20)]
    assert r.total == D("84.00") and r.grade == "良"
    assert not {"weights-sum", "weights-incomplete"} & set(rules_of(r))
    h = score(doc, rules="hubei-2020")
    # Same weights under hubei-2020 (B keeps its given 20); E partial 30 × 0.65 = 19.5:
    # 19 + 24 + 19.5 + 20 = 82.5 → 82.50 良.
    assert weights(h) == [D(30), D(30), D(20)] and h.budget is not None and h.budget.weight == 20
    assert h.total == D("82.50") and h.grade == "良"


def test_explicit_weights_off_100_are_flagged_and_not_paid_beyond_100() -> None:
    doc = project(
        row("产出指标", "A", "≥10件", "10件", weight="40"),
        row("效益指标", "E", "提升", "提升", weight="40"),
        row("满意度指标", "S", "≥90%", "95%", weight="20"),
        budget={"planned": 100, "executed": 100, "weight": "20"})
    r = score(doc)
    # 40 + 40 + 20 + 20 = 120 ≠ 100 → weights-sum; every row full = 120, paid 100.
    assert "weights-sum" in rules_of(r)
    assert r.total == D("100.00")


def test_printed_two_decimal_weights_pass() -> None:
    doc = project(*(row("产出指标", f"A{i}", "≥10件", "10件", weight="33.33") for i in range(3)),
                  budget={"planned": 100, "executed": 100, "weight": "0"})
    r = score(doc)
    # 3 × 33.33 = 99.99: within 0.1 of 100 → no weights-sum; total 99.99.
    assert "weights-sum" not in rules_of(r) and r.total == D("99.99")


def test_some_weights_use_the_default_allocation() -> None:
    doc = project(
        row("产出指标", "A", "≥10件", "10件", weight="30"),
        row("产出指标", "B", "≥10件", "10件", weight="20"),
        row("效益指标", "E", "提升", "提升"),
        budget=FULL_BUDGET)
    r = score(doc)
    # Default: B 10; no S → P 56.25 over 2 = 28.125, E 33.75.
    assert weights(r) == [D("28.125"), D("28.125"), D("33.75")]
    assert rules_of(r).count("weights-incomplete") == 1


def test_all_rows_weighted_but_not_the_budget_is_incomplete() -> None:
    doc = project(
        row("产出指标", "A", "≥10件", "10件", weight="60"),
        row("效益指标", "E", "提升", "提升", weight="30"),
        budget=FULL_BUDGET)
    r = score(doc)
    # SPEC §4: every indicator *and the budget block* must carry a weight.
    # Default: B 10, P 50 + 10×50/80 = 56.25, E 30 + 10×30/80 = 33.75.
    assert weights(r) == [D("56.25"), D("33.75")]
    assert "weights-incomplete" in rules_of(r)


def test_only_the_budget_weighted_is_incomplete() -> None:
    doc = project(row("产出指标", "A", "≥10件", "10件"), MET_E, MET_S,
                  budget={**FULL_BUDGET, "weight": "20"})
    r = score(doc)
    assert r.budget is not None and r.budget.weight == 10  # the pack's, not the stated 20
    assert "weights-incomplete" in rules_of(r)


def test_not_applicable_rows_are_dropped() -> None:
    doc = project(
        row("产出指标", "A", "≥10件", "9件"), row("产出指标", "B", "不适用", "—"),
        row("产出指标", "C", "≥10件", "10件", applicable=False), MET_E, MET_S,
        budget=FULL_BUDGET)
    r = score(doc)
    # B and C drop: P's 50 all goes to A; A: 9/10 → 50 × 0.9 = 45 → total 100 − 5 = 95.00.
    assert [i.status for i in r.indicators[:3]] == ["missed", "not_applicable",
                                                   "not_applicable"]
    assert weights(r) == [D(50), D(0), D(0), D(30), D(10)]
    assert r.total == D("95.00")
    assert weight_total(r) == 100


def test_not_applicable_with_explicit_weights_redistributes_pro_rata() -> None:
    doc = project(
        row("产出指标", "A", "≥10件", "5件", weight="20"),
        row("产出指标", "B", "不适用", "—", weight="20"),
        row("效益指标", "E", "提升", "提升", weight="50"),
        budget={**FULL_BUDGET, "weight": "10"})
    r = score(doc)
    # B's 20 goes to A and E in proportion 20:50 → A 20 × 90/70 = 180/7, E 450/7.
    # A: f = 0.5 → loses 90/7; total = 100 − 90/7 = 610/7 = 87.1429 → 87.14 良.
    assert close(r.indicators[0].weight, Fraction(180, 7))
    assert close(r.indicators[2].weight, Fraction(450, 7))
    assert close(r.exact_total, Fraction(610, 7)) and r.total == D("87.14")
    assert "weights-sum" not in rules_of(r) and weight_total(r) == 100


def test_hubei_top_level_indicators_form_one_more_goal() -> None:
    doc = project(
        row("产出指标", "T1", "≥10件", "10件"), row("产出指标", "T2", "≥10件", "5件"),
        goals=[{"name": "目标1", "indicators": [row("产出指标", "G1", "≥10件", "10件"),
                                                row("效益指标", "G2", "提升", "提升")]}],
        budget=FULL_BUDGET)
    r = score(doc, rules="hubei-2020")
    # B 20; the table-level rows are a goal of their own: 80 / 2 = 40 each.
    # top level: only P → 40 over 2 = 20 each; 目标1: P 40×50/80 = 25, E 40×30/80 = 15.
    # T2 f = 0.5 → loses 10; total 90.00 优.
    assert weights(r) == [D(20), D(20), D(25), D(15)]
    assert [i.goal for i in r.indicators] == [None, None, "目标1", "目标1"]
    assert r.total == D("90.00") and r.grade == "优"
    m = score(doc)
    # mof-2020 pools everything: P 3 rows × 50/3 (… and E 30 + S's 10×30/80 → no S:
    # P 56.25 over 3 = 18.75, E 33.75); T2 loses 9.375 → 90.625 → 90.63 (half-up).
    assert weights(m) == [D("18.75")] * 3 + [D("33.75")]
    assert m.exact_total == D("90.625") and m.total == D("90.63")


# ---------------------------------------------------------------- fractions per pack

REVERSE_TABLE = project(row("产出指标", "投诉次数", "≤5次", "8次"), MET_E, MET_S,
                        budget=FULL_BUDGET)


@pytest.mark.parametrize(("rules", "total", "grade"), [
    # P 50: mof target/actual = 5/8 = 0.625 → 31.25; 10 + 31.25 + 30 + 10 = 81.25 良.
    ("mof-2020", "81.25", "良"),
    # linear: max(0, 1 − (8 − 5)/5) = 0.4 → 20; 10 + 20 + 40 = 70.00 中.
    ("linear-reverse", "70.00", "中"),
    # hubei: B 20; P 80×50/90 = 400/9 × 0.625 → loses 400/9 × 0.375 = 50/3;
    # 100 − 16.667 = 83.333 → 83.33 良.
    ("hubei-2020", "83.33", "良"),
])
def test_reverse_miss(rules: str, total: str, grade: str) -> None:
    r = score(REVERSE_TABLE, rules=rules)
    assert r.indicators[0].status == "missed" and r.indicators[0].ratio == D("0.625")
    assert r.total == D(total) and r.grade == grade


def test_reverse_bare_target_takes_the_catalog_direction() -> None:
    doc = project(row("产出指标", "投诉次数", "5次", "8次"), MET_E, MET_S, budget=FULL_BUDGET)
    # 投诉 is reverse in the catalog: the bare "5次" is ≤5次 → the same 81.25.
    assert score(doc).total == D("81.25")


QUALITATIVE_TABLE = project(
    row("产出指标", "服务水平", "明显提高", "有所提高"),
    row("效益指标", "社会效益", "提升", "未达成年度指标且效果较差"),
    MET_S, budget=FULL_BUDGET)


@pytest.mark.parametrize(("rules", "total", "grade"), [
    # mof: P 50 × 0.7 = 35, E 30 × 0.3 = 9, S 10, B 10 → 64.00 中.
    ("mof-2020", "64.00", "中"),
    ("linear-reverse", "64.00", "中"),
    # hubei: B 20; P 400/9 × 0.65 = 260/9, E 80/3 × 0.25 = 20/3 = 60/9, S 80/9
    # → 20 + 400/9 = 64.444 → 64.44 中.
    ("hubei-2020", "64.44", "中"),
])
def test_qualitative_partial_and_missed(rules: str, total: str, grade: str) -> None:
    r = score(QUALITATIVE_TABLE, rules=rules)
    assert [i.status for i in r.indicators] == ["partial", "missed", "met"]
    assert r.total == D(total) and r.grade == grade


def test_strict_boundary_scores_full() -> None:
    doc = project(row("产出指标", "办结率", ">92%", "92%"), MET_E, MET_S, budget=FULL_BUDGET,
                  deviation="无")
    r = score(doc)
    # >92% with 92%: missed, ratio 1, fraction 1 — reported, not scored: 100.00.
    first = r.indicators[0]
    assert (first.status, first.ratio, first.score) == ("missed", D(1), D(50))
    assert r.total == D("100.00")
    assert "missing-deviation-reason" in rules_of(r)


def test_deadline_scores_one_or_zero() -> None:
    doc = project(row("产出指标", "完成时间", "2024年12月底前", "2025年1月"),
                  row("产出指标", "验收时间", "2024年12月底前", "2024年11月"),
                  MET_E, MET_S, budget=FULL_BUDGET)
    r = score(doc)
    # P 25 each: the late one earns 0, the early one 25 → 100 − 25 = 75.00 中.
    assert [i.score for i in r.indicators[:2]] == [D(0), D(25)]
    assert r.total == D("75.00") and r.grade == "中"


def test_budget_uses_computed_rate_never_the_stated_one() -> None:
    doc = project(row("产出指标", "A", "≥10件", "10件"), MET_E, MET_S,
                  budget={"planned": 200, "executed": 150, "stated_rate": "100%"})
    r = score(doc)
    # 10 × 150/200 = 7.5 whatever the stated 100% → 97.50.
    assert r.budget is not None and r.budget.score == D("7.5") and r.total == D("97.50")


def test_over_execution_earns_no_more_than_the_weight() -> None:
    doc = project(row("产出指标", "A", "≥10件", "30件"), MET_E, MET_S,
                  budget={"planned": 100, "executed": 120})
    r = score(doc)
    # B: 10 × min(1.2, 1) = 10; A exceeded (3.0) earns its 50, no more → 100.00.
    assert r.budget is not None and r.budget.score == 10
    assert r.indicators[0].score == 50 and r.total == D("100.00")


def test_half_cent_total_rounds_up_exactly() -> None:
    doc = project(*(row("产出指标", f"A{i}", "≥10000件", "10000件") for i in range(5)),
                  row("产出指标", "A5", "≥10000件", "9994件"), MET_E, MET_S,
                  budget=FULL_BUDGET)
    r = score(doc)
    # P 50 over 6 rows = 50/6 each (no finite decimal).  A5: 9994/10000 → loses
    # 50/6 × 0.0006 = 0.005 exactly; total = 99.995 → half-up 100.00 (a 28-digit sum
    # of 8.333… lands on 99.99499… and would print 99.99).
    assert r.exact_total == D("99.995")
    assert r.total == D("100.00") and r.to_dict()["total"] == 100
    assert weight_total(r) == 100


def test_a_ratio_without_a_finite_decimal_scores_exactly() -> None:
    # SPEC §4: exact internally, rounded half-up on output.  P 90 (no 效益 or
    # 满意度 rows: their 40 go to 产出), 90 × 15999/18000 = 79.995 exactly, and
    # 10 + 79.995 = 89.995 → 90.00 优; a 28-digit ratio 0.88883… would give
    # 89.99499… → 89.99 良.
    r = score(project(row("产出指标", "办件数量", "≥18000件", "15999件"), budget=FULL_BUDGET))
    assert r.exact_total == D("89.995")
    assert (r.total, r.grade) == (D("90.00"), "优")
    assert r.to_dict()["indicators"][0]["score"] == 80  # 79.995 → 80.00


def test_a_reverse_miss_scores_exactly() -> None:
    # mof-2020 reverse: 90 × target/actual = 90 × 1.002/36 = 2.505 exactly → 2.51,
    # and the total 10 + 2.505 = 12.505 → 12.51.
    r = score(project(row("产出指标", "差错次数", "≤1.002次", "36次"), budget=FULL_BUDGET))
    assert r.indicators[0].score == D("2.505")
    assert r.to_dict()["indicators"][0]["score"] == 2.51
    assert r.exact_total == D("12.505") and r.total == D("12.51")


def test_a_budget_rate_without_a_finite_decimal_scores_exactly() -> None:
    # B 10 × 15999/18000 = 8.88833… and the indicators 90: 98.88833… → 98.89; and
    # with 产出 at 90 × 1/3 (met 1 of 3): 30 + 8.8883… = 38.8883… → 38.89.
    r = score(project(row("产出指标", "A", "≥3件", "1件"),
                      budget={"planned": "18000 元", "executed": "15999 元"}))
    assert close(r.exact_total, Fraction(30) + Fraction(10 * 15999, 18000), 36)
    assert r.total == D("38.89")


def test_grade_bands() -> None:
    # 优 ≥ 90, 良 ≥ 80, 中 ≥ 60, 差 < 60, on the total rounded to 2 places.
    def graded(actual: str) -> tuple[Decimal, str]:
        r = score(project(row("产出指标", "A", "≥1000件", actual), MET_E, MET_S,
                                   budget=FULL_BUDGET))
        return r.total, r.grade
    # P 50 × a/1000: a = 800 → 40 → 90.00 优; 799.9 → 39.995 → 89.995 → 90.00 优 (half-up);
    # 799.8 → 39.99 → 89.99 良; 600 → 30 → 80.00 良; 400 → 20 → 70.00 中; 0 → 50.00 差.
    assert graded("800件") == (D("90.00"), "优")
    assert graded("799.9件") == (D("90.00"), "优")
    assert graded("799.8件") == (D("89.99"), "良")
    assert graded("600件") == (D("80.00"), "良")
    assert graded("400件") == (D("70.00"), "中")
    assert graded("0件") == (D("50.00"), "差")


def test_budget_only_table_gives_the_budget_everything() -> None:
    doc = project(row("产出指标", "A", "不适用", "—"), budget={"planned": 100, "executed": 80})
    r = score(doc)
    # No applicable row: B is worth 100 → 100 × 0.8 = 80.00 良.
    assert r.budget is not None and r.budget.weight == 100 and r.total == D("80.00")


def test_public_entry_point() -> None:
    assert perfeval.score is score and perfeval.load is load


def test_loaded_document_and_mapping_agree() -> None:
    doc = project(row("产出指标", "A", "≥10件", "8件"), MET_E, MET_S, budget=FULL_BUDGET)
    assert score(load(doc)).to_dict() == score(doc).to_dict()


def test_json_numbers() -> None:
    doc = project(row("产出指标", "A", "≥3件", "2件"), MET_E, MET_S,
                  budget={"planned": "1,923.78", "executed": "19143900元"})
    d = score(doc).to_dict()
    # 2/3 = 0.66666… → ratio 0.6667; score 50 × 2/3 = 33.333… → 33.33;
    # B 10 × 1914.39/1923.78 = 9.95119 → 9.95; total 9.95119 + 33.333 + 40 = 83.2845 → 83.28.
    assert d["indicators"][0]["ratio"] == 0.6667 and d["indicators"][0]["score"] == 33.33
    assert d["budget"] == {"planned": 1923.78, "executed": 1914.39, "rate": 0.9951,
                           "weight": 10, "score": 9.95}
    assert d["total"] == 83.28 and d["grade"] == "良"
    assert json.loads(to_json(d)) == d


# ---------------------------------------------------------------- integer arithmetic
#
# Scoring keeps weights and scores as integers over one common denominator.
# The reference below is the plain Fraction formulation of SPEC §4; the two
# must give the same Decimals, to the last digit and exponent.

_SCALE = 10 ** 24


def _ref_default(rows: list[Any], pack: Any, available: Fraction) -> list[Fraction]:
    weights = [Fraction(0)] * len(rows)
    live = [i for i, r in enumerate(rows) if r.outcome.status != "not_applicable"]
    if not live:
        return weights
    groups: dict[int, list[int]] = {}
    for i in live:
        groups.setdefault(rows[i].goal_index if pack.split_by_goal else 0, []).append(i)
    per_group = available / len(groups)
    for members in groups.values():
        pools: dict[str, list[int]] = {}
        for i in members:
            pools.setdefault(rows[i].pool, []).append(i)
        points = {p: Fraction(pack.pools[p]) for p in pools}
        nominal = sum(points.values(), Fraction(0))
        for p, indices in pools.items():
            part = points[p] / nominal if nominal > 0 else Fraction(1, len(pools))
            for i in indices:
                weights[i] = per_group * part / len(indices)
    return weights


def _ref_explicit(rows: list[Any], budget_weight: Decimal | None,
                  has_budget: bool) -> tuple[list[Fraction], Fraction] | None:
    live = [r for r in rows if r.outcome.status != "not_applicable"]
    if not live or any(r.indicator.weight is None for r in live):
        return None
    if has_budget and budget_weight is None:
        return None
    given = [Fraction(r.indicator.weight or 0) for r in rows]
    na = [r.outcome.status == "not_applicable" for r in rows]
    dropped = sum((w for w, n in zip(given, na) if n), Fraction(0))
    if not has_budget and budget_weight is not None:
        dropped += Fraction(budget_weight)
    kept = sum((w for w, n in zip(given, na) if not n), Fraction(0))
    scale = (kept + dropped) / kept if kept > 0 and dropped > 0 else Fraction(1)
    weights = [Fraction(0) if n else w * scale for w, n in zip(given, na)]
    budget = Fraction(budget_weight) if has_budget and budget_weight is not None else Fraction(0)
    return weights, budget


def _ref_decimal(value: Fraction) -> Decimal:
    """Exact when the fraction has a finite decimal form, else 40 digits."""
    den, twos, fives = value.denominator, 0, 0
    while den % 2 == 0:
        den, twos = den // 2, twos + 1
    while den % 5 == 0:
        den, fives = den // 5, fives + 1
    if den == 1:
        places = max(twos, fives)
        return scoring._decimal_of(value.numerator * 10 ** places // value.denominator, -places)
    with localcontext() as ctx:
        ctx.prec = 40
        return Decimal(value.numerator) / Decimal(value.denominator)


def _ref_floor(value: Fraction) -> Decimal:
    return scoring._decimal_of(value.numerator * _SCALE // value.denominator, -24)


def _ref_apportion(values: list[Fraction]) -> list[Decimal]:
    """Cut at 24 places; the units cut off go back to the largest remainders."""
    cut = [v.numerator * _SCALE // v.denominator for v in values]
    spare = sum(values, Fraction(0)) * _SCALE - sum(cut)
    if spare.denominator == 1 and spare:
        order = sorted(range(len(values)), key=lambda i: -(values[i] * _SCALE - cut[i]))
        for i in order[:int(spare)]:
            cut[i] += 1
    return [scoring._decimal_of(c, -24) for c in cut]


_POINTS = st.decimals(min_value=0, max_value=100, places=2)
_FRACTION = st.one_of(st.sampled_from([Decimal(0), Decimal(1), Decimal("0.7"), Decimal("0.3")]),
                      st.decimals(min_value=0, max_value=1, places=28),
                      st.fractions(0, 1, max_denominator=997).map(
                          lambda f: Decimal(f.numerator) / Decimal(f.denominator)))


def _outcome(status: str, share: Fraction | Decimal) -> SimpleNamespace:
    """An outcome as evaluate makes it: the exact share beside a Decimal that rounds it."""
    if isinstance(share, Decimal):
        return SimpleNamespace(status=status, fraction=share, exact_fraction=None)
    fraction = Decimal(share.numerator) / Decimal(share.denominator)
    return SimpleNamespace(status=status, fraction=fraction,
                           exact_fraction=None if fraction == share else share)


_SHARE = st.one_of(_FRACTION, st.fractions(0, 1, max_denominator=997))


@st.composite
def _tables(draw: st.DrawFn) -> tuple[list[Any], Any, Decimal | None, bool, Decimal]:
    pack = load_pack(draw(st.sampled_from(["mof-2020", "hubei-2020", "linear-reverse"])))
    if draw(st.booleans()):  # a pack of its own: odd pool points, splits, budget points
        pools = {p: draw(st.one_of(_POINTS, st.just(Decimal(0)))) for p in pack.pools}
        pack = replace(pack, pools=pools, split_by_goal=draw(st.booleans()),
                        budget_points=draw(_POINTS))
    weighted = draw(st.booleans())
    rows = []
    for _ in range(draw(st.integers(0, 30))):
        weight = draw(st.one_of(_POINTS, st.none())) if draw(st.integers(0, 9)) == 0 else (
            draw(_POINTS) if weighted else None)
        status = draw(st.sampled_from(["met", "missed", "partial", "not_applicable"]))
        rows.append(SimpleNamespace(
            goal_index=draw(st.integers(0, 4)), pool=draw(st.sampled_from(sorted(pack.pools))),
            outcome=_outcome(status, draw(_SHARE)),
            indicator=SimpleNamespace(weight=weight)))
    budget_weight = draw(st.one_of(st.none(), _POINTS))
    return rows, pack, budget_weight, draw(st.booleans()), draw(_FRACTION) * 20


@given(_tables())
def test_integer_weights_and_scores_equal_the_fraction_formulation(
        case: tuple[list[Any], Any, Decimal | None, bool, Decimal]) -> None:
    rows, pack, budget_weight, has_budget, budget_score = case
    doc = SimpleNamespace(budget=SimpleNamespace(weight=budget_weight))
    # the reference
    explicit = _ref_explicit(rows, budget_weight, has_budget)
    if explicit is not None:
        weights, budget_points = explicit
    else:
        live = any(r.outcome.status != "not_applicable" for r in rows)
        budget_points = (Fraction(pack.budget_points) if live else Fraction(100)) \
            if has_budget else Fraction(0)
        weights = _ref_default(rows, pack, 100 - budget_points)
    exact_scores = [w * (Fraction(r.outcome.fraction) if r.outcome.exact_fraction is None
                         else r.outcome.exact_fraction) for r, w in zip(rows, weights)]
    exact = sum(exact_scores, Fraction(0)) + Fraction(budget_score)
    # the integers
    got = scoring._explicit_weights(rows, doc, has_budget)  # type: ignore[arg-type]
    assert (got is None) == (explicit is None)
    if got is not None:
        numerators, den, (bn, bd) = got
    else:
        bn, bd = (budget_points.numerator, budget_points.denominator)
        numerators, den = scoring._default_weights(rows, pack, (100 * bd - bn, bd))
    assert [Fraction(n, den) for n in numerators] == weights
    assert Fraction(bn, bd) == budget_points
    scores, (total, total_den) = scoring._scores(rows, numerators, den)
    # the Decimals a report carries
    assert [str(d) for d in scoring._apportion(numerators, den)] == [
        str(d) for d in _ref_apportion(weights)]
    assert [str(d) for d in scores] == [str(_ref_floor(s)) for s in exact_scores]
    n, d = budget_score.as_integer_ratio()
    assert Fraction(total * d + n * total_den, total_den * d) == exact
    got_total = scoring._to_decimal(total * d + n * total_den, total_den * d)
    assert str(got_total) == str(_ref_decimal(exact))
