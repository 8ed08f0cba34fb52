"""What both readers share (pdf.py: pdfplumber, pdfium.py), without loading either library:
the problem code of a file that cannot be read, a character's text as the stages see it,
and ruling lines from the shapes a page draws. A run with the pdfium reader never imports
pdfplumber (nor pdfminer's layout analysis): its workers start sooner."""
from __future__ import annotations

import functools
import re

from .model import Ruling
from .normalize import normalize_text

# A rect thinner than this is a line drawn as a rectangle.
_THIN = 2.0
# A font descent deeper than this (share of the font size) is its bounding box's bottom, not its
# line's: cairo's reprints declare Noto CJK's whole box (/Descent -1048), which put a Japanese
# glyph's box 0.8 em below a Latin one on the same line. Both readers read it as this.
DESCENT_LIMIT = 0.3


def line_descent(d: float) -> float:
    """A declared descent (negative, share of the font size) as the readers use it."""
    return max(d, -DESCENT_LIMIT)


def type3_descent(bottom: float, top: float, vscale: float) -> float:
    """A Type3 font's descent: the lower of its FontBBox's bottom and top through the
    FontMatrix's vertical scale (pdfminer takes the bottom, which a flipped matrix, cairo's
    [1 0 0 -1 0 0], puts above the glyph)."""
    return min(bottom * vscale, top * vscale)


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
