"""The outbox: messages written with the change they announce, sent after commit.

A result notice (办结通知) is a row in ``case_outbox`` added in the same transaction as
the conclusion, so it exists exactly when the conclusion does; a worker sends pending rows
after commit and marks them. ``dedupe_key`` is unique, so a bundle's single result notice
cannot be written twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from onething.models.cases import Case, OutboxMessage

RESULT_TOPIC = "case.result"


def enqueue(
    session: Session,
    *,
    topic: str,
    case: Case,
    payload: dict[str, Any],
    dedupe_key: str,
    at: datetime,
) -> OutboxMessage:
    """Add a message for ``case``'s applicant to the outbox (sent after commit)."""
    message = OutboxMessage(
        created_at=at,
        topic=topic,
        case_id=case.id,
        recipient=f"{case.applicant_kind}:{case.applicant_id}",
        payload=payload,
        dedupe_key=dedupe_key,
        status="pending",
        attempts=0,
    )
    session.add(message)
    return message


def enqueue_result_notice(
    session: Session, case: Case, children: Sequence[Case], *, at: datetime
) -> OutboxMessage:
    """The one result notice of a concluded case (a bundle's lists each member's result).

    The payload holds codes and values, not prose: the sender renders the message key
    ``cases.notice.result`` in the recipient's language.
    """
    payload: dict[str, Any] = {
        "message_key": "cases.notice.result",
        "case_id": case.id,
        "service_code": case.service_code,
        "service_name": case.service_name,
        "outcome": case.outcome,
        "outputs": dict((case.data or {}).get("outputs", {})),
        "members": [
            {
                "case_id": child.id,
                "service_code": child.service_code,
                "service_name": child.service_name,
                "state": child.state,
                "outcome": child.outcome,
                "outputs": dict((child.data or {}).get("outputs", {})),
            }
            for child in children
        ],
    }
    return enqueue(
        session,
        topic=RESULT_TOPIC,
        case=case,
        payload=payload,
        dedupe_key=f"{RESULT_TOPIC}:{case.id}",
        at=at,
    )


def pending(session: Session, *, limit: int = 100) -> Sequence[OutboxMessage]:
    """Unsent messages, oldest first (for the sending worker)."""
    return session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == "pending")
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()


def mark_sent(session: Session, message_ids: Sequence[int], *, at: datetime) -> int:
    """Mark messages sent; returns how many were still pending."""
    if not message_ids:
        return 0
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(message_ids), OutboxMessage.status == "pending")
        .values(status="sent", sent_at=at, attempts=OutboxMessage.attempts + 1)
    )
    return int(getattr(result, "rowcount", 0) or 0)
