"""The configured engine and the helpers every verb shares.

:class:`EngineBase` holds the configuration (calendar, pluggable guards, local rules) and
the steps common to the verbs: load a case at the version the caller saw, take a
transition and apply the clock effect it declares, start terms, create and record cases.
The verbs live in :mod:`.service`, :mod:`.evaluation` and :mod:`.supervision`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ParamSpec, TypeVar

from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.exc import StaleDataError

from onething.cases.actors import Actor
from onething.cases.clocks import (
    ClockSpec,
    Ledger,
    apply_effect,
    clock_values,
    load_ledgers,
    new_ledgers,
    start_clocks,
)
from onething.cases.errors import GuardBlocked
from onething.cases.states import StateMachine, TransitionGuard, machine_for
from onething.cases.transitions import Performed, audit_of, event_values, perform, run_guards
from onething.kit.calendar import WorkingCalendar, default_calendar, to_shanghai
from onething.kit.db import as_loaded, utcnow
from onething.kit.errors import Conflict, NotFound
from onething.kit.i18n import DEFAULT_LOCALE, translate
from onething.models.cases import CASES, Case, NewCaseRows, new_case_id, write_new_cases

P = ParamSpec("P")
R = TypeVar("R")

CASE_COLUMNS = frozenset(column.key for column in CASES.columns)
CASE_DEFAULTS: Mapping[str, Any] = {
    "parent_id": None,
    "origin_id": None,
    "assisted_by": None,
    "held_from": None,
    "outcome": None,
    "plan": None,
    "legal_limit_days": None,
    "promised_limit_days": None,
    "concluded_at": None,
}
"""The columns a new case may leave out (every column is set, so nothing is read back)."""


@dataclass(frozen=True, slots=True)
class Written:
    """New cases to write or written: the cases (the root first), their first events
    (column values) and the clocks started with them (``clock_reason`` on their start
    lines) — enough to answer without a read."""

    cases: list[Case]
    events: list[dict[str, Any]]
    ledgers: list[Ledger] = field(default_factory=list)
    clock_reason: str | None = None

    @property
    def root(self) -> Case:
        return self.cases[0]


def moment(at: datetime | None) -> datetime:
    """When a step happens, in UTC (as the database gives it back): ``at`` (aware) or now."""
    if at is None:
        return utcnow()
    to_shanghai(at)  # refuses a naive datetime with a clear message
    return at.astimezone(UTC)


def flush_now(session: Session) -> None:
    """Flush now, so a concurrent change surfaces inside the verb (see :func:`verb`)."""
    session.flush()


def verb(method: Callable[P, R]) -> Callable[P, R]:
    """A verb: a concurrent change of a case, caught at any flush, is a ``Conflict``.

    (SQLAlchemy's version check raises ``StaleDataError`` when the row's version moved
    since it was loaded; autoflush may raise it from any query inside the verb.)
    """

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except StaleDataError as exc:
            raise Conflict("cases.concurrent_change") from exc

    return wrapper


@dataclass(frozen=True)
class EngineBase:
    """The case engine, configured: calendar, pluggable guards and local rules.

    ``guards`` run on every transition after the transition's own (the rules-engine adapter
    of phase ``in`` plugs in here). ``rectification_days`` is the working-day term of a
    rectification after a bad rating (default 5: Dezhou, FACTS §5.3);
    ``yellow_working_days`` / ``yellow_working_hours`` how early an SLA scan warns (黄牌,
    1 working day before the due day: FACTS §5.2); ``evaluation_department`` owns the
    callbacks (回访) after a rectification.
    """

    calendar: WorkingCalendar | None = None
    guards: tuple[TransitionGuard, ...] = ()
    rectification_days: int = 5
    yellow_working_days: int = 1
    yellow_working_hours: int = 1
    evaluation_department: str = "gov_service_office"

    @property
    def cal(self) -> WorkingCalendar:
        """The working calendar in use (the configured default unless one was given)."""
        return self.calendar or default_calendar()

    # -- helpers ---------------------------------------------------------------------------

    def _load(self, session: Session, case_id: str, version: int | None) -> Case:
        case = session.get(Case, case_id)
        if case is None:
            raise NotFound("cases.not_found", id=case_id)
        if version is not None and case.version != version:
            raise Conflict("cases.stale_version", expected=version, current=case.version)
        return case

    def _step(
        self,
        session: Session,
        actor: Actor,
        case_id: str,
        action: str,
        *,
        version: int | None,
        note: str | None,
        at: datetime | None,
    ) -> Case:
        """Load the case, take ``action`` (guards, event, audit, clock effect), flush."""
        when = moment(at)
        case = self._load(session, case_id, version)
        self._perform(session, case, action, actor, at=when, note=note)
        flush_now(session)
        return case

    def _perform(
        self,
        session: Session,
        case: Case,
        action: str,
        actor: Actor,
        *,
        at: datetime,
        note: str | None = None,
        proposed: Mapping[str, Any] | None = None,
        before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None,
    ) -> Performed:
        """Take the transition, then apply the clock effect it declares."""
        performed = perform(
            session,
            case,
            action,
            actor,
            at=at,
            guards=self.guards,
            note=note,
            proposed=proposed,
            before=before,
            after=after,
        )
        effect = performed.transition.clocks
        if effect == "start":
            self._start_terms(session, case, at=at, actor=actor)
        elif effect is not None:
            ledgers = load_ledgers(session, [case.id])[case.id]
            apply_effect(session, self.cal, ledgers, effect, at=at, actor=actor.label, reason=note)
        return performed

    def _start_terms(self, session: Session, case: Case, *, at: datetime, actor: Actor) -> None:
        """Start the legal (法定) and promised (承诺) terms, from acceptance."""
        specs = []
        if case.legal_limit_days is not None:
            specs.append(
                (case.id, ClockSpec("legal", "legal", "working_days", case.legal_limit_days))
            )
        if case.promised_limit_days is not None:
            promised = ClockSpec("promised", "promised", "working_days", case.promised_limit_days)
            specs.append((case.id, promised))
        start_clocks(
            session,
            self.cal,
            specs,
            at=at,
            actor=actor.label,
            reason=translate("cases.clock.reason.accepted", DEFAULT_LOCALE),
        )

    def _new_case(self, machine: StateMachine, **values: Any) -> Case:
        """A new case of ``machine`` (in its initial state unless ``state`` is given), every
        column set, not written yet (:meth:`_write`)."""
        values.setdefault("state", machine.initial)
        row = {
            **CASE_DEFAULTS,
            **values,
            "id": new_case_id(),
            "kind": machine.kind,
            "last_seq": 0,
            "version": 1,
        }
        unknown = row.keys() - CASE_COLUMNS
        if unknown:
            raise TypeError(f"not columns of a case: {sorted(unknown)}")
        return as_loaded(Case, row)

    def _new_cases(
        self,
        cases: Sequence[Case],
        actor: Actor,
        *,
        at: datetime,
        clocks: Sequence[tuple[str, ClockSpec]] = (),
        clock_reason: str | None = None,
    ) -> Written:
        """Guard every new case (a ``block`` refuses the whole submission), then prepare
        their submit events and the clocks they start with; nothing is written yet
        (:meth:`_write`)."""
        warnings: dict[str, list[dict[str, Any]]] = {}
        blocks: list[dict[str, Any]] = []
        for case in cases:
            entry = machine_for(case.kind).entry
            proposed = {"form": (case.data or {}).get("form", {})}
            findings = run_guards(case, entry, actor, self.guards, proposed, at=at)
            blocks += [f.as_dict() for f in findings if f.severity == "block"]
            warnings[case.id] = [f.as_dict() for f in findings if f.severity == "warn"]
        if blocks:
            raise GuardBlocked(action="submit", findings=blocks)
        events = [
            event_values(
                case,
                "submit",
                actor,
                at=at,
                from_state=None,
                to_state=case.state,
                before=None,
                after={
                    "state": case.state,
                    "service_code": case.service_code,
                    "channel": case.channel,
                    "parent_id": case.parent_id,
                },
                findings=warnings[case.id] or None,
            )
            for case in cases
        ]
        ledgers = new_ledgers(self.cal, clocks, at=at, actor=actor.label, reason=clock_reason)
        return Written(list(cases), events, ledgers, clock_reason)

    def _write(
        self,
        session: Session,
        written: Written,
        actor: Actor,
        *,
        key: dict[str, Any] | None = None,
    ) -> bool:
        """Write new cases with their events, audit rows and clocks, at once and no ids read
        back; with ``key`` (an idempotency key's row) only if it is still free (``False``:
        nothing written). The cases then belong to the session as if loaded (changes to
        them are flushed as usual, under the version check)."""
        rows = NewCaseRows(
            cases=[{k: case.__dict__[k] for k in CASE_COLUMNS} for case in written.cases],
            events=written.events,
            audits=[audit_of(event, actor) for event in written.events],
            clocks=[clock_values(ledger.clock) for ledger in written.ledgers],
            clock_actor=actor.label,
            clock_reason=written.clock_reason,
            key=key,
        )
        if not write_new_cases(session, rows):
            return False
        for case in written.cases:
            make_transient_to_detached(case)
            session.add(case)
        return True

    def _record_submission(
        self, session: Session, cases: Sequence[Case], actor: Actor, *, at: datetime
    ) -> Written:
        """Guard and write new cases with their submit events and audit rows (see
        :meth:`_new_cases` and :meth:`_write`)."""
        written = self._new_cases(cases, actor, at=at)
        self._write(session, written, actor)
        return written
