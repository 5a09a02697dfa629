"""What counts as the user's data: whether a database holds any, and clearing it.

Kept in storage (not in the demo package) so the window can ask "is this database
empty?" at start-up without importing the demo generator.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, delete, exists, select

from practice_app.storage.database import Database
from practice_app.storage.models import (
    Base,
    ClientLesson,
    Episode,
    Instrument,
    PracticeEntry,
    Session,
    WeeklyReview,
)

KEPT_TABLES = frozenset({Instrument.__tablename__})
"""Tables clear_user_data leaves alone: instrument definitions are not user data."""
CONTENT_TABLES: tuple[Any, ...] = (Episode, Session, PracticeEntry, WeeklyReview, ClientLesson)


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def database_is_empty(db: Database) -> bool:
    """Whether the database holds no episodes, sessions, practice entries, reviews or lessons."""
    with db.engine.connect() as conn:
        return is_empty(conn)


def is_empty(conn: Connection) -> bool:
    """The same check on an open connection (inside a caller's transaction)."""
    return not any(conn.scalar(select(exists().select_from(_table(m)))) for m in CONTENT_TABLES)


def clear_user_data(db: Database) -> None:
    """Delete every user row (clients, episodes, practice, reviews...) in one transaction."""
    with db.engine.begin() as conn:
        clear(conn)


def clear(conn: Connection) -> None:
    """Delete every user row on an open connection (the caller's transaction)."""
    # Children first, so the delete order never trips a foreign key.
    for table in reversed(Base.metadata.sorted_tables):
        if table.name not in KEPT_TABLES:
            conn.execute(delete(table))
