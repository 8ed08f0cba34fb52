#!/usr/bin/env python3
"""Robustness sweep: render sheets in random styles (extract_testkit/render.py) and compare the
extraction with the spec, like tests/test_robustness.py but for as many styles as you like.

    python bench/sweep.py --seed 1 --count 200 [--keep DIR] [--reader pdfium | --equivalence]

Prints each failing style with its first mismatches and a last line `fails: N of M`.
--equivalence compares the two readers (values, problem codes, boxes within 1.5 pt) instead
of the extraction with the spec.
The style space is extract_testkit/render.py's KNOBS, less the one combination the README lists as a
known limitation (no ruling lines with a title centred over a row split across pages).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from extract_testkit.render import KNOBS, render_sheets  # noqa: E402
from extract_testkit.specs import SPECS, mismatches  # noqa: E402


def _equivalence(path: Path) -> list[str]:
    from extract_testkit.readers import compare_readers
    d = compare_readers(path)
    return d.values + d.problems + ([f"boxes differ by {d.max_box:.2f} pt"] if not d.equal else [])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--keep", type=Path, help="keep the failing PDFs in this folder")
    ap.add_argument("--reader", choices=("pdfplumber", "pdfium"), default=None)
    ap.add_argument("--equivalence", action="store_true", help="compare the readers, not the spec")
    a = ap.parse_args(argv)
    rnd = random.Random(a.seed)
    tmp = Path(tempfile.mkdtemp(prefix="extract-sweep-"))
    fails = tried = 0
    for i in range(a.count):
        style = {k: rnd.choice(v) for k, v in KNOBS.items()}
        style["seed"] = rnd.randint(0, 9)
        ids = rnd.sample(sorted(SPECS), rnd.choice([1, 1, 1, 2]))
        if style["borders"] == "none" and style["split"] == "word_span":
            continue
        tried += 1
        specs = [SPECS[x] for x in ids]
        path = tmp / f"sweep-{a.seed}-{i}.pdf"
        try:
            render_sheets(specs, path, style)
            bad = _equivalence(path) if a.equivalence else mismatches(specs, path, a.reader)
        except Exception as e:  # a crash is a failure too
            bad = [f"exception: {e!r}"]
        if bad:
            fails += 1
            print(f"FAIL {i} {ids} {json.dumps(style, ensure_ascii=False)}")
            for b in bad[:4]:
                print("    " + b[:250])
            if a.keep:
                a.keep.mkdir(parents=True, exist_ok=True)
                path.replace(a.keep / path.name)
    print(f"fails: {fails} of {tried}")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
