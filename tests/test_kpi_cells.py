"""The KPI cell parser: examples from the corpus shapes, plus properties."""
import pytest
from hypothesis import given, strategies as st

from pipeline.extractors.kpis.cells import parse_cell
from pipeline.normalization.chars import normalize_text
from pipeline.rules import load_rules


@pytest.mark.parametrize("raw, value, unit, fy", [
    ("1,320名", 1320.0, "名", None), ("40%", 40.0, "%", None), ("59.3% ※4", 59.3, "%", None),
    ("6手続", 6.0, "手続", None), ("延べ12回", 12.0, "回", None), ("24手続（令和4年度）", 24.0, "手続", 2022),
    ("29手続 (令和元年度)", 29.0, "手続", 2019), ("24 (令和3年3月)", 24.0, None, 2020), ("0件", 0.0, "件", None),
    ("—", None, None, None), ("－", None, None, None), ("（調査中）", None, None, None), ("-", None, None, None),
])
def test_cells(raw, value, unit, fy):
    c = parse_cell(normalize_text(raw))
    assert (c.value, c.unit, c.fiscal_year, c.ok) == (value, unit, fy, True)


def test_planned_actual_cell_and_notes():
    c = parse_cell(normalize_text("35手續 (49手續)"))
    assert (c.value, c.unit, c.second.value, c.second.unit) == (35.0, "手続", 49.0, "手続")
    assert parse_cell("25手続 (R4) ※3").notes == ["3"] and parse_cell("25手続 (R4) ※3").fiscal_year == 2022


def test_text_that_is_not_a_value_does_not_parse():
    assert parse_cell("検討中のため未記載").ok is False


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["手続", "%", "件", "名", "業務", "時間", "回", "取組"]))
def test_number_with_thousands_separators_round_trips(n, unit):
    c = parse_cell(f"{n:,}{unit}")
    assert c.value == float(n) and c.unit == unit and c.ok


@given(st.decimals(min_value=0, max_value=10000, places=1, allow_nan=False), st.integers(1, 30))
def test_planned_actual_pairs(a, b):
    c = parse_cell(f"{a}% ({b}%)")
    assert c.value == float(a) and c.second is not None and c.second.value == float(b)


@given(st.text(alphabet="—－-ー ()調査中", max_size=6))
def test_no_value_words_never_invent_a_number(s):
    assert parse_cell(s).value is None


@pytest.mark.parametrize("raw,value,unit,qualifier", [
    ("年111校", 111, "校", "年"), ("5年間で6人", 6, "人", "5年間で"), ("延べ12回", 12, "回", "延べ"),
    ("100%以上", 100, "%", "以上"), ("50%程度", 50, "%", "程度"), ("59.3%", 59.3, "%", None),
])
def test_qualifiers_are_kept_out_of_the_number_in_a_column_of_their_own(raw, value, unit, qualifier):
    cell = parse_cell(raw, load_rules())
    assert (cell.value, cell.unit, cell.qualifier) == (value, unit, qualifier)
