"""The same input gives the same JSON bytes (SPEC §7, issue 7).

Same across runs, across processes with different ``PYTHONHASHSEED`` (set and
dict order must never leak into a report), and across spellings of one
document that mean the same thing: mapping keys in another order, and the
form's Chinese column headers instead of the English keys.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from perfeval import cli
from perfeval.report import number, to_json, to_json_bytes

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "jianghan-2024"


def score_bytes(capsys: pytest.CaptureFixture[str], folder: Path) -> bytes:
    assert cli.main(["score", str(folder), "--format", "json"]) == 0
    return capsys.readouterr().out.encode("utf-8")


@pytest.fixture(scope="module")
def expected() -> bytes:
    proc = subprocess.run([sys.executable, "-m", "perfeval", "score", str(EXAMPLES),
                           "--format", "json"], cwd=ROOT, capture_output=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT),
                               "PYTHONIOENCODING": "utf-8"})
    return proc.stdout


def test_same_bytes_across_runs(capsys: pytest.CaptureFixture[str], expected: bytes) -> None:
    assert score_bytes(capsys, EXAMPLES) == expected
    assert score_bytes(capsys, EXAMPLES) == expected


def test_same_bytes_across_hash_seeds(expected: bytes) -> None:
    def run(seed: str) -> bytes:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8",
               "PYTHONHASHSEED": seed}
        return subprocess.run([sys.executable, "-m", "perfeval", "score", str(EXAMPLES),
                               "--format", "json"], cwd=ROOT, capture_output=True, check=True,
                              env=env).stdout

    with ThreadPoolExecutor(max_workers=3) as pool:
        outputs = list(pool.map(run, ["0", "1", "12345"]))
    assert outputs == [expected] * 3


# ---------------------------------------------------------------- spellings

def _read(path: Path) -> Any:
    # BaseLoader keeps every scalar as its source text ("100.00" stays
    # "100.00"), so that writing it back changes nothing but the layout.
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)


def _write(path: Path, data: Any) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000),
                    encoding="utf-8")


def _shuffled(node: Any, rng: random.Random) -> Any:
    """Every mapping's keys in another order; lists keep theirs (rows are ordered)."""
    if isinstance(node, dict):
        keys = list(node)
        rng.shuffle(keys)
        return {k: _shuffled(node[k], rng) for k in keys}
    if isinstance(node, list):
        return [_shuffled(v, rng) for v in node]
    return node


# The form's own headers (SPEC §5), by where the key sits.
_TABLE = {"kind": "类型", "name": "项目名称", "year": "年度", "department": "主管部门",
          "unit": "项目实施单位", "rules": "评分规则", "budget": "预算执行情况",
          "indicators": "绩效指标", "goals": "年度目标", "deviation": "偏差大或目标未完成原因分析",
          "improvement": "改进措施及结果应用方案", "summary": "绩效自评综述", "projects": "项目"}
_BUDGET = {"planned": "预算数（A）", "executed": "执行数（B）", "stated_rate": "执行率（B/A）",
           "weight": "分值", "score": "得分"}
_SPENDING = {"basic": "基本支出总额", "project": "项目支出总额"}
_GOAL = {"name": "目标名称", "description": "目标描述", "indicators": "绩效指标"}
_INDICATOR = {"level1": "一级指标", "level2": "二级指标", "name": "三级指标",
              "target": "年度指标值", "actual": "实际完成值", "weight": "分值", "score": "得分",
              "reason": "偏差原因分析及改进措施", "direction": "指标方向", "applicable": "是否适用"}
_WORDS = {"project": "项目", "department": "部门整体", "positive": "正向", "reverse": "反向"}


def _chinese(table: dict[str, Any]) -> dict[str, Any]:
    def rows(items: list[Any]) -> list[Any]:
        return [{_INDICATOR[k]: _WORDS.get(v, v) if k == "direction" else v
                 for k, v in row.items()} for row in items]

    out: dict[str, Any] = {}
    for key, value in table.items():
        if key == "kind":
            value = _WORDS[value]
        elif key == "budget":
            value = {_BUDGET[k]: v for k, v in value.items()}
        elif key == "spending":  # the forms print the two totals as rows of the table
            out.update({_SPENDING[k]: v for k, v in value.items()})
            continue
        elif key == "indicators":
            value = rows(value)
        elif key == "goals":
            value = [{_GOAL[k]: rows(v) if k == "indicators" else v for k, v in goal.items()}
                     for goal in value]
        elif key == "projects":
            value = [p if isinstance(p, str) else _chinese(p) for p in value]
        out[_TABLE[key] if key != "name" or table.get("kind") != "department" else "单位名称"] \
            = value
    return out


def _rewrite(tmp_path: Path, change: Any) -> Path:
    folder = tmp_path / "tables"
    shutil.copytree(EXAMPLES, folder)
    for path in sorted(folder.glob("*.yaml")):
        _write(path, change(_read(path)))
    return folder


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_key_order_does_not_matter(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                   expected: bytes, seed: int) -> None:
    rng = random.Random(seed)
    folder = _rewrite(tmp_path, lambda data: _shuffled(data, rng))
    first = next(iter(_read(folder / "department.yaml")))
    assert score_bytes(capsys, folder) == expected, f"first key now {first!r}"


def test_chinese_headers_mean_the_english_keys(capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path, expected: bytes) -> None:
    folder = _rewrite(tmp_path, _chinese)
    text = (folder / "department.yaml").read_text(encoding="utf-8")
    assert "单位名称" in text and "基本支出总额" in text and "name:" not in text
    assert score_bytes(capsys, folder) == expected


def test_chinese_headers_in_another_order(capsys: pytest.CaptureFixture[str],
                                          tmp_path: Path, expected: bytes) -> None:
    rng = random.Random(4)
    folder = _rewrite(tmp_path, lambda data: _shuffled(_chinese(data), rng))
    assert score_bytes(capsys, folder) == expected


# ---------------------------------------------------------------- the JSON writer

_JSON_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**15), 10**15), st.text(),
    # what report.number makes of a rounded Decimal: an int, or a float of at
    # most four decimals and fewer than 16 significant digits
    st.decimals(min_value=-(10**11), max_value=10**11, places=4).map(number),
)
_JSON_TREES = st.recursive(
    _JSON_LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


@given(_JSON_TREES)
def test_to_json_writes_the_bytes_of_the_standard_library(data: Any) -> None:
    """orjson is a speed-up, not a format: its bytes are json.dumps's."""
    assert to_json(data) == json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)


def test_to_json_writes_decimals_as_numbers_and_takes_lone_surrogates() -> None:
    assert to_json({"total": Decimal("99.50"), "weight": Decimal("10.00")}) == \
        '{\n  "total": 99.5,\n  "weight": 10\n}'
    # orjson refuses a lone surrogate; only a caller's own mapping can hold one
    assert to_json(["\ud800"]) == '[\n  "\ud800"\n]'


@given(_JSON_TREES)
def test_json_bytes_are_the_text_and_the_array_element_it_makes(data: Any) -> None:
    """A batch writes bytes straight from orjson, each report as an element
    of the array: the bytes of the text, indented as json.dumps nests it."""
    text = json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)
    assert to_json_bytes(data) == (text + "\n").encode("utf-8")
    nested = json.dumps([data], ensure_ascii=False, indent=2, allow_nan=False)
    assert to_json_bytes(data, element=True) == nested[2:-2].encode("utf-8")
    assert nested == "[\n" + "  " + text.replace("\n", "\n  ") + "\n]"


def test_json_bytes_take_lone_surrogates() -> None:
    assert to_json_bytes(["\ud800"]).decode("utf-8", "surrogatepass") == '[\n  "\ud800"\n]\n'
    assert to_json_bytes(["\ud800"], element=True).decode("utf-8", "surrogatepass") == \
        '  [\n    "\ud800"\n  ]'
