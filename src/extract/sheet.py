"""Read sheets from pages: find the labels, derive columns and row bands from geometry,
and cut the page into fields and criteria.

A sheet starts on a page that carries the header labels left of the criteria table;
pages before the first such page (a cover, a list of all contributions) are skipped,
and the pages after it continue the sheet until the next start page.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from statistics import median

from . import values
from .layout import Index, bbox, gaps, hrules, make_lines, vrules_x
from .match import best_criterion, choose_template, strip_number
from .model import Box, Criterion, Glyph, Page, Problem, Sheet
from .normalize import squash
from .rows import continuation_cut, row_cut
from .rules import Template
from .text import join_pages, squashed, text_block

_LEFT_LABELS = ("contribution_name", "budget_jpy", "organization_name", "department")
_FY_CELL = re.compile(r"^(明治|大正|昭和|平成|令和)(\d+|元)年度$")
_FY_TAIL = re.compile(r"(明治|大正|昭和|平成|令和)\s*(\d+|元)\s*年度\s*$")


# Below this a sheet's criteria titles are taken to fit no rules file.
MIN_TEMPLATE_SCORE = 0.35


class UnknownTemplate(Exception):
    pass


# ---------------------------------------------------------------- anchors

@dataclass
class Anchors:
    labels: dict[str, list[list[Glyph]]] = field(default_factory=dict)
    text_header: list[Glyph] | None = None
    crit_header: list[Glyph] | None = None
    rating_header: list[Glyph] | None = None


def _labels_of(templates: list[Template], name: str) -> set[str]:
    return {t.fields[name].label for t in templates if name in t.fields}


def find_anchors(page: Page, index: Index, templates: list[Template]) -> Anchors | None:
    """The labels that make a page the start of a sheet, or None."""
    a = Anchors()
    th_hits = [h for w in {t.text_header for t in templates} for h in index.find(w)]
    if not th_hits:
        return None
    for name in _LEFT_LABELS + ("overview", "overall_rating"):
        a.labels[name] = [h for w in _labels_of(templates, name) for h in index.find(w)]
    names = a.labels["contribution_name"]
    if not names:
        return None
    name0 = min(names, key=lambda h: h[0].top)
    below = [h for h in th_hits if h[0].top > name0[0].bottom and h[0].x0 > name0[0].x0 + 2 * h[0].size]
    if not below:
        return None
    th = min(below, key=lambda h: h[0].top)
    a.text_header = th
    # the other row labels share the label column with the name label (left-aligned,
    # centred or spread over the cell: they overlap it horizontally)
    lx0, lx1 = name0[0].x0, max(g.x1 for g in name0)
    size = name0[0].size

    def in_label_column(h: list[Glyph]) -> bool:
        return h[0].x0 < lx1 - 0.3 * size and max(g.x1 for g in h) > lx0 + 0.3 * size \
            and h[0].x0 > lx0 - 3 * size

    for name in _LEFT_LABELS:
        a.labels[name] = sorted((h for h in a.labels[name]
                                 if in_label_column(h) and name0[0].top - 1 <= h[0].top < th[0].top),
                                key=lambda h: h[0].top)
    # a budget label may carry its year in front (令和2年度当初予算額): any cell that starts
    # at the label column and contains the word
    for w in _labels_of(templates, "budget_jpy"):
        for h in index.find(w, cell_start=False):
            li, gi = index.pos[id(h[0])]
            k = gi
            while k > 0 and not index.cell_start(li, k):
                k -= 1
            head = index.lines[li].glyphs[k:gi]
            if head and in_label_column(head + h) and name0[0].top - 1 <= h[0].top < th[0].top:
                a.labels["budget_jpy"].append(head + h)
    a.labels["budget_jpy"].sort(key=lambda h: h[0].top)
    a.labels["overview"] = [h for h in a.labels["overview"] if h[0].bottom <= name0[0].top]
    a.labels["overall_rating"] = [h for h in a.labels["overall_rating"]
                                  if h[0].x0 > th[0].x0 and name0[0].top - 1 <= h[0].top < th[0].top]
    ty = (th[0].top + th[-1].bottom) / 2
    ch = [h for w in {t.criterion_header for t in templates} for h in index.find(w)
          if h[-1].x1 <= th[0].x0 and h[0].top - 3 * h[0].size <= ty <= h[-1].bottom + 3 * h[0].size]
    a.crit_header = min(ch, key=lambda h: abs((h[0].top + h[-1].bottom) / 2 - ty)) if ch else None
    rh = [h for w in {t.rating_header for t in templates if t.rating_header} for h in index.find(w)
          if h[0].x0 >= th[-1].x1 and h[0].top - 0.5 * h[0].size <= ty <= h[-1].bottom + 0.5 * h[0].size]
    a.rating_header = min(rh, key=lambda h: abs((h[0].top + h[-1].bottom) / 2 - ty)) if rh else None
    return a


def sheet_starts(page: Page, index: Index, templates: list[Template]) -> list[float]:
    """Where sheets begin on a page: [0.0] for one sheet (or none); with several sheets
    printed one after another, the top of each later one's title (or overview label)."""
    names = sorted((h for w in _labels_of(templates, "contribution_name") for h in index.find(w)),
                   key=lambda h: h[0].top)
    heads = [h for w in {t.text_header for t in templates} for h in index.find(w)]
    real = []
    for j, n in enumerate(names):
        nxt = names[j + 1][0].top if j + 1 < len(names) else page.height + 1
        if any(n[-1].bottom < h[0].top < nxt and h[0].x0 > n[0].x0 + 2 * h[0].size for h in heads):
            real.append(n)
    if not real:
        return [0.0]
    ys = []
    titles = {t.title for t in templates if t.title}
    overviews = [h for w in _labels_of(templates, "overview") for h in index.find(w)]
    for prev, n in zip([None] + real, real):
        lo = max(g.bottom for g in prev) if prev else 0.0
        top = n[0].top
        ov = [h for h in overviews if lo < h[0].top < top]
        if ov:
            top = min(top, max(ov, key=lambda h: h[0].top)[0].top)
        ti = [h for w in titles for h in index.find(w) if lo < h[0].top < top]
        if ti:
            top = max(ti, key=lambda h: h[0].top)[0].top
        ys.append(top - 0.3 * n[0].size)
    # above the first sheet: the rest of the previous one, if there is more than a stamp
    above = [g for g in page.glyphs if g.yc < ys[0]]
    if len(above) < 20 or len(make_lines(above)) < 2:
        ys[0] = 0.0
    return ys


def clip(page: Page, y0: float, y1: float | None) -> Page:
    """The part of a page between y0 and y1 (None: the page foot), same page number."""
    hi = page.height + 1 if y1 is None else y1
    return replace(page, glyphs=[g for g in page.glyphs if y0 <= g.yc < hi],
                   rulings=[r for r in page.rulings if r.bottom >= y0 - 1 and r.top <= hi + 1])


# ---------------------------------------------------------------- the reader

@dataclass
class Columns:
    left: float           # table left edge
    title: tuple[float, float]
    number: tuple[float, float] | None
    text: tuple[float, float]
    rating: float | None  # x where the rating column starts


class SheetReader:
    def __init__(self, pages: list[Page], templates: list[Template], sheet_index: int):
        self.pages = pages
        self.templates = templates
        self.sheet_index = sheet_index
        self.problems: list[Problem] = []
        # where each value was read: field -> [(page number, glyphs)]
        self.src: dict[str, list[tuple[int, list[Glyph]]]] = {}
        self.pending = None    # a title-less row at the foot of a page, waiting for its title
        self.pending_title = None  # the first lines of a title whose number is on the next page
        self._tops: dict[int, float] = {}

    def warn(self, code: str, field_name: str | None, message: str, severity: str = "warning"):
        self.problems.append(Problem(severity, code, message, field_name, self.sheet_index))

    def box(self, page: Page, glyphs: list[Glyph]) -> Box | None:
        if not glyphs:
            return None
        x0, top, x1, bottom = bbox(glyphs)
        return Box(page.number, x0, top, x1, bottom)

    # -------------------------------------------------------------- header
    def read(self, index: Index, anchors: Anchors) -> Sheet:
        page = self.pages[0]
        used: set[int] = set()
        for hits in anchors.labels.values():
            for h in hits:
                used.update(id(g) for g in h)
        fields: dict = {}
        left = anchors.labels
        rows = sorted((h, name) for name in _LEFT_LABELS for h in [(x[0].top, i) for i, x in enumerate(left[name])])
        rows = [(left[name][i], name) for (_, i), name in rows]
        th = anchors.text_header
        table_top_y = min(g.top for g in th)
        if anchors.crit_header:
            table_top_y = min(table_top_y, min(g.top for g in anchors.crit_header))

        # boundary between label and value columns: where the values start
        starts = []
        for hit, _ in rows:
            last = hit[-1]
            right = [g for g in page.glyphs if g.x0 >= last.x1 - 0.1 and g.top < last.bottom
                     and g.bottom > last.top and id(g) not in used]
            if right:
                starts.append(min(g.x0 for g in right))
        label_x1 = max(max(g.x1 for g in hit) for hit, _ in rows) if rows else 0
        x_start = median(starts) if starts else label_x1 + 2
        vr = vrules_x(index.rulings, label_x1 - 0.5, x_start + 0.5, rows[0][0][0].top if rows else 0,
                      table_top_y, min_cover=0.3)
        xb = vr[-1] if vr else x_start - 0.5

        # overall rating box on the right
        excl: list[tuple[float, float, float, float]] = []
        overall = anchors.labels.get("overall_rating") or []
        rating_glyphs: list[Glyph] = []
        if overall:
            oa = overall[0]
            ox0, otop, ox1, obot = bbox(oa)
            size = oa[0].size
            cand = [g for g in page.glyphs if g.x0 >= ox1 - 0.5 and otop - 2.5 * size <= g.yc <= obot + 2.5 * size
                    and id(g) not in used and g.top < table_top_y]
            rating_glyphs = cand
            bx = bbox(cand + oa)
            above = hrules(index.rulings, (ox0 + ox1) / 2, bx[1] - 3 * size, otop)
            below = hrules(index.rulings, (ox0 + ox1) / 2, obot, bx[3] + 3 * size)
            top = above[-1] if above else bx[1] - 0.5 * size
            bot = below[0] if below else bx[3] + 0.5 * size
            excl.append((min(ox0, bx[0]) - 0.5 * size, top, page.width, bot))
            used.update(id(g) for g in oa)
            rt = values.normalize_rating(squashed(rating_glyphs))
            fields["overall_rating_raw"] = rt
            self.src["overall_rating"] = [(page.number, rating_glyphs)]

        def excluded(g: Glyph) -> bool:
            return any(x0 <= g.xc and top <= g.yc <= bot for x0, top, x1, bot in excl)

        # bands of the header rows
        bands = []
        for i, (hit, name) in enumerate(rows):
            htop, hbot = min(g.top for g in hit), max(g.bottom for g in hit)
            size = hit[0].size
            if i == 0:
                hr = hrules(index.rulings, xb + 1, htop - 3 * size, htop + 0.5)
                top = hr[-1] if hr else self._value_lines_above(page, htop, xb, used)
            else:
                top = bands[-1][3]
            if i + 1 < len(rows):
                nxt = rows[i + 1][0]
                ntop = min(g.top for g in nxt)
                hr = hrules(index.rulings, xb + 1, hbot - 0.5, ntop + 0.5)
                # no rule: halfway between the label centres (a value centred on its label
                # may reach above the label's own top)
                mid = ((htop + hbot) / 2 + (ntop + max(g.bottom for g in nxt)) / 2) / 2
                bot = min(hr, key=lambda y: abs(y - mid)) if hr else mid
            else:
                hr = hrules(index.rulings, xb + 1, hbot - 0.5, table_top_y)
                bot = hr[0] if hr else min(table_top_y, hbot + 2.5 * size)
            bands.append((hit, name, top, bot))

        values_by_field: dict[str, list] = {}
        for hit, name, top, bot in bands:
            lab = [g for g in page.glyphs if g.x1 <= xb + 0.5 and top <= g.yc < bot]
            val = [g for g in page.glyphs if g.x0 >= xb - 0.5 and top <= g.yc < bot
                   and id(g) not in used and not excluded(g) and g not in rating_glyphs]
            values_by_field.setdefault(name, []).append((squashed(lab), val))

        # name and fiscal year
        name_val = values_by_field.get("contribution_name", [("", [])])[0][1]
        fy_glyphs = self._fiscal_year_cell(index, name_val)
        name_glyphs = [g for g in name_val if g not in fy_glyphs]
        name_text = text_block(name_glyphs)[0].replace("\n", "")
        fy = values.parse_fiscal_year(squashed(fy_glyphs)) if fy_glyphs else None
        if fy is None:
            m = _FY_TAIL.search(name_text)
            if m:
                fy = values.parse_fiscal_year(m.group(0))
                name_text = name_text[:m.start()].rstrip()
        fields["contribution_name"] = name_text or None
        self.src["contribution_name"] = [(page.number, name_glyphs)]
        fields["fiscal_year"], fields["fiscal_year_label"] = (fy if fy else (None, None))
        self.src["fiscal_year"] = self.src["fiscal_year_label"] = [(page.number, fy_glyphs)]

        # budget: the line of the sheet's own year
        budgets = values_by_field.get("budget_jpy", [])
        chosen = None
        if len(budgets) > 1 and fields["fiscal_year"]:
            for lab, val in budgets:
                y = values.parse_era_year(lab)
                if y and y[0] == fields["fiscal_year"]:
                    chosen = (lab, val)
        if chosen is None and len(budgets) == 1:
            chosen = budgets[0]
        elif chosen is None and budgets:
            fields["budget_ambiguous"] = True     # never guess which year's budget is meant
            self.warn("ambiguous_value", "budget_jpy", "Several budget lines are printed and none "
                      "names the sheet's fiscal year, so the budget is left empty; check the sheet.")
        if chosen:
            lab, val = chosen
            label = text_block(val)[0].replace("\n", "")
            fields["budget_label"] = label or None
            fields["budget_unit"] = values.unit_from_label(lab)
            self.src["budget_jpy"] = self.src["budget_label"] = [(page.number, val)]
        org = values_by_field.get("organization_name", [("", [])])[0][1]
        fields["organization_name"] = text_block(org)[0].replace("\n", "") or None
        self.src["organization_name"] = self.src["organization_abbr"] = [(page.number, org)]
        dept = values_by_field.get("department", [("", [])])[0][1]
        fields["department"] = " ".join(text_block(dept)[0].split("\n")) or None
        self.src["bureau"] = self.src["division"] = [(page.number, dept)]

        # overview: between its label and the first header row
        ov = anchors.labels.get("overview") or []
        if ov and rows:
            oa = ov[-1]
            obot = bands[0][2]
            ox1 = max(x.x1 for x in oa)
            otop = min(x.top for x in oa)
            # below the label, or right of it when the label is a row label
            og = [g for g in page.glyphs if otop - 0.3 * g.size <= g.yc < obot and id(g) not in used
                  and not (g.yc < otop + 1.2 * g.size and g.x0 < ox1)]
            right = max((g.x1 for g in og), default=None)
            fields["overview"] = text_block(og, right)[0] or None
            self.src["overview"] = [(page.number, og)]
        else:
            fields["overview"] = None

        self.fields = fields
        self.xb = xb
        return self._criteria(index, anchors, table_top_y)

    def _value_lines_above(self, page: Page, htop: float, xb: float, used: set[int]) -> float:
        """Top of the first header row without rules: climb over the lines that lie wholly in
        the value column right above the label (a wrapped value centred on its label);
        the overview above starts at the left edge and stops the climb."""
        lines = [ln for ln in make_lines([g for g in page.glyphs if id(g) not in used])
                 if ln.bottom <= htop + 0.5 * ln.size]
        top = htop - 0.3 * (lines[-1].size if lines else 10)
        for ln in sorted(lines, key=lambda l: -l.bottom):
            if ln.bottom > top + 0.5 * ln.size:
                continue
            if top - ln.bottom > 0.8 * ln.size or ln.x0 < xb - 0.5:
                break
            top = ln.top - 0.1
        return top

    def _fiscal_year_cell(self, index: Index, glyphs: list[Glyph]) -> list[Glyph]:
        """The era-year cell right of the contribution name, split off by a rule or a gap."""
        best: list[Glyph] = []
        for ln in make_lines(glyphs):
            gs = ln.glyphs
            cuts = [0]
            for i in range(1, len(gs)):
                a, b = gs[i - 1], gs[i]
                if b.x0 - a.x1 >= 0.6 * b.size or vrules_x(index.rulings, a.x1 - 0.5, b.x0 + 0.5, b.top, b.bottom, 0.8):
                    cuts.append(i)
            cuts.append(len(gs))
            for s, e in zip(cuts, cuts[1:]):
                seg = gs[s:e]
                if _FY_CELL.match(squash("".join(g.text for g in seg))):
                    best = seg
        return best

    # -------------------------------------------------------------- criteria
    def _columns(self, index: Index, anchors: Anchors) -> Columns:
        page = self.pages[0]
        th = anchors.text_header
        ch = anchors.crit_header
        head_bottom = max(g.bottom for g in th + (ch or []) + (anchors.rating_header or []))
        # the table's glyphs: below the header on the first page and all later pages (a tall
        # first row may have moved to page 2, leaving nothing under the header)
        region = [g for g in page.glyphs if g.top > head_bottom] + \
            [g for p in self.pages[1:] for g in p.glyphs if g.top > self._continuation_top(p)]
        left = min((g.x0 for hit in anchors.labels.values() for h in hit for g in h), default=0) - 1
        lo = (bbox(ch)[0] + bbox(ch)[2]) / 2 if ch else left + 2
        hi = th[0].x0
        gs = gaps(region, lo, hi, 1.5)
        if gs:
            text_x0 = gs[-1][1] - 0.5
        else:
            vr = vrules_x(index.rulings, lo, hi, head_bottom, page.height, 0.2)
            text_x0 = vr[-1] if vr else self.xb
        rating_x = None
        if anchors.rating_header:
            rx0 = min(g.x0 for g in anchors.rating_header)
            vr = vrules_x(index.rulings, th[-1].x1, rx0, head_bottom, page.height, 0.2)
            rating_x = vr[-1] if vr else rx0 - 0.5
        text_x1 = rating_x if rating_x else page.width
        # sub-columns of the label area: criterion numbers | titles | sub-item numbers
        lab = [g for g in region if g.x1 <= text_x0 + 0.5 and g.x0 >= left - 1]
        cols = []
        cur = left
        for a, b in gaps(lab, left, text_x0, 2.0):
            if a > cur:
                cols.append((cur, a))
            cur = b
        if cur < text_x0:
            cols.append((cur, text_x0))
        cols = [c for c in cols if any(c[0] <= g.xc < c[1] for g in lab)] or [(left, text_x0)]
        title = max(cols, key=lambda c: sum(1 for g in lab if c[0] <= g.xc < c[1]))
        number = None
        before = [c for c in cols if c[1] <= title[0]]
        if before:
            ng = [g for g in lab if before[-1][0] <= g.xc < before[-1][1]]
            if ng and all(g.text.isdigit() or g.text in ".．" for g in ng):
                number = (before[-1][0], title[0])
        return Columns(left, title, number, (text_x0, text_x1), rating_x)

    def _criteria(self, index: Index, anchors: Anchors, table_top: float) -> Sheet:
        cols = self._columns(index, anchors)
        th = anchors.text_header
        head_bottom = max(g.bottom for g in th + (anchors.crit_header or []) + (anchors.rating_header or []))
        crits: list[dict] = []
        xc_title = (cols.title[0] + cols.title[1]) / 2
        for pi, page in enumerate(self.pages):
            if pi == 0:
                top = head_bottom
            else:
                top = self._continuation_top(page)
            region = [g for g in page.glyphs if g.top >= top - 0.5]
            seps = hrules(page.rulings, xc_title, top - 0.5, page.height)
            self._page_criteria(page, region, cols, seps, crits, top)
        if self.pending and crits:      # the sheet ended inside a title-less row
            self._assign_bands(self.pending, crits[-1], cols)
            self.pending = None
        return self._finish(crits, cols)

    def _assign_bands(self, bands: list[tuple[int, float, float]], crit: dict, cols: Columns) -> None:
        """Give the text and rating glyphs of bands on (earlier) pages to a criterion."""
        for pn, y0, y1 in bands:
            page = next(p for p in self.pages if p.number == pn)
            top = self._continuation_top(page) if page is not self.pages[0] else 0.0
            for g in page.glyphs:
                if not (y0 <= g.yc < y1) or g.top < top - 0.5:
                    continue
                if cols.text[0] <= g.xc < cols.text[1]:
                    crit.setdefault("text_pages", {}).setdefault(pn, []).append(g)
                elif cols.rating is not None and g.xc >= cols.rating:
                    crit["rating"].append(g)
                    crit["rating_page"] = pn

    def _continuation_top(self, page: Page) -> float:
        """Where the table goes on at the top of a later page: below a repeated header row
        (評価基準 | 達成状況 | 評価, some perhaps written vertically), else the page top."""
        if page.number in self._tops:
            return self._tops[page.number]
        top = 0.0
        idx = Index(page.glyphs, page.rulings)
        rep = [h for w in {t.text_header for t in self.templates} for h in idx.find(w)
               if h[0].top < page.height * 0.3]
        def crossing(words: set[str], ty: float) -> list[list[Glyph]]:
            return [h for w in words for h in idx.find(w)
                    if min(g.top for g in h) - 0.5 * h[0].size <= ty <= max(g.bottom for g in h) + 0.5 * h[0].size]

        for r in rep:
            ty = (r[0].top + r[-1].bottom) / 2
            left = [h for h in crossing({t.criterion_header for t in self.templates}, ty)
                    if max(g.x1 for g in h) <= r[0].x0]
            if left:    # 達成状況 alone may be a word of the text; a header row has 評価基準 too
                right = [h for h in crossing({t.rating_header for t in self.templates if t.rating_header}, ty)
                         if h[0].x0 >= r[-1].x1]
                top = max(g.bottom for h in [r] + left + right for g in h)
                break
        self._tops[page.number] = top
        return top

    def _page_criteria(self, page, region, cols, seps, crits, top):
        title_g = [g for g in region if cols.title[0] <= g.xc < cols.title[1]]
        num_g = [g for g in region if cols.number and cols.number[0] <= g.xc < cols.number[1]]
        text_g = [g for g in region if cols.text[0] <= g.xc < cols.text[1]]
        rate_g = [g for g in region if cols.rating is not None and g.xc >= cols.rating]
        # title blocks
        blocks: list[dict] = []
        for ln in make_lines(title_g):
            s = squash(ln.text)
            no = None
            for t in self.templates:
                no, rest = strip_number(s, t)
                if no is not None:
                    break
            prev = blocks[-1] if blocks else None
            sep_between = prev is not None and any(prev["bottom"] < y < ln.top for y in seps)
            gap = prev is not None and ln.top - prev["bottom"] > 1.0 * ln.size
            if no is not None or prev is None or sep_between or gap:
                blocks.append({"lines": [ln], "no": no, "top": ln.top, "bottom": ln.bottom})
            else:
                prev["lines"].append(ln)
                prev["bottom"] = ln.bottom
        for b in blocks:
            nums = [g for g in num_g if b["top"] - 2 * g.size <= g.yc <= b["bottom"] + 2 * g.size]
            if b["no"] is None and nums:
                try:
                    b["no"] = int(squash("".join(g.text for g in nums)).strip(".．"))
                    b["num_glyphs"] = nums
                except ValueError:
                    pass
            b["text"] = "".join(squash(l.text) for l in b["lines"])
            if b["no"] is None:     # a number that wraps in a narrow column: 【評価基準 / 1】…
                for t in self.templates:
                    no, _ = strip_number(b["text"], t)
                    if no is not None:
                        b["no"] = no
                        break
        # a numberless block at the top continues the previous criterion's title
        first_y = min((g.top for g in title_g + text_g), default=top)
        seps = [y for y in seps if y > first_y]     # borders above the first text open no row

        def band_of(y: float) -> int:
            """Rows counted from the first text on the page (a border above it opens none)."""
            return sum(1 for sy in seps if first_y < sy < y)

        starts = []
        orphan_title = None
        for bi, b in enumerate(blocks):
            if b["no"] is not None:
                starts.append(b)
            elif self.pending_title is not None and not starts:
                b["no"] = -1   # the rest of a title begun at the foot of the previous page
                starts.append(b)
            elif crits and not starts and band_of(b["top"]) == 0:
                crits[-1]["title"] += b["text"]
                crits[-1]["title_parts"].append((page.number, [g for l in b["lines"] for g in l.glyphs]))
            elif starts and band_of(b["top"]) == band_of(starts[-1]["top"]):
                # a second fragment of the same title (split by a gap)
                starts[-1]["text"] += b["text"]
                starts[-1]["lines"] += b["lines"]
                starts[-1]["bottom"] = b["bottom"]
            elif (band_of(b["top"]) > 0 or not crits) and page is not self.pages[-1] \
                    and not any(x["no"] is not None for x in blocks[bi + 1:]):
                # a new row at the foot of the page whose number and title go on overleaf
                orphan_title = (page.number, [g for l in b["lines"] for g in l.glyphs], b["text"])
            else:
                b["no"] = -1   # unnumbered title: resolved by matching words later
                starts.append(b)
        if self.pending_title is not None and starts:
            pn, gl, text = self.pending_title
            starts[0]["text"] = text + starts[0]["text"]
            starts[0]["pre_parts"] = [(pn, gl)]
        elif self.pending_title is not None and crits:
            pn, gl, text = self.pending_title
            crits[-1]["title"] += text
            crits[-1]["title_parts"].append((pn, gl))
        self.pending_title = orphan_title
        # boundaries between the criteria on this page
        ys = [top] + seps + [page.height + 1]
        owners: list[tuple[float, float, dict | None]] = []   # (y0, y1, crit) bands
        bands = [(a, b) for a, b in zip(ys, ys[1:]) if b - a > 0.5]
        new_crits = []
        for s in starts:
            c = {"no": s["no"], "title": s["text"],
                 "title_parts": s.get("pre_parts", []) + [(page.number, [g for l in s["lines"] for g in l.glyphs]
                                                            + s.get("num_glyphs", []))],
                 "text": [], "rating": [], "method": "layout", "page": page.number,
                 "top": s["top"], "bottom": s["bottom"], "split_by_gap": False}
            new_crits.append(c)
        first_band = True
        pending = self.pending or []
        self.pending = None
        # a title-less row from the previous page that goes on over this page without a title
        carry = bool(pending) and not new_crits
        for bi, (y0, y1) in enumerate(bands):
            inside = [c for c in new_crits if y0 <= (c["top"] + c["bottom"]) / 2 < y1]
            if not inside:
                has_text = any(y0 <= g.yc < y1 for g in text_g)
                later_text = any(g.yc >= y1 for g in text_g)
                below = [c for c in new_crits if (c["top"] + c["bottom"]) / 2 >= y1]
                if carry and has_text:
                    pending.append((page.number, y0, y1))
                    continue
                if has_text and not crits and below:
                    owners.append((y0, y1, below[0]))   # the first row, its title further down
                    continue
                if has_text and not later_text and (y0 != top or not crits):
                    # a row that starts at the foot of the page with its title on the next page
                    self.pending = [(page.number, y0, y1)]
                    continue
                owners.append((y0, y1, crits[-1] if crits else None))
                if has_text:
                    first_band = False
                continue
            # several criteria in one band (no rules): cut at the widest gap between them
            tl = sorted(make_lines([g for g in text_g if y0 <= g.yc < y1]), key=lambda l: l.top)
            cur = y0
            open_start = first_band and crits and y0 == top and not pending
            if open_start:
                # top of a continuation page without a rule: the previous row may go on here
                a = inside[0]
                end = y1
                if len(inside) > 1:
                    end = row_cut(tl, a, inside[1], y1 if len(inside) == 2 else None, a_open_start=True)
                cut = continuation_cut([l for l in tl if l.yc < end], (a["top"] + a["bottom"]) / 2)
                if cut is not None:
                    owners.append((y0, cut, crits[-1]))
                    cur = cut
            first_band = False
            for j, (a, b) in enumerate(zip(inside, inside[1:])):
                last = j + 2 == len(inside)
                cut = row_cut([l for l in tl if l.yc >= cur], a, b, y1 if last else None)
                owners.append((cur, cut, a))
                a["split_by_gap"] = b["split_by_gap"] = True
                cur = cut
            owners.append((cur, y1, inside[-1]))
        if pending and new_crits:
            # the orphan bands of the previous pages belong to the first title of this page
            self._assign_bands(pending, new_crits[0], cols)
        elif pending and carry:
            self.pending = pending
        elif pending and crits:
            self._assign_bands(pending, crits[-1], cols)
        crits.extend(new_crits)
        for g in text_g:
            for y0, y1, c in owners:
                if c is not None and y0 <= g.yc < y1:
                    c.setdefault("text_pages", {}).setdefault(page.number, []).append(g)
                    break
        for g in rate_g:
            for y0, y1, c in owners:
                if c is not None and y0 <= g.yc < y1:
                    c["rating"].append(g)
                    c["rating_page"] = page.number
                    break

    def _finish(self, crits: list[dict], cols: Columns) -> Sheet:
        f = self.fields
        has_rating = cols.rating is not None
        titles = [c["title"] for c in crits]
        tmpl, score = choose_template(titles, f.get("fiscal_year"), has_rating, self.templates)
        if tmpl is None or score < MIN_TEMPLATE_SCORE:
            raise UnknownTemplate(f"the criteria titles of the sheet on page {self.pages[0].number} "
                                  "match no rules file")
        sheet = Sheet(self.sheet_index, self.pages[0].number, self.pages[-1].number, tmpl.id if tmpl else "")
        sheet.template_obj = tmpl
        sheet.template_score = score
        out = []
        for c in crits:
            no, label = strip_number(c["title"], tmpl)
            if c["no"] not in (None, -1):
                no = c["no"]
            rule, sim = best_criterion(label, tmpl)
            method = "layout"
            if c["no"] == -1:
                method = "rules"
                no = rule.no if rule else None
            pages = c.get("text_pages", {})
            text_parts = []
            box = None
            for pn in sorted(pages):
                gl = pages[pn]
                t, _ = text_block(gl, cols.text[1] - 2 if cols.rating else max(g.x1 for g in gl))
                text_parts.append(t)
                if box is None:
                    box = self.box(next(p for p in self.pages if p.number == pn), gl)
            text = join_pages(text_parts)
            rating = values.normalize_rating(squashed(c["rating"])) if c["rating"] else None
            # word matching (method rules) or rows cut by centring and gaps without rules
            # are less certain than a number and ruling lines
            doubt = (0.85 if method == "rules" else 1.0) * (0.85 if c["split_by_gap"] else 1.0)
            conf = round(min(1.0, max(sim, 0.0)) * doubt, 3)
            out.append(Criterion(no, label, rule.canonical if rule and sim >= 0.5 else None,
                                 rating or None, text, box, method, conf))
            out[-1].sources = {
                "label": [(pn, gl) for pn, gl in c["title_parts"] if gl],
                "rating": [(c["rating_page"], c["rating"])] if c["rating"] else [],
                "text": sorted(pages.items()),
                "rule": tmpl.rule_ref(f"criteria[{tmpl.criteria.index(rule)}]") if rule else None}
        sheet.criteria = out
        sheet.fields = f
        return sheet
