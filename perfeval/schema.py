"""JSON Schemas of documents and of score reports (``perfeval schema``).

The document schema is generated from the pydantic models of
:mod:`perfeval.documents` and then opened up to what a document file may
hold in their canonical, English keys: amounts with units (``1923.78 万元``),
a department's projects as file paths, unknown keys (ignored by the loader),
and no ``source`` (the loader sets it).  Every key also accepts its Chinese
column header; those aliases are listed in SPEC §5, not in the schema.

The report schema describes :meth:`perfeval.report.Report.to_dict` (SPEC §7)
exactly: every key, always present, nothing else.  ``tests/test_schema.py``
validates real reports against it, so the two cannot drift apart quietly.
"""

from __future__ import annotations

from typing import Annotated, Any

__all__ = ["DIALECT", "document_schema", "report_schema"]

DIALECT = "https://json-schema.org/draft/2020-12/schema"

_AMOUNT = {"type": ["number", "string", "null"],
           "description": "万元: 1923.78, or text with a unit: '1923.78 万元', '19237800元'"}
_PERCENT = {"type": ["number", "string", "null"],
            "description": "percent points as printed: 99.51 or '99.51%'"}
_POINTS = {"type": ["number", "string", "null"], "description": "points: 6.25 or '6.25分'"}
_TEXT = {"type": ["string", "number", "null"],
         "description": "the cell's text, e.g. '≥ 20万件', '97%-100%', '明显提高'"}
_NUMBERS = {
    "Budget": {"planned": _AMOUNT, "executed": _AMOUNT, "stated_rate": _PERCENT,
               "weight": _POINTS, "score": _POINTS},
    "Spending": {"basic": _AMOUNT, "project": _AMOUNT},
    "Indicator": {"weight": _POINTS, "score": _POINTS, "target": _TEXT, "actual": _TEXT},
}


def document_schema() -> dict[str, Any]:
    """The JSON Schema of a project or department document (SPEC §5)."""
    from pydantic import Field, TypeAdapter

    from perfeval.models import Department, Project

    adapter: TypeAdapter[Project | Department] = TypeAdapter(
        Annotated[Project | Department, Field(discriminator="kind")])
    schema = adapter.json_schema()
    defs: dict[str, Any] = schema["$defs"]
    for name, model in defs.items():
        # The loader ignores keys it does not know (real forms carry extra columns).
        model.pop("additionalProperties", None)
        props: dict[str, Any] = model.get("properties", {})
        props.pop("source", None)
        for key, replacement in _NUMBERS.get(name, {}).items():
            props[key] = {**replacement, "title": props[key].get("title", key)}
        if "kind" in props:
            props["kind"].pop("default", None)
    defs["Department"]["properties"]["projects"]["items"] = {"anyOf": [
        {"$ref": "#/$defs/Project"},
        {"type": "string", "description": "a project document's path, relative to this file"},
    ]}
    # Without `kind` a table may satisfy both models (the loader then decides
    # by its keys), so one of them is enough: anyOf, not pydantic's oneOf.
    schema.pop("discriminator", None)
    schema["anyOf"] = schema.pop("oneOf")
    return {
        "$schema": DIALECT,
        "title": "perfeval document",
        "description": "A 项目支出绩效自评表 (kind: project) or a 部门（单位）整体绩效自评表 "
                       "(kind: department), in canonical keys; every key also accepts its "
                       "Chinese column header (SPEC §5).",
        **schema,
    }


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _closed(properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties),
            "additionalProperties": False, **extra}


def report_schema() -> dict[str, Any]:
    """The JSON Schema of ``perfeval score --format json`` (``Report.to_dict()``)."""
    from perfeval.evaluate import STATUSES
    from perfeval.findings import SEVERITY

    number = {"type": "number"}
    text = {"type": "string"}
    severities = sorted(set(SEVERITY.values()))
    finding = _closed({
        "rule": {"enum": sorted(SEVERITY)},
        "severity": {"enum": severities},
        "message": text,
        "document": _nullable(text),
        "indicator": _nullable(text),
    })
    indicator = _closed({
        "goal": _nullable(text),
        "level1": text,
        "level2": text,
        "name": text,
        "target": _nullable(text),
        "actual": _nullable(text),
        "canonical_target": _nullable(text),
        "status": {"enum": list(STATUSES)},
        "ratio": _nullable({**number, "description": "rounded half-up to 4 places"}),
        "weight": {**number, "description": "rounded half-up to 2 places"},
        "score": {**number, "description": "rounded half-up to 2 places"},
        "explanation": text,
    })
    budget = _closed({
        "planned": {**number, "description": "万元"},
        "executed": {**number, "description": "万元"},
        "rate": {**number, "description": "executed / planned, rounded to 4 places"},
        "weight": number,
        "score": number,
    })
    common = {
        "schema_version": {"const": 1},
        "kind": {"enum": ["project", "department"]},
        "name": text,
        "rules": text,
        "total": {**number, "minimum": 0, "maximum": 100},
        "grade": text,
        "budget": _nullable({"$ref": "#/$defs/budget"}),
        "indicators": {"type": "array", "items": {"$ref": "#/$defs/indicator"}},
        "findings": {"type": "array", "items": {"$ref": "#/$defs/finding"}},
    }
    project = _closed(common, description="A project's report.")
    project["properties"]["kind"] = {"const": "project"}
    department = _closed({
        **common,
        "kind": {"const": "department"},
        "projects": {"type": "array", "items": {"$ref": "#/$defs/project"}},
        "projects_score": _nullable({**number, "description": "the projects' totals, "
                                                              "weighted by planned budget"}),
    }, description="A department's report, with its projects' reports.")
    return {
        "$schema": DIALECT,
        "title": "perfeval score report",
        "description": "One object per document; `perfeval score` prints an array of them "
                       "when given several files or a directory.",
        "anyOf": [{"$ref": "#/$defs/project"}, {"$ref": "#/$defs/department"}],
        "$defs": {"finding": finding, "indicator": indicator, "budget": budget,
                  "project": project, "department": department},
    }
