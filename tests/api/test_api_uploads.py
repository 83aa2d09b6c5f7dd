"""Uploads: the type by magic bytes, the size limit, storage by content hash, and files served
back only after an access check. A refused file leaves no file and no row behind."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from api_support import (
    Db,
    Mother,
    act,
    as_applicant,
    as_clerk,
    as_reviewer,
    as_supervisor,
    children_by_code,
    submit_newborn,
    tiny_pdf,
    tiny_png,
)
from fastapi.testclient import TestClient
from sqlalchemy import select

from onething.cases.materials import MaterialStore, PayloadTooLarge, UnsupportedMediaType, sniff
from onething.config import Settings
from onething.kit.ids import make_resident_id
from onething.models.audit import AuditEvent

JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"


def _stored_files(settings: Settings) -> list[Path]:
    """Every file under the uploads folder (staging included)."""
    root = settings.uploads_path
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _upload(
    client: TestClient,
    case_id: str,
    headers: dict[str, str],
    content: bytes,
    *,
    material: str = "photo",
    name: str = "photo.png",
    declared: str = "image/png",
) -> Any:
    return client.post(
        f"/api/v1/applications/{case_id}/materials",
        data={"material": material},
        files={"file": (name, content, declared)},
        headers=headers,
    )


@pytest.mark.parametrize(
    ("head", "media"),
    [
        (b"%PDF-1.4\n", "application/pdf"),
        (JPEG_HEAD, "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00", "image/png"),
        (b"GIF89a", None),
        (b"<html>", None),
        (b"\x89PNG\r\n", None),  # truncated signature
        (b"", None),
    ],
)
def test_sniffing_reads_the_first_bytes(head: bytes, media: str | None) -> None:
    assert sniff(head) == media


def test_upload_is_stored_once_by_hash_and_audited(
    client: TestClient, mother: Mother, settings: Settings, db: Db
) -> None:
    parent = submit_newborn(client, mother)["case"]["id"]
    me = as_applicant(mother.id)
    content = tiny_png()
    digest = hashlib.sha256(content).hexdigest()
    first = _upload(client, parent, me, content, name="../../etc/我的照片.png")
    assert first.status_code == 201, first.text
    row = first.json()
    assert (row["sha256"], row["size"], row["media_type"]) == (digest, len(content), "image/png")
    assert row["filename"] == "我的照片.png"  # folders stripped
    assert row["uploaded_by"] == f"applicant:{mother.id}"
    assert _stored_files(settings) == [settings.uploads_path / digest[:2] / digest]
    # the same file again: the same row, still one file
    again = _upload(client, parent, me, content)
    assert again.status_code == 200
    assert again.json()["id"] == row["id"]
    # the same content for another material of a child: a new row, still one file
    child = children_by_code(submit_newborn(client, mother, key="second"))
    other = child["hrss_social_security_card"]["case"]["id"]
    also = _upload(client, other, me, content)
    assert also.status_code == 201
    assert _stored_files(settings) == [settings.uploads_path / digest[:2] / digest]
    with db.session() as session:
        audited = [a.action for a in session.scalars(select(AuditEvent))]
    assert audited.count("cases.attach_material") == 2


@pytest.mark.parametrize(
    ("content", "declared", "status", "code"),
    [
        (b"this is not a pdf at all", "application/pdf", 415, "cases.material.unsupported"),
        (b"GIF89a" + b"\x00" * 64, "image/png", 415, "cases.material.unsupported"),
        (b"", "image/png", 422, "cases.material.empty"),
        (tiny_pdf("x" * 70_000), "application/pdf", 413, "cases.material.too_large"),
        (tiny_pdf("x" * 200_000), "application/pdf", 413, "cases.material.too_large"),
    ],
)
def test_bad_files_leave_nothing_behind(
    client: TestClient,
    mother: Mother,
    settings: Settings,
    db: Db,
    content: bytes,
    declared: str,
    status: int,
    code: str,
) -> None:
    parent = submit_newborn(client, mother)["case"]["id"]
    before = db.history()
    response = _upload(client, parent, as_applicant(mother.id), content, declared=declared)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code
    assert response.json()["detail"]
    assert _stored_files(settings) == []
    assert db.history() == before
    if len(content) > 2 * settings.upload_max_bytes:  # refused on its declared length
        assert not settings.uploads_path.exists()


def test_staging_stops_at_the_limit_and_cleans_up(tmp_path: Path) -> None:
    store = MaterialStore(tmp_path / "uploads")
    chunks = iter([b"%PDF-1.7\n", b"0" * 1000, b"0" * 1000, b"0" * 1000])
    with pytest.raises(PayloadTooLarge):
        store.stage(chunks, max_bytes=1500)
    assert next(chunks, None) is not None  # refused before the rest was read
    assert [p for p in store.root.rglob("*") if p.is_file()] == []
    with pytest.raises(UnsupportedMediaType):
        store.stage(iter([b"GIF8", b"9a", b"\x00" * 10]), max_bytes=1500)
    parts = [b"\x89P", b"NG\r\n\x1a\n", b"rest"]  # the signature split across chunks
    staged = store.stage(iter(parts), max_bytes=1500)
    whole = b"".join(parts)
    assert (staged.media_type, staged.size) == ("image/png", len(whole))
    assert staged.sha256 == hashlib.sha256(whole).hexdigest()
    assert staged.path.read_bytes() == whole
    kept = store.keep(staged)
    assert kept == store.path(staged.sha256)
    assert not staged.path.exists()


@pytest.mark.parametrize(
    ("who", "material", "status", "code"),
    [
        ("applicant", "not_a_material", 422, "cases.material.unknown"),
        ("stranger", "photo", 403, "cases.permission.not_applicant"),
        ("reviewer", "photo", 403, "cases.material.role"),
        ("other_department", "photo", 403, "cases.permission.department"),
        ("nobody", "photo", 401, "api.auth.missing"),
    ],
)
def test_refused_uploads_leave_nothing_behind(
    client: TestClient,
    mother: Mother,
    settings: Settings,
    db: Db,
    who: str,
    material: str,
    status: int,
    code: str,
) -> None:
    parent = submit_newborn(client, mother)["case"]["id"]
    stranger = make_resident_id("370102", date(1990, 1, 1), 11)
    headers = {
        "applicant": as_applicant(mother.id),
        "stranger": as_applicant(stranger),
        "reviewer": as_reviewer("health", mother.region),
        "other_department": as_clerk("police", mother.region),
        "nobody": {},
    }[who]
    before = db.history()
    response = _upload(client, parent, headers, tiny_png(), material=material)
    assert response.status_code == status, response.text
    assert response.json()["code"] == code
    assert _stored_files(settings) == []
    assert db.history() == before


def test_no_upload_to_a_decided_case(
    client: TestClient, mother: Mother, settings: Settings
) -> None:
    tree = submit_newborn(client, mother)
    health = children_by_code(tree)["health_birth_medical_certificate"]["case"]["id"]
    act(client, health, "refuse", as_clerk("health", mother.region), note="非本机构出生")
    response = _upload(client, health, as_applicant(mother.id), tiny_pdf(), material="id_card")
    assert response.status_code == 409
    assert response.json()["code"] == "cases.material.closed"
    assert _stored_files(settings) == []


def test_files_are_served_only_after_an_access_check(
    client: TestClient, mother: Mother, db: Db
) -> None:
    tree = submit_newborn(client, mother)
    parent = tree["case"]["id"]
    content = tiny_png()
    uploaded = _upload(client, parent, as_applicant(mother.id), content).json()
    url = f"/api/v1/applications/{parent}/materials/{uploaded['id']}"
    stranger = make_resident_id("370102", date(1990, 1, 1), 11)

    for headers in (
        as_applicant(mother.id),
        as_clerk("police", mother.region),  # handles a member of the same bundle
        as_supervisor(mother.region[:4] + "00"),
    ):
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.text
        assert response.content == content
        assert response.headers["content-type"] == "image/png"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "private, no-store"
        assert "attachment" in response.headers["content-disposition"]

    refusals = [
        ({}, 401, "api.auth.missing"),
        (as_applicant(stranger), 403, "cases.permission.not_applicant"),
        (as_clerk("market_regulation", mother.region), 403, "cases.permission.department"),
        (as_clerk("police", "371702"), 403, "cases.permission.region"),
    ]
    for headers, status, code in refusals:
        response = client.get(url, headers=headers)
        assert response.status_code == status, response.text
        assert response.json()["code"] == code
        assert response.content != content
    # a material id under another case is not found there
    other = submit_newborn(client, mother, key="other")["case"]["id"]
    response = client.get(
        f"/api/v1/applications/{other}/materials/{uploaded['id']}",
        headers=as_applicant(mother.id),
    )
    assert response.status_code == 404
    assert response.json()["code"] == "cases.material.not_found"
    with db.session() as session:
        reads = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "cases.read_material")
        ).all()
    assert len(reads) == 3
    assert {r.entity_id for r in reads} == {uploaded["id"]}
