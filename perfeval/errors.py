"""The errors perfeval raises.

Every failure that bad input can cause ends in a :class:`PerfevalError`; each
concrete error also inherits the builtin a caller would expect
(``TargetSyntaxError`` is a ``ValueError``), so ``except ValueError`` keeps
working for code that does not know perfeval.
"""

from __future__ import annotations

__all__ = ["PerfevalError", "TargetSyntaxError", "DocumentError", "RulesError"]


class PerfevalError(Exception):
    """Base class of every error perfeval raises on purpose."""

    exit_code = 2


class TargetSyntaxError(PerfevalError, ValueError):
    """A target or actual value that cannot be read.

    The message quotes the input and marks the offending span::

        cannot read '≥ 2o万件': expected a number
            ≥ 2o万件
              ~^
    """

    def __init__(self, message: str, *, source: str, span: tuple[int, int]) -> None:
        self.reason = message
        self.source = source
        self.span = span
        super().__init__(str(self))

    def __str__(self) -> str:
        start, end = self.span
        start = max(0, min(start, len(self.source)))
        end = max(start, min(end, len(self.source)))
        # Columns are counted in display cells so that the marker lands under
        # the right character when the line holds wide CJK characters.
        pad = _cells(self.source[:start])
        marker = "~" * (max(1, _cells(self.source[start:end])) - 1) + "^"
        return (
            f"cannot read {self.source!r}: {self.reason}\n"
            f"    {self.source}\n"
            f"    {' ' * pad}{marker}"
        )


def _cells(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class DocumentError(PerfevalError, ValueError):
    """A document (YAML, JSON or Excel) that cannot be loaded.

    ``str()`` names the file, the line (when known) and the key.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        key: str | None = None,
    ) -> None:
        self.message = message
        self.path = path
        self.line = line
        self.key = key
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path or "<document>"
        if self.line is not None:
            where += f":{self.line}"
        if self.key:
            where += f": {self.key}"
        return f"{where}: {self.message}"


class RulesError(PerfevalError, ValueError):
    """A rule pack that cannot be loaded or whose formulas are unsafe."""
