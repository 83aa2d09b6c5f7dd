"""Each endpoint's refusals: 403 wrong role, department or region; 404; 409 stale version or
idempotency mismatch; 428 no version; 422 bad input — each a problem+json that says why,
and none leaving a trace in the database."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from api_support import (
    Db,
    Mother,
    as_applicant,
    as_clerk,
    as_reviewer,
    as_supervisor,
    children_by_code,
    newborn_body,
    submit_newborn,
    version_of,
)
from fastapi.testclient import TestClient

from onething.kit.ids import make_resident_id
from onething.models.cases import Case

OTHER_COUNTY = "371702"  # 菏泽市牡丹区: a region that does not cover the mother's


def _problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert body["status"] == status
    assert body["detail"]
    return body


def _health_child(client: TestClient, mother: Mother) -> str:
    tree = submit_newborn(client, mother)
    return str(children_by_code(tree)["health_birth_medical_certificate"]["case"]["id"])


def test_wrong_department_region_or_role_is_403(client: TestClient, mother: Mother) -> None:
    case_id = _health_child(client, mother)
    url = f"/api/v1/tasks/{case_id}/accept"
    assert OTHER_COUNTY[:4] != mother.region[:4]
    body = _problem(
        client.post(url, json={"version": 1}, headers=as_clerk("police", mother.region)),
        403,
        "cases.permission.department",
    )
    assert "police" in body["detail"]
    _problem(
        client.post(url, json={"version": 1}, headers=as_clerk("health", OTHER_COUNTY)),
        403,
        "cases.permission.region",
    )
    _problem(
        client.post(url, json={"version": 1}, headers=as_applicant(mother.id)),
        403,
        "cases.permission.role",
    )
    stranger = make_resident_id("370102", date(1990, 1, 1), 11)
    _problem(
        client.get(f"/api/v1/applications/{case_id}", headers=as_applicant(stranger)),
        403,
        "cases.permission.not_applicant",
    )
    _problem(
        client.get(f"/api/v1/applications/{case_id}", headers=as_supervisor(OTHER_COUNTY)),
        403,
        "cases.permission.region",
    )
    # the right clerk may
    assert version_of(client, case_id, as_clerk("health", mother.region)) == 1


def test_reads_and_prefill_of_someone_else_are_403(client: TestClient, mother: Mother) -> None:
    stranger = make_resident_id("370102", date(1990, 1, 1), 11)
    _problem(
        client.get(
            f"/api/v1/services/newborn/eform?applicant={mother.id}",
            headers=as_applicant(stranger),
        ),
        403,
        "api.permission.prefill",
    )
    _problem(
        client.get(f"/api/v1/applications?applicant={mother.id}", headers=as_applicant(stranger)),
        403,
        "cases.permission.not_applicant",
    )
    me = as_applicant(mother.id)
    _problem(client.get("/api/v1/statistics", headers=me), 403, "api.permission.statistics")
    _problem(client.get("/api/v1/tasks", headers=me), 403, "api.permission.queue_role")
    _problem(
        client.get("/api/v1/tasks?department=police", headers=as_clerk("health", mother.region)),
        403,
        "cases.permission.department",
    )
    _problem(
        client.get(
            f"/api/v1/tasks?region={OTHER_COUNTY}", headers=as_clerk("health", mother.region)
        ),
        403,
        "cases.permission.region",
    )


def test_unknown_things_are_404(client: TestClient, mother: Mother) -> None:
    me = as_applicant(mother.id)
    _problem(client.get("/api/v1/applications/no-such-case", headers=me), 404, "cases.not_found")
    _problem(
        client.post(
            "/api/v1/tasks/no-such-case/accept",
            json={"version": 1},
            headers=as_clerk("health", mother.region),
        ),
        404,
        "cases.not_found",
    )
    body = _problem(client.get("/api/v1/services/newbron"), 404, "catalog.not_found.service")
    assert "newborn" in body["detail"]  # the nearest code is suggested
    _problem(
        client.post(
            "/api/v1/applications",
            json=newborn_body(mother, service_code="no_such_service"),
            headers=me,
        ),
        404,
        "catalog.not_found.service",
    )


def test_stale_version_is_409_and_changes_nothing(client: TestClient, mother: Mother) -> None:
    case_id = _health_child(client, mother)
    clerk = as_clerk("health", mother.region)
    seen = version_of(client, case_id, clerk)
    accepted = client.post(f"/api/v1/tasks/{case_id}/accept", json={"version": seen}, headers=clerk)
    assert accepted.status_code == 200
    assert accepted.headers["etag"] == f'"{seen + 1}"'
    # a second clerk acts on what they saw before the first one's step
    stale = client.post(
        f"/api/v1/tasks/{case_id}/request_correction",
        headers={**as_reviewer("health", mother.region), "If-Match": f'"{seen}"'},
        json={"note": "缺少材料"},
    )
    body = _problem(stale, 409, "cases.stale_version")
    assert str(seen) in body["detail"]
    assert version_of(client, case_id, clerk) == seen + 1


def test_version_is_required_and_must_agree(client: TestClient, mother: Mother) -> None:
    case_id = _health_child(client, mother)
    clerk = as_clerk("health", mother.region)
    url = f"/api/v1/tasks/{case_id}/accept"
    _problem(client.post(url, headers=clerk), 428, "api.version.required")
    _problem(
        client.post(url, json={"version": 1}, headers={**clerk, "If-Match": '"2"'}),
        422,
        "api.version.mismatch",
    )
    _problem(
        client.post(url, headers={**clerk, "If-Match": "abc"}), 422, "api.version.bad_if_match"
    )
    ok = client.post(url, headers={**clerk, "If-Match": 'W/"1"'})
    assert ok.status_code == 200, ok.text


@pytest.mark.parametrize(
    ("action", "body", "code"),
    [
        ("refuse", {}, "api.tasks.note_required"),
        ("request_correction", {"note": "  "}, "api.tasks.note_required"),
        ("conclude", {}, "api.tasks.outcome_required"),
        ("extend", {"note": "需现场核验"}, "api.tasks.days_required"),
        ("unknown_action", {}, "error.request_invalid"),
        ("accept", {"version": 1, "surprise": True}, "error.request_invalid"),
    ],
)
def test_steps_without_what_they_need_are_422(
    client: TestClient, mother: Mother, action: str, body: dict[str, Any], code: str
) -> None:
    case_id = _health_child(client, mother)
    response = client.post(
        f"/api/v1/tasks/{case_id}/{action}",
        json=body,
        headers={**as_reviewer("health", mother.region), "If-Match": '"1"'},
    )
    _problem(response, 422, code)


def test_idempotency_key_with_another_body_is_409(
    client: TestClient, mother: Mother, db: Db
) -> None:
    headers = {**as_applicant(mother.id), "Idempotency-Key": "same-key"}
    first = client.post("/api/v1/applications", json=newborn_body(mother), headers=headers)
    assert first.status_code == 201
    changed = newborn_body(mother, channel="web")
    body = _problem(
        client.post("/api/v1/applications", json=changed, headers=headers),
        409,
        "cases.idempotency.mismatch",
    )
    assert "same-key" in body["detail"]
    assert db.count(Case, Case.parent_id.is_(None)) == 1


def test_bad_submissions_are_422_and_write_nothing(
    client: TestClient, mother: Mother, db: Db
) -> None:
    me = as_applicant(mother.id)
    broken_id = mother.id[:-1] + ("0" if mother.id[-1] != "0" else "1")
    for body, code in [
        (newborn_body(mother, applicant={"kind": "person", "id": broken_id}), "id.bad_check_digit"),
        (newborn_body(mother, region="37021"), "error.request_invalid"),
        (
            newborn_body(mother, optional_members=["hrss_social_security_card"]),
            "catalog.optional.unknown",
        ),
    ]:
        response = client.post("/api/v1/applications", json=body, headers=me)
        assert response.status_code == 422, response.text
        assert code in response.text
    assert db.history() == (0, 0, 0)


def test_optional_members_run_only_when_chosen(client: TestClient, mother: Mother) -> None:
    body = newborn_body(mother, optional_members=["mi_maternity_allowance"])
    response = client.post("/api/v1/applications", json=body, headers=as_applicant(mother.id))
    assert response.status_code == 201, response.text
    codes = [c["case"]["service_code"] for c in response.json()["children"]]
    assert "mi_maternity_allowance" in codes
    plain = submit_newborn(client, mother, key="without-optional")
    assert "mi_maternity_allowance" not in children_by_code(plain)
