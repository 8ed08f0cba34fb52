"""A big PDF split into page ranges across workers (split.py): the parts put together give
exactly the tables of the file read in one piece."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, strategies as st

from conftest import SAMPLES
from extract import batch, split
from extract import ranges as range_steps
from extract.api import extract_pdf
from extract.furniture import Mark
from extract.rules import load_rules
from extract.tables import rows
from extract.textlayer import TextCounts

PRODUCERS = Path(__file__).parent / "fixtures" / "producers"


# ------------------------------------------------------------------ ranges and decisions

@given(st.integers(0, 2000), st.integers(1, 8))
def test_ranges_cover_every_page_once_in_order(n, jobs):
    r = split.page_ranges(n, jobs)
    assert r[0][0] == 0 and r[-1][1] == n
    assert all(a[1] == b[0] for a, b in zip(r, r[1:]))
    assert all(a < b for a, b in r) or n == 0
    if jobs == 1 or n <= split.SPLIT_MIN_PAGES:
        assert r == [(0, n)]
    else:
        assert len(r) >= 2 and all(b - a <= split.RANGE_PAGES for a, b in r)


def test_small_files_are_not_split(tmp_path):
    pdf = SAMPLES / sorted(p.name for p in SAMPLES.glob("*.pdf"))[0]
    assert split.file_ranges(pdf, None, 2) == []
    assert split.file_ranges(tmp_path / "missing.pdf", None, 2) == []


def _read(first, last, glyphs=100, garbled=0, whole="", counts=(100, 90, 5, 0)):
    return split.RangeRead(first, last, glyphs=glyphs, garbled=garbled, pages=last - first, whole=whole,
                           counts=TextCounts(*counts))


def test_what_only_the_whole_file_can_decide():
    assert split.decide([_read(0, 30), _read(30, 60)], 60) == ""
    # garbled text is judged on the whole file's counts, not a range's
    assert split.decide([_read(0, 30, 100, 8), _read(30, 60, 100, 0)], 60) == ""
    assert split.decide([_read(0, 30, 100, 8), _read(30, 60, 100, 4)], 60) == "text layer"
    assert split.decide([_read(0, 30, 0), _read(30, 60, 0)], 60) == "text layer"
    # symbols for kana (a PDF printer's broken ToUnicode map), judged on the whole file's
    # counts too: the file goes in one piece, which then says garbled_text (no sheet)
    assert split.decide([_read(0, 30, counts=(400, 300, 10, 30)), _read(30, 60, counts=(400, 300, 10, 0))], 60) == ""
    assert split.decide([_read(0, 30, counts=(400, 300, 10, 30)), _read(30, 60, counts=(400, 300, 10, 20))], 60) \
        == "text layer"
    assert split.decide([_read(0, 30), _read(30, 60, whole="encrypted")], 60) == "encrypted"
    assert split.decide([_read(0, 30), _read(30, 59)], 60) == "pages"


def test_a_failed_part_sends_the_file_back_whole_and_no_sheet_is_said_as_one_run_says_it():
    from extract.model import FileResult
    ok = split.Part(FileResult("", ""), starts=1)
    assert split.merge([ok, split.Part(FileResult("", ""), whole="layout")], "a.pdf", "") is None
    # no sheet anywhere: the problem of the whole file, from every part's text counts
    def parts(*counts):
        return [split.Part(FileResult("", ""), counts=TextCounts(*c)) for c in counts]
    text = parts((400, 300, 10, 0), (400, 0, 0, 0))
    assert [p.code for p in split.merge(text, "a.pdf", "").problems] == ["unknown_template"]
    symbols = parts((400, 10, 150, 0), (400, 0, 90, 0))
    assert [p.code for p in split.merge(symbols, "a.pdf", "").problems] == ["garbled_text"]
    # Latin-1 letters for kana in one range, too few in the other: judged on their sum
    latin = parts((400, 300, 10, 60), (400, 300, 10, 0))
    assert [p.code for p in split.merge(latin, "a.pdf", "").problems] == ["garbled_text"]
    assert [p.code for p in split.merge(parts((400, 300, 10, 30), (400, 300, 10, 0)), "a.pdf", "").problems] \
        == ["unknown_template"]


# ------------------------------------------------------------------ a combined file

@pytest.fixture(scope="module")
def combined(tmp_path_factory):
    """The samples' sheets (a yearly file with running headers that recur only every few
    dozen pages) and the producer fixtures (tables moved to the next page, rows broken
    across pages, wrapped labels) in one PDF."""
    pypdf = pytest.importorskip("pypdf")
    from extract_testkit.combine import join_pdfs, sheet_samples
    d = tmp_path_factory.mktemp("split")
    join_pdfs(sheet_samples(SAMPLES), d / "samples.pdf", 24)
    w = pypdf.PdfWriter()
    w.append(str(d / "samples.pdf"))
    for pdf in sorted(PRODUCERS.rglob("*.pdf")):
        if "whole-rows" in pdf.name or "break" in pdf.name:
            w.append(str(pdf))
    path = d / "in" / "combined.pdf"
    path.parent.mkdir()
    w.write(path)
    return path


def _steps(path, templates, ranges, marks_of=None):
    reads = [range_steps.read_range(path, templates, None, a, b) for a, b in ranges]
    assert split.decide(reads, ranges[-1][1]) == ""
    every = [m for r in reads for m in r.marks]
    return [range_steps.range_sheets(path, templates, None, a, b, marks_of(r) if marks_of else every)
            for (a, b), r in zip(ranges, reads)]


@pytest.mark.slow
def test_parts_put_together_are_the_file_read_in_one_piece(combined, monkeypatch):
    templates = load_rules()
    whole = extract_pdf(combined, templates, source_path="combined.pdf")
    assert len(whole.sheets) > 24
    monkeypatch.setattr(split, "RANGE_PAGES", 9)       # many boundaries, inside sheets too
    monkeypatch.setattr(split, "MIN_RANGE_PAGES", 5)
    ranges = split.page_ranges(split.page_count(combined), 2)
    assert len(ranges) > 6
    merged = split.merge(_steps(combined, templates, ranges), "combined.pdf", whole.source_sha256)
    assert rows([merged]) == rows([whole])


@pytest.mark.slow
def test_a_range_alone_does_not_see_the_furniture(combined, monkeypatch):
    """Furniture is decided by repetitions over the whole file: with only its own margin
    lines, a range keeps running-header lines that recur in the other ranges. (In the rows
    of this file that once showed as the cover and list between two samples, read into the
    sheet before them; those pages now belong to no sheet, columns.table_pages.)"""
    from extract.furniture import strip_furniture
    from extract.pdfium import read_pages
    templates = load_rules()
    monkeypatch.setattr(split, "RANGE_PAGES", 9)
    monkeypatch.setattr(split, "MIN_RANGE_PAGES", 5)
    ranges = split.page_ranges(split.page_count(combined), 2)
    reads = [range_steps.read_range(combined, templates, None, a, b) for a, b in ranges]
    every = [m for r in reads for m in r.marks]
    kept = 0
    for (a, b), r in zip(ranges, reads):
        pages = read_pages(combined, None, a, b)
        whole_file = strip_furniture(pages, set(), every)
        own = strip_furniture(pages, set(), r.marks)
        assert all(len(x.glyphs) <= len(y.glyphs) for x, y in zip(whole_file, own))
        kept += sum(len(y.glyphs) > len(x.glyphs) for x, y in zip(whole_file, own))
    assert kept >= 3


@pytest.mark.slow
def test_a_split_run_writes_the_tables_of_a_one_worker_run(combined, tmp_path, monkeypatch):
    monkeypatch.setattr(split, "SPLIT_MIN_BYTES", 0)
    monkeypatch.setattr(split, "RANGE_PAGES", 16)
    steps = []
    receive = batch._Splitter.receive

    def spy(self, task, answer):
        steps.append(task.step)
        return receive(self, task, answer)

    monkeypatch.setattr(batch._Splitter, "receive", spy)
    one, _ = batch.run([combined.parent], tmp_path / "one", jobs=1, force=True)
    assert steps == []
    two, _ = batch.run([combined.parent], tmp_path / "two", jobs=2, force=True)
    assert steps.count("read") == steps.count("sheets") > 2
    assert one == two
    for name in ("sheets", "criteria", "fields", "problems"):
        a, b = pd.read_parquet(tmp_path / "one" / name), pd.read_parquet(tmp_path / "two" / name)
        assert a.equals(b), name


def test_marks_from_elsewhere_make_a_repeated_line_furniture():
    from extract.furniture import page_marks, strip_furniture
    from extract.model import Glyph, Page
    text = "評価シート一覧"
    g = [Glyph(ch, ch, 100 + 10 * i, 110 + 10 * i, 20, 30, 10) for i, ch in enumerate(text)]
    body = [Glyph(ch, ch, 100 + 10 * i, 110 + 10 * i, 400, 410, 10) for i, ch in enumerate("本文です")]
    page = Page(5, 595, 842, g + body, [])
    assert "".join(x.text for x in strip_furniture([page])[0].glyphs) == text + "本文です"
    (mark,) = page_marks(page)
    assert mark.key == text
    for where, kept in [(40, "本文です"), (5, text + "本文です")]:     # the same page is no repetition
        got = strip_furniture([page], elsewhere=[Mark(where, text, mark.top + 2, mark.x0 - 2)])
        assert "".join(x.text for x in got[0].glyphs) == kept
    far = strip_furniture([page], elsewhere=[Mark(40, text, mark.top + 3, mark.x0)])
    assert "".join(x.text for x in far[0].glyphs) == text + "本文です"
