"""Shapes the REST API adds to those of the domains: details, bodies, problems, examples.

Most responses are the domains' own models (``catalog.service.ServiceSummary``,
``catalog.prefill.ApplicantEForm``, ``cases.schemas.CaseTree`` …); this module holds what
only the HTTP boundary needs.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from onething.cases.schemas import CaseTree as _CaseTree
from onething.cases.schemas import Channel, EvaluationOut, MaterialOut, Outcome
from onething.catalog.models import Channels, FormField, Material, Source, Step
from onething.catalog.stats import BundleStats

TaskAction = Literal[
    "accept",
    "refuse",
    "request_correction",
    "resubmit",
    "start_review",
    "conclude",
    "deliver",
    "extend",
]
"""Steps a clerk, reviewer or (for ``resubmit``) applicant takes on a case."""


class Problem(BaseModel):
    """RFC 9457 problem details (``application/problem+json``)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "https://onething.dev/problems/conflict",
                    "title": "数据冲突",
                    "status": 409,
                    "detail": "办件已被他人修改（您看到的是第 3 版，当前为第 4 版），"
                    "请刷新后再操作",
                    "instance": "/api/v1/tasks/2f1c…/accept",
                    "code": "cases.stale_version",
                    "request_id": "5b0e…",
                }
            ]
        }
    )

    type: str
    title: str
    status: int
    detail: str
    instance: str
    code: str | None = None
    request_id: str | None = None
    errors: list[dict[str, Any]] | None = None


_PROBLEM_TEXT: dict[int, str] = {
    400: "Bad request",
    401: "Missing or invalid development token (`WWW-Authenticate: Bearer`)",
    403: "The actor's role, department or region may not do this",
    404: "Not found",
    409: "Conflict: stale version, idempotency key reused with another body, or a step the "
    "case's state does not allow",
    413: "File larger than the configured limit",
    415: "File is not a PDF, JPEG or PNG by its content",
    422: "Invalid input (each problem listed in `errors`)",
    428: "The version the write is based on is missing (body `version` or `If-Match`)",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for these error statuses, as problem+json."""
    return {
        status: {
            "model": Problem,
            "description": _PROBLEM_TEXT[status],
            "content": {"application/problem+json": {}},
        }
        for status in statuses
    }


class Ref(BaseModel):
    """A code with its name."""

    code: str
    name: str


class PrefillSource(BaseModel):
    """Where a pre-filled field comes from: the prefill key and the data catalog providing it."""

    prefill: str | None
    data_catalog: str | None


class MatterDetail(BaseModel):
    """事项 in full, linked to the four lists (department, duties, systems, bundles)."""

    kind: Literal["matter"]
    code: str
    name: str
    department: Ref
    applicant: str
    legal_limit_days: int
    promised_limit_days: int
    limits_source: Source
    source: Source
    legal_basis: Source
    conditions: list[str]
    steps: list[Step]
    materials: list[Material]
    fields: list[FormField]
    outputs: list[str]
    channels: Channels
    guards: list[str]
    duties: list[Ref]
    systems: list[Ref]
    bundles: list[Ref]
    prefill_sources: dict[str, PrefillSource]


class MemberDetail(BaseModel):
    """A member of a bundle: its matter, department, what it waits for, where inputs come from."""

    matter: str
    name: str
    department: Ref
    optional: bool
    depends_on: list[str]
    inputs: dict[str, str]
    rename: dict[str, str]
    promised_limit_days: int
    limits_confidence: str


class BundleDetail(BaseModel):
    """一件事 in full: members, the waves they run in (``layers``) and what merging saves."""

    kind: Literal["bundle"]
    code: str
    name: str
    applicant: str
    lead_department: Ref
    promised_limit_days: int
    limits_source: Source
    source: Source
    conditions: list[str]
    members: list[MemberDetail]
    layers: list[list[str]]
    stats: BundleStats


class ApplicationOut(_CaseTree):
    """The status tree of an application (办件进度) and the materials uploaded to it.

    ``materials`` lists the uploads of this case and of every case below it (metadata
    only; ``GET …/materials/{material_id}`` serves a file after an access check).
    """

    materials: list[MaterialOut]


class ReceiptMember(BaseModel):
    """A case of a submission, as a receipt names it."""

    id: str
    service_code: str
    state: str


class SubmissionReceipt(BaseModel):
    """What a submission answers with ``Prefer: return=minimal`` (RFC 7240): the case and
    its children's ids and states, without the status tree (``Location`` points to it).
    ``version`` is the case version (also the ``ETag``)."""

    id: str
    kind: str
    service_code: str
    state: str
    version: int
    children: list[ReceiptMember]


class EvaluationIn(BaseModel):
    """好差评: 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"level": 5, "comment": "一次办好", "channel": "mobile"}]},
    )

    level: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=500)
    channel: Channel = "web"


class TaskActionIn(BaseModel):
    """A step on a task (case). ``version`` is the case version the caller saw (or send
    ``If-Match``).

    ``note`` is the reason (refuse, extend), what is missing (request_correction, told
    once: 一次告知) or a remark; ``outcome`` and ``outputs`` conclude (a bundle member must
    give every output its siblings read); ``form`` carries corrected fields (resubmit);
    ``days`` and ``clock`` extend a term.
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"version": 3},
                {"version": 4, "note": "缺少父亲身份证明"},
                {
                    "version": 5,
                    "outcome": "granted",
                    "outputs": {"newborn.birth_certificate_number": "S370102250001"},
                },
                {"version": 6, "days": 5, "note": "需现场核验", "clock": "legal"},
            ]
        },
    )

    version: int | None = Field(default=None, ge=1)
    note: str | None = Field(default=None, max_length=2000)
    outcome: Outcome | None = None
    outputs: dict[str, Any] = Field(default_factory=dict)
    form: dict[str, Any] = Field(default_factory=dict)
    days: int | None = Field(default=None, ge=1)
    clock: str = Field(default="legal", max_length=64)


class EvaluationResult(EvaluationOut):
    """The evaluation recorded (``rectification_id`` when a bad rating opened one)."""

    case_id: str


SUBMISSION_EXAMPLES: dict[str, Any] = {
    "newborn": {
        "summary": "新生儿出生一件事（网上申请）",
        "value": {
            "service_code": "newborn",
            "applicant": {"kind": "person", "id": "370214199306215244"},
            "region": "370214",
            "channel": "web",
            "form": {
                "newborn.name": "赵小萌",
                "newborn.sex": "F",
                "newborn.birth_date": "2025-06-20",
                "mother.name": "赵萌",
                "mother.id_number": "370214199306215244",
            },
            "optional_members": [],
        },
    },
    "counter": {
        "summary": "窗口代办（clerk token; recorded as assisted_by）",
        "value": {
            "service_code": "hrss_social_security_card",
            "applicant": {"kind": "person", "id": "370214199306215244"},
            "region": "370214",
            "channel": "counter",
            "form": {"holder.name": "赵萌"},
        },
    },
}
