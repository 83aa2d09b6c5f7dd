"""Office hours, the Asia/Shanghai clock, and working-hour amounts.

Short clocks (the enterprise hotline rule "2115": make contact within 2 hours) run on
office time only: the lunch break, evenings and non-working days do not count.

Datetimes must be timezone-aware. A naive datetime is refused (``InvalidInput``) rather
than guessed: a server in UTC and a clerk in Jinan would read it differently. Aware
datetimes in any zone are converted to Asia/Shanghai, and results are in Asia/Shanghai.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from onething.kit.clock import SHANGHAI
from onething.kit.errors import InvalidInput

if TYPE_CHECKING:
    from onething.config import Settings

_MICROSECONDS_PER_HOUR = 3_600_000_000


@dataclass(frozen=True, slots=True)
class OfficeHours:
    """The office day: a morning and an afternoon period (lunch break between them).

    Defaults are 09:00–12:00 and 13:30–17:30 (7 hours). ``morning_end`` may equal
    ``afternoon_start`` for an office without a lunch break.
    """

    morning_start: time = time(9, 0)
    morning_end: time = time(12, 0)
    afternoon_start: time = time(13, 30)
    afternoon_end: time = time(17, 30)

    def __post_init__(self) -> None:
        times = (self.morning_start, self.morning_end, self.afternoon_start, self.afternoon_end)
        ordered = self.morning_start < self.morning_end <= self.afternoon_start < self.afternoon_end
        if any(t.tzinfo is not None for t in times) or not ordered:
            raise InvalidInput(
                "calendar.office_hours.invalid",
                morning=f"{_hm(self.morning_start)}–{_hm(self.morning_end)}",
                afternoon=f"{_hm(self.afternoon_start)}–{_hm(self.afternoon_end)}",
            )

    @classmethod
    def from_settings(cls, settings: Settings) -> OfficeHours:
        """The office hours configured by ``ONETHING_OFFICE_*``."""
        return cls(
            settings.office_morning_start,
            settings.office_morning_end,
            settings.office_afternoon_start,
            settings.office_afternoon_end,
        )

    @property
    def periods(self) -> tuple[tuple[time, time], tuple[time, time]]:
        """The two counted periods of a working day, in order."""
        return (
            (self.morning_start, self.morning_end),
            (self.afternoon_start, self.afternoon_end),
        )

    @property
    def daily(self) -> timedelta:
        """Office time in one working day."""
        return sum((_span(day_start, day_end) for day_start, day_end in self.periods), timedelta())

    def opening(self, day: date) -> datetime:
        """When the office opens on ``day`` (Asia/Shanghai)."""
        return datetime.combine(day, self.morning_start, tzinfo=SHANGHAI)

    def closing(self, day: date) -> datetime:
        """When the office closes on ``day`` (Asia/Shanghai)."""
        return datetime.combine(day, self.afternoon_end, tzinfo=SHANGHAI)

    def to_dict(self) -> dict[str, str]:
        return {
            "morning_start": _hm(self.morning_start),
            "morning_end": _hm(self.morning_end),
            "afternoon_start": _hm(self.afternoon_start),
            "afternoon_end": _hm(self.afternoon_end),
        }


def _span(start: time, end: time) -> timedelta:
    anchor = date(2000, 1, 1)
    return datetime.combine(anchor, end) - datetime.combine(anchor, start)


def _hm(value: time) -> str:
    return value.strftime("%H:%M")


def to_shanghai(value: datetime) -> datetime:
    """``value`` on the Asia/Shanghai clock; naive datetimes are refused."""
    if not isinstance(value, datetime):
        raise InvalidInput("calendar.not_a_datetime", value=value)
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput("calendar.naive_datetime", value=value.isoformat())
    return value.astimezone(SHANGHAI)


def as_duration(amount: Decimal | int | timedelta) -> timedelta:
    """A non-negative working-time amount: hours (``int``/``Decimal``) or a ``timedelta``.

    Decimal hours are rounded to the microsecond. Floats are refused (inexact).
    """
    if isinstance(amount, timedelta):
        duration = amount
    elif isinstance(amount, bool) or not isinstance(amount, int | Decimal):
        raise InvalidInput("calendar.bad_hours", value=amount)
    else:
        try:
            micro = (Decimal(amount) * _MICROSECONDS_PER_HOUR).to_integral_value()
            duration = timedelta(microseconds=int(micro))
        except (InvalidOperation, OverflowError, ValueError) as exc:
            raise InvalidInput("calendar.bad_hours", value=amount) from exc
    if duration < timedelta():
        raise InvalidInput("calendar.negative_hours", value=amount)
    return duration


def hours_text(duration: timedelta) -> str:
    """``duration`` in hours as an exact decimal string ("2", "1.5", "0.25")."""
    micro = duration // timedelta(microseconds=1)
    text = format(Decimal(micro) / _MICROSECONDS_PER_HOUR, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
