"""Statistics of the case engine (by state, matter, region; on-time rates)."""

from __future__ import annotations

from fastapi import APIRouter

from onething.cases.actors import STAFF_ROLES
from onething.cases.schemas import Statistics
from onething.channels.api.auth import ActorDep
from onething.channels.api.deps import CasesDep, SessionDep
from onething.channels.api.schemas import problems
from onething.kit.errors import PermissionDenied
from onething.kit.i18n import translate

router = APIRouter(prefix="/api/v1/statistics", tags=["statistics"])

STATISTICS_ROLES = frozenset({*STAFF_ROLES, "supervisor"})


@router.get("", summary=translate("api.summary.statistics"), responses=problems(401, 403))
def statistics(actor: ActorDep, session: SessionDep, cases: CasesDep) -> Statistics:
    """Cases by kind, state, service (matter or bundle) and region; on-time rates of the
    stopped clocks by kind (legal, promised …) as exact decimals; running clocks overdue."""
    if actor.role not in STATISTICS_ROLES:
        raise PermissionDenied("api.permission.statistics", role=actor.role)
    return cases.statistics(session)
