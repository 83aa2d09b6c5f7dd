"""The FastAPI application factory."""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable, Sequence

from fastapi import FastAPI, Request, Response

from onething import __version__
from onething.cases import CaseService, MaterialStore, TransitionGuard
from onething.cases.materials import too_large
from onething.catalog.loader import load_catalog, shipped_catalog_path
from onething.channels.api.auth import BEARER_FORMAT
from onething.channels.api.problems import error_problem, install_problem_handlers
from onething.channels.api.routers import (
    applications,
    health,
    registry,
    services,
    statistics,
    tasks,
)
from onething.config import Settings, get_settings
from onething.kit.db import get_engine
from onething.kit.i18n import translate
from onething.kit.logging import get_logger

log = get_logger("onething.api")

TAGS = ("services", "applications", "tasks", "statistics", "registry", "health")


def create_app(
    settings: Settings | None = None, *, guards: Sequence[TransitionGuard] = ()
) -> FastAPI:
    """Build the app for ``settings`` (default: the process settings).

    The app holds one case engine (:class:`~onething.cases.CaseService`, given ``guards``:
    extra transition guards such as the rules engine's), the service catalog loaded once
    from ``settings.catalog_path`` (default: the shipped one), and the material store
    under ``ONETHING_HOME/uploads``.
    """
    settings = settings or get_settings()
    app = FastAPI(
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
    app.state.catalog = load_catalog(settings.catalog_path or shipped_catalog_path())
    app.state.cases = CaseService(guards=tuple(guards))
    app.state.store = MaterialStore(settings.uploads_path)
    install_problem_handlers(app)

    @app.middleware("http")
    async def request_context(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        request.state.request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        started = time.perf_counter()
        if applications.declares_too_large(request, settings.upload_max_bytes):
            # refused before the body is read (FastAPI parses a form before the route runs)
            response: Response = error_problem(request, too_large(settings.upload_max_bytes))
        else:
            response = await call_next(request)
        response.headers["x-request-id"] = request.state.request_id
        if response.status_code == 401:
            response.headers.setdefault("www-authenticate", 'Bearer realm="onething"')
        log.info(
            "request",
            method=request.method,
            path=request.url.path,
            status=response.status_code,
            ms=round((time.perf_counter() - started) * 1000, 2),
            request_id=request.state.request_id,
        )
        return response

    app.include_router(health.router)
    app.include_router(services.router)
    app.include_router(applications.router)
    app.include_router(tasks.router)
    app.include_router(statistics.router)
    app.include_router(registry.router)
    return app
