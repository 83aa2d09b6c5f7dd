"""Baselines for bench/bench_rules_compare.py: hand-written DuckDB SQL and an OpenFisca model."""
