"""Check a catalog's references and consistency: :func:`check_catalog`.

What is checked, each problem with its file and path:

- codes are unique per list, and across matters and bundles (one service namespace);
- every reference resolves: departments, matters of duties and systems, data catalogs of
  systems, registry tables and their columns, license types, prefill keys, rule packs;
- a matter is coherent: promised limit within the legal one, an instant (即办) matter
  promises 0 days, no field, material or step twice, options exactly on enum fields;
- the same semantic field key has one type (and one option list) everywhere, and the same
  material code the same licenses: that is what lets a bundle ask for it once;
- a bundle is a graph: members exist, dependencies are members, no cycle (the path is
  shown), a required member never waits for an optional one; each input names an output of
  a member it waits for and a field of its own matter; a field a member produces is not
  asked of another member without an input.

Warnings (loading goes on): a matter in no duty or no system, a data catalog in no system.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from onething.catalog.graph import ancestors, find_cycles
from onething.catalog.models import (
    Bundle,
    BundleMember,
    Catalog,
    CatalogModel,
    DataCatalog,
    Department,
    Duty,
    FormField,
    Matter,
    System,
)
from onething.catalog.problems import Problem, Severity
from onething.registry.schema import tables
from onething.rules.library import pack_names


def license_types() -> tuple[str, ...]:
    """License types the license library (证照库) knows: ``licenses.license_type``."""
    field = next(f for f in tables()["licenses"].fields if f.name == "license_type")
    return field.enum or ()


CatalogItem = Department | Duty | System | DataCatalog | Matter | Bundle


@dataclass(frozen=True, slots=True)
class _Where:
    file: str
    path: str

    def __str__(self) -> str:
        return f"{self.file}: {self.path}" if self.file else self.path


class _Checker:
    def __init__(self, catalog: Catalog, packs: Iterable[str] | None) -> None:
        self.catalog = catalog
        self.packs = set(pack_names() if packs is None else packs)
        self.licenses = set(license_types())
        self.tables = tables()
        self.problems: list[Problem] = []

    # -- helpers -------------------------------------------------------------------------

    @staticmethod
    def at(item: CatalogModel, fallback: str) -> _Where:
        """Where ``item`` is: its origin in YAML, or ``fallback`` for an item built in code."""
        origin = item.origin
        return _Where(origin.file, origin.path) if origin else _Where("", fallback)

    def add(
        self,
        where: _Where,
        sub: str,
        problem: str,
        /,
        *,
        severity: Severity = "error",
        **params: Any,
    ) -> None:
        path = where.path + sub if where.path else sub.lstrip(".")
        self.problems.append(
            Problem(where.file, path, f"catalog.problem.{problem}", params, severity)
        )

    @staticmethod
    def close(name: str, known: Iterable[str]) -> str | None:
        found = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
        return found[0] if found else None

    def unknown(
        self, where: _Where, sub: str, problem: str, code: str, known: Iterable[str]
    ) -> None:
        self.add(where, sub, problem, code=code, candidate=self.close(code, known))

    # -- the checks ----------------------------------------------------------------------

    def run(self) -> list[Problem]:
        self.duplicates()
        self.references()
        self.data_catalogs()
        for i, matter in enumerate(self.catalog.matters):
            self.matter(matter, self.at(matter, f"matters[{i}]"))
        self.shared_definitions()
        for i, bundle in enumerate(self.catalog.bundles):
            self.bundle(bundle, self.at(bundle, f"bundles[{i}]"))
        self.coverage()
        return self.problems

    def duplicates(self) -> None:
        c = self.catalog
        groups: list[tuple[str, str, Sequence[CatalogItem]]] = [
            ("department", "departments", c.departments),
            ("duty", "duties", c.duties),
            ("system", "systems", c.systems),
            ("data_catalog", "data_catalogs", c.data_catalogs),
        ]
        for kind, name, items in groups:
            self._duplicates(kind, [self.at(x, f"{name}[{i}]") for i, x in enumerate(items)], items)
        services: list[CatalogItem] = [*c.matters, *c.bundles]
        wheres = [self.at(m, f"matters[{i}]") for i, m in enumerate(c.matters)]
        wheres += [self.at(b, f"bundles[{i}]") for i, b in enumerate(c.bundles)]
        self._duplicates("service", wheres, services)

    def _duplicates(self, kind: str, wheres: list[_Where], items: Sequence[CatalogItem]) -> None:
        first: dict[str, _Where] = {}
        for where, item in zip(wheres, items, strict=True):
            if item.code in first:
                original = first[item.code]
                self.add(
                    where, ".code", "duplicate_code", kind=kind, code=item.code, first=original
                )
            else:
                first[item.code] = where

    def references(self) -> None:
        c = self.catalog
        departments = [d.code for d in c.departments]
        owners: list[tuple[_Where, str, str]] = []
        lists: tuple[tuple[str, Sequence[Duty | System | DataCatalog | Matter]], ...] = (
            ("duties", c.duties),
            ("systems", c.systems),
            ("data_catalogs", c.data_catalogs),
            ("matters", c.matters),
        )
        for name, items in lists:
            owners += [
                (self.at(x, f"{name}[{i}]"), ".department", x.department)
                for i, x in enumerate(items)
            ]
        owners += [
            (self.at(b, f"bundles[{i}]"), ".lead_department", b.lead_department)
            for i, b in enumerate(c.bundles)
        ]
        for where, sub, code in owners:
            if code not in departments:
                self.unknown(where, sub, "unknown_department", code, departments)
        self.duty_references()
        self.system_references()

    def duty_references(self) -> None:
        by_code = {m.code: m for m in self.catalog.matters}
        for i, duty in enumerate(self.catalog.duties):
            where = self.at(duty, f"duties[{i}]")
            for j, code in enumerate(duty.matters):
                if code not in by_code:
                    self.unknown(where, f".matters[{j}]", "unknown_matter", code, by_code)
                elif by_code[code].department != duty.department:
                    self.add(
                        where,
                        f".matters[{j}]",
                        "duty_department_mismatch",
                        matter=code,
                        matter_department=by_code[code].department,
                        department=duty.department,
                    )

    def system_references(self) -> None:
        matters = {m.code for m in self.catalog.matters}
        data_catalogs = {d.code for d in self.catalog.data_catalogs}
        for i, system in enumerate(self.catalog.systems):
            where = self.at(system, f"systems[{i}]")
            for j, code in enumerate(system.matters):
                if code not in matters:
                    self.unknown(where, f".matters[{j}]", "unknown_matter", code, matters)
            for j, code in enumerate(system.data_catalogs):
                if code not in data_catalogs:
                    sub = f".data_catalogs[{j}]"
                    self.unknown(where, sub, "unknown_data_catalog", code, data_catalogs)

    def data_catalogs(self) -> None:
        provided: dict[str, str] = {}
        for i, dc in enumerate(self.catalog.data_catalogs):
            where = self.at(dc, f"data_catalogs[{i}]")
            if (dc.registry_table is None) == (not dc.fields):
                self.add(where, "", "catalog_source")
            columns: set[str] = {f.key for f in dc.fields}
            known_source = True
            if dc.registry_table is not None:
                table = self.tables.get(dc.registry_table)
                if table is None:
                    known_source = False
                    self.unknown(
                        where,
                        ".registry_table",
                        "unknown_registry_table",
                        dc.registry_table,
                        self.tables,
                    )
                else:
                    columns |= set(table.columns)
            for key, column in dc.provides.items():
                if known_source and column not in columns:
                    candidate = self.close(column, columns)
                    sub = f".provides.{key}"
                    self.add(where, sub, "unknown_column", column=column, candidate=candidate)
                if key in provided:
                    sub = f".provides.{key}"
                    self.add(where, sub, "prefill_ambiguous", key=key, other=provided[key])
                provided.setdefault(key, dc.code)

    def matter(self, matter: Matter, where: _Where) -> None:
        if matter.promised_limit_days > matter.legal_limit_days:
            self.add(
                where,
                ".promised_limit_days",
                "limits_order",
                promised=matter.promised_limit_days,
                legal=matter.legal_limit_days,
            )
        if matter.channels.instant and matter.promised_limit_days != 0:
            promised = matter.promised_limit_days
            self.add(where, ".channels.instant", "instant_with_limit", promised=promised)
        for name, codes in (
            ("fields", [f.key for f in matter.fields]),
            ("materials", [m.code for m in matter.materials]),
            ("steps", [s.code for s in matter.steps]),
            ("outputs", list(matter.outputs)),
        ):
            seen: set[str] = set()
            for j, code in enumerate(codes):
                if code in seen:
                    self.add(where, f".{name}[{j}]", "duplicate_item", code=code)
                seen.add(code)
        self.matter_fields(matter, where)
        self.matter_licenses(matter, where)
        for j, guard in enumerate(matter.guards):
            if guard not in self.packs:
                self.unknown(where, f".guards[{j}]", "unknown_pack", guard, self.packs)

    def matter_fields(self, matter: Matter, where: _Where) -> None:
        prefill_keys = {k for dc in self.catalog.data_catalogs for k in dc.provides}
        for j, f in enumerate(matter.fields):
            sub = f".fields[{j}]"
            if f.type == "enum" and not f.options:
                self.add(where, sub + ".options", "enum_without_options", key=f.key)
            if f.type != "enum" and f.options:
                self.add(where, sub + ".options", "options_without_enum", key=f.key, type=f.type)
            if f.prefill is not None and f.prefill not in prefill_keys:
                self.unknown(where, sub + ".prefill", "unknown_prefill", f.prefill, prefill_keys)

    def matter_licenses(self, matter: Matter, where: _Where) -> None:
        for j, material in enumerate(matter.materials):
            for k, license_type in enumerate(material.licenses):
                if license_type not in self.licenses:
                    sub = f".materials[{j}].licenses[{k}]"
                    self.unknown(where, sub, "unknown_license", license_type, self.licenses)
        for j, output in enumerate(matter.outputs):
            if "." not in output and output not in self.licenses:
                self.unknown(where, f".outputs[{j}]", "unknown_license", output, self.licenses)

    def shared_definitions(self) -> None:
        """One semantic key, one type; one material code, one set of licenses."""
        fields: dict[str, tuple[Matter, FormField]] = {}
        materials: dict[str, tuple[str, tuple[str, ...]]] = {}
        for i, matter in enumerate(self.catalog.matters):
            where = self.at(matter, f"matters[{i}]")
            for j, f in enumerate(matter.fields):
                if f.key not in fields:
                    fields[f.key] = (matter, f)
                    continue
                other, first = fields[f.key]
                if _shape(first) != _shape(f):
                    self.add(
                        where,
                        f".fields[{j}]",
                        "field_conflict",
                        key=f.key,
                        other=other.code,
                        this=_shape_text(f),
                        that=_shape_text(first),
                    )
            for j, m in enumerate(matter.materials):
                licenses = tuple(sorted(m.licenses))
                if m.code not in materials:
                    materials[m.code] = (matter.code, licenses)
                elif materials[m.code][1] != licenses:
                    self.add(
                        where,
                        f".materials[{j}].licenses",
                        "material_conflict",
                        code=m.code,
                        other=materials[m.code][0],
                        this=",".join(licenses) or "-",
                        that=",".join(materials[m.code][1]) or "-",
                    )

    def bundle(self, bundle: Bundle, where: _Where) -> None:
        matters = {m.code: m for m in self.catalog.matters}
        members = [m.matter for m in bundle.members]
        optional = {m.matter for m in bundle.members if m.optional}
        seen: set[str] = set()
        for j, member in enumerate(bundle.members):
            sub = f".members[{j}]"
            if member.matter in seen:
                self.add(where, sub + ".matter", "duplicate_item", code=member.matter)
            seen.add(member.matter)
            if member.matter not in matters:
                self.unknown(where, sub + ".matter", "unknown_matter", member.matter, matters)
            for k, dep in enumerate(member.depends_on):
                dep_sub = f"{sub}.depends_on[{k}]"
                if dep == member.matter:
                    self.add(where, dep_sub, "self_dependency", code=dep)
                elif dep not in members:
                    self.unknown(where, dep_sub, "not_a_member", dep, members)
                elif dep in optional and not member.optional:
                    self.add(where, dep_sub, "optional_dependency", code=dep)
        for cycle in find_cycles(bundle):
            self.add(where, ".members", "cycle", cycle=" → ".join(cycle))
        for j, member in enumerate(bundle.members):
            if member.matter in matters:
                self.member_data(bundle, member, matters, where, f".members[{j}]")
        self.unbound_outputs(bundle, matters, where)
        self.bundle_shapes(bundle, matters, where)

    def member_data(
        self,
        bundle: Bundle,
        member: BundleMember,
        matters: dict[str, Matter],
        where: _Where,
        sub: str,
    ) -> None:
        matter = matters[member.matter]
        own = [f.key for f in matter.fields]
        waits_for = ancestors(bundle, member.matter)
        for key in member.rename:
            if key not in own:
                candidate = self.close(key, own)
                at = f"{sub}.rename.{key}"
                self.add(
                    where, at, "unknown_field", matter=matter.code, key=key, candidate=candidate
                )
        for key, source, output in member.input_sources():
            at = f"{sub}.inputs.{key}"
            if key not in own:
                candidate = self.close(key, own)
                self.add(
                    where, at, "unknown_field", matter=matter.code, key=key, candidate=candidate
                )
            if not source or not output:
                self.add(where, at, "input_format", ref=member.inputs[key])
            elif source not in waits_for:
                self.add(where, at, "input_not_ancestor", source=source, matter=matter.code)
            elif source in matters and output not in matters[source].outputs:
                candidate = self.close(output, matters[source].outputs)
                self.add(
                    where, at, "unknown_output", matter=source, output=output, candidate=candidate
                )

    def unbound_outputs(self, bundle: Bundle, matters: dict[str, Matter], where: _Where) -> None:
        """A field that a member produces must flow in by an input, not be asked again."""
        produced: dict[str, str] = {}
        for member in bundle.members:
            if member.matter in matters:
                for output in matters[member.matter].outputs:
                    produced.setdefault(member.bundle_key(output), member.matter)
        for j, member in enumerate(bundle.members):
            matter = matters.get(member.matter)
            if matter is None:
                continue
            for f in matter.fields:
                source = produced.get(member.bundle_key(f.key))
                if source and source != member.matter and f.key not in member.inputs:
                    self.add(
                        where,
                        f".members[{j}].inputs",
                        "input_missing",
                        matter=member.matter,
                        key=f.key,
                        source=source,
                    )

    def bundle_shapes(self, bundle: Bundle, matters: dict[str, Matter], where: _Where) -> None:
        """After ``rename``, one key in a bundle still has one type.

        Conflicts between fields under their own keys are :meth:`shared_definitions`'; this
        reports those a rename brings about.
        """
        first: dict[str, tuple[str, FormField, bool]] = {}
        for j, member in enumerate(bundle.members):
            matter = matters.get(member.matter)
            if matter is None:
                continue
            for f in matter.fields:
                key = member.bundle_key(f.key)
                renamed = f.key in member.rename
                if key not in first:
                    first[key] = (member.matter, f, renamed)
                    continue
                other, original, original_renamed = first[key]
                if (renamed or original_renamed) and _shape(original) != _shape(f):
                    self.add(
                        where,
                        f".members[{j}].rename",
                        "field_conflict",
                        key=key,
                        other=other,
                        this=_shape_text(f),
                        that=_shape_text(original),
                    )

    def coverage(self) -> None:
        """The four lists are linked: every matter has a duty and a system, every data
        catalog a system."""
        c = self.catalog
        in_duty = {code for d in c.duties for code in d.matters}
        in_system = {code for s in c.systems for code in s.matters}
        held = {code for s in c.systems for code in s.data_catalogs}
        for i, matter in enumerate(c.matters):
            where = self.at(matter, f"matters[{i}]")
            if matter.code not in in_duty:
                self.add(where, "", "no_duty", severity="warning", code=matter.code)
            if matter.code not in in_system:
                self.add(where, "", "no_system", severity="warning", code=matter.code)
        for i, dc in enumerate(c.data_catalogs):
            if dc.code not in held:
                where = self.at(dc, f"data_catalogs[{i}]")
                self.add(where, "", "no_holder", severity="warning", code=dc.code)


def _shape(f: FormField) -> tuple[str, tuple[str, ...]]:
    return f.type, tuple(o.value for o in f.options)


def _shape_text(f: FormField) -> str:
    return f.type + (f"[{'|'.join(o.value for o in f.options)}]" if f.options else "")


def check_catalog(catalog: Catalog, *, packs: Iterable[str] | None = None) -> list[Problem]:
    """Every problem of ``catalog`` (references, consistency, bundle graphs), in order.

    ``packs`` lists the rule-pack ids a guard may name (default: the known packs,
    :func:`onething.rules.library.pack_names`).
    """
    return _Checker(catalog, packs).run()
