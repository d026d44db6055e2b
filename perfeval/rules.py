"""Rule packs and the indicator catalog, both read from ``indicators/``.

A rule pack is a YAML file selected by name (``mof-2020``) or by path.  It may
``extends:`` another pack and override any key.  Its formulas are
``simpleeval`` expressions over plain numbers, checked against a whitelist of
syntax when the pack is loaded and parsed once.

>>> pack = load_pack("mof-2020")
>>> pack.budget_points, pack.over_threshold
(Decimal('10'), Decimal('1.2'))
>>> direction_of("安全事故发生数"), direction_of("组织工作人员学习培训次数")
('reverse', 'positive')
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from simpleeval import SimpleEval  # type: ignore[import-untyped]

from perfeval._normalize import fold
from perfeval.errors import RulesError

__all__ = [
    "RulePack", "Catalog", "load_pack", "load_catalog", "pack_names", "direction_of",
    "indicators_dir", "DEFAULT_PACK",
]

DEFAULT_PACK = "mof-2020"
_HERE = Path(__file__).resolve().parent


def indicators_dir() -> Path:
    """The folder of domain knowledge: inside the installed package, or the
    repository's top-level ``indicators/`` in a source checkout."""
    for candidate in (_HERE / "indicators", _HERE.parent / "indicators"):
        if (candidate / "catalog.yaml").is_file():
            return candidate
    raise RulesError("the indicators/ folder is missing from this installation")


# ---------------------------------------------------------------- formulas

_FUNCTIONS = {"min": min, "max": max, "abs": abs}
# Only arithmetic, comparisons and calls of the whitelisted functions: no
# attribute access, no subscripts, no comprehensions, no strings.
_ALLOWED_NODES = (
    ast.Expression, ast.BinOp, ast.UnaryOp, ast.Compare, ast.BoolOp, ast.IfExp, ast.Call,
    ast.Name, ast.Load, ast.Constant, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv,
    ast.Mod, ast.USub, ast.UAdd, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq, ast.NotEq,
    ast.And, ast.Or, ast.Not,
)
_MAX_FORMULA = 500  # characters; a formula is one line of arithmetic


class Formula:
    """A pack formula, validated and parsed once, evaluated on Decimals."""

    __slots__ = ("text", "names", "_tree")

    def __init__(self, text: str, names: frozenset[str], where: str) -> None:
        if not isinstance(text, str) or not text.strip() or len(text) > _MAX_FORMULA:
            raise RulesError(f"{where}: a formula must be a short expression, got {text!r}")
        try:
            tree = ast.parse(text.strip(), mode="eval")
        except SyntaxError as e:
            raise RulesError(f"{where}: cannot parse formula {text!r}: {e.msg}") from None
        for node in ast.walk(tree):
            if not isinstance(node, _ALLOWED_NODES):
                raise RulesError(
                    f"{where}: {type(node).__name__} is not allowed in formula {text!r}"
                )
            if isinstance(node, ast.Call) and not (
                isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS and not node.keywords
            ):
                raise RulesError(f"{where}: only {sorted(_FUNCTIONS)} may be called in {text!r}")
            if isinstance(node, ast.Name) and node.id not in names and node.id not in _FUNCTIONS:
                raise RulesError(
                    f"{where}: unknown name {node.id!r} in {text!r}; use {sorted(names)}"
                )
            if isinstance(node, ast.Constant):
                if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                    raise RulesError(f"{where}: only numbers may appear in {text!r}")
                # exact arithmetic: a literal 0.7 is the decimal 0.7, not a float
                node.value = Decimal(repr(node.value))  # type: ignore[assignment]
        self.text = text.strip()
        self.names = names
        self._tree = tree.body

    def __call__(self, **values: Decimal) -> Decimal:
        evaluator = SimpleEval(functions=_FUNCTIONS, names=values)
        try:
            result = evaluator.eval(self.text, previously_parsed=self._tree)
        except ZeroDivisionError:
            return Decimal(0)
        except Exception as e:  # simpleeval raises its own errors for bad input
            raise RulesError(f"formula {self.text!r} failed: {e}") from None
        return Decimal(result)

    def __repr__(self) -> str:
        return f"<Formula({self.text!r})>"


_FORMULA_NAMES = {
    "budget": frozenset({"points", "planned", "executed"}),
    "reverse_missed": frozenset({"target", "actual"}),
}


# ---------------------------------------------------------------- packs

@dataclass(frozen=True, slots=True)
class RulePack:
    name: str
    title: str
    budget_points: Decimal
    pools: dict[str, Decimal]
    cost_pool: str
    split_by_goal: bool
    over_threshold: Decimal
    partial: Decimal
    missed: Decimal
    bands: dict[str, tuple[Decimal, Decimal]]
    grades: tuple[tuple[Decimal, str], ...]
    budget_formula: Formula
    reverse_formula: Formula
    thresholds: dict[str, Decimal]
    source: str

    def grade(self, total: Decimal) -> str:
        for floor, grade in self.grades:
            if total >= floor:
                return grade
        return self.grades[-1][1]

    def threshold(self, key: str) -> Decimal:
        return self.thresholds[key]

    def describe(self) -> dict[str, Any]:
        """The pack as ``perfeval rules PACK`` shows it."""
        return {
            "name": self.name,
            "title": self.title,
            "budget_points": self.budget_points,
            "pools": dict(self.pools),
            "cost_pool": self.cost_pool,
            "split_by_goal": self.split_by_goal,
            "over_threshold": self.over_threshold,
            "qualitative": {"partial": self.partial, "missed": self.missed},
            "grades": [[floor, g] for floor, g in self.grades],
            "formulas": {"budget": self.budget_formula.text,
                         "reverse_missed": self.reverse_formula.text},
            "thresholds": dict(self.thresholds),
            "source": self.source,
        }


def pack_names() -> list[str]:
    return sorted(p.stem for p in indicators_dir().glob("*.yaml") if p.stem != "catalog")


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        if path.stat().st_size > 1_000_000:
            raise RulesError(f"{path}: a rule pack is a small file; this one is too large")
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except RulesError:
        raise
    except (OSError, UnicodeError) as e:
        raise RulesError(f"{path}: cannot read rule pack: {e}") from None
    except yaml.YAMLError as e:
        raise RulesError(f"{path}: not valid YAML: {e}") from None
    if not isinstance(data, dict):
        raise RulesError(f"{path}: a rule pack must be a mapping")
    return data


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _resolve(ref: str | Path, chain: tuple[str, ...] = ()) -> tuple[dict[str, Any], str]:
    text = str(ref)
    if isinstance(ref, Path) or text.endswith((".yaml", ".yml")) or "/" in text or "\\" in text:
        path = Path(text)
    else:
        path = indicators_dir() / f"{text}.yaml"
        if text == "catalog" or not path.is_file():
            raise RulesError(f"unknown rule pack {text!r}; known packs: {', '.join(pack_names())}")
    if not path.is_file():
        raise RulesError(f"rule pack file {text!r} does not exist")
    key = str(path.resolve())
    if key in chain:
        raise RulesError(f"{path}: rule packs extend each other in a cycle")
    data = _read_yaml(path)
    parent = data.get("extends")
    if parent is not None:
        base, _ = _resolve(str(parent), chain + (key,))
        data = _merge(base, {k: v for k, v in data.items() if k != "extends"})
    return data, str(path)


def _dec(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise RulesError(f"{where}: expected a number, got {value!r}")
    try:
        out = Decimal(str(value))
    except ArithmeticError:
        raise RulesError(f"{where}: expected a number, got {value!r}") from None
    if not out.is_finite():
        raise RulesError(f"{where}: expected a finite number, got {value!r}")
    return out


@lru_cache(maxsize=64)
def load_pack(ref: str | Path = DEFAULT_PACK) -> RulePack:
    """Load a rule pack by name or path (cached)."""
    data, source = _resolve(ref)
    where = source
    try:
        qual = data.get("qualitative", {})
        bands = {k: (_dec(v[0], f"{where}: bands.{k}"), _dec(v[1], f"{where}: bands.{k}"))
                 for k, v in qual.get("bands", {}).items()}
        pools = {str(k): _dec(v, f"{where}: pools.{k}") for k, v in data["pools"].items()}
        formulas = data.get("formulas", {})
        pack = RulePack(
            name=str(data.get("name", Path(source).stem)),
            title=str(data.get("title", "")),
            budget_points=_dec(data["budget_points"], f"{where}: budget_points"),
            pools=pools,
            cost_pool=str(data.get("cost_pool", "产出")),
            split_by_goal=bool(data.get("split_by_goal", False)),
            over_threshold=_dec(data["over_threshold"], f"{where}: over_threshold"),
            partial=_dec(qual["partial"], f"{where}: qualitative.partial"),
            missed=_dec(qual["missed"], f"{where}: qualitative.missed"),
            bands=bands,
            grades=tuple(sorted(((_dec(f, f"{where}: grades"), str(g)) for f, g in data["grades"]),
                                reverse=True)),
            budget_formula=Formula(formulas["budget"], _FORMULA_NAMES["budget"],
                                   f"{where}: formulas.budget"),
            reverse_formula=Formula(formulas["reverse_missed"], _FORMULA_NAMES["reverse_missed"],
                                    f"{where}: formulas.reverse_missed"),
            thresholds={str(k): _dec(v, f"{where}: thresholds.{k}")
                        for k, v in data.get("thresholds", {}).items()},
            source=source,
        )
    except KeyError as e:
        raise RulesError(f"{where}: missing key {e.args[0]!r}") from None
    except (TypeError, AttributeError, IndexError, ValueError) as e:
        if isinstance(e, RulesError):
            raise
        raise RulesError(f"{where}: malformed rule pack ({e})") from None
    if pack.cost_pool not in pack.pools:
        raise RulesError(f"{where}: cost_pool {pack.cost_pool!r} is not one of the pools")
    missing = {"low_execution", "rate_tolerance", "score_claim_tolerance", "weights_tolerance",
               "budget_sum_tolerance", "project_sum_tolerance"} - set(pack.thresholds)
    if missing:
        raise RulesError(f"{where}: thresholds missing {sorted(missing)}")
    return pack


# ---------------------------------------------------------------- catalog

@dataclass(frozen=True, slots=True)
class Catalog:
    reverse: re.Pattern[str]
    positive: re.Pattern[str]
    bounded_rates: re.Pattern[str]
    per_table: re.Pattern[str]

    def direction(self, name: str | None) -> str:
        if not name:
            return "positive"
        folded = fold(name)
        if self.positive.search(folded):
            return "positive"
        return "reverse" if self.reverse.search(folded) else "positive"

    def is_bounded_rate(self, name: str | None) -> bool:
        return bool(name) and bool(self.bounded_rates.search(fold(name or "")))

    def is_per_table(self, name: str | None) -> bool:
        return bool(name) and bool(self.per_table.search(fold(name or "")))


def _alternation(patterns: list[str]) -> re.Pattern[str]:
    if not patterns:
        return re.compile(r"(?!)")
    return re.compile("|".join(f"(?:{p})" for p in patterns))


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    data = _read_yaml(indicators_dir() / "catalog.yaml")
    return Catalog(
        reverse=_alternation(data.get("reverse", [])),
        positive=_alternation(data.get("positive", [])),
        bounded_rates=_alternation(data.get("bounded_rates", [])),
        per_table=_alternation(data.get("per_table", [])),
    )


@lru_cache(maxsize=8192)
def direction_of(name: str | None) -> str:
    """``positive`` or ``reverse``: the direction a bare target takes by name."""
    return load_catalog().direction(name)
