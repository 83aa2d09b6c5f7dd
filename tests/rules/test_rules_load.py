"""Phase 1: YAML to a typed pack, with path-precise messages and no floats."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from rules_support import PACKS

from onething.rules import RulesError, load_pack, loads_pack

MINIMAL = """
pack: tiny
version: 2025.10
title: 小包
entity: enterprise
parameters:
  ratio:
    type: decimal
    values:
      - {from: 2025-01-01, value: 0.30}
variables:
  paid:
    aggregate:
      table: contributions
      on: enterprise_id
      value: "sum(employer_amount)"
      default: 0
rules:
  - id: yes
    label: 是
    condition: "paid > 0"
"""


def test_yaml_keeps_on_and_yes_as_text_and_numbers_as_exact_decimals() -> None:
    pack = loads_pack(MINIMAL)
    aggregate = pack.variables["paid"].aggregate
    assert aggregate is not None
    assert aggregate.on == "enterprise_id"
    assert pack.rules[0].id == "yes"
    assert pack.version == "2025.10"  # not 2025.1
    value = pack.parameters["ratio"].values[0].value
    assert isinstance(value, Decimal)
    assert value == Decimal("0.30")
    assert str(value) == "0.30"
    assert pack.parameters["ratio"].values[0].valid_from == date(2025, 1, 1)


def test_structure_errors_name_their_path() -> None:
    text = MINIMAL.replace('    condition: "paid > 0"\n', "")
    with pytest.raises(RulesError) as caught:
        loads_pack(text)
    assert caught.value.problems[0].where == "rules[0].condition"
    assert "Field required" in caught.value.message("en")
    bad_name = MINIMAL.replace("  paid:\n", "  Paid Amount:\n")
    with pytest.raises(RulesError) as caught:
        loads_pack(bad_name)
    assert caught.value.problems[0].where.startswith("variables.Paid Amount")
    two = MINIMAL.replace("      default: 0\n", '      default: 0\n    expr: "1"\n')
    with pytest.raises(RulesError, match="exactly one of column, expr, aggregate"):
        loads_pack(two)


def test_parameter_values_are_checked_at_load() -> None:
    overlapping = MINIMAL.replace(
        "      - {from: 2025-01-01, value: 0.30}",
        "      - {from: 2024-01-01, to: 2025-01-01, value: 0.25}\n"
        "      - {from: 2025-01-01, value: 0.30}\n"
        "      - {from: 2026-01-01, to: 2025-12-31, value: abc}",
    )
    with pytest.raises(RulesError) as caught:
        loads_pack(overlapping)
    messages = [p.message("en") for p in caught.value.problems]
    assert messages == [
        "parameters.ratio.values[2]: 'abc' is not a decimal number",
        "parameters.ratio.values[2]: the range ends (2025-12-31) before it starts (2026-01-01)",
        "parameters.ratio.values[1]: this dated value overlaps parameters.ratio.values[0]; "
        "dated ranges must not overlap",
        "parameters.ratio.values[2]: this dated value overlaps parameters.ratio.values[1]; "
        "dated ranges must not overlap",
    ]


def test_the_file_is_named_after_the_pack(tmp_path: Path) -> None:
    wrong = tmp_path / "other.yaml"
    wrong.write_text(MINIMAL, encoding="utf-8")
    with pytest.raises(RulesError, match=r"name the file tiny\.yaml"):
        load_pack(wrong)
    broken = tmp_path / "tiny.yaml"
    broken.write_text("pack: [unclosed", encoding="utf-8")
    with pytest.raises(RulesError, match="not valid YAML"):
        load_pack(broken)
    with pytest.raises(RulesError, match="Cannot read the pack"):
        load_pack(tmp_path / "missing.yaml")


def test_the_test_pack_loads() -> None:
    pack = load_pack(PACKS / "job_retention_test.yaml")
    assert pack.entity == "enterprise"
    assert [r.id for r in pack.rules] == [
        "refund_eligible",
        "dispatch_must_apply",
        "back_payments_found",
    ]
