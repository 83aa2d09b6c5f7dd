"""What the case engine needs to know about a service: a few attributes, as Protocols.

The catalog domain (:mod:`onething.catalog.models`) defines ``Matter``, ``Bundle`` and
``Catalog``; the engine does not import it (the two domains are independent layers).
Any object with these attributes plugs in: the real catalog, or a three-line dataclass in a
test. The engine copies what it needs (time limits, the bundle member's dependencies and
input mapping) onto the case at submission, so a case in flight follows the definition it
was submitted under even if the catalog changes later.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable


@runtime_checkable
class MatterDefinition(Protocol):
    """事项: code, name, competent department and time limits in working days."""

    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def department(self) -> str: ...
    @property
    def legal_limit_days(self) -> int: ...
    @property
    def promised_limit_days(self) -> int: ...


@runtime_checkable
class BundleMemberDefinition(Protocol):
    """A matter in a bundle: the matters it waits for, and ``field_key -> matter.output``."""

    @property
    def matter(self) -> str: ...
    @property
    def depends_on(self) -> Sequence[str]: ...
    @property
    def inputs(self) -> Mapping[str, str]: ...


@runtime_checkable
class BundleDefinition(Protocol):
    """一件事: matters of several departments in a dependency graph, one promised term."""

    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def lead_department(self) -> str: ...
    @property
    def promised_limit_days(self) -> int: ...
    @property
    def members(self) -> Sequence[BundleMemberDefinition]: ...


class ServiceCatalog(Protocol):
    """Lookups by code; an unknown code raises ``NotFound`` (as ``catalog.Catalog`` does)."""

    def matter(self, code: str) -> MatterDefinition: ...
    def service(self, code: str) -> MatterDefinition | BundleDefinition: ...
