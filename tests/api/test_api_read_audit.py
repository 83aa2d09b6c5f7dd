"""Reads of personal data are audited: GET /api/v1/applications/{id} and
GET /api/v1/applications?applicant= each write one ``case.read`` row naming the reader,
the cases read and the request, on SQLite and PostgreSQL; a refused read writes none."""

from __future__ import annotations

from datetime import date
from typing import Any

from api_support import Db, Mother, as_applicant, as_clerk, submit_newborn
from fastapi.testclient import TestClient
from sqlalchemy import select

from onething.kit.ids import make_resident_id
from onething.models.audit import AuditEvent


def _reads(db: Db) -> list[AuditEvent]:
    with db.session() as session:
        return list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.action == "case.read").order_by(AuditEvent.id)
            )
        )


def _ids(tree: dict[str, Any]) -> list[str]:
    return [tree["case"]["id"], *(i for child in tree["children"] for i in _ids(child))]


def test_reading_a_status_tree_is_audited_once_with_every_case_read(
    client: TestClient, mother: Mother, db: Db
) -> None:
    tree = submit_newborn(client, mother)
    parent = tree["case"]["id"]
    assert len(_ids(tree)) > 1, "a bundle: the parent and its members are read at once"
    assert _reads(db) == [], "a submission is not a read"

    mine = client.get(f"/api/v1/applications/{parent}", headers=as_applicant(mother.id))
    clerk = as_clerk("hrss", mother.region)
    theirs = client.get(
        f"/api/v1/applications/{parent}", headers={**clerk, "X-Request-ID": "trace-42"}
    )
    assert mine.status_code == theirs.status_code == 200

    first, second = _reads(db)
    assert first.actor == f"applicant:{mother.id}"
    assert (first.entity_type, first.entity_id) == ("case", parent)
    assert first.after == {"case_ids": _ids(mine.json())}
    assert sorted(first.after["case_ids"]) == sorted(_ids(tree))
    assert first.request_id == mine.headers["x-request-id"]
    assert second.actor == f"clerk:hrss-c-01@hrss/{mother.region}"
    assert second.request_id == "trace-42"
    assert second.after == {"case_ids": _ids(theirs.json())}


def test_reading_an_applicants_cases_is_audited_with_their_ids(
    client: TestClient, mother: Mother, db: Db
) -> None:
    first = submit_newborn(client, mother, key="first")["case"]["id"]
    second = submit_newborn(client, mother, key="second")["case"]["id"]
    clerk = as_clerk("gov_service_office", mother.region)

    listed = client.get("/api/v1/applications", params={"applicant": mother.id}, headers=clerk)

    assert listed.status_code == 200, listed.text
    assert sorted(c["id"] for c in listed.json()) == sorted([first, second])
    (row,) = _reads(db)
    assert row.actor == f"clerk:gov_service_office-c-01@gov_service_office/{mother.region}"
    assert (row.entity_type, row.entity_id) == ("person", mother.id)
    assert row.after == {"case_ids": [c["id"] for c in listed.json()]}
    assert row.request_id == listed.headers["x-request-id"]

    # the applicant's own list (no cases elsewhere: an empty read is still a read)
    mine = client.get("/api/v1/applications", headers=as_applicant(mother.id))
    assert len(mine.json()) == 2
    away = client.get(
        "/api/v1/applications",
        params={"applicant": mother.id},
        headers=as_clerk("gov_service_office", "371702"),
    )
    assert away.json() == []
    _, own, elsewhere = _reads(db)
    assert own.actor == f"applicant:{mother.id}"
    assert sorted(own.after["case_ids"]) == sorted([first, second])
    assert elsewhere.after == {"case_ids": []}


def test_a_refused_read_is_not_audited(client: TestClient, mother: Mother, db: Db) -> None:
    parent = submit_newborn(client, mother)["case"]["id"]
    stranger = make_resident_id("370102", date(1990, 1, 1), 777)
    assert stranger != mother.id
    refused = [
        client.get(f"/api/v1/applications/{parent}", headers=as_applicant(stranger)),
        client.get(f"/api/v1/applications/{parent}", headers=as_clerk("hrss", "371702")),
        client.get("/api/v1/applications/no-such-case", headers=as_applicant(mother.id)),
        client.get(
            "/api/v1/applications", params={"applicant": mother.id}, headers=as_applicant(stranger)
        ),
    ]
    assert [r.status_code for r in refused] == [403, 403, 404, 403]
    assert _reads(db) == []


def test_an_unusable_request_id_is_replaced_not_stored(
    client: TestClient, mother: Mother, db: Db
) -> None:
    parent = submit_newborn(client, mother)["case"]["id"]
    response = client.get(
        f"/api/v1/applications/{parent}",
        headers={**as_applicant(mother.id), "X-Request-ID": "x" * 65},
    )
    assert response.status_code == 200, response.text
    given = response.headers["x-request-id"]
    assert given != "x" * 65
    assert len(given) == 32
    (row,) = _reads(db)
    assert row.request_id == given
