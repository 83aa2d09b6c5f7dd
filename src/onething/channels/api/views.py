"""Views the routers share: a case's status tree with its materials."""

from __future__ import annotations

from fastapi import Response
from sqlalchemy.orm import Session

from onething.cases import CaseService
from onething.cases.actors import Actor
from onething.cases.materials import materials_of
from onething.cases.schemas import CaseTree
from onething.channels.api.schemas import ApplicationOut


def _tree_ids(tree: CaseTree) -> list[str]:
    return [tree.case.id, *(i for child in tree.children for i in _tree_ids(child))]


def application_view(
    session: Session,
    *,
    cases: CaseService,
    actor: Actor,
    case_id: str,
    locale: str,
    response: Response,
) -> ApplicationOut:
    """The status tree with its materials; ``ETag`` carries the case version (for If-Match)."""
    tree = cases.get_case(session, actor, case_id, locale=locale)
    response.headers["ETag"] = f'"{tree.case.version}"'
    return ApplicationOut(**dict(tree), materials=materials_of(session, _tree_ids(tree)))
