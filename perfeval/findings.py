"""Findings: what a reviewer would flag, one slug per kind of defect (SPEC §6)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Finding", "SEVERITY", "Severity"]

Severity = Literal["error", "warning", "info"]

# The one table of slugs and their severities.
SEVERITY: dict[str, Severity] = {
    "execution-rate-mismatch": "error",
    "execution-over-100": "warning",
    "low-execution": "warning",
    "missing-deviation-reason": "error",
    "target-too-low": "warning",
    "unit-mismatch": "error",
    "unit-missing": "info",
    "actual-is-bound": "warning",
    "unverifiable-actual": "error",
    "weights-sum": "error",
    "weights-incomplete": "warning",
    "score-claim-mismatch": "error",
    "budget-missing": "warning",
    "budget-sum-mismatch": "error",
    "project-sum-mismatch": "warning",
    "cross-table-mismatch": "warning",
    "duplicate-indicator": "warning",
    "narrative-mismatch": "warning",
    "unknown-level": "warning",
}


@dataclass(frozen=True, slots=True, init=False)
class Finding:
    """One defect: ``rule`` is a slug of :data:`SEVERITY`, messages are Chinese."""

    rule: str
    message: str
    document: str | None = None
    indicator: str | None = None

    def __init__(self, rule: str, message: str, document: str | None = None,
                 indicator: str | None = None) -> None:
        # What the frozen dataclass's own __init__ does, through the slots
        # themselves instead of object.__setattr__ by name: a table makes
        # dozens of findings, and this is a seventh of the cost.
        _set_rule(self, rule)
        _set_message(self, message)
        _set_document(self, document)
        _set_indicator(self, indicator)

    @property
    def severity(self) -> Severity:
        return SEVERITY[self.rule]

    def to_dict(self) -> dict[str, str | None]:
        return {
            "rule": self.rule,
            "severity": SEVERITY[self.rule],
            "message": self.message,
            "document": self.document,
            "indicator": self.indicator,
        }


# The slots' own setters, which a frozen class's __setattr__ does not guard.
_set_rule, _set_message, _set_document, _set_indicator = (
    Finding.__dict__[name].__set__ for name in ("rule", "message", "document", "indicator"))
