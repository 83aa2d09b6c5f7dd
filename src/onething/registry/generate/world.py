"""Everything generated so far, handed from stage to stage (arrays, not tables yet)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from onething.registry.generate.anomalies import GroundTruth
from onething.registry.generate.arrays import Array
from onething.registry.generate.benefits import Awards
from onething.registry.generate.contributions import Streams
from onething.registry.generate.employment import Careers, Spells
from onething.registry.generate.enterprises import Enterprises
from onething.registry.generate.frame import Frame
from onething.registry.generate.insurance import Enrolments
from onething.registry.generate.people import Households, People


@dataclass
class World:
    frame: Frame
    people: People
    households: Households
    ent: Enterprises
    careers: Careers
    spells: Spells
    awards: Awards
    uninsured_spell: Array = field(default_factory=lambda: np.zeros(0, dtype=np.bool_))
    """Spells whose employer enrolled nobody (planted ``employed_without_insurance``)."""
    extra_enrolments: list[Enrolments] = field(default_factory=list)
    """Enrolments made up by planted anomalies."""
    extra_streams: list[Streams] = field(default_factory=list)
    """Contributions made up by planted anomalies, outside the window logic."""
    truth: GroundTruth = field(default_factory=GroundTruth)
