"""The main window driven as a user would: welcome, demo data, home screen, menus, settings."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gui_sample_data import EXPECTED
from PySide6.QtCore import QByteArray, QRect, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel, QProgressDialog, QPushButton

from practice_app import __version__
from practice_app.gui import settings as gui_settings
from practice_app.gui.main_window import GEOMETRY_KEY, MainWindow
from practice_app.gui.registry import EXTRA_ACTIONS, SCREENS, parse_view
from practice_app.gui.screens.overview import OverviewScreen
from practice_app.gui.screens.weekly import WeeklyScreen
from practice_app.storage.database import Database, open_database

TIMEOUT = 30_000
MakeWindow = Callable[..., MainWindow]


def _overview(window: MainWindow) -> OverviewScreen:
    screen = window.current_screen()
    assert isinstance(screen, OverviewScreen)
    return screen


def _home(window: MainWindow) -> WeeklyScreen:
    screen = window.current_screen()
    assert isinstance(screen, WeeklyScreen)  # the Weekly review is the home screen
    return screen


def _open_overview(qtbot: Any, window: MainWindow) -> OverviewScreen:
    """Click Overview in the sidebar and wait until it shows its data."""
    nav = window.ui.navigation
    item = next(nav.item(r) for r in range(nav.count()) if nav.item(r).text() == "Overview")
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        rect = nav.visualItemRect(item)
        qtbot.mouseClick(nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    return _overview(window)


def test_a_fresh_database_opens_on_the_welcome_page(
    qtbot: Any, make_window: MakeWindow, db: Database
) -> None:
    window = make_window(db)
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        window.show()
    assert window.ui.stack.currentWidget() is window.welcome
    ui = window.welcome.ui
    assert ui.loadDemoButton.isVisible() and ui.startFreshButton.isVisible()
    assert not ui.progressBar.isVisible()
    status = window.findChild(QLabel, "databaseLabel")
    assert status.toolTip() == f"Database: {db.location.label}"
    assert status.text().startswith("Database: ")


def test_load_demo_data_shows_the_weekly_review_then_the_overview_counts(
    qtbot: Any, make_window: MakeWindow, db: Database
) -> None:
    window = make_window(db)
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        window.show()
    summaries: list[Any] = []
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT * 2):
        qtbot.mouseClick(window.welcome.ui.loadDemoButton, Qt.MouseButton.LeftButton)
        assert window.welcome.ui.progressBar.isVisible()  # busy while the worker writes
        assert window._demo_job is not None
        window._demo_job.succeeded.connect(summaries.append)
    home = _home(window)
    assert home.data is not None and home.data.has_data and home.pages.currentIndex() == 0
    assert window.ui.navigation.currentItem().text() == "Weekly review"
    assert home.data.history  # the demo holds past reviews
    screen = _open_overview(qtbot, window)
    data = screen.data
    assert data is not None and summaries
    summary = summaries[0]
    assert (data.clients, data.episodes, data.sessions, data.scores) == (
        summary.clients,
        summary.episodes,
        summary.sessions,
        summary.scores,
    )
    assert data.practice_entries == summary.practice_entries
    assert data.episodes >= 100  # ~150 episodes of demo care
    assert screen.clients_card.value.text() == f"{summary.clients:,}"
    assert screen.sessions_card.value.text() == f"{summary.sessions:,}"
    assert window.ui.navigation.currentItem().text() == "Overview"
    assert summary.line() in window.statusBar().currentMessage()


def test_start_fresh_shows_the_empty_home_screen_saying_what_to_do(
    qtbot: Any, make_window: MakeWindow, db: Database
) -> None:
    window = make_window(db)
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        window.show()
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        qtbot.mouseClick(window.welcome.ui.startFreshButton, Qt.MouseButton.LeftButton)
    screen = _home(window)
    assert screen.pages.currentIndex() == 1  # the empty state
    assert "load the demo data" in " ".join(label.text() for label in screen.findChildren(QLabel))
    buttons = [
        b.text()
        for b in screen.pages.currentWidget().findChildren(type(window.welcome.ui.loadDemoButton))
    ]
    assert buttons == ["Load demo data"] + [a.label for a in EXTRA_ACTIONS if a.on_welcome]


def test_sample_data_opens_on_the_weekly_review_and_the_overview_has_hand_counted_figures(
    qtbot: Any, make_window: MakeWindow, sample_db: Database
) -> None:
    window = make_window(sample_db)
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        window.show()
    assert _home(window).pages.currentIndex() == 0  # sample data: the review, not the empty page
    screen = _open_overview(qtbot, window)
    assert screen.clients_card.value.text() == "3"
    assert screen.episodes_card.value.text() == "4"
    assert screen.episodes_card.detail.text() == "2 open · 2 closed"
    assert screen.sessions_card.value.text() == "7"
    assert screen.sessions_card.detail.text() == "12 scores recorded"
    assert screen.chart is not None
    assert EXPECTED["sessions"] == sum(m.sessions for m in screen.data.months)


def test_navigation_lists_only_registered_screens(
    qtbot: Any, make_window: MakeWindow, sample_db: Database
) -> None:
    window = make_window(sample_db)
    nav = window.ui.navigation
    labels = [nav.item(row).text() for row in range(nav.count())]
    assert labels == [spec.label for spec in SCREENS if spec.in_navigation]
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        window.show()


def test_geometry_is_saved_and_restored(
    qtbot: Any, make_window: MakeWindow, sample_db: Database
) -> None:
    first = make_window(sample_db)
    with qtbot.waitSignal(first.ready, timeout=TIMEOUT):
        first.show()
    width = first.minimumSizeHint().width() + 10
    assert width <= 790  # the window fits a small (800 px) screen
    first.setGeometry(QRect(5, 40, width, 500))  # inside the 800x600 offscreen screen
    first.close()
    saved = gui_settings.app_settings().value(GEOMETRY_KEY)
    assert isinstance(saved, QByteArray) and not saved.isEmpty()
    second = make_window(open_database(str(sample_db.location.path)))
    assert second.geometry() == first.geometry()
    assert second.height() == 500  # not the 1280x800 default


def test_settings_live_in_a_temporary_folder(tmp_path_factory: Any) -> None:
    settings = gui_settings.app_settings()
    settings.setValue("probe", 1)
    settings.sync()
    path = Path(settings.fileName()).resolve()
    assert path.is_relative_to(Path(tmp_path_factory.getbasetemp()).resolve())
    assert path.name == "practice-app.ini" and path.parent.name == "practice-app"


def test_backup_from_the_menu_writes_a_valid_sqlite_copy(
    qtbot: Any, make_window: MakeWindow, sample_db: Database, tmp_path: Path, monkeypatch: Any
) -> None:
    window = make_window(sample_db)
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        window.show()
    target = tmp_path / "copy.sqlite3"
    monkeypatch.setattr(
        "practice_app.gui.main_window.QFileDialog.getSaveFileName",
        lambda *args, **kwargs: (str(target), ""),
    )
    assert window.ui.actionBackup.isEnabled()
    window.ui.actionBackup.trigger()
    qtbot.waitUntil(lambda: "Backed up to" in window.statusBar().currentMessage(), timeout=TIMEOUT)
    connection = sqlite3.connect(target)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("SELECT count(*) FROM client").fetchone() == (3,)
        assert connection.execute("SELECT count(*) FROM session").fetchone() == (7,)
    finally:
        connection.close()
    assert target.stat().st_mode & 0o077 == 0  # private, like the database itself
    assert not target.with_name("copy.sqlite3.partial").exists()


def test_switching_database_shows_the_other_one_and_remembers_it(
    qtbot: Any, make_window: MakeWindow, db: Database, sample_db_path: Path
) -> None:
    window = make_window(db)
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        window.show()
    assert window.ui.stack.currentWidget() is window.welcome
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        window.switch_database(str(sample_db_path))
    assert window.db.location.path == sample_db_path
    assert _open_overview(qtbot, window).clients_card.value.text() == "3"
    recent = gui_settings.recent_databases(gui_settings.app_settings())
    assert recent[:2] == [str(sample_db_path), db.location.label]
    window.ui.menuRecent.aboutToShow.emit()
    entries = [a.text() for a in window.ui.menuRecent.actions() if a.text()]
    assert db.location.label in entries and str(sample_db_path) not in entries


def test_edit_menu_has_undo_and_redo_on_the_shared_stack(
    qtbot: Any, make_window: MakeWindow, sample_db: Database
) -> None:
    window = make_window(sample_db)
    actions = {a.text().replace("&", ""): a for a in window.ui.menuEdit.actions()}
    assert actions["Undo"].shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)
    assert actions["Redo"].shortcut() == QKeySequence(QKeySequence.StandardKey.Redo)
    assert not actions["Undo"].isEnabled()  # nothing to undo yet
    assert window.context.undo_stack is window.undo_stack
    assert window.ui.actionQuit.shortcut() == QKeySequence(QKeySequence.StandardKey.Quit)
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        window.show()


def test_about_names_the_version_and_the_ors_srs_copyright(
    qtbot: Any, make_window: MakeWindow, sample_db: Database
) -> None:
    window = make_window(sample_db)
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        window.show()
    dialog = window.show_about()
    assert __version__ in dialog.ui.versionLabel.text()
    note = dialog.ui.copyrightLabel.text()
    assert "Outcome Rating Scale" in note and "copyrighted" in note
    dialog.close()


def test_a_requested_view_opens_even_on_an_empty_database(
    qtbot: Any, make_window: MakeWindow, db: Database
) -> None:
    window = make_window(db, parse_view("overview"))
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        window.show()
    assert _overview(window).pages.currentIndex() == 1


def test_load_demo_from_the_empty_overview_uses_a_progress_dialog(
    qtbot: Any, make_window: MakeWindow, db: Database
) -> None:
    window = make_window(db, parse_view("overview"))
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        window.show()
    screen = _overview(window)
    button = next(b for b in screen.findChildren(QPushButton) if b.text() == "Load demo data")
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT * 2):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert window.findChild(QProgressDialog) is not None
    assert screen.pages.currentIndex() == 0  # the same screen, now with data
    assert screen.data is not None and screen.data.episodes >= 100


def test_cancelling_the_demo_leaves_the_database_empty(
    qtbot: Any, make_window: MakeWindow, db: Database
) -> None:
    window = make_window(db)
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        window.show()
    ui = window.welcome.ui
    qtbot.mouseClick(ui.loadDemoButton, Qt.MouseButton.LeftButton)
    job = window._demo_job
    assert job is not None and ui.cancelButton.isVisible()
    with qtbot.waitSignal(job.cancelled, timeout=TIMEOUT * 2):
        qtbot.mouseClick(ui.cancelButton, Qt.MouseButton.LeftButton)
    assert ui.loadDemoButton.isEnabled() and not ui.progressBar.isVisible()
    assert "cancelled" in ui.statusLabel.text()
    assert window.ui.stack.currentWidget() is window.welcome
    from practice_app.demo import database_is_empty

    assert database_is_empty(db)


def test_closing_at_once_leaves_nothing_running(
    qtbot: Any, make_window: MakeWindow, db: Database
) -> None:
    window = make_window(db)
    window.close()  # before any job was delivered or the first screen was built
    qtbot.wait(50)  # let the queued start-up calls run against the closed window
    assert window.workers.closed and not window.screens
