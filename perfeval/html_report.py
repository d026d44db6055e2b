"""The HTML report: one self-contained page a finance officer opens in a browser.

``perfeval score PATH --format html -o report.html`` writes it.  The page is
in Chinese and loads nothing: the styles are inline, the charts are inline
SVG, the fonts are the reader's own (a CJK stack that every Chinese system
has one of), and there is no script.  It prints on A4.

For each table it shows:

- the summary: 总分 and 等级, the budget block (预算数, 执行数, 执行率, 得分 of
  分值), the points lost and where, and the findings by severity;
- a chart of 得分 against 分值 for each 一级指标 (and the budget block);
- for a department, a chart of its projects' totals;
- the indicator table, each row coloured by its status, with the
  explanation and the findings that concern it;
- the findings, then each project of a department the same way.

What is shown comes from the same :class:`~perfeval.report.Report` as the
terminal and JSON views; escaping is done here, on every text that came from
a document (:func:`html.escape` on text and attributes alike).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from decimal import Decimal

from perfeval.findings import Finding
from perfeval.formats import KIND_WORDS, SEVERITY_WORDS, STATUS_WORDS, TOP_LOSSES, findings_by_row
from perfeval.report import IndicatorResult, Report, round2, round4

__all__ = ["render_html"]

# Status → (row background, text colour of the status badge).  Colour-blind
# readers also get the status word itself in every row.
_STATUS_COLOURS = {
    "met": ("#eaf6ec", "#1e7b34"),
    "exceeded": ("#e6f0fb", "#1b5fa8"),
    "partial": ("#fff6dd", "#8a6100"),
    "missed": ("#fdeaea", "#b3261e"),
    "unverifiable": ("#f1ecf7", "#6b3fa0"),
    "not_applicable": ("#f2f2f2", "#666666"),
}
_SEVERITY_COLOURS = {"error": "#b3261e", "warning": "#8a6100", "info": "#1b5fa8"}
_GRADE_COLOURS = {"优": "#1e7b34", "良": "#1b5fa8", "中": "#8a6100", "差": "#b3261e"}

_CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; color: #1f2328; background: #fff;
  font: 15px/1.6 "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC",
    "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", sans-serif; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 2px solid #d0d7de; }
h3 { font-size: 16px; margin: 20px 0 8px; }
section.table { margin-bottom: 40px; }
section.project { margin-left: 0; padding-left: 16px; border-left: 4px solid #d0d7de; }
.meta { color: #57606a; margin: 0 0 16px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0 8px; }
.card { border: 1px solid #d0d7de; border-radius: 8px; padding: 10px 16px; min-width: 150px; }
.card .label { color: #57606a; font-size: 13px; }
.card .value { font-size: 22px; font-weight: 600; }
.card.total .value { font-size: 34px; }
.grade { display: inline-block; padding: 0 10px; border-radius: 12px; color: #fff;
  font-size: 18px; vertical-align: middle; margin-left: 6px; }
table.grid { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 13.5px; }
table.grid th, table.grid td { border: 1px solid #d0d7de; padding: 4px 8px; vertical-align: top; }
table.grid th { background: #f6f8fa; text-align: left; white-space: nowrap; }
table.grid td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.status { font-weight: 600; white-space: nowrap; }
.why { color: #3b434b; }
ul.findings { margin: 4px 0 12px; padding-left: 20px; }
ul.findings li { margin: 2px 0; }
td ul.findings { margin: 0; padding-left: 16px; }
.rule { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12px;
  color: #57606a; }
.sev { font-weight: 600; }
figure { margin: 8px 0 16px; }
figcaption { color: #57606a; font-size: 13px; }
svg text { font-family: inherit; }
.none { color: #57606a; }
footer { color: #8c959f; font-size: 12px; margin-top: 32px; }
@media print { body { padding: 0; } section.table { break-inside: auto; }
  tr { break-inside: avoid; } }
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _points(value: Decimal) -> str:
    return str(round2(value))


def _percent(ratio: Decimal | None) -> str:
    return "" if ratio is None else f"{round4(ratio) * 100:.2f}%"


def _amount(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _level(text: str) -> str:
    return text[:-2] if text.endswith("指标") and len(text) > 2 else text


# ---------------------------------------------------------------- charts

def _bar_chart(title: str, rows: Sequence[tuple[str, Decimal, Decimal, str]], *,
               scale: Decimal, caption: str, marker: tuple[str, Decimal] | None = None) -> str:
    """Horizontal bars: each row is (label, full, value, colour of value).

    The full length is drawn pale behind the value, so what was lost shows
    as the pale rest of the bar.
    """
    label_w, bar_w, row_h, top = 190, 440, 30, 10
    width = label_w + bar_w + 130
    height = top + row_h * len(rows) + (26 if marker else 12)
    scale = scale if scale > 0 else Decimal(1)
    # Inline SVG in HTML needs no namespace declaration (and the page holds no URL).
    parts = [(f'<svg role="img" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" aria-label="{_e(title)}">'),
             f"<title>{_e(title)}</title>"]
    for i, (label, full, value, colour) in enumerate(rows):
        y = top + i * row_h
        full_w = float(min(full, scale) / scale) * bar_w
        value_w = float(max(Decimal(0), min(value, scale)) / scale) * bar_w
        shown = label if len(label) <= 14 else label[:13] + "…"
        parts.append(f'<text x="{label_w - 8}" y="{y + 19}" text-anchor="end" '
                     f'font-size="13" fill="#1f2328">{_e(shown)}<title>{_e(label)}</title></text>')
        parts.append(f'<rect x="{label_w}" y="{y + 5}" width="{full_w:.1f}" height="18" '
                     'fill="#d8dee4" rx="2"/>')
        parts.append(f'<rect x="{label_w}" y="{y + 5}" width="{value_w:.1f}" height="18" '
                     f'fill="{colour}" rx="2"/>')
        parts.append(f'<text x="{label_w + max(full_w, value_w) + 6:.1f}" y="{y + 19}" '
                     f'font-size="13" fill="#1f2328">{_e(_points(value))} / '
                     f'{_e(_points(full))}</text>')
    if marker is not None:
        name, at = marker
        x = label_w + float(min(at, scale) / scale) * bar_w
        bottom = top + row_h * len(rows)
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" '
                     'stroke="#1f2328" stroke-dasharray="4 3"/>')
        parts.append(f'<text x="{x:.1f}" y="{bottom + 16}" text-anchor="middle" font-size="12" '
                     f'fill="#1f2328">{_e(name)} {_e(_points(at))}</text>')
    parts.append("</svg>")
    return (f'<figure>{"".join(parts)}<figcaption>{_e(caption)}</figcaption></figure>')


def _pool_chart(report: Report) -> str:
    """得分 against 分值 for each 一级指标, the budget block first."""
    groups: dict[str, list[Decimal]] = {}
    if report.budget is not None:
        groups["预算执行"] = [report.budget.weight, report.budget.score]
    for r in report.indicators:
        key = r.level1 or "（未填一级指标）"
        weight, score = groups.setdefault(key, [Decimal(0), Decimal(0)])
        groups[key] = [weight + r.weight, score + r.score]
    if not groups:
        return ""
    rows = [(name, w, s, "#2f6fbf" if s >= w else "#d9822b") for name, (w, s) in groups.items()]
    top = max(w for _, w, _, _ in rows)
    return _bar_chart("各一级指标得分与分值", rows, scale=top,
                      caption="深色为得分，浅色为分值；橙色表示该项有失分。")


def _projects_chart(report: Report) -> str:
    if not report.projects:
        return ""
    rows = [(p.name, Decimal(100), p.total, _GRADE_COLOURS.get(p.grade, "#2f6fbf"))
            for p in report.projects]
    marker = None
    if report.projects_score is not None:
        marker = ("加权平均", report.projects_score)
    return _bar_chart("所属项目得分", rows, scale=Decimal(100), marker=marker,
                      caption="各项目总分（满分 100），颜色表示等级；虚线为按预算数加权的平均分。")


# ---------------------------------------------------------------- blocks

def _findings_list(findings: Sequence[Finding]) -> str:
    items = []
    for f in findings:
        colour = _SEVERITY_COLOURS.get(f.severity, "#1f2328")
        word = SEVERITY_WORDS.get(f.severity, f.severity)
        items.append(f'<li><span class="sev" style="color:{colour}">{_e(word)}</span> '
                     f'{_e(f.message)} <span class="rule">{_e(f.rule)}</span></li>')
    return f'<ul class="findings">{"".join(items)}</ul>'


def _cards(report: Report) -> str:
    colour = _GRADE_COLOURS.get(report.grade, "#57606a")
    cards = [
        ('<div class="card total"><div class="label">总分</div>'
        f'<div class="value" id="total">{_e(_points(report.total))}'
        f'<span class="grade" style="background:{colour}">{_e(report.grade)}</span></div></div>'),
    ]
    b = report.budget
    if b is not None:
        cards.append(
            '<div class="card"><div class="label">预算执行（万元）</div>'
            f'<div class="value">{_e(_percent(b.rate))}</div>'
            f'<div class="label">预算数 {_e(_amount(b.planned))}，执行数 {_e(_amount(b.executed))}'
            f'，得分 {_e(_points(b.score))} / {_e(_points(b.weight))}</div></div>')
    else:
        cards.append('<div class="card"><div class="label">预算执行</div>'
                     '<div class="value">未填写</div>'
                     '<div class="label">预算分值已按规则分配给绩效指标</div></div>')
    lost = sum((loss.lost for loss in report.losses), Decimal(0))
    cards.append('<div class="card"><div class="label">失分</div>'
                 f'<div class="value">{_e(_points(lost))}</div>'
                 f'<div class="label">{len([x for x in report.losses if round2(x.lost) > 0])}'
                 ' 项有失分</div></div>')
    counts = "，".join(f"{SEVERITY_WORDS[s]} {sum(f.severity == s for f in report.findings)}"
                      for s in SEVERITY_WORDS)
    cards.append('<div class="card"><div class="label">审核发现</div>'
                 f'<div class="value">{len(report.findings)}</div>'
                 f'<div class="label">{_e(counts)}</div></div>')
    if report.kind == "department" and report.projects:
        score = report.projects_score
        cards.append('<div class="card"><div class="label">所属项目得分（按预算数加权）</div>'
                     f'<div class="value">{_e("" if score is None else _points(score))}</div>'
                     f'<div class="label">{len(report.projects)} 个项目</div></div>')
    return f'<div class="cards">{"".join(cards)}</div>'


def _losses(report: Report) -> str:
    shown = [loss for loss in report.losses if round2(loss.lost) > 0]
    if not shown:
        return '<p class="none">无失分。</p>'
    rows = "".join(
        f"<tr><td>{_e(loss.name)}</td><td>{_e(STATUS_WORDS.get(loss.status, loss.status))}</td>"
        f'<td class="num">{_e(_points(loss.lost))}</td></tr>' for loss in shown[:TOP_LOSSES])
    more = (f'<p class="none">另有 {len(shown) - TOP_LOSSES} 项失分未列出。</p>'
            if len(shown) > TOP_LOSSES else "")
    return ('<table class="grid" style="width:auto"><thead><tr><th>指标</th><th>状态</th>'
            f"<th>失分</th></tr></thead><tbody>{rows}</tbody></table>{more}")


def _indicator_rows(report: Report) -> str:
    per_row, _ = findings_by_row(report)
    with_goals = any(r.goal for r in report.indicators)
    heads = (["年度目标"] if with_goals else []) + [
        "一级", "二级", "三级指标", "年度指标值", "实际完成值", "状态", "完成率", "分值", "得分",
        "说明", "审核发现"]
    out = ['<table class="grid"><thead><tr>', *(f"<th>{h}</th>" for h in heads),
           "</tr></thead><tbody>"]
    for r, found in zip(report.indicators, per_row, strict=True):
        out.append(_indicator_row(r, found, with_goals))
    out.append("</tbody></table>")
    return "".join(out)


def _indicator_row(r: IndicatorResult, found: Sequence[Finding], with_goals: bool) -> str:
    background, colour = _STATUS_COLOURS.get(r.status, ("#ffffff", "#1f2328"))
    cells = ([f"<td>{_e(r.goal or '')}</td>"] if with_goals else []) + [
        f"<td>{_e(_level(r.level1))}</td>",
        f"<td>{_e(_level(r.level2))}</td>",
        f"<td>{_e(r.name)}</td>",
        f"<td>{_e(r.target or '')}</td>",
        f"<td>{_e(r.actual or '')}</td>",
        (f'<td class="status" style="color:{colour}">{_e(STATUS_WORDS.get(r.status, r.status))}'
        "</td>"),
        f'<td class="num">{_e(_percent(r.ratio))}</td>',
        f'<td class="num">{_e(_points(r.weight))}</td>',
        f'<td class="num">{_e(_points(r.score))}</td>',
        f'<td class="why">{_e(r.explanation)}</td>',
        f"<td>{_findings_list(found) if found else ''}</td>",
    ]
    return (f'<tr class="status-{_e(r.status)}" style="background:{background}">'
            f'{"".join(cells)}</tr>')


def _table(report: Report, level: int) -> str:
    h, sub = min(level, 3), min(level + 1, 4)
    kind = KIND_WORDS.get(report.kind, report.kind)
    meta = [kind, f"评分规则 {report.rules}"]
    if report.year:
        meta.append(f"{report.year} 年度")
    if report.source:
        meta.append(f"文件 {report.source}")
    css = "table project" if level > 1 else "table"
    parts = [f'<section class="{css}">',
             f"<h{h}>{_e(report.name)}</h{h}>",
             f'<p class="meta">{_e("　·　".join(meta))}</p>',
             _cards(report),
             f"<h{sub}>得分与分值</h{sub}>",
             _pool_chart(report) or '<p class="none">无可评分的指标。</p>']
    if report.projects:
        parts += [f"<h{sub}>所属项目</h{sub}>", _projects_chart(report)]
    parts += [f"<h{sub}>失分</h{sub}>", _losses(report),
              f"<h{sub}>绩效指标</h{sub}>",
              _indicator_rows(report) if report.indicators else '<p class="none">无绩效指标。</p>',
              f"<h{sub}>审核发现</h{sub}>"]
    if report.findings:
        for severity in SEVERITY_WORDS:
            group = [f for f in report.findings if f.severity == severity]
            if group:
                parts.append(f"<h{min(sub + 1, 5)}>{_e(SEVERITY_WORDS[severity])}"
                             f"（{len(group)}）</h{min(sub + 1, 5)}>")
                parts.append(_findings_list(group))
    else:
        parts.append('<p class="none">无审核发现。</p>')
    parts.extend(_table(p, level + 1) for p in report.projects)
    parts.append("</section>")
    return "".join(parts)


def render_html(reports: Sequence[Report]) -> str:
    """One self-contained HTML page for ``reports`` (UTF-8 text)."""
    from perfeval import __version__

    title = reports[0].name if len(reports) == 1 else f"{len(reports)} 张自评表"
    body = "".join(_table(r, 1) for r in reports)
    return ("<!DOCTYPE html>\n"
            '<html lang="zh-CN"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_e(title)} — 绩效自评评分报告</title><style>{_CSS}</style></head>"
            f"<body>{body}<footer>由 perfeval {_e(__version__)} 生成。分值与得分按规则包计算，"
            "审核发现为复核时应关注的问题。</footer></body></html>\n")
