#!/usr/bin/env python3
"""Render review sheets (行政事業レビューシート) in random styles, each with its truth file.

    python bench/review_sweep.py --seed 1 --count 50 --out DIR

Writes DIR/review-S-NNN.pdf and DIR/review-S-NNN.truth.json: 1-3 sheets of
extract_testkit/review_specs.json per file, every knob of extract_testkit/review_render.py's
KNOBS drawn at random. Score an extraction of DIR with

    python -m extract run DIR -o OUT
    python ../shared/tools/score_review.py --truth DIR --out OUT

The same seed gives the same files. The last line printed is `wrote N files to DIR`.
"""
from __future__ import annotations

import argparse
import random
from pathlib import Path

from extract_testkit.review_render import random_style
from extract_testkit.review_specs import render_with_truth, review_specs

SHEETS_PER_FILE = [1, 1, 1, 2, 3]


def sweep(seed: int, count: int, out: Path) -> list[Path]:
    rnd = random.Random(seed)
    specs = review_specs()
    ids = sorted(specs)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for i in range(count):
        style = random_style(rnd)
        chosen = rnd.sample(ids, rnd.choice(SHEETS_PER_FILE))
        pdf = out / f"review-{seed}-{i:03d}.pdf"
        render_with_truth([specs[x] for x in chosen], pdf, style)
        written.append(pdf)
    return written


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args(argv)
    files = sweep(a.seed, a.count, a.out)
    print(f"wrote {len(files)} files to {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
