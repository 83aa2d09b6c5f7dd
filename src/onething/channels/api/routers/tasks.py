"""The clerk's queue (待办) and the steps taken on a task (a case), with optimistic locking."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Body, Header, Query, Response
from sqlalchemy.orm import Session

from onething.cases import CaseService
from onething.cases.actors import Actor
from onething.cases.schemas import QueueItem
from onething.channels.api.auth import ActorDep
from onething.channels.api.deps import CasesDep, LocaleDep, SessionDep
from onething.channels.api.errors import PreconditionRequired
from onething.channels.api.schemas import ApplicationOut, TaskAction, TaskActionIn, problems
from onething.channels.api.scopes import staff_scope
from onething.channels.api.views import application_view
from onething.kit.errors import InvalidInput
from onething.kit.i18n import translate

router = APIRouter(prefix="/api/v1/tasks", tags=["tasks"])


def _queue_scope(actor: Actor, department: str | None, region: str | None) -> tuple[str, str]:
    """The department and region whose queue ``actor`` may read (defaults: the actor's)."""
    scope = staff_scope(actor, department, region, role_key="api.permission.queue_role")
    if scope.department is None:
        raise InvalidInput("api.tasks.department_required", errors=[{"field": "department"}])
    return scope.department, scope.region


@router.get(
    "",
    summary=translate("api.summary.tasks"),
    responses=problems(401, 403, 422),
)
def task_queue(
    *,
    actor: ActorDep,
    session: SessionDep,
    cases: CasesDep,
    department: Annotated[
        str | None, Query(max_length=64, description="Default: the caller's department.")
    ] = None,
    region: Annotated[
        str | None,
        Query(
            pattern=r"^\d{6}$",
            description="Default: the caller's region (a city covers its counties).",
        ),
    ] = None,
    state: Annotated[
        list[str] | None, Query(description="Default: every state with a step to take.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[QueueItem]:
    """A department's to-do list in a region, most urgent due time first, with the
    warning level of each (黄牌 near due, 红牌 overdue) and the version to act on."""
    department, region = _queue_scope(actor, department, region)
    return cases.task_queue(session, department=department, region=region, state=state, limit=limit)


def _version(body: TaskActionIn, if_match: str | None) -> int:
    """The version the step is based on: the body's or ``If-Match`` (they must agree)."""
    header: int | None = None
    if if_match is not None:
        text = if_match.strip().removeprefix("W/").strip('"')
        if not text.isdigit():
            raise InvalidInput("api.version.bad_if_match", value=if_match)
        header = int(text)
    if body.version is not None and header is not None and body.version != header:
        raise InvalidInput("api.version.mismatch", body=body.version, header=header)
    version = body.version if body.version is not None else header
    if version is None:
        raise PreconditionRequired("api.version.required")
    return version


def _required_note(body: TaskActionIn, action: str) -> str:
    if not body.note or not body.note.strip():
        raise InvalidInput(
            "api.tasks.note_required",
            errors=[{"field": "note"}],
            action=translate(f"cases.action.{action}"),
        )
    return body.note


@dataclass(frozen=True)
class _Step:
    """One step on a task: who takes it, on which case, with what, at which version."""

    session: Session
    cases: CaseService
    actor: Actor
    case_id: str
    body: TaskActionIn
    version: int

    def accept(self) -> object:
        return self.cases.accept(
            self.session, self.actor, self.case_id, version=self.version, note=self.body.note
        )

    def refuse(self) -> object:
        reason = _required_note(self.body, "refuse")
        return self.cases.refuse(
            self.session, self.actor, self.case_id, reason=reason, version=self.version
        )

    def request_correction(self) -> object:
        missing = _required_note(self.body, "request_correction")
        return self.cases.request_correction(
            self.session, self.actor, self.case_id, missing=missing, version=self.version
        )

    def resubmit(self) -> object:
        return self.cases.resubmit(
            self.session,
            self.actor,
            self.case_id,
            form=self.body.form,
            note=self.body.note,
            version=self.version,
        )

    def start_review(self) -> object:
        return self.cases.start_review(
            self.session, self.actor, self.case_id, version=self.version, note=self.body.note
        )

    def conclude(self) -> object:
        if self.body.outcome is None:
            raise InvalidInput("api.tasks.outcome_required", errors=[{"field": "outcome"}])
        return self.cases.conclude(
            self.session,
            self.actor,
            self.case_id,
            outcome=self.body.outcome,
            outputs=self.body.outputs,
            note=self.body.note,
            version=self.version,
        )

    def deliver(self) -> object:
        return self.cases.deliver(
            self.session, self.actor, self.case_id, note=self.body.note, version=self.version
        )

    def extend(self) -> object:
        if self.body.days is None:
            raise InvalidInput("api.tasks.days_required", errors=[{"field": "days"}])
        reason = _required_note(self.body, "extend_clock")
        return self.cases.extend_clock(
            self.session,
            self.actor,
            self.case_id,
            days=self.body.days,
            reason=reason,
            clock=self.body.clock,
            version=self.version,
        )


STEPS: dict[str, Callable[[_Step], object]] = {
    "accept": _Step.accept,
    "refuse": _Step.refuse,
    "request_correction": _Step.request_correction,
    "resubmit": _Step.resubmit,
    "start_review": _Step.start_review,
    "conclude": _Step.conclude,
    "deliver": _Step.deliver,
    "extend": _Step.extend,
}
"""Each task action and the :class:`~onething.cases.CaseService` verb it takes."""


@router.post(
    "/{case_id}/{action}",
    summary=translate("api.summary.task_action"),
    responses=problems(401, 403, 404, 409, 422, 428),
)
def take_step(
    *,
    case_id: str,
    action: TaskAction,
    actor: ActorDep,
    session: SessionDep,
    cases: CasesDep,
    locale: LocaleDep,
    response: Response,
    body: Annotated[TaskActionIn | None, Body()] = None,
    if_match: Annotated[
        str | None, Header(description='The case version seen, as an ETag: `"3"`.')
    ] = None,
) -> ApplicationOut:
    """受理 accept · 不予受理 refuse (``note``: the reasons) · 补正 request_correction
    (``note``: what is missing; the clocks pause) · resubmit (``form``: corrected fields;
    the clocks resume) · 审核 start_review · 办结 conclude (``outcome``, ``outputs``) · 送达
    deliver · 延期 extend (``days``, ``note``, ``clock``). The version seen goes in the body
    or ``If-Match``; a stale one is 409. Returns the case's status tree."""
    body = body or TaskActionIn()
    version = _version(body, if_match)
    STEPS[action](_Step(session, cases, actor, case_id, body, version))
    return application_view(
        session, cases=cases, actor=actor, case_id=case_id, locale=locale, response=response
    )
