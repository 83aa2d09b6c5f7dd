"""Problems found in a catalog, each pinned to its file and path (``matters[2].fields[1]``).

The loader and :func:`onething.catalog.checks.check_catalog` collect every problem before
they stop, so the author fixes the catalog in one round. :class:`CatalogInvalid` carries
them all as an :class:`~onething.kit.errors.InvalidInput` (HTTP 422).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from onething.kit.errors import InvalidInput
from onething.kit.i18n import DEFAULT_LOCALE, translate

Severity = Literal["error", "warning"]

KINDS = ("department", "duty", "system", "data_catalog", "matter", "bundle", "service")


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem: the file, the path inside it, a message key and its parameters.

    ``warning`` problems (a matter no duty lists) do not stop loading; ``error`` ones do.
    """

    file: str
    path: str
    key: str
    params: dict[str, Any] = field(default_factory=dict)
    severity: Severity = "error"

    @property
    def where(self) -> str:
        if self.file and self.path:
            return f"{self.file}: {self.path}"
        return self.file or self.path or "catalog"

    def message(self, locale: str = DEFAULT_LOCALE) -> str:
        params = dict(self.params)
        if params.get("kind") in KINDS:
            params["kind"] = translate(f"catalog.kind.{params['kind']}", locale)
        candidate = params.get("candidate")
        params["hint"] = (
            translate("catalog.did_you_mean", locale, name=candidate) if candidate else ""
        )
        return translate(self.key, locale, **params)

    def describe(self, locale: str = DEFAULT_LOCALE) -> str:
        """``file: path: message`` in ``locale``."""
        return f"{self.where}: {self.message(locale)}"

    def as_dict(self, locale: str = DEFAULT_LOCALE) -> dict[str, Any]:
        return {
            "file": self.file,
            "path": self.path,
            "severity": self.severity,
            "key": self.key,
            "params": {k: str(v) for k, v in self.params.items()},
            "message": self.message(locale),
        }


class CatalogInvalid(InvalidInput):
    """A catalog that cannot be used; ``problems`` lists every problem found."""

    def __init__(self, problems: Iterable[Problem], *, source: str) -> None:
        self.problems = list(problems)
        super().__init__(
            "catalog.invalid",
            errors=[p.as_dict() for p in self.problems],
            source=source,
            count=len(self.problems),
        )

    def message(self, locale: str = DEFAULT_LOCALE) -> str:
        head = super().message(locale)
        return "\n".join([head, *(f"  {p.describe(locale)}" for p in self.problems)])
