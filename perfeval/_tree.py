"""The neutral tree that every reader builds and one walker validates.

YAML and JSON files, Python mappings and workbooks all become these nodes, so
that :mod:`perfeval.documents` checks them once and reports lines (or cells)
when the source has them.  Tuples rather than dataclasses: a batch makes
hundreds of nodes per table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple, TypeAlias


class Scalar(NamedTuple):
    text: str | None  # None for null
    line: int | None
    boolean: bool = False  # a Python bool, which is not text


class Sequence(NamedTuple):
    items: tuple[Node, ...]
    line: int | None
    raw: str | None = None  # source text of a YAML flow list, e.g. "[97%,100%]"


class Mapping_(NamedTuple):
    items: tuple[tuple[str, int | None, Node], ...]  # (key as written, key line, value)
    line: int | None
    # A spreadsheet has cells, not lines: the Excel reader maps key paths
    # (``indicators[3].target``) to "sheet S, cell B7" on the root mapping,
    # so that every error the walker raises names the cell.
    cells: Mapping[str, str] | None = None
    # The source text of a one-line JSON-object row, ``{"name": "…", …}``,
    # when the reader kept it: the row's content in one string, so a walker
    # can remember what it read from a row that repeats.
    raw: str | None = None


Node: TypeAlias = Scalar | Sequence | Mapping_
