"""Generic table kinds of the cell families, configured by a rules file's [tables.*]:

  grid       year-column headers × row labels, one value per cell, a unit printed once
             in the table's label cell (予算額・執行額（単位：百万円）)
  indicator  named indicators, each a pair of rows (actual / target) × year columns, with a
             last column that is a target year (its year in the row or in the header)
  checklist  group / item / rating / note rows under rating and note column headers
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from . import cell_parsers as P
from .cell_rules import CellTable
from .cells import SLACK, Cell, inside
from .normalize import squash
from .textlayer import unmapped

# A piece of a group name shorter than this is not taken for the group.
MIN_PIECE = 2
# A rating that says "not applicable": written as null (the scorer treats them alike).
NULL_RATINGS = ("－", "-")
# A year column header: 平成27年度, 27年度, 元年度, 令和4年度要求.
_YEAR_HEAD = re.compile(r"^(明治|大正|昭和|平成|令和)?(元|\d{1,2})年度?(要求)?$")


@dataclass
class TableRead:
    rows: list[dict] = field(default_factory=list)
    sources: list[tuple[str, object, Cell]] = field(default_factory=list)   # (path, value, cell)
    missing: list[str] = field(default_factory=list)                         # what was not found
    unmapped: list[tuple[str, str]] = field(default_factory=list)   # (path, text) of numbers the
    #                                         text layer cannot tell all characters of (left empty)


def _number(parse, c: "Cell | None", path: str, out: TableRead):
    """A value cell's number; None for no cell, and for a cell with characters without
    Unicode (a digit may be the one we cannot read), which is noted in `out.unmapped`."""
    if c is None:
        return None
    if unmapped(c.text):
        out.unmapped.append((path, c.text))
        return None
    return parse(c.text)


def find_label(cells: list[Cell], word: str) -> Cell | None:
    """The first cell that reads `word`, alone or followed by a bracketed note; one inside
    the grid before one outside it (a merged label cell cut by a page break has its text
    drawn on both pages by LibreOffice Calc, on one of them past the grid, unseen)."""
    outside = None
    for c in cells:
        k = c.key
        if k.startswith(word) and (len(k) == len(word) or k[len(word)] in "(（"):
            if c.boxed:
                return c
            outside = outside or c
    return outside


def at(cells: list[Cell], x: float, row: Cell) -> Cell | None:
    """The cell at x on the middle line of `row` (on row's page)."""
    for c in cells:
        if (c.page == row.page and c.x0 - SLACK <= x <= c.x1 + SLACK
                and c.top - SLACK <= row.yc <= c.bottom + SLACK):
            return c
    return None


def column_cell(cells: list[Cell], head: Cell | None, row: Cell | None, heads: list[Cell]) -> Cell | None:
    """The cell under column header `head` on the line of `row`. A cell spanning other
    columns too (a grid whose column rules are not drawn, an empty neighbour) gives only
    its glyphs within the header's width."""
    if head is None or row is None:
        return None
    c = at(cells, head.xc, row)
    if c is None or c is head:
        return None
    if sum(1 for h in heads if c.x0 <= h.xc <= c.x1) <= 1:
        return c
    mine = [g for g in c.glyphs if head.x0 <= g.xc <= head.x1]
    return Cell(c.page, head.x0, c.top, head.x1, c.bottom, mine, ruled=False) if mine else None


def year_columns(region: list[Cell], ref: int | None, anchor: Cell,
                 finals: tuple[str, ...] = ()) -> list[tuple[int, Cell]]:
    """Year headers of the table's header row: the last row of them above the middle of
    the table's label (the label's own box may run into the table above). Years printed
    under a header holding one of `finals` (目標最終年度) are values, not headers."""
    last = [c for c in region if any(w and w in c.key for w in finals)]
    heads = [c for c in region if _YEAR_HEAD.match(c.key) and (c.page, c.top) <= (anchor.page, anchor.yc)
             and not any(c.x0 < f.x1 - SLACK and c.x1 > f.x0 + SLACK and f.top < c.top for f in last)]
    rows: dict[tuple[int, int], list[Cell]] = {}
    for c in heads:
        rows.setdefault((c.page, round(c.top)), []).append(c)
    if not rows:
        return []
    best = rows[max(rows)]
    out = [(P.era_year(c.key, ref), c) for c in sorted(best, key=lambda c: c.x0)]
    return [(y, c) for y, c in out if y is not None]


def read_grid(t: CellTable, cells: list[Cell], ref: int | None) -> TableRead:
    out = TableRead()
    anchor = find_label(cells, t.word("anchor"))
    if anchor is None:
        out.missing.append(t.name)
        return out
    region = inside(cells, anchor)
    unit = P.unit_of(anchor.text, t.spec.get("unit"))
    cols = year_columns(region, ref, anchor)
    region = below_header(region, cols)
    parse = P.number if t.spec["value"] == "percent" else (lambda s: P.amount(s, unit or 1))
    vcol, kcol = t.spec["value_column"], t.spec.get("column")
    for line, word in zip(t.spec["rows"], t.words("rows")):
        lab = next((c for c in region if c.key == word), None)
        if lab is None:
            out.missing.append(f"{t.name}.{line}")
            continue
        heads = [h for _, h in cols]
        for fy, head in cols:
            c = column_cell(region, head, lab, heads)
            v = _number(parse, c, f"{t.name}[{fy},{line}]", out)
            row = {"fiscal_year": fy, vcol: v}
            if kcol:
                row[kcol] = line
            out.rows.append(row)
            if c is not None and v is not None:
                out.sources.append((f"{t.name}[{fy},{line}]", v, c))
    return out


@dataclass
class _IndicatorCols:
    years: list[tuple[int, Cell]]
    final: Cell | None
    unit: Cell | None
    name: Cell | None
    heads: list[Cell] = field(default_factory=list)     # the whole header row


def below_header(region: list[Cell], cols: list[tuple[int, Cell]]) -> list[Cell]:
    """The cells of the table from its header row down."""
    if not cols:
        return region
    h = cols[0][1]
    return [c for c in region if (c.page, c.yc) >= (h.page, h.top)]


def _indicator_cols(t: CellTable, region: list[Cell], ref: int | None, anchor: Cell) -> _IndicatorCols:
    final_words = (t.word("final_year_in_row"), t.word("final_year_in_header"))
    years = year_columns(region, ref, anchor, final_words)
    top = min((c.top for _, c in years), default=None)
    heads = [c for c in region if top is not None and abs(c.top - top) <= 2 * SLACK]
    final = next((c for c in heads if any(w in c.key for w in final_words)), None)
    unit = next((c for c in heads if c.key == t.word("unit_header")), None)
    name = next((c for c in heads if c.key in t.words("name_headers")), None)
    return _IndicatorCols(years, final, unit, name, heads)


def _final_value(t: CellTable, cols: _IndicatorCols, actual: Cell | None, target: Cell | None,
                 ref: int | None) -> tuple[int | None, float | None]:
    """(year, target) of the last column."""
    if cols.final is None:
        return None, None
    if t.word("final_year_in_row") in cols.final.key:
        return P.era_year(actual.key if actual else None, ref), P.number(target.text if target else None)
    return P.era_year(cols.final.key, ref), P.number(actual.text if actual else None)


def _indicator(t: CellTable, kind: str, region: list[Cell], cols: _IndicatorCols, name: Cell,
               rows: dict[str, Cell], ref: int | None, out: TableRead) -> None:
    unit_cell = at(region, cols.unit.xc, next(iter(rows.values()))) if cols.unit else None
    shown = column_cell(region, cols.name, name, cols.heads) or name   # not the goal beside it
    base = {"kind": kind, "name": shown.text, "unit": P.text(unit_cell.text) if unit_cell else None}
    act, tgt = rows.get("actual"), rows.get("target")

    heads = [h for _, h in cols.years] + ([cols.final] if cols.final else [])

    def cell(head: Cell | None, row: Cell | None) -> Cell | None:
        return column_cell(region, head, row, heads)

    for fy, head in cols.years:
        a, g = cell(head, act), cell(head, tgt)
        target = _number(P.number, g, f"{t.name}[{kind},{fy}].target", out)
        out.rows.append({**base, "fiscal_year": fy, "target": target,
                         "actual": _number(P.number, a, f"{t.name}[{kind},{fy}].actual", out)})
    fy, target = _final_value(t, cols, cell(cols.final, act), cell(cols.final, tgt), ref)
    if fy is not None:
        out.rows.append({**base, "fiscal_year": fy, "target": target, "actual": None})
    out.sources.append((f"{t.name}[{kind}].name", shown.text, shown))


def read_indicator(t: CellTable, cells: list[Cell], ref: int | None) -> TableRead:
    out = TableRead()
    actual, target = set(t.words("actual_rows")), set(t.words("target_rows"))
    for kind, word in t.spec["anchors"].items():
        anchor = find_label(cells, squash(word))
        if anchor is None:
            out.missing.append(f"{t.name}.{kind}")
            continue
        region = inside(cells, anchor)
        cols = _indicator_cols(t, region, ref, anchor)
        region = below_header(region, cols.years)
        if cols.name is None:
            out.missing.append(f"{t.name}.{kind}")
            continue
        groups: dict[int, tuple[Cell, dict[str, Cell]]] = {}
        for c in sorted(region, key=lambda c: (c.page, c.top)):
            role = "actual" if c.key in actual else "target" if c.key in target else None
            name = at(region, cols.name.xc, c) if role else None
            if role and name is None and groups:    # a name cell cut by a page break: its row
                last, rows = list(groups.values())[-1]  # overleaf has no name beside it
                name = last if c.page == last.page + 1 and role not in rows else None
            if name is not None and name is not cols.name:
                groups.setdefault(id(name), (name, {}))[1].setdefault(role, c)
        for name, rows in groups.values():
            _indicator(t, kind, region, cols, name, rows, ref, out)
    return out


@dataclass
class _Checklist:
    rating: Cell            # the rating column's header
    note: Cell              # the note column's header
    groups: list[Cell]
    items: list[Cell]
    item_x: float = 0.0     # where the items' lines begin (the item column's left)


def group_name(names: list[str], key: str) -> str | None:
    """The group a group cell reads: its name, or a piece of it cut by a page break (the
    start or end of exactly one name, at least MIN_PIECE characters)."""
    if key in names:
        return key
    if len(key) < MIN_PIECE:
        return None
    hits = [n for n in names if n.startswith(key) or n.endswith(key)]
    return hits[0] if len(hits) == 1 else None


def _group_cells(t: CellTable, left: list[Cell]) -> list[Cell]:
    """The cells naming a group: as the rules list them, else the leftmost column."""
    names = t.words("groups")
    if names:
        return [c for c in left if group_name(names, c.key)]
    x_group = min((c.x0 for c in left), default=0.0)
    return [c for c in left if abs(c.x0 - x_group) <= SLACK]


def _checklist_cells(t: CellTable, region: list[Cell], anchor: Cell) -> _Checklist | None:
    """Headers, group cells (the leftmost column) and item cells below the header row,
    on the anchor's page and the continuation on the next page."""
    rh = max((c for c in region if c.key == t.word("rating_header")
              and (c.page, c.top) < (anchor.page, anchor.yc)), key=lambda c: (c.page, c.top), default=None)
    nh = next((c for c in region if c.key == t.word("note_header")), None)
    if rh is None or nh is None:
        return None
    left = [c for c in region if (c.page, c.top) >= (rh.page, rh.bottom - SLACK) and c.x0 < rh.x0 - SLACK]
    groups = _group_cells(t, left)
    marks = set(t.words("ratings"))
    items = [c for c in left if c not in groups and c.key not in marks] or groups
    x = _item_x(items)      # a cell that ends before the items' column is none (the pieces of
    items = [c for c in items if c.x1 > x + SLACK] or items     # a group's text a printer kept)
    return _Checklist(rh, nh, groups, sorted(items, key=lambda c: (c.page, c.top)), x)


def _item_x(items: list[Cell]) -> float:
    """Where the items' column begins: where most items begin; of a tie, the rightmost (an
    item with its group's text read into it begins in the group column, left of it)."""
    starts = Counter(round(min(g.x0 for g in c.glyphs)) for c in items)
    if not starts:
        return 0.0
    most = max(starts.values())
    return max(x for x, n in starts.items() if n == most) - SLACK


def _on_line(c: Cell, item: Cell) -> bool:
    return c.page == item.page and c.top - SLACK <= item.yc <= c.bottom + SLACK


def _rating_and_note(t: CellTable, cl: _Checklist, region: list[Cell], item: Cell
                     ) -> tuple[str | None, str | None]:
    """A mark on the item's line nearest the rating header, and the next other cell."""
    line = _line_after(cl, region, item)
    marks = set(t.words("ratings"))
    r = _mark(t, cl, line)
    after = r.x1 if r is not None else cl.rating.x1
    n = min((c for c in line if c.key not in marks and c.x0 >= after - SLACK), key=lambda c: c.x0, default=None)
    rating = r.key if r is not None and r.key not in NULL_RATINGS else None
    return rating, (P.text(n.text) if n is not None and n is not cl.note else None)


def _line_after(cl: _Checklist, region: list[Cell], item: Cell) -> list[Cell]:
    """The cells on the item's line right of it (not its group's)."""
    return [c for c in region if _on_line(c, item) and c.x0 >= item.x1 - SLACK and c not in cl.groups]


def _mark(t: CellTable, cl: _Checklist, line: list[Cell]) -> Cell | None:
    """The rating mark of a line: a cell reading a mark, the nearest the rating header."""
    marks = set(t.words("ratings"))
    return min((c for c in line if c.key in marks), key=lambda c: abs(c.xc - cl.rating.xc), default=None)


def _group_text(t: CellTable, g: Cell) -> str:
    names = t.words("groups")
    return (group_name(names, g.key) or g.text) if names else g.text


def _check_row(t: CellTable, cl: _Checklist, region: list[Cell], item: Cell) -> dict:
    """An item with its group (the group cell beside it), rating and note."""
    g = next((c for c in cl.groups if _on_line(c, item)), None)
    group, text = (_group_text(t, g) if g is not None and g is not item else None), item.text
    if group is None:                   # a group cell read into its item's (no rule between)
        group, text = _group_inside(t, cl, item)
    rating, note = _rating_and_note(t, cl, region, item)
    return {"group": group, "item": text, "rating": rating, "note": note}


def _group_inside(t: CellTable, cl: _Checklist, item: Cell) -> tuple[str | None, str]:
    """(group, item text) of an item cell holding its group's text too: the glyphs left of
    the item column, or the text's start, when they read a group the rules name."""
    names = t.words("groups")
    head = [g for g in item.glyphs if g.x1 <= cl.item_x]
    name = group_name(names, squash("".join(g.text for g in head))) if head else None
    if name:
        rest = [g for g in item.glyphs if g.x1 > cl.item_x]
        return name, Cell(item.page, item.x0, item.top, item.x1, item.bottom, rest).text
    lead = next((w for w in names if item.key.startswith(w) and item.key != w), None)
    return (lead, _after(item.text, lead)) if lead else (None, item.text)


def _after(text: str, prefix: str) -> str:
    """text without its first characters that read `prefix` (spacing ignored)."""
    for i in range(len(text) + 1):
        if squash(text[:i]) == prefix:
            return text[i:]
    return text


def _group_across_break(t: CellTable, cl: _Checklist, cells: list[Cell], item: Cell, before: str | None,
                        after: list[tuple[Cell, dict]]) -> str | None:
    """An item without a group beside it: at the foot of the table's first page, the group
    of the first item on the next page (its group cell, or the group read inside its item
    cell where no rule parts them), else the group that the top of the next page's group
    column names (the cut group cell's part there, inside the grid or not); on a
    continuation page, `before`, the group of the item before."""
    if item.page == cl.rating.page:
        first = next((row["group"] for it, row in after if it.page == item.page + 1), None)
        if first is not None:
            return first
        return _group_at_top(t, cl, cells, item.page + 1)
    return before


def _group_at_top(t: CellTable, cl: _Checklist, cells: list[Cell], page: int) -> str | None:
    """The group named by a cell of the group column (left of the items) at the top of the
    grid on `page` or above it."""
    here = [c for c in cells if c.page == page]
    top = min((c.top for c in here if c.boxed), default=0.0)
    left = min((g.x0 for g in cl.groups), default=cl.item_x) - SLACK
    column = [c for c in here if c.x0 >= left and c.x1 <= cl.item_x + SLACK and c.top <= top + SLACK]
    names = [_group_text(t, c) for c in sorted(column, key=lambda c: c.top)
             if group_name(t.words("groups"), c.key) or not t.words("groups")]
    return names[0] if names else None


def read_checklist(t: CellTable, cells: list[Cell], ref: int | None) -> TableRead:
    out = TableRead()
    anchor = find_label(cells, t.word("anchor"))
    region = inside(cells, anchor) if anchor is not None else []
    cl = _checklist_cells(t, region, anchor) if anchor is not None else None
    if cl is None or (cl.items and not any(_mark(t, cl, _line_after(cl, region, it)) for it in cl.items)):
        out.missing.append(t.name)      # not there, or no mark stands apart: its columns are not told apart
        return out
    for it in cl.items:
        out.rows.append(_check_row(t, cl, region, it))
        out.sources.append((f"{t.name}[{len(out.rows) - 1}].item", it.text, it))
    read = list(zip(cl.items, out.rows))
    for k, (it, row) in enumerate(read):
        if row["group"] is None:    # the text of its group cell is across a page break
            before = out.rows[k - 1]["group"] if k else None
            row["group"] = _group_across_break(t, cl, cells, it, before, read[k + 1:])
            if row["group"] is None:
                out.missing.append(f"{t.name}[{k}].group")
    return out


KINDS = {"grid": read_grid, "indicator": read_indicator, "checklist": read_checklist}


def read_table(t: CellTable, cells: list[Cell], ref: int | None) -> TableRead:
    return KINDS[t.kind](t, cells, ref)
