"""Uploaded materials (申请材料): checked, stored by content hash, served after an access check.

A file is accepted when it is not empty, not larger than the configured limit, and its
first bytes say PDF, JPEG or PNG — the media type the client claims is never trusted. While
it is read it is written to a staging file and hashed (SHA-256); the staging file becomes
``<root>/<2 hex>/<sha256>`` only after the material's row and the case event are written, so
a refused file leaves no file and no row behind. The same content is stored once, however
many cases or materials it serves.

Who may upload: the applicant on their own case, or a clerk of the case's department (at
the counter, 代办), while the case is open. Who may read a file back: the applicant; a
supervisor of the case's region; a clerk or reviewer of the region whose department handles
the case or a case of the same bundle (the police clerk needs the photo uploaded once to
the bundle). Every upload is a case event with its audit row; every read is audited.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from onething.cases.actors import STAFF_ROLES, Actor
from onething.cases.base import EngineBase, flush_now, moment, verb
from onething.cases.errors import state_label
from onething.cases.schemas import MaterialOut
from onething.cases.states import machine_for
from onething.cases.transitions import check_scope, record_event
from onething.kit.errors import Conflict, InvalidInput, NotFound, OneThingError, PermissionDenied
from onething.models.audit import record_audit
from onething.models.cases import Case, CaseMaterial

SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
"""Magic bytes of the accepted types (PDF 1.x/2.0, JPEG/JFIF/Exif, PNG)."""

HEAD_BYTES = max(len(magic) for magic, _ in SIGNATURES)
UPLOAD_KINDS = frozenset({"application", "bundle"})
UPLOAD_ROLES = ("applicant", "clerk")
UPLOAD_ACTION = "attach_material"
READ_ACTION = "read_material"
"""Audited as ``cases.<action>``, like the case events (``cases.action.<action>`` names them)."""
_STAGING = ".staging"
STAGING_PREFIX = "upload-"
"""Staging files are ``<root>/.staging/upload-…`` until stored by hash (or removed)."""

MaterialCodes = Callable[[str], Collection[str]]
"""The material codes a service asks for, by service code (the catalog answers)."""


class PayloadTooLarge(OneThingError):
    """The file is larger than the configured limit (HTTP 413)."""

    status: ClassVar[int] = 413
    type_slug: ClassVar[str] = "payload-too-large"
    title_key: ClassVar[str] = "cases.material.title.too_large"


class UnsupportedMediaType(OneThingError):
    """The file is not a PDF, JPEG or PNG by its content (HTTP 415)."""

    status: ClassVar[int] = 415
    type_slug: ClassVar[str] = "unsupported-media-type"
    title_key: ClassVar[str] = "cases.material.title.unsupported"


def too_large(limit: int) -> PayloadTooLarge:
    """The error for a file over ``limit`` bytes (the message gives the limit in MB)."""
    return PayloadTooLarge("cases.material.too_large", limit=f"{limit / (1024 * 1024):g}")


def sniff(head: bytes) -> str | None:
    """The media type the first bytes of a file announce, if it is one accepted."""
    return next((media for magic, media in SIGNATURES if head.startswith(magic)), None)


@dataclass(frozen=True, slots=True)
class StagedFile:
    """A file read, hashed and type-checked, waiting in the staging folder."""

    path: Path
    sha256: str
    size: int
    media_type: str


@dataclass(frozen=True)
class MaterialStore:
    """Files by content hash under ``root`` (``ONETHING_HOME/uploads``)."""

    root: Path

    @property
    def staging(self) -> Path:
        """The folder uploads are staged in before they are stored by hash."""
        return self.root / _STAGING

    def path(self, sha256: str) -> Path:
        """Where the file with this hash lives."""
        return self.root / sha256[:2] / sha256

    def stage(self, chunks: Iterable[bytes], *, max_bytes: int) -> StagedFile:
        """Read ``chunks`` into a staging file, hashing them and checking size and type.

        Raises :class:`PayloadTooLarge` as soon as more than ``max_bytes`` arrive,
        :class:`UnsupportedMediaType` as soon as the first bytes are known, ``InvalidInput``
        for an empty file; the staging file is removed in every case.
        """
        folder = self.staging
        folder.mkdir(parents=True, exist_ok=True)
        handle = tempfile.NamedTemporaryFile(dir=folder, prefix=STAGING_PREFIX, delete=False)  # noqa: SIM115
        path = Path(handle.name)
        digest = hashlib.sha256()
        size = 0
        head = b""
        media: str | None = None
        try:
            with handle:
                for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise too_large(max_bytes)
                    if media is None and len(head) < HEAD_BYTES:
                        head += chunk[: HEAD_BYTES - len(head)]
                        if len(head) >= HEAD_BYTES:
                            media = _require_type(head)
                    digest.update(chunk)
                    handle.write(chunk)
                handle.flush()
                os.fsync(handle.fileno())  # on disk before its row can commit
            if size == 0:
                raise InvalidInput("cases.material.empty", errors=[{"field": "file"}])
            media = media or _require_type(head)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return StagedFile(path, digest.hexdigest(), size, media)

    def keep(self, staged: StagedFile) -> Path:
        """Move a staged file into the store (the same content is kept once)."""
        target = self.path(staged.sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            staged.path.unlink(missing_ok=True)
        else:
            os.replace(staged.path, target)
        return target

    def discard(self, staged: StagedFile) -> None:
        """Remove a staged file that will not be kept."""
        staged.path.unlink(missing_ok=True)

    def file(self, sha256: str) -> Path:
        """The stored file with this hash; ``NotFound`` if it is missing."""
        target = self.path(sha256)
        if not target.is_file():
            raise NotFound("cases.material.file_missing", sha256=sha256)
        return target


def _require_type(head: bytes) -> str:
    media = sniff(head)
    if media is None:
        raise UnsupportedMediaType("cases.material.unsupported", errors=[{"field": "file"}])
    return media


def display_name(filename: str | None) -> str | None:
    """The client's file name, for display only: no folders, at most 255 characters."""
    name = Path((filename or "").replace("\\", "/")).name.strip()
    return name[-255:] or None


def material_out(row: CaseMaterial) -> MaterialOut:
    return MaterialOut(
        id=row.id,
        case_id=row.case_id,
        material_code=row.material_code,
        sha256=row.sha256,
        size=row.size,
        media_type=row.media_type,
        filename=row.filename,
        uploaded_by=row.uploaded_by,
        uploaded_at=row.uploaded_at,
    )


def materials_of(session: Session, case_ids: Sequence[str]) -> list[MaterialOut]:
    """The materials uploaded to ``case_ids`` (one query), oldest first."""
    if not case_ids:
        return []
    rows = session.scalars(
        select(CaseMaterial)
        .where(CaseMaterial.case_id.in_(case_ids))
        .order_by(CaseMaterial.uploaded_at, CaseMaterial.id)
    )
    return [material_out(row) for row in rows]


def _family_departments(session: Session, case: Case) -> set[str]:
    """Departments handling ``case``, its parent bundle or any case of the same bundle."""
    root = case.parent_id or case.id
    rows = session.scalars(
        select(Case.department).where((Case.id == root) | (Case.parent_id == root))
    )
    return {case.department, *rows}


class MaterialVerbs(EngineBase):
    """check_upload, attach_material, read_material (part of ``CaseService``)."""

    def check_upload(
        self,
        session: Session,
        actor: Actor,
        case_id: str,
        *,
        material_code: str,
        asks_for: MaterialCodes,
    ) -> Case:
        """Everything that can refuse an upload before its file is read.

        ``asks_for`` gives the material codes a service asks for (the catalog knows).
        Unknown case: ``NotFound``; a role other than applicant or clerk, someone else's
        case, another department's: ``PermissionDenied``; a decided case: ``Conflict``;
        a material the service does not ask for: ``InvalidInput``.
        """
        case = self._load(session, case_id, None)
        if actor.role not in UPLOAD_ROLES:
            raise PermissionDenied(
                "cases.material.role", role=actor.role, roles=", ".join(UPLOAD_ROLES)
            )
        check_scope(case, actor)
        if case.kind not in UPLOAD_KINDS or machine_for(case.kind).is_closed(case.state):
            raise Conflict("cases.material.closed", state=state_label(case.state))
        known = list(asks_for(case.service_code))
        if material_code not in known:
            raise InvalidInput(
                "cases.material.unknown",
                errors=[{"field": "material", "allowed": known}],
                code=material_code,
                service=case.service_name,
            )
        return case

    @verb
    def attach_material(
        self,
        session: Session,
        actor: Actor,
        case_id: str,
        *,
        material_code: str,
        asks_for: MaterialCodes,
        staged: StagedFile,
        filename: str | None = None,
        at: datetime | None = None,
    ) -> tuple[CaseMaterial, bool]:
        """Record an upload: the material row, a case event and its audit row.

        Returns the row and whether it is new (the same file for the same material of the
        same case is the row already there). The caller moves the staged file into the
        store after this returns and discards it if this raises.
        """
        at = moment(at)
        case = self.check_upload(
            session, actor, case_id, material_code=material_code, asks_for=asks_for
        )
        existing = session.scalars(
            select(CaseMaterial).where(
                CaseMaterial.case_id == case.id,
                CaseMaterial.material_code == material_code,
                CaseMaterial.sha256 == staged.sha256,
            )
        ).one_or_none()
        if existing is not None:
            return existing, False
        row = CaseMaterial(
            case_id=case.id,
            material_code=material_code,
            sha256=staged.sha256,
            size=staged.size,
            media_type=staged.media_type,
            filename=display_name(filename),
            uploaded_by=actor.label,
            uploaded_at=at,
        )
        session.add(row)
        try:
            flush_now(session)  # the row's id, for the event
        except IntegrityError as exc:  # the same file, uploaded concurrently
            raise Conflict("cases.material.in_flight", code=material_code) from exc
        record_event(
            session,
            case,
            UPLOAD_ACTION,
            actor,
            at=at,
            from_state=case.state,
            to_state=case.state,
            before=None,
            after={
                "material_id": row.id,
                "material": material_code,
                "sha256": staged.sha256,
                "size": staged.size,
                "media_type": staged.media_type,
            },
        )
        flush_now(session)
        return row, True

    def read_material(
        self, session: Session, actor: Actor, case_id: str, material_id: str
    ) -> CaseMaterial:
        """The material row, if ``actor`` may read its file; the read is audited."""
        row = session.get(CaseMaterial, material_id)
        if row is None or row.case_id != case_id:
            raise NotFound("cases.material.not_found", id=material_id)
        case = self._load(session, case_id, None)
        check_scope(case, actor, read=True)
        if actor.role in STAFF_ROLES and actor.department not in _family_departments(session, case):
            raise PermissionDenied(
                "cases.permission.department",
                department=actor.department or "-",
                case_department=case.department,
            )
        record_audit(
            session,
            actor=actor.label,
            action=f"cases.{READ_ACTION}",
            entity_type="case_material",
            entity_id=row.id,
            after={"case_id": case.id, "material": row.material_code, "sha256": row.sha256},
        )
        return row
