"""Explained results: every due date says how it was reached and what it assumes.

Steps are kept as message keys with parameters and rendered in a locale on demand, and a
result builds its steps only when someone reads them: an SLA scan computing thousands of
due dates pays for the arithmetic, not for the prose.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any, Generic, Literal, TypeAlias, TypeVar

from onething.kit.calendar.days import DayInfo, DayKind, YearStatus
from onething.kit.calendar.hours import hours_text
from onething.kit.i18n import DEFAULT_LOCALE, translate

DeadlineUnit = Literal["working_days", "working_hours"]
DueT = TypeVar("DueT", date, datetime)


@dataclass(frozen=True, slots=True)
class Step:
    """One translatable sentence: a message key and its parameters (which may be steps)."""

    key: str
    params: tuple[tuple[str, Param], ...] = ()

    def render(self, locale: str = DEFAULT_LOCALE) -> str:
        values = {
            name: value.render(locale) if isinstance(value, Step) else value
            for name, value in self.params
        }
        return translate(self.key, locale, **values)


Param: TypeAlias = str | int | Step
"""A step parameter: plain text, a number, or a nested step rendered in the same locale."""


def step(key: str, /, **params: Param) -> Step:
    """A :class:`Step` from keyword parameters."""
    return Step(key, tuple(params.items()))


def weekday(day: date) -> Step:
    """The weekday of ``day`` (星期一 … 星期日)."""
    return step(f"calendar.weekday.{day.weekday()}")


def year_assumptions(statuses: Sequence[tuple[int, YearStatus]]) -> tuple[Step, ...]:
    """One assumption per year whose schedule is not fully known."""
    found: list[Step] = []
    for year, status in statuses:
        if status is YearStatus.UNKNOWN:
            found.append(step("calendar.assumption.year_unknown", year=year))
        elif status is YearStatus.PARTIAL:
            found.append(step("calendar.assumption.year_partial", year=year))
    return tuple(found)


def _reason(info: DayInfo, run_length: int) -> Step:
    if info.kind is DayKind.HOLIDAY and info.holiday_name:
        return step("calendar.reason.holiday", name=info.holiday_name)
    if run_length == 1:
        return weekday(info.day)
    return step("calendar.reason.weekend")


def _run_key(info: DayInfo) -> str | None:
    return info.holiday_name if info.kind is DayKind.HOLIDAY else None


def calendar_days(first: date, last: date, lookup: Callable[[date], DayInfo]) -> Iterator[DayInfo]:
    """Every day from ``first`` to ``last`` inclusive."""
    for offset in range((last - first).days + 1):
        yield lookup(first + timedelta(days=offset))


def day_steps(days: Sequence[DayInfo]) -> list[Step]:
    """Non-working days (grouped into runs with one reason) and make-up working days."""
    steps: list[Step] = []
    run: list[DayInfo] = []

    def close_run() -> None:
        if not run:
            return
        reason = _reason(run[0], len(run))
        if len(run) == 1:
            steps.append(
                step("calendar.step.non_working", date=run[0].day.isoformat(), reason=reason)
            )
        else:
            steps.append(
                step(
                    "calendar.step.non_working_run",
                    start=run[0].day.isoformat(),
                    end=run[-1].day.isoformat(),
                    reason=reason,
                    days=len(run),
                )
            )
        run.clear()

    for info in days:
        if info.is_workday:
            close_run()
            if info.kind is DayKind.MAKEUP_WORKDAY:
                steps.append(
                    step(
                        "calendar.step.makeup_workday",
                        date=info.day.isoformat(),
                        weekday=weekday(info.day),
                        name=info.holiday_name or "",
                    )
                )
            continue
        if run and _run_key(run[-1]) != _run_key(info):
            close_run()
        run.append(info)
    close_run()
    return steps


def _iso(value: date | datetime) -> str:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat()


@dataclass(frozen=True)
class _Explained:
    """Shared behaviour: lazily built steps, assumptions, rendering."""

    assumption_steps: tuple[Step, ...]
    fallback_years: tuple[int, ...]
    build_steps: Callable[[], Sequence[Step]] = field(repr=False, compare=False)

    @cached_property
    def steps(self) -> tuple[Step, ...]:
        """How the result was reached, as translatable steps."""
        return tuple(self.build_steps())

    @property
    def provisional(self) -> bool:
        """True when a year without a known schedule was computed weekends-only."""
        return bool(self.assumption_steps)

    @property
    def explanation(self) -> list[str]:
        """The steps in Simplified Chinese."""
        return self.explain(DEFAULT_LOCALE)

    @property
    def assumptions(self) -> list[str]:
        """What the result assumes (years computed weekends-only), in Simplified Chinese."""
        return [s.render(DEFAULT_LOCALE) for s in self.assumption_steps]

    def explain(self, locale: str = DEFAULT_LOCALE) -> list[str]:
        """The steps rendered in ``locale``."""
        return [s.render(locale) for s in self.steps]

    def _explained_dict(self, locale: str) -> dict[str, Any]:
        return {
            "provisional": self.provisional,
            "fallback_years": list(self.fallback_years),
            "explanation": self.explain(locale),
            "assumptions": [s.render(locale) for s in self.assumption_steps],
        }


@dataclass(frozen=True)
class Deadline(_Explained, Generic[DueT]):
    """A due date or due time with its explanation.

    ``Deadline[date]`` for working-day terms, ``Deadline[datetime]`` for working-hour
    terms. ``due`` is a ``date`` for working-day terms (the term ends when the office closes on
    that day) and an Asia/Shanghai ``datetime`` for working-hour terms. ``amount`` is the
    number of working days (``int``) or the working time (``timedelta``).
    """

    start: DueT = field(kw_only=True)
    due: DueT = field(kw_only=True)
    amount: int | timedelta = field(kw_only=True)
    unit: DeadlineUnit = field(kw_only=True)

    def to_dict(self, locale: str = DEFAULT_LOCALE) -> dict[str, Any]:
        """A JSON-ready view for the API."""
        amount: int | str = (
            hours_text(self.amount) if isinstance(self.amount, timedelta) else self.amount
        )
        return {
            "start": _iso(self.start),
            "due": _iso(self.due),
            "unit": self.unit,
            "amount": amount,
            **self._explained_dict(locale),
        }


@dataclass(frozen=True)
class WorkingDaySpan(_Explained):
    """How many working days lie after ``start`` up to and including ``end``.

    ``working_days`` is negative when ``end`` is before ``start``.
    """

    start: date = field(kw_only=True)
    end: date = field(kw_only=True)
    working_days: int = field(kw_only=True)

    def to_dict(self, locale: str = DEFAULT_LOCALE) -> dict[str, Any]:
        """A JSON-ready view for the API."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "working_days": self.working_days,
            **self._explained_dict(locale),
        }
