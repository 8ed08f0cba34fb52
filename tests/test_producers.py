"""Sheets printed by other producers (committed fixtures, so no browser or office suite is
needed): headless Chromium from HTML, LibreOffice Writer from a flat ODF document. Each file's
truth is the spec it was rendered from (tests/fixtures/producers/<producer>/<name>.truth.json,
made by tools/render_fixtures.py); compared as ../shared/tools/score.py compares.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

import pdfplumber
import pytest

from extract.pdf import iter_pages, open_pdf
from extract_testkit.specs import compare

FIXTURES = Path(__file__).parent / "fixtures" / "producers"
TRUTHS = sorted(FIXTURES.glob("*/*.truth.json"))

# Known extractor failures: the to-do list of issue 9 (strict: remove a mark when it passes).
XFAIL: dict[str, str] = {}


def _params():
    for t in TRUTHS:
        key = f"{t.parent.name}/{t.name.removesuffix('.truth.json')}"
        marks = [pytest.mark.xfail(strict=True, reason=XFAIL[key])] if key in XFAIL else []
        yield pytest.param(t, id=key, marks=marks)


def test_fixtures_present():
    producers = {t.parent.name for t in TRUTHS}
    assert {"chromium", "libreoffice"} <= producers
    assert all(t.with_name(t.name.replace(".truth.json", ".pdf")).exists() for t in TRUTHS)


@pytest.mark.parametrize("truth", list(_params()))
def test_producer_fixture_extracts_to_its_spec(truth):
    data = json.loads(truth.read_text("utf-8"))
    c = compare(data["sheets"], truth.with_name(data["file"]))
    assert not c.lines, "\n".join(c.lines[:8])
    assert c.right == c.total


def test_chromium_text_layer_needs_actual_text():
    # Chromium's ToUnicode maps give ‧ (U+2027) for ・ and Kangxi radicals for 金, with the
    # typed character in an /ActualText span: pdfminer alone reads the wrong code points
    pdf = FIXTURES / "chromium" / "noto-sans-a4-full.pdf"
    with pdfplumber.open(pdf) as doc:
        layer = "".join(c["text"] for c in doc.pages[0].chars)
    assert "\u2027" in layer and "\u2fa6" in layer
    with open_pdf(pdf) as doc:
        page = next(iter_pages(doc))
    text = "".join(g.text for g in page.glyphs)
    assert "\u2027" not in text and "分担金・拠出金の名称" in text


def test_browser_font_warnings_are_one_log_record(capfd, caplog):
    pdf = FIXTURES / "chromium" / "noto-sans-a4-full.pdf"
    with caplog.at_level(logging.INFO, logger="extract.pdf"):
        with open_pdf(pdf) as doc:
            pages = list(iter_pages(doc))
    assert len(pages) >= 2
    _, err = capfd.readouterr()
    assert "FontBBox" not in err
    [rec] = [r for r in caplog.records if r.name == "extract.pdf"]
    assert "FontBBox" in rec.getMessage() and pdf.name in rec.getMessage()


# --- the producers' documents (no browser or office suite needed) -------------------------

from xml.dom import minidom  # noqa: E402

from extract_testkit.producers import PRODUCERS  # noqa: E402
from extract_testkit.render_html import HTML_KNOBS, sheet_html  # noqa: E402
from extract_testkit.render_office import OFFICE_KNOBS, sheet_fods, sheet_fodt  # noqa: E402
from extract_testkit.scoring import norm  # noqa: E402
from extract_testkit.specs import SPECS  # noqa: E402


def _every_value(spec) -> list[str]:
    vals = [spec[k] for k in ("fiscal_year_label", "contribution_name", "organization_name",
                              "bureau", "division", "overall_rating")] + spec["overview"]
    for c in spec["criteria"]:
        vals += [c["label"]] + c["text"] + ([c["rating"]] if c["rating"] else [])
    return vals


def _styles(knobs):
    """One style per knob value (the rest at their defaults)."""
    return [{k: v} for k, vs in knobs.items() for v in vs]


@pytest.mark.parametrize("style", _styles(HTML_KNOBS), ids=str)
def test_html_document_holds_every_value(style):
    import html as htmllib
    specs = [SPECS["h28-iom-trafficking"], SPECS["r4-unhcr-refugees"]]
    doc = htmllib.unescape(sheet_html(specs, style))
    text = norm(doc)
    for sp in specs:
        for v in _every_value(sp):
            assert norm(v) in text, v


@pytest.mark.parametrize("style", _styles(OFFICE_KNOBS), ids=str)
def test_office_documents_are_well_formed_and_hold_every_value(style):
    specs = [SPECS["h29-opcw-syria"], SPECS["r1-fao-locust"]]
    for doc in (sheet_fodt(specs, style), sheet_fods(specs, style)):
        dom = minidom.parseString(doc.encode("utf-8"))
        text = norm("".join(n.data for n in _text_nodes(dom)))
        for sp in specs:
            for v in _every_value(sp):
                assert norm(v) in text, v


def _text_nodes(node):
    for ch in node.childNodes:
        if ch.nodeType == ch.TEXT_NODE:
            yield ch
        else:
            yield from _text_nodes(ch)


@pytest.mark.parametrize("name", ["chromium", "libreoffice"])
def test_live_render_when_installed(name, tmp_path):
    prod = PRODUCERS[name]
    if not prod.available():
        pytest.skip(f"{name} or a font with Japanese glyphs is not installed "
                    "(the committed fixtures are tested above)")
    spec = SPECS["r4-icc-victims"]
    pdf = prod.render([spec], tmp_path / "live.pdf", {})
    c = compare([spec], pdf)
    assert c.total > 0 and not c.lines, c.lines[:5]


def test_a_table_moved_to_the_next_page_is_read_on_the_pages_it_was_printed_on():
    # rows kept whole: the second sheet's header block ends page 3, its table begins page 4
    from extract.api import extract_pdf
    from extract.provenance import field_rows
    r = extract_pdf(FIXTURES / "chromium" / "whole-rows-two-sheets.pdf")
    assert [(s.page_first, s.page_last) for s in r.sheets] == [(1, 2), (3, 6)]
    second = r.sheets[1]
    pages = {row["field"].split(".")[0]: row["page"] for row in field_rows(second)}
    assert pages["contribution_name"] == 3 and pages["criteria[1]"] == 4
    assert second.criteria[0].box.page == 4
    assert all(row["bottom"] < 709 for row in field_rows(second))    # y on the printed page


@pytest.mark.parametrize("spec_id", ["r1-unicef-covid", "r4-unhcr-refugees"])
def test_rows_without_rules_keep_their_text_at_a_page_foot(tmp_path, spec_id):
    # no rules, rows broken across pages: a page holds the rest of one row, a row centred on
    # its title and the beginning of the next row (its title overleaf); each row keeps its own
    from extract_testkit.render import DEFAULT
    from extract_testkit.producers import PRODUCERS
    from extract_testkit.specs import SPECS
    pdf = tmp_path / "a.pdf"
    PRODUCERS["reportlab"].render([SPECS[spec_id]], pdf, dict(DEFAULT, borders="none", split="word_span"))
    c = compare([SPECS[spec_id]], pdf)
    assert not c.lines, c.lines[:3]


def test_text_drawn_below_the_page_is_read_with_a_warning():
    # Calc keeps a row taller than the page whole and draws its last lines below the page's
    # bottom edge: the text is in the file (both readers give it), so it is read, and a
    # text_outside_page warning says that a viewer does not show it
    from extract.api import extract_pdf
    r = extract_pdf(FIXTURES / "libreoffice" / "calc-whole-row-below-page.pdf")
    warned = [(p.severity, p.field) for p in r.problems if p.code == "text_outside_page"]
    assert warned == [("warning", "criteria[1].text")]
    assert r.sheets[0].criteria[0].text.endswith("概ね計画どおりの進捗が確認されている。")
