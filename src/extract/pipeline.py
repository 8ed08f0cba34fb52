"""The pipeline core: a PDF's pages to its sheets, every gap a problem row.

    text-layer check → page furniture removed → sheet starts and anchors on each page →
    each sheet read (sheet.read_sheet) → its raw header values typed (finalize)
"""
from __future__ import annotations

from dataclasses import dataclass

from .anchors import Anchors, clip, find_anchors, sheet_starts
from .furniture import strip_furniture
from .header_values import HeaderDraft, typed_fields
from .parsers import invalid, missing
from .layout import Index, forget_lines, page_index
from .model import Criterion, Page, Problem, Sheet
from .cell_sheet import CellSheet, read_cell_sheets
from .rules import Template, cell_templates, evaluation_templates
from .seams import join_moved_tables, unjoin_sheet
from .sheet import UnknownTemplate, read_sheet
from .textlayer import no_sheet_problem, text_counts, text_layer_problem, unmapped, unmapped_problem

# Below this a criterion's canonical key is reported as doubtful.
LOW_CONFIDENCE = 0.75


def _text_layer_problem(pages: list[Page]) -> Problem | None:
    """Whether the file's text layer fails: no text, (cid:NN) codes, or random symbols."""
    return text_layer_problem(sum(len(p.glyphs) for p in pages), sum(p.n_garbled for p in pages),
                              sum(p.n_images for p in pages), len(pages), text_counts(pages))


def _sheet_pages(pages: list[Page], starts: list[SheetStart], k: int) -> list[Page]:
    """The pages of sheet k: from where it begins to where the next one begins, the first
    and last page clipped where sheets share a page."""
    i, y0 = starts[k].page, starts[k].y
    ni, ny = (starts[k + 1].page, starts[k + 1].y) if k + 1 < len(starts) else (len(pages), 0.0)
    if ni == i:
        return [clip(pages[i], y0, ny)]
    out = [clip(pages[i], y0, None) if y0 > 0 else pages[i]] + pages[i + 1:ni]
    if ni < len(pages) and ny > 0:
        out.append(clip(pages[ni], 0.0, ny))
    return out


@dataclass
class SheetStart:
    """Where a sheet begins: page index, y on that page, and the page's index and anchors."""
    page: int
    y: float
    index: Index
    anchors: Anchors


def page_sheet_starts(i: int, page: Page, templates: list[Template]) -> list[SheetStart]:
    """The sheets that begin on page i (none, one, or several printed one after another)."""
    idx = page_index(page)
    ys = sheet_starts(page, idx, templates)
    out = []
    for j, y0 in enumerate(ys):
        if ys == [0.0]:
            sub, sidx = page, idx
        else:       # several sheets printed on one page
            sub = clip(page, y0, ys[j + 1] if j + 1 < len(ys) else None)
            sidx = Index(sub.glyphs, sub.rulings)
        a = find_anchors(sub, sidx, templates)
        if a is not None:
            out.append(SheetStart(i, y0, sidx, a))
    return out


def find_sheet_starts(pages: list[Page], templates: list[Template]) -> list[SheetStart]:
    needed = [set(t.text_header) for t in templates]
    starts = []
    for i, page in enumerate(pages):
        chars = {g.text for g in page.glyphs}
        if any(n <= chars for n in needed):   # else no criteria table header: no sheet starts here
            starts.extend(page_sheet_starts(i, page, templates))
    return starts


def read_one(pages: list[Page], starts: list[SheetStart], k: int, templates: list[Template]
             ) -> tuple[Sheet | None, list[Problem]]:
    """Sheet k with its problems, or None and the error saying why it could not be read."""
    s = starts[k]
    try:
        sheet, draft = read_sheet(_sheet_pages(pages, starts, k), s.index, s.anchors, templates, k)
    except UnknownTemplate as e:
        return None, [Problem("error", "unknown_template", f"The sheet has the labels of an "
                              f"evaluation sheet but {e}; if it is a new template, add a rules file.",
                              None, k)]
    except Exception as e:   # a layout we do not understand: report, never guess
        return None, [Problem("error", "layout_error", f"The sheet on page {pages[s.page].number} "
                              f"could not be read ({type(e).__name__}: {e}).", None, k)]
    finalize(sheet, draft)
    return sheet, sheet.problems


def read_pages(pages: list[Page], templates: list[Template]) -> tuple[list[Sheet], list[Problem]]:
    """Every sheet on the pages of one PDF, and the problems found (of a PDF whose text
    layer read_all found usable)."""
    labels = {f.label for t in templates for f in t.fields.values()}
    labels |= {w for t in templates for w in (t.text_header, t.criterion_header)}
    pages = strip_furniture(pages, labels)
    pages, seams = join_moved_tables(pages, templates)
    starts = find_sheet_starts(pages, templates)
    if not starts:
        return [], [no_sheet_problem(text_counts(pages))]
    sheets, problems = [], []
    for k in range(len(starts)):
        sheet, probs = read_one(pages, starts, k, templates)
        if sheet is not None:
            unjoin_sheet(sheet, seams)
            sheets.append(sheet)
        problems.extend(probs)
    return sheets, problems


def finalize(sheet: Sheet, draft: HeaderDraft) -> None:
    """The sheet's typed fields from its header draft, and the problems of its criteria;
    every gap becomes a problem row."""
    typed = typed_fields(draft, sheet.template_obj, sheet.sheet_index)
    sheet.fields = typed.values
    sheet.problems.extend(typed.problems)
    sheet.problems.extend(criteria_problems(sheet))


def criteria_problems(sheet: Sheet) -> list[Problem]:
    """Titles that fit no rule or only partly, ratings off the scale (dropped), missing
    texts and criteria, parts with characters the text layer gives no Unicode for (dropped)."""
    t = sheet.template_obj
    k = sheet.sheet_index
    out: list[Problem] = []
    seen = set()
    for c in sheet.criteria:
        name = f"criteria[{c.no}]"
        out.extend(drop_unmapped(c, name, k))
        out.extend(title_problems(c, name, t, k))
        if c.rating is not None and t.criterion_scale and c.rating not in t.criterion_scale:
            out.append(invalid(f"{name}.rating", "criterion rating", c.rating, k))
            c.rating = None
        if c.text == "":        # None: unreadable, said by drop_unmapped
            out.append(missing(f"{name}.text", f"achievement text for criterion {c.no}", k))
        seen.add(c.no)
    for cr in t.criteria:
        if cr.no not in seen:
            out.append(missing(f"criteria[{cr.no}]", f"criterion {cr.no} ({cr.title})", k))
    return out


def title_problems(c: Criterion, name: str, t: Template, k: int) -> list[Problem]:
    """A title that fits no rule of the template, or only partly (none for an unreadable
    title: drop_unmapped said so)."""
    if c.label is None:
        return []
    if c.canonical is None:
        return [Problem("warning", "unknown_criterion", f"Criterion title {c.label!r} "
                        f"matches no title of template {t.id}.", name, k)]
    if c.confidence < LOW_CONFIDENCE:
        return [Problem("warning", "low_confidence", f"Criterion {c.no}'s title "
                        f"{c.label!r} fits the rules' title only partly "
                        f"(confidence {c.confidence:.2f}); check its canonical key.", name, k)]
    return []


def drop_unmapped(c: Criterion, name: str, sheet_index: int) -> list[Problem]:
    """A criterion's title, rating or text holding characters the text layer gives no Unicode
    for, set to None, with the warning saying so (its canonical key, from the readable part of
    the title, stays with its confidence)."""
    out = []
    for part in ("label", "rating", "text"):
        v = getattr(c, part)
        if unmapped(v):
            setattr(c, part, None)
            out.append(unmapped_problem(f"{name}.{part}", v, sheet_index))
    return out


def read_all(pages: list[Page], templates: list) -> tuple[list[Sheet], list[CellSheet], list[Problem]]:
    """The sheets of every family on the pages of one PDF: evaluation sheets, sheets of
    the cell families (rules files with a `family` key), and the problems found."""
    forget_lines()      # a new PDF: the lines remembered for the last one are of no use
    prob = _text_layer_problem(pages)
    if prob:
        return [], [], [prob]
    cell_sheets = read_cell_sheets(pages, cell_templates(templates))
    sheets, problems = read_pages(pages, evaluation_templates(templates))
    if cell_sheets:
        problems = [p for p in problems if p.code != "unknown_template" or p.sheet_index is not None]
        for s in cell_sheets:
            s.sheet_index += len(sheets)
            for p in s.problems:
                p.sheet_index = s.sheet_index
            problems.extend(s.problems)
    return sheets, cell_sheets, problems
