"""Vectorised (NumPy) check characters and generators for millions of identifiers at once.

The synthetic registry makes a million people in one go; a Python loop over
:func:`~onething.kit.ids.make_resident_id` would spend seconds on it. Here every step is an
array operation, and no Python string is built per identifier:

- numbers are cut into two-digit chunks with integer division;
- a chunk's contribution to the weighted check sum is one look-up in a 100-entry table;
- a chunk's two characters are one look-up of a 64-bit word holding two UTF-32 code points,
  so an ``(n, 9)`` array of such words *is* an array of 18-character strings (``<U18``)
  without any conversion.

Results are NumPy fixed-width string arrays (``<U18``, ``<U11``), which ``pyarrow.array``
and DuckDB take as they are. Randomness comes only from the ``numpy.random.Generator``
passed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
import numpy.typing as npt

from onething.kit.ids.credit import (
    AUTHORITY_ORG_TYPES,
    CREDIT_CODE_ALPHABET,
    CREDIT_CODE_WEIGHTS,
    ORG_CODE_WEIGHTS,
)
from onething.kit.ids.mobile import MOBILE_PREFIXES
from onething.kit.ids.resident import RESIDENT_ID_CHECK_CHARS, RESIDENT_ID_WEIGHTS

IntArray = npt.NDArray[np.int64]
StrArray = npt.NDArray[np.str_]
_Sums = Sequence[tuple[Sequence[int], IntArray]]

_WORD = np.dtype("<u8")
"""Two UTF-32LE code points: the storage of two characters of a ``<U…`` array."""

# GB 11714 check character by remainder r = Σ mod 11: 11 − r, with 10 → X and 11 → 0.
_ORG_CHECK = "0X987654321"
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def _word(pair: str) -> int:
    return ord(pair[0]) | ord(pair[1]) << 32


_DIGIT_PAIRS = [f"{i:02d}" for i in range(100)]
_RESIDENT_TAIL = [str(d) + c for d in range(10) for c in RESIDENT_ID_CHECK_CHARS]
"""Last two characters of a resident ID by ``last_seq_digit * 11 + sum % 11``."""
_CREDIT_TAIL = [o + c for o in _ORG_CHECK for c in CREDIT_CODE_ALPHABET]
"""Last two characters of a credit code by ``org_remainder * 31 + check_value``."""

_RESIDENT_WORDS = np.array([_word(p) for p in _DIGIT_PAIRS + _RESIDENT_TAIL], dtype=_WORD)
_CREDIT_WORDS = np.array([_word(p) for p in _DIGIT_PAIRS + _CREDIT_TAIL], dtype=_WORD)
_TAIL = 100
"""Index of the first tail word in the word tables (after the 100 digit pairs)."""
_ORG_CHECK_VALUE = np.array([CREDIT_CODE_ALPHABET.index(c) for c in _ORG_CHECK], dtype=np.int64)
_RESIDENT_CHECK_CHARS = np.array(list(RESIDENT_ID_CHECK_CHARS))


@cache
def _pair_table(w_tens: int, w_units: int) -> IntArray:
    """Σ digit·weight of every two-digit chunk 0–99."""
    chunks = np.arange(100, dtype=np.int64)
    return (chunks // 10) * w_tens + (chunks % 10) * w_units


def _write_pairs(
    idx: npt.NDArray[np.uint16], first: int, values: IntArray, pairs: int, sums: _Sums = ()
) -> None:
    """Write ``values`` (each below 100**pairs) as two-digit chunk indices into
    ``idx[:, first : first + pairs]``; for each ``(weights, total)`` of ``sums`` (one weight
    per digit) add Σ digit·weight to ``total`` in place."""
    rest = values
    for j in reversed(range(pairs)):
        if j:
            quotient = rest // 100
            chunk = rest - quotient * 100
            rest = quotient
        else:
            chunk = rest
        idx[:, first + j] = chunk
        for weights, total in sums:
            np.add(total, _pair_table(weights[2 * j], weights[2 * j + 1])[chunk], out=total)


@cache
def _chunk_table(weights: tuple[int, ...]) -> IntArray:
    """Σ digit·weight of every chunk 0 … 10**len(weights) − 1 (one weight per digit)."""
    chunks = np.arange(10 ** len(weights), dtype=np.int64)
    total = np.zeros(chunks.shape, dtype=np.int64)
    for place, weight in enumerate(reversed(weights)):
        total += (chunks // 10**place % 10) * weight
    return total


def _weighted_sum(values: IntArray, weights: Sequence[int]) -> IntArray:
    """Σ digit·weight of each value written with ``len(weights)`` digits (4-digit chunks)."""
    total = np.zeros(values.shape, dtype=np.int64)
    rest = values
    end = len(weights)
    while end > 0:
        start = max(0, end - 4)
        if start:
            quotient = rest // 10_000
            chunk = rest - quotient * 10_000
            rest = quotient
        else:
            chunk = rest
        total += _chunk_table(tuple(weights[start:end]))[chunk]
        end = start
    return total


def _int_array(values: npt.ArrayLike, name: str) -> IntArray:
    array = np.asarray(values)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{name} must be an integer array, got dtype {array.dtype}")
    return array.astype(np.int64, copy=False)


def _require_range(values: IntArray, low: int, high: int, name: str) -> None:
    bad = (values < low) | (values > high)
    if bad.any():
        index = int(np.flatnonzero(bad.ravel())[0])
        raise ValueError(f"{name}[{index}] = {values.ravel()[index]} is outside {low}..{high}")


def _as_strings(words: npt.NDArray[np.uint64], shape: tuple[int, ...]) -> StrArray:
    width = 2 * words.shape[1]
    result: StrArray = words.view(f"<U{width}").reshape(shape)
    return result


def valid_birth_dates(yyyymmdd: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Which ``YYYYMMDD`` integers are real calendar dates from 1800 to 9999."""
    dates = _int_array(yyyymmdd, "yyyymmdd")
    year = dates // 10000
    month = dates // 100 - year * 100
    day = dates - dates // 100 * 100
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    last_day = _DAYS_IN_MONTH[np.clip(month, 0, 12)] + ((month == 2) & leap)
    result: npt.NDArray[np.bool_] = (
        (year >= 1800) & (year <= 9999) & (month >= 1) & (month <= 12)
    ) & ((day >= 1) & (day <= last_day))
    return result


def resident_id_check_values(first17: npt.ArrayLike) -> IntArray:
    """MOD 11-2 check values (0–10, where 10 is written ``X``) of 17-digit integers."""
    numbers = _int_array(first17, "first17")
    _require_range(numbers, 0, 10**17 - 1, "first17")
    result: IntArray = (1 - _weighted_sum(numbers, RESIDENT_ID_WEIGHTS)) % 11
    return result


def resident_id_check_digits(first17: npt.ArrayLike) -> StrArray:
    """Check characters (``'0'``–``'9'``, ``'X'``) of an array of 17-digit integers."""
    numbers = _int_array(first17, "first17")
    _require_range(numbers, 0, 10**17 - 1, "first17")
    result: StrArray = _RESIDENT_CHECK_CHARS[_weighted_sum(numbers, RESIDENT_ID_WEIGHTS) % 11]
    return result


def make_resident_ids(
    area_codes: npt.ArrayLike, birth_yyyymmdd: npt.ArrayLike, seqs: npt.ArrayLike
) -> StrArray:
    """Checksum-valid 18-character identity numbers, element by element.

    ``area_codes`` are six-digit integers, ``birth_yyyymmdd`` integers like ``19900307``
    (each must be a real date), ``seqs`` the sequence codes 0–999 (odd = male). The three
    arrays broadcast together; the result has their shape and dtype ``<U18``.
    """
    area, birth, seq = np.broadcast_arrays(
        _int_array(area_codes, "area_codes"),
        _int_array(birth_yyyymmdd, "birth_yyyymmdd"),
        _int_array(seqs, "seqs"),
    )
    shape = area.shape
    area, birth, seq = area.ravel(), birth.ravel(), seq.ravel()
    _require_range(area, 100_000, 999_999, "area_codes")
    _require_range(seq, 0, 999, "seqs")
    bad = ~valid_birth_dates(birth)
    if bad.any():
        index = int(np.flatnonzero(bad)[0])
        raise ValueError(f"birth_yyyymmdd[{index}] = {birth[index]} is not a date")

    w = RESIDENT_ID_WEIGHTS
    idx = np.empty((area.size, 9), dtype=np.uint16)
    total = np.zeros(area.size, dtype=np.int64)
    _write_pairs(idx, 0, area, 3, [(w[0:6], total)])
    _write_pairs(idx, 3, birth, 4, [(w[6:14], total)])
    seq_head = seq // 10
    seq_last = seq - seq_head * 10
    _write_pairs(idx, 7, seq_head, 1, [(w[14:16], total)])
    total += seq_last * w[16]
    idx[:, 8] = _TAIL + seq_last * 11 + total % 11
    return _as_strings(_RESIDENT_WORDS[idx], shape)


def make_credit_codes(
    area_codes: npt.ArrayLike,
    org_bodies: npt.ArrayLike,
    authority: str = "9",
    org_type: str = "1",
) -> StrArray:
    """Checksum-valid credit codes with numeric organisation-code bodies.

    ``org_bodies`` are integers 0–99 999 999 written as the eight body digits (positions
    9–16); position 17 gets their GB 11714 check character and position 18 the GB 32100
    check. ``area_codes`` and ``org_bodies`` broadcast together; the result is ``<U18``.
    """
    if org_type not in AUTHORITY_ORG_TYPES.get(authority, frozenset()):
        raise ValueError(f"authority {authority!r} has no organisation type {org_type!r}")
    area, body = np.broadcast_arrays(
        _int_array(area_codes, "area_codes"), _int_array(org_bodies, "org_bodies")
    )
    shape = area.shape
    area, body = area.ravel(), body.ravel()
    _require_range(area, 100_000, 999_999, "area_codes")
    _require_range(body, 0, 99_999_999, "org_bodies")

    w = CREDIT_CODE_WEIGHTS
    head = (
        CREDIT_CODE_ALPHABET.index(authority) * w[0] + CREDIT_CODE_ALPHABET.index(org_type) * w[1]
    )
    idx = np.empty((area.size, 9), dtype=np.uint16)
    total = np.full(area.size, head, dtype=np.int64)
    org_total = np.zeros(area.size, dtype=np.int64)
    _write_pairs(idx, 1, area, 3, [(w[2:8], total)])
    _write_pairs(idx, 4, body, 4, [(w[8:16], total), (ORG_CODE_WEIGHTS, org_total)])
    remainder = org_total % 11
    total += _ORG_CHECK_VALUE[remainder] * w[16]
    idx[:, 8] = _TAIL + remainder * 31 + (31 - total % 31) % 31
    table = np.append(_CREDIT_WORDS, np.array([_word(authority + org_type)], dtype=_WORD))
    idx[:, 0] = len(table) - 1
    return _as_strings(table[idx], shape)


def make_mobiles(rng: np.random.Generator, n: int) -> StrArray:
    """``n`` random (fictitious) mobile numbers drawn with ``rng`` (dtype ``<U11``)."""
    prefixes = np.array([int(p) for p in MOBILE_PREFIXES], dtype=np.int64)
    numbers = prefixes[rng.integers(len(MOBILE_PREFIXES), size=n)] * 10**8
    numbers += rng.integers(10**8, size=n, dtype=np.int64)
    idx = np.empty((n, 6), dtype=np.uint16)
    _write_pairs(idx, 0, numbers, 6)  # 12 digits: a leading 0, then the 11 of the number
    words = _RESIDENT_WORDS[idx]
    # Skip the leading '0': the number's 11 characters start 4 bytes into each 48-byte row.
    skip_one = np.dtype({"names": ["s"], "formats": ["<U11"], "offsets": [4], "itemsize": 48})
    result: StrArray = words.view(skip_one)["s"].ravel().copy()
    return result


_CREDIT_VALUE_OF = np.full(128, -1, dtype=np.int64)
for _i, _c in enumerate(CREDIT_CODE_ALPHABET):
    _CREDIT_VALUE_OF[ord(_c)] = _i
_BASE36_OF = np.full(128, 0, dtype=np.int64)
for _c in CREDIT_CODE_ALPHABET:
    _BASE36_OF[ord(_c)] = int(_c, 36)
_AUTHORITY_OK = np.zeros((31, 31), dtype=np.bool_)
for _a, _types in AUTHORITY_ORG_TYPES.items():
    for _t in _types:
        _AUTHORITY_OK[CREDIT_CODE_ALPHABET.index(_a), CREDIT_CODE_ALPHABET.index(_t)] = True
_ORG_CHECK_POINT = np.array([ord(c) for c in _ORG_CHECK], dtype=np.int64)


def credit_codes_plausible(codes: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Which credit codes pass every error check of
    :func:`~onething.kit.ids.validate_credit_code` as written (upper case, no separators).

    A screen for millions of codes: ``True`` guarantees the scalar check finds no error
    and would not rewrite the value; only the ``False`` ones need it, for their reasons.
    """
    text = np.asarray(codes, dtype=np.str_).ravel()
    result = np.zeros(text.size, dtype=np.bool_)
    right_length = np.char.str_len(text) == 18
    if not right_length.any():
        return result
    points = text[right_length].astype("<U18").view(np.uint32).reshape(-1, 18).astype(np.int64)
    ascii_ok = (points < 128).all(axis=1)
    points = np.where(points < 128, points, 0)
    values = _CREDIT_VALUE_OF[points]
    ok = ascii_ok & (values >= 0).all(axis=1)
    ok &= _AUTHORITY_OK[np.maximum(values[:, 0], 0), np.maximum(values[:, 1], 0)]
    area = points[:, 2:8]
    ok &= ((area >= ord("0")) & (area <= ord("9"))).all(axis=1)
    org_sum = (_BASE36_OF[points[:, 8:16]] * np.array(ORG_CODE_WEIGHTS, dtype=np.int64)).sum(1)
    ok &= _ORG_CHECK_POINT[org_sum % 11] == points[:, 16]
    total = (values[:, :17] * np.array(CREDIT_CODE_WEIGHTS, dtype=np.int64)).sum(axis=1)
    ok &= (31 - total % 31) % 31 == values[:, 17]
    result[right_length] = ok
    return result
