"""Cross-year keys (extract.keys): properties of the key functions, and the two columns in
`sheets` joining the same contribution across template generations on the samples."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SAMPLES
from extract.keys import contribution_key, name_key, organization_key

# printable text of the kinds the names hold: kanji, kana, Latin, digits, brackets, spaces
_ALPHABET = st.sampled_from(list(
    "国際連合児童基金拠出金機関難民高等弁務官事務所移住ーアイウエオ・"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz0123456789-"
    "()（）[]［］〔〕【】「」『』｢｣ 　\t\n"))
NAMES = st.text(_ALPHABET, min_size=1, max_size=40)
ANY_TEXT = st.text(min_size=0, max_size=30)

_WIDE = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}   # ASCII -> full-width form
_BRACKET_VARIANT = {"(": "（", ")": "）", "[": "〔", "]": "〕"}


def _widen(s: str) -> str:
    return "".join(_WIDE.get(ch, ch) for ch in s)


@settings(max_examples=300)
@given(ANY_TEXT)
def test_key_is_idempotent_and_has_no_spacing(s):
    k = name_key(s)
    if k is None:
        return
    assert name_key(k) == k
    assert not any(ch.isspace() for ch in k)
    assert unicodedata.normalize("NFKC", k) == k or any("\u2460" <= ch <= "\u32bf" for ch in k)


@settings(max_examples=300)
@given(NAMES, st.lists(st.integers(min_value=0, max_value=40), max_size=5),
       st.sampled_from([" ", "\u3000", "\t", "\n", "  "]))
def test_key_ignores_spacing(s, positions, space):
    spaced = s
    for p in sorted(positions, reverse=True):
        spaced = spaced[:p] + space + spaced[p:]
    assert contribution_key(spaced) == contribution_key(s)


@settings(max_examples=300)
@given(NAMES)
def test_key_ignores_width_and_bracket_variants(s):
    wide = _widen(s)
    other = s.translate(str.maketrans(_BRACKET_VARIANT))
    assert contribution_key(wide) == contribution_key(s) == contribution_key(other)


@settings(max_examples=200)
@given(NAMES, NAMES)
def test_different_words_keep_different_keys(a, b):
    """Only spacing, width, brackets and dashes are unified: names that differ in anything
    else keep different keys."""
    def core(x):
        return "".join(ch for ch in unicodedata.normalize("NFKC", x)
                       if ch.isalnum() and ch != "ー" or ch == "・")
    if core(a) != core(b):
        assert contribution_key(a) != contribution_key(b)


def test_key_examples():
    assert contribution_key("国連児童基金（ＵＮＩＣＥＦ）拠出金") == "国連児童基金(UNICEF)拠出金"
    assert contribution_key(" 国連児童基金 (UNICEF)\n拠出金") == "国連児童基金(UNICEF)拠出金"
    assert contribution_key("ＷＨＯ拠出金〔ＣＯＶＩＤ‐１９対策〕") == "WHO拠出金(COVID-19対策)"
    assert contribution_key("｢人間の安全保障｣基金") == contribution_key("『人間の安全保障』基金") \
        == "「人間の安全保障」基金"
    assert contribution_key("ユニセフ・ボランティア") == "ユニセフ・ボランティア"   # ー stays
    assert contribution_key(None) is None and contribution_key("　 ") is None


def test_organization_key_prefers_the_acronym():
    assert organization_key("国際移住機関（ＩＯＭ）", "IOM") == "IOM"
    assert organization_key("国際移住機関(IOM)", "ＩＯＭ") == "IOM"
    assert organization_key("国際刑事裁判所 被害者信託基金", None) == "国際刑事裁判所被害者信託基金"
    assert organization_key(None, None) is None
    assert organization_key(None, "unv") == "UNV"


@settings(max_examples=200)
@given(NAMES, st.one_of(st.none(), st.from_regex(r"[A-Z]{2,6}", fullmatch=True)))
def test_organization_key_is_the_acronym_or_the_name_key(name, abbr):
    k = organization_key(name, abbr)
    assert k == (abbr if abbr else name_key(name))


# ------------------------------------------------------------------ in the sheets table

def test_samples_join_across_generations(extracted):
    """The UNHCR sheets of the samples (an r1 and two r4 PDFs) share both keys; every
    sheet's keys are those of its names."""
    from extract.tables import rows
    sheets = [s for p in sorted(SAMPLES.glob("*.pdf")) for s in rows([extracted(p)])["sheets"]]
    assert len(sheets) >= 15
    for s in sheets:
        assert s["contribution_key"] == contribution_key(s["contribution_name"])
        assert s["organization_key"] == organization_key(s["organization_name"],
                                                         s["organization_abbr"])
        assert s["contribution_key"] and s["organization_key"]
    for key in ("organization_key", "contribution_key"):
        templates: dict[str, set] = {}
        for s in sheets:
            templates.setdefault(s[key], set()).add(s["template"])
        # 国連難民高等弁務官事務所（UNHCR）拠出金: an r1 sheet (FY2020) and r4 sheets (FY2023)
        assert templates["国連難民高等弁務官事務所(UNHCR)拠出金" if key == "contribution_key"
                         else "UNHCR"] == {"r1", "r4"}, templates


@pytest.mark.parametrize("column", ["organization_key", "contribution_key"])
def test_key_columns_in_the_schema(column):
    from extract.tables import SHEETS
    import pyarrow as pa
    assert SHEETS.field(column).type == pa.string()
