"""The synthetic registry generator: schema, reproducibility, valid identifiers, integrity,
and — the heart — a ground truth that lists exactly the violations present in the data.

Each anomaly kind is found here with its own SQL, written from the definitions in
``onething.registry.generate.anomalies`` (not from the generator's code), and compared with
``ground_truth/anomalies.parquet``: every violation found must be in the ground truth
(precision of the clean data) and every ground-truth row must be found (recall).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from onething.kit.errors import InvalidInput
from onething.kit.i18n import translate
from onething.kit.ids import validate_credit_code, validate_resident_id
from onething.registry import schema
from onething.registry.generate import ANOMALY_KINDS, GenerateOptions, generate_registry, pipeline
from onething.registry.generate.output import RegistryWriter
from onething.registry.io.regions import shipped_regions_arrow
from onething.registry.store import RegistryDir

END = date(2025, 6, 30)
PERSONS = 5_000
OPTIONS = GenerateOptions(
    persons=PERSONS, seed=7, end_date=END, history_months=30, anomaly_rate=0.02
)

pytestmark = pytest.mark.xdist_group("registry_generate")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any, list[tuple]]:
    calls: list[tuple] = []
    out = tmp_path_factory.mktemp("gen") / "registry"
    report = generate_registry(out, OPTIONS, progress=lambda *a: calls.append(a))
    return out, report, calls


@pytest.fixture(scope="module")
def con(generated: tuple[Path, Any, list[tuple]]) -> Any:
    connection = RegistryDir(generated[0]).connect()
    yield connection
    connection.close()


def _rows(con: Any, sql: str, params: list[Any] | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


# --- files and schema -------------------------------------------------------------------


def test_every_catalog_table_is_written_with_its_schema(generated, con) -> None:
    root, report, _ = generated
    reg = RegistryDir(root)
    manifest = reg.read_manifest()
    for name, table in schema.tables().items():
        path = reg.parquet(name)
        written = pq.read_schema(path).remove_metadata()
        assert written.equals(table.arrow_schema()), name
        n = pq.ParquetFile(path).metadata.num_rows
        assert n == report.rows[name] == manifest["row_counts"][name]
        assert _rows(con, f'SELECT count(*) FROM "{name}"')[0][0] == n
    for name in ("persons", "households", "enterprises", "employment_spells", "contributions"):
        assert report.rows[name] > 0, name
    assert (root / "catalog.json").exists()
    assert manifest["seed"] == OPTIONS.seed
    assert manifest["end_date"] == END.isoformat()
    assert set(manifest["sha256"]) == {f"{t}.parquet" for t in schema.tables()}


def test_money_columns_are_exact_decimals(generated, con) -> None:
    for name, table in schema.tables().items():
        arrow = pq.read_schema(RegistryDir(generated[0]).parquet(name))
        for f in table.fields:
            if f.decimal:
                assert arrow.field(f.name).type == pa.decimal128(*f.decimal)
                kind = _rows(
                    con,
                    "SELECT data_type FROM information_schema.columns "
                    "WHERE table_name = ? AND column_name = ?",
                    [name, f.name],
                )[0][0]
                assert kind == f"DECIMAL({f.decimal[0]},{f.decimal[1]})"
    # Amounts are base × rate rounded to the cent: employee pension 8 %.
    bad = _rows(
        con,
        "SELECT count(*) FROM contributions WHERE scheme = 'pension' AND enterprise_id IS NOT NULL"
        " AND employee_amount <> round(base * 0.08, 2)",
    )[0][0]
    assert bad == 0


def test_progress_reports_every_stage(generated) -> None:
    _, report, calls = generated
    labels = {c[0] for c in calls}
    assert len(labels) == len(report.stage_seconds) >= 8
    assert all(0 <= done <= total for _, done, total in calls)
    last = {label: (done, total) for label, done, total in calls}
    assert all(done == total for done, total in last.values())


# --- reproducibility --------------------------------------------------------------------


def test_same_seed_gives_identical_files_and_another_seed_does_not(
    generated, tmp_path: Path
) -> None:
    root = generated[0]
    again = tmp_path / "again"
    generate_registry(again, OPTIONS)
    for name in schema.tables():
        assert (root / f"{name}.parquet").read_bytes() == (again / f"{name}.parquet").read_bytes()
    truth = "ground_truth/anomalies.parquet"
    assert (root / truth).read_bytes() == (again / truth).read_bytes()
    other = tmp_path / "other"
    generate_registry(
        other,
        GenerateOptions(
            persons=PERSONS, seed=8, end_date=END, history_months=30, anomaly_rate=0.02
        ),
    )
    assert (root / "persons.parquet").read_bytes() != (other / "persons.parquet").read_bytes()
    ids = pq.read_table(root / "persons.parquet", columns=["person_id"]).column(0)
    other_ids = pq.read_table(other / "persons.parquet", columns=["person_id"]).column(0)
    assert set(ids.to_pylist()) != set(other_ids.to_pylist())


# --- identifiers and people -------------------------------------------------------------


def test_identifiers_validate(con) -> None:
    for (pid,) in _rows(con, "SELECT person_id FROM persons"):
        check = validate_resident_id(pid)
        assert check.ok, (pid, check.codes)
    for (eid,) in _rows(con, "SELECT enterprise_id FROM enterprises"):
        check = validate_credit_code(eid)
        assert check.ok, (eid, check.codes)
    assert _rows(con, "SELECT count(DISTINCT person_id) = count(*) FROM persons")[0][0]


def test_birth_sex_and_hukou_match_the_id(con) -> None:
    rows = _rows(con, "SELECT person_id, sex, birth_date, hukou_region FROM persons")
    legacy = {"371202": "370116", "371203": "370117"}
    laiwu = 0
    for pid, sex, birth, hukou in rows:
        assert pid[6:14] == birth.strftime("%Y%m%d")
        assert sex == ("M" if int(pid[16]) % 2 else "F")
        area = pid[:6]
        assert hukou == legacy.get(area, area)
        laiwu += area in legacy
    assert laiwu > 0
    zones = _rows(
        con,
        "SELECT count(*) FROM persons p JOIN regions r ON r.code = p.hukou_region "
        "WHERE r.statistical_zone OR r.level <> 'county'",
    )[0][0]
    assert zones == 0
    # Ages: a plausible pyramid and sex ratio.
    male = sum(r[1] == "M" for r in rows) / len(rows)
    assert 0.47 < male < 0.55
    kids = sum(r[2] > date(2017, 12, 31) for r in rows) / len(rows)
    assert 0.03 < kids < 0.12


def test_every_city_is_populated(con) -> None:
    cities = _rows(con, "SELECT count(DISTINCT left(hukou_region, 4)) FROM persons")[0][0]
    assert cities == 16


def test_households_and_licenses_cover_the_population(con) -> None:
    checks = {
        "member outside the household's county": """
            SELECT count(*) FROM persons p JOIN households h USING (household_id)
            WHERE p.hukou_region <> h.region_code""",
        "head not a member": """
            SELECT count(*) FROM households h JOIN persons p ON p.person_id = h.head_id
            WHERE p.household_id IS DISTINCT FROM h.household_id""",
        "living person without a household": """
            SELECT count(*) FROM persons p WHERE household_id IS NULL
            AND NOT EXISTS (SELECT 1 FROM deaths d WHERE d.person_id = p.person_id)""",
        "enterprise without a business licence": """
            SELECT count(*) FROM enterprises e WHERE NOT EXISTS (
                SELECT 1 FROM licenses l WHERE l.holder_id = e.enterprise_id
                AND l.license_type = 'business_licence')""",
        "living person of 16 or more without an ID card": """
            SELECT count(*) FROM persons p WHERE birth_date <= DATE '2009-06-30'
            AND NOT EXISTS (SELECT 1 FROM deaths d WHERE d.person_id = p.person_id)
            AND NOT EXISTS (SELECT 1 FROM licenses l WHERE l.holder_id = p.person_id
                            AND l.license_type = 'id_card')""",
        "license of an unknown holder": """
            SELECT count(*) FROM licenses l WHERE NOT EXISTS (
                SELECT 1 FROM persons p WHERE p.person_id = l.holder_id)
            AND NOT EXISTS (SELECT 1 FROM enterprises e WHERE e.enterprise_id = l.holder_id)""",
    }
    for what, sql in checks.items():
        assert _rows(con, sql)[0][0] == 0, what
    spouses = _rows(
        con,
        "SELECT count(*) FROM licenses WHERE license_type = 'marriage_certificate'",
    )[0][0]
    assert spouses > 0
    assert spouses % 2 == 0


# --- integrity, checked generically from the catalog -------------------------------------


def test_references_resolve(con) -> None:
    for table in schema.tables().values():
        for f in table.fields:
            if not f.ref:
                continue
            missing = _rows(
                con,
                f'SELECT count(*) FROM "{table.name}" c WHERE c."{f.name}" IS NOT NULL AND NOT '
                f'EXISTS (SELECT 1 FROM "{f.ref_table}" p WHERE p."{f.ref_field}" = c."{f.name}")',
            )[0][0]
            assert missing == 0, f"{table.name}.{f.name} -> {f.ref}: {missing} dangling"


def test_keys_are_unique_and_values_allowed(con) -> None:
    for table in schema.tables().values():
        key = ", ".join(f'"{k}"' for k in table.key)
        dupes = _rows(
            con,
            f'SELECT count(*) FROM (SELECT {key} FROM "{table.name}" '
            f"GROUP BY ALL HAVING count(*) > 1)",
        )[0][0]
        assert dupes == 0, table.name
        for f in table.fields:
            if f.enum:
                bad = _rows(
                    con,
                    f'SELECT DISTINCT "{f.name}" FROM "{table.name}" '
                    f'WHERE "{f.name}" IS NOT NULL AND "{f.name}" NOT IN ?',
                    [list(f.enum)],
                )
                assert not bad, (table.name, f.name, bad)


def test_dates_are_coherent(con) -> None:
    checks = {
        "spell ends before it starts": "SELECT count(*) FROM employment_spells "
        "WHERE end_date < start_date",
        "spell after the end date": "SELECT count(*) FROM employment_spells WHERE start_date > ?",
        "spell before the employer exists": "SELECT count(*) FROM employment_spells s "
        "JOIN enterprises e USING (enterprise_id) WHERE s.start_date < e.established_on",
        "spell after the employer closed": "SELECT count(*) FROM employment_spells s "
        "JOIN enterprises e USING (enterprise_id) WHERE e.closed_on IS NOT NULL "
        "AND coalesce(s.end_date, DATE '9999-12-31') > e.closed_on",
        "work after death": "SELECT count(*) FROM employment_spells s JOIN deaths d "
        "USING (person_id) WHERE coalesce(s.end_date, DATE '9999-12-31') > d.death_date",
        "payment in the future": "SELECT count(*) FROM benefit_payments WHERE paid_on > ?",
        "contribution in the future": "SELECT count(*) FROM contributions WHERE paid_on > ?",
        "born after the end date": "SELECT count(*) FROM persons WHERE birth_date > ?",
    }
    for what, sql in checks.items():
        params = [END] * sql.count("?")
        assert _rows(con, sql, params)[0][0] == 0, what


# --- the ground truth -------------------------------------------------------------------

# One query per kind: entity_id, first and last period of the violation.
VIOLATIONS: dict[str, str] = {
    "pension_after_death": """
        SELECT p.person_id, min(p.period), max(p.period)
        FROM benefit_payments p JOIN deaths d USING (person_id)
        WHERE p.benefit IN ('pension', 'resident_pension') AND p.period > d.death_date
        GROUP BY 1""",
    "benefit_during_incarceration": """
        SELECT p.person_id, min(p.period), max(p.period)
        FROM benefit_payments p JOIN incarcerations i USING (person_id)
        WHERE i.start_date < p.period AND (i.end_date IS NULL OR p.period <= i.end_date)
        GROUP BY 1""",
    "unemployment_benefit_while_employed": """
        SELECT p.person_id, min(p.period), max(p.period)
        FROM benefit_payments p JOIN employment_spells s USING (person_id)
        WHERE p.benefit = 'unemployment' AND s.start_date <= last_day(p.period)
          AND (s.end_date IS NULL OR s.end_date >= p.period)
        GROUP BY 1""",
    "unemployment_benefit_while_pension": """
        SELECT u.person_id, min(u.period), max(u.period)
        FROM benefit_payments u
        JOIN benefit_payments q ON q.person_id = u.person_id AND q.period = u.period
        WHERE u.benefit = 'unemployment' AND q.benefit IN ('pension', 'resident_pension')
        GROUP BY 1""",
    "double_receipt": """
        SELECT person_id, min(period), max(period) FROM (
            SELECT person_id, period FROM benefit_payments
            GROUP BY person_id, period, benefit = 'unemployment' HAVING count(*) > 1)
        GROUP BY 1""",
    "early_pension_without_basis": """
        SELECT a.person_id, min(a.start_date), max(birthday - 1) FROM (
            SELECT *, CAST(birth_date + CASE WHEN sex = 'M' THEN INTERVAL 60 YEAR
                                            ELSE INTERVAL 55 YEAR END AS DATE) AS birthday
            FROM persons) p
        JOIN benefit_awards a USING (person_id)
        WHERE a.benefit = 'pension' AND a.basis NOT IN ('special_job', 'illness')
          AND a.start_date < p.birthday
        GROUP BY 1""",
    "abnormal_back_payment": """
        SELECT person_id, min(first), max(last) FROM (
            SELECT a.person_id, a.award_id, min(c.period) AS first, max(c.period) AS last
            FROM benefit_awards a JOIN contributions c USING (person_id)
            WHERE a.benefit = 'pension' AND c.scheme = 'pension' AND c.back_payment
              AND c.paid_on >= a.start_date - 365 AND c.paid_on < a.start_date
            GROUP BY a.person_id, a.award_id HAVING count(*) >= 12)
        GROUP BY 1""",
    "employed_without_insurance": """
        SELECT s.person_id, min(s.start_date), max($end)
        FROM employment_spells s
        WHERE s.start_date <= $end AND (s.end_date IS NULL OR s.end_date >= $end)
          AND NOT EXISTS (
            SELECT 1 FROM insurance_enrolments e
            WHERE e.person_id = s.person_id AND e.enterprise_id = s.enterprise_id
              AND e.kind = 'employee' AND e.scheme IN ('pension', 'injury')
              AND e.start_date <= $end AND (e.end_date IS NULL OR e.end_date >= $end))
        GROUP BY 1""",
    "enterprise_without_registration": """
        SELECT e.enterprise_id, min(s.start_date), max($end)
        FROM enterprises e JOIN employment_spells s USING (enterprise_id)
        WHERE e.insured_on IS NULL
          AND s.start_date <= $end AND (s.end_date IS NULL OR s.end_date >= $end)
        GROUP BY 1""",
    "contribution_outside_employment": """
        SELECT c.person_id, min(c.period), max(c.period)
        FROM contributions c
        WHERE c.enterprise_id IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM employment_spells s
            WHERE s.person_id = c.person_id AND s.enterprise_id = c.enterprise_id
              AND s.start_date <= last_day(c.period)
              AND (s.end_date IS NULL OR s.end_date >= c.period))
        GROUP BY 1""",
}


def _found(con: Any, kind: str) -> dict[str, tuple[date, date]]:
    sql = VIOLATIONS[kind]
    params = {"end": END} if "$end" in sql else {}
    return {r[0]: (r[1], r[2]) for r in con.execute(sql, params).fetchall()}


def _truth(generated) -> dict[str, dict[str, tuple[date, date]]]:
    """Ground truth per kind: entity → (earliest period_start, latest period_end)."""
    rows = pq.read_table(RegistryDir(generated[0]).anomalies_file).to_pylist()
    out: dict[str, dict[str, tuple[date, date]]] = {k: {} for k in ANOMALY_KINDS}
    for r in rows:
        seen = out[r["kind"]].get(r["entity_id"])
        start, end = r["period_start"], r["period_end"]
        if seen:
            start, end = min(start, seen[0]), max(end, seen[1])
        out[r["kind"]][r["entity_id"]] = (start, end)
    return out


def test_ground_truth_file(generated) -> None:
    root, report, _ = generated
    table = pq.read_table(RegistryDir(root).anomalies_file)
    assert table.column_names == [
        "anomaly_id", "kind", "entity", "entity_id", "period_start", "period_end", "detail",
    ]  # fmt: skip
    assert table.column("anomaly_id").to_pylist() == list(range(1, table.num_rows + 1))
    for row in table.to_pylist():
        assert row["entity"] == (
            "enterprise" if row["kind"] == "enterprise_without_registration" else "person"
        )
        assert row["period_start"] <= row["period_end"]
        json.loads(row["detail"])
    counted = dict.fromkeys(ANOMALY_KINDS, 0)
    for kind in table.column("kind").to_pylist():
        counted[kind] += 1
    assert counted == report.anomalies
    assert all(report.anomalies[k] > 0 for k in ANOMALY_KINDS), report.anomalies


@pytest.mark.parametrize("kind", ANOMALY_KINDS)
def test_ground_truth_lists_exactly_the_violations(generated, con, kind: str) -> None:
    truth = _truth(generated)[kind]
    found = _found(con, kind)
    assert truth, f"nothing planted for {kind}"
    missing = sorted(set(truth) - set(found))
    unexpected = sorted(set(found) - set(truth))
    assert not missing, f"{kind}: planted but not in the data: {missing[:5]}"
    assert not unexpected, f"{kind}: violations not in the ground truth: {unexpected[:5]}"
    wrong = {e: (truth[e], found[e]) for e in truth if truth[e] != found[e]}
    assert not wrong, f"{kind}: periods differ (truth, data): {list(wrong.items())[:5]}"


def test_no_anomalies_when_rate_is_zero(tmp_path: Path) -> None:
    out = tmp_path / "clean"
    report = generate_registry(
        out, GenerateOptions(persons=2_000, seed=3, end_date=END, anomaly_rate=0.0)
    )
    assert sum(report.anomalies.values()) == 0
    with RegistryDir(out).connect() as clean:
        for kind in ANOMALY_KINDS:
            assert _found(clean, kind) == {}, kind


# --- the target folder ------------------------------------------------------------------


def test_refuses_a_folder_that_is_not_a_registry(tmp_path: Path) -> None:
    target = tmp_path / "docs"
    target.mkdir()
    (target / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(InvalidInput) as err:
        generate_registry(target, GenerateOptions(persons=100, end_date=END))
    assert err.value.key == "registry.generate.target_not_empty"
    assert (target / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docs"]


def test_bad_options_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as err:
        generate_registry(tmp_path / "x", GenerateOptions(persons=0, end_date=END))
    assert err.value.errors[0]["field"] == "persons"


def test_replaces_a_previous_registry_and_leaves_nothing_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "registry"
    generate_registry(target, GenerateOptions(persons=300, seed=1, end_date=END))
    before = (target / "persons.parquet").read_bytes()

    contributions = translate("registry.generate.stage.contributions")

    def explode(stage: str, done: int, total: int) -> None:
        if stage == contributions and done == total:
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        generate_registry(target, GenerateOptions(persons=300, seed=2, end_date=END), explode)
    assert (target / "persons.parquet").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["registry"]
    generate_registry(target, GenerateOptions(persons=300, seed=2, end_date=END))
    assert (target / "persons.parquet").read_bytes() != before
    assert RegistryDir(target).read_manifest()["seed"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["registry"]


def test_flush_returns_once_the_lane_has_written_the_table(tmp_path: Path) -> None:
    # The generator flushes after each large table so that its memory is freed before the
    # next one is built (10 million persons fit in memory only so).
    writer = RegistryWriter(tmp_path)
    try:
        regions = shipped_regions_arrow()
        for _ in range(3):
            writer.write("regions", regions)
        writer.flush("regions")
        count = writer._con.execute('SELECT count(*) FROM "regions"').fetchall()[0][0]
        assert count == 3 * regions.num_rows
    finally:
        writer.close()


def test_writing_each_large_table_before_the_next_changes_nothing(
    generated, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "_FLUSH_ROWS", 1)  # every table waits for its writers
    again = tmp_path / "flushed"
    generate_registry(again, OPTIONS)
    root = generated[0]
    for name in schema.tables():
        assert (root / f"{name}.parquet").read_bytes() == (again / f"{name}.parquet").read_bytes()
    with RegistryDir(again).connect() as con:
        assert (
            con.execute("SELECT count(*) FROM licenses").fetchall()[0][0]
            == pq.read_metadata(root / "licenses.parquet").num_rows
        )
