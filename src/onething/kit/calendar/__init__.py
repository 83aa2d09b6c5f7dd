"""The official working-day calendar (工作日历), with explanations.

Deadlines in government service count working days on the official Chinese calendar:
public holidays and make-up working days (调休上班) included. ``chinese-calendar`` knows
the years the State Council has announced when it was released; an administrator adds
later years to an override file (see :mod:`onething.kit.calendar.overrides`) when the
notice (国务院办公厅关于XXXX年部分节假日安排的通知) is published. A date beyond every
known year is computed weekends-only and flagged in the result's ``assumptions``.

    >>> from datetime import date
    >>> cal = WorkingCalendar()
    >>> cal.add_working_days(date(2026, 9, 30), 1).due
    datetime.date(2026, 10, 8)

Counting conventions are documented in :mod:`onething.kit.calendar.core`; office hours
and time zones in :mod:`onething.kit.calendar.hours`.
"""

from onething.kit.calendar.core import WorkingCalendar, default_calendar
from onething.kit.calendar.days import DayInfo, DayKind, DaySource, YearStatus
from onething.kit.calendar.explain import Deadline, Step, WorkingDaySpan
from onething.kit.calendar.hours import OfficeHours, to_shanghai
from onething.kit.calendar.overrides import CalendarOverrides, OverrideDay, OverrideYear
from onething.kit.clock import SHANGHAI

__all__ = [
    "SHANGHAI",
    "CalendarOverrides",
    "DayInfo",
    "DayKind",
    "DaySource",
    "Deadline",
    "OfficeHours",
    "OverrideDay",
    "OverrideYear",
    "Step",
    "WorkingCalendar",
    "WorkingDaySpan",
    "YearStatus",
    "default_calendar",
    "to_shanghai",
]
