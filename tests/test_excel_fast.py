"""The reader of .xlsx parts against openpyxl: every cell of every visible
sheet reads as it did when openpyxl opened the workbook (read_only,
data_only), for workbooks as openpyxl writes them and as Excel does (shared
strings, rich text, phonetic guides), pretty-printed or with prefixed tags,
with parts too large to parse whole; and what a hostile or broken part
gets."""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from xml.sax.saxutils import escape, unescape

import openpyxl
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from test_excel import (
    HUBEI_MERGES,
    HUBEI_ROWS,
    MOF_FORMATS,
    MOF_MERGES,
    MOF_ROWS,
    SPLIT_ROWS,
    Formula,
    build,
)

from perfeval import DocumentError, load
from perfeval import excel as X

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples" / "jianghan-2024").glob("*.xlsx"))
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

Cells = dict[str, dict[tuple[int, int], tuple[str, bool, str | None]]]


# ---------------------------------------------------------------- the oracle

def openpyxl_cells(path: Path) -> Cells:
    """Sheet → (row, column) → (text, percent, error), as the reader made
    them from openpyxl's cells before it read the parts itself."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        out: Cells = {}
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                continue
            cells = out.setdefault(ws.title, {})
            rows = ws.iter_rows(min_row=1, max_row=X._MAX_ROWS, max_col=X._MAX_COLUMNS)
            for r, row in enumerate(rows, start=1):
                for c, cell in enumerate(row, start=1):
                    made = openpyxl_text(cell.value, getattr(cell, "number_format", None),
                                         getattr(cell, "data_type", None))
                    if made is not None:
                        cells[(r, c)] = made
        return out
    finally:
        wb.close()


def openpyxl_text(value: object, number_format: str | None,
                  data_type: str | None) -> tuple[str, bool, str | None] | None:
    if value is None:
        return None
    if data_type == "e":
        return str(value), False, str(value)
    if isinstance(value, str):
        return (value, False, None) if value.strip() else None
    if isinstance(value, bool):
        return "是" if value else "否", False, None
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return str(value), False, str(value)
        d = X._decimal(value)
        if X._is_percent(number_format):
            return X._plain(d * 100) + "%", True, None
        return X._plain(d), False, None
    assert isinstance(value, date | time | timedelta)
    return X._date_text(value), False, None


def reader_cells(path: Path) -> Cells:
    return {sheet.title: {(cell.row, cell.col): (cell.text, cell.percent, cell.error)
                          for row in sheet.rows for cell in row.values()}
            for sheet in X._sheets(path, str(path))}


# ---------------------------------------------------------------- workbooks

def rewrite(source: Path, target: Path, edit: Callable[[dict[str, bytes]], object]) -> Path:
    """``source`` with its parts changed by ``edit`` (name → bytes, in place)."""
    with zipfile.ZipFile(source) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    edit(parts)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts.items():
            dst.writestr(name, data)
    return target


def sheet_parts(parts: dict[str, bytes]) -> Iterator[str]:
    return (name for name in sorted(parts) if name.startswith("xl/worksheets/sheet"))


_INLINE = re.compile(rb'(<c r="[A-Z]+[0-9]+"(?: s="[0-9]+")?) t="inlineStr"><is>'
                     rb'<t(?: xml:space="preserve")?>([^<]*)</t></is></c>')


def as_excel_writes(parts: dict[str, bytes]) -> None:
    """Inline strings (openpyxl's) become shared strings (Excel's); every
    other one is rich text in two runs, with a phonetic guide."""
    index: dict[bytes, int] = {}

    def shared(m: re.Match[bytes]) -> bytes:
        number = index.setdefault(m.group(2), len(index))
        return m.group(1) + b' t="s"><v>' + str(number).encode() + b"</v></c>"

    for name in sheet_parts(parts):
        parts[name] = _INLINE.sub(shared, parts[name])
    items = []
    for number, raw in enumerate(index):
        text = unescape(raw.decode())
        if number % 2 and len(text) > 1:
            half = len(text) // 2
            items.append(f'<si><r><rPr><b/></rPr><t xml:space="preserve">{escape(text[:half])}'
                         f'</t></r><r><t xml:space="preserve">{escape(text[half:])}</t></r>'
                         '<rPh sb="0" eb="1"><t>ヨミ</t></rPh><phoneticPr fontId="0"/></si>')
        else:
            items.append(f'<si><t xml:space="preserve">{escape(text)}</t></si>')
    parts["xl/sharedStrings.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN}" '
        f'count="{len(items)}" uniqueCount="{len(items)}">{"".join(items)}</sst>').encode()
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
                      b'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdStrings" Type="http://schemas.openxmlformats'
                              b'.org/officeDocument/2006/relationships/sharedStrings" '
                              b'Target="sharedStrings.xml"/></Relationships>')


def rich_inline(parts: dict[str, bytes]) -> None:
    """Inline strings as rich text: two runs and a phonetic guide, which is
    no part of the text."""
    def rich(m: re.Match[bytes]) -> bytes:
        text = unescape(m.group(2).decode())
        half = len(text) // 2
        return (m.group(1) + b' t="inlineStr"><is>'
                + f'<r><rPr><b/></rPr><t xml:space="preserve">{escape(text[:half])}</t></r>'
                  f'<r><t xml:space="preserve">{escape(text[half:])}</t></r>'
                  '<rPh sb="0" eb="1"><t>ヨミ</t></rPh></is></c>'.encode())

    for name in sheet_parts(parts):
        parts[name] = _INLINE.sub(rich, parts[name])


def pretty_printed(parts: dict[str, bytes]) -> None:
    """Every part indented, as some tools write them (text stays as it was)."""
    for name, data in parts.items():
        if name.endswith((".xml", ".rels")):
            parts[name] = re.sub(rb">(<[A-Za-z/])", rb">\n  \1", data)


def prefixed(parts: dict[str, bytes]) -> None:
    """The sheets' tags with a namespace prefix, <x:c> for <c>."""
    for name in sheet_parts(parts):
        data = parts[name].replace(f'xmlns="{MAIN}"'.encode(), f'xmlns:x="{MAIN}"'.encode())
        parts[name] = re.sub(rb"<(/?)(?=[A-Za-z])", rb"<\1x:", data)


def without_references(parts: dict[str, bytes]) -> None:
    """Rows and cells without their r attribute: each follows the one before."""
    for name in sheet_parts(parts):
        parts[name] = re.sub(rb' r="[A-Z]*[0-9]+"', b"", parts[name])


Value = bool | int | float | str | datetime | time | timedelta
VALUES: list[tuple[Value, str | None]] = [
    (0.1 + 0.2, None), (1923.78, "#,##0.00"), (12, None), (1e-12, None), (10**20, None),
    (123456789012345678, None), (-5, "0.00"), (1e300, None), (0.9951, "0.00%"), (1, "0%"),
    (0.5, '0.0"%"'), (0.25, "0.0%;[Red]-0.0%"), (True, None), (False, None),
    (datetime(2024, 12, 31), "yyyy-mm-dd"), (datetime(2024, 12, 31, 12, 30), "yyyy-mm-dd h:mm"),
    (datetime(1900, 2, 1), "yyyy-mm-dd"), (time(12, 30), "h:mm"),
    (timedelta(hours=30, minutes=5), "[h]:mm:ss"), (45657, 'yyyy"年"m"月"d"日"'),
    (45657, "[$-804]yyyy/m/d"), (0.5, "mm:ss"), ("=100%", None), ("  97%-100%  ", None),
    ("   ", None), ("x005F_y", None), ("#N/A", None), ("多行\n文本", None),
]


def values_workbook(path: Path) -> Path:
    """One cell of each kind the reader tells apart, down column B."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "值"
    for r, (value, fmt) in enumerate(VALUES, start=1):
        ws.cell(row=r, column=1, value=f"第{r}行")
        cell = ws.cell(row=r, column=2, value=value)
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"
        if fmt is not None:
            cell.number_format = fmt
    ws["C1"] = Formula("=B3*2")
    wb.save(path)
    return path


def cached_formula(parts: dict[str, bytes]) -> None:
    """The formula of C1 with the value Excel computed for it (openpyxl saves none)."""
    for name in sheet_parts(parts):
        parts[name] = re.sub(rb"(<f>B3\*2</f>)<v ?/>|(<f>B3\*2</f>)<v></v>",
                             rb"\1\2<v>24</v>", parts[name])


def in_1904(path: Path) -> Path:
    wb = openpyxl.load_workbook(path)
    wb.epoch = CALENDAR_MAC_1904
    wb.save(path)
    return path


def department(path: Path) -> Path:
    return build(path, {"整体自评": HUBEI_ROWS, "说明": [["本表由财务科填报"]],
                        "老旧小区改造": MOF_ROWS, "旧版": MOF_ROWS},
                 merges={"整体自评": HUBEI_MERGES, "老旧小区改造": MOF_MERGES},
                 formats={"老旧小区改造": MOF_FORMATS}, hidden=["旧版"])


def split_form(path: Path) -> Path:
    return build(path, {"绩效自评": SPLIT_ROWS}, formats={"绩效自评": {"E11": "0%", "G11": "0.0%"}})


def values_1904(path: Path) -> Path:
    return in_1904(values_workbook(path))


def example(name: str) -> Callable[[Path], Path]:
    return lambda path: ROOT / "examples" / "jianghan-2024" / name


def pretty_printed_as_excel_writes(parts: dict[str, bytes]) -> None:
    as_excel_writes(parts)
    pretty_printed(parts)


WORKBOOKS: dict[str, Callable[[Path], Path]] = {
    "department": department,
    "split": split_form,
    "values": values_workbook,
    "values-1904": values_1904,
    **{f"example-{p.stem}": example(p.name) for p in EXAMPLES},
}
VARIANTS: dict[str, Callable[[dict[str, bytes]], None] | None] = {
    "as written": None,
    "as Excel writes": as_excel_writes,
    "pretty-printed": pretty_printed_as_excel_writes,
    "prefixed": prefixed,
    "rich inline strings": rich_inline,
    "without references": without_references,
    "with a cached formula": cached_formula,
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("workbook", sorted(WORKBOOKS))
def test_cells_read_as_openpyxl_reads_them(tmp_path: Path, workbook: str, variant: str) -> None:
    path = WORKBOOKS[workbook](tmp_path / "source.xlsx")
    edit = VARIANTS[variant]
    if edit is not None:
        path = rewrite(path, tmp_path / "variant.xlsx", edit)
    assert reader_cells(path) == openpyxl_cells(path)


def test_the_oracle_sees_what_matters(tmp_path: Path) -> None:
    """The comparisons above are not vacuous: the values sheet, as Excel
    writes it, holds each kind of cell."""
    source = values_workbook(tmp_path / "values.xlsx")
    path = rewrite(rewrite(source, tmp_path / "excel.xlsx", as_excel_writes),
                   tmp_path / "cached.xlsx", cached_formula)
    assert "xl/sharedStrings.xml" in zipfile.ZipFile(path).namelist()
    cells = reader_cells(path)["值"]
    column = {r: cell for (r, c), cell in cells.items() if c == 2}
    assert column[1] == ("0.3", False, None)
    assert column[9] == ("99.51%", True, None)
    assert column[13] == ("是", False, None)
    assert column[15] == ("2024年12月31日", False, None)
    assert column[17] == ("1900年2月1日", False, None)  # past Excel's 29 February 1900
    assert column[19] == ("1 day, 6:05:00", False, None)
    assert 25 not in column  # blank text is no cell
    assert column[27] == ("#N/A", False, "#N/A")
    assert cells[(1, 3)] == ("24", False, None)  # the formula's cached value


# ---------------------------------------------------------------- large parts

def test_parts_too_large_to_parse_whole_are_streamed(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A data sheet beside the form, and the shared strings it brings,
    stream through the parser; the data sheet is left at its row limit."""
    data = [[f"数据{i}", i, i / 8, f"第 {i} 条说明"] for i in range(X._MAX_ROWS + 500)]
    source = build(tmp_path / "data.xlsx", {"项目自评表": MOF_ROWS, "数据": data},
                   merges={"项目自评表": MOF_MERGES}, formats={"项目自评表": MOF_FORMATS})
    path = rewrite(source, tmp_path / "excel.xlsx", as_excel_writes)
    monkeypatch.setattr(X, "_WHOLE_PART", 4096)
    with zipfile.ZipFile(path) as archive:
        sizes = {info.filename: info.file_size for info in archive.infolist()}
    assert sizes["xl/sharedStrings.xml"] > 4096 and sizes["xl/worksheets/sheet2.xml"] > 4096
    assert reader_cells(path) == openpyxl_cells(path)
    sheets = list(X._sheets(path, "x"))
    assert len(sheets[1].rows) == X._MAX_ROWS and sheets[1].cut
    assert load(path).name == "老旧小区改造"


def test_a_streamed_table_past_the_row_limit_is_refused(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    rows: list[list[object]] = [["项目名称", "大表"],
                                ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值"]]
    rows += [["产出指标", "数量指标", f"指标{i}", "≥ 10 次", "12 次"] for i in range(2005)]
    path = build(tmp_path / "big.xlsx", {"大表": rows})
    monkeypatch.setattr(X, "_WHOLE_PART", 4096)
    with pytest.raises(DocumentError) as info:
        load(path)
    assert "sheet 大表, cell A2001" in str(info.value) and "past row 2000" in str(info.value)


# ---------------------------------------------------------------- hostile and broken parts

LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>')


def mof_form(tmp_path: Path) -> Path:
    source = build(tmp_path / "mof.xlsx", {"项目自评表": MOF_ROWS},
                   merges={"项目自评表": MOF_MERGES}, formats={"项目自评表": MOF_FORMATS})
    return rewrite(source, tmp_path / "excel.xlsx", as_excel_writes)


def error_of(path: Path) -> str:
    with pytest.raises(DocumentError) as info:
        load(path)
    return str(info.value)


@pytest.mark.parametrize("part", ["[Content_Types].xml", "xl/workbook.xml",
                                  "xl/_rels/workbook.xml.rels", "xl/styles.xml",
                                  "xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"])
@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "streamed"])
def test_xml_entities_are_refused_in_every_part(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                part: str, streamed: bool) -> None:
    def declare(parts: dict[str, bytes]) -> None:
        body = re.sub(rb"^<\?xml[^>]*\?>\s*", b"", parts[part])
        parts[part] = LAUGHS + body

    path = rewrite(mof_form(tmp_path), tmp_path / "laughs.xlsx", declare)
    if streamed:
        monkeypatch.setattr(X, "_WHOLE_PART", 0)
    message = error_of(path)
    assert f"{part}: EntitiesForbidden" in message, message


def test_a_doctype_without_entities_is_read(tmp_path: Path) -> None:
    def declare(parts: dict[str, bytes]) -> None:
        parts["xl/worksheets/sheet1.xml"] = (b'<?xml version="1.0"?><!DOCTYPE worksheet>'
                                             + parts["xl/worksheets/sheet1.xml"])

    assert load(rewrite(mof_form(tmp_path), tmp_path / "doctype.xlsx", declare)).name == \
        "老旧小区改造"


@pytest.mark.parametrize(("edit", "message"), [
    (lambda parts: parts.pop("xl/workbook.xml"),
     "cannot open the workbook: the archive has no part xl/workbook.xml"),
    (lambda parts: parts.update({"xl/styles.xml": b"<styleSheet"}),
     "cannot open the workbook: xl/styles.xml: ParseError: unclosed token"),
    (lambda parts: parts.update({"[Content_Types].xml": b"<Types/>"}),
     "cannot open the workbook: [Content_Types].xml names no workbook part"),
    (lambda parts: parts.update(
        {"xl/worksheets/sheet1.xml": parts["xl/worksheets/sheet1.xml"][:-40]}),
     "cannot read the workbook: xl/worksheets/sheet1.xml: ParseError"),
    (lambda parts: parts.update({"xl/worksheets/sheet1.xml": parts["xl/worksheets/sheet1.xml"]
                                 .replace(b"<v>1250</v>", b"<v>12x</v>")}),
     "sheet 项目自评表, cell D7: cannot read the workbook: the value '12x' is not a number"),
    (lambda parts: parts.update({"xl/worksheets/sheet1.xml": parts["xl/worksheets/sheet1.xml"]
                                 .replace(b't="s"><v>0</v>', b't="s"><v>9999</v>')}),
     "sheet 项目自评表, cell A1: cannot read the workbook: "
     "the value '9999' is not the index of a shared string"),
    (lambda parts: parts.update({"xl/sharedStrings.xml": parts["xl/sharedStrings.xml"]
                                 .replace(b'encoding="UTF-8"', b'encoding="UTF-d"')}),
     "cannot open the workbook: xl/sharedStrings.xml: LookupError: unknown encoding: UTF-d"),
], ids=["no-workbook", "broken-styles", "no-workbook-type", "truncated-sheet", "bad-number",
        "bad-shared-string", "unknown-encoding"])
def test_a_broken_part_is_named(tmp_path: Path, edit: Callable[[dict[str, bytes]], object],
                                message: str) -> None:
    path = rewrite(mof_form(tmp_path), tmp_path / "broken.xlsx", edit)
    text = error_of(path)
    assert text.startswith(f"{path}: {message}"), text


def test_sheets_that_are_no_worksheet_are_passed_over(tmp_path: Path) -> None:
    """A chartsheet, and a sheet whose part is missing, are not read (as
    openpyxl did not read them)."""
    path = build(tmp_path / "chart.xlsx", {"项目自评表": MOF_ROWS, "丢失": [["x"]]},
                 merges={"项目自评表": MOF_MERGES})
    wb = openpyxl.load_workbook(path)
    wb.create_chartsheet("图表")
    wb.save(path)
    path = rewrite(path, tmp_path / "missing.xlsx",
                   lambda parts: parts.pop("xl/worksheets/sheet2.xml"))
    assert [s.title for s in X._sheets(path, "x")] == ["项目自评表"]
    assert load(path).name == "老旧小区改造"


def test_number_formats_follow_each_workbook(tmp_path: Path) -> None:
    """The formats of a styles part are remembered by its bytes: two
    workbooks whose styles differ each read with their own."""
    def form(name: str, fmt: str) -> Path:
        rows: list[list[object]] = [
            ["项目名称", "测试"], ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值"],
            ["产出指标", "数量指标", "指标", "x", 0.95]]
        return build(tmp_path / name, {"表": rows}, formats={"表": {"E3": fmt}})

    for _ in range(2):
        assert load(form("percent.xlsx", "0%")).indicators[0].actual == "95%"
        assert load(form("plain.xlsx", "0.00")).indicators[0].actual == "0.95"


def test_remembered_cell_references_read_as_new_ones() -> None:
    """A reference looked up a second time (from _REF_COLUMNS) gives the
    column it gave the first time; one that is none is refused each time."""
    for ref in ("A1", "BL9", "BM9", "XFD1048576", "ab12"):
        first = X._column_number(ref)
        assert X._REF_COLUMNS.get(ref, first) == first == X._column_number(ref)
    assert X._column_number("BL9") == X._MAX_COLUMNS
    assert X._column_number("XFD1048576") == X._MAX_COLUMNS + 1
    for _ in range(2):
        with pytest.raises(ValueError):
            X._column_number("1A")
    assert "1A" not in X._REF_COLUMNS


def test_the_bytes_of_a_workbook_read_as_its_file(tmp_path: Path) -> None:
    path = mof_form(tmp_path)
    assert X.read(path.read_bytes()) == X.read(path)


# ------------------------------------------------ header rows told at C speed

def header_sheet(*texts: str) -> X._Sheet:
    return X._Sheet("表", [{c: X._Cell(1, c, t) for c, t in enumerate(texts, 1) if t}])


def test_indicator_header_precheck_keeps_every_outcome() -> None:
    """The quick test of a row's words returns None only where the full
    reading did: a row lacking 三级指标 or a target column, even one with a
    column named twice, heads nothing; with both, twice is an error and a
    missing 实际完成值 is one."""
    assert X._indicator_header(header_sheet("三级指标", "三级指标", "实际完成值"), 1) is None
    assert X._indicator_header(header_sheet("年度指标值", "实际完成值", "分值"), 1) is None
    assert X._indicator_header(header_sheet("项目000001工作经费", "95%", "是"), 1) is None
    assert X._indicator_header(header_sheet("一级指标", "三级指标", "", "年度指标值", "实际完成值"),
                               1) == {"level1": 1, "name": 2, "target": 4, "actual": 5}
    with pytest.raises(X._SheetError, match="two columns are headed"):
        X._indicator_header(header_sheet("三级指标", "年度指标值", "实际完成值", "指标值"), 1)
    with pytest.raises(X._SheetError, match="no 实际完成值 column"):
        X._indicator_header(header_sheet("三级指标", "年度指标值", "分值"), 1)


def test_budget_header_precheck_keeps_every_outcome() -> None:
    """A budget header needs both 预算数 and 执行数; with both, the columns,
    their units and the refusal of two budget columns are as before."""
    assert X._budget_header(header_sheet("预算数（A）", "执行率"), 1) is None
    assert X._budget_header(header_sheet("执行数（B）", "执行数（B）"), 1) is None
    assert X._budget_header(header_sheet("预算执行情况（万元）", "预算数（A）", "执行数（B）"), 1) == (
        {"planned": 2, "executed": 3}, {"planned": "万元", "executed": "万元"})
    with pytest.raises(X._SheetError, match="two budget columns"):
        X._budget_header(header_sheet("预算数（A）", "全年预算数（A）", "执行数（B）"), 1)


# ------------------------------------------------ places of indicator values

@pytest.mark.parametrize("layout", ["mof", "hubei", "split"])
def test_indicator_places_name_their_cells(tmp_path: Path, layout: str) -> None:
    """The places of an indicator's keys, looked up from its values when an
    error asks, are the cell of each key's column on its row (the reference
    of an empty one), the indicator itself is its name's cell, and a key it
    does not have has no place."""
    rows = {"mof": MOF_ROWS, "hubei": HUBEI_ROWS, "split": SPLIT_ROWS}[layout]
    path = build(tmp_path / f"{layout}.xlsx", {"表": rows})
    cells = X.read(path).cells
    assert cells is not None
    form = X._scan_workbook(path, str(path)).root
    prefixes = ([f"indicators[{i}]" for i in range(len(form.loose))]
                + [f"goals[{g}].indicators[{i}]" for g, b in enumerate(form.goals)
                   for i in range(len(b.lines))])
    assert len(prefixes) == len(form.lines) > 3
    seen = set(cells)
    for prefix, line in zip(prefixes, form.lines, strict=True):
        assert cells[prefix] == cells[f"{prefix}.name"]
        for key in ("name", "actual", "weight", "score", "reason"):
            if key in line.columns:
                ref = f"{X._LETTERS[line.columns[key]]}{line.row}"
                assert cells[f"{prefix}.{key}"] == f"sheet 表, cell {ref}"
                assert f"{prefix}.{key}" in seen
        assert cells.get(f"{prefix}.unit") is None and cells.get(f"{prefix}.nothing") is None
        assert prefix in seen
    assert len(cells) == len(seen)
    assert cells.get(f"indicators[{len(form.lines)}].name") is None


def test_a_value_is_read_wherever_it_stands_in_its_cell(tmp_path: Path) -> None:
    """The value of a cell is read from its first child when that is the
    value, else found among the children: after a formula, or before one."""
    source = build(tmp_path / "s.xlsx", {"表": [["占位"]]})

    def cells(parts: dict[str, bytes]) -> None:
        for name in sheet_parts(parts):
            parts[name] = re.sub(
                rb"<sheetData>.*</sheetData>",
                '<sheetData><row r="1">'
                '<c r="A1"><v>1.5</v></c>'
                '<c r="B1"><f>1+1</f><v>2</v></c>'
                '<c r="C1"><v>3</v><f>1+2</f></c>'
                '<c r="D1" t="inlineStr"><is><t>甲</t></is></c>'
                '<c r="E1" t="inlineStr"><f>"乙"</f><is><t>乙</t></is></c>'
                '<c r="F1" t="inlineStr"><f>"丙"</f></c>'
                '<c r="G1" t="str"><f>"丁"</f><v>丁</v></c>'
                '<c r="H1"><f>1+1</f><v></v></c>'
                '<c r="I1"><f>1+1</f></c>'
                '</row></sheetData>'.encode(), parts[name], flags=re.DOTALL)

    path = rewrite(source, tmp_path / "t.xlsx", cells)
    assert {k: v[0] for k, v in reader_cells(path)["表"].items()} == {
        (1, 1): "1.5", (1, 2): "2", (1, 3): "3", (1, 4): "甲", (1, 5): "乙", (1, 7): "丁"}


def test_places_tell_they_are_there_without_listing_them(monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path: Path) -> None:
    """A workbook's places are asked whether there are any on every read:
    that is answered without writing out every path, and agrees with len()."""
    cells = X.read(build(tmp_path / "m.xlsx", {"表": MOF_ROWS})).cells
    assert isinstance(cells, X._Places) and len(cells) > 0
    monkeypatch.setattr(X._Places, "_paths", lambda self: pytest.fail("paths listed"))
    assert cells
    assert not X._Places({}, {})
