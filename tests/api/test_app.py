"""The app factory: health, OpenAPI docs, problem+json errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from onething.channels.api import create_app
from onething.config import Settings


@pytest.fixture
def client(db_url: str, tmp_path: Path) -> TestClient:
    settings = Settings(home=tmp_path, database_url=db_url, registry_path=tmp_path / "none")
    return TestClient(create_app(settings), raise_server_exceptions=False)


def test_health_reports_database_and_missing_registry(client: TestClient, db_url: str) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["database_backend"] == ("sqlite" if db_url.startswith("sqlite") else "postgresql")
    assert body["registry"] == "missing"
    assert body["guards_registry"] == "not_configured"
    assert body["status"] == "degraded"
    assert response.headers["x-request-id"]


def test_openapi_documents_the_endpoints(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/health", "/api/v1/registry/summary"} <= set(spec["paths"])
    assert client.get("/docs").status_code == 200


def test_unknown_route_is_a_problem_in_chinese_by_default(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 404
    assert body["title"] == "未找到"
    assert "/api/v1/nothing-here" in body["detail"]
    assert body["instance"] == "/api/v1/nothing-here"


def test_problem_speaks_english_when_asked(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here", headers={"Accept-Language": "en-US,en;q=0.8"})
    assert response.json()["title"] == "Not found"


def test_registry_summary_without_registry_says_how_to_build_one(client: TestClient) -> None:
    response = client.get("/api/v1/registry/summary")
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "registry.not_built"
    assert "onething registry generate" in body["detail"]
