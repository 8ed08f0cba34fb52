#!/usr/bin/env python3
"""Benchmark for a decision (issue 11): where one worker's milliseconds per page go with the
pdfium reader, against the budget that (e)/(a) <= 0.15 leaves.

    python bench/budget.py FOLDER [--rounds 3] [--no-plumber]

In one process, per round and over every PDF under FOLDER, CPU milliseconds per page of:
  pdfium    pypdfium2 alone: open, load each page and its text page, count the characters,
            close (C code: what no Python reader can go under);
  preflight preflight.preflight (pdfminer's object parser: declared descents, bombs);
  read      readers.read_pdf(reader="pdfium"): the whole reader;
  extract   batch.extract_rows(reader="pdfium"): what a worker does with one file;
  (a)       pdfplumber's parse as bench.py measures it (chars, words, lines): skipped with
            --no-plumber (it is ten times the rest);
then the differences: the reader's own Python (read - pdfium - preflight, with its ctypes
calls: bench/compiled_chars.py measures those) and the stages with the table rows
(extract - read); and, with (a), extract/(a) and the milliseconds per page that 0.15 x (a)
allows. A run's fixed cost (start-up, writing the tables) is not in these: bench.py gives it.
The garbage collector is set as in a worker (batch.collect_less) once everything is loaded.
Build a corpus with bench.build_corpus (see bench/bench.py). Not a test: timings depend on
the machine; run it on an otherwise idle machine.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
from bench import plumber_parse  # noqa: E402  (bench.py beside this file: (a) as it measures it)

TARGET = 0.15       # issue 11: (e)/(a)


def pdfium_alone(path: Path) -> int:
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(str(path))
    try:
        for i in range(len(doc)):
            page = doc[i]
            tp = page.get_textpage()
            tp.count_chars()
            tp.close()
            page.close()
        return len(doc)
    finally:
        doc.close()


def readable(files: list[Path]) -> tuple[list[Path], int]:
    """The files pdfium opens, and their page count (a broken sample is not what is measured)."""
    kept, pages = [], 0
    for f in files:
        try:
            pages += pdfium_alone(f)
        except Exception:
            continue
        kept.append(f)
    return kept, pages


def cpu_ms(fn, files: list[Path], pages: int) -> float:
    t = time.process_time()
    for f in files:
        fn(f)
    return 1000 * (time.process_time() - t) / pages


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-plumber", action="store_true", help="leave out (a), pdfplumber's parse")
    args = ap.parse_args()

    from extract import batch, preflight, readers, rules
    templates = rules.load_rules(None)
    files, pages = readable(sorted(args.folder.glob("**/*.pdf")))
    if not pages:
        sys.exit(f"no PDF that pdfium opens under {args.folder}")
    steps = {
        "pdfium": pdfium_alone,
        "preflight": preflight.preflight,
        "read": lambda f: readers.read_pdf(f, reader="pdfium"),
        "extract": lambda f: batch.extract_rows(str(f), str(f), templates, reader="pdfium"),
    }
    if not args.no_plumber:
        steps["(a)"] = plumber_parse
    for fn in steps.values():       # warm: imports, the tagger, the rules' caches
        fn(files[0])
    batch.collect_less()            # the garbage collector as a worker sets it
    print(f"{len(files)} files, {pages} pages; CPU ms per page")
    rounds = []
    for r in range(args.rounds):
        got = {name: cpu_ms(fn, files, pages) for name, fn in steps.items()}
        got["reader's Python"] = got["read"] - got["pdfium"] - got["preflight"]
        got["stages and rows"] = got["extract"] - got["read"]
        rounds.append(got)
        print(f"round {r + 1}: " + ", ".join(f"{k} {v:.2f}" for k, v in got.items()), flush=True)
    med = {k: statistics.median(g[k] for g in rounds) for k in rounds[0]}
    print("median: " + ", ".join(f"{k} {v:.2f}" for k, v in med.items()))
    if "(a)" in med:
        allowed = TARGET * med["(a)"]
        ours = med["reader's Python"] + med["stages and rows"]
        print(f"extract/(a) = {med['extract'] / med['(a)']:.3f}; {TARGET} x (a) allows "
              f"{allowed:.2f} ms/page, {med['extract'] - allowed:+.2f} from extract's "
              f"{med['extract']:.2f}; with pdfium and preflight as they are, "
              f"{allowed - med['pdfium'] - med['preflight']:.2f} for the reader's Python, "
              f"the stages and the rows together (now "
              f"{ours:.2f})")


if __name__ == "__main__":
    main()
