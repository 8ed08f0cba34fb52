"""Sheets as office documents, exported to PDF by LibreOffice, as a sheet typed in Word or
Excel and printed to PDF would be.

    sheet_fodt(specs, style) -> str          # a flat ODF text document (standard library only)
    sheet_fods(specs, style) -> str          # a flat ODF spreadsheet
    render_libreoffice(specs, path, style)   # needs `soffice` on PATH

The document is flat ODF XML (one .fodt/.fods file, no zip, no extra dependency), opened by
LibreOffice Writer or Calc and exported with `soffice --headless --convert-to pdf`. Style
knobs (OFFICE_KNOBS; render.py's names where they mean the same):

    app             "writer" (a table document, like docx) | "calc" (a worksheet, like xlsx:
                    rows never break, repeat_header and rating_mm do not apply)
    page            "A4" | "A4L" | "B5" | "Letter"
    font            "ipaex-mincho" | "ipaex-gothic" | "noto-serif" | "noto-sans"
    size            font size in pt
    label_mm        width of the label / criterion-title column, 24 .. 55
    rating_mm       width of the 評価 column (r1/r4)
    margin_mm       page margins
    borders         "full" | "horizontal" (rules between rows only) | "none" (shaded label
                    cells, no rules)
    spaced_labels   "none" | "ideographic" (予　算　額) | "letter" (character spacing) |
                    "distributed" (justified over the cell, Word's 均等割付)
    vertical_headers  評価基準 / 評価 headers one character per line
    split           "whole" (rows never break: they move to the next page whole) |
                    "break" (rows break across pages, titles centred) | "break_top" (rows
                    break, titles at the top of their cell)
    repeat_header   the 評価基準 | 達成状況 header row repeated on every page of the table
    unit_in_label   予算額（千円） with a bare number value
    value_align     "middle" | "top": the header values beside their (centred) labels
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from .render import CRIT_PREFIX, TITLE, _fmt_budget

FONTS = {"ipaex-mincho": "IPAexMincho", "ipaex-gothic": "IPAexGothic",
         "noto-serif": "Noto Serif CJK JP", "noto-sans": "Noto Sans CJK JP"}
PAGES = {"A4": (210, 297), "A4L": (297, 210), "B5": (182, 257), "Letter": (215.9, 279.4)}
OFFICE_KNOBS = {
    "app": ["writer", "calc"],
    "page": ["A4", "A4L", "B5", "Letter"],
    "font": list(FONTS),
    "size": [9.0, 9.5, 10.0, 10.5, 11.0],
    "label_mm": [24, 28, 32, 38, 44, 50, 55],
    "rating_mm": [12, 14, 18],
    "margin_mm": [10, 15, 20],
    "borders": ["full", "horizontal", "none"],
    "spaced_labels": ["none", "ideographic", "letter", "distributed"],
    "vertical_headers": [False, True],
    "split": ["whole", "break", "break_top"],
    "repeat_header": [False, True],
    "unit_in_label": [False, True],
    "value_align": ["middle", "top"],
}
OFFICE_DEFAULT = {"app": "writer", "page": "A4", "font": "ipaex-mincho", "size": 10.0, "label_mm": 38, "rating_mm": 14,
                  "margin_mm": 15, "borders": "full", "spaced_labels": "none",
                  "vertical_headers": False, "split": "break", "repeat_header": False,
                  "unit_in_label": False, "value_align": "middle"}
# Seconds allowed for one export.
TIMEOUT = 180

_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
       'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
       'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
       'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
       'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
       'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"')


def _p(text: str, style: str = "P") -> str:
    return f'<text:p text:style-name="{style}">{escape(text)}</text:p>'


def _label(s: str, st: dict) -> str:
    if st["spaced_labels"] == "ideographic" and len(s) <= 6:
        s = "\u3000".join(s)
    return _p(s, "L")


def _styles(st: dict) -> str:
    w, h = PAGES[st["page"]]
    m = st["margin_mm"]
    rule = "0.5pt solid #000000"
    b = st["borders"]
    border = {"full": f'fo:border="{rule}"',
              "horizontal": f'fo:border-top="{rule}" fo:border-bottom="{rule}" fo:border-left="none" fo:border-right="none"',
              "none": 'fo:border="none"'}[b]
    shade = ' fo:background-color="#e0e0e0"' if b == "none" else ""
    lab = {"none": "", "ideographic": "", "letter": ' fo:letter-spacing="0.8mm"',
           "distributed": ""}[st["spaced_labels"]]
    lab_align = ' fo:text-align="justify" fo:text-align-last="justify"' if st["spaced_labels"] == "distributed" else ""
    keep = "always" if st["split"] == "whole" else "auto"
    valign = "top" if st["split"] == "break_top" else "middle"
    inner = w - 2 * m
    fs = st["size"]
    font = f'style:font-name="F" style:font-name-asian="F" fo:font-size="{fs}pt" style:font-size-asian="{fs}pt"'
    cell = f'fo:padding="1.5mm" {border}'
    return f"""
<office:font-face-decls><style:font-face style:name="F" svg:font-family="'{FONTS[st['font']]}'"/></office:font-face-decls>
<office:styles>
 <style:default-style style:family="paragraph">
  <style:paragraph-properties fo:margin-top="0mm" fo:margin-bottom="0mm" fo:line-height="120%"/>
  <style:text-properties {font} fo:language="ja" fo:country="JP" style:language-asian="ja" style:country-asian="JP"/>
 </style:default-style>
</office:styles>
<office:automatic-styles>
 <style:page-layout style:name="pm">
  <style:page-layout-properties fo:page-width="{w}mm" fo:page-height="{h}mm" fo:margin-top="{m}mm"
   fo:margin-bottom="{m}mm" fo:margin-left="{m}mm" fo:margin-right="{m}mm"
   style:print-orientation="{'landscape' if w > h else 'portrait'}"/>
 </style:page-layout>
 <style:style style:name="P" style:family="paragraph"/>
 <style:style style:name="L" style:family="paragraph"><style:paragraph-properties{lab_align}/><style:text-properties{lab}/></style:style>
 <style:style style:name="C" style:family="paragraph"><style:paragraph-properties fo:text-align="center"/></style:style>
 <style:style style:name="R" style:family="paragraph"><style:paragraph-properties fo:text-align="center"/>
  <style:text-properties fo:font-size="{fs + 2}pt" style:font-size-asian="{fs + 2}pt"/></style:style>
 <style:style style:name="H" style:family="paragraph"><style:paragraph-properties fo:text-align="center"
   fo:margin-bottom="4mm"/><style:text-properties fo:font-size="{fs + 3}pt" style:font-size-asian="{fs + 3}pt"/></style:style>
 <style:style style:name="HB" style:family="paragraph" style:parent-style-name="H">
  <style:paragraph-properties fo:break-before="page"/></style:style>
 <style:style style:name="Gap" style:family="paragraph"><style:text-properties fo:font-size="4pt" style:font-size-asian="4pt"/></style:style>
 <style:style style:name="Tb" style:family="table"><style:table-properties style:width="{inner}mm" table:align="left"
   style:may-break-between-rows="true"/></style:style>
 <style:style style:name="Rw" style:family="table-row"><style:table-row-properties fo:keep-together="{keep}"/></style:style>
 <style:style style:name="Cl" style:family="table-cell"><style:table-cell-properties {cell} style:vertical-align="middle"/></style:style>
 <style:style style:name="Cs" style:family="table-cell"><style:table-cell-properties {cell}{shade} style:vertical-align="middle"/></style:style>
 <style:style style:name="Ct" style:family="table-cell"><style:table-cell-properties {cell}{shade} style:vertical-align="{valign}"/></style:style>
 <style:style style:name="Cv" style:family="table-cell"><style:table-cell-properties {cell} style:vertical-align="{st['value_align']}"/></style:style>
 <style:style style:name="Cx" style:family="table-cell"><style:table-cell-properties {cell} style:vertical-align="top"/></style:style>
 {_col_styles(st, inner)}
</office:automatic-styles>
<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="pm"/></office:master-styles>
"""


def _col_styles(st: dict, inner: float) -> str:
    lw, rw = st["label_mm"], st["rating_mm"]
    cols = {"cA": lw, "cB": inner - lw - 28, "cC": 12, "cD": 16,
            "cT": inner - lw, "cU": inner - lw - rw, "cR": rw, "cW": inner}
    return "".join(f'<style:style style:name="{n}" style:family="table-column">'
                   f'<style:table-column-properties style:column-width="{v:.2f}mm"/></style:style>'
                   for n, v in cols.items())


def _cell(content: str, style: str = "Cl", span: str = "") -> str:
    return f'<table:table-cell table:style-name="{style}" office:value-type="string"{span}>{content}</table:table-cell>'


def _sheet(sp: dict, st: dict, first: bool) -> str:
    gen = sp["generation"]
    rated = gen in ("r1", "r4")
    suffix, value = _fmt_budget(sp["budget_jpy"], st["unit_in_label"], sp["budget_label"])
    if not st["unit_in_label"]:
        value = sp["budget_label"]
    o = [_p(TITLE, "H" if first else "HB")]
    ov = _p("国際機関の概要", "L") + "".join(_p(x) for x in sp["overview"])
    o.append(f'<table:table table:style-name="Tb"><table:table-column table:style-name="cW"/>'
             f'<table:table-row>{_cell(ov)}</table:table-row></table:table>{_p("", "Gap")}')
    row = lambda cells: f"<table:table-row>{cells}</table:table-row>"
    cov = "<table:covered-table-cell/>"
    o.append('<table:table table:style-name="Tb">' + "".join(
        f'<table:table-column table:style-name="{c}"/>' for c in ("cA", "cB", "cC", "cD")))
    o.append(row(_cell(_label("分担金・拠出金の名称", st), "Cs") + _cell(_p(sp["contribution_name"]), "Cv")
                 + _cell(_p(sp["fiscal_year_label"], "C"), span=' table:number-columns-spanned="2"') + cov))
    o.append(row(_cell(_label("予算額" + suffix, st), "Cs") + _cell(_p(value), "Cv")
                 + _cell(_p("総合", "C") + _p("評価", "C"), "Cs", ' table:number-rows-spanned="3"')
                 + _cell(_p(sp["overall_rating"], "R"), span=' table:number-rows-spanned="3"')))
    o.append(row(_cell(_label("拠出先の国際機関名", st), "Cs") + _cell(_p(sp["organization_name"]), "Cv") + cov + cov))
    o.append(row(_cell(_label("担当課・室名", st), "Cs")
                 + _cell(_p(sp["bureau"] + "\u3000" + sp["division"]), "Cv") + cov + cov))
    o.append(f'</table:table>{_p("", "Gap")}')
    vert = st["vertical_headers"]
    head = lambda s, lab=True: ("".join(_p(ch, "C") for ch in s) if vert else
                                (_label(s, st) if lab and st["spaced_labels"] != "none" else _p(s, "C")))
    hcells = _cell(head("評価基準"), "Cs") + _cell(_p("達成状況", "C"), "Cs")
    if rated:
        hcells += _cell(head("評価", False), "Cs")
    cols = ("cA", "cU", "cR") if rated else ("cA", "cT")
    o.append('<table:table table:style-name="Tb">' + "".join(
        f'<table:table-column table:style-name="{c}"/>' for c in cols))
    hrow = f'<table:table-row table:style-name="Rw">{hcells}</table:table-row>'
    o.append(f"<table:table-header-rows>{hrow}</table:table-header-rows>" if st["repeat_header"] else hrow)
    for c in sp["criteria"]:
        title = CRIT_PREFIX[gen](c["no"]) + c["label"]
        cells = _cell(_p(title), "Ct") + _cell("".join(_p(x) for x in c["text"]), "Cx")
        if rated:
            cells += _cell(_p(c["rating"] or "", "C"))
        o.append(f'<table:table-row table:style-name="Rw">{cells}</table:table-row>')
    o.append("</table:table>")
    return "".join(o)


def sheet_fodt(specs: list[dict], style: dict | None = None) -> str:
    """The flat ODF text document of `specs` (each sheet starts on a new page)."""
    st = dict(OFFICE_DEFAULT)
    st.update(style or {})
    body = "".join(_sheet(sp, st, i == 0) for i, sp in enumerate(specs))
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document {_NS} office:version="1.3" '
            f'office:mimetype="application/vnd.oasis.opendocument.text">{_styles(st)}'
            f"<office:body><office:text>{body}</office:text></office:body></office:document>")


def soffice() -> str | None:
    """The LibreOffice executable, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def export_pdf(document: str, suffix: str, path: str | Path) -> Path:
    """Export a flat ODF document (`suffix` .fodt or .fods) to `path` with LibreOffice."""
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    path = Path(path).resolve()
    with tempfile.TemporaryDirectory(prefix="extract-office-") as tmp:
        src = Path(tmp) / f"{path.stem}{suffix}"
        src.write_text(document, "utf-8")
        subprocess.run([exe, f"-env:UserInstallation={Path(tmp, 'profile').as_uri()}", "--headless",
                        "--convert-to", "pdf", "--outdir", tmp, str(src)],
                       check=True, capture_output=True, timeout=TIMEOUT)
        out = src.with_suffix(".pdf")
        if not out.exists():
            raise RuntimeError(f"LibreOffice wrote no PDF for {path.name}")
        shutil.move(str(out), path)
    return path


def render_libreoffice(specs: list[dict], path: str | Path, style: dict | None = None) -> Path:
    if (style or {}).get("app", OFFICE_DEFAULT["app"]) == "calc":
        return export_pdf(sheet_fods(specs, style), ".fods", path)
    return export_pdf(sheet_fodt(specs, style), ".fodt", path)


# --------------------------------------------------------------------------- Calc (Excel-like)
# The same sheet as a spreadsheet: one worksheet, a grid of four columns (label | value |
# 総合評価 label | rating), merged cells, rows that grow to their text and never break across
# pages (as Excel prints), stacked vertical headers. Knobs as above, less repeat_header
# and rating_mm (the rating column is the grid's last column, 16 mm). A row taller than the
# printable height is cut at the page foot, as Excel prints it: the page then shows less than
# the truth says (r1-unicef-covid's first criterion on B5 with a 24 mm label column does so).

_NS_CALC = _NS + ' xmlns:css3t="http://www.w3.org/TR/css3-text/"'


def _calc_styles(st: dict) -> str:
    w, h = PAGES[st["page"]]
    m = st["margin_mm"]
    rule = "0.5pt solid #000000"
    b = st["borders"]
    border = {"full": f'fo:border="{rule}"',
              "horizontal": f'fo:border-top="{rule}" fo:border-bottom="{rule}"',
              "none": ""}[b]
    shade = ' fo:background-color="#e0e0e0"' if b == "none" else ""
    fs = st["size"]
    dist = (' fo:text-align="justify" css3t:text-justify="distribute"'
            if st["spaced_labels"] == "distributed" else ' fo:text-align="start"')
    lsp = ' fo:letter-spacing="0.8mm"' if st["spaced_labels"] == "letter" else ""
    valign = "top" if st["split"] == "break_top" else "middle"
    cell = f'fo:wrap-option="wrap" fo:padding="1.2mm" {border}'

    def cs(name, va, extra="", para="", text="", size=fs):
        font = f'style:font-name="F" style:font-name-asian="F" fo:font-size="{size}pt" style:font-size-asian="{size}pt"'
        return (f'<style:style style:name="{name}" style:family="table-cell">'
                f'<style:table-cell-properties {cell} style:vertical-align="{va}"{extra}/>'
                f'<style:paragraph-properties{para}/><style:text-properties {font}{text}/></style:style>')
    inner = w - 2 * m
    cols = {"coA": st["label_mm"], "coB": inner - st["label_mm"] - 28, "coC": 12, "coD": 16}
    return "".join([
        f'<office:font-face-decls><style:font-face style:name="F" svg:font-family="\'{FONTS[st["font"]]}\'"/>'
        '</office:font-face-decls><office:automatic-styles>',
        *(f'<style:style style:name="{n}" style:family="table-column"><style:table-column-properties '
          f'fo:break-before="auto" style:column-width="{v:.2f}mm"/></style:style>' for n, v in cols.items()),
        '<style:style style:name="ro" style:family="table-row"><style:table-row-properties '
        'style:use-optimal-row-height="true" fo:break-before="auto"/></style:style>',
        '<style:style style:name="rb" style:family="table-row"><style:table-row-properties '
        'style:use-optimal-row-height="true" fo:break-before="page"/></style:style>',
        '<style:style style:name="rg" style:family="table-row"><style:table-row-properties '
        'style:row-height="3mm" style:use-optimal-row-height="false" fo:break-before="auto"/></style:style>',
        '<style:style style:name="ta" style:family="table" style:master-page-name="M">'
        '<style:table-properties table:display="true"/></style:style>',
        cs("cT", "middle", "", ' fo:text-align="center"', size=fs + 3).replace(border, ""),
        cs("cL", "middle", shade, dist, lsp),
        cs("cH", "middle", shade, ' fo:text-align="center"'),
        cs("cV", "middle", shade + ' style:direction="ttb"', ' fo:text-align="center"'),
        cs("cN", st["value_align"]),
        cs("cC", "middle", "", ' fo:text-align="center"'),
        cs("cR", "middle", "", ' fo:text-align="center"', size=fs + 2),
        cs("cI", valign, shade),
        cs("cX", "top"),
        cs("cO", "top"),
        f'<style:page-layout style:name="pm"><style:page-layout-properties fo:page-width="{w}mm" '
        f'fo:page-height="{h}mm" style:print-orientation="{"landscape" if w > h else "portrait"}" '
        f'fo:margin-top="{m}mm" fo:margin-bottom="{m}mm" fo:margin-left="{m}mm" fo:margin-right="{m}mm" '
        'style:scale-to="100%"/></style:page-layout>',
        '</office:automatic-styles><office:master-styles><style:master-page style:name="M" '
        'style:page-layout-name="pm"><style:header style:display="false"/><style:footer '
        'style:display="false"/></style:master-page></office:master-styles>'])


def _ccell(paras: list[str], style: str, cols: int = 1, rows: int = 1) -> str:
    span = (f' table:number-columns-spanned="{cols}"' if cols > 1 else "") + \
           (f' table:number-rows-spanned="{rows}"' if rows > 1 else "")
    body = "".join(f"<text:p>{escape(p)}</text:p>" for p in paras)
    return f'<table:table-cell table:style-name="{style}" office:value-type="string"{span}>{body}</table:table-cell>'


def _calc_sheet(sp: dict, st: dict, first: bool) -> list[str]:
    gen = sp["generation"]
    rated = gen in ("r1", "r4")
    suffix, value = _fmt_budget(sp["budget_jpy"], st["unit_in_label"], sp["budget_label"])
    if not st["unit_in_label"]:
        value = sp["budget_label"]
    cov = "<table:covered-table-cell/>"
    lab = lambda s: [("\u3000".join(s) if st["spaced_labels"] == "ideographic" and len(s) <= 6 else s)]
    row = lambda cells, style="ro": f'<table:table-row table:style-name="{style}">{cells}</table:table-row>'
    gap = row('<table:table-cell table:number-columns-repeated="4"/>', "rg")
    vert = st["vertical_headers"]
    rows = [row(_ccell([TITLE], "cT", 4) + cov * 3, "ro" if first else "rb"),
            row(_ccell(["国際機関の概要"] + sp["overview"] + [""], "cO", 4) + cov * 3), gap,
            row(_ccell(lab("分担金・拠出金の名称"), "cL") + _ccell([sp["contribution_name"]], "cN")
                + _ccell([sp["fiscal_year_label"]], "cC", 2) + cov),
            row(_ccell(lab("予算額" + suffix), "cL") + _ccell([value], "cN")
                + _ccell(["総合", "評価"], "cH", 1, 3) + _ccell([sp["overall_rating"]], "cR", 1, 3)),
            row(_ccell(lab("拠出先の国際機関名"), "cL") + _ccell([sp["organization_name"]], "cN") + cov * 2),
            row(_ccell(lab("担当課・室名"), "cL") + _ccell([sp["bureau"] + "\u3000" + sp["division"]], "cN")
                + cov * 2), gap]
    head = _ccell(["評価基準"], "cV" if vert else "cH") + _ccell(["達成状況"], "cH", 2 if rated else 3)
    head += cov + (_ccell(["評価"], "cV" if vert else "cH") if rated else cov)
    rows.append(row(head))
    for c in sp["criteria"]:
        cells = _ccell([CRIT_PREFIX[gen](c["no"]) + c["label"]], "cI")
        # Calc's optimal row height runs short of long wrapped text (its last line would be
        # drawn over the border below): an empty last paragraph keeps the text in its cell
        cells += _ccell(c["text"] + [""], "cX", 2 if rated else 3) + cov
        cells += _ccell([c["rating"] or ""], "cC") if rated else cov
        rows.append(row(cells))
    return rows


def sheet_fods(specs: list[dict], style: dict | None = None) -> str:
    """The flat ODF spreadsheet of `specs` (each sheet starts on a new page)."""
    st = dict(OFFICE_DEFAULT)
    st.update(style or {})
    rows = [r for i, sp in enumerate(specs) for r in _calc_sheet(sp, st, i == 0)]
    cols = "".join(f'<table:table-column table:style-name="{c}"/>' for c in ("coA", "coB", "coC", "coD"))
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document {_NS_CALC} office:version="1.3" '
            f'office:mimetype="application/vnd.oasis.opendocument.spreadsheet">{_calc_styles(st)}'
            f'<office:body><office:spreadsheet><table:table table:name="評価" table:style-name="ta">'
            f'{cols}{"".join(rows)}</table:table></office:spreadsheet></office:body></office:document>')
