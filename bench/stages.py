#!/usr/bin/env python3
"""Benchmark of the pipeline's own cost per page, without the reader (issue 11):
pipeline.read_all and the rows of the tables (tables.rows, as batch.extract_rows builds them).

    python bench/stages.py FOLDER [--reader pdfium] [--repeat 3] [--profile N]

Reads every PDF under FOLDER once and keeps its pages (pickled, as a worker holds only the
pages of the file it extracts); then, per repeat, times the stages file by file in CPU
seconds and prints ms per page, with the share the garbage collector took. --profile N
prints the N costliest functions (cProfile, own time) of one more pass instead.
Build a corpus with bench.build_corpus (see bench/bench.py). Not a test: timings depend on
the machine; compare before and after alternately, on an otherwise idle machine.
"""
from __future__ import annotations

import argparse
import gc
import pickle
import sys
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--reader", default="pdfium")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", type=int, default=0, metavar="N")
    args = ap.parse_args()

    from extract import pipeline, readers, rules, tables
    from extract.model import FileResult

    templates = rules.load_rules(None)
    blobs, n_pages = [], 0
    for f in sorted(args.folder.glob("**/*.pdf")):
        try:
            pages = readers.read_pdf(f, reader=args.reader)
        except Exception:    # a broken sample: not what is measured here
            continue
        n_pages += len(pages)
        blobs.append(pickle.dumps(pages))
    gc.collect()
    gc.freeze()

    if args.profile:
        import cProfile
        import pstats
        prof = cProfile.Profile()
        for blob in blobs:
            pages = pickle.loads(blob)
            prof.enable()
            one_file_pages(pages, templates, pipeline, tables, FileResult)
            prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(args.profile)
        return

    gc_time = [0.0, 0.0]

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            gc_time[1] = time.process_time()
        else:
            gc_time[0] += time.process_time() - gc_time[1]

    gc.callbacks.append(on_gc)
    print(f"{len(blobs)} files, {n_pages} pages")
    for _ in range(args.repeat):
        gc_time[0] = 0.0
        spent = 0.0
        for blob in blobs:
            pages = pickle.loads(blob)
            t = time.process_time()
            one_file_pages(pages, templates, pipeline, tables, FileResult)
            spent += time.process_time() - t
            del pages
        print(f"stages {1000 * spent / n_pages:.2f} ms/page CPU "
              f"(garbage collector {1000 * gc_time[0] / n_pages:.2f})")
    sys.stdout.flush()


def one_file_pages(pages, templates, pipeline, tables, FileResult) -> None:
    """read_all and the table rows of one file's pages, as batch.extract_rows does."""
    res = FileResult("bench.pdf", "0" * 64)
    res.sheets, res.cell_sheets, probs = pipeline.read_all(pages, templates)
    res.problems.extend(probs)
    tables.rows([res])


if __name__ == "__main__":
    main()
