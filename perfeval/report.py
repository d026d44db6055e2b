"""The scored table: :class:`Report` and its JSON form (SPEC §7).

Weights and scores are exact Decimals; only the output rounds them, half-up,
to two places (ratios and rates to four), and the total is rounded from the
unrounded sum.  The same report always gives the same bytes.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field, fields, make_dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from perfeval.findings import Finding

__all__ = ["BudgetResult", "IndicatorResult", "Loss", "Report", "number", "round2", "to_json",
           "to_json_bytes"]

SCHEMA_VERSION = 1
_CENT = Decimal("0.01")
_BASIS = Decimal("0.0001")
_TIE = Decimal("1E-12")


def round2(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def round4(value: Decimal) -> Decimal:
    return value.quantize(_BASIS, rounding=ROUND_HALF_UP)


def number(value: Decimal | None) -> int | float | None:
    """A rounded Decimal as a JSON number: ``10`` rather than ``10.00``.

    Values here have at most four decimals and fewer than 16 significant
    digits, so the float's shortest repr is exactly the decimal text.
    """
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


# A province's tables repeat their weights, scores and ratios, and rounding
# one (quantize, then float() through the digits) costs several times the
# look-up; equal Decimals (2.5, 2.50) round alike, so their value is the key.
@functools.lru_cache(maxsize=4096)
def _cents(value: Decimal) -> int | float:
    """``number(round2(value))``, in one call: a report has three per row."""
    value = value.quantize(_CENT, ROUND_HALF_UP)
    return int(value) if value == value.to_integral_value() else float(value)


@functools.lru_cache(maxsize=4096)
def _basis(value: Decimal | None) -> int | float | None:
    """``number(round4(value))``, ``None`` kept."""
    if value is None:
        return None
    value = value.quantize(_BASIS, ROUND_HALF_UP)
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass(frozen=True, slots=True)
class IndicatorResult:
    goal: str | None
    level1: str
    level2: str
    name: str
    target: str | None
    actual: str | None
    canonical_target: str | None
    status: str
    ratio: Decimal | None
    weight: Decimal
    score: Decimal
    explanation: str
    pool: str
    claimed: Decimal | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "goal": self.goal,
            "level1": self.level1,
            "level2": self.level2,
            "name": self.name,
            "target": self.target,
            "actual": self.actual,
            "canonical_target": self.canonical_target,
            "status": self.status,
            "ratio": _basis(self.ratio),
            "weight": _cents(self.weight),
            "score": _cents(self.score),
            "explanation": self.explanation,
        }


# Scoring makes an IndicatorResult for every row.  A frozen dataclass's
# __init__ must store each field through object.__setattr__ (its own
# __setattr__ refuses), and fourteen such calls cost four times what filling
# the same slots on an unfrozen twin does.  So scoring fills the twin and then
# gives the object its class: Python allows that between classes whose slots
# are the same, and raises TypeError if they ever differ.
_IndicatorFields = make_dataclass(
    "_IndicatorFields", [(f.name, f.type) for f in fields(IndicatorResult)], slots=True)


def _indicator_result(*values: Any) -> IndicatorResult:
    """``IndicatorResult(*values)``, every field given, made the faster way."""
    result = _IndicatorFields(*values)
    result.__class__ = IndicatorResult
    return cast(IndicatorResult, result)


@dataclass(frozen=True, slots=True)
class BudgetResult:
    planned: Decimal
    executed: Decimal
    rate: Decimal  # executed / planned, exact
    weight: Decimal
    score: Decimal
    stated_rate: Decimal | None = None  # percent points, as printed
    claimed: Decimal | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "planned": number(self.planned),
            "executed": number(self.executed),
            "rate": _basis(self.rate),
            "weight": _cents(self.weight),
            "score": _cents(self.score),
        }


@dataclass(frozen=True, slots=True)
class Loss:
    """Points an indicator (or the budget block) did not earn."""

    name: str
    status: str
    lost: Decimal


@dataclass(frozen=True)
class Report:
    """A scored document.  ``total`` is rounded to 2 places; ``exact_total`` is not."""

    kind: str
    name: str
    rules: str
    exact_total: Decimal
    grade: str
    budget: BudgetResult | None
    indicators: tuple[IndicatorResult, ...]
    findings: tuple[Finding, ...]
    projects: tuple[Report, ...] = ()
    exact_projects_score: Decimal | None = None
    source: str | None = None
    year: int | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def total(self) -> Decimal:
        return round2(self.exact_total)

    @property
    def projects_score(self) -> Decimal | None:
        s = self.exact_projects_score
        return None if s is None else round2(s)

    @property
    def losses(self) -> tuple[Loss, ...]:
        """Where points were lost, largest first (ties in table order)."""
        rows: list[Loss] = []
        if self.budget is not None and self.budget.score < self.budget.weight:
            rows.append(Loss("预算执行率", "budget", self.budget.weight - self.budget.score))
        rows.extend(Loss(r.name, r.status, r.weight - r.score)
                    for r in self.indicators if r.score < r.weight)
        # Weights are cut at 24 places, so equal losses may differ in the last
        # place; compare at 12 so that they stay ties, kept in table order.
        return tuple(sorted(rows, key=lambda loss: -loss.lost.quantize(_TIE)))

    def errors(self) -> tuple[Finding, ...]:
        """Every ``error`` finding, this report's and its projects'."""
        own = tuple(f for f in self.findings if f.severity == "error")
        return own + tuple(f for p in self.projects for f in p.errors())

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "kind": self.kind,
            "name": self.name,
            "rules": self.rules,
            "total": number(self.total),
            "grade": self.grade,
            "budget": None if self.budget is None else self.budget.to_dict(),
            "indicators": [r.to_dict() for r in self.indicators],
            "findings": [f.to_dict() for f in self.findings],
        }
        if self.kind == "department":
            out["projects"] = [p.to_dict() for p in self.projects]
            out["projects_score"] = number(self.projects_score)
        return out


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return number(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def to_json(data: Any) -> str:
    """Deterministic JSON: UTF-8 text, fixed key order, two-space indents, no
    NaN, and Decimals as numbers (:func:`number`).

    The bytes are those of ``json.dumps(data, ensure_ascii=False, indent=2)``
    (a property test holds orjson to that).  orjson writes them some thirty
    times faster than the standard library, whose encoder falls back to pure
    Python as soon as it indents; a province's batch spends more time writing
    JSON than scoring without it.  Text orjson refuses (a lone surrogate, which
    only a caller's own mapping can hold) goes through the standard library.
    """
    import orjson

    try:
        return orjson.dumps(data, default=_plain, option=orjson.OPT_INDENT_2).decode()
    except orjson.JSONEncodeError:
        return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False, default=_plain)


def to_json_bytes(data: Any, *, element: bool = False) -> bytes:
    """``to_json(data)`` and a newline, encoded; or, with ``element``, ``data``
    as an element of a JSON array: indented two more spaces, no newline.

    A batch writes its reports as they come, so that it never holds them
    all; as bytes, straight from orjson, a report is neither decoded,
    re-indented nor encoded again on its way to the file.
    """
    import orjson

    try:
        if element:  # b"[\n  {...}\n]" without its brackets
            return orjson.dumps([data], default=_plain, option=orjson.OPT_INDENT_2)[2:-2]
        return orjson.dumps(data, default=_plain,
                            option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    except orjson.JSONEncodeError:  # a lone surrogate: kept, as to_json keeps it
        text = to_json(data)
        text = "  " + text.replace("\n", "\n  ") if element else text + "\n"
        return text.encode("utf-8", "surrogatepass")
