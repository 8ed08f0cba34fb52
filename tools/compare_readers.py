#!/usr/bin/env python3
"""Compare the two PDF readers (pdfplumber, the reference, and pdfium) on PDFs and folders.

    .venv/bin/python tools/compare_readers.py samples ../shared/corpus

Prints each file that differs (values, problem codes, provenance boxes beyond 1.5 pt) and a
last line: files, values compared, provenance boxes compared, the largest box difference
(points) and the number of differences. Exit status 1 when any file differs.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))     # works without an editable install too


def main(argv=None) -> int:
    from extract import load_rules
    from extract.api import iter_pdfs
    from extract_testkit.readers import compare_readers
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+", type=Path)
    a = ap.parse_args(argv)
    templates = load_rules()
    files = values = boxes = ndiff = 0
    worst = 0.0
    for path, _ in iter_pdfs(a.paths):
        d = compare_readers(path, templates)
        files += 1
        values += d.n_values
        boxes += d.n_boxes
        worst = max(worst, d.max_box)
        ndiff += len(d.values) + len(d.problems) + (0 if d.equal else 1)
        if d.values or d.problems or not d.equal:
            print(f"{path}: max box {d.max_box:.3f} pt; " + "; ".join((d.values + d.problems)[:5]))
    print(f"files {files}, values {values}, boxes {boxes}, largest box difference {worst:.4f} pt, "
          f"differences {ndiff}")
    return 1 if ndiff else 0


if __name__ == "__main__":
    sys.exit(main())
