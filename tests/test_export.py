"""`extract export`: CSV (UTF-8 with BOM) and xlsx read back give the tables' values, types and
Japanese text; cells Excel cannot hold are left empty and named; usage errors exit 2."""
from __future__ import annotations

import math

import pandas as pd
import pyarrow as pa
import pytest

from conftest import sample_pdfs
from extract import cli
from extract.export import XLSX_MAX_CELL, ExportError, export, write_csv, write_xlsx
from extract.outputs import OutputError, read_output
from extract.tables import SCHEMAS

openpyxl = pytest.importorskip("openpyxl")

_PANDAS_TYPE = {pa.string(): "string", pa.int32(): "Int32", pa.int64(): "Int64",
                pa.float64(): "Float64"}


@pytest.fixture(scope="module")
def out(tmp_path_factory, extracted):
    from extract import tables
    d = tmp_path_factory.mktemp("export") / "out"
    tables.write([extracted(p) for p in sample_pdfs()], d)
    return d


def _plain(v):
    """A cell value as it compares: None for null, NaN and the empty string."""
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) or v == "":
        return None
    return v


def _rows(table: pa.Table) -> list[list]:
    return [[_plain(v) for v in r.values()] for r in table.to_pylist()]


def _read_csv(path, name):
    schema = SCHEMAS[name]
    df = pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False, na_values=[""],
                     dtype={f.name: _PANDAS_TYPE[f.type] for f in schema})
    return df


def test_csv_reads_back_with_types_and_japanese_text(out, tmp_path):
    res = export(out, "csv", tmp_path / "csv")
    tables = read_output(out)
    assert [p.name for p in res.files] == [f"{n}.csv" for n in tables]
    assert res.rows["sheets"] >= 15 and res.rows["fields"] > 300 and not res.omitted
    for name, table in tables.items():
        path = tmp_path / "csv" / f"{name}.csv"
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
        df = _read_csv(path, name)
        assert list(df.columns) == table.column_names
        got = [[_plain(v) for v in row] for row in df.astype(object).itertuples(index=False)]
        assert got == _rows(table), name
    sheets = _read_csv(tmp_path / "csv" / "sheets.csv", "sheets")
    assert sheets["budget_jpy"].dtype == "Int64" and sheets["fiscal_year"].dtype == "Int32"
    assert "国連難民高等弁務官事務所(UNHCR)拠出金" in set(sheets["contribution_key"])
    # integers with nulls are written as integers: no "2016.0", no "1.0"
    text = (tmp_path / "csv" / "problems.csv").read_text(encoding="utf-8-sig")
    assert ".0," not in text and "unknown_template" in text
    assert any("\n" in t for t in sheets["overview"].dropna())      # paragraphs in one cell


def test_xlsx_reads_back_with_types_and_japanese_text(out, tmp_path):
    book = tmp_path / "tables.xlsx"
    res = export(out, "xlsx", book)
    assert res.files == [book] and not res.omitted
    tables = read_output(out)
    wb = openpyxl.load_workbook(book, read_only=True)
    assert wb.sheetnames == list(tables)
    for name, table in tables.items():
        values = list(wb[name].iter_rows(values_only=True))
        assert list(values[0]) == table.column_names
        got, want = [[_plain(v) for v in row] for row in values[1:]], _rows(table)
        assert len(got) == len(want), name
        for g, w in zip(got, want):     # floats keep Excel's 15 significant digits
            assert [round(x, 9) if isinstance(x, float) else x for x in g] == \
                [round(x, 9) if isinstance(x, float) else x for x in w], (name, w[0])
        for f in table.schema:      # numbers are numbers, texts strings
            col = table.column_names.index(f.name)
            kinds = {type(row[col]) for row in values[1:] if row[col] is not None}
            want = {pa.string(): {str}, pa.int32(): {int}, pa.int64(): {int},
                    pa.float64(): {float, int}}[f.type]
            assert kinds <= want, (name, f.name, kinds)
    wb.close()


def test_cells_excel_cannot_hold_are_left_empty_and_named(tmp_path):
    long_text = "達成状況。" * (XLSX_MAX_CELL // 5 + 1)
    sheets = pa.Table.from_pylist(
        [{"sheet_id": "a", "overview": long_text, "fiscal_year": 2016},
         {"sheet_id": "b", "overview": "概要\x07", "fiscal_year": None}],
        schema=pa.schema([SCHEMAS["sheets"].field(c) for c in ("sheet_id", "overview", "fiscal_year")]))
    res = write_xlsx({"sheets": sheets}, tmp_path / "t.xlsx")
    assert len(res.omitted) == 2
    assert "sheets row 2 column overview" in res.omitted[0] and "32,767" in res.omitted[0]
    assert "sheets row 3 column overview" in res.omitted[1]
    rows = list(openpyxl.load_workbook(tmp_path / "t.xlsx").active.iter_rows(values_only=True))
    assert rows[1] == ("a", None, 2016) and rows[2] == ("b", None, None)
    # the CSV has the whole text
    write_csv({"sheets": sheets}, tmp_path / "c")
    df = pd.read_csv(tmp_path / "c" / "sheets.csv", encoding="utf-8-sig")
    assert df["overview"][0] == long_text


def test_export_errors(out, tmp_path):
    with pytest.raises(OutputError):
        export(tmp_path / "missing", "csv", tmp_path / "x")
    with pytest.raises(ExportError):
        export(out, "xlsx", tmp_path)                     # a folder, not a file
    (tmp_path / "file").write_text("x")
    with pytest.raises(ExportError):
        export(out, "csv", tmp_path / "file")             # a file, not a folder
    with pytest.raises(ExportError):
        export(out, "ods", tmp_path / "x.ods")


def test_export_command(out, tmp_path, capsys):
    assert cli.main(["export", str(out), "--to", "csv", str(tmp_path / "csv")]) == 0
    said = capsys.readouterr().out
    assert "4 file(s) written" in said and (tmp_path / "csv" / "criteria.csv").is_file()
    assert cli.main(["export", str(out), "--to", "xlsx", str(tmp_path / "t.xlsx")]) == 0
    assert cli.main(["export", str(tmp_path / "nothing"), "--to", "csv", str(tmp_path / "c")]) == 2
    assert "no such output folder" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:
        cli.main(["export", str(out), "--to", "pdf", str(tmp_path / "c")])
    assert e.value.code == 2
