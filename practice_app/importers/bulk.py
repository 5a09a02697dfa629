"""SQLite settings for one large import: a rollback journal and indexes rebuilt at the end.

Both are pure speed-ups for an import much larger than what the database holds; the
transaction stays atomic either way, and both are skipped when they could hurt.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Index, func, select
from sqlalchemy.exc import OperationalError

from practice_app.storage import models as m

BULK_ROWS = 50_000
"""Below this many (estimated) rows the plain path is fast enough."""


@contextmanager
def bulk_mode(conn: Connection, estimated_rows: int) -> Iterator[None]:
    """Write a large import through a rollback journal instead of the WAL.

    In WAL mode every page is written twice (to the log, then at the checkpoint).
    The switch needs the file to ourselves; when another program (the window) has
    it open, the switch fails and the import simply runs in WAL mode. Every new
    connection sets WAL again (storage.engine), so a crash cannot leave it changed.
    """
    if conn.dialect.name != "sqlite" or estimated_rows < BULK_ROWS:
        yield
        return
    switched = False
    try:
        mode = conn.exec_driver_sql("PRAGMA journal_mode=DELETE").scalar()
        switched = str(mode).lower() == "delete"
    except OperationalError:
        switched = False
    if conn.in_transaction():
        conn.commit()
    try:
        yield
    finally:
        if switched:
            if conn.in_transaction():
                conn.rollback()
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
            conn.commit()


def _secondary_indexes() -> list[Index]:
    """The non-unique indexes on session and score (unique ones guard the data; kept)."""
    tables = (m.Session.__table__, m.Score.__table__)
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
    indexes = _secondary_indexes()
    for ix in indexes:
        ix.drop(conn)
    yield
    for ix in indexes:
        ix.create(conn)
