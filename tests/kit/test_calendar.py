"""The official working-day calendar: holidays, make-up working days, deadlines, office hours.

Expected schedules come from FACTS.md §1.6 (the State Council notices for 2025 and 2026)
and are checked against both our calendar and the ``chinese_calendar`` package itself.
The 2027 data used here is a made-up test fixture, never an official schedule.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from importlib import resources
from pathlib import Path

import chinese_calendar
import pytest
import yaml
from hypothesis import assume, given
from hypothesis import strategies as st

from onething.config import Settings, get_settings
from onething.kit.calendar import (
    SHANGHAI,
    CalendarOverrides,
    DayKind,
    DaySource,
    OfficeHours,
    WorkingCalendar,
    YearStatus,
    default_calendar,
)
from onething.kit.errors import InvalidInput
from onething.kit.i18n import translate

CAL = WorkingCalendar()  # the shipped configuration: library + shipped override file
LIBRARY_LAST_YEAR = 2026


def d(text: str) -> date:
    return date.fromisoformat(text)


def at(text: str) -> datetime:
    """An Asia/Shanghai datetime from 'YYYY-MM-DD HH:MM'."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def days_from(first: str, last: str) -> list[date]:
    start, end = d(first), d(last)
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


# -- the official 2025 and 2026 schedules (FACTS.md §1.6) -----------------------------------

# (holiday names accepted, first day, last day, make-up working days)
SCHEDULE: list[tuple[set[str], str, str, list[str]]] = [
    ({"元旦"}, "2025-01-01", "2025-01-01", []),
    ({"春节"}, "2025-01-28", "2025-02-04", ["2025-01-26", "2025-02-08"]),
    ({"清明节"}, "2025-04-04", "2025-04-06", []),
    ({"劳动节"}, "2025-05-01", "2025-05-05", ["2025-04-27"]),
    ({"端午节"}, "2025-05-31", "2025-06-02", []),
    ({"国庆节", "中秋节"}, "2025-10-01", "2025-10-08", ["2025-09-28", "2025-10-11"]),
    ({"元旦"}, "2026-01-01", "2026-01-03", ["2026-01-04"]),
    ({"春节"}, "2026-02-15", "2026-02-23", ["2026-02-14", "2026-02-28"]),
    ({"劳动节"}, "2026-05-01", "2026-05-05", ["2026-05-09"]),
    ({"国庆节"}, "2026-10-01", "2026-10-07", ["2026-09-20", "2026-10-10"]),
]


@pytest.mark.parametrize(("names", "first", "last", "makeups"), SCHEDULE)
def test_official_holidays_and_makeup_days(
    names: set[str], first: str, last: str, makeups: list[str]
) -> None:
    for day in days_from(first, last):
        info = CAL.day_info(day)
        assert not info.is_workday, day
        assert info.kind is DayKind.HOLIDAY, day
        assert info.holiday_name in names, day
        assert info.source is DaySource.LIBRARY
        assert chinese_calendar.is_holiday(day), day
    for edge in (d(first) - timedelta(days=1), d(last) + timedelta(days=1)):
        assert CAL.day_info(edge).holiday_name not in names or CAL.day_info(edge).is_workday
    for text in makeups:
        info = CAL.day_info(d(text))
        assert info.is_workday, text
        assert info.kind is DayKind.MAKEUP_WORKDAY, text
        assert info.day.weekday() >= 5, text
        assert info.holiday_name in names, text
        assert chinese_calendar.is_workday(d(text)), text


@pytest.mark.parametrize("year", [2025, 2026])
def test_makeup_days_are_exactly_the_announced_ones(year: int) -> None:
    announced = {
        d(m) for _, first, _, makeups in SCHEDULE if first[:4] == str(year) for m in makeups
    }
    found = {
        day
        for day in days_from(f"{year}-01-01", f"{year}-12-31")
        if CAL.day_info(day).kind is DayKind.MAKEUP_WORKDAY
    }
    assert found == announced


def test_2026_holidays_beyond_the_facts_table_are_the_librarys() -> None:
    """FACTS lists four 2026 holidays; the library also has 清明, 端午 and 中秋 (no make-ups)."""
    extra = {
        "清明节": days_from("2026-04-04", "2026-04-06"),
        "端午节": days_from("2026-06-19", "2026-06-21"),
        "中秋节": days_from("2026-09-25", "2026-09-27"),
    }
    for name, days in extra.items():
        for day in days:
            assert CAL.day_info(day).holiday_name == name
            assert chinese_calendar.is_holiday(day)


@given(st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 12, 31)))
def test_agrees_with_the_library_on_every_known_day(day: date) -> None:
    info = CAL.day_info(day)
    assert info.is_workday == chinese_calendar.is_workday(day)
    assert info.is_workday == (info.kind in (DayKind.WORKDAY, DayKind.MAKEUP_WORKDAY))
    assert info.source is DaySource.LIBRARY


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2003, 12, 31)))
def test_years_before_the_library_are_weekends_only(day: date) -> None:
    info = CAL.day_info(day)
    assert info.source is DaySource.FALLBACK
    assert info.is_workday == (day.weekday() < 5)


def test_day_info_accepts_aware_datetimes_in_shanghai_time() -> None:
    # 2026-09-30 20:00 UTC is 2026-10-01 04:00 in Beijing: National Day.
    info = CAL.day_info(datetime(2026, 9, 30, 20, 0, tzinfo=UTC))
    assert info.day == d("2026-10-01")
    assert info.kind is DayKind.HOLIDAY
    with pytest.raises(InvalidInput) as caught:
        CAL.day_info(datetime(2026, 10, 1, 9, 0))
    assert caught.value.key == "calendar.naive_datetime"
    with pytest.raises(InvalidInput):
        CAL.day_info("2026-10-01")  # type: ignore[arg-type]


def test_day_info_to_dict() -> None:
    assert CAL.day_info(d("2026-10-10")).to_dict() == {
        "date": "2026-10-10",
        "is_workday": True,
        "kind": "makeup_workday",
        "holiday_name": "国庆节",
        "source": "chinese-calendar",
    }


# -- adding and counting working days ------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        ("2026-09-30", 1, "2026-10-08"),  # the whole 国庆 break is skipped
        ("2026-09-30", 3, "2026-10-10"),  # a Saturday make-up working day counts
        ("2025-01-24", 1, "2025-01-26"),  # Sunday 1/26 is a make-up working day
        ("2025-01-24", 3, "2025-02-05"),  # 春节 1/28–2/4 skipped
        ("2026-02-13", 1, "2026-02-14"),
        ("2026-02-14", 1, "2026-02-24"),
        ("2026-04-30", 1, "2026-05-06"),
        ("2026-05-08", 1, "2026-05-09"),
        ("2026-11-27", 1, "2026-11-30"),  # an ordinary weekend
        ("2026-11-28", 1, "2026-11-30"),  # acceptance on a Saturday: Monday is day 1
    ],
)
def test_add_working_days_on_the_official_calendar(start: str, n: int, due: str) -> None:
    deadline = CAL.add_working_days(d(start), n)
    assert deadline.due == d(due)
    assert not deadline.provisional
    assert deadline.assumptions == []


def test_explanation_names_holidays_and_makeup_days() -> None:
    deadline = CAL.add_working_days(d("2026-09-30"), 3)
    lines = deadline.explanation
    assert any("2026-10-01" in line and "国庆节" in line and "非工作日" in line for line in lines)
    assert any("2026-10-10" in line and "调休上班" in line for line in lines)
    assert "2026-09-30" in lines[0]
    assert "2026-10-10" in lines[-1]
    english = deadline.explain("en")
    assert english != lines
    assert any("make-up working day" in line for line in english)


def test_explanation_groups_weekends_and_single_days() -> None:
    lines = CAL.add_working_days(d("2026-10-09"), 7).explanation  # 10/10 Sat works, 10/11 off
    assert any("2026-10-11" in line and "星期日" in line for line in lines)
    assert any("2026-10-17" in line and "2026-10-18" in line and "周末" in line for line in lines)


def test_deadline_to_dict_is_json_ready() -> None:
    data = CAL.add_working_days(d("2026-09-30"), 3).to_dict()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["due"] == "2026-10-10"
    assert data["unit"] == "working_days"
    assert data["amount"] == 3
    assert data["provisional"] is False
    assert data["explanation"]
    assert (
        CAL.add_working_days(d("2026-09-30"), 3).to_dict("en")["explanation"] != data["explanation"]
    )


def test_zero_and_negative_terms() -> None:
    holiday = d("2026-10-03")
    assert CAL.add_working_days(holiday, 0).due == holiday
    assert CAL.add_working_days(holiday, 0).explanation
    assert CAL.add_working_days(d("2026-10-08"), -1).due == d("2026-09-30")
    assert CAL.add_working_days(d("2026-10-04"), -1).due == d("2026-09-30")
    back = CAL.add_working_days(d("2026-10-12"), -3)
    assert back.due == d("2026-10-08")
    assert any("2026-10-10" in line for line in back.explanation)
    with pytest.raises(InvalidInput):
        CAL.add_working_days(d("2026-10-08"), 1.5)  # type: ignore[arg-type]


def test_working_days_between_counts_after_a_up_to_b() -> None:
    assert CAL.working_days_between(d("2026-09-30"), d("2026-10-08")) == 1
    assert CAL.working_days_between(d("2026-10-08"), d("2026-09-30")) == -1
    assert CAL.working_days_between(d("2026-10-01"), d("2026-10-07")) == 0
    assert CAL.working_days_between(d("2026-10-09"), d("2026-10-09")) == 0
    span = CAL.explain_working_days_between(d("2026-09-30"), d("2026-10-12"))
    assert span.working_days == CAL.working_days_between(d("2026-09-30"), d("2026-10-12"))
    assert any("国庆节" in line for line in span.explanation)
    assert span.to_dict()["working_days"] == span.working_days
    backwards = CAL.explain_working_days_between(d("2026-10-12"), d("2026-09-30"))
    assert backwards.working_days == -span.working_days
    assert backwards.explanation[0] != span.explanation[0]


def naive_add(calendar: WorkingCalendar, start: date, n: int) -> date:
    """Reference: walk day by day."""
    day, left, sign = start, abs(n), 1 if n > 0 else -1
    while left:
        day += timedelta(days=sign)
        if calendar.is_workday(day):
            left -= 1
    return day


def naive_between(calendar: WorkingCalendar, a: date, b: date) -> int:
    low, high = min(a, b), max(a, b)
    count = sum(
        calendar.is_workday(low + timedelta(days=i)) for i in range(1, (high - low).days + 1)
    )
    return count if b >= a else -count


DATES = st.dates(min_value=date(2019, 1, 1), max_value=date(2030, 12, 31))


@given(DATES, st.integers(min_value=-90, max_value=90))
def test_add_matches_a_day_by_day_walk(start: date, n: int) -> None:
    assert CAL.add_working_days(start, n).due == naive_add(CAL, start, n)


@given(DATES, DATES)
def test_between_matches_a_day_by_day_count(a: date, b: date) -> None:
    assert CAL.working_days_between(a, b) == naive_between(CAL, a, b)


@given(st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 12, 31)), st.integers(1, 80))
def test_add_matches_the_librarys_find_workday(start: date, n: int) -> None:
    """``chinese_calendar.find_workday`` is an independent oracle inside the library's years."""
    try:
        backward = chinese_calendar.find_workday(-n, start)
        forward = (
            chinese_calendar.find_workday(n, start) if chinese_calendar.is_workday(start) else None
        )
    except NotImplementedError:
        assume(False)
        return
    assert CAL.add_working_days(start, -n).due == backward
    if forward is not None:
        assert CAL.add_working_days(start, n).due == forward


@given(DATES, st.integers(min_value=0, max_value=120))
def test_between_inverts_add(start: date, n: int) -> None:
    due = CAL.add_working_days(start, n).due
    assert CAL.working_days_between(start, due) == n
    if n:
        assert CAL.is_workday(due)
        assert due > start


@given(DATES, st.integers(min_value=1, max_value=120))
def test_between_inverts_add_backwards_from_a_working_day(start: date, n: int) -> None:
    assume(CAL.is_workday(start))
    due = CAL.add_working_days(start, -n).due
    assert CAL.is_workday(due)
    assert CAL.working_days_between(start, due) == -n
    assert CAL.add_working_days(due, n).due == start


@given(DATES, st.integers(-60, 60), st.integers(-60, 60))
def test_add_is_monotonic_in_n(start: date, m: int, n: int) -> None:
    low, high = min(m, n), max(m, n)
    assert CAL.add_working_days(start, low).due <= CAL.add_working_days(start, high).due


@given(DATES, DATES, st.integers(-60, 60))
def test_add_is_monotonic_in_start(a: date, b: date, n: int) -> None:
    early, late = min(a, b), max(a, b)
    assert CAL.add_working_days(early, n).due <= CAL.add_working_days(late, n).due


@given(DATES, DATES, DATES)
def test_between_is_additive_and_antisymmetric(a: date, b: date, c: date) -> None:
    assert CAL.working_days_between(a, b) == -CAL.working_days_between(b, a)
    assert CAL.working_days_between(a, b) + CAL.working_days_between(
        b, c
    ) == CAL.working_days_between(a, c)


def test_out_of_range_is_a_clear_error() -> None:
    with pytest.raises(InvalidInput) as caught:
        CAL.add_working_days(date(9999, 12, 30), 5)
    assert caught.value.key == "calendar.out_of_range"


# -- years nobody has announced yet ----------------------------------------------------------


def test_the_shipped_override_file_invents_nothing() -> None:
    shipped = CalendarOverrides.shipped()
    assert shipped.days == {}
    assert shipped.years == {}
    assert CAL.year_status(LIBRARY_LAST_YEAR) is YearStatus.LIBRARY
    assert CAL.year_status(LIBRARY_LAST_YEAR + 1) is YearStatus.UNKNOWN


def weekday_only_add(start: date, n: int) -> date:
    """Reference for the fallback: library days up to 2026, Monday–Friday afterwards."""
    day = start
    while n:
        day += timedelta(days=1)
        known = day.year <= LIBRARY_LAST_YEAR
        if chinese_calendar.is_workday(day) if known else day.weekday() < 5:
            n -= 1
    return day


def test_a_term_from_today_reaching_2027_is_flagged() -> None:
    today = d("2026-11-29")
    # 20 working days from today still end in 2026 (no December holidays): not flagged.
    inside = CAL.add_working_days(today, 20)
    assert inside.due.year == 2026
    assert not inside.provisional
    for n in (25, 30, 60):
        deadline = CAL.add_working_days(today, n)
        assert deadline.due == weekday_only_add(today, n)
        assert deadline.due.year == 2027
        assert deadline.provisional
        assert deadline.fallback_years == (2027,)
        assert len(deadline.assumptions) == 1
        assert "2027" in deadline.assumptions[0]
        assert deadline.to_dict()["fallback_years"] == [2027]
    info = CAL.day_info(d("2027-01-01"))
    assert info.source is DaySource.FALLBACK
    assert info.is_workday  # weekends only: exactly why the result is flagged
    span = CAL.explain_working_days_between(today, d("2027-02-01"))
    assert span.provisional
    assert span.working_days == naive_between(CAL, today, d("2027-02-01"))


FICTITIOUS_2027 = """
# TEST FIXTURE: made-up days, not the official 2027 schedule.
years:
  2027:
    complete: {complete}
    notice: 测试用虚构通知
    holidays:
      - {{from: 2027-01-01, to: 2027-01-03, name: 元旦}}
      - {{date: 2027-01-08, name: 测试假日}}
    workdays:
      - {{date: 2027-01-09, name: 测试假日}}
"""


def write(tmp_path: Path, text: str, name: str = "overrides.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_complete_override_year_changes_the_result_and_lifts_the_flag(tmp_path: Path) -> None:
    calendar = WorkingCalendar(write(tmp_path, FICTITIOUS_2027.format(complete="true")))
    today = d("2026-11-29")
    before = CAL.add_working_days(today, 30)
    after = calendar.add_working_days(today, 30)
    assert after.due == naive_add(calendar, today, 30)
    assert after.due != before.due
    assert not after.provisional
    assert after.assumptions == []
    assert calendar.year_status(2027) is YearStatus.OVERRIDE
    new_year = calendar.day_info(d("2027-01-01"))
    assert (new_year.kind, new_year.holiday_name, new_year.source) == (
        DayKind.HOLIDAY,
        "元旦",
        DaySource.OVERRIDE,
    )
    saturday = calendar.day_info(d("2027-01-09"))
    assert saturday.kind is DayKind.MAKEUP_WORKDAY
    assert saturday.is_workday
    assert calendar.day_info(d("2027-03-03")).source is DaySource.OVERRIDE
    lines = after.explanation
    assert any("2027-01-01" in line and "元旦" in line for line in lines)
    assert any("2027-01-09" in line and "调休上班" in line for line in lines)


def test_an_incomplete_override_year_stays_flagged(tmp_path: Path) -> None:
    calendar = WorkingCalendar(write(tmp_path, FICTITIOUS_2027.format(complete="false")))
    deadline = calendar.add_working_days(d("2026-11-29"), 30)
    assert calendar.year_status(2027) is YearStatus.PARTIAL
    assert deadline.provisional
    assert deadline.assumption_steps[0].key == "calendar.assumption.year_partial"
    assert calendar.day_info(d("2027-01-01")).source is DaySource.OVERRIDE
    assert calendar.day_info(d("2027-03-03")).source is DaySource.FALLBACK


def test_overrides_win_over_the_library(tmp_path: Path) -> None:
    text = """
years:
  2026:
    holidays:
      - {date: 2026-12-31, name: 测试假日}
    workdays:
      - {date: 2026-10-11, name: 测试调休}
"""
    calendar = WorkingCalendar(CalendarOverrides.load(write(tmp_path, text)))
    assert calendar.year_status(2026) is YearStatus.LIBRARY
    assert calendar.day_info(d("2026-12-31")).source is DaySource.OVERRIDE
    assert not calendar.is_workday(d("2026-12-31"))
    assert calendar.is_workday(d("2026-10-11"))
    assert (
        calendar.add_working_days(d("2026-12-30"), 1).due
        != CAL.add_working_days(d("2026-12-30"), 1).due
    )
    assert calendar.add_working_days(d("2026-10-10"), 1).due == d("2026-10-11")


def test_a_notice_may_reach_into_december_of_the_year_before(tmp_path: Path) -> None:
    text = (
        "years:\n  2027:\n    holidays:\n      - {from: 2026-12-31, to: 2027-01-01, name: 元旦}\n"
    )
    calendar = WorkingCalendar(write(tmp_path, text))
    assert not calendar.is_workday(d("2026-12-31"))


def test_empty_override_files_are_fine(tmp_path: Path) -> None:
    for text in ("", "# nothing yet\n", "years:\n", "years: {}\n"):
        overrides = CalendarOverrides.load(write(tmp_path, text))
        assert overrides.days == {}


def test_settings_choose_the_override_file_and_office_hours(tmp_path: Path) -> None:
    path = write(tmp_path, FICTITIOUS_2027.format(complete="true"))
    settings = Settings(
        calendar_overrides=path,
        office_morning_start=time(8, 30),
        office_afternoon_end=time(18, 0),
    )
    calendar = WorkingCalendar.from_settings(settings)
    assert calendar.year_status(2027) is YearStatus.OVERRIDE
    assert calendar.office_hours == OfficeHours(time(8, 30), time(12), time(13, 30), time(18))


def test_default_calendar_reads_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, FICTITIOUS_2027.format(complete="true"))
    monkeypatch.setenv("ONETHING_CALENDAR_OVERRIDES", str(path))
    get_settings.cache_clear()
    default_calendar.cache_clear()
    try:
        assert default_calendar().year_status(2027) is YearStatus.OVERRIDE
        assert default_calendar() is default_calendar()
    finally:
        get_settings.cache_clear()
        default_calendar.cache_clear()


# -- bad override files --------------------------------------------------------------------


def entry_file(entry: str, *, section: str = "holidays", extra: str = "") -> str:
    return f"years:\n  2027:\n    complete: true\n{extra}    {section}:\n      - {entry}\n"


BAD_FILES = [
    ("years: {2027: [\n", "calendar.overrides.bad_yaml", None),
    ("- 2027\n", "calendar.overrides.not_a_mapping", "(top)"),
    ("year: {}\n", "calendar.overrides.unknown_field", "(top)"),
    ("years: [2027]\n", "calendar.overrides.not_a_mapping", "years"),
    ("years:\n  twenty: {}\n", "calendar.overrides.bad_year", "years.twenty"),
    (
        "years:\n  2027:\n    complete: 1\n",
        "calendar.overrides.bad_complete",
        "years.2027.complete",
    ),
    (
        "years:\n  2027:\n    holidays: 2027-01-01\n",
        "calendar.overrides.not_a_list",
        "years.2027.holidays",
    ),
    (entry_file("2027-01-01"), "calendar.overrides.not_a_mapping", "years.2027.holidays[1]"),
    (
        entry_file("{date: 2027-02-30, name: 春节}"),
        "calendar.overrides.bad_date",
        "years.2027.holidays[1]",
    ),
    (entry_file("{date: 2027-01-01}"), "calendar.overrides.missing_name", "years.2027.holidays[1]"),
    (entry_file("{name: 元旦}"), "calendar.overrides.missing_date", "years.2027.holidays[1]"),
    (
        entry_file("{from: 2027-01-01, name: 元旦}"),
        "calendar.overrides.missing_date",
        "years.2027.holidays[1]",
    ),
    (
        entry_file("{date: 2027-01-01, from: 2027-01-01, to: 2027-01-02, name: 元旦}"),
        "calendar.overrides.date_and_range",
        "years.2027.holidays[1]",
    ),
    (
        entry_file("{from: 2027-02-10, to: 2027-02-04, name: 春节}"),
        "calendar.overrides.range_reversed",
        "years.2027.holidays[1]",
    ),
    (
        entry_file("{from: 2027-01-01, to: 2027-03-01, name: 春节}"),
        "calendar.overrides.range_too_long",
        "years.2027.holidays[1]",
    ),
    (
        entry_file("{date: 2028-01-01, name: 元旦}"),
        "calendar.overrides.outside_year",
        "years.2027.holidays[1]",
    ),
    (
        entry_file("{date: 2027-01-01, name: 元旦, note: x}"),
        "calendar.overrides.unknown_field",
        "years.2027.holidays[1]",
    ),
    (
        entry_file(
            "{date: 2027-01-01, name: 元旦}",
            extra="    workdays:\n      - {date: 2027-01-01, name: 元旦}\n",
        ),
        "calendar.overrides.duplicate_day",
        "years.2027.holidays[1]",
    ),
]


@pytest.mark.parametrize(("text", "key", "entry"), BAD_FILES)
def test_bad_override_files_say_where_and_what(
    tmp_path: Path, text: str, key: str, entry: str | None
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InvalidInput) as caught:
        WorkingCalendar(path)
    error = caught.value
    assert error.key == key
    assert error.params["file"] == str(path)
    message = error.message()
    assert str(path) in message
    assert message != key  # the key has a translation
    assert error.message("en") != message
    if entry is not None:
        assert error.params["entry"] == entry
        assert entry in message
        assert error.errors[0]["entry"] == entry


def test_duplicate_day_names_the_earlier_entry(tmp_path: Path) -> None:
    text = (
        "years:\n  2027:\n"
        "    holidays:\n      - {from: 2027-01-01, to: 2027-01-03, name: 元旦}\n"
        "    workdays:\n      - {date: 2027-01-02, name: 元旦}\n"
    )
    with pytest.raises(InvalidInput) as caught:
        CalendarOverrides.load(write(tmp_path, text))
    assert caught.value.key == "calendar.overrides.duplicate_day"
    assert caught.value.params["entry"] == "years.2027.workdays[1]"
    assert caught.value.params["other"] == "years.2027.holidays[1]"
    assert caught.value.params["value"] == "2027-01-02"


def test_every_problem_is_listed(tmp_path: Path) -> None:
    text = (
        "years:\n  2027:\n    holidays:\n"
        "      - {date: 2027-13-01, name: 元旦}\n"
        "      - {date: 2027-02-01}\n"
        "  2028:\n    complete: maybe\n"
    )
    with pytest.raises(InvalidInput) as caught:
        CalendarOverrides.load(write(tmp_path, text))
    entries = [problem["entry"] for problem in caught.value.errors]
    assert entries == ["years.2027.holidays[1]", "years.2027.holidays[2]", "years.2028.complete"]
    assert all(problem["message"] for problem in caught.value.errors)


def test_a_missing_override_file_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    with pytest.raises(InvalidInput) as caught:
        WorkingCalendar(missing)
    assert caught.value.key == "calendar.overrides.unreadable"
    assert str(missing) in caught.value.message()


def test_parse_accepts_data_without_a_file() -> None:
    overrides = CalendarOverrides.parse(
        {"years": {"2027": {"holidays": [{"date": "2027-01-01", "name": "元旦"}]}}}
    )
    assert overrides.days[d("2027-01-01")].name == "元旦"
    assert overrides.years[2027].complete is False


# -- working hours ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        ("2026-11-26 10:00", 2, "2026-11-26 12:00"),  # ends exactly at lunch
        ("2026-11-26 11:00", 2, "2026-11-26 14:30"),  # across lunch
        ("2026-11-26 12:30", 1, "2026-11-26 14:30"),  # arrives during lunch
        ("2026-11-26 07:00", 1, "2026-11-26 10:00"),  # arrives before opening
        ("2026-11-26 19:00", 2, "2026-11-27 11:00"),  # arrives in the evening
        ("2026-11-27 17:00", 2, "2026-11-30 10:30"),  # Friday evening → Monday
        ("2026-11-28 10:00", 2, "2026-11-30 11:00"),  # arrives on a Saturday
        ("2026-09-30 16:30", 2, "2026-10-08 10:00"),  # National Day skipped
        ("2026-10-09 17:00", 2, "2026-10-10 10:30"),  # make-up Saturday counts
        ("2026-11-26 09:00", 7, "2026-11-26 17:30"),  # one office day
        ("2026-11-26 09:00", 8, "2026-11-27 10:00"),
    ],
)
def test_add_working_hours(start: str, hours: int, due: str) -> None:
    deadline = CAL.add_working_hours(at(start), hours)
    assert deadline.due == at(due)
    assert CAL.working_time_between(at(start), deadline.due) == timedelta(hours=hours)
    assert deadline.unit == "working_hours"


def test_working_hours_explanation() -> None:
    lunch = CAL.add_working_hours(at("2026-11-26 11:00"), 2).explanation
    assert any("12:00" in line and "13:30" in line and "午休" in line for line in lunch)
    evening = CAL.add_working_hours(at("2026-11-27 17:00"), 2).explanation
    assert any("2026-11-28" in line and "2026-11-29" in line for line in evening)
    late = CAL.add_working_hours(at("2026-11-26 19:00"), 2).explanation
    assert "不在办公时间内" in late[0]
    holiday = CAL.add_working_hours(at("2026-09-30 16:30"), 2)
    assert any("国庆节" in line for line in holiday.explanation)
    data = holiday.to_dict()
    assert data["amount"] == "2"
    assert data["due"] == "2026-10-08T10:00:00+08:00"
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data


def test_working_hour_amounts() -> None:
    start = at("2026-11-26 11:00")
    assert CAL.add_working_hours(start, Decimal("1.5")).due == at("2026-11-26 14:00")
    assert CAL.add_working_hours(start, timedelta(minutes=90)).due == at("2026-11-26 14:00")
    assert CAL.add_working_hours(start, Decimal("1.5")).to_dict()["amount"] == "1.5"
    assert CAL.add_working_hours(start, 0).due == start
    evening = at("2026-11-26 20:00")
    assert CAL.add_working_hours(evening, 0).due == evening
    for bad in (-1, Decimal("-0.5"), timedelta(hours=-1), 1.5, True, Decimal("NaN")):
        with pytest.raises(InvalidInput):
            CAL.add_working_hours(start, bad)  # type: ignore[arg-type]


def test_naive_datetimes_are_refused_and_other_zones_converted() -> None:
    with pytest.raises(InvalidInput) as caught:
        CAL.add_working_hours(datetime(2026, 11, 26, 9, 0), 2)
    assert caught.value.key == "calendar.naive_datetime"
    assert "2026-11-26T09:00:00" in caught.value.message()
    with pytest.raises(InvalidInput):
        CAL.working_time_between(datetime(2026, 11, 26, 9, 0), at("2026-11-26 10:00"))
    deadline = CAL.add_working_hours(datetime(2026, 11, 26, 1, 0, tzinfo=UTC), 2)  # 09:00 Beijing
    assert deadline.due == at("2026-11-26 11:00")
    assert isinstance(deadline.due, datetime)
    assert deadline.due.utcoffset() == timedelta(hours=8)


def test_working_hours_into_an_unknown_year_are_flagged() -> None:
    deadline = CAL.add_working_hours(at("2026-12-31 17:00"), 2)
    assert deadline.due == at("2027-01-01 10:30")
    assert deadline.provisional
    assert deadline.fallback_years == (2027,)


def test_custom_office_hours(tmp_path: Path) -> None:
    hours = OfficeHours(time(8, 30), time(12, 0), time(14, 0), time(18, 0))
    calendar = WorkingCalendar(CalendarOverrides.empty(), office_hours=hours)
    assert hours.daily == timedelta(hours=7, minutes=30)
    assert calendar.add_working_hours(at("2026-11-26 11:00"), 2).due == at("2026-11-26 15:00")
    assert calendar.closing_time(d("2026-11-26")) == at("2026-11-26 18:00")
    no_lunch = OfficeHours(time(9), time(13), time(13), time(17))
    assert WorkingCalendar(office_hours=no_lunch).add_working_hours(
        at("2026-11-26 12:00"), 2
    ).due == at("2026-11-26 14:00")
    for bad in (
        (time(12), time(9), time(13, 30), time(17, 30)),
        (time(9), time(14), time(13, 30), time(17, 30)),
        (time(9), time(12), time(13, 30), time(13, 30)),
    ):
        with pytest.raises(InvalidInput) as caught:
            OfficeHours(*bad)
        assert caught.value.key == "calendar.office_hours.invalid"


def test_working_time_between() -> None:
    assert CAL.working_time_between(at("2026-11-26 09:00"), at("2026-11-26 17:30")) == timedelta(
        hours=7
    )
    assert CAL.working_time_between(at("2026-10-01 09:00"), at("2026-10-01 17:30")) == timedelta()
    assert CAL.working_time_between(at("2026-11-26 12:10"), at("2026-11-26 13:20")) == timedelta()
    week = CAL.working_time_between(at("2026-11-23 00:00"), at("2026-11-30 00:00"))
    assert week == 5 * timedelta(hours=7)
    assert CAL.working_time_between(at("2026-11-30 00:00"), at("2026-11-23 00:00")) == -week


MOMENTS = st.datetimes(
    min_value=datetime(2025, 12, 1),
    max_value=datetime(2027, 2, 28),
    timezones=st.just(SHANGHAI),
)
AMOUNTS = st.integers(min_value=0, max_value=40 * 60).map(lambda m: timedelta(minutes=m))


@given(MOMENTS, AMOUNTS)
def test_working_time_between_inverts_add_working_hours(start: datetime, amount: timedelta) -> None:
    due = CAL.add_working_hours(start, amount).due
    assert due >= start
    assert CAL.working_time_between(start, due) == amount


@given(MOMENTS, AMOUNTS, AMOUNTS)
def test_add_working_hours_is_monotonic(start: datetime, a: timedelta, b: timedelta) -> None:
    low, high = min(a, b), max(a, b)
    assert CAL.add_working_hours(start, low).due <= CAL.add_working_hours(start, high).due


@given(MOMENTS, MOMENTS, MOMENTS)
def test_working_time_between_is_additive(a: datetime, b: datetime, c: datetime) -> None:
    assert CAL.working_time_between(a, b) + CAL.working_time_between(
        b, c
    ) == CAL.working_time_between(a, c)
    assert CAL.working_time_between(a, b) == -CAL.working_time_between(b, a)


def test_both_locales_have_the_same_calendar_messages() -> None:
    folder = resources.files("onething") / "data" / "i18n"
    zh = yaml.safe_load((folder / "zh-CN" / "calendar.yaml").read_text(encoding="utf-8"))
    en = yaml.safe_load((folder / "en" / "calendar.yaml").read_text(encoding="utf-8"))
    assert set(zh) == set(en)
    assert all(key.startswith("calendar.") for key in zh)
    assert translate("calendar.assumption.year_unknown", "zh-CN", year=2027).startswith("2027")
