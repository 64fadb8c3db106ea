"""report.html opened in a real browser (headless Chromium): every chart drew, no script error."""
import os
import shutil
import subprocess

import pytest

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--enable-logging=stderr", "--v=0"]


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def test_report_renders_every_chart_without_errors(text_run, tmp_path):
    browser = _chromium()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs Debian's chromium")
        pytest.skip("chromium not installed (apt-get install chromium)")
    out, _ = text_run
    report = out / "report.html"
    text = report.read_text(encoding="utf-8")
    assert "http://" not in text and "https://" not in text  # self-contained: opens offline
    proc = subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
                           report.as_uri()], capture_output=True, text=True, timeout=120)
    dom = proc.stdout
    assert 'data-charts-ok="true"' in dom, dom[:500]
    assert 'data-errors="0"' in dom
    charts = int(dom.split('data-charts="')[1].split('"')[0])
    assert charts >= 20
    console_errors = [l for l in proc.stderr.splitlines() if "CONSOLE" in l and ("Uncaught" in l or "Error" in l)]
    assert not console_errors
