"""Structured logging (structlog) for every process: console for people, JSON for machines."""

from __future__ import annotations

import logging
import sys

import structlog

ACCESS_LOGGERS = ("uvicorn.access",)
"""Loggers kept quiet below WARNING: the API writes one line per request itself (method,
path, status, duration, request id), so the server's own access line would double it."""


def configure_logging(level: str = "INFO", *, json: bool = False) -> None:
    """Route stdlib and structlog records through one renderer at ``level``."""
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ACCESS_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))


def ensure_logging(level: str = "INFO", *, json: bool = False) -> None:
    """:func:`configure_logging`, unless logging is already set up in this process (by a
    command, or by a test runner that collects the records): a server's worker processes
    start without it."""
    if structlog.is_configured() or logging.getLogger().handlers:
        return
    configure_logging(level, json=json)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.stdlib.get_logger(name)
    return logger
