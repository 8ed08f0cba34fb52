"""Output tables of the cell families: <family>_sheets (keys, header fields, quality) and one
table per [tables.*] of the rules, their Arrow schemas derived from the rules."""
from __future__ import annotations

import hashlib

import pyarrow as pa

from .cell_rules import CellTable, CellTemplate
from .cell_sheet import CellSheet
from .layout import bbox

FIELD_TYPES = {"string": pa.string(), "int32": pa.int32(), "list": pa.list_(pa.string())}
VALUE_TYPES = {"amount": pa.int64(), "percent": pa.float64(), "number": pa.float64()}
KEYS = [("sheet_id", pa.string()), ("source_path", pa.string()), ("source_sha256", pa.string()),
        ("sheet_index", pa.int32()), ("page_first", pa.int32()), ("page_last", pa.int32()),
        ("template", pa.string())]
QUALITY = [("quality", pa.float64()), ("quality_grade", pa.string())]
SID = [("sheet_id", pa.string())]
KIND_COLUMNS = {
    "indicator": [("kind", pa.string()), ("name", pa.string()), ("unit", pa.string()),
                  ("fiscal_year", pa.int32()), ("target", pa.float64()), ("actual", pa.float64())],
    "checklist": [("group", pa.string()), ("item", pa.string()), ("rating", pa.string()),
                  ("note", pa.string())],
}
# Quality: each warning costs this share (as the evaluation family's quality does).
WARNING_FACTOR = 0.85


def table_columns(t: CellTable) -> list[tuple[str, pa.DataType]]:
    if t.kind != "grid":
        return KIND_COLUMNS[t.kind]
    cols = [("fiscal_year", pa.int32())]
    if t.spec.get("column"):
        cols.append((t.spec["column"], pa.string()))
    return cols + [(t.spec["value_column"], VALUE_TYPES[t.spec["value"]])]


def family_schemas(t: CellTemplate) -> dict[str, pa.Schema]:
    out = {t.table_name("sheets"): pa.schema(KEYS + [(f.name, FIELD_TYPES[f.type]) for f in t.fields.values()]
                                              + QUALITY)}
    for name, tab in t.tables.items():
        out[t.table_name(name)] = pa.schema(SID + table_columns(tab))
    return out


def _shipped() -> dict[str, pa.Schema]:
    from .rules import cell_templates, load_rules
    out: dict[str, pa.Schema] = {}
    for t in cell_templates(load_rules()):
        out.update(family_schemas(t))
    return out


# The tables of the shipped cell families (review_sheets, review_budget, …).
FAMILY_SCHEMAS = _shipped()
FAMILY_TABLES = tuple(FAMILY_SCHEMAS)


def sheet_id(sha256: str, index: int) -> str:
    return hashlib.sha256(f"{sha256}:{index}".encode()).hexdigest()[:16]


def quality(s: CellSheet) -> tuple[float, str]:
    warnings = sum(1 for p in s.problems if p.severity == "warning")
    q = round(WARNING_FACTOR ** warnings, 3)
    return q, "good" if q >= 0.95 else "fair" if q >= 0.75 else "poor"


def field_rows(sid: str, s: CellSheet) -> list[dict]:
    """Provenance: one `fields` row per value read, with the box of its cell."""
    out = []
    for path, value, cell, rule in s.sources:
        x0, top, x1, bottom = bbox(cell.glyphs)
        out.append({"sheet_id": sid, "field": path, "value": str(value), "raw_text": cell.text,
                    "page": cell.page, "x0": x0, "top": top, "x1": x1, "bottom": bottom,
                    "rule": rule, "method": "cells", "confidence": 1.0})
    return out


def cell_rows(source_path: str, sha256: str, sheets: list[CellSheet], out: dict[str, list[dict]]) -> None:
    """Append the rows of these sheets to `out` (table name -> rows)."""
    for s in sheets:
        t = s.template_obj
        sid = sheet_id(sha256, s.sheet_index)
        row = {"sheet_id": sid, "source_path": source_path, "source_sha256": sha256,
               "sheet_index": s.sheet_index, "page_first": s.page_first, "page_last": s.page_last,
               "template": t.id, **{f: s.fields.get(f) for f in t.fields}}
        row["quality"], row["quality_grade"] = quality(s)
        out.setdefault(t.table_name("sheets"), []).append(row)
        for name, rows in s.tables.items():
            out.setdefault(t.table_name(name), []).extend({"sheet_id": sid, **r} for r in rows)
        out.setdefault("fields", []).extend(field_rows(sid, s))
