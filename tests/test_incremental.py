"""Incremental runs: new, changed and removed documents, changed rules, a run killed midway."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import pandas as pd

from conftest import PDF_FIXTURES, ROOT, read_tables, run_extract


def _run(raw, out, env=None, workers="2"):
    proc = subprocess.run([sys.executable, "-m", "pipeline", "extract", "--quiet", "--workers", workers,
                           "--raw", str(raw), "--out", str(out)], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def _cached(summary: str) -> int:
    return int(summary.split(" unchanged from cache")[0].rsplit(", ", 1)[1])


def test_new_changed_removed_documents_and_changed_rules(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    shutil.copytree(ROOT / "raw", raw)
    assert _cached(_run(raw, out)) == 0
    first = read_tables(out)
    assert _cached(_run(raw, out)) == 5  # no-op re-run
    for name, df in read_tables(out).items():
        pd.testing.assert_frame_equal(df, first[name])

    (raw / "new").mkdir()
    (raw / "new" / "plan.md").write_text("# 第1章 総論\n\n施策\t取組\n施策1 A\t取組1 B\n", encoding="utf-8")
    assert _cached(_run(raw, out)) == 5
    assert "new/plan" in set(pd.read_parquet(out / "documents.parquet")["doc_id"])

    (raw / "new" / "plan.md").write_text("# 第1章 総論\n\n施策\t取組\n施策1 A\t取組1 変更後\n", encoding="utf-8")
    assert _cached(_run(raw, out)) == 5
    titles = pd.read_parquet(out / "initiatives.parquet").query("doc_id == 'new/plan'")["title"]
    assert "変更後" in set(titles)

    shutil.rmtree(raw / "new")
    assert _cached(_run(raw, out)) == 5
    assert "new/plan" not in set(pd.read_parquet(out / "documents.parquet")["doc_id"])
    assert len(list((out / ".cache").glob("*.pkl"))) == 5  # the removed document's entry is pruned

    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    with (rules / "kpis.toml").open("a", encoding="utf-8") as fh:
        fh.write("\n# a changed rule file\n")
    env = dict(os.environ, PIPELINE_RULES_DIR=str(rules))
    assert _cached(_run(raw, out, env)) == 0


def test_run_killed_midway_leaves_previous_tables_whole(tmp_path):
    out = tmp_path / "out"
    _run(PDF_FIXTURES, out)
    before = read_tables(out)
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    (rules / "headings.toml").write_text((rules / "headings.toml").read_text(encoding="utf-8") + "\n# changed\n",
                                         encoding="utf-8")
    env = dict(os.environ, PIPELINE_RULES_DIR=str(rules))
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "extract", "--quiet", "--workers", "1",
                             "--raw", str(PDF_FIXTURES), "--out", str(out)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(1.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    after_kill = read_tables(out)  # every table still reads, with the previous rows
    for name, df in before.items():
        pd.testing.assert_frame_equal(after_kill[name], df)
    _run(PDF_FIXTURES, out, env)
    for name, df in read_tables(out).items():
        pd.testing.assert_frame_equal(df, before[name])
    assert not list((out / ".cache").glob("*.tmp")) and not list(out.glob(".*.tmp"))
