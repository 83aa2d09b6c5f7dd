"""Phase 4: dated parameters resolve at the as-of date, both ends inclusive."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from rules_support import pack_of

from onething.rules import RulesError, compile_pack
from onething.rules.params import resolve

RATIO = {
    "title": "返还比例",
    "type": "decimal",
    "reference": "鲁人社字〔2025〕52号",
    "values": [
        {"from": date(2023, 1, 1), "to": date(2023, 12, 31), "value": "0.50", "reference": "A"},
        {"from": date(2024, 1, 1), "to": date(2024, 12, 31), "value": "0.60", "reference": "B"},
        {"from": date(2025, 4, 14), "value": "0.30"},
    ],
}
PACK = pack_of(
    parameters={"ratio": RATIO},
    rules=[{"id": "r", "label": "r", "condition": "ratio > 0"}],
)


@pytest.mark.parametrize(
    ("day", "value", "reference"),
    [
        (date(2023, 1, 1), "0.50", "A"),
        (date(2023, 12, 31), "0.50", "A"),
        (date(2024, 1, 1), "0.60", "B"),
        (date(2024, 12, 31), "0.60", "B"),
        (date(2025, 4, 14), "0.30", "鲁人社字〔2025〕52号"),
        (date(2099, 1, 1), "0.30", "鲁人社字〔2025〕52号"),
    ],
)
def test_a_value_holds_from_its_first_to_its_last_day(
    day: date, value: str, reference: str
) -> None:
    resolved = resolve(PACK, day, ["ratio"])["base"]["ratio"]
    assert resolved.value == Decimal(value)
    assert resolved.reference == reference
    assert resolved.valid_from is not None
    assert resolved.valid_from <= day


@pytest.mark.parametrize("day", [date(2022, 12, 31), date(2025, 1, 1), date(2025, 4, 13)])
def test_a_date_without_a_value_names_the_parameter_date_and_ranges(day: date) -> None:
    with pytest.raises(RulesError) as caught:
        compile_pack(PACK, day)
    assert caught.value.message("en") == (
        f"parameters.ratio: parameter 'ratio' has no value on {day.isoformat()} "
        "(values exist for: 2023-01-01 – 2023-12-31; 2024-01-01 – 2024-12-31; 2025-04-14 – …)"
    )


def test_a_scenario_override_fills_or_replaces_the_dated_value() -> None:
    gap = date(2025, 1, 1)
    scenarios = {"proposal": {"ratio": "0.45"}, "high": {"ratio": Decimal("0.6")}}
    compiled = compile_pack(PACK, gap, scenarios=scenarios)
    values = compiled.manifest.parameters["ratio"].values
    assert values["proposal"].value == Decimal("0.45")
    assert values["proposal"].overridden
    assert values["proposal"].reference == "scenario proposal"
    assert compiled.manifest.parameters["ratio"].type == "decimal(2)"
    with pytest.raises(RulesError, match="no value on 2025-01-01"):
        compile_pack(PACK, gap, scenarios={"base": {}, "proposal": {"ratio": "0.45"}})


def test_overrides_are_checked() -> None:
    day = date(2024, 6, 1)
    with pytest.raises(RulesError) as caught:
        compile_pack(PACK, day, scenarios={"s": {"ratoi": "0.5"}})
    assert caught.value.message("en") == (
        "scenarios.s.ratoi: the scenario overrides 'ratoi', which is not a parameter "
        "of the pack; did you mean 'ratio'?"
    )
    with pytest.raises(RulesError, match="binary floating-point number"):
        compile_pack(PACK, day, scenarios={"s": {"ratio": 0.5}})
    with pytest.raises(RulesError, match="more than 10 decimal places"):
        compile_pack(PACK, day, scenarios={"s": {"ratio": "0.12345678901"}})


def test_dated_parameter_values_reach_the_query_as_exact_literals() -> None:
    day = date(2024, 12, 31)
    sql = compile_pack(PACK, day).sql("duckdb")
    assert "CAST('0.60' AS DECIMAL(38, 2)) AS \"ratio\"" in sql
    next_day = day + timedelta(days=1)
    with pytest.raises(RulesError):
        compile_pack(PACK, next_day)
