"""The merged e-form (一表申请) and material list (一套材料) of a matter or a bundle.

For a bundle, the fields of every member are merged by semantic key (after each member's
``rename``), so the mother's ID number is asked once however many matters need it; a field
that a member takes from another member's output (``inputs``) is not asked at all. The form
is a JSON Schema (draft 2020-12) with Chinese titles, formats and patterns, ``required``,
and ``default`` values pre-filled from the applicant's data. The caller (the API) supplies
that data as a flat mapping of semantic keys (``{"person.name": …}``) read from the
registry; this module does no I/O.

Each material is marked: satisfied by an e-license the applicant holds (免证办), produced by
an earlier member of the bundle (the birth medical certificate the household registration
needs), or to upload.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from onething.catalog.graph import ancestors
from onething.catalog.models import Bundle, BundleMember, Catalog, FieldType, FormField, Matter
from onething.kit.errors import NotFound

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

PATTERNS: dict[str, str] = {
    # GB 11643-1999: 6-digit area, birth date, 3-digit sequence, check character (0-9 or X).
    # The check digit itself is verified by onething.kit.ids, not by the pattern.
    "id_number": r"^[1-9]\d{5}(18|19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dX]$",
    # GB 32100-2015: 18 characters from the code set without I, O, Z, S, V.
    "credit_code": r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$",
    "mobile": r"^1[3-9]\d{9}$",
    "bank_account": r"^\d{16,19}$",
    # Exact decimals travel as strings (never binary floats).
    "decimal": r"^-?\d+(\.\d+)?$",
}

MaterialStatus = Literal["satisfied_by_license", "produced_in_bundle", "to_upload"]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class EFormField(_Out):
    """A field of the merged form: where it comes from and who asks for it."""

    key: str
    title: str
    type: FieldType
    required: bool
    asked: bool
    matters: list[str]
    prefill: str | None = None
    prefilled: bool = False
    inputs: list[str] = []


class EFormMaterial(_Out):
    """A material of the merged list and how it is satisfied."""

    code: str
    name: str
    required: bool
    licenses: list[str]
    matters: list[str]
    status: MaterialStatus
    license: str | None = None
    produced_by: str | None = None
    note: str = ""


class EFormCounts(_Out):
    """What merging saved: fields and materials asked versus the sum over the matters."""

    fields_sum: int
    fields_asked: int
    fields_derived: int
    fields_prefilled: int
    materials_sum: int
    materials_distinct: int
    materials_auto_satisfied: int
    materials_to_upload: int


class EForm(_Out):
    """The e-form of a matter or bundle: JSON Schema, field list, materials and counts."""

    code: str
    name: str
    kind: Literal["matter", "bundle"]
    version: str
    members: list[str]
    json_schema: dict[str, Any]
    fields: list[EFormField]
    materials: list[EFormMaterial]
    counts: EFormCounts

    def govstack(self) -> dict[str, Any]:
        """The GovStack Registration BB ``EForm`` shape (``eFormId``, ``schema`` …)."""
        return {
            "eFormId": self.code,
            "name": self.name,
            "description": self.json_schema.get("description", ""),
            "version": self.version,
            "latest": True,
            "schema": self.json_schema,
        }


@dataclass
class _Part:
    """A matter as it takes part in the form: alone, or as a member of a bundle."""

    matter: Matter
    member: BundleMember | None = None
    optional: bool = False
    waits_for: set[str] = field(default_factory=set)

    def key(self, field_key: str) -> str:
        return self.member.bundle_key(field_key) if self.member else field_key

    def renamed(self, field_key: str) -> bool:
        return self.member is not None and field_key in self.member.rename

    def input(self, field_key: str) -> str | None:
        return self.member.inputs.get(field_key) if self.member else None


@dataclass
class _Field:
    definition: FormField
    renamed_only: bool
    matters: list[str] = field(default_factory=list)
    asked_by: list[str] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)
    required: bool = False
    prefill: str | None = None


@dataclass
class _Material:
    name: str
    licenses: list[str]
    note: str
    matters: list[str] = field(default_factory=list)
    required: bool = False
    produced_by: str | None = None
    needed_outside_bundle: bool = False


def _parts(catalog: Catalog, service: Matter | Bundle, include: set[str] | None) -> list[_Part]:
    if isinstance(service, Matter):
        return [_Part(service)]
    parts: list[_Part] = []
    for member in service.members:
        if member.optional and include is not None and member.matter not in include:
            continue
        try:
            matter = catalog.matter(member.matter)
        except NotFound:  # pragma: no cover - a checked catalog has every member
            continue
        optional = member.optional and include is None
        parts.append(_Part(matter, member, optional, ancestors(service, member.matter)))
    return parts


def _merge_fields(parts: list[_Part]) -> dict[str, _Field]:
    merged: dict[str, _Field] = {}
    for part in parts:
        for f in part.matter.fields:
            key = part.key(f.key)
            renamed = part.renamed(f.key)
            entry = merged.get(key)
            if entry is None:
                entry = merged[key] = _Field(definition=f, renamed_only=renamed)
            elif entry.renamed_only and not renamed:
                entry.definition, entry.renamed_only = f, False  # the field's own wording wins
            entry.matters.append(part.matter.code)
            ref = part.input(f.key)
            if ref is not None:
                entry.inputs.append(ref)
            else:
                entry.asked_by.append(part.matter.code)
                entry.required = entry.required or (f.required and not part.optional)
            if not renamed and entry.prefill is None and f.prefill is not None:
                entry.prefill = f.prefill
    return merged


def _produced_by(parts: list[_Part], part: _Part, licenses: list[str]) -> str | None:
    for other in parts:
        if other.matter.code in part.waits_for and set(licenses) & set(other.matter.outputs):
            return other.matter.code
    return None


def _merge_materials(parts: list[_Part]) -> dict[str, _Material]:
    merged: dict[str, _Material] = {}
    for part in parts:
        for m in part.matter.materials:
            entry = merged.setdefault(m.code, _Material(m.name, list(m.licenses), m.note))
            entry.matters.append(part.matter.code)
            entry.required = entry.required or (m.required and not part.optional)
            producer = _produced_by(parts, part, m.licenses)
            if producer is None:
                entry.needed_outside_bundle = True
            elif entry.produced_by is None:
                entry.produced_by = producer
    return merged


def _json_type(f: FormField) -> dict[str, Any]:
    schema: dict[str, Any]
    if f.type == "date":
        schema = {"type": "string", "format": "date"}
    elif f.type == "boolean":
        schema = {"type": "boolean"}
    elif f.type == "integer":
        schema = {"type": "integer", "minimum": 0}
    elif f.type == "enum":
        schema = {
            "type": "string",
            "oneOf": [{"const": o.value, "title": o.label} for o in f.options],
        }
    elif f.type in PATTERNS:
        schema = {"type": "string", "pattern": PATTERNS[f.type]}
    else:
        schema = {"type": "string", "minLength": 1}
    return schema


def _date_default(f: FormField, value: Any) -> Any:
    if isinstance(value, datetime):
        return None
    text = value.isoformat() if isinstance(value, date) else str(value)
    try:
        date.fromisoformat(text)
    except ValueError:
        return None
    return text


def _text_default(f: FormField, value: Any) -> Any:
    if not isinstance(value, str | int | Decimal) or not str(value):
        return None
    pattern = PATTERNS.get(f.type)
    text = str(value)
    return text if pattern is None or re.fullmatch(pattern, text) else None


_DEFAULTS: dict[str, Callable[[FormField, Any], Any]] = {
    "date": _date_default,
    "boolean": lambda f, v: v if isinstance(v, bool) else None,
    "integer": lambda f, v: v if isinstance(v, int) else None,
    "enum": lambda f, v: v if v in {o.value for o in f.options} else None,
}


def _default(f: FormField, value: Any) -> Any:
    """``value`` as the field's JSON default, or ``None`` when it does not fit the field.

    A binary float is never a default: it is no exact decimal, date or identifier.
    """
    if value is None or isinstance(value, float):
        return None
    if isinstance(value, bool) and f.type != "boolean":
        return None
    return _DEFAULTS.get(f.type, _text_default)(f, value)


def _version(service: Matter | Bundle, parts: list[_Part]) -> str:
    payload = [service.model_dump(mode="json"), *(p.matter.model_dump(mode="json") for p in parts)]
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()[:12]


def eform(
    catalog: Catalog,
    code: str,
    *,
    applicant: Mapping[str, Any] | None = None,
    licenses: Iterable[str] = (),
    include_optional: Iterable[str] | None = None,
) -> EForm:
    """The merged e-form of matter or bundle ``code``.

    ``applicant`` maps semantic keys to values (a field's own key, ``mother.id_number``, or
    its prefill key, ``person.id_number``); matching values become JSON Schema ``default``s.
    ``licenses`` are the license types the applicant already holds. ``include_optional``
    chooses optional bundle members: ``None`` keeps them all (their own fields not
    required), a collection keeps only those named (and treats them as chosen).

    Raises :class:`~onething.kit.errors.NotFound` for an unknown code.
    """
    service = catalog.service(code)
    include = set(include_optional) if include_optional is not None else None
    parts = _parts(catalog, service, include)
    held = list(dict.fromkeys(licenses))
    data = applicant or {}

    merged = _merge_fields(parts)
    properties: dict[str, Any] = {}
    required: list[str] = []
    fields: list[EFormField] = []
    prefilled = 0
    for key, entry in merged.items():
        f = entry.definition
        asked = bool(entry.asked_by)
        default = None
        if asked:
            prop: dict[str, Any] = {"title": f.label, **_json_type(f)}
            if f.hint:
                prop["description"] = f.hint
            raw = data.get(key)
            if raw is None and entry.prefill is not None:
                raw = data.get(entry.prefill)
            default = _default(f, raw)
            if default is not None:
                prop["default"] = default
                prefilled += 1
            properties[key] = prop
            if entry.required:
                required.append(key)
        fields.append(
            EFormField(
                key=key,
                title=f.label,
                type=f.type,
                required=entry.required,
                asked=asked,
                matters=entry.matters,
                prefill=entry.prefill,
                prefilled=default is not None,
                inputs=entry.inputs,
            )
        )

    materials: list[EFormMaterial] = []
    for code_, m in _merge_materials(parts).items():
        status: MaterialStatus = "to_upload"
        license_ = produced = None
        if not m.needed_outside_bundle:
            status, produced = "produced_in_bundle", m.produced_by
        elif matched := [t for t in m.licenses if t in held]:
            status, license_ = "satisfied_by_license", matched[0]
        materials.append(
            EFormMaterial(
                code=code_,
                name=m.name,
                required=m.required,
                licenses=m.licenses,
                matters=m.matters,
                status=status,
                license=license_,
                produced_by=produced,
                note=m.note,
            )
        )

    kind: Literal["matter", "bundle"] = "matter" if isinstance(service, Matter) else "bundle"
    schema: dict[str, Any] = {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": f"urn:onething:eform:{service.code}",
        "title": service.name,
        "description": "、".join(p.matter.name for p in parts),
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
    auto = sum(1 for m in materials if m.status != "to_upload")
    counts = EFormCounts(
        fields_sum=sum(len(p.matter.fields) for p in parts),
        fields_asked=len(properties),
        fields_derived=sum(1 for f in fields if not f.asked),
        fields_prefilled=prefilled,
        materials_sum=sum(len(p.matter.materials) for p in parts),
        materials_distinct=len(materials),
        materials_auto_satisfied=auto,
        materials_to_upload=len(materials) - auto,
    )
    return EForm(
        code=service.code,
        name=service.name,
        kind=kind,
        version=_version(service, parts),
        members=[p.matter.code for p in parts],
        json_schema=schema,
        fields=fields,
        materials=materials,
        counts=counts,
    )
