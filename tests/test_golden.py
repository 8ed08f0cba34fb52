"""Golden tests: every sample PDF extracts exactly to its samples/<name>.expected.json,
and every sample (and, when present, every file of the shared dev corpus) agrees with its
truth file on the fields the scorer checks.

After a deliberate change of output: `.venv/bin/python tools/update_golden.py`, then review
`git diff samples/`.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import CORPUS, SAMPLES, sample_pdfs
from extract.golden import compare
from extract_testkit.scoring import CRIT_FIELDS, SHEET_FIELDS
from extract_testkit.scoring import norm as _norm

PDFS = sample_pdfs()
TRUTHS = sorted(SAMPLES.glob("*.truth.json"))
CORPUS_TRUTHS = sorted(CORPUS.glob("*.truth.json")) if CORPUS.is_dir() else []

MAX_DIFFS = 8


def test_samples_present():
    assert (SAMPLES / "h28-iom-trafficking.pdf").is_file()
    assert len(PDFS) >= 19
    total = sum(p.stat().st_size for p in SAMPLES.iterdir() if p.is_file())
    assert total < 4.5 * 2**20, f"samples/ is {total / 2**20:.1f} MiB; keep it small"


@pytest.mark.parametrize("pdf", PDFS, ids=lambda p: p.name)
def test_every_sample_has_golden_and_truth(pdf):
    assert pdf.with_name(pdf.stem + ".expected.json").is_file(), \
        f"no golden for {pdf.name}: run tools/update_golden.py"
    truth = pdf.with_name(pdf.stem + ".truth.json")
    assert truth.is_file(), f"no truth file for {pdf.name}"
    assert json.loads(truth.read_text(encoding="utf-8"))["file"] == pdf.name


# --- golden ------------------------------------------------------------------------------


def _first_text_diff(want: str, got: str) -> str:
    i = 0
    while i < min(len(want), len(got)) and want[i] == got[i]:
        i += 1
    a = max(0, i - 10)
    return f"strings differ at char {i}: want «{want[a:i + 30]}» got «{got[a:i + 30]}»"


def _describe(diffs) -> str:
    more = f"\n  … and {len(diffs) - MAX_DIFFS} more" if len(diffs) > MAX_DIFFS else ""
    return "\n  ".join([""] + [d.show() for d in diffs[:MAX_DIFFS]]) + more


@pytest.mark.parametrize("pdf", PDFS, ids=lambda p: p.name)
def test_golden(pdf, extracted, golden_tool):
    exp = pdf.with_name(pdf.stem + ".expected.json")
    if not exp.is_file():
        pytest.fail(f"no {exp.name}: run tools/update_golden.py")
    want = json.loads(exp.read_text(encoding="utf-8"))
    # Through a JSON round trip, so tuples/ints/floats compare as they are stored.
    got = json.loads(golden_tool.dumps(golden_tool.golden(extracted(pdf))))
    diffs = compare(pdf.name, want, got)
    assert not diffs, (f"{pdf.name} differs from {exp.name} (if the change is intended, "
                       f"run tools/update_golden.py {pdf.name}):{_describe(diffs)}")


def test_golden_format_is_stable(golden_tool, extracted):
    """The writer's format: sorted keys, 0.1 floats, bare source_path, no ASCII escapes."""
    pdf = SAMPLES / "h28-iom-trafficking.pdf"
    g = golden_tool.golden(extracted(pdf))
    text = golden_tool.dumps(g)
    assert text == pdf.with_name(pdf.stem + ".expected.json").read_text(encoding="utf-8")
    assert "\\u" not in text and "拠出" in text
    assert set(g) == {"sheets", "criteria", "problems"}
    assert all(r["source_path"] == pdf.name for r in g["sheets"] + g["problems"])
    for r in g["criteria"]:
        for k in ("x0", "top", "x1", "bottom", "confidence"):
            assert r[k] is None or round(r[k], 1) == r[k]


# --- truth -------------------------------------------------------------------------------


def norm(v) -> str:
    return _norm(v, fold_cid=False)     # real PDFs: no renderer quirk to fold


def truth_mismatches(truth: dict, result) -> list[str]:
    from extract.tables import rows
    t = rows([result])
    fname = truth["file"]
    out = []
    if truth.get("expect_problem"):
        code = truth["expect_problem"]
        errors = [p["code"] for p in t["problems"] if p["severity"] == "error"]
        if code not in errors:
            got = ", ".join(f"{p['severity']}:{p['code']}" for p in t["problems"]) or "no problems"
            out.append(f"{fname}: want an error row {code}; got {got}")
        if t["sheets"]:
            out.append(f"{fname}: want no sheet for a problem file; got {len(t['sheets'])}")
        return out
    by_index = {s["sheet_index"]: s for s in t["sheets"]}
    want_idx = [ts["sheet_index"] for ts in truth["sheets"]]
    if sorted(by_index) != sorted(want_idx) or len(t["sheets"]) != len(want_idx):
        out.append(f"{fname}: sheet indexes {sorted(s['sheet_index'] for s in t['sheets'])}, "
                   f"want {want_idx}")
    for ts in truth["sheets"]:
        where = f"{fname}#{ts['sheet_index']}"
        row = by_index.get(ts["sheet_index"])
        if row is None:
            out.append(f"{where}: sheet missing")
            continue
        for f in SHEET_FIELDS:
            w, g = norm(ts.get(f)), norm(row.get(f))
            if w != g:
                out.append(f"{where} {f}: {_first_text_diff(w, g)}")
        crit = {c["criterion_no"]: c for c in t["criteria"] if c["sheet_id"] == row["sheet_id"]}
        want_nos = [int(c["no"]) for c in ts["criteria"]]
        if sorted(crit) != sorted(want_nos):
            out.append(f"{where}: criteria numbers {sorted(crit)}, want {sorted(want_nos)}")
        for c in ts["criteria"]:
            oc = crit.get(int(c["no"]))
            if oc is None:
                continue
            for f in CRIT_FIELDS:
                w, g = norm(c.get(f)), norm(oc.get(f))
                if w != g:
                    out.append(f"{where} criterion {c['no']}.{f}: {_first_text_diff(w, g)}")
    return out


@pytest.mark.parametrize("truth_file", TRUTHS, ids=lambda p: p.name[: -len(".truth.json")])
def test_sample_agrees_with_truth(truth_file, extracted):
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    pdf = SAMPLES / truth["file"]
    assert pdf.is_file(), f"{truth_file.name} names {truth['file']}, which is not in samples/"
    bad = truth_mismatches(truth, extracted(pdf))
    assert not bad, _describe(bad)


@pytest.mark.skipif(not CORPUS_TRUTHS, reason=f"shared dev corpus not found at {CORPUS}")
@pytest.mark.parametrize("truth_file", CORPUS_TRUTHS or [None],
                         ids=lambda p: p.name[: -len(".truth.json")] if p else "none")
@pytest.mark.slow
def test_corpus_agrees_with_truth(truth_file, extracted):
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    pdf = truth_file.parent / Path(truth["file"]).name
    bad = truth_mismatches(truth, extracted(pdf))
    assert not bad, _describe(bad)
