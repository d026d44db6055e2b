"""evaluate_many agrees with evaluate, row for row (SPEC §8)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfeval.evaluate import evaluate
from perfeval.testing import cases

np = pytest.importorskip("numpy")
from perfeval.batch import evaluate_many

# Hand-picked rows next to the drawn ones: duplicates, boundaries, bounds,
# garbles, unit conversions, empty cells.
_EXTRA = st.sampled_from([
    ("≥90%", "95%", "满意度"), ("≥90%", "90%", None), (">90%", "90%", None),
    ("≥90%", "292%", None), ("≤5%", "6%", "预算调整率"), ("≤5%", "5%", None),
    ("<5%", "5%", None), ("=100%", "99.5%", None), ("=100%", "100%", None),
    ("97%-100%", "96%", None), ("97%-100%", "101%", "设备完好率"), ("97%-100%", "98%", None),
    ("≥20万件", "51 万余件", "办理各类审批服务事项数"), ("≥1万元", "12000元", None),
    ("≥100", "", None), ("", "12", None), ("≥100次", "≥100次", None), ("≥0次", "0次", None),
    ("20 次", "12 次", "组织工作人员学习培训次数"), ("≥90%", "0%", None),
    ("≥3次", "900次", None), ("≥100人", "100.0000001人", None),
])


def _row(case: tuple[str, str, str, str]) -> tuple[str, str, str | None]:
    return case[0], case[1], case[2]


@given(st.lists(st.one_of(cases().map(_row), _EXTRA), min_size=1, max_size=30))
@settings(max_examples=150, deadline=None)
def test_evaluate_many_equals_evaluate(rows: list[tuple[str, str, str | None]]) -> None:
    rows = rows + rows[: len(rows) // 2]  # repeats, as on real forms
    targets, actuals, names = zip(*rows)
    batch = evaluate_many(list(targets), list(actuals), list(names))
    assert len(batch) == len(rows)
    for i, (t, a, n) in enumerate(rows):
        expected = evaluate(t, a, name=n)
        got = (batch.status[i], batch.ratio[i], batch.fraction[i])
        assert got == (expected.status, expected.ratio, expected.fraction), (t, a, n)
        assert str(batch.ratio[i]) == str(expected.ratio)
        assert str(batch.fraction[i]) == str(expected.fraction)


def test_empty_and_mismatched_lengths() -> None:
    assert len(evaluate_many([], [])) == 0
    with pytest.raises(ValueError):
        evaluate_many(["≥1"], [])
