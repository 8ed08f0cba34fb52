import random
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract.normalize import (
    dedupe_chars,
    fold_radicals,
    is_paragraph_start,
    join_lines,
    label_key,
    normalize_text,
    radical_map,
    squash,
)

SETTINGS = settings(max_examples=200, deadline=None)
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"

RADICAL_BLOCKS = [chr(c) for c in range(0x2E80, 0x2F00)] + [chr(c) for c in range(0x2F00, 0x2FE0)]


# --- fold_radicals ---------------------------------------------------------


def test_radical_table_loaded_and_in_blocks():
    table = radical_map()
    assert len(table) > 300
    assert all(0x2E80 <= cp <= 0x2EFF or 0x2F00 <= cp <= 0x2FDF for cp in table)
    # unicodedata may predate the data (U+2E95 -> U+2B739 is new in Unicode 15)
    assert all(len(v) == 1 and "CJK UNIFIED IDEOGRAPH" in unicodedata.name(v, "CJK UNIFIED IDEOGRAPH") for v in table.values())
    assert table[0x2F00] == "一" and table[0x2FD5] == "龠"


def test_fold_radicals_examples():
    assert fold_radicals("分担⾦・拠出⾦") == "分担金・拠出金"  # U+2FA6
    assert fold_radicals("⼤臣官房") == "大臣官房"
    assert fold_radicals("事務局⾧") == "事務局長"  # U+2FA7
    # range lines in the source file (2E8C..2E8D ; 5C0F) are expanded
    assert fold_radicals("\u2e8c\u2e8d") == "小小"
    assert fold_radicals("\u2ece") == "\u8fb6"
    assert fold_radicals("普通の文 ABC") == "普通の文 ABC"


def test_fold_radicals_leaves_strokes_alone():
    # CJK Strokes are in the source file but are not radicals.
    assert fold_radicals("\u31d2") == "\u31d2"


@SETTINGS
@given(st.text(alphabet=st.sampled_from(RADICAL_BLOCKS + list("あ漢A1 "))))
def test_fold_radicals_removes_mapped_radicals(s):
    out = fold_radicals(s)
    table = radical_map()
    assert not any(ord(c) in table for c in out)
    assert len(out) == len(s)
    assert fold_radicals(out) == out


# --- normalize_text / squash ----------------------------------------------


def test_normalize_text_examples():
    assert normalize_text("ＩＯＭ　１４，０６５千円") == "IOM 14,065千円"
    assert normalize_text("①計画段階　②実施段階") == "①計画段階 ②実施段階"
    assert normalize_text("㉑と㊿") == "㉑と㊿"
    assert normalize_text("⑴") == "(1)"  # parenthesised numbers are not protected
    assert normalize_text("a\x00b\x07c\td\ne") == "abc\td\ne"
    assert normalize_text("a\r\nb\rc") == "a\nb\nc"
    assert normalize_text("分担⾦") == "分担金"
    assert normalize_text("ｱｲｳ") == "アイウ"


CIRCLED = [chr(c) for c in range(0x2460, 0x2474)] + [chr(c) for c in range(0x3251, 0x3260)] + [
    chr(c) for c in range(0x32B1, 0x32C0)
]


@SETTINGS
@given(st.text(alphabet=st.sampled_from(CIRCLED + list("計画１Ａ　 \n\t\x01") + RADICAL_BLOCKS[:50])))
def test_normalize_text_properties(s):
    out = normalize_text(s)
    assert normalize_text(out) == out
    assert sum(c in CIRCLED for c in out) == sum(c in CIRCLED for c in s)
    assert not any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in out)


@SETTINGS
@given(st.text())
def test_normalize_text_idempotent_any_text(s):
    out = normalize_text(s)
    assert normalize_text(out) == out


def test_squash_examples():
    assert squash("予　算　額") == "予算額"
    assert squash(" 担 当 課 ・ 室 名 \n") == "担当課・室名"
    assert squash("予算額（千円）") == "予算額(千円)"


@SETTINGS
@given(st.text())
def test_squash_idempotent_no_whitespace(s):
    out = squash(s)
    assert squash(out) == out
    assert not any(c.isspace() for c in out)
    assert "\u3000" not in out


# --- dedupe_chars ------------------------------------------------------------


def _char(text, x0, top, upright=True):
    return {
        "text": text,
        "x0": x0,
        "x1": x0 + 10,
        "top": top,
        "doctop": top,
        "bottom": top + 10,
        "size": 10.0,
        "fontname": "F",
        "upright": upright,
    }


def test_dedupe_chars_examples():
    a = _char("予", 10, 20)
    a2 = _char("予", 10.4, 20.3)
    b = _char("算", 20, 20)
    b2 = _char("算", 20.4, 20.3)
    far = _char("予", 11.5, 20)  # 1.5 away from the first: kept
    other = _char("額", 10.2, 20.1)  # different text: kept
    assert dedupe_chars([a, a2, b, b2, far, other]) == [a, b, far, other]
    assert dedupe_chars([]) == []
    # tolerance boundary is inclusive, like pdfplumber
    assert dedupe_chars([_char("x", 0, 0), _char("x", 1, 1)]) == [_char("x", 0, 0)]
    assert dedupe_chars([_char("x", 0, 0), _char("x", 0, 0)], tol=0) == [_char("x", 0, 0)]
    # vertical and horizontal text do not dedupe each other
    assert len(dedupe_chars([_char("x", 0, 0, True), _char("x", 0, 0, False)])) == 2


def _key(cs):
    return {(c["text"], c["x0"], c["top"]) for c in cs}


@st.composite
def fake_bold_pages(draw):
    """Glyphs on a grid 5pt apart, each possibly printed again within 0.9pt.

    Copies follow their original and lie below/right of it, so "first printed"
    and pdfplumber's "top-left of the cluster" pick the same glyph.
    """
    n = draw(st.integers(0, 40))
    cells = draw(st.lists(st.tuples(st.integers(0, 8), st.integers(0, 8)), min_size=n, max_size=n, unique=True))
    texts = draw(st.lists(st.sampled_from("予算額ab"), min_size=n, max_size=n))
    offs = st.tuples(st.floats(0.01, 0.9), st.floats(-0.9, 0.9))
    groups = []
    for (gx, gy), t in zip(cells, texts):
        base = _char(t, gx * 5.0, gy * 5.0)
        copies = [
            _char(t, base["x0"] + dx, base["top"] + dy) for dy, dx in draw(st.lists(offs, max_size=3))
        ]
        groups.append([base] + copies)
    # interleave groups while keeping each original before its copies
    seed = draw(st.integers(0, 2**32 - 1))
    rnd = random.Random(seed)
    queues = [list(g) for g in groups]
    out = []
    while any(queues):
        q = rnd.choice([q for q in queues if q])
        out.append(q.pop(0))
    return out


@settings(max_examples=100, deadline=None)
@given(fake_bold_pages())
def test_dedupe_chars_matches_pdfplumber(chars):
    from pdfplumber.utils import dedupe_chars as pp_dedupe

    ours = dedupe_chars(chars, tol=1)
    assert _key(ours) == _key(pp_dedupe(chars, tolerance=1, extra_attrs=()))
    # input order kept
    idx = [chars.index(c) for c in ours]
    assert idx == sorted(idx)


char_lists = st.lists(
    st.builds(
        _char,
        st.sampled_from("予算ab"),
        st.floats(0, 30, allow_nan=False),
        st.floats(0, 30, allow_nan=False),
    ),
    max_size=60,
)


@SETTINGS
@given(char_lists, st.sampled_from([0.5, 1.0, 2.0]))
def test_dedupe_chars_properties(chars, tol):
    out = dedupe_chars(chars, tol)
    assert dedupe_chars(out, tol) == out
    # every text present in the input survives
    assert {c["text"] for c in out} == {c["text"] for c in chars}
    # no two kept same-text chars within tol
    for i, a in enumerate(out):
        for b in out[i + 1 :]:
            assert not (
                a["text"] == b["text"] and abs(a["x0"] - b["x0"]) <= tol and abs(a["top"] - b["top"]) <= tol
            )
    # every dropped char has a kept twin printed before it within tol
    kept_ids = {id(c) for c in out}
    for i, c in enumerate(chars):
        if id(c) in kept_ids:
            continue
        assert any(
            id(k) in kept_ids
            and k["text"] == c["text"]
            and abs(k["x0"] - c["x0"]) <= tol
            and abs(k["top"] - c["top"]) <= tol
            for k in chars[:i]
        )


def test_dedupe_chars_never_merges_different_text():
    chars = [_char(t, 0.0, 0.0) for t in "予算額ab"]
    assert dedupe_chars(chars) == chars


@pytest.mark.skipif(not (CORPUS / "dev_29.pdf").exists(), reason="dev corpus not available")
def test_dedupe_chars_real_fake_bold_page():
    pdfplumber = pytest.importorskip("pdfplumber")
    from pdfplumber.utils import dedupe_chars as pp_dedupe

    with pdfplumber.open(CORPUS / "dev_29.pdf") as pdf:
        chars = pdf.pages[0].chars
    ours = dedupe_chars(chars, tol=1)
    assert len(ours) < len(chars)  # the page does have doubled glyphs
    assert _key(ours) == _key(pp_dedupe(chars, tolerance=1, extra_attrs=()))
    text = "".join(c["text"] for c in ours)
    assert "担当課・室名" in text
    assert "担担当当" not in text


# --- join_lines --------------------------------------------------------------


def test_join_lines_examples():
    assert join_lines(["本拠出により日本人", "職員を派遣した。"]) == "本拠出により日本人職員を派遣した。"
    assert join_lines(["the United", "Nations"]) == "the United Nations"
    assert join_lines(["agreed, ", " and then"]) == "agreed, and then"
    assert join_lines(["in 2016.", "The plan"]) == "in 2016. The plan"
    assert join_lines(["co-", "operation"]) == "co-operation"
    assert join_lines(["IOM", "事務局長"]) == "IOM事務局長"
    assert join_lines(["事務局長", "IOM"]) == "事務局長IOM"
    assert join_lines(["ＩＯＭ", "ＵＮ"]) == "ＩＯＭＵＮ"  # full-width: typeset as Japanese
    assert join_lines(["  ・一行目 ", "", "二行目"]) == "・一行目二行目"
    assert join_lines([]) == ""


CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
JA = st.one_of(CJK, st.characters(min_codepoint=0x3041, max_codepoint=0x30FF))


@SETTINGS
@given(st.lists(st.text(alphabet=st.one_of(JA, st.sampled_from("ab1 ,.")), min_size=1), max_size=6))
def test_join_lines_no_space_next_to_japanese(lines):
    out = join_lines(lines)
    stripped = [ln.strip() for ln in lines if ln.strip()]
    # only single spaces added, and only at joins
    assert len(out) - len("".join(stripped)) <= max(0, len(stripped) - 1)
    pos = 0
    for a, b in zip(stripped, stripped[1:]):
        pos += len(a)
        if out[pos] == " ":
            assert a[-1].isascii() and b[0].isascii()
            pos += 1


@SETTINGS
@given(st.lists(st.text(alphabet=JA, min_size=1), min_size=1, max_size=6))
def test_join_lines_japanese_is_concatenation(lines):
    assert join_lines(lines) == "".join(ln.strip() for ln in lines)


# --- is_paragraph_start -------------------------------------------------------

STARTS = [
    "・IOMは",
    "･半角中黒",
    "● 項目",
    "○2017年５月に就任した",
    "◎重点",
    "◆A",
    "◇B",
    "■C",
    "□D",
    "▪E",
    "※注記",
    "➢ 次",
    "✓ 済",
    "- item",
    "①計画段階：",
    "⑳最後",
    "（1）国際機関",
    "(1)国際機関",
    "(１) 国際機関",
    "（１）国際機関",
    "1)本文",
    "１）本文",
    "1.国際機関等の活動",
    "１．国際機関等の活動",
    "1、本文",
    "12. 本文",
    "【外交政策目標】",
    "（1-4）当該機関",
    "(1－4) 当該機関",
    "(a) item",
    "（ア）項目",
    "ア．項目",
    "  ・先頭に空白",
]
NOT_STARTS = [
    "",
    "   ",
    "2016年2月には",
    "2015年の通常予算",
    "平成27年度には",
    "1.5億円を拠出",
    "１．５億円",
    "-5%の減少",
    "国際機関",
    "アフリカ",
    "(UNICEF)と共同",
    "（WHO）、UNESCOと",
    "1",
    "(1)",
    "e.g. something",
    "事務局は",
]


@pytest.mark.parametrize("line", STARTS)
def test_is_paragraph_start_true(line):
    assert is_paragraph_start(line)


@pytest.mark.parametrize("line", NOT_STARTS)
def test_is_paragraph_start_false(line):
    assert not is_paragraph_start(line)


@SETTINGS
@given(st.sampled_from(list("・･●○◎◆◇■□▪※➢✓①②⑩⑳【")), st.text(max_size=20))
def test_is_paragraph_start_bullets(bullet, rest):
    assert is_paragraph_start(bullet + rest)
    assert is_paragraph_start("　 " + bullet + rest)


@SETTINGS
@given(st.integers(1, 99), st.sampled_from(["(%d)", "（%d）", "%d.", "%d．", "%d、", "%d)"]), st.text(JA, min_size=1, max_size=10))
def test_is_paragraph_start_numbering(n, fmt, rest):
    assert is_paragraph_start(fmt % n + rest)
    fw = str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert is_paragraph_start(fmt.replace("%d", fw) + rest)


@SETTINGS
@given(st.integers(0, 3000), st.sampled_from(["年", "年度", "月", "億円", "%", ".5", "．５"]), st.text(JA, max_size=10))
def test_is_paragraph_start_numbers_in_text(n, suffix, rest):
    assert not is_paragraph_start(f"{n}{suffix}{rest}")


@SETTINGS
@given(CJK, st.text(max_size=20))
def test_is_paragraph_start_plain_kanji(first, rest):
    assert not is_paragraph_start(first + rest)


# --- code points producers write for one another (issue 9) ------------------


def test_radicals_with_a_japanese_form_fold_to_it():
    # Unicode's equivalent of ⼾ is the traditional 戶 (NFKC gives it too); a Japanese font
    # draws 戸, and that is what the sheet printed
    assert unicodedata.normalize("NFKC", "\u2f3e") == "戶"
    assert normalize_text("⼾籍") == "戸籍"
    assert normalize_text("⾭年") == "青年"
    assert normalize_text("⻑⺠⻄⽇⾏") == "長民西日行"


def test_wave_dash_and_fullwidth_tilde_come_out_alike():
    # one glyph in Japanese fonts; JIS producers write U+301C, Windows ones U+FF5E
    assert normalize_text("2014年\u301c") == normalize_text("2014年\uff5e") == "2014年~"
    assert normalize_text("〰") == "〰"      # the wavy dash is another character


@pytest.mark.parametrize("variant", ["・", "‧", "·", "･", "•"])
def test_label_key_folds_middle_dots(variant):
    assert label_key(f"分担金{variant}拠出金の名称") == label_key("分担金・拠出金の名称")
    assert normalize_text(variant) != "" and (variant in "･‧" or normalize_text(variant) == variant)


def test_hyphenation_point_is_the_katakana_middle_dot():
    # one glyph in CJK fonts: Chromium's sheets reprinted without /ActualText give ‧ for ・
    # (a value read 国際安全‧治安対策協力室); the other dots are kept as printed
    assert normalize_text("国際安全\u2027治安対策協力室") == "国際安全・治安対策協力室"
    assert normalize_text("A·B•C") == "A·B•C"


def test_division_slash_is_the_solidus():
    # cairo's reprints give the solidus's glyph as U+2215: 補助率1∕2 printed as 補助率1/2
    assert normalize_text("補助率を1\u22152とし") == "補助率を1/2とし"
    assert normalize_text("1\u20442") == "1\u20442"      # the fraction slash is another character


@pytest.mark.parametrize("variant", ["ー", "‐", "－", "-", "ｰ", "−", "—"])
def test_label_key_folds_dashes(variant):
    assert label_key(f"プレゼンス{variant}") == label_key("プレゼンスー")
    assert label_key("予　算　額") == "予算額"


def test_label_key_keeps_other_characters_apart():
    assert label_key("分担金拠出金") != label_key("分担金・拠出金")
    assert label_key("A.B") != label_key("A・B")
