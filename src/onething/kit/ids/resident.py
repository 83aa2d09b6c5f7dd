"""Resident identity numbers (公民身份号码, GB 11643-1999).

Eighteen characters: a six-digit address code (GB/T 2260), the birth date ``YYYYMMDD``,
a three-digit sequence code (odd for men, even for women) and a check character computed
with ISO 7064 MOD 11-2 (``X`` stands for 10).

Also accepted:

- the **legacy 15-digit form** (GB 11643-1989: address, ``YYMMDD``, sequence, no check),
  converted to 18 characters by inserting the century ``19`` and computing the check;
- the **foreigner's permanent-residence number** (2023 edition, issued from 2023-12-01):
  18 characters whose first digit is 9 and the same MOD 11-2 check (both confirmed). Its
  first six digits are not a GB/T 2260 code, so no area is reported; the birth date and sex
  are read from the same positions as a citizen's (secondary sources, not the rule text).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from onething.kit.ids._text import clean
from onething.kit.ids.reasons import Check, Reason, error, warning
from onething.kit.ids.regions import AreaStatus, area_status, is_development_zone

Sex = Literal["M", "F"]

CHINA_TZ = ZoneInfo("Asia/Shanghai")
RESIDENT_ID_WEIGHTS: tuple[int, ...] = tuple(pow(2, 17 - i, 11) for i in range(17))
"""MOD 11-2 weights of positions 1–17: ``7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2``."""
RESIDENT_ID_CHECK_CHARS = "10X98765432"
"""The check character indexed by the weighted sum modulo 11."""
EARLIEST_BIRTH = date(1800, 1, 1)
FOREIGNER_PREFIX = "9"


@dataclass(frozen=True, slots=True)
class IdCheck(Check):
    """The result of :func:`validate_resident_id`: reasons plus the facts the number carries.

    ``normalized`` is the 18-character form (upper-case ``X``; a 15-digit number converted).
    The parsed facts are filled in whenever the characters allow it, even if another check
    failed (a wrong check digit still has a birth date to show).
    """

    birth_date: date | None = None
    sex: Sex | None = None
    area_code: str | None = None
    area_status: AreaStatus = "unknown"
    is_foreigner: bool = False
    is_legacy15: bool = False


def _require_digits(first17: str) -> None:
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError(f"expected 17 ASCII digits, got {first17!r}")


def resident_id_check_digit(first17: str) -> str:
    """The MOD 11-2 check character of the first 17 digits, computed digit by digit."""
    _require_digits(first17)
    total = sum(int(c) * w for c, w in zip(first17, RESIDENT_ID_WEIGHTS, strict=True))
    return RESIDENT_ID_CHECK_CHARS[total % 11]


def resident_id_check_digit_fast(first17: str) -> str:
    """The same check character from one integer conversion: ``(1 - 2·int(n, 13)) mod 11``.

    Why it works: 13 ≡ 2 (mod 11), so ``int(n, 13)`` ≡ Σ dᵢ·2^(16−i) = S/2, and the check
    character c satisfies S + c ≡ 1 (mod 11). It is the form that is cheap in SQL.
    """
    _require_digits(first17)
    value = (1 - 2 * int(first17, 13)) % 11
    return "X" if value == 10 else str(value)


def _parse_date(yyyymmdd: str) -> date | None:
    try:
        return date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None


def _first_bad_position(text: str, allowed_last: str) -> int | None:
    for index, char in enumerate(text):
        last = index == len(text) - 1
        if not (char in "0123456789" or (last and char in allowed_last)):
            return index
    return None


def validate_resident_id(value: str, *, today: date | None = None) -> IdCheck:
    """Check a resident identity number and read the facts it carries.

    Errors: ``id.bad_length``, ``id.bad_characters`` (these two stop the check),
    ``id.bad_date``, ``id.future_date``, ``id.bad_check_digit``. Warnings (the number stays
    valid): ``id.unknown_area``, ``id.development_zone_area``. ``today`` defaults to the
    date in China.
    """
    text = clean(value)
    if len(text) not in (15, 18):
        return IdCheck(value, (error("id.bad_length", length=len(text)),), None)
    legacy = len(text) == 15
    bad = _first_bad_position(text, "" if legacy else "X")
    if bad is not None:
        reason = error("id.bad_characters", position=bad + 1, char=text[bad])
        return IdCheck(value, (reason,), None)

    if legacy:
        first17 = text[:6] + "19" + text[6:]
        normalized = first17 + resident_id_check_digit(first17)
    else:
        first17, normalized = text[:17], text

    reasons: list[Reason] = []
    yyyymmdd = first17[6:14]
    birth = _parse_date(yyyymmdd)
    if birth is None or birth < EARLIEST_BIRTH:
        reasons.append(error("id.bad_date", date=yyyymmdd))
        birth = None
    else:
        today = today or datetime.now(CHINA_TZ).date()
        if birth > today:
            reasons.append(error("id.future_date", date=birth.isoformat()))

    expected = resident_id_check_digit(first17)
    if not legacy and text[17] != expected:
        reasons.append(error("id.bad_check_digit", expected=expected, got=text[17]))

    foreigner = not legacy and text.startswith(FOREIGNER_PREFIX)
    area_code = None if foreigner else text[:6]
    status: AreaStatus = "unknown"
    if area_code is not None:
        status = area_status(area_code)
        if is_development_zone(area_code):
            reasons.append(warning("id.development_zone_area", area_code=area_code))
        elif status == "unknown":
            reasons.append(warning("id.unknown_area", area_code=area_code))

    return IdCheck(
        value,
        tuple(reasons),
        normalized,
        birth_date=birth,
        sex="M" if int(first17[16]) % 2 else "F",
        area_code=area_code,
        area_status=status,
        is_foreigner=foreigner,
        is_legacy15=legacy,
    )


def is_valid_resident_id(value: str, *, today: date | None = None) -> bool:
    """True when :func:`validate_resident_id` finds no error (warnings are fine)."""
    return validate_resident_id(value, today=today).ok


def resident_id_15_to_18(value: str) -> str:
    """The 18-character form of a legacy 15-digit number (century 19 inserted, check added)."""
    text = clean(value)
    if len(text) != 15 or not text.isdigit():
        raise ValueError(f"expected a 15-digit legacy number, got {value!r}")
    first17 = text[:6] + "19" + text[6:]
    return first17 + resident_id_check_digit(first17)


def make_resident_id(area_code: str, birth: date, seq: int, *, legacy15: bool = False) -> str:
    """A checksum-valid (fictitious) identity number.

    ``seq`` is the three-digit sequence code, 0–999; its parity is the sex (odd = male).
    With ``legacy15`` the 15-digit 1989 form is returned (birth year 1900–1999 only).
    """
    if len(area_code) != 6 or not area_code.isascii() or not area_code.isdigit():
        raise ValueError(f"area code must be six digits, got {area_code!r}")
    if not 0 <= seq <= 999:
        raise ValueError(f"sequence code must be 0..999, got {seq}")
    if legacy15:
        if not 1900 <= birth.year <= 1999:
            raise ValueError("a 15-digit number can only carry a birth year 1900–1999")
        return f"{area_code}{birth:%y%m%d}{seq:03d}"
    first17 = f"{area_code}{birth.year:04d}{birth:%m%d}{seq:03d}"
    return first17 + resident_id_check_digit(first17)
