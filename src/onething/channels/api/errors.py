"""Errors only the HTTP boundary raises (the domains' errors carry their own status)."""

from __future__ import annotations

from typing import ClassVar

from onething.kit.errors import OneThingError


class NotAuthenticated(OneThingError):
    """No usable credentials (HTTP 401; the response names the ``Bearer`` scheme)."""

    status: ClassVar[int] = 401
    type_slug: ClassVar[str] = "unauthenticated"
    title_key: ClassVar[str] = "api.auth.title"


class PreconditionRequired(OneThingError):
    """A write that must name the version it was based on did not (HTTP 428, RFC 6585)."""

    status: ClassVar[int] = 428
    type_slug: ClassVar[str] = "precondition-required"
    title_key: ClassVar[str] = "api.version.title"
