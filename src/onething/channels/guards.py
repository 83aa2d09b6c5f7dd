"""Assembling the rules-engine guard for a channel: the catalog's matters, the registry.

A matter names the packs that guard it (``guards: [fund_risk]``). Each pack gets one
:class:`~onething.rules.Checker` on the registry, opened on first use (the app starts
before the registry is built; ``make run`` builds it first) and closed with the app. A
guarded step on an app without a registry is refused with 503 rather than let through:
a guard that cannot look must not pass.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path

from onething.cases.rule_guards import RulesGuard
from onething.catalog.models import Catalog
from onething.kit.errors import Unavailable
from onething.kit.logging import get_logger
from onething.rules import Checker

log = get_logger("onething.guards")


class LazyCheckers(Mapping[str, Checker]):
    """One checker per pack name on ``registry``, opened on first use, thread-safe."""

    def __init__(self, names: set[str], registry: Path) -> None:
        self.names = frozenset(names)
        self.registry = registry
        self._open: dict[str, Checker] = {}
        self._lock = threading.Lock()
        self._end: date | None = None
        self._end_read = False

    def __getitem__(self, name: str) -> Checker:
        if name not in self.names:
            raise KeyError(name)
        found = self._open.get(name)
        if found is not None:
            return found
        with self._lock:
            if name not in self._open:
                if not (self.registry / "registry.duckdb").is_file():
                    raise Unavailable("guards.no_registry", pack=name, path=str(self.registry))
                self._open[name] = Checker(name, self.registry)
                log.info("rules guard opened", pack=name, registry=str(self.registry))
            return self._open[name]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.names))

    def __len__(self) -> int:
        return len(self.names)

    def data_as_of(self) -> date | None:
        """The day the registry's data runs to (its manifest's ``end_date``), if it says;
        read once, as the checkers keep the registry they opened until the app stops."""
        if self._end_read:
            return self._end
        from onething.registry.store import RegistryDir

        folder = RegistryDir(self.registry)
        if not folder.manifest_file.is_file():
            return None  # not built yet: look again next time
        end = folder.read_manifest().get("end_date")
        self._end = date.fromisoformat(end) if isinstance(end, str) else None
        self._end_read = True
        return self._end

    def close(self) -> None:
        with self._lock:
            for checker in self._open.values():
                checker.close()
            self._open.clear()


def rules_guard(catalog: Catalog, registry: Path) -> tuple[RulesGuard, LazyCheckers] | None:
    """The guard running each matter's packs on ``registry``; None when no matter has any."""
    packs_by_matter = {m.code: list(m.guards) for m in catalog.matters if m.guards}
    if not packs_by_matter:
        return None
    checkers = LazyCheckers({p for packs in packs_by_matter.values() for p in packs}, registry)
    guard = RulesGuard(packs_by_matter, checkers, data_as_of=checkers.data_as_of)
    return guard, checkers
