"""The 新生儿出生 bundle of the shipped catalog, end to end through HTTP, on SQLite and
PostgreSQL: a real mother from the generated registry; the form pre-filled and her
e-licenses satisfying materials; one submission (retried once); the children in dependency
order with data flowing (the birth certificate number issued by the first child is an input
of the household registration); a correction pausing the clock; the parent concluding with
exactly one notice; the evaluation recorded.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from api_support import (
    Db,
    Mother,
    act,
    as_applicant,
    as_clerk,
    as_reviewer,
    children_by_code,
    newborn_body,
    tiny_png,
)
from fastapi.testclient import TestClient
from sqlalchemy import select

from onething.catalog.loader import load_catalog
from onething.kit.ids import make_resident_id
from onething.models.audit import AuditEvent
from onething.models.cases import Case, CaseEvent, OutboxMessage

BIRTH_CERTIFICATE_NO = "P370214250620001"
NEWBORN_ID = make_resident_id("370214", date(2025, 6, 20), 62)


def _walk(client: TestClient, case_id: str, department: str, region: str, outputs: dict) -> None:
    act(client, case_id, "accept", as_clerk(department, region))
    act(client, case_id, "start_review", as_reviewer(department, region))
    act(
        client,
        case_id,
        "conclude",
        as_reviewer(department, region),
        outcome="granted",
        outputs=outputs,
    )


def _child(client: TestClient, mother: Mother, case_id: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/applications/{case_id}", headers=as_applicant(mother.id))
    assert response.status_code == 200, response.text
    child: dict[str, Any] = response.json()
    return child


def _queue(client: TestClient, department: str, region: str) -> list[str]:
    response = client.get("/api/v1/tasks", headers=as_clerk(department, region))
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()]


def test_newborn_bundle_through_the_api(client: TestClient, mother: Mother, db: Db) -> None:
    me = as_applicant(mother.id)
    region = mother.region

    # -- the one form, pre-filled from the registry; licenses satisfy materials ------------
    response = client.get(f"/api/v1/services/newborn/eform?applicant={mother.id}", headers=me)
    assert response.status_code == 200, response.text
    form = response.json()
    defaults = {k: p.get("default") for k, p in form["json_schema"]["properties"].items()}
    assert defaults["mother.name"] == mother.name
    assert defaults["mother.id_number"] == mother.id
    assert defaults["mother.mobile"] == mother.mobile
    assert defaults["household.address"] == mother.address
    assert defaults["household.head_id_number"] == mother.id  # she heads her household
    assert form["applicant"]["licenses"] == list(mother.licenses)
    materials = {m["code"]: m for m in form["materials"]}
    catalog = load_catalog()
    for code, material in materials.items():
        if material["status"] == "produced_in_bundle":
            continue  # the birth medical certificate comes from the first child
        held = [t for t in material["licenses"] if t in mother.licenses]
        expected = "satisfied_by_license" if held else "to_upload"
        assert material["status"] == expected, code
    assert materials["marriage_certificate"]["license"] == "marriage_certificate"
    assert materials["birth_medical_certificate"]["produced_by"] == (
        "health_birth_medical_certificate"
    )
    to_upload = [c for c, m in materials.items() if m["status"] == "to_upload"]
    assert to_upload == ["photo"]  # the only material she still brings
    assert "newborn.birth_certificate_number" not in form["json_schema"]["properties"]

    # -- one submission (a retry returns the same case) -------------------------------------
    body = newborn_body(mother)
    body["form"].update({k: v for k, v in defaults.items() if v is not None})
    headers = {**me, "Idempotency-Key": "walk-1"}
    first = client.post("/api/v1/applications", json=body, headers=headers)
    assert first.status_code == 201, first.text
    retry = client.post("/api/v1/applications", json=body, headers=headers)
    assert retry.status_code == 200
    tree = first.json()
    parent_id = tree["case"]["id"]
    # the first answer is built from what was written, the retry's is read back: the same
    assert retry.json() == tree
    assert retry.headers["etag"] == first.headers["etag"] == '"1"'
    assert first.headers["location"] == f"/api/v1/applications/{parent_id}"
    assert tree["case"]["kind"] == "bundle"
    assert tree["case"]["channel"] == "mobile"
    assert tree["case"]["assisted_by"] is None
    bundle = catalog.bundle("newborn")
    required = [m.matter for m in bundle.members if not m.optional]
    assert [c["case"]["service_code"] for c in tree["children"]] == required
    states = {c["case"]["service_code"]: c["case"]["state"] for c in tree["children"]}
    assert states == {
        "health_birth_medical_certificate": "submitted",
        "cdc_vaccination_certificate": "submitted",
        "police_birth_registration": "waiting",
        "mi_resident_enrolment": "waiting",
        "hrss_social_security_card": "waiting",
    }
    children = {code: c["case"]["id"] for code, c in children_by_code(tree).items()}
    with db.session() as session:
        assert session.scalar(select(Case.id).where(Case.parent_id.is_(None))) == parent_id

    # -- the one material left: the photo, uploaded once to the bundle ----------------------
    photo = client.post(
        f"/api/v1/applications/{parent_id}/materials",
        data={"material": "photo"},
        files={"file": ("photo.png", tiny_png(), "image/png")},
        headers=me,
    )
    assert photo.status_code == 201, photo.text
    assert photo.json()["media_type"] == "image/png"

    # -- the police child waits for the birth certificate ----------------------------------
    police = children["police_birth_registration"]
    assert police not in _queue(client, "police", region)
    blocked = client.post(
        f"/api/v1/tasks/{police}/accept",
        json={"version": 1},
        headers=as_clerk("police", region),
    )
    assert blocked.status_code == 409
    assert blocked.json()["code"] == "cases.transition.not_allowed"

    _walk(client, children["cdc_vaccination_certificate"], "cdc", region, {})
    assert _child(client, mother, parent_id)["case"]["state"] == "in_progress"
    _walk(
        client,
        children["health_birth_medical_certificate"],
        "health",
        region,
        {"newborn.birth_certificate_number": BIRTH_CERTIFICATE_NO},
    )

    # -- the certificate number flowed into the household registration ---------------------
    released = _child(client, mother, police)
    assert released["case"]["state"] == "submitted"
    assert released["case"]["data"]["inputs"] == {
        "newborn.birth_certificate_number": BIRTH_CERTIFICATE_NO
    }
    assert police in _queue(client, "police", region)

    # -- a correction pauses the clocks, visibly -------------------------------------------
    act(client, police, "accept", as_clerk("police", region))
    act(client, police, "start_review", as_reviewer("police", region))
    act(
        client, police, "request_correction", as_reviewer("police", region), note="缺少父亲身份证明"
    )
    paused = _child(client, mother, police)
    assert paused["case"]["state"] == "correction"
    clocks = {c["name"]: c for c in paused["clocks"]}
    assert {clocks["legal"]["status"], clocks["promised"]["status"]} == {"paused"}
    assert clocks["promised"]["paused_since"] is not None
    assert any("缺少父亲身份证明" in line for line in clocks["promised"]["explanation"])
    act(client, police, "resubmit", me, form={"father.id_number": mother.id})
    resumed = _child(client, mother, police)
    assert resumed["case"]["state"] == "under_review"  # back where the correction found it
    assert {c["status"] for c in resumed["clocks"]} == {"running"}
    assert resumed["case"]["data"]["form"]["father.id_number"] == mother.id
    act(
        client,
        police,
        "conclude",
        as_reviewer("police", region),
        outcome="granted",
        outputs={"newborn.id_number": NEWBORN_ID},
    )

    # -- the newborn's ID number flows on to medical insurance and the card ----------------
    enrolment = _child(client, mother, children["mi_resident_enrolment"])
    assert enrolment["case"]["data"]["inputs"] == {"insured.id_number": NEWBORN_ID}
    _walk(client, children["mi_resident_enrolment"], "medical_insurance", region, {})
    card = _child(client, mother, children["hrss_social_security_card"])
    assert card["case"]["data"]["inputs"] == {"holder.id_number": NEWBORN_ID}
    assert card["case"]["state"] == "submitted"
    _walk(client, children["hrss_social_security_card"], "hrss", region, {})

    # -- the parent concludes; exactly one notice ------------------------------------------
    done = _child(client, mother, parent_id)
    assert (done["case"]["state"], done["case"]["outcome"]) == ("concluded", "granted")
    assert {c["case"]["state"] for c in done["children"]} == {"concluded"}
    assert done["clocks"][0]["status"] == "met"
    with db.session() as session:
        notices = session.scalars(select(OutboxMessage)).all()
        assert [(n.case_id, n.recipient) for n in notices] == [(parent_id, f"person:{mother.id}")]
        members = notices[0].payload["members"]
        assert [m["service_code"] for m in members] == required
    act(client, parent_id, "deliver", as_clerk("health", region))

    # -- 好差评 ----------------------------------------------------------------------------
    rated = client.post(
        f"/api/v1/applications/{parent_id}/evaluation",
        json={"level": 5, "comment": "一次办好", "channel": "mobile"},
        headers=me,
    )
    assert rated.status_code == 201, rated.text
    assert rated.json()["rectification_id"] is None
    final = _child(client, mother, parent_id)
    assert final["case"]["state"] == "delivered"
    assert final["evaluation"]["level"] == 5
    assert [m["material_code"] for m in final["materials"]] == ["photo"]

    # -- every write is in the history, each event with its audit row ----------------------
    with db.session() as session:
        events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == parent_id)).all()
        actions = [e.action for e in sorted(events, key=lambda e: e.seq)]
        assert actions[:2] == ["submit", "attach_material"]
        assert actions[-3:] == ["conclude", "deliver", "evaluate"]
        audited = {(a.entity_id, a.action) for a in session.scalars(select(AuditEvent))}
        everything = session.scalars(select(CaseEvent)).all()
        assert {(e.case_id, f"cases.{e.action}") for e in everything} <= audited
        assert (mother.id, "registry.prefill") in audited
