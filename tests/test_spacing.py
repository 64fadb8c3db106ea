"""A space between two Japanese characters: inside a word (dropped) or a separator (kept).

The decision is Sudachi's (pipeline/ja/tokens.py `space_inside_word`, rules in
rules/normalization.toml [spacing]); `python -m pipeline normalize` applies the same rule.
The cases are the shapes met in the corpora: justified PDF lines, letter-spaced headings
and table labels, a PDF line broken inside a word; and the separators that must stay.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.normalization.chars import normalize_text

ROOT = Path(__file__).resolve().parent.parent

# (source, normalized): the space is inside a word
SPLIT_WORDS = [
    ("令 和８ 年 度は", "令和8年度は"),             # justified line
    ("生活応 援商 品券", "生活応援商品券"),          # justified line, spaces every two characters
    ("所 属", "所属"),                               # letter-spaced table label
    ("職 員", "職員"),
    ("総　　務", "総務"),                            # ideographic spaces in a heading
    ("総　論", "総論"),
    ("目 的", "目的"),
    ("要 旨", "要旨"),
    ("目 次", "目次"),
    ("区 分", "区分"),
    ("指 標", "指標"),
    ("項 目", "項目"),
    ("事  業", "事業"),                              # two spaces
    ("施 設", "施設"),
    ("料 金", "料金"),
    ("決 算", "決算"),
    ("赤 字比率", "赤字比率"),
    ("資 金不足比率", "資金不足比率"),
    ("解 消可能資金不足額", "解消可能資金不足額"),
    ("前年度決 算見込", "前年度決算見込"),
    ("実質収 支", "実質収支"),
    ("昭 和31年", "昭和31年"),
    ("平 成", "平成"),
    ("課 題1", "課題1"),
    ("趨 勢人口", "趨勢人口"),
    ("契約によ り施設を貸し出す", "契約により施設を貸し出す"),     # PDF line broken inside a word
    ("整備す ることで", "整備することで"),
    ("未加入 の世帯", "未加入の世帯"),                # a particle never starts a cell
    ("インターネットサービス が利用できる", "インターネットサービスが利用できる"),
    ("情報通信格差が解消 され", "情報通信格差が解消され"),   # a dependent verb
    ("継続的に取り組んで いくことが大切", "継続的に取り組んでいくことが大切"),
    ("料金体系 の概要", "料金体系の概要"),
    ("健康診断結果 等", "健康診断結果等"),            # a suffix
    ("コンピテンシ ディクショナリ", "コンピテンシディクショナリ"),
    ("75歳以 上", "75歳以上"),
    ("文 京 区", "文京区"),                          # a run of letter-spaced characters
    ("令和 3 年度", "令和3年度"),
    ("0〜14 歳", "0〜14歳"),
]

# text whose spaces separate: label and title, two table cells, two list items, Latin next to Japanese
MUST_NOT_JOIN = [
    "1 はじめに",
    "第1章 はじめに",
    "第3節 具体的取組",
    "所属 氏名",
    "組織 役割",
    "初年度 最終",
    "整備地域の世帯数 加入世帯数",
    "小学校数 中学校数",
    "第一次産業 第二次産業",
    "自然動態 社会動態",
    "情報化推進 職員研修",
    "デジタル人材の育成 取組36",
    "集団宛通知 個人宛通知",
    "チラシ はがき",
    "北海道 全国",
    "ICT を活用",
    "AI スペシャリスト",
    "大田区 福祉部福祉管理課",
    "推進課長 加茂",
    "つながるまち のべおか",
    "平成28年度 平成29年度",
]


@pytest.mark.parametrize("src,want", SPLIT_WORDS, ids=[s for s, _ in SPLIT_WORDS])
def test_split_word_is_joined(src: str, want: str):
    assert normalize_text(src) == want


@pytest.mark.parametrize("src", MUST_NOT_JOIN)
def test_separator_is_kept(src: str):
    assert normalize_text(src) == src


def test_at_least_thirty_cases():
    assert len(SPLIT_WORDS) + len(MUST_NOT_JOIN) >= 30
    assert len(SPLIT_WORDS) >= 30


def test_normalize_command_applies_the_same_rule_line_by_line():
    src = "\n".join([s for s, _ in SPLIT_WORDS[:8]] + MUST_NOT_JOIN[:6]) + "\n"
    proc = subprocess.run([sys.executable, "-m", "pipeline", "normalize"], input=src, capture_output=True,
                          text=True, cwd=ROOT, check=True)
    want = [w for _, w in SPLIT_WORDS[:8]] + MUST_NOT_JOIN[:6]
    assert proc.stdout.splitlines() == want


def test_raw_columns_keep_the_source(tmp_path: Path):
    raw = tmp_path / "raw" / "town"
    raw.mkdir(parents=True)
    (raw / "plan.txt").write_text("町の計画\n\n第1章 総　　論\n\n本計画の目 的を示します。\n", encoding="utf-8")
    out = tmp_path / "out"
    subprocess.run([sys.executable, "-m", "pipeline", "extract", "--quiet", "--no-compare", "--raw", str(tmp_path / "raw"),
                    "--out", str(out)], cwd=ROOT, check=True, capture_output=True)
    import pandas as pd
    sec = pd.read_parquet(out / "sections.parquet")
    assert "総論" in set(sec["title"])
    assert any("目的" in (t or "") for t in sec["text"])
