"""Helpers of the API tests: tokens, the mother picked from the registry, steps, files."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from onething.kit.db import make_engine
from onething.models.audit import AuditEvent
from onething.models.cases import CaseEvent, CaseMaterial

REGISTRY_END = date(2025, 6, 30)
REGISTRY_SEED = 20250630
REGISTRY_PERSONS = 2_000
NEEDED_LICENSES = ("household_register", "id_card", "marriage_certificate")


@dataclass(frozen=True)
class Mother:
    """A real woman of the generated registry: the applicant of the newborn bundle."""

    id: str
    name: str
    region: str
    mobile: str
    address: str
    licenses: tuple[str, ...]


def pick_mother(registry: Path) -> Mother:
    """A living woman of 20–45, head of her household, with a mobile number and an ID card,
    household register and marriage certificate valid at the registry's end date."""
    with duckdb.connect(str(registry / "registry.duckdb"), read_only=True) as con:
        row = con.execute(
            """
            SELECT p.person_id, p.name, p.hukou_region, p.mobile, h.address
            FROM persons p JOIN households h ON h.household_id = p.household_id
            WHERE p.sex = 'F' AND h.head_id = p.person_id AND p.mobile IS NOT NULL
              AND date_diff('year', p.birth_date, ?) BETWEEN 20 AND 45
              AND p.person_id NOT IN (SELECT person_id FROM deaths)
              AND (SELECT count(DISTINCT l.license_type) FROM licenses l
                   WHERE l.holder_id = p.person_id AND l.license_type IN ?
                     AND l.issued_on <= ? AND (l.valid_until IS NULL OR l.valid_until >= ?)) = 3
            ORDER BY p.person_id LIMIT 1
            """,
            [REGISTRY_END, list(NEEDED_LICENSES), REGISTRY_END, REGISTRY_END],
        ).fetchone()
        assert row is not None, "the generated registry has no suitable mother"
        held = con.execute(
            """SELECT DISTINCT license_type FROM licenses WHERE holder_id = ?
               AND issued_on <= ? AND (valid_until IS NULL OR valid_until >= ?)""",
            [row[0], REGISTRY_END, REGISTRY_END],
        ).fetchall()
    return Mother(
        id=row[0],
        name=row[1],
        region=row[2],
        mobile=row[3],
        address=row[4],
        licenses=tuple(sorted(r[0] for r in held)),
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def as_applicant(person: str) -> dict[str, str]:
    return bearer(f"dev.applicant.{person}")


def as_clerk(department: str, region: str, person: str = "c-01") -> dict[str, str]:
    return bearer(f"dev.clerk.{department}-{person}.{department}.{region}")


def as_reviewer(department: str, region: str) -> dict[str, str]:
    return bearer(f"dev.reviewer.{department}-r-01.{department}.{region}")


def as_supervisor(region: str) -> dict[str, str]:
    return bearer(f"dev.supervisor.s-01.-.{region}")


def version_of(client: TestClient, case_id: str, headers: dict[str, str]) -> int:
    response = client.get(f"/api/v1/applications/{case_id}", headers=headers)
    assert response.status_code == 200, response.text
    return int(response.headers["etag"].strip('"'))


def act(
    client: TestClient, case_id: str, action: str, headers: dict[str, str], **body: Any
) -> dict[str, Any]:
    """Take ``action`` on a case at its current version (sent as If-Match); 200 expected."""
    version = version_of(client, case_id, headers)
    response = client.post(
        f"/api/v1/tasks/{case_id}/{action}",
        json=body,
        headers={**headers, "If-Match": f'"{version}"'},
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def newborn_body(mother: Mother, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "service_code": "newborn",
        "applicant": {"kind": "person", "id": mother.id},
        "region": mother.region,
        "channel": "mobile",
        "form": {
            "newborn.name": "测试宝宝",
            "newborn.sex": "F",
            "newborn.birth_date": "2025-06-20",
            "mother.name": mother.name,
            "mother.id_number": mother.id,
        },
    }
    body.update(changes)
    return body


def submit_newborn(client: TestClient, mother: Mother, key: str = "newborn-1") -> dict[str, Any]:
    response = client.post(
        "/api/v1/applications",
        json=newborn_body(mother),
        headers={**as_applicant(mother.id), "Idempotency-Key": key},
    )
    assert response.status_code == 201, response.text
    tree: dict[str, Any] = response.json()
    return tree


def children_by_code(tree: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {child["case"]["service_code"]: child for child in tree["children"]}


def tiny_png() -> bytes:
    """A valid 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def tiny_pdf(text: str = "test") -> bytes:
    return f"%PDF-1.7\n% {text}\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".encode()


class Db:
    """Direct reads of the operational database (what the API wrote)."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)

    def session(self) -> Session:
        return Session(self.engine)

    def count(self, model: Any, *where: Any) -> int:
        with self.session() as session:
            return int(session.scalar(select(func.count()).select_from(model).where(*where)))

    def history(self) -> tuple[int, int, int]:
        """(materials, case events, audit rows): to show that nothing was written."""
        return (self.count(CaseMaterial), self.count(CaseEvent), self.count(AuditEvent))

    def close(self) -> None:
        self.engine.dispose()
