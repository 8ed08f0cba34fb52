"""Stage 2 of the sheet engine: header fields, each label to its value cell.

Given the first page of a sheet and its anchors, return the value glyphs of every header
field: the rows of the label column (label left, value right), the overall-rating box right
of its label and the overview below (or right of) its label. Nothing is parsed here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median

from .anchors import Anchors, Hit, fields_in
from .layout import Index, bbox, hrulings_y, make_lines, vrulings_x
from .model import FieldCell, Glyph, Page  # noqa: F401  (FieldCell: public here)
from .text import squashed
from .tolerances import (BAND_RULE_REACH_EM, CLIMB_GAP_EM, CLIMB_NEAR_EM, CLIMB_START_EM,
                         CLIMB_STEP_PT, EDGE_PT, VALUE_PROBE_PT, FALLBACK_SIZE_PT, LAST_BAND_DEPTH_EM,
                         OVERVIEW_ABOVE_EM, OVERVIEW_LABEL_LINE_EM, RATING_BOX_PAD_EM,
                         RATING_BOX_REACH_EM, RATING_BOX_RULE_REACH_EM, TOUCH_PT, VALUE_RULE_MIN_COVER,
                         VALUE_START_PT)

Rect = tuple[float, float, float, float]    # x0, top, x1, bottom


@dataclass
class HeaderCells:
    """The header of one sheet: value cells by field, in the order printed."""
    cells: dict[str, list[FieldCell]] = field(default_factory=dict)
    value_x: float = 0.0          # where the value column begins
    table_top: float = 0.0        # where the criteria table begins

    def first(self, name: str) -> list[Glyph]:
        cs = self.cells.get(name)
        return cs[0].glyphs if cs else []


@dataclass
class Band:
    """A row of the label column: its label, the field(s) it feeds, its vertical extent."""
    label: Hit
    names: list[str]
    top: float = 0.0
    bottom: float = 0.0


def _hit_top(h: Hit) -> float:
    return min(g.top for g in h)


def _hit_bottom(h: Hit) -> float:
    return max(g.bottom for g in h)


def label_rows(anchors: Anchors) -> list[Band]:
    """The row labels top to bottom (a label found twice keeps its order); a label that
    several fields name is one row feeding them all."""
    left = anchors.labels
    keyed = sorted(((left[name][i][0].top, i), name) for name in fields_in(anchors.fields, "row")
                   for i in range(len(left[name])))
    rows: dict[tuple[int, ...], Band] = {}
    for (_, i), name in keyed:
        hit = left[name][i]
        band = rows.setdefault(tuple(id(g) for g in hit), Band(hit, []))
        band.names.append(name)
    return list(rows.values())


def table_top(anchors: Anchors) -> float:
    y = min(g.top for g in anchors.text_header)
    if anchors.crit_header:
        y = min(y, min(g.top for g in anchors.crit_header))
    return y


def _overlapping(glyphs: list[Glyph], spans: list[tuple[float, float]]) -> list[Glyph]:
    """The glyphs (in order) that reach into the stretch from the highest top to the
    lowest bottom of some (top, bottom) spans (y grows downwards): all that may overlap one."""
    lo, hi = min((s[0] for s in spans), default=0.0), max((s[1] for s in spans), default=0.0)
    return [g for g in glyphs if g.top < hi and g.bottom > lo]


def _centred_in(glyphs: list[Glyph], spans: list[tuple[float, float]]) -> list[Glyph]:
    """The glyphs (in order) whose centre lies from the highest top to the lowest bottom
    of some (top, bottom) spans (y grows downwards): all that may lie in one."""
    lo, hi = min((s[0] for s in spans), default=0.0), max((s[1] for s in spans), default=0.0)
    return [g for g in glyphs if lo <= g.yc < hi]


def value_column_x(page: Page, index: Index, rows: list[Band], used: set[int], table_y: float) -> float:
    """The boundary between the label and the value column: a ruling line between the
    labels and where the values start, else just left of the values (the leftmost glyph
    beside each whole label cell, the median over the rows)."""
    starts = []
    spans = [(max(g.x1 for g in b.label), _hit_top(b.label), _hit_bottom(b.label)) for b in rows]
    beside = _overlapping(page.glyphs, [s[1:] for s in spans])     # beside some label
    for lx1, ltop, lbot in spans:     # beside the whole label (wrapped and centred, its value top-aligned)
        right = [g for g in beside if g.x0 >= lx1 - TOUCH_PT and g.top < lbot
                 and g.bottom > ltop and id(g) not in used]
        if right:
            starts.append(min(g.x0 for g in right))
    label_x1 = max(max(g.x1 for g in b.label) for b in rows) if rows else 0
    x_start = median(starts) if starts else label_x1 + VALUE_START_PT
    vr = vrulings_x(index.rulings, label_x1 - EDGE_PT, x_start + EDGE_PT, rows[0].label[0].top if rows else 0,
                  table_y, min_cover=VALUE_RULE_MIN_COVER)
    return vr[-1] if vr else x_start - EDGE_PT


@dataclass
class RightBox:
    glyphs: list[Glyph]
    area: Rect              # what the box covers (its glyphs belong to no other field)


def _label_cell_span(index: Index, oa: Hit, reach: float) -> tuple[float, float]:
    """How far up and down a right box may reach from its label: to the ruling lines
    closing the label's own cell, else `reach`."""
    ox0, otop, ox1, obot = bbox(oa)
    xm = (ox0 + ox1) / 2
    above = hrulings_y(index.rulings, xm, otop - reach, otop + EDGE_PT)
    below = hrulings_y(index.rulings, xm, obot - EDGE_PT, obot + reach)
    return (above[-1] if above else otop - reach), (below[0] if below else obot + reach)


def _box_candidates(page: Page, oa: Hit, span: tuple[float, float], used: set[int],
                    table_y: float) -> list[Glyph]:
    """The glyphs right of a label within its span, less the lines above or below the
    label that also reach left of it (the end of another header row: 平成28年度 in the
    name row above a tight 総合評価 cell)."""
    ox0, otop, ox1, obot = bbox(oa)
    lo, hi = span
    near = [g for g in page.glyphs if lo <= g.yc <= hi and id(g) not in used and g.top < table_y]
    out = []
    for ln in make_lines(near):
        beside = ln.bottom > otop and ln.top < obot
        if not beside and ln.x0 < ox0 - EDGE_PT:
            continue
        out.extend(g for g in ln.glyphs if g.x0 >= ox1 - EDGE_PT)
    return out


def right_box(page: Page, index: Index, oa: Hit, used: set[int], table_y: float) -> RightBox:
    """A value printed right of its label (the overall rating), in a box up to the page's
    right edge."""
    ox0, otop, ox1, obot = bbox(oa)
    size = oa[0].size
    cand = _box_candidates(page, oa, _label_cell_span(index, oa, RATING_BOX_REACH_EM * size), used, table_y)
    bx = bbox(cand + oa)
    xm = (ox0 + ox1) / 2
    above = hrulings_y(index.rulings, xm, bx[1] - RATING_BOX_RULE_REACH_EM * size, otop)
    below = hrulings_y(index.rulings, xm, obot, bx[3] + RATING_BOX_RULE_REACH_EM * size)
    top = above[-1] if above else bx[1] - RATING_BOX_PAD_EM * size
    bot = below[0] if below else bx[3] + RATING_BOX_PAD_EM * size
    used.update(id(g) for g in oa)
    return RightBox(cand, (min(ox0, bx[0]) - RATING_BOX_PAD_EM * size, top, page.width, bot))


def value_lines_above(page: Page, htop: float, xb: float, used: set[int]) -> float:
    """Top of the first header row without rules: climb over the lines that lie wholly in
    the value column right above the label (a wrapped value centred on its label);
    the overview above starts at the left edge and stops the climb."""
    lines = [ln for ln in make_lines([g for g in page.glyphs if id(g) not in used])
             if ln.bottom <= htop + CLIMB_NEAR_EM * ln.size]
    top = htop - CLIMB_START_EM * (lines[-1].size if lines else FALLBACK_SIZE_PT)
    for ln in sorted(lines, key=lambda l: -l.bottom):
        if ln.bottom > top + CLIMB_NEAR_EM * ln.size:
            continue
        if top - ln.bottom > CLIMB_GAP_EM * ln.size or ln.x0 < xb - EDGE_PT:
            break
        top = ln.top - CLIMB_STEP_PT
    return top


def _first_band_top(page: Page, index: Index, b: Band, xb: float, used: set[int]) -> float:
    htop, size = _hit_top(b.label), b.label[0].size
    hr = hrulings_y(index.rulings, xb + VALUE_PROBE_PT, htop - BAND_RULE_REACH_EM * size, htop + EDGE_PT)
    return hr[-1] if hr else value_lines_above(page, htop, xb, used)


def _band_bottom(index: Index, b: Band, nxt: Band | None, xb: float, table_y: float) -> float:
    htop, hbot = _hit_top(b.label), _hit_bottom(b.label)
    if nxt is None:
        hr = hrulings_y(index.rulings, xb + VALUE_PROBE_PT, hbot - EDGE_PT, table_y)
        return hr[0] if hr else min(table_y, hbot + LAST_BAND_DEPTH_EM * b.label[0].size)
    ntop = _hit_top(nxt.label)
    # the rule under the value, else the label cell's own (a grid without borders whose
    # label cells are shaded: the fills' edges)
    hr = (hrulings_y(index.rulings, xb + VALUE_PROBE_PT, hbot - EDGE_PT, ntop + EDGE_PT)
          or hrulings_y(index.rulings, (bbox(b.label)[0] + bbox(b.label)[2]) / 2, hbot - EDGE_PT, ntop + EDGE_PT))
    # no rule: halfway between the label centres (a value centred on its label may reach
    # above the label's own top)
    mid = ((htop + hbot) / 2 + (ntop + _hit_bottom(nxt.label)) / 2) / 2
    return min(hr, key=lambda y: abs(y - mid)) if hr else mid


def row_bands(page: Page, index: Index, rows: list[Band], xb: float, used: set[int], table_y: float) -> list[Band]:
    """Each row's extent: between the ruling lines next to its label, else halfway between
    the labels; the first row climbs over value lines above its label."""
    for i, b in enumerate(rows):
        b.top = _first_band_top(page, index, b, xb, used) if i == 0 else rows[i - 1].bottom
        b.bottom = _band_bottom(index, b, rows[i + 1] if i + 1 < len(rows) else None, xb, table_y)
    return rows


def _inside(g: Glyph, boxes: list[RightBox]) -> bool:
    return any(b.area[0] <= g.xc and b.area[1] <= g.yc <= b.area[3] for b in boxes)


def below_glyphs(page: Page, oa: Hit, first_row_top: float, used: set[int]) -> list[Glyph]:
    """Between a label above the header rows (the overview's) and the first header row:
    below the label, or right of it when the label is a row label."""
    ox1 = max(x.x1 for x in oa)
    otop = min(x.top for x in oa)
    return [g for g in page.glyphs if otop - OVERVIEW_ABOVE_EM * g.size <= g.yc < first_row_top
            and id(g) not in used and not (g.yc < otop + OVERVIEW_LABEL_LINE_EM * g.size and g.x0 < ox1)]


def read_header(page: Page, index: Index, anchors: Anchors) -> HeaderCells:
    """The value cells of the header fields on the first page of a sheet."""
    used = anchors.used_ids()
    rows = label_rows(anchors)
    table_y = table_top(anchors)
    xb = value_column_x(page, index, rows, used, table_y)
    out = HeaderCells(value_x=xb, table_top=table_y)
    boxes = []
    for name in fields_in(anchors.fields, "right"):
        if anchors.labels.get(name):
            boxes.append(right_box(page, index, anchors.labels[name][0], used, table_y))
            out.cells[name] = [FieldCell(name, "", boxes[-1].glyphs, page.number)]
    in_box = [g for b in boxes for g in b.glyphs]
    bands = row_bands(page, index, rows, xb, used, table_y)
    in_rows = _centred_in(page.glyphs, [(b.top, b.bottom) for b in bands])
    for b in bands:
        lab = [g for g in in_rows if g.x1 <= xb + EDGE_PT and b.top <= g.yc < b.bottom]
        val = [g for g in in_rows if g.x0 >= xb - EDGE_PT and b.top <= g.yc < b.bottom
               and id(g) not in used and not _inside(g, boxes) and g not in in_box]
        for name in b.names:
            out.cells.setdefault(name, []).append(FieldCell(name, squashed(lab), val, page.number))
    for name in fields_in(anchors.fields, "below"):
        if rows and anchors.labels.get(name):
            out.cells[name] = [FieldCell(name, "", below_glyphs(page, anchors.labels[name][-1], rows[0].top, used),
                                         page.number)]
    return out
