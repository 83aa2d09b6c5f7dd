"""``onething db``: operational-database migrations."""

from __future__ import annotations

from typing import Annotated

import typer

from onething import migrations
from onething.cli.common import out
from onething.config import get_settings
from onething.kit.i18n import t

app = typer.Typer(help="Operational database (业务数据库).", no_args_is_help=True)


@app.command("upgrade")
def upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Migrate the operational database (ONETHING_DATABASE_URL, default SQLite) to REVISION."""
    url = get_settings().effective_database_url
    migrations.upgrade(url, revision)
    out.print(t("cli.db_upgraded", url=_redact(url)))


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
