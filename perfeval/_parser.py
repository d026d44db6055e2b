"""The grammar of target and actual values.

Everything here works on :func:`perfeval._normalize.normalize`'d text: no
spaces, ASCII operators, simplified characters.  The public objects live in
:mod:`perfeval.targets`; this module only turns text into their fields.

The grammar, tried in this order (the first that consumes the whole text wins)::

    value        := not_applicable | graded | deadline | range | compare | qualitative
    graded       := '优' quantity '良' quantity '中' quantity '差' quantity
    deadline     := date_prefix? date_point (SEP date_point)? date_marker* verb?
    range        := '[' quantity ',' quantity ']' | quantity SEP quantity
    compare      := prefix_op? quantity suffix_op?
    quantity     := approx? number magnitude* ('余'|'多')? unit? ('左右')?
    qualitative  := any other text

A text that starts with an operator symbol (``>=``, ``<``, ``=``...) promises a
number; if none follows, that is a :class:`TargetSyntaxError`, not free text.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import NoReturn

from perfeval import _units
from perfeval._normalize import Normalized
from perfeval.errors import TargetSyntaxError

__all__ = ["Quantity", "DatePoint", "Fields", "parse_fields", "OPS"]

# Operators in canonical order: their printed symbol in canonical forms.
OPS: dict[str, str] = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "=": "="}


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number with its magnitude and unit as written: ``20万件`` is 20 × 10⁴ 件."""

    number: Decimal
    magnitude: int = 1
    unit: str | None = None
    at_least: bool = False  # written with 余 / 多 / 以上: "at least this much"
    approx: bool = False  # written with 约 / 左右

    @property
    def value(self) -> Decimal:
        return self.number * self.magnitude

    def canonical(self) -> str:
        return _format_decimal(self.value) + (self.unit or "")


@dataclass(frozen=True, slots=True)
class DatePoint:
    """A calendar point; a missing day means the end of the month, a missing
    month the end of the year, a missing year the document's year."""

    year: int | None
    month: int | None
    day: int | None

    def resolve(self, year: int) -> tuple[int, int, int]:
        y = self.year if self.year is not None else year
        m = self.month if self.month is not None else 12
        d = self.day if self.day is not None else calendar.monthrange(y, m)[1]
        return (y, m, d)

    def canonical(self, *, end: bool = True) -> str:
        """``2023年12月31日``; a month-level end point reads ``2023年12月底``."""
        out = f"{self.year}年" if self.year is not None else ""
        out += f"{self.month if self.month is not None else 12}月"
        if self.day is not None:
            out += f"{self.day}日"
        elif end:
            out += "底"
        return out


@dataclass(frozen=True, slots=True)
class Fields:
    """What the grammar read: the fields of a Target or an Actual."""

    kind: str  # compare | range | deadline | qualitative | not_applicable
    op: str | None = None
    low: Quantity | None = None
    high: Quantity | None = None
    date: DatePoint | None = None
    start: DatePoint | None = None
    text: str = ""


def _format_decimal(value: Decimal) -> str:
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    text = format(value.normalize(), "f")
    return text


class _Fail(Exception):
    """An alternative of the grammar did not match (not an error yet)."""


class _Syntax(Exception):
    """A definite syntax error at a span of the normalised text."""

    def __init__(self, reason: str, start: int, end: int) -> None:
        self.reason, self.start, self.end = reason, start, end


def _syntax(reason: str, start: int, end: int) -> NoReturn:
    raise _Syntax(reason, start, end)


# ---------------------------------------------------------------- numbers

_ARABIC = re.compile(
    r"""
    \d{1,3}(?:,\d{3})+(?:\.\d+)?   # 1,923.78 — thousands separators
    | \d+(?:\.\d+)?                # 8369.34
    | \.\d+                        # .5
    """,
    re.VERBOSE,
)
_CN_RUN = re.compile(r"[零〇一二两三四五六七八九十百千万亿]+")
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10**4, "亿": 10**8}
# A unit that starts with a magnitude character must win over the magnitude.
_UNIT_BEFORE_MAGNITUDE = ("百分比", "百分点", "千瓦时", "千瓦", "千克", "万元次")
# Time units that may carry the measure word 个: 5个工作日, 3个月.
_AFTER_GE = ("工作日", "月", "小时", "星期", "季度", "周", "半月")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Words that end a quantity and must never be taken for an unknown unit.
_NOT_UNIT = set("以及或内之左约余多前底末至到不")

# Numbers beyond this many digits are not amounts any form holds; refusing
# them keeps Decimal arithmetic and formatting cheap on hostile input.
_MAX_DIGITS = 30


def _cn_to_int(run: str) -> int | None:
    """Read a Chinese numeral such as 一百二十 or 二十万; None if it is not one."""
    if not any(ch in _CN_DIGITS or ch == "十" for ch in run):
        return None
    total = section = 0
    digit: int | None = None
    for ch in run:
        if ch in _CN_DIGITS:
            if digit is not None and digit != 0 and _CN_DIGITS[ch] != 0:
                return None  # 二三: not a numeral
            digit = _CN_DIGITS[ch]
        elif ch in _CN_SMALL:
            section += (1 if digit is None else digit) * _CN_SMALL[ch]
            digit = None
        else:
            big = _CN_BIG[ch]
            part = section + (digit or 0)
            if big == 10**8:
                total = (total + part) * big
            else:
                total += (part or 1) * big
            section, digit = 0, None
    return total + section + (digit or 0)


def _number(s: str, pos: int) -> tuple[Decimal, int, bool]:
    """number := arabic | chinese_numeral.  Returns (value, end, is_arabic)."""
    m = _ARABIC.match(s, pos)
    if m:
        digits = m.group().replace(",", "")
        if len(digits) > _MAX_DIGITS:
            _syntax("number too long", pos, m.end())
        return Decimal(digits), m.end(), True
    m = _CN_RUN.match(s, pos)
    if m:
        run = m.group()
        # 二十万件: the numeral takes its own magnitudes; 万村 is not a number.
        value = _cn_to_int(run)
        if value is not None:
            return Decimal(value), m.end(), False
    raise _Fail


def _unit_word(s: str, pos: int, allow_unknown: bool) -> tuple[str | None, int]:
    """unit := (known | unknown) ('/' part | '*' part)*"""
    head = _units.split_known_unit(s, pos)
    end = pos + len(head) if head else pos
    if head is None:
        if s.startswith("/", pos):
            head = ""
        elif allow_unknown:
            m = re.compile(r"[\u4e00-\u9fff]{1,2}").match(s, pos)
            if m and not (set(m.group()) & _NOT_UNIT):
                head, end = m.group(), m.end()
            else:
                return None, pos
        else:
            return None, pos
    unit = head
    while end < len(s) and s[end] in "/*":
        sep = s[end]
        p = end + 1
        mag = ""
        while p < len(s) and s[p] in "十百千万":
            mag += s[p]
            p += 1
        part = _units.split_known_unit(s, p)
        if part is None:
            m = re.compile(r"[\u4e00-\u9fff]").match(s, p)
            if not m or m.group() in _NOT_UNIT:
                break
            part = m.group()
        unit += sep + mag + part
        end = p + len(part)
    return unit or None, end


def _quantity(s: str, pos: int, *, require_known_unit: bool = False) -> tuple[Quantity, int]:
    approx = False
    for word in ("大约", "约", "近"):
        if s.startswith(word, pos):
            approx, pos = True, pos + len(word)
            break
    if s.startswith("百分之", pos):
        value, end, _ = _number(s, pos + 3)
        return Quantity(value, 1, "%", approx=approx), end
    value, end, arabic = _number(s, pos)
    if s.startswith("成", end) and not arabic and value <= 10:
        return Quantity(value * 10, 1, "%", approx=approx), end + 1
    magnitude = 1
    if arabic:
        while end < len(s) and s[end] in _units.MAGNITUDES and not s.startswith(
            _UNIT_BEFORE_MAGNITUDE, end
        ):
            magnitude *= _units.MAGNITUDES[s[end]]
            end += 1
    at_least = False
    if end < len(s) and s[end] in "余多":
        at_least, end = True, end + 1
    if s.startswith("个", end) and s.startswith(_AFTER_GE, end + 1):
        end += 1
    unit, end = _unit_word(s, end, allow_unknown=arabic and not require_known_unit)
    if unit is None and not arabic and end < len(s) and _CJK.match(s, end):
        raise _Fail  # 一般, 一网通办: words, not numbers
    if end < len(s) and s[end] in "余多" and unit is not None:
        at_least, end = True, end + 1
    if s.startswith("左右", end):
        approx, end = True, end + 2
    unit = _canonical_unit(unit)
    return Quantity(value, magnitude, unit, at_least=at_least, approx=approx), end


def _canonical_unit(unit: str | None) -> str | None:
    if unit is None:
        return None
    return {"百分比": "%", "百分点": "%"}.get(unit, unit)


# ---------------------------------------------------------------- comparators

_PREFIX_OPS: dict[str, str] = {
    ">=": ">=", "=>": ">=", "<=": "<=", "=<": "<=", ">": ">", "<": "<", "==": "=", "=": "=",
    "大于或等于": ">=", "大于等于": ">=", "高于或等于": ">=", "高于等于": ">=", "不低于": ">=",
    "不少于": ">=", "不小于": ">=", "不得低于": ">=", "不得少于": ">=", "至少": ">=",
    "最少": ">=", "最低": ">=", "达到": ">=", "达": ">=", "力争": ">=",
    "小于或等于": "<=", "小于等于": "<=", "低于或等于": "<=", "低于等于": "<=",
    "不高于": "<=", "不超过": "<=", "不大于": "<=", "不多于": "<=", "不得超过": "<=",
    "不得高于": "<=", "不超": "<=", "最多": "<=", "至多": "<=", "最高": "<=",
    "大于": ">", "高于": ">", "超过": ">", "多于": ">", "超": ">",
    "小于": "<", "低于": "<", "少于": "<", "不足": "<",
    "等于": "=", "为": "=",
}
# 控制在 X 以内 / 控制在 X: the suffix decides, "within" when there is none.
_SOFT_PREFIXES = ("控制在", "保持在", "维持在")
_PREFIXES_BY_LENGTH = sorted(_PREFIX_OPS, key=len, reverse=True)
_SYMBOLS = (">=", "=>", "<=", "=<", "==", ">", "<", "=")

# 以上、以下、以内 include the number itself (the usage of Chinese statutes).
_SUFFIX_OPS: dict[str, str] = {
    "及以上": ">=", "或以上": ">=", "以上": ">=", "及以下": "<=", "或以下": "<=",
    "以下": "<=", "以内": "<=", "之内": "<=", "内": "<=",
}
_SUFFIXES_BY_LENGTH = sorted(_SUFFIX_OPS, key=len, reverse=True)
_STRICT = {">=": ">", "<=": "<"}


def _prefix_op(s: str, pos: int) -> tuple[str | None, bool, int]:
    """Returns (op, soft, end)."""
    for word in _SOFT_PREFIXES:
        if s.startswith(word, pos):
            return "<=", True, pos + len(word)
    for word in _PREFIXES_BY_LENGTH:
        if s.startswith(word, pos):
            return _PREFIX_OPS[word], False, pos + len(word)
    return None, False, pos


def _suffix_op(s: str, pos: int) -> tuple[str | None, int]:
    for word in _SUFFIXES_BY_LENGTH:
        if s.startswith(word, pos):
            return _SUFFIX_OPS[word], pos + len(word)
    return None, pos


def _compare(s: str, *, strict: bool) -> Fields:
    symbol = s.startswith(_SYMBOLS)
    op, soft, pos = _prefix_op(s, 0)
    try:
        quantity, end = _quantity(s, pos)
    except _Fail:
        if symbol:
            _syntax("expected a number", pos, pos + 1)
        raise
    suffix, end = _suffix_op(s, end)
    if s.startswith("左右", end):
        quantity = Quantity(quantity.number, quantity.magnitude, quantity.unit,
                            quantity.at_least, True)
        end += 2
    if end != len(s):
        if symbol:
            _garbled(s, pos)
            _syntax("unexpected text after the value", end, len(s))
        raise _Fail
    if suffix is not None:
        if op is not None and not soft and op != suffix and _STRICT.get(suffix) != op:
            _syntax("conflicting comparators", 0, len(s))
        if op is None or soft:
            op = suffix
            if suffix == ">=":  # 95%以上: "at least", which an actual reports as measured
                quantity = Quantity(quantity.number, quantity.magnitude, quantity.unit,
                                    True, quantity.approx)
    if strict and op in _STRICT:
        op = _STRICT[op]
    if quantity.at_least and op is None:
        op = ">="
    return Fields("compare", op=op, low=quantity)


def _garbled(s: str, start: int) -> None:
    """Raise on OCR garbles such as ``2o万件`` or ``M.8万元``: a letter glued to
    a number where no unit is spelled that way."""
    for m in re.finditer(r"[A-Za-z]+", s):
        a, b = m.span()
        touches = (a > 0 and (s[a - 1].isdigit() or s[a - 1] == ".")) or (
            b < len(s) and (s[b].isdigit() or s[b] == ".")
        )
        if touches and m.group() not in _units.UNITS:
            left = a
            while left > start and (s[left - 1].isdigit() or s[left - 1] in ".,"):
                left -= 1
            _syntax("expected a number", left, b)


# ---------------------------------------------------------------- ranges

_RANGE_SEPS = ("-", "~", "至", "到")


def _range(s: str) -> Fields:
    if s.startswith("[") and s.endswith("]") and "," in s:
        left, _, right = s[1:-1].partition(",")
        low, end_low = _quantity(left, 0)
        high, end_high = _quantity(right, 0)
        if end_low != len(left) or end_high != len(right):
            raise _Fail
    else:
        low, pos = _quantity(s, 0, require_known_unit=True)
        for sep in _RANGE_SEPS:
            if s.startswith(sep, pos):
                pos += len(sep)
                break
        else:
            raise _Fail
        high, end = _quantity(s, pos, require_known_unit=True)
        if end != len(s):
            raise _Fail
    if low.unit is None and high.unit is not None:
        low = Quantity(low.number, high.magnitude * low.magnitude, high.unit)
    elif high.unit is None and low.unit is not None:
        high = Quantity(high.number, low.magnitude * high.magnitude, low.unit)
    if low.unit != high.unit:
        if low.unit and high.unit and _units.compatible(low.unit, high.unit):
            pass
        else:
            _syntax("the two ends of the range have different units", 0, len(s))
    if _scaled(low) > _scaled(high):
        low, high = high, low
    return Fields("range", low=low, high=high)


def _scaled(q: Quantity) -> Fraction:
    return Fraction(q.value) * (_units.factor(q.unit) if q.unit else 1)


# ---------------------------------------------------------------- dates

_YEAR = r"(?P<y>(?:19|20)\d\d)"
_DATE_FORMS = [
    # 2023年12月31日, 2023年12月, 2023年, 12月31日, 12月
    re.compile(
        r"(?:(?P<y>(?:19|20)\d\d)年度?)?(?:(?P<m>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])月份?"
        r"(?:(?P<d>3[01]|[12]\d|0?[1-9])[日号])?)?"
    ),
    # 2021.12.31, 2021-12-31, 2021/12/31, 2021.12
    re.compile(_YEAR + r"[./-](?P<m>1[0-2]|0?[1-9])(?:[./-](?P<d>3[01]|[12]\d|0?[1-9]))?"),
]
_MD_DOTTED = re.compile(r"(?P<m>1[0-2]|0?[1-9])[./](?P<d>3[01]|[12]\d|0?[1-9])")
_CN_MONTHS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9, "十": 10, "十一": 11, "十二": 12}
_YEAR_WORDS = {
    "年底": 12, "年末": 12, "年内": 12, "年度内": 12, "本年度": 12, "本年": 12, "当年": 12,
    "全年": 12, "上半年": 6, "下半年": 12, "一季度": 3, "第一季度": 3, "二季度": 6,
    "第二季度": 6, "三季度": 9, "第三季度": 9, "四季度": 12, "第四季度": 12,
}
_YEAR_WORDS_BY_LENGTH = sorted(_YEAR_WORDS, key=len, reverse=True)
_DATE_PREFIXES = ("截至", "截止到", "截止", "不晚于", "不迟于", "最迟", "于", "在", "<=", "<")
_DATE_MARKERS = ("底前", "末前", "之前", "以前", "前", "底", "末", "以内", "之内", "内", "止", "为止")
_VERBS = (
    "全部完成", "前完成", "完成", "到位", "完工", "发放", "发放到位", "拨付", "拨付到位", "实施",
    "启动", "竣工", "结束", "验收", "办结", "支付", "上线", "投入使用", "实施完毕", "完毕",
)
_VERBS_BY_LENGTH = sorted(_VERBS, key=len, reverse=True)


def _date_point(s: str, pos: int, year: int | None = None) -> tuple[DatePoint, int]:
    m = _DATE_FORMS[1].match(s, pos)
    if m:
        d = int(m["d"]) if m["d"] else None
        return _checked(int(m["y"]), int(m["m"]), d, pos, m.end()), m.end()
    m = _DATE_FORMS[0].match(s, pos)
    if m and m.end() > pos and (m["y"] or m["m"]):
        y = int(m["y"]) if m["y"] else None
        month = None
        if m["m"]:
            month = int(m["m"]) if m["m"].isdigit() else _CN_MONTHS[m["m"]]
        d = int(m["d"]) if m["d"] else None
        end = m.end()
        if y is not None and month is None:
            for word in _YEAR_WORDS_BY_LENGTH:
                if s.startswith(word[1:] if word.startswith("年") else word, end):
                    w = word[1:] if word.startswith("年") else word
                    return _checked(y, _YEAR_WORDS[word], None, pos, end + len(w)), end + len(w)
        return _checked(y if y is not None else year, month, d, pos, end), end
    for word in _YEAR_WORDS_BY_LENGTH:
        if s.startswith(word, pos):
            return DatePoint(year, _YEAR_WORDS[word], None), pos + len(word)
    if year is not None:
        m = _MD_DOTTED.match(s, pos)
        if m:
            return _checked(year, int(m["m"]), int(m["d"]), pos, m.end()), m.end()
    raise _Fail


def _checked(y: int | None, m: int | None, d: int | None, start: int, end: int) -> DatePoint:
    if m is None:
        m = 12  # 2025年: by the end of the year
    if d is not None and m is not None:
        last = calendar.monthrange(y if y is not None else 2024, m)[1]
        if d > last:
            _syntax("no such day in that month", start, end)
    return DatePoint(y, m, d)


def _deadline(s: str) -> Fields:
    pos = 0
    for word in _DATE_PREFIXES:
        if s.startswith(word, pos):
            pos += len(word)
            break
    first, pos = _date_point(s, pos)
    start = None
    for sep in _RANGE_SEPS:
        if s.startswith(sep, pos):
            try:
                second, after = _date_point(s, pos + len(sep), first.year)
            except _Fail:
                break
            start, first, pos = first, second, after
            break
    bound = False
    while True:
        for word in _DATE_MARKERS:
            if s.startswith(word, pos):
                pos += len(word)
                bound = bound or word not in ("底", "末")
                break
        else:
            break
    for word in _VERBS_BY_LENGTH:
        if s.startswith(word, pos):
            pos += len(word)
            break
    if pos != len(s):
        raise _Fail
    # a bare month or year number alone ("12", "2025") is a count, not a date
    if first.month is None and first.year is None:
        raise _Fail
    return Fields("deadline", op="<=" if bound else None, date=first, start=start)


# ---------------------------------------------------------------- the rest

_NOT_APPLICABLE = frozenset({"不适用", "不涉及", "-", "/", "\\", "n/a", "na", "无此项", "不适用。"})
_GRADED = re.compile(r"优(?P<a>[^良]+)良(?P<b>[^中]+)中(?P<c>[^差]+)差(?P<d>.+)")
_SCALES = {"高中低": "高", "高/中/低": "高", "优良中差": "优", "好较好一般差": "好",
           "好/较好/一般/差": "好", "优/良/中/差": "优"}
_ANNOTATION = re.compile(r"^(?P<body>.+?)\((?P<note>[^()]*)\)$")


def _structured(s: str, *, strict: bool) -> Fields:
    if s.lower() in _NOT_APPLICABLE:
        return Fields("not_applicable", text=s)
    m = _GRADED.fullmatch(s)
    if m:
        top, end = _quantity(m["a"], 0)
        if end == len(m["a"]):
            return Fields("compare", op=">=", low=top)
    for alternative in (_deadline, _range):
        try:
            return alternative(s)
        except _Fail:
            pass
    return _compare(s, strict=strict)


def parse_fields(norm: Normalized) -> Fields:
    """Read one normalised value.  Raises TargetSyntaxError on broken text."""
    s = str(norm)
    try:
        if not s:
            _syntax("expected a value", 0, 0)
        body, strict = s, False
        m = _ANNOTATION.match(s)
        if m:
            note = m["note"]
            if note in ("含", "含本数"):
                body = m["body"]
            elif note in ("不含", "不含本数"):
                body, strict = m["body"], True
        try:
            return _structured(body, strict=strict)
        except _Fail:
            pass
        if m and body == s:
            # 100%(1.0): a remark in brackets after a value
            try:
                return _structured(m["body"], strict=False)
            except (_Fail, _Syntax):
                pass
        _garbled(s, 0)
        scale = s[2:] if s.startswith("定性") else s
        return Fields("qualitative", text=_SCALES.get(scale, s))
    except _Syntax as e:
        start, end = norm.span(e.start, e.end)
        raise TargetSyntaxError(e.reason, source=norm.source, span=(start, end)) from None
    except (InvalidOperation, ValueError, OverflowError) as e:
        raise TargetSyntaxError(
            f"unreadable number ({e.__class__.__name__})", source=norm.source,
            span=(0, len(norm.source)),
        ) from None
