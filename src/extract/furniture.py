"""Page furniture: running headers, page numbers and stamps that belong to no field.

Found by position and repetition, not by wording: a line in the top or bottom margin
that recurs at the same place on several pages, or a page number there. Furniture sits
outside the sheet's table, never in a cell: nothing inside the ruled table (the extent of
its ruling lines, a stamp's small box aside) is furniture unless it sits in a small box of
its own (a stamp drawn over the table), however often it recurs (a file holding the same sheet twice, or sheets that
share paragraphs, repeats cell text at the same place). On a page without such a table its
extent is unknown: there a repeated line must also stand apart from the text by a blank line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .layout import Index, make_lines
from .model import Page
from .normalize import squash

# A repeated line is furniture when it stands within this distance (points) of the same text
# on another page.
SAME_PLACE_PT = 2.5
# A bare number is a page number when centred on the page within this share of its width.
CENTRED_SHARE = 0.08
# A repeated line shorter than this (characters) is not taken as a running header.
MIN_REPEATED_CHARS = 3

TOP_MARGIN = 0.10       # share of the page height
BOTTOM_MARGIN = 0.10
# A line closer than this (points) to the ruled area counts as inside it.
TABLE_SLACK = 1.0
# Collinear ruling lines closer than this (points) are one line.
TOUCH = 2.0
# A ruling line shorter than this share of the page width may be a stamp's box, not the table's.
SMALL_BOX = 0.15
# On a page without a ruled table, a repeated line is furniture only this many of its own
# heights away from any other line above or below it (a blank line: not part of the text).
ISOLATION = 1.0
# Inside the table, a line's glyphs further apart than this many character sizes are separate
# phrases (a page number drawn on the same line as a label or a value of the table).
PHRASE_GAP_EM = 3.0
# decorated page numbers (- 2 -, 2/5, p.2) anywhere in a margin; a bare number only when centred
_PAGE_NO = re.compile(r"^[-‐－—―](\d{1,4}|[ivxlc]{1,6})[-‐－—―]$|^\d{1,4}/\d{1,4}$|^(p|page)\.?\d{1,4}$",
                      re.IGNORECASE)
_BARE_NO = re.compile(r"^(\d{1,4}|[ivxlc]{1,6})$", re.IGNORECASE)


def _margin_lines(page: Page, boxes: list[tuple[float, float, float, float]] = ()):
    """The lines in the top and bottom margins; the glyphs inside each of `boxes` (a stamp's
    own box) make lines of their own, even where a stamp is drawn over a line of text."""
    lo, hi = page.height * TOP_MARGIN, page.height * (1 - BOTTOM_MARGIN)
    near = [g for g in page.glyphs if g.top <= lo or g.bottom >= hi]
    groups: list[list] = [[] for _ in boxes]
    rest = []
    for g in near:
        k = next((k for k, (x0, top, x1, bottom) in enumerate(boxes)
                  if x0 <= g.xc <= x1 and top <= g.yc <= bottom), None)
        (rest if k is None else groups[k]).append(g)
    for ln in [ln for gl in [rest] + groups for ln in make_lines(gl)]:
        if ln.bottom <= page.height * TOP_MARGIN or ln.top >= page.height * (1 - BOTTOM_MARGIN):
            yield ln


def _merged(page: Page, horizontal: bool) -> list[tuple[float, float, float]]:
    """Ruling lines of one direction as (position, start, end), collinear pieces that touch
    joined (a grid drawn cell by cell gives its long lines back)."""
    segs = sorted((r.top, r.x0, r.x1) if horizontal else (r.x0, r.top, r.bottom)
                  for r in page.rulings if r.horizontal == horizontal)
    out: list[list[float]] = []
    for pos, a, b in segs:
        for m in reversed(out[-8:]):
            if abs(m[0] - pos) <= 1.0 and a <= m[2] + TOUCH:
                m[2] = max(m[2], b)
                break
        else:
            out.append([pos, a, b])
    return [(m[0], m[1], m[2]) for m in out]


def _small(seg: tuple[float, float, float], page: Page) -> bool:
    return seg[2] - seg[1] < SMALL_BOX * page.width


@dataclass
class _Grid:
    """A page's ruling lines as furniture detection needs them."""
    box: tuple[float, float, float, float] | None     # around the table's lines
    hs: list[tuple[float, float, float]]              # short horizontal lines
    vs: list[tuple[float, float, float]]              # short vertical lines
    all_h: list[tuple[float, float, float]] = ()      # every horizontal line (position, start, end)
    all_v: list[tuple[float, float, float]] = ()


def _grid(page: Page) -> _Grid:
    hs, vs = _merged(page, True), _merged(page, False)
    long_h = [h for h in hs if not _small(h, page)]
    long_v = [v for v in vs if not _small(v, page)]
    box = None
    if long_h or long_v:
        xs = [x for _, a, b in long_h for x in (a, b)] + [p for p, _, _ in long_v]
        ys = [p for p, _, _ in long_h] + [y for _, a, b in long_v for y in (a, b)]
        box = (min(xs), min(ys), max(xs), max(ys))
    return _Grid(box, [h for h in hs if _small(h, page)], [v for v in vs if _small(v, page)], hs, vs)


def _covers(segs, pos: float, a: float, b: float) -> bool:
    """A line of `segs` at `pos` that runs from a to b."""
    return any(abs(p - pos) <= TOUCH and s <= a + TOUCH and e >= b - TOUCH for p, s, e in segs)


def _own_boxes(grid: _Grid) -> list[tuple[float, float, float, float]]:
    """Small boxes of their own (a stamp's, also one drawn over the table's border): a short
    horizontal line that belongs to no longer one, the nearest line across its whole length
    above it, and lines at both its ends between the two, one of them short too (a cell of
    the table shares its sides with its neighbours: they are parts of longer lines)."""
    out = []
    for y1, a, b in grid.hs:
        above = [y for y, s, e in grid.all_h if y < y1 - TOUCH and s <= a + TOUCH and e >= b - TOUCH]
        if not above:
            continue
        y0 = max(above)
        if not (_covers(grid.all_v, a, y0, y1) and _covers(grid.all_v, b, y0, y1)):
            continue
        if _covers(grid.vs, a, y0, y1) or _covers(grid.vs, b, y0, y1):
            out.append((a, y0, b, y1))
    return out


def _in_a_box(ln, boxes: list[tuple[float, float, float, float]]) -> bool:
    return any(x0 <= ln.x0 and ln.x1 <= x1 and top <= ln.top and ln.bottom <= bottom
               for x0, top, x1, bottom in boxes)


def _in_table(ln, grid: _Grid) -> bool:
    if grid.box is None:
        return False
    x0, top, x1, bottom = grid.box
    return (ln.bottom > top - TABLE_SLACK and ln.top < bottom + TABLE_SLACK
            and ln.x1 > x0 - TABLE_SLACK and ln.x0 < x1 + TABLE_SLACK)


def _boxed(ln, grid: _Grid) -> bool:
    """The line sits in a small box of its own (a stamp), not in a cell of the table grid:
    short lines close above, below, left and right of it that belong to no longer line."""
    pad = 2 * (ln.bottom - ln.top)

    def across(segs, lo, hi, a, b):
        return any(lo - pad <= p <= hi + pad and s <= a + 1 and e >= b - 1 for p, s, e in segs)

    return (across(grid.hs, ln.top, ln.top, ln.x0, ln.x1) and across(grid.hs, ln.bottom, ln.bottom, ln.x0, ln.x1)
            and across(grid.vs, ln.x0, ln.x0, ln.top, ln.bottom) and across(grid.vs, ln.x1, ln.x1, ln.top, ln.bottom))


def _label_glyph_ids(lines, page: Page, keep: set[str]) -> set[int]:
    """The glyphs of the margin lines that spell a `keep` label, also one wrapped over
    several lines (評価基 / 準 in a narrow column)."""
    idx = Index([g for ln in lines for g in ln.glyphs], page.rulings)
    return {id(g) for w in keep for h in idx.find(w) for g in h}


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", squash(text))


def _isolated(ln, others: list) -> bool:
    """No other line above or below it (overlapping it across) within a blank line's height."""
    h = ln.bottom - ln.top
    own = {id(g) for g in ln.glyphs}
    for o in others:
        if o.x1 <= ln.x0 or o.x0 >= ln.x1 or any(id(g) in own for g in o.glyphs):
            continue
        gap = max(o.top - ln.bottom, ln.top - o.bottom)
        if gap < ISOLATION * h:
            return False
    return True


def _candidates(page: Page) -> tuple[list[tuple[object, bool]], list]:
    """The margin lines that may be furniture, each with whether a repetition may make it
    so: outside the ruled table (or in a stamp's box); on a page without a ruled table, only
    a line standing apart from the text (a repeated line there is a page number or nothing).
    Second, the margin lines inside the ruled table: furniture only where they repeat a line
    that stands outside the table on another page (_inside_furniture)."""
    grid = _grid(page)
    boxes = _own_boxes(grid)
    margin = list(_margin_lines(page, boxes))
    if grid.box is not None:
        out, inside = [], []
        for ln in margin:
            if not _in_table(ln, grid) or _boxed(ln, grid) or _in_a_box(ln, boxes):
                out.append((ln, True))
            else:
                inside.append(ln)
        return out, inside
    near = make_lines([g for g in page.glyphs if g.top <= page.height * (TOP_MARGIN + 0.1)
                       or g.bottom >= page.height * (0.9 - BOTTOM_MARGIN)])
    return [(ln, _boxed(ln, grid) or _isolated(ln, near)) for ln in margin], []


def _is_furniture(ln, may_repeat: bool, again: bool, page_width: float, keep: set[str]) -> bool:
    """A page number, a bare number centred on the page, or a line repeated at the same place
    on another page (only where it may repeat: outside the sheet's table); never a line
    holding one of the `keep` labels."""
    sq = squash(ln.text)
    if any(w in sq for w in keep):
        return False
    centred = abs((ln.x0 + ln.x1) / 2 - page_width / 2) < CENTRED_SHARE * page_width
    repeated = may_repeat and again and len(_key(ln.text)) >= MIN_REPEATED_CHARS
    return bool(_PAGE_NO.match(sq) or (_BARE_NO.match(sq) and centred) or repeated)


@dataclass(frozen=True)
class Mark:
    """A margin line that may be furniture, as repetition sees it: where and what."""
    page: int           # the page's number
    key: str            # its text, squashed, digits as #
    top: float
    x0: float


def same_place(m: Mark, o: Mark) -> bool:
    """o repeats m: the same text at the same place on another page."""
    return (o.page != m.page and o.key == m.key and abs(o.top - m.top) < SAME_PLACE_PT
            and abs(o.x0 - m.x0) < SAME_PLACE_PT)


def strip_furniture(pages: list[Page], keep: set[str] = frozenset(), elsewhere: list[Mark] = ()) -> list[Page]:
    """Pages without their furniture glyphs; a line holding one of the `keep` labels
    (squashed, or a part of one wrapped over lines) is never furniture, however often it
    recurs. `elsewhere`: the marks (page_marks) of the file's other pages, when these are
    a part of it (split.py): a line repeated there is repeated."""
    per_page, seen = _repeated_lines(pages, elsewhere)
    out = []
    for p, lines in zip(pages, per_page):
        drop = _furniture_ids(p, lines, seen, keep)
        out.append(replace(p, glyphs=[g for g in p.glyphs if id(g) not in drop]) if drop else p)
    return out


def _mark(page: Page, ln) -> Mark:
    return Mark(page.number, _key(ln.text), ln.top, ln.x0)


def page_marks(page: Page) -> list[Mark]:
    """The page's margin lines that may be furniture (what its repetitions are found from)."""
    return [_mark(page, ln) for ln, _ in _candidates(page)[0]]


def _repeated_lines(pages: list[Page], elsewhere: list[Mark]) -> tuple[list[tuple[list, list]], dict[str, list[Mark]]]:
    """Per page its candidate lines (line, may repeat, mark) and its margin lines inside the
    table, and the candidates' marks by key (those of `elsewhere` on pages not among these
    included)."""
    seen: dict[str, list[Mark]] = {}
    numbers = {p.number for p in pages}
    for m in elsewhere:
        if m.page not in numbers:
            seen.setdefault(m.key, []).append(m)
    per_page = []
    for p in pages:
        cands, inside = _candidates(p)
        lines = [(ln, may, _mark(p, ln)) for ln, may in cands]
        per_page.append((lines, inside))
        for _, _, m in lines:
            seen.setdefault(m.key, []).append(m)
    return per_page, seen


def _inside_furniture(p: Page, lines: list, inside: list, seen: dict[str, list[Mark]], keep: set[str]) -> set[int]:
    """The glyphs of the margin lines inside the table that repeat, at the same place, a line
    standing outside the table on another page (a page number or a stamp the table reaches
    on this page): never a label."""
    if not inside:
        return set()
    labelled = _label_glyph_ids([ln for ln, _, _ in lines] + inside, p, keep) if keep else set()
    drop: set[int] = set()
    for ln in [ph for whole in inside for ph in _phrases(whole)]:
        m = _mark(p, ln)
        if (len(m.key) >= MIN_REPEATED_CHARS and not any(w in squash(ln.text) for w in keep)
                and not any(id(g) in labelled for g in ln.glyphs)
                and any(same_place(m, o) for o in seen.get(m.key, ()))):
            drop.update(id(g) for g in ln.glyphs)
    return drop


def _phrases(ln) -> list:
    """The line cut where its glyphs lie more than PHRASE_GAP_EM apart (one piece when none)."""
    gs = sorted(ln.glyphs, key=lambda g: g.x0)
    parts, last = [[gs[0]]], gs[0]
    for g in gs[1:]:
        if g.x0 - last.x1 > PHRASE_GAP_EM * max(g.size, last.size):
            parts.append([])
        parts[-1].append(g)
        last = g if g.x1 > last.x1 else last
    return [ln] if len(parts) == 1 else [piece for part in parts for piece in make_lines(part)]


def _furniture_ids(p: Page, lines: tuple[list, list], seen: dict[str, list[Mark]], keep: set[str]) -> set[int]:
    """The glyphs of page p that are furniture."""
    lines, inside = lines
    drop: set[int] = set()
    labelled = _label_glyph_ids([ln for ln, _, _ in lines], p, keep) if lines and keep else set()
    for ln, may_repeat, m in lines:
        if any(id(g) in labelled for g in ln.glyphs):
            continue        # a label is never furniture
        if _is_furniture(ln, may_repeat, any(same_place(m, o) for o in seen[m.key]), p.width, keep):
            drop.update(id(g) for g in ln.glyphs)
    return drop | _inside_furniture(p, lines, inside, seen, keep)
