"""Policy simulation: scenarios swept in one query, reported against the baseline."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from onething.kit.errors import InvalidInput
from onething.registry.generate import GenerateOptions, generate_registry
from onething.rules import compile_pack, load_pack
from onething.rules.run.duckdb import rows_duckdb
from onething.rules.simulate import parse_scenarios, simulation_report

PACK = Path(__file__).parent / "packs" / "job_retention_test.yaml"
AS_OF = date(2025, 6, 30)


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim") / "registry"
    generate_registry(out, GenerateOptions(persons=4000, seed=7, end_date=AS_OF))
    return out


def _cents(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_parse_scenarios_adds_the_baseline_and_keeps_decimals_exact() -> None:
    parsed = parse_scenarios(
        ["raise:refund_ratio_sme=0.90,refund_ratio_large=0.50", "strict:min_months=100"]
    )
    assert parsed == {
        "base": {},
        "raise": {"refund_ratio_sme": Decimal("0.90"), "refund_ratio_large": Decimal("0.50")},
        "strict": {"min_months": 100},
    }


@pytest.mark.parametrize("spec", ["raise", "raise:", ":a=1", "raise:a", "raise:=1"])
def test_malformed_scenarios_are_refused_with_the_syntax(spec: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_scenarios([spec])
    assert "名称:参数=值" in err.value.message()


def test_duplicate_scenario_names_are_refused() -> None:
    with pytest.raises(InvalidInput):
        parse_scenarios(["a:min_months=1", "a:min_months=2"])


def test_sweep_reports_gainers_losers_and_exact_totals(registry: Path) -> None:
    scenarios = parse_scenarios(
        ["raise:refund_ratio_sme=0.90,refund_ratio_large=0.50", "strict:min_months=100"]
    )
    compiled = compile_pack(load_pack(PACK), AS_OF, scenarios=scenarios)
    with duckdb.connect(str(registry / "registry.duckdb"), read_only=True) as con:
        rows = rows_duckdb(compiled, con)
    report = {
        s.scenario: s for s in simulation_report(compiled, rows, overrides=scenarios).scenarios
    }

    # Independent arithmetic from the variables the query returned, not from its amounts.
    data = rows.to_pylist()
    base_rows = [r for r in data if r["scenario"] == "base"]
    eligible = [r for r in base_rows if r["refund_eligible__hit"]]
    assert eligible, "the registry should hold some refundable enterprises"
    ratio = {"large": Decimal("0.50")}
    expected_raise = sum(
        (_cents(r["paid_last_year"] * ratio.get(r["size"], Decimal("0.90"))) for r in eligible),
        Decimal("0.00"),
    )
    base_total = report["base"].by_rule["refund_eligible"].amount
    assert base_total == sum((r["refund_eligible__amount"] for r in eligible), Decimal("0.00"))
    assert report["raise"].by_rule["refund_eligible"].amount == expected_raise
    assert report["base"].total.gainers == report["base"].total.losers == 0

    raise_rule = report["raise"].by_rule["refund_eligible"]
    paying = [r for r in eligible if r["paid_last_year"] > 0]
    assert raise_rule.gainers == len(paying)
    assert raise_rule.losers == 0
    assert raise_rule.gained == expected_raise - base_total

    strict_rule = report["strict"].by_rule["refund_eligible"]
    assert strict_rule.beneficiaries == 0
    assert strict_rule.losers == len(eligible)
    assert strict_rule.lost == base_total

    regions = report["raise"].by_region
    assert sum(t.entities for t in regions.values()) == len(base_rows)
    assert sum((t.amount for t in regions.values()), Decimal(0)) == report["raise"].total.amount
    assert isinstance(report["raise"].total.amount, Decimal)


def test_cli_simulate_and_compile_over_a_registry(registry: Path) -> None:
    from typer.testing import CliRunner

    from onething.cli.main import app

    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "rules", "simulate", str(PACK), "--as-of", AS_OF.isoformat(),
            "--registry", str(registry), "--scenario", "raise:refund_ratio_sme=0.90", "--json",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    import json

    body = json.loads(result.stdout)
    assert [s["scenario"] for s in body["scenarios"]] == ["base", "raise"]
    assert all(len(city) <= 4 for city in body["scenarios"][0]["by_region"])  # city names

    sql = runner.invoke(app, ["rules", "compile", str(PACK), "--dialect", "postgres"])
    assert sql.exit_code == 0, sql.output
    assert sql.stdout.lstrip().startswith("WITH")

    bad = runner.invoke(app, ["rules", "compile", "no_such_pack"])
    assert bad.exit_code == 2
    assert "no_such_pack" in bad.output
