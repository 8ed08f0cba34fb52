"""A PDF written byte by byte, for tests of what a text layer says rather than what it shows.

    text_layer_pdf(path, lines)

draws each line of `lines` (top to bottom) as runs left to right. A run is
`Run(chars, actual=None, named=False)`: `chars` go into the text layer (through the font's
ToUnicode map, so any code point can be written: ‧ for ・, ⻑ for 長), and `actual`, when
given, wraps the run in a marked-content span `/Span <</ActualText (…)>> BDC … EMC`, as
browsers and office suites do where a font shares one glyph between several code points
(`named`: the property list is a name in the page's /Properties instead of inline).

The font is a Type0 font with Identity-H encoding and no font program (viewers substitute
one); each distinct character gets its own CID. Standard library only.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SIZE = 12.0         # font size in pt
LEAD = 20.0         # line distance in pt
LEFT, TOP = 72.0, 72.0
PAGE = (595.0, 842.0)


@dataclass(frozen=True)
class Run:
    chars: str
    actual: str | None = None
    named: bool = False
    inner: str | None = None    # an /ActualText span nested inside this one (its text)


def _utf16(s: str) -> str:
    return "<FEFF" + s.encode("utf-16-be").hex().upper() + ">"


def _cmap(cids: dict[str, int]) -> bytes:
    rows = "\n".join(f"<{cid:04X}> <{ch.encode('utf-16-be').hex().upper()}>" for ch, cid in cids.items())
    return ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
            f"{len(cids)} beginbfchar\n{rows}\nendbfchar\n"
            "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n").encode("ascii")


def _content(lines: list[list[Run]], cids: dict[str, int]) -> tuple[bytes, dict[str, str]]:
    ops, props = [], {}
    for i, runs in enumerate(lines):
        ops.append(f"BT /F1 {SIZE} Tf 1 0 0 1 {LEFT} {PAGE[1] - TOP - i * LEAD - SIZE} Tm")
        for run in runs:
            codes = "<" + "".join(f"{cids[c]:04X}" for c in run.chars) + ">"
            if run.actual is None:
                ops.append(f"{codes} Tj")
                continue
            if run.named:
                name = f"P{len(props)}"
                props[name] = f"<< /ActualText {_utf16(run.actual)} >>"
                ops.append(f"/Span /{name} BDC")
            else:
                ops.append(f"/Span << /ActualText {_utf16(run.actual)} >> BDC")
            if run.inner is not None:
                ops.append(f"/Span << /ActualText {_utf16(run.inner)} >> BDC {codes} Tj EMC")
            else:
                ops.append(f"{codes} Tj")
            ops.append("EMC")
        ops.append("ET")
    return ("\n".join(ops) + "\n").encode("ascii"), props


def text_layer_pdf(path: str | Path, lines: list[list[Run]], font_bbox: bool = True) -> Path:
    """Write a one-page PDF with `lines` of runs; returns the path. `font_bbox=False` leaves
    /FontBBox out of the font descriptor, as Chromium does (pdfminer warns about it)."""
    cids: dict[str, int] = {}
    for runs in lines:
        for run in runs:
            for ch in run.chars:
                cids.setdefault(ch, len(cids) + 1)
    content, props = _content(lines, cids)
    cmap = _cmap(cids)
    prop_dict = " ".join(f"/{k} {v}" for k, v in props.items())
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE[0]} {PAGE[1]}] /Contents 4 0 R "
         f"/Resources << /Font << /F1 5 0 R >> /Properties << {prop_dict} >> >> >>").encode("ascii"),
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"endstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /TestGothic /Encoding /Identity-H "
        b"/DescendantFonts [6 0 R] /ToUnicode 8 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /TestGothic /CIDToGIDMap /Identity "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
        b"/FontDescriptor 7 0 R /DW 1000 >>",
        b"<< /Type /FontDescriptor /FontName /TestGothic /Flags 4 "
        + (b"/FontBBox [0 -120 1000 880] " if font_bbox else b"") + b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>",
        b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"endstream",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    path = Path(path)
    path.write_bytes(bytes(out))
    return path
