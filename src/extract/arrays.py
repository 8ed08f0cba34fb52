"""Arrow tables built from rows (dicts) without pyarrow's converter of Python objects.

`pa.array`, `pa.scalar` and `pa.Table.from_pylist` import pandas on their first call
(pyarrow's pandas shim asks of every input whether it is a pandas object): 0.2 s of CPU in
the main process of every run, on the cores the workers start on, and most of a small run's
wall time (`import pandas, pyarrow.parquet` 0.36 s, `pyarrow.parquet` alone 0.16 s). So the
writer builds each column from its buffers (numpy, which pyarrow loads anyway) and hands
pyarrow finished arrays. Only the types of the tables (tables.ARROW_TYPES): string, int32,
int64, float64, list of strings; a value of another Python type is a TypeError and an
integer out of its type's range an OverflowError. Stricter than from_pylist, never looser:
it also refuses a float in an integer column (from_pylist truncates 1.5 to 1), bytes or a
bool for a string or a number, and a string for a list. tests/test_arrays.py checks that
every table it builds equals from_pylist's.
"""
from __future__ import annotations

from itertools import repeat
from operator import is_not
from typing import Callable

import numpy as np
import pyarrow as pa

_INTS = {pa.int32(): np.int32, pa.int64(): np.int64}


def _validity(values: list, nulls: int) -> pa.Buffer | None:
    """The validity bitmap of `values` (None: null) holding `nulls` nulls (none: no bitmap)."""
    if not nulls:
        return None
    valid = np.fromiter(map(is_not, values, repeat(None)), dtype=bool, count=len(values))
    return pa.py_buffer(np.packbits(valid, bitorder="little"))


def _filled(values: list, nulls: int, fill: object) -> list:
    """`values` with `fill` for None (the values themselves when none is null)."""
    return [fill if v is None else v for v in values] if nulls else values


def _offsets(lengths: list[int]) -> pa.Buffer:
    """Arrow offsets (int32, from 0) of items of these lengths."""
    out = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(np.asarray(lengths, dtype=np.int64), out=out[1:])
    if out[-1] > np.iinfo(np.int32).max:
        raise OverflowError("a column of more than 2 GiB: too large for an Arrow string or list array")
    return pa.py_buffer(out.astype(np.int32))


_NONE = type(None)
_INTEGER = (int, np.integer)
_NUMBER = (int, float, np.integer, np.floating)


def _check(values: list, allowed: tuple[type, ...], type_: pa.DataType) -> None:
    """A TypeError naming the first value whose Python type is not one of `allowed` (a bool
    never is); checked once per distinct type."""
    bad = {k for k in set(map(type, values)) - {_NONE} if issubclass(k, bool) or not issubclass(k, allowed)}
    if bad:
        v = next(v for v in values if type(v) in bad)
        raise TypeError(f"cannot convert {v!r} ({type(v).__name__}) to {type_}")


def strings(values: list) -> pa.Array:
    _check(values, (str,), pa.string())
    nulls = values.count(None)
    data = list(map(str.encode, _filled(values, nulls, "")))
    return pa.Array.from_buffers(pa.string(), len(values),
                                 [_validity(values, nulls), _offsets(list(map(len, data))), pa.py_buffer(b"".join(data))],
                                 null_count=nulls)


def integers(values: list, type_: pa.DataType) -> pa.Array:
    _check(values, _INTEGER, type_)     # not a float: from_pylist would truncate 1.5 to 1
    info = np.iinfo(_INTS[type_])
    nulls = values.count(None)
    present = [v for v in values if v is not None] if nulls else values
    if present and (min(present) < info.min or max(present) > info.max):
        out = next(v for v in present if not info.min <= v <= info.max)
        raise OverflowError(f"{out} is out of range for {type_}")
    data = np.array(_filled(values, nulls, 0), dtype=_INTS[type_])
    return pa.Array.from_buffers(type_, len(values), [_validity(values, nulls), pa.py_buffer(data)], null_count=nulls)


def floats(values: list) -> pa.Array:
    _check(values, _NUMBER, pa.float64())
    nulls = values.count(None)
    data = np.array(_filled(values, nulls, 0.0), dtype=np.float64)
    return pa.Array.from_buffers(pa.float64(), len(values), [_validity(values, nulls), pa.py_buffer(data)],
                                 null_count=nulls)


def string_lists(values: list) -> pa.Array:
    _check(values, (list, tuple), pa.list_(pa.string()))
    nulls = values.count(None)
    items = _filled(values, nulls, ())
    child = strings([s for v in items for s in v])
    return pa.Array.from_buffers(pa.list_(pa.string()), len(values),
                                 [_validity(values, nulls), _offsets(list(map(len, items)))],
                                 null_count=nulls, children=[child])


# Column builders by Arrow type: the engine's one registry of them.
BUILDERS: dict[pa.DataType, Callable[[list], pa.Array]] = {
    pa.string(): strings,
    pa.int32(): lambda vs: integers(vs, pa.int32()),
    pa.int64(): lambda vs: integers(vs, pa.int64()),
    pa.float64(): floats,
    pa.list_(pa.string()): string_lists,
}


def column(values: list, type_: pa.DataType) -> pa.Array:
    """pa.array(values, type_) for the tables' types (None: null)."""
    try:
        build = BUILDERS[type_]
    except KeyError:
        raise TypeError(f"no column builder for {type_}") from None
    return build(values)


def table(rows: list[dict], schema: pa.Schema) -> pa.Table:
    """pa.Table.from_pylist(rows, schema=schema): a key a row lacks is null, a key the
    schema lacks is ignored; the schema's metadata is kept."""
    return pa.Table.from_arrays([column(list(map(dict.get, rows, repeat(f.name))), f.type) for f in schema],
                                schema=schema)
