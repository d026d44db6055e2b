"""Load self-evaluation documents (YAML, JSON, Excel) into frozen pydantic models.

A document is one 项目支出绩效自评表 (:class:`Project`) or one
部门（单位）整体绩效自评表 (:class:`Department`), written in YAML or JSON with
the keys of SPEC §5. Every key also accepts the form's own Chinese column
header, so a finance officer can type what the printed form says:

>>> doc = load({"项目名称": "外包工作人员经费", "预算": {"预算数（A）": "19237800元"}})
>>> doc.kind, doc.budget.planned
('project', Decimal('1923.78'))

Decisions a caller may rely on:

- **Keys** are matched after NFKC normalisation (full-width brackets become
  ASCII ones), with all spaces removed and case ignored. A trailing code in
  brackets such as ``(A)``, ``(B)`` or ``(B/A)`` is dropped, so
  ``预算数（A）`` is ``预算数``; a trailing ``(元)``, ``(万元)`` or ``(亿元)`` is the
  unit of bare numbers in that column.
- **Unknown keys are ignored.** Real forms carry columns perfeval does not
  use (项目类型, 备注, 联系人 …), and refusing them would make every exported
  form fail. A key given twice (literally, or as two aliases of one field such
  as ``name`` and ``项目名称``) is an error, because one of the two values
  would otherwise be dropped silently.
- **Kind**: ``kind`` / 类型 decides. Without it a table is a department when
  it has ``spending``, 基本支出总额, 项目支出总额 or ``projects`` / 项目, or is
  named by 单位名称 / 部门名称 rather than 项目名称; otherwise a project.
- **Text** of ``target`` and ``actual`` is the exact source text of the YAML
  scalar (``100.00`` stays ``"100.00"``); ``~``, ``null`` and empty values
  are ``None``. An unquoted ``[97%,100%]`` (a YAML flow list) is read back as
  its source text, since that is how ranges are written in the forms.
- **Amounts** (``budget.planned`` / ``executed``, ``spending.*``) are
  :class:`~decimal.Decimal` 万元; ``19237800元``, ``1.5亿元``, ``1,923.78`` and
  PDF spacing such as ``3, 825. 75`` are accepted, a bare number is 万元.
  A placeholder (``—``, ``-``, ``/``) in a numeric cell means "no value".
- **Projects** of a department are paths relative to the department file's
  folder (they may not leave it: SPEC §8 forbids reading other files) or
  inline mappings; a file listed twice is loaded once.
- **Errors** are :class:`~perfeval.errors.DocumentError` naming the file, the
  1-based line and the key path as written in the file, with 0-based list
  indexes (``绩效指标[3].年度指标值``, ``budget.planned``).
- **Safety**: YAML is composed with the safe loader and never constructed;
  anchors, aliases and non-standard tags are refused, as are files over
  20 MB and nesting deeper than 50 levels.
"""

from __future__ import annotations

import codecs
import functools
import json
import math
import os
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple, NoReturn, Protocol, TypeAlias, TypeVar, cast

import yaml

from perfeval import _records as rec
from perfeval import _tree, _yamlsubset
from perfeval._tree import Mapping_ as _Mapping
from perfeval._tree import Scalar as _Scalar
from perfeval._tree import Sequence as _Sequence
from perfeval.errors import DocumentError

if TYPE_CHECKING:
    from perfeval.models import Budget, Department, Document, Goal, Indicator, Project, Spending

__all__ = ["Budget", "Department", "Document", "Goal", "Indicator", "Project", "Spending", "load",
           "read"]

_MODELS = frozenset({"Budget", "Department", "Document", "Goal", "Indicator", "Project", "Spending"})


def __getattr__(name: str) -> object:
    # The models live in perfeval.models, which imports pydantic: only a
    # caller that asks for them pays for that (see perfeval._records).
    if name in _MODELS:
        from perfeval import models

        return getattr(models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --------------------------------------------------------------------------
# Limits
# --------------------------------------------------------------------------

# A real self-evaluation table is a few kilobytes; 20 MB leaves room for a
# department with hundreds of inline projects while keeping a hostile file
# from exhausting memory before any check runs.
_MAX_BYTES = 20 * 1024 * 1024
# The schema itself is at most six levels deep (department → projects →
# goals → indicators → row → value); anything far deeper is an attack on the
# recursive composer, not a form.
_MAX_DEPTH = 50
# The largest figure a table can honestly hold (a province's annual spending)
# is about 10^9 万元. Beyond 15 integer digits a number no longer survives the
# JSON report as a double, and unbounded digit strings would let a tiny file
# make Decimal arithmetic arbitrarily slow.
_MAX_INT_DIGITS = 15
_MAX_FRAC_DIGITS = 10


# --------------------------------------------------------------------------
# A neutral tree: YAML nodes and plain Python values both become this, so
# that one walker validates both and reports lines when the source has them.
# --------------------------------------------------------------------------


_Node: TypeAlias = _tree.Node
# Builds a record without the Python-level __new__ a NamedTuple class runs.
_new = tuple.__new__
_T = TypeVar("_T")


def _describe(node: _Node) -> str:
    if isinstance(node, _Mapping):
        return "a mapping"
    if isinstance(node, _Sequence):
        return "a list"
    if node.boolean:
        return "a boolean"
    return "text" if node.text is not None else "nothing"


def _key(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


# --------------------------------------------------------------------------
# Reading files
# --------------------------------------------------------------------------


def _fail_file(
    file: str, message: str, line: int | None = None, key: str | None = None
) -> NoReturn:
    raise DocumentError(message, path=file, line=line, key=key)


def _read_text(path: Path) -> str:
    file = str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        _fail_file(file, "file not found")
    except OSError as e:
        _fail_file(file, f"cannot read the file: {e.strerror or e}")
    if size > _MAX_BYTES:
        _fail_file(file, f"file is larger than {_MAX_BYTES // (1024 * 1024)} MB")
    try:
        with path.open("rb") as f:
            # A read allocates what it is asked for, so ask for the size the
            # file states; past it (a file still growing, a device or pipe,
            # whose st_size is 0) read on to one byte past the limit.
            data = f.read(size + 1)
            if len(data) > size:
                data += f.read(_MAX_BYTES + 1 - len(data))
    except OSError as e:
        _fail_file(file, f"cannot read the file: {e.strerror or e}")
    if len(data) > _MAX_BYTES:
        _fail_file(file, f"file is larger than {_MAX_BYTES // (1024 * 1024)} MB")
    return _decode(data, file)


def _decode(data: bytes, file: str) -> str:
    # Notepad on Chinese Windows saves "Unicode" as UTF-16 with a BOM.
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            _fail_file(file, "cannot decode the file: invalid UTF-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Tools on Chinese Windows export GBK; GB18030 is its superset.
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        _fail_file(file, "cannot decode the file: it is neither UTF-8 nor GB18030 (GBK)")


class _Mark(Protocol):
    """Where an event is: PyYAML's ``yaml.Mark`` or LibYAML's own class."""

    line: int
    index: int


class _Event(Protocol):
    """A parser event, as the composer reads it: every attribute it reads of
    any event. It tells events apart by their class, which mypy does not
    follow, and reads each attribute only of the events that have it
    (``value`` of a scalar, ``flow_style`` of a collection's start)."""

    start_mark: _Mark | None
    end_mark: _Mark | None
    anchor: str | None
    tag: str | None
    implicit: tuple[bool, bool]  # a scalar's; a collection's start has a bool
    value: str
    style: str | None
    flow_style: bool | None


class _Events(Protocol):
    """The part of a PyYAML or LibYAML loader the composer below uses."""

    def check_event(self, *choices: type[yaml.Event]) -> bool: ...
    def get_event(self) -> _Event: ...
    def dispose(self) -> None: ...


def _events(text: str) -> _Events:
    # LibYAML's parser is about twenty times faster than PyYAML's pure-Python
    # one, which needs minutes for a department near the size limit.
    loader = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
    return cast(_Events, loader(text))


def _line(event: _Event) -> int | None:
    return None if event.start_mark is None else event.start_mark.line + 1


_YAML_TAG = "tag:yaml.org,2002:"
# Tags a form may state: those the safe resolver gives plain scalars (`value`
# is what it makes of a lone `=`), and the collections. Anything else
# (`!foo`, `!!python/object`) is refused: nothing is ever constructed, but
# such a tag means the file is not a form.
_ALLOWED_TAGS = frozenset(
    _YAML_TAG + t
    for t in ("str", "int", "float", "bool", "null", "timestamp", "value", "seq", "map")
)
# Of the safe resolver's implicit tags only two matter here, so the scalars
# are not run through its regular expressions: a plain null (these spellings,
# or nothing) is None, and a plain `<<` would be a merge key, which is refused.
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_MERGE = "<<"


@dataclass(slots=True)
class _Open:
    """A list or mapping whose end event has not come yet."""

    line: int | None
    start: int | None  # source index where a flow list starts
    mapping: bool
    items: list[_Node] = field(default_factory=list)
    pairs: list[tuple[str, int | None, _Node]] = field(default_factory=list)
    key_lines: dict[str, int | None] = field(default_factory=dict)
    pending: tuple[str, int | None] | None = None  # a key waiting for its value


def _child_key(stack: list[_Open]) -> str:
    """The key path of the node the innermost open collection is waiting for:
    worked out only for an error message."""
    key = ""
    for open_ in stack:
        if not open_.mapping:
            key = f"{key}[{len(open_.items)}]"
        elif open_.pending is not None:
            key = _key(key, open_.pending[0])
    return key


def _compose(text: str, file: str) -> _Node | None:
    """Build the tree of one YAML document from parser events.

    This replaces PyYAML's composer: it needs no recursion (so depth is a
    plain counter), refuses anchors and aliases where they appear, and sees
    duplicate keys, which PyYAML would silently collapse. Raises
    ``yaml.YAMLError`` for syntax errors and ``DocumentError`` for the rest.

    It runs once per event of every document a batch reads, so it dispatches
    on the event's class and works out key paths only for errors.
    """
    events = _events(text)
    stack: list[_Open] = []

    def fail(message: str, line: int | None, key: str | None = None) -> NoReturn:
        _fail_file(file, message, line, (_child_key(stack) if key is None else key) or None)

    try:
        events.get_event()  # StreamStartEvent
        if events.check_event(yaml.StreamEndEvent):
            return None
        events.get_event()  # DocumentStartEvent
        get_event = events.get_event
        node: _Node
        while True:
            event = get_event()
            kind: type[object] = event.__class__  # compared with yaml's classes, not _Event's
            mark = event.start_mark
            line = None if mark is None else mark.line + 1
            if kind is yaml.ScalarEvent:
                if event.anchor is not None:
                    fail("YAML anchors are not supported", line)
                value = event.value
                tag = event.tag
                if tag is None or tag == "!":
                    if event.implicit[0] and value == _MERGE:
                        fail(f"YAML tag {_YAML_TAG + 'merge'!r} is not supported", line)
                    # Only a plain null is None; a quoted "null" is text.
                    # (LibYAML reports plain style as '', PyYAML as None.)
                    is_null = event.implicit[0] and not event.style and value in _NULLS
                elif tag not in _ALLOWED_TAGS:
                    fail(f"YAML tag {tag!r} is not supported", line)
                else:
                    is_null = tag == _YAML_TAG + "null" and not event.style
                node = _Scalar(None if is_null else value, line)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                if event.anchor is not None:
                    fail("YAML anchors are not supported", line)
                if event.tag not in (None, "!") and event.tag not in _ALLOWED_TAGS:
                    fail(f"YAML tag {event.tag!r} is not supported", line)
                if stack and stack[-1].mapping and stack[-1].pending is None:
                    fail("a key must be text", line)
                if len(stack) >= _MAX_DEPTH:
                    fail(f"nested deeper than {_MAX_DEPTH} levels", line)
                start = mark.index if event.flow_style and mark is not None else None
                stack.append(_Open(line, start, kind is yaml.MappingStartEvent))
                continue
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                done = stack.pop()
                if done.mapping:
                    node = _Mapping(tuple(done.pairs), done.line)
                else:
                    raw = None
                    if done.start is not None and event.end_mark is not None:
                        raw = text[done.start : event.end_mark.index]
                    node = _Sequence(tuple(done.items), done.line, raw)
            elif kind is yaml.AliasEvent:
                fail("YAML aliases are not supported", line)
            else:  # the parser guarantees node events until the root closes
                fail(f"unexpected YAML event {kind.__name__}", line)
            if not stack:
                break
            parent = stack[-1]
            if not parent.mapping:
                parent.items.append(node)
            elif parent.pending is None:
                assert isinstance(node, _Scalar)  # collections as keys failed above
                name = node.text or ""  # a null key is an unknown key like any other
                if name in parent.key_lines:
                    fail(
                        f"duplicate key {name!r} (lines {parent.key_lines[name]} and {line})",
                        line,
                        _key(_child_key(stack), name),
                    )
                parent.key_lines[name] = line
                parent.pending = (name, line)
            else:
                parent.pairs.append((*parent.pending, node))
                parent.pending = None
        events.get_event()  # DocumentEndEvent
        if not events.check_event(yaml.StreamEndEvent):
            extra = events.get_event()
            _fail_file(file, "the file holds more than one YAML document", _line(extra))
        return node
    finally:
        events.dispose()


def _yaml_error(e: yaml.YAMLError, text: str, file: str, kind: str) -> NoReturn:
    if isinstance(e, yaml.MarkedYAMLError):
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = e.problem or e.context or "syntax error"
        if "maximum nesting depth" in problem:
            # LibYAML's own limit, which newer builds reach while scanning ahead
            _fail_file(file, f"nested deeper than {_MAX_DEPTH} levels", line)
        _fail_file(file, f"invalid {kind}: {problem}", line)
    if isinstance(e, yaml.reader.ReaderError):
        line = text.count("\n", 0, e.position) + 1
        _fail_file(
            file, f"invalid {kind}: control character {chr(e.character)!r} in the file", line
        )
    _fail_file(file, f"invalid {kind}: {e}")


def _read_yaml(path: Path) -> _Node | None:
    file = str(path)
    text = _read_text(path)
    node = _yamlsubset.compose(text)  # the usual plain form, read directly
    if node is not None:
        return node
    try:
        return _compose(text, file)
    except yaml.YAMLError as e:
        _yaml_error(e, text, file, "YAML")


# A JSON surrogate pair such as "\ud83d\ude00" is one character to json but
# two lone surrogates to PyYAML, so such files skip the YAML composer.
_JSON_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
# NaN, Infinity and -Infinity, which json reads as numbers, outside the strings.
_JSON_CONSTANT = re.compile(r'"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)')
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _read_json(path: Path) -> _Node | None:
    file = str(path)
    text = _read_text(path)
    if not text.strip():
        return None
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, object]]) -> dict[str, object]:
        seen: dict[str, object] = {}
        for k, v in items:
            if k in seen:
                duplicates.append(k)
            seen[k] = v
        return seen

    def constant(name: str) -> NoReturn:
        # The decoder gives no position: the first such literal outside a string is it.
        found = next(m for m in _JSON_CONSTANT.finditer(text) if m.group(1))
        _fail_file(file, f"{name} is not a number a form can hold",
                   text.count("\n", 0, found.start()) + 1)

    # The json module decides what is valid JSON (YAML would also take
    # trailing commas and comments) ...
    try:
        # Numbers stay text (parse_int/parse_float get the literal), so that
        # `100.00` is still "100.00", as with YAML.
        value = json.loads(
            text, parse_int=str, parse_float=str, parse_constant=constant, object_pairs_hook=pairs
        )
    except json.JSONDecodeError as e:
        _fail_file(file, f"invalid JSON: {e.msg}", e.lineno)
    except RecursionError:
        _fail_file(file, f"nested deeper than {_MAX_DEPTH} levels")
    # ... and the YAML composer, JSON being YAML, supplies line numbers.
    if not _JSON_SURROGATE.search(text):
        try:
            return _compose(text, file)
        except yaml.YAMLError:
            pass  # e.g. tabs, which JSON allows and PyYAML's own parser does not
    if duplicates:
        _fail_file(file, f"duplicate key {duplicates[0]!r}", key=duplicates[0])
    return _from_python(value, file, "", 0)


def _read_excel(path: Path) -> _Node | None:
    from . import excel  # openpyxl is imported only when a workbook is read

    return excel.read(path)


# One reader per suffix. A reader returns the document's tree (None when the
# file is empty) or raises DocumentError; the Excel reader plugs in here.
_READERS: dict[str, Callable[[Path], _Node | None]] = {
    ".yaml": _read_yaml,
    ".yml": _read_yaml,
    ".json": _read_json,
    ".xlsx": _read_excel,
}


# --------------------------------------------------------------------------
# Building the neutral tree
# --------------------------------------------------------------------------


def _decimal_text(value: Decimal) -> str:
    # Plain notation for the numbers a form holds; a huge exponent stays
    # scientific so that formatting it cannot allocate gigabytes.
    if abs(value.adjusted()) > 2 * _MAX_INT_DIGITS:
        return str(value)
    return format(value, "f")


def _from_python(value: object, file: str | None, key: str, depth: int) -> _Node:
    def fail(message: str) -> NoReturn:
        raise DocumentError(message, path=file, key=key or None)

    if depth > _MAX_DEPTH:
        # Also ends self-referencing dicts.
        fail(f"nested deeper than {_MAX_DEPTH} levels")
    if value is None:
        return _Scalar(None, None)
    if isinstance(value, bool):
        return _Scalar("true" if value else "false", None, boolean=True)
    if isinstance(value, str):
        # JSON's "\ud800" escape gives half a UTF-16 pair, which no report,
        # file or console can encode.
        if _LONE_SURROGATE.search(value):
            fail("text holds a lone UTF-16 surrogate (an unpaired \\ud800-\\udfff escape)")
        return _Scalar(value, None)
    if isinstance(value, int):
        try:
            return _Scalar(str(value), None)
        except ValueError:  # more digits than int → str allows
            fail("number is too large")
    if isinstance(value, float):
        if not math.isfinite(value):
            fail("NaN and Infinity are not allowed")
        return _Scalar(_decimal_text(Decimal(repr(value))), None)
    if isinstance(value, Decimal):
        if not value.is_finite():
            fail("NaN and Infinity are not allowed")
        return _Scalar(_decimal_text(value), None)
    if isinstance(value, date):  # datetime too
        return _Scalar(value.isoformat(), None)
    if isinstance(value, Mapping):
        items: list[tuple[str, int | None, _Node]] = []
        for k, v in value.items():
            if not isinstance(k, str):
                fail(f"a key must be text, got {k!r}")
            items.append((k, None, _from_python(v, file, _key(key, k), depth + 1)))
        return _Mapping(tuple(items), None)
    if isinstance(value, list | tuple):
        return _Sequence(
            tuple(_from_python(v, file, f"{key}[{i}]", depth + 1) for i, v in enumerate(value)),
            None,
        )
    fail(f"unsupported value of type {type(value).__name__}")


# --------------------------------------------------------------------------
# Keys and their Chinese column headers
# --------------------------------------------------------------------------

# Brackets NFKC leaves alone but people use for the same "(A)" suffix.
_BRACKETS = str.maketrans({"【": "(", "】": ")", "〔": "(", "〕": ")", "[": "(", "]": ")"})
# A trailing column code such as (A), (B), (B/A), (B/A×100%), or a unit.
_KEY_SUFFIX = re.compile(r"\((?:(?P<unit>万元|元|亿元)|分|[a-z0-9/×*%+.\-]+)\)$")


@functools.lru_cache(maxsize=4096)  # the same few headers repeat on every row
def _normalize_key(key: str) -> str:
    text = unicodedata.normalize("NFKC", key).translate(_BRACKETS)
    text = "".join(text.split()).lower()
    return text.rstrip(":")


class _Keys(dict[str, str]):
    """A table of keys: every alias, normalised, to the field it names."""

    def __init__(self, table: Mapping[str, tuple[str, ...]]) -> None:
        super().__init__(
            (_normalize_key(alias), name) for name, aliases in table.items() for alias in aliases
        )
        # Keys as written, resolved: the same few headers repeat on every row.
        self.resolved: dict[str, tuple[str, str | None] | None] = {}

    def resolve(self, key: str) -> tuple[str, str | None] | None:
        try:
            return self.resolved[key]
        except KeyError:
            pass
        if len(self.resolved) >= 4096:  # a stream of odd keys must not grow it forever
            self.resolved.clear()
        hit = self.resolved[key] = _lookup(key, self)
        return hit


def _aliases(table: Mapping[str, tuple[str, ...]]) -> _Keys:
    return _Keys(table)


_DOCUMENT_KEYS = _aliases(
    {
        "kind": ("kind", "类型"),
        "name": ("name", "项目名称"),
        # Department tables are headed by the unit's name, not a project's.
        "department_name": ("单位名称", "部门名称", "部门（单位）名称", "单位（部门）名称"),
        "year": ("year", "年度"),
        "department": ("department", "主管部门"),
        "unit": ("unit", "项目实施单位", "实施单位"),
        "rules": ("rules", "评分规则"),
        "budget": ("budget", "预算执行情况", "预算"),
        "indicators": ("indicators", "绩效指标"),
        "goals": ("goals", "年度目标"),
        "deviation": ("deviation", "偏差原因分析", "偏差大或目标未完成原因分析"),
        "improvement": ("improvement", "改进措施", "改进措施及结果应用方案"),
        "summary": ("summary", "绩效自评综述"),
        "spending": ("spending",),
        # The forms print the two totals as rows of the table itself.
        "basic_spending": ("基本支出总额",),
        "project_spending": ("项目支出总额",),
        "projects": ("projects", "项目"),
    }
)
_DEPARTMENT_ONLY = ("spending", "basic_spending", "project_spending", "projects")

_BUDGET_KEYS = _aliases(
    {
        "planned": ("planned", "预算数", "全年预算数", "年初预算数"),
        "executed": ("executed", "执行数", "全年执行数"),
        "stated_rate": ("stated_rate", "执行率", "预算执行率"),
        "weight": ("weight", "分值"),
        "score": ("score", "得分"),
    }
)

_INDICATOR_KEYS = _aliases(
    {
        "level1": ("level1", "一级指标"),
        "level2": ("level2", "二级指标"),
        "name": ("name", "三级指标", "指标名称"),
        "target": ("target", "年度指标值", "年初目标值", "指标值", "目标值", "全年指标值"),
        "actual": ("actual", "实际完成值", "全年实际值", "实际值"),
        "weight": ("weight", "分值"),
        "score": ("score", "得分"),
        "reason": ("reason", "偏差原因分析及改进措施", "偏差原因分析", "偏差原因"),
        "direction": ("direction", "指标方向"),
        "applicable": ("applicable", "是否适用"),
    }
)

_GOAL_KEYS = _aliases(
    {
        "name": ("name", "目标名称"),
        "description": ("description", "目标描述", "描述"),
        "indicators": ("indicators", "绩效指标"),
    }
)

_SPENDING_KEYS = _aliases(
    {
        "basic": ("basic", "基本支出总额", "基本支出"),
        "project": ("project", "项目支出总额", "项目支出"),
    }
)

_Kind: TypeAlias = Literal["project", "department"]
_Direction: TypeAlias = Literal["positive", "reverse", "equal"]


def _values(table: Mapping[_T, tuple[str, ...]]) -> dict[str, _T]:
    return {_normalize_key(word): value for value, words in table.items() for word in words}


_KIND_WORDS: dict[_Kind, tuple[str, ...]] = {
    "project": ("project", "项目", "项目支出"),
    "department": ("department", "部门整体", "部门", "部门（单位）整体", "单位整体"),
}
_DIRECTION_WORDS: dict[_Direction, tuple[str, ...]] = {
    "positive": ("positive", "正向", "正向指标"),
    "reverse": ("reverse", "反向", "逆向", "反向指标"),
    "equal": ("equal", "相等", "等于"),
}
_KINDS = _values(_KIND_WORDS)
_DIRECTIONS = _values(_DIRECTION_WORDS)

_BOOLEANS = {
    **dict.fromkeys(("true", "yes", "on", "1", "是", "适用", "y"), True),
    **dict.fromkeys(("false", "no", "off", "0", "否", "不适用", "n"), False),
}


# --------------------------------------------------------------------------
# Walking the tree into models
# --------------------------------------------------------------------------


@dataclass(slots=True)
class _Context:
    file: str | None  # shown in errors
    base: Path  # folder that relative project paths start from
    outer: tuple[Path, ...]  # files being loaded around this one, resolved, outermost first
    cache: dict[Path, rec.Table]  # project files already loaded in this call
    source: str | None  # the `source` of tables built here
    cells: Mapping[str, str] = field(default_factory=dict)  # key path → cell, for workbooks
    path: Path | None = None  # this file, as given
    _stack: tuple[Path, ...] | None = None

    @property
    def stack(self) -> tuple[Path, ...]:
        """The files being loaded, outermost first, this one last, resolved.
        Only a project file's path is checked against it, so a table that
        names none never resolves its own (a system call per folder)."""
        if self._stack is None:
            self._stack = self.outer if self.path is None else (*self.outer,
                                                                  _identity(self.path))
        return self._stack

    def place(self, line: int | None, key: str) -> tuple[int | None, str]:
        """How an error names the value at ``line`` under ``key``: in a
        workbook, by its cell alone."""
        cell = self.cells.get(key)
        return (None, cell) if cell is not None else (line, key)

    def fail(self, message: str, line: int | None, key: str | None) -> NoReturn:
        line, key = self.place(line, key or "")
        raise DocumentError(message, path=self.file, line=line, key=key or None)


class _Field(NamedTuple):
    # A tuple, not a dataclass: tens of thousands are made per second of a
    # batch, and the key path is worked out only when it is asked for.
    prefix: str
    written: str  # the key as written
    key_line: int | None
    line: int | None  # the value's line, else the key's
    node: _Node
    unit: str | None  # unit named in the header, e.g. 元 in 预算数(元)

    @property
    def key(self) -> str:
        """The key path as written, for errors."""
        return _key(self.prefix, self.written.strip())


def _lookup(key: str, table: Mapping[str, str]) -> tuple[str, str | None] | None:
    norm = _normalize_key(key)
    unit: str | None = None
    for _ in range(3):
        if norm in table:
            return table[norm], unit
        m = _KEY_SUFFIX.search(norm)
        if m is None:
            return None
        unit = unit or m.group("unit")
        norm = norm[: m.start()]
    return None


def _fields(mapping: _Mapping, table: _Keys, ctx: _Context, prefix: str) -> dict[str, _Field]:
    found: dict[str, _Field] = {}
    resolved = table.resolved
    for key, kline, node in mapping.items:
        hit = resolved[key] if key in resolved else table.resolve(key)
        if hit is None:
            continue  # an extra column of the form; see the module docstring
        name, unit = hit
        line = node.line if node.line is not None else kline
        field_ = _new(_Field, (prefix, key, kline, line, node, unit))
        if name in found:
            first = found[name]
            lines = f" (lines {first.key_line} and {kline})" if kline is not None else ""
            ctx.fail(f"{first.key!r} and {field_.key!r} give the same field{lines}", kline,
                     field_.key)
        found[name] = field_
    return found


def _expect_mapping(node: _Node, ctx: _Context, key: str, what: str) -> _Mapping:
    if not isinstance(node, _Mapping):
        ctx.fail(f"{what} must be a mapping, got {_describe(node)}", node.line, key)
    return node


def _items(f: _Field | None, ctx: _Context) -> tuple[_Node, ...]:
    if f is None or (isinstance(f.node, _Scalar) and f.node.text is None):
        return ()
    if not isinstance(f.node, _Sequence):
        ctx.fail(f"expected a list, got {_describe(f.node)}", f.line, f.key)
    return f.node.items


def _scalar(f: _Field, ctx: _Context, *, flow_text: bool = False) -> str | None:
    node = f.node
    if node.__class__ is _Scalar:  # the usual case, first
        text = node.text
        return text if text and not text.isspace() else None
    if flow_text and isinstance(node, _Sequence) and node.raw is not None:
        return node.raw
    ctx.fail(f"expected text, got {_describe(node)}", f.line, f.key)


def _text(f: _Field | None, ctx: _Context, *, flow_text: bool = False) -> str | None:
    if f is None:
        return None
    node = f.node
    if node.__class__ is _Scalar:  # _scalar's usual case, without the call
        if node.boolean:
            ctx.fail("expected text, got a boolean", f.line, f.key)
        text = node.text
        return text if text and not text.isspace() else None
    return _scalar(f, ctx, flow_text=flow_text)


# Placeholders the forms print in a numeric cell that has no value.
_PLACEHOLDERS = frozenset({"-", "—", "——", "–", "/", "－", "─"})
_NON_FINITE = re.compile(r"[+-]?\.?(nan|inf|infinity)", re.IGNORECASE)
_NUMBER = re.compile(
    r"""
    (?P<sign>[+-])?
    (?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)   # integer part, maybe grouped by thousands
    (?:\.(?P<frac>[0-9]+))?                    # decimal part
    (?P<suffix>.*)                             # unit or %, checked by the caller
    """,
    re.VERBOSE | re.ASCII,
)
_AMOUNT_UNITS: dict[str, int] = {"": 0, "万元": 0, "万": 0, "元": -4, "亿元": 4, "亿": 4}
_TRADITIONAL = str.maketrans({"萬": "万", "億": "亿"})


def _number(f: _Field, ctx: _Context, what: str, suffixes: Mapping[str, int]) -> Decimal | None:
    """Read ``[sign] digits[.digits] suffix`` where suffix maps to a power of ten.

    Spaces anywhere are dropped first: PDF extraction turns ``3,825.75`` into
    ``3, 825. 75``.
    """
    if isinstance(f.node, _Scalar) and f.node.boolean:
        ctx.fail(f"expected {what}, got a boolean", f.line, f.key)
    raw = _scalar(f, ctx)
    if raw is None:
        return None
    text = unicodedata.normalize("NFKC", raw).translate(_TRADITIONAL)
    text = "".join(text.split())
    if text in _PLACEHOLDERS:
        return None
    if _NON_FINITE.fullmatch(text):
        ctx.fail(f"NaN and Infinity are not allowed as {what}", f.line, f.key)
    m = _NUMBER.fullmatch(text)
    if m is None or m.group("suffix") not in suffixes:
        ctx.fail(f"cannot read {raw!r} as {what}", f.line, f.key)
    digits = m.group("int").replace(",", "")
    frac = m.group("frac") or ""
    if len(digits.lstrip("0")) > _MAX_INT_DIGITS or len(frac) > _MAX_FRAC_DIGITS:
        ctx.fail(f"{raw!r} has too many digits to be {what}", f.line, f.key)
    if m.group("sign") == "-" and (digits + frac).strip("0"):
        ctx.fail(f"{what} cannot be negative: {raw!r}", f.line, f.key)
    value = Decimal(f"{digits}.{frac}" if frac else digits)
    shift = suffixes[m.group("suffix")]
    if shift:
        # Exact: scaleb moves the exponent; normalise away the zeros it adds
        # (19237800元 is 1923.78, not 1923.7800) but keep an integer integral.
        value = value.scaleb(shift).normalize()
        if value == value.to_integral_value():
            value = value.quantize(Decimal(1))
    return value


def _amount(f: _Field | None, ctx: _Context) -> Decimal | None:
    if f is None:
        return None
    units = dict(_AMOUNT_UNITS)
    if f.unit is not None:
        # The header names the unit of bare numbers: 预算数(元).
        units[""] = _AMOUNT_UNITS[f.unit]
    return _number(f, ctx, "an amount", units)


def _percent(f: _Field | None, ctx: _Context) -> Decimal | None:
    return None if f is None else _number(f, ctx, "a percentage", {"": 0, "%": 0})


def _points(f: _Field | None, ctx: _Context) -> Decimal | None:
    return None if f is None else _number(f, ctx, "a number of points", {"": 0, "分": 0})


def _year(f: _Field | None, ctx: _Context) -> int | None:
    raw = None if f is None else _text(f, ctx)
    if f is None or raw is None:
        return None
    m = re.fullmatch(
        r"([1-9][0-9]{3})(?:年度?)?", "".join(unicodedata.normalize("NFKC", raw).split())
    )
    if m is None:
        ctx.fail(f"cannot read {raw!r} as a year", f.line, f.key)
    return int(m.group(1))


def _choice(f: _Field | None, ctx: _Context, table: Mapping[str, _T], what: str) -> _T | None:
    raw = None if f is None else _text(f, ctx)
    if f is None or raw is None:
        return None
    value = table.get(_normalize_key(raw))
    if value is None:
        ctx.fail(f"{what}, got {raw!r}", f.line, f.key)
    return value


def _applicable(f: _Field | None, ctx: _Context) -> bool:
    if f is None:
        return True
    if isinstance(f.node, _Scalar) and f.node.boolean:
        return f.node.text == "true"
    raw = _scalar(f, ctx)
    if raw is None:
        return True
    value = _BOOLEANS.get(_normalize_key(raw))
    if value is None:
        ctx.fail(f"expected true/false (是/否), got {raw!r}", f.line, f.key)
    return value


def _indicator(node: _Node, ctx: _Context, key: str) -> rec.Indicator:
    mapping = _expect_mapping(node, ctx, key, "an indicator")
    f = _fields(mapping, _INDICATOR_KEYS, ctx, key)
    name = _text(f.get("name"), ctx)
    if name is None:
        where = f.get("name")
        ctx.fail(
            "the indicator has no name (三级指标)",
            where.line if where else mapping.line,
            where.key if where else _key(key, "name"),
        )
    direction = _choice(
        f.get("direction"),
        ctx,
        _DIRECTIONS,
        "direction must be positive (正向), reverse (反向) or equal (相等)",
    )
    # Positional, in the record's field order: a keyword call costs a row
    # more than all its checks of absent fields together.
    return rec.Indicator(
        name,
        _text(f.get("level1"), ctx) or "",
        _text(f.get("level2"), ctx) or "",
        _text(f.get("target"), ctx, flow_text=True),
        _text(f.get("actual"), ctx, flow_text=True),
        _points(f.get("weight"), ctx),
        _points(f.get("score"), ctx),
        _text(f.get("reason"), ctx),
        direction,
        _applicable(f.get("applicable"), ctx),
    )


# Indicator rows already read, by what they hold.  The rows of a province's
# tables repeat (the same 满意度 row with the same target and actual in
# thousands of them), and a row's record depends on its keys and texts alone:
# lines and cells only ever reach an error, and a row that fails is not kept.
_Row: TypeAlias = str | tuple[tuple[str, str | None, bool], ...]
_ROWS: dict[_Row, rec.Indicator] = {}
_ROWS_SIZE = 2**15


def _row(node: _Node) -> _Row | None:
    """What an indicator row holds, when every value is a scalar: the key its
    record is kept under."""
    if node.__class__ is not _Mapping:
        return None
    if node.raw is not None:
        return node.raw
    items = node.items
    row = tuple([(k, v.text, v.boolean) for k, _, v in items if v.__class__ is _Scalar])
    return row if len(row) == len(items) else None


def _indicators(f: _Field | None, ctx: _Context) -> tuple[rec.Indicator, ...]:
    if f is None:
        return ()
    key = f.key
    found: list[rec.Indicator] = []
    for i, node in enumerate(_items(f, ctx)):
        row = _row(node)
        indicator = _ROWS.get(row) if row is not None else None
        if indicator is None:
            indicator = _indicator(node, ctx, f"{key}[{i}]")
            if row is not None:
                if len(_ROWS) >= _ROWS_SIZE:
                    _ROWS.clear()
                _ROWS[row] = indicator
        found.append(indicator)
    return tuple(found)


def _goal(node: _Node, ctx: _Context, key: str, number: int) -> rec.Goal:
    mapping = _expect_mapping(node, ctx, key, "a goal")
    f = _fields(mapping, _GOAL_KEYS, ctx, key)
    return rec.Goal(
        # Hubei's forms label goals 目标1, 目标2 … when they carry no title.
        name=_text(f.get("name"), ctx) or f"目标{number}",
        description=_text(f.get("description"), ctx),
        indicators=_indicators(f.get("indicators"), ctx),
    )


def _budget(f: _Field | None, ctx: _Context) -> rec.Budget | None:
    if f is None or (isinstance(f.node, _Scalar) and f.node.text is None):
        return None
    b = _fields(_expect_mapping(f.node, ctx, f.key, "budget"), _BUDGET_KEYS, ctx, f.key)
    budget = rec.Budget(
        planned=_amount(b.get("planned"), ctx),
        executed=_amount(b.get("executed"), ctx),
        stated_rate=_percent(b.get("stated_rate"), ctx),
        weight=_points(b.get("weight"), ctx),
        score=_points(b.get("score"), ctx),
    )
    # An empty block is no block: scoring then reports budget-missing.
    return None if budget == rec.Budget() else budget


def _spending(fields: Mapping[str, _Field], ctx: _Context) -> rec.Spending | None:
    nested = fields.get("spending")
    basic, project = fields.get("basic_spending"), fields.get("project_spending")
    if nested is not None and not (isinstance(nested.node, _Scalar) and nested.node.text is None):
        flat = basic or project
        if flat is not None:
            ctx.fail(f"{flat.key!r} is also given in {nested.key!r}", flat.line, flat.key)
        s = _fields(
            _expect_mapping(nested.node, ctx, nested.key, "spending"),
            _SPENDING_KEYS,
            ctx,
            nested.key,
        )
        basic, project = s.get("basic"), s.get("project")
    spending = rec.Spending(basic=_amount(basic, ctx), project=_amount(project, ctx))
    return None if spending == rec.Spending() else spending


def _kind(f: Mapping[str, _Field], ctx: _Context) -> _Kind:
    stated = _choice(
        f.get("kind"),
        ctx,
        _KINDS,
        "kind must be project (项目) or department (部门整体)",
    )
    if stated is not None:
        return stated
    if any(k in f for k in _DEPARTMENT_ONLY) or ("department_name" in f and "name" not in f):
        return "department"
    return "project"


if TYPE_CHECKING:
    from typing import TypedDict

    class _Common(TypedDict):
        """The fields of a table that a project and a department share."""

        name: str
        year: int | None
        department: str | None
        unit: str | None
        rules: str | None
        rules_at: tuple[int | None, str] | None
        budget: rec.Budget | None
        indicators: tuple[rec.Indicator, ...]
        goals: tuple[rec.Goal, ...]
        deviation: str | None
        improvement: str | None
        summary: str | None
        source: str | None


def _document(node: _Node | None, ctx: _Context, prefix: str) -> rec.Table:
    if node is None or (not prefix and isinstance(node, _Scalar) and node.text is None):
        # `---` or `~` alone is a document holding nothing: empty, too.
        ctx.fail("the document is empty", None, prefix)
    what = "a project" if prefix else "the document"
    mapping = _expect_mapping(node, ctx, prefix, what)
    f = _fields(mapping, _DOCUMENT_KEYS, ctx, prefix)
    kind = _kind(f, ctx)

    name_field = f.get("name")
    if kind == "department" and "department_name" in f:
        if name_field is not None:
            other = f["department_name"]
            ctx.fail(
                f"{name_field.key!r} and {other.key!r} both name the table", other.line, other.key
            )
        name_field = f["department_name"]
    name = _text(name_field, ctx)
    if name is None:
        ctx.fail(
            "the table has no name (项目名称 / 单位名称)",
            name_field.line if name_field else mapping.line,
            name_field.key if name_field else _key(prefix, "name"),
        )

    common: _Common = {
        "name": name,
        "year": _year(f.get("year"), ctx),
        "department": _text(f.get("department"), ctx),
        "unit": _text(f.get("unit"), ctx),
        "rules": _text(f.get("rules"), ctx),
        "rules_at": None if "rules" not in f else ctx.place(f["rules"].line, f["rules"].key),
        "budget": _budget(f.get("budget"), ctx),
        "indicators": _indicators(f.get("indicators"), ctx),
        "goals": tuple(
            _goal(n, ctx, f"{f['goals'].key}[{i}]", i + 1)
            for i, n in enumerate(_items(f.get("goals"), ctx))
        ),
        "deviation": _text(f.get("deviation"), ctx),
        "improvement": _text(f.get("improvement"), ctx),
        "summary": _text(f.get("summary"), ctx),
        "source": ctx.source,
    }
    if kind == "project":
        for k in _DEPARTMENT_ONLY:
            if k in f:
                ctx.fail(f"only a department table has {f[k].key!r}", f[k].line, f[k].key)
        return rec.Table(kind=kind, **common)
    projects = tuple(
        _project(n, ctx, f"{f['projects'].key}[{i}]")
        for i, n in enumerate(_items(f.get("projects"), ctx))
    )
    return rec.Table(kind=kind, spending=_spending(f, ctx), projects=projects, **common)


def _project(node: _Node, ctx: _Context, key: str) -> rec.Table:
    if isinstance(node, _Mapping):
        doc = _document(node, ctx, key)
    elif isinstance(node, _Scalar) and node.text is not None and not node.boolean:
        doc = _project_file(node.text, node.line, ctx, key)
    else:
        ctx.fail(
            f"expected a file path or a project mapping, got {_describe(node)}", node.line, key
        )
    if doc.kind != "project":
        ctx.fail("a department's projects must be project tables, not departments", node.line, key)
    return doc


def _project_file(entry: str, line: int | None, ctx: _Context, key: str) -> rec.Table:
    relative = Path(entry.strip())
    # Confined to the department's folder: a document may not make perfeval
    # read arbitrary files (SPEC §8), so no absolute paths and no "..".
    if relative.is_absolute() or relative.drive or ".." in relative.parts:
        ctx.fail(
            f"project path {entry!r} must be relative and stay inside the department's folder",
            line,
            key,
        )
    path = ctx.base / relative
    if path.suffix.lower() not in _READERS:
        ctx.fail(f"project file {entry!r} is not a .yaml, .yml, .json or .xlsx document", line, key)
    ident = _identity(path)
    if ident in ctx.stack:
        chain = " → ".join(p.name for p in (*ctx.stack[ctx.stack.index(ident) :], ident))
        ctx.fail(f"the department includes itself: {chain}", line, key)
    cached = ctx.cache.get(ident)
    if cached is not None:
        return cached
    if not path.is_file():
        ctx.fail(f"project file not found: {entry!r}", line, key)
    doc = _load_file(path, ctx.stack, ctx.cache)
    ctx.cache[ident] = doc
    return doc


def _identity(path: Path) -> Path:
    """The same file under every spelling, for cycle detection and the cache."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return Path(os.path.abspath(path))


def _load_file(path: Path, stack: tuple[Path, ...], cache: dict[Path, rec.Table]) -> rec.Table:
    file = str(path)
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        _fail_file(file, "unsupported file type (expected .yaml, .yml, .json or .xlsx)")
    if stack and _identity(path) in stack:
        _fail_file(file, "the document includes itself")
    tree = reader(path)
    cells = tree.cells if isinstance(tree, _Mapping) and tree.cells else {}
    ctx = _Context(file=file, base=path.parent, outer=stack, cache=cache, source=file,
                   cells=cells, path=path)
    return _document(tree, ctx, "")


# --------------------------------------------------------------------------
# The public entry point
# --------------------------------------------------------------------------


def load(
    path_or_mapping: str | os.PathLike[str] | Mapping[str, object],
    *,
    _seen: tuple[Path, ...] | None = None,
) -> Document:
    """Load a project or department document.

    *path_or_mapping* is a ``.yaml``, ``.yml``, ``.json`` or ``.xlsx`` file (an
    Excel form: see :mod:`perfeval.excel`), or a plain
    mapping of the same keys (its relative project paths then start from the
    current directory, and errors carry no line numbers). ``_seen`` holds the
    resolved paths of documents already being loaded, outermost first; it
    exists for readers that load documents themselves, and is empty for
    everyone else.

    Every failure is a :class:`~perfeval.errors.DocumentError` naming the
    file, the line and the key.
    """
    from pydantic import ValidationError

    from perfeval.models import from_record

    table = read(path_or_mapping, _seen=_seen)
    try:
        return from_record(table)
    except ValidationError as e:
        # The walker checks every value first, so this is a bug; still a
        # DocumentError, never a traceback, for the CLI's sake.
        first = e.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        raise DocumentError(first["msg"], path=table.source, key=key) from e


def read(
    path_or_mapping: str | os.PathLike[str] | Mapping[str, object],
    *,
    _seen: tuple[Path, ...] | None = None,
) -> rec.Table:
    """What :func:`load` reads, as the plain record scoring works on: the same
    checks and errors, without building the pydantic models."""
    stack = tuple(_seen or ())
    file: str | None = None
    try:
        if isinstance(path_or_mapping, Mapping):
            ctx = _Context(file=None, base=Path.cwd(), outer=stack, cache={}, source=None)
            return _document(_from_python(path_or_mapping, None, "", 0), ctx, "")
        if not isinstance(path_or_mapping, str | os.PathLike):
            raise DocumentError(
                f"expected a file path or a mapping, got {type(path_or_mapping).__name__}"
            )
        path = Path(os.fspath(path_or_mapping))
        file = str(path)
        return _load_file(path, stack, {})
    except DocumentError:
        raise
    except RecursionError as e:
        raise DocumentError(f"nested deeper than {_MAX_DEPTH} levels", path=file) from e
    except (yaml.YAMLError, OSError, UnicodeError, InvalidOperation, ValueError, TypeError) as e:
        raise DocumentError(f"cannot load the document: {e}", path=file) from e
