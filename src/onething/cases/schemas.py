"""What goes into the case engine and what comes out (Pydantic, JSON-ready).

The ORM rows stay in :mod:`onething.models.cases`; these are the shapes an API, a CLI or
a worker exchanges with :class:`~onething.cases.service.CaseService`.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Channel = Literal["web", "mobile", "counter", "kiosk", "api"]
ApplicantKind = Literal["person", "enterprise"]
Outcome = Literal["granted", "denied"]
SlaLevel = Literal["yellow", "red"]
Satisfaction = Literal["satisfied", "basically_satisfied", "dissatisfied"]

_REGION = r"^\d{6}$"


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class Applicant(_In):
    """The applicant: a person (resident ID number) or an enterprise (unified credit code)."""

    kind: ApplicantKind
    id: str = Field(min_length=15, max_length=18)


class SubmitRequest(_In):
    """One submission (一次提交) of a matter or a bundle.

    ``region`` is the competent region (the county or city that handles it);
    ``submission_region`` where it was submitted (跨域通办: may differ); ``form`` the one
    form (一表申请), keyed by semantic field keys. ``optional_members`` names the optional
    members of a bundle the applicant chose (the catalog decides which members are
    optional and leaves out those not chosen; the engine itself runs every member it is
    given).
    """

    service_code: str = Field(min_length=1, max_length=64)
    applicant: Applicant
    region: str = Field(pattern=_REGION)
    submission_region: str | None = Field(default=None, pattern=_REGION)
    channel: Channel = "web"
    form: dict[str, Any] = Field(default_factory=dict)
    optional_members: list[str] = Field(default_factory=list, max_length=32)

    def fingerprint(self) -> str:
        """SHA-256 of the canonical JSON of the request (for idempotency keys)."""
        canonical = json.dumps(
            self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ClockOut(_Out):
    """A clock with its due time explained line by line from its ledger."""

    name: str
    kind: str
    unit: str
    amount: int
    status: str
    started_at: datetime
    due_at: datetime
    due_date: date
    extended: int
    paused: str
    paused_since: datetime | None
    stopped_at: datetime | None
    late_working_days: int
    sla_level: SlaLevel | None
    provisional: bool
    explanation: list[str]
    assumptions: list[str]


class EventOut(_Out):
    """One entry of a case's history."""

    seq: int
    at: datetime
    action: str
    from_state: str | None
    to_state: str
    actor_role: str
    actor_person: str
    actor_department: str | None
    actor_region: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    findings: list[dict[str, Any]] | None
    note: str | None


class EvaluationOut(_Out):
    """好差评 of a case."""

    level: int
    channel: str
    comment: str | None
    at: datetime
    rectification_id: str | None


class MaterialOut(_Out):
    """An uploaded material of a case (the file is served only after an access check)."""

    id: str
    case_id: str
    material_code: str
    sha256: str
    size: int
    media_type: str
    filename: str | None
    uploaded_by: str
    uploaded_at: datetime


class CaseOut(_Out):
    """A case as its handlers see it; ``allowed_actions`` are those declared from its state."""

    id: str
    kind: str
    service_code: str
    service_name: str
    parent_id: str | None
    origin_id: str | None
    applicant_kind: str
    applicant_id: str
    department: str
    region: str
    submission_region: str
    channel: str
    assisted_by: str | None
    state: str
    state_label: str
    outcome: str | None
    data: dict[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime
    concluded_at: datetime | None
    allowed_actions: list[str]


class CaseTree(_Out):
    """The status tree (办件进度): a case, its clocks, its history and its children."""

    case: CaseOut
    clocks: list[ClockOut]
    events: list[EventOut]
    evaluation: EvaluationOut | None
    children: list[CaseTree]


class CaseSummary(_Out):
    """A line of an applicant's list of cases (我的办件)."""

    id: str
    kind: str
    service_code: str
    service_name: str
    state: str
    state_label: str
    outcome: str | None
    created_at: datetime
    concluded_at: datetime | None
    children: int


class QueueItem(_Out):
    """A line of a department's task queue (待办), most urgent first.

    ``applicant_id`` is masked; ``due_at`` is the earliest running clock's due time and
    ``sla_level`` its state now (``yellow`` within the warning window, ``red`` overdue).
    """

    id: str
    kind: str
    service_code: str
    service_name: str
    state: str
    applicant_kind: str
    applicant_id: str
    region: str
    channel: str
    created_at: datetime
    due_at: datetime | None
    sla_level: SlaLevel | None
    version: int


class SlaFlag(_Out):
    """A supervision flag raised by an SLA scan (督办: 黄牌 near due, 红牌 overdue)."""

    case_id: str
    clock: str
    clock_kind: str
    level: SlaLevel
    due_at: datetime
    service_code: str
    department: str
    region: str


class OnTime(_Out):
    """Clocks stopped in time (``met``) and late (``breached``); ``rate`` = met / both."""

    met: int
    breached: int
    rate: Decimal | None


class Statistics(_Out):
    """Counts of cases by state, service and region, and on-time rates by clock kind."""

    total: int
    by_kind: dict[str, int]
    by_state: dict[str, int]
    by_service: dict[str, int]
    by_region: dict[str, int]
    on_time: dict[str, OnTime]
    overdue_running: int
