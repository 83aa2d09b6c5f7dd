"""The FastAPI application factory."""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from onething import __version__
from onething.channels.api.problems import install_problem_handlers
from onething.channels.api.routers import health, registry
from onething.config import Settings, get_settings
from onething.kit.db import get_engine
from onething.kit.logging import get_logger

log = get_logger("onething.api")


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app for ``settings`` (default: the process settings)."""
    settings = settings or get_settings()
    app = FastAPI(
        title="OneThing 一件事一次办",
        version=__version__,
        description=(
            "Open-source digital-government platform: one form, one set of materials, "
            "one submission (一件事一次办). Errors are RFC 9457 problem+json."
        ),
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.engine = get_engine(settings.effective_database_url)
    install_problem_handlers(app)

    @app.middleware("http")
    async def request_context(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        request.state.request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        started = time.perf_counter()
        response = await call_next(request)
        response.headers["x-request-id"] = request.state.request_id
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
    app.include_router(registry.router)
    return app
