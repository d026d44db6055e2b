#!/usr/bin/env python3
"""atheris harness for the target language: only TargetSyntaxError may escape.

An input is one selector byte, then UTF-8 text ``TARGET \\0 ACTUAL``.  The
selector picks the indicator name (which gives a bare target its direction),
an explicit direction, the rule pack and the document's year; the text goes
through the three public entry points that take untrusted strings:

* ``parse_target(TARGET)``, then ``str``, ``repr``, ``hash`` and ``to_dict``
  of the result;
* ``parse_actual(ACTUAL)``;
* ``evaluate(TARGET, ACTUAL, ...)``, which also runs unit conversion, ratios,
  the qualitative judge and the rule pack's formulas, then ``to_dict``.

Anything but a :class:`~perfeval.errors.TargetSyntaxError` is a crash:
atheris prints the traceback and saves the input as ``crash-<sha1>``.  An
input that runs longer than ``-timeout`` seconds is reported as a hang.

The text layout keeps inputs readable, so the corpus starts from the real
target/actual pairs of ``examples/`` (written into an empty corpus folder on
the first run) and mutations of them.  See fuzz/README.md.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import atheris

ROOT = Path(__file__).resolve().parent.parent
# A checkout is fuzzed as it stands, installed or not.
sys.path.insert(0, str(ROOT))

with atheris.instrument_imports(include=["perfeval"]):
    from perfeval.errors import TargetSyntaxError
    from perfeval.evaluate import evaluate
    from perfeval.targets import parse_actual, parse_target

# Names that switch the catalog's direction, bounded rates and per-table rows.
_NAMES = (None, "培训次数", "设备故障率", "群众办事满意度", "预算执行率", "节约成本",
          "投诉处理率", "安全事故发生数", "办结时限")
_DIRECTIONS = (None, "positive", "reverse", "equal")
_PACKS = ("mof-2020", "hubei-2020", "linear-reverse")
_YEARS = (None, 2024)


def _split(data: bytes) -> tuple[int, str, str]:
    selector = data[0] if data else 0
    text = data[1:].decode("utf-8", "replace")
    target, _, actual = text.partition("\0")
    return selector, target, actual


def test_one_input(data: bytes) -> None:
    selector, target, actual = _split(data)
    name = _NAMES[selector % len(_NAMES)]
    selector //= len(_NAMES)
    direction = _DIRECTIONS[selector % len(_DIRECTIONS)]
    selector //= len(_DIRECTIONS)
    rules = _PACKS[selector % len(_PACKS)]
    year = _YEARS[(selector // len(_PACKS)) % len(_YEARS)]

    try:
        parsed = parse_target(target)
        str(parsed), repr(parsed), hash(parsed), parsed.to_dict()
    except TargetSyntaxError:
        pass
    try:
        parse_actual(actual)
    except TargetSyntaxError:
        pass
    try:
        evaluate(target, actual, name=name, rules=rules, direction=direction,
                 year=year).to_dict()
    except TargetSyntaxError:
        pass


def _seed(corpus: Path) -> None:
    """Fill an empty corpus folder with the example tables' target/actual pairs."""
    import yaml

    def rows(node: object) -> list[dict[str, object]]:
        if isinstance(node, dict):
            found = [node] if "target" in node else []
            return found + [r for v in node.values() for r in rows(v)]
        if isinstance(node, list):
            return [r for v in node for r in rows(v)]
        return []

    for path in sorted((ROOT / "examples").rglob("*.yaml")):
        for i, row in enumerate(rows(yaml.safe_load(path.read_text(encoding="utf-8")))):
            text = f"{row.get('target') or ''}\0{row.get('actual') or ''}"
            data = bytes([i % 256]) + text.encode("utf-8")
            (corpus / hashlib.sha1(data).hexdigest()).write_bytes(data)


def main() -> None:
    folders = [Path(a) for a in sys.argv[1:] if not a.startswith("-")]
    if folders and folders[0].is_dir() and not any(folders[0].iterdir()):
        _seed(folders[0])
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
