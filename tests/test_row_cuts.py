"""row_cuts.py alone: cutting rows without ruling lines, by the centring of their titles."""
from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from extract.layout import Line
from extract.model import Glyph
from extract.row_cuts import (TitleSpan, continuation_cut, foot_row_start, line_gap, orphan_cut, overflow_end,
                              own_lines, padding_gaps, rest_cut, row_cut, row_rest)

H = 10.0       # glyph size
STEP = 12.0    # baseline to baseline


def lines_at(tops: list[float]) -> list[Line]:
    return [Line([Glyph("あ", "あ", 100, 110, t, t + H, H)]) for t in tops]


def title(lines: list[Line], n_title: int) -> TitleSpan:
    """A title of n lines centred on the given text lines, as Excel and Word print it."""
    c = (lines[0].top + lines[-1].bottom) / 2
    h = n_title * STEP - (STEP - H)
    return TitleSpan(c - h / 2, c + h / 2)


@settings(max_examples=200, deadline=None)
@given(n1=st.integers(2, 14), n2=st.integers(2, 14), t1=st.integers(1, 3), t2=st.integers(1, 3),
       pad=st.floats(0, 6))
def test_row_cut_finds_the_boundary_of_two_centred_rows(n1, n2, t1, t2, pad):
    tops = [i * STEP for i in range(n1)] + [n1 * STEP + pad + i * STEP for i in range(n2)]
    ls = lines_at(tops)
    a, b = title(ls[:n1], t1), title(ls[n1:], t2)
    cut = row_cut(ls, a, b, b_open_end=None)
    assert ls[n1 - 1].bottom <= cut <= ls[n1].top


@settings(max_examples=200, deadline=None)
@given(rest=st.integers(1, 6), n=st.integers(2, 12), t=st.integers(1, 3), pad=st.floats(2, 8))
def test_continuation_cut_splits_off_the_previous_rows_rest(rest, n, t, pad):
    """Lines of the previous row at the top of a page, then a row centred on its title."""
    tops = [i * STEP for i in range(rest)] + [rest * STEP + pad + i * STEP for i in range(n)]
    ls = lines_at(tops)
    a = title(ls[rest:], t)
    cut = continuation_cut(ls, (a.top + a.bottom) / 2)
    assert cut is not None and ls[rest - 1].bottom <= cut <= ls[rest].top


def test_continuation_cut_leaves_a_centred_row_whole():
    ls = lines_at([i * STEP for i in range(7)])
    a = title(ls, 2)
    assert continuation_cut(ls, (a.top + a.bottom) / 2) is None


@settings(max_examples=200, deadline=None)
@given(rest=st.integers(0, 6), n=st.integers(2, 12), nxt=st.integers(1, 6), t=st.integers(1, 3),
       pad=st.floats(2, 8))
def test_own_lines_splits_off_both_neighbours_on_a_page_without_rules(rest, n, nxt, t, pad):
    """The previous row's rest at the top of a page, a row centred on its title, and the
    beginning of the next row at the foot (its title overleaf): the middle row keeps its
    own lines only. (Where the rest above and the beginning below are as tall as each other,
    the whole band is centred on the title too, and no cut is made: nothing tells them apart.)
    A title taller than its text reaches past it on both sides: the rows around begin past
    the title (rows do not overlap)."""
    assume(rest != nxt)
    past = max(0, t - n) * STEP / 2       # how far the title reaches past its text
    tops = [i * STEP for i in range(rest)]
    y = rest * STEP + (pad + past if rest else 0)
    own = [y + i * STEP for i in range(n)]
    y = own[-1] + STEP + pad + past
    tops += own + [y + i * STEP for i in range(nxt)]
    ls = lines_at(tops)
    mine = ls[rest:rest + n]
    tt = title(mine, t)
    top_cut, foot_cut = own_lines(ls, (tt.top, tt.bottom), open_top=True, open_bottom=True)
    if rest:
        assert ls[rest - 1].bottom <= top_cut <= ls[rest].top
    else:
        assert top_cut is None
    assert ls[rest + n - 1].bottom <= foot_cut <= ls[rest + n].top


def test_own_lines_keeps_a_row_whole_without_a_wider_gap():
    ls = lines_at([i * STEP for i in range(10)])
    assert own_lines(ls, (ls[2].top, ls[2].bottom), open_top=True, open_bottom=True) == (None, None)


def test_own_lines_counts_a_title_taller_than_its_text():
    """A five-line title centred on its row, its three-line text set at the row's top, then
    the next row's first two lines at the page foot (its title overleaf): the row ends below
    the title, not below the text. Centring the lines alone on the title kept the foot lines
    (reportlab sweep 85, style 59: criterion 3's first line read into criterion 2)."""
    own = [i * STEP for i in range(3)]
    foot = [7 * STEP + 9, 8 * STEP + 9]
    ls = lines_at(own + foot)
    title = (own[0], own[0] + 4 * STEP + ls[0].bottom - ls[0].top)
    top_cut, foot_cut = own_lines(ls, title, open_top=False, open_bottom=True)
    assert top_cut is None and ls[2].bottom <= foot_cut <= ls[3].top


def test_a_line_just_past_the_border_that_keeps_the_pitch_is_the_row_above():
    # Writer at a page foot: the row's last line drawn 0.75 pt below its bottom border
    ls = lines_at([0, STEP, 2 * STEP, 3 * STEP])
    border = 3 * STEP - 0.75
    assert overflow_end(ls, border, others=[]) == ls[3].bottom
    # a title beginning beside it makes it the next row's first line
    assert overflow_end(ls, border, others=[3 * STEP + H / 2]) == border


def test_a_next_row_line_off_the_pitch_stays_below_the_border():
    # tight cells (reportlab in the corpus): the next row's line box overlaps the border,
    # but a border and padding put its baseline 0.5 pt off the pitch
    ls = lines_at([0, STEP, 2 * STEP, 3 * STEP + 0.5])
    border = 3 * STEP + 1.45
    assert overflow_end(ls, border, others=[]) == border
    # nor does a line a cell padding below the border move, with more text below it
    ls = lines_at([0, STEP, 2 * STEP, 3 * STEP, 4 * STEP])
    assert overflow_end(ls, 3 * STEP - 6, others=[]) == 3 * STEP - 6


@pytest.mark.parametrize("below,moves", [(0.38 * H, True), (0.53 * H, True), (0.9 * H, False)])
def test_the_pages_last_line_past_the_border_at_the_pitch_is_the_row_above(below, moves):
    # Writer, rows kept whole: a row's last line 0.38 em below the border it closes the row
    # with at the page foot (0.53 em printed again by Ghostscript), nothing below it there
    ls = lines_at([0, STEP, 2 * STEP, 3 * STEP])
    border = 3 * STEP - below
    assert overflow_end(ls, border, others=[]) == (ls[3].bottom if moves else border)
    # off the pitch, it is the next row's
    ls = lines_at([0, STEP, 2 * STEP, 3 * STEP + 1.0])
    assert overflow_end(ls, 3 * STEP + 1.0 - below, others=[]) == 3 * STEP + 1.0 - below


def test_the_pitch_is_kept_by_tops_or_by_bottoms():
    # the last line in another font (a Ghostscript reprint): its box 0.34 pt shorter at the
    # top, its bottom at the pitch
    ls = lines_at([0, STEP, 2 * STEP]) + [Line([Glyph("あ", "あ", 100, 110, 3 * STEP + 0.34, 3 * STEP + H, H)])]
    border = 3 * STEP - 0.5
    assert overflow_end(ls, border, others=[]) == ls[3].bottom
    ls[3] = Line([Glyph("あ", "あ", 100, 110, 3 * STEP + 0.34, 3 * STEP + H + 0.34, H)])
    assert overflow_end(ls, border, others=[]) == border


def test_row_cut_keeps_a_top_aligned_line_above_a_centred_title_in_its_row():
    # one text line beginning above its four-line centred title, a wide gap, the next row
    ls = lines_at([0, 62, 62 + STEP, 62 + 2 * STEP])
    a, b = TitleSpan(5.5, 5.5 + 4 * STEP - 2), TitleSpan(73, 73 + 3 * STEP)
    cut = row_cut(ls, a, b, b_open_end=None)
    assert ls[0].bottom <= cut <= ls[1].top


def test_padding_gaps_are_the_gaps_a_cell_padding_wider():
    ls = lines_at([0, STEP, 2 * STEP, 3 * STEP + 9, 4 * STEP + 9])
    assert padding_gaps(ls) == [(ls[2].bottom + ls[3].top) / 2]
    assert padding_gaps(lines_at([i * STEP for i in range(6)])) == []


def test_foot_row_start_is_the_one_padding_gap_below_the_titles():
    # the rest of a row (its title tail at the top), a padding gap, the next row's first lines
    ls = lines_at([i * STEP for i in range(8)] + [8 * STEP + 9, 9 * STEP + 9])
    gap = (ls[7].bottom + ls[8].top) / 2
    assert foot_row_start(ls, titles_bottom=H) == gap
    # a title glyph below the gap: the gap is not where the row ends
    assert foot_row_start(ls, titles_bottom=ls[8].bottom) is None
    # several gaps (paragraph spacing): nothing tells the row's end
    ls = lines_at([0, STEP, 2 * STEP + 9, 3 * STEP + 9, 4 * STEP + 18, 5 * STEP + 18])
    assert foot_row_start(ls, titles_bottom=0) is None


def test_continuation_cut_of_two_lines_measures_the_gap_by_the_page():
    # one line of the previous row, the padding, one line of a row beside its taller title
    ls = lines_at([0, STEP + 9])
    t = TitleSpan(ls[1].top, ls[1].top + 3 * STEP - (STEP - H))
    centre = (t.top + t.bottom) / 2
    assert continuation_cut(ls, centre) is None       # alone, the one gap is the usual one
    page = lines_at([0, STEP + 9] + [3 * STEP + 18 + i * STEP for i in range(4)])
    cut = continuation_cut(ls, centre, line_gap(page))
    assert cut is not None and ls[0].bottom <= cut <= ls[1].top


def test_row_rest_is_what_the_title_centred_over_the_whole_row_leaves_for_the_next_page():
    # 10 lines on the first page, a one-line title centred over 13 lines: 3 lines go on
    text = lines_at([100 + i * STEP for i in range(10)])
    tt = lines_at([100 + 6 * STEP])
    assert abs(row_rest([(text, tt)]) - 3 * STEP) < 0.01
    # a title centred over its lines on the page: nothing goes on
    assert row_rest([(text, lines_at([100 + 4.5 * STEP]))]) == 0.0
    # a title reaching below the text (taller than it): no evidence
    assert row_rest([(text[:1], lines_at([100, 100 + STEP, 100 + 2 * STEP]))]) == 0.0
    # split over two pages so far, the title on the first: 4 + 10 lines, centred over 16
    first = lines_at([600 + i * STEP for i in range(4)])
    assert abs(row_rest([(first, lines_at([600 + 7.5 * STEP])), (text, [])]) - 2 * STEP) < 0.01


def test_rest_cut_is_at_the_gap_the_rest_ends_at():
    # 2 lines of rest, a row of 8 lines, 2 lines of the next row: centring alone cannot tell
    ls = lines_at([0, STEP] + [2 * STEP + 9 + i * STEP for i in range(8)] + [10 * STEP + 18, 11 * STEP + 18])
    centre = (ls[2].top + ls[9].bottom) / 2
    assert own_lines(ls, (centre - 1, centre + 1), open_top=True, open_bottom=True) == (None, None)
    cut = rest_cut(ls, row_rest([(lines_at([i * STEP for i in range(10)]), lines_at([5.5 * STEP]))]), centre)
    assert cut is not None and ls[1].bottom <= cut <= ls[2].top
    assert rest_cut(ls, 0.0, centre) is None
    assert rest_cut(ls, 5 * STEP, centre) is None       # no gap where the rest would end


def test_a_rest_shorter_than_a_line_is_no_line():
    """Calc, rows kept whole: the previous row's title sits 4.7 pt below its text's middle on
    the page before, which row_rest reads as a 9 pt rest; the next row's one-line text at the
    top of this page, beside its tall title, is its own (libreoffice sweep 84, style 22: that
    line read into the row before)."""
    ls = lines_at([0] + [STEP + 40 + i * STEP for i in range(6)])
    centre = ls[3].yc
    assert rest_cut(ls, 0.6 * STEP, centre) is None
    cut = rest_cut(ls, STEP, centre)           # a whole line's rest: cut after the first line
    assert cut is not None and ls[0].bottom <= cut <= ls[1].top


def test_row_cut_gives_a_line_beside_the_next_title_to_the_next_row():
    # a's text all on the page before: its title tail, then b's lines beside b's title
    ls = lines_at([60 + i * STEP for i in range(6)])
    a, b = TitleSpan(0, 3 * STEP - 2), TitleSpan(60, 60 + 6 * STEP - 2)
    cut = row_cut(ls, a, b, b_open_end=None)
    assert a.bottom <= cut <= ls[0].top


def test_orphan_cut_is_the_gap_above_the_lines_beside_the_next_title():
    # a row of one line (its title taller), the padding, two lines beside the next title
    ls = lines_at([0, STEP + 30, 2 * STEP + 30])
    assert orphan_cut(ls, title_top=STEP + 30 + H / 2) == (ls[0].bottom + ls[1].top) / 2
    # the title below all the lines: the last wider gap
    ls = lines_at([0, STEP, 2 * STEP + 9, 3 * STEP + 9])
    assert orphan_cut(ls, title_top=4 * STEP + 9) == (ls[1].bottom + ls[2].top) / 2
    assert orphan_cut(lines_at([0, STEP, 2 * STEP]), title_top=3 * STEP) is None
