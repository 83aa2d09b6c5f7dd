"""Settings, read from ``ONETHING_*`` environment variables (and ``.env``).

Every setting is declared and documented here; nothing else reads the environment.
"""

from __future__ import annotations

from datetime import date, time
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_home() -> Path:
    return Path.cwd() / "var"


class Settings(BaseSettings):
    """Process-wide configuration. Override any field with ``ONETHING_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="ONETHING_", env_file=".env", extra="ignore")

    home: Path = Field(
        default_factory=_default_home,
        description="Folder for the embedded databases, the demo registry and uploads.",
    )
    database_url: str = Field(
        default="",
        description=(
            "SQLAlchemy URL of the operational database (cases, catalog, audit). "
            "Empty means an embedded SQLite file under HOME. "
            "Production: postgresql+psycopg://user:pass@host/db"
        ),
    )
    registry_path: Path | None = Field(
        default=None,
        description="Registry folder (Parquet files + registry.duckdb). Default: HOME/registry.",
    )
    calendar_overrides: Path | None = Field(
        default=None,
        description=(
            "YAML file of official holidays and make-up working days (调休) for years the "
            "chinese-calendar package does not know yet. Default: the file shipped with "
            "the package (onething/data/calendar/overrides.yaml)."
        ),
    )
    rules_guards: bool = Field(
        default=True,
        description=(
            "Check a matter's applicant with the rule packs the matter names (guards: "
            "事前 at submission, 事中 while handled) on the registry. Off: no rules guards."
        ),
    )
    guards_registry_url: str | None = Field(
        default=None,
        description=(
            "PostgreSQL database the rules guards read the registry from, filled by "
            "``onething registry load DIR --into URL`` (postgresql:// or "
            "postgresql+psycopg://; single-person checks answer in milliseconds there). "
            "Unset: the DuckDB file of the registry folder (REGISTRY_PATH). A database "
            "that cannot be reached, or holds no loaded registry, refuses guarded steps (503)."
        ),
    )
    guards_registry_schema: str = Field(
        default="registry",
        pattern=r"^[a-z_][a-z0-9_]{0,62}$",
        description="Schema of GUARDS_REGISTRY_URL holding the registry (``load --schema``).",
    )
    packs_path: Path | None = Field(
        default=None,
        description="Folder of rule packs. Default: the packs shipped in onething.content.",
    )
    catalog_path: Path | None = Field(
        default=None,
        description="Folder of the service catalog. Default: the one shipped in onething.content.",
    )
    office_morning_start: time = Field(default=time(9, 0), description="Office hours, morning.")
    office_morning_end: time = Field(default=time(12, 0))
    office_afternoon_start: time = Field(default=time(13, 30))
    office_afternoon_end: time = Field(default=time(17, 30))
    today: date | None = Field(
        default=None, description="Pin 'today' (demos, reproducible runs). Default: the clock."
    )
    log_level: str = Field(default="INFO")
    log_json: bool = Field(default=False, description="Emit logs as JSON lines.")
    demo_persons: int = Field(default=200_000, description="Size of the `make run` demo province.")
    dev_tokens: bool = Field(
        default=True,
        description=(
            "Accept development bearer tokens (``Authorization: Bearer dev.<role>.<person>"
            "[.<department>[.<region>]]``) on the API, until real authentication replaces "
            "them. Turn off on any server reachable by others."
        ),
    )
    upload_max_bytes: int = Field(
        default=10 * 1024 * 1024,
        gt=0,
        description="Largest material file accepted on upload (bytes; default 10 MiB).",
    )

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home / 'onething.sqlite3'}"

    @property
    def effective_registry_path(self) -> Path:
        return self.registry_path or (self.home / "registry")

    @property
    def uploads_path(self) -> Path:
        """Where uploaded materials are kept, by content hash: HOME/uploads."""
        return self.home / "uploads"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process (cached; tests clear the cache to change them)."""
    return Settings()
