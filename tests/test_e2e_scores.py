"""End-to-end scores against ../shared/gold (the thresholds of issues 3 and 4)."""
import pytest

from conftest import score


@pytest.mark.parametrize("which, init_min, kpi_min", [("text_run", 0.95, 0.95), ("pdf_run", 0.90, 0.90)])
def test_scores(which, init_min, kpi_min, request):
    out, _ = request.getfixturevalue(which)
    tables = score(out)["tables"]
    assert tables["initiatives"]["strict_f1"] >= init_min
    assert tables["kpis"]["strict_f1"] >= kpi_min
    assert tables["kpi_values"]["strict_f1"] >= kpi_min


@pytest.mark.parametrize("which", ["text_run", "pdf_run"])
def test_glossary_scores(which, request):
    out, _ = request.getfixturevalue(which)
    g = score(out)["tables"]["glossary"]
    assert g["f1"] >= 0.92 and g["strict_f1"] >= 0.85
