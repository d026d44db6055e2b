"""Evaluating many indicators at once: a columnar path that agrees with
:func:`~perfeval.evaluate.evaluate` row for row (SPEC §8).

>>> b = evaluate_many(["≥90%", "≥90%", "20次"], ["95%", "80%", "12次"])
>>> b.status.tolist(), [str(r) for r in b.ratio]
(['met', 'missed', 'missed'], ['1.055555555555555555555555556', '0.8888888888888888888888888889', '0.6'])

How it works: the rows are dictionary-encoded by their (target, actual,
name) triple, and the distinct triples' columns again by each string, so each
distinct target and actual is parsed once and each distinct triple is scored
once; every row then takes its triple's outcome (a NumPy gather).  Triples
whose pair is plainly quantitative (an explicit ``>= > <= < =`` or a range,
both sides in the same unit, values that fit in int64 at six decimal places)
are compared with NumPy on exact scaled integers; the completion ratio, a
``Decimal``, is computed once per distinct (target, actual) pair.  Every other
triple (deadlines, words, bare targets whose direction comes from the catalog,
unit conversions, bounds, suspected OCR garbles, reverse targets that were
missed) is handed to ``evaluate``.

NumPy is imported here only, so the YAML path never loads it
(``pip install perfeval[fast]``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from perfeval._normalize import fold
from perfeval.errors import PerfevalError
from perfeval.evaluate import STATUSES, evaluate
from perfeval.rules import DEFAULT_PACK, RulePack, load_catalog, load_pack
from perfeval.targets import parse_actual, parse_target

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Batch", "evaluate_many"]

_SCALE = 10**6           # six decimal places: 99.5%, 0.125万元, 1923.78
_LIMIT = 10**12          # scaled magnitudes below this keep every product under 2**63
_LEADING_TWO = re.compile(r"2[1-9]\d+(?:\.\d+)?")  # evaluate._two_for_ge's mark
_OPS = {">=": 0, ">": 1, "<=": 2, "<": 3, "=": 4, "range": 5}
_ONE, _ZERO = Decimal(1), Decimal(0)


@dataclass(frozen=True, slots=True)
class Batch:
    """The outcomes of :func:`evaluate_many`, as columns of equal length ``n``.

    - ``status``: ``np.ndarray`` of ``n`` ``str`` (dtype ``<U14``), one of
      :data:`~perfeval.evaluate.STATUSES`;
    - ``codes``: ``np.ndarray`` of ``n`` ``int8``, the index of each status in
      ``labels`` (the same column, categorical);
    - ``labels``: :data:`~perfeval.evaluate.STATUSES`;
    - ``ratio``: ``np.ndarray`` of ``n`` objects, ``Decimal`` or ``None``,
      exactly ``evaluate(...).ratio``;
    - ``fraction``: ``np.ndarray`` of ``n`` ``Decimal`` objects, exactly
      ``evaluate(...).fraction`` (the share of the weight earned).
    """

    codes: np.ndarray
    ratio: np.ndarray
    fraction: np.ndarray
    labels: tuple[str, ...] = STATUSES

    @property
    def status(self) -> np.ndarray:
        import numpy as np

        labels: np.ndarray = np.asarray(self.labels)
        return labels[self.codes]  # type: ignore[no-any-return]

    def __len__(self) -> int:
        return len(self.codes)


def _encode(column: Sequence[str | None]) -> tuple[list[str | None], np.ndarray]:
    """(distinct values in order of appearance, the code of each row)."""
    import numpy as np

    distinct = list(dict.fromkeys(column))  # C loops only: about 50 ns a row
    index = {s: i for i, s in enumerate(distinct)}
    codes = np.fromiter(map(index.__getitem__, column), dtype=np.int64, count=len(column))
    return distinct, codes


def _scaled(value: Decimal) -> int | None:
    scaled = value * _SCALE
    if scaled != scaled.to_integral_value() or abs(scaled) >= _LIMIT:
        return None
    return int(scaled)


def _target_row(text: str | None) -> tuple[bool, int, int, int, str | None, bool]:
    """(eligible, op, low, high, unit, over_100) for one distinct target."""
    no = (False, 0, 0, 0, None, False)
    if text is None or not fold(text):
        return no
    try:
        t = parse_target(text)
    except PerfevalError:
        return no  # evaluate raises it, in the fallback
    if t.kind == "range":
        op = "range"
    elif t.kind == "compare" and t.op in _OPS:
        op = t.op
    else:
        return no
    if t.low is None or (op == "range") != (t.high is not None):
        return no
    if t.high is not None and t.high.unit != t.low.unit:
        return no
    low = _scaled(t.low.value)
    high = _scaled(t.high.value) if t.high is not None else low
    if low is None or high is None or low <= 0:
        return no
    over = t.low.value > 100 or (t.high is not None and t.high.value > 100)
    return True, _OPS[op], low, high, t.low.unit, over


def _actual_row(text: str | None) -> tuple[bool, int, str | None, bool, bool]:
    """(eligible, value, unit, over_100, looks_like_two_for_ge) for one distinct actual."""
    no = (False, 0, None, False, False)
    if text is None:
        return no
    try:
        a = parse_actual(text)
    except PerfevalError:
        return no
    if a.kind != "quantity" or a.quantity is None:
        return no
    value = _scaled(a.quantity.value)
    if value is None or value < 0:
        return no
    two = _LEADING_TWO.fullmatch(re.sub(r"[^\d.]+$", "", fold(a.source))) is not None
    return True, value, a.quantity.unit, a.quantity.value > 100, two


def evaluate_many(
    targets: Sequence[str | None],
    actuals: Sequence[str | None],
    names: Sequence[str | None] | None = None,
    *,
    rules: str | RulePack = DEFAULT_PACK,
) -> Batch:
    """Evaluate ``actuals[i]`` against ``targets[i]`` for ``names[i]``, for every ``i``.

    Equal, row for row, to ``[evaluate(t, a, name=n, rules=rules) for ...]``
    in status, ratio and fraction; see :class:`Batch` for the columns.
    """
    import numpy as np

    n = len(targets)
    if len(actuals) != n or (names is not None and len(names) != n):
        raise ValueError("targets, actuals and names must have the same length")
    pack = rules if isinstance(rules, RulePack) else load_pack(rules)
    if names is None:
        names = [None] * n
    # A province repeats itself: its million rows hold a few thousand distinct
    # (target, actual, name) triples.  Those are scored once, as columns, and
    # every row takes its triple's outcome.
    t_all, tc = _encode(targets)  # a str caches its hash; a tuple of three would not
    a_all, ac = _encode(actuals)
    n_all, nc = _encode(names)
    if len(t_all) * len(a_all) * len(n_all) < 2**62:
        key = (tc * len(a_all) + ac) * len(n_all) + nc
    else:  # tens of millions of distinct strings: codes of the triples themselves
        key = _encode(list(zip(tc.tolist(), ac.tolist(), nc.tolist())))[1]  # type: ignore[arg-type]
    _, first, row_codes = np.unique(key, return_index=True, return_inverse=True)
    row_codes = row_codes.reshape(-1)
    first = first.tolist()
    d_targets = [targets[i] for i in first]
    d_actuals = [actuals[i] for i in first]
    d_names = [names[i] for i in first]
    codes, ratio, fraction = _columns(d_targets, d_actuals, d_names, pack)
    return Batch(codes[row_codes], ratio[row_codes], fraction[row_codes])


def _columns(targets: list[str | None], actuals: list[str | None], names: list[str | None],
             pack: RulePack) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(status codes, ratios, fractions) of rows, compared as NumPy columns."""
    import numpy as np

    n = len(targets)
    t_vals, tc = _encode(targets)
    a_vals, ac = _encode(actuals)
    n_vals, nc = _encode(names)

    trows = [_target_row(s) for s in t_vals]
    arows = [_actual_row(s) for s in a_vals]
    units: dict[str | None, int] = {}
    t_ok = np.array([r[0] for r in trows], dtype=bool)
    t_op = np.array([r[1] for r in trows], dtype=np.int8)
    t_lo = np.array([r[2] for r in trows], dtype=np.int64)
    t_hi = np.array([r[3] for r in trows], dtype=np.int64)
    t_unit = np.array([units.setdefault(r[4], len(units)) for r in trows], dtype=np.int64)
    t_pct = np.array([r[4] == "%" for r in trows], dtype=bool)
    t_over = np.array([r[5] for r in trows], dtype=bool)
    a_ok = np.array([r[0] for r in arows], dtype=bool)
    a_val = np.array([r[1] for r in arows], dtype=np.int64)
    a_unit = np.array([units.setdefault(r[2], len(units)) for r in arows], dtype=np.int64)
    a_over = np.array([r[3] for r in arows], dtype=bool)
    a_two = np.array([r[4] for r in arows], dtype=bool)
    catalog = load_catalog()
    n_bounded = np.array([catalog.is_bounded_rate(s) for s in n_vals], dtype=bool)

    # ---- rows, vectorised
    op, lo, hi, av = t_op[tc], t_lo[tc], t_hi[tc], a_val[ac]
    pct = t_pct[tc]
    ok = t_ok[tc] & a_ok[ac] & (t_unit[tc] == a_unit[ac])
    # a rate over 100% under a bounded-rate name, or a 2 that may be a ≥ sign
    ok &= ~(pct & n_bounded[nc] & (t_over[tc] | a_over[ac]))
    ok &= ~(pct & a_two[ac] & (op != _OPS["range"]))
    positive = (op == 0) | (op == 1)
    reverse = (op == 2) | (op == 3)
    equal, ranged = op == 4, op == 5
    # a missed reverse target goes through the rule pack's formula: evaluate() does it
    rev_met = (av < lo) | ((av == lo) & (op == 2))
    ok &= ~(reverse & ~rev_met)

    over = Fraction(pack.over_threshold)
    num, den = over.numerator, over.denominator
    if num >= 2**20 or den >= 2**20:  # a threshold too fine for int64 products
        ok[:] = False
    meets = (av > lo) | ((av == lo) & (op == 0))
    exceeded = av * den >= lo * num
    codes = np.full(n, STATUSES.index("missed"), dtype=np.int8)
    met_code, exc_code = STATUSES.index("met"), STATUSES.index("exceeded")
    codes[positive & meets & ~exceeded] = met_code
    codes[positive & meets & exceeded] = exc_code
    codes[reverse] = met_code  # only met reverse rows are left
    codes[equal & (av == lo)] = met_code
    in_range = (lo <= av) & (av <= hi)
    codes[ranged & in_range] = met_code

    # ratio kind per row: 0 = one, 1 = av/lo, 2 = lo/av, 3 = hi/av
    kind = np.zeros(n, dtype=np.int8)
    kind[positive] = 1
    kind[equal & (av < lo)] = 1
    kind[equal & (av > lo)] = 2
    kind[ranged & (av < lo)] = 1
    kind[ranged & (av > hi)] = 3
    ratio = np.empty(n, dtype=object)
    fraction = np.empty(n, dtype=object)
    fast = np.flatnonzero(ok)
    if fast.size:
        # one Decimal per distinct (numerator, denominator) pair
        den_col = np.where(kind[fast] >= 2, av[fast], lo[fast])
        num_col = np.select([kind[fast] == 0, kind[fast] == 1, kind[fast] == 2],
                            [den_col, av[fast], lo[fast]], hi[fast])
        # the ratio is a function of the (target, actual) pair
        _, first, inverse = np.unique(tc[fast] * len(a_vals) + ac[fast], return_index=True,
                                      return_inverse=True)
        r_vals = np.empty(first.size, dtype=object)
        f_vals = np.empty(first.size, dtype=object)
        for j, (p, q) in enumerate(zip(num_col[first].tolist(), den_col[first].tolist())):
            r = Fraction(p, q)  # what evaluate's _dec divides, reduced the same way
            r_vals[j] = Decimal(r.numerator) / Decimal(r.denominator)
            f_vals[j] = max(_ZERO, min(_ONE, r_vals[j]))
        inverse = inverse.reshape(-1)
        ratio[fast] = r_vals[inverse]
        fr = f_vals[inverse]
        # met and exceeded earn the whole weight (a missed ">" boundary too: ratio 1)
        fr[codes[fast] != STATUSES.index("missed")] = _ONE
        fraction[fast] = fr

    # ---- everything else, once per distinct triple
    slow = np.flatnonzero(~ok)
    if slow.size:
        width_a, width_n = len(a_vals), len(n_vals)
        key = (tc[slow] * width_a + ac[slow]) * width_n + nc[slow]
        distinct, inverse = np.unique(key, return_inverse=True)
        s_codes = np.empty(distinct.size, dtype=np.int8)
        s_ratio = np.empty(distinct.size, dtype=object)
        s_frac = np.empty(distinct.size, dtype=object)
        for j, k in enumerate(distinct.tolist()):
            rest, ni = divmod(k, width_n)
            ti, ai = divmod(rest, width_a)
            o = evaluate(t_vals[ti], a_vals[ai], name=n_vals[ni], rules=pack)
            s_codes[j] = STATUSES.index(o.status)
            s_ratio[j], s_frac[j] = o.ratio, o.fraction
        inverse = inverse.reshape(-1)
        codes[slow] = s_codes[inverse]
        ratio[slow] = s_ratio[inverse]
        fraction[slow] = s_frac[inverse]
    return codes, ratio, fraction

