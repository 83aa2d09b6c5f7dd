"""Assembling the rules-engine guard for a channel: the catalog's matters, the registry.

A matter names the packs that guard it (``guards: [fund_risk]``). Each pack gets one
:class:`~onething.rules.Checker` on the registry, opened on first use (the app starts
before the registry is built; ``make run`` builds it first) and closed with the app.

The registry the guards read is the DuckDB file of the registry folder, or — in
production, where a counter check must answer in milliseconds — a PostgreSQL database
filled by ``onething registry load`` (``ONETHING_GUARDS_REGISTRY_URL``, see
:func:`guards_source`). The checks run as of the day the registry's data runs to when
that is earlier than today: the folder's manifest says it, a loaded database its
``registry_meta`` row.

A guard that cannot look must not pass: a guarded step on an app whose registry is
missing, not loaded or unreachable — at the first check or later — is refused with 503
``guards.no_registry`` (:class:`NoRegistry`), its message saying which and what to do.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any, Literal

from onething.cases.actors import Actor
from onething.cases.rule_guards import RulesGuard
from onething.cases.states import CaseSnapshot, Finding, Transition
from onething.catalog.models import Catalog
from onething.config import Settings
from onething.kit.errors import OneThingError, Unavailable
from onething.kit.i18n import DEFAULT_LOCALE, translate
from onething.kit.logging import get_logger
from onething.registry.load import libpq_url, manifest_end_date, mask_password, read_meta
from onething.rules import Checker, PostgresSource

log = get_logger("onething.guards")

NO_REGISTRY = "guards.no_registry"
"""The code of every refusal for want of a registry (the message says why)."""
PROBE_TIMEOUT = 5
"""Seconds to wait for the registry database when looking for its load (a guarded step
is refused after that rather than held)."""

GuardsSource = Path | PostgresSource
"""Where the guards read the registry: a registry folder, or a loaded database."""


class NoRegistry(Unavailable):
    """503 ``guards.no_registry``: the rules guards have no registry to read.

    The code is always :data:`NO_REGISTRY`; ``message_key`` says why (no folder, no
    database, nothing loaded in it, a failure while reading), in the reader's language,
    with the message of ``cause`` (an engine's error) as ``{detail}``.
    """

    def __init__(self, message_key: str, *, cause: OneThingError | None = None, **params: Any):
        self.message_key = message_key
        self.cause = cause
        super().__init__(NO_REGISTRY, **params)

    def message(self, locale: str = DEFAULT_LOCALE) -> str:
        params = dict(self.params)
        if self.cause is not None:
            params["detail"] = self.cause.message(locale)
        return translate(self.message_key, locale, **params)


def guards_source(settings: Settings) -> GuardsSource:
    """The registry the guards of ``settings`` read: the database of
    ``guards_registry_url`` (schema ``guards_registry_schema``), else the registry folder.
    Raises :class:`~onething.kit.errors.InvalidInput` for a URL that is not PostgreSQL's."""
    url = settings.guards_registry_url
    if url:
        libpq_url(url)  # refused at start, not at the first guarded step
        return PostgresSource(url, settings.guards_registry_schema)
    return settings.effective_registry_path


RegistryStatus = Literal["ok", "missing", "unreachable", "not_configured"]


def registry_status(settings: Settings) -> RegistryStatus:
    """Whether the guards' PostgreSQL registry answers and holds a loaded registry
    (``not_configured`` when they read the registry folder): what a readiness probe
    reports, so an operator sees before a clerk does that guarded steps are refused."""
    source = guards_source(settings)
    if not isinstance(source, PostgresSource):
        return "not_configured"
    try:
        meta = read_meta(source.url, source.schema, connect_timeout=PROBE_TIMEOUT)
    except Unavailable:
        return "unreachable"
    return "ok" if meta is not None else "missing"


def describe(source: GuardsSource) -> str:
    """``source`` as logs and messages show it (a database's password masked)."""
    if isinstance(source, PostgresSource):
        return f"{mask_password(source.url)} (schema {source.schema})"
    return str(source)


class LazyCheckers(Mapping[str, Checker]):
    """One checker per pack name on ``source``, opened on first use, thread-safe."""

    def __init__(self, names: set[str], source: GuardsSource) -> None:
        self.names = frozenset(names)
        self.source = source
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
                self._require(name)
                self._open[name] = Checker(name, self.source)
                log.info("rules guard opened", pack=name, registry=describe(self.source))
            return self._open[name]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.names))

    def __len__(self) -> int:
        return len(self.names)

    def _require(self, pack: str) -> None:
        """Refuse (:class:`NoRegistry`) when there is no registry to open ``pack`` on."""
        if isinstance(self.source, PostgresSource):
            self.data_as_of()  # the database answers and holds a load, or NoRegistry
        elif not (self.source / "registry.duckdb").is_file():
            raise NoRegistry(NO_REGISTRY, pack=pack, path=str(self.source))

    def data_as_of(self) -> date | None:
        """The day the registry's data runs to, if it says (a folder's manifest
        ``end_date``, a database's ``registry_meta``); read once, as the checkers keep
        the registry they opened until the app stops. A database that cannot be reached
        or holds no loaded registry raises :class:`NoRegistry`."""
        if self._end_read:
            return self._end
        if isinstance(self.source, PostgresSource):
            self._end = _loaded_end_date(self.source)
        else:
            from onething.registry.store import RegistryDir

            folder = RegistryDir(self.source)
            if not folder.manifest_file.is_file():
                return None  # not built yet: look again next time
            self._end = manifest_end_date(folder.read_manifest())
        self._end_read = True
        return self._end

    def close(self) -> None:
        with self._lock:
            for checker in self._open.values():
                checker.close()
            self._open.clear()


def _loaded_end_date(source: PostgresSource) -> date | None:
    where = describe(source)
    try:
        meta = read_meta(source.url, source.schema, connect_timeout=PROBE_TIMEOUT)
    except Unavailable as exc:
        log.warning("rules guards: registry database unreachable", registry=where)
        raise NoRegistry("guards.no_registry_database", cause=exc, registry=where) from exc
    if meta is None:
        log.warning("rules guards: no registry loaded in the database", registry=where)
        raise NoRegistry("guards.registry_not_loaded", registry=where, schema=source.schema)
    return meta.end_date


class FailClosed:
    """``guard`` with the rules engine's failures to read the registry (a database gone
    after the checkers opened, a table not loaded) refused as :class:`NoRegistry`."""

    def __init__(self, guard: RulesGuard, source: GuardsSource) -> None:
        self.guard = guard
        self.source = source

    def __call__(
        self, case: CaseSnapshot, transition: Transition, actor: Actor
    ) -> Iterable[Finding]:
        try:
            return list(self.guard(case, transition, actor))
        except NoRegistry:
            raise
        except Unavailable as exc:
            where = describe(self.source)
            log.warning("rules guards: registry unreadable", registry=where, error=exc.key)
            raise NoRegistry("guards.registry_failed", cause=exc, registry=where) from exc


def rules_guard(catalog: Catalog, source: GuardsSource) -> tuple[FailClosed, LazyCheckers] | None:
    """The guard running each matter's packs on ``source``; None when no matter has any."""
    packs_by_matter = {m.code: list(m.guards) for m in catalog.matters if m.guards}
    if not packs_by_matter:
        return None
    checkers = LazyCheckers({p for packs in packs_by_matter.values() for p in packs}, source)
    guard = RulesGuard(packs_by_matter, checkers, data_as_of=checkers.data_as_of)
    return FailClosed(guard, source), checkers
