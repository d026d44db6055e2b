"""Targets (年度指标值) and actual values (实际完成值) as immutable objects.

>>> t = parse_target("≥ 20万件")
>>> str(t), t.op, t.value, t.unit
('≥200000件', '>=', Decimal('200000'), '件')
>>> parse_target(str(t)) == t
True
>>> parse_actual("51 万余件").quantity.at_least
True
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal

from perfeval._normalize import normalize
from perfeval._parser import OPS, DatePoint, Fields, Quantity, parse_fields
from perfeval._units import Words

__all__ = [
    "Target", "Actual", "Quantity", "DatePoint", "parse_target", "parse_actual",
    "TargetKind", "ActualKind",
]

TargetKind = Literal["compare", "range", "deadline", "qualitative", "not_applicable"]
ActualKind = Literal["quantity", "bound", "range", "date", "text", "missing"]

# How the standard picklist answers (and their common variants) judge themselves.
_PHRASES: dict[str, str] = {
    "未达成": "missed", "没有达成": "missed", "未完成": "missed",
    "部分达成": "partial", "基本达成": "partial",
    "达成": "met", "已达成": "met",
}
# No phrase opens another, so a text opens with one phrase at most: the one
# a lookup at its start finds, rather than a test of each phrase in turn.
_PHRASE_AT = Words(_PHRASES)


def _quantity_key(q: Quantity | None) -> tuple[Decimal, str | None] | None:
    if q is None:
        return None
    return (q.value.normalize(), q.unit)


def _date_key(d: DatePoint | None) -> tuple[int | None, int | None, int | None] | None:
    return None if d is None else (d.year, d.month, d.day)


class Target:
    """A parsed target.  ``str()`` is canonical and parses back to an equal target."""

    __slots__ = ("kind", "op", "low", "high", "date", "start", "text", "source", "_key")

    kind: TargetKind
    op: str | None
    low: Quantity | None
    high: Quantity | None
    date: DatePoint | None
    start: DatePoint | None
    text: str
    source: str
    _key: tuple[object, ...]

    def __init__(self, fields: Fields, source: str) -> None:
        set_ = object.__setattr__
        set_(self, "kind", fields.kind)
        low = fields.low
        op = fields.op
        if fields.kind == "deadline":
            op = "<="  # a deadline is always "on or before"
        set_(self, "op", op)
        set_(self, "low", low)
        set_(self, "high", fields.high)
        set_(self, "date", fields.date)
        set_(self, "start", fields.start)
        set_(self, "text", fields.text)
        set_(self, "source", source)
        set_(self, "_key", (
            fields.kind, op if fields.kind == "compare" else None, _quantity_key(low),
            _quantity_key(fields.high), _date_key(fields.date), _date_key(fields.start),
            fields.text if fields.kind == "qualitative" else "",
        ))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    @property
    def value(self) -> Decimal | None:
        """The number of a comparison or a bare value, in ``unit``."""
        return self.low.value if self.low is not None and self.kind == "compare" else None

    @property
    def unit(self) -> str | None:
        return self.low.unit if self.low is not None else None

    @property
    def numeric(self) -> bool:
        return self.kind in ("compare", "range")

    def __str__(self) -> str:
        if self.kind == "compare":
            assert self.low is not None
            return (OPS[self.op] if self.op else "") + self.low.canonical()
        if self.kind == "range":
            assert self.low is not None and self.high is not None
            # -10%~-5%: normalising folds -- into one dash, so a dash before a
            # negative high end would read back as -10%-5%
            sep = "~" if self.high.value < 0 else "-"
            return f"{self.low.canonical()}{sep}{self.high.canonical()}"
        if self.kind == "deadline":
            assert self.date is not None
            head = f"{self.start.canonical(end=False)}-" if self.start else ""
            return head + self.date.canonical() + "前"
        if self.kind == "not_applicable":
            return "不适用"
        return self.text

    def __repr__(self) -> str:
        return f"<Target({str(self)!r})>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Target):
            return NotImplemented
        return bool(self._key == other._key)

    def __hash__(self) -> int:
        return hash(self._key)

    def to_dict(self) -> dict[str, Any]:
        """The parts, as ``perfeval parse --json`` prints them."""
        out: dict[str, Any] = {"canonical": str(self), "kind": self.kind}
        if self.kind == "compare":
            assert self.low is not None
            out.update(op=self.op, value=self.low.value, unit=self.low.unit)
        elif self.kind == "range":
            assert self.low is not None and self.high is not None
            out.update(low=self.low.value, high=self.high.value, unit=self.high.unit,
                       low_unit=self.low.unit)
        elif self.kind == "deadline":
            assert self.date is not None
            out.update(op="<=", deadline=_date_dict(self.date),
                       start=_date_dict(self.start) if self.start else None)
        elif self.kind == "qualitative":
            out.update(text=self.text)
        return out


def _date_dict(d: DatePoint) -> dict[str, int | None]:
    return {"year": d.year, "month": d.month, "day": d.day}


class Actual:
    """A parsed actual value (实际完成值).

    ``kind`` is ``quantity`` (a measured number, possibly "at least" —
    ``51万余件``), ``bound`` (a comparator copied from the target — ``≥90%``),
    ``range``, ``date`` (``bound`` when it copies a deadline such as
    ``2023年12月前``), ``text`` (with ``phrase`` set for the picklist answers
    达成 / 部分达成 / 未达成), or ``missing``.
    """

    __slots__ = ("kind", "quantity", "op", "high", "date", "bound", "text", "phrase", "source")

    kind: ActualKind
    quantity: Quantity | None
    op: str | None
    high: Quantity | None
    date: DatePoint | None
    bound: bool
    text: str
    phrase: str | None
    source: str

    def __init__(self, kind: ActualKind, source: str, *, quantity: Quantity | None = None,
                 op: str | None = None, high: Quantity | None = None,
                 date: DatePoint | None = None, bound: bool = False, text: str = "",
                 phrase: str | None = None) -> None:
        set_ = object.__setattr__
        set_(self, "kind", kind)
        set_(self, "quantity", quantity)
        set_(self, "op", op)
        set_(self, "high", high)
        set_(self, "date", date)
        set_(self, "bound", bound)
        set_(self, "text", text)
        set_(self, "phrase", phrase)
        set_(self, "source", source)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __repr__(self) -> str:
        return f"<Actual({self.source!r}, kind={self.kind!r})>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Actual):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self.__slots__ if n != "source")

    def __hash__(self) -> int:
        return hash((self.kind, self.quantity, self.op, self.high, self.date, self.text))


@lru_cache(maxsize=65536)
def parse_target(text: str) -> Target:
    """Parse a 年度指标值.  Raises :class:`~perfeval.errors.TargetSyntaxError`.

    >>> parse_target("不低于85%")
    <Target('≥85%')>
    >>> parse_target("97%～100%")
    <Target('97%-100%')>
    >>> parse_target("2023年12月底前")
    <Target('2023年12月底前')>
    """
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    return Target(parse_fields(normalize(text)), text)


@lru_cache(maxsize=65536)
def parse_actual(text: str | None) -> Actual:
    """Parse a 实际完成值.  Raises :class:`~perfeval.errors.TargetSyntaxError`
    on text that looks like a number but cannot be read (``2o万件``).

    >>> parse_actual("≥ 90%").kind
    'bound'
    >>> parse_actual("=100%").kind
    'quantity'
    """
    if text is None:
        return Actual("missing", "")
    if not isinstance(text, str):
        text = str(text)
    norm = normalize(text)
    if not norm:
        return Actual("missing", text)
    prefix = _PHRASE_AT.at(norm, 0)
    if prefix is not None and ("指标" in norm or "目标" in norm or norm == prefix):
        return Actual("text", text, text=str(norm), phrase=_PHRASES[prefix])
    fields = parse_fields(norm)
    if fields.kind == "compare":
        q = fields.low
        assert q is not None
        if fields.op in (None, "=") or q.at_least or fields.measured:
            return Actual("quantity", text, quantity=q)
        return Actual("bound", text, quantity=q, op=fields.op)
    if fields.kind == "range":
        return Actual("range", text, quantity=fields.low, high=fields.high)
    if fields.kind == "deadline":
        # 2023年12月前 and a copied period (2021.1.1-12.31) state the deadline,
        # not the day the work was done
        bound = fields.op == "<=" or fields.start is not None
        return Actual("date", text, date=fields.date, bound=bound)
    if fields.kind == "not_applicable":
        return Actual("missing", text)
    return Actual("text", text, text=str(norm))
