"""The configured engine and the helpers every verb shares.

:class:`EngineBase` holds the configuration (calendar, pluggable guards, local rules) and
the steps common to the verbs: load a case at the version the caller saw, take a
transition and apply the clock effect it declares, start terms, create and record cases.
The verbs live in :mod:`.service`, :mod:`.evaluation` and :mod:`.supervision`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.orm.exc import StaleDataError

from onething.cases.actors import Actor
from onething.cases.clocks import ClockSpec, apply_effect, load_ledgers, start_clocks
from onething.cases.errors import GuardBlocked
from onething.cases.states import StateMachine, TransitionGuard, machine_for
from onething.cases.transitions import Performed, perform, record_event, run_guards
from onething.kit.calendar import WorkingCalendar, default_calendar, to_shanghai
from onething.kit.db import utcnow
from onething.kit.errors import Conflict, NotFound
from onething.kit.i18n import DEFAULT_LOCALE, translate
from onething.models.cases import Case, new_case_id

P = ParamSpec("P")
R = TypeVar("R")


def moment(at: datetime | None) -> datetime:
    """When a step happens: ``at`` (aware) or now."""
    if at is None:
        return utcnow()
    to_shanghai(at)  # refuses a naive datetime with a clear message
    return at


def flush_now(session: Session) -> None:
    """Flush now, so a concurrent change surfaces inside the verb (see :func:`verb`)."""
    session.flush()


def savepoint(session: Session) -> SessionTransaction:
    """A SAVEPOINT in the caller's transaction: ``with savepoint(session): ...`` keeps the
    block's writes, or on an error rolls back only them and re-raises.

    Python's sqlite3 (legacy transaction control) opens its transaction only at the first
    INSERT, UPDATE or DELETE; a SAVEPOINT sent before one would open the transaction itself
    and its release would commit it, so on SQLite the transaction is begun first.
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        dbapi = connection.connection.dbapi_connection
        if not getattr(dbapi, "in_transaction", True):
            connection.exec_driver_sql("BEGIN")
    return session.begin_nested()


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
        values.setdefault("state", machine.initial)
        return Case(id=new_case_id(), kind=machine.kind, last_seq=0, **values)

    def _record_submission(
        self, session: Session, cases: Sequence[Case], actor: Actor, *, at: datetime
    ) -> None:
        """Guard every new case (a ``block`` refuses the whole submission), then record them."""
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
        session.add_all(cases)
        for case in cases:
            record_event(
                session,
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
