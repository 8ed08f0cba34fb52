"""`extract export OUT --to csv|xlsx DEST`: the tables of an output folder for spreadsheet users.

- CSV: one file per table, DEST/<table>.csv, UTF-8 with a byte-order mark (Excel on a
  Japanese Windows reads it as UTF-8, not Shift_JIS), CRLF line ends (RFC 4180), fields quoted
  where needed, so texts with line breaks stay in one cell. Integers are written without a
  decimal point even where a column has nulls; a null is an empty field.
- xlsx: one workbook, DEST, with a sheet per table (needs openpyxl: `pip install
  'extract[xlsx]'`). Integer and float columns are numbers (floats with Excel's 15
  significant digits), texts are strings, nulls empty cells; the header row is frozen and
  filterable.

In both, a null and an empty text are the same empty cell.

Texts are written as they are in the Parquet tables. Excel cannot hold more than 32,767
characters in a cell nor text with control characters; such a cell is left empty and named in
`Export.omitted`, never cut.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from .outputs import read_output

FORMATS = ("csv", "xlsx")
XLSX_MAX_CELL = 32_767           # characters Excel allows in one cell
XLSX_MAX_ROWS = 1_048_576        # rows of an Excel worksheet, header included
# what openpyxl refuses in a cell (its ILLEGAL_CHARACTERS_RE): C0 controls but \t \n \r
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class ExportError(Exception):
    """The export cannot be written (bad destination, missing extra, a table too long)."""


@dataclass
class Export:
    """What an export wrote: the files, rows per table, and cells left empty (with why)."""
    files: list[Path] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    omitted: list[str] = field(default_factory=list)


def _frame(table: pa.Table):
    """A DataFrame keeping integer columns integer (nullable) and texts as str."""
    import pandas as pd
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def write_csv(tables: dict[str, pa.Table], folder: str | Path) -> Export:
    """DEST/<table>.csv for each table (UTF-8 with BOM)."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ExportError(f"{folder} is a file; CSV export needs a folder")
    folder.mkdir(parents=True, exist_ok=True)
    res = Export()
    for name, table in tables.items():
        path = folder / f"{name}.csv"
        _frame(table).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")
        res.files.append(path)
        res.rows[name] = table.num_rows
    return res


def _cell(value, where: str, omitted: list[str]):
    if isinstance(value, str):
        if len(value) > XLSX_MAX_CELL:
            omitted.append(f"{where}: {len(value):,} characters, more than the "
                           f"{XLSX_MAX_CELL:,} Excel allows in a cell (the CSV export has it)")
            return None
        if _ILLEGAL.search(value):
            omitted.append(f"{where}: control characters Excel cannot store")
            return None
    return value


def _sheet_rows(name: str, table: pa.Table, omitted: list[str]):
    cols = table.column_names
    for i, row in enumerate(table.to_pylist()):
        yield [_cell(row[c], f"{name} row {i + 2} column {c}", omitted) for c in cols]


def write_xlsx(tables: dict[str, pa.Table], path: str | Path) -> Export:
    """One workbook at `path` with a sheet per table."""
    try:
        from openpyxl import Workbook
        from openpyxl.utils import get_column_letter
    except ImportError as e:
        raise ExportError("xlsx export needs openpyxl: pip install 'extract[xlsx]'") from e
    path = Path(path)
    if path.is_dir():
        raise ExportError(f"{path} is a folder; xlsx export needs a file name (OUT.xlsx)")
    for name, table in tables.items():
        if table.num_rows + 1 > XLSX_MAX_ROWS:
            raise ExportError(f"table {name} has {table.num_rows:,} rows, more than an Excel "
                              f"sheet holds ({XLSX_MAX_ROWS - 1:,}); export it as CSV")
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook(write_only=True)
    res = Export()
    for name, table in tables.items():
        ws = wb.create_sheet(name)
        ws.freeze_panes = "A2"
        ncol = max(table.num_columns, 1)
        ws.auto_filter.ref = f"A1:{get_column_letter(ncol)}{table.num_rows + 1}"
        ws.append(table.column_names)
        for row in _sheet_rows(name, table, res.omitted):
            ws.append(row)
        res.rows[name] = table.num_rows
    wb.save(path)
    res.files.append(path)
    return res


def export(out_dir: str | Path, to: str, dest: str | Path) -> Export:
    """Export every table of the output folder `out_dir` as `to` (csv or xlsx) into `dest`
    (a folder for CSV, a file for xlsx). Raises OutputError or ExportError."""
    if to not in FORMATS:
        raise ExportError(f"unknown format {to!r} (one of {', '.join(FORMATS)})")
    tables = read_output(out_dir)
    return write_csv(tables, dest) if to == "csv" else write_xlsx(tables, dest)
