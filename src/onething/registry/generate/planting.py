"""Planting the anomalies defined in :mod:`.anomalies` into a clean world.

Each kind is planted on a random share (``anomaly_rate``) of the entities where it can
occur, at least one when any can; every entity receives at most one planted anomaly, so
one violation never causes another of a different kind (the staff of an enterprise
without registration are the exception and are recorded as ``employed_without_insurance``
too). Planting happens between the benefit awards and the insurance stage, so enrolments
and contributions follow the planted facts (a spell added during an unemployment benefit
has its contributions; an unregistered employer enrols nobody).
"""

from __future__ import annotations

import numpy as np

from onething.registry.generate import plant_benefits, plant_work
from onething.registry.generate.world import World


def plant(rng: np.random.Generator, w: World, rate: float) -> None:
    """Plant every kind into ``w`` and record it in ``w.truth``."""
    used = np.zeros(w.people.n, dtype=np.bool_)
    w.uninsured_spell = np.zeros(w.spells.n, dtype=np.bool_)
    for step in (
        plant_benefits.early_pension_without_basis,
        plant_work.enterprise_without_registration,
        plant_work.employed_without_insurance,
        plant_benefits.unemployment_benefit_while_employed,
        plant_benefits.unemployment_benefit_while_pension,
        plant_benefits.double_receipt,
        plant_benefits.pension_after_death,
        plant_benefits.benefit_during_incarceration,
        plant_work.contribution_outside_employment,
        plant_work.abnormal_back_payment,
    ):
        step(rng, w, rate, used)
