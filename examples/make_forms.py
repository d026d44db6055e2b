"""Write the seed's tables as Excel forms, from their YAML transcriptions.

    python examples/make_forms.py            # (re)write examples/jianghan-2024/*.xlsx
    python examples/make_forms.py --check    # exit 1 if a committed form is stale

Each ``X.yaml`` in ``examples/jianghan-2024/`` becomes ``X.xlsx`` beside it:
a project in the MOF 项目支出绩效自评表 layout, the department in Hubei's
部门（单位）整体绩效自评表 layout with its four projects on sheets of their own
(the workbook is then the whole submission, as the YAML department with its
linked files is).  The forms are unscored, like the published tables: 分值 and
得分 are left for ``perfeval score X.xlsx --format xlsx -o scored.xlsx``.

The writer is :func:`perfeval.excel.write_form`; its output is the same bytes
for the same document, so ``--check`` can tell a stale form.
``tests/test_excel.py`` checks that every form scores exactly as its YAML.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "examples" / "jianghan-2024"
try:
    import perfeval  # noqa: F401
except ImportError:  # run from a checkout, without `pip install .`
    sys.path.insert(0, str(ROOT))

from perfeval import load
from perfeval.excel import write_form


def forms(folder: Path = FOLDER) -> dict[Path, bytes]:
    """Each form to write, by its path."""
    return {yaml.with_suffix(".xlsx"): write_form(load(yaml))
            for yaml in sorted(folder.glob("*.yaml"))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when a form differs from its YAML")
    args = parser.parse_args(argv)
    stale = []
    for path, data in forms().items():
        if path.exists() and path.read_bytes() == data:
            continue
        stale.append(path)
        if not args.check:
            path.write_bytes(data)
            print(f"wrote {path.relative_to(ROOT)}")
    if args.check and stale:
        print("stale forms: " + ", ".join(p.name for p in stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
