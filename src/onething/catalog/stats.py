"""Catalog statistics: matters per department, channel counts, what each bundle saves.

Per bundle: the fields asked on the merged form (deduplicated by semantic key, inputs from
other members left out) against the sum over its matters, and the materials an e-license or
an earlier member can satisfy against those left to upload — the measure of 一表申请 and
一套材料. Counts assume every optional member is chosen and every license type is held.
"""

from __future__ import annotations

from collections import Counter

from pydantic import BaseModel, ConfigDict

from onething.catalog.checks import license_types
from onething.catalog.eform import eform
from onething.catalog.graph import critical_path_days
from onething.catalog.models import Catalog


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class BundleStats(_Out):
    """What one bundle merges."""

    code: str
    name: str
    members: int
    optional_members: int
    departments: int
    fields_sum: int
    fields_asked: int
    fields_derived: int
    materials_sum: int
    materials_distinct: int
    materials_auto_satisfiable: int
    materials_produced_in_bundle: int
    promised_limit_days: int
    critical_path_days: int
    limits_confidence: str


class CatalogStats(_Out):
    """The catalog at a glance."""

    departments: int
    duties: int
    systems: int
    data_catalogs: int
    matters: int
    bundles: int
    matters_by_department: dict[str, int]
    fully_online: int
    cross_region: int
    instant: int
    placeholder_limits: int
    bundle_stats: list[BundleStats]


def bundle_stats(catalog: Catalog, code: str) -> BundleStats:
    """:class:`BundleStats` of bundle ``code``."""
    bundle = catalog.bundle(code)
    form = eform(catalog, code, licenses=license_types())
    matters = catalog.bundle_matters(bundle)
    promised = {m.code: m.promised_limit_days for m in matters}
    return BundleStats(
        code=bundle.code,
        name=bundle.name,
        members=len(bundle.members),
        optional_members=sum(1 for m in bundle.members if m.optional),
        departments=len({m.department for m in matters}),
        fields_sum=form.counts.fields_sum,
        fields_asked=form.counts.fields_asked,
        fields_derived=form.counts.fields_derived,
        materials_sum=form.counts.materials_sum,
        materials_distinct=form.counts.materials_distinct,
        materials_auto_satisfiable=form.counts.materials_auto_satisfied,
        materials_produced_in_bundle=sum(
            1 for m in form.materials if m.status == "produced_in_bundle"
        ),
        promised_limit_days=bundle.promised_limit_days,
        critical_path_days=critical_path_days(bundle, promised),
        limits_confidence=bundle.limits_source.confidence,
    )


def catalog_stats(catalog: Catalog) -> CatalogStats:
    """Counts over the whole catalog and :class:`BundleStats` for every bundle."""
    by_department = Counter(m.department for m in catalog.matters)
    ordered = {d.code: by_department[d.code] for d in catalog.departments if by_department[d.code]}
    ordered.update({k: v for k, v in by_department.items() if k not in ordered})
    return CatalogStats(
        departments=len(catalog.departments),
        duties=len(catalog.duties),
        systems=len(catalog.systems),
        data_catalogs=len(catalog.data_catalogs),
        matters=len(catalog.matters),
        bundles=len(catalog.bundles),
        matters_by_department=ordered,
        fully_online=sum(1 for m in catalog.matters if m.channels.fully_online),
        cross_region=sum(1 for m in catalog.matters if m.channels.cross_region),
        instant=sum(1 for m in catalog.matters if m.channels.instant),
        placeholder_limits=sum(
            1 for m in catalog.matters if m.limits_source.confidence == "placeholder"
        ),
        bundle_stats=[bundle_stats(catalog, b.code) for b in catalog.bundles],
    )
