"""The REST API (FastAPI). Routers are thin: they parse, call a service, render."""

from onething.channels.api.app import create_app

__all__ = ["create_app"]
