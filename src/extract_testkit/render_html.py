"""Sheets as HTML, printed to PDF by headless Chromium (Skia's PDF backend), as a sheet
published from a web page would be.

    sheet_html(specs, style) -> str          # the document (standard library only)
    render_chromium(specs, path, style)      # needs `chromium` (or chromium-browser) on PATH

Chromium writes what real browser-printed sheets have: /ActualText spans where a font has one
glyph for several code points (‧ for ・, ⻑ for 長), cell borders painted per cell edge, and
its own page breaking. Style knobs (HTML_KNOBS; render.py's names where they mean the same):

    page            "A4" | "A4L" | "B5" | "Letter"
    font            "noto-sans" | "noto-serif" | "ipaex-gothic" | "ipaex-mincho"
    size            font size in pt
    label_mm        width of the label / criterion-title column, 24 .. 55
    rating_mm       width of the 評価 column (r1/r4)
    margin_mm       page margins
    borders         "full" (collapsed cell borders) | "segments" (every cell draws its own
                    four edges) | "horizontal" (rules between rows only) | "none" (shaded
                    label cells, no rules)
    spaced_labels   "none" | "ideographic" (予　算　額) | "letter" (CSS letter-spacing) |
                    "distributed" (justified over the cell, as 均等割付)
    vertical_headers  評価基準 / 評価 headers in vertical writing
    split           "whole" (rows never break: a row that does not fit moves to the next
                    page, with the whole table if it is the first) | "break" (rows break
                    across pages, titles centred) | "break_top" (rows break, titles at the
                    top of their cell)
    unit_in_label   予算額（千円） with a bare number value
    value_align     "middle" | "top": the header values beside their (centred) labels
"""
from __future__ import annotations

import html
import shutil
import subprocess
import tempfile
from pathlib import Path

from .render import CRIT_PREFIX, TITLE, _fmt_budget

FONTS = {"noto-sans": "Noto Sans CJK JP", "noto-serif": "Noto Serif CJK JP",
         "ipaex-gothic": "IPAexGothic", "ipaex-mincho": "IPAexMincho"}
PAGES = {"A4": "A4", "A4L": "A4 landscape", "B5": "B5", "Letter": "letter"}
HTML_KNOBS = {
    "page": ["A4", "A4L", "B5", "Letter"],
    "font": list(FONTS),
    "size": [9.0, 9.5, 10.0, 10.5, 11.0],
    "label_mm": [24, 28, 32, 38, 44, 50, 55],
    "rating_mm": [12, 14, 18],
    "margin_mm": [10, 15, 20],
    "borders": ["full", "segments", "horizontal", "none"],
    "spaced_labels": ["none", "ideographic", "letter", "distributed"],
    "vertical_headers": [False, True],
    "split": ["whole", "break", "break_top"],
    "unit_in_label": [False, True],
    "value_align": ["middle", "top"],
}
HTML_DEFAULT = {"page": "A4", "font": "noto-sans", "size": 10.0, "label_mm": 38, "rating_mm": 14,
                "margin_mm": 15, "borders": "full", "spaced_labels": "none",
                "vertical_headers": False, "split": "break", "unit_in_label": False,
                "value_align": "middle"}
# Seconds allowed for one print.
TIMEOUT = 120


def _esc(s: str) -> str:
    return html.escape(s, quote=False)


def _label(s: str, st: dict) -> str:
    if st["spaced_labels"] == "ideographic" and len(s) <= 6:
        s = "\u3000".join(s)
    return _esc(s)


def _css(st: dict) -> str:
    b = st["borders"]
    rule = "0.6pt solid #000"
    cell = {"full": f"border: {rule};", "segments": f"border: {rule};",
            "horizontal": f"border-top: {rule}; border-bottom: {rule};", "none": ""}[b]
    collapse = "separate" if b == "segments" else "collapse"
    lab = {"none": "", "ideographic": "", "letter": "letter-spacing: 0.35em;",
           "distributed": "text-align: justify; text-align-last: justify;"}[st["spaced_labels"]]
    keep = "break-inside: avoid;" if st["split"] == "whole" else ""
    valign = "top" if st["split"] == "break_top" else "middle"
    shade = "background: #e0e0e0;" if b == "none" else ""
    return f"""
@page {{ size: {PAGES[st['page']]}; margin: {st['margin_mm']}mm; }}
html {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
body {{ font-family: "{FONTS[st['font']]}"; font-size: {st['size']}pt; line-height: 1.35; margin: 0; }}
h1 {{ font-size: {st['size'] + 3}pt; text-align: center; font-weight: normal; margin: 0 0 4mm 0; }}
table {{ width: 100%; border-collapse: {collapse}; border-spacing: 0; table-layout: fixed;
        margin-bottom: 3mm; }}
td, th {{ {cell} padding: 1.6mm; vertical-align: middle; text-align: left; font-weight: normal; }}
td.lab, th {{ {shade} }}
td.lab span.t {{ display: block; {lab} }}
td.c {{ text-align: center; }}
td.val {{ vertical-align: {st['value_align']}; }}
td.title {{ vertical-align: {valign}; }}
td.text {{ vertical-align: top; }}
p {{ margin: 0; }}
tr.row {{ {keep} }}
th.v span {{ writing-mode: vertical-rl; text-orientation: upright; display: inline-block; }}
th {{ text-align: center; }}
.sheet {{ break-before: page; }}
.sheet:first-child {{ break-before: auto; }}
"""


def _sheet(sp: dict, st: dict) -> str:
    gen = sp["generation"]
    rated = gen in ("r1", "r4")
    lw = st["label_mm"]
    suffix, value = _fmt_budget(sp["budget_jpy"], st["unit_in_label"], sp["budget_label"])
    if not st["unit_in_label"]:
        value = sp["budget_label"]
    paras = "".join(f"<p>{_esc(p)}</p>" for p in sp["overview"])
    o = [f'<section class="sheet"><h1>{_esc(TITLE)}</h1>',
         '<table><colgroup><col></colgroup>',
         f'<tr><td class="lab"><span class="t">国際機関の概要</span>{paras}</td></tr></table>',
         f'<table><colgroup><col style="width:{lw}mm"><col><col style="width:12mm">'
         '<col style="width:16mm"></colgroup>',
         f'<tr><td class="lab"><span class="t">{_label("分担金・拠出金の名称", st)}</span></td>'
         f'<td class="val">{_esc(sp["contribution_name"])}</td>'
         f'<td class="c" colspan="2">{_esc(sp["fiscal_year_label"])}</td></tr>',
         f'<tr><td class="lab"><span class="t">{_label("予算額" + suffix, st)}</span></td>'
         f'<td class="val">{_esc(value)}</td>'
         '<td class="lab c" rowspan="3">総合<br>評価</td>'
         f'<td class="c" rowspan="3" style="font-size:{st["size"] + 2}pt">{_esc(sp["overall_rating"])}</td></tr>',
         f'<tr><td class="lab"><span class="t">{_label("拠出先の国際機関名", st)}</span></td>'
         f'<td class="val">{_esc(sp["organization_name"])}</td></tr>',
         f'<tr><td class="lab"><span class="t">{_label("担当課・室名", st)}</span></td>'
         f'<td class="val">{_esc(sp["bureau"] + chr(0x3000) + sp["division"])}</td></tr></table>']
    v = ' class="v"' if st["vertical_headers"] else ""
    cols = f'<col style="width:{lw}mm"><col>' + (f'<col style="width:{st["rating_mm"]}mm">' if rated else "")
    head = (f'<tr><th{v}><span>{_label("評価基準", st)}</span></th><th><span>{_label("達成状況", st)}</span></th>'
            + (f'<th{v}><span>評価</span></th>' if rated else "") + "</tr>")
    o.append(f'<table><colgroup>{cols}</colgroup><thead>{head}</thead><tbody>')
    for c in sp["criteria"]:
        title = CRIT_PREFIX[gen](c["no"]) + c["label"]
        text = "".join(f"<p>{_esc(p)}</p>" for p in c["text"])
        rating = f'<td class="c">{_esc(c["rating"] or "")}</td>' if rated else ""
        o.append(f'<tr class="row"><td class="lab title">{_esc(title)}</td>'
                 f'<td class="text">{text}</td>{rating}</tr>')
    o.append("</tbody></table></section>")
    return "".join(o)


def sheet_html(specs: list[dict], style: dict | None = None) -> str:
    """The HTML document of `specs` (each sheet starts on a new page)."""
    st = dict(HTML_DEFAULT)
    st.update(style or {})
    body = "".join(_sheet(sp, st) for sp in specs)
    return (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>{_esc(TITLE)}</title>'
            f"<style>{_css(st)}</style></head><body>{body}</body></html>")


def chromium() -> str | None:
    """The Chromium executable, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def print_pdf(html_text: str, path: str | Path) -> Path:
    """Print an HTML document to `path` with headless Chromium (no header or footer)."""
    exe = chromium()
    if exe is None:
        raise RuntimeError("chromium is not installed")
    path = Path(path).resolve()
    with tempfile.TemporaryDirectory(prefix="extract-html-") as tmp:
        src = Path(tmp) / "sheet.html"
        src.write_text(html_text, "utf-8")
        subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                        f"--user-data-dir={tmp}/profile", f"--print-to-pdf={path}", src.as_uri()],
                       check=True, capture_output=True, timeout=TIMEOUT)
    if not path.exists():
        raise RuntimeError(f"chromium wrote no PDF for {path.name}")
    return path


def render_chromium(specs: list[dict], path: str | Path, style: dict | None = None) -> Path:
    return print_pdf(sheet_html(specs, style), path)
