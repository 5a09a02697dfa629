"""Bulk mode for large SQLite imports: foreign keys checked once, settings always restored."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from conftest import OPENFIT_HEADER, openfit_row, write_csv
from import_helpers import dump, stored
from sqlalchemy import text

from practice_app.importers import bulk
from practice_app.importers.bulk import BULK_ROWS, ForeignKeyError, bulk_mode
from practice_app.importers.importer import ImportOptions, ImportRefused, import_path
from practice_app.progress import Cancelled, Progress
from practice_app.storage.database import Database, open_database


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


def _history(tmp_path: Path, name: str, clients: range, sessions: int) -> Path:
    """Clients with dated sessions: some long over (closed as inactive), some current."""
    rows = [OPENFIT_HEADER]
    for c in clients:
        year = 2020 + c % 6
        for s in range(1, sessions + 1):
            row = openfit_row(f"C{c}", s, f"{year}-0{1 + s % 9}-1{c % 10}", case=f"K{c}")
            row[OPENFIT_HEADER.index("Case_Date")] = f"{year}-01-0{1 + c % 9}" if c % 3 else ""
            if c % 7 == 0 and s == 2:
                row[OPENFIT_HEADER.index("Session_Date")] = ""  # a session without a date
            rows.append(row)
    return write_csv(tmp_path / name, rows)


def test_a_bulk_import_stores_what_a_small_one_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _history(tmp_path, "first.csv", range(0, 40), 3)
    later = _history(tmp_path, "later.csv", range(20, 60), 5)  # more sessions, new clients
    options = ImportOptions(batch_size=17, today=dt.date(2025, 6, 1))
    stores = []
    for bulk_rows in (10**9, 0):  # row by row checks; everything in bulk mode
        monkeypatch.setattr(bulk, "BULK_ROWS", bulk_rows)
        db = open_database(str(tmp_path / f"bulk-{bulk_rows}.sqlite3"))
        import_path(db, first, options)
        import_path(db, later, options)
        db.dispose()
        assert db.location.path is not None
        stores.append(stored(db.location.path))
    assert stores[0] == stores[1]
    episodes = stores[0][3]
    assert any(reason == "inactive" for *_rest, reason in episodes)
    assert any(reason is None for *_rest, reason in episodes)


def _schema(path: Path) -> set[tuple[str, str]]:
    con = sqlite3.connect(path)
    try:
        return set(con.execute("SELECT type, name FROM sqlite_master").fetchall())
    finally:
        con.close()


@pytest.mark.parametrize("how", ["refused", "dry run", "cancelled"])
def test_a_bulk_import_that_writes_nothing_keeps_every_index(
    db: Database, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    monkeypatch.setattr(bulk, "BULK_ROWS", 0)  # bulk mode: indexes dropped and built again
    import_path(db, _history(tmp_path, "first.csv", range(0, 10), 2), ImportOptions())
    schema, before = _schema(db_path), dump(db_path)
    assert ("index", "ix_session_date") in schema and ("index", "ix_episode_client") in schema
    path = _history(tmp_path, "more.csv", range(5, 30), 4)
    options, progress = ImportOptions(batch_size=10), None
    if how == "refused":
        rows = path.read_text().splitlines()
        rows[5] = rows[5].replace(",5,", ",55,", 1)  # an ORS item out of range
        path.write_text("\n".join(rows) + "\n")
    elif how == "dry run":
        options = ImportOptions(batch_size=10, dry_run=True)
    else:
        progress = Progress()
        progress.subscribe(lambda done, total, message: progress.cancel())
    if how == "dry run":
        assert import_path(db, path, options, progress).new_sessions > 0
    else:
        with pytest.raises(ImportRefused if how == "refused" else Cancelled):
            import_path(db, path, options, progress)
    assert _schema(db_path) == schema
    assert dump(db_path) == before
