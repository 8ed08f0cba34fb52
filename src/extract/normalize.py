"""Text normalisation for text pulled out of MOFA evaluation-sheet PDFs.

Pure functions, standard library only.
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache
from importlib import resources

__all__ = [
    "fold_radicals",
    "radical_map",
    "normalize_text",
    "squash",
    "label_key",
    "dedupe_chars",
    "join_lines",
    "is_paragraph_start",
]

# ---------------------------------------------------------------------------
# Radicals


@lru_cache(maxsize=1)
def radical_map() -> dict[int, str]:
    """Radical code point -> unified ideograph, from the packaged TSV.

    The TSV is generated from Unicode data by tools/gen_radicals.py so that no
    system package is needed at run time.
    """
    text = resources.files("extract").joinpath("data/radicals.tsv").read_text(encoding="utf-8")
    table: dict[int, str] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        src, dst = line.split("\t")[:2]
        table[int(src.removeprefix("U+"), 16)] = dst
    table.update(JAPANESE_FORMS)
    return table


# Radicals whose glyph in Japanese fonts is another ideograph than Unicode's equivalent:
# a font that draws 戸 and ⼾ with one glyph gives the radical in its ToUnicode map, and
# Unicode (like NFKC) folds ⼾ to the traditional 戶, which a Japanese sheet never printed.
JAPANESE_FORMS = {0x2F3E: "戸", 0x2FAD: "青"}


def fold_radicals(s: str) -> str:
    """Replace radical code points with their ordinary ideographs.

    PDFs made from some fonts (notably IPA/Office fonts via Word) map glyphs such
    as 金 or 長 to Kangxi radicals (⾦ U+2FA6) in the text layer; they look the
    same but do not compare equal.
    """
    return s.translate(radical_map()) if _radicals().search(s) else s


@lru_cache(maxsize=1)
def _radicals() -> re.Pattern:
    """Any code point radical_map replaces: most texts hold none, and a search is much
    cheaper than str.translate through a dict."""
    return re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(radical_map())) + "]")


# ---------------------------------------------------------------------------
# NFKC with exceptions

# ①..⑳, ㉑..㉟, ㊱..㊿: NFKC would turn them into plain digits and lose the
# "step number" meaning (①計画段階 ②実施段階 ... in PDCA lists).
_CIRCLED = "\u2460-\u2473\u3251-\u325f\u32b1-\u32bf"
_CIRCLED_RE = re.compile(f"([{_CIRCLED}])")
# All Cc except \t and \n (\r is turned into \n first).
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def normalize_text(s: str) -> str:
    """fold_radicals + NFKC + drop control characters.

    ‧ (U+2027) is read as ・, ∕ (U+2215) as / and the wave dash as NFKC reads the full-width
    tilde (see HYPHENATION_POINT, DIVISION_SLASH, WAVE_DASH).
    Deliberate exception: circled numbers ①..⑳ and ㉑..㊿ are kept as printed,
    because NFKC would make "①計画段階" into "1計画段階" and break the
    numbering of PDCA step lists. CR and CRLF become "\\n"; "\\n" and "\\t" are
    kept, every other control character is removed.
    """
    s = fold_radicals(s)
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    parts = _CIRCLED_RE.split(s)
    # split() with one group: odd indices are the protected circled numbers.
    s = unicodedata.normalize("NFKC", s) if len(parts) == 1 else \
        "".join(p if i % 2 else unicodedata.normalize("NFKC", p) for i, p in enumerate(parts))
    return _CONTROL_RE.sub("", s).translate(_SHARED_GLYPHS)


# U+301C WAVE DASH and U+FF5E FULLWIDTH TILDE are one glyph in Japanese fonts; which code
# point a text layer carries depends on the producer (JIS or Windows mapping), not on what
# was typed. NFKC makes U+FF5E an ASCII "~"; the wave dash comes out the same.
WAVE_DASH = "\u301c"
# U+2027 HYPHENATION POINT (a Western dictionary's syllable dot, never in a Japanese sheet)
# and U+30FB KATAKANA MIDDLE DOT are one glyph in CJK fonts (Noto CJK): a text layer whose
# ToUnicode map gives the glyph's lowest code point, without Chromium's /ActualText (its
# sheets printed again by a PDF printer: cairo, Ghostscript), reads ・ as ‧. Read as ・.
HYPHENATION_POINT = "\u2027"
# U+2215 DIVISION SLASH is the solidus's glyph in the same fonts: cairo's reprints give 1∕2 for
# 1/2 (補助率1/2). Read as "/".
DIVISION_SLASH = "\u2215"
_SHARED_GLYPHS = str.maketrans({WAVE_DASH: "~", HYPHENATION_POINT: "\u30fb", DIVISION_SLASH: "/"})


# Whitespace by str.isspace plus zero-width characters that PDFs sometimes emit.
_WS_RE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")


@lru_cache(maxsize=16384)
def squash(s: str) -> str:
    """normalize_text, then remove all whitespace.

    For matching labels printed with distributed spacing (予　算　額 -> 予算額).
    Memoized: the same titles and labels are squashed for every sheet.
    """
    out = _WS_RE.sub("", normalize_text(s))
    # Removing a space can let NFKC compose across it ("A´" -> "A \u0301" -> "Á");
    # repeat to a fixed point so that squash is idempotent.
    for _ in range(4):
        again = _WS_RE.sub("", normalize_text(out))
        if again == out:
            break
        out = again
    return out


# Middle dots and dashes that producers write for one another: a font with one glyph for
# ・ and ‧ (or ー and ‐) gives the lowest code point in its ToUnicode map. Labels and titles
# are to be compared with these folded; values keep the characters the page gives.
_DOTS = "\u30fb\u2027\u00b7\uff65\u2022\u2219\u22c5"          # ・ ‧ · ･ • ∙ ⋅
_DASHES_FOLDED = "\u30fc\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d\uff70-\u2500"
_LABEL_FOLD = str.maketrans({**{c: "\u30fb" for c in _DOTS}, **{c: "\u30fc" for c in _DASHES_FOLDED}})


def label_key(s: str) -> str:
    """squash, then every middle dot variant as ・ and every dash variant as ー: the form
    in which labels and criterion titles are compared (never a value)."""
    return squash(s).translate(_LABEL_FOLD)


# ---------------------------------------------------------------------------
# Fake-bold duplicates


def dedupe_chars(chars: list[dict], tol: float = 1.0) -> list[dict]:
    """Drop glyphs printed again (fake bold) within `tol` of an earlier kept one.

    A char is dropped when a char with the same ``text`` and ``upright`` was kept
    before it and |dx0| <= tol and |dtop| <= tol (``doctop`` is used when present,
    so chars from several pages do not collide). The first occurrence in input order
    is kept; input order is preserved. Expected O(n) via a grid keyed on
    (text, floor(x0/tol), floor(top/tol)).

    Differences from ``pdfplumber.utils.dedupe_chars`` (same result on ordinary
    fake bold, where the copies lie within `tol` of the first glyph): pdfplumber
    clusters transitively (a chain of glyphs each within `tol` of the next
    collapses to one even if its ends are farther apart) and keeps the top-left
    glyph of a cluster rather than the first printed; its final re-sort by
    ``list.index`` is quadratic.
    """
    keys = [(c.get("upright", True), c["text"]) for c in chars]
    xs = [float(c["x0"]) for c in chars]
    ys = [float(c["doctop"] if "doctop" in c else c["top"]) for c in chars]
    return [chars[i] for i in dedupe_indices(keys, xs, ys, tol)]


def dedupe_indices(keys: list, xs: list[float], ys: list[float], tol: float = 1.0) -> list[int]:
    """`dedupe_chars` on columns: the indexes (ascending) of the characters kept, a
    character being its key (upright, text) and its position (x0, top or doctop)."""
    if tol <= 0:
        seen: set[tuple] = set()
        out = []
        for i, k in enumerate(zip(keys, xs, ys)):
            if k not in seen:
                seen.add(k)
                out.append(i)
        return out

    # Cells of twice the tolerance: a glyph within `tol` of a point lies in the point's
    # cell or in the neighbour on the side of the nearer edge, so 4 look-ups, not 9.
    cell = 2.0 * tol
    grid: dict[tuple, list[tuple[float, float]]] = {}
    out = []
    floor = math.floor
    for i, (key, x, y) in enumerate(zip(keys, xs, ys)):
        fx, fy = x / cell, y / cell
        ix, iy = floor(fx), floor(fy)
        jx = ix - 1 if fx - ix < 0.5 else ix + 1
        jy = iy - 1 if fy - iy < 0.5 else iy + 1
        dup = False
        for cx, cy in ((ix, iy), (jx, iy), (ix, jy), (jx, jy)):
            pts = grid.get((key, cx, cy))
            if pts:
                for kx, ky in pts:
                    if abs(kx - x) <= tol and abs(ky - y) <= tol:
                        dup = True
                        break
                if dup:
                    break
        if not dup:
            grid.setdefault((key, ix, iy), []).append((x, y))
            out.append(i)
    return out


# ---------------------------------------------------------------------------
# Lines and paragraphs

_SPACE_AFTER_PUNCT = set(",.;:)!?%'\"")


def _is_latin_alnum(ch: str) -> bool:
    if ch.isascii():
        return ch.isalnum()
    # Latin-1 / Latin Extended letters (é, ü...), but not full-width Ａ, which is
    # typeset inside Japanese text without spaces.
    return ch.isalpha() and unicodedata.name(ch, "").startswith("LATIN")


def join_lines(lines: list[str]) -> str:
    """Join the wrapped lines of one paragraph.

    Japanese wraps anywhere without a space, English wraps at spaces: a space is
    put back only between Latin text on both sides. A line ending in "-" is joined
    without a space (the hyphen is kept). Lines are stripped; blank ones skipped.
    """
    out = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if out:
            prev, nxt = out[-1], line[0]
            if (
                prev != "-"
                and (_is_latin_alnum(prev) or prev in _SPACE_AFTER_PUNCT)
                and _is_latin_alnum(nxt)
            ):
                out += " "
        out += line
    return out


_BULLETS = "・･●○◎◆◇■□▪※➢✓"
_DASHES = "-‐‑–—−"
_PARA_RE = re.compile(
    "|".join(
        [
            f"[{_BULLETS}]",  # bullets (text may follow on the next line)
            f"[{_CIRCLED}]",  # ①
            "-(?![0-9])",  # "- item", not "-5%"
            "【",  # 【外交政策目標】
            r"\([0-9]{1,2}\)\s*\S",  # (1)text  (after NFKC: （１） too)
            f"\\([0-9]{{1,2}}[{_DASHES}][0-9]{{1,2}}\\)",  # (1-4)
            r"[0-9]{1,2}\)\s*[^\s)）。、,，.．]",  # 1)text, not "4))。" closing a bracket
            r"[0-9]{1,2}[.、]\s*[^\s0-9]",  # 1.text / 1、text, not 1.5 or 2016年
            r"\((?:[A-Za-z]|[ivx]{1,4})\)\s*\S",  # (a) (B) (iv)
            r"[a-z]\)\s*\S",  # a)
            r"\([ァ-ヶ]\)\s*\S",  # (ア)
            r"[ァ-ヶ][.)]\s*\S",  # ア. / ア)
        ]
    )
)


def is_paragraph_start(line: str) -> bool:
    """True if a line opens a new paragraph with a bullet, number or heading.

    Numbered forms must be followed by text, so "2016年..." or "1.5億円" at a
    line start are not paragraph starts. Full-width forms are matched via NFKC.
    """
    s = normalize_text(line).strip()
    return bool(_PARA_RE.match(s))
