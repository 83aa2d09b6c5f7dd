"""The catalog as the case engine sees one submission: the optional bundle members chosen.

The case engine (:mod:`onething.cases`) reads services through a small Protocol
(``ServiceCatalog``: ``matter(code)`` and ``service(code)``), which :class:`Catalog`
satisfies as it is; the engine runs every member of a bundle it is given. Some members are
optional (生育津贴 in 新生儿出生: only when the mother is insured and asks for it), so a
channel submits through :func:`for_submission`, whose bundles keep the optional members the
applicant chose and leave out the others.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from onething.catalog.models import Bundle, Catalog, Matter
from onething.kit.errors import InvalidInput


def choose_members(bundle: Bundle, chosen: Iterable[str]) -> Bundle:
    """``bundle`` with its required members and the optional ones in ``chosen``."""
    keep = set(chosen)
    members = [m for m in bundle.members if not m.optional or m.matter in keep]
    return bundle.model_copy(update={"members": members})


@dataclass(frozen=True)
class SubmissionCatalog:
    """Lookups by code, as the case engine needs them, with the optional members chosen."""

    catalog: Catalog
    chosen: frozenset[str]

    def matter(self, code: str) -> Matter:
        """The matter ``code`` (``NotFound`` naming the nearest codes)."""
        return self.catalog.matter(code)

    def service(self, code: str) -> Matter | Bundle:
        """The matter or bundle ``code``; a bundle keeps only the chosen optional members."""
        service = self.catalog.service(code)
        if isinstance(service, Bundle):
            return choose_members(service, self.chosen)
        return service


def optional_members(service: Matter | Bundle) -> list[str]:
    """The optional members of a bundle (none for a matter)."""
    if isinstance(service, Matter):
        return []
    return [m.matter for m in service.members if m.optional]


def for_submission(catalog: Catalog, code: str, chosen: Iterable[str] = ()) -> SubmissionCatalog:
    """The catalog for submitting service ``code`` with the optional members ``chosen``.

    Raises ``NotFound`` for an unknown code and ``InvalidInput`` when a chosen member is
    not an optional member of that bundle.
    """
    picked = list(dict.fromkeys(chosen))
    allowed = optional_members(catalog.service(code))
    unknown = [m for m in picked if m not in allowed]
    if unknown:
        raise InvalidInput(
            "catalog.optional.unknown",
            errors=[{"field": "optional_members", "allowed": allowed}],
            code=code,
            members="、".join(unknown),
            allowed="、".join(allowed) or "-",
        )
    return SubmissionCatalog(catalog, frozenset(picked))
