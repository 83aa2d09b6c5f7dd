"""The service catalog as data: the four lists (四项清单), matters (事项) and bundles (一件事).

Business staff write the catalog in YAML (``content/catalog/``); :mod:`onething.catalog.loader`
reads it into these models and :func:`onething.catalog.checks.check_catalog` verifies every
reference. The models are frozen: a loaded catalog is shared (cached) and never mutated.

- :class:`Department` — a competent department (人社, 公安, 卫健 …).
- :class:`Duty` — 职责: a duty of a department, naming the matters that carry it out.
- :class:`System` — an IT system (业务系统) that handles matters and holds data catalogs.
- :class:`DataCatalog` — 数据目录: a data resource, a registry table or a list of fields.
- :class:`Matter` — 事项: one standardised service with its time limits, workflow steps,
  materials, form fields, outputs and channel flags.
- :class:`Bundle` — 一件事: matters of several departments joined in a dependency graph, with
  data flowing from one member's outputs to another member's fields.
- :class:`Catalog` — all of it, with lookups by code.

Codes are lower_snake without dots, so ``matter_code.output_key`` (a bundle input) splits at
its first dot.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
)

from onething.kit.errors import NotFound

CODE_PATTERN = r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$"
KEY_PATTERN = r"^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*$"

Code = Annotated[str, StringConstraints(pattern=CODE_PATTERN, max_length=64)]
"""A catalog code: lower_snake, no dots (``hrss_employment_registration``)."""

SemanticKey = Annotated[str, StringConstraints(pattern=KEY_PATTERN, max_length=96)]
"""A semantic data key, dotted (``mother.id_number``): the same key means the same datum."""

Text = Annotated[str, StringConstraints(min_length=1)]

Confidence = Literal["confirmed", "secondary", "unconfirmed", "placeholder"]
"""How far a fact is backed (docs FACTS labels); ``placeholder`` marks a value nobody sourced."""

DepartmentLevel = Literal["national", "province", "city", "county", "township"]

FieldType = Literal[
    "text",
    "id_number",
    "credit_code",
    "mobile",
    "bank_account",
    "date",
    "enum",
    "boolean",
    "integer",
    "decimal",
]
"""Form-field types; each renders to a JSON Schema type, format or pattern in the e-form."""

Sharing = Literal["unconditional", "conditional", "none"]
"""政务数据共享类型: 无条件共享 / 有条件共享 / 不予共享."""

ApplicantKind = Literal["person", "enterprise"]


class Origin(BaseModel):
    """Where an item sits in the catalog's YAML: file (relative to the catalog root) and path."""

    model_config = ConfigDict(frozen=True)

    file: str
    path: str

    def __str__(self) -> str:
        return f"{self.file}: {self.path}" if self.path else self.file


class CatalogModel(BaseModel):
    """Base of catalog items: strict keys, frozen, and the place in YAML it was read from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    _origin: Origin | None = PrivateAttr(default=None)

    @property
    def origin(self) -> Origin | None:
        """The file and path this item was read from (``None`` when built in code)."""
        return self._origin


class Source(BaseModel):
    """Provenance of a fact: the document or page it comes from and how far it is backed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: Text
    confidence: Confidence
    note: str = ""


class Department(CatalogModel):
    """A competent department (主管部门)."""

    code: Code
    name: Text
    level: DepartmentLevel = "city"


class Duty(CatalogModel):
    """职责: a duty of a department and the matters that carry it out (职责清单)."""

    code: Code
    department: Code
    name: Text
    matters: list[Code] = Field(default_factory=list)
    basis: str = ""


class System(CatalogModel):
    """An IT system (业务系统): the matters it handles and the data catalogs it holds (系统清单)."""

    code: Code
    name: Text
    department: Code
    matters: list[Code] = Field(default_factory=list)
    data_catalogs: list[Code] = Field(default_factory=list)


class DataField(CatalogModel):
    """A field of a data catalog that is not a registry table."""

    key: SemanticKey
    title: Text
    type: FieldType = "text"


class DataCatalog(CatalogModel):
    """数据目录: a data resource, either a registry table or its own list of fields.

    ``provides`` links the catalog to forms: a semantic prefill key (``person.name``) and the
    column of ``registry_table`` (or the key of one of ``fields``) that holds it. A form field
    whose ``prefill`` is such a key is filled from this catalog (自动填报).
    """

    code: Code
    name: Text
    department: Code
    registry_table: str | None = None
    fields: list[DataField] = Field(default_factory=list)
    provides: dict[SemanticKey, str] = Field(default_factory=dict)
    sharing: Sharing = "conditional"
    frequency: str = ""


class Step(CatalogModel):
    """A workflow step of a matter (受理, 审核, 决定, 送达 …) and the role that performs it."""

    code: Code
    name: Text
    role: Code


class Material(CatalogModel):
    """A material (申请材料); any license type in ``licenses`` satisfies it (免证办).

    The code is shared across matters: the same code is the same material, submitted once in
    a bundle (一套材料).
    """

    code: Code
    name: Text
    required: bool = True
    licenses: list[Code] = Field(default_factory=list)
    note: str = ""


class Option(CatalogModel):
    """A choice of an enum field: the stored value and the label a person reads."""

    value: Text
    label: Text


def _option(value: Any) -> Any:
    """``- 配偶`` in YAML is shorthand for ``{value: 配偶, label: 配偶}``."""
    return {"value": value, "label": value} if isinstance(value, str) else value


class FormField(CatalogModel):
    """A form field keyed by its semantic key (``mother.id_number``).

    ``prefill`` names where the registry holds the value for the applicant
    (``person.name``, ``enterprise.credit_code``); the API layer looks it up.
    """

    key: SemanticKey
    label: Text
    type: FieldType = "text"
    required: bool = True
    options: list[Annotated[Option, BeforeValidator(_option)]] = Field(default_factory=list)
    prefill: SemanticKey | None = None
    hint: str = ""


class Channels(CatalogModel):
    """Channel flags: 全程网办 fully online, 跨域通办 cross-region, 即办 instant."""

    fully_online: bool = False
    cross_region: bool = False
    instant: bool = False


class Matter(CatalogModel):
    """事项: one standardised government service.

    Time limits are in working days; ``legal_limit_days`` is 法定时限 and
    ``promised_limit_days`` 承诺时限. ``limits_source`` says where they come from — a
    ``placeholder`` confidence marks numbers nobody has sourced yet (the channel flags share
    it); ``source`` backs the matter's definition and ``legal_basis`` names its law.
    ``guards`` are ids of rule packs whose ``pre``/``in`` rules guard the matter's cases.
    """

    code: Code
    name: Text
    department: Code
    applicant: ApplicantKind = "person"
    legal_limit_days: int = Field(ge=0)
    promised_limit_days: int = Field(ge=0)
    limits_source: Source
    source: Source
    legal_basis: Source
    conditions: list[str] = Field(default_factory=list)
    steps: list[Step] = Field(default_factory=list)
    materials: list[Material] = Field(default_factory=list)
    fields: list[FormField] = Field(default_factory=list)
    outputs: list[SemanticKey] = Field(default_factory=list)
    channels: Channels = Field(default_factory=Channels)
    guards: list[str] = Field(default_factory=list)

    def field(self, key: str) -> FormField | None:
        """The form field with semantic ``key``, if the matter asks for it."""
        return next((f for f in self.fields if f.key == key), None)


class BundleMember(CatalogModel):
    """A matter in a bundle, what it waits for, and where its fields come from.

    ``inputs`` maps a field key of this member to ``other_matter_code.output_key``: the value
    is taken from that member's output once it exists (the child case starts then).

    ``rename`` maps a field key of the matter to the key it has in this bundle, when the
    matter's subject plays a named role here: 社会保障卡申领 asks for ``holder.name``, and in
    新生儿出生 the holder is the newborn (``holder.name: newborn.name``), so the merged form
    asks for the newborn's name once. Keys of ``inputs`` are the matter's own field keys.
    """

    matter: Code
    depends_on: list[Code] = Field(default_factory=list)
    inputs: dict[SemanticKey, str] = Field(default_factory=dict)
    rename: dict[SemanticKey, SemanticKey] = Field(default_factory=dict)
    optional: bool = False

    def bundle_key(self, field_key: str) -> str:
        """The key a field of this member's matter has in the bundle (after ``rename``)."""
        return self.rename.get(field_key, field_key)

    def input_sources(self) -> Iterator[tuple[str, str, str]]:
        """``(field_key, source_matter, output_key)`` for each input."""
        for key, ref in self.inputs.items():
            matter, _, output = ref.partition(".")
            yield key, matter, output


class Bundle(CatalogModel):
    """一件事: a life event served by matters of several departments in one go."""

    code: Code
    name: Text
    applicant: ApplicantKind = "person"
    lead_department: Code
    promised_limit_days: int = Field(ge=0)
    limits_source: Source
    source: Source
    conditions: list[str] = Field(default_factory=list)
    members: list[BundleMember] = Field(min_length=1)

    def member(self, matter: str) -> BundleMember | None:
        """The member for ``matter``, if the bundle contains it."""
        return next((m for m in self.members if m.matter == matter), None)

    @property
    def matter_codes(self) -> list[str]:
        return [m.matter for m in self.members]


class Catalog(BaseModel):
    """The whole catalog: the four lists, matters and bundles.

    Items are kept as lists, duplicates included, so :func:`check_catalog` can report them; the
    lookups use the first item of each code.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    departments: list[Department] = Field(default_factory=list)
    duties: list[Duty] = Field(default_factory=list)
    systems: list[System] = Field(default_factory=list)
    data_catalogs: list[DataCatalog] = Field(default_factory=list)
    matters: list[Matter] = Field(default_factory=list)
    bundles: list[Bundle] = Field(default_factory=list)

    _matters: dict[str, Matter] = PrivateAttr(default_factory=dict)
    _bundles: dict[str, Bundle] = PrivateAttr(default_factory=dict)
    _departments: dict[str, Department] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: object, /) -> None:
        for matter in self.matters:
            self._matters.setdefault(matter.code, matter)
        for bundle in self.bundles:
            self._bundles.setdefault(bundle.code, bundle)
        for department in self.departments:
            self._departments.setdefault(department.code, department)

    def matter(self, code: str) -> Matter:
        """The matter ``code``; :class:`NotFound` (with the nearest codes) if there is none."""
        found = self._matters.get(code)
        if found is None:
            raise _not_found("matter", code, self._matters.keys(), self.matters)
        return found

    def bundle(self, code: str) -> Bundle:
        """The bundle ``code``; :class:`NotFound` (with the nearest codes) if there is none."""
        found = self._bundles.get(code)
        if found is None:
            raise _not_found("bundle", code, self._bundles.keys(), self.bundles)
        return found

    def service(self, code: str) -> Matter | Bundle:
        """A matter or a bundle by code (codes are unique across both)."""
        if code in self._matters:
            return self._matters[code]
        if code in self._bundles:
            return self._bundles[code]
        items: list[Matter | Bundle] = [*self.matters, *self.bundles]
        raise _not_found("service", code, [*self._matters, *self._bundles], items)

    def department(self, code: str) -> Department:
        """The department ``code``; :class:`NotFound` if there is none."""
        found = self._departments.get(code)
        if found is None:
            raise _not_found("department", code, self._departments.keys(), self.departments)
        return found

    def bundle_matters(self, bundle: Bundle) -> list[Matter]:
        """The matters of ``bundle`` in member order (unknown codes skipped)."""
        return [self._matters[c] for c in bundle.matter_codes if c in self._matters]

    def material_codes(self, code: str) -> list[str]:
        """The codes of the materials matter or bundle ``code`` asks for (each once)."""
        service = self.service(code)
        matters = [service] if isinstance(service, Matter) else self.bundle_matters(service)
        return list(dict.fromkeys(m.code for matter in matters for m in matter.materials))


def _not_found(
    kind: str,
    code: str,
    codes: Iterable[str],
    items: Iterable[Matter | Bundle | Department],
) -> NotFound:
    """NotFound naming the closest codes; a Chinese name typed instead of a code also matches."""
    codes = list(codes)
    by_name = {item.name: item.code for item in items}
    close = difflib.get_close_matches(code, codes, n=3, cutoff=0.5)
    close += [by_name[n] for n in difflib.get_close_matches(code, list(by_name), n=3, cutoff=0.5)]
    close += [c for name, c in by_name.items() if code and code in name]
    suggestion = ", ".join(dict.fromkeys(close)) or "-"
    return NotFound(f"catalog.not_found.{kind}", code=code, suggestion=suggestion)
