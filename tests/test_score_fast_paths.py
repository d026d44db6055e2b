"""The memos and fast paths of scoring and of the report's JSON form.

Each one stands in for a plainer spelling of the same computation; these laws
hold the two together, so that a later edit to either shows up here rather
than as a changed number in somebody's report.
"""

from __future__ import annotations

import dataclasses
import pickle
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from perfeval import scoring
from perfeval.report import (
    IndicatorResult,
    _basis,
    _cents,
    _indicator_result,
    number,
    round2,
    round4,
)

_AMOUNTS = st.decimals(min_value=-10**6, max_value=10**6, allow_nan=False, allow_infinity=False,
                       places=6) | st.decimals(min_value=0, max_value=100, allow_nan=False,
                                               allow_infinity=False, places=24)


def _padded(value: Decimal) -> Decimal:
    """The same value with two more trailing zeros: 2.5 as 2.500."""
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    return Decimal((sign, (*digits, 0, 0), exponent - 2))


def _same(a: object, b: object) -> bool:
    """Equal and of one type: 10 is not 10.0 in the JSON."""
    return type(a) is type(b) and a == b


@example(Decimal("2.005"))
@example(Decimal("-0.004"))
@example(Decimal("0E-24"))
@example(Decimal("99.99499999999999999999999"))
@given(_AMOUNTS)
def test_cents_memo_is_number_of_round2(value: Decimal) -> None:
    expected = number(round2(value))
    # an equal Decimal with other digits may have put its answer in the memo first
    assert _same(_cents(value.normalize()), expected)
    assert _same(_cents(_padded(value)), expected)
    assert _same(_cents(value), expected)


@example(Decimal("0.99995"))
@example(Decimal("1.0000"))
@given(st.none() | _AMOUNTS)
def test_basis_memo_is_number_of_round4(value: Decimal | None) -> None:
    expected = None if value is None else number(round4(value))
    if value is not None:
        assert _same(_basis(value.normalize()), expected)
        assert _same(_basis(_padded(value)), expected)
    assert _same(_basis(value), expected)


_TEXT = st.text(max_size=6)
_FIELDS = st.tuples(
    st.none() | _TEXT, _TEXT, _TEXT, _TEXT, st.none() | _TEXT, st.none() | _TEXT,
    st.none() | _TEXT, _TEXT, st.none() | _AMOUNTS, _AMOUNTS, _AMOUNTS, _TEXT, _TEXT,
    st.none() | _AMOUNTS)


@given(_FIELDS)
def test_indicator_result_made_the_fast_way_is_the_dataclass_made_plainly(
        values: tuple[Any, ...]) -> None:
    plain, fast = IndicatorResult(*values), _indicator_result(*values)
    assert type(fast) is IndicatorResult
    assert fast == plain and hash(fast) == hash(plain) and repr(fast) == repr(plain)
    assert dataclasses.astuple(fast) == values
    assert pickle.loads(pickle.dumps(fast)) == plain  # as --jobs workers send reports back
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.name = "x"  # type: ignore[misc]


@example(0)
@example(10**24)
@example(36 * 10**23)
@given(st.integers(0, 10**27))
def test_cut_is_decimal_of_at_24_places(units: int) -> None:
    # repr: the same digits and exponent, not only an equal value
    assert repr(scoring._cut(units)) == repr(scoring._decimal_of(units, -24))
    assert repr(scoring._cut(units)) == repr(scoring._decimal_of(units, -24))  # (from the memo)
