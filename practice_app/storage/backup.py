"""Back up and restore the SQLite database file, safely while the app has it open.

Both use SQLite's online backup API, which copies a consistent snapshot page by
page and writes through the destination's own journal, so a restore into a file
that another connection has open is seen by that connection as one change.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from practice_app.errors import UserError
from practice_app.storage import engine as eng
from practice_app.storage.database import known_revisions, sqlite_backup


def _sqlite_path(target: str | None, action: str) -> Path:
    location = eng.resolve_location(target)
    if location.path is None:
        raise UserError(
            f"{action} works on SQLite database files; {location.label} is a server database "
            "(use its own tools, e.g. pg_dump and pg_restore)"
        )
    return location.path


def backup_database(target: str | None, out: Path) -> Path:
    """Write a consistent copy of the database named by ``target`` to ``out``."""
    path = _sqlite_path(target, "backup")
    if not path.exists() or path.stat().st_size == 0:
        raise UserError(f"no database at {path} to back up")
    eng.check_sqlite_file(path, create=False)
    eng.read_sqlite_revision(path)  # refuses a file that is not ours
    out = out.expanduser().resolve()
    if out == path:
        raise UserError(f"{out} is the database itself; choose another file")
    if out.exists():
        raise UserError(f"{out} exists; choose a new file name (nothing was overwritten)")
    if not out.parent.is_dir():
        raise UserError(f"the folder {out.parent} does not exist")
    try:
        sqlite_backup(path, out)
    except sqlite3.Error as exc:
        out.unlink(missing_ok=True)
        raise UserError(f"cannot back up {path}: {exc}") from None
    except OSError as exc:
        raise UserError(f"cannot write {out}: {exc.strerror}") from None
    return out


@dataclass(frozen=True)
class BackupCheck:
    """What a backup file holds, once checked."""

    path: Path
    revision: str


def check_backup(source: Path) -> BackupCheck:
    """Check a file before restoring it: SQLite header, integrity, a schema revision we know."""
    if not source.is_file():
        raise UserError(f"{source}: no such file")
    with source.open("rb") as fh:
        header = fh.read(len(eng.SQLITE_HEADER))
    if header != eng.SQLITE_HEADER:
        raise UserError(f"{source}: not an SQLite database file (nothing was restored)")
    try:
        con = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise UserError(f"{source}: cannot open ({exc})") from None
    try:
        result = [row[0] for row in con.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            raise UserError(f"{source}: the file is damaged ({'; '.join(result[:3])})")
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "alembic_version" not in tables:
            raise UserError(f"{source}: an SQLite file, but not a practice-app database")
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise UserError(f"{source}: damaged or not a database ({exc})") from None
    finally:
        con.close()
    if row is None:
        raise UserError(f"{source}: the database has no schema version")
    revision = str(row[0])
    if revision not in known_revisions():
        raise UserError(
            f"{source}: written by a newer version of practice-app (schema {revision}); "
            "update the app to restore it"
        )
    return BackupCheck(source, revision)


def restore_database(target: str | None, source: Path) -> Path | None:
    """Replace the database with ``source`` after checking it; return the copy of the old one."""
    path = _sqlite_path(target, "restore")
    source = source.expanduser().resolve()
    check_backup(source)
    if source == path:
        raise UserError(f"{source} is the database itself")
    kept: Path | None = None
    if path.exists() and path.stat().st_size > 0:
        eng.check_sqlite_file(path, create=False)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        kept = path.with_name(f"{path.name}.before-restore-{stamp}.bak")
        n = 1
        while kept.exists():
            n += 1
            kept = path.with_name(f"{path.name}.before-restore-{stamp}-{n}.bak")
        sqlite_backup(path, kept)
    else:
        eng.check_sqlite_file(path, create=True)
        if not path.exists():
            eng.create_private_file(path)
    src = sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(path, timeout=5)
        try:
            src.backup(dst)
        except sqlite3.OperationalError as exc:
            raise UserError(
                f"cannot restore into {path} ({exc}); close other programs using it and retry"
            ) from None
        finally:
            dst.close()
    finally:
        src.close()
    return kept
