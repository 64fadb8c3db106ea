# Japanese municipal plan documents -> Parquet tables. `make extract`, `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SHARED ?= ../shared
RAW ?= raw
OUT ?= extracted

.PHONY: setup setup-cluster extract test test-cluster score bench typecheck clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	@# Byte-compile once: where PYTHONDONTWRITEBYTECODE is set nothing else caches bytecode, and
	@# every run (and every worker) would compile pandas, pdfminer … from source again (≈1 s each).
	$(PY) -m compileall -q -j 0 $(VENV)/lib > /dev/null || true
	touch $@

setup: $(VENV)/.installed

# the optional [cluster] extra (Dask distributed, fsspec): `extract --cluster`, its tests, the bench's cluster row
$(VENV)/.installed-cluster: $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[test,cluster]"
	touch $@

setup-cluster: $(VENV)/.installed-cluster

extract: setup
	$(PY) -m pipeline extract --raw $(RAW) --out $(OUT)

test: setup
	$(PY) -m pytest -q

test-cluster: setup-cluster
	PIPELINE_CLUSTER_TESTS=1 $(PY) -m pytest -q -m cluster

score: setup
	@# every corpus that has answers: the sample plans (text and PDF), real excerpts, real PDFs
	@for pair in corpus:gold corpus-pdf:gold corpus-real:gold-real real-pdf:gold-real-pdf; do \
	  corpus=$${pair%%:*}; gold=$${pair##*:}; \
	  out=$$(mktemp -d); \
	  $(PY) -m pipeline extract --quiet --no-compare --raw $(SHARED)/$$corpus --out $$out > /dev/null; \
	  echo "== $(SHARED)/$$corpus (answers: $(SHARED)/$$gold)"; \
	  $(PY) $(SHARED)/eval/score.py --extracted $$out --gold $(SHARED)/$$gold; \
	  rm -rf $$out; \
	done

typecheck: setup
	$(PY) -m mypy pipeline

bench: setup-cluster
	$(PY) tools/bench.py $(BENCH_ARGS)

clean:
	rm -rf $(OUT)/*.parquet $(OUT)/plans.duckdb $(OUT)/report.html $(OUT)/.cache $(OUT)/.lock $(OUT)/.*.tmp .pytest_cache .mypy_cache
	@# the project's own bytecode only: the venv's was compiled at install (its stamp stays valid)
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
