"""Registry import and export (数据导入导出): Parquet or CSV files in and out.

- :func:`import_registry` checks every row of every file (types, required fields,
  allowed values, keys, identity numbers, credit codes, mobiles, region codes,
  references) and writes a registry only if all are valid — nothing is half-imported.
- :func:`export_registry` writes a registry's tables as files that import back as they are.
"""

from onething.registry.io.export import ExportFormat, ExportReport, export_registry
from onething.registry.io.importer import ImportFormat, ImportReport, import_registry
from onething.registry.io.problems import MAX_LISTED, ImportProblem, Progress
from onething.registry.io.regions import shipped_region_rows, shipped_regions_arrow

__all__ = [
    "MAX_LISTED",
    "ExportFormat",
    "ExportReport",
    "ImportFormat",
    "ImportProblem",
    "ImportReport",
    "Progress",
    "export_registry",
    "import_registry",
    "shipped_region_rows",
    "shipped_regions_arrow",
]
