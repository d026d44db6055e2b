"""Evaluating many indicators at once: a columnar path that agrees with
:func:`~perfeval.evaluate.evaluate` row for row (SPEC §8).

>>> b = evaluate_many(["≥90%", "≥90%", "20次"], ["95%", "80%", "12次"])
>>> b.status.tolist(), [str(r) for r in b.ratio]
(['met', 'missed', 'missed'], ['1.055555555555555555555555556', '0.8888888888888888888888888889', '0.6'])

The columns
-----------
``targets``, ``actuals`` and ``names`` are columns of equal length, each of
its own kind:

- an Arrow column of strings: anything that exports the Arrow PyCapsule
  interface (``__arrow_c_stream__`` or ``__arrow_c_array__``), such as a
  pyarrow ``Array``, ``ChunkedArray`` or ``DictionaryArray``, a polars
  ``Series`` of ``String`` or ``Categorical`` (polars 1.35 or later: earlier
  releases export a ``Categorical`` wrongly) or a pandas ``Series`` of the
  ``str`` or ``category`` dtype (pandas 3 or later).  Its type is ``string``,
  ``large_string``, ``string_view`` or a dictionary of one of them, and a null
  is an empty cell; a column of nulls only may be of any type.  pyarrow
  (``pip install 'perfeval[fast]'``) reads it, and is imported only then;
- a NumPy array, or a pandas Series of a NumPy dtype (``object``): read as
  its ``tolist()``;
- any other sequence of ``str`` or ``None``.

Where the time goes
-------------------
A province's million indicator rows hold a few thousand distinct (target,
actual, name) triples, so the work is done per distinct value, and the rows
only take their triple's outcome (``python benchmarks/run.py --only b``
measures each kind of column):

1. Each column is dictionary-encoded: its distinct cells, and each row's code.
   An Arrow column is encoded by pyarrow's hash kernel, about 30 ms per
   million strings, or not at all when it is dictionary-typed already (a
   Parquet column read with ``read_dictionary``, a polars ``Categorical``, a
   pandas ``category``): its indices are the codes.  The columns are hashed
   one after another: pyarrow releases the GIL, but threads gained only 10 to
   20% here (two cores, one of them busy) and would cost every small call a
   millisecond.  A Python sequence takes one pass through a ``dict`` that
   numbers each new cell as it meets it, about 0.1 s per million (0.2 to
   0.5 s on a busy machine): that is the cost of looking each cell up, and
   nothing crosses from Python objects into native code faster (``np.array``
   of objects, ``polars.Series`` and ``pyarrow.array`` take 0.1 to 0.4 s per
   million before any encoding).  A pandas Series of Python objects is read as
   a list for the same reason: exporting it to Arrow converts every cell.
2. The rows are reduced to their distinct triples a column at a time: the key
   ``code * width + next_code`` is numbered through a table the size of the
   key space when that is small (a few hundred targets times about a thousand
   actuals), a scatter and a gather with no sort; otherwise by ``np.unique``.
3. Each distinct string is read once (:func:`~perfeval.targets.parse_target`
   and :func:`~perfeval.targets.parse_actual` are memoised, and so is what
   this module takes from them) and each distinct triple is scored once.
   Triples that are plainly quantitative (an explicit ``>= > <= < =``, a
   range, or a bare target whose direction comes from the name; both sides in
   the same unit; values that are whole at six decimal places and whose
   products with the rule pack's threshold fit in int64) are compared as NumPy
   columns of exact scaled integers, and their completion ratio, a
   ``Decimal``, is divided once per distinct quotient.  A rate over 100% under
   a bounded-rate name is unverifiable there too.  Every other triple
   (deadlines, words, unit conversions, bounds copied into the actual, values
   too large or too fine, targets at or below zero and actuals below it,
   suspected OCR garbles, reverse targets that were missed) goes to
   ``evaluate``, which is exact with ``Fraction``.
4. The :class:`Batch` holds the outcome of each distinct triple and each row's
   triple; the row columns, a million objects each, are gathered only when
   read.

NumPy is imported here only, so the YAML path never loads it; NumPy and
pyarrow are the ``fast`` extra.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TypeAlias

from perfeval._normalize import fold
from perfeval.errors import PerfevalError
from perfeval.evaluate import STATUSES, _ratio, evaluate, leading_two, name_of
from perfeval.rules import DEFAULT_PACK, RulePack, load_catalog, load_pack
from perfeval.targets import parse_actual, parse_target

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Batch", "Column", "evaluate_many"]


class _ArrowStream(Protocol):
    def __arrow_c_stream__(self, requested_schema: object = None) -> object: ...


class _ArrowArray(Protocol):
    def __arrow_c_array__(self, requested_schema: object = None) -> tuple[object, object]: ...


Column: TypeAlias = "Sequence[str | None] | np.ndarray | _ArrowStream | _ArrowArray"

_SCALE = 10**6           # six decimal places: 99.5%, 0.125万元, 1923.78
_INT64 = 2**63
_GE, _GT, _LE, _LT, _EQ, _RANGE, _BY_NAME = range(7)
_OPS = {">=": _GE, ">": _GT, "<=": _LE, "<": _LT, "=": _EQ}
_DIRECTIONS = {"positive": _GE, "reverse": _LE, "equal": _EQ}  # as evaluate._op_of reads them
_MET, _EXCEEDED, _MISSED, _UNVERIFIABLE = (STATUSES.index(s) for s in
                                           ("met", "exceeded", "missed", "unverifiable"))
_ONE, _ZERO = Decimal(1), Decimal(0)


@dataclass(frozen=True, eq=False)
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

    The same columns, dictionary-encoded, are what a batch holds: row ``i``'s
    outcome is that of the distinct (target, actual, name) triple
    ``index[i]``, whose status code, ratio and fraction are
    ``distinct_codes``, ``distinct_ratio`` and ``distinct_fraction`` at that
    position.  The row columns above are gathered from them on first access
    and kept; aggregating over ``index`` (``np.bincount``) needs none of them.
    """

    index: np.ndarray
    distinct_codes: np.ndarray
    distinct_ratio: np.ndarray
    distinct_fraction: np.ndarray
    labels: tuple[str, ...] = STATUSES

    @cached_property
    def codes(self) -> np.ndarray:
        return self.distinct_codes[self.index]  # type: ignore[no-any-return]

    @cached_property
    def status(self) -> np.ndarray:
        import numpy as np

        labels: np.ndarray = np.asarray(self.labels)
        return labels[self.codes]  # type: ignore[no-any-return]

    @cached_property
    def ratio(self) -> np.ndarray:
        return self.distinct_ratio[self.index]  # type: ignore[no-any-return]

    @cached_property
    def fraction(self) -> np.ndarray:
        return self.distinct_fraction[self.index]  # type: ignore[no-any-return]

    def __len__(self) -> int:
        return len(self.index)


def evaluate_many(
    targets: Column,
    actuals: Column,
    names: Column | None = None,
    *,
    rules: str | RulePack = DEFAULT_PACK,
) -> Batch:
    """Evaluate ``actuals[i]`` against ``targets[i]`` for ``names[i]``, for every ``i``.

    Equal, row for row, to ``[evaluate(t, a, name=n, rules=rules) for ...]``
    in status, ratio and fraction; the columns may be lists, NumPy arrays or
    Arrow columns (see the module's documentation), and :class:`Batch`
    describes the result.  Raises ``ValueError`` when their lengths differ and
    ``TypeError`` for an Arrow column that does not hold strings.
    """
    import numpy as np

    pack = rules if isinstance(rules, RulePack) else load_pack(rules)
    columns = [_encode(c) for c in ((targets, actuals) if names is None
                                    else (targets, actuals, names))]
    if len({len(c.codes) for c in columns}) != 1:
        raise ValueError("targets, actuals and names must have the same length")
    index, at = _distinct(columns)
    t, a = (_Encoded(c.values, codes) for c, codes in zip(columns[:2], at))
    if names is None:
        n = _Encoded([None], np.zeros(len(at[0]), dtype=np.intp))
    else:
        n = _Encoded(columns[2].values, at[2])
    return Batch(index, *_outcomes(t, a, n, pack))


# ---------------------------------------------------------------- encoding

class _Encoded(NamedTuple):
    """A dictionary-encoded column: row ``i`` holds ``values[codes[i]]``."""

    values: list[str | None]
    codes: np.ndarray


class _Numbering(dict[Any, int]):
    """Numbers each new key as it is first looked up, so one pass encodes a column."""

    def __missing__(self, key: Any) -> int:
        self[key] = code = len(self)
        return code


def _encode(cells: Column) -> _Encoded:
    import numpy as np

    if isinstance(getattr(cells, "dtype", None), np.dtype):
        cells = cells.tolist()  # type: ignore[union-attr]
    elif hasattr(cells, "__arrow_c_stream__") or hasattr(cells, "__arrow_c_array__"):
        return _encode_arrow(cells)
    numbering = _Numbering()
    codes = np.fromiter(map(numbering.__getitem__, cells), dtype=np.intp,  # type: ignore[arg-type]
                        count=len(cells))  # type: ignore[arg-type]
    return _Encoded(list(numbering), codes)


def _encode_arrow(cells: _ArrowStream | _ArrowArray) -> _Encoded:
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    if hasattr(cells, "__arrow_c_stream__"):
        column = pa.chunked_array(cells)
    else:
        column = pa.chunked_array([pa.array(cells)])
    encoded = pa.types.is_dictionary(column.type)
    kind = column.type.value_type if encoded else column.type
    # A column of nulls only is empty whatever its type (pandas gives an empty
    # category of float64 for one).
    if column.null_count < len(column) and not (
            pa.types.is_string(kind) or pa.types.is_large_string(kind)
            or pa.types.is_string_view(kind)):
        raise TypeError(f"an Arrow column of strings was expected, not {column.type}")
    if not encoded:
        column = pc.dictionary_encode(column)
    array = column.combine_chunks()  # one dictionary for every chunk
    values = array.dictionary.to_pylist()
    indices = array.indices
    if indices.null_count:  # a null cell: the code after the dictionary's
        indices = pc.fill_null(indices.cast(pa.int64()), len(values))
        values.append(None)
    return _Encoded(values, indices.to_numpy())


def _distinct(columns: list[_Encoded]) -> tuple[np.ndarray, list[np.ndarray]]:
    """(each row's position among the distinct rows, each column's codes at the
    distinct rows), combining the columns one at a time."""
    import numpy as np

    index = columns[0].codes
    width = len(columns[0].values)
    at = [np.arange(width)]
    for column in columns[1:]:
        # width is at most the number of rows, step a dictionary's size: no overflow
        step = len(column.values)
        key = index.astype(np.int64) * step + column.codes
        distinct, index = _number(key, width * step)
        at = [codes[distinct // step] for codes in at] + [distinct % step]
        width = len(distinct)
    return index, at


def _number(key: np.ndarray, space: int) -> tuple[np.ndarray, np.ndarray]:
    """(the distinct keys in order, each key's position among them), for keys
    in ``range(space)``: through a table of the space when it is at most a few
    times the number of keys (no sort), else by ``np.unique``."""
    import numpy as np

    if space > 4 * len(key):
        distinct, position = np.unique(key, return_inverse=True)
        return distinct, position.reshape(-1)
    present = np.zeros(space, dtype=bool)
    present[key] = True
    distinct = np.flatnonzero(present)
    table = np.empty(space, dtype=np.intp)
    table[distinct] = np.arange(len(distinct))
    return distinct, table[key]


# ---------------------------------------------------------------- scoring

def _scaled(value: Decimal) -> int | None:
    """``value`` times 10⁶, if that is a whole number that fits in int64.
    (Exact: a ``Decimal`` product would round past 28 digits.  Integers, not
    a ``Fraction``: one is made for every distinct value.)"""
    numerator, denominator = value.as_integer_ratio()
    scaled, rest = divmod(numerator * _SCALE, denominator)
    if rest or abs(scaled) >= _INT64:
        return None
    return scaled


@lru_cache(maxsize=65536)
def _target_row(text: str | None) -> tuple[bool, int, int, int, str | None, bool, bool]:
    """(comparable here, op, low, high, unit, a bound over 100, a bare leading 2)
    of one target; low and high are scaled by 10⁶."""
    no = (False, 0, 0, 0, None, False, False)
    if type(text) is not str or not fold(text):
        return no  # None, or NaN or a number from an object column: evaluate reads it
    try:
        t = parse_target(text)
    except PerfevalError:
        return no  # evaluate raises it, in the fallback
    if t.kind == "range":
        op = _RANGE
    elif t.kind == "compare" and t.op is None:
        op = _BY_NAME
    elif t.kind == "compare" and t.op in _OPS:
        op = _OPS[t.op]
    else:
        return no
    if t.low is None or (op == _RANGE) != (t.high is not None):
        return no
    if t.high is not None and t.high.unit != t.low.unit:
        return no
    low = _scaled(t.low.value)
    high = _scaled(t.high.value) if t.high is not None else low
    if low is None or high is None or low <= 0:
        return no
    over = t.low.value > 100 or (t.high is not None and t.high.value > 100)
    two = op == _BY_NAME and _leading_two(t.source)
    return True, op, low, high, t.low.unit, over, two


@lru_cache(maxsize=65536)
def _actual_row(text: str | None) -> tuple[bool, int, str | None, bool, bool]:
    """(comparable here, value, unit, over 100, a leading 2) of one actual;
    the value is scaled by 10⁶."""
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
    return True, value, a.quantity.unit, a.quantity.value > 100, _leading_two(a.source)


def _name_row(name: str | None) -> tuple[bool, int]:
    """(a bounded rate, the op of a bare target) for one indicator name."""
    catalog = load_catalog()
    name = name_of(name)
    return catalog.is_bounded_rate(name), _DIRECTIONS.get(catalog.direction(name), _GE)


def _leading_two(text: str) -> bool:
    """Whether a figure may be ``≥`` read as 2 (``292%``): evaluate then weighs it."""
    return leading_two(text) is not None


# ``numerator / denominator`` as evaluate divides a pair, memoised: a
# province's ratios repeat.
_quotient = lru_cache(maxsize=65536)(_ratio)


def _per_row(column: _Encoded, read: Callable[[str | None], tuple[Any, ...]]) -> list[np.ndarray]:
    """``read`` applied once to each distinct value used, as one array per
    field with an entry per row."""
    import numpy as np

    used, at = np.unique(column.codes, return_inverse=True)
    rows = [read(column.values[i]) for i in used.tolist()]
    return [np.array(field)[at.reshape(-1)] for field in zip(*rows)]


def _outcomes(targets: _Encoded, actuals: _Encoded, names: _Encoded, pack: RulePack
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(status codes, ratios, fractions) of distinct (target, actual, name) triples."""
    import numpy as np

    n = len(targets.codes)
    codes = np.full(n, _MISSED, dtype=np.int8)
    ratio = np.empty(n, dtype=object)
    fraction = np.empty(n, dtype=object)
    if not n:
        return codes, ratio, fraction
    t_ok, t_op, lo, hi, t_unit, t_over, t_two = _per_row(targets, _target_row)
    a_ok, av, a_unit, a_over, a_two = _per_row(actuals, _actual_row)
    bounded, by_name = _per_row(names, _name_row)

    over = Fraction(pack.over_threshold)
    limit = _INT64 // max(over.numerator, over.denominator)  # keeps av·den and lo·num in int64
    ok = t_ok & a_ok & (t_unit == a_unit) & (hi < limit) & (av < limit)
    op = np.where(t_op == _BY_NAME, by_name, t_op)
    pct = t_unit == "%"
    # A rate over 100% under a bounded-rate name, checked before anything else.
    unverifiable = ok & pct & bounded & (t_over | a_over)
    positive = (op == _GE) | (op == _GT)
    reverse = (op == _LE) | (op == _LT)
    equal, ranged = op == _EQ, op == _RANGE
    reverse_met = (av < lo) | ((av == lo) & (op == _LE))
    compared = ok & ~unverifiable
    compared &= ~(pct & a_two & ~ranged)         # a 2 that may be a ≥ sign,
    compared &= ~(t_two & (t_op == _BY_NAME))    # on either side: evaluate weighs it
    compared &= ~(reverse & ~reverse_met)        # the rule pack's formula: evaluate applies it

    meets = (av > lo) | ((av == lo) & (op == _GE))
    exceeded = av * over.denominator >= lo * over.numerator
    codes[positive & meets & ~exceeded] = _MET
    codes[positive & meets & exceeded] = _EXCEEDED
    codes[reverse] = _MET  # only met reverse rows are compared here
    codes[equal & (av == lo)] = _MET
    codes[ranged & (lo <= av) & (av <= hi)] = _MET
    # The completion ratio: av/lo for a positive target or a value short of
    # the target, lo/av or hi/av for one above it, and 1 (lo/lo) otherwise.
    short = (equal | ranged) & (av < lo)
    above = (equal & (av > lo)) | (ranged & (av > hi))
    numerator = np.select([positive | short, above], [av, np.where(ranged, hi, lo)], lo)
    denominator = np.where(above, av, lo)

    rows = np.flatnonzero(compared)
    ratio[rows] = [_quotient(p, q) for p, q in zip(numerator[rows].tolist(),
                                                  denominator[rows].tolist())]
    # A missed row earns its ratio, which lies in [0, 1] here (a missed ">"
    # boundary earns 1); met and exceeded earn the whole weight.
    fraction[rows] = ratio[rows]
    fraction[rows[codes[rows] != _MISSED]] = _ONE

    codes[unverifiable] = _UNVERIFIABLE
    fraction[unverifiable] = _ZERO

    for i in np.flatnonzero(~(compared | unverifiable)).tolist():
        o = evaluate(targets.values[targets.codes[i]], actuals.values[actuals.codes[i]],
                     name=names.values[names.codes[i]], rules=pack)
        codes[i], ratio[i], fraction[i] = STATUSES.index(o.status), o.ratio, o.fraction
    return codes, ratio, fraction
