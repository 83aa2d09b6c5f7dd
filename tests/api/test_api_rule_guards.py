"""The rules engine guarding a matter through the API: the pension claim (guards:
[fund_risk]) refused at submission by a ``pre`` block rule, and its acceptance refused by
an ``in`` block rule, each with the rule's explanation; a clean applicant goes through.

The registry is generated with more planted anomalies than the session's, and who is
flagged is found with the population run of the pack (on DuckDB), independently of the
guard. The guards read it from the registry folder (DuckDB) and, in production's way, from
a PostgreSQL database filled by ``onething registry load``
(``ONETHING_GUARDS_REGISTRY_URL``): the same refusals either way, checked as of the
registry's end date. A guard without a registry to read — no folder, no database, nothing
loaded in it, the database gone — refuses with 503 ``guards.no_registry``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import psycopg
import pytest
from api_support import Db, as_applicant, as_clerk
from fastapi.testclient import TestClient
from psycopg import sql
from sqlalchemy.engine import make_url

from onething.channels.api import create_app
from onething.config import Settings
from onething.models.cases import Case
from onething.registry.generate import GenerateOptions, generate_registry
from onething.registry.load import load_registry
from onething.rules import compile_pack
from onething.rules.library import load
from onething.rules.run.runner import run

END = date(2025, 6, 30)
MATTER = "hrss_pension_claim"

pytestmark = pytest.mark.xdist_group("api_rule_guards")


@pytest.fixture(scope="module")
def risky_registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("risky") / "registry"
    generate_registry(
        folder, GenerateOptions(persons=3000, seed=5, end_date=END, anomaly_rate=0.02)
    )
    return folder


@pytest.fixture(scope="module")
def flagged(risky_registry: Path) -> dict[str, dict[str, str]]:
    """Person -> {rule: phase} of every fund_risk hit (population run)."""
    pack = load("fund_risk")
    phase = {r.id: r.phase for r in pack.rules}
    out: dict[str, dict[str, str]] = {}
    for hit in run(compile_pack(pack, END), risky_registry).hits:
        out.setdefault(hit.entity_id, {})[hit.rule] = phase[hit.rule]
    return out


def _database_url(admin_url: str, name: str) -> str:
    url = make_url(admin_url).set(drivername="postgresql+psycopg", database=name)
    return url.render_as_string(hide_password=False)


def _loaded_database(registry: Path, admin_url: str, factory: Any) -> str:
    """A fresh PostgreSQL database holding ``registry`` (``onething registry load``)."""
    url = _database_url(admin_url, factory())
    load_registry(registry, url)
    return url


@pytest.fixture(scope="module")
def risky_database(risky_registry: Path, pg_admin_url: str, pg_database_factory: Any) -> str:
    return _loaded_database(risky_registry, pg_admin_url, pg_database_factory)


@pytest.fixture(params=["duckdb", "postgres"])
def guards_url(request: pytest.FixtureRequest) -> str | None:
    """Where the guards read the registry: the folder (None) or the loaded database."""
    if request.param == "duckdb":
        return None
    url: str = request.getfixturevalue("risky_database")
    return url


def _app_settings(
    db_url: str, tmp_path: Path, registry: Path, guards_url: str | None = None
) -> Settings:
    return Settings(
        home=tmp_path / "home",
        database_url=db_url,
        registry_path=registry,
        guards_registry_url=guards_url,
        today=END,
    )


@pytest.fixture
def client(
    db_url: str, tmp_path: Path, risky_registry: Path, guards_url: str | None
) -> Iterator[TestClient]:
    app = create_app(_app_settings(db_url, tmp_path, risky_registry, guards_url))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
    app.state.engine.dispose()


def _region(registry: Path, person: str) -> str:
    with duckdb.connect(str(registry / "registry.duckdb"), read_only=True) as con:
        row = con.execute(
            "SELECT hukou_region FROM persons WHERE person_id = ?", [person]
        ).fetchone()
    assert row is not None
    return str(row[0])


def _pick(flagged: dict[str, dict[str, str]], phases: set[str]) -> str:
    for person, rules in sorted(flagged.items()):
        if set(rules.values()) & {"pre", "in"} == phases:
            return person
    pytest.fail(f"no one in the registry has hits of exactly the phases {phases}")


def _claim(client: TestClient, registry: Path, person: str) -> Any:
    body = {
        "service_code": MATTER,
        "applicant": {"kind": "person", "id": person},
        "region": _region(registry, person),
        "channel": "web",
        "form": {"retiree.id_number": person, "retiree.retirement_type": "normal"},
    }
    return client.post("/api/v1/applications", json=body, headers=as_applicant(person))


def _clean(registry: Path, flagged: dict[str, dict[str, str]]) -> list[str]:
    """People no fund_risk rule flags."""
    with duckdb.connect(str(registry / "registry.duckdb"), read_only=True) as con:
        ids = [r[0] for r in con.execute("SELECT person_id FROM persons ORDER BY 1").fetchall()]
    return [i for i in ids if i not in flagged]


def _assert_explained(problem: dict[str, Any], person: str, expected: set[str]) -> None:
    assert problem["code"] == "cases.guard.blocked"
    assert {e["code"] for e in problem["errors"]} == {f"rules.fund_risk.{r}" for r in expected}
    for error in problem["errors"]:
        assert error["severity"] == "block"
        assert person in error["message"]
        assert error["message"] in problem["detail"]
        why = error["explanation"]
        assert why["basis"]["document"]
        assert why["pack"] == "fund_risk"
        # checked as of the day the registry's data runs to, not today (it is later)
        assert why["as_of"] == END.isoformat()
        assert all(clause["held"] for clause in why["clauses"])


def test_a_pre_rule_refuses_the_submission_with_its_explanation(
    client: TestClient, risky_registry: Path, flagged: dict[str, dict[str, str]], db_url: str
) -> None:
    person = _pick(flagged, {"pre"})
    response = _claim(client, risky_registry, person)
    assert response.status_code == 409, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    expected = {rule for rule, phase in flagged[person].items() if phase == "pre"}
    _assert_explained(response.json(), person, expected)
    db = Db(db_url)
    try:
        assert db.count(Case) == 0, "a refused submission leaves no case behind"
    finally:
        db.close()


def test_an_in_rule_refuses_acceptance_and_a_clean_claim_goes_through(
    client: TestClient, risky_registry: Path, flagged: dict[str, dict[str, str]]
) -> None:
    person = _pick(flagged, {"in"})
    created = _claim(client, risky_registry, person)
    assert created.status_code == 201, created.text
    case_id = created.json()["case"]["id"]
    clerk = as_clerk("hrss", _region(risky_registry, person))
    refused = client.post(f"/api/v1/tasks/{case_id}/accept", json={"version": 1}, headers=clerk)
    assert refused.status_code == 409, refused.text
    expected = {rule for rule, phase in flagged[person].items() if phase == "in"}
    _assert_explained(refused.json(), person, expected)
    state = client.get(f"/api/v1/applications/{case_id}", headers=as_applicant(person))
    assert state.json()["case"]["state"] == "submitted"

    clean = _clean(risky_registry, flagged)[0]
    created = _claim(client, risky_registry, clean)
    assert created.status_code == 201, created.text
    case_id = created.json()["case"]["id"]
    clerk = as_clerk("hrss", _region(risky_registry, clean))
    accepted = client.post(f"/api/v1/tasks/{case_id}/accept", json={"version": 1}, headers=clerk)
    assert accepted.status_code == 200, accepted.text


def test_without_a_registry_a_guarded_matter_is_refused_not_let_through(
    db_url: str, tmp_path: Path, risky_registry: Path, flagged: dict[str, dict[str, str]]
) -> None:
    settings = _app_settings(db_url, tmp_path, tmp_path / "none")
    response = _claim_on(settings, risky_registry, _pick(flagged, {"pre"}))
    assert response.status_code == 503, response.text
    assert response.json()["code"] == "guards.no_registry"
    assert "onething registry generate" in response.json()["detail"]


def _claim_on(settings: Settings, registry: Path, person: str) -> Any:
    """A claim on a new app of ``settings`` (and nothing else on it)."""
    app = create_app(settings)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            return _claim(client, registry, person)
    finally:
        app.state.engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("where", ["no_server", "no_database", "nothing_loaded"])
def test_without_a_registry_database_a_guarded_matter_is_refused_not_let_through(
    where: str,
    db_url: str,
    tmp_path: Path,
    risky_registry: Path,
    flagged: dict[str, dict[str, str]],
    pg_admin_url: str,
    pg_database_factory: Any,
) -> None:
    """The registry folder is there; the database the guards are told to read is not
    (or holds nothing loaded): guarded steps are refused, even for a clean applicant."""
    guards_url = {
        "no_server": "postgresql://registry:secret-pw@127.0.0.1:1/registry",
        "no_database": _database_url(pg_admin_url, "onething_test_never_created"),
        "nothing_loaded": _database_url(pg_admin_url, pg_database_factory()),
    }[where]
    settings = _app_settings(db_url, tmp_path, risky_registry, guards_url)
    response = _claim_on(settings, risky_registry, _clean(risky_registry, flagged)[0])
    assert response.status_code == 503, response.text
    problem = response.json()
    assert problem["code"] == "guards.no_registry"
    if where == "nothing_loaded":
        assert "onething registry load" in problem["detail"]
        assert "registry.registry_meta" in problem["detail"]
    else:
        assert "ONETHING_GUARDS_REGISTRY_URL" in problem["detail"]
    assert "secret-pw" not in problem["detail"]
    db = Db(db_url)
    try:
        assert db.count(Case) == 0, "a refused submission leaves no case behind"
    finally:
        db.close()


@pytest.mark.postgres
def test_a_registry_database_lost_after_the_guards_opened_refuses_the_next_step(
    db_url: str,
    tmp_path: Path,
    risky_registry: Path,
    flagged: dict[str, dict[str, str]],
    pg_admin_url: str,
    pg_database_factory: Any,
) -> None:
    url = _loaded_database(risky_registry, pg_admin_url, pg_database_factory)
    app = create_app(_app_settings(db_url, tmp_path, risky_registry, url))
    first, second = _clean(risky_registry, flagged)[:2]
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            checked = _claim(client, risky_registry, first)
            assert checked.status_code == 201, checked.text
            admin_url = make_url(pg_admin_url).set(drivername="postgresql")
            with psycopg.connect(
                admin_url.render_as_string(hide_password=False), autocommit=True
            ) as admin:
                admin.execute(
                    sql.SQL("DROP DATABASE {} WITH (FORCE)").format(
                        sql.Identifier(make_url(url).database or "")
                    )
                )
            refused = _claim(client, risky_registry, second)
    finally:
        app.state.engine.dispose()
    assert refused.status_code == 503, refused.text
    assert refused.json()["code"] == "guards.no_registry"
    db = Db(db_url)
    try:
        assert db.count(Case) == 1, "the step refused left no case behind"
    finally:
        db.close()


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("no_server", "unreachable"),
        ("no_database", "unreachable"),
        ("nothing_loaded", "missing"),
        ("loaded", "ok"),
    ],
)
def test_health_says_whether_the_guards_registry_answers(
    where: str,
    expected: str,
    tmp_path: Path,
    risky_registry: Path,
    pg_admin_url: str,
    pg_database_factory: Any,
    sqlite_template: Path,
    request: pytest.FixtureRequest,
) -> None:
    """The readiness probe reports the guards' PostgreSQL registry, so an operator sees
    before a clerk does that guarded steps would be refused."""
    if where == "no_server":
        guards_url = "postgresql://registry:secret-pw@127.0.0.1:1/registry"
    elif where == "no_database":
        guards_url = _database_url(pg_admin_url, "onething_test_never_created")
    elif where == "nothing_loaded":
        guards_url = _database_url(pg_admin_url, pg_database_factory())
    else:
        guards_url = request.getfixturevalue("risky_database")
    database = tmp_path / "app.sqlite3"
    shutil.copyfile(sqlite_template, database)
    settings = _app_settings(f"sqlite:///{database}", tmp_path, risky_registry, guards_url)
    app = create_app(settings)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            body = client.get("/health").json()
    finally:
        app.state.engine.dispose()
    assert body["guards_registry"] == expected
    assert body["registry"] == "ok"
    assert body["status"] == ("ok" if expected == "ok" else "degraded")
