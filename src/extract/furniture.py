"""Page furniture: running headers, page numbers and stamps that belong to no field.

Found by position and repetition, not by wording: a line in the top or bottom margin
that recurs at the same place on several pages, or a bare page number there.
"""
from __future__ import annotations

import re
from dataclasses import replace

from .layout import Index, make_lines
from .model import Page
from .normalize import squash

TOP_MARGIN = 0.10       # share of the page height
BOTTOM_MARGIN = 0.10
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


def _label_glyph_ids(lines, page: Page, keep: set[str]) -> set[int]:
    """The glyphs of the margin lines that spell a `keep` label, also one wrapped over
    several lines (評価基 / 準 in a narrow column)."""
    idx = Index([g for ln in lines for g in ln.glyphs], page.rulings)
    return {id(g) for w in keep for h in idx.find(w) for g in h}


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", squash(text))


def strip_furniture(pages: list[Page], keep: set[str] = frozenset()) -> list[Page]:
    """Pages without their furniture glyphs; a line holding one of the `keep` labels
    (squashed, or a part of one wrapped over lines) is never furniture, however often it
    recurs."""
    seen: dict[str, list[tuple[int, float, float]]] = {}
    per_page = []
    for i, p in enumerate(pages):
        lines = list(_margin_lines(p))
        per_page.append(lines)
        for ln in lines:
            seen.setdefault(_key(ln.text), []).append((i, ln.top, ln.x0))
    out = []
    for i, (p, lines) in enumerate(zip(pages, per_page)):
        drop = set()
        labelled = _label_glyph_ids(lines, p, keep) if lines and keep else set()
        for ln in lines:
            if _is_furniture(ln, p, [o for o in seen[_key(ln.text)] if o[0] != i], keep, labelled):
                drop.update(id(g) for g in ln.glyphs)
        out.append(replace(p, glyphs=[g for g in p.glyphs if id(g) not in drop]) if drop else p)
    return out


def _is_furniture(ln, p: Page, elsewhere: list[tuple[int, float, float]], keep: set[str],
                  labelled: set[int]) -> bool:
    """A margin line is furniture when it is a page number, or recurs at the same place on
    another page (`elsewhere`: where its text is found on the other pages), and holds no label."""
    k = _key(ln.text)
    sq = squash(ln.text)
    if any(w in sq for w in keep) or any(id(g) in labelled for g in ln.glyphs):
        return False
    again = [o for o in elsewhere if abs(o[1] - ln.top) < 2.5 and abs(o[2] - ln.x0) < 2.5]
    centred = abs((ln.x0 + ln.x1) / 2 - p.width / 2) < 0.08 * p.width
    return bool(_PAGE_NO.match(sq) or (_BARE_NO.match(sq) and centred) or (again and len(k) >= 3))
