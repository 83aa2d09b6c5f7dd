"""What kind of day a date is, and per-year tables of them.

A :class:`YearTable` holds every day of one year (as :class:`DayInfo`) and the running
count of working days, so counting and adding working days are a subtraction and a
binary search instead of a walk over the days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

import chinese_calendar

from onething.kit.calendar.overrides import CalendarOverrides

_SATURDAY = 5


class DayKind(StrEnum):
    """Why a day is or is not a working day."""

    WORKDAY = "workday"
    """A Monday–Friday working day."""
    WEEKEND = "weekend"
    """A Saturday or Sunday that is not a make-up working day."""
    HOLIDAY = "holiday"
    """A public holiday (法定节假日), including weekend days inside a holiday run."""
    MAKEUP_WORKDAY = "makeup_workday"
    """A Saturday or Sunday declared a working day (调休上班)."""


class DaySource(StrEnum):
    """Where the answer for a day came from."""

    LIBRARY = "chinese-calendar"
    OVERRIDE = "override"
    FALLBACK = "weekends-only fallback"


class YearStatus(StrEnum):
    """How well a year's official schedule is known."""

    LIBRARY = "library"
    """The ``chinese-calendar`` package has the year (overrides may still correct days)."""
    OVERRIDE = "override"
    """The override file lists the year with ``complete: true``."""
    PARTIAL = "partial"
    """The override file lists some days of the year but not ``complete: true``."""
    UNKNOWN = "unknown"
    """Nothing is known: weekends only."""

    @property
    def is_known(self) -> bool:
        return self in (YearStatus.LIBRARY, YearStatus.OVERRIDE)


# The library's short names (清明, 端午, 中秋) become the names used in the notices.
_OFFICIAL_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
}


def library_holiday_name(raw: str) -> str:
    """The Chinese name of a ``chinese_calendar`` holiday value (English in the library)."""
    if raw in _OFFICIAL_NAMES:
        return _OFFICIAL_NAMES[raw]
    try:
        return str(chinese_calendar.Holiday(raw).chinese)
    except ValueError:
        return raw


def library_knows(year: int) -> bool:
    """Whether the installed ``chinese-calendar`` has the schedule of ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class DayInfo:
    """One day on the official calendar.

    ``holiday_name`` is the Chinese name of the holiday a holiday belongs to, or of the
    holiday a make-up working day (调休上班) makes up for; ``None`` on ordinary days.
    """

    day: date
    is_workday: bool
    kind: DayKind
    holiday_name: str | None
    source: DaySource

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat(),
            "is_workday": self.is_workday,
            "kind": self.kind.value,
            "holiday_name": self.holiday_name,
            "source": self.source.value,
        }


@dataclass(frozen=True, slots=True)
class YearTable:
    """Every day of one year, and ``cumulative[i]``: working days among its first ``i`` days."""

    year: int
    status: YearStatus
    first_ordinal: int
    days: tuple[DayInfo, ...]
    cumulative: tuple[int, ...]

    @property
    def total(self) -> int:
        """Working days in the whole year."""
        return self.cumulative[-1]


def _plain_day(day: date, source: DaySource) -> DayInfo:
    if day.weekday() >= _SATURDAY:
        return DayInfo(day, False, DayKind.WEEKEND, None, source)
    return DayInfo(day, True, DayKind.WORKDAY, None, source)


def _library_day(day: date) -> DayInfo:
    on_holiday, raw_name = chinese_calendar.get_holiday_detail(day)
    name = None if raw_name is None else library_holiday_name(str(raw_name))
    weekend = day.weekday() >= _SATURDAY
    if on_holiday:
        kind = DayKind.HOLIDAY if name is not None else DayKind.WEEKEND
        return DayInfo(day, False, kind, name, DaySource.LIBRARY)
    kind = DayKind.MAKEUP_WORKDAY if weekend and name is not None else DayKind.WORKDAY
    return DayInfo(day, True, kind, name, DaySource.LIBRARY)


def build_year_table(year: int, overrides: CalendarOverrides) -> YearTable:
    """Classify every day of ``year``: overrides first, then the library, then weekends."""
    in_library = library_knows(year)
    block = overrides.years.get(year)
    if in_library:
        status = YearStatus.LIBRARY
    elif block is not None and block.complete:
        status = YearStatus.OVERRIDE
    elif block is not None or any(d.year == year for d in overrides.days):
        status = YearStatus.PARTIAL
    else:
        status = YearStatus.UNKNOWN
    plain_source = DaySource.OVERRIDE if status is YearStatus.OVERRIDE else DaySource.FALLBACK

    first = date(year, 1, 1)
    length = (date(year, 12, 31) - first).days + 1
    days: list[DayInfo] = []
    cumulative = [0]
    for offset in range(length):
        day = first + timedelta(days=offset)
        fixed = overrides.days.get(day)
        if fixed is not None:
            weekend = day.weekday() >= _SATURDAY
            if fixed.is_workday:
                kind = DayKind.MAKEUP_WORKDAY if weekend else DayKind.WORKDAY
            else:
                kind = DayKind.HOLIDAY
            info = DayInfo(day, fixed.is_workday, kind, fixed.name, DaySource.OVERRIDE)
        elif in_library:
            info = _library_day(day)
        else:
            info = _plain_day(day, plain_source)
        days.append(info)
        cumulative.append(cumulative[-1] + info.is_workday)
    return YearTable(year, status, first.toordinal(), tuple(days), tuple(cumulative))
