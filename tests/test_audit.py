"""Provenance and the audit page.

- every `fields` box encloses the printed glyphs of its value, on samples of every template
  generation, and every value of `sheets` and `criteria` has at least one `fields` row;
- `extract audit` writes one self-contained HTML page with one box per `fields` row, checked
  in a real headless browser (Debian's chromium) when one is installed.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pdfplumber
import pytest

from conftest import ROOT, SAMPLES, sample_pdfs
from extract import cli
from extract.audit import KINDS, audit, kind_of
from extract_testkit.browser import chromium_path, dump_dom, run_chromium

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
    assert html.count('<img alt="page') == 6
    assert len(re.findall(r'data-src="data:image/(webp|png);base64,', html)) == 6
    assert html.count('<tr data-box="b') == len(rows["fields"])
    assert "quality" in html and "(good)" in html and "Problems" in html


def test_audit_page_is_self_contained(multi_audit):
    _, html, _ = multi_audit
    assert not re.search(r'(src|href)\s*=\s*"(?!data:|#)', html)   # inline data, in-page links
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

CHROMIUM = chromium_path()
needs_chromium = pytest.mark.skipif(
    not CHROMIUM, reason="no chromium binary on PATH (Debian: apt-get install -y chromium); "
    "the audit page is not checked in a browser")


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return run_chromium(tmp_path / "profile", *args)


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


# ------------------------------------------------------------------ a whole round in one file

ROUND_SHEETS, ROUND_PAGES = 100, 170


def _round_page(pages: int = ROUND_PAGES, sheets: int = ROUND_SHEETS) -> tuple[str, dict]:
    """The audit page of a synthetic 170-page, 100-sheet file (a real tiny page image on every
    page, boxes and fields on every sheet page), built without extracting anything."""
    import base64
    import io

    from PIL import Image

    from extract.audit import build_html
    buf = io.BytesIO()
    Image.new("L", (60, 85), 255).save(buf, format="PNG")
    png = base64.b64encode(buf.getvalue()).decode("ascii")
    page_list = [{"number": n, "width": 595.0, "height": 842.0, "x0": 0.0, "top": 0.0,
                  "mime": "image/png", "data": png} for n in range(1, pages + 1)]
    rows = {"sheets": [], "fields": [], "problems": [], "criteria": []}
    first = 3                                    # two pages of front matter
    for k in range(sheets):
        last = first + (1 if k % 7 < 3 else 0)   # sheets of one and two pages
        sid = f"s{k:03d}"
        rows["sheets"].append({"sheet_id": sid, "sheet_index": k, "page_first": first,
                               "page_last": last, "template": "r4", "fiscal_year": 2023,
                               "contribution_name": f"拠出金{k}", "source_sha256": "0" * 64,
                               "quality": 1.0, "quality_grade": "good"})
        for n in range(first, last + 1):
            for field in ("contribution_name", "criteria[1].text"):
                rows["fields"].append({"sheet_id": sid, "field": field, "page": n,
                                       "value": f"拠出金{k}" + ("".join(
                                           f"第{k}-{n}-{i}文。" for i in range(40))
                                           if "text" in field else ""),
                                       "x0": 50.0, "top": 100.0, "x1": 300.0, "bottom": 200.0,
                                       "rule": "r4.toml:x", "method": "layout", "confidence": 1.0})
        if k % 10 == 0:
            rows["problems"].append({"severity": "warning", "code": "missing_field",
                                     "sheet_index": k, "field": "budget_jpy", "message": "m"})
        first = last + 1
    assert first - 1 <= pages
    return build_html("round.pdf", rows, page_list), rows


def test_round_page_links_sheets_and_defers_images():
    html, rows = _round_page()
    ids = set(re.findall(r'id="(page\d+)"', html))
    assert len(ids) == ROUND_PAGES
    # the sheet list and the problems link to pages that exist
    links = re.findall(r'<tr id="toc(\d+)"><td><a href="#(page\d+)">', html)
    assert len(links) == ROUND_SHEETS and all(t in ids for _, t in links)
    for (k, target), s in zip(links, rows["sheets"]):
        assert int(k) == s["sheet_index"] and target == f"page{s['page_first']}"
    assert len(re.findall(r'<td><a href="#page\d+">#\d+</a></td><td>budget_jpy', html)) == 10
    # images are not decoded on load: no src on any img until the script sets it
    assert not re.search(r"<img[^>]* src=", html)
    assert html.count("data-src=\"data:image/png;base64,") == ROUND_PAGES
    # one side table per sheet, all hidden until the script shows the sheet in view
    assert len(re.findall(r'<div class="sheet" id="sheet\d+" data-k="\d+" hidden>', html)) == ROUND_SHEETS
    # every character of a long value is in the page once (side table) plus a clipped tooltip
    long_value = rows["fields"][1]["value"]
    assert len(long_value) > 300 and html.count(long_value[-150:]) == 1


@needs_chromium
def test_round_page_in_chromium_follows_the_scroll_and_loads_lazily(tmp_path):
    html, rows = _round_page()
    page = tmp_path / "round.html"
    page.write_text(html, encoding="utf-8")
    target = 120
    sheet = next(s for s in rows["sheets"] if s["page_first"] <= target <= s["page_last"])
    dom = dump_dom(tmp_path / "profile", page.as_uri() + f"#page{target}")
    # the side panel shows the sheet of the page in view, and only it
    shown = re.findall(r'<div class="sheet" id="sheet(\d+)" data-k="\d+">', dom)
    assert shown == [str(sheet["sheet_index"])], shown
    assert re.search(r'id="curpage">(\d+)<', dom).group(1) == str(target)
    assert re.findall(r'<tr id="toc(\d+)" class="cur"', dom) == [str(sheet["sheet_index"])]
    # images near the window are decoded, the others still wait (the first pages may have
    # been decoded too, before the browser moved to the #page anchor)
    loaded = re.findall(r'<img alt="page (\d+)"[^>]* src="data:', dom)
    assert str(target) in loaded and len(loaded) <= 16, loaded
    assert all(abs(int(n) - target) <= 8 or int(n) <= 8 for n in loaded), loaded
    assert dom.count("data-src=") == ROUND_PAGES - len(loaded)
    # at the top of the page: the first sheet
    dom = dump_dom(tmp_path / "profile", page.as_uri())
    assert re.findall(r'<div class="sheet" id="sheet(\d+)" data-k="\d+">', dom) == ["0"]


def test_review_sheets_are_on_the_audit_page():
    """The second family: every fields row of a review sheet is a box and a row of its side
    table, and the sheet is in the picker under its project name."""
    from conftest import REVIEW_SAMPLES
    html, rows = audit(REVIEW_SAMPLES / "dev_08.pdf")
    sheets = rows["review_sheets"]
    assert len(sheets) == 3 and not rows["sheets"]
    assert html.count('class="box ') == html.count('<tr data-box="b') == len(rows["fields"]) > 100
    assert html.count('<option value="') == 3
    assert all(s["project_name"][:12] in html for s in sheets)
