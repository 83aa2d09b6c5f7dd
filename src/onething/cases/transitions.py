"""The one named place where a case changes: check, guard, move, record.

:func:`perform` takes a declared transition of the case's machine: it refuses undeclared
actions (``TransitionRefused``, naming the allowed ones), checks the actor's role,
department and region (``PermissionDenied``), runs the transition's guards and the
service's pluggable guards (``GuardBlocked`` on any ``block``, before anything is
changed), then moves the state and writes the case event and the audit row together.
:func:`record_event` is the writer it uses; new cases get their first events written with
them, all at once (``onething.models.cases.write_new_cases``). Both build the rows with
:func:`event_values` and :func:`audit_of`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from onething.cases.actors import STAFF_ROLES, Actor, region_covers
from onething.cases.errors import GuardBlocked, action_label
from onething.cases.states import CaseSnapshot, Finding, Transition, TransitionGuard, machine_for
from onething.kit.errors import PermissionDenied
from onething.models.audit import AuditEvent, audit_values
from onething.models.cases import Case, CaseEvent


@dataclass(frozen=True, slots=True)
class Performed:
    """A transition taken: what it was, the event written, and the warnings it carried."""

    transition: Transition
    event: CaseEvent
    warnings: tuple[Finding, ...]


def snapshot(
    case: Case, proposed: Mapping[str, Any] | None = None, at: datetime | None = None
) -> CaseSnapshot:
    """A read-only view of ``case`` for guards (``at``: when the step is taken)."""
    return CaseSnapshot(
        id=case.id,
        kind=case.kind,
        service_code=case.service_code,
        state=case.state,
        applicant_kind=case.applicant_kind,
        applicant_id=case.applicant_id,
        department=case.department,
        region=case.region,
        data=dict(case.data or {}),
        proposed=dict(proposed or {}),
        at=at,
    )


def authorize(case: Case, transition: Transition, actor: Actor) -> None:
    """The actor's role must be declared; staff act in their department and region."""
    action = action_label(transition.action)
    if actor.role not in transition.roles:
        raise PermissionDenied(
            "cases.permission.role",
            role=actor.role,
            action=action,
            roles=", ".join(sorted(transition.roles)),
        )
    check_scope(case, actor)


def check_scope(case: Case, actor: Actor, *, read: bool = False) -> None:
    """Applicants act on their own cases; staff on their department's (reads: region-wide)."""
    if actor.role == "system":
        return
    if actor.role == "applicant":
        if actor.person != case.applicant_id:
            raise PermissionDenied("cases.permission.not_applicant")
        return
    if not actor.region or not region_covers(actor.region, case.region):
        raise PermissionDenied(
            "cases.permission.region", region=actor.region or "-", case_region=case.region
        )
    if not read and actor.role in STAFF_ROLES and actor.department != case.department:
        raise PermissionDenied(
            "cases.permission.department",
            department=actor.department or "-",
            case_department=case.department,
        )


def run_guards(
    case: Case,
    transition: Transition,
    actor: Actor,
    guards: Sequence[TransitionGuard],
    proposed: Mapping[str, Any] | None,
    *,
    at: datetime | None = None,
) -> list[Finding]:
    """Findings of the transition's own guards, then of the pluggable ones."""
    view = snapshot(case, proposed, at)
    findings: list[Finding] = []
    for guard in (*transition.guards, *guards):
        findings.extend(guard(view, transition, actor))
    return findings


def perform(
    session: Session,
    case: Case,
    action: str,
    actor: Actor,
    *,
    at: datetime,
    guards: Sequence[TransitionGuard] = (),
    note: str | None = None,
    proposed: Mapping[str, Any] | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> Performed:
    """Take transition ``action`` on ``case`` as ``actor``; write its event and audit row.

    Nothing is changed unless every check passes. ``proposed`` is what the step is about to
    set (guards see it, with ``note``); ``before``/``after`` add to the recorded states.
    """
    transition = machine_for(case.kind).transition(case.state, action)
    authorize(case, transition, actor)
    findings = run_guards(
        case, transition, actor, guards, {**(proposed or {}), "note": note}, at=at
    )
    blocks = [f.as_dict() for f in findings if f.severity == "block"]
    if blocks:
        raise GuardBlocked(action=action, findings=blocks)
    warnings = tuple(f for f in findings if f.severity == "warn")

    from_state = case.state
    to_state = transition.target_from(case.state, case.held_from)
    if transition.holds:
        case.held_from = from_state
    elif transition.returns:
        case.held_from = None
    case.state = to_state
    event = record_event(
        session,
        case,
        action,
        actor,
        at=at,
        from_state=from_state,
        to_state=to_state,
        before={"state": from_state, **(before or {})},
        after={"state": to_state, **(after or {})},
        findings=[f.as_dict() for f in warnings] or None,
        note=note,
    )
    return Performed(transition, event, warnings)


def event_values(
    case: Case,
    action: str,
    actor: Actor,
    *,
    at: datetime,
    from_state: str | None,
    to_state: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    findings: list[dict[str, Any]] | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """The column values of the case's next event (its ``seq`` is taken: ``last_seq``)."""
    case.last_seq += 1
    return {
        "case_id": case.id,
        "seq": case.last_seq,
        "at": at,
        "action": action,
        "from_state": from_state,
        "to_state": to_state,
        "actor_role": actor.role,
        "actor_person": actor.person,
        "actor_department": actor.department,
        "actor_region": actor.region,
        "before": before,
        "after": after,
        "findings": findings,
        "note": note,
    }


def audit_of(event: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """The audit row (column values) matching an event of :func:`event_values` by ``actor``
    (its warnings kept with what came after)."""
    after = dict(event["after"] or {})
    if event["findings"]:
        after["findings"] = event["findings"]
    return audit_values(
        actor=actor.label,
        action=f"cases.{event['action']}",
        entity_type="case",
        entity_id=event["case_id"],
        before=event["before"],
        after=after,
    )


def record_event(
    session: Session,
    case: Case,
    action: str,
    actor: Actor,
    *,
    at: datetime,
    from_state: str | None,
    to_state: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    findings: list[dict[str, Any]] | None = None,
    note: str | None = None,
) -> CaseEvent:
    """Append the case's next event and the matching audit row (same transaction; both
    added to the session, written at its next flush)."""
    values = event_values(
        case,
        action,
        actor,
        at=at,
        from_state=from_state,
        to_state=to_state,
        before=before,
        after=after,
        findings=findings,
        note=note,
    )
    event = CaseEvent(**values)
    session.add(event)
    session.add(AuditEvent(**audit_of(values, actor)))
    return event
