"""Units of measure and counters, and how they convert.

A unit is kept as written (``公里``, ``km``, ``人次``) so that canonical forms
read like the forms; conversion happens only when two different units meet.
Each known unit belongs to a dimension with an exact :class:`Fraction` factor
to that dimension's base, so ``1 亩 = 2000/3 平方米`` compares exactly.
Counters (``件``, ``人次``, ``台``) are each a dimension of their own:
``人`` and ``人次`` never compare.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

__all__ = [
    "in_base", "base_ratio",
    "UNITS", "COUNTERS", "dimension", "factor", "compatible", "split_known_unit", "MAGNITUDES",
    "per_year", "Words", "with_magnitude",
]

F = Fraction

# unit as written -> (dimension, factor to the dimension's base unit)
UNITS: dict[str, tuple[str, Fraction]] = {
    # money
    "元": ("元", F(1)), "角": ("元", F(1, 10)),
    # percentages: ‰ folds into per cent
    "%": ("%", F(1)), "‰": ("%", F(1, 10)), "百分比": ("%", F(1)), "百分点": ("%", F(1)),
    # length
    "米": ("米", F(1)), "m": ("米", F(1)), "km": ("米", F(1000)), "公里": ("米", F(1000)),
    "厘米": ("米", F(1, 100)), "cm": ("米", F(1, 100)), "毫米": ("米", F(1, 1000)),
    "mm": ("米", F(1, 1000)), "延米": ("米", F(1)), "延长米": ("米", F(1)),
    # area; a mu is exactly 2000/3 square metres
    "平方米": ("平方米", F(1)), "m2": ("平方米", F(1)), "平米": ("平方米", F(1)),
    "平方公里": ("平方米", F(10**6)), "平方千米": ("平方米", F(10**6)), "km2": ("平方米", F(10**6)),
    "公顷": ("平方米", F(10**4)), "亩": ("平方米", F(2000, 3)),
    # volume
    "立方米": ("立方米", F(1)), "m3": ("立方米", F(1)), "方": ("立方米", F(1)),
    "升": ("立方米", F(1, 1000)), "L": ("立方米", F(1, 1000)),
    # mass
    "克": ("克", F(1)), "g": ("克", F(1)), "千克": ("克", F(1000)), "kg": ("克", F(1000)),
    "公斤": ("克", F(1000)), "斤": ("克", F(500)), "吨": ("克", F(10**6)), "t": ("克", F(10**6)),
    # time: calendar time converts; working days and months are their own measures
    "秒": ("秒", F(1)), "分钟": ("秒", F(60)), "小时": ("秒", F(3600)), "h": ("秒", F(3600)),
    "天": ("秒", F(86400)), "日": ("秒", F(86400)), "周": ("秒", F(604800)),
    "星期": ("秒", F(604800)), "工作日": ("工作日", F(1)),
    "月": ("月", F(1)), "季度": ("月", F(3)), "年": ("月", F(12)),
    "周岁": ("岁", F(1)), "岁": ("岁", F(1)),
    "℃": ("℃", F(1)),
    # energy and power
    "千瓦时": ("千瓦时", F(1)), "kWh": ("千瓦时", F(1)), "度": ("千瓦时", F(1)),
    "千瓦": ("千瓦", F(1)), "kW": ("千瓦", F(1)), "兆瓦": ("千瓦", F(1000)), "MW": ("千瓦", F(1000)),
    # data
    "GB": ("GB", F(1)), "TB": ("GB", F(1024)), "MB": ("GB", F(1, 1024)),
    # people counted once; 名 and 位 count the same people as 人
    "人": ("人", F(1)), "名": ("人", F(1)), "位": ("人", F(1)),
}

# Counters: each is its own dimension, factor 1.
_COUNTERS = (
    "件 个 次 人次 户 台 份 项 场 家 所 篇 期 条 辆 座 村 批次 批 单 套 台套 种 例 组 标箱 "
    "班 班次 节 课 课时 学时 本 册 张 块 株 棵 头 只 盏 根 间 栋 处 部 颗 支 宗 起 轮 遍 "
    "场次 架次 车次 人天 人日 人月 所次 户次 家次 个次 校 园 款 首 幅 集 部 档 卷 盒 箱 袋 "
    "瓶 片 剂 床 床位 套次 份次 期次 轮次 批件 证 本次 册次 辆次 台次 条次 项次 篇次 站 "
    "点 个点 网点 基地 平台 系统 对 双 名次 元次 门 门次 吨次 口 眼 孔 座次 处次 号 字 分 "
    "标段 单元 户数 人数 次数"
).split()
for _name in _COUNTERS:
    UNITS.setdefault(_name, (_name, F(1)))
# Counters (and 人, which 名 and 位 share) may be followed by the noun they count.
COUNTERS: frozenset[str] = frozenset(_COUNTERS) | {"人", "名", "位"}

# The factor of a unit the table does not know: it is its own base.
_ONE = F(1)

MAGNITUDES: dict[str, int] = {"十": 10, "百": 100, "千": 1000, "万": 10**4, "亿": 10**8}


def with_magnitude(unit: str | None, magnitude: int) -> str:
    """The unit a reader sees after a number: ``万件`` for 件 at 10⁴, ``十万元``
    at 10⁵, ``万亿元`` at 10¹²."""
    words = ""
    while magnitude >= 10**8 and magnitude % 10**8 == 0:
        words, magnitude = "亿" + words, magnitude // 10**8
    if magnitude >= 10**4 and magnitude % 10**4 == 0:
        words, magnitude = "万" + words, magnitude // 10**4
    small = {1: "", 10: "十", 100: "百", 1000: "千"}
    return small.get(magnitude, "") + words + (unit or "")


class Words:
    """A vocabulary read at a position of a text, the longest word winning.

    The words are indexed by their first character: most positions of a text
    start no word at all, and then a lookup costs one ``dict`` probe; where
    one does, only the lengths of the words that start with that character
    are tried, longest first.  The unit table has hundreds of entries and is
    consulted for every quantity; the parser reads its comparator and date
    words the same way.
    """

    __slots__ = ("_lengths", "_words")

    def __init__(self, words: Iterable[str]) -> None:
        self._words = frozenset(words)
        if "" in self._words:
            raise ValueError("a vocabulary of Words holds no empty word")
        lengths: dict[str, set[int]] = {}
        for w in self._words:
            lengths.setdefault(w[0], set()).add(len(w))
        self._lengths = {first: tuple(sorted(ns, reverse=True)) for first, ns in lengths.items()}

    def at(self, text: str, start: int) -> str | None:
        """The longest word at ``text[start:]``, or None."""
        lengths = self._lengths.get(text[start:start + 1])
        if lengths is not None:
            for length in lengths:
                candidate = text[start:start + length]
                if candidate in self._words:
                    return candidate
        return None


_KNOWN = Words(UNITS)


def split_known_unit(text: str, start: int) -> str | None:
    """The longest known unit at ``text[start:]``, without compound parts."""
    return _KNOWN.at(text, start)


def _parts(unit: str) -> tuple[str, str]:
    """Split a compound unit ``元/人*月`` into its head ``元`` and tail ``/人*月``."""
    cut = unit.find("/")
    if cut < 0:
        return unit, ""
    return unit[:cut], unit[cut:]


def dimension(unit: str) -> str:
    """What a unit measures: two units compare only when their dimensions agree."""
    head, tail = _parts(unit)
    return UNITS.get(head, (head, _ONE))[0] + tail


def factor(unit: str) -> Fraction:
    """How many of its dimension's base unit one ``unit`` is (exact)."""
    head, _ = _parts(unit)
    return UNITS.get(head, (head, _ONE))[1]


def compatible(a: str, b: str) -> bool:
    return a == b or dimension(a) == dimension(b)


# A rate per period (1次/月, 13万元/年) over a year's table: how many periods a
# year holds.  Weeks and days are left out: 52 weeks is not a year exactly, and
# a daily rate (元/人/天) is a price, not a count to add up.
_PERIODS: dict[str, int] = {"年": 1, "半年": 2, "季度": 4, "季": 4, "月": 12}


def per_year(unit: str | None) -> tuple[str, Fraction] | None:
    """``次/月`` -> (``次``, 12): the unit without its period and the periods per year."""
    if not unit:
        return None
    head, sep, period = unit.rpartition("/")
    if sep and head and period in _PERIODS:
        return head, F(_PERIODS[period])
    return None


def in_base(value: Decimal, unit: str | None) -> Fraction:
    """``value`` of ``unit`` in its dimension's base unit, exactly."""
    return Fraction(*base_ratio(value, unit))


def base_ratio(value: Decimal, unit: str | None) -> tuple[int, int]:
    """:func:`in_base` as a numerator and a positive denominator, not reduced:
    evaluation compares and divides these integers, where a Fraction would
    cost a Python-level object at each step."""
    numerator, denominator = value.as_integer_ratio()
    if unit:
        f = factor(unit)
        numerator, denominator = numerator * f.numerator, denominator * f.denominator
    return numerator, denominator
