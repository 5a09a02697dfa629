"""Fixtures for the GUI tests: windows on fresh databases, closed (threads joined) afterwards."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from gui_sample_data import write_sample

from practice_app.gui.main_window import MainWindow
from practice_app.gui.registry import ViewRequest
from practice_app.gui.settings import app_settings
from practice_app.storage.database import Database


@pytest.fixture
def sample_db(db: Database) -> Database:
    """The fresh test database holding the hand-countable sample practice."""
    write_sample(db)
    return db


@pytest.fixture
def sample_db_path(tmp_path: Any) -> Any:
    """A second database file (closed) holding the sample practice."""
    from pathlib import Path

    from practice_app.storage.database import open_database

    path = Path(tmp_path) / "sample.sqlite3"
    other = open_database(str(path))
    write_sample(other)
    other.dispose()
    return path


@pytest.fixture
def make_window(qtbot: Any) -> Iterator[Callable[..., MainWindow]]:
    """Build a MainWindow on a database; every window is closed (workers joined) at teardown."""
    windows: list[MainWindow] = []

    def make(db: Database, view: ViewRequest | None = None) -> MainWindow:
        window = MainWindow(db, app_settings(), view)
        qtbot.addWidget(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
