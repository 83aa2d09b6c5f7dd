"""Bundle submissions (一件事一次提交) per second and their latency, against PostgreSQL on
loopback, beside SpiffWorkflow instantiating the same bundle as a BPMN process.

    .venv/bin/python bench/bench_cases_submit.py [--pg-url URL] [--http 1500]
        [--workers 1 2] [--clients 8 16 32] [--answer tree receipt] [--in-process 1000]
        [--procs 1 2] [--profile] [--json]

Each run creates a fresh PostgreSQL database, migrates it, and drops it at the end. What
is measured, each on the same database and the same bundle (新生儿出生 of the shipped
catalog, with its optional maternity allowance: a parent and six children):

- **HTTP** — ``onething serve`` (uvicorn, 1 and 2 worker processes, JSON request logs
  to a file) and a load generator in this process (asyncio, raw HTTP/1.1 keep-alive, so
  it costs little CPU) with ``--clients`` connections, each posting
  ``POST /api/v1/applications`` and waiting for the answer before the next (closed
  loop); every submission has its own ``Idempotency-Key`` and applicant token; the
  answer is the status tree (201), or with ``--answer receipt`` the receipt that
  ``Prefer: return=minimal`` asks for (the case and its children's ids and states);
- **in process, cases** — ``CaseService.submit_once`` in one unit of work per
  submission (no HTTP), in 1 and 2 processes;
- **in process, cases + tree** — the same, plus what the route does after it: the status
  tree built from what was written and serialised (``submission_view`` and
  ``model_dump_json``);
- **in process, SpiffWorkflow** — ``bench/cases/newborn.bpmn`` (the six matters as user
  tasks in the same dependency order) parsed once; per submission a ``BpmnWorkflow``
  with the form as data, ``do_engine_steps`` (the two first tasks become READY), the
  workflow serialised (``BpmnWorkflowSerializer``) and inserted into a table of the same
  database in one transaction.

For each: submissions, wall, submissions/s, p50/p99/max latency, CPU seconds of the load
generator (in process: the submitting processes), the server and the PostgreSQL
backends of the bench database (CPU ms per submission: all three), the machine (load
average before and after, share of all cores busy, whoever used them) and, with several
workers, how the server's CPU split between them (keep-alive connections stay with the
worker that accepted them: an uneven split leaves a core idle). Rows written are
counted at the end and must match. ``--profile`` adds a cProfile of the in-process paths
and the SQL statements per submission. The PostgreSQL settings that decide what a commit
costs (``fsync``, ``synchronous_commit``) are printed with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import gc
import http.client
import io
import json
import multiprocessing as mp
import os
import platform
import pstats
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any

import psutil
import psycopg
from psycopg import sql
from sqlalchemy import Column, DateTime, Engine, MetaData, String, Table, Text, event, func, insert
from sqlalchemy import select as sa_select
from sqlalchemy.engine import make_url

from onething import migrations
from onething.cases import Actor, CaseService, SubmitRequest
from onething.catalog.loader import load_catalog
from onething.catalog.selection import for_submission
from onething.channels.api.views import submission_view
from onething.kit.db import make_engine, unit_of_work
from onething.kit.ids import make_resident_id
from onething.models.cases import Case

HERE = Path(__file__).parent
BPMN = HERE / "cases" / "newborn.bpmn"
DEFAULT_PG_URL = "postgresql://onething:onething@127.0.0.1:5432/postgres"
BUNDLE = "newborn"
OPTIONAL = ("mi_maternity_allowance",)
CASES_PER_SUBMISSION = 7  # the parent and six children
TARGET_RATE, TARGET_P99_MS = 300.0, 100.0
PROFILED = 200
CONNECT_GAP_S = 0.01
COUNTIES = ("370102", "370203", "370302", "370402", "370502", "370602", "370702", "370811")

spiff_table = Table(
    "bench_spiff_workflows",
    MetaData(),
    Column("id", String(36), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("serialization", Text, nullable=False),
)


# -- the database ------------------------------------------------------------------------


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextlib.contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    """A new database migrated to head (SQLAlchemy URL), dropped when the block ends."""
    name = f"onething_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_libpq(admin_url), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_url(admin_url).set(drivername="postgresql+psycopg", database=name)
    rendered = url.render_as_string(hide_password=False)
    try:
        migrations.upgrade(rendered)
        engine = make_engine(rendered)
        spiff_table.create(engine)
        engine.dispose()
        yield rendered
    finally:
        with psycopg.connect(_libpq(admin_url), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def server_settings(url: str) -> dict[str, str]:
    """What the figures depend on: the version and whether commits wait for the disk."""
    names = ("server_version", "fsync", "synchronous_commit", "shared_buffers")
    with psycopg.connect(_libpq(url)) as conn:
        rows = {
            n: conn.execute(sql.SQL("SHOW {}").format(sql.Identifier(n))).fetchone() for n in names
        }
    return {n: str(row[0]) if row else "?" for n, row in rows.items()}


class BackendCpu:
    """CPU seconds of the PostgreSQL backends serving the bench database during a block.

    The backends are followed every 0.1 s, so those that come and go within the block (a
    connection pool's overflow) count too, to within 0.1 s of their life each.
    """

    QUERY = (
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid()"
    )

    def __init__(self, url: str) -> None:
        self.url = url
        self.start: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._follow, daemon=True)

    def _read(self) -> dict[int, float]:
        pids = [int(row[0]) for row in self._conn.execute(self.QUERY).fetchall()]
        return {pid: process_cpu([pid]) for pid in pids}

    def _follow(self) -> None:
        while not self._stop.wait(0.1):
            self.last.update(self._read())

    def __enter__(self) -> BackendCpu:
        self._conn = psycopg.connect(_libpq(self.url), autocommit=True)
        self.start = self._read()
        self.last = dict(self.start)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.last.update(self._read())
        self._conn.close()

    @property
    def seconds(self) -> float:
        return sum(cpu - self.start.get(pid, 0.0) for pid, cpu in self.last.items())


# -- what is submitted -------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    """One bundle submission: its key, its applicant (a fictitious mother) and its body."""

    key: str
    applicant: str
    body: dict[str, Any]


def submissions(n: int, prefix: str) -> list[Submission]:
    """``n`` newborn submissions by up to 4,000 distinct fictitious mothers."""
    out = []
    for i in range(n):
        mother_no = i % 4000
        county = COUNTIES[mother_no % len(COUNTIES)]
        born = date(1988, 1, 1) + timedelta(days=mother_no // len(COUNTIES) * 7)
        mother = make_resident_id(county, born, 2 * (mother_no % 400) + 2)
        body = {
            "service_code": BUNDLE,
            "applicant": {"kind": "person", "id": mother},
            "region": county,
            "channel": "mobile",
            "optional_members": list(OPTIONAL),
            "form": {
                "newborn.name": f"测试宝宝{i}",
                "newborn.sex": "F" if i % 2 else "M",
                "newborn.birth_date": "2025-06-20",
                "mother.name": "王芳",
                "mother.id_number": mother,
                "mother.mobile": "13800000000",
                "household.address": "山东省济南市历下区测试路1号",
            },
        }
        out.append(Submission(f"{prefix}-{i}", mother, body))
    return out


# -- measuring ---------------------------------------------------------------------------


def process_cpu(pids: Sequence[int]) -> float:
    """User + system CPU seconds of the live processes among ``pids``."""
    total = 0.0
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            times = psutil.Process(pid).cpu_times()
            total += times.user + times.system
    return total


@dataclass
class Sample:
    """A snapshot of the clocks: wall, this process, the server, the machine."""

    wall: float
    own_cpu: float
    server_cpu: float
    machine: Any
    load: float

    @classmethod
    def take(cls, server: Sequence[int] = ()) -> Sample:
        return cls(
            wall=time.perf_counter(),
            own_cpu=time.process_time(),
            server_cpu=process_cpu(server),
            machine=psutil.cpu_times(),
            load=os.getloadavg()[0],
        )


@dataclass
class Result:
    """One scenario's figures."""

    scenario: str
    submissions: int
    concurrency: str
    wall_s: float
    rate: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    client_cpu_s: float
    server_cpu_s: float
    pg_cpu_s: float
    cpu_ms_per_submission: float
    machine_busy: float
    load_before: float
    load_after: float
    errors: int = 0
    worker_split: str = ""


def summarise(
    scenario: str,
    concurrency: str,
    latencies: Sequence[float],
    before: Sample,
    after: Sample,
    *,
    pg: float,
    client_cpu: float | None = None,
    errors: int = 0,
    worker_split: str = "",
) -> Result:
    ordered = sorted(latencies)
    n = len(ordered)
    wall = after.wall - before.wall
    own = (after.own_cpu - before.own_cpu) if client_cpu is None else client_cpu
    server = after.server_cpu - before.server_cpu
    m0, m1 = before.machine, after.machine
    total = sum(m1) - sum(m0)
    idle = (m1.idle - m0.idle) + (getattr(m1, "iowait", 0) - getattr(m0, "iowait", 0))
    return Result(
        scenario=scenario,
        submissions=n,
        concurrency=concurrency,
        wall_s=round(wall, 3),
        rate=round(n / wall, 1),
        p50_ms=round(ordered[n // 2] * 1000, 2),
        p99_ms=round(ordered[min(n - 1, int(n * 0.99))] * 1000, 2),
        max_ms=round(ordered[-1] * 1000, 2),
        client_cpu_s=round(own, 3),
        server_cpu_s=round(server, 3),
        pg_cpu_s=round(pg, 3),
        cpu_ms_per_submission=round((own + server + pg) / n * 1000, 2),
        machine_busy=round(1 - idle / total, 3) if total > 0 else 0.0,
        load_before=round(before.load, 2),
        load_after=round(after.load, 2),
        errors=errors,
        worker_split=worker_split,
    )


# -- HTTP ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def get(port: int, path: str, timeout: float = 5.0) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@contextlib.contextmanager
def serve(url: str, workers: int, home: Path) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """``onething serve`` on a free port against ``url``; stopped (SIGTERM) at the end."""
    port = free_port()
    env = {
        **os.environ,
        "ONETHING_DATABASE_URL": url,
        "ONETHING_HOME": str(home),
        "ONETHING_LOG_JSON": "true",
    }
    command = [sys.executable, "-m", "onething.cli.main", "serve"]
    command += ["--port", str(port), "--workers", str(workers)]
    with (home / f"server-{workers}.log").open("ab") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"the server exited ({server.returncode}); see {home}")
            with contextlib.suppress(OSError):
                status, body = get(port, "/health")
                if status == 200 and json.loads(body)["database"] == "ok":
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not answer /health within 60 s")
            time.sleep(0.1)
        yield port, server
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def raw_post(port: int, item: Submission, answer: str = "tree") -> bytes:
    """The request of one submission; ``answer="receipt"`` asks for ``return=minimal``."""
    body = json.dumps(item.body, ensure_ascii=False).encode()
    head = (
        "POST /api/v1/applications HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer dev.applicant.{item.applicant}\r\n"
        f"Idempotency-Key: {item.key}\r\n"
        + ("Prefer: return=minimal\r\n" if answer == "receipt" else "")
        + "Content-Type: application/json\r\nAccept: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one HTTP/1.1 response: (status, whether the server closes the connection)."""
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    status = int(head[0].split(" ", 2)[1])
    headers = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            await reader.readexactly(size + 2)
        await reader.readuntil(b"\r\n")
    return status, headers.get("connection", "").lower() == "close"


async def drive(port: int, requests: Sequence[bytes], clients: int) -> tuple[list[float], int]:
    """Post every request over ``clients`` keep-alive connections, each waiting for its
    answer before sending the next (closed loop); latencies of the 201s, and the rest."""
    pending = iter(range(len(requests)))
    latencies: list[float] = []
    errors = 0

    async def client(number: int) -> None:
        nonlocal errors
        # connections one by one: a burst would be accepted by whichever worker woke first
        await asyncio.sleep(number * CONNECT_GAP_S)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for index in pending:
                started = time.perf_counter()
                writer.write(requests[index])
                status, closing = await read_response(reader)
                if status == 201:
                    latencies.append(time.perf_counter() - started)
                else:
                    errors += 1
                if closing:
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
        finally:
            writer.close()

    await asyncio.gather(*(client(number) for number in range(clients)))
    return latencies, errors


def http_scenario(
    url: str, workers: int, n: int, clients: int, warmup: int, home: Path, answer: str = "tree"
) -> Result:
    with serve(url, workers, home) as (port, server):
        prefix = f"http-{workers}-{clients}-{answer}"
        warm = [raw_post(port, s, answer) for s in submissions(warmup, f"{prefix}-warm")]
        requests = [raw_post(port, s, answer) for s in submissions(n, prefix)]
        asyncio.run(drive(port, warm, clients))
        children = [c.pid for c in psutil.Process(server.pid).children(recursive=True)]
        pids = [server.pid, *children]
        with BackendCpu(url) as pg:
            before = Sample.take(pids)
            started = [process_cpu([pid]) for pid in children]
            latencies, errors = asyncio.run(drive(port, requests, clients))
            spent = [process_cpu([pid]) - cpu for pid, cpu in zip(children, started, strict=True)]
            after = Sample.take(pids)
    label = f"HTTP, {workers} worker{'s' if workers > 1 else ''}, {answer}"
    total = sum(spent)
    shares = [100 * cpu / total for cpu in spent] if workers > 1 and total else []
    split = "/".join(f"{share:.0f}" for share in shares if share >= 1)  # not the supervisor's
    return summarise(
        label,
        f"{clients} clients",
        latencies,
        before,
        after,
        pg=pg.seconds,
        errors=errors,
        worker_split=split,
    )


# -- in process ----------------------------------------------------------------------------

Runner = Callable[[Submission], None]


def cases_runner(engine: Engine, *, with_tree: bool) -> Runner:
    """One submission through the case engine, in its own unit of work (no HTTP)."""
    catalog = load_catalog()
    service = CaseService()

    def run(item: Submission) -> None:
        request = SubmitRequest.model_validate(item.body)
        actor = Actor("applicant", item.applicant, None, None)
        chosen = for_submission(catalog, request.service_code, request.optional_members)
        with unit_of_work(engine) as session:
            done = service.submit_once(session, actor, chosen, request, idempotency_key=item.key)
            if with_tree:
                view = submission_view(
                    session, cases=service, actor=actor, submitted=done, locale="zh-CN"
                )
                view.model_dump_json()

    return run


def spiff_runner(engine: Engine) -> Runner:
    """The same bundle as a BPMN process: instantiate, run to the first user tasks,
    serialise, and insert the serialisation in one transaction."""
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.bpmn.parser import BpmnParser
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer

    parser = BpmnParser()
    parser.add_bpmn_file(str(BPMN))
    spec = parser.get_spec(BUNDLE)
    serializer = BpmnWorkflowSerializer()

    def run(item: Submission) -> None:
        workflow = BpmnWorkflow(spec)
        workflow.data["form"] = dict(item.body["form"])
        workflow.data["applicant"] = item.applicant
        workflow.do_engine_steps()
        serialized = serializer.serialize_json(workflow)
        with engine.begin() as conn:
            conn.execute(
                insert(spiff_table).values(
                    id=str(uuid.uuid4()),
                    created_at=datetime.now(UTC),
                    serialization=serialized,
                )
            )

    return run


def make_runner(kind: str, engine: Engine) -> Runner:
    if kind == "spiff":
        return spiff_runner(engine)
    return cases_runner(engine, with_tree=kind == "cases+tree")


def _worker(
    kind: str,
    url: str,
    items: list[Submission],
    warm: list[Submission],
    barrier: Any,
    results: Any,
) -> None:
    gc.freeze()  # the parent's heap, inherited by the fork, is not this process's to scan
    engine = make_engine(url)
    run = make_runner(kind, engine)
    for item in warm:
        run(item)
    barrier.wait()
    latencies = []
    cpu = time.process_time()
    for item in items:
        started = time.perf_counter()
        run(item)
        latencies.append(time.perf_counter() - started)
    cpu = time.process_time() - cpu
    barrier.wait()
    barrier.wait()  # the parent has read the backends' CPU: they may go
    results.put((latencies, cpu))
    engine.dispose()


LABELS = {
    "cases": "in process, cases",
    "cases+tree": "in process, cases + status tree",
    "spiff": "in process, SpiffWorkflow",
}


def in_process_scenario(kind: str, url: str, procs: int, n: int, warmup: int) -> Result:
    """``n`` submissions split over ``procs`` processes, each one after the other."""
    context = mp.get_context("fork")
    barrier = context.Barrier(procs + 1)
    results = context.Queue()
    items = submissions(n, f"{kind}-{procs}")
    warm = submissions(warmup * procs, f"{kind}-{procs}-warm")
    workers = [
        context.Process(
            target=_worker,
            args=(kind, url, items[i::procs], warm[i::procs], barrier, results),
        )
        for i in range(procs)
    ]
    for worker in workers:
        worker.start()
    pids = [w.pid for w in workers if w.pid is not None]
    barrier.wait()
    with BackendCpu(url) as pg:
        before = Sample.take(pids)
        barrier.wait()
        after = Sample.take(pids)
    barrier.wait()
    latencies: list[float] = []
    cpu = 0.0
    for _ in workers:
        got, spent = results.get(timeout=600)
        latencies += got
        cpu += spent
    for worker in workers:
        worker.join()
    after.server_cpu = before.server_cpu  # the workers' CPU is the client's here
    return summarise(
        LABELS[kind],
        f"{procs} process{'es' if procs > 1 else ''}",
        latencies,
        before,
        after,
        pg=pg.seconds,
        client_cpu=cpu,
    )


# -- where the time goes -------------------------------------------------------------------


def statements_per_submission(url: str, kind: str, n: int = 20) -> float:
    engine = make_engine(url)
    count = 0

    def counter(*_: Any) -> None:
        nonlocal count
        count += 1

    run = make_runner(kind, engine)
    run(submissions(1, f"count-{kind}-warm")[0])
    event.listen(engine, "before_cursor_execute", counter)
    for item in submissions(n, f"count-{kind}"):
        run(item)
    engine.dispose()
    return count / n


def profile(url: str, kind: str, n: int) -> str:
    engine = make_engine(url)
    run = make_runner(kind, engine)
    items = submissions(n, f"profile-{kind}")
    run(submissions(1, f"profile-{kind}-warm")[0])
    profiler = cProfile.Profile()
    profiler.enable()
    for item in items:
        run(item)
    profiler.disable()
    engine.dispose()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(r"onething|SpiffWorkflow", 30)
    stats.sort_stats("tottime").print_stats(25)
    return out.getvalue()


def count_rows(url: str) -> tuple[int, int, int]:
    engine = make_engine(url)
    with engine.connect() as conn:
        parents = conn.scalar(
            sa_select(func.count()).select_from(Case).where(Case.kind == "bundle")
        )
        cases = conn.scalar(sa_select(func.count()).select_from(Case))
        spiff = conn.scalar(sa_select(func.count()).select_from(spiff_table))
    engine.dispose()
    return int(parents or 0), int(cases or 0), int(spiff or 0)


# -- the run -------------------------------------------------------------------------------


def print_table(results: Sequence[Result], *, head: bool = True) -> None:
    heading = (
        f"{'scenario':34s} {'concurrency':>12s} {'n':>6s} {'wall s':>7s} {'subm/s':>7s} "
        f"{'p50 ms':>7s} {'p99 ms':>7s} {'max ms':>7s} {'CPU cli/srv/pg s':>18s} "
        f"{'CPU ms/subm':>11s} {'busy':>5s} {'load':>10s}"
    )
    if head:
        print(heading)
    for r in results:
        cpu = f"{r.client_cpu_s:.1f}/{r.server_cpu_s:.1f}/{r.pg_cpu_s:.1f}"
        load = f"{r.load_before:.1f}->{r.load_after:.1f}"
        print(
            f"{r.scenario:34s} {r.concurrency:>12s} {r.submissions:6d} {r.wall_s:7.2f} "
            f"{r.rate:7.1f} {r.p50_ms:7.2f} {r.p99_ms:7.2f} {r.max_ms:7.1f} {cpu:>18s} "
            f"{r.cpu_ms_per_submission:11.2f} {r.machine_busy:5.0%} {load:>10s}"
            + (f"  workers: {r.worker_split} %" if r.worker_split else "")
            + (f"  errors: {r.errors}" if r.errors else "")
        )


def measure(args: argparse.Namespace, url: str, home: Path) -> tuple[list[Result], dict[str, Any]]:
    """Every scenario asked for, in turn; then the rows written are checked."""
    results: list[Result] = []
    extra: dict[str, Any] = {}
    made = {"cases": 0, "spiff": 0}

    def done(result: Result) -> None:
        results.append(result)
        print_table([result], head=len(results) == 1)

    for answer in args.answer if args.http else ():
        for workers in args.workers:
            for clients in args.clients:
                done(http_scenario(url, workers, args.http, clients, args.warmup, home, answer))
                made["cases"] += args.http + args.warmup
    for procs in args.procs if args.in_process else ():
        for kind in LABELS:
            done(in_process_scenario(kind, url, procs, args.in_process, args.warmup))
            made["spiff" if kind == "spiff" else "cases"] += args.in_process + args.warmup * procs
    if args.profile:
        statements = {}
        for kind in LABELS:
            statements[kind] = statements_per_submission(url, kind, PROFILED // 10)
            made["spiff" if kind == "spiff" else "cases"] += PROFILED // 10 + 1
        extra["statements_per_submission"] = statements
        for kind in ("cases+tree", "spiff"):
            print(f"\n--- cProfile, {LABELS[kind]}, {PROFILED} submissions ---")
            print(profile(url, kind, PROFILED))
            made["spiff" if kind == "spiff" else "cases"] += PROFILED + 1
    bundles, cases, spiff = count_rows(url)
    extra["rows"] = {
        "bundles": bundles,
        "cases": cases,
        "bpmn_instances": spiff,
        "ok": bundles == made["cases"]
        and cases == bundles * CASES_PER_SUBMISSION
        and spiff == made["spiff"],
    }
    return results, extra


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("ONETHING_BENCH_PG_URL", DEFAULT_PG_URL),
        help="PostgreSQL account that may create databases (a fresh one is made and dropped).",
    )
    parser.add_argument(
        "--http", type=int, default=1500, help="Submissions per HTTP run (0: none)."
    )
    parser.add_argument("--clients", type=int, nargs="+", default=[8, 16, 32], help="HTTP clients.")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="uvicorn workers.")
    parser.add_argument(
        "--answer",
        nargs="+",
        choices=["tree", "receipt"],
        default=["tree", "receipt"],
        help="What the POST answers: the status tree, or a receipt (Prefer: return=minimal).",
    )
    parser.add_argument(
        "--in-process", type=int, default=1000, help="Submissions per in-process run (0: none)."
    )
    parser.add_argument("--procs", type=int, nargs="+", default=[1, 2], help="In-process runs.")
    parser.add_argument("--warmup", type=int, default=100, help="Submissions before measuring.")
    parser.add_argument("--profile", action="store_true", help="cProfile of the in-process paths.")
    parser.add_argument("--json", action="store_true", help="Print the results as JSON too.")
    args = parser.parse_args()

    with fresh_database(args.pg_url) as url, tempfile.TemporaryDirectory() as home:
        settings = server_settings(url)
        print(
            f"PostgreSQL {settings['server_version']} (fsync={settings['fsync']}, "
            f"synchronous_commit={settings['synchronous_commit']}), {os.cpu_count()} CPUs, "
            f"load {os.getloadavg()[0]:.2f}\n"
        )
        results, extra = measure(args, url, Path(home))
    print()
    print_table(results)
    if "statements_per_submission" in extra:
        print("SQL statements per submission:", extra["statements_per_submission"])
    rows = extra["rows"]
    verdict = "ok" if rows["ok"] else "MISMATCH"
    print(
        f"rows: {rows['bundles']} bundles, {rows['cases']} cases, "
        f"{rows['bpmn_instances']} BPMN instances ({verdict})"
    )
    http = [r for r in results if r.scenario.startswith("HTTP")]
    if http:
        # the fastest run whose p99 is within the target, else the fastest run
        within = [r for r in http if r.p99_ms <= TARGET_P99_MS] or http
        best = max(within, key=lambda r: r.rate)
        met = best.rate >= TARGET_RATE and best.p99_ms <= TARGET_P99_MS
        print(
            f"target >= {TARGET_RATE:.0f}/s with p99 <= {TARGET_P99_MS:.0f} ms over HTTP: "
            f"{'met' if met else 'NOT met'} (best: {best.scenario}, {best.concurrency}: "
            f"{best.rate}/s, p99 {best.p99_ms} ms)"
        )
    if args.json:
        report = {
            "python": platform.python_version(),
            "sqlalchemy": version("sqlalchemy"),
            "psycopg": version("psycopg"),
            "fastapi": version("fastapi"),
            "uvicorn": version("uvicorn"),
            "spiffworkflow": version("spiffworkflow"),
            "postgresql": settings,
            "cpus": os.cpu_count(),
            "results": [asdict(r) for r in results],
            **extra,
        }
        print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0 if rows["ok"] and not any(r.errors for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
