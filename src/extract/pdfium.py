"""The pdfium reader: the same pages as pdf.py (pdfplumber) from pypdfium2's text page and
page objects, several times faster.

Everything is mapped onto pdfplumber's geometry so the stages downstream cannot tell the
readers apart: a character's box is pdfminer's (origin to origin + advance along the text
direction, font descent to descent + font size across it, through the character's matrix),
not pdfium's tight glyph box; path objects are split into subpaths and classified as
pdfminer does (line, rectangle, curve); /Rotate and the MediaBox origin are applied as
pdfminer's page matrix and pdfplumber's offsets apply them.

pdfium's text page drops a text object printed again at (almost) the same place (fake
bold); the fake-bold dedupe (normalize.dedupe_indices, as dedupe_chars for pdfplumber) still
runs afterwards.
"""
from __future__ import annotations

import contextlib
import ctypes
import math
import threading
from functools import lru_cache
from dataclasses import dataclass, field
from pathlib import Path
from itertools import islice, repeat
from typing import Iterator

try:
    import resource
except ImportError:             # Windows
    resource = None

import numpy as np

import pypdfium2 as pdfium
import pypdfium2.raw as R

from .logs import collect_warnings
from .preflight import base_name, preflight
from .model import Page, Ruling, glyph_rows
from .normalize import dedupe_indices, radical_map
from .pdf_common import PdfError, classify, is_garbled_char, line_descent, norm_char, rulings_from

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
# Form XObjects nested deeper than this are not searched for ruling lines (hostile files).
MAX_FORM_DEPTH = 32
# pdfium aborts the process when it cannot allocate (no MemoryError): under an address-space
# limit (RLIMIT_AS, batch --memory-limit), a page is not started with less than this left.
HEADROOM_BYTES = 48 * 2**20
# pdfium's text page skips a text object whose bounds are narrower than this (points;
# its kSizeEpsilon is 1e-4): see _unread.
UNREAD_WIDTH = 1e-3
# pdfium's error codes for a document that needs a (different) password.
_PASSWORD_ERRORS = {R.FPDF_ERR_PASSWORD}
_SECURITY_ERRORS = {R.FPDF_ERR_SECURITY}
# Blanks: never a glyph (pdf.py drops them after normalization), so not read at all.
_SPACE_CODES = np.array((0x09, 0x0A, 0x0D, 0x20, 0xA0, 0x3000), dtype=np.int64)
# pdfium reports a hyphen ('-') at the end of a line, flagged IsHyphen, as U+0002
# (FPDFText_GetUnicode) or U+FFFE (FPDFText_GetText).
_HYPHEN_CODES = np.array((0x02, 0xFFFE), dtype=np.int64)


@dataclass(frozen=True, slots=True)
class PageFrame:
    """pdfminer's page matrix (rotation, MediaBox origin) and pdfplumber's page box."""
    ctm: Matrix
    width: float
    height: float
    x_off: float        # pdfplumber adds the MediaBox x0 back to x coordinates
    top_off: float      # pdfplumber's MediaBox top (minus the MediaBox y0)

    def boxes(self, x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray) -> tuple[np.ndarray, ...]:
        """User-space rectangles (x0 <= x1, y0 <= y1), as arrays, to pdfplumber's (x0, top, x1, bottom)."""
        a, b, c, d, e, f = self.ctm
        if a == 1.0 and d == 1.0 and b == 0.0 and c == 0.0:
            ky = self.height + self.top_off - f
            return x0 + e + self.x_off, ky - y1, x1 + e + self.x_off, ky - y0
        xs = (a * x0 + c * y0 + e, a * x1 + c * y0 + e, a * x0 + c * y1 + e, a * x1 + c * y1 + e)
        ys = (b * x0 + d * y0 + f, b * x1 + d * y0 + f, b * x0 + d * y1 + f, b * x1 + d * y1 + f)
        return self.from_miner(_min4(xs), _min4(ys), _max4(xs), _max4(ys))

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

def _bare(fn, restype):
    """`fn` called without argument conversion (ctypes objects passed as they are, Python
    ints as C ints) and without letting go of the GIL: about a third of the cost of a call
    through pypdfium2's prototypes, which counts for calls made once per character. None of
    these calls blocks or calls back into Python, so holding the GIL costs other threads
    a fraction of a microsecond (releasing and taking it back costs ~35 ns per call)."""
    f = _FuncPtr(ctypes.cast(fn, ctypes.c_void_p).value)
    f.restype = restype
    return f


# The function pointers of ctypes.pythonapi (a PyDLL): C calling convention, GIL kept.
_FuncPtr = type(ctypes.pythonapi.Py_IncRef)
_text_object = _bare(R.FPDFText_GetTextObject, ctypes.c_void_p)      # the address, or None
_map_error = _bare(R.FPDFText_HasUnicodeMapError, ctypes.c_int)
_is_hyphen = _bare(R.FPDFText_IsHyphen, ctypes.c_int)
_char_origin = _bare(R.FPDFText_GetCharOrigin, ctypes.c_int)
_font_size = _bare(R.FPDFText_GetFontSize, ctypes.c_double)
_char_matrix = _bare(R.FPDFText_GetMatrix, ctypes.c_int)
_font_of = _bare(R.FPDFTextObj_GetFont, ctypes.c_void_p)
_glyph_width = _bare(R.FPDFFont_GetGlyphWidth, ctypes.c_int)
_font_name = _bare(R.FPDFFont_GetBaseFontName, ctypes.c_size_t)
_font_descent = _bare(R.FPDFFont_GetDescent, ctypes.c_int)
_font_embedded = _bare(R.FPDFFont_GetIsEmbedded, ctypes.c_int)
# normalize.dedupe_chars's tolerance (points): a copy of a glyph this close is fake bold.
DEDUPE_TOLERANCE = 1.0
# _near compares a character with this many neighbours (sorted by text and x) one by one.
NEAR_SPAN = 8
# A character's code (_codes): its code point, this bit set for a (cid:N) text; and the bit
# that makes it a key (text and uprightness) for the fake-bold dedupe.
_CID = 1 << 33
_UPRIGHT = 1 << 34
# Characters whose origins are asked for in one batch (see _Origins).
ORIGIN_BATCH = 4096
# Path segments read in one batch (read_shapes).
SEGMENT_BATCH = 4096


class _Origins:
    """Where FPDFText_GetCharOrigin writes the characters' origins: a buffer of ORIGIN_BATCH
    slots with a pointer object per slot built once (building two per character would cost
    more than the call). One per thread (_origins), so that readers in two threads could
    not mix their characters' origins up."""

    def __init__(self):
        self.xs = (ctypes.c_double * ORIGIN_BATCH)()
        self.ys = (ctypes.c_double * ORIGIN_BATCH)()
        ax, ay = ctypes.addressof(self.xs), ctypes.addressof(self.ys)
        step = ctypes.sizeof(ctypes.c_double)
        self.px = [ctypes.c_void_p(a) for a in range(ax, ax + step * ORIGIN_BATCH, step)]
        self.py = [ctypes.c_void_p(a) for a in range(ay, ay + step * ORIGIN_BATCH, step)]

    def read(self, tp: ctypes.c_void_p, idx: list[int]) -> tuple[np.ndarray, np.ndarray]:
        xs, ys = np.empty(len(idx)), np.empty(len(idx))
        for k in range(0, len(idx), ORIGIN_BATCH):
            part = idx[k:k + ORIGIN_BATCH]
            m = len(part)
            list(map(_char_origin, repeat(tp, m), part, self.px, self.py))
            xs[k:k + m] = np.frombuffer(self.xs, count=m)
            ys[k:k + m] = np.frombuffer(self.ys, count=m)
        return xs, ys


_THREAD = threading.local()


def _origins() -> _Origins:
    """This thread's _Origins."""
    buf = getattr(_THREAD, "origins", None)
    if buf is None:
        buf = _THREAD.origins = _Origins()
    return buf


class _Fonts:
    """Per-font descent (fraction of the font size), asked once per font handle: the one
    the PDF declares (preflight.py) where known, else pdfium's; and whether its text is
    to be taken as unmapped (`contradicted`: preflight._contradicted)."""

    def __init__(self, declared: dict[str, float], contradicted: set[str] | frozenset = frozenset()):
        self.declared = declared
        self.contradicted = contradicted
        self.descent: dict[int, float] = {}
        self.unmapped: dict[int, bool] = {}
        self.name = ctypes.create_string_buffer(256)

    def _name(self, font: int) -> str:
        n = _font_name(ctypes.c_void_p(font), self.name, len(self.name))
        return base_name(self.name.value.decode("latin-1")) if n else ""

    def unmapped_of(self, font: int) -> bool:
        u = self.unmapped.get(font)
        if u is None:
            u = self.unmapped[font] = bool(self.contradicted) and self._name(font) in self.contradicted
        return u

    def descent_of(self, font: int) -> float:
        d = self.descent.get(font)
        if d is None:
            name = self._name(font)
            d = self.declared.get(name)
            if d is None:
                v = ctypes.c_float()
                ok = _font_descent(ctypes.c_void_p(font), ctypes.c_float(1000.0), ctypes.byref(v))
                d = v.value / 1000.0 if ok else 0.0
                d = -d if d > 0 else d      # as pdfminer: a positive Descent is taken as negative
            d = self.descent[font] = line_descent(d)
        return d


@dataclass(frozen=True, slots=True)
class _Run:
    """What the characters of pdfium text objects with the same font, size and matrix share."""
    font: int               # the font handle's address (0: none)
    size: float
    descent: float          # in points
    matrix: tuple[float, float, float, float]   # text matrix x CTM (x form matrices), no translation
    upright: bool           # as pdfminer's LTChar.upright, on the rotated page
    unmapped: bool = False  # its text is taken as unmapped (_Fonts.unmapped_of)


def _pointers(buf, n: int, step: int):
    """Pointers (ctypes objects) to the n items of `step` bytes of a ctypes array."""
    base = ctypes.addressof(buf)
    return map(ctypes.c_void_p, range(base, base + step * n, step))


def _runs(tp: ctypes.c_void_p, firsts: list[int], objs: list[int], fonts: _Fonts,
          frame: PageFrame) -> tuple[list[_Run], np.ndarray]:
    """The distinct runs (font, size, matrix) of the page's text objects, each object given
    by the index of its first character and its address; and each object's run."""
    n = len(firsts)
    sizes = list(map(_font_size, repeat(tp, n), firsts))
    handles = [f or 0 for f in map(_font_of, map(ctypes.c_void_p, objs))]
    mats = (R.FS_MATRIX * n)()
    list(map(_char_matrix, repeat(tp, n), firsts, _pointers(mats, n, ctypes.sizeof(R.FS_MATRIX))))
    abcd = np.frombuffer(mats, dtype=np.float32).reshape(n, 6)[:, :4].astype(float).T.tolist()
    seen: dict[tuple, int] = {}
    which = [seen.setdefault(k, len(seen)) for k in zip(handles, sizes, *abcd)]
    runs = []
    for font, fs, a, b, c, d in seen:
        pa, pb, pc, pd = _rotate(frame.ctm, a, b, c, d)
        runs.append(_Run(font, fs, fonts.descent_of(font) * fs if font else 0.0, (a, b, c, d),
                         pa * pd > 0 and pb * pc <= 0, bool(font) and fonts.unmapped_of(font)))
    return runs, np.array(which, dtype=np.int64)


def _advances(runs: list[_Run], group: list[int], us: list[int]) -> np.ndarray:
    """Each (run, code point)'s advance in text space (the font size without a width)."""
    fs = np.array([r.size for r in runs], dtype=float)[group]
    has_font = np.array([bool(r.font) for r in runs], dtype=bool)[group]
    if not has_font.all():
        todo = np.flatnonzero(has_font).tolist()
        if todo:
            fs[todo] = _advances(runs, [group[k] for k in todo], [us[k] for k in todo])
        return fs
    n = len(us)
    widths = (ctypes.c_float * n)()
    fonts = [ctypes.c_void_p(r.font) for r in runs]
    sizes = [ctypes.c_float(r.size) for r in runs]
    codes = us if max(us, default=0) < 2**31 else list(map(ctypes.c_uint, us))  # else C int
    ok = list(map(_glyph_width, map(fonts.__getitem__, group), codes, map(sizes.__getitem__, group),
                  _pointers(widths, n, ctypes.sizeof(ctypes.c_float))))
    return np.where(np.array(ok, dtype=bool), np.frombuffer(widths, dtype=np.float32).astype(float), fs)


@lru_cache(maxsize=1)
def _radicals_of() -> dict[int, list[int]]:
    """Ideograph -> the radicals' code points that read as it (normalize.radical_map)."""
    out: dict[int, list[int]] = {}
    for cp, ideograph in radical_map().items():
        out.setdefault(ord(ideograph), []).append(cp)
    return out


def _same_glyph(u: int) -> list[int]:
    """The other code points of an ideograph and the radicals that read as it."""
    ideograph = radical_map().get(u)
    base = ord(ideograph) if ideograph else u
    return [c for c in [base, *_radicals_of().get(base, ())] if c != u]


def _unmapped_advances(adv: np.ndarray, runs: list[_Run], group: list[int], us: list[int]) -> np.ndarray:
    """FPDFFont_GetGlyphWidth finds a glyph by its code point (the font's ToUnicode map read
    backwards) and gives width 0 where it finds none: LibreOffice draws 行 and ⾏ (the
    Kangxi radical) with one glyph and maps its code to one of them, and pdfium may read
    the code as the other. For those (run, code point) pairs the width is asked for by the
    ideograph's other code points (_same_glyph)."""
    width = ctypes.c_float()
    for k in np.flatnonzero(adv == 0).tolist():
        run = runs[group[k]]
        for cp in _same_glyph(us[k]) if run.font else ():
            if _glyph_width(ctypes.c_void_p(run.font), cp, ctypes.c_float(run.size), ctypes.byref(width)) \
                    and width.value:
                adv[k] = width.value
                break
    return adv


def _offsets(runs: list[_Run], group: np.ndarray, us: np.ndarray) -> tuple[np.ndarray, ...]:
    """pdfminer's box of each (run, code point) relative to pdfium's origin, in user space:
    (dx0, dy0, dx1, dy1, vertical, ax, ay), the last two the advance.

    In text space it is (0, descent)..(advance, descent + size) for horizontal writing; for
    vertical writing (a negative advance: pdfium's origin is the pen minus the vertical
    origin) (0, size + advance)..(size, size)."""
    g, u = group.tolist(), us.tolist()
    adv = _unmapped_advances(_advances(runs, g, u), runs, g, u)
    fs = np.array([r.size for r in runs])[group]
    desc = np.array([r.descent for r in runs])[group]
    a, b, c, d = np.array([r.matrix for r in runs], dtype=float).reshape(-1, 4)[group].T
    vertical = adv < 0
    u1 = np.where(vertical, fs, adv)
    v0 = np.where(vertical, fs + adv, desc)
    v1 = np.where(vertical, fs, desc + fs)
    u0 = np.zeros_like(adv)
    xs = (a * u0 + c * v0, a * u1 + c * v0, a * u0 + c * v1, a * u1 + c * v1)
    ys = (b * u0 + d * v0, b * u1 + d * v0, b * u0 + d * v1, b * u1 + d * v1)
    ax = np.where(vertical, c * adv, a * adv)       # vertical: adv < 0, downwards
    ay = np.where(vertical, d * adv, b * adv)
    return (_min4(xs), _min4(ys), _max4(xs), _max4(ys), vertical, ax, ay)


def _min4(v):
    return np.minimum(np.minimum(v[0], v[1]), np.minimum(v[2], v[3]))


def _max4(v):
    return np.maximum(np.maximum(v[0], v[1]), np.maximum(v[2], v[3]))


def _code_points(tp, n: int) -> np.ndarray:
    """All characters' code points in one call (FPDFText_GetText), or character by
    character when UTF-16 surrogates would shift the indexes."""
    buf = (ctypes.c_ushort * (n + 1))()
    got = R.FPDFText_GetText(tp, 0, n, buf)
    units = np.frombuffer(buf, dtype=np.uint16, count=n).astype(np.int64)
    if got != n + 1 or ((units >= 0xD800) & (units < 0xE000)).any():
        return np.array([R.FPDFText_GetUnicode(tp, i) for i in range(n)], dtype=np.int64)
    return units


def _shifts(run: np.ndarray, ox: np.ndarray, oy: np.ndarray, ax: np.ndarray, ay: np.ndarray):
    """How far each character is moved from pdfium's origin. pdfium gives every character
    of a marked-content /ActualText span the span's origin; they are set one after the other
    from there (by their own advances), so none is taken for a fake-bold copy of its
    neighbour. None when nothing moves (runs contiguous, no origin repeated)."""
    same = (run[1:] == run[:-1]) & (ox[1:] == ox[:-1]) & (oy[1:] == oy[:-1])
    if not same.any() and np.count_nonzero(run[1:] != run[:-1]) == len(np.unique(run)) - 1:
        return None
    last: dict[int, tuple] = {}         # run -> (origin as pdfium gave it, shift, advance)
    sx, sy = [], []
    for r, x, y, dx, dy in zip(run.tolist(), ox.tolist(), oy.tolist(), ax.tolist(), ay.tolist()):
        prev = last.get(r)
        if prev is not None and prev[0] == x and prev[1] == y:
            shift = (prev[2] + prev[4], prev[3] + prev[5])
        else:
            shift = (0.0, 0.0)
        last[r] = (x, y, shift[0], shift[1], dx, dy)
        sx.append(shift[0])
        sy.append(shift[1])
    return np.array(sx), np.array(sy)


def _codes(tp: ctypes.c_void_p, idx: list[int], us: list[int]) -> np.ndarray:
    """Each character's text as a number (see _text)."""
    u = np.array(us, dtype=np.int64)
    cid = np.array(list(map(_map_error, repeat(tp), idx)), dtype=bool) | (u == 0)
    return np.where(cid, u | _CID, np.where(u < 0x110000, u, 0xFFFD))


def _text(code: int) -> str:
    """A character's text from its code: (cid:N) for a code point pdfium could not map to
    Unicode, else the character (U+FFFD for a code point past Unicode's)."""
    return f"(cid:{code & ~_CID})" if code & _CID else chr(code)


# Per character code: (its text, normalized, garbled, not blank), for every page read by the
# process (a page has a few hundred distinct codes, most of them on the page before too);
# emptied when it reaches CHAR_INFO_MAX codes.
_CHAR_INFO: dict[int, tuple[str, str, bool, bool]] = {}
CHAR_INFO_MAX = 1 << 16


def _char_info(code: int) -> tuple[str, str, bool, bool]:
    raw = _text(code)
    text = norm_char(raw)
    if len(_CHAR_INFO) >= CHAR_INFO_MAX:
        _CHAR_INFO.clear()
    info = _CHAR_INFO[code] = (raw, text, is_garbled_char(raw), bool(text.strip()))
    return info


@dataclass(slots=True)
class Chars:
    """A page's characters as columns, in stream order (pdfplumber's char dicts' fields,
    the text as its code: _text)."""
    code: np.ndarray
    x0: np.ndarray
    top: np.ndarray
    x1: np.ndarray
    bottom: np.ndarray
    size: np.ndarray
    upright: np.ndarray
    objects: int = 0        # the text objects they are of


def _glyph_chars(tp: ctypes.c_void_p, codes: np.ndarray) -> tuple[list[int], list[int], np.ndarray]:
    """Indexes, text-object addresses and code points of the characters that can be glyphs:
    not blanks (pdfium's generated spaces and line ends, and printed blanks), of a text
    object; pdfium's mark for a '-' ending a line taken as '-'."""
    idx = np.flatnonzero(~np.isin(codes, _SPACE_CODES)).tolist()
    keys = list(map(_text_object, repeat(tp), idx))
    if None in keys:
        idx, keys = [i for i, k in zip(idx, keys) if k], [k for k in keys if k]
    us = codes[idx]
    for j in np.flatnonzero(np.isin(us, _HYPHEN_CODES)).tolist():
        if _is_hyphen(tp, idx[j]):
            us[j] = 0x2D
    return idx, keys, us


def read_chars(tp, frame: PageFrame, declared: dict[str, float] | None = None,
               contradicted: set[str] | frozenset = frozenset()) -> Chars:
    """The page's characters (text, box, size, upright as pdfplumber gives them) in stream
    order; `declared`: font name -> descent the PDF declares, `contradicted`: fonts whose
    text is taken as unmapped (preflight.preflight)."""
    tpv = ctypes.c_void_p(ctypes.cast(tp, ctypes.c_void_p).value)
    idx, keys, us = _glyph_chars(tpv, _code_points(tp, R.FPDFText_CountChars(tp)))
    if not idx:
        none = np.zeros(0)
        return Chars(np.zeros(0, dtype=np.int64), none, none, none, none, none, np.zeros(0, dtype=bool))
    _, first, obj = np.unique(np.array(keys, dtype=np.uint64), return_index=True, return_inverse=True)
    first = first.tolist()
    runs, run_of = _runs(tpv, [idx[j] for j in first], [keys[j] for j in first],
                         _Fonts(declared or {}, contradicted), frame)
    run = run_of[obj]
    # the box around the origin depends on the run and the code point
    pairs, which = np.unique((run << 32) | np.array(us, dtype=np.int64), return_inverse=True)
    dx0, dy0, dx1, dy1, vertical, ax, ay = (v[which] for v in _offsets(runs, pairs >> 32, pairs & 0xFFFFFFFF))
    ox, oy = _origins().read(tpv, idx)
    moved = _shifts(obj, ox, oy, ax, ay)
    if moved is not None:
        ox, oy = ox + moved[0], oy + moved[1]
    x0, top, x1, bottom = frame.boxes(ox + dx0, oy + dy0, ox + dx1, oy + dy1)
    size = np.where(vertical, x1 - x0, bottom - top)
    upright = np.array([r.upright for r in runs])[run]
    codes = _codes(tpv, idx, us)
    unmapped = np.array([r.unmapped for r in runs])[run]
    if unmapped.any():
        codes = np.where(unmapped, codes | _CID, codes)
    return Chars(codes, x0, top, x1, bottom, size, upright, len(first))


def _rotate(ctm: Matrix, a: float, b: float, c: float, d: float) -> tuple[float, float, float, float]:
    A, B, C, D = ctm[:4]
    return a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D


# ------------------------------------------------------------------ paths and images

_SEG_LINE, _SEG_BEZIER, _SEG_MOVE = R.FPDF_SEGMENT_LINETO, R.FPDF_SEGMENT_BEZIERTO, R.FPDF_SEGMENT_MOVETO


class _Ptr(ctypes.c_void_p):
    """A handle as pdfium returns it, passed back as it is: ctypes hands a c_void_p subclass
    over without turning it into an int, which would then need wrapping again."""


_page_objects = _bare(R.FPDFPage_CountObjects, ctypes.c_int)
_page_object = _bare(R.FPDFPage_GetObject, _Ptr)
_form_objects = _bare(R.FPDFFormObj_CountObjects, ctypes.c_int)
_form_object = _bare(R.FPDFFormObj_GetObject, _Ptr)
_object_type = _bare(R.FPDFPageObj_GetType, ctypes.c_int)
_object_matrix = _bare(R.FPDFPageObj_GetMatrix, ctypes.c_int)
_draw_mode = _bare(R.FPDFPath_GetDrawMode, ctypes.c_int)
_object_bounds = _bare(R.FPDFPageObj_GetBounds, ctypes.c_int)
_segments = _bare(R.FPDFPath_CountSegments, ctypes.c_int)
_segment = _bare(R.FPDFPath_GetPathSegment, _Ptr)
_segment_type = _bare(R.FPDFPathSegment_GetType, ctypes.c_int)
_segment_point = _bare(R.FPDFPathSegment_GetPoint, ctypes.c_int)
_segment_close = _bare(R.FPDFPathSegment_GetClose, ctypes.c_int)
_fill_colour = _bare(R.FPDFPageObj_GetFillColor, ctypes.c_int)


def _handles(get, owner: ctypes.c_void_p, n: int) -> list[_Ptr]:
    """get(owner, i) for i < n (NULL pointers where pdfium gives none)."""
    return list(map(get, repeat(owner, n), range(n)))


def _segment_data(paths: list[_Ptr], counts: list[int]) -> tuple[list[int], list[float], list[float], list[int]]:
    """All segments' types, points (untransformed) and close flags of the paths, path after
    path (counts: each one's number of segments), in a few mapped calls."""
    n = sum(counts)
    owners = [p for p, k in zip(paths, counts) for _ in range(k)]
    segs = list(map(_segment, owners, [i for k in counts for i in range(k)]))
    xs, ys = (ctypes.c_float * n)(), (ctypes.c_float * n)()
    size = ctypes.sizeof(ctypes.c_float)
    list(map(_segment_point, segs, _pointers(xs, n, size), _pointers(ys, n, size)))
    return list(map(_segment_type, segs)), xs[:], ys[:], list(map(_segment_close, segs))


def _subpaths(segments, mtx: Matrix) -> list[tuple[str, list[tuple[float, float]]]]:
    """(shape, points) per subpath as pdfminer builds them: 'm', 'l', 'c' (one entry per
    Bezier, its end point), 'h' for a close (the start point again); points transformed.
    `segments`: (type, x, y, close) per segment of the path."""
    a, b, c, d, e, f = mtx
    out: list[tuple[str, list]] = []
    shape: list[str] = []
    pts: list[tuple[float, float]] = []
    bez = 0
    for t, x, y, close in segments:
        p = (a * x + c * y + e, b * x + d * y + f)
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
        if shape and close:
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
    texts: list = field(default_factory=list)   # its text objects (handles)


@dataclass(frozen=True, slots=True)
class _Paint:
    """How a path is painted, as pdfplumber's rect dicts say it (fill, stroke,
    non_stroking_color: 0-1 RGB, None where pdfium gives none)."""
    fill: bool
    stroke: bool
    colour: tuple[float, float, float] | None


def _paint(obj: _Ptr, fill: bool, stroke: bool) -> _Paint:
    colour = None
    if fill:
        rgba = [ctypes.c_uint() for _ in range(4)]
        if _fill_colour(obj, *map(ctypes.byref, rgba)):
            colour = tuple(v.value / 255 for v in rgba[:3])
    return _Paint(fill, stroke, colour)


def _classify(shape: str, pts: list, out: _Shapes, paint: _Paint) -> None:
    """pdfminer's PDFLayoutAnalyzer.paint_path for one subpath (a rect with its paint)."""
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
            out.rects.append((pts, paint))
        else:
            out.curves.append(pts)
    else:
        out.curves.append(pts)


def _walk(objs: list[_Ptr], mtx: Matrix, out: _Shapes, paths: list, depth: int) -> None:
    """Counts the images into `out`; the painted paths, with their matrices and paint, into
    `paths` (in drawing order, forms' included)."""
    m = R.FS_MATRIX()
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    pfill, pstroke, pm = ctypes.byref(fill), ctypes.byref(stroke), ctypes.byref(m)
    for obj, t in zip(objs, list(map(_object_type, objs))):
        if t == _OBJ_TEXT:
            out.texts.append(obj)
            continue
        if t == _OBJ_IMAGE:
            out.images += 1
        elif t == _OBJ_PATH:
            fill.value = stroke.value = 0
            _draw_mode(obj, pfill, pstroke)
            if fill.value or stroke.value:
                _object_matrix(obj, pm)
                paths.append((obj, mult((m.a, m.b, m.c, m.d, m.e, m.f), mtx),
                              _paint(obj, bool(fill.value), bool(stroke.value))))
        elif t == _OBJ_FORM and depth < MAX_FORM_DEPTH:
            _object_matrix(obj, pm)
            fm = mult((m.a, m.b, m.c, m.d, m.e, m.f), mtx)
            _walk(_handles(_form_object, obj, max(_form_objects(obj), 0)), fm, out, paths, depth + 1)


_OBJ_TEXT, _OBJ_IMAGE, _OBJ_PATH, _OBJ_FORM = (R.FPDF_PAGEOBJ_TEXT, R.FPDF_PAGEOBJ_IMAGE,
                                               R.FPDF_PAGEOBJ_PATH, R.FPDF_PAGEOBJ_FORM)


def _unread(obj: ctypes.c_void_p) -> bool:
    """Whether pdfium's text page leaves this text object out and it may hold a glyph:
    pdfium skips a text object whose bounds have no width, and the bounds come from the
    glyphs' outlines. A font that is not embedded is drawn with a font of the system:
    where none has the glyph (no Japanese font installed), a text object of one Japanese
    character has no width, and that character would be lost (pdfplumber, from the
    font's /W widths, has it). In an embedded font, no outline means a blank (a space)."""
    box = [ctypes.c_float() for _ in range(4)]
    if not _object_bounds(obj, *map(ctypes.byref, box)) or abs(box[2].value - box[0].value) >= UNREAD_WIDTH:
        return False
    font = _font_of(obj)
    return not (font and _font_embedded(ctypes.c_void_p(font)) == 1)


def read_shapes(page: pdfium.PdfPage) -> _Shapes:
    out = _Shapes()
    raw = ctypes.c_void_p(ctypes.cast(page.raw, ctypes.c_void_p).value)
    paths: list[tuple[_Ptr, Matrix, _Paint]] = []
    _walk(_handles(_page_object, raw, max(_page_objects(raw), 0)), IDENTITY, out, paths, 0)
    counts = [max(k, 0) for k in map(_segments, [p for p, _, _ in paths])]
    lo = 0
    while lo < len(paths):          # paths with up to SEGMENT_BATCH segments at a time (one more if longer)
        hi, n = lo + 1, counts[lo]
        while hi < len(paths) and n + counts[hi] <= SEGMENT_BATCH:
            n, hi = n + counts[hi], hi + 1
        segments = zip(*_segment_data([p for p, _, _ in paths[lo:hi]], counts[lo:hi]))
        for (_, pm, paint), k in zip(paths[lo:hi], counts[lo:hi]):
            for shape, pts in _subpaths(islice(segments, k), pm):
                if shape[:1] == "m" and len(shape) > 1:
                    _classify(shape, pts, out, paint)
        lo = hi
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
    rects = [{**plumber(p), "fill": paint.fill, "stroke": paint.stroke, "non_stroking_color": paint.colour}
             for p, paint in shapes.rects]
    curves = []
    for pts in shapes.curves:
        if len(pts) == 2:
            curves.append({"pts": [frame.from_miner(*frame.point(*p), *frame.point(*p))[:2] for p in pts]})
    return rulings_from(lines, rects, curves)


# ------------------------------------------------------------------ pages

def _dedupe(c: Chars) -> np.ndarray:
    """normalize.dedupe_indices (fake bold) on the page's characters, run only on those
    with a character of the same text and uprightness within its tolerance: the others are
    kept whatever happens, and no other character's fate depends on them."""
    kid = c.code | (c.upright.astype(np.int64) * _UPRIGHT)      # the key: text and uprightness
    keys, xs, ys = kid.tolist(), c.x0, c.top
    if not (np.isfinite(xs).all() and np.isfinite(ys).all()):
        return np.array(dedupe_indices(keys, xs.tolist(), ys.tolist(), DEDUPE_TOLERANCE), dtype=np.int64)
    order = np.lexsort((xs, kid))
    near = _near(kid[order], xs[order], ys[order], DEDUPE_TOLERANCE)
    crowded = np.zeros(len(keys), dtype=bool)
    crowded[order[near]] = True
    kept = ~crowded
    sub = np.flatnonzero(crowded)
    if len(sub):
        got = dedupe_indices([keys[i] for i in sub.tolist()], xs[sub].tolist(), ys[sub].tolist(),
                             DEDUPE_TOLERANCE)
        kept[sub[got]] = True
    return np.flatnonzero(kept)


def _near(kid: np.ndarray, xs: np.ndarray, ys: np.ndarray, tol: float) -> np.ndarray:
    """Which items (sorted by key, then x) may have another of their key within `tol` in x
    and y: each is compared with the next NEAR_SPAN in that order; past that, an item whose
    span of the same key within `tol` in x goes on is counted in (whatever its y)."""
    out = np.zeros(len(kid), dtype=bool)
    for s in range(1, NEAR_SPAN + 1):
        near = (kid[s:] == kid[:-s]) & (xs[s:] - xs[:-s] <= tol)
        if not near.any():
            break
        if s < NEAR_SPAN:
            near &= np.abs(ys[s:] - ys[:-s]) <= tol
        out[:-s] |= near
        out[s:] |= near
    return out



def read_page(page: pdfium.PdfPage, number: int, declared: dict[str, float] | None = None,
              contradicted: set[str] | frozenset = frozenset()) -> Page | None:
    """The page, or None where pdfium's text page leaves text out (_unread): read it with
    pdfplumber then (read_pages)."""
    l, b, r, t = page.get_mediabox()
    frame = page_frame((l, b, r, t), page.get_rotation())
    tp = page.get_textpage()
    try:
        c = read_chars(tp.raw, frame, declared, contradicted)
    finally:
        tp.close()
    shapes = read_shapes(page)
    # a text object without characters: blanks only, a fake-bold copy, or left out
    if len(shapes.texts) > c.objects and any(map(_unread, shapes.texts)):
        return None
    keep = _dedupe(c)
    codes, which, counts = np.unique(c.code[keep], return_inverse=True, return_counts=True)
    get = _CHAR_INFO.get
    info = [get(k) or _char_info(k) for k in codes.tolist()]
    raws, texts, bad, solid = zip(*info) if info else ((),) * 4
    garbled = sum(n for n, g in zip(counts.tolist(), bad) if g)
    solid = np.array(solid, dtype=bool)[which]    # blanks: no glyph
    if not solid.all():
        keep, which = keep[solid], which[solid]
    which = which.tolist()
    x0, x1, top, bottom = (col[keep] for col in (c.x0, c.x1, c.top, c.bottom))
    glyphs = glyph_rows(list(map(texts.__getitem__, which)), list(map(raws.__getitem__, which)),
                        x0.tolist(), x1.tolist(), top.tolist(), bottom.tolist(), c.size[keep].tolist(),
                        (((x0 + x1) / 2).tolist(), ((top + bottom) / 2).tolist()))
    return Page(number, frame.width, frame.height, glyphs, rulings(shapes, frame),
                n_images=shapes.images, n_garbled=garbled)


def mapped_bytes() -> int:
    """Bytes the process maps now (0 where /proc is not there)."""
    if resource is None:
        return 0
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError):
        return 0


def _address_space_left() -> float:
    """Bytes the process may still map under RLIMIT_AS (inf without a limit or off Linux):
    /proc is read only under a limit."""
    if resource is None:
        return math.inf
    soft = resource.getrlimit(resource.RLIMIT_AS)[0]
    if soft == resource.RLIM_INFINITY:
        return math.inf
    size = mapped_bytes()
    return soft - size if size else math.inf


def read_pages(path: str | Path, password: str | None = None, first: int = 0,
               last: int | None = None) -> list[Page]:
    """Every page of the PDF, or pages first..last-1 (0-based; fewer past the end); raises
    PdfError for a file that cannot be read."""
    with collect_warnings(Path(path).name):          # pdfminer's, counted as the other reader counts them
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
                out.append(read_page(page, i + 1, descents[i - first] if descents else None, pre.contradicted))
            finally:
                page.close()
    return _read_unread(path, password, first, out)


def _read_unread(path, password: str | None, first: int, pages: list[Page | None]) -> list[Page]:
    """The pages pdfium left text out of (None) read with pdfplumber, the reference reader
    (slower, and the same page). pdfplumber is loaded only then: a run that never needs
    it starts without it."""
    todo = [k for k, p in enumerate(pages) if p is None]
    if todo:
        from .marked import marked
        from .pdf import open_pdf, read_page as plumber_page
        with open_pdf(path, password) as doc:
            for k in todo:
                plain = doc.pages[first + k]
                page = marked(plain)
                try:
                    pages[k] = plumber_page(page)
                finally:
                    page.close()
                    plain.close()
    return pages
