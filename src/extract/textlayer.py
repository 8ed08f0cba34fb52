"""Whether a file's text layer can be read at all (no text, (cid:NN) codes, symbols instead
of Japanese), from counts of its pages' characters, so a split file's ranges can report
counts and the main process decide (split.py); and whether one value holds characters the
text layer gives no Unicode for (`unmapped`), which leave that value empty."""
from __future__ import annotations

import re
from typing import NamedTuple

from .model import Page, Problem

# A character the text layer does not map to Unicode: pdfminer's and our pdfium reader's
# (cid:NN) for a code without a ToUnicode entry, U+FFFD for one mapped to nothing usable.
_UNMAPPED = re.compile(r"\(cid:\d+\)|\ufffd")

# Share of (cid:NN)/U+FFFD glyphs above which a page's text layer is taken as garbled.
GARBLED_SHARE = 0.05
# Share of U+0080..LATIN_LAST characters (Latin-1 Supplement, Latin Extended-A and -B) above
# which a file's text layer is taken as garbled (the samples, the corpus, the review dev set
# and the fixtures hold at most 0.07%; Ghostscript's reprint of a Chromium sheet 11-16%).
LATIN_LAST = 0x24F
LATIN_SHARE = 0.05
# Per ASCII code: a symbol (not a letter, digit or blank) for text_counts.
_ASCII_SYMBOL = tuple(not chr(i).isalnum() and not chr(i).isspace() for i in range(0x80))


def text_layer_problem(glyphs: int, garbled: int, images: int, pages: int,
                       counts: TextCounts) -> Problem | None:
    """The problem of a file whose pages hold these counts (`counts`: text_counts of the
    whole file), if its text layer has one: none, (cid:NN) codes, or random symbols."""
    if not pages:
        return Problem("error", "unreadable_pdf", "No page of the PDF could be read; the file may "
                       "be damaged, so download it again.")
    if glyphs == 0:
        if images:
            return Problem("error", "no_text_layer", "The pages are images without a text layer "
                           "(a scan); run OCR on the file before extracting.")
        return Problem("error", "no_text_layer", "The PDF has no text at all; if its pages are "
                       "drawn as outlines or images, run OCR on it before extracting.")
    if garbled / max(glyphs, 1) > GARBLED_SHARE:
        return Problem("error", "garbled_text", "The fonts have no usable ToUnicode map, so the text "
                       "reads as (cid:NN) codes; the file needs OCR or a re-export with embedded text.")
    return symbols_problem(counts)


class TextCounts(NamedTuple):
    """Counts of a text's characters (text_counts); a tuple, summed field by field over the
    ranges of a split file."""
    chars: int
    cjk: int            # U+3000 and up: Japanese, full-width forms
    ascii_symbols: int
    latin: int          # U+0080-U+024F: accented letters and Latin-1 signs


def text_counts(pages: list[Page]) -> TextCounts:
    """Characters, CJK characters, ASCII symbols and Latin-1/Latin Extended characters of the
    pages' text (counted as code points in numpy: every file is counted, a tenth of a
    millisecond per page instead of a third; the definition is _ASCII_SYMBOL's)."""
    import numpy as np      # here: the batch's main process sums counts, it never makes them
    text = "".join([g.text for p in pages for g in p.glyphs])
    u = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    ascii_chars = u[u < 0x80]
    return TextCounts(len(u), int(np.count_nonzero(u >= 0x3000)),
                      int(np.count_nonzero(np.asarray(_ASCII_SYMBOL)[ascii_chars])),
                      int(np.count_nonzero((u >= 0x80) & (u <= LATIN_LAST))))


def total(counts) -> TextCounts:
    """The sum of TextCounts (of a file's page ranges), field by field."""
    return TextCounts(*(sum(c) for c in zip(*counts))) if counts else TextCounts(0, 0, 0, 0)


def looks_garbled(counts: TextCounts) -> bool:
    """Wrong characters rather than (cid:NN): hardly any Japanese, mostly ASCII symbols; or
    Japanese strewn with accented Latin letters and Latin-1 signs (»ÿĀ for kana: a PDF
    printer's broken ToUnicode map), which no Japanese sheet holds in such numbers."""
    if counts.chars < 50:
        return False
    n = counts.chars
    return (counts.cjk / n < 0.2 and counts.ascii_symbols / n > 0.25) or counts.latin / n > LATIN_SHARE


def symbols_problem(counts: TextCounts) -> Problem | None:
    """The problem of a text layer that reads as random symbols (looks_garbled), if it does:
    the file yields no sheet, as one whose text is (cid:NN) codes (text_layer_problem), for
    the kanji such a layer keeps can still make a sheet's labels, and its values would be
    the symbols."""
    if not looks_garbled(counts):
        return None
    return Problem("error", "garbled_text", "The text layer reads as random symbols "
                   "(fonts without a usable ToUnicode map); the file needs OCR or a "
                   "re-export with embedded text.")


def no_sheet_problem(counts: TextCounts) -> Problem:
    """The problem of a file in which no sheet begins, from its text_counts."""
    return symbols_problem(counts) or Problem(
        "error", "unknown_template", "No page of this PDF looks like an evaluation sheet (no "
        "分担金・拠出金の名称 / 達成状況 labels); if it is a new template, add a rules file.")


def unmapped(value: object) -> int:
    """How many characters of a value the text layer gives no Unicode for (0 for a non-text)."""
    return len(_UNMAPPED.findall(value)) if isinstance(value, str) else 0


def unmapped_problem(field: str, value: str, sheet_index: int | None) -> Problem:
    """The warning for a value left empty because the text layer does not say what some of its
    printed characters are (a page can show them, the file cannot tell them: never guess)."""
    shown = value if len(value) <= 40 else value[:40] + "…"
    return Problem("warning", "unmapped_text", f"{unmapped(value)} character(s) of {field} "
                   f"({shown!r}) have no Unicode in the PDF's text layer (a font without a usable "
                   f"ToUnicode map), so the value is left empty; read it on the page.",
                   field, sheet_index)
