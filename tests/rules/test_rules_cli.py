"""``onething rules run|explain|test`` over a generated registry."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from onething.cli import common
from onething.cli.main import app
from onething.registry.generate import GenerateOptions, generate_registry

END = date(2026, 6, 30)
runner = CliRunner()


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "registry"
    generate_registry(out, GenerateOptions(persons=3000, seed=11, end_date=END, anomaly_rate=0.02))
    return out


def test_run_writes_one_row_per_hit_with_its_explanation(registry: Path, tmp_path: Path) -> None:
    target = tmp_path / "hits.parquet"
    result = runner.invoke(
        app,
        ["rules", "run", "fund_risk", "--as-of", END.isoformat(),
         "--registry", str(registry), "--out", str(target)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    hits = pq.read_table(target)
    assert hits.column_names == [
        "pack", "family", "rule", "entity", "entity_id", "scenario", "severity", "amount",
        "explanation",
    ]  # fmt: skip
    assert hits.num_rows > 0
    assert set(hits.column("pack").to_pylist()) == {"fund_risk"}
    assert set(hits.column("family").to_pylist()) == {None}  # fund_risk declares none
    assert f"{hits.num_rows:,} hits" in result.stdout

    person = hits.column("entity_id")[0].as_py()
    rule = hits.column("rule")[0].as_py()
    explained = runner.invoke(
        app,
        ["rules", "explain", "fund_risk", "--entity-id", person, "--as-of", END.isoformat(),
         "--registry", str(registry)],
    )  # fmt: skip
    assert explained.exit_code == 0, explained.output
    assert f"✓ 命中 {rule}" in explained.stdout


def test_a_family_runs_each_of_its_packs_and_names_the_family(
    registry: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the summary table unabridged: the console's width is fixed when it is made, from
    # the terminal or COLUMNS at import time, so set it here
    monkeypatch.setattr(common.out, "width", 160)
    target = tmp_path / "gaps.parquet"
    result = runner.invoke(
        app,
        ["rules", "run", "coverage_gap", "--as-of", END.isoformat(),
         "--registry", str(registry), "--out", str(target)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    hits = pq.read_table(target)
    assert set(hits.column("pack").to_pylist()) == {
        "coverage_gap_person",
        "coverage_gap_enterprise",
    }
    assert set(hits.column("family").to_pylist()) == {"coverage_gap"}
    entities = {(r["pack"], r["entity"]) for r in hits.select(["pack", "entity"]).to_pylist()}
    assert entities == {
        ("coverage_gap_person", "person"),
        ("coverage_gap_enterprise", "enterprise"),
    }
    summary = [line.split("│")[1:4] for line in result.stdout.splitlines() if "_without_" in line]
    assert sorted((f.strip(), p.strip(), r.strip()) for f, p, r in summary) == [
        ("coverage_gap", "coverage_gap_enterprise", "enterprise_without_registration"),
        ("coverage_gap", "coverage_gap_person", "employed_without_insurance"),
    ]
    assert f"{hits.num_rows:,} hits" in result.stdout


def test_an_unknown_pack_or_family_is_refused_with_suggestions(
    registry: Path, tmp_path: Path
) -> None:
    result = runner.invoke(
        app,
        ["rules", "run", "coverage_gaps", "--registry", str(registry),
         "--out", str(tmp_path / "x.parquet")],
    )  # fmt: skip
    assert result.exit_code != 0
    assert "coverage_gap_person" in result.output
    assert not (tmp_path / "x.parquet").exists()


def test_explain_refuses_an_id_that_is_no_text(registry: Path) -> None:
    result = runner.invoke(
        app,
        ["rules", "explain", "fund_risk", "--entity-id", "3701\x00x", "--as-of", END.isoformat(),
         "--registry", str(registry)],
    )  # fmt: skip
    assert result.exit_code != 0
    assert "可打印字符" in result.output or "printable" in result.output


def test_explain_of_an_unknown_entity_says_so(registry: Path) -> None:
    result = runner.invoke(
        app,
        ["rules", "explain", "fund_risk", "--entity-id", "110105194912310029",
         "--as-of", END.isoformat(), "--registry", str(registry)],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "未找到" in result.stdout


def test_pack_tests_pass_and_report_counts() -> None:
    result = runner.invoke(app, ["rules", "test", "job_stabilisation_refund"])
    assert result.exit_code == 0, result.output
    assert " passed, 0 failed" in result.stdout
