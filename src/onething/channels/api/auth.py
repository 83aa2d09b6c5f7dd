"""Who is calling: the :class:`~onething.cases.actors.Actor`, from a development token.

Until the identity domain lands, the API accepts development bearer tokens::

    Authorization: Bearer dev.<role>.<person>[.<department>[.<region>]]

- ``role``: ``applicant``, ``clerk``, ``reviewer`` or ``supervisor``;
- ``person``: the applicant's resident ID number or credit code, or a staff member's id
  (letters, digits, ``-`` and ``_``);
- ``department``: a catalog department code (required for clerks and reviewers; ``-`` for
  none);
- ``region``: a six-digit division code (required for staff and supervisors; a city or
  the province covers the counties below it).

Examples: ``dev.applicant.370102199205170024``, ``dev.clerk.c-01.health.370102``,
``dev.supervisor.s-01.-.370100``. The setting ``ONETHING_DEV_TOKENS=false`` refuses them.

Routes depend on :data:`ActorDep` only; real authentication (OIDC) replaces
:func:`current_actor` here and nothing in the domains changes. Reading the token costs no
I/O, so the dependencies are ``async`` (no hop to a worker thread).
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from onething.cases.actors import Actor, Role
from onething.channels.api.errors import NotAuthenticated
from onething.config import Settings
from onething.kit.ids import area_name

BEARER_FORMAT = "dev.<role>.<person>[.<department>[.<region>]]"
TOKEN_ROLES: dict[str, Role] = {
    "applicant": "applicant",
    "clerk": "clerk",
    "reviewer": "reviewer",
    "supervisor": "supervisor",
}
_PERSON = re.compile(r"^[0-9A-Za-z_-]{1,64}$")
_DEPARTMENT = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_REGION = re.compile(r"^\d{6}$")

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="devToken",
    bearerFormat=BEARER_FORMAT,
    description=(
        "Development token until real authentication: `Bearer "
        + BEARER_FORMAT
        + "`, e.g. `dev.applicant.370102199205170024` or `dev.clerk.c-01.health.370102`. "
        "Roles: applicant, clerk, reviewer, supervisor. Clerks and reviewers need a "
        "department and a region, supervisors a region (`-` for no department)."
    ),
)


def parse_dev_token(token: str) -> Actor:
    """The actor a development token names; ``NotAuthenticated`` saying what is wrong."""
    parts = token.split(".")
    if not 3 <= len(parts) <= 5 or parts[0] != "dev":
        raise NotAuthenticated("api.auth.malformed", format=BEARER_FORMAT)
    _, role_text, person, *scope = parts
    role = TOKEN_ROLES.get(role_text)
    if role is None:
        raise NotAuthenticated("api.auth.bad_role", role=role_text, roles=", ".join(TOKEN_ROLES))
    if not _PERSON.match(person):
        raise NotAuthenticated("api.auth.bad_person", format=BEARER_FORMAT)
    department = scope[0] if scope and scope[0] != "-" else None
    region = scope[1] if len(scope) > 1 else None
    if department is not None and not _DEPARTMENT.match(department):
        raise NotAuthenticated("api.auth.bad_department", department=department)
    if region is not None and (not _REGION.match(region) or area_name(region) is None):
        raise NotAuthenticated("api.auth.bad_region", region=region)
    if role in ("clerk", "reviewer") and (department is None or region is None):
        raise NotAuthenticated("api.auth.staff_scope", role=role, format=BEARER_FORMAT)
    if role == "supervisor" and region is None:
        raise NotAuthenticated("api.auth.supervisor_scope", format=BEARER_FORMAT)
    if role == "applicant":
        person = person.upper()  # identifiers end in an upper-case X or letters
    return Actor(role, person, department, region)


async def current_actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    """The caller, from ``Authorization: Bearer …``; 401 problem+json without one."""
    settings: Settings = request.app.state.settings
    if credentials is None:
        raise NotAuthenticated("api.auth.missing", format=BEARER_FORMAT)
    if not settings.dev_tokens:
        raise NotAuthenticated("api.auth.disabled")
    return parse_dev_token(credentials.credentials)


async def optional_actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor | None:
    """The caller if credentials are given (public reads that say more to a known caller)."""
    if credentials is None:
        return None
    return await current_actor(request, credentials)


ActorDep = Annotated[Actor, Depends(current_actor)]
OptionalActorDep = Annotated[Actor | None, Depends(optional_actor)]
