"""Scoring a province's documents on a Dask cluster (``pip install perfeval[dask]``).

>>> reports, findings = score_paths(paths, partition_size=200)  # doctest: +SKIP

Each partition of paths is scored by :func:`perfeval.scoring.score`, a pure
function of the document (and the rule pack): the workers return plain report
dicts (``perfeval score --format json``'s objects) and the findings, so
nothing but JSON-like data crosses the network.  A document that cannot be
read becomes one ``error`` finding with rule ``unreadable-document``; the
others are still scored.

On a real cluster, start a scheduler and workers (``dask scheduler``,
``dask worker tcp://host:8786``) on machines that see the same files, then
``dask.distributed.Client("tcp://host:8786")`` before calling
:func:`score_paths`.  Sites on Spark can do the same with
``df.mapInPandas``: a function that calls :func:`score_partition` on each
pandas batch of paths and yields the report rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["score_partition", "score_paths"]


def score_partition(paths: Iterable[str], rules: str | None = None
                    ) -> list[tuple[dict[str, Any] | None, list[dict[str, Any]]]]:
    """(report dict or None, findings) for each path of one partition."""
    from perfeval.errors import PerfevalError
    from perfeval.scoring import score

    out: list[tuple[dict[str, Any] | None, list[dict[str, Any]]]] = []
    for path in paths:
        try:
            report = score(path, rules=rules)
        except (PerfevalError, OSError, RecursionError, MemoryError) as e:
            out.append((None, [{"rule": "unreadable-document", "severity": "error",
                                "message": str(e), "document": str(path)}]))
            continue
        data = report.to_dict()
        out.append((data, list(data.get("findings", []))))
    return out


def score_paths(paths: Sequence[str], *, rules: str | None = None,
                partition_size: int = 500, scheduler: str | None = None
                ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Score ``paths`` in partitions with ``dask.bag``; (reports, findings) in path order.

    ``scheduler`` is passed to ``compute`` (``"synchronous"``, ``"threads"``,
    ``"processes"``); ``None`` uses the active client or Dask's default.
    """
    import dask.bag as db

    bag = db.from_sequence(list(paths),  # type: ignore[no-untyped-call]
                           partition_size=max(1, partition_size))
    results = bag.map_partitions(score_partition, rules).compute(scheduler=scheduler)
    reports: list[dict[str, Any]] = []
    findings: list[dict[str, Any]] = []
    for report, found in results:
        if report is not None:
            reports.append(report)
        findings.extend(found)
    return reports, findings
