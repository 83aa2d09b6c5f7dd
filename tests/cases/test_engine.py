"""The case engine's rules on SQLite and PostgreSQL: transitions, guards, permissions,
optimistic locking, idempotency, bundle failures and planning."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from cases_support import (
    BIRTH,
    BUSINESS,
    ENTERPRISE_ID,
    HOUSEHOLD,
    INSURANCE,
    MOTHER_ID,
    BundleDef,
    MemberDef,
    applicant_actor,
    catalog_of,
    clerk,
    count_rows,
    history,
    matter_request,
    newborn_request,
    reviewer,
    shanghai,
)
from sqlalchemy import Engine, select

from onething.cases import (
    Actor,
    CaseService,
    CaseSnapshot,
    Finding,
    GuardBlocked,
    SubmitRequest,
    Transition,
    TransitionRefused,
)
from onething.kit.calendar import WorkingCalendar
from onething.kit.db import unit_of_work
from onething.kit.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from onething.models.audit import AuditEvent
from onething.models.cases import Case, CaseEvent, IdempotencyKey, OutboxMessage

DAY = date(2025, 11, 3)  # a Monday


def _submit_matter(engine: Engine, service: CaseService, catalog: Any, **form: Any) -> str:
    with unit_of_work(engine) as session:
        case = service.submit(
            session,
            clerk("health"),
            catalog,
            matter_request("birth_certificate", **form),
            at=shanghai(DAY, 9),
        )
        return case.id


def _to_review(engine: Engine, service: CaseService, case_id: str) -> None:
    with unit_of_work(engine) as session:
        service.accept(session, clerk("health"), case_id, at=shanghai(DAY, 10))
        service.start_review(session, reviewer("health"), case_id, at=shanghai(DAY, 11))


# -- transitions ----------------------------------------------------------------------------


def test_an_undeclared_transition_is_refused_naming_the_allowed_ones(
    engine: Engine, service: CaseService, catalog: Any
) -> None:
    case_id = _submit_matter(engine, service, catalog)
    with pytest.raises(TransitionRefused) as caught, unit_of_work(engine) as session:
        service.conclude(session, reviewer("health"), case_id, outcome="granted")
    error = caught.value
    assert isinstance(error, Conflict)
    assert error.status == 409
    assert error.state == "submitted"
    assert set(error.allowed) == {"accept", "refuse", "request_correction"}
    assert error.errors == [
        {"state": "submitted", "action": "conclude", "allowed_actions": list(error.allowed)}
    ]
    zh = error.message("zh-CN")
    assert "待受理" in zh
    assert "办结" in zh
    assert all(label in zh for label in ("受理", "不予受理", "要求补正"))
    assert "awaiting acceptance" in error.message("en")


def test_roles_departments_and_regions_are_checked(
    engine: Engine, service: CaseService, catalog: Any
) -> None:
    case_id = _submit_matter(engine, service, catalog)
    with pytest.raises(PermissionDenied, match="applicant"), unit_of_work(engine) as session:
        service.accept(session, applicant_actor(), case_id)
    with pytest.raises(PermissionDenied, match="police"), unit_of_work(engine) as session:
        service.accept(session, clerk("police"), case_id)
    with pytest.raises(PermissionDenied, match="370202"), unit_of_work(engine) as session:
        service.accept(session, clerk("health", region="370202"), case_id)  # Qingdao
    with unit_of_work(engine) as session:  # a Jinan city clerk covers Lixia district
        assert service.accept(session, clerk("health", region="370100"), case_id).state == (
            "accepted"
        )


def test_a_correction_returns_to_the_state_it_interrupted(
    engine: Engine, service: CaseService, catalog: Any
) -> None:
    case_id = _submit_matter(engine, service, catalog)
    with unit_of_work(engine) as session:
        service.request_correction(session, clerk("health"), case_id, missing="缺少照片")
        service.resubmit(session, applicant_actor(), case_id)
        assert session.get(Case, case_id).state == "submitted"  # type: ignore[union-attr]
    _to_review(engine, service, case_id)
    with unit_of_work(engine) as session:
        service.request_correction(session, reviewer("health"), case_id, missing="照片不清晰")
        case = service.resubmit(session, clerk("health"), case_id)  # at the counter
        assert (case.state, case.held_from) == ("under_review", None)


def test_the_reasons_of_a_refusal_are_required(
    engine: Engine, service: CaseService, catalog: Any
) -> None:
    case_id = _submit_matter(engine, service, catalog)
    with pytest.raises(GuardBlocked) as caught, unit_of_work(engine) as session:
        service.refuse(session, clerk("health"), case_id, reason="  ")
    assert caught.value.findings[0]["code"] == "cases.guard.note_required"
    assert "不予受理" in caught.value.message("zh-CN")


# -- pluggable guards -----------------------------------------------------------------------


def bank_account_for_grants(
    case: CaseSnapshot, transition: Transition, actor: Actor
) -> list[Finding]:
    """A payout is granted only to a bank account on the form; a missing mobile is a warning."""
    form = case.data.get("form", {})
    found: list[Finding] = []
    if (
        transition.action == "conclude"
        and case.proposed.get("outcome") == "granted"
        and not form.get("bank_account")
    ):
        found.append(
            Finding(
                "block",
                "payout.bank_account",
                "准予前须有申请人本人的银行账户",
                {"field": "bank_account", "value": None},
            )
        )
    if transition.action == "accept" and not form.get("mobile"):
        found.append(Finding("warn", "contact.mobile", "未留手机号，结果只能现场送达"))
    return found


def test_a_block_finding_refuses_with_its_explanation_and_writes_nothing(
    engine: Engine, calendar: WorkingCalendar, catalog: Any
) -> None:
    service = CaseService(calendar=calendar, guards=(bank_account_for_grants,))
    case_id = _submit_matter(engine, service, catalog)
    _to_review(engine, service, case_id)
    with unit_of_work(engine) as session:
        before = history(session)
        version = session.get(Case, case_id).version  # type: ignore[union-attr]

    with pytest.raises(GuardBlocked) as caught, unit_of_work(engine) as session:
        try:
            service.conclude(session, reviewer("health"), case_id, outcome="granted")
        finally:
            case = session.get(Case, case_id)
            assert case is not None
            assert (case.state, case.outcome) == ("under_review", None)
            assert not [o for o in session.new if isinstance(o, CaseEvent | AuditEvent)]
    error = caught.value
    assert error.status == 409
    assert error.findings == [
        {
            "severity": "block",
            "code": "payout.bank_account",
            "message": "准予前须有申请人本人的银行账户",
            "explanation": {"field": "bank_account", "value": None},
        }
    ]
    assert "准予前须有申请人本人的银行账户" in error.message("zh-CN")
    with unit_of_work(engine) as session:
        assert history(session) == before
        assert session.get(Case, case_id).version == version  # type: ignore[union-attr]
        # denying needs no bank account: the same guard lets it through
        service.conclude(session, reviewer("health"), case_id, outcome="denied")


def test_a_warn_finding_is_recorded_on_the_event_and_the_audit_row(
    engine: Engine, calendar: WorkingCalendar, catalog: Any
) -> None:
    service = CaseService(calendar=calendar, guards=(bank_account_for_grants,))
    case_id = _submit_matter(engine, service, catalog)
    with unit_of_work(engine) as session:
        service.accept(session, clerk("health"), case_id)
    with unit_of_work(engine) as session:
        accept = session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.action == "accept")
        ).one()
        audit = session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_id == case_id, AuditEvent.action == "cases.accept"
            )
        ).one()
        assert session.get(Case, case_id).state == "accepted"  # type: ignore[union-attr]
    warning = {
        "severity": "warn",
        "code": "contact.mobile",
        "message": "未留手机号，结果只能现场送达",
        "explanation": {},
    }
    assert accept.findings == [warning]
    assert audit.after is not None
    assert audit.after["findings"] == [warning]
    assert audit.actor == "clerk:health-c-01@health/370102"


# -- optimistic locking ---------------------------------------------------------------------


def test_a_stale_version_is_a_conflict(engine: Engine, service: CaseService, catalog: Any) -> None:
    case_id = _submit_matter(engine, service, catalog)
    with unit_of_work(engine) as session:
        seen = session.get(Case, case_id).version  # type: ignore[union-attr]
    with unit_of_work(engine) as session:
        service.accept(session, clerk("health"), case_id, version=seen)
    with pytest.raises(Conflict) as caught, unit_of_work(engine) as session:
        service.start_review(session, reviewer("health"), case_id, version=seen)
    assert caught.value.status == 409
    assert caught.value.key == "cases.stale_version"


def test_a_concurrent_change_is_caught_at_flush(
    engine: Engine, service: CaseService, catalog: Any
) -> None:
    case_id = _submit_matter(engine, service, catalog)
    with unit_of_work(engine) as first:
        service.accept(first, clerk("health"), case_id)
    # a second clerk loaded the case before the first committed …
    with pytest.raises(Conflict) as caught, unit_of_work(engine) as second:
        stale = second.get(Case, case_id)
        assert stale is not None
        with unit_of_work(engine) as third:
            service.start_review(third, reviewer("health"), case_id)
        # … and now acts on the version it saw
        service.request_correction(second, reviewer("health"), case_id, missing="缺少材料")
    assert caught.value.key == "cases.concurrent_change"
    with unit_of_work(engine) as session:
        assert session.get(Case, case_id).state == "under_review"  # type: ignore[union-attr]


# -- idempotency ----------------------------------------------------------------------------


def test_an_idempotent_submission_returns_the_same_case(
    engine: Engine, service: CaseService, catalog: Any
) -> None:
    actor = applicant_actor()
    with unit_of_work(engine) as session:
        first = service.submit(session, actor, catalog, newborn_request(), idempotency_key="k-1")
        first_id = first.id
    with unit_of_work(engine) as session:
        before = history(session)
        again = service.submit(session, actor, catalog, newborn_request(), idempotency_key="k-1")
        assert again.id == first_id
    with unit_of_work(engine) as session:
        assert history(session) == before
    changed = newborn_request(form={"child.name": "李小红"})
    with pytest.raises(Conflict) as caught, unit_of_work(engine) as session:
        service.submit(session, actor, catalog, changed, idempotency_key="k-1")
    assert caught.value.key == "cases.idempotency.mismatch"
    with unit_of_work(engine) as session:
        # the key is scoped to who sent it: a clerk's "k-1" is another submission
        other = service.submit(
            session, clerk("gov_service_office"), catalog, newborn_request(), idempotency_key="k-1"
        )
        assert other.id != first_id
        assert other.assisted_by == "gov_service_office-c-01"
        assert count_rows(session, IdempotencyKey) == 2


def test_submissions_check_the_applicant_and_the_region(
    engine: Engine, service: CaseService, catalog: Any
) -> None:
    bad_id = MOTHER_ID[:-1] + ("0" if MOTHER_ID[-1] != "0" else "1")
    with pytest.raises(InvalidInput) as caught, unit_of_work(engine) as session:
        service.submit(
            session,
            clerk("health"),
            catalog,
            newborn_request(applicant={"kind": "person", "id": bad_id}),
        )
    assert caught.value.errors[0]["field"] == "applicant.id"
    with pytest.raises(InvalidInput, match="999999"), unit_of_work(engine) as session:
        service.submit(session, clerk("health"), catalog, newborn_request(region="999999"))
    with pytest.raises(PermissionDenied), unit_of_work(engine) as session:
        service.submit(session, applicant_actor(ENTERPRISE_ID), catalog, newborn_request())
    with pytest.raises(NotFound), unit_of_work(engine) as session:
        service.submit(session, clerk("health"), catalog, matter_request("no_such_matter"))
    with unit_of_work(engine) as session:
        enterprise = SubmitRequest.model_validate(
            {
                "service_code": "business_licence",
                "applicant": {"kind": "enterprise", "id": ENTERPRISE_ID},
                "region": "370102",
                "submission_region": "370202",  # 跨域通办: submitted in Qingdao
                "channel": "kiosk",
            }
        )
        case = service.submit(session, applicant_actor(ENTERPRISE_ID), catalog, enterprise)
        assert (case.applicant_kind, case.submission_region) == ("enterprise", "370202")
        assert history(session)[0] == 1


# -- bundles --------------------------------------------------------------------------------


def test_a_denied_member_cancels_its_dependants_and_the_bundle_still_concludes_once(
    engine: Engine, service: CaseService, catalog: Any
) -> None:
    with unit_of_work(engine) as session:
        parent_id = service.submit(session, applicant_actor(), catalog, newborn_request()).id
    with unit_of_work(engine) as session:
        birth = session.scalars(
            select(Case).where(
                Case.parent_id == parent_id, Case.service_code == "birth_certificate"
            )
        ).one()
        service.accept(session, clerk("health"), birth.id)
        service.start_review(session, reviewer("health"), birth.id)
        service.conclude(session, reviewer("health"), birth.id, outcome="denied", note="非本院出生")
    with unit_of_work(engine) as session:
        children = session.scalars(select(Case).where(Case.parent_id == parent_id)).all()
        assert {c.service_code: c.state for c in children} == {
            "birth_certificate": "concluded",
            "household_registration": "cancelled",
            "resident_medical_insurance": "cancelled",  # cancelled in turn
        }
        parent = session.get(Case, parent_id)
        assert parent is not None
        assert (parent.state, parent.outcome) == ("concluded", "denied")
        assert count_rows(session, OutboxMessage) == 1
        cancel = session.scalars(
            select(CaseEvent).where(CaseEvent.action == "cancel").order_by(CaseEvent.id)
        ).first()
        assert cancel is not None
        assert "出生医学证明" in (cancel.note or "")


def test_a_member_refused_at_intake_makes_the_bundle_partial(
    engine: Engine, service: CaseService
) -> None:
    parallel = BundleDef(
        "enterprise_hiring",
        "员工录用一件事",
        "gov_service_office",
        5,
        (MemberDef("birth_certificate"), MemberDef("business_licence")),
    )
    catalog = catalog_of(BIRTH, BUSINESS, parallel)
    with unit_of_work(engine) as session:
        parent_id = service.submit(
            session, applicant_actor(), catalog, newborn_request(service_code="enterprise_hiring")
        ).id
    with unit_of_work(engine) as session:
        first, second = sorted(
            session.scalars(select(Case).where(Case.parent_id == parent_id)).all(),
            key=lambda c: c.service_code,
        )
        assert (first.state, second.state) == ("submitted", "submitted")  # both start at once
        service.refuse(session, clerk("health"), first.id, reason="不属于本机关职权范围")
        service.accept(session, clerk("market"), second.id)
        service.start_review(session, reviewer("market"), second.id)
        service.conclude(session, reviewer("market"), second.id, outcome="granted")
    with unit_of_work(engine) as session:
        parent = session.get(Case, parent_id)
        assert parent is not None
        assert (parent.state, parent.outcome) == ("concluded", "partial")
        (notice,) = session.scalars(select(OutboxMessage)).all()
        assert {m["state"] for m in notice.payload["members"]} == {"refused", "concluded"}


def test_granting_a_member_requires_the_outputs_its_dependants_read(
    engine: Engine, service: CaseService, catalog: Any
) -> None:
    with unit_of_work(engine) as session:
        parent_id = service.submit(session, applicant_actor(), catalog, newborn_request()).id
    with pytest.raises(InvalidInput) as caught, unit_of_work(engine) as session:
        birth = session.scalars(
            select(Case).where(
                Case.parent_id == parent_id, Case.service_code == "birth_certificate"
            )
        ).one()
        service.accept(session, clerk("health"), birth.id)
        service.start_review(session, reviewer("health"), birth.id)
        service.conclude(session, reviewer("health"), birth.id, outcome="granted", outputs={})
    assert caught.value.errors == [{"field": "outputs.certificate_no"}]


@pytest.mark.parametrize(
    ("members", "key", "fragment"),
    [
        (
            (MemberDef("birth_certificate", depends_on=("household_registration",)),
             MemberDef("household_registration", inputs={"x": "birth_certificate.no"})),
            "cases.bundle.cycle",
            "→",
        ),
        ((MemberDef("birth_certificate", depends_on=("nowhere",)),),
         "cases.bundle.unknown_dependency", "nowhere"),
        ((MemberDef("birth_certificate", inputs={"x": "no_dot"}),), "cases.bundle.bad_input", "x"),
        ((MemberDef("birth_certificate"), MemberDef("birth_certificate")),
         "cases.bundle.duplicate_member", "birth_certificate"),
    ],
)  # fmt: skip
def test_a_broken_bundle_is_refused_before_anything_is_written(
    engine: Engine,
    service: CaseService,
    members: tuple[MemberDef, ...],
    key: str,
    fragment: str,
) -> None:
    broken = BundleDef("broken", "坏的一件事", "gov_service_office", 5, members)
    catalog = catalog_of(BIRTH, HOUSEHOLD, INSURANCE, broken)
    with pytest.raises(InvalidInput) as caught, unit_of_work(engine) as session:
        service.submit(session, applicant_actor(), catalog, newborn_request(service_code="broken"))
    assert caught.value.key == key
    assert fragment in caught.value.message("en")
    with unit_of_work(engine) as session:
        assert history(session) == (0, 0, 0)


def test_a_stand_alone_case_sends_its_own_result_notice(
    engine: Engine, service: CaseService, catalog: Any
) -> None:
    case_id = _submit_matter(engine, service, catalog)
    _to_review(engine, service, case_id)
    with unit_of_work(engine) as session:
        service.conclude(
            session, reviewer("health"), case_id, outcome="granted", outputs={"certificate_no": "1"}
        )
    with unit_of_work(engine) as session:
        (notice,) = session.scalars(select(OutboxMessage)).all()
        assert (notice.case_id, notice.payload["outcome"], notice.status) == (
            case_id,
            "granted",
            "pending",
        )
        assert notice.payload["outputs"] == {"certificate_no": "1"}


def test_evaluations_are_once_per_case_and_good_ones_open_nothing(
    engine: Engine, service: CaseService, catalog: Any
) -> None:
    case_id = _submit_matter(engine, service, catalog)
    _to_review(engine, service, case_id)
    with unit_of_work(engine) as session:
        service.conclude(session, reviewer("health"), case_id, outcome="granted")
        evaluation = service.evaluate(session, applicant_actor(), case_id, level=5)
        assert evaluation.rectification_id is None
    with pytest.raises(Conflict) as caught, unit_of_work(engine) as session:
        service.evaluate(session, applicant_actor(), case_id, level=1)
    assert caught.value.key == "cases.evaluation.exists"
    with pytest.raises(InvalidInput), unit_of_work(engine) as session:
        service.evaluate(session, applicant_actor(), case_id, level=6)
    with unit_of_work(engine) as session:
        assert {c.kind for c in session.scalars(select(Case))} == {"application"}


def test_the_real_catalog_models_plug_in(engine: Engine, service: CaseService) -> None:
    from onething.catalog.models import Bundle, BundleMember, Catalog, Matter, Source

    source = Source(source="test fixture", confidence="placeholder")

    def matter(code: str, name: str, department: str) -> Matter:
        return Matter(
            code=code,
            name=name,
            department=department,
            legal_limit_days=20,
            promised_limit_days=5,
            limits_source=source,
            source=source,
            legal_basis=source,
            outputs=["certificate_no"],
        )

    catalog = Catalog(
        matters=[
            matter("birth_certificate", "出生医学证明", "health"),
            matter("household_registration", "出生登记", "police"),
        ],
        bundles=[
            Bundle(
                code="newborn",
                name="新生儿出生一件事",
                lead_department="gov_service_office",
                promised_limit_days=10,
                limits_source=source,
                source=source,
                members=[
                    BundleMember(matter="birth_certificate"),
                    BundleMember(
                        matter="household_registration",
                        inputs={"child.certificate_no": "birth_certificate.certificate_no"},
                    ),
                ],
            )
        ],
    )
    with unit_of_work(engine) as session:
        parent = service.submit(session, applicant_actor(), catalog, newborn_request())
        children = session.scalars(select(Case).where(Case.parent_id == parent.id)).all()
        assert sorted((c.service_code, c.state) for c in children) == [
            ("birth_certificate", "submitted"),
            ("household_registration", "waiting"),
        ]
