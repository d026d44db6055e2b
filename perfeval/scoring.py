"""Scoring a whole table under a rule pack (SPEC §4).

The default allocation, when the table gives no 分值:

* the budget block takes the pack's ``budget_points`` (10, or 20 in Hubei);
* the rest (90 or 80) goes to the 年度目标 — all pooled together, or split
  equally over the goals when the pack has ``split_by_goal``;
* inside a goal, the points go to the pools 产出 : 效益 : 满意度 (成本 rows
  join 产出) in proportion to the pack's pool points, counting only the pools
  that have indicators, and equally to the indicators inside a pool;
* a table without a budget block gives those points to the pools the same
  way, so the weights always total 100.

When every applicable indicator carries a ``weight``, the weights are used as
given.  Score = weight × fraction; exact Decimals throughout.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from perfeval import audit
from perfeval.documents import Department, Document, Indicator, Project, load
from perfeval.errors import DocumentError, RulesError, TargetSyntaxError
from perfeval.evaluate import Outcome, evaluate, with_document
from perfeval.findings import Finding
from perfeval.report import BudgetResult, IndicatorResult, Report
from perfeval.rules import DEFAULT_PACK, RulePack, load_pack
from perfeval.targets import parse_target

__all__ = ["score", "Row", "pool_of"]

_HUNDRED = Decimal(100)
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Row:
    """One indicator row with what scoring needs to know about it."""

    goal: str | None
    goal_index: int
    indicator: Indicator
    pool: str
    known_level: bool
    outcome: Outcome


_LEVEL1_WORDS = (("满意", "满意度"), ("效益", "效益"), ("成本", None), ("产出", "产出"))
# A 二级指标 still tells the pool when the 一级指标 names none.
_LEVEL2_WORDS = _LEVEL1_WORDS + (
    ("数量", "产出"), ("质量", "产出"), ("时效", "产出"),
    ("社会", "效益"), ("经济", "效益"), ("生态", "效益"), ("可持续", "效益"), ("效果", "效益"),
)


def pool_of(level1: str, level2: str, pack: RulePack) -> tuple[str, bool]:
    """The pack pool an indicator's points come from, and whether its 一级指标
    named one (产出, 成本, 效益 or 满意度); 成本 rows join the pack's cost pool."""
    for text, words, known in ((level1, _LEVEL1_WORDS, True), (level2, _LEVEL2_WORDS, False)):
        for word, pool in words:
            if word in text:
                return (pack.cost_pool if pool is None else _pool(pack, pool)), known
    return pack.cost_pool, False


def _pool(pack: RulePack, name: str) -> str:
    return name if name in pack.pools else pack.cost_pool


def _rows(doc: Document) -> list[tuple[str | None, int, Indicator]]:
    rows: list[tuple[str | None, int, Indicator]] = [(None, 0, i) for i in doc.indicators]
    offset = 1 if doc.indicators else 0
    for g, goal in enumerate(doc.goals):
        rows.extend((goal.name, g + offset, i) for i in goal.indicators)
    return rows


def _evaluate(ind: Indicator, pack: RulePack, year: int | None) -> Outcome:
    try:
        return evaluate(ind.target, ind.actual, name=ind.name, rules=pack,
                        direction=ind.direction, year=year, applicable=ind.applicable)
    except TargetSyntaxError as e:
        which = "年度指标值" if _target_broken(ind.target) else "实际完成值"
        reason = e.reason
        message = f"{ind.name}：{which}“{e.source}”无法识别（{reason}）。"
        return Outcome("unverifiable", None, _ZERO, f"{ind.name}：{which}无法识别，无法核验。",
                       (Finding("unverifiable-actual", message, indicator=ind.name),))


def _target_broken(text: str | None) -> bool:
    try:
        parse_target(text or "")
    except TargetSyntaxError:
        return True
    return False


def _budget_present(doc: Document) -> bool:
    b = doc.budget
    return b is not None and b.planned is not None and b.executed is not None and b.planned > 0


def _default_weights(rows: list[Row], pack: RulePack, available: Decimal) -> list[Decimal]:
    weights = [_ZERO] * len(rows)
    live = [i for i, r in enumerate(rows) if r.outcome.status != "not_applicable"]
    if not live:
        return weights
    groups: dict[int, list[int]] = {}
    for i in live:
        key = rows[i].goal_index if pack.split_by_goal else 0
        groups.setdefault(key, []).append(i)
    per_group = available / len(groups)
    for members in groups.values():
        pools: dict[str, list[int]] = {}
        for i in members:
            pools.setdefault(rows[i].pool, []).append(i)
        nominal = sum((pack.pools[p] for p in pools), _ZERO)
        for p, indices in pools.items():
            share = per_group * pack.pools[p] / nominal / len(indices)
            for i in indices:
                weights[i] = share
    return weights


def _explicit_weights(rows: list[Row]) -> list[Decimal] | None:
    live = [r for r in rows if r.outcome.status != "not_applicable"]
    if not live or any(r.indicator.weight is None for r in live):
        return None
    given = [r.indicator.weight or _ZERO for r in rows]
    dropped = sum((w for w, r in zip(given, rows) if r.outcome.status == "not_applicable"), _ZERO)
    kept = sum((w for w, r in zip(given, rows) if r.outcome.status != "not_applicable"), _ZERO)
    # an indicator that does not apply gives its points to the others, pro rata
    scale = (kept + dropped) / kept if kept > 0 and dropped > 0 else Decimal(1)
    return [_ZERO if r.outcome.status == "not_applicable" else w * scale
            for w, r in zip(given, rows)]


def _pack_for(doc: Document, rules: str | RulePack | None) -> RulePack:
    if isinstance(rules, RulePack):
        return rules
    if rules is not None:
        return load_pack(rules)
    ref = doc.rules or DEFAULT_PACK
    if doc.source and (ref.endswith((".yaml", ".yml")) or "/" in ref or "\\" in ref):
        base = Path(doc.source).resolve().parent
        path = (base / ref).resolve()
        if not path.is_relative_to(base):
            raise DocumentError(f"rule pack {ref!r} lies outside the document's folder",
                                path=doc.source, key="rules")
        ref = str(path)
    try:
        return load_pack(ref)
    except RulesError as e:
        raise DocumentError(str(e), path=doc.source, key="rules") from None


def score(document: Document | str | Path | dict[str, object], *,
          rules: str | RulePack | None = None) -> Report:
    """Score a project or department document (a model, a path or a mapping).

    ``rules`` overrides the pack named in the document (and in its projects).
    """
    doc = document if isinstance(document, (Project, Department)) else load(document)  # type: ignore[arg-type]
    pack = _pack_for(doc, rules)
    rows = [Row(goal, gi, ind, *pool_of(ind.level1, ind.level2, pack),
                with_document(_evaluate(ind, pack, doc.year), doc.name))
            for goal, gi, ind in _rows(doc)]

    has_budget = _budget_present(doc)
    explicit = _explicit_weights(rows)
    budget_weight = _ZERO
    if has_budget:
        assert doc.budget is not None
        budget_weight = doc.budget.weight if explicit is not None and doc.budget.weight is not None \
            else pack.budget_points
    if not any(r.outcome.status != "not_applicable" for r in rows) and has_budget:
        budget_weight = _HUNDRED
    weights = explicit if explicit is not None else _default_weights(
        rows, pack, _HUNDRED - budget_weight)

    results = tuple(
        IndicatorResult(
            goal=r.goal, level1=r.indicator.level1, level2=r.indicator.level2,
            name=r.indicator.name, target=r.indicator.target, actual=r.indicator.actual,
            canonical_target=_canonical(r.indicator.target), status=r.outcome.status,
            ratio=r.outcome.ratio, weight=w, score=w * r.outcome.fraction,
            explanation=r.outcome.explanation, pool=r.pool, claimed=r.indicator.score,
        )
        for r, w in zip(rows, weights)
    )
    budget = None
    if has_budget:
        b = doc.budget
        assert b is not None and b.planned is not None and b.executed is not None
        budget_score = max(_ZERO, min(budget_weight, pack.budget_formula(
            points=budget_weight, planned=b.planned, executed=b.executed)))
        budget = BudgetResult(b.planned, b.executed, b.executed / b.planned, budget_weight,
                              budget_score, b.stated_rate, b.score)

    exact = sum((r.score for r in results), _ZERO) + (budget.score if budget else _ZERO)
    exact = min(exact, _HUNDRED)  # explicit weights above 100 are reported, never paid
    projects: tuple[Report, ...] = ()
    projects_score = None
    if isinstance(doc, Department) and doc.projects:
        projects = tuple(score(p, rules=rules) for p in doc.projects)
        projects_score = _projects_score(projects)

    findings = audit.table(doc, pack, rows, results, budget, explicit is not None)
    report = Report(
        kind=doc.kind, name=doc.name, rules=pack.name, exact_total=exact,
        grade=pack.grade(exact.quantize(Decimal("0.01"))), budget=budget, indicators=results,
        findings=findings, projects=projects, exact_projects_score=projects_score,
        source=doc.source, year=doc.year,
    )
    if isinstance(doc, Department):
        report = audit.with_cross_tables(report, doc, pack)
    return report


def _canonical(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return str(parse_target(text))
    except TargetSyntaxError:
        return None


def _projects_score(projects: tuple[Report, ...]) -> Decimal:
    weights = [p.budget.planned if p.budget is not None else None for p in projects]
    if all(w is not None and w > 0 for w in weights):
        total = sum((w for w in weights if w is not None), _ZERO)
        return sum(((w or _ZERO) * p.exact_total for w, p in zip(weights, projects)),
                   _ZERO) / total
    return sum((p.exact_total for p in projects), _ZERO) / len(projects)
