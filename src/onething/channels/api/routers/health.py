"""Liveness and readiness."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text

from onething import __version__
from onething.channels.api.deps import EngineDep, SettingsDep
from onething.channels.guards import RegistryStatus, registry_status
from onething.registry.store import RegistryDir

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    version: str
    database: Literal["ok", "unreachable"]
    database_backend: str
    registry: Literal["ok", "missing"]
    guards_registry: RegistryStatus
    """The PostgreSQL registry the rules guards read (``ONETHING_GUARDS_REGISTRY_URL``):
    loaded, nothing loaded, unreachable; ``not_configured`` when they read the folder."""


@router.get("/health", summary="健康检查")
def health(engine: EngineDep, settings: SettingsDep) -> Health:
    """Is the service up, its database reachable and its registry built?"""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        db: Literal["ok", "unreachable"] = "ok"
    except Exception:
        db = "unreachable"
    reg: Literal["ok", "missing"] = (
        "ok" if RegistryDir(settings.effective_registry_path).exists() else "missing"
    )
    guards = registry_status(settings)
    healthy = db == "ok" and reg == "ok" and guards in ("ok", "not_configured")
    return Health(
        status="ok" if healthy else "degraded",
        version=__version__,
        database=db,
        database_backend=engine.dialect.name,
        registry=reg,
        guards_registry=guards,
    )
