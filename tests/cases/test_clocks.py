"""Clocks: ledgers replayed on the official calendar, explained, recomputed."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from cases_support import applicant_actor, clerk, matter_request, reviewer, shanghai, supervisor
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from onething.cases import CaseService, ClockReading, LedgerLine, read_clock
from onething.cases.clocks import load_ledgers
from onething.kit.calendar import CalendarOverrides, WorkingCalendar
from onething.kit.db import unit_of_work
from onething.kit.errors import InvalidInput
from onething.models.cases import CaseEvent, Clock

CAL = WorkingCalendar()
START = shanghai(date(2025, 9, 26), 10)  # Friday before the National Day holidays


def _line(action: str, at: datetime, amount: int | None = None, reason: str = "") -> LedgerLine:
    return LedgerLine(action, at, amount, reason or None, "clerk:x")  # type: ignore[arg-type]


def test_a_working_day_term_counts_from_the_day_after_acceptance() -> None:
    reading = read_clock("legal", "working_days", 5, [_line("start", START)], CAL)
    # 9-28 is a make-up working day (Sunday); 10-1 … 10-8 are National Day / Mid-autumn
    assert reading.due_date == date(2025, 10, 10)
    assert reading.due_at == CAL.closing_time(date(2025, 10, 10))
    assert reading.status == "running"
    zh = reading.explain("zh-CN")
    assert zh[0].startswith("2025-09-26 10:00 起算，法定时限 5个工作日")
    assert any("国庆节" in line or "中秋节" in line for line in zh)
    assert reading.explain("en")[0].startswith("Started 2025-09-26 10:00: legal term of 5")


def test_pause_resume_and_extension_move_the_due_date_and_say_why() -> None:
    lines = [
        _line("start", START),
        _line("pause", shanghai(date(2025, 9, 29), 15), reason="补正：缺身份证复印件"),
        _line("resume", shanghai(date(2025, 10, 9), 9, 30)),
    ]
    paused = read_clock("promised", "working_days", 5, lines, CAL)
    assert paused.paused == 2  # 9-30 and 10-9
    assert paused.due_date == date(2025, 10, 13)  # 10-11 (Saturday) is a make-up working day
    extended = read_clock(
        "promised",
        "working_days",
        5,
        [*lines, _line("extend", shanghai(date(2025, 10, 10), 9), 3, "需实地核查")],
        CAL,
    )
    assert extended.extended == 3
    assert extended.due_date == CAL.add_working_days(date(2025, 9, 26), 5 + 2 + 3).due
    assert extended.due_date == date(2025, 10, 16)
    text = "\n".join(extended.explain("zh-CN"))
    assert "补正：缺身份证复印件" in text
    assert "顺延 2个工作日" in text
    assert "延长 3个工作日：需实地核查" in text
    assert "时限 5 + 延长 3 + 暂停顺延 2 = 10个工作日" in text


def test_an_open_pause_is_explained_and_stops_count_met_or_late() -> None:
    open_pause = read_clock(
        "legal",
        "working_days",
        5,
        [_line("start", START), _line("pause", shanghai(date(2025, 9, 29)), reason="补正")],
        CAL,
    )
    assert open_pause.status == "paused"
    assert open_pause.paused_since == shanghai(date(2025, 9, 29))
    assert any("恢复后" in line for line in open_pause.explain("zh-CN"))

    def stopped(at: datetime) -> ClockReading:
        return read_clock(
            "legal", "working_days", 5, [_line("start", START), _line("stop", at)], CAL
        )

    on_time = stopped(shanghai(date(2025, 10, 10), 17))
    assert (on_time.status, on_time.late_working_days) == ("met", 0)
    late = stopped(shanghai(date(2025, 10, 14)))
    assert late.status == "breached"
    assert late.late_working_days == 3  # 10-11 (make-up working day), 10-13, 10-14
    assert late.late_working_days == CAL.working_days_between(
        date(2025, 10, 10), date(2025, 10, 14)
    )


def test_working_hour_clocks_count_office_time() -> None:
    friday = shanghai(date(2025, 11, 7), 16, 30)
    reading = read_clock("step", "working_hours", 2, [_line("start", friday)], CAL)
    # 16:30–17:30 on Friday, then 09:00–10:00 on Monday
    assert reading.due_at == shanghai(date(2025, 11, 10), 10)
    assert reading.due_at == CAL.add_working_hours(friday, 2).due
    paused = read_clock(
        "step",
        "working_hours",
        2,
        [
            _line("start", friday),
            _line("pause", shanghai(date(2025, 11, 10), 9)),
            _line("resume", shanghai(date(2025, 11, 10), 9, 30)),
        ],
        CAL,
    )
    assert paused.paused == timedelta(minutes=30)
    assert paused.due_at == shanghai(date(2025, 11, 10), 10, 30)


def test_calendar_day_clocks_count_days() -> None:
    reading = read_clock(
        "custom",
        "calendar_days",
        30,
        [_line("start", START), _line("extend", START, 2, "节后顺延")],
        CAL,
    )
    assert reading.due_date == date(2025, 9, 26) + timedelta(days=32)


def test_a_ledger_must_start_with_a_start_line() -> None:
    with pytest.raises(ValueError, match="start"):
        read_clock("legal", "working_days", 5, [_line("pause", START)], CAL)


@settings(max_examples=60, deadline=None)
@given(
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 6, 30)),
    amount=st.integers(min_value=0, max_value=30),
    gaps=st.lists(
        st.tuples(st.integers(min_value=0, max_value=9), st.integers(min_value=0, max_value=12)),
        max_size=4,
    ),
    extension=st.integers(min_value=0, max_value=10),
)
def test_running_time_consumed_is_the_term(
    start: date, amount: int, gaps: list[tuple[int, int]], extension: int
) -> None:
    """Working days from start to due, minus the working days paused, is the term."""
    lines = [_line("start", shanghai(start))]
    cursor = start
    paused = 0
    for run, length in gaps:
        pause_day = cursor + timedelta(days=run)
        resume_day = pause_day + timedelta(days=length)
        lines += [_line("pause", shanghai(pause_day, 15)), _line("resume", shanghai(resume_day))]
        paused += CAL.working_days_between(pause_day, resume_day)
        cursor = resume_day
    if extension:
        lines.append(_line("extend", shanghai(cursor), extension, "延期"))
    reading = read_clock("legal", "working_days", amount, lines, CAL)
    assert CAL.working_days_between(start, reading.due_date) - paused == amount + extension
    assert reading.paused == paused


# -- on the database ------------------------------------------------------------------------


def _accepted_case(engine: Engine, service: CaseService, catalog: object, day: date) -> str:
    with unit_of_work(engine) as session:
        case = service.submit(
            session,
            clerk("market"),
            catalog,
            matter_request("business_licence"),
            at=shanghai(day, 9),  # type: ignore[arg-type]
        )
        service.accept(session, clerk("market"), case.id, at=shanghai(day, 10))
        return case.id


def test_an_extension_is_explained_and_the_stored_due_time_is_the_ledger_replayed(
    engine: Engine, service: CaseService, catalog: object, calendar: WorkingCalendar
) -> None:
    monday = date(2025, 11, 3)
    case_id = _accepted_case(engine, service, catalog, monday)
    with unit_of_work(engine) as session:
        reading = service.extend_clock(
            session,
            reviewer("market"),
            case_id,
            clock="legal",
            days=5,
            reason="需现场核查经营场所",
            at=shanghai(date(2025, 11, 5)),
        )
    assert reading.due_date == calendar.add_working_days(monday, 15 + 5).due
    with unit_of_work(engine) as session:
        for ledger in load_ledgers(session, [case_id])[case_id]:
            assert ledger.clock.due_at == ledger.read(calendar).due_at
        tree = service.get_case(session, applicant_actor(), case_id)
        (extend,) = [e for e in tree.events if e.action == "extend_clock"]
    legal = next(c for c in tree.clocks if c.name == "legal")
    assert legal.extended == 5
    assert any("需现场核查经营场所" in line for line in legal.explanation)
    assert extend.after is not None
    assert extend.after["due_at"] == legal.due_at.isoformat()
    with pytest.raises(InvalidInput) as caught, unit_of_work(engine) as session:
        service.extend_clock(session, reviewer("market"), case_id, days=0, reason="x")
    assert caught.value.params == {"days": 0, "max": 60}


def test_a_calendar_correction_is_picked_up_by_recomputing(
    engine: Engine, service: CaseService, catalog: object, calendar: WorkingCalendar
) -> None:
    monday = date(2025, 11, 3)
    _accepted_case(engine, service, catalog, monday)
    corrected = WorkingCalendar(
        CalendarOverrides.parse(
            {"years": {2025: {"holidays": [{"date": "2025-11-05", "name": "测试调整"}]}}}
        )
    )
    fixed = CaseService(calendar=corrected)
    with unit_of_work(engine) as session:
        moved = fixed.recompute_clocks(session, supervisor(), at=shanghai(date(2025, 11, 4)))
    assert sorted((name, old.date(), new.date()) for _, name, old, new in moved) == [
        (
            "legal",
            calendar.add_working_days(monday, 15).due,
            corrected.add_working_days(monday, 15).due,
        ),
        (
            "promised",
            calendar.add_working_days(monday, 3).due,
            corrected.add_working_days(monday, 3).due,
        ),
    ]
    assert corrected.add_working_days(monday, 3).due == date(2025, 11, 7)  # one day later
    with unit_of_work(engine) as session:
        assert fixed.recompute_clocks(session, supervisor()) == []  # nothing moves twice
        events = session.scalars(
            select(CaseEvent).where(CaseEvent.action == "recompute_clock")
        ).all()
        assert len(events) == 2
        stored = {c.name: c.due_at for c in session.scalars(select(Clock))}
    assert stored["promised"] == corrected.closing_time(date(2025, 11, 7))
