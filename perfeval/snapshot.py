"""Regression gates: record reports, re-score, and list what changed.

``perfeval snapshot PATH... -o snapshot.json`` records the SPEC §7 reports of
a set of documents; ``perfeval diff snapshot.json [PATH...]`` scores them again
and lists every changed total, grade, indicator status and finding.
``perfeval compare --rules A --rules B PATH...`` scores the same documents
under two packs and says why the totals move.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from perfeval import __version__
from perfeval.errors import DocumentError
from perfeval.report import Report
from perfeval.rules import RulePack

__all__ = ["make_snapshot", "read_snapshot", "diff_reports", "compare_packs", "pack_differences"]

SNAPSHOT_VERSION = 1


def make_snapshot(entries: Iterable[tuple[str, Report]], rules: str | None) -> dict[str, Any]:
    """The snapshot of ``(source path, report)`` pairs, ready for JSON."""
    return {
        "snapshot_version": SNAPSHOT_VERSION,
        "perfeval": __version__,
        "rules": rules,
        "documents": [{"source": source, "report": report.to_dict()}
                      for source, report in entries],
    }


def read_snapshot(data: Any, path: str) -> dict[str, Any]:
    """Check the shape of a loaded snapshot; DocumentError when it is not one."""
    if (not isinstance(data, dict) or data.get("snapshot_version") != SNAPSHOT_VERSION
            or not isinstance(data.get("documents"), list)
            or not all(isinstance(d, dict) and isinstance(d.get("source"), str)
                       and isinstance(d.get("report"), dict) for d in data["documents"])):
        raise DocumentError("not a perfeval snapshot (written by `perfeval snapshot`)", path=path)
    return data


# ---------------------------------------------------------------- diff

def _finding_key(f: dict[str, Any]) -> tuple[str, str, str]:
    return (str(f.get("rule")), str(f.get("indicator")), str(f.get("message")))


def _indicator_keys(report: dict[str, Any]) -> dict[tuple[Any, str, int], dict[str, Any]]:
    """Indicators keyed by (goal, name, occurrence), so repeated names still pair up."""
    seen: Counter[tuple[Any, str]] = Counter()
    out: dict[tuple[Any, str, int], dict[str, Any]] = {}
    for row in report.get("indicators", []):
        base = (row.get("goal"), str(row.get("name")))
        out[(*base, seen[base])] = row
        seen[base] += 1
    return out


def diff_reports(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Every change between two report dicts, as lines of text (none: equal)."""
    name = new.get("name") or old.get("name")
    lines: list[str] = []

    def say(text: str) -> None:
        lines.append(f"{name}: {text}")

    for field, label in (("total", "总分"), ("grade", "等级"), ("rules", "评分规则")):
        if old.get(field) != new.get(field):
            say(f"{label} {old.get(field)} → {new.get(field)}")
    old_rows, new_rows = _indicator_keys(old), _indicator_keys(new)
    for key in [*old_rows, *(k for k in new_rows if k not in old_rows)]:
        before, after = old_rows.get(key), new_rows.get(key)
        label = key[1] if key[0] is None else f"{key[0]} / {key[1]}"
        if before is None:
            say(f"新增指标 {label}（{after and after.get('status')}）")
        elif after is None:
            say(f"删除指标 {label}（{before.get('status')}）")
        else:
            for part, word in (("status", "状态"), ("score", "得分")):
                if before.get(part) != after.get(part):
                    say(f"指标 {label} {word} {before.get(part)} → {after.get(part)}")
    old_findings = Counter(_finding_key(f) for f in old.get("findings", []))
    new_findings = Counter(_finding_key(f) for f in new.get("findings", []))
    for (rule, _, message), count in (old_findings - new_findings).items():
        say(f"- 审核发现 [{rule}] {message}" + (f" ×{count}" if count > 1 else ""))
    for (rule, _, message), count in (new_findings - old_findings).items():
        say(f"+ 审核发现 [{rule}] {message}" + (f" ×{count}" if count > 1 else ""))
    old_projects = {p.get("name"): p for p in old.get("projects", []) or []}
    new_projects = {p.get("name"): p for p in new.get("projects", []) or []}
    for project in [*old_projects, *(p for p in new_projects if p not in old_projects)]:
        if project not in new_projects:
            say(f"项目《{project}》不再列出")
        elif project not in old_projects:
            say(f"新增项目《{project}》")
        else:
            lines.extend(diff_reports(old_projects[project], new_projects[project]))
    if old.get("projects_score") != new.get("projects_score") and "projects_score" in new:
        say(f"项目平均分 {old.get('projects_score')} → {new.get('projects_score')}")
    return lines


# ---------------------------------------------------------------- compare

def pack_differences(a: RulePack, b: RulePack) -> list[str]:
    """What differs between two packs, in the words of the forms."""
    out: list[str] = []

    def differ(label: str, va: object, vb: object) -> None:
        if va != vb:
            out.append(f"{b.name} {label} {_plain(vb)}，{a.name} 为 {_plain(va)}")

    differ("预算执行分值", a.budget_points, b.budget_points)
    differ("指标分值按年度目标平分" if b.split_by_goal else "指标分值不按年度目标平分",
           a.split_by_goal, b.split_by_goal)
    for pool in sorted(a.pools.keys() | b.pools.keys()):
        differ(f"{pool}指标分值", a.pools.get(pool), b.pools.get(pool))
    differ("成本指标并入", a.cost_pool, b.cost_pool)
    differ("超额完成阈值", a.over_threshold, b.over_threshold)
    differ("定性指标部分达成得分比例", a.partial, b.partial)
    differ("定性指标未达成得分比例", a.missed, b.missed)
    differ("反向指标未完成得分公式", a.reverse_formula.text, b.reverse_formula.text)
    differ("预算执行得分公式", a.budget_formula.text, b.budget_formula.text)
    for key in sorted(a.thresholds.keys() | b.thresholds.keys()):
        differ(f"阈值 {key}", a.thresholds.get(key), b.thresholds.get(key))
    return out


def _plain(value: object) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def compare_packs(first: Report, second: Report, *, top: int = 5) -> list[str]:
    """How one document moves from ``first``'s pack to ``second``'s: the total
    and grade, then the rows whose lost points moved most."""
    lines = [f"{first.name}: 总分 {first.total}（{first.rules}，{first.grade}）→ "
             f"{second.total}（{second.rules}，{second.grade}），变化 {second.total - first.total:+}"]
    moves: list[tuple[Decimal, str]] = []
    rows = list(zip(first.indicators, second.indicators))
    if first.budget is not None and second.budget is not None:
        ba, bb = first.budget, second.budget
        moves.append((bb.weight - bb.score - (ba.weight - ba.score),
                      f"预算执行 失分 {_r(ba.weight - ba.score)} → {_r(bb.weight - bb.score)}"
                      f"（分值 {_r(ba.weight)} → {_r(bb.weight)}）"))
    for a, b in rows:
        lost_a, lost_b = a.weight - a.score, b.weight - b.score
        if lost_a != lost_b or a.status != b.status:
            moves.append((lost_b - lost_a,
                          f"{a.name} 失分 {_r(lost_a)} → {_r(lost_b)}（分值 {_r(a.weight)} → "
                          f"{_r(b.weight)}"
                          + (f"，{a.status} → {b.status}）" if a.status != b.status else "）")))
    moves = [m for m in moves if _r(m[0]) not in ("0.00", "-0.00")]
    moves.sort(key=lambda m: -abs(m[0]))
    lines.extend(f"  {text}" for _, text in moves[:top])
    if len(moves) > top:
        lines.append(f"  …另有 {len(moves) - top} 项失分变化")
    reweighted = sum(1 for a, b in rows if _r(a.weight) != _r(b.weight))
    if reweighted:
        lines.append(f"  {reweighted} 项指标分值重新分配")
    for pa, pb in zip(first.projects, second.projects):
        lines.extend("  " + line for line in compare_packs(pa, pb, top=top))
    return lines


def _r(value: Any) -> str:
    from perfeval.report import round2

    return str(round2(value))
