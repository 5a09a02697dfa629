"""Up-to-date practice-app SQLite files read without SQLAlchemy (nor numpy).

SQLAlchemy's import alone costs more than half a second; ``stats`` reads with these,
and ``import`` uses them to start reading its file before the database is open. They
check what storage.engine and storage.database check, through storage.locations (which
loads no SQLAlchemy); tests assert that they agree.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

from practice_app.analysis.instruments import InstrumentDef, parse_instrument
from practice_app.storage import locations


def plain_sqlite_path(target: str | None) -> Path:
    """The file ``--db`` (or $PRACTICE_APP_DB, or the default) names; URLs raise ValueError."""
    target = locations.target_from_environment(target)
    if not target:
        return locations.default_database_path()
    if "://" in target:
        raise ValueError("a database URL, not a file path")
    return Path(target).expanduser().resolve()


def head_revision_from_files() -> str | None:
    """The schema revision this version of the app writes, read from its migration files."""
    heads = locations.head_revisions()
    return heads.pop() if len(heads) == 1 else None


def open_for_reading(target: str | None) -> sqlite3.Connection | None:
    """A connection to an up-to-date practice-app SQLite file, inside a read transaction.

    None whenever the full ``open_database`` is needed instead: a URL, a missing, empty,
    unreadable or unwritable file, something that is not SQLite, or a database at another
    schema revision than this version writes (to be refused or migrated). Nothing is
    written; the caller closes the connection.
    """
    try:
        path = plain_sqlite_path(target)
    except ValueError:
        return None
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return None
        if not (os.access(path, os.R_OK | os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)):
            return None
        with path.open("rb") as fh:
            if fh.read(len(locations.SQLITE_HEADER)) != locations.SQLITE_HEADER:
                return None
        # Read-write open, as storage.engine does: a read-only connection to a WAL file
        # leaves -wal and -shm files behind that it cannot remove.
        con = sqlite3.connect(f"{path.as_uri()}?mode=rw", uri=True, isolation_level=None)
    except (OSError, sqlite3.Error):
        return None
    try:
        con.execute("PRAGMA busy_timeout=5000")
        # One read transaction: the revision check and every later read see one snapshot.
        con.execute("BEGIN")
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        if row is not None and str(row[0]) == head_revision_from_files():
            return con
    except sqlite3.Error:
        pass
    con.close()
    return None


def read_instruments(connection: Any) -> dict[str, InstrumentDef]:
    """Every stored instrument definition keyed by name (as storage.instruments loads them)."""
    cursor = connection.cursor()
    try:
        cursor.execute("SELECT name, definition, builtin FROM instrument")
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return {
        name: parse_instrument(
            json.loads(definition) if isinstance(definition, str) else definition,
            f"instrument {name}",
            builtin=bool(builtin),
        )
        for name, definition, builtin in rows
    }
