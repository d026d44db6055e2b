"""evaluate_many agrees with evaluate, row for row (SPEC §8), for every kind of
column it accepts: lists, NumPy arrays, pyarrow, polars and pandas columns
(the test extra installs them all, so CI runs every kind)."""

from __future__ import annotations

from collections.abc import Callable
from importlib.util import find_spec
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfeval.evaluate import evaluate
from perfeval.rules import pack_names
from perfeval.testing import cases

np = pytest.importorskip("numpy")
from perfeval.batch import evaluate_many

Row = tuple[str | None, str | None, str | None]

# Hand-picked rows next to the drawn ones: duplicates, boundaries, bounds,
# garbles, unit conversions, empty cells, values too large or too fine for
# the scaled integers, bare targets whose direction comes from the name.
_EXTRA = st.sampled_from([
    ("≥90%", "95%", "满意度"), ("≥90%", "90%", None), (">90%", "90%", None),
    ("≥90%", "292%", None), ("≤5%", "6%", "预算调整率"), ("≤5%", "5%", None),
    ("<5%", "5%", None), ("=100%", "99.5%", None), ("=100%", "100%", None),
    ("97%-100%", "96%", None), ("97%-100%", "101%", "设备完好率"), ("97%-100%", "98%", None),
    ("≥20万件", "51 万余件", "办理各类审批服务事项数"), ("≥1万元", "12000元", None),
    ("≥100", "", None), ("", "12", None), ("≥100次", "≥100次", None), ("≥0次", "0次", None),
    ("20 次", "12 次", "组织工作人员学习培训次数"), ("≥90%", "0%", None),
    ("≥3次", "900次", None), ("≥100人", "100.0000001人", None),
    ("≥90%", "100.5%", "群众满意度"), ("100%", "101%", "资金使用合规率"),
    ("100%", "98%", "资金使用合规率"),
    ("230次", "115次", "组织工作人员学习培训次数"), ("280次", "80次", "组织工作人员学习培训次数"),
    ("≥92%", "292%", None), ("5%", "6%", "预算调整率"), ("3起", "2起", "安全事故发生数"),
    ("≤0次", "0次", "安全事故发生数"), ("≥230万份", "575万余份", None),
    ("≥5000000000000", "6000000000000", None), ("≥5000000000000", "5500000000000", None),
    ("≥9999999999999", "10000000000000", None), ("≥0.0000001", "0.0000002", None),
    (None, "95%", "满意度"), ("≥90%", None, "满意度"), (None, None, None),
    # values below zero, which only evaluate reads
    ("≥-5%", "-3%", "收入增长率"), ("≥-5%", "-7%", None), (">-5%", "-5%", None),
    ("≥5%", "-3%", None), ("≤-5%", "-3%", None), ("≤-5%", "-6%", None), ("=-5%", "3%", None),
    ("-5%-5%", "-7%", None), ("-5%-5%", "0%", None), ("97%-100%", "-1%", None),
    ("-5%", "-3%", "预算调整率"), ("0%", "-3%", None),
])


def _row(case: tuple[str, str, str, str]) -> Row:
    return case[0], case[1], case[2]


_ROWS = st.lists(st.one_of(cases().map(_row), _EXTRA), min_size=1, max_size=30)


def _thirds(column: list[str | None]) -> list[list[str | None]]:
    """Three chunks, some of them empty when the column is short."""
    k = len(column) // 3
    return [column[:k], column[k:2 * k], column[2 * k:]]


def _chunked(column: list[str | None]) -> Any:
    import pyarrow as pa

    return pa.chunked_array([pa.array(part, pa.string()) for part in _thirds(column)],
                            type=pa.string())


def _chunked_dictionaries(column: list[str | None]) -> Any:
    """A dictionary per chunk, each of its own: evaluate_many unifies them."""
    import pyarrow as pa

    return pa.chunked_array([pa.array(part, pa.string()).dictionary_encode()
                             for part in _thirds(column)],
                            type=pa.dictionary(pa.int32(), pa.string()))


def _arrow(kind: str) -> Callable[[list[str | None]], Any]:
    def make(column: list[str | None]) -> Any:
        import pyarrow as pa

        return pa.array(column, getattr(pa, kind)())
    return make


def _polars(dtype: str) -> Callable[[list[str | None]], Any]:
    def make(column: list[str | None]) -> Any:
        import polars as pl

        return pl.Series(column, dtype=getattr(pl, dtype))
    return make


def _pandas(dtype: str) -> Callable[[list[str | None]], Any]:
    def make(column: list[str | None]) -> Any:
        import pandas as pd

        return pd.Series(column, dtype=dtype)
    return make


def _dictionary(column: list[str | None]) -> Any:
    import pyarrow as pa

    return pa.array(column, pa.string()).dictionary_encode()


# Each kind of column, and the library it needs.
KINDS: dict[str, tuple[str | None, Callable[[list[str | None]], Any]]] = {
    "list": (None, list),
    "tuple": (None, tuple),
    "numpy object array": (None, lambda column: np.array(column, dtype=object)),
    "pyarrow string": ("pyarrow", _arrow("string")),
    "pyarrow large_string": ("pyarrow", _arrow("large_string")),
    "pyarrow string_view": ("pyarrow", _arrow("string_view")),
    "pyarrow dictionary": ("pyarrow", _dictionary),
    "pyarrow chunked": ("pyarrow", _chunked),
    "pyarrow chunked dictionaries": ("pyarrow", _chunked_dictionaries),
    "polars String": ("polars", _polars("String")),
    "polars Categorical": ("polars", _polars("Categorical")),
    "pandas str": ("pandas", _pandas("str")),
    "pandas category": ("pandas", _pandas("category")),
    "pandas object": ("pandas", _pandas("object")),
}
_PRESENT = [kind for kind, (library, _) in KINDS.items()
            if library is None or find_spec(library) is not None]


def _check(rows: list[Row], kinds: tuple[str, str, str], rules: str) -> None:
    rows = rows + rows[: len(rows) // 2]  # repeats, as on real forms
    columns = [KINDS[kind][1](list(column)) for kind, column in zip(kinds, zip(*rows))]
    batch = evaluate_many(*columns, rules=rules)
    assert len(batch) == len(rows)
    for i, (t, a, n) in enumerate(rows):
        expected = evaluate(t, a, name=n, rules=rules)
        got = (batch.status[i], batch.ratio[i], batch.fraction[i])
        assert got == (expected.status, expected.ratio, expected.fraction), (t, a, n)
        assert str(batch.ratio[i]) == str(expected.ratio)
        assert str(batch.fraction[i]) == str(expected.fraction)
        assert batch.labels[batch.codes[i]] == expected.status


@pytest.mark.parametrize("kind", [
    pytest.param(kind, marks=pytest.mark.skipif(
        library is not None and find_spec(library) is None, reason=f"needs {library}"))
    for kind, (library, _) in KINDS.items()])
@given(rows=_ROWS, rules=st.sampled_from(pack_names()))
@settings(max_examples=40, deadline=None)
def test_evaluate_many_equals_evaluate(kind: str, rows: list[Row], rules: str) -> None:
    _check(rows, (kind, kind, kind), rules)


@given(rows=_ROWS, kinds=st.tuples(*[st.sampled_from(_PRESENT)] * 3),
       rules=st.sampled_from(pack_names()))
@settings(max_examples=150, deadline=None)
def test_columns_of_different_kinds(rows: list[Row], kinds: tuple[str, str, str],
                                   rules: str) -> None:
    _check(rows, kinds, rules)


@given(rows=_ROWS)
@settings(max_examples=40, deadline=None)
def test_without_names_is_with_no_names(rows: list[Row]) -> None:
    targets, actuals, _ = zip(*rows)
    plain = evaluate_many(list(targets), list(actuals))
    named = evaluate_many(list(targets), list(actuals), [None] * len(rows))
    assert plain.status.tolist() == named.status.tolist()
    assert [str(r) for r in plain.ratio] == [str(r) for r in named.ratio]
    assert [str(f) for f in plain.fraction] == [str(f) for f in named.fraction]
