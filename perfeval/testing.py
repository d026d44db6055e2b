"""Hypothesis strategies for testing software that embeds perfeval.

Install with ``pip install 'perfeval[test]'`` (this module needs hypothesis).

* :func:`targets` draws valid target strings in the forms of SPEC §2;
* :func:`cases` draws ``(target, actual, name, expected_status)`` tuples whose
  outcome is known by construction, from the rules of SPEC §3;
* :func:`documents` draws valid project and department documents, as mappings
  or as YAML text.

A downstream test checks its integration in a few lines::

    from hypothesis import given
    import perfeval
    from perfeval.testing import cases

    @given(cases())
    def test_our_scoring_agrees(case):
        target, actual, name, expected = case
        assert perfeval.evaluate(target, actual, name=name).status == expected
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import yaml
from hypothesis import strategies as st

__all__ = ["targets", "cases", "documents", "Case"]

Case = tuple[str, str, str, str]

_FULL_WIDTH = str.maketrans("0123456789.%=<>", "０１２３４５６７８９．％＝＜＞")

# Comparator spellings, each a function of (number-with-unit) -> target text.
_AT_LEAST = ("≥{}", ">={}", "≧{}", "＞＝{}", "不低于{}", "不少于{}", "大于等于{}", "至少{}",
             "达到{}", "{}及以上", "{}以上")
_AT_MOST = ("≤{}", "<={}", "≦{}", "不高于{}", "不超过{}", "小于等于{}", "{}以下", "{}以内",
            "控制在{}以内")
_EQUAL = ("={}", "＝{}", "═{}")
_COUNTERS = ("件", "个", "次", "人", "人次", "户", "台", "份", "项", "场", "家", "篇", "期", "条",
             "辆", "座", "批次", "套", "种", "例", "组", "标箱", "元/户", "次/月")
# Names whose bare targets are positive or reverse by the catalog.
_POSITIVE_NAMES = ("组织工作人员学习培训次数", "外包服务人员聘用人数", "免费刻章服务户数",
                   "行政审批办案数量", "表格印刷数量")
_REVERSE_NAMES = ("设备故障率", "预算调整率", "安全事故发生数", "群众投诉次数", "办结时限")
_QUALITATIVE = ("明显提高", "得到提升", "有效保障", "提升", "优化", "保持", "及时", "显著提升",
                "有效", "合格", "符合相关规定", "长期", "持续发挥作用")
_CN_DIGITS = "零一二三四五六七八九"


def _chinese(n: int) -> str:
    """1..99 in Chinese numerals: 十二, 二十, 九十九."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN_DIGITS[tens] + "十")
    return head + (_CN_DIGITS[ones] if ones else "") if n >= 10 else _CN_DIGITS[n]


def _spaced(draw: st.DrawFn, value: str, unit: str) -> str:
    return value + draw(st.sampled_from(("", "", " "))) + unit


@st.composite
def _positive(draw: st.DrawFn) -> Case:
    t = draw(st.integers(1, 10**6))
    a = draw(st.one_of(st.integers(0, 3 * t), st.just(t), st.just(t * 6 // 5 + 1)))
    unit = draw(st.sampled_from(_COUNTERS))
    form = draw(st.sampled_from(_AT_LEAST + ("{}",)))
    name = draw(st.sampled_from(_POSITIVE_NAMES))
    target = form.format(_spaced(draw, str(t), unit))
    if draw(st.booleans()):
        target = target.translate(_FULL_WIDTH)
    return target, f"{a}{unit}", name, _positive_status(Decimal(a), Decimal(t))


def _positive_status(a: Decimal, t: Decimal) -> str:
    if a < t:
        return "missed"
    return "exceeded" if a >= t * Decimal("1.2") else "met"


@st.composite
def _magnitude(draw: st.DrawFn) -> Case:
    """≥ 20万件 against an actual in 件, or in 万件 with 余."""
    t = draw(st.integers(1, 500))
    unit = draw(st.sampled_from(("件", "人次", "户", "元")))
    target = draw(st.sampled_from(("≥{}万{}", "不少于{}万{}", "{}万{}以上"))).format(t, unit)
    if draw(st.booleans()):
        a = draw(st.integers(0, 3 * t))
        actual = draw(st.sampled_from(("{}万余{}", "{}万多{}", "{} 万{}"))).format(a, unit)
        return target, actual, draw(st.sampled_from(_POSITIVE_NAMES)), _positive_status(
            Decimal(a), Decimal(t))
    a = draw(st.integers(0, 3 * t * 10000))
    return target, f"{a}{unit}", draw(st.sampled_from(_POSITIVE_NAMES)), _positive_status(
        Decimal(a), Decimal(t * 10000))


@st.composite
def _chinese_numeral(draw: st.DrawFn) -> Case:
    t = draw(st.integers(1, 99))
    a = draw(st.integers(0, 200))
    unit = draw(st.sampled_from(("次", "人", "场", "期")))
    target = draw(st.sampled_from(("不少于{}", "至少{}", "{}"))).format(_chinese(t) + unit)
    return target, f"{a}{unit}", draw(st.sampled_from(_POSITIVE_NAMES)), _positive_status(
        Decimal(a), Decimal(t))


@st.composite
def _reverse(draw: st.DrawFn) -> Case:
    t = draw(st.integers(0, 100))
    a = draw(st.integers(0, 100))
    if draw(st.booleans()):  # a bare target, reverse by the indicator's name
        return f"{t}%", f"{a}%", draw(st.sampled_from(_REVERSE_NAMES)), (
            "met" if a <= t else "missed")
    form = draw(st.sampled_from(_AT_MOST))
    return form.format(f"{t}%"), f"{a}%", draw(st.sampled_from(_REVERSE_NAMES + _POSITIVE_NAMES)), (
        "met" if a <= t else "missed")


@st.composite
def _equal(draw: st.DrawFn) -> Case:
    t = draw(st.integers(1, 100))
    a = draw(st.one_of(st.just(t), st.integers(0, 100)))
    form = draw(st.sampled_from(_EQUAL))
    return form.format(f"{t}%"), f"{a}%", "工作人员绩效考核合格率", "met" if a == t else "missed"


@st.composite
def _strict(draw: st.DrawFn) -> Case:
    t = draw(st.integers(1, 99))
    a = draw(st.one_of(st.just(t), st.integers(0, 100)))
    # at the boundary a strict comparator is missed (and scored in full)
    status = _positive_status(Decimal(a), Decimal(t)) if a > t else "missed"
    return f">{t}%", f"{a}%", "验收合格率", status


@st.composite
def _range(draw: st.DrawFn) -> Case:
    lo = draw(st.integers(0, 99))
    hi = draw(st.integers(lo + 1, 100))
    a = draw(st.integers(0, 100))
    sep = draw(st.sampled_from(("-", "~", "～", "至", "—")))
    target = draw(st.sampled_from(("{lo}%{sep}{hi}%", "{lo}{sep}{hi}%"))).format(
        lo=lo, sep=sep, hi=hi)
    return target, f"{a}%", "预算执行率", "met" if lo <= a <= hi else "missed"


@st.composite
def _qualitative(draw: st.DrawFn) -> Case:
    target = draw(st.sampled_from(_QUALITATIVE))
    actual, status = draw(st.sampled_from((
        (target, "met"), ("达成年度指标", "met"), ("已完成", "met"),
        ("部分达成年度指标并具有一定效果", "partial"), ("未达成年度指标且效果较差", "missed"),
        ("未完成", "missed"),
    )))
    return target, actual, "政务服务水平", status


@st.composite
def _deadline(draw: st.DrawFn) -> Case:
    year = draw(st.integers(2018, 2030))
    month = draw(st.integers(1, 12))
    done = draw(st.integers(1, 12))
    day = draw(st.integers(1, 28))
    target = draw(st.sampled_from(("{y}年{m}月底前", "{y}年{m}月前", "{y}年{m}月"))).format(
        y=year, m=month)
    return target, f"{year}年{done}月{day}日", "项目完成时间", "met" if done <= month else "missed"


_CASES = (_positive(), _magnitude(), _chinese_numeral(), _reverse(), _equal(), _strict(),
          _range(), _qualitative(), _deadline())


def cases() -> st.SearchStrategy[Case]:
    """``(target, actual, name, expected_status)`` with the status SPEC §3 gives.

    The status is worked out from the numbers drawn, never by calling perfeval.
    """
    return st.one_of(*_CASES)


def targets() -> st.SearchStrategy[str]:
    """Valid target strings in the forms of SPEC §2."""
    return cases().map(lambda case: case[0])


# ---------------------------------------------------------------- documents

_LEVELS = (("产出指标", "数量指标"), ("产出指标", "质量指标"), ("产出指标", "时效指标"),
           ("成本指标", "经济成本指标"), ("效益指标", "社会效益指标"),
           ("满意度指标", "服务对象满意度指标"))


@st.composite
def _indicators(draw: st.DrawFn, min_size: int = 1) -> list[dict[str, str]]:
    rows = []
    drawn = draw(st.lists(cases(), min_size=min_size, max_size=12))
    for i, (target, actual, name, _) in enumerate(drawn):
        level1, level2 = draw(st.sampled_from(_LEVELS))
        rows.append({"level1": level1, "level2": level2, "name": f"{name}{i + 1}",
                     "target": target, "actual": actual})
    return rows


@st.composite
def _budget(draw: st.DrawFn) -> dict[str, str]:
    planned = draw(st.integers(1, 10**8))  # in 分 of 万元: two decimals
    executed = draw(st.integers(0, planned))
    return {"planned": f"{Decimal(planned) / 100} 万元", "executed": f"{Decimal(executed) / 100} 万元"}


@st.composite
def _project(draw: st.DrawFn) -> dict[str, Any]:
    doc: dict[str, Any] = {"kind": "project", "name": draw(st.sampled_from(
        ("外包工作人员经费", "审批大厅日常运转经费", "一网通办工作经费", "行政审批工作经费"))),
        "year": draw(st.integers(2018, 2030))}
    doc["budget"] = draw(_budget())
    doc["indicators"] = draw(_indicators())
    doc["deviation"] = draw(st.sampled_from(("无", "部分指标因客观原因未完成，已制定整改措施。")))
    return doc


@st.composite
def _department(draw: st.DrawFn) -> dict[str, Any]:
    goals = [{"name": f"年度目标{i + 1}", "indicators": draw(_indicators())}
             for i in range(draw(st.integers(1, 3)))]
    doc: dict[str, Any] = {"kind": "department", "name": "某区行政审批局",
                           "year": draw(st.integers(2018, 2030)), "budget": draw(_budget()),
                           "goals": goals}
    projects = draw(st.lists(_project(), max_size=3))
    if projects:
        doc["projects"] = projects
    return doc


def documents(*, kind: str | None = None, as_yaml: bool = False
              ) -> st.SearchStrategy[dict[str, Any]] | st.SearchStrategy[str]:
    """Valid documents: ``kind`` is ``project``, ``department`` or either.

    With ``as_yaml=True`` they come as YAML text, ready for a file.
    """
    choices = {"project": (_project(),), "department": (_department(),),
               None: (_project(), _department())}[kind]
    strategy = st.one_of(*choices)
    if as_yaml:
        return strategy.map(lambda doc: yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))
    return strategy
