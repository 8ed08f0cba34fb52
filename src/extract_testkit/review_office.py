"""Review sheets (行政事業レビューシート) as a LibreOffice Calc worksheet exported to PDF: the
review family made the way the dev set and real sheets are made (an Excel-like grid printed to
PDF), in styles the dev set does not show.

    review_fods(specs, style) -> list[(flat ODF spreadsheet, the sheet's truth spec)]
    render_review_calc(specs, path, style)   # -> list[RenderedSheet]; needs `soffice`

The grid is review_render.SheetBuilder's (the same blocks, rows, spans and cell edges), laid
on one worksheet: a column between each two neighbouring cell edges of the whole sheet, a row
a grid row, merged cells for spans, a short empty row for the space between two blocks. Calc
wraps the texts, draws the borders and fills its own way, breaks the pages between rows
(a merged cell across a break is cut, as Excel prints it) and writes its own text layer.
Row heights are set (as a sheet's author sets them, not Calc's optimal height, which ignores
merged cells) from the wrapped lines with the font's own line height and some slack, so no
text is clipped. Each sheet is exported on its own and the exports joined page by page with
pypdf, so that each sheet's pages are known for its truth.

Style knobs (REVIEW_CALC_KNOBS): review_render's KNOBS, with `font` one of render_office's
FONTS (IPAex Mincho/Gothic, Noto Serif/Sans CJK JP; a style may also name CALC_FONTS' four more:
IPA Mincho/Gothic, Takao P Mincho, VL P Gothic), and `fake_bold` as a text shadow on labels
and the title (LibreOffice draws the text twice); `furniture` is the page header (年度 +
行政事業レビュー, ministry) and a "- N -" footer.
"""
from __future__ import annotations

import random
from dataclasses import replace
from xml.sax.saxutils import escape

from .render_office import _NS, FONTS, export_pdf
from .render import wrap
from .review_html import _kangxi, print_each
from .review_render import (KANGXI, KNOBS, PAD, RULE_WIDTH, SIZE_FURNITURE, SIZE_NOTE, Block, Cell,
                            Layout, RenderedSheet, ReviewStyle, SheetBuilder, printed_spec)

# borders "horizontal" is left out: Calc paints neighbouring cells of one fill as one
# rectangle cut into row bands, whose edges then cross merged label cells where no rule
# parts them (README, known limitations); review_fods still draws it when asked.
# render_office's fonts and four more a style may name (Debian: fonts-ipafont-mincho
# fonts-ipafont-gothic fonts-takao-mincho fonts-vlgothic): fixed-width and proportional kana
# and Latin letters. Random styles draw from render_office's only (a seed's files stay the same).
CALC_FONTS = {**FONTS, "ipa-mincho": "IPAMincho", "ipa-gothic": "IPAGothic",
              "takao-pmincho": "TakaoPMincho", "vl-pgothic": "VL PGothic"}
REVIEW_CALC_KNOBS: dict[str, list] = {**KNOBS, "font": list(FONTS), "borders": ["full"]}
REVIEW_CALC_DEFAULT = {"font": "ipaex-mincho"}
_FACE = {"ipaex-mincho": "min", "ipaex-gothic": "goth", "noto-serif": "min", "noto-sans": "goth",
         "ipa-mincho": "min", "ipa-gothic": "goth", "takao-pmincho": "min", "vl-pgothic": "goth"}
# A line's height in LibreOffice, / font size (the fonts' ascent + descent).
LINE_HEIGHT = {"ipaex-mincho": 1.08, "ipaex-gothic": 1.08, "noto-serif": 1.45, "noto-sans": 1.45,
               "ipa-mincho": 1.1, "ipa-gothic": 1.1, "takao-pmincho": 1.1, "vl-pgothic": 1.3}
WRAP_SHARE = 0.85       # _lines
ROW_SLACK = 1.12        # rows this much taller than their text (Calc wraps a little differently)
EDGE_MERGE_PT = 0.8     # cell edges closer than this are one column edge
PAGES_MM = {"A4": (210, 297), "B4": (257, 364), "Letter": (215.9, 279.4)}    # review_render's PAGES
SHRINK = 0.995          # the grid a hair narrower than the printable width (no column overleaf)


def _style(style: dict | None) -> tuple[ReviewStyle, dict]:
    st = dict(REVIEW_CALC_DEFAULT)
    st.update(style or {})
    if st["font"] not in CALC_FONTS:
        raise ValueError(f"style font={st['font']!r}: one of {list(CALC_FONTS)}")
    return ReviewStyle.from_dict({**st, "font": _FACE[st["font"]]}), st


def _edges(blocks: list[Block]) -> list[float]:
    xs = sorted({x for b in blocks for s in b.spans for x in (s.cell.x0, s.cell.x1)})
    out: list[float] = []
    for x in xs:
        if not out or x - out[-1] > EDGE_MERGE_PT:
            out.append(x)
    return out


def _col(edges: list[float], x: float) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - x))


def _lines(c: Cell, face: str) -> tuple[int, int]:
    """How many lines the cell's text and note may take in Calc: wrapped (as SheetBuilder
    wraps them) to WRAP_SHARE of the width, for Calc's own wrapping in another font."""
    width = (c.x1 - c.x0) * WRAP_SHARE - 2 * PAD
    text = sum(len(wrap(p, face, c.size, width)) for p in c.text.split("\n")) if c.text else 0
    note = len(wrap("".join(c.note), face, SIZE_NOTE, width)) if c.note else 0
    return max(text, len(c.lines)), max(note, len(c.note))


def _heights(b: Block, line: float, face: str) -> list[float]:
    """Block.heights with LibreOffice's line height and lines (_lines), on top of its own."""
    def need(c: Cell) -> float:
        text, note = _lines(c, face)
        return ROW_SLACK * line * (text * c.size + note * SIZE_NOTE) + 2 * PAD
    return b.heights(need, base=b.heights())


class _Styles:
    """The automatic styles a document needs, made as they are asked for."""

    def __init__(self, rs: ReviewStyle, st: dict):
        self.rs, self.st = rs, st
        self.xml: list[str] = []
        self.names: dict[tuple, str] = {}

    def _add(self, key: tuple, body: str, prefix: str) -> str:
        name = self.names.get(key)
        if name is None:
            name = self.names[key] = f"{prefix}{len(self.names)}"
            self.xml.append(body.replace("@NAME@", name))
        return name

    def column(self, width: float) -> str:
        return self._add(("col", round(width, 2)), '<style:style style:name="@NAME@" style:family="table-column">'
                         f'<style:table-column-properties style:column-width="{width:.2f}pt"/></style:style>', "co")

    def row(self, height: float, brk: bool) -> str:
        return self._add(("row", round(height, 2), brk), '<style:style style:name="@NAME@" style:family="table-row">'
                         f'<style:table-row-properties style:row-height="{height:.2f}pt" '
                         f'style:use-optimal-row-height="false" fo:break-before="{"page" if brk else "auto"}"/>'
                         '</style:style>', "ro")

    def _font(self, size: float) -> str:
        return (f'style:font-name="F" style:font-name-asian="F" fo:font-size="{size}pt" '
                f'style:font-size-asian="{size}pt"')

    def cell(self, c: Cell) -> str:
        rule = f"{RULE_WIDTH}pt solid #000000"
        border = ""
        if c.frame:
            border = (f'fo:border="{rule}"' if self.rs.borders == "full"
                      else f'fo:border-top="{rule}" fo:border-bottom="{rule}"')
        fill = f' fo:background-color="#{"".join(f"{round(255 * v):02x}" for v in c.fill)}"' if c.fill else ""
        shadow = ' fo:text-shadow="1pt 1pt"' if self.rs.fake_bold and c.role in ("label", "title") else ""
        align = {"left": "start", "center": "center", "right": "end"}[c.align]
        return self._add(("cell", border, fill, shadow, align, c.size),
                         f'<style:style style:name="@NAME@" style:family="table-cell">'
                         f'<style:table-cell-properties fo:wrap-option="wrap" fo:padding="{PAD}pt" '
                         f'style:vertical-align="middle" {border}{fill}/>'
                         f'<style:paragraph-properties fo:text-align="{align}"/>'
                         f'<style:text-properties {self._font(c.size)}{shadow}/></style:style>', "ce")

    def note(self) -> str:
        return self._add(("note",), f'<style:style style:name="@NAME@" style:family="text">'
                         f'<style:text-properties {self._font(SIZE_NOTE)}/></style:style>', "T")


def _paras(c: Cell, rs: ReviewStyle, styles: _Styles) -> str:
    def printed(s: str) -> str:
        return "".join(KANGXI.get(ch, ch) for ch in s) if _kangxi(rs, c.role) else s
    out = [f"<text:p>{escape(printed(p))}</text:p>" for p in c.text.split("\n")] if c.text else []
    if c.note:
        out.append(f'<text:p><text:span text:style-name="{styles.note()}">'
                   f'{escape(printed("".join(c.note)))}</text:span></text:p>')
    return "".join(out)


def _block_rows(b: Block, edges: list[float], line: float, styles: _Styles, rs: ReviewStyle,
                first: bool) -> list[str]:
    """The block's rows (after an empty row for the space above it)."""
    rows = []
    ncols = len(edges) - 1
    if b.gap and not first and not b.new_page:
        rows.append(f'<table:table-row table:style-name="{styles.row(b.gap, False)}">'
                    f'<table:table-cell table:number-columns-repeated="{ncols}"/></table:table-row>')
    heights = _heights(b, line, rs.face)
    starts: dict[int, dict[int, object]] = {}
    for s in b.spans:
        starts.setdefault(s.first, {})[_col(edges, s.cell.x0)] = s
    covered: set[tuple[int, int]] = set()
    for r in range(b.nrows):
        brk = (r == 0 and b.new_page and not first) or (r in b.breaks and r > 0)
        cells, c = [], 0
        while c < ncols:
            s = starts.get(r, {}).get(c)
            if (r, c) in covered or s is None:
                cells.append("<table:covered-table-cell/>" if (r, c) in covered else "<table:table-cell/>")
                c += 1
                continue
            c1 = max(_col(edges, s.cell.x1), c + 1)
            span = s.last - s.first + 1
            covered.update((rr, cc) for rr in range(s.first, s.last + 1) for cc in range(c, c1))
            covered.discard((r, c))
            attrs = (f' table:number-columns-spanned="{c1 - c}"' if c1 - c > 1 else "") + \
                    (f' table:number-rows-spanned="{span}"' if span > 1 else "")
            cells.append(f'<table:table-cell table:style-name="{styles.cell(s.cell)}" '
                         f'office:value-type="string"{attrs}>{_paras(s.cell, rs, styles)}</table:table-cell>')
            c += 1
        rows.append(f'<table:table-row table:style-name="{styles.row(heights[r], brk)}">{"".join(cells)}'
                    "</table:table-row>")
    return rows


def _master(rs: ReviewStyle, meta: dict) -> tuple[str, str, str]:
    """The page layout, the master page (header and footer) and the furniture's text style."""
    w, h = PAGES_MM[rs.page]
    m = rs.margin_mm
    head, foot = '<style:header style:display="false"/>', '<style:footer style:display="false"/>'
    hf = ""
    if rs.furniture:
        font = (f'style:font-name="F" style:font-name-asian="F" fo:font-size="{SIZE_FURNITURE}pt" '
                f'style:font-size-asian="{SIZE_FURNITURE}pt"')
        hf = (f'<style:style style:name="HF" style:family="text"><style:text-properties {font}/></style:style>')
        left = escape(f"{meta['year_label']}行政事業レビュー")
        head = (f'<style:header><style:region-left><text:p><text:span text:style-name="HF">{left}</text:span>'
                f'</text:p></style:region-left><style:region-right><text:p><text:span text:style-name="HF">'
                f'{escape(meta["ministry"])}</text:span></text:p></style:region-right></style:header>')
        foot = ('<style:footer><style:region-center><text:p><text:span text:style-name="HF">- '
                '<text:page-number>1</text:page-number> -</text:span></text:p></style:region-center></style:footer>')
    hfp = ('<style:header-style><style:header-footer-properties fo:min-height="4mm" fo:margin-bottom="0mm"/>'
           '</style:header-style><style:footer-style><style:header-footer-properties fo:min-height="4mm" '
           'fo:margin-top="0mm"/></style:footer-style>') if rs.furniture else ""
    mv = m - 4 if rs.furniture else m
    layout = (f'<style:page-layout style:name="pm"><style:page-layout-properties fo:page-width="{w}mm" '
              f'fo:page-height="{h}mm" style:print-orientation="portrait" fo:margin-top="{mv}mm" '
              f'fo:margin-bottom="{mv}mm" fo:margin-left="{m}mm" fo:margin-right="{m}mm" '
              f'style:scale-to="100%"/>{hfp}</style:page-layout>')
    master = (f'<office:master-styles><style:master-page style:name="M" style:page-layout-name="pm">'
              f'{head}{foot}</style:master-page></office:master-styles>')
    return layout, master, hf


def review_fods(specs: list[dict], style: dict | None = None) -> list[tuple[str, dict]]:
    """[(flat ODF spreadsheet, the sheet's truth spec)] of `specs`, a document a sheet."""
    rs, st = _style(style)
    line = LINE_HEIGHT[st["font"]]
    out = []
    for spec in specs:
        sp = printed_spec(spec, rs)
        lay = Layout(rs)
        lay.new_page()
        blocks = SheetBuilder(sp, rs, lay).blocks()
        edges = _edges(blocks)
        x0 = edges[0]
        edges = [x0 + (x - x0) * SHRINK for x in edges]
        styles = _Styles(rs, st)
        rows = [r for i, b in enumerate(blocks) for r in _block_rows(b, edges, line, styles, rs, i == 0)]
        cols = "".join(f'<table:table-column table:style-name="{styles.column(b - a)}"/>'
                       for a, b in zip(edges, edges[1:]))
        meta = {"year_label": sp.get("review_year_label") or "", "ministry": sp.get("ministry", "")}
        layout, master, hf = _master(rs, meta)
        doc = (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document {_NS} office:version="1.3" '
               f'office:mimetype="application/vnd.oasis.opendocument.spreadsheet">'
               f'<office:font-face-decls><style:font-face style:name="F" '
               f'svg:font-family="\'{CALC_FONTS[st["font"]]}\'"/></office:font-face-decls>'
               f'<office:automatic-styles>{"".join(styles.xml)}{hf}'
               '<style:style style:name="ta" style:family="table" style:master-page-name="M">'
               f'<style:table-properties table:display="true"/></style:style>{layout}</office:automatic-styles>'
               f'{master}<office:body><office:spreadsheet><table:table table:name="レビューシート" '
               f'table:style-name="ta">{cols}{"".join(rows)}</table:table></office:spreadsheet></office:body>'
               '</office:document>')
        out.append((doc, sp))
    return out


def render_review_calc(specs: list[dict], path, style: dict | None = None) -> list[RenderedSheet]:
    """Export each sheet with LibreOffice Calc and join the exports into `path`."""
    return print_each(review_fods(specs, style), path, lambda doc, pdf: export_pdf(doc, ".fods", pdf))


def random_calc_style(rnd: random.Random) -> dict:
    """A style with every knob drawn at random (for sweeps)."""
    return {k: rnd.choice(v) for k, v in REVIEW_CALC_KNOBS.items()}


def as_review_style(style: dict) -> dict:
    """The style as the truth file's `render` records it."""
    rs, st = _style(style)
    return {**replace(rs).as_dict(), "font": st["font"]}
