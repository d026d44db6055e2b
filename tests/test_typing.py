"""perfeval is typed for the programs that call it (PEP 561): the package
says so with ``py.typed``, and the names ``perfeval`` imports on first use
(``score``, ``load``, ``evaluate_many``, ``Report``) have their real types,
not ``object``."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_the_package_says_it_is_typed() -> None:
    assert (ROOT / "perfeval" / "py.typed").is_file()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "py.typed" in project["tool"]["setuptools"]["package-data"]["perfeval"]


# A program as budgeting software would write it; the last line is wrong on
# purpose, so that the check is seen to find an error where there is one.
PROGRAM = """\
from decimal import Decimal

import perfeval
from perfeval import Report, evaluate, evaluate_many, load, score
from perfeval.models import Department, Project

report: Report = score("table.yaml")
total: Decimal = report.total
document: Project | Department = load("table.yaml")
status: str = evaluate("≥ 90%", "95%", name="群众满意度").status
fractions = evaluate_many(["≥ 90%"], ["95%"]).fraction
again: Report = perfeval.score(document)
wrong: int = perfeval.score(document)
"""


def test_a_calling_program_sees_the_types(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    api = pytest.importorskip("mypy.api")
    program = tmp_path / "program.py"
    program.write_text(PROGRAM, encoding="utf-8")
    monkeypatch.setenv("MYPYPATH", str(ROOT))
    monkeypatch.chdir(ROOT)  # the project's mypy settings
    out, err, code = api.run(["--strict", "--no-error-summary",
                              "--cache-dir", str(tmp_path / "cache"), str(program)])
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert code == 1, out + err
    assert len(errors) == 1 and errors[0].startswith(f"{program}:13:"), out
    assert '"Report"' in errors[0] and '"int"' in errors[0], out
