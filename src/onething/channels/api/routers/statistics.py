"""Statistics of the case engine (by state, matter, region; on-time rates), scoped to
the caller as the task queue is (:mod:`onething.channels.api.scopes`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from onething.cases.schemas import Statistics
from onething.channels.api.auth import ActorDep
from onething.channels.api.deps import CasesDep, SessionDep
from onething.channels.api.schemas import problems
from onething.channels.api.scopes import staff_scope
from onething.kit.i18n import translate

router = APIRouter(prefix="/api/v1/statistics", tags=["statistics"])


@router.get("", summary=translate("api.summary.statistics"), responses=problems(401, 403, 422))
def statistics(
    *,
    actor: ActorDep,
    session: SessionDep,
    cases: CasesDep,
    department: Annotated[
        str | None,
        Query(
            max_length=64,
            description="Default: the caller's department (a supervisor without one: all).",
        ),
    ] = None,
    region: Annotated[
        str | None,
        Query(
            pattern=r"^\d{6}$",
            description="Default: the caller's region (a city covers its counties).",
        ),
    ] = None,
) -> Statistics:
    """Cases by kind, state, service (matter or bundle) and region; on-time rates of the
    stopped clocks by kind (legal, promised …) as exact decimals; running clocks overdue.

    Counted within the caller's scope: a clerk or reviewer sees their department's cases
    in their region; a supervisor every department's in their region (the province's
    supervisor, region ``370000``, the whole province); ``department`` and ``region``
    narrow it. Applicants are refused (403)."""
    scope = staff_scope(actor, department, region, role_key="api.permission.statistics")
    return cases.statistics(session, department=scope.department, region=scope.region)
