"""Tests of perfeval.documents: loading YAML / JSON / mappings into models."""

from __future__ import annotations

import doctest
import json
import os
import tempfile
import textwrap
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from perfeval import _records, documents, models
from perfeval.documents import (
    Budget,
    Department,
    Goal,
    Indicator,
    Project,
    Spending,
    load,
)
from perfeval.errors import DocumentError

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "jianghan-2024"
Write = Callable[..., Path]


@pytest.fixture(autouse=True, params=["libyaml", "pure-python"])
def yaml_parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run every test with LibYAML's parser and with PyYAML's own fallback."""
    param: str = request.param
    if param == "libyaml" and not yaml.__with_libyaml__:
        pytest.skip("LibYAML is not installed")
    monkeypatch.setattr(yaml, "__with_libyaml__", param == "libyaml")
    return param


@pytest.fixture
def write(tmp_path: Path) -> Write:
    """Write a (dedented) document under tmp_path and return its path."""

    def _write(name: str, text: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text if isinstance(text, bytes) else textwrap.dedent(text).encode(encoding)
        path.write_bytes(data)
        return path

    return _write


def error_of(source: Path | dict[str, object]) -> DocumentError:
    with pytest.raises(DocumentError) as info:
        load(source)
    return info.value


# --------------------------------------------------------------------------
# Chinese keys and the shape of the models
# --------------------------------------------------------------------------

ENGLISH_PROJECT = """\
    kind: project
    name: 外包工作人员经费
    year: 2024
    department: 江汉区行政审批局
    unit: 政务服务科
    rules: hubei-2020
    budget:
      planned: 1923.78 万元
      executed: 1914.39 万元
      stated_rate: 99.51%
      weight: 10
      score: 9.95
    indicators:
      - level1: 产出指标
        level2: 数量指标
        name: 外包服务人员聘用人数
        target: ≥ 230 人
        actual: 232 人
        weight: 6.25
        score: 6.25
        reason: 无
        direction: positive
        applicable: true
    goals:
      - name: 目标一
        description: 保障运转
        indicators:
          - {name: 设备故障率, target: ≤2%, actual: 1%, direction: reverse}
    deviation: 无
    improvement: 无
    summary: 项目全年预算数为1923.78 万元
"""

CHINESE_PROJECT = """\
    类型: 项目
    项目名称: 外包工作人员经费
    年度: 2024年
    主管部门: 江汉区行政审批局
    项目实施单位: 政务服务科
    评分规则: hubei-2020
    预算执行情况:
      预算数（A）: 19237800元
      执行数（B）: 1914.39万元
      执行率（B/A）: 99.51％
      分值: 10
      得分: 9.95分
    绩效指标:
      - 一级指标: 产出指标
        二级指标: 数量指标
        三级指标: 外包服务人员聘用人数
        年度指标值（A）: ≥ 230 人
        实际完成值（B）: 232 人
        分值: 6.25
        得分: 6.25
        偏差原因分析及改进措施: 无
        指标方向: 正向
        是否适用: 是
    年度目标:
      - 目标名称: 目标一
        目标描述: 保障运转
        绩效指标:
          - {三级指标: 设备故障率, 年初目标值: ≤2%, 实际完成值: 1%, 指标方向: 反向}
    偏差大或目标未完成原因分析: 无
    改进措施及结果应用方案: 无
    绩效自评综述: 项目全年预算数为1923.78 万元
    项目类型: 经常性项目   # an extra column of the form: ignored
    备注: 无
"""


def test_chinese_keys_load_equal_to_english_keys(write: Write) -> None:
    english = load(write("en.yaml", ENGLISH_PROJECT))
    chinese = load(write("zh.yaml", CHINESE_PROJECT))
    assert english.model_dump(exclude={"source"}) == chinese.model_dump(exclude={"source"})
    assert isinstance(english, Project)
    assert english.budget == Budget(
        planned=Decimal("1923.78"),
        executed=Decimal("1914.39"),
        stated_rate=Decimal("99.51"),
        weight=Decimal(10),
        score=Decimal("9.95"),
    )
    assert english.indicators[0] == Indicator(
        level1="产出指标",
        level2="数量指标",
        name="外包服务人员聘用人数",
        target="≥ 230 人",
        actual="232 人",
        weight=Decimal("6.25"),
        score=Decimal("6.25"),
        reason="无",
        direction="positive",
        applicable=True,
    )
    assert english.goals == (
        Goal(
            name="目标一",
            description="保障运转",
            indicators=(
                Indicator(name="设备故障率", target="≤2%", actual="1%", direction="reverse"),
            ),
        ),
    )
    assert (english.year, english.rules, english.summary) == (2024, "hubei-2020", chinese.summary)


@pytest.mark.parametrize(
    ("key", "field"),
    [
        ("预算数", "planned"),
        ("预算数（A）", "planned"),
        ("预算数(A)", "planned"),
        (" 预算数 （ A ） ", "planned"),
        ("预算数【A】", "planned"),
        ("全年预算数（A）", "planned"),
        ("PLANNED", "planned"),
        ("执行数（B）", "executed"),
        ("执行数(B)", "executed"),
    ],
)
def test_budget_header_spellings(key: str, field: str) -> None:
    doc = load({"name": "x", "budget": {key: "12.5"}})
    assert doc.budget is not None
    assert getattr(doc.budget, field) == Decimal("12.5")


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("预算数（元）", "19237800", Decimal("1923.78")),
        ("预算数(万元)", "1923.78", Decimal("1923.78")),
        ("预算数（亿元）", "1.5", Decimal(15000)),
        # An explicit unit in the cell wins over the header's.
        ("预算数（元）", "1923.78万元", Decimal("1923.78")),
    ],
)
def test_unit_in_header_applies_to_bare_numbers(key: str, value: str, expected: Decimal) -> None:
    doc = load({"name": "x", "budget": {key: value}})
    assert doc.budget is not None and doc.budget.planned == expected


@pytest.mark.parametrize(
    ("key", "field"),
    [
        ("年度指标值", "target"),
        ("年度指标值（A）", "target"),
        ("年初目标值", "target"),
        ("指标值(A)", "target"),
        ("实际完成值", "actual"),
        ("实际完成值（B）", "actual"),
    ],
)
def test_indicator_header_spellings(key: str, field: str) -> None:
    doc = load({"name": "x", "indicators": [{"三级指标": "n", key: "≥ 5 次"}]})
    assert getattr(doc.indicators[0], field) == "≥ 5 次"


def test_models_are_frozen_and_hashable() -> None:
    doc = load({"name": "x", "indicators": [{"name": "n", "target": "1"}]})
    with pytest.raises(ValidationError):
        setattr(doc, "name", "y")  # noqa: B010  # mypy has no pydantic plugin here
    assert hash(doc) == hash(load({"name": "x", "indicators": [{"name": "n", "target": "1"}]}))


def test_public_names() -> None:
    assert set(documents.__all__) == {
        "Indicator",
        "Budget",
        "Goal",
        "Spending",
        "Project",
        "Department",
        "Document",
        "load",
        "read",
    }
    assert documents.Document == Project | Department


def _defaults(model: type[BaseModel]) -> dict[str, object]:
    return {name: "required" if info.is_required() else info.default
            for name, info in model.model_fields.items()}


@pytest.mark.parametrize("record", _records.RECORDS, ids=lambda r: r.__name__)
def test_records_mirror_the_models(record: type) -> None:
    """The records the loader builds carry the models' fields with the models'
    defaults; a table's record has a project's and a department's."""
    if record is _records.Table:
        expected = {**_defaults(Department), **_defaults(Project)}  # kind: "project"
        expected["rules_at"] = None  # where rules: was written, for errors; no model keeps it
    else:
        expected = _defaults(getattr(models, record.__name__))
    assert {name: record._field_defaults.get(name, "required")
            for name in record._fields} == expected


def test_read_gives_what_load_gives() -> None:
    for path in sorted(EXAMPLES.glob("*.yaml")):
        table, model = documents.read(path), load(path)
        assert models.from_record(table) == model
        assert table.name == model.name and table.kind == model.kind


def test_module_doctest() -> None:
    assert doctest.testmod(documents).failed == 0


# --------------------------------------------------------------------------
# Exact text of targets and actuals
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("100.00%", "100.00%"),
        ("78100", "78100"),
        ("0", "0"),
        ("100.00", "100.00"),
        ("1.50", "1.50"),
        ("≥ 20 万件", "≥ 20 万件"),
        ("=100%", "=100%"),
        ("2021-12-31", "2021-12-31"),
        ("yes", "yes"),
        ("0x10", "0x10"),
        ("'null'", "null"),
        ('"07"', "07"),
        ("[97%,100%]", "[97%,100%]"),
        ("~", None),
        ("null", None),
        ("", None),
        ("''", None),
    ],
)
def test_target_and_actual_keep_source_text(
    write: Write, written: str, expected: str | None
) -> None:
    path = write(
        "doc.yaml",
        f"""\
        name: x
        indicators:
          - name: n
            target: {written}
            actual: {written}
        """,
    )
    row = load(path).indicators[0]
    assert (row.target, row.actual) == (expected, expected)


def test_json_numbers_keep_source_text(write: Write) -> None:
    doc = {"name": "x", "indicators": [{"name": "n", "target": 100.00, "actual": 78100}]}
    text = json.dumps(doc, ensure_ascii=False).replace("100.0", "100.00")
    row = load(write("doc.json", text)).indicators[0]
    assert (row.target, row.actual) == ("100.00", "78100")


def test_json_with_tabs_falls_back_to_json_parser(write: Write) -> None:
    text = '{\n\t"name": "x",\n\t"indicators": [{"name": "n", "target": 100.00}]\n}'
    assert load(write("doc.json", text)).indicators[0].target == "100.00"


def test_json_surrogate_pair_is_one_character(write: Write) -> None:
    path = write("doc.json", '{"name": "x\\ud83d\\ude00"}')
    assert load(path).name == "x\U0001f600"


# --------------------------------------------------------------------------
# Amounts, percentages, points, years
# --------------------------------------------------------------------------

AMOUNTS = [
    ("1923.78 万元", "1923.78"),
    ("1923.78万元", "1923.78"),
    ("1923.78", "1923.78"),
    ("19237800元", "1923.78"),
    ("19237800 元", "1923.78"),
    ("1.5亿元", "15000"),
    ("1,923.78", "1923.78"),
    ("1,923.78 万元", "1923.78"),
    ("3, 825. 75", "3825.75"),
    ("１９２３．７８万元", "1923.78"),
    ("1923.78萬元", "1923.78"),
    ("1923.78万", "1923.78"),
    ("0", "0"),
    ("1", "1"),
    ("3434.90", "3434.90"),
    ("—", None),
    ("~", None),
]


@pytest.mark.parametrize(("written", "expected"), AMOUNTS)
def test_amounts(write: Write, written: str, expected: str | None) -> None:
    path = write(
        "doc.yaml",
        f"""\
        kind: department
        name: x
        budget:
          planned: {written}
          executed: {written}
        spending:
          basic: {written}
          project: {written}
        """,
    )
    doc = load(path)
    assert isinstance(doc, Department)
    want = None if expected is None else Decimal(expected)
    if want is None:
        assert doc.budget is None and doc.spending is None
        return
    assert doc.budget is not None and doc.spending is not None
    values = [doc.budget.planned, doc.budget.executed, doc.spending.basic, doc.spending.project]
    assert values == [want] * 4
    # The representation is tidy too, not 1923.7800.
    assert str(values[0]) == expected


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("-5", "negative"),
        ("-1923.78 万元", "negative"),
        (".nan", "NaN"),
        (".inf", "NaN and Infinity"),
        ("-.inf", "NaN and Infinity"),
        ("abc", "cannot read 'abc' as an amount"),
        ("1,92", "cannot read"),
        ("1e5", "cannot read"),
        ("12 美元", "cannot read"),
        ("1234567890123456", "too many digits"),
        ("1.12345678901", "too many digits"),
        ("[1, 2]", "expected text, got a list"),
        ("{a: 1}", "expected text, got a mapping"),
    ],
)
def test_bad_amounts(write: Write, written: str, message: str) -> None:
    path = write("doc.yaml", f"name: x\nbudget:\n  executed: 1\n  planned: {written}\n")
    err = error_of(path)
    assert message in err.message
    assert (err.path, err.line, err.key) == (str(path), 4, "budget.planned")


@pytest.mark.parametrize("written", ["99.51%", "99.51％", "99.51", " 99.51 %", "99.51 ％"])
def test_stated_rate_in_percent_points(written: str) -> None:
    doc = load({"name": "x", "budget": {"stated_rate": written}})
    assert doc.budget is not None and doc.budget.stated_rate == Decimal("99.51")


def test_python_numbers_in_a_mapping() -> None:
    doc = load(
        {
            "name": "x",
            "year": 2024,
            "budget": {"planned": 1923.78, "executed": Decimal("1914.39"), "stated_rate": 99.51},
            "indicators": [{"name": "n", "target": 78100, "weight": 6.25}],
        }
    )
    assert doc.year == 2024
    assert doc.budget == Budget(
        planned=Decimal("1923.78"), executed=Decimal("1914.39"), stated_rate=Decimal("99.51")
    )
    assert (doc.indicators[0].target, doc.indicators[0].weight) == ("78100", Decimal("6.25"))


@pytest.mark.parametrize(
    "value", [float("nan"), float("inf"), Decimal("NaN"), Decimal("-Infinity")]
)
def test_python_non_finite_numbers_rejected(value: object) -> None:
    err = error_of({"name": "x", "budget": {"planned": value}})
    assert "NaN and Infinity" in err.message
    assert err.key == "budget.planned" and err.line is None


@pytest.mark.parametrize(
    ("written", "expected"), [("2024", 2024), ("2024年", 2024), ("2024年度", 2024), ("~", None)]
)
def test_year(write: Write, written: str, expected: int | None) -> None:
    assert load(write("doc.yaml", f"name: x\nyear: {written}\n")).year == expected


def test_bad_year(write: Write) -> None:
    err = error_of(write("doc.yaml", "name: x\nyear: 二〇二四\n"))
    assert (err.line, err.key) == (2, "year")


# --------------------------------------------------------------------------
# Kinds, directions, applicability
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mapping", "kind"),
    [
        ({"name": "x"}, "project"),
        ({"name": "x", "kind": "项目"}, "project"),
        ({"name": "x", "类型": "部门整体"}, "department"),
        ({"name": "x", "kind": "部门"}, "department"),
        ({"name": "x", "kind": "Department"}, "department"),
        ({"name": "x", "spending": {"basic": "1"}}, "department"),
        ({"name": "x", "基本支出总额": "1"}, "department"),
        ({"name": "x", "项目支出总额": "1"}, "department"),
        ({"name": "x", "projects": []}, "department"),
        ({"部门（单位）名称": "江汉区行政审批局"}, "department"),
        ({"单位名称": "江汉区行政审批局"}, "department"),
        # A project form may name its unit; 项目名称 makes it a project.
        ({"项目名称": "x", "单位名称": "江汉区行政审批局"}, "project"),
    ],
)
def test_kind_is_stated_or_inferred(mapping: dict[str, object], kind: str) -> None:
    assert load(mapping).kind == kind


def test_department_named_by_unit_header() -> None:
    doc = load(
        {"单位名称": "江汉区行政审批局", "基本支出总额": "1025.34", "项目支出总额": "2800.41"}
    )
    assert isinstance(doc, Department)
    assert doc.name == "江汉区行政审批局"
    assert doc.spending == Spending(basic=Decimal("1025.34"), project=Decimal("2800.41"))


@pytest.mark.parametrize(
    ("mapping", "key", "message"),
    [
        ({"name": "x", "kind": "program"}, "kind", "kind must be project"),
        ({"name": "x", "kind": "project", "spending": {"basic": 1}}, "spending", "department"),
        ({"name": "x", "kind": "project", "projects": ["a.yaml"]}, "projects", "department"),
        ({"kind": "project"}, "name", "no name"),
        ({"name": "  "}, "name", "no name"),
        ({"name": "x", "单位名称": "y", "kind": "department"}, "单位名称", "both name"),
        (
            {"name": "x", "spending": {"basic": 1}, "基本支出总额": 2},
            "基本支出总额",
            "also given",
        ),
    ],
)
def test_bad_table_fields(mapping: dict[str, object], key: str, message: str) -> None:
    err = error_of(mapping)
    assert err.key == key
    assert message in err.message


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("positive", "positive"),
        ("正向", "positive"),
        ("reverse", "reverse"),
        ("反向", "reverse"),
        ("Equal", "equal"),
        ("相等", "equal"),
        ("~", None),
    ],
)
def test_direction(write: Write, written: str, expected: str | None) -> None:
    path = write("doc.yaml", f"name: x\nindicators:\n  - name: n\n    direction: {written}\n")
    assert load(path).indicators[0].direction == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [("true", True), ("false", False), ("是", True), ("否", False), ("no", False), ("~", True)],
)
def test_applicable(write: Write, written: str, expected: bool) -> None:
    path = write("doc.yaml", f"name: x\nindicators:\n  - name: n\n    是否适用: {written}\n")
    assert load(path).indicators[0].applicable is expected


@pytest.mark.parametrize(
    ("row", "key", "message"),
    [
        ("direction: up", "indicators[1].direction", "direction must be"),
        ("applicable: maybe", "indicators[1].applicable", "true/false"),
        ("weight: 六", "indicators[1].weight", "points"),
        ("target: {a: b}", "indicators[1].target", "expected text, got a mapping"),
        ("level1: [产出]", "indicators[1].level1", "expected text, got a list"),
    ],
)
def test_bad_indicator_values(write: Write, row: str, key: str, message: str) -> None:
    path = write(
        "doc.yaml",
        f"""\
        name: x
        indicators:
          - {{name: a, target: 1}}
          - name: b
            {row}
        """,
    )
    err = error_of(path)
    assert (err.line, err.key) == (5, key)
    assert message in err.message


def test_missing_indicator_name(write: Write) -> None:
    path = write(
        "doc.yaml",
        """\
        name: x
        indicators:
          - {name: a, target: 1}
          - {name: b, target: 1}
          - {name: c, target: 1}
          - {level1: 产出指标, target: 1}
        """,
    )
    err = error_of(path)
    assert (err.line, err.key) == (6, "indicators[3].name")
    assert "no name" in err.message
    assert str(err).startswith(f"{path}:6: indicators[3].name: ")


def test_goal_without_name_is_numbered() -> None:
    doc = load({"name": "x", "goals": [{"description": "a"}, {"description": "b"}]})
    assert [g.name for g in doc.goals] == ["目标1", "目标2"]


def test_project_may_have_indicators_and_goals() -> None:
    doc = load(
        {
            "name": "x",
            "indicators": [{"name": "a"}],
            "goals": [{"name": "g", "indicators": [{"name": "b"}]}],
        }
    )
    assert [i.name for i in doc.indicators] == ["a"]
    assert [i.name for i in doc.goals[0].indicators] == ["b"]


def test_empty_budget_block_is_no_block() -> None:
    assert load({"name": "x", "budget": {}}).budget is None
    assert load({"name": "x", "budget": None}).budget is None


# --------------------------------------------------------------------------
# Wrong types name the dotted key and the line
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "key", "message"),
    [
        ("name: x\nindicators: {a: 1}\n", 2, "indicators", "expected a list, got a mapping"),
        ("name: x\nbudget: [1, 2]\n", 2, "budget", "must be a mapping, got a list"),
        ("name: x\nbudget: 100\n", 2, "budget", "must be a mapping, got text"),
        ("name: [x]\n", 1, "name", "expected text, got a list"),
        ("name: x\ngoals:\n  - just text\n", 3, "goals[0]", "must be a mapping"),
        (
            "name: x\ngoals:\n  - name: g\n    indicators:\n      - name: a\n        actual: {b: 1}\n",
            6,
            "goals[0].indicators[0].actual",
            "expected text, got a mapping",
        ),
        (
            "name: x\n预算执行情况:\n  预算数（A）: {b: 1}\n",
            3,
            "预算执行情况.预算数（A）",
            "expected text",
        ),
        ("name: x\nindicators:\n  - [a, b]\n", 3, "indicators[0]", "must be a mapping"),
    ],
)
def test_wrong_type_names_key_and_line(
    write: Write, text: str, line: int, key: str, message: str
) -> None:
    path = write("doc.yaml", text)
    err = error_of(path)
    assert (err.path, err.line, err.key) == (str(path), line, key)
    assert message in err.message
    assert str(err) == f"{path}:{line}: {key}: {err.message}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a\n- b\n", "must be a mapping, got a list"),
        ("just text\n", "must be a mapping, got text"),
    ],
)
def test_top_level_must_be_a_mapping(write: Write, text: str, message: str) -> None:
    err = error_of(write("doc.yaml", text))
    assert message in err.message and err.line == 1


def test_mapping_errors_name_the_key_without_a_line() -> None:
    err = error_of({"name": "x", "indicators": [{"name": "a", "target": {"b": 1}}]})
    assert (err.path, err.line, err.key) == (None, None, "indicators[0].target")


@pytest.mark.parametrize(
    "value", [{1: "a"}, {"name": "x", "indicators": [{"name": object()}]}, {"name": b"x"}]
)
def test_mapping_with_unsupported_values(value: dict[object, object]) -> None:
    with pytest.raises(DocumentError):
        load(value)  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# Files: syntax, encodings, empty files, limits
# --------------------------------------------------------------------------


def test_yaml_syntax_error_has_line(write: Write) -> None:
    path = write(
        "doc.yaml",
        """\
        name: x
        indicators:
          - {name: a, target: 1
          - {name: b}
        budget: 1
        """,
    )
    err = error_of(path)
    assert err.message.startswith("invalid YAML")
    assert err.line == 4
    assert str(err).startswith(f"{path}:4: ")


def test_json_syntax_error_has_line(write: Write) -> None:
    err = error_of(write("doc.json", '{\n\t"name": "x",\n\t"year": 2024,\n}'))
    assert err.message.startswith("invalid JSON")
    assert err.line == 4


def test_json_nan_rejected(write: Write) -> None:
    err = error_of(write("doc.json", '{\n\t"name": "x", "budget": {"planned": NaN}}'))
    assert "NaN" in err.message and err.line == 2
    # the literal's line, not that of the word inside a string
    err = error_of(write("doc2.json",
                         '{"name": "NaN \\" Infinity",\n\n"budget": {"planned": -Infinity}}'))
    assert "-Infinity" in err.message and err.line == 3


def test_json_keeps_lines_when_yaml_can_read_it(write: Write) -> None:
    path = write("doc.json", '{\n  "name": "x",\n  "budget": {\n    "planned": "abc"\n  }\n}')
    err = error_of(path)
    assert (err.line, err.key) == (4, "budget.planned")


def test_duplicate_key_names_both_lines(write: Write) -> None:
    path = write(
        "doc.yaml",
        """\
        name: x
        indicators:
          - name: a
            target: 1
            actual: 2
            target: 3
        """,
    )
    err = error_of(path)
    assert (err.line, err.key) == (6, "indicators[0].target")
    assert "duplicate key 'target'" in err.message and "lines 4 and 6" in err.message


def test_duplicate_key_in_json(write: Write) -> None:
    err = error_of(write("doc.json", '{"name": "x",\n "name": "y"}'))
    assert "duplicate key 'name'" in err.message and err.line == 2


def test_duplicate_key_in_json_fallback(write: Write) -> None:
    err = error_of(write("doc.json", '{"name": "x",\n\t"name": "y"}'))
    assert "duplicate key 'name'" in err.message


def test_two_aliases_of_one_field_conflict(write: Write) -> None:
    err = error_of(write("doc.yaml", "name: x\n备注: y\n项目名称: z\n"))
    assert (err.line, err.key) == (3, "项目名称")
    assert "'name' and '项目名称'" in err.message and "lines 1 and 3" in err.message


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("base: &b 1\nname: x\n", "anchors are not supported", 1),
        ("name: x\nindicators:\n  - name: *a\n", "aliases are not supported", 3),
        (
            'a: &a ["lol","lol"]\nb: &b [*a,*a]\nc: &c [*b,*b]\nd: &d [*c,*c]\nname: x\n',
            "not supported",
            1,
        ),
    ],
)
def test_anchors_and_aliases_rejected(write: Write, text: str, message: str, line: int) -> None:
    err = error_of(write("doc.yaml", text))
    assert message in err.message and err.line == line


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("name: x\n---\nname: y\n", 2, "more than one YAML document"),
        ("name: x\n? [a, b]\n: c\n", 2, "a key must be text"),
        ("name: x\nbudget: {? {a: 1} : 2}\n", 2, "a key must be text"),
    ],
)
def test_yaml_structure_errors(write: Write, text: str, line: int, message: str) -> None:
    err = error_of(write("doc.yaml", text))
    assert message in err.message and err.line == line


@pytest.mark.parametrize(
    "text",
    [
        '{"name": "x",}',
        '{"name": "x"} // comment',
        "{name: x}",
        "name: x",
        "{'name': 'x'}",
    ],
)
def test_json_must_be_json(write: Write, text: str) -> None:
    """YAML would accept all of these; a .json file is held to JSON."""
    err = error_of(write("doc.json", text))
    assert err.message.startswith("invalid JSON") and err.line == 1


def test_unknown_tags_rejected(write: Write) -> None:
    path = write("doc.yaml", "name: x\nsummary: !!python/object/apply:os.system ['echo hi']\n")
    err = error_of(path)
    assert "tag" in err.message and err.line == 2


def test_deep_nesting_rejected(write: Write) -> None:
    deep = "[" * 1000 + "]" * 1000
    err = error_of(write("doc.yaml", f"name: x\nbudget: {deep}\n"))
    # Newer LibYAML builds stop at their own depth limit; the message is ours.
    assert "nested deeper than" in err.message
    assert err.line == 2


def test_deep_nesting_rejected_in_json_fallback(write: Write) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    err = error_of(write("doc.json", '{\t"name": "x", "budget": ' + deep + "}"))
    assert "nested deeper than" in err.message


def test_self_referencing_mapping_rejected() -> None:
    mapping: dict[str, object] = {"name": "x"}
    mapping["budget"] = mapping
    assert "nested deeper than" in error_of(mapping).message


def test_huge_file_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as f:
        f.truncate(21 * 1024 * 1024)  # sparse: no 21 MB written
    assert "larger than 20 MB" in error_of(path).message


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig", "utf-16"])
def test_encodings(write: Write, encoding: str) -> None:
    path = write("doc.yaml", CHINESE_PROJECT, encoding=encoding)
    doc = load(path)
    assert doc.name == "外包工作人员经费"
    assert doc.indicators[0].target == "≥ 230 人"


def test_undecodable_file(write: Write) -> None:
    path = write("doc.yaml", b"name: \x80\xff\x81 \n")
    err = error_of(path)
    assert "cannot decode" in err.message and err.path == str(path)


def test_control_character_reported_with_line(write: Write) -> None:
    err = error_of(write("doc.yaml", b"name: x\nsummary: a\x07b\n"))
    assert err.message.startswith("invalid YAML") and err.line == 2


@pytest.mark.parametrize(
    ("text", "suffix"),
    [
        ("", ".yaml"),
        ("\n\n", ".yaml"),
        ("# only a comment\n", ".yaml"),
        ("---\n", ".yaml"),
        ("~\n", ".yaml"),
        ("", ".json"),
        (" \n", ".json"),
    ],
)
def test_empty_file(write: Write, text: str, suffix: str) -> None:
    path = write("doc" + suffix, text)
    err = error_of(path)
    assert "empty" in err.message and err.path == str(path)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    err = error_of(path)
    assert "not found" in err.message and err.path == str(path)


def test_directory_is_not_a_document(tmp_path: Path) -> None:
    path = tmp_path / "dir.yaml"
    path.mkdir()
    assert error_of(path).path == str(path)


@pytest.mark.parametrize("name", ["doc.txt", "doc", "doc.yaml.bak"])
def test_unsupported_suffix(write: Write, name: str) -> None:
    assert "unsupported file type" in error_of(write(name, "name: x\n")).message


def test_broken_excel_is_a_document_error(write: Write) -> None:
    # The reader itself is tested in tests/test_excel.py.
    err = error_of(write("form.xlsx", b"PK\x03\x04"))
    assert "not an .xlsx workbook" in err.message and err.path.endswith("form.xlsx")


def test_uppercase_suffix_and_pathlike(write: Write) -> None:
    path = write("DOC.YML", "name: x\n")
    assert load(str(path)).name == load(path).name == "x"
    assert load(path).source == str(path)


def test_not_a_path_or_mapping() -> None:
    with pytest.raises(DocumentError):
        load(42)  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# Departments and their projects
# --------------------------------------------------------------------------

PROJECT_A = "kind: project\nname: 项目甲\nbudget: {planned: 100, executed: 90}\n"
PROJECT_B = "name: 项目乙\nbudget: {planned: 50, executed: 50}\n"


def test_department_with_relative_project_paths(write: Write, tmp_path: Path) -> None:
    write("dept/projects/a.yaml", PROJECT_A)
    write("dept/b.json", json.dumps({"项目名称": "项目乙"}, ensure_ascii=False))
    path = write(
        "dept/department.yaml",
        """\
        kind: department
        name: 某局
        spending: {basic: 1025.34 万元, project: 2800.41 万元}
        projects:
          - projects/a.yaml
          - b.json
          - ./projects/a.yaml
        """,
    )
    doc = load(path)
    assert isinstance(doc, Department)
    assert [p.name for p in doc.projects] == ["项目甲", "项目乙", "项目甲"]
    assert doc.projects[0].source == str(tmp_path / "dept" / "projects" / "a.yaml")
    assert doc.projects[0].budget == Budget(planned=Decimal(100), executed=Decimal(90))
    # One file listed twice is loaded once.
    assert doc.projects[2] is doc.projects[0]
    assert doc.source == str(path)


def test_inline_project_mapping(write: Write) -> None:
    write("a.yaml", PROJECT_A)
    path = write(
        "department.yaml",
        """\
        kind: department
        name: 某局
        projects:
          - a.yaml
          - 项目名称: 项目乙
            预算: {预算数: 50, 执行数: 50}
            绩效指标:
              - {三级指标: 指标, 年度指标值: 100.00%, 实际完成值: 100.00%}
        """,
    )
    doc = load(path)
    assert isinstance(doc, Department)
    inline = doc.projects[1]
    assert inline.name == "项目乙" and inline.kind == "project"
    assert inline.indicators[0].target == "100.00%"
    assert inline.source == str(path)


def test_inline_project_errors_carry_department_lines(write: Write) -> None:
    path = write(
        "department.yaml",
        """\
        kind: department
        name: 某局
        projects:
          - name: 项目乙
            budget: {planned: lots}
        """,
    )
    err = error_of(path)
    assert (err.path, err.line, err.key) == (str(path), 5, "projects[0].budget.planned")


def test_department_from_mapping_resolves_from_cwd(
    write: Write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write("a.yaml", PROJECT_A)
    monkeypatch.chdir(tmp_path)
    doc = load({"kind": "department", "name": "某局", "projects": ["a.yaml", {"name": "乙"}]})
    assert isinstance(doc, Department)
    assert [p.name for p in doc.projects] == ["项目甲", "乙"]


def test_self_including_department(write: Write) -> None:
    path = write(
        "department.yaml",
        """\
        kind: department
        name: 某局
        projects:
          - a.yaml
          - ./department.yaml
        """,
    )
    write("a.yaml", PROJECT_A)
    err = error_of(path)
    assert (err.path, err.line, err.key) == (str(path), 5, "projects[1]")
    assert "includes itself" in err.message


def test_self_including_department_read_through_a_link(write: Write, tmp_path: Path) -> None:
    # The department is found by its resolved path, which is worked out only
    # when it names a project: through a linked folder it is still itself.
    write("real/department.yaml", "kind: department\nname: 某局\nprojects:\n  - department.yaml\n")
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    err = error_of(tmp_path / "link" / "department.yaml")
    assert (err.line, err.key) == (4, "projects[0]")
    assert "includes itself: department.yaml → department.yaml" in err.message


def test_a_project_table_never_resolves_its_path(write: Write,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from perfeval import documents

    path = write("a.yaml", PROJECT_A)
    resolved: list[Path] = []
    identity = documents._identity
    monkeypatch.setattr(documents, "_identity", lambda p: resolved.append(p) or identity(p))
    load(path)
    assert resolved == []


def test_department_cycle(write: Write) -> None:
    first = write("first.yaml", "kind: department\nname: 甲局\nprojects: [second.yaml]\n")
    second = write("second.yaml", "kind: department\nname: 乙局\nprojects:\n  - first.yaml\n")
    err = error_of(first)
    assert (err.path, err.line, err.key) == (str(second), 4, "projects[0]")
    assert "first.yaml → second.yaml → first.yaml" in err.message


def test_department_listing_a_department(write: Write) -> None:
    write("other.yaml", "kind: department\nname: 乙局\n")
    path = write("dept.yaml", "kind: department\nname: 甲局\nprojects:\n  - other.yaml\n")
    err = error_of(path)
    assert (err.line, err.key) == (4, "projects[0]")
    assert "not departments" in err.message


def test_missing_project_file(write: Write) -> None:
    path = write(
        "department.yaml",
        """\
        kind: department
        name: 某局
        projects:
          - missing.yaml
        """,
    )
    err = error_of(path)
    assert (err.path, err.line, err.key) == (str(path), 4, "projects[0]")
    text = str(err)
    assert "department.yaml" in text and ":4:" in text and "projects[0]" in text
    assert "missing.yaml" in text


def test_error_inside_project_file_names_that_file(write: Write) -> None:
    bad = write("bad.yaml", "name: x\nbudget: {planned: -3}\n")
    path = write("dept.yaml", "kind: department\nname: 某局\nprojects: [bad.yaml]\n")
    err = error_of(path)
    assert (err.path, err.line, err.key) == (str(bad), 2, "budget.planned")


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("../outside.yaml", "inside the department's folder"),
        ("sub/../../outside.yaml", "inside the department's folder"),
        ("/etc/passwd.yaml", "inside the department's folder"),
        ("notes.txt", "is not a .yaml"),
        ("~", "expected a file path or a project mapping"),
        ("[a.yaml]", "expected a file path or a project mapping"),
    ],
)
def test_bad_project_entries(write: Write, entry: str, message: str) -> None:
    write("outside.yaml", PROJECT_A)
    path = write("dept/dept.yaml", f"kind: department\nname: 某局\nprojects:\n  - {entry}\n")
    err = error_of(path)
    assert (err.line, err.key) == (4, "projects[0]")
    assert message in err.message


# --------------------------------------------------------------------------
# No input escapes as anything but DocumentError
# --------------------------------------------------------------------------

_json_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
_json_values = st.recursive(
    _json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
_keys = st.sampled_from(
    [
        "name",
        "项目名称",
        "kind",
        "budget",
        "预算数",
        "planned",
        "indicators",
        "goals",
        "target",
        "projects",
        "spending",
        "year",
        "applicable",
        "direction",
        "weight",
        "x",
    ]
)
_documents = st.dictionaries(
    _keys,
    st.recursive(
        _json_scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_keys, inner, max_size=4),
        max_leaves=15,
    ),
    max_size=6,
)


@settings(
    max_examples=300,
    deadline=None,
    # The autouse parser fixture only sets a flag; sharing it across examples is safe.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(_documents)
def test_any_mapping_loads_or_raises_document_error(mapping: dict[str, object]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        cwd = os.getcwd()
        os.chdir(folder)  # relative project paths must not find real files
        try:
            load(mapping)
        except DocumentError:
            pass
        finally:
            os.chdir(cwd)


@settings(
    max_examples=300,
    deadline=None,
    # The autouse parser fixture only sets a flag; sharing it across examples is safe.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.text(max_size=200) | _json_values.map(lambda v: json.dumps(v, ensure_ascii=False)))
def test_any_text_file_loads_or_raises_document_error(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for suffix in (".yaml", ".json"):
            path = Path(folder) / f"doc{suffix}"
            path.write_text(text, encoding="utf-8")
            try:
                load(path)
            except DocumentError as e:
                assert e.path is not None  # a file's errors always name a file
