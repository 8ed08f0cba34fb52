"""`extract report OUT -o report.html`: one self-contained HTML page about a batch, for the
person who ran it.

It shows the files and sheets, the quality grades, the problems by code with the files
concerned (each linked to its audit page where one was made: `--audit PDF_ROOT` writes them
into a folder next to the report), overall ratings by fiscal year (an inline SVG chart), the
budget by rating, and the contribution x fiscal year panel (cross-year keys). No network: the
styles, the script (filtering and sorting the long tables) and the chart are inline. Long
lists sit in scrolling boxes with a filter, so the page stays readable on 1,000 sheets.

`summarize` turns the tables into plain dataclasses; `build_html` renders them; both are pure.
"""
from __future__ import annotations

import hashlib
import html
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pyarrow as pa

from .charts import Series, stacked_bars

# Every rating of every template generation, best first (DOMAIN.md: A–D, S–D, nine levels).
RATING_ORDER = ("S", "A+", "A", "A-", "B+", "B", "B-", "C", "D")
RATING_COLOURS = {"S": "#1a7f37", "A+": "#2f9e44", "A": "#51b560", "A-": "#8fce7a",
                  "B+": "#d8e36a", "B": "#f2c94c", "B-": "#f2a54c", "C": "#e8743b", "D": "#c0392b"}
OTHER_COLOUR = "#999999"
NO_RATING = "(none)"
MAX_FILES_SHOWN = 12      # files listed inline per problem code; the rest unfold
BAR_PX_PER_PCT = 2        # width of the share bars in the budget table


@dataclass
class ProblemGroup:
    code: str
    severity: str
    count: int
    files: list[str]


@dataclass
class FileRow:
    source_path: str
    sheets: int = 0
    errors: int = 0
    warnings: int = 0


@dataclass
class BudgetRow:
    rating: str
    sheets: int
    with_budget: int
    total_jpy: int


@dataclass
class PanelRow:
    organization_key: str
    contribution_key: str
    cells: dict[int, list[dict]] = field(default_factory=dict)   # fiscal year -> its sheets


@dataclass
class Summary:
    """What the report shows, computed from the tables of one output folder."""
    files: list[FileRow]
    sheets: list[dict]
    grades: dict[str, int]
    problems: list[ProblemGroup]
    years: list[int]
    ratings: list[str]
    rating_by_year: dict[tuple[int, str], int]
    budget: list[BudgetRow]
    panel: list[PanelRow]
    criteria: int


def rating_key(r: str) -> tuple[int, str]:
    """Sort order of ratings: the scale, then any other value, then no rating."""
    if r in RATING_ORDER:
        return (0, f"{RATING_ORDER.index(r):02d}")
    return (2, "") if r == NO_RATING else (1, r)


def _files(sheets: list[dict], problems: list[dict]) -> list[FileRow]:
    rows: dict[str, FileRow] = {}
    for s in sheets:
        rows.setdefault(s["source_path"], FileRow(s["source_path"])).sheets += 1
    for p in problems:
        row = rows.setdefault(p["source_path"], FileRow(p["source_path"]))
        if p["severity"] == "error":
            row.errors += 1
        else:
            row.warnings += 1
    return sorted(rows.values(), key=lambda r: (-r.errors, -r.warnings, r.source_path))


def _problem_groups(problems: list[dict]) -> list[ProblemGroup]:
    groups: dict[str, ProblemGroup] = {}
    for p in problems:
        g = groups.setdefault(p["code"], ProblemGroup(p["code"], p["severity"], 0, []))
        g.count += 1
        if p["source_path"] not in g.files:
            g.files.append(p["source_path"])
    return sorted(groups.values(), key=lambda g: (g.severity != "error", -g.count, g.code))


def _budget(sheets: list[dict], ratings: list[str]) -> list[BudgetRow]:
    out = []
    for r in ratings:
        rs = [s for s in sheets if (s.get("overall_rating") or NO_RATING) == r]
        with_budget = [s["budget_jpy"] for s in rs if s.get("budget_jpy") is not None]
        out.append(BudgetRow(r, len(rs), len(with_budget), sum(with_budget)))
    return out


def _panel(sheets: list[dict]) -> list[PanelRow]:
    rows: dict[str, PanelRow] = {}
    for s in sheets:
        key = s.get("contribution_key")
        if not key or s.get("fiscal_year") is None:
            continue
        row = rows.setdefault(key, PanelRow(s.get("organization_key") or "", key))
        row.cells.setdefault(s["fiscal_year"], []).append(s)
    return sorted(rows.values(), key=lambda r: (r.organization_key, r.contribution_key))


def summarize(tables: dict[str, pa.Table]) -> Summary:
    """The report's content from the tables of an output folder (outputs.read_output)."""
    sheets = sorted(tables["sheets"].to_pylist(),
                    key=lambda s: (s["source_path"], s["sheet_index"]))
    problems = tables["problems"].to_pylist()
    ratings = sorted({s.get("overall_rating") or NO_RATING for s in sheets}, key=rating_key)
    years = sorted({s["fiscal_year"] for s in sheets if s.get("fiscal_year") is not None})
    by_year = Counter((s["fiscal_year"], s.get("overall_rating") or NO_RATING)
                      for s in sheets if s.get("fiscal_year") is not None)
    grades = Counter(s.get("quality_grade") or "unknown" for s in sheets)
    return Summary(files=_files(sheets, problems), sheets=sheets, grades=dict(grades),
                   problems=_problem_groups(problems), years=years, ratings=ratings,
                   rating_by_year=dict(by_year), budget=_budget(sheets, ratings),
                   panel=_panel(sheets), criteria=tables["criteria"].num_rows)


# ------------------------------------------------------------------ HTML

def _e(v) -> str:
    return html.escape("" if v is None else str(v), quote=True)


def yen(v: int | None) -> str:
    """A yen amount for people: 1,234,567,890 → 12.3億円; 45,800,000 → 4,580万円."""
    if v is None:
        return ""
    if abs(v) >= 100_000_000:
        return f"{v / 100_000_000:,.1f}億円"
    if abs(v) >= 10_000:
        return f"{v / 10_000:,.0f}万円"
    return f"{v:,}円"


def audit_page_name(source_path: str) -> str:
    """File name of the audit page of one input file: readable, and unique per path."""
    stem = re.sub(r"[^\w.-]+", "_", source_path).strip("_")[:80]
    return f"{stem}-{hashlib.sha256(source_path.encode()).hexdigest()[:8]}.html"


def _num(v: int | None) -> str:
    return "" if v is None else f"{v:,}"


def _file_link(path: str, audit: dict[str, str]) -> str:
    href = audit.get(path)
    return f'<a href="{_e(href)}">{_e(path)}</a>' if href else _e(path)


def _rating_cell(r: str | None) -> str:
    r = r or NO_RATING
    colour = RATING_COLOURS.get(r, OTHER_COLOUR)
    return f'<span class="rt" style="--c:{colour}">{_e(r)}</span>'


def _overview_html(s: Summary) -> list[str]:
    n_err = sum(1 for f in s.files if f.errors)
    n_prob = sum(g.count for g in s.problems)
    grades = " · ".join(f'<span class="q-{_e(g)}">{_e(g)} {n}</span>'
                        for g, n in sorted(s.grades.items(), key=lambda x: ("good", "fair", "poor").index(x[0])
                                           if x[0] in ("good", "fair", "poor") else 9))
    cards = [("files", len(s.files)), ("files with errors", n_err), ("sheets", len(s.sheets)),
             ("criteria", s.criteria), ("problems", n_prob)]
    h = ['<div class="cards">'] + [f'<div class="card"><b id="n-{_e(k.replace(" ", "-"))}">{v:,}</b>'
                                   f'<span>{_e(k)}</span></div>' for k, v in cards]
    h.append(f'</div><p>Sheet quality: {grades or "no sheets"}</p>')
    return h


def _problems_html(s: Summary, audit: dict[str, str]) -> list[str]:
    h = ['<h2 id="problems">Problems by code</h2>']
    if not s.problems:
        return h + ['<p class="none">none</p>']
    h.append('<table class="problems"><tr><th>code</th><th>severity</th><th>rows</th>'
             "<th>files</th><th>files concerned</th></tr>")
    for g in s.problems:
        shown = ", ".join(_file_link(f, audit) for f in g.files[:MAX_FILES_SHOWN])
        more = g.files[MAX_FILES_SHOWN:]
        if more:
            shown += (f' <details><summary>and {len(more)} more</summary>'
                      + ", ".join(_file_link(f, audit) for f in more) + "</details>")
        h.append(f'<tr id="code-{_e(g.code)}"><td><code>{_e(g.code)}</code></td>'
                 f'<td class="{_e(g.severity)}">{_e(g.severity)}</td><td>{g.count}</td>'
                 f"<td>{len(g.files)}</td><td>{shown}</td></tr>")
    return h + ["</table>"]


def _chart_html(s: Summary) -> list[str]:
    h = ['<h2 id="ratings">Overall ratings by fiscal year</h2>']
    if not s.years:
        return h + ['<p class="none">no sheet with a fiscal year</p>']
    series = [Series(r, RATING_COLOURS.get(r, OTHER_COLOUR),
                     [s.rating_by_year.get((y, r), 0) for y in s.years]) for r in s.ratings]
    h.append(stacked_bars([str(y) for y in s.years], series, "overall ratings by fiscal year"))
    return h


def _budget_html(s: Summary) -> list[str]:
    total = sum(b.total_jpy for b in s.budget) or 1
    h = ['<h2 id="budget">Budget by overall rating</h2>',
         '<p class="hint">Budgets of the sheets as extracted, all fiscal years together (a sheet '
         "printed in two PDFs counts twice).</p>",
         '<table class="budget"><tr><th>rating</th>'
         "<th>sheets</th><th>with a budget</th><th>total budget</th><th>yen</th><th>share</th></tr>"]
    for b in s.budget:
        share = 100 * b.total_jpy / total
        h.append(f"<tr><td>{_rating_cell(b.rating)}</td><td>{b.sheets}</td><td>{b.with_budget}</td>"
                 f'<td>{yen(b.total_jpy)}</td><td class="num" data-v="{b.total_jpy}">{b.total_jpy:,}</td>'
                 f'<td class="share"><span class="bar" style="width:{share * BAR_PX_PER_PCT:.0f}px">'
                 f"</span> {share:.1f}%</td></tr>")
    return h + ["</table>"]


def _panel_html(s: Summary) -> list[str]:
    h = ['<h2 id="panel">Contributions over the years</h2>',
         '<p class="hint">One row per <code>contribution_key</code>; a cell is the overall '
         "rating of that fiscal year (budget on hover).</p>",
         '<input class="filter" data-table="panel-table" placeholder="filter contributions…">',
         '<div class="scroll"><table class="panel sortable" id="panel-table"><thead><tr>'
         "<th>organisation</th><th>contribution</th>"
         + "".join(f"<th>{y}</th>" for y in s.years) + "</tr></thead><tbody>"]
    for row in s.panel:
        cells = []
        for y in s.years:
            ss = row.cells.get(y, [])
            tip = "; ".join(f"{x['source_path']}#{x['sheet_index']}: {yen(x.get('budget_jpy'))}"
                            for x in ss)
            ratings = sorted({x.get("overall_rating") or NO_RATING for x in ss}, key=rating_key)
            cells.append(f'<td title="{_e(tip)}">' + " ".join(_rating_cell(r) for r in ratings)
                         + "</td>")
        h.append(f"<tr><td>{_e(row.organization_key)}</td><td>{_e(row.contribution_key)}</td>"
                 + "".join(cells) + "</tr>")
    return h + ["</tbody></table></div>"]


def _files_html(s: Summary, audit: dict[str, str]) -> list[str]:
    h = ['<h2 id="files">Files</h2>',
         '<input class="filter" data-table="files-table" placeholder="filter files…">',
         '<div class="scroll"><table class="sortable" id="files-table"><thead><tr><th>file</th>'
         "<th>sheets</th><th>errors</th><th>warnings</th></tr></thead><tbody>"]
    for f in s.files:
        h.append(f"<tr><td>{_file_link(f.source_path, audit)}</td><td>{f.sheets}</td>"
                 f'<td class="{"error" if f.errors else ""}">{f.errors}</td><td>{f.warnings}</td></tr>')
    return h + ["</tbody></table></div>"]


def _sheets_html(s: Summary, audit: dict[str, str]) -> list[str]:
    h = ['<h2 id="sheets">Sheets</h2>',
         '<input class="filter" data-table="sheets-table" placeholder="filter sheets…">',
         '<div class="scroll"><table class="sortable" id="sheets-table"><thead><tr><th>file</th>'
         "<th>#</th><th>template</th><th>FY</th><th>contribution</th><th>organisation</th>"
         "<th>rating</th><th>budget (yen)</th><th>quality</th></tr></thead><tbody>"]
    for x in s.sheets:
        grade = x.get("quality_grade")
        h.append(f"<tr><td>{_file_link(x['source_path'], audit)}</td><td>{x['sheet_index']}</td>"
                 f"<td>{_e(x.get('template'))}</td><td>{_e(x.get('fiscal_year'))}</td>"
                 f"<td>{_e(x.get('contribution_name'))}</td><td>{_e(x.get('organization_key'))}</td>"
                 f"<td>{_rating_cell(x.get('overall_rating'))}</td>"
                 f'<td class="num">{_num(x.get("budget_jpy"))}</td>'
                 f'<td class="q-{_e(grade)}">{_e(x.get("quality"))} {_e(grade)}</td></tr>')
    return h + ["</tbody></table></div>"]


_CSS = """
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Noto Sans CJK JP","Hiragino Sans",sans-serif;margin:0;color:#222;background:#f6f6f6}
header{padding:12px 20px;background:#fff;border-bottom:1px solid #ccc;position:sticky;top:0;z-index:5}
header nav a{margin-right:14px}
h1{font-size:20px;margin:0 0 4px}
h2{font-size:16px;margin:22px 0 6px}
main{padding:0 20px 40px;max-width:1400px}
.cards{display:flex;gap:10px;flex-wrap:wrap;margin-top:12px}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:120px}
.card b{display:block;font-size:22px}
.card span{color:#555}
table{border-collapse:collapse;background:#fff;width:100%}
th,td{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}
thead th,table.problems th,table.budget th{background:#eee;position:sticky;top:0;z-index:1}
.sortable th{cursor:pointer}
.scroll{max-height:60vh;overflow:auto;border:1px solid #ddd}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.error{color:#b00;font-weight:bold}td.warning{color:#a60}
.none{color:#080}
.hint{color:#555;margin:0 0 6px}
.filter{margin:0 0 6px;padding:4px 8px;width:320px;max-width:100%}
.rt{display:inline-block;min-width:2.2em;text-align:center;border-radius:3px;padding:0 4px;background:var(--c);color:#000;font-weight:600}
.bar{display:inline-block;height:10px;background:#4a7bd0;vertical-align:middle}
td.share{white-space:nowrap}
.q-good{color:#080}.q-fair{color:#a60}.q-poor{color:#b00}
.chart{background:#fff;border:1px solid #ddd}
details{display:inline}
"""

# Filter boxes and sortable columns for the long tables.
_JS = """
(function(){
document.querySelectorAll('input.filter').forEach(function(inp){
  var t=document.getElementById(inp.dataset.table);
  inp.addEventListener('input',function(){
    var q=inp.value.toLowerCase(),n=0;
    t.tBodies[0].querySelectorAll('tr').forEach(function(r){
      var on=!q||r.textContent.toLowerCase().indexOf(q)>=0;r.hidden=!on;if(on)n++;});
    inp.title=n+' rows';});
});
function key(td){var v=td.dataset.v||td.textContent.replace(/,/g,'').trim();
  var f=parseFloat(v);return isNaN(f)||!/^-?[0-9.]+$/.test(v)?[1,v]:[0,f];}
document.querySelectorAll('table.sortable thead th').forEach(function(th,i){
  th.addEventListener('click',function(){
    var tb=th.closest('table').tBodies[0],rows=Array.prototype.slice.call(tb.rows);
    var dir=th.dataset.dir==='1'?-1:1;th.dataset.dir=dir===1?'1':'-1';
    rows.sort(function(a,b){var x=key(a.cells[i]),y=key(b.cells[i]);
      if(x[0]!==y[0])return x[0]-y[0];return (x[1]<y[1]?-1:x[1]>y[1]?1:0)*dir;});
    rows.forEach(function(r){tb.appendChild(r);});});
});
})();
"""


def build_html(s: Summary, title: str, audit: dict[str, str] | None = None) -> str:
    """The report page. `audit` maps a source_path to the (relative) href of its audit page."""
    audit = audit or {}
    h = ['<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">',
         f"<title>extract report: {_e(title)}</title><style>{_CSS}</style></head><body>",
         f"<header><h1>extract report: {_e(title)}</h1><nav>"
         + "".join(f'<a href="#{k}">{v}</a>' for k, v in (
             ("problems", "problems"), ("ratings", "ratings by year"), ("budget", "budget"),
             ("panel", "panel"), ("files", "files"), ("sheets", "sheets")))
         + "</nav></header><main>"]
    h += _overview_html(s)
    h += _problems_html(s, audit)
    h += _chart_html(s)
    h += _budget_html(s)
    h += _panel_html(s)
    h += _files_html(s, audit)
    h += _sheets_html(s, audit)
    h.append(f"</main><script>{_JS}</script></body></html>")
    return "\n".join(h)


# ------------------------------------------------------------------ writing

@dataclass
class Report:
    """What write_report wrote: the page, the audit pages, and the files it could not audit."""
    path: Path
    summary: Summary
    audit_pages: dict[str, Path] = field(default_factory=dict)
    not_found: list[str] = field(default_factory=list)


def audit_folder(dest: Path) -> Path:
    """Where the audit pages of a report go: next to it, REPORT-audit/."""
    return dest.with_name(f"{dest.stem}-audit")


def write_report(out_dir, dest, pdf_root=None, rules=None, audit_all: bool = False) -> Report:
    """Write the report of the output folder `out_dir` to `dest`. With `pdf_root` (the folder
    the batch was run on), also write the audit page of every file concerned by a problem
    (of every file with `audit_all`) into audit_folder(dest), read from pdf_root/source_path.
    Audit pages already in that folder are linked too."""
    from .outputs import read_output
    dest = Path(dest)
    tables = read_output(out_dir, ("sheets", "criteria", "problems"))
    summary = summarize(tables)
    folder = audit_folder(dest)
    res = Report(dest, summary)
    if pdf_root is not None:
        wanted = [f.source_path for f in summary.files if audit_all or f.errors or f.warnings]
        res.audit_pages, res.not_found = write_audit_pages(wanted, Path(pdf_root), folder, rules)
    links = {}
    for f in summary.files:
        page = folder / audit_page_name(f.source_path)
        if page.is_file():
            links[f.source_path] = f"{quote(folder.name)}/{quote(page.name)}"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(build_html(summary, str(out_dir), links), encoding="utf-8")
    return res


def write_audit_pages(paths: list[str], pdf_root: Path, folder: Path,
                      rules=None) -> tuple[dict[str, Path], list[str]]:
    """The audit page of each source path found under pdf_root: ({path: page}, [not found])."""
    from .audit import write_audit
    from .rules import load_rules
    templates = rules if isinstance(rules, list) else load_rules(rules)
    pages, missing = {}, []
    for sp in paths:
        pdf = pdf_root / sp
        if not pdf.is_file():
            missing.append(sp)
            continue
        page = folder / audit_page_name(sp)
        write_audit(pdf, page, templates)
        pages[sp] = page
    return pages, missing
