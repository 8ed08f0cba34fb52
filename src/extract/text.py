"""Text from glyphs: lines with word spaces, paragraphs, cells continued over pages."""
from __future__ import annotations

from operator import attrgetter

from .layout import Line, lines_of, paragraphs
from .model import Glyph
from .normalize import is_paragraph_start, join_lines, normalize_text, squash

_BY_X = attrgetter("x0")


def line_text(glyphs: list[Glyph]) -> str:
    """Glyphs of one line to raw text, with a space where the gap is a word space.

    Works on the raw characters so that full-width forms still say "Japanese" when
    lines are joined; the paragraph is normalized afterwards."""
    return _spaced(sorted(glyphs, key=_BY_X))


def _spaced(glyphs: list[Glyph]) -> str:
    """line_text of glyphs already left to right (a Line's)."""
    if not glyphs:
        return ""
    out = [glyphs[0].raw]
    for prev, g in zip(glyphs, glyphs[1:]):
        gap = g.x0 - prev.x1
        if gap >= 0.6 * g.size or (gap >= 0.18 * g.size and prev.raw[-1:].isascii() and g.raw[:1].isascii()):
            out.append(" ")
        out.append(g.raw)
    return "".join(out)


def line_raw(ln: Line) -> str:
    """line_text of a line, kept on the line: the lines of a text cell are shared
    (layout.lines_of), and its text is read for the value and again for the fields table."""
    if ln.raw is None:
        ln.raw = _spaced(ln.glyphs)     # a line's glyphs are sorted left to right
    return ln.raw


def text_block(glyphs: list[Glyph], right_edge: float | None = None) -> tuple[str, list[Line]]:
    """Glyphs of a region to normalized paragraphs joined by newlines."""
    lines = lines_of(glyphs)
    if not lines:
        return "", []
    edge = right_edge if right_edge is not None else max(ln.x1 for ln in lines)
    paras = paragraphs(lines, edge, is_paragraph_start)
    text = "\n".join(normalize_text(join_lines([line_raw(ln) for ln in p])) for p in paras)
    return text, lines


def join_pages(parts: list[str]) -> str:
    """Texts of one cell on successive pages: a paragraph cut by the page break is rejoined."""
    out = ""
    for t in parts:
        if not t:
            continue
        if out and not is_paragraph_start(t) and out.rstrip()[-1:] not in "。.!?」』":
            first, _, rest = t.partition("\n")
            last_nl = out.rfind("\n")
            out = out[:last_nl + 1] + join_lines([out[last_nl + 1:], first]) + ("\n" + rest if rest else "")
        else:
            out = f"{out}\n{t}" if out else t
    return out


def squashed(glyphs: list[Glyph]) -> str:
    """The glyphs' text, line after line (by baseline, as lines_of groups them), without
    spaces. Not rows of half a size: a glyph of another font with a box 1 pt higher (平成2|9年度
    reprinted by Ghostscript) fell into the row above and read first."""
    return squash("".join(ln.text for ln in lines_of(glyphs)))
