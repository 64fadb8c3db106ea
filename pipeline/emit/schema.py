"""The output tables' pyarrow schemas, declared in one place (SCHEMA.md is the contract).

Each field carries its description in the Parquet field metadata, so a
dashboard or `duckdb`'s `parquet_schema()` can show what a column means.
"""
from __future__ import annotations

import pyarrow as pa


def _f(name: str, typ: pa.DataType, doc: str, nullable: bool = True) -> pa.Field:
    return pa.field(name, typ, nullable=nullable, metadata={"description": doc})


S, I32, F64, B = pa.string(), pa.int32(), pa.float64(), pa.bool_()

SCHEMAS: dict[str, pa.Schema] = {
    "documents": pa.schema([
        _f("doc_id", S, "path under raw/ without the extension", False),
        _f("municipality", S, "the municipality whose plan this is (e.g. 墨田区)"),
        _f("title", S, "the plan's own title"),
        _f("period_start_fy", I32, "first fiscal year of the plan period, when stated"),
        _f("period_end_fy", I32, "last fiscal year of the plan period, when stated"),
        _f("source_path", S, "path of the source file relative to the repo root (or to --raw's parent)"),
        _f("source_sha256", S, "sha256 of the source file's bytes"),
        _f("source_format", S, "pdf, txt or md"),
        _f("pages", I32, "PDF page count"),
        _f("sections", I32, "number of sections found"),
        _f("readable", B, "false when the document could not be read (see issues)"),
        _f("municipality_code", S, "全国地方公共団体コード of the municipality (6 digits, rules/municipalities.tsv)"),
        _f("title_source", S, "where the title was read: cover, metadata, cover+metadata, running_header, text"),
        _f("municipality_source", S, "where the municipality was read: cover, issuer, title, metadata, text"),
        _f("period_source", S, "where the plan period was read: period_phrase, duration_phrase, cover, title, text"),
    ]),
    "sections": pa.schema([
        _f("doc_id", S, "document", False),
        _f("section_id", S, "unique within the document: the labels of the path, e.g. 第2章/2/(1)", False),
        _f("parent_id", S, "section_id of the enclosing section"),
        _f("level", I32, "1 = chapter (第N章), deeper = larger"),
        _f("label", S, "the heading's number as written, e.g. 第3章, (2), ①"),
        _f("number", I32, "the label's ordinal: 第3章 -> 3, (2) -> 2, ① -> 1"),
        _f("title", S, "heading text without the label"),
        _f("page", I32, "first page (PDF)"),
        _f("text", S, "the section's own body text, lines joined"),
        _f("style", S, "the heading style from rules/headings.toml"),
        _f("inferred", B, "true for a chapter the source lacks a heading for"),
    ]),
    "initiatives": pa.schema([
        _f("doc_id", S, "document", False),
        _f("initiative_id", S, "unique within the document, e.g. 取組3, 施策2, 目標1/事業3", False),
        _f("kind", S, "the plan's own word: 目標, 指針, 視点, 施策, 個別施策, 取組, 事業 …"),
        _f("number", I32, "the ordinal in the label (取組12 -> 12, ③ -> 3)"),
        _f("title", S, "title without label and priority marks"),
        _f("parent_id", S, "initiative_id of the enclosing item"),
        _f("priority", B, "marked ★ or * as a priority in the source"),
        _f("description", S, "事業概要 / 取り組みの方向性 / 概要 text"),
        _f("effects", S, "ねらい・効果 / 期待される効果 text"),
        _f("departments", pa.list_(S), "担当 departments"),
        _f("status", S, "達成 / 継続 / 再検討 … where a progress table gives one"),
        _f("page", I32, "page (PDF)"),
        _f("source", S, "where it was found: outline, contents, table, progress_table …"),
        _f("evidence", S, "the rule or signal that made it an item: its label, a heading naming its kind, a column header …"),
        _f("title_raw", S, "the source text the row was read from"),
    ]),
    "kpis": pa.schema([
        _f("doc_id", S, "document", False),
        _f("kpi_id", S, "unique within the document", False),
        _f("indicator", S, "the indicator's name, e.g. オンライン化手続数①"),
        _f("initiative_id", S, "the initiative it measures, when the table says"),
        _f("baseline_value", F64, "baseline number (40% -> 40.0)"),
        _f("baseline_unit", S, "unit of the baseline: 手続, %, 件 …"),
        _f("baseline_fy", I32, "fiscal year of the baseline"),
        _f("baseline_raw", S, "the baseline cell as written"),
        _f("target_value", F64, "target number"),
        _f("target_unit", S, "unit of the target"),
        _f("target_fy", I32, "fiscal year of the target"),
        _f("target_raw", S, "the target cell as written"),
        _f("notes", S, "footnotes the row refers to (注1, ※1 …) resolved to their text"),
        _f("page", I32, "page (PDF)"),
        _f("indicator_raw", S, "the indicator cell as written"),
    ]),
    "kpi_values": pa.schema([
        _f("doc_id", S, "document", False),
        _f("kpi_id", S, "the indicator (kpis.kpi_id)", False),
        _f("fiscal_year", I32, "fiscal year (Gregorian year of its April)"),
        _f("kind", S, "baseline, plan, actual or target"),
        _f("value", F64, "null when the cell is —, 調査中 or blank"),
        _f("unit", S, "unit as written"),
        _f("raw", S, "the cell as written"),
        _f("qualifier", S, "what the cell says of the number, kept out of it: 年 (per year), 5年間で, 延べ, 累計, 程度, 以上"),
        _f("page", I32, "page (PDF)"),
    ]),
    "glossary": pa.schema([
        _f("doc_id", S, "document", False),
        _f("term", S, "the defined word or abbreviation"),
        _f("expansion", S, "spelled-out form (English or katakana)"),
        _f("definition", S, "the explanation"),
        _f("source", S, "footnote, inline or note"),
        _f("page", I32, "page (PDF)"),
        _f("raw", S, "the source text the definition was read from"),
    ]),
    "issues": pa.schema([
        _f("doc_id", S, "document (its path for a file that could not be read)", False),
        _f("stage", S, "ingest, normalize, segment, initiatives, kpis, glossary, run"),
        _f("severity", S, "warning or error"),
        _f("message", S, "what was noticed and what to do"),
        _f("page", I32, "page (PDF)"),
        _f("snippet", S, "the source text concerned"),
    ]),
}

# Tables of the cross-document layer (python -m pipeline compare).
DERIVED_SCHEMAS: dict[str, pa.Schema] = {
    "kpi_series": pa.schema([
        _f("municipality", S, "municipality of the document"),
        _f("indicator_key", S, "the indicator harmonized across editions (normalized name, Sudachi normalized forms, rules/synonyms.toml)"),
        _f("indicator", S, "the indicator's name as this document writes it"),
        _f("fiscal_year", I32, "fiscal year"),
        _f("kind", S, "baseline, plan, actual or target"),
        _f("value", F64, "number"),
        _f("unit", S, "unit as written"),
        _f("doc_id", S, "the document that gives this value"),
        _f("kpi_id", S, "kpis.kpi_id in that document"),
        _f("edition_fy", I32, "the document's edition year (plan start, else its latest baseline/actual year)"),
        _f("current", B, "true for the newest document's value where editions disagree or repeat"),
    ]),
    "initiative_topics": pa.schema([
        _f("municipality", S, "municipality of the document"),
        _f("doc_id", S, "document"),
        _f("initiative_id", S, "initiatives.initiative_id"),
        _f("title", S, "initiative title"),
        _f("topic", S, "topic id from rules/topics.toml"),
        _f("topic_label", S, "topic name"),
    ]),
    "ward_topics": pa.schema([
        _f("municipality", S, "municipality"),
        _f("doc_id", S, "plan document"),
        _f("topic", S, "topic id"),
        _f("topic_label", S, "topic name"),
        _f("initiatives", I32, "initiatives of the plan tagged with the topic"),
    ]),
    "untagged_initiatives": pa.schema([
        _f("municipality", S, "municipality"),
        _f("doc_id", S, "document"),
        _f("initiative_id", S, "initiative with no topic: a candidate for a new keyword in rules/topics.toml"),
        _f("kind", S, "initiative kind"),
        _f("title", S, "initiative title"),
    ]),
}
