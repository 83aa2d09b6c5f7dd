"""The ``onething`` command line over a real registry and a real operational database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from onething.channels.api import create_app
from onething.cli.main import app
from onething.config import Settings, get_settings
from onething.kit.db import make_engine, unit_of_work
from onething.models import AuditEvent

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An isolated ONETHING_HOME with its own SQLite database."""
    monkeypatch.setenv("ONETHING_HOME", str(tmp_path))
    monkeypatch.setenv("ONETHING_DATABASE_URL", f"sqlite:///{tmp_path / 'ops.sqlite3'}")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _audit_actions(home: Path) -> list[str]:
    engine = make_engine(f"sqlite:///{home / 'ops.sqlite3'}")
    with unit_of_work(engine) as session:
        actions = [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    engine.dispose()
    return actions


def test_db_upgrade_creates_the_operational_database(env: Path) -> None:
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert (env / "ops.sqlite3").exists()


def test_import_of_a_clean_source_is_audited_and_summarised(
    env: Path, tiny_rows, write_source
) -> None:  # type: ignore[no-untyped-def]
    source = write_source(env / "src", tiny_rows, "csv")
    target = env / "reg"
    result = runner.invoke(app, ["registry", "import", str(source), "--into", str(target)])
    assert result.exit_code == 0, result.output
    assert (target / "registry.duckdb").exists()
    assert _audit_actions(env) == ["registry.import"]

    summary = runner.invoke(app, ["registry", "summary", str(target), "--json"])
    assert summary.exit_code == 0, summary.output
    body = json.loads(summary.stdout)
    assert body["persons"] == len(tiny_rows["persons"])


def test_import_of_a_broken_source_lists_rows_and_writes_nothing(
    env: Path, tiny_rows, write_source
) -> None:  # type: ignore[no-untyped-def]
    tiny_rows["persons"][1]["person_id"] = tiny_rows["persons"][1]["person_id"][:-1] + (
        "0" if tiny_rows["persons"][1]["person_id"][-1] != "0" else "1"
    )
    source = write_source(env / "src", tiny_rows, "csv")
    target = env / "reg"
    result = runner.invoke(app, ["registry", "import", str(source), "--into", str(target)])
    assert result.exit_code == 2
    assert "persons.csv" in result.output
    assert "id.bad_check_digit" in result.output
    assert not target.exists()
    assert not (env / "ops.sqlite3").exists() or _audit_actions(env) == []


def test_api_summary_serves_the_configured_registry(
    tiny_registry: Path, tmp_path: Path, tiny_rows
) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(
        home=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'ops.sqlite3'}",
        registry_path=tiny_registry,
    )
    client = TestClient(create_app(settings))
    body = client.get("/api/v1/registry/summary").json()
    assert body["persons"] == len(tiny_rows["persons"])
    assert len(body["persons_by_city"]) == 16
    assert client.get("/health").json()["registry"] == "ok"


def test_demo_migrates_and_builds_a_small_province_once(env: Path) -> None:
    first = runner.invoke(app, ["demo", "--persons", "300"])
    assert first.exit_code == 0, first.output
    registry = env / "registry"
    assert (registry / "registry.duckdb").exists()
    assert (registry / "ground_truth" / "anomalies.parquet").exists()
    assert _audit_actions(env) == ["registry.generate"]
    built = (registry / "manifest.json").read_bytes()

    again = runner.invoke(app, ["demo", "--persons", "300"])
    assert again.exit_code == 0, again.output
    assert (registry / "manifest.json").read_bytes() == built
    assert _audit_actions(env) == ["registry.generate"]
