"""What time it is, in the province: Asia/Shanghai, or the date pinned by settings."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from onething.config import get_settings

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    """The current instant, aware, in Asia/Shanghai."""
    return datetime.now(SHANGHAI)


def today() -> date:
    """Today's date in Shandong (``ONETHING_TODAY`` pins it for demos and reproducible runs)."""
    return get_settings().today or now().date()
