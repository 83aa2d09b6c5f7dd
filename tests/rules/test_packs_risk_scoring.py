"""The risk packs scored against the registry's ground truth.

A synthetic registry with planted anomalies (``generate_registry``) lists every violation
it holds in ``ground_truth/anomalies.parquet``. The fund-risk and coverage-gap packs run
on DuckDB as of the registry's end date; each rule whose id is a ground-truth kind must
find every entity of that kind (recall 100 %) and little else (precision ≥ 99 %). The
data-quality pack's ``contribution_outside_employment`` must match its kind exactly.
Amounts (the money at risk) are checked against independent SQL, to the cent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest

from onething.registry.generate import ANOMALY_KINDS, GenerateOptions, generate_registry
from onething.registry.store import RegistryDir
from onething.rules import compile_pack, load_pack
from onething.rules.run.duckdb import rows_duckdb

PACKS = Path(__file__).parents[2] / "content" / "packs"
END = date(2025, 6, 30)
OPTIONS = GenerateOptions(persons=20_000, seed=2025, end_date=END, anomaly_rate=0.05)
GROUND_TRUTH = {"registration_grace_days": 0}
"""The ground truth counts an unregistered employee or employer from the first day; the
coverage packs give the 30 days the law allows by default (checked below)."""

pytestmark = pytest.mark.xdist_group("registry_generate")


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("scoring") / "registry"
    generate_registry(root, OPTIONS)
    return root


@pytest.fixture(scope="module")
def con(registry: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = RegistryDir(registry).connect()
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def truth(registry: Path) -> dict[str, set[str]]:
    rows = pq.read_table(RegistryDir(registry).anomalies_file).to_pylist()
    found: dict[str, set[str]] = {kind: set() for kind in ANOMALY_KINDS}
    for row in rows:
        found[row["kind"]].add(row["entity_id"])
    return found


def run(
    con: duckdb.DuckDBPyConnection, pack: str, scenario: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    compiled = compile_pack(load_pack(PACKS / f"{pack}.yaml"), END, {"base": scenario or {}})
    rows: list[dict[str, Any]] = rows_duckdb(compiled, con).to_pylist()
    return rows


def hits(rows: list[dict[str, Any]], rule: str) -> set[str]:
    return {str(r["entity_id"]) for r in rows if r[f"{rule}__hit"]}


@dataclass(frozen=True)
class Score:
    kind: str
    truth: int
    hits: int
    tp: int

    @property
    def precision(self) -> float:
        return self.tp / self.hits if self.hits else 1.0

    @property
    def recall(self) -> float:
        return self.tp / self.truth if self.truth else 1.0


def table(scores: list[Score]) -> str:
    lines = [f"{'kind':38s} {'truth':>6s} {'hits':>6s} {'TP':>6s} {'prec':>7s} {'recall':>7s}"]
    lines += [
        f"{s.kind:38s} {s.truth:6d} {s.hits:6d} {s.tp:6d} {s.precision:7.3f} {s.recall:7.3f}"
        for s in scores
    ]
    return "\n".join(lines)


def test_the_risk_packs_find_the_ground_truth(
    con: duckdb.DuckDBPyConnection, truth: dict[str, set[str]]
) -> None:
    found: dict[str, set[str]] = {}
    fund = run(con, "fund_risk")
    for kind in (
        "pension_after_death",
        "benefit_during_incarceration",
        "unemployment_benefit_while_employed",
        "unemployment_benefit_while_pension",
        "double_receipt",
        "early_pension_without_basis",
        "abnormal_back_payment",
    ):
        found[kind] = hits(fund, kind)
    person = run(con, "coverage_gap_person", GROUND_TRUTH)
    enterprise = run(con, "coverage_gap_enterprise", GROUND_TRUTH)
    found["employed_without_insurance"] = hits(person, "employed_without_insurance")
    found["enterprise_without_registration"] = hits(enterprise, "enterprise_without_registration")
    scores = [
        Score(kind, len(truth[kind]), len(got), len(got & truth[kind]))
        for kind, got in found.items()
    ]
    report = table(scores)
    print(report)  # shown with -s, and in the failure message
    assert all(s.truth >= 5 for s in scores), "too few planted anomalies:\n" + report
    assert all(s.recall == 1.0 and s.precision >= 0.99 for s in scores), "\n" + report


def test_the_coverage_packs_give_the_legal_registration_period(
    con: duckdb.DuckDBPyConnection, truth: dict[str, set[str]]
) -> None:
    """With 30 days to register, only spells begun in the last 30 days drop out."""
    found = hits(run(con, "coverage_gap_person"), "employed_without_insurance")
    assert found <= truth["employed_without_insurance"]
    recent = con.execute(
        """
        SELECT s.person_id FROM employment_spells s
        WHERE s.start_date <= $end AND (s.end_date IS NULL OR s.end_date >= $end)
          AND NOT EXISTS (
            SELECT 1 FROM insurance_enrolments e
            WHERE e.person_id = s.person_id AND e.enterprise_id = s.enterprise_id
              AND e.kind = 'employee' AND e.scheme IN ('pension', 'injury')
              AND e.start_date <= $end AND (e.end_date IS NULL OR e.end_date >= $end))
        GROUP BY 1 HAVING min(s.start_date) > $since""",
        {"end": END, "since": END - timedelta(days=30)},
    ).fetchall()
    assert truth["employed_without_insurance"] - found == {r[0] for r in recent} != set()


def test_the_data_quality_pack_finds_contributions_outside_employment_exactly(
    con: duckdb.DuckDBPyConnection, truth: dict[str, set[str]]
) -> None:
    rows = run(con, "data_quality_person")
    kind = "contribution_outside_employment"
    assert truth[kind]
    assert hits(rows, kind) == truth[kind]
    others = [r for r in rows if any(r[k] for k in r if k.endswith("__hit") and kind not in k)]
    assert others == []  # the generator's identifiers and dates are clean


# The money at risk of each rule, from independent SQL over the registry.
AMOUNTS: dict[str, str] = {
    "pension_after_death": """
        SELECT p.person_id, sum(p.amount) FROM benefit_payments p JOIN deaths d USING (person_id)
        WHERE p.benefit IN ('pension', 'resident_pension') AND p.period > d.death_date
        GROUP BY 1""",
    "benefit_during_incarceration": """
        SELECT person_id, sum(amount) FROM benefit_payments p WHERE EXISTS (
            SELECT 1 FROM incarcerations i WHERE i.person_id = p.person_id
            AND i.start_date < p.period AND (i.end_date IS NULL OR p.period <= i.end_date))
        GROUP BY 1""",
    "unemployment_benefit_while_employed": """
        SELECT person_id, sum(amount) FROM benefit_payments p
        WHERE benefit = 'unemployment' AND EXISTS (
            SELECT 1 FROM employment_spells s WHERE s.person_id = p.person_id
            AND s.start_date <= last_day(p.period)
            AND (s.end_date IS NULL OR s.end_date >= p.period))
        GROUP BY 1""",
    "unemployment_benefit_while_pension": """
        SELECT person_id, sum(amount) FROM benefit_payments u
        WHERE benefit = 'unemployment' AND EXISTS (
            SELECT 1 FROM benefit_payments q WHERE q.person_id = u.person_id
            AND q.period = u.period AND q.benefit IN ('pension', 'resident_pension'))
        GROUP BY 1""",
    "double_receipt": """
        SELECT person_id, sum(amount) - sum(kept) FROM (
            SELECT person_id, sum(amount) AS amount, max(amount) AS kept
            FROM benefit_payments GROUP BY person_id, period, benefit = 'unemployment'
            HAVING count(*) > 1)
        GROUP BY 1""",
}


@pytest.mark.parametrize("rule", sorted(AMOUNTS))
def test_amounts_are_the_money_at_risk_to_the_cent(
    con: duckdb.DuckDBPyConnection, rule: str
) -> None:
    rows = run(con, "fund_risk")
    got = {r["entity_id"]: r[f"{rule}__amount"] for r in rows if r[f"{rule}__hit"]}
    want = dict(con.execute(AMOUNTS[rule]).fetchall())
    assert got
    assert got == want


def test_the_pre_checks_stop_awards_of_the_dead_and_the_imprisoned(
    con: duckdb.DuckDBPyConnection,
) -> None:
    rows = run(con, "fund_risk")
    running = "a.start_date <= $end AND (a.end_date IS NULL OR a.end_date >= $end)"
    dead = con.execute(
        "SELECT DISTINCT a.person_id FROM benefit_awards a JOIN deaths d USING (person_id) "
        f"WHERE d.death_date <= $end AND {running}",
        {"end": END},
    ).fetchall()
    jailed = con.execute(
        "SELECT DISTINCT a.person_id FROM benefit_awards a JOIN incarcerations i USING "
        "(person_id) WHERE i.start_date <= $end AND (i.end_date IS NULL OR i.end_date >= $end) "
        f"AND {running}",
        {"end": END},
    ).fetchall()
    assert hits(rows, "award_running_after_death") == {r[0] for r in dead} != set()
    assert hits(rows, "award_running_in_prison") == {r[0] for r in jailed} != set()
