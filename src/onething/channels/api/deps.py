"""Typed dependencies shared by the routers (``Annotated`` aliases).

The app holds one of each long-lived thing, built in :func:`~onething.channels.api.app.create_app`:
the settings, the database engine, the case engine (:class:`~onething.cases.CaseService`,
with its guards), the loaded service catalog and the material store. The request's
session commits *before* the response is sent (``scope="function"``), so a client never
sees a success that was not written. The dependencies that only read the app's state or
the request are ``async``: FastAPI runs them on the event loop, where a plain ``def`` would
cost a hop to a worker thread each (the session and the routes, which block on the
database, stay plain ``def``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from onething.cases import CaseService, MaterialStore
from onething.catalog.models import Catalog
from onething.config import Settings
from onething.kit.clock import now
from onething.kit.db import unit_of_work
from onething.kit.i18n import negotiate


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_engine_dep(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_session(engine: Annotated[Engine, Depends(get_engine_dep)]) -> Iterator[Session]:
    """The request's unit of work: committed when the handler returns, else rolled back."""
    with unit_of_work(engine) as session:
        yield session


T = TypeVar("T")


async def in_unit_of_work(engine: Engine, work: Callable[[Session], T]) -> T:
    """``work(session)`` in one unit of work on a worker thread, committed before it
    returns (so the answer never reports what was not written); one thread hop in all."""

    def run() -> T:
        with unit_of_work(engine) as session:
            return work(session)

    return await run_in_threadpool(run)


async def get_cases(request: Request) -> CaseService:
    cases: CaseService = request.app.state.cases
    return cases


async def get_catalog(request: Request) -> Catalog:
    catalog: Catalog = request.app.state.catalog
    return catalog


async def get_store(request: Request) -> MaterialStore:
    store: MaterialStore = request.app.state.store
    return store


async def get_locale(request: Request) -> str:
    """The reader's language, from ``Accept-Language`` (Simplified Chinese by default)."""
    return negotiate(request.headers.get("accept-language"))


async def get_request_id(request: Request) -> str | None:
    """The request's id (``X-Request-ID``, set by the middleware), for audit rows."""
    request_id: str | None = getattr(request.state, "request_id", None)
    return request_id


async def get_today(settings: Annotated[Settings, Depends(get_settings_dep)]) -> date:
    """Today in Shandong (``ONETHING_TODAY`` of the app's settings pins it)."""
    return settings.today or now().date()


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
EngineDep = Annotated[Engine, Depends(get_engine_dep)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
CasesDep = Annotated[CaseService, Depends(get_cases)]
CatalogDep = Annotated[Catalog, Depends(get_catalog)]
StoreDep = Annotated[MaterialStore, Depends(get_store)]
LocaleDep = Annotated[str, Depends(get_locale)]
TodayDep = Annotated[date, Depends(get_today)]
RequestIdDep = Annotated[str | None, Depends(get_request_id)]
