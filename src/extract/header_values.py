"""Stage 3 of the sheet engine: the header cells read by their parsers (parsers.py).

Given the value cells of the header, return a HeaderDraft: each field as read (raw text,
the glyphs it came from), before the template is known; once it is, `typed_fields` turns
the draft into the typed columns of the sheets table, every gap a problem row.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .header import HeaderCells
from .layout import Index
from .model import Problem
from .parsers import PARSERS, Raw, ReadInput, Sources, Typed
from .rules import FieldRule, Template
from .textlayer import unmapped, unmapped_problem


@dataclass
class HeaderDraft:
    """The header as read, field by field (in rules-file order), before typing."""
    raw: dict[str, Raw] = field(default_factory=dict)
    fiscal_year: int | None = None       # the first a parser found (it helps choose the template)
    sources: Sources = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class TypedFields:
    values: dict[str, object]            # column of the sheets table -> typed value
    problems: list[Problem]


def header_draft(cells: HeaderCells, index: Index, fields: dict[str, FieldRule], sheet_index: int) -> HeaderDraft:
    """Read every field's cells with the parser its rules name."""
    d = HeaderDraft()
    for name, rule in fields.items():
        inp = ReadInput(rule, cells.cells.get(name, []), index, sheet_index, d.fiscal_year)
        raw = PARSERS[rule.parser].read(inp)
        d.raw[name] = raw
        if d.fiscal_year is None:
            d.fiscal_year = raw.fiscal_year
        d.sources.update(raw.sources)
        d.problems.extend(raw.problems)
    return d


def typed_fields(draft: HeaderDraft, template: Template, sheet_index: int) -> TypedFields:
    """The typed columns of the template's fields; a field not found is a problem row, and
    so is a text with characters the text layer gives no Unicode for (left empty)."""
    out = TypedFields({}, [])
    for rule in template.fields.values():
        raw = draft.raw.get(rule.name) or Raw()
        t = PARSERS[rule.parser].typed(rule, raw, template, sheet_index)
        if unmapped(raw.text):
            _drop_unmapped(t, rule.name, raw.text, sheet_index)
        out.values.update(t.values)
        out.problems.extend(t.problems)
    return out


def _drop_unmapped(t: Typed, name: str, raw_text: str, sheet_index: int) -> None:
    """A field read from a text with characters the text layer gives no Unicode for: each
    column keeping such characters left empty, and the value the parser could not read
    said to be one the file cannot tell (unmapped_text, not invalid_value)."""
    t.problems = [unmapped_problem(p.field or name, raw_text, sheet_index)
                  if p.code == "invalid_value" else p for p in t.problems]
    for col, v in t.values.items():
        if unmapped(v):
            t.values[col] = None
            t.problems = [p for p in t.problems if p.field != col] + [unmapped_problem(col, v, sheet_index)]
