"""Laws of scoring (SPEC §4) over generated tables, one class per law."""

from __future__ import annotations

import copy
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from perfeval.report import Report
from perfeval.scoring import score

# Each example scores a whole table, so the everyday (ci) profile runs 100 of
# them; a bigger profile (HYPOTHESIS_PROFILE=fuzz, tests/conftest.py) keeps its own.
_PROFILE = settings()
LAWS = settings(_PROFILE, deadline=None,
                max_examples=100 if _PROFILE.max_examples <= 200 else _PROFILE.max_examples)

PACKS = st.sampled_from(["mof-2020", "hubei-2020", "linear-reverse"])
LEVEL1 = st.sampled_from(["产出指标", "成本指标", "效益指标", "满意度指标"])
UNITS = st.sampled_from(["件", "人", "次", "户"])
WORDS = ["提升", "明显提高", "有效保障", "及时", "优化", "保持"]
ANSWERS = WORDS + ["有所提高", "达成年度指标", "部分达成年度指标并具有一定效果",
                   "未达成年度指标且效果较差", "未完成", "基本完成"]
NUMBERS = st.decimals(min_value=0, max_value=5000, places=2, allow_nan=False,
                      allow_infinity=False)


def _text(value: Decimal) -> str:
    return f"{value.normalize():f}"


@st.composite
def counts(draw: st.DrawFn) -> tuple[str, str, str]:
    """``≥N件`` (positive): (target, actual, kind)."""
    unit = draw(UNITS)
    n = draw(st.integers(1, 1000))
    actual = draw(st.one_of(NUMBERS.map(lambda v: f"{_text(v)}{unit}"),
                            st.sampled_from(["已完成", "", "—"])))
    return f"≥{n}{unit}", actual, "positive"


@st.composite
def percents(draw: st.DrawFn) -> tuple[str, str, str]:
    """A bare ``N%`` (positive by the catalog for the generated names)."""
    n = draw(st.integers(1, 100))
    actual = draw(st.decimals(min_value=0, max_value=100, places=2))
    return f"{n}%", f"{_text(actual)}%", "positive"


@st.composite
def ceilings(draw: st.DrawFn) -> tuple[str, str, str]:
    """``≤N%`` (reverse)."""
    n = draw(st.integers(1, 50))
    actual = draw(st.decimals(min_value=0, max_value=100, places=1))
    return f"≤{n}%", f"{_text(actual)}%", "reverse"


@st.composite
def words(draw: st.DrawFn) -> tuple[str, str, str]:
    return draw(st.sampled_from(WORDS)), draw(st.sampled_from(ANSWERS)), "qualitative"


ROW = st.one_of(counts(), percents(), ceilings(), words())


@st.composite
def rows(draw: st.DrawFn, start: int, size: int) -> list[dict[str, Any]]:
    out = []
    for i in range(start, start + size):
        target, actual, _ = draw(ROW)
        out.append({"level1": draw(LEVEL1), "name": f"指标{i}", "target": target,
                    "actual": actual})
    return out


@st.composite
def tables(draw: st.DrawFn) -> dict[str, Any]:
    doc: dict[str, Any] = {"kind": "project", "name": "生成的表", "year": 2024, "deviation": "无"}
    if draw(st.booleans()):
        goals = []
        start = 0
        for g in range(draw(st.integers(1, 3))):
            size = draw(st.integers(1, 6))
            goals.append({"name": f"目标{g + 1}", "indicators": draw(rows(start, size))})
            start += size
        doc["goals"] = goals
    else:
        doc["indicators"] = draw(rows(0, draw(st.integers(1, 12))))
    if draw(st.booleans()):
        planned = draw(st.decimals(min_value=1, max_value=10000, places=2))
        executed = draw(st.decimals(min_value=0, max_value=planned * 2, places=2))
        doc["budget"] = {"planned": _text(planned), "executed": _text(executed)}
    return doc


def all_rows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    if "goals" in doc:
        return [r for g in doc["goals"] for r in g["indicators"]]
    return list(doc["indicators"])


def half_up(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class TestScoreWithinWeight:
    @LAWS
    @given(tables(), PACKS)
    def test_law(self, doc: dict[str, Any], pack: str) -> None:
        r = score(doc, rules=pack)
        for i in r.indicators:
            assert 0 <= i.score <= i.weight, (i.name, i.score, i.weight)
        if r.budget is not None:
            assert 0 <= r.budget.score <= r.budget.weight


class TestWeightsTotal100:
    @LAWS
    @given(tables(), PACKS)
    def test_law(self, doc: dict[str, Any], pack: str) -> None:
        r = score(doc, rules=pack)
        budget = r.budget.weight if r.budget is not None else Decimal(0)
        total = sum((i.weight for i in r.indicators), Decimal(0)) + budget
        assert total == 100
        if r.budget is not None:
            assert budget == (20 if pack == "hubei-2020" else 10)


class TestTotalAtMost100:
    @LAWS
    @given(tables(), PACKS)
    def test_law(self, doc: dict[str, Any], pack: str) -> None:
        r = score(doc, rules=pack)
        assert 0 <= r.exact_total <= 100 and 0 <= r.total <= 100


@st.composite
def raised(draw: st.DrawFn) -> tuple[dict[str, Any], int, str]:
    """A table, one of its ``≥N件`` rows and a larger actual for it."""
    doc = draw(tables())
    unit = draw(UNITS)
    target = draw(st.integers(1, 1000))
    low = draw(NUMBERS)
    high = low + draw(st.decimals(min_value=Decimal("0.01"), max_value=5000, places=2))
    flat = all_rows(doc)
    index = draw(st.integers(0, len(flat) - 1))
    flat[index].update(target=f"≥{target}{unit}", actual=f"{_text(low)}{unit}")
    return doc, index, f"{_text(high)}{unit}"


class TestMonotonicInPositiveActuals:
    @LAWS
    @given(raised(), PACKS)
    def test_law(self, case: tuple[dict[str, Any], int, str], pack: str) -> None:
        doc, index, higher = case
        before = score(doc, rules=pack)
        more = copy.deepcopy(doc)
        all_rows(more)[index]["actual"] = higher
        after = score(more, rules=pack)
        assert after.exact_total >= before.exact_total


class TestRowOrder:
    @LAWS
    @given(tables(), PACKS, st.randoms(use_true_random=False))
    def test_law(self, doc: dict[str, Any], pack: str, rnd: Any) -> None:
        shuffled = copy.deepcopy(doc)
        for group in ([g["indicators"] for g in shuffled["goals"]] if "goals" in shuffled
                      else [shuffled["indicators"]]):
            rnd.shuffle(group)
        a, b = score(doc, rules=pack), score(shuffled, rules=pack)
        assert a.exact_total == b.exact_total and a.total == b.total
        assert sorted((i.name, i.weight.quantize(Decimal("1E-20"))) for i in a.indicators) == \
            sorted((i.name, i.weight.quantize(Decimal("1E-20"))) for i in b.indicators)


def _unrounded_sum(r: Report) -> Fraction:
    return sum((Fraction(i.score) for i in r.indicators), Fraction(0)) + (
        Fraction(r.budget.score) if r.budget is not None else Fraction(0))


class TestRounding:
    @LAWS
    @given(tables(), PACKS)
    def test_law(self, doc: dict[str, Any], pack: str) -> None:
        r = score(doc, rules=pack)
        # the total is the unrounded sum, rounded once, half-up
        assert abs(_unrounded_sum(r) - Fraction(r.exact_total)) < Fraction(1, 10 ** 18)
        assert r.total == half_up(r.exact_total)
        assert r.to_dict()["total"] == float(r.total)
        assert r.grade == ("优" if r.total >= 90 else "良" if r.total >= 80
                           else "中" if r.total >= 60 else "差")
