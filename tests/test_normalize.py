"""Character-level normalization (SCHEMA.md "Normalization")."""
import subprocess
import sys

import pytest

from pipeline.normalization.chars import find_corrupt, normalize_text
from pipeline.rules import load_rules


@pytest.mark.parametrize("raw, want", [
    ("⾏政", "行政"), ("⺠間", "民間"), ("⻑期", "長期"), ("⻄⽇本", "西日本"),
    ("⼾籍", "戸籍"), ("電⼦⿊板", "電子黒板"), ("⾭少年", "青少年"), ("⿈色", "黄色"),
    ("手續", "手続"), ("ＩＣＴ", "ICT"), ("１，３２０名", "1,320名"), ("ﾃﾞｰﾀ", "データ"),
    ("全角\u3000スペース", "全角 スペース"), ("ＩＣＴ－ＢＣＰ", "ICT-BCP"), ("1−1", "1-1"),
    ("①②⑳", "①②⑳"), ("㈱", "(株)"), ("１～１０", "1〜10"), ("令和3〜7年度", "令和3〜7年度"),
    ("髙橋", "髙橋"), ("長﨑", "長﨑"), ("龍ケ崎市", "龍ケ崎市"), ("葛\U000e0100飾区", "葛飾区"),
    ("文 京 区", "文京区"), ("令和 3 年度", "令和3年度"), ("第 3 章", "第3章"), ("2020 年東京", "2020年東京"),
    ("松本 輝之", "松本 輝之"), ("ICT を利活用", "ICT を利活用"), ("取組3 手続のオンライン化", "取組3 手続のオンライン化"),
])
def test_normalize_examples(raw, want):
    assert normalize_text(raw) == want


def test_every_radical_has_a_stable_target():
    rules = load_rules()
    import unicodedata
    assigned = [cp for cp in list(range(0x2E80, 0x2EF4)) + list(range(0x2F00, 0x2FD6))
                if unicodedata.name(chr(cp), "")]
    missing = [hex(cp) for cp in assigned if chr(cp) not in rules.radicals]
    assert not missing
    for src, dst in rules.radicals.items():
        out = normalize_text(src)
        if dst != src:
            assert not (0x2E80 <= ord(out[0]) <= 0x2FDF), (src, out)


def test_no_radical_survives_normalization():
    text = "".join(chr(cp) for cp in range(0x2F00, 0x2FD6))
    assert not any(0x2E80 <= ord(ch) <= 0x2FDF for ch in normalize_text(text))


def test_cyrillic_inside_japanese_word_is_reported_and_kept():
    assert normalize_text("デジタルデバйд対策") == "デジタルデバйд対策"
    assert find_corrupt("施策3:デジタルデバйд対策") == ["デジタルデバйд対策"]
    assert find_corrupt("ICTを活用した業務") == []


def test_cli_normalize_is_line_by_line():
    proc = subprocess.run([sys.executable, "-m", "pipeline", "normalize"], input="⾏政\n⼾籍の\n続き\n",
                          capture_output=True, text=True, check=True)
    assert proc.stdout == "行政\n戸籍の\n続き\n"
