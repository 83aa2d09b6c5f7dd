"""A small OpenFisca country package: two Shandong HR&SS policies, as an OpenFisca modeller
would write them, to compare with the compiled rule packs (bench/bench_rules_compare.py).

OpenFisca computes formulas over entities and periods; it has no joins. What it cannot
express (which rows of another table belong to an entity, interval overlaps with a date
of the entity) is the input preparation done in DuckDB (``compare/openfisca_inputs.py``);
what it can (sums over months, thresholds, dated parameters, amounts) is here.

- :class:`JobStabilisationSystem` — 失业保险稳岗返还 (content/packs/job_stabilisation_refund.yaml),
  entity ``enterprise``.
- :class:`SkillSubsidySystem` — 技能提升补贴 (content/packs/skill_subsidy.yaml), entity
  ``certificate``.

Exactness: OpenFisca stores ``float`` variables as float32 and ``int`` as int32, so money
is kept in integer cents and every comparison of a rate with a threshold is made in
float64 inside the formula that decides (a layoff rate of exactly 20 % stored as float32
reads 0.2000000030 and would fail "不高于 20%").
"""

from __future__ import annotations

from pathlib import Path

from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from compare.openfisca_shandong import job_stabilisation, skill_subsidy
from compare.openfisca_shandong.entities import CERTIFICATE, ENTERPRISE

PARAMETERS = Path(__file__).parent / "parameters"


class JobStabilisationSystem(TaxBenefitSystem):
    def __init__(self) -> None:
        super().__init__([ENTERPRISE])
        self.load_parameters(str(PARAMETERS / "job_stabilisation"))
        self.add_variables(*job_stabilisation.VARIABLES)


class SkillSubsidySystem(TaxBenefitSystem):
    def __init__(self) -> None:
        super().__init__([CERTIFICATE])
        self.load_parameters(str(PARAMETERS / "skill_subsidy"))
        self.add_variables(*skill_subsidy.VARIABLES)
