"""The warning and batch codes not covered elsewhere, each produced by a real file:
ambiguous_value, low_confidence, unknown_criterion, worker_crashed."""
from __future__ import annotations

import copy
import json
import os
import shutil
import sys
import threading
import time
from pathlib import Path

import pytest

from extract import extract_pdf
from extract.batch import LocalPool, Task
from extract.match import similarity

pytest.importorskip("reportlab")
HERE = Path(__file__).parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from extract_testkit.render import render_sheets  # noqa: E402
from extract_testkit.specs import SPECS  # noqa: E402



def _codes(result) -> dict[str, list]:
    out: dict[str, list] = {}
    for p in result.problems:
        out.setdefault(p.code, []).append(p)
    return out


def test_two_budgets_none_of_the_sheets_year_is_ambiguous_and_left_empty(tmp_path):
    spec = copy.deepcopy(SPECS["r4-unhcr-refugees"])
    # the budget labels name 2030 and 2029, the sheet's own year is 令和5年度 (2023)
    spec["fiscal_year"] = 2030
    path = tmp_path / "ambiguous.pdf"
    render_sheets([spec], path, {"two_budgets": "prev_first"})
    r = extract_pdf(path)
    sheet = r.sheets[0]
    assert sheet.fields["fiscal_year"] == 2023
    assert sheet.fields["budget_jpy"] is None
    codes = _codes(r)
    assert [p.field for p in codes["ambiguous_value"]] == ["budget_jpy"]
    assert "missing_field" not in codes


def _retitled(tmp_path, new_title: str) -> Path:
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    r4 = rules / "r4.toml"
    text = r4.read_text(encoding="utf-8")
    old = 'title = "日本人職員・ポストの状況等"'
    assert old in text
    r4.write_text(text.replace(old, f'title = "{new_title}"'), encoding="utf-8")
    return rules


def test_partly_matching_title_is_low_confidence(tmp_path):
    title = "日本人職員・ポストの採用の状況と今後の課題"
    sim = similarity("日本人職員・ポストの状況等", title)
    assert 0.5 <= sim < 0.75, sim
    r = extract_pdf(ROOT / "samples" / "r4-unhcr-refugees-word.pdf", _retitled(tmp_path, title))
    c4 = next(c for c in r.sheets[0].criteria if c.no == 4)
    assert c4.canonical == "japanese_staff" and c4.confidence < 0.75
    assert [p.field for p in _codes(r)["low_confidence"]] == ["criteria[4]"]


def test_title_matching_nothing_is_unknown_criterion(tmp_path):
    r = extract_pdf(ROOT / "samples" / "r4-unhcr-refugees-word.pdf",
                    _retitled(tmp_path, "拠出金の会計監査報告"))
    c4 = next(c for c in r.sheets[0].criteria if c.no == 4)
    assert c4.canonical is None
    assert [p.field for p in _codes(r)["unknown_criterion"]] == ["criteria[4]"]
    assert r.sheets[0].fields["budget_jpy"] == 12847300000   # the rest is untouched


def _run_killing_on_task_0(tasks: list[Task], ready) -> dict:
    """The answers (by source_path) of a one-worker pool whose worker is killed while on
    task 0, once ready(slot) says so."""
    got = {}
    pool = LocalPool(1, None, timeout=60, mem_mb=None, max_tasks=50)

    def killer():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            s = pool.slots[0]
            if s.task is not None and s.task.index == 0 and ready(s):
                s.proc.kill()
                return
            time.sleep(0.001)

    t = threading.Thread(target=killer)
    t.start()
    try:
        pool.run(tasks, lambda task, rows: got.setdefault(task.source_path, rows))
    finally:
        pool.close()
        t.join()
    return got


@pytest.mark.slow
def test_a_worker_that_dies_gives_worker_crashed_and_the_pool_goes_on(tmp_path):
    pdf = ROOT / "samples" / "h28-iom-trafficking.pdf"
    tasks = [Task(0, str(pdf), "dies.pdf", None, ""), Task(1, str(pdf), "lives.pdf", None, "")]
    got = _run_killing_on_task_0(tasks, lambda s: True)
    assert [p["code"] for p in got["dies.pdf"]["problems"]] == ["worker_crashed"]
    assert len(got["lives.pdf"]["sheets"]) == 1


def test_the_task_queued_behind_a_worker_that_dies_is_given_again(tmp_path):
    """A busy worker has its next task in its pipe already (LocalPool._assign); when it
    dies, that task goes to the next worker, not down with it. The first file is a FIFO
    no one writes to: its worker waits on it until it is killed."""
    hangs = tmp_path / "hangs.pdf"
    os.mkfifo(hangs)
    pdf = ROOT / "samples" / "h28-iom-trafficking.pdf"
    tasks = [Task(0, str(hangs), "dies.pdf", None, "")] + [
        Task(k, str(pdf), f"lives-{k}.pdf", None, "") for k in range(1, 5)]
    queued = []

    def once_one_is_queued(s) -> bool:
        if s.queued is None:
            return False
        queued.append(s.queued.index)
        return True

    got = _run_killing_on_task_0(tasks, once_one_is_queued)
    assert queued == [1]
    assert [p["code"] for p in got["dies.pdf"]["problems"]] == ["worker_crashed"]
    assert {k: len(got[f"lives-{k}.pdf"]["sheets"]) for k in range(1, 5)} == {1: 1, 2: 1, 3: 1, 4: 1}


def _many_sheets(path: Path) -> Path:
    """One PDF of six samples' sheets: a worker's answer for it is larger than a pipe holds
    (64 KiB), so the worker waits in the middle of writing it until it is read."""
    pypdf = pytest.importorskip("pypdf")
    w = pypdf.PdfWriter()
    for name in ("combined-h29-r4", "combined-cover-index", "r1-two-budgets", "r1-unicef-covid-repeat-header",
                 "r1-subitems", "r4-unhcr-refugees-word"):
        w.append(str(ROOT / "samples" / f"{name}.pdf"))
    w.write(path)
    return path


def test_a_worker_killed_while_writing_its_answer_stops_no_other_answer(tmp_path):
    """The worker is killed in the middle of writing a large answer (the main process is busy
    with the answer before): that file is worker_crashed and the next worker's answers come
    through. With one answer queue for all workers, the killed one held its lock for ever
    and every later file timed out."""
    small = str(ROOT / "samples" / "h28-iom-trafficking.pdf")
    big = str(_many_sheets(tmp_path / "big.pdf"))
    tasks = [Task(0, small, "first.pdf", None, ""), Task(1, big, "big.pdf", None, "")] + [
        Task(k, small, f"after-{k}.pdf", None, "") for k in (2, 3)]
    got = {}
    pool = LocalPool(1, None, timeout=20, mem_mb=None, max_tasks=50)

    def on_result(task, rows):
        got[task.source_path] = rows
        if task.index == 0:         # the worker goes on with big.pdf meanwhile, and waits
            time.sleep(3)           # with its answer half written
            pool.slots[0].proc.kill()

    runner = threading.Thread(target=lambda: pool.run(tasks, on_result), daemon=True)
    runner.start()
    runner.join(timeout=90)
    try:
        assert not runner.is_alive(), "the pool hangs"
    finally:
        pool.close(kill=True)
    assert len(got["first.pdf"]["sheets"]) == 1
    assert [p["code"] for p in got["big.pdf"]["problems"]] == ["worker_crashed"]
    assert {k: len(got[f"after-{k}.pdf"]["sheets"]) for k in (2, 3)} == {2: 1, 3: 1}


def test_a_worker_is_replaced_after_max_tasks_files_and_none_is_lost(tmp_path):
    """With a task queued ahead, a worker still does at most max_tasks files before a fresh
    one takes over; every file comes out."""
    pdf = ROOT / "samples" / "h28-iom-trafficking.pdf"
    tasks = [Task(k, str(pdf), f"f{k}.pdf", None, "") for k in range(7)]
    got, pids = {}, []
    pool = LocalPool(1, None, timeout=60, mem_mb=None, max_tasks=3)

    def on_result(task, rows):
        got[task.source_path] = rows
        pids.append(pool.slots[0].proc.pid)     # (the worker at work by then)

    try:
        pool.run(tasks, on_result)
    finally:
        pool.close()
    assert {k: len(got[f"f{k}.pdf"]["sheets"]) for k in range(7)} == {k: 1 for k in range(7)}
    assert len(set(pids)) == 3         # 3 + 3 + 1 files (one worker, or one a file, would not do)
