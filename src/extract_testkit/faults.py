"""Fault injection for tests/test_faults.py and bench/faults.py: inputs, snapshots of an
output folder, a small tmpfs (a real full disk) or an injected ENOSPC, and the checks made
after each fault (previous output intact or the new one complete, nothing left behind)."""
from __future__ import annotations

import contextlib
import errno
import os
import pathlib
import subprocess
import sys
from pathlib import Path
from typing import Iterator

from extract import outdir

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
# Samples holding one or more sheets, each a few tenths of a second to extract.
GOOD = ["h28-iom-trafficking.pdf", "r1-subitems.pdf", "r4-unhcr-refugees-word.pdf",
        "h29-opcw-syria-word.pdf", "combined-h29-r4.pdf"]


def make_inputs(folder: Path, n: int, samples: Path = SAMPLES) -> Path:
    """n distinct PDFs in folder (a comment appended changes the bytes, not the sheets)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        name = GOOD[i % len(GOOD)]
        (folder / f"{i:03d}-{name}").write_bytes((samples / name).read_bytes() + f"\n%{i}\n".encode())
    return folder


def snapshot(out: Path) -> dict[str, bytes]:
    """Every output file under out with its bytes (the cache, the lock and temporary
    folders aside: they are not output)."""
    snap = {}
    for p in sorted(out.rglob("*")):
        rel = p.relative_to(out)
        if not p.is_file() or rel.parts[0] in (".cache", outdir.LOCK) \
                or rel.parts[0].startswith(outdir.TMP_PREFIX):
            continue
        snap[rel.as_posix()] = p.read_bytes()
    return snap


def leftovers(out: Path, cache: Path | None = None) -> list[str]:
    """Temporary files and folders a run left behind in OUT and in the cache."""
    left = [p.name for p in out.glob(outdir.TMP_PREFIX + "*")] if out.is_dir() else []
    cache = cache or out / ".cache"
    if cache.is_dir():
        left += [p.name for p in cache.rglob("*.tmp*")]
    return left


def complete(out: Path, inputs: Path) -> bool:
    """True when the tables in out list every PDF of `inputs` (as a sheet or a problem)."""
    import pandas as pd
    try:
        sheets = pd.read_parquet(out / "sheets")
        problems = pd.read_parquet(out / "problems")
    except (OSError, ValueError):
        return False
    named = {p.rsplit("/", 1)[-1] for p in list(sheets["source_path"]) + list(problems["source_path"])}
    return {p.name for p in inputs.glob("*.pdf")} <= named


# A tmpfs that holds the output of one sheet PDF (tables, marks and cache: ~210 KiB) but
# not that of eight (~880 KiB while the old tables are still there).
TMPFS_KIB = 320


@contextlib.contextmanager
def tmpfs(mountpoint: Path, kb: int) -> Iterator[bool]:
    """Mount a tmpfs of `kb` KiB at mountpoint (root on Linux); yields False where that is
    not possible (the caller then injects ENOSPC instead). Unmounted afterwards."""
    mountpoint.mkdir(parents=True, exist_ok=True)
    ok = False
    if sys.platform.startswith("linux") and hasattr(os, "geteuid") and os.geteuid() == 0:
        ok = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kb}k", "tmpfs", str(mountpoint)],
                            capture_output=True).returncode == 0
    try:
        yield ok
    finally:
        if ok:
            subprocess.run(["umount", "-l", str(mountpoint)], capture_output=True)


def resize_tmpfs(mountpoint: Path, kb: int) -> None:
    subprocess.run(["mount", "-o", f"remount,size={kb}k", str(mountpoint)], check=True,
                   capture_output=True)


class DiskFull:
    """Make the n-th write of the output (a Parquet file, or a cache entry or mark written
    with Path.write_text) fail with ENOSPC after writing part of the file, as a full disk
    does. A context manager; `.hits` counts the writes seen."""

    def __init__(self, at: int):
        self.at = at
        self.hits = 0

    def _fail(self, path) -> None:
        self.hits += 1
        if self.hits == self.at:
            Path(path).write_bytes(b"partial") if Path(path).parent.is_dir() else None
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    def __enter__(self) -> "DiskFull":
        import pyarrow.parquet as pq
        self._pq, self._wt = pq.write_table, pathlib.Path.write_text
        real_pq, real_wt = self._pq, self._wt

        def write_table(table, where, *a, **k):
            self._fail(where)
            return real_pq(table, where, *a, **k)

        def write_text(path, *a, **k):
            self._fail(path)
            return real_wt(path, *a, **k)

        pq.write_table = write_table
        pathlib.Path.write_text = write_text
        return self

    def __exit__(self, *exc) -> None:
        import pyarrow.parquet as pq
        pq.write_table = self._pq
        pathlib.Path.write_text = self._wt
