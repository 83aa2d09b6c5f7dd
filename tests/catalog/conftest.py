"""Fixtures of the catalog tests (helpers live in ``catalog_support``)."""

from __future__ import annotations

from typing import Any

import pytest
from catalog_support import tiny_catalog


@pytest.fixture
def tiny() -> dict[str, Any]:
    """The tiny catalog as plain data, fresh for each test."""
    return tiny_catalog()
