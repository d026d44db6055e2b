"""Evaluating one indicator: an actual value against its target (SPEC §3).

>>> o = evaluate("20 次", "12 次", name="组织工作人员学习培训次数")
>>> o.status, o.ratio
('missed', Decimal('0.6'))
>>> o.explanation
'组织工作人员学习培训次数：年度指标值 20次，实际完成值 12次，完成率 60.00%，未完成。'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, Literal

from perfeval import _units
from perfeval._normalize import fold
from perfeval._parser import DatePoint, Quantity
from perfeval.findings import Finding
from perfeval.rules import DEFAULT_PACK, RulePack, load_catalog, load_pack
from perfeval.targets import Actual, Target, parse_actual, parse_target

__all__ = ["Outcome", "Status", "evaluate", "STATUSES", "percent"]

Status = Literal["met", "exceeded", "partial", "missed", "unverifiable", "not_applicable"]
STATUSES: tuple[Status, ...] = ("met", "exceeded", "partial", "missed", "unverifiable",
                                "not_applicable")
_ONE = Decimal(1)
_ZERO = Decimal(0)
_VERDICT = {"met": "已完成", "exceeded": "超额完成", "partial": "部分达成", "missed": "未完成"}


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of one evaluation.

    ``ratio`` is the completion ratio (``None`` for qualitative, deadline and
    unverifiable outcomes); ``fraction`` is the share of the indicator's weight
    it earns under the rule pack.
    """

    status: Status
    ratio: Decimal | None
    fraction: Decimal
    explanation: str
    findings: tuple[Finding, ...] = ()

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


def _shown(text: str) -> str:
    return re.sub(r"\s+", "", text)


class _Ctx:
    """What every branch needs to word its sentence and its findings."""

    __slots__ = ("name", "pack", "t_text", "a_text", "findings", "year")

    def __init__(self, name: str | None, pack: RulePack, t_text: str, a_text: str,
                 year: int | None) -> None:
        self.name, self.pack, self.year = name, pack, year
        self.t_text, self.a_text = t_text, a_text
        self.findings: list[Finding] = []

    def flag(self, rule: str, message: str) -> None:
        self.findings.append(Finding(rule, self.label + message, indicator=self.name))

    @property
    def label(self) -> str:
        return f"{self.name}：" if self.name else ""

    def say(self, *parts: str) -> str:
        head = f"{self.label}年度指标值 {self.t_text}，实际完成值 {self.a_text or '（未填写）'}"
        return "，".join((head, *parts)) + "。"

    def outcome(self, status: Status, ratio: Decimal | None, fraction: Decimal,
                *parts: str) -> Outcome:
        return Outcome(status, ratio, fraction, self.say(*parts), tuple(self.findings))

    def unverifiable(self, why: str, *, flag: bool = True) -> Outcome:
        if flag:
            self.flag("unverifiable-actual", f"实际完成值“{self.a_text or '（未填写）'}”无法核验：{why}。")
        return self.outcome("unverifiable", None, _ZERO, f"无法核验：{why}")


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
    """
    pack = rules if isinstance(rules, RulePack) else load_pack(rules)
    t = target if isinstance(target, Target) or target is None else parse_target(str(target))
    a = actual if isinstance(actual, Actual) else parse_actual(
        None if actual is None else str(actual))
    ctx = _Ctx(name, pack, _shown(t.source) if t is not None else "", _shown(a.source), year)
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
    chosen = direction or load_catalog().direction(ctx.name)
    return {"positive": ">=", "reverse": "<=", "equal": "="}.get(chosen, ">=")


def _base(q: Quantity) -> Fraction:
    return Fraction(q.value) * (_units.factor(q.unit) if q.unit else 1)


def _align(tq: Quantity, aq: Quantity, ctx: _Ctx) -> tuple[Fraction, Fraction] | None:
    """Both values in one unit, or None when the units cannot compare."""
    if tq.unit is not None and aq.unit is not None:
        if not _units.compatible(tq.unit, aq.unit):
            return None
        return _base(tq), _base(aq)
    if tq.unit is None and aq.unit is None:
        return Fraction(tq.value), Fraction(aq.value)
    if aq.unit is None:
        # "78100" under "78100份" takes the target's unit; under "20万件" a bare
        # "51" may mean 51万 or 51: take the reading nearer the target.
        tv = _base(tq)
        f = _units.factor(tq.unit) if tq.unit else Fraction(1)
        readings = [Fraction(aq.value) * f]
        if aq.magnitude == 1 and tq.magnitude != 1:
            readings.append(Fraction(aq.value) * tq.magnitude * f)
        ctx.flag("unit-missing",
                 f"实际完成值 {ctx.a_text} 未写单位，按年度指标值的单位“{tq.unit}”理解。")
        return tv, _nearest(readings, tv)
    av = _base(aq)
    f = _units.factor(aq.unit) if aq.unit else Fraction(1)
    readings = [Fraction(tq.value) * f]
    if tq.magnitude == 1 and aq.magnitude != 1:
        readings.append(Fraction(tq.value) * aq.magnitude * f)
    return _nearest(readings, av), av


def _nearest(readings: list[Fraction], reference: Fraction) -> Fraction:
    def distance(x: Fraction) -> Fraction:
        if x <= 0 or reference <= 0:
            return abs(x - reference)
        r = x / reference
        return r if r >= 1 else 1 / r
    return min(readings, key=distance)


def _mismatch(t: Target, aq: Quantity, ctx: _Ctx) -> Outcome:
    ctx.flag("unit-mismatch",
             f"年度指标值单位“{t.unit}”与实际完成值单位“{aq.unit}”不一致，无法比较。")
    return ctx.outcome("unverifiable", None, _ZERO,
                       f"单位“{t.unit}”与“{aq.unit}”不一致，无法核验")


def _quantitative(t: Target, a: Actual, ctx: _Ctx, direction: str | None) -> Outcome:
    if a.kind in ("text", "date"):
        if a.phrase is not None:
            return ctx.unverifiable("数值指标应填写实际完成的数值，而非“达成”类表述")
        return ctx.unverifiable("数值指标的实际完成值不是数值")
    assert a.quantity is not None and t.low is not None
    catalog = load_catalog()
    if t.unit == "%" and catalog.is_bounded_rate(ctx.name):
        for q, which in ((t.low, "年度指标值"), (t.high, "年度指标值"), (a.quantity, "实际完成值")):
            if q is not None and q.unit in ("%", None) and q.value > 100:
                return ctx.unverifiable(f"{which} {_dec(Fraction(q.value))}% 超过 100%，疑为录入或识别错误")
    op = _op_of(t, ctx, direction)
    if a.kind in ("bound", "range"):
        return _bound(t, a, op, ctx)
    if t.kind == "range":
        assert t.high is not None
        low = _align(t.low, a.quantity, ctx)
        high = _align(t.high, a.quantity, ctx)
        if low is None or high is None:
            return _mismatch(t, a.quantity, ctx)
        (lo, av), (hi, _) = low, high
        if lo <= av <= hi:
            return ctx.outcome("met", _ONE, _ONE, "在指标区间内", "已完成")
        ratio = (av / lo if lo > 0 else Fraction(0)) if av < lo else (hi / av if av > 0 else Fraction(0))
        r = _dec(ratio)
        where = "低于区间下限" if av < lo else "高于区间上限"
        return ctx.outcome("missed", r, _clamp(r), where, f"完成率 {percent(r)}", "未完成")
    aligned = _align(t.low, a.quantity, ctx)
    if aligned is None:
        return _mismatch(t, a.quantity, ctx)
    tv, av = aligned
    if op in (">=", ">"):
        return _positive(op, tv, av, ctx)
    if op in ("<=", "<"):
        return _reverse(op, tv, av, ctx)
    return _equal(tv, av, ctx)


def _clamp(value: Decimal) -> Decimal:
    return max(_ZERO, min(_ONE, value))


def _positive(op: str, tv: Fraction, av: Fraction, ctx: _Ctx) -> Outcome:
    if tv == 0:
        if av > 0 or (av == 0 and op == ">="):
            return ctx.outcome("met", _ONE, _ONE, "已完成")
        return _boundary(ctx) if av == 0 else ctx.outcome(
            "missed", _ZERO, _ZERO, "未完成")
    r = _dec(av / tv)
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
    return ctx.outcome("missed", r, _clamp(r), f"完成率 {percent(r)}", "未完成")


def _boundary(ctx: _Ctx) -> Outcome:
    return ctx.outcome("missed", _ONE, _ONE,
                       f"恰为临界值，未满足“{ctx.t_text}”的要求", "未完成（按完成计分）")


def _reverse(op: str, tv: Fraction, av: Fraction, ctx: _Ctx) -> Outcome:
    if av < tv or (av == tv and op == "<="):
        return ctx.outcome("met", _ONE, _ONE, "未超过指标上限", "已完成")
    if av == tv:
        return _boundary(ctx)
    r = _dec(tv / av) if tv > 0 else _ZERO
    fraction = _clamp(ctx.pack.reverse_formula(target=_dec(tv), actual=_dec(av)))
    return ctx.outcome("missed", r, fraction, "超出指标上限", f"完成率 {percent(r)}", "未完成")


def _equal(tv: Fraction, av: Fraction, ctx: _Ctx) -> Outcome:
    if av == tv:
        return ctx.outcome("met", _ONE, _ONE, "与指标值一致", "已完成")
    if av < tv:
        r = _dec(av / tv) if tv > 0 else _ZERO
        where = "低于指标值"
    else:
        r = _dec(tv / av) if av > 0 else _ZERO
        where = "高于指标值"
    return ctx.outcome("missed", r, _clamp(r), where, f"完成率 {percent(r)}", "未完成")


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
    tv, av = low
    if t.kind == "range":
        assert t.high is not None
        hi = _align(t.high, a.quantity, ctx)
        outer = _interval("range", tv, hi[0] if hi else tv)
    else:
        outer = _interval(op, tv)
    if a.kind == "range":
        assert a.high is not None
        ah = _align(t.low, a.high, ctx)
        inner = _interval("range", av, ah[1] if ah else av)
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
    if a.kind == "date":
        assert a.date is not None
        due = _resolve(t.date, a.date, ctx.year)
        done = _resolve(a.date, t.date, ctx.year)
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
_COMPLETED = re.compile(r"^(已|均已|全部|已全部|均|按期|按时|如期|及时|顺利|圆满)?(完成|达成|达到|实现|达标|落实)"
                        r"(目标|任务|指标)?$")
_SCALES: tuple[tuple[str, ...], ...] = (
    ("优", "良", "中", "差"), ("优秀", "良好", "中等", "差"), ("好", "较好", "一般", "差"),
    ("高", "中", "低"),
)
_STRONG = ("显著", "明显", "大幅", "大大", "极大", "全面", "充分", "切实", "有效", "很大", "大力")
_WEAK = ("有所", "逐步", "略有", "稍有", "一定程度上", "一定程度", "初步", "部分", "基本", "一定")
_FILLER = ("得到", "进一步", "持续", "不断", "稳步", "已", "均", "实现", "较为", "较")
_SYNONYMS = {"提升": "提高", "增强": "提高", "增加": "提高"}


def _negated(text: str) -> bool:
    return any(n in text for n in _NEGATIONS)


def _strength(text: str) -> tuple[int, str]:
    """(strength, core): 明显提高 -> (2, 提高), 有所提升 -> (0, 提高)."""
    strength, rest, changed = 1, text, True
    while changed:
        changed = False
        for words, level in ((_STRONG, 2), (_WEAK, 0), (_FILLER, None)):
            for w in words:
                if rest.startswith(w) and len(rest) > len(w):
                    rest, changed = rest[len(w):], True
                    if level is not None:
                        strength = level if level == 0 or strength != 0 else strength
                    break
    return strength, _SYNONYMS.get(rest, rest)


def _judge(target: str, actual: Actual) -> tuple[Status, str] | None:
    ft, fa = fold(target), actual.text
    if fa == ft:
        return "met", "与指标值一致"
    if actual.phrase is not None:
        return {"met": ("met", "达成年度指标"), "partial": ("partial", "部分达成年度指标"),
                "missed": ("missed", "未达成年度指标")}[actual.phrase]  # type: ignore[return-value]
    if ft in ("是", "否") and fa in ("是", "否"):
        return "missed", "与指标值相反"
    if _negated(fa) and not _negated(ft):
        return "missed", "实际完成值表述为未完成"
    if _COMPLETED.match(fa):
        return "met", "表述为已完成"
    if fa.startswith("基本"):
        return "partial", "表述为基本完成"
    for scale in _SCALES:
        if ft in scale and fa in scale:
            gap = scale.index(fa) - scale.index(ft)
            if gap <= 0:
                return "met", "等级不低于指标值"
            if gap == 1:
                return "partial", "等级低一档"
            return "missed", f"等级低{gap}档"
    st, core_t = _strength(ft)
    sa, core_a = _strength(fa)
    if core_t == core_a:
        if sa >= st:
            return "met", "表述不弱于指标值"
        return "partial", "表述弱于指标值"
    return None


def _qualitative(target: str, a: Actual, ctx: _Ctx, *, deadline: bool = False) -> Outcome:
    if a.kind != "text":
        if deadline:
            return ctx.unverifiable("时限指标的实际完成值应为完成日期或完成情况")
        return ctx.unverifiable("定性指标的实际完成值应为文字表述")
    verdict = _judge(target, a)
    if verdict is None and deadline and _ON_TIME.search(a.text) and not _negated(a.text):
        verdict = ("met", "按期完成")
    if verdict is None:
        return ctx.unverifiable("文字表述无法与年度指标值对照")
    status, why = verdict
    fraction = {"met": _ONE, "partial": ctx.pack.partial, "missed": ctx.pack.missed}[status]
    return ctx.outcome(status, None, fraction, why, _VERDICT[status])


def with_document(outcome: Outcome, document: str | None) -> Outcome:
    """The same outcome with its findings attributed to ``document``."""
    return replace(outcome, findings=tuple(replace(f, document=document)
                                           for f in outcome.findings))
