#!/usr/bin/env python3
"""Benchmark: raw pdfplumber against `extract run` with each reader, 1 and 2 workers, and a warm cache.

    python bench/bench.py [--files 300] [--repeat N] [--samples samples] [--work DIR] [--no-rss]

Builds a corpus of N sheet PDFs from the samples (each copy made distinct by a trailing
comment so no cache or hash can shortcut it), then measures in one run:
  (a) raw pdfplumber: open every page, read chars, words and lines, close;
  (b) extract run -j 1 --reader pdfplumber;  (c) -j 2 --reader pdfplumber;
  (e) extract run -j 1 --reader pdfium;      (f) -j 2 --reader pdfium;
  (g) a re-run of (f) with the cache warm;
  (h) one combined PDF of --combined-sheets sheets (~140 pages), -j 1 and -j 2 (pdfium):
      with two workers the file is split into page ranges (src/extract/split.py); and a
      one-sheet file, -j 1 and -j 2: what a run costs besides its pages (start-up, writing,
      exit), so that (h) is also given without it (the split's own speed-up);
and peak RSS per worker at 50 and at N files (--no-rss skips it). Prints pages per second,
pages per second per core (a worker is one core) and the ratios, (e)/(a) also with (e) less
a run's fixed cost ((a) runs inside this process, with no start-up of its own).
Not a test: timings depend on the machine; run it on an otherwise idle machine. Where the
machine's speed drifts (a shared virtual machine: the same run 30% slower a few minutes
later), --repeat N measures everything N times in rounds (a, b, c, e, f, g, h, then again)
and prints each figure's fastest and slowest run, the ratios of the fastest runs, and the
median over the rounds of each round's own ratio.
"""
from __future__ import annotations

import argparse
import statistics
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))      # extract_testkit: the samples and the combined file


def sheet_pages(samples: Path) -> dict[Path, int]:
    """The sample PDFs that hold sheets (extract_testkit.combine.sheet_samples), with their
    page counts."""
    import pdfplumber
    from extract_testkit.combine import sheet_samples
    counts = {}
    for p in sheet_samples(samples):
        with pdfplumber.open(p) as pdf:
            counts[p] = len(pdf.pages)
    if not counts:
        raise SystemExit(f"no sample PDFs in {samples}")
    return counts


def build_corpus(samples: Path, dest: Path, n: int, counts: dict[Path, int] | None = None) -> int:
    """N distinct sheet PDFs, copies of the PDFs of `counts` (PDF -> pages; default: every
    sheet sample) in turn; returns the page count."""
    counts = counts or sheet_pages(samples)
    srcs = list(counts)
    dest.mkdir(parents=True, exist_ok=True)
    pages = 0
    for i in range(n):
        src = srcs[i % len(srcs)]
        data = src.read_bytes() + f"\n% bench copy {i}\n".encode()
        (dest / f"{i:04d}-{src.name}").write_bytes(data)
        pages += counts[src]
    return pages


def plumber_parse(path: Path) -> None:
    """(a) for one file: open every page, read chars, words and lines, close."""
    import pdfplumber
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.chars, page.extract_words(), page.lines
            page.close()


def raw_pdfplumber(folder: Path) -> float:
    t = time.perf_counter()
    for p in sorted(folder.glob("*.pdf")):
        plumber_parse(p)
    return time.perf_counter() - t


def run_extract(folder: Path, out: Path, jobs: int, force: bool, reader: str | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of the largest child of one CLI run."""
    cmd = [sys.executable, "-m", "extract", "run", str(folder), "-o", str(out), "-q", "-j", str(jobs)]
    if reader:
        cmd += ["--reader", reader]
    if force:
        cmd.append("--force")
    code = ("import resource,subprocess,sys,time;t=time.perf_counter();"
            f"r=subprocess.run({cmd!r},stdout=subprocess.DEVNULL);"
            "print(time.perf_counter()-t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024)")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    secs, rss = res.stdout.split()
    return float(secs), float(rss)


def worker_rss(folder: Path, out: Path) -> float:
    """Peak RSS (MB) of any worker of a -j 2 run, as the workers report it themselves
    (they are children of the forkserver, so the kernel's per-child accounting misses them)."""
    from extract import batch
    _, stats = batch.run([folder], out, jobs=2, force=True)
    return stats.peak_worker_rss_mb


def combined_figure(sources: list[Path], work: Path, n_sheets: int) -> tuple[int, int, Path]:
    """The folder holding one yearly-style PDF of n_sheets sheets joined from `sources`:
    (sheets, pages, folder)."""
    from extract_testkit.combine import join_pdfs
    folder = work / "combined"
    folder.mkdir(exist_ok=True)
    sheets, pages = join_pdfs(sources, folder / "combined.pdf", n_sheets)
    return sheets, pages, folder


def combined_times(work: Path, folder: Path) -> tuple[float, float, float, float]:
    """(h): the combined file, -j 1 and -j 2 (pdfium); then what any run costs besides its
    pages (start-up, writing the tables, exit), -j 1 and -j 2 on a one-sheet file."""
    t1, _ = run_extract(folder, work / "outc1", 1, True, "pdfium")
    t2, _ = run_extract(folder, work / "outc2", 2, True, "pdfium")
    one = work / "one"
    f1, _ = run_extract(one, work / "outo1", 1, True, "pdfium")
    f2, _ = run_extract(one, work / "outo2", 2, True, "pdfium")
    return t1, t2, f1, f2


def one_sheet(samples: Path, work: Path, counts: dict[Path, int]) -> int:
    """The folder work/one with one sheet PDF, the sample of the fewest pages; its pages."""
    folder = work / "one"
    if folder.exists():
        shutil.rmtree(folder)
    smallest = min(counts, key=lambda p: (counts[p], p.name))
    return build_corpus(samples, folder, 1, {smallest: counts[smallest]})


def one_round(corpus: Path, work: Path, combined: Path | None) -> dict[str, float]:
    """Every timing once: a, b, c, e, f, g (and h1, h2 with a combined file)."""
    t = {"a": raw_pdfplumber(corpus)}
    for key, jobs, force, reader in (("b", 1, True, "pdfplumber"), ("c", 2, True, "pdfplumber"),
                                     ("e", 1, True, "pdfium"), ("f", 2, True, "pdfium"),
                                     ("g", 2, False, "pdfium")):
        t[key], _ = run_extract(corpus, work / f"out-{key if key != 'g' else 'f'}", jobs, force, reader)
    if combined is not None:
        t["h1"], t["h2"], t["o1"], t["o2"] = combined_times(work, combined)
    return t


RUNS = [("a", "(a) raw pdfplumber", 1), ("b", "(b) -j 1 pdfplumber", 1), ("c", "(c) -j 2 pdfplumber", 2),
        ("e", "(e) -j 1 pdfium", 1), ("f", "(f) -j 2 pdfium", 2), ("g", "(g) warm cache", 2)]
RATIOS = [("b", "a", "(b)/(a)", "(pdfplumber pipeline over pdfplumber's parse alone)"),
          ("e", "a", "(e)/(a)", "(target <= 0.15)"),
          ("e", "f", "(e)/(f)", "(target >= 1.7 on 2 cores)"),
          ("b", "e", "(b)/(e)", "(pdfium pipeline speed-up over pdfplumber's)"),
          ("g", "f", "(g)/(f)", "(target <= 0.05)")]


def report(rounds: list[dict[str, float]], pages: int) -> None:
    best = {k: min(r[k] for r in rounds) for k in rounds[0]}
    worst = {k: max(r[k] for r in rounds) for k in rounds[0]}
    n = len(rounds)
    for key, name, cores in RUNS:
        t = best[key]
        spread = f"  (slowest of {n}: {worst[key]:.2f} s)" if n > 1 else ""
        print(f"{name:<22} {t:8.2f} s  {pages / t:8.1f} pages/s  {pages / t / cores:8.1f} pages/s/core{spread}")
    for num, den, name, note in RATIOS:
        per_round = f"   median of the rounds' own: {statistics.median(r[num] / r[den] for r in rounds):.2f}" \
            if n > 1 else ""
        print(f"{name} = {best[num] / best[den]:.3f}  {note}{per_round}")
    if "o1" in best:    # (a) runs in this process, with no start-up: (e) without a run's fixed cost too
        per_round = f"   median of the rounds' own: {statistics.median((r['e'] - r['o1']) / r['a'] for r in rounds):.2f}" \
            if n > 1 else ""
        print(f"((e) - a run's fixed cost)/(a) = {(best['e'] - best['o1']) / best['a']:.3f}  "
              f"(the fixed cost: a one-sheet file at -j 1, see (h)){per_round}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=300)
    ap.add_argument("--samples", type=Path, default=ROOT / "samples")
    ap.add_argument("--work", type=Path, default=None, help="work folder (default: a temporary one)")
    ap.add_argument("--no-rss", action="store_true", help="skip the peak-RSS runs")
    ap.add_argument("--combined-sheets", type=int, default=80,
                    help="sheets in the combined file of (h) (0 skips it; 80 sheets: ~140 pages)")
    ap.add_argument("--only-combined", action="store_true", help="run (h) alone")
    ap.add_argument("--repeat", type=int, default=1, metavar="N",
                    help="measure everything N times in rounds; the fastest run of each counts")
    a = ap.parse_args(argv)
    work = a.work or Path(tempfile.mkdtemp(prefix="extract-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        corpus = work / "corpus"
        small = work / "corpus50"
        if corpus.exists():
            shutil.rmtree(corpus)
        if small.exists():
            shutil.rmtree(small)
        combined = None
        counts = sheet_pages(a.samples)
        if a.combined_sheets:
            sheets, cpages, combined = combined_figure(list(counts), work, a.combined_sheets)
            one_sheet(a.samples, work, counts)
        if a.only_combined:
            h = [combined_times(work, combined) for _ in range(a.repeat)]
            _print_combined(sheets, cpages, h)
            return 0
        pages = build_corpus(a.samples, corpus, a.files, counts)
        build_corpus(a.samples, small, 50, counts)
        print(f"corpus: {a.files} PDFs, {pages} pages in {corpus}", flush=True)
        rounds = []
        for i in range(a.repeat):
            rounds.append(one_round(corpus, work, combined))
            if a.repeat > 1:
                print(f"round {i + 1}: " + ", ".join(f"{k} {v:.2f}" for k, v in rounds[-1].items()), flush=True)
        report(rounds, pages)
        if combined is not None:
            _print_combined(sheets, cpages, [(r["h1"], r["h2"], r["o1"], r["o2"]) for r in rounds])
        if not a.no_rss:
            rss50 = worker_rss(small, work / "out50")
            rss300 = worker_rss(corpus, work / "out300")
            print(f"peak RSS per worker: {rss50:.0f} MB at 50 files, {rss300:.0f} MB at {a.files} files "
                  f"({(rss300 - rss50) / rss50 * 100:+.1f}%; target < 300 MB and within 10%)")
    finally:
        if a.work is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def _print_combined(sheets: int, pages: int, h: list[tuple[float, float, float, float]]) -> None:
    """(h), and the same without what every run costs besides its pages (Amdahl's serial
    part: start-up, writing, exit), measured on a one-sheet file in the same rounds."""
    t1, t2, f1, f2 = (min(x[k] for x in h) for k in range(4))
    rounds = f"; median of the rounds' own ratios {statistics.median(x[0] / x[1] for x in h):.2f}" if len(h) > 1 else ""
    print(f"(h) combined file, {sheets} sheets, {pages} pages: -j 1 {t1:.2f} s ({pages / t1:.1f} pages/s), "
          f"-j 2 {t2:.2f} s ({pages / t2:.1f} pages/s); -j 1 / -j 2 = {t1 / t2:.2f} (target >= 1.7){rounds}")
    split = f"{(t1 - f1) / (t2 - f2):.2f}" if t2 > f2 else "n/a"
    rounds = f"; median of the rounds' own {statistics.median((x[0] - x[2]) / (x[1] - x[3]) for x in h):.2f}" \
        if len(h) > 1 and all(x[1] > x[3] for x in h) else ""
    print(f"    a run's fixed cost (a one-sheet file): -j 1 {f1:.2f} s, -j 2 {f2:.2f} s; "
          f"the combined file without it: -j 1 / -j 2 = {split}{rounds}")


if __name__ == "__main__":
    sys.exit(main())
