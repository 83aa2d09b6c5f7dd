"""``onething``: serve the app, build the demo, migrate, and manage the registry."""

from __future__ import annotations

from typing import Annotated

import typer

import onething.cli.catalog as catalog_cmd
import onething.cli.db as db_cmd
import onething.cli.registry as registry_cmd
import onething.cli.rules as rules_cmd
from onething.cli.common import out
from onething.config import get_settings
from onething.kit.i18n import t
from onething.kit.logging import configure_logging

app = typer.Typer(
    name="onething",
    help="OneThing 一件事一次办 — open-source digital-government platform.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db_cmd.app, name="db")
app.add_typer(catalog_cmd.app, name="catalog")
app.add_typer(registry_cmd.app, name="registry")
app.add_typer(rules_cmd.app, name="rules")


@app.callback()
def _main() -> None:
    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Serve the web app and the API (uvicorn)."""
    import uvicorn

    out.print(t("cli.serving", host=host, port=port))
    uvicorn.run(
        "onething.channels.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
    )


@app.command()
def demo(
    persons: Annotated[
        int | None,
        typer.Option(help="Persons in the demo province (default: ONETHING_DEMO_PERSONS)."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed of the synthetic registry.")] = 1,
) -> None:
    """Set up a demo: migrate the database and build the synthetic province if missing."""
    settings = get_settings()
    db_cmd.upgrade()
    registry_cmd.ensure_demo_registry(
        settings.effective_registry_path, persons or settings.demo_persons, seed
    )
    out.print(t("cli.demo_ready"))


if __name__ == "__main__":  # pragma: no cover
    app()
