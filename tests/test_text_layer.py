"""Text layers that are not the visible text (issue 9): /ActualText spans and the code points
producers write for one another. The PDFs are written byte by byte (extract_testkit/rawpdf.py),
so the text layer holds exactly the code points under test."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest

from extract.layout import Index
from extract.model import Page, glyph_rows
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
    # radicals fold to their (Japanese) ideographs, the wave dash to "~" and the hyphenation
    # point ‧ (one glyph with ・ in CJK fonts) to ・ whatever the producer
    pdf = text_layer_pdf(tmp_path / "a.pdf", [[Run(layer)] for _, layer in VARIANTS])
    lines, _ = _lines(pdf)
    assert lines == ["分担金・拠出金の名称", "2014年~", "長民西戸", "日行", "担当課・室名"]


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


# --- characters without Unicode inside a readable page ---------------------------------------

from hypothesis import given, strategies as st  # noqa: E402

from extract import extract_pdf  # noqa: E402
from extract.provenance import field_rows  # noqa: E402
from extract.textlayer import GARBLED_SHARE, unmapped  # noqa: E402

# Headless Chromium printing a sheet on a machine without a Japanese font: every kanji and
# kana is glyph 0 of DejaVu Sans (a tofu box on the page); Chromium gives each its character
# in an /ActualText span except the first glyph of each text run, which has none: (cid:0).
TOFU = Path(__file__).parent / "fixtures" / "text-layer" / "chromium-without-japanese-font.pdf"


def _values(result) -> list[str]:
    out = [v for s in result.sheets for v in s.fields.values() if isinstance(v, str)]
    out += [v for s in result.sheets for c in s.criteria for v in (c.label, c.rating, c.text) if v]
    return out


@pytest.mark.parametrize("reader", ["pdfplumber", "pdfium"])
def test_values_with_characters_without_unicode_are_left_empty_and_said(reader):
    r = extract_pdf(TOFU, reader=reader)
    [sheet] = r.sheets
    with open_pdf(TOFU) as pdf:
        [page] = list(iter_pages(pdf))
    assert 0 < page.n_garbled < GARBLED_SHARE * len(page.glyphs)    # a readable page on the whole
    assert not [v for v in _values(r) if unmapped(v)]
    assert not [row for row in field_rows(sheet) if unmapped(row["value"])]
    said = {p.field for p in r.problems if p.code == "unmapped_text"}
    assert {"contribution_name", "bureau", "division", "budget_jpy", "criteria[2].label"} <= said
    for name in ("contribution_name", "bureau", "division", "budget_jpy", "budget_label"):
        assert sheet.fields[name] is None, name
    # what the text layer does tell stays: the year, the overall rating, a whole criterion
    assert sheet.fields["fiscal_year"] == 2025 and sheet.fields["overall_rating"] == "B"
    c3 = next(c for c in sheet.criteria if c.no == 3)
    assert c3.text.startswith("・基金の事務局は裁判所書記局と一体的に運営されているが")
    c2 = next(c for c in sheet.criteria if c.no == 2)
    assert c2.label is None and c2.canonical == "activity_outcomes"
    # one row per value, never a missing_field beside it
    assert not {p.field for p in r.problems if p.code != "unmapped_text"} & said


@given(st.lists(st.text(alphabet=st.characters(blacklist_characters="\ufffd(")), max_size=6),
       st.lists(st.sampled_from(["(cid:0)", "(cid:1234)", "\ufffd"]), max_size=6))
def test_unmapped_counts_the_marks_of_the_readers(parts, marks):
    text = "".join(p + m for p, m in zip(parts, marks)) + "".join(parts[len(marks):])
    assert unmapped(text) == min(len(parts), len(marks))
    assert unmapped("".join(parts)) == 0


def test_pdfminer_warnings_of_the_pdfium_readers_preflight_are_counted_not_printed(tmp_path, capfd, caplog):
    # the pdfium reader walks the file with pdfminer first (preflight.py): an xref entry whose
    # offset is not a number makes pdfminer warn "Not adding object ... to xref" (pdfium
    # rebuilds the table and reads the page)
    from extract.readers import read_pdf
    pdf = text_layer_pdf(tmp_path / "a.pdf", [[Run("予算額")]])
    data = pdf.read_bytes()
    xref = data.index(b"xref")
    entry = data.rindex(b" 00000 n ", xref)         # the last object's entry
    assert data[entry - 10:entry].isdigit()
    pdf.write_bytes(data[:entry - 3] + b"x" + data[entry - 2:])      # same length
    with caplog.at_level(logging.INFO, logger="extract.pdf"):
        [page] = read_pdf(pdf, reader="pdfium")
    assert "".join(g.text for g in page.glyphs) == "予算額"
    out, err = capfd.readouterr()
    assert "to xref" not in err and "to xref" not in out
    [summary] = [r.getMessage() for r in caplog.records if r.name == "extract.pdf"]
    assert "a.pdf" in summary and "Not adding object" in summary


def test_a_rating_without_unicode_is_said_so_not_called_invalid():
    """The overall rating's cell read as (cid:7): not a rating off the scale (invalid_value)
    but one the text layer cannot tell (unmapped_text)."""
    from extract.header_values import HeaderDraft, typed_fields
    from extract.parsers import Raw
    from extract.rules import evaluation_templates, load_rules
    t = next(t for t in evaluation_templates(load_rules()) if t.id == "r4")
    name = next(f.name for f in t.fields.values() if f.parser == "rating")
    draft = HeaderDraft(raw={name: Raw("(cid:7)")})
    typed = typed_fields(draft, t, 0)
    assert typed.values[name] is None
    assert [(p.code, p.field) for p in typed.problems if p.field == name] == [("unmapped_text", name)]


# Ghostscript 10 printing a Chromium sheet again (tools/render_fixtures.py): its ToUnicode map
# keeps the kanji and gives Latin-1 signs and accented letters for the kana (国際機関等へ~拠出
# ⾦等{対す»評価), so no label is found.
REPRINTED = Path(__file__).parent / "fixtures" / "text-layer" / "chromium-reprinted-by-ghostscript.pdf"


@pytest.mark.parametrize("reader", ["pdfplumber", "pdfium"])
def test_a_text_layer_of_kanji_and_latin_signs_is_garbled_not_another_document(reader):
    from extract.readers import read_pdf
    from extract.textlayer import LATIN_SHARE, looks_garbled, text_counts
    counts = text_counts(read_pdf(REPRINTED, reader=reader))
    assert counts.cjk > 0.4 * counts.chars and counts.latin > LATIN_SHARE * counts.chars
    assert looks_garbled(counts)
    r = extract_pdf(REPRINTED, reader=reader)
    assert not r.sheets and [p.code for p in r.problems] == ["garbled_text"]


# The same reprint of a review sheet (tools/render_fixtures.py): its labels are kanji
# (事業番号, 事業名, 会計区分), so the cells were found and the values read as the map gives
# them (水産資源~回復x漁業 for 水産資源の回復と漁業), beside a file-wide garbled_text error.
REVIEW_REPRINTED = Path(__file__).parent / "fixtures" / "text-layer" / "review-chromium-reprinted-by-ghostscript.pdf"


@pytest.mark.parametrize("reader", ["pdfplumber", "pdfium"])
def test_a_review_sheet_whose_text_reads_as_symbols_yields_no_sheet(reader):
    """A file that fails yields problem rows and no sheet (OUTPUT_SCHEMA.md): no value read
    from a layer whose kana are Latin signs, however many of its kanji are right."""
    r = extract_pdf(REVIEW_REPRINTED, reader=reader)
    assert not r.sheets and not r.cell_sheets and [p.code for p in r.problems] == ["garbled_text"]


def _page_of(texts: list[str]) -> Page:
    n = len(texts)
    return Page(1, 595.0, 842.0, glyph_rows(texts, texts, [0.0] * n, [1.0] * n, [0.0] * n, [1.0] * n, [1.0] * n), [])


@given(st.lists(st.lists(st.text(max_size=3), max_size=20), max_size=3))
def test_text_counts_count_as_the_characters_say(pages):
    """text_counts counts code points in numpy; the definition is per character."""
    from extract.textlayer import LATIN_LAST, text_counts
    text = "".join(t for page in pages for t in page)
    want = (len(text), sum(ord(ch) >= 0x3000 for ch in text),
            sum(ch.isascii() and not ch.isalnum() and not ch.isspace() for ch in text),
            sum(0x80 <= ord(ch) <= LATIN_LAST for ch in text))
    assert tuple(text_counts([_page_of(p) for p in pages])) == want


# A review sheet drawn with Japanese CID fonts that are named, not embedded (UniJIS-UCS2-H:
# the code is the code point), printed again by Ghostscript: it embeds a font with a ToUnicode
# map that gives the digits as letters (0 -> O) and nothing else (tools/render_fixtures.py).
CID_REPRINTED = Path(__file__).parent / "fixtures" / "text-layer" / "review-cid-fonts-reprinted-by-ghostscript.pdf"


@pytest.mark.parametrize("reader", ["pdfplumber", "pdfium"])
def test_a_tounicode_map_against_its_unicode_encoding_is_garbled_text(reader):
    """pdfminer reads no character of such a font ((cid:N)); pdfium reads the kanji by the
    encoding and the digits by the map (平成QU年 for 平成28年): its values would hold letters
    for digits, unsaid. Both readers take the font's text as unmapped (preflight._contradicted)."""
    r = extract_pdf(CID_REPRINTED, reader=reader)
    assert not r.sheets and not r.cell_sheets and [p.code for p in r.problems] == ["garbled_text"]


def test_preflight_finds_the_font_whose_map_contradicts_its_encoding():
    from extract.preflight import preflight
    assert preflight(CID_REPRINTED).contradicted == {"HeiseiMin-W3"}
    assert not preflight(REPRINTED).contradicted         # Chromium's fonts: Identity-H
    samples = Path(__file__).resolve().parents[1] / "samples"
    assert not any(preflight(p).contradicted for p in sorted(samples.glob("*.pdf")))


@pytest.mark.parametrize("sample", ["not-a-sheet.pdf", "r4-unv-kangxi.pdf", "h29-opcw-syria-word.pdf"])
def test_japanese_text_with_a_few_latin_signs_is_not_garbled(sample):
    from extract.readers import read_pdf
    from extract.textlayer import looks_garbled, text_counts
    samples = Path(__file__).resolve().parents[1] / "samples"
    assert not looks_garbled(text_counts(read_pdf(samples / sample, reader="pdfium")))


@given(st.integers(0, 400), st.integers(0, 400), st.integers(0, 40))
def test_latin_letters_make_a_text_garbled_past_their_share(japanese, latin, ascii_sym):
    from extract.textlayer import LATIN_SHARE, TextCounts, looks_garbled
    n = japanese + latin + ascii_sym
    counts = TextCounts(n, japanese, ascii_sym, latin)
    if n >= 50 and latin > LATIN_SHARE * n:
        assert looks_garbled(counts)
    elif n >= 50 and japanese >= 0.2 * n:
        assert not looks_garbled(counts)
