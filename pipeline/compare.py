"""The cross-document layer: KPI series across editions, ward × topic, a DuckDB database.

Reads the Parquet tables of an output folder and adds kpi_series, initiative_topics,
ward_topics and untagged_initiatives (Parquet too), then writes plans.duckdb with every
table as a commented view over its Parquet file and report.html.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa

from .emit import write_atomic
from .kpi_cells import strip_notes
from .model import TABLE_NAMES
from .rules import Rules, load_rules
from .schema import DERIVED_SCHEMAS, SCHEMAS
from .tokens import tokenize

DEFAULT_DB_NAME = "plans.duckdb"


@dataclass
class Comparison:
    documents: pd.DataFrame
    kpi_series: pd.DataFrame
    initiative_topics: pd.DataFrame
    ward_topics: pd.DataFrame
    untagged: pd.DataFrame
    issues: pd.DataFrame
    topic_labels: dict[str, str]
    initiatives_total: int


def _norm_forms(text: str) -> str:
    """|-joined Sudachi normalized forms of the shortest words (mode A): matching on words,
    not raw substrings, and inside compounds (情報セキュリティ対策 holds セキュリティ)."""
    return "|" + "|".join(t.normalized for t in tokenize(text, "A") if t.pos[0] != "空白") + "|"


def indicator_key(name: str, synonyms: dict[str, str], rules: Rules) -> str:
    """Harmonized key: notes stripped (注1, ※), synonyms applied, Sudachi normalized forms joined."""
    base, _ = strip_notes(name or "", rules)
    base = re.sub(r"\s+", "", base)
    base = synonyms.get(base, base)
    return "".join(t.normalized for t in tokenize(base)) or base


def _synonyms(rules: Rules) -> dict[str, str]:
    out = {}
    for group in rules.get("synonyms").get("groups", []):
        for name in group:
            out[re.sub(r"\s+", "", name)] = group[0]
    return out


def _topics(rules: Rules) -> list[tuple[str, str, list[str]]]:
    return [(t["id"], t["label"], [_norm_forms(k) for k in t.get("keywords", [])]) for t in rules.get("topics").get("topic", [])]


def topics_of(text: str, topics: list[tuple[str, str, list[str]]]) -> list[str]:
    forms = _norm_forms(text)
    # a keyword of several words must appear as the same run of words
    return [tid for tid, _, kws in topics if any(k.strip("|") and k[:-1] in forms for k in kws)]


def _read(out: Path, name: str) -> pd.DataFrame:
    p = out / f"{name}.parquet"
    return pd.read_parquet(p) if p.exists() else pd.DataFrame({f.name: [] for f in SCHEMAS[name]})


def _edition_years(docs: pd.DataFrame, values: pd.DataFrame) -> dict[str, int]:
    out: dict[str, int] = {}
    for _, d in docs.iterrows():
        fy = d.get("period_start_fy")
        if pd.isna(fy):
            v = values[(values["doc_id"] == d["doc_id"]) & values["kind"].isin(["baseline", "actual"]) & values["value"].notna()]
            fy = v["fiscal_year"].max() if len(v) else None
        out[d["doc_id"]] = int(fy) if fy is not None and not pd.isna(fy) else 0
    return out


def build(out: Path, rules: Rules | None = None) -> Comparison:
    rules = rules or load_rules()
    docs, kpis, values = _read(out, "documents"), _read(out, "kpis"), _read(out, "kpi_values")
    inits, issues = _read(out, "initiatives"), _read(out, "issues")
    muni = dict(zip(docs["doc_id"], docs["municipality"].fillna("")))
    synonyms = _synonyms(rules)
    edition = _edition_years(docs, values)
    k = kpis[["doc_id", "kpi_id", "indicator"]].copy()
    k["indicator_key"] = [indicator_key(n, synonyms, rules) for n in k["indicator"]]
    series = values.merge(k, on=["doc_id", "kpi_id"], how="inner")
    series = series[series["value"].notna()].copy()
    series["municipality"] = series["doc_id"].map(muni)
    series["edition_fy"] = series["doc_id"].map(edition).astype("int32")
    newest = series.groupby(["municipality", "indicator_key", "fiscal_year", "kind"], dropna=False)["edition_fy"].transform("max")
    series["current"] = series["edition_fy"] == newest
    series = series.sort_values(["municipality", "indicator_key", "fiscal_year", "kind", "edition_fy", "doc_id"],
                                kind="stable").reset_index(drop=True)
    topics = _topics(rules)
    labels = {tid: label for tid, label, _ in topics}
    tagged, untagged = [], []
    for _, r in inits.iterrows():
        text = " ".join(x for x in (r["title"], r.get("description")) if isinstance(x, str))
        found = topics_of(text, topics)
        base = {"municipality": muni.get(r["doc_id"], ""), "doc_id": r["doc_id"], "initiative_id": r["initiative_id"]}
        for tid in found:
            tagged.append({**base, "title": r["title"], "topic": tid, "topic_label": labels[tid]})
        if not found:
            untagged.append({**base, "kind": r["kind"], "title": r["title"]})
    it = pd.DataFrame(tagged, columns=[f.name for f in DERIVED_SCHEMAS["initiative_topics"]])
    ward = (it.groupby(["municipality", "doc_id", "topic", "topic_label"]).size().reset_index(name="initiatives")
            if len(it) else pd.DataFrame(columns=[f.name for f in DERIVED_SCHEMAS["ward_topics"]]))
    un = pd.DataFrame(untagged, columns=[f.name for f in DERIVED_SCHEMAS["untagged_initiatives"]])
    return Comparison(docs, series, it, ward, un, issues, labels, len(inits))


def _to_table(name: str, df: pd.DataFrame) -> pa.Table:
    schema = DERIVED_SCHEMAS[name]
    cols = {f.name: (df[f.name].tolist() if f.name in df.columns else [None] * len(df)) for f in schema}
    for f in schema:
        cols[f.name] = [None if (isinstance(v, float) and pd.isna(v)) else v for v in cols[f.name]]
        if pa.types.is_integer(f.type):
            cols[f.name] = [None if v is None else int(v) for v in cols[f.name]]
    return pa.Table.from_pydict(cols, schema=schema)


def write(out: Path, c: Comparison) -> None:
    for name, df in (("kpi_series", c.kpi_series), ("initiative_topics", c.initiative_topics),
                     ("ward_topics", c.ward_topics), ("untagged_initiatives", c.untagged)):
        write_atomic(_to_table(name, df), out / f"{name}.parquet")
    write_database(out)
    from .report import write_report

    write_report(out, c)


VIEW_COMMENTS = {
    "documents": "one row per source document", "sections": "the chapter/section tree",
    "initiatives": "the plans' goals, measures and actions", "kpis": "one row per indicator",
    "kpi_values": "every number of every indicator, long format", "glossary": "terms the plans define",
    "issues": "what the pipeline noticed and could not resolve",
    "kpi_series": "KPI values across editions: municipality × indicator_key × fiscal year × kind",
    "initiative_topics": "initiatives tagged with topics of rules/topics.toml",
    "ward_topics": "initiatives per municipality, plan and topic",
    "untagged_initiatives": "initiatives no topic matched (grow rules/topics.toml)",
}


def _sql_str(text: str) -> str:
    """A SQL string literal (COMMENT ON takes no parameters)."""
    return "'" + text.replace("'", "''") + "'"


def write_database(out: Path) -> Path:
    """plans.duckdb: every table a commented view over its Parquet file (written atomically)."""
    import os
    import tempfile

    import duckdb

    fd, tmp = tempfile.mkstemp(prefix=".plans.", suffix=".duckdb.tmp", dir=out)
    os.close(fd)
    os.unlink(tmp)
    try:
        con = duckdb.connect(tmp)
        for name, schema in list(SCHEMAS.items()) + list(DERIVED_SCHEMAS.items()):
            path = (out / f"{name}.parquet").resolve()
            if not path.exists():
                continue
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{path.as_posix()}')")
            con.execute(f"COMMENT ON VIEW {name} IS {_sql_str(VIEW_COMMENTS.get(name, name))}")
            for f in schema:
                desc = (f.metadata or {}).get(b"description", b"").decode()
                con.execute(f"COMMENT ON COLUMN {name}.{f.name} IS {_sql_str(desc)}")
        con.close()
        os.replace(tmp, out / DEFAULT_DB_NAME)
    finally:
        Path(tmp).unlink(missing_ok=True)
        Path(tmp + ".wal").unlink(missing_ok=True)
    return out / DEFAULT_DB_NAME


def screen(c: Comparison, width: int = 8) -> str:
    """One screen: the ward × topic matrix and the KPIs shared by 2+ municipalities or editions."""
    lines = []
    if not c.ward_topics.empty:
        pivot = c.ward_topics.pivot_table(index="topic_label", columns="municipality", values="initiatives",
                                          aggfunc="sum").fillna(0).astype(int)
        lines.append(f"Ward × topic: initiatives per topic ({c.initiatives_total} initiatives, "
                     f"{len(c.untagged)} untagged — see untagged_initiatives)")
        lines.append(_pad("", 26) + "".join(_pad(str(m), width, right=True) for m in pivot.columns))
        for topic, row in pivot.iterrows():
            lines.append(_pad(str(topic), 26) + "".join(_pad(str(v), width, right=True) for v in row))
    s = c.kpi_series
    shared = s.groupby("indicator_key")["doc_id"].nunique()
    keys = sorted(k for k, n in shared.items() if n >= 2)
    if keys:
        lines.append("")
        lines.append("KPIs in 2+ documents (editions or municipalities): latest actual vs target (current values)")
        for key in keys:
            rows = s[(s["indicator_key"] == key) & s["current"]]
            for muni, g in rows.groupby("municipality"):
                docs = s[(s["indicator_key"] == key) & (s["municipality"] == muni)]["doc_id"].nunique()
                name = g.sort_values("edition_fy")["indicator"].iloc[-1]
                act = g[g["kind"] == "actual"].sort_values("fiscal_year")
                tgt = g[g["kind"] == "target"].sort_values("fiscal_year")
                a = f"{act['value'].iloc[-1]:g} (FY{int(act['fiscal_year'].iloc[-1])})" if len(act) else "—"
                t = f"{tgt['value'].iloc[-1]:g} (FY{int(tgt['fiscal_year'].iloc[-1])})" if len(tgt) else "—"
                lines.append(f"  {muni} {name}: actual {a}, target {t}  [{docs} document(s)]")
    return "\n".join(lines)


def _pad(text: str, width: int, right: bool = False) -> str:
    """Pad to `width` terminal columns (full-width characters take two)."""
    from .textutil import display_width

    gap = " " * max(0, width - display_width(text))
    return gap + text if right else text + gap


def run(out: Path) -> Comparison:
    c = build(out)
    write(out, c)
    return c
