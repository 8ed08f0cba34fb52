"""Open a PDF and turn each page into glyphs and ruling lines; closes what it opens."""
from __future__ import annotations

import contextlib
import functools
import re
from pathlib import Path
from typing import Iterator

import pdfplumber
from pdfminer.layout import LTChar
from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer.pdftypes import resolve1
from pdfminer.psparser import PSLiteral
from pdfplumber.page import Page as PlumberPage
from pdfplumber.page import PDFPageAggregatorWithMarkedContent
from pdfplumber.utils.exceptions import PdfminerException
from pdfminer.utils import decode_text

from .logs import collect_warnings
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
    pdfminer's warnings while the file is open are counted, not printed (logs.py)."""
    with collect_warnings(Path(path).name):
        try:
            pdf = pdfplumber.open(path, password=password or "")
            _ = pdf.pages  # forces the page tree to be parsed
        except Exception as exc:  # pdfminer raises a zoo of types for broken files
            raise classify(exc) from exc
        try:
            yield pdf
        finally:
            pdf.close()


# --------------------------------------------------------------------------- /ActualText
# A producer whose font has one glyph for several code points (・ and ‧, 長 and ⻑) writes
# the lowest one into the ToUnicode map and the typed character into a marked-content span
# around the glyph: `/Span <</ActualText (…)>> BDC … EMC`. pdfminer ignores /ActualText;
# the device below notes, for every char drawn, the outermost span with an /ActualText it
# lies in, and the page hands it on as the char's `actual_text` (span number, text).


class _ActualTextDevice(PDFPageAggregatorWithMarkedContent):
    def __init__(self, *args, properties=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.properties = properties if isinstance(properties, dict) else {}
        self.span_of: dict[int, tuple[int, str]] = {}   # id(LTChar) -> (span number, text)
        self._stack: list[tuple[int, str] | None] = []  # the active span before each BDC/BMC
        self._active: tuple[int, str] | None = None
        self._n = 0

    def begin_tag(self, tag, props=None) -> None:
        super().begin_tag(tag, props)
        self._stack.append(self._active)
        if self._active is None:     # the outermost /ActualText replaces all inside it
            text = actual_text(props, self.properties)
            if text is not None:
                self._n += 1
                self._active = (self._n, text)

    def end_tag(self) -> None:
        super().end_tag()
        if self._stack:              # an unbalanced EMC closes nothing
            self._active = self._stack.pop()

    def render_char(self, *args, **kwargs) -> float:
        adv = super().render_char(*args, **kwargs)
        if self._active is not None and self.cur_item._objs:
            self.span_of[id(self.cur_item._objs[-1])] = self._active
        return adv


def actual_text(props, properties: dict) -> str | None:
    """The /ActualText of a BDC property list (inline, or named in the page's /Properties)."""
    if isinstance(props, PSLiteral):
        props = resolve1(properties.get(props.name))
    if not isinstance(props, dict) or "ActualText" not in props:
        return None
    v = resolve1(props["ActualText"])
    if isinstance(v, bytes):
        return decode_text(v)
    return v if isinstance(v, str) else None


class MarkedPage(PlumberPage):
    """A pdfplumber page whose chars carry `actual_text` where they lie in an /ActualText
    span. Same single pass over the content stream as pdfplumber's own page."""

    @property
    def layout(self):
        if hasattr(self, "_layout"):
            return self._layout
        res = resolve1(self.page_obj.resources) if self.page_obj.resources else {}
        props = resolve1(res.get("Properties")) if isinstance(res, dict) else None
        device = _ActualTextDevice(self.pdf.rsrcmgr, pageno=self.page_number,
                                   laparams=self.pdf.laparams, properties=props)
        interpreter = PDFPageInterpreter(self.pdf.rsrcmgr, device)
        try:
            interpreter.process_page(self.page_obj)
        except Exception as e:
            raise PdfminerException(e)
        self._span_of = device.span_of
        self._layout = device.get_result()
        return self._layout

    def process_object(self, obj):
        attr = super().process_object(obj)
        if isinstance(obj, LTChar):
            span = self._span_of.get(id(obj))
            if span is not None:
                attr["actual_text"] = span
        return attr


def marked(page) -> MarkedPage:
    """`page` (of pdfplumber) as a MarkedPage; its layout is not read yet."""
    if isinstance(page, MarkedPage):
        return page
    return MarkedPage(page.pdf, page.page_obj, page_number=page.page_number,
                      initial_doctop=page.initial_doctop)


def apply_actual_text(chars: list[dict]) -> list[dict]:
    """Chars with the text of their /ActualText span: one character each where the span has
    as many characters as glyphs; otherwise the span's first glyph takes the whole text over
    the span's box and the others are dropped (an empty /ActualText drops them all)."""
    out: list[dict] = []
    i = 0
    while i < len(chars):
        span = chars[i].get("actual_text")
        if span is None:
            out.append(chars[i])
            i += 1
            continue
        j = i
        while j < len(chars) and chars[j].get("actual_text") == span:
            j += 1
        group, text = chars[i:j], span[1]
        if len(text) == len(group):
            out += [dict(c, text=t) for c, t in zip(group, text)]
        elif text:
            out.append(dict(group[0], text=text,
                            x0=min(c["x0"] for c in group), x1=max(c["x1"] for c in group),
                            top=min(c["top"] for c in group), bottom=max(c["bottom"] for c in group)))
        i = j
    return out


def _rulings(page) -> list[Ruling]:
    out = []
    for ln in page.lines:
        out.append(Ruling(ln["x0"], ln["top"], ln["x1"], ln["bottom"]))
    for r in page.rects:
        x0, top, x1, bottom = r["x0"], r["top"], r["x1"], r["bottom"]
        if bottom - top < _THIN or x1 - x0 < _THIN:
            out.append(Ruling(x0, top, x1, bottom))
        else:   # a cell border or shading: its four edges bound cells
            out += [Ruling(x0, top, x1, top), Ruling(x0, bottom, x1, bottom),
                    Ruling(x0, top, x0, bottom), Ruling(x1, top, x1, bottom)]
    for e in page.curves:
        pts = e.get("pts") or []
        if len(pts) == 2:
            (ax, ay), (bx, by) = pts
            out.append(Ruling(min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)))
    return [r for r in out if (r.x1 - r.x0) < _THIN or (r.bottom - r.top) < _THIN]


def is_garbled_char(text: str) -> bool:
    return text.startswith("(cid:") or "\ufffd" in text


# Pages repeat a few thousand distinct characters: normalize each once.
_norm_char = functools.lru_cache(maxsize=16384)(normalize_text)


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
        text = _norm_char(raw)
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
