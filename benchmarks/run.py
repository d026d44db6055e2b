"""Benchmarks for issue 6: every figure next to a baseline measured in the same run.

    python benchmarks/run.py                   # a quick run: 5000 tables, 1M rows
    python benchmarks/run.py --tables 100000   # a province

Not a test, and not run in CI.  The baselines:

- simpleeval: ``w if a >= t else w*a/t`` parsed once and evaluated with
  ``previously_parsed=`` on floats parsed in advance;
- zen-engine: the same formula through ``zen.compile_expression``
  (``pip install zen-engine`` in the benchmark environment; skipped when absent);
- ``--jobs 1`` for the document rates, ``python -c pass`` for the cold start.
"""

from __future__ import annotations

import argparse
import compileall
import functools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from perfeval import evaluate
from perfeval.targets import parse_actual, parse_target

FORMULA = "w if a >= t else w*a/t"
ZEN_FORMULA = "a >= t ? w : w * a / t"

# ---------------------------------------------------------------- a province

_PERCENT_AT_LEAST = ("预算执行率", "接待群众满意度", "服务对象满意度", "项目验收合格率", "资金拨付及时率",
                     "群众满意度", "设备完好率", "政策知晓率", "培训覆盖率", "档案归档率")
_EXACT_RATES = ("日常管理培训完成率", "工作人员绩效考核合格率", "业务办理及时率", "补贴发放及时率",
                "大厅规范化管理程度", "资金使用合规率", "政府采购执行率")
_COUNTS = (("外包服务人员聘用人数", "人"), ("办理各类审批服务事项数", "件"), ("接待群众人次", "人次"),
           ("组织工作人员学习培训次数", "次"), ("免费刻章服务户数", "户"), ("设备购置数量", "台"),
           ("印发宣传资料", "份"), ("开展督导检查次数", "次"), ("新建村级服务站", "个"),
           ("改造农村道路里程", "公里"), ("发放补贴户数", "户"), ("举办招聘会场次", "场"))
_REVERSE = (("预算调整率", "%"), ("设备故障率", "%"), ("群众投诉次数", "次"), ("安全事故发生数", "起"),
            ("人均办公成本", "万元"))
_WORDS = (("审批服务效率", "得到提升", ("得到提升", "明显提升", "有所提升", "已完成")),
          ("政务服务水平", "明显提高", ("明显提高", "有所提高", "提高不明显", "显著提升")),
          ("社会效益", "有效保障", ("有效保障", "基本保障", "已保障")),
          ("办学条件", "改善学校的办学条件", ("改善", "明显改善", "有所改善")),
          ("安全生产", "无重大安全事故", ("未发生", "无", "发生1起")))
_DEADLINES = ("2024年12月底前", "2024年11月30日前", "2024年6月底前", "年底前")
_DONE = ("2024年12月", "2024年10月完成", "按期完成", "2025年1月", "已按时完成")


def indicator(rng: random.Random) -> dict[str, str]:
    """One row of a 项目支出绩效自评表, with the spread real forms show:
    most targets are a handful of percentages, some are counts, words, dates."""
    roll = rng.random()
    if roll < 0.25:
        name = rng.choice(_EXACT_RATES)
        target = rng.choice(("=100%", "100%", "≥100%", "=100%"))
        actual = rng.choice(("100%", "=100%", "100%", "98%", "99.5%", "95%"))
        level = ("产出指标", "时效指标")
    elif roll < 0.50:
        name = rng.choice(_PERCENT_AT_LEAST)
        t = rng.choice((80, 85, 90, 90, 95, 95, 98))
        target = rng.choice((f"≥{t}%", f"≥ {t}%", f">={t}%", f"不低于{t}%", f"{t}%-100%"))
        actual = f"{rng.choice((t - 3, t, t + 1, t + 2, 99, 100, rng.randint(60, 100)))}" + \
            rng.choice(("%", "%", ".5%", ".83%"))
        level = ("满意度指标", "服务对象满意度指标")
    elif roll < 0.72:
        name, unit = rng.choice(_COUNTS)
        t = rng.choice((2, 4, 10, 12, 20, 50, 100, 230, 500, 1000, 5000))
        big = rng.random() < 0.15
        target = f"≥{t}{'万' if big else ''}{unit}" if rng.random() < 0.8 else f"{t}{unit}"
        got = max(0, round(t * rng.choice((0.6, 0.9, 1, 1, 1, 1.1, 1.3, 2.5))))
        actual = f"{got}{'万余' if big else ''}{unit}"
        level = ("产出指标", "数量指标")
    elif roll < 0.80:
        name, unit = rng.choice(_REVERSE)
        t = rng.choice((0, 1, 3, 5, 10))
        target = f"≤{t}{unit}" if rng.random() < 0.7 else f"{t}{unit}"
        actual = f"{rng.choice((0, t, t + 1, max(0, t - 1)))}{unit}"
        level = ("成本指标", "经济成本指标")
    elif roll < 0.93:
        name, target, answers = rng.choice(_WORDS)
        actual = rng.choice(answers)
        level = ("效益指标", "社会效益指标")
    else:
        name = "项目完成时限"
        target = rng.choice(_DEADLINES)
        actual = rng.choice(_DONE)
        level = ("产出指标", "时效指标")
    return {"level1": level[0], "level2": level[1], "name": name, "target": target,
            "actual": actual}


def table(rng: random.Random, i: int) -> str:
    """A project table as YAML (flow mappings of JSON strings, valid YAML)."""
    planned = round(rng.randint(5, 5000) + rng.randint(0, 99) / 100, 2)  # 5.69, not 5.6899999999999995
    executed = round(planned * rng.choice((1, 0.99, 0.95, 0.9, 0.8)), 2)
    rows = [indicator(rng) for _ in range(rng.randint(10, 40))]
    lines = ["kind: project", f"name: {json.dumps(f'项目{i:06d}工作经费', ensure_ascii=False)}",
             "year: 2024", f"department: 第{i % 97}局", "budget:",
             f"  planned: {planned} 万元", f"  executed: {executed} 万元", "indicators:"]
    lines += [f"  - {json.dumps(r, ensure_ascii=False)}" for r in rows]
    return "\n".join(lines) + "\n"


def rows(rng: random.Random, n: int) -> list[dict[str, str]]:
    return [indicator(rng) for _ in range(n)]


# ---------------------------------------------------------------- helpers

def per_call(fn, items, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    """Best of ``repeat`` passes, seconds per item."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn(items)
        best = min(best, time.perf_counter() - start)
    return best / len(items)


def line(label: str, ours: str, base: str, ratio: float, goal: float, floor: float) -> None:
    verdict = "goal met" if ratio >= goal else ("floor met" if ratio >= floor else "BELOW FLOOR")
    print(f"  {label:<44} {ours:>16}   baseline {base:>16}   ratio {ratio:7.2f}×  "
          f"(goal {goal:g}×, floor {floor:g}×: {verdict})")


def quantities(sample: list[dict[str, str]]) -> list[tuple[str, str, str, float, float]]:
    """The rows the baseline formula can score at all: a number on each side."""
    out = []
    for r in sample:
        t, a = parse_target(r["target"]), parse_actual(r["actual"])
        if t.low is not None and a.quantity is not None and t.kind == "compare":
            out.append((r["target"], r["actual"], r["name"], float(t.low.value),
                        float(a.quantity.value)))
    return out


def simpleeval_baseline():  # type: ignore[no-untyped-def]
    from simpleeval import SimpleEval

    s = SimpleEval()
    parsed = s.parse(FORMULA)

    def run(items):  # type: ignore[no-untyped-def]
        for t, a in items:
            s.names = {"a": a, "t": t, "w": 10.0}
            s.eval(FORMULA, previously_parsed=parsed)
    return run


def zen_baseline():  # type: ignore[no-untyped-def]
    try:
        import zen
    except ImportError:
        return None
    expr = zen.compile_expression(ZEN_FORMULA)

    def run(items):  # type: ignore[no-untyped-def]
        for t, a in items:
            expr.evaluate({"a": a, "t": t, "w": 10.0})
    return run


def child(argv: list[str]) -> tuple[float, int, int]:
    """(seconds, peak RSS in bytes of the largest process, exit code) of a command."""
    probe = ("import resource, subprocess, sys, time, json\n"
             "s = time.perf_counter()\n"
             "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
             "e = time.perf_counter() - s\n"
             "print(json.dumps([e, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,"
             " p.returncode]))\n")
    out = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    seconds, kib, code = json.loads(out.stdout)
    return seconds, kib * 1024, code


def fastest(argv: list[str], runs: int) -> tuple[float, int]:
    """:func:`child` run ``runs`` times: the fastest time and the largest peak
    RSS.  The fastest, as timeit reports: another process on the machine can
    only slow a run down.  A run that fails is reported: its time means nothing."""
    outcomes = [child(argv) for _ in range(runs)]
    for code in {o[2] for o in outcomes} - {0}:
        print(f"  (exit code {code}: {' '.join(argv[1:])})")
    return min(o[0] for o in outcomes), max(o[1] for o in outcomes)


def perfeval_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "perfeval", *args]


# ---------------------------------------------------------------- figures

def single(rng: random.Random) -> None:
    print("(a) single evaluations, warm caches (per call, same quantitative rows)")
    sample = quantities(rows(rng, 20000))
    strings = [(t, a, n) for t, a, n, _, _ in sample]
    floats = [(tf, af) for _, _, _, tf, af in sample]

    def ours(items):  # type: ignore[no-untyped-def]
        for t, a, n in items:
            evaluate(t, a, name=n)
    ours(strings)  # warm
    mine = per_call(ours, strings)
    base = per_call(simpleeval_baseline(), floats)
    line("evaluate() vs simpleeval", f"{mine * 1e9:,.0f} ns", f"{base * 1e9:,.0f} ns",
         base / mine, 3, 1.5)
    zen = zen_baseline()
    if zen is None:
        print("  zen-engine baseline skipped: `import zen` failed (pip install zen-engine)")
    else:
        zbase = per_call(zen, floats)
        line("evaluate() vs zen-engine", f"{mine * 1e9:,.0f} ns", f"{zbase * 1e9:,.0f} ns",
             zbase / mine, 2, 1.0)
    print(f"  ({len(sample)} rows, {len(set(strings))} distinct)")


def cold_caches() -> None:
    """Empty every memo in perfeval (parsers, evaluate, rule packs, the batch
    path's own), so that a call pays what it would in a fresh process."""
    for name, module in list(sys.modules.items()):
        if name == "perfeval" or name.startswith("perfeval."):
            for value in list(vars(module).values()):
                # lru_caches, and memo objects with the same method (not their classes)
                if callable(getattr(value, "cache_clear", None)) and not isinstance(value, type):
                    value.cache_clear()


def best_of(fn, repeat: int = 5, before=None) -> float:  # type: ignore[no-untyped-def]
    """Seconds of the fastest of ``repeat`` calls of ``fn()``, each after ``before()``."""
    best = float("inf")
    for _ in range(repeat):
        if before is not None:
            before()
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def columnar(rng: random.Random, n: int) -> None:
    print(f"(b) evaluate_many on {n:,} rows, by input kind, vs simpleeval over their numeric rows "
          "(best of 5)")
    from perfeval.batch import evaluate_many

    pool = rows(rng, 50000)
    chosen = [pool[rng.randrange(len(pool))] for _ in range(n)]
    lists = tuple([r[k] for r in chosen] for k in ("target", "actual", "name"))
    # the baseline scores only the rows it can read: a number on each side
    numeric = {(r["target"], r["actual"]): (tf, af)
               for r in pool for (_, _, _, tf, af) in quantities([r])}
    floats = [numeric[(t, a)] for t, a in zip(lists[0], lists[1]) if (t, a) in numeric]
    run = simpleeval_baseline()
    base = best_of(lambda: run(floats))

    def built(*columns):  # type: ignore[no-untyped-def]
        batch = evaluate_many(*columns)
        return batch.status, batch.ratio, batch.fraction

    cases = [("Python lists, warm caches", evaluate_many, lists, None),
             ("Python lists, cold caches", evaluate_many, lists, cold_caches)]
    try:
        import pyarrow as pa
    except ImportError:
        print("  Arrow lines skipped: `import pyarrow` failed (pip install '.[fast]')")
    else:
        strings = tuple(pa.array(c) for c in lists)
        dictionaries = tuple(c.dictionary_encode() for c in strings)
        cases[:0] = [("Arrow dictionary columns, warm caches", evaluate_many, dictionaries, None),
                     ("Arrow string columns, warm caches", evaluate_many, strings, None),
                     ("Arrow string columns, cold caches", evaluate_many, strings, cold_caches),
                     ("Arrow string columns, warm, + row columns", built, strings, None)]
    for label, fn, columns, before in cases:
        fn(*columns)  # warm, unless ``before`` empties the caches again
        mine = best_of(functools.partial(fn, *columns), before=before)
        line(label, f"{mine:.3f} s", f"{base:.2f} s", base / mine, 30, 10)
    batch = evaluate_many(*lists)
    print(f"  ({len(batch):,} rows scored by perfeval, every kind; {len(floats):,} numeric rows "
          f"by the baseline; {len(batch.distinct_codes):,} distinct triples. Warm: the strings "
          "parsed by an earlier call; cold: every perfeval memo emptied first, as in a fresh "
          "process. A Batch holds one outcome per distinct triple; \"+ row columns\" adds "
          "gathering status, ratio and fraction for every row.)")


def documents(rng: random.Random, n: int, forms: int, workdir: Path, runs: int) -> None:
    folder = workdir / "yaml"
    folder.mkdir()
    start = time.perf_counter()
    for i in range(n):
        sub = folder / f"{i // 1000:03d}"
        if i % 1000 == 0:
            sub.mkdir()
        (sub / f"t{i:06d}.yaml").write_text(table(rng, i), encoding="utf-8")
    print(f"(c) documents: {n:,} YAML tables written in {time.perf_counter() - start:.1f} s; "
          f"each command run {runs} times, the fastest shown")
    out = workdir / "out.json"
    rates = {}
    rss = {}
    for jobs in (1, 2):
        seconds, peak = fastest(perfeval_cmd("score", str(folder), "--format", "json",
                                             "--jobs", str(jobs), "-o", str(out)), runs)
        rates[jobs], rss[jobs] = n / seconds, peak
    line("YAML documents/s, --jobs 2 vs --jobs 1", f"{rates[2]:,.0f}/s", f"{rates[1]:,.0f}/s",
         rates[2] / rates[1], 1, 1)
    print(f"  YAML documents/s with --jobs 2: {rates[2]:,.0f}/s (goal ≥ 1000/s: "
          f"{'met' if rates[2] >= 1000 else 'NOT met'})")
    # The same tables as PyYAML's dump writes them: five lines per indicator
    # instead of one JSON object.
    import yaml

    block = workdir / "yaml-block"
    block.mkdir()
    written = sorted(folder.rglob("*.yaml"))[:2000]
    for y in written:
        data = yaml.safe_load(y.read_text(encoding="utf-8"))
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=4096)
        (block / y.name).write_text(text, encoding="utf-8")
    seconds, _ = fastest(perfeval_cmd("score", str(block), "--format", "json", "--jobs", "2",
                                      "-o", str(out)), runs)
    print(f"  YAML documents/s with --jobs 2, block style (yaml.dump): "
          f"{len(written) / seconds:,.0f}/s over {len(written):,} tables")

    from perfeval import load
    from perfeval.excel import write_form

    xfolder = workdir / "xlsx"
    xfolder.mkdir()
    yamls = sorted(folder.rglob("*.yaml"))[:forms]
    for y in yamls:
        (xfolder / (y.stem + ".xlsx")).write_bytes(write_form(load(y)))
    xrates = {}
    for jobs in (1, 2):
        seconds, _ = fastest(perfeval_cmd("score", str(xfolder), "--format", "json",
                                          "--jobs", str(jobs), "-o", str(out)), runs)
        xrates[jobs] = len(yamls) / seconds
    line("xlsx forms/s, --jobs 2 vs --jobs 1", f"{xrates[2]:,.0f}/s", f"{xrates[1]:,.0f}/s",
         xrates[2] / xrates[1], 1, 1)
    print(f"  xlsx forms/s with --jobs 2: {xrates[2]:,.0f}/s over {len(yamls)} forms "
          f"(goal ≥ 300/s: {'met' if xrates[2] >= 300 else 'NOT met'})")

    print(f"(d) peak RSS scoring {n:,} documents, streamed JSON to a file")
    _, one_rss, _ = child(perfeval_cmd("score", str(next(folder.rglob("*.yaml"))),
                                       "--format", "json"))
    mb = 1024 * 1024
    for jobs in (1, 2):
        print(f"  --jobs {jobs}: largest process {rss[jobs] / mb:,.0f} MB "
              f"(baseline: one document {one_rss / mb:,.0f} MB; goal ≤ 300 MB: "
              f"{'met' if rss[jobs] <= 300 * mb else 'NOT met'})")


def cold_start(runs: int) -> None:
    print(f"(e) cold start, median of {runs} runs (bytecode compiled first, as pip install does)")
    doc = str(ROOT / "examples" / "jianghan-2024" / "outsourcing.yaml")
    entry = [sys.executable, "-c", "from perfeval.cli import console; raise SystemExit(console())"]
    ours, base = [], []
    for _ in range(runs):
        ours.append(child([*entry, "score", doc])[0])
        base.append(child([sys.executable, "-c", "pass"])[0])
    mine, python = statistics.median(ours), statistics.median(base)
    print(f"  perfeval score outsourcing.yaml: {mine * 1000:.0f} ms (goal ≤ 250 ms: "
          f"{'met' if mine <= 0.25 else 'NOT met'}); baseline `python -c pass`: "
          f"{python * 1000:.0f} ms, ratio {mine / python:.1f}×")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tables", type=int, default=5000, help="YAML tables (default 5000)")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows for evaluate_many")
    parser.add_argument("--forms", type=int, default=300, help="xlsx forms (default 300)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--runs", type=int, default=3,
                        help="runs of each document command, the fastest reported (default 3)")
    parser.add_argument("--only", choices=("a", "b", "c", "e"), action="append",
                        help="run only these figures (c includes d)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    only = set(args.only or "abce")
    print(f"perfeval benchmarks: Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    if "a" in only:
        single(rng)
    if "b" in only:
        columnar(rng, args.rows)
    if only & {"c", "e"}:
        # Every command timed starts from .pyc files, as an installed package
        # does; a checkout run with PYTHONDONTWRITEBYTECODE, or edited since
        # it was compiled, would compile modules from source on every run.
        compileall.compile_dir(str(ROOT / "perfeval"), quiet=1)
    if "c" in only:
        with tempfile.TemporaryDirectory(prefix="perfeval-bench-") as tmp:
            documents(rng, args.tables, min(args.forms, args.tables), Path(tmp), args.runs)
    if "e" in only:
        cold_start(10)


if __name__ == "__main__":
    main()
