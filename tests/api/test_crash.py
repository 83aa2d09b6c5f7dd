"""Keyed submissions survive a crash and a race, on SQLite and PostgreSQL.

The crash: a real server (``onething serve``, a child process) first gets a few
submissions whose clients hang up before the answer (committed, never acknowledged), then
a burst of bundle submissions from several client threads, each with its own
``Idempotency-Key``; it is killed with SIGKILL in the middle of the burst (after a fixed
number of answers), restarted on the same port, and the clients retry every request that
got no answer, and re-send some that did. Then the database must hold exactly one bundle
per key — nothing acknowledged lost, nothing duplicated, every retry answered with the
case already there — each with its children, its submit events, its audit rows and its
clock, and nothing orphaned.

The race: two requests with the same key at the same moment both get the same case. Over
HTTP the interleaving is left to the scheduler; in process it is forced (the second
request reads the key before the first commits and writes after), so the path where the
loser hits the unique constraint is always taken.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_support import Db, Mother, as_applicant, newborn_body
from sqlalchemy import event, func, select

from onething.cases import Actor, CaseService, SubmitRequest
from onething.catalog.loader import load_catalog
from onething.catalog.selection import for_submission
from onething.kit.db import make_engine, unit_of_work
from onething.kit.ids import make_resident_id
from onething.models.audit import AuditEvent
from onething.models.cases import Case, CaseEvent, Clock, ClockEntry, IdempotencyKey

pytestmark = [pytest.mark.xdist_group("crash"), pytest.mark.slow]

BURST = 200
LOST_ANSWERS = 10
CLIENTS = 8
KILL_AFTER = 60
RESEND_EVERY = 5
RACES = 20
TIMEOUT = httpx.Timeout(60.0)
COUNTIES = ("370102", "370203", "370302", "370602")


def _mothers(n: int) -> list[Mother]:
    """Fictitious mothers with checksum-valid ID numbers (even sequence code: female)."""
    return [
        Mother(
            id=make_resident_id(COUNTIES[i % len(COUNTIES)], date(1990, 1, 1 + i), 2 * i + 2),
            name="王芳",
            region=COUNTIES[i % len(COUNTIES)],
            mobile="13800000000",
            address="山东省济南市历下区测试路1号",
            licenses=(),
        )
        for i in range(n)
    ]


@dataclass(frozen=True)
class Submission:
    key: str
    mother: Mother

    @property
    def headers(self) -> dict[str, str]:
        return {**as_applicant(self.mother.id), "Idempotency-Key": self.key}

    @property
    def body(self) -> dict[str, Any]:
        return newborn_body(self.mother)


def _burst(prefix: str, n: int) -> list[Submission]:
    mothers = _mothers(12)
    return [Submission(f"{prefix}-{i:03d}", mothers[i % len(mothers)]) for i in range(n)]


# -- the server ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """``onething serve`` in a child process on a fixed port (restartable)."""

    def __init__(self, database_url: str, home: Path) -> None:
        self.port = _free_port()
        self.home = home
        self.log = home / "server.log"
        self.env = {
            **os.environ,
            "ONETHING_DATABASE_URL": database_url,
            "ONETHING_HOME": str(home),
            "ONETHING_LOG_LEVEL": "WARNING",
        }
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [sys.executable, "-m", "onething.cli.main", "serve", "--port", str(self.port)]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=self.env, cwd=self.home, stdout=log, stderr=log
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the server exited ({self.process.returncode}):\n{self.tail()}")
            try:
                health = httpx.get(f"{self.url}/health", timeout=5)
                if health.status_code == 200 and health.json()["database"] == "ok":
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        pytest.fail(f"the server did not answer /health within 90 s:\n{self.tail()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, no rollback — the process is simply gone."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=20)
        self.process = None

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


@pytest.fixture
def server(db_url: str, tmp_path: Path) -> Iterator[Server]:
    home = tmp_path / "home"
    home.mkdir()
    running = Server(db_url, home)
    running.start()
    try:
        yield running
    finally:
        running.stop()


# -- the clients -----------------------------------------------------------------------------


@dataclass
class Answer:
    """What a client learned of one submission: a status and a case, or no answer."""

    status: int | None
    case_id: str | None = None
    error: str | None = None

    @property
    def definitive(self) -> bool:
        return self.status in (200, 201)


def _post(client: httpx.Client, item: Submission) -> Answer:
    try:
        response = client.post("/api/v1/applications", json=item.body, headers=item.headers)
    except httpx.TransportError as exc:  # connection refused, reset, closed mid-response
        return Answer(None, error=type(exc).__name__)
    if response.status_code in (200, 201):
        return Answer(response.status_code, response.json()["case"]["id"])
    return Answer(response.status_code, error=response.text[:500])


def _send_all(
    base_url: str,
    items: list[Submission],
    *,
    clients: int,
    on_answer: Callable[[Answer], None] = lambda _: None,
) -> dict[str, Answer]:
    """Send every item once, from ``clients`` threads each with its own connection."""
    answers: dict[str, Answer] = {}
    lock = threading.Lock()

    def run(share: list[Submission]) -> None:
        with httpx.Client(base_url=base_url, timeout=TIMEOUT) as client:
            for item in share:
                answer = _post(client, item)
                with lock:
                    answers[item.key] = answer
                on_answer(answer)

    with ThreadPoolExecutor(clients) as pool:
        for done in [pool.submit(run, items[i::clients]) for i in range(clients)]:
            done.result()
    return answers


def _retry_until_answered(base_url: str, items: list[Submission]) -> dict[str, Answer]:
    """Retry each item (same key, same body) until it gets a definitive answer."""
    answers: dict[str, Answer] = {}
    pending = list(items)
    for _ in range(5):
        got = _send_all(base_url, pending, clients=CLIENTS)
        answers.update(got)
        pending = [item for item in pending if not got[item.key].definitive]
        unexpected = {k: a for k, a in got.items() if a.status is not None and not a.definitive}
        assert not unexpected, unexpected
        if not pending:
            return answers
        time.sleep(1)
    pytest.fail(f"no answer after 5 retries: {[i.key for i in pending]}")


# -- what the database must hold ---------------------------------------------------------------


def _required_members() -> list[tuple[str, bool]]:
    """The newborn bundle's required members: (matter, starts at once) in member order."""
    bundle = load_catalog().bundle("newborn")
    return [(m.matter, not m.depends_on and not m.inputs) for m in bundle.members if not m.optional]


def _assert_one_bundle_per_key(db: Db, keys: set[str]) -> dict[str, str]:
    """Every key has exactly one bundle with its children, events, audit rows and clock;
    nothing else is in the database. Returns key -> case id."""
    members = _required_members()
    with db.session() as session:
        claimed = dict(session.execute(select(IdempotencyKey.key, IdempotencyKey.case_id)).all())
        cases = session.scalars(select(Case)).all()
        events = session.execute(select(CaseEvent.case_id, CaseEvent.seq, CaseEvent.action)).all()
        audits = session.execute(
            select(AuditEvent.entity_id, AuditEvent.action).where(AuditEvent.entity_type == "case")
        ).all()
        clocks = session.execute(select(Clock.id, Clock.case_id, Clock.name)).all()
        entries = session.execute(select(ClockEntry.clock_id, ClockEntry.action)).all()

    assert set(claimed) == keys
    parents = {c.id: c for c in cases if c.kind == "bundle"}
    assert len(parents) == len(keys), "a duplicated or a lost bundle"
    assert set(claimed.values()) == set(parents), "a key without its bundle, or a bundle without"

    children: dict[str, list[Case]] = {parent: [] for parent in parents}
    for case in cases:
        if case.kind != "bundle":
            assert case.kind == "application", case.id
            assert case.parent_id in parents, case.id
            children[case.parent_id].append(case)
    for parent, found in children.items():
        ordered = sorted(found, key=lambda c: c.plan["position"] if c.plan else -1)
        assert [(c.service_code, c.state == "submitted") for c in ordered] == members, parent
        assert {c.state for c in ordered} <= {"submitted", "waiting"}

    everyone = {c.id for c in cases}
    assert len(cases) == len(keys) * (1 + len(members))
    assert sorted(e.case_id for e in events) == sorted(everyone), "one event per case"
    assert {(e.seq, e.action) for e in events} == {(1, "submit")}
    assert sorted(a.entity_id for a in audits) == sorted(everyone), "one audit row per case"
    assert {a.action for a in audits} == {"cases.submit"}
    assert sorted(c.case_id for c in clocks) == sorted(parents), "one clock per bundle"
    assert {c.name for c in clocks} == {"promised"}
    assert sorted(e.clock_id for e in entries) == sorted(c.id for c in clocks)
    assert {e.action for e in entries} == {"start"}
    return claimed


# -- the tests -------------------------------------------------------------------------------


def _stored_keys(db: Db) -> dict[str, str]:
    with db.session() as session:
        return dict(session.execute(select(IdempotencyKey.key, IdempotencyKey.case_id)).all())


def _abandon(base_url: str, items: list[Submission], db: Db) -> None:
    """Send each item and hang up before the answer (a client timeout), then wait until the
    server has committed them all: submissions whose answers were lost."""
    impatient = httpx.Timeout(60.0, read=0.002)
    with httpx.Client(base_url=base_url, timeout=impatient) as client:
        for item in items:
            with pytest.raises(httpx.ReadTimeout):
                client.post("/api/v1/applications", json=item.body, headers=item.headers)
    deadline = time.monotonic() + 60
    while not {i.key for i in items} <= _stored_keys(db).keys():
        assert time.monotonic() < deadline, "the abandoned submissions were not committed"
        time.sleep(0.1)


def test_a_server_killed_mid_burst_loses_and_duplicates_nothing(
    server: Server, db_url: str
) -> None:
    lost = _burst("lost", LOST_ANSWERS)
    items = _burst("crash", BURST)
    acknowledged = 0
    enough = threading.Event()
    lock = threading.Lock()

    def count(answer: Answer) -> None:
        nonlocal acknowledged
        if answer.definitive:
            with lock:
                acknowledged += 1
                if acknowledged >= KILL_AFTER:
                    enough.set()

    def kill_when_enough() -> None:
        if enough.wait(timeout=300):
            server.kill()

    db = Db(db_url)
    try:
        _abandon(server.url, lost, db)
        killer = threading.Thread(target=kill_when_enough)
        killer.start()
        try:
            first = _send_all(server.url, items, clients=CLIENTS, on_answer=count)
        finally:
            enough.set()
            killer.join(timeout=60)
        assert server.process is None, "the server was not killed during the burst"

        refused = {k: a for k, a in first.items() if a.status is not None and not a.definitive}
        assert not refused, refused  # every request was answered 201 or not at all
        answered = {k: a for k, a in first.items() if a.definitive}
        unanswered = [item for item in items if not first[item.key].definitive]
        assert {a.status for a in answered.values()} == {201}
        assert len(answered) >= KILL_AFTER
        assert unanswered, "the kill came after the burst"
        # before any retry, every acknowledged submission is there (committed before 201)
        stored = _stored_keys(db)
        assert {k: stored.get(k) for k in answered} == {k: a.case_id for k, a in answered.items()}

        server.start()
        resent = [
            item for i, item in enumerate(items) if item.key in answered and i % RESEND_EVERY == 0
        ]
        retried = _retry_until_answered(server.url, lost + unanswered + resent)

        claimed = _assert_one_bundle_per_key(db, {item.key for item in lost + items})
        for item in lost:  # committed, never answered: the retry replays it
            assert (retried[item.key].status, retried[item.key].case_id) == (200, stored[item.key])
        for item in resent:  # acknowledged: the same case again, not a new one
            assert retried[item.key].status == 200
            assert retried[item.key].case_id == answered[item.key].case_id
        for item in unanswered:  # committed before the kill (200) or only now (201)
            assert retried[item.key].status in (200, 201)
            assert retried[item.key].case_id == claimed[item.key]
        for key, answer in answered.items():
            assert claimed[key] == answer.case_id
    finally:
        db.close()


def test_two_requests_with_one_key_at_once_get_one_case(server: Server, db_url: str) -> None:
    items = _burst("race", RACES)
    start = threading.Barrier(2)

    def send(item: Submission) -> Answer:
        with httpx.Client(base_url=server.url, timeout=TIMEOUT) as client:
            client.get("/health")  # connected before the barrier, so both leave together
            start.wait()
            return _post(client, item)

    with ThreadPoolExecutor(2) as pool:
        for item in items:
            both = list(pool.map(send, [item, item]))
            assert sorted(a.status or 0 for a in both) == [200, 201], both
            assert both[0].case_id == both[1].case_id

    db = Db(db_url)
    try:
        _assert_one_bundle_per_key(db, {item.key for item in items})
    finally:
        db.close()


def test_the_loser_of_a_key_race_returns_the_winners_case(db_url: str) -> None:
    """Forced interleaving: B reads the key (none yet), then A submits and commits with the
    same key, then B writes and hits the unique constraint."""
    engine = make_engine(db_url)
    service = CaseService()
    catalog = for_submission(load_catalog(), "newborn")
    mother = _mothers(1)[0]
    request = SubmitRequest.model_validate(newborn_body(mother))
    actor = Actor("applicant", mother.id, None, None)
    winner: list[str] = []

    def submit_first(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if winner or "case_idempotency_keys" not in statement or "SELECT" not in statement:
            return
        winner.append("running")
        with unit_of_work(engine) as other:
            winner[0] = service.submit(other, actor, catalog, request, idempotency_key="k").id

    event.listen(engine, "after_cursor_execute", submit_first)
    try:
        with unit_of_work(engine) as session:
            loser = service.submit_once(session, actor, catalog, request, idempotency_key="k")
            assert winner
            assert loser.case.id == winner[0]
            assert loser.replayed
            tree = service.get_case(session, actor, loser.case.id)  # the session goes on
            assert len(tree.children) == len(_required_members())
    finally:
        event.remove(engine, "after_cursor_execute", submit_first)
        engine.dispose()

    db = Db(db_url)
    try:
        _assert_one_bundle_per_key(db, {"k"})
    finally:
        db.close()


def test_a_keyed_submission_rolls_back_with_its_unit_of_work(db_url: str) -> None:
    """A keyed submission is written inside the caller's transaction (on PostgreSQL in one
    statement, elsewhere in a savepoint — released inside it on SQLite too), so the
    caller's rollback takes the submission with it."""
    engine = make_engine(db_url)
    service = CaseService()
    catalog = for_submission(load_catalog(), "newborn")
    mother = _mothers(1)[0]
    request = SubmitRequest.model_validate(newborn_body(mother))
    actor = Actor("applicant", mother.id, None, None)
    try:
        with pytest.raises(RuntimeError), unit_of_work(engine) as session:
            service.submit(session, actor, catalog, request, idempotency_key="k")
            raise RuntimeError("the caller fails after the submission")
        with unit_of_work(engine) as session:
            assert session.scalar(select(func.count()).select_from(Case)) == 0
            assert session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0
            assert session.scalar(select(func.count()).select_from(CaseEvent)) == 0
    finally:
        engine.dispose()
