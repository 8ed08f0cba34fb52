"""What is read with pdfminer's object parser before pdfium parses the pages (no content
stream is interpreted: a few milliseconds a file):

* the font descents the PDF declares (FontDescriptor /Descent), the way pdfminer reads them.
  pdfminer puts a character's box from descent to descent + font size, taking the descent
  from the font descriptor (0 when absent, negated when positive; the standard 14 fonts from
  their AFM). pdfium does the same when the descriptor has one but, when /Ascent and
  /Descent are both 0 (common in subset TrueType fonts), measures them on the embedded
  glyphs instead, which moves every box by up to ~0.1 em. So the declared values are read
  here, page by page and keyed by the font's name without its subset tag. A font whose name
  is ambiguous on its page, or a file pdfminer cannot walk, is simply absent: the reader
  then keeps pdfium's value.
* the fonts whose ToUnicode map contradicts their Unicode encoding (_contradicted), whose
  text the pdfium reader then takes as unmapped, as pdfminer reads it.
* decompression bombs: a page or form content stream, a font program or a ToUnicode map
  that inflates past MAX_INFLATED.
  pdfium aborts the whole process when an allocation fails (no MemoryError to catch), so
  such a file is refused before pdfium parses it, with the problem code pdfplumber's reader
  gives it under the memory limit (memory_limit).
"""
from __future__ import annotations

import os
import re
import zlib
from io import BytesIO
from dataclasses import dataclass, field
from pathlib import Path

from pdfminer.cmapdb import CMapParser, FileUnicodeMap
from pdfminer.fontmetrics import FONT_METRICS
from pdfminer.pdfdocument import LITERAL_OBJSTM, PDFDocument
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import LITERALS_FLATE_DECODE, PDFObjRef, PDFStream, dict_value, resolve1
from pdfminer.psparser import KWD, LIT, PSLiteral, literal_name

from .pdf_common import type3_descent

# Form XObjects nested deeper than this are not searched for fonts and bombs.
MAX_FORM_DEPTH = 32
# A content stream inflating past this is a decompression bomb (a sheet page needs < 1 MB).
MAX_INFLATED = 256 * 2**20
_CHUNK = 1 << 20
# Deflate cannot inflate a byte to more than 1032 (a 258-byte match in 2 bits): a stream
# shorter than MAX_INFLATED / DEFLATE_MAX_RATIO need not be inflated to be cleared (the
# ratio is rounded up for the zlib header and the last block's bits).
DEFLATE_MAX_RATIO = 1040


@dataclass
class Preflight:
    descents: list[dict[str, float]] = field(default_factory=list)  # per page, [] if unknown
    bomb: bool = False          # a content stream inflates past MAX_INFLATED
    contradicted: set[str] = field(default_factory=set)    # fonts (base names): _contradicted
_SUBSET = re.compile(r"^[A-Z]{6}\+")
# Predefined CMaps whose codes are Unicode code points (UCS-2, UTF-16).
_UNICODE_CMAP = re.compile(r"-(UCS2|UTF16)-")


def base_name(name: str) -> str:
    return _SUBSET.sub("", name)


def _type3_descent(spec: dict) -> float | None:
    """The descent of a Type3 font as pdf.py reads it (pdf_common.type3_descent), from the
    FontBBox of the FontDescriptor when there is one, else of the font."""
    desc = resolve1(spec.get("FontDescriptor"))
    bbox = resolve1(desc.get("FontBBox")) if isinstance(desc, dict) else resolve1(spec.get("FontBBox"))
    bbox = [resolve1(v) for v in bbox] if isinstance(bbox, list) and len(bbox) == 4 else [0, 0, 0, 0]
    matrix = resolve1(spec.get("FontMatrix"))
    matrix = [resolve1(v) for v in matrix] if isinstance(matrix, list) and len(matrix) == 6 else None
    if matrix is None or not all(isinstance(v, (int, float)) for v in bbox + matrix):
        return None
    return type3_descent(float(bbox[1]), float(bbox[3]), float(matrix[1]) + float(matrix[3]))


def _descriptor_descent(spec: dict) -> tuple[str, float] | None:
    subtype = literal_name(resolve1(spec.get("Subtype")) or "")
    name = resolve1(spec.get("BaseFont"))
    if name is None and subtype == "Type3":
        name = ""                   # pdfium names such a font "" too (Chromium's Type3 fonts)
    if name is None:
        return None
    name = literal_name(name) if not isinstance(name, (str, bytes)) else name
    name = name.decode("latin-1") if isinstance(name, bytes) else str(name)
    if subtype == "Type3":
        d = _type3_descent(spec)
        return None if d is None else (base_name(name), d)
    if subtype in ("Type1", "MMType1", "TrueType") and name in FONT_METRICS:
        return base_name(name), float(FONT_METRICS[name][0]["Descent"]) / 1000.0  # the standard 14: AFM
    desc = resolve1(spec.get("FontDescriptor"))
    if desc is None and "DescendantFonts" in spec:
        kids = resolve1(spec["DescendantFonts"])
        if isinstance(kids, list) and kids:
            kid = resolve1(kids[0])
            desc = resolve1(kid.get("FontDescriptor")) if isinstance(kid, dict) else None
    value = resolve1(desc.get("Descent", 0)) if isinstance(desc, dict) else 0
    if not isinstance(value, (int, float)):
        return None
    value = -value if value > 0 else value
    return base_name(name), value / 1000.0


def _contradicted(spec: dict) -> bool:
    """Whether a Type0 font's ToUnicode map gives an ASCII code another character than its
    encoding, a predefined Unicode CMap (UniJIS-UCS2-H: the code is the code point), does.
    Ghostscript writes such a map for a Japanese font it had to embed (a PDF printed again):
    digits as letters (0 -> O). (A map that gives kanji codes as Kangxi radicals, drawn
    with the same glyphs, is no contradiction.) pdfium reads the codes in the map by it and the others by
    the encoding (kanji right, digits wrong); pdfminer reads none (cid:N). Its text is not
    to be trusted: both readers take it as unmapped."""
    enc = resolve1(spec.get("Encoding"))
    tu = resolve1(spec.get("ToUnicode"))
    if literal_name(resolve1(spec.get("Subtype")) or "") != "Type0" or not isinstance(enc, PSLiteral) \
            or not _UNICODE_CMAP.search(literal_name(enc)) or not isinstance(tu, PDFStream) or inflates_past(tu):
        return False
    try:
        umap = FileUnicodeMap()
        CMapParser(umap, BytesIO(tu.get_data())).run()
    except Exception:       # a map pdfminer cannot read: its own reading stands
        return False
    return any(isinstance(k, int) and k < 0x80 and v != chr(k) for k, v in umap.cid2unichr.items())


def inflates_past(stream, limit: int = MAX_INFLATED) -> bool:
    """Whether a Flate-encoded stream inflates past `limit` bytes (counted, not kept)."""
    if not isinstance(stream, PDFStream) or stream.rawdata is None:
        return False
    filters = stream.get_filters()
    if not filters or filters[0][0] not in LITERALS_FLATE_DECODE:
        return False
    data = stream.rawdata
    if len(data) * DEFLATE_MAX_RATIO <= limit:
        return False
    if stream.decipher:
        data = stream.decipher(stream.objid, stream.genno, data, stream.attrs)
    d = zlib.decompressobj()
    total = 0
    try:
        while data and total <= limit:
            total += len(d.decompress(data, _CHUNK))
            data = d.unconsumed_tail
    except zlib.error:
        return False
    return total > limit


def _font_streams(spec: dict) -> list:
    """The streams pdfium inflates to read a font's text: ToUnicode and the font programs."""
    out = [resolve1(spec.get("ToUnicode"))]
    descs = [resolve1(spec.get("FontDescriptor"))]
    kids = resolve1(spec.get("DescendantFonts"))
    if isinstance(kids, list) and kids and isinstance(resolve1(kids[0]), dict):
        descs.append(resolve1(resolve1(kids[0]).get("FontDescriptor")))
    for d in descs:
        if isinstance(d, dict):
            out += [resolve1(d.get(k)) for k in ("FontFile", "FontFile2", "FontFile3")]
    return [x for x in out if isinstance(x, PDFStream)]


def _fonts(resources, out: dict[str, set], depth: int, streams: list | None, contradicted: set[str]) -> None:
    """The declared descents of the fonts of `resources` (and of its forms') into `out`,
    their streams and the forms' into `streams` (None: not collected), the names of those
    whose ToUnicode map contradicts their encoding into `contradicted`."""
    resources = resolve1(resources)
    if not isinstance(resources, dict):
        return
    fonts = resolve1(resources.get("Font"))
    if isinstance(fonts, dict):
        for spec in fonts.values():
            spec = resolve1(spec)
            if isinstance(spec, dict):
                got = _descriptor_descent(spec)
                if got:
                    out.setdefault(got[0], set()).add(got[1])
                    if _contradicted(spec):
                        contradicted.add(got[0])
                if streams is not None:
                    streams += _font_streams(spec)
    xobjs = resolve1(resources.get("XObject"))
    if isinstance(xobjs, dict) and depth < MAX_FORM_DEPTH:
        for x in xobjs.values():
            x = resolve1(x)
            attrs = getattr(x, "attrs", None)
            if isinstance(attrs, dict) and literal_name(resolve1(attrs.get("Subtype")) or "") == "Form":
                if streams is not None:
                    streams.append(x)
                _fonts(attrs.get("Resources"), out, depth + 1, streams, contradicted)


def _key(stream) -> object:
    return stream.objid if stream.objid is not None else id(stream)


# ------------------------------------------------------------------ object streams
# pdfminer parses a whole object stream token by token in Python the first time one of its
# objects is asked for (most of the preflight's time). The common case (numbers, names,
# references, simple strings, arrays and dictionaries) is parsed here with one regular
# expression a token, to the very objects pdfminer builds; anything else (escapes,
# procedures, odd syntax) is left to pdfminer's parser.

_DELIM = rb"(?=[\t\n\x0c\r ()<>\[\]{}/%]|\Z)"
_TOKEN = re.compile(
    rb"(?:[\t\n\x0c\r ]++|%[^\r\n]*+)*+"                        # blanks, comments before it
    rb"(?:\Z"                                                   # 0: the end
    rb"|([0-9]+(?:[\t\n\x0c\r ]+[0-9]+)*)" + _DELIM +           # 1: integers (/Widths)
    rb"|([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))" + _DELIM +       # 2: number
    rb"|/([^\t\n\x0c\r ()<>\[\]{}/%#]*)" + _DELIM +             # 3: name (no # escape)
    rb"|(<<|>>|\[|\])"                                          # 4: brackets
    rb"|<([0-9A-Fa-f\t\n\x0c\r ]*)>"                            # 5: hex string
    rb"|\(([^()\\]*)\)"                                         # 6: plain string
    rb"|(R|true|false|null)" + _DELIM + rb")")                  # 7: keywords
_HEX_BLANKS = re.compile(rb"[\t\n\x0c\r ]")
# as PDFStreamParser: null stays a keyword (PDFParser would make it None)
_KEYWORDS = {b"true": True, b"false": False, b"null": KWD(b"null")}


class _Unsupported(Exception):
    """Syntax left to pdfminer's own parser."""


def _atom(m: re.Match) -> object:
    k = m.lastindex
    if k == 2:
        t = m.group(2)
        return float(t) if b"." in t else int(t)
    if k == 5:
        digits = _HEX_BLANKS.sub(b"", m.group(5))
        if len(digits) % 2:
            raise _Unsupported
        return bytes.fromhex(digits.decode("ascii"))
    return m.group(6)


def _close(doc, stack: list[list], token: bytes) -> None:
    items = stack.pop()
    kind = items.pop(0)
    if kind != token or not stack:
        raise _Unsupported
    if kind == b">>":
        if len(items) % 2 or not all(isinstance(k, PSLiteral) for k in items[::2]):
            raise _Unsupported
        value: object = {k.name: v for k, v in zip(items[::2], items[1::2])}
    else:
        value = items
    stack[-1].append(value)


def _reference(doc, top: list) -> None:
    if len(top) < 3 or type(top[-1]) is not int or type(top[-2]) is not int or top[-2] <= 0:
        raise _Unsupported
    objid = top[-2]
    del top[-2:]
    top.append(PDFObjRef(doc, objid))


def parse_object_stream(doc, data: bytes) -> list[object]:
    """The objects pdfminer's PDFStreamParser reads from an object stream's data, in order
    (the 2N header numbers first); _Unsupported where its syntax is not handled here."""
    if b"\\" in data or b"\x00" in data or b"\x0b" in data:
        raise _Unsupported
    stack: list[list] = [[None]]            # the top level, then the open arrays and dictionaries
    names: dict[bytes, PSLiteral] = {}      # LIT's, for the names met again
    match, pos, end = _TOKEN.match, 0, len(data)
    while pos < end:
        m = match(data, pos)
        if m is None:
            raise _Unsupported
        pos = m.end()
        k = m.lastindex
        if k == 3:                          # the commonest token
            name = m.group(3)
            lit = names.get(name)
            if lit is None:
                lit = names[name] = LIT(name.decode("utf-8"))   # UnicodeDecodeError: pdfminer's parser
            stack[-1].append(lit)
        elif k is None:
            continue
        elif k == 1:
            stack[-1].extend(map(int, m.group(1).split()))
        elif k == 4:
            t = m.group(4)
            if t in (b"<<", b"["):
                stack.append([b">>" if t == b"<<" else b"]"])
            else:
                _close(doc, stack, t)
        elif k == 7:
            t = m.group(7)
            if t == b"R":
                if len(stack) < 2:
                    raise _Unsupported
                _reference(doc, stack[-1])
            else:
                stack[-1].append(_KEYWORDS[t])
        else:
            stack[-1].append(_atom(m))
    if len(stack) != 1:
        raise _Unsupported
    return stack[0][1:]


# An indirect object (outside object streams) is read this many bytes at a time (times 8
# while its endobj is not in), up to PLAIN_OBJECT_MAX; a longer one is left to pdfminer.
PLAIN_OBJECT_READ = 4096
PLAIN_OBJECT_MAX = 1 << 18
_OBJ_HEAD = re.compile(rb"[\t\n\x0c\r ]*([0-9]+)[\t\n\x0c\r ]+[0-9]+[\t\n\x0c\r ]+obj(?=[\t\n\x0c\r ()<>\[\]/%])")
# the end of a plain object, or the keyword of a stream (left to pdfminer)
_OBJ_END = re.compile(rb"(?<=[\t\n\x0c\r >\]])endobj(?=[\t\n\x0c\r ]|\Z)|stream")


class _Truncated(_Unsupported):
    """The data ends before the object does."""


def parse_plain_object(doc, data: bytes, objid: int) -> object:
    """The object pdfminer's PDFParser reads from `data` ("objid gen obj ... endobj"):
    _Truncated when the data ends first, _Unsupported where it is not plain (a stream; a
    null, which PDFParser reads unlike an object stream; another object id; odd syntax)."""
    head = _OBJ_HEAD.match(data)
    if head is None or int(head.group(1)) != objid:
        raise _Unsupported
    end = _OBJ_END.search(data, head.end())
    if end is None:
        raise _Truncated
    body = data[head.end():end.start()]
    if end.group() == b"stream" or b"null" in body:
        raise _Unsupported
    got = parse_object_stream(doc, body)
    if len(got) != 1:
        raise _Unsupported
    return got[0]


class _Document(PDFDocument):
    """PDFDocument parsing its object streams with parse_object_stream, and its other
    objects with parse_plain_object, where it can (pdfminer's parser, in Python token by
    token, spent most of a preflight on the fonts' /W arrays)."""

    def _get_objects(self, stream: PDFStream) -> tuple[list[object], int]:
        if stream.get("Type") is LITERAL_OBJSTM and "N" in stream:
            try:
                return parse_object_stream(self, stream.get_data()), stream["N"]
            except (_Unsupported, UnicodeDecodeError, ValueError):
                pass
        return super()._get_objects(stream)

    def _getobj_parse(self, pos: int, objid: int) -> object:
        size = PLAIN_OBJECT_READ
        while size <= PLAIN_OBJECT_MAX:
            data = self._read_at(pos, size)
            try:
                return parse_plain_object(self, data, objid)
            except _Truncated:
                if len(data) < size:
                    break
                size *= 8
            except (_Unsupported, UnicodeDecodeError, ValueError):
                break
        return super()._getobj_parse(pos, objid)

    def _read_at(self, pos: int, size: int) -> bytes:
        fp = self._parser.fp
        back = fp.tell()            # pdfminer's parser reads on from where the file is
        try:
            fp.seek(pos)
            return fp.read(size)
        finally:
            fp.seek(back)


class _PageRef(PDFPage):
    """A page as PDFPage.create_pages finds it, not built yet: building one resolves its
    resources and content streams, which the pages before a range's first need not (a
    range at page 500 of a combined file built 500 pages first)."""

    def __init__(self, doc, pageid, attrs, label):      # noqa: super().__init__ in build()
        self.args = (doc, pageid, attrs, label)

    def build(self) -> PDFPage:
        return PDFPage(*self.args)

    def resources(self) -> object:
        """The page's resources as PDFPage reads them, without building the page: that also
        reads its content streams (each a stream object pdfminer parses token by token, a
        third of a preflight), which only the bomb check needs."""
        return resolve1(dict_value(self.args[2]).get("Resources", {}))


def preflight(path: str | Path, password: str | None = None, first: int = 0,
              last: int | None = None) -> Preflight:
    """Per page the declared font descents (font name without subset tag -> descent as a
    fraction of the font size), and whether a content stream is a bomb; an empty
    Preflight when the file cannot be walked. Only pages first..last-1 (0-based) are
    looked at, and `descents` lists those."""
    out = Preflight()
    checked: set = set()          # streams already inflated (fonts are shared by pages)
    try:
        # no stream of a file this short can inflate past MAX_INFLATED: none is looked at
        bombs = os.path.getsize(path) * DEFLATE_MAX_RATIO > MAX_INFLATED
        with open(path, "rb") as f:
            doc = _Document(PDFParser(f), password=password or "")
            for i, ref in enumerate(_PageRef.create_pages(doc)):
                if i < first:
                    continue
                if last is not None and i >= last:
                    break
                if bombs:
                    page = ref.build()
                    resources, streams = page.resources, list(page.contents)
                else:
                    resources, streams = ref.resources(), None
                found: dict[str, set] = {}
                _fonts(resources, found, 0, streams, out.contradicted)
                out.descents.append({k: next(iter(v)) for k, v in found.items() if len(v) == 1})
                if streams is None:
                    continue
                fresh = [x for x in streams if _key(x) not in checked]
                checked.update(_key(x) for x in fresh)
                if any(inflates_past(x) for x in fresh):
                    return Preflight(out.descents, bomb=True, contradicted=out.contradicted)
    except Exception:              # RecursionError included
        return Preflight()
    return out
