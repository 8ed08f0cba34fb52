"""The geometry stages one by one, on small PDFs drawn here with reportlab: the line and
word index, anchors, header cells, columns, criteria rows, page furniture, text assembly and
the provenance boxes. Each test reads the drawn PDF back through pdfplumber (extract.pdf)."""
from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest
from hypothesis import given, strategies as st
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from extract import extract_pdf, load_rules
from extract.anchors import clip, find_anchors, sheet_starts
from extract.columns import ContinuationTops, continuation_top, find_columns
from extract.furniture import strip_furniture
from extract.header import read_header
from extract.layout import Index, make_lines
from extract.model import Glyph
from extract.pdf import iter_pages, open_pdf
from extract.provenance import field_rows
from extract.text import join_pages, line_text, squashed, text_block
from extract_testkit.render import FONTS, render_sheets
from extract_testkit.specs import SPECS

FONT = FONTS["min"]
W, H = A4
SIZE = 10.0


def draw(path: Path, pages: list[list[tuple]]) -> Path:
    """Each page a list of ("text", x, top, string[, size]) and ("line", x0, top0, x1, top1),
    y measured from the page top as pdfplumber does."""
    c = canvas.Canvas(str(path), pagesize=A4)
    for ops in pages:
        for op in ops:
            if op[0] == "text":
                _, x, top, s, *rest = op
                size = rest[0] if rest else SIZE
                c.setFont(FONT, size)
                c.drawString(x, H - top - size * 0.88, s)
            else:
                _, x0, t0, x1, t1 = op
                c.setLineWidth(0.5)
                c.line(x0, H - t0, x1, H - t1)
        c.showPage()
    c.save()
    return path


def read(path: Path):
    with open_pdf(path) as pdf:
        return list(iter_pages(pdf))


@pytest.fixture(scope="module")
def templates():
    from extract.rules import evaluation_templates
    return evaluation_templates(load_rules())


def _text(hit) -> str:
    return "".join(g.text for g in hit)


# ------------------------------------------------------------------ lines and the word index

def test_lines_cluster_by_baseline_and_read_left_to_right(tmp_path):
    (p,) = read(draw(tmp_path / "l.pdf", [[("text", 200, 100, "右側"), ("text", 60, 101, "左側"),
                                           ("text", 60, 130, "次の行")]]))
    lines = make_lines(p.glyphs)
    assert [ln.text for ln in lines] == ["左側右側", "次の行"]
    assert lines[0].top < lines[1].top


def test_index_finds_a_spaced_word_at_a_cell_start_only(tmp_path):
    (p,) = read(draw(tmp_path / "w.pdf", [[("text", 60, 100, "予　算　額"),
                                           ("text", 60, 140, "当初予算額"),
                                           ("text", 60, 180, "総合"), ("text", 60, 192, "評価")]]))
    idx = Index(p.glyphs, p.rulings)
    starts = idx.find("予算額")
    assert [round(h[0].top / 10) for h in starts] == [10]          # spacing ignored
    anywhere = idx.find("予算額", cell_start=False)
    assert sorted(round(h[0].top / 10) for h in anywhere) == [10, 14]   # inside a cell too
    wrapped = idx.find("総合評価")                                   # wraps to the line below
    assert len(wrapped) == 1 and _text(wrapped[0]) == "総合評価"


def test_a_ruling_line_starts_a_cell(tmp_path):
    (p,) = read(draw(tmp_path / "r.pdf", [[("text", 60, 100, "名称"), ("text", 80.5, 100, "予算額"),
                                           ("line", 80.2, 95, 80.2, 115)]]))
    idx = Index(p.glyphs, p.rulings)
    assert len(idx.find("予算額")) == 1       # no gap, but a vertical ruling before it
    (q,) = read(draw(tmp_path / "n.pdf", [[("text", 60, 100, "名称"), ("text", 80.5, 100, "予算額")]]))
    assert Index(q.glyphs, q.rulings).find("予算額") == []



@pytest.mark.parametrize("third_x,found", [(60, 1), (60 + 5.5 * SIZE, 0)])
def test_a_distributed_label_wraps_back_to_its_first_lines_start(tmp_path, third_x, found):
    """担　当　課 / ・　室 / 名 in a narrow cell (LibreOffice Calc, 24 mm): the second line set in
    by an ideographic space, the third back at the cell's left edge, where the first began;
    not a third line under nothing of the label's."""
    ops = [("text", 60, 100, "担"), ("text", 60 + 2 * SIZE, 100, "当"), ("text", 60 + 4 * SIZE, 100, "課"),
           ("text", 60 + SIZE, 112, "・"), ("text", 60 + 3 * SIZE, 112, "室"),
           ("text", 140, 112, "総合外交政策局"), ("text", third_x, 124, "名")]
    (p,) = read(draw(tmp_path / "d.pdf", [ops]))
    hits = Index(p.glyphs, p.rulings).find("担当課・室名")
    assert len(hits) == found and all(_text(h) == "担当課・室名" for h in hits)


@pytest.mark.parametrize("rule_ends_in_gap,found", [(True, 1), (False, 0)])
def test_a_column_edge_of_horizontal_rules_starts_a_cell(tmp_path, rule_ends_in_gap, found):
    """Half a character's gap is a cell's start where the horizontal rules above and below
    the line end there (a grid drawn without vertical rules), not elsewhere."""
    end = 86.0 if rule_ends_in_gap else 120.0
    ops = [("text", 66, 100, "名称"), ("text", 86 + 0.6 * SIZE, 100, "総合"),
           ("line", 40, 95, end, 95), ("line", 40, 115, end, 115)]
    (p,) = read(draw(tmp_path / "e.pdf", [ops]))
    assert len(Index(p.glyphs, p.rulings).find("総合")) == found

# ------------------------------------------------------------------ anchors

def header_page(top: float = 60.0) -> list[tuple]:
    """A minimal sheet head: the label column, values right of it, the table header row."""
    rows = [("分担金・拠出金の名称", "国連テスト拠出金　令和5年度"), ("予算額", "12,345千円"),
            ("拠出先の国際機関名", "国連テスト機関（UNT）"), ("担当課・室名", "国際協力局テスト課")]
    ops: list[tuple] = [("text", 60, top, "国際機関の概要"), ("text", 60, top + 16, "・テスト機関は試験を行う。")]
    y = top + 40
    for label, value in rows:
        ops += [("line", 50, y - 4, 540, y - 4), ("text", 60, y, label), ("text", 170, y, value)]
        y += 24
    ops += [("text", 400, top + 40, "総合評価"), ("text", 480, top + 40, "A")]
    ops += [("line", 50, y - 4, 540, y - 4), ("line", 165, top + 36, 165, y - 4),
            ("text", 60, y + 4, "評価基準"), ("text", 250, y + 4, "達成状況"), ("text", 500, y + 4, "評価"),
            ("line", 50, y + 20, 540, y + 20)]
    return ops


def test_anchors_find_the_label_column_and_the_table_header(tmp_path, templates):
    (p,) = read(draw(tmp_path / "a.pdf", [header_page()]))
    a = find_anchors(p, Index(p.glyphs, p.rulings), templates)
    assert a is not None
    assert _text(a.text_header) == "達成状況" and _text(a.crit_header) == "評価基準"
    assert _text(a.rating_header) == "評価"
    (budget,) = a.labels["budget_jpy"]
    assert abs(budget[0].top - 124) < 3 and _text(budget) == "予算額"
    assert len(a.labels["overall_rating"]) == 1 and len(a.labels["overview"]) == 1


def test_no_anchors_without_a_table_header(tmp_path, templates):
    ops = [op for op in header_page() if not (op[0] == "text" and op[3] in ("達成状況",))]
    (p,) = read(draw(tmp_path / "b.pdf", [ops]))
    assert find_anchors(p, Index(p.glyphs, p.rulings), templates) is None


def test_two_sheets_on_one_page_start_at_their_labels(tmp_path, templates):
    (p,) = read(draw(tmp_path / "c.pdf", [header_page(60) + header_page(420)]))
    ys = sheet_starts(p, Index(p.glyphs, p.rulings), templates)
    assert len(ys) == 2 and ys[0] == 0.0 and 400 < ys[1] < 420
    lower = clip(p, ys[1], None)
    assert all(g.yc >= ys[1] for g in lower.glyphs) and lower.number == p.number


@pytest.mark.parametrize("x,text,rest", [
    (170, "ている。", True),         # a criterion's last line, in the text column: the sheet before's
    (480, "公表用", False),          # a stamp at the top right: read with the sheet below
    (60, "別紙", False),             # a mark in the label column's margin: likewise
])
def test_a_short_rest_above_a_sheet_is_kept_where_it_is_text(tmp_path, templates, x, text, rest):
    (p,) = read(draw(tmp_path / "r.pdf", [[("text", x, 40, text)] + header_page(200)]))
    ys = sheet_starts(p, Index(p.glyphs, p.rulings), templates)
    assert len(ys) == 1 and (180 < ys[0] < 200 if rest else ys[0] == 0.0)


# ------------------------------------------------------------------ header cells and columns

def test_header_cells_hold_each_labels_value(tmp_path, templates):
    (p,) = read(draw(tmp_path / "h.pdf", [header_page()]))
    idx = Index(p.glyphs, p.rulings)
    a = find_anchors(p, idx, templates)
    cells = read_header(p, idx, a)
    got = {name: "".join(_text(c.glyphs) for c in cs) for name, cs in cells.cells.items()}
    assert got["budget_jpy"] == "12,345千円"
    assert got["organization_name"] == "国連テスト機関(UNT)"
    assert got["overall_rating"] == "A"
    assert got["overview"].startswith("・テスト機関")
    assert 160 < cells.value_x < 170                # the vertical ruling between the columns


def test_columns_split_title_text_and_rating(tmp_path, templates):
    ops = header_page() + [("text", 60, 230, "１．活動の成果"), ("text", 250, 230, "成果が上がった。"),
                           ("text", 505, 230, "a"), ("line", 240, 196, 240, 260), ("line", 495, 196, 495, 260)]
    (p,) = read(draw(tmp_path / "k.pdf", [ops]))
    idx = Index(p.glyphs, p.rulings)
    a = find_anchors(p, idx, templates)
    cols = find_columns([p], idx, a, ContinuationTops(templates), read_header(p, idx, a).value_x)
    assert cols.title[0] <= 60 < cols.title[1] <= cols.text[0] <= 250 < cols.text[1]
    assert cols.rating is not None and 480 < cols.rating <= 505


def test_continuation_top_is_below_a_repeated_header_row(tmp_path, templates):
    rep = [("text", 60, 40, "評価基準"), ("text", 250, 40, "達成状況"), ("text", 500, 40, "評価"),
           ("text", 250, 70, "続きの文。")]
    (p, q) = read(draw(tmp_path / "t.pdf", [rep, [("text", 250, 70, "達成状況を見る。")]]))
    assert 50 <= continuation_top(p, templates) < 70
    assert continuation_top(q, templates) == 0.0   # 達成状況 alone is a word of the text


# ------------------------------------------------------------------ furniture

def test_running_header_and_page_numbers_are_removed_labels_kept(tmp_path):
    # no ruled table here: a repeated line is furniture only when a blank line sets it apart
    pages = [[("text", 60, 20, "公表用資料"), ("text", 60, 60, "予算額"), ("text", 60, 300, f"本文{i}ページ"),
              ("text", 290, 810, f"- {i} -")] for i in (1, 2, 3)]
    got = strip_furniture(read(draw(tmp_path / "f.pdf", pages)), {"予算額"})
    for i, p in enumerate(got, 1):
        texts = [ln.text for ln in make_lines(p.glyphs)]
        assert texts == ["予算額", f"本文{i}ページ"], texts


# ------------------------------------------------------------------ text assembly

def test_text_block_joins_wrapped_lines_and_keeps_paragraphs(tmp_path):
    (p,) = read(draw(tmp_path / "x.pdf", [[("text", 60, 100, "・一つ目の段落は長く、"),
                                           ("text", 60, 112, "次の行に続く。"),
                                           ("text", 60, 124, "・二つ目の段落。")]]))
    text, lines = text_block(p.glyphs, right_edge=60 + 11 * SIZE)
    assert len(lines) == 3
    assert text == "・一つ目の段落は長く、次の行に続く。\n・二つ目の段落。"


def test_line_text_spaces_latin_words_not_japanese(tmp_path):
    (p,) = read(draw(tmp_path / "s.pdf", [[("text", 60, 100, "UN"), ("text", 60 + 16 + 3, 100, "Women"),
                                           ("text", 200, 100, "日本")]]))
    (ln,) = make_lines(p.glyphs)
    assert line_text(ln.glyphs).startswith("UN Women")


@given(st.floats(60, 700), st.floats(-0.3, 0.3), st.integers(0, 5))
def test_squashed_reads_a_line_left_to_right_whatever_its_glyphs_boxes(y, shift, at):
    """平成29年度 reprinted by Ghostscript: the 9 of another font, its box 1 pt higher; the
    glyphs of one baseline read left to right, wherever their centres fall."""
    text = "平成29年度"
    glyphs = [Glyph(ch, ch, 60 + 10 * i, 70 + 10 * i, y + (shift * SIZE if i == at else 0.0),
                    y + SIZE + (shift * SIZE if i == at else 0.0), SIZE) for i, ch in enumerate(text)]
    assert squashed(glyphs[::-1]) == text
    below = [Glyph(ch, ch, 60 + 10 * i, 70 + 10 * i, y + 1.2 * SIZE, y + 2.2 * SIZE, SIZE) for i, ch in enumerate("以降")]
    assert squashed(below + glyphs) == text + "以降"


def test_join_pages_rejoins_a_sentence_cut_by_the_page_break():
    assert join_pages(["・成果は", "上がった。\n・次。"]) == "・成果は上がった。\n・次。"
    assert join_pages(["・終わり。", "・次の段落。"]) == "・終わり。\n・次の段落。"


# ------------------------------------------------------------------ provenance boxes

def test_provenance_boxes_surround_the_printed_values(tmp_path):
    spec = next(s for s in SPECS.values() if s["generation"] == "r4")
    pdf = tmp_path / "sheet.pdf"
    render_sheets([spec], pdf)
    r = extract_pdf(pdf)
    (sheet,) = r.sheets
    rows = {row["field"]: row for row in field_rows(sheet)}
    with pdfplumber.open(pdf) as doc:
        chars = doc.pages[0].chars
    for name in ("budget_label", "overall_rating", "organization_name"):
        row = rows[name]
        inside = [c for c in chars if row["x0"] - 0.01 <= c["x0"] and c["x1"] <= row["x1"] + 0.01
                  and row["top"] - 0.01 <= c["top"] and c["bottom"] <= row["bottom"] + 0.01]
        assert inside, name
        # the box is tight: its edges are those of the glyphs inside it
        assert min(c["x0"] for c in inside) == pytest.approx(row["x0"], abs=0.01), name
        assert max(c["bottom"] for c in inside) == pytest.approx(row["bottom"], abs=0.01), name
        assert row["raw_text"].replace(" ", "") in "".join(c["text"] for c in inside) or name == "overall_rating"
    assert rows["budget_label"]["rule"] == "r4.toml:fields.budget_jpy"
    assert rows["fiscal_year"]["rule"] == "r4.toml:fields.contribution_name"
