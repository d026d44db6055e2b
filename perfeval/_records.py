"""Tables as the loader reads them: plain, immutable records.

:mod:`perfeval.documents` builds these from a file or a mapping after checking
every value, and scoring reads them as they are; :func:`perfeval.load` turns
them into the pydantic models of :mod:`perfeval.models`, whose fields they
mirror (``tests/test_documents.py`` holds the two to the same fields and
defaults).  They exist because a command-line run must start in a quarter of
a second, and importing pydantic and building the models' validators alone
takes more than half of that.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal, NamedTuple

__all__ = ["Budget", "Goal", "Indicator", "RECORDS", "Spending", "Table"]


class Indicator(NamedTuple):
    name: str
    level1: str = ""
    level2: str = ""
    target: str | None = None
    actual: str | None = None
    weight: Decimal | None = None
    score: Decimal | None = None
    reason: str | None = None
    direction: Literal["positive", "reverse", "equal"] | None = None
    applicable: bool = True


class Budget(NamedTuple):
    planned: Decimal | None = None
    executed: Decimal | None = None
    stated_rate: Decimal | None = None
    weight: Decimal | None = None
    score: Decimal | None = None


class Goal(NamedTuple):
    name: str
    description: str | None = None
    indicators: tuple[Indicator, ...] = ()


class Spending(NamedTuple):
    basic: Decimal | None = None
    project: Decimal | None = None


class Table(NamedTuple):
    """A project or a department (``kind``); a project has no ``spending``
    and no ``projects``."""

    name: str
    kind: Literal["project", "department"] = "project"
    year: int | None = None
    department: str | None = None
    unit: str | None = None
    rules: str | None = None
    budget: Budget | None = None
    indicators: tuple[Indicator, ...] = ()
    goals: tuple[Goal, ...] = ()
    deviation: str | None = None
    improvement: str | None = None
    summary: str | None = None
    source: str | None = None
    spending: Spending | None = None
    projects: tuple[Table, ...] = ()
    # Not in the models: where ``rules`` was written, as (line, key) for a
    # DocumentError, since an unknown pack is found only when the table is
    # scored.  The key is the cell in a workbook, with no line.
    rules_at: tuple[int | None, str] | None = None


RECORDS = (Indicator, Budget, Goal, Spending, Table)
