"""perfeval: parse, evaluate, score and audit budget performance self-evaluation
tables (预算绩效自评).

>>> from perfeval import evaluate
>>> evaluate("≥ 20万件", "51 万余件", name="办理各类审批服务事项数").status
'exceeded'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from perfeval.errors import DocumentError, PerfevalError, RulesError, TargetSyntaxError
from perfeval.evaluate import Outcome, evaluate
from perfeval.targets import Actual, Target, parse_actual, parse_target

if TYPE_CHECKING:  # imported on first use (__getattr__ below); typed for callers here
    from perfeval.batch import evaluate_many
    from perfeval.documents import load
    from perfeval.report import Report
    from perfeval.scoring import score

__all__ = [
    "parse_target", "parse_actual", "evaluate", "evaluate_many", "load", "score",
    "Target", "Actual", "Outcome", "Report",
    "PerfevalError", "TargetSyntaxError", "DocumentError", "RulesError",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    # Documents and scoring pull in pydantic; the parser alone should not.
    if name == "load":
        from perfeval.documents import load
        return load
    if name == "score":
        from perfeval.scoring import score
        return score
    if name == "evaluate_many":  # NumPy, only when the columnar path is wanted
        from perfeval.batch import evaluate_many
        return evaluate_many
    if name == "Report":
        from perfeval.report import Report
        return Report
    raise AttributeError(f"module 'perfeval' has no attribute {name!r}")
