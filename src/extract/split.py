"""One big PDF (a year's combined publication) read as page ranges across the workers:
planned and put together here, in the main process; each range read in a worker by the
steps of ranges.py.

    page_ranges → read_range (each range, any worker) → file-wide decisions (decide) →
    range_sheets (each range, on the worker that read it) → merge_rows

A range [first, last) owns the sheets that begin on its pages. Reading (`read_range`) is
most of the cost; a worker keeps the pages it read (`ranges._KEPT`) for the second step.
What only the whole file can decide is decided between the steps, from what each range
reported: furniture is found by repetition over the whole file (furniture.py), so every
range reports its pages' margin lines (`marks`) and the second step strips furniture with
all of them; the text-layer check (no text, garbled text, symbols) is made on every range's counts.
The second step then reads on past `last`, a few pages at a time, until a later sheet
begins (or the file ends), so the range's last sheet comes out whole.
Where a range cannot be read, where a sheet of a cell family begins, where the text layer
fails, or where no range finds a sheet, the file is extracted in one piece instead, so
its problems are exactly those of a one-piece run. The parts come together in page order,
their sheets numbered as one run numbers them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .furniture import Mark
from .inputs import display_name
from .rows import sheet_id
from .model import FileResult, Problem
from .textlayer import TextCounts, no_sheet_problem, text_layer_problem, total

# A file of more pages than this is split into ranges when more than one worker runs.
SPLIT_MIN_PAGES = 24
# A file smaller than this (bytes) is not opened to count its pages: it is not split.
SPLIT_MIN_BYTES = 256 * 1024
# At most this many pages per range (several ranges per worker keep the workers evenly
# busy next to other files, but each range opens and walks the file again and reads on
# past its end: the 141-page file of bench.py (h) at -j 2, 4 ranges of 36 pages 2.60-3.20 s,
# 2 of 71 pages 2.41-2.59 s, 4 interleaved pairs); at least MIN_RANGE_PAGES (each range
# reads on a sheet's worth).
RANGE_PAGES = 80
MIN_RANGE_PAGES = 12


@dataclass
class RangeRead:
    """What the first step reports of a range: what the file-wide decisions need."""
    first: int
    last: int
    marks: list[Mark] = field(default_factory=list)
    glyphs: int = 0
    garbled: int = 0
    images: int = 0
    pages: int = 0
    counts: TextCounts = TextCounts(0, 0, 0, 0)   # textlayer.text_counts of its pages
    whole: str = ""             # why the file must be read in one piece ("" if not)


@dataclass
class Part:
    """What the second step yields of a range: its sheets (numbered from 0) and problems,
    and how many sheets begin in it (read or not)."""
    result: FileResult
    starts: int = 0
    whole: str = ""
    counts: TextCounts = TextCounts(0, 0, 0, 0)   # textlayer.text_counts of its own pages


@dataclass
class PartRows:
    """A Part as the rows of its sheets (batch.rows_of, sheets numbered from 0)."""
    rows: dict
    starts: int = 0
    counts: TextCounts = TextCounts(0, 0, 0, 0)
    whole: str = ""


def page_ranges(n_pages: int, jobs: int) -> list[tuple[int, int]]:
    """The ranges a file of n_pages is split into for `jobs` workers ([(0, n)]: not split):
    a multiple of `jobs` ranges of (nearly) equal size, so the workers end together."""
    if jobs < 2 or n_pages <= SPLIT_MIN_PAGES:
        return [(0, n_pages)]
    count = jobs * -(-n_pages // (jobs * RANGE_PAGES))
    size = max(MIN_RANGE_PAGES, -(-n_pages // count))
    return [(a, min(a + size, n_pages)) for a in range(0, n_pages, size)]


def file_ranges(path: str | Path, password: str | None, jobs: int) -> list[tuple[int, int]]:
    """page_ranges for the file at path ([] when small or unreadable: it is not split)."""
    try:
        if jobs < 2 or Path(path).stat().st_size < SPLIT_MIN_BYTES:
            return []
    except OSError:
        return []
    n = page_count(path, password)
    ranges = page_ranges(n, jobs) if n else []
    return ranges if len(ranges) > 1 else []


def page_count(path: str | Path, password: str | None = None) -> int:
    """The number of pages of the PDF (0 when pdfium cannot open it). With pypdfium2 alone:
    the main process plans the ranges and reads no page (extract.pdfium, with pdfplumber
    and numpy, is 0.15 s of imports the workers have loaded already)."""
    import pypdfium2 as pdfium       # here: only files this big are opened
    try:
        doc = pdfium.PdfDocument(str(path), password=password or None)
    except Exception:                # pdfium's load errors, or a file that cannot be opened
        return 0
    try:
        return len(doc)
    finally:
        doc.close()


def decide(reads: list[RangeRead], n_pages: int) -> str:
    """Why the file must be extracted in one piece after step one ("" when it need not)."""
    why = next((r.whole for r in reads if r.whole), "")
    if why or sum(r.pages for r in reads) != n_pages:
        return why or "pages"
    if text_layer_problem(sum(r.glyphs for r in reads), sum(r.garbled for r in reads),
                          sum(r.images for r in reads), n_pages, total([r.counts for r in reads])):
        return "text layer"
    return ""


def merge(parts: list[Part], source_path: str, sha256: str) -> FileResult | None:
    """The parts of one file (in page order) as one result, the sheets numbered on (the
    problem of a file without a sheet where none begins); None when the file must be
    extracted in one piece (a part failed)."""
    if any(p.whole for p in parts):
        return None
    out = FileResult(display_name(source_path), sha256)
    if not any(p.starts for p in parts):
        out.problems.append(no_sheet(parts))
        return out
    offset = 0
    for part in parts:
        for p in part.result.problems:
            if p.sheet_index is not None:
                p.sheet_index += offset
        for s in part.result.sheets:
            s.sheet_index += offset
        offset += part.starts
        out.sheets.extend(part.result.sheets)
        out.problems.extend(part.result.problems)
    return out


def no_sheet(parts: list) -> Problem:
    """The problem of a file in which no part found a sheet, from the parts' text counts."""
    return no_sheet_problem(total([p.counts for p in parts]))


def _renumbered(rows: dict, sha256: str, offset: int, starts: int) -> dict:
    """A part's rows with its sheets numbered on from `offset` (ids made anew)."""
    ids = {sheet_id(sha256, k): sheet_id(sha256, k + offset) for k in range(starts)}
    out: dict = {}
    for name, rs in rows.items():
        if name == "templates":
            continue
        new = []
        for r in rs:
            r = dict(r)
            if r.get("sheet_id") is not None:
                r["sheet_id"] = ids.get(r["sheet_id"], r["sheet_id"])
            if name in ("sheets", "problems") or name.endswith("_sheets"):
                if r.get("sheet_index") is not None:
                    r["sheet_index"] += offset
            new.append(r)
        out[name] = new
    return out


def merge_rows(parts: list[PartRows], sha256: str) -> dict:
    """The rows of the parts of one file (in page order) as one file's rows, the sheets
    numbered on as a one-piece run numbers them."""
    out: dict = {"templates": {}}
    offset = 0
    for part in parts:
        for name, rs in _renumbered(part.rows, sha256, offset, part.starts).items():
            out.setdefault(name, []).extend(rs)
        out["templates"].update(part.rows.get("templates", {}))
        offset += part.starts
    return out
