"""Open a PDF and turn each page into glyphs and ruling lines; closes what it opens."""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator

import pdfplumber
from pdfminer.pdffont import PDFType3Font
from pdfminer.pdfinterp import PDFResourceManager

from .logs import collect_warnings
from .marked import apply_actual_text, marked
from .model import Glyph, Page, Ruling
from .normalize import dedupe_chars
from .pdf_common import PdfError, classify, is_garbled_char, line_descent, norm_char, rulings_from, type3_descent


@contextlib.contextmanager
def open_pdf(path: str | Path, password: str | None = None) -> Iterator[pdfplumber.PDF]:
    """Open with pdfplumber and map its many failure types onto our problem codes.
    pdfminer's warnings while the file is open are counted, not printed (logs.py).

    A password that does not fit is tried without: a PDF with only an owner password
    (printing or copying restricted) opens without one, whatever --password says."""
    with collect_warnings(Path(path).name):
        try:
            pdf = _open(path, password or "")
        except PdfError as err:
            if not password or err.code != "encrypted":
                raise
            pdf = _open(path, "")
        try:
            yield pdf
        finally:
            pdf.close()


class _Fonts(PDFResourceManager):
    """pdfminer's fonts, each descent as pdf_common.line_descent reads it (this PDF's only);
    a Type3 font's as pdf_common.type3_descent (as preflight declares it to the pdfium reader)."""

    def get_font(self, objid, spec):
        font = super().get_font(objid, spec)
        if not font.vscale:
            return font
        d = font.get_descent()
        if isinstance(font, PDFType3Font):
            d = type3_descent(font.bbox[1], font.bbox[3], font.vscale)
        if line_descent(d) != font.get_descent():
            font.descent = line_descent(d) / font.vscale
        return font


def _open(path: str | Path, password: str) -> pdfplumber.PDF:
    try:
        pdf = pdfplumber.open(path, password=password)
        pdf.rsrcmgr = _Fonts()
        _ = pdf.pages  # forces the page tree to be parsed
    except Exception as exc:  # pdfminer raises a zoo of types for broken files
        raise classify(exc) from exc
    return pdf


def _rulings(page) -> list[Ruling]:
    return rulings_from(page.lines, page.rects, page.curves)


def read_page(page) -> Page:
    """Glyphs (with their /ActualText where the page gives one) and ruling lines of a
    pdfplumber page."""
    page = marked(page)
    chars = dedupe_chars(apply_actual_text(page.chars))
    glyphs = []
    garbled = 0
    for c in chars:
        raw = c.get("text") or ""
        if is_garbled_char(raw):
            garbled += 1
        text = norm_char(raw)
        if not text.strip():
            continue
        glyphs.append(Glyph(text, raw, float(c["x0"]), float(c["x1"]), float(c["top"]),
                            float(c["bottom"]), float(c.get("size") or (c["bottom"] - c["top"]))))
    return Page(page.page_number, float(page.width), float(page.height), glyphs, _rulings(page),
                n_images=len(page.images), n_garbled=garbled)


def iter_pages(pdf: pdfplumber.PDF) -> Iterator[Page]:
    """Read pages one by one and drop pdfplumber's per-page caches as we go."""
    for plain in pdf.pages:
        page = marked(plain)
        try:
            yield read_page(page)
        finally:
            page.close()
            plain.close()
