"""The cross-document layer: KPI series across editions, ward × topic, a DuckDB database.

Reads the Parquet tables of an output folder and adds kpi_series, initiative_topics,
ward_topics and untagged_initiatives (Parquet too), then writes plans.duckdb with every
table as a commented view over its Parquet file and report.html.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ..emit.parquet import arrow_table, write_atomic
from ..extractors.kpis.cells import strip_notes
from ..rules import Rules, load_rules
from ..emit.schema import DERIVED_SCHEMAS, SCHEMAS
from ..ja.tokens import tokenize

DEFAULT_DB_NAME = "plans.duckdb"


Row = dict[str, Any]


@dataclass
class Comparison:
    documents: list[Row]
    kpi_series: list[Row]
    initiative_topics: list[Row]
    ward_topics: list[Row]
    untagged: list[Row]
    issues: list[Row]
    topic_labels: dict[str, str]
    initiatives_total: int
    # (municipality, indicator_key) -> topic ids: from the indicator's name and the initiative it measures
    kpi_topics: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def topic_matrix(self) -> tuple[list[str], list[str], dict[tuple[str, str], int]]:
        """(topic labels in taxonomy order, municipalities, count per (topic label, municipality))."""
        counts: dict[tuple[str, str], int] = defaultdict(int)
        for r in self.ward_topics:
            counts[(r["topic_label"], r["municipality"])] += r["initiatives"]
        munis = sorted({m for _, m in counts})
        topics = [label for label in self.topic_labels.values() if any((label, m) in counts for m in munis)]
        return topics, munis, counts


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


def synonyms_of(rules: Rules) -> dict[str, str]:
    """Indicator name -> the first name of its synonym group (rules/synonyms.toml)."""
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


def _initiative_text(r: Row) -> str:
    """What an initiative's topics are read from: its title and description."""
    return " ".join(x for x in (r["title"], r.get("description")) if isinstance(x, str))


def _read(out: Path, name: str) -> list[Row]:
    """A table's rows: one Parquet file, or a dataset folder partitioned by prefecture (a cluster run)."""
    p = out / f"{name}.parquet"
    if p.is_dir():
        import pyarrow.dataset as ds

        return ds.dataset(p, format="parquet", partitioning="hive").to_table().to_pylist()
    return pq.ParquetFile(p).read().to_pylist() if p.exists() else []  # read_table would import pandas


def _edition_years(docs: list[Row], values: list[Row]) -> dict[str, int]:
    """A document's edition: its plan's first year, else the latest year it reports a baseline or actual for."""
    latest: dict[str, int] = {}
    for v in values:
        if v["kind"] in ("baseline", "actual") and v["value"] is not None and v["fiscal_year"] is not None:
            latest[v["doc_id"]] = max(latest.get(v["doc_id"], 0), v["fiscal_year"])
    return {d["doc_id"]: d["period_start_fy"] or latest.get(d["doc_id"], 0) for d in docs}


def kpi_series(docs: list[Row], kpis: list[Row], values: list[Row], rules: Rules) -> list[Row]:
    muni = {d["doc_id"]: d["municipality"] or "" for d in docs}
    synonyms = synonyms_of(rules)
    edition = _edition_years(docs, values)
    keyed = {(k["doc_id"], k["kpi_id"]): (k["indicator"], indicator_key(k["indicator"], synonyms, rules)) for k in kpis}
    rows = []
    for v in values:
        if v["value"] is None or (v["doc_id"], v["kpi_id"]) not in keyed:
            continue
        indicator, key = keyed[(v["doc_id"], v["kpi_id"])]
        rows.append({"municipality": muni.get(v["doc_id"], ""), "indicator_key": key, "indicator": indicator,
                     "fiscal_year": v["fiscal_year"], "kind": v["kind"], "value": v["value"], "unit": v["unit"],
                     "doc_id": v["doc_id"], "kpi_id": v["kpi_id"], "edition_fy": edition.get(v["doc_id"], 0),
                     # for the report only (not in the kpi_series table): the cell as written, its page
                     "raw": v.get("raw"), "page": v.get("page")})
    newest: dict[tuple, int] = {}
    for r in rows:
        g = (r["municipality"], r["indicator_key"], r["fiscal_year"], r["kind"])
        newest[g] = max(newest.get(g, 0), r["edition_fy"])
    for r in rows:
        r["current"] = r["edition_fy"] == newest[(r["municipality"], r["indicator_key"], r["fiscal_year"], r["kind"])]
    rows.sort(key=lambda r: (r["municipality"], r["indicator_key"], r["fiscal_year"] or 0, r["kind"], r["edition_fy"],
                             r["doc_id"]))
    return rows


def build(out: Path, rules: Rules | None = None) -> Comparison:
    rules = rules or load_rules()
    docs, kpis, values = _read(out, "documents"), _read(out, "kpis"), _read(out, "kpi_values")
    inits, issues = _read(out, "initiatives"), _read(out, "issues")
    muni = {d["doc_id"]: d["municipality"] or "" for d in docs}
    series = kpi_series(docs, kpis, values, rules)
    topics = _topics(rules)
    labels = {tid: label for tid, label, _ in topics}
    tagged: list[Row] = []
    untagged: list[Row] = []
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    for r in inits:
        found = topics_of(_initiative_text(r), topics)
        base = {"municipality": muni.get(r["doc_id"], ""), "doc_id": r["doc_id"], "initiative_id": r["initiative_id"]}
        for tid in found:
            tagged.append({**base, "title": r["title"], "topic": tid, "topic_label": labels[tid]})
            counts[(base["municipality"], r["doc_id"], tid)] += 1
        if not found:
            untagged.append({**base, "kind": r["kind"], "title": r["title"]})
    order = list(labels)
    ward = [{"municipality": m, "doc_id": d, "topic": t, "topic_label": labels[t], "initiatives": n}
            for (m, d, t), n in sorted(counts.items(), key=lambda kv: (kv[0][0], kv[0][1], order.index(kv[0][2])))]
    linked: dict[tuple, list[str]] = {(r["doc_id"], r["initiative_id"]): [] for r in tagged}
    for r in tagged:
        linked[(r["doc_id"], r["initiative_id"])].append(r["topic"])
    kpi_init = {(k["doc_id"], k["kpi_id"]): k.get("initiative_id") for k in kpis}
    kpi_topics: dict[tuple[str, str], set[str]] = defaultdict(set)
    named: dict[str, list[str]] = {}
    for r in series:
        g = (r["municipality"], r["indicator_key"])
        if r["indicator"] not in named:
            named[r["indicator"]] = topics_of(r["indicator"], topics)
        kpi_topics[g].update(named[r["indicator"]])
        kpi_topics[g].update(linked.get((r["doc_id"], kpi_init.get((r["doc_id"], r["kpi_id"]))), []))
    return Comparison(docs, series, tagged, ward, untagged, issues, labels, len(inits),
                      {g: [t for t in order if t in ts] for g, ts in kpi_topics.items()})


def _to_table(name: str, rows: list[Row]) -> pa.Table:
    schema = DERIVED_SCHEMAS[name]
    return arrow_table({f.name: [r.get(f.name) for r in rows] for f in schema}, schema)


def write(out: Path, c: Comparison) -> None:
    for name, rows in (("kpi_series", c.kpi_series), ("initiative_topics", c.initiative_topics),
                       ("ward_topics", c.ward_topics), ("untagged_initiatives", c.untagged)):
        write_atomic(_to_table(name, rows), out / f"{name}.parquet")
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
        statements = []
        for name, schema in list(SCHEMAS.items()) + list(DERIVED_SCHEMAS.items()):
            path = (out / f"{name}.parquet").resolve()
            if not path.exists():
                continue
            source = (f"read_parquet({_sql_str(path.as_posix() + '/**/*.parquet')}, hive_partitioning = true)"
                      if path.is_dir() else f"read_parquet({_sql_str(path.as_posix())})")
            statements.append(f"CREATE VIEW {name} AS SELECT * FROM {source}")
            statements.append(f"COMMENT ON VIEW {name} IS {_sql_str(VIEW_COMMENTS.get(name, name))}")
            for f in schema:
                desc = (f.metadata or {}).get(b"description", b"").decode()
                statements.append(f"COMMENT ON COLUMN {name}.{f.name} IS {_sql_str(desc)}")
        con = duckdb.connect(tmp)
        # one transaction, one call: ~150 statements, each its own commit and call took 0.2 s
        con.execute("BEGIN TRANSACTION;\n" + ";\n".join(statements) + ";\nCOMMIT;")
        con.close()
        os.replace(tmp, out / DEFAULT_DB_NAME)
    finally:
        Path(tmp).unlink(missing_ok=True)
        Path(tmp + ".wal").unlink(missing_ok=True)
    return out / DEFAULT_DB_NAME


def screen(c: Comparison, width: int = 8) -> str:
    """One screen: the ward × topic matrix and the KPIs shared by 2+ municipalities or editions."""
    lines = []
    topics, munis, counts = c.topic_matrix()
    if topics:
        lines.append(f"Ward × topic: initiatives per topic ({c.initiatives_total} initiatives, "
                     f"{len(c.untagged)} untagged — see untagged_initiatives)")
        lines.append(_pad("", 26) + "".join(_pad(m, width, right=True) for m in munis))
        for topic in topics:
            lines.append(_pad(topic, 26) + "".join(_pad(str(counts.get((topic, m), 0)), width, right=True) for m in munis))
    docs_per_key: dict[str, set[str]] = defaultdict(set)
    for r in c.kpi_series:
        docs_per_key[r["indicator_key"]].add(r["doc_id"])
    keys = sorted(k for k, d in docs_per_key.items() if len(d) >= 2)
    if keys:
        lines.append("")
        lines.append("KPIs in 2+ documents (editions or municipalities): latest actual vs target (current values)")
    for key in keys:
        by_muni: dict[str, list[Row]] = defaultdict(list)
        for r in c.kpi_series:
            if r["indicator_key"] == key:
                by_muni[r["municipality"]].append(r)
        for muni in sorted(by_muni):
            rows = by_muni[muni]
            current = [r for r in rows if r["current"]]
            name = max(rows, key=lambda r: r["edition_fy"])["indicator"]
            lines.append(f"  {muni} {name}: actual {_latest(current, 'actual')}, target {_latest(current, 'target')}"
                         f"  [{len({r['doc_id'] for r in rows})} document(s)]")
    return "\n".join(lines)


def _latest(rows: list[Row], kind: str) -> str:
    found = sorted((r for r in rows if r["kind"] == kind and r["fiscal_year"] is not None), key=lambda r: r["fiscal_year"])
    return f"{found[-1]['value']:g} (FY{found[-1]['fiscal_year']})" if found else "—"


def _pad(text: str, width: int, right: bool = False) -> str:
    """Pad to `width` terminal columns (full-width characters take two)."""
    from ..ja.textutil import display_width

    gap = " " * max(0, width - display_width(text))
    return gap + text if right else text + gap


def run(out: Path) -> Comparison:
    c = build(out)
    write(out, c)
    return c


def warm_rows(tables: Any, rules: Rules, synonyms: dict[str, str]) -> None:
    """Tokenize a finished document's initiative and KPI texts as `build` will (Sudachi's results
    are memoized per text): an extract's parent process does it while its workers read on."""
    for r in tables.initiatives:
        _norm_forms(_initiative_text(r))
    for k in tables.kpis:
        if k.get("indicator"):
            indicator_key(k["indicator"], synonyms, rules)
            _norm_forms(k["indicator"])


def prepare() -> None:
    """Load what `run` needs whatever the tables hold (DuckDB, Sudachi's dictionary, the report's
    chart template and script): an extract's parent process does it while its workers read."""
    import duckdb  # noqa: F401

    from . import charts
    from .report import write_report  # noqa: F401

    tokenize("計画")
    charts.template()
    charts.vega_bundle()
