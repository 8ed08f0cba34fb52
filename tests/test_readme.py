"""Every query shown in the README runs, in pandas and in DuckDB, against the output of the
samples (written exactly as `extract run` writes it), and gives the answer it promises.

Queries are: ```python blocks that read the tables (they mention `out/`, or use a name an
earlier block defined), ```sql blocks (DuckDB, run statement by statement), and inline code
spans that call read_parquet or start with SELECT.
"""
from __future__ import annotations

import re

import pandas as pd
import pytest

from conftest import ROOT, sample_pdfs
from extract import cli

duckdb = pytest.importorskip("duckdb")

README = (ROOT / "README.md").read_text(encoding="utf-8")
_BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
_SPAN = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")


def _blocks(lang: str) -> list[str]:
    return [code for kind, code in _BLOCK.findall(README) if kind == lang]


def _python_queries() -> list[str]:
    """The python blocks of the table-reading kind, in README order (later ones use the
    frames the first one reads)."""
    out, names = [], set()
    for code in _blocks("python"):
        if "out/" in code or any(re.search(rf"\b{n}\b", code) for n in names):
            out.append(code)
            names |= set(re.findall(r"^(\w+)\s*=", code, re.M))
    return out


def _inline_queries() -> list[str]:
    prose = _BLOCK.sub("", README)
    return [s for s in _SPAN.findall(prose)
            if "read_parquet(" in s or s.lstrip().upper().startswith("SELECT ")]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory, extracted):
    """A folder holding out/ (the samples' tables) and d/diff (an `extract diff --out`)."""
    from extract import tables
    d = tmp_path_factory.mktemp("readme")
    tables.write([extracted(p) for p in sample_pdfs()], d / "out")
    assert cli.main(["diff", str(d / "out"), str(d / "out"), "--out", str(d / "d")]) == 0
    return d


def test_the_readme_shows_queries_of_every_kind():
    assert len(_python_queries()) >= 3
    assert len(_blocks("sql")) >= 2
    assert len(_inline_queries()) >= 2


def test_python_blocks_run_and_the_panel_joins_generations(workdir, monkeypatch):
    monkeypatch.chdir(workdir)
    ns: dict = {}
    for code in _python_queries():
        exec(compile(code, "README.md", "exec"), ns)
    sheets, panel = ns["sheets"], ns["panel"]
    assert len(sheets) >= 15 and {"contribution_key", "organization_key"} <= set(sheets.columns)
    for table in ("criteria", "problems", "fields"):
        assert len(ns[table]) > 0, table
    rating = panel["overall_rating"]
    # UNHCR: an r1 sheet (FY2020) and r4 sheets (FY2023) in one row of the panel
    unhcr = rating.loc["国連難民高等弁務官事務所(UNHCR)拠出金"]
    assert unhcr[2020] == "A" and unhcr[2023] == "A+"
    assert panel["budget_jpy"].loc["国連難民高等弁務官事務所(UNHCR)拠出金"][2023] == 12_847_300_000
    assert rating.index.is_unique and len(rating) == sheets["contribution_key"].nunique()


def test_sql_blocks_run_in_duckdb(workdir, monkeypatch):
    monkeypatch.chdir(workdir)
    con = duckdb.connect()
    results = []
    for code in _blocks("sql"):
        for stmt in (s.strip() for s in code.split(";")):
            if stmt:
                rel = con.sql(stmt)
                if rel is not None:
                    results.append(rel.df())
    counts, pivot = results[0], results[-1]
    assert counts["sheets"].sum() == len(pd.read_parquet("out/sheets"))
    row = pivot.set_index("contribution_key").loc["国連難民高等弁務官事務所(UNHCR)拠出金"]
    assert row["2020"] == "A" and row["2023"] == "A+"


def test_inline_queries_run(workdir, monkeypatch):
    monkeypatch.chdir(workdir)
    con = duckdb.connect()
    for q in _inline_queries():
        if q.lstrip().upper().startswith("SELECT"):
            assert len(con.sql(q).df()) > 0, q
        else:
            frame = eval(q, {"pd": pd, "pandas": pd})
            assert isinstance(frame, pd.DataFrame), q
            assert len(frame.columns) > 0, q


def test_sheets_columns_are_documented():
    """Each column of the sheets table has a row in the README's table of columns."""
    from extract.tables import SCHEMAS
    for name, schema in SCHEMAS.items():
        section = README.split(f"### {name} (", 1)
        assert len(section) == 2, f"no README section for {name}"
        body = section[1].split("\n### ", 1)[0]
        documented = set(re.findall(r"^\| ?([\w, ]+?) ?\|", body, re.M))
        cols = {c.strip() for row in documented for c in row.split(",")}
        missing = [c for c in schema.names if c not in cols]
        assert not missing, f"{name}: columns not in the README: {missing}"
