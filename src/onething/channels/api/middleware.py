"""The request context of every HTTP request, as a plain ASGI middleware.

For each request: a request id (the client's ``X-Request-ID`` when it is 1–64 visible
ASCII characters — it goes into audit rows — or a new one) kept in the request state
(problem details carry it) and sent back as ``X-Request-ID``; an upload whose declared
length cannot fit the limit refused before its body is read (413); a 401 naming the
``Bearer`` scheme (``WWW-Authenticate``); and one access-log line (method, path, status,
milliseconds, request id), also for a request that failed.

Plain ASGI rather than Starlette's ``BaseHTTPMiddleware`` (``@app.middleware("http")``),
which runs the rest of the app in a separate task and streams the response through a
memory channel: here the app is called directly and only the response's first message
is touched.
"""

from __future__ import annotations

import re
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from onething.cases.materials import too_large
from onething.channels.api.problems import error_problem
from onething.channels.api.routers.applications import declares_too_large
from onething.kit.logging import get_logger

log = get_logger("onething.api")

BEARER_CHALLENGE = 'Bearer realm="onething"'
REQUEST_ID = re.compile(r"[\x21-\x7e]{1,64}")
"""A client's request id kept as it is (audit rows hold 64 characters); others replaced."""


class RequestContext:
    """Request id, early refusal of oversized uploads, 401 challenge, access log."""

    def __init__(self, app: ASGIApp, *, upload_max_bytes: int) -> None:
        self.app = app
        self.upload_max_bytes = upload_max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = ""
        declared = ""
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                given = value.decode("latin-1")
                request_id = given if REQUEST_ID.fullmatch(given) else ""
            elif name == b"content-length":
                declared = value.decode("latin-1")
        request_id = request_id or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500  # unless a response starts

        async def send_with_context(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers.append("x-request-id", request_id)
                if status == 401:
                    headers.setdefault("www-authenticate", BEARER_CHALLENGE)
            await send(message)

        try:
            if declares_too_large(scope["method"], scope["path"], declared, self.upload_max_bytes):
                # refused before the body is read (FastAPI parses a form before the route runs)
                refusal = error_problem(Request(scope), too_large(self.upload_max_bytes))
                await refusal(scope, receive, send_with_context)
            else:
                await self.app(scope, receive, send_with_context)
        finally:
            log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                ms=round((time.perf_counter() - started) * 1000, 2),
                request_id=request_id,
            )
