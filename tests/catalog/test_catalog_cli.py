"""``onething catalog`` on the shipped catalog."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from onething.catalog.loader import load_catalog
from onething.catalog.stats import catalog_stats
from onething.cli.main import app

runner = CliRunner()


def test_check_passes_on_the_shipped_catalog() -> None:
    result = runner.invoke(app, ["catalog", "check"])
    assert result.exit_code == 0, result.output
    assert "0 个错误" in result.stdout


def test_stats_json_matches_the_library() -> None:
    result = runner.invoke(app, ["catalog", "stats", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    expected = catalog_stats(load_catalog())
    assert body["matters"] == expected.matters
    assert {b["code"] for b in body["bundle_stats"]} >= {
        "newborn", "hiring", "enterprise_opening", "retirement", "after_death",
    }  # fmt: skip


def test_show_unknown_code_suggests_the_close_one() -> None:
    result = runner.invoke(app, ["catalog", "show", "新生儿"])
    assert result.exit_code == 2
    assert "newborn" in result.output
    ok = runner.invoke(app, ["catalog", "show", "newborn"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["code"] == "newborn"
