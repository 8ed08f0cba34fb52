"""Never lose a user's data (issue 8): what OUT may hold, furniture never eating cell text,
cached results that depend on the password, odd file names, the environment (an unusable
OUT, options, a second run, Ctrl-C, a killed main process), inputs named unambiguously."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT, SAMPLES
from extract import batch, extract_pdf, outdir
from extract_testkit.processes import descendants_of_session, wait_gone

BOLD = SAMPLES / "h28-fake-bold.pdf"
KANGXI = SAMPLES / "r4-unv-kangxi.pdf"


def run_cli(*args, cwd=ROOT, timeout=300):
    return subprocess.run([sys.executable, "-m", "extract", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under folder (the cache and the lock file aside) with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and ".cache" not in p.parts and p.name != outdir.LOCK}


# ------------------------------------------------------------------ 1. OUT ownership

def test_an_input_folder_named_like_a_table_is_never_deleted(tmp_path):
    w = tmp_path / "w"
    (w / "sheets").mkdir(parents=True)
    shutil.copy(BOLD, w / "sheets" / BOLD.name)
    (w / "sheets" / "important.txt").write_text("mine")
    proc = run_cli("run", "sheets", "-o", ".", cwd=w)
    assert proc.returncode == 2, proc.stderr
    assert "was not written by extract" in proc.stderr and "Traceback" not in proc.stderr
    assert (w / "sheets" / BOLD.name).read_bytes() == BOLD.read_bytes()
    assert (w / "sheets" / "important.txt").read_text() == "mine"
    assert not (w / "criteria").exists() and not (w / "problems").exists()


def test_a_file_added_into_a_table_folder_is_kept(tmp_path):
    out = tmp_path / "out"
    assert run_cli("run", KANGXI, "-o", out, "-q").returncode == 0
    (out / "criteria" / "notes.txt").write_text("mine")
    before = snapshot(out)
    proc = run_cli("run", KANGXI, "-o", out, "-q")
    assert proc.returncode == 2 and "notes.txt" in proc.stderr
    assert snapshot(out) == before
    # everything else in OUT is the user's and stays: a rerun without the stray file works
    (out / "criteria" / "notes.txt").unlink()
    (out / "README.txt").write_text("user's")
    assert run_cli("run", KANGXI, "-o", out, "-q").returncode == 0
    assert (out / "README.txt").read_text() == "user's"


# ------------------------------------------------------------------ 2. furniture

def _criteria(result):
    return [[(c.no, c.label, c.text) for c in s.criteria] for s in result.sheets]


def test_the_same_sheet_twice_in_one_file_keeps_its_cell_text(tmp_path, extracted):
    pypdf = pytest.importorskip("pypdf")
    w = pypdf.PdfWriter()
    w.append(str(BOLD))
    w.append(str(BOLD))
    twice = tmp_path / "twice.pdf"
    w.write(twice)
    one = extracted(BOLD)
    got = extract_pdf(twice)
    assert len(got.sheets) == 2
    assert _criteria(got) == _criteria(one) * 2
    c2 = next(c for c in got.sheets[1].criteria if c.no == 2)
    assert len(c2.text) == 437 and c2.label.endswith("を含む)")


def test_page_furniture_outside_the_table_is_still_dropped(extracted):
    text = "".join(c.text for c in extracted(SAMPLES / "h28-page-furniture.pdf").sheets[0].criteria)
    assert "評価シート" not in text and "-2-" not in text


# ------------------------------------------------------------------ 3. encrypted and the cache

def _encrypt(src: Path, dst: Path, user: str, owner: str) -> Path:
    pypdf = pytest.importorskip("pypdf")
    w = pypdf.PdfWriter(clone_from=str(src))
    w.encrypt(user_password=user, owner_password=owner, algorithm="AES-256")
    w.write(dst)
    return dst


def test_encrypted_is_not_cached_so_a_run_with_the_password_extracts(tmp_path):
    enc = _encrypt(KANGXI, tmp_path / "enc.pdf", "secret", "owner")
    out = tmp_path / "o"
    proc = run_cli("run", enc, "-o", out)
    assert proc.returncode == 1 and "encrypted" in proc.stdout
    proc = run_cli("run", enc, "-o", out, "--password", "secret")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len(pd.read_parquet(out / "sheets")) == 1


def test_a_password_does_not_break_an_owner_password_only_pdf(tmp_path):
    enc = _encrypt(KANGXI, tmp_path / "owner-only.pdf", "", "owner")
    out = tmp_path / "o"
    for _ in range(2):      # the second answer comes from the cache
        proc = run_cli("run", enc, "-o", out, "--password", "something-else")
        assert proc.returncode == 0, proc.stdout
        assert len(pd.read_parquet(out / "sheets")) == 1


# ------------------------------------------------------------------ 4. file names

@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file systems refuse invalid UTF-8 names")
def test_a_file_name_with_invalid_utf8_bytes(tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    bad = os.fsdecode(b"caf\xe9-") + KANGXI.name
    shutil.copy(KANGXI, inp / bad)
    shutil.copy(BOLD, inp / BOLD.name)
    out = tmp_path / "o"
    proc = run_cli("run", inp, "-o", out)
    assert proc.returncode == 0, proc.stderr[-2000:]
    paths = sorted(pd.read_parquet(out / "sheets")["source_path"])
    assert paths == ["in/caf\\xe9-r4-unv-kangxi.pdf", f"in/{BOLD.name}"]
    assert not list(out.rglob("*.tmp*")) and not list(out.glob(".extract-tmp-*"))
    proc = run_cli("audit", inp / bad, "-o", tmp_path / "a.html")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "caf\\xe9" in (tmp_path / "a.html").read_text(encoding="utf-8")


# ------------------------------------------------------------------ 5. an unusable OUT

@pytest.mark.parametrize("where", ["/proc/extract-out", "FILE/sub"])
def test_an_unwritable_out_is_exit_2_before_extracting(tmp_path, where):
    (tmp_path / "FILE").write_text("x")
    out = where.replace("FILE", str(tmp_path / "FILE"))
    if where.startswith("/proc") and not Path("/proc").is_dir():
        pytest.skip("no /proc")
    proc = run_cli("run", KANGXI, "-o", out)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert "cannot write the output folder" in proc.stderr


# ------------------------------------------------------------------ 7. a second run

def test_a_second_run_into_the_same_out_exits_2_naming_the_holder(tmp_path):
    out = tmp_path / "o"
    with outdir.lock(out):
        proc = run_cli("run", KANGXI, "-o", out, "-q")
    assert proc.returncode == 2
    assert f"process {os.getpid()}" in proc.stderr and "Traceback" not in proc.stderr
    assert not (out / "sheets").exists()
    assert run_cli("run", KANGXI, "-o", out, "-q").returncode == 0   # released


def test_a_lock_taken_a_moment_ago_names_its_holder_too(tmp_path):
    """Two runs started together: the second finds the lock taken before its holder has
    written who it is (flock, then the holder's pid into the file). It waits for the
    name (outdir.HOLDER_WAIT) rather than saying "another process"."""
    import fcntl
    import json
    import threading
    out = tmp_path / "o"
    out.mkdir()
    fd = os.open(out / outdir.LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)          # taken, the file still empty
        info = json.dumps({"pid": 4242, "host": "h", "since": "t"}).encode()
        threading.Timer(0.03, os.pwrite, (fd, info, 0)).start()
        with pytest.raises(outdir.OutputBusy, match="being written by process 4242 on h since t"):
            outdir.lock(out)
    finally:
        os.close(fd)


# ------------------------------------------------------------------ 8. options

@pytest.mark.parametrize("args", [["--timeout", "0"], ["--timeout", "-3"], ["--timeout", "nan"],
                                  ["--memory-limit", "-1"]])
def test_bad_limits_are_usage_errors(tmp_path, args):
    proc = run_cli("run", KANGXI, "-o", tmp_path / "o", *args)
    assert proc.returncode == 2 and "must be" in proc.stderr
    assert not (tmp_path / "o").exists()


def test_a_memory_limit_too_low_to_start_a_worker_is_said_once(tmp_path):
    out = tmp_path / "o"
    proc = run_cli("run", SAMPLES, "-o", out, "--memory-limit", "30", "-q")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "--memory-limit 30 MB" in lines[0], proc.stderr[-2000:]
    assert not (out / "sheets").exists() and not list(out.glob(".extract-tmp-*"))


# ------------------------------------------------------------------ 9. inputs

def test_the_same_file_twice_is_extracted_once(tmp_path):
    out = tmp_path / "o"
    assert run_cli("run", KANGXI, KANGXI, SAMPLES / ".." / "samples" / KANGXI.name, "-o", out).returncode == 0
    sheets = pd.read_parquet(out / "sheets")
    assert list(sheets["source_path"]) == [KANGXI.name]


def test_same_names_in_two_folders_and_a_copy_of_the_same_bytes(tmp_path):
    a, b = tmp_path / "2016", tmp_path / "2023"
    a.mkdir(), b.mkdir()
    shutil.copy(BOLD, a / "sheet.pdf")
    shutil.copy(KANGXI, b / "sheet.pdf")
    shutil.copy(KANGXI, b / "copy.pdf")
    out = tmp_path / "o"
    proc = run_cli("run", a, b, "-o", out)
    assert proc.returncode == 0, proc.stderr
    sheets = pd.read_parquet(out / "sheets")
    assert sorted(sheets["source_path"]) == ["2016/sheet.pdf", "2023/copy.pdf"]
    assert sheets["sheet_id"].is_unique
    probs = pd.read_parquet(out / "problems")
    dup = probs[probs["code"] == "duplicate_file"]
    assert list(dup["source_path"]) == ["2023/sheet.pdf"] and list(dup["severity"]) == ["warning"]


def test_a_symlinked_subfolder_is_followed_and_a_loop_ends(tmp_path):
    real = tmp_path / "elsewhere"
    real.mkdir()
    shutil.copy(KANGXI, real / KANGXI.name)
    inp = tmp_path / "in"
    inp.mkdir()
    shutil.copy(BOLD, inp / BOLD.name)
    (inp / "linked").symlink_to(real, target_is_directory=True)
    (real / "loop").symlink_to(inp, target_is_directory=True)
    proc = run_cli("run", inp, "-o", tmp_path / "o", timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert sorted(pd.read_parquet(tmp_path / "o" / "sheets")["source_path"]) == [
        f"in/{BOLD.name}", f"in/linked/{KANGXI.name}"]


# ------------------------------------------------------------------ 6, 10. signals

def _slow_input(tmp_path: Path, n: int = 16) -> Path:
    """n distinct PDFs (a comment appended changes the bytes, not the content)."""
    src = tmp_path / "in"
    src.mkdir()
    names = ["h28-iom-trafficking.pdf", "r1-subitems.pdf", "r4-unhcr-refugees-word.pdf"]
    for i in range(n):
        name = names[i % len(names)]
        (src / f"{i:02d}-{name}").write_bytes((SAMPLES / name).read_bytes() + f"\n%{i}\n".encode())
    return src


# Runs `extract` with SIGINT handled as a terminal's process has it: a command started in the
# background by a non-interactive shell (`cmd &`, as some CI runners start the suite) inherits
# SIGINT ignored, and Python then installs no KeyboardInterrupt handler; the Ctrl-C test would
# see the run finish with 0. exec keeps the pid, so the test signals the run itself.
_WITH_SIGINT = ("import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
                "os.execv(sys.executable, [sys.executable] + sys.argv[1:])")


def _start(src: Path, out: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    cmd = [sys.executable, "-c", _WITH_SIGINT, "-m", "extract", "run", str(src), "-o", str(out), "-j", "2"]
    return subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)


def _wait_progress(proc: subprocess.Popen, lines: int) -> None:
    seen = 0
    deadline = time.monotonic() + 120
    while seen < lines and time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        seen += line.startswith("[")
    assert seen >= lines, "the run did not start extracting"


def test_killing_the_main_process_leaves_no_process_behind(tmp_path):
    src = _slow_input(tmp_path)
    out = tmp_path / "o"
    batch.run([src / "00-h28-iom-trafficking.pdf"], out, jobs=1)
    before = snapshot(out)
    proc = _start(src, out)
    try:
        _wait_progress(proc, 2)
        assert descendants_of_session(proc.pid), "no worker to orphan"
        os.kill(proc.pid, signal.SIGKILL)       # the main process only, as `kill -9 PID` does
        proc.wait()
        left = wait_gone(proc.pid, seconds=15)
        assert left == [], f"processes left running: {left}"
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert snapshot(out) == before
    rows, stats = batch.run([src], out, jobs=2)
    assert stats.cached >= 1 and not list(out.glob(".extract-tmp-*"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")
def test_a_worker_asks_the_kernel_to_end_it_with_its_parent():
    """The first line of defence of the test above, alone (the watchdog thread, polling,
    would hide its failure there): PR_SET_PDEATHSIG is set to SIGKILL."""
    code = ("import ctypes, signal; from extract import lifeline; ok = lifeline.die_with_parent(); "
            "sig = ctypes.c_int(); ctypes.CDLL(None).prctl(2, ctypes.byref(sig), 0, 0, 0); "   # PR_GET_PDEATHSIG
            "print(ok, sig.value == signal.SIGKILL)")
    got = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert got.stdout.split() == ["True", "True"], got.stderr


def test_ctrl_c_prints_one_line_and_exits_130(tmp_path):
    src = _slow_input(tmp_path)
    out = tmp_path / "o"
    batch.run([src / "00-h28-iom-trafficking.pdf"], out, jobs=1)
    before = snapshot(out)
    proc = _start(src, out)
    try:
        _wait_progress(proc, 2)
        os.killpg(proc.pid, signal.SIGINT)      # what a terminal does on Ctrl-C
        _, err = proc.communicate(timeout=60)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    last = err.strip().splitlines()[-1]
    assert re.fullmatch(r"interrupted; \d+ files done are cached; output unchanged", last), err
    assert snapshot(out) == before
    assert wait_gone(proc.pid, seconds=15) == []


def _old_layout(out: Path) -> None:
    """What versions before the marks wrote: hive folders fy=2016/, fy=unknown/ holding
    part-0.parquet, problems/part-0.parquet, and no .extract-table.json."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    for name in outdir.TABLES:
        folders = [out / name] if name == "problems" else [out / name / "fy=2016", out / name / "fy=unknown"]
        for f in folders:
            f.mkdir(parents=True)
            pq.write_table(pa.table({"sheet_id": ["old"], "fiscal_year": [2016]}), f / "part-0.parquet")


def test_the_output_of_an_earlier_version_is_replaced_but_nothing_else(tmp_path):
    """Before the marks a table folder held only fy=*/part-0.parquet (or part-0.parquet):
    such a folder is taken as extract's, and replaced by the current layout; one more file
    in it makes it the user's."""
    out = tmp_path / "out"
    _old_layout(out)
    assert run_cli("run", BOLD, "-o", out, "-q").returncode == 0
    assert list(pd.read_parquet(out / "sheets")["source_path"]) == [BOLD.name]
    assert not list(out.glob("*/fy=*")), "a folder of the old layout is left"
    assert sorted(p.name for p in (out / "sheets").iterdir()) == [outdir.MARK, "2016.parquet"]
    shutil.rmtree(out)
    _old_layout(out)
    (out / "fields" / "fy=2016" / "mine.csv").write_text("x")
    assert run_cli("run", KANGXI, "-o", out, "-q").returncode == 2
    assert (out / "fields" / "fy=2016" / "mine.csv").exists()
