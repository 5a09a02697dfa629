"""Open a practice-app database: check it, back it up, migrate it, hand out sessions."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from practice_app.errors import AppError, UserError
from practice_app.storage import engine as eng
from practice_app.storage import locations
from practice_app.storage.instruments import sync_builtin_instruments
from practice_app.storage.models import Base

if TYPE_CHECKING:
    from alembic.config import Config


@dataclass
class Database:
    """An open database: its location, engine and session factory."""

    location: eng.DatabaseLocation
    engine: Engine
    sessions: sessionmaker[Session]
    backup_path: Path | None = None
    """The copy made before a migration on this open, if one was made."""

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Yield a session that commits on success and rolls back on any error."""
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        """Close every pooled connection (lets SQLite remove its WAL files)."""
        self.engine.dispose()


def alembic_config() -> Config:
    """Return an Alembic config pointing at the packaged migrations."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(locations.MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """Return the schema revision this version of the app writes."""
    heads = locations.head_revisions()
    if len(heads) != 1:
        raise AppError("the app's database migrations are broken; reinstall practice-app")
    return heads.pop()


def known_revisions() -> set[str]:
    """Return every revision this version of the app knows."""
    return set(locations.revision_graph())


def _refuse_newer(revision: str, label: str) -> None:
    if revision not in known_revisions():
        raise UserError(
            f"{label} was written by a newer version of practice-app (schema {revision}); "
            "update the app to open it"
        )


def open_database(target: str | None = None, *, create: bool = True) -> Database:
    """Open (creating if allowed) and migrate the database named by ``target``.

    Every check runs before anything is written: a directory, an unreadable or
    foreign file, or a database from a newer version is refused with a UserError
    and the disk is left as it was.
    """
    location = eng.resolve_location(target)
    revision: str | None = None
    is_new = False
    if location.path is not None:
        path = location.path
        if target is None and not path.exists():
            eng.ensure_default_folder(path)
        eng.check_sqlite_file(path, create=create)
        if path.exists() and path.stat().st_size > 0:
            revision = eng.read_sqlite_revision(path)
            if revision is not None:
                _refuse_newer(revision, str(path))
        else:
            is_new = not path.exists()
            if is_new:
                eng.create_private_file(path)
    engine = eng.make_engine(location)
    try:
        if location.path is None:
            revision = _server_revision(engine, location.label)
        backup = None
        if revision != head_revision():
            if revision is not None and location.path is not None:
                backup = backup_before_migration(location.path, revision)
            _upgrade(engine)
        sessions = eng.make_session_factory(engine)
        with sessions.begin() as session:
            sync_builtin_instruments(session)
            restore_missing_indexes(session)
    except SQLAlchemyError as exc:
        engine.dispose()
        if is_new and location.path is not None:
            location.path.unlink(missing_ok=True)
        raise AppError(f"cannot open the database {location.label}: {_first_line(exc)}") from None
    except BaseException:
        engine.dispose()
        raise
    return Database(location, engine, sessions, backup)


def restore_missing_indexes(session: Session) -> None:
    """Build any index of the schema the database lacks (one query when none is missing).

    Earlier builds of the importer left a database without the indexes a large import
    drops while it writes, when that import wrote nothing (refused, dry run, cancelled):
    the data was whole, but screens over it slow. Opening such a database repairs it.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    present = {
        name
        for (name,) in connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index'"
        )
    }
    for table in Base.metadata.sorted_tables:
        for index in table.indexes:
            if index.name not in present:
                index.create(connection)


def _server_revision(engine: Engine, label: str) -> str | None:
    from alembic.runtime.migration import MigrationContext

    try:
        with engine.connect() as connection:
            revision = MigrationContext.configure(connection).get_current_revision()
            if revision is None and inspect(connection).get_table_names():
                raise UserError(f"{label} holds tables but is not a practice-app database")
    except OperationalError as exc:
        raise AppError(f"cannot connect to {label}: {_first_line(exc)}") from None
    if revision is not None:
        _refuse_newer(revision, label)
    return revision


def _upgrade(engine: Engine) -> None:
    from alembic import command

    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def backup_before_migration(path: Path, revision: str) -> Path:
    """Copy the SQLite file (consistently, via the backup API) before migrating it."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.name}.before-migration-{revision}-{stamp}.bak")
    sqlite_backup(path, backup)
    return backup


def sqlite_backup(source: Path, destination: Path) -> None:
    """Write a consistent copy of an SQLite database, even while it is in use (mode 0600)."""
    eng.create_private_file(destination)
    # Read-write open, so a WAL-mode source is not left with -wal/-shm files (see engine).
    src = sqlite3.connect(f"{source.as_uri()}?mode=rw", uri=True)
    try:
        dst = sqlite3.connect(destination)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__
