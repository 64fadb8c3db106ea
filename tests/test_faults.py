"""Faults, interrupts, concurrent runs and hostile input (issue 14): one test per numbered case.

Every case ends the same way: the good documents written, the bad one named in issues.parquet,
no traceback, the exit status of its class (0 all read, 1 some unreadable, 2 usage, 3
environment) and nothing left behind but whole tables.
"""
from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from conftest import PDF_FIXTURES, ROOT, read_tables

RAW = ROOT / "raw"
SUMIDA = RAW / "sumida" / "2021-plan-summary.txt"
KOTO = RAW / "koto" / "2020-plan-summary.md"


def extract(raw, out, *args, cwd=ROOT, user=None, timeout=300):
    cmd = [sys.executable, "-m", "pipeline", "extract", "--quiet", "--no-compare", "--raw", str(raw), "--out", str(out),
           *args]
    if user is not None:
        cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *cmd]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)


def no_traceback(proc):
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    return proc


def tmp_files(out: Path) -> list[Path]:
    return [p for p in out.rglob("*") if p.name.endswith(".tmp")]


def _ppid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def _pgid(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[2])
    except OSError:
        return None


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def descendants(pid: int) -> set[int]:
    found, frontier = set(), {pid}
    while frontier:
        frontier = {int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()
                    and _ppid(int(p.name)) in frontier} - found
        found |= frontier
    return found


def wait_until(condition, timeout=10.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture(scope="module")
def text_out(tmp_path_factory):
    """The sample text corpus extracted once: the 'previous tables' of several tests."""
    out = tmp_path_factory.mktemp("faults") / "out"
    no_traceback(extract(RAW, out))
    return out


def copy_out(text_out: Path, dest: Path) -> Path:
    shutil.copytree(text_out, dest)
    (dest / ".lock").unlink(missing_ok=True)
    return dest


# -- case 1: same name, two formats --------------------------------------------------------------
def test_1_same_name_two_formats_are_two_documents(tmp_path):
    (tmp_path / "r" / "w").mkdir(parents=True)
    shutil.copy(SUMIDA, tmp_path / "r" / "w" / "plan.txt")
    shutil.copy(KOTO, tmp_path / "r" / "w" / "plan.md")
    shutil.copy(KOTO, tmp_path / "r" / "w" / "other.md")
    proc = no_traceback(extract(tmp_path / "r", tmp_path / "o"))
    assert proc.returncode == 0
    docs = pd.read_parquet(tmp_path / "o" / "documents.parquet")
    assert sorted(docs["doc_id"]) == ["w/other", "w/plan.md", "w/plan.txt"]
    issues = pd.read_parquet(tmp_path / "o" / "issues.parquet")
    shared = issues[issues["message"].str.contains("also named")]
    assert set(shared["doc_id"]) == {"w/plan.md", "w/plan.txt"}
    inits = pd.read_parquet(tmp_path / "o" / "initiatives.parquet")
    assert {"w/plan.md", "w/plan.txt"} <= set(inits["doc_id"])


# -- case 3: unreadable files and folders, links, unsupported files, long paths -------------------
def test_2_glyphs_without_a_unicode_map_are_reported_not_extracted(tmp_path):
    """A PDF whose fonts lack a ToUnicode map gave (cid:N) titles, garbage glossary rows, exit 0."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    writer = PdfWriter()
    writer.append(PdfReader(str(PDF_FIXTURES / "sumida" / "2021-plan-summary.pdf")))
    for page in writer.pages:
        for font in page["/Resources"]["/Font"].values():
            font.get_object().pop(NameObject("/ToUnicode"), None)
    raw = tmp_path / "raw"
    raw.mkdir()
    with open(raw / "plan.pdf", "wb") as fh:
        writer.write(fh)
    shutil.copy(SUMIDA, raw / "good.txt")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "pipeline", "extract", "--quiet", "--no-compare", "--raw", str(raw),
                           "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    issues = pd.read_parquet(out / "issues.parquet")
    mine = issues[issues["doc_id"] == "plan"]
    assert mine["message"].str.contains("run OCR").any() and (mine["severity"] == "error").any()
    assert mine["page"].notna().sum() >= 1  # reported per page
    for name in ("sections", "initiatives", "glossary"):
        rows = pd.read_parquet(out / f"{name}.parquet")
        assert not rows[rows["doc_id"] == "plan"].astype(str).apply(lambda c: c.str.contains("cid:")).any().any()
    assert len(pd.read_parquet(out / "initiatives.parquet").query("doc_id == 'good'")) > 0


def test_3_unreadable_and_unsupported_inputs_are_named_not_fatal(tmp_path):
    import tempfile

    top = Path(tempfile.mkdtemp(dir="/tmp"))  # outside pytest's 0700 folders: another user can use it
    try:
        raw, out = top / "r", top / "o"
        for d in ("w", "closed", "real", "links"):
            (raw / d).mkdir(parents=True)
        shutil.copy(SUMIDA, raw / "w" / "good.txt")
        shutil.copy(KOTO, raw / "w" / "secret.md")
        shutil.copy(KOTO, raw / "closed" / "hidden-away.md")
        shutil.copy(KOTO, raw / "real" / "linked.md")
        (raw / "links" / "folder").symlink_to(raw / "real")  # a symlinked folder: read (once)
        (raw / "links" / "loop").symlink_to(raw / "links")  # a loop: read once, no hang
        (raw / "w" / "gone.pdf").symlink_to(top / "nowhere.pdf")
        (raw / "w" / "plan.docx").write_bytes(b"PK\x03\x04 not read")
        (raw / "w" / "page.html").write_text("<html></html>")
        fd = os.open(raw, os.O_RDONLY)
        for name in ["deep"] + ["d" * 250] * 20:  # a document under a path over 4096 bytes
            os.mkdir(name, 0o777, dir_fd=fd)
            fd, old = os.open(name, os.O_RDONLY, dir_fd=fd), fd
            os.close(old)
        leaf = os.open("plan.md", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(leaf, KOTO.read_bytes())
        os.close(leaf)
        os.close(fd)
        for d in (top, raw, raw / "w", raw / "real", raw / "links"):
            d.chmod(0o777)
        (raw / "w" / "secret.md").chmod(0)
        (raw / "closed").chmod(0)
        user = 65534 if os.geteuid() == 0 and shutil.which("setpriv") else None  # root reads anything
        proc = no_traceback(extract(raw, out, user=user))
        assert proc.returncode == 1, proc.stderr
        assert not tmp_files(out)
        docs = pd.read_parquet(out / "documents.parquet").set_index("doc_id")
        assert docs.loc["w/good", "readable"]
        assert docs.loc["real/linked", "readable"] and "links/folder/linked" not in docs.index
        assert not docs.loc["w/secret", "readable"]
        issues = pd.read_parquet(out / "issues.parquet")
        msg = dict(zip(issues["doc_id"], issues["message"]))
        assert "permission denied" in msg["w/secret"] and "chmod" in msg["w/secret"]
        assert "permission denied" in msg["closed/"]
        assert "broken symbolic link" in msg["w/gone.pdf"]
        assert "not supported" in msg["w/plan.docx"] and "not supported" in msg["w/page.html"]
        assert any("more than the system accepts" in m for m in issues["message"])
        assert "w/plan.docx" in proc.stdout and "could not read" in proc.stdout
    finally:
        (top / "r" / "closed").chmod(0o700)
        shutil.rmtree(top, ignore_errors=True)


# -- case 4: Ctrl-C, SIGTERM, SIGKILL -------------------------------------------------------------
SMALL_PDFS = ["koto/2020-plan-summary.pdf", "sumida/2021-plan-summary.pdf", "ota/2021-plan-summary.pdf"]  # 3+4+8 pages


def pdf_raw(dest: Path, names=(*SMALL_PDFS, "sumida/2023-presentation.pdf")) -> Path:
    for name in names:
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(PDF_FIXTURES / name, dest / name)
    return dest


class Run:
    """`pipeline extract` over PDFs in its own process group, its stderr followed."""

    def __init__(self, raw: Path, out: Path, workers: str = "2") -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "pipeline", "extract", "--no-compare", "--workers", workers,
                                      "--raw", str(raw), "--out", str(out)], cwd=ROOT, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        self.lines: list[str] = []
        threading.Thread(target=lambda: self.lines.extend(self.proc.stderr), daemon=True).start()

    def workers(self) -> set[int]:
        """The pool's processes (the janitor runs in a session of its own)."""
        return {p for p in descendants(self.proc.pid) if _ppid(p) == self.proc.pid and _pgid(p) == self.proc.pid}

    def wait_for(self, what: str, timeout: float = 60) -> None:
        assert wait_until(lambda: any(what in line for line in self.lines), timeout), self.lines


def _interrupted(tmp_path, text_out, sig: int, group: bool, after_first_document: bool):
    out = copy_out(text_out, tmp_path / "out")
    before = read_tables(out)
    entries = set((out / ".cache").glob("*.pkl"))
    raw = pdf_raw(tmp_path / "raw")
    run = Run(raw, out)
    assert wait_until(lambda: len(run.workers()) == 2, 30)
    if after_first_document:
        run.wait_for("[1/4]")
    workers = run.workers()
    assert workers
    sent = time.monotonic()
    (os.killpg if group else os.kill)(run.proc.pid, sig)
    rc = run.proc.wait(timeout=20)
    stopped = time.monotonic() - sent
    assert wait_until(lambda: not any(_alive(p) for p in workers), 5), "a worker outlived its parent"
    assert wait_until(lambda: not tmp_files(out), 5), tmp_files(out)
    after = read_tables(out)  # the previous tables, whole
    for name, df in before.items():
        pd.testing.assert_frame_equal(after[name], df)
    assert "Traceback" not in "".join(run.lines)
    return rc, stopped, set((out / ".cache").glob("*.pkl")) - entries, raw


def test_4_ctrl_c_stops_workers_at_once_and_keeps_finished_documents(tmp_path, text_out):
    rc, stopped, new_entries, raw = _interrupted(tmp_path, text_out, signal.SIGINT, group=True,
                                                 after_first_document=True)
    assert rc == 130
    assert stopped < 5  # not "after every queued document"
    assert new_entries  # what finished before Ctrl-C is cached, whole
    from pipeline.runner.cache import decode

    fixtures = {p.relative_to(raw).with_suffix("").as_posix() for p in raw.rglob("*.pdf")}
    for entry in new_entries:
        assert decode(entry.read_bytes()).documents[0]["doc_id"] in fixtures


def test_4_sigterm_stops_workers_and_leaves_nothing(tmp_path, text_out):
    rc, stopped, _, _ = _interrupted(tmp_path, text_out, signal.SIGTERM, group=False, after_first_document=False)
    assert rc == 128 + signal.SIGTERM
    assert stopped < 5


def test_4_sigkill_of_the_parent_takes_its_workers(tmp_path, text_out):
    rc, _, _, _ = _interrupted(tmp_path, text_out, signal.SIGKILL, group=False, after_first_document=False)
    assert rc == -signal.SIGKILL


# -- case 5: the cache ---------------------------------------------------------------------------
def _corrupt(path: Path, how: str, rng: random.Random) -> None:
    data = bytearray(path.read_bytes())
    if how == "flip":
        i = rng.randrange(len(data))
        data[i] ^= 1 << rng.randrange(8)
    elif how == "truncate":
        data = data[:rng.randrange(len(data))]
    elif how == "random":
        data = bytearray(rng.randbytes(rng.randrange(1, 4096)))
    elif how == "splice":  # random bytes over a stretch of a valid entry
        i = rng.randrange(len(data))
        data[i:i + 16] = rng.randbytes(16)
    elif how == "empty":
        data = bytearray()
    path.write_bytes(bytes(data))


def test_5_damaged_cache_entries_are_recomputed_with_a_warning(tmp_path, text_out):
    from pipeline.runner.run import run_folder

    out = copy_out(text_out, tmp_path / "out")
    run_folder(RAW, out, quiet=True)  # entries keyed by this process's view of the code
    expected = read_tables(out)
    rng = random.Random(14)
    for round_ in range(5):
        entries = sorted((out / ".cache").glob("*.pkl"))
        assert len(entries) == 5
        hurt = rng.sample(entries, 2)
        for p in hurt:
            _corrupt(p, rng.choice(["flip", "truncate", "random", "splice", "empty"]), rng)
        result = run_folder(RAW, out, workers=1, quiet=True)
        assert len(result.cache_repaired) == 2, round_
        assert result.cached == 3
        got = read_tables(out)
        for name, df in expected.items():
            pd.testing.assert_frame_equal(got[name], df)
    # the same run from another working directory hits the same entries, with the same source_path
    no_traceback(extract(RAW, out))
    proc = no_traceback(extract(os.path.relpath(RAW, tmp_path), out, cwd=tmp_path))
    assert proc.returncode == 0 and " 5 unchanged from cache" in proc.stdout
    assert list(pd.read_parquet(out / "documents.parquet")["source_path"]) == \
        list(expected["documents"]["source_path"])
    assert all(p.startswith("raw/") for p in expected["documents"]["source_path"])


# -- case 6: an empty or missing --raw -----------------------------------------------------------
def test_6_empty_or_missing_raw_refuses_over_existing_tables(tmp_path, text_out):
    out = copy_out(text_out, tmp_path / "out")
    before = read_tables(out)
    entries = sorted((out / ".cache").glob("*.pkl"))
    (tmp_path / "empty").mkdir()
    for raw in (tmp_path / "empty", tmp_path / "raww"):
        proc = no_traceback(extract(raw, out))
        assert proc.returncode == 3, proc.stderr
        assert "error:" in proc.stderr
        for name, df in read_tables(out).items():
            pd.testing.assert_frame_equal(df, before[name])
        assert sorted((out / ".cache").glob("*.pkl")) == entries
    import pipeline

    with pytest.raises(pipeline.RunError):
        pipeline.extract(tmp_path / "raww", out, compare=False)
    proc = no_traceback(extract(tmp_path / "empty", out, "--allow-empty"))
    assert proc.returncode == 0
    assert len(pd.read_parquet(out / "documents.parquet")) == 0


# -- case 7: two runs into the same --out --------------------------------------------------------
def test_7_a_second_run_into_the_same_out_is_refused_clearly(tmp_path, text_out):
    out = copy_out(text_out, tmp_path / "out")
    from pipeline.runner.guard import guard

    with guard(out):  # another run holds the folder
        proc = no_traceback(extract(RAW, out))
    assert proc.returncode == 3
    assert "another run is writing to" in proc.stderr and f"pid {os.getpid()}" in proc.stderr
    assert not tmp_files(out)
    assert no_traceback(extract(RAW, out)).returncode == 0  # the lock goes with its run


# -- case 8: exit codes --------------------------------------------------------------------------
def test_8_exit_codes_by_class(tmp_path, text_out):
    (tmp_path / "afile").write_text("x")
    proc = no_traceback(extract(RAW, tmp_path / "afile"))
    assert proc.returncode == 3 and "is a file" in proc.stderr
    proc = no_traceback(extract(RAW, tmp_path / "afile" / "below"))
    assert proc.returncode == 3 and "cannot write" in proc.stderr
    proc = no_traceback(extract(RAW, tmp_path / "o", "--workers", "0"))
    assert proc.returncode == 2
    proc = no_traceback(extract(RAW, tmp_path / "o", "--bogus"))
    assert proc.returncode == 2
    bad_rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", bad_rules)
    (bad_rules / "kpis.toml").write_text("this is [not toml", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "pipeline", "extract", "-q", "--raw", str(RAW), "--out",
                           str(tmp_path / "o")], cwd=ROOT, capture_output=True, text=True,
                          env=dict(os.environ, PIPELINE_RULES_DIR=str(bad_rules)))
    assert no_traceback(proc).returncode == 2
    # more workers than CPUs: capped, with a warning; piped into `head`: the reader goes away, the run
    # still writes everything
    out = copy_out(text_out, tmp_path / "out")
    (out / "documents.parquet").unlink()
    shell = (f"{sys.executable} -m pipeline extract --no-compare --workers 1000 --raw {RAW} --out {out} "
             "| head -c 1 > /dev/null; echo ${PIPESTATUS[0]}")
    proc = subprocess.run(["bash", "-c", shell], cwd=ROOT, capture_output=True, text=True)
    assert proc.stdout.strip() == "0", proc.stderr
    assert "is more than the" in proc.stderr and f"using {len(os.sched_getaffinity(0))}" in proc.stderr
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr
    assert len(pd.read_parquet(out / "documents.parquet")) == 5
    proc = subprocess.run(["bash", "-c", f"yes 行政 | head -n 20000 | {sys.executable} -m pipeline normalize | head -n 1;"
                                         " echo ${PIPESTATUS[2]}"], cwd=ROOT, capture_output=True, text=True)
    assert proc.stdout.split() == ["行政", "0"], proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr


# -- case 10: progress ---------------------------------------------------------------------------
def test_9_the_corrupt_text_check_is_linear_in_the_text():
    """An unbroken run of Japanese (no punctuation) took 197 s at 200k characters; a regex
    anchored on the Japanese side backtracked over the whole run at every start."""
    from pipeline.normalization.chars import find_corrupt
    from pipeline.rules import load_rules

    rules = load_rules()
    assert find_corrupt("これはデジタルデバйдです", rules) == ["これはデジタルデバйдです"]
    started = time.perf_counter()
    assert find_corrupt("情報化推進計画" * 30_000, rules) == []
    assert find_corrupt(("情報化推進計画" * 3_000 + "й") * 10, rules)
    assert time.perf_counter() - started < 5  # a generous guard against the quadratic case, not a speed target


def test_10_progress_starts_at_once_and_counts_pages(tmp_path):
    run = Run(pdf_raw(tmp_path / "raw", SMALL_PDFS), tmp_path / "out")
    start = time.monotonic()
    run.wait_for("reading 3 documents", 15)
    first = time.monotonic() - start
    run.wait_for("[1/3]")
    assert run.proc.wait(timeout=120) == 0
    assert first < 5  # before any document is read (the bare interpreter start is most of it)
    lines = [line for line in run.lines if line.startswith("[")]
    assert len(lines) == 3 and all("/15 pages" in line for line in lines), lines
    assert "ETA" in lines[0]
    etas = [line.split("ETA ")[1].split(" s")[0] for line in lines[:-1] if "ETA " in line and " s" in line]
    assert all(e == "…" or float(e.split()[0]) < 600 for e in etas)  # never the absurd 22,479 s


def test_10_eta_counts_from_the_start_of_reading():
    from pipeline.runner.progress import Progress
    import io

    bar = Progress(10, stream=io.StringIO())
    bar.start -= 60  # a minute spent before reading started does not inflate the ETA
    bar.plan(100, 100)
    assert bar.eta() is None
    bar.working()
    bar.work_start -= 10
    bar.partial(50, 50)
    assert 9 < bar.eta() < 11


# -- case 11: the pyarrow exit-time abort --------------------------------------------------------
def test_11_command_line_exits_without_interpreter_teardown(tmp_path, text_out):
    assert "run()" in (ROOT / "pipeline" / "__main__.py").read_text()  # main(), flush, os._exit
    out = copy_out(text_out, tmp_path / "out")
    for _ in range(1):  # a command that reads Parquet through pandas/pyarrow ends cleanly
        proc = subprocess.run([sys.executable, "-m", "pipeline", "compare", "--out", str(out)],
                              cwd=ROOT, capture_output=True, text=True)
        assert proc.returncode == 0 and "terminate called" not in proc.stderr, proc.stderr


# -- case 12: NUL bytes, make clean ----------------------------------------------------------------
def test_12_a_stray_nul_byte_costs_one_character_not_the_document(tmp_path):
    (tmp_path / "r" / "w").mkdir(parents=True)
    data = SUMIDA.read_bytes()
    cut = data.index(b"\n", 200) + 1
    (tmp_path / "r" / "w" / "plan.txt").write_bytes(data[:cut] + b"\x00" + data[cut:])
    (tmp_path / "r" / "w" / "binary.txt").write_bytes(b"\x00\x01\x02" * 500)
    proc = no_traceback(extract(tmp_path / "r", tmp_path / "o"))
    assert proc.returncode == 1  # binary.txt only
    docs = pd.read_parquet(tmp_path / "o" / "documents.parquet").set_index("doc_id")
    assert docs.loc["w/plan", "readable"] and not docs.loc["w/binary", "readable"]
    issues = pd.read_parquet(tmp_path / "o" / "issues.parquet")
    assert issues["message"].str.contains("NUL byte").any()
    assert len(pd.read_parquet(tmp_path / "o" / "initiatives.parquet").query("doc_id == 'w/plan'")) > 10


def test_12_make_clean_keeps_the_venvs_bytecode(tmp_path):
    if not shutil.which("make"):
        pytest.skip("no make")
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    venv_pyc = tmp_path / ".venv" / "lib" / "site" / "__pycache__" / "a.pyc"
    own_pyc = tmp_path / "pipeline" / "__pycache__" / "b.pyc"
    for p in (venv_pyc, own_pyc, tmp_path / "extracted" / "documents.parquet", tmp_path / "extracted" / ".x.tmp"):
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"")
    subprocess.run(["make", "-s", "clean"], cwd=tmp_path, check=True, capture_output=True)
    assert venv_pyc.exists()
    assert not own_pyc.exists() and not (tmp_path / "extracted" / "documents.parquet").exists()
    assert not (tmp_path / "extracted" / ".x.tmp").exists()
