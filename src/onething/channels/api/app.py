"""The FastAPI application factory."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import FastAPI

from onething import __version__
from onething.cases import CaseService, MaterialStore, TransitionGuard
from onething.catalog.loader import load_catalog, shipped_catalog_path
from onething.channels.api.auth import BEARER_FORMAT
from onething.channels.api.housekeeping import sweep_staging
from onething.channels.api.middleware import RequestContext
from onething.channels.api.problems import install_problem_handlers
from onething.channels.api.routers import (
    applications,
    health,
    registry,
    services,
    statistics,
    tasks,
)
from onething.channels.guards import guards_source, rules_guard
from onething.config import Settings, get_settings
from onething.kit.db import get_engine
from onething.kit.i18n import translate
from onething.kit.logging import ensure_logging

TAGS = ("services", "applications", "tasks", "statistics", "registry", "health")


def create_app(
    settings: Settings | None = None, *, guards: Sequence[TransitionGuard] = ()
) -> FastAPI:
    """Build the app for ``settings`` (default: the process settings).

    The app holds one case engine (:class:`~onething.cases.CaseService`, given ``guards``:
    extra transition guards such as the rules engine's), the service catalog loaded once
    from ``settings.catalog_path`` (default: the shipped one), and the material store
    under ``ONETHING_HOME/uploads``. With ``settings.rules_guards`` the rule packs each
    matter names (``guards:``) check its applicant on the registry (the folder's DuckDB
    file, or the database of ``settings.guards_registry_url``) at submission and while it
    is handled (:mod:`onething.channels.guards`). At start, upload staging files left by a
    killed process are removed (:func:`~onething.channels.api.housekeeping.sweep_staging`).
    """
    settings = settings or get_settings()
    ensure_logging(settings.log_level, json=settings.log_json)  # a server's worker process
    catalog = load_catalog(settings.catalog_path or shipped_catalog_path())
    guards = tuple(guards)
    assembled = rules_guard(catalog, guards_source(settings)) if settings.rules_guards else None
    if assembled is not None:
        guards = (*guards, assembled[0])

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        sweep_staging(app.state.store)
        # what is loaded by now (catalog, mappers, compiled schemas) lives as long as the
        # app: kept out of the garbage collector's scans (about a tenth of a millisecond
        # per submission), given back to it when the app stops
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()
        if assembled is not None:
            assembled[1].close()

    app = FastAPI(
        lifespan=lifespan,
        title="OneThing 一件事一次办",
        version=__version__,
        description=(
            "Open-source digital-government platform: one form, one set of materials, "
            "one submission (一件事一次办). Errors are RFC 9457 problem+json. Until real "
            f"authentication, callers send a development token: `Bearer {BEARER_FORMAT}`."
        ),
        docs_url="/docs",
        openapi_url="/openapi.json",
        openapi_tags=[{"name": tag, "description": translate(f"api.tag.{tag}")} for tag in TAGS],
    )
    app.state.settings = settings
    app.state.engine = get_engine(settings.effective_database_url)
    app.state.catalog = catalog
    app.state.cases = CaseService(guards=guards)
    app.state.store = MaterialStore(settings.uploads_path)
    install_problem_handlers(app)

    app.add_middleware(RequestContext, upload_max_bytes=settings.upload_max_bytes)
    app.include_router(health.router)
    app.include_router(services.router)
    app.include_router(applications.router)
    app.include_router(tasks.router)
    app.include_router(statistics.router)
    app.include_router(registry.router)
    return app
