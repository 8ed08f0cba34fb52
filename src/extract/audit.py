"""An audit page for one PDF: what was taken from where.

`extract audit sheet.pdf -o audit.html` writes one self-contained HTML file (no network:
page images are inline base64 PNGs rendered with pdfplumber/pypdfium2, styles and a few
lines of script are inline) showing every page with a coloured box around each extracted
value (one box per row of the `fields` table, coloured by the kind of field), the field
name and value on hover and in a side table, the problems on top and each sheet's quality.
"""
from __future__ import annotations

import base64
import html
import io
import re
import sys
from pathlib import Path

# kind of field -> (colour, legend text)
KINDS = {
    "name": ("#1f77b4", "names (contribution, organization, acronym)"),
    "year": ("#9467bd", "fiscal year"),
    "budget": ("#2ca02c", "budget"),
    "department": ("#8c564b", "bureau / division"),
    "rating": ("#d62728", "ratings"),
    "overview": ("#17becf", "overview"),
    "label": ("#ff7f0e", "criterion titles"),
    "text": ("#e377c2", "criterion texts"),
    "other": ("#7f7f7f", "other"),
}
_KIND_OF = {
    "contribution_name": "name", "organization_name": "name", "organization_abbr": "name",
    "fiscal_year": "year", "fiscal_year_label": "year", "budget_jpy": "budget",
    "budget_label": "budget", "bureau": "department", "division": "department",
    "overall_rating": "rating", "overview": "overview",
}
_CRIT = re.compile(r"^criteria\[[^\]]*\]\.(\w+)$")
MAX_VALUE = 160          # characters of a value shown in the side table (the rest on hover)


def kind_of(field: str) -> str:
    m = _CRIT.match(field)
    if m:
        return {"label": "label", "text": "text", "rating": "rating"}.get(m.group(1), "other")
    return _KIND_OF.get(field, "other")


def _e(v) -> str:
    return html.escape("" if v is None else str(v), quote=True)


def _clip(s: str, n: int = MAX_VALUE) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def render_pages(path, password: str | None = None, resolution: int = 100,
                 max_pages: int = 200) -> tuple[list[dict], str | None]:
    """[{number, width, height, x0, top, png (base64)}] for the pages of the PDF, and an error
    message instead when the file cannot be rendered."""
    import pdfplumber
    pages = []
    try:
        with pdfplumber.open(path, password=password or "") as pdf:
            for page in pdf.pages[:max_pages]:
                img = page.to_image(resolution=resolution).original.convert("RGB")
                buf = io.BytesIO()
                img.quantize(colors=128).save(buf, format="PNG", optimize=True)
                x0, top = float(page.bbox[0]), float(page.bbox[1])
                pages.append({"number": page.page_number, "width": float(page.width),
                              "height": float(page.height), "x0": x0, "top": top,
                              "png": base64.b64encode(buf.getvalue()).decode("ascii")})
                page.close()
    except Exception as e:   # broken, encrypted or not a PDF: the problems say why
        return pages, f"{type(e).__name__}: {e}"
    return pages, None


def _boxes(fields: list[dict], pages: dict[int, dict], sheet_no: dict[str, int]) -> dict[int, list[str]]:
    """page number -> HTML of its boxes; box i is the i-th fields row."""
    out: dict[int, list[str]] = {}
    stack: dict[tuple, int] = {}
    for i, f in enumerate(fields):
        pg = pages.get(f.get("page"))
        if pg is None or f.get("x0") is None:
            continue
        key = (f["page"], round(f["x0"]), round(f["top"]), round(f["x1"]), round(f["bottom"]))
        k = stack[key] = stack.get(key, -1) + 1        # identical boxes are drawn nested
        pad = 1.0 + 2.0 * k
        x0 = f["x0"] - pg["x0"] - pad
        top = f["top"] - pg["top"] - pad
        w = f["x1"] - f["x0"] + 2 * pad
        h = f["bottom"] - f["top"] + 2 * pad
        kind = kind_of(f["field"])
        style = (f"left:{100 * x0 / pg['width']:.3f}%;top:{100 * top / pg['height']:.3f}%;"
                 f"width:{100 * w / pg['width']:.3f}%;height:{100 * h / pg['height']:.3f}%;"
                 f"--c:{KINDS[kind][0]}")
        tip = (f"{f['field']} = {_clip(str(f.get('value')), 400)}\n"
               f"sheet #{sheet_no.get(f['sheet_id'], '?')} · page {f['page']} · rule {f.get('rule')}"
               f" · {f.get('method')} · confidence {f.get('confidence')}")
        out.setdefault(f["page"], []).append(
            f'<div class="box k-{kind}" id="b{i}" data-f="{_e(f["field"])}" style="{style}" '
            f'title="{_e(tip)}"></div>')
    return out


_CSS = """
*{box-sizing:border-box}
body{font:13px/1.4 system-ui,-apple-system,"Noto Sans CJK JP","Hiragino Sans",sans-serif;margin:0;color:#222;background:#f4f4f4}
header{padding:10px 16px;background:#fff;border-bottom:1px solid #ccc}
h1{font-size:18px;margin:0 0 4px}
h2{font-size:15px;margin:10px 0 4px}
.meta{color:#555}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border:1px solid #ddd;padding:2px 5px;text-align:left;vertical-align:top}
th{background:#eee}
.problems td.error{color:#b00;font-weight:bold}
.problems td.warning{color:#a60}
.none{color:#080}
.legend span{display:inline-block;margin-right:12px;white-space:nowrap}
.swatch{display:inline-block;width:12px;height:12px;border:2px solid var(--c);background:color-mix(in srgb,var(--c) 15%,transparent);vertical-align:middle;margin-right:3px}
main{display:flex;gap:12px;padding:12px;align-items:flex-start}
.pages{flex:0 0 55%;min-width:0}
.page.skipped{display:inline-block;width:32%;margin-right:1%;opacity:.8}
.side{flex:1;min-width:0;position:sticky;top:0;max-height:100vh;overflow:auto}
.page{position:relative;margin:0 0 14px;background:#fff;box-shadow:0 1px 4px rgba(0,0,0,.3)}
.page img{display:block;width:100%;height:auto}
.pageno{position:absolute;right:4px;top:2px;font-size:11px;color:#777;background:#fffc;padding:0 3px;z-index:2}
.box{position:absolute;border:2px solid var(--c);background:color-mix(in srgb,var(--c) 8%,transparent);border-radius:2px}
.box:hover,.box.hl{background:color-mix(in srgb,var(--c) 30%,transparent);z-index:5;outline:2px solid #000}
.box:hover::after{content:attr(data-f);position:absolute;left:0;top:-17px;white-space:nowrap;font-size:11px;background:var(--c);color:#fff;padding:0 4px;border-radius:2px}
.sheet{margin-bottom:14px}
.fields{table-layout:fixed}
.fields td{word-break:break-all}
.fields td.v{white-space:pre-wrap}
.fields td.r{font-size:11px;color:#555}
.fields tr{cursor:pointer}
.fields tr:hover td,.fields tr.hl td{background:#ffd}
.q-good{color:#080}.q-fair{color:#a60}.q-poor{color:#b00}
"""

_JS = """
document.querySelectorAll('tr[data-box]').forEach(function(tr){
  var b=document.getElementById(tr.dataset.box);
  if(!b)return;
  tr.addEventListener('mouseenter',function(){b.classList.add('hl')});
  tr.addEventListener('mouseleave',function(){b.classList.remove('hl')});
  tr.addEventListener('click',function(){b.scrollIntoView({block:'center'})});
  b.addEventListener('mouseenter',function(){tr.classList.add('hl')});
  b.addEventListener('mouseleave',function(){tr.classList.remove('hl')});
  b.addEventListener('click',function(){tr.scrollIntoView({block:'center'})});
});
"""


def build_html(source: str, rows: dict[str, list[dict]], pages: list[dict],
               render_error: str | None = None) -> str:
    """The audit page from the table rows of one file and its rendered pages."""
    sheets, fields, problems = rows["sheets"], rows["fields"], rows["problems"]
    sheet_no = {s["sheet_id"]: s["sheet_index"] for s in sheets}
    by_page = {p["number"]: p for p in pages}
    boxes = _boxes(fields, by_page, sheet_no)
    n_boxes = sum(len(v) for v in boxes.values())
    h = ['<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">',
         f"<title>extract audit: {_e(source)}</title><style>{_CSS}</style></head><body>",
         "<header>", f"<h1>extract audit: {_e(source)}</h1>",
         f'<div class="meta">{len(pages)} page(s) · {len(sheets)} sheet(s) · '
         f'<span id="nfields">{len(fields)}</span> extracted value(s) · '
         f'<span id="nboxes">{n_boxes}</span> box(es) drawn · {len(problems)} problem(s)'
         + (f" · sha256 {_e(sheets[0]['source_sha256'][:16])}…" if sheets else "") + "</div>"]
    h.append("<h2>Problems</h2>")
    if render_error:
        h.append(f'<p class="problems error">Pages could not be rendered: {_e(render_error)}</p>')
    if problems:
        h.append('<table class="problems"><tr><th>severity</th><th>code</th><th>sheet</th>'
                 "<th>field</th><th>message</th></tr>")
        for p in problems:
            h.append(f'<tr><td class="{_e(p["severity"])}">{_e(p["severity"])}</td>'
                     f'<td>{_e(p["code"])}</td><td>{_e(p.get("sheet_index"))}</td>'
                     f'<td>{_e(p.get("field"))}</td><td>{_e(p["message"])}</td></tr>')
        h.append("</table>")
    else:
        h.append('<p class="none">none</p>')
    if sheets:
        h.append("<h2>Sheets</h2><table><tr><th>#</th><th>pages</th><th>template</th><th>FY</th>"
                 "<th>contribution</th><th>quality</th></tr>")
        for s in sheets:
            h.append(f'<tr><td>{s["sheet_index"]}</td><td>{s["page_first"]}–{s["page_last"]}</td>'
                     f'<td>{_e(s["template"])}</td><td>{_e(s.get("fiscal_year"))}</td>'
                     f'<td>{_e(s.get("contribution_name"))}</td>'
                     f'<td class="q-{_e(s.get("quality_grade"))}">{_e(s.get("quality"))} '
                     f'({_e(s.get("quality_grade"))})</td></tr>')
        h.append("</table>")
    h.append('<div class="legend"><b>Boxes:</b> ' + "".join(
        f'<span><i class="swatch" style="--c:{c}"></i>{_e(t)}</span>'
        for k, (c, t) in KINDS.items() if k != "other") + "</div>")
    h.append("</header><main><section class=\"pages\">")
    for p in pages:
        skipped = "" if boxes.get(p["number"]) else " skipped"   # a page of no sheet, small
        h.append(f'<div class="page{skipped}" id="page{p["number"]}" '
                 f'style="aspect-ratio:{p["width"]:.2f}/{p["height"]:.2f}">'
                 f'<span class="pageno">page {p["number"]}{" (no sheet)" if skipped else ""}</span>'
                 f'<img alt="page {p["number"]}" src="data:image/png;base64,{p["png"]}">')
        h.extend(boxes.get(p["number"], []))
        h.append("</div>")
    h.append('</section><section class="side">')
    for s in sheets:
        grade = s.get("quality_grade")
        h.append(f'<div class="sheet"><h2>Sheet #{s["sheet_index"]} · {_e(s["template"])} · '
                 f'FY{_e(s.get("fiscal_year"))} · quality <span class="q-{_e(grade)}">'
                 f'{_e(s.get("quality"))} ({_e(grade)})</span></h2>'
                 '<table class="fields"><colgroup><col style="width:27%"><col style="width:45%">'
                 '<col style="width:7%"><col style="width:13%"><col style="width:8%"></colgroup>'
                 "<tr><th>field</th><th>value</th><th>page</th><th>rule</th><th>conf.</th></tr>")
        for i, f in enumerate(fields):
            if f["sheet_id"] != s["sheet_id"]:
                continue
            kind = kind_of(f["field"])
            v = "" if f.get("value") is None else str(f["value"])
            h.append(f'<tr data-box="b{i}"><td><i class="swatch" style="--c:{KINDS[kind][0]}"></i>'
                     f'{_e(f["field"])}</td><td class="v" title="{_e(_clip(v, 2000))}">'
                     f'{_e(_clip(v))}</td><td>{_e(f.get("page"))}</td><td class="r">{_e(f.get("rule"))}</td>'
                     f'<td>{_e(f.get("confidence"))}</td></tr>')
        h.append("</table></div>")
    h.append(f"</section></main><script>{_JS}</script></body></html>")
    return "\n".join(h)


def audit(pdf, rules=None, password: str | None = None, resolution: int = 100,
          reader: str | None = None) -> tuple[str, dict]:
    """(HTML, table rows) of one PDF."""
    from .api import extract_pdf
    from .rules import load_rules
    from .tables import rows
    templates = rules if isinstance(rules, list) else load_rules(rules)
    result = extract_pdf(pdf, templates, password=password, source_path=Path(pdf).name, reader=reader)
    r = rows([result])
    pages, err = render_pages(pdf, password, resolution) if Path(pdf).is_file() else ([], "no such file")
    return build_html(Path(pdf).name, r, pages, err), r


def write_audit(pdf, out, rules=None, password: str | None = None, resolution: int = 100,
                reader: str | None = None) -> dict:
    """Write the audit page of `pdf` to `out`; returns the table rows shown."""
    text, r = audit(pdf, rules, password, resolution, reader)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(text, encoding="utf-8")
    return r


def main(pdf, out, rules=None, password=None, resolution: int = 100, reader: str | None = None) -> int:
    """The `extract audit` command: 0 when written (even for a file with problems), 2 on error."""
    if not Path(pdf).is_file():
        print(f"extract audit: error: no such file: {pdf}", file=sys.stderr)
        return 2
    r = write_audit(pdf, out, rules, password, resolution, reader)
    errors = [p["code"] for p in r["problems"] if p["severity"] == "error"]
    print(f"{out}: {len(r['sheets'])} sheet(s), {len(r['fields'])} value(s) boxed, "
          f"{len(r['problems'])} problem(s)" + (f" (error: {', '.join(errors)})" if errors else ""))
    return 0
