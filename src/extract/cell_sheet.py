"""Sheets of the cell families: where each begins (its title cell), its header fields read
from label cells, its tables read by the generic kinds of cell_tables.py."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from . import cell_parsers as P
from .cell_rules import CellField, CellTemplate
from .cell_tables import find_label, read_table
from .cells import Cell, below, column_edges, join_cut_labels, page_cells, right_of, same_row
from .model import Page, Problem
from .textlayer import unmapped, unmapped_problem


# Fewer vertical rules than this on a sheet's first page: a grid drawn with horizontal
# rules only, whose cells this reader cannot bound.
MIN_VERTICAL_RULES = 10


@dataclass
class CellSheet:
    sheet_index: int
    page_first: int
    page_last: int
    template_obj: CellTemplate
    fields: dict = field(default_factory=dict)
    tables: dict[str, list[dict]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    sources: list[tuple[str, object, Cell, str]] = field(default_factory=list)  # path, value, cell, rule

    @property
    def template(self) -> str:
        return self.template_obj.id


@dataclass
class _Start:
    page: int           # index into the pages
    template: CellTemplate


def _value_cell(f: CellField, cells: list[Cell], label: Cell) -> Cell | None:
    if f.cell == "right":
        return right_of(cells, label)
    if f.cell == "below":
        return below(cells, label)
    return next((c for c in same_row(cells, label) if f.pattern.search(c.key)), None)


def _parse(f: CellField, raw: str, ref: int | None):
    if f.cell == "row":
        m = f.pattern.search(raw)
        raw = m.group(1) if m else raw
    if P.is_null(raw) or raw.replace(" ", "") in f.null_words:
        return None
    if f.parser == "era_year":
        return P.era_year(raw, ref)
    if f.parser == "checked":
        return P.checked(raw)
    return P.text(raw)


def read_fields(sheet: CellSheet, cells: list[Cell]) -> None:
    t = sheet.template_obj
    ref = None
    for f in t.fields.values():
        label = find_label(cells, f.label)
        cell = _value_cell(f, cells, label) if label is not None else None
        raw = cell.key if cell is not None and f.cell == "row" else cell.text if cell is not None else ""
        if unmapped(raw):       # the text layer cannot tell some of its characters
            sheet.fields[f.name] = None
            sheet.problems.append(unmapped_problem(f.name, raw, sheet.sheet_index))
            continue
        value = _parse(f, raw, ref)
        if f.parser == "era_year" and ref is None:
            ref = value
        sheet.fields[f.name] = value
        if cell is None and f.required:
            sheet.problems.append(Problem("warning", "missing_field", f"No value found for "
                                          f"{f.name} (label {f.label!r}).", f.name, sheet.sheet_index))
        elif cell is not None and value is None and not P.is_null(raw) and raw not in f.null_words:
            sheet.problems.append(Problem("warning", "invalid_value", f"{f.name}: {raw!r} cannot be "
                                          f"read by parser {f.parser}; left empty.", f.name, sheet.sheet_index))
        if cell is not None and value is not None:
            sheet.sources.append((f.name, value, cell, t.rule_ref(f"fields.{f.name}")))


def read_tables(sheet: CellSheet, cells: list[Cell]) -> None:
    t = sheet.template_obj
    ref = sheet.fields.get("review_year") or next(
        (v for f, v in sheet.fields.items() if t.fields[f].parser == "era_year" and v), None)
    for name, spec in t.tables.items():
        got = read_table(spec, cells, ref)
        sheet.tables[name] = got.rows
        for i, row in enumerate(got.rows):
            for key, v in row.items():
                if unmapped(v):
                    row[key] = None
                    sheet.problems.append(unmapped_problem(f"{name}[{i}].{key}", v, sheet.sheet_index))
        for path, text in got.unmapped:
            sheet.problems.append(unmapped_problem(path, text, sheet.sheet_index))
        for what in got.missing:
            sheet.problems.append(Problem("warning", "missing_table", f"Table part {what!r} was not "
                                          "found on the sheet.", what, sheet.sheet_index))
        for path, value, cell in got.sources:
            if not unmapped(value):
                sheet.sources.append((path, value, cell, t.rule_ref(f"tables.{name}")))


def sheet_starts(cells_by_page: list[list[Cell]], templates: list[CellTemplate]) -> list[_Start]:
    out = []
    for i, cells in enumerate(cells_by_page):
        for t in templates:
            if any(t.title in c.key for c in cells):
                out.append(_Start(i, t))
                break
    return out


def has_title(page: Page, templates: list[CellTemplate]) -> bool:
    chars = {g.text for g in page.glyphs}
    return any(set(t.title) <= chars for t in templates)


def ruled(page: Page) -> bool:
    """Whether the page draws the vertical rules that bound its cells."""
    return sum(1 for r in page.rulings if not r.horizontal) >= MIN_VERTICAL_RULES


def may_begin(page: Page, templates: list[CellTemplate]) -> bool:
    """Whether a sheet can begin on the page: every character of a title is there, up to
    compatibility decomposition (a cell's key is NFKC of its glyphs' text, which can
    compose a character that no glyph holds, e.g. ﾋﾞ -> ビ; never one not made of them)."""
    chars = set(unicodedata.normalize("NFKD", "".join(g.text for g in page.glyphs)))
    return any(set(unicodedata.normalize("NFKD", t.title)) <= chars for t in templates)


def _cells(pages: list[Page], i: int) -> list[Cell]:
    return page_cells(pages[i], column_edges(pages[i - 1]) if i else None)


def read_cell_sheets(pages: list[Page], templates: list[CellTemplate]) -> list[CellSheet]:
    """Every sheet of the cell families on these pages (none when no page has a title).
    The cells of every page are read only when a sheet begins on one of the pages it
    may begin on (most evaluation sheets hold every character of a title somewhere)."""
    if not templates or not any(has_title(p, templates) for p in pages):
        return []
    maybe = [i for i, p in enumerate(pages) if may_begin(p, templates)]
    known = {i: _cells(pages, i) for i in maybe}
    if not sheet_starts([known[i] for i in maybe], templates):
        return []
    cells_by_page = [known[i] if i in known else _cells(pages, i) for i in range(len(pages))]
    join_cut_labels(cells_by_page, {w for t in templates for w in t.printed_labels()})
    starts = sheet_starts(cells_by_page, templates)
    sheets = []
    for k, s in enumerate(starts):
        end = starts[k + 1].page if k + 1 < len(starts) else len(pages)
        cells = [c for cs in cells_by_page[s.page:end] for c in cs]
        sheet = CellSheet(k, pages[s.page].number, pages[end - 1].number, s.template)
        sheets.append(sheet)
        if not ruled(pages[s.page]):
            sheet.problems.append(Problem("error", "unruled_grid", "The sheet's cells have no vertical "
                                          "rules, so values cannot be told from their labels; "
                                          "left empty rather than guessed.", None, k))
            continue
        read_fields(sheet, cells)
        read_tables(sheet, cells)
    return sheets
