"""The output layout as readers see it: one integer fiscal_year column, null where no year was
read, in every table split by year, the same in pandas, DuckDB and pyarrow.dataset; integer
columns as pandas' nullable Int32/Int64; problems joining sheets on sheet_id."""
from __future__ import annotations

import copy

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pytest

from conftest import SAMPLES
from extract import outdir, tables

YEAR_TABLES = ("sheets", "criteria", "fields")
# an r4 sheet with warnings, an h28 sheet, a file with no sheet (file-level error)
PDFS = ("r4-unv-kangxi.pdf", "h28-iom-trafficking.pdf", "not-a-sheet.pdf")


@pytest.fixture(scope="module")
def out(tmp_path_factory, extracted):
    """An output whose first sheet has no fiscal year (as when the year cannot be read) and
    a warning, next to a sheet of 2016 and a file with no sheet."""
    from extract.model import Problem
    results = [copy.deepcopy(extracted(SAMPLES / n)) for n in PDFS]
    first = results[0].sheets[0]
    first.fields["fiscal_year"] = None
    results[0].problems.append(Problem("warning", "missing_field", "No fiscal year.",
                                       "fiscal_year", first.sheet_index))
    d = tmp_path_factory.mktemp("layout") / "out"
    tables.write(results, d)
    return d


def _no_year_ids(out) -> set[str]:
    s = pd.read_parquet(out / "sheets")
    return set(s.loc[s["fiscal_year"].isna(), "sheet_id"])


@pytest.mark.parametrize("name", YEAR_TABLES)
def test_pandas_reads_fiscal_year_as_nullable_int(out, name):
    df = pd.read_parquet(out / name)
    assert list(df.columns).count("fiscal_year") == 1 and "fy" not in df.columns
    assert str(df["fiscal_year"].dtype) == "Int32"
    nulls = df["fiscal_year"].isna()
    assert nulls.any() and not nulls.all()
    assert set(df.loc[nulls, "sheet_id"]) == _no_year_ids(out)
    assert len(df[df["fiscal_year"] == 2016]) > 0     # compares as a number


@pytest.mark.parametrize("name", YEAR_TABLES)
def test_duckdb_reads_fiscal_year_as_integer(out, name):
    duckdb = pytest.importorskip("duckdb")
    rel = duckdb.sql(f"SELECT * FROM read_parquet('{(out / name).as_posix()}/**/*.parquet', "
                     "hive_partitioning = true)")
    assert rel.columns.count("fiscal_year") == 1 and "fy" not in rel.columns
    assert dict(zip(rel.columns, map(str, rel.types)))["fiscal_year"] == "INTEGER"
    ids = {r[0] for r in duckdb.sql("SELECT sheet_id FROM rel WHERE fiscal_year IS NULL").fetchall()}
    assert ids == _no_year_ids(out)
    assert duckdb.sql("SELECT count(*) FROM rel WHERE fiscal_year = 2016").fetchall()[0][0] > 0


@pytest.mark.parametrize("name", YEAR_TABLES)
def test_pyarrow_dataset_reads_fiscal_year_as_int32(out, name):
    t = ds.dataset(out / name, partitioning="hive").to_table()
    assert t.schema.names.count("fiscal_year") == 1 and "fy" not in t.schema.names
    assert t.schema.field("fiscal_year").type == pa.int32()
    years = t.column("fiscal_year").to_pylist()
    ids = {sid for sid, y in zip(t.column("sheet_id").to_pylist(), years) if y is None}
    assert ids == _no_year_ids(out) and 2016 in years


def test_one_file_per_fiscal_year(out):
    for name in YEAR_TABLES:
        files = sorted(p.name for p in (out / name).glob("*.parquet"))
        assert files == ["2016.parquet", "unknown.parquet"], (name, files)
    assert sorted(p.name for p in (out / "problems").glob("*.parquet")) == ["part-0.parquet"]
    assert not list(out.glob("*/*/")), "no sub-folders: the layout is flat"


def test_criteria_and_fields_carry_their_sheets_year(out):
    sheets = pd.read_parquet(out / "sheets").set_index("sheet_id")["fiscal_year"]
    for name in ("criteria", "fields"):
        df = pd.read_parquet(out / name)
        want = df["sheet_id"].map(sheets)
        assert df["fiscal_year"].astype("Int32").equals(want.astype("Int32")), name


def test_integer_columns_read_as_nullable_ints_in_pandas(out):
    for name in tables.SCHEMAS:
        df = pd.read_parquet(out / name)
        for f in tables.SCHEMAS[name]:
            want = {pa.int32(): "Int32", pa.int64(): "Int64"}.get(f.type)
            if want:
                assert str(df[f.name].dtype) == want, (name, f.name, df[f.name].dtype)


def test_problems_sheet_index_is_int32_and_sheet_id_joins_sheets(out):
    problems = pd.read_parquet(out / "problems")
    sheets = pd.read_parquet(out / "sheets")
    assert str(problems["sheet_index"].dtype) == "Int32"
    file_level = problems["sheet_index"].isna()
    assert file_level.any() and (~file_level).any()
    assert problems.loc[file_level, "sheet_id"].isna().all()
    joined = problems[~file_level].merge(sheets, on="sheet_id", suffixes=("", "_sheet"))
    assert len(joined) == (~file_level).sum()
    assert (joined["source_path"] == joined["source_path_sheet"]).all()
    assert (joined["sheet_index"] == joined["sheet_index_sheet"]).all()


def test_a_problem_of_a_sheet_that_could_not_be_read_has_no_sheet_id():
    from extract.model import FileResult, Problem
    r = FileResult(source_path="x.pdf", source_sha256="0" * 64, sheets=[],
                   problems=[Problem("error", "layout_error", "The sheet could not be read.", None, 1)])
    [p] = tables.rows([r])["problems"]
    assert p["sheet_index"] == 1 and p["sheet_id"] is None


def test_an_empty_output_keeps_every_column(tmp_path):
    d = tmp_path / "out"
    with outdir.lock(d):
        tables.write_tables({n: [] for n in tables.SCHEMAS}, d)
    for name, schema in tables.SCHEMAS.items():
        df = pd.read_parquet(d / name)
        assert list(df.columns) == schema.names and len(df) == 0
        ints = [c for c in ("fiscal_year", "sheet_index") if c in schema.names]
        assert all(str(df[c].dtype) == "Int32" for c in ints)
    assert "fiscal_year" in tables.SCHEMAS["sheets"].names


def test_a_marked_output_of_the_hive_layout_is_replaced(tmp_path, extracted):
    """The layout of the versions between the marks and this one: fy=2016/part-0.parquet
    listed in .extract-table.json."""
    import pyarrow.parquet as pq
    d = tmp_path / "out"
    for name in outdir.TABLES:
        folder = d / name / "fy=2016"
        folder.mkdir(parents=True)
        pq.write_table(pa.table({"sheet_id": ["old"]}), folder / "part-0.parquet")
        outdir.write_mark(d / name)
    tables.write([extracted(SAMPLES / "h28-iom-trafficking.pdf")], d)
    assert not list(d.glob("*/fy=*")) and not list(d.glob(".extract-tmp-*"))
    assert list(pd.read_parquet(d / "sheets")["fiscal_year"]) == [2016]
