"""`extract --cluster` (pipeline/runner/cluster.py) on a local Dask cluster: the same rows as the
local run, table by table and row for row; the datasets, the commit, the manifest, URLs, faults.

Marked `cluster` and run only with PIPELINE_CLUSTER_TESTS=1 (`make test-cluster`, CI's .ci/run):
they need the [cluster] extra and start worker processes.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.cluster,
              pytest.mark.skipif(not os.environ.get("PIPELINE_CLUSTER_TESTS"),
                                 reason="cluster tests: PIPELINE_CLUSTER_TESTS=1 (make test-cluster)")]

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def corpus(name: str) -> Path:
    """A sample corpus from ../shared, else the repo's own copy (raw/, the PDF fixtures)."""
    p = SHARED / name
    if p.is_dir():
        return p
    return ROOT / ("raw" if name == "corpus" else "tests/fixtures/pdf")


def read_table(out: Path, name: str):
    """A table as a reader sees it, without the partition column, in doc_id order (stable: the
    rows of one document keep their order)."""
    import pandas as pd

    df = pd.read_parquet(out / f"{name}.parquet")
    if "pref" in df.columns:
        df = df.drop(columns="pref")
    return df.sort_values("doc_id", kind="stable").reset_index(drop=True)


def assert_same_tables(a: Path, b: Path) -> None:
    import pandas as pd

    from pipeline.model import TABLE_NAMES

    for name in TABLE_NAMES:
        x, y = read_table(a, name), read_table(b, name)
        assert list(x.columns) == list(y.columns), name
        pd.testing.assert_frame_equal(x, y, obj=name)


@pytest.fixture(scope="module")
def client():
    pytest.importorskip("distributed")
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    c = Client(cluster)
    yield c
    c.close()
    cluster.close()


def local_run(raw: Path, out: Path) -> None:
    from pipeline.runner.run import run_folder

    run_folder(raw, out, workers=2, quiet=True)


@pytest.mark.parametrize("name", ["corpus", "corpus-pdf"])
def test_same_rows_as_the_local_run(tmp_path, client, name):
    from pipeline.runner.cluster import run_cluster

    raw = corpus(name)
    local_run(raw, tmp_path / "local")
    # split_pages=4: the PDFs' longer documents are read in page ranges by both workers
    result = run_cluster(str(raw), str(tmp_path / "cluster"), client=client, quiet=True, split_pages=4)
    assert_same_tables(tmp_path / "local", tmp_path / "cluster")
    assert result.documents == len(read_table(tmp_path / "local", "documents"))
    # every table a folder of prefecture partitions; nothing left of the staging
    docs = read_table(tmp_path / "cluster", "documents")
    parts = sorted(p.name for p in (tmp_path / "cluster" / "documents.parquet").iterdir())
    assert parts == sorted({f"pref=JP-{c[:2]}" if c else "pref=unknown" for c in docs["municipality_code"].fillna("")})
    assert not [p for p in (tmp_path / "cluster").iterdir() if p.name.startswith((".staging", ".commit"))]
    # re-run: every document from the cache, the same tables
    again = run_cluster(str(raw), str(tmp_path / "cluster"), client=client, quiet=True)
    assert again.cached == again.documents
    assert_same_tables(tmp_path / "local", tmp_path / "cluster")


def test_score_and_duckdb_read_one_table(tmp_path, client):
    import duckdb

    from pipeline.runner.cluster import run_cluster

    run_cluster(str(corpus("corpus")), str(tmp_path / "out"), client=client, quiet=True)
    n = duckdb.connect().execute(f"SELECT count(*) FROM read_parquet('{tmp_path}/out/kpis.parquet/**/*.parquet')").fetchone()[0]
    assert n == len(read_table(tmp_path / "out", "kpis")) > 0
    score = SHARED / "eval" / "score.py"
    if score.exists() and (SHARED / "gold").is_dir():
        proc = subprocess.run([sys.executable, str(score), "--extracted", str(tmp_path / "out"),
                               "--gold", str(SHARED / "gold")], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        assert "overall F1" in proc.stdout


def test_command_line_local_cluster_and_file_urls(tmp_path):
    """The command itself: --cluster local with file:// URLs, progress from the driver, exit 0."""
    raw = corpus("corpus")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "pipeline", "extract", "--raw", raw.as_uri(), "--out", out.as_uri(),
                           "--cluster", "local", "--workers", "2"], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "0 failed, 0 remaining" in proc.stderr
    assert "(partitioned by pref)" in proc.stdout
    local_run(raw, tmp_path / "local")
    assert_same_tables(tmp_path / "local", out)


def test_manifest(tmp_path, client):
    from pipeline.runner.cluster import run_cluster

    raw = corpus("corpus")
    files = sorted(p for p in raw.rglob("*") if p.suffix in (".txt", ".md"))
    lines = ["source_url,doc_id,municipality_code"]
    for i, p in enumerate(files):
        # absolute paths, file:// URLs and a code for one document that reads none
        url = p.as_uri() if i % 2 else str(p)
        lines.append(f"{url},m/{p.stem}-{i},{'011002' if i == 0 else ''}")
    lines.append("https://example.invalid/plan.docx,,")
    manifest = tmp_path / "docs.csv"
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cluster(None, str(tmp_path / "out"), manifest=str(manifest), client=client, quiet=True)
    docs = read_table(tmp_path / "out", "documents")
    assert list(docs["doc_id"]) == sorted(f"m/{p.stem}-{i}" for i, p in enumerate(files))
    assert set(docs["source_path"]) == {p.as_uri() if i % 2 else str(p) for i, p in enumerate(files)}
    assert "plan" in result.unreadable  # the .docx: named, not read
    local = tmp_path / "local"
    local_run(raw, local)
    by_sha = {r.source_sha256: r for r in read_table(local, "documents").itertuples()}
    for r in docs.itertuples():  # the same reading of each document, under the manifest's doc_id
        assert by_sha[r.source_sha256].title == r.title
    issues = read_table(tmp_path / "out", "issues")
    assert (issues["stage"] == "run").sum() == 1  # the manifest's code against the document's (011002 vs 13…)


def test_previous_tables_stay_when_the_run_fails(tmp_path, client, monkeypatch):
    from pipeline.runner import cluster

    out = tmp_path / "out"
    cluster.run_cluster(str(corpus("corpus")), str(out), client=client, quiet=True)
    before = {p: p.read_bytes() for p in out.rglob("*.parquet") if p.is_file()}

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(cluster, "commit_datasets", boom)
    (corpus_copy := tmp_path / "raw").mkdir()
    shutil.copytree(corpus("corpus"), corpus_copy, dirs_exist_ok=True)
    next(corpus_copy.rglob("*.txt")).write_text("別の計画\n", encoding="utf-8")
    with pytest.raises(OSError):
        cluster.run_cluster(str(corpus_copy), str(out), client=client, quiet=True)
    assert {p: p.read_bytes() for p in out.rglob("*.parquet") if p.is_file()} == before
    assert not [p for p in out.iterdir() if p.name.startswith(".staging")]


def test_commit_journal_is_rolled_forward(tmp_path):
    """A run killed in the middle of its commit: the next run finishes it (memory:// and file)."""
    pytest.importorskip("fsspec")
    import fsspec

    from pipeline.emit.parquet import COMMIT_JOURNAL, recover_datasets, write_part
    from pipeline.model import TABLE_NAMES, Tables

    for fs, out in ((fsspec.filesystem("memory"), "/jr/out"), (fsspec.filesystem("file"), str(tmp_path / "out"))):
        fs.makedirs(out, exist_ok=True)
        rows = Tables(documents=[{"doc_id": "a", "readable": True, "municipality_code": "131075"}])
        write_part(fs, f"{out}/.staging-old", "JP-13", "part-00000", rows)
        for name in TABLE_NAMES:  # the previous run's tables: in place
            fs.mv(f"{out}/.staging-old/{name}.parquet", f"{out}/{name}.parquet", recursive=True)
        fs.rm(f"{out}/.staging-old", recursive=True)
        rows.documents[0]["doc_id"] = "b"
        write_part(fs, f"{out}/.staging-new", "JP-13", "part-00000", rows)
        # killed after the journal and two tables moved in
        with fs.open(f"{out}/{COMMIT_JOURNAL}", "w") as fh:
            fh.write('{"staging": "%s/.staging-new"}' % out)
        fs.makedirs(f"{out}/.staging-new.old", exist_ok=True)
        for name in TABLE_NAMES[:2]:
            fs.mv(f"{out}/{name}.parquet", f"{out}/.staging-new.old/{name}.parquet", recursive=True)
            fs.mv(f"{out}/.staging-new/{name}.parquet", f"{out}/{name}.parquet", recursive=True)
        fs.makedirs(f"{out}/.staging-killed/documents.parquet", exist_ok=True)  # a run killed before its commit
        recover_datasets(fs, out)
        names = sorted(p.rstrip("/").rsplit("/", 1)[-1] for p in fs.ls(out, detail=False))
        assert names == sorted(f"{n}.parquet" for n in TABLE_NAMES), names
        import pyarrow.parquet as pq

        with fs.open(f"{out}/documents.parquet/pref=JP-13/part-00000.parquet", "rb") as fh:
            assert pq.read_table(fh).column("doc_id").to_pylist() == ["b"]


def test_memory_urls_on_a_threaded_cluster(tmp_path):
    """--raw and --out as fsspec URLs other than files (memory://: one process, so a threaded cluster)."""
    pytest.importorskip("distributed")
    import fsspec
    from distributed import Client, LocalCluster

    from pipeline.runner.cluster import run_cluster

    fs = fsspec.filesystem("memory")
    raw = corpus("corpus")
    for p in sorted(raw.rglob("*")):
        if p.is_file():
            fs.pipe(f"/mraw/corpus/{p.relative_to(raw).as_posix()}", p.read_bytes())
    fs.pipe("/mraw/corpus/notes.docx", b"x")
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as lc, \
            Client(lc) as c:
        result = run_cluster("memory://mraw/corpus", "memory://mout", client=c, quiet=True)
    local_run(raw, tmp_path / "local")
    import pandas as pd

    from pipeline.model import TABLE_NAMES

    for name in TABLE_NAMES:
        with fs.open(f"/mout/{name}.parquet/pref=JP-13/part-00000.parquet", "rb") as fh:
            got = pd.read_parquet(fh)
        want = read_table(tmp_path / "local", name)
        if name == "issues":  # the unsupported file's finding lives in pref=unknown
            assert fs.exists("/mout/issues.parquet/pref=unknown/part-00000.parquet")
        pd.testing.assert_frame_equal(got.sort_values("doc_id", kind="stable").reset_index(drop=True), want,
                                      obj=name)
    assert [s.rel for s in result.skipped] == ["notes.docx"]


def test_a_hanging_or_crashing_document_becomes_a_finding(tmp_path, monkeypatch):
    """Each document is read in a forked child with a time limit: one that hangs or kills its
    reader is a finding, the worker and the rest of the run go on (threaded cluster: the patch
    reaches the workers)."""
    pytest.importorskip("distributed")
    import signal

    from distributed import Client, LocalCluster

    from pipeline.runner import cluster

    real = cluster.process_file

    def flaky(path, raw, rules=None, pages=None):
        if "2019" in path.name:
            time.sleep(60)
        if "2020" in path.name:
            os.kill(os.getpid(), signal.SIGSEGV)
        return real(path, raw, rules, pages)

    monkeypatch.setattr(cluster, "process_file", flaky)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as lc, \
            Client(lc) as c:
        start = time.perf_counter()
        result = cluster.run_cluster(str(corpus("corpus")), str(tmp_path / "out"), client=c, quiet=True,
                                     task_timeout=3)
        assert time.perf_counter() - start < 40
    issues = read_table(tmp_path / "out", "issues")
    errors = issues[issues["severity"] == "error"]
    by_doc = dict(zip(errors["doc_id"], errors["message"]))
    hung = [d for d in by_doc if "2019" in d]
    crashed = [d for d in by_doc if "2020" in d]
    assert hung and "gave up after 3 s" in by_doc[hung[0]]
    assert crashed and "crashed (killed by SIGSEGV)" in by_doc[crashed[0]]
    assert sorted(result.unreadable) == sorted(hung + crashed)
    docs = read_table(tmp_path / "out", "documents")
    assert docs["readable"].sum() == len(docs) - 2
    # not cached: the next run reads them again
    monkeypatch.setattr(cluster, "process_file", real)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as lc, \
            Client(lc) as c:
        again = cluster.run_cluster(str(corpus("corpus")), str(tmp_path / "out"), client=c, quiet=True)
    assert again.cached == again.documents - 2 and not again.unreadable


def test_local_and_cluster_runs_take_turns_on_one_out(tmp_path, client):
    """A local run after a cluster run writes its single files over the dataset folders (and the
    other way round), sharing the per-document cache."""
    from pipeline.runner.cluster import run_cluster
    from pipeline.runner.run import run_folder

    raw, out = corpus("corpus"), tmp_path / "out"
    run_cluster(str(raw), str(out), client=client, quiet=True)
    result = run_folder(raw, out, workers=2, quiet=True)
    assert result.cached == result.documents  # the cluster's cache entries
    assert (out / "documents.parquet").is_file()
    assert not [p for p in out.iterdir() if p.name.endswith(".old")]
    again = run_cluster(str(raw), str(out), client=client, quiet=True)
    assert again.cached == again.documents and (out / "documents.parquet").is_dir()
    local_run(raw, tmp_path / "local")
    assert_same_tables(tmp_path / "local", out)
