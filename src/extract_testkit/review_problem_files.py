"""Review-family PDFs that must give a problem and no sheet, as dev_09 / dev_10 of the dev set:

    render_scanned(specs, path, style)   a sheet printed and scanned: pages are images only
                                         (expect_problem no_text_layer)
    render_not_a_sheet(path, year)       a review-related document that is not a sheet: the
                                         集計表 of how the review was reflected in the budget
                                         request (expect_problem unknown_template)

Both return the truth document (the format of ../shared/corpus-review/SPEC.md).
"""
from __future__ import annotations

import io
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pypdfium2
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

from .review_render import FONTS, LABEL_FILL, RULE_WIDTH, ReviewStyle, era_year, render_review

SCAN_DPI = 100
SCAN_GREY = 250          # the paper of a scan is not quite white
MINISTRIES = ["内閣府", "外務省", "財務省", "文部科学省", "厚生労働省", "農林水産省", "経済産業省",
              "国土交通省", "環境省"]
SUMMARY_HEADS = ["所管", "点検対象事業数", "「廃止」事業数", "「廃止」反映額", "「縮減」事業数",
                 "「縮減」反映額", "「執行等改善」事業数", "（参考）要求額"]
SUMMARY_NOTES = ["（注１）該当する事業がない欄は「-」とし、減額は「▲」で示している。",
                 "（注２）点検対象事業数は、前年度に実施した事業の数であり、新規事業を含まない。",
                 "（注３）「執行等改善」は、要求額には反映しないものの、執行方法の見直し等を行う事業をいう。"]


def render_scanned(specs: list[dict], path, style: dict | ReviewStyle | None = None) -> dict:
    """Render `specs`, then keep only a raster image of each page (no text layer)."""
    st = style if isinstance(style, ReviewStyle) else ReviewStyle.from_dict(style)
    with tempfile.TemporaryDirectory() as tmp:
        clean = Path(tmp) / "clean.pdf"
        render_review(specs, clean, st)
        _rasterize(clean, Path(path))
    return {"file": Path(path).name, "sheets": [], "expect_problem": "no_text_layer",
            "source_specs": [s["id"] for s in specs],
            "render": {"renderer": "extract_testkit.review_problem_files", "scanned": True, **st.as_dict()}}


def _rasterize(src: Path, dest: Path) -> None:
    doc = pypdfium2.PdfDocument(str(src))
    try:
        w0, h0 = doc[0].get_size()
        c = canvas.Canvas(str(dest), pagesize=(w0, h0))
        for i in range(len(doc)):
            page = doc[i]
            w, h = page.get_size()
            img = page.render(scale=SCAN_DPI / 72, grayscale=True).to_pil()
            img = img.point(lambda v: min(v, SCAN_GREY))
            buf = io.BytesIO()
            img.save(buf, format="PNG")
            buf.seek(0)
            c.setPageSize((w, h))
            c.drawImage(ImageReader(buf), 0, 0, width=w, height=h)
            c.showPage()
        c.save()
    finally:
        doc.close()


@dataclass(frozen=True)
class SummaryRow:
    ministry: str
    counts: tuple[int, int, int, int]        # 点検対象, 廃止, 縮減, 執行等改善
    cuts: tuple[int, int]                    # 廃止反映額, 縮減反映額 (百万円, negative)
    request: int


def summary_rows(rnd: random.Random) -> list[SummaryRow]:
    rows = []
    for m in MINISTRIES:
        n = rnd.randint(120, 1200)
        rows.append(SummaryRow(m, (n, rnd.randint(0, 9), rnd.randint(5, 50), rnd.randint(20, 260)),
                               (-rnd.randint(0, 3000), -rnd.randint(90, 9900)), rnd.randint(400_000, 31_000_000)))
    return rows


def _cells(r: SummaryRow) -> list[str]:
    n, ab, cut, imp = r.counts
    def amount(v: int) -> str:
        return "-" if v == 0 else ("▲" if v < 0 else "") + f"{abs(v):,}"
    return [r.ministry, f"{n:,}", f"{ab}" if ab else "-", amount(r.cuts[0]) if ab else "-",
            f"{cut}", amount(r.cuts[1]), f"{imp:,}", f"{r.request:,}"]


def render_not_a_sheet(path, year: int = 2016, seed: int = 0, font: str = "min") -> dict:
    """One landscape page: the 集計表 of a review year, a table of numbers that is no sheet."""
    rnd = random.Random(seed)
    face = FONTS[font]
    W, H = landscape(A4)
    c = canvas.Canvas(str(path), pagesize=(W, H))
    left, top = 20 * mm, 28 * mm
    c.setFont(face, 8)
    c.drawString(left, H - top, "様式５")
    title = (f"{era_year(year, year).removesuffix('度')}行政事業レビューの点検結果の"
             f"{era_year(year + 1, year)}予算概算要求への反映状況（集計表）")
    c.setFont(face, 11)
    c.drawString(left, H - top - 16, title)
    c.setFont(face, 8)
    c.drawRightString(W - left, H - top - 26, "（単位：事業、百万円）")
    rows = summary_rows(rnd)
    widths = [50 * mm] + [(W - 2 * left - 50 * mm) / 7] * 7
    y = top + 36
    table = [SUMMARY_HEADS] + [_cells(r) for r in rows] + [_total(rows)]
    for k, cells in enumerate(table):
        kind = "head" if k == 0 else "total" if k == len(table) - 1 else "body"
        _summary_row(c, face, H, left, y, widths, cells, kind)
        y += 28
    for i, note in enumerate(SUMMARY_NOTES):
        c.drawString(left, H - (y + 14 + i * 12), note)
    c.showPage()
    c.save()
    return {"file": Path(path).name, "sheets": [], "expect_problem": "unknown_template",
            "render": {"renderer": "extract_testkit.review_problem_files", "not_a_sheet": True,
                       "year": year, "seed": seed, "font": font}}


def _total(rows: list[SummaryRow]) -> list[str]:
    tot = SummaryRow("合計", tuple(sum(r.counts[i] for r in rows) for i in range(4)),
                     tuple(sum(r.cuts[i] for r in rows) for i in range(2)), sum(r.request for r in rows))
    return _cells(tot)


def _summary_row(c, face: str, H: float, left: float, y: float, widths: list[float],
                 cells: list[str], kind: str) -> None:
    """One row of the 集計表; kind: head (all cells shaded, centred), total (first cell shaded)
    or body."""
    x, h, size = left, 28, 8
    for i, (w, s) in enumerate(zip(widths, cells)):
        shaded = kind == "head" or (kind == "total" and i == 0)
        if shaded:
            c.setFillColorRGB(*LABEL_FILL)
            c.rect(x, H - y - h, w, h, stroke=0, fill=1)
            c.setFillGray(0)
        c.setLineWidth(RULE_WIDTH)
        c.rect(x, H - y - h, w, h, stroke=1, fill=0)
        c.setFont(face, size)
        sw = pdfmetrics.stringWidth(s, face, size)
        if shaded:
            tx = x + (w - sw) / 2
        elif i == 0:
            tx = x + 3
        else:
            tx = x + w - 3 - sw
        c.drawString(tx, H - y - 17, s)
        x += w
