"""The robustness specs (sheet contents the renderers draw) and how an extraction is compared
with them: as ../shared/tools/score.py does."""
from __future__ import annotations

import json
from pathlib import Path

from extract import extract_pdf

from .scoring import CRIT_FIELDS, SHEET_FIELDS, norm

HERE = Path(__file__).parent
SPECS = {s["id"]: s for s in json.loads((HERE / "robustness_specs.json").read_text("utf-8"))}


def mismatches(specs: list[dict], path: Path, reader: str | None = None) -> list[str]:
    r = extract_pdf(path, reader=reader)
    out = []
    if len(r.sheets) != len(specs):
        out.append(f"sheets: expected {len(specs)} got {len(r.sheets)}; problems="
                   + "; ".join(f"{p.code}:{p.field}" for p in r.problems)[:300])
    for k, (spec, sh) in enumerate(zip(specs, r.sheets)):
        for f in SHEET_FIELDS:
            e, g = norm(spec[f]), norm(sh.fields.get(f))
            if e != g:
                out.append(f"sheet{k}.{f}: expected {e[:60]!r} got {g[:60]!r}")
        got = {c.no: c for c in sh.criteria}
        extra = sorted(set(got) - {c["no"] for c in spec["criteria"]})
        if extra or len(sh.criteria) != len(spec["criteria"]):
            out.append(f"sheet{k}.criteria: expected {[c['no'] for c in spec['criteria']]} "
                       f"got {[c.no for c in sh.criteria]}")
        for c in spec["criteria"]:
            gc = got.get(c["no"])
            for f in CRIT_FIELDS:
                e = norm(c[f])
                g = norm(getattr(gc, f, None)) if gc is not None else "<missing>"
                if e != g:
                    i = next((j for j in range(min(len(e), len(g))) if e[j] != g[j]), min(len(e), len(g)))
                    out.append(f"sheet{k}.c{c['no']}.{f}: at {i}/{len(e)} expected "
                               f"{e[max(0, i - 10):i + 25]!r} got {g[max(0, i - 10):i + 25]!r}")
    return out

