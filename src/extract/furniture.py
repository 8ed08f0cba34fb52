"""Page furniture: running headers, page numbers and stamps that belong to no field.

Found by position and repetition, not by wording: a line in the top or bottom margin
that recurs at the same place on several pages, or a page number there. Furniture sits
outside the sheet's table, never in a cell: on a page with ruling lines, nothing inside
the ruled area is furniture, however often it recurs (a file holding the same sheet twice,
or sheets that share paragraphs, repeats cell text at the same place). On a page without
any ruling line the table's extent is unknown, so only page numbers are dropped there.
"""
from __future__ import annotations

import re
from dataclasses import replace

from .layout import make_lines
from .model import Page
from .normalize import squash

TOP_MARGIN = 0.10       # share of the page height
BOTTOM_MARGIN = 0.10
# A line closer than this (points) to the ruled area counts as inside it.
TABLE_SLACK = 1.0
# decorated page numbers (- 2 -, 2/5, p.2) anywhere in a margin; a bare number only when centred
_PAGE_NO = re.compile(r"^[-‐－—―](\d{1,4}|[ivxlc]{1,6})[-‐－—―]$|^\d{1,4}/\d{1,4}$|^(p|page)\.?\d{1,4}$",
                      re.IGNORECASE)
_BARE_NO = re.compile(r"^(\d{1,4}|[ivxlc]{1,6})$", re.IGNORECASE)


def _margin_lines(page: Page):
    lo, hi = page.height * TOP_MARGIN, page.height * (1 - BOTTOM_MARGIN)
    near = [g for g in page.glyphs if g.top <= lo or g.bottom >= hi]
    for ln in make_lines(near):
        if ln.bottom <= page.height * TOP_MARGIN or ln.top >= page.height * (1 - BOTTOM_MARGIN):
            yield ln


def table_box(page: Page) -> tuple[float, float, float, float] | None:
    """(x0, top, x1, bottom) around the page's ruling lines, None on a page without any."""
    if not page.rulings:
        return None
    return (min(r.x0 for r in page.rulings), min(r.top for r in page.rulings),
            max(r.x1 for r in page.rulings), max(r.bottom for r in page.rulings))


def _in_table(ln, box: tuple[float, float, float, float] | None) -> bool:
    if box is None:
        return False
    x0, top, x1, bottom = box
    return (ln.bottom > top - TABLE_SLACK and ln.top < bottom + TABLE_SLACK
            and ln.x1 > x0 - TABLE_SLACK and ln.x0 < x1 + TABLE_SLACK)


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", squash(text))


def strip_furniture(pages: list[Page], keep: set[str] = frozenset()) -> list[Page]:
    """Pages without their furniture glyphs; a line holding one of the `keep` labels
    (squashed) is never furniture, however often it recurs."""
    seen: dict[str, list[tuple[int, float, float]]] = {}
    per_page = []
    for i, p in enumerate(pages):
        box = table_box(p)
        lines = [ln for ln in _margin_lines(p) if not _in_table(ln, box)]
        per_page.append((lines, box is None))
        for ln in lines:
            seen.setdefault(_key(ln.text), []).append((i, ln.top, ln.x0))
    out = []
    for i, (p, (lines, unruled)) in enumerate(zip(pages, per_page)):
        drop = set()
        for ln in lines:
            k = _key(ln.text)
            again = [o for o in seen[k] if o[0] != i and abs(o[1] - ln.top) < 2.5 and abs(o[2] - ln.x0) < 2.5]
            sq = squash(ln.text)
            centred = abs((ln.x0 + ln.x1) / 2 - p.width / 2) < 0.08 * p.width
            if any(w in sq for w in keep):
                continue
            repeated = again and len(k) >= 3 and not unruled
            if _PAGE_NO.match(sq) or (_BARE_NO.match(sq) and centred) or repeated:
                drop.update(id(g) for g in ln.glyphs)
        out.append(replace(p, glyphs=[g for g in p.glyphs if id(g) not in drop]) if drop else p)
    return out
