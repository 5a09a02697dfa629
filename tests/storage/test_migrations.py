"""Migrations: the light revision reader agrees with Alembic; a real upgrade backs up first."""

from __future__ import annotations

import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text

from practice_app.storage import database, locations
from practice_app.storage.database import alembic_config, head_revision, open_database

REAL_MIGRATIONS = locations.MIGRATIONS_DIR

NEXT_MIGRATION = '''"""add a column, as a later version would"""

import sqlalchemy as sa
from alembic import op

revision = "0099"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("therapist") as batch:
        batch.add_column(sa.Column("pronouns", sa.String(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("therapist") as batch:
        batch.drop_column("pronouns")
'''


def test_revision_reader_agrees_with_alembic() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert head_revision() == script.get_current_head()
    assert database.known_revisions() == {r.revision for r in script.walk_revisions()}


def test_opening_an_up_to_date_database_does_not_import_alembic(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    open_database(str(path)).dispose()
    code = (
        "import sys; from practice_app.storage.database import open_database; "
        f"open_database({str(path)!r}).dispose(); "
        "print(any(m == 'alembic' or m.startswith('alembic.') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.fixture
def newer_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Pretend to be the next version of the app: its migrations hold one more revision."""
    migrations = tmp_path / "migrations"
    shutil.copytree(locations.MIGRATIONS_DIR, migrations)
    old_head = head_revision()
    (migrations / "versions" / "0099_pronouns.py").write_text(
        NEXT_MIGRATION.format(head=old_head), encoding="utf-8"
    )
    monkeypatch.setattr(locations, "MIGRATIONS_DIR", migrations)
    locations.revision_graph.cache_clear()
    yield migrations
    locations.revision_graph.cache_clear()


def _revision(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        return str(con.execute("SELECT version_num FROM alembic_version").fetchone()[0])
    finally:
        con.close()


def test_an_older_database_is_backed_up_then_migrated(tmp_path: Path, newer_app: Path) -> None:
    path = tmp_path / "old.sqlite3"
    locations.revision_graph.cache_clear()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(locations, "MIGRATIONS_DIR", REAL_MIGRATIONS)
        old = open_database(str(path))
        with old.session() as s:
            s.execute(
                text(
                    "INSERT INTO therapist (code, display_name, weekly_practice_target_minutes) "
                    "VALUES ('T1', 'Kept', 120)"
                )
            )
        old.dispose()
    locations.revision_graph.cache_clear()
    old_revision = _revision(path)

    db = open_database(str(path))
    db.dispose()
    assert _revision(path) == "0099"
    assert db.backup_path is not None and db.backup_path.exists()
    assert _revision(db.backup_path) == old_revision
    assert stat.S_IMODE(db.backup_path.stat().st_mode) == 0o600
    con = sqlite3.connect(path)
    try:
        row = con.execute("SELECT display_name, pronouns FROM therapist").fetchone()
    finally:
        con.close()
    assert row == ("Kept", None)
