"""The working calendar: working-day and working-hour arithmetic on the official calendar.

Counting convention (受理之日起 N 个工作日): the day of acceptance is not counted; the term
starts on the next working day and ends when the office closes on the Nth working day
after the day of acceptance. So ``add_working_days(d, n).due`` is the nth working day
strictly after ``d`` — whether ``d`` itself is a working day or not — and
``working_days_between(a, b)`` counts the working days in ``(a, b]``; the two agree:
``working_days_between(a, add_working_days(a, n).due) == n`` for every ``n >= 0``.

``n == 0`` gives ``d`` itself (即办, same day). A negative ``n`` walks back: the |n|th
working day strictly before ``d``; ``working_days_between`` is antisymmetric, so the
identity above also holds for negative ``n`` when ``d`` is a working day.

Where a date is expected, an aware ``datetime`` is accepted and its Asia/Shanghai date
is used; a naive ``datetime`` is refused (see :mod:`onething.kit.calendar.hours`).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Sequence
from datetime import MAXYEAR, MINYEAR, date, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from onething.kit.calendar.days import DayInfo, DayKind, YearStatus, YearTable, build_year_table
from onething.kit.calendar.explain import (
    Deadline,
    Step,
    WorkingDaySpan,
    calendar_days,
    day_steps,
    step,
    weekday,
    year_assumptions,
)
from onething.kit.calendar.hours import OfficeHours, as_duration, hours_text, to_shanghai
from onething.kit.calendar.overrides import CalendarOverrides
from onething.kit.errors import InvalidInput

if TYPE_CHECKING:
    from onething.config import Settings

_ONE_DAY = timedelta(days=1)

Segment = tuple[datetime, datetime]


class WorkingCalendar:
    """The official working-day calendar: ``chinese-calendar``, corrected by overrides.

    ``overrides`` is a :class:`CalendarOverrides`, a path to an override YAML file, or
    ``None`` for the file shipped with the package. Use :meth:`from_settings` (or
    :func:`default_calendar`) for the configured calendar. Day tables are built once per
    year and cached; an instance is safe to share.
    """

    def __init__(
        self,
        overrides: CalendarOverrides | Path | str | None = None,
        *,
        office_hours: OfficeHours | None = None,
    ) -> None:
        if overrides is None:
            overrides = CalendarOverrides.shipped()
        elif isinstance(overrides, Path | str):
            overrides = CalendarOverrides.load(overrides)
        self._overrides = overrides
        self._office_hours = office_hours or OfficeHours()
        self._tables: dict[int, YearTable] = {}

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> WorkingCalendar:
        """The calendar configured by ``ONETHING_CALENDAR_OVERRIDES`` and ``ONETHING_OFFICE_*``."""
        if settings is None:
            from onething.config import get_settings

            settings = get_settings()
        return cls(settings.calendar_overrides, office_hours=OfficeHours.from_settings(settings))

    @property
    def overrides(self) -> CalendarOverrides:
        return self._overrides

    @property
    def office_hours(self) -> OfficeHours:
        return self._office_hours

    # -- days ------------------------------------------------------------------------------

    def _table(self, year: int) -> YearTable:
        table = self._tables.get(year)
        if table is None:
            if not MINYEAR <= year <= MAXYEAR:
                raise InvalidInput("calendar.out_of_range", year=year)
            table = build_year_table(year, self._overrides)
            self._tables[year] = table
        return table

    def _locate(self, day: date) -> tuple[YearTable, int]:
        table = self._table(day.year)
        return table, day.toordinal() - table.first_ordinal

    def day_info(self, day: date | datetime) -> DayInfo:
        """What kind of day ``day`` is, why, and where that came from."""
        table, index = self._locate(_as_date(day))
        return table.days[index]

    def is_workday(self, day: date | datetime) -> bool:
        """Whether ``day`` is a working day (make-up working days included)."""
        return self.day_info(day).is_workday

    def year_status(self, year: int) -> YearStatus:
        """How well the official schedule of ``year`` is known."""
        return self._table(year).status

    def _assumptions(self, first: date, last: date) -> tuple[tuple[int, ...], tuple[Step, ...]]:
        if first.year == last.year and self._table(first.year).status.is_known:
            return (), ()  # the common case, kept cheap for SLA scans
        statuses = [(y, self._table(y).status) for y in range(first.year, last.year + 1)]
        unknown = tuple(year for year, status in statuses if not status.is_known)
        return unknown, year_assumptions(statuses)

    def add_working_days(self, start: date | datetime, n: int) -> Deadline[date]:
        """The nth working day after ``start`` (``start`` itself not counted), explained.

        ``n == 0`` returns ``start``; a negative ``n`` the |n|th working day before it.
        Days of years with no known schedule are counted weekends-only and flagged in
        ``assumptions`` (never an error).
        """
        if isinstance(n, bool) or not isinstance(n, int):
            raise InvalidInput("calendar.bad_days", value=n)
        day = _as_date(start)
        if n == 0:
            return Deadline(
                assumption_steps=(),
                fallback_years=(),
                build_steps=lambda: [step("calendar.step.zero", date=day.isoformat())],
                start=day,
                due=day,
                amount=0,
                unit="working_days",
            )
        if n > 0:
            due = self._forward(day, n)
            first, last = date.fromordinal(day.toordinal() + 1), due
        else:
            due = self._backward(day, -n)
            first, last = due, date.fromordinal(day.toordinal() - 1)
        unknown, assumptions = self._assumptions(first, last)
        return Deadline(
            assumption_steps=assumptions,
            fallback_years=unknown,
            build_steps=lambda: self._deadline_steps(day, due, n, first, last),
            start=day,
            due=due,
            amount=n,
            unit="working_days",
        )

    def _forward(self, start: date, n: int) -> date:
        table, index = self._locate(start)
        counted = index + 1  # days of ``table`` up to and including ``start``
        need = n
        while True:
            before = table.cumulative[counted]
            if need <= table.total - before:
                # The first prefix reaching ``before + need`` ends on the wanted working day.
                end = bisect_left(table.cumulative, before + need, counted)
                return table.days[end - 1].day
            need -= table.total - before
            table, counted = self._table(table.year + 1), 0

    def _backward(self, start: date, n: int) -> date:
        table, index = self._locate(start)
        counted = index  # days of ``table`` strictly before ``start``
        need = n
        while True:
            available = table.cumulative[counted]
            if need <= available:
                end = bisect_left(table.cumulative, available - need + 1, 0, counted + 1)
                return table.days[end - 1].day
            need -= available
            table = self._table(table.year - 1)
            counted = len(table.days)

    def _deadline_steps(
        self, start: date, due: date, n: int, first: date, last: date
    ) -> list[Step]:
        days = list(calendar_days(first, last, self.day_info))
        skipped = sum(1 for info in days if not info.is_workday)
        if n > 0:
            opening = step(
                "calendar.step.start_not_counted",
                date=start.isoformat(),
                weekday=weekday(start),
            )
            closing = step(
                "calendar.step.due",
                n=n,
                date=due.isoformat(),
                weekday=weekday(due),
                skipped=skipped,
            )
        else:
            opening = step("calendar.step.backward_start", n=-n, date=start.isoformat())
            closing = step(
                "calendar.step.backward_due",
                n=-n,
                date=due.isoformat(),
                weekday=weekday(due),
                skipped=skipped,
            )
        return [opening, *day_steps(days), closing]

    def working_days_between(self, a: date | datetime, b: date | datetime) -> int:
        """Working days in ``(a, b]``; negative (minus those in ``(b, a]``) when ``b < a``.

        Remaining working days to a due date: ``working_days_between(today, due)``;
        working days overdue: ``working_days_between(due, today)``.
        """
        first, last = _as_date(a), _as_date(b)
        if last < first:
            return -self._count_after(last, first)
        return self._count_after(first, last)

    def _count_after(self, a: date, b: date) -> int:
        """Working days in ``(a, b]`` for ``a <= b``."""
        ta, ia = self._locate(a)
        tb, ib = self._locate(b)
        if ta.year == tb.year:
            return tb.cumulative[ib + 1] - ta.cumulative[ia + 1]
        middle = sum(self._table(y).total for y in range(ta.year + 1, tb.year))
        return ta.total - ta.cumulative[ia + 1] + middle + tb.cumulative[ib + 1]

    def explain_working_days_between(
        self, a: date | datetime, b: date | datetime
    ) -> WorkingDaySpan:
        """:meth:`working_days_between` with its explanation and assumptions."""
        first, last = _as_date(a), _as_date(b)
        count = self.working_days_between(first, last)
        low, high = min(first, last), max(first, last)
        if low == high:
            unknown: tuple[int, ...] = ()
            assumptions: tuple[Step, ...] = ()
        else:
            unknown, assumptions = self._assumptions(low + _ONE_DAY, high)

        def build() -> list[Step]:
            key = "calendar.step.between" if count >= 0 else "calendar.step.between_backward"
            head = step(key, start=first.isoformat(), end=last.isoformat(), n=abs(count))
            if low == high:
                return [head]
            return [head, *day_steps(list(calendar_days(low + _ONE_DAY, high, self.day_info)))]

        return WorkingDaySpan(
            assumption_steps=assumptions,
            fallback_years=unknown,
            build_steps=build,
            start=first,
            end=last,
            working_days=count,
        )

    def closing_time(self, day: date) -> datetime:
        """When the office closes on ``day``: the moment a working-day term ending then expires."""
        return self._office_hours.closing(_as_date(day))

    # -- hours -----------------------------------------------------------------------------

    def add_working_hours(
        self, start: datetime, hours: Decimal | int | timedelta
    ) -> Deadline[datetime]:
        """The moment ``hours`` of office time after ``start`` have elapsed, explained.

        Counting starts at ``start`` if the office is open, otherwise at the next opening
        (after hours, at lunch, on a non-working day); the lunch break, evenings and
        non-working days are skipped. A due time that falls exactly at the end of a period
        (12:00, 17:30) stays there. ``hours`` is a number of hours or a ``timedelta``;
        ``start`` must be timezone-aware; the result is on the Asia/Shanghai clock.
        """
        local = to_shanghai(start)
        duration = as_duration(hours)
        if not duration:
            return Deadline(
                assumption_steps=(),
                fallback_years=(),
                build_steps=lambda: [step("calendar.step.hours_zero", time=_hm(local))],
                start=local,
                due=local,
                amount=duration,
                unit="working_hours",
            )
        due, segments = self._add_time(local, duration)
        unknown, assumptions = self._assumptions(local.date(), due.date())
        return Deadline(
            assumption_steps=assumptions,
            fallback_years=unknown,
            build_steps=lambda: self._hour_steps(local, due, duration, segments),
            start=local,
            due=due,
            amount=duration,
            unit="working_hours",
        )

    def _add_time(self, start: datetime, duration: timedelta) -> tuple[datetime, list[Segment]]:
        remaining = duration
        cursor = start
        day = start.date()
        segments: list[Segment] = []
        tz = start.tzinfo
        while True:
            if self.is_workday(day):
                for period_start, period_end in self._office_hours.periods:
                    opens = datetime.combine(day, period_start, tzinfo=tz)
                    closes = datetime.combine(day, period_end, tzinfo=tz)
                    if cursor >= closes:
                        continue
                    begin = max(cursor, opens)
                    if remaining <= closes - begin:
                        segments.append((begin, begin + remaining))
                        return begin + remaining, segments
                    segments.append((begin, closes))
                    remaining -= closes - begin
                    cursor = closes
            day += _ONE_DAY

    def _hour_steps(
        self, start: datetime, due: datetime, duration: timedelta, segments: Sequence[Segment]
    ) -> list[Step]:
        first_begin = segments[0][0]
        if first_begin == start:
            steps = [step("calendar.step.hours_start", time=_hm(start))]
        else:
            steps = [
                step("calendar.step.hours_start_later", time=_hm(start), opening=_hm(first_begin))
            ]
        by_day: defaultdict[date, list[Segment]] = defaultdict(list)
        for segment in segments:
            by_day[segment[0].date()].append(segment)
        pending: list[DayInfo] = []
        for info in calendar_days(start.date(), due.date(), self.day_info):
            if not info.is_workday:
                pending.append(info)
                continue
            steps.extend(day_steps(pending))
            pending.clear()
            if info.kind is DayKind.MAKEUP_WORKDAY:
                steps.extend(day_steps([info]))
            previous_end: datetime | None = None
            for begin, end in by_day.get(info.day, []):
                if previous_end is not None and previous_end != begin:
                    steps.append(
                        step(
                            "calendar.step.hours_break",
                            start=previous_end.strftime("%H:%M"),
                            end=begin.strftime("%H:%M"),
                        )
                    )
                steps.append(
                    step(
                        "calendar.step.hours_segment",
                        date=info.day.isoformat(),
                        start=begin.strftime("%H:%M"),
                        end=end.strftime("%H:%M"),
                        duration=_duration_step(end - begin),
                    )
                )
                previous_end = end
        steps.append(
            step("calendar.step.hours_due", time=_hm(due), duration=_duration_step(duration))
        )
        return steps

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Office time between two aware datetimes (negative when ``b < a``)."""
        start, end = to_shanghai(a), to_shanghai(b)
        if end < start:
            return -self.working_time_between(end, start)
        if start.date() == end.date():
            return self._office_overlap(start.date(), start, end)
        first_day, last_day = start.date(), end.date()
        total = self._office_overlap(first_day, start, self._office_hours.closing(first_day))
        total += self._office_overlap(last_day, self._office_hours.opening(last_day), end)
        full_days = self._count_after(first_day, last_day) - self.is_workday(last_day)
        return total + full_days * self._office_hours.daily

    def _office_overlap(self, day: date, low: datetime, high: datetime) -> timedelta:
        total = timedelta()
        if not self.is_workday(day):
            return total
        for period_start, period_end in self._office_hours.periods:
            opens = datetime.combine(day, period_start, tzinfo=low.tzinfo)
            closes = datetime.combine(day, period_end, tzinfo=low.tzinfo)
            overlap = min(high, closes) - max(low, opens)
            if overlap > timedelta():
                total += overlap
        return total


def _as_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return to_shanghai(value).date()
    if not isinstance(value, date):
        raise InvalidInput("calendar.not_a_date", value=value)
    return value


def _hm(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def _duration_step(duration: timedelta) -> Step:
    seconds = int(duration.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if secs or duration.microseconds:
        return step("calendar.duration.exact", hours=hours_text(duration))
    if not minutes:
        return step("calendar.duration.h", hours=hours)
    if not hours:
        return step("calendar.duration.m", minutes=minutes)
    return step("calendar.duration.hm", hours=hours, minutes=minutes)


@cache
def default_calendar() -> WorkingCalendar:
    """The process-wide calendar from settings (cached; ``default_calendar.cache_clear()``)."""
    return WorkingCalendar.from_settings()
