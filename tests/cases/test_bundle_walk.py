"""A newborn bundle (一件事) walked end to end on SQLite and PostgreSQL.

Birth certificate -> household registration (takes the certificate number) -> medical
insurance (takes the household number): one submission, children in dependency order,
inputs flowing, a correction pausing the clock across the National Day holidays, the
parent concluding with exactly one notice, a bad rating opening a rectification.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from cases_support import (
    MOTHER_ID,
    TinyCatalog,
    applicant_actor,
    clerk,
    newborn_request,
    reviewer,
    shanghai,
    supervisor,
)
from sqlalchemy import Engine, select

from onething.cases import CaseService
from onething.kit.calendar import WorkingCalendar
from onething.kit.db import unit_of_work
from onething.models.audit import AuditEvent
from onething.models.cases import Case, CaseEvent, Clock, OutboxMessage

SUBMITTED = date(2025, 9, 25)  # Thursday
ACCEPTED = date(2025, 9, 26)  # Friday; 2025-09-28 (Sunday) is a make-up working day
PAUSED = date(2025, 9, 29)  # Monday
RESUMED = date(2025, 10, 9)  # Thursday, after the National Day / Mid-autumn holidays


def _clock(session, case_id: str, name: str) -> Clock:  # type: ignore[no-untyped-def]
    return session.scalars(select(Clock).where(Clock.case_id == case_id, Clock.name == name)).one()


def _walk(  # type: ignore[no-untyped-def]
    service: CaseService, session, case_id: str, department: str, day: date, outputs: dict
) -> None:
    service.accept(session, clerk(department), case_id, at=shanghai(day, 9))
    service.start_review(session, reviewer(department), case_id, at=shanghai(day, 10))
    service.conclude(
        session,
        reviewer(department),
        case_id,
        outcome="granted",
        outputs=outputs,
        at=shanghai(day, 11),
    )


def test_newborn_bundle_end_to_end(
    engine: Engine, service: CaseService, catalog: TinyCatalog, calendar: WorkingCalendar
) -> None:
    # -- one submission: a parent and three children, in dependency order ------------------
    with unit_of_work(engine) as session:
        parent = service.submit(
            session, applicant_actor(), catalog, newborn_request(), at=shanghai(SUBMITTED)
        )
        parent_id = parent.id
    with unit_of_work(engine) as session:
        tree = service.get_case(session, applicant_actor(), parent_id)
    assert tree.case.kind == "bundle"
    assert tree.case.state == "in_progress"
    assert tree.case.department == "gov_service_office"
    assert [(c.case.service_code, c.case.state) for c in tree.children] == [
        ("birth_certificate", "submitted"),
        ("household_registration", "waiting"),
        ("resident_medical_insurance", "waiting"),
    ]
    birth, household, insurance = (c.case.id for c in tree.children)
    # the bundle's promised term runs from the submission
    (promise,) = tree.clocks
    assert promise.due_date == calendar.add_working_days(SUBMITTED, 10).due

    # -- birth certificate: accepted, corrected across the holidays, granted ---------------
    with unit_of_work(engine) as session:
        service.accept(session, clerk("health"), birth, at=shanghai(ACCEPTED, 11))
        due_before = _clock(session, birth, "promised").due_at
    assert due_before is not None
    due_date_before = calendar.add_working_days(ACCEPTED, 5).due
    assert due_date_before == date(2025, 10, 10)  # 9-28 (调休), 9-29, 9-30, 10-9, 10-10
    assert due_before == calendar.closing_time(due_date_before)

    with unit_of_work(engine) as session:
        service.request_correction(
            session, reviewer("health"), birth, missing="缺少父亲身份证明", at=shanghai(PAUSED, 15)
        )
        assert _clock(session, birth, "legal").status == "paused"
        assert _clock(session, birth, "promised").status == "paused"
    with unit_of_work(engine) as session:
        service.resubmit(
            session,
            applicant_actor(),
            birth,
            form={"father.id_number": "已补交"},
            at=shanghai(RESUMED, 9, 30),
        )
        after_resume = service.get_case(session, applicant_actor(), birth)
    assert after_resume.case.state == "accepted"  # back where the correction found it
    paused_days = calendar.working_days_between(PAUSED, RESUMED)
    assert paused_days == 2  # 9-30 and 10-9; 10-1 … 10-8 are holidays
    promised = next(c for c in after_resume.clocks if c.name == "promised")
    assert promised.status == "running"
    assert promised.paused == str(paused_days)
    assert promised.due_date == calendar.add_working_days(due_date_before, paused_days).due
    assert promised.due_date == date(2025, 10, 13)  # 10-11 is a make-up working day
    assert any("缺少父亲身份证明" in line for line in promised.explanation)
    assert after_resume.case.data["form"]["father.id_number"] == "已补交"

    with unit_of_work(engine) as session:
        service.start_review(session, reviewer("health"), birth, at=shanghai(RESUMED, 10))
        service.conclude(
            session,
            reviewer("health"),
            birth,
            outcome="granted",
            outputs={"certificate_no": "S370102250001"},
            at=shanghai(RESUMED, 16),
        )
    with unit_of_work(engine) as session:
        states = {c.id: c for c in session.scalars(select(Case).where(Case.parent_id == parent_id))}
        assert states[birth].state == "concluded"
        assert states[household].state == "submitted"  # released into the police queue
        assert states[household].data["inputs"] == {"child.birth_certificate_no": "S370102250001"}
        assert states[insurance].state == "waiting"
        assert session.scalars(select(OutboxMessage)).all() == []  # no notice per member

    # -- household registration, then medical insurance -------------------------------------
    with unit_of_work(engine) as session:
        _walk(service, session, household, "police", date(2025, 10, 13), {"household_no": "H-77"})
    with unit_of_work(engine) as session:
        ins = session.get(Case, insurance)
        assert ins is not None
        assert ins.state == "submitted"
        assert ins.data["inputs"] == {"child.household_no": "H-77"}
        assert session.get(Case, parent_id).state == "in_progress"  # type: ignore[union-attr]
    with unit_of_work(engine) as session:
        _walk(service, session, insurance, "medical", date(2025, 10, 14), {"card": "ok"})

    # -- the parent concludes; exactly one result notice -----------------------------------
    with unit_of_work(engine) as session:
        concluded = session.get(Case, parent_id)
        assert concluded is not None
        assert (concluded.state, concluded.outcome) == ("concluded", "granted")
        notices = session.scalars(select(OutboxMessage)).all()
        assert len(notices) == 1
        (notice,) = notices
        assert notice.case_id == parent_id
        assert notice.recipient == f"person:{MOTHER_ID}"
        assert [m["service_code"] for m in notice.payload["members"]] == [
            "birth_certificate",
            "household_registration",
            "resident_medical_insurance",
        ]
        assert _clock(session, parent_id, "promised").status == "met"

    with unit_of_work(engine) as session:
        service.deliver(
            session, clerk("gov_service_office"), parent_id, at=shanghai(date(2025, 10, 15))
        )

    # -- a bad rating opens a rectification due in 5 working days, and a callback ----------
    rated = date(2025, 10, 16)
    with unit_of_work(engine) as session:
        evaluation = service.evaluate(
            session, applicant_actor(), parent_id, level=2, comment="跑了两趟", at=shanghai(rated)
        )
        rectification_id = evaluation.rectification_id
    assert rectification_id is not None
    with unit_of_work(engine) as session:
        rect_tree = service.get_case(session, supervisor(), rectification_id)
    assert rect_tree.case.kind == "rectification"
    assert rect_tree.case.origin_id == parent_id
    assert rect_tree.case.department == "gov_service_office"  # whoever handled it
    (term,) = rect_tree.clocks
    assert term.due_date == calendar.add_working_days(rated, 5).due
    (callback,) = rect_tree.children
    assert (callback.case.kind, callback.case.state) == ("callback", "waiting")

    with unit_of_work(engine) as session:
        service.rectify(
            session,
            reviewer("gov_service_office"),
            rectification_id,
            note="已指定专人跟进并致电说明",
            at=shanghai(date(2025, 10, 17)),
        )
    with unit_of_work(engine) as session:
        done = service.get_case(session, supervisor(), rectification_id)
        assert done.case.state == "rectified"
        assert done.clocks[0].status == "met"
        assert done.children[0].case.state == "open"
        service.record_callback(
            session,
            supervisor(),
            callback.case.id,
            satisfaction="satisfied",
            note="申请人表示满意",
            at=shanghai(date(2025, 10, 20)),
        )

    # -- the history: events numbered per case, one audit row per event --------------------
    with unit_of_work(engine) as session:
        events = session.scalars(select(CaseEvent).order_by(CaseEvent.id)).all()
        audits = session.scalars(select(AuditEvent)).all()
        per_case: dict[str, list[int]] = {}
        for e in events:
            per_case.setdefault(e.case_id, []).append(e.seq)
        assert all(seqs == list(range(1, len(seqs) + 1)) for seqs in per_case.values())
        assert Counter((e.case_id, f"cases.{e.action}") for e in events) == Counter(
            (a.entity_id, a.action) for a in audits
        )
        parent_actions = [e.action for e in events if e.case_id == parent_id]
        assert parent_actions == [
            "submit",
            "progress",
            "progress",
            "progress",
            "conclude",
            "deliver",
            "evaluate",
        ]
