#!/usr/bin/env python3
"""Render the producer fixtures: sheets printed by headless Chromium, exported by
LibreOffice, and samples printed again by Ghostscript's pdfwrite (a PDF printer), and review
sheets printed by Chromium and exported by LibreOffice Calc, committed so that the tests need
none of these programs.

    python tools/render_fixtures.py [--only NAME ...]

Writes tests/fixtures/producers/<producer>/<name>.pdf and, next to each, <name>.truth.json
({"file", "sheets": [specs], "render": {...}}, the corpus truth format): the truth is the spec
the file was rendered from (extract_testkit/robustness_specs.json), or the sample's truth.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from extract_testkit.producers import PRODUCERS
from extract_testkit.redistill import cairo_reprint, ghostscript, redistill
from extract_testkit.render_html import chromium
from extract_testkit.render_office import soffice
from extract_testkit.review_render import render_review
from extract_testkit.review_specs import render_calc_with_truth, render_chromium_with_truth, review_specs
from extract_testkit.specs import SPECS

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "producers"
H28, H29A, H29B = "h28-iom-trafficking", "h29-opcw-syria", "h29-who-health"
R1A, R1B, R4A, R4B = "r1-unicef-covid", "r1-fao-locust", "r4-unhcr-refugees", "r4-icc-victims"

# (producer, name, spec ids, style): every knob value of each producer at least once, and the
# cases issue 9 lists (narrow label column with top-aligned values, per-cell borders, no
# borders with shading, a table pushed to the next page, rows broken across pages).
CASES = [
    ("chromium", "noto-sans-a4-full", [R4A], {}),
    ("chromium", "label24-top-ipaex-mincho", [H28], {"label_mm": 24, "value_align": "top",
                                                     "font": "ipaex-mincho"}),
    ("chromium", "label28-top-noto-serif-b5", [R1A], {"label_mm": 28, "value_align": "top",
                                                      "font": "noto-serif", "page": "B5", "size": 9.5}),
    ("chromium", "segments-ipaex-gothic-letter", [H29A], {"borders": "segments", "font": "ipaex-gothic",
                                                          "page": "Letter", "label_mm": 32}),
    ("chromium", "horizontal-a4l", [R4B], {"borders": "horizontal", "page": "A4L", "label_mm": 55,
                                           "rating_mm": 18, "margin_mm": 10}),
    ("chromium", "none-shaded-noto-serif", [H28], {"borders": "none", "font": "noto-serif", "label_mm": 44}),
    ("chromium", "vertical-headers-segments", [R1B], {"vertical_headers": True, "borders": "segments",
                                                      "rating_mm": 12}),
    ("chromium", "letter-spaced", [R4A], {"spaced_labels": "letter", "label_mm": 38, "font": "ipaex-gothic"}),
    ("chromium", "distributed-ideographic", [H29B, R1A], {"spaced_labels": "distributed", "label_mm": 50,
                                                          "size": 11.0, "margin_mm": 20}),
    ("chromium", "whole-rows-table-next-page", [R4A], {"split": "whole", "page": "B5", "size": 11.0,
                                                       "label_mm": 32}),
    ("chromium", "break-top-no-borders", [H28], {"split": "break_top", "borders": "none", "size": 10.5,
                                                 "label_mm": 28}),
    ("chromium", "ideographic-unit-in-label", [H29A, R4B], {"spaced_labels": "ideographic",
                                                            "unit_in_label": True, "size": 9.0}),
    ("chromium", "whole-rows-two-sheets", [R4B, H28], {"page": "B5", "font": "noto-sans", "size": 9.0,
                                                       "label_mm": 38, "rating_mm": 12, "margin_mm": 20,
                                                       "borders": "none", "spaced_labels": "distributed",
                                                       "vertical_headers": True, "split": "whole",
                                                       "unit_in_label": True, "value_align": "top"}),
    # horizontal rules, rows broken across pages with a rule drawn at the top of each part: a
    # page inside criterion 1 holds that rule 0.4 pt above its first text and none below
    # (a row going on, not one whose title comes overleaf) (sweep chromium seed 62)
    ("chromium", "horizontal-break-top-page-inside-row", [R1A],
     {"page": "B5", "font": "noto-sans", "size": 10.5, "label_mm": 28, "rating_mm": 14, "margin_mm": 20,
      "borders": "horizontal", "spaced_labels": "ideographic", "vertical_headers": True, "split": "break_top",
      "unit_in_label": True, "value_align": "top", "seed": 2}),
    # the table moved to page 2 under a repeated header row whose 評価基準 wraps in a 24 mm
    # column: the wrapped header is no running header (furniture) (issue 9, sweep seed 2)
    ("chromium", "whole-rows-wrapped-header-label24", [R1A],
     {"page": "A4", "font": "noto-sans", "size": 9.5, "label_mm": 24, "rating_mm": 12, "margin_mm": 10,
      "borders": "segments", "spaced_labels": "ideographic", "vertical_headers": False, "split": "whole",
      "unit_in_label": False, "value_align": "top", "seed": 7}),
    ("chromium", "vertical-ideographic-label24", [R1B, H28], {"page": "A4L", "font": "ipaex-gothic",
                                                              "label_mm": 24, "rating_mm": 12, "margin_mm": 10,
                                                              "borders": "horizontal",
                                                              "spaced_labels": "ideographic",
                                                              "vertical_headers": True, "split": "break_top",
                                                              "unit_in_label": True, "value_align": "top"}),
    # horizontal rules only, a wide label column on B5: the 総合評価 box begins 0.6 em after
    # the organization's name, where the rules above and below end (sweep chromium 34-14)
    ("chromium", "horizontal-b5-rating-box-near-value", [H29A],
     {"page": "B5", "font": "ipaex-gothic", "size": 10.5, "label_mm": 55, "rating_mm": 12, "margin_mm": 20,
      "borders": "horizontal", "spaced_labels": "distributed", "vertical_headers": True, "split": "break",
      "unit_in_label": True, "value_align": "top", "seed": 7}),
    ("libreoffice", "ipaex-mincho-a4-full", [R4B], {}),
    ("libreoffice", "label24-top-noto-sans", [H28], {"label_mm": 24, "value_align": "top",
                                                     "font": "noto-sans"}),
    ("libreoffice", "label28-top-noto-serif-b5", [R1B], {"label_mm": 28, "value_align": "top",
                                                         "font": "noto-serif", "page": "B5"}),
    ("libreoffice", "horizontal-ipaex-gothic-letter", [H29B], {"borders": "horizontal",
                                                               "font": "ipaex-gothic", "page": "Letter"}),
    ("libreoffice", "none-shaded-a4l", [R4A], {"borders": "none", "page": "A4L", "label_mm": 55,
                                               "rating_mm": 18}),
    ("libreoffice", "vertical-headers-repeat", [R1A], {"vertical_headers": True, "repeat_header": True,
                                                       "rating_mm": 12, "margin_mm": 10}),
    ("libreoffice", "letter-spaced", [H29A], {"spaced_labels": "letter", "label_mm": 44}),
    ("libreoffice", "distributed", [R4A, H28], {"spaced_labels": "distributed", "label_mm": 32,
                                                "size": 11.0, "margin_mm": 20}),
    ("libreoffice", "whole-rows-table-next-page", [R4A], {"split": "whole", "page": "B5", "size": 11.0}),
    ("libreoffice", "break-top-no-borders", [H28], {"split": "break_top", "borders": "none",
                                                    "label_mm": 28, "size": 10.5}),
    ("libreoffice", "ideographic-unit-in-label", [R1B, H29B], {"spaced_labels": "ideographic",
                                                               "unit_in_label": True, "size": 9.0}),
    ("libreoffice", "calc-ipaex-gothic", [H29A, R4B], {"app": "calc", "font": "ipaex-gothic"}),
    ("libreoffice", "calc-label24-top", [R1B], {"app": "calc", "label_mm": 24, "value_align": "top",
                                                "font": "noto-serif", "size": 9.5}),
    ("libreoffice", "calc-vertical-distributed", [H28], {"app": "calc", "vertical_headers": True,
                                                         "spaced_labels": "distributed", "label_mm": 44}),
    ("libreoffice", "calc-none-shaded-a4l", [R4A], {"app": "calc", "borders": "none", "page": "A4L",
                                                    "label_mm": 44}),
    ("libreoffice", "calc-horizontal-letter-spaced", [R1B], {"app": "calc", "borders": "horizontal",
                                                             "spaced_labels": "letter", "page": "Letter"}),
    # 担　当　課 / ・　室　名: a distributed label wrapped so that its second line begins with
    # an ideographic space (issue 9, sweep seed 2)
    ("libreoffice", "writer-label24-wrapped-distributed", [R1B],
     {"app": "writer", "page": "B5", "font": "ipaex-mincho", "size": 9.0, "label_mm": 24, "rating_mm": 18,
      "margin_mm": 15, "borders": "horizontal", "spaced_labels": "ideographic", "vertical_headers": True,
      "split": "break", "repeat_header": False, "unit_in_label": True, "value_align": "top", "seed": 5}),
    # no borders, titles at the top of their rows: 【評価基準 / 4】 and 【評価基準 / 5】 wrap in a
    # 24 mm column with a narrow gap between them (issue 9, sweep seed 11)
    ("libreoffice", "calc-none-break-top-wrapped-number", [R1B, H29A],
     {"app": "calc", "page": "B5", "font": "noto-sans", "size": 10.0, "label_mm": 24, "rating_mm": 12,
      "margin_mm": 15, "borders": "none", "spaced_labels": "none", "vertical_headers": True,
      "split": "break_top", "repeat_header": True, "unit_in_label": True, "value_align": "middle", "seed": 2}),
    # rows kept whole, a row taller than the page: Calc draws its last lines below the page's
    # bottom edge; they are read (with a text_outside_page warning) (issue 9, sweep seed 11)
    ("libreoffice", "calc-whole-row-below-page", [R1A],
     {"app": "calc", "page": "Letter", "font": "noto-sans", "size": 11.0, "label_mm": 55, "rating_mm": 18,
      "margin_mm": 10, "borders": "full", "spaced_labels": "distributed", "vertical_headers": False,
      "split": "whole", "repeat_header": True, "unit_in_label": True, "value_align": "middle", "seed": 1}),
    # Writer breaks a row at the page foot and draws its last line just below the row's
    # bottom border there: that line is the row's, not the next one's (issue 9, sweep seed 11)
    ("libreoffice", "writer-last-line-past-border", [R4A],
     {"app": "writer", "page": "A4L", "font": "noto-serif", "size": 10.5, "label_mm": 38, "rating_mm": 18,
      "margin_mm": 10, "borders": "full", "spaced_labels": "distributed", "vertical_headers": False,
      "split": "whole", "repeat_header": True, "unit_in_label": True, "value_align": "top", "seed": 5}),
    # printed again through cairo (GTK's Print to File): Noto CJK's descriptor declares the
    # font's whole box (/Descent -1048), IPAex's Latin letters come from DejaVu (-235): a
    # kanji's box lay 0.8 em below a Latin letter's on the same line, so UNICEF国連児童基金()
    # and 令和 / 2 / 年度 came apart (libreoffice+cairo sweep 81, styles 13 and 15)
    ("libreoffice+cairo", "calc-ipaex-gothic-latin-beside-kanji", [R1B],
     {"app": "calc", "page": "B5", "font": "ipaex-gothic", "size": 11.0, "label_mm": 28, "rating_mm": 18,
      "margin_mm": 10, "borders": "full", "spaced_labels": "none", "vertical_headers": True,
      "split": "break_top", "repeat_header": True, "unit_in_label": True, "value_align": "middle", "seed": 6}),
    # rows kept whole, no borders: a row's one-line text at the top of a page beside its
    # seven-line title, after a row whose title sat 4.7 pt below its text's middle (a "rest"
    # of 9 pt, under a line): the line is the row's own (libreoffice sweep 84, style 22)
    ("libreoffice", "calc-none-whole-one-line-at-page-top", [H28, H29A],
     {"app": "calc", "page": "B5", "font": "ipaex-gothic", "size": 10.5, "label_mm": 24, "rating_mm": 12,
      "margin_mm": 10, "borders": "none", "spaced_labels": "distributed", "vertical_headers": True,
      "split": "whole", "repeat_header": False, "unit_in_label": False, "value_align": "middle", "seed": 0}),
    # ... and where that "rest" is two lines (29 pt): they lie beside the page's first
    # title, so they are its row's (rows do not overlap; libreoffice sweep 89, style 14)
    ("libreoffice", "calc-none-break-rest-beside-next-title", [H29B],
     {"app": "calc", "page": "A4L", "font": "noto-serif", "size": 11.0, "label_mm": 32, "rating_mm": 14,
      "margin_mm": 10, "borders": "none", "spaced_labels": "letter", "vertical_headers": True,
      "split": "break", "repeat_header": True, "unit_in_label": False, "value_align": "top", "seed": 5}),
    # no borders, texts at the top of their rows and titles centred: a one-line text begins
    # above its four-line title, then a wide gap; the rows are cut in that gap (sweep seed 11)
    ("libreoffice", "calc-none-top-text-above-title", [H29A],
     {"app": "calc", "page": "Letter", "font": "ipaex-gothic", "size": 11.0, "label_mm": 32, "rating_mm": 12,
      "margin_mm": 20, "borders": "none", "spaced_labels": "none", "vertical_headers": False,
      "split": "whole", "repeat_header": True, "unit_in_label": True, "value_align": "top", "seed": 5}),
]

# (fixture, source, truth), paths under tests/fixtures and the repository: the source printed
# again by Ghostscript; truth: the source's truth goes beside it (producers/ghostscript/)
REDISTILLED = [
    # its glyph boxes come out 1.6 pt lower: page 1 then holds no rule below its first text
    # (criterion 1 runs on to page 2), only the header's bottom rule 1.4 pt above it; a
    # ruled table's page inside one row, not a page without rules cut at paragraph gaps
    ("producers/ghostscript/r1-subitems-page-in-one-row.pdf", "samples/r1-subitems.pdf", True),
    # Ghostscript 10 re-encodes Chromium's fonts with a broken ToUnicode map: the kanji stay,
    # kana and Latin letters read as »ÿĀ (a garbled text layer, not another document)
    ("text-layer/chromium-reprinted-by-ghostscript.pdf",
     "tests/fixtures/producers/chromium/segments-ipaex-gothic-letter.pdf", False),
    # the same map on a review sheet: its kanji labels (事業番号, 事業名, 会計区分) are found,
    # and its values read 水産資源~回復x漁業 (a file that yields no sheet: garbled_text)
    ("text-layer/review-chromium-reprinted-by-ghostscript.pdf",
     "tests/fixtures/review-chromium/check-break-horizontal-letter.pdf", False),
]

# (fixture, review spec ids): review sheets drawn by review_render.py (reportlab: Japanese CID
# fonts named, not embedded, encoded UniJIS-UCS2-H), printed again by Ghostscript, which embeds
# a font for them with a ToUnicode map that gives the digits as letters (0 -> O) and nothing
# else: pdfminer reads (cid:N), pdfium the kanji right and the digits wrong
# (preflight._contradicted: both readers take it as garbled)
REDISTILLED_REVIEW = [
    ("text-layer/review-cid-fonts-reprinted-by-ghostscript.pdf", ["cao-r3-ibasho"]),
]

# (fixture, review spec ids, style): review sheets (行政事業レビューシート) printed by Chromium
# (extract_testkit/review_html.py); the truth file is review_sweep's (corpus-review/SPEC.md)
REVIEW = [
    # a page break inside the check table, full grid: the part of the 事業の効率性 cell on
    # page 1 is one row tall and Chromium wraps 事業の効 / 率性 past the table's last rule
    # (review sweep chromium 81, file 17: the page's item took the next page's group)
    ("review-chromium/check-break-full-b4.pdf", ["env-r4-datsutanso"],
     {"page": "B4", "font": "noto-sans", "label_mm": 30, "era_less": True, "furniture": True,
      "borders": "full", "check_break": True, "split": "break"}),
    # the same with horizontal rules only: the rows on the next page have no rule or fill on
    # the left of the items (the label column's fill is painted on page 1 only): their cells
    # reach the page's left edge (file 2: those items missing, with no problem row)
    ("review-chromium/check-break-horizontal-letter.pdf", ["maff-r2-gyoko"],
     {"page": "Letter", "font": "noto-sans", "label_mm": 34, "furniture": True, "borders": "horizontal",
      "check_break": True, "external_null": "empty", "split": "whole"}),
]

# Review sheets as LibreOffice Calc exports a worksheet (review_office.py), in the styles of the
# first Calc review sweep (seed 91) whose sheets came out wrong or incomplete.
REVIEW_CALC = [
    # Calc paints the label column and the header row's fill as one area cut into row bands:
    # the band edges cut 成果目標及び成果実 / 績 apart (file 11: both indicator tables missing)
    ("review-calc/fill-bands-b4.pdf", ["mext-h29-rikei"],
     {"page": "B4", "font": "ipaex-gothic", "label_mm": 27, "kangxi": "labels", "era_less": True,
      "long_overview": True, "external_null": "empty"}),
    # the check table's label cell cut by the page break: its text laid out around the middle of
    # the whole cell, 改善 below the part's bottom rule on page 1 (Noto's lines 1.5 sizes apart)
    # and drawn again on page 2, above the grid and inside it (file 13: the checks on page 2 lost)
    ("review-calc/label-cut-letter.pdf", ["env-h29-kaiyo"],
     {"page": "Letter", "font": "noto-sans", "label_mm": 34, "fake_bold": True, "kangxi": "all",
      "check_break": True}),
    # the label cell's part on page 2 one row tall, its whole text past the grid there, unseen
    # (file 0: the findings below the table on page 3 read as eight checks)
    ("review-calc/label-past-grid-a4.pdf", ["meti-h26-jigyosho"],
     {"page": "A4", "font": "noto-sans", "label_mm": 45, "era_less": True, "furniture": True,
      "long_overview": True, "check_break": True, "null_cell": "empty"}),
    # the 事業の効率性 group cell's part on page 1 one row tall, its text past the grid, no
    # side ruled beside it (file 39: three items given the next group, 事業の有効性)
    ("review-calc/group-past-grid-letter.pdf", ["mext-h29-rikei"],
     {"page": "Letter", "font": "noto-sans", "label_mm": 24, "kangxi": "labels", "era_less": True,
      "furniture": True, "null_cell": "empty"}),
    # the label cell's whole text drawn twice, in a sliver past the grid on page 1 and inside
    # its part on page 2 (seed 93, file 0: the checks on page 2 lost, no problem row)
    ("review-calc/label-twice-letter.pdf", ["meti-h26-jigyosho"],
     {"page": "Letter", "font": "ipaex-gothic", "label_mm": 45, "kangxi": "all", "era_less": True,
      "long_overview": True, "check_break": True, "external_null": "empty"}),
    # a 58 mm label column: the activity table cut by the page break between an indicator's
    # two rows, its name cell on page 1, its 当初見込み row on page 2 with no name beside it
    # (label widths 20-60 sweep, file 8: that indicator's targets missing, no problem row)
    ("review-calc/indicator-cut-letter.pdf", ["maff-h27-choju"],
     {"page": "Letter", "font": "noto-serif", "label_mm": 58, "fake_bold": True, "kangxi": "labels",
      "era_less": True}),
    # 18 mm margins: an indicator's name cell cut at the page foot, the page number in the
    # margin right under it (margins 6-25 mm sweep, file 16: the name read as ...市町村数-1-)
    ("review-calc/name-over-page-number-a4.pdf", ["maff-h27-choju"],
     {"page": "A4", "font": "noto-serif", "label_mm": 52, "era_less": True, "furniture": True,
      "check_break": True, "margin_mm": 18.0}),
    # horizontal rules only (a known limitation: one fill painted across the header row's
    # cells, no column edge in the tables): the budget, indicator and check tables are left
    # empty with `missing_table` (the check rows were read with their ratings in the notes)
    ("review-calc/horizontal-rules-a4.pdf", ["cao-r3-ibasho"], {"borders": "horizontal"}),
]
# Calc's review sheets printed again by a PDF printer (Calc sweep 94 reprinted), which keeps
# only the glyphs that show: the lines of a cut merged cell laid past its part are gone or
# mangled (dest, spec ids, style, "gs" | "cairo").
REVIEW_CALC_REPRINTED = [
    # 事業所管部局による点検・改 at the foot of page 2, 善 at the top of page 3 (file 5:
    # the check table not found)
    ("review-calc/gs-label-cut-a4.pdf", ["meti-h26-jigyosho"],
     {"page": "A4", "font": "ipaex-mincho", "label_mm": 38, "kangxi": "all", "furniture": True,
      "long_overview": True, "check_break": True, "null_cell": "empty"}, "gs"),
    # 事業の (a start of two groups) at the foot of page 2, 事業の効率性 above the grid on page
    # 3 (file 24: 事業の read as an item, its item given 事業の有効性)
    ("review-calc/gs-group-cut-letter.pdf", ["mofa-h28-bunka"],
     {"page": "Letter", "font": "noto-sans", "label_mm": 45, "era_less": True, "long_overview": True,
      "check_break": True, "null_cell": "empty", "external_null": "empty"}, "gs"),
    # the label's unseen lines kept without their ・ (点検改善), its group's text only on page
    # 2, above the grid (file 14: the check table not found, then items given the next group)
    ("review-calc/cairo-label-mangled-letter.pdf", ["mofa-h28-bunka"],
     {"page": "Letter", "font": "noto-serif", "label_mm": 27, "fake_bold": True, "kangxi": "all",
      "check_break": True, "null_cell": "empty"}, "cairo"),
    # the label's copy on page 2 lies across the grid's top rule: 所管 below it, the rest of its
    # line above (sweep 96 reprinted, file 6: the check rows of page 2 lost, no problem row)
    ("review-calc/gs-label-across-top-rule-a4.pdf", ["env-h29-kaiyo"],
     {"page": "A4", "font": "ipaex-gothic", "label_mm": 34, "furniture": True, "long_overview": True,
      "check_break": True}, "gs"),
    # Takao P Mincho: the group cell 事業の効 / 率性 cut by the break, Ghostscript keeps 事業の
    # 率 (効 left out): no group name, it was read as a check item (fonts sweep 22 reprinted,
    # file 2: an invented check row)
    ("review-calc/gs-group-piece-takao-a4.pdf", ["maff-r2-gyoko"],
     {"page": "A4", "font": "takao-pmincho", "label_mm": 30, "kangxi": "labels", "era_less": True,
      "long_overview": True, "check_break": True, "external_null": "empty"}, "gs"),
]


def _redistill(dest: str, source: str, truth: bool) -> None:
    out = OUT.parent / dest
    out.parent.mkdir(parents=True, exist_ok=True)
    redistill(ROOT / source, out)
    if truth:
        sheets = json.loads((ROOT / source).with_suffix(".truth.json").read_text("utf-8"))["sheets"]
        _write_truth(out, sheets, {"producer": "ghostscript pdfwrite", "from": source})
    print(dest, out.stat().st_size)


def _redistill_review(dest: str, ids: list[str]) -> None:
    out = OUT.parent / dest
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.stem + ".reportlab.pdf")
    render_review([review_specs()[i] for i in ids], tmp)
    redistill(tmp, out)
    tmp.unlink()
    print(dest, out.stat().st_size)


def _render_review(dest: str, ids: list[str], style: dict, render=render_chromium_with_truth) -> None:
    out = OUT.parent / dest
    out.parent.mkdir(parents=True, exist_ok=True)
    specs = review_specs()
    render([specs[i] for i in ids], out, style)
    print(dest, out.stat().st_size)


def _calc_reprinted(how: str):
    """render_calc_with_truth, the PDF then printed again by Ghostscript or cairo."""
    def render(specs: list[dict], out: Path, style: dict):
        tmp = out.with_name(out.stem + ".calc.pdf")
        render_calc_with_truth(specs, tmp, style)
        (redistill if how == "gs" else cairo_reprint)(tmp, out)
        truth_of = tmp.with_name(tmp.stem + ".truth.json")
        truth = json.loads(truth_of.read_text("utf-8"))
        truth["file"], truth["render"]["reprint"] = out.name, how
        out.with_suffix(".truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", "utf-8")
        truth_of.unlink()
        tmp.unlink()
    return render


def _write_truth(pdf: Path, sheets: list[dict], render: dict) -> None:
    """<name>.truth.json beside pdf, in the corpus truth format."""
    truth = {"file": pdf.name, "sheets": sheets, "render": render}
    pdf.with_suffix(".truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", "utf-8")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", nargs="*", help="names to render (default: all)")
    a = ap.parse_args(argv)
    for producer, name, ids, style in CASES:
        if a.only and name not in a.only and f"{producer}/{name}" not in a.only:
            continue
        prod = PRODUCERS[producer]
        if not prod.available():
            print(f"skip {producer}/{name}: {producer} is not installed", file=sys.stderr)
            continue
        folder = OUT / producer
        folder.mkdir(parents=True, exist_ok=True)
        specs = [SPECS[i] for i in ids]
        prod.render(specs, folder / f"{name}.pdf", style)
        _write_truth(folder / f"{name}.pdf", specs, {"producer": producer, "style": style})
        print(f"{producer}/{name}.pdf", (folder / f"{name}.pdf").stat().st_size)
    review = [(dest, chromium, "chromium", lambda d=dest, i=ids, st=style: _render_review(d, i, st))
              for dest, ids, style in REVIEW]
    review += [(dest, soffice, "LibreOffice (soffice)",
                lambda d=dest, i=ids, st=style: _render_review(d, i, st, render_calc_with_truth))
               for dest, ids, style in REVIEW_CALC]
    review += [(dest, soffice, "LibreOffice (soffice)",
                lambda d=dest, i=ids, st=style, how=how: _render_review(d, i, st, _calc_reprinted(how)))
               for dest, ids, style, how in REVIEW_CALC_REPRINTED]
    again = [(dest, ghostscript, "Ghostscript (gs)", lambda d=dest, s=source, t=truth: _redistill(d, s, t))
             for dest, source, truth in REDISTILLED]
    again += [(dest, ghostscript, "Ghostscript (gs)", lambda d=dest, i=ids: _redistill_review(d, i))
              for dest, ids in REDISTILLED_REVIEW]
    for dest, program, what, make in review + again:
        if a.only and Path(dest).stem not in a.only and dest not in a.only:
            continue
        if program() is None:
            print(f"skip {dest}: {what} is not installed", file=sys.stderr)
            continue
        make()
    return 0


if __name__ == "__main__":
    sys.exit(main())
