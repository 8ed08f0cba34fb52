"""The rows of the output tables, given the results of files: plain dicts, their columns
named here once (with the name of their Arrow type, which tables.py turns into schemas).
No pyarrow: a batch worker builds the rows of its file, and only the main process writes
tables (tables.py), so the workers start without it (a sixth of a second, and 160 MB of
address space each).
"""
from __future__ import annotations

import hashlib

from .cell_sheet import CellSheet
from .keys import KEY_COLUMNS, sheet_keys
from .layout import bbox
from .model import Criterion, FileResult, Problem, Sheet
from .parsers import template_columns
from .provenance import field_rows, quality, sheet_quality

Columns = list[tuple[str, str]]     # (column, type name: string, int32, int64, float64, list)

SHEET_KEYS: Columns = [
    ("sheet_id", "string"), ("source_path", "string"), ("source_sha256", "string"),
    ("sheet_index", "int32"), ("page_first", "int32"), ("page_last", "int32"), ("template", "string")]
# derived from the printed names (keys.py): the cross-year join keys
SHEET_DERIVED: Columns = [(name, "string") for name in KEY_COLUMNS]
SHEET_QUALITY: Columns = [("quality", "float64"), ("quality_grade", "string")]
# The header columns of the output contract (OUTPUT_SCHEMA.md): the shipped templates'
# fields, in their rules files' order (a test checks it).
CONTRACT_FIELDS: Columns = [
    ("fiscal_year", "int32"), ("fiscal_year_label", "string"), ("contribution_name", "string"),
    ("organization_name", "string"), ("organization_abbr", "string"), ("bureau", "string"),
    ("division", "string"), ("budget_jpy", "int64"), ("budget_label", "string"),
    ("overall_rating", "string"), ("overview", "string")]


def sheet_columns(fields: Columns) -> Columns:
    """The sheets table with these header columns: keys, fields, cross-year keys, quality."""
    return SHEET_KEYS + fields + SHEET_DERIVED + SHEET_QUALITY


# The sheets table of the shipped rules; a rules folder may add columns (sheet_columns_for).
SHEET_COLUMNS = sheet_columns(CONTRACT_FIELDS)
CRITERIA_COLUMNS: Columns = [
    ("sheet_id", "string"), ("criterion_no", "int32"), ("label", "string"), ("canonical", "string"),
    ("rating", "string"), ("text", "string"), ("page", "int32"), ("x0", "float64"), ("top", "float64"),
    ("x1", "float64"), ("bottom", "float64"), ("method", "string"), ("confidence", "float64"),
    ("fiscal_year", "int32")]
PROBLEM_COLUMNS: Columns = [
    ("source_path", "string"), ("sheet_index", "int32"), ("sheet_id", "string"), ("severity", "string"),
    ("code", "string"), ("field", "string"), ("message", "string")]
FIELD_COLUMNS: Columns = [
    ("sheet_id", "string"), ("field", "string"), ("value", "string"), ("raw_text", "string"),
    ("page", "int32"), ("x0", "float64"), ("top", "float64"), ("x1", "float64"), ("bottom", "float64"),
    ("rule", "string"), ("method", "string"), ("confidence", "float64"), ("fiscal_year", "int32")]


def template_field_columns(templates: list) -> Columns:
    return [(c.name, c.type) for c in template_columns(templates)]


def sheet_columns_for(results: list[FileResult]) -> Columns:
    """SHEET_COLUMNS, with any column the templates of these results add before the
    cross-year keys."""
    templates = list({id(s.template_obj): s.template_obj for r in results for s in r.sheets
                      if s.template_obj is not None}.values())
    names = {n for n, _ in SHEET_COLUMNS}
    extra = [c for c in template_field_columns(templates) if c[0] not in names]
    if not extra:
        return SHEET_COLUMNS
    i = SHEET_COLUMNS.index(SHEET_DERIVED[0])
    return SHEET_COLUMNS[:i] + extra + SHEET_COLUMNS[i:]


# ------------------------------------------------------------------ the cell families' tables

_SID: Columns = [("sheet_id", "string")]
_VALUE_TYPES = {"amount": "int64", "percent": "float64", "number": "float64"}
KIND_COLUMNS: dict[str, Columns] = {
    "indicator": [("kind", "string"), ("name", "string"), ("unit", "string"),
                  ("fiscal_year", "int32"), ("target", "float64"), ("actual", "float64")],
    "checklist": [("group", "string"), ("item", "string"), ("rating", "string"), ("note", "string")],
}


def table_columns(t) -> Columns:
    """The columns of one [tables.*] of a cell family's rules (cell_rules.CellTable)."""
    if t.kind != "grid":
        return KIND_COLUMNS[t.kind]
    cols = [("fiscal_year", "int32")]
    if t.spec.get("column"):
        cols.append((t.spec["column"], "string"))
    return cols + [(t.spec["value_column"], _VALUE_TYPES[t.spec["value"]])]


def family_columns(t) -> dict[str, Columns]:
    """The tables of a cell family (cell_rules.CellTemplate) and their columns:
    <family>_sheets (keys, header fields, quality), then one per [tables.*]."""
    out = {t.table_name("sheets"): SHEET_KEYS + [(f.name, f.type) for f in t.fields.values()]
           + SHEET_QUALITY}
    for name, tab in t.tables.items():
        out[t.table_name(name)] = _SID + table_columns(tab)
    return out


def _shipped_families() -> dict[str, Columns]:
    from .rules import cell_templates, load_rules
    out: dict[str, Columns] = {}
    for t in cell_templates(load_rules()):
        out.update(family_columns(t))
    return out


# The tables of the shipped cell families (review_sheets, review_budget, …).
FAMILY_COLUMNS = _shipped_families()
FAMILY_TABLES = tuple(FAMILY_COLUMNS)


# ------------------------------------------------------------------ rows

def sheet_id(sha256: str, index: int) -> str:
    """Stable for the same input bytes and sheet position."""
    return hashlib.sha256(f"{sha256}:{index}".encode()).hexdigest()[:16]


def _key_row(sid: str, source_path: str, sha256: str, s: Sheet | CellSheet, template: str) -> dict:
    """The SHEET_KEYS columns of a sheet of either family."""
    return {"sheet_id": sid, "source_path": source_path, "source_sha256": sha256,
            "sheet_index": s.sheet_index, "page_first": s.page_first, "page_last": s.page_last,
            "template": template}


def _sheet_row(r: FileResult, s: Sheet, sid: str, sheet_columns_: list[str]) -> dict:
    row = _key_row(sid, r.source_path, r.source_sha256, s, s.template)
    row["quality"], row["quality_grade"] = sheet_quality(s)
    for name in sheet_columns_:
        if name not in row:
            row[name] = s.fields.get(name)
    row.update(sheet_keys(row))
    return row


def _criterion_row(sid: str, c: Criterion, year: int | None) -> dict:
    b = c.box
    return {"sheet_id": sid, "criterion_no": c.no, "label": c.label, "canonical": c.canonical,
            "rating": c.rating, "text": c.text, "page": b.page if b else None,
            "x0": b.x0 if b else None, "top": b.top if b else None,
            "x1": b.x1 if b else None, "bottom": b.bottom if b else None,
            "method": c.method, "confidence": c.confidence, "fiscal_year": year}


def _problem_row(source_path: str, p: Problem, sid: str | None) -> dict:
    return {"source_path": source_path, "sheet_index": p.sheet_index, "sheet_id": sid,
            "severity": p.severity, "code": p.code, "field": p.field, "message": p.message}


def cell_field_rows(sid: str, s: CellSheet) -> list[dict]:
    """Provenance: one `fields` row per value read, with the box of its cell."""
    out = []
    for path, value, cell, rule in s.sources:
        x0, top, x1, bottom = bbox(cell.glyphs)
        out.append({"sheet_id": sid, "field": path, "value": str(value), "raw_text": cell.text,
                    "page": cell.page, "x0": x0, "top": top, "x1": x1, "bottom": bottom,
                    "rule": rule, "method": "cells", "confidence": 1.0})
    return out


def cell_rows(source_path: str, sha256: str, sheets: list[CellSheet], out: dict[str, list[dict]]) -> None:
    """Append the rows of these cell-family sheets to `out` (table name -> rows)."""
    for s in sheets:
        t = s.template_obj
        sid = sheet_id(sha256, s.sheet_index)
        row = {**_key_row(sid, source_path, sha256, s, t.id), **{f: s.fields.get(f) for f in t.fields}}
        row["quality"], row["quality_grade"] = quality(1.0, s.problems)
        out.setdefault(t.table_name("sheets"), []).append(row)
        for name, rows_ in s.tables.items():
            out.setdefault(t.table_name(name), []).extend({"sheet_id": sid, **r} for r in rows_)
        out.setdefault("fields", []).extend(cell_field_rows(sid, s))


# Every table, with its columns (the evaluation sheets' four, then the cell families').
TABLE_COLUMNS: dict[str, Columns] = {"sheets": SHEET_COLUMNS, "criteria": CRITERIA_COLUMNS,
                                     "problems": PROBLEM_COLUMNS, "fields": FIELD_COLUMNS, **FAMILY_COLUMNS}


def rows(results: list[FileResult]) -> dict[str, list[dict]]:
    """The rows of every table. A problem's sheet_id is that of its sheet where the sheet
    is in `sheets` (null for a file-level problem, or a sheet that could not be read)."""
    sheet_columns_ = [n for n, _ in sheet_columns_for(results)]
    out: dict[str, list[dict]] = {name: [] for name in TABLE_COLUMNS}
    for r in results:
        cell_rows(r.source_path, r.source_sha256, r.cell_sheets, out)
        ids: dict[int, str] = {}
        for s in r.sheets:
            sid = ids[s.sheet_index] = sheet_id(r.source_sha256, s.sheet_index)
            row = _sheet_row(r, s, sid, sheet_columns_)
            out["sheets"].append(row)
            year = row.get("fiscal_year")
            out["fields"].extend({"sheet_id": sid, **fr, "fiscal_year": year} for fr in field_rows(s))
            out["criteria"].extend(_criterion_row(sid, c, year) for c in s.criteria)
        out["problems"].extend(_problem_row(r.source_path, p, ids.get(p.sheet_index))
                               for p in r.problems)
    return out
