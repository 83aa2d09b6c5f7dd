"""The registry (数据底座): people, households, enterprises, employment, insurance,
contributions, benefits, deaths, prison terms, skill certificates and e-licenses.

Stored as Parquet (the exchange format) plus a DuckDB file (``registry.duckdb``) by
default; loadable into PostgreSQL for per-case lookups. The tables and their meanings
are declared once in ``onething/data/registry/tables.yaml`` (see :mod:`.schema`).
"""
