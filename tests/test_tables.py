"""tables.table: rows to Arrow through Arrow's JSON reader (pa.Table.from_pylist makes
pyarrow import pandas, a fifth of a second of every run's main process) gives exactly the
table from_pylist gives, for every column type the output tables use."""
from __future__ import annotations

import math
import subprocess
import sys

import pyarrow as pa
from hypothesis import given, settings, strategies as st

from conftest import ROOT
from extract.tables import SCHEMAS, table

SCHEMA = pa.schema([("s", pa.string()), ("i32", pa.int32()), ("i64", pa.int64()),
                    ("f", pa.float64()), ("l", pa.list_(pa.string()))], metadata={b"k": b"v"})
_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
_row = st.fixed_dictionaries({}, optional={
    "s": st.none() | _text,
    "i32": st.none() | st.integers(-2**31, 2**31 - 1),
    "i64": st.none() | st.integers(-2**63, 2**63 - 1),
    "f": st.none() | st.floats(allow_nan=False, allow_infinity=False) | st.integers(-2**53, 2**53),
    "l": st.none() | st.lists(_text, max_size=3),
    "extra": st.integers()})


def _bits(t: pa.Table) -> list:
    """The table's values, floats by their bits (-0.0 is not 0.0 here)."""
    return [[math.copysign(1, v) if isinstance(v, float) and v == 0 else v for v in col]
            for col in t.to_pydict().values()]


@settings(max_examples=200, deadline=None)
@given(st.lists(_row, max_size=20))
def test_table_is_from_pylist(rows):
    got, want = table(rows, SCHEMA), pa.Table.from_pylist(rows, schema=SCHEMA)
    assert got.schema.equals(want.schema, check_metadata=True)
    assert got.equals(want)
    assert _bits(got) == _bits(want)


def test_a_nan_goes_the_slow_way():
    rows = [{"f": math.nan}, {"f": math.inf}]
    got = table(rows, SCHEMA)
    assert math.isnan(got["f"][0].as_py()) and got["f"][1].as_py() == math.inf


def test_the_output_tables_of_a_sample_are_the_same_either_way():
    from extract import extract_pdf
    from extract.tables import rows
    res = extract_pdf(ROOT / "samples" / "r1-two-budgets.pdf")
    for name, rs in rows([res]).items():
        schema = SCHEMAS.get(name)
        if schema is not None and rs:
            assert table(rs, schema).equals(pa.Table.from_pylist(rs, schema=schema)), name


def test_a_run_writes_its_tables_without_importing_pandas(tmp_path):
    code = ("import sys\nfrom extract import batch\n"
            f"batch.run([{str(ROOT / 'samples' / 'h28-fake-bold.pdf')!r}], {str(tmp_path / 'out')!r}, jobs=1)\n"
            "print('pandas' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "False"
    assert list((tmp_path / "out" / "sheets").glob("*.parquet"))
