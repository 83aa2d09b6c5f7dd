"""The synthetic Shandong registry generator (``onething registry generate``).

A reproducible synthetic province: the real 16 cities and their counties, a realistic age
pyramid, names, valid resident IDs and unified social credit codes, enterprises of skewed
sizes, employment histories, insurance enrolments and monthly contributions, pensions and
unemployment benefits with their payments, deaths, prison terms, skill certificates and
e-licenses; and planted anomalies with their ground truth (see :mod:`.anomalies`).

Usage::

    options = GenerateOptions(persons=10_000, end_date=date(2025, 6, 30))
    report = generate_registry(Path("registry"), options)

The same options give identical Parquet files. Stages, one module each: :mod:`.people`,
:mod:`.enterprises`, :mod:`.employment`, :mod:`.benefits`, :mod:`.planting` (with
:mod:`.plant_benefits` and :mod:`.plant_work`), :mod:`.insurance`, :mod:`.contributions`,
:mod:`.documents`; :mod:`.output` writes, :mod:`.pipeline` orchestrates.
"""

from onething.registry.generate.anomalies import KINDS as ANOMALY_KINDS
from onething.registry.generate.pipeline import (
    DEFAULT_ANOMALY_RATE,
    DEFAULT_HISTORY_MONTHS,
    GENERATOR_VERSION,
    GenerateOptions,
    GenerateReport,
    generate_registry,
)

__all__ = [
    "ANOMALY_KINDS",
    "DEFAULT_ANOMALY_RATE",
    "DEFAULT_HISTORY_MONTHS",
    "GENERATOR_VERSION",
    "GenerateOptions",
    "GenerateReport",
    "generate_registry",
]
