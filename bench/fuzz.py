"""Mutation fuzzing of the batch engine: broken PDFs must never stop a batch, never go
unaccounted for, and never yield implausible values.

    python bench/fuzz.py --iterations N --seed S [--jobs 2] [--out DIR] [--reader pdfium]
                         [--batch 200] [--timeout 20] [--memory-limit 1024] [--time-sample 0.05]

Seeds are the sample PDFs (samples/*.pdf) as published and the same files rewritten by pypdf
without object streams (a classic `xref` table, one `N 0 obj` per object), so that xref and
object mutations have something to bite on. Each iteration picks a seed and one or two
mutations: byte flips, truncation, a deleted `N 0 obj ... endobj`, shuffled xref offsets
(or a wrong startxref), a duplicated stream, a zeroed stream. Mutated files are written in
batches into a temporary folder and run through `extract.batch.run`.

Invariants checked per batch (a failure counts as a crash):
  * `batch.run` returns (no exception);
  * every input file has rows in sheets or in problems;
  * no worker_crashed problem (an exception escaped extract_pdf, or the worker process died,
    e.g. in pdfium's C code; counted apart too, as `worker_crashed`: the batch went on);
  * a file with a file-level error (sheet_index null) has no sheet rows;
  * every non-null value is plausible: fiscal_year in 1989..2100, budget_jpy >= 0,
    1 <= page_first <= page_last, a sheet_id shared only by identical bytes and index,
    criteria attached to a sheet, confidence in 0..1;
  * every problem row has severity error|warning, a code, and a message ending with a period;
  * the written Parquet tables read back with pandas with the same row counts.

Figures printed (also written as JSON to OUT/summary.json): inputs, sheets extracted,
problems by code, crashes, max time per file (a random subsample of files is timed again
one by one in a separate, memory-limited process), peak memory (the largest VmHWM seen in
the batch workers, polled from /proc, and RUSAGE_CHILDREN.ru_maxrss of reaped children).
Files that broke an invariant are kept in OUT/crashes/ with a note.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import re
import resource
import shutil
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"

# ------------------------------------------------------------------ seeds


def rewrite_classic(data: bytes) -> bytes | None:
    """The PDF rewritten by pypdf: no object streams, a classic xref table (None if pypdf fails)."""
    import io
    import logging
    try:
        from pypdf import PdfReader, PdfWriter
    except ImportError:
        return None
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        w = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
        buf = io.BytesIO()
        w.write(buf)
        return buf.getvalue()
    except Exception:
        return None


def load_seeds(samples: Path = SAMPLES) -> list[tuple[str, bytes]]:
    seeds = []
    for p in sorted(samples.glob("*.pdf")):
        data = p.read_bytes()
        seeds.append((p.stem, data))
        classic = rewrite_classic(data)
        if classic:
            seeds.append((p.stem + "+classic", classic))
    if not seeds:
        raise SystemExit(f"fuzz: no seed PDFs in {samples}")
    return seeds


# ------------------------------------------------------------------ mutations

_OBJ = re.compile(rb"\d+\s+\d+\s+obj\b.*?\bendobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_XREF_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])(?=\s)")
_STARTXREF = re.compile(rb"startxref\s+(\d+)")


def m_flip(rng: random.Random, d: bytes) -> bytes:
    b = bytearray(d)
    if not b:
        return bytes(b)
    for _ in range(rng.randint(1, 64)):
        b[rng.randrange(len(b))] = rng.randrange(256)
    return bytes(b)


def m_truncate(rng: random.Random, d: bytes) -> bytes:
    return d[: rng.randrange(max(len(d), 1))]


def m_delete_object(rng: random.Random, d: bytes) -> bytes:
    objs = list(_OBJ.finditer(d))
    if not objs:
        return m_flip(rng, d)
    m = rng.choice(objs)
    if rng.random() < 0.5:          # removed: every later offset is now wrong too
        return d[: m.start()] + d[m.end():]
    return d[: m.start()] + b" " * (m.end() - m.start()) + d[m.end():]   # blanked in place


def m_shuffle_xref(rng: random.Random, d: bytes) -> bytes:
    entries = list(_XREF_ENTRY.finditer(d))
    if len(entries) < 3:            # xref stream only: point startxref somewhere else
        s = list(_STARTXREF.finditer(d))
        if not s:
            return m_flip(rng, d)
        m = s[-1]
        new = str(rng.randrange(max(len(d), 1))).encode()
        return d[: m.start(1)] + new + d[m.end(1):]
    offs = [e.group(1) for e in entries if e.group(3) == b"n"]
    rng.shuffle(offs)
    b = bytearray(d)
    it = iter(offs)
    for e in entries:
        if e.group(3) == b"n":
            b[e.start(1): e.end(1)] = next(it)
    return bytes(b)


def m_dup_stream(rng: random.Random, d: bytes) -> bytes:
    ss = list(_STREAM.finditer(d))
    if not ss:
        return m_flip(rng, d)
    m = rng.choice(ss)
    if rng.random() < 0.5 or len(ss) < 2:   # data twice, /Length unchanged
        return d[: m.start(1)] + m.group(1) * 2 + d[m.end(1):]
    other = rng.choice(ss)                  # one stream's data in place of another's
    return d[: m.start(1)] + other.group(1) + d[m.end(1):]


def m_zero_stream(rng: random.Random, d: bytes) -> bytes:
    ss = list(_STREAM.finditer(d))
    if not ss:
        return m_flip(rng, d)
    m = rng.choice(ss)
    return d[: m.start(1)] + b"\0" * len(m.group(1)) + d[m.end(1):]


MUTATORS = {
    "flip": m_flip,
    "truncate": m_truncate,
    "delete_object": m_delete_object,
    "shuffle_xref": m_shuffle_xref,
    "dup_stream": m_dup_stream,
    "zero_stream": m_zero_stream,
}


def mutate(rng: random.Random, seeds: list[tuple[str, bytes]]) -> tuple[str, bytes]:
    name, data = rng.choice(seeds)
    ops = [rng.choice(list(MUTATORS))]
    if rng.random() < 0.25:
        ops.append(rng.choice(list(MUTATORS)))
    for op in ops:
        data = MUTATORS[op](rng, data)
    return f"{name}~{'+'.join(ops)}", data


# ------------------------------------------------------------------ measurements


class PeakMonitor(threading.Thread):
    """Polls /proc for the largest VmHWM (peak RSS) of any descendant process."""

    def __init__(self, interval: float = 0.1):
        super().__init__(daemon=True)
        self.interval = interval
        self.peak_kb = 0
        self._halt = threading.Event()

    @staticmethod
    def _descendants(root: int) -> list[int]:
        children: dict[int, list[int]] = {}
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open(f"/proc/{d}/stat", "rb") as f:
                    s = f.read()
                ppid = int(s[s.rindex(b")") + 2:].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(d))
        out, todo = [], [root]
        while todo:
            for c in children.get(todo.pop(), []):
                out.append(c)
                todo.append(c)
        return out

    def run(self):
        if not os.path.isdir("/proc"):
            return
        me = os.getpid()
        while not self._halt.is_set():
            for pid in self._descendants(me):
                try:
                    with open(f"/proc/{pid}/status") as f:
                        for line in f:
                            if line.startswith("VmHWM:"):
                                self.peak_kb = max(self.peak_kb, int(line.split()[1]))
                                break
                except (OSError, ValueError):
                    pass
            self._halt.wait(self.interval)

    def stop(self):
        self._halt.set()
        self.join(timeout=2)


def _timer_main(conn, mem_mb, reader=None):
    """Child: extract the files it is sent, one by one, and send back the seconds each took."""
    if mem_mb:
        lim = mem_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (lim, lim))
    from extract import extract_pdf, load_rules
    templates = load_rules()
    from extract.match import tagger
    tagger()
    while True:
        path = conn.recv()
        if path is None:
            return
        t0 = time.perf_counter()
        try:
            extract_pdf(path, templates, reader=reader)
            status = "ok"
        except MemoryError:
            status = "memory_limit"
        except BaseException as e:      # extract_pdf should never raise: report it
            status = f"raised {type(e).__name__}"
        conn.send((time.perf_counter() - t0, status))
        if status == "memory_limit":
            return


class Timer:
    """Times single-file extraction in a separate, memory-limited process (killed on timeout)."""

    def __init__(self, timeout: float, mem_mb: int | None, reader: str | None = None):
        self.ctx = mp.get_context("forkserver")
        self.reader = reader
        self.timeout = timeout
        self.mem_mb = mem_mb
        self.proc = None
        self.conn = None

    def _start(self):
        a, b = self.ctx.Pipe()
        self.proc = self.ctx.Process(target=_timer_main, args=(b, self.mem_mb, self.reader), daemon=True)
        self.proc.start()
        self.conn = a
        # warm up: the first file pays for loading the dictionary; not counted
        self.conn.send(str(SAMPLES / "__none__.pdf"))
        if self.conn.poll(120):
            self.conn.recv()

    def time(self, path: str) -> tuple[float, str]:
        if self.proc is None or not self.proc.is_alive():
            self._start()
        self.conn.send(path)
        if self.conn.poll(self.timeout):
            try:
                secs, status = self.conn.recv()
            except EOFError:
                secs, status = self.timeout, "died"
        else:
            secs, status = self.timeout, "timeout"
        if status != "ok":
            self.close(kill=True)
        return secs, status

    def close(self, kill: bool = False):
        if self.proc is None:
            return
        if not kill and self.proc.is_alive():
            try:
                self.conn.send(None)
            except OSError:
                pass
            self.proc.join(timeout=2)
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(timeout=2)
        self.proc = None


# ------------------------------------------------------------------ invariants


def check_batch(rows: dict, names: list[str], out_dir: Path) -> list[tuple[str, str]]:
    """Invariant failures as (source_path or '*', what)."""
    import pandas as pd
    bad = []
    sheets, criteria, problems = rows["sheets"], rows["criteria"], rows["problems"]
    seen = {r["source_path"] for r in sheets} | {r["source_path"] for r in problems}
    for n in names:
        if n not in seen:
            bad.append((n, "not accounted for (no sheet row, no problem row)"))
    for r in problems:
        if r["code"] == "worker_crashed":
            bad.append((r["source_path"], f"worker_crashed: {r['message']}"))
        if r["severity"] not in ("error", "warning") or not r["code"]:
            bad.append((r["source_path"], f"bad problem row {r}"))
        msg = r.get("message") or ""
        if not msg.strip().endswith("."):
            bad.append((r["source_path"], f"message is not a sentence ending with a period: {msg!r}"))
    file_errors = {r["source_path"] for r in problems
                   if r["severity"] == "error" and r.get("sheet_index") is None}
    ids: dict[str, tuple] = {}
    for r in sheets:
        sp = r["source_path"]
        if sp in file_errors:
            bad.append((sp, "sheet rows from a file with a file-level error"))
        key = (r["source_sha256"], r["sheet_index"])
        if ids.setdefault(r["sheet_id"], key) != key:   # same id only for the same bytes+index
            bad.append((sp, f"sheet_id {r['sheet_id']} shared by different sheets"))
        fy = r.get("fiscal_year")
        if fy is not None and not 1989 <= fy <= 2100:
            bad.append((sp, f"implausible fiscal_year {fy}"))
        b = r.get("budget_jpy")
        if b is not None and b < 0:
            bad.append((sp, f"negative budget_jpy {b}"))
        pf, pl = r.get("page_first"), r.get("page_last")
        if pf is not None and pl is not None and not 1 <= pf <= pl:
            bad.append((sp, f"implausible pages {pf}..{pl}"))
    for c in criteria:
        if c["sheet_id"] not in ids:
            bad.append(("*", f"criterion of unknown sheet {c['sheet_id']}"))
        conf = c.get("confidence")
        if conf is not None and not 0 <= conf <= 1:
            bad.append(("*", f"confidence {conf} outside 0..1"))
    for name in ("sheets", "criteria", "problems"):
        try:
            n = len(pd.read_parquet(out_dir / name))
        except Exception as e:
            bad.append(("*", f"{name} Parquet unreadable: {type(e).__name__}: {e}"))
            continue
        if n != len(rows[name]):
            bad.append(("*", f"{name} Parquet has {n} rows, batch returned {len(rows[name])}"))
    return bad


# ------------------------------------------------------------------ the run


def fuzz(iterations: int, seed: int, jobs: int = 2, out: Path | None = None, batch_size: int = 200,
         timeout: float = 20.0, memory_limit_mb: int | None = 1024, time_sample: float = 0.05,
         log=print, reader: str | None = None) -> dict:
    from extract import batch

    rng = random.Random(seed)
    seeds = load_seeds()
    out = Path(out) if out else Path(tempfile.mkdtemp(prefix="fuzz-out-"))
    out.mkdir(parents=True, exist_ok=True)
    crash_dir = out / "crashes"
    work = Path(tempfile.mkdtemp(prefix="fuzz-in-"))
    fig = {"inputs": 0, "sheets": 0, "files_with_sheets": 0, "problems_by_code": {},
           "files_by_error_code": {}, "crashes": 0, "batch_exceptions": 0, "invariant_failures": 0,
           "by_mutation": {}, "max_file_seconds": 0.0, "max_file": None, "timed_files": 0,
           "timer_status": {}, "peak_worker_rss_mb": 0.0, "rusage_children_maxrss_mb": 0.0,
           "seconds": 0.0, "seed": seed, "iterations": iterations, "seed_files": len(seeds),
           "reader": reader or "default", "worker_crashed": 0}
    failures = []
    mon = PeakMonitor()
    mon.start()
    timer = Timer(timeout, memory_limit_mb, reader)
    t0 = time.monotonic()
    done = 0
    bno = 0
    try:
        while done < iterations:
            n = min(batch_size, iterations - done)
            folder = work / f"b{bno:04d}"
            folder.mkdir()
            kinds = {}
            for k in range(n):
                kind, data = mutate(rng, seeds)
                name = f"{done + k:06d}.pdf"
                (folder / name).write_bytes(data)
                kinds[name] = kind
            names = sorted(kinds)
            bout = folder.with_name(folder.name + "-out")
            try:
                # the files, not the folder: source_path is then the bare name
                rows, stats = batch.run(sorted(folder.glob("*.pdf")), bout, jobs=jobs, timeout=timeout,
                                        memory_limit_mb=memory_limit_mb, force=True, max_tasks=50,
                                        reader=reader)
                bad = check_batch(rows, names, bout)
            except Exception as e:
                fig["batch_exceptions"] += 1
                rows = None
                bad = [("*", f"batch.run raised {type(e).__name__}: {e}\n{traceback.format_exc()}")]
            if rows is not None:
                fig["sheets"] += len(rows["sheets"])
                fig["files_with_sheets"] += len({r["source_path"] for r in rows["sheets"]})
                for r in rows["problems"]:
                    c = r["code"]
                    fig["problems_by_code"][c] = fig["problems_by_code"].get(c, 0) + 1
                fig["worker_crashed"] = fig["problems_by_code"].get("worker_crashed", 0)
                per_file: dict[str, set] = {}
                for r in rows["problems"]:
                    if r["severity"] == "error" and r.get("sheet_index") is None:
                        per_file.setdefault(r["source_path"], set()).add(r["code"])
                for name in names:
                    key = ",".join(sorted(per_file.get(name, ()))) or "sheets"
                    fig["files_by_error_code"][key] = fig["files_by_error_code"].get(key, 0) + 1
                    mk = kinds[name].split("~")[1]
                    fig["by_mutation"].setdefault(mk, {}).setdefault(key, 0)
                    fig["by_mutation"][mk][key] += 1
            if bad:
                fig["invariant_failures"] += len(bad)
                crash_dir.mkdir(exist_ok=True)
                for sp, what in bad:
                    failures.append({"file": sp, "mutation": kinds.get(sp), "what": what[:2000]})
                    if sp in kinds:
                        shutil.copy(folder / sp, crash_dir / f"s{seed}-{sp}")
                        (crash_dir / f"s{seed}-{sp}.txt").write_text(f"{kinds[sp]}\n{what}\n")
            # time a subsample one by one
            k = max(1, int(round(n * time_sample))) if time_sample > 0 else 0
            for name in rng.sample(names, min(k, n)):
                secs, status = timer.time(str(folder / name))
                fig["timed_files"] += 1
                fig["timer_status"][status] = fig["timer_status"].get(status, 0) + 1
                if status.startswith("raised"):
                    fig["invariant_failures"] += 1
                    failures.append({"file": name, "mutation": kinds[name], "what": f"extract_pdf {status}"})
                    crash_dir.mkdir(exist_ok=True)
                    shutil.copy(folder / name, crash_dir / f"s{seed}-{name}")
                if secs > fig["max_file_seconds"]:
                    fig["max_file_seconds"], fig["max_file"] = round(secs, 3), f"{kinds[name]} ({status})"
            done += n
            fig["inputs"] = done
            bno += 1
            shutil.rmtree(folder, ignore_errors=True)
            shutil.rmtree(bout, ignore_errors=True)
            fig["crashes"] = fig["batch_exceptions"] + fig["invariant_failures"]
            fig["seconds"] = round(time.monotonic() - t0, 1)
            fig["peak_worker_rss_mb"] = round(mon.peak_kb / 1024, 1)
            log(f"[fuzz] {done}/{iterations} inputs, {fig['sheets']} sheets, crashes {fig['crashes']}, "
                f"files by outcome {json.dumps(fig['files_by_error_code'], sort_keys=True)}, "
                f"{fig['seconds']} s")
    finally:
        timer.close()
        mon.stop()
        shutil.rmtree(work, ignore_errors=True)
    ru = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    fig["rusage_children_maxrss_mb"] = round(ru / 1024, 1)   # Linux: KiB
    fig["peak_worker_rss_mb"] = round(mon.peak_kb / 1024, 1)
    fig["crashes"] = fig["batch_exceptions"] + fig["invariant_failures"]
    fig["seconds"] = round(time.monotonic() - t0, 1)
    fig["failures"] = failures[:200]
    (out / "summary.json").write_text(json.dumps(fig, indent=1, ensure_ascii=False))
    return fig


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--iterations", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", type=Path, default=None, help="folder for summary.json and crashes/")
    ap.add_argument("--batch", type=int, default=200, help="files per batch")
    ap.add_argument("--timeout", type=float, default=20.0)
    ap.add_argument("--memory-limit", type=int, default=1024, metavar="MB")
    ap.add_argument("--time-sample", type=float, default=0.05,
                    help="share of files timed one by one (default 0.05)")
    ap.add_argument("--reader", choices=("pdfplumber", "pdfium"), default=None,
                    help="PDF reader (default: the library's default)")
    a = ap.parse_args(argv)
    fig = fuzz(a.iterations, a.seed, a.jobs, a.out, a.batch, a.timeout, a.memory_limit or None,
               a.time_sample, log=lambda s: print(s, flush=True), reader=a.reader)
    show = {k: v for k, v in fig.items() if k != "failures"}
    print(json.dumps(show, indent=1, ensure_ascii=False, sort_keys=True))
    for f in fig["failures"][:20]:
        print(f"FAIL {f['file']} [{f['mutation']}]: {f['what'][:300]}")
    return 1 if fig["crashes"] else 0


if __name__ == "__main__":
    sys.exit(main())
