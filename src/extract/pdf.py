"""Open a PDF and turn each page into glyphs and ruling lines; closes what it opens."""
from __future__ import annotations

import contextlib
import functools
import re
from pathlib import Path
from typing import Iterator

import pdfplumber

from .logs import collect_warnings
from .marked import apply_actual_text, marked
from .model import Glyph, Page, Ruling
from .normalize import dedupe_chars, normalize_text

# A rect thinner than this is a line drawn as a rectangle.
_THIN = 2.0


class PdfError(Exception):
    """A file that cannot be read as a PDF; `code` is the problem code."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def classify(exc: BaseException) -> PdfError:
    seen = []
    e: BaseException | None = exc
    while e is not None and e not in seen:
        seen.append(e)
        e = e.__cause__ or e.__context__ or (e.args[0] if e.args and isinstance(e.args[0], BaseException) else None)
    if any(isinstance(x, MemoryError) for x in seen):
        return PdfError("memory_limit", "Reading the PDF needed more memory than allowed; the "
                        "file may be a decompression bomb (raise --memory-limit to allow more).")
    names = " ".join(type(x).__name__ for x in seen) + " " + " ".join(str(x) for x in seen)
    if "PDFPasswordIncorrect" in names or "PDFEncryptionError" in names or "password" in names.lower():
        return PdfError("encrypted", "The PDF is encrypted with a password; "
                        "run again with --password, or remove the protection.")
    inner = seen[-1]
    what = re.sub(r"[.!?。]+", "", str(inner)).strip(" -") or type(inner).__name__
    return PdfError("unreadable_pdf", "The file cannot be read as a PDF "
                    f"({what[:80]}); check that it is a complete, valid PDF or download it again.")


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


def _open(path: str | Path, password: str) -> pdfplumber.PDF:
    try:
        pdf = pdfplumber.open(path, password=password)
        _ = pdf.pages  # forces the page tree to be parsed
    except Exception as exc:  # pdfminer raises a zoo of types for broken files
        raise classify(exc) from exc
    return pdf


def _rulings(page) -> list[Ruling]:
    return rulings_from(page.lines, page.rects, page.curves)


def rulings_from(lines: list[dict], rects: list[dict], curves: list[dict]) -> list[Ruling]:
    """Ruling lines from pdfplumber-style line, rect and curve dicts (x0, top, x1, bottom; pts)."""
    out = []
    for ln in lines:
        out.append(Ruling(ln["x0"], ln["top"], ln["x1"], ln["bottom"]))
    for r in rects:
        x0, top, x1, bottom = r["x0"], r["top"], r["x1"], r["bottom"]
        if bottom - top < _THIN or x1 - x0 < _THIN:
            out.append(Ruling(x0, top, x1, bottom))
        else:   # a cell border or shading: its four edges bound cells
            out += [Ruling(x0, top, x1, top), Ruling(x0, bottom, x1, bottom),
                    Ruling(x0, top, x0, bottom), Ruling(x1, top, x1, bottom)]
    for e in curves:
        pts = e.get("pts") or []
        if len(pts) == 2:
            (ax, ay), (bx, by) = pts
            out.append(Ruling(min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)))
    return [r for r in out if (r.x1 - r.x0) < _THIN or (r.bottom - r.top) < _THIN]


def is_garbled_char(text: str) -> bool:
    return text.startswith("(cid:") or "\ufffd" in text


# Pages repeat a few thousand distinct characters: normalize each once.
norm_char = functools.lru_cache(maxsize=16384)(normalize_text)


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
