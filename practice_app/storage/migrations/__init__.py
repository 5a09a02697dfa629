"""Alembic migrations for the practice-app schema."""
