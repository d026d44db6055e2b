"""The equivalences the fast paths of the parser and of evaluate rely on.

Each fast path replaced a slower spelling of the same computation; these
laws pin the two together, so that a later edit to either side shows up here
rather than as a changed outcome somewhere in a table.
"""

from __future__ import annotations

import csv
import importlib
from decimal import Decimal
from fractions import Fraction
from functools import partial
from pathlib import Path

from hypothesis import example, given
from hypothesis import strategies as st

from perfeval import _normalize, _parser, _units, batch, targets
from perfeval.evaluate import _dec, _ratio

_UNIT_TEXT = st.text(alphabet=st.sampled_from(sorted(set("".join(_units.UNITS)) | set("/*1x"))),
                     max_size=8)


@given(st.integers(-10**30, 10**30), st.integers(-10**30, 10**30).filter(bool))
def test_ratio_of_integers_is_the_decimal_of_their_fraction(numerator: int,
                                                           denominator: int) -> None:
    # repr: the same Decimal down to its exponent and the sign of a zero
    assert repr(_ratio(numerator, denominator)) == repr(_dec(Fraction(numerator, denominator)))


@given(_UNIT_TEXT, st.integers(0, 9))
def test_known_unit_is_the_longest_unit_at_the_position(text: str, start: int) -> None:
    longest = max((u for u in _units.UNITS if text.startswith(u, start)), key=len, default=None)
    assert _units.split_known_unit(text, start) == longest


_WORD_TEXT = st.text(alphabet="ab年月底", max_size=8)


@given(st.sets(_WORD_TEXT.filter(bool), max_size=12), _WORD_TEXT, st.integers(0, 9))
def test_words_finds_the_longest_word_at_the_position(vocabulary: set[str], text: str,
                                                      start: int) -> None:
    longest = max((w for w in vocabulary if text.startswith(w, start)), key=len, default=None)
    assert _units.Words(vocabulary).at(text, start) == longest


@given(st.text(max_size=300))
def test_fold_memo_returns_what_normalize_gives(text: str) -> None:
    assert _normalize.fold(text) == str(_normalize.normalize(text))
    assert _normalize.fold(text) == str(_normalize.normalize(text))  # (now from the memo)


@example(" ２０%", "2")
@example("-2", "-")
@example("--", "-")
@example("2。", "2")
@given(st.text(alphabet=st.sampled_from("2２②²-~ \u3000。,;\"x≥"), max_size=6) | st.text(max_size=8),
       st.sampled_from("2-~x≥>"))
def test_fold_startswith_is_fold_then_startswith(text: str, char: str) -> None:
    assert _normalize.fold_startswith(text, char) == _normalize.fold(text).startswith(char)


# Pieces of figures, glued in any order: numbers long and short, magnitudes,
# units known and unknown, comparators, frames, approximations, separators.
_FIGURE_TEXT = st.lists(st.sampled_from([
    "1", "20", "95.5", "9" * 12, "9" * 25, "1,200", ".5", "0", "二十", "一百五", "两", "十",
    "万", "亿", "千", "百", "余", "多", "%", "件", "人次", "万元", "公里", "个", "月", "工作日",
    "乡", "村民", "x", "M", "o", "/", "*", ">=", "<", "=", "不低于", "达到", "控制在", "全年",
    "每月", "约", "大约", "近", "百分之", "成", "以上", "以内", "左右", "完成", "年", "底前",
    "(", ")", ",", "[", "]", "-", "~", "至", "到", "(含)", "(不含)", "八成五",
]), max_size=8).map("".join)


def _read(rule, text):  # type: ignore[no-untyped-def]
    """What a rule of the grammar makes of ``text``: fields, a failure or an error."""
    try:
        return ("fields", rule(text))
    except _parser._Fail:
        return ("fail",)
    except _parser._Syntax as e:
        return ("syntax", e.reason, e.start, e.end)


def _corpus_texts() -> list[str]:
    path = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "real-strings.tsv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return sorted({str(_normalize.normalize(r[k] or "")) for r in rows for k in ("target", "actual")})


def _check_no_separator_no_range(text: str) -> None:
    if text.startswith("[") or _parser._has_range_separator(text):
        return
    ranged = _read(_parser._range, text)
    assert ranged[0] != "fields"
    if ranged[0] == "syntax":
        # _structured skips _range and runs it only once _compare has raised
        for strict in (False, True):
            assert _read(partial(_parser._compare, strict=strict), text)[0] == "syntax"


@example("90%-100%")
@example("1~2个")
@example("3至5天")
@example("10到20人")
@example("1亿亿亿乡")  # too large: _range's span stops before 乡, _compare's takes it
@example("100万元(含)以内")
@example("八成五")
@example("二十万")
@example("9999999999999999999999999人")
@given(_FIGURE_TEXT)
def test_a_text_without_a_range_separator_is_no_range(text: str) -> None:
    _check_no_separator_no_range(text)


def test_no_corpus_text_without_a_range_separator_is_a_range() -> None:
    for text in _corpus_texts():
        _check_no_separator_no_range(text)


@given(st.text(alphabet="-~至到2%", max_size=6))
def test_range_separator_test_spells_out_the_separators(text: str) -> None:
    assert _parser._has_range_separator(text) == any(sep in text for sep in _parser._RANGE_SEPS)


# Pieces of dates and deadlines.
_DATE_TEXT = st.lists(st.sampled_from([
    "2023", "2021", "12", "31", "1", "0", "年", "月", "日", "号", "底", "前", "末", "季度", "一",
    "十二", "第", "度", "本", "当", "全", "上半", "截至", "不晚于", "最迟", "已于", "<=", "<",
    "完成", "已", "内", "之", "以", "为止", "份", ".", "/", "-", "~", "至", "%", "人", ",",
]), max_size=8).map("".join)


def _check_undated_no_deadline(text: str) -> None:
    if not _parser._may_be_date(text):
        assert _read(_parser._deadline, text) == ("fail",)


@example("12月底到位")
@example("2021.12")
@example("12.31前")
@example("2021-12-31")
@example("2021/12")
@example("一季度")
@example("上半年")
@given(st.one_of(_DATE_TEXT, _FIGURE_TEXT))
def test_a_text_without_a_date_character_is_no_deadline(text: str) -> None:
    _check_undated_no_deadline(text)


def test_no_corpus_text_without_a_date_character_is_a_deadline() -> None:
    for text in _corpus_texts():
        _check_undated_no_deadline(text)


@example(Decimal("9223372036854.775807"))  # 2⁶³ - 1 millionths
@example(Decimal("9223372036854.775808"))
@example(Decimal("-0.0000005"))
@example(Decimal("1E+30"))
@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_scaled_is_the_value_in_millionths_when_whole_and_in_int64(value: Decimal) -> None:
    scaled = Fraction(value) * 10**6
    whole = scaled.denominator == 1 and abs(scaled) < 2**63
    assert batch._scaled(value) == (scaled.numerator if whole else None)


def test_no_picklist_phrase_opens_another() -> None:
    # parse_actual looks up the one phrase a text may open with
    phrases = targets._PHRASES
    assert not [(a, b) for a in phrases for b in phrases if a != b and b.startswith(a)]


def test_symbol_starts_are_the_symbols_first_characters_and_symbols_themselves() -> None:
    # _compare tests one character for s.startswith(_SYMBOLS, pos)
    assert {symbol[0] for symbol in _parser._SYMBOLS} == _parser._SYMBOL_STARTS
    assert _parser._SYMBOL_STARTS <= set(_parser._SYMBOLS)


@example("全年每月不少于1次")
@example("每月每年1次")
@example("每季度累计每月2次")
@given(st.lists(st.sampled_from([*_parser._FRAME_WORDS, *_parser._PERIOD_WORDS, "每", "1次", "季",
                                  "度", ">="]), max_size=5).map("".join))
def test_frame_reads_frame_words_and_one_period(text: str) -> None:
    # the grammar's frame := (frame_word | '每' period)*, spelled as a regex
    import re
    period = "|".join(w[1:] for w in sorted(_parser._PERIOD_WORDS, key=len, reverse=True))
    frame = "|".join(sorted(_parser._FRAME_WORDS, key=len, reverse=True))
    m = re.match(f"(?:{frame})*(?:每(?P<p>{period}))?(?:{frame})*", text)
    assert m is not None
    assert _parser._frame(text, 0) == (m["p"], m.end())


# Targets, actuals and names whose outcome depends on every argument of
# evaluate: the catalog's direction by name, a year-less date, a bare target.
# Names share targets and actuals but differ in what they change (direction,
# a rate bounded by 100%) or only in their label, "" and None included.
_TARGETS = st.sampled_from(["90", "≥90%", "≤5%", "12月底前", "明显提高", "3-5万元", "不适用", "",
                            "100%", "≥20万件", "3%"])
_ACTUALS = st.sampled_from(["95", "95%", "3%", "2024年11月", "有所提高", "4万元", "", None,
                            "120%", "51", "无"])
_NAMES = st.sampled_from(["预算执行率", "设备故障率", "群众投诉次数", None, "", "群众满意度",
                          "资金使用合规率", "办件数量"])


@given(_TARGETS, _ACTUALS, _NAMES, st.sampled_from([None, "positive", "reverse", "equal"]),
       st.sampled_from([None, 2023, 2024]), st.booleans())
def test_memoised_evaluate_is_the_uncached_one_whatever_was_asked_first(
        target: str, actual: str | None, name: str | None, direction: str | None,
        year: int | None, applicable: bool) -> None:
    from perfeval.evaluate import _evaluate_uncached, evaluate
    from perfeval.rules import DEFAULT_PACK, load_pack

    pack = load_pack(DEFAULT_PACK)  # an object, as scoring passes it
    plain = _evaluate_uncached(target, actual, name=name)
    other = _evaluate_uncached(target, actual, name=name, direction=direction, year=year,
                               applicable=applicable)
    for _ in range(2):  # the second round answers from the memos
        assert evaluate(target, actual, name=name) == plain
        assert evaluate(target, actual, name=name, direction=direction, year=year,
                        applicable=applicable) == other
        assert evaluate(target, actual, name=name, rules=pack, direction=direction, year=year,
                        applicable=applicable) == other
        assert evaluate(target, actual, name=name, rules="mof-2020") == plain


def test_the_plain_memo_stays_within_its_size(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    module = importlib.import_module("perfeval.evaluate")  # (perfeval.evaluate is the function)
    monkeypatch.setattr(module._plain, "size", 5)
    module._plain.clear()
    for n in range(20):
        assert module.evaluate(f"≥{n}件", f"{n + 1}件") == module._evaluate_uncached(
            f"≥{n}件", f"{n + 1}件")
        assert 1 <= len(module._plain) <= 5


def _rglob_documents(root: Path) -> list[str]:
    """The folder listing as pathlib spells it, which cli._under replaces."""
    from perfeval.cli import DOCUMENT_SUFFIXES

    return [str(p) for p in sorted(
        p for p in root.rglob("*")
        if p.suffix.lower() in DOCUMENT_SUFFIXES and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
        and not p.name.startswith("~$"))]


_NAME = st.text(alphabet=st.sampled_from(list("ab-_.~$ 表")), min_size=1, max_size=4).filter(
    lambda n: n not in {".", ".."})
_SUFFIX = st.sampled_from([".yaml", ".YML", ".json", ".xlsx", ".txt", "", ".yaml.bak"])
_ENTRY = st.tuples(st.lists(_NAME, max_size=3), _NAME, _SUFFIX,
                   st.sampled_from(["file", "dir", "link-to-file", "link-to-dir", "broken-link"]))


@given(st.lists(_ENTRY, max_size=12))
def test_folder_listing_is_pathlibs(entries: list[tuple[list[str], str, str, str]]) -> None:
    import os
    import tempfile

    from perfeval.cli import _under

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "batch"
        root.mkdir()
        outside = Path(tmp) / "outside"
        (outside / "sub").mkdir(parents=True)
        (outside / "sub" / "t.yaml").write_text("x")
        (outside / "t.json").write_text("x")
        for folders, name, suffix, kind in entries:
            where = root.joinpath(*folders)
            try:
                where.mkdir(parents=True, exist_ok=True)
                path = where / (name + suffix)
                if path.exists() or path.is_symlink():
                    continue
                if kind == "file":
                    path.write_text("x")
                elif kind == "dir":
                    path.mkdir()
                elif kind == "link-to-file":
                    path.symlink_to(outside / "t.json")
                elif kind == "link-to-dir":
                    path.symlink_to(outside / "sub", target_is_directory=True)
                else:
                    path.symlink_to(outside / "nothing.yaml")
            except (FileExistsError, NotADirectoryError):
                continue  # a file where a folder was asked for: not a tree
        assert _under(str(root)) == _rglob_documents(root)
        cwd = os.getcwd()
        os.chdir(root)
        try:
            assert _under(".") == _rglob_documents(Path("."))
        finally:
            os.chdir(cwd)


def test_findings_are_made_as_their_dataclass_would_make_them() -> None:
    """Finding fills its slots itself (see findings.py); the object must be
    the one the frozen dataclass's own __init__ would give."""
    import dataclasses
    import pickle

    from perfeval.findings import Finding

    @dataclasses.dataclass(frozen=True, slots=True)
    class Reference:
        rule: str
        message: str
        document: str | None = None
        indicator: str | None = None

    calls = [(("unit-missing", "m"), {}), (("unit-missing", "m", "a.yaml"), {}),
             (("weights-sum", "m"), {"indicator": "指标"}),
             ((), {"rule": "budget-missing", "message": "m", "document": None, "indicator": ""})]
    for args, kwargs in calls:
        made, reference = Finding(*args, **kwargs), Reference(*args, **kwargs)  # type: ignore[arg-type]
        assert dataclasses.astuple(made) == dataclasses.astuple(reference)
        assert repr(made) == "Finding" + repr(reference).partition("Reference")[2]
        assert made == Finding(*args, **kwargs) and hash(made) == hash(Finding(*args, **kwargs))
        assert pickle.loads(pickle.dumps(made)) == made
        assert dataclasses.replace(made, message="x").message == "x"
        try:
            made.message = "changed"  # type: ignore[misc]
        except dataclasses.FrozenInstanceError:
            pass
        else:
            raise AssertionError("a Finding must stay frozen")
    try:
        Finding("unit-missing")  # type: ignore[call-arg]
    except TypeError:
        pass
    else:
        raise AssertionError("a Finding needs its message")
