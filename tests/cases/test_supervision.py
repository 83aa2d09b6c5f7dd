"""Supervision and reads: SLA scans, queues, lists, statistics, the outbox, query counts."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any

from cases_support import (
    BIRTH,
    BUSINESS,
    REGION,
    BundleDef,
    MemberDef,
    StatementCounter,
    applicant_actor,
    catalog_of,
    clerk,
    matter_request,
    newborn_request,
    reviewer,
    shanghai,
)
from sqlalchemy import Engine, select

from onething.cases import CaseService, SubmitRequest
from onething.cases.outbox import mark_sent, pending
from onething.kit.calendar import WorkingCalendar
from onething.kit.db import unit_of_work
from onething.models.cases import Case, CaseEvent

MONDAY = date(2025, 11, 3)


def _accepted(engine: Engine, service: CaseService, catalog: Any, code: str, dept: str) -> str:
    with unit_of_work(engine) as session:
        case = service.submit(
            session, clerk(dept), catalog, matter_request(code), at=shanghai(MONDAY, 9)
        )
        service.accept(session, clerk(dept), case.id, at=shanghai(MONDAY, 10))
        return case.id


def test_sla_scan_flags_yellow_then_red_once_each(
    engine: Engine, service: CaseService, catalog: Any, calendar: WorkingCalendar
) -> None:
    case_id = _accepted(engine, service, catalog, "business_licence", "market")  # promised 3
    due = calendar.add_working_days(MONDAY, 3).due
    assert due == date(2025, 11, 6)

    def scan(day: date, hour: int) -> list[tuple[str, str]]:
        with unit_of_work(engine) as session:
            flags = service.sla_scan(session, shanghai(day, hour))
        return [(f.clock, f.level) for f in flags]

    assert scan(MONDAY, 12) == []
    assert scan(date(2025, 11, 4), 12) == []  # two working days left
    assert scan(date(2025, 11, 5), 10) == [("promised", "yellow")]  # one working day left
    assert scan(date(2025, 11, 5), 15) == []
    assert scan(due, 17) == []  # still yellow, already flagged
    assert scan(date(2025, 11, 7), 9) == [("promised", "red")]
    assert scan(date(2025, 11, 7), 16) == []
    with unit_of_work(engine) as session:
        events = session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.action == "supervise")
        ).all()
        assert [(e.after or {}).get("level") for e in events] == ["yellow", "red"]
        assert {e.actor_role for e in events} == {"system"}
        queue = service.task_queue(
            session, department="market", region="370100", now=shanghai(date(2025, 11, 7), 16)
        )
        assert [(q.id, q.sla_level) for q in queue] == [(case_id, "red")]
        # an extension starts supervision over for the new due date
        service.extend_clock(
            session,
            reviewer("market"),
            case_id,
            clock="promised",
            days=2,
            reason="企业申请延期补充场地证明",
            at=shanghai(date(2025, 11, 7), 16),
        )
    assert scan(date(2025, 11, 7), 17) == [("promised", "yellow")]  # due 11-10, one day left


def test_the_task_queue_is_the_department_s_work_most_urgent_first(
    engine: Engine, service: CaseService, catalog: Any
) -> None:
    late = _accepted(engine, service, catalog, "business_licence", "market")  # due in 3
    with unit_of_work(engine) as session:
        request = matter_request("business_licence")
        fresh = service.submit(
            session, clerk("market"), catalog, request, at=shanghai(MONDAY, 11)
        ).id
        service.submit(session, clerk("health"), catalog, matter_request("birth_certificate"))
        queue = service.task_queue(
            session, department="market", region=REGION, now=shanghai(MONDAY, 12)
        )
        intake = service.task_queue(session, department="market", region=REGION, state="submitted")
        elsewhere = service.task_queue(session, department="market", region="370202")
    assert [q.id for q in queue] == [late, fresh]  # a running clock first, then by arrival
    assert queue[0].due_at is not None
    assert queue[1].due_at is None
    assert "*" in queue[0].applicant_id  # masked
    assert [q.id for q in intake] == [fresh]
    assert elsewhere == []


def test_an_applicant_lists_their_own_cases(
    engine: Engine, service: CaseService, catalog: Any
) -> None:
    with unit_of_work(engine) as session:
        service.submit(session, applicant_actor(), catalog, newborn_request(), at=shanghai(MONDAY))
        licence = matter_request("business_licence")
        service.submit(session, applicant_actor(), catalog, licence, at=shanghai(MONDAY, 11))
        mine = service.list_cases(
            session,
            applicant_actor(),
            applicant_kind="person",
            applicant_id=applicant_actor().person,
        )
    assert [(c.service_code, c.children) for c in mine] == [("business_licence", 0), ("newborn", 3)]
    assert mine[1].state_label == "办理中"


def test_statistics_match_an_independent_count(
    engine: Engine, service: CaseService, catalog: Any, calendar: WorkingCalendar
) -> None:
    fast = _accepted(engine, service, catalog, "business_licence", "market")
    slow = _accepted(engine, service, catalog, "business_licence", "market")
    refused = "-"
    with unit_of_work(engine) as session:
        for case_id, day in ((fast, date(2025, 11, 4)), (slow, date(2025, 11, 10))):
            service.start_review(session, reviewer("market"), case_id, at=shanghai(day, 10))
            service.conclude(
                session, reviewer("market"), case_id, outcome="granted", at=shanghai(day, 11)
            )
        other = SubmitRequest.model_validate(
            {**matter_request().model_dump(), "region": "370103"}  # 市中区
        )
        service.submit(session, clerk("health"), catalog, other, at=shanghai(MONDAY))
        refused = service.submit(session, clerk("health"), catalog, matter_request()).id
        service.refuse(session, clerk("health"), refused, reason="非本机关受理范围")
        service.submit(session, applicant_actor(), catalog, newborn_request(), at=shanghai(MONDAY))
        stats = service.statistics(session, now=shanghai(date(2025, 11, 20)))
        rows = session.scalars(select(Case)).all()
    # by hand: promised 3 working days from 11-03 is 11-06, so the case concluded on 11-10
    # is late; both met the 15-day legal term; the bundle's 10-day promise (due 11-17) runs
    assert calendar.add_working_days(MONDAY, 3).due == date(2025, 11, 6)
    assert calendar.add_working_days(MONDAY, 10).due == date(2025, 11, 17)
    assert stats.on_time["promised"].model_dump() == {
        "met": 1,
        "breached": 1,
        "rate": Decimal("0.5000"),
    }
    assert stats.on_time["legal"].model_dump() == {"met": 2, "breached": 0, "rate": Decimal("1")}
    assert stats.overdue_running == 1
    assert stats.total == len(rows) == 2 + 1 + 1 + 4
    assert stats.by_state == dict(Counter(r.state for r in rows))
    assert stats.by_state["concluded"] == 2
    assert stats.by_state["waiting"] == 2
    assert stats.by_service == dict(Counter(r.service_code for r in rows))
    assert stats.by_region == {"370102": 7, "370103": 1}
    assert stats.by_kind == {"application": 7, "bundle": 1}


def test_the_outbox_is_read_and_marked_by_a_worker(
    engine: Engine, service: CaseService, catalog: Any
) -> None:
    case_id = _accepted(engine, service, catalog, "birth_certificate", "health")
    with unit_of_work(engine) as session:
        service.start_review(session, reviewer("health"), case_id)
        service.conclude(session, reviewer("health"), case_id, outcome="denied")
    with unit_of_work(engine) as session:
        (message,) = pending(session)
        assert message.payload["message_key"] == "cases.notice.result"
        assert mark_sent(session, [message.id], at=shanghai(MONDAY, 18)) == 1
    with unit_of_work(engine) as session:
        assert pending(session) == []
        assert mark_sent(session, [message.id], at=shanghai(MONDAY, 19)) == 0


def _bundle(size: int) -> BundleDef:
    """A chain of ``size`` members, each taking the previous one's output."""
    members = [MemberDef("birth_certificate")]
    codes = ["birth_certificate", *[f"m{i}" for i in range(1, size)]]
    for previous, code in itertools.pairwise(codes):
        members.append(MemberDef(code, inputs={"in": f"{previous}.out"}))
    return BundleDef("chain", "链式一件事", "gov_service_office", 10, tuple(members))


def test_submission_and_status_tree_do_not_grow_queries_with_the_bundle(
    engine: Engine, service: CaseService
) -> None:
    """Each step runs in its own unit of work, as a request would, and is counted."""
    from cases_support import MatterDef

    def counted(step: Any) -> tuple[Any, StatementCounter]:
        with unit_of_work(engine) as session, StatementCounter(engine) as counter:
            result = step(session)
        return result, counter

    counts = []
    for size in (2, 6):
        extra = [MatterDef(f"m{i}", f"事项{i}", "health", 10, 5) for i in range(1, size)]
        catalog = catalog_of(BIRTH, BUSINESS, *extra, _bundle(size))
        request = newborn_request(service_code="chain")
        parent_id, submit = counted(
            lambda s, c=catalog, r=request: service.submit(s, applicant_actor(), c, r).id
        )
        status, tree = counted(lambda s, p=parent_id: service.get_case(s, applicant_actor(), p))
        assert len(status.children) == size
        first = status.children[0].case.id
        counted(lambda s, f=first: service.accept(s, clerk("health"), f))
        counted(lambda s, f=first: service.start_review(s, reviewer("health"), f))
        _, conclude = counted(
            lambda s, f=first: service.conclude(
                s, reviewer("health"), f, outcome="granted", outputs={"out": 1}
            )
        )
        with unit_of_work(engine) as session:
            released = session.get(Case, status.children[1].case.id)
            assert released is not None
            assert released.state == "submitted"
        counts.append((submit, tree, conclude))
    for small, large in zip(*counts, strict=True):
        assert small.shape() == large.shape(), (small.statements, large.statements)
        if engine.dialect.name == "postgresql":
            assert small.count == large.count
    small_submit, small_tree, _ = counts[0]
    # the case, its children, their (absent) children, clocks, ledgers, events, evaluations
    assert small_tree.count == 7
    # a submission only inserts, no ids read back: on PostgreSQL in one statement (the
    # inserts as its CTEs), elsewhere one per table (cases, events, audit rows, clocks,
    # ledger lines)
    if engine.dialect.name == "postgresql":
        assert small_submit.count == 1, small_submit.statements
        assert small_submit.statements[0].lstrip().upper().startswith("WITH")
    else:
        assert small_submit.shape()[0] == 0
        assert small_submit.count == 5, small_submit.statements
