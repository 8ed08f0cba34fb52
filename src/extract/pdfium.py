"""The pdfium reader: the same pages as pdf.py (pdfplumber) from pypdfium2's text page and
page objects, several times faster.

Everything is mapped onto pdfplumber's geometry so the stages downstream cannot tell the
readers apart: a character's box is pdfminer's (origin to origin + advance along the text
direction, font descent to descent + font size across it, through the character's matrix),
not pdfium's tight glyph box; path objects are split into subpaths and classified as
pdfminer does (line, rectangle, curve); /Rotate and the MediaBox origin are applied as
pdfminer's page matrix and pdfplumber's offsets apply them.

pdfium's text page drops a text object printed again at (almost) the same place (fake
bold); `dedupe_chars` still runs afterwards, as for pdfplumber.
"""
from __future__ import annotations

import contextlib
import ctypes
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pypdfium2 as pdfium
import pypdfium2.raw as R

from .preflight import base_name, preflight
from .model import Glyph, Page, Ruling
from .normalize import dedupe_chars
from .pdf import PdfError, classify, is_garbled_char, norm_char, rulings_from

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
# Form XObjects nested deeper than this are not searched for ruling lines (hostile files).
MAX_FORM_DEPTH = 32
# pdfium aborts the process when it cannot allocate (no MemoryError): under an address-space
# limit (RLIMIT_AS, batch --memory-limit), a page is not started with less than this left.
HEADROOM_BYTES = 48 * 2**20
# pdfium's error codes for a document that needs a (different) password.
_PASSWORD_ERRORS = {R.FPDF_ERR_PASSWORD}
_SECURITY_ERRORS = {R.FPDF_ERR_SECURITY}
# FPDFText_GetTextObject returning the address (an int) rather than a pointer object: the
# key of a character's text object without building a ctypes object per character.
_text_object_address = ctypes.CFUNCTYPE(ctypes.c_void_p, R.FPDF_TEXTPAGE, ctypes.c_int)(
    ctypes.cast(R.FPDFText_GetTextObject, ctypes.c_void_p).value)
# Blanks: never a glyph (pdf.py drops them after normalization), so not read at all.
_SPACES = frozenset((0x09, 0x0A, 0x0D, 0x20, 0xA0, 0x3000))
# pdfium reports a hyphen ('-') at the end of a line, flagged IsHyphen, as U+0002
# (FPDFText_GetUnicode) or U+FFFE (FPDFText_GetText).
_HYPHEN_MARKS = frozenset((0x02, 0xFFFE))


@dataclass(frozen=True, slots=True)
class PageFrame:
    """pdfminer's page matrix (rotation, MediaBox origin) and pdfplumber's page box."""
    ctm: Matrix
    width: float
    height: float
    x_off: float        # pdfplumber adds the MediaBox x0 back to x coordinates
    top_off: float      # pdfplumber's MediaBox top (minus the MediaBox y0)

    def box(self, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        """A user-space rectangle (x0 <= x1, y0 <= y1) to pdfplumber's (x0, top, x1, bottom)."""
        a, b, c, d, e, f = self.ctm
        if a == 1.0 and d == 1.0 and b == 0.0 and c == 0.0:
            ky = self.height + self.top_off - f
            return x0 + e + self.x_off, ky - y1, x1 + e + self.x_off, ky - y0
        xs = (a * x0 + c * y0 + e, a * x1 + c * y0 + e, a * x0 + c * y1 + e, a * x1 + c * y1 + e)
        ys = (b * x0 + d * y0 + f, b * x1 + d * y0 + f, b * x0 + d * y1 + f, b * x1 + d * y1 + f)
        return self.from_miner(min(xs), min(ys), max(xs), max(ys))

    def from_miner(self, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        """A box in pdfminer's page space (origin at the rotated MediaBox's bottom left)."""
        return (x0 + self.x_off, self.height - y1 + self.top_off,
                x1 + self.x_off, self.height - y0 + self.top_off)

    def point(self, x: float, y: float) -> tuple[float, float]:
        a, b, c, d, e, f = self.ctm
        return a * x + c * y + e, b * x + d * y + f


def page_frame(mediabox: tuple[float, float, float, float], rotation: int) -> PageFrame:
    """As pdfminer's PDFPageInterpreter.process_page and pdfplumber's Page.__init__ do it."""
    x0, x1 = sorted((mediabox[0], mediabox[2]))
    y0, y1 = sorted((mediabox[1], mediabox[3]))
    rot = rotation % 360
    if rot == 90:
        ctm = (0.0, -1.0, 1.0, 0.0, -y0, x1)
    elif rot == 180:
        ctm = (-1.0, 0.0, 0.0, -1.0, x1, y1)
    elif rot == 270:
        ctm = (0.0, 1.0, -1.0, 0.0, y1, -x0)
    else:
        ctm = (1.0, 0.0, 0.0, 1.0, -x0, -y0)
    bx0, by0, bx1, by1 = (y0, x0, y1, x1) if rot in (90, 270) else (x0, y0, x1, y1)
    height = by1 - by0
    return PageFrame(ctm, bx1 - bx0, height, bx0, height - by1)


def mult(m: Matrix, n: Matrix) -> Matrix:
    """m then n (PDF order: a point is transformed by m first)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
            e * A + f * C + E, e * B + f * D + F)


# ------------------------------------------------------------------ opening

@contextlib.contextmanager
def open_document(path: str | Path, password: str | None = None) -> Iterator[pdfium.PdfDocument]:
    """Open with pdfium and map its load errors onto our problem codes."""
    try:
        doc = pdfium.PdfDocument(str(path), password=password or None)
    except pdfium.PdfiumError as exc:
        raise error_of(exc) from exc
    except Exception as exc:        # e.g. a file that cannot be opened at all
        raise classify(exc) from exc
    try:
        yield doc
    finally:
        doc.close()


def error_of(exc: pdfium.PdfiumError) -> PdfError:
    code = getattr(exc, "err_code", None)
    if code in _PASSWORD_ERRORS or code in _SECURITY_ERRORS:
        return PdfError("encrypted", "The PDF is encrypted with a password; "
                        "run again with --password, or remove the protection.")
    what = str(exc).split(":")[-1].strip(" .") or "pdfium cannot load it"
    return PdfError("unreadable_pdf", "The file cannot be read as a PDF "
                    f"({what[:80]}); check that it is a complete, valid PDF or download it again.")


# ------------------------------------------------------------------ characters

class _Fonts:
    """Per-font descent (fraction of the font size), asked once per font handle: the one
    the PDF declares (preflight.py) where known, else pdfium's."""

    def __init__(self, declared: dict[str, float]):
        self.declared = declared
        self.descent: dict[int, float] = {}
        self.name = ctypes.create_string_buffer(256)

    def descent_of(self, font) -> float:
        key = ctypes.cast(font, ctypes.c_void_p).value or 0
        d = self.descent.get(key)
        if d is None:
            n = R.FPDFFont_GetBaseFontName(font, self.name, len(self.name))
            name = base_name(self.name.value.decode("latin-1")) if n else ""
            d = self.declared.get(name)
            if d is None:
                v = ctypes.c_float()
                d = v.value / 1000.0 if R.FPDFFont_GetDescent(font, 1000.0, v) else 0.0
                d = -d if d > 0 else d      # as pdfminer: a positive Descent is taken as negative
            self.descent[key] = d
        return d


@dataclass(slots=True)
class _Run:
    """What the characters of one pdfium text object share."""
    font: object
    size: float
    descent: float          # in points
    matrix: tuple[float, float, float, float]   # text matrix x CTM (x form matrices), no translation
    upright: bool           # as pdfminer's LTChar.upright, on the rotated page
    offsets: dict           # code point -> (dx0, dy0, dx1, dy1, vertical, ax, ay): the box
                            # around the origin and the advance, in user space
    last: tuple = (math.nan, math.nan)      # the previous character's origin as pdfium gave it
    shift: tuple = (0.0, 0.0)               # how far characters at that origin are moved on
    advance: tuple = (0.0, 0.0)             # the previous character's advance

    def place(self, x: float, y: float, ax: float, ay: float) -> tuple[float, float]:
        """The origin of a character. pdfium gives every character of a marked-content
        /ActualText span the span's origin; they are set one after the other from there
        (by their own advances), so none is taken for a fake-bold copy of its neighbour."""
        if x == self.last[0] and y == self.last[1]:
            self.shift = (self.shift[0] + self.advance[0], self.shift[1] + self.advance[1])
        else:
            self.last, self.shift = (x, y), (0.0, 0.0)
        self.advance = (ax, ay)
        return x + self.shift[0], y + self.shift[1]


def _run_of(tp, i: int, fonts: _Fonts, frame: PageFrame) -> _Run:
    obj = R.FPDFText_GetTextObject(tp, i)
    fs = R.FPDFText_GetFontSize(tp, i)
    font = R.FPDFTextObj_GetFont(obj)
    m = R.FS_MATRIX()
    R.FPDFText_GetMatrix(tp, i, m)
    pa, pb, pc, pd = _rotate(frame.ctm, m.a, m.b, m.c, m.d)
    return _Run(font, fs, fonts.descent_of(font) * fs if font else 0.0, (m.a, m.b, m.c, m.d),
                pa * pd > 0 and pb * pc <= 0, {})


def _offsets(run: _Run, u: int, width: ctypes.c_float) -> tuple:
    """pdfminer's box of character `u` relative to pdfium's origin, in user space.

    In text space it is (0, descent)..(advance, descent + size) for horizontal writing; for
    vertical writing (a negative advance: pdfium's origin is the pen minus the vertical
    origin) (0, size + advance)..(size, size)."""
    fs = run.size
    ok = run.font and R.FPDFFont_GetGlyphWidth(run.font, u, fs, width)
    adv = width.value if ok else fs
    vertical = adv < 0
    if vertical:
        u0, v0, u1, v1 = 0.0, fs + adv, fs, fs
    else:
        u0, v0, u1, v1 = 0.0, run.descent, adv, run.descent + fs
    a, b, c, d = run.matrix
    xs = (a * u0 + c * v0, a * u1 + c * v0, a * u0 + c * v1, a * u1 + c * v1)
    ys = (b * u0 + d * v0, b * u1 + d * v0, b * u0 + d * v1, b * u1 + d * v1)
    ax, ay = (c * adv, d * adv) if vertical else (a * adv, b * adv)     # vertical: adv < 0, downwards
    out = run.offsets[u] = (min(xs), min(ys), max(xs), max(ys), vertical, ax, ay)
    return out


def _text_of(tp, i: int, u: int) -> str:
    if R.FPDFText_HasUnicodeMapError(tp, i) or u == 0:
        return f"(cid:{u})"
    return chr(u) if u < 0x110000 else "\ufffd"


def _code_points(tp, n: int) -> list[int] | None:
    """All characters' code points in one call (FPDFText_GetText), or None when UTF-16
    surrogates would shift the indexes (ask character by character then)."""
    buf = (ctypes.c_ushort * (n + 1))()
    got = R.FPDFText_GetText(tp, 0, n, buf)
    units = list(buf[:n])
    if got != n + 1 or any(0xD800 <= x < 0xE000 for x in units):
        return None
    return units


def read_chars(tp, frame: PageFrame, declared: dict[str, float] | None = None) -> list[dict]:
    """pdfplumber-like char dicts (text, x0, top, x1, bottom, size, upright) in stream order;
    `declared`: font name -> descent the PDF declares (preflight.preflight)."""
    n = R.FPDFText_CountChars(tp)
    fonts = _Fonts(declared or {})
    ox, oy = ctypes.c_double(), ctypes.c_double()
    width = ctypes.c_float()
    out = []
    runs: dict[int, _Run] = {}
    codes = _code_points(tp, n)
    for i in range(n):
        u = codes[i] if codes is not None else R.FPDFText_GetUnicode(tp, i)
        if u in _SPACES:
            continue        # pdfium's generated spaces and line ends, and printed blanks: no glyph
        key = _text_object_address(tp, i)
        if not key:
            continue
        run = runs.get(key)
        if run is None:
            run = runs[key] = _run_of(tp, i, fonts, frame)
        if u in _HYPHEN_MARKS and R.FPDFText_IsHyphen(tp, i):
            u = 0x2D                    # pdfium's mark for a '-' that ends a line
        text = _text_of(tp, i, u)
        dx0, dy0, dx1, dy1, vertical, ax, ay = run.offsets.get(u) or _offsets(run, u, width)
        R.FPDFText_GetCharOrigin(tp, i, ox, oy)
        x, y = run.place(ox.value, oy.value, ax, ay)
        x0, top, x1, bottom = frame.box(x + dx0, y + dy0, x + dx1, y + dy1)
        out.append({"text": text, "x0": x0, "top": top, "x1": x1, "bottom": bottom,
                    "size": (x1 - x0) if vertical else (bottom - top), "upright": run.upright})
    return out


def _rotate(ctm: Matrix, a: float, b: float, c: float, d: float) -> tuple[float, float, float, float]:
    A, B, C, D = ctm[:4]
    return a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D


# ------------------------------------------------------------------ paths and images

_SEG_LINE, _SEG_BEZIER, _SEG_MOVE = R.FPDF_SEGMENT_LINETO, R.FPDF_SEGMENT_BEZIERTO, R.FPDF_SEGMENT_MOVETO


def _subpaths(path, mtx: Matrix) -> list[tuple[str, list[tuple[float, float]]]]:
    """(shape, points) per subpath as pdfminer builds them: 'm', 'l', 'c' (one entry per
    Bezier, its end point), 'h' for a close (the start point again); points transformed."""
    n = R.FPDFPath_CountSegments(path)
    x, y = ctypes.c_float(), ctypes.c_float()
    a, b, c, d, e, f = mtx
    out: list[tuple[str, list]] = []
    shape: list[str] = []
    pts: list[tuple[float, float]] = []
    bez = 0
    for i in range(n):
        seg = R.FPDFPath_GetPathSegment(path, i)
        t = R.FPDFPathSegment_GetType(seg)
        R.FPDFPathSegment_GetPoint(seg, x, y)
        p = (a * x.value + c * y.value + e, b * x.value + d * y.value + f)
        if t == _SEG_MOVE:
            if shape:
                out.append(("".join(shape), pts))
            shape, pts, bez = ["m"], [p], 0
        elif not shape:
            continue
        elif t == _SEG_BEZIER:
            bez += 1
            if bez % 3 == 0:
                shape.append("c")
                pts.append(p)
        else:
            shape.append("l")
            pts.append(p)
        if shape and R.FPDFPathSegment_GetClose(seg):
            shape.append("h")
            pts.append(pts[0])
    if shape:
        out.append(("".join(shape), pts))
    return out


@dataclass
class _Shapes:
    """A page's painted paths as pdfminer classifies them (points in user space), and its images."""
    lines: list = field(default_factory=list)
    rects: list = field(default_factory=list)
    curves: list = field(default_factory=list)
    images: int = 0


def _classify(shape: str, pts: list, out: _Shapes) -> None:
    """pdfminer's PDFLayoutAnalyzer.paint_path for one subpath."""
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape = shape[:-2] + "h"
        pts = pts[:-2] + pts[-1:]
    if shape in ("mlh", "ml"):
        out.lines.append(pts[:2])
    elif shape in ("mlllh", "mllll"):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
        square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or \
                 (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)
        if pts[0] == pts[4] and square:
            out.rects.append(pts)
        else:
            out.curves.append(pts)
    else:
        out.curves.append(pts)


def _walk(objs, mtx: Matrix, out: _Shapes, depth: int) -> None:
    m = R.FS_MATRIX()
    for obj in objs:
        t = R.FPDFPageObj_GetType(obj)
        if t == R.FPDF_PAGEOBJ_IMAGE:
            out.images += 1
        elif t == R.FPDF_PAGEOBJ_PATH:
            fill, stroke = ctypes.c_int(), ctypes.c_int()
            R.FPDFPath_GetDrawMode(obj, fill, stroke)
            if not fill.value and not stroke.value:
                continue
            R.FPDFPageObj_GetMatrix(obj, m)
            pm = mult((m.a, m.b, m.c, m.d, m.e, m.f), mtx)
            for shape, pts in _subpaths(obj, pm):
                if shape[:1] == "m" and len(shape) > 1:
                    _classify(shape, pts, out)
        elif t == R.FPDF_PAGEOBJ_FORM and depth < MAX_FORM_DEPTH:
            R.FPDFPageObj_GetMatrix(obj, m)
            fm = mult((m.a, m.b, m.c, m.d, m.e, m.f), mtx)
            k = R.FPDFFormObj_CountObjects(obj)
            _walk((R.FPDFFormObj_GetObject(obj, j) for j in range(max(k, 0))), fm, out, depth + 1)


def read_shapes(page: pdfium.PdfPage) -> _Shapes:
    out = _Shapes()
    raw = page.raw
    n = R.FPDFPage_CountObjects(raw)
    _walk((R.FPDFPage_GetObject(raw, i) for i in range(n)), IDENTITY, out, 0)
    return out


def _bound(pts) -> tuple[float, float, float, float]:
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    return min(xs), min(ys), max(xs), max(ys)


def rulings(shapes: _Shapes, frame: PageFrame) -> list[Ruling]:
    """The same ruling lines pdf.py draws from pdfplumber's lines, rects and curves."""
    def plumber(pts):
        x0, y0, x1, y1 = _bound([frame.point(*p) for p in pts])
        x0, top, x1, bottom = frame.from_miner(x0, y0, x1, y1)
        return {"x0": x0, "top": top, "x1": x1, "bottom": bottom}

    lines = [plumber(p) for p in shapes.lines]
    rects = [plumber(p) for p in shapes.rects]
    curves = []
    for pts in shapes.curves:
        if len(pts) == 2:
            curves.append({"pts": [frame.from_miner(*frame.point(*p), *frame.point(*p))[:2] for p in pts]})
    return rulings_from(lines, rects, curves)


# ------------------------------------------------------------------ pages

def read_page(page: pdfium.PdfPage, number: int, declared: dict[str, float] | None = None) -> Page:
    l, b, r, t = page.get_mediabox()
    frame = page_frame((l, b, r, t), page.get_rotation())
    tp = page.get_textpage()
    try:
        chars = dedupe_chars(read_chars(tp.raw, frame, declared))
    finally:
        tp.close()
    glyphs = []
    garbled = 0
    for c in chars:
        raw = c["text"]
        if is_garbled_char(raw):
            garbled += 1
        text = norm_char(raw)
        if not text.strip():
            continue
        glyphs.append(Glyph(text, raw, c["x0"], c["x1"], c["top"], c["bottom"], c["size"]))
    shapes = read_shapes(page)
    return Page(number, frame.width, frame.height, glyphs, rulings(shapes, frame),
                n_images=shapes.images, n_garbled=garbled)


def _address_space_left() -> float:
    """Bytes the process may still map under RLIMIT_AS (inf without a limit or off Linux)."""
    try:
        import resource
        soft = resource.getrlimit(resource.RLIMIT_AS)[0]
        if soft == resource.RLIM_INFINITY:
            return math.inf
        with open("/proc/self/statm") as f:
            size = int(f.read().split()[0]) * resource.getpagesize()
    except (ImportError, OSError, ValueError):
        return math.inf
    return soft - size


def page_count(path: str | Path, password: str | None = None) -> int:
    """The number of pages of the PDF (0 when it cannot be opened)."""
    try:
        with open_document(path, password) as doc:
            return len(doc)
    except PdfError:
        return 0


def read_pages(path: str | Path, password: str | None = None, first: int = 0,
               last: int | None = None) -> list[Page]:
    """Every page of the PDF, or pages first..last-1 (0-based; fewer past the end); raises
    PdfError for a file that cannot be read."""
    pre = preflight(path, password, first, last)     # first: pdfium inflates object streams on opening
    if pre.bomb:
        raise classify(MemoryError())   # as pdfplumber's reader under the memory limit
    with open_document(path, password) as doc:
        end = len(doc) if last is None else min(last, len(doc))
        descents = pre.descents if len(pre.descents) == end - first else []
        out = []
        for i in range(first, end):
            if _address_space_left() < HEADROOM_BYTES:
                raise MemoryError("address space nearly exhausted")     # -> memory_limit
            page = doc[i]
            try:
                out.append(read_page(page, i + 1, descents[i - first] if descents else None))
            finally:
                page.close()
        return out
