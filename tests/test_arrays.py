"""arrays.py builds the output tables' Arrow columns itself: the same tables as pyarrow's
from_pylist (property test), stricter where from_pylist converts silently, and without
importing pandas, which from_pylist does (the reason the module exists)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract import arrays, tables

ROOT = Path(__file__).resolve().parents[1]

SCHEMA = pa.schema([("s", pa.string()), ("i32", pa.int32()), ("i64", pa.int64()),
                    ("f", pa.float64()), ("l", pa.list_(pa.string()))], metadata={b"k": b"v"})
_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)    # no lone surrogate
_row = st.fixed_dictionaries({}, optional={
    "s": st.none() | _text,
    "i32": st.none() | st.integers(-2**31, 2**31 - 1),
    "i64": st.none() | st.integers(-2**63, 2**63 - 1),
    "f": st.none() | st.floats(allow_nan=False) | st.integers(-2**53, 2**53),
    "l": st.none() | st.lists(st.none() | _text, max_size=4),
    "extra": st.integers(),             # a key the schema lacks: ignored
})


@settings(max_examples=300, deadline=None)
@given(st.lists(_row, max_size=30))
def test_a_table_equals_from_pylists(rows):
    got = arrays.table(rows, SCHEMA)
    got.validate(full=True)
    assert got.equals(pa.Table.from_pylist(rows, schema=SCHEMA), check_metadata=True)


def test_the_tables_schemas_are_all_buildable():
    """Every column type of every output table has a builder (an empty table of each)."""
    for name, schema in tables.SCHEMAS.items():
        assert arrays.table([], schema).num_rows == 0, name


@pytest.mark.parametrize("value, type_", [
    (1.5, pa.int32()),          # from_pylist truncates it to 1
    (2.0, pa.int64()),          # ... and this to 2
    (True, pa.float64()),       # from_pylist: 1.0
    (b"x", pa.string()),        # from_pylist: decodes it
    (1, pa.string()),
    ("12", pa.int32()),
    ("ab", pa.list_(pa.string())),  # from_pylist: ["a", "b"]
])
def test_a_value_of_another_type_is_refused(value, type_):
    with pytest.raises(TypeError, match="cannot convert"):
        arrays.column([None, value], type_)


def test_from_pylist_would_have_truncated_the_float():
    """Why integers() checks types: pyarrow's converter drops a fraction silently."""
    assert pa.array([1.5], pa.int32()).to_pylist() == [1]


@pytest.mark.parametrize("value, type_", [(2**31, pa.int32()), (-2**31 - 1, pa.int32()), (2**63, pa.int64())])
def test_an_integer_out_of_range_is_refused(value, type_):
    with pytest.raises(OverflowError):
        arrays.column([value], type_)


def test_a_type_without_a_builder_is_refused():
    with pytest.raises(TypeError, match="no column builder"):
        arrays.column([1], pa.int8())


def _pandas_loaded_after(code: str) -> bool:
    r = subprocess.run([sys.executable, "-c", f"import sys\n{code}\nprint('pandas' in sys.modules)"],
                       capture_output=True, text=True, check=True, cwd=ROOT)
    return r.stdout.strip().splitlines()[-1] == "True"


def test_pyarrows_converter_imports_pandas():
    """The reason for arrays.py: from_pylist imports pandas (0.2 s of CPU) on its first
    call. Should a pyarrow release stop doing so, this fails and arrays.py can go."""
    assert _pandas_loaded_after("import pyarrow as pa\npa.Table.from_pylist([{'a': 1}])")


def test_writing_a_runs_tables_imports_no_pandas(tmp_path):
    code = (f"from extract import api, tables\n"
            f"r = api.extract_pdf({str(ROOT / 'samples' / 'r4-unv-kangxi.pdf')!r})\n"
            f"tables.load()\n"
            f"print(tables.write([r], {str(tmp_path)!r}))")
    assert not _pandas_loaded_after(code)
    assert (tmp_path / "sheets").is_dir()
