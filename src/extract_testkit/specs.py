"""The robustness specs (sheet contents the renderers draw) and how an extraction is compared
with them: as ../shared/tools/score.py does."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from extract import extract_pdf

from .scoring import CRIT_FIELDS, SHEET_FIELDS, norm

HERE = Path(__file__).parent
SPECS = {s["id"]: s for s in json.loads((HERE / "robustness_specs.json").read_text("utf-8"))}


@dataclass
class Comparison:
    """An extraction against its specs: fields right of fields scored (as score.py counts
    them: every sheet field and every criterion field of the spec; a missing sheet or
    criterion counts all its fields wrong) and a line per mismatch."""
    right: int = 0
    total: int = 0
    sheets: int = 0
    lines: list[str] = field(default_factory=list)


def compare(specs: list[dict], path: Path, reader: str | None = None) -> Comparison:
    r = extract_pdf(path, reader=reader)
    out = Comparison(sheets=len(specs))
    if len(r.sheets) != len(specs):
        out.lines.append(f"sheets: expected {len(specs)} got {len(r.sheets)}; problems="
                         + "; ".join(f"{p.code}:{p.field}" for p in r.problems)[:300])
    for k, spec in enumerate(specs):
        sh = r.sheets[k] if k < len(r.sheets) else None
        out.total += len(SHEET_FIELDS) + len(CRIT_FIELDS) * len(spec["criteria"])
        if sh is None:
            continue
        for f in SHEET_FIELDS:
            e, g = norm(spec[f]), norm(sh.fields.get(f))
            if e != g:
                out.lines.append(f"sheet{k}.{f}: expected {e[:60]!r} got {g[:60]!r}")
            else:
                out.right += 1
        got = {c.no: c for c in sh.criteria}
        extra = sorted(set(got) - {c["no"] for c in spec["criteria"]})
        if extra or len(sh.criteria) != len(spec["criteria"]):
            out.lines.append(f"sheet{k}.criteria: expected {[c['no'] for c in spec['criteria']]} "
                             f"got {[c.no for c in sh.criteria]}")
        for c in spec["criteria"]:
            gc = got.get(c["no"])
            for f in CRIT_FIELDS:
                e = norm(c[f])
                g = norm(getattr(gc, f, None)) if gc is not None else "<missing>"
                if e != g:
                    i = next((j for j in range(min(len(e), len(g))) if e[j] != g[j]), min(len(e), len(g)))
                    out.lines.append(f"sheet{k}.c{c['no']}.{f}: at {i}/{len(e)} expected "
                                     f"{e[max(0, i - 10):i + 25]!r} got {g[max(0, i - 10):i + 25]!r}")
                else:
                    out.right += 1
    return out


def mismatches(specs: list[dict], path: Path, reader: str | None = None) -> list[str]:
    return compare(specs, path, reader).lines
