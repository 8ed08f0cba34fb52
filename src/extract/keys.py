"""Cross-year keys: the same organisation and the same contribution under one value in every
template generation, so that a 平成28 sheet and a 令和4 sheet of one contribution join.

Pure functions of the printed names (standard library only):

- `contribution_key(name)`: the contribution name normalized (fold_radicals + NFKC), with all
  spacing removed and bracket variants unified: every round or lenticular bracket
  （）()〔〕【】［］[]｛｝{} becomes `(` `)`, every corner bracket 「」『』｢｣ becomes `「` `」`,
  and dash variants (‐ - – — − ー between Latin letters or digits) a plain `-`;
- `organization_key(name, abbr)`: the acronym where one is printed (upper case), else the
  organisation name keyed like a contribution name.

A missing name gives a missing key (None), never an invented one.
"""
from __future__ import annotations

import re

from .normalize import squash

__all__ = ["contribution_key", "organization_key", "name_key", "sheet_keys", "KEY_COLUMNS"]

# Opening and closing brackets of every variant seen in the sheets (after NFKC, which already
# turns full-width （）［］｛｝ into ASCII), mapped to one pair per family.
_ROUND_OPEN = "([{〔【〖〘〚⦅（［｛"
_ROUND_CLOSE = ")]}〕】〗〙〛⦆）］｝"
_CORNER_OPEN = "「『｢﹁﹃"
_CORNER_CLOSE = "」』｣﹂﹄"
_BRACKETS = str.maketrans({**{c: "(" for c in _ROUND_OPEN}, **{c: ")" for c in _ROUND_CLOSE},
                           **{c: "「" for c in _CORNER_OPEN}, **{c: "」" for c in _CORNER_CLOSE}})
# Hyphen, dash and minus variants between two Latin letters or digits (COVID‐19, G−7);
# elsewhere ー is the long-vowel mark of katakana and stays.
_DASH_RE = re.compile(r"(?<=[A-Za-z0-9])[\u2010-\u2015\u2212\u30fc\uff70-](?=[A-Za-z0-9])")


def name_key(name: str | None) -> str | None:
    """A printed name as a join key: normalized, no spacing, one bracket and dash form."""
    if name is None:
        return None
    key = squash(name).translate(_BRACKETS)
    key = _DASH_RE.sub("-", key)
    return key or None


def contribution_key(name: str | None) -> str | None:
    """Cross-year key of a contribution: 国連児童基金（ＵＮＩＣＥＦ）拠出金 and
    国連児童基金 (UNICEF) 拠出金 both give 国連児童基金(UNICEF)拠出金."""
    return name_key(name)


def organization_key(name: str | None, abbr: str | None = None) -> str | None:
    """Cross-year key of an organisation: the printed acronym (IOM) where there is one,
    else the organisation name keyed as by `name_key`."""
    a = name_key(abbr)
    if a:
        return a.upper()
    return name_key(name)


# The columns of `sheets` that these functions derive from the printed names.
KEY_COLUMNS = ("organization_key", "contribution_key")


def sheet_keys(row: dict) -> dict[str, str | None]:
    """The key columns of one `sheets` row, from its printed names."""
    return {"organization_key": organization_key(row.get("organization_name"),
                                                 row.get("organization_abbr")),
            "contribution_key": contribution_key(row.get("contribution_name"))}
