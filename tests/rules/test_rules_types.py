"""Phase 5: mismatches name the expression, where it is, and both types."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from rules_support import pack_of, param

from onething.rules import RulesError, compile_pack

AS_OF = date(2025, 6, 30)
VARIABLES: dict[str, Any] = {
    "insured_on": {"column": "insured_on"},
    "size": {"column": "size"},
    "dispatch": {"column": "labour_dispatch"},
    "paid": {
        "aggregate": {
            "table": "contributions",
            "on": "enterprise_id",
            "value": "sum(employer_amount)",
            "default": 0,
        }
    },
}


def message(condition: str = "TRUE", amount: str | None = None, **variables: Any) -> str:
    rule: dict[str, Any] = {"id": "r", "label": "r", "condition": condition}
    if amount is not None:
        rule["amount"] = amount
    pack = pack_of(
        variables={**VARIABLES, **variables},
        parameters={"min_months": param("int", 12)},
        rules=[rule],
    )
    with pytest.raises(RulesError) as caught:
        compile_pack(pack, AS_OF)
    return caught.value.message("en")


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (
            "insured_on > 12",
            "rules[0].condition: cannot compare date with int in 'insured_on > 12'",
        ),
        (
            "size = paid",
            "rules[0].condition: cannot compare text with decimal in 'size = paid'",
        ),
        ("paid", "rules[0].condition: a condition must be bool, but 'paid' is decimal"),
        (
            "dispatch AND min_months",
            "rules[0].condition: AND needs bool operands, not int, in 'dispatch AND min_months'",
        ),
        (
            "insured_on + 1 > insured_on",
            "rules[0].condition: '+' needs number operands, not date and int, in 'insured_on + 1'",
        ),
        (
            "mod(paid, 2) = 0",
            "rules[0].condition: argument 1 of mod must be int, not decimal, in 'mod(paid, 2)'",
        ),
        (
            "add_months(insured_on, 1.5) > insured_on",
            "rules[0].condition: argument 2 of add_months must be int, not decimal, "
            "in 'add_months(insured_on, 1.5)'",
        ),
        (
            "coalesce(insured_on, 0) > insured_on",
            "rules[0].condition: the arguments of coalesce have different types (date, int) "
            "in 'coalesce(insured_on, 0)'",
        ),
        (
            "CASE WHEN dispatch THEN insured_on ELSE 1 END > 0",
            "rules[0].condition: the branches have different types (date, int) "
            "in 'CASE WHEN dispatch THEN insured_on ELSE 1 END'",
        ),
        (
            "date_trunc('week', insured_on) > insured_on",
            "rules[0].condition: date_trunc takes 'month' or 'year', not 'week'",
        ),
        (
            "round(paid, min_months) > 0",
            "rules[0].condition: the decimal places of round must be a whole number literal, "
            "not 'min_months'",
        ),
        (
            "size IN ('large', 1)",
            "rules[0].condition: cannot compare text with int in 'size IN ('large', 1)'",
        ),
    ],
)
def test_condition_type_errors(condition: str, expected: str) -> None:
    assert message(condition) == expected


def test_an_amount_must_be_a_number() -> None:
    assert message(amount="size") == (
        "rules[0].amount: an amount must be a number, but 'size' is text"
    )


def test_declared_types_must_match() -> None:
    assert message(x={"type": "int", "expr": "paid * 2"}) == (
        "variables.x: declared int, but its value is decimal"
    )
    assert message(x={"expr": "NULL"}) == (
        "variables.x: the type cannot be inferred (the value is always NULL); declare type:"
    )


def test_a_product_cannot_carry_more_than_twenty_places() -> None:
    text = message(x={"expr": "0.0000000001 * 0.0000000001 * 0.1 > 0"})
    assert "would carry 21 decimal places (at most 20); round a factor first" in text


def test_an_aggregate_default_must_fit_its_type() -> None:
    bad = {
        "aggregate": {
            "table": "contributions",
            "on": "enterprise_id",
            "value": "max(period)",
            "default": "soon",
        }
    }
    assert (
        message(last=bad) == "variables.last.aggregate.default: 'soon' is not a date (YYYY-MM-DD)"
    )


def test_types_and_scales_reach_the_manifest() -> None:
    pack = pack_of(
        variables={
            **VARIABLES,
            "rate": {"expr": "paid / 3"},
            "months": {"expr": "months_between(insured_on, as_of)"},
            "half": {"expr": "round(paid * 0.5, 1)"},
            "label": {"expr": "concat(size, '-', upper(size))"},
        },
        rules=[{"id": "r", "label": "r", "condition": "rate > 0", "amount": "paid * 0.125"}],
    )
    manifest = compile_pack(pack, AS_OF).manifest
    types = dict(manifest.columns)
    assert types["paid"] == "decimal(2)"
    assert types["rate"] == "decimal(10)"
    assert types["months"] == "int"
    assert types["half"] == "decimal(1)"
    assert types["label"] == "text"
    assert types["r__amount"] == "decimal(5)"
    assert types["r__hit"] == "bool"
