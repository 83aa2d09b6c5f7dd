"""Reads of the case engine, in one place: status trees, lists, queues, statistics.

Every read is a fixed number of queries whatever the size of the tree or the list (no
N+1): a status tree is the case, its descendants level by level, their clocks and ledgers,
their events and evaluations. :func:`build_tree` makes a tree of rows however they were
got: read (:func:`case_tree`) or just written (:func:`written_tree`, a submission's answer).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from onething.cases.actors import Actor, region_prefix
from onething.cases.bundles import child_order
from onething.cases.clocks import Ledger, load_ledgers
from onething.cases.errors import state_label
from onething.cases.schemas import (
    CaseOut,
    CaseSummary,
    CaseTree,
    ClockOut,
    EvaluationOut,
    EventOut,
    OnTime,
    QueueItem,
    SlaLevel,
    Statistics,
)
from onething.cases.states import MACHINES, machine_for
from onething.cases.transitions import check_scope
from onething.kit.calendar import WorkingCalendar
from onething.kit.calendar.hours import hours_text
from onething.kit.errors import NotFound, PermissionDenied
from onething.kit.i18n import DEFAULT_LOCALE
from onething.kit.ids import mask_credit_code, mask_resident_id
from onething.models.cases import CASE_EVENTS, Case, CaseEvent, Clock, Evaluation

RATE_PLACES = Decimal("0.0001")
MAX_TREE_DEPTH = 4


def sla_level(
    calendar: WorkingCalendar,
    unit: str,
    due_at: datetime | None,
    now: datetime,
    *,
    yellow_days: int,
    yellow_hours: int,
) -> SlaLevel | None:
    """``red`` past the due time; ``yellow`` within the warning window; else ``None``.

    For day clocks the window is ``yellow_days`` working days to the due day (黄牌 one
    working day before); for hour clocks, ``yellow_hours`` of office time.
    """
    if due_at is None:
        return None
    if now > due_at:
        return "red"
    if unit == "working_hours":
        left = calendar.working_time_between(now, due_at)
        return "yellow" if left <= timedelta(hours=yellow_hours) else None
    return "yellow" if calendar.working_days_between(now, due_at) <= yellow_days else None


def _as_level(value: str | None) -> SlaLevel | None:
    if value == "yellow":
        return "yellow"
    return "red" if value == "red" else None


def _masked(kind: str, identifier: str) -> str:
    return mask_credit_code(identifier) if kind == "enterprise" else mask_resident_id(identifier)


def case_out(case: Case, locale: str = DEFAULT_LOCALE) -> CaseOut:
    """A case row as its handlers see it."""
    return CaseOut(
        id=case.id,
        kind=case.kind,
        service_code=case.service_code,
        service_name=case.service_name,
        parent_id=case.parent_id,
        origin_id=case.origin_id,
        applicant_kind=case.applicant_kind,
        applicant_id=case.applicant_id,
        department=case.department,
        region=case.region,
        submission_region=case.submission_region,
        channel=case.channel,
        assisted_by=case.assisted_by,
        state=case.state,
        state_label=state_label(case.state, locale),
        outcome=case.outcome,
        data=dict(case.data or {}),
        version=case.version,
        created_at=case.created_at,
        updated_at=case.updated_at,
        concluded_at=case.concluded_at,
        allowed_actions=list(machine_for(case.kind).allowed(case.state)),
    )


def clock_out(ledger: Ledger, calendar: WorkingCalendar, locale: str = DEFAULT_LOCALE) -> ClockOut:
    """A clock with its due time re-derived from the ledger and explained."""
    reading = ledger.read(calendar)
    paused = reading.paused
    return ClockOut(
        name=ledger.clock.name,
        kind=reading.kind,
        unit=reading.unit,
        amount=reading.amount,
        status=reading.status,
        started_at=reading.started_at,
        due_at=reading.due_at,
        due_date=reading.due_date,
        extended=reading.extended,
        paused=hours_text(paused) if isinstance(paused, timedelta) else str(paused),
        paused_since=reading.paused_since,
        stopped_at=reading.stopped_at,
        late_working_days=reading.late_working_days,
        sla_level=_as_level(ledger.clock.sla_level),
        provisional=reading.provisional,
        explanation=reading.explain(locale),
        assumptions=reading.assumptions(locale),
    )


def _event_out(event: Mapping[Any, Any]) -> EventOut:
    return EventOut(
        seq=event["seq"],
        at=event["at"],
        action=event["action"],
        from_state=event["from_state"],
        to_state=event["to_state"],
        actor_role=event["actor_role"],
        actor_person=event["actor_person"],
        actor_department=event["actor_department"],
        actor_region=event["actor_region"],
        before=event["before"],
        after=event["after"],
        findings=event["findings"],
        note=event["note"],
    )


def _evaluation_out(evaluation: Evaluation | None) -> EvaluationOut | None:
    if evaluation is None:
        return None
    return EvaluationOut(
        level=evaluation.level,
        channel=evaluation.channel,
        comment=evaluation.comment,
        at=evaluation.at,
        rectification_id=evaluation.rectification_id,
    )


def build_tree(
    root: Case,
    cases: Iterable[Case],
    ledgers: Iterable[Ledger],
    events: Iterable[Mapping[Any, Any]],
    evaluations: Mapping[str, Evaluation],
    *,
    calendar: WorkingCalendar,
    locale: str = DEFAULT_LOCALE,
) -> CaseTree:
    """The status tree of ``root`` from rows: ``cases`` (its descendants, the root may be
    among them), their clocks, their events (column values, in ``seq`` order) and
    evaluations."""
    children_of: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        if case.parent_id is not None and case is not root:
            children_of[case.parent_id].append(case)
    clocks_of: dict[str, list[Ledger]] = defaultdict(list)
    for ledger in ledgers:
        clocks_of[ledger.clock.case_id].append(ledger)
    events_of: dict[str, list[Mapping[Any, Any]]] = defaultdict(list)
    for event in events:
        events_of[event["case_id"]].append(event)

    def build(case: Case) -> CaseTree:
        return CaseTree(
            case=case_out(case, locale),
            clocks=[clock_out(ledger, calendar, locale) for ledger in clocks_of[case.id]],
            events=[_event_out(e) for e in events_of[case.id]],
            evaluation=_evaluation_out(evaluations.get(case.id)),
            children=[build(c) for c in sorted(children_of[case.id], key=child_order)],
        )

    return build(root)


def case_tree(
    session: Session,
    actor: Actor,
    case_id: str,
    *,
    calendar: WorkingCalendar,
    locale: str = DEFAULT_LOCALE,
) -> CaseTree:
    """The status tree of a case (see :meth:`CaseService.get_case`)."""
    root = session.get(Case, case_id)
    if root is None:
        raise NotFound("cases.not_found", id=case_id)
    check_scope(root, actor, read=True)
    level = [root.id]
    everyone = [root]
    for _ in range(MAX_TREE_DEPTH):
        found = session.scalars(select(Case).where(Case.parent_id.in_(level))).all()
        if not found:
            break
        everyone.extend(found)
        level = [c.id for c in found]
    ids = [c.id for c in everyone]
    ledgers = load_ledgers(session, ids)
    events = session.execute(
        select(CASE_EVENTS).where(CaseEvent.case_id.in_(ids)).order_by(CaseEvent.seq)
    ).mappings()
    evaluations = {
        e.case_id: e for e in session.scalars(select(Evaluation).where(Evaluation.case_id.in_(ids)))
    }
    return build_tree(
        root,
        everyone,
        (ledger for found in ledgers.values() for ledger in found),
        events,
        evaluations,
        calendar=calendar,
        locale=locale,
    )


def written_tree(
    actor: Actor,
    cases: Sequence[Case],
    events: Iterable[Mapping[str, Any]],
    ledgers: Iterable[Ledger],
    *,
    calendar: WorkingCalendar,
    locale: str = DEFAULT_LOCALE,
) -> CaseTree:
    """The status tree of cases just written (the root first), as :func:`case_tree` would
    read it back: no evaluation, no event but those given."""
    root = cases[0]
    check_scope(root, actor, read=True)
    return build_tree(root, cases, ledgers, events, {}, calendar=calendar, locale=locale)


def list_cases(
    session: Session,
    actor: Actor,
    *,
    applicant_kind: str,
    applicant_id: str,
    locale: str = DEFAULT_LOCALE,
) -> list[CaseSummary]:
    """An applicant's applications and bundles, newest first (staff: within their region)."""
    if actor.role == "applicant" and actor.person != applicant_id:
        raise PermissionDenied("cases.permission.not_applicant")
    query = select(Case).where(
        Case.applicant_kind == applicant_kind,
        Case.applicant_id == applicant_id,
        Case.parent_id.is_(None),
        Case.kind.in_(("application", "bundle")),
    )
    if actor.role not in ("applicant", "system"):
        if not actor.region:
            raise PermissionDenied("cases.permission.region", region="-", case_region="-")
        query = query.where(Case.region.startswith(region_prefix(actor.region)))
    found = session.scalars(query.order_by(Case.created_at.desc(), Case.id)).all()
    counts: dict[str, int] = {}
    if found:
        counts = {
            str(parent): int(n)
            for parent, n in session.execute(
                select(Case.parent_id, func.count())
                .where(Case.parent_id.in_([c.id for c in found]))
                .group_by(Case.parent_id)
            )
        }
    return [
        CaseSummary(
            id=c.id,
            kind=c.kind,
            service_code=c.service_code,
            service_name=c.service_name,
            state=c.state,
            state_label=state_label(c.state, locale),
            outcome=c.outcome,
            created_at=c.created_at,
            concluded_at=c.concluded_at,
            children=counts.get(c.id, 0),
        )
        for c in found
    ]


def actionable_states() -> tuple[str, ...]:
    """States from which clerks or reviewers have a step to take (the default queue)."""
    found: dict[str, None] = {}
    for machine in MACHINES.values():
        for transition in machine.transitions:
            if transition.target is None and not transition.returns:
                continue  # annotations (extend, evaluate …) are not work waiting
            if transition.roles & {"clerk", "reviewer"}:
                for source in sorted(transition.sources):
                    found.setdefault(source)
    return tuple(found)


def task_queue(
    session: Session,
    *,
    department: str,
    region: str,
    state: str | Sequence[str] | None,
    calendar: WorkingCalendar,
    now: datetime,
    yellow_days: int,
    yellow_hours: int,
    limit: int = 200,
) -> list[QueueItem]:
    """A department's cases in a region and state(s), earliest running due time first."""
    states = (state,) if isinstance(state, str) else tuple(state or actionable_states())
    due = (
        select(
            Clock.case_id.label("case_id"),
            func.min(Clock.due_at).label("due_at"),
        )
        .where(Clock.status == "running")
        .group_by(Clock.case_id)
        .subquery()
    )
    unit = (
        select(Clock.unit)
        .where(Clock.case_id == Case.id, Clock.status == "running", Clock.due_at == due.c.due_at)
        .limit(1)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Case, due.c.due_at, unit)
        .outerjoin(due, due.c.case_id == Case.id)
        .where(
            Case.department == department,
            Case.state.in_(states),
            Case.region.startswith(region_prefix(region)),
        )
        .order_by(due.c.due_at.is_(None), due.c.due_at, Case.created_at, Case.id)
        .limit(limit)
    ).all()
    items: list[QueueItem] = []
    for case, due_at, clock_unit in rows:
        level = sla_level(
            calendar,
            str(clock_unit or "working_days"),
            due_at,
            now,
            yellow_days=yellow_days,
            yellow_hours=yellow_hours,
        )
        items.append(
            QueueItem(
                id=case.id,
                kind=case.kind,
                service_code=case.service_code,
                service_name=case.service_name,
                state=case.state,
                applicant_kind=case.applicant_kind,
                applicant_id=_masked(case.applicant_kind, case.applicant_id),
                region=case.region,
                channel=case.channel,
                created_at=case.created_at,
                due_at=due_at,
                sla_level=level,
                version=case.version,
            )
        )
    return items


def _counts(session: Session, column: Any, scope: Sequence[Any]) -> dict[str, int]:
    return {
        str(key): int(n)
        for key, n in session.execute(
            select(column, func.count()).where(*scope).group_by(column).order_by(column)
        )
    }


def statistics(
    session: Session,
    *,
    now: datetime,
    department: str | None = None,
    region: str | None = None,
) -> Statistics:
    """Counts by kind, state, service, region; on-time rates of stopped clocks by kind.

    Only the cases of ``department`` (None: every department) in ``region`` (a city or
    the province covers the counties below it; None: everywhere) are counted, and their
    clocks. ``rate`` is met / (met + breached), exact to four places (``None`` with no
    stopped clock of that kind); ``overdue_running`` counts running clocks past their due
    time.
    """
    scope: list[Any] = []
    if department is not None:
        scope.append(Case.department == department)
    if region is not None:
        scope.append(Case.region.startswith(region_prefix(region)))
    clocks = select(Clock.kind, Clock.status, func.count())
    overdue_query = select(func.count()).select_from(Clock)
    if scope:
        clocks = clocks.join(Case, Case.id == Clock.case_id).where(*scope)
        overdue_query = overdue_query.join(Case, Case.id == Clock.case_id).where(*scope)
    by_kind = _counts(session, Case.kind, scope)
    on_time_rows: dict[str, dict[str, int]] = defaultdict(lambda: {"met": 0, "breached": 0})
    for kind, status, n in session.execute(
        clocks.where(Clock.status.in_(("met", "breached"))).group_by(Clock.kind, Clock.status)
    ):
        on_time_rows[str(kind)][str(status)] = int(n)
    on_time = {
        kind: OnTime(
            met=row["met"],
            breached=row["breached"],
            rate=(Decimal(row["met"]) / Decimal(row["met"] + row["breached"])).quantize(
                RATE_PLACES
            ),
        )
        for kind, row in sorted(on_time_rows.items())
    }
    overdue = session.scalar(overdue_query.where(Clock.status == "running", Clock.due_at < now))
    return Statistics(
        total=sum(by_kind.values()),
        by_kind=by_kind,
        by_state=_counts(session, Case.state, scope),
        by_service=_counts(session, Case.service_code, scope),
        by_region=_counts(session, Case.region, scope),
        on_time=on_time,
        overdue_running=int(overdue or 0),
    )
