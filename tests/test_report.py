"""`extract report`: the batch report on the samples' output (numbers, chart, budget, panel,
audit links), on a synthetic 1,000-sheet table, and in headless Chromium."""
from __future__ import annotations

import random
import re

import pandas as pd
import pyarrow as pa
import pytest

from conftest import ROOT, SAMPLES, sample_pdfs
from extract import cli
from extract.keys import sheet_keys
from extract.report import (RATING_COLOURS, audit_folder, audit_page_name, build_html, summarize,
                            write_report, yen)
from extract.tables import SCHEMAS
from extract_testkit.browser import chromium_path, dump_dom, screenshot

needs_chromium = pytest.mark.skipif(not chromium_path(), reason="no chromium binary on PATH "
                                    "(Debian: apt-get install -y chromium)")
UNHCR = "国連難民高等弁務官事務所(UNHCR)拠出金"


@pytest.fixture(scope="module")
def out(tmp_path_factory, extracted):
    from extract import tables
    d = tmp_path_factory.mktemp("report") / "out"
    tables.write([extracted(p) for p in sample_pdfs()], d)
    return d


@pytest.fixture(scope="module")
def report(out, tmp_path_factory, shipped_rules):
    dest = tmp_path_factory.mktemp("rep") / "report.html"
    res = write_report(out, dest, pdf_root=SAMPLES, rules=shipped_rules)
    return res, dest.read_text(encoding="utf-8")


def _rects(html: str) -> dict[tuple[str, str], int]:
    return {(c, s): int(v) for c, s, v in re.findall(
        r'<rect [^>]*data-category="([^"]+)" data-series="([^"]+)" data-value="(\d+)"', html)}


def test_report_numbers_match_the_tables(out, report):
    res, html = report
    sheets = pd.read_parquet(out / "sheets")
    problems = pd.read_parquet(out / "problems")
    files = set(sheets.source_path) | set(problems.source_path)
    assert re.search(r'id="n-files">(\d+)<', html).group(1) == str(len(files)) == "19"
    assert re.search(r'id="n-sheets">(\d+)<', html).group(1) == str(len(sheets))
    errors = problems[problems.severity == "error"]
    assert re.search(r'id="n-files-with-errors">(\d+)<', html).group(1) == str(errors.source_path.nunique())
    # problems by code, each with its files
    for code, group in problems.groupby("code"):
        row = re.search(rf'<tr id="code-{code}">(.*?)</tr>', html, re.S).group(1)
        for f in set(group.source_path):
            assert f in row, (code, f)
    # the chart: one segment per (fiscal year, rating), the counts of the table
    want = sheets.groupby(["fiscal_year", "overall_rating"]).size()
    got = _rects(html)
    assert got == {(str(y), r): int(n) for (y, r), n in want.items()}
    # budget by rating
    for r, total in sheets.groupby("overall_rating").budget_jpy.sum().items():
        assert f'data-v="{int(total)}">{int(total):,}</td>' in html, r
    # the panel: UNHCR in 2020 (r1) and 2023 (r4) on one row
    row = re.search(rf"<tr><td>UNHCR</td><td>{re.escape(UNHCR)}</td>(.*?)</tr>", html).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    years = sorted(sheets.fiscal_year.dropna().unique())
    by_year = dict(zip(years, cells))
    assert ">A<" in by_year[2020] and ">A+<" in by_year[2023] and by_year[2016] == ""
    assert "r4-unhcr-refugees-word.pdf#0: 128.5億円" in html      # budget on hover


def test_report_links_problem_files_to_their_audit_pages(report):
    res, html = report
    assert set(res.audit_pages) == {"garbled-no-tounicode.pdf", "not-a-sheet.pdf",
                                    "scanned-no-text-layer.pdf"} and not res.not_found
    folder = audit_folder(res.path)
    for sp, page in res.audit_pages.items():
        assert page.parent == folder and page.is_file()
        href = f"{folder.name}/{audit_page_name(sp)}"
        assert f'<a href="{href}">{sp}</a>' in html
        assert "Problems (1)" in page.read_text(encoding="utf-8")
    # every link of the page is in-page or to an audit page that exists
    for href in re.findall(r'href="([^"]+)"', html):
        assert href.startswith("#") or (res.path.parent / href).is_file(), href


def test_report_is_self_contained(report):
    _, html = report
    assert not re.search(r'(src|href)\s*=\s*"(?!#|[\w.-]+-audit/)', html)
    assert "http://" not in html and "https://" not in html and "@import" not in html


def test_yen():
    assert yen(12_847_300_000) == "128.5億円" and yen(45_800_000) == "4,580万円"
    assert yen(9_867) == "9,867円" and yen(None) == ""


# ------------------------------------------------------------------ 1,000 sheets

def _synthetic_tables(n: int = 1000, seed: int = 7) -> dict[str, pa.Table]:
    """n sheets of 150 contributions over 10 fiscal years, with warnings on some."""
    rnd = random.Random(seed)
    ratings = ["S", "A+", "A", "A-", "B+", "B", "B-", "C", "D", None]
    sheets, problems = [], []
    for i in range(n):
        c = i % 150
        row = {"sheet_id": f"{i:016x}", "source_path": f"round{i // 100}/sheet{i:04d}.pdf",
               "source_sha256": "0" * 64, "sheet_index": 0, "page_first": 1, "page_last": 2,
               "template": "r4", "fiscal_year": 2016 + (i // 150) if i % 97 else None,
               "contribution_name": f"国際機関{c}（ＯＲＧ{c}）拠出金（事業{c % 7}）",
               "organization_name": f"国際機関{c}（ＯＲＧ{c}）", "organization_abbr": f"ORG{c}",
               "budget_jpy": rnd.randrange(1, 10**11) if i % 13 else None,
               "overall_rating": rnd.choice(ratings), "quality": 1.0, "quality_grade": "good"}
        row.update(sheet_keys(row))
        sheets.append(row)
        if i % 9 == 0:
            problems.append({"source_path": row["source_path"], "sheet_index": 0,
                             "severity": "warning", "code": "missing_field",
                             "field": "budget_jpy", "message": "no budget"})
    problems.append({"source_path": "broken.pdf", "sheet_index": None, "severity": "error",
                     "code": "unreadable_pdf", "field": None, "message": "broken"})
    return {"sheets": pa.Table.from_pylist(sheets, schema=SCHEMAS["sheets"]),
            "criteria": SCHEMAS["criteria"].empty_table(),
            "problems": pa.Table.from_pylist(problems, schema=SCHEMAS["problems"])}


@pytest.fixture(scope="module")
def big_report(tmp_path_factory):
    tables = _synthetic_tables()
    html = build_html(summarize(tables), "synthetic")
    path = tmp_path_factory.mktemp("big") / "report.html"
    path.write_text(html, encoding="utf-8")
    return tables, html, path


def test_report_of_1000_sheets_stays_compact(big_report):
    tables, html, _ = big_report
    sheets = tables["sheets"].to_pandas()
    body = html.split('id="sheets-table"', 1)[1]
    assert body.count("<tr><td>") == 1000
    panel = html.split('id="panel-table"', 1)[1].split("</table>", 1)[0]
    assert panel.count("<tr><td>") == sheets.dropna(subset=["fiscal_year"]).contribution_key.nunique()
    rects = _rects(html)
    with_year = sheets.dropna(subset=["fiscal_year"])
    assert sum(rects.values()) == len(with_year)
    assert {c for c, _ in rects} == {str(int(y)) for y in with_year.fiscal_year.unique()}
    # 111 files with a warning: 12 listed, the rest folded
    assert "and 100 more" in html
    assert len(html.encode()) < 1_500_000, len(html.encode())


@needs_chromium
def test_report_of_1000_sheets_in_chromium(big_report, tmp_path):
    from PIL import Image
    _, _, path = big_report
    dom = dump_dom(tmp_path / "profile", path.as_uri())
    table = dom.split('id="sheets-table"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == 1001               # the browser parsed every row
    assert len(re.findall(r"<rect ", dom)) > 50
    png = screenshot(tmp_path / "profile", path.as_uri(), tmp_path / "shot.png", window="1300,1400")
    colours = Image.open(png).convert("RGB").getcolors(maxcolors=1 << 20)
    for r in ("A", "B", "C"):       # the chart is drawn in the rating colours
        want = tuple(int(RATING_COLOURS[r][i:i + 2], 16) for i in (1, 3, 5))
        assert sum(n for n, c in colours if c == want) > 300, r


def test_report_command(out, tmp_path, capsys):
    dest = tmp_path / "r.html"
    assert cli.main(["report", str(out), "-o", str(dest)]) == 0
    assert "19 file(s), 19 sheet(s), 3 problem(s)" in capsys.readouterr().out
    assert dest.is_file() and not audit_folder(dest).exists()
    assert cli.main(["report", str(tmp_path / "none"), "-o", str(dest)]) == 2
    assert "no such output folder" in capsys.readouterr().err
    assert cli.main(["report", str(out), "-o", str(dest), "--audit", str(tmp_path / "x")]) == 2


def test_docs_screenshot_present():
    shot = ROOT / "docs" / "report.png"
    assert shot.is_file() and shot.stat().st_size < 450_000
    assert "docs/report.png" in (ROOT / "README.md").read_text(encoding="utf-8")
