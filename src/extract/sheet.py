"""The sheet engine: read one sheet from its pages, stage after stage.

    anchors (anchors.py)        where the sheet's labels and table header are
    header cells (header.py)    each header label to its value cell
    header draft (header_values.py)  the raw header values
    columns (columns.py)        the criteria table's columns
    criteria (criteria.py)      header row to rows, rows cut by ruling lines or by layout
    template (match.py)         the rules file whose criteria titles fit best
    criteria out (here)         numbers, titles, texts, ratings with their confidence

A sheet starts on a page that carries the header labels left of the criteria table;
pages before the first such page (a cover, a list of all contributions) are skipped,
and the pages after it continue the sheet until the next start page.
"""
from __future__ import annotations

from . import values
from .anchors import Anchors
from .columns import Columns, ContinuationTops, find_columns, header_bottom, table_pages
from .criteria import UNNUMBERED, CriterionDraft, TableReader
from .header import read_header
from .header_values import HeaderDraft, header_draft
from .layout import Index, bbox
from .match import best_criterion, choose_template, strip_number
from .model import Box, Criterion, CriterionSources, Glyph, Page, Problem, Sheet
from .rules import Template
from .text import join_pages, squashed, text_block
from .tolerances import (CANONICAL_MIN_SIMILARITY, GAP_SPLIT_DOUBT, RATING_EDGE_PT,
                         RULES_METHOD_DOUBT)

# Below this a sheet's criteria titles are taken to fit no rules file.
MIN_TEMPLATE_SCORE = 0.35


class UnknownTemplate(Exception):
    pass


def glyph_box(page: Page, glyphs: list[Glyph]) -> Box | None:
    """The box around some glyphs of a page (None for none)."""
    if not glyphs:
        return None
    x0, top, x1, bottom = bbox(glyphs)
    return Box(page.number, x0, top, x1, bottom)


def criterion_text(c: CriterionDraft, cols: Columns, pages: list[Page]) -> tuple[str, Box | None]:
    """A criterion's text over its pages, and the box of its first part."""
    text_parts = []
    box = None
    for pn in sorted(c.text_pages):
        gl = c.text_pages[pn]
        t, _ = text_block(gl, cols.text[1] - RATING_EDGE_PT if cols.rating else max(g.x1 for g in gl))
        text_parts.append(t)
        if box is None:
            box = glyph_box(next(p for p in pages if p.number == pn), gl)
    return join_pages(text_parts), box


def criterion_out(c: CriterionDraft, tmpl: Template, cols: Columns, pages: list[Page]) -> Criterion:
    """A criterion draft read against the template: number, canonical key, confidence."""
    no, label = strip_number(c.title, tmpl)
    if c.no not in (None, UNNUMBERED):
        no = c.no
    rule, sim = best_criterion(label, tmpl)
    method = "layout"
    if c.no == UNNUMBERED:
        method = "rules"
        no = rule.no if rule else None
    text, box = criterion_text(c, cols, pages)
    rating = values.normalize_rating(squashed(c.rating)) if c.rating else None
    # word matching (method rules) or rows cut by centring and gaps without rules
    # are less certain than a number and ruling lines
    doubt = (RULES_METHOD_DOUBT if method == "rules" else 1.0) * (GAP_SPLIT_DOUBT if c.split_by_gap else 1.0)
    conf = round(min(1.0, max(sim, 0.0)) * doubt, 3)
    out = Criterion(no, label, rule.canonical if rule and sim >= CANONICAL_MIN_SIMILARITY else None,
                    rating or None, text, box, method, conf)
    out.sources = CriterionSources(
        label=[(pn, gl) for pn, gl in c.title_parts if gl],
        rating=[(c.rating_page, c.rating)] if c.rating else [],
        text=sorted(c.text_pages.items()),
        rule=tmpl.rule_ref(f"criteria[{tmpl.criteria.index(rule)}]") if rule else None)
    return out


def outside_page(crits: list[CriterionDraft], pages: list[Page], sheet_index: int) -> list[Problem]:
    """A warning for each criterion text that goes on below its page's bottom edge: read as
    the file holds it, though a viewer or a print of the page does not show that part."""
    height = {p.number: p.height for p in pages}
    out = []
    for c in crits:
        below = sorted(pn for pn, gl in c.text_pages.items() if any(g.yc > height[pn] for g in gl))
        if below:
            out.append(Problem("warning", "text_outside_page", f"Part of criterion {c.no}'s text is "
                               f"drawn below the bottom edge of page {below[0]}: it is read as the file "
                               f"holds it, but a viewer does not show it; check it against the source.",
                               f"criteria[{c.no}].text", sheet_index))
    return out


def skipped(outside: list[Page], sheet_index: int) -> list[Problem]:
    """The pages after a sheet's table that do not go on with it (columns.table_pages)."""
    if not outside:
        return []
    nums = [p.number for p in outside]
    where = f"page {nums[0]}" if len(nums) == 1 else f"pages {nums[0]}-{nums[-1]}"
    return [Problem("warning", "pages_skipped", f"{where.capitalize()} after the sheet's table do not go on "
                    "with it (no rule between its title and text columns): read as belonging to no sheet.",
                    None, sheet_index)]


def read_sheet(pages: list[Page], index: Index, anchors: Anchors, templates: list[Template],
               sheet_index: int) -> tuple[Sheet, HeaderDraft]:
    """One sheet from its pages (index and anchors: of the first page). The Sheet has its
    criteria, template, problems and sources; its typed fields come from the draft
    (pipeline.finalize). Raises UnknownTemplate when no rules file fits."""
    page = pages[0]
    cells = read_header(page, index, anchors)
    draft = header_draft(cells, index, anchors.fields, sheet_index)
    tops = ContinuationTops(templates)
    cols = find_columns(pages, index, anchors, tops, cells.value_x)
    head = header_bottom(anchors)
    pages, outside = table_pages(pages, cols, head)
    crits = TableReader(pages, templates, cols, tops).read(head)
    tmpl, score = choose_template([c.title for c in crits], draft.fiscal_year, cols.rating is not None, templates)
    if tmpl is None or score < MIN_TEMPLATE_SCORE:
        raise UnknownTemplate(f"the criteria titles of the sheet on page {page.number} match no rules file")
    sheet = Sheet(sheet_index, page.number, pages[-1].number, tmpl.id)
    sheet.template_obj = tmpl
    sheet.template_score = score
    sheet.criteria = [criterion_out(c, tmpl, cols, pages) for c in crits]
    sheet.problems = list(draft.problems) + outside_page(crits, pages, sheet_index) + skipped(outside, sheet_index)
    sheet.src = draft.sources
    return sheet, draft
