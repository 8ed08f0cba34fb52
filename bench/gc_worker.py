#!/usr/bin/env python3
"""Benchmark: what the garbage collector costs a worker, with and without gc.freeze() after
the worker's start-up and a larger youngest generation (batch._worker does both).

    python bench/gc_worker.py FOLDER [--files 150] [--rounds 3]

Extracts the first --files PDFs under FOLDER (pdfium reader) as one worker does, in a fresh
process per variant ("plain": Python's defaults, the collector walks every object loaded at
start-up at each full collection; "frozen": gc.freeze() after start-up; "tuned":
batch.collect_less(), frozen and the youngest generation collected every batch.GC_YOUNG new
objects instead of 700, as a worker does), the variants alternating --rounds times, and
prints CPU seconds, the collector's share, the number of full collections and the process's
peak RSS.
Build a corpus with bench.build_corpus (see bench/bench.py). Not a test: timings depend on
the machine; run it on an otherwise idle machine.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import gc, resource, sys, time
from pathlib import Path
import extract.api, extract.batch, extract.pdfium, extract.ranges  # a worker's modules (_forkserver.py)
from extract.match import tagger
tagger()
from extract import batch
from extract.rules import load_rules
templates = load_rules(None)
if sys.argv[1] == "frozen":
    gc.freeze()
elif sys.argv[1] == "tuned":
    batch.collect_less()                        # what a worker does once started
files = sorted(Path(sys.argv[2]).glob("**/*.pdf"))[:int(sys.argv[3])]
spent, full = [0.0, 0.0], [0]
def on_gc(phase, info):
    if phase == "start":
        spent[1] = time.process_time()
    else:
        spent[0] += time.process_time() - spent[1]
        full[0] += info["generation"] == 2
gc.callbacks.append(on_gc)
t = time.process_time()
for f in files:
    batch.extract_rows(str(f), f.name, templates, None, None, "pdfium")
print(time.process_time() - t, spent[0], full[0], len(files), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--files", type=int, default=150)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    for r in range(args.rounds):
        for variant in ("plain", "frozen", "tuned"):
            out = subprocess.run([sys.executable, "-c", CHILD, variant, str(args.folder), str(args.files)],
                                 capture_output=True, text=True, check=True, cwd=ROOT).stdout.split()
            cpu, gc_s, full, n, rss = float(out[0]), float(out[1]), int(out[2]), int(out[3]), float(out[4])
            print(f"round {r + 1} {variant:6}: {n} files, {cpu:.3f} s CPU, garbage collector "
                  f"{gc_s:.3f} s ({100 * gc_s / cpu:.1f}%), {full} full collections, peak RSS {rss:.0f} MB", flush=True)


if __name__ == "__main__":
    main()
