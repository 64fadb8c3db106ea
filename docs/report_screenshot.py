"""Draw docs/report-kpi-two-editions.png: one KPI chart of report.html, rendered offline by vl-convert.

    python -m pipeline extract --raw raw --out extracted
    python docs/report_screenshot.py extracted 墨田区 オープンデータ公開件数
"""
import json
import re
import sys
from pathlib import Path

import vl_convert as vlc

from pipeline.crossdoc import charts

out, muni, indicator = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
text = (out / "report.html").read_text(encoding="utf-8")
data = json.loads(re.search(r'<script id="report-data" type="application/json">(.*?)</script>', text, re.S).group(1))
sections = text.split('<section class="muni" data-muni="')
index = next(int(m) for s in sections[1:] if s.startswith(muni + '"')
             for m, name in re.findall(r'data-chart="(\d+)" role="img" aria-label="([^"]*)"', s) if name == indicator)
chart = data["charts"][index]
rows = [dict(zip(data["fields"], r)) for r in chart["rows"]]
spec = charts.chart_spec(rows, chart["y"], chart["years"])
spec["title"] = {"text": f"{muni} {chart['title']}", "anchor": "start", "fontSize": 13}
png = vlc.vegalite_to_png(spec, scale=1.0)
Path(__file__).with_name("report-kpi-two-editions.png").write_bytes(png)
print(len(png), "bytes")
