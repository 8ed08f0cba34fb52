"""Typed values from evaluation-sheet cells: fiscal years, yen, ratings, names."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from .normalize import normalize_text, squash

__all__ = [
    "ERAS",
    "era_to_year",
    "parse_fiscal_year",
    "parse_era_year",
    "parse_yen",
    "unit_from_label",
    "normalize_rating",
    "split_bureau_division",
    "acronym",
]

# ---------------------------------------------------------------------------
# Japanese eras

ERAS: dict[str, int] = {
    "明治": 1868,
    "大正": 1912,
    "昭和": 1926,
    "平成": 1989,
    "令和": 2019,
}

_ERA_ALT = "|".join(ERAS)
_ERA_YEAR_RE = re.compile(rf"({_ERA_ALT})\s*(元|[0-9]{{1,2}})\s*年(\s*度)?")


def era_to_year(era: str, n: int | str) -> int:
    """Western year of year `n` of `era` (元 = 1); n may be "5", "５", "元" or "2年".

    Raises ValueError for an unknown era or a year below 1.
    """
    era = squash(era)
    if era not in ERAS:
        raise ValueError(f"unknown era: {era!r}")
    if isinstance(n, str):
        t = squash(n).removesuffix("年度").removesuffix("年")
        if t == "元":
            n = 1
        elif t.isascii() and t.isdigit():
            n = int(t)
        else:
            raise ValueError(f"not an era year number: {n!r}")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"not an era year number: {n!r}")
    return ERAS[era] + n - 1


def _parse_era(s: str, need_do: bool) -> tuple[int, str] | None:
    for m in _ERA_YEAR_RE.finditer(normalize_text(s)):
        if need_do and m.group(3) is None:
            continue
        era, num = m.group(1), m.group(2)
        if num != "元" and int(num) < 1:
            continue
        label = f"{era}{num}年" + ("度" if m.group(3) is not None else "")
        return era_to_year(era, num), label
    return None


def parse_fiscal_year(s: str) -> tuple[int, str] | None:
    """First era fiscal year (平成28年度, 令和元年度, 令和 ５ 年度) in `s`.

    Returns (western year, label) with the label normalised (NFKC, no spaces),
    e.g. (2016, "平成28年度"); None if there is none. Needs 年度.
    """
    return _parse_era(s, need_do=True)


def parse_era_year(s: str) -> tuple[int, str] | None:
    """Like parse_fiscal_year but also accepts a plain year (令和2年)."""
    return _parse_era(s, need_do=False)


# ---------------------------------------------------------------------------
# Yen amounts

_NUM = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?"
_MULT = {"兆": 10**12, "億": 10**8, "万": 10**4, "千万": 10**7, "百万": 10**6, "千": 10**3, "百": 100, "": 1}
_YEN_RE = re.compile(
    rf"(?P<sign>[-−‐‑–—▲△])?"
    rf"(?:(?P<cho>{_NUM})兆)?"
    rf"(?:(?P<oku>{_NUM})億)?"
    rf"(?:(?P<man>{_NUM})万)?"
    rf"(?:(?P<last>{_NUM})(?P<lunit>千万|百万|千|百)?)?"
    rf"(?P<yen>円)?"
)


def parse_yen(s: str, unit: int | None = None) -> int | None:
    """Budget text to integer yen, or None if it does not parse.

    Accepts 14,065千円, １４，０６５千円, 1億2,000万円, 1,874百万円, 82,400円,
    ▲/△/- for negatives. A bare number ("1,874") needs `unit` (its multiplier,
    e.g. 1000 from a 予算額（千円） label) and is never guessed; a unit printed
    in the value wins over `unit`. Exact decimal arithmetic: 1.5億円 is fine,
    a non-integral result is None.
    """
    if not isinstance(s, str):
        return None
    t = squash(s)
    m = _YEN_RE.fullmatch(t)
    if not m or not any(m.group(g) for g in ("cho", "oku", "man", "last")):
        return None
    has_kanji_unit = bool(m.group("cho") or m.group("oku") or m.group("man") or m.group("lunit"))
    if not m.group("yen"):
        # A bare number: only with a unit from the label.
        if has_kanji_unit or unit is None:
            return None
        base = Decimal(unit)
    else:
        base = Decimal(1)
    try:
        total = Decimal(0)
        for g, mult in (("cho", 10**12), ("oku", 10**8), ("man", 10**4)):
            if m.group(g):
                total += Decimal(m.group(g).replace(",", "")) * mult
        if m.group("last"):
            total += Decimal(m.group("last").replace(",", "")) * _MULT[m.group("lunit") or ""]
    except InvalidOperation:  # pragma: no cover - regex guarantees digits
        return None
    total *= base
    if total != total.to_integral_value():
        return None
    value = int(total)
    return -value if m.group("sign") else value


_UNIT_RE = re.compile(r"(?:単位[:：]?)?(兆|億|千万|百万|万|千|百)?円")


def unit_from_label(label: str) -> int | None:
    """Multiplier of the unit printed in a label: 予算額（千円） -> 1000.

    Looks at bracketed parts, last first ("単位：百万円" inside too), then at a bare
    "単位:..円"; None when no yen unit is printed.
    """
    t = squash(label)
    for inner in reversed(re.findall(r"[(\[]([^()\[\]]*)[)\]]", t)):
        m = _UNIT_RE.fullmatch(inner)
        if m:
            return _MULT[m.group(1) or ""]
    m = re.search(r"単位:?(兆|億|千万|百万|万|千|百)?円", t)
    if m:
        return _MULT[m.group(1) or ""]
    return None


# ---------------------------------------------------------------------------
# Ratings

_MINUS_RE = re.compile(r"(?<=[A-Za-z])[-－−ー‐‑–—ｰ]")
_PLUS_RE = re.compile(r"[＋﹢+]")


def normalize_rating(s: str) -> str:
    """Rating as ASCII (Ａ－ -> A-), case kept as printed; "" for empty.

    Case is kept because one generation prints per-criterion ratings in lower
    case (s/a/b/c/d) and the overall one in upper case.
    """
    if not s:
        return ""
    t = "".join(unicodedata.normalize("NFKC", s).split())
    t = _MINUS_RE.sub("-", t)
    return _PLUS_RE.sub("+", t)


# ---------------------------------------------------------------------------
# Bureau / division

_BUREAU_ENDS = ("局", "部", "官房", "組織")
_BUREAU_END_RE = re.compile("|".join(_BUREAU_ENDS))
_DIVISION_END = ("課", "室", "班", "センター")


def split_bureau_division(s: str) -> tuple[str | None, str | None]:
    """Split a 担当課・室名 value into (bureau, division).

    Spaced ("国際協力局　緊急・人道支援課"): split after the leading run of tokens
    ending in 局/部/官房/組織 (at least the first token). Unspaced: the bureau runs
    to the last 局/部/官房/組織 whose remainder ends in 課/室/班/センター, so
    中東アフリカ局アフリカ部アフリカ第一課 gives bureau 中東アフリカ局アフリカ部.
    Otherwise (s, None). Characters are kept as printed (no NFKC).
    """
    if s is None:
        return None, None
    t = s.strip()
    if not t:
        return None, None
    gaps = list(re.finditer(r"\s+", t))
    if gaps:
        # Spaced: split after the leading run of bureau-like tokens (at least one).
        cut = gaps[0]
        for g in gaps[1:]:
            if not (t[: cut.start()].endswith(_BUREAU_ENDS) and t[: g.start()].endswith(_BUREAU_ENDS)):
                break
            cut = g
        return t[: cut.start()], t[cut.end():]
    for m in reversed(list(_BUREAU_END_RE.finditer(t))):
        rest = t[m.end():]
        if rest and rest.endswith(_DIVISION_END):
            return t[: m.end()], rest
    return t, None


# ---------------------------------------------------------------------------
# Acronyms

# (IOM), or an upper-case acronym that opens a bracket followed by Japanese: (CTBTO準備委員会)
_ACRONYM_RE = re.compile(r"\(([A-Za-z][A-Za-z0-9&\-./]*)\)"
                         r"|\(([A-Z][A-Z0-9&\-./]*[A-Z0-9])[\u3040-\u30ff\u3400-\u9fff][^()]*\)")


def acronym(name: str) -> str | None:
    """Latin acronym in the last bracket of an organisation name: 国際移住機関（ＩＯＭ） -> IOM,
    包括的核実験禁止条約機関（ＣＴＢＴＯ準備委員会） -> CTBTO."""
    if not name:
        return None
    # an acronym holds no spaces: one there is a line wrap inside the bracket (UNHC / R)
    flat = re.sub(r"[(（][^)）]*[)）]", lambda m: re.sub(r"\s+", "", m.group(0)),
                  unicodedata.normalize("NFKC", name))
    found = [a or b for a, b in _ACRONYM_RE.findall(flat)]
    return found[-1] if found else None
