"""Fault injection (issue 8): a full disk (a real small tmpfs where one can be mounted, else
ENOSPC injected at the write), SIGKILL of the main process at several moments, two runs at
once, an unwritable OUT. After each: the previous output byte-identical or the new one
complete, no process left, no temporary file left, and the next run finishes from the cache.
bench/faults.py runs the same checks at many more points."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extract import batch, outdir
from extract_testkit.faults import (TMPFS_KIB, DiskFull, complete, leftovers, make_inputs, resize_tmpfs,
                                    snapshot, tmpfs)
from extract_testkit.processes import wait_gone

N = 8


def cli(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "extract", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> tuple[Path, Path]:
    """(one file, a folder of N files) of distinct PDFs."""
    base = tmp_path_factory.mktemp("faults")
    many = make_inputs(base / "many", N)
    return next(iter(sorted(many.glob("*.pdf")))), many


def _after_fault(out: Path, many: Path, before: dict, cache: Path | None = None) -> None:
    """The checks after any fault, and the next run finishing from the cache."""
    now = snapshot(out)
    assert now == before or complete(out, many), "output neither unchanged nor complete"
    _, stats = batch.run([many], out, jobs=2, cache_dir=cache)
    assert complete(out, many)
    assert leftovers(out, cache) == []
    return stats


# ------------------------------------------------------------------ a full disk

@pytest.mark.parametrize("where", ["cache", "tables"])
def test_a_disk_filling_up_mid_run_on_a_real_tmpfs(tmp_path, inputs, where):
    one, many = inputs
    mnt = tmp_path / "mnt"
    with tmpfs(mnt, TMPFS_KIB) as mounted:
        if not mounted:
            pytest.skip("cannot mount a tmpfs here (the injected ENOSPC test covers this)")
        out = mnt / "out"
        cache = None if where == "cache" else tmp_path / "cache"
        cache_args = [] if cache is None else ["--cache", cache]
        assert cli("run", one, "-o", out, "-q", *cache_args).returncode == 0
        before = snapshot(out)
        proc = cli("run", many, "-o", out, "-q", *cache_args)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and "No space left on device" in lines[0], proc.stderr[-2000:]
        assert "previous output is unchanged" in lines[0]
        assert snapshot(out) == before
        assert leftovers(out, cache) == []
        resize_tmpfs(mnt, 8192)
        stats = _after_fault(out, many, before, cache)
        assert stats.cached >= (1 if where == "cache" else N)


@pytest.mark.parametrize("at", [1, 2, 5, 8, 11, 14])
def test_enospc_injected_at_the_nth_write(tmp_path, inputs, at):
    one, many = inputs
    out = tmp_path / "out"
    batch.run([one], out, jobs=1)
    before = snapshot(out)
    with DiskFull(at) as full, pytest.raises(outdir.OutputError, match="No space left on device"):
        batch.run([many], out, jobs=2)
    assert full.hits >= at
    assert snapshot(out) == before
    assert leftovers(out) == []
    stats = _after_fault(out, many, before)
    assert stats.cached >= min(at - 1, N)


# ------------------------------------------------------------------ SIGKILL of the main process

@pytest.mark.parametrize("delay", [0.3, 1.5, 3.0])
def test_sigkill_of_the_main_process_at_some_moments(tmp_path, inputs, delay):
    one, many = inputs
    out = tmp_path / "out"
    batch.run([one], out, jobs=1)
    before = snapshot(out)
    proc = subprocess.Popen([sys.executable, "-m", "extract", "run", str(many), "-o", str(out), "-q"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    try:
        assert wait_gone(proc.pid, seconds=15) == []
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    _after_fault(out, many, before)


# ------------------------------------------------------------------ two runs at once

def test_two_runs_at_once_one_writes_the_other_exits_2(tmp_path, inputs):
    _, many = inputs
    out = tmp_path / "out"
    procs = [subprocess.Popen([sys.executable, "-m", "extract", "run", str(many), "-o", str(out), "-q"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close(), p.stderr.close()
    codes = sorted(rc for rc, _ in results)
    assert codes in ([0, 2], [0, 0]), results
    for rc, err in results:
        if rc == 2:
            assert "is being written by process" in err and "Traceback" not in err
    assert complete(out, many) and leftovers(out) == []


# ------------------------------------------------------------------ an unwritable OUT

def test_a_read_only_out_is_exit_2_and_untouched(tmp_path, inputs):
    one, _ = inputs
    mnt = tmp_path / "ro"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(mnt)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a read-only file system here")
    try:
        proc = cli("run", one, "-o", mnt / "out")
        assert proc.returncode == 2 and "Read-only file system" in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr and list(mnt.iterdir()) == []
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


# ------------------------------------------------------------------ leftovers of crashed runs

class _Killed(BaseException):
    """Stands for SIGKILL inside the swap: nothing after it runs, no rollback."""


def test_a_swap_cut_short_is_finished_by_the_next_run(tmp_path, inputs, monkeypatch):
    one, many = inputs
    out = tmp_path / "out"
    batch.run([one], out, jobs=1)
    old_fields = snapshot(out / "fields")
    real, moved = outdir._move_in, []

    def dies_after_two(tmp, out_dir, name):
        if len(moved) == 2:
            raise _Killed()
        real(tmp, out_dir, name)
        moved.append(name)

    monkeypatch.setattr(outdir, "_move_in", dies_after_two)
    with pytest.raises(_Killed):
        batch.run([many], out, jobs=2)
    monkeypatch.setattr(outdir, "_move_in", real)
    assert moved == ["sheets", "criteria"] and snapshot(out / "fields") == old_fields   # half old, half new
    assert len(leftovers(out)) == 1
    (out / ".tmp-4242" / "sheets").mkdir(parents=True)          # an older version's leftover
    (out / ".tmp-77").mkdir()
    (out / ".tmp-77" / "mine.txt").write_text("not extract's")   # not ours: stays
    assert len(outdir.remove_leftovers(out)) == 2
    assert complete(out, many) and snapshot(out / "fields") != old_fields   # the swap was finished
    assert leftovers(out) == [] and not (out / ".tmp-4242").exists()
    assert (out / ".tmp-77" / "mine.txt").read_text() == "not extract's"
    _, stats = batch.run([many], out, jobs=2)
    assert stats.cached == N
