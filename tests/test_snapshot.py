"""perfeval snapshot / diff / compare: regression gates and rule-pack comparison."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from perfeval.cli import main

SEED = Path(__file__).resolve().parent.parent / "examples" / "jianghan-2024"


@pytest.fixture()
def seed(tmp_path: Path) -> Path:
    folder = tmp_path / "seed"
    shutil.copytree(SEED, folder)
    return folder


def test_diff_of_an_unchanged_snapshot_exits_0(seed: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    snap = tmp_path / "snap.json"
    assert main(["snapshot", str(seed), "-o", str(snap)]) == 0
    recorded = json.loads(snap.read_text(encoding="utf-8"))
    forms = [p for p in seed.iterdir() if p.suffix in (".yaml", ".json", ".xlsx")]
    assert len(recorded["documents"]) == len(forms) >= 5
    capsys.readouterr()
    assert main(["diff", str(snap)]) == 0
    assert capsys.readouterr().out.strip() == "无变化"


def test_diff_catches_a_changed_score(seed: Path, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    snap = tmp_path / "snap.json"
    assert main(["snapshot", str(seed / "hall-operations.yaml"), "-o", str(snap)]) == 0
    doc = seed / "hall-operations.yaml"
    # 组织工作人员学习培训次数 20 次 -> 12 次: a miss costs 0.4 of its weight
    text = doc.read_text(encoding="utf-8")
    changed = text.replace("target: 20 次, actual: 20 次", "target: 20 次, actual: 12 次")
    assert changed != text
    doc.write_text(changed, encoding="utf-8")
    capsys.readouterr()
    assert main(["diff", str(snap)]) == 1
    out = capsys.readouterr().out
    # 产出 has 11 rows (the 成本 row joins it): the miss loses 0.4 × 50/11 = 1.818 -> 98.18
    assert "总分 100 → 98.18" in out
    assert "组织工作人员学习培训次数 状态 met → missed" in out
    assert "+ 审核发现 [missing-deviation-reason]" in out


def test_diff_reports_a_document_that_left_the_folder(seed: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    snap = tmp_path / "snap.json"
    assert main(["snapshot", str(seed / "outsourcing.yaml"), str(seed / "one-network.yaml"),
                 "-o", str(snap)]) == 0
    (seed / "one-network.yaml").unlink()
    capsys.readouterr()
    assert main(["diff", str(snap), str(seed / "outsourcing.yaml"), str(seed)]) in (1, 2)


def test_diff_refuses_a_file_that_is_not_a_snapshot(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    bogus = tmp_path / "bogus.json"
    bogus.write_text('{"documents": 3}', encoding="utf-8")
    assert main(["diff", str(bogus)]) == 2
    assert "not a perfeval snapshot" in capsys.readouterr().err


def test_compare_explains_the_department_between_mof_and_hubei(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", "--rules", "mof-2020", "--rules", "hubei-2020",
                 str(SEED / "department.yaml")]) == 0
    out = capsys.readouterr().out
    assert "hubei-2020 预算执行分值 20，mof-2020 为 10" in out
    assert "hubei-2020 指标分值按年度目标平分 是" in out
    # mof-2020: 23 产出 rows pooled, the training miss loses 0.4 × 50/23 = 0.87 -> 99.13;
    # hubei-2020: goal 2 has 11 产出 rows of 40 × 50/90 / 11 = 2.02, loses 0.81 -> 99.19
    assert "总分 99.13（mof-2020，优）→ 99.19（hubei-2020，优），变化 +0.06" in out
    assert "组织工作人员学习培训次数 失分 0.87 → 0.81" in out


def test_compare_needs_two_packs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", "--rules", "mof-2020", str(SEED / "outsourcing.yaml")]) == 2
