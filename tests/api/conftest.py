"""Fixtures of the API tests: a generated registry (once per session), its mother, and an
app per test on SQLite and on PostgreSQL (``db_url``), with uploads under the test's folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import REGISTRY_END, REGISTRY_PERSONS, REGISTRY_SEED, Db, Mother, pick_mother
from fastapi import FastAPI
from fastapi.testclient import TestClient

from onething.channels.api import create_app
from onething.config import Settings
from onething.registry.generate import GenerateOptions, generate_registry


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic province of 2,000 people, fixed seed and end date."""
    folder = tmp_path_factory.mktemp("api-registry") / "registry"
    options = GenerateOptions(persons=REGISTRY_PERSONS, seed=REGISTRY_SEED, end_date=REGISTRY_END)
    generate_registry(folder, options)
    return folder


@pytest.fixture(scope="session")
def mother(registry: Path) -> Mother:
    return pick_mother(registry)


@pytest.fixture
def settings(db_url: str, tmp_path: Path, registry: Path) -> Settings:
    """The app's settings: this test's database, the session's registry, today pinned."""
    return Settings(
        home=tmp_path / "home",
        database_url=db_url,
        registry_path=registry,
        today=REGISTRY_END,
        upload_max_bytes=64 * 1024,
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    app = create_app(settings)
    yield app
    app.state.engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def db(db_url: str) -> Iterator[Db]:
    reader = Db(db_url)
    yield reader
    reader.close()
