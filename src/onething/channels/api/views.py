"""Views the routers share: a case's status tree with its materials, a submission's
receipt, and the audit row of a read of cases (personal data)."""

from __future__ import annotations

from fastapi import Response
from sqlalchemy.orm import Session

from onething.cases import CaseService, Submitted
from onething.cases.actors import Actor
from onething.cases.bundles import load_children
from onething.cases.materials import materials_of
from onething.cases.schemas import CaseTree
from onething.cases.transitions import check_scope
from onething.channels.api.schemas import ApplicationOut, ReceiptMember, SubmissionReceipt
from onething.models.audit import record_audit

CASE_READ = "case.read"
"""The audit action of a read of cases (their forms hold personal data)."""


def tree_ids(tree: CaseTree) -> list[str]:
    return [tree.case.id, *(i for child in tree.children for i in tree_ids(child))]


def etag(version: int) -> str:
    """The ``ETag`` of a case at ``version`` (what ``If-Match`` sends back)."""
    return f'"{version}"'


def _view(session: Session, tree: CaseTree, *, new: bool) -> ApplicationOut:
    """The tree with its materials (none yet on cases just written)."""
    materials = [] if new else materials_of(session, tree_ids(tree))
    return ApplicationOut(**dict(tree), materials=materials)


def application_view(
    session: Session,
    *,
    cases: CaseService,
    actor: Actor,
    case_id: str,
    locale: str,
    response: Response,
) -> ApplicationOut:
    """The status tree of a case with its materials, read; ``ETag`` carries its version."""
    tree = cases.get_case(session, actor, case_id, locale=locale)
    response.headers["ETag"] = etag(tree.case.version)
    return _view(session, tree, new=False)


def submission_view(
    session: Session,
    *,
    cases: CaseService,
    actor: Actor,
    submitted: Submitted,
    locale: str,
) -> ApplicationOut:
    """The status tree a submission answers: a new one's from what it wrote (no query), a
    retry's read back."""
    tree = cases.submission_tree(session, actor, submitted, locale=locale)
    return _view(session, tree, new=submitted.written is not None)


def submission_receipt(
    session: Session, *, actor: Actor, submitted: Submitted
) -> SubmissionReceipt:
    """The receipt a submission answers with ``Prefer: return=minimal``: a new one's from
    what it wrote, a retry's children read (one query)."""
    case = submitted.case
    check_scope(case, actor, read=True)
    written = submitted.written
    children = written.cases[1:] if written is not None else load_children(session, case.id)
    return SubmissionReceipt(
        id=case.id,
        kind=case.kind,
        service_code=case.service_code,
        state=case.state,
        version=case.version,
        children=[
            ReceiptMember(id=c.id, service_code=c.service_code, state=c.state) for c in children
        ],
    )


def audit_case_read(
    session: Session,
    *,
    actor: Actor,
    entity_type: str,
    entity_id: str,
    case_ids: list[str],
    request_id: str | None,
) -> None:
    """One audit row (:data:`CASE_READ`) for the cases a request read: who, which cases
    (``after.case_ids``), of what (a case and its tree, an applicant's list); committed
    with the request's unit of work, one INSERT however many cases."""
    record_audit(
        session,
        actor=actor.label,
        action=CASE_READ,
        entity_type=entity_type,
        entity_id=entity_id,
        after={"case_ids": case_ids},
        request_id=request_id,
    )
