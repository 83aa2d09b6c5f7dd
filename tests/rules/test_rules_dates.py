"""Date functions mean the same on every engine, month ends and leap years included.

The references below are plain Python written from the definitions in docs/rules.md
(``months_between`` is "the largest n with add_months(a, n) ≤ b", searched for, not the
formula the compiler emits), and every engine is checked against them.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rules_support import Evaluate


def ref_add_months(d: date, n: int) -> date:
    index = d.year * 12 + (d.month - 1) + n
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def ref_months_between(a: date, b: date) -> int:
    if b < a:
        return -ref_months_between(b, a)
    n = 0
    step = 64
    while step:  # the largest n with add_months(a, n) <= b, by doubling then halving
        while ref_add_months(a, n + step) <= b:
            n += step
        step //= 2
    return n


def ref_age(birth: date, at: date) -> int:
    months = ref_months_between(birth, at)
    return months // 12 if months >= 0 else -(-months // 12)


DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
MONTH_ENDS = st.builds(
    lambda y, m: date(y, m, calendar.monthrange(y, m)[1]),
    st.integers(1900, 2100),
    st.integers(1, 12),
)
ANY_DATE = st.one_of(DATES, MONTH_ENDS)
SLOW = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

DATE_FUNCTIONS = {
    "months": "months_between(a, b)",
    "days": "days_between(a, b)",
    "age": "age(a, b)",
    "month_start": "date_trunc('month', a)",
    "year_start": "date_trunc('year', b)",
    "parts": "year(a) * 10000 + month(a) * 100 + day(a)",
    "rebuilt": "make_date(year(b), month(b), day(b))",
}


def test_month_ends_and_leap_years_have_the_documented_answers(evaluate: Evaluate) -> None:
    shifts = [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2024, 2, 29), 1, date(2024, 3, 29)),
        (date(2024, 12, 31), -10, date(2024, 2, 29)),
    ]
    rows = evaluate(
        {"shifted": "add_months(a, n)"},
        {"a": "date", "n": "int"},
        [{"a": a, "n": n} for a, n, _ in shifts],
    )
    assert [r["shifted"] for r in rows] == [want for _, _, want in shifts]
    spans = [
        (date(2024, 1, 31), date(2024, 2, 29), 1, 0),
        (date(2023, 1, 31), date(2023, 2, 28), 1, 0),
        (date(2024, 1, 31), date(2024, 2, 28), 0, 0),
        (date(2024, 1, 30), date(2024, 2, 29), 1, 0),
        (date(2024, 2, 29), date(2025, 2, 28), 12, 1),
        (date(2000, 2, 29), date(2018, 2, 28), 216, 18),
        (date(2000, 2, 29), date(2018, 2, 27), 215, 17),
        (date(1990, 6, 15), date(2025, 6, 14), 419, 34),
        (date(1990, 6, 15), date(2025, 6, 15), 420, 35),
        (date(2024, 3, 15), date(2024, 1, 20), -1, 0),
        (date(2024, 1, 15), date(2024, 2, 14), 0, 0),
    ]
    rows = evaluate(
        {"months": "months_between(a, b)", "age": "age(a, b)"},
        {"a": "date", "b": "date"},
        [{"a": a, "b": b} for a, b, _, _ in spans],
    )
    assert [(r["months"], r["age"]) for r in rows] == [(m, y) for _, _, m, y in spans]
    for a, b, months, _ in spans:  # the reference agrees with the documented table too
        assert ref_months_between(a, b) == months


@SLOW
@given(st.lists(st.tuples(ANY_DATE, ANY_DATE), min_size=1, max_size=25))
def test_date_functions_match_the_reference(
    evaluate: Evaluate, pairs: list[tuple[date, date]]
) -> None:
    rows = evaluate(
        DATE_FUNCTIONS, {"a": "date", "b": "date"}, [{"a": a, "b": b} for a, b in pairs]
    )
    for (a, b), row in zip(pairs, rows, strict=True):
        assert row["months"] == ref_months_between(a, b), (a, b)
        assert row["age"] == ref_age(a, b), (a, b)
        assert row["days"] == (b - a).days
        assert row["month_start"] == a.replace(day=1)
        assert row["year_start"] == date(b.year, 1, 1)
        assert row["parts"] == a.year * 10000 + a.month * 100 + a.day
        assert row["rebuilt"] == b


@SLOW
@given(st.lists(st.tuples(ANY_DATE, st.integers(-600, 600)), min_size=1, max_size=25))
def test_add_months_and_add_days_match_the_reference(
    evaluate: Evaluate, cases: list[tuple[date, int]]
) -> None:
    exprs = {
        "shifted": "add_months(a, n)",
        "back": "months_between(a, add_months(a, n))",
        "later": "add_days(a, n)",
    }
    safe = [(a, n) for a, n in cases if date(1850, 1, 1) <= a + timedelta(days=n)]
    rows = evaluate(exprs, {"a": "date", "n": "int"}, [{"a": a, "n": n} for a, n in safe])
    for (a, n), row in zip(safe, rows, strict=True):
        assert row["shifted"] == ref_add_months(a, n)
        assert row["later"] == a + timedelta(days=n)
        # add_months and months_between agree: n months after a is n whole months after a
        # (forward always; backward up to the month-end clamp).
        if n >= 0:
            assert row["back"] == n
        assert row["back"] == ref_months_between(a, ref_add_months(a, n))
