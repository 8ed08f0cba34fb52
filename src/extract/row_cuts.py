"""Where one criterion row ends and the next begins when no ruling line says so.

Excel and Word print a criterion title vertically centred in its row; that symmetry, and a
wider gap where a row's cell padding lies, are what is left to cut rows by. And where a
ruling line does say so, a producer may still have drawn the row's last line just past it
(overflow_end)."""
from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter
from statistics import median
from typing import Protocol

from .layout import Line
from .tolerances import (CONTINUATION_ASYM_EM, CONTINUATION_GAP_PT, OVERFLOW_ABUT_EM, OVERFLOW_FOOT_ABUT_EM,
                         OVERFLOW_PITCH_EM, REST_MIN_PITCHES, WIDE_GAP_EM)


class Titled(Protocol):
    """A row's title block: where it lies vertically (criteria.CriterionDraft is one)."""
    top: float
    bottom: float


@dataclass
class TitleSpan:
    top: float
    bottom: float


def row_cut(lines: list[Line], a: Titled, b: Titled, b_open_end: float | None,
            a_open_start: bool = False) -> float:
    """Where row a ends and row b begins when no rule separates them.

    A clearly wider gap (cell padding) between the two titles decides; failing that, the
    cut that leaves each title centred on its own lines (as Excel and Word print them)."""
    ca, cb = (a.top + a.bottom) / 2, (b.top + b.bottom) / 2
    mid = (a.bottom + b.top) / 2
    if not lines:
        return mid
    # a line beside a's title (top-aligned text may begin above a centred title) is a's, a
    # line beside b's title b's (a's text may all lie on the page before)
    ks = [k for k in range(1, len(lines))
          if a.top < lines[k - 1].bottom and lines[k - 1].yc < b.top and a.bottom < lines[k].yc <= b.bottom]
    if not ks:
        return mid
    gaps_ = {k: lines[k].top - lines[k - 1].bottom for k in ks}
    all_gaps = [b_.top - a_.bottom for a_, b_ in zip(lines, lines[1:])]
    normal = median(all_gaps)
    size = median(l.size for l in lines)
    wide = max(ks, key=lambda k: gaps_[k])
    if gaps_[wide] >= normal + WIDE_GAP_EM * size or (a_open_start and b_open_end is not None):
        k = wide
    else:
        def cost(k: int) -> float:
            above, below = lines[:k], lines[k:]
            c = 0.0
            if not a_open_start:     # a's lines may begin with the previous row's rest
                c += abs((ca - above[0].top) - (above[-1].bottom - ca))
            if b_open_end is None:   # b's row ends on this page too: it should be centred as well
                c += abs((cb - below[0].top) - (below[-1].bottom - cb))
            return c
        k = min(ks, key=cost)
    return (lines[k - 1].bottom + lines[k].top) / 2


def continuation_cut(lines: list[Line], centre: float, normal: float | None = None) -> float | None:
    """Where the previous row's text ends at the top of a page without rules.

    A title is centred on its own row, so the lines of that row sit symmetrically around
    it; lines above that symmetric block, after a wider gap, continue the previous row.
    normal: the usual gap between lines, where the page has more lines to measure it by
    (of two lines, the one gap may be the padding between the rows)."""
    if len(lines) < 2:
        return None
    gaps_ = [b.top - a.bottom for a, b in zip(lines, lines[1:])]
    if normal is None:
        normal = median(gaps_)
    size = median(l.size for l in lines)

    def asym(k: int) -> float:
        return abs((centre - lines[k].top) - (lines[-1].bottom - centre))

    best_k, best = 0, asym(0)
    for k in range(1, len(lines)):
        if lines[k - 1].yc >= centre or gaps_[k - 1] < normal + CONTINUATION_GAP_PT:
            continue
        a = asym(k)
        if a < best:
            best_k, best = k, a
    if best_k and asym(0) - best > CONTINUATION_ASYM_EM * size:
        return (lines[best_k - 1].bottom + lines[best_k].top) / 2
    return None


def row_rest(parts: list[tuple[list[Line], list[Line]]]) -> float:
    """How far a row split over pages goes on past them, by its title centred over the
    whole row (as Word prints a row broken across pages): parts are its (text lines, title
    lines) on each page so far, top to bottom. Laid one after the other at the text's line
    pitch, the lines so far end above twice the title's centre by that much. 0 where the
    title is not below their middle, or reaches below them (a title taller than its text)."""
    parts = [(tx, tt) for tx, tt in parts if tx]
    pitches = [b.top - a.top for tx, _ in parts for a, b in zip(tx, tx[1:])]
    if not pitches or not any(tt for _, tt in parts):
        return 0.0
    pitch = median(pitches)
    offset, tops, bottoms, end = 0.0, [], [], 0.0
    for tx, tt in parts:
        tops += [offset + ln.top - tx[0].top for ln in tt]
        bottoms += [offset + ln.bottom - tx[0].top for ln in tt]
        end = offset + tx[-1].bottom - tx[0].top
        offset += len(tx) * pitch
    if max(bottoms) > end:
        return 0.0
    return max(0.0, min(tops) + max(bottoms) - end)


def rest_cut(lines: list[Line], rest: float, centre: float) -> float | None:
    """Where the rest of the previous row ends at the top of a page without rules, when its
    title says how tall that rest is (row_rest): at the wider gap within half a line pitch
    of that height, above the centre of this page's first title; None where no gap is there."""
    if rest <= 0 or len(lines) < 2:
        return None
    pitch = median(b.top - a.top for a, b in zip(lines, lines[1:]))
    if rest < REST_MIN_PITCHES * pitch:     # the title's centring a few points off: no line
        return None
    want = lines[0].bottom + rest - pitch     # the bottom of the rest's last line
    for k in _wide_gaps(lines):
        if lines[k - 1].yc < centre and abs(lines[k - 1].bottom - want) <= pitch / 2:
            return (lines[k - 1].bottom + lines[k].top) / 2
    return None


def line_gap(lines: list[Line]) -> float | None:
    """The usual gap between lines (top to bottom), None with fewer than three lines."""
    return median(b.top - a.bottom for a, b in zip(lines, lines[1:])) if len(lines) >= 3 else None


def padding_gaps(lines: list[Line]) -> list[float]:
    """The y of the gaps between lines (top to bottom) clearly wider than the usual line
    gap: a row's cell padding, where one row ends and the next begins on a page without
    rules (a producer that spaces paragraphs inside a cell leaves such gaps too)."""
    if len(lines) < 3:
        return []
    gaps_ = [b.top - a.bottom for a, b in zip(lines, lines[1:])]
    normal = median(gaps_)
    size = median(l.size for l in lines)
    return [(a.bottom + b.top) / 2 for a, b, g in zip(lines, lines[1:], gaps_) if g >= normal + WIDE_GAP_EM * size]


def foot_row_start(lines: list[Line], titles_bottom: float) -> float | None:
    """Where the next row begins at the foot of a page without rules on which no title
    begins (its title overleaf): the one padding gap of the page, below any title glyph
    (a title tail of the row going on here). None where there is no such gap, or several
    (paragraph spacing: nothing tells the rows' gap from the paragraphs')."""
    gaps_ = padding_gaps(lines)
    if len(gaps_) != 1 or gaps_[0] <= titles_bottom:
        return None
    return gaps_[0]


def orphan_cut(lines: list[Line], title_top: float) -> float | None:
    """Where the next row begins at a page foot when the first lines of its title are there
    (its number overleaf): a line beside that title is its row's, so at the wider gap
    closest above the first such line; None where there is no wider gap above it."""
    k0 = next((k for k, ln in enumerate(lines) if ln.yc >= title_top), len(lines))
    ks = [k for k in _wide_gaps(lines) if k <= k0]
    return (lines[ks[-1] - 1].bottom + lines[ks[-1]].top) / 2 if ks else None


def _wide_gaps(lines: list[Line]) -> list[int]:
    """k where the gap above lines[k] is wider than the usual line gap (cell padding)."""
    gaps_ = [b.top - a.bottom for a, b in zip(lines, lines[1:])]
    normal = median(gaps_)
    return [k for k in range(1, len(lines)) if gaps_[k - 1] >= normal + CONTINUATION_GAP_PT]


def own_lines(lines: list[Line], title: tuple[float, float], open_top: bool, open_bottom: bool
              ) -> tuple[float | None, float | None]:
    """Where a title's own row begins and ends among the lines of a band without rules
    (None: at the band's edge). title: its (top, bottom); open_top: the previous row may go
    on above it (the top of a continuation page); open_bottom: the next row may begin below
    it, its title on the next page (the foot of a page). The title is centred on its own
    row, whose content is its lines and the title itself (a title taller than a text set at
    the row's top), so of the cuts at wider gaps the pair that centres that content best
    wins, if it beats no cut clearly."""
    if len(lines) < 2 or not (open_top or open_bottom):
        return None, None
    centre = (title[0] + title[1]) / 2
    size = median(l.size for l in lines)
    n = len(lines)
    wide = _wide_gaps(lines)
    tops = [0] + ([k for k in wide if lines[k - 1].yc < centre] if open_top else [])
    bottoms = [n] + ([k for k in wide if lines[k].yc > centre] if open_bottom else [])

    def asym(i: int, j: int) -> float:
        return abs((centre - min(lines[i].top, title[0])) - (max(lines[j - 1].bottom, title[1]) - centre))

    best = min(((i, j) for i in tops for j in bottoms if i < j), key=lambda p: (asym(*p), p[0] != 0, p[1] != n))
    if best == (0, n) or asym(0, n) - asym(*best) <= CONTINUATION_ASYM_EM * size:
        return None, None
    i, j = best
    return ((lines[i - 1].bottom + lines[i].top) / 2 if i else None,
            (lines[j - 1].bottom + lines[j].top) / 2 if j < n else None)


_TOP, _BOTTOM = attrgetter("top"), attrgetter("bottom")


def _even(run: list[Line], edge, size: float) -> bool:
    """Whether the lines' edges (tops or bottoms: a line of another font may have a box of
    another height) keep one pitch, within OVERFLOW_PITCH_EM."""
    ys = [edge(ln) for ln in run]
    pitches = [b - a for a, b in zip(ys, ys[1:])]
    return max(pitches) - min(pitches) <= OVERFLOW_PITCH_EM * size


def overflow_end(lines: list[Line], y: float, others: list[float]) -> float:
    """Where the row above the ruling line at y really ends (lines: of the text column, top
    to bottom; others: the y of title and number glyphs).

    A producer may draw a row's last line just past the row's bottom border (Writer does at
    a page foot). A line that abuts the border from below (its glyph box touching or
    crossing it, closer than any cell padding) and keeps the line pitch of the text above
    it (two equal pitches before it, of tops or of bottoms) is that row's last line, unless a title begins beside
    it; the row then ends below it. The page's last line of text may lie further below
    (OVERFLOW_FOOT_ABUT_EM): there the exact pitch is evidence enough."""
    k = next((i for i, ln in enumerate(lines) if ln.yc >= y), None)
    if k is None or k < 3:
        return y
    ln, run = lines[k], lines[k - 3:k + 1]
    size = ln.size
    reach = OVERFLOW_FOOT_ABUT_EM if k == len(lines) - 1 else OVERFLOW_ABUT_EM
    if ln.top - y > reach * size or not (_even(run, _TOP, size) or _even(run, _BOTTOM, size)):
        return y
    if any(y <= o <= ln.bottom for o in others):
        return y
    return ln.bottom
