#!/usr/bin/env python3
"""Render review sheets (行政事業レビューシート) in random styles, each with its truth file.

    python bench/review_sweep.py --seed 1 --count 50 --out DIR [--producer reportlab|chromium|calc]

Writes DIR/review-S-NNN.pdf and DIR/review-S-NNN.truth.json: 1-3 sheets of
extract_testkit/review_specs.json per file, every knob of extract_testkit/review_render.py's
KNOBS drawn at random; about one file in twelve is a scanned sheet (expect_problem
no_text_layer) and one in twelve a review document that is not a sheet (unknown_template),
as dev_09 and dev_10 of the dev set (extract_testkit/review_problem_files.py). With
`--producer chromium` the sheets are HTML printed by headless Chromium instead
(extract_testkit/review_html.py, its REVIEW_HTML_KNOBS; `chromium` on PATH), a sheet a print
joined with pypdf where a file has several; with `--producer calc` a LibreOffice Calc
worksheet exported to PDF (extract_testkit/review_office.py, its REVIEW_CALC_KNOBS; `soffice`
on PATH and the fonts IPAex/Noto CJK installed), as the dev set and real sheets are made. The
problem files stay reportlab's. Score an
extraction of DIR with

    python -m extract run DIR -o OUT
    python ../shared/tools/score_review.py --truth DIR --out OUT

The same seed gives the same files. The last line printed is `wrote N files to DIR`.
"""
from __future__ import annotations

import argparse
import random
from pathlib import Path

from extract_testkit.review_html import random_html_style
from extract_testkit.review_office import random_calc_style
from extract_testkit.review_problem_files import render_not_a_sheet, render_scanned
from extract_testkit.review_render import random_style
from extract_testkit.review_specs import (render_calc_with_truth, render_chromium_with_truth, render_with_truth,
                                          review_specs, write_truth_document)

SHEETS_PER_FILE = [1, 1, 1, 2, 3]
PROBLEM_SHARE = 1 / 12          # of the files: scanned, and again: not a sheet


def sweep(seed: int, count: int, out: Path, producer: str = "reportlab") -> list[Path]:
    rnd = random.Random(seed)
    specs = review_specs()
    ids = sorted(specs)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for i in range(count):
        style = random_style(rnd)
        chosen = [specs[x] for x in rnd.sample(ids, rnd.choice(SHEETS_PER_FILE))]
        pdf = out / f"review-{seed}-{i:03d}.pdf"
        kind = rnd.random()
        if kind < PROBLEM_SHARE:
            write_truth_document(pdf, render_scanned(chosen[:1], pdf, style))
        elif kind < 2 * PROBLEM_SHARE:
            year = chosen[0]["review_year"]
            write_truth_document(pdf, render_not_a_sheet(pdf, year, rnd.randint(0, 999), style.font))
        elif producer == "chromium":
            render_chromium_with_truth(chosen, pdf, random_html_style(rnd))
        elif producer == "calc":
            render_calc_with_truth(chosen, pdf, random_calc_style(rnd))
        else:
            render_with_truth(chosen, pdf, style)
        written.append(pdf)
    return written


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--producer", choices=("reportlab", "chromium", "calc"), default="reportlab")
    a = ap.parse_args(argv)
    files = sweep(a.seed, a.count, a.out, a.producer)
    print(f"wrote {len(files)} files to {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
