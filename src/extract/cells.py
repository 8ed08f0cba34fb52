"""Cells of a ruled grid: each glyph belongs to the box bounded by the nearest ruling lines
around it, so merged cells, wrapped labels and notes stay whole. Geometry only."""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from .layout import make_lines
from .model import Glyph, Page, Ruling
from .normalize import squash

# How far (pt) a ruling may miss the point it should cover.
SLACK = 1.0
# A label cell's note ("（目指す姿を簡潔に。）") may be cut off from its label by a fill edge.
NOTE_OPEN = ("(", "（")
_MINUS = str.maketrans({"\u2212": "-"})
# A column edge this close (pt) to a cell's side is that side, not a cut inside it.
EDGE_MARGIN = 3.0
# Two cells' texts are at least this many character sizes apart (a space in a text is one).
GAP_EMS = 1.1
# Where the sides of a cell cut by a page break are looked for, below its top rule (pt; past a
# rule's own reach, SLACK, so the sides of the rows above do not count).
SIDE_PROBE = 2.0
# Boxes whose edges differ by less than this (pt) are the same cell.
SNAP = 1.0
# A line drawn over a grid's bottom rule goes on with the cell above when it is no further
# below that cell's last line than this many character sizes (and so does each line after it;
# LibreOffice sets Noto CJK's lines 1.5 sizes apart: 0.5 between their boxes).
OVERFLOW_GAP_EM = 0.6
# Inside the grid, a line goes on from the cell above only where it crosses its own cell's top
# rule by this much (a text too long for its row drawn over the border; a cell's own first
# line keeps below the rule, or touches it).
OVERFLOW_CROSS_EM = 0.2


@dataclass
class Cell:
    page: int
    x0: float
    top: float
    x1: float
    bottom: float
    glyphs: list[Glyph] = field(default_factory=list)
    ruled: bool = True      # both sides are drawn vertical rules
    boxed: bool = True      # a horizontal rule above and below: inside the grid, not furniture
    tail: str = ""          # the end of its text, printed on the next page (join_cut_labels)

    @property
    def text(self) -> str:
        """The lines of the cell joined without breaks (wrapping is not content); U+2212
        (fonts map the full-width hyphen-minus － to it) read as '-', as NFKC reads －."""
        return "".join(ln.text for ln in make_lines(self.glyphs)).translate(_MINUS) + self.tail

    @property
    def key(self) -> str:
        return squash(self.text)

    @property
    def yc(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def xc(self) -> float:
        return (self.x0 + self.x1) / 2


class _Rules:
    """Ruling lines of one direction as (position, start, end), grouped by the stretch of
    the cross axis they cover: the lines covering a point are found by bisection instead
    of a scan per glyph. Between two consecutive ends (start - SLACK, end + SLACK) the
    covering set does not change, so it is computed once per stretch."""

    def __init__(self, lines: list[tuple[float, float, float]]):
        self.lines = [(pos, a - SLACK, b + SLACK) for pos, a, b in lines]
        self.ends = sorted({e for _, a, b in self.lines for e in (a, b)})
        self._covering: dict[int, list[float]] = {}

    def covering(self, cross: float) -> list[float]:
        """Sorted positions of the lines whose extent covers `cross`."""
        i = bisect_left(self.ends, cross)
        slot = 2 * i + 1 if i < len(self.ends) and self.ends[i] == cross else 2 * i
        got = self._covering.get(slot)
        if got is None:
            got = self._covering[slot] = sorted(pos for pos, a, b in self.lines if a <= cross <= b)
        return got

    def nearest(self, centres: list[float], crosses: list[float], lo: float, hi: float) -> list[tuple[float, float]]:
        """For each (centre, cross), among the lines covering `cross`: the last position at
        or before `centre` (above lo) and the first after it (below hi). One loop for all
        the glyphs of a page (it runs a thousand times a page)."""
        ends, n, memo = self.ends, len(self.ends), self._covering
        out = []
        for centre, cross in zip(centres, crosses):
            i = bisect_left(ends, cross)
            slot = 2 * i + 1 if i < n and ends[i] == cross else 2 * i
            pos = memo.get(slot)
            if pos is None:
                pos = self.covering(cross)
            j = bisect_right(pos, centre)
            out.append((pos[j - 1] if j and pos[j - 1] > lo else lo,
                        pos[j] if j < len(pos) and pos[j] < hi else hi))
        return out


def _bounds(glyphs: list[Glyph], vert: _Rules, horiz: _Rules, page: Page) -> list[tuple[float, ...]]:
    """(x0, top, x1, bottom) of the ruled box around each glyph; the page's edges where none
    is drawn."""
    xc = [g.xc for g in glyphs]
    yc = [g.yc for g in glyphs]
    return [(x0, top, x1, bottom) for (x0, x1), (top, bottom)
            in zip(vert.nearest(xc, yc, -1.0, page.width + 1), horiz.nearest(yc, xc, -1.0, page.height + 1))]


def _split_at(c: Cell, x: float) -> tuple[Cell, Cell] | None:
    """c cut at x when x runs through a gap on every line that has glyphs on both sides
    (a column edge whose rule is not drawn), else None."""
    left = [g for g in c.glyphs if g.x1 <= x - SLACK]
    right = [g for g in c.glyphs if g.x0 >= x + SLACK]
    if not left or not right or len(left) + len(right) != len(c.glyphs):
        return None
    for ln in make_lines(c.glyphs):
        a = [g.x1 for g in ln.glyphs if g.x1 <= x]
        b = [g.x0 for g in ln.glyphs if g.x0 >= x]
        if a and b and min(b) - max(a) < GAP_EMS * ln.size:
            return None     # a space inside a text, not the padding of two cells
    return (Cell(c.page, c.x0, c.top, x, c.bottom, left, ruled=False, boxed=c.boxed),
            Cell(c.page, x, c.top, c.x1, c.bottom, right, ruled=False, boxed=c.boxed))


def split_unruled(cells: list[Cell], edges: list[float]) -> list[Cell]:
    """Cells whose vertical rules are not drawn (a grid with horizontal rules only) cut at
    the column edges drawn elsewhere on the page (label fills, header cells)."""
    todo = list(cells)
    out: list[Cell] = []
    while todo:
        c = todo.pop()
        for x in edges:
            if c.x0 + EDGE_MARGIN < x < c.x1 - EDGE_MARGIN and (parts := _split_at(c, x)):
                todo.extend(parts)
                break
        else:
            out.append(c)
    return out


def column_edges(page: Page) -> list[float]:
    """x of the page's vertical rules (where columns are cut when a cell's own are missing)."""
    return sorted({round(r.x0, 1) for r in page.rulings if not r.horizontal})


def page_cells(page: Page, more_edges: list[float] | None = None) -> list[Cell]:
    """The non-empty cells of a page, top to bottom, left to right. `more_edges`: column
    edges of the page before (a table cut by a page break keeps its columns)."""
    vert = _Rules([(r.x0, r.top, r.bottom) for r in page.rulings if not r.horizontal])
    horiz = _Rules([(r.top, r.x0, r.x1) for r in page.rulings if r.horizontal and not r.seam])
    by_box: dict[tuple[float, ...], Cell] = {}
    for g, b in zip(page.glyphs, _bounds(page.glyphs, vert, horiz, page)):
        c = by_box.get(b) or next((d for k, d in by_box.items()
                                   if all(abs(u - v) <= SNAP for u, v in zip(k, b))), None)
        if c is None:
            c = by_box[b] = Cell(page.number, *b, ruled=b[0] >= 0 and b[2] <= page.width,
                                 boxed=b[1] >= 0 and b[3] <= page.height)
        by_box.setdefault(b, c)
        c.glyphs.append(g)
    cells = join_cut(join_overflow(list({id(c): c for c in by_box.values()}.values())), page.width, vert)
    edges = sorted(set(column_edges(page)) | set(more_edges or []))
    cells = [narrow_unruled(c, edges, page.width) for c in split_unruled(cells, edges)]
    return sorted(cells, key=lambda c: (c.top, c.x0))


def narrow_unruled(c: Cell, edges: list[float], width: float) -> Cell:
    """A grid cell (a rule above and below) with no vertical rule on a side, that side set at
    the nearest column edge drawn elsewhere (`edges`) beyond its glyphs: a table's rows at the
    top of a continuation page whose label column is neither ruled nor filled there (a browser
    paints a merged cell's fill and sides on its first page only) stay right of it."""
    if not c.boxed or (c.x0 >= 0 and c.x1 <= width):
        return c
    if c.x0 < 0:
        left = min(g.x0 for g in c.glyphs) + SLACK
        c.x0 = max((x for x in edges if x <= left), default=c.x0)
    if c.x1 > width:
        right = max(g.x1 for g in c.glyphs) - SLACK
        c.x1 = min((x for x in edges if x >= right), default=c.x1)
    return c


def join_overflow(cells: list[Cell]) -> list[Cell]:
    """Lines printed past a grid's bottom rule that go on from a cell above it, given to that
    cell: a text too long for its row drawn over the row's border (a fixed row height, the
    table's last row on its page). The first such line crosses the rule; each one after it
    follows the one before at a line's spacing, inside the cell's sides. The cells above u
    are found by bisecting the boxed cells' bottoms (every cell is a u)."""
    boxed = sorted((a.bottom, i) for i, a in enumerate(cells) if a.boxed)
    bottoms = [b for b, _ in boxed]
    for u in cells:
        near = sorted(i for _, i in boxed[bisect_left(bottoms, u.top - SNAP):bisect_right(bottoms, u.top + SNAP)])
        above = [cells[i] for i in near if cells[i] is not u and cells[i].glyphs]
        if above:
            _give_overflow(u, above)
    return [u for u in cells if u.glyphs]


def _give_overflow(u: Cell, above: list[Cell]) -> None:
    """Inside the grid (u boxed) only lines that cross u's top rule by OVERFLOW_CROSS_EM go:
    a cell's own first line stays below its rule. Outside it (past the grid's last rule on
    the page), any line that follows: a merged cell cut by a page break, whose whole text
    Calc lays out around the middle of the whole cell, has the lines past the break below
    the part's bottom rule."""
    def may(ln, started: bool) -> bool:
        return not u.boxed or ln.top <= u.top - OVERFLOW_CROSS_EM * ln.size
    _hand_on(u, above, may)


def _hand_on(u: Cell, above: list[Cell], may) -> None:
    """u's lines, top to bottom, given to the cell of `above` whose sides hold them, while
    each follows that cell's last line within OVERFLOW_GAP_EM and may(line, started) allows
    it (started: that cell has taken a line of u already)."""
    last: dict[int, float] = {}     # id of a cell above -> bottom of its last line
    taken: set[int] = set()
    for ln in sorted(make_lines(u.glyphs), key=lambda ln: ln.top):
        a = next((a for a in above if a.x0 - SLACK <= ln.x0 and ln.x1 <= a.x1 + SLACK), None)
        if a is None:
            break
        end = last.get(id(a), max(g.bottom for g in a.glyphs))
        if not may(ln, id(a) in last) or ln.top - end > OVERFLOW_GAP_EM * ln.size:
            break
        a.glyphs.extend(ln.glyphs)
        taken.update(map(id, ln.glyphs))
        last[id(a)] = ln.bottom
    if taken:
        u.glyphs = [g for g in u.glyphs if id(g) not in taken]


def join_cut(cells: list[Cell], width: float, vert: _Rules | None = None) -> list[Cell]:
    """A merged cell cut by a page break, its part on the first page: a rule above it and
    a side ruled, none below (the cell goes on over the page). A browser lays the whole
    text out in that part, past the table's last rule when the part is short; the lines
    that follow its own inside its sides (in a cell with the same top: no rule parts them)
    are its text, and the part counts as inside the grid, down to its last line. Where
    no side is ruled beside its text (LibreOffice Calc lays it out around the middle of
    the whole cell, below a short part), the sides are those drawn just below its top
    (`vert`, the page's vertical rules), when they hold its text."""
    apart = []
    for a in cells:
        if a.boxed or a.top < 0 or not a.glyphs:
            continue
        if a.x0 < 0 and a.x1 > width and not (vert and _sides_below_top(a, vert, width)):
            continue
        for u in cells:
            if u is not a and not u.boxed and abs(u.top - a.top) <= SNAP and u.glyphs:
                _hand_on(u, [a], lambda ln, started: True)
        apart += _detach(a)
        a.bottom, a.boxed = max(g.bottom for g in a.glyphs), True
    return [u for u in cells + apart if u.glyphs]


def _detach(a: Cell) -> list[Cell]:
    """The lines of a (a part open at the bottom) that do not follow its text, below it past
    OVERFLOW_GAP_EM (a page number in the margin under the page's last row), taken out of it
    as a cell outside the grid."""
    lines = sorted(make_lines(a.glyphs), key=lambda ln: ln.top)
    for k in range(1, len(lines)):
        if lines[k].top - lines[k - 1].bottom > OVERFLOW_GAP_EM * max(lines[k].size, lines[k - 1].size):
            rest = [g for ln in lines[k:] for g in ln.glyphs]
            a.glyphs = [g for ln in lines[:k] for g in ln.glyphs]
            return [Cell(a.page, a.x0, lines[k].top, a.x1, a.bottom, rest, ruled=False, boxed=False)]
    return []


def _sides_below_top(a: Cell, vert: _Rules, width: float) -> bool:
    """Set a's sides to the vertical rules drawn SIDE_PROBE below its top, where both are
    there and hold its glyphs."""
    x0, x1 = min(g.x0 for g in a.glyphs), max(g.x1 for g in a.glyphs)
    (left, right), = vert.nearest([(x0 + x1) / 2], [a.top + SIDE_PROBE], -1.0, width + 1)
    if left < 0 or right > width or left > x0 + SLACK or right < x1 - SLACK:
        return False
    a.x0, a.x1 = left, right
    return True


def join_cut_labels(cells_by_page: list[list[Cell]], labels: set[str]) -> None:
    """A label cell cut by a page break whose unseen part a PDF printer left out (it prints
    what shows: the lines Calc laid past the part's bottom rule, or above the grid on the
    next page): the last cell of a column on one page reads the start of a label, the first
    cell of that column on the next page, at the top of its grid or above it, its end, or
    the whole label. The end is given to the first as its tail; the second stays
    (cells.inside takes it for the label's part)."""
    for cells, after in zip(cells_by_page, cells_by_page[1:]):
        top = min((c.top for c in after if c.boxed), default=0.0)     # the grid's, overleaf
        for a in _column_ends(cells):
            if not a.glyphs or a.key in labels:
                continue
            own = _inside(a)            # without the lines past its part, which a PDF printer
            starts = [a.key, squash(Cell(a.page, a.x0, a.top, a.x1, a.bottom, own).text)]  # may mangle
            heads = sorted((c for c in after if _same_column(a, c) and c.top <= top + SLACK), key=lambda c: c.top)
            whole = Cell(a.page, a.x0, a.top, a.x1, a.bottom, [g for c in heads for g in c.glyphs])  # a line
            for nxt in [b.key for b in heads] + [whole.key]:        # across the grid's top rule
                tail, start = next(((t, k) for k in starts if (t := _label_end(k, nxt, labels))), ("", ""))
                if tail:
                    a.tail, a.glyphs = tail, (a.glyphs if start == a.key else own)
                    break


def _inside(a: Cell) -> list[Glyph]:
    """a's glyphs inside its box (not the lines past its bottom rule it was given)."""
    return [g for g in a.glyphs if a.top - SLACK <= g.yc <= a.bottom + SLACK]


def _same_column(a: Cell, b: Cell) -> bool:
    return abs(a.x0 - b.x0) <= 2 * SLACK and abs(a.x1 - b.x1) <= 2 * SLACK


def _column_ends(cells: list[Cell]) -> list[Cell]:
    """The last cell of each column (cells of the same sides) of a page."""
    ends: list[Cell] = []
    for c in sorted(cells, key=lambda c: -c.bottom):
        if not any(_same_column(c, e) for e in ends):
            ends.append(c)
    return ends


def _label_end(start: str, nxt: str, labels: set[str]) -> str:
    """What follows `start` of a label: `nxt` where start + nxt is a label, the rest of
    `nxt` where nxt is a label beginning with start; else nothing."""
    if not start or start in labels:
        return ""
    if start + nxt in labels:
        return nxt
    if nxt in labels and nxt.startswith(start) and nxt != start:
        return nxt[len(start):]
    return ""


def right_of(cells: list[Cell], c: Cell) -> Cell | None:
    """The nearest cell to the right on c's middle line."""
    cands = [d for d in cells if d.page == c.page and d.x0 >= c.x1 - SLACK and d.top <= c.yc <= d.bottom]
    return min(cands, key=lambda d: (round(d.x0), d.bottom - d.top), default=None)


def below(cells: list[Cell], c: Cell) -> Cell | None:
    """The nearest cell below c that covers c's centre column."""
    cands = [d for d in cells if d.page == c.page and d.top >= c.bottom - SLACK and d.x0 <= c.xc <= d.x1]
    return min(cands, key=lambda d: d.top, default=None)


def same_row(cells: list[Cell], c: Cell) -> list[Cell]:
    """Cells whose span holds c's middle line, left to right (c excluded)."""
    return sorted((d for d in cells if d is not c and d.page == c.page and d.top <= c.yc <= d.bottom),
                  key=lambda d: d.x0)


def _label_column(cells: list[Cell], label: Cell) -> list[Cell]:
    return [d for d in cells if abs(d.x0 - label.x0) <= 2 * SLACK and d.x1 <= label.x1 + 2 * SLACK]


def _is_label(d: Cell) -> bool:
    return not d.key.startswith(NOTE_OPEN)


def _right_of_column(cells: list[Cell], label: Cell, page: int, top: float, bottom: float) -> list[Cell]:
    return [d for d in cells if d.page == page and d.boxed and d.x0 >= label.x1 - SLACK
            and top - SLACK <= d.yc <= bottom]


def inside(cells: list[Cell], label: Cell) -> list[Cell]:
    """The table a label cell of the left column labels: the cells right of it, from the
    label above it to the label below it (a label cell's own box is not trusted: fills of
    merged cells draw inner edges). A table cut by a page break goes on at the top of the
    next page, down to the first label there; a label printed on the second page of its
    table takes the rows below the last label of the page before. Only labels inside the
    grid count (Calc draws a cut merged cell's text on both pages, past the grid on one)."""
    col = [d for d in _label_column(cells, label) if _is_label(d) and (d.boxed or d is label)]
    same = [d for d in col if d.page == label.page]
    top = max((d.bottom for d in same if d.yc < label.top), default=0.0)
    below_ = [d.top for d in same if d.yc > label.bottom]
    out = _right_of_column(cells, label, label.page, top, min(below_, default=float("inf")))
    if not any(d.yc < label.top for d in same):   # first label of its page: the table may
        start = max((d.bottom for d in col if d.page == label.page - 1), default=None)  # begin before
        if start is not None:
            out = _right_of_column(cells, label, label.page - 1, start, float("inf")) + out
    if not below_:
        out += _next_page(cells, label, col)
    return out


def _next_page(cells: list[Cell], label: Cell, col: list[Cell]) -> list[Cell]:
    """The label's table going on at the top of the next page, down to the first label there
    that is not the end of its own text (_tail_of)."""
    nxt = sorted((d for d in col if d.page == label.page + 1), key=lambda d: d.top)
    if nxt and _tail_of(label, nxt[0]):
        nxt = nxt[1:]
    return _right_of_column(cells, label, label.page + 1, 0.0, nxt[0].top if nxt else float("inf"))


def _tail_of(label: Cell, d: Cell) -> bool:
    """Whether d, the first label cell on the page after `label`'s, is the end of label's
    own text: a merged label cell cut by the page break, its text drawn on both pages
    (LibreOffice Calc), its last lines or all of them inside the part on the second page;
    or some of its first line too, where that line lies across the grid's top rule (its
    characters then in order in the label's, ending it)."""
    if not d.key or d.key[-1:] != label.key[-1:]:
        return False
    rest = iter(label.key)
    return label.key.endswith(d.key) or all(ch in rest for ch in d.key)
