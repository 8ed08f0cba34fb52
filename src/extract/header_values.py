"""Stage 3 of the sheet engine: the header cells read as raw values (not yet typed).

Given the value cells of the header, return a HeaderDraft: the contribution name with its
fiscal-year cell split off, the budget line of the sheet's own year, the organisation, the
department, the overall rating and the overview, each with the glyphs it was read from.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import values
from .header import HeaderCells
from .layout import Index, make_lines, vrules_x
from .model import Glyph, Problem
from .normalize import squash
from .text import squashed, text_block
from .tolerances import FY_GAP_EM, FY_RULE_MIN_COVER

_FY_CELL = re.compile(r"^(明治|大正|昭和|平成|令和)(\d+|元)年度$")
_FY_TAIL = re.compile(r"(明治|大正|昭和|平成|令和)\s*(\d+|元)\s*年度\s*$")

Sources = dict[str, list[tuple[int, list[Glyph]]]]   # output field -> [(page, glyphs)]


@dataclass
class HeaderDraft:
    """The header as read, before parsing into typed values."""
    contribution_name: str | None = None
    fiscal_year: int | None = None
    fiscal_year_label: str | None = None
    budget_label: str | None = None
    budget_unit: int | None = None
    budget_ambiguous: bool = False      # several budget lines, none of the sheet's year
    organization_name: str | None = None
    department: str | None = None
    overall_rating_raw: str | None = None
    overview: str | None = None
    sources: Sources = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def fiscal_year_cell(index: Index, glyphs: list[Glyph]) -> list[Glyph]:
    """The era-year cell right of the contribution name, split off by a rule or a gap."""
    best: list[Glyph] = []
    for ln in make_lines(glyphs):
        gs = ln.glyphs
        cuts = [0]
        for i in range(1, len(gs)):
            a, b = gs[i - 1], gs[i]
            if b.x0 - a.x1 >= FY_GAP_EM * b.size or vrules_x(index.rulings, a.x1 - 0.5, b.x0 + 0.5,
                                                              b.top, b.bottom, FY_RULE_MIN_COVER):
                cuts.append(i)
        cuts.append(len(gs))
        for s, e in zip(cuts, cuts[1:]):
            seg = gs[s:e]
            if _FY_CELL.match(squash("".join(g.text for g in seg))):
                best = seg
    return best


def _one_line(glyphs: list[Glyph]) -> str:
    return text_block(glyphs)[0].replace("\n", "")


def _name_and_year(d: HeaderDraft, cells: HeaderCells, index: Index, page: int) -> None:
    name_val = cells.first("contribution_name")
    fy_glyphs = fiscal_year_cell(index, name_val)
    name_glyphs = [g for g in name_val if g not in fy_glyphs]
    name_text = _one_line(name_glyphs)
    fy = values.parse_fiscal_year(squashed(fy_glyphs)) if fy_glyphs else None
    if fy is None:
        m = _FY_TAIL.search(name_text)
        if m:
            fy = values.parse_fiscal_year(m.group(0))
            name_text = name_text[:m.start()].rstrip()
    d.contribution_name = name_text or None
    d.sources["contribution_name"] = [(page, name_glyphs)]
    d.fiscal_year, d.fiscal_year_label = fy if fy else (None, None)
    d.sources["fiscal_year"] = d.sources["fiscal_year_label"] = [(page, fy_glyphs)]


def _budget(d: HeaderDraft, cells: HeaderCells, sheet_index: int) -> None:
    """The budget line of the sheet's own year; never a guess between several."""
    budgets = cells.cells.get("budget_jpy", [])
    chosen = None
    if len(budgets) > 1 and d.fiscal_year:
        for c in budgets:
            y = values.parse_era_year(c.label)
            if y and y[0] == d.fiscal_year:
                chosen = c
    if chosen is None and len(budgets) == 1:
        chosen = budgets[0]
    elif chosen is None and budgets:
        d.budget_ambiguous = True
        d.problems.append(Problem("warning", "ambiguous_value", "Several budget lines are printed and "
                                  "none names the sheet's fiscal year, so the budget is left empty; "
                                  "check the sheet.", "budget_jpy", sheet_index))
    if chosen:
        d.budget_label = _one_line(chosen.glyphs) or None
        d.budget_unit = values.unit_from_label(chosen.label)
        d.sources["budget_jpy"] = d.sources["budget_label"] = [(chosen.page, chosen.glyphs)]


def header_draft(cells: HeaderCells, index: Index, page: int, sheet_index: int) -> HeaderDraft:
    """Read the raw values of the header cells of a sheet whose first page is `page`."""
    d = HeaderDraft()
    rating = cells.cells.get("overall_rating")
    if rating:
        d.overall_rating_raw = values.normalize_rating(squashed(rating[0].glyphs))
        d.sources["overall_rating"] = [(page, rating[0].glyphs)]
    _name_and_year(d, cells, index, page)
    _budget(d, cells, sheet_index)
    org = cells.first("organization_name")
    d.organization_name = _one_line(org) or None
    d.sources["organization_name"] = d.sources["organization_abbr"] = [(page, org)]
    dept = cells.first("department")
    d.department = " ".join(text_block(dept)[0].split("\n")) or None
    d.sources["bureau"] = d.sources["division"] = [(page, dept)]
    ov = cells.cells.get("overview")
    if ov:
        og = ov[0].glyphs
        right = max((g.x1 for g in og), default=None)
        d.overview = text_block(og, right)[0] or None
        d.sources["overview"] = [(page, og)]
    return d
