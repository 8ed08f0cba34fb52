"""The batch engine: parallel equals serial, cache and its invalidation, partitions,
per-file time limits, a killed run leaving the previous output intact, Dask."""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from extract import batch

pytestmark = pytest.mark.slow   # worker pools, timeouts and kills: the quick run leaves them out

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
GOOD = ["h28-iom-trafficking.pdf", "h29-opcw-syria-word.pdf", "r1-no-rules.pdf",
        "r4-unhcr-refugees-word.pdf", "combined-h29-r4.pdf"]


@pytest.fixture()
def folder(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    for name in GOOD:
        shutil.copy(SAMPLES / name, d / name)
    return d


def _frames(out: Path) -> dict[str, pd.DataFrame]:
    return {t: pd.read_parquet(out / t)
            .sort_values(list(pd.read_parquet(out / t).columns[:2])).reset_index(drop=True)
            for t in ("sheets", "criteria", "problems", "fields")}


def _tree_digest(out: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(out.rglob("*")):
        if p.is_file() and ".cache" not in p.parts and p.name != ".extract.lock":
            h.update(str(p.relative_to(out)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def test_parallel_equals_serial_and_partitions(folder, tmp_path):
    r1, s1 = batch.run([folder], tmp_path / "o1", jobs=1)
    r2, s2 = batch.run([folder], tmp_path / "o2", jobs=2)
    assert s1.sheets == s2.sheets == 6
    a, b = _frames(tmp_path / "o1"), _frames(tmp_path / "o2")
    for t in a:
        pd.testing.assert_frame_equal(a[t], b[t])
    years = sorted(p.name for p in (tmp_path / "o1" / "sheets").glob("*.parquet"))
    assert years == ["2016.parquet", "2017.parquet", "2020.parquet", "2023.parquet"]
    assert (tmp_path / "o1" / "criteria" / "2020.parquet").is_file()


def test_duckdb_reads_the_year_files(folder, tmp_path):
    duckdb = pytest.importorskip("duckdb")
    batch.run([folder], tmp_path / "o", jobs=1)
    glob = (tmp_path / "o" / "sheets").as_posix() + "/**/*.parquet"
    n, years = duckdb.sql(f"SELECT count(*), count(DISTINCT fiscal_year) FROM "
                          f"read_parquet('{glob}', hive_partitioning=true)").fetchall()[0]
    assert (n, years) == (6, 4)


def test_cache_reuse_force_and_rules_change(folder, tmp_path):
    out = tmp_path / "o"
    _, s = batch.run([folder], out, jobs=1)
    assert s.cached == 0
    _, s = batch.run([folder], out, jobs=1)
    assert s.cached == 5
    _, s = batch.run([folder], out, jobs=1, force=True)
    assert s.cached == 0
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    r4 = rules / "r4.toml"
    r4.write_text(r4.read_text(encoding="utf-8").replace(
        'title = "日本人職員・ポストの状況等"', 'title = "日本人職員・ポストの状況"'), encoding="utf-8")
    rows, s = batch.run([folder], out, rules_dir=rules, jobs=1)
    # only the files holding an r4 sheet are extracted again
    assert s.cached == 3
    assert len(rows["sheets"]) == 6


def test_timeout_becomes_a_problem_row_and_the_batch_goes_on(folder, tmp_path):
    rows, s = batch.run([folder], tmp_path / "o", jobs=2, timeout=0.001, force=True)
    codes = {p["code"] for p in rows["problems"]}
    assert codes == {"timeout"}
    assert s.problems["timeout"] == 5
    # timeouts are not cached: a run with a sane limit extracts everything
    rows, s = batch.run([folder], tmp_path / "o", jobs=2)
    assert s.cached == 0 and len(rows["sheets"]) == 6


def test_kill_minus_nine_leaves_previous_output_and_next_run_resumes(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(24):
        name = GOOD[i % len(GOOD)]
        (src / f"{i:02d}-{name}").write_bytes((SAMPLES / name).read_bytes() + f"\n%{i}\n".encode())
    out = tmp_path / "out"
    first = src / "00-h28-iom-trafficking.pdf"
    batch.run([first], out, jobs=1)
    before = _tree_digest(out)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "extract", "run", str(src), "-o", str(out), "-j", "1"],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env,
                            start_new_session=True)
    seen = 0
    deadline = time.monotonic() + 120
    while seen < 6 and time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        seen += line.startswith("[")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert seen >= 6, "the run did not get half-way"
    assert _tree_digest(out) == before
    assert len(pd.read_parquet(out / "sheets")) == 1
    rows, s = batch.run([src], out, jobs=2)
    assert s.cached >= 6
    assert len(rows["sheets"]) == sum(2 if "combined" in p.name else 1 for p in src.iterdir())


def test_dask_cluster_gives_the_same_tables(folder, tmp_path):
    distributed = pytest.importorskip("distributed")
    batch.run([folder], tmp_path / "local", jobs=1)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        batch.run([folder], tmp_path / "dask", scheduler=cluster.scheduler_address)
    a, b = _frames(tmp_path / "local"), _frames(tmp_path / "dask")
    for t in a:
        pd.testing.assert_frame_equal(a[t], b[t])


def test_api_write_gives_the_layout_of_a_run(folder, tmp_path):
    import extract
    from extract import tables
    counts = tables.write(extract.extract_many([folder]), tmp_path / "api")
    batch.run([folder], tmp_path / "cli", jobs=1)
    assert counts["sheets"] == 6
    a, b = _frames(tmp_path / "api"), _frames(tmp_path / "cli")
    for t in a:
        pd.testing.assert_frame_equal(a[t], b[t])
