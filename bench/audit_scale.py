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
sys.path.append(str(ROOT / "src"))      # after PYTHONPATH: another version can be measured

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
    t0, c0 = time.perf_counter(), time.process_time()
    extract_pdf(pdf, rules)
    t1, c1 = time.perf_counter(), time.process_time()
    html, rows = audit(pdf, rules)
    t2, c2 = time.perf_counter(), time.process_time()
    page = work / "audit.html"
    page.write_text(html, encoding="utf-8")
    print(f"audit: extraction {t1 - t0:.1f} s ({c1 - c0:.1f} s CPU); audit() in all "
          f"{t2 - t1:.1f} s ({c2 - c1:.1f} s CPU), so images and HTML {c2 - c1 - (c1 - c0):.1f} s "
          f"CPU; {len(rows['sheets'])} sheets, {page.stat().st_size / 1e6:.2f} MB")
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
    t4, c4 = time.perf_counter(), time.process_time()
    report = work / "report.html"
    write_report(out, report)
    t5, c5 = time.perf_counter(), time.process_time()
    print(f"run {t4 - t3:.1f} s; report {t5 - t4:.2f} s ({c5 - c4:.2f} s CPU), "
          f"{report.stat().st_size / 1e6:.2f} MB")
    if not a.no_browser:
        ms = browser_ms(report, work)
        print("report in Chromium: " + (f"load event {ms[0]} ms, first frame {ms[1]} ms"
                                         if ms else "not measured"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
