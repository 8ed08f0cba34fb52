import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract.values import (
    ERAS,
    acronym,
    era_to_year,
    normalize_rating,
    parse_era_year,
    parse_fiscal_year,
    parse_yen,
    split_bureau_division,
    unit_from_label,
)

SETTINGS = settings(max_examples=200, deadline=None)
FW = str.maketrans("0123456789,.", "０１２３４５６７８９，．")


# --- eras ------------------------------------------------------------------


def test_eras():
    assert ERAS == {"明治": 1868, "大正": 1912, "昭和": 1926, "平成": 1989, "令和": 2019}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("平成28年度", (2016, "平成28年度")),
        ("令和元年度", (2019, "令和元年度")),
        ("令和５年度", (2023, "令和5年度")),
        ("令和 5 年度", (2023, "令和5年度")),
        ("令和　５　年　度", (2023, "令和5年度")),
        ("平成３１年度", (2019, "平成31年度")),
        ("分担金・拠出金の名称 国連人口基金（ＵＮＦＰＡ）拠出金 平成28年度", (2016, "平成28年度")),
        ("平成27年度には…令和2年度", (2015, "平成27年度")),
        ("令和2年に", None),  # no 度
        ("2016年度", None),
        ("", None),
        ("令和0年度", None),
        ("平成288年度", None),
    ],
)
def test_parse_fiscal_year(text, expected):
    assert parse_fiscal_year(text) == expected


def test_parse_era_year_without_do():
    assert parse_era_year("令和2年に") == (2020, "令和2年")
    assert parse_era_year("令和元年度") == (2019, "令和元年度")
    assert parse_era_year("2020年") is None


def test_era_to_year():
    assert era_to_year("令和", 2) == 2020
    assert era_to_year("令和", "元") == 2019
    assert era_to_year("平成", "３１") == 2019
    assert era_to_year("昭和", "64年") == 1989
    assert era_to_year("明治", 1) == 1868
    for bad in [("西暦", 1), ("令和", 0), ("令和", "x"), ("令和", -1), ("令和", True)]:
        with pytest.raises(ValueError):
            era_to_year(*bad)


@SETTINGS
@given(st.sampled_from(sorted(ERAS)), st.integers(1, 64), st.booleans(), st.booleans())
def test_era_round_trip(era, n, fullwidth, spaced):
    num = "元" if n == 1 and spaced else str(n)
    shown = num.translate(FW) if fullwidth else num
    sep = "　" if spaced else ""
    text = f"前文{era}{sep}{shown}{sep}年度後文"
    year, label = parse_fiscal_year(text)
    assert year == ERAS[era] + n - 1 == era_to_year(era, n) == era_to_year(era, shown)
    assert label == f"{era}{num}年度"
    assert parse_fiscal_year(label) == (year, label)


# --- yen -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, unit, expected",
    [
        ("14,065千円", None, 14_065_000),
        ("1,786,137 千円", None, 1_786_137_000),
        ("１４，０６５千円", None, 14_065_000),
        ("5億円", None, 500_000_000),
        ("1億2,000万円", None, 120_000_000),
        ("2,000万円", None, 20_000_000),
        ("1,874百万円", None, 1_874_000_000),
        ("12,847,300千円", None, 12_847_300_000),
        ("82,400円", None, 82_400),
        ("9,867,000円", None, 9_867_000),
        ("1,874", 1_000_000, 1_874_000_000),
        ("1,874", None, None),
        ("１，８７４", 1000, 1_874_000),
        ("14,065千円", 1000, 14_065_000),  # printed unit wins
        ("▲1,000千円", None, -1_000_000),
        ("△500円", None, -500),
        ("-2,000万円", None, -20_000_000),
        ("－2,000万円", None, -20_000_000),
        ("1.5億円", None, 150_000_000),
        ("1.5円", None, None),
        ("0.0001千円", None, None),
        ("0円", None, 0),
        ("未定", None, None),
        ("", None, None),
        ("－", None, None),
        ("-", 1000, None),
        ("円", None, None),
        ("千円", None, None),
        ("1,2345千円", None, None),
        ("5億", None, None),
        ("約5億円", None, None),
        ("5億円程度", None, None),
    ],
)
def test_parse_yen(text, unit, expected):
    assert parse_yen(text, unit) == expected


@SETTINGS
@given(st.integers(0, 10**12))
def test_parse_yen_round_trip(n):
    assert parse_yen(f"{n:,}千円") == n * 1000
    assert parse_yen(f"{n:,}千円".translate(FW)) == n * 1000
    assert parse_yen(f"{n:,}円") == n
    assert parse_yen(f"{n}百万円") == n * 1_000_000
    assert parse_yen(f"{n:,}", unit=1000) == n * 1000
    assert parse_yen(f"{n:,}") is None
    if n:
        assert parse_yen(f"▲{n:,}千円") == -n * 1000


@SETTINGS
@given(st.integers(0, 9999), st.integers(0, 9999), st.integers(0, 9999))
def test_parse_yen_oku_man(oku, man, rest):
    text = f"{oku}億{man:,}万{rest:,}円"
    assert parse_yen(text) == oku * 10**8 + man * 10**4 + rest
    assert parse_yen(text.translate(FW)) == parse_yen(text)


@SETTINGS
@given(st.text(max_size=12))
def test_parse_yen_never_crashes(s):
    r = parse_yen(s)
    assert r is None or isinstance(r, int)


@pytest.mark.parametrize(
    "label, expected",
    [
        ("予算額（千円）", 1000),
        ("予算額(千円)", 1000),
        ("予算額（単位：百万円）", 1_000_000),
        ("予算額（単位:百万円）", 1_000_000),
        ("予算額（円）", 1),
        ("予算額（億円）", 100_000_000),
        ("予算額 （ 千 円 ）", 1000),
        ("予算額　単位：千円", 1000),
        ("予算額", None),
        ("拠出額（米ドル）", None),
        ("令和2年度当初予算額", None),
        ("", None),
    ],
)
def test_unit_from_label(label, expected):
    assert unit_from_label(label) == expected


# --- ratings ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("A", "A"),
        ("Ａ", "A"),
        (" Ａ＋ ", "A+"),
        ("A﹢", "A+"),
        ("Ａ－", "A-"),
        ("A−", "A-"),
        ("Aー", "A-"),
        ("Aｰ", "A-"),
        ("A‐", "A-"),
        ("A‑", "A-"),
        ("A–", "A-"),
        ("A—", "A-"),
        ("B -", "B-"),
        ("ａ", "a"),
        ("ｓ", "s"),
        ("", ""),
        ("　", ""),
    ],
)
def test_normalize_rating(text, expected):
    assert normalize_rating(text) == expected


@SETTINGS
@given(st.text(alphabet=st.sampled_from(list("ABCDSabcdsＡＢａｂ+-＋－−ーｰ‐–— 　")), max_size=4))
def test_normalize_rating_idempotent(s):
    out = normalize_rating(s)
    assert normalize_rating(out) == out
    assert out == out.strip()
    assert not any(c.isspace() for c in out)


@SETTINGS
@given(st.sampled_from("SABCDsabcd"), st.sampled_from(["", "+", "-"]))
def test_normalize_rating_fullwidth_equals_halfwidth(letter, sign):
    fw = chr(ord(letter) + 0xFEE0) + {"": "", "+": "＋", "-": "－"}[sign]
    assert normalize_rating(fw) == normalize_rating(letter + sign) == letter + sign


# --- bureau / division -----------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("総合外交政策局　国際安全・治安対策協力室", ("総合外交政策局", "国際安全・治安対策協力室")),
        ("国際協力局 緊急・人道支援課", ("国際協力局", "緊急・人道支援課")),
        (" 大臣官房 国際機関人事センター ", ("大臣官房", "国際機関人事センター")),
        ("軍縮不拡散・科学部 生物・化学兵器禁止条約室", ("軍縮不拡散・科学部", "生物・化学兵器禁止条約室")),
        ("国際協力局地球規模課題総括課", ("国際協力局", "地球規模課題総括課")),
        ("領事局政策課", ("領事局", "政策課")),
        ("中東アフリカ局アフリカ部アフリカ第一課", ("中東アフリカ局アフリカ部", "アフリカ第一課")),
        ("中東アフリカ局 アフリカ部 アフリカ第一課", ("中東アフリカ局 アフリカ部", "アフリカ第一課")),
        ("大臣官房国際機関人事センター", ("大臣官房", "国際機関人事センター")),
        ("外務報道官・広報文化組織広報文化外交戦略課", ("外務報道官・広報文化組織", "広報文化外交戦略課")),
        ("軍縮不拡散・科学部国際原子力協力室", ("軍縮不拡散・科学部", "国際原子力協力室")),
        ("アジア大洋州局南部アジア部南西アジア課", ("アジア大洋州局南部アジア部", "南西アジア課")),
        ("領事局", ("領事局", None)),
        ("総合外交政策局軍縮不拡散・科学部", ("総合外交政策局軍縮不拡散・科学部", None)),
        ("", (None, None)),
        ("   ", (None, None)),
    ],
)
def test_split_bureau_division(text, expected):
    assert split_bureau_division(text) == expected


BUREAUS = ["総合外交政策局", "国際協力局", "大臣官房", "軍縮不拡散・科学部", "中東アフリカ局アフリカ部", "外務報道官・広報文化組織"]
DIVISIONS = ["国際安全・治安対策協力室", "緊急・人道支援課", "国際機関人事センター", "国際法課", "中東第一課"]


@SETTINGS
@given(st.sampled_from(BUREAUS), st.sampled_from(DIVISIONS), st.sampled_from(["", " ", "　", " 　 "]))
def test_split_bureau_division_round_trip(bureau, division, sep):
    assert split_bureau_division(f" {bureau}{sep}{division}\n") == (bureau, division)


# --- acronym -----------------------------------------------------------------


@pytest.mark.parametrize(
    "name, expected",
    [
        ("国際移住機関（ＩＯＭ）", "IOM"),
        ("国連児童基金（UNICEF）", "UNICEF"),
        ("国際原子力機関（IAEA）", "IAEA"),
        ("国際原子力機関（ＩＡＥＡ）拠出金（平和的利用イニシアティブ）", "IAEA"),
        ("国連人口基金（ＵＮＦＰＡ）", "UNFPA"),
        ("経済協力開発機構(OECD)", "OECD"),
        ("Ｇ７（G7）", "G7"),
        ("（UNDP）及び国連環境計画（UNEP）", "UNEP"),
        ("国際刑事裁判所被害者信託基金", None),
        ("国連ボランティア計画（国連）", None),
        # an acronym that opens a bracket followed by Japanese (issue 9)
        ("包括的核実験禁止条約機関（ＣＴＢＴＯ準備委員会）", "CTBTO"),
        ("包括的核実験禁止条約機関（CTBTO準備委員会）", "CTBTO"),
        ("国連（ｅラーニング事業）", None),       # a lower-case word is no acronym
        ("国際機関（Ａ事務局）", None),           # nor is a single letter
        ("", None),
    ],
)
def test_acronym(name, expected):
    assert acronym(name) == expected


@SETTINGS
@given(
    st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=8),
    st.text(alphabet=st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), min_size=1, max_size=8),
    st.booleans(),
)
def test_acronym_fullwidth_equals_halfwidth(name, abbr, fullwidth):
    shown = "".join(chr(ord(c) + 0xFEE0) for c in abbr) if fullwidth else abbr
    assert acronym(f"{name}（{shown}）") == abbr
    assert acronym(f"{name}({shown})拠出金") == abbr


# --- the parser registry -------------------------------------------------------------------

def test_every_parser_declares_typed_columns_and_a_known_cell():
    from extract.parsers import CELLS, PARSERS
    from extract.tables import ARROW_TYPES
    assert {"text", "organization", "name_and_year", "yen", "department", "rating", "paragraphs"} <= set(PARSERS)
    for name, p in PARSERS.items():
        assert p.cell in CELLS, name
        cols = p.columns("some_field")
        assert cols and all(c.type in ARROW_TYPES for c in cols), name
        assert len({c.name for c in cols}) == len(cols), name


def test_parsers_type_raw_values_and_report_gaps():
    from extract.parsers import PARSERS, Raw
    from extract.rules import FieldRule, load_rules
    t = next(x for x in load_rules() if x.id == "r4")
    yen = FieldRule("budget_jpy", "予算額", "yen", "budget")
    got = PARSERS["yen"].typed(yen, Raw("12,345", unit=1000), t, 0)
    assert got.values == {"budget_jpy": 12345000, "budget_label": "12,345"} and not got.problems
    got = PARSERS["yen"].typed(yen, Raw(), t, 0)
    assert got.values["budget_jpy"] is None and [p.code for p in got.problems] == ["missing_field"]
    got = PARSERS["yen"].typed(yen, Raw(ambiguous=True), t, 0)     # already reported when read
    assert not got.problems
    rating = FieldRule("overall_rating", "総合評価", "rating", "overall rating")
    assert PARSERS["rating"].typed(rating, Raw("A+"), t, 0).values == {"overall_rating": "A+"}
    bad = PARSERS["rating"].typed(rating, Raw("E"), t, 0)
    assert bad.values == {"overall_rating": None} and bad.problems[0].code == "invalid_value"
    org = FieldRule("organization_name", "拠出先の国際機関名", "organization", "organisation name")
    assert PARSERS["organization"].typed(org, Raw("国連児童基金(UNICEF)"), t, 0).values == {
        "organization_name": "国連児童基金(UNICEF)", "organization_abbr": "UNICEF"}
