"""An output folder of `extract run` read back as typed Arrow tables, in the columns and types
of the output contract (tables.SCHEMAS), whatever the partition layout on disk."""
from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from .tables import SCHEMAS

TABLE_NAMES = ("sheets", "criteria", "problems", "fields")


class OutputError(Exception):
    """An output folder or one of its tables is missing or unreadable."""


def _table_path(out_dir: Path, name: str) -> Path | None:
    for p in (out_dir / name, out_dir / f"{name}.parquet"):
        if p.exists():
            return p
    return None


def read_table(out_dir: str | Path, name: str) -> pa.Table:
    """OUT/<name> (a Parquet dataset folder, or OUT/<name>.parquet) with the contract's columns
    in its order and types, whatever the layout (one file per fiscal year, or the hive folders
    fy=2016/ of older versions): their partition column fy, which repeats fiscal_year, is left
    out, and a column the folder does not have (written by an older version) is left out too."""
    import pyarrow.parquet as pq
    out_dir = Path(out_dir)
    path = _table_path(out_dir, name)
    if path is None:
        raise OutputError(f"{out_dir} has no table {name!r} (expected {out_dir / name}/): "
                          "is it an output folder of `extract run`?")
    try:
        table = pq.read_table(path)
    except Exception as e:   # pyarrow raises several kinds for a damaged file
        raise OutputError(f"cannot read table {path}: {type(e).__name__}: {e}") from e
    schema = SCHEMAS[name]
    cols = [c for c in schema.names if c in table.column_names]
    return table.select(cols).cast(pa.schema([schema.field(c) for c in cols]))


def read_output(out_dir: str | Path, names: tuple[str, ...] = TABLE_NAMES) -> dict[str, pa.Table]:
    """Every table of an output folder; a folder without `fields` (written before the table
    existed) gives an empty one."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise OutputError(f"no such output folder: {out_dir}")
    tables = {}
    for name in names:
        if name == "fields" and _table_path(out_dir, name) is None:
            tables[name] = SCHEMAS[name].empty_table()
        else:
            tables[name] = read_table(out_dir, name)
    return tables
