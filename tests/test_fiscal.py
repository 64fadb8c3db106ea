import pytest

from pipeline.ja.fiscal import fiscal_year


@pytest.mark.parametrize("text, fy", [
    ("令和3年度", 2021), ("令和元年度", 2019), ("平成32年度", 2020), ("R7", 2025), ("2024年度", 2024),
    ("2024(令和6)年度", 2024), ("令和3年3月", 2020), ("24手続(令和4年度)", 2022), ("目標値 R7", 2025),
    ("令和5年1月末の実績", 2022), ("KPI", None), ("QR7", None), ("H30年度", 2018),
])
def test_fiscal_years(text, fy):
    assert fiscal_year(text) == fy
