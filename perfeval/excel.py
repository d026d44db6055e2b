"""Excel self-evaluation forms (``.xlsx``): read them, and write them back scored.

:func:`read` turns a workbook into the same neutral tree that
:mod:`perfeval.documents` builds from YAML, so every key alias, every value
check and every error message of a YAML document applies to a form as well;
:func:`perfeval.load` and ``perfeval score form.xlsx`` call it.
:func:`scored_workbook` gives a form back with 分值 and 得分 filled in.
Reading parses the few XML parts of the archive that hold a form's text
(a millisecond or two a form; see "Reading the parts of a workbook"
below); writing back goes through openpyxl, which keeps the rest.

Three layouts are read, and anything in between:

- **the MOF 项目支出绩效自评表** (财预〔2020〕10号): a header block (项目名称,
  主管部门, 项目实施单位), a 预算执行情况 block whose 年度资金总额 row holds
  预算数（A）, 执行数（B）, 执行率（B/A）, 分值 and 得分, and the columns
  一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 |
  偏差原因分析及改进措施, 一级 and 二级 merged down their rows;
- **Hubei's 部门（单位）整体绩效自评表**, the template of the seed: 单位名称,
  基本支出总额 / 项目支出总额, a 部门整体支出总额 row, 年度目标 1, 年度目标 2 …
  each followed by rows of 年初目标值（A） | 实际完成值（B）, and the closing
  rows 偏差大或目标未完成原因分析 and 改进措施及结果应用方案;
- **the split-cell export** of the budgeting systems: 指标性质 | 指标值 |
  度量单位 | 完成值 | 权重 | 得分 | 未完成原因分析, values in numeric cells.
  ``≥`` | ``95`` | ``%`` becomes the target ``≥95%``.

How a form is read:

- **Blocks are found by their header words, never by position**: the
  indicator table starts at a row holding 三级指标 (or 指标名称) and a target
  column (年度指标值, 年初目标值, 指标值 …); the budget block at a row holding
  预算数 and 执行数; a label such as 项目名称 takes the next filled cell to
  its right.  Title rows, blank rows, footnotes (备注, 注：, 说明 …), a 总分
  row and columns perfeval does not use are passed over.
- **Merged cells**: a merged 一级指标 or 二级指标 is filled only in its top
  cell, so a blank one carries the value above it down (a new 一级指标 clears
  the 二级指标 it carried).
- **Sheets**: hidden sheets are skipped, and so is every sheet without an
  indicator table (instructions, lists, a 审核发现 sheet written by perfeval).
  One form sheet is the document.  A 部门整体 sheet beside project sheets is
  a department whose projects are those sheets.  Several project sheets
  without a department is an error: split them into one workbook each.
- **Cells**: text is kept exactly.  A number becomes its decimal text, to
  the 15 significant digits Excel keeps (``0.30000000000000004`` is ``0.3``)
  and at most 10 decimals.  A date becomes ``2024年12月31日``, and TRUE/FALSE
  become 是/否.  A formula is read as its cached value.  A cell holding an
  Excel error (``#DIV/0!``) stops the read, naming the cell.
- **Percentages**: Excel stores ``95%`` as the number 0.95 with a percent
  number format; such a cell is read as ``95%`` (in a 分值 or 权重 column,
  as 95 points).  A plain number is read as it is displayed: 95 under a
  度量单位 of ``%`` is 95%, and 0.5 is 0.5%, because that is how the budgeting
  systems export 指标值 (the number in percent points, the unit beside it) and
  how a reviewer reads the sheet.  Two exceptions, where the displayed
  reading cannot be what the officer meant: a plain 0 < value < 1 as a lower
  bound (``≥``, ``>`` or a bare positive target) or a value ≤ 1 with ``=``,
  under ``%``, is a fraction (``≥`` | ``0.95`` | ``%`` is ``≥95%``; nobody sets
  a floor below 1%, while ceilings such as ``≤0.5%`` for a 故障率 are common),
  and the 完成值 of such a row is read the same way when it is at most 1.
  A plain 执行率 at most 1 is read in whichever scale agrees with 执行数 /
  预算数.
- **Errors** are :class:`~perfeval.errors.DocumentError` naming the file, the
  sheet and the cell: ``form.xlsx: sheet 项目自评表, cell E9: …``.
- **Safety**: a file that is not a zip archive is refused before any part
  of it is read, and so is an archive whose members unpack to more than
  50 MB (a zip bomb) or that has more than 2,000 of them; XML entities are
  refused, as defusedxml refuses them.  Only the first 2,000 rows and 64
  columns of a sheet are read, and the rest of the sheet is never parsed.

Writing back keeps the workbook (styles, merges, formulas; openpyxl drops
images and charts it cannot read) and fills the cells the reader located:
the 分值 and 得分 of the budget block, of each indicator row and of a 总分
row.  A form without 分值 / 得分 columns (Hubei's template) gets them to the
right of its table, then a 审核发现 column with each finding beside the row
it concerns (table-level findings beside the budget row), and every finding
goes to a sheet of its own, 审核发现.  A YAML or JSON document is written as
a clean form: a project in the MOF layout, a department in Hubei's layout
with its projects on sheets of their own.  The same input gives the same
bytes.
"""

from __future__ import annotations

import functools
import io
import itertools
import math
import operator
import os
import posixpath
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypeVar
from xml.etree import ElementTree as ET
from xml.parsers import expat

from defusedxml.common import (  # type: ignore[import-untyped,unused-ignore]
    EntitiesForbidden,
    ExternalReferenceForbidden,
)

from perfeval import documents as _docs
from perfeval._tree import Mapping_ as _Mapping
from perfeval._tree import Node as _Node
from perfeval._tree import Scalar as _Scalar
from perfeval._tree import Sequence as _Sequence
from perfeval.errors import DocumentError

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    from perfeval.documents import Document, Indicator, Project
    from perfeval.findings import Finding
    from perfeval.report import IndicatorResult, Report

__all__ = ["MAX_UNCOMPRESSED", "read", "scored_workbook", "write_form", "write_scored"]

Source = str | os.PathLike[str] | bytes

# --------------------------------------------------------------------------
# Limits
# --------------------------------------------------------------------------

# A real form unpacks to well under 1 MB; 50 MB leaves room for a department
# workbook with a hundred project sheets, while a zip bomb (a few KB that
# inflate to gigabytes) is refused before anything is inflated.  The
# sizes are those the archive declares: zipfile never inflates a member past
# its declared size (it fails the CRC check instead), so they are a true bound.
MAX_UNCOMPRESSED = 50 * 1024 * 1024
# An .xlsx holds a few dozen parts; thousands are a crafted archive.
_MAX_MEMBERS = 2000
# A form is at most a few hundred rows and about ten columns.  Reading a
# bounded window keeps a sheet whose last cell is XFD1048576 from costing
# anything.
_MAX_ROWS = 2000
_MAX_COLUMNS = 64
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and encrypted .xlsx
# Excel keeps 15 significant digits; past them a float's digits are noise.
_EXCEL_DIGITS = 15

FINDINGS_SHEET = "审核发现"
_FINDINGS_HEADER = "审核发现"
_POINTS_FORMAT = "0.00"
_PERCENT_FORMAT = "0.00%"


def _fail(file: str, message: str, where: str | None = None) -> NoReturn:
    raise DocumentError(message, path=file, key=where)


# --------------------------------------------------------------------------
# Opening a workbook
# --------------------------------------------------------------------------


def _label(source: Source) -> str:
    return "<workbook>" if isinstance(source, bytes) else os.fspath(source)


def _contents(source: Source, file: str) -> bytes:
    """The bytes of the workbook, once its first bytes and its size show that
    it can be one (a file past the limit is never read into memory)."""
    if isinstance(source, bytes):
        _check_head(source[:8], len(source), file)
        return source
    try:
        with open(source, "rb") as f:
            head = f.read(8)
            size = os.fstat(f.fileno()).st_size
            _check_head(head, size, file)
            # A file is read to its size (read(n) sets n bytes aside first); a
            # pipe tells no size, and is read up to a byte past the limit.
            data = head + f.read(size - len(head) if size else MAX_UNCOMPRESSED + 1)
            _check_head(head, len(data), file)
            return data
    except FileNotFoundError:
        _fail(file, "file not found")
    except OSError as e:
        _fail(file, f"cannot read the file: {e.strerror or e}")


def _check_head(head: bytes, size: int, file: str) -> None:
    if head.startswith(_OLE2):
        _fail(file, "this is an old .xls workbook or an encrypted one: "
                    "save it from Excel or WPS as an unprotected .xlsx workbook")
    if size > MAX_UNCOMPRESSED:
        _fail(file, f"file is larger than {MAX_UNCOMPRESSED // (1024 * 1024)} MB")
    if not head.startswith(b"PK"):
        _fail(file, "not an .xlsx workbook (the file is not a zip archive)")


def _archive(data: bytes, file: str) -> zipfile.ZipFile:
    """The zip archive of a workbook, refused if it would inflate past the limit."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as e:
        _fail(file, f"not an .xlsx workbook (broken zip archive: {e})")
    if len(members) > _MAX_MEMBERS:
        _fail(file, f"the archive holds {len(members)} parts, more than a workbook has")
    total = sum(m.file_size for m in members)
    if total > MAX_UNCOMPRESSED:
        _fail(file, f"the workbook unpacks to {total // (1024 * 1024)} MB, more than the "
                    f"{MAX_UNCOMPRESSED // (1024 * 1024)} MB a form can take (a zip bomb?)")
    return archive


def _open(source: Source, file: str) -> Workbook:
    """The workbook in openpyxl, to be written back (formulas kept, not their values)."""
    data = _contents(source, file)
    _archive(data, file)
    from openpyxl import load_workbook

    try:
        # In memory: openpyxl leaves its file open when a broken part makes it fail.
        return load_workbook(io.BytesIO(data), keep_links=False)
    except Exception as e:  # noqa: BLE001 - openpyxl raises a zoo of errors for broken parts
        _fail(file, f"cannot open the workbook: {_reason(e)}")


def _reason(e: BaseException) -> str:
    # openpyxl wraps the real cause ("could not read worksheets … Please see
    # the exception"): name the innermost one.
    while (inner := e.__cause__ or e.__context__) is not None:
        e = inner
    text = str(e).strip().splitlines()[0] if str(e).strip() else ""
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


# --------------------------------------------------------------------------
# Reading the parts of a workbook
# --------------------------------------------------------------------------
#
# The reader parses only the parts of the archive that a form's text is in:
# [Content_Types].xml (which part is the workbook), the workbook and its
# relationships (the sheets, their names, which are hidden, the 1904 date
# system), the shared strings, the number formats of the styles, and each
# visible sheet up to its row limit.  Each goes through expat's C tree
# builder, and Python looks only at the elements it needs: two or three
# milliseconds a form, where openpyxl, which builds an object model of the
# whole workbook (styles, fonts and all), took twenty to thirty.  Cells read
# as they did through openpyxl with data_only=True, quirks included; the
# tests compare the two cell by cell.  python-calamine, faster still, was no
# option: it tells no number formats (a percent cell would read 0.95), reads
# an error cell as an empty one, and allocates a sheet's whole rectangle, so
# that one cell at XFD1048576 aborts the process.

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_CONTENT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_ROW, _CELL, _VALUE, _INLINE_STRING, _TEXT, _RUN = (
    _MAIN + tag for tag in ("row", "c", "v", "is", "t", "r"))
_WORKBOOK_TYPES = frozenset(
    f"application/vnd.{kind}.main+xml" for kind in (
        "openxmlformats-officedocument.spreadsheetml.sheet",
        "ms-excel.sheet.macroEnabled",
        "openxmlformats-officedocument.spreadsheetml.template",
        "ms-excel.template.macroEnabled",
    ))
# The parts of a form are a few kilobytes each and are parsed whole.  A
# larger part (a data sheet beside the form, or its shared strings) streams
# through the parser instead, element by element: parsed whole, 50 MB of XML
# would take a gigabyte of memory.
_WHOLE_PART = 1 << 20
_CHUNK = 1 << 16
# What a malformed part raises: expat's errors; LookupError for an encoding
# expat does not know, or a shared string that is not there (IndexError);
# ValueError for a number that is none (and defusedxml's refusals);
# zipfile's and zlib's for a damaged member, an encrypted one (RuntimeError)
# or an unknown compression.
_BROKEN = (ET.ParseError, expat.ExpatError, LookupError, ValueError, OverflowError, EOFError,
           zlib.error, zipfile.BadZipFile, NotImplementedError, RuntimeError)


class _BrokenPart(Exception):
    """A part missing from the archive, or malformed; the message names it."""


class _BadCell(Exception):
    """A cell whose value its type cannot hold (text in a number cell)."""

    def __init__(self, sheet: str, ref: str, message: str) -> None:
        super().__init__(message)
        self.where = f"sheet {sheet}, cell {ref}"


# What the value of a cell of each type (its t) must be.
_CELL_VALUES = {"n": "a number", "s": "the index of a shared string", "b": "0 or 1"}


@contextmanager
def _reading(part: str) -> Iterator[None]:
    """Turn what a malformed ``part`` raises into a :class:`_BrokenPart` naming it."""
    try:
        yield
    except _BROKEN as e:
        raise _BrokenPart(f"{part}: {_reason(e)}") from e


# defusedxml's handlers, for the guard below.
def _refuse_entity(name: str, is_parameter: bool, value: str | None, base: str | None,
                   sysid: str | None, pubid: str | None, notation: str | None) -> NoReturn:
    raise EntitiesForbidden(name, value, base, sysid, pubid, notation)


def _refuse_unparsed_entity(name: str, base: str | None, sysid: str | None, pubid: str | None,
                            notation: str | None) -> NoReturn:
    raise EntitiesForbidden(name, None, base, sysid, pubid, notation)


def _refuse_external(context: str, base: str | None, sysid: str | None,
                     pubid: str | None) -> NoReturn:
    raise ExternalReferenceForbidden(context, base, sysid, pubid)


class _RootReached(Exception):
    pass


class _EntityGuard:
    """Reads a part up to its root element, refusing XML entities as
    defusedxml does.

    An entity can only be declared in the document type declaration, which
    comes before the root element; the C tree builder, which cannot be told
    to refuse one, parses the part only after this has read that far.  A
    part that is not well-formed is left to the tree builder to report.
    """

    def __init__(self) -> None:
        self.parser = expat.ParserCreate()
        self.parser.EntityDeclHandler = _refuse_entity
        self.parser.UnparsedEntityDeclHandler = _refuse_unparsed_entity
        self.parser.ExternalEntityRefHandler = _refuse_external
        self.parser.StartElementHandler = self._root
        self.done = False

    @staticmethod
    def _root(name: str, attrs: dict[str, str]) -> NoReturn:
        raise _RootReached

    def feed(self, data: bytes, final: bool = False) -> None:
        if not self.done:
            try:
                self.parser.Parse(data, final)
            except (_RootReached, expat.ExpatError):
                self.done = True


def _member(archive: zipfile.ZipFile, part: str) -> zipfile.ZipInfo:
    try:
        return archive.getinfo(part)
    except KeyError:
        raise _BrokenPart(f"the archive has no part {part}") from None


def _whole(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """The bytes of a member, read up to the size it declares.

    zipfile's ``read()`` of a whole member inflates all of it before it
    checks that size: a member that declares a kilobyte and holds a
    gigabyte would fill memory.  Read to its size, it fails the CRC check.
    """
    with archive.open(info) as stream:
        return stream.read(info.file_size)


def _elements(archive: zipfile.ZipFile, part: str, *tags: str) -> Iterator[ET.Element]:
    """Each element of ``part`` with one of ``tags``, complete, in document order.

    Call within :func:`_reading`.  The elements of a streamed part are
    emptied once the caller has moved on.
    """
    info = _member(archive, part)
    if info.file_size <= _WHOLE_PART:
        yield from _parsed(_whole(archive, info), tags)
        return
    with archive.open(info) as stream:
        guard = _EntityGuard()
        parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("end",))
        while chunk := stream.read(_CHUNK):
            guard.feed(chunk)
            parser.feed(chunk)
            for event in parser.read_events():
                element = event[-1]  # an ("end", element) pair
                if isinstance(element, ET.Element) and element.tag in tags:
                    yield element
                    element.clear()
        parser.close()


def _parsed(data: bytes, tags: tuple[str, ...]) -> Iterator[ET.Element]:
    """Each element of a part parsed whole that has one of ``tags``."""
    _EntityGuard().feed(data, final=True)
    root = ET.fromstring(data)
    if len(tags) == 1:
        return root.iter(tags[0])
    return (element for element in root.iter() if element.tag in tags)


def _text_of(item: ET.Element) -> str:
    """The text of a string item (``si``, ``is``): its text, or the text of
    its rich-text runs, without its phonetic guide (``rPh``)."""
    text = ""
    for child in item:
        if child.tag == _TEXT:
            text += child.text or ""
        elif child.tag == _RUN:
            text += child.findtext(_TEXT) or ""
    return text


def _target(source_part: str, target: str) -> str:
    """The archive path of a relationship's target (relative to the source's folder)."""
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


# The built-in number formats (ECMA-376 §18.8.30) that are a percentage, a
# date or a time; the others show a plain number.  Ids 27–36 and 50–58 are
# dates only in East Asian locales: as in openpyxl, they read as numbers.
_BUILTIN_FORMATS = {
    9: "0%", 10: "0.00%", 14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy",
    18: "h:mm AM/PM", 19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss", 22: "m/d/yy h:mm",
    45: "mm:ss", 46: "[h]:mm:ss", 47: "mmss.0",
}
# How openpyxl tells a date format: a date or time letter outside quoted text
# and outside [colour] or [$-locale] brackets, in the first section.
_NOT_DATE_CODES = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')
_DATE_CODE = re.compile(r"(?<![_\\])[dmhysDMHYS]")
_ELAPSED_CODE = re.compile(r"\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?",
                           re.IGNORECASE)
_WINDOWS_EPOCH = datetime(1899, 12, 30)
_MAC_EPOCH = datetime(1904, 1, 1)


@dataclass(frozen=True, slots=True)
class _NumberFormat:
    """What a cell style's number format does to the number it shows."""

    percent: bool = False  # shown times 100 with a % sign
    date: bool = False  # a serial date or time
    elapsed: bool = False  # a duration, [h]:mm:ss

    @classmethod
    def of(cls, code: str | None) -> _NumberFormat:
        if code is None:
            return cls()
        first = code.split(";")[0]
        date = _DATE_CODE.search(_NOT_DATE_CODES.sub("", first)) is not None
        return cls(_is_percent(code), date, _ELAPSED_CODE.search(first) is not None)


_GENERAL = _NumberFormat()


def _serial_date(serial: float, epoch: datetime, elapsed: bool) -> datetime | time | timedelta:
    """The date or time of an Excel serial number, as openpyxl computes it."""
    if elapsed:
        span = timedelta(days=serial)
        if span.microseconds:  # to the millisecond
            span = timedelta(seconds=span.total_seconds() // 1,
                             microseconds=round(span.microseconds, -3))
        return span
    day, fraction = divmod(serial, 1)
    clock = timedelta(milliseconds=round(fraction * 86_400_000))
    if 0 <= serial < 1 and clock.days == 0:
        minutes, seconds = divmod(clock.seconds, 60)
        return time(minutes // 60, minutes % 60, seconds, clock.microseconds)
    if 0 < serial < 60 and epoch == _WINDOWS_EPOCH:
        day += 1  # Excel counts 29 February 1900, a day that never was
    return epoch + timedelta(days=day) + clock


@dataclass(slots=True)
class _Book:
    """The parts every sheet of a workbook is read with."""

    archive: zipfile.ZipFile
    sheets: list[tuple[str, str]]  # (title, part) of each visible worksheet, in tab order
    strings: list[str]  # the shared strings
    formats: Sequence[_NumberFormat]  # by cell style (the s of a cell)
    epoch: datetime


def _book(archive: zipfile.ZipFile) -> _Book:
    workbook = _described(archive, "[Content_Types].xml", _workbook_part,
                          _CONTENT_TYPES + "Override", _CONTENT_TYPES + "Default")
    sheets, date1904 = _described(archive, workbook, _sheet_list,
                                  _MAIN + "sheet", _MAIN + "workbookPr")
    folder, name = posixpath.split(workbook)
    rels = {rid: (kind, _target(workbook, target)) for rid, kind, target in _described(
        archive, posixpath.join(folder, "_rels", f"{name}.rels"), _relationships, _RELATIONSHIP)}
    parts = set(archive.namelist())
    visible: list[tuple[str, str]] = []
    for title, state, rid in sheets:
        kind, part = rels.get(rid, ("", ""))
        # openpyxl passed over a sheet whose part is missing, and so does this.
        if state == "visible" and part in parts and not kind.endswith("/chartsheet"):
            visible.append((title, part))
    strings: list[str] = []
    formats: Sequence[_NumberFormat] = ()
    for kind, part in rels.values():
        if kind.endswith("/sharedStrings"):
            strings = _shared_strings(archive, part)
        elif kind.endswith("/styles"):
            formats = _described(archive, part, _number_formats, _MAIN + "numFmt",
                                 _MAIN + "cellXfs")
    return _Book(archive, visible, strings, formats, _MAC_EPOCH if date1904 else _WINDOWS_EPOCH)


# The parts that describe a workbook (which part is the workbook, its sheets,
# their relationships, its number formats) are the same byte for byte in the
# forms of one template, or of one budgeting system's export: what is read
# from each is remembered by its bytes.  The cells of a form never are.
_Read = TypeVar("_Read")


def _described(archive: zipfile.ZipFile, part: str,
               read: Callable[[Iterable[ET.Element]], _Read], *tags: str) -> _Read:
    """``read`` of the elements of ``part`` that have one of ``tags``."""
    with _reading(part):
        info = _member(archive, part)
        if info.file_size > _WHOLE_PART:
            return read(_elements(archive, part, *tags))
        remembered: _Read = _remembered(read, tags, _whole(archive, info))
        return remembered


@functools.lru_cache(maxsize=32)
def _remembered(read: Callable[[Iterable[ET.Element]], _Read], tags: tuple[str, ...],
                data: bytes) -> _Read:
    return read(_parsed(data, tags))


def _workbook_part(elements: Iterable[ET.Element]) -> str:
    """The workbook's part, from [Content_Types].xml, as openpyxl finds it."""
    defaults: set[str | None] = set()
    for element in elements:
        kind = element.get("ContentType")
        if element.tag == _CONTENT_TYPES + "Default":
            defaults.add(kind)
        elif kind in _WORKBOOK_TYPES:
            return element.get("PartName", "").lstrip("/")
    if defaults & _WORKBOOK_TYPES:  # some writers declare the type by extension only
        return "xl/workbook.xml"
    raise _BrokenPart("[Content_Types].xml names no workbook part")


def _sheet_list(elements: Iterable[ET.Element]) -> tuple[tuple[tuple[str, str, str], ...], bool]:
    """(title, state, relationship id) of each sheet in tab order, and whether
    the workbook counts dates from 1904."""
    sheets: list[tuple[str, str, str]] = []
    date1904 = False
    for element in elements:
        if element.tag == _MAIN + "sheet":
            sheets.append((element.get("name", ""), element.get("state", "visible"),
                           element.get(_RELATIONSHIP_ID, "")))
        else:
            date1904 = element.get("date1904") in ("1", "true")
    return tuple(sheets), date1904


def _relationships(elements: Iterable[ET.Element]) -> tuple[tuple[str, str, str], ...]:
    """(id, type, target) of each relationship to a part of the archive."""
    return tuple((element.get("Id", ""), element.get("Type", ""), element.get("Target", ""))
                 for element in elements if element.get("TargetMode") != "External")


def _number_formats(elements: Iterable[ET.Element]) -> tuple[_NumberFormat, ...]:
    """The number format of each cell style (``cellXfs``), from styles.xml."""
    custom: dict[int, str] = {}
    ids: list[int] = []
    for element in elements:
        if element.tag == _MAIN + "numFmt":
            custom[int(element.get("numFmtId", -1))] = element.get("formatCode", "")
        else:
            ids += (int(xf.get("numFmtId", 0)) for xf in element.iterfind(_MAIN + "xf"))
    # A custom format takes the place of a built-in one of the same id.
    return tuple(_NumberFormat.of(custom[i] if i in custom else _BUILTIN_FORMATS.get(i))
                 for i in ids)


def _shared_strings(archive: zipfile.ZipFile, part: str) -> list[str]:
    with _reading(part):
        # Excel writes a literal _x000D_ as _x005F_x000D_; openpyxl dropped
        # the x005F_ of such escapes, and so does this.
        return [_text_of(item).replace("x005F_", "")
                for item in _elements(archive, part, _MAIN + "si")]


def _sheets(source: Source, file: str) -> Iterator[_Sheet]:
    """Each visible worksheet of the workbook, read as it is reached: a
    sheet after a form with an error is never read."""
    archive = _archive(_contents(source, file), file)
    try:
        book = _book(archive)
    except _BrokenPart as e:
        _fail(file, f"cannot open the workbook: {e}")
    for title, part in book.sheets:
        try:
            with _reading(part):
                sheet = _read_sheet(book, title, part)
        except _BrokenPart as e:
            _fail(file, f"cannot read the workbook: {e}")
        except _BadCell as e:
            _fail(file, f"cannot read the workbook: {e}", e.where)
        yield sheet


def _read_sheet(book: _Book, title: str, part: str) -> _Sheet:
    """The cells of a sheet in its window: what each shows (a formula's
    cached value), never its formula or its look."""
    rows: dict[int, dict[int, _Cell]] = {}
    row = 0
    for element in _elements(book.archive, part, _ROW):
        ref = element.get("r")
        row = row + 1 if ref is None else int(ref)
        if row > _MAX_ROWS + 1:
            break  # rows come in order: the rest of the sheet is never parsed
        cells = rows.setdefault(row, {})
        col = 0
        for cell in element.iter(_CELL):
            ref = cell.get("r")
            col = col + 1 if ref is None else _REF_COLUMNS.get(ref) or _column_number(ref)
            if col > _MAX_COLUMNS or not len(cell):  # no child, no value: a styled blank
                continue
            kind = cell.get("t", "n")
            # The value is the cell's first child, but for a formula before it.
            first = cell[0]
            if kind == "inlineStr":
                box = first if first.tag == _INLINE_STRING else cell.find(_INLINE_STRING)
                if box is None:
                    continue
                # Plain text (one <t>) is the common case; rich text takes the walk.
                text = (box[0].text or "") if len(box) == 1 and box[0].tag == _TEXT \
                    else _text_of(box)
                if text.strip():
                    cells[col] = _Cell(row, col, text)
                continue
            # for a formula, the value Excel last computed
            raw = first.text if first.tag == _VALUE else cell.findtext(_VALUE)
            if raw:
                try:
                    made = _make_cell(book, row, col, kind, cell.get("s"), raw)
                except (ValueError, IndexError):  # a value its type cannot hold
                    raise _BadCell(title, f"{_LETTERS[col]}{row}",
                                   f"the value {raw!r} is not {_CELL_VALUES.get(kind, 'valid')}"
                                   ) from None
                if made is not None:
                    cells[col] = made
    # One row past the limit tells whether the sheet goes on.
    cut = bool(rows.pop(_MAX_ROWS + 1, None))
    last = max((r for r, cells in rows.items() if cells), default=0)
    return _Sheet(title, [rows.get(r, {}) for r in range(1, last + 1)], cut)


# --------------------------------------------------------------------------
# Cells
# --------------------------------------------------------------------------


def _letters(col: int) -> str:
    """``1`` → ``A``, ``28`` → ``AB`` (up to ZZ)."""
    return ("" if col <= 26 else chr(64 + (col - 1) // 26)) + chr(65 + (col - 1) % 26)


_LETTERS = ("", *(_letters(col) for col in range(1, _MAX_COLUMNS + 1)))  # of the columns read
_COLUMN_NUMBERS = {letters: col for col, letters in enumerate(_LETTERS) if letters}
_DIGITS = "0123456789"


def _column_number(ref: str) -> int:
    """The column of a cell reference: a column past the window counts as
    the one after it.  Each reference seen is remembered in _REF_COLUMNS,
    up to a bound, as the same few hundred come back in every form."""
    letters = ref.rstrip(_DIGITS)
    if not letters.isascii() or not letters.isalpha():
        raise ValueError(f"{ref!r} is no cell reference")
    col = _COLUMN_NUMBERS.get(letters.upper(), _MAX_COLUMNS + 1)
    if len(_REF_COLUMNS) < _REFS_REMEMBERED:
        _REF_COLUMNS[ref] = col
    return col


_REF_COLUMNS: dict[str, int] = {}
_REFS_REMEMBERED = 1 << 14


@dataclass(slots=True)  # not frozen: a frozen dataclass is twice as slow to make
class _Cell:
    row: int
    col: int
    text: str  # how the form reads; never empty
    number: Decimal | None = None  # a numeric cell's value (a percent cell: the fraction)
    percent: bool = False  # the cell has a percent number format
    error: str | None = None  # an Excel error value such as "#DIV/0!"

    @property
    def ref(self) -> str:
        return f"{_LETTERS[self.col]}{self.row}"

    @property
    def norm(self) -> str:
        return _normalized(self.text)


def _decimal(value: float) -> Decimal:
    """The decimal a numeric cell holds, as Excel would show it in full."""
    d = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
    with localcontext() as ctx:
        ctx.prec, ctx.rounding = _EXCEL_DIGITS, ROUND_HALF_UP
        d = +d
    places = _docs._MAX_FRAC_DIGITS
    exponent = d.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        d = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return d


def _plain(d: Decimal) -> str:
    """``Decimal('99.5100')`` → ``'99.51'``; never an exponent."""
    d = d.normalize()
    return "0" if d == 0 else format(d, "f")


_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')  # quoted text, escapes, [colours]


def _is_percent(number_format: str | None) -> bool:
    if not number_format:
        return False
    # Only the first section (positive numbers), without literal text: a
    # format such as 0"%" prints a percent sign without scaling.
    return "%" in _LITERALS.sub("", number_format).split(";")[0]


def _date_text(value: date | datetime | time | timedelta) -> str:
    if isinstance(value, datetime):
        if value.time() == time(0):
            value = value.date()
        else:
            return value.isoformat(sep=" ")
    if isinstance(value, date):
        # The target language reads 2024年12月31日, not ISO dates.
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value)


def _iso_date(text: str) -> datetime | time | str:
    """A date cell (t="d", ISO 8601, rare: Excel writes serial numbers); text
    that is no date or time, a duration among them, stays as it is."""
    text = text.removesuffix("Z")
    for kind in (datetime, time):
        try:
            return kind.fromisoformat(text)
        except ValueError:
            pass
    return text


def _make_cell(book: _Book, row: int, col: int, kind: str, style: str | None,
               raw: str) -> _Cell | None:
    """The cell of type ``kind`` (the t of a ``<c>``) whose value is ``raw``."""
    if kind == "s":
        text = book.strings[int(raw)]
    elif kind == "n":
        return _number_cell(book, row, col, style, raw)
    elif kind == "b":
        return _Cell(row, col, "是" if int(raw) else "否")
    elif kind == "e":
        return _Cell(row, col, raw, error=raw)
    elif kind == "d":
        value = _iso_date(raw)
        text = raw if isinstance(value, str) else _date_text(value)
    else:  # inlineStr, str (a formula's text), or a type Excel does not write
        text = raw
    return _Cell(row, col, text) if text.strip() else None


def _number_cell(book: _Book, row: int, col: int, style: str | None, raw: str) -> _Cell:
    value = float(raw) if "." in raw or "e" in raw or "E" in raw else int(raw)
    index = int(style) if style else 0
    # A style the workbook does not define (or a workbook without styles) shows General.
    fmt = book.formats[index] if index < len(book.formats) else _GENERAL
    if fmt.date:
        try:
            return _Cell(row, col, _date_text(_serial_date(value, book.epoch, fmt.elapsed)))
        except (OverflowError, ValueError):  # past the year 9999: openpyxl made it #VALUE!
            return _Cell(row, col, "#VALUE!", error="#VALUE!")
    if isinstance(value, float) and not math.isfinite(value):
        return _Cell(row, col, str(value), error=str(value))
    d = _decimal(value)
    if fmt.percent:
        return _Cell(row, col, _plain(d * 100) + "%", d, True)
    return _Cell(row, col, _plain(d), d)


@dataclass(slots=True)
class _Sheet:
    title: str
    rows: list[dict[int, _Cell]]  # rows[r - 1]: column → non-empty cell
    cut: bool = False  # the sheet goes on past the rows read
    # rows[r - 1]'s cells, left to right: the scan asks for them many times
    lines: list[list[_Cell]] = field(init=False)

    def __post_init__(self) -> None:
        self.lines = [[row[c] for c in sorted(row)] for row in self.rows]

    def get(self, row: int, col: int | None) -> _Cell | None:
        if col is None or not 1 <= row <= len(self.rows):
            return None
        return self.rows[row - 1].get(col)

    def cells(self, row: int) -> list[_Cell]:
        return self.lines[row - 1]

    def where(self, cell: _Cell | str) -> str:
        ref = cell if isinstance(cell, str) else cell.ref
        return f"sheet {self.title}, cell {ref}"


# --------------------------------------------------------------------------
# Header words
# --------------------------------------------------------------------------

# Column headers beyond the document keys of perfeval.documents (which are
# all accepted as well): the words of Hubei's template and of the split-cell
# export.
_EXTRA_COLUMNS: dict[str, tuple[str, ...]] = {
    "target": ("年初目标", "年度目标值", "目标值(A)"),
    "actual": ("完成值", "全年完成值", "实际完成", "实际完成数"),
    "weight": ("权重", "指标分值", "权重分值"),
    "score": ("自评得分", "评分"),
    "reason": ("未完成原因分析", "未完成原因", "偏差原因分析及改进措施", "原因分析及改进措施",
               "偏差原因及改进措施"),
    "op": ("指标性质", "运算符号", "比较符号", "符号", "指标值性质"),
    "unit": ("度量单位", "计量单位", "单位"),
    "findings": (_FINDINGS_HEADER,),
}
_COLUMNS = {**_docs._INDICATOR_KEYS, **_docs._aliases(_EXTRA_COLUMNS)}
_BUDGET_COLUMNS = {
    **_docs._BUDGET_KEYS,
    **_docs._aliases({"planned": ("全年预算数(A)", "预算数(A)", "调整后预算数"),
                      "executed": ("全年执行数(B)", "实际支出数", "决算数")}),
}
# Labels of the header block and of the closing rows: the document keys that
# hold one value (not 项目 / 年度目标 / 绩效指标, which are blocks).
_LABEL_FIELDS = frozenset({
    "name", "department_name", "year", "department", "unit", "rules", "deviation",
    "improvement", "summary", "basic_spending", "project_spending",
})
_DEPARTMENT_LABELS = frozenset({"basic_spending", "project_spending"})

_GOAL = re.compile(r"(?:年度)?(?:绩效)?目标(?:[0-9]+|[一二三四五六七八九十]+)?[:.、]?")
# Label and value in one cell: 项目名称：老旧小区改造, 年度目标1：对外受理…
_INLINE = re.compile(r"\s*([^:：\n]{2,24}?)\s*[:：]\s*(\S.*)", re.DOTALL)
# A row that ends the indicator table, read from its first filled cell.
_END = re.compile(
    r"(总分|合计|总计|备注|说明|填表|填报|自评等级|评价等级|自评结论|审核|单位负责人|财务负责人|"
    r"联系人|联系电话|注(?:[:0-9一二三四五六七八九十.、]|$))"
)
_AMOUNT_UNIT = re.compile(r"\((万元|元|亿元)\)")
_YEAR = re.compile(r"((?:19|20)[0-9]{2})年")

# The 指标性质 of the split layout: a comparator, or a word that is not one.
_OP_DIRECTIONS = {"正向": "positive", "正向指标": "positive", "反向": "reverse",
                  "反向指标": "reverse", "逆向": "reverse", "逆向指标": "reverse"}
_OP_NONE = frozenset({"定性", "定性指标", "定量", "定量指标", "-", "/", "—", "无"})
_LOWER_OPS = frozenset({">=", "≥", "≧", ">", "大于等于", "大于或等于", "不低于", "不少于", "不小于",
                        "至少", "大于", "高于", "超过", "达到"})
_EQUAL_OPS = frozenset({"=", "═", "等于"})
_COMPARATOR_START = tuple("≥≤<>=≧≦═")
_PERCENT_UNITS = frozenset({"%", "百分比", "百分率"})
_ENDS_WITH_DIGIT = re.compile(r"[0-9]$")


# The scan asks what each cell's text is on every row (a header word? a
# label? the end of the table?); the same texts come back on every form of a
# batch, so the answers are remembered.
_TEXTS_REMEMBERED = 4096


@functools.lru_cache(maxsize=_TEXTS_REMEMBERED)
def _normalized(text: str) -> str:
    return _docs._normalize_key(text)


@functools.lru_cache(maxsize=_TEXTS_REMEMBERED)
def _ends_table(text: str) -> bool:
    """Whether a row whose first filled cell reads ``text`` may end the
    indicator table (a 总分 or 备注 row, a label such as 项目名称)."""
    return _END.match(_normalized(text)) is not None or _label_field(text) is not None


@functools.lru_cache(maxsize=_TEXTS_REMEMBERED)
def _column(text: str) -> str | None:
    hit = _docs._lookup(text, _COLUMNS)
    return None if hit is None else hit[0]


@functools.lru_cache(maxsize=_TEXTS_REMEMBERED)
def _budget_column(text: str) -> tuple[str, str | None] | None:
    """The budget column ``text`` heads, with the amount unit it names."""
    return _docs._lookup(text, _BUDGET_COLUMNS)


@functools.lru_cache(maxsize=_TEXTS_REMEMBERED)
def _amount_unit(text: str) -> str | None:
    """The amount unit a block header names: 预算执行情况（万元） → 万元."""
    m = _AMOUNT_UNIT.search(_docs._normalize_key(text))
    return None if m is None else m.group(1)


@functools.lru_cache(maxsize=_TEXTS_REMEMBERED)
def _label_field(text: str) -> str | None:
    hit = _docs._lookup(text, _docs._DOCUMENT_KEYS)
    if hit is None or hit[0] not in _LABEL_FIELDS:
        return None
    return hit[0]


_CELL_TEXT = operator.attrgetter("text")


def _is_goal(cell: _Cell) -> bool:
    return _is_goal_text(cell.text)


@functools.lru_cache(maxsize=_TEXTS_REMEMBERED)
def _is_goal_text(text: str) -> bool:
    return _GOAL.fullmatch(_docs._normalize_key(text)) is not None


def _split(cell: _Cell) -> tuple[_Cell, _Cell] | None:
    """``label：value`` in one cell, as (label, value) cells at the same place."""
    parts = _label_and_value(cell.text)
    if parts is None:
        return None
    return _Cell(cell.row, cell.col, parts[0]), _Cell(cell.row, cell.col, parts[1])


@functools.lru_cache(maxsize=_TEXTS_REMEMBERED)
def _label_and_value(text: str) -> tuple[str, str] | None:
    m = _INLINE.fullmatch(text)
    return None if m is None else (m.group(1), m.group(2).strip())


def _goal_of(cells: list[_Cell]) -> _GoalBlock | None:
    first = cells[0]
    if _is_goal(first):
        return _GoalBlock(first, cells[1] if len(cells) > 1 else None)
    parts = _split(first)
    if parts is not None and _is_goal(parts[0]):
        return _GoalBlock(*parts)
    return None


def _goal_name(cell: _Cell) -> str:
    name = unicodedata.normalize("NFKC", cell.text).strip().rstrip(":.、").strip()
    return name or "年度目标"


# --------------------------------------------------------------------------
# Finding the blocks of a sheet
# --------------------------------------------------------------------------


@dataclass(slots=True)
class _Budget:
    header_row: int
    values_row: int
    columns: dict[str, int]  # planned / executed / stated_rate / weight / score
    units: dict[str, str | None]  # the amount unit each column's bare numbers are in


@dataclass(slots=True)
class _Line:
    """One indicator row of the sheet."""

    row: int
    columns: dict[str, int]
    level1: _Cell | None  # carried down from a merged cell above when blank
    level2: _Cell | None


@dataclass(slots=True)
class _GoalBlock:
    label: _Cell
    description: _Cell | None
    lines: list[_Line] = field(default_factory=list)


@dataclass(slots=True)
class _Form:
    """What the reader located on one sheet; the writer fills the same cells."""

    sheet: _Sheet
    year: _Cell | None = None
    year_value: int | None = None
    title_kind: str | None = None
    labels: list[tuple[_Cell, str, _Cell | None]] = field(default_factory=list)
    budget: _Budget | None = None
    loose: list[_Line] = field(default_factory=list)  # rows before any 年度目标
    goals: list[_GoalBlock] = field(default_factory=list)
    header_rows: list[tuple[int, dict[str, int]]] = field(default_factory=list)
    total_row: int | None = None  # a 总分 row of the table
    summary_row: int | None = None  # the 总分 | … | 自评等级 row perfeval writes below a form
    last_row: int = 0

    @property
    def lines(self) -> list[_Line]:
        """Indicator rows in the order scoring lists them."""
        return self.loose + [line for g in self.goals for line in g.lines]

    def field_names(self) -> set[str]:
        return {f for _, f, _ in self.labels}

    @property
    def kind(self) -> str:
        fields = self.field_names()
        if fields & _DEPARTMENT_LABELS:
            return "department"
        if "name" in fields:
            return "project"
        if "department_name" in fields:
            return "department"
        return self.title_kind or "project"


def _indicator_header(sheet: _Sheet, row: int) -> dict[str, int] | None:
    """The columns of an indicator header row, or None if ``row`` is not one."""
    cells = sheet.cells(row)
    # Most rows head nothing: tell them at C speed, by the words of their cells.
    names = [*map(_column, map(_CELL_TEXT, cells))]
    if "name" not in names or "target" not in names:
        return None
    columns: dict[str, int] = {}
    twice: list[tuple[_Cell, _Cell]] = []
    for cell in cells:
        name = _column(cell.text)
        if name is None:
            continue
        if name in columns:
            first = sheet.get(row, columns[name])
            assert first is not None
            twice.append((first, cell))
            continue
        columns[name] = cell.col
    if "name" not in columns or "target" not in columns:
        return None
    if twice:
        first, cell = twice[0]
        _fail_sheet(sheet, cell, f"two columns are headed {first.text!r} and {cell.text!r}: "
                                 "perfeval cannot tell which to read")
    if "actual" not in columns:
        head = sheet.get(row, columns["name"])
        assert head is not None
        _fail_sheet(sheet, head, "the indicator table has no 实际完成值 column")
    return columns


def _budget_header(sheet: _Sheet, row: int) -> tuple[dict[str, int], dict[str, str | None]] | None:
    line = sheet.cells(row)
    # Most rows head nothing: tell them at C speed, by the words of their cells.
    # (Both 预算数 and 执行数 are wanted: a row with fewer than two budget
    # words heads no block.)
    if [*map(_budget_column, map(_CELL_TEXT, line))].count(None) > len(line) - 2:
        return None
    found: dict[str, list[tuple[_Cell, str | None]]] = {}
    for cell in line:
        hit = _budget_column(cell.text)
        if hit is not None:
            found.setdefault(hit[0], []).append((cell, hit[1]))
    if "planned" not in found or "executed" not in found:
        return None
    block_unit = next(filter(None, (_amount_unit(cell.text) for cell in sheet.cells(row))), None)
    columns: dict[str, int] = {}
    units: dict[str, str | None] = {}
    for name, cells in found.items():
        if len(cells) > 1:
            # MOF prints 年初预算数 beside 全年预算数（A）: the adjusted budget is A.
            cells = [c for c in cells if not c[0].norm.startswith("年初")] or cells
        if len(cells) > 1:
            _fail_sheet(sheet, cells[1][0], f"two budget columns are headed {cells[0][0].text!r} "
                                            f"and {cells[1][0].text!r}")
        columns[name] = cells[0][0].col
        units[name] = cells[0][1] or block_unit
    return columns, units


def _fail_sheet(sheet: _Sheet, cell: _Cell | str, message: str) -> NoReturn:
    raise _SheetError(sheet.where(cell), message)


class _SheetError(Exception):
    """A located problem; :func:`_scan_workbook` adds the file name."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(message)
        self.where = where
        self.message = message


def _labels_in(sheet: _Sheet, row: int) -> list[tuple[_Cell, str, _Cell | None]]:
    cells = sheet.cells(row)
    found: list[tuple[_Cell, str, _Cell | None]] = []
    for i, cell in enumerate(cells):
        name = _label_field(cell.text)
        if name is None:
            parts = _split(cell)
            if parts is not None and (name := _label_field(parts[0].text)) is not None:
                found.append((parts[0], name, parts[1]))
            continue
        value = next((c for c in cells[i + 1:]), None)
        if value is not None and (_label_field(value.text) is not None or _split_label(value)):
            value = None
        found.append((cell, name, value))
    return found


def _split_label(cell: _Cell) -> bool:
    parts = _split(cell)
    return parts is not None and _label_field(parts[0].text) is not None


def _title(form: _Form, cell: _Cell) -> None:
    text = cell.norm
    if "自评" not in text and "评价" not in text and not re.fullmatch(r"\(?(19|20)\d\d年度?\)?",
                                                                      text):
        return
    m = _YEAR.search(text)
    if m is not None and form.year is None:
        form.year, form.year_value = cell, int(m.group(1))
    if form.title_kind is None:
        if "整体" in text:
            form.title_kind = "department"
        elif "项目" in text:
            form.title_kind = "project"


def _at(row: dict[int, _Cell], columns: Mapping[str, int], key: str) -> _Cell | None:
    """The cell of ``row`` in the column of ``key``, if the table has one."""
    col = columns.get(key)
    return None if col is None else row.get(col)


def _scan(sheet: _Sheet) -> _Form | None:
    """Locate the blocks of one sheet; None when it holds no indicator table."""
    form = _Form(sheet)
    columns: dict[str, int] | None = None  # set while inside an indicator table
    goal: _GoalBlock | None = None
    level1: _Cell | None = None
    level2: _Cell | None = None
    seen_block = False
    r = 0
    while r < len(sheet.rows):
        r += 1
        cells = sheet.cells(r)
        if not cells:
            continue
        first = cells[0]

        header = _indicator_header(sheet, r)
        if header is not None:
            columns, seen_block = header, True
            form.header_rows.append((r, header))
            level1 = level2 = None
            form.last_row = max(form.last_row, r)
            continue
        new_goal = _goal_of(cells)
        if new_goal is not None:
            goal = new_goal
            form.goals.append(goal)
            level1 = level2 = None
            seen_block = True
            form.last_row = max(form.last_row, r)
            continue

        if columns is not None:
            row = sheet.rows[r - 1]
            name_col = columns["name"]
            name_cell = row.get(name_col)
            if _ends_table(first.text) and (
                    first.col < name_col or name_cell is None
                    or not any(_at(row, columns, k) for k in ("target", "actual", "op"))):
                if _END.match(first.norm) and first.norm.startswith("总分"):
                    form.total_row = r
                columns = None
            elif _budget_header(sheet, r) is not None:
                columns = None
            else:
                l1 = _at(row, columns, "level1")
                l2 = _at(row, columns, "level2")
                if l1 is not None:
                    if level1 is None or l1.text != level1.text:
                        level2 = None
                    level1 = l1
                if l2 is not None:
                    level2 = l2
                if name_cell is not None or any(
                        _at(row, columns, k) for k in ("target", "actual", "op", "weight", "score")):
                    line = _Line(r, columns, level1, level2)
                    (goal.lines if goal is not None else form.loose).append(line)
                    form.last_row = r
                continue

        budget = _budget_header(sheet, r)
        if budget is not None:
            seen_block = True
            bcols, units = budget
            for v in range(r + 1, min(r + 8, len(sheet.rows)) + 1):
                if any(sheet.get(v, bcols.get(k)) for k in ("planned", "executed")):
                    # The first block is the table's (年度资金总额 comes first).
                    form.budget = form.budget or _Budget(r, v, bcols, units)
                    form.last_row = max(form.last_row, v)
                    r = v
                    break
                if _indicator_header(sheet, v) is not None or sheet.cells(v) and (
                        _goal_of(sheet.cells(v)) or _labels_in(sheet, v)):
                    break
            continue

        if form.header_rows and first.col == 1 and first.norm == "总分":
            form.summary_row = r
            continue
        labels = _labels_in(sheet, r)
        if labels:
            form.labels.extend(labels)
            continue
        if not seen_block:
            for cell in cells:
                _title(form, cell)

    if not form.header_rows:
        return None
    if sheet.cut and columns is not None:
        # A score of the first 2,000 rows would be a wrong score, not a partial one.
        _fail_sheet(sheet, f"A{_MAX_ROWS + 1}", f"the indicator table runs past row "
                                                f"{_MAX_ROWS}, more than a form has")
    return form


# --------------------------------------------------------------------------
# From located cells to the document tree
# --------------------------------------------------------------------------


class _Places(Mapping[str, str]):
    """Key path → the place it came from, ``sheet 项目自评表, cell E9``.

    The tree has a place for every value, and an error asks for one of them
    at most: each is written out only when asked for.
    """

    def __init__(self, at: dict[str, tuple[_Sheet, _Cell | str]],
                 rows: dict[str, tuple[_Sheet, list[_Value_]]] | None = None) -> None:
        self._at = at  # key path → (sheet, a cell or a reference such as E9)
        # An indicator's path → its sheet and values: the places of its keys
        # are looked up there, not written out per key (see _indicator_node).
        self._rows = rows or {}

    def __getitem__(self, path: str) -> str:
        hit = self._at.get(path)
        if hit is not None:
            return hit[0].where(hit[1])
        prefix, dot, key = path.rpartition(".")
        if not (dot and prefix in self._rows):
            prefix, key = path, "name"  # the indicator itself: its name's place
        if prefix in self._rows:
            sheet, values = self._rows[prefix]
            for k, _cell, _text, where in values:
                if k == key and where is not None:
                    return sheet.where(where)
        raise KeyError(path)

    def _paths(self) -> Iterator[str]:
        yield from self._at
        for prefix, (_sheet, values) in self._rows.items():
            yield prefix
            yield from dict.fromkeys(f"{prefix}.{k}" for k, _c, _t, where in values
                                     if where is not None)

    def __iter__(self) -> Iterator[str]:
        return self._paths()

    def __len__(self) -> int:
        return sum(1 for _ in self._paths())

    def __bool__(self) -> bool:
        # Asked of every workbook read (has it places?): never lists them all.
        return bool(self._at or self._rows)


@dataclass(slots=True)
class _Tree:
    """Builds nodes and remembers which cell each key path came from."""

    file: str
    places: dict[str, tuple[_Sheet, _Cell | str]] = field(default_factory=dict)  # see _Places
    rows: dict[str, tuple[_Sheet, list[_Value_]]] = field(default_factory=dict)  # see _Places

    def scalar(self, sheet: _Sheet, path: str, cell: _Cell | None, text: str | None = None,
               where: _Cell | str | None = None) -> _Scalar:
        """A value node; ``where`` (a cell, or a reference such as ``E9`` for an
        empty one) is what an error about ``path`` names, ``cell`` by default."""
        at = where or cell
        if at is not None:
            self.places[path] = (sheet, at)
        return self.value(sheet, cell, text)

    def value(self, sheet: _Sheet, cell: _Cell | None, text: str | None) -> _Scalar:
        """The node of a value read from ``cell`` (None for one composed of
        several cells): ``text``, else the cell's text."""
        if cell is not None:
            if cell.error is not None:
                _fail(self.file, f"the cell holds the Excel error {cell.error}",
                      sheet.where(cell))
            if text is None:
                text = cell.text
        return _scalar((text, None, False))


# A form makes a few hundred value nodes: made as tuples, they skip the
# Python-level constructor of a NamedTuple with defaults.
_scalar: Callable[[tuple[str | None, None, bool]], _Scalar] = functools.partial(
    tuple.__new__, _Scalar)


def _path(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _op_text(cell: _Cell | None) -> str:
    return "" if cell is None else "".join(unicodedata.normalize("NFKC", cell.text).split())


def _compose(line: _Line, sheet: _Sheet) -> tuple[str | None, str | None, str | None]:
    """Target, actual and direction of a split-cell row (指标性质 | 指标值 | 度量单位)."""
    def get(key: str) -> _Cell | None:
        return sheet.get(line.row, line.columns.get(key))

    op_cell, value, done, unit_cell = get("op"), get("target"), get("actual"), get("unit")
    op = _op_text(op_cell)
    direction = _OP_DIRECTIONS.get(op)
    prefix = "" if direction or op in _OP_NONE else op
    unit = "" if unit_cell is None else unit_cell.text.strip()
    percent_unit = "".join(unicodedata.normalize("NFKC", unit).split()) in _PERCENT_UNITS
    shown_unit = "%" if percent_unit else unit

    lower = prefix in _LOWER_OPS or not prefix and (
        direction == "positive" or direction is None and _is_positive(get("name")))
    fraction = False
    target: str | None = None
    if value is not None:
        if value.number is not None and not value.percent and percent_unit:
            v = value.number
            if (prefix in _EQUAL_OPS and 0 < v <= 1) or (lower and 0 < v < 1):
                fraction = True
        target = _with_unit(value, shown_unit, fraction)
        # A comparator belongs to a number: 定性 text keeps its words (≥明显提高 is no target).
        if prefix and any(ch.isdigit() for ch in target) \
                and not target.lstrip().startswith(_COMPARATOR_START):
            target = prefix + target
    actual: str | None = None
    if done is not None:
        scale = (fraction and done.number is not None and not done.percent
                 and 0 <= done.number <= 1)
        actual = _with_unit(done, shown_unit, scale)
    return target, actual, direction


def _is_positive(name: _Cell | None) -> bool:
    from perfeval.rules import direction_of

    return direction_of(None if name is None else name.text) == "positive"


def _with_unit(cell: _Cell, unit: str, fraction: bool) -> str:
    if fraction and cell.number is not None:
        return _plain(cell.number * 100) + "%"
    text = cell.text.strip()
    if unit and _ENDS_WITH_DIGIT.search(text):
        return text + unit
    return text


# (key, cell, text, where) of an indicator's value: its cell (None for a
# composed value), its text when that is not the cell's, and what an error
# about it names.
_Value_ = tuple[str, "_Cell | None", "str | None", "_Cell | str | None"]


def _indicator_node(tree: _Tree, form: _Form, line: _Line, prefix: str) -> _Mapping:
    sheet = form.sheet
    cols = line.columns
    row = sheet.rows[line.row - 1]
    get = {key: row.get(col) for key, col in cols.items()}.get  # column key → its cell

    def ref(key: str) -> str:
        return f"{_LETTERS[cols[key]]}{line.row}"

    # (key, cell, text, where): the value's cell (None for a composed value),
    # its text when that is not the cell's, and what an error about it names.
    values: list[_Value_] = [
        ("level1", line.level1, None, line.level1),
        ("level2", line.level2, None, line.level2),
        ("name", get("name"), None, get("name") or ref("name")),
    ]
    if "op" in cols or "unit" in cols:
        for key in ("target", "actual", "op", "unit"):
            cell = get(key)
            if cell is not None and cell.error is not None:
                _fail(tree.file, f"the cell holds the Excel error {cell.error}", sheet.where(cell))
        target, actual, direction = _compose(line, sheet)
        values.append(("target", None, target, get("target") or get("op") or ref("target")))
        values.append(("actual", None, actual, get("actual") or ref("actual")))
        if direction is not None and "direction" not in cols:
            values.append(("direction", None, direction, get("op")))
    else:
        values.append(("target", get("target"), None, get("target") or ref("target")))
        values.append(("actual", get("actual"), None, get("actual") or ref("actual")))
    for key in ("weight", "score"):
        if key in cols:
            cell = get(key)
            values.append((key, cell, _points_text(cell), cell or ref(key)))
    for key in ("reason", "direction", "applicable"):
        if key in cols:
            values.append((key, get(key), None, get(key) or ref(key)))
    # tree.scalar of each, unrolled: a form has a few hundred of them.  The
    # places of the keys are found in ``values`` when an error asks for one.
    tree.rows[prefix] = (sheet, values)
    value = tree.value
    return _Mapping(tuple([(key, None, value(sheet, cell, text))
                           for key, cell, text, _where in values]), None)


def _points_text(cell: _Cell | None) -> str | None:
    # A 权重 formatted as a percentage (10%) is 10 points.
    if cell is not None and cell.percent and cell.number is not None:
        return _plain(cell.number * 100)
    return None if cell is None else cell.text


def _budget_node(tree: _Tree, form: _Form, prefix: str) -> _Mapping | None:
    b = form.budget
    if b is None:
        return None
    sheet = form.sheet
    def get(key: str) -> _Cell | None:
        return sheet.get(b.values_row, b.columns.get(key))

    items: list[tuple[str, int | None, _Node]] = []
    for key in ("planned", "executed", "stated_rate", "weight", "score"):
        if key not in b.columns:
            continue
        cell = get(key)
        unit = b.units.get(key)
        written = f"{key}({unit})" if unit and key in ("planned", "executed") else key
        text: str | None = None
        if key == "stated_rate":
            text = _rate_text(cell, get("planned"), get("executed"), unit_of=b.units)
        elif key in ("weight", "score"):
            text = _points_text(cell)
        path = _path(prefix, written)
        node = tree.scalar(sheet, path, cell, text,
                           cell or sheet.get(b.header_row, b.columns[key]))
        items.append((written, None, node))
    return _Mapping(tuple(items), None)


def _rate_text(rate: _Cell | None, planned: _Cell | None, executed: _Cell | None,
               unit_of: Mapping[str, str | None]) -> str | None:
    """A plain 执行率 at most 1 is a fraction when that reading agrees with B/A."""
    if rate is None or rate.number is None or rate.percent or not 0 < rate.number <= 1:
        return None if rate is None else rate.text
    if planned is None or executed is None or planned.number is None or executed.number is None:
        return rate.text
    if planned.number == 0 or unit_of.get("planned") != unit_of.get("executed"):
        return rate.text
    computed = executed.number / planned.number * 100
    if abs(rate.number * 100 - computed) < abs(rate.number - computed):
        return _plain(rate.number * 100) + "%"
    return rate.text


def _form_node(tree: _Tree, form: _Form, prefix: str, kind: str) -> list[tuple[str, int | None,
                                                                               _Node]]:
    sheet = form.sheet
    items: list[tuple[str, int | None, _Node]] = [("kind", None, _Scalar(kind, None))]
    fields = form.field_names()
    for label, _name, value in form.labels:
        key = label.text.strip()
        path = _path(prefix, key)
        where = value or label
        items.append((key, None, tree.scalar(sheet, path, value, where=where)))
    if form.year is not None and "year" not in fields:
        items.append(("year", None, tree.scalar(sheet, _path(prefix, "year"), None,
                                                str(form.year_value), form.year)))
    budget = _budget_node(tree, form, _path(prefix, "budget"))
    if budget is not None:
        items.append(("budget", None, budget))
    if form.loose:
        key = _path(prefix, "indicators")
        nodes = tuple(_indicator_node(tree, form, line, f"{key}[{i}]")
                      for i, line in enumerate(form.loose))
        items.append(("indicators", None, _Sequence(nodes, None)))
    if form.goals:
        key = _path(prefix, "goals")
        goals: list[_Node] = []
        for g, block in enumerate(form.goals):
            gp = f"{key}[{g}]"
            tree.places[gp] = (sheet, block.label)
            ind = _path(gp, "indicators")
            goals.append(_Mapping((
                ("name", None, tree.scalar(sheet, _path(gp, "name"), None,
                                           _goal_name(block.label), block.label)),
                ("description", None, tree.scalar(sheet, _path(gp, "description"),
                                                  block.description, where=block.label)),
                ("indicators", None, _Sequence(tuple(
                    _indicator_node(tree, form, line, f"{ind}[{i}]")
                    for i, line in enumerate(block.lines)), None)),
            ), None))
        items.append(("goals", None, _Sequence(tuple(goals), None)))
    return items


# --------------------------------------------------------------------------
# Reading a workbook
# --------------------------------------------------------------------------


@dataclass(slots=True)
class _Workbook:
    root: _Form
    projects: list[_Form]


def _scan_workbook(source: Source, file: str) -> _Workbook:
    forms: list[_Form] = []
    titles: list[str] = []
    try:
        for sheet in _sheets(source, file):
            titles.append(sheet.title)
            form = _scan(sheet)
            if form is not None:
                forms.append(form)
    except _SheetError as e:
        _fail(file, e.message, e.where)
    if not forms:
        shown = "、".join(titles) or "none"
        _fail(file, "no sheet holds a self-evaluation table (a header row with 三级指标 and "
                    f"年度指标值 / 年初目标值 / 指标值); sheets read: {shown}")
    departments = [f for f in forms if f.kind == "department"]
    if len(departments) > 1:
        names = "、".join(f.sheet.title for f in departments)
        _fail(file, f"the workbook holds {len(departments)} department tables "
                    f"(sheets {names}); perfeval reads one department per workbook")
    if departments:
        root = departments[0]
        return _Workbook(root, [f for f in forms if f is not root])
    if len(forms) > 1:
        names = "、".join(f.sheet.title for f in forms)
        _fail(file, f"the workbook holds {len(forms)} project tables (sheets {names}); "
                    "perfeval reads one table per workbook, or a 部门整体 sheet with its "
                    "projects: save each project as a workbook of its own")
    return _Workbook(forms[0], [])


def read(source: Source) -> _Mapping:
    """The document tree of the form in ``source`` (a path, or the bytes of a workbook).

    The result is what :func:`perfeval.documents.load` validates; call
    :func:`perfeval.load` for the models.  Raises
    :class:`~perfeval.errors.DocumentError` naming the sheet and the cell.
    """
    file = _label(source)
    book = _scan_workbook(source, file)
    tree = _Tree(file)
    items = _form_node(tree, book.root, "", book.root.kind)
    if book.projects:
        projects = tuple(_Mapping(tuple(_form_node(tree, p, f"projects[{i}]", "project")), None)
                         for i, p in enumerate(book.projects))
        items.append(("projects", None, _Sequence(projects, None)))
    return _Mapping(tuple(items), None, cells=_Places(tree.places, tree.rows))


# --------------------------------------------------------------------------
# Writing: cells
# --------------------------------------------------------------------------


_Value = str | int | float | Decimal | None


def _put(ws: Worksheet, row: int, col: int, value: _Value, number_format: str | None = None,
         *, wrap: bool = False) -> None:
    """Write one cell; text that starts with ``=`` stays text, never a formula,
    and the control characters a worksheet cannot hold are dropped."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, MergedCell
    from openpyxl.styles import Alignment

    cell = ws.cell(row=row, column=col)
    if isinstance(cell, MergedCell):
        return  # inside a merged range only its top-left cell holds a value
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.value = float(value) if isinstance(value, Decimal) else value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
        cell.quotePrefix = True
    if number_format is not None:
        cell.number_format = number_format
    if wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _exact_points(value: Decimal) -> Decimal:
    # Written to 10 places, shown to 2 (0.00): read back, the weights are the
    # same to far below a cent, so the workbook scores again to the same total.
    return value.quantize(Decimal(1).scaleb(-_docs._MAX_FRAC_DIGITS), rounding=ROUND_HALF_UP)


def _finding_text(findings: Iterable[Finding]) -> str:
    from perfeval.formats import SEVERITY_WORDS

    return "\n".join(f"【{SEVERITY_WORDS.get(f.severity, f.severity)}】{f.message}"
                     for f in findings)


def _used_width(ws: Worksheet, form: _Form, first: int, last: int) -> int:
    width = 0
    for r in range(first, last + 1):
        row = form.sheet.rows[r - 1] if r <= len(form.sheet.rows) else {}
        width = max([width, *row])
    for merged in ws.merged_cells.ranges:
        if merged.max_row >= first and merged.min_row <= last:
            width = max(width, merged.max_col)
    return width


def _fill(ws: Worksheet, form: _Form, report: Report) -> None:
    from openpyxl.styles import Font

    from perfeval.formats import findings_by_row

    bold = Font(bold=True)
    sheet = form.sheet
    first = min([r for r, _ in form.header_rows]
                + ([form.budget.header_row] if form.budget else []))
    last = max(form.last_row, form.total_row or 0)
    free = _used_width(ws, form, first, last) + 1
    header_cols = form.header_rows[0][1]

    def column(key: str) -> int:
        nonlocal free
        if key in header_cols:
            return header_cols[key]
        free += 1
        return free - 1

    weight_col, score_col = column("weight"), column("score")
    findings_col = column("findings")
    for row, cols in form.header_rows:
        for key, col, word in (("weight", weight_col, "分值"), ("score", score_col, "得分"),
                               ("findings", findings_col, _FINDINGS_HEADER)):
            if key not in cols:
                _put(ws, row, col, word)
                ws.cell(row=row, column=col).font = bold

    lines = form.lines
    results: Sequence[IndicatorResult] = report.indicators
    per_row, table = findings_by_row(report)
    for line, result, found in zip(lines, results, per_row, strict=False):
        wcol = line.columns.get("weight", weight_col)
        scol = line.columns.get("score", score_col)
        _put(ws, line.row, wcol, _exact_points(result.weight), _POINTS_FORMAT)
        _put(ws, line.row, scol, _exact_points(result.score), _POINTS_FORMAT)
        fcol = line.columns.get("findings", findings_col)
        _put(ws, line.row, fcol, _finding_text(found) or None, wrap=True)

    b, rb = form.budget, report.budget
    if b is not None:
        bw: int | None = b.columns.get("weight")
        bs: int | None = b.columns.get("score")
        if bw is None or bs is None:
            # Beside the table's own columns, when those are free in the budget rows.
            def spare(col: int) -> bool:
                return all(sheet.get(r, col) is None for r in (b.header_row, b.values_row))
            bw = bw or (weight_col if spare(weight_col) else None)
            bs = bs or (score_col if spare(score_col) else None)
            for spot, word in ((bw, "分值"), (bs, "得分")):
                if spot is not None and sheet.get(b.header_row, spot) is None:
                    _put(ws, b.header_row, spot, word)
                    ws.cell(row=b.header_row, column=spot).font = bold
        if bw is not None:
            _put(ws, b.values_row, bw, _exact_points(rb.weight) if rb else None, _POINTS_FORMAT)
        if bs is not None:
            _put(ws, b.values_row, bs, _exact_points(rb.score) if rb else None, _POINTS_FORMAT)
        # Table-level findings (执行率, 预算数 …) sit beside the budget row.
        _put(ws, b.values_row, findings_col, _finding_text(table) or None, wrap=True)
        if sheet.get(b.header_row, findings_col) is None:
            _put(ws, b.header_row, findings_col, _FINDINGS_HEADER)
            ws.cell(row=b.header_row, column=findings_col).font = bold
        table = []

    total_weight = sum((r.weight for r in results), Decimal(0))
    if rb is not None:
        total_weight += rb.weight
    grade = f"自评等级：{report.grade}"
    if form.total_row is not None:
        _put(ws, form.total_row, weight_col, _exact_points(total_weight), _POINTS_FORMAT)
        _put(ws, form.total_row, score_col, _exact_points(report.exact_total), _POINTS_FORMAT)
        _put(ws, form.total_row, findings_col,
             "\n".join([grade, _finding_text(table)]) if table else grade, wrap=True)
    else:
        # No 总分 row: one below everything, where it cannot disturb the form
        # (and where the next scoring of this workbook finds it again).
        row = form.summary_row or max(ws.max_row, len(sheet.rows)) + 2
        cells: tuple[_Value, ...] = ("总分", _exact_points(report.exact_total), "自评等级",
                                     report.grade)
        for col, value in enumerate(cells, start=1):
            _put(ws, row, col, value, _POINTS_FORMAT if col == 2 else None)
        ws.cell(row=row, column=1).font = ws.cell(row=row, column=3).font = bold
        if table or sheet.get(row + 1, 1) or sheet.get(row + 1, 2):  # new, or stale
            _put(ws, row + 1, 1, _FINDINGS_HEADER if table else None)
            _put(ws, row + 1, 2, _finding_text(table) or None, wrap=True)
    from openpyxl.utils import get_column_letter

    letter = get_column_letter(findings_col)
    ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, 40)


def _findings_sheet(wb: Workbook, report: Report) -> None:
    from openpyxl.styles import Alignment, Font

    from perfeval.formats import KIND_WORDS, SEVERITY_WORDS

    if FINDINGS_SHEET in wb.sheetnames:
        del wb[FINDINGS_SHEET]
    ws = wb.create_sheet(FINDINGS_SHEET)
    bold = Font(bold=True)

    rows = 0

    def line(*values: _Value, number_format: str | None = None) -> None:
        # through _put: a table or indicator named "=…" is text here too
        nonlocal rows
        rows += 1
        for col, value in enumerate(values, 1):
            _put(ws, rows, col, value, number_format if col == 3 else None)

    line("表格", "类型", "总分", "等级", "错误", "警告", "提示")
    tables = (report, *report.projects)
    for t in tables:
        counts = [sum(f.severity == s for f in t.findings) for s in ("error", "warning", "info")]
        line(t.name, KIND_WORDS.get(t.kind, t.kind), t.total, t.grade, *counts,
             number_format=_POINTS_FORMAT)
    rows += 1  # a blank row between the two lists
    line("表格", "指标", "严重程度", "规则", "说明")
    header = rows
    for t in tables:
        for f in t.findings:
            line(f.document or t.name, f.indicator or "",
                 SEVERITY_WORDS.get(f.severity, f.severity), f.rule, f.message)
            ws.cell(row=rows, column=5).alignment = Alignment(wrap_text=True, vertical="top")
    if rows == header:
        line("", "", "", "", "无审核发现")
    for row in (1, header):
        for cell in ws[row]:
            cell.font = bold
    for letter, width in zip("ABCDE", (28, 28, 10, 26, 80), strict=True):
        ws.column_dimensions[letter].width = width


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _stable(data: bytes, modified: datetime | None) -> bytes:
    """The same archive with fixed member times, so equal input gives equal bytes.

    openpyxl stamps the save time into docProps/core.xml; it is put back to
    ``modified`` (the input's own stamp) for the same reason.
    """
    out = io.BytesIO()
    stamp = (modified or datetime(2020, 1, 1)).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            part = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                part = _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", part)
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, part)
    return out.getvalue()


def _save(wb: Workbook) -> bytes:
    modified = wb.properties.modified
    buf = io.BytesIO()
    wb.save(buf)
    return _stable(buf.getvalue(), modified)


def write_scored(source: Source, report: Report) -> bytes:
    """The workbook ``source`` with 分值, 得分 and the findings filled in.

    ``report`` must be the report of that workbook (``score(source)``).
    """
    file = _label(source)
    book = _scan_workbook(source, file)
    wb = _open(source, file)
    pairs = [(book.root, report), *zip(book.projects, report.projects, strict=False)]
    for form, rep in pairs:
        _fill(wb[form.sheet.title], form, rep)
    _findings_sheet(wb, report)
    return _save(wb)


def scored_workbook(path: str | os.PathLike[str], report: Report) -> bytes:
    """What ``perfeval score PATH --format xlsx`` writes.

    An ``.xlsx`` form comes back filled in; a YAML or JSON document becomes
    a clean standard form, scored.
    """
    if Path(path).suffix.lower() == ".xlsx":
        return write_scored(path, report)
    from perfeval.documents import load

    return write_scored(write_form(load(path)), report)


# --------------------------------------------------------------------------
# Writing: a clean form from a document
# --------------------------------------------------------------------------

_NOTES = (
    ("备注：1. 预算执行情况口径：预算数为调整后财政资金总额（包括上年结余结转），"
     "执行数为资金使用单位财政资金实际支出数。"),
    "2. 基于经济性和必要性等因素考虑，满意度指标暂可不作为必评指标。",
)
_DEPARTMENT_NOTE = "3. 基本支出总额和项目支出总额为财政资金实际支出数。"


@dataclass(frozen=True, slots=True)
class _Layout:
    title: str
    target: str
    actual: str
    budget_row: str
    label_header: str
    reason: str | None  # None: the template has no per-row reason column
    points: bool  # the template prints 分值 / 得分 columns


_MOF = _Layout("项目支出绩效自评表", "年度指标值", "实际完成值", "年度资金总额", "绩效指标",
               "偏差原因分析及改进措施", True)
_HUBEI = _Layout("部门（单位）整体绩效自评表", "年初目标值（A）", "实际完成值（B）",
                 "部门整体支出总额", "年度绩效指标", None, False)


class _Writer:
    """Lays one table out on a sheet, row by row."""

    def __init__(self, ws: Worksheet, doc: Document, layout: _Layout) -> None:
        self.ws, self.doc, self.layout = ws, doc, layout
        rows = [*doc.indicators, *(i for g in doc.goals for i in g.indicators)]
        self.columns = ["", "一级指标", "二级指标", "三级指标", layout.target, layout.actual]
        if layout.points or any(i.weight is not None or i.score is not None for i in rows):
            self.columns += ["分值", "得分"]
        if layout.reason or any(i.reason for i in rows):
            self.columns.append(layout.reason or "偏差原因分析")
        if any(i.direction for i in rows):
            self.columns.append("指标方向")
        if any(not i.applicable for i in rows):
            self.columns.append("是否适用")
        self.width = len(self.columns)
        self.row = 0

    # -- cells
    def cell(self, col: int, value: _Value, fmt: str | None = None, *, bold: bool = False,
             center: bool = False) -> None:
        from openpyxl.styles import Alignment, Border, Font, Side

        _put(self.ws, self.row, col, value, fmt)
        c = self.ws.cell(row=self.row, column=col)
        thin = Side(style="thin")
        c.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        c.alignment = Alignment(wrap_text=True, vertical="center",
                                horizontal="center" if center else None)
        if bold:
            c.font = Font(bold=True)

    def merge(self, first: int, last: int, top: int | None = None) -> None:
        if last > first or (top is not None and top < self.row):
            self.ws.merge_cells(start_row=top or self.row, start_column=first,
                                end_row=self.row, end_column=last)

    def next(self) -> int:
        self.row += 1
        return self.row

    def label_row(self, label: str, value: _Value, fmt: str | None = None) -> None:
        self.next()
        self.cell(1, label, bold=True)
        self.cell(2, value, fmt)
        for col in range(3, self.width + 1):
            self.cell(col, None)
        self.merge(2, self.width)

    # -- blocks
    def title(self) -> None:
        from openpyxl.styles import Alignment, Font

        year = f"{self.doc.year} 年度" if self.doc.year else ""
        self.next()
        _put(self.ws, self.row, 1, f"{year}{self.layout.title}")
        c = self.ws.cell(row=self.row, column=1)
        c.font = Font(bold=True, size=14)
        c.alignment = Alignment(horizontal="center")
        self.merge(1, self.width)
        self.next()  # a blank row under the title, as on the printed forms

    def header(self, project: bool) -> None:
        doc = self.doc
        if project:
            self.label_row("项目名称", doc.name)
            self.next()
            half = max(3, self.width // 2)
            self.cell(1, "主管部门", bold=True)
            self.cell(2, doc.department)
            for col in range(3, half):
                self.cell(col, None)
            self.merge(2, half - 1)
            self.cell(half, "项目实施单位", bold=True)
            self.cell(half + 1, None)
            self.merge(half, half + 1)
            self.cell(half + 2, doc.unit)
            for col in range(half + 3, self.width + 1):
                self.cell(col, None)
            self.merge(half + 2, self.width)
        else:
            self.label_row("单位名称", doc.name)
            spending = getattr(doc, "spending", None)
            if spending is not None:
                self.next()
                self.cell(1, "基本支出总额", bold=True)
                self.cell(2, spending.basic, _POINTS_FORMAT)
                self.cell(3, None)
                self.merge(2, 3)
                self.cell(4, "项目支出总额", bold=True)
                self.cell(5, spending.project, _POINTS_FORMAT)
                for col in range(6, self.width + 1):
                    self.cell(col, None)
                self.merge(5, self.width)
        if doc.rules:
            self.label_row("评分规则", doc.rules)

    def budget(self) -> None:
        b = self.doc.budget
        if b is None:
            return
        top = self.next()
        self.cell(1, "预算执行情况（万元）", bold=True, center=True)
        self.cell(2, None)
        self.cell(3, None)
        heads = ["预算数（A）", "执行数（B）", "执行率（B/A）"]
        if self.layout.points or b.weight is not None or b.score is not None:
            heads += ["分值", "得分"]
        for i, word in enumerate(heads):
            self.cell(4 + i, word, bold=True, center=True)
        for col in range(4 + len(heads), self.width + 1):
            self.cell(col, None)
        self.next()
        self.cell(1, None)
        self.cell(2, None)
        self.cell(3, self.layout.budget_row)
        rate = None if b.stated_rate is None else b.stated_rate / 100
        values: list[tuple[_Value, str | None]] = [
            (b.planned, _POINTS_FORMAT), (b.executed, _POINTS_FORMAT), (rate, _PERCENT_FORMAT)]
        if len(heads) > 3:
            values += [(b.weight, _POINTS_FORMAT), (b.score, _POINTS_FORMAT)]
        for i, (value, fmt) in enumerate(values):
            self.cell(4 + i, value, fmt)
        for col in range(4 + len(values), self.width + 1):
            self.cell(col, None)
        self.merge(1, 2, top=top)

    def table_header(self) -> None:
        self.next()
        for col, word in enumerate(self.columns, start=1):
            self.cell(col, word or self.layout.label_header, bold=True, center=True)

    def rows(self, indicators: Sequence[Indicator]) -> None:
        start = self.row + 1
        runs: dict[int, list[tuple[str, int]]] = {2: [], 3: []}  # column → (text, first row)
        for ind in indicators:
            self.next()
            values: dict[str, _Value] = {
                "": None, "一级指标": ind.level1, "二级指标": ind.level2, "三级指标": ind.name,
                self.layout.target: ind.target, self.layout.actual: ind.actual,
                "分值": ind.weight, "得分": ind.score, "指标方向": ind.direction,
                "是否适用": None if ind.applicable else "否",
            }
            for word in self.columns:
                if word.startswith("偏差"):
                    values[word] = ind.reason
            for col, word in enumerate(self.columns, start=1):
                text = values.get(word)
                shown = text
                if col in runs:  # merged down its run: only the top cell holds the text
                    run = runs[col]
                    key = f"{ind.level1}\x00{ind.level2}" if col == 3 else str(ind.level1)
                    if run and run[-1][0] == key:
                        shown = None
                    else:
                        run.append((key, self.row))
                fmt = _POINTS_FORMAT if word in ("分值", "得分") else None
                self.cell(col, shown, fmt, center=col <= 3)
        end = self.row
        for col, run in runs.items():
            bounds = [first for _, first in run] + [end + 1]
            for first, nxt in itertools.pairwise(bounds):
                if nxt - 1 > first:
                    self.ws.merge_cells(start_row=first, start_column=col, end_row=nxt - 1,
                                        end_column=col)
        if end >= start:
            self.ws.merge_cells(start_row=start - 1, start_column=1, end_row=end, end_column=1)

    def goal_row(self, number: int, name: str, description: str | None) -> None:
        label = name if _GOAL.fullmatch(_docs._normalize_key(name)) else f"年度目标 {number}"
        self.label_row(f"{label}：", description)

    def closing(self, project: bool) -> None:
        doc = self.doc
        if self.layout.points:
            self.next()
            self.cell(1, "总分", bold=True, center=True)
            for col in range(2, self.width + 1):
                self.cell(col, None)
            points = self.columns.index("分值") + 1
            self.merge(1, points - 1)
        for label, value in (("偏差大或目标未完成原因分析", doc.deviation),
                             ("改进措施及结果应用方案", doc.improvement),
                             ("绩效自评综述", doc.summary)):
            if value is not None:
                self.label_row(label, value)
        self.next()
        notes = [*_NOTES] + ([] if project else [_DEPARTMENT_NOTE])
        for note in notes:
            self.next()
            _put(self.ws, self.row, 1, note)
            self.merge(1, self.width)

    def widths(self) -> None:
        from openpyxl.utils import get_column_letter

        for col, word in enumerate(self.columns, start=1):
            width = {"": 14, "一级指标": 12, "二级指标": 14, "三级指标": 30, "分值": 9,
                     "得分": 9}.get(word, 18)
            self.ws.column_dimensions[get_column_letter(col)].width = width


def _render(ws: Worksheet, doc: Document, project: bool) -> None:
    w = _Writer(ws, doc, _MOF if project else _HUBEI)
    w.title()
    w.header(project)
    w.budget()
    if doc.indicators:
        w.table_header()
        w.rows(doc.indicators)
    for number, goal in enumerate(doc.goals, start=1):
        w.goal_row(number, goal.name, goal.description)
        w.table_header()
        w.rows(goal.indicators)
    if not doc.indicators and not doc.goals:
        w.table_header()
    w.closing(project)
    w.widths()


_SHEET_NAME = re.compile(r"[\[\]:*?/\\\x00-\x1f]")


def _sheet_title(name: str, taken: set[str]) -> str:
    # Excel: at most 31 characters, none of []:*?/\, unique ignoring case.
    base = _SHEET_NAME.sub("_", name).strip("'") or "项目"
    title, n = base[:31], 1
    while title.lower() in taken:
        n += 1
        suffix = f"({n})"
        title = base[: 31 - len(suffix)] + suffix
    taken.add(title.lower())
    return title


def write_form(document: Document) -> bytes:
    """A clean, unscored form of ``document``.

    A project is written in the MOF layout; a department in Hubei's layout,
    its projects on sheets of their own (which :func:`read` reads back as
    its projects).
    """
    from openpyxl import Workbook

    wb = Workbook()
    # Fixed properties: the same document always gives the same bytes.
    wb.properties.creator = "perfeval"
    wb.properties.created = wb.properties.modified = datetime(2020, 1, 1)
    ws = wb.active
    assert ws is not None
    taken = {FINDINGS_SHEET.lower()}  # the scored copy adds that sheet
    project = document.kind == "project"
    ws.title = _sheet_title("项目支出绩效自评表" if project else "部门整体绩效自评表", taken)
    _render(ws, document, project)
    for p in _projects(document):
        _render(wb.create_sheet(_sheet_title(p.name, taken)), p, True)
    return _save(wb)


def _projects(document: Document) -> Iterator[Project]:
    yield from getattr(document, "projects", ())
