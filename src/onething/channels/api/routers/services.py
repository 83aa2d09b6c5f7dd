"""The service catalog (事项与一件事) and the one form (一表申请) pre-filled from the registry."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import TypeAdapter

from onething.cases.actors import STAFF_ROLES, Actor
from onething.catalog.models import ApplicantKind
from onething.catalog.prefill import ApplicantEForm, applicant_eform, checked_id
from onething.catalog.selection import for_submission
from onething.catalog.service import ServiceSummary, find_services, show
from onething.channels.api.auth import OptionalActorDep
from onething.channels.api.deps import CatalogDep, SessionDep, SettingsDep, TodayDep
from onething.channels.api.errors import NotAuthenticated
from onething.channels.api.schemas import BundleDetail, MatterDetail, problems
from onething.kit.errors import PermissionDenied
from onething.kit.i18n import translate
from onething.models.audit import record_audit

router = APIRouter(prefix="/api/v1/services", tags=["services"])

ServiceDetail = MatterDetail | BundleDetail
_DETAIL: TypeAdapter[ServiceDetail] = TypeAdapter(ServiceDetail)


@router.get(
    "",
    summary=translate("api.summary.services"),
    responses=problems(422),
)
def list_services(
    *,
    catalog: CatalogDep,
    name: Annotated[
        str | None, Query(max_length=64, description="Part of the name or code.")
    ] = None,
    kind: Literal["matter", "bundle"] | None = None,
    department: Annotated[
        str | None, Query(max_length=64, description="A department taking part.")
    ] = None,
    applicant: ApplicantKind | None = None,
    fully_online: Annotated[bool | None, Query(description="全程网办")] = None,
    cross_region: Annotated[bool | None, Query(description="跨域通办")] = None,
    instant: Annotated[bool | None, Query(description="即办")] = None,
) -> list[ServiceSummary]:
    """Bundles (一件事) and matters (事项), filtered. A bundle's channel flags hold when they
    hold for every required member."""
    return find_services(
        catalog,
        name=name,
        kind=kind,
        department=department,
        applicant=applicant,
        fully_online=fully_online,
        cross_region=cross_region,
        instant=instant,
    )


@router.get(
    "/{code}",
    summary=translate("api.summary.service"),
    responses=problems(404),
)
def get_service(code: str, catalog: CatalogDep) -> ServiceDetail:
    """A matter with its department, duties, systems, bundles and prefill sources; or a
    bundle with its members, dependency layers and what merging saves."""
    return _DETAIL.validate_python(show(catalog, code))


def _may_read_registry(actor: Actor, kind: ApplicantKind, applicant: str) -> None:
    """The applicant reads their own data; counter and back-office staff read for them."""
    if actor.role in STAFF_ROLES:
        return
    if actor.role == "applicant" and actor.person == checked_id(kind, applicant):
        return
    raise PermissionDenied("api.permission.prefill", role=actor.role)


@router.get(
    "/{code}/eform",
    summary=translate("api.summary.eform"),
    responses=problems(401, 403, 404, 422),
)
def get_eform(
    *,
    code: str,
    catalog: CatalogDep,
    settings: SettingsDep,
    session: SessionDep,
    actor: OptionalActorDep,
    today: TodayDep,
    applicant: Annotated[
        str | None,
        Query(
            max_length=18,
            description="Resident ID or credit code: pre-fill from the registry (needs a token).",
        ),
    ] = None,
    include_optional: Annotated[
        list[str] | None,
        Query(
            description="Optional bundle members chosen (`include_optional=` alone: none). "
            "Without it every optional member is shown, its fields not required."
        ),
    ] = None,
) -> ApplicantEForm:
    """The merged form (JSON Schema 2020-12) of a matter or bundle: fields asked once by
    semantic key, values pre-filled from the registry (数据多跑路), each material marked
    satisfied by an e-license the applicant holds (免证办), produced in the bundle, or to
    upload. Reading an applicant's registry data needs a token (the applicant, or staff)
    and is audited."""
    if applicant is not None:
        if actor is None:
            raise NotAuthenticated("api.auth.prefill")
        kind = catalog.service(code).applicant
        _may_read_registry(actor, kind, applicant)
    if include_optional is not None:
        include_optional = [code for code in include_optional if code]
        for_submission(catalog, code, include_optional)  # refuses members not optional here
    form = applicant_eform(
        catalog,
        code,
        registry=settings.effective_registry_path,
        applicant_id=applicant,
        on=today,
        include_optional=include_optional,
    )
    if actor is not None and form.applicant is not None:
        record_audit(
            session,
            actor=actor.label,
            action="registry.prefill",
            entity_type=form.applicant.kind,
            entity_id=form.applicant.id,
            after={"service": code, "keys": sorted(form.applicant.sources)},
        )
    return form
