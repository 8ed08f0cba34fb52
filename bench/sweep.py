#!/usr/bin/env python3
"""Robustness sweep: render sheets in random styles with one producer and compare each
extraction with its spec, like tests/test_robustness.py and tests/test_producers.py but for
as many styles as you like.

    python bench/sweep.py --producer reportlab|chromium|libreoffice --seed 1 --count 200 [--keep DIR]
        [--reader pdfium|pdfplumber | --equivalence] [--set KNOB=VALUE ...] [--sheets N]

Producers and their knobs: src/extract_testkit/producers.py (reportlab: render.py's KNOBS;
chromium: render_html.py; libreoffice: render_office.py; a producer may leave out combinations
the README lists as known limitations, which --all-styles puts back). Prints each failing
style with its first mismatches, then the figures per knob value (styles tried, sheets, field accuracy against the renderer's truth, failing styles)
and a last line `PRODUCER: fails N of M styles, field accuracy X (right/total)`.
--equivalence compares the two readers (values, problem codes, boxes within 1.5 pt) instead
of the extraction with the spec.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from extract_testkit.producers import PRODUCERS
from extract_testkit.specs import SPECS, Comparison, compare


class Tally:
    def __init__(self):
        self.styles = self.sheets = self.right = self.total = self.fails = 0

    def add(self, c: Comparison) -> None:
        self.styles += 1
        self.sheets += c.sheets
        self.right += c.right
        self.total += c.total
        self.fails += bool(c.lines)

    def row(self) -> str:
        acc = self.right / self.total if self.total else 0.0
        return (f"{self.styles:>6} {self.sheets:>6} {acc:>8.4f} ({self.right}/{self.total})"
                f"  fails {self.fails}")


def _equivalence(path: Path, n_sheets: int) -> Comparison:
    """The two readers compared on one file, as a Comparison (right: 1 of 1 when equal)."""
    from extract_testkit.readers import compare_readers
    d = compare_readers(path)
    lines = d.values + d.problems + ([f"boxes differ by {d.max_box:.2f} pt"] if not d.equal else [])
    return Comparison(int(not lines), 1, n_sheets, lines)


def _knob(text: str) -> tuple[str, object]:
    """KNOB=JSON (--set) as (knob, value)."""
    knob, sep, value = text.partition("=")
    if not sep:
        raise SystemExit(f"--set wants KNOB=VALUE, not {text!r}")
    try:
        return knob, json.loads(value)
    except json.JSONDecodeError:
        return knob, value          # a bare string: --set page=A4L


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--producer", choices=sorted(PRODUCERS), default="reportlab")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--keep", type=Path, help="keep the failing PDFs in this folder")
    ap.add_argument("--reader", choices=("pdfplumber", "pdfium"), default=None)
    ap.add_argument("--all-styles", action="store_true",
                    help="also the styles the producer leaves out (known limitations)")
    ap.add_argument("--equivalence", action="store_true", help="compare the readers, not the spec")
    ap.add_argument("--set", action="append", default=[], metavar="KNOB=JSON",
                    help="fix a knob for every style, e.g. --set continuous=true (a focused sweep)")
    ap.add_argument("--sheets", type=int, choices=(1, 2, 3), default=None,
                    help="sheets per PDF (default: 1, sometimes 2)")
    a = ap.parse_args(argv)
    prod = PRODUCERS[a.producer]
    fixed = dict(map(_knob, a.set))
    unknown = sorted(set(fixed) - set(prod.knobs))
    if unknown:
        raise SystemExit(f"no knob {', '.join(unknown)} for {a.producer}; its knobs: {', '.join(prod.knobs)}")
    if not prod.available():
        print(f"{a.producer} or a font with Japanese glyphs (fc-list :lang=ja) is not installed",
              file=sys.stderr)
        return 2
    rnd = random.Random(a.seed)
    tmp = Path(tempfile.mkdtemp(prefix="extract-sweep-"))
    overall = Tally()
    by_knob: dict[tuple[str, str], Tally] = defaultdict(Tally)
    for i in range(a.count):
        style = {k: rnd.choice(v) for k, v in prod.knobs.items()}
        style["seed"] = rnd.randint(0, 9)
        ids = rnd.sample(sorted(SPECS), a.sheets or rnd.choice([1, 1, 1, 2]))
        style.update(fixed)
        if prod.excluded(style) and not a.all_styles:
            continue
        specs = [SPECS[x] for x in ids]
        path = tmp / f"sweep-{a.producer}-{a.seed}-{i}.pdf"
        try:
            prod.render(specs, path, style)
            c = _equivalence(path, len(specs)) if a.equivalence else compare(specs, path, a.reader)
        except Exception as e:  # a crash is a failure too
            c = Comparison(0, sum(9 + 4 * len(s["criteria"]) for s in specs), len(specs), [f"exception: {e!r}"])
        overall.add(c)
        for k in prod.knobs:
            by_knob[(k, json.dumps(style[k]))].add(c)
        if c.lines:
            print(f"FAIL {i} {ids} {json.dumps(style, ensure_ascii=False)}", flush=True)
            for b in c.lines[:4]:
                print("    " + b[:250])
            if a.keep:
                a.keep.mkdir(parents=True, exist_ok=True)
                path.replace(a.keep / path.name)
    print(f"\n{'knob':<18} {'value':<14} {'styles':>6} {'sheets':>6} {'accuracy':>8}")
    for (k, v), t in sorted(by_knob.items()):
        print(f"{k:<18} {v:<14} {t.row()}")
    acc = overall.right / overall.total if overall.total else 0.0
    print(f"{a.producer}: fails {overall.fails} of {overall.styles} styles ({overall.sheets} sheets), "
          f"field accuracy {acc:.4f} ({overall.right}/{overall.total})")
    return 1 if overall.fails else 0


if __name__ == "__main__":
    sys.exit(main())
