"""Indicator rows read once per batch (perfeval.documents._ROWS, and the
decoded JSON rows of perfeval._yamlsubset).

The law: a document reads to the same record whatever was read before it,
and every error still names its own line. Documents here share rows on
purpose, in both styles a form is written in, at different lines.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfeval import _yamlsubset, documents
from perfeval.documents import read
from perfeval.errors import DocumentError


@pytest.fixture(autouse=True)
def _empty_memos() -> Iterator[None]:
    documents._ROWS.clear()
    _yamlsubset._JSON_ROWS.clear()
    yield
    documents._ROWS.clear()
    _yamlsubset._JSON_ROWS.clear()


def _json_row(row: dict[str, str]) -> str:
    return "  - " + json.dumps(row, ensure_ascii=False)


def _block_row(row: dict[str, str]) -> str:
    lines = [f"  - {k}: {json.dumps(v, ensure_ascii=False)}" if i == 0
             else f"    {k}: {json.dumps(v, ensure_ascii=False)}"
             for i, (k, v) in enumerate(row.items())]
    return "\n".join(lines)


def _document(rows: list[dict[str, str]], styles: list[bool], lead: int = 0) -> str:
    head = ["kind: project", "name: 项目", *["# 备注"] * lead, "indicators:"]
    body = [_json_row(r) if json_style else _block_row(r) for r, json_style in zip(rows, styles)]
    return "\n".join(head + body) + "\n"


def _fresh(path: Path) -> object:
    documents._ROWS.clear()
    _yamlsubset._JSON_ROWS.clear()
    return read(path)


_TEXT = st.sampled_from(["≥95%", "=100%", "97%-100%", "明显提高", "98%", "100", "是", "否",
                         "true", "5分", "abc", "", " ", "正向", "反向", "1万元", "null"])
_KEYS = st.sampled_from(["name", "target", "actual", "weight", "score", "direction",
                         "applicable", "level1", "reason", "指标名称", "分值"])
_ROW = st.dictionaries(_KEYS, _TEXT, min_size=1, max_size=5).map(
    lambda r: {"name": "指标", **r} if "name" not in r and "指标名称" not in r else r)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(_ROW, min_size=1, max_size=6), data=st.data())
def test_a_document_reads_the_same_after_others(tmp_path: Path, rows: list[dict[str, str]],
                                                data: st.DataObject) -> None:
    order = data.draw(st.permutations(range(len(rows))))
    first = tmp_path / "a.yaml"
    second = tmp_path / "b.yaml"
    first.write_text(_document(rows, data.draw(st.lists(st.booleans(), min_size=len(rows),
                                                        max_size=len(rows)))), encoding="utf-8")
    second.write_text(_document([rows[i] for i in order],
                                data.draw(st.lists(st.booleans(), min_size=len(rows),
                                                   max_size=len(rows))), lead=3),
                      encoding="utf-8")

    def outcome(path: Path, fresh: bool) -> object:
        try:
            return _fresh(path) if fresh else read(path)
        except DocumentError as e:
            return str(e)

    alone = outcome(second, fresh=True)
    outcome(first, fresh=True)  # leaves its rows behind
    assert outcome(second, fresh=False) == alone


def test_a_row_that_fails_names_its_own_line_every_time(tmp_path: Path) -> None:
    bad = {"name": "群众满意度", "target": "≥95%", "actual": "98%", "weight": "十分"}
    one, two = tmp_path / "one.yaml", tmp_path / "two.yaml"
    one.write_text(_document([bad], [True]), encoding="utf-8")
    two.write_text(_document([bad], [True], lead=5), encoding="utf-8")
    with pytest.raises(DocumentError) as first:
        read(one)
    with pytest.raises(DocumentError) as second:
        read(two)
    assert (first.value.line, second.value.line) == (4, 9)


def test_text_true_and_boolean_true_are_different_rows() -> None:
    # A Python mapping keeps its booleans, and a boolean is no name.
    def table(name: object) -> dict[str, object]:
        return {"kind": "project", "name": "项目", "indicators": [{"name": name}]}

    assert read(table("true")).indicators[0].name == "true"
    with pytest.raises(DocumentError, match="boolean"):
        read(table(True))


def test_the_memos_stay_within_their_size(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "_ROWS_SIZE", 3)
    monkeypatch.setattr(_yamlsubset, "_JSON_ROWS_SIZE", 3)
    rows = [{"name": f"指标{i}", "target": "≥95%", "actual": f"{90 + i}%"} for i in range(8)]
    path = tmp_path / "t.yaml"
    path.write_text(_document(rows, [True] * 8), encoding="utf-8")
    table = read(path)
    assert [i.actual for i in table.indicators] == [f"{90 + i}%" for i in range(8)]
    assert len(documents._ROWS) <= 3
    assert len(_yamlsubset._JSON_ROWS) <= 3
