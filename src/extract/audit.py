"""An audit page for one PDF: what was taken from where.

`extract audit sheet.pdf -o audit.html` writes one self-contained HTML file (no network:
page images are inline base64 greyscale WebP (PNG where Pillow lacks WebP) rendered with
pypdfium2, styles and a few lines of script are inline) showing every page with a coloured
box around each extracted value (one box per row of the `fields` table, coloured by the kind
of field), the field name and value on hover and in a side table, the problems on top and
each sheet's quality.

It scales to a whole round in one PDF (100 sheets, 170 pages): the sheet list links to the
pages, the side panel shows the sheet of the page in view (it follows the scroll), and page
images are decoded only when they come near the window.
"""
from __future__ import annotations

import base64
import functools
import html
import io
import re
from pathlib import Path

from .api import extract_pdf
from .parsers import template_columns
from .rules import load_rules
from .tables import rows
from .rows import FAMILY_TABLES
from .inputs import display_name

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
_CRIT = re.compile(r"^criteria\[[^\]]*\]\.(\w+)$")
MAX_VALUE = 160          # characters of a value shown in the side table (the rest unfolds)
MAX_TIP = 120            # characters of a value in a box's tooltip
MAX_PAGES = 1000         # pages rendered; the page says so when a file has more
WEBP_METHOD = 2          # lossless WebP effort (0 fast .. 6 small): 2 is as small as 4 here
GRAY_LEVELS = 16         # grey levels of the page images where PNG is the fallback (4-bit)
_GREY_LUT = [v * GRAY_LEVELS // 256 for v in range(256)]
PNG_COMPRESS_LEVEL = 6   # zlib level: 9 is ten times slower for 4% less
SMALL_SCALE = 0.5        # pages of no sheet are shown small, and rendered at half the resolution
LAZY_MARGIN_PX = 1500    # page images are decoded when they come this close to the window


def column_kinds(templates: list) -> dict[str, str]:
    """Header column -> colour group, as the parsers of the templates' fields declare."""
    return {c.name: c.kind for c in template_columns(templates)}


@functools.cache
def _shipped_kinds() -> dict[str, str]:
    return column_kinds(load_rules())


def kind_of(field: str, kinds: dict[str, str] | None = None) -> str:
    """The colour group of a fields-table row (kinds: of the templates used; default: of
    the shipped rules)."""
    m = _CRIT.match(field)
    if m:
        return {"label": "label", "text": "text", "rating": "rating"}.get(m.group(1), "other")
    return (_shipped_kinds() if kinds is None else kinds).get(field, "other")


def _e(v) -> str:
    return html.escape("" if v is None else str(v), quote=True)


def _clip(s: str, n: int = MAX_VALUE) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def encode_image(img) -> tuple[str, str]:
    """(MIME type, base64) of a greyscale page image: lossless WebP where Pillow has it (a
    fifth of the size of the colour PNGs this page used to carry, and fast to write), else a
    PNG of GRAY_LEVELS grey levels, 4 bits per pixel."""
    from PIL import Image, features
    buf = io.BytesIO()
    if features.check("webp"):
        img.save(buf, format="WEBP", lossless=True, method=WEBP_METHOD, quality=0)
        return "image/webp", base64.b64encode(buf.getvalue()).decode("ascii")
    grey = img.convert("L").point(_GREY_LUT)
    pal = Image.frombytes("P", grey.size, grey.tobytes())
    pal.putpalette([v * (255 // (GRAY_LEVELS - 1)) for v in range(GRAY_LEVELS) for _ in range(3)])
    pal.save(buf, format="PNG", bits=4, compress_level=PNG_COMPRESS_LEVEL)
    return "image/png", base64.b64encode(buf.getvalue()).decode("ascii")


def render_pages(path, password: str | None = None, resolution: int = 100,
                 max_pages: int = MAX_PAGES, large: frozenset[int] | None = None
                 ) -> tuple[list[dict], str | None]:
    """[{number, width, height, x0, top, mime, data (base64)}] for the pages of the PDF, and a
    message when the file cannot be rendered or has more than max_pages pages. Where `large`
    is given, the pages not in it (pages of no sheet, shown small) are rendered at
    SMALL_SCALE of the resolution.

    The document is opened once by pypdfium2 (pdfplumber's own to_image opens it again for
    every page) and rendered without anti-aliasing, as pdfplumber does, in grey; pdfplumber
    gives the page geometry the boxes are measured in."""
    import pdfplumber
    import pypdfium2
    pages = []
    try:
        doc = pypdfium2.PdfDocument(str(path), password=password or None)
        try:
            with pdfplumber.open(path, password=password or "") as pdf:
                for i, page in enumerate(pdf.pages[:max_pages]):
                    small = large is not None and page.page_number not in large
                    scale = resolution / 72 * (SMALL_SCALE if small else 1)
                    img = doc[i].render(scale=scale, grayscale=True, no_smoothtext=True,
                                        no_smoothpath=True, no_smoothimage=True).to_pil()
                    mime, data = encode_image(img)
                    pages.append({"number": page.page_number, "width": float(page.width),
                                  "height": float(page.height), "x0": float(page.bbox[0]),
                                  "top": float(page.bbox[1]), "mime": mime, "data": data})
                total = len(pdf.pages)
        finally:
            doc.close()
    except Exception as e:   # broken, encrypted or not a PDF: the problems say why
        return pages, f"{type(e).__name__}: {e}"
    if total > len(pages):
        return pages, f"only the first {len(pages)} of {total} pages are shown"
    return pages, None


def _boxes(fields: list[dict], pages: dict[int, dict], sheet_no: dict[str, int],
           kinds: dict[str, str] | None) -> dict[int, list[str]]:
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
        kind = kind_of(f["field"], kinds)
        style = (f"left:{100 * x0 / pg['width']:.3f}%;top:{100 * top / pg['height']:.3f}%;"
                 f"width:{100 * w / pg['width']:.3f}%;height:{100 * h / pg['height']:.3f}%;"
                 f"--c:{KINDS[kind][0]}")
        tip = (f"{f['field']} = {_clip(str(f.get('value')), MAX_TIP)}\n"
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
th{background:#eee;position:sticky;top:0;z-index:1}
.scroll{max-height:32vh;overflow:auto;border:1px solid #ddd}
.problems td.error{color:#b00;font-weight:bold}
.problems td.warning{color:#a60}
.none{color:#080}
.toc tr.cur td{background:#e8f0ff}
.legend span{display:inline-block;margin-right:12px;white-space:nowrap}
.swatch{display:inline-block;width:12px;height:12px;border:2px solid var(--c);background:color-mix(in srgb,var(--c) 15%,transparent);vertical-align:middle;margin-right:3px}
main{display:flex;gap:12px;padding:12px;align-items:flex-start}
.pages{flex:0 0 55%;min-width:0}
.page.skipped{display:inline-block;width:32%;margin-right:1%;opacity:.8}
.side{flex:1;min-width:0;position:sticky;top:0;max-height:100vh;overflow:auto}
.side-head{position:sticky;top:0;z-index:3;background:#f4f4f4;padding:4px 0;border-bottom:1px solid #ccc}
.side-head select{max-width:70%}
.page{position:relative;margin:0 0 14px;background:#fff;box-shadow:0 1px 4px rgba(0,0,0,.3)}
.page img{display:block;width:100%;height:100%}
.pageno{position:absolute;right:4px;top:2px;font-size:11px;color:#777;background:#fffc;padding:0 3px;z-index:2}
.box{position:absolute;border:2px solid var(--c);background:color-mix(in srgb,var(--c) 8%,transparent);border-radius:2px}
.box:hover,.box.hl{background:color-mix(in srgb,var(--c) 30%,transparent);z-index:5;outline:2px solid #000}
.box:hover::after{content:attr(data-f);position:absolute;left:0;top:-17px;white-space:nowrap;font-size:11px;background:var(--c);color:#fff;padding:0 4px;border-radius:2px}
.sheet{margin-bottom:14px}
.sheet[hidden]{display:none}
.fields{table-layout:fixed}
.fields th{top:30px}
.fields td{word-break:break-all}
.fields td.v{white-space:pre-wrap}
.fields summary{cursor:pointer;display:inline;list-style:none}
.fields summary::after{content:"… ▸";color:#06c}
.fields details[open] summary::after{content:""}
.fields details[open]{display:inline}
.fields td.r{font-size:11px;color:#555}
.fields tr{cursor:pointer}
.fields tr:hover td,.fields tr.hl td{background:#ffd}
.q-good{color:#080}.q-fair{color:#a60}.q-poor{color:#b00}
"""

# One listener per kind of event for the whole page (not one per box), page images decoded
# when they come near the window, and the side panel showing the sheet of the page in view.
_JS = """
(function(){
var pages=Array.prototype.slice.call(document.querySelectorAll('.page'));
var sel=document.getElementById('sheetsel'),cur=document.getElementById('curpage');
function load(img){if(img.dataset.src){img.src=img.dataset.src;img.removeAttribute('data-src');}}
if('IntersectionObserver' in window){
  var io=new IntersectionObserver(function(es){es.forEach(function(e){
    if(e.isIntersecting){load(e.target);io.unobserve(e.target);}});},{rootMargin:'%LAZY%px 0px'});
  document.querySelectorAll('img[data-src]').forEach(function(i){io.observe(i);});
}else{document.querySelectorAll('img[data-src]').forEach(load);}
var shown=null;
function show(k,fromScroll){
  if(k===shown||k===undefined||k==='')return;
  var old=document.getElementById('sheet'+shown),nu=document.getElementById('sheet'+k);
  if(!nu)return;
  if(old)old.hidden=true;
  nu.hidden=false;shown=k;if(sel)sel.value=k;
  document.querySelectorAll('.toc tr.cur').forEach(function(r){r.classList.remove('cur');});
  var row=document.getElementById('toc'+k);if(row)row.classList.add('cur');
}
function pageInView(){
  var y=window.scrollY+window.innerHeight/3,lo=0,hi=pages.length-1,at=-1;
  while(lo<=hi){var m=(lo+hi)>>1;if(pages[m].offsetTop<=y){at=m;lo=m+1;}else hi=m-1;}
  if(at<0)return null;
  for(var i=Math.max(0,at-1);i<Math.min(pages.length,at+3);i++){
    var im=pages[i].querySelector('img[data-src]');if(im)load(im);}
  return pages[at];
}
var queued=false;
function follow(){queued=false;var p=pageInView();if(!p)return;
  if(cur)cur.textContent=p.dataset.n;
  var s=p.dataset.sheets;if(s)show(s.split(' ')[0],true);}
window.addEventListener('scroll',function(){if(!queued){queued=true;requestAnimationFrame(follow);}},{passive:true});
if(sel)sel.addEventListener('change',function(){show(sel.value);
  var pg=document.getElementById('page'+sel.options[sel.selectedIndex].dataset.first);
  if(pg)pg.scrollIntoView();});
function pair(t){
  var tr=t.closest&&t.closest('tr[data-box]');
  if(tr)return [tr,document.getElementById(tr.dataset.box)];
  var b=t.closest&&t.closest('.box');
  if(b)return [document.querySelector('tr[data-box="'+b.id+'"]'),b];
  return null;
}
function hl(e,on){var p=pair(e.target);if(!p)return;
  p.forEach(function(x){if(x)x.classList.toggle('hl',on);});}
document.addEventListener('mouseover',function(e){hl(e,true);});
document.addEventListener('mouseout',function(e){hl(e,false);});
document.addEventListener('click',function(e){var p=pair(e.target);if(!p)return;
  if(e.target.closest('tr[data-box]')){if(p[1])p[1].scrollIntoView({block:'center'});}
  else if(p[0]){var sh=p[0].closest('.sheet');if(sh)show(sh.dataset.k);
    p[0].scrollIntoView({block:'nearest'});}});
window.addEventListener('load',follow);window.addEventListener('hashchange',follow);
follow();if(shown===null&&sel&&sel.options.length)show(sel.options[0].value);
})();
""".replace("%LAZY%", str(LAZY_MARGIN_PX))


def _page_sheets(sheets: list[dict]) -> dict[int, list[int]]:
    """page number -> sheet indexes of the sheets spanning it."""
    out: dict[int, list[int]] = {}
    for s in sheets:
        for n in range(s["page_first"], s["page_last"] + 1):
            out.setdefault(n, []).append(s["sheet_index"])
    return out


def _problems_html(problems: list[dict], first_page: dict[int, int],
                   render_error: str | None) -> list[str]:
    h = [f"<h2>Problems ({len(problems)})</h2>"]
    if render_error:
        h.append(f'<p class="problems error">Page images: {_e(render_error)}</p>')
    if not problems:
        return h + ['<p class="none">none</p>']
    h.append('<div class="scroll"><table class="problems"><tr><th>severity</th><th>code</th>'
             "<th>sheet</th><th>field</th><th>message</th></tr>")
    for p in problems:
        idx = p.get("sheet_index")
        where = (f'<a href="#page{first_page[idx]}">#{idx}</a>' if idx in first_page
                 else _e(idx))
        h.append(f'<tr><td class="{_e(p["severity"])}">{_e(p["severity"])}</td>'
                 f'<td>{_e(p["code"])}</td><td>{where}</td>'
                 f'<td>{_e(p.get("field"))}</td><td>{_e(p["message"])}</td></tr>')
    return h + ["</table></div>"]


def _sheet_list_html(sheets: list[dict], problems: list[dict]) -> list[str]:
    """The sheets, each linked to its first page."""
    if not sheets:
        return []
    n_probs: dict = {}
    for p in problems:
        n_probs[p.get("sheet_index")] = n_probs.get(p.get("sheet_index"), 0) + 1
    h = [f"<h2>Sheets ({len(sheets)})</h2>", '<div class="scroll"><table class="toc"><tr><th>#</th>'
         "<th>pages</th><th>template</th><th>FY</th><th>contribution</th><th>quality</th>"
         "<th>problems</th></tr>"]
    for s in sheets:
        k, grade = s["sheet_index"], s.get("quality_grade")
        h.append(f'<tr id="toc{k}"><td><a href="#page{s["page_first"]}">#{k}</a></td>'
                 f'<td><a href="#page{s["page_first"]}">{s["page_first"]}–{s["page_last"]}</a></td>'
                 f'<td>{_e(s["template"])}</td><td>{_e(s.get("fiscal_year"))}</td>'
                 f'<td>{_e(s.get("contribution_name"))}</td>'
                 f'<td class="q-{_e(grade)}">{_e(s.get("quality"))} ({_e(grade)})</td>'
                 f'<td>{n_probs.get(k, 0)}</td></tr>')
    return h + ["</table></div>"]


def _pages_html(pages: list[dict], boxes: dict[int, list[str]],
                on_page: dict[int, list[int]]) -> list[str]:
    h = []
    for p in pages:
        n = p["number"]
        skipped = "" if boxes.get(n) else " skipped"   # a page of no sheet, small
        sheets = " ".join(str(k) for k in on_page.get(n, []))
        h.append(f'<div class="page{skipped}" id="page{n}" data-n="{n}" data-sheets="{sheets}" '
                 f'style="aspect-ratio:{p["width"]:.2f}/{p["height"]:.2f}">'
                 f'<span class="pageno">page {n}{" (no sheet)" if skipped else ""}</span>'
                 f'<img alt="page {n}" decoding="async" data-src="data:{p["mime"]};base64,{p["data"]}">')
        h.extend(boxes.get(n, []))
        h.append("</div>")
    return h


def _value_html(v: str) -> str:
    """A value for the side table: its first MAX_VALUE characters, the rest folded (each
    character is in the page once)."""
    if len(v) <= MAX_VALUE:
        return _e(v)
    return f"<details><summary>{_e(v[:MAX_VALUE])}</summary>{_e(v[MAX_VALUE:])}</details>"


def _side_html(sheets: list[dict], fields: list[dict], kinds: dict[str, str] | None = None) -> list[str]:
    """The side panel: a sheet picker and one field table per sheet, the sheet of the page in
    view shown (the script follows the scroll), the others hidden."""
    by_sheet: dict[str, list[int]] = {}
    for i, f in enumerate(fields):
        by_sheet.setdefault(f["sheet_id"], []).append(i)
    h = ['<div class="side-head">page <b id="curpage">1</b> · sheet <select id="sheetsel">']
    for s in sheets:
        name = _clip(str(s.get("contribution_name") or ""), 40)
        h.append(f'<option value="{s["sheet_index"]}" data-first="{s["page_first"]}">'
                 f'#{s["sheet_index"]} FY{_e(s.get("fiscal_year"))} {_e(name)}</option>')
    h.append("</select></div>")
    for s in sheets:
        grade = s.get("quality_grade")
        h.append(f'<div class="sheet" id="sheet{s["sheet_index"]}" data-k="{s["sheet_index"]}" hidden>'
                 f'<h2>Sheet #{s["sheet_index"]} · {_e(s["template"])} · '
                 f'FY{_e(s.get("fiscal_year"))} · pages {s["page_first"]}–{s["page_last"]} · '
                 f'quality <span class="q-{_e(grade)}">{_e(s.get("quality"))} ({_e(grade)})</span></h2>'
                 '<table class="fields"><colgroup><col style="width:27%"><col style="width:45%">'
                 '<col style="width:7%"><col style="width:13%"><col style="width:8%"></colgroup>'
                 "<tr><th>field</th><th>value</th><th>page</th><th>rule</th><th>conf.</th></tr>")
        for i in by_sheet.get(s["sheet_id"], []):
            f = fields[i]
            kind = kind_of(f["field"], kinds)
            v = "" if f.get("value") is None else str(f["value"])
            h.append(f'<tr data-box="b{i}"><td><i class="swatch" style="--c:{KINDS[kind][0]}"></i>'
                     f'{_e(f["field"])}</td><td class="v">{_value_html(v)}</td>'
                     f'<td>{_e(f.get("page"))}</td><td class="r">{_e(f.get("rule"))}</td>'
                     f'<td>{_e(f.get("confidence"))}</td></tr>')
        h.append("</table></div>")
    return h


def all_sheets(rows: dict[str, list[dict]]) -> list[dict]:
    """The sheets of every family in one list, in page order; a review sheet is shown with
    its review year and project name where an evaluation sheet shows its fiscal year and
    contribution."""
    out = list(rows["sheets"])
    for name in FAMILY_TABLES:
        if name.endswith("_sheets"):
            out += [{**r, "fiscal_year": r.get("review_year"), "contribution_name": r.get("project_name")}
                    for r in rows.get(name, [])]
    return sorted(out, key=lambda s: (s["page_first"], s["sheet_index"]))


def build_html(source: str, rows: dict[str, list[dict]], pages: list[dict],
               render_error: str | None = None, kinds: dict[str, str] | None = None) -> str:
    """The audit page from the table rows of one file and its rendered pages (kinds: the
    colour group of each header column, column_kinds(templates); default: shipped rules)."""
    sheets, fields, problems = all_sheets(rows), rows["fields"], rows["problems"]
    sheet_no = {s["sheet_id"]: s["sheet_index"] for s in sheets}
    first_page = {s["sheet_index"]: s["page_first"] for s in sheets}
    boxes = _boxes(fields, {p["number"]: p for p in pages}, sheet_no, kinds)
    n_boxes = sum(len(v) for v in boxes.values())
    h = ['<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">',
         f"<title>extract audit: {_e(source)}</title><style>{_CSS}</style></head><body>",
         "<header>", f"<h1>extract audit: {_e(source)}</h1>",
         f'<div class="meta">{len(pages)} page(s) · {len(sheets)} sheet(s) · '
         f'<span id="nfields">{len(fields)}</span> extracted value(s) · '
         f'<span id="nboxes">{n_boxes}</span> box(es) drawn · {len(problems)} problem(s)'
         + (f" · sha256 {_e(sheets[0]['source_sha256'][:16])}…" if sheets else "") + "</div>"]
    h += _problems_html(problems, first_page, render_error)
    h += _sheet_list_html(sheets, problems)
    h.append('<div class="legend"><b>Boxes:</b> ' + "".join(
        f'<span><i class="swatch" style="--c:{c}"></i>{_e(t)}</span>'
        for k, (c, t) in KINDS.items() if k != "other") + "</div>")
    h.append("</header><main><section class=\"pages\">")
    h += _pages_html(pages, boxes, _page_sheets(sheets))
    h.append('</section><section class="side">')
    h += _side_html(sheets, fields, kinds)
    h.append(f"</section></main><script>{_JS}</script></body></html>")
    return "\n".join(h)


def audit(pdf, rules=None, password: str | None = None, resolution: int = 100,
          reader: str | None = None) -> tuple[str, dict]:
    """(HTML, table rows) of one PDF."""
    templates = rules if isinstance(rules, list) else load_rules(rules)
    name = display_name(Path(pdf).name)     # a file name need not be valid UTF-8
    result = extract_pdf(pdf, templates, password=password, source_path=name,
                         reader=reader)
    r = rows([result])
    large = frozenset(n for s in all_sheets(r) for n in range(s["page_first"], s["page_last"] + 1))
    pages, err = (render_pages(pdf, password, resolution, large=large) if Path(pdf).is_file()
                  else ([], "no such file"))
    return build_html(name, r, pages, err, column_kinds(templates)), r


def write_audit(pdf, out, rules=None, password: str | None = None, resolution: int = 100,
                reader: str | None = None) -> dict:
    """Write the audit page of `pdf` to `out`; returns the table rows shown."""
    text, r = audit(pdf, rules, password, resolution, reader)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(text, encoding="utf-8")
    return r
