"""Who acts on a case: a role, a person, and the department and region they act for.

The identity domain (later) turns a login into an :class:`Actor`; the engine only reads it.
Roles:

- ``applicant`` — the citizen or enterprise (``person`` is the resident ID or credit code);
- ``clerk`` — a counter or back-office clerk (受理人员) of a department;
- ``reviewer`` — the official who reviews and decides (审核人员);
- ``supervisor`` — 督办/好差评 staff watching a region;
- ``system`` — the engine itself (releasing a bundle child, concluding a parent, SLA scans).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["applicant", "clerk", "reviewer", "supervisor", "system"]
ROLES: tuple[Role, ...] = ("applicant", "clerk", "reviewer", "supervisor", "system")
STAFF_ROLES: frozenset[str] = frozenset({"clerk", "reviewer"})


@dataclass(frozen=True, slots=True)
class Actor:
    """A person (or the engine) acting in a role for a department and region.

    ``region`` is a GB/T 2260 division code; a city code (``370100``) or the province
    (``370000``) covers every county below it.
    """

    role: Role
    person: str
    department: str | None = None
    region: str | None = None

    @property
    def label(self) -> str:
        """How the audit log names the actor: ``clerk:c-001@hrss/370102``."""
        where = ""
        if self.department or self.region:
            where = f"@{self.department or '-'}/{self.region or '-'}"
        return f"{self.role}:{self.person}{where}"


SYSTEM = Actor("system", "case-engine")
"""The engine acting on its own (cascades, scans)."""


def region_prefix(code: str) -> str:
    """The significant prefix of a division code: ``370000`` -> ``37``, ``370100`` -> ``3701``."""
    prefix = code
    while len(prefix) > 2 and prefix.endswith("00"):
        prefix = prefix[:-2]
    return prefix


def region_covers(scope: str, region: str) -> bool:
    """Whether an actor of region ``scope`` may act on a case of region ``region``."""
    return region.startswith(region_prefix(scope))
