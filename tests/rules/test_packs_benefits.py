"""The shipped benefit packs (免申即享): 技能提升补贴, 失业保险稳岗返还, 一次性扩岗补助.

Each pack compiles in every dialect on every policy year it covers, its own YAML cases
(at every threshold) pass through the test executor, every rule is expected to hit and
not to hit somewhere, and every rule and dated value names its source. Then the packs
run on a generated registry of 5,000 people: amounts are exact decimals, and the refund
is recomputed here with SQL written from the policy, not from the pack.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import sqlglot
from rules_support import create_tables, enterprise_row, insert
from sqlglot import exp

from onething.kit.ids import make_credit_code, make_resident_id
from onething.registry.generate import GenerateOptions, generate_registry
from onething.registry.store import RegistryDir
from onething.rules import DIALECTS, Dialect, Pack, compile_pack, load_pack
from onething.rules.run.duckdb import rows_duckdb, run_duckdb
from onething.rules.testing import format_report, run_pack_tests

PACKS = Path(__file__).parents[2] / "content" / "packs"
NAMES = ("skill_subsidy", "job_stabilisation_refund", "expansion_subsidy")
YEARS = {
    "skill_subsidy": (2024, 2025),
    "job_stabilisation_refund": (2023, 2024, 2025),
    "expansion_subsidy": (2023, 2024, 2025),
}
AS_OF = date(2025, 6, 30)

pytestmark = pytest.mark.xdist_group("packs_benefits")


@pytest.fixture(scope="module", params=NAMES)
def pack(request: pytest.FixtureRequest) -> Pack:
    return load_pack(PACKS / f"{request.param}.yaml")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_compiles_in_every_dialect_for_every_policy_year(pack: Pack, dialect: Dialect) -> None:
    for year in YEARS[pack.pack]:
        compiled = compile_pack(pack, date(year, 6, 30))
        (tree,) = sqlglot.parse(compiled.sql(dialect), read=dialect)
        assert isinstance(tree, exp.Select)
        outputs = [e.alias_or_name for e in tree.expressions]
        assert outputs == [name for name, _ in compiled.manifest.columns]


def test_its_yaml_cases_pass(pack: Pack) -> None:
    report = run_pack_tests(pack)
    assert report.cases, "a shipped pack carries its test cases"
    assert report.passed, format_report(report, "en")
    assert report.queries == len({case.as_of for case in pack.tests})
    assert report.notes == ()  # checksum-valid identifiers, values within each enum


def test_every_rule_is_expected_both_to_hit_and_not_to_hit(pack: Pack) -> None:
    expected: dict[str, set[bool]] = {rule.id: set() for rule in pack.rules}
    for case in pack.tests:
        for key, value in case.expect.items():
            if key in expected:
                expected[key].add(value)
    assert expected == {rule.id: {True, False} for rule in pack.rules}


def test_every_rule_and_dated_value_names_its_source(pack: Pack) -> None:
    for rule in pack.rules:
        assert rule.basis is not None, rule.id
        assert rule.basis.document.strip(), rule.id
    for name, parameter in pack.parameters.items():
        for dated in parameter.values:
            assert dated.reference or parameter.reference, name
    # Documents whose number FACTS.md could not confirm are never cited as if it had.
    text = (PACKS / f"{pack.pack}.yaml").read_text(encoding="utf-8")
    assert "人社部发〔2023〕19号" not in text.replace("“人社部发〔2023〕19号”只是猜测", "")


def test_no_value_is_invented_beyond_the_known_policy_years(pack: Pack) -> None:
    from onething.rules import RulesError

    with pytest.raises(RulesError) as caught:
        compile_pack(pack, date(2026, 1, 1))
    assert {p.key for p in caught.value.problems} == {"rules.param.missing"}


# -- end to end on a generated registry ------------------------------------------------------


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    out = tmp_path_factory.mktemp("benefits") / "registry"
    generate_registry(out, GenerateOptions(persons=5_000, seed=3, end_date=AS_OF))
    connection = RegistryDir(out).connect()
    yield connection
    connection.close()


def test_the_packs_run_end_to_end_with_exact_amounts(
    pack: Pack, registry: duckdb.DuckDBPyConnection
) -> None:
    compiled = compile_pack(pack, AS_OF)
    hits = run_duckdb(compiled, registry)
    paying = [h for h in hits if compiled.manifest.rules[h.rule].amount is not None]
    assert paying, f"{pack.pack}: no entity qualifies in 5,000 people"
    for hit in paying:
        assert isinstance(hit.amount, Decimal)
        assert hit.amount > 0
        assert hit.amount == hit.amount.quantize(Decimal("0.01"))
        assert hit.explanation["message"]
    entity = compiled.manifest
    keys = {
        str(k)
        for (k,) in registry.execute(
            f'SELECT "{entity.entity_key}" FROM "{entity.entity_table}"'
        ).fetchall()
    }
    assert {h.entity_id for h in hits} <= keys


def test_refund_amounts_match_the_policy_recomputed_in_sql(
    registry: duckdb.DuckDBPyConnection,
) -> None:
    pack = load_pack(PACKS / "job_stabilisation_refund.yaml")
    hits = [h for h in run_duckdb(compile_pack(pack, AS_OF), registry) if h.amount is not None]
    # 2024 unemployment contributions actually paid (back payments excluded) × 30% / 60%.
    expected = dict(
        registry.execute(
            """
            SELECT c.enterprise_id,
                   round(sum(c.employer_amount + c.employee_amount)
                         * CASE WHEN any_value(e.size) = 'large' THEN 0.30 ELSE 0.60 END, 2)
            FROM contributions c JOIN enterprises e USING (enterprise_id)
            WHERE c.scheme = 'unemployment' AND NOT c.back_payment
              AND c.period BETWEEN DATE '2024-01-01' AND DATE '2024-12-01'
            GROUP BY c.enterprise_id
            """
        ).fetchall()
    )
    assert hits
    for hit in hits:
        assert hit.amount == expected[hit.entity_id], hit.entity_id
    dispatch = {
        eid
        for (eid,) in registry.execute(
            "SELECT enterprise_id FROM enterprises WHERE labour_dispatch"
        ).fetchall()
    }
    assert not dispatch & {h.entity_id for h in hits}


def test_the_refund_layoff_rate_formula_is_a_parameter() -> None:
    """The default counts involuntary separations; the alternative (FACTS §3.1: Zhejiang,
    Ningxia) the net fall of insured headcount between the two year ends."""
    firm = make_credit_code("370102", "MA3G0001")
    staff = [make_resident_id("370102", date(1980 + i, 3, 9), 500 + i) for i in range(41)]

    def enrolment(i: int, start: date, end: date | None = None) -> dict[str, object]:
        return {
            "enrolment_id": i,
            "person_id": staff[i],
            "scheme": "unemployment",
            "kind": "employee",
            "enterprise_id": firm,
            "region_code": "370102",
            "start_date": start,
            "end_date": end,
        }

    con = duckdb.connect()
    create_tables(con)
    insert(con, "enterprises", [enterprise_row(firm, size="medium")])
    # 40 insured at the end of 2023; 4 leave in June 2024 (resigned: no separation counted),
    # 1 joins in March 2024: 37 at the end of 2024.
    insert(
        con,
        "insurance_enrolments",
        [enrolment(i, date(2020, 1, 1)) for i in range(36)]
        + [enrolment(i, date(2020, 1, 1), date(2024, 6, 30)) for i in range(36, 40)]
        + [enrolment(40, date(2024, 3, 1))],
    )
    insert(
        con,
        "contributions",
        [
            {
                "person_id": staff[0],
                "enterprise_id": firm,
                "scheme": "unemployment",
                "period": date(2024, m, 1),
                "employer_amount": Decimal("800.00"),
                "employee_amount": Decimal("200.00"),
                "paid_on": date(2024, m, 15),
            }
            for m in range(1, 13)
        ],
    )
    pack = load_pack(PACKS / "job_stabilisation_refund.yaml")
    scenarios = {"base": {}, "net": {"layoff_rate_method": "net_reduction"}}
    compiled = compile_pack(pack, AS_OF, scenarios=scenarios)
    rows = {r["scenario"]: r for r in rows_duckdb(compiled, con).to_pylist()}
    start, end = 40, 37
    assert rows["base"]["layoff_rate"] == 0  # nobody dismissed
    assert rows["base"]["refund_eligible__hit"]
    assert rows["base"]["refund_eligible__amount"] == Decimal("7200.00")  # 12 000 × 60%
    assert rows["net"]["net_reduction_rate"] == Decimal(start - end) / start
    assert rows["net"]["layoff_rate"] == Decimal(start - end) / start  # 7.5% > 5.5%
    assert not rows["net"]["refund_eligible__hit"]
    con.close()
