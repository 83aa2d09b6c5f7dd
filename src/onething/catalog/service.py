"""Public verbs of the catalog domain: load, check, list, show, e-form, statistics.

Channels (``onething catalog show CODE``, the REST API) call these; they return plain data
(dicts and pydantic models) and never print.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from onething.catalog.checks import check_catalog
from onething.catalog.eform import EForm, eform
from onething.catalog.graph import layers
from onething.catalog.loader import default_catalog_path, load_catalog, read_catalog
from onething.catalog.models import ApplicantKind, Bundle, Catalog, Channels, Matter
from onething.catalog.problems import Problem
from onething.catalog.stats import BundleStats, CatalogStats, bundle_stats, catalog_stats

__all__ = [
    "BundleStats",
    "CatalogStats",
    "EForm",
    "ServiceSummary",
    "catalog_stats",
    "check",
    "eform",
    "find_services",
    "list_services",
    "load_catalog",
    "show",
]


def check(path: Path | str | None = None) -> list[Problem]:
    """Every problem of the catalog folder ``path`` (default: the shipped one), warnings
    included, without raising: what ``onething catalog check`` prints."""
    folder = Path(path) if path is not None else default_catalog_path()
    catalog, problems = read_catalog(folder)
    return problems + check_catalog(catalog)


def list_services(catalog: Catalog) -> list[dict[str, Any]]:
    """One row per bundle, then per matter: code, name, kind, department, promised limit."""
    rows: list[dict[str, Any]] = []
    for bundle in catalog.bundles:
        rows.append(
            {
                "kind": "bundle",
                "code": bundle.code,
                "name": bundle.name,
                "department": bundle.lead_department,
                "promised_limit_days": bundle.promised_limit_days,
                "members": len(bundle.members),
            }
        )
    for matter in catalog.matters:
        rows.append(
            {
                "kind": "matter",
                "code": matter.code,
                "name": matter.name,
                "department": matter.department,
                "promised_limit_days": matter.promised_limit_days,
                "members": 1,
            }
        )
    return rows


class ServiceSummary(BaseModel):
    """A line of the service list: a matter (事项) or a bundle (一件事).

    ``departments`` are every department taking part (a bundle's members'); a bundle's
    ``channels`` flag holds when it holds for every required member, and its
    ``legal_limit_days`` is ``None`` (each member keeps its own).
    """

    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    kind: Literal["matter", "bundle"]
    applicant: ApplicantKind
    department: str
    department_name: str
    departments: list[str]
    legal_limit_days: int | None
    promised_limit_days: int
    members: int
    optional_members: list[str]
    channels: Channels


def _summary(catalog: Catalog, service: Matter | Bundle) -> ServiceSummary:
    if isinstance(service, Matter):
        return ServiceSummary(
            code=service.code,
            name=service.name,
            kind="matter",
            applicant=service.applicant,
            department=service.department,
            department_name=_department(catalog, service.department)["name"],
            departments=[service.department],
            legal_limit_days=service.legal_limit_days,
            promised_limit_days=service.promised_limit_days,
            members=1,
            optional_members=[],
            channels=service.channels,
        )
    matters = catalog.bundle_matters(service)
    required = {m.matter for m in service.members if not m.optional}
    core = [m for m in matters if m.code in required]
    return ServiceSummary(
        code=service.code,
        name=service.name,
        kind="bundle",
        applicant=service.applicant,
        department=service.lead_department,
        department_name=_department(catalog, service.lead_department)["name"],
        departments=list(
            dict.fromkeys([service.lead_department, *(m.department for m in matters)])
        ),
        legal_limit_days=None,
        promised_limit_days=service.promised_limit_days,
        members=len(service.members),
        optional_members=[m.matter for m in service.members if m.optional],
        channels=Channels(
            fully_online=all(m.channels.fully_online for m in core),
            cross_region=all(m.channels.cross_region for m in core),
            instant=all(m.channels.instant for m in core),
        ),
    )


def find_services(
    catalog: Catalog,
    *,
    name: str | None = None,
    kind: Literal["matter", "bundle"] | None = None,
    department: str | None = None,
    applicant: ApplicantKind | None = None,
    fully_online: bool | None = None,
    cross_region: bool | None = None,
    instant: bool | None = None,
) -> list[ServiceSummary]:
    """Bundles, then matters, that match every filter given.

    ``name`` matches part of the name or code; ``department`` any department taking part;
    the channel flags (全程网办, 跨域通办, 即办) match when equal.
    """
    services: list[Matter | Bundle] = [*catalog.bundles, *catalog.matters]
    found = []
    for summary in (_summary(catalog, s) for s in services):
        flags = summary.channels
        if (
            (name is None or name in summary.name or name in summary.code)
            and (kind is None or summary.kind == kind)
            and (department is None or department in summary.departments)
            and (applicant is None or summary.applicant == applicant)
            and (fully_online is None or flags.fully_online == fully_online)
            and (cross_region is None or flags.cross_region == cross_region)
            and (instant is None or flags.instant == instant)
        ):
            found.append(summary)
    return found


def _department(catalog: Catalog, code: str) -> dict[str, str]:
    found = next((d for d in catalog.departments if d.code == code), None)
    return {"code": code, "name": found.name if found else code}


def _show_matter(catalog: Catalog, matter: Matter) -> dict[str, Any]:
    data = matter.model_dump(mode="json")
    data["kind"] = "matter"
    data["department"] = _department(catalog, matter.department)
    data["duties"] = [
        {"code": d.code, "name": d.name} for d in catalog.duties if matter.code in d.matters
    ]
    data["systems"] = [
        {"code": s.code, "name": s.name} for s in catalog.systems if matter.code in s.matters
    ]
    data["bundles"] = [
        {"code": b.code, "name": b.name} for b in catalog.bundles if matter.code in b.matter_codes
    ]
    sources = {key: dc.code for dc in catalog.data_catalogs for key in dc.provides}
    data["prefill_sources"] = {
        f.key: {"prefill": f.prefill, "data_catalog": sources.get(f.prefill)}
        for f in matter.fields
        if f.prefill is not None
    }
    return data


def _show_bundle(catalog: Catalog, bundle: Bundle) -> dict[str, Any]:
    data = bundle.model_dump(mode="json", exclude={"members"})
    data["kind"] = "bundle"
    data["lead_department"] = _department(catalog, bundle.lead_department)
    members = []
    for member in bundle.members:
        matter = catalog.matter(member.matter)
        members.append(
            {
                "matter": matter.code,
                "name": matter.name,
                "department": _department(catalog, matter.department),
                "optional": member.optional,
                "depends_on": list(member.depends_on),
                "inputs": dict(member.inputs),
                "rename": dict(member.rename),
                "promised_limit_days": matter.promised_limit_days,
                "limits_confidence": matter.limits_source.confidence,
            }
        )
    data["members"] = members
    data["layers"] = layers(bundle)
    data["stats"] = bundle_stats(catalog, bundle.code).model_dump()
    return data


def show(catalog: Catalog, code: str) -> dict[str, Any]:
    """Everything about matter or bundle ``code``, linked to the four lists.

    A matter: its definition plus department, duties, systems, bundles and the data catalog
    behind each prefilled field. A bundle: its members (department, dependencies, inputs),
    the waves in which they run (``layers``) and its statistics. Raises ``NotFound``.
    """
    service = catalog.service(code)
    if isinstance(service, Matter):
        return _show_matter(catalog, service)
    return _show_bundle(catalog, service)
