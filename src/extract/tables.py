"""The output tables as Arrow and Parquet: the schemas of the columns rows.py names, and the
writer of a run (the rows themselves are built in rows.py, without pyarrow)."""
from __future__ import annotations

import contextlib
import functools
import shutil
import signal
import threading
from pathlib import Path

import pyarrow as pa

from . import arrays, outdir
from .model import FileResult
from .rows import (TABLE_COLUMNS, Columns, sheet_columns, sheet_columns_for,
                   template_field_columns)
from .rows import rows  # noqa: F401  (tables.rows: the rows of the tables this module writes)

# Arrow types of the column type names (rows.py; parsers.Column.type).
ARROW_TYPES = {"string": pa.string(), "int32": pa.int32(), "int64": pa.int64(), "float64": pa.float64(),
               "list": pa.list_(pa.string())}


def schema_of(columns: Columns) -> pa.Schema:
    return pa.schema([(name, ARROW_TYPES[t]) for name, t in columns])


def sheets_schema(templates: list) -> pa.Schema:
    """The sheets table of these templates: keys, each field's columns (parsers.py), the
    cross-year keys, quality."""
    return schema_of(sheet_columns(template_field_columns(templates)))


# Every table's schema: the sheets table is the shipped rules' (= sheets_schema(load_rules()),
# a test checks it), the contract of OUTPUT_SCHEMA.md (a rules folder may add columns:
# sheets_schema_for); then criteria, problems, fields and the shipped cell families' tables.
SCHEMAS = {name: schema_of(cols) for name, cols in TABLE_COLUMNS.items()}
SHEETS = SCHEMAS["sheets"]
# Columns of criteria and fields that repeat their sheet's: fiscal_year, so that every table
# split by fiscal year carries the column (a reader of one table sees the year it is split by).
SHEET_YEAR_TABLES = ("criteria", "fields")
# How pandas reads each Arrow type back: integers as its nullable Int32/Int64 (pd.NA for
# null; without this a column holding a null reads as float64), the rest as it would anyway.
_PANDAS_TYPES = {pa.int32(): ("int32", "Int32"), pa.int64(): ("int64", "Int64"),
                 pa.float64(): ("float64", "float64"), pa.string(): ("unicode", "object")}


def sheets_schema_for(results: list[FileResult]) -> pa.Schema:
    """SHEETS, with any column the templates of these results add before the quality."""
    return schema_of(sheet_columns_for(results))


def to_arrow(results: list[FileResult]) -> dict[str, pa.Table]:
    schemas = {**SCHEMAS, "sheets": sheets_schema_for(results)}
    return {name: arrays.table(rs, schemas[name]) for name, rs in rows(results).items()}


def to_frames(results: list[FileResult]) -> dict[str, "pd.DataFrame"]:
    import pandas as pd     # here: a run writes its tables without pandas (0.5 s to import)
    return {name: t.to_pandas(types_mapper=pd.ArrowDtype) for name, t in to_arrow(results).items()}


def write(results: list[FileResult], out_dir: str | Path) -> dict[str, int]:
    """Write the tables of `results` to out_dir exactly as `extract run` does (taking the
    output folder's lock; OutputError / OutputBusy when it cannot)."""
    out_dir = Path(out_dir)
    with outdir.lock(out_dir):
        outdir.remove_leftovers(out_dir)
        return write_tables(rows(results), out_dir, {"sheets": sheets_schema_for(results)})


@contextlib.contextmanager
def _signals_held():
    """Let no SIGINT/SIGTERM cut the swap of the table folders short. One that comes during
    the swap is dropped: the new output is in place by then, so the run has finished."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = [signal.SIGINT, signal.SIGTERM]
    old = {s: signal.signal(s, signal.SIG_IGN) for s in held}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


# Tables partitioned by the sheet's fiscal year; the others (problems, the review family's
# tables, which hold several fiscal years per sheet) are one file each.
PARTITIONED = ("sheets", "criteria", "fields")


def _pandas_type(t: pa.DataType) -> tuple[str, str]:
    if pa.types.is_list(t):     # the review family's lists of strings (methods)
        return ("list[unicode]", "object")
    return _PANDAS_TYPES[t]


def load() -> None:
    """Everything writing will need, loaded now (batch.py calls it in a thread while a run
    plans and extracts): pyarrow.parquet and pandas' version (from its metadata, 17 ms).
    Not pandas: the tables are built without it (arrays.py)."""
    import pyarrow.parquet  # noqa: F401
    _pandas_version()


@functools.lru_cache(maxsize=1)
def _pandas_version() -> str:
    """The installed pandas' version, read from its metadata (importing pandas costs 0.5 s)."""
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("pandas")
    except PackageNotFoundError:
        return ""


def pandas_schema(schema: pa.Schema) -> pa.Schema:
    """`schema` with the pandas metadata that makes `pandas.read_parquet` read every integer
    column as Int32/Int64 (pd.NA for null) whether or not it holds a null; other readers
    ignore it."""
    import json
    cols = [{"name": f.name, "field_name": f.name, "pandas_type": _pandas_type(f.type)[0],
             "numpy_type": _pandas_type(f.type)[1], "metadata": None} for f in schema]
    meta = {"index_columns": [], "column_indexes": [], "columns": cols, "attributes": {},
            "creator": {"library": "extract"}, "pandas_version": _pandas_version()}
    return schema.with_metadata({b"pandas": json.dumps(meta).encode()})


def part_name(year: int | None) -> str:
    """The file of one fiscal year in a table folder: 2016.parquet; unknown.parquet for the
    sheets whose year was not read (and their criteria and fields)."""
    return "unknown.parquet" if year is None else f"{year}.parquet"


def _by_year(name: str, rows_: list[dict], year_of: dict[str, int | None]) -> dict:
    """The rows of a table split by fiscal year (the sheet's, for criteria and fields)."""
    parts: dict[int | None, list[dict]] = {}
    for r in rows_:
        y = r.get("fiscal_year") if name == "sheets" else year_of.get(r["sheet_id"])
        parts.setdefault(y, []).append(r)
    return parts


def _year_table(name: str, rs: list[dict], year: int | None, schema: pa.Schema) -> pa.Table:
    schema = pandas_schema(schema)
    t = arrays.table(rs, schema)
    if name in SHEET_YEAR_TABLES:   # the sheet's year, whatever the rows carry
        i = schema.get_field_index("fiscal_year")
        t = t.set_column(i, schema.field(i), arrays.column([year] * len(rs), pa.int32()))
    return t


def _write_parquet(all_rows: dict[str, list[dict]], tmp: Path, schemas: dict[str, pa.Schema]) -> dict[str, int]:
    import pyarrow.parquet as pq
    year_of = {r["sheet_id"]: r.get("fiscal_year") for r in all_rows["sheets"]}
    counts = {}
    for name in outdir.TABLES:
        rows_ = all_rows.get(name, [])
        folder = tmp / name
        folder.mkdir()
        counts[name] = len(rows_)
        if name not in PARTITIONED or not rows_:     # an empty table still has its schema on disk
            pq.write_table(arrays.table(rows_, pandas_schema(schemas[name])),
                           folder / "part-0.parquet")
        else:
            parts = _by_year(name, rows_, year_of)
            for year in sorted(parts, key=lambda y: (y is None, y or 0)):
                pq.write_table(_year_table(name, parts[year], year, schemas[name]), folder / part_name(year))
        outdir.write_mark(folder)
    return counts


def _swap(tmp: Path, out_dir: Path) -> None:
    """Move each new table folder into place; the old ones go into tmp (deleted with it)."""
    with _signals_held():
        outdir.swap_in(tmp, out_dir)


def write_tables(all_rows: dict[str, list[dict]], out_dir: Path,
                 schemas: dict[str, pa.Schema] | None = None) -> dict[str, int]:
    """Write the tables into a temporary folder inside out_dir, then swap each into place.
    The caller holds out_dir's lock (outdir.lock).

    sheets, criteria and fields are split by fiscal year, one file each (2016.parquet,
    unknown.parquet where none was read: see the README's "Output layout" for why not hive
    folders), fiscal_year a column of each; problems is one file. A table folder that extract did
    not write is never replaced (OutputError); on a write error (a full disk) the previous
    tables stay as they were, nothing temporary is left, and OutputError says why.
    `schemas`: a table's schema where it is not SCHEMAS' (the sheets table of a rules folder
    that adds fields: sheets_schema(templates))."""
    out_dir = Path(out_dir)
    outdir.check_replaceable(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        tmp = outdir.make_tmp(out_dir)
    except OSError as e:
        raise outdir.OutputError(f"cannot write the output folder ({outdir.describe(e, out_dir)})") from e
    try:
        counts = _write_parquet(all_rows, tmp, {**SCHEMAS, **(schemas or {})})
        _swap(tmp, out_dir)
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise outdir.OutputError(f"cannot write the tables ({outdir.describe(e, e.filename or out_dir)}); "
                                 "the previous output is unchanged") from e
    shutil.rmtree(tmp, ignore_errors=True)
    return counts
