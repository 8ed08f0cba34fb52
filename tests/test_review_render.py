"""The review-sheet renderer draws what its truth says.

Each rendered PDF is read back with pdfplumber, cell by cell (the renderer's map of value
cells gives the boxes; the text comes from the PDF's text layer): every scored value of the
spec (header fields, 実施方法, each budget cell and rate as printed, indicator names, units and
values, check groups/items/ratings/notes, findings) must be printed and mean the truth value.
One case per knob value, each on a different spec, plus the dev-set specs and a combined file.
"""
from __future__ import annotations

import json
import random
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest

pytest.importorskip("reportlab")
import pdfplumber  # noqa: E402

from extract_testkit.review_render import (  # noqa: E402
    KANGXI, KNOBS, METHODS, RenderedSheet, ReviewStyle, era_year, fmt_amount, fmt_number,
    fmt_rate, parse_printed, random_style, render_review,
)
from extract_testkit.review_problem_files import render_not_a_sheet, render_scanned  # noqa: E402
from extract_testkit.review_specs import (  # noqa: E402
    DEV_SPEC_IDS, render_with_truth, review_specs, truth_path,
)
from extract_testkit.scoring import norm  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
REVIEW_SAMPLES = ROOT / "samples" / "review"
SPECS = review_specs()
IDS = sorted(SPECS)
DEFAULT = ReviewStyle()
ERA_BASE = {"昭和": 1925, "平成": 1988, "令和": 2018}
MILLION = Decimal(1_000_000)
BBOX_SLACK = 1.0

KNOB_CASES = [(k, v) for k, values in KNOBS.items() for v in values if v != getattr(DEFAULT, k)]


# --------------------------------------------------------------------------- reading back

def read_cells(pdf: Path, sheets: list[RenderedSheet]) -> dict[str, dict[str, str]]:
    """spec id -> cell key -> the text layer inside the cell's box (characters wholly inside,
    in reading order)."""
    out: dict[str, dict[str, str]] = {}
    with pdfplumber.open(pdf) as doc:
        chars = {}
        for rs in sheets:
            got = out.setdefault(rs.spec["id"], {})
            for c in rs.cells:
                if c.page not in chars:
                    chars[c.page] = doc.pages[c.page - 1].chars
                got[c.key] = chars_in(chars[c.page], c.bbox)
    return out


def chars_in(chars: list[dict], bbox: tuple) -> str:
    x0, top, x1, bottom = bbox
    inside = [ch for ch in chars
              if ch["x0"] >= x0 - BBOX_SLACK and ch["x1"] <= x1 + BBOX_SLACK
              and ch["top"] >= top - BBOX_SLACK and ch["bottom"] <= bottom + BBOX_SLACK]
    inside.sort(key=lambda ch: (round(ch["top"], 1), ch["x0"]))
    return "".join(ch["text"] for ch in inside)


def western(label: str) -> int | None:
    """平成14年度 -> 2002, 令和元年度 -> 2019, 終了予定なし -> None."""
    m = re.match(r"(昭和|平成|令和)(元|\d+)年", unicodedata.normalize("NFKC", label))
    if not m:
        return None
    return ERA_BASE[m.group(1)] + (1 if m.group(2) == "元" else int(m.group(2)))


def same(a, b) -> bool:
    return norm(a) == norm(b)


def num_ok(text: str, want, scale: Decimal = Decimal(1)) -> bool:
    got = parse_printed(unicodedata.normalize("NFKC", text))
    if want is None:
        return got is None
    return got is not None and got * scale == Decimal(str(want))


# --------------------------------------------------------------------------- what must be printed

def header_problems(sp: dict, t: dict[str, str]) -> list[str]:
    bad = [f"{k}: {t.get(k)!r}" for k in ("project_no", "project_name", "bureau", "division",
                                          "responsible", "account", "policy", "purpose", "overview")
           if not same(t.get(k), sp[k])]
    if not same(t.get("ministry"), f"（{sp['ministry']}）"):
        bad.append(f"ministry: {t.get('ministry')!r}")
    if not same(t.get("legal_basis"), sp["legal_basis"] or "－"):
        bad.append(f"legal_basis: {t.get('legal_basis')!r}")
    if western(t.get("start_year", "")) != sp["start_year"]:
        bad.append(f"start_year: {t.get('start_year')!r}")
    if western(t.get("end_year", "")) != sp["end_year"]:
        bad.append(f"end_year: {t.get('end_year')!r}")
    methods = re.findall("■(" + "|".join(map(re.escape, METHODS)) + ")", norm(t.get("methods")))
    if methods != sp["methods"]:
        bad.append(f"methods: {methods} != {sp['methods']}")
    return bad


def budget_problems(sp: dict, t: dict[str, str]) -> list[str]:
    bad = []
    for e in sp["budget"]:
        key = f"budget:{e['fiscal_year']}:{e['line']}"
        if key not in t:
            if e["amount_jpy"] is not None:
                bad.append(f"{key}: not printed")
        elif not num_ok(t[key], e["amount_jpy"], MILLION):
            bad.append(f"{key}: {t[key]!r} is not {e['amount_jpy']}")
    for r in sp["rates"]:
        key = f"rate:{r['fiscal_year']}"
        if key in t and not num_ok(t[key], r["rate_pct"]):
            bad.append(f"{key}: {t[key]!r} is not {r['rate_pct']}")
        elif key not in t and r["rate_pct"] is not None:
            bad.append(f"{key}: not printed")
    return bad


def indicator_problems(sp: dict, t: dict[str, str]) -> list[str]:
    bad = []
    for i, o in enumerate(sp["outcomes"]):
        if not same(t.get(f"ind:{i}:name"), o["name"]) or not same(t.get(f"ind:{i}:unit"), o["unit"]):
            bad.append(f"ind:{i}: name/unit {t.get(f'ind:{i}:name')!r} {t.get(f'ind:{i}:unit')!r}")
        for v in o["values"]:
            for k in ("target", "actual"):
                key = f"ind:{i}:{v['fiscal_year']}:{k}"
                if key in t and not num_ok(t[key], v[k]):
                    bad.append(f"{key}: {t[key]!r} is not {v[k]}")
                elif key not in t and v[k] is not None:
                    bad.append(f"{key}: not printed")
    return bad


def check_problems(sp: dict, t: dict[str, str]) -> list[str]:
    bad = []
    for i, c in enumerate(sp["checks"]):
        for k in ("item", "rating", "note"):
            want = c[k] or ""
            if not same(t.get(f"check:{i}:{k}"), want):
                bad.append(f"check:{i}:{k}: {t.get(f'check:{i}:{k}')!r} != {want!r}")
    groups = [g for j, g in enumerate(c["group"] for c in sp["checks"])
              if j == 0 or sp["checks"][j - 1]["group"] != g]
    printed = [t.get(f"check_group:{j}") for j in range(len(groups))]
    if [norm(g) for g in printed] != [norm(g) for g in groups]:
        bad.append(f"groups: {printed} != {groups}")
    return bad


def finding_problems(sp: dict, t: dict[str, str]) -> list[str]:
    bad = []
    f = sp["findings"]
    for k in ("self_check", "improvement"):
        if not same(t.get(k), f[k]):
            bad.append(f"{k}: {t.get(k)!r}")
    if f["external"] is None and norm(t.get("external")) not in ("", norm("－")):
        bad.append(f"external: {t.get('external')!r} for null")
    elif f["external"] is not None and not same(t.get("external"), f["external"]):
        bad.append(f"external: {t.get('external')!r}")
    return bad


def truth_problems(pdf: Path, sheets: list[RenderedSheet]) -> list[str]:
    texts = read_cells(pdf, sheets)
    bad = []
    for rs in sheets:
        sp, t = rs.spec, texts[rs.spec["id"]]
        for p in (header_problems(sp, t) + budget_problems(sp, t) + indicator_problems(sp, t)
                  + check_problems(sp, t) + finding_problems(sp, t)):
            bad.append(f"{sp['id']}: {p}")
    return bad


# --------------------------------------------------------------------------- rendering, once per case

@dataclass
class Drawn:
    pdf: Path
    sheets: list[RenderedSheet]
    pages: dict[int, str] = field(default_factory=dict)

    def problems(self) -> list[str]:
        return truth_problems(self.pdf, self.sheets)

    def page_text(self, n: int = 1) -> str:
        if n not in self.pages:
            with pdfplumber.open(self.pdf) as doc:
                self.pages[n] = doc.pages[n - 1].extract_text() or ""
        return self.pages[n]


@pytest.fixture(scope="module")
def draw(tmp_path_factory):
    """draw(spec ids, **style) -> Drawn, rendered once per module (PDF parsing is the cost)."""
    base = tmp_path_factory.mktemp("review-render")
    cache: dict = {}

    def get(ids, **style) -> Drawn:
        key = (tuple(ids), tuple(sorted(style.items())))
        if key not in cache:
            pdf = base / f"r{len(cache)}.pdf"
            cache[key] = Drawn(pdf, render_review([SPECS[i] for i in ids], pdf, style))
        return cache[key]

    return get


# The knob tests below look closer at some of these renderings: their specs are fixed here;
# the other cases take the remaining specs in turn, so that every spec is drawn at least once.
KNOB_SPEC = {
    ("kangxi", "labels"): "env-h29-kaiyo", ("kangxi", "all"): "env-h29-kaiyo",
    ("era_less", True): "cao-r3-ibasho", ("furniture", True): "mlit-h28-hashi",
    ("fake_bold", True): "mext-h29-rikei", ("long_overview", True): "mext-h29-rikei",
    ("check_break", True): "mext-h29-rikei", ("null_cell", "empty"): "mhlw-h30-kaigo",
    ("external_null", "empty"): "mhlw-h30-kaigo", ("page", "B4"): "mof-r1-zeikan",
}
DEFAULT_SPEC = "mhlw-h30-kaigo"


def _case_specs() -> dict[tuple, str]:
    rest = [i for i in IDS if i not in set(KNOB_SPEC.values()) | {DEFAULT_SPEC}]
    rest += [i for i in IDS if i not in rest]
    out, k = {}, 0
    for case in KNOB_CASES:
        if case in KNOB_SPEC:
            out[case] = KNOB_SPEC[case]
        else:
            out[case] = rest[k % len(rest)]
            k += 1
    return out


CASE_SPEC = _case_specs()


def knob_case(draw, knob: str, value) -> Drawn:
    return draw([CASE_SPEC[(knob, value)]], **{knob: value})


# --------------------------------------------------------------------------- tests: the knobs

@pytest.mark.parametrize("knob,value", KNOB_CASES, ids=[f"{k}={v}" for k, v in KNOB_CASES])
def test_knob_prints_the_truth(draw, knob, value):
    assert knob_case(draw, knob, value).problems() == []


def test_default_style_prints_the_truth(draw):
    assert draw([DEFAULT_SPEC]).problems() == []


def test_every_spec_is_drawn_by_some_case():
    assert set(CASE_SPEC.values()) | {DEFAULT_SPEC} == set(IDS)


def test_random_styles_print_the_truth(draw, tmp_path):
    rnd = random.Random(7)
    for i in range(2):
        pdf = tmp_path / f"r{i}.pdf"
        sheets = render_review([SPECS[x] for x in rnd.sample(IDS, 2)], pdf, random_style(rnd))
        assert truth_problems(pdf, sheets) == []


def test_a_wrong_truth_is_caught(tmp_path):
    """The checks above can fail: a spec changed after rendering no longer matches the PDF."""
    spec = SPECS["maff-h27-choju"]
    pdf = tmp_path / "w.pdf"
    sheets = render_review([spec], pdf)
    sheets[0].spec["budget"][0]["amount_jpy"] += 1_000_000
    sheets[0].spec["checks"][1]["rating"] = "×"
    sheets[0].spec["project_name"] += "Ｘ"
    bad = truth_problems(pdf, sheets)
    assert len(bad) == 3, bad


# --------------------------------------------------------------------------- tests: what each knob does

def test_several_sheets_in_one_pdf(draw):
    d = draw(["mofa-h28-bunka", "mhlw-h28-wakamono", "env-h29-kaiyo"])
    pages = [p for rs in d.sheets for p in rs.pages]
    assert pages == list(range(1, len(pages) + 1))
    for rs in d.sheets:
        assert f"事業番号 {rs.spec['project_no']} " in d.page_text(rs.pages[0])
    assert d.problems() == []


def test_fake_bold_doubles_labels_only(draw):
    text = knob_case(draw, "fake_bold", True).page_text()
    assert "事事業業名名" in text and "理数系人材育成推進事業" in text


@pytest.mark.parametrize("mode", ["labels", "all"])
def test_kangxi_code_points(draw, mode):
    text = knob_case(draw, "kangxi", mode).page_text()
    assert "事業の" + KANGXI["目"] + "的" in text
    value_radical = KANGXI["自"] + "然"          # 美しく豊かな自然 in the 根拠法令 value
    assert (value_radical in text) == (mode == "all")


def test_era_less_year_headers(draw):
    text = norm(knob_case(draw, "era_less", True).page_text())
    assert "元年度" in text and "4年度要求" in text and "令和4年度要求" not in text
    assert era_year(2019, 2021, era_less=True) == "元年度"
    assert era_year(2020, 2018) == "平成32年度"


def test_furniture_on_every_page(draw):
    d = knob_case(draw, "furniture", True)
    for p in d.sheets[0].pages:
        text = d.page_text(p)
        assert text.startswith("平成28年度行政事業レビュー 国土交通省\n") and text.endswith(f"\n- {p} -")


def test_long_overview_pushes_the_tables_to_page_two(draw):
    rs = knob_case(draw, "long_overview", True).sheets[0]
    spec = SPECS[rs.spec["id"]]
    assert rs.spec["overview"].startswith(spec["overview"]) and rs.spec["overview"].count("\n") >= 2
    page_of = {c.key: c.page for c in rs.cells}
    assert page_of["overview"] == 1 and page_of["budget:2014:当初予算"] == 2


def test_check_break_splits_the_check_table(draw):
    rs = knob_case(draw, "check_break", True).sheets[0]
    pages = {c.page for c in rs.cells if c.key.startswith("check:") and c.key.endswith(":item")}
    assert len(pages) == 2


def test_page_sizes_borders_and_label_width(draw):
    with pdfplumber.open(knob_case(draw, "page", "B4").pdf) as doc:
        assert (round(doc.pages[0].width), round(doc.pages[0].height)) == (729, 1032)
    with pdfplumber.open(knob_case(draw, "borders", "horizontal").pdf) as doc:
        lines = doc.pages[0].lines
        assert lines and all(abs(ln["top"] - ln["bottom"]) < 0.01 for ln in lines)
    cells = knob_case(draw, "label_mm", 45).sheets[0].cells
    name = next(c for c in cells if c.key == "project_name")
    assert abs(name.bbox[0] - (DEFAULT.margin_mm + 45) * 72 / 25.4) < 0.5


def test_null_cells_print_empty_or_dash(draw):
    for d, want in ((draw([DEFAULT_SPEC]), "-"), (knob_case(draw, "null_cell", "empty"), "")):
        cells = {c.key: c.text for c in d.sheets[0].cells}
        assert cells["budget:2016:補正予算"] == want
    for d, want in ((draw([DEFAULT_SPEC]), "－"), (knob_case(draw, "external_null", "empty"), "")):
        assert {c.key: c.text for c in d.sheets[0].cells}["external"] == want


def test_unknown_knob_is_refused():
    with pytest.raises(ValueError):
        ReviewStyle.from_dict({"colour": "red"})
    with pytest.raises(ValueError):
        ReviewStyle.from_dict({"page": "A3"})
    with pytest.raises(ValueError):
        ReviewStyle.from_dict({"label_mm": 80})
    assert ReviewStyle.from_dict({"label_mm": 33.5}).label_mm == 33.5


# --------------------------------------------------------------------------- tests: numbers, specs, truth

def test_printed_number_forms():
    assert fmt_amount(2_890_000_000) == "2,890"
    assert fmt_amount(-410_000_000) == "▲410"
    assert fmt_amount(45_500_000) == "45.5" and fmt_amount(50_000_000, 1) == "50.0"
    assert fmt_amount(None) == "-" and fmt_amount(0) == "0"
    assert fmt_rate(97, 0, "pct") == "97%" and fmt_rate(96.8, 0, "plain") == "96.8"
    assert fmt_rate(95.0, 1) == "95.0"
    assert fmt_number(1305) == "1,305" and fmt_number(62.0) == "62" and fmt_number(63.2) == "63.2"
    assert parse_printed("▲1,320") == Decimal(-1320) and parse_printed("-") is None


def test_specs_cover_the_dev_set_and_the_variations():
    assert set(DEV_SPEC_IDS) <= set(SPECS) and len(SPECS) >= len(DEV_SPEC_IDS) + 4
    for s in SPECS.values():
        assert "sheet_index" not in s and "pages" not in s
    n_years = {len({b["fiscal_year"] for b in s["budget"] if b["fiscal_year"] <= s["review_year"]})
               for s in SPECS.values()}
    assert {2, 3, 4} <= n_years


def test_specs_have_the_invented_cases():
    no_request = [s for s in SPECS.values() if max(b["fiscal_year"] for b in s["budget"]) == s["review_year"]]
    assert no_request
    assert any(s["end_year_label"] == "平成32年度" and s["review_year"] >= 2019 for s in SPECS.values())
    assert any(c["group"] == "関連事業" for s in SPECS.values() for c in s["checks"])
    assert any(s["end_year"] is None for s in SPECS.values()) and any(s["legal_basis"] is None for s in SPECS.values())
    styles = {s["printed_only"]["budget_style"]["rate_style"] for s in SPECS.values()}
    assert styles == {"pct", "plain"}


@pytest.mark.parametrize("spec_id", IDS)
def test_budget_totals_hold(spec_id):
    """計 = 当初予算 + 補正予算 + 前年度から繰越し + 翌年度へ繰越し + 予備費等 in every column."""
    cells: dict = {}
    for b in SPECS[spec_id]["budget"]:
        cells.setdefault(b["fiscal_year"], {})[b["line"]] = b["amount_jpy"] or 0
    for year, c in cells.items():
        parts = sum(c.get(k, 0) for k in ("当初予算", "補正予算", "前年度から繰越し", "翌年度へ繰越し", "予備費等"))
        assert parts == c["計"], (spec_id, year)


def test_truth_file_next_to_the_pdf(tmp_path):
    pdf = tmp_path / "t.pdf"
    style = {"long_overview": True, "page": "Letter"}
    sheets = render_with_truth([SPECS["mext-h30-taishin"], SPECS["meti-h26-jigyosho"]], pdf, style)
    doc = json.loads(truth_path(pdf).read_text("utf-8"))
    assert doc["file"] == "t.pdf" and doc["expect_problem"] is None
    assert doc["render"]["page"] == "Letter" and doc["render"]["long_overview"] is True
    assert [s["sheet_index"] for s in doc["sheets"]] == [0, 1]
    for s, rs in zip(doc["sheets"], sheets):
        assert s["pages"] == rs.pages and "overview_extra" not in s
        assert {k: v for k, v in s.items() if k not in ("sheet_index", "pages")} == rs.spec


def test_sweep_is_reproducible(tmp_path):
    import importlib.util
    spec = importlib.util.spec_from_file_location("review_sweep", ROOT / "bench" / "review_sweep.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    a = mod.sweep(5, 2, tmp_path / "a")
    b = mod.sweep(5, 2, tmp_path / "b")
    assert [p.name for p in a] == ["review-5-000.pdf", "review-5-001.pdf"]
    for pa, pb in zip(a, b):
        assert truth_path(pa).read_text("utf-8") == truth_path(pb).read_text("utf-8")


def test_review_samples_have_truth():
    pdfs = sorted(REVIEW_SAMPLES.glob("*.pdf"))
    assert len(pdfs) >= 3
    problems = set()
    for pdf in pdfs:
        doc = json.loads(truth_path(pdf).read_text("utf-8"))
        problems.add(doc["expect_problem"])
        for s in doc["sheets"]:
            spec = {k: v for k, v in s.items() if k not in ("sheet_index", "pages")}
            assert spec == SPECS[s["id"]], s["id"]
    assert None in problems and len(problems) >= 2


def test_scanned_and_not_a_sheet_files(tmp_path):
    scan = tmp_path / "scan.pdf"
    doc = render_scanned([SPECS["mofa-h28-bunka"]], scan)
    assert doc["expect_problem"] == "no_text_layer" and doc["sheets"] == []
    assert doc["source_specs"] == ["mofa-h28-bunka"]
    with pdfplumber.open(scan) as pdf:
        assert pdf.pages and all(not p.chars and len(p.images) == 1 for p in pdf.pages)
    other = tmp_path / "other.pdf"
    doc = render_not_a_sheet(other, 2016, seed=3)
    assert doc["expect_problem"] == "unknown_template" and doc["sheets"] == []
    with pdfplumber.open(other) as pdf:
        text = pdf.pages[0].extract_text()
    assert "行政事業レビュー" in text and "（集計表）" in text and "行政事業レビューシート" not in text
    assert "▲" in text and "合計" in text


class _Grid(__import__("html.parser").parser.HTMLParser):
    """Each table of a document: its column count and, per row, the columns its cells cover
    (rowspans from the rows above included)."""

    def __init__(self):
        super().__init__()
        self.tables: list[tuple[int, list[int]]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.tables.append((0, []))
            self._below: dict[int, int] = {}       # row -> columns taken by rowspans from above
            self._row = -1
        elif tag == "col":
            n, rows = self.tables[-1]
            self.tables[-1] = (n + 1, rows)
        elif tag == "tr":
            self._row += 1
            self.tables[-1][1].append(self._below.pop(self._row, 0))
        elif tag == "td":
            span, down = int(a.get("colspan", 1)), int(a.get("rowspan", 1))
            self.tables[-1][1][-1] += span
            for r in range(self._row + 1, self._row + down):
                self._below[r] = self._below.get(r, 0) + span


@pytest.mark.parametrize("spec_id", IDS)
def test_review_html_rows_fill_their_tables(spec_id):
    """review_html.py writes SheetBuilder's blocks as tables: every row covers every column
    once (its own cells, gaps and the rowspans from above), so the browser lays the grid out
    as the reportlab renderer does."""
    from extract_testkit.review_html import REVIEW_HTML_KNOBS, review_html
    style = {"page": "B4", "label_mm": 45, "long_overview": True, "check_break": True, "kangxi": "all",
             "fake_bold": True, "furniture": True}
    assert set(style) <= set(REVIEW_HTML_KNOBS)
    [(doc, truth)] = review_html([SPECS[spec_id]], style)
    grid = _Grid()
    grid.feed(doc)
    assert len(grid.tables) >= 8
    for cols, rows in grid.tables:
        assert rows and all(n == cols for n in rows), (cols, rows)
    assert "\u2f8f" in doc and "text-shadow" in doc and "counter(page)" in doc
    assert truth["project_no"] == SPECS[spec_id]["project_no"]


@pytest.mark.parametrize("spec_id", IDS)
def test_review_fods_rows_cover_the_grid(spec_id):
    """review_office.py lays SheetBuilder's blocks on one worksheet: every row covers every
    column once (its cells, merged spans and the cells they cover), and every value the
    truth holds is in the document."""
    from xml.dom import minidom
    from extract_testkit.review_office import REVIEW_CALC_KNOBS, review_fods
    from test_producers import _text_nodes
    style = {"page": "B4", "label_mm": 45, "long_overview": True, "check_break": True, "kangxi": "none",
             "fake_bold": True, "furniture": True, "font": "noto-serif"}
    assert set(style) <= set(REVIEW_CALC_KNOBS)
    [(doc, truth)] = review_fods([SPECS[spec_id]], style)
    dom = minidom.parseString(doc.encode("utf-8"))
    ncols = len(dom.getElementsByTagName("table:table-column"))
    rows = dom.getElementsByTagName("table:table-row")
    assert ncols > 10 and len(rows) > 30
    for row in rows:
        cells = [c for c in row.childNodes if c.nodeName in ("table:table-cell", "table:covered-table-cell")]
        assert sum(int(c.getAttribute("table:number-columns-repeated") or 1) for c in cells) == ncols
    text = "".join(n.data for n in _text_nodes(dom))
    for key in ("project_name", "division", "purpose", "policy"):
        assert truth[key].replace("\n", "") in text.replace("\n", ""), key
    assert "fo:text-shadow" in doc and "text:page-number" in doc



def test_review_fods_names_the_font_asked_for():
    """A style may name a font beyond the random knobs' (review_office.CALC_FONTS); an
    unknown one is refused."""
    from extract_testkit.review_office import CALC_FONTS, REVIEW_CALC_KNOBS, review_fods
    assert set(REVIEW_CALC_KNOBS["font"]) < set(CALC_FONTS)
    [(doc, _)] = review_fods([SPECS[IDS[0]]], {"font": "takao-pmincho"})
    assert "'TakaoPMincho'" in doc
    with pytest.raises(ValueError):
        review_fods([SPECS[IDS[0]]], {"font": "comic-sans"})
