"""Evaluating one indicator (SPEC §3), rule by rule, and the seed's five tables.

Every expected status, ratio and fraction below was worked by hand from the
SPEC's rules: ratio = actual / target for positive indicators, target /
actual for a reverse miss, 1 inside a range, and so on.  Ratios are compared
as the output prints them (half-up to 4 places) unless they are exact.
"""

from __future__ import annotations

import doctest
import importlib
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml

from perfeval.evaluate import Outcome, evaluate
from perfeval.targets import parse_actual, parse_target

D = Decimal
ROOT = Path(__file__).resolve().parent.parent


def r4(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(D("0.0001"), rounding=ROUND_HALF_UP)


def rules_of(outcome: Outcome) -> list[str]:
    return [f.rule for f in outcome.findings]


# Each case: (id, name, target, actual, status, ratio (4 places), fraction (4 places),
# findings, keyword arguments)
Case = tuple[str, str | None, str | None, str | None, str, str | None, str, list[str],
             dict[str, Any]]

CASES: list[Case] = [
    # ---- positive: ratio = actual / target; exceeded from 1.2 on
    ("positive-missed", "组织工作人员学习培训次数", "20 次", "12 次",
     "missed", "0.6", "0.6", [], {}),
    ("positive-met", "外包服务人员聘用人数", "≥ 230 人", "232 人",
     "met", "1.0087", "1", [], {}),
    ("positive-exactly-at-target", "设备维护次数", "≥ 12 次", "12 次",
     "met", "1", "1", [], {}),
    ("exceeded-exactly-at-1.2", "外包服务人员聘用人数", "≥ 230 人", "276 人",
     "exceeded", "1.2", "1", ["target-too-low"], {}),
    ("just-under-1.2-is-met", "外包服务人员聘用人数", "≥ 230 人", "275 人",
     "met", "1.1957", "1", [], {}),
    ("positive-target-zero", "新增设备数", "≥0台", "0台",
     "met", "1", "1", [], {}),
    ("bare-positive-target-zero", "新增设备数", "0台", "3台",
     "met", "1", "1", [], {}),
    ("word-comparator", "培训人数", "不少于100人", "90人",
     "missed", "0.9", "0.9", [], {}),
    ("suffix-comparator", "覆盖率", "95%以上", "96%",
     "met", "1.0105", "1", [], {}),
    ("chinese-numeral", "培训次数", "十二次", "6次",
     "missed", "0.5", "0.5", [], {}),
    ("magnitudes-convert", "资金", "≥10万元", "110000元",
     "met", "1.1", "1", [], {}),
    ("length-converts", "道路硬化里程", "≥1公里", "1500米",
     "exceeded", "1.5", "1", ["target-too-low"], {}),
    ("km-and-metres", "道路硬化", "≥0.565km", "565米",
     "met", "1", "1", [], {}),
    ("mu-and-hectares", "灌溉面积", "≥500亩", "40公顷",
     "exceeded", "1.2", "1", ["target-too-low"], {}),
    # ---- bare values take their direction from the catalog, positive by default
    ("bare-positive-above", "对外受理审批服务窗口个数", "111 个", "112 个",
     "met", "1.0090", "1", [], {}),
    ("bare-positive-below", "对外受理审批服务窗口个数", "111 个", "110 个",
     "missed", "0.9910", "0.9910", [], {}),
    ("bare-reverse-by-catalog", "安全事故发生数", "0 次", "0 次",
     "met", "1", "1", [], {}),
    ("bare-reverse-missed-zero-target", "安全事故发生数", "0 次", "2 次",
     "missed", "0", "0", [], {}),
    ("none-for-zero-count", "安全事故发生数", "0 次", "无",
     "met", "1", "1", [], {}),
    ("none-under-upper-bound", "投诉次数", "≤3次", "未发生",
     "met", "1", "1", [], {}),
    ("none-for-positive-count-stays-text", "培训次数", "≥3次", "无",
     "unverifiable", None, "0", ["unverifiable-actual"], {}),
    ("bare-reverse-rate", "设备故障率", "2%", "3%",
     "missed", "0.6667", "0.6667", [], {}),
    ("bare-reverse-met", "设备故障率", "2%", "1%",
     "met", "1", "1", [], {}),
    ("bare-never-means-exactly", "表格印刷数量", "41500 份", "42000 份",
     "met", "1.0120", "1", [], {}),
    ("direction-override-reverse", "覆盖率", "5%", "3%",
     "met", "1", "1", [], {"direction": "reverse"}),
    ("direction-override-equal", "覆盖率", "5%", "3%",
     "missed", "0.6", "0.6", [], {"direction": "equal"}),
    # ---- reverse: met at or under the bound; a miss scores target / actual
    ("reverse-met", "设备故障率", "≤2%", "1.5%",
     "met", "1", "1", [], {}),
    ("reverse-at-bound", "设备故障率", "≤2%", "2%",
     "met", "1", "1", [], {}),
    ("reverse-missed", "设备故障率", "≤2%", "4%",
     "missed", "0.5", "0.5", [], {}),
    ("reverse-never-exceeded", "科目调整次数", "≤10次", "1次",
     "met", "1", "1", [], {}),
    ("reverse-zero-target", "投诉次数", "≤0次", "1次",
     "missed", "0", "0", [], {}),
    ("reverse-word", "成本", "不超过30万元", "25万元",
     "met", "1", "1", [], {}),
    ("reverse-linear-pack", "设备故障率", "≤2%", "3%",
     "missed", "0.6667", "0.5", [], {"rules": "linear-reverse"}),
    ("reverse-linear-pack-floor", "设备故障率", "≤2%", "5%",
     "missed", "0.4", "0", [], {"rules": "linear-reverse"}),
    ("reverse-within-working-days", "办理时限", "5个工作日内", "3个工作日",
     "met", "1", "1", [], {}),
    # ---- equality: below actual / target, above target / actual
    ("equal-met", "合格率", "=100%", "100%",
     "met", "1", "1", [], {}),
    ("equal-below", "合格率", "=100%", "98%",
     "missed", "0.98", "0.98", [], {}),
    ("equal-above", "保障人数", "=50人", "60人",
     "missed", "0.8333", "0.8333", [], {}),
    ("equal-actual-written-equal", "合格率", "=100%", "=100%",
     "met", "1", "1", [], {}),
    # ---- strict comparators at their boundary: missed, ratio 1, fraction 1
    ("strict-greater-at-boundary", "合格率", ">92%", "92%",
     "missed", "1", "1", [], {}),
    ("strict-less-at-boundary", "投诉次数", "<5次", "5次",
     "missed", "1", "1", [], {}),
    ("strict-greater-above", "合格率", ">92%", "93%",
     "met", "1.0109", "1", [], {}),
    ("strict-less-below", "投诉次数", "<5次", "4次",
     "met", "1", "1", [], {}),
    ("strict-zero-at-boundary", "新增数", ">0个", "0个",
     "missed", "1", "1", [], {}),
    ("strict-by-note", "合格率", "≥92%(不含)", "92%",
     "missed", "1", "1", [], {}),
    # ---- ranges: both ends included
    ("range-inside", "预算执行率", "97%-100%", "99.51%",
     "met", "1", "1", [], {}),
    ("range-low-end", "预算执行率", "97%-100%", "97%",
     "met", "1", "1", [], {}),
    ("range-high-end", "预算执行率", "97%-100%", "100.00%",
     "met", "1", "1", [], {}),
    ("range-below", "预算执行率", "97%-100%", "90%",
     "missed", "0.9278", "0.9278", [], {}),
    ("range-above", "预算执行率", "97%-100%", "102%",
     "missed", "0.9804", "0.9804", [], {}),
    ("range-ages-above", "培训对象年龄", "18—54周岁", "60周岁",
     "missed", "0.9", "0.9", [], {}),
    # ---- deadlines: a month means its end; ratio None; fraction 1 or 0
    ("deadline-before", "完成时间", "2023年12月前", "2023年11月",
     "met", None, "1", [], {}),
    ("deadline-last-day-of-month", "完成时间", "2023年12月前", "2023年12月31日",
     "met", None, "1", [], {}),
    ("deadline-late", "完成时间", "2023年12月前", "2024年1月",
     "missed", None, "0", [], {}),
    ("deadline-yearless", "完成时间", "12月底前", "12月20日",
     "met", None, "1", [], {"year": 2024}),
    ("deadline-yearless-target-late-actual", "完成时间", "12月底前", "2025年1月",
     "missed", None, "0", [], {"year": 2024}),
    ("deadline-month-only", "资金拨付", "9月前", "10月",
     "missed", None, "0", [], {"year": 2024}),
    ("deadline-on-schedule", "完成时间", "2023年12月前", "按期完成",
     "met", None, "1", [], {}),
    ("deadline-within-time", "完成时间", "2023年12月底", "实际在规定时间内完成",
     "met", None, "1", [], {}),
    ("deadline-text-with-date", "完成时间", "2023年12月底前", "已于2023年10月完成",
     "met", None, "1", [], {}),
    ("deadline-text-with-late-date", "完成时间", "2023年12月底前", "已于2024年3月完成",
     "missed", None, "0", [], {}),
    ("deadline-not-on-time", "完成时间", "2023年12月底前", "未按期完成",
     "missed", None, "0", [], {}),
    ("deadline-yes", "是否按时完成", "2023年12月底前", "是",
     "met", None, "1", [], {}),
    ("deadline-copied", "完成时间", "2023年12月前", "2023年12月前",
     "met", None, "1", ["actual-is-bound"], {}),
    ("deadline-copied-later-bound", "完成时间", "2023年6月前", "2023年12月前",
     "unverifiable", None, "0", ["actual-is-bound", "unverifiable-actual"], {}),
    ("deadline-copied-period", "培训任务完成及时", "2021.1.1-12.31", "2021.1.1-12.31",
     "met", None, "1", ["actual-is-bound"], {}),
    ("deadline-same-month", "公用经费完成时间", "2021年12月完成", "2021年12月完成",
     "met", None, "1", [], {}),
    # ---- 余 / 多 / 以上 in an actual: a measured "at least", not a bound
    ("yu-exceeded", "办理各类审批服务事项数", "≥ 20 万件", "51 万余件",
     "exceeded", "2.55", "1", ["target-too-low"], {}),
    ("duo-exceeded", "接待群众人次", "≥ 30 万人次", "45万多人次",
     "exceeded", "1.5", "1", ["target-too-low"], {}),
    ("yishang-met", "满意度", "≥ 90%", "95%以上",
     "met", "1.0556", "1", [], {}),
    ("yishang-missed", "参培学员满意度", "95%及以上", "88.32%及以上",
     "missed", "0.9297", "0.9297", [], {}),
    ("reached-is-measured", "完成率", "≥95%", "达到98%",
     "met", "1.0316", "1", [], {}),
    # ---- an actual written as a bound: met only when it implies the target
    ("bound-same", "设备故障率", "≤ 2%", "≤ 2%",
     "met", "1", "1", ["actual-is-bound"], {}),
    ("bound-stronger", "满意度", "≥90%", "≥95%",
     "met", "1", "1", ["actual-is-bound"], {}),
    ("bound-weaker", "满意度", "≥95%", "≥90%",
     "unverifiable", None, "0", ["actual-is-bound", "unverifiable-actual"], {}),
    ("bound-under-equality", "合格率", "=100%", "≥ 90%",
     "unverifiable", None, "0", ["actual-is-bound", "unverifiable-actual"], {}),
    ("bound-open-above-range", "预算执行率", "97%-100%", "≥98%",
     "unverifiable", None, "0", ["actual-is-bound", "unverifiable-actual"], {}),
    ("range-actual-inside", "满意度", "≥90%", "95%-98%",
     "met", "1", "1", ["actual-is-bound"], {}),
    ("bound-strict-inside", "投诉次数", "≤5次", "<5次",
     "met", "1", "1", ["actual-is-bound"], {}),
    ("bound-other-unit", "人数", "≥1000人", "≥1000人次",
     "unverifiable", None, "0", ["actual-is-bound", "unit-mismatch"], {}),
    # ---- qualitative: met, then missed, then partial, else unverifiable
    ("qual-equal", "政务服务水平", "明显提高", "明显提高",
     "met", None, "1", [], {}),
    ("qual-equal-after-folding", "政务服务水平", "明显提高", "明显提高。",
     "met", None, "1", [], {}),
    ("qual-phrase-met", "审批服务效率", "得到提升", "达成年度指标",
     "met", None, "1", [], {}),
    ("qual-phrase-met-expected", "提交报告及时性", "在项目计划完成时间内完成", "达成预期指标",
     "met", None, "1", [], {}),
    ("qual-phrase-partial", "审批服务效率", "得到提升", "部分达成年度指标并具有一定效果",
     "partial", None, "0.7", [], {}),
    ("qual-phrase-missed", "审批服务效率", "得到提升", "未达成年度指标且效果较差",
     "missed", None, "0.3", [], {}),
    ("qual-phrase-partial-hubei", "审批服务效率", "得到提升", "部分达成年度指标并具有一定效果",
     "partial", None, "0.65", [], {"rules": "hubei-2020"}),
    ("qual-phrase-missed-hubei", "审批服务效率", "得到提升", "未达成年度指标且效果较差",
     "missed", None, "0.25", [], {"rules": "hubei-2020"}),
    ("qual-completed", "保障工作正常运行", "有效保障", "已完成",
     "met", None, "1", [], {}),
    ("qual-yes-yes", "是否按规定公开", "是", "是",
     "met", None, "1", [], {}),
    ("qual-yes-no", "是否按规定公开", "是", "否",
     "missed", None, "0.3", [], {}),
    ("qual-no-no", "是否对生态环境造成影响", "否", "否",
     "met", None, "1", [], {}),
    ("qual-no-yes", "是否对生态环境造成影响", "否", "是",
     "missed", None, "0.3", [], {}),
    ("qual-no-negated", "是否对生态环境造成影响", "否", "未造成影响",
     "met", None, "1", [], {}),
    ("qual-absence", "安全事故", "无重大安全事故", "未发生重大安全事故",
     "met", None, "1", [], {}),
    ("qual-absence-broken", "安全事故", "无重大安全事故", "发生1起一般事故",
     "missed", None, "0.3", [], {}),
    ("qual-absence-zero", "安全事故", "无", "0次",
     "met", None, "1", [], {}),
    ("qual-weaker-wording", "政务服务水平", "明显提高", "有所提高",
     "partial", None, "0.7", [], {}),
    ("qual-stronger-wording", "政务服务水平", "提高", "明显提高",
     "met", None, "1", [], {}),
    ("qual-synonym", "政务服务水平", "得到提升", "明显提高",
     "met", None, "1", [], {}),
    ("qual-negated", "政务服务水平", "明显提高", "未提高",
     "missed", None, "0.3", [], {}),
    ("qual-basically", "合格", "合格", "基本合格",
     "partial", None, "0.7", [], {}),
    ("qual-not-obvious", "政务服务水平", "提高", "提高不明显",
     "partial", None, "0.7", [], {}),
    ("qual-states-target-about-its-object", "政务服务效能", "提升", "服务效能得到提升",
     "met", None, "1", [], {}),
    ("qual-grade-top", "食品安全整体状况", "高/中/低", "高",
     "met", None, "1", [], {}),
    ("qual-grade-one-lower", "食品安全整体状况", "高/中/低", "中",
     "partial", None, "0.7", [], {}),
    ("qual-grade-two-lower", "食品安全整体状况", "高/中/低", "低",
     "missed", None, "0.3", [], {}),
    ("qual-grade-good-one-lower", "效果", "好/较好/一般/差", "较好",
     "partial", None, "0.7", [], {}),
    ("qual-grade-good-two-lower", "效果", "好/较好/一般/差", "一般",
     "missed", None, "0.3", [], {}),
    ("qual-grade-good-three-lower", "效果", "好/较好/一般/差", "差",
     "missed", None, "0.3", [], {}),
    ("qual-grade-excellent", "评价", "优/良/中/差", "优",
     "met", None, "1", [], {}),
    ("qual-grade-excellent-one-lower", "评价", "优/良/中/差", "良",
     "partial", None, "0.7", [], {}),
    ("qual-grade-excellent-two-lower", "评价", "优/良/中/差", "中",
     "missed", None, "0.3", [], {}),
    ("qual-grade-above-target", "评价", "良好", "优秀",
     "met", None, "1", [], {}),
    ("qual-hedge-jiao", "档案管理", "规范", "较规范",
     "partial", None, "0.7", [], {}),
    ("qual-grade-pass", "工程质量", "合格", "优良",
     "met", None, "1", [], {}),
    ("qual-same-words-reordered", "经济效益", "增加农民收入", "农民收入增加",
     "met", None, "1", [], {}),
    ("qual-habit-words", "保障", "有效保障", "得到保障",
     "met", None, "1", [], {}),
    ("qual-than-last-year", "效果", "较上年提高", "较上年有所提高",
     "partial", None, "0.7", [], {}),
    ("qual-on-time-synonym", "项目完成时间", "及时", "按时",
     "met", None, "1", [], {}),
    ("qual-unrelated-text", "政务服务水平", "明显提高", "开展了多项工作",
     "unverifiable", None, "0", ["unverifiable-actual"], {}),
    ("qual-number-actual", "保障工作正常运行", "有效保障", "95%",
     "unverifiable", None, "0", ["unverifiable-actual"], {}),
    # ---- unverifiable: missing actual, text for a numeric target, units
    ("text-for-numeric-phrase", "满意度", "≥ 90%", "达成年度指标",
     "unverifiable", None, "0", ["unverifiable-actual"], {}),
    ("text-for-numeric-done", "合格率", "=100%", "已完成",
     "unverifiable", None, "0", ["unverifiable-actual"], {}),
    ("text-for-numeric-standard", "补助标准", "260元/辆", "实际按该标准发放",
     "unverifiable", None, "0", ["unverifiable-actual"], {}),
    # a sentence that states one figure in the target's units reports that figure;
    # two figures, a change (较上年增加) or no figure at all stay text
    ("figure-in-sentence", "培训人次", "≥100人次", "共培训110人次",
     "met", "1.1", "1", [], {}),
    ("figure-in-sentence-percent", "满意度", "≥90%", "经调查满意度为95%",
     "met", "1.0556", "1", [], {}),
    ("change-in-sentence", "培训人次", "≥100人次", "较上年增加20人次",
     "unverifiable", None, "0", ["unverifiable-actual"], {}),
    ("two-figures-in-sentence", "培训对象年龄", "18—54周岁", "存在18岁以下、54周岁以上",
     "unverifiable", None, "0", ["unverifiable-actual"], {}),
    ("missing-actual-empty", "满意度", "≥ 90%", "",
     "unverifiable", None, "0", ["unverifiable-actual"], {}),
    ("missing-actual-none", "满意度", "≥ 90%", None,
     "unverifiable", None, "0", ["unverifiable-actual"], {}),
    ("missing-target", "开展活动", "", "130场",
     "unverifiable", None, "0", ["unverifiable-actual"], {}),
    ("unit-mismatch-people", "受益人数", "≥1000人", "1200人次",
     "unverifiable", None, "0", ["unit-mismatch"], {}),
    ("unit-mismatch-counters", "检查次数", "≥10次", "12件",
     "unverifiable", None, "0", ["unit-mismatch"], {}),
    ("unit-mismatch-days", "办理时限", "≤30天", "25个工作日",
     "unverifiable", None, "0", ["unit-mismatch"], {}),
    ("bounded-rate-over-100", "退捕渔民抽样调查满意度", "90%", "290%",
     "unverifiable", None, "0", ["unverifiable-actual"], {}),
    # ---- OCR reads ≥ as 2: a leading 2 that turns a near pair into a far one
    ("ocr-two-in-bare-target", "办公大楼日常维修维护次数", "2280次", "300次",
     "unverifiable", None, "0", ["unverifiable-actual"], {}),
    ("ocr-two-in-percent-actual", "完成率", "≥90%", "290%",
     "unverifiable", None, "0", ["unverifiable-actual"], {}),
    ("overachieved-count-is-no-garble", "免费邮寄服务户数", "≥500户", "2500户",
     "exceeded", "5", "1", ["target-too-low"], {}),
    ("target-near-actual-is-no-garble", "维修次数", "280次", "300次",
     "met", "1.0714", "1", [], {}),
    ("far-miss-without-coincidence", "老年人体检数", "2662人", "1044人",
     "missed", "0.3922", "0.3922", [], {}),
    # ---- a number without a unit takes the target's
    ("unit-missing", "行政审批证照印刷数量", "78100 份", "78100",
     "met", "1", "1", ["unit-missing"], {}),
    ("unit-missing-percent-points", "满意度", "≥ 90%", "95",
     "met", "1.0556", "1", ["unit-missing"], {}),
    # SPEC §2: a bare number under a percentage target is in percent points,
    # so 0.95 is 0.95% and 1 is 1%: one reading keeps the score monotonic.
    ("unit-missing-fraction-is-points", "满意度", "≥ 90%", "0.95",
     "missed", "0.0106", "0.0106", ["unit-missing"], {}),
    ("unit-missing-one-is-one-percent", "合格率", "100%", "1",
     "missed", "0.01", "0.01", ["unit-missing"], {}),
    ("unit-missing-magnitude", "项目总成本", "≤90万元", "90",
     "met", "1", "1", ["unit-missing"], {}),
    ("unit-missing-small-rate", "设备故障率", "≤2%", "1",
     "met", "1", "1", ["unit-missing"], {}),
    # A range whose ends are in different units gives a bare actual a reading
    # in each: the one inside the range wins, else the nearer one, with one finding.
    ("range-ends-in-units-low-reading", "补助标准", "1000元-5万元", "3000",
     "met", "1", "1", ["unit-missing"], {}),
    ("range-ends-in-units-high-reading", "补助标准", "1000元-5万元", "3",
     "met", "1", "1", ["unit-missing"], {}),
    # 6元 is 1000/6 ≈ 167× under the low end, 6万元 only 1.2× over the high end
    ("range-ends-in-units-nearer-above", "补助标准", "1000元-5万元", "6",
     "missed", "0.8333", "0.8333", ["unit-missing"], {}),
    # 100元 is 10× under 1000元, 100万元 20× over 5万元
    ("range-ends-in-units-nearer-below", "补助标准", "1000元-5万元", "100",
     "missed", "0.1", "0.1", ["unit-missing"], {}),
    ("range-ends-in-area-units", "绿化面积", "[0.01平方米,10亩]", "5",
     "met", "1", "1", ["unit-missing"], {}),
    # ---- a deadline answered in words scores 1 or 0, never the qualitative shares
    ("deadline-words-not-on-time", "完成时间", "12月底前", "未按期完成",
     "missed", None, "0", [], {"year": 2024}),
    ("deadline-words-cannot", "完成时间", "2023年12月底前", "不能按时完成",
     "missed", None, "0", [], {}),
    ("deadline-words-no", "是否按时完成", "2023年12月底前", "否",
     "missed", None, "0", [], {}),
    ("deadline-phrase-missed", "完成时间", "2023年12月底前", "未达成年度指标且效果较差",
     "missed", None, "0", [], {}),
    ("deadline-phrase-missed-hubei", "完成时间", "2023年12月底前", "未达成年度指标且效果较差",
     "missed", None, "0", [], {"rules": "hubei-2020"}),
    # partial is for qualitative targets (SPEC §3): done in part by the deadline is missed
    ("deadline-phrase-partial", "完成时间", "2023年12月底前", "部分达成年度指标并具有一定效果",
     "missed", None, "0", [], {}),
    ("deadline-words-basically", "完成时间", "2023年12月底前", "基本按期完成",
     "missed", None, "0", [], {}),
    ("deadline-phrase-met", "完成时间", "2023年12月底前", "达成年度指标",
     "met", None, "1", [], {}),
    ("deadline-words-done-on-time", "完成时间", "2023年12月底前", "已按时完成",
     "met", None, "1", [], {}),
    # ---- a denial of the target's own word is a negation (missed), before the grades
    ("qual-denied-bu", "档案管理", "规范", "不规范",
     "missed", None, "0.3", [], {}),
    ("qual-denied-with-subject", "档案管理", "规范", "档案管理不规范。",
     "missed", None, "0.3", [], {}),
    ("qual-denied-raise", "政务服务水平", "提高", "不提高",
     "missed", None, "0.3", [], {}),
    ("qual-denied-steady", "运行状况", "稳定", "不稳定",
     "missed", None, "0.3", [], {}),
    ("qual-denied-safe", "安全生产", "安全", "不安全",
     "missed", None, "0.3", [], {}),
    ("qual-denied-improve", "办学条件", "改善", "不改善",
     "missed", None, "0.3", [], {}),
    ("qual-denied-opening-verb", "办学条件", "改善学校的办学条件", "不改善",
     "missed", None, "0.3", [], {}),
    ("qual-denied-effective", "作用发挥", "有效", "无效",
     "missed", None, "0.3", [], {}),
    ("qual-denied-fei", "可持续影响", "长期", "非长期",
     "missed", None, "0.3", [], {}),
    ("qual-denied-through-modifier", "社会效益", "有效保障", "无有效保障",
     "missed", None, "0.3", [], {}),
    ("qual-denied-synonym", "审批服务效率", "得到提升", "没有明显提高",
     "missed", None, "0.3", [], {}),
    ("qual-denied-grade-word", "食品安全整体状况", "高/中/低", "不高",
     "missed", None, "0.3", [], {}),
    ("qual-denied-pass", "工程质量", "合格", "不合格",
     "missed", None, "0.3", [], {}),
    ("qual-denied-pass-hubei", "工程质量", "合格", "不合格",
     "missed", None, "0.25", [], {"rules": "hubei-2020"}),
    ("qual-grade-pass-one-lower", "工程质量", "良好", "合格",
     "partial", None, "0.7", [], {}),
    ("qual-grade-pass-three-lower", "工程质量", "优秀", "合格",
     "missed", None, "0.3", [], {}),
    # a weaker wording, not a denial: the degree is denied, or hedged
    ("qual-denied-degree", "政务服务水平", "明显提高", "不明显提高",
     "partial", None, "0.7", [], {}),
    ("qual-hedge-butai", "档案管理", "规范", "不太规范",
     "partial", None, "0.7", [], {}),
    # no denial at all: 不断, 非常 and 无不 affirm
    ("qual-buduan-is-no-denial", "政务服务水平", "提高", "不断提高",
     "met", None, "1", [], {}),
    ("qual-feichang-is-no-denial", "档案管理", "规范", "非常规范",
     "met", None, "1", [], {}),
    ("qual-double-denial", "政务服务水平", "提高", "各项指标无不提高",
     "met", None, "1", [], {}),
    ("qual-target-buduan-denied", "政务服务水平", "不断提高", "不提高",
     "missed", None, "0.3", [], {}),
    # 无 denies the noun phrase after it; 不 followed by more words is no verdict
    ("qual-wu-denies-the-noun", "安全生产", "安全", "无安全事故",
     "met", None, "1", [], {}),
    ("qual-denied-then-more", "安全生产", "安全", "不安全因素已消除",
     "unverifiable", None, "0", ["unverifiable-actual"], {}),
    # targets that are themselves denials keep their answers
    ("qual-absence-wu", "群众投诉", "无投诉", "无",
     "met", None, "1", [], {}),
    ("qual-absence-zero-errors", "差错", "零差错", "无差错",
     "met", None, "1", [], {}),
    ("qual-absence-wu-accident", "安全生产", "无重大安全事故", "无",
     "met", None, "1", [], {}),
    ("qual-denying-target-agrees", "成本控制", "不超预算", "未超预算",
     "met", None, "1", [], {}),
    ("qual-denying-target-through-verb", "成本控制", "不超预算", "没有出现超预算",
     "met", None, "1", [], {}),
    ("qual-denying-target-contrary", "成本控制", "不超预算", "超预算",
     "missed", None, "0.3", [], {}),
    ("qual-denying-target-found-none", "合规性", "不存在违规", "开展违规排查，未发现违规",
     "met", None, "1", [], {}),
    ("qual-denying-target-stated", "合规性", "不存在违规", "存在违规",
     "missed", None, "0.3", [], {}),
    # ---- forms the parser once misread (each end of 1万-2万元 keeps its own 万)
    ("range-magnitude-on-both-ends", "补助资金", "1万-2万元", "1.5万元",
     "met", "1", "1", [], {}),
    ("range-magnitude-on-both-ends-above", "补助资金", "1万-2万元", "2.5万元",
     "missed", "0.8", "0.8", [], {}),
    ("range-chinese-numerals", "培训次数", "十至二十次", "15次",
     "met", "1", "1", [], {}),
    ("range-chinese-numerals-above", "培训次数", "十至二十次", "25次",
     "missed", "0.8", "0.8", [], {}),
    # 二十万 is 20 × 万, as 20万 is: a bare 51 under it is 51万件, and a bare
    # 二十万 under ≥20万件 is 二十万件, not 20万 × 万
    ("chinese-numeral-magnitude-bare-actual", "办理各类审批服务事项数", "≥二十万件", "51",
     "exceeded", "2.55", "1", ["unit-missing", "target-too-low"], {}),
    ("chinese-numeral-magnitude-in-actual", "办理各类审批服务事项数", "≥20万件", "二十万",
     "met", "1", "1", ["unit-missing"], {}),
    ("note-before-suffix", "项目成本", "100万元（含）以内", "100万元",
     "met", "1", "1", [], {}),
    ("note-before-suffix-over", "项目成本", "100万元（含）以内", "125万元",
     "missed", "0.8", "0.8", [], {}),
    ("note-before-suffix-excluded", "项目成本", "100万元（不含）以内", "100万元",
     "missed", "1", "1", [], {}),
    # values below zero: the comparator decides; a miss's ratio is the value
    # nearer 0 over the farther one, and 0 across zero (never below 0)
    ("negative-target-met", "收入增长率", "≥-5%", "-3%",
     "met", "1", "1", [], {}),
    ("negative-target-at-bound", "收入增长率", "≥-5%", "-5%",
     "met", "1", "1", [], {}),
    ("negative-target-rise", "收入增长率", "≥-5%", "10%",
     "met", "1", "1", [], {}),
    ("negative-target-missed", "收入增长率", "≥-5%", "-7%",
     "missed", "0.7143", "0.7143", [], {}),
    ("negative-target-strict-at-bound", "收入增长率", ">-5%", "-5%",
     "missed", "1", "1", [], {}),
    ("fall-against-a-rise", "收入增长率", "≥5%", "-3%",
     "missed", "0", "0", [], {}),
    ("reverse-negative-target-met", "成本降低率", "≤-5%", "-6%",
     "met", "1", "1", [], {}),
    ("reverse-negative-target-missed", "成本降低率", "≤-5%", "-3%",
     "missed", "0.6", "0.6", [], {}),
    ("reverse-negative-target-linear-pack", "成本降低率", "≤-5%", "-3%",
     "missed", "0.6", "0.6", [], {"rules": "linear-reverse"}),
    ("reverse-negative-target-rise", "成本降低率", "≤-5%", "3%",
     "missed", "0", "0", [], {}),
    ("equal-negative-below", "增长率", "=-5%", "-7%",
     "missed", "0.7143", "0.7143", [], {}),
    ("equal-negative-above", "增长率", "=-5%", "-3%",
     "missed", "0.6", "0.6", [], {}),
    ("equal-negative-across-zero", "增长率", "=-5%", "3%",
     "missed", "0", "0", [], {}),
    ("range-across-zero-inside", "价格波动率", "-5%-5%", "0%",
     "met", "1", "1", [], {}),
    ("range-across-zero-below", "价格波动率", "-5%-5%", "-7%",
     "missed", "0.7143", "0.7143", [], {}),
    ("range-negative-above", "价格波动率", "[-10%,-5%]", "-3%",
     "missed", "0.6", "0.6", [], {}),
    ("negative-bound-actual", "收入增长率", "≥-5%", "≥-3%",
     "met", "1", "1", ["actual-is-bound"], {}),
    # ---- rates per period against the year's count
    ("monthly-target-annual-count", "考核次数", "1次/月", "12次",
     "met", "1", "1", [], {}),
    ("monthly-target-monthly-count", "考核次数", "每月1次", "1次",
     "met", "1", "1", [], {}),
    ("monthly-target-short", "考核次数", "1次/月", "6次",
     "missed", "0.5", "0.5", [], {}),
    ("yearly-target", "节约行政成本", "超13万元/年", "15万元",
     "met", "1.1538", "1", [], {}),
    # ---- not applicable: dropped, its points go elsewhere
    ("na-word", "某指标", "不适用", "100%",
     "not_applicable", None, "0", [], {}),
    ("na-dash", "某指标", "—", "",
     "not_applicable", None, "0", [], {}),
    ("na-flag", "某指标", "≥90%", "95%",
     "not_applicable", None, "0", [], {"applicable": False}),
]


@pytest.mark.parametrize(
    ("name", "target", "actual", "status", "ratio", "fraction", "findings", "kwargs"),
    [case[1:] for case in CASES], ids=[case[0] for case in CASES],
)
def test_rules(name: str | None, target: str | None, actual: str | None, status: str,
               ratio: str | None, fraction: str, findings: list[str],
               kwargs: dict[str, Any]) -> None:
    outcome = evaluate(target, actual, name=name, **kwargs)
    assert outcome.status == status
    assert r4(outcome.ratio) == (None if ratio is None else D(ratio))
    assert r4(outcome.fraction) == D(fraction)
    assert rules_of(outcome) == findings
    assert D(0) <= outcome.fraction <= D(1)


def test_a_share_without_a_finite_decimal_is_kept_exact() -> None:
    outcome = evaluate("≥18000件", "15999件")
    assert outcome.exact_fraction == Fraction(15999, 18000)
    assert outcome.fraction == D(15999) / D(18000)  # the same share, at 28 digits
    reverse = evaluate("≤1.002次", "36次")  # mof-2020: target / actual
    assert reverse.exact_fraction == Fraction(1002, 36000)
    # a share the Decimal holds exactly needs no Fraction
    assert evaluate("≥200件", "100件").exact_fraction is None
    assert evaluate("≥200件", "300件").exact_fraction is None


def test_exact_arithmetic() -> None:
    """No float decides anything: 1/3 stays exact to Decimal's precision."""
    outcome = evaluate("3次", "1次", name="培训次数")
    assert isinstance(outcome.ratio, Decimal)
    assert outcome.ratio == D(1) / D(3)
    assert evaluate("≥ 20万件", "51 万余件").ratio == D("2.55")


@pytest.mark.parametrize(("target", "actual", "name", "sentence"), [
    ("20 次", "12 次", "组织工作人员学习培训次数",
     "组织工作人员学习培训次数：年度指标值 20次，实际完成值 12次，完成率 60.00%，未完成。"),
    ("≥ 20 万件", "51 万余件", "办理各类审批服务事项数",
     "办理各类审批服务事项数：年度指标值 ≥20万件，实际完成值 51万余件，完成率 255.00%，超额完成。"),
    ("97%-100%", "99.51%", "预算执行率",
     "预算执行率：年度指标值 97%-100%，实际完成值 99.51%，在指标区间内，已完成。"),
    ("明显提高", "有所提高", "政务服务水平",
     "政务服务水平：年度指标值 明显提高，实际完成值 有所提高，表述弱于指标值，部分达成。"),
    ("≥ 90%", "", "满意度",
     "满意度：年度指标值 ≥90%，实际完成值 （未填写），无法核验：未填写实际完成值。"),
    ("不适用", "100%", "某指标", "某指标：不适用，该指标不参与评分，分值按规则重新分配。"),
])
def test_explanations(target: str, actual: str, name: str, sentence: str) -> None:
    assert evaluate(target, actual, name=name).explanation == sentence


@pytest.mark.parametrize(("target", "actual", "unit"), [
    ("78100 份", "78100", "份"),
    ("≥ 20万件", "51", "万件"),          # read as 51万件, and said so
    ("≥ 20万件", "3万", "件"),           # the actual brings its own magnitude
    ("1000元-5万元", "3000", "元"),
    ("1000元-5万元", "6", "万元"),
    ("[1亩,10亩]", "5", "亩"),
])
def test_unit_missing_names_the_unit_read(target: str, actual: str, unit: str) -> None:
    (finding,) = [f for f in evaluate(target, actual).findings if f.rule == "unit-missing"]
    assert finding.message == f"实际完成值 {actual} 未写单位，按年度指标值的单位“{unit}”理解。"


def test_parsed_values_are_accepted() -> None:
    t, a = parse_target("≥ 20万件"), parse_actual("51 万余件")
    assert evaluate(t, a) == evaluate("≥ 20万件", "51 万余件")


def test_outcome_to_dict_rounds_the_ratio() -> None:
    d = evaluate("≥ 230 人", "232 人", name="外包服务人员聘用人数").to_dict()
    assert d["status"] == "met"
    assert d["ratio"] == D("1.0087")
    assert d["findings"] == []


def test_findings_name_the_indicator() -> None:
    outcome = evaluate("78100 份", "78100", name="行政审批证照印刷数量")
    (finding,) = outcome.findings
    assert finding.indicator == "行政审批证照印刷数量"
    assert finding.severity == "info"
    assert "78100" in finding.message


def test_doctests() -> None:
    assert doctest.testmod(importlib.import_module("perfeval.evaluate")).failed == 0


# ------------------------------------------------------------------ the seed's tables

# Every row of examples/jianghan-2024, judged by hand: (file, indicator, target,
# actual) -> (status, ratio to 4 places, findings).
SEED: dict[tuple[str, str, str, str], tuple[str, str | None, list[str]]] = {
    # 外包工作人员经费
    ("outsourcing", "预算执行率", "97%-100%", "99.51%"): ("met", "1", []),
    ("outsourcing", "外包服务人员聘用人数", "≥ 230 人", "232 人"): ("met", "1.0087", []),
    ("outsourcing", "办理各类审批服务事项数", "≥ 20 万件", "51 万余件"):
        ("exceeded", "2.55", ["target-too-low"]),
    ("outsourcing", "接待群众人次", "≥ 30 万人次", "45 万余人次"):
        ("exceeded", "1.5", ["target-too-low"]),
    ("outsourcing", "日常管理培训完成率", "=100%", "=100%"): ("met", "1", []),
    ("outsourcing", "工作人员绩效考核合格率", "=100%", "=100%"): ("met", "1", []),
    ("outsourcing", "业务办理及时率", "=100%", "=100%"): ("met", "1", []),
    ("outsourcing", "外包人员伙食补贴发放及时率", "=100%", "=100%"): ("met", "1", []),
    ("outsourcing", "审批服务效率", "得到提升", "得到提升"): ("met", None, []),
    ("outsourcing", "大厅规范化管理程度", "=100%", "=100%"): ("met", "1", []),
    ("outsourcing", "政务服务水平", "明显提高", "明显提高"): ("met", None, []),
    ("outsourcing", "接待群众满意度", "≥90%", "99.83%"): ("met", "1.1092", []),
    # 审批大厅日常运转经费
    ("hall-operations", "预算执行率", "97%-100%", "100.00%"): ("met", "1", []),
    ("hall-operations", "租用大厅面积", "8369.34 平方米", "8369.34 平方米"): ("met", "1", []),
    ("hall-operations", "大厅环境消毒消杀次数", "≥ 24 次", "24 次"): ("met", "1", []),
    ("hall-operations", "大厅日常设备维护维修次数", "≥ 12 次", "12 次"): ("met", "1", []),
    ("hall-operations", "第三方安全生产服务机构安全检查次数", "12 次", "12 次"): ("met", "1", []),
    ("hall-operations", "大厅年接待群众人次", "≥ 30 万人次", "45 万余人次"):
        ("exceeded", "1.5", ["target-too-low"]),
    ("hall-operations", "组织工作人员学习培训次数", "20 次", "20 次"): ("met", "1", []),
    ("hall-operations", "工作人员培训通过率", "=100%", "=100%"): ("met", "1", []),
    ("hall-operations", "安全隐患排查率", "=100%", "=100%"): ("met", "1", []),
    ("hall-operations", "业务办理及时率", "=100%", "=100%"): ("met", "1", []),
    ("hall-operations", "维修维护及时性", "及时", "及时"): ("met", None, []),
    ("hall-operations", "大厅日常工作运行保障度", "有效保障", "有效保障"): ("met", None, []),
    ("hall-operations", "提升工作人员服务效率和质量", "得到提升", "得到提升"): ("met", None, []),
    ("hall-operations", "提升政务服务大厅管理规范性的", "得到提升", "得到提升"):
        ("met", None, []),
    ("hall-operations", "接待群众满意度", "≥90%", "99.83%"): ("met", "1.1092", []),
    # 一网通办工作经费
    ("one-network", "预算执行率", "97%-100%", "99.42%"): ("met", "1", []),
    ("one-network", "好差评设备维护数", "≥60 台", "70 台"): ("met", "1.1667", []),
    ("one-network", "24 小时自助服务设备维护数", "61 台", "61 台"): ("met", "1", []),
    ("one-network", "好差评设备维护次数", "≥12 次", "12 次"): ("met", "1", []),
    ("one-network", "24 小时自助服务设备维护次数", "≥12 次", "12 次"): ("met", "1", []),
    ("one-network", "免费刻章服务户数", "≥5500 户", "6964 户"):
        ("exceeded", "1.2662", ["target-too-low"]),
    ("one-network", "免费邮寄服务户数", "≥3500 户", "28368 户"):
        ("exceeded", "8.1051", ["target-too-low"]),
    ("one-network", "设备故障率", "≤2%", "≤2%"): ("met", "1", ["actual-is-bound"]),
    ("one-network", "“一网通办”工作落实率", "=100%", "=100%"): ("met", "1", []),
    ("one-network", "24 小时自助服务区覆盖率", "=100%", "=100%"): ("met", "1", []),
    ("one-network", "专业化档案整理及时率", "=100%", "=100%"): ("met", "1", []),
    ("one-network", "设备和平台运行稳定度", "得到提升", "得到提升"): ("met", None, []),
    ("one-network", "提升政务服务效能", "=100%", "=100%"): ("met", "1", []),
    ("one-network", "接待群众满意度", "≥90%", "99.83%"): ("met", "1.1092", []),
    # 行政审批工作经费
    ("approval-work", "预算执行率", "97%-100%", "99.99%"): ("met", "1", []),
    ("approval-work", "表格印刷数量", "41500 份", "41500 份"): ("met", "1", []),
    ("approval-work", "对外受理审批服务窗口个数", "111 个", "112 个"): ("met", "1.0090", []),
    ("approval-work", "社会类、建设类审批专家评审件数", "≥ 20 件", "21 件"): ("met", "1.05", []),
    ("approval-work", "审批局大厅年办事项数", "≥ 20 万件", "51 万余件"):
        ("exceeded", "2.55", ["target-too-low"]),
    ("approval-work", "行政审批办案数量", "≥ 12 件", "32 件"):
        ("exceeded", "2.6667", ["target-too-low"]),
    ("approval-work", "行政审批证照印刷数量", "78100 份", "78100"): ("met", "1", ["unit-missing"]),
    ("approval-work", "印刷品采购验收合格率", "=100%", "=100%"): ("met", "1", []),
    ("approval-work", "行政审批及时率", "=100%", "=100%"): ("met", "1", []),
    ("approval-work", "保障行政审批工作正常运行", "有效保障", "有效保障"): ("met", None, []),
    ("approval-work", "提升专家库、中介机构库的建设和管理规范性", "提升", "提升"):
        ("met", None, []),
    ("approval-work", "保持“文明单位”称号", "保持", "保持"): ("met", None, []),
    ("approval-work", "优化行政审批事项流程", "优化", "优化"): ("met", None, []),
    ("approval-work", "接待群众满意度", "≥ 90%", "99.83%"): ("met", "1.1092", []),
    # 部门整体: 年度目标 1
    ("department", "对外受理审批服务窗口个数", "111 个", "111 个"): ("met", "1", []),
    ("department", "社会类、建设类审批专家评审件数", "≥ 20 件", "21 件"): ("met", "1.05", []),
    ("department", "审批局大厅年办事项数", "≥ 20 万件", "51 万余件"):
        ("exceeded", "2.55", ["target-too-low"]),
    ("department", "设备维护数", "≥ 90 台", "121 台"): ("exceeded", "1.3444", ["target-too-low"]),
    ("department", "设备维护次数", "≥ 12 次", "12 次"): ("met", "1", []),
    ("department", "免费刻章服务户数", "≥ 6000 户", "6964 户"): ("met", "1.1607", []),
    ("department", "免费邮寄服务户数", "≥ 6000 户", "28368 户"):
        ("exceeded", "4.728", ["target-too-low"]),
    ("department", "维修完成率", "=100%", "=100%"): ("met", "1", []),
    ("department", "设备故障率", "≤ 2%", "≤ 2%"): ("met", "1", ["actual-is-bound"]),
    ("department", "“一网通办”工作落实率", "=100%", "=100%"): ("met", "1", []),
    ("department", "专业化档案整理及时率", "=100%", "=100%"): ("met", "1", []),
    ("department", "行政审批及时率", "=100%", "=100%"): ("met", "1", []),
    ("department", "优化行政审批事项流程", "优化", "优化"): ("met", None, []),
    ("department", "保障行政审批工作正常运行", "有效保障", "有效保障"): ("met", None, []),
    ("department", "保持“文明单位”称号", "=100%", "=100%"): ("met", "1", []),
    ("department", "提升政务服务效能", "提升", "提升"): ("met", None, []),
    ("department", "群众办事满意度", "≥ 90%", "≥ 90%"): ("met", "1", ["actual-is-bound"]),
    # 部门整体: 年度目标 2
    ("department", "外包服务人员聘用人数", "≥ 230 人", "276 人"):
        ("exceeded", "1.2", ["target-too-low"]),
    ("department", "大厅环境消毒消杀次数", "≥ 12 次", "24 次"): ("exceeded", "2", ["target-too-low"]),
    ("department", "大厅日常设备维护维修次数", "≥ 12 次", "12 次"): ("met", "1", []),
    ("department", "第三方安全生产服务机构安全检查次数", "12 次", "12 次"): ("met", "1", []),
    ("department", "审批局大厅年接待群众数", "≥ 30 万人次", "35.83 万人次"): ("met", "1.1943", []),
    ("department", "组织工作人员学习培训次数", "20 次", "12 次"): ("missed", "0.6", []),
    ("department", "灭火装置检测维修数量", "23 个", "23 个"): ("met", "1", []),
    ("department", "工作人员绩效考核合格率", "=100%", "=100%"): ("met", "1", []),
    ("department", "安全隐患排查率", "=100%", "=100%"): ("met", "1", []),
    ("department", "水电气供应率", "=100%", "=100%"): ("met", "1", []),
    ("department", "业务办理及时率", "=100%", "=100%"): ("met", "1", []),
    ("department", "提升工作人员服务效率和质量", "提升", "提升"): ("met", None, []),
    ("department", "大厅日常工作运行保障度", "有效保障", "有效保障"): ("met", None, []),
    ("department", "提高政务服务水平", "明显提高", "明显提高"): ("met", None, []),
    # 安全事故发生数 is a reverse indicator by the catalog (发生数); 0 of 0 is met
    ("department", "安全事故发生数", "0 次", "0 次"): ("met", "1", []),
    ("department", "保障档案室消防安全环境", "有效保障", "有效保障"): ("met", None, []),
    ("department", "提升信息系统安全防护能力", "提升", "提升"): ("met", None, []),
    ("department", "群众办事满意度", "≥ 90%", "99.83%"): ("met", "1.1092", []),
}


def _seed_rows() -> list[tuple[str, dict[str, Any], int]]:
    rows = []
    for path in sorted((ROOT / "examples" / "jianghan-2024").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        indicators = list(doc.get("indicators") or [])
        for goal in doc.get("goals") or []:
            indicators += goal["indicators"]
        rows += [(path.stem, row, doc["year"]) for row in indicators]
    return rows


SEED_ROWS = _seed_rows()


def test_every_seed_row_is_labelled() -> None:
    keys = [(stem, row["name"], str(row["target"]), str(row["actual"]))
            for stem, row, _ in SEED_ROWS]
    assert len(keys) == 90
    # the department carries 群众办事满意度 twice, once per goal, with different actuals
    assert set(keys) == set(SEED)


@pytest.mark.parametrize(("stem", "row", "year"), SEED_ROWS,
                         ids=[f"{stem}-{row['name']}-{row['actual']}" for stem, row, _ in SEED_ROWS])
def test_seed_tables(stem: str, row: dict[str, Any], year: int) -> None:
    status, ratio, findings = SEED[(stem, row["name"], str(row["target"]), str(row["actual"]))]
    outcome = evaluate(str(row["target"]), str(row["actual"]), name=row["name"], year=year)
    assert outcome.status == status
    assert r4(outcome.ratio) == (None if ratio is None else D(ratio))
    assert rules_of(outcome) == findings
