"""A target's own word, denied, is never met (SPEC §3: negations are missed),
and a deadline answered in words scores 1 or 0 (SPEC §3, deadline).

The vocabulary is the qualitative targets the public strategies draw
(perfeval.testing), the ordinal grades and words seen in the forms.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfeval.batch import evaluate_many
from perfeval.evaluate import evaluate
from perfeval.scoring import score
from perfeval.testing import _QUALITATIVE

# Words a target states and an actual may deny; grades and the targets drawn by
# perfeval.testing included.
VOCABULARY = tuple(dict.fromkeys((
    *_QUALITATIVE, "规范", "稳定", "安全", "改善", "提高", "完善", "达标", "按时", "按期完成",
    "合格", "优良", "良好", "高", "好", "满意", "到位", "准确", "健全", "可控", "明显改善",
    "得到保障", "有效提升", "持续改善", "改善学校的办学条件", "规范管理", "持续", "可持续",
)))
# Denials that may open an actual (SPEC names 未 and 没有; 不, 无 and 非 deny as well).
DENIALS = ("不", "未", "没有", "非", "无", "不能", "不可", "未能", "无法")
SUBJECTS = ("", "工作", "管理", "项目实施")
ENDS = ("", "。", "的", "了")


@pytest.mark.parametrize("word", VOCABULARY)
@pytest.mark.parametrize("denial", DENIALS)
def test_a_denied_target_word_is_never_met(word: str, denial: str) -> None:
    outcome = evaluate(word, denial + word, name="测试指标")
    assert outcome.status != "met", outcome.explanation
    assert outcome.fraction < 1


# Plain words, without a modifier of degree: their denial is missed, not partial.
PLAIN = ("规范", "稳定", "安全", "改善", "提高", "完善", "合格", "满意", "到位", "准确", "健全",
         "有效", "及时", "长期", "优化", "保持", "符合相关规定")


@pytest.mark.parametrize("word", PLAIN)
@pytest.mark.parametrize("denial", ("不", "没有", "未", "非"))
def test_a_denied_plain_word_is_missed(word: str, denial: str) -> None:
    outcome = evaluate(word, f"工作{denial}{word}", name="测试指标")
    assert outcome.status == "missed", outcome.explanation
    assert outcome.fraction == Decimal("0.3")  # mof-2020's qualitative missed share


@given(st.sampled_from(VOCABULARY), st.sampled_from(DENIALS), st.sampled_from(SUBJECTS),
       st.sampled_from(ENDS))
def test_denied_in_a_sentence_is_never_met(word: str, denial: str, subject: str,
                                           end: str) -> None:
    outcome = evaluate(word, f"{subject}{denial}{word}{end}", name="测试指标")
    assert outcome.status != "met", outcome.explanation


# Words that open with 不, 无 or 非 but deny nothing: the affirmation stays met.
@pytest.mark.parametrize(("target", "actual"), [
    ("提高", "不断提高"), ("规范", "非常规范"), ("提高", "无不提高"), ("完善", "不断完善"),
    ("提高", "不同程度提高"), ("规范", "管理规范"), ("安全", "无安全事故"),
    ("无重大安全事故", "无"), ("无投诉", "无"), ("零差错", "无差错"), ("否", "否"),
    ("无重大安全事故", "未发生重大安全事故"), ("不超预算", "未超预算"),
])
def test_no_denial_of_the_target_stays_met(target: str, actual: str) -> None:
    assert evaluate(target, actual, name="测试指标").status == "met"


@pytest.mark.parametrize(("target", "actual", "sentence"), [
    ("规范", "不规范", "档案管理：年度指标值 规范，实际完成值 不规范，表述为否定，与指标值相反，未完成。"),
    ("合格", "不合格", "档案管理：年度指标值 合格，实际完成值 不合格，表述为否定，与指标值相反，未完成。"),
    ("不超预算", "超预算", "档案管理：年度指标值 不超预算，实际完成值 超预算，与指标值相反，未完成。"),
    ("2023年12月底前", "未按期完成",
     "档案管理：年度指标值 2023年12月底前，实际完成值 未按期完成，未按期完成，未完成。"),
    ("2023年12月底前", "部分达成年度指标并具有一定效果",
     ("档案管理：年度指标值 2023年12月底前，实际完成值 部分达成年度指标并具有一定效果，"
      "部分达成年度指标，未全部按期完成，未完成。")),
])
def test_explanations(target: str, actual: str, sentence: str) -> None:
    assert evaluate(target, actual, name="档案管理").explanation == sentence


DEADLINE_WORDS = ("未按期完成", "不能按时完成", "否", "未达成年度指标且效果较差",
                  "部分达成年度指标并具有一定效果", "基本按期完成", "按期完成", "已按时完成",
                  "达成年度指标", "是", "2024年3月", "2023年11月")


@pytest.mark.parametrize("rules", ["mof-2020", "hubei-2020", "linear-reverse"])
@pytest.mark.parametrize("actual", DEADLINE_WORDS)
def test_a_deadline_scores_one_or_zero(actual: str, rules: str) -> None:
    outcome = evaluate("2023年12月底前", actual, name="完成时间", rules=rules)
    assert outcome.ratio is None
    assert (outcome.status, outcome.fraction) in (("met", Decimal(1)), ("missed", Decimal(0)))


def test_evaluate_many_agrees() -> None:
    rows = [(w, d + w) for w in VOCABULARY for d in DENIALS]
    rows += [("2023年12月底前", a) for a in DEADLINE_WORDS]
    targets, actuals = [t for t, _ in rows], [a for _, a in rows]
    batch = evaluate_many(targets, actuals)
    for i, (t, a) in enumerate(rows):
        o = evaluate(t, a)
        assert (batch.status[i], batch.ratio[i], batch.fraction[i]) == (
            o.status, o.ratio, o.fraction), (t, a)


def _row(level1: str, name: str, target: str, actual: str) -> dict[str, Any]:
    return {"level1": level1, "level2": "", "name": name, "target": target, "actual": actual}


def test_a_deadline_missed_in_words_earns_no_points() -> None:
    doc = {"kind": "project", "name": "测试项目", "year": 2024, "deviation": "已说明",
           "budget": {"planned": "100 万元", "executed": "100 万元"},
           "indicators": [
               _row("产出指标", "完成时间", "2024年12月底前", "未按期完成"),
               _row("产出指标", "拨付时间", "2024年6月底前", "否"),
               _row("产出指标", "验收时间", "2024年11月底前", "未达成年度指标且效果较差"),
               _row("产出指标", "培训时间", "2024年10月底前", "部分达成年度指标并具有一定效果"),
               _row("产出指标", "采购时间", "2024年9月底前", "2025年1月"),
               _row("产出指标", "开工时间", "2024年3月底前", "按期完成"),
           ]}
    report = score(doc)
    scores = {r.name: (r.status, r.score) for r in report.indicators}
    for name in ("完成时间", "拨付时间", "验收时间", "培训时间", "采购时间"):
        assert scores[name] == ("missed", Decimal(0)), name
    status, points = scores["开工时间"]
    assert status == "met" and points > 0
