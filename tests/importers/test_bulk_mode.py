"""Bulk mode for large SQLite imports: foreign keys checked once, settings always restored."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from practice_app.importers.bulk import BULK_ROWS, ForeignKeyError, bulk_mode
from practice_app.storage.database import Database


def _settings(db: Database) -> tuple[int, str]:
    with db.engine.connect() as conn:
        keys = conn.exec_driver_sql("PRAGMA foreign_keys").scalar()
        journal = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
    return int(keys or 0), str(journal).lower()


def test_a_broken_foreign_key_is_refused_and_the_settings_come_back(db: Database) -> None:
    assert _settings(db) == (1, "wal")
    with (
        db.engine.connect() as conn,
        pytest.raises(ForeignKeyError, match="session"),
        bulk_mode(conn, BULK_ROWS) as bulk,
    ):
        assert bulk.foreign_keys_deferred
        # A session of an episode that does not exist: accepted row by row while the
        # checks are deferred, refused by the check before the commit.
        conn.execute(text("INSERT INTO session (episode_id, number) VALUES (999, 1)"))
        bulk.check(conn)
        conn.commit()
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM session").scalar() == 0
        # The pooled connection that ran the import checks keys again.
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert _settings(db) == (1, "wal")


def test_small_imports_keep_row_by_row_checks(db: Database) -> None:
    with db.engine.connect() as conn, bulk_mode(conn, BULK_ROWS - 1) as bulk:
        assert not bulk.foreign_keys_deferred
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
