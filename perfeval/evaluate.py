"""Evaluating one indicator: an actual value against its target (SPEC §3).

>>> o = evaluate("20 次", "12 次", name="组织工作人员学习培训次数")
>>> o.status, o.ratio
('missed', Decimal('0.6'))
>>> o.explanation
'组织工作人员学习培训次数：年度指标值 20次，实际完成值 12次，完成率 60.00%，未完成。'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any, Literal, NamedTuple, Self, TypeAlias

from perfeval import _units
from perfeval._normalize import fold, fold_startswith
from perfeval._parser import DatePoint, Quantity, find_date, find_quantities
from perfeval.findings import Finding
from perfeval.rules import DEFAULT_PACK, RulePack, load_catalog, load_pack
from perfeval.targets import Actual, Target, parse_actual, parse_target

__all__ = ["Outcome", "Status", "evaluate", "STATUSES", "percent"]

Status = Literal["met", "exceeded", "partial", "missed", "unverifiable", "not_applicable"]
STATUSES: tuple[Status, ...] = ("met", "exceeded", "partial", "missed", "unverifiable",
                                "not_applicable")
_ONE = Decimal(1)
_ZERO = Decimal(0)
_FRACTION_ONE = Fraction(1)
_FRACTION_ZERO = Fraction(0)
_VERDICT = {"met": "已完成", "exceeded": "超额完成", "partial": "部分达成", "missed": "未完成"}


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of one evaluation.

    ``ratio`` is the completion ratio (``None`` for qualitative, deadline and
    unverifiable outcomes); ``fraction`` is the share of the indicator's weight
    it earns under the rule pack.  ``exact_fraction`` is that share as a
    Fraction when its Decimal had to round (15999/18000 is 0.8888333…), so
    that scores stay exact until the output rounds them; else ``None``.
    """

    status: Status
    ratio: Decimal | None
    fraction: Decimal
    explanation: str
    findings: tuple[Finding, ...] = ()
    exact_fraction: Fraction | None = None

    def to_dict(self) -> dict[str, Any]:
        """As ``perfeval check --json`` prints it."""
        return {
            "status": self.status,
            "ratio": None if self.ratio is None else round4(self.ratio),
            "explanation": self.explanation,
            "findings": [f.to_dict() for f in self.findings],
        }


def round4(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def percent(ratio: Decimal, places: str = "0.01") -> str:
    return f"{(ratio * 100).quantize(Decimal(places), rounding=ROUND_HALF_UP)}%"


def _dec(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def _ratio(numerator: int, denominator: int) -> Decimal:
    """``numerator / denominator`` as :func:`_dec` gives ``Fraction(numerator, denominator)``.

    Decimal division rounds the exact value, so integers that are not in
    lowest terms give the very Decimal the reduced ones do; only the sign
    goes on the numerator, as in a Fraction, so that 0 / -5 is 0 and not -0.
    """
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    return Decimal(numerator) / Decimal(denominator)


def _shown(text: str) -> str:
    return "".join(text.split())


# What an indicator's name changes in its evaluation: the direction a bare
# target takes, and whether a percentage may pass 100%.  Beyond these the
# name only labels the sentence and the findings.
_Sense: TypeAlias = tuple[str, bool]


class _Ctx:
    """What every branch needs to word its sentence and its findings."""

    __slots__ = ("name", "pack", "t_text", "a_text", "findings", "year", "sense")

    def __init__(self, name: str | None, pack: RulePack, t_text: str, a_text: str,
                 year: int | None, sense: _Sense | None = None) -> None:
        self.name, self.pack, self.year = name, pack, year
        self.t_text, self.a_text = t_text, a_text
        self.findings: list[Finding] = []
        self.sense = sense

    def direction(self) -> str:
        """The direction a bare target takes by the indicator's name."""
        return self.sense[0] if self.sense is not None else load_catalog().direction(self.name)

    def bounded_rate(self) -> bool:
        """Whether the name is a rate that cannot pass 100%."""
        return (self.sense[1] if self.sense is not None
                else load_catalog().is_bounded_rate(self.name))

    def flag(self, rule: str, message: str) -> None:
        finding = Finding(rule, self.label + message, indicator=self.name)
        if finding not in self.findings:
            self.findings.append(finding)

    @property
    def label(self) -> str:
        return f"{self.name}：" if self.name else ""

    def say(self, *parts: str) -> str:
        head = f"{self.label}年度指标值 {self.t_text}，实际完成值 {self.a_text or '（未填写）'}"
        return "，".join((head, *parts)) + "。"

    def outcome(self, status: Status, ratio: Decimal | None, fraction: Decimal,
                *parts: str) -> Outcome:
        return Outcome(status, ratio, fraction, self.say(*parts), tuple(self.findings))

    def missed(self, ratio: Decimal, share: Fraction, *parts: str) -> Outcome:
        """A quantitative miss earning ``share`` of the weight, clamped to [0, 1]."""
        share = min(_FRACTION_ONE, max(_FRACTION_ZERO, share))
        fraction = _dec(share)
        exact = None if share.denominator == 1 or fraction == share else share
        return Outcome("missed", ratio, fraction, self.say(*parts), tuple(self.findings), exact)

    def unverifiable(self, why: str, *, flag: bool = True) -> Outcome:
        if flag:
            self.flag("unverifiable-actual", f"实际完成值“{self.a_text or '（未填写）'}”无法核验：{why}。")
        return self.outcome("unverifiable", None, _ZERO, f"无法核验：{why}")


class _Same(int):
    """A rule pack as a cache key, by identity: a pack holds dicts, so it has
    no hash. The key is the pack's id as an int, so the memo hashes and
    compares it in C, and it holds the pack, so while the entry is cached no
    other pack can be given that id."""

    pack: RulePack

    def __new__(cls, pack: RulePack) -> Self:
        key = super().__new__(cls, id(pack))
        key.pack = pack
        return key


# Keyed as evaluate is called, so that it looks any call up without checking
# types first; only string keys are ever stored (remember), others miss.
class _PlainMemo(dict[tuple[str | Target | None, str | Actual | None, str | None], "Outcome"]):
    """The memo of the usual call, ``evaluate(target, actual, name=...)`` on
    strings with every other argument at its default: one lookup of the three
    strings, where the general memo hashes seven arguments.  It forgets
    everything when full, so it stays within its size."""

    size = 2**18

    def remember(self, key: tuple[str | None, str | None, str | None],
                 outcome: Outcome) -> Outcome:
        if len(self) >= self.size:
            self.clear()
        self[key] = outcome
        return outcome

    def cache_clear(self) -> None:
        self.clear()


_plain = _PlainMemo()

# Keyed as _evaluate_cached is called: target, actual, pack, what the name
# changes, year and applicability.
_CoreKey: TypeAlias = tuple[str | None, str | None, "str | _Same", _Sense, int | None, bool]


class _UnnamedMemo(dict[_CoreKey, "Outcome"]):
    """Evaluations without a label, by everything but the name except what
    the name changes: indicators of many names share a target and an actual
    (≥95% against 98% for every 满意度), and each then costs a relabelling,
    not an evaluation.  It forgets everything when full."""

    size = 2**16

    def cache_clear(self) -> None:
        self.clear()


_unnamed = _UnnamedMemo()


def _named(target: str | None, actual: str | None, name: str | None, rules: str | _Same,
           direction: str | None, year: int | None, applicable: bool) -> Outcome:
    """:func:`evaluate` on strings, from the unlabelled evaluation of the same
    arguments under the name's sense, labelled with the name."""
    catalog = load_catalog()
    # the name's direction counts only where none is given (see _op_of)
    sense = (direction or catalog.direction(name), catalog.is_bounded_rate(name))
    key = (target, actual, rules, sense, year, applicable)
    core = _unnamed.get(key)
    if core is None:
        if len(_unnamed) >= _unnamed.size:
            _unnamed.clear()
        core = _unnamed[key] = _evaluate_uncached(
            target, actual, rules=rules.pack if isinstance(rules, _Same) else rules,
            year=year, applicable=applicable, sense=sense)
    if name is None:
        return core
    label = f"{name}：" if name else ""
    return Outcome(core.status, core.ratio, core.fraction, label + core.explanation,
                   tuple(Finding(f.rule, label + f.message, f.document, name)
                         for f in core.findings),
                   core.exact_fraction)


# The key of each pack evaluate was given, made once: scoring passes its pack
# with every row.  A key holds its pack, so no other pack can take its id.
_same: dict[int, _Same] = {}


def _same_of(pack: RulePack) -> _Same:
    key = _same.get(id(pack))
    if key is None:
        if len(_same) >= 64:
            _same.clear()
        key = _same[id(pack)] = _Same(pack)
    return key


def evaluate(
    target: str | Target | None,
    actual: str | Actual | None,
    *,
    name: str | None = None,
    rules: str | RulePack = DEFAULT_PACK,
    direction: str | None = None,
    year: int | None = None,
    applicable: bool = True,
) -> Outcome:
    """Evaluate ``actual`` against ``target`` for the indicator ``name``.

    ``direction`` (``positive`` / ``reverse`` / ``equal``) overrides the
    catalog for a bare target; ``year`` resolves year-less dates.  Raises
    :class:`~perfeval.errors.TargetSyntaxError` for unreadable text.

    Calls on strings are memoised (SPEC §8: ``=100%`` against ``100%``
    repeats millions of times); an :class:`Outcome` is immutable, so the
    same one is safely shared.
    """
    plain = rules is DEFAULT_PACK and direction is None and year is None and applicable is True
    if plain:
        try:
            hit = _plain.get((target, actual, name))
        except TypeError:  # an unhashable argument, which is no string
            hit = None
        if hit is not None:
            return hit
    if ((target is None or type(target) is str) and (actual is None or type(actual) is str)
            and (name is None or type(name) is str)
            and (direction is None or type(direction) is str)
            and (year is None or type(year) is int) and type(applicable) is bool
            # a 10 MB cell is not worth keeping: only form-sized text is memoised
            and len(target or "") + len(actual or "") + len(name or "") <= 1024):
        if plain:
            return _plain.remember((target, actual, name),
                                   _named(target, actual, name, DEFAULT_PACK, None, None, True))
        if type(rules) is str:
            return _evaluate_cached(target, actual, name, rules, direction, year, applicable)
        if isinstance(rules, RulePack):
            return _evaluate_cached(target, actual, name, _same_of(rules), direction, year,
                                    applicable)
    return _evaluate_uncached(target, actual, name=name, rules=rules, direction=direction,
                              year=year, applicable=applicable)


_evaluate_cached = lru_cache(maxsize=2**18)(_named)


def name_of(cell: object) -> str | None:
    """An indicator name as a column may hold it: NaN (pandas' empty cell) is
    no name, and a number is its text."""
    if cell is None or type(cell) is str:
        return cell
    return None if cell != cell else str(cell)  # noqa: PLR0124 (only NaN differs from itself)


def _evaluate_uncached(
    target: str | Target | None,
    actual: str | Actual | None,
    *,
    name: str | None = None,
    rules: str | RulePack = DEFAULT_PACK,
    direction: str | None = None,
    year: int | None = None,
    applicable: bool = True,
    sense: _Sense | None = None,
) -> Outcome:
    """:func:`evaluate`, without the memo; ``sense`` stands for what the name
    would tell (see :func:`_named`)."""
    pack = rules if isinstance(rules, RulePack) else load_pack(rules)
    name = name_of(name)
    if isinstance(target, str) and not fold(target):
        target = None  # an empty 年度指标值 cell: nothing to evaluate against
    t = target if isinstance(target, Target) or target is None else parse_target(str(target))
    a = actual if isinstance(actual, Actual) else parse_actual(
        None if actual is None else str(actual))
    ctx = _Ctx(name, pack, _shown(t.source) if t is not None else "", _shown(a.source), year,
               sense)
    if not applicable or (t is not None and t.kind == "not_applicable"):
        return Outcome("not_applicable", None, _ZERO,
                       f"{ctx.label}不适用，该指标不参与评分，分值按规则重新分配。")
    if t is None:
        return ctx.unverifiable("未设定年度指标值")
    if a.kind == "missing":
        return ctx.unverifiable("未填写实际完成值")
    if t.kind == "deadline":
        return _deadline(t, a, ctx)
    if t.kind == "qualitative":
        return _qualitative(t.text, a, ctx)
    return _quantitative(t, a, ctx, direction)


# ---------------------------------------------------------------- numbers

def _op_of(t: Target, ctx: _Ctx, direction: str | None) -> str:
    if t.kind == "range":
        return "range"
    if t.op is not None:
        return t.op
    chosen = direction or ctx.direction()
    return {"positive": ">=", "reverse": "<=", "equal": "="}.get(chosen, ">=")


def _base(q: Quantity) -> Fraction:
    return _units.in_base(q.value, q.unit)


class _Pair(NamedTuple):
    """A target and an actual in one unit, as integers over one positive
    denominator: every comparison of the two is then a comparison of
    integers, and every ratio one Decimal division, where Fractions would
    cost a Python-level object for each step of the arithmetic."""

    target: int
    actual: int
    denominator: int

    @classmethod
    def of(cls, target: Fraction, actual: Fraction) -> _Pair:
        return cls(target.numerator * actual.denominator, actual.numerator * target.denominator,
                   target.denominator * actual.denominator)

    def fractions(self) -> tuple[Fraction, Fraction]:
        return Fraction(self.target, self.denominator), Fraction(self.actual, self.denominator)


def _align(tq: Quantity, aq: Quantity, ctx: _Ctx) -> _Pair | None:
    """Both values in one unit, or None when the units cannot compare."""
    if tq.unit is not None and aq.unit is not None:
        if _units.compatible(tq.unit, aq.unit):
            return _in_base(tq, aq)
        return _per_year(tq, aq)
    if tq.unit is None and aq.unit is None:
        return _in_base(tq, aq)
    if aq.unit is None:
        # A bare number takes the target's unit as written, magnitude included:
        # "78100" under "78100份" is 78100份, "51" under "≥20万件" is 51万件 and
        # "99.8" under "≥90%" is 99.8%.  One reading for every number keeps the
        # score monotonic in the actual.
        _flag_unit_missing(tq, aq, ctx)
        return _Pair.of(_base(tq), _bare_reading(tq, aq))
    f = _units.factor(aq.unit) if aq.unit else Fraction(1)
    scale = aq.magnitude if tq.magnitude == 1 else 1
    return _Pair.of(Fraction(tq.value) * scale * f, _base(aq))


def _in_range_units(low: Quantity, high: Quantity, aq: Quantity,
                    ctx: _Ctx) -> tuple[Fraction, Fraction, Fraction] | None:
    """(low end, actual, high end) in one unit, or None when they cannot compare.

    A bare actual takes the ends' unit.  When the ends are written in
    different units (``1000元-5万元``, ``[0.01平方米,10亩]``) it has a reading
    in each; the one inside the range wins, else the one nearer it, and one
    ``unit-missing`` finding names the unit chosen.
    """
    if aq.unit is not None or (low.unit is None and high.unit is None):
        lo, hi = _align(low, aq, ctx), _align(high, aq, ctx)
        if lo is None or hi is None:
            return None
        (lo_value, av), (hi_value, _) = lo.fractions(), hi.fractions()
        return lo_value, av, hi_value
    lo_value, hi_value = _base(low), _base(high)
    readings: dict[Fraction, Quantity] = {}
    for end in (low, high):
        readings.setdefault(_bare_reading(end, aq), end)

    def distance(x: Fraction) -> Fraction:
        return Fraction(0) if lo_value <= x <= hi_value else min(
            _ratio_distance(x, lo_value), _ratio_distance(x, hi_value))

    av = min(readings, key=distance)
    _flag_unit_missing(readings[av], aq, ctx)
    return lo_value, av, hi_value


def _bare_reading(tq: Quantity, aq: Quantity) -> Fraction:
    """A bare actual in the base unit of the target's unit as written, with
    the target's magnitude unless the actual brings its own (``51`` under
    ``≥20万件`` is 51万件)."""
    f = _units.factor(tq.unit) if tq.unit else Fraction(1)
    return Fraction(aq.value) * (tq.magnitude if aq.magnitude == 1 else 1) * f


def _flag_unit_missing(tq: Quantity, aq: Quantity, ctx: _Ctx) -> None:
    """``unit-missing``, naming the unit :func:`_bare_reading` read the actual in."""
    unit = _units.with_magnitude(tq.unit, tq.magnitude if aq.magnitude == 1 else 1)
    ctx.flag("unit-missing", f"实际完成值 {ctx.a_text} 未写单位，按年度指标值的单位“{unit}”理解。")


def _in_base(tq: Quantity, aq: Quantity) -> _Pair:
    """Both values in their units' base unit."""
    tn, td = _units.base_ratio(tq.value, tq.unit)
    an, ad = _units.base_ratio(aq.value, aq.unit)
    return _Pair(tn * ad, an * td, td * ad)


def _per_year(tq: Quantity, aq: Quantity) -> _Pair | None:
    """Compare a rate per period with a count over the year (1次/月 and 12次).

    An actual without a period under a monthly target may state the year's
    count (12次) or repeat the month's (1次): the reading nearer the target wins.
    """
    assert tq.unit is not None and aq.unit is not None
    t_per = _units.per_year(tq.unit)
    a_per = _units.per_year(aq.unit)
    if t_per is None and a_per is None:
        return None
    t_head, t_times = t_per or (tq.unit, Fraction(1))
    a_head, a_times = a_per or (aq.unit, Fraction(1))
    if not _units.compatible(t_head, a_head):
        return None
    tv = Fraction(tq.value) * _units.factor(t_head) * t_times
    av = Fraction(aq.value) * _units.factor(a_head) * a_times
    if t_per is not None and a_per is None:
        av = _nearest([av, av * t_times], tv)
    return _Pair.of(tv, av)


def _nearest(readings: list[Fraction], reference: Fraction) -> Fraction:
    return min(readings, key=lambda x: _ratio_distance(x, reference))


def _ratio_distance(x: Fraction, reference: Fraction) -> Fraction:
    """How far apart two values are, as the larger over the smaller."""
    if x <= 0 or reference <= 0:
        return abs(x - reference)
    r = x / reference
    return r if r >= 1 else 1 / r


def _mismatch(t: Target, aq: Quantity, ctx: _Ctx) -> Outcome:
    ctx.flag("unit-mismatch",
             f"年度指标值单位“{t.unit}”与实际完成值单位“{aq.unit}”不一致，无法比较。")
    return ctx.outcome("unverifiable", None, _ZERO,
                       f"单位“{t.unit}”与“{aq.unit}”不一致，无法核验")


# Words that make a figure in a sentence a change or a comparison, not the
# amount done: 较上年增加20人 says nothing of the year's total.
_CHANGE = ("较", "比", "增加", "增长", "提高", "提升", "下降", "减少", "降低", "超出", "超过", "差", "缺",
           "少于", "多于", "同比", "环比", "未")


def _figure_in_text(t: Target, a: Actual) -> Actual:
    """``完成培训120人次`` under ``≥100人次``: the one figure in the sentence in
    the target's units is the value reached.  Anything less clear stays text."""
    if a.kind != "text" or a.phrase is not None or t.unit is None or any(
            w in a.text for w in _CHANGE):
        return a
    figures = find_quantities(a.text)
    if len(figures) != 1 or figures[0].unit is None:
        return a
    if not _units.compatible(figures[0].unit, t.unit):
        return a
    return Actual("quantity", a.source, quantity=figures[0])


# "None happened", written for a count that should stay low: 0 in the target's unit.
_NONE = frozenset({"无", "没有", "未发生", "无发生", "均未发生", "全年无", "杜绝"})


def _quantitative(t: Target, a: Actual, ctx: _Ctx, direction: str | None) -> Outcome:
    a = _figure_in_text(t, a)
    if a.kind == "text" and a.text in _NONE and t.kind == "compare" and (
            _op_of(t, ctx, direction) in ("<=", "<") or t.value == 0):
        # 无 under 0次 (安全事故发生数) is the count itself, not a description
        a = Actual("quantity", a.source, quantity=Quantity(Decimal(0), 1, t.unit))
    if a.kind in ("text", "date"):
        if a.phrase is not None:
            return ctx.unverifiable("数值指标应填写实际完成的数值，而非“达成”类表述")
        return ctx.unverifiable("数值指标的实际完成值不是数值")
    assert a.quantity is not None and t.low is not None
    if t.unit == "%" and ctx.bounded_rate():
        for q, which in ((t.low, "年度指标值"), (t.high, "年度指标值"), (a.quantity, "实际完成值")):
            if q is not None and q.unit in ("%", None) and q.value > 100:
                return ctx.unverifiable(f"{which} {_dec(Fraction(q.value))}% 超过 100%，疑为录入或识别错误")
    op = _op_of(t, ctx, direction)
    if a.kind in ("bound", "range"):
        return _bound(t, a, op, ctx)
    if t.kind == "range":
        assert t.high is not None
        bounds = _in_range_units(t.low, t.high, a.quantity, ctx)
        if bounds is None:
            return _mismatch(t, a.quantity, ctx)
        lo, av, hi = bounds
        if lo <= av <= hi:
            return ctx.outcome("met", _ONE, _ONE, "在指标区间内", "已完成")
        end = lo if av < lo else hi
        share = _nearness(av.numerator * end.denominator, end.numerator * av.denominator)
        r = _dec(share)
        where = "低于区间下限" if av < lo else "高于区间上限"
        return ctx.missed(r, share, where, f"完成率 {percent(r)}", "未完成")
    pair = _align(t.low, a.quantity, ctx)
    if pair is None:
        return _mismatch(t, a.quantity, ctx)
    garbled = _two_for_ge(t, a, pair)
    if garbled is not None:
        return ctx.unverifiable(garbled)
    if op in (">=", ">"):
        return _positive(op, pair, ctx)
    if op in ("<=", "<"):
        return _reverse(op, pair, ctx)
    return _equal(pair, ctx)


# OCR reads ≥ as 2 (≥92% becomes 292%, ≥280次 becomes 2280次): a bare value
# whose leading 2 may be such a sign, followed by at least two digits.
_LEADING_TWO = re.compile(r"2(?P<rest>[1-9]\d+(?:\.\d+)?)")
_TRAILING_WORDS = re.compile(r"[^\d.]+$")


def leading_two(text: str) -> re.Match[str] | None:
    """The figure of ``text`` (words after it aside) when its leading 2 may be
    such a sign, with the rest as ``rest``; else None."""
    if not fold_startswith(text, "2"):
        return None  # (the garble opens with its 2: no need to fold it all, or for the regexes)
    return _LEADING_TWO.fullmatch(_TRAILING_WORDS.sub("", fold(text)))


def _two_for_ge(t: Target, a: Actual, pair: _Pair) -> str | None:
    """Why the pair looks like an OCR garble, or None.

    The pair is suspect when the figure read as written is far off the other
    (under half of the target, or over twice it) while, without its leading
    2, it lands within a quarter of it: the coincidence is the garble's mark,
    and no score is better than a confident wrong one.
    """
    if pair.target <= 0 or pair.actual <= 0:
        return None
    # An actual far above its target is usually a target set too low (5000 户
    # for ≥500 户); only a percentage over twice its target is that implausible.
    percent_actual = t.unit == "%" and a.quantity is not None and a.quantity.unit in ("%", None)
    for which, text, bare in (("年度指标值", t.source, t.op is None),
                              ("实际完成值", a.source, percent_actual)):
        if not bare:
            continue
        m = leading_two(text)
        if m is None:
            continue
        # only ratios of the two follow, so the pair's denominator may go
        tv, av = Fraction(pair.target), Fraction(pair.actual)
        value = tv if which == "年度指标值" else av
        written = Decimal(m[0])
        stripped = value * Fraction(Decimal(m["rest"])) / Fraction(written)
        if which == "年度指标值":
            far, near = av / value, av / stripped
            if far < Fraction(1, 2) and Fraction(4, 5) <= near <= Fraction(5, 4):
                return f"{which} {_shown(t.source)} 疑为“≥{m['rest']}”的识别错误"
        else:
            far, near = value / tv, stripped / tv
            if far >= 2 and Fraction(4, 5) <= near <= Fraction(5, 4):
                return f"{which} {_shown(a.source)} 疑为“≥{m['rest']}”的识别错误"
    return None


def _nearness(x: int, y: int) -> Fraction:
    """The completion ratio of a miss between two values: the one nearer 0
    over the other, which is actual / target below a target and target /
    actual above it; 0 when they lie on two sides of 0 (-3% against =5%), so
    that a ratio is never below 0."""
    if (x > 0 and y > 0) or (x < 0 and y < 0):
        return Fraction(x, y) if abs(x) <= abs(y) else Fraction(y, x)
    return _FRACTION_ZERO


def _positive(op: str, pair: _Pair, ctx: _Ctx) -> Outcome:
    tv, av = pair.target, pair.actual
    if tv <= 0:
        # A target of 0, or one below it (≥-5%: a fall allowed), is met as a
        # 0 is: actual / target would call a deeper fall a greater success.
        if av > tv or (av == tv and op == ">="):
            return ctx.outcome("met", _ONE, _ONE, "已完成")
        if av == tv:
            return _boundary(ctx)
        if tv == 0:
            return ctx.outcome("missed", _ZERO, _ZERO, "未完成")
        share = _nearness(av, tv)  # -7% against ≥-5%: 5/7, as a reverse miss scores
        r = _dec(share)
        return ctx.missed(r, share, f"完成率 {percent(r)}", "未完成")
    # An actual below 0 (a fall) against a rise has done none of it: ratio 0
    r = _ratio(av, tv) if av >= 0 else _ZERO
    if av > tv or (av == tv and op == ">="):
        threshold = ctx.pack.over_threshold
        if r >= threshold:
            ctx.flag("target-too-low",
                     f"实际完成值 {ctx.a_text} 为年度指标值 {ctx.t_text} 的 {percent(r, '0.1')}"
                     f"（≥{percent(threshold, '1')}），指标值可能设定偏低。")
            return ctx.outcome("exceeded", r, _ONE, f"完成率 {percent(r)}", "超额完成")
        return ctx.outcome("met", r, _ONE, f"完成率 {percent(r)}", "已完成")
    if av == tv:
        return _boundary(ctx)
    return ctx.missed(r, Fraction(av, tv), f"完成率 {percent(r)}", "未完成")


def _boundary(ctx: _Ctx) -> Outcome:
    return ctx.outcome("missed", _ONE, _ONE,
                       f"恰为临界值，未满足“{ctx.t_text}”的要求", "未完成（按完成计分）")


def _reverse(op: str, pair: _Pair, ctx: _Ctx) -> Outcome:
    tv, av = pair.target, pair.actual
    if av < tv or (av == tv and op == "<="):
        return ctx.outcome("met", _ONE, _ONE, "未超过指标上限", "已完成")
    if av == tv:
        return _boundary(ctx)
    if tv < 0:
        # ≤-5% (a fall of at least 5%): the pack's formula is written for
        # amounts above 0, so the miss earns its ratio, the share of the fall
        # achieved (-3% of -5%), and none when there was a rise instead.
        share = _nearness(av, tv)
        r = _dec(share)
        return ctx.missed(r, share, "超出指标上限", f"完成率 {percent(r)}", "未完成")
    r = _ratio(tv, av) if tv > 0 else _ZERO
    share = ctx.pack.reverse_formula.exact(target=Fraction(tv, pair.denominator),
                                           actual=Fraction(av, pair.denominator))
    return ctx.missed(r, share, "超出指标上限", f"完成率 {percent(r)}", "未完成")


def _equal(pair: _Pair, ctx: _Ctx) -> Outcome:
    tv, av = pair.target, pair.actual
    if av == tv:
        return ctx.outcome("met", _ONE, _ONE, "与指标值一致", "已完成")
    share = _nearness(av, tv)
    r = _dec(share)
    return ctx.missed(r, share, "低于指标值" if av < tv else "高于指标值", f"完成率 {percent(r)}",
                      "未完成")


_INF = None


def _interval(op: str, low: Fraction, high: Fraction | None = None
              ) -> tuple[Fraction | None, bool, Fraction | None, bool]:
    """(low, low_open, high, high_open); None is unbounded."""
    if op == ">=":
        return low, False, _INF, True
    if op == ">":
        return low, True, _INF, True
    if op == "<=":
        return _INF, True, low, False
    if op == "<":
        return _INF, True, low, True
    if op == "=":
        return low, False, low, False
    return low, False, high, False


def _inside(inner: tuple[Fraction | None, bool, Fraction | None, bool],
            outer: tuple[Fraction | None, bool, Fraction | None, bool]) -> bool:
    il, ilo, ih, iho = inner
    ol, olo, oh, oho = outer
    if ol is not None:
        if il is None or il < ol or (il == ol and olo and not ilo):
            return False
    if oh is not None:
        if ih is None or ih > oh or (ih == oh and oho and not iho):
            return False
    return True


def _bound(t: Target, a: Actual, op: str, ctx: _Ctx) -> Outcome:
    """An actual copied from the target (``≥90%``): met only if it implies it."""
    assert a.quantity is not None and t.low is not None
    ctx.flag("actual-is-bound",
             f"实际完成值“{ctx.a_text}”是区间或比较式表述，而非实际测得的数值。")
    low = _align(t.low, a.quantity, ctx)
    if low is None:
        return _mismatch(t, a.quantity, ctx)
    tv, av = low.fractions()
    if t.kind == "range":
        assert t.high is not None
        hi = _align(t.high, a.quantity, ctx)
        outer = _interval("range", tv, hi.fractions()[0] if hi is not None else tv)
    else:
        outer = _interval(op, tv)
    if a.kind == "range":
        assert a.high is not None
        ah = _align(t.low, a.high, ctx)
        inner = _interval("range", av, ah.fractions()[1] if ah is not None else av)
    else:
        assert a.op is not None
        inner = _interval(a.op, av)
    if _inside(inner, outer):
        return ctx.outcome("met", _ONE, _ONE, "以比较式填报，满足指标要求", "视为完成")
    return ctx.unverifiable("以比较式填报，不能说明是否达到年度指标值")


# ---------------------------------------------------------------- deadlines

_ON_TIME = re.compile(r"(按期|按时|如期|及时|提前|规定时间内|规定期限内|时限内|期限内|计划时间内|当年|年内|已)"
                      r".*(完成|办结|到位|发放|拨付|实施|竣工|完工)")


def _resolve(d: DatePoint, other: DatePoint, year: int | None) -> tuple[int, int, int]:
    fallback = year if year is not None else other.year if other.year is not None else 2024
    return d.resolve(d.year if d.year is not None else fallback)


def _deadline(t: Target, a: Actual, ctx: _Ctx) -> Outcome:
    assert t.date is not None
    date = a.date
    if a.kind == "text" and not _negated(a.text):
        date = find_date(a.text)  # 已于2023年10月完成: the date inside the sentence decides
    if date is not None and a.kind in ("date", "text"):
        due = _resolve(t.date, date, ctx.year)
        done = _resolve(date, t.date, ctx.year)
        if a.bound:
            ctx.flag("actual-is-bound", f"实际完成值“{ctx.a_text}”照抄了时限，而非实际完成日期。")
            if done <= due:
                return ctx.outcome("met", None, _ONE, "照抄时限，视为按期完成")
            return ctx.unverifiable("照抄的时限晚于年度指标值，不能说明按期完成")
        if done <= due:
            return ctx.outcome("met", None, _ONE, "按期完成")
        return ctx.outcome("missed", None, _ZERO, "晚于规定时限", "未按期完成")
    if a.kind == "text":
        return _qualitative("按期完成", a, ctx, deadline=True)
    return ctx.unverifiable("时限指标的实际完成值应为完成日期或完成情况")


# ---------------------------------------------------------------- words

_NEGATIONS = ("未", "没有", "没", "无法", "不能", "不够", "不到位", "不合格", "不及时", "不达标",
              "不满意", "不完善", "不符合", "尚未", "延期", "滞后", "逾期", "较差", "不理想")
# Wordings that concede the aim was reached only in part: 提高不明显, 有待加强, 不太规范.
_WEAKENED = ("不明显", "不够明显", "不显著", "不突出", "有待", "仍需", "尚需", "还需", "有差距",
             "不太")
_COMPLETED = re.compile(
    r"^(已经|已|均已|全部|已全部|均|按期|按时|如期|及时|提前|顺利|圆满|全面)?"
    r"(完成|达成|达到|实现|达标|落实|做到)了?"
    r"(预期|年度|既定|计划|设定|绩效|全部)?(目标|任务|指标|要求|效果|标准)?$")
# Ordinal grades, best first.  A pair is judged on the first scale that holds
# both words, so 高/中 is one grade apart (高中低) and 高/较高 too (高较高中较低低).
_SCALES: tuple[tuple[str, ...], ...] = (
    ("优", "良", "中", "差"), ("优秀", "良好", "中等", "差"), ("好", "较好", "一般", "差"),
    ("好", "较好", "一般", "较差", "差"), ("高", "中", "低"), ("高", "较高", "中", "较低", "低"),
    ("优秀", "优良", "良好", "合格", "不合格"),
)
_STRONG = ("显著", "明显", "大幅度", "大幅", "大大", "极大", "全面", "充分", "很大", "大力", "较大")
# 较 hedges: 较规范 and 较及时 claim less than 规范 and 及时.
_WEAK = ("有所", "逐步", "略有", "稍有", "一定程度上", "一定程度", "初步", "部分", "基本", "一定",
         "较为", "比较", "较")
# 有效 and 切实 are the forms' habit (有效保障, 切实提高), not a claim of degree.
_FILLER = ("得到", "进一步", "持续", "不断", "稳步", "已经", "已", "均", "实现", "都",
           "获得", "取得", "有效", "切实", "有")
# Words that say the same thing; folded before comparing wordings.
_SYNONYMS = (("提升", "提高"), ("增强", "提高"), ("加强", "提高"), ("增加", "提高"),
             ("显著", "明显"), ("改进", "改善"), ("保证", "保障"), ("确保", "保障"),
             ("减少", "降低"), ("下降", "降低"), ("按时", "及时"), ("按期", "及时"),
             ("如期", "及时"))
# A target that asks for something NOT to happen: 否, 无, 无重大安全事故, 零事故.
_ABSENT_WORDS = frozenset({"否", "无", "没有", "零", "0", "未发生", "不存在", "杜绝"})
_ABSENT_START = ("无", "零", "未发生", "未出现", "不发生", "不出现", "杜绝", "避免", "没有", "确保不发生",
                 "确保无", "未造成", "不造成", "未产生", "不产生")
_NOT_ABSENT = ("无障碍", "无偿", "无害化", "无缝", "无纸化", "无线", "无人机", "无公害", "零售",
               "零距离", "零星")
_ABSENT_ANY = ("未发生", "没有发生", "未出现", "没有出现", "未造成", "没有造成", "未产生", "没有产生",
               "不存在", "无", "零", "杜绝")
_PRESENT = ("发生", "出现", "存在", "造成", "产生")
_YES = ("是", "有")
# Words that deny the word after them: 不规范, 无效 (有效 less its 有), 非长期.  They are read
# only right before the target's own key word, so 不 in 不断提高 or 无 in 无重大安全事故
# is never taken for one.  The longer of two spellings comes first (没有 before 没).
_DENY = ("没有", "不能", "不可", "未能", "无法", "不", "无", "未", "没", "非")
# 无 and 没有 take a noun phrase: 无安全事故 denies the 事故, not the 安全.  The others bind
# the word itself, so 不安全因素 speaks of unsafety whatever follows.
_DENY_NOUN = frozenset({"无", "没有", "没"})
# Words that open with a denial but deny nothing (不断, 非常, 不同程度) ...
_NOT_DENIAL = ("不断", "不同", "不少", "不仅", "不但", "不论", "不久", "不时", "无论", "非常",
               "未来") + _NOT_ABSENT
# ... or deny twice: 无不提高 and 并非不规范 affirm.
_DOUBLE = ("不得不", "不能不", "不可不", "没有不", "无一不", "无不", "莫不", "非不")
# Modifiers that may stand between a denial and its word: 没有明显提高, 无有效保障,
# 未出现超预算, 未发现违规.  Longest first, so 有效 goes before 有.
_BETWEEN = tuple(sorted(set(_STRONG + _WEAK + _FILLER + _PRESENT + ("发现",)),
                        key=lambda word: (-len(word), word)))


def _by_last(words: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """``words`` by their last character, in their order: the one character
    before a word then names the few that may end there."""
    out: dict[str, tuple[str, ...]] = {}
    for word in words:
        out[word[-1]] = (*out.get(word[-1], ()), word)
    return out


_DENY_BY_LAST = _by_last(_DENY)
_BETWEEN_BY_LAST = _by_last(_BETWEEN)
# What may follow a denied word and still end its clause: 不规范。, 不规范的, 未提高了.
_CLAUSE_END = frozenset("，,。；;、！!？?）)")


def _negated(text: str) -> bool:
    return any(n in text for n in _NEGATIONS)


def _absent(text: str) -> bool:
    if text in _ABSENT_WORDS:
        return True
    return text.startswith(_ABSENT_START) and not text.startswith(_NOT_ABSENT)


# 较上年 is "than last year", not the hedge 较: dropped before wordings compare.
_BASELINE = re.compile(r"(较|比|与)(上年同期|上一年度|上一年|上年度|上年|去年|往年|同期)(相比)?|同比")


def _synonyms(text: str) -> str:
    text = _BASELINE.sub("", text)
    for word, same in _SYNONYMS:
        text = text.replace(word, same)
    return text


def _strength(text: str) -> tuple[int, str]:
    """(strength, core): 明显提高 -> (2, 提高), 有所提升 -> (0, 提高)."""
    # text[start:] is read in place, as in _strength_before
    strength, start, changed = 1, 0, True
    while changed:
        changed = False
        for words, level in ((_STRONG, 2), (_WEAK, 0), (_FILLER, None)):
            for w in words:
                if text.startswith(w, start) and len(text) - start > len(w):
                    start, changed = start + len(w), True
                    if level is not None:
                        strength = level if level == 0 or strength != 0 else strength
                    break
    return strength, text[start:]


def _strength_before(prefix: str) -> int:
    """The strength of the modifiers that end ``prefix``: 服务效能得到有效| -> 2."""
    # prefix[:end] is read in place: a cell may be megabytes of modifiers.
    strength, end, changed = 1, len(prefix), True
    while changed:
        changed = False
        for words, level in ((_STRONG, 2), (_WEAK, 0), (_FILLER, None)):
            for w in words:
                if prefix.endswith(w, 0, end):
                    end, changed = end - len(w), True
                    if level is not None:
                        strength = level if level == 0 or strength != 0 else strength
                    break
    return strength


def _denier(fa: str, start: int) -> str | None:
    """The denial of the word at ``fa[start:]`` (不 in 管理不规范), or None.

    Modifiers between the two are skipped (没有明显提高); a word that only
    opens with a denial (不断, 非常) or a double denial (无不) denies nothing.
    """
    # fa[:end] is read in place (endswith with bounds): a cell may be megabytes
    # long and hold the word at every character.
    end = start
    while end > 0:
        last = fa[end - 1]
        for word in _DENY_BY_LAST.get(last, ()):
            if fa.endswith(word, 0, end):
                if fa.endswith(_DOUBLE, 0, end) or fa.startswith(_NOT_DENIAL, end - len(word)):
                    return None
                return word
        for word in _BETWEEN_BY_LAST.get(last, ()):
            if fa.endswith(word, 0, end):
                end -= len(word)
                break
        else:
            return None
    return None


def _ends_clause(fa: str, at: int) -> bool:
    """Whether the words from ``fa[at]`` on are none, or close the clause before them."""
    if at < len(fa) and fa[at] in "了的":
        at += 1
    return at == len(fa) or fa[at] in _CLAUSE_END


# What _denial finds: the actual denies the target's key word (管理不规范); denies it
# but goes on (不安全因素已消除: no verdict); agrees with a target that is itself a
# denial (未超预算 for 不超预算) or contradicts it (超预算); or the target is a denial
# and the actual is neither (开展违规排查, or both at once).
_Denial = Literal["denied", "unclear", "agrees", "contrary", "negative"]


def _denial(ft: str, fa: str) -> _Denial | None:
    """How the actual stands to the target's key word, by the denials around it.

    The key word is the target's core as :func:`_wording` sees it (提高 of
    明显提高), or, for a longer core, the two characters that open it (改善 of
    改善学校的办学条件, as ``_wording`` accepts 改善 for it).
    """
    ft, fa = _synonyms(ft), _synonyms(fa)
    core = _strength(ft)[1]
    if not core:  # 同比 alone: nothing left once the baseline goes
        return None
    for word in _DENY:
        if core.startswith(word) and not core.startswith(_NOT_DENIAL):
            # 不超预算 asks for a denial: the actual must deny 超预算 too, and
            # 不存在违规 is answered by 无违规 as well as by 不存在违规
            key = _strength(core[len(word):])[1]
            if not key:  # 不 alone names nothing to deny
                return None
            for verb in _PRESENT:
                if key.startswith(verb) and len(key) > len(verb):
                    key = key[len(verb):]
                    break
            agrees = contrary = False
            start = fa.find(key)
            while start >= 0:
                ends = _ends_clause(fa, start + len(key))
                # once a denial is found, only a statement at a clause's end adds anything
                if not agrees or ends:
                    if _denier(fa, start) is not None:
                        agrees = True
                    elif ends:
                        contrary = True  # 超预算 stated; 开展违规排查 only names it
                    if agrees and contrary:
                        break
                start = fa.find(key, start + 1)
            if agrees != contrary:
                return "agrees" if agrees else "contrary"
            return "negative"
    keys = [core]
    if len(core) > 2 and all("\u4e00" <= ch <= "\u9fff" for ch in core[:2]):
        keys.append(core[:2])
    unclear = False
    for key in keys:
        start = fa.find(key)
        while start >= 0:
            ends = _ends_clause(fa, start + len(key))
            if ends or not unclear:  # once unclear, only a denied clause's end adds anything
                denier = _denier(fa, start)
                if denier is not None:
                    if ends:
                        return "denied"
                    unclear = denier not in _DENY_NOUN
            start = fa.find(key, start + 1)
    return "unclear" if unclear else None


def _grade(ft: str, fa: str) -> tuple[Status, str] | None:
    for scale in _SCALES:
        if ft in scale and fa in scale:
            gap = scale.index(fa) - scale.index(ft)
            if gap <= 0:
                return "met", "等级不低于指标值"
            if gap == 1:
                return "partial", "等级低一档"
            return "missed", f"等级低{gap}档"
    return None


def _wording(ft: str, fa: str) -> tuple[Status, str] | None:
    """明显提高 against 有所提高: the same aim, said more or less strongly."""
    ft, fa = _synonyms(ft), _synonyms(fa)
    st, core_t = _strength(ft)
    sa, core_a = _strength(fa)
    if core_t != core_a:
        if len(core_t) >= 2 and core_t in fa:
            # 服务效能得到提升 states the target 提升 about its object
            sa = _strength_before(fa[:fa.rfind(core_t)])
        elif not (len(core_a) >= 2 and core_t.startswith(core_a)):
            # (改善 answers 改善学校的办学条件: the verb that opens the target)
            return None
    if sa >= st:
        return "met", "表述不弱于指标值"
    return "partial", "表述弱于指标值"


_DENIED = "表述为否定，与指标值相反"


def _judge(target: str, actual: Actual) -> tuple[Status, str] | None:
    """SPEC §3, in its order: met, then missed, then partial; None is unverifiable."""
    ft, fa = fold(target), actual.text
    if fa == ft or (len(ft) > 2 and sorted(fa) == sorted(ft)):
        # (农民收入增加 answers 增加农民收入: the same words in another order)
        return "met", "与指标值一致"
    if actual.phrase is not None:
        return {"met": ("met", "达成年度指标"), "partial": ("partial", "部分达成年度指标"),
                "missed": ("missed", "未达成年度指标")}[actual.phrase]  # type: ignore[return-value]
    if _absent(ft):
        # 否 / 无重大安全事故: a negation in the actual is what the target asks for
        if _absent(fa) or any(w in fa for w in _ABSENT_ANY):
            return "met", "表述为未发生"
        if fa in _YES or any(w in fa for w in _PRESENT):
            return "missed", "与指标值相反"
        return None
    if ft in _YES:
        if fa in _YES or _COMPLETED.match(fa):
            return "met", "表述为已完成"
        if fa in _ABSENT_WORDS or _negated(fa):
            return "missed", "与指标值相反"
        return None
    weakened = any(w in fa for w in _WEAKENED) and not any(w in ft for w in _WEAKENED)
    # Before the grades: 不合格 denies 合格 rather than sitting one grade below it.
    denial = _denial(ft, fa)
    if denial == "denied":
        if weakened:  # 不明显提高 denies the degree, not the aim
            return "partial", "表述为效果不够明显"
        return "missed", _DENIED
    if denial == "agrees":
        return "met", "表述与指标值相符"
    if denial == "contrary":
        return "missed", "与指标值相反"
    graded = _grade(ft, fa)
    if graded is not None:
        return graded
    # a denial answers a target that is one (未超预算 for 不超预算) without missing it
    if _negated(fa) and not _negated(ft) and denial != "negative":
        if weakened:
            return "partial", "表述为效果不够明显"
        return "missed", "实际完成值表述为未完成"
    if weakened:
        return "partial", "表述为效果不够明显"
    if _COMPLETED.match(fa):
        return "met", "表述为已完成"
    if "基本" in fa and "基本" not in ft:
        return "partial", "表述为基本完成"
    if denial == "unclear":
        return None  # the key word is there, but denied: never "不弱于指标值"
    return _wording(ft, fa)


def _qualitative(target: str, a: Actual, ctx: _Ctx, *, deadline: bool = False) -> Outcome:
    if a.kind == "quantity" and not deadline and _absent(fold(target)):
        # 无 answered with 0: a count of nothing
        assert a.quantity is not None
        if a.quantity.value == 0:
            return ctx.outcome("met", None, _ONE, "未发生", _VERDICT["met"])
        return ctx.outcome("missed", None, ctx.pack.missed, "与指标值相反", _VERDICT["missed"])
    if a.kind != "text":
        if deadline:
            return ctx.unverifiable("时限指标的实际完成值应为完成日期或完成情况")
        return ctx.unverifiable("定性指标的实际完成值应为文字表述")
    verdict = _judge(target, a)
    if verdict is None and deadline:
        if a.text in _YES or (_ON_TIME.search(a.text) and not _negated(a.text)):
            verdict = ("met", "按期完成")
        elif a.text in ("否", "没有"):
            verdict = ("missed", "未按期完成")
    if verdict is None:
        return ctx.unverifiable("文字表述无法与年度指标值对照")
    status, why = verdict
    if deadline:
        # SPEC §3 scores a deadline 1 when met and 0 when missed, and keeps partial for
        # qualitative targets: work done only in part by the deadline was not done by it.
        if status == "partial":
            return ctx.outcome("missed", None, _ZERO, why, "未全部按期完成", _VERDICT["missed"])
        if why in (_DENIED, "实际完成值表述为未完成"):
            why = "未按期完成"  # the deadline's own words, as for 否, not the stand-in 按期完成
        return ctx.outcome(status, None, _ONE if status == "met" else _ZERO, why,
                           _VERDICT[status])
    fraction = {"met": _ONE, "partial": ctx.pack.partial, "missed": ctx.pack.missed}[status]
    return ctx.outcome(status, None, fraction, why, _VERDICT[status])
