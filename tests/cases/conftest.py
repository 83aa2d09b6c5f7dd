"""Fixtures of the case-engine tests: an engine per backend, the calendar, the service."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cases_support import BIRTH, BUSINESS, HOUSEHOLD, INSURANCE, NEWBORN, TinyCatalog, catalog_of
from sqlalchemy import Engine

from onething.cases import CaseService
from onething.kit.calendar import WorkingCalendar
from onething.kit.db import make_engine


@pytest.fixture
def catalog() -> TinyCatalog:
    return catalog_of(BIRTH, HOUSEHOLD, INSURANCE, NEWBORN, BUSINESS)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def calendar() -> WorkingCalendar:
    return WorkingCalendar()


@pytest.fixture
def service(calendar: WorkingCalendar) -> CaseService:
    return CaseService(calendar=calendar)
