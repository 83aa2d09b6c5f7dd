"""The case engine: :class:`CaseService` and its verbs.

Here: submit (and submit_once), accept, refuse, request_correction, resubmit, start_review,
conclude, deliver, extend_clock, and the reads. In :mod:`.evaluation`: evaluate, rectify,
record_callback. In :mod:`.supervision`: sla_scan, recompute_clocks. In
:mod:`.materials`: check_upload, attach_material, read_material. Shared steps and the
configuration: :mod:`.base`.

Each verb takes a ``Session`` and an :class:`~onething.cases.actors.Actor`, never commits
(the request, job or command boundary does: ``onething.kit.db.unit_of_work``), and makes
every change through :func:`onething.cases.transitions.perform`, which writes the case
event and the audit row in the same transaction. Verbs that act on an existing case take
``version`` — the version the caller last saw (HTTP ``If-Match``) — and refuse a stale one
with ``Conflict``; a concurrent change caught at flush is a ``Conflict`` too.

``at`` (an aware datetime, default now) is when the step happens: clocks are counted from
it. Reads (status tree, lists, queues, statistics) are in :mod:`onething.cases.queries`
and exposed here for one entry point.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from onething.cases import queries
from onething.cases.actors import Actor
from onething.cases.base import Written, flush_now, moment, verb
from onething.cases.bundles import load_children, plan_bundle, required_outputs, settle
from onething.cases.clocks import (
    ClockReading,
    ClockSpec,
    Ledger,
    LedgerLine,
    load_ledgers,
    read_clock,
)
from onething.cases.definitions import BundleDefinition, MatterDefinition, ServiceCatalog
from onething.cases.evaluation import EvaluationVerbs
from onething.cases.materials import MaterialVerbs
from onething.cases.outbox import enqueue_result_notice
from onething.cases.schemas import (
    Applicant,
    CaseSummary,
    CaseTree,
    Outcome,
    QueueItem,
    Statistics,
    SubmitRequest,
)
from onething.cases.states import APPLICATION, BUNDLE
from onething.cases.supervision import SupervisionVerbs
from onething.kit.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from onething.kit.i18n import DEFAULT_LOCALE, translate
from onething.kit.ids import area_name, validate_credit_code, validate_resident_id
from onething.models.cases import Case, claimed_key

MAX_EXTENSION_DAYS = 60


def _applicant_id(applicant: Applicant) -> str:
    """The applicant's identifier checked (check digit included) and normalised."""
    if applicant.kind == "person":
        person = validate_resident_id(applicant.id)
        person.raise_for_errors("applicant.id")
        return person.normalized or applicant.id
    enterprise = validate_credit_code(applicant.id)
    enterprise.raise_for_errors("applicant.id")
    return enterprise.normalized or applicant.id


def _check_region(code: str, field_name: str) -> None:
    if area_name(code) is None:
        raise InvalidInput("cases.region.unknown", errors=[{"field": field_name}], region=code)


@dataclass(frozen=True, slots=True)
class Submitted:
    """What a submission did: the case, and whether it is a retry's (``replayed``).

    ``written`` is what a new submission wrote (``None`` for a retry's answer): with it,
    :meth:`CaseService.submission_tree` answers without reading anything back.
    """

    case: Case
    replayed: bool
    written: Written | None = None


@dataclass(frozen=True)
class CaseService(EvaluationVerbs, SupervisionVerbs, MaterialVerbs):
    """The case engine: every verb, configured (see :class:`~onething.cases.base.EngineBase`).

    ``CaseService(calendar=..., guards=(rules_guard,), rectification_days=5)``
    """

    # -- submission ------------------------------------------------------------------------

    def submit(
        self,
        session: Session,
        actor: Actor,
        catalog: ServiceCatalog,
        request: SubmitRequest,
        *,
        idempotency_key: str | None = None,
        at: datetime | None = None,
    ) -> Case:
        """Submit a matter (one case) or a bundle (a parent and one child per member).

        With ``idempotency_key``, a retry of the same request returns the case the first
        one created; the same key with a different request is a ``Conflict``. Bundle
        children whose dependencies are met enter their department's intake queue
        (``submitted``); the others wait. A bundle's promised term starts at submission.
        """
        return self.submit_once(
            session, actor, catalog, request, idempotency_key=idempotency_key, at=at
        ).case

    @verb
    def submit_once(
        self,
        session: Session,
        actor: Actor,
        catalog: ServiceCatalog,
        request: SubmitRequest,
        *,
        idempotency_key: str | None = None,
        at: datetime | None = None,
    ) -> Submitted:
        """:meth:`submit`, telling a new case from a retry's (HTTP 201 versus 200).

        Two requests with the same key at the same time (a client retrying before its first
        answer) race on the key's unique constraint: the loser writes nothing (its rows are
        written only with the key: ``onething.models.cases.write_new_cases``) and answers
        as a retry, with the winner's case.
        """
        at = moment(at)
        if actor.role not in ("applicant", "clerk", "system"):
            raise PermissionDenied("cases.permission.submit", role=actor.role)
        if idempotency_key is None:
            written = self._create(actor, catalog, request, at=at)
            self._write(session, written, actor)
            return Submitted(written.root, replayed=False, written=written)
        if not 1 <= len(idempotency_key) <= 128:
            raise InvalidInput("cases.idempotency.bad_key")
        scope = f"{actor.role}:{actor.person}"
        fingerprint = request.fingerprint()
        seen = claimed_key(session, scope, idempotency_key)
        if seen is None:
            written = self._create(actor, catalog, request, at=at)
            key = {
                "scope": scope,
                "key": idempotency_key,
                "request_hash": fingerprint,
                "case_id": written.root.id,
                "created_at": at,
            }
            if self._write(session, written, actor, key=key):
                return Submitted(written.root, replayed=False, written=written)
            seen = claimed_key(session, scope, idempotency_key)  # claimed meanwhile: a retry
            if seen is None:  # pragma: no cover  (not written only when the key is there)
                raise RuntimeError(f"idempotency key {idempotency_key!r} neither free nor found")
        if seen.request_hash != fingerprint:
            raise Conflict("cases.idempotency.mismatch", key=idempotency_key)
        return Submitted(self._load(session, seen.case_id, None), replayed=True)

    def _create(
        self,
        actor: Actor,
        catalog: ServiceCatalog,
        request: SubmitRequest,
        *,
        at: datetime,
    ) -> Written:
        """Check the request, then prepare the new case (or bundle) with its events and
        clocks (written by :meth:`_write`)."""
        applicant_id = _applicant_id(request.applicant)
        if actor.role == "applicant" and actor.person != applicant_id:
            raise PermissionDenied("cases.permission.not_applicant")
        _check_region(request.region, "region")
        submission_region = request.submission_region or request.region
        _check_region(submission_region, "submission_region")
        common: dict[str, Any] = {
            "applicant_kind": request.applicant.kind,
            "applicant_id": applicant_id,
            "region": request.region,
            "submission_region": submission_region,
            "channel": request.channel,
            "assisted_by": actor.person if actor.role == "clerk" else None,
            "created_at": at,
            "updated_at": at,
        }
        service = catalog.service(request.service_code)
        if isinstance(service, BundleDefinition):
            return self._submit_bundle(
                actor,
                service,
                catalog=catalog,
                form=dict(request.form),
                common=common,
                at=at,
            )
        if isinstance(service, MatterDefinition):
            root = self._new_case(
                APPLICATION,
                service_code=service.code,
                service_name=service.name,
                department=service.department,
                data={"form": dict(request.form), "inputs": {}, "outputs": {}},
                legal_limit_days=service.legal_limit_days,
                promised_limit_days=service.promised_limit_days,
                **common,
            )
            return self._new_cases([root], actor, at=at)
        raise TypeError(f"not a matter or a bundle: {service!r}")  # pragma: no cover

    def _submit_bundle(
        self,
        actor: Actor,
        bundle: BundleDefinition,
        *,
        catalog: ServiceCatalog,
        form: dict[str, Any],
        common: dict[str, Any],
        at: datetime,
    ) -> Written:
        plans = plan_bundle(bundle, catalog)
        parent = self._new_case(
            BUNDLE,
            service_code=bundle.code,
            service_name=bundle.name,
            department=bundle.lead_department,
            data={"form": form},
            promised_limit_days=bundle.promised_limit_days,
            **common,
        )
        children = [
            self._new_case(
                APPLICATION,
                state="waiting" if plan.depends_on else APPLICATION.initial,
                parent_id=parent.id,
                service_code=plan.matter.code,
                service_name=plan.matter.name,
                department=plan.matter.department,
                plan={**plan.snapshot(), "position": position},
                data={"form": form, "inputs": {}, "outputs": {}},
                legal_limit_days=plan.matter.legal_limit_days,
                promised_limit_days=plan.matter.promised_limit_days,
                **common,
            )
            for position, plan in enumerate(plans)
        ]
        promised = ClockSpec("promised", "promised", "working_days", bundle.promised_limit_days)
        return self._new_cases(
            [parent, *children],
            actor,
            at=at,
            clocks=[(parent.id, promised)],
            clock_reason=translate("cases.clock.reason.bundle_submitted", DEFAULT_LOCALE),
        )

    # -- handling --------------------------------------------------------------------------

    @verb
    def accept(
        self,
        session: Session,
        actor: Actor,
        case_id: str,
        *,
        version: int | None = None,
        note: str | None = None,
        at: datetime | None = None,
    ) -> Case:
        """受理: the department takes the case; its legal and promised terms start."""
        return self._step(session, actor, case_id, "accept", version=version, note=note, at=at)

    @verb
    def refuse(
        self,
        session: Session,
        actor: Actor,
        case_id: str,
        *,
        reason: str,
        version: int | None = None,
        at: datetime | None = None,
    ) -> Case:
        """不予受理: refuse at intake, with the reasons (a bundle moves on without it)."""
        at = moment(at)
        case = self._load(session, case_id, version)
        self._perform(session, case, "refuse", actor, at=at, note=reason)
        case.concluded_at = at
        self._settle_parent(session, case, at=at)
        flush_now(session)
        return case

    @verb
    def request_correction(
        self,
        session: Session,
        actor: Actor,
        case_id: str,
        *,
        missing: str,
        version: int | None = None,
        at: datetime | None = None,
    ) -> Case:
        """补正: tell the applicant once what is missing (一次告知); legal and promised
        clocks pause until the resubmission."""
        return self._step(
            session, actor, case_id, "request_correction", version=version, note=missing, at=at
        )

    @verb
    def resubmit(
        self,
        session: Session,
        actor: Actor,
        case_id: str,
        *,
        form: Mapping[str, Any] | None = None,
        note: str | None = None,
        version: int | None = None,
        at: datetime | None = None,
    ) -> Case:
        """The corrected materials are in: back to where the case was; clocks resume."""
        at = moment(at)
        case = self._load(session, case_id, version)
        changes = dict(form or {})
        self._perform(
            session,
            case,
            "resubmit",
            actor,
            at=at,
            note=note,
            proposed={"form": changes},
            after={"form_changed": sorted(changes)},
        )
        if changes:
            data = dict(case.data or {})
            case.data = {**data, "form": {**data.get("form", {}), **changes}}
        flush_now(session)
        return case

    @verb
    def start_review(
        self,
        session: Session,
        actor: Actor,
        case_id: str,
        *,
        version: int | None = None,
        note: str | None = None,
        at: datetime | None = None,
    ) -> Case:
        """审核: the reviewer takes the accepted case."""
        return self._step(
            session, actor, case_id, "start_review", version=version, note=note, at=at
        )

    @verb
    def conclude(
        self,
        session: Session,
        actor: Actor,
        case_id: str,
        *,
        outcome: Outcome,
        outputs: Mapping[str, Any] | None = None,
        note: str | None = None,
        version: int | None = None,
        at: datetime | None = None,
    ) -> Case:
        """办结: grant or deny, with the outputs (license number …); clocks stop.

        In a bundle, a granted child must carry every output its siblings read; its
        dependants then start, and the parent concludes when every child is closed. A
        stand-alone case sends its result notice through the outbox.
        """
        at = moment(at)
        if outcome not in ("granted", "denied"):
            raise InvalidInput("cases.conclude.bad_outcome", outcome=outcome)
        case = self._load(session, case_id, version)
        values = dict(outputs or {})
        if case.parent_id is not None and outcome == "granted":
            siblings = [c for c in load_children(session, case.parent_id) if c.id != case.id]
            missing = [k for k in required_outputs(case, siblings) if k not in values]
            if missing:
                raise InvalidInput(
                    "cases.conclude.missing_outputs",
                    errors=[{"field": f"outputs.{k}"} for k in missing],
                    keys=", ".join(missing),
                )
        self._perform(
            session,
            case,
            "conclude",
            actor,
            at=at,
            note=note,
            proposed={"outcome": outcome, "outputs": values},
            before={"outcome": case.outcome},
            after={"outcome": outcome, "outputs": values},
        )
        case.outcome = outcome
        case.concluded_at = at
        case.data = {**(case.data or {}), "outputs": values}
        if case.parent_id is None:
            enqueue_result_notice(session, case, [], at=at)
        self._settle_parent(session, case, at=at)
        flush_now(session)
        return case

    def _settle_parent(self, session: Session, child: Case, *, at: datetime) -> None:
        if child.parent_id is None or child.kind != "application":
            return
        parent = self._load(session, child.parent_id, None)
        if parent.kind != "bundle":
            return
        children = load_children(session, parent.id)
        settle(session, parent, child, children, at=at, guards=self.guards, calendar=self.cal)

    @verb
    def deliver(
        self,
        session: Session,
        actor: Actor,
        case_id: str,
        *,
        note: str | None = None,
        version: int | None = None,
        at: datetime | None = None,
    ) -> Case:
        """送达: the result reaches the applicant (a bundle's one result, at the one window)."""
        return self._step(session, actor, case_id, "deliver", version=version, note=note, at=at)

    @verb
    def extend_clock(
        self,
        session: Session,
        actor: Actor,
        case_id: str,
        *,
        days: int,
        reason: str,
        clock: str = "legal",
        version: int | None = None,
        at: datetime | None = None,
    ) -> ClockReading:
        """延期: add working days to a running clock, with the reason; returns the new reading."""
        at = moment(at)
        if (
            isinstance(days, bool)
            or not isinstance(days, int)
            or not 0 < days <= MAX_EXTENSION_DAYS
        ):
            raise InvalidInput("cases.clock.bad_extension", days=days, max=MAX_EXTENSION_DAYS)
        if not reason or not reason.strip():
            raise InvalidInput("cases.clock.reason_required")
        case = self._load(session, case_id, version)
        ledger = self._ledger(session, case, clock)
        line = LedgerLine("extend", at, days, reason, actor.label)
        before = ledger.read(self.cal)
        preview = read_clock(
            ledger.clock.kind,
            ledger.clock.unit,  # type: ignore[arg-type]
            ledger.clock.amount,
            [*ledger.lines(), line],
            self.cal,
        )
        self._perform(
            session,
            case,
            "extend_clock",
            actor,
            at=at,
            note=reason,
            proposed={"clock": clock, "days": days},
            before={"clock": clock, "due_at": before.due_at.isoformat()},
            after={"clock": clock, "days": days, "due_at": preview.due_at.isoformat()},
        )
        reading = ledger.append(
            session, self.cal, "extend", at=at, actor=actor.label, amount=days, reason=reason
        )
        flush_now(session)
        return reading

    def _ledger(self, session: Session, case: Case, name: str) -> Ledger:
        for ledger in load_ledgers(session, [case.id])[case.id]:
            if ledger.clock.name == name:
                if not ledger.is_running:
                    raise Conflict(
                        "cases.clock.not_running", clock=name, status=ledger.clock.status
                    )
                return ledger
        raise NotFound("cases.clock.not_found", clock=name, id=case.id)

    # -- reads -----------------------------------------------------------------------------

    def get_case(
        self, session: Session, actor: Actor, case_id: str, *, locale: str = DEFAULT_LOCALE
    ) -> CaseTree:
        """The status tree: the case, its clocks with explained due times, its events, and
        its children (a bundle's members, a rectification's callback)."""
        return queries.case_tree(session, actor, case_id, calendar=self.cal, locale=locale)

    def submission_tree(
        self, session: Session, actor: Actor, submitted: Submitted, *, locale: str = DEFAULT_LOCALE
    ) -> CaseTree:
        """The status tree of what :meth:`submit_once` answered: a new submission's from
        what it wrote (no query: nothing else can be there yet), a retry's read back."""
        written = submitted.written
        if written is None:
            return self.get_case(session, actor, submitted.case.id, locale=locale)
        return queries.written_tree(
            actor, written.cases, written.events, written.ledgers, calendar=self.cal, locale=locale
        )

    def list_cases(
        self, session: Session, actor: Actor, *, applicant_kind: str, applicant_id: str
    ) -> list[CaseSummary]:
        """An applicant's cases (我的办件): applications and bundles, newest first."""
        return queries.list_cases(
            session, actor, applicant_kind=applicant_kind, applicant_id=applicant_id
        )

    def task_queue(
        self,
        session: Session,
        *,
        department: str,
        region: str,
        state: str | Sequence[str] | None = None,
        now: datetime | None = None,
        limit: int = 200,
    ) -> list[QueueItem]:
        """A department's to-do list in a region, most urgent due time first."""
        return queries.task_queue(
            session,
            department=department,
            region=region,
            state=state,
            calendar=self.cal,
            now=moment(now),
            yellow_days=self.yellow_working_days,
            yellow_hours=self.yellow_working_hours,
            limit=limit,
        )

    def statistics(
        self,
        session: Session,
        *,
        now: datetime | None = None,
        department: str | None = None,
        region: str | None = None,
    ) -> Statistics:
        """Cases by kind, state, service and region; on-time rates by clock kind — of one
        department and region (a region covers the divisions under it) when given."""
        return queries.statistics(session, now=moment(now), department=department, region=region)


case_service = CaseService()
"""The engine with the configured calendar and no pluggable guards."""
