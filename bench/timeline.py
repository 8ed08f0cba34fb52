#!/usr/bin/env python3
"""When each task of a batch run starts and answers, seen from the main process: where a
split file's time goes at -j 2 (issue 11's figure (h)).

    python bench/timeline.py FOLDER [-j 2] [--reader pdfium] [--rounds 3]

Runs batch.run over FOLDER (into a temporary folder) and prints, per round, seconds since
the process started: each task given to a worker (a split file's steps with their page
spans), each answer (with the seconds the worker says it took, and the pages a first step
read), the tables written, the end. Then, over the rounds, how long the workers waited for
each other at the end of each step of a split file (the gap between the first and the last
answer of a step). Watches the pool through its private methods (LocalPool._start and
_receive): it fails loudly, not silently, if they change. Not a test: timings depend on the
machine; compare versions in interleaved rounds on an otherwise idle machine. The first
round waits for the workers' server to load the extractor (as every CLI run does); later
rounds fork their workers from the same server.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
T0 = time.monotonic()
EVENTS: list[tuple[float, str, str]] = []      # (seconds, kind, what) of the current round


def stamp() -> float:
    return time.monotonic() - T0


def watch(batch, events: list[tuple[float, str, str]]) -> None:
    """Record the pool's task starts and answers, and the writing of the tables, in `events`."""
    start, receive, write = batch.LocalPool._start, batch.LocalPool._receive, batch.write_tables

    def _start(self, slot, task):
        span = f" pages {task.span[0]}-{task.span[1] - 1}" if task.step else ""
        events.append((stamp(), "start", f"task {task.index} {task.step or 'file'}{span}"))
        return start(self, slot, task)

    def _receive(self, tid, answer, *rest):
        status, payload, seconds = answer
        step = payload.get("step") if isinstance(payload, dict) else None
        read = f", read pages {step.first}-{step.last - 1}" if hasattr(step, "first") else ""
        events.append((stamp(), "answer", f"task {tid} {status}, took {seconds:.3f} s{read}"))
        return receive(self, tid, answer, *rest)

    def _write(*args, **kwargs):
        events.append((stamp(), "write", "tables"))
        out = write(*args, **kwargs)
        events.append((stamp(), "written", "tables"))
        return out

    batch.LocalPool._start, batch.LocalPool._receive, batch.write_tables = _start, _receive, _write


def step_gaps(events: list[tuple[float, str, str]]) -> list[float]:
    """The waits at the end of each step: answers that come in while no task is running
    are grouped, and each group's last minus first answer is a gap."""
    groups, group, running = [], [], 0
    for t, kind, _ in events:
        if kind == "start":
            if group and running == 0:
                groups.append(group)
                group = []
            running += 1
        elif kind == "answer":
            running -= 1
            group.append(t)
    return [g[-1] - g[0] for g in groups + [group] if g]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", type=Path, help="PDFs to extract (e.g. bench.py's combined/ folder)")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--reader", default="pdfium")
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    if not a.folder.exists():
        raise SystemExit(f"no such folder: {a.folder}")
    sys.path.insert(0, str(ROOT / "src"))
    from extract import batch      # batch.run starts the workers' server itself
    watch(batch, EVENTS)
    rounds = []
    for r in range(a.rounds):
        EVENTS.clear()
        with tempfile.TemporaryDirectory() as out:
            began = stamp()
            batch.run([a.folder], Path(out), jobs=a.jobs, force=True, reader=a.reader)
            EVENTS.append((stamp(), "end", "run"))
        rounds.append((began, list(EVENTS)))
        note = "; the workers' server starting" if r == 0 else ""
        print(f"round {r + 1} (begun at {began:.3f} s{note})")
        for t, kind, what in EVENTS:
            print(f"  {t - began:7.3f}  {kind:7s} {what}")
    gaps = [step_gaps(ev) for _, ev in rounds]
    totals = [ev[-1][0] - b for b, ev in rounds]
    print(f"run: median {statistics.median(totals):.3f} s ({', '.join(f'{t:.2f}' for t in totals)})")
    for k in range(max(map(len, gaps), default=0)):
        col = [g[k] for g in gaps if k < len(g)]
        print(f"workers waiting for each other after step {k + 1}: mean {statistics.mean(col):.3f} s "
              f"({', '.join(f'{x:.2f}' for x in col)})")


if __name__ == "__main__":
    main()
