"""Clocks: deadlines on the official working-day calendar, kept as a ledger.

A clock's truth is its ledger (start, pause, resume, extend, stop, each with when, why and
who); ``due_at`` and ``status`` on the row are a cache of :func:`read_clock`, so every due
time can be explained line by line and recomputed when the calendar is corrected.

Conventions (those of :mod:`onething.kit.calendar.core`):

- A working-day term counts from the day after the start (受理之日不计入) and ends when the
  office closes on the Nth working day: ``due = add_working_days(start, N)``.
- A pause from day P to day R (补正) moves the due date by the working days in ``(P, R]``:
  the day of the pause is consumed, the day of resumption is not (it is a new start).
  Because adding working days composes, ``due = add_working_days(start, N + extended +
  paused)``, and the explanation shows each term of that sum.
- An extension adds working days, with its reason.
- Working-hour terms (the "2115" contact within 2 hours) count office time; a pause moves
  them by the office time paused. Calendar-day terms count days.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from onething.kit.calendar import Step, WorkingCalendar, to_shanghai
from onething.kit.calendar.explain import step
from onething.kit.calendar.hours import hours_text
from onething.kit.db import as_loaded
from onething.kit.i18n import DEFAULT_LOCALE
from onething.models.cases import CLOCKS, Clock, ClockEntry, NewCaseRows, write_new_cases

ClockKind = Literal["legal", "promised", "step", "custom"]
ClockUnit = Literal["working_days", "working_hours", "calendar_days"]
ClockStatus = Literal["running", "paused", "met", "breached"]
LedgerAction = Literal["start", "pause", "resume", "extend", "stop"]

CLOCK_KINDS: tuple[ClockKind, ...] = ("legal", "promised", "step", "custom")
CLOCK_UNITS: tuple[ClockUnit, ...] = ("working_days", "working_hours", "calendar_days")
RUNNING_STATUSES = ("running", "paused")


@dataclass(frozen=True, slots=True)
class LedgerLine:
    """One line of a clock's ledger (``amount``: the extension, in the clock's unit)."""

    action: LedgerAction
    at: datetime
    amount: int | None = None
    reason: str | None = None
    actor: str = ""


@dataclass(frozen=True)
class ClockReading:
    """What a ledger says on a calendar: status, due time, and how it was reached.

    ``paused`` and ``extended`` are in the clock's unit (working days, working hours as a
    ``timedelta`` for hour clocks, or calendar days). While a clock is paused, ``due_at`` is
    the due time if it resumed at the moment it paused; it moves on resumption.
    """

    kind: str
    unit: ClockUnit
    amount: int
    status: ClockStatus
    started_at: datetime
    due_at: datetime
    due_date: date
    extended: int
    paused: int | timedelta
    paused_since: datetime | None
    stopped_at: datetime | None
    late_working_days: int
    assumption_steps: tuple[Step, ...] = field(repr=False)
    build_steps: Callable[[], Sequence[Step]] = field(repr=False, compare=False)

    @cached_property
    def steps(self) -> tuple[Step, ...]:
        """The explanation as translatable steps (built when first read, not by scans)."""
        return tuple(self.build_steps())

    @property
    def provisional(self) -> bool:
        """True when a year without a published holiday schedule was counted weekends-only."""
        return bool(self.assumption_steps)

    def explain(self, locale: str = DEFAULT_LOCALE) -> list[str]:
        """How the due time was reached, one sentence per ledger line and calendar step."""
        return [s.render(locale) for s in self.steps]

    def assumptions(self, locale: str = DEFAULT_LOCALE) -> list[str]:
        return [s.render(locale) for s in self.assumption_steps]


def _local_date(moment: datetime) -> date:
    return to_shanghai(moment).date()


def _stamp(moment: datetime) -> str:
    return to_shanghai(moment).strftime("%Y-%m-%d %H:%M")


def _unit_step(unit: ClockUnit) -> Step:
    return step(f"cases.clock.unit.{unit}")


def _amount_text(value: int | timedelta) -> str:
    if isinstance(value, timedelta):
        return hours_text(value)
    return str(value)


def read_clock(
    kind: str,
    unit: ClockUnit,
    amount: int,
    lines: Sequence[LedgerLine],
    calendar: WorkingCalendar,
) -> ClockReading:
    """Replay a ledger on ``calendar``: the clock's status, due time and explanation.

    ``lines`` must start with a ``start`` line; they are replayed in order. A pause while
    paused, a resume while running and anything after the stop are ignored.
    """
    if not lines or lines[0].action != "start":
        raise ValueError("a clock ledger starts with a start line")
    replay = _Replay(kind, unit, amount, calendar, lines[0].at)
    for line in lines[1:]:
        replay.apply(line)
    return replay.reading()


class _Replay:
    """The running totals of a ledger replay and the explanation so far."""

    def __init__(
        self,
        kind: str,
        unit: ClockUnit,
        amount: int,
        calendar: WorkingCalendar,
        started_at: datetime,
    ) -> None:
        self.kind, self.unit, self.amount, self.calendar = kind, unit, amount, calendar
        self.started_at = started_at
        self.extended = 0
        self.paused_days = 0
        self.paused_time = timedelta()
        self.paused_since: datetime | None = None
        self.pause_reason = ""
        self.stopped_at: datetime | None = None
        self.steps: list[Step] = [
            step(
                "cases.clock.step.start",
                time=_stamp(started_at),
                kind=step(f"cases.clock.kind.{kind}"),
                amount=amount,
                unit=_unit_step(unit),
            )
        ]

    def apply(self, line: LedgerLine) -> None:
        if self.stopped_at is not None:
            return
        if line.action == "pause" and self.paused_since is None:
            self.paused_since, self.pause_reason = line.at, line.reason or ""
        elif line.action == "resume" and self.paused_since is not None:
            self._close_pause(line.at)
        elif line.action == "extend" and line.amount:
            self.extended += line.amount
            self.steps.append(
                step(
                    "cases.clock.step.extend",
                    time=_stamp(line.at),
                    amount=line.amount,
                    unit=_unit_step(self.unit),
                    reason=line.reason or "-",
                    actor=line.actor,
                )
            )
        elif line.action == "stop":
            if self.paused_since is not None:
                self._close_pause(line.at)
            self.stopped_at = line.at

    def _close_pause(self, end: datetime) -> None:
        assert self.paused_since is not None
        shift: int | timedelta
        if self.unit == "working_days":
            shift = self.calendar.working_days_between(self.paused_since, end)
            self.paused_days += shift
        elif self.unit == "calendar_days":
            shift = (_local_date(end) - _local_date(self.paused_since)).days
            self.paused_days += shift
        else:
            shift = self.calendar.working_time_between(self.paused_since, end)
            self.paused_time += shift
        self.steps.append(
            step(
                "cases.clock.step.pause",
                start=_stamp(self.paused_since),
                end=_stamp(end),
                reason=self.pause_reason or "-",
                shift=_amount_text(shift),
                unit=_unit_step(self.unit),
            )
        )
        self.paused_since = None

    def _due(self) -> tuple[date, datetime, tuple[Step, ...], Callable[[], Sequence[Step]]]:
        """Due date, due instant, assumptions, and the calendar's explanation (lazy)."""
        calendar, start = self.calendar, self.started_at
        if self.unit == "working_days":
            days = calendar.add_working_days(start, self.amount + self.extended + self.paused_days)
            return (
                days.due,
                calendar.closing_time(days.due),
                days.assumption_steps,
                lambda: days.steps,
            )
        if self.unit == "calendar_days":
            span = timedelta(days=self.amount + self.extended + self.paused_days)
            due_date = _local_date(start) + span
            due_step = step("cases.clock.step.calendar_due", date=due_date.isoformat())
            return due_date, calendar.closing_time(due_date), (), lambda: (due_step,)
        work = timedelta(hours=self.amount + self.extended) + self.paused_time
        hours = calendar.add_working_hours(start, work)
        return hours.due.date(), hours.due, hours.assumption_steps, lambda: hours.steps

    def reading(self) -> ClockReading:
        steps = list(self.steps)
        if self.paused_since is not None:
            steps.append(
                step(
                    "cases.clock.step.paused_open",
                    start=_stamp(self.paused_since),
                    reason=self.pause_reason or "-",
                )
            )
        hourly = self.unit == "working_hours"
        paused: int | timedelta = self.paused_time if hourly else self.paused_days
        total = (
            timedelta(hours=self.amount + self.extended) + self.paused_time
            if hourly
            else self.amount + self.extended + self.paused_days
        )
        steps.append(
            step(
                "cases.clock.step.total",
                amount=self.amount,
                extended=self.extended,
                paused=_amount_text(paused),
                total=_amount_text(total),
                unit=_unit_step(self.unit),
            )
        )
        due_date, due_at, assumptions, calendar_steps = self._due()
        status: ClockStatus = "paused" if self.paused_since is not None else "running"
        late = 0
        tail: list[Step] = []
        if self.stopped_at is not None:
            status = "met" if self.stopped_at <= due_at else "breached"
            if status == "breached":
                late = self.calendar.working_days_between(due_date, self.stopped_at)
            tail.append(
                step(f"cases.clock.step.stop_{status}", time=_stamp(self.stopped_at), late=late)
            )
        return ClockReading(
            kind=self.kind,
            unit=self.unit,
            amount=self.amount,
            status=status,
            started_at=self.started_at,
            due_at=due_at,
            due_date=due_date,
            extended=self.extended,
            paused=paused,
            paused_since=self.paused_since,
            stopped_at=self.stopped_at,
            late_working_days=late,
            assumption_steps=tuple(assumptions),
            build_steps=lambda: [*steps, *calendar_steps(), *tail],
        )


@dataclass
class Ledger:
    """A clock row and its ledger rows, loaded together; appends keep the row's cache right."""

    clock: Clock
    entries: list[ClockEntry]

    def lines(self) -> list[LedgerLine]:
        return [
            LedgerLine(e.action, e.at, e.amount, e.reason, e.actor)  # type: ignore[arg-type]
            for e in self.entries
        ]

    def read(self, calendar: WorkingCalendar) -> ClockReading:
        clock = self.clock
        return read_clock(clock.kind, clock.unit, clock.amount, self.lines(), calendar)  # type: ignore[arg-type]

    @property
    def is_running(self) -> bool:
        return self.clock.status in RUNNING_STATUSES

    def append(
        self,
        session: Session,
        calendar: WorkingCalendar,
        action: LedgerAction,
        *,
        at: datetime,
        actor: str,
        amount: int | None = None,
        reason: str | None = None,
    ) -> ClockReading:
        """Add a ledger line and refresh the clock's cached status and due time."""
        entry = ClockEntry(
            clock_id=self.clock.id, at=at, action=action, amount=amount, reason=reason, actor=actor
        )
        session.add(entry)
        self.entries.append(entry)
        reading = self.refresh(calendar)
        if action == "extend":
            self.clock.sla_level = None  # supervision starts over for the new due time
        return reading

    def refresh(self, calendar: WorkingCalendar) -> ClockReading:
        """Recompute the cached columns from the ledger (after a calendar correction too)."""
        reading = self.read(calendar)
        clock = self.clock
        clock.status = reading.status
        clock.due_at = reading.due_at
        clock.paused_at = reading.paused_since
        clock.stopped_at = reading.stopped_at
        return reading


@dataclass(frozen=True, slots=True)
class ClockSpec:
    """A clock to start: kind, a unique name on the case, unit and amount."""

    kind: ClockKind
    name: str
    unit: ClockUnit
    amount: int


def new_ledgers(
    calendar: WorkingCalendar,
    starts: Iterable[tuple[str, ClockSpec]],
    *,
    at: datetime,
    actor: str,
    reason: str | None = None,
) -> list[Ledger]:
    """The ledgers of clocks starting at ``at`` for ``(case_id, spec)`` pairs, each with its
    ``start`` line — not written (:func:`start_clocks` writes them, or the submission that
    starts them with its cases); not attached to a session (:func:`load_ledgers` reads
    them back to change them)."""
    ledgers: list[Ledger] = []
    for case_id, spec in starts:
        start = read_clock(spec.kind, spec.unit, spec.amount, [LedgerLine("start", at)], calendar)
        clock = as_loaded(
            Clock,
            {
                "id": None,
                "case_id": case_id,
                "kind": spec.kind,
                "name": spec.name,
                "unit": spec.unit,
                "amount": spec.amount,
                "started_at": at,
                "due_at": start.due_at,
                "paused_at": None,
                "stopped_at": None,
                "status": "running",
                "sla_level": None,
            },
        )
        entry = as_loaded(
            ClockEntry,
            {
                "id": None,
                "clock_id": None,
                "at": at,
                "action": "start",
                "amount": None,
                "reason": reason,
                "actor": actor,
            },
        )
        ledgers.append(Ledger(clock, [entry]))
    return ledgers


CLOCK_COLUMNS = tuple(c.key for c in CLOCKS.columns if c is not CLOCKS.autoincrement_column)


def clock_values(clock: Clock) -> dict[str, Any]:
    """The column values of a new clock row (its id is the database's)."""
    return {key: getattr(clock, key) for key in CLOCK_COLUMNS}


def start_clocks(
    session: Session,
    calendar: WorkingCalendar,
    starts: Iterable[tuple[str, ClockSpec]],
    *,
    at: datetime,
    actor: str,
    reason: str | None = None,
) -> list[Ledger]:
    """Start clocks for ``(case_id, spec)`` pairs now: their rows and start lines written
    at once whatever their number, no ids read back (see :func:`new_ledgers`)."""
    ledgers = new_ledgers(calendar, starts, at=at, actor=actor, reason=reason)
    if ledgers:
        rows = NewCaseRows(
            clocks=[clock_values(ledger.clock) for ledger in ledgers],
            clock_actor=actor,
            clock_reason=reason,
        )
        write_new_cases(session, rows)
    return ledgers


def load_ledgers(session: Session, case_ids: Sequence[str]) -> dict[str, list[Ledger]]:
    """The clocks of ``case_ids`` with their ledgers, in two queries, grouped by case."""
    found: dict[str, list[Ledger]] = {case_id: [] for case_id in case_ids}
    if not case_ids:
        return found
    clocks = session.scalars(
        select(Clock).where(Clock.case_id.in_(case_ids)).order_by(Clock.id)
    ).all()
    if not clocks:
        return found
    entries = session.scalars(
        select(ClockEntry)
        .where(ClockEntry.clock_id.in_([c.id for c in clocks]))
        .order_by(ClockEntry.id)
    ).all()
    by_clock: dict[int, list[ClockEntry]] = {c.id: [] for c in clocks}
    for entry in entries:
        by_clock[entry.clock_id].append(entry)
    for clock in clocks:
        found[clock.case_id].append(Ledger(clock, by_clock[clock.id]))
    return found


PAUSABLE_KINDS = frozenset({"legal", "promised"})
"""Clocks a correction (补正) pauses; step and custom clocks keep running."""


def apply_effect(
    session: Session,
    calendar: WorkingCalendar,
    ledgers: Iterable[Ledger],
    effect: Literal["pause", "resume", "stop"],
    *,
    at: datetime,
    actor: str,
    reason: str | None = None,
) -> list[Ledger]:
    """Pause, resume or stop the clocks it applies to; returns the clocks changed."""
    changed: list[Ledger] = []
    for ledger in ledgers:
        status = ledger.clock.status
        if (
            (effect == "pause" and status == "running" and ledger.clock.kind in PAUSABLE_KINDS)
            or (effect == "resume" and status == "paused")
            or (effect == "stop" and status in RUNNING_STATUSES)
        ):
            ledger.append(session, calendar, effect, at=at, actor=actor, reason=reason)
            changed.append(ledger)
    return changed
