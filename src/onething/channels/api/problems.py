"""RFC 9457 problem details (``application/problem+json``) for every error the API returns."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from onething.kit.errors import OneThingError
from onething.kit.i18n import negotiate, translate
from onething.kit.logging import get_logger

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://onething.dev/problems/"
log = get_logger(__name__)


def problem(
    request: Request,
    *,
    status: int,
    slug: str,
    title: str,
    detail: str,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if (rid := getattr(request.state, "request_id", None)) is not None:
        body["request_id"] = rid
    body.update(extra or {})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def error_problem(request: Request, exc: OneThingError) -> JSONResponse:
    """A typed error as problem+json, in the reader's language."""
    locale = negotiate(request.headers.get("accept-language"))
    extra: dict[str, Any] = {"code": exc.key}
    if exc.errors:
        extra["errors"] = exc.errors
    return problem(
        request,
        status=exc.status,
        slug=exc.type_slug,
        title=exc.title(locale),
        detail=exc.message(locale),
        extra=extra,
    )


def install_problem_handlers(app: FastAPI) -> None:
    """Render typed errors, validation errors, HTTP errors and crashes as problem+json."""

    @app.exception_handler(OneThingError)
    async def _domain(request: Request, exc: OneThingError) -> JSONResponse:
        return error_problem(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        locale = negotiate(request.headers.get("accept-language"))
        errors = [
            {"location": list(e.get("loc", ())), "message": e.get("msg", ""), "type": e.get("type")}
            for e in exc.errors()
        ]
        detail = "; ".join(
            f"{'.'.join(str(p) for p in e['location'])}: {e['message']}" for e in errors
        )
        return problem(
            request,
            status=422,
            slug="invalid-input",
            title=translate("error.invalid_input", locale),
            detail=translate("error.request_invalid", locale, detail=detail),
            extra={"code": "error.request_invalid", "errors": errors},
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        locale = negotiate(request.headers.get("accept-language"))
        if exc.status_code == 404:
            return problem(
                request,
                status=404,
                slug="not-found",
                title=translate("error.not_found", locale),
                detail=translate("error.route_not_found", locale, path=request.url.path),
                extra={"code": "error.route_not_found"},
            )
        return problem(
            request,
            status=exc.status_code,
            slug="http-error",
            title=str(exc.detail),
            detail=str(exc.detail),
        )

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", path=request.url.path)
        locale = negotiate(request.headers.get("accept-language"))
        return problem(
            request,
            status=500,
            slug="internal",
            title=translate("error.internal", locale),
            detail=translate("error.internal", locale),
            extra={"code": "error.internal"},
        )
