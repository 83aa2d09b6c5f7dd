"""NumPy and Arrow building blocks shared by every stage of the generator.

Dates are ``int32`` day numbers since 1970-01-01 (``NO_DATE`` stands for "no date": an
open end, no death, no release); months are ``int32`` month numbers since 1970-01. Money is
``int64`` cents until it becomes an Arrow ``decimal128`` column, so every amount is exact.

Strings are built without Python loops: fixed-width ASCII identifiers from a byte matrix
(zero copy into an Arrow ``string`` array), Chinese text by taking from small dictionaries
and joining the pieces with Arrow compute.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Any, Self

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

Array = npt.NDArray[Any]

NO_DATE = np.int32(2**31 - 1)
"""Sentinel day number: no date (null in the output)."""

_EPOCH = date(1970, 1, 1)


class Columns:
    """Base of a dataclass whose fields are equally long arrays: a table being built."""

    @property
    def n(self) -> int:
        return int(self.arrays()[0].size)

    def arrays(self) -> tuple[Array, ...]:
        return tuple(getattr(self, f.name) for f in fields(self))  # type: ignore[arg-type]

    @classmethod
    def concat(cls, parts: list[Self]) -> Self:
        return cls(*(np.concatenate(c) for c in zip(*(p.arrays() for p in parts), strict=True)))

    def append(self, other: Self) -> Self:
        return self.concat([self, other])

    def select(self, keep: Array) -> Self:
        return type(self)(*(a[keep] for a in self.arrays()))


def rng_for(seed: int, stage: str) -> np.random.Generator:
    """An independent random stream per stage, so one stage's draws never shift another's."""
    words = [int(b) for b in stage.encode("utf-8")]
    return np.random.default_rng(np.random.SeedSequence([seed, *words]))


def day(d: date) -> int:
    """Day number of a date."""
    return (d - _EPOCH).days


def to_date(n: int) -> date:
    return date.fromordinal(_EPOCH.toordinal() + int(n))


def civil(days: Array) -> tuple[Array, Array, Array]:
    """(year, month, day of month) of day numbers (proleptic Gregorian, integer arithmetic)."""
    z = days.astype(np.int64) + 719_468
    era = z // 146_097
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    dom = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    return year, month, dom


def from_civil(year: Array, month: Array, dom: Array | int) -> Array:
    """Day numbers of (year, month, day of month)."""
    y = year.astype(np.int64) - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    mp = np.where(month > 2, month - 3, month + 9)
    doy = (153 * mp + 2) // 5 + dom - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    out: Array = (era * 146_097 + doe - 719_468).astype(np.int64)
    return out


# Lookup tables for the common case (days and months between 1800 and 2200).
_MONTH_LO, _MONTH_HI = (1800 - 1970) * 12, (2200 - 1970) * 12
_DAY_LO = int(from_civil(np.array([1800]), np.array([1]), 1)[0])
_DAY_HI = int(from_civil(np.array([2200]), np.array([1]), 1)[0])
_MONTH_STARTS = from_civil(
    1970 + np.arange(_MONTH_LO, _MONTH_HI) // 12, np.arange(_MONTH_LO, _MONTH_HI) % 12 + 1, 1
).astype(np.int32)
_MONTH_OF_DAY = (
    np.searchsorted(_MONTH_STARTS, np.arange(_DAY_LO, _DAY_HI), side="right") - 1 + _MONTH_LO
).astype(np.int32)


def month_of(days: Array) -> Array:
    """Month numbers of day numbers (``NO_DATE`` maps to a far-future month)."""
    d = np.asarray(days)
    inside = (d >= _DAY_LO) & (d < _DAY_HI)
    out: Array = _MONTH_OF_DAY[np.where(inside, d - _DAY_LO, 0)]
    if not inside.all():
        year, month, _ = civil(d)
        out = np.where(inside, out, (year - 1970) * 12 + month - 1).astype(np.int32)
    return out


def month_start(months: Array) -> Array:
    """Day number of the first day of each month."""
    m = np.asarray(months)
    inside = (m >= _MONTH_LO) & (m < _MONTH_HI)
    out: Array = _MONTH_STARTS[np.where(inside, m - _MONTH_LO, 0)]
    if not inside.all():
        m64 = m.astype(np.int64)
        slow = from_civil(1970 + m64 // 12, m64 % 12 + 1, 1)
        out = np.where(inside, out, slow).astype(np.int32)
    return out


def month_end(months: Array) -> Array:
    """Day number of the last day of each month."""
    out: Array = month_start(np.asarray(months) + 1) - 1
    return out


def month_of_date(d: date) -> int:
    return (d.year - 1970) * 12 + d.month - 1


def yyyymmdd(days: Array) -> Array:
    """Day numbers as integers ``YYYYMMDD``."""
    year, month, dom = civil(days)
    out: Array = year * 10000 + month * 100 + dom
    return out


def year_of(days: Array) -> Array:
    out: Array = civil(days)[0].astype(np.int32)
    return out


def is_leap(year: Array) -> Array:
    out: Array = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    return out


def add_years(days: Array, years: Array | int) -> Array:
    """The same calendar day ``years`` later; 29 February becomes 28 February in a common
    year (as SQL ``date + INTERVAL n YEAR`` does)."""
    year, month, dom = civil(days)
    target = year + years
    dom = np.where((month == 2) & (dom == 29) & ~is_leap(target), 28, dom)
    out: Array = from_civil(target, month, dom).astype(np.int32)
    return out


def age_years(birth: Array, at: int | Array) -> Array:
    """Completed years of age at day ``at``."""
    b = yyyymmdd(birth)
    a = yyyymmdd(np.asarray(at, dtype=np.int64))
    out: Array = ((a - b) // 10000).astype(np.int32)
    return out


def order_by(*keys: Array, widths: tuple[int, ...]) -> Array:
    """Stable sort order by several non-negative integer keys, most significant first.

    The keys are packed into one ``int64`` (``widths`` are the bit widths of all keys but
    the first), which sorts much faster than ``np.lexsort``, above all on data that is
    already a concatenation of sorted runs.
    """
    packed = np.asarray(keys[0]).astype(np.int64)
    for key, width in zip(keys[1:], widths, strict=True):
        k = np.asarray(key).astype(np.int64)
        if k.size and (k.min() < 0 or k.max() >= 1 << width):
            raise ValueError(f"sort key outside 0..2**{width}")
        packed = (packed << width) | k
    out: Array = np.argsort(packed, kind="stable")
    return out


def rank_within(keys: Array) -> Array:
    """0-based position of each element among the elements with the same key (stable)."""
    order = np.argsort(keys, kind="stable")
    sk = keys[order]
    start = np.r_[True, sk[1:] != sk[:-1]]
    first = np.maximum.accumulate(np.where(start, np.arange(sk.size), 0))
    rank = np.empty(keys.size, dtype=np.int64)
    rank[order] = np.arange(sk.size) - first
    return rank


def pick_in_groups(rng: np.random.Generator, offsets: Array, groups: Array) -> tuple[Array, Array]:
    """One uniformly random position inside group ``g`` of a grouped array, for each ``g``.

    Returns ``(positions, ok)``; ``ok`` is false where the group is empty.
    """
    lo = offsets[groups]
    size = offsets[groups + 1] - lo
    ok = size > 0
    pos = lo + np.floor(rng.random(groups.size) * np.maximum(size, 1)).astype(np.int64)
    return np.where(ok, pos, -1), ok


def choose(rng: np.random.Generator, n: int, weights: Array | list[float]) -> Array:
    """``n`` category indices drawn with the given (unnormalised) weights."""
    w = np.asarray(weights, dtype=np.float64)
    cdf = np.cumsum(w / w.sum())
    cdf[-1] = 1.0
    out: Array = np.searchsorted(cdf, rng.random(n), side="right").astype(np.int32)
    return out


def expand(counts: Array) -> tuple[Array, Array]:
    """For rows with ``counts`` children: (parent index, 0-based child number) per child."""
    counts = counts.astype(np.int64)
    parent = np.repeat(np.arange(counts.size), counts)
    first = np.cumsum(counts) - counts
    child = np.arange(parent.size) - first[parent]
    return parent, child


# --- Arrow columns ----------------------------------------------------------------------


def date_col(days: Array) -> pa.Array:
    """Arrow ``date32`` column; ``NO_DATE`` becomes null."""
    d = np.asarray(days).astype(np.int32, copy=False)
    null = d == NO_DATE
    mask = null if null.any() else None
    return pa.Array.from_buffers(
        pa.date32(),
        d.size,
        [_validity(mask), pa.py_buffer(np.ascontiguousarray(d))],
        null_count=int(null.sum()) if mask is not None else 0,
    )


def _validity(null: Array | None) -> pa.Buffer | None:
    if null is None:
        return None
    return pa.py_buffer(np.packbits(~null, bitorder="little"))


def decimal_col(cents: Array, precision: int = 12, scale: int = 2) -> pa.Array:
    """Arrow ``decimal128(precision, scale)`` from integer units of the last decimal place."""
    c = np.asarray(cents).astype(np.int64, copy=False)
    words = np.zeros((c.size, 2), dtype=np.int64)
    words[:, 0] = c
    if c.size and c.min() < 0:
        words[:, 1] = c >> 63
    return pa.Array.from_buffers(
        pa.decimal128(precision, scale), c.size, [None, pa.py_buffer(words)]
    )


def dict_col(codes: Array, dictionary: pa.Array) -> pa.DictionaryArray:
    """A dictionary-encoded string column (``-1`` gives null): cheap to build, and written
    to Parquet and DuckDB without materialising the strings first."""
    idx = np.asarray(codes).astype(np.int32, copy=False)
    null = idx < 0
    indices = pa.array(idx, type=pa.int32(), mask=null if null.any() else None)
    return pa.DictionaryArray.from_arrays(indices, dictionary)


ROW_GROUP = 1 << 20
"""Rows per Parquet row group; long dictionary columns are chunked on these bounds."""


def id_col(ids: pa.Array, index: Array) -> pa.Array | pa.ChunkedArray:
    """``ids[index]`` (``-1`` gives null).

    For an index in ascending order (rows sorted by person), each row group's worth of rows
    is dictionary-encoded against just the slice of ``ids`` it spans: no strings are
    copied, and Parquet stores each identifier once per row group. Otherwise the strings
    are taken outright.
    """
    idx = np.asarray(index).astype(np.int64, copy=False)
    null = idx < 0
    valid = idx[~null]
    ordered = valid.size > 0 and bool((valid[1:] >= valid[:-1]).all())
    if not ordered or int(valid[-1]) - int(valid[0]) > 4 * idx.size:
        return ids.take(pa.array(np.where(null, 0, idx), mask=null if null.any() else None))
    chunks = []
    for lo in range(0, idx.size, ROW_GROUP):
        part = idx[lo : lo + ROW_GROUP]
        ok = part[part >= 0]
        first, last = (int(ok[0]), int(ok[-1])) if ok.size else (0, -1)
        chunks.append(
            dict_col(np.where(part >= 0, part - first, -1), ids.slice(first, last - first + 1))
        )
    return pa.chunked_array(chunks)


def ascii_col(matrix: Array) -> pa.Array:
    """Arrow ``string`` column from an ``(n, width)`` ``uint8`` matrix of ASCII bytes."""
    n, width = matrix.shape
    data = np.ascontiguousarray(matrix, dtype=np.uint8)
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])


def fixed_text(values: Array) -> pa.Array:
    """Arrow ``string`` column from a NumPy fixed-width ASCII array (``<U18`` or ``S18``)."""
    arr = np.asarray(values)
    width = arr.dtype.itemsize // 4 if arr.dtype.kind == "U" else arr.dtype.itemsize
    raw = np.ascontiguousarray(arr.astype(f"S{width}"))
    if raw.size == 0:
        return pa.array([], type=pa.string())
    return ascii_col(raw.view(np.uint8).reshape(raw.size, -1))


def digits(values: Array, width: int) -> Array:
    """``(n, width)`` ASCII digit matrix of non-negative integers, zero-padded."""
    v = values.astype(np.int64)
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    out: Array = ((v[:, None] // powers) % 10 + 48).astype(np.uint8)
    return out


def ascii_const(text: str, n: int) -> Array:
    """``(n, len(text))`` matrix repeating an ASCII prefix."""
    row = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    out: Array = np.broadcast_to(row, (n, row.size))
    return out


def ascii_join(*parts: Array) -> pa.Array:
    """Concatenate ASCII matrices column-wise into a string column."""
    return ascii_col(np.hstack(parts))


def as_dict(column: pa.Array) -> pa.DictionaryArray:
    """A string column as a dictionary column (as it is, if it already is one)."""
    if pa.types.is_dictionary(column.type):
        return column
    indices = pa.array(np.arange(len(column), dtype=np.int32))
    return pa.DictionaryArray.from_arrays(indices, column)


def take_text(values: list[str] | tuple[str, ...], codes: Array) -> pa.Array:
    """A dictionary-encoded string column of ``values[code]`` (``-1`` gives null)."""
    return dict_col(codes, pa.array(list(values), type=pa.string()))


def plain_text(values: list[str] | tuple[str, ...], codes: Array) -> pa.Array:
    """Like :func:`take_text`, materialised (for text that is further concatenated)."""
    return take_text(values, codes).cast(pa.string())


def join_text(*parts: pa.Array | str) -> pa.Array:
    """Element-wise concatenation of string columns (and literal strings)."""
    return pc.binary_join_element_wise(*parts, "")


def bool_col(values: Array) -> pa.Array:
    return pa.array(values.astype(np.bool_), type=pa.bool_())
