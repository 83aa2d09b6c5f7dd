"""Planted anomalies and their ground truth (``ground_truth/anomalies.parquet``).

The generator writes a clean population, then plants a known number of violations. The
ground truth lists every violation in the data, planted or caused by a planted one, so the
risk-control rule packs can be scored by precision and recall against it. The clean data
never violates any of the definitions below; the test suite checks both directions with
independent SQL.

Notation: ``E`` is the registry's end date (``manifest.json``: ``end_date``). A *period* is
the first day of a month (``contributions.period``, ``benefit_payments.period``); the
month of period ``P`` runs from ``P`` to its last day ``P_end``. A spell, enrolment or
prison term *is active at* a day ``d`` when ``start_date <= d`` and (``end_date`` is null or
``end_date >= d``); it *overlaps the month* of ``P`` when ``start_date <= P_end`` and
(``end_date`` is null or ``end_date >= P``). "Pension-type" benefits are ``pension`` and
``resident_pension``.

Kinds (``kind``, the entity, what makes the violation, and the period recorded):

``pension_after_death`` (person)
    A ``benefit_payments`` row of a pension-type benefit whose ``period`` is after the
    person's ``deaths.death_date`` (``period > death_date``). The month of death itself is
    still due. Period: first and last such ``period``.

``benefit_during_incarceration`` (person)
    A ``benefit_payments`` row (any benefit) and an ``incarcerations`` row of the same
    person with ``start_date < period`` and (``end_date`` is null or ``period <= end_date``):
    a month that began in prison. Period: first and last such ``period``.

``unemployment_benefit_while_employed`` (person)
    A ``benefit_payments`` row with ``benefit = 'unemployment'`` whose month overlaps an
    ``employment_spells`` row of the same person. Period: first and last such ``period``.

``unemployment_benefit_while_pension`` (person)
    For one person and one ``period``, a payment of ``unemployment`` and a payment of a
    pension-type benefit. Period: first and last such ``period``.

``double_receipt`` (person)
    For one person and one ``period``, more than one payment of pension-type benefits
    (a pension and a resident pension, or two pensions awarded in two regions), or more
    than one ``unemployment`` payment. Period: first and last such ``period``.

``early_pension_without_basis`` (person)
    A ``benefit_awards`` row with ``benefit = 'pension'`` and ``basis`` not in
    (``special_job``, ``illness``) whose ``start_date`` is before the person's statutory
    birthday: ``birth_date + 60 years`` for men, ``+ 55 years`` for women (29 February
    becomes 28 February in a common year). Period: the award's ``start_date`` to the day
    before that birthday.

``abnormal_back_payment`` (person)
    A ``benefit_awards`` row with ``benefit = 'pension'`` and ``start_date`` ``S``, and at
    least 12 ``contributions`` rows of the same person with ``scheme = 'pension'``,
    ``back_payment`` true and ``S - 365 days <= paid_on < S`` (many months back-paid in the
    year before retiring). Period: first and last ``period`` of those rows.

``employed_without_insurance`` (person, detail: ``enterprise_id``)
    An ``employment_spells`` row active at ``E`` at enterprise ``X`` with no
    ``insurance_enrolments`` row of the same person with ``kind = 'employee'``,
    ``scheme`` in (``pension``, ``injury``), ``enterprise_id = X``, active at ``E``.
    Period: the spell's ``start_date`` to ``E``. The staff of an enterprise without
    registration are recorded here too (``detail.caused_by``).

``enterprise_without_registration`` (enterprise)
    An ``enterprises`` row with ``insured_on`` null and at least one ``employment_spells``
    row at it active at ``E``. Period: the earliest ``start_date`` of those spells to ``E``.

``contribution_outside_employment`` (person, detail: ``enterprise_id``)
    A ``contributions`` row with a non-null ``enterprise_id`` ``X`` whose month overlaps no
    ``employment_spells`` row of the same person at ``X``. Period: first and last such
    ``period``.

Each row of the ground truth is one planted (or caused) violation: ``anomaly_id``,
``kind``, ``entity`` (``person`` or ``enterprise``), ``entity_id``, ``period_start``,
``period_end`` and ``detail`` (JSON text).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from onething.registry.generate.arrays import Array, date_col, to_date

KINDS: tuple[str, ...] = (
    "pension_after_death",
    "benefit_during_incarceration",
    "unemployment_benefit_while_employed",
    "unemployment_benefit_while_pension",
    "double_receipt",
    "early_pension_without_basis",
    "abnormal_back_payment",
    "employed_without_insurance",
    "enterprise_without_registration",
    "contribution_outside_employment",
)
ENTITY: dict[str, str] = dict.fromkeys(KINDS, "person") | {
    "enterprise_without_registration": "enterprise"
}

SCHEMA = pa.schema(
    [
        pa.field("anomaly_id", pa.int64(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("entity", pa.string(), nullable=False),
        pa.field("entity_id", pa.string(), nullable=False),
        pa.field("period_start", pa.date32()),
        pa.field("period_end", pa.date32()),
        pa.field("detail", pa.string()),
    ]
)
"""Arrow schema of ``ground_truth/anomalies.parquet``."""


@dataclass
class _Batch:
    kind: str
    index: Array  # person or enterprise index
    start: Array  # day numbers
    end: Array
    details: list[dict[str, Any]]


@dataclass
class GroundTruth:
    """Collects planted violations by kind, entity index and period (day numbers)."""

    batches: list[_Batch] = field(default_factory=list)

    def add(
        self,
        kind: str,
        index: Array,
        start: Array,
        end: Array,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        if kind not in ENTITY:
            raise ValueError(f"unknown anomaly kind {kind!r}")
        n = int(np.asarray(index).size)
        self.batches.append(
            _Batch(
                kind,
                np.asarray(index, dtype=np.int64),
                np.asarray(start, dtype=np.int64),
                np.asarray(end, dtype=np.int64),
                details if details is not None else [{} for _ in range(n)],
            )
        )

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(KINDS, 0)
        for b in self.batches:
            out[b.kind] += int(b.index.size)
        return out

    def table(self, person_ids: pa.Array, enterprise_ids: pa.Array) -> pa.Table:
        """The ground truth in kind order, then by entity id."""
        kinds: list[str] = []
        entities: list[str] = []
        ids: list[str] = []
        details: list[str] = []
        starts: list[Array] = []
        ends: list[Array] = []
        for b in self.batches:
            source = person_ids if ENTITY[b.kind] == "person" else enterprise_ids
            ids.extend(source.take(pa.array(b.index)).to_pylist())
            kinds.extend([b.kind] * b.index.size)
            entities.extend([ENTITY[b.kind]] * b.index.size)
            starts.append(b.start)
            ends.append(b.end)
            details.extend(
                json.dumps(_plain(d), ensure_ascii=False, sort_keys=True) for d in b.details
            )
        start = np.concatenate(starts) if starts else np.zeros(0, dtype=np.int64)
        end = np.concatenate(ends) if ends else np.zeros(0, dtype=np.int64)
        rank = {k: i for i, k in enumerate(KINDS)}
        order = sorted(range(len(ids)), key=lambda i: (rank[kinds[i]], ids[i], int(start[i])))
        return pa.table(
            {
                "anomaly_id": pa.array(np.arange(1, len(order) + 1), type=pa.int64()),
                "kind": pa.array([kinds[i] for i in order], type=pa.string()),
                "entity": pa.array([entities[i] for i in order], type=pa.string()),
                "entity_id": pa.array([ids[i] for i in order], type=pa.string()),
                "period_start": date_col(start[order] if order else start),
                "period_end": date_col(end[order] if order else end),
                "detail": pa.array([details[i] for i in order], type=pa.string()),
            },
            schema=SCHEMA,
        )


def _plain(d: dict[str, Any]) -> dict[str, Any]:
    """JSON-ready detail: day numbers under keys ending in ``_on``/``_date`` become dates."""
    out: dict[str, Any] = {}
    for k, raw in d.items():
        value = raw.item() if isinstance(raw, np.generic) else raw
        if k.endswith(("_on", "_date")) and isinstance(value, int):
            value = to_date(value).isoformat()
        out[k] = value
    return out
