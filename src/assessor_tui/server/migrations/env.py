"""Alembic environment: always given a connection by `assessor_tui.server.db.migrate`."""

from __future__ import annotations

from alembic import context

from assessor_tui.server.db import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata)
context.run_migrations()
