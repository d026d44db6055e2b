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

When every applicable indicator and the budget block carry a ``weight``, the
weights are used as given.  Score = weight × fraction.

Weights such as 50/23 have no finite decimal form, and a sum of 28-digit
quotients can land a hair below a half-cent (99.99499… for 99.995) and round
the wrong way.  So weights, scores and the total are exact fractions
internally; the Decimals a report carries are those fractions cut at 24
places (weights apportioned so that they still total exactly 100), and the
total is the exact sum, converted once.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from perfeval import audit
from perfeval._normalize import fold
from perfeval.documents import read
from perfeval.errors import DocumentError, RulesError, TargetSyntaxError
from perfeval.evaluate import Outcome, evaluate, with_document
from perfeval.findings import Finding
from perfeval.report import BudgetResult, IndicatorResult, Report, round2
from perfeval.rules import DEFAULT_PACK, RulePack, load_pack
from perfeval.targets import parse_target

if TYPE_CHECKING:
    from perfeval import _records, models

    # A table as the loader reads it, or the model perfeval.load gives back.
    Document: TypeAlias = models.Document | _records.Table
    Indicator: TypeAlias = models.Indicator | _records.Indicator

__all__ = ["Row", "pool_of", "score"]

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
# SPEC §6 unknown-level: the 一级指标 must contain one of these words.
_KNOWN_LEVELS = ("产出", "成本", "效益", "满意度")


def pool_of(level1: str, level2: str, pack: RulePack) -> tuple[str, bool]:
    """The pack pool an indicator's points come from, and whether its 一级指标
    names one of 产出, 成本, 效益 or 满意度; 成本 rows join the pack's cost pool."""
    pool, known = _level_words(level1, level2)
    return (pack.cost_pool if pool is None else _pool(pack, pool)), known


@functools.lru_cache(maxsize=4096)
def _level_words(level1: str, level2: str) -> tuple[str | None, bool]:
    """(the pool the levels name, or None for 成本 or none; whether 一级指标 is
    known).  A province's tables use a few dozen level pairs, millions of times."""
    l1, l2 = fold(level1), fold(level2)  # 產出指標 is 产出指标
    known = any(word in l1 for word in _KNOWN_LEVELS)
    for text, words in ((l1, _LEVEL1_WORDS), (l2, _LEVEL2_WORDS)):
        for word, pool in words:
            if word in text:
                return pool, known
    return None, known


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


def _default_weights(rows: list[Row], pack: RulePack, available: Fraction) -> list[Fraction]:
    weights = [Fraction(0)] * len(rows)
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
        points = {p: Fraction(pack.pools[p]) for p in pools}
        nominal = sum(points.values(), Fraction(0))
        for p, indices in pools.items():
            # a pack may give a pool 0 points; if only such pools are present
            # they share the goal equally rather than divide by zero
            part = points[p] / nominal if nominal > 0 else Fraction(1, len(pools))
            share = per_group * part / len(indices)
            for i in indices:
                weights[i] = share
    return weights


def _explicit_weights(rows: list[Row], doc: Document,
                      has_budget: bool) -> tuple[list[Fraction], Fraction] | None:
    """The weights as given, or None when the default allocation applies.

    SPEC §4: used as given only when every indicator *and* the budget block
    carry one.  A row that does not apply, and a budget block that cannot be
    scored, give their points to the other indicators pro rata.
    """
    live = [r for r in rows if r.outcome.status != "not_applicable"]
    if not live or any(r.indicator.weight is None for r in live):
        return None
    stated_budget = doc.budget.weight if doc.budget is not None else None
    if has_budget and stated_budget is None:
        return None
    given = [Fraction(r.indicator.weight or 0) for r in rows]
    dropped = sum((w for w, r in zip(given, rows) if r.outcome.status == "not_applicable"),
                  Fraction(0))
    if not has_budget and stated_budget is not None:
        dropped += Fraction(stated_budget)
    kept = sum((w for w, r in zip(given, rows) if r.outcome.status != "not_applicable"),
               Fraction(0))
    scale = (kept + dropped) / kept if kept > 0 and dropped > 0 else Fraction(1)
    weights = [Fraction(0) if r.outcome.status == "not_applicable" else w * scale
               for w, r in zip(given, rows)]
    budget = Fraction(stated_budget) if has_budget and stated_budget is not None else Fraction(0)
    return weights, budget


# ---------------------------------------------------------------- exact → Decimal

_PLACES = 24  # far below any printed digit, within Decimal's 28 for values < 10⁴
_SCALE = 10 ** _PLACES


@functools.lru_cache(maxsize=65536)  # a province's tables repeat their weights
def _decimal_of(n: int, exp: int) -> Decimal:
    """``n × 10^exp`` built from text (exact, no context), trailing zeros dropped
    (as many as the negative exponent allows)."""
    if n == 0:
        return Decimal(f"0E{max(exp, 0)}")
    digits = str(n)
    zeros = min(len(digits) - len(digits.rstrip("0")), max(0, -exp))
    if zeros:
        digits, exp = digits[:-zeros], exp + zeros
    return Decimal(f"{digits}E{exp}")


def _floor(value: Fraction) -> Decimal:
    return _decimal_of(value.numerator * _SCALE // value.denominator, -_PLACES)


def _apportion(values: list[Fraction]) -> list[Decimal]:
    """Each value cut at 24 places, the cut-off units handed back to the largest
    remainders, so the Decimals total exactly what the fractions total."""
    den, numerators = _common(values)
    scaled = [n * _SCALE for n in numerators]
    units = [n // den for n in scaled]
    total = sum(scaled)
    spare = total // den - sum(units) if total % den == 0 else 0
    if spare:  # most tables' weights end within 24 places, and nothing is cut
        remainders = [n % den for n in scaled]
        by_remainder = sorted(range(len(values)), key=lambda i: -remainders[i])
        for i in by_remainder[:spare]:
            units[i] += 1
    return [_decimal_of(u, -_PLACES) for u in units]


def _sum(values: list[Fraction]) -> Fraction:
    """``sum(values)`` with one Fraction made instead of one per term."""
    den, numerators = _common(values)
    return Fraction(sum(numerators), den)


def _common(values: list[Fraction]) -> tuple[int, list[int]]:
    """The values' common denominator and their numerators over it.  A table's
    weights share one or two denominators, and Fraction arithmetic row by row
    would cost more than the rest of scoring."""
    den = math.lcm(*(v.denominator for v in values)) if values else 1
    return den, [v.numerator * (den // v.denominator) for v in values]


def _to_decimal(value: Fraction) -> Decimal:
    """Exact when the fraction has a finite decimal form (every half-cent does),
    else 40 significant digits — too close to a tie for any real table."""
    den, twos, fives = value.denominator, 0, 0
    while den % 2 == 0:
        den, twos = den // 2, twos + 1
    while den % 5 == 0:
        den, fives = den // 5, fives + 1
    if den == 1:
        places = max(twos, fives)
        return _decimal_of(value.numerator * 10 ** places // value.denominator, -places)
    with localcontext() as ctx:
        ctx.prec = 40
        return Decimal(value.numerator) / Decimal(value.denominator)


def _pack_for(doc: Document, rules: str | RulePack | None,
              allow_outside: bool = False) -> RulePack:
    """The pack a document is scored under.  A document's own ``rules:`` path
    is relative to the document and, like every pack it extends, stays inside
    the document's folder unless ``allow_outside`` (SPEC §8: a document may
    not make perfeval read other files)."""
    if isinstance(rules, RulePack):
        return rules
    if rules is not None:
        return load_pack(rules)
    ref = doc.rules or DEFAULT_PACK
    within = None
    if ref.endswith((".yaml", ".yml")) or "/" in ref or "\\" in ref:
        # A mapping's relative paths start from the current folder, as its projects' do.
        base = Path(doc.source).resolve().parent if doc.source else Path.cwd().resolve()
        path = (base / ref).resolve()
        if not allow_outside and not path.is_relative_to(base):
            raise DocumentError(f"rule pack {ref!r} lies outside the document's folder "
                                "(allowed only with --allow-rules-outside)",
                                path=doc.source, key="rules")
        ref, within = str(path), None if allow_outside else base
    try:
        return load_pack(ref, within=within)
    except RulesError as e:
        raise DocumentError(str(e), path=doc.source, key="rules") from None


def score(document: Document | str | PathLike[str] | Mapping[str, object], *,
          rules: str | RulePack | None = None, allow_outside_rules: bool = False) -> Report:
    """Score a project or department document (a model, a path or a mapping).

    ``rules`` overrides the pack named in the document (and in its projects).
    A document's own ``rules:`` path may not leave the document's folder
    unless ``allow_outside_rules`` is true.
    """
    doc = read(document) if isinstance(document, str | PathLike | Mapping) else document
    pack = _pack_for(doc, rules, allow_outside_rules)
    rows = [Row(goal, gi, ind, *pool_of(ind.level1, ind.level2, pack),
                with_document(_evaluate(ind, pack, doc.year), doc.name))
            for goal, gi, ind in _rows(doc)]

    has_budget = _budget_present(doc)
    live = any(r.outcome.status != "not_applicable" for r in rows)
    explicit = _explicit_weights(rows, doc, has_budget)
    if explicit is not None:
        weights, budget_points = explicit
    else:
        budget_points = Fraction(0)
        if has_budget:
            budget_points = Fraction(pack.budget_points) if live else Fraction(100)
        weights = _default_weights(rows, pack, 100 - budget_points)
    budget_weight = _to_decimal(budget_points)

    exact_scores = [w * _fraction(r.outcome.fraction) for r, w in zip(rows, weights)]
    results = tuple(
        IndicatorResult(
            goal=r.goal, level1=r.indicator.level1, level2=r.indicator.level2,
            name=r.indicator.name, target=r.indicator.target, actual=r.indicator.actual,
            canonical_target=_canonical(r.indicator.target), status=r.outcome.status,
            ratio=r.outcome.ratio, weight=w, score=_floor(exact_score),
            explanation=r.outcome.explanation, pool=r.pool, claimed=r.indicator.score,
        )
        for r, w, exact_score in zip(rows, _apportion(weights), exact_scores)
    )
    budget = None
    exact = _sum(exact_scores)
    if has_budget:
        b = doc.budget
        assert b is not None and b.planned is not None and b.executed is not None
        budget_score = max(_ZERO, min(budget_weight, pack.budget_formula(
            points=budget_weight, planned=b.planned, executed=b.executed)))
        budget = BudgetResult(b.planned, b.executed, b.executed / b.planned, budget_weight,
                              budget_score, b.stated_rate, b.score)
        exact += Fraction(budget_score)

    # explicit weights above 100 are reported (weights-sum), never paid
    exact_total = _to_decimal(min(exact, Fraction(100)))
    projects: tuple[Report, ...] = ()
    projects_score = None
    if doc.kind == "department" and doc.projects:
        projects = tuple(score(p, rules=rules, allow_outside_rules=allow_outside_rules)
                         for p in doc.projects)
        projects_score = _projects_score(projects)

    findings = audit.table(doc, pack, rows, results, budget, explicit is not None)
    report = Report(
        kind=doc.kind, name=doc.name, rules=pack.name, exact_total=exact_total,
        grade=pack.grade(round2(exact_total)), budget=budget, indicators=results,
        findings=findings, projects=projects, exact_projects_score=projects_score,
        source=doc.source, year=doc.year,
    )
    if doc.kind == "department":
        report = audit.with_cross_tables(report, doc, pack)
    return report


@functools.lru_cache(maxsize=65536)
def _canonical(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return str(parse_target(text))
    except TargetSyntaxError:
        return None


_FRACTIONS = {Decimal(1): Fraction(1), Decimal(0): Fraction(0)}


def _fraction(value: Decimal) -> Fraction:
    """The exact share earned; most rows earn all of it, or nothing."""
    exact = _FRACTIONS.get(value)
    return Fraction(value) if exact is None else exact


def _projects_score(projects: tuple[Report, ...]) -> Decimal:
    """The mean of the projects' unrounded totals, weighted by planned budget
    (a plain mean when some project has no budget block)."""
    totals = [Fraction(p.exact_total) for p in projects]
    planned = [Fraction(p.budget.planned) if p.budget is not None else None for p in projects]
    if all(w is not None and w > 0 for w in planned):
        weights = [w for w in planned if w is not None]
        return _to_decimal(sum((w * t for w, t in zip(weights, totals)), Fraction(0))
                          / sum(weights, Fraction(0)))
    return _to_decimal(sum(totals, Fraction(0)) / len(totals))
