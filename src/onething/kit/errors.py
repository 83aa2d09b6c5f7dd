"""Typed errors that carry their HTTP status and a translatable message.

A domain raises ``NotFound(...)``; the API renders it as RFC 9457 problem+json, the CLI
prints it in red, and neither needs to know where it came from.
"""

from __future__ import annotations

from typing import Any, ClassVar

from onething.kit.i18n import DEFAULT_LOCALE, translate


class OneThingError(Exception):
    """Base of every error a person may see.

    ``key`` names a message in the i18n catalogs; ``params`` fill it in.
    ``errors`` lists itemised problems (a bad row, a bad field) for bulk operations.
    """

    status: ClassVar[int] = 400
    type_slug: ClassVar[str] = "bad-request"
    title_key: ClassVar[str] = "error.bad_request"

    def __init__(
        self,
        key: str,
        /,
        *,
        errors: list[dict[str, Any]] | None = None,
        **params: Any,
    ) -> None:
        self.key = key
        self.params = params
        self.errors = errors or []
        super().__init__(self.message("en"))

    def message(self, locale: str = DEFAULT_LOCALE) -> str:
        return translate(self.key, locale, **self.params)

    def title(self, locale: str = DEFAULT_LOCALE) -> str:
        return translate(self.title_key, locale)


class InvalidInput(OneThingError):
    status = 422
    type_slug = "invalid-input"
    title_key = "error.invalid_input"


class NotFound(OneThingError):
    status = 404
    type_slug = "not-found"
    title_key = "error.not_found"


class Conflict(OneThingError):
    status = 409
    type_slug = "conflict"
    title_key = "error.conflict"


class PermissionDenied(OneThingError):
    status = 403
    type_slug = "permission-denied"
    title_key = "error.permission_denied"


class Unavailable(OneThingError):
    status = 503
    type_slug = "unavailable"
    title_key = "error.unavailable"
