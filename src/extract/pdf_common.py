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
# A filled rect's top or bottom with the same fill beyond it (within this many points) is a
# seam, no boundary (seamless_edges).
SEAM_PT = 0.5
# Seams are looked for among at most this many filled rects of one colour on a page (pairs
# are compared): past it, every edge is kept.
SEAM_MAX_RECTS = 400
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
    """Ruling lines from pdfplumber-style line, rect and curve dicts (x0, top, x1, bottom; pts;
    a rect's fill, stroke and non_stroking_color): a filled rect's edges less their seams
    (see seamless_edges)."""
    out = []
    for ln in lines:
        out.append(Ruling(ln["x0"], ln["top"], ln["x1"], ln["bottom"]))
    fills = _fills_by_colour(rects)
    for r in rects:
        x0, top, x1, bottom = r["x0"], r["top"], r["x1"], r["bottom"]
        if bottom - top < _THIN or x1 - x0 < _THIN:
            out.append(Ruling(x0, top, x1, bottom))
            continue
        same = fills.get(fill_key(r["non_stroking_color"])) if _fill_only(r) else None
        if same is not None and 1 < len(same) <= SEAM_MAX_RECTS:
            out += seamless_edges(r, same)
        else:   # a cell border or shading: its four edges bound cells
            out += [Ruling(x0, top, x1, top), Ruling(x0, bottom, x1, bottom),
                    Ruling(x0, top, x0, bottom), Ruling(x1, top, x1, bottom)]
    for e in curves:
        pts = e.get("pts") or []
        if len(pts) == 2:
            (ax, ay), (bx, by) = pts
            out.append(Ruling(min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)))
    return [r for r in out if (r.x1 - r.x0) < _THIN or (r.bottom - r.top) < _THIN]


def fill_key(colour) -> tuple | None:
    """A fill colour as both readers compare it: 0-255 components, a gray as RGB (pdfium
    gives RGB); None for a colour that is no list of numbers (a pattern)."""
    if isinstance(colour, (int, float)):
        colour = (colour,)
    if not isinstance(colour, (tuple, list)) or not all(isinstance(v, (int, float)) for v in colour):
        return None
    if len(colour) == 1:
        colour = tuple(colour) * 3
    if len(colour) not in (3, 4):
        return None
    return (len(colour),) + tuple(round(255 * v) for v in colour)


def _fill_only(r: dict) -> bool:
    return bool(r.get("fill")) and not r.get("stroke")


def _fills_by_colour(rects: list[dict]) -> dict[tuple, list[dict]]:
    out: dict[tuple, list[dict]] = {}
    for r in rects:
        if _fill_only(r) and r["bottom"] - r["top"] >= _THIN and r["x1"] - r["x0"] >= _THIN:
            key = fill_key(r["non_stroking_color"])
            if key is not None:
                out.setdefault(key, []).append(r)
    return out


def seamless_edges(r: dict, same: list[dict]) -> list[Ruling]:
    """The edges of a filled rect (no stroke), the parts of its top and bottom with the same
    fill above or below too, which nobody sees, marked as seams. LibreOffice Calc paints
    neighbouring cells of one fill as one area cut into row bands, whose edges cut merged
    cells (a label column's text) where no rule and no change of colour parts them: the
    cells of a grid (cells.page_cells) ignore seams. The rows of a sheet keep them: a table
    without rules whose label cells are shaded one by one (Writer) parts its rows there.
    The sides are kept too: cells of one fill side by side, painted one by one, are columns
    where no rule is drawn (a header row over a grid with horizontal rules only). `same`:
    the page's filled rects of r's colour (r among them)."""
    x0, top, x1, bottom = r["x0"], r["top"], r["x1"], r["bottom"]
    others = [o for o in same if o is not r]
    out = []
    for y, side in ((top, -1), (bottom, 1)):
        beyond = y + side * SEAM_PT
        cover = [(o["x0"], o["x1"]) for o in others if o["top"] <= beyond <= o["bottom"]]
        out += [Ruling(a, y, b, y) for a, b in _uncovered(x0, x1, cover)]
        out += [Ruling(a, y, b, y, seam=True) for a, b in _seams(x0, x1, cover)]
    return out + [Ruling(x0, top, x0, bottom), Ruling(x1, top, x1, bottom)]


def _seams(lo: float, hi: float, cover: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The pieces of [lo, hi] inside an interval of `cover`."""
    return [(max(a, lo), min(b, hi)) for a, b in cover if min(b, hi) - max(a, lo) > SEAM_PT]


def _uncovered(lo: float, hi: float, cover: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The pieces of [lo, hi] outside every interval of `cover`, each longer than SEAM_PT."""
    out, at = [], lo
    for a, b in sorted(cover):
        if a > at:
            out.append((at, min(a, hi)))
        at = max(at, b)
        if at >= hi:
            break
    if at < hi:
        out.append((at, hi))
    return [(a, b) for a, b in out if b - a > SEAM_PT]


def is_garbled_char(text: str) -> bool:
    return text.startswith("(cid:") or "\ufffd" in text


# Pages repeat a few thousand distinct characters: normalize each once.
norm_char = functools.lru_cache(maxsize=16384)(normalize_text)
