"""A submission with ``Prefer: return=minimal`` (RFC 7240) answers with a receipt — the case
and its children's ids and states — instead of the status tree, on SQLite and PostgreSQL;
the tree stays one GET away (``Location``) and says the same."""

from __future__ import annotations

import pytest
from api_support import Db, Mother, as_applicant, newborn_body
from fastapi.testclient import TestClient

from onething.channels.api.routers.applications import prefers_minimal
from onething.models.cases import Case


@pytest.mark.parametrize(
    ("header", "minimal"),
    [
        ("return=minimal", True),
        ("Return=Minimal", True),
        ("respond-async, return=minimal; foo=bar", True),
        ("return=representation", False),
        ("respond-async", False),
        (None, False),
    ],
)
def test_the_prefer_header_is_read_as_rfc_7240_says(header: str | None, minimal: bool) -> None:
    assert prefers_minimal(header) is minimal


def test_a_minimal_submission_answers_with_a_receipt(
    client: TestClient, mother: Mother, db: Db
) -> None:
    me = as_applicant(mother.id)
    headers = {**me, "Idempotency-Key": "receipt-1", "Prefer": "return=minimal"}
    body = newborn_body(mother)
    first = client.post("/api/v1/applications", json=body, headers=headers)
    assert first.status_code == 201, first.text
    assert first.headers["preference-applied"] == "return=minimal"
    receipt = first.json()
    assert set(receipt) == {"id", "kind", "service_code", "state", "version", "children"}
    assert (receipt["kind"], receipt["service_code"], receipt["version"]) == (
        "bundle",
        "newborn",
        1,
    )
    assert first.headers["etag"] == '"1"'
    assert first.headers["location"] == f"/api/v1/applications/{receipt['id']}"

    tree = client.get(first.headers["location"], headers=me).json()
    assert receipt["state"] == tree["case"]["state"]
    assert receipt["children"] == [
        {
            "id": child["case"]["id"],
            "service_code": child["case"]["service_code"],
            "state": child["case"]["state"],
        }
        for child in tree["children"]
    ]
    states = {child["state"] for child in receipt["children"]}
    assert states == {"submitted", "waiting"}

    retry = client.post("/api/v1/applications", json=body, headers=headers)
    assert retry.status_code == 200, retry.text
    assert retry.json() == receipt  # read back, the same
    full = client.post("/api/v1/applications", json=body, headers={**headers, "Prefer": ""})
    assert full.status_code == 200
    assert "preference-applied" not in full.headers
    assert full.json() == tree
    assert db.count(Case, Case.parent_id.is_(None)) == 1
