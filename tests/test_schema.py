"""``perfeval schema``: the document schema from the models, the report schema
true to Report.to_dict() — real documents and reports validate against them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from perfeval import cli
from perfeval.schema import document_schema, report_schema
from perfeval.scoring import score

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "jianghan-2024"
YAMLS = sorted(EXAMPLES.glob("*.yaml"))


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    code = cli.main(["schema", *argv])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def test_cli_prints_both(capsys: pytest.CaptureFixture[str]) -> None:
    both = run_json(capsys)
    assert both == {"document": document_schema(), "report": report_schema()}
    assert run_json(capsys, "report") == report_schema()
    assert run_json(capsys, "document") == document_schema()


@pytest.mark.parametrize("schema", [document_schema(), report_schema()])
def test_schemas_are_valid(schema: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("path", YAMLS, ids=[p.stem for p in YAMLS])
def test_examples_are_documents(path: Path) -> None:
    jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), document_schema())


@pytest.mark.parametrize("path", YAMLS, ids=[p.stem for p in YAMLS])
def test_reports_validate(path: Path) -> None:
    jsonschema.validate(score(path).to_dict(), report_schema())


def test_report_schema_is_closed() -> None:
    # Every key of to_dict() is described, and nothing else is allowed.
    report = score(EXAMPLES / "department.yaml").to_dict()
    schema = report_schema()
    defs = schema["$defs"]
    assert set(defs["department"]["properties"]) == set(report)
    assert set(defs["project"]["properties"]) == set(report["projects"][0])
    assert set(defs["indicator"]["properties"]) == set(report["indicators"][0])
    assert set(defs["budget"]["properties"]) == set(report["budget"])
    assert set(defs["finding"]["properties"]) == set(report["findings"][0])
    bad = dict(report, extra=1)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(dict(report, total="99.13"), schema)


def test_document_schema_follows_the_models() -> None:
    schema = document_schema()
    project = schema["$defs"]["Project"]["properties"]
    assert {"name", "budget", "indicators", "goals", "kind"} <= set(project)
    assert "source" not in project  # set by the loader, not written
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"kind": "project", "name": "x", "indicators": [{"target": "1"}]},
                            schema)  # an indicator needs its name
