"""Helpers of the case-engine tests: tiny service definitions, actors, requests, counters.

The services are defined here, in a few lines, as the engine's Protocols allow; one test
(``test_real_catalog_plugs_in``) uses the catalog domain's own models instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Engine, event, func, select

from onething.cases import Actor, SubmitRequest
from onething.cases.definitions import BundleDefinition, MatterDefinition
from onething.kit.calendar import SHANGHAI
from onething.kit.errors import NotFound
from onething.kit.ids import make_credit_code, make_resident_id
from onething.models.audit import AuditEvent
from onething.models.cases import Case, CaseEvent

REGION = "370102"  # 济南市历下区
CITY = "370100"  # 济南市


@dataclass(frozen=True)
class MatterDef:
    code: str
    name: str
    department: str
    legal_limit_days: int
    promised_limit_days: int


@dataclass(frozen=True)
class MemberDef:
    matter: str
    depends_on: Sequence[str] = ()
    inputs: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BundleDef:
    code: str
    name: str
    lead_department: str
    promised_limit_days: int
    members: Sequence[MemberDef]


@dataclass
class TinyCatalog:
    """Lookups by code, as ``catalog.Catalog`` offers them."""

    services: dict[str, MatterDef | BundleDef]

    def matter(self, code: str) -> MatterDefinition:
        found = self.services.get(code)
        if not isinstance(found, MatterDef):
            raise NotFound("catalog.not_found.matter", code=code, suggestion="-")
        return found

    def service(self, code: str) -> MatterDefinition | BundleDefinition:
        found = self.services.get(code)
        if found is None:
            raise NotFound("catalog.not_found.service", code=code, suggestion="-")
        return found


BIRTH = MatterDef("birth_certificate", "出生医学证明", "health", 20, 5)
HOUSEHOLD = MatterDef("household_registration", "出生登记（户口）", "police", 20, 5)
INSURANCE = MatterDef("resident_medical_insurance", "城乡居民医保参保登记", "medical", 15, 3)
NEWBORN = BundleDef(
    code="newborn",
    name="新生儿出生一件事",
    lead_department="gov_service_office",
    promised_limit_days=10,
    members=(
        MemberDef("birth_certificate"),
        MemberDef(
            "household_registration",
            depends_on=("birth_certificate",),
            inputs={"child.birth_certificate_no": "birth_certificate.certificate_no"},
        ),
        MemberDef(
            "resident_medical_insurance",
            inputs={"child.household_no": "household_registration.household_no"},
        ),
    ),
)
BUSINESS = MatterDef("business_licence", "营业执照", "market", 15, 3)


def catalog_of(*services: MatterDef | BundleDef) -> TinyCatalog:
    return TinyCatalog({s.code: s for s in services})


def shanghai(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """An aware instant on the Asia/Shanghai clock."""
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


MOTHER_ID = make_resident_id("370102", date(1992, 5, 17), 24)
ENTERPRISE_ID = make_credit_code("370102", "MA000001")


def applicant_actor(identifier: str = MOTHER_ID) -> Actor:
    return Actor("applicant", identifier)


def clerk(department: str, region: str = REGION, person: str = "c-01") -> Actor:
    return Actor("clerk", f"{department}-{person}", department, region)


def reviewer(department: str, region: str = REGION) -> Actor:
    return Actor("reviewer", f"{department}-r-01", department, region)


def supervisor(region: str = CITY) -> Actor:
    return Actor("supervisor", "s-01", "gov_service_office", region)


def newborn_request(**changes: Any) -> SubmitRequest:
    values: dict[str, Any] = {
        "service_code": "newborn",
        "applicant": {"kind": "person", "id": MOTHER_ID},
        "region": REGION,
        "channel": "web",
        "form": {"child.name": "李小明", "mother.id_number": MOTHER_ID, "bank_account": "6222"},
    }
    values.update(changes)
    return SubmitRequest.model_validate(values)


def matter_request(code: str = "birth_certificate", **form: Any) -> SubmitRequest:
    return SubmitRequest.model_validate(
        {
            "service_code": code,
            "applicant": {"kind": "person", "id": MOTHER_ID},
            "region": REGION,
            "channel": "counter",
            "form": form,
        }
    )


class StatementCounter:
    """Counts the SQL statements an engine executes while active."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.statements: list[str] = []

    def _count(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements.append(statement)

    def __enter__(self) -> StatementCounter:
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)

    @property
    def count(self) -> int:
        return len(self.statements)

    def shape(self) -> tuple[int, int]:
        """What must not grow with the data: statements that are not row inserts, and
        distinct statements.

        PostgreSQL batches ORM inserts into one statement per table ("insertmanyvalues");
        SQLite cannot return generated keys of a batch in order, so SQLAlchemy inserts such
        rows one by one there (in process, no round trip): on SQLite only the inserts with
        generated keys may repeat.
        """
        others = sum(1 for s in self.statements if not s.lstrip().upper().startswith("INSERT"))
        return others, len(set(self.statements))


def count_rows(session: Any, model: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model)))


def history(session: Any) -> tuple[int, int, int]:
    """(cases, case events, audit rows) — to show that nothing was written."""
    return (
        count_rows(session, Case),
        count_rows(session, CaseEvent),
        count_rows(session, AuditEvent),
    )
