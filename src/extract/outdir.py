"""The output folder: what in it belongs to extract, its lock, and leftovers of crashed runs.

OUT may hold anything of the user's. extract touches only what it created there:
  - the table folders sheets/, criteria/, problems/, fields/, each marked by a
    `.extract-table.json` file that lists every file extract wrote in it;
  - `.extract.lock` (who is writing), `.extract-tmp-*` (a write in progress) and the
    default cache folder `.cache/`.
A table folder without the mark, or holding a file the mark does not list, is the user's:
a run refuses to replace it (OutputError) instead of deleting it.
"""
from __future__ import annotations

import errno
import json
import os
import re
import shutil
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from .rows import FAMILY_TABLES

MARK = ".extract-table.json"
LOCK = ".extract.lock"
TMP_PREFIX = ".extract-tmp-"
TMP_MARK = ".extract-tmp"
# In a temporary folder: its tables are being swapped into OUT (a run that dies then has
# its swap finished by the next run, so OUT never stays half old, half new).
SWAP_MARK = ".extract-swapping"
TABLES = ("sheets", "criteria", "problems", "fields") + FAMILY_TABLES


# What versions of extract before the marks wrote in a table folder, and nothing else.
_OLD_LAYOUT = re.compile(r"fy=[0-9a-z]+(/part-0\.parquet)?|part-0\.parquet")


class OutputError(Exception):
    """The output folder cannot be written, or holds something extract must not replace."""


class OutputBusy(OutputError):
    """Another run holds the output folder's lock."""


def describe(e: OSError, path: Path | str) -> str:
    """One line for an OSError on `path`: 'No space left on device: out/sheets'."""
    why = e.strerror or (errno.errorcode.get(e.errno or 0) if e.errno else None) or str(e)
    return f"{why}: {path}"


def table_files(folder: Path) -> set[str]:
    """Every file and folder below `folder`, as posix paths relative to it."""
    out = set()
    for dirpath, dirnames, filenames in os.walk(folder):
        rel = Path(dirpath).relative_to(folder)
        for n in dirnames + filenames:
            out.add((rel / n).as_posix())
    return out


def write_mark(folder: Path) -> None:
    """List what extract wrote in a table folder (call after the last file is written)."""
    files = sorted(table_files(folder) - {MARK})
    (folder / MARK).write_text(json.dumps({"tool": "extract", "files": files}), encoding="utf-8")


def foreign_files(folder: Path) -> list[str]:
    """What in an existing table folder extract did not write ([] when it is all ours).
    A folder without the mark is foreign as a whole."""
    if folder.is_symlink() or not folder.is_dir():
        return [folder.name]
    try:
        listed = set(json.loads((folder / MARK).read_text(encoding="utf-8"))["files"])
    except (OSError, ValueError, KeyError, TypeError):
        files = table_files(folder)     # an earlier version wrote no mark: exactly its layout?
        ours = files and all(_OLD_LAYOUT.fullmatch(f) for f in files)
        return [] if ours else [folder.name]
    return sorted(table_files(folder) - listed - {MARK})


def check_replaceable(out_dir: Path) -> None:
    """Raise OutputError naming the first table folder in out_dir that is not extract's."""
    for name in TABLES:
        final = out_dir / name
        if not (final.exists() or final.is_symlink()):
            continue
        foreign = foreign_files(final)
        if foreign:
            what = (f"{final} was not written by extract" if foreign == [name]
                    else f"{final} holds files extract did not write ({', '.join(foreign[:3])})")
            raise OutputError(f"{what}; it is left untouched: choose another output folder (-o) "
                              "or move it away")


def make_tmp(out_dir: Path) -> Path:
    """A fresh, marked temporary folder inside out_dir for a write in progress."""
    tmp = out_dir / f"{TMP_PREFIX}{os.getpid()}-{time.time_ns()}"
    tmp.mkdir()
    try:
        (tmp / TMP_MARK).write_text("", encoding="utf-8")
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return tmp


def _move_in(tmp: Path, out_dir: Path, name: str) -> None:
    final = out_dir / name
    if not (tmp / name).exists():
        return      # moved already
    if final.exists() or final.is_symlink():
        os.replace(final, tmp / f"{name}.old")
    os.replace(tmp / name, final)


def swap_in(tmp: Path, out_dir: Path) -> None:
    """Move the table folders written in tmp into out_dir, the old ones into tmp.

    Journalled: a process killed half-way leaves tmp marked, and remove_leftovers (at the
    start of the next run) finishes the swap; on an OSError what was moved is put back."""
    (tmp / SWAP_MARK).write_text("", encoding="utf-8")
    done: list[str] = []
    try:
        for name in TABLES:
            done.append(name)
            _move_in(tmp, out_dir, name)
    except OSError:
        for name in reversed(done):
            final, old = out_dir / name, tmp / f"{name}.old"
            try:
                if not (tmp / name).exists() and final.exists():
                    os.replace(final, tmp / name)
                if old.exists():
                    os.replace(old, final)
            except OSError:
                pass
        (tmp / SWAP_MARK).unlink()
        raise


def _old_tmp(p: Path) -> bool:
    """A `.tmp-PID` folder of an earlier version of extract (nothing but table folders)."""
    if not re.fullmatch(r"\.tmp-\d+", p.name) or not p.is_dir() or p.is_symlink():
        return False
    names = set(TABLES) | {f"{t}.old" for t in TABLES}
    return all(c.name in names and c.is_dir() for c in p.iterdir())


def remove_leftovers(out_dir: Path) -> list[str]:
    """Finish the swaps and delete the temporary folders of earlier runs that died (only
    marked ones); call with the lock held, so that none of them is in use. Returns their names."""
    gone = []
    try:
        entries = sorted(out_dir.iterdir())
    except OSError:
        return gone
    for p in entries:
        if _old_tmp(p):     # left by a version before the marks: only table folders in it
            shutil.rmtree(p, ignore_errors=True)
            gone.append(p.name)
        elif p.name.startswith(TMP_PREFIX) and p.is_dir() and not p.is_symlink() \
                and (p / TMP_MARK).exists():
            if (p / SWAP_MARK).exists():
                for name in TABLES:
                    try:
                        _move_in(p, out_dir, name)
                    except OSError:
                        break
            shutil.rmtree(p, ignore_errors=True)
            gone.append(p.name)
    return gone


@dataclass
class Lock:
    """An exclusive flock on OUT/.extract.lock, released when closed or when the process dies."""
    path: Path
    fd: int

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> "Lock":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# A run that finds the lock taken waits this long (s) for its holder's name, read every
# HOLDER_POLL s: two runs started together meet between the first one's flock and its write.
HOLDER_WAIT = 0.5
HOLDER_POLL = 0.01


def holder(path: Path) -> str:
    """Who holds the lock, as its holder wrote it; read again for up to HOLDER_WAIT seconds
    while it has not (a run writes its name just after taking the lock)."""
    give_up = time.monotonic() + HOLDER_WAIT
    while True:
        try:
            info = json.loads(path.read_text(encoding="utf-8"))
            return f"process {info['pid']} on {info['host']} since {info['since']}"
        except (OSError, ValueError, KeyError, TypeError):
            if time.monotonic() >= give_up:
                return "another process"
            time.sleep(HOLDER_POLL)


def lock(out_dir: Path) -> Lock:
    """Create out_dir if needed and take its lock without waiting.

    OutputBusy when another run holds it (the message names that run); OutputError when the
    folder cannot be created or written."""
    import fcntl
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / LOCK
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise OutputError(f"cannot write the output folder ({describe(e, e.filename or out_dir)})") from e
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as e:
        os.close(fd)
        if e.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            raise OutputBusy(f"{out_dir} is being written by {holder(path)}; wait for it to "
                             "finish or choose another output folder (-o)") from e
        raise OutputError(f"cannot lock the output folder ({describe(e, path)})") from e
    info = {"pid": os.getpid(), "host": socket.gethostname(),
            "since": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
    except OSError as e:
        os.close(fd)
        raise OutputError(f"cannot write the output folder ({describe(e, path)})") from e
    return Lock(path, fd)
