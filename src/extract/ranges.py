"""Step by step, in a worker, the page ranges of a big PDF (split.py plans them and puts
their rows together in the main process): read_range reads a range and keeps its pages,
range_sheets reads the sheets that begin in it (reading on past its end as needed).
"""
from __future__ import annotations

from pathlib import Path

from .cell_sheet import has_title
from .cells import column_edges, page_cells
from .furniture import Mark, page_marks, strip_furniture
from .layout import forget_lines
from .model import FileResult, Page
from .pdf_common import PdfError, classify
from .pdfium import read_pages
from .pipeline import SheetStart, find_sheet_starts, read_one
from .rules import Template, cell_templates, evaluation_templates
from .seams import join_moved_tables, unjoin_sheet
from .split import Part, RangeRead
from .textlayer import text_counts

# Pages read at a time past the end of a range while its last sheet goes on.
EXTEND_PAGES = 2

# Pages a worker read in the first step, for the second: (path, first, last) -> pages.
_KEPT: dict[tuple[str, int, int], list[Page]] = {}
# At most this many ranges are kept by a worker (the oldest goes first).
KEPT_RANGES = 4


def _labels(templates: list[Template]) -> set[str]:
    labels = {f.label for t in templates for f in t.fields.values()}
    return labels | {w for t in templates for w in (t.text_header, t.criterion_header)}


def _cell_sheet_begins(path, password, pages: list[Page], first: int, templates) -> bool:
    """Whether a sheet of a cell family begins on the range's pages (as cell_sheet.py finds
    them: a cell holding the family's title, cut with the columns of the page before)."""
    cts = cell_templates(templates)
    for j, page in enumerate(pages if cts else []):
        if not has_title(page, cts):
            continue
        if j:
            before: Page | None = pages[j - 1]
        else:
            before = next(iter(read_pages(path, password, first - 1, first)), None) if first else None
        cells = page_cells(page, column_edges(before) if before is not None else None)
        if any(t.title in c.key for c in cells for t in cts):
            return True
    return False


def _failure(e: BaseException) -> str:
    """The problem code of a range that could not be read (the file then goes in one piece)."""
    return e.code if isinstance(e, PdfError) else classify(e).code


def read_range(path: str | Path, templates: list[Template], password: str | None,
               first: int, last: int) -> RangeRead:
    """Step one: pages first..last-1 (0-based) read and kept in this process; what the
    file-wide decisions need of them."""
    out = RangeRead(first, last)
    try:
        pages = read_pages(path, password, first, last)
        if _cell_sheet_begins(path, password, pages, first, templates):
            out.whole = "cell family"
    except (Exception, MemoryError) as e:     # PdfError included
        out.whole = _failure(e)
        return out
    out.pages = len(pages)
    out.glyphs = sum(len(p.glyphs) for p in pages)
    out.garbled = sum(p.n_garbled for p in pages)
    out.images = sum(p.n_images for p in pages)
    out.counts = text_counts(pages)
    out.marks = [m for p in pages for m in page_marks(p)]
    while len(_KEPT) >= KEPT_RANGES:
        del _KEPT[next(iter(_KEPT))]
    _KEPT[(str(path), first, last)] = pages
    return out


def _begun(starts: list[SheetStart], pages: list[Page], last: int) -> bool:
    """A sheet begins on a page at or after page index `last`."""
    return any(pages[s.page].number - 1 >= last for s in starts)


def _read_to_a_start(path, password, first: int, pages: list[Page], templates: list[Template]) -> bool:
    """Pages read on (appended to `pages`) up to one where a sheet may begin; True at the
    end of the file."""
    while True:
        more = read_pages(path, password, first + len(pages), first + len(pages) + EXTEND_PAGES)
        pages.extend(more)
        if len(more) < EXTEND_PAGES:
            return True
        if any(find_sheet_starts([p], templates) for p in more):
            return False


def _owned(starts: list[SheetStart], pages: list[Page], last: int) -> bool:
    """A sheet begins on a page before page index `last`."""
    return any(pages[s.page].number - 1 < last for s in starts)


def _read_on(path, password, first: int, last: int, pages: list[Page], templates: list[Template],
             marks: list[Mark]):
    """The range's pages and pages after it until a later sheet begins: without furniture
    (decided with the whole file's marks) and joined where a table moved (seams.py), with
    their seams and sheet starts. A range in which no sheet begins reads one page on (a
    header block at its foot may be joined to a table there) and no further."""
    labels = _labels(templates)
    pages = list(pages) + read_pages(path, password, first + len(pages), first + len(pages) + 1)
    end = len(pages) == last - first
    while True:
        stripped = strip_furniture(pages, labels, marks)
        joined, seams = join_moved_tables(stripped, templates)
        starts = find_sheet_starts(joined, templates)
        if end or _begun(starts, joined, last) or not _owned(starts, joined, last):
            return stripped[:last - first], joined, seams, starts
        end = _read_to_a_start(path, password, first, pages, templates)


def range_sheets(path: str | Path, templates: list[Template], password: str | None,
                 first: int, last: int, marks: list[Mark]) -> Part:
    """Step two: the sheets that begin on pages first..last-1, numbered from 0, read from
    the pages kept by step one (read again when this process has not got them); `marks`:
    the margin lines of the whole file (every range's RangeRead.marks)."""
    part = Part(FileResult("", ""))
    evaluation = evaluation_templates(templates)
    forget_lines()      # as pipeline.read_all: the lines remembered for another file are of no use
    try:
        pages = _KEPT.pop((str(path), first, last), None) or read_pages(path, password, first, last)
        own, joined, seams, starts = _read_on(path, password, first, last, pages, evaluation, marks)
        part.counts = text_counts(own)
    except (Exception, MemoryError) as e:     # PdfError included
        part.whole = _failure(e)
        return part
    for k, s in enumerate(starts):
        if joined[s.page].number - 1 >= last:
            break
        part.starts += 1
        sheet, probs = read_one(joined, starts, k, evaluation)
        if sheet is not None:
            unjoin_sheet(sheet, seams)
            part.result.sheets.append(sheet)
        part.result.problems.extend(probs)
    return part
