"""The service catalog over HTTP: lists and filters, details, the one form, the OpenAPI."""

from __future__ import annotations

from typing import Any

import pytest
from api_support import Mother, as_applicant, as_clerk
from fastapi.testclient import TestClient

from onething.catalog.loader import load_catalog
from onething.catalog.models import Catalog


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def _codes(client: TestClient, query: str = "") -> list[str]:
    response = client.get(f"/api/v1/services{query}")
    assert response.status_code == 200, response.text
    return [row["code"] for row in response.json()]


def test_services_are_listed_bundles_first(client: TestClient, catalog: Catalog) -> None:
    codes = _codes(client)
    assert codes == [b.code for b in catalog.bundles] + [m.code for m in catalog.matters]
    assert _codes(client, "?kind=bundle") == [b.code for b in catalog.bundles]


def test_filters_by_department_kind_and_channel(client: TestClient, catalog: Catalog) -> None:
    police = _codes(client, "?department=police&kind=matter")
    assert police == [m.code for m in catalog.matters if m.department == "police"]
    with_police = _codes(client, "?department=police&kind=bundle")
    assert "newborn" in with_police  # the household registration takes part
    online = client.get("/api/v1/services?fully_online=true&kind=matter").json()
    assert [r["code"] for r in online] == [
        m.code for m in catalog.matters if m.channels.fully_online
    ]
    instant = _codes(client, "?instant=true&cross_region=true&kind=matter")
    assert instant == [
        m.code for m in catalog.matters if m.channels.instant and m.channels.cross_region
    ]
    assert _codes(client, "?name=出生") == [
        s.code for s in [*catalog.bundles, *catalog.matters] if "出生" in s.name
    ]
    bad = client.get("/api/v1/services?kind=thing")
    assert bad.status_code == 422


def test_a_bundles_channel_flags_hold_for_every_required_member(
    client: TestClient, catalog: Catalog
) -> None:
    rows = {r["code"]: r for r in client.get("/api/v1/services?kind=bundle").json()}
    for bundle in catalog.bundles:
        required = [catalog.matter(m.matter) for m in bundle.members if not m.optional]
        row = rows[bundle.code]
        assert row["channels"]["fully_online"] == all(m.channels.fully_online for m in required)
        assert row["optional_members"] == [m.matter for m in bundle.members if m.optional]
        assert row["legal_limit_days"] is None


def test_details_of_a_matter_and_a_bundle(client: TestClient, catalog: Catalog) -> None:
    matter = client.get("/api/v1/services/police_birth_registration").json()
    assert matter["kind"] == "matter"
    assert matter["department"]["code"] == "police"
    assert {"code": "newborn", "name": catalog.bundle("newborn").name} in matter["bundles"]
    assert matter["prefill_sources"]["household.address"]["data_catalog"] == "dc_households"
    bundle = client.get("/api/v1/services/newborn").json()
    assert bundle["kind"] == "bundle"
    assert [m["matter"] for m in bundle["members"]] == catalog.bundle("newborn").matter_codes
    assert bundle["layers"][0] == [
        "health_birth_medical_certificate",
        "cdc_vaccination_certificate",
    ]


def test_the_form_without_an_applicant_is_public(client: TestClient) -> None:
    response = client.get("/api/v1/services/newborn/eform")
    assert response.status_code == 200
    form = response.json()
    assert form["applicant"] is None
    assert all("default" not in p for p in form["json_schema"]["properties"].values())
    assert {m["status"] for m in form["materials"]} <= {"produced_in_bundle", "to_upload"}


def test_the_form_for_a_clerk_at_the_counter(client: TestClient, mother: Mother) -> None:
    response = client.get(
        f"/api/v1/services/hrss_social_security_card/eform?applicant={mother.id}",
        headers=as_clerk("hrss", mother.region),
    )
    assert response.status_code == 200, response.text
    form: dict[str, Any] = response.json()
    properties = form["json_schema"]["properties"]
    assert properties["holder.name"]["default"] == mother.name
    assert properties["holder.mobile"]["default"] == mother.mobile
    assert form["applicant"]["sources"]["person.name"] == "dc_persons"
    identity = next(m for m in form["materials"] if m["code"] == "holder_identity")
    assert identity["status"] == "satisfied_by_license"


def test_the_form_chooses_optional_members(client: TestClient, mother: Mother) -> None:
    url = f"/api/v1/services/newborn/eform?applicant={mother.id}"
    me = as_applicant(mother.id)
    every = client.get(url, headers=me).json()
    none = client.get(url + "&include_optional=", headers=me).json()
    assert "mi_maternity_allowance" in every["members"]
    assert "mother.bank_account" in every["json_schema"]["properties"]
    assert "mother.bank_account" not in every["json_schema"]["required"]
    chosen = client.get(url + "&include_optional=mi_maternity_allowance", headers=me).json()
    assert "mother.bank_account" in chosen["json_schema"]["required"]
    assert "mi_maternity_allowance" not in none["members"]  # chosen: none
    assert "mother.bank_account" not in none["json_schema"]["properties"]
    wrong = client.get(url + "&include_optional=police_birth_registration", headers=me)
    assert wrong.status_code == 422
    assert wrong.json()["code"] == "catalog.optional.unknown"


def test_form_errors(client: TestClient, mother: Mother) -> None:
    me = as_applicant(mother.id)
    missing = client.get("/api/v1/services/nothing/eform")
    assert missing.status_code == 404
    broken = mother.id[:-1] + ("0" if mother.id[-1] != "0" else "1")
    bad = client.get(f"/api/v1/services/newborn/eform?applicant={broken}", headers=me)
    assert bad.status_code == 422
    assert bad.json()["code"].startswith("id.")


def test_openapi_documents_the_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    expected = {
        "/api/v1/services": ["get"],
        "/api/v1/services/{code}": ["get"],
        "/api/v1/services/{code}/eform": ["get"],
        "/api/v1/applications": ["get", "post"],
        "/api/v1/applications/{case_id}": ["get"],
        "/api/v1/applications/{case_id}/materials": ["post"],
        "/api/v1/applications/{case_id}/materials/{material_id}": ["get"],
        "/api/v1/applications/{case_id}/evaluation": ["post"],
        "/api/v1/tasks": ["get"],
        "/api/v1/tasks/{case_id}/{action}": ["post"],
        "/api/v1/statistics": ["get"],
    }
    for path, methods in expected.items():
        assert sorted(paths[path]) == sorted(methods), path
    scheme = spec["components"]["securitySchemes"]["devToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert "dev.<role>.<person>" in scheme["bearerFormat"]
    submit = paths["/api/v1/applications"]["post"]
    assert submit["security"] == [{"devToken": []}]
    assert {"201", "200", "401", "409", "422"} <= set(submit["responses"])
    assert "application/problem+json" in submit["responses"]["409"]["content"]
    body = submit["requestBody"]["content"]["application/json"]
    assert "newborn" in body["examples"]
    headers = {p["name"] for p in submit["parameters"] if p["in"] == "header"}
    assert "idempotency-key" in headers
    action = paths["/api/v1/tasks/{case_id}/{action}"]["post"]
    assert "428" in action["responses"]
    assert submit["summary"] == "一次提交申请"
