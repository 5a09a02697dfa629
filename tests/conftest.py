"""Suite-wide fixtures: headless Qt, private settings, no dangling threads, Qt warnings fail.

QT_QPA_PLATFORM is set here, at import, before any QApplication exists, so the
suite runs without a display (CI=true, no X server).
"""

from __future__ import annotations

import os
import sys
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest_plugins = ["pytester"]  # tests/gui/test_suite_guards.py checks these fixtures really fail

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.pop("PRACTICE_APP_DB", None)  # a developer's own database must never be used

# Offscreen-platform chatter that says nothing about our code (the platform plugin
# cannot propagate size hints to a window system it does not have).
BENIGN_QT_MESSAGES = ("This plugin does not support propagateSizeHints()",)


def _qt_loaded() -> bool:
    return "PySide6.QtCore" in sys.modules


@pytest.fixture(autouse=True)
def _private_qsettings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Point every QSettings (INI, user and system scope) at a fresh temporary folder."""
    if not _qt_loaded():
        yield
        return
    from PySide6.QtCore import QSettings

    folder = tmp_path_factory.mktemp("qsettings")
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(folder))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    yield


_started_threads: list[weakref.ref[Any]] = []


def _track_qthreads() -> None:
    """Wrap QThread.start once so every started thread is remembered (weakly)."""
    from PySide6.QtCore import QThread

    if getattr(QThread.start, "_tracked", False):
        return
    original = QThread.start

    def start(self: QThread, *args: Any, **kwargs: Any) -> None:
        _started_threads.append(weakref.ref(self))
        original(self, *args, **kwargs)

    start._tracked = True  # type: ignore[attr-defined]
    QThread.start = start  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _no_dangling_qt_threads(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test that leaves a QThread running or the global QThreadPool busy (as napari does)."""
    if not _qt_loaded():
        yield
        return
    from PySide6.QtCore import QThreadPool

    _track_qthreads()
    _started_threads.clear()
    yield
    running = []
    for ref in _started_threads:
        thread = ref()
        try:
            if thread is not None and thread.isRunning():
                running.append(thread.objectName() or repr(thread))
        except RuntimeError:  # the C++ thread object is gone: it is not running
            pass
    _started_threads.clear()
    active = QThreadPool.globalInstance().activeThreadCount()
    if running or active:
        QThreadPool.globalInstance().waitForDone(10_000)  # don't let it poison later tests
        pytest.fail(
            f"threads left running after the test: QThreads {running}, "
            f"{active} active QThreadPool thread(s)",
            pytrace=False,
        )


@pytest.fixture(autouse=True)
def _qt_warnings_fail(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test during which Qt logged a WARNING or worse (captured by pytest-qt's handler).

    pytest-qt installs its qInstallMessageHandler before the fixtures and drops it
    after the call phase, so keep a reference to its records now.
    """
    capture = getattr(request.node, "qt_log_capture", None)
    yield
    if capture is None:
        return
    bad = [
        f"{record.type_name}: {record.message}"
        for record in capture.records
        if record.matches_level("WARNING")
        and not record.ignored
        and not record.message.startswith(BENIGN_QT_MESSAGES)
    ]
    if bad:
        pytest.fail("Qt logged warnings:\n" + "\n".join(bad), pytrace=False)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """The path of a fresh SQLite database file for this test (not yet created)."""
    return tmp_path / "practice.sqlite3"


@pytest.fixture
def db(db_path: Path) -> Iterator[Any]:
    """A fresh, migrated SQLite database in tmp_path, disposed after the test."""
    from practice_app.storage.database import open_database

    database = open_database(str(db_path))
    yield database
    database.dispose()
