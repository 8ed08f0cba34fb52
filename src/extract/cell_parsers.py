"""Parsers of the cell families: a cell's printed text to a typed value, or None.
Never a guess: text that does not fit gives None (and the caller a problem row)."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .values import ERAS

# Printed for "nothing here": a null, never 0.
NULL_MARKS = {"", "-", "－", "―", "‐", "—", "–", "−", "ー"}
NEGATIVE_MARKS = "▲△"
UNITS = {"百万円": 10**6, "千円": 10**3, "円": 1, "億円": 10**8}
# Checkbox marks: the option after a checked mark is chosen.
CHECKED, UNCHECKED = "■☑", "□☐"
_ERA_YEAR = re.compile(rf"^({'|'.join(ERAS)})?(元|\d{{1,2}})年度?")
# An era-less year is taken in the era that puts it nearest the reference year.
# A printed number: digits grouped by commas in threes, or not grouped at all.
_NUMBER = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
# Beyond this a "number" is several cells read as one (a grid without vertical rules).
MAX_DIGITS = 15
INT64_LIMIT = 2**63


def is_null(s: str | None) -> bool:
    return s is None or s.strip() in NULL_MARKS


def text(s: str | None) -> str | None:
    return None if is_null(s) else s.strip()


def era_year(s: str | None, ref: int | None = None) -> int | None:
    """平成29年度 → 2017, 元年度 / 29年度 in the era nearest `ref`, 平成32年度 → 2020."""
    if is_null(s):
        return None
    m = _ERA_YEAR.match(s.replace(" ", ""))
    if not m:
        return None
    n = 1 if m.group(2) == "元" else int(m.group(2))
    if m.group(1):
        return ERAS[m.group(1)] + n - 1
    if ref is None:
        return None
    return min((base + n - 1 for base in ERAS.values()), key=lambda y: abs(y - ref))


def checked(s: str | None) -> list[str]:
    """The options printed after ■ in a ■/□ list, in printed order."""
    out = []
    for m in re.finditer(rf"([{CHECKED}{UNCHECKED}])([^{CHECKED}{UNCHECKED}]+)", s or ""):
        if m.group(1) in CHECKED:
            out.append(m.group(2).strip())
    return out


def decimal(s: str | None) -> Decimal | None:
    """1,480 → 1480; ▲350 → -350; 97% → 97; '-' or blank → None."""
    if is_null(s):
        return None
    t = s.replace(" ", "").removesuffix("%")
    neg = t[:1] in NEGATIVE_MARKS
    t = t.lstrip(NEGATIVE_MARKS)
    if not _NUMBER.match(t) or len(t) > MAX_DIGITS:
        return None
    t = t.replace(",", "")
    try:
        v = Decimal(t)
    except InvalidOperation:
        return None
    return -v if neg else v


def amount(s: str | None, unit: int = 1) -> int | None:
    v = decimal(s)
    if v is None or abs(v * unit) >= INT64_LIMIT:
        return None
    return int(v * unit)


def number(s: str | None) -> float | None:
    v = decimal(s)
    return None if v is None else float(v)


def unit_of(label: str, pattern: str | None) -> int | None:
    """The multiplier of the unit printed once in a table's label (単位：百万円)."""
    if not pattern:
        return 1
    m = re.search(pattern, label)
    return UNITS.get(m.group(1)) if m else None
