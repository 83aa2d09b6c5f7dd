"""督办: SLA scans (yellow and red cards) and recomputing clocks after a calendar change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from onething.cases import queries
from onething.cases.actors import SYSTEM, Actor
from onething.cases.base import EngineBase, flush_now, moment, verb
from onething.cases.clocks import load_ledgers
from onething.cases.schemas import SlaFlag
from onething.cases.transitions import perform
from onething.kit.calendar import to_shanghai
from onething.models.cases import Case, Clock


class SupervisionVerbs(EngineBase):
    """sla_scan, recompute_clocks (part of :class:`~onething.cases.service.CaseService`)."""

    # -- supervision -----------------------------------------------------------------------

    @verb
    def sla_scan(self, session: Session, now: datetime | None = None) -> list[SlaFlag]:
        """督办: flag running clocks near due (黄牌) and overdue (红牌), once per level.

        Yellow: at most ``yellow_working_days`` working days left to the due day (office
        time ``yellow_working_hours`` for hour clocks); red: past the due time. A clock
        already flagged at a level is not flagged again at it (an extension starts over).
        Each flag is a ``supervise`` event on its case. Returns the flags raised.
        """
        now = moment(now)
        cal = self.cal
        today = to_shanghai(now).date()
        cutoff = cal.closing_time(cal.add_working_days(today, self.yellow_working_days).due)
        rows = session.execute(
            select(Clock, Case)
            .join(Case, Case.id == Clock.case_id)
            .where(
                Clock.status == "running",
                Clock.due_at <= cutoff,
                or_(Clock.sla_level.is_(None), Clock.sla_level == "yellow"),
            )
            .order_by(Clock.due_at, Clock.id)
        ).all()
        flags: list[SlaFlag] = []
        for clock, case in rows:
            level = self._sla_level(clock, now)
            if level is None or level == clock.sla_level:
                continue
            assert clock.due_at is not None
            perform(
                session,
                case,
                "supervise",
                SYSTEM,
                at=now,
                guards=self.guards,
                before={"clock": clock.name, "level": clock.sla_level},
                after={"clock": clock.name, "level": level, "due_at": clock.due_at.isoformat()},
            )
            clock.sla_level = level
            flags.append(
                SlaFlag(
                    case_id=case.id,
                    clock=clock.name,
                    clock_kind=clock.kind,
                    level=level,
                    due_at=clock.due_at,
                    service_code=case.service_code,
                    department=case.department,
                    region=case.region,
                )
            )
        flush_now(session)
        return flags

    def _sla_level(self, clock: Clock, now: datetime) -> str | None:
        return queries.sla_level(
            self.cal,
            clock.unit,
            clock.due_at,
            now,
            yellow_days=self.yellow_working_days,
            yellow_hours=self.yellow_working_hours,
        )

    @verb
    def recompute_clocks(
        self, session: Session, actor: Actor, *, at: datetime | None = None
    ) -> list[tuple[str, str, datetime, datetime]]:
        """Replay every open clock's ledger on the current calendar (after a holiday notice
        or a correction of the calendar); record a ``recompute_clock`` event where a due
        time moved. Returns ``(case_id, clock, old_due, new_due)`` for each move."""
        at = moment(at)
        open_clocks = session.scalars(
            select(Clock).where(Clock.status.in_(("running", "paused")))
        ).all()
        case_ids = sorted({c.case_id for c in open_clocks})
        ledgers = load_ledgers(session, case_ids)
        cases = {c.id: c for c in session.scalars(select(Case).where(Case.id.in_(case_ids)))}
        moved: list[tuple[str, str, datetime, datetime]] = []
        for case_id in case_ids:
            for ledger in ledgers[case_id]:
                old = ledger.clock.due_at
                reading = ledger.read(self.cal)
                if ledger.clock.status not in ("running", "paused") or reading.due_at == old:
                    continue
                assert old is not None
                perform(
                    session,
                    cases[case_id],
                    "recompute_clock",
                    actor,
                    at=at,
                    guards=self.guards,
                    before={"clock": ledger.clock.name, "due_at": old.isoformat()},
                    after={"clock": ledger.clock.name, "due_at": reading.due_at.isoformat()},
                )
                ledger.refresh(self.cal)
                ledger.clock.sla_level = None
                moved.append((case_id, ledger.clock.name, old, reading.due_at))
        flush_now(session)
        return moved
