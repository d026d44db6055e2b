"""The target language of SPEC §2: every form parses to the value a reader means.

Tables in the manner of pypa/packaging's ``tests/test_specifiers.py``: each
row is a string and the canonical form, kind, operator, value and unit worked
out by hand from the SPEC, never by asking the code.
"""

from __future__ import annotations

import doctest
from decimal import Decimal

import pytest

from perfeval import _normalize, _parser, targets
from perfeval.errors import TargetSyntaxError
from perfeval.targets import Actual, Target, parse_actual, parse_target

D = Decimal

# ------------------------------------------------------------------ valid targets

# (text, canonical, kind, op, value, unit)
COMPARE = [
    # symbol comparators, with or without spaces
    ("≥ 20万件", "≥200000件", ">=", D(200000), "件"),
    ("≥20万件", "≥200000件", ">=", D(200000), "件"),
    ("≤2%", "≤2%", "<=", D(2), "%"),
    (">92%", ">92%", ">", D(92), "%"),
    ("<5次", "<5次", "<", D(5), "次"),
    ("=100%", "=100%", "=", D(100), "%"),
    # ASCII and full-width variants
    (">=21933人", "≥21933人", ">=", D(21933), "人"),
    ("<=5300元/户", "≤5300元/户", "<=", D(5300), "元/户"),
    ("＞＝９５％", "≥95%", ">=", D(95), "%"),
    ("≧735人次", "≥735人次", ">=", D(735), "人次"),
    ("≦3天", "≤3天", "<=", D(3), "天"),
    ("＝100%", "=100%", "=", D(100), "%"),
    ("═100%", "=100%", "=", D(100), "%"),
    ("＞=95%", "≥95%", ">=", D(95), "%"),
    ("≯5%", "≤5%", "<=", D(5), "%"),
    ("≮90%", "≥90%", ">=", D(90), "%"),
    # word comparators
    ("不低于85%", "≥85%", ">=", D(85), "%"),
    ("不少于12种", "≥12种", ">=", D(12), "种"),
    ("大于等于85户", "≥85户", ">=", D(85), "户"),
    ("至少3次", "≥3次", ">=", D(3), "次"),
    ("不高于5%", "≤5%", "<=", D(5), "%"),
    ("不超过30万元", "≤300000元", "<=", D(300000), "元"),
    ("小于等于7天", "≤7天", "<=", D(7), "天"),
    ("高于90%", ">90%", ">", D(90), "%"),
    ("低于5%", "<5%", "<", D(5), "%"),
    ("超过10次", ">10次", ">", D(10), "次"),
    ("达到95%", "≥95%", ">=", D(95), "%"),
    # suffix comparators: 以上 / 以下 / 以内 include the number
    ("60%及以上", "≥60%", ">=", D(60), "%"),
    ("95%以上", "≥95%", ">=", D(95), "%"),
    ("5个工作日内", "≤5工作日", "<=", D(5), "工作日"),
    ("30万元以内", "≤300000元", "<=", D(300000), "元"),
    ("3次以下", "≤3次", "<=", D(3), "次"),
    ("控制在5%以内", "≤5%", "<=", D(5), "%"),
    ("5个工作日内办结", "≤5工作日", "<=", D(5), "工作日"),
    # bare values: no operator, the catalog decides the direction
    ("111 个", "111个", None, D(111), "个"),
    ("8369.34 平方米", "8369.34平方米", None, D("8369.34"), "平方米"),
    ("0 次", "0次", None, D(0), "次"),
    ("1", "1", None, D(1), None),
    ("100%", "100%", None, D(100), "%"),
    ("100.00%", "100%", None, D(100), "%"),
    # magnitudes and separators
    ("20万件", "200000件", None, D(200000), "件"),
    ("1.5亿元", "150000000元", None, D(150000000), "元"),
    ("3千人", "3000人", None, D(3000), "人"),
    ("1,923.78万元", "19237800元", None, D(19237800), "元"),
    ("3, 825. 75", "3825.75", None, D("3825.75"), None),
    ("150万", "1500000", None, D(1500000), None),
    # Chinese numerals
    ("十二次", "12次", None, D(12), "次"),
    ("二十万件", "200000件", None, D(200000), "件"),
    ("一百二十人", "120人", None, D(120), "人"),
    ("两万", "20000", None, D(20000), None),
    ("百分之九十五", "95%", None, D(95), "%"),
    ("三成", "30%", None, D(30), "%"),
    # 成 is tenths, and one digit after it the next tenth down
    ("八成", "80%", None, D(80), "%"),
    ("八成五", "85%", None, D(85), "%"),
    ("不低于八成五", "≥85%", ">=", D(85), "%"),
    ("不少于十二次", "≥12次", ">=", D(12), "次"),
    ("一百零五人", "105人", None, D(105), "人"),
    # units: compound, percent words, traditional forms
    (">=570元/人*月", "≥570元/人*月", ">=", D(570), "元/人*月"),
    ("≥570元/人·月", "≥570元/人*月", ">=", D(570), "元/人*月"),
    ("1次/月", "1次/月", None, D(1), "次/月"),
    ("2批次/千人", "2批次/千人", None, D(2), "批次/千人"),
    ("95百分比", "95%", None, D(95), "%"),
    (">=98%(百分比)", "≥98%", ">=", D(98), "%"),
    ("10個", "10个", None, D(10), "个"),
    ("10萬元", "100000元", None, D(100000), "元"),
    ("≥0.565km", "≥0.565km", ">=", D("0.565"), "km"),
    ("13969.56标箱", "13969.56标箱", None, D("13969.56"), "标箱"),
    # notes and remarks after the value
    ("≥20万件（含）", "≥200000件", ">=", D(200000), "件"),
    ("≥20万件(不含)", ">200000件", ">", D(200000), "件"),
    ("100%（1.0）", "100%", None, D(100), "%"),
    ("≥90％（抽样调查）", "≥90%", ">=", D(90), "%"),
    ("≥95%，力争100%", "≥95%", ">=", D(95), "%"),
    ("≥10次。", "≥10次", ">=", D(10), "次"),
    # a note between the number and its suffix: (含) keeps the number in, (不含) leaves it out
    ("100万元（含）以内", "≤1000000元", "<=", D(1000000), "元"),
    ("100万元(不含)以内", "<1000000元", "<", D(1000000), "元"),
    ("95%（含）以上", "≥95%", ">=", D(95), "%"),
    ("10人(含本数)以上", "≥10人", ">=", D(10), "人"),
    ("3次（不含本数）以下", "<3次", "<", D(3), "次"),
    ("95％以上（含95％）", "≥95%", ">=", D(95), "%"),
    # words that frame the figure
    ("全年≥95%", "≥95%", ">=", D(95), "%"),
    ("每月1次", "1次/月", None, D(1), "次/月"),
    ("每月至少1次", "≥1次/月", ">=", D(1), "次/月"),
    ("超13万元/年", ">130000元/年", ">", D(130000), "元/年"),
    # a counter may name what it counts; the noun is not part of the unit
    ("≥10所学校", "≥10所", ">=", D(10), "所"),
    ("100户贫困户", "100户", None, D(100), "户"),
    ("200名学员左右", "200名", None, D(200), "名"),
    ("10余万元", "≥100000元", ">=", D(100000), "元"),
    ("百分之百", "100%", None, D(100), "%"),
    # a dotted month and day is a date only before a marker (12.31前)
    ("12.31", "12.31", None, D("12.31"), None),
    # a graded target reads its top grade as the bar
    ("优100% 良90% 中85% 差85%", "≥100%", ">=", D(100), "%"),
    # a number below zero: a growth rate allowed to fall, a fall required
    ("≥-5%", "≥-5%", ">=", D(-5), "%"),
    ("≥ -5%", "≥-5%", ">=", D(-5), "%"),
    (">=−5%", "≥-5%", ">=", D(-5), "%"),
    ("＞＝－５％", "≥-5%", ">=", D(-5), "%"),
    ("不低于-5%", "≥-5%", ">=", D(-5), "%"),
    ("-5%以上", "≥-5%", ">=", D(-5), "%"),
    ("≤-3%", "≤-3%", "<=", D(-3), "%"),
    ("=-0.5%", "=-0.5%", "=", D("-0.5"), "%"),
    ("-3%", "-3%", None, D(-3), "%"),
    ("-1,000万元", "-10000000元", None, D(-10000000), "元"),
    ("-0%", "0%", None, D(0), "%"),
]

UNITS = (
    "件 个 次 人 人次 户 台 份 项 场 家 所 名 篇 期 条 辆 座 村 批次 单 套 台套 种 例 组 标箱 "
    "公里 km 米 厘米 平方米 亩 公顷 元 天 日 工作日 小时 月 年 周岁 ℃"
).split()

# (text, canonical, (low, high), unit)
RANGES = [
    ("97%-100%", "97%-100%", (D(97), D(100)), "%"),
    ("97%~100%", "97%-100%", (D(97), D(100)), "%"),
    ("97%～100%", "97%-100%", (D(97), D(100)), "%"),
    ("97%至100%", "97%-100%", (D(97), D(100)), "%"),
    ("97-100%", "97%-100%", (D(97), D(100)), "%"),
    ("18—54周岁", "18周岁-54周岁", (D(18), D(54)), "周岁"),
    ("[97%,100%]", "97%-100%", (D(97), D(100)), "%"),
    ("100%-97%", "97%-100%", (D(97), D(100)), "%"),
    ("5-7个工作日", "5工作日-7工作日", (D(5), D(7)), "工作日"),
    # a magnitude on both ends: each end keeps its own, the unit is shared
    ("1万-2万元", "10000元-20000元", (D(10000), D(20000)), "元"),
    ("1.5万—2万元", "15000元-20000元", (D(15000), D(20000)), "元"),
    ("10万-20万人次", "100000人次-200000人次", (D(100000), D(200000)), "人次"),
    ("1亿-2亿元", "100000000元-200000000元", (D(100000000), D(200000000)), "元"),
    ("5千-1万元", "5000元-10000元", (D(5000), D(10000)), "元"),
    ("1万元-2万", "10000元-20000元", (D(10000), D(20000)), "元"),
    # an end without a magnitude takes the other's with its unit
    ("1万元-2万元", "10000元-20000元", (D(10000), D(20000)), "元"),
    ("1-2万元", "10000元-20000元", (D(10000), D(20000)), "元"),
    ("3-5万元", "30000元-50000元", (D(30000), D(50000)), "元"),
    ("1万元-2", "10000元-20000元", (D(10000), D(20000)), "元"),
    # Chinese numerals on either end; 二十万 carries its 万 as 20万 does
    ("十至二十次", "10次-20次", (D(10), D(20)), "次"),
    ("十-二十次", "10次-20次", (D(10), D(20)), "次"),
    ("十至20次", "10次-20次", (D(10), D(20)), "次"),
    ("一到两天", "1天-2天", (D(1), D(2)), "天"),
    ("三至五年", "3年-5年", (D(3), D(5)), "年"),
    ("十至二十万元", "100000元-200000元", (D(100000), D(200000)), "元"),
    ("二十万至三十万元", "200000元-300000元", (D(200000), D(300000)), "元"),
    ("二十万-30万元", "200000元-300000元", (D(200000), D(300000)), "元"),
    ("八成至九成五", "80%-95%", (D(80), D(95)), "%"),
    # ends below zero; a negative high end prints after ~, since -- reads as one dash
    ("-5%-5%", "-5%-5%", (D(-5), D(5)), "%"),
    ("-5-5%", "-5%-5%", (D(-5), D(5)), "%"),
    ("5%~-3%", "-3%-5%", (D(-3), D(5)), "%"),
    ("[-10%,-5%]", "-10%~-5%", (D(-10), D(-5)), "%"),
    ("-10%至-5%", "-10%~-5%", (D(-10), D(-5)), "%"),
    ("-10%~-5%", "-10%~-5%", (D(-10), D(-5)), "%"),
]

# (text, canonical, (year, month, day), start)
DEADLINES = [
    ("2023年12月前", "2023年12月底前", (2023, 12, None), None),
    ("2023年12月底前", "2023年12月底前", (2023, 12, None), None),
    ("12月底前", "12月底前", (None, 12, None), None),
    ("9月前", "9月底前", (None, 9, None), None),
    ("2021年12月31日", "2021年12月31日前", (2021, 12, 31), None),
    ("2021年12月31日前", "2021年12月31日前", (2021, 12, 31), None),
    ("年底前", "12月底前", (None, 12, None), None),
    ("2025年12月", "2025年12月底前", (2025, 12, None), None),
    ("2021年1月-12月", "2021年1月-2021年12月底前", (2021, 12, None), (2021, 1, None)),
    # a span of months after a year, the first month without its 月
    ("2021年1-12月", "2021年1月-2021年12月底前", (2021, 12, None), (2021, 1, None)),
    ("2024年3至6月", "2024年3月-2024年6月底前", (2024, 6, None), (2024, 3, None)),
    ("2021.1.1-12.31", "2021年1月1日-2021年12月31日前", (2021, 12, 31), (2021, 1, 1)),
    ("2020年1月--2020年11月", "2020年1月-2020年11月底前", (2020, 11, None), (2020, 1, None)),
    ("12月底到位", "12月底前", (None, 12, None), None),
    ("2021年12月完成", "2021年12月底前", (2021, 12, None), None),
    ("2023年12月底", "2023年12月底前", (2023, 12, None), None),
    ("不晚于2023年6月30日", "2023年6月30日前", (2023, 6, 30), None),
    ("12.31前", "12月31日前", (None, 12, 31), None),
    ("第一季度", "3月底前", (None, 3, None), None),
]

# (text, canonical)
QUALITATIVE = [
    ("2021年12-1月", "2021年12-1月"),  # months out of order are no span
    ("明显提高", "明显提高"),
    ("得到提升", "得到提升"),
    ("有效保障", "有效保障"),
    ("提升", "提升"),
    ("优化", "优化"),
    ("保持", "保持"),
    ("及时", "及时"),
    ("按期完成", "按期完成"),
    ("显著提升", "显著提升"),
    ("逐步提高", "逐步提高"),
    ("有效", "有效"),
    ("合格", "合格"),
    ("是", "是"),
    ("否", "否"),
    # ordinal grades: the scale written out stands for its top grade
    ("高/中/低", "高"),
    ("定性高中低", "高"),
    ("好/较好/一般/差", "好"),
    ("优/良/中/差", "优"),
    ("较好", "较好"),
    # free text is qualitative too, and keeps digits that are not a value
    ("符合相关规定", "符合相关规定"),
    ("1-6期培训结束后及时考核", "1-6期培训结束后及时考核"),
    ("完成项目主体工程70%", "完成项目主体工程70%"),
    ("5G基站建设", "5G基站建设"),
    ("一网通办", "一网通办"),
    ("一般", "一般"),
    ("一站式服务", "一站式服务"),
    ("十四五规划", "十四五规划"),
    ("两个确保", "两个确保"),
    ("八成五十", "八成五十"),
]


def _roundtrip(t: Target) -> None:
    again = parse_target(str(t))
    assert again == t
    assert hash(again) == hash(t)
    assert str(again) == str(t)


@pytest.mark.parametrize(("text", "canonical", "op", "value", "unit"), COMPARE,
                         ids=[row[0] for row in COMPARE])
def test_compare_forms(text: str, canonical: str, op: str | None, value: Decimal,
                       unit: str | None) -> None:
    t = parse_target(text)
    assert (t.kind, str(t), t.op, t.value, t.unit) == ("compare", canonical, op, value, unit)
    _roundtrip(t)


@pytest.mark.parametrize("unit", UNITS)
def test_every_listed_unit(unit: str) -> None:
    t = parse_target(f"≥5{unit}")
    # a count of months prints 个月, since ≤1月 would read back as January
    canonical = "≥5个月" if unit == "月" else f"≥5{unit}"
    assert (t.kind, str(t), t.op, t.value, t.unit) == ("compare", canonical, ">=", D(5), unit)
    _roundtrip(t)


@pytest.mark.parametrize(("text", "canonical", "value", "unit"), [
    ("5万平方米", "50000平方米", D(50000), "平方米"),
    ("5万元", "50000元", D(50000), "元"),
    ("5亿元", "500000000元", D(500000000), "元"),
    ("5 ％", "5%", D(5), "%"),
])
def test_magnitude_units_fold_into_the_value(text: str, canonical: str, value: Decimal,
                                             unit: str) -> None:
    t = parse_target(text)
    assert (str(t), t.value, t.unit) == (canonical, value, unit)


@pytest.mark.parametrize(("text", "canonical", "ends", "unit"), RANGES,
                         ids=[row[0] for row in RANGES])
def test_range_forms(text: str, canonical: str, ends: tuple[Decimal, Decimal], unit: str) -> None:
    t = parse_target(text)
    assert t.kind == "range" and str(t) == canonical
    assert t.low is not None and t.high is not None
    assert (t.low.value, t.high.value, t.high.unit, t.low.unit) == (*ends, unit, unit)
    _roundtrip(t)


@pytest.mark.parametrize(("text", "canonical", "date", "start"), DEADLINES,
                         ids=[row[0] for row in DEADLINES])
def test_deadline_forms(text: str, canonical: str, date: tuple[int | None, ...],
                        start: tuple[int | None, ...] | None) -> None:
    t = parse_target(text)
    assert (t.kind, str(t), t.op) == ("deadline", canonical, "<=")
    assert t.date is not None
    assert (t.date.year, t.date.month, t.date.day) == date
    got = None if t.start is None else (t.start.year, t.start.month, t.start.day)
    assert got == start
    _roundtrip(t)


@pytest.mark.parametrize(("text", "canonical"), QUALITATIVE, ids=[row[0] for row in QUALITATIVE])
def test_qualitative_forms(text: str, canonical: str) -> None:
    t = parse_target(text)
    assert (t.kind, str(t), t.op, t.value) == ("qualitative", canonical, None, None)
    _roundtrip(t)


@pytest.mark.parametrize("text", ["不适用", "不涉及", "—", "-", "--", "—— ", "/", "无此项"])
def test_not_applicable(text: str) -> None:
    t = parse_target(text)
    assert (t.kind, str(t)) == ("not_applicable", "不适用")
    _roundtrip(t)


# ------------------------------------------------------------------ equality

EQUAL = [
    ("≥ 20万件", "≥200000件"),
    ("≥ 20万件", "不少于20万件"),
    ("≥ 20万件", "大于等于二十万件"),
    ("≥ 20万件", "20万件以上"),
    ("≥ 20万件", "≥20萬件"),
    ("100%", "100.00%"),
    ("100%", "100％"),
    ("97%-100%", "[97%,100%]"),
    ("97%-100%", "97~100%"),
    ("明显提高", "明显提高。"),
    ("2023年12月前", "2023年12月底前"),
]
UNEQUAL = [
    ("≥20万件", ">20万件"),
    ("≥20万件", "20万件"),
    ("≥20万件", "≥20万人次"),
    ("=100%", "100%"),
    ("≤2%", "<2%"),
    ("97%-100%", "97%-99%"),
    ("明显提高", "有所提高"),
    ("2023年12月前", "2024年12月前"),
]


@pytest.mark.parametrize(("a", "b"), EQUAL, ids=[f"{a}=={b}" for a, b in EQUAL])
def test_equal_targets_hash_equal(a: str, b: str) -> None:
    assert parse_target(a) == parse_target(b)
    assert hash(parse_target(a)) == hash(parse_target(b))


@pytest.mark.parametrize(("a", "b"), UNEQUAL, ids=[f"{a}!={b}" for a, b in UNEQUAL])
def test_unequal_targets(a: str, b: str) -> None:
    assert parse_target(a) != parse_target(b)


def test_target_is_immutable_value() -> None:
    t = parse_target("≥ 20万件")
    with pytest.raises(AttributeError):
        t.op = "<="  # type: ignore[misc]
    assert repr(t) == "<Target('≥200000件')>"
    assert t.source == "≥ 20万件"
    assert t != "≥200000件"


def test_to_dict_is_what_parse_json_prints() -> None:
    assert parse_target("≥ 20万件").to_dict() == {
        "canonical": "≥200000件", "kind": "compare", "op": ">=", "value": D(200000), "unit": "件",
    }
    assert parse_target("97%-100%").to_dict() == {
        "canonical": "97%-100%", "kind": "range", "low": D(97), "high": D(100), "unit": "%",
        "low_unit": "%",
    }
    assert parse_target("2023年12月前").to_dict() == {
        "canonical": "2023年12月底前", "kind": "deadline", "op": "<=",
        "deadline": {"year": 2023, "month": 12, "day": None}, "start": None,
    }
    assert parse_target("明显提高").to_dict() == {
        "canonical": "明显提高", "kind": "qualitative", "text": "明显提高",
    }


# ------------------------------------------------------------------ invalid targets

# (text, the whole of str(error)): the marker line counts display cells, and
# every CJK or full-width character takes two.
INVALID = [
    ("≥ 2o万件", ("cannot read '≥ 2o万件': expected a number\n"
                  "    ≥ 2o万件\n"
                  "      ~^")),
    ("≥", ("cannot read '≥': expected a number\n"
           "    ≥\n"
           "     ^")),
    ("", ("cannot read '': expected a value\n"
          "    \n"
          "    ^")),
    (">=abc", ("cannot read '>=abc': expected a number\n"
               "    >=abc\n"
               "      ^")),
    ("M.8万元", ("cannot read 'M.8万元': expected a number\n"
                 "    M.8万元\n"
                 "    ^")),
    ("≥1O次", ("cannot read '≥1O次': expected a number\n"
               "    ≥1O次\n"
               "     ~^")),
    (">=9O%", ("cannot read '>=9O%': expected a number\n"
               "    >=9O%\n"
               "      ~^")),
    ("l00%", ("cannot read 'l00%': expected a number\n"
              "    l00%\n"
              "    ^")),
    ("＞＝９Ｏ％", ("cannot read '＞＝９Ｏ％': expected a number\n"
                  "    ＞＝９Ｏ％\n"
                  "        ~~~^")),
    # a sign promises a number as an operator does (≥-5% reads, ≥- does not)
    ("≥-", ("cannot read '≥-': expected a number\n"
            "    ≥-\n"
            "     ^")),
    ("≥-abc", ("cannot read '≥-abc': expected a number\n"
               "    ≥-abc\n"
               "     ^")),
    ("≥95%%", ("cannot read '≥95%%': unexpected text after the value\n"
               "    ≥95%%\n"
               "        ^")),
    ("≥20万件以下", ("cannot read '≥20万件以下': conflicting comparators\n"
                    "    ≥20万件以下\n"
                    "    ~~~~~~~~~~^")),
    ("20件-30人", ("cannot read '20件-30人': the two ends of the range have different units\n"
                  "    20件-30人\n"
                  "    ~~~~~~~~^")),
    ("2021年2月30日", ("cannot read '2021年2月30日': no such day in that month\n"
                      "    2021年2月30日\n"
                      "    ~~~~~~~~~~~~^")),
    ("1万万万万万万件", ("cannot read '1万万万万万万件': number too large\n"
                      "    1万万万万万万件\n"
                      "    ~~~~~~~~~~~~~~^")),
    ("≥" + "9" * 40 + "人", ("cannot read '≥" + "9" * 40 + "人': number too long\n"
                            "    ≥" + "9" * 40 + "人\n"
                            "     " + "~" * 39 + "^")),
]


@pytest.mark.parametrize(("text", "message"), INVALID, ids=[row[0] or "empty" for row in INVALID])
def test_invalid_targets(text: str, message: str) -> None:
    with pytest.raises(TargetSyntaxError) as info:
        parse_target(text)
    assert str(info.value) == message
    assert isinstance(info.value, ValueError)
    assert info.value.source == text


def test_error_chains_nothing_internal() -> None:
    with pytest.raises(TargetSyntaxError) as info:
        parse_target("≥ 2o万件")
    assert info.value.__cause__ is None
    assert info.value.reason == "expected a number"
    assert info.value.span == (2, 4)


# ------------------------------------------------------------------ actual values

# (text, kind, value, unit, op, at_least)
ACTUALS = [
    ("51 万余件", "quantity", D(510000), "件", None, True),
    ("45万多人次", "quantity", D(450000), "人次", None, True),
    ("88.32%及以上", "quantity", D("88.32"), "%", ">=", True),
    ("约300人", "quantity", D(300), "人", None, False),
    ("300人左右", "quantity", D(300), "人", None, False),
    ("=100%", "quantity", D(100), "%", "=", False),
    ("99.83%", "quantity", D("99.83"), "%", None, False),
    ("78100", "quantity", D(78100), None, None, False),
    ("0 次", "quantity", D(0), "次", None, False),
    ("达到98%", "quantity", D(98), "%", ">=", False),
    ("完成98%", "quantity", D(98), "%", ">=", False),
    ("100%，已完成", "quantity", D(100), "%", None, False),
    ("98%（抽样调查）", "quantity", D(98), "%", None, False),
    ("≥ 90%", "bound", D(90), "%", ">=", False),
    ("≤2%", "bound", D(2), "%", "<=", False),
    ("<5次", "bound", D(5), "次", "<", False),
    ("≥50厘米", "bound", D(50), "厘米", ">=", False),
    ("-3%", "quantity", D(-3), "%", None, False),
    ("−7.5%", "quantity", D("-7.5"), "%", None, False),
    ("≥-3%", "bound", D(-3), "%", ">=", False),
]


@pytest.mark.parametrize(("text", "kind", "value", "unit", "op", "at_least"), ACTUALS,
                         ids=[row[0] for row in ACTUALS])
def test_actual_quantities(text: str, kind: str, value: Decimal, unit: str | None,
                           op: str | None, at_least: bool) -> None:
    a = parse_actual(text)
    assert a.kind == kind
    assert a.quantity is not None
    assert (a.quantity.value, a.quantity.unit, a.quantity.at_least) == (value, unit, at_least)
    if kind == "bound":
        assert a.op == op


def test_approximate_actuals_say_so() -> None:
    q = parse_actual("约300人").quantity
    assert q is not None and q.approx
    q = parse_actual("300人左右").quantity
    assert q is not None and q.approx


# (text, kind, bound, phrase)
ACTUAL_WORDS = [
    ("2023年11月", "date", False, None),
    ("2023年12月前", "date", True, None),
    ("2021.1.1-12.31", "date", True, None),
    ("达成年度指标", "text", False, "met"),
    ("达成预期指标", "text", False, "met"),
    ("部分达成年度指标并具有一定效果", "text", False, "partial"),
    ("未达成年度指标且效果较差", "text", False, "missed"),
    ("已完成", "text", False, None),
    ("实际在规定时间内完成", "text", False, None),
    ("", "missing", False, None),
    ("   ", "missing", False, None),
    ("不适用", "missing", False, None),
    ("-", "missing", False, None),
    ("—", "missing", False, None),
]


@pytest.mark.parametrize(("text", "kind", "bound", "phrase"), ACTUAL_WORDS,
                         ids=[row[0] or "empty" for row in ACTUAL_WORDS])
def test_actual_words_and_dates(text: str, kind: str, bound: bool, phrase: str | None) -> None:
    a = parse_actual(text)
    assert (a.kind, a.bound, a.phrase) == (kind, bound, phrase)


def test_actual_none_is_missing() -> None:
    assert parse_actual(None).kind == "missing"


def test_actual_garble_is_an_error() -> None:
    with pytest.raises(TargetSyntaxError):
        parse_actual("≥ 2o万件")


def test_actual_is_immutable_and_compares_by_value() -> None:
    a = parse_actual("51 万余件")
    with pytest.raises(AttributeError):
        a.kind = "text"  # type: ignore[misc]
    assert a == parse_actual("51万余件")
    assert hash(a) == hash(parse_actual("51万余件"))
    assert isinstance(a, Actual) and a != parse_actual("51万件")


# ------------------------------------------------------------------ machinery

@pytest.mark.parametrize(("text", "folded"), [
    ("＞＝ ９５ ％", ">=95%"),
    ("10萬元", "10万元"),
    ("3, 825. 75", "3,825.75"),
    ("═100%", "=100%"),
    ("≧735人次", ">=735人次"),
    ("明显提高。", "明显提高"),
    ("20℃", "20℃"),
    ("“一网通办”", "一网通办"),
])
def test_normalize(text: str, folded: str) -> None:
    assert _normalize.fold(text) == folded


def test_normalize_keeps_the_origin_of_each_character() -> None:
    norm = _normalize.normalize("≥ 2o万件")
    assert str(norm) == ">=2o万件"
    assert norm.span(2, 4) == (2, 4)
    assert norm.span(0, 2) == (0, 1)


@pytest.mark.parametrize(("run", "value"), [
    ("十二", 12), ("二十", 20), ("一百二十", 120), ("两万", 20000), ("二十万", 200000),
    ("一百零五", 105), ("一千零一十", 1010), ("三万五", 35000), ("一亿零五", 100000005),
    ("九千九百九十九万九千九百九十九亿", 9999999900000000), ("零", 0),
    ("二三", None), ("十十", None), ("百百", None), ("万万", None), ("一百十", None), ("万五", None),
])
def test_chinese_numerals(run: str, value: int | None) -> None:
    assert _parser._cn_to_int(run) == value


def test_doctests() -> None:
    for module in (targets, _normalize):
        result = doctest.testmod(module)
        assert result.failed == 0
