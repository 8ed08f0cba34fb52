"""Geometry: text lines, words found by position, column boundaries and row bands.

Everything here works on positions only; content-stream order never decides anything.
"""
from __future__ import annotations

import weakref
from bisect import bisect_left, bisect_right
from functools import cached_property, lru_cache
from operator import attrgetter
from statistics import median

from .model import Glyph, Page, Ruling
from .normalize import label_key
from .tolerances import WRAP_INDENT_EM


@lru_cache(maxsize=4096)
def char_key(ch: str) -> str:
    """One glyph's text as labels are compared (normalize.label_key): ‧ · ･ as ・, dash
    variants as ー, radicals as their ideographs."""
    return label_key(ch)


class Line:
    """Glyphs on one baseline, left to right; its box is computed once."""
    __slots__ = ("glyphs", "top", "bottom", "x0", "x1", "yc", "_size", "_text", "raw")

    def __init__(self, glyphs: list[Glyph]):
        self.glyphs = glyphs
        self.top = min([g.top for g in glyphs])
        self.bottom = max([g.bottom for g in glyphs])
        self.x0 = glyphs[0].x0
        self.x1 = max([g.x1 for g in glyphs])
        self.yc = (self.top + self.bottom) / 2
        self._size: float | None = None
        self._text: str | None = None
        self.raw: str | None = None     # its raw text with word spaces, once text.line_raw has read it

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = "".join([g.text for g in self.glyphs])
        return self._text

    @property
    def size(self) -> float:
        """Median glyph size (computed on first use: a line's glyphs do not change)."""
        if self._size is None:
            self._size = median([g.size for g in self.glyphs])
        return self._size


def make_lines(glyphs: list[Glyph]) -> list[Line]:
    """Cluster glyphs into baselines by vertical centre, each sorted left to right.

    Sorted by centre only first (a float sort, much cheaper than by (centre, x0)): the
    glyphs of one centre may then be in any order, which gives the same groups wherever
    they share a size; where they do not, which comes first (by x0) decides."""
    groups = _baselines_by_centre(sorted(glyphs, key=_YC))
    if groups is None:
        groups = _baselines(sorted(glyphs, key=_BY_Y))
    return [Line(sorted(gs, key=_BY_X)) for gs in groups]


def _baselines(order: list[Glyph]) -> list[list[Glyph]]:
    """Glyphs sorted by (centre, x0) grouped into baselines: a glyph joins the group whose
    first glyph's centre is within 0.35 of the smaller of their sizes."""
    groups: list[list[Glyph]] = []
    group: list[Glyph] = []
    yc = size = 0.0
    for g in order:
        gsize = g.size
        if group and abs(g.yc - yc) <= 0.35 * (size if size < gsize else gsize):
            group.append(g)
            continue
        group = [g]
        groups.append(group)
        yc, size = g.yc, gsize
    return groups


def _baselines_by_centre(order: list[Glyph]) -> list[list[Glyph]] | None:
    """_baselines of glyphs sorted by centre only; None where two glyphs of one centre
    differ in size."""
    groups: list[list[Glyph]] = []
    group: list[Glyph] = []
    yc = size = last_yc = last_size = 0.0
    for g in order:
        gyc, gsize = g.yc, g.size
        if gyc == last_yc and gsize != last_size and group:
            return None
        last_yc, last_size = gyc, gsize
        if group and abs(gyc - yc) <= 0.35 * (size if size < gsize else gsize):
            group.append(g)
            continue
        group = [g]
        groups.append(group)
        yc, size = gyc, gsize
    return groups


# How many glyph lists lines_of remembers (a sheet's text cells are lined up when its rows are
# cut, again when their text is read and again for the fields table).
LINES_MEMO = 1024
_LINES: dict[tuple[int, ...], list[Line]] = {}


def forget_lines() -> None:
    """Drop what lines_of remembers: called when a new PDF is read, so the glyphs of the
    last one are not kept alive (and scanned by the garbage collector) while it is."""
    _LINES.clear()


def lines_of(glyphs: list[Glyph]) -> list[Line]:
    """make_lines for glyph lists that are lined up more than once: the lines of the last
    LINES_MEMO lists, by the identity and order of their glyphs (the lines hold every
    glyph, so their ids stay theirs). A new list each call; the Lines are shared, never
    changed."""
    key = tuple(map(id, glyphs))
    lines = _LINES.pop(key, None)
    if lines is None:
        lines = make_lines(glyphs)
        if len(_LINES) >= LINES_MEMO:       # the oldest goes (no error if another thread cleared)
            _LINES.pop(next(iter(_LINES), None), None)
    _LINES[key] = lines
    return list(lines)


_BY_Y = attrgetter("yc", "x0")
_YC = attrgetter("yc")
_BY_X = attrgetter("x0")


def vruling_between(rulings: list[Ruling], xa: float, xb: float, y: float, slack: float = 1.0) -> Ruling | None:
    for r in rulings:
        if r.horizontal:
            continue
        x = (r.x0 + r.x1) / 2
        if xa - slack <= x <= xb + slack and r.top - slack <= y <= r.bottom + slack:
            return r
    return None


def hrulings_y(rulings: list[Ruling], x: float, top: float, bottom: float, slack: float = 1.0) -> list[float]:
    """y of horizontal ruling lines that cross vertical line x between top and bottom."""
    return sorted([y for r in rulings if r.horizontal and r.x0 - slack <= x <= r.x1 + slack
                   and top <= (y := (r.top + r.bottom) / 2) <= bottom])


def vrulings_x(rulings: list[Ruling], x0: float, x1: float, top: float, bottom: float, min_cover: float = 0.5) -> list[float]:
    """x of vertical ruling lines between x0 and x1 that cover a good part of [top, bottom]."""
    need = min_cover * max(bottom - top, 1.0)
    return sorted([x for r in rulings if not r.horizontal and x0 <= (x := (r.x0 + r.x1) / 2) <= x1
                   and min(r.bottom, bottom) - max(r.top, top) >= need])


def gaps(glyphs: list[Glyph], x0: float, x1: float, min_width: float = 1.5) -> list[tuple[float, float]]:
    """Horizontal intervals inside [x0, x1] that no glyph covers (x-projection gaps)."""
    spans = sorted([(x0 if x0 > g.x0 else g.x0, x1 if x1 < g.x1 else g.x1)      # max(g.x0, x0), min(g.x1, x1)
                    for g in glyphs if g.x1 > x0 and g.x0 < x1])
    out = []
    cur = x0
    for a, b in spans:
        if a - cur >= min_width:
            out.append((cur, a))
        cur = max(cur, b)
    if x1 - cur >= min_width:
        out.append((cur, x1))
    return out


# How far (pt) a vertical rule between two glyphs may miss them (Index: cells and words).
CELL_RULE_SLACK = 0.5
# A glyph also begins a cell after a gap of this many sizes where a horizontal rule ends
# between it and the glyph before, within COLUMN_EDGE_REACH_EM sizes of its line: a column
# edge of a grid drawn with horizontal rules only, its cells' borders in segments.
COLUMN_EDGE_GAP_EM = 0.5
COLUMN_EDGE_REACH_EM = 1.5


def _centre_x(r: Ruling) -> float:
    return (r.x0 + r.x1) / 2


class Index:
    """Lines of a page with fast neighbour look-ups, for finding words by position."""

    def __init__(self, glyphs: list[Glyph], rulings: list[Ruling]):
        self.lines = make_lines(glyphs)
        self.rulings = rulings
        # vertical rulings by their x, for bisecting (see _ruled_between)
        self._vertical = sorted((r for r in rulings if not r.horizontal), key=_centre_x)
        self._vx = [_centre_x(r) for r in self._vertical]
        self._found: dict[tuple[str, bool], list[list[Glyph]]] = {}
        self._width = max((len(ln.glyphs) for ln in self.lines), default=0) + 1   # see _at
        self._starts: dict[tuple[int, int], bool] = {}

    def _ruled_between(self, xa: float, xb: float, y: float) -> bool:
        """Whether a vertical ruling line between x = xa and xb crosses y (as
        vruling_between with slack CELL_RULE_SLACK is not None)."""
        lo = bisect_left(self._vx, xa - CELL_RULE_SLACK)
        hi = bisect_right(self._vx, xb + CELL_RULE_SLACK)
        return any(r.top - CELL_RULE_SLACK <= y <= r.bottom + CELL_RULE_SLACK for r in self._vertical[lo:hi])

    @cached_property
    def _rule_ends(self) -> tuple[list[float], list[float]]:
        """Where horizontal rules end: (x, y) sorted by x, as two lists (see cell_start)."""
        ends = sorted((x, r.top) for r in self.rulings if r.horizontal for x in (r.x0, r.x1))
        return [x for x, _ in ends], [y for _, y in ends]

    def _edge_between(self, xa: float, xb: float, y: float, size: float) -> bool:
        """Whether a horizontal rule ends between x = xa and xb near y."""
        xs, ys = self._rule_ends
        lo = bisect_left(xs, xa)
        hi = bisect_right(xs, xb + CELL_RULE_SLACK)
        return any(abs(ys[k] - y) <= COLUMN_EDGE_REACH_EM * size for k in range(lo, hi))

    def where(self, g: Glyph) -> tuple[int, int]:
        """(line, glyph) of a glyph of the index; KeyError for another glyph. The lines
        whose box holds it are looked at first (a line's box holds its glyphs)."""
        for boxed in (True, False):
            for li, ln in enumerate(self.lines):
                if boxed == (ln.top <= g.top and g.bottom <= ln.bottom):
                    for gi, h in enumerate(ln.glyphs):
                        if h is g:
                            return li, gi
        raise KeyError(id(g))

    @cached_property
    def _at(self) -> dict[str, list[int]]:
        """Where each character is printed, as labels are compared (char_key), in reading
        order: line li, glyph gi as one int, li * self._width + gi (ints: nothing for the
        garbage collector to track)."""
        width = self._width
        by_text: dict[str, list[int]] = {}
        for li, ln in enumerate(self.lines):
            base = li * width
            for gi, g in enumerate(ln.glyphs):
                by_text.setdefault(g.text, []).append(base + gi)
        out: dict[str, list[int]] = {}
        for text, at in by_text.items():
            key = char_key(text)
            out[key] = sorted(out[key] + at) if key in out else at
        return out

    def cell_start(self, li: int, gi: int) -> bool:
        """True where a glyph begins a cell: line start, after a wide gap or a ruling line, or
        after a narrower gap at a column edge where horizontal rules end."""
        if gi == 0:
            return True
        got = self._starts.get((li, gi))
        if got is None:
            ln = self.lines[li]
            a, b = ln.glyphs[gi - 1], ln.glyphs[gi]
            gap = b.x0 - a.x1
            got = self._starts[(li, gi)] = gap >= 1.0 * b.size or self._ruled_between(a.x1, b.x0, b.yc) or (
                gap >= COLUMN_EDGE_GAP_EM * b.size and self._edge_between(a.xc, b.x0, b.yc, b.size))
        return got

    def find(self, word: str, cell_start: bool = True) -> list[list[Glyph]]:
        """Every placement of `word` read rightwards, wrapping to the line below or
        stacked vertically; spacing between its characters is ignored. Memoized: the
        anchors, the sheet starts and the header rows look for the same words."""
        key = (word, cell_start)
        if key not in self._found:
            self._found[key] = self._find(word, cell_start)
        return [list(h) for h in self._found[key]]

    def _find(self, word: str, cell_start: bool) -> list[list[Glyph]]:
        chars = [char_key(c) for c in word if not c.isspace()]
        hits = []
        first = chars[0] if self.lines else ""     # (an empty word fails only where there are glyphs)
        for li, gi in (divmod(at, self._width) for at in self._at.get(first, ())):
            if cell_start and not self.cell_start(li, gi):
                continue
            m = self._extend(li, gi, chars, 1, [self.lines[li].glyphs[gi]], (li, gi))
            if m:
                hits.append(m)
        return hits

    def _extend(self, li, gi, chars, k, acc, chunk_start):
        if k == len(chars):
            return acc
        ln = self.lines[li]
        # rightwards on the same line, whatever the gap (distributed labels)
        if gi + 1 < len(ln.glyphs) and char_key(ln.glyphs[gi + 1].text) == chars[k]:
            nxt = ln.glyphs[gi + 1]
            if not self._ruled_between(ln.glyphs[gi].x1, nxt.x0, nxt.yc):
                r = self._extend(li, gi + 1, chars, k + 1, acc + [nxt], chunk_start)
                if r:
                    return r
        # wrap: next line below, starting under this chunk's start (left-aligned or centred)
        sl, sg = chunk_start
        cur = self.lines[li].glyphs[gi]
        under = self._wrap_under(sl, sg, li, gi, acc[0])
        for lj in range(li + 1, min(li + 6, len(self.lines))):
            lnj = self.lines[lj]
            if lnj.top - cur.bottom > 1.2 * cur.size:
                break
            for gj, h in enumerate(lnj.glyphs):
                if char_key(h.text) == chars[k] and under(lj, gj, h):
                    r = self._extend(lj, gj, chars, k + 1, acc + [h], (lj, gj))
                    if r:
                        return r
        return None

    def _wrap_under(self, sl: int, sg: int, li: int, gi: int, word_first: Glyph):
        """Whether glyph h (line lj, glyph gj) may go on a word wrapped after glyph gi of line
        li, whose current line's chunk began at glyph sg of line sl: under the chunk's start
        or centre, or under its last glyph, or at a cell start near the left edge of the cell
        the chunk sits in (a label wrapped mid-word: 令和元年度当初予算 / 額（千円）) or where the
        word's first line begins (a line of a distributed label set in by an ideographic
        space: 担　当　課 / ・　室 / 名)."""
        first = self.lines[sl].glyphs[sg]
        chunk = self.lines[sl].glyphs[sg:gi + 1] if sl == li else [self.lines[li].glyphs[gi]]
        cx = (chunk[0].x0 + chunk[-1].x1) / 2
        cur = self.lines[li].glyphs[gi]
        k0 = sg
        while k0 > 0 and not self.cell_start(sl, k0):
            k0 -= 1
        cell_x0 = self.lines[sl].glyphs[k0].x0

        def under(lj: int, gj: int, h: Glyph) -> bool:
            size = h.size
            if abs(h.x0 - first.x0) <= 0.6 * size or abs(h.xc - cx) <= 0.8 * size or abs(h.xc - cur.xc) <= 0.3 * size:
                return True
            return (-0.6 * size <= h.x0 - cell_x0 <= WRAP_INDENT_EM * size
                    or abs(h.x0 - word_first.x0) <= 0.6 * size) and self.cell_start(lj, gj)
        return under


# The Index of each whole page, by id(page): several stages look words up on the same page.
_PAGE_INDEXES: dict[int, tuple[weakref.ref, Index]] = {}


def page_index(page: Page) -> Index:
    """The Index of a whole page, built once per Page object and shared by the stages that
    look words up on it (pages are never changed in place: a clipped or joined page is a
    new Page, with an Index of its own). Dropped when the page is."""
    key = id(page)
    got = _PAGE_INDEXES.get(key)
    if got is not None and got[0]() is page:
        return got[1]
    idx = Index(page.glyphs, page.rulings)
    _PAGE_INDEXES[key] = (weakref.ref(page, lambda _, k=key: _PAGE_INDEXES.pop(k, None)), idx)
    return idx


def bbox(glyphs: list[Glyph]) -> tuple[float, float, float, float]:
    return (min([g.x0 for g in glyphs]), min([g.top for g in glyphs]),
            max([g.x1 for g in glyphs]), max([g.bottom for g in glyphs]))


def paragraphs(lines: list[Line], right_edge: float, is_start) -> list[list[Line]]:
    """Group wrapped lines into paragraphs: a bullet or number starts one, and so does
    the line after a short line or a vertical gap."""
    out: list[list[Line]] = []
    prev: Line | None = None
    for ln in lines:
        new = prev is None or is_start(ln.text)
        if new and prev is not None and ln.text[:1] in "・･" and prev.x1 >= right_edge - 1.0 * prev.size \
                and not _ends_sentence(prev.text) and ln.top - prev.bottom < 0.5 * prev.size:
            new = False     # a full line wrapped right before a middle dot (人道・開発)
        if prev is not None and not new:
            size = prev.size
            if ln.top - prev.bottom > 0.8 * size:
                new = True
            elif prev.x1 < right_edge - 2.5 * size and _ends_sentence(prev.text):
                new = True
        if new:
            out.append([ln])
        else:
            out[-1].append(ln)
        prev = ln
    return out


def _ends_sentence(text: str) -> bool:
    """A short line ends its paragraph only where a sentence or an item ends."""
    return text.rstrip()[-1:] in "。.．!！?？」』:："
