"""The Dask adapter scores partitions of paths like ``perfeval score`` does."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest.importorskip("dask.bag")

from perfeval.dask import score_paths
from perfeval.scoring import score

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "jianghan-2024"


@pytest.mark.parametrize("scheduler", ["synchronous", "threads"])
def test_reports_and_findings_in_path_order(scheduler: str, tmp_path: Path) -> None:
    paths = [str(p) for p in sorted(EXAMPLES.glob("*.yaml"))]
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed\n", encoding="utf-8")
    reports, findings = score_paths([*paths, str(broken)], partition_size=2,
                                    scheduler=scheduler)
    expected = [score(p).to_dict() for p in paths]
    assert reports == expected
    assert findings[:-1] == [f for r in expected for f in r["findings"]]
    assert findings[-1]["rule"] == "unreadable-document"
    assert findings[-1]["document"] == str(broken)


def test_local_cluster() -> None:
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster):
        reports, _ = score_paths([str(EXAMPLES / "outsourcing.yaml")])
    assert [r["name"] for r in reports] == ["外包工作人员经费"]


def test_local_cluster_of_worker_processes(tmp_path: Path) -> None:
    # As on a real cluster: the partitions are shipped to other processes,
    # scored there, and only JSON-like data comes back.
    distributed = pytest.importorskip("dask.distributed")
    paths = [str(p) for p in sorted(EXAMPLES.glob("*.yaml"))]
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed\n", encoding="utf-8")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        reports, findings = score_paths([*paths, str(broken)], partition_size=1)
        workers = client.run(os.getpid)
    assert os.getpid() not in workers.values()
    expected = [score(p).to_dict() for p in paths]
    assert reports == expected
    assert findings[:-1] == [f for r in expected for f in r["findings"]]
    assert findings[-1]["rule"] == "unreadable-document"
