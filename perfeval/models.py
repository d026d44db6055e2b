"""The public document models: frozen pydantic models of SPEC §5.

:func:`perfeval.load` returns these, built from the plain records the loader
reads (:mod:`perfeval._records`): the loader has checked every value by then,
so validation here only gives the records their public types.  Scoring a file
never imports this module, because importing pydantic and building these
validators takes longer than scoring a table.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal, TypeAlias

from pydantic import BaseModel, ConfigDict

from perfeval import _records

__all__ = ["Budget", "Department", "Document", "Goal", "Indicator", "Project", "Spending",
           "from_record"]


class _Model(BaseModel):
    # Frozen so that a loaded document can be shared (cached projects, parsed
    # target caches keyed by document) without anyone mutating it; extra keys
    # are forbidden so a typo in code that builds models fails loudly.
    model_config = ConfigDict(frozen=True, extra="forbid")


class Indicator(_Model):
    """One row of an indicator table (三级指标 with its target and actual)."""

    level1: str = ""
    level2: str = ""
    name: str
    target: str | None = None
    actual: str | None = None
    weight: Decimal | None = None
    score: Decimal | None = None
    reason: str | None = None
    direction: Literal["positive", "reverse", "equal"] | None = None
    applicable: bool = True


class Budget(_Model):
    """The budget block: 预算数 (A), 执行数 (B), 执行率 (B/A), all as stated."""

    planned: Decimal | None = None
    """预算数 in 万元."""
    executed: Decimal | None = None
    """执行数 in 万元."""
    stated_rate: Decimal | None = None
    """执行率 as stated, in percent points (``99.51%`` is ``Decimal("99.51")``)."""
    weight: Decimal | None = None
    score: Decimal | None = None
    """得分 as claimed on the form."""


class Goal(_Model):
    """One 年度目标 of a table with its own indicator rows."""

    name: str
    description: str | None = None
    indicators: tuple[Indicator, ...] = ()


class Spending(_Model):
    """A department's 基本支出总额 and 项目支出总额, in 万元."""

    basic: Decimal | None = None
    project: Decimal | None = None


class _Table(_Model):
    name: str
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
    """The file the table came from, or ``None`` for a mapping."""


class Project(_Table):
    """A 项目支出绩效自评表."""

    kind: Literal["project"] = "project"


class Department(_Table):
    """A 部门（单位）整体绩效自评表 with its spending totals and projects."""

    kind: Literal["department"] = "department"
    spending: Spending | None = None
    projects: tuple[Project, ...] = ()


Document: TypeAlias = Project | Department


def from_record(table: _records.Table) -> Document:
    """The model of a table the loader read.  A project file a department
    lists twice was read once, and is one model too."""
    if table.kind == "project":
        return Project.model_validate(_plain(table))
    made: dict[int, Project] = {}
    for p in table.projects:
        if id(p) not in made:
            made[id(p)] = Project.model_validate(_plain(p))
    data = _plain(table._replace(projects=()))
    assert isinstance(data, dict)
    data["projects"] = tuple(made[id(p)] for p in table.projects)
    return Department.model_validate(data)


def _plain(value: object) -> object:
    """Records as the mappings pydantic validates, recursively.  A project's
    record carries the department-only fields, empty; its model has none."""
    if isinstance(value, _records.RECORDS):
        data = {name: _plain(v) for name, v in value._asdict().items()}
        if isinstance(value, _records.Table):
            del data["rules_at"]  # a place in the file, which a model does not keep
            if value.kind == "project":
                del data["spending"], data["projects"]
        return data
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    return value
