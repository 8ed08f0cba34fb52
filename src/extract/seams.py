"""Pages joined where a producer moved a sheet's criteria table to the next page.

When rows are kept whole, a producer may print a sheet's header block at the foot of one
page and its whole 評価基準／達成状況 table at the top of the next. That is one sheet over
two pages: given the pages, return them with each such pair joined into one tall page (the
second page's glyphs and rulings shifted down by the first page's height), so every stage
reads the sheet as if printed on one page; then put what was read back on the pages it
was printed on (page numbers and y of every part, box and sheet page range).

A page is joined to the next one only when it holds a name label with no table header
below it, and the next page begins with a table header row (評価基準 | 達成状況) with no
name label above it.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from .anchors import continuation_top, find_words, labels_of, right_of
from .layout import page_index
from .model import Box, Glyph, Page, Part, Ruling, Sheet
from .rules import ANCHOR_FIELD, Template


@dataclass
class Seam:
    """Where a page goes on inside a joined page: from y = dy down, it is page `number`."""
    joined: int                 # the joined page's number (the first page's)
    dy: float
    number: int
    originals: dict[int, Glyph] = field(default_factory=dict)   # id(shifted) -> as printed


def orphan_name_label(page: Page, templates: list[Template]) -> bool:
    """The page's lowest name label has no criteria-table header below it."""
    idx = page_index(page)
    names = find_words(idx, labels_of(templates, ANCHOR_FIELD))
    if not names:
        return False
    last = max(names, key=lambda h: h[0].top)
    heads = find_words(idx, {t.text_header for t in templates})
    return not any(h[0].top > last[-1].bottom and right_of(h, last) for h in heads)


def table_on_top(page: Page, templates: list[Template]) -> bool:
    """The page begins with a criteria-table header row that no name label above it
    makes the start of a sheet of its own."""
    top = continuation_top(page, templates)
    if top <= 0:
        return False
    idx = page_index(page)
    return not any(h[0].top < top for h in find_words(idx, labels_of(templates, ANCHOR_FIELD)))


def _shift(g: Glyph, dy: float) -> Glyph:
    return Glyph(g.text, g.raw, g.x0, g.x1, g.top + dy, g.bottom + dy, g.size)


def _shift_ruling(r: Ruling, dy: float) -> Ruling:
    return replace(r, top=r.top + dy, bottom=r.bottom + dy)


def join(a: Page, b: Page) -> tuple[Page, Seam]:
    """Page b printed below page a (a may itself be a joined page: b goes below all of it)."""
    dy = a.height
    seam = Seam(a.number, dy, b.number)
    moved = []
    for g in b.glyphs:
        s = _shift(g, dy)
        seam.originals[id(s)] = g
        moved.append(s)
    out = replace(a, height=a.height + b.height, width=max(a.width, b.width),
                  glyphs=a.glyphs + moved,
                  rulings=a.rulings + [_shift_ruling(r, dy) for r in b.rulings],
                  n_images=a.n_images + b.n_images, n_garbled=a.n_garbled + b.n_garbled)
    return out, seam


def join_moved_tables(pages: list[Page], templates: list[Template]) -> tuple[list[Page], list[Seam]]:
    """The pages with every header block whose table went to the next page joined to it."""
    out: list[Page] = []
    seams: list[Seam] = []
    for p in pages:
        if out and orphan_name_label(out[-1], templates) and table_on_top(p, templates):
            joined, seam = join(out[-1], p)
            out[-1] = joined
            seams.append(seam)
        else:
            out.append(p)
    return out, seams


# ---------------------------------------------------------------- back to the printed pages

def _seam_at(seams: list[Seam], page: int, y: float) -> Seam | None:
    """The seam of a joined page below which y lies (the lowest one), if any."""
    hit = [s for s in seams if s.joined == page and y >= s.dy]
    return max(hit, key=lambda s: s.dy) if hit else None


def unjoin_parts(parts: list[Part], seams: list[Seam]) -> list[Part]:
    """(page, glyphs) parts with the glyphs of a joined page back on their own pages."""
    out: list[Part] = []
    for pn, gl in parts:
        groups: dict[int, list[Glyph]] = {}
        for g in gl:
            s = next((s for s in seams if s.joined == pn and id(g) in s.originals), None)
            num, orig = (s.number, s.originals[id(g)]) if s else (pn, g)
            groups.setdefault(num, []).append(orig)
        out.extend(sorted(groups.items()) if groups else [(pn, gl)])
    return out


def unjoin_box(box: Box | None, seams: list[Seam]) -> Box | None:
    s = _seam_at(seams, box.page, box.top) if box else None
    if s is None:
        return box
    return Box(s.number, box.x0, box.top - s.dy, box.x1, box.bottom - s.dy)


def _page_range(parts: list[Part], sheet: Sheet) -> tuple[int, int]:
    nums = [pn for pn, gl in parts if gl]
    return (min(nums + [sheet.page_first]) if nums else sheet.page_first,
            max(nums + [sheet.page_last]) if nums else sheet.page_last)


def unjoin_sheet(sheet: Sheet, seams: list[Seam]) -> None:
    """A sheet read from joined pages, with its sources, boxes and page range on the
    pages as printed."""
    if not seams:
        return
    every: list[Part] = []
    sheet.src = {k: unjoin_parts(v, seams) for k, v in sheet.src.items()}
    every.extend(p for v in sheet.src.values() for p in v)
    for c in sheet.criteria:
        s = c.sources
        s.label, s.rating, s.text = (unjoin_parts(s.label, seams), unjoin_parts(s.rating, seams),
                                     unjoin_parts(s.text, seams))
        c.box = unjoin_box(c.box, seams)
        every.extend(s.label + s.rating + s.text)
    sheet.page_first, sheet.page_last = _page_range(every, sheet)
