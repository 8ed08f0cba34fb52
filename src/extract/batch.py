"""Batch engine: worker processes with per-file time and memory limits, a result cache,
and output swapped in at the end so a killed run leaves the previous tables intact.

The unit of work is `extract_rows`: a pure function from one PDF to its table rows, so the
same run can be spread over local processes or a Dask cluster.
"""
from __future__ import annotations

import contextlib
import gc
import hashlib
import importlib
import json
import multiprocessing as mp
import os
import re
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from multiprocessing import connection as mp_connection
from pathlib import Path
from typing import Callable, Iterable

from . import __version__, lifeline, outdir, workers
from .readers import DEFAULT_READER
from .inputs import display_name, file_sha256, iter_pdfs
from .model import FileResult
from . import split
from .outdir import TABLES, OutputError
from .rules import Template, evaluation_templates, load_rules
from .rows import FAMILY_TABLES
from .rows import rows as table_rows

# The sheets tables of the cell families (review_sheets): counted as sheets too.
_FAMILY_SHEETS = tuple(n for n in FAMILY_TABLES if n.endswith("_sheets"))
# Results that depend on no template: they stay valid whatever the rules say.
_TEMPLATE_FREE = {"unreadable_pdf", "encrypted", "no_text_layer", "garbled_text"}
# Problems of the run itself, not of the file: never cached.
_TRANSIENT = {"timeout", "worker_crashed", "memory_limit"}
# Results that depend on the password given: never cached (a run with --password must try again).
_PASSWORD_DEPENDENT = {"encrypted"}
# Exit status of a worker that could not start (e.g. --memory-limit below what it needs).
STARTUP_FAILED = 75
# A worker is replaced by a fresh one after this many files. Not for its memory (a worker's
# anonymous memory stayed at 40 MB over 600 files in a row), but in case a file leaves
# something behind; a fresh worker's first file costs 50-100 ms more (its caches are cold),
# which at 50 files a worker was ~5% of a run.
MAX_TASKS = 500
_CACHE_TMP = re.compile(r"^(?:[0-9a-f]{64}|probe)\.tmp(\d+)$")


# A worker does not start with less than this left under its --memory-limit.
STARTUP_HEADROOM_BYTES = 64 * 2**20

# A worker's garbage collector runs its youngest generation after this many new container
# objects (Python's default: 700); see collect_less.
GC_YOUNG = 5000


class OptionError(ValueError):
    """An option of the run that cannot work (a timeout of 0, a negative limit)."""


class WorkerStartError(Exception):
    """No worker process could start: the run cannot extract anything."""


class Interrupted(KeyboardInterrupt):
    """The run was interrupted (Ctrl-C, SIGTERM); `done` files were extracted and cached,
    the output folder is unchanged."""

    def __init__(self, done: int):
        super().__init__(done)
        self.done = done


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
                 password: str | None = None, sha256: str | None = None,
                 reader: str | None = None) -> dict:
    """One PDF to its rows: {"sheets": [...], "criteria": [...], "problems": [...],
    "templates": {id: digest of the rules used}}. Pure: same input, same output."""
    from .api import extract_pdf      # worker side: the main process reads no PDF
    if not isinstance(templates, list):
        templates = load_rules(templates)
    return rows_of(extract_pdf(path, templates, password, source_path, sha256, reader=reader), templates)


def rows_of(res: FileResult, templates: list[Template]) -> dict:
    """The table rows of one file's result, with the digests of the templates it used."""
    out = table_rows([res])
    by_id = {t.id: t.digest for t in templates}
    out["templates"] = {s.template: by_id.get(s.template, "") for s in res.sheets + res.cell_sheets}
    return out


def problem_row(source_path: str, code: str, message: str, severity: str = "error") -> dict:
    return {"source_path": source_path, "sheet_index": None, "sheet_id": None, "severity": severity,
            "code": code, "field": None, "message": message}


# ------------------------------------------------------------------ cache

class Cache:
    """One JSON file per PDF, keyed by its sha256 and the extractor version; an entry is
    valid while the rules of the templates it used are unchanged."""

    def __init__(self, folder: Path, templates: list[Template], reader: str | None = None):
        self.folder = folder
        named = reader and reader != DEFAULT_READER       # another reader: entries of its own
        self.version = extractor_version() + (f"+{reader}" if named else "")
        self.digests = {t.id: t.digest for t in templates}
        self.all_digest = hashlib.sha256("".join(sorted(self.digests.values())).encode()).hexdigest()
        self.made: set[Path] = set()    # subfolders known to exist (a mkdir costs ~1 ms on overlay file systems)

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
        """Store the rows of one file; OutputError when the cache cannot be written (a full
        disk), with no temporary file left behind."""
        codes = {r["code"] for r in rows["problems"] if r["severity"] == "error"}
        if codes & (_TRANSIENT | _PASSWORD_DEPENDENT):
            return
        entry = {"version": self.version, "templates": rows.get("templates") or {},
                 "template_free": bool(codes) and codes <= _TEMPLATE_FREE,
                 "all_digest": self.all_digest,
                 "rows": {k: rows.get(k, []) for k in TABLES}}
        p = self._path(sha)
        tmp = p.with_suffix(f".tmp{os.getpid()}")
        try:
            if p.parent not in self.made:
                p.parent.mkdir(parents=True, exist_ok=True)
                self.made.add(p.parent)
            tmp.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, p)
        except OSError as e:
            try:
                tmp.unlink()
            except OSError:
                pass
            raise OutputError(f"cannot write the cache ({outdir.describe(e, e.filename or tmp)}); "
                              "the previous output is unchanged") from e

    def check(self) -> None:
        """OutputError unless the cache folder can be created and written."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            probe = self.folder / f"probe.tmp{os.getpid()}"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as e:
            raise OutputError(f"cannot write the cache folder ({outdir.describe(e, e.filename or self.folder)})") from e

    def remove_leftovers(self) -> int:
        """Delete temporary entries that runs which died left behind (their process is gone)."""
        n = 0
        try:
            subs = [d for d in self.folder.iterdir() if len(d.name) == 2 and d.is_dir()]
        except OSError:
            return 0
        for d in [self.folder] + subs:
            for f in d.iterdir():
                m = _CACHE_TMP.match(f.name)
                if m and not lifeline.alive(int(m.group(1))):
                    try:
                        f.unlink()
                        n += 1
                    except OSError:
                        pass
        return n


# ------------------------------------------------------------------ workers

def _limit_memory(mb: int | None) -> None:
    """Limit the worker's address space to mb MB; MemoryError when it is (nearly) there
    already (the forkserver hands workers the extractor and its dictionary loaded)."""
    if not mb:
        return
    from .pdfium import mapped_bytes
    lim = mb * 1024 * 1024
    size = mapped_bytes()
    if size + STARTUP_HEADROOM_BYTES > lim:
        raise MemoryError(f"the worker maps {size / 2**20:.0f} MB already")
    try:
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (lim, lim))
    except (ImportError, ValueError, OSError):
        pass


@dataclass(frozen=True)
class Task:
    """One PDF for a worker: its position in the run, where it is, its source_path, the
    password to try and its sha256 (already computed by the plan)."""
    index: int
    path: str
    source_path: str
    password: str | None
    sha256: str
    # A step of a big file split into page ranges (split.py): "read" or "sheets" of the
    # pages span[0]..span[1]-1; the step "sheets" has the file's margin marks and goes to
    # the worker (pid) that read its pages, while that worker lives.
    step: str = ""
    span: tuple[int, int] = (0, 0)
    marks: tuple = ()
    worker: int = 0


def _worker(tasks, answers, rules_dir, mem_mb, parent_pid=None, reader=None):
    """A worker process: tasks from its own pipe (tasks), answers down its own pipe (answers,
    the write end of a Pipe: no lock shared with other workers, which one killed while
    writing would leave held, so that no other worker's answer came through)."""
    lifeline.die_with_parent()
    if parent_pid:
        lifeline.watch(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)    # Ctrl-C is the main process's to handle
    try:
        _limit_memory(mem_mb)
        templates = load_rules(rules_dir)
        from .match import tagger
        tagger()
        answers.send((-1, "ready", os.getpid(), 0.0, 0.0))
        collect_less()
    except BaseException:   # most likely --memory-limit below what a worker needs to start
        os._exit(STARTUP_FAILED)
    while True:
        item = tasks.get()
        if item is None:
            return
        began = time.monotonic()
        status, payload = _answer(item, templates, reader)
        # with the seconds it took: the pool may learn of its start late (LocalPool._assign)
        answers.send((item.index, status, payload, _peak_rss_mb(), time.monotonic() - began))
        if _restarts(status, payload):
            return      # start afresh: the heap may be in pieces


def collect_less() -> None:
    """A worker's garbage collector, once it has started: what it holds now (modules, rules,
    the tagger's dictionary) lives as long as it does, so it is frozen and no longer walked
    at every full collection; and a page's thousands of glyphs and lines are young objects
    freed by reference counting, so the youngest generation is collected every GC_YOUNG
    new objects instead of 700. The collector then takes a fifth of what it took
    (bench/gc_worker.py)."""
    gc.freeze()
    gc.set_threshold(GC_YOUNG, *gc.get_threshold()[1:])


def _answer(item: Task, templates: list[Template], reader: str | None) -> tuple[str, object]:
    """(status, payload) of one task, as the worker sends it."""
    try:
        if item.step:
            return "ok", _step(item, templates)
        return "ok", extract_rows(item.path, item.source_path, templates, item.password,
                                  item.sha256 or None, reader)
    except MemoryError:
        return "memory_limit", None
    except Exception as e:   # extract_pdf catches file errors; this is a bug: report it
        return "worker_crashed", f"{type(e).__name__}: {e}"


def _restarts(status: str, payload) -> bool:
    """Whether the worker that gave this answer ends after it (to start afresh)."""
    return status == "memory_limit" or (
        status == "ok" and any(p["code"] == "memory_limit" for p in payload["problems"]))


def _step(task: Task, templates: list[Template]) -> dict:
    """A step of a split file (split.py), as a worker's answer ("problems": none of its own)."""
    from . import ranges        # worker side (the forkserver has it loaded)
    if task.step == "read":
        got: object = ranges.read_range(task.path, templates, task.password, *task.span)
    else:       # as rows, numbered from 0: a few kB, where the sheets themselves are megabytes
        part = ranges.range_sheets(task.path, templates, task.password, *task.span, list(task.marks))
        part.result.source_path, part.result.source_sha256 = display_name(task.source_path), task.sha256
        got = split.PartRows(rows_of(part.result, templates), part.starts, part.counts, part.whole)
    return {"step": got, "worker": os.getpid(), "problems": []}


@dataclass
class _Slot:
    proc: mp.Process
    tasks: object
    answers: object                 # the read end of the worker's answer pipe
    task: Task | None = None        # the task the worker is on
    started: float = 0.0
    done: int = 0
    queued: Task | None = None      # the next one, already in its pipe (see LocalPool._assign)


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

    def __init__(self, jobs: int, rules_dir, timeout: float, mem_mb: int | None, max_tasks: int,
                 reader: str | None = None):
        self.ctx = workers.context(reader)
        self.args = (rules_dir, mem_mb, os.getpid(), reader)
        self.timeout = timeout
        self.mem_mb = mem_mb
        self.max_tasks = max_tasks
        self.slots = [self._spawn() for _ in range(max(1, jobs))]
        self.peak_rss_mb = 0.0
        self.file_clock: dict[str, float] = {}     # a split file's first step started then

    def _spawn(self) -> _Slot:
        # A task is written to the worker's pipe at once (SimpleQueue): a Queue hands it to a
        # feeder thread, which waits for the GIL while the main process handles the answer
        # just in, and the worker idled ~1.5 ms a file.
        q = self.ctx.SimpleQueue()
        answers, w = self.ctx.Pipe(duplex=False)
        p = self.ctx.Process(target=_worker, args=(q, w) + self.args, daemon=True)
        p.start()
        w.close()       # the worker's end: read gives EOFError once the worker is gone
        return _Slot(p, q, answers)

    def _replace(self, i: int, kill: bool) -> None:
        s = self.slots[i]
        if s.queued is not None:        # never read by the worker that goes: given again
            self.pending.append(s.queued)
            s.queued = None
        if kill and s.proc.is_alive():
            s.proc.kill()
        s.proc.join(timeout=5)
        self._check_started(s)
        s.answers.close()
        self.slots[i] = self._spawn()

    def _check_started(self, s: _Slot) -> None:
        if s.proc.exitcode == STARTUP_FAILED:
            limit = f" within --memory-limit {self.mem_mb} MB" if self.mem_mb else ""
            raise WorkerStartError(f"a worker process could not start{limit}"
                                   + ("; raise the limit (0 for none)" if self.mem_mb else ""))

    def run(self, tasks: list[Task], on_result: Callable[[Task, dict], None]) -> None:
        """Every task done, on_result called with each answer (it may add() more tasks)."""
        self.pending = list(reversed(tasks))
        by_id: dict[int, int] = {}
        msgs = _messages(self.timeout, self.mem_mb)
        while self.pending or any(s.task for s in self.slots):
            self._assign(self.pending, by_id)
            ready = mp_connection.wait([s.answers for s in self.slots], timeout=0.05)
            if not ready:
                self._check_slots(by_id, msgs, on_result)
            for conn in ready:
                i = next((k for k, s in enumerate(self.slots) if s.answers is conn), None)
                if i is None:       # its worker was replaced meanwhile: nothing of a task
                    continue
                try:
                    tid, status, payload, rss, seconds = conn.recv()
                except (EOFError, OSError):     # the worker is gone
                    self._gone(i, by_id, msgs, on_result)
                    continue
                self.peak_rss_mb = max(self.peak_rss_mb, rss)
                if tid != -1:       # -1: a worker says it is ready
                    self._receive(tid, (status, payload, seconds), by_id, msgs, on_result)

    def _gone(self, i: int, by_id, msgs, on_result) -> None:
        """Slot i's worker closed its answer pipe: it died or ended. It is made sure to be
        gone, so that _check_slots reports its task and replaces it; an idle one is replaced."""
        s = self.slots[i]
        s.proc.join(timeout=1)
        if s.proc.is_alive():       # an answer cut short: never leave a task without one
            s.proc.kill()
            s.proc.join(timeout=1)
        if s.task is not None:
            self._check_slots(by_id, msgs, on_result)
        if self.slots[i] is s:
            self._replace(i, kill=False)

    def add(self, task: Task) -> None:
        """A task given next to an idle worker (the worker it names, while that one lives)."""
        self.pending.append(task)

    def _take(self, pending: list[Task], s: _Slot) -> Task | None:
        """The next task for slot s: the newest one that names no worker, this one, or one
        that is gone."""
        live = {x.proc.pid for x in self.slots}
        for j in range(len(pending) - 1, -1, -1):
            w = pending[j].worker
            if not w or w == s.proc.pid or w not in live:
                return pending.pop(j)
        return None

    def _assign(self, pending: list[Task], by_id: dict[int, int]) -> None:
        """Give a task to every idle worker, replacing the dead and the worn out first;
        and to every busy one its next task, which it starts as soon as it has answered
        (waiting for the main process to hand it one cost ~1 ms a file). Not the last
        few tasks: one queued behind a long task would wait while another worker idles."""
        for i, s in enumerate(self.slots):
            if not pending:
                return
            if s.task is not None:
                if s.queued is None and s.done + 2 <= self.max_tasks and len(pending) > len(self.slots):
                    s.queued = self._give(pending, i, by_id)
                continue
            if not s.proc.is_alive():
                self._replace(i, kill=False)
            elif s.done >= self.max_tasks:
                s.tasks.put(None)
                self._replace(i, kill=False)
            t = self._give(pending, i, by_id)
            if t is not None:
                self._start(self.slots[i], t)

    def _give(self, pending: list[Task], i: int, by_id: dict[int, int]) -> Task | None:
        """The next task for slot i, sent to its worker."""
        s = self.slots[i]
        t = self._take(pending, s)
        if t is not None:
            by_id[t.index] = i
            s.tasks.put(t)
        return t

    def _start(self, s: _Slot, t: Task) -> None:
        """The worker of slot s is on task t from now."""
        s.task, s.started = t, time.monotonic()
        if t.step:      # --timeout is per file: a split file's steps share its clock
            s.started = self.file_clock.setdefault(t.sha256 or t.path, s.started)

    def _receive(self, tid: int, answer: tuple[str, object, float], by_id, msgs, on_result) -> None:
        """A worker's answer for task tid: (status, payload, seconds it took)."""
        status, payload, seconds = answer
        i = by_id.pop(tid, None)
        if i is None or self.slots[i].task is None or self.slots[i].task.index != tid:
            return
        s = self.slots[i]
        task, s.task = s.task, None
        s.done += 1
        # past its time before the check in _check_slots came round: a timeout all the
        # same, so that the limit does not depend on how often the pool looks
        late = status == "ok" and max(time.monotonic() - s.started, seconds) > self.timeout
        restarts = _restarts(status, payload)
        if s.queued is not None and not restarts:       # the worker is on its next task
            self._start(s, s.queued)
            s.queued = None
        if restarts:        # that worker exits, or is ended, to start afresh (late or not)
            self._replace(i, kill=status == "memory_limit")
        if late:
            on_result(task, _empty(problem_row(task.source_path, "timeout", msgs["timeout"])))
            return
        if status == "ok":
            self._assign(self.pending, by_id)  # the worker goes on while the answer is handled
            on_result(task, payload)
            return
        detail = re.sub(r"[.!?]+", "", str(payload or ""))[:120]
        msg = msgs[status][:-1] + (f" ({detail})." if detail else ".")
        on_result(task, _empty(problem_row(task.source_path, status, msg)))

    def _check_slots(self, by_id, msgs, on_result) -> None:
        """Stop the tasks past their time, and report those whose worker died."""
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
                s.proc.join(timeout=1)
                self._check_started(s)
                task, s.task = s.task, None
                by_id.pop(task.index, None)
                self._replace(i, kill=True)
                on_result(task, _empty(problem_row(task.source_path, code, msgs[code])))

    def close(self, kill: bool = False) -> None:
        """Stop the workers: ask them to finish, or (kill=True, on an interrupt or an
        error) end them at once."""
        for s in self.slots:
            if kill:
                s.proc.kill()
                continue
            try:
                s.tasks.put(None)
            except Exception:
                pass
        for s in self.slots:
            s.proc.join(timeout=0.5 if kill else 2)
            if s.proc.is_alive():
                s.proc.kill()
                s.proc.join(timeout=2)
        for s in self.slots:
            s.tasks.close()
            s.answers.close()


def _dask_map(address: str, tasks: list[Task], rules_dir, on_result, reader: str | None = None) -> None:
    try:
        from distributed import Client, as_completed
    except ImportError as e:
        raise SystemExit("extract: --scheduler needs the optional extra: pip install 'extract[dask]'") from e
    templates = load_rules(rules_dir)
    with Client(address) as client:
        futs = {client.submit(extract_rows, t.path, t.source_path, templates, t.password, t.sha256, reader,
                              pure=False): t
                for t in tasks}
        for fut in as_completed(futs):
            on_result(futs[fut], fut.result())


# ------------------------------------------------------------------ the run

def _empty(problem: dict) -> dict:
    return {"sheets": [], "criteria": [], "fields": [], "templates": {}, "problems": [problem]}


@dataclass
class _Plan:
    """What a run has to do: rows already known (cache, unreadable, duplicates) and tasks."""
    files: list[tuple[Path, str]]
    results: list[dict | None]
    todo: list[Task]
    cached: int = 0


def _plan(files: list[tuple[Path, str]], cache: Cache, force: bool, password: str | None) -> _Plan:
    """Hash every file; take what the cache has; a file with the bytes of an earlier one is
    extracted once (its sheets listed under the first path, a duplicate_file warning here)."""
    plan = _Plan(files, [None] * len(files), [])
    first_of: dict[str, str] = {}
    for i, (path, rel) in enumerate(files):
        try:
            sha = file_sha256(path)
        except OSError as e:
            plan.results[i] = _empty(problem_row(rel, "unreadable_pdf",
                                                 f"The file cannot be opened ({e.strerror})."))
            continue
        if sha in first_of:
            plan.results[i] = _empty(problem_row(
                rel, "duplicate_file", f"The file has the same bytes as {first_of[sha]}; its "
                "sheets are listed once, under that path.", severity="warning"))
            continue
        first_of[sha] = rel
        hit = None if force else cache.get(sha, rel)
        if hit is not None:
            plan.results[i] = hit
            plan.cached += 1
        else:
            plan.todo.append(Task(i, str(path), rel, password, sha))
    return plan


def _extract(plan: _Plan, on_result, rules_dir, jobs, timeout, memory_limit_mb, max_tasks,
             scheduler, stats: RunStats, reader: str | None = None) -> None:
    if scheduler:
        _dask_map(scheduler, plan.todo, rules_dir, on_result,
                  reader)
        return
    jobs = jobs or os.cpu_count() or 1
    tasks, on_answer = plan.todo, on_result
    if jobs > 1 and (reader or DEFAULT_READER) == "pdfium":
        splitter = _Splitter(len(plan.files), rules_dir, on_result)
        tasks, on_answer = splitter.tasks(plan.todo, jobs), splitter.receive
    pool = LocalPool(min(jobs, len(tasks)), rules_dir, timeout, memory_limit_mb, max_tasks, reader)
    if on_answer is not on_result:
        splitter.pool = pool
    ok = False
    try:
        pool.run(tasks, on_answer)
        ok = True
    finally:
        pool.close(kill=not ok)
    stats.peak_worker_rss_mb = pool.peak_rss_mb


def write_tables(all_rows: dict[str, list[dict]], out_dir: Path, sheets: list[Template] | None = None) -> dict:
    """The writer of a run (tables.write_tables, imported here: a worker, which imports this
    module too, never writes tables and starts without pyarrow); `sheets`: the templates
    whose fields the sheets table has (default: the shipped contract's)."""
    from .tables import sheets_schema
    from .tables import write_tables as write
    return write(all_rows, out_dir, {"sheets": sheets_schema(sheets)} if sheets else None)


def _import_writer() -> None:
    importlib.import_module(".tables", __package__).load()     # pyarrow.parquet, the schemas


@contextlib.contextmanager
def _writer_loading():
    """The Parquet writer (pyarrow.parquet, 0.16 s; not pandas: arrays.py) loaded in a
    thread while the run is planned and the workers work; joined on every way out, so that
    no import is left running into the interpreter's shutdown."""
    writer = threading.Thread(target=_import_writer, daemon=True)
    writer.start()
    try:
        yield
    finally:
        writer.join()


@dataclass
class _Split:
    """A file being extracted as page ranges: its task, ranges and the answers so far."""
    task: Task
    n_pages: int
    ranges: list[tuple[int, int]]
    reads: dict[int, object] = field(default_factory=dict)      # range no -> split.RangeRead
    parts: dict[int, object] = field(default_factory=dict)      # range no -> split.Part
    workers: dict[int, int] = field(default_factory=dict)       # range no -> pid that read it


class _Splitter:
    """Big files as page-range steps (split.py) and their answers put together: a file's
    rows are passed on once its last part is in; where the parts cannot decide, the file
    goes back to the pool as one task."""

    def __init__(self, first_id: int, rules_dir, on_result: Callable):
        self.next_id = first_id         # step tasks are numbered after the files
        self.rules_dir, self.on_result = rules_dir, on_result
        self.pool: LocalPool | None = None
        self.step_of: dict[int, tuple[_Split, int]] = {}    # step task id -> (file, range no)

    def tasks(self, todo: list[Task], jobs: int) -> list[Task]:
        out = []
        for t in todo:
            ranges = split.file_ranges(t.path, t.password, jobs)
            if not ranges:
                out.append(t)
                continue
            f = _Split(t, ranges[-1][1], ranges)
            out.extend(self._step(f, j, "read") for j in range(len(ranges)))
        return out

    def _step(self, f: _Split, j: int, step: str, marks: tuple = (), worker: int = 0) -> Task:
        t = f.task
        task = Task(self.next_id, t.path, t.source_path, t.password, t.sha256, step, f.ranges[j], marks, worker)
        self.step_of[self.next_id] = (f, j)
        self.next_id += 1
        return task

    def receive(self, task: Task, rows: dict) -> None:
        if task.index not in self.step_of:
            if not task.step:       # a file in one piece; else the step of a file already done
                self.on_result(task, rows)
            return
        f, j = self.step_of.pop(task.index)
        if "step" not in rows:          # timeout, crash, memory: the file's failure
            for r in rows["problems"]:
                r["source_path"] = f.task.source_path
            self._done(f, rows)
        elif task.step == "read":
            f.reads[j], f.workers[j] = rows["step"], rows["worker"]
            if len(f.reads) == len(f.ranges):
                self._read(f)
        else:
            f.parts[j] = rows["step"]
            if len(f.parts) == len(f.ranges):
                self._merge(f)

    def _done(self, f: _Split, rows: dict) -> None:
        dropped = {k for k, (g, _) in self.step_of.items() if g is f}
        for tid in dropped:
            del self.step_of[tid]          # answers still to come for this file are dropped
        self.pool.pending[:] = [t for t in self.pool.pending if t.index not in dropped]
        self.on_result(f.task, rows)

    def _read(self, f: _Split) -> None:
        reads = [f.reads[j] for j in range(len(f.ranges))]
        if split.decide(reads, f.n_pages):
            self.pool.add(f.task)
            return
        marks = tuple(m for r in reads for m in r.marks)
        for j in reversed(range(len(f.ranges))):
            self.pool.add(self._step(f, j, "sheets", marks, f.workers[j]))

    def _merge(self, f: _Split) -> None:
        t = f.task
        parts = [f.parts[j] for j in range(len(f.ranges))]
        if any(p.whole for p in parts):
            self.pool.add(t)
            return
        if not any(p.starts for p in parts):
            res = FileResult(display_name(t.source_path), t.sha256, problems=[split.no_sheet(parts)])
            self.on_result(t, rows_of(res, load_rules(self.rules_dir)))
            return
        self.on_result(t, split.merge_rows(parts, t.sha256))


def _check_options(timeout: float, memory_limit_mb: int | None, jobs: int | None) -> None:
    if not timeout > 0:
        raise OptionError(f"timeout must be more than 0 seconds, not {timeout:g}")
    if memory_limit_mb is not None and memory_limit_mb < 0:
        raise OptionError(f"memory limit must be 0 (none) or more MB, not {memory_limit_mb}")
    if jobs is not None and jobs < 1:
        raise OptionError(f"jobs must be at least 1, not {jobs}")


def run(inputs: Iterable[str | Path], out_dir: str | Path, rules_dir=None, jobs: int | None = None,
        timeout: float = 120.0, memory_limit_mb: int | None = 2048, force: bool = False,
        password: str | None = None, cache_dir: str | Path | None = None, max_tasks: int = MAX_TASKS,
        scheduler: str | None = None, progress: Callable | None = None,
        reader: str | None = None) -> tuple[dict, RunStats]:
    """Extract every PDF under `inputs` into `out_dir`; returns (rows by table, stats).
    `reader`: "pdfplumber" or "pdfium" (None for the default; a named reader has its own
    cache entries).

    Holds out_dir's lock for the whole run (OutputBusy when another run has it); checks
    before extracting that the output and cache folders can be written and that no table
    folder there belongs to someone else (OutputError). OptionError for a bad option,
    WorkerStartError when no worker can start, Interrupted on Ctrl-C / SIGTERM: in every
    case the previous output is unchanged and no temporary file is left behind."""
    _check_options(timeout, memory_limit_mb, jobs)
    if not scheduler:
        workers.start(reader)   # the workers' server loads the extractor while the run is planned
    t0 = time.monotonic()
    out_dir = Path(out_dir)
    templates = load_rules(rules_dir)
    with _writer_loading(), outdir.lock(out_dir):
        outdir.remove_leftovers(out_dir)
        outdir.check_replaceable(out_dir)
        cache = Cache(Path(cache_dir) if cache_dir else out_dir / ".cache", templates, reader)
        cache.check()
        cache.remove_leftovers()
        files = list(iter_pdfs(inputs))
        stats = RunStats(files=len(files))
        plan = _plan(files, cache, force, password)
        stats.cached = plan.cached
        done = [0]
        extracted = [0]

        def account(i: int, rows: dict) -> None:
            plan.results[i] = rows
            done[0] += 1
            stats.sheets += len(rows["sheets"]) + sum(len(rows.get(n, [])) for n in _FAMILY_SHEETS)
            for p in rows["problems"]:
                stats.problems[p["code"]] = stats.problems.get(p["code"], 0) + 1
            if progress:
                progress(files[i][1], rows, done[0], len(files), stats)

        for i, r in enumerate(plan.results):
            if r is not None:
                account(i, r)

        def on_result(task: Task, rows: dict) -> None:
            i, sha = task.index, task.sha256
            cache.put(sha, rows)
            extracted[0] += 1
            account(i, rows)

        with _TermAsInterrupt():
            try:
                if plan.todo:
                    _extract(plan, on_result, rules_dir, jobs, timeout, memory_limit_mb, max_tasks,
                             scheduler, stats, reader)
                all_rows = {name: [r for res in plan.results if res for r in res.get(name, [])] for name in TABLES}
                write_tables(all_rows, out_dir, sheets=evaluation_templates(templates))
            except KeyboardInterrupt as e:
                raise Interrupted(extracted[0]) from e
    stats.seconds = time.monotonic() - t0
    return all_rows, stats


class _Terminated(KeyboardInterrupt):
    pass


def _on_term(signum, frame):
    raise _Terminated()


class _TermAsInterrupt:
    """SIGTERM handled like Ctrl-C (in the main thread), so both end a run cleanly."""

    def __enter__(self):
        import threading
        self.old = None
        if threading.current_thread() is threading.main_thread():
            self.old = signal.signal(signal.SIGTERM, _on_term)
        return self

    def __exit__(self, *exc):
        if self.old is not None:
            signal.signal(signal.SIGTERM, self.old)
        return False
