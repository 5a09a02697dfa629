"""Find, check and open the database: path or URL resolution, SQLite settings, engines.

The engine is always created here and handed to whoever needs it; nothing keeps
a global one.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from practice_app.errors import UserError
from practice_app.storage.locations import (
    APP_NAME,
    DB_ENV_VAR,
    DEFAULT_DB_FILENAME,
    SQLITE_HEADER,
    default_data_dir,
    default_database_path,
    target_from_environment,
)

__all__ = [
    "APP_NAME",
    "DB_ENV_VAR",
    "DEFAULT_DB_FILENAME",
    "SQLITE_HEADER",
    "DatabaseLocation",
    "default_data_dir",
    "default_database_path",
    "make_engine",
    "resolve_location",
]


@dataclass(frozen=True)
class DatabaseLocation:
    """Where the database is: an SQLAlchemy URL, and the file path when it is SQLite."""

    url: URL
    path: Path | None

    @property
    def label(self) -> str:
        """A short human name for status bars and messages (never shows a password)."""
        if self.path is not None:
            return str(self.path)
        return self.url.render_as_string(hide_password=True)


def resolve_location(target: str | None) -> DatabaseLocation:
    """Turn ``--db`` (or $PRACTICE_APP_DB, or the default) into a checked location."""
    target = target_from_environment(target)
    if not target:
        path = default_database_path()
        return DatabaseLocation(make_url(f"sqlite:///{path}"), path)
    if "://" in target:
        return _location_from_url(target)
    path = Path(target).expanduser().resolve()
    return DatabaseLocation(make_url(f"sqlite:///{path}"), path)


def _location_from_url(text: str) -> DatabaseLocation:
    try:
        url = make_url(text)
        dialect_cls = url.get_dialect()
    except (ArgumentError, NoSuchModuleError, ValueError):
        scheme = text.split("://", 1)[0]
        raise UserError(
            f"unknown database URL scheme '{scheme}' (use a file path, sqlite:///FILE "
            "or postgresql://...)"
        ) from None
    if dialect_cls.name == "sqlite":
        if not url.database or url.database == ":memory:":
            return DatabaseLocation(url, None)
        path = Path(url.database).expanduser().resolve()
        return DatabaseLocation(url.set(database=str(path)), path)
    return DatabaseLocation(url, None)


def check_sqlite_file(path: Path, *, create: bool) -> None:
    """Refuse paths that cannot hold our database, before anything touches the disk."""
    if path.is_dir():
        raise UserError(f"{path} is a directory, not a database file")
    if path.exists():
        if not os.access(path, os.R_OK):
            raise UserError(f"cannot read the database file {path} (permission denied)")
        if path.stat().st_size > 0:
            with path.open("rb") as fh:
                header = fh.read(len(SQLITE_HEADER))
            if header != SQLITE_HEADER:
                raise UserError(f"{path} is not a practice-app database (not an SQLite file)")
        if not os.access(path, os.W_OK):
            raise UserError(f"cannot write to the database file {path} (permission denied)")
        if not os.access(path.parent, os.W_OK | os.X_OK):
            raise UserError(f"cannot write in the folder {path.parent} (needed for the journal)")
        return
    if not create:
        raise UserError(f"no database at {path}")
    parent = path.parent
    if not parent.exists():
        raise UserError(f"the folder {parent} does not exist")
    if not parent.is_dir():
        raise UserError(f"{parent} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UserError(f"cannot create a database in {parent} (permission denied)")


def ensure_default_folder(path: Path) -> None:
    """Create the default data folder privately (0700) when the default database is used."""
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, stat.S_IRWXU)


def create_private_file(path: Path) -> None:
    """Create an empty database file readable by its owner only (0600)."""
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(location: DatabaseLocation) -> Engine:
    """Create an engine for ``location`` with our SQLite settings (WAL, foreign keys)."""
    if location.url.get_backend_name() == "sqlite":
        engine = create_engine(
            location.url, connect_args={"check_same_thread": False}, pool_pre_ping=False
        )
        event.listen(engine, "connect", _sqlite_on_connect)
        return engine
    return create_engine(location.url, pool_pre_ping=True)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return a session factory bound to ``engine`` (objects stay usable after commit)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def read_sqlite_revision(path: Path) -> str | None:
    """Read the Alembic revision of an SQLite file without changing its contents.

    Opened read-write on purpose: a read-only connection to a WAL-mode file creates
    -wal and -shm files that it then cannot remove, leaving the folder changed.
    """
    uri = f"{path.as_uri()}?mode=rw"
    try:
        con = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:
        raise UserError(f"cannot open {path}: {exc}") from None
    try:
        tables = {
            row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        if "alembic_version" not in tables:
            if tables - {"sqlite_sequence"}:
                raise UserError(f"{path} is an SQLite file but not a practice-app database")
            return None
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        return None if row is None else str(row[0])
    except sqlite3.DatabaseError as exc:
        raise UserError(f"{path} is damaged or not a database ({exc})") from None
    finally:
        con.close()
