"""The development token: who is calling, and 401 problem+json when nobody usable is."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_support import Mother, as_applicant, bearer
from fastapi.testclient import TestClient

from onething.cases.actors import Actor
from onething.channels.api import create_app
from onething.channels.api.auth import parse_dev_token
from onething.channels.api.errors import NotAuthenticated
from onething.config import Settings


@pytest.mark.parametrize(
    ("token", "actor"),
    [
        ("dev.applicant.37010219920517002x", Actor("applicant", "37010219920517002X")),
        ("dev.clerk.c-01.health.370102", Actor("clerk", "c-01", "health", "370102")),
        ("dev.reviewer.r_7.police.370100", Actor("reviewer", "r_7", "police", "370100")),
        ("dev.supervisor.s-01.-.370000", Actor("supervisor", "s-01", None, "370000")),
    ],
)
def test_tokens_name_the_actor(token: str, actor: Actor) -> None:
    assert parse_dev_token(token) == actor


@pytest.mark.parametrize(
    ("token", "key"),
    [
        ("applicant.370102", "api.auth.malformed"),
        ("dev.applicant", "api.auth.malformed"),
        ("dev.clerk.c.health.370102.extra", "api.auth.malformed"),
        ("dev.system.engine", "api.auth.bad_role"),
        ("dev.applicant.a b", "api.auth.bad_person"),
        ("dev.clerk.c-01.Health.370102", "api.auth.bad_department"),
        ("dev.clerk.c-01.health.999999", "api.auth.bad_region"),
        ("dev.clerk.c-01.health", "api.auth.staff_scope"),
        ("dev.reviewer.r-01", "api.auth.staff_scope"),
        ("dev.supervisor.s-01", "api.auth.supervisor_scope"),
    ],
)
def test_bad_tokens_say_what_is_wrong(token: str, key: str) -> None:
    with pytest.raises(NotAuthenticated) as caught:
        parse_dev_token(token)
    assert caught.value.key == key
    assert caught.value.status == 401


def test_missing_or_bad_token_is_401_problem_with_the_scheme(
    client: TestClient, mother: Mother
) -> None:
    for headers, key in [
        ({}, "api.auth.missing"),
        ({"Authorization": f"Basic {mother.id}"}, "api.auth.missing"),
        (bearer("dev.nobody.x"), "api.auth.bad_role"),
    ]:
        response = client.get("/api/v1/applications", headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.headers["www-authenticate"].startswith("Bearer")
        body = response.json()
        assert body["code"] == key
        assert body["title"] == "未通过身份认证"


def test_dev_tokens_can_be_turned_off(settings: Settings, mother: Mother) -> None:
    app = create_app(settings.model_copy(update={"dev_tokens": False}))
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/v1/applications", headers=as_applicant(mother.id))
    app.state.engine.dispose()
    assert response.status_code == 401
    assert response.json()["code"] == "api.auth.disabled"


@pytest.fixture
def english(client: TestClient) -> Iterator[TestClient]:
    client.headers["Accept-Language"] = "en"
    yield client
    del client.headers["Accept-Language"]


def test_problems_speak_english_when_asked(english: TestClient) -> None:
    body = english.get("/api/v1/statistics").json()
    assert body["title"] == "Not authenticated"
    assert "Authorization: Bearer dev.<role>" in body["detail"]
