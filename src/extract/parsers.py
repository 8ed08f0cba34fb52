"""The parser registry: what a header field's `parser` name in a rules file means.

A parser turns the value cell(s) of one header field into typed output columns, in two
steps: `read` (geometry to raw text, before the template is known: the fiscal year it finds
helps choose the template) and `typed` (raw text to typed values against the chosen
template, every gap a problem row). Each parser also says which columns it fills (their
Arrow type and the audit page's colour group) and where its value cell lies (`cell`).

    parser          cell    columns (for a field NAME)
    text            row     NAME
    organization    row     NAME, NAME minus _name + _abbr (the acronym in brackets)
    name_and_year   row     fiscal_year, fiscal_year_label, NAME (the era-year cell split off)
    yen             row     NAME (int, yen), NAME minus _jpy + _label (as printed)
    department      row     bureau, division
    rating          right   NAME (checked against the template's overall scale)
    paragraphs      below   NAME (paragraphs)

Cells: `row` = right of the label in the label column; `right` = a box right of the label
up to the page edge; `below` = below the label (or right of it when it is a row label).
Adding a field to a template = a [fields.NAME] table in its rules file; a new parser is
one more entry here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from . import values
from .layout import Index, make_lines, vrulings_x
from .model import FieldCell, Glyph, Part, Problem
from .normalize import squash
from .templates import FieldRule, Template
from .text import squashed, text_block
from .textlayer import unmapped, unmapped_problem
from .tolerances import EDGE_PT, FY_GAP_EM, FY_RULE_MIN_COVER


CELLS = ("row", "right", "below")

Sources = dict[str, list[Part]]   # output column -> [(page, glyphs)] it was read from

_FY_CELL = re.compile(r"^(明治|大正|昭和|平成|令和)(\d+|元)年度$")
_FY_TAIL = re.compile(r"(明治|大正|昭和|平成|令和)\s*(\d+|元)\s*年度\s*$")


@dataclass(frozen=True)
class Column:
    """One output column of the sheets table."""
    name: str
    type: str       # string | int32 | int64
    kind: str       # colour group on the audit page (audit.KINDS)


@dataclass
class ReadInput:
    """What the header stage hands a parser: the field's cells and their surroundings."""
    rule: "FieldRule"
    cells: "list[FieldCell]"
    index: "Index"
    sheet_index: int
    fiscal_year: int | None      # as read so far (a budget line is the sheet's year's)


@dataclass
class Raw:
    """A field as read, not yet typed."""
    text: str | None = None
    fiscal_year: int | None = None       # name_and_year
    fiscal_year_label: str | None = None
    unit: int | None = None              # yen: the unit the label names
    ambiguous: bool = False              # yen: several lines, none of the sheet's year
    sources: Sources = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Typed:
    values: dict[str, object]
    problems: list[Problem]


@dataclass(frozen=True)
class Parser:
    name: str
    cell: str
    columns: Callable[[str], tuple[Column, ...]]
    read: Callable[[ReadInput], Raw]
    typed: "Callable[[FieldRule, Raw, Template, int], Typed]"
    prefixed_label: bool = False    # the label may carry words in front (令和2年度当初予算額)


# ------------------------------------------------------------------ problems

def missing(name: str, what: str, sheet_index: int) -> Problem:
    return Problem("warning", "missing_field", f"No {what} was found on the sheet.", name, sheet_index)


def invalid(name: str, what: str, raw, sheet_index: int) -> Problem:
    return Problem("warning", "invalid_value", f"The {what} {raw!r} could not be read; left empty.",
                   name, sheet_index)


def _what(rule: FieldRule) -> str:
    return f"{rule.description} ({rule.label})"


# ------------------------------------------------------------------ reading

def _one_line(glyphs: list[Glyph]) -> str:
    return text_block(glyphs)[0].replace("\n", "")


def _first(inp: ReadInput) -> list[Glyph]:
    return inp.cells[0].glyphs if inp.cells else []


def _sources(inp: ReadInput, columns: tuple[Column, ...], glyphs: list[Glyph]) -> Sources:
    page = inp.cells[0].page if inp.cells else 0
    return {c.name: [(page, glyphs)] for c in columns} if inp.cells else {}


def fiscal_year_cell(index: Index, glyphs: list[Glyph]) -> list[Glyph]:
    """The era-year cell right of the contribution name, split off by a rule or a gap."""
    best: list[Glyph] = []
    for ln in make_lines(glyphs):
        gs = ln.glyphs
        cuts = [0]
        for i in range(1, len(gs)):
            a, b = gs[i - 1], gs[i]
            if b.x0 - a.x1 >= FY_GAP_EM * b.size or vrulings_x(index.rulings, a.x1 - EDGE_PT, b.x0 + EDGE_PT,
                                                              b.top, b.bottom, FY_RULE_MIN_COVER):
                cuts.append(i)
        cuts.append(len(gs))
        for s, e in zip(cuts, cuts[1:]):
            seg = gs[s:e]
            if _FY_CELL.match(squash("".join(g.text for g in seg))):
                best = seg
    return best


def read_name_and_year(inp: ReadInput) -> Raw:
    name_val = _first(inp)
    fy_glyphs = fiscal_year_cell(inp.index, name_val)
    name_glyphs = [g for g in name_val if g not in fy_glyphs]
    name_text = _one_line(name_glyphs)
    fy = values.parse_fiscal_year(squashed(fy_glyphs)) if fy_glyphs else None
    if fy is None:
        m = _FY_TAIL.search(name_text)
        if m:
            fy = values.parse_fiscal_year(m.group(0))
            name_text = name_text[:m.start()].rstrip()
    page = inp.cells[0].page if inp.cells else 0
    year, label = fy if fy else (None, None)
    return Raw(name_text or None, year, label, sources={
        inp.rule.name: [(page, name_glyphs)], "fiscal_year": [(page, fy_glyphs)],
        "fiscal_year_label": [(page, fy_glyphs)]})


def read_yen(inp: ReadInput) -> Raw:
    """The budget line of the sheet's own year; never a guess between several."""
    budgets = inp.cells
    chosen = None
    if len(budgets) > 1 and inp.fiscal_year:
        for c in budgets:
            y = values.parse_era_year(c.label)
            if y and y[0] == inp.fiscal_year:
                chosen = c
    if chosen is None and len(budgets) == 1:
        chosen = budgets[0]
    elif chosen is None and budgets:
        return Raw(ambiguous=True, problems=[Problem(
            "warning", "ambiguous_value", "Several budget lines are printed and none names the "
            "sheet's fiscal year, so the budget is left empty; check the sheet.", inp.rule.name,
            inp.sheet_index)])
    if chosen is None:
        return Raw()
    cols = yen_columns(inp.rule.name)
    return Raw(_one_line(chosen.glyphs) or None, unit=values.unit_from_label(chosen.label),
               sources={c.name: [(chosen.page, chosen.glyphs)] for c in cols})


def _reader(text_of: Callable[[list[Glyph]], str | None], columns: Callable[[str], tuple[Column, ...]]
            ) -> Callable[[ReadInput], Raw]:
    def read(inp: ReadInput) -> Raw:
        glyphs = _first(inp)
        return Raw(text_of(glyphs) if inp.cells else None,
                   sources=_sources(inp, columns(inp.rule.name), glyphs))
    return read


def _line_text(glyphs: list[Glyph]) -> str | None:
    return _one_line(glyphs) or None


def _spaced_lines(glyphs: list[Glyph]) -> str | None:
    return " ".join(text_block(glyphs)[0].split("\n")) or None


def _rating_text(glyphs: list[Glyph]) -> str | None:
    return values.normalize_rating(squashed(glyphs))


def _paragraphs(glyphs: list[Glyph]) -> str | None:
    return text_block(glyphs, max((g.x1 for g in glyphs), default=None))[0] or None


# ------------------------------------------------------------------ typing

def typed_text(rule: FieldRule, raw: Raw, t: Template, sheet_index: int) -> Typed:
    probs = [] if raw.text else [missing(rule.name, _what(rule), sheet_index)]
    return Typed({rule.name: raw.text}, probs)


def typed_organization(rule: FieldRule, raw: Raw, t: Template, sheet_index: int) -> Typed:
    out = typed_text(rule, raw, t, sheet_index)
    abbr = organization_columns(rule.name)[1].name
    out.values[abbr] = values.acronym(raw.text) if raw.text else None
    return out


def typed_name_and_year(rule: FieldRule, raw: Raw, t: Template, sheet_index: int) -> Typed:
    probs = []
    if raw.fiscal_year is None:
        probs.append(missing("fiscal_year", f"fiscal year (年度) next to the {rule.description}", sheet_index))
    out = typed_text(rule, raw, t, sheet_index)
    return Typed({"fiscal_year": raw.fiscal_year, "fiscal_year_label": raw.fiscal_year_label,
                  **out.values}, probs + out.problems)


def typed_department(rule: FieldRule, raw: Raw, t: Template, sheet_index: int) -> Typed:
    if not raw.text:
        return Typed({"bureau": None, "division": None}, [missing("bureau", _what(rule), sheet_index)])
    bureau, division = values.split_bureau_division(raw.text)
    probs = [invalid("division", rule.description, raw.text, sheet_index)] if division is None else []
    return Typed({"bureau": bureau, "division": division}, probs)


def typed_yen(rule: FieldRule, raw: Raw, t: Template, sheet_index: int) -> Typed:
    label_col = yen_columns(rule.name)[1].name
    out = {label_col: raw.text, rule.name: None}
    probs = []
    if unmapped(raw.text):      # a digit may be the character we cannot read: no number
        return Typed({label_col: None, rule.name: None}, [unmapped_problem(rule.name, raw.text, sheet_index)])
    if raw.text:
        out[rule.name] = values.parse_yen(raw.text, raw.unit)
        if out[rule.name] is None:
            probs.append(invalid(rule.name, rule.description, raw.text, sheet_index))
    elif not raw.ambiguous:
        probs.append(missing(rule.name, _what(rule), sheet_index))
    return Typed(out, probs)


def typed_rating(rule: FieldRule, raw: Raw, t: Template, sheet_index: int) -> Typed:
    if not raw.text:
        return Typed({rule.name: None}, [missing(rule.name, _what(rule), sheet_index)])
    if raw.text in t.overall_scale:
        return Typed({rule.name: raw.text}, [])
    return Typed({rule.name: None}, [invalid(rule.name, rule.description, raw.text, sheet_index)])


# ------------------------------------------------------------------ columns

def text_columns(name: str) -> tuple[Column, ...]:
    return (Column(name, "string", "other"),)


def organization_columns(name: str) -> tuple[Column, ...]:
    return (Column(name, "string", "name"), Column(name.removesuffix("_name") + "_abbr", "string", "name"))


def name_and_year_columns(name: str) -> tuple[Column, ...]:
    return (Column("fiscal_year", "int32", "year"), Column("fiscal_year_label", "string", "year"),
            Column(name, "string", "name"))


def yen_columns(name: str) -> tuple[Column, ...]:
    return (Column(name, "int64", "budget"), Column(name.removesuffix("_jpy") + "_label", "string", "budget"))


def department_columns(name: str) -> tuple[Column, ...]:
    return (Column("bureau", "string", "department"), Column("division", "string", "department"))


def rating_columns(name: str) -> tuple[Column, ...]:
    return (Column(name, "string", "rating"),)


def paragraphs_columns(name: str) -> tuple[Column, ...]:
    return (Column(name, "string", "overview"),)


PARSERS: dict[str, Parser] = {p.name: p for p in (
    Parser("text", "row", text_columns, _reader(_line_text, text_columns), typed_text),
    Parser("organization", "row", organization_columns, _reader(_line_text, organization_columns),
           typed_organization),
    Parser("name_and_year", "row", name_and_year_columns, read_name_and_year, typed_name_and_year),
    Parser("yen", "row", yen_columns, read_yen, typed_yen, prefixed_label=True),
    Parser("department", "row", department_columns, _reader(_spaced_lines, department_columns),
           typed_department),
    Parser("rating", "right", rating_columns, _reader(_rating_text, rating_columns), typed_rating),
    Parser("paragraphs", "below", paragraphs_columns, _reader(_paragraphs, paragraphs_columns),
           typed_text),
)}


def columns_of(rule: FieldRule) -> tuple[Column, ...]:
    return PARSERS[rule.parser].columns(rule.name)


def template_columns(templates: list[Template]) -> list[Column]:
    """The header columns of the sheets table: each template's fields in the order of its
    rules file, a column first seen in an earlier template kept where it was."""
    out: dict[str, Column] = {}
    for t in templates:
        if getattr(t, "family", None):      # a cell family: its own tables (cell_rules.py)
            continue
        for rule in t.fields.values():
            for c in columns_of(rule):
                out.setdefault(c.name, c)
    return list(out.values())
