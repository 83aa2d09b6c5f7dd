"""Single-entity checks at a counter: one pack, one person (or enterprise …) at a time.

A clerk's check must answer in milliseconds on a registry of millions. Compiling a pack
costs tens of milliseconds of Python, so a :class:`Checker` compiles it once per date
(and set of phases) with the entity key as a bound SQL parameter
(:func:`~onething.rules.compile.compile_check`), renders the SQL once per engine, and
for each check only binds the key and executes:

    with Checker("fund_risk", PostgresSource(url)) as checker:
        hits = checker.check("370102198503010111", date(2025, 6, 30))  # phase "pre"
        outcomes = checker.explain("370102198503010111", date(2025, 6, 30))

The hits and outcomes are those of :func:`~onething.rules.run.runner.run` and
:func:`~onething.rules.run.runner.explain` for that entity, explanation for explanation.
A checker is thread-safe: each check borrows an executor of its own from a small pool
(a DuckDB cursor, a PostgreSQL connection whose statements stay prepared).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Collection, Mapping
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any, get_args

from onething.kit.errors import InvalidInput, Unavailable
from onething.rules.authoring import Pack, Phase
from onething.rules.compile import ENTITY_PARAMETER, CompiledPack, compile_check
from onething.rules.compile.manifest import Manifest
from onething.rules.run.explanation import Hit, RuleOutcome, hits, outcomes
from onething.rules.run.pool import DEFAULT_SIZE, Executors
from onething.rules.run.query import in_order, key_type
from onething.rules.run.runner import Engine, PostgresSource, Source, resolve_source

PHASES: tuple[str, ...] = get_args(Phase)
DEFAULT_PHASES: tuple[str, ...] = ("pre",)
"""A counter check asks the rules guarding a step before it is taken (事前)."""
CACHE_SIZE = 16
"""Compiled queries kept per checker (one per date and set of phases), least recent
dropped first."""
MAX_ID_LENGTH = 64

_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,18}")


class Checker:
    """Checks one entity at a time against a pack, on DuckDB, PostgreSQL or Spark.

    ``pack`` is a :class:`Pack`, the name of a known pack or a YAML path; ``source`` and
    ``engine`` are those of :func:`~onething.rules.run.runner.run` (a registry folder,
    or a database filled by ``onething registry load``). ``scenarios`` as in
    :func:`~onething.rules.compile.compile_pack` (default: ``base`` alone).
    ``connections`` bounds the executors used at once (DuckDB cursors, PostgreSQL
    connections). Close it (or use it as a context manager) to release them.

    Raises :class:`InvalidInput` for an engine that cannot read the source,
    :class:`NotFound` for an unknown pack or a folder without a registry,
    :class:`Unavailable` when the engine cannot be reached.
    """

    def __init__(
        self,
        pack: Pack | str | Path,
        source: Source,
        *,
        engine: Engine | None = None,
        scenarios: Mapping[str, Mapping[str, Any]] | None = None,
        connections: int = DEFAULT_SIZE,
        cache_size: int = CACHE_SIZE,
    ) -> None:
        if not isinstance(pack, Pack):
            from onething.rules.library import load

            pack = load(pack)
        self.pack = pack
        self.scenarios = None if scenarios is None else {n: dict(v) for n, v in scenarios.items()}
        chosen, target = resolve_source(source, engine)
        self.engine: Engine = chosen
        self._executors = _open(chosen, target, connections)
        self._cache: OrderedDict[tuple[date, tuple[str, ...] | None], CompiledPack] = OrderedDict()
        self._cache_size = max(1, cache_size)
        self._lock = threading.Lock()

    # -- the checks ----------------------------------------------------------------------
    def check(
        self, entity_id: str | int, as_of: date, *, phases: Collection[str] | None = DEFAULT_PHASES
    ) -> list[Hit]:
        """The hits of the rules in ``phases`` (``None``: every rule) for one entity as
        of ``as_of``, explained: each scenario, then rule in pack order. An entity the
        registry does not hold has none. Raises :class:`InvalidInput` for an id that
        cannot be a key (not text, control characters, over 64 characters; not a whole
        number for an integer key) or an unknown phase.
        """
        rules = self._rules(phases)
        if rules == ():
            return []
        compiled = self.compiled(as_of, rules).for_hits()
        manifest = compiled.manifest
        return hits(manifest, self._rows(compiled, bind_key(manifest, entity_id)))

    def explain(
        self, entity_id: str | int, as_of: date, *, scenario: str | None = None
    ) -> list[RuleOutcome]:
        """Every rule for one entity (each scenario, or ``scenario``), hit or not, with
        each clause's values and verdict, as ``onething rules explain`` gives them; ``[]``
        for an entity the registry does not hold."""
        compiled = self.compiled(as_of).for_hits()
        manifest = compiled.manifest
        rows = self._rows(compiled, bind_key(manifest, entity_id))
        if scenario is not None:
            rows = [r for r in rows if r["scenario"] == scenario]
        return outcomes(manifest, rows)

    def compiled(self, as_of: date, rules: tuple[str, ...] | None = None) -> CompiledPack:
        """The query checks of ``rules`` (``None``: all) as of ``as_of`` run (compiled on
        first use, then kept: at most ``cache_size`` dates and rule sets)."""
        key = (as_of, rules)
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
            compiled = compile_check(self.pack, as_of, self.scenarios, rules=rules)
            self._cache[key] = compiled
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
            return compiled

    def _rules(self, phases: Collection[str] | None) -> tuple[str, ...] | None:
        """The ids of the rules in ``phases``; None when that is every rule."""
        if phases is None:
            return None
        if isinstance(phases, str):
            phases = (phases,)
        unknown = sorted(set(phases) - set(PHASES))
        if unknown:
            raise InvalidInput(
                "rules.check.unknown_phase", phase=", ".join(unknown), phases=", ".join(PHASES)
            )
        chosen = tuple(r.id for r in self.pack.rules if r.phase in phases)
        return None if len(chosen) == len(self.pack.rules) else chosen

    def _rows(self, compiled: CompiledPack, key: str | int) -> list[dict[str, Any]]:
        with self._executors.executor() as executor:
            sql = compiled.sql(executor.dialect, schema=executor.schema, pretty=False)
            rows = executor.rows(sql, {ENTITY_PARAMETER: key})
        return [dict(r) for r in in_order(compiled.manifest, rows)]

    # -- life cycle ----------------------------------------------------------------------
    def close(self) -> None:
        """Release the executors (connections, cursors); the checker is unusable after."""
        self._executors.close()

    def __enter__(self) -> Checker:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Checker({self.pack.pack!r}, engine={self.engine!r})"


def bind_key(manifest: Manifest, entity_id: object) -> str | int:
    """``entity_id`` as the value bound to the query's key parameter: text for a text
    key, an int for an integer key. Raises :class:`InvalidInput` for anything else."""
    if key_type(manifest) == "int":
        if isinstance(entity_id, int) and not isinstance(entity_id, bool):
            return entity_id
        if isinstance(entity_id, str) and _WHOLE_NUMBER.fullmatch(entity_id):
            return int(entity_id)
        raise InvalidInput(
            "rules.run.entity_id_not_int", entity=manifest.entity, entity_id=_shown(entity_id)
        )
    if (
        not isinstance(entity_id, str)
        or not entity_id
        or len(entity_id) > MAX_ID_LENGTH
        or not entity_id.isprintable()
    ):
        raise InvalidInput(
            "rules.check.bad_entity_id",
            entity=manifest.entity,
            entity_id=_shown(entity_id),
            limit=MAX_ID_LENGTH,
        )
    return entity_id


def _shown(value: object) -> str:
    """A value as an error message may show it: printable, at most 40 characters."""
    text = ascii(value) if not isinstance(value, str) or not value.isprintable() else value
    return text if len(text) <= 40 else text[:39] + "…"


def _open(engine: Engine, target: Any, connections: int) -> Executors:
    if isinstance(target, PostgresSource):
        from onething.rules.run.postgres import PostgresExecutors

        return PostgresExecutors(target.url, target.schema, size=connections)
    if engine == "spark":
        try:
            from onething.rules.run.spark import SparkExecutors
        except ImportError as exc:
            raise Unavailable("rules.run.spark_missing") from exc
        return SparkExecutors(target)
    from onething.rules.run.duckdb import DuckDBExecutors

    return DuckDBExecutors(target, size=connections)


__all__ = ["CACHE_SIZE", "DEFAULT_PHASES", "MAX_ID_LENGTH", "PHASES", "Checker", "bind_key"]
