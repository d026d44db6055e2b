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
import threading
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
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
# attribute access, no subscripts, no comprehensions, no strings.  `**` is
# left out on purpose: no scoring rule needs it, and `9**9**9` is the classic
# way to make an evaluator spend hours computing one number.
_ALLOWED_NODES = (
    ast.Expression, ast.BinOp, ast.UnaryOp, ast.Compare, ast.BoolOp, ast.IfExp, ast.Call,
    ast.Name, ast.Load, ast.Constant, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv,
    ast.Mod, ast.USub, ast.UAdd, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq, ast.NotEq,
    ast.And, ast.Or, ast.Not,
)
# What a pack author wrote, for the syntax the error names.
_NODE_WORDS = {
    "Pow": "power (**)", "Attribute": "attribute access (.)", "Subscript": "subscripts ([])",
    "Lambda": "lambda", "NamedExpr": "assignment (:=)", "JoinedStr": "f-strings",
    "List": "lists", "Tuple": "tuples", "Dict": "dicts", "Set": "sets",
    "ListComp": "comprehensions", "SetComp": "comprehensions", "DictComp": "comprehensions",
    "GeneratorExp": "comprehensions", "Starred": "unpacking (*)", "BitXor": "^",
    "BitOr": "|", "BitAnd": "&", "LShift": "<<", "RShift": ">>", "Invert": "~",
    "MatMult": "@", "In": "in", "NotIn": "not in", "Is": "is", "IsNot": "is not",
}
_MAX_FORMULA = 500  # characters; a formula is one line of arithmetic
# Literals in a formula are factors and points, never amounts: a bound keeps
# `1e400` (infinity) and 490-digit numbers out of the arithmetic.
_MAX_LITERAL = Decimal(10) ** 6
# Values a formula is tried on when its pack loads, so that a formula that
# cannot run (`min()`, `1e300 // 1e-300`) fails then, naming its file, rather
# than in the middle of a batch.
_SAMPLES = {"points": Decimal(10), "planned": Decimal(100), "executed": Decimal(90),
            "target": Decimal(2), "actual": Decimal(3)}


def _shorten(text: object, limit: int = 80) -> str:
    """``repr`` of what a pack holds, cut short: an error quotes, it does not echo."""
    shown = repr(text)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


class Formula:
    """A pack formula, validated and parsed once, evaluated exactly on Fractions.

    Scores are exact until the output rounds them (SPEC §4): ``10 × 15999 /
    18000`` must stay 8.8883… and add up to a total of exactly 89.995, where
    28-digit Decimals would round it down to 89.99.

    Every error names ``where`` (the pack file and the formula's key) and
    quotes the formula.
    """

    __slots__ = ("_tree", "names", "text", "where")

    def __init__(self, text: str, names: frozenset[str], where: str) -> None:
        if not isinstance(text, str) or not text.strip() or len(text) > _MAX_FORMULA:
            raise RulesError(f"{where}: a formula must be an expression of at most "
                             f"{_MAX_FORMULA} characters, got {_shorten(text)}")
        quoted = _shorten(text.strip())
        try:
            tree = ast.parse(text.strip(), mode="eval")
        except SyntaxError as e:
            raise RulesError(f"{where}: cannot parse formula {quoted}: {e.msg}") from None
        except (RecursionError, MemoryError):  # the parser's own nesting limit
            raise RulesError(f"{where}: formula {quoted} is nested too deeply") from None
        for node in ast.walk(tree):
            if not isinstance(node, _ALLOWED_NODES):
                what = _NODE_WORDS.get(type(node).__name__, type(node).__name__)
                raise RulesError(f"{where}: {what} may not appear in formula {quoted}")
            if isinstance(node, ast.Call) and not (
                isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS and not node.keywords
            ):
                raise RulesError(f"{where}: only {sorted(_FUNCTIONS)} may be called in {quoted}")
            if isinstance(node, ast.Name) and node.id not in names and node.id not in _FUNCTIONS:
                raise RulesError(
                    f"{where}: unknown name {node.id!r} in {quoted}; use {sorted(names)}"
                )
            if isinstance(node, ast.Constant):
                if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                    raise RulesError(f"{where}: only numbers may appear in {quoted}")
                # exact arithmetic: a literal 0.7 is the decimal 0.7, not a float
                value = Decimal(repr(node.value))
                if not value.is_finite() or value.copy_abs() > _MAX_LITERAL:
                    raise RulesError(f"{where}: the number {_shorten(node.value, 30)} in "
                                     f"{quoted} is out of range (at most {_MAX_LITERAL:,})")
                node.value = Fraction(value)  # type: ignore[assignment]
        self.text = text.strip()
        self.names = names
        self.where = where
        self._tree = tree.body
        self(**{n: _SAMPLES.get(n, Decimal(1)) for n in names})

    def exact(self, **values: Decimal | Fraction | int) -> Fraction:
        """The formula's value on ``values``; a division by zero gives 0."""
        evaluator = _evaluator()
        evaluator.names = {name: Fraction(value) for name, value in values.items()}
        try:
            return Fraction(evaluator.eval(self.text, previously_parsed=self._tree))
        except ZeroDivisionError:
            return Fraction(0)
        except Exception as e:  # simpleeval's own errors, TypeError …
            reason = type(e).__name__ if isinstance(e, ArithmeticError) else str(e)
            raise RulesError(
                f"{self.where}: formula {_shorten(self.text)} failed: {reason}") from None

    def __call__(self, **values: Decimal | Fraction | int) -> Decimal:
        """:meth:`exact`, as a Decimal of 28 significant digits."""
        value = self.exact(**values)
        return Decimal(value.numerator) / Decimal(value.denominator)

    def __repr__(self) -> str:
        return f"<Formula({self.text!r})>"


_local = threading.local()


def _evaluator() -> SimpleEval:
    """This thread's evaluator: setting one up costs more than most formulas
    take to run, and only the names change from call to call."""
    evaluator = getattr(_local, "evaluator", None)
    if evaluator is None:
        evaluator = _local.evaluator = SimpleEval(functions=_FUNCTIONS)
    return evaluator


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


# LibYAML's loader when it is there: the pure-Python one takes longer to read
# the catalog than a command-line run may take altogether.
_Loader = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader


_MAX_PACK_DEPTH = 100  # a pack is a few levels of settings


def _check_events(text: str, path: Path) -> None:
    """Refuse what the loader must never build, from the parser's events,
    before anything is built: aliases (``*a`` repeated nine times nine levels
    deep is a billion-element "billion laughs" the moment anything walks it,
    from a file of a few hundred bytes) and nesting deep enough to exhaust
    the composer's stack."""
    events = _Loader(text)
    depth = 0
    try:
        while events.check_event():
            event = events.get_event()
            if isinstance(event, yaml.AliasEvent):
                raise yaml.composer.ComposerError(
                    None, None, "YAML aliases (*name) are not allowed in a rule pack",
                    # LibYAML's Mark, as LibYAML's own errors carry; the stubs take only yaml.Mark
                    event.start_mark)  # type: ignore[arg-type]
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > _MAX_PACK_DEPTH:
                    raise RulesError(f"{path}: nested too deeply to be a rule pack")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        events.dispose()


_MAX_PACK_BYTES = 1_000_000  # a pack is a page of settings


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            raw = f.read(_MAX_PACK_BYTES + 1)
        if len(raw) > _MAX_PACK_BYTES:
            raise RulesError(f"{path}: a rule pack is a small file; this one is too large")
        text = raw.decode("utf-8-sig")
        _check_events(text, path)
        data = yaml.load(text, Loader=_Loader)
    except RulesError:
        raise
    except (OSError, UnicodeError) as e:
        raise RulesError(f"{path}: cannot read rule pack: {e}") from None
    except yaml.YAMLError as e:
        if "maximum nesting depth" in str(e):  # newer LibYAML's own limit, met while scanning
            raise RulesError(f"{path}: nested too deeply to be a rule pack") from None
        raise RulesError(f"{path}: not valid YAML: {e}") from None
    except (ValueError, TypeError) as e:  # a constructor's: 5000-digit ints, 2024-13-45
        raise RulesError(f"{path}: cannot read rule pack: {_shorten(str(e), 200)}") from None
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


def _resolve(ref: str | Path, chain: tuple[str, ...] = (), base: Path | None = None,
             within: Path | None = None) -> tuple[dict[str, Any], str]:
    """The merged data of pack ``ref`` and its source.

    A path in ``extends:`` is relative to the folder of the pack that names
    it.  With ``within`` (a document's folder), every path in the chain must
    stay inside it; packs named without a path are the shipped ones.
    """
    text = str(ref)
    if isinstance(ref, Path) or text.endswith((".yaml", ".yml")) or "/" in text or "\\" in text:
        path = Path(text)
        if base is not None and not path.is_absolute():
            path = base / path
        if within is not None and not path.resolve().is_relative_to(within):
            named = f"{chain[-1]}: extends {text!r}, which" if chain else f"rule pack {text!r}"
            raise RulesError(f"{named} lies outside the document's folder {str(within)!r}")
    else:
        path = indicators_dir() / f"{text}.yaml"
        if text == "catalog" or not path.is_file():
            raise RulesError(f"unknown rule pack {text!r}; known packs: {', '.join(pack_names())}")
    if not path.is_file():
        named = f"{chain[-1]}: extends {text!r}, which" if chain else f"rule pack file {text!r}"
        raise RulesError(f"{named} does not exist")
    key = str(path.resolve())
    if key in chain:
        raise RulesError(f"{path}: rule packs extend each other in a cycle")
    data = _read_yaml(path)
    parent = data.get("extends")
    if parent is not None:
        if not isinstance(parent, str):
            raise RulesError(f"{path}: extends must name a pack, got {_shorten(parent)}")
        parent_data, _ = _resolve(parent, chain + (key,), path.parent, within)
        data = _merge(parent_data, {k: v for k, v in data.items() if k != "extends"})
    return data, str(path)


def _dec(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise RulesError(f"{where}: expected a number, got {_shorten(value)}")
    try:
        out = Decimal(str(value))
    except (ArithmeticError, ValueError):
        raise RulesError(f"{where}: expected a number, got {_shorten(value)}") from None
    if not out.is_finite():
        raise RulesError(f"{where}: expected a finite number, got {_shorten(value)}")
    # Points, factors and thresholds are small; 1e99999 points would turn
    # exact scoring into arithmetic on 100,000-digit integers.
    if out.copy_abs() > _MAX_LITERAL:  # copy_abs: abs() may overflow the context
        raise RulesError(f"{where}: {_shorten(value, 30)} is out of range "
                         f"(at most {_MAX_LITERAL:,})")
    return out


@lru_cache(maxsize=64)
def load_pack(ref: str | Path = DEFAULT_PACK, *, within: Path | None = None) -> RulePack:
    """Load a rule pack by name or path (cached).

    ``within`` confines the pack file and every file it ``extends`` to a
    folder (a document's own, SPEC §8); a :class:`RulesError` names the path
    that leaves it.
    """
    data, source = _resolve(ref, within=None if within is None else Path(within).resolve())
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
