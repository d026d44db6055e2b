"""The grammar of target and actual values.

Everything here works on :func:`perfeval._normalize.normalize`'d text: no
spaces, ASCII operators, simplified characters.  The public objects live in
:mod:`perfeval.targets`; this module only turns text into their fields.

The grammar, tried in this order (the first that consumes the whole text wins)::

    text         := value ('(' note ')' | SEP remark)?       # 100%(1.0), 100%，已完成
    value        := not_applicable | graded | deadline | range | compare | qualitative
    graded       := '优' quantity '良' quantity '中' quantity '差' quantity
    deadline     := date_prefix? date_point (SEP date_point)? date_marker* '已'? verb?
    range        := '[' quantity ',' quantity ']' | quantity SEP quantity
    compare      := frame prefix_op? frame quantity ('(' '不'? '含' ')')? suffix_op? '左右'? verb?
    frame        := ('全年' | '年均' | '累计' | ... | '每' period)*
    quantity     := approx? number magnitude* ('余'|'多')? magnitude* unit? noun? ('左右')?
    number       := '-'? arabic | chinese_numeral                  # ≥-5%, 二十万
    noun         := the thing a counter counts, dropped: 10所(学校)
    qualitative  := any other text

A text that starts with an operator symbol (``>=``, ``<``, ``=``...) promises a
number; if none follows, that is a :class:`TargetSyntaxError`, not free text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import NamedTuple, NoReturn

from perfeval import _units
from perfeval._normalize import Normalized
from perfeval.errors import TargetSyntaxError

__all__ = ["Quantity", "DatePoint", "Fields", "parse_fields", "find_date", "find_quantities",
           "OPS"]

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
        unit = self.unit or ""
        if unit.startswith("月"):
            unit = "个" + unit  # ≤1个月: "≤1月" would read back as a deadline in January
        number = _format_decimal(self.value)
        if _DATE_FORMS[1].match(number) if not unit else (
                unit.startswith("年") and _YEAR_ONLY.match(number + "年")):
            # 2021.12 alone reads as December 2021, 1900年 as a year: 2,021.12
            # and 1,900年 are the numbers
            whole, dot, fraction = number.partition(".")
            number = f"{int(whole):,}{dot}{fraction}"
        return number + unit


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
        d = self.day if self.day is not None else _days_in_month(y, m)
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


class Fields(NamedTuple):
    """What the grammar read: the fields of a Target or an Actual.

    A NamedTuple, not a frozen dataclass like the public types: one is made
    for every string parsed, and a tuple costs a third as much to build.
    """

    kind: str  # compare | range | deadline | qualitative | not_applicable
    op: str | None = None
    low: Quantity | None = None
    high: Quantity | None = None
    date: DatePoint | None = None
    start: DatePoint | None = None
    text: str = ""
    # The comparator was a verb of attainment (达到 95%, 完成 98%): a target
    # reads it as "at least", an actual as the value it reached.
    measured: bool = False


def _days_in_month(year: int, month: int) -> int:
    """As ``calendar.monthrange(year, month)[1]``, without importing calendar
    (and the locale machinery it brings) on every start."""
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


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
# The digits that may follow 成 (八成五); 零 and 两 never do.
_TENTHS = frozenset("一二三四五六七八九")
_CN_BIG = {"万": 10**4, "亿": 10**8}
# A unit that starts with a magnitude character must win over the magnitude.
_UNIT_BEFORE_MAGNITUDE = ("百分比", "百分点", "千瓦时", "千瓦", "千克", "万元次")
# Time units that may carry the measure word 个: 5个工作日, 3个月.
_AFTER_GE = ("工作日", "月", "小时", "星期", "季度", "周", "半月", "百分点")
# Words that mark a figure as approximate: 约95%, 近5000人.
_APPROX = _units.Words(("大约", "约", "近"))
# Words that end a quantity and must never be taken for an unknown unit.
_NOT_UNIT = set("以及或内之左约余多前底末至到不")


def _cjk(ch: str) -> bool:
    """One CJK ideograph (U+4E00–U+9FFF).  A comparison of code points: the
    regex class ``[\u4e00-\u9fff]`` takes milliseconds to compile."""
    return "\u4e00" <= ch <= "\u9fff"


# Numbers beyond this many digits are not amounts any form holds; refusing
# them keeps Decimal arithmetic and formatting cheap on hostile input.
_MAX_DIGITS = 24
# Nor beyond 10^20 once 万 and 亿 are applied (1万万万万万件): Decimal keeps 28
# significant digits, and a value past them would be rounded, not exact.
_MAX_EXPONENT = 20


def _cn_to_int(run: str) -> int | None:
    """Read a Chinese numeral such as 一百二十, 二十万 or 三万五; None if the run
    is not a well-formed numeral (二三, 十十, 百百 are words, not numbers).

    numeral := (section '亿')? (section '万')? section?      # each part < its unit
    section := (digit? '千')? (零? digit? '百')? (零? digit? '十')? 零? digit?
    """
    if not any(ch in _CN_DIGITS or ch == "十" for ch in run):
        return None
    return _cn_big(run, 10**8)


def _cn_big(run: str, unit: int) -> int | None:
    """``run`` split at its last 亿 (then 万): the part before counts ``unit``s."""
    if unit == 1:
        return _cn_section(run)
    word = "亿" if unit == 10**8 else "万"
    lower = 10**4 if unit == 10**8 else 1
    cut = run.rfind(word)
    if cut < 0:
        return _cn_big(run, lower)
    head, tail = run[:cut], run[cut + 1:]
    if not head:
        return None  # 万五: a numeral does not open with its unit
    high = _cn_big(head, lower)
    if high is None or high == 0:
        return None
    if tail and tail[0] not in _CN_DIGITS and tail[0] not in "十百千":
        return None
    low = _cn_big(tail, lower) if tail else 0
    if low is None:
        return None
    if tail and tail[0] in _CN_DIGITS and len(tail) == 1 and tail != "零" and not head.endswith("零"):
        # 三万五: a lone digit after the unit counts the next unit down
        low = _CN_DIGITS[tail] * unit // 10
    if low >= unit:
        return None
    return high * unit + low


def _cn_section(run: str) -> int | None:
    total, digit, last_unit, zero = 0, None, 10**4, False
    for ch in run:
        if ch in _CN_DIGITS:
            value = _CN_DIGITS[ch]
            if value == 0:
                if zero and digit is None and total == 0:
                    return None
                zero = True
                continue
            if digit is not None:
                return None  # 二三: two digits in a row
            digit = value
        elif ch in _CN_SMALL:
            unit = _CN_SMALL[ch]
            if unit >= last_unit:
                return None  # 十十, 十百: units must fall
            if digit is None and (total or zero):
                return None  # 一百十: the digit of a later unit is not optional
            total += (1 if digit is None else digit) * unit
            digit, last_unit, zero = None, unit, False
        else:
            return None
    if digit is not None:
        if last_unit < 10**4 and last_unit > 10 and not zero:
            # 一百五 (colloquial 150): the digit counts the next unit down
            return total + digit * last_unit // 10
        total += digit
    return total


def _number(s: str, pos: int) -> tuple[Decimal, int, bool]:
    """number := '-'? arabic | chinese_numeral.  Returns (value, end, is_arabic)."""
    m = _ARABIC.match(s, pos)
    if m:
        digits = m.group().replace(",", "")
        if len(digits) > _MAX_DIGITS:
            _syntax("number too long", pos, m.end())
        return Decimal(digits), m.end(), True
    if s.startswith("-", pos) and _ARABIC.match(s, pos + 1):
        # ≥-5%: a growth rate allowed to fall.  Only a digit may follow the
        # sign, so that a lone - (不适用) and the - of 1-6期 stay what they were.
        size, end, _ = _number(s, pos + 1)
        return (-size if size else size), end, True  # (no -0: 0 prints as 0)
    m = _CN_RUN.match(s, pos)
    if m:
        run = m.group()
        # 二十万件: the numeral takes its own magnitudes; 万村 is not a number.
        value = _cn_to_int(run)
        if value is not None:
            return Decimal(value), m.end(), False
    raise _Fail


def _cn_magnitude(value: Decimal, s: str, end: int) -> tuple[Decimal, int]:
    """A Chinese numeral that ends in 万 or 亿, as a number and that magnitude:
    二十万 is 20 × 10⁴, as 20万 is, so that the low end of 十至二十万元 takes
    the 万 as the low end of 1-2万元 does.  The numeral's value is unchanged."""
    magnitude = 1
    while s[end - 1] in _CN_BIG:  # a numeral never opens with 万 or 亿 (_cn_big)
        end -= 1
        magnitude *= _CN_BIG[s[end]]
    return value / magnitude, magnitude


def _unit_word(s: str, pos: int, allow_unknown: bool) -> tuple[str | None, int]:
    """unit := (known | unknown) ('/' part | '*' part)*"""
    head = _units.split_known_unit(s, pos)
    end = pos + len(head) if head else pos
    if head is None:
        if s.startswith("/", pos):
            head = ""
        elif allow_unknown:
            # one or two ideographs; an unknown unit never opens with a
            # numeral (100一 is no unit)
            while end < len(s) and end - pos < 2 and _cjk(s[end]):
                end += 1
            head = s[pos:end]
            if not head or set(head) & _NOT_UNIT or _CN_RUN.match(head):
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
            if p >= len(s) or not _cjk(s[p]) or s[p] in _NOT_UNIT:
                break
            part = s[p]
        unit += sep + mag + part
        end = p + len(part)
    return unit or None, end


def _magnitude(s: str, end: int) -> tuple[int, int]:
    """magnitude := ('十' | '百' | '千' | '万' | '亿')*  — unless a unit starts there."""
    magnitude = 1
    while end < len(s) and s[end] in _units.MAGNITUDES and not s.startswith(
        _UNIT_BEFORE_MAGNITUDE, end
    ):
        magnitude *= _units.MAGNITUDES[s[end]]
        end += 1
    return magnitude, end


def _quantity(s: str, pos: int, *, require_known_unit: bool = False) -> tuple[Quantity, int]:
    # Every figure of every value comes through here: the common case (a
    # number with a unit) tests each rare form as few times as it can.
    approx = False
    word = _APPROX.at(s, pos)
    if word is not None:
        approx, pos = True, pos + len(word)
    if s.startswith("百分之", pos):
        if s.startswith("百", pos + 3):  # 百分之百
            return Quantity(Decimal(100), 1, "%", False, approx), pos + 4
        value, end, _ = _number(s, pos + 3)
        return Quantity(value, 1, "%", False, approx), end
    value, end, arabic = _number(s, pos)
    if not arabic and s.startswith("成", end) and value <= 10:
        end += 1
        percent = value * 10
        # 八成五 is 85%: one more digit counts the next tenth down (not 八成五十)
        if value < 10 and s[end:end + 1] in _TENTHS and not _CN_RUN.match(s, end + 1):
            percent, end = percent + _CN_DIGITS[s[end]], end + 1
        return Quantity(percent, 1, "%", False, approx), end
    magnitude = 1
    if arabic:
        magnitude, end = _magnitude(s, end)
    elif s[end - 1] in _CN_BIG:
        value, magnitude = _cn_magnitude(value, s, end)
    at_least = False
    if end < len(s) and s[end] in "余多":
        at_least, end = True, end + 1
        # 10余万元, 十余万人: the magnitude may follow 余
        more, end = _magnitude(s, end)
        magnitude *= more
    if s.startswith("个", end) and s.startswith(_AFTER_GE, end + 1):
        end += 1
    unit, end = _unit_word(s, end, allow_unknown=arabic and not require_known_unit)
    if arabic and unit in _units.COUNTERS:
        end = _counted_noun(s, end)
    if (unit is None and not arabic and end < len(s) and _cjk(s[end])
            and not s.startswith(_QUANTITY_ENDINGS, end)
            # (the low end of 十至二十次 has its unit after the high end)
            and not (require_known_unit and s.startswith(_RANGE_SEPS, end))):
        raise _Fail  # 一般, 一网通办: words, not numbers
    if end < len(s) and s[end] in "余多" and unit is not None:
        at_least, end = True, end + 1
    if s.startswith("左右", end):
        approx, end = True, end + 2
    unit = _canonical_unit(unit)
    if (value * magnitude).adjusted() >= _MAX_EXPONENT:
        _syntax("number too large", pos, end)
    return Quantity(value, magnitude, unit, at_least, approx), end


def _counted_noun(s: str, end: int) -> int:
    """Skip the noun a counter counts: 10所学校, 100户贫困户, 200名学员.

    The counter is the unit (10所); the noun, up to four characters, says
    what is counted and ends where a suffix, a verb or 左右 begins.
    """
    p = end
    while p < len(s) and p - end < 4 and _cjk(s[p]) and s[p] not in _NOT_UNIT \
            and not s.startswith(_NOUN_STOPS, p):
        p += 1
    if p == end or (p < len(s) and not s.startswith(_NOUN_STOPS, p) and s[p] not in _NOT_UNIT
                    and s[p] not in "/*"):
        return end
    return p


_PERCENT_WORDS = {"百分比": "%", "百分点": "%"}


def _canonical_unit(unit: str | None) -> str | None:
    if unit is None:
        return None
    return _PERCENT_WORDS.get(unit, unit)


# ---------------------------------------------------------------- comparators

_PREFIX_OPS: dict[str, str] = {
    ">=": ">=", "=>": ">=", "<=": "<=", "=<": "<=", ">": ">", "<": "<", "==": "=", "=": "=",
    "大于或等于": ">=", "大于等于": ">=", "高于或等于": ">=", "高于等于": ">=", "不低于": ">=",
    "不少于": ">=", "不小于": ">=", "不得低于": ">=", "不得少于": ">=", "至少": ">=",
    "最少": ">=", "最低": ">=", "力争": ">=", "确保": ">=",
    "小于或等于": "<=", "小于等于": "<=", "低于或等于": "<=", "低于等于": "<=",
    "不高于": "<=", "不超过": "<=", "不大于": "<=", "不多于": "<=", "不得超过": "<=",
    "不得高于": "<=", "不超": "<=", "最多": "<=", "至多": "<=", "最高": "<=",
    "大于": ">", "高于": ">", "超过": ">", "多于": ">", "超": ">",
    "小于": "<", "低于": "<", "少于": "<", "不足": "<",
    "等于": "=", "为": "=",
}
# Verbs of attainment: a target 达到95% means "at least 95%", while an actual
# 达到98% reports what was reached (Fields.measured).
_MEASURED_OPS: dict[str, str] = {
    "已达到": ">=", "已完成": ">=", "已实现": ">=", "已达": ">=", "达到": ">=", "达": ">=",
    "完成": ">=", "实现": ">=",
}
# 控制在 X 以内 / 控制在 X: the suffix decides, "within" when there is none.
_SOFT_PREFIXES = ("控制在", "保持在", "维持在")
_PREFIX_LOOKUP = _units.Words((*_PREFIX_OPS, *_MEASURED_OPS, *_SOFT_PREFIXES))
_SYMBOLS = (">=", "=>", "<=", "=<", "==", ">", "<", "=")
# Each symbol opens with one of these, and each of them is a symbol.
_SYMBOL_STARTS = frozenset("<>=")
# Words that frame a figure without changing it: 全年≥95%, 年均不低于90分.
_FRAME_WORDS = ("全年", "年度", "年均", "平均", "累计", "合计", "共计", "总计", "实际", "共")
# 每月1次 is 1次/月: the period moves into the unit.
_PERIOD_WORDS = ("每年", "每季度", "每季", "每月")
# One lookup reads either kind: no frame word opens with 每.
_FRAMES = _units.Words((*_FRAME_WORDS, *_PERIOD_WORDS))

# 以上、以下、以内 include the number itself (the usage of Chinese statutes).
_SUFFIX_OPS: dict[str, str] = {
    "及以上": ">=", "或以上": ">=", "以上": ">=", "及以下": "<=", "或以下": "<=",
    "以下": "<=", "以内": "<=", "之内": "<=", "内": "<=",
}
_SUFFIX_LOOKUP = _units.Words(_SUFFIX_OPS)
# What may follow a unit-less Chinese numeral: 一以上, 两次左右.
_QUANTITY_ENDINGS = (*_SUFFIX_OPS, "左右", "不足")
# Where the noun after a counter stops (10所学校以上, 200名学员左右).
_NOUN_STOPS = (*_SUFFIX_OPS, "左右", "余", "多", "全部完成", "完成", "到位", "完工", "办结", "及以")
_STRICT = {">=": ">", "<=": "<"}
# Notes that say whether the number itself is in: ≥20万件(含), 100万元(不含)以内.
_INCLUDED = ("含", "含本数")
_EXCLUDED = ("不含", "不含本数")


def _prefix_op(s: str, pos: int) -> tuple[str | None, bool, bool, int]:
    """Returns (op, soft, measured, end)."""
    word = _PREFIX_LOOKUP.at(s, pos)
    if word is None:
        return None, False, False, pos
    end = pos + len(word)
    if word in _SOFT_PREFIXES:
        return "<=", True, False, end
    if word in _MEASURED_OPS:
        return _MEASURED_OPS[word], False, True, end
    return _PREFIX_OPS[word], False, False, end


def _suffix_op(s: str, pos: int) -> tuple[str | None, int]:
    word = _SUFFIX_LOOKUP.at(s, pos)
    if word is None:
        return None, pos
    return _SUFFIX_OPS[word], pos + len(word)


def _note_before_suffix(s: str, pos: int) -> tuple[bool, int]:
    """note := '(' ('含' | '不含' ...) ')' before a suffix, as in 100万元(含)以内.
    Returns (whether the number is left out, end); (False, pos) when there is none.
    (A note at the very end is parse_fields' to read.)"""
    close = s.find(")", pos)
    note = s[pos + 1:close]
    if close < 0 or (note not in _INCLUDED and note not in _EXCLUDED) or (
            _SUFFIX_LOOKUP.at(s, close + 1) is None):
        return False, pos
    return note in _EXCLUDED, close + 1


def _frame(s: str, pos: int) -> tuple[str | None, int]:
    """frame := (frame_word | '每' period)*, the period at most once.  Returns (period, end)."""
    period = None
    while True:
        word = _FRAMES.at(s, pos)
        if word is None:
            return period, pos
        if word.startswith("每"):
            if period is not None:
                return period, pos
            period = word[1:]
        pos += len(word)


def _compare(s: str, *, strict: bool) -> Fields:
    """compare := frame prefix_op? frame quantity note? suffix_op? '左右'? verb?"""
    period, pos = _frame(s, 0)
    symbol = s[pos:pos + 1] in _SYMBOL_STARTS  # s.startswith(_SYMBOLS, pos)
    op, soft, measured, pos = _prefix_op(s, pos)
    if op is not None:
        more, pos = _frame(s, pos)
        period = period or more
    try:
        quantity, end = _quantity(s, pos)
    except _Fail:
        if symbol:
            _syntax("expected a number", pos, pos + 1)
        raise
    if s.startswith("(", end):
        excluded, end = _note_before_suffix(s, end)
        strict = strict or excluded
    suffix, end = _suffix_op(s, end)
    if s.startswith("左右", end):
        quantity = Quantity(quantity.number, quantity.magnitude, quantity.unit,
                            quantity.at_least, True)
        end += 2
    if end != len(s) and (suffix is not None or quantity.unit is not None):
        # 5个工作日内办结, 100%完成: a verb after the figure adds nothing
        for word in _VERBS_BY_LENGTH:
            if s.startswith(word, end) and end + len(word) == len(s):
                end = len(s)
                break
    if end != len(s):
        if symbol:
            _garbled(s, pos)
            _syntax("unexpected text after the value", end, len(s))
        raise _Fail
    if period is not None and quantity.unit is not None and "/" not in quantity.unit:
        quantity = Quantity(quantity.number, quantity.magnitude, f"{quantity.unit}/{period}",
                            quantity.at_least, quantity.approx)
    if suffix is not None:
        if op is not None and not soft and not measured and op != suffix and (
                _STRICT.get(suffix) != op):
            _syntax("conflicting comparators", 0, len(s))
        if op is None or soft or measured:
            op, measured = suffix, False
            if suffix == ">=":  # 95%以上: "at least", which an actual reports as measured
                quantity = Quantity(quantity.number, quantity.magnitude, quantity.unit,
                                    True, quantity.approx)
    if strict and op in _STRICT:
        op = _STRICT[op]
    if quantity.at_least and op is None:
        op = ">="
    return Fields("compare", op=op, low=quantity, measured=measured)


# Letters a scanner puts where a digit was: O/o for 0, l/I for 1, S for 5, B
# for 8, Z for 2, g for 9; M for a smudged 14 (M.8万元).
_LOOK_LIKE_DIGITS = frozenset("OoDQIlLiSsBZzgqM")
_LETTERS = re.compile(r"[A-Za-z]+")


def _garbled(s: str, start: int, *, loose: bool = False) -> None:
    """Raise on OCR garbles such as ``2o万件`` or ``M.8万元``: a letter glued to
    a number where no unit is spelled that way.

    After a comparator symbol any such letter is an error.  In text that is
    otherwise free (``loose``), the letters count as a garble only when the
    text reads as a figure once they are taken for digits, so that ``5G基站``
    stays words while ``l00%`` does not become a confident number.
    """
    for m in _LETTERS.finditer(s):
        a, b = m.span()
        touches = (a > 0 and (s[a - 1].isdigit() or s[a - 1] == ".")) or (
            b < len(s) and (s[b].isdigit() or s[b] == ".")
        )
        if not touches or m.group() in _units.UNITS:
            continue
        if loose:
            if not set(m.group()) <= _LOOK_LIKE_DIGITS:
                continue  # 5G, 4A, 4K: letters that no scan takes for a digit
            as_digits = s[:a] + "0" * (b - a) + s[b:]
            try:
                unit = _compare(as_digits, strict=False).low.unit  # type: ignore[union-attr]
            except (_Fail, _Syntax):
                continue
            if unit is not None and unit.split("/")[0].split("*")[0] not in _units.UNITS:
                continue  # 3D打印: the letters belong to a word
        left = a
        while left > start and (s[left - 1].isdigit() or s[left - 1] in ".,"):
            left -= 1
        _syntax("expected a number", left, b)


# ---------------------------------------------------------------- ranges

_RANGE_SEPS = ("-", "~", "至", "到")


def _has_range_separator(s: str) -> bool:
    """Whether any of _RANGE_SEPS occurs in ``s`` (spelled out: a generator
    over the tuple costs more than the tests themselves)."""
    return "-" in s or "~" in s or "至" in s or "到" in s


def _range(s: str) -> Fields:
    if s.startswith("[") and s.endswith("]") and "," in s:
        left, _, right = s[1:-1].partition(",")
        low, end_low = _quantity(left, 0, require_known_unit=True)
        high, end_high = _quantity(right, 0, require_known_unit=True)
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
    # An end without a unit takes the other's (1-2万元 is 1万元-2万元), and its
    # magnitude only when it has none of its own: 1万-2万元 is not 1亿元-2万元.
    if low.unit is None and high.unit is not None:
        low = Quantity(low.number, low.magnitude if low.magnitude != 1 else high.magnitude,
                       high.unit)
    elif high.unit is None and low.unit is not None:
        high = Quantity(high.number, high.magnitude if high.magnitude != 1 else low.magnitude,
                        low.unit)
    if low.unit != high.unit:
        if low.unit and high.unit and _units.compatible(low.unit, high.unit):
            pass
        else:
            _syntax("the two ends of the range have different units", 0, len(s))
    if _units.in_base(low.value, low.unit) > _units.in_base(high.value, high.unit):
        low, high = high, low
    return Fields("range", low=low, high=high)


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
_YEAR_WORD_LOOKUP = _units.Words(_YEAR_WORDS)
_DATE_PREFIXES = _units.Words(("截至", "截止到", "截止", "不晚于", "不迟于", "最迟", "已于", "于",
                               "已在", "在", "<=", "<"))
_YEAR_ONLY = re.compile(r"(?:19|20)\d\d年度?")
# 2021年1-12月: a span of months after a year, the first month without its 月.
_MONTH_SPAN = re.compile(r"(?P<a>1[0-2]|0?[1-9])(?:-|~|至|到)(?P<b>1[0-2]|0?[1-9])月")
# Prefixes that make a date a bound ("no later than"), like the marker 前.
_BOUND_PREFIXES = ("不晚于", "不迟于", "最迟", "<=", "<")
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
    named = _YEAR_WORD_LOOKUP.at(s, pos)
    if named is not None:
        return DatePoint(year, _YEAR_WORDS[named], None), pos + len(named)
    if year is not None:
        m = _MD_DOTTED.match(s, pos)
        if m:
            return _checked(year, int(m["m"]), int(m["d"]), pos, m.end()), m.end()
    raise _Fail


def find_date(text: str) -> DatePoint | None:
    """The last date written inside free text: ``已于2023年10月完成`` -> 2023-10.

    Only a year or a month spelled as a date counts (``2023年``, ``10月``,
    ``2023.10.8``); ``1-2期`` and bare numbers are not dates.  The last one
    wins, since a sentence states the plan before what happened.
    """
    found: DatePoint | None = None
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if (ch.isdigit() or ch in _CN_MONTHS) and (pos == 0 or not text[pos - 1].isdigit()):
            try:
                date, end = _date_point(text, pos)
            except (_Fail, _Syntax):
                pass
            else:
                if date.year is not None or text[pos:end].endswith(("月", "日", "号", "份")) \
                        or any(c in text[pos:end] for c in "月季"):
                    found, pos = date, end
                    continue
        pos += 1
    return found


def find_quantities(text: str) -> list[Quantity]:
    """Every figure with a known unit written inside free text, in order:
    ``完成培训120人次`` -> [120人次]; ``存在18岁以下、54周岁以上`` -> [18岁, 54周岁]."""
    found: list[Quantity] = []
    pos = 0
    while pos < len(text):
        if text[pos].isdigit() and (pos == 0 or not (text[pos - 1].isdigit()
                                                      or text[pos - 1] in ".,")):
            try:
                q, end = _quantity(text, pos, require_known_unit=True)
            except (_Fail, _Syntax):
                q, end = None, pos + 1
            if q is not None:
                if q.unit is not None:
                    found.append(q)
                pos = max(end, pos + 1)
                continue
        pos += 1
    return found


def _checked(y: int | None, m: int | None, d: int | None, start: int, end: int) -> DatePoint:
    if m is None:
        m = 12  # 2025年: by the end of the year
    if d is not None and m is not None:
        last = _days_in_month(y if y is not None else 2024, m)
        if d > last:
            _syntax("no such day in that month", start, end)
    return DatePoint(y, m, d)


def _may_be_date(s: str) -> bool:
    """Whether ``s`` may hold a date point at all: one is spelled with 年, 月
    or 季 (2023年, 12月, 年底, 一季度) or with a dot, a slash or a dash
    (2021.12.31, 12.31前).  Most values hold none of them (98%, 230人), and
    the deadline rule is not tried on those: it would fail, by raising."""
    return "年" in s or "月" in s or "季" in s or "." in s or "/" in s or "-" in s


def _deadline(s: str) -> Fields:
    """deadline := date_prefix? date_point (SEP date_point)? date_marker* ('已'|'均已')? verb?"""
    pos = 0
    bound = False
    word = _DATE_PREFIXES.at(s, pos)
    if word is not None:
        pos += len(word)
        bound = word in _BOUND_PREFIXES
    begin = pos
    try:
        first, pos = _date_point(s, pos)
        if s.startswith("<", 0) and _YEAR_ONLY.fullmatch(s, begin, pos):
            raise _Fail  # ≤2025年 compares years, as ≤5年 does; 2025年前 is the deadline
    except _Fail:
        # 12.31前: a dotted month and day is a date only before a marker,
        # since 12.31 alone is a number
        m = _MD_DOTTED.match(s, pos)
        if not m or not s.startswith(_DATE_MARKERS, m.end()) or s.startswith(("底", "末"), m.end()):
            raise
        first, pos = _checked(None, int(m["m"]), int(m["d"]), pos, m.end()), m.end()
    start = None
    span = _MONTH_SPAN.match(s, pos) if _YEAR_ONLY.fullmatch(s, begin, pos) else None
    if span is not None and int(span["a"]) <= int(span["b"]):
        start = DatePoint(first.year, int(span["a"]), None)
        first, pos = DatePoint(first.year, int(span["b"]), None), span.end()
    for sep in _RANGE_SEPS if start is None else ():
        if s.startswith(sep, pos):
            try:
                second, after = _date_point(s, pos + len(sep), first.year)
            except _Fail:
                break
            start, first, pos = first, second, after
            break
    while True:
        for word in _DATE_MARKERS:
            if s.startswith(word, pos):
                pos += len(word)
                bound = bound or word not in ("底", "末")
                break
        else:
            break
    for word in ("均已", "已", "全部"):
        if s.startswith(word, pos):
            pos += len(word)
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
    if _may_be_date(s):
        try:
            return _deadline(s)
        except _Fail:
            pass
    if s.startswith("[") or _has_range_separator(s):
        try:
            return _range(s)
        except _Fail:
            pass
        return _compare(s, strict=strict)
    # Not a range (no separator), and most values are bare figures such as
    # 98% or 230人: _range would read the figure only to fail where the
    # separator should be, and _compare read it again.  One case differs: a
    # figure too long or too large raises in _range first, and its span ends
    # where _range's reading ends (it takes no unknown unit), so when
    # _compare raises, _range runs after all and its error, if any, wins.
    try:
        return _compare(s, strict=strict)
    except _Syntax:
        try:
            _range(s)
        except _Fail:
            pass
        raise


# A remark after a comma or semicolon (``100%，已完成``); never the comma of
# ``1,923.78``, which sits between digits.
_REMARK = re.compile(r"[,;:](?!\d)")


def _heads(s: str, annotation: re.Match[str] | None) -> list[str]:
    """The value without its trailing remark: ``≥95%(抽样调查)`` -> ``≥95%``."""
    heads = []
    if annotation is not None:
        heads.append(annotation["body"])
    cut = _REMARK.search(s)
    if cut is not None and cut.start() > 0 and not s.startswith("["):
        heads.append(s[:cut.start()])
    return heads


def parse_fields(norm: Normalized) -> Fields:
    """Read one normalised value.  Raises TargetSyntaxError on broken text.

    value := structured ('(' note ')')? | structured (',' remark)? | qualitative

    A note ``(含)`` / ``(不含)`` decides whether the bound is included; any other
    note or remark is dropped when what precedes it reads as a value.
    """
    s = str(norm)
    try:
        if not s:
            _syntax("expected a value", 0, 0)
        body, strict = s, False
        m = _ANNOTATION.match(s)
        if m:
            note = m["note"]
            if note in _INCLUDED:
                body = m["body"]
            elif note in _EXCLUDED:
                body, strict = m["body"], True
        failure: _Syntax | None = None
        try:
            return _structured(body, strict=strict)
        except _Fail:
            pass
        except _Syntax as e:
            failure = e
        # Only now, since most values read whole: the value without its remark.
        heads = _heads(s, m) if body == s else []
        if failure is not None and not heads:
            raise failure
        for head in heads:
            try:
                fields = _structured(head, strict=False)
            except (_Fail, _Syntax):
                continue
            if fields.kind != "not_applicable":
                return fields
        if failure is not None:
            raise failure
        _garbled(s, 0, loose=True)
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
