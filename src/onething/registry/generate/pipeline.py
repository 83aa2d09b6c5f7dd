"""``generate_registry``: the stages in order, the folder handling, the manifest."""

from __future__ import annotations

import functools
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from onething.kit.errors import InvalidInput
from onething.kit.i18n import translate
from onething.registry import schema
from onething.registry.generate import (
    benefits,
    contributions,
    documents,
    employment,
    enterprises,
    insurance,
    people,
    planting,
)
from onething.registry.generate.arrays import month_start, order_by, rng_for, to_date
from onething.registry.generate.frame import (
    CONTRIBUTION_PAY_DAY,
    PENSION_PAY_DAY,
    UNEMPLOYMENT_PAY_DAY,
    Frame,
)
from onething.registry.generate.output import RegistryWriter, parquet_options
from onething.registry.generate.world import World
from onething.registry.io.regions import shipped_regions_arrow
from onething.registry.store import RegistryDir

GENERATOR = "onething.registry.generate"
GENERATOR_VERSION = "1.0"
DEFAULT_HISTORY_MONTHS = 24
DEFAULT_ANOMALY_RATE = 0.002
MAX_PERSONS = 200_000_000
_CHUNK_ROWS = 1 << 20
_FLUSH_ROWS = 1 << 24
"""A table this long is written before the next is built (see :func:`_write_large`)."""

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, kw_only=True)
class GenerateOptions:
    """What to generate.

    ``end_date``: histories run up to this day (callers pass today by default).
    ``history_months``: months of monthly contributions and payments written, ending with
    the month of ``end_date`` (a month is written once its payment day has passed).
    ``anomaly_rate``: share of the entities where a kind can occur that receive it (at
    least one per kind when any can; 0 plants none).
    """

    persons: int
    seed: int = 1
    end_date: date
    history_months: int = DEFAULT_HISTORY_MONTHS
    anomaly_rate: float = DEFAULT_ANOMALY_RATE


@dataclass(frozen=True)
class GenerateReport:
    """What was written and how long it took."""

    path: Path
    rows: dict[str, int]
    anomalies: dict[str, int]
    elapsed_seconds: float
    stage_seconds: dict[str, float] = field(default_factory=dict)
    """Wall seconds of each generation stage (writing overlaps them)."""
    writer_seconds: dict[str, float] = field(default_factory=dict)
    """Busy seconds of each writer thread (Parquet and DuckDB, two lanes)."""


def generate_registry(
    out: Path, options: GenerateOptions, progress: Progress | None = None
) -> GenerateReport:
    """Generate a synthetic Shandong registry into the folder ``out``.

    ``out`` must be missing, empty, or a registry written before (it is replaced). The
    registry is built in a sibling folder and moved into place at the end, so a failure
    leaves ``out`` as it was. ``progress(stage, done, total)`` is called as stages advance.
    """
    _validate(out, options)
    started = time.perf_counter()
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    work = out.parent / f".{out.name}.generating-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    try:
        rows, counts, stages, writers = _generate(work, options, progress or _silent)
        _swap_into_place(work, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return GenerateReport(
        path=out,
        rows=rows,
        anomalies=counts,
        elapsed_seconds=time.perf_counter() - started,
        stage_seconds=stages,
        writer_seconds=writers,
    )


def _silent(stage: str, done: int, total: int) -> None:
    del stage, done, total


def _validate(out: Path, o: GenerateOptions) -> None:
    problems: list[dict[str, Any]] = []
    if not 1 <= o.persons <= MAX_PERSONS:
        problems.append({"field": "persons", "value": o.persons, "max": MAX_PERSONS})
    if not 1 <= o.history_months <= 240:
        problems.append({"field": "history_months", "value": o.history_months})
    if not 0 <= o.anomaly_rate <= 0.5:
        problems.append({"field": "anomaly_rate", "value": o.anomaly_rate})
    if not date(2000, 1, 1) <= o.end_date <= date(2099, 12, 31):
        problems.append({"field": "end_date", "value": o.end_date.isoformat()})
    if problems:
        raise InvalidInput("registry.generate.bad_options", errors=problems)
    if out.exists():
        if not out.is_dir():
            raise InvalidInput("registry.generate.target_not_folder", path=str(out))
        if any(out.iterdir()) and not RegistryDir(out).exists():
            raise InvalidInput("registry.generate.target_not_empty", path=str(out))


def _swap_into_place(work: Path, out: Path) -> None:
    if not out.exists():
        work.rename(out)
        return
    old = out.parent / f".{out.name}.replaced-{os.getpid()}"
    shutil.rmtree(old, ignore_errors=True)
    out.rename(old)
    work.rename(out)
    shutil.rmtree(old, ignore_errors=True)


class _Stages:
    """Times the stages and reports them to the progress callback."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.seconds: dict[str, float] = {}

    def label(self, stage: str) -> str:
        return translate(f"registry.generate.stage.{stage}")

    @contextmanager
    def __call__(self, stage: str, total: int = 1) -> Iterator[Callable[[int], None]]:
        label = self.label(stage)
        self.progress(label, 0, total)
        began = time.perf_counter()

        def advance(done: int) -> None:
            self.progress(label, done, total)

        yield advance
        self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - began
        self.progress(label, total, total)


def _generate(
    root: Path, o: GenerateOptions, progress: Progress
) -> tuple[dict[str, int], dict[str, int], dict[str, float], dict[str, float]]:
    frame = Frame(o.end_date, o.history_months)
    stage = _Stages(progress)
    writer = RegistryWriter(root)
    background: _Background | None = None
    try:
        world = _build_world(o, frame, writer, stage)
        _write_core(world, writer)
        with stage("insurance"):
            enrol, streams = _insurance(world, o.seed)
        # The contributions, the longest table, are generated and written by a thread of
        # their own (NumPy, Parquet and DuckDB release the GIL) while the rest goes on.
        total = int(streams.rows().sum())
        background = _Background(functools.partial(_write_contributions, writer, streams, world))
        del streams
        background.start()
        _write_enrolments_and_documents(world, enrol, writer, stage, o.seed)
        del enrol
        _write_payments(world, writer, stage)
        with stage("contributions", total) as advance:
            background.wait(advance)
        with stage("finish"):
            truth = world.truth.table(world.people.ids, world.ent.ids)
            writer.close()
    except BaseException:
        writer.abort()
        if background is not None:
            background.join()
        raise
    registry = RegistryDir(root)
    truth_file = registry.anomalies_file
    truth_file.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(truth, truth_file, **parquet_options(truth.schema))
    registry.write_catalog()
    counts = world.truth.counts()
    rows = {name: writer.rows.get(name, 0) for name in schema.tables()}
    registry.write_manifest(_manifest(o, frame, rows, counts, writer.sha256))
    return rows, counts, stage.seconds, writer.busy_seconds


def _build_world(o: GenerateOptions, frame: Frame, writer: RegistryWriter, stage: _Stages) -> World:
    """People, enterprises, careers and awards, with the anomalies planted."""
    seed = o.seed
    writer.write("regions", shipped_regions_arrow())
    with stage("people", o.persons):
        folk = people.make_people(rng_for(seed, "people"), o.persons, frame)
        homes = people.make_households(rng_for(seed, "households"), folk, frame)
        writer.write("persons", people.persons_table(folk, homes))
        writer.write("households", people.households_table(folk, homes))
    with stage("enterprises"):
        ent = enterprises.make_enterprises(rng_for(seed, "enterprises"), o.persons)
    with stage("employment"):
        rng = rng_for(seed, "employment")
        careers = employment.make_careers(rng, folk, frame)
        spells = employment.make_spells(rng, folk, careers, ent, frame)
        employment.close_enterprises(rng, spells, ent, frame)
        spells = spells.append(employment.second_jobs(rng, spells, folk, ent, frame))
        employment.finish_enterprises(rng, spells, folk, ent, frame)
    with stage("benefits"):
        awards = benefits.make_awards(
            rng_for(seed, "benefits"), folk, careers, spells, county_of_ent=ent.county, frame=frame
        )
    world = World(frame, folk, homes, ent, careers, spells, awards)
    with stage("anomalies"):
        planting.plant(rng_for(seed, "anomalies"), world, o.anomaly_rate)
    return world


def _write_large(writer: RegistryWriter, name: str, table: pa.Table) -> None:
    """Write ``table``; when it is long, wait until it is written before going on.

    The writers keep a table until both Parquet and DuckDB have it, while the generator
    builds the next one: from about 2.5 million persons the enrolments, licenses and
    payments are gigabytes each, and 10 million persons fit in memory only if they are
    not all held at once. Shorter tables keep the overlap (it is what makes 1 million
    persons fast); the output is the same either way.
    """
    writer.write(name, table)
    if table.num_rows >= _FLUSH_ROWS:
        writer.flush(name)


def _write_enrolments_and_documents(
    world: World, enrol: insurance.Enrolments, writer: RegistryWriter, stage: _Stages, seed: int
) -> None:
    """Enrolments, certificates and licenses (while contributions are written)."""
    folk, frame = world.people, world.frame
    with stage("insurance"):
        table = insurance.enrolments_table(enrol, folk, world.ent.ids)
        _write_large(writer, "insurance_enrolments", table)
        del table
    with stage("documents"):
        rng = rng_for(seed, "documents")
        certs = documents.certificates(rng, folk, world.careers, frame)
        writer.write("skill_certificates", certs.table)
        table = documents.licenses(rng, world, enrol, certs)
        _write_large(writer, "licenses", table)
        del table


def _write_payments(world: World, writer: RegistryWriter, stage: _Stages) -> None:
    """The monthly benefit payments (built after the enrolments, which they do not need,
    are freed)."""
    with stage("payments"):
        award_ids = np.arange(1, world.awards.n + 1)
        table, _ = benefits.payments_table(world.awards, world.people, world.frame, award_ids)
        _write_large(writer, "benefit_payments", table)
        del table


class _Background(threading.Thread):
    """Runs ``work(count)`` in a thread; ``count(n)`` reports rows done."""

    def __init__(self, work: Callable[[Callable[[int], None]], None]) -> None:
        super().__init__(name="contributions", daemon=True)
        self.work = work
        self.done = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.work(self._count)
        except BaseException as exc:  # re-raised by wait()
            self.error = exc

    def _count(self, n: int) -> None:
        self.done += n

    def wait(self, report: Callable[[int], None]) -> None:
        """Wait for the thread, reporting its progress from the calling thread."""
        while self.is_alive():
            self.join(0.25)
            report(self.done)
        if self.error is not None:
            raise self.error


def _write_contributions(
    writer: RegistryWriter, streams: contributions.Streams, w: World, count: Callable[[int], None]
) -> None:
    writer.begin("contributions")
    for chunk in contributions.contribution_chunks(
        streams, w.people, w.ent.ids, w.frame, _CHUNK_ROWS
    ):
        writer.append("contributions", chunk)
        count(chunk.num_rows)
    writer.end("contributions")


def _write_core(w: World, writer: RegistryWriter) -> None:
    """Tables final once the anomalies are planted."""
    folk, ent = w.people, w.ent
    order = order_by(w.spells.person, w.spells.start.astype(np.int64) + 40_000, widths=(18,))
    w.spells = w.spells.select(order)
    w.uninsured_spell = w.uninsured_spell[order]
    writer.write("enterprises", enterprises.enterprises_table(ent, folk.ids))
    writer.write("employment_spells", employment.spells_table(w.spells, folk.ids, ent.ids))
    w.awards = w.awards.sorted()
    writer.write("benefit_awards", benefits.awards_table(w.awards, folk))
    writer.write("deaths", people.deaths_table(folk))
    writer.write("incarcerations", people.incarcerations_table(folk))


def _insurance(w: World, seed: int) -> tuple[insurance.Enrolments, contributions.Streams]:
    rng = rng_for(seed, "insurance")
    enrol = insurance.make_enrolments(rng, w)
    enrol = insurance.Enrolments.concat([enrol, *w.extra_enrolments])
    enrol = insurance.sort_enrolments(enrol)
    streams = contributions.make_streams(rng, w, enrol)
    streams = contributions.Streams.concat([streams, *w.extra_streams])
    return enrol, contributions.sort_streams(streams)


def _manifest(
    o: GenerateOptions,
    frame: Frame,
    rows: dict[str, int],
    counts: dict[str, int],
    sha: dict[str, str],
) -> dict[str, Any]:
    def period(month: int) -> str:
        return to_date(int(month_start(np.array([month]))[0])).isoformat()

    return {
        "generator": GENERATOR,
        "generator_version": GENERATOR_VERSION,
        "seed": o.seed,
        "persons": o.persons,
        "end_date": o.end_date.isoformat(),
        "history_months": o.history_months,
        "anomaly_rate": o.anomaly_rate,
        "window": {
            "first_period": period(frame.first_period),
            "last_contribution_period": period(frame.last_period(CONTRIBUTION_PAY_DAY)),
            "last_pension_period": period(frame.last_period(PENSION_PAY_DAY)),
            "last_unemployment_period": period(frame.last_period(UNEMPLOYMENT_PAY_DAY)),
        },
        "row_counts": rows,
        "anomaly_counts": counts,
        "sha256": dict(sorted(sha.items())),
    }
