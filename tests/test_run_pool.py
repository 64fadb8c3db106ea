"""The local worker pool: a long PDF read in page ranges by several workers gives the rows one
worker gives; a range that fails is read again whole, once; nothing is lost either way."""
import multiprocessing
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline.ingest.pdf import DEFAULT_PDF_ENGINE, set_pdf_engine
from pipeline.rules import load_rules
from pipeline.runner import run as run_mod
from pipeline.runner.run import page_ranges, run_folder

FIXTURES = Path(__file__).parent / "fixtures" / "pdf"


def _rows(out: Path) -> dict[str, list]:
    return {p.stem: pq.read_table(p).to_pylist() for p in sorted(out.glob("*.parquet"))}


@pytest.fixture(scope="module")
def raw(tmp_path_factory) -> Path:
    raw = tmp_path_factory.mktemp("raw")
    shutil.copytree(FIXTURES / "sumida", raw / "sumida")  # 26 + 36 + 4 pages
    return raw


@pytest.fixture(scope="module", params=["pdfplumber", "pdfium"])
def engine(request) -> str:
    yield request.param
    set_pdf_engine(DEFAULT_PDF_ENGINE)  # run_folder sets this process's engine: leave the default behind


@pytest.fixture(scope="module")
def one_worker(raw, engine, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("one")
    run_folder(raw, out, workers=1, quiet=True, pdf_engine=engine)
    return _rows(out)


def test_page_ranges_cover_every_page_once():
    assert page_ranges(10, 1, 4) == [] and page_ranges(4, 2, 4) == []
    for total, workers, split in ((26, 2, 4), (36, 2, 24), (100, 2, 24), (7, 3, 2)):
        ranges = page_ranges(total, workers, split)
        assert [p for a, b in ranges for p in range(a, b)] == list(range(total))


def test_ranges_read_by_two_workers_give_the_rows_of_one(raw, engine, one_worker, tmp_path):
    result = run_folder(raw, tmp_path / "two", workers=2, split_pages=4, quiet=True, pdf_engine=engine)
    assert result.workers == 2 and result.pages == 66
    assert _rows(tmp_path / "two") == one_worker


def _failing_second_range(path, start, end):
    if start > 0:
        raise RuntimeError("this range cannot be read")
    return _read_range(path, start, end)


_read_range = run_mod._read_range


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="the patched reader reaches forked workers only")
def test_a_failing_range_is_read_again_whole(raw, engine, one_worker, tmp_path, monkeypatch):
    # the pool's workers are forked from this process: they see the patched reader
    monkeypatch.setattr(run_mod, "_read_range", _failing_second_range)
    run_folder(raw, tmp_path / "two", workers=2, split_pages=4, quiet=True, pdf_engine=engine)
    assert _rows(tmp_path / "two") == one_worker


class _Recorder:
    """A next stage that records what the runner gives it while the workers read."""

    def __init__(self, fail: bool = False):
        self.started = 0
        self.docs: list[str] = []
        self.fail = fail

    def start(self) -> None:
        self.started += 1
        if self.fail:
            raise RuntimeError("a broken next stage")

    def rows(self, tables) -> None:
        self.docs += [d["doc_id"] for d in tables.documents]
        if self.fail:
            raise RuntimeError("a broken next stage")


@pytest.mark.parametrize("fail", [False, True])
def test_prepare_sees_every_document_once_and_changes_no_row(raw, engine, one_worker, tmp_path, fail):
    ahead = _Recorder(fail)
    run_folder(raw, tmp_path / "two", workers=2, split_pages=4, quiet=True, pdf_engine=engine, prepare=ahead)
    assert ahead.started == 1
    assert sorted(ahead.docs) == sorted(r["doc_id"] for r in one_worker["documents"])
    assert _rows(tmp_path / "two") == one_worker  # its errors are ignored, as a head start's


def test_compare_ahead_gives_the_comparison_compare_gives(raw, tmp_path):
    from pipeline.crossdoc.ahead import CompareAhead
    from pipeline.crossdoc.series import run as compare_run

    cold, warm = tmp_path / "cold", tmp_path / "warm"
    run_folder(raw, cold, workers=2, quiet=True)
    run_folder(raw, warm, workers=2, quiet=True, prepare=CompareAhead(load_rules()))
    a, b = compare_run(cold), compare_run(warm)
    assert (a.kpi_series, a.initiative_topics, a.ward_topics, a.untagged) == \
        (b.kpi_series, b.initiative_topics, b.ward_topics, b.untagged)
