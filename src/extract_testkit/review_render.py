"""Test-side renderer of 行政事業レビューシート (administrative project review sheets).

    render_review(specs, path, style) -> list[RenderedSheet]

`specs` are sheet objects in the format of ../shared/corpus-review/SPEC.md (the `sheets[i]` of
a truth file, without `sheet_index` / `pages`). The sheet is drawn the way the dev set shows
it (an Excel grid printed to PDF): a label column on the left whose cells carry small
instruction notes, the header block, 実施方法 with ■/□, the budget table in 百万円 with ▲
negatives and a 執行率 row, the 予算内訳 trap table, the outcome and activity indicator tables
(目標最終年度 / 活動見込 columns), unit cost, the self-check table (groups, items, ratings,
notes), the findings and, when the spec has one, the 支出先上位１０者リスト on a page of its own.

Each sheet starts on a new page; page breaks fall between grid rows as Excel makes them
(a merged cell that spans the break is split, its text drawn in the larger part). What was drawn is returned: the spec as
printed (the truth: `overview` with the long-overview paragraphs), the 1-based pages of the
sheet, and a map of the value cells (`DrawnCell`: page, box, key, printed text) so tests can
read the text layer back cell by cell.

Fonts are reportlab's CID fonts (HeiseiMin-W3 / HeiseiKakuGo-W5, UniJIS-UCS2-H): no font file
is needed. Kangxi radicals (⽬ U+2F6C for 目 ...) share the CID of their kanji in that CMap, so
they are drawn with a second instance of the font that carries a ToUnicode map for those
CIDs only: pdfplumber then reads ⽬ where ⽬ was drawn, as in the dev set.

Style knobs (`ReviewStyle` fields, all optional and combinable; KNOBS lists the values):

    page            "A4" | "B4" | "Letter"
    font            "min" (HeiseiMin-W3) | "goth" (HeiseiKakuGo-W5)
    label_mm        width of the left label column, 24 .. 45
    fake_bold       labels and the title drawn twice, 0.3 pt apart (doubled characters)
    kangxi          "none" | "labels" (label cells and title) | "all" (values too)
    era_less        year column headers without the era: 27年度, 元年度, 2年度要求
    furniture       running header line (年度 + 行政事業レビュー, ministry) and "- N -" footers
    long_overview   extra 事業概要 paragraphs (the spec's `overview_extra` or a filler) and the
                    tables pushed to the next page
    borders         "full" (grid) | "horizontal" (horizontal rules only)
    check_break     a page break inside the self-check table (before its middle item)
    null_cell       how a null budget cell prints: "dash" (-) | "empty"
    external_null   how a null 外部有識者の所見 prints: "dash" (－) | "empty"
    margin_mm       page margins, default 13.5
"""
from __future__ import annotations

import copy
import random
from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal
from pathlib import Path

from pdfminer.cmapdb import CMapDB
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.cidfonts import CIDFontInfo, UnicodeCIDFont, structToPDF
from reportlab.pdfgen import canvas

from .render import wrap

# --------------------------------------------------------------------------- constants

FONTS = {"min": "HeiseiMin-W3", "goth": "HeiseiKakuGo-W5"}
PAGES = {"A4": A4, "B4": (257 * mm, 364 * mm), "Letter": LETTER}     # B4: the JIS size
KNOBS: dict[str, list] = {
    "page": ["A4", "B4", "Letter"],
    "font": ["min", "goth"],
    "label_mm": [24, 27, 30, 34, 38, 42, 45],
    "fake_bold": [False, True],
    "kangxi": ["none", "labels", "all"],
    "era_less": [False, True],
    "furniture": [False, True],
    "long_overview": [False, True],
    "borders": ["full", "horizontal"],
    "check_break": [False, True],
    "null_cell": ["dash", "empty"],
    "external_null": ["dash", "empty"],
}

LABEL_MM_RANGE = (20.0, 60.0)   # any width in this range works; KNOBS lists the swept ones

SIZE_TITLE = 9.6
SIZE_HEADER = 7.4
SIZE_BUDGET = 7.0
SIZE_TABLE = 6.7
SIZE_NOTE = 5.6
SIZE_FURNITURE = 5.9
SIZE_SMALL_LABEL = 6.2
LEAD = 1.18            # line height / font size
ASCENT = 0.88          # baseline below the top of a line, / font size
PAD = 2.2              # cell padding, pt
MIN_ROW = 12.5         # minimum row height, pt
BOLD_OFFSET = 0.3      # fake bold: second drawing this far right, pt
RULE_WIDTH = 0.55
TITLE_GAP = 4.0        # between the title row and the grid, pt

LABEL_FILL = (0.867, 0.922, 0.969)
GREY_FILL = (0.949, 0.949, 0.949)

BUDGET_LINES = ["当初予算", "補正予算", "前年度から繰越し", "翌年度へ繰越し", "予備費等", "計"]
SPENT_LINE = "執行額"
REQUEST_LINES = {"当初予算", "計"}      # the only lines a 要求 column prints
METHODS = ["直接実施", "委託・請負", "補助", "負担", "交付", "貸付", "その他"]
DASH = "－"
NULL_NUMBER = "-"

# Kangxi radicals the dev set prints in place of these kanji (NFKC maps them back)
KANGXI = {"行": "\u2f8f", "目": "\u2f6c", "方": "\u2f45", "自": "\u2f83", "見": "\u2f92",
          "支": "\u2f40", "十": "\u2f17", "用": "\u2f64"}

LONG_OVERVIEW_FILLER = [
    "事業の実施に当たっては、前年度の点検結果を踏まえて実施計画を見直し、関係機関との調整会議を四半期ごとに開催して進捗状況を共有する。",
    "また、事業の成果を広く周知するため、成果報告書を作成してホームページで公表するとともに、地方公共団体や関係団体を対象とした説明会を全国各地で開催する。",
    "さらに、事業の効果を客観的に把握するため、外部の専門家による評価委員会を設置し、成果指標の妥当性と事業の実施方法について毎年度検証を行う。",
]

# Column fractions of the area right of the label column (0 = its left edge, 1 = the right margin)
HEADER_ROW1 = [(0, .354), (.354, .471), (.471, .787), (.787, 1)]
HEADER_ROW2 = [(0, .115), (.115, .235), (.235, .354), (.354, .471), (.471, .787), (.787, 1)]
HEADER_PAIR = [(0, .529), (.529, .662), (.662, 1)]
TITLE_ROW = [(0, .163), (.163, .85), (.85, 1)]
BUDGET_SUB, BUDGET_LINE, BUDGET_YEARS = (0, .063), (.063, .221), .221
BREAKDOWN_REQ = [(0, .28), (.28, .43), (.43, .58), (.58, 1)]
BREAKDOWN_NOREQ = [(0, .35), (.35, .55), (.55, 1)]
IND_GOAL, IND_NAME, IND_KIND, IND_UNIT, IND_YEARS = (0, .196), (.196, .396), (.396, .515), (.515, .587), .587
UNIT_COST = [(0, .396), (.396, .529), (.529, 1)]
CHECK_GROUP, CHECK_ITEM, CHECK_RATING, CHECK_NOTE = (0, .063), (.063, .552), (.552, .61), (.61, 1)
FINDING_SUB = .135
RECIPIENT_COLS = [(0, .3), (.3, .62), (.62, .78), (.78, .89), (.89, 1)]


# --------------------------------------------------------------------------- fonts

def _cid_of(ch: str) -> int:
    cmap = CMapDB.get_cmap("UniJIS-UCS2-H")
    return next(iter(cmap.decode(ord(ch).to_bytes(2, "big"))))


def _kangxi_cmap() -> bytes:
    """ToUnicode CMap of the Kangxi font: CIDs (as pdfminer reads them) and codes (as the PDF
    standard reads them) of the Kangxi radicals, mapped to the radicals."""
    pairs = sorted({(_cid_of(k), v) for k, v in KANGXI.items()} | {(ord(v), v) for v in KANGXI.values()})
    body = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            "/CMapName /Kangxi-UCS def", "/CMapType 2 def",
            "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange",
            f"{len(pairs)} beginbfchar"]
    body += [f"<{code:04X}> <{ord(u):04X}>" for code, u in pairs]
    body += ["endbfchar", "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return ("\n".join(body) + "\n").encode("ascii")


class KangxiCIDFont(UnicodeCIDFont):
    """The same CID font under another name, with a ToUnicode map for the Kangxi radicals."""

    def __init__(self, face: str):
        super().__init__(face)
        self.name = self.fontName = face + "-Kangxi"

    def addObjects(self, doc) -> None:  # noqa: N802 (reportlab's name)
        internal = "F" + repr(len(doc.fontMapping) + 1)
        info = copy.deepcopy(CIDFontInfo[self.face.name])
        info["Name"] = "/" + internal
        info["Encoding"] = "/" + self.encodingName
        obj = structToPDF(info)
        obj.dict["ToUnicode"] = doc.Reference(pdfdoc.PDFStream(content=_kangxi_cmap()))
        doc.idToObject["BasicFonts"].dict[internal] = doc.Reference(obj, internal)
        doc.fontMapping[self.name] = "/" + internal


for _face in FONTS.values():
    pdfmetrics.registerFont(UnicodeCIDFont(_face))
    pdfmetrics.registerFont(KangxiCIDFont(_face))


# --------------------------------------------------------------------------- style

@dataclass(frozen=True)
class ReviewStyle:
    page: str = "A4"
    font: str = "min"
    label_mm: float = 30.0
    fake_bold: bool = False
    kangxi: str = "none"
    era_less: bool = False
    furniture: bool = False
    long_overview: bool = False
    borders: str = "full"
    check_break: bool = False
    null_cell: str = "dash"
    external_null: str = "dash"
    margin_mm: float = 13.5

    @classmethod
    def from_dict(cls, d: dict | None) -> "ReviewStyle":
        d = dict(d or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ValueError(f"unknown style knob(s): {', '.join(unknown)}")
        for k, allowed in KNOBS.items():
            if k in d and k != "label_mm" and d[k] not in allowed:
                raise ValueError(f"style {k}={d[k]!r}: one of {allowed}")
        lo, hi = LABEL_MM_RANGE
        if not lo <= float(d.get("label_mm", 30.0)) <= hi:
            raise ValueError(f"style label_mm={d['label_mm']!r}: from {lo} to {hi}")
        return cls(**d)

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def face(self) -> str:
        return FONTS[self.font]


def random_style(rnd: random.Random) -> ReviewStyle:
    """A style with every knob drawn at random (for sweeps)."""
    return ReviewStyle.from_dict({k: rnd.choice(v) for k, v in KNOBS.items()})


# --------------------------------------------------------------------------- printed forms

def era_year(year: int, review_year: int, era_less: bool = False) -> str:
    """Printed fiscal year: 平成27年度, 令和元年度; a sheet made before 令和 prints 平成32年度."""
    if year >= 2019 and review_year >= 2019:
        era, n = "令和", year - 2018
    elif year >= 1989:
        era, n = "平成", year - 1988
    else:
        era, n = "昭和", year - 1925
    num = "元" if n == 1 else str(n)
    return (num if era_less else era + num) + "年度"


def _decimals_needed(v: Decimal) -> int:
    exp = v.normalize().as_tuple().exponent
    return max(0, -int(exp))


def fmt_amount(jpy: int | None, decimals: int = 0, null: str = NULL_NUMBER) -> str:
    """Yen as printed in 百万円: 2,890 / 45.5 / ▲410; None -> `null`."""
    if jpy is None:
        return null
    v = Decimal(int(jpy)) / Decimal(1_000_000)
    d = max(decimals, _decimals_needed(v))
    s = f"{abs(v):,.{d}f}"
    return "▲" + s if v < 0 else s


def fmt_rate(pct, decimals: int = 0, style: str = "plain") -> str:
    """執行率 as printed: 97% (style pct) or 96.8 (plain)."""
    v = Decimal(str(pct))
    d = max(decimals, _decimals_needed(v))
    s = f"{v:.{d}f}"
    return s + "%" if style == "pct" else s


def fmt_number(v) -> str:
    """Indicator value as printed: 1,305 / 63.2 / 62 (for 62.0); None -> -."""
    if v is None:
        return NULL_NUMBER
    d = Decimal(str(v))
    if d == d.to_integral_value():
        return f"{int(d):,}"
    return f"{d.normalize():,f}"


def parse_printed(s: str):
    """The number a printed cell means (the inverse of the fmt_* functions; for tests)."""
    s = s.strip()
    if s in ("", NULL_NUMBER, DASH, "\u2212"):
        return None
    neg = s.startswith(("▲", "△"))
    s = s.lstrip("▲△").replace(",", "").rstrip("%％")
    v = Decimal(s)
    return -v if neg else v


def methods_line(methods: list[str]) -> str:
    return "　".join(("■" if m in methods else "□") + m for m in METHODS)


# --------------------------------------------------------------------------- cells and blocks

@dataclass
class Cell:
    x0: float
    x1: float
    lines: list[str]
    size: float
    role: str = "value"          # label | value | title | plain
    align: str = "left"          # left | center | right
    fill: tuple | None = None
    note: list[str] = field(default_factory=list)
    frame: bool = True
    key: str | None = None       # what a value cell prints (for the cell map)
    text: str = ""               # the printed text, unwrapped

    def content_height(self) -> float:
        return len(self.lines) * self.size * LEAD + len(self.note) * SIZE_NOTE * LEAD


@dataclass
class Span:
    cell: Cell
    first: int
    last: int


@dataclass
class Block:
    spans: list[Span] = field(default_factory=list)
    nrows: int = 0
    breaks: set[int] = field(default_factory=set)   # rows that start a new page
    new_page: bool = False                           # the block starts a new page
    gap: float = 0.0                                 # space above the block, pt

    def row(self, *cells: Cell) -> int:
        i = self.nrows
        self.nrows += 1
        self.spans.extend(Span(c, i, i) for c in cells)
        return i

    def span(self, cell: Cell, first: int, last: int) -> None:
        self.spans.append(Span(cell, first, last))

    def heights(self, need=None, base: list[float] | None = None) -> list[float]:
        """Row heights that hold every cell: `need(cell)` its height (its lines with this
        renderer's metrics by default), rows at least MIN_ROW or `base`'s heights; a span's
        shortfall goes to its last row."""
        need = need or (lambda c: c.content_height() + 2 * PAD)
        h = list(base) if base is not None else [MIN_ROW] * self.nrows
        for s in self.spans:
            if s.first == s.last:
                h[s.first] = max(h[s.first], need(s.cell))
        for s in self.spans:
            more = need(s.cell) - sum(h[s.first:s.last + 1])
            if s.first != s.last and more > 0:
                h[s.last] += more
        return h


@dataclass
class DrawnCell:
    page: int                  # 1-based page of the PDF
    bbox: tuple                # (x0, top, x1, bottom), pdfplumber coordinates
    key: str
    text: str


@dataclass
class RenderedSheet:
    spec: dict                 # the spec as printed (the truth sheet, without sheet_index/pages)
    pages: list[int]           # 1-based pages the sheet spans
    cells: list[DrawnCell]


@dataclass
class PageOps:
    fills: list[tuple] = field(default_factory=list)
    lines: list[tuple] = field(default_factory=list)
    texts: list[tuple] = field(default_factory=list)
    meta: dict = field(default_factory=dict)


# --------------------------------------------------------------------------- page layout

class Layout:
    """Places blocks on pages (top-down coordinates) and records the drawing operations."""

    def __init__(self, style: ReviewStyle):
        self.st = style
        self.W, self.H = PAGES[style.page]
        m = style.margin_mm * mm
        furn = 4 * mm if style.furniture else 0
        self.L, self.R = m, self.W - m
        self.top, self.bottom = m + furn, self.H - m - furn
        self.pages: list[PageOps] = []
        self.y = self.top
        self.drawn: list[DrawnCell] = []
        self.meta: dict = {}

    @property
    def page_no(self) -> int:
        return len(self.pages)

    def new_page(self) -> None:
        self.pages.append(PageOps(meta=dict(self.meta)))
        self.y = self.top

    def break_page(self) -> None:
        """A new page unless the current one is still empty."""
        if not self.pages or self.y > self.top + 0.01:
            self.new_page()

    def place(self, block: Block) -> None:
        h = block.heights()
        if block.new_page:
            self.break_page()
        elif self.y > self.top + 0.01:
            self.y += block.gap
        where: list[tuple[int, float]] = []
        for i, hi in enumerate(h):
            forced = i in block.breaks and i > 0
            if forced or (self.y + hi > self.bottom and self.y > self.top + 0.01):
                self.new_page()
            where.append((self.page_no, self.y))
            self.y += hi
        for s in block.spans:
            self._draw_span(s, where, h)

    def _fragments(self, s: Span, where, h) -> list[tuple[int, float, float]]:
        frags: list[list] = []
        for i in range(s.first, s.last + 1):
            page, y = where[i]
            if frags and frags[-1][0] == page:
                frags[-1][2] = y + h[i]
            else:
                frags.append([page, y, y + h[i]])
        return [tuple(f) for f in frags]

    def _draw_span(self, s: Span, where, h) -> None:
        c = s.cell
        frags = self._fragments(s, where, h)
        for page, y0, y1 in frags:
            ops = self.pages[page - 1]
            if c.fill:
                ops.fills.append((c.x0, y0, c.x1 - c.x0, y1 - y0, c.fill))
            if c.frame:
                self._frame(ops, c.x0, y0, c.x1, y1)
        page, y0, y1 = max(frags, key=lambda f: f[2] - f[1])
        t0, t1 = self._text(self.pages[page - 1], c, y0, y1)
        if c.key:
            self.drawn.append(DrawnCell(page, (c.x0, min(y0, t0), c.x1, max(y1, t1)), c.key, c.text))

    def _frame(self, ops: PageOps, x0, y0, x1, y1) -> None:
        ops.lines.append((x0, y0, x1, y0))
        ops.lines.append((x0, y1, x1, y1))
        if self.st.borders == "full":
            ops.lines.append((x0, y0, x0, y1))
            ops.lines.append((x1, y0, x1, y1))

    def _text(self, ops: PageOps, c: Cell, y0: float, y1: float) -> tuple[float, float]:
        """Draw the cell's lines centred in [y0, y1] (from y0 down when they do not fit);
        returns the vertical extent of the text."""
        y = y0 + max(PAD, (y1 - y0 - c.content_height()) / 2)
        top = y
        for ln, size in [(ln, c.size) for ln in c.lines] + [(ln, SIZE_NOTE) for ln in c.note]:
            w = pdfmetrics.stringWidth(ln, self.st.face, size)
            if c.align == "center":
                x = (c.x0 + c.x1 - w) / 2
            elif c.align == "right":
                x = c.x1 - PAD - w
            else:
                x = c.x0 + PAD
            ops.texts.append((x, y + size * ASCENT, ln, size, c.role))
            y += size * LEAD
        return top, y


# --------------------------------------------------------------------------- one sheet

class SheetBuilder:
    """Turns one spec into blocks (the grid of the sheet) for a Layout."""

    def __init__(self, spec: dict, style: ReviewStyle, layout: Layout):
        self.sp = spec
        self.st = style
        self.lay = layout
        self.X0 = layout.L + style.label_mm * mm
        self.X1 = layout.R
        self.review_year = int(spec["review_year"])
        po = spec.get("printed_only") or {}
        self.po = po
        self.bstyle = po.get("budget_style") or {}

    # ---- helpers
    def x(self, f: float) -> float:
        return self.X0 + f * (self.X1 - self.X0)

    def wrap(self, text: str | None, width: float, size: float) -> list[str]:
        out: list[str] = []
        for para in (text or "").split("\n"):
            out.extend(wrap(para, self.st.face, size, width - 2 * PAD))
        return out

    def cell(self, cols: tuple[float, float], text: str | None, size: float, *, key=None,
             role="value", align="left", fill=None, note: str | None = None, frame=True) -> Cell:
        x0, x1 = self.x(cols[0]), self.x(cols[1])
        return self._cell(x0, x1, text, size, key=key, role=role, align=align, fill=fill,
                          note=note, frame=frame)

    def _cell(self, x0, x1, text, size, *, key=None, role="value", align="left", fill=None,
              note=None, frame=True) -> Cell:
        text = text or ""
        lines = self.wrap(text, x1 - x0, size) if text else []
        notes = self.wrap(note, x1 - x0, SIZE_NOTE) if note else []
        return Cell(x0, x1, lines, size, role, align, fill, notes, frame, key, text)

    def label(self, cols, text, size, note=None) -> Cell:
        return self.cell(cols, text, size, role="label", align="center", fill=LABEL_FILL, note=note)

    def left_label(self, text: str, size: float = SIZE_HEADER, note: str | None = None) -> Cell:
        return self._cell(self.lay.L, self.X0, text, size, role="label", align="center",
                          fill=LABEL_FILL, note=note)

    def year(self, y: int) -> str:
        return era_year(y, self.review_year, self.st.era_less)

    # ---- blocks
    def blocks(self) -> list[Block]:
        out = [self.title_block(), self.header_block()]
        budget = self.budget_block()
        budget.new_page = self.st.long_overview
        out.append(budget)
        if self.po.get("breakdown"):
            out.append(self.breakdown_block())
        out += [self.indicator_block("outcome"), self.indicator_block("activity"),
                self.unit_cost_block(), self.check_block(), self.findings_block()]
        rec = self.po.get("recipients") or {}
        if rec.get("rows"):
            out.append(self.recipients_block(rec))
        return out

    def title_block(self) -> Block:
        sp, b = self.sp, Block()
        title = f"{sp.get('review_year_label') or era_year(self.review_year, self.review_year)}行政事業レビューシート"
        b.row(self.left_label("事業番号"),
              self.cell(TITLE_ROW[0], sp["project_no"], SIZE_HEADER, key="project_no", align="center"),
              self.cell(TITLE_ROW[1], title, SIZE_TITLE, role="title", align="center", frame=False),
              self.cell(TITLE_ROW[2], f"（{sp['ministry']}）", SIZE_HEADER, key="ministry",
                        align="right", frame=False))
        return b

    def header_block(self) -> Block:
        sp, b, S = self.sp, Block(gap=TITLE_GAP), SIZE_HEADER
        r1, r2, pair = HEADER_ROW1, HEADER_ROW2, HEADER_PAIR
        b.row(self.left_label("事業名"), self.cell(r1[0], sp["project_name"], S, key="project_name"),
              self.label(r1[1], "担当部局庁", S), self.cell(r1[2], sp["bureau"], S, key="bureau"),
              self.label(r1[3], "作成責任者", S))
        end = sp.get("end_year_label") or ("終了予定なし" if sp.get("end_year") is None
                                           else era_year(sp["end_year"], self.review_year))
        start = sp.get("start_year_label") or era_year(sp["start_year"], self.review_year)
        b.row(self.left_label("事業開始年度"),
              self.cell(r2[0], start, S, key="start_year", align="center"),
              self.label(r2[1], "事業終了（予定）年度", SIZE_SMALL_LABEL),
              self.cell(r2[2], end, S, key="end_year", align="center"),
              self.label(r2[3], "担当課室", S), self.cell(r2[4], sp["division"], S, key="division"),
              self.cell(r2[5], sp["responsible"], S, key="responsible", align="center"))
        b.row(self.left_label("会計区分"), self.cell(pair[0], sp["account"], S, key="account"),
              self.label(pair[1], "主要経費", S),
              self.cell(pair[2], self.po.get("main_expense") or DASH, S))
        b.row(self.left_label("政策・施策名"), self.cell((0, 1), sp["policy"], S, key="policy"))
        b.row(self.left_label("根拠法令", note="（具体的な条項も記載）"),
              self.cell(pair[0], sp.get("legal_basis") or DASH, S, key="legal_basis"),
              self.label(pair[1], "関係する計画、通知等", S),
              self.cell(pair[2], self.po.get("related_plans") or DASH, S))
        b.row(self.left_label("事業の目的", note="（目指す姿を簡潔に。３行程度以内）"),
              self.cell((0, 1), sp["purpose"], S, key="purpose"))
        b.row(self.left_label("事業概要", note="（５行程度以内。別添可）"),
              self.cell((0, 1), sp["overview"], S, key="overview"))
        b.row(self.left_label("実施方法"),
              self.cell((0, 1), methods_line(sp.get("methods") or []), S, key="methods"))
        return b

    def budget_years(self) -> list[int]:
        return sorted({int(e["fiscal_year"]) for e in self.sp.get("budget") or []})

    def _year_cols(self, years: list[int], start: float, end: float = 1.0) -> dict[int, tuple]:
        w = (end - start) / max(1, len(years))
        return {y: (start + i * w, start + (i + 1) * w) for i, y in enumerate(years)}

    def _shaded(self, year: int, line: str) -> bool:
        if year > self.review_year:
            return line not in REQUEST_LINES
        return year == self.review_year and line == SPENT_LINE

    def _budget_cell(self, cols, year: int, line: str, amount) -> Cell:
        S = SIZE_BUDGET
        if amount is None and self._shaded(year, line):
            return self.cell(cols, "", S, fill=GREY_FILL)
        null = "" if self.st.null_cell == "empty" else NULL_NUMBER
        text = fmt_amount(amount, int(self.bstyle.get("decimals", 0)), null)
        return self.cell(cols, text, S, key=f"budget:{year}:{line}", align="right")

    def _rate_cell(self, cols, year: int, rate) -> Cell:
        S = SIZE_BUDGET
        if rate is None:
            if year >= self.review_year:
                return self.cell(cols, "", S, fill=GREY_FILL)
            return self.cell(cols, NULL_NUMBER, S, key=f"rate:{year}", align="right")
        text = fmt_rate(rate, int(self.bstyle.get("rate_decimals", 0)),
                        self.bstyle.get("rate_style", "plain"))
        return self.cell(cols, text, S, key=f"rate:{year}", align="right")

    def budget_block(self) -> Block:
        S, b = SIZE_BUDGET, Block()
        years = self.budget_years()
        cols = self._year_cols(years, BUDGET_YEARS)
        amounts = {(int(e["fiscal_year"]), e["line"]): e.get("amount_jpy") for e in self.sp.get("budget") or []}
        heads = [self.label(cols[y], self.year(y) + ("要求" if y > self.review_year else ""), S)
                 for y in years]
        b.row(self.cell((0, BUDGET_YEARS), "", S, fill=LABEL_FILL), *heads)
        for line in BUDGET_LINES:
            b.row(self.label(BUDGET_LINE, line, S),
                  *[self._budget_cell(cols[y], y, line, amounts.get((y, line))) for y in years])
        b.span(self.label(BUDGET_SUB, "予算の状況", S), 1, len(BUDGET_LINES))
        b.row(self.label((0, BUDGET_YEARS), SPENT_LINE, S),
              *[self._budget_cell(cols[y], y, SPENT_LINE, amounts.get((y, SPENT_LINE))) for y in years])
        rates = {int(r["fiscal_year"]): r.get("rate_pct") for r in self.sp.get("rates") or []}
        b.row(self.label((0, BUDGET_YEARS), "執行率（％）", S),
              *[self._rate_cell(cols[y], y, rates.get(y)) for y in years])
        b.span(self.left_label("予算額・執行額", note="（単位：百万円）"), 0, b.nrows - 1)
        return b

    def breakdown_block(self) -> Block:
        S, b = SIZE_BUDGET, Block()
        cur, req = self.review_year, self.review_year + 1
        has_req = req in self.budget_years()
        cols = BREAKDOWN_REQ if has_req else BREAKDOWN_NOREQ
        heads = ["費目", self.year(cur) + "当初予算"] + ([self.year(req) + "要求"] if has_req else []) + ["主な増減理由"]
        b.row(*[self.label(c, h, S) for c, h in zip(cols, heads)])
        rows = self.po["breakdown"]
        for r in rows:
            nums = [r[1], r[2]] if has_req else [r[1]]
            b.row(self.cell(cols[0], str(r[0]), S),
                  *[self.cell(c, f"{Decimal(str(v)):,}", S, align="right") for c, v in zip(cols[1:], nums)],
                  self.cell(cols[-1], str(r[3] if len(r) > 3 else ""), S))
        sums = [sum(Decimal(str(r[k])) for r in rows) for k in ((1, 2) if has_req else (1,))]
        b.row(self.label(cols[0], "計", S),
              *[self.cell(c, f"{v:,}", S, align="right") for c, v in zip(cols[1:], sums)],
              self.cell(cols[-1], "", S))
        era = era_year(cur, cur).removesuffix("年度")
        label = f"{era}・{era_year(req, cur).removesuffix('年度')}年度予算内訳" if has_req else f"{era}年度予算内訳"
        b.span(self.left_label(label, note="（単位：百万円）"), 0, b.nrows - 1)
        return b

    def _indicator_years(self, inds: list[dict]) -> list[int]:
        if not inds:
            return []
        return [int(v["fiscal_year"]) for v in inds[0]["values"][:-1]]

    def indicator_block(self, kind: str) -> Block:
        S, b = SIZE_TABLE, Block()
        all_inds = self.sp.get("outcomes") or []
        inds = [(i, o) for i, o in enumerate(all_inds) if o["kind"] == kind]
        years = self._indicator_years([o for _, o in inds])
        tw = .065 if len(years) >= 3 else .12
        ycols = self._year_cols(years, IND_YEARS, 1 - tw)
        last = (1 - tw, 1)
        if kind == "outcome":
            heads = [self.label(IND_GOAL, "定量的な成果目標", S), self.label(IND_NAME, "成果指標", S)]
            last_head = "目標最終年度"
        else:
            heads = [self.label((IND_GOAL[0], IND_NAME[1]), "活動指標", S)]
            final = inds[0][1]["values"][-1]["fiscal_year"] if inds else self.review_year
            last_head = self.year(int(final)) + "活動見込"
        b.row(*heads, self.label(IND_KIND, "", S), self.label(IND_UNIT, "単位", S),
              *[self.label(ycols[y], self.year(y), S) for y in years], self.label(last, last_head, S))
        for i, o in inds:
            self._indicator_rows(b, i, o, years, ycols, last)
        title = ("成果目標及び成果実績", "（アウトカム）") if kind == "outcome" else ("活動指標及び活動実績", "（アウトプット）")
        b.span(self.left_label(title[0], note=title[1]), 0, b.nrows - 1)
        return b

    def _indicator_rows(self, b: Block, i: int, o: dict, years, ycols, last) -> None:
        S = SIZE_TABLE
        vals = {int(v["fiscal_year"]): v for v in o["values"][:-1]}
        final = o["values"][-1]
        unit = o.get("unit") or ""
        key = f"ind:{i}"

        def num(y: int, k: str) -> Cell:
            v = vals.get(y, {}).get(k)
            return self.cell(ycols[y], fmt_number(v), S, key=f"{key}:{y}:{k}", align="right")

        first = b.nrows
        if o["kind"] == "outcome":
            b.row(self.label(IND_KIND, "成果実績", S), self.cell(IND_UNIT, unit, S, key=f"{key}:unit", align="center"),
                  *[num(y, "actual") for y in years],
                  self.cell(last, self.year(int(final["fiscal_year"])), S, align="center"))
            b.row(self.label(IND_KIND, "目標値", S), self.cell(IND_UNIT, unit, S, align="center"),
                  *[num(y, "target") for y in years],
                  self.cell(last, fmt_number(final.get("target")), S, key=f"{key}:{final['fiscal_year']}:target",
                            align="right"))
            b.row(self.label(IND_KIND, "達成度", S), self.cell(IND_UNIT, "％", S, align="center"),
                  *[self.cell(ycols[y], _achievement(vals.get(y)), S, align="right") for y in years],
                  self.cell(last, "", S, fill=GREY_FILL))
            b.span(self.cell(IND_GOAL, o.get("goal") or "", S), first, b.nrows - 1)
            b.span(self.cell(IND_NAME, o["name"], S, key=f"{key}:name"), first, b.nrows - 1)
            return
        b.row(self.label(IND_KIND, "活動実績", S), self.cell(IND_UNIT, unit, S, key=f"{key}:unit", align="center"),
              *[num(y, "actual") for y in years],
              self.cell(last, fmt_number(final.get("target")), S, key=f"{key}:{final['fiscal_year']}:target",
                        align="right"))
        b.row(self.label(IND_KIND, "当初見込み", S), self.cell(IND_UNIT, unit, S, align="center"),
              *[num(y, "target") for y in years], self.cell(last, NULL_NUMBER, S, align="right"))
        b.span(self.cell((IND_GOAL[0], IND_NAME[1]), o["name"], S, key=f"{key}:name"), first, b.nrows - 1)

    def unit_cost_block(self) -> Block:
        S, b = SIZE_HEADER, Block()
        b.row(self.left_label("単位当たりコスト"),
              self.cell(UNIT_COST[0], self.po.get("unit_cost") or DASH, S),
              self.label(UNIT_COST[1], "算出根拠", S),
              self.cell(UNIT_COST[2], self.po.get("unit_cost_basis") or DASH, S))
        return b

    def check_block(self) -> Block:
        S, b = SIZE_TABLE, Block()
        checks = self.sp.get("checks") or []
        b.row(self.label((CHECK_GROUP[0], CHECK_ITEM[1]), "項　　目", SIZE_BUDGET),
              self.label(CHECK_RATING, "評価", SIZE_BUDGET), self.label(CHECK_NOTE, "評価に関する説明", SIZE_BUDGET))
        group_start, gi = 1, 0
        for i, c in enumerate(checks):
            b.row(self.cell(CHECK_ITEM, c["item"], S, key=f"check:{i}:item"),
                  self.cell(CHECK_RATING, c.get("rating") or "", S, key=f"check:{i}:rating", align="center"),
                  self.cell(CHECK_NOTE, c.get("note") or "", S, key=f"check:{i}:note"))
            nxt = checks[i + 1]["group"] if i + 1 < len(checks) else None
            if nxt != c["group"]:
                b.span(self.cell(CHECK_GROUP, c["group"], S, key=f"check_group:{gi}", align="center"),
                       group_start, b.nrows - 1)
                group_start, gi = b.nrows, gi + 1
        if self.st.check_break and len(checks) >= 2:
            b.breaks.add(1 + len(checks) // 2)
        b.span(self.left_label("事業所管部局による点検・改善"), 0, b.nrows - 1)
        return b

    def findings_block(self) -> Block:
        S, b, f = SIZE_HEADER, Block(), self.sp.get("findings") or {}
        sub, txt = (0, FINDING_SUB), (FINDING_SUB, 1)
        b.row(self.label(sub, "点検結果", SIZE_BUDGET), self.cell(txt, f.get("self_check"), S, key="self_check"))
        b.row(self.label(sub, "改善の方向性", SIZE_BUDGET), self.cell(txt, f.get("improvement"), S, key="improvement"))
        b.span(self.left_label("点検・改善結果"), 0, 1)
        ext = f.get("external") or ("" if self.st.external_null == "empty" else DASH)
        b.row(self.left_label("外部有識者の所見"), self.cell((0, 1), ext, S, key="external"))
        b.row(self.left_label("行政事業レビュー推進チームの所見"), self.cell((0, 1), self.po.get("team"), S))
        b.row(self.left_label("所見を踏まえた改善点／概算要求における反映状況", SIZE_SMALL_LABEL),
              self.cell((0, 1), self.po.get("reflection"), S))
        b.row(self.left_label("備考"), self.cell((0, 1), self.po.get("remarks"), S))
        return b

    def recipients_block(self, rec: dict) -> Block:
        S, b = SIZE_TABLE, Block(new_page=True)
        cols = RECIPIENT_COLS
        b.row(self.cell((0, 1), rec.get("group") or "", S, fill=LABEL_FILL))
        heads = ["支出先", "業務概要", "支出額（百万円）", "入札者数", "落札率"]
        b.row(*[self.label(c, h, S) for c, h in zip(cols, heads)])
        for r in rec["rows"]:
            vals = list(r) + [""] * (5 - len(r))
            amount = vals[2] if isinstance(vals[2], str) else f"{Decimal(str(vals[2])):,}"
            b.row(self.cell(cols[0], str(vals[0]), S), self.cell(cols[1], str(vals[1]), S),
                  self.cell(cols[2], amount, S, align="right"),
                  self.cell(cols[3], str(vals[3]), S, align="center"),
                  self.cell(cols[4], str(vals[4]), S, align="center"))
        b.span(self.left_label("支出先上位１０者リスト", note="（単位：百万円）"), 0, b.nrows - 1)
        return b


def _achievement(v: dict | None) -> str:
    if not v or v.get("target") in (None, 0) or v.get("actual") is None:
        return NULL_NUMBER
    pct = Decimal(str(v["actual"])) / Decimal(str(v["target"])) * 100
    return f"{pct.quantize(Decimal(1)):,}"


# --------------------------------------------------------------------------- specs as printed

def printed_spec(spec: dict, style: ReviewStyle) -> dict:
    """The truth of a rendered sheet: the spec with the long-overview paragraphs in `overview`
    and without `overview_extra`, `sheet_index`, `pages`."""
    sp = copy.deepcopy(spec)
    extra = sp.pop("overview_extra", None)
    sp.pop("sheet_index", None)
    sp.pop("pages", None)
    if style.long_overview:
        paras = extra or LONG_OVERVIEW_FILLER
        sp["overview"] = "\n".join([sp["overview"], *paras])
    return sp


# --------------------------------------------------------------------------- output

class PdfWriter:
    def __init__(self, style: ReviewStyle, layout: Layout):
        self.st = style
        self.lay = layout

    def furniture(self, ops: PageOps, number: int) -> None:
        lay, fs = self.lay, SIZE_FURNITURE
        left = f"{ops.meta.get('year_label', '')}行政事業レビュー"
        right = ops.meta.get("ministry", "")
        base = lay.top - 4 * mm
        ops.texts.append((lay.L, base, left, fs, "plain"))
        ops.texts.append((lay.R - pdfmetrics.stringWidth(right, self.st.face, fs), base, right, fs, "plain"))
        n = f"- {number} -"
        ops.texts.append(((lay.W - pdfmetrics.stringWidth(n, self.st.face, fs)) / 2,
                          lay.bottom + 6 * mm, n, fs, "plain"))

    def save(self, path: Path, title: str) -> None:
        lay = self.lay
        c = canvas.Canvas(str(path), pagesize=(lay.W, lay.H))
        c.setTitle(title)
        for n, ops in enumerate(lay.pages, 1):
            if self.st.furniture:
                self.furniture(ops, n)
            for x, y, w, h, color in ops.fills:
                c.setFillColorRGB(*color)
                c.rect(x, lay.H - y - h, w, h, stroke=0, fill=1)
            c.setFillGray(0)
            c.setLineWidth(RULE_WIDTH)
            for x0, y0, x1, y1 in ops.lines:
                c.line(x0, lay.H - y0, x1, lay.H - y1)
            for x, base, s, size, role in ops.texts:
                self.text(c, x, lay.H - base, s, size, role)
            c.showPage()
        c.save()

    def _kangxi(self, role: str) -> bool:
        k = self.st.kangxi
        return k == "all" or (k == "labels" and role in ("label", "title"))

    def text(self, c, x: float, y: float, s: str, size: float, role: str) -> None:
        bold = self.st.fake_bold and role in ("label", "title")
        for dx in ((0.0, BOLD_OFFSET) if bold else (0.0,)):
            self._runs(c, x + dx, y, s, size, self._kangxi(role))

    def _runs(self, c, x: float, y: float, s: str, size: float, kangxi: bool) -> None:
        """Draw `s`, the Kangxi radicals (when asked) with the Kangxi font."""
        face = self.st.face
        if not kangxi or not any(ch in KANGXI for ch in s):
            c.setFont(face, size)
            c.drawString(x, y, s)
            return
        for ch in s:
            radical = KANGXI.get(ch)
            font = face + "-Kangxi" if radical else face
            c.setFont(font, size)
            c.drawString(x, y, radical or ch)
            x += pdfmetrics.stringWidth(ch, face, size)


def render_review(specs: list[dict], path, style: dict | ReviewStyle | None = None) -> list[RenderedSheet]:
    """Render `specs` into one PDF at `path`, each sheet from a new page."""
    st = style if isinstance(style, ReviewStyle) else ReviewStyle.from_dict(style)
    lay = Layout(st)
    out: list[RenderedSheet] = []
    for spec in specs:
        sp = printed_spec(spec, st)
        lay.meta = {"year_label": sp.get("review_year_label") or "", "ministry": sp.get("ministry", "")}
        lay.new_page()
        first, mark = lay.page_no, len(lay.drawn)
        for block in SheetBuilder(sp, st, lay).blocks():
            lay.place(block)
        out.append(RenderedSheet(sp, list(range(first, lay.page_no + 1)), lay.drawn[mark:]))
    PdfWriter(st, lay).save(Path(path), "行政事業レビューシート")
    return out
