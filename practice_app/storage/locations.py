"""Where databases live and which schema this version writes, without importing SQLAlchemy.

Shared by storage.engine / storage.database (the full open) and storage.analysis_data's
lean SQLite path, which must not pay SQLAlchemy's import time.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

APP_NAME = "practice-app"
DB_ENV_VAR = "PRACTICE_APP_DB"
DEFAULT_DB_FILENAME = "practice.sqlite3"
SQLITE_HEADER = b"SQLite format 3\x00"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

_REVISION_LINE = re.compile(
    r"^(revision|down_revision)\s*(?::[^=]*)?=\s*['\"]?([\w-]+|None)['\"]?", re.MULTILINE
)


def default_data_dir() -> Path:
    """Return the per-user data folder (created on first use with mode 0700)."""
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_database_path() -> Path:
    """Return the default SQLite file in the user's data folder."""
    return default_data_dir() / DEFAULT_DB_FILENAME


def target_from_environment(target: str | None) -> str | None:
    """``--db`` if given, else $PRACTICE_APP_DB, else None (the default file)."""
    return target or os.environ.get(DB_ENV_VAR) or None


@cache
def revision_graph() -> dict[str, str | None]:
    """Map each shipped revision to the one it revises, read from the migration files.

    Read with a regular expression rather than through Alembic, so that opening an
    up-to-date database never imports Alembic (it is the slowest import at start-up);
    a test checks that this agrees with Alembic's own view.
    """
    graph: dict[str, str | None] = {}
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        found = dict(_REVISION_LINE.findall(path.read_text(encoding="utf-8")))
        if "revision" in found:
            down = found.get("down_revision")
            graph[found["revision"]] = None if down in (None, "None") else down
    return graph


def head_revisions() -> set[str]:
    """Return the revisions no other revision revises (exactly one in a sound install)."""
    graph = revision_graph()
    return set(graph) - {down for down in graph.values() if down}
