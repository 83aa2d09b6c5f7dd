"""The registry (数据底座) as seen through the API."""

from __future__ import annotations

from fastapi import APIRouter

from onething.channels.api.deps import SettingsDep
from onething.registry.summary import RegistrySummary, summarize

router = APIRouter(prefix="/api/v1/registry", tags=["registry"])


@router.get("/summary", summary="数据底座概况")
def registry_summary(settings: SettingsDep) -> RegistrySummary:
    """Row counts, persons by city and age band, enterprises by size, insured and
    benefit totals, and how the registry was made."""
    return summarize(settings.effective_registry_path)
