"""Public verbs of the catalog domain: load, check, list, show, e-form, statistics.

Channels (``onething catalog show CODE``, the REST API) call these; they return plain data
(dicts and pydantic models) and never print.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from onething.catalog.checks import check_catalog
from onething.catalog.eform import EForm, eform
from onething.catalog.graph import layers
from onething.catalog.loader import default_catalog_path, load_catalog, read_catalog
from onething.catalog.models import Bundle, Catalog, Matter
from onething.catalog.problems import Problem
from onething.catalog.stats import BundleStats, CatalogStats, bundle_stats, catalog_stats

__all__ = [
    "BundleStats",
    "CatalogStats",
    "EForm",
    "catalog_stats",
    "check",
    "eform",
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
