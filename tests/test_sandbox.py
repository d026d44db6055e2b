"""Rule packs are untrusted input too (issue 7, SPEC §4 and §8).

A pack formula is a ``simpleeval`` expression checked against a whitelist of
syntax when the pack loads: arithmetic, comparisons, ``min``/``max``/``abs``
and the pack's own names.  It cannot reach attributes, call anything else,
raise a number to a power (``**`` is not in the whitelist), hold a string, or
spend unbounded time or memory.  Every refusal is a :class:`RulesError` that
names the pack file and the formula.

A document's ``rules:`` path is relative to the document and may not leave
its folder, nor may any pack it ``extends``, unless the caller allows it
(``score(..., allow_outside_rules=True)``, ``perfeval score
--allow-rules-outside``).
"""

from __future__ import annotations

import os
import re
import time
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from perfeval import cli
from perfeval.errors import DocumentError, RulesError
from perfeval.rules import Formula, load_pack
from perfeval.scoring import score

ROOT = Path(__file__).resolve().parent.parent
INDICATORS = ROOT / "indicators"
NAMES = frozenset({"target", "actual"})

TABLE = ("kind: project\nname: 培训\nrules: {rules}\nbudget: {{planned: 10, executed: 9}}\n"
         "indicators:\n  - {{level1: 产出指标, name: 设备故障率, target: ≤ 2%, actual: 4%}}\n")


def pack_text(formula: str, extends: str = "mof-2020", name: str = "mine") -> str:
    return f"name: {name}\nextends: {extends}\nformulas:\n  reverse_missed: {formula!r}\n"


# ---------------------------------------------------------------- formulas

@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("target.__class__", "attribute access (.)"),
        ("().__class__.__base__", "attribute access (.)"),
        ("actual.real", "attribute access (.)"),
        ("__import__('os').system('true')", "may be called"),
        ("open('/etc/passwd')", "may be called"),
        ("(lambda: 1)()", "may be called"),
        ("min(target, actual, key=abs)", "may be called"),
        ("max(*[target])", "unpacking (*)"),
        ("9**9**9", "power (**)"),
        ("target ** 2", "power (**)"),
        ("[target][0]", "subscripts ([])"),
        ("[x for x in (1, 2)]", "comprehensions"),
        ("(x := 1)", "assignment (:=)"),
        ("'a' * 1000000000", "only numbers"),
        ("f'{target}'", "f-strings"),
        ("True + target", "only numbers"),
        ("1j * target", "only numbers"),
        ("1e400 * target", "out of range"),
        ("target * 10000001", "out of range"),
        ("9" * 400, "out of range"),
        ("target if actual else __builtins__", "unknown name '__builtins__'"),
        ("(" * 240 + "1" + ")" * 240, "too many nested parentheses"),
        ("target +", "cannot parse"),
        ("1 +" * 200 + "1", "at most 500 characters"),
        ("", "at most 500 characters"),
        # tried once on sample values when the pack loads
        ("min()", "failed"),
        ("min(target)", "failed"),
        ("max(0, 1 - (actual - target) / target)", None),
    ],
    ids=lambda value: str(value)[:30],
)
def test_formula_whitelist(formula: str, message: str | None) -> None:
    if message is None:
        assert Formula(formula, NAMES, "pack.yaml: formulas.x")(
            target=Decimal(3), actual=Decimal(4)) == Decimal(2) / 3
        return
    with pytest.raises(RulesError) as e:
        Formula(formula, NAMES, "pack.yaml: formulas.reverse_missed")
    text = str(e.value)
    assert text.startswith("pack.yaml: formulas.reverse_missed: ")
    assert message in text
    assert len(text) < 400  # the formula is quoted, cut short, never echoed whole


def test_formula_is_quoted_in_the_error() -> None:
    with pytest.raises(RulesError, match=r"in formula '9\*\*9\*\*9'"):
        Formula("9**9**9", NAMES, "p.yaml: formulas.reverse_missed")


def test_formula_not_text() -> None:
    with pytest.raises(RulesError, match="got {'a': 1}"):
        Formula({"a": 1}, NAMES, "p.yaml: formulas.reverse_missed")  # type: ignore[arg-type]


def test_formula_evaluates_exactly_and_fast() -> None:
    f = Formula("max(0, 1 - (actual - target) / target)", NAMES, "p")
    assert f(target=Decimal("0.1"), actual=Decimal("0.15")) == Decimal("0.5")
    assert Formula("target / (actual - actual)", NAMES, "p")(
        target=Decimal(1), actual=Decimal(2)) == 0  # a division by zero scores 0
    # The worst a 500-character formula can do is 500 characters of Decimal
    # arithmetic at 28 digits.
    worst = Formula("*".join(["999999"] * 70), NAMES, "p")
    start = time.perf_counter()
    for _ in range(100):
        worst(target=Decimal(1), actual=Decimal(1))
    assert time.perf_counter() - start < 1


def test_formulas_are_exact_where_decimals_would_round_or_fail() -> None:
    # SPEC §4: scores are exact until the output rounds them.
    f = Formula("points * min(executed / planned, 1)", frozenset({"points", "planned", "executed"}),
                "p")
    assert f.exact(points=Decimal(10), planned=Decimal(18000), executed=Decimal(15999)) == \
        Fraction(15999, 1800)
    # 28-digit Decimals overflowed these; Fractions hold them exactly
    deep = Formula("target // 0.000001 // 0.000001 // 0.000001 // 0.000001 // 0.000001", NAMES, "p")
    assert deep.exact(target=Decimal(2), actual=Decimal(1)) == 2 * 10**30
    assert Formula("target % actual", NAMES, "p").exact(
        target=Decimal("1E+100"), actual=Decimal("1E-100")) == 0


def test_shipped_formulas_still_load() -> None:
    for name in ("mof-2020", "hubei-2020", "linear-reverse"):
        pack = load_pack(name)
        assert pack.reverse_formula(target=Decimal(2), actual=Decimal(4)) <= 1


# ---------------------------------------------------------------- pack files

def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_malicious_pack_names_file_and_formula(tmp_path: Path) -> None:
    pack = write(tmp_path / "evil.yaml", pack_text("().__class__.__subclasses__"))
    with pytest.raises(RulesError) as e:
        load_pack(pack)
    assert str(e.value).startswith(f"{pack}: formulas.reverse_missed: ")
    assert "'().__class__.__subclasses__'" in str(e.value)


def test_billion_laughs_pack_is_refused_at_once(tmp_path: Path) -> None:
    lines = ['a: &a ["哈","哈","哈","哈","哈","哈","哈","哈","哈"]']
    lines += [f"{c}: &{c} [" + ",".join([f"*{p}"] * 9) + "]" for p, c in zip("abcdefgh",
                                                                             "bcdefghi")]
    pack = write(tmp_path / "laughs.yaml", "name: x\nextends: mof-2020\n" + "\n".join(lines)
                 + "\ntitle: *i\n")
    start = time.perf_counter()
    with pytest.raises(RulesError, match="aliases"):
        load_pack(pack)
    assert time.perf_counter() - start < 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x: " + "[" * 1500 + "]" * 1500 + "\n", "nested too deeply"),
        ("budget_points: " + "9" * 5000 + "\n", "cannot read rule pack"),
        ("budget_points: 1e99999\n", "out of range"),
        ("over_threshold: 1e999999999\n", "out of range"),
        ("over_threshold: .nan\n", "finite"),
        ("pools: 产出\n", "malformed"),
        ("extends: [mof-2020]\n", "extends must name a pack"),
        ("formulas: {budget: '1 if points else \"a\" * 9**9'}\n", "only numbers"),
    ],
    ids=["deep", "5000-digit-int", "huge-points", "huge-threshold", "nan", "pools-as-text",
         "extends-a-list", "string-power"],
)
def test_bad_pack_files(tmp_path: Path, text: str, message: str) -> None:
    body = text if text.startswith("extends") else "name: x\nextends: mof-2020\n" + text
    pack = write(tmp_path / "bad.yaml", body)
    with pytest.raises(RulesError, match=re.escape(message)) as e:
        load_pack(pack)
    assert str(pack) in str(e.value)


def test_pack_file_too_large(tmp_path: Path) -> None:
    pack = write(tmp_path / "big.yaml", "name: x\nextends: mof-2020\n# " + "x" * 1_000_001)
    with pytest.raises(RulesError, match="too large"):
        load_pack(pack)


def test_extends_is_relative_to_the_pack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "packs" / "base.yaml", pack_text("0", name="base"))
    child = write(tmp_path / "packs" / "child.yaml", "name: child\nextends: base.yaml\n")
    monkeypatch.chdir(ROOT)  # not the pack's folder
    pack = load_pack(child)
    assert pack.name == "child" and pack.reverse_formula.text == "0"


def test_extends_a_missing_file_names_the_pack(tmp_path: Path) -> None:
    child = write(tmp_path / "child.yaml", "name: child\nextends: nowhere.yaml\n")
    with pytest.raises(RulesError, match=r"child\.yaml: extends 'nowhere\.yaml', which does "
                                         "not exist"):
        load_pack(child)


# ---------------------------------------------------------------- a document's rules: path

def test_rules_path_inside_the_folder(tmp_path: Path) -> None:
    write(tmp_path / "packs" / "mine.yaml", pack_text("0"))
    doc = write(tmp_path / "table.yaml", TABLE.format(rules="packs/mine.yaml"))
    report = score(doc)
    assert report.rules == "mine"
    assert report.indicators[0].score == 0  # its reverse formula was used


@pytest.mark.parametrize("ref", ["../mine.yaml", "sub/../../mine.yaml", "{outside}"],
                         ids=["dot-dot", "dot-dot-inside", "absolute"])
def test_rules_path_outside_the_folder(tmp_path: Path, ref: str) -> None:
    write(tmp_path / "mine.yaml", pack_text("0"))
    doc = write(tmp_path / "docs" / "table.yaml",
                TABLE.format(rules=ref.format(outside=tmp_path / "mine.yaml")))
    with pytest.raises(DocumentError) as e:
        score(doc)
    assert (e.value.path, e.value.line, e.value.key) == (str(doc), 3, "rules")
    assert "outside the document's folder" in str(e.value)
    assert score(doc, allow_outside_rules=True).rules == "mine"


def test_unknown_pack_names_its_line(tmp_path: Path) -> None:
    """The pack a table names is looked up when it is scored, long after the
    file was read; the error still names the line it was written on."""
    doc = write(tmp_path / "table.yaml", TABLE.format(rules="mof-2099"))
    with pytest.raises(DocumentError) as e:
        score(doc)
    assert str(e.value).startswith(f"{doc}:3: rules: unknown rule pack 'mof-2099'; known packs: ")
    assert score(doc, rules="mof-2020").rules == "mof-2020"  # an override never looks it up


def test_unknown_pack_of_a_project_names_the_project(tmp_path: Path) -> None:
    """An inline project's rules: is the project's key on its own line of the
    department's file; a project file's is on its line of that file."""
    write(tmp_path / "p.yaml", TABLE.format(rules="p-pack"))
    inline = ("kind: department\nname: 局\nprojects:\n  - p.yaml\n"
              "  - kind: project\n    name: 乙\n    rules: q-pack\n")
    department = write(tmp_path / "department.yaml", inline)
    with pytest.raises(DocumentError) as e:
        score(department)
    assert (e.value.path, e.value.line, e.value.key) == (str(tmp_path / "p.yaml"), 3, "rules")
    write(tmp_path / "p.yaml", TABLE.format(rules="mof-2020"))
    with pytest.raises(DocumentError) as e:
        score(department)
    assert (e.value.path, e.value.line, e.value.key) == (str(department), 7, "projects[1].rules")
    assert "'q-pack'" in e.value.message


def test_unknown_pack_of_a_mapping_names_its_key() -> None:
    with pytest.raises(DocumentError) as e:
        score({"kind": "project", "name": "培训", "rules": "mof-2099"})
    assert (e.value.path, e.value.line, e.value.key) == (None, None, "rules")


def test_symlink_out_of_the_folder(tmp_path: Path) -> None:
    write(tmp_path / "mine.yaml", pack_text("0"))
    (tmp_path / "docs").mkdir()
    try:
        (tmp_path / "docs" / "link.yaml").symlink_to(tmp_path / "mine.yaml")
    except OSError:
        pytest.skip("no symlinks here")
    doc = write(tmp_path / "docs" / "table.yaml", TABLE.format(rules="link.yaml"))
    with pytest.raises(DocumentError, match="outside the document's folder"):
        score(doc)


def test_extends_out_of_the_folder(tmp_path: Path) -> None:
    write(tmp_path / "base.yaml", pack_text("0", name="base"))
    write(tmp_path / "docs" / "mine.yaml", "name: mine\nextends: ../base.yaml\n")
    doc = write(tmp_path / "docs" / "table.yaml", TABLE.format(rules="mine.yaml"))
    with pytest.raises(DocumentError) as e:
        score(doc)
    assert "extends '../base.yaml', which lies outside the document's folder" in str(e.value)
    assert score(doc, allow_outside_rules=True).rules == "mine"
    # The same pack is fine when the command line names it: the user chose it.
    assert score(doc, rules=str(tmp_path / "docs" / "mine.yaml")).rules == "mine"


def test_extends_a_shipped_pack_by_name(tmp_path: Path) -> None:
    write(tmp_path / "mine.yaml", "name: mine\nextends: linear-reverse\n")
    doc = write(tmp_path / "table.yaml", TABLE.format(rules="mine.yaml"))
    assert score(doc).rules == "mine"


def test_mapping_document_is_confined_to_the_current_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "mine.yaml", pack_text("0"))
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    table = {"kind": "project", "name": "培训", "rules": "../mine.yaml"}
    with pytest.raises(DocumentError, match="outside the document's folder"):
        score(table)
    assert score(table, allow_outside_rules=True).rules == "mine"


def test_projects_keep_the_restriction(tmp_path: Path) -> None:
    write(tmp_path / "mine.yaml", pack_text("0"))
    write(tmp_path / "docs" / "p.yaml", TABLE.format(rules="../mine.yaml"))
    dept = write(tmp_path / "docs" / "d.yaml",
                 "kind: department\nname: 局\nprojects: [p.yaml]\n")
    with pytest.raises(DocumentError, match="outside the document's folder"):
        score(dept)
    assert score(dept, allow_outside_rules=True).projects[0].rules == "mine"


@pytest.mark.parametrize("command", ["score", "audit"])
def test_cli_flag_lifts_the_restriction(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        command: str) -> None:
    write(tmp_path / "mine.yaml", pack_text("0"))
    doc = write(tmp_path / "docs" / "table.yaml", TABLE.format(rules="../mine.yaml"))
    assert cli.main([command, str(doc)]) == 2
    err = capsys.readouterr().err
    assert f"{doc}:3: rules: " in err and "--allow-rules-outside" in err
    assert cli.main([command, str(doc), "--allow-rules-outside"]) == 0


def test_flag_is_documented(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["score", "--help"])
    assert "--allow-rules-outside" in capsys.readouterr().out


def test_shipped_packs_have_no_aliases() -> None:
    # The pack loader refuses YAML aliases; the shipped packs must not need them.
    for path in INDICATORS.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert not any(line.lstrip().startswith("*") or ": *" in line
                       for line in text.splitlines()), path


def test_no_environment_leaks_into_formulas() -> None:
    # Only the names the formula is given exist; builtins are not names.
    for name in ("print", "os", "sys", "__builtins__", "globals", "exec", "eval"):
        with pytest.raises(RulesError, match="unknown name"):
            Formula(f"target + {name}", NAMES, "p")
    assert os.environ  # (nothing above touched it)
