"""Provenance and the audit page.

- every `fields` box encloses the printed glyphs of its value, on samples of every template
  generation, and every value of `sheets` and `criteria` has at least one `fields` row;
- `extract audit` writes one self-contained HTML page with one box per `fields` row, checked
  in a real headless browser (Debian's chromium) when one is installed.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pdfplumber
import pytest

from conftest import ROOT, SAMPLES, sample_pdfs
from extract import cli
from extract.audit import KINDS, audit, kind_of

_WS = re.compile(r"\s+")
SHEET_VALUES = ["fiscal_year", "fiscal_year_label", "contribution_name", "organization_name",
                "organization_abbr", "bureau", "division", "budget_jpy", "budget_label",
                "overall_rating", "overview"]
CRIT_VALUES = {"label": "label", "rating": "rating", "text": "text", "canonical": "label"}
MULTI = SAMPLES / "combined-cover-index.pdf"     # 6 pages: cover, index, 3 sheets


def _rows(extracted, pdf):
    from extract.tables import rows
    return rows([extracted(pdf)])


def _sheet_pdfs(extracted):
    return [p for p in sample_pdfs() if extracted(p).sheets]


@pytest.mark.slow
def test_samples_cover_every_generation(extracted):
    templates = {s.template for p in _sheet_pdfs(extracted) for s in extracted(p).sheets}
    assert {"h28", "h29", "r1", "r4"} <= templates


@pytest.mark.slow
@pytest.mark.parametrize("pdf", sample_pdfs(), ids=lambda p: p.name)
def test_field_boxes_enclose_the_printed_text(pdf, extracted):
    """For each fields row, the glyphs lying inside its box (expanded by 1 pt) read as the
    raw text: they contain its first and last 5 characters (whitespace removed)."""
    r = _rows(extracted, pdf)
    bad = []
    with pdfplumber.open(pdf) as doc:
        pages = {}
        for f in r["fields"]:
            assert f["page"] and f["x0"] < f["x1"] and f["top"] < f["bottom"], f
            if f["page"] not in pages:    # dedupe: fake-bold doubled glyphs count once
                page = doc.pages[f["page"] - 1]
                pages[f["page"]] = (page, page.dedupe_chars())
            page, deduped = pages[f["page"]]
            bb = (max(f["x0"] - 1, page.bbox[0]), max(f["top"] - 1, page.bbox[1]),
                  min(f["x1"] + 1, page.bbox[2]), min(f["bottom"] + 1, page.bbox[3]))
            # within_bbox: only glyphs wholly inside (crop would also keep glyphs of the
            # neighbouring cells that merely touch the box)
            inside = _WS.sub("", deduped.within_bbox(bb).extract_text() or "")
            raw = _WS.sub("", f["raw_text"] or "")
            if not raw or raw[:5] not in inside or raw[-5:] not in inside:
                bad.append(f"{f['field']} p{f['page']} {bb}: raw «{raw[:5]}…{raw[-5:]}» "
                           f"box reads «{inside[:30]}…»")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("pdf", sample_pdfs(), ids=lambda p: p.name)
def test_every_value_has_a_fields_row(pdf, extracted):
    r = _rows(extracted, pdf)
    have = {(f["sheet_id"], f["field"]): f for f in r["fields"]}
    missing = []
    for s in r["sheets"]:
        for col in SHEET_VALUES:
            if s[col] not in (None, ""):
                f = have.get((s["sheet_id"], col))
                if f is None:
                    missing.append(f"#{s['sheet_index']} {col}")
                elif f["value"] != str(s[col]):
                    missing.append(f"#{s['sheet_index']} {col}: fields says {f['value']!r}")
    for c in r["criteria"]:
        for col, part in CRIT_VALUES.items():
            if c[col] not in (None, ""):
                if (c["sheet_id"], f"criteria[{c['criterion_no']}].{part}") not in have:
                    missing.append(f"{c['sheet_id']} criteria[{c['criterion_no']}].{col}")
    assert not missing, "values without a fields row: " + ", ".join(missing)


# ------------------------------------------------------------------ the HTML page

@pytest.fixture(scope="module")
def multi_audit(tmp_path_factory):
    out = tmp_path_factory.mktemp("audit") / "audit.html"
    html, rows = audit(MULTI)
    out.write_text(html, encoding="utf-8")
    return out, html, rows


def _boxes(html: str) -> list[str]:
    return re.findall(r'<div class="box k-(\w+)" id="b(\d+)"[^>]*style="([^"]+)"', html)


@pytest.mark.slow
def test_audit_page_has_one_box_per_fields_row(multi_audit):
    _, html, rows = multi_audit
    assert len(rows["sheets"]) == 3 and len(rows["fields"]) > 50
    boxes = _boxes(html)
    assert len(boxes) == len(rows["fields"]) == html.count('class="box ')
    assert sorted(int(i) for _, i, _ in boxes) == list(range(len(rows["fields"])))
    for kind, i, style in boxes:
        f = rows["fields"][int(i)]
        assert kind == kind_of(f["field"]) and kind != "other", f["field"]
        pos = dict(re.findall(r"(left|top|width|height):([-\d.]+)%", style))
        assert 0 <= float(pos["left"]) and float(pos["left"]) + float(pos["width"]) <= 100.5
        assert 0 <= float(pos["top"]) and float(pos["top"]) + float(pos["height"]) <= 100.5
    assert html.count('<img alt="page') == 6 and html.count("data:image/png;base64,") == 6
    assert html.count('<tr data-box="b') == len(rows["fields"])
    assert "quality" in html and "(good)" in html and "Problems" in html


def test_audit_page_is_self_contained(multi_audit):
    _, html, _ = multi_audit
    assert not re.search(r'(src|href)\s*=\s*"(?!data:)', html)
    assert "http://" not in html and "https://" not in html and "@import" not in html


def test_audit_lists_problems_and_colours(tmp_path, capsys):
    out = tmp_path / "a.html"
    assert cli.main(["audit", str(SAMPLES / "scanned-no-text-layer.pdf"), "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "no_text_layer" in html and 'class="error"' in html and not _boxes(html)
    assert "error: no_text_layer" in capsys.readouterr().out
    assert cli.main(["audit", str(tmp_path / "missing.pdf"), "-o", str(out)]) == 2
    assert len({c for c, _ in KINDS.values()}) == len(KINDS)


# ------------------------------------------------------------------ in a real browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    not CHROMIUM, reason="no chromium binary on PATH (Debian: apt-get install -y chromium); "
    "the audit page is not checked in a browser")


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


@pytest.mark.slow
@needs_chromium
def test_audit_page_renders_in_headless_chromium(multi_audit, tmp_path):
    out, _, rows = multi_audit
    p = _chromium(tmp_path, "--dump-dom", out.as_uri())
    assert p.returncode == 0, p.stderr[-2000:]
    dom = p.stdout
    # the DOM as the browser built it: every box parsed and kept, one per fields row
    assert len(re.findall(r'<div class="box k-\w+" id="b\d+"', dom)) == len(rows["fields"])
    assert dom.count('<img alt="page') == 6


@pytest.mark.slow
@needs_chromium
def test_audit_screenshot_shows_the_boxes(multi_audit, tmp_path):
    from PIL import Image
    out, _, _ = multi_audit
    png = tmp_path / "shot.png"
    p = _chromium(tmp_path, f"--screenshot={png}", "--window-size=1400,2000", out.as_uri())
    assert png.is_file(), p.stderr[-2000:]
    img = Image.open(png).convert("RGB")
    assert img.size == (1400, 2000)
    # the box borders are drawn: pixels of the criterion-text and criterion-title colours
    colours = img.getcolors(maxcolors=1 << 20)
    for kind in ("text", "label"):
        want = tuple(int(KINDS[kind][0][i:i + 2], 16) for i in (1, 3, 5))
        near = sum(n for n, c in colours if sum(abs(a - b) for a, b in zip(c, want)) < 24)
        assert near > 500, f"few {kind} box pixels in the screenshot ({near})"


def test_docs_screenshot_present():
    shot = ROOT / "docs" / "audit.png"
    assert shot.is_file() and shot.stat().st_size < 450_000
    assert "docs/audit.png" in (ROOT / "README.md").read_text(encoding="utf-8")
