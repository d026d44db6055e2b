"""Laws of the target language, checked on generated strings (one class per law).

The builders below write valid targets in every form of SPEC §2 — symbol,
word and suffix comparators, full-width variants, ranges, magnitudes,
Chinese numerals, compound units, dates, qualitative words — the way the
forms type them.  Run many more examples with ``HYPOTHESIS_PROFILE=fuzz``.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import assume, example, given
from hypothesis import strategies as st

from perfeval.errors import TargetSyntaxError
from perfeval.evaluate import Outcome, evaluate
from perfeval.targets import parse_actual, parse_target

# ------------------------------------------------------------------ builders

_FULL_WIDTH = str.maketrans("0123456789.%", "０１２３４５６７８９．％")

GE_SYMBOLS = [">=", "≥", "≧", "＞＝", "＞=", "⩾", "≮"]
GT_SYMBOLS = [">", "＞"]
LE_SYMBOLS = ["<=", "≤", "≦", "＜＝", "⩽", "≯"]
LT_SYMBOLS = ["<", "＜"]
EQ_SYMBOLS = ["=", "＝", "═"]
GE_WORDS = ["不低于", "不少于", "大于等于", "大于或等于", "至少", "不小于", "达到"]
GT_WORDS = ["高于", "大于", "超过", "多于"]
LE_WORDS = ["不高于", "不超过", "小于等于", "不大于", "不多于", "最多"]
LT_WORDS = ["低于", "小于", "少于"]
GE_SUFFIXES = ["以上", "及以上", "或以上"]
LE_SUFFIXES = ["以下", "及以下", "以内", "之内", "内"]

COUNTERS = ["件", "个", "次", "人", "人次", "户", "台", "份", "项", "场", "家", "所", "名", "篇",
            "期", "条", "辆", "座", "村", "批次", "单", "套", "台套", "种", "例", "组", "标箱",
            "個", "場"]
MEASURES = ["公里", "km", "米", "厘米", "平方米", "亩", "公顷", "元", "天", "日", "工作日",
            "小时", "年", "周岁", "℃", "吨", "公斤"]
COMPOUND = ["元/人*月", "元/户", "次/月", "批次/千人", "元/人·月", "元/人", "次/年"]
MONEY = ["元", "万元", "亿元", "萬元"]
QUALITATIVE = [
    "明显提高", "得到提升", "有效保障", "提升", "优化", "保持", "及时", "按期完成", "显著提升",
    "逐步提高", "有效", "合格", "是", "否", "高/中/低", "好/较好/一般/差", "优/良/中/差",
    "有所提高", "基本完成", "符合相关规定", "长期", "持续发挥作用", "改善学校的办学条件",
    "无重大安全事故", "达标", "较好", "良好", "优秀",
]
PHRASES = ["达成年度指标", "达成预期指标", "部分达成年度指标并具有一定效果",
           "未达成年度指标且效果较差", "已完成", "按期完成", "实际在规定时间内完成", "未完成",
           "有所提高", "明显提高", "基本完成", "是", "否", "高", "中", "低", "一般", "较好"]


def spaced(draw: st.DrawFn, *parts: str) -> str:
    """Join parts with the stray spaces PDF extraction leaves, sometimes."""
    sep = draw(st.sampled_from(["", "", "", " "]))
    return sep.join(p for p in parts if p)


@st.composite
def numbers(draw: st.DrawFn, *, max_value: int = 10**6) -> Decimal:
    whole = draw(st.integers(min_value=0, max_value=max_value))
    places = draw(st.sampled_from([0, 0, 0, 1, 2]))
    frac = draw(st.integers(min_value=0, max_value=10**places - 1)) if places else 0
    return Decimal(whole) + Decimal(frac).scaleb(-places) if places else Decimal(whole)


def arabic(draw: st.DrawFn, value: Decimal) -> str:
    """A number as the forms type it: plain, with thousands separators, full-width."""
    text = format(value, "f")
    style = draw(st.sampled_from(["plain", "plain", "comma", "full"]))
    if style == "comma":
        whole, dot, frac = text.partition(".")
        text = f"{int(whole):,}" + dot + frac
    elif style == "full":
        text = text.translate(_FULL_WIDTH)
    return text


_CN_DIGITS = "零一二三四五六七八九"


def chinese(n: int) -> str:
    """12 -> 十二, 105 -> 一百零五, 200000 -> 二十万 (for n < 10**8)."""
    def section(m: int) -> str:
        out, zero = "", False
        for unit_value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            d = m // unit_value % 10
            if d == 0:
                zero = bool(out)
            else:
                if zero:
                    out += "零"
                    zero = False
                out += _CN_DIGITS[d] + unit
        return out

    if n == 0:
        return "零"
    high, low = divmod(n, 10000)
    text = section(high) + "万" if high else ""
    if low:
        if high and low < 1000:
            text += "零"
        text += section(low)
    return text[1:] if text.startswith("一十") else text


@st.composite
def quantities(draw: st.DrawFn, unit: str | None = None) -> str:
    """number magnitude? unit — arabic, Chinese numerals or 百分之."""
    kind = draw(st.sampled_from(["arabic", "arabic", "arabic", "magnitude", "chinese",
                                 "percent"]))
    if unit is None:
        unit = draw(st.sampled_from(COUNTERS + MEASURES + COMPOUND + MONEY + ["%", "％", ""]))
    if kind == "magnitude":
        value = draw(numbers(max_value=9999))
        return spaced(draw, arabic(draw, value), draw(st.sampled_from(["万", "亿", "千"])) + unit)
    if kind == "chinese" and unit not in ("%", "％"):
        # 二十万元, but never 一万万元: a numeral ending in 万 takes no 万 unit
        top = 10**4 - 1 if unit[:1] in ("万", "萬", "亿") else 10**8 - 1
        return chinese(draw(st.integers(min_value=1, max_value=top))) + unit
    if kind == "percent":
        return "百分之" + chinese(draw(st.integers(min_value=1, max_value=100)))
    return spaced(draw, arabic(draw, draw(numbers())), unit)


@st.composite
def comparisons(draw: st.DrawFn) -> str:
    quantity = draw(quantities())
    form = draw(st.sampled_from(["symbol", "word", "suffix", "bare", "soft", "signed"]))
    if form == "signed":  # ≥-5%: a fall allowed
        op = draw(st.sampled_from(GE_SYMBOLS + LE_SYMBOLS + EQ_SYMBOLS + GE_WORDS + LE_WORDS))
        unit = draw(st.sampled_from(["%", "％", "万元", "个", ""]))
        return spaced(draw, op, "-" + arabic(draw, draw(numbers())) + unit)
    if form == "symbol":
        op = draw(st.sampled_from(GE_SYMBOLS + GT_SYMBOLS + LE_SYMBOLS + LT_SYMBOLS + EQ_SYMBOLS))
        return spaced(draw, op, quantity)
    if form == "word":
        return draw(st.sampled_from(GE_WORDS + GT_WORDS + LE_WORDS + LT_WORDS)) + quantity
    if form == "suffix":
        return quantity + draw(st.sampled_from(GE_SUFFIXES + LE_SUFFIXES))
    if form == "soft":
        return "控制在" + quantity + draw(st.sampled_from(["以内", ""]))
    return quantity


@st.composite
def ranges(draw: st.DrawFn) -> str:
    unit = draw(st.sampled_from(["%", "％", "周岁", "万元", "个", "人", "天"]))
    low, high = sorted([draw(numbers(max_value=1000)), draw(numbers(max_value=1000))])
    sep = draw(st.sampled_from(["-", "~", "～", "至", "—", "--", "到"]))
    form = draw(st.sampled_from(["both", "high-only", "bracket", "magnitudes", "signed"]))
    if form == "magnitudes":  # 1万-2万元: each end keeps its own magnitude
        magnitude = draw(st.sampled_from(["万", "亿", "千"]))
        unit = draw(st.sampled_from(["元", "人次", "件"]))
        return f"{low}{magnitude}{sep}{high}{magnitude}{unit}"
    if form == "signed":  # -5%~5%, [-10%,-5%]
        low_text = f"-{low}{unit}" if draw(st.booleans()) else f"{low}{unit}"
        if draw(st.booleans()):
            return f"[-{high}{unit},{low_text}]"
        return f"{low_text}{draw(st.sampled_from(['~', '至', '到']))}-{high}{unit}"
    if form == "bracket":
        return f"[{low}{unit},{high}{unit}]"
    if form == "high-only":
        return f"{low}{sep}{high}{unit}"
    return f"{low}{unit}{sep}{high}{unit}"


@st.composite
def dates(draw: st.DrawFn) -> str:
    y = draw(st.integers(min_value=2015, max_value=2030))
    m = draw(st.integers(min_value=1, max_value=12))
    d = draw(st.integers(min_value=1, max_value=28))
    m2 = draw(st.integers(min_value=m, max_value=12))
    return draw(st.sampled_from([
        f"{y}年{m}月前", f"{y}年{m}月底前", f"{m}月底前", f"{m}月前", f"{y}年{m}月{d}日",
        f"{y}年{m}月{d}日前", f"{y}.{m}.{d}", "年底前", f"{y}年{m}月", f"{y}年{m}月-{m2}月",
        f"{y}.{m}.{d}-{m2}.{d}", f"{y}年{m}月底", f"{m}月底到位", f"{y}年{m}月完成",
        f"{y}年{m}月--{y}年{m2}月", f"不晚于{y}年{m}月{d}日",
    ]))


@st.composite
def notes(draw: st.DrawFn, value: str) -> str:
    """A remark after the value, as the forms append them."""
    return value + draw(st.sampled_from(["", "", "", "（含）", "(抽样调查)", "。", "，力争更好"]))


def valid_targets() -> st.SearchStrategy[str]:
    return st.one_of(comparisons(), ranges(), dates(), st.sampled_from(QUALITATIVE),
                     comparisons().flatmap(notes))


def actuals() -> st.SearchStrategy[str]:
    return st.one_of(valid_targets(), st.sampled_from(PHRASES),
                     quantities().map(lambda q: q.replace("件", "万余件")), st.just(""))


INTERESTING = st.sampled_from(list(
    "0123456789.,%％万亿千百十一二三四五六七八九零两年月日底前内以上下及≥≤<>=＝═—-~～至到"
    "()（）[]元件次人个/*·余多约左右OolIS 　达成未不否是高中低"
))


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A valid target with characters inserted, deleted or replaced."""
    text = draw(valid_targets())
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        op = draw(st.sampled_from(["insert", "delete", "replace"]))
        at = draw(st.integers(min_value=0, max_value=len(text)))
        ch = draw(st.one_of(INTERESTING, st.characters()))
        if op == "insert":
            text = text[:at] + ch + text[at:]
        elif op == "delete" and text:
            at = min(at, len(text) - 1)
            text = text[:at] + text[at + 1:]
        elif text:
            at = min(at, len(text) - 1)
            text = text[:at] + ch + text[at + 1:]
    return text


CJK_TEXT = st.text(alphabet=st.one_of(INTERESTING, st.characters(min_codepoint=0x4E00,
                                                                  max_codepoint=0x9FFF)),
                   max_size=20)
ANY_TEXT = st.one_of(st.text(max_size=30), CJK_TEXT, mutated())


def _evaluate_or_syntax(target: str, actual: str, name: str | None) -> Outcome | None:
    try:
        return evaluate(target, actual, name=name)
    except TargetSyntaxError:
        return None


# ------------------------------------------------------------------ laws

class TestRoundTrip:
    """``parse_target(str(t)) == t``, with equal hashes and a stable canonical form."""

    @given(valid_targets())
    @example("≥ 20万件")
    @example("2021.1.1-12.31")
    @example("百分之九十五")
    def test_valid_targets_parse_and_round_trip(self, text: str) -> None:
        t = parse_target(text)
        again = parse_target(str(t))
        assert again == t
        assert hash(again) == hash(t)
        assert str(again) == str(t)

    @given(ANY_TEXT)
    def test_anything_that_parses_round_trips(self, text: str) -> None:
        try:
            t = parse_target(text)
        except TargetSyntaxError:
            return
        again = parse_target(str(t))
        assert again == t and hash(again) == hash(t)

    @given(comparisons())
    def test_comparisons_are_numeric(self, text: str) -> None:
        assert parse_target(text).kind in ("compare", "range", "deadline")


def _monotone_target(draw: st.DrawFn, ops: list[str]) -> tuple[str, str]:
    unit = draw(st.sampled_from(COUNTERS[:20] + ["%", "万元", "公里", "天"]))
    value = draw(numbers(max_value=10**5))
    return draw(st.sampled_from(ops)) + f"{value}{unit}", unit


@st.composite
def positive_pairs(draw: st.DrawFn) -> tuple[str, str, Decimal, Decimal]:
    target, unit = _monotone_target(draw, ["≥", ">", "不低于", "", "至少"])
    low, high = sorted([draw(numbers(max_value=10**6)), draw(numbers(max_value=10**6))])
    return target, unit, low, high


@st.composite
def reverse_pairs(draw: st.DrawFn) -> tuple[str, str, Decimal, Decimal]:
    target, unit = _monotone_target(draw, ["≤", "<", "不超过", "", "控制在"])
    low, high = sorted([draw(numbers(max_value=10**6)), draw(numbers(max_value=10**6))])
    return target, unit, low, high


def _readable(*outcomes: Outcome) -> bool:
    """Both outcomes carry a ratio.  A pair the engine refuses to read — a
    leading 2 that looks like an OCR'd ≥ (2280次 against 300次) — has none to
    order, whatever the actual."""
    return all(o.status != "unverifiable" for o in outcomes)


class TestMonotonicity:
    """More actual never lowers a positive score nor raises a reverse one."""

    @given(positive_pairs(), st.sampled_from(["培训人数", "办理事项数", None]))
    @example(("≥92%", "%", Decimal(92), Decimal(93)), None)
    @example((">92%", "%", Decimal(91), Decimal(92)), None)
    def test_positive(self, pair: tuple[str, str, Decimal, Decimal], name: str | None) -> None:
        target, unit, low, high = pair
        worse = evaluate(target, f"{low}{unit}", name=name)
        better = evaluate(target, f"{high}{unit}", name=name)
        assume(_readable(worse, better))
        assert worse.ratio is not None and better.ratio is not None
        assert better.ratio >= worse.ratio
        assert better.fraction >= worse.fraction

    @given(reverse_pairs(), st.sampled_from(["设备故障率", "安全事故发生数", "投诉次数"]))
    @example(("<5次", "次", Decimal(5), Decimal(6)), "投诉次数")
    @example(("≤0次", "次", Decimal(0), Decimal(1)), "投诉次数")
    def test_reverse(self, pair: tuple[str, str, Decimal, Decimal], name: str) -> None:
        target, unit, low, high = pair
        better = evaluate(target, f"{low}{unit}", name=name)
        worse = evaluate(target, f"{high}{unit}", name=name)
        assume(_readable(worse, better))
        assert worse.ratio is not None and better.ratio is not None
        assert worse.ratio <= better.ratio
        assert worse.fraction <= better.fraction
        assert worse.status != "exceeded" and better.status != "exceeded"

    @given(positive_pairs())
    def test_linear_reverse_pack_keeps_positive_order(
            self, pair: tuple[str, str, Decimal, Decimal]) -> None:
        target, unit, low, high = pair
        worse = evaluate(target, f"{low}{unit}", rules="linear-reverse")
        better = evaluate(target, f"{high}{unit}", rules="linear-reverse")
        assume(_readable(worse, better))
        assert better.fraction >= worse.fraction


@st.composite
def signed_pairs(draw: st.DrawFn, ops: list[str]) -> tuple[str, str, int, int]:
    """A target and two actuals on either side of zero: ≥-5%, -7% and 3%."""
    unit = draw(st.sampled_from(["%", "个", "万元"]))
    target = draw(st.integers(min_value=-500, max_value=500))
    low, high = sorted(draw(st.integers(min_value=-1000, max_value=1000)) for _ in range(2))
    return draw(st.sampled_from(ops)) + f"{target}{unit}", unit, low, high


class TestMonotonicityAcrossZero:
    """The same laws when the target or the actual is below zero (≥-5%)."""

    @given(signed_pairs([">=", ">", "不低于", ""]))
    @example((">=-5%", "%", -7, -5))
    @example((">-5%", "%", -5, -4))
    @example(("≥5%", "%", -3, 0))
    def test_positive(self, pair: tuple[str, str, int, int]) -> None:
        target, unit, low, high = pair
        worse = evaluate(target, f"{low}{unit}", name="收入增长率")
        better = evaluate(target, f"{high}{unit}", name="收入增长率")
        assume(_readable(worse, better))
        assert worse.ratio is not None and better.ratio is not None
        assert better.ratio >= worse.ratio >= 0
        assert better.fraction >= worse.fraction

    @given(signed_pairs(["<=", "<", "不超过"]), st.sampled_from(["mof-2020", "linear-reverse"]))
    @example(("<=-5%", "%", -6, -3), "mof-2020")
    @example(("<=-5%", "%", -3, 2), "linear-reverse")
    def test_reverse(self, pair: tuple[str, str, int, int], rules: str) -> None:
        target, unit, low, high = pair
        better = evaluate(target, f"{low}{unit}", name="成本降低率", rules=rules)
        worse = evaluate(target, f"{high}{unit}", name="成本降低率", rules=rules)
        assume(_readable(worse, better))
        assert worse.ratio is not None and better.ratio is not None
        assert worse.ratio <= better.ratio and worse.ratio >= 0
        assert worse.fraction <= better.fraction
        assert worse.status != "exceeded" and better.status != "exceeded"

    @given(signed_pairs(["="]))
    def test_equal_ratio_lies_in_zero_to_one(self, pair: tuple[str, str, int, int]) -> None:
        target, unit, low, _ = pair
        outcome = evaluate(target, f"{low}{unit}")
        assume(_readable(outcome))  # (210% under =8% may be ≥10%: no ratio)
        assert outcome.ratio is not None and 0 <= outcome.ratio <= 1


class TestNoCrash:
    """Arbitrary text ends in a value or a TargetSyntaxError, never anything else."""

    @given(ANY_TEXT)
    @example("")
    @example("≥")
    @example("(含)")
    @example("优良中差")
    @example("2021年2月30日前")
    @example("[,]")
    @example("1e999999")
    @example("九" * 40 + "万")
    def test_parse_target(self, text: str) -> None:
        try:
            parse_target(text)
        except TargetSyntaxError as e:
            assert str(e).startswith("cannot read ")

    @given(ANY_TEXT)
    def test_parse_actual(self, text: str) -> None:
        try:
            parse_actual(text)
        except TargetSyntaxError as e:
            assert str(e).startswith("cannot read ")

    @given(st.one_of(valid_targets(), ANY_TEXT), st.one_of(actuals(), ANY_TEXT),
           st.one_of(st.none(), st.text(max_size=12), st.sampled_from(
               ["设备故障率", "满意度", "安全事故发生数", "预算执行率", "完成时间"])))
    def test_evaluate(self, target: str, actual: str, name: str | None) -> None:
        _evaluate_or_syntax(target, actual, name)


class TestFractionBounds:
    """0 ≤ fraction ≤ 1 whatever the pair, the pack or the status."""

    @given(valid_targets(), actuals(),
           st.sampled_from(["mof-2020", "hubei-2020", "linear-reverse"]),
           st.sampled_from([None, "设备故障率", "满意度", "培训人数", "安全事故发生数"]))
    def test_valid_pairs(self, target: str, actual: str, rules: str, name: str | None) -> None:
        try:
            outcome = evaluate(target, actual, name=name, rules=rules)
        except TargetSyntaxError:
            return
        assert Decimal(0) <= outcome.fraction <= Decimal(1)
        if outcome.status in ("met", "exceeded"):
            assert outcome.fraction == 1
        if outcome.status in ("unverifiable", "not_applicable"):
            assert outcome.fraction == 0 and outcome.ratio is None

    @given(ANY_TEXT, ANY_TEXT)
    def test_any_text(self, target: str, actual: str) -> None:
        outcome = _evaluate_or_syntax(target, actual, None)
        assume(outcome is not None)
        assert outcome is not None
        assert Decimal(0) <= outcome.fraction <= Decimal(1)
