"""Alembic environment: migrates the URL set on the config (see ``onething.migrations``)."""

from __future__ import annotations

from alembic import context

import onething.models  # noqa: F401  (registers every table)
from onething.kit.db import Base, make_engine

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url, "onething.migrations sets sqlalchemy.url"

if context.is_offline_mode():
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
