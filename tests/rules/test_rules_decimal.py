"""Money and rates are exact on every engine: no float anywhere between data and result.

``/`` is exact division rounded half away from zero to 10 places; a layoff rate of
exactly 20% satisfies "不高于20%" (``<= 0.20``) — the boundary where single-precision
engines refuse an eligible enterprise. References are Python ``Decimal`` arithmetic.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rules_support import ENTERPRISE, Engine, Evaluate, enterprise_row, pack_of

from onething.rules import compile_pack

D = Decimal
TEN_PLACES = D("0.0000000001")
SLOW = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def ref_divide(a: Decimal, b: Decimal) -> Decimal | None:
    if b == 0:
        return None
    with localcontext() as context:
        context.prec = 80
        return (a / b).quantize(TEN_PLACES, rounding=ROUND_HALF_UP)


def test_a_rate_of_exactly_twenty_percent_is_not_above_twenty_percent(evaluate: Evaluate) -> None:
    cases = [(3, 15), (6, 30), (1, 5), (4, 20), (21, 105), (4, 19), (1, 3)]
    rows = evaluate(
        {"rate": "a / b", "within": "a / b <= 0.20", "within_param": "a / b <= limit"},
        {"a": "int", "b": "int", "limit": "decimal"},
        [{"a": a, "b": b, "limit": "0.20"} for a, b in cases],
    )
    for (a, b), row in zip(cases, rows, strict=True):
        exact = D(a) / D(b)
        assert row["within"] is (exact <= D("0.20")), (a, b)
        assert row["within_param"] is row["within"]
        assert row["rate"] == ref_divide(D(a), D(b))
    assert [r["within"] for r in rows] == [True, True, True, True, True, False, False]


def test_decimal_ratios_at_the_boundary(evaluate: Evaluate) -> None:
    cases = [("0.3", "1.5"), ("1234.56", "6172.80"), ("0.02", "0.1"), ("0.2000000001", "1")]
    rows = evaluate(
        {"within": "a / b <= 0.20"},
        {"a": "decimal", "b": "decimal"},
        [{"a": a, "b": b} for a, b in cases],
    )
    assert [r["within"] for r in rows] == [True, True, True, False]


def test_rounding_is_half_away_from_zero(evaluate: Evaluate) -> None:
    cases = [("2.345", 2), ("-2.345", 2), ("2.5", 0), ("-2.5", 0), ("0.125", 2), ("1.005", 2)]
    rows = evaluate(
        {"r2": "round(x, 2)", "r0": "round(x)", "third": "x / 3", "neg_third": "-x / 3"},
        {"x": "decimal"},
        [{"x": x} for x, _ in cases],
    )
    for (x, _), row in zip(cases, rows, strict=True):
        value = D(x)
        assert row["r2"] == value.quantize(D("0.01"), rounding=ROUND_HALF_UP)
        assert row["r0"] == value.quantize(D("1"), rounding=ROUND_HALF_UP)
        assert row["third"] == ref_divide(value, D(3))
        assert row["neg_third"] == ref_divide(-value, D(3))
    assert rows[0]["r2"] == D("2.35")
    assert rows[1]["r2"] == D("-2.35")
    assert rows[3]["r0"] == D("-3")


def test_integer_division_truncates_and_zero_divisors_give_null(evaluate: Evaluate) -> None:
    cases = [(-7, 2), (7, -2), (7, 2), (-7, -2), (1, 0)]
    rows = evaluate(
        {"q": "div(a, b)", "r": "mod(a, b)", "pct": "a % b", "exact": "a / b"},
        {"a": "int", "b": "int"},
        [{"a": a, "b": b} for a, b in cases],
    )
    assert [(r["q"], r["r"], r["pct"]) for r in rows] == [
        (-3, -1, -1),
        (-3, 1, 1),
        (3, 1, 1),
        (3, -1, -1),
        (None, None, None),
    ]
    assert [r["exact"] for r in rows] == [D("-3.5"), D("-3.5"), D("3.5"), D("3.5"), None]


AMOUNTS = st.decimals(min_value=D("-999999999999.9999"), max_value=D("999999999999.9999"), places=4)
DIVISORS = st.one_of(
    st.decimals(min_value=D("-99999999.99"), max_value=D("99999999.99"), places=2),
    st.integers(-1000, 1000).map(D),
)


@SLOW
@given(st.lists(st.tuples(AMOUNTS, DIVISORS), min_size=1, max_size=20))
def test_division_is_exact_to_ten_places(
    evaluate: Evaluate, pairs: list[tuple[Decimal, Decimal]]
) -> None:
    rows = evaluate(
        {"q": "a / b"},
        {"a": "decimal", "b": "decimal"},
        [{"a": a, "b": b} for a, b in pairs],
    )
    for (a, b), row in zip(pairs, rows, strict=True):
        assert row["q"] == ref_divide(a, b), (a, b)


CENTS = st.decimals(min_value=D("0"), max_value=D("99999999.99"), places=2)
RATIOS = st.decimals(min_value=D("0"), max_value=D("1"), places=4)


@SLOW
@given(st.lists(st.tuples(CENTS, RATIOS), min_size=1, max_size=20))
def test_amounts_are_exact_to_the_cent(
    evaluate: Evaluate, cases: list[tuple[Decimal, Decimal]]
) -> None:
    rows = evaluate(
        {"amount": "round(paid * ratio, 2)", "per_month": "round(paid / 12, 2)"},
        {"paid": "decimal", "ratio": "decimal"},
        [{"paid": p, "ratio": r} for p, r in cases],
    )
    for (paid, ratio), row in zip(cases, rows, strict=True):
        assert row["amount"] == (paid * ratio).quantize(D("0.01"), rounding=ROUND_HALF_UP)
        per_month = ref_divide(paid, D(12))
        assert per_month is not None
        assert row["per_month"] == per_month.quantize(D("0.01"), rounding=ROUND_HALF_UP)


def test_aggregates_sum_and_average_exactly(engine: Engine) -> None:
    engine.insert("enterprises", [enterprise_row()])
    amounts = [D("0.10"), D("0.20"), D("0.20"), D("1234567890.07")]
    engine.insert(
        "contributions",
        [
            {
                "person_id": f"P{i}",
                "enterprise_id": ENTERPRISE,
                "scheme": "pension",
                "period": date(2024, i + 1, 1),
                "employer_amount": amount,
            }
            for i, amount in enumerate(amounts)
        ],
    )
    aggregate = {"table": "contributions", "on": "enterprise_id"}
    pack = pack_of(
        variables={
            "total": {"aggregate": {**aggregate, "value": "sum(employer_amount)"}},
            "mean": {"aggregate": {**aggregate, "value": "avg(employer_amount)"}},
            "per_person": {"aggregate": {**aggregate, "value": "sum(employer_amount) / count(*)"}},
        }
    )
    [row] = engine.rows(compile_pack(pack, date(2025, 6, 30)))
    assert row["total"] == sum(amounts)
    assert row["mean"] == ref_divide(sum(amounts), D(len(amounts)))
    assert row["per_person"] == row["mean"]


def test_branches_of_different_scales_keep_every_digit(evaluate: Evaluate) -> None:
    # DuckDB alone would unify DECIMAL(38,3) and DECIMAL(38,2) as DECIMAL(38,2): 0.055 → 0.06.
    rows = evaluate(
        {
            "top": "greatest(a, b)",
            "low": "least(a, b, 1)",
            "first": "coalesce(a, b)",
            "picked": "CASE WHEN a < b THEN a ELSE b END",
            "simple": "CASE WHEN a > 1 THEN 2 ELSE a END",
        },
        {"a": "decimal", "b": "decimal"},
        [{"a": "0.055", "b": "0.05"}, {"a": "0.055", "b": "0.20"}],
    )
    assert [r["top"] for r in rows] == [D("0.055"), D("0.20")]
    assert [r["low"] for r in rows] == [D("0.05"), D("0.055")]
    assert [r["first"] for r in rows] == [D("0.055"), D("0.055")]
    assert [r["picked"] for r in rows] == [D("0.05"), D("0.055")]
    assert [r["simple"] for r in rows] == [D("0.055"), D("0.055")]
