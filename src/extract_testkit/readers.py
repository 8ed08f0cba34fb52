"""Reader equivalence: one PDF through both readers (pdfplumber, the reference, and pdfium)
and what differs: values, problem codes, the quality grade, provenance boxes."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from extract import extract_pdf, load_rules
from extract.tables import rows

# Provenance boxes of the two readers may differ by this much (points).
BOX_TOLERANCE = 1.5
_BOX = ("x0", "top", "x1", "bottom")


@dataclass
class ReaderDiff:
    """What differs between the readers on one file; `equal` when nothing but boxes within
    BOX_TOLERANCE does."""
    file: str
    values: list[str] = field(default_factory=list)     # "table[key].column: a != b"
    problems: list[str] = field(default_factory=list)   # problem rows only one reader gave
    n_values: int = 0                                   # values compared
    n_boxes: int = 0                                    # provenance boxes compared
    max_box: float = 0.0                                # largest box coordinate difference

    @property
    def equal(self) -> bool:
        return not self.values and not self.problems and self.max_box <= BOX_TOLERANCE


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    return a == b


def _keyed(table: str, rs: list[dict]) -> dict:
    if table == "sheets":
        return {r["sheet_id"]: r for r in rs}
    if table == "criteria":
        return {(r["sheet_id"], r["criterion_no"]): r for r in rs}
    out: dict = {}
    for r in rs:        # fields: a value spread over pages has one row per page
        k = (r["sheet_id"], r["field"], r["page"])
        out[k if k not in out else k + (len(out),)] = r
    return out


def compare_readers(pdf: Path, templates=None, password: str | None = None) -> ReaderDiff:
    templates = templates if templates is not None else load_rules()
    a = rows([extract_pdf(pdf, templates, password, pdf.name, reader="pdfplumber")])
    b = rows([extract_pdf(pdf, templates, password, pdf.name, reader="pdfium")])
    d = ReaderDiff(pdf.name)
    for table in ("sheets", "criteria", "fields"):
        ka, kb = _keyed(table, a[table]), _keyed(table, b[table])
        for k in sorted(set(ka) | set(kb), key=repr):
            ra, rb = ka.get(k), kb.get(k)
            if ra is None or rb is None:
                d.values.append(f"{table}[{k}]: only with {'pdfium' if ra is None else 'pdfplumber'}")
                continue
            for col in ra:
                if table != "sheets" and col in _BOX:
                    if ra[col] is not None and rb[col] is not None:
                        d.max_box = max(d.max_box, abs(ra[col] - rb[col]))
                    elif ra[col] != rb[col]:
                        d.values.append(f"{table}[{k}].{col}: {ra[col]!r} != {rb[col]!r}")
                    continue
                d.n_values += 1
                if not _same(ra[col], rb[col]):
                    d.values.append(f"{table}[{k}].{col}: {str(ra[col])[:60]!r} != {str(rb[col])[:60]!r}")
            d.n_boxes += table != "sheets"
    pa = sorted((p["severity"], p["code"], str(p["field"]), str(p["sheet_index"])) for p in a["problems"])
    pb = sorted((p["severity"], p["code"], str(p["field"]), str(p["sheet_index"])) for p in b["problems"])
    if pa != pb:
        d.problems = [f"pdfplumber only: {p}" for p in pa if p not in pb] + \
                     [f"pdfium only: {p}" for p in pb if p not in pa]
    return d
