"""The clerk's side: the queue, extensions, counter submissions (代办), the unified case
query, statistics, and a bad rating opening a rectification."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from api_support import (
    Mother,
    act,
    as_applicant,
    as_clerk,
    as_reviewer,
    as_supervisor,
    children_by_code,
    submit_newborn,
)
from fastapi.testclient import TestClient

from onething.cases import Actor, CaseSnapshot, Finding, Transition
from onething.channels.api import create_app
from onething.config import Settings
from onething.kit.calendar import WorkingCalendar, to_shanghai
from onething.kit.ids import mask_resident_id


def _card_request(mother: Mother, channel: str = "counter") -> dict[str, Any]:
    return {
        "service_code": "hrss_social_security_card",
        "applicant": {"kind": "person", "id": mother.id},
        "region": mother.region,
        "channel": channel,
        "form": {"holder.name": mother.name, "holder.id_number": mother.id},
    }


def test_a_clerk_submits_at_the_counter_for_the_applicant(
    client: TestClient, mother: Mother
) -> None:
    clerk = as_clerk("gov_service_office", mother.region)
    response = client.post("/api/v1/applications", json=_card_request(mother), headers=clerk)
    assert response.status_code == 201, response.text
    case = response.json()["case"]
    assert case["channel"] == "counter"
    assert case["assisted_by"] == "gov_service_office-c-01"
    assert case["applicant_id"] == mother.id
    assert case["department"] == "hrss"
    # the applicant finds it among her cases (unified query), the clerk of the region too
    mine = client.get("/api/v1/applications", headers=as_applicant(mother.id)).json()
    assert [c["id"] for c in mine] == [case["id"]]
    theirs = client.get(f"/api/v1/applications?applicant={mother.id}", headers=clerk).json()
    assert [c["id"] for c in theirs] == [case["id"]]
    elsewhere = client.get(
        f"/api/v1/applications?applicant={mother.id}",
        headers=as_clerk("gov_service_office", "371702"),
    ).json()
    assert elsewhere == []
    missing = client.get("/api/v1/applications", headers=clerk)
    assert missing.status_code == 422
    assert missing.json()["code"] == "api.applications.applicant_required"


def test_the_queue_is_the_departments_in_the_region(client: TestClient, mother: Mother) -> None:
    tree = submit_newborn(client, mother)
    children = {code: c["case"]["id"] for code, c in children_by_code(tree).items()}
    queue = client.get("/api/v1/tasks", headers=as_clerk("health", mother.region)).json()
    assert [item["id"] for item in queue] == [children["health_birth_medical_certificate"]]
    item = queue[0]
    assert item["version"] == 1
    assert item["applicant_id"] == mask_resident_id(mother.id) != mother.id
    city = mother.region[:4] + "00"
    from_city = client.get("/api/v1/tasks?department=health", headers=as_supervisor(city)).json()
    assert [i["id"] for i in from_city] == [item["id"]]
    no_department = client.get("/api/v1/tasks", headers=as_supervisor(city))
    assert no_department.status_code == 422
    only_accepted = client.get(
        "/api/v1/tasks?state=accepted", headers=as_clerk("health", mother.region)
    ).json()
    assert only_accepted == []


def test_an_extension_moves_the_due_time_with_its_reason(
    client: TestClient, mother: Mother
) -> None:
    created = client.post(
        "/api/v1/applications", json=_card_request(mother, "web"), headers=as_applicant(mother.id)
    )
    case_id = created.json()["case"]["id"]
    accepted = act(client, case_id, "accept", as_clerk("hrss", mother.region))
    legal = next(c for c in accepted["clocks"] if c["name"] == "legal")
    extended = act(
        client, case_id, "extend", as_reviewer("hrss", mother.region), days=5, note="需调取档案"
    )
    after = next(c for c in extended["clocks"] if c["name"] == "legal")
    calendar = WorkingCalendar()
    started = to_shanghai(datetime.fromisoformat(legal["started_at"]))
    assert after["extended"] == 5
    assert after["due_date"] == calendar.add_working_days(started, 20 + 5).due.isoformat()
    assert any("需调取档案" in line for line in after["explanation"])
    assert extended["events"][-1]["action"] == "extend_clock"


def test_statistics_count_cases_and_the_on_time_rate(client: TestClient, mother: Mother) -> None:
    me = as_applicant(mother.id)
    ids = []
    for n in range(2):
        response = client.post(
            "/api/v1/applications",
            json=_card_request(mother, "web"),
            headers={**me, "Idempotency-Key": f"card-{n}"},
        )
        ids.append(response.json()["case"]["id"])
    hrss = as_clerk("hrss", mother.region)
    act(client, ids[0], "accept", hrss)
    act(client, ids[0], "start_review", as_reviewer("hrss", mother.region))
    act(client, ids[0], "conclude", as_reviewer("hrss", mother.region), outcome="granted")
    act(client, ids[1], "refuse", hrss, note="材料不齐")
    stats = client.get("/api/v1/statistics", headers=as_supervisor(mother.region)).json()
    assert stats["total"] == 2
    assert stats["by_state"] == {"concluded": 1, "refused": 1}
    assert stats["by_service"] == {"hrss_social_security_card": 2}
    assert stats["by_region"] == {mother.region: 2}
    # accepted and concluded at once: both the legal and the promised term were met
    assert Decimal(stats["on_time"]["promised"]["rate"]) == Decimal(1)
    assert stats["on_time"]["legal"]["met"] == 1


def test_a_bad_rating_opens_a_rectification(client: TestClient, mother: Mother) -> None:
    me = as_applicant(mother.id)
    created = client.post("/api/v1/applications", json=_card_request(mother, "web"), headers=me)
    case_id = created.json()["case"]["id"]
    early = client.post(f"/api/v1/applications/{case_id}/evaluation", json={"level": 1}, headers=me)
    assert early.status_code == 409  # not concluded yet
    for action, who in [
        ("accept", as_clerk("hrss", mother.region)),
        ("start_review", as_reviewer("hrss", mother.region)),
    ]:
        act(client, case_id, action, who)
    act(client, case_id, "conclude", as_reviewer("hrss", mother.region), outcome="denied")
    invalid = client.post(
        f"/api/v1/applications/{case_id}/evaluation", json={"level": 6}, headers=me
    )
    assert invalid.status_code == 422
    rated = client.post(
        f"/api/v1/applications/{case_id}/evaluation",
        json={"level": 2, "comment": "等了很久"},
        headers=me,
    )
    assert rated.status_code == 201, rated.text
    rectification = rated.json()["rectification_id"]
    assert rectification
    tree = client.get(
        f"/api/v1/applications/{rectification}", headers=as_supervisor(mother.region)
    ).json()
    assert tree["case"]["kind"] == "rectification"
    assert tree["case"]["origin_id"] == case_id
    assert tree["clocks"][0]["amount"] == 5
    twice = client.post(f"/api/v1/applications/{case_id}/evaluation", json={"level": 5}, headers=me)
    assert twice.status_code == 409
    assert twice.json()["code"] == "cases.evaluation.exists"


def test_guards_given_to_the_app_refuse_steps_with_their_explanation(
    settings: Settings, mother: Mother
) -> None:
    def out_of_card_stock(
        case: CaseSnapshot, transition: Transition, actor: Actor
    ) -> list[Finding]:
        if transition.action != "accept" or case.service_code != "hrss_social_security_card":
            return []
        why = {"rule": "card_stock", "values": {"stock": 0}, "basis": "制卡库存规则"}
        return [Finding("block", "card_stock", "制卡库存不足，暂不能受理", why)]

    app = create_app(settings, guards=(out_of_card_stock,))
    with TestClient(app, raise_server_exceptions=False) as client:
        created = client.post(
            "/api/v1/applications",
            json=_card_request(mother, "web"),
            headers=as_applicant(mother.id),
        )
        case_id = created.json()["case"]["id"]
        response = client.post(
            f"/api/v1/tasks/{case_id}/accept",
            json={"version": 1},
            headers=as_clerk("hrss", mother.region),
        )
        after = client.get(f"/api/v1/applications/{case_id}", headers=as_applicant(mother.id))
    app.state.engine.dispose()
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "cases.guard.blocked"
    assert "制卡库存不足" in body["detail"]
    assert body["errors"][0]["explanation"]["basis"] == "制卡库存规则"
    assert after.json()["case"]["state"] == "submitted"
