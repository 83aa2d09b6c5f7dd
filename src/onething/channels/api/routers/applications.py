"""Applications (办件): one submission, the status tree, materials, evaluation (好差评)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Annotated, Any

from fastapi import APIRouter, Body, File, Form, Header, Query, Response, UploadFile
from fastapi.responses import FileResponse
from sqlalchemy.orm import Session

from onething.cases.schemas import ApplicantKind, CaseSummary, MaterialOut, SubmitRequest
from onething.catalog.selection import for_submission
from onething.channels.api.auth import ActorDep
from onething.channels.api.deps import (
    CasesDep,
    CatalogDep,
    EngineDep,
    LocaleDep,
    RequestIdDep,
    SessionDep,
    SettingsDep,
    StoreDep,
    in_unit_of_work,
)
from onething.channels.api.schemas import (
    SUBMISSION_EXAMPLES,
    ApplicationOut,
    EvaluationIn,
    EvaluationResult,
    SubmissionReceipt,
    problems,
)
from onething.channels.api.views import (
    application_view,
    audit_case_read,
    etag,
    submission_receipt,
    submission_view,
    tree_ids,
)
from onething.kit.errors import InvalidInput
from onething.kit.i18n import translate

router = APIRouter(prefix="/api/v1/applications", tags=["applications"])

CHUNK_BYTES = 64 * 1024
MULTIPART_SLACK = 64 * 1024
"""Room for the multipart envelope (boundaries, part headers) around the file itself."""

EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


MINIMAL = "return=minimal"


def prefers_minimal(prefer: str | None) -> bool:
    """Whether a ``Prefer`` header (RFC 7240) asks for ``return=minimal``."""
    return prefer is not None and any(
        part.split(";", 1)[0].strip().lower() == MINIMAL for part in prefer.split(",")
    )


@router.post(
    "",
    status_code=201,
    summary=translate("api.summary.submit"),
    response_model=ApplicationOut | SubmissionReceipt,
    responses={
        200: {"description": "A retry with the same Idempotency-Key and body: the same case"},
        **problems(401, 403, 404, 409, 422),
    },
)
async def submit(
    *,
    body: Annotated[SubmitRequest, Body(openapi_examples=SUBMISSION_EXAMPLES)],
    actor: ActorDep,
    engine: EngineDep,
    cases: CasesDep,
    catalog: CatalogDep,
    locale: LocaleDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            max_length=128,
            description="Makes the submission safe to retry: the same key and body return the "
            "same case (200); the same key with another body is 409.",
        ),
    ] = None,
    prefer: Annotated[
        str | None,
        Header(
            description="`return=minimal` (RFC 7240): answer with a receipt — the case and its "
            "children's ids and states — instead of the status tree (GET the `Location` for "
            "it); the answer then carries `Preference-Applied: return=minimal`.",
        ),
    ] = None,
) -> Response:
    """一次提交: a matter (one case) or a bundle (a parent and one child per member; those
    whose prior matters are met enter their department's queue at once). The channel is
    recorded; a clerk's token records the submission as assisted (代办, ``assisted_by``).
    The answer is the status tree, or a receipt with ``Prefer: return=minimal``."""
    chosen = for_submission(catalog, body.service_code, body.optional_members)
    minimal = prefers_minimal(prefer)

    def work(session: Session) -> Response:
        submitted = cases.submit_once(session, actor, chosen, body, idempotency_key=idempotency_key)
        case = submitted.case
        headers = {"Location": f"{router.prefix}/{case.id}", "ETag": etag(case.version)}
        answer: ApplicationOut | SubmissionReceipt
        if minimal:
            headers["Preference-Applied"] = MINIMAL
            answer = submission_receipt(session, actor=actor, submitted=submitted)
        else:
            answer = submission_view(
                session, cases=cases, actor=actor, submitted=submitted, locale=locale
            )
        # serialised here, off the event loop, as the model it is: FastAPI would check it
        # against the declared union and serialise it through that (twice the work)
        return Response(
            answer.model_dump_json(),
            status_code=200 if submitted.replayed else 201,
            headers=headers,
            media_type="application/json",
        )

    return await in_unit_of_work(engine, work)


@router.get(
    "",
    summary=translate("api.summary.applications"),
    responses=problems(401, 403, 422),
)
def list_applications(
    *,
    actor: ActorDep,
    session: SessionDep,
    cases: CasesDep,
    applicant: Annotated[
        str | None,
        Query(max_length=18, description="Resident ID or credit code (default: the caller)."),
    ] = None,
    applicant_kind: ApplicantKind = "person",
    request_id: RequestIdDep,
) -> list[CaseSummary]:
    """我的办件: an applicant's applications and bundles, newest first (staff see those of
    their region). The read is audited (``case.read``: the applicant, the case ids)."""
    who = applicant or (actor.person if actor.role == "applicant" else None)
    if who is None:
        raise InvalidInput("api.applications.applicant_required", errors=[{"field": "applicant"}])
    found = cases.list_cases(session, actor, applicant_kind=applicant_kind, applicant_id=who)
    audit_case_read(
        session,
        actor=actor,
        entity_type=applicant_kind,
        entity_id=who,
        case_ids=[c.id for c in found],
        request_id=request_id,
    )
    return found


@router.get(
    "/{case_id}",
    summary=translate("api.summary.application"),
    responses=problems(401, 403, 404),
)
def get_application(
    *,
    case_id: str,
    actor: ActorDep,
    session: SessionDep,
    cases: CasesDep,
    locale: LocaleDep,
    response: Response,
    request_id: RequestIdDep,
) -> ApplicationOut:
    """办件进度: the case, its clocks with their due times explained line by line, its
    events, its children (a bundle's members) and the materials uploaded. The read is
    audited (``case.read``: the case and the ids of every case in its tree)."""
    view = application_view(
        session, cases=cases, actor=actor, case_id=case_id, locale=locale, response=response
    )
    audit_case_read(
        session,
        actor=actor,
        entity_type="case",
        entity_id=case_id,
        case_ids=tree_ids(view),
        request_id=request_id,
    )
    return view


def declares_too_large(method: str, path: str, content_length: str, limit: int) -> bool:
    """An upload whose declared length (``content_length``, the header's text) cannot fit
    the limit (checked before the body is read).

    A body without a declared length is read, and cut by the streaming check of the store.
    """
    return (
        method == "POST"
        and path.startswith(router.prefix)
        and path.endswith("/materials")
        and content_length.isdigit()
        and int(content_length) > limit + MULTIPART_SLACK
    )


def _chunks(handle: IO[bytes]) -> Iterator[bytes]:
    while chunk := handle.read(CHUNK_BYTES):
        yield chunk


@router.post(
    "/{case_id}/materials",
    status_code=201,
    summary=translate("api.summary.upload"),
    responses={
        200: {"description": "The same file was already uploaded for this material"},
        **problems(401, 403, 404, 409, 413, 415, 422),
    },
)
def upload_material(
    *,
    case_id: str,
    material: Annotated[str, Form(min_length=1, max_length=64, description="Material code.")],
    file: Annotated[UploadFile, File(description="PDF, JPEG or PNG.")],
    actor: ActorDep,
    session: SessionDep,
    cases: CasesDep,
    catalog: CatalogDep,
    store: StoreDep,
    settings: SettingsDep,
    response: Response,
) -> MaterialOut:
    """Upload a material (multipart: ``material`` and ``file``). The type is read from the
    file's first bytes (PDF, JPEG, PNG only), the size is limited
    (``ONETHING_UPLOAD_MAX_BYTES``), and the file is stored once by its SHA-256. A refused
    file leaves no file and no row behind. The upload is a case event, audited."""
    asks_for = catalog.material_codes
    cases.check_upload(session, actor, case_id, material_code=material, asks_for=asks_for)
    staged = store.stage(_chunks(file.file), max_bytes=settings.upload_max_bytes)
    try:
        row, created = cases.attach_material(
            session,
            actor,
            case_id,
            material_code=material,
            asks_for=asks_for,
            staged=staged,
            filename=file.filename,
        )
    except BaseException:
        store.discard(staged)
        raise
    store.keep(staged)
    response.status_code = 201 if created else 200
    response.headers["Location"] = f"{router.prefix}/{case_id}/materials/{row.id}"
    return MaterialOut.model_validate(row, from_attributes=True)


@router.get(
    "/{case_id}/materials/{material_id}",
    summary=translate("api.summary.download"),
    response_class=FileResponse,
    responses={
        200: {
            "description": "The file",
            "content": {"application/pdf": {}, "image/jpeg": {}, "image/png": {}},
        },
        **problems(401, 403, 404),
    },
)
def download_material(
    *,
    case_id: str,
    material_id: str,
    actor: ActorDep,
    session: SessionDep,
    cases: CasesDep,
    store: StoreDep,
) -> FileResponse:
    """A material's file, to the applicant, a supervisor of the region, or staff of the
    region whose department handles the case or a case of the same bundle. Audited."""
    row = cases.read_material(session, actor, case_id, material_id)
    path = store.file(row.sha256)
    name = row.filename or f"{row.material_code}{EXTENSIONS.get(row.media_type, '')}"
    return FileResponse(
        path,
        media_type=row.media_type,
        filename=name,
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )


@router.post(
    "/{case_id}/evaluation",
    status_code=201,
    summary=translate("api.summary.evaluate"),
    responses=problems(401, 403, 404, 409, 422),
)
def evaluate(
    *,
    case_id: str,
    body: EvaluationIn,
    actor: ActorDep,
    session: SessionDep,
    cases: CasesDep,
) -> EvaluationResult:
    """好差评 of a concluded case, once (一事一评). A bad rating (1 or 2) opens a
    rectification case for the department, due in 5 working days, and a callback (回访)."""
    row = cases.evaluate(
        session, actor, case_id, level=body.level, comment=body.comment, channel=body.channel
    )
    values: dict[str, Any] = {
        "case_id": row.case_id,
        "level": row.level,
        "channel": row.channel,
        "comment": row.comment,
        "at": row.at,
        "rectification_id": row.rectification_id,
    }
    return EvaluationResult(**values)
