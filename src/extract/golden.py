"""The golden files: the format of samples/<name>.expected.json, the one comparison of
results, and `extract check` (every samples/*.pdf against its golden file).

The golden format is the one tools/update_golden.py writes: {"sheets": [...], "criteria":
[...], "problems": [...]}, the rows of extract.tables.rows for that one file with
source_path the bare file name, floats rounded to 0.1 (NaN to null, no -0.0), keys sorted,
without the derived columns (the cross-year keys of `sheets`, fiscal_year of `criteria`,
sheet_id of `problems`: functions of what the file holds).
`golden` below is that format (the tool calls it), and `compare` lists the differences row
by row: the one comparison of results, used by `extract check` and the golden tests.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from .api import extract_pdf
from .rows import FAMILY_TABLES
from .diff import show_change
from .keys import KEY_COLUMNS
from .rules import load_rules
from .tables import rows

TABLES = ("sheets", "criteria", "problems")


@dataclass
class Difference:
    file: str
    table: str
    field: str
    expected: object
    got: object

    def show(self) -> str:
        return f"{self.file}  {self.table}  {self.field}  {show_change(self.expected, self.got)}"


def _round(v):
    if isinstance(v, float):
        if math.isnan(v):
            return None
        r = round(v, 1)
        return 0.0 if r == 0 else r
    if isinstance(v, dict):
        return {k: _round(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_round(x) for x in v]
    return v


def golden(result) -> dict:
    """The golden dict of one FileResult (extracted with source_path = bare file name), after
    a JSON round trip so that it compares equal to a loaded .expected.json."""
    r = rows([result])
    # derived columns: the cross-year keys are functions of the printed names kept here
    # (tests/test_keys.py), a criterion's fiscal_year is its sheet's, a problem's sheet_id is
    # that of the sheet at its sheet_index (tests/test_problems.py)
    derived = {"sheets": KEY_COLUMNS, "criteria": ("fiscal_year",), "problems": ("sheet_id",)}
    # the tables of the cell families only where the file has rows in them (so the
    # evaluation samples' golden files keep their three tables)
    names = TABLES + tuple(n for n in FAMILY_TABLES if r.get(n))
    data = {name: [_round({k: v for k, v in x.items() if k not in derived.get(name, ())})
                   for x in r[name]] for name in names}
    return json.loads(json.dumps(data, ensure_ascii=False, sort_keys=True))


def default_samples_dir() -> Path | None:
    """samples/ of the repository (a source checkout) or shipped inside the package,
    wherever the current folder is; None when this installation has none."""
    here = Path(__file__).resolve().parent
    for cand in (here.parent.parent / "samples", here / "samples"):
        if cand.is_dir() and any(cand.glob("*.expected.json")):
            return cand
    return None


def _index(rows: list[dict], key) -> dict:
    out: dict = {}
    for r in rows:
        k = key(r)
        n = 1
        while (k, n) in out:
            n += 1
        out[(k, n)] = r
    return out


def _where(table: str, k, n: int, sheet_of: dict) -> str:
    if table not in _KEYS:
        s = f"{table}[{n - 1}]"
        return s
    if table == "sheets":
        s = f"[{k}]"
    elif table == "criteria":
        sid, no = k
        s = f"[{sheet_of.get(sid, sid)}].criteria[{no}]"
    else:
        idx, code, field = k
        s = f"[{'-' if idx is None else idx}].{code}" + (f"({field})" if field else "")
    return s + (f"#{n}" if n > 1 else "")


_KEYS = {
    "sheets": lambda r: r.get("sheet_index"),
    "criteria": lambda r: (r.get("sheet_id"), r.get("criterion_no")),
    "problems": lambda r: (r.get("sheet_index"), r.get("code"), r.get("field")),
}


def _IN_ORDER(r: dict) -> None:
    """Rows of the cell families' tables are matched in order."""
    return None


def compare(file: str, expected: dict, got: dict) -> list[Difference]:
    """Differences between two golden dicts: rows matched by sheet_index (sheets),
    (sheet, criterion_no) (criteria) and (sheet_index, code, field) (problems); a missing or
    extra row is one Difference with field '*'."""
    out: list[Difference] = []
    sheet_of = {s["sheet_id"]: s["sheet_index"] for s in expected.get("sheets", []) + got.get("sheets", [])}
    family = [t for t in FAMILY_TABLES if t in expected or t in got]
    for table in TABLES + tuple(family):
        key = _KEYS.get(table, _IN_ORDER)
        want = _index(expected.get(table, []), key)
        have = _index(got.get(table, []), key)
        for key in list(want) + [k for k in have if k not in want]:
            where = _where(table, key[0], key[1], sheet_of)
            w, g = want.get(key), have.get(key)
            if w is None or g is None:
                out.append(Difference(file, table, f"{where}.*", w, g))
                continue
            for col in list(w) + [c for c in g if c not in w]:
                a, b = w.get(col), g.get(col)
                if a != b or type(a) is not type(b) or (col in w) != (col in g):
                    out.append(Difference(file, table, f"{where}.{col}", w.get(col), g.get(col)))
    return out


def check_samples(samples, rules=None) -> tuple[int, list[Difference]]:
    """(number of PDFs checked, differences) for every PDF in the folder."""
    folder = Path(samples)
    templates = rules if isinstance(rules, list) else load_rules(rules)
    pdfs = sorted(p for p in folder.glob("*.pdf") if p.is_file())
    diffs: list[Difference] = []
    for pdf in pdfs:
        exp = pdf.with_name(pdf.stem + ".expected.json")
        if not exp.is_file():
            diffs.append(Difference(pdf.name, "-", "-", f"{exp.name} (missing)", None))
            continue
        try:
            want = json.loads(exp.read_text(encoding="utf-8"))
        except ValueError as e:
            diffs.append(Difference(pdf.name, "-", "-", f"{exp.name} is not valid JSON ({e})", None))
            continue
        diffs += compare(pdf.name, want, golden(extract_pdf(pdf, templates, source_path=pdf.name)))
    return len(pdfs), diffs
