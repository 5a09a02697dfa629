"""Alembic environment: always runs on a connection handed in by practice_app.storage."""

from __future__ import annotations

from alembic import context

from practice_app.storage.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("practice-app migrations run through practice_app.storage.database")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
