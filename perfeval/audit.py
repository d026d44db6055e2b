"""The audit: what a finance-bureau reviewer flags in a table (SPEC §6).

Findings come in document order: the table's own first (budget block,
weights, narrative, department sums), then the indicators in row order, then,
on a department, the contradictions between its tables.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from itertools import combinations
from typing import TYPE_CHECKING

from perfeval import _units
from perfeval._normalize import fold
from perfeval.errors import TargetSyntaxError
from perfeval.findings import Finding
from perfeval.report import BudgetResult, IndicatorResult, Report, round2
from perfeval.rules import RulePack, load_catalog
from perfeval.targets import Actual, parse_actual, parse_target

if TYPE_CHECKING:
    from typing import TypeAlias

    from perfeval import _records, models
    from perfeval.scoring import Document, Indicator, Row

    # A table of kind "department": the loader's record or the model.
    Department: TypeAlias = models.Department | _records.Table

# the callback that words and records one finding
_Flag = Callable[..., None]

__all__ = ["gives_reason", "narrative_figures", "table", "with_cross_tables"]

_HUNDRED = Decimal(100)
_NO_REASON = frozenset({"", "无", "暂无", "无偏差", "没有", "-", "/", "\\", "无。", "不适用", "n/a"})


def gives_reason(text: str | None) -> bool:
    """Whether a 偏差原因 cell says anything (``无``, ``—`` and ``/`` do not)."""
    return text is not None and fold(text).lower() not in _NO_REASON


def _amount(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _pct(value: Decimal) -> str:
    return f"{round2(value)}%"


# ---------------------------------------------------------------- narrative

# A number as the narratives print it: 1923.78, 1,923.78, 3, 825. 75 (spaces are
# folded away first).  Thousands groups must have three digits, so that
# "80，5个项目" is 80, not 805.
_DIGITS = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
# An amount must not stop inside a longer number or before a %: without the
# guard "完成预算99.42%" would backtrack to a 预算数 of 99.4.
_AMOUNT = r"(?P<n>" + _DIGITS + r")(?:(?P<u>亿元|万元|元)|(?![\d.%]))"
_SAID = r"(?:为|是|:|达|共)?"
_NARRATIVE = {
    "planned": re.compile(r"预算(?:数|总额|资金|金额)?" + _SAID + _AMOUNT),
    "executed": re.compile(r"执行(?:数|金额)?" + _SAID + _AMOUNT),
    "rate": re.compile(r"(?:完成(?:全年|年初|年度)?预算(?:的)?|(?:预算)?执行率" + _SAID + r")"
                       r"(?P<n>" + _DIGITS + r")%"),
}
_TO_WAN = {"亿元": Decimal(10000), "万元": Decimal(1), "元": Decimal("0.0001"), None: Decimal(1)}


def narrative_figures(summary: str) -> dict[str, Decimal]:
    """The 预算数 / 执行数 (万元) and 完成预算 % a narrative states.

    >>> narrative_figures("项目全年预算数为 1, 923. 78 万元，执行数为 8.49 万元，完成预算的 99.99%")
    {'planned': Decimal('1923.78'), 'executed': Decimal('8.49'), 'rate': Decimal('99.99')}
    """
    return {key: value for key, (value, _) in _stated(summary).items()}


def _stated(summary: str) -> dict[str, tuple[Decimal, Decimal]]:
    """Each stated figure with half a unit of its last printed digit."""
    text = fold(summary)
    found: dict[str, tuple[Decimal, Decimal]] = {}
    for key, pattern in _NARRATIVE.items():
        m = pattern.search(text)
        if m:
            value = Decimal(m["n"].replace(",", ""))
            half = Decimal(5).scaleb(int(value.as_tuple().exponent) - 1)
            if key != "rate":
                value *= _TO_WAN[m["u"]]
            found[key] = (value, half)
    return found


# ---------------------------------------------------------------- one table

def table(doc: Document, pack: RulePack, rows: list[Row], results: tuple[IndicatorResult, ...],
          budget: BudgetResult | None, explicit: bool) -> tuple[Finding, ...]:
    """Every finding of one table, in document order."""
    out: list[Finding] = []

    def flag(rule: str, message: str, indicator: str | None = None) -> None:
        out.append(Finding(rule, message, document=doc.name, indicator=indicator))

    _budget_findings(doc, pack, budget, flag)
    _weight_findings(doc, pack, rows, results, budget, explicit, flag)
    _narrative_findings(doc, budget, flag)
    if doc.kind == "department":
        _department_sums(doc, pack, flag)
    _row_findings(doc, pack, rows, results, out)
    return tuple(out)


def _budget_findings(doc: Document, pack: RulePack, budget: BudgetResult | None,
                     flag: _Flag) -> None:
    if budget is None:
        given = doc.budget
        if given is not None and given.planned == 0 and given.executed is not None:
            # A block with 预算数 0 is there, but has no execution rate to score.
            if given.executed > 0:
                flag("execution-over-100",
                     f"执行数 {_amount(given.executed)} 万元超过预算数 0 万元（执行率无法计算）。")
            flag("budget-missing", "预算数为 0，无法计算预算执行率，预算执行分值已按规则分配给其他指标。")
            return
        flag("budget-missing", "未填写预算执行情况（预算数、执行数），预算执行分值已按规则分配给其他指标。")
        return
    rate = budget.rate * _HUNDRED
    stated = budget.stated_rate
    if stated is not None and abs(stated - rate) > pack.threshold("rate_tolerance"):
        flag("execution-rate-mismatch",
             f"填报执行率 {_amount(stated)}% 与执行数/预算数 "
             f"{_amount(budget.executed)}/{_amount(budget.planned)} = {_pct(rate)} 不符"
             f"（差 {_pct(abs(stated - rate))}）。")
    if budget.executed > budget.planned:
        flag("execution-over-100",
             f"执行数 {_amount(budget.executed)} 万元超过预算数 {_amount(budget.planned)} 万元"
             f"（执行率 {_pct(rate)}）。")
    low = pack.threshold("low_execution")
    if budget.rate < low and not gives_reason(doc.deviation):
        flag("low-execution",
             f"预算执行率 {_pct(rate)} 低于 {_pct(low * _HUNDRED)}，未说明偏差原因。")
    if budget.claimed is not None and abs(budget.claimed - budget.score) > pack.threshold(
            "score_claim_tolerance"):
        flag("score-claim-mismatch",
             f"预算执行得分填报 {_amount(budget.claimed)} 分，按规则应为 {round2(budget.score)} 分。",
             "预算执行率")


def _weight_findings(doc: Document, pack: RulePack, rows: list[Row],
                     results: tuple[IndicatorResult, ...], budget: BudgetResult | None,
                     explicit: bool, flag: _Flag) -> None:
    # The budget block is one of the rows that may carry a 分值 (SPEC §4).
    stated_budget = doc.budget.weight if doc.budget is not None else None
    weighted = sum(1 for r in rows if r.indicator.weight is not None)
    count = len(rows)
    if doc.budget is not None:
        count += 1
        weighted += stated_budget is not None
    if explicit:
        total = sum((r.indicator.weight or Decimal(0) for r in rows), Decimal(0))
        total += stated_budget or Decimal(0)
        if abs(total - _HUNDRED) > pack.threshold("weights_tolerance"):
            flag("weights-sum", f"各项分值合计 {_amount(total)} 分，不等于 100 分。")
    elif 0 < weighted < count:
        flag("weights-incomplete",
             f"{count} 项（含预算执行）中仅 {weighted} 项填写了分值，已按规则默认分配权重。"
             if doc.budget is not None else
             f"{count} 项指标中仅 {weighted} 项填写了分值，已按规则默认分配权重。")


def _narrative_findings(doc: Document, budget: BudgetResult | None, flag: _Flag) -> None:
    if not doc.summary or budget is None:
        return
    stated = _stated(doc.summary)
    # Amounts are copied from the table: they agree to half a cent of 万元.
    cent = Decimal("0.005")
    for key, label, value in (("planned", "预算数", budget.planned),
                              ("executed", "执行数", budget.executed)):
        if key in stated and abs(stated[key][0] - value) > cent:
            flag("narrative-mismatch",
                 f"绩效自评综述所述{label} {_amount(stated[key][0])} 万元与表中{label} "
                 f"{_amount(value)} 万元不符。")
    if "rate" in stated:
        # A rate is computed and rounded for print: "99.5%" states 99.51% to
        # one decimal, "100%" states 99.96% to none.  Agreement is what that
        # rounding explains, and never stricter than the table's 0.01 point.
        figure, half = stated["rate"]
        rate = budget.rate * _HUNDRED
        if abs(figure - rate) > max(Decimal("0.01"), half):
            flag("narrative-mismatch",
                 f"绩效自评综述所述完成预算 {_amount(figure)}% 与执行数/预算数 "
                 f"{_amount(budget.executed)}/{_amount(budget.planned)} = {_pct(rate)} 不符。")


def _department_sums(doc: Department, pack: RulePack, flag: _Flag) -> None:
    s, b = doc.spending, doc.budget
    if s is not None and s.basic is not None and s.project is not None and b is not None:
        parts = s.basic + s.project
        for label, value in (("预算数", b.planned), ("执行数", b.executed)):
            if value is not None and abs(value - parts) > pack.threshold("budget_sum_tolerance"):
                flag("budget-sum-mismatch",
                     f"部门整体{label} {_amount(value)} 万元不等于基本支出 {_amount(s.basic)} 万元"
                     f" + 项目支出 {_amount(s.project)} 万元 = {_amount(parts)} 万元"
                     f"（差 {_amount(abs(value - parts))} 万元）。")
    if s is not None and s.project is not None and doc.projects:
        executed = [p.budget.executed for p in doc.projects
                    if p.budget is not None and p.budget.executed is not None]
        total = sum(executed, Decimal(0))
        tolerance = pack.threshold("project_sum_tolerance") * len(doc.projects)
        if abs(total - s.project) > tolerance:
            flag("project-sum-mismatch",
                 f"所列 {len(doc.projects)} 个项目执行数合计 {_amount(total)} 万元，与项目支出总额 "
                 f"{_amount(s.project)} 万元相差 {_amount(abs(total - s.project))} 万元，"
                 f"可能有项目未列入自评。")


def _row_findings(doc: Document, pack: RulePack, rows: list[Row],
                  results: tuple[IndicatorResult, ...], out: list[Finding]) -> None:
    document = doc.name
    table_reason = gives_reason(doc.deviation)
    seen: set[tuple[int, str]] = set()
    tolerance = pack.threshold("score_claim_tolerance")
    for row, result in zip(rows, results):
        ind = row.indicator
        name = ind.name
        if not row.known_level:
            out.append(_on_row(document, name, "unknown-level",
                               f"一级指标“{ind.level1}”不属于产出、成本、效益、满意度。"))
        for f in row.outcome.findings:  # the evaluation's own, attributed to the table
            out.append(Finding(f.rule, f.message, document, f.indicator))
        status = result.status
        if status in ("missed", "partial", "unverifiable") and not (
                table_reason or gives_reason(ind.reason)):
            said = result.explanation.removeprefix(f"{name}：").rstrip("。")
            out.append(_on_row(document, name, "missing-deviation-reason",
                               f"{_STATUS_WORDS[status]}（{said}），但未说明偏差原因。"))
        if ind.score is not None and status != "not_applicable":
            wrong = _claim(result, ind.score, pack, tolerance, _graded(ind.target, result))
            if wrong is not None:
                out.append(_on_row(document, name, "score-claim-mismatch", wrong))
        key = (row.goal_index, fold(name))
        if key in seen:
            where = f"年度目标“{row.goal}”中" if row.goal else "表中"
            out.append(_on_row(document, name, "duplicate-indicator", f"{where}重复出现。"))
        else:
            seen.add(key)


def _on_row(document: str | None, name: str, rule: str, message: str) -> Finding:
    """A finding of the indicator ``name``: its message starts with the name."""
    return Finding(rule, f"{name}：{message}", document, name)


_STATUS_WORDS = {"missed": "未完成", "partial": "部分达成", "unverifiable": "无法核验"}


def _graded(target: str | None, result: IndicatorResult) -> bool:
    """Whether a claimed score may lie anywhere in its band: only qualitative
    outcomes are graded by the reviewer (SPEC §4); deadlines score 1 or 0."""
    if result.status == "partial":
        return True
    if result.ratio is not None or result.status not in ("met", "missed"):
        return False
    try:
        return parse_target(target or "").kind == "qualitative"
    except TargetSyntaxError:
        return False


def _claim(result: IndicatorResult, claimed: Decimal, pack: RulePack, tolerance: Decimal,
           graded: bool) -> str | None:
    """Why a claimed score is wrong (score-claim-mismatch), or None when it is not."""
    if graded and result.status in pack.bands and result.weight > 0:
        low, high = pack.bands[result.status]
        if not (low * result.weight - tolerance <= claimed <= high * result.weight + tolerance):
            return (f"填报得分 {_amount(claimed)} 分不在“{_STATUS_WORDS.get(result.status, '完成')}”的"
                    f"得分区间 {round2(low * result.weight)}–{round2(high * result.weight)} 分内"
                    f"（分值 {round2(result.weight)}）。")
    elif abs(claimed - result.score) > tolerance:
        return (f"填报得分 {_amount(claimed)} 分，按规则应为 {round2(result.score)} 分"
                f"（分值 {round2(result.weight)}）。")
    return None


# ---------------------------------------------------------------- across tables

def _numeric(text: str | None) -> Actual | None:
    try:
        a = parse_actual(text)
    except TargetSyntaxError:
        return None
    return a if a.kind == "quantity" else None


def _same_value(a: Actual, b: Actual) -> bool:
    qa, qb = a.quantity, b.quantity
    assert qa is not None and qb is not None
    if qa.unit is not None and qb.unit is not None and _units.compatible(qa.unit, qb.unit):
        return _units.in_base(qa.value, qa.unit) == _units.in_base(qb.value, qb.unit)
    return qa.value == qb.value


def _key(name: str) -> str:
    return re.sub(r"[\"'“”‘’「」《》]", "", fold(name))


def with_cross_tables(report: Report, doc: Department, pack: RulePack) -> Report:
    """Add the contradictions between a department's tables to its report."""
    catalog = load_catalog()
    tables: list[tuple[str, bool, Document]] = [(doc.name, True, doc)]
    tables.extend((p.name, False, p) for p in doc.projects)
    found: list[tuple[Finding, bool]] = []  # (finding, on a row of the department's own)
    for (name_a, dept_a, a), (name_b, _, b) in combinations(tables, 2):
        rows_b: dict[str, Indicator] = {}
        for ind in _indicators(b):
            rows_b.setdefault(_key(ind.name), ind)
        done: set[str] = set()
        for ind in _indicators(a):
            key = _key(ind.name)
            other = rows_b.get(key)
            if other is None or key in done or catalog.is_per_table(ind.name):
                continue
            if not dept_a and not _same_target(ind.target, other.target):
                continue  # two projects: only rows with the same target
            va, vb = _numeric(ind.actual), _numeric(other.actual)
            if va is None or vb is None or _same_value(va, vb):
                continue
            done.add(key)
            found.append((Finding(
                "cross-table-mismatch",
                f"{ind.name}：《{name_a}》填报实际完成值 {ind.actual}，《{name_b}》填报 "
                f"{other.actual}，同一指标数值不一致。",
                document=doc.name, indicator=ind.name), dept_a))
    if not found:
        return report
    return replace(report, findings=_in_row_order(report.findings, found, _indicators(doc)))


def _in_row_order(findings: tuple[Finding, ...], found: list[tuple[Finding, bool]],
                  rows: list[Indicator]) -> tuple[Finding, ...]:
    """The findings with each cross-table one after those of its row (SPEC §6:
    document order); those on two projects' rows come last."""
    position: dict[str, int] = {}
    for i, ind in enumerate(rows):
        position.setdefault(ind.name, i)

    def row_of(f: Finding) -> int:  # table-level findings come first
        return position.get(f.indicator, -1) if f.indicator is not None else -1

    merged = list(findings)
    for finding, own in found:
        if not own:
            merged.append(finding)
            continue
        row = row_of(finding)
        at = next((j for j, f in enumerate(merged) if f.rule != "cross-table-mismatch"
                   and row_of(f) > row), len(merged))
        merged.insert(at, finding)
    return tuple(merged)


def _same_target(a: str | None, b: str | None) -> bool:
    """``≥ 20万件`` and ``≥200000件`` are the same target."""
    try:
        return parse_target(a or "") == parse_target(b or "")
    except TargetSyntaxError:
        return fold(a or "") == fold(b or "")


def _indicators(doc: Document) -> list[Indicator]:
    rows: list[Indicator] = list(doc.indicators)
    for goal in doc.goals:
        rows.extend(goal.indicators)
    return rows
