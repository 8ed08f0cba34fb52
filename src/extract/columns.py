"""Stage 4 of the sheet engine: the criteria table's columns and where it goes on overleaf.

Given a sheet's pages and its anchors, return the x-extent of the criterion-number, title,
text and rating columns (Columns), and for a later page the y where the table continues
below a repeated header row.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .anchors import Anchors, Hit, continuation_top
from .layout import Index, bbox, gaps, vrulings_x
from .model import Glyph, Page
from .rules import Template
from .tolerances import (COLUMN_RULE_PT, EDGE_PT, HEADER_PROBE_PT, LABEL_LEFT_PT, SUBCOLUMN_GAP_PT,
                         TABLE_BODY_PT, TABLE_RULE_MIN_COVER, TEXT_COLUMN_GAP_PT)

Span = tuple[float, float]


@dataclass
class Columns:
    left: float           # table left edge
    title: Span
    number: Span | None
    text: Span
    rating: float | None  # x where the rating column starts

    @property
    def title_centre(self) -> float:
        return (self.title[0] + self.title[1]) / 2


@dataclass
class ContinuationTops:
    """Where the table goes on at the top of later pages, computed once per page."""
    templates: list[Template]
    _tops: dict[int, float] = field(default_factory=dict)

    def __call__(self, page: Page) -> float:
        if page.number not in self._tops:
            self._tops[page.number] = continuation_top(page, self.templates)
        return self._tops[page.number]


def header_bottom(anchors: Anchors) -> float:
    return max(g.bottom for g in anchors.text_header + (anchors.crit_header or []) + (anchors.rating_header or []))


def _text_x0(region: list[Glyph], index: Index, anchors: Anchors, left: float, head_bottom: float,
             page_height: float, value_x: float) -> float:
    """The text column's left edge: the last gap between the criterion header's centre and
    the text header, else a ruling line there, else the header's value column."""
    ch = anchors.crit_header
    lo = (bbox(ch)[0] + bbox(ch)[2]) / 2 if ch else left + HEADER_PROBE_PT
    hi = anchors.text_header[0].x0
    gs = gaps(region, lo, hi, TEXT_COLUMN_GAP_PT)
    if gs:
        return gs[-1][1] - EDGE_PT
    vr = vrulings_x(index.rulings, lo, hi, head_bottom, page_height, TABLE_RULE_MIN_COVER)
    return vr[-1] if vr else value_x


def _rating_x(index: Index, anchors: Anchors, head_bottom: float, page_height: float) -> float | None:
    if not anchors.rating_header:
        return None
    rx0 = min(g.x0 for g in anchors.rating_header)
    vr = vrulings_x(index.rulings, anchors.text_header[-1].x1, rx0, head_bottom, page_height, TABLE_RULE_MIN_COVER)
    return vr[-1] if vr else rx0 - EDGE_PT


def _sub_columns(lab: list[Glyph], left: float, text_x0: float) -> tuple[Span, Span | None]:
    """Sub-columns of the label area (criterion numbers | titles | sub-item numbers): the
    title column holds the most glyphs; a digits-only column before it holds numbers."""
    cols = []
    cur = left
    for a, b in gaps(lab, left, text_x0, SUBCOLUMN_GAP_PT):
        if a > cur:
            cols.append((cur, a))
        cur = b
    if cur < text_x0:
        cols.append((cur, text_x0))
    cols = [c for c in cols if any(c[0] <= g.xc < c[1] for g in lab)] or [(left, text_x0)]
    title = max(cols, key=lambda c: sum(1 for g in lab if c[0] <= g.xc < c[1]))
    before = [c for c in cols if c[1] <= title[0]]
    if before:
        ng = [g for g in lab if before[-1][0] <= g.xc < before[-1][1]]
        if ng and all(g.text.isdigit() or g.text in ".．" for g in ng):
            return title, (before[-1][0], title[0])
    return title, None


def find_columns(pages: list[Page], index: Index, anchors: Anchors, tops: ContinuationTops,
                 value_x: float) -> Columns:
    """The columns of the criteria table of a sheet on `pages` (index: of the first page)."""
    page = pages[0]
    head_bottom = header_bottom(anchors)
    # the table's glyphs: below the header on the first page and all later pages (a tall
    # first row may have moved to page 2, leaving nothing under the header)
    region = [g for g in page.glyphs if g.top > head_bottom] + \
        [g for p in pages[1:] if p.glyphs for top in (tops(p),) for g in p.glyphs if g.top > top]
    left = min((g.x0 for hit in anchors.labels.values() for h in hit for g in h), default=0) - LABEL_LEFT_PT
    text_x0 = _text_x0(region, index, anchors, left, head_bottom, page.height, value_x)
    rating_x = _rating_x(index, anchors, head_bottom, page.height)
    text_x1 = rating_x if rating_x else page.width
    lab = [g for g in region if g.x1 <= text_x0 + EDGE_PT and g.x0 >= left - LABEL_LEFT_PT]
    title, number = _sub_columns(lab, left, text_x0)
    return Columns(left, title, number, (text_x0, text_x1), rating_x)


def _rule_before_text(page: Page, cols: Columns, below: float = 0.0) -> bool:
    """Whether the page draws a vertical rule where the title column ends and the text begins,
    reaching further down than `below`."""
    lo = min(cols.title[1], cols.text[0]) - COLUMN_RULE_PT
    hi = max(cols.title[1], cols.text[0]) + COLUMN_RULE_PT
    return any(not r.horizontal and lo <= r.x0 <= hi and r.bottom > below for r in page.rulings)


def table_pages(pages: list[Page], cols: Columns, table_y: float) -> tuple[list[Page], list[Page]]:
    """The sheet's pages up to the last that goes on with its criteria table, and the pages
    after it (until the next sheet) that do not: where the first page rules the edge between
    the title and text columns below the table's header row (table_y), every page of the
    table does (a page without that rule, a divider, a cover or a list between two sheets of
    a combined file, belongs to no sheet)."""
    if not _rule_before_text(pages[0], cols, table_y + TABLE_BODY_PT):   # the body's, not a header fill's
        return pages, []
    for j in range(1, len(pages)):
        if not _rule_before_text(pages[j], cols):
            return pages[:j], pages[j:]
    return pages, []
