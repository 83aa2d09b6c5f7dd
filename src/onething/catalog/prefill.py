"""数据多跑路: an applicant's form values and e-licenses, read from the registry.

The catalog's data catalogs (数据目录) say which registry table and column hold each
semantic prefill key (``DataCatalog.provides``: ``person.name -> persons.name``); form
fields name the key they are filled from (``FormField.prefill``). This module reads, for
one applicant, every provided key from the registry (DuckDB, read-only) and the license
types the applicant holds in the license library (证照库, the ``licenses`` table), and hands
them to :func:`onething.catalog.eform.eform`, which turns them into the form's defaults and
marks materials satisfied by a license (免证办).

Which row of a table describes the applicant is read from the registry's own catalog
(``tables.yaml``): the subject table itself (``persons`` for a person, ``enterprises`` for
an enterprise), a table keyed by the subject (``deaths.person_id``), or a table the
subject refers to (``households`` through ``persons.household_id``). Tables of many rows
per applicant (contributions, spells) provide no single value and are not read.

SQL is built as expression trees (SQLGlot) from the shipped catalog's identifiers; the
applicant's identifier is always a bound parameter.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal

import duckdb
import sqlglot.expressions as exp
from pydantic import BaseModel, ConfigDict, Field

from onething.catalog.eform import EForm, eform
from onething.catalog.models import Catalog, DataCatalog
from onething.kit.ids import validate_credit_code, validate_resident_id
from onething.registry import schema
from onething.registry.store import RegistryDir

ApplicantKind = Literal["person", "enterprise"]

SUBJECT_TABLES: dict[str, str] = {"person": "persons", "enterprise": "enterprises"}
"""The registry table whose key is the applicant's identifier, per applicant kind."""

LICENSE_TABLE = "licenses"


class ApplicantData(BaseModel):
    """What the registry knows of one applicant, for a form.

    ``values`` maps prefill keys to values (dates as ``date``; not serialised: the form's
    defaults carry them); ``sources`` names the data catalog each key came from;
    ``licenses`` the license types held and valid on the day asked about.
    """

    model_config = ConfigDict(frozen=True)

    kind: ApplicantKind
    id: str
    found: bool
    values: dict[str, Any] = Field(default_factory=dict, exclude=True)
    sources: dict[str, str] = Field(default_factory=dict)
    licenses: list[str] = Field(default_factory=list)


class ApplicantEForm(EForm):
    """The merged e-form pre-filled for an applicant (``applicant`` is ``None`` without one)."""

    applicant: ApplicantData | None = None


def checked_id(kind: ApplicantKind, identifier: str) -> str:
    """The identifier normalised, or ``InvalidInput`` naming what is wrong with it."""
    check = (
        validate_resident_id(identifier) if kind == "person" else validate_credit_code(identifier)
    )
    check.raise_for_errors("applicant")
    return check.normalized or identifier


def _column(name: str) -> exp.Column:
    return exp.column(name, quoted=True)


def _table(name: str) -> exp.Table:
    return exp.table_(name, quoted=True)


def _subject_condition(table: schema.Table, subject: schema.Table) -> exp.Expression | None:
    """The condition selecting the row of ``table`` that describes the subject, if any."""
    (subject_key,) = subject.key
    param = exp.Placeholder()
    if table.name == subject.name:
        return _column(subject_key).eq(param)
    if len(table.key) == 1:
        key = table.field(table.key[0])
        if key.ref == f"{subject.name}.{subject_key}":
            return _column(key.name).eq(param)
        for f in subject.fields:
            if f.ref_table == table.name and f.ref_field == key.name:
                through = (
                    exp.select(_column(f.name))
                    .from_(_table(subject.name))
                    .where(_column(subject_key).eq(param))
                )
                return _column(key.name).isin(query=through)
    return None


def _read_catalog(
    con: duckdb.DuckDBPyConnection, dc: DataCatalog, subject: schema.Table, identifier: str
) -> dict[str, Any] | None:
    """The provided keys of one registry-backed data catalog, for the subject."""
    tables = schema.tables()
    if dc.registry_table is None or dc.registry_table not in tables or not dc.provides:
        return None
    table = tables[dc.registry_table]
    condition = _subject_condition(table, subject)
    if condition is None:
        return None
    columns = list(dict.fromkeys(dc.provides.values()))
    query = (
        exp.select(*(_column(c) for c in columns))
        .from_(_table(table.name))
        .where(condition)
        .limit(1)
    )
    row = con.execute(query.sql(dialect="duckdb"), [identifier]).fetchone()
    if row is None:
        return None
    found = dict(zip(columns, row, strict=True))
    return {key: found[column] for key, column in dc.provides.items()}


def _licenses(con: duckdb.DuckDBPyConnection, kind: str, identifier: str, on: date) -> list[str]:
    valid = exp.or_(
        _column("valid_until").is_(exp.null()),
        _column("valid_until") >= exp.Placeholder(),
    )
    query = (
        exp.select(_column("license_type"))
        .distinct()
        .from_(_table(LICENSE_TABLE))
        .where(
            _column("holder_kind").eq(exp.Placeholder()),
            _column("holder_id").eq(exp.Placeholder()),
            _column("issued_on") <= exp.Placeholder(),
            valid,
        )
        .order_by(_column("license_type"))
    )
    rows = con.execute(query.sql(dialect="duckdb"), [kind, identifier, on, on]).fetchall()
    return [str(r[0]) for r in rows]


def read_applicant(
    catalog: Catalog, registry: Path, kind: ApplicantKind, identifier: str, *, on: date
) -> ApplicantData:
    """What the registry at ``registry`` holds of the applicant, as of day ``on``.

    Raises ``InvalidInput`` for an identifier that fails its check digit and ``NotFound``
    when no registry has been built there. An applicant the registry does not know gives
    ``found=False`` and no values.
    """
    identifier = checked_id(kind, identifier)
    subject = schema.table(SUBJECT_TABLES[kind])
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    found = False
    with RegistryDir(registry).connect(read_only=True) as con:
        for dc in catalog.data_catalogs:
            provided = _read_catalog(con, dc, subject, identifier)
            if provided is None:
                continue
            found = found or dc.registry_table == subject.name
            for key, value in provided.items():
                if value is not None and key not in values:
                    values[key] = value
                    sources[key] = dc.code
        held = _licenses(con, kind, identifier, on)
    return ApplicantData(
        kind=kind, id=identifier, found=found, values=values, sources=sources, licenses=held
    )


def applicant_eform(
    catalog: Catalog,
    code: str,
    *,
    registry: Path | None = None,
    applicant_id: str | None = None,
    on: date,
    include_optional: list[str] | None = None,
) -> ApplicantEForm:
    """The merged e-form of ``code``, pre-filled for ``applicant_id`` when one is given.

    The applicant's kind is the service's (``Matter.applicant`` / ``Bundle.applicant``).
    """
    service = catalog.service(code)
    data = None
    if applicant_id is not None:
        if registry is None:
            raise ValueError("a registry folder is needed to pre-fill a form")
        data = read_applicant(catalog, registry, service.applicant, applicant_id, on=on)
    form = eform(
        catalog,
        code,
        applicant=data.values if data else None,
        licenses=data.licenses if data else (),
        include_optional=include_optional,
    )
    return ApplicantEForm(**dict(form), applicant=data)
