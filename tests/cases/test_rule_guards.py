"""The rules engine guarding a matter: fund_risk's pre rules at submission, in rules while
handling, on a generated registry, with the case engine on SQLite and PostgreSQL.

Who is flagged is found by running the pack over the whole registry (the population
path), so the guard (the single-entity path) is checked against an independent answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from cases_support import REGION, MatterDef, catalog_of, clerk, history, reviewer, shanghai
from sqlalchemy import Engine

from onething.cases import CaseService, SubmitRequest
from onething.cases.errors import GuardBlocked
from onething.cases.rule_guards import RulesGuard
from onething.kit.calendar import WorkingCalendar
from onething.kit.db import unit_of_work
from onething.registry.generate import GenerateOptions, generate_registry
from onething.rules import Checker, compile_pack
from onething.rules.library import load
from onething.rules.run.runner import run

AS_OF = date(2025, 6, 30)  # a Monday: the registry's last day
PENSION = MatterDef("pension_claim", "企业职工基本养老保险待遇申领", "hrss", 20, 10)
OTHER = MatterDef("skill_claim", "技能提升补贴申领", "hrss", 20, 10)

pytestmark = pytest.mark.xdist_group("rule_guards")


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("guard-registry")
    generate_registry(
        out, GenerateOptions(persons=3000, seed=11, end_date=AS_OF, anomaly_rate=0.02)
    )
    return out


@pytest.fixture(scope="module")
def checker(registry: Path) -> Iterator[Checker]:
    with Checker("fund_risk", registry) as c:
        yield c


@pytest.fixture(scope="module")
def flagged(registry: Path) -> dict[str, dict[str, str]]:
    """Person id -> {rule: severity} for every fund_risk hit, from the population run."""
    pack = load("fund_risk")
    out: dict[str, dict[str, str]] = {}
    for hit in run(compile_pack(pack, AS_OF), registry).hits:
        out.setdefault(hit.entity_id, {})[hit.rule] = hit.severity
    return out


def _phase_rules(phase: str) -> set[str]:
    return {r.id for r in load("fund_risk").rules if r.phase == phase}


def _person(flagged: dict[str, dict[str, str]], *, pre: bool, in_: bool) -> str:
    pre_rules, in_rules = _phase_rules("pre"), _phase_rules("in")
    for person, rules in sorted(flagged.items()):
        if bool(rules.keys() & pre_rules) == pre and bool(rules.keys() & in_rules) == in_:
            return person
    pytest.fail(f"the registry has nobody with pre={pre} and in={in_} hits")


def _clean_person(registry: Path, flagged: dict[str, dict[str, str]]) -> str:
    import duckdb

    with duckdb.connect(str(registry / "registry.duckdb"), read_only=True) as con:
        ids = [r[0] for r in con.execute("SELECT person_id FROM persons ORDER BY 1").fetchall()]
    return next(i for i in ids if i not in flagged)


@pytest.fixture
def service(calendar: WorkingCalendar, checker: Checker) -> CaseService:
    guard = RulesGuard({PENSION.code: ["fund_risk"]}, {"fund_risk": checker})
    return CaseService(calendar=calendar, guards=(guard,))


def _request(code: str, person: str) -> SubmitRequest:
    return SubmitRequest.model_validate(
        {
            "service_code": code,
            "applicant": {"kind": "person", "id": person},
            "region": REGION,
            "channel": "counter",
            "form": {},
        }
    )


def _submit(engine: Engine, service: CaseService, code: str, person: str) -> str:
    with unit_of_work(engine) as session:
        case = service.submit(
            session, clerk("hrss"), catalog_of(PENSION, OTHER), _request(code, person),
            at=shanghai(AS_OF, 9),
        )  # fmt: skip
        return case.id


def test_a_pre_block_rule_refuses_the_submission_with_its_explanation(
    engine: Engine, service: CaseService, flagged: dict[str, dict[str, str]]
) -> None:
    person = _person(flagged, pre=True, in_=False)
    with unit_of_work(engine) as session:
        before = history(session)
    with pytest.raises(GuardBlocked) as refused:
        _submit(engine, service, PENSION.code, person)

    findings = refused.value.findings
    expected = {f"rules.fund_risk.{r}" for r in flagged[person].keys() & _phase_rules("pre")}
    assert {f["code"] for f in findings} == expected
    for finding in findings:
        assert finding["severity"] == "block"
        assert person in finding["message"]
        explanation = finding["explanation"]
        assert explanation["basis"]["document"]
        assert explanation["pack_version"] == load("fund_risk").version
        assert explanation["clauses"], "the clauses that held are shown"
    with unit_of_work(engine) as session:
        assert history(session) == before, "a refused submission writes nothing"


def test_the_same_person_is_not_checked_for_an_unguarded_matter(
    engine: Engine, service: CaseService, flagged: dict[str, dict[str, str]]
) -> None:
    person = _person(flagged, pre=True, in_=False)
    assert _submit(engine, service, OTHER.code, person)


def test_in_rules_block_acceptance_but_never_a_refusal(
    engine: Engine, service: CaseService, flagged: dict[str, dict[str, str]]
) -> None:
    person = _person(flagged, pre=False, in_=True)
    case_id = _submit(engine, service, PENSION.code, person)  # pre rules: nothing found
    with unit_of_work(engine) as session, pytest.raises(GuardBlocked) as refused:
        service.accept(session, clerk("hrss"), case_id, at=shanghai(AS_OF, 10))
    in_rules = flagged[person].keys() & _phase_rules("in")
    assert {f["code"] for f in refused.value.findings} == {f"rules.fund_risk.{r}" for r in in_rules}
    with unit_of_work(engine) as session:
        case = service.refuse(
            session,
            clerk("hrss"),
            case_id,
            reason="存在重复领取待遇疑点，不予受理",
            at=shanghai(AS_OF, 11),
        )
        assert case.state == "refused"


def test_a_clean_applicant_goes_through(
    engine: Engine, service: CaseService, registry: Path, flagged: dict[str, dict[str, str]]
) -> None:
    person = _clean_person(registry, flagged)
    case_id = _submit(engine, service, PENSION.code, person)
    with unit_of_work(engine) as session:
        service.accept(session, clerk("hrss"), case_id, at=shanghai(AS_OF, 10))
        service.start_review(session, reviewer("hrss"), case_id, at=shanghai(AS_OF, 11))
        case = service.conclude(
            session, reviewer("hrss"), case_id, outcome="granted", at=shanghai(AS_OF, 14)
        )
        assert case.state == "concluded"


def test_a_guard_needs_a_checker_for_every_pack_it_names(checker: Checker) -> None:
    with pytest.raises(ValueError, match="coverage_gap_person"):
        RulesGuard({PENSION.code: ["fund_risk", "coverage_gap_person"]}, {"fund_risk": checker})
