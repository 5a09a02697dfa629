"""Persistence: models, engine, migrations, queries and backup (no Qt here)."""
