#!/usr/bin/env python3
"""Benchmark: the audit page (and the batch report) of a whole round in one PDF.

    python bench/audit_scale.py [--sheets 98] [--samples samples] [--work DIR] [--no-browser]

Joins the sample sheet PDFs into one file of at least N sheets (pypdf, as a ministry
publishes a round), then measures:
  - extraction alone (extract_pdf), and `extract.audit.audit` in all (extraction, page
    images, HTML): seconds, and the HTML size;
  - the page in headless Chromium (when installed): milliseconds from navigation start to
    the load event and to the first frame after it, measured by the browser itself;
  - `extract run` of the file and `extract report` of its output: seconds and HTML size,
    and the report's load time in the browser.
Not a test: timings depend on the machine. To measure another version of the code, run this
script with PYTHONPATH pointing at that version's src/.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

def browser_ms(html: Path, work: Path) -> tuple[int, int] | None:
    from extract_testkit.browser import chromium_path, load_times_ms
    return load_times_ms(html, work) if chromium_path() else None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sheets", type=int, default=98)
    ap.add_argument("--samples", type=Path, default=ROOT / "samples")
    ap.add_argument("--work", type=Path, help="folder for the files made (default: a temp folder)")
    ap.add_argument("--no-browser", action="store_true")
    a = ap.parse_args(argv)
    from extract import extract_pdf, load_rules
    from extract.audit import audit
    from extract_testkit.combine import join_pdfs, sheet_samples

    work = a.work or Path(tempfile.mkdtemp(prefix="audit-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    pdf = work / "round.pdf"
    sheets, pages = join_pdfs(sheet_samples(a.samples), pdf, a.sheets)
    print(f"{pdf}: {sheets} sheets, {pages} pages, {pdf.stat().st_size / 1e6:.1f} MB")
    rules = load_rules()
    t0 = time.perf_counter()
    extract_pdf(pdf, rules)
    t1 = time.perf_counter()
    html, rows = audit(pdf, rules)
    t2 = time.perf_counter()
    page = work / "audit.html"
    page.write_text(html, encoding="utf-8")
    print(f"audit: extraction {t1 - t0:.1f} s; audit() in all {t2 - t1:.1f} s "
          f"(images and HTML {t2 - t1 - (t1 - t0):.1f} s); {len(rows['sheets'])} sheets, "
          f"{page.stat().st_size / 1e6:.2f} MB")
    if not a.no_browser:
        ms = browser_ms(page, work)
        print("audit page in Chromium: " + (f"load event {ms[0]} ms, first frame {ms[1]} ms"
                                             if ms else "not measured (no chromium)"))
    try:
        from extract.report import write_report
    except ImportError:     # a version without the report
        return 0
    from extract import batch
    out = work / "out"
    t3 = time.perf_counter()
    batch.run([pdf], out, jobs=1)
    t4 = time.perf_counter()
    report = work / "report.html"
    write_report(out, report)
    t5 = time.perf_counter()
    print(f"run {t4 - t3:.1f} s; report {t5 - t4:.2f} s, {report.stat().st_size / 1e6:.2f} MB")
    if not a.no_browser:
        ms = browser_ms(report, work)
        print("report in Chromium: " + (f"load event {ms[0]} ms, first frame {ms[1]} ms"
                                         if ms else "not measured"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
