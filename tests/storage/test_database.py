"""Opening the database: privacy of new files, SQLite settings, refusals that change nothing."""

from __future__ import annotations

import os
import sqlite3
import stat
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from practice_app.errors import UserError
from practice_app.storage import engine as eng
from practice_app.storage.database import (
    Database,
    backup_before_migration,
    head_revision,
    open_database,
    sqlite_backup,
)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every entry of a folder with its bytes (None for sub-folders)."""
    return {p.name: (None if p.is_dir() else p.read_bytes()) for p in sorted(folder.iterdir())}


def _open(path: Path) -> Database:
    return open_database(str(path))


def test_new_file_is_private_and_migrated_to_head(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    db = _open(path)
    try:
        assert _mode(path) == 0o600
        with db.engine.connect() as con:
            version = con.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        assert version == head_revision()
        assert db.backup_path is None  # nothing to back up in a new file
        assert db.location.path == path.resolve()
    finally:
        db.dispose()


@pytest.mark.skipif(sys.platform != "linux", reason="XDG_DATA_HOME is how platformdirs is steered")
def test_default_database_lives_in_a_private_user_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # platformdirs on Linux: $XDG_DATA_HOME/<app>, else ~/.local/share/<app>.
    monkeypatch.delenv(eng.DB_ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    db = open_database(None)
    try:
        expected = tmp_path / "xdg" / "practice-app" / "practice.sqlite3"
        assert db.location.path == expected
        assert expected.is_file()
        assert _mode(expected) == 0o600
        assert _mode(expected.parent) == 0o700
    finally:
        db.dispose()


def test_environment_variable_names_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "from-env.sqlite3"
    monkeypatch.setenv(eng.DB_ENV_VAR, str(target))
    db = open_database(None)
    try:
        assert db.location.path == target.resolve()
        assert target.is_file()
    finally:
        db.dispose()


def test_sqlite_url_is_accepted(tmp_path: Path) -> None:
    target = tmp_path / "by-url.sqlite3"
    db = open_database(f"sqlite:///{target}")
    try:
        assert db.location.path == target.resolve()
        assert _mode(target) == 0o600
    finally:
        db.dispose()


def test_wal_and_foreign_keys_are_on(tmp_path: Path) -> None:
    db = _open(tmp_path / "p.sqlite3")
    try:
        with db.engine.connect() as con:
            assert con.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert con.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        db.dispose()


def test_reopening_at_head_makes_no_backup(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    _open(path).dispose()
    db = _open(path)
    try:
        assert db.backup_path is None
        assert sorted(p.name for p in tmp_path.iterdir() if ".bak" in p.name) == []
    finally:
        db.dispose()


def _assert_refused(target: str, folder: Path, expected: str) -> str:
    """Open ``target``, expect a one-line UserError, and check ``folder`` is unchanged."""
    before = _snapshot(folder)
    with pytest.raises(UserError) as info:
        open_database(target)
    message = str(info.value)
    assert "\n" not in message
    assert expected in message
    assert _snapshot(folder) == before  # same names, same bytes: no -wal, -shm or backup
    return message


def test_a_directory_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "some-folder"
    folder.mkdir()
    (folder / "inside.txt").write_text("keep me")
    _assert_refused(str(folder), tmp_path, "is a directory")
    assert _snapshot(folder) == {"inside.txt": b"keep me"}


def test_a_corrupt_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"these are my private notes, not a database\n" * 50)
    _assert_refused(str(path), tmp_path, "not an SQLite file")


def test_a_damaged_sqlite_file_is_refused(tmp_path: Path) -> None:
    # A real SQLite header followed by garbage: passes the header check, fails on reading.
    path = tmp_path / "damaged.sqlite3"
    path.write_bytes(eng.SQLITE_HEADER + b"\xff" * 4000)
    _assert_refused(str(path), tmp_path, "damaged.sqlite3")


def test_another_apps_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE recipes (name TEXT)")
    con.execute("INSERT INTO recipes VALUES ('soup')")
    con.commit()
    con.close()
    _assert_refused(str(path), tmp_path, "not a practice-app database")


def test_an_unknown_url_scheme_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    message = _assert_refused("foo://x", tmp_path, "unknown database URL scheme 'foo'")
    assert "foo" in message


def test_a_missing_folder_is_refused(tmp_path: Path) -> None:
    _assert_refused(str(tmp_path / "nowhere" / "p.sqlite3"), tmp_path, "does not exist")


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can write to any file"
)
def test_an_unwritable_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    _open(path).dispose()
    path.chmod(0o400)
    try:
        _assert_refused(str(path), tmp_path, "permission denied")
    finally:
        path.chmod(0o600)


def test_a_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    _open(path).dispose()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '9999_future'")
    con.commit()
    con.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["future.sqlite3"]
    message = _assert_refused(str(path), tmp_path, "newer version of practice-app")
    assert "9999_future" in message


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_backup_before_migration_copies_the_file_privately(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    db = _open(path)
    with db.session() as session:
        session.execute(text("INSERT INTO client (code) VALUES ('C1')"))
    db.dispose()
    backup = backup_before_migration(path, "0001_example")
    assert backup.parent == tmp_path
    assert backup.name.startswith("p.sqlite3.before-migration-0001_example-")
    assert backup.name.endswith(".bak")
    assert _mode(backup) == 0o600
    assert _rows(backup, "SELECT code FROM client") == [("C1",)]
    assert _rows(backup, "SELECT version_num FROM alembic_version") == [(head_revision(),)]


def test_sqlite_backup_is_consistent_during_an_open_write_transaction(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    _open(path).dispose()
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("PRAGMA journal_mode=WAL")
        writer.execute("INSERT INTO client (code) VALUES ('committed')")
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO client (code) VALUES ('uncommitted')")
        copy = tmp_path / "copy.sqlite3"
        sqlite_backup(path, copy)  # must neither block nor see the open transaction
        writer.execute("COMMIT")
    finally:
        writer.close()
    assert _rows(copy, "SELECT code FROM client ORDER BY id") == [("committed",)]
    assert _rows(copy, "PRAGMA integrity_check") == [("ok",)]
    assert _rows(path, "SELECT code FROM client ORDER BY id") == [
        ("committed",),
        ("uncommitted",),
    ]


def test_sqlite_backup_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    _open(path).dispose()
    existing = tmp_path / "existing.bak"
    existing.write_bytes(b"an older backup")
    with pytest.raises(FileExistsError):
        sqlite_backup(path, existing)
    assert existing.read_bytes() == b"an older backup"


def test_opening_a_database_builds_the_indexes_it_lacks(tmp_path: Path) -> None:
    path = tmp_path / "lost.sqlite3"
    open_database(str(path)).dispose()
    con = sqlite3.connect(path)
    names = {n for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    con.execute("DROP INDEX ix_session_date")
    con.execute("DROP INDEX ix_episode_therapist_end")
    con.commit()
    con.close()
    open_database(str(path)).dispose()
    con = sqlite3.connect(path)
    again = {n for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    con.close()
    assert again == names
