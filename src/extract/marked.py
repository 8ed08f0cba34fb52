"""Marked content in the pdfplumber path: the /ActualText of spans, which pdfminer ignores.

A producer whose font has one glyph for several code points (・ and ‧, 長 and ⻑) writes
the lowest one into the ToUnicode map and the typed character into a marked-content span
around the glyph: `/Span <</ActualText (…)>> BDC … EMC` (PDF 32000-1, 14.9.4). The device
below notes, for every char drawn, the outermost span with an /ActualText it lies in, in the
same single pass over the content stream as pdfplumber's own; the page hands it on as the
char's `actual_text` (span number, text), and `apply_actual_text` gives the chars that text.
Property lists named in a Form XObject's own /Properties are not looked up (the page's are).
"""
from __future__ import annotations

from pdfminer.layout import LTChar
from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer.pdftypes import resolve1
from pdfminer.psparser import PSLiteral
from pdfminer.utils import decode_text
from pdfplumber.page import Page as PlumberPage
from pdfplumber.page import PDFPageAggregatorWithMarkedContent
from pdfplumber.utils.exceptions import PdfminerException


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
            span = getattr(self, "_span_of", {}).get(id(obj))
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
