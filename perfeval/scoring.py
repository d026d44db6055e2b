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
the wrong way.  So weights, scores and the total are exact rationals
internally, kept as integer numerators over one denominator the table shares
(Fraction arithmetic row by row would cost more than the rest of scoring);
the Decimals a report carries are those rationals cut at 24 places (weights
apportioned so that they still total exactly 100), and the total is the
exact sum, converted once.
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal, localcontext
from fractions import Fraction
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypeAlias

from perfeval import audit
from perfeval._normalize import fold
from perfeval.documents import read
from perfeval.errors import DocumentError, RulesError, TargetSyntaxError
from perfeval.evaluate import Outcome, evaluate
from perfeval.findings import Finding
from perfeval.report import BudgetResult, IndicatorResult, Report, _indicator_result, round2
from perfeval.rules import DEFAULT_PACK, RulePack, load_pack
from perfeval.targets import parse_target

if TYPE_CHECKING:
    from perfeval import _records, models

    # A table as the loader reads it, or the model perfeval.load gives back.
    Document: TypeAlias = models.Document | _records.Table
    Goal: TypeAlias = models.Goal | _records.Goal
    Indicator: TypeAlias = models.Indicator | _records.Indicator

__all__ = ["Row", "pool_of", "score"]

_ZERO = Decimal(0)


class Row(NamedTuple):
    """One indicator row with what scoring needs to know about it.  The
    findings of ``outcome`` are the evaluation's, not yet attributed to the
    document: the audit does that as it lists them."""

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
    pool, known = _level_words(level1, level2)  # pool is None for 成本 or no known word
    return (pool if pool in pack.pools else pack.cost_pool), known


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


def _rows(doc: Document) -> list[tuple[str | None, int, Indicator]]:
    rows: list[tuple[str | None, int, Indicator]] = [(None, 0, i) for i in doc.indicators]
    offset = 1 if doc.indicators else 0
    goals: tuple[Goal, ...] = doc.goals  # enumerate() of the union alone infers object
    for g, goal in enumerate(goals):
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


# ---------------------------------------------------------------- weights

Ratio: TypeAlias = tuple[int, int]  # (numerator, denominator), denominator > 0


def _over_one(values: Iterable[Decimal]) -> tuple[list[int], int]:
    """The values as numerators over their least common denominator."""
    ratios = [v.as_integer_ratio() for v in values]
    den = math.lcm(*(d for _, d in ratios))
    return [n * (den // d) for n, d in ratios], den


@functools.lru_cache(maxsize=256)  # a pack has a handful of pool combinations
def _pool_units(points: tuple[Decimal, ...]) -> tuple[int, ...]:
    """Pool points over their common denominator, which cancels in points[p] / sum."""
    return tuple(_over_one(points)[0])


def _default_weights(rows: list[Row], pack: RulePack, available: Ratio) -> tuple[list[int], int]:
    """``available`` points shared out by goal, pool and indicator (the module
    docstring): each row's weight over one common denominator."""
    split = pack.split_by_goal
    groups: defaultdict[int, defaultdict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for i, r in enumerate(rows):
        if r.outcome.status != "not_applicable":
            groups[r.goal_index if split else 0][r.pool].append(i)
    weights = [0] * len(rows)
    if not groups:
        return weights, 1
    an, ad = available
    ad *= len(groups)  # each goal's points
    shares: list[tuple[list[int], int, int]] = []
    for pools in groups.values():
        units = _pool_units(tuple(pack.pools[p] for p in pools))
        nominal = sum(units)
        for (p, indices), u in zip(pools.items(), units):
            if nominal > 0:
                shares.append((indices, an * u, ad * nominal * len(indices)))
            else:
                # a pack may give a pool 0 points; if only such pools are
                # present they share the goal equally rather than divide by zero
                shares.append((indices, an, ad * len(pools) * len(indices)))
    den = math.lcm(*(d for _, _, d in shares))
    for indices, n, d in shares:
        share = n * (den // d)
        for i in indices:
            weights[i] = share
    return weights, den


def _explicit_weights(rows: list[Row], doc: Document,
                      has_budget: bool) -> tuple[list[int], int, Ratio] | None:
    """The weights as given (over one common denominator) and the budget
    block's, or None when the default allocation applies.

    SPEC §4: used as given only when every indicator *and* the budget block
    carry one.  A row that does not apply, and a budget block that cannot be
    scored, give their points to the other indicators pro rata.
    """
    live = [r.outcome.status != "not_applicable" for r in rows]
    if not any(live) or any(r.indicator.weight is None for r, on in zip(rows, live) if on):
        return None
    stated_budget = doc.budget.weight if doc.budget is not None else None
    if has_budget and stated_budget is None:
        return None
    given, den = _over_one([r.indicator.weight or _ZERO for r in rows] + [stated_budget or _ZERO])
    stated = given.pop()
    kept = sum(g for g, on in zip(given, live) if on)
    dropped = sum(g for g, on in zip(given, live) if not on)
    if not has_budget and stated_budget is not None:
        dropped += stated
    if kept > 0 and dropped > 0:  # scaled by (kept + dropped) / kept
        weights = [g * (kept + dropped) if on else 0 for g, on in zip(given, live)]
        den *= kept
    else:
        weights = [g if on else 0 for g, on in zip(given, live)]
    budget = stated_budget.as_integer_ratio() if has_budget and stated_budget is not None else (0, 1)
    return weights, den, budget


# Most rows earn all of their weight, or none of it.
_WHOLE = {Decimal(1): (1, 1), Decimal(0): (0, 1)}


def _scores(rows: list[Row], weights: list[int], den: int) -> tuple[list[Decimal], Ratio]:
    """Each row's weight × fraction cut at 24 places, and their exact sum."""
    cut: list[Decimal] = []
    sums: dict[int, int] = {}  # the products, summed by the fraction's denominator
    for r, w in zip(rows, weights):
        o = r.outcome
        n, d = (_WHOLE.get(o.fraction) or o.fraction.as_integer_ratio()
                if o.exact_fraction is None else o.exact_fraction.as_integer_ratio())
        product = w * n
        sums[d] = sums.get(d, 0) + product
        cut.append(_cut(product * _SCALE // (den * d)))
    common = math.lcm(*sums)
    return cut, (sum(s * (common // d) for d, s in sums.items()), den * common)


# ---------------------------------------------------------------- exact → Decimal

_PLACES = 24  # far below any printed digit, within Decimal's 28 for values < 10⁴
_SCALE = 10 ** _PLACES


@functools.lru_cache(maxsize=65536)  # a province's budget points and scores repeat
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


@functools.lru_cache(maxsize=65536)  # a province's tables repeat their weights and scores
def _cut(units: int) -> Decimal:
    """``units × 10⁻²⁴``: a weight or a score cut at 24 places, two a row (a
    memo keyed by one int answers sooner than ``_decimal_of``'s by two)."""
    return _decimal_of.__wrapped__(units, -_PLACES)


def _apportion(numerators: list[int], den: int) -> list[Decimal]:
    """Each ``n / den`` cut at 24 places, the cut-off units handed back to the
    largest remainders, so the Decimals total exactly what the fractions total."""
    scaled = [n * _SCALE for n in numerators]
    units = [n // den for n in scaled]
    total = sum(scaled)
    spare = total // den - sum(units) if total % den == 0 else 0
    if spare:  # most tables' weights end within 24 places, and nothing is cut
        remainders = [n % den for n in scaled]
        by_remainder = sorted(range(len(numerators)), key=lambda i: -remainders[i])
        for i in by_remainder[:spare]:
            units[i] += 1
    return [_cut(u) for u in units]


def _to_decimal(n: int, d: int = 1) -> Decimal:
    """``n / d`` exact when it has a finite decimal form (every half-cent
    does), else 40 significant digits — too close to a tie for any real table."""
    g = math.gcd(n, d)
    n, d = n // g, d // g
    twos = (d & -d).bit_length() - 1
    den, fives = d >> twos, 0
    while den % 390625 == 0:  # 5⁸: a sum of 28-digit quotients has dozens of fives
        den, fives = den // 390625, fives + 8
    while den % 5 == 0:
        den, fives = den // 5, fives + 1
    if den == 1:
        places = max(twos, fives)
        return _decimal_of(n * 10 ** places // d, -places)
    with localcontext() as ctx:
        ctx.prec = 40
        return Decimal(n) / Decimal(d)


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
    # where the document wrote it, when it was read from a file (a model keeps no lines)
    line, key = getattr(doc, "rules_at", None) or (None, "rules")
    within = None
    if ref.endswith((".yaml", ".yml")) or "/" in ref or "\\" in ref:
        # A mapping's relative paths start from the current folder, as its projects' do.
        base = Path(doc.source).resolve().parent if doc.source else Path.cwd().resolve()
        path = (base / ref).resolve()
        if not allow_outside and not path.is_relative_to(base):
            raise DocumentError(f"rule pack {ref!r} lies outside the document's folder "
                                "(allowed only with --allow-rules-outside)",
                                path=doc.source, line=line, key=key)
        ref, within = str(path), None if allow_outside else base
    try:
        return load_pack(ref, within=within)
    except RulesError as e:
        raise DocumentError(str(e), path=doc.source, line=line, key=key) from None


def score(document: Document | str | PathLike[str] | Mapping[str, object], *,
          rules: str | RulePack | None = None, allow_outside_rules: bool = False) -> Report:
    """Score a project or department document (a model, a path or a mapping).

    ``rules`` overrides the pack named in the document (and in its projects).
    A document's own ``rules:`` path may not leave the document's folder
    unless ``allow_outside_rules`` is true.
    """
    doc = read(document) if isinstance(document, str | PathLike | Mapping) else document
    pack = _pack_for(doc, rules, allow_outside_rules)
    rows: list[Row] = []
    year = doc.year
    for goal, gi, ind in _rows(doc):
        pool, known = pool_of(ind.level1, ind.level2, pack)
        rows.append(Row(goal, gi, ind, pool, known, _evaluate(ind, pack, year)))

    has_budget = _budget_present(doc)
    explicit = _explicit_weights(rows, doc, has_budget)
    if explicit is not None:
        weights, den, (bn, bd) = explicit
    else:
        bn, bd = 0, 1
        if has_budget:
            live = any(r.outcome.status != "not_applicable" for r in rows)
            bn, bd = pack.budget_points.as_integer_ratio() if live else (100, 1)
        weights, den = _default_weights(rows, pack, (100 * bd - bn, bd))
    budget_weight = _to_decimal(bn, bd)

    scores, (exact, exact_den) = _scores(rows, weights, den)
    indicators: list[IndicatorResult] = []
    for r, w, s in zip(rows, _apportion(weights, den), scores):
        ind, o = r.indicator, r.outcome
        indicators.append(_indicator_result(
            r.goal, ind.level1, ind.level2, ind.name, ind.target, ind.actual,
            _canonical(ind.target), o.status, o.ratio, w, s, o.explanation, r.pool, ind.score))
    results = tuple(indicators)
    budget = None
    if has_budget:
        b = doc.budget
        assert b is not None and b.planned is not None and b.executed is not None
        points = Fraction(bn, bd)
        earned = max(Fraction(0), min(points, pack.budget_formula.exact(
            points=points, planned=b.planned, executed=b.executed)))
        n, d = earned.numerator, earned.denominator
        budget = BudgetResult(b.planned, b.executed, b.executed / b.planned, budget_weight,
                              _to_decimal(n, d), b.stated_rate, b.score)
        exact, exact_den = exact * d + n * exact_den, exact_den * d

    # explicit weights above 100 are reported (weights-sum), never paid
    exact_total = _to_decimal(exact, exact_den) if exact <= 100 * exact_den else _to_decimal(100)
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


def _projects_score(projects: tuple[Report, ...]) -> Decimal:
    """The mean of the projects' unrounded totals, weighted by planned budget
    (a plain mean when some project has no budget block)."""
    totals = [Fraction(p.exact_total) for p in projects]
    planned = [Fraction(p.budget.planned) if p.budget is not None else None for p in projects]
    if all(w is not None and w > 0 for w in planned):
        weights = [w for w in planned if w is not None]
        mean = (sum((w * t for w, t in zip(weights, totals)), Fraction(0))
                / sum(weights, Fraction(0)))
    else:
        mean = sum(totals, Fraction(0)) / len(totals)
    return _to_decimal(mean.numerator, mean.denominator)
