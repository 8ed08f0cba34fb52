"""Stage 1 of the sheet engine: anchors, the printed labels a sheet is found by.

Given a page (or the part of one a sheet occupies) and the templates, return where a sheet
begins, its header labels (the label column) and the criteria table's header row; on a
later page, where the table goes on below that row repeated.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from .layout import Index, make_lines, page_index
from .model import Glyph, Page
from .parsers import PARSERS
from .rules import ANCHOR_FIELD, FieldRule, Template
from .tolerances import (CLIP_RULING_PT, CRITERION_HEADER_REACH_EM, LABEL_OVERLAP_EM,
                         LABEL_REACH_LEFT_EM, MIN_REST_GLYPHS, MIN_REST_LINES, PAST_FOOT_PT,
                         RATING_HEADER_REACH_EM, REPEAT_HEADER_AREA, REPEAT_HEADER_REACH_EM,
                         REST_INDENT_EM, ROW_TOP_PT, SHEET_START_MARGIN_EM, TEXT_HEADER_RIGHT_EM)

Hit = list[Glyph]   # the glyphs of one placement of a word



def field_rules(templates: list[Template]) -> dict[str, FieldRule]:
    """Every header field of the templates by name, in rules-file order (a field is read
    the same way in every template: rules.load_rules checks it)."""
    out: dict[str, FieldRule] = {}
    for t in templates:
        for r in t.fields.values():
            out.setdefault(r.name, r)
    return out


def fields_in(fields: dict[str, FieldRule], cell: str) -> list[str]:
    """The fields whose value lies in the given kind of cell (parsers.CELLS)."""
    return [n for n, r in fields.items() if r.cell == cell]


@dataclass
class Anchors:
    fields: dict[str, FieldRule] = field(default_factory=dict)
    labels: dict[str, list[Hit]] = field(default_factory=dict)   # field -> label placements
    text_header: Hit | None = None
    crit_header: Hit | None = None
    rating_header: Hit | None = None

    def used_ids(self) -> set[int]:
        """ids of every label glyph (they are never part of a value)."""
        return {id(g) for hits in self.labels.values() for h in hits for g in h}


def labels_of(templates: list[Template], name: str) -> set[str]:
    return {t.fields[name].label for t in templates if name in t.fields}


def find_words(index: Index, words: set[str] | list[str]) -> list[Hit]:
    return [h for w in words for h in index.find(w)]


def _top(h: Hit) -> float:
    return h[0].top


def _centre_y(h: Hit) -> float:
    return (h[0].top + h[-1].bottom) / 2


def right_of(header: Hit, label: Hit) -> bool:
    """A table header clearly right of a label (not a word of the label's own cell)."""
    return header[0].x0 > label[0].x0 + TEXT_HEADER_RIGHT_EM * header[0].size


@dataclass(frozen=True)
class LabelColumn:
    """The column of the row labels: where the contribution-name label lies."""
    x0: float
    x1: float
    size: float
    top: float          # the name label's top
    bottom: float       # the text header's top: the header rows end there

    def holds(self, h: Hit) -> bool:
        """Left-aligned, centred or spread over the cell: a label overlaps the column."""
        s = self.size
        return h[0].x0 < self.x1 - LABEL_OVERLAP_EM * s and max(g.x1 for g in h) > self.x0 + LABEL_OVERLAP_EM * s \
            and h[0].x0 > self.x0 - LABEL_REACH_LEFT_EM * s

    def in_rows(self, h: Hit) -> bool:
        return self.top - ROW_TOP_PT <= h[0].top < self.bottom


def _prefixed_labels(index: Index, templates: list[Template], name: str, col: LabelColumn) -> list[Hit]:
    """A budget label may carry its year in front (令和2年度当初予算額): any cell that starts
    at the label column and contains the word."""
    out = []
    for w in labels_of(templates, name):
        for h in index.find(w, cell_start=False):
            li, gi = index.where(h[0])
            k = gi
            while k > 0 and not index.cell_start(li, k):
                k -= 1
            head = index.lines[li].glyphs[k:gi]
            if head and col.holds(head + h) and col.in_rows(h):
                out.append(head + h)
    return out


def _nearest_header(hits: list[Hit], ty: float) -> Hit | None:
    return min(hits, key=lambda h: abs(_centre_y(h) - ty)) if hits else None


def _table_headers(a: Anchors, index: Index, templates: list[Template]) -> None:
    """The criteria-table header (評価基準) left of the text header and the rating header
    (評価) right of it, each on the text header's row."""
    th = a.text_header
    ty = _centre_y(th)
    ch = [h for h in find_words(index, {t.criterion_header for t in templates})
          if h[-1].x1 <= th[0].x0 and h[0].top - CRITERION_HEADER_REACH_EM * h[0].size <= ty
          <= h[-1].bottom + CRITERION_HEADER_REACH_EM * h[0].size]
    a.crit_header = _nearest_header(ch, ty)
    rh = [h for h in find_words(index, {t.rating_header for t in templates if t.rating_header})
          if h[0].x0 >= th[-1].x1 and h[0].top - RATING_HEADER_REACH_EM * h[0].size <= ty
          <= h[-1].bottom + RATING_HEADER_REACH_EM * h[0].size]
    a.rating_header = _nearest_header(rh, ty)


def find_anchors(page: Page, index: Index, templates: list[Template]) -> Anchors | None:
    """The labels that make a page the start of a sheet, or None."""
    a = Anchors(field_rules(templates))
    th_hits = find_words(index, {t.text_header for t in templates})
    if not th_hits:
        return None
    for name in a.fields:
        a.labels[name] = find_words(index, labels_of(templates, name))
    names = a.labels.get(ANCHOR_FIELD)
    if not names:
        return None
    name0 = min(names, key=_top)
    below = [h for h in th_hits if h[0].top > name0[0].bottom and right_of(h, name0)]
    if not below:
        return None
    th = a.text_header = min(below, key=_top)
    col = LabelColumn(name0[0].x0, max(g.x1 for g in name0), name0[0].size, name0[0].top, th[0].top)
    _keep_placed_labels(a, index, templates, col)
    _table_headers(a, index, templates)
    return a


def _keep_placed_labels(a: Anchors, index: Index, templates: list[Template], col: LabelColumn) -> None:
    """Keep the label placements where their kind of cell (parsers.CELLS) puts them."""
    for name in fields_in(a.fields, "row"):
        a.labels[name] = sorted((h for h in a.labels[name] if col.holds(h) and col.in_rows(h)), key=_top)
        if PARSERS[a.fields[name].parser].prefixed_label:
            a.labels[name].extend(_prefixed_labels(index, templates, name, col))
            a.labels[name].sort(key=_top)
    for name in fields_in(a.fields, "below"):     # above the header rows
        a.labels[name] = [h for h in a.labels[name] if h[0].bottom <= col.top]
    for name in fields_in(a.fields, "right"):     # right of the label column, left of the table
        a.labels[name] = [h for h in a.labels[name] if h[0].x0 > a.text_header[0].x0 and col.in_rows(h)]


# ---------------------------------------------------------------- later pages of a table

def _crossing(idx: Index, words: set[str], ty: float) -> list[Hit]:
    return [h for w in words for h in idx.find(w)
            if min(g.top for g in h) - REPEAT_HEADER_REACH_EM * h[0].size <= ty
            <= max(g.bottom for g in h) + REPEAT_HEADER_REACH_EM * h[0].size]


def continuation_top(page: Page, templates: list[Template]) -> float:
    """Where the table goes on at the top of a later page: below a repeated header row
    (評価基準 | 達成状況 | 評価, some perhaps written vertically), else the page top."""
    idx = page_index(page)
    rep = [h for w in {t.text_header for t in templates} for h in idx.find(w)
           if h[0].top < page.height * REPEAT_HEADER_AREA]
    for r in rep:
        ty = (r[0].top + r[-1].bottom) / 2
        left = [h for h in _crossing(idx, {t.criterion_header for t in templates}, ty)
                if max(g.x1 for g in h) <= r[0].x0]
        if left:    # 達成状況 alone may be a word of the text; a header row has 評価基準 too
            right = [h for h in _crossing(idx, {t.rating_header for t in templates if t.rating_header}, ty)
                     if h[0].x0 >= r[-1].x1]
            return max(g.bottom for h in [r] + left + right for g in h)
    return 0.0


# ---------------------------------------------------------------- several sheets on a page

def _real_name_labels(page: Page, index: Index, templates: list[Template]) -> list[tuple[Hit, Hit]]:
    """Name labels with a text header below them (before the next name label), each with
    the first such header."""
    names = sorted(find_words(index, labels_of(templates, ANCHOR_FIELD)), key=_top)
    heads = find_words(index, {t.text_header for t in templates})
    real = []
    for j, n in enumerate(names):
        nxt = names[j + 1][0].top if j + 1 < len(names) else page.foot + PAST_FOOT_PT
        head = next((h for h in heads if n[-1].bottom < h[0].top < nxt and right_of(h, n)), None)
        if head is not None:
            real.append((n, head))
    return real


def _sheet_top(n: Hit, lo: float, overviews: list[Hit], titles: list[Hit]) -> float:
    """Where the sheet of name label n begins: its title, else its overview label, else n."""
    top = n[0].top
    ov = [h for h in overviews if lo < h[0].top < top]
    if ov:
        top = min(top, max(ov, key=_top)[0].top)
    ti = [h for h in titles if lo < h[0].top < top]
    if ti:
        top = max(ti, key=_top)[0].top
    return top - SHEET_START_MARGIN_EM * n[0].size


def sheet_starts(page: Page, index: Index, templates: list[Template]) -> list[float]:
    """Where sheets begin on a page: [0.0] for one sheet (or none); with several sheets
    printed one after another, the top of each later one's title (or overview label)."""
    real = _real_name_labels(page, index, templates)
    if not real:
        return [0.0]
    titles = find_words(index, {t.title for t in templates if t.title})
    overviews = [h for name in fields_in(field_rules(templates), "below")
                 for h in find_words(index, labels_of(templates, name))]
    names = [n for n, _ in real]
    ys = [_sheet_top(n, max(g.bottom for g in prev) if prev else 0.0, overviews, titles)
          for prev, n in zip([None] + names, names)]
    above = [g for g in page.glyphs if g.yc < ys[0]]
    if not _rest_of_sheet(above, page, templates, *real[0]):
        ys[0] = 0.0
    return ys


def _rest_of_sheet(above: list[Glyph], page: Page, templates: list[Template], name: Hit, head: Hit) -> bool:
    """Whether what is printed above the first sheet that begins on a page is the rest of
    the sheet before (else a stamp or a mark, read with the sheet): more than a few glyphs;
    or the criteria table's header row repeated; or lines that all begin in the text column
    of the table below (right of its name label, left of its text header's centre), as a
    criterion's last line does."""
    if not above:
        return False
    lines = make_lines(above)
    if len(above) >= MIN_REST_GLYPHS and len(lines) >= MIN_REST_LINES:
        return True
    if 0.0 < continuation_top(page, templates) <= min(g.top for g in head):
        return True
    left = max(g.x1 for g in name) - REST_INDENT_EM * name[0].size
    centre = (head[0].x0 + head[-1].x1) / 2
    return all(left <= ln.x0 < centre for ln in lines)


def clip(page: Page, y0: float, y1: float | None) -> Page:
    """The part of a page between y0 and y1 (None: the page foot), same page number."""
    hi = page.foot + PAST_FOOT_PT if y1 is None else y1
    return replace(page, glyphs=[g for g in page.glyphs if y0 <= g.yc < hi],
                   rulings=[r for r in page.rulings
                            if r.bottom >= y0 - CLIP_RULING_PT and r.top <= hi + CLIP_RULING_PT])
