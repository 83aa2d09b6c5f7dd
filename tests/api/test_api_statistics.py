"""GET /api/v1/statistics scoped to the caller, on SQLite and PostgreSQL.

Cases are submitted in two cities (the newborn bundle at home and away, a social security
card at home); what each caller should see is computed from the status trees the
submissions answered (each case's department and region), never from the statistics.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from api_support import (
    Mother,
    act,
    as_applicant,
    as_clerk,
    as_reviewer,
    as_supervisor,
    bearer,
    newborn_body,
    submit_newborn,
)
from fastapi.testclient import TestClient

from onething.cases.actors import region_prefix

AWAY = "371702"
"""菏泽市牡丹区: a county of another city than the mother's."""
PROVINCE = "370000"


def _flatten(tree: dict[str, Any]) -> list[dict[str, Any]]:
    return [tree["case"], *(c for child in tree["children"] for c in _flatten(child))]


def _city(region: str) -> str:
    return region[:4] + "00"


@pytest.fixture
def submitted(client: TestClient, mother: Mother) -> list[dict[str, Any]]:
    """Every case written (bundles, their members, a card), as the submissions answered."""
    assert _city(mother.region) != _city(AWAY)
    me = as_applicant(mother.id)
    home = submit_newborn(client, mother, key="home")
    away = client.post(
        "/api/v1/applications",
        json=newborn_body(mother, region=AWAY),
        headers={**me, "Idempotency-Key": "away"},
    )
    assert away.status_code == 201, away.text
    card = client.post(
        "/api/v1/applications",
        json={
            "service_code": "hrss_social_security_card",
            "applicant": {"kind": "person", "id": mother.id},
            "region": mother.region,
            "channel": "web",
            "form": {"holder.name": mother.name, "holder.id_number": mother.id},
        },
        headers=me,
    )
    assert card.status_code == 201, card.text
    return [*_flatten(home), *_flatten(away.json()), *_flatten(card.json())]


def _stats(client: TestClient, headers: dict[str, str], **params: str) -> dict[str, Any]:
    response = client.get("/api/v1/statistics", params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _expected(
    cases: list[dict[str, Any]], department: str | None, region: str
) -> list[dict[str, Any]]:
    prefix = region_prefix(region)
    return [
        c
        for c in cases
        if (department is None or c["department"] == department) and c["region"].startswith(prefix)
    ]


def _assert_counts(stats: dict[str, Any], cases: list[dict[str, Any]]) -> None:
    assert cases, "a scope that holds no case proves nothing"
    assert stats["total"] == len(cases)
    assert stats["by_kind"] == dict(Counter(c["kind"] for c in cases))
    assert stats["by_state"] == dict(Counter(c["state"] for c in cases))
    assert stats["by_service"] == dict(Counter(c["service_code"] for c in cases))
    assert stats["by_region"] == dict(Counter(c["region"] for c in cases))


def test_staff_see_their_department_in_their_region(
    client: TestClient, mother: Mother, submitted: list[dict[str, Any]]
) -> None:
    hrss = _expected(submitted, "hrss", mother.region)
    assert 0 < len(hrss) < len(submitted)
    _assert_counts(_stats(client, as_clerk("hrss", mother.region)), hrss)
    _assert_counts(_stats(client, as_reviewer("hrss", mother.region)), hrss)
    # a clerk of the city sees the counties below it, still only the department's
    _assert_counts(_stats(client, as_clerk("hrss", _city(mother.region))), hrss)

    other = sorted({c["department"] for c in submitted if c["region"] == AWAY} - {"hrss"})[0]
    away = _expected(submitted, other, AWAY)
    _assert_counts(_stats(client, as_clerk(other, AWAY)), away)
    assert {c["id"] for c in away}.isdisjoint({c["id"] for c in hrss})


def test_supervisors_see_every_department_of_their_region_the_province_all(
    client: TestClient, mother: Mother, submitted: list[dict[str, Any]]
) -> None:
    city = _expected(submitted, None, _city(mother.region))
    assert 0 < len(city) < len(submitted)
    assert len({c["department"] for c in city}) > 1
    _assert_counts(_stats(client, as_supervisor(_city(mother.region))), city)

    province = as_supervisor(PROVINCE)
    _assert_counts(_stats(client, province), submitted)
    # narrowed by the query: a department, a region
    _assert_counts(
        _stats(client, province, department="hrss"), _expected(submitted, "hrss", PROVINCE)
    )
    _assert_counts(_stats(client, province, region=AWAY), _expected(submitted, None, AWAY))
    # a supervisor whose token names a department sees it by default
    hrss_supervisor = bearer(f"dev.supervisor.s-02.hrss.{PROVINCE}")
    _assert_counts(_stats(client, hrss_supervisor), _expected(submitted, "hrss", PROVINCE))


def test_on_time_rates_count_only_the_clocks_in_scope(
    client: TestClient, mother: Mother, submitted: list[dict[str, Any]]
) -> None:
    card = next(
        c
        for c in submitted
        if c["service_code"] == "hrss_social_security_card" and c["parent_id"] is None
    )
    act(client, card["id"], "accept", as_clerk("hrss", mother.region))
    reviewer = as_reviewer("hrss", mother.region)
    act(client, card["id"], "start_review", reviewer)
    act(client, card["id"], "conclude", reviewer, outcome="granted")

    mine = _stats(client, as_clerk("hrss", mother.region))
    assert mine["on_time"]["legal"]["met"] == 1
    away = _stats(client, as_supervisor(AWAY))
    assert away["on_time"] == {}
    other = sorted({c["department"] for c in submitted} - {"hrss"})[0]
    assert _stats(client, as_clerk(other, mother.region))["on_time"] == {}


@pytest.mark.parametrize(
    ("who", "params", "code"),
    [
        ("applicant", {}, "api.permission.statistics"),
        ("clerk", {"department": "health"}, "cases.permission.department"),
        ("clerk", {"region": AWAY}, "cases.permission.region"),
        ("supervisor", {"region": AWAY}, "cases.permission.region"),
    ],
)
def test_out_of_scope_is_refused(
    client: TestClient,
    mother: Mother,
    submitted: list[dict[str, Any]],
    who: str,
    params: dict[str, str],
    code: str,
) -> None:
    headers = {
        "applicant": as_applicant(mother.id),
        "clerk": as_clerk("hrss", mother.region),
        "supervisor": as_supervisor(_city(mother.region)),
    }[who]
    response = client.get("/api/v1/statistics", params=params, headers=headers)
    assert response.status_code == 403, response.text
    assert response.json()["code"] == code
