#!/usr/bin/env python3
"""Fault-injection bench: does a batch survive its environment?

    python bench/faults.py [--kills 24] [--files 12] [--pairs 4] [--seed 8] [--work DIR]
                           [--only kills|enospc|pairs|unwritable ...]

Over a folder of --files distinct sheet PDFs, with a previous output in OUT each time:
  kill points   SIGKILL of the main `extract run` process (not its group) after a random
                delay spread over a whole run (measured first), so some land in start-up,
                extraction, caching and writing;
  ENOSPC points a full disk at every write of a run in turn (ENOSPC injected at the n-th
                Parquet/cache/mark write, in-process), and on real small tmpfs mounts
                (cache and tables on it) where the machine allows mounting;
  concurrent    pairs of runs started at once into the same OUT;
  unwritable    OUT under /proc, under a file, on a read-only mount.
After each: the previous output byte-identical or the new one complete, no process of the
run left (its session is scanned), and the next run leaves no temporary file and takes what
was done from the cache. Prints one line per category and a JSON summary; exit 1 if any
check failed. Not a test (it takes minutes); tests/test_faults.py runs a few of each.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from extract import batch, outdir  # noqa: E402
from extract_testkit.faults import (TMPFS_KIB, DiskFull, complete, leftovers, make_inputs,  # noqa: E402
                                    resize_tmpfs, snapshot, tmpfs)
from extract_testkit.processes import wait_gone  # noqa: E402


@dataclass
class Tally:
    points: int = 0
    intact: int = 0          # previous output byte-identical
    new_complete: int = 0    # or the new output complete
    processes_left: int = 0
    leftovers_after_next_run: int = 0
    next_run_cached: list[int] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def cmd(*args) -> list[str]:
    return [sys.executable, "-m", "extract", "run", *map(str, args)]


def fresh_out(work: Path, one: Path, tag: str) -> tuple[Path, dict]:
    out = work / f"out-{tag}"
    shutil.rmtree(out, ignore_errors=True)
    batch.run([one], out, jobs=1)
    return out, snapshot(out)


def judge(t: Tally, label: str, out: Path, before: dict, many: Path, cache: Path | None = None) -> None:
    t.points += 1
    if snapshot(out) == before:
        t.intact += 1
    elif complete(out, many):
        t.new_complete += 1
    else:
        t.failures.append(f"{label}: output neither unchanged nor complete")
    _, st = batch.run([many], out, jobs=2, cache_dir=cache)
    t.next_run_cached.append(st.cached)
    left = leftovers(out, cache)
    t.leftovers_after_next_run += len(left)
    if left:
        t.failures.append(f"{label}: left behind {left}")
    if not complete(out, many):
        t.failures.append(f"{label}: next run incomplete")


def kills(work: Path, one: Path, many: Path, n: int, rng: random.Random) -> Tally:
    out, _ = fresh_out(work, one, "timing")
    t0 = time.monotonic()
    subprocess.run(cmd(many, "-o", out, "-q", "--force"), capture_output=True, check=False)
    span = time.monotonic() - t0
    t = Tally()
    for k in range(n):
        out, before = fresh_out(work, one, "kill")
        delay = rng.uniform(0.05, span * 1.05)
        proc = subprocess.Popen(cmd(many, "-o", out, "-q"), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        left = wait_gone(proc.pid, seconds=15)
        if left:
            t.processes_left += len(left)
            t.failures.append(f"kill {k} at {delay:.2f}s: processes left {left}")
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        judge(t, f"kill {k} at {delay:.2f}s", out, before, many)
    print(f"kill points: {t.points} (delays over a {span:.1f} s run); previous output intact "
          f"{t.intact}, new output complete {t.new_complete}; processes left {t.processes_left}; "
          f"temporary files left after the next run {t.leftovers_after_next_run}; "
          f"next run from cache: min {min(t.next_run_cached)}, max {max(t.next_run_cached)}")
    return t


def enospc(work: Path, one: Path, many: Path) -> Tally:
    with DiskFull(0) as count:      # the writes of a run like those below (one file cached)
        out, _ = fresh_out(work, one, "count")
        count.hits = 0
        batch.run([many], out, jobs=2)
    writes = count.hits
    t = Tally()
    for at in range(1, writes + 1):
        out, before = fresh_out(work, one, "enospc")
        try:
            with DiskFull(at):
                batch.run([many], out, jobs=2)
            t.failures.append(f"ENOSPC at write {at}: no error raised")
        except outdir.OutputError as e:
            if "No space left on device" not in str(e):
                t.failures.append(f"ENOSPC at write {at}: message {e}")
        if leftovers(out):
            t.failures.append(f"ENOSPC at write {at}: left right after the failure {leftovers(out)}")
        judge(t, f"ENOSPC at write {at}", out, before, many)
    tmpfs_points = 0
    for where in ("cache", "tables"):
        mnt = work / f"mnt-{where}"
        with tmpfs(mnt, TMPFS_KIB) as mounted:
            if not mounted:
                continue
            out = mnt / "out"
            cache = None if where == "cache" else work / f"cache-{where}"
            shutil.rmtree(cache or work / "none", ignore_errors=True)
            batch.run([one], out, jobs=1, cache_dir=cache)
            before = snapshot(out)
            try:
                batch.run([many], out, jobs=2, cache_dir=cache)
                t.failures.append(f"tmpfs ({where}): the disk did not fill up")
            except outdir.OutputError as e:
                if "No space left on device" not in str(e):
                    t.failures.append(f"tmpfs ({where}): message {e}")
            resize_tmpfs(mnt, 16384)
            judge(t, f"tmpfs ({where})", out, before, many, cache)
            tmpfs_points += 1
    print(f"ENOSPC points: {t.points} ({writes} injected, one at each write of a run; "
          f"{tmpfs_points} on a real full tmpfs); previous output intact {t.intact}, "
          f"new complete {t.new_complete}; temporary files left {t.leftovers_after_next_run}")
    return t


def pairs(work: Path, one: Path, many: Path, n: int) -> Tally:
    t = Tally()
    lock_refusals = 0
    for k in range(n):
        out, before = fresh_out(work, one, "pair")
        procs = [subprocess.Popen(cmd(many, "-o", out, "-q"), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, start_new_session=True)
                 for _ in range(2)]
        res = [(p.wait(), p.communicate()[1]) for p in procs]
        codes = sorted(rc for rc, _ in res)
        lock_refusals += codes.count(2)
        if codes not in ([0, 2], [0, 0]):
            t.failures.append(f"pair {k}: exit codes {codes}: {res}")
        for p in procs:
            t.processes_left += len(wait_gone(p.pid, seconds=15))
        judge(t, f"pair {k}", out, before, many)
    print(f"concurrent pairs: {t.points}; the second run refused with exit 2 in {lock_refusals}; "
          f"output complete after each; processes left {t.processes_left}")
    return t


def unwritable(work: Path, one: Path) -> Tally:
    t = Tally()
    (work / "a-file").write_text("x")
    targets = ["/proc/extract-out", str(work / "a-file" / "out")]
    ro = work / "ro"
    ro.mkdir(exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(ro)],
                             capture_output=True).returncode == 0
    if mounted:
        targets.append(str(ro / "out"))
    try:
        for target in targets:
            t.points += 1
            p = subprocess.run(cmd(one, "-o", target), capture_output=True, text=True)
            if p.returncode != 2 or "Traceback" in p.stderr or len(p.stderr.strip().splitlines()) != 1:
                t.failures.append(f"OUT {target}: exit {p.returncode}, {p.stderr[-300:]}")
            else:
                t.intact += 1
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(ro)], capture_output=True)
    print(f"unwritable OUT: {t.points} ({', '.join(targets)}); exit 2 with one line: {t.intact}")
    return t


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kills", type=int, default=24)
    ap.add_argument("--files", type=int, default=12)
    ap.add_argument("--pairs", type=int, default=4)
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--only", choices=["kills", "enospc", "pairs", "unwritable"], action="append",
                    help="run only these categories (repeatable; default all)")
    a = ap.parse_args(argv)
    work = a.work or Path(tempfile.mkdtemp(prefix="extract-faults-"))
    many = make_inputs(work / "in", a.files)
    one = work / "one.pdf"
    shutil.copy(sorted(many.glob("*.pdf"))[0], one)
    t0 = time.monotonic()
    runs = {"kills": lambda: kills(work, one, many, a.kills, random.Random(a.seed)),
            "enospc": lambda: enospc(work, one, many),
            "pairs": lambda: pairs(work, one, many, a.pairs),
            "unwritable": lambda: unwritable(work, one)}
    res = {name: f() for name, f in runs.items() if not a.only or name in a.only}
    failures = [f for t in res.values() for f in t.failures]
    summary = {k: {**asdict(v), "next_run_cached": v.next_run_cached[:5]} for k, v in res.items()}
    summary["seconds"] = round(time.monotonic() - t0, 1)
    summary["failures"] = failures
    print(json.dumps(summary, indent=1, ensure_ascii=False))
    print(f"{len(failures)} failure(s)")
    if not a.work:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
