"""Where the window keeps its settings (QSettings), and the recent-databases list."""

from __future__ import annotations

from PySide6.QtCore import QSettings

ORGANIZATION = "practice-app"
APPLICATION = "practice-app"
RECENT_KEY = "recentDatabases"
RECENT_LIMIT = 8


def app_settings() -> QSettings:
    """Return the user's settings, always in INI format.

    INI on every platform (not the Windows registry) so tests can redirect it with
    QSettings.setPath(IniFormat, UserScope, tmp) and never touch the user's.
    """
    return QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION
    )


def recent_databases(settings: QSettings) -> list[str]:
    """Return the recent databases (labels: file paths or URLs), newest first."""
    value = settings.value(RECENT_KEY, [])
    if isinstance(value, str):  # QSettings returns a lone string for a one-item list
        value = [value]
    if not isinstance(value, list):
        return []
    return [str(item) for item in value if str(item)]


def remember_database(settings: QSettings, label: str) -> list[str]:
    """Put ``label`` first in the recent list (no duplicates, at most RECENT_LIMIT)."""
    items = [label] + [item for item in recent_databases(settings) if item != label]
    items = items[:RECENT_LIMIT]
    settings.setValue(RECENT_KEY, items)
    return items


def clear_recent(settings: QSettings) -> None:
    """Forget every recent database."""
    settings.remove(RECENT_KEY)
