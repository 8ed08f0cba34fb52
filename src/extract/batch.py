"""Batch engine: worker processes with per-file time and memory limits, a result cache,
and output swapped in at the end so a killed run leaves the previous tables intact.

The unit of work is `extract_rows`: a pure function from one PDF to its table rows, so the
same run can be spread over local processes or a Dask cluster.
"""
from __future__ import annotations

import hashlib
import json
import multiprocessing as mp
import os
import queue
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from . import __version__
from .api import extract_pdf, file_sha256, iter_pdfs
from .cell_output import FAMILY_TABLES
from .rules import Template, load_rules

TABLES = ("sheets", "criteria", "problems", "fields") + FAMILY_TABLES
# The sheets tables of the cell families (review_sheets): counted as sheets too.
_FAMILY_SHEETS = tuple(n for n in FAMILY_TABLES if n.endswith("_sheets"))
# Results that depend on no template: they stay valid whatever the rules say.
_TEMPLATE_FREE = {"unreadable_pdf", "encrypted", "no_text_layer", "garbled_text"}
# Problems of the run itself, not of the file: never cached.
_TRANSIENT = {"timeout", "worker_crashed", "memory_limit"}


def extractor_version() -> str:
    """The package version plus a hash of its source, so a code change empties the cache."""
    h = hashlib.sha256(__version__.encode())
    here = Path(__file__).parent
    for p in sorted(here.rglob("*")):
        if p.is_file() and p.suffix in (".py", ".tsv"):
            h.update(p.name.encode())
            h.update(p.read_bytes())
    return f"{__version__}+{h.hexdigest()[:12]}"


# ------------------------------------------------------------------ the unit of work

def extract_rows(path: str, source_path: str, templates: list[Template] | str | None = None,
                 password: str | None = None, sha256: str | None = None) -> dict:
    """One PDF to its rows: {"sheets": [...], "criteria": [...], "problems": [...],
    "templates": {id: digest of the rules used}}. Pure: same input, same output."""
    from .tables import rows
    if not isinstance(templates, list):
        templates = load_rules(templates)
    res = extract_pdf(path, templates, password, source_path, sha256)
    out = rows([res])
    by_id = {t.id: t.digest for t in templates}
    out["templates"] = {s.template: by_id.get(s.template, "") for s in res.sheets + res.cell_sheets}
    return out


def problem_row(source_path: str, code: str, message: str) -> dict:
    return {"source_path": source_path, "sheet_index": None, "severity": "error", "code": code,
            "field": None, "message": message}


# ------------------------------------------------------------------ cache

class Cache:
    """One JSON file per PDF, keyed by its sha256 and the extractor version; an entry is
    valid while the rules of the templates it used are unchanged."""

    def __init__(self, folder: Path, templates: list[Template]):
        self.folder = folder
        self.version = extractor_version()
        self.digests = {t.id: t.digest for t in templates}
        self.all_digest = hashlib.sha256("".join(sorted(self.digests.values())).encode()).hexdigest()

    def _path(self, sha: str) -> Path:
        return self.folder / sha[:2] / f"{sha}.json"

    def get(self, sha: str, source_path: str) -> dict | None:
        p = self._path(sha)
        try:
            e = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if e.get("version") != self.version:
            return None
        used = e.get("templates") or {}
        if used:
            if any(self.digests.get(t) != d for t, d in used.items()):
                return None
        elif not e.get("template_free") and e.get("all_digest") != self.all_digest:
            return None
        out = e["rows"]
        for name in ("sheets", "problems") + _FAMILY_SHEETS:
            for r in out.get(name, []):
                r["source_path"] = source_path
        out["templates"] = used
        return out

    def put(self, sha: str, rows: dict) -> None:
        codes = {r["code"] for r in rows["problems"] if r["severity"] == "error"}
        if codes & _TRANSIENT:
            return
        entry = {"version": self.version, "templates": rows.get("templates") or {},
                 "template_free": bool(codes) and codes <= _TEMPLATE_FREE,
                 "all_digest": self.all_digest,
                 "rows": {k: rows.get(k, []) for k in TABLES}}
        p = self._path(sha)
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, p)


# ------------------------------------------------------------------ workers

def _limit_memory(mb: int | None) -> None:
    if not mb:
        return
    try:
        import resource
        lim = mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (lim, lim))
    except (ImportError, ValueError, OSError):
        pass


def _worker(tasks, results, rules_dir, mem_mb):
    _limit_memory(mem_mb)
    templates = load_rules(rules_dir)
    from .match import tagger
    tagger()
    while True:
        item = tasks.get()
        if item is None:
            return
        tid, path, rel, password, sha = item
        try:
            rows = extract_rows(path, rel, templates, password, sha or None)
            results.put((tid, "ok", rows, _peak_rss_mb()))
            if any(p["code"] == "memory_limit" for p in rows["problems"]):
                return      # start afresh: the heap may be in pieces
        except MemoryError:
            results.put((tid, "memory_limit", None, _peak_rss_mb()))
            return
        except Exception as e:   # extract_pdf catches file errors; this is a bug: report it
            results.put((tid, "worker_crashed", f"{type(e).__name__}: {e}", _peak_rss_mb()))


@dataclass
class _Slot:
    proc: mp.Process
    tasks: object
    task: tuple | None = None
    started: float = 0.0
    done: int = 0


@dataclass
class RunStats:
    files: int = 0
    cached: int = 0
    sheets: int = 0
    problems: dict = field(default_factory=dict)
    seconds: float = 0.0
    peak_worker_rss_mb: float = 0.0   # largest resident set of any worker process


def _peak_rss_mb() -> float:
    try:
        import resource
        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return kb / 1024 if sys.platform != "darwin" else kb / 2**20
    except ImportError:
        return 0.0


def _messages(timeout: float, mem_mb: int | None) -> dict:
    return {
        "timeout": f"Extraction took longer than {timeout:g} s and was stopped; the file may be "
                   "huge or malicious (raise --timeout to allow more).",
        "memory_limit": f"Extraction needed more than {mem_mb} MB and was stopped; the file may "
                        "be a decompression bomb (raise --memory-limit to allow more).",
        "worker_crashed": "The worker process extracting this file died; the file is probably "
                          "malformed (please report it).",
    }


class LocalPool:
    """N worker processes, each with its own queue so a hung file can be killed alone."""

    def __init__(self, jobs: int, rules_dir, timeout: float, mem_mb: int | None, max_tasks: int):
        self.ctx = mp.get_context("spawn" if sys.platform == "win32" else "forkserver")
        self.results = self.ctx.Queue()
        self.args = (rules_dir, mem_mb)
        self.timeout = timeout
        self.mem_mb = mem_mb
        self.max_tasks = max_tasks
        self.slots = [self._spawn() for _ in range(max(1, jobs))]
        self.peak_rss_mb = 0.0

    def _spawn(self) -> _Slot:
        q = self.ctx.Queue()
        p = self.ctx.Process(target=_worker, args=(q, self.results) + self.args, daemon=True)
        p.start()
        return _Slot(p, q)

    def _replace(self, i: int, kill: bool) -> None:
        s = self.slots[i]
        if kill and s.proc.is_alive():
            s.proc.kill()
        s.proc.join(timeout=5)
        self.slots[i] = self._spawn()

    def run(self, tasks: list[tuple], on_result: Callable[[tuple, dict], None]) -> None:
        pending = list(reversed(tasks))
        by_id = {}
        msgs = _messages(self.timeout, self.mem_mb)
        while pending or any(s.task for s in self.slots):
            for i, s in enumerate(self.slots):
                if s.task is None and pending:
                    if not s.proc.is_alive():
                        self._replace(i, kill=False)
                        s = self.slots[i]
                    elif s.done >= self.max_tasks:
                        s.tasks.put(None)
                        self._replace(i, kill=False)
                        s = self.slots[i]
                    t = pending.pop()
                    by_id[t[0]] = i
                    s.task, s.started = t, time.monotonic()
                    s.tasks.put(t)
            try:
                tid, status, payload, rss = self.results.get(timeout=0.05)
                self.peak_rss_mb = max(self.peak_rss_mb, rss)
            except queue.Empty:
                tid = None
            if tid is not None:
                i = by_id.pop(tid, None)
                if i is None or self.slots[i].task is None or self.slots[i].task[0] != tid:
                    continue
                s = self.slots[i]
                task, s.task = s.task, None
                s.done += 1
                if status == "ok":
                    on_result(task, payload)
                    if any(p["code"] == "memory_limit" for p in payload["problems"]):
                        self._replace(i, kill=False)   # that worker exits to start afresh
                else:
                    detail = re.sub(r"[.!?]+", "", str(payload or ""))[:120]
                    msg = msgs[status][:-1] + (f" ({detail})." if detail else ".")
                    on_result(task, {"sheets": [], "criteria": [], "fields": [], "templates": {},
                                     "problems": [problem_row(task[2], status, msg)]})
                    if status == "memory_limit":
                        self._replace(i, kill=True)
                continue
            now = time.monotonic()
            for i, s in enumerate(self.slots):
                if s.task is None:
                    continue
                code = None
                if now - s.started > self.timeout:
                    code = "timeout"
                elif not s.proc.is_alive():
                    code = "memory_limit" if s.proc.exitcode in (-9,) and self.mem_mb else "worker_crashed"
                if code:
                    task, s.task = s.task, None
                    by_id.pop(task[0], None)
                    self._replace(i, kill=True)
                    on_result(task, {"sheets": [], "criteria": [], "fields": [], "templates": {},
                                     "problems": [problem_row(task[2], code, msgs[code])]})

    def close(self) -> None:
        for s in self.slots:
            try:
                s.tasks.put(None)
            except Exception:
                pass
        for s in self.slots:
            s.proc.join(timeout=2)
            if s.proc.is_alive():
                s.proc.kill()


def _dask_map(address: str, tasks: list[tuple], rules_dir, on_result) -> None:
    try:
        from distributed import Client, as_completed
    except ImportError as e:
        raise SystemExit("extract: --scheduler needs the optional extra: pip install 'extract[dask]'") from e
    templates = load_rules(rules_dir)
    with Client(address) as client:
        futs = {client.submit(extract_rows, t[1], t[2], templates, t[3], t[4], pure=False): t for t in tasks}
        for fut in as_completed(futs):
            on_result(futs[fut], fut.result())


# ------------------------------------------------------------------ output

def write_tables(all_rows: dict[str, list[dict]], out_dir: Path) -> dict[str, int]:
    """Write the tables into a temporary folder inside out_dir, then swap each into place.

    sheets and criteria are partitioned by fiscal year (hive layout, fy=2016/…,
    fy=unknown where none was read); problems is one file."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from .tables import SCHEMAS

    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = out_dir / f".tmp-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    year_of = {r["sheet_id"]: r.get("fiscal_year") for r in all_rows["sheets"]}
    counts = {}
    for name in TABLES:
        rows = all_rows.get(name, [])
        folder = tmp / name
        folder.mkdir()
        counts[name] = len(rows)
        if name == "problems":
            pq.write_table(pa.Table.from_pylist(rows, schema=SCHEMAS[name]), folder / "part-0.parquet")
            continue
        parts: dict[str, list[dict]] = {}
        for r in rows:
            y = r.get("fiscal_year") if name == "sheets" else year_of.get(r["sheet_id"])
            parts.setdefault("unknown" if y is None else str(y), []).append(r)
        if not parts:   # an empty table still has its schema on disk
            parts["unknown"] = []
        for key, rs in sorted(parts.items()):
            (folder / f"fy={key}").mkdir()
            pq.write_table(pa.Table.from_pylist(rs, schema=SCHEMAS[name]),
                           folder / f"fy={key}" / "part-0.parquet")
    for name in TABLES:
        final = out_dir / name
        if final.exists() or final.is_symlink():
            os.replace(final, tmp / f"{name}.old")
        os.replace(tmp / name, final)
    shutil.rmtree(tmp, ignore_errors=True)
    return counts


# ------------------------------------------------------------------ the run

def run(inputs: Iterable[str | Path], out_dir: str | Path, rules_dir=None, jobs: int | None = None,
        timeout: float = 120.0, memory_limit_mb: int | None = 2048, force: bool = False,
        password: str | None = None, cache_dir: str | Path | None = None, max_tasks: int = 50,
        scheduler: str | None = None, progress: Callable | None = None) -> tuple[dict, RunStats]:
    """Extract every PDF under `inputs` into `out_dir`; returns (rows by table, stats)."""
    t0 = time.monotonic()
    out_dir = Path(out_dir)
    templates = load_rules(rules_dir)
    cache = Cache(Path(cache_dir) if cache_dir else out_dir / ".cache", templates)
    files = list(iter_pdfs(inputs))
    stats = RunStats(files=len(files))
    results: list[dict | None] = [None] * len(files)
    todo = []
    for i, (path, rel) in enumerate(files):
        try:
            sha = file_sha256(path)
        except OSError as e:
            results[i] = {"sheets": [], "criteria": [], "fields": [], "templates": {}, "problems": [
                problem_row(rel, "unreadable_pdf", f"The file cannot be opened ({e.strerror}).")]}
            continue
        hit = None if force else cache.get(sha, rel)
        if hit is not None:
            results[i] = hit
            stats.cached += 1
        else:
            todo.append((i, str(path), rel, password, sha))
    done = [0]

    def account(i: int, rows: dict) -> None:
        results[i] = rows
        done[0] += 1
        stats.sheets += len(rows["sheets"]) + sum(len(rows.get(n, [])) for n in _FAMILY_SHEETS)
        for p in rows["problems"]:
            stats.problems[p["code"]] = stats.problems.get(p["code"], 0) + 1
        if progress:
            progress(files[i][1], rows, done[0], len(files), stats)

    for i, r in enumerate(results):
        if r is not None:
            account(i, r)

    def on_result(task, rows):
        i, _, _, _, sha = task
        cache.put(sha, rows)
        account(i, rows)

    if todo:
        if scheduler:
            _dask_map(scheduler, [(t[0], t[1], t[2], t[3], t[4]) for t in todo], rules_dir, on_result)
        else:
            jobs = jobs or os.cpu_count() or 1
            pool = LocalPool(min(jobs, len(todo)), rules_dir, timeout, memory_limit_mb, max_tasks)
            try:
                pool.run(todo, on_result)
            finally:
                pool.close()
            stats.peak_worker_rss_mb = pool.peak_rss_mb
    all_rows = {name: [r for res in results if res for r in res.get(name, [])] for name in TABLES}
    write_tables(all_rows, out_dir)
    stats.seconds = time.monotonic() - t0
    return all_rows, stats
