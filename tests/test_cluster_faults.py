"""A worker of the local cluster killed (SIGKILL) while it reads a document: no document is lost,
its tasks run again on a worker, and the tables equal the local run's.

Marked `cluster`; runs with PIPELINE_CLUSTER_TESTS=1 (`make test-cluster`, CI's .ci/run).
"""
from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from test_cluster import assert_same_tables, corpus, local_run, read_table

pytestmark = [pytest.mark.cluster,
              pytest.mark.skipif(not os.environ.get("PIPELINE_CLUSTER_TESTS"),
                                 reason="cluster tests: PIPELINE_CLUSTER_TESTS=1 (make test-cluster)")]


def test_a_killed_worker_loses_no_document(tmp_path):
    pytest.importorskip("distributed")
    from distributed import Client, LocalCluster

    from pipeline.runner.cluster import run_cluster

    raw = corpus("corpus-pdf")
    killed: list[tuple[str, int, list[str]]] = []
    stop = threading.Event()

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as lc, \
            Client(lc) as client:
        pids = client.run(os.getpid)  # worker address -> its process id

        def killer() -> None:
            """Kill the first worker seen reading a document (its task is running, not queued)."""
            while not stop.is_set():
                for addr, keys in client.processing().items():
                    running = [k for k in keys if "extract_task" in str(k) or "read_range_task" in str(k)]
                    if running and addr in pids:
                        time.sleep(0.3)  # well inside the task (a PDF takes seconds)
                        os.kill(pids[addr], signal.SIGKILL)
                        killed.append((addr, pids[addr], [str(k) for k in running]))
                        return
                time.sleep(0.05)

        t = threading.Thread(target=killer, daemon=True)
        t.start()
        result = run_cluster(str(raw), str(tmp_path / "cluster"), client=client, quiet=True, split_pages=4)
        stop.set()
        t.join(5)
    assert killed, "no worker was killed: the run ended before any task ran"
    local_run(raw, tmp_path / "local")
    assert not result.unreadable
    assert result.documents == len(read_table(tmp_path / "local", "documents"))
    assert_same_tables(tmp_path / "local", tmp_path / "cluster")
