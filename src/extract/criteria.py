"""Stage 5 of the sheet engine: the criteria table, header row to rows, page by page.

Given the table's columns, each page is read in small steps:
  glyphs by column (PageCells) → title blocks (numbered or not) → criteria starting on the
  page → row bands between ruling lines, cut by layout where no line separates two rows
  (row_cuts.py) → every text and rating glyph given to the criterion owning its band.
A row may begin at the foot of one page and get its title on the next: TableState carries
such pieces from page to page.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from functools import cached_property

from .columns import Columns, ContinuationTops
from .layout import Line, hrulings_y, lines_of, make_lines
from .match import strip_number
from .model import Glyph, Page, Part
from .normalize import squash
from .row_cuts import (continuation_cut, foot_row_start, line_gap, orphan_cut, overflow_end, own_lines, padding_gaps,
                       rest_cut, row_cut, row_rest)
from .rules import Template
from .tolerances import BAND_MIN_PT, EDGE_PT, NUMBER_REACH_EM, PAST_FOOT_PT, TITLE_GAP_EM

BandRef = tuple[int, float, float]      # (page number, y0, y1)
UNNUMBERED = -1                         # a title numbered later by matching its words


@dataclass
class PageCells:
    """The table glyphs of one page, by column."""
    title: list[Glyph]
    number: list[Glyph]
    text: list[Glyph]
    rating: list[Glyph]


def _rule_between_rows(cells: PageCells, seps: list[float]) -> bool:
    """Whether a rule lies between the page's table text, below some and above some (a rule
    above or below all of it may be a header's or shading's edge)."""
    glyphs = cells.title + cells.text
    if not glyphs:
        return False
    first, last = min(g.top for g in glyphs), max(g.bottom for g in glyphs)
    return any(first < y < last for y in seps)


def page_cells(region: list[Glyph], cols: Columns) -> PageCells:
    (t0, t1), (x0, x1), rating = cols.title, cols.text, cols.rating
    n0, n1 = cols.number or (0.0, 0.0)
    return PageCells(
        title=[g for g in region if t0 <= g.xc < t1],
        number=[g for g in region if n0 <= g.xc < n1] if cols.number else [],
        text=[g for g in region if x0 <= g.xc < x1],
        rating=[g for g in region if g.xc >= rating] if rating is not None else [])


@dataclass
class TitleBlock:
    """Consecutive lines of the title column that form one title (or part of one)."""
    lines: list[Line]
    no: int | None
    top: float
    bottom: float
    text: str = ""
    num_glyphs: list[Glyph] = field(default_factory=list)
    pre_parts: list[Part] = field(default_factory=list)

    @property
    def glyphs(self) -> list[Glyph]:
        return [g for ln in self.lines for g in ln.glyphs]


@dataclass
class OrphanTitle:
    """The first lines of a title at a page foot, its number on the next page."""
    page: int
    glyphs: list[Glyph]
    text: str


@dataclass
class CriterionDraft:
    """A criterion row as read: its title, and its text and rating glyphs by page."""
    no: int | None
    title: str
    title_parts: list[Part]
    page: int
    top: float            # of its title block
    bottom: float
    text_pages: dict[int, list[Glyph]] = field(default_factory=dict)
    rating: list[Glyph] = field(default_factory=list)
    rating_page: int | None = None
    split_by_gap: bool = False     # cut from a neighbour by layout, not by a ruling line

    @property
    def centre(self) -> float:
        return (self.top + self.bottom) / 2

    def add_text(self, page: int, g: Glyph) -> None:
        self.text_pages.setdefault(page, []).append(g)

    def add_rating(self, page: int, g: Glyph) -> None:
        self.rating.append(g)
        self.rating_page = page


@dataclass
class TableState:
    """What one page hands on to the next."""
    crits: list[CriterionDraft] = field(default_factory=list)
    pending: list[BandRef] | None = None      # title-less rows at a page foot
    pending_title: OrphanTitle | None = None


def number_of(text: str, templates: list[Template]) -> int | None:
    """The criterion number printed at the start of a title, by any template's patterns."""
    for t in templates:
        no, _ = strip_number(text, t)
        if no is not None:
            return no
    return None


def title_blocks(title_g: list[Glyph], seps: list[float], templates: list[Template]) -> list[TitleBlock]:
    """Lines of the title column grouped into blocks: a new block at a number (also one
    wrapped over two lines), a ruling line or a wide gap."""
    blocks: list[TitleBlock] = []
    lines = make_lines(title_g)
    for i, ln in enumerate(lines):
        no = number_of(squash(ln.text), templates)
        prev = blocks[-1] if blocks else None
        sep_between = prev is not None and any(prev.bottom < y < ln.top for y in seps)
        gap = prev is not None and ln.top - prev.bottom > TITLE_GAP_EM * ln.size
        if no is None and i + 1 < len(lines) and number_of(squash(ln.text + lines[i + 1].text), templates):
            sep_between = True      # a number wrapped in a narrow column begins here: 【評価基準 / 5】
        if no is not None or prev is None or sep_between or gap:
            blocks.append(TitleBlock([ln], no, ln.top, ln.bottom))
        else:
            prev.lines.append(ln)
            prev.bottom = ln.bottom
    return blocks


def number_blocks(blocks: list[TitleBlock], num_g: list[Glyph], templates: list[Template]) -> None:
    """Numbers from the number column beside a block, else wrapped into its title."""
    for b in blocks:
        nums = [g for g in num_g if b.top - NUMBER_REACH_EM * g.size <= g.yc <= b.bottom + NUMBER_REACH_EM * g.size]
        if b.no is None and nums:
            try:
                b.no = int(squash("".join(g.text for g in nums)).strip(".．"))
                b.num_glyphs = nums
            except ValueError:
                pass
        b.text = "".join(squash(ln.text) for ln in b.lines)
        if b.no is None:     # a number that wraps in a narrow column: 【評価基準 / 1】…
            b.no = number_of(b.text, templates)


@dataclass(frozen=True)
class RowBands:
    """Ruling lines that cross the title column, counted from the first text on the page
    (a border above it opens no row); on a page without them, the padding gaps of the text
    column (row_cuts.padding_gaps) end rows instead."""
    first_y: float
    seps: tuple[float, ...]
    gaps: tuple[float, ...] = ()
    # no rule below the first text, though rules end the table's rows: the page lies in
    # rows going on from the page before and over to the next (no gap ends one here)
    inside_row: bool = False

    def band_of(self, y: float) -> int:
        return sum(1 for sy in self.seps + self.gaps if self.first_y < sy < y)


def _sort_blocks(blocks: list[TitleBlock], state: TableState, rb: RowBands, page: int,
                 last_page: bool) -> tuple[list[TitleBlock], OrphanTitle | None]:
    """The blocks that start a criterion; the others extend a title (on this page or the
    previous one) or are the first lines of a title going on overleaf."""
    starts: list[TitleBlock] = []
    orphan = None
    crits = state.crits
    for bi, b in enumerate(blocks):
        if b.no is not None:
            starts.append(b)
        elif state.pending_title is not None and not starts:
            b.no = UNNUMBERED   # the rest of a title begun at the foot of the previous page
            starts.append(b)
        elif crits and not starts and rb.band_of(b.top) == 0:
            crits[-1].title += b.text    # a numberless block at the top continues the last title
            crits[-1].title_parts.append((page, b.glyphs))
        elif starts and rb.band_of(b.top) == rb.band_of(starts[-1].top):
            starts[-1].text += b.text    # a second fragment of the same title (split by a gap)
            starts[-1].lines += b.lines
            starts[-1].bottom = b.bottom
        elif (rb.band_of(b.top) > 0 or not crits) and not last_page \
                and not any(x.no is not None for x in blocks[bi + 1:]):
            # a new row at the foot of the page whose number and title go on overleaf
            orphan = OrphanTitle(page, b.glyphs, b.text)
        else:
            b.no = UNNUMBERED   # unnumbered title: resolved by matching words later
            starts.append(b)
    return starts, orphan


def _attach_pending_title(state: TableState, starts: list[TitleBlock]) -> None:
    pt = state.pending_title
    if pt is None:
        return
    if starts:
        starts[0].text = pt.text + starts[0].text
        starts[0].pre_parts = [(pt.page, pt.glyphs)]
    elif state.crits:
        state.crits[-1].title += pt.text
        state.crits[-1].title_parts.append((pt.page, pt.glyphs))


def _draft(s: TitleBlock, page: int) -> CriterionDraft:
    return CriterionDraft(s.no, s.text, s.pre_parts + [(page, s.glyphs + s.num_glyphs)], page, s.top, s.bottom)


Owner = tuple[float, float, "CriterionDraft | None"]    # (y0, y1, criterion) band


@dataclass
class PageRows:
    """The row bands of one page and the criteria they belong to."""
    page: Page
    top: float
    text_g: list[Glyph]
    new: list[CriterionDraft]         # criteria whose title starts on this page
    earlier: list[CriterionDraft]     # criteria of earlier pages
    pending: list[BandRef]            # title-less rows carried from earlier pages
    carry: bool                       # ... going on over this page, still without a title
    titles: list[Glyph] = field(default_factory=list)    # title and number glyphs of rows begun earlier
    orphan_top: float | None = None     # top of a title's first lines at the page foot, its number overleaf
    owners: list[Owner] = field(default_factory=list)
    first_band: bool = True
    next_pending: list[BandRef] | None = None
    inside_row: bool = False          # RowBands.inside_row

    @cached_property
    def text_ys(self) -> list[float]:
        """The centres of the text glyphs, sorted (which bands hold text, by bisection)."""
        return sorted([g.yc for g in self.text_g])

    def titleless_band(self, y0: float, y1: float) -> None:
        """A band without a title of this page: text of a row above, of a row whose title is
        further down, or of a row whose title comes on the next page."""
        ys = self.text_ys
        i = bisect_left(ys, y0)
        has_text = i < len(ys) and ys[i] < y1
        later_text = bool(ys) and ys[-1] >= y1
        below = [c for c in self.new if c.centre >= y1]
        if self.carry and has_text:
            self.pending.append((self.page.number, y0, y1))
        elif has_text and not self.earlier and below:
            self.owners.append((y0, y1, below[0]))    # the first row, its title further down
        elif has_text and not later_text and (y0 != self.top or not self.earlier):
            # a row that starts at the foot of the page with its title on the next page
            self.next_pending = [(self.page.number, y0, y1)]
        else:
            self.owners.append((y0, self._foot_row(y0, y1), self.earlier[-1] if self.earlier else None))
            if has_text:
                self.first_band = False

    def _foot_row(self, y0: float, y1: float) -> float:
        """A page without rules on which no title begins: the row going on over it may end
        at its one padding gap, the next row beginning below it (its title overleaf)."""
        if self.inside_row or not self.earlier or y0 != self.top or y1 <= self.page.height or self.next_pending:
            return y1
        tl = sorted(make_lines([g for g in self.text_g if y0 <= g.yc < y1]), key=lambda ln: ln.top)
        cut = self._orphan_foot(tl, y0, y1, None)
        if cut is None:
            cut = foot_row_start(tl, max((g.bottom for g in self.titles if y0 <= g.yc < y1), default=y0))
        if cut is None:
            return y1
        self.next_pending = [(self.page.number, cut, y1)]
        return cut

    def _open_start(self, tl: list[Line], inside: list[CriterionDraft], y0: float, y1: float) -> float:
        """Top of a continuation page without a rule: the previous row may go on here."""
        a = inside[0]
        end = y1
        if len(inside) > 1:
            end = row_cut(tl, a, inside[1], y1 if len(inside) == 2 else None, a_open_start=True)
        cut = continuation_cut([ln for ln in tl if ln.yc < end], a.centre, line_gap(tl))
        if cut is None or cut > a.top:      # rows do not overlap: the rest ends above a's title
            return y0
        self.owners.append((y0, cut, self.earlier[-1]))
        return cut

    def _top(self, tl: list[Line], inside: list[CriterionDraft], y0: float, y1: float) -> tuple[float, bool]:
        """Top of a continuation page without a rule: where the previous row's rest ends,
        and whether that is still open. Its title on the pages before may say how tall the
        rest is (centred over the whole row); else the centring of this page's titles."""
        prev = self.earlier[-1]
        parts = [(sorted(make_lines(gs), key=lambda ln: ln.top),
                  make_lines([g for p, t in prev.title_parts if p == pn for g in t]))
                 for pn, gs in sorted(prev.text_pages.items()) if pn < self.page.number]
        cut = rest_cut(tl, row_rest(parts), inside[0].centre)
        if cut is not None and cut <= inside[0].top:    # the rest ends above this page's first title
            self.owners.append((y0, cut, prev))
            return cut, False
        if len(inside) > 1:
            return self._open_start(tl, inside, y0, y1), False
        return y0, True

    def _orphan_foot(self, tl: list[Line], y0: float, y1: float, cut: float | None) -> float | None:
        """Where the next row begins at the foot of the band when its title's first lines
        are there, its number overleaf (else cut)."""
        ot = self.orphan_top
        if ot is None or not y0 <= ot < y1:
            return cut
        oc = orphan_cut(tl, ot)
        return cut if oc is None else oc

    def titled_band(self, y0: float, y1: float, inside: list[CriterionDraft]) -> None:
        """A band holding titles: several criteria in one band (no rules) are cut at the
        widest gap between them, or where each title is centred on its own text."""
        tl = sorted(lines_of([g for g in self.text_g if y0 <= g.yc < y1]), key=lambda ln: ln.top)
        cur = y0
        open_top = self.first_band and bool(self.earlier) and y0 == self.top and not self.pending \
            and not self.inside_row
        # no rule on the page at all: the next row may begin at its foot, title overleaf
        open_bottom = y0 == self.top and y1 > self.page.height and not self.inside_row
        if open_top:
            cur, open_top = self._top(tl, inside, y0, y1)
        self.first_band = False
        for j, (a, b) in enumerate(zip(inside, inside[1:])):
            last = j + 2 == len(inside)
            cut = row_cut([ln for ln in tl if ln.yc >= cur], a, b, y1 if last else None)
            self.owners.append((cur, cut, a))
            a.split_by_gap = b.split_by_gap = True
            cur = cut
        mine = [ln for ln in tl if ln.yc >= cur]
        top_cut, foot_cut = own_lines(mine, (inside[-1].top, inside[-1].bottom), open_top, open_bottom)
        foot_cut = self._orphan_foot(mine, y0, y1, foot_cut)
        if top_cut is not None:
            self.owners.append((cur, top_cut, self.earlier[-1]))
            cur = top_cut
        if foot_cut is not None:     # the next row begins at the page foot, its title overleaf
            self.next_pending = [(self.page.number, foot_cut, y1)]
            inside[-1].split_by_gap = True
        self.owners.append((cur, y1 if foot_cut is None else foot_cut, inside[-1]))

    def cut(self, bands: list[tuple[float, float]]) -> None:
        for y0, y1 in bands:
            inside = [c for c in self.new if y0 <= c.centre < y1]
            if inside:
                self.titled_band(y0, y1, inside)
            else:
                self.titleless_band(y0, y1)

    def owner_of(self, g: Glyph) -> CriterionDraft | None:
        for y0, y1, c in self.owners:
            if c is not None and y0 <= g.yc < y1:
                return c
        return None


class TableReader:
    """The criteria of one sheet, read page after page."""

    def __init__(self, pages: list[Page], templates: list[Template], cols: Columns, tops: ContinuationTops):
        self.pages = pages
        self.templates = templates
        self.cols = cols
        self.tops = tops
        self.state = TableState()

    def read(self, head_bottom: float) -> list[CriterionDraft]:
        parts = []
        for pi, page in enumerate(self.pages):
            top = head_bottom if pi == 0 else self.tops(page)
            lim = top - EDGE_PT
            cells = page_cells([g for g in page.glyphs if g.top >= lim], self.cols)
            seps = hrulings_y(page.rulings, self.cols.title_centre, top - EDGE_PT, page.height)
            parts.append((page, cells, seps, top))
        ruled = any(_rule_between_rows(cells, seps) for _, cells, seps, _ in parts)
        for page, cells, seps, top in parts:
            self.read_page(page, cells, seps, top, ruled)
        st = self.state
        if st.pending and st.crits:      # the sheet ended inside a title-less row
            self.assign_bands(st.pending, st.crits[-1])
            st.pending = None
        return st.crits

    def assign_bands(self, bands: list[BandRef], crit: CriterionDraft) -> None:
        """Give the text and rating glyphs of bands on (earlier) pages to a criterion."""
        cols = self.cols
        for pn, y0, y1 in bands:
            page = next(p for p in self.pages if p.number == pn)
            top = self.tops(page) if page is not self.pages[0] else 0.0
            for g in page.glyphs:
                if not (y0 <= g.yc < y1) or g.top < top - EDGE_PT:
                    continue
                if cols.text[0] <= g.xc < cols.text[1]:
                    crit.add_text(pn, g)
                elif cols.rating is not None and g.xc >= cols.rating:
                    crit.add_rating(pn, g)

    def starts_on_page(self, page: Page, cells: PageCells, seps: list[float], top: float, ruled: bool
                       ) -> tuple[list[CriterionDraft], RowBands]:
        """The criteria whose titles start on this page (titles of earlier ones completed).
        ruled: rules end the table's rows (on some page, one lies between its text); a page
        with none below its first text then lies in one row (RowBands.inside_row: its
        padding gaps are paragraphs', and no row begins at its foot)."""
        blocks = title_blocks(cells.title, seps, self.templates)
        number_blocks(blocks, cells.number, self.templates)
        first_y = min((g.top for g in cells.title + cells.text), default=top)
        rb = RowBands(first_y, tuple(y for y in seps if y > first_y))
        if not rb.seps and ruled:
            rb = RowBands(first_y, (), inside_row=True)
        elif not rb.seps:
            rb = RowBands(first_y, (), tuple(padding_gaps(sorted(lines_of(cells.text), key=lambda ln: ln.top))))
        starts, orphan = _sort_blocks(blocks, self.state, rb, page.number, page is self.pages[-1])
        _attach_pending_title(self.state, starts)
        self.state.pending_title = orphan
        return [_draft(s, page.number) for s in starts], rb

    def _hand_on_pending(self, rows: PageRows) -> None:
        """Title-less rows of earlier pages: to the first title of this page, on to the
        next page, or to the last criterion."""
        pending, st = rows.pending, self.state
        st.pending = rows.next_pending
        if pending and rows.new:
            self.assign_bands(pending, rows.new[0])
        elif pending and rows.carry:
            st.pending = pending
        elif pending and st.crits:
            self.assign_bands(pending, st.crits[-1])

    @staticmethod
    def row_ends(cells: PageCells, rb: RowBands) -> list[float]:
        """The ruling lines between rows, each moved below a last line drawn past it."""
        lines = sorted(lines_of(cells.text), key=lambda ln: ln.top)
        others = [g.yc for g in cells.title + cells.number]
        return [overflow_end(lines, y, others) for y in rb.seps]

    def read_page(self, page: Page, cells: PageCells, seps: list[float], top: float, ruled: bool) -> None:
        new, rb = self.starts_on_page(page, cells, seps, top, ruled)
        ys = [top] + self.row_ends(cells, rb) + [page.foot + PAST_FOOT_PT]
        bands = [(a, b) for a, b in zip(ys, ys[1:]) if b - a > BAND_MIN_PT]
        pending = self.state.pending or []
        orphan = self.state.pending_title
        later = {id(g) for g in orphan.glyphs} if orphan is not None and orphan.page == page.number else set()
        rows = PageRows(page, top, cells.text, new, self.state.crits, pending, bool(pending) and not new,
                        [g for g in cells.title + cells.number if id(g) not in later],
                        min((g.top for g in orphan.glyphs), default=None) if later else None,
                        inside_row=rb.inside_row)
        rows.cut(bands)
        self._hand_on_pending(rows)
        self.state.crits.extend(new)
        owners: dict[float, CriterionDraft | None] = {}    # by yc: the glyphs of a line share it
        mine: dict[int, tuple[CriterionDraft, list[Glyph]]] = {}    # by id: its text glyphs here, in order
        for g in cells.text:
            c = owners[g.yc] if g.yc in owners else owners.setdefault(g.yc, rows.owner_of(g))
            if c is not None:
                got = mine.get(id(c))
                if got is None:
                    got = mine[id(c)] = (c, [])
                got[1].append(g)
        for c, gs in mine.values():     # as add_text glyph by glyph, at once
            c.text_pages.setdefault(page.number, []).extend(gs)
        for g in cells.rating:
            c = rows.owner_of(g)
            if c is not None:
                c.add_rating(page.number, g)
