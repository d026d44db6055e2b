"""Reports for people: terminal tables and GitHub Markdown.

What a report shows is decided once, by :func:`report_blocks` (and
:func:`audit_blocks` for findings only), as a list of plain blocks: headings,
lines, tables and finding lists.  The two renderers only lay blocks out, so
the terminal and the Markdown view can never disagree about content.

Terminal columns are padded by display width, not by ``len``: a CJK
character takes two cells.

>>> table = Table(("指标", "得分"), (("预算执行率", "9.95"), ("满意度", "10.00")), (False, True))
>>> print(render_text([table]), end="")
指标         得分
----------  -----
预算执行率   9.95
满意度      10.00
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from perfeval.findings import Finding
from perfeval.report import Report, round2, round4

__all__ = [
    "KIND_WORDS",
    "SEVERITY_WORDS",
    "STATUS_WORDS",
    "Block",
    "Fields",
    "Heading",
    "Items",
    "Line",
    "Section",
    "Table",
    "audit_blocks",
    "display_width",
    "findings_by_row",
    "render_markdown",
    "render_report",
    "render_text",
    "report_blocks",
    "summary_blocks",
]

STATUS_WORDS = {
    "met": "完成",
    "exceeded": "超额完成",
    "partial": "部分达成",
    "missed": "未完成",
    "unverifiable": "无法核验",
    "not_applicable": "不适用",
    "budget": "预算执行",  # a Loss of the budget block
}
SEVERITY_WORDS = {"error": "错误", "warning": "警告", "info": "提示"}
KIND_WORDS = {"project": "项目", "department": "部门整体"}
TOP_LOSSES = 10  # a reviewer reads the largest losses; the JSON keeps them all

_ANSI = {"error": "\x1b[31m", "warning": "\x1b[33m", "info": "\x1b[36m", "bold": "\x1b[1m"}
_RESET = "\x1b[0m"
_GAP = "  "  # between terminal columns


# ---------------------------------------------------------------- blocks

@dataclass(frozen=True, slots=True)
class Heading:
    """The title of a table (a project or a department)."""

    text: str
    level: int = 1


@dataclass(frozen=True, slots=True)
class Section:
    """A part of a table's view (预算执行, 绩效指标 …)."""

    text: str
    level: int = 2


@dataclass(frozen=True, slots=True)
class Line:
    text: str


@dataclass(frozen=True, slots=True)
class Fields:
    """Labelled values, one a line (a table's header facts)."""

    pairs: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]  # right-aligned columns


@dataclass(frozen=True, slots=True)
class Items:
    """The findings of one severity."""

    severity: str
    findings: tuple[Finding, ...]


Block = Heading | Section | Line | Fields | Table | Items


def _amount(value: Decimal) -> str:
    """万元 as written, without exponent or trailing zeros (``3434.9``)."""
    return format(value.normalize(), "f")


def _points(value: Decimal) -> str:
    return str(round2(value))


def _percent(ratio: Decimal | None) -> str:
    return "" if ratio is None else f"{round4(ratio) * 100:.2f}%"


def _level(text: str) -> str:
    """``产出指标`` → ``产出``: the table is wide enough without the suffix."""
    return text[:-2] if text.endswith("指标") and len(text) > 2 else text


def report_blocks(report: Report, level: int = 1) -> list[Block]:
    """Everything the score view shows of ``report`` (and its projects)."""
    kind = KIND_WORDS.get(report.kind, report.kind)
    facts = [("类型", kind), ("评分规则", report.rules), ("总分", _points(report.total)),
             ("等级", report.grade)]
    if report.source:
        facts.append(("文件", report.source))
    out: list[Block] = [Heading(report.name, level), Fields(tuple(facts))]

    sub = level + 1
    out.append(Section("预算执行", sub))
    b = report.budget
    if b is None:
        out.append(Line("未填写预算执行情况（预算分值已按规则分配给绩效指标）"))
    else:
        out.append(Table(
            ("预算数（万元）", "执行数（万元）", "执行率", "分值", "得分"),
            ((_amount(b.planned), _amount(b.executed), _percent(b.rate), _points(b.weight),
              _points(b.score)),),
            (True,) * 5,
        ))

    out.append(Section("绩效指标", sub))
    with_goals = any(r.goal for r in report.indicators)
    headers = ("一级", "二级", "三级指标", "年度指标值", "实际完成值", "状态", "完成率", "分值",
               "得分")
    rows = tuple(
        ((r.goal or "",) if with_goals else ())
        + (_level(r.level1), _level(r.level2), r.name, r.target or "", r.actual or "",
           STATUS_WORDS.get(r.status, r.status), _percent(r.ratio), _points(r.weight),
           _points(r.score))
        for r in report.indicators
    )
    if rows:
        out.append(Table(
            (("年度目标",) if with_goals else ()) + headers, rows,
            (False,) * (len(headers) - 3 + with_goals) + (True,) * 3,
        ))
    else:
        out.append(Line("无绩效指标"))

    out.append(Section("失分", sub))
    # A loss that rounds to 0.00 is arithmetic dust, not a point a reviewer can see.
    shown = [loss for loss in report.losses if round2(loss.lost) > 0]
    losses = shown[:TOP_LOSSES]
    if losses:
        out.append(Table(
            ("指标", "状态", "失分"),
            tuple((loss.name, STATUS_WORDS.get(loss.status, loss.status), _points(loss.lost))
                  for loss in losses),
            (False, False, True),
        ))
        if len(shown) > TOP_LOSSES:
            out.append(Line(f"另有 {len(shown) - TOP_LOSSES} 项失分未列出"))
    else:
        out.append(Line("无失分"))

    out.append(Section("审核发现", sub))
    out.extend(_finding_blocks(report.findings))

    if report.kind == "department" and report.projects:
        score = report.projects_score
        out.append(Section("所属项目", sub))
        out.append(Fields((
            ("项目数", str(len(report.projects))),
            ("项目得分（按预算数加权平均）", "" if score is None else _points(score)),
        )))
        for project in report.projects:
            out.extend(report_blocks(project, sub + 1))
    return out


def audit_blocks(report: Report) -> list[Block]:
    """The findings of ``report`` and of its projects, one section per table."""
    facts = [("类型", KIND_WORDS.get(report.kind, report.kind))]
    if report.source:
        facts.append(("文件", report.source))
    out: list[Block] = [Heading(report.name), Fields(tuple(facts))]
    out.extend(_finding_blocks(report.findings))
    for project in report.projects:
        out.extend(audit_blocks(project))
    return out


def findings_by_row(report: Report) -> tuple[list[list[Finding]], list[Finding]]:
    """The findings of each indicator row of ``report``, and the table-level rest.

    Findings carry the indicator's name, not its row, and a name may repeat
    (the same indicator under two 年度目标).  They come in row order, so each
    goes to the first row of its name at or after the previous finding's row;
    cross-table findings, listed last, start again from the top.
    """
    names = [r.name for r in report.indicators]
    per_row: list[list[Finding]] = [[] for _ in names]
    rest: list[Finding] = []
    cursor = 0
    for f in report.findings:
        hits = [i for i in range(cursor, len(names)) if names[i] == f.indicator] or [
            i for i in range(len(names)) if names[i] == f.indicator]
        if f.indicator is None or not hits:
            rest.append(f)
            continue
        cursor = hits[0]
        per_row[cursor].append(f)
    return per_row, rest


def summary_blocks(entries: Sequence[tuple[str, Report | None]]) -> list[Block]:
    """The closing table of a batch: one row per file scored (None: unreadable).

    Counts cover a department's projects too, since the file holds them.
    """
    rows: list[tuple[str, ...]] = []
    for path, report in entries:
        if report is None:
            rows.append((path, "", "", "无法读取", "", ""))
            continue
        found = [f for t in (report, *report.projects) for f in t.findings]
        rows.append((path, report.name, _points(report.total), report.grade,
                     str(sum(f.severity == "error" for f in found)),
                     str(sum(f.severity == "warning" for f in found))))
    return [Heading(f"汇总（{len(entries)} 个文件）"),
            Table(("文件", "表格", "总分", "等级", "错误", "警告"), tuple(rows),
                  (False, False, True, False, True, True))]


def _finding_blocks(findings: Sequence[Finding]) -> list[Block]:
    groups = [Items(sev, tuple(f for f in findings if f.severity == sev))
              for sev in SEVERITY_WORDS]
    return [g for g in groups if g.findings] or [Line("无审核发现")]


# ---------------------------------------------------------------- cells

def _clean(text: str) -> str:
    """One line of printable text: control characters would break the grid."""
    return "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
                   for ch in text)


def display_width(text: str) -> int:
    """Terminal cells taken by ``text`` (CJK characters take two).

    >>> display_width("产出"), display_width("≥230人")
    (4, 6)
    """
    return sum(map(_cells, text))


@functools.lru_cache(maxsize=8192)
def _cells(ch: str) -> int:
    """Unicode's East Asian Width: wide and full-width characters take two
    cells; combining marks, format and control characters none; the rest
    (ambiguous ones such as ≥ included, as terminals outside CJK locales
    show them) one.  The standard library's tables answer this without the
    25 ms a width library adds to every command's start."""
    if unicodedata.category(ch) in ("Mn", "Me", "Cf", "Cc"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * (width - display_width(text))
    return fill + text if right else text + fill


# ---------------------------------------------------------------- renderers

def render_text(blocks: Iterable[Block], *, color: bool = False) -> str:
    """Lay blocks out for a terminal; ``color`` adds ANSI colours to findings."""
    def paint(text: str, style: str) -> str:
        return f"{_ANSI[style]}{text}{_RESET}" if color else text

    parts: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            text = _clean(block.text)
            rule = "=" if block.level == 1 else "-"
            parts.append(f"{paint(text, 'bold')}\n{rule * display_width(text)}")
        elif isinstance(block, Section):
            parts.append(f"【{_clean(block.text)}】")
        elif isinstance(block, Line):
            parts.append(_clean(block.text))
        elif isinstance(block, Fields):
            parts.append("\n".join(f"{_clean(k)}：{_clean(v)}" for k, v in block.pairs))
        elif isinstance(block, Table):
            parts.append(_text_table(block))
        else:
            word = SEVERITY_WORDS.get(block.severity, block.severity)
            head = paint(f"{word}（{len(block.findings)}）", block.severity)
            lines = [f"  - {_clean(f.message)} {paint(f'[{f.rule}]', block.severity)}"
                     for f in block.findings]
            parts.append("\n".join([head, *lines]))
    return "\n\n".join(parts) + "\n"


def _text_table(table: Table) -> str:
    grid = [tuple(_clean(c) for c in row) for row in (table.headers, *table.rows)]
    widths = [max(display_width(row[i]) for row in grid) for i in range(len(table.headers))]

    def line(cells: tuple[str, ...]) -> str:
        padded = (_pad(c, w, right) for c, w, right in zip(cells, widths, table.numeric,
                                                           strict=True))
        return _GAP.join(padded).rstrip()

    rule = _GAP.join("-" * w for w in widths)
    return "\n".join([line(grid[0]), rule, *(line(row) for row in grid[1:])])


def render_markdown(blocks: Iterable[Block]) -> str:
    """Lay blocks out as GitHub Markdown."""
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, Heading | Section):
            parts.append(f"{'#' * min(block.level, 6)} {_md(block.text)}")
        elif isinstance(block, Line):
            parts.append(_md(block.text))
        elif isinstance(block, Fields):
            parts.append("\n".join(f"- **{_md(k)}**：{_md(v)}" for k, v in block.pairs))
        elif isinstance(block, Table):
            rule = ["---:" if right else "---" for right in block.numeric]
            rows = [[_md(c) for c in block.headers], rule,
                    *([_md(c) for c in row] for row in block.rows)]
            parts.append("\n".join(f"| {' | '.join(row)} |" for row in rows))
        else:
            word = SEVERITY_WORDS.get(block.severity, block.severity)
            lines = [f"- {_md(f.message)} `{f.rule}`" for f in block.findings]
            parts.append("\n".join([f"**{word}（{len(block.findings)}）**", "", *lines]))
    return "\n\n".join(parts) + "\n"


def _md(text: str) -> str:
    # A `|` ends a table cell; backslashes first so the escape itself survives.
    # Markdown passes raw HTML through, so a name such as
    # `<img src=x onerror=…>` would become markup (and script) wherever the
    # report is rendered: `&`, `<` and `>` become entities, which read the same.
    return (_clean(text).replace("\\", "\\\\").replace("|", "\\|").replace("&", "&amp;")
            .replace("<", "&lt;").replace(">", "&gt;").strip())


def render_report(reports: Sequence[Report], fmt: str,
                  summary: Sequence[tuple[str, Report | None]] = ()) -> str:
    """The score view of several reports, one after another (``table`` or
    ``markdown``), then the ``summary`` table of the batch when one is given."""
    if fmt == "markdown":
        parts = [render_markdown(report_blocks(r)) for r in reports]
        if summary:
            parts.append(render_markdown(summary_blocks(summary)))
        return "\n---\n\n".join(parts)
    parts = [render_text(report_blocks(r)) for r in reports]
    if summary:
        parts.append(render_text(summary_blocks(summary)))
    return "\n".join(parts)
