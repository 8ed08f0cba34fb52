"""Test-side renderer: draw MOFA evaluation sheets with reportlab in many geometries.

    render_sheets(specs, path, style)

`specs` are sheet specs shaped like the corpus truth sheets (generation, fiscal_year_label,
contribution_name, ..., overview: [paragraphs], criteria: [{no, label, canonical, rating,
text: [paragraphs]}]). Every sheet starts on a new page. Fonts are reportlab's built-in
Japanese CID fonts (HeiseiMin-W3 / HeiseiKakuGo-W5, UniJIS-UCS2-H), so no font file is
needed; pdfplumber reads their text back through the CMap (except U+FF0D -> U+2212 and
U+FF5E -> U+301C, the usual JIS mapping quirk; see `CID_FOLD`).

Style knobs (keys of `style`, all optional and combinable):

    page            "A4" | "A4L" (landscape) | "B5" | "Letter"
    font            "min" | "goth"
    size            font size in pt, 9 .. 11.5
    label_mm        label / criterion-title column width, 28 .. 55
    rating_mm       width of the 評価 column (r1/r4), default 14
    margin_mm       page margins, default 15
    borders         "full" | "horizontal" | "none" (none: shaded label cells, no rules)
    spaced_labels   "none" | "ideographic" (予　算　額) | "distributed" (spread over the cell)
    fake_bold       False | True (labels, values, ratings, titles drawn twice, +0.3 pt)
                    | "all" (body paragraphs too)
    vertical_headers  評価基準 and 評価 headers one character per line
    number_cell     criterion number in its own narrow cell left of the title
    unit_in_label   予算額（千円） with a bare number value
    two_budgets     None | "prev_first" | "cur_first": two budget rows (previous and own year)
    furniture       running header line, page numbers "- N -", 公表用 stamp box on every page
    scramble        draw texts in a scrambled order (values/body first, labels last)
    split           "excel" (rows move whole to the next page) | "word" (rows split, the title
                    stays centred in the first part, the label cell continues empty) |
                    "word_span" (rows split, the title is centred over the whole row, so its
                    lines may fall on two pages, as Word does)
    repeat_header   repeat the 評価基準 | 達成状況 header row on continuation pages
    front_matter    a cover page and an 一覧 page before the sheets
    continuous      a sheet follows the previous one on the same page when half a page is left
    seed            seed of the scramble order (default 0)
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from reportlab.lib.pagesizes import A4, B5, LETTER, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONTS = {"min": "HeiseiMin-W3", "goth": "HeiseiKakuGo-W5"}
for _f in FONTS.values():
    pdfmetrics.registerFont(UnicodeCIDFont(_f))

PAGES = {"A4": A4, "A4L": landscape(A4), "B5": B5, "Letter": LETTER}

# Characters the UniJIS CMap reads back as a different code point (JIS mapping quirk).
CID_FOLD = {"\u2212": "\uff0d", "\u301c": "\uff5e"}

TITLE = "国際機関等への拠出金等に対する評価"
KNOBS = {
    "page": ["A4", "A4L", "B5", "Letter"],
    "font": ["min", "goth"],
    "size": [9.0, 9.5, 10.0, 10.5, 11.0, 11.5],
    "label_mm": [28, 32, 38, 44, 50, 55],
    "rating_mm": [10, 14, 18],
    "margin_mm": [10, 15, 20, 25],
    "borders": ["full", "horizontal", "none"],
    "spaced_labels": ["none", "ideographic", "distributed"],
    "fake_bold": [False, True, "all"],
    "vertical_headers": [False, True],
    "number_cell": [False, True],
    "unit_in_label": [False, True],
    "two_budgets": [None, "prev_first", "cur_first"],
    "furniture": [False, True],
    "scramble": [False, True],
    "split": ["excel", "word", "word_span"],
    "repeat_header": [False, True],
    "front_matter": [False, True],
    "continuous": [False, True],
}
DEFAULT = {"page": "A4", "font": "min", "size": 10.0, "label_mm": 38, "rating_mm": 14,
           "margin_mm": 15, "borders": "full", "spaced_labels": "none", "fake_bold": False,
           "vertical_headers": False, "number_cell": False, "unit_in_label": False,
           "two_budgets": None, "furniture": False, "scramble": False, "split": "excel",
           "repeat_header": False, "front_matter": False, "continuous": False, "seed": 0}

CRIT_PREFIX = {
    "h28": lambda n: "１２３４５６７８９"[n - 1] + "．",
    "h29": lambda n: f"【評価基準{n}】",
    "r1": lambda n: f"{n}．",
    "r4": lambda n: f"{n}．",
}

# --------------------------------------------------------------------------- text wrapping

_LATIN = re.compile(r"[A-Za-z0-9Ａ-Ｚａ-ｚ０-９][A-Za-z0-9Ａ-Ｚａ-ｚ０-９.,:/%+\-]*")
_NO_START = set("、。，．）」』】〕・ー？！,.)]:;％%")


def _tokens(s: str) -> list[str]:
    out, i = [], 0
    while i < len(s):
        m = _LATIN.match(s, i)
        if m and re.match(r"[A-Za-z]", m.group()[0]):
            out.append(m.group())
            i = m.end()
        else:
            out.append(s[i])
            i += 1
    return out


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Wrap one paragraph by characters to `width`; Latin words stay whole where they fit."""
    if text == "":
        return [""]
    w = lambda t: pdfmetrics.stringWidth(t, font, size)
    lines, cur = [], ""
    for tok in _tokens(text):
        if cur and w(cur + tok) > width:
            if tok in _NO_START and len(cur) > 1:   # kinsoku: push the last character down
                lines.append(cur[:-1])
                cur = cur[-1] + tok
                continue
            if len(tok) > 1 and w(tok) > width:   # a Latin word longer than the line
                for ch in tok:
                    if cur and w(cur + ch) > width:
                        lines.append(cur)
                        cur = ""
                    cur += ch
                continue
            lines.append(cur)
            cur = tok
        elif not cur and len(tok) > 1 and w(tok) > width:
            for ch in tok:
                if cur and w(cur + ch) > width:
                    lines.append(cur)
                    cur = ""
                cur += ch
        else:
            cur += tok
    lines.append(cur)
    return lines


def wrap_paras(paras: list[str], font: str, size: float, width: float) -> list[str]:
    out = []
    for p in paras:
        out.extend(wrap(p, font, size, width))
    return out


# --------------------------------------------------------------------------- drawing ops

@dataclass
class Op:
    kind: str                 # text | line | rect
    args: tuple
    role: str = "value"       # label | value | body | furniture | rule
    bold: bool = False


@dataclass
class PageOps:
    ops: list[Op] = field(default_factory=list)


def _era(year: int) -> str:
    if year >= 2019:
        n = year - 2018
        return "令和" + ("元" if n == 1 else str(n)) + "年度"
    return f"平成{year - 1988}年度"


def _fmt_budget(jpy: int, unit_in_label: bool, like: str = "") -> tuple[str, str]:
    """(label suffix, printed value) for a yen amount (in the unit of `like` if given)."""
    if not unit_in_label and like.endswith("円") and not like.endswith("千円"):
        return "", f"{jpy:,}円"
    if unit_in_label:
        if jpy % 1_000_000 == 0 and jpy >= 10_000_000_000:
            return "（百万円）", f"{jpy // 1_000_000:,}"
        if jpy % 1000 == 0:
            return "（千円）", f"{jpy // 1000:,}"
        return "（円）", f"{jpy:,}"
    if jpy % 1000 == 0:
        return "", f"{jpy // 1000:,}千円"
    return "", f"{jpy:,}円"


class Renderer:
    def __init__(self, style: dict):
        st = dict(DEFAULT)
        st.update(style or {})
        self.st = st
        self.W, self.H = PAGES[st["page"]]
        self.font = FONTS[st["font"]]
        self.size = float(st["size"])
        self.lead = self.size * 1.32
        self.m = st["margin_mm"] * mm
        self.L, self.R = self.m, self.W - self.m
        self.top = self.m + (3 * mm if st["furniture"] else 0)
        self.bottom = self.H - self.m - (3 * mm if st["furniture"] else 0)
        self.pad = 1.6 * mm
        self.label_w = st["label_mm"] * mm
        self.rating_w = st["rating_mm"] * mm
        self.num_w = 7 * mm
        self.pages: list[PageOps] = []

    # ---- primitives (top-down coordinates)
    def new_page(self) -> PageOps:
        p = PageOps()
        self.pages.append(p)
        return p

    def text(self, page, x, y, s, role="value", size=None, bold=None):
        """Draw `s` with its top at y (baseline = y + ascent)."""
        size = size or self.size
        if bold is None:
            fb = self.st["fake_bold"]
            bold = bool(fb) and (role in ("label", "value") or (fb == "all" and role == "body"))
        page.ops.append(Op("text", (x, y + size * 0.88, s, size), role, bold))

    def w(self, s, size=None):
        return pdfmetrics.stringWidth(s, self.font, size or self.size)

    def hline(self, page, x0, x1, y):
        page.ops.append(Op("line", (x0, y, x1, y), "rule"))

    def vline(self, page, x, y0, y1):
        page.ops.append(Op("line", (x, y0, x, y1), "rule"))

    def cell(self, page, x0, y0, x1, y1, label=False):
        """Cell frame per the border style."""
        b = self.st["borders"]
        if b == "full":
            page.ops.append(Op("rect", (x0, y0, x1 - x0, y1 - y0, False), "rule"))
        elif b == "horizontal":
            self.hline(page, x0, x1, y0)
            self.hline(page, x0, x1, y1)
        elif b == "none" and label:
            page.ops.append(Op("rect", (x0 + 0.4, y0 + 0.4, x1 - x0 - 0.8, y1 - y0 - 0.8, True), "rule"))

    def label_lines(self, s: str, width: float) -> list[str]:
        sp = self.st["spaced_labels"]
        if sp == "ideographic" and len(s) <= 6:
            spaced = "　".join(s)        # typed 均等割付, only where it fits on one line
            if pdfmetrics.stringWidth(spaced, self.font, self.size) <= width:
                s = spaced
        lines = wrap(s, self.font, self.size, width)
        return lines

    def draw_label(self, page, x0, x1, ytop, lines, center=False):
        """Label lines from ytop; distributed: characters spread over [x0, x1]."""
        sp = self.st["spaced_labels"]
        for i, ln in enumerate(lines):
            y = ytop + i * self.lead
            if sp == "distributed" and len(ln) > 1:
                cw = [self.w(c) for c in ln]
                gap = (x1 - x0 - sum(cw)) / (len(ln) - 1)
                if gap > 0.5:
                    x = x0
                    for c, wc in zip(ln, cw):
                        self.text(page, x, y, c, "label")
                        x += wc + gap
                    continue
            if center:
                self.text(page, (x0 + x1 - self.w(ln)) / 2, y, ln, "label")
            else:
                self.text(page, x0, y, ln, "label")

    # ---- page furniture
    def furniture(self, page, number: int, year_label: str):
        if not self.st["furniture"]:
            return
        fs = 8.0
        s = f"{year_label}　国際機関等への拠出金等に対する評価シート"
        self.text(page, (self.W - self.w(s, fs)) / 2, self.m * 0.35, s, "furniture", fs, False)
        n = f"- {number} -"
        self.text(page, (self.W - self.w(n, fs)) / 2, self.H - self.m * 0.55, n, "furniture", fs, False)
        sx, sy = self.R - 16 * mm, self.m * 0.35 + fs * 1.6
        page.ops.append(Op("rect", (sx, sy, 16 * mm, fs * 1.7, False), "furniture"))
        self.text(page, sx + (16 * mm - self.w("公表用", fs)) / 2, sy + fs * 0.35, "公表用",
                  "furniture", fs, False)

    # ---- front matter
    def front_matter(self, specs):
        p = self.new_page()
        fy = specs[0]["fiscal_year_label"]
        big = 18.0
        for i, s in enumerate([fy, TITLE, "（評価シート）"]):
            self.text(p, (self.W - self.w(s, big)) / 2, self.H * 0.3 + i * big * 1.8, s, "furniture", big, False)
        s = "外　務　省"
        self.text(p, (self.W - self.w(s, 14)) / 2, self.H * 0.7, s, "furniture", 14, False)

        p = self.new_page()
        s = "評価シート一覧"
        self.text(p, (self.W - self.w(s, 14)) / 2, self.top, s, "furniture", 14, False)
        s = "（単位：千円）"
        self.text(p, self.R - self.w(s), self.top + 24, s, "furniture")
        inner = self.R - self.L
        cols = [("No.", 0.07), ("分担金・拠出金の名称", 0.36), ("拠出先", 0.25), ("予算額", 0.12),
                ("総合評価", 0.09), ("頁", 0.11)]
        xs = [self.L]
        for _, f in cols:
            xs.append(xs[-1] + f * inner)
        y = self.top + 24 + self.lead + 4
        rows = [[c for c, _ in cols]]
        page_no = 3 if True else 1
        for k, sp in enumerate(specs):
            rows.append(["１２３４５６７８９"[k] if k < 9 else str(k + 1), sp["contribution_name"],
                         sp["organization_name"], f"{sp['budget_jpy'] // 1000:,}",
                         sp["overall_rating"], str(page_no)])
            page_no += self._npages_hint.get(k, 1)
        for r, row in enumerate(rows):
            cells = [wrap(v, self.font, self.size, xs[i + 1] - xs[i] - 2 * self.pad) for i, v in enumerate(row)]
            h = max(len(c) for c in cells) * self.lead + 2 * self.pad
            for i, lines in enumerate(cells):
                p.ops.append(Op("rect", (xs[i], y, xs[i + 1] - xs[i], h, False), "rule"))
                for j, ln in enumerate(lines):
                    x = xs[i] + self.pad if i in (1, 2) else (xs[i] + xs[i + 1] - self.w(ln)) / 2
                    self.text(p, x, y + self.pad + j * self.lead, ln, "furniture", bold=False)
            y += h
        s = "（注）予算額は各シートの評価対象年度の当初予算額。"
        self.text(p, self.L, y + 6, s, "furniture")

    # ---- one sheet
    def sheet(self, sp: dict):
        st = self.st
        gen = sp["generation"]
        rated = gen in ("r1", "r4")
        L, R, pad, lead = self.L, self.R, self.pad, self.lead
        end_y = getattr(self, "_end_y", None)
        if st["continuous"] and self.pages and end_y is not None and end_y < self.H * 0.5:
            # Word without page breaks: the next sheet follows on the same page
            first_page = len(self.pages) - 1
            p = self.pages[-1]
            y = end_y + 10 * mm
        else:
            first_page = len(self.pages)
            p = self.new_page()
            y = self.top
        ts = self.size + 3
        self.text(p, (self.W - self.w(TITLE, ts)) / 2, y, TITLE, "label", ts)
        y += ts * 1.8

        # overview box
        ov_lines = wrap_paras(sp["overview"], self.font, self.size, R - L - 2 * pad)
        h = (1 + len(ov_lines)) * lead + 2 * pad
        self.cell(p, L, y, R, y + h)
        if st["borders"] != "full":
            self.hline(p, L, R, y)
        self.text(p, L + pad, y + pad, "国際機関の概要", "label")
        for i, ln in enumerate(ov_lines):
            self.text(p, L + pad, y + pad + (i + 1) * lead, ln, "body")
        y += h + 3 * mm

        # header block
        lw = self.label_w
        vx = L + lw
        fy_w = 24 * mm
        box_w = 12 * mm + 16 * mm
        suffix, value = _fmt_budget(sp["budget_jpy"], st["unit_in_label"], sp["budget_label"])
        if not st["unit_in_label"]:
            value = sp["budget_label"]
        budget_rows = [("予算額" + suffix, value)]
        if st["two_budgets"]:
            fy = sp["fiscal_year"]
            prev = int(round(sp["budget_jpy"] * 0.93 / 1000)) * 1000
            _, pv = _fmt_budget(prev, st["unit_in_label"], sp["budget_label"])
            cur = (_era(fy) + "当初予算額" + suffix, value)
            prv = (_era(fy - 1) + "当初予算額" + suffix, pv)
            budget_rows = [prv, cur] if st["two_budgets"] == "prev_first" else [cur, prv]
        rows = [("分担金・拠出金の名称", sp["contribution_name"], R - fy_w)]
        rows += [(lab, v, R - box_w) for lab, v in budget_rows]
        rows += [("拠出先の国際機関名", sp["organization_name"], R - box_w),
                 ("担当課・室名", sp["bureau"] + "　" + sp["division"], R - box_w)]
        lower_top = None
        for k, (lab, val, vend) in enumerate(rows):
            ll = self.label_lines(lab, lw - 2 * pad)
            vl = wrap(val, self.font, self.size, vend - vx - 2 * pad)
            h = max(len(ll), len(vl)) * lead + 2 * pad
            self.cell(p, L, y, vx, y + h, label=True)
            self.cell(p, vx, y, vend, y + h)
            self.draw_label(p, L + pad, vx - pad, y + (h - len(ll) * lead) / 2, ll)
            for i, ln in enumerate(vl):
                self.text(p, vx + pad, y + (h - len(vl) * lead) / 2 + i * lead, ln, "value")
            if k == 0:
                fl = sp["fiscal_year_label"]
                self.cell(p, R - fy_w, y, R, y + h)
                self.text(p, R - fy_w + (fy_w - self.w(fl)) / 2, y + (h - lead) / 2, fl, "value")
                lower_top = y + h
            y += h
        # 総合評価 box spanning the lower rows
        bx = R - box_w
        self.cell(p, bx, lower_top, bx + 12 * mm, y, label=True)
        self.cell(p, bx + 12 * mm, lower_top, R, y)
        mid = (lower_top + y) / 2
        for i, s in enumerate(("総合", "評価")):
            self.text(p, bx + (12 * mm - self.w(s)) / 2, mid - lead + i * lead, s, "label")
        rt = sp["overall_rating"]
        rs = self.size + 2
        self.text(p, bx + 12 * mm + (16 * mm - self.w(rt, rs)) / 2, mid - rs / 2, rt, "value", rs)
        y += 3 * mm

        # criteria table columns
        xs = {"num0": L, "t0": L, "t1": L + lw}
        if st["number_cell"]:
            xs["t0"] = L + self.num_w
            xs["t1"] = L + self.num_w + lw - self.num_w * 0.3
        xs["x0"] = xs["t1"]
        xs["x1"] = R - self.rating_w if rated else R
        self._xs = xs
        self._rated = rated
        y = self._table_header(p, y)
        self._header_h = None

        for c in sp["criteria"]:
            title = c["label"] if st["number_cell"] else CRIT_PREFIX[gen](c["no"]) + c["label"]
            tl = wrap(title, self.font, self.size, xs["t1"] - xs["t0"] - 2 * pad)
            txl = wrap_paras(c["text"], self.font, self.size, xs["x1"] - xs["x0"] - 2 * pad)
            p, y = self._row(p, y, c, tl, txl)
        self._end_y = y
        self._sheet_pages = (first_page, len(self.pages))

    def _table_header(self, p, y):
        xs, pad, lead = self._xs, self.pad, self.lead
        vert = self.st["vertical_headers"]
        h = (4 * lead if vert else lead) + 2 * pad
        lab_x0 = xs["num0"]
        self.cell(p, lab_x0, y, xs["t1"], y + h, label=True)
        self.cell(p, xs["x0"], y, xs["x1"], y + h, label=True)
        if self._rated:
            self.cell(p, xs["x1"], y, self.R, y + h, label=True)
        cx = (lab_x0 + xs["t1"]) / 2
        if vert:
            for i, ch in enumerate("評価基準"):
                self.text(p, cx - self.w(ch) / 2, y + pad + i * lead, ch, "label")
        else:
            ll = self.label_lines("評価基準", xs["t1"] - lab_x0 - 2 * pad)
            self.draw_label(p, lab_x0 + pad, xs["t1"] - pad, y + pad + (h - 2 * pad - lead) / 2, ll,
                            center=self.st["spaced_labels"] != "distributed")
        ll = self.label_lines("達成状況", xs["x1"] - xs["x0"] - 2 * pad)
        if self.st["spaced_labels"] == "distributed":
            # spread over a third of the wide column, centred
            third = (xs["x1"] - xs["x0"]) / 3
            self.draw_label(p, xs["x0"] + third, xs["x1"] - third, y + (h - lead) / 2, ll)
        else:
            self.draw_label(p, xs["x0"], xs["x1"], y + (h - lead) / 2, ll, center=True)
        if self._rated:
            rx = (xs["x1"] + self.R) / 2
            if vert:
                for i, ch in enumerate("評価"):
                    self.text(p, rx - self.w(ch) / 2, y + (h - 2 * lead) / 2 + i * lead, ch, "label")
            else:
                self.text(p, rx - self.w("評価") / 2, y + (h - lead) / 2, "評価", "label")
        if self.st["borders"] == "horizontal":
            self.hline(p, self.L, self.R, y + h)
        return y + h

    def _continue_page(self):
        p = self.new_page()
        y = self.top
        if self.st["repeat_header"]:
            y = self._table_header(p, y)
        return p, y

    def _row(self, p, y, c, tl, txl):
        pad, lead, xs = self.pad, self.lead, self._xs
        split = self.st["split"]
        n = max(len(tl), len(txl))
        h = n * lead + 2 * pad
        page_room = self.bottom - self.top - (self._hdr_h() if self.st["repeat_header"] else 0)
        if y + h > self.bottom:
            if split == "excel" and h <= page_room:
                p, y = self._continue_page()
            elif split != "excel":
                fit = int((self.bottom - y - 2 * pad) // lead)
                need = len(tl) if split == "word" else 2
                if fit < max(need, 2):
                    p, y = self._continue_page()
        # fragments of text lines
        frags = []   # (page, y, a, b) text lines [a, b)
        a = 0
        total_txt = max(len(txl), len(tl))
        while True:
            fit = int((self.bottom - y - 2 * pad) // lead)
            if total_txt - a <= fit:
                frags.append((p, y, a, total_txt))
                break
            if fit < 1:
                p, y = self._continue_page()
                continue
            frags.append((p, y, a, a + fit))
            a += fit
            p, y = self._continue_page()
        # titles and rating placement
        nt = len(tl)
        row_h = total_txt * lead
        if split == "word_span" and len(frags) > 1:
            t0 = (row_h - nt * lead) / 2           # virtual offset within the whole row
            title_slots = [t0 + j * lead for j in range(nt)]
            r_off = (row_h - lead) / 2
        else:
            fa, fb = frags[0][2], frags[0][3]
            fh = (fb - fa) * lead
            title_slots = [(fh - nt * lead) / 2 + j * lead for j in range(nt)]
            r_off = (fh - lead) / 2
        last_y = y
        for fi, (pg, fy, fa, fb) in enumerate(frags):
            fh = (fb - fa) * lead + 2 * pad
            lo, hi = fa * lead, fb * lead
            self.cell(pg, xs["t0"], fy, xs["t1"], fy + fh)
            if self.st["number_cell"]:
                self.cell(pg, xs["num0"], fy, xs["t0"], fy + fh)
            self.cell(pg, xs["x0"], fy, xs["x1"], fy + fh)
            if self._rated:
                self.cell(pg, xs["x1"], fy, self.R, fy + fh)
            if self.st["borders"] == "horizontal":
                self.hline(pg, self.L, self.R, fy + fh)
            for i in range(fa, min(fb, len(txl))):
                self.text(pg, xs["x0"] + pad, fy + pad + (i - fa) * lead, txl[i], "body")
            for j, off in enumerate(title_slots):
                if lo <= off + 0.01 < hi or (fi == len(frags) - 1 and off >= hi) or (fi == 0 and off < 0):
                    self.text(pg, xs["t0"] + pad, fy + pad + off - lo, tl[j], "label")
            if lo <= r_off + 0.01 < hi or (fi == 0 and r_off < 0):
                if self.st["number_cell"]:
                    s = str(c["no"])
                    self.text(pg, (xs["num0"] + xs["t0"] - self.w(s)) / 2, fy + pad + r_off - lo, s, "label")
                if self._rated and c.get("rating"):
                    s = c["rating"]
                    self.text(pg, (xs["x1"] + self.R - self.w(s)) / 2, fy + pad + r_off - lo, s, "value")
            last_y = fy + fh
        return frags[-1][0], last_y

    def _hdr_h(self):
        vert = self.st["vertical_headers"]
        return (4 * self.lead if vert else self.lead) + 2 * self.pad

    # ---- output
    def save(self, path, year_label):
        c = canvas.Canvas(str(path), pagesize=(self.W, self.H))
        c.setTitle("国際機関等への拠出金等に対する評価")
        rng = random.Random(self.st.get("seed", 0))
        for n, page in enumerate(self.pages, 1):
            self.furniture(page, n, year_label)
            ops = list(page.ops)
            if self.st["scramble"]:
                texts = [o for o in ops if o.kind == "text" and o.role != "label"]
                labels = [o for o in ops if o.kind == "text" and o.role == "label"]
                rules = [o for o in ops if o.kind != "text"]
                rng.shuffle(texts)
                rng.shuffle(labels)
                rng.shuffle(rules)
                ops = rules[: len(rules) // 2] + texts + rules[len(rules) // 2:] + labels
            for o in ops:
                self._draw(c, o)
            c.showPage()
        c.save()

    def _draw(self, c, o: Op):
        H = self.H
        if o.kind == "text":
            x, yb, s, size = o.args
            c.setFont(self.font, size)
            c.setFillGray(0)
            c.drawString(x, H - yb, s)
            if o.bold:
                c.drawString(x + 0.3, H - yb, s)
        elif o.kind == "line":
            x0, y0, x1, y1 = o.args
            c.setLineWidth(0.6)
            c.line(x0, H - y0, x1, H - y1)
        elif o.kind == "rect":
            x, y, w, h, fill = o.args
            if fill:
                c.setFillGray(0.88)
                c.rect(x, H - y - h, w, h, stroke=0, fill=1)
                c.setFillGray(0)
            else:
                c.setLineWidth(0.6)
                c.rect(x, H - y - h, w, h, stroke=1, fill=0)


def render_sheets(specs: list[dict], path, style: dict | None = None) -> list[tuple[int, int]]:
    """Render `specs` into one PDF at `path`. Returns each sheet's 1-based (first, last) page."""
    r = Renderer(style or {})
    spans = []
    r._npages_hint = {}
    if r.st["front_matter"]:
        # lay the sheets out once to learn their page counts for the 一覧's 頁 column
        probe = Renderer(style or {})
        for k, sp in enumerate(specs):
            probe.sheet(sp)
            a, b = probe._sheet_pages
            r._npages_hint[k] = b - a
        r.front_matter(specs)
    for sp in specs:
        r.sheet(sp)
        a, b = r._sheet_pages
        spans.append((a + 1, b))
    r.save(path, specs[0]["fiscal_year_label"])
    return spans
