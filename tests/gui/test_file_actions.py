"""File ▸ Export… and File ▸ Restore from Backup… through their handlers (dialogs bypassed)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gui_sample_data import EXPECTED
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMessageBox

from practice_app.gui import file_actions
from practice_app.gui.file_actions import (
    ExportDialog,
    restore_from,
    start_export,
    suggested_export_folder,
)
from practice_app.gui.main_window import MainWindow
from practice_app.gui.screens.overview import OverviewScreen
from practice_app.gui.screens.weekly import WeeklyScreen
from practice_app.storage.database import Database

TIMEOUT = 30_000
MakeWindow = Callable[..., MainWindow]


def _shown(qtbot: Any, make_window: MakeWindow, db: Database) -> MainWindow:
    window = make_window(db)
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        window.show()
    return window


def _boxes(window: MainWindow) -> list[QMessageBox]:
    return [b for b in window.findChildren(QMessageBox) if b.isVisible()]


def test_the_file_menu_offers_export_and_restore(
    qtbot: Any, make_window: MakeWindow, sample_db: Database
) -> None:
    window = make_window(sample_db)
    actions = [a.text() for a in window.ui.menuFile.actions() if a.text()]
    backup = actions.index(window.ui.actionBackup.text())
    assert actions[backup - 3 : backup] == ["Import a file…", "Export…", "Restore from Backup…"]
    export = next(a for a in window.ui.menuFile.actions() if a.text() == "Export…")
    assert export.shortcut() == QKeySequence("Ctrl+E")
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        window.show()
    export.trigger()
    dialog = window.findChild(ExportDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.folder().name.startswith("practice-app-export-")
    assert dialog.folder().parent == sample_db.location.path.parent
    assert dialog.format() == "csv"
    dialog.json_radio.setChecked(True)
    assert dialog.format() == "json"
    dialog.reject()


def test_a_suggested_export_folder_never_exists(tmp_path: Path) -> None:
    import datetime as dt

    day = dt.date(2026, 5, 4)
    first = suggested_export_folder(tmp_path, day)
    assert first == tmp_path / "practice-app-export-2026-05-04"
    first.mkdir()
    assert suggested_export_folder(tmp_path, day) == tmp_path / "practice-app-export-2026-05-04-2"


def test_export_writes_the_folder_on_the_worker_and_says_where(
    qtbot: Any, make_window: MakeWindow, sample_db: Database, tmp_path: Path
) -> None:
    window = _shown(qtbot, make_window, sample_db)
    out = tmp_path / "exported"
    job = start_export(window, out, "json")
    with qtbot.waitSignal(job.succeeded, timeout=TIMEOUT):
        pass
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format"] == "json"
    sessions = json.loads((out / "sessions.json").read_text(encoding="utf-8"))
    assert len(sessions) == EXPECTED["sessions"]
    assert manifest["files"]["sessions.json"] == EXPECTED["sessions"]
    message = window.statusBar().currentMessage()
    assert message.startswith("Exported ") and message.endswith(f"JSON files to {out}")
    boxes = _boxes(window)
    assert len(boxes) == 1 and boxes[0].windowTitle() == "Export finished"
    assert str(out) in boxes[0].text()
    assert any(b.text() == "Show Folder" for b in boxes[0].buttons())


def test_export_into_a_folder_that_is_not_empty_is_refused(
    qtbot: Any, make_window: MakeWindow, sample_db: Database, tmp_path: Path
) -> None:
    window = _shown(qtbot, make_window, sample_db)
    out = tmp_path / "busy"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    job = start_export(window, out, "csv")
    with qtbot.waitSignal(job.failed, timeout=TIMEOUT):
        pass
    assert "The export failed" in window.statusBar().currentMessage()
    assert "not an empty folder" in window.statusBar().currentMessage()
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]


def _sample_rows(path: Path) -> tuple[int, int]:
    connection = sqlite3.connect(path)
    try:
        clients = connection.execute("SELECT count(*) FROM client").fetchone()[0]
        sessions = connection.execute("SELECT count(*) FROM session").fetchone()[0]
    finally:
        connection.close()
    return clients, sessions


def test_restore_checks_asks_keeps_a_copy_and_reloads_the_window(
    qtbot: Any, make_window: MakeWindow, db: Database, sample_db_path: Path, db_path: Path
) -> None:
    window = _shown(qtbot, make_window, db)
    assert window.ui.stack.currentWidget() is window.welcome  # empty
    asked: list[tuple[str, Path]] = []

    def confirm(_window: MainWindow, check: Any, target: Path) -> bool:
        asked.append((check.path.name, target))
        return True

    with qtbot.waitSignal(window.database_changed, timeout=TIMEOUT):
        restore_from(window, sample_db_path, confirm)
    assert asked == [("sample.sqlite3", db_path)]
    # The restored database opens on the home screen, the weekly review, with data.
    qtbot.waitUntil(lambda: isinstance(window.current_screen(), WeeklyScreen), timeout=TIMEOUT)
    home = window.current_screen()
    assert isinstance(home, WeeklyScreen)
    qtbot.waitUntil(lambda: home.loaded, timeout=TIMEOUT)
    assert home.data is not None and home.data.has_data
    window.open_view("overview")
    screen = window.current_screen()
    assert isinstance(screen, OverviewScreen)
    qtbot.waitUntil(lambda: screen.loaded, timeout=TIMEOUT)
    assert screen.clients_card.value.text() == str(EXPECTED["clients"])
    assert _sample_rows(db_path) == (EXPECTED["clients"], EXPECTED["sessions"])
    kept = list(db_path.parent.glob("practice.sqlite3.before-restore-*.bak"))
    assert len(kept) == 1 and _sample_rows(kept[0]) == (0, 0)  # the empty database, kept
    assert "Restore finished" in [b.windowTitle() for b in _boxes(window)]
    assert f"kept as {kept[0]}" in window.statusBar().currentMessage()


def test_restore_declined_changes_nothing(
    qtbot: Any, make_window: MakeWindow, db: Database, sample_db_path: Path, db_path: Path
) -> None:
    window = _shown(qtbot, make_window, db)
    job = restore_from(window, sample_db_path, lambda *_: False)
    assert job is not None
    with qtbot.waitSignal(job.finished, timeout=TIMEOUT):
        pass
    assert window.statusBar().currentMessage() == "Restore cancelled; the database is unchanged."
    assert _sample_rows(db_path) == (0, 0)
    assert not list(db_path.parent.glob("*.bak"))


def test_a_file_that_is_not_a_backup_is_refused_before_asking(
    qtbot: Any, make_window: MakeWindow, sample_db: Database, tmp_path: Path
) -> None:
    window = _shown(qtbot, make_window, sample_db)
    bogus = tmp_path / "notes.sqlite3"
    bogus.write_text("client,ORS\nA,20\n", encoding="utf-8")
    asked: list[Any] = []
    job = restore_from(window, bogus, lambda *args: bool(asked.append(args)))
    assert job is not None
    with qtbot.waitSignal(job.failed, timeout=TIMEOUT):
        pass
    assert asked == []
    assert "not an SQLite database file" in window.statusBar().currentMessage()
    assert [b.windowTitle() for b in _boxes(window)] == ["Cannot restore this file"]
    assert _sample_rows(sample_db.location.path) == (EXPECTED["clients"], EXPECTED["sessions"])


def test_the_restore_menu_entry_asks_for_a_file(
    qtbot: Any, make_window: MakeWindow, sample_db: Database, monkeypatch: Any
) -> None:
    window = _shown(qtbot, make_window, sample_db)
    offered: list[str] = []

    def no_file(*args: Any, **kwargs: Any) -> tuple[str, str]:
        offered.append(str(args[2]))
        return "", ""

    monkeypatch.setattr(file_actions.QFileDialog, "getOpenFileName", no_file)
    window.trigger("restore")
    assert offered == [str(sample_db.location.path.parent)]
    assert _boxes(window) == []
