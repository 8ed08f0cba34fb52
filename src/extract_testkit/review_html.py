"""Review sheets (行政事業レビューシート) as HTML, printed to PDF by headless Chromium: the
review family from a second producer (review_render.py draws them with reportlab; the dev set
is LibreOffice Calc's).

    review_html(specs, style) -> list[str]            # one HTML document a sheet
    render_review_chromium(specs, path, style)        # -> list[RenderedSheet]; needs chromium

The grid is review_render.SheetBuilder's (the same blocks, rows, spans and column edges), written
as one HTML table a block, with colspan and rowspan; the browser wraps the texts, sizes the rows
and breaks the pages itself, paints the fills and the cell borders its own way, and writes its
own text layer (font subsets, /ActualText). Each sheet is printed on its own and the prints are
joined page by page with pypdf (combine.py's way), so that each sheet's pages are known for its
truth.

Style knobs (REVIEW_HTML_KNOBS): review_render's KNOBS, with `font` one of render_html's FONTS
(noto-sans, noto-serif) and
    fake_bold       labels and the title painted twice (a text-shadow 0.3 pt to the right:
                    Skia draws the text again, so the text layer has each character twice)
    furniture       a running header (年度 + 行政事業レビュー, ministry) and a "- N -" footer in
                    the page's margin boxes
    split           "break" (rows break across pages) | "whole" (a row that does not fit moves
                    to the next page)
"""
from __future__ import annotations

import html
import random
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from .render_html import FONTS, print_pdf
from .review_render import (KANGXI, KNOBS, LEAD, PAD, RULE_WIDTH, SIZE_FURNITURE, SIZE_NOTE,
                            Block, Cell, Layout, RenderedSheet, ReviewStyle, SheetBuilder,
                            printed_spec)

HTML_FONTS = ["noto-sans", "noto-serif"]
REVIEW_HTML_KNOBS: dict[str, list] = {**KNOBS, "font": HTML_FONTS, "split": ["break", "whole"]}
REVIEW_HTML_DEFAULT = {"font": "noto-sans", "split": "break"}
# review_render's face for the same knob (its metrics only decide where SheetBuilder wraps,
# which the browser does again)
_FACE = {"noto-sans": "goth", "noto-serif": "min"}
PAGES = {"A4": "A4", "B4": "257mm 364mm", "Letter": "letter"}     # B4: the JIS size, as review_render
EDGE_DIGITS = 2         # column edges closer than 10**-2 pt are one edge


def _style(style: dict | None) -> tuple[ReviewStyle, dict]:
    st = dict(REVIEW_HTML_DEFAULT)
    st.update(style or {})
    for k in ("font", "split"):
        if st[k] not in REVIEW_HTML_KNOBS[k]:
            raise ValueError(f"style {k}={st[k]!r}: one of {REVIEW_HTML_KNOBS[k]}")
    base = {k: v for k, v in st.items() if k not in ("font", "split")}
    return ReviewStyle.from_dict({**base, "font": _FACE[st["font"]]}), st


def _esc(s: str) -> str:
    return html.escape(s, quote=False)


def _printed(text: str, kangxi: bool) -> str:
    if kangxi:
        text = "".join(KANGXI.get(ch, ch) for ch in text)
    return "<br>".join(_esc(line) for line in text.split("\n"))


def _kangxi(rs: ReviewStyle, role: str) -> bool:
    return rs.kangxi == "all" or (rs.kangxi == "labels" and role in ("label", "title"))


def _rgb(fill: tuple) -> str:
    return "rgb(" + ",".join(str(round(255 * v)) for v in fill) + ")"


def _td(c: Cell, colspan: int, rowspan: int, rs: ReviewStyle) -> str:
    classes = [c.role, c.align] + (["framed"] if c.frame else [])
    attrs = f' class="{" ".join(classes)}"'
    if colspan > 1:
        attrs += f' colspan="{colspan}"'
    if rowspan > 1:
        attrs += f' rowspan="{rowspan}"'
    css = [f"font-size:{c.size}pt"]
    if c.fill:
        css.append(f"background:{_rgb(c.fill)}")
    body = _printed(c.text, _kangxi(rs, c.role))
    if c.note:
        body += f'<br><span class="note">{_printed("".join(c.note), _kangxi(rs, c.role))}</span>'
    return f'<td{attrs} style="{";".join(css)}">{body}</td>'


def _block_table(b: Block, left: float, rs: ReviewStyle) -> str:
    """One block as a table: a column between each two neighbouring cell edges."""
    edges = sorted({round(x, EDGE_DIGITS) for s in b.spans for x in (s.cell.x0, s.cell.x1)})
    col = {x: i for i, x in enumerate(edges)}
    starts: dict[int, list] = {}
    for s in b.spans:
        starts.setdefault(s.first, []).append(s)
    taken: set[tuple[int, int]] = set()
    rows = []
    for r in range(b.nrows):
        tds, c = [], 0
        here = {col[round(s.cell.x0, EDGE_DIGITS)]: s for s in starts.get(r, [])}
        while c < len(edges) - 1:
            if (r, c) in taken:
                c += 1
                continue
            s = here.get(c)
            if s is None:           # nothing printed here: an empty, unframed slot
                tds.append('<td class="gap"></td>')
                c += 1
                continue
            c1 = col[round(s.cell.x1, EDGE_DIGITS)]
            taken.update((rr, cc) for rr in range(s.first, s.last + 1) for cc in range(c, c1))
            tds.append(_td(s.cell, c1 - c, s.last - s.first + 1, rs))
            c = c1
        rows.append(f'<tr>{"".join(tds)}</tr>')
    cols = "".join(f'<col style="width:{b - a:.2f}pt">' for a, b in zip(edges, edges[1:]))
    classes = ["block"] + (["new-page"] if b.new_page else [])
    for i in sorted(b.breaks):
        rows[i] = rows[i].replace("<tr>", '<tr class="break">', 1)
    margin = f"margin-top:{b.gap:.1f}pt;" if b.gap else ""
    return (f'<table class="{" ".join(classes)}" style="{margin}margin-left:{edges[0] - left:.2f}pt">'
            f'<colgroup>{cols}</colgroup>{"".join(rows)}</table>')


def _css(rs: ReviewStyle, st: dict, meta: dict) -> str:
    rule = f"{RULE_WIDTH}pt solid #000"
    frame = (f"border: {rule};" if rs.borders == "full"
             else f"border-top: {rule}; border-bottom: {rule};")
    bold = "text-shadow: 0.3pt 0 0 #000;" if rs.fake_bold else ""
    keep = "break-inside: avoid;" if st["split"] == "whole" else ""
    furniture = ""
    if rs.furniture:
        left = _esc(f"{meta['year_label']}行政事業レビュー").replace('"', "")
        right = _esc(meta["ministry"]).replace('"', "")
        box = f'font-family: "{FONTS[st["font"]]}"; font-size: {SIZE_FURNITURE}pt;'
        furniture = (f'@top-left {{ content: "{left}"; {box} }} '
                     f'@top-right {{ content: "{right}"; {box} }} '
                     f'@bottom-center {{ content: "- " counter(page) " -"; {box} }}')
    return f"""
@page {{ size: {PAGES[rs.page]}; margin: {rs.margin_mm}mm; {furniture} }}
html {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
body {{ font-family: "{FONTS[st['font']]}"; line-height: {LEAD}; margin: 0; }}
table {{ border-collapse: collapse; border-spacing: 0; table-layout: fixed; width: auto; }}
table.new-page {{ break-before: page; }}
tr {{ height: 12.5pt; {keep} }}
tr.break {{ break-before: page; }}
td {{ padding: {PAD}pt; vertical-align: middle; text-align: left; word-break: break-all;
      overflow-wrap: anywhere; }}
td.framed {{ {frame} }}
td.label, td.title {{ {bold} }}
td.center {{ text-align: center; }}
td.right {{ text-align: right; }}
.note {{ font-size: {SIZE_NOTE}pt; }}
"""


def review_html(specs: list[dict], style: dict | None = None) -> list[tuple[str, dict]]:
    """[(HTML document, the sheet's truth spec)] of `specs`, a document a sheet."""
    rs, st = _style(style)
    out = []
    for spec in specs:
        sp = printed_spec(spec, rs)
        lay = Layout(rs)
        lay.new_page()
        meta = {"year_label": sp.get("review_year_label") or "", "ministry": sp.get("ministry", "")}
        tables = "".join(_block_table(b, lay.L, rs) for b in SheetBuilder(sp, rs, lay).blocks())
        doc = (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">'
               f"<title>行政事業レビューシート</title><style>{_css(rs, st, meta)}</style></head>"
               f"<body>{tables}</body></html>")
        out.append((doc, sp))
    return out


def render_review_chromium(specs: list[dict], path, style: dict | None = None) -> list[RenderedSheet]:
    """Print each sheet with Chromium and join the prints into `path`."""
    return print_each(review_html(specs, style), path, print_pdf)


def print_each(docs: list[tuple[str, dict]], path, print_one) -> list[RenderedSheet]:
    """Each (document, truth spec) printed on its own by print_one(document, pdf path) and
    the prints joined page by page into `path` with pypdf (one print copied as it is): the
    sheets as rendered, with their pages."""
    from pypdf import PdfReader, PdfWriter
    out, parts, page = [], [], 0
    with tempfile.TemporaryDirectory(prefix="extract-review-print-") as tmp:
        for i, (doc, sp) in enumerate(docs):
            part = print_one(doc, Path(tmp) / f"sheet-{i}.pdf")
            n = len(PdfReader(part).pages)
            out.append(RenderedSheet(sp, list(range(page + 1, page + n + 1)), []))
            parts.append(part)
            page += n
        if len(parts) == 1:             # as the program wrote it
            shutil.copyfile(parts[0], path)
            return out
        writer = PdfWriter()
        for part in parts:
            writer.append(str(part))
        with open(path, "wb") as fh:
            writer.write(fh)
    return out


def random_html_style(rnd: random.Random) -> dict:
    """A style with every knob drawn at random (for sweeps)."""
    return {k: rnd.choice(v) for k, v in REVIEW_HTML_KNOBS.items()}


def as_review_style(style: dict) -> dict:
    """The style as the truth file's `render` records it."""
    rs, st = _style(style)
    return {**replace(rs).as_dict(), "font": st["font"], "split": st["split"]}
