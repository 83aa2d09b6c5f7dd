"""Dead branches of CASEs over parameters that are the same in every scenario
(``onething.rules.compile.fold``): gone from the hits query and its explanations, and
nothing else changes — every hit, amount and value is the one the unfolded query gives.

The unfolded query is the same pack swept with a second scenario that sets the parameter
otherwise: there the condition is not constant, nothing folds, and the first scenario's
rows must equal the single-scenario run's.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
from rules_support import ENTERPRISE, enterprise_row, insert, pack_of, param

from onething.registry.generate import GenerateOptions, generate_registry
from onething.registry.store import RegistryDir
from onething.rules import compile_pack, load_pack
from onething.rules.run.duckdb import run_duckdb

AS_OF = date(2025, 6, 30)
JOB = Path(__file__).parents[2] / "src" / "onething" / "content" / "packs"
HEADCOUNTS = {"headcount_before_prev_year_end", "headcount_prev_year_end", "net_reduction_rate"}


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    out = tmp_path_factory.mktemp("fold") / "registry"
    generate_registry(out, GenerateOptions(persons=5_000, seed=3, end_date=AS_OF))
    connection = RegistryDir(out).connect()
    yield connection
    connection.close()


def test_a_method_fixed_for_the_run_drops_the_other_methods_inputs() -> None:
    pack = load_pack(JOB / "job_stabilisation_refund.yaml")
    compiled = compile_pack(pack, AS_OF)
    hits = compiled.for_hits().manifest
    assert set(compiled.manifest.variables) >= HEADCOUNTS  # the full query keeps every one
    assert not HEADCOUNTS & set(hits.variables)
    rule = hits.rules["refund_eligible"]
    assert not HEADCOUNTS & set(rule.variables)
    # the deciding parameter is still read, so an explanation still shows it
    assert "layoff_rate_method" in rule.parameters
    assert "separation_rate" in rule.variables


def test_a_method_that_differs_between_scenarios_is_not_folded() -> None:
    pack = load_pack(JOB / "job_stabilisation_refund.yaml")
    swept = compile_pack(
        pack, AS_OF, {"base": {}, "net": {"layoff_rate_method": "net_reduction"}}
    ).for_hits()
    assert set(swept.manifest.variables) >= HEADCOUNTS
    assert set(swept.manifest.rules["refund_eligible"].variables) >= HEADCOUNTS


def _by_key(hits: list[Any], scenario: str) -> dict[tuple[str, str], Any]:
    return {(h.entity_id, h.rule): h for h in hits if h.scenario == scenario}


def test_folded_and_unfolded_runs_give_the_same_hits_and_values(
    registry: duckdb.DuckDBPyConnection,
) -> None:
    pack = load_pack(JOB / "job_stabilisation_refund.yaml")
    folded = run_duckdb(compile_pack(pack, AS_OF), registry)
    unfolded = run_duckdb(
        compile_pack(
            pack,
            AS_OF,
            {
                "base": {},
                "other": {"layoff_rate_method": "net_reduction", "size_by_headcount": True},
            },
        ),
        registry,
    )
    one, two = _by_key(folded, "base"), _by_key(unfolded, "base")
    assert len(one) > 100
    assert one.keys() == two.keys()
    for key, hit in one.items():
        other = two[key]
        assert hit.amount == other.amount
        shown = hit.explanation["variables"]
        assert shown.keys() <= other.explanation["variables"].keys()
        for name, value in shown.items():
            assert other.explanation["variables"][name] == value, (key, name)
        assert not HEADCOUNTS & shown.keys()
        assert other.explanation["variables"].keys() >= HEADCOUNTS


def _folding_pack(**overrides: Any) -> Any:
    """An enterprise pack whose ``pick`` chooses, by parameters, between two aggregates
    (a searched CASE, a simple CASE, and a decision table)."""
    return pack_of(
        parameters={
            "method": param("text", "a"),
            "use_b": param("bool", False),
            "limit": param("int", 1),
        },
        variables={
            "count_a": {
                "type": "int",
                "aggregate": {
                    "table": "employment_spells",
                    "on": "enterprise_id",
                    "value": "count(*)",
                    "default": 0,
                },
            },
            "count_b": {
                "type": "int",
                "aggregate": {
                    "table": "insurance_enrolments",
                    "on": "enterprise_id",
                    "value": "count(*)",
                    "default": 0,
                },
            },
            "searched": {"expr": "CASE WHEN use_b AND limit > 0 THEN count_b ELSE count_a END"},
            "simple": {"expr": "CASE method WHEN 'b' THEN count_b WHEN 'a' THEN count_a END"},
            **overrides,
        },
        decision_tables={
            "table_pick": {
                "type": "int",
                "rows": [
                    {"when": "NOT use_b", "then": "count_a"},
                    {"when": "use_b", "then": "count_b"},
                ],
                "default": 0,
            }
        },
        rules=[
            {
                "id": "busy",
                "label": "忙",
                "condition": "searched >= limit AND simple >= limit AND table_pick >= limit",
                "amount": "searched + simple + table_pick",
            }
        ],
    )


def test_searched_and_simple_cases_and_decision_tables_fold(
    con: duckdb.DuckDBPyConnection,
) -> None:
    pack = _folding_pack()
    insert(con, "enterprises", [enterprise_row()])
    insert(
        con,
        "employment_spells",
        [{"spell_id": i, "person_id": f"p{i}", "enterprise_id": ENTERPRISE} for i in range(1, 4)],
    )
    insert(
        con,
        "insurance_enrolments",
        [{"enrolment_id": 1, "person_id": "p1", "enterprise_id": ENTERPRISE}],
    )
    compiled = compile_pack(pack, AS_OF)
    hits = compiled.for_hits().manifest
    assert "count_b" not in hits.variables
    assert {"method", "use_b", "limit"} <= set(hits.rules["busy"].parameters)
    found = run_duckdb(compiled, con)
    assert [(h.rule, h.amount) for h in found] == [("busy", 9)]  # 3 + 3 + 3 spells
    # the other way round: the enrolment count is live, the spells' dead
    swapped = compile_pack(pack, AS_OF, {"b": {"method": "b", "use_b": True}})
    assert "count_a" not in swapped.for_hits().manifest.variables
    assert [(h.rule, h.amount) for h in run_duckdb(swapped, con)] == [("busy", 3)]
    # a method no branch names: the simple CASE is NULL, the rule cannot hold
    nulled = compile_pack(pack, AS_OF, {"n": {"method": "c"}})
    assert "count_b" not in nulled.for_hits().manifest.variables
    assert run_duckdb(nulled, con) == []
