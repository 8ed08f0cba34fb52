"""Compare two output folders of `extract run`: which sheets were added, removed or changed,
and for a changed sheet every field with its old and new value.

Sheets are matched by (source_sha256, sheet_index) first (the same PDF bytes), then, among
those left, by (fiscal_year, contribution_name) (a re-issued PDF of the same sheet). Fields
are the columns of `sheets` (all but sheet_id), the criteria keyed ``criteria[N].column``,
and the warnings of the sheet keyed ``problems[code:field]``; file-level problems (a file
without sheets) are compared by source_path.
"""
from __future__ import annotations

import difflib
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .rows import FAMILY_TABLES

# columns that identify a row rather than hold an extracted value
_SHEET_SKIP = {"sheet_id", "fy"}
_CRIT_SKIP = {"sheet_id", "criterion_no", "fy", "fiscal_year"}   # the sheet's year
LONG = 40          # values longer than this are shown as a character diff
# Floats closer than this are equal: box coordinates (points) of the two PDF readers differ
# by float32 noise (~1e-5 pt); a thousandth of a point is no change.
FLOAT_TOLERANCE = 1e-3
CONTEXT = 12       # characters of unchanged text kept around each change


class DiffError(Exception):
    """An output folder is missing or its tables cannot be read."""


@dataclass
class FieldChange:
    field: str
    old: object
    new: object
    change: str                 # added | removed | changed

    @property
    def diff(self) -> str:
        return show_change(self.old, self.new)


@dataclass
class SheetDiff:
    match_key: str
    match_by: str               # sha256+index | fiscal_year+name | "" (added/removed)
    sheet_id_old: str | None
    sheet_id_new: str | None
    source_path: str
    sheet_index: int | None
    fiscal_year: int | None
    contribution_name: str | None
    fields: list[FieldChange] = field(default_factory=list)

    def label(self) -> str:
        name = self.contribution_name or "?"
        if len(name) > 36:
            name = name[:35] + "…"
        return f"{self.source_path}#{self.sheet_index}  FY{self.fiscal_year}  {name}"


@dataclass
class DiffResult:
    old_dir: str
    new_dir: str
    added: list[SheetDiff] = field(default_factory=list)
    removed: list[SheetDiff] = field(default_factory=list)
    changed: list[SheetDiff] = field(default_factory=list)
    unchanged: int = 0
    file_problems: list[SheetDiff] = field(default_factory=list)   # files without sheets

    @property
    def equal(self) -> bool:
        return not (self.added or self.removed or self.changed or self.file_problems)

    def rows(self) -> list[dict]:
        """One row per changed field (the Parquet table written by --out)."""
        out = []
        for group in (self.changed, self.added, self.removed, self.file_problems):
            for s in group:
                for f in s.fields:
                    out.append({"match_key": s.match_key, "sheet_id_old": s.sheet_id_old,
                                "sheet_id_new": s.sheet_id_new, "source_path": s.source_path,
                                "field": f.field, "old": _str(f.old), "new": _str(f.new),
                                "change": f.change})
        return out

    def to_json(self) -> dict:
        def sheet(s: SheetDiff, with_fields=True):
            d = {k: v for k, v in asdict(s).items() if k != "fields"}
            if with_fields:
                d["fields"] = [{"field": f.field, "old": f.old, "new": f.new, "change": f.change,
                                "diff": f.diff} for f in s.fields]
            return d
        return {"old": self.old_dir, "new": self.new_dir, "equal": self.equal,
                "summary": {"changed": len(self.changed), "added": len(self.added),
                            "removed": len(self.removed), "unchanged": self.unchanged,
                            "field_changes": sum(len(s.fields) for s in self.changed),
                            "file_problem_changes": sum(len(s.fields) for s in self.file_problems)},
                "changed": [sheet(s) for s in self.changed],
                "added": [sheet(s) for s in self.added],
                "removed": [sheet(s) for s in self.removed],
                "file_problems": [sheet(s) for s in self.file_problems]}


# ------------------------------------------------------------------ reading

def read_table(out_dir: Path, name: str) -> list[dict]:
    """Rows of OUT/<name> (a Parquet dataset folder, or OUT/<name>.parquet) as plain dicts."""
    import pyarrow.parquet as pq
    for p in (out_dir / name, out_dir / f"{name}.parquet"):
        if p.exists():
            try:
                table = pq.read_table(p)
            except Exception as e:
                raise DiffError(f"cannot read table {p}: {type(e).__name__}: {e}") from e
            rows = table.to_pylist()
            for r in rows:
                r.pop("fy", None)       # the hive partition column of older outputs
            return rows
    raise DiffError(f"{out_dir} has no table {name!r} (expected {out_dir / name}/): "
                    "is it an output folder of `extract run`?")


def _tables(out_dir, reader: str | None = None) -> dict[str, list[dict]]:
    d = Path(out_dir)
    if d.is_file() and d.suffix.lower() == ".pdf" or d.is_dir() and not _is_output(d) and _has_pdfs(d):
        return extracted_tables(d, reader)
    if not d.is_dir():
        raise DiffError(f"no such output folder: {d}")
    family = tuple(n for n in FAMILY_TABLES if (d / n).exists() or (d / f"{n}.parquet").exists())
    return {n: read_table(d, n) for n in ("sheets", "criteria", "problems") + family}


def _is_output(d: Path) -> bool:
    return any((d / f"{n}{ext}").exists() for n in ("sheets", "problems") for ext in ("", ".parquet"))


def _has_pdfs(d: Path) -> bool:
    from .api import iter_pdfs
    return next(iter_pdfs([d]), None) is not None


def extracted_tables(path: Path, reader: str | None = None) -> dict[str, list[dict]]:
    """The tables of PDFs extracted now (a PDF file, or a folder of PDFs that is not an
    output folder) with the given reader."""
    from .api import extract_many
    from .tables import rows
    return rows(extract_many([path], reader=reader))


# ------------------------------------------------------------------ values

def _norm(v):
    if isinstance(v, (list, tuple)):    # a list column (review_sheets.methods)
        return " | ".join(str(x) for x in v)
    if isinstance(v, float):
        if math.isnan(v):
            return None
        return round(v, 6)
    return v


def _str(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        return str(v)
    return str(v)


def _flat(v) -> str:
    return "null" if v is None else str(v).replace("\n", "⏎")


def char_diff(old: str, new: str, context: int = CONTEXT) -> str:
    """A compact character diff: unchanged runs cut to `context` characters around each
    change, deletions as [-…-], insertions as {+…+}: ``…前後[-旧-]{+新+}前後…``."""
    sm = difflib.SequenceMatcher(None, old, new, autojunk=False)
    ops = sm.get_opcodes()
    parts = []
    for i, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal":
            seg = old[i1:i2]
            first, last = i == 0, i == len(ops) - 1
            if first and last:
                parts.append(seg)
            elif first:
                parts.append(seg if len(seg) <= context else "…" + seg[-context:])
            elif last:
                parts.append(seg if len(seg) <= context else seg[:context] + "…")
            else:
                parts.append(seg if len(seg) <= 2 * context + 1
                             else seg[:context] + "…" + seg[-context:])
        else:
            if i2 > i1:
                parts.append(f"[-{old[i1:i2]}-]")
            if j2 > j1:
                parts.append(f"{{+{new[j1:j2]}+}}")
    return "".join(parts).replace("\n", "⏎")


def show_change(old, new) -> str:
    """How a change reads for a person: a character diff for long texts, else old → new."""
    if isinstance(old, str) and isinstance(new, str) and max(len(old), len(new)) > LONG:
        return char_diff(old, new)
    return f"{_clip(_flat(old))} → {_clip(_flat(new))}"


def _clip(s: str, n: int = 60) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def _kind(old, new) -> str:
    return "added" if old is None else "removed" if new is None else "changed"


# ------------------------------------------------------------------ per sheet

def _sheet_values(sheet: dict, criteria: list[dict], problems: list[dict]) -> dict:
    """field key -> value of one sheet, in a stable order."""
    vals = {k: _norm(v) for k, v in sheet.items() if k not in _SHEET_SKIP}
    seen: dict = {}
    for c in sorted(criteria, key=lambda c: (c.get("criterion_no") is None, c.get("criterion_no") or 0)):
        no = c.get("criterion_no")
        n = seen[no] = seen.get(no, 0) + 1
        key = f"criteria[{no}]" + (f"#{n}" if n > 1 else "")
        for k, v in c.items():
            if k not in _CRIT_SKIP:
                vals[f"{key}.{k}"] = _norm(v)
    vals.update(_problem_values(problems))
    return vals


def _problem_values(problems: list[dict]) -> dict:
    out: dict = {}
    for p in sorted(problems, key=lambda p: (p.get("code") or "", p.get("field") or "",
                                              p.get("message") or "")):
        base = f"problems[{p.get('code')}:{p.get('field') or ''}]"
        key, n = base, 1
        while key in out:
            n += 1
            key = f"{base}#{n}"
        out[key] = f"{p.get('severity')}: {p.get('message')}"
    return out


def _close(a, b) -> bool:
    return isinstance(a, float) and isinstance(b, float) and abs(a - b) <= FLOAT_TOLERANCE


def _compare(old: dict, new: dict) -> list[FieldChange]:
    out = []
    for k in list(old) + [k for k in new if k not in old]:
        a, b = old.get(k), new.get(k)
        if a != b and not _close(a, b):
            out.append(FieldChange(k, a, b, _kind(a, b)))
    return out


# The sheets tables of the cell families (review_sheets) are compared as sheets; their other
# tables (review_budget, ...) as rows of their sheet, like its criteria.
_FAMILY_SHEETS = tuple(n for n in FAMILY_TABLES if n.endswith("_sheets"))
_FAMILY_ROWS = tuple(n for n in FAMILY_TABLES if n not in _FAMILY_SHEETS)


def _row_values(table: str, rows: list[dict]) -> dict:
    """table[k].column -> value of a sheet's rows of one family table, in their order."""
    return {f"{table}[{k}].{col}": _norm(v) for k, r in enumerate(rows)
            for col, v in r.items() if col != "sheet_id"}


class _Side:
    def __init__(self, tables: dict[str, list[dict]]):
        self.sheets = tables["sheets"] + [r for n in _FAMILY_SHEETS for r in tables.get(n, [])]
        self.family: dict[tuple[str, str], list[dict]] = {}     # (table, sheet_id) -> rows
        for n in _FAMILY_ROWS:
            for r in tables.get(n, []):
                self.family.setdefault((n, r["sheet_id"]), []).append(r)
        self.crit: dict[str, list[dict]] = {}
        for c in tables["criteria"]:
            self.crit.setdefault(c["sheet_id"], []).append(c)
        self.sheet_probs: dict[tuple, list[dict]] = {}
        self.file_probs: dict[str, list[dict]] = {}
        with_sheets = {s["source_path"] for s in self.sheets}
        for p in tables["problems"]:
            if p.get("sheet_index") is None and p["source_path"] not in with_sheets:
                self.file_probs.setdefault(p["source_path"], []).append(p)
            else:
                self.sheet_probs.setdefault((p["source_path"], p.get("sheet_index")), []).append(p)

    def values(self, s: dict) -> dict:
        probs = self.sheet_probs.get((s["source_path"], s["sheet_index"]), [])
        if s.get("sheet_index") == 0:   # file-level warnings of a file with sheets
            probs = probs + self.sheet_probs.get((s["source_path"], None), [])
        vals = _sheet_values(s, self.crit.get(s["sheet_id"], []), probs)
        for n in _FAMILY_ROWS:
            vals.update(_row_values(n, self.family.get((n, s["sheet_id"]), [])))
        return vals


def _pair(old: list[dict], new: list[dict], key) -> tuple[list, list, list]:
    """Pair rows with the same key (in order of source_path, sheet_index); return the
    pairs and the rows left on each side."""
    order = lambda r: (r.get("source_path") or "", r.get("sheet_index") or 0)   # noqa: E731
    by_key: dict = {}
    for r in sorted(new, key=order):
        k = key(r)
        if k is not None:
            by_key.setdefault(k, []).append(r)
    pairs, left_old = [], []
    for r in sorted(old, key=order):
        k = key(r)
        cand = by_key.get(k) if k is not None else None
        if cand:
            pairs.append((r, cand.pop(0)))
        else:
            left_old.append(r)
    used = {id(b) for _, b in pairs}
    left_new = [r for r in sorted(new, key=order) if id(r) not in used]
    return pairs, left_old, left_new


def _by_sha(r):
    return (r.get("source_sha256"), r.get("sheet_index")) if r.get("source_sha256") else None


def _by_name(r):
    if r.get("fiscal_year") is None or not r.get("contribution_name"):
        return None
    return (r["fiscal_year"], r["contribution_name"])


def _sheet_diff(key: str, by: str, old: dict | None, new: dict | None) -> SheetDiff:
    s = new or old
    return SheetDiff(match_key=key, match_by=by, sheet_id_old=old and old["sheet_id"],
                     sheet_id_new=new and new["sheet_id"], source_path=s.get("source_path"),
                     sheet_index=s.get("sheet_index"), fiscal_year=s.get("fiscal_year"),
                     contribution_name=s.get("contribution_name"))


def diff_tables(old: dict[str, list[dict]], new: dict[str, list[dict]],
                old_dir: str = "old", new_dir: str = "new") -> DiffResult:
    """The difference between two sets of table rows ({"sheets", "criteria", "problems"})."""
    a, b = _Side(old), _Side(new)
    res = DiffResult(str(old_dir), str(new_dir))
    p1, lo, ln = _pair(a.sheets, b.sheets, _by_sha)
    p2, lo, ln = _pair(lo, ln, _by_name)
    for by, pairs in (("sha256+index", p1), ("fiscal_year+name", p2)):
        for so, sn in pairs:
            if by == "sha256+index":
                key = f"{sn['source_sha256'][:16]}#{sn['sheet_index']}"
            else:
                key = f"FY{sn['fiscal_year']}:{sn['contribution_name']}"
            changes = _compare(a.values(so), b.values(sn))
            if changes:
                d = _sheet_diff(key, by, so, sn)
                d.fields = changes
                res.changed.append(d)
            else:
                res.unchanged += 1
    for rows, side, group, kind in ((lo, a, res.removed, "removed"), (ln, b, res.added, "added")):
        for s in rows:
            key = f"{(s.get('source_sha256') or '')[:16]}#{s.get('sheet_index')}"
            d = _sheet_diff(key, "", s if kind == "removed" else None, s if kind == "added" else None)
            vals = side.values(s)
            d.fields = [FieldChange(k, v if kind == "removed" else None,
                                    v if kind == "added" else None, kind)
                        for k, v in vals.items() if v is not None]
            group.append(d)
    for path in sorted(set(a.file_probs) | set(b.file_probs)):
        changes = _compare(_problem_values(a.file_probs.get(path, [])),
                           _problem_values(b.file_probs.get(path, [])))
        if changes:
            d = SheetDiff(path, "source_path", None, None, path, None, None, None, changes)
            res.file_problems.append(d)
    return res


def diff_outputs(old_dir, new_dir, reader: str | None = None) -> DiffResult:
    """Compare the output folders of two runs; raises DiffError when one cannot be read.
    Either side may also be a PDF or a folder of PDFs, extracted now with `reader`."""
    return diff_tables(_tables(old_dir, reader), _tables(new_dir, reader), str(old_dir), str(new_dir))


# ------------------------------------------------------------------ output

def format_text(res: DiffResult, max_fields: int = 50) -> str:
    """The human-readable report: one block per changed sheet, one line per added/removed."""
    lines = [f"--- {res.old_dir}", f"+++ {res.new_dir}"]
    for s in res.changed:
        via = " (matched by fiscal year and name)" if s.match_by == "fiscal_year+name" else ""
        lines.append(f"~ {s.label()}{via}")
        width = min(max(len(f.field) for f in s.fields), 34)
        for f in s.fields[:max_fields]:
            lines.append(f"    {f.change:<8} {f.field:<{width}}  {f.diff}")
        if len(s.fields) > max_fields:
            lines.append(f"    … and {len(s.fields) - max_fields} more field(s) (--json for all)")
    for s in res.added:
        lines.append(f"+ {s.label()}  (added, sheet {s.sheet_id_new})")
    for s in res.removed:
        lines.append(f"- {s.label()}  (removed, sheet {s.sheet_id_old})")
    for s in res.file_problems:
        lines.append(f"! {s.source_path}  (file problems)")
        for f in s.fields:
            lines.append(f"    {f.change:<8} {f.field}  {f.diff}")
    nf = sum(len(s.fields) for s in res.changed)
    if res.equal:
        lines.append(f"no differences ({res.unchanged} sheet(s) identical)")
    else:
        lines.append(f"{len(res.changed)} sheet(s) changed ({nf} field(s)), {len(res.added)} added, "
                     f"{len(res.removed)} removed, {res.unchanged} unchanged"
                     + (f", {len(res.file_problems)} file(s) with changed problems"
                        if res.file_problems else ""))
    return "\n".join(lines)


def write_parquet(res: DiffResult, out_dir) -> Path:
    """Write OUT/diff/part-0.parquet (read it with pandas.read_parquet("OUT/diff"))."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from . import arrays
    schema = pa.schema([(n, pa.string()) for n in ("match_key", "sheet_id_old", "sheet_id_new",
                                                   "source_path", "field", "old", "new", "change")])
    folder = Path(out_dir) / "diff"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "part-0.parquet"
    pq.write_table(arrays.table(res.rows(), schema), path)
    return path
