"""好差评: evaluations, and the rectification and callback a bad rating opens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from onething.cases.actors import SYSTEM, Actor
from onething.cases.base import EngineBase, flush_now, moment, verb
from onething.cases.bundles import load_children
from onething.cases.clocks import ClockSpec, start_clocks
from onething.cases.schemas import Satisfaction
from onething.cases.states import CALLBACK, RECTIFICATION
from onething.cases.transitions import perform
from onething.kit.errors import Conflict, InvalidInput
from onething.kit.i18n import DEFAULT_LOCALE, translate
from onething.models.cases import Case, Evaluation

EVALUATION_LEVELS = range(1, 6)
BAD_RATING_MAX = 2
"""不满意 (2) and 非常不满意 (1) are 差评: they open a rectification case."""


class EvaluationVerbs(EngineBase):
    """evaluate, rectify, record_callback (part of :class:`~onething.cases.service.CaseService`)."""

    # -- evaluation (好差评) ---------------------------------------------------------------

    @verb
    def evaluate(
        self,
        session: Session,
        actor: Actor,
        case_id: str,
        *,
        level: int,
        comment: str | None = None,
        channel: str = "web",
        at: datetime | None = None,
    ) -> Evaluation:
        """好差评: the applicant rates a concluded case, once (一事一评).

        A bad rating (1 非常不满意, 2 不满意) opens a rectification case for the department
        that handled it (谁办理、谁负责), due in ``rectification_days`` working days, and a
        callback task (回访) that starts when the rectification is reported done.
        """
        at = moment(at)
        if isinstance(level, bool) or level not in EVALUATION_LEVELS:
            raise InvalidInput("cases.evaluation.bad_level", level=level)
        case = self._load(session, case_id, None)
        if session.scalar(select(Evaluation.id).where(Evaluation.case_id == case.id)) is not None:
            raise Conflict("cases.evaluation.exists", id=case.id)
        self._perform(
            session,
            case,
            "evaluate",
            actor,
            at=at,
            note=comment,
            proposed={"level": level},
            after={"level": level},
        )
        evaluation = Evaluation(
            case_id=case.id, level=level, channel=channel, comment=comment, at=at
        )
        session.add(evaluation)
        if level <= BAD_RATING_MAX:
            evaluation.rectification_id = self._open_rectification(
                session, case, level=level, comment=comment, at=at
            )
        flush_now(session)
        return evaluation

    def _open_rectification(
        self, session: Session, case: Case, *, level: int, comment: str | None, at: datetime
    ) -> str:
        common: dict[str, Any] = {
            "service_code": case.service_code,
            "service_name": case.service_name,
            "origin_id": case.id,
            "applicant_kind": case.applicant_kind,
            "applicant_id": case.applicant_id,
            "region": case.region,
            "submission_region": case.submission_region,
            "channel": case.channel,
            "created_at": at,
            "updated_at": at,
        }
        evaluation = {"level": level, "comment": comment}
        rectification = self._new_case(
            RECTIFICATION, department=case.department, data={"evaluation": evaluation}, **common
        )
        callback = self._new_case(
            CALLBACK,
            parent_id=rectification.id,
            department=self.evaluation_department,
            data={"evaluation": evaluation},
            **common,
        )
        self._record_submission(session, [rectification, callback], SYSTEM, at=at)
        start_clocks(
            session,
            self.cal,
            [
                (
                    rectification.id,
                    ClockSpec("custom", "rectification", "working_days", self.rectification_days),
                )
            ],
            at=at,
            actor=SYSTEM.label,
            reason=translate("cases.clock.reason.bad_rating", DEFAULT_LOCALE, level=level),
        )
        return rectification.id

    @verb
    def rectify(
        self,
        session: Session,
        actor: Actor,
        case_id: str,
        *,
        note: str,
        version: int | None = None,
        at: datetime | None = None,
    ) -> Case:
        """整改: the department reports what it fixed (or explains); the callback starts."""
        at = moment(at)
        case = self._load(session, case_id, version)
        self._perform(session, case, "rectify", actor, at=at, note=note)
        case.concluded_at = at
        for child in load_children(session, case.id):
            if child.kind == "callback" and child.state == "waiting":
                perform(session, child, "release", SYSTEM, at=at, guards=self.guards)
        flush_now(session)
        return case

    @verb
    def record_callback(
        self,
        session: Session,
        actor: Actor,
        case_id: str,
        *,
        satisfaction: Satisfaction,
        note: str,
        version: int | None = None,
        at: datetime | None = None,
    ) -> Case:
        """回访: the applicant's view of the rectification (满意 / 基本满意 / 不满意)."""
        at = moment(at)
        if satisfaction not in ("satisfied", "basically_satisfied", "dissatisfied"):
            raise InvalidInput("cases.callback.bad_satisfaction", value=satisfaction)
        case = self._load(session, case_id, version)
        self._perform(
            session,
            case,
            "record_callback",
            actor,
            at=at,
            note=note,
            proposed={"satisfaction": satisfaction},
            after={"satisfaction": satisfaction},
        )
        case.data = {**(case.data or {}), "satisfaction": satisfaction}
        case.concluded_at = at
        flush_now(session)
        return case
