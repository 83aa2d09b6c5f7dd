"""The registry's tables, read from the data catalog ``data/registry/tables.yaml``.

One declaration drives the Parquet schemas, the DuckDB DDL, the PostgreSQL tables,
the import checks and the published catalog, so they cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import pyarrow as pa
import yaml

_DECIMAL = re.compile(r"^decimal\((\d+),(\d+)\)$")
SIMPLE_TYPES = ("text", "int", "bool", "date", "timestamp")


@dataclass(frozen=True, slots=True)
class Field:
    """One column of a registry table."""

    name: str
    type: str
    title: str
    description: str
    key: bool = False
    nullable: bool = False
    ref: str | None = None
    check: str | None = None
    enum: tuple[str, ...] | None = None

    @property
    def decimal(self) -> tuple[int, int] | None:
        m = _DECIMAL.match(self.type)
        return (int(m.group(1)), int(m.group(2))) if m else None

    @property
    def ref_table(self) -> str | None:
        return self.ref.split(".", 1)[0] if self.ref else None

    @property
    def ref_field(self) -> str | None:
        return self.ref.split(".", 1)[1] if self.ref else None

    def arrow_type(self) -> pa.DataType:
        if (dec := self.decimal) is not None:
            return pa.decimal128(*dec)
        return {
            "text": pa.string(),
            "int": pa.int64(),
            "bool": pa.bool_(),
            "date": pa.date32(),
            "timestamp": pa.timestamp("us"),
        }[self.type]

    def sql_type(self) -> str:
        """Type name valid in both DuckDB and PostgreSQL."""
        if (dec := self.decimal) is not None:
            return f"DECIMAL({dec[0]},{dec[1]})"
        return {
            "text": "VARCHAR",
            "int": "BIGINT",
            "bool": "BOOLEAN",
            "date": "DATE",
            "timestamp": "TIMESTAMP",
        }[self.type]


@dataclass(frozen=True, slots=True)
class Table:
    """One registry table with its catalog entry."""

    name: str
    title: str
    description: str
    owner: str
    frequency: str
    fields: tuple[Field, ...]

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.key)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"table {self.name} has no field {name!r}")

    def arrow_schema(self) -> pa.Schema:
        return pa.schema(
            [pa.field(f.name, f.arrow_type(), nullable=f.nullable) for f in self.fields]
        )

    def create_sql(self, *, qualified_name: str | None = None) -> str:
        """``CREATE TABLE`` accepted by DuckDB and PostgreSQL alike.

        Identifiers come from the shipped catalog, never from user input.
        """
        cols = [
            f'"{f.name}" {f.sql_type()}{"" if f.nullable else " NOT NULL"}' for f in self.fields
        ]
        name = qualified_name or f'"{self.name}"'
        return f"CREATE TABLE {name} ({', '.join(cols)})"

    def catalog_entry(self) -> dict[str, Any]:
        return {
            "table": self.name,
            "title": self.title,
            "description": self.description,
            "owner": self.owner,
            "update_frequency": self.frequency,
            "primary_key": list(self.key),
            "fields": [
                {
                    "name": f.name,
                    "title": f.title,
                    "type": f.type,
                    "nullable": f.nullable,
                    "description": f.description,
                    **({"references": f.ref} if f.ref else {}),
                    **({"check": f.check} if f.check else {}),
                    **({"allowed_values": list(f.enum)} if f.enum else {}),
                }
                for f in self.fields
            ],
        }


def _parse(name: str, raw: dict[str, Any]) -> Table:
    fields = []
    for fname, spec in raw["fields"].items():
        ftype = str(spec["type"])
        if ftype not in SIMPLE_TYPES and not _DECIMAL.match(ftype):
            raise ValueError(f"registry table {name}.{fname}: unknown type {ftype!r}")
        fields.append(
            Field(
                name=fname,
                type=ftype,
                title=str(spec.get("title", fname)),
                description=str(spec.get("description", "")),
                key=bool(spec.get("key", False)),
                nullable=bool(spec.get("nullable", False)),
                ref=spec.get("ref"),
                check=spec.get("check"),
                enum=tuple(str(v) for v in spec["enum"]) if "enum" in spec else None,
            )
        )
    return Table(
        name=name,
        title=str(raw["title"]),
        description=str(raw["description"]),
        owner=str(raw["owner"]),
        frequency=str(raw["frequency"]),
        fields=tuple(fields),
    )


@cache
def tables() -> dict[str, Table]:
    """All registry tables, in catalog order."""
    text = (resources.files("onething") / "data" / "registry" / "tables.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)
    parsed = {name: _parse(name, spec) for name, spec in raw.items()}
    for t in parsed.values():
        for f in t.fields:
            if f.ref and (
                f.ref_table not in parsed or f.ref_field not in parsed[f.ref_table].columns
            ):
                raise ValueError(f"registry table {t.name}.{f.name}: dangling ref {f.ref}")
    return parsed


def table(name: str) -> Table:
    return tables()[name]


def catalog() -> dict[str, Any]:
    """The published data catalog (数据目录) of the registry."""
    return {
        "catalog": "OneThing registry",
        "title": "人口与法人数据底座目录",
        "tables": [t.catalog_entry() for t in tables().values()],
    }
