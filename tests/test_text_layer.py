"""Text layers that are not the visible text (issue 9): /ActualText spans and the code points
producers write for one another. The PDFs are written byte by byte (extract_testkit/rawpdf.py),
so the text layer holds exactly the code points under test."""
from __future__ import annotations

import logging

import pytest

from extract.layout import Index
from extract.model import Page
from extract.normalize import normalize_text
from extract.pdf import iter_pages, open_pdf
from extract_testkit.rawpdf import Run, text_layer_pdf

# (what the page shows, what the font's ToUnicode map gives for the same glyph)
VARIANTS = [
    ("分担金・拠出金の名称", "分担金‧拠出金の名称"),      # U+2027 HYPHENATION POINT
    ("2014年～", "2014年〜"),                           # U+301C WAVE DASH
    ("長民西戸", "⻑⺠⻄⼾"),                             # CJK Radicals Supplement / Kangxi
    ("日行", "⽇⾏"),                                    # Kangxi radicals
    ("担当課・室名", "担当課･室名"),                      # U+FF65 halfwidth middle dot
]


def _lines(path) -> tuple[list[str], Page]:
    with open_pdf(path) as pdf:
        pages = list(iter_pages(pdf))
    return [ln.text for ln in Index(pages[0].glyphs, pages[0].rulings).lines], pages[0]


def _spanned(shown: str, layer: str, named: bool = False) -> list[Run]:
    """One span per differing character, as Chromium writes them."""
    return [Run(b, a if a != b else None, named=named) for a, b in zip(shown, layer)]


@pytest.mark.parametrize("shown,layer", VARIANTS, ids=[v[0] for v in VARIANTS])
@pytest.mark.parametrize("named", [False, True], ids=["inline", "named"])
def test_actual_text_gives_the_visible_text(tmp_path, shown, layer, named):
    pdf = text_layer_pdf(tmp_path / "a.pdf", [_spanned(shown, layer, named)])
    lines, page = _lines(pdf)
    assert lines == [normalize_text(shown)]
    assert "".join(g.raw for g in page.glyphs) == shown      # raw is what the span says


def test_without_actual_text_the_layer_is_read_as_given(tmp_path):
    # radicals fold to their (Japanese) ideographs and the wave dash to "~" whatever the
    # producer; a middle dot variant stays what the page gives (values are not rewritten)
    pdf = text_layer_pdf(tmp_path / "a.pdf", [[Run(layer)] for _, layer in VARIANTS])
    lines, _ = _lines(pdf)
    assert lines == ["分担金‧拠出金の名称", "2014年~", "長民西戸", "日行", "担当課・室名"]


def test_a_span_over_several_glyphs(tmp_path):
    pdf = text_layer_pdf(tmp_path / "a.pdf", [
        [Run("AB", "ab")],            # as many characters as glyphs: one each
        [Run("ﬁ", "fi")],            # one glyph, two characters (a ligature)
        [Run("xyz", "Q")],            # fewer characters: the first glyph takes them
        [Run("gone", ""), Run("kept")],  # empty /ActualText: the glyphs carry no text
    ])
    lines, page = _lines(pdf)
    assert lines == ["ab", "fi", "Q", "kept"]
    q = next(g for g in page.glyphs if g.text == "Q")
    assert q.x1 - q.x0 == pytest.approx(3 * 12.0, abs=0.5)   # the box of the whole span


def test_the_outermost_actual_text_wins(tmp_path):
    pdf = text_layer_pdf(tmp_path / "a.pdf", [[Run("‧", "・", inner="x")]])
    lines, _ = _lines(pdf)
    assert lines == ["・"]


def test_labels_are_found_across_middle_dot_variants_on_the_page(tmp_path):
    pdf = text_layer_pdf(tmp_path / "a.pdf", [[Run("分担金‧拠出金の名称")]])
    with open_pdf(pdf) as doc:
        page = next(iter_pages(doc))
    assert Index(page.glyphs, page.rulings).find("分担金・拠出金の名称")


def test_pdfminer_warnings_are_counted_not_printed(tmp_path, capfd, caplog):
    # a font descriptor without /FontBBox, as Chromium writes them: pdfminer warns once per font
    pdf = text_layer_pdf(tmp_path / "a.pdf", [[Run("予算額")]], font_bbox=False)
    with caplog.at_level(logging.INFO, logger="extract.pdf"):
        lines, _ = _lines(pdf)
    assert lines == ["予算額"]
    out, err = capfd.readouterr()
    assert "FontBBox" not in err and "FontBBox" not in out
    summaries = [r for r in caplog.records if r.name == "extract.pdf"]
    assert len(summaries) == 1 and "a.pdf" in summaries[0].getMessage()
    assert "FontBBox" in summaries[0].getMessage() and "warning" in summaries[0].getMessage()
