"""SQLite settings for one large import: a rollback journal, foreign keys checked once at
the end, and indexes rebuilt at the end.

All are pure speed-ups for an import much larger than what the database holds; the
transaction stays atomic either way, and they are skipped when they could hurt.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Index, func, select
from sqlalchemy.exc import OperationalError

from practice_app.storage import models as m

BULK_ROWS = 50_000
"""Below this many (estimated) rows the plain path is fast enough."""


class ForeignKeyError(RuntimeError):
    """The rows written would break a foreign key (a bug: the import assigns every id)."""


@dataclass
class BulkMode:
    """What ``bulk_mode`` changed for the import running inside it."""

    foreign_keys_deferred: bool = False

    def check(self, conn: Connection) -> None:
        """Before the commit: refuse (ForeignKeyError) rows that break a foreign key.

        With the per-row checks off, one ``foreign_key_check`` over the finished
        tables (a few hundredths of a second for 900,000 rows) keeps the guarantee.
        """
        if not self.foreign_keys_deferred:
            return
        bad = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchmany(5)
        if bad:
            found = ", ".join(f"{table} row {rowid} -> {parent}" for table, rowid, parent, _ in bad)
            raise ForeignKeyError(f"the import would break foreign keys ({found})")


@contextmanager
def bulk_mode(conn: Connection, estimated_rows: int) -> Iterator[BulkMode]:
    """Write a large import through a rollback journal instead of the WAL.

    In WAL mode every page is written twice (to the log, then at the checkpoint).
    The switch needs the file to ourselves; when another program (the window) has
    it open, the switch fails and the import simply runs in WAL mode. Every new
    connection sets WAL again (storage.engine), so a crash cannot leave it changed.
    With the file ours, foreign keys are checked once before the commit
    (``BulkMode.check``) instead of on every row (a sixth of SQLite's insert time).
    """
    state = BulkMode()
    if conn.dialect.name != "sqlite" or estimated_rows < BULK_ROWS:
        yield state
        return
    switched = False
    try:
        mode = conn.exec_driver_sql("PRAGMA journal_mode=DELETE").scalar()
        switched = str(mode).lower() == "delete"
    except OperationalError:
        switched = False
    if switched:
        # Only outside a transaction does SQLite change this setting.
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        state.foreign_keys_deferred = True
    if conn.in_transaction():
        conn.commit()
    try:
        yield state
    finally:
        if switched:
            if conn.in_transaction():
                conn.rollback()
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
            conn.commit()


def _secondary_indexes() -> list[Index]:
    """The non-unique indexes on episode, session and score (unique ones guard the data;
    kept). Built again at the end, each is one sort instead of a random insert per row."""
    tables = (m.Episode.__table__, m.Session.__table__, m.Score.__table__)
    return [ix for t in tables for ix in t.indexes if not ix.unique]  # type: ignore[attr-defined]


@contextmanager
def rebuilt_indexes(conn: Connection, estimated_rows: int) -> Iterator[None]:
    """Drop the secondary indexes for a large import into a small table; rebuild them after.

    Inside the caller's transaction: a rollback brings the indexes back with the data.
    """
    if conn.dialect.name != "sqlite" or estimated_rows < BULK_ROWS:
        yield
        return
    existing = conn.execute(select(func.count()).select_from(m.Session.__table__)).scalar_one()
    if existing > estimated_rows:
        yield
        return
    # The sqlite3 module opens a transaction only before INSERT, UPDATE or DELETE: a
    # DROP INDEX before the first of them would be committed at once, and a refused
    # import, a dry run or a crash would leave the database without its indexes.
    begin_sqlite_transaction(conn)
    indexes = _secondary_indexes()
    for ix in indexes:
        ix.drop(conn)
    yield
    for ix in indexes:
        ix.create(conn)


def begin_sqlite_transaction(conn: Connection) -> None:
    """Open the SQLite transaction now, so that DDL that follows is part of it."""
    dbapi = conn.connection.driver_connection
    if not getattr(dbapi, "in_transaction", True):
        conn.exec_driver_sql("BEGIN")
