"""Registry import and export: clean sources import, broken ones are refused whole."""

from __future__ import annotations

import csv
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest

from onething.kit.errors import InvalidInput
from onething.kit.ids import (
    make_credit_code,
    resident_id_check_digit,
    validate_mobile,
)
from onething.registry import schema
from onething.registry.io import export_registry, import_registry, shipped_region_rows
from onething.registry.io.checks import _MOBILE_SHAPE
from onething.registry.store import RegistryDir

Rows = dict[str, list[dict[str, Any]]]


def _canonical(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _sorted_rows(rows: list[dict[str, Any]], table: str) -> list[tuple[Any, ...]]:
    columns = schema.table(table).columns
    return sorted(
        (tuple(_canonical(r.get(c)) for c in columns) for r in rows),
        key=lambda t: tuple("" if v is None else str(v) for v in t),
    )


def _registry_rows(folder: Path, table: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = pq.read_table(folder / f"{table}.parquet").to_pylist()
    return rows


def _duckdb_rows(folder: Path, table: str) -> list[dict[str, Any]]:
    con = duckdb.connect(str(folder / "registry.duckdb"), read_only=True)
    try:
        cursor = con.execute(f'SELECT * FROM "{table}"')
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def _problems(exc: pytest.ExceptionInfo[InvalidInput]) -> set[tuple[Any, ...]]:
    return {(e["file"], e["row"], e["field"], e["reason"]) for e in exc.value.errors}


# -- clean imports ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_a_clean_source_imports_completely(
    tmp_path: Path, tiny_rows: Rows, write_source: Any, fmt: str
) -> None:
    source = write_source(tmp_path / "source", tiny_rows, fmt)
    target = tmp_path / "registry"
    progress: list[tuple[str, int, int]] = []

    report = import_registry(source, target, progress=lambda *a: progress.append(a))

    assert report.rows == {t: len(rows) for t, rows in tiny_rows.items()}
    assert RegistryDir(target).exists()
    for table, rows in tiny_rows.items():
        assert pq.read_schema(target / f"{table}.parquet") == schema.table(table).arrow_schema()
        assert _sorted_rows(_registry_rows(target, table), table) == _sorted_rows(rows, table)
        assert _sorted_rows(_duckdb_rows(target, table), table) == _sorted_rows(rows, table)
    manifest = json.loads((target / "manifest.json").read_text("utf-8"))
    assert manifest["row_counts"]["persons"] == len(tiny_rows["persons"])
    assert manifest["source"] == str(source.resolve())
    assert json.loads((target / "catalog.json").read_text("utf-8")) == schema.catalog()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    n = len(tiny_rows)
    assert [p for p in progress if p[0] == "read"][-1] == ("read", n, n)
    assert progress[-1] == ("write", n, n)


def test_money_arrives_to_the_cent(tmp_path: Path, tiny_rows: Rows, write_source: Any) -> None:
    source = write_source(tmp_path / "source", tiny_rows, "csv")
    import_registry(source, tmp_path / "registry")
    expected = sum((r["employee_amount"] for r in tiny_rows["contributions"]), Decimal(0))
    con = duckdb.connect(str(tmp_path / "registry" / "registry.duckdb"), read_only=True)
    try:
        got = con.execute("SELECT sum(employee_amount) FROM contributions").fetchall()[0][0]
    finally:
        con.close()
    assert got == expected
    assert isinstance(got, Decimal)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_then_import_gives_identical_content(
    tmp_path: Path, tiny_registry: Path, fmt: str
) -> None:
    exported = tmp_path / "export"
    report = export_registry(tiny_registry, exported, fmt=fmt)
    assert set(report.files) == set(schema.tables())
    assert all(p.exists() and p.suffix == f".{fmt}" for p in report.files.values())

    target = tmp_path / "again"
    imported = import_registry(exported, target, fmt=fmt)

    assert imported.rows == report.rows
    for table in schema.tables():
        original = _duckdb_rows(tiny_registry, table)
        assert _sorted_rows(_duckdb_rows(target, table), table) == _sorted_rows(original, table)
    # the export carries the manifest, so seed and end date survive the round trip
    manifest = json.loads((target / "manifest.json").read_text("utf-8"))
    assert (
        manifest["origin"]["seed"]
        == json.loads((tiny_registry / "manifest.json").read_text("utf-8"))["seed"]
    )


def test_ground_truth_survives_export_and_import(tmp_path: Path, tiny_registry: Path) -> None:
    export_registry(tiny_registry, tmp_path / "export", fmt="parquet")
    import_registry(tmp_path / "export", tmp_path / "again")
    original = pq.read_table(tiny_registry / "ground_truth" / "anomalies.parquet")
    assert pq.read_table(tmp_path / "again" / "ground_truth" / "anomalies.parquet") == original


def test_csv_headers_may_use_the_catalog_titles(
    tmp_path: Path, tiny_rows: Rows, write_source: Any
) -> None:
    source = write_source(tmp_path / "source", tiny_rows, "csv")
    path = source / "deaths.csv"
    lines = path.read_bytes().decode("utf-8").split("\r\n")
    lines[0] = ",".join(schema.table("deaths").field(c).title for c in lines[0].split(","))
    assert lines[0] == "公民身份号码,死亡日期,数据来源"
    path.write_bytes("\r\n".join(lines).encode("utf-8"))
    report = import_registry(source, tmp_path / "registry")
    assert report.rows["deaths"] == len(tiny_rows["deaths"])
    assert _sorted_rows(_registry_rows(tmp_path / "registry", "deaths"), "deaths") == (
        _sorted_rows(tiny_rows["deaths"], "deaths")
    )


def test_export_of_some_tables(tmp_path: Path, tiny_registry: Path) -> None:
    report = export_registry(tiny_registry, tmp_path / "out", tables=["persons", "deaths"])
    assert sorted(p.name for p in (tmp_path / "out").glob("*.csv")) == [
        "deaths.csv",
        "persons.csv",
    ]
    with (tmp_path / "out" / "persons.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == report.rows["persons"]
    assert list(rows[0]) == list(schema.table("persons").columns)
    with pytest.raises(InvalidInput) as exc:
        export_registry(tiny_registry, tmp_path / "out2", tables=["people"])
    assert exc.value.key == "registry.unknown_tables"


def test_without_a_regions_file_the_shipped_shandong_list_is_used(
    tmp_path: Path, tiny_rows: Rows, write_source: Any
) -> None:
    tables = [t for t in tiny_rows if t != "regions"]
    source = write_source(tmp_path / "source", tiny_rows, "csv", tables)
    report = import_registry(source, tmp_path / "registry")
    assert report.files["regions"] == "shipped"
    regions = _registry_rows(tmp_path / "registry", "regions")
    assert len(regions) == len(shipped_region_rows())
    cities = {r["code"]: r["name"] for r in regions if r["level"] == "city"}
    assert len(cities) == 16
    assert cities["370100"] == "济南市"
    assert cities["371700"] == "菏泽市"
    zones = {r["code"] for r in regions if r["statistical_zone"]}
    assert "370176" in zones
    assert "370102" not in zones


def test_a_subset_of_tables_must_carry_what_it_refers_to(
    tmp_path: Path, tiny_rows: Rows, write_source: Any
) -> None:
    source = write_source(tmp_path / "source", tiny_rows, "parquet", ["persons", "households"])
    report = import_registry(source, tmp_path / "registry", tables=["persons", "households"])
    assert report.rows["persons"] == len(tiny_rows["persons"])
    assert report.rows["employment_spells"] == 0
    assert (tmp_path / "registry" / "employment_spells.parquet").exists()

    with pytest.raises(InvalidInput) as exc:
        import_registry(source, tmp_path / "other", tables=["employment_spells"])
    assert exc.value.key == "registry.import.tables_not_closed"
    assert "persons" in exc.value.message("en")
    with pytest.raises(InvalidInput) as exc:
        import_registry(source, tmp_path / "other", tables=["people"])
    assert exc.value.key == "registry.unknown_tables"
    assert not (tmp_path / "other").exists()


def test_importing_over_a_registry_replaces_it(
    tmp_path: Path, tiny_rows: Rows, write_source: Any
) -> None:
    target = tmp_path / "registry"
    import_registry(write_source(tmp_path / "a", tiny_rows, "parquet"), target)
    tiny_rows["licenses"] = tiny_rows["licenses"][:1]
    report = import_registry(write_source(tmp_path / "b", tiny_rows, "csv"), target)
    assert report.rows["licenses"] == 1
    assert len(_duckdb_rows(target, "licenses")) == 1
    assert json.loads((target / "manifest.json").read_text("utf-8"))["source"].endswith("/b")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_folder_that_is_not_a_registry_is_never_overwritten(
    tmp_path: Path, tiny_rows: Rows, write_source: Any
) -> None:
    target = tmp_path / "documents"
    target.mkdir()
    (target / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(InvalidInput) as exc:
        import_registry(write_source(tmp_path / "source", tiny_rows, "csv"), target)
    assert exc.value.key == "registry.import.target_not_registry"
    assert (target / "notes.txt").read_text(encoding="utf-8") == "keep me"


# -- broken sources --------------------------------------------------------------------


def _break_rows(rows: Rows) -> tuple[Rows, set[tuple[Any, ...]]]:
    """Break rows in ways that do not cascade; return what the import must report.

    Row numbers are CSV lines: the header is line 1, so data row i is line i + 2.
    """
    persons = rows["persons"]
    expected: set[tuple[Any, ...]] = set()

    # 3: a wrong check character (王小雨 is referenced nowhere else)
    pid = persons[3]["person_id"]
    persons[3]["person_id"] = pid[:17] + ("0" if pid[17] != "0" else "1")
    expected.add(("persons.csv", 5, "person_id", "id.bad_check_digit"))
    # 11: a birth date in the number that does not exist (with a correct check character)
    first17 = "370102" + "20200230" + "023"
    persons[11]["person_id"] = first17 + resident_id_check_digit(first17)
    expected.add(("persons.csv", 13, "person_id", "id.bad_date"))
    # 2: a birth date that does not exist
    persons[2]["birth_date"] = "1992-13-01"
    expected.add(("persons.csv", 4, "birth_date", "registry.import.bad_date"))
    # 8: a region that is not in Shandong's list
    persons[8]["hukou_region"] = "379999"
    expected.add(("persons.csv", 10, "hukou_region", "registry.import.unknown_region"))
    # 6: an education level not in the list
    persons[6]["education"] = "doctorate"
    expected.add(("persons.csv", 8, "education", "registry.import.not_in_enum"))
    # employment spell 3 names an employer that is not registered
    rows["employment_spells"][2]["enterprise_id"] = make_credit_code("370303", "MA3C9999")
    expected.add(("employment_spells.csv", 4, "enterprise_id", "registry.import.dangling_ref"))
    # a certificate number used twice (the copy lands on line 4, the original is line 2)
    rows["skill_certificates"].append(
        dict(rows["skill_certificates"][0], person_id=persons[4]["person_id"])
    )
    expected.add(("skill_certificates.csv", 4, "certificate_id", "registry.import.duplicate_key"))
    # money written with a decimal comma, and with a fraction of a cent
    rows["contributions"][4]["base"] = "4523,37"
    expected.add(("contributions.csv", 6, "base", "registry.import.bad_decimal"))
    rows["contributions"][0]["employee_amount"] = "480.005"
    expected.add(("contributions.csv", 2, "employee_amount", "registry.import.bad_decimal"))
    # a required value left empty
    rows["enterprises"][1]["name"] = ""
    expected.add(("enterprises.csv", 3, "name", "registry.import.required"))
    return rows, expected


def test_broken_rows_are_each_reported_and_nothing_is_imported(
    tmp_path: Path, tiny_rows: Rows, write_source: Any
) -> None:
    rows, expected = _break_rows(tiny_rows)
    source = write_source(tmp_path / "source", rows, "csv")
    # deaths.csv without its "source" column
    lines = (source / "deaths.csv").read_text(encoding="utf-8").splitlines()
    (source / "deaths.csv").write_text(
        "\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n", encoding="utf-8"
    )
    expected.add(("deaths.csv", None, "source", "registry.import.missing_column"))
    target = tmp_path / "registry"

    with pytest.raises(InvalidInput) as exc:
        import_registry(source, target)

    assert exc.value.key == "registry.import_rejected"
    assert _problems(exc) == expected
    assert exc.value.params["count"] == len(expected)
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["source"]
    # every problem names its place in words, with the value that is wrong
    by_reason = {e["reason"]: e for e in exc.value.errors}
    check = by_reason["id.bad_check_digit"]
    assert check["message"].startswith("persons.csv 第 5 行，字段 person_id")
    assert "校验码" in check["message"]
    assert by_reason["registry.import.bad_decimal"]["value"] in {"4523,37", "480.005"}
    dup = by_reason["registry.import.duplicate_key"]
    assert "第 2 行" in dup["message"]
    assert "表头为第 1 行" in exc.value.message()


def test_a_refused_import_leaves_the_existing_registry_intact(
    tmp_path: Path, tiny_rows: Rows, write_source: Any
) -> None:
    target = tmp_path / "registry"
    import_registry(write_source(tmp_path / "good", tiny_rows, "csv"), target)
    before = {p.name: p.read_bytes() for p in target.iterdir() if p.is_file()}

    rows, _ = _break_rows(tiny_rows)
    with pytest.raises(InvalidInput):
        import_registry(write_source(tmp_path / "bad", rows, "csv"), target)

    assert {p.name: p.read_bytes() for p in target.iterdir() if p.is_file()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_parquet_rows_are_numbered_from_one(
    tmp_path: Path, tiny_rows: Rows, write_source: Any
) -> None:
    tiny_rows["persons"][7]["sex"] = "U"
    tiny_rows["licenses"].append(dict(tiny_rows["licenses"][0]))
    with pytest.raises(InvalidInput) as exc:
        import_registry(write_source(tmp_path / "source", tiny_rows, "parquet"), tmp_path / "r")
    assert _problems(exc) == {
        ("persons.parquet", 8, "sex", "registry.import.not_in_enum"),
        ("licenses.parquet", 3, "license_id", "registry.import.duplicate_key"),
    }
    messages = sorted(e["message"] for e in exc.value.errors)
    assert messages[0].startswith("licenses.parquet 第 3 条记录")
    assert "与第 1 条记录相同" in messages[0]
    assert "第 8 条记录" in messages[1]


def test_csv_line_numbers_count_blank_lines_and_line_breaks_in_values(
    tmp_path: Path, tiny_rows: Rows, write_source: Any
) -> None:
    tiny_rows["households"][0]["address"] = "济南市历下区\n泉城路1号"
    tiny_rows["households"][3]["region_code"] = "370000x"
    source = write_source(tmp_path / "source", tiny_rows, "csv")
    path = source / "households.csv"
    lines = path.read_bytes().decode("utf-8").split("\r\n")
    # header (1), row 0 over lines 2–3, a blank line 4, rows 1–2 on lines 5–6,
    # a short line 7, then row 3 on line 8
    lines[2:2] = [""]
    lines[5:5] = ["H0,too,short"]
    path.write_bytes("\r\n".join(lines).encode("utf-8"))

    with pytest.raises(InvalidInput) as exc:
        import_registry(source, tmp_path / "registry")

    assert _problems(exc) == {
        ("households.csv", 7, None, "registry.import.malformed_line"),
        ("households.csv", 8, "region_code", "registry.import.unknown_region"),
    }


def test_identifiers_must_be_stored_in_their_standard_form(
    tmp_path: Path, tiny_rows: Rows, write_source: Any
) -> None:
    tiny_rows["persons"][0]["mobile"] = "+86 138-0013-8000"
    tiny_rows["persons"][1]["mobile"] = "2800138000"
    with pytest.raises(InvalidInput) as exc:
        import_registry(write_source(tmp_path / "s", tiny_rows, "csv"), tmp_path / "r")
    assert _problems(exc) == {
        ("persons.csv", 2, "mobile", "registry.import.not_normalized"),
        ("persons.csv", 3, "mobile", "mobile.bad_format"),
    }
    assert "13800138000" in exc.value.errors[0]["message"]


def test_bad_credit_code_is_reported_with_its_reason(
    tmp_path: Path, tiny_rows: Rows, write_source: Any
) -> None:
    code = tiny_rows["enterprises"][3]["enterprise_id"]
    broken = code[:17] + ("0" if code[17] != "0" else "1")
    tiny_rows["enterprises"][3]["enterprise_id"] = broken
    for table in ("employment_spells",):
        for row in tiny_rows[table]:
            if row["enterprise_id"] == code:
                row["enterprise_id"] = broken
    with pytest.raises(InvalidInput) as exc:
        import_registry(write_source(tmp_path / "s", tiny_rows, "parquet"), tmp_path / "r")
    assert _problems(exc) == {("enterprises.parquet", 4, "enterprise_id", "uscc.bad_check_digit")}


def test_problems_are_listed_up_to_a_cap_and_all_counted(
    tmp_path: Path, tiny_rows: Rows, write_source: Any
) -> None:
    for person in tiny_rows["persons"]:
        person["mobile"] = "12345"
    with pytest.raises(InvalidInput) as exc:
        import_registry(
            write_source(tmp_path / "s", tiny_rows, "csv"), tmp_path / "r", max_listed=5
        )
    assert len(exc.value.errors) == 5
    assert exc.value.params["count"] == len(tiny_rows["persons"])
    assert [e["row"] for e in exc.value.errors] == [2, 3, 4, 5, 6]


def test_files_that_do_not_fit_are_named(
    tmp_path: Path, tiny_rows: Rows, write_source: Any
) -> None:
    source = write_source(tmp_path / "s", tiny_rows, "csv")
    (source / "licenses.csv").unlink()
    write_source(source, tiny_rows, "parquet", ["deaths"])
    text = (source / "persons.csv").read_bytes().decode("utf-8").split("\r\n")
    text[0] += ",nickname"
    text[1:-1] = [line + ",x" for line in text[1:-1]]
    (source / "persons.csv").write_bytes(("\ufeff" + "\r\n".join(text)).encode("utf-8"))

    with pytest.raises(InvalidInput) as exc:
        import_registry(source, tmp_path / "r")

    assert _problems(exc) == {
        ("licenses.parquet / licenses.csv", None, None, "registry.import.missing_table"),
        ("deaths.parquet, deaths.csv", None, None, "registry.import.ambiguous_file"),
        ("persons.csv", None, "nickname", "registry.import.unknown_column"),
    }


def test_messages_follow_the_locale(tmp_path: Path, tiny_rows: Rows, write_source: Any) -> None:
    tiny_rows["persons"][7]["sex"] = "U"
    with pytest.raises(InvalidInput) as exc:
        import_registry(write_source(tmp_path / "s", tiny_rows, "csv"), tmp_path / "r", locale="en")
    assert exc.value.errors[0]["message"] == (
        'persons.csv line 9, field sex: "U" is not an allowed value (allowed: M, F)'
    )


def test_source_must_exist(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as exc:
        import_registry(tmp_path / "nowhere", tmp_path / "r")
    assert exc.value.key == "registry.import.source_missing"
    (tmp_path / "empty").mkdir()
    with pytest.raises(InvalidInput) as exc:
        import_registry(tmp_path / "empty", tmp_path / "r")
    assert exc.value.key == "registry.import.no_files"


@pytest.mark.parametrize(
    "value",
    [
        "13800138000",
        "19912345678",
        "12800138000",
        "1380013800",
        "138001380001",
        "+8613800138000",
        "138 0013 8000",
        "１３８００１３８０００",
        "1380013800x",
        "",
        "10086",
    ],
)
def test_the_mobile_screen_agrees_with_the_kit_check(value: str) -> None:
    """The import screens mobiles with a pattern; rows it passes must be ones the kit accepts."""
    con = duckdb.connect()
    screened = con.execute("SELECT regexp_full_match(?, ?)", [value, _MOBILE_SHAPE]).fetchall()[0][
        0
    ]
    check = validate_mobile(value)
    assert screened == (check.ok and check.normalized == value)
