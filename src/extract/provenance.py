"""Where every value came from (the `fields` table) and how sure we are (sheet quality)."""
from __future__ import annotations

from .layout import Line, lines_of
from .model import Glyph, Problem, Sheet
from .parsers import columns_of
from .text import line_raw


def raw_text(glyphs: list[Glyph]) -> str:
    """The printed characters, line by line, before any normalization."""
    return _raw_text(lines_of(glyphs))


def _raw_text(lines: list[Line]) -> str:
    return "\n".join([line_raw(ln) for ln in lines])


def _lines_box(lines: list[Line]) -> tuple[float, float, float, float]:
    """layout.bbox of the glyphs of these lines (all of them: each line's box is theirs)."""
    return (min([ln.x0 for ln in lines]), min([ln.top for ln in lines]),
            max([ln.x1 for ln in lines]), max([ln.bottom for ln in lines]))


def _row(field: str, value, page: int | None, glyphs: list[Glyph], rule: str | None,
         method: str, confidence: float) -> dict:
    lines = lines_of(glyphs) if glyphs else None
    box = _lines_box(lines) if lines else (None, None, None, None)
    return {"field": field, "value": None if value is None else str(value),
            "raw_text": _raw_text(lines) if lines else None, "page": page,
            "x0": box[0], "top": box[1], "x1": box[2], "bottom": box[3],
            "rule": rule, "method": method, "confidence": confidence}


def field_rows(sheet: Sheet) -> list[dict]:
    """One row per extracted value (a value spread over pages gets one row per page)."""
    t = sheet.template_obj
    out = []
    src = sheet.src
    for rule in t.fields.values():     # each column of the sheets table, with its rules key
        for col in columns_of(rule):
            value = sheet.fields.get(col.name)
            if value is None:
                continue
            for page, glyphs in src.get(col.name, []):
                if glyphs:
                    out.append(_row(col.name, value, page, glyphs, t.rule_ref(f"fields.{rule.name}"), "layout", 1.0))
    for c in sheet.criteria:
        s = c.sources
        prefix = f"criteria[{c.no}]"
        for part, value, parts, rule in (
                ("label", c.label, s.label, s.rule),
                ("rating", c.rating, s.rating, t.rule_ref("rating.criterion")),
                ("text", c.text, s.text, t.rule_ref("table.text_header"))):
            if value is None:
                continue
            for page, glyphs in parts:
                if glyphs:
                    out.append(_row(f"{prefix}.{part}", value, page, glyphs, rule, c.method, c.confidence))
    return out


# Each warning on a sheet multiplies its quality by this.
WARNING_FACTOR = 0.85


def quality(confidence: float, problems: list[Problem]) -> tuple[float, str]:
    """0..1 from a confidence and the warnings; a word for sorting by eye (a sheet of any
    family)."""
    warnings = sum(1 for p in problems if p.severity == "warning")
    q = round(confidence * (WARNING_FACTOR ** warnings), 3)
    grade = "good" if q >= 0.95 else "fair" if q >= 0.75 else "poor"
    return q, grade


def sheet_quality(sheet: Sheet) -> tuple[float, str]:
    """An evaluation sheet's quality: its least sure criterion, less for each warning."""
    return quality(min((c.confidence for c in sheet.criteria), default=0.0), sheet.problems)
