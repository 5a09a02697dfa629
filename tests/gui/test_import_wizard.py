"""The import wizard driven as a user would: choose or drop a file, check the mapping,
see every bad row, import (or cancel, which leaves the database as it was), read the summary."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gui_sample_data import EXPECTED
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QPushButton
from sqlalchemy import func, select

from practice_app.gui.import_wizard import ImportWizard, open_import_wizard
from practice_app.gui.main_window import MainWindow
from practice_app.progress import Progress
from practice_app.storage.database import Database
from practice_app.storage.models import Client, Score, Session

TIMEOUT = 30_000
MakeWindow = Callable[..., MainWindow]

GOOD = (
    "client,date,session,ORS,SRS,first_name,gender\n"
    "C1,2024-01-08,1,20.5,36,Alice,f\n"
    "C1,2024-01-15,2,25,38,Alice,f\n"
    "C2,2024-02-01,1,18,,Bob,m\n"
    "C2,2024-02-08,2,22,37,Bob,m\n"
    "C3,2024-03-01,1,30,39,Carl,m\n"
)
# Row 5 (header = row 1) has an ORS total outside 0-40.
BAD = GOOD.replace("C2,2024-02-08,2,22,37", "C2,2024-02-08,2,55,37")


def _counts(db: Database) -> tuple[int, int, int]:
    with db.session() as session:
        return (
            session.scalar(select(func.count()).select_from(Client)) or 0,
            session.scalar(select(func.count()).select_from(Session)) or 0,
            session.scalar(select(func.count()).select_from(Score)) or 0,
        )


def _shown_window(qtbot: Any, make_window: MakeWindow, db: Database) -> MainWindow:
    window = make_window(db)
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        window.show()
    return window


def _wizard_on(qtbot: Any, window: MainWindow, path: Path) -> ImportWizard:
    """Open the wizard, type the path, go to the mapping step and wait for the preview."""
    wizard = open_import_wizard(window)
    qtbot.keyClicks(wizard.file_page.path_edit, str(path))
    assert wizard.next_button.isEnabled()
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.current_page() is wizard.mapping_page
    qtbot.waitUntil(lambda: wizard.mapping_page.preview is not None, timeout=TIMEOUT)
    return wizard


def _validate(qtbot: Any, wizard: ImportWizard) -> None:
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.current_page() is wizard.validation_page
    job = wizard.validation_page.job
    assert job is not None
    qtbot.waitUntil(lambda: job.done, timeout=TIMEOUT)


def _import(qtbot: Any, wizard: ImportWizard) -> None:
    assert wizard.next_button.text() == "Import"
    with qtbot.waitSignal(wizard.imported, timeout=TIMEOUT):
        qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.current_page() is wizard.summary_page, timeout=TIMEOUT)


def _summary(wizard: ImportWizard) -> dict[str, str]:
    return {key: label.text() for key, label in wizard.summary_page.values.items()}


def test_the_file_menu_and_the_welcome_page_open_the_wizard(
    qtbot: Any, make_window: MakeWindow, db: Database
) -> None:
    window = _shown_window(qtbot, make_window, db)
    assert window.ui.stack.currentWidget() is window.welcome
    actions = {a.text(): a for a in window.ui.menuFile.actions()}
    assert actions["Import a file…"].shortcut() == QKeySequence("Ctrl+I")
    actions["Import a file…"].trigger()
    wizard = window.findChild(ImportWizard)
    assert wizard is not None and wizard.isVisible()
    assert wizard.current_page() is wizard.file_page
    assert not wizard.next_button.isEnabled()  # nothing chosen yet
    assert not wizard.back_button.isEnabled()
    wizard.reject()
    buttons = [b for b in window.welcome.findChildren(QPushButton) if b.text() == "Import a file…"]
    assert len(buttons) == 1
    qtbot.mouseClick(buttons[0], Qt.MouseButton.LeftButton)
    assert any(w.isVisible() for w in window.findChildren(ImportWizard))


def _drag_enter(mime: QMimeData, point: QPointF | None = None) -> QDragEnterEvent:
    """A drag entering at ``point``: PySide6 6.12 takes a QPointF, earlier ones a QPoint."""
    point = QPointF(20, 20) if point is None else point
    rest = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton)
    try:
        return QDragEnterEvent(point, *rest, Qt.KeyboardModifier.NoModifier)
    except TypeError:
        return QDragEnterEvent(point.toPoint(), *rest, Qt.KeyboardModifier.NoModifier)


def _drag_events(mime: QMimeData) -> tuple[QDragEnterEvent, QDropEvent]:
    point, action = QPointF(40, 40), Qt.DropAction.CopyAction
    buttons, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    return _drag_enter(mime, point), QDropEvent(point, action, mime, buttons, modifiers)


def test_a_file_dropped_on_the_welcome_page_opens_the_wizard_with_it(
    qtbot: Any, make_window: MakeWindow, db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "history.csv"
    path.write_text(GOOD, encoding="utf-8")
    window = _shown_window(qtbot, make_window, db)
    welcome = window.welcome
    assert welcome.ui.dropHint.isVisible()  # the page says it takes a dropped file
    text_only = QMimeData()
    text_only.setText("not a file")
    enter, drop = _drag_events(text_only)
    QApplication.sendEvent(welcome, enter)
    assert not enter.isAccepted()
    QApplication.sendEvent(welcome, drop)
    assert not drop.isAccepted()
    assert window.findChildren(ImportWizard) == []  # text is not a file: nothing opens
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    enter, drop = _drag_events(mime)
    QApplication.sendEvent(welcome, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(welcome, drop)
    assert drop.isAccepted()
    wizards = window.findChildren(ImportWizard)
    assert len(wizards) == 1 and wizards[0].isVisible()
    wizard = wizards[0]
    assert wizard.file_page.path_edit.text() == str(path)
    assert wizard.next_button.isEnabled()  # the dropped file is chosen: on to the mapping
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.mapping_page.preview is not None, timeout=TIMEOUT)
    _validate(qtbot, wizard)
    _import(qtbot, wizard)
    assert _counts(db) == (3, 5, 9)
    wizard.close()


def test_the_preview_shows_the_first_rows_and_where_each_column_goes(
    qtbot: Any, make_window: MakeWindow, db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "history.csv"
    path.write_text(GOOD, encoding="utf-8")
    window = _shown_window(qtbot, make_window, db)
    wizard = _wizard_on(qtbot, window, path)
    page = wizard.mapping_page
    table = page.rows_table
    assert (table.rowCount(), table.columnCount()) == (5, 7)
    # Row numbers as a spreadsheet shows them: the header is row 1.
    assert [table.verticalHeaderItem(r).text() for r in range(5)] == ["2", "3", "4", "5", "6"]
    assert [table.item(0, c).text() for c in range(7)] == [
        "C1", "2024-01-08", "1", "20.5", "36", "Alice", "f"
    ]  # fmt: skip
    assert table.item(2, 4).text() == ""  # C2's first session has no SRS
    assert table.horizontalHeaderItem(3).text() == "ORS\nORS total"
    assert table.item(0, 5).font().strikeOut()  # the name column is shown struck out
    mapping = page.mapping_table
    rows = [(mapping.item(r, 0).text(), mapping.item(r, 1).text()) for r in range(7)]
    assert rows == [
        ("client", "Client code"),
        ("date", "Session date"),
        ("session", "Session number"),
        ("ORS", "ORS total"),
        ("SRS", "SRS total"),
        ("first_name", "Dropped: may hold a name"),
        ("gender", "Client attribute: gender"),
    ]
    assert page.layout_combo.currentText() == "Detected: Long: a row per session"
    assert "6 of 7 columns are imported; 1 dropped" in page.status_label.text()
    assert not page.instrument_combo.isEnabled()  # only wide files name their instrument
    assert wizard.next_button.isEnabled()

    # Forcing a layout that does not fit says why and blocks Next; back to detect, fine again.
    page.layout_combo.setCurrentIndex(page.layout_combo.findData("wide"))
    qtbot.waitUntil(lambda: page.preview is not None, timeout=TIMEOUT)
    assert page.preview is not None and page.preview.layout == "wide"
    assert "no session columns found as wide layout" in page.status_label.text()
    assert not wizard.next_button.isEnabled()
    assert page.instrument_combo.isEnabled()
    page.layout_combo.setCurrentIndex(0)
    qtbot.waitUntil(lambda: page.preview is not None, timeout=TIMEOUT)
    assert wizard.next_button.isEnabled()
    assert _counts(db) == (0, 0, 0)  # previewing writes nothing


def test_a_bad_row_is_reported_and_refused_unless_skipped(
    qtbot: Any, make_window: MakeWindow, db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(BAD, encoding="utf-8")
    window = _shown_window(qtbot, make_window, db)
    assert window.current_screen() is None  # the welcome page
    wizard = _wizard_on(qtbot, window, path)
    _validate(qtbot, wizard)
    page = wizard.validation_page
    problems = page.problems_table
    assert problems.rowCount() == 1
    assert [problems.item(0, c).text() for c in range(4)] == [
        "5", "ORS", "55", "outside the ORS total range 0-40"
    ]  # fmt: skip
    assert "1 problem found" in page.headline.text()
    assert "4 sessions of 3 clients" in page.detail.text()
    assert page.skip_check.isVisible() and not page.skip_check.isChecked()
    assert not wizard.next_button.isEnabled()  # refused as it is
    wizard.next()
    assert wizard.current_page() is page
    assert _counts(db) == (0, 0, 0)  # the dry run wrote nothing

    qtbot.mouseClick(page.skip_check, Qt.MouseButton.LeftButton)
    assert page.skip_check.isChecked() and wizard.next_button.isEnabled()
    _import(qtbot, wizard)
    summary = _summary(wizard)
    assert summary["clients"] == "3" and summary["episodes"] == "3"
    assert summary["sessions"] == "4: 4 new, 0 already present"
    assert summary["scores"] == "ORS 4, SRS 3"
    assert summary["dropped"] == "first_name (may hold names; never stored)"
    assert summary["skipped"] == "1 (listed below; not imported)"
    skipped = wizard.summary_page.skipped_table
    assert skipped.rowCount() == 1 and skipped.item(0, 0).text() == "5"
    assert not wizard.back_button.isVisible() and wizard.cancel_button.text() == "Close"
    assert _counts(db) == (3, 4, 7)
    # The window left the welcome page for the home screen, loaded with the new data.
    qtbot.waitUntil(lambda: window.current_screen() is not None, timeout=TIMEOUT)
    assert "Imported bad.csv: 4 new sessions" in window.statusBar().currentMessage()


def test_a_good_file_imports_and_importing_it_again_adds_nothing(
    qtbot: Any, make_window: MakeWindow, db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "good.csv"
    path.write_text(GOOD, encoding="utf-8")
    window = _shown_window(qtbot, make_window, db)
    wizard = _wizard_on(qtbot, window, path)
    _validate(qtbot, wizard)
    assert "Every row is valid" in wizard.validation_page.headline.text()
    assert not wizard.validation_page.skip_check.isVisible()
    _import(qtbot, wizard)
    summary = _summary(wizard)
    assert (summary["therapists"], summary["clients"], summary["episodes"]) == ("1", "3", "3")
    assert summary["sessions"] == "5: 5 new, 0 already present"
    assert summary["scores"] == "ORS 5, SRS 4"
    assert summary["skipped"] == "0"
    assert _counts(db) == (3, 5, 9)
    qtbot.mouseClick(wizard.cancel_button, Qt.MouseButton.LeftButton)  # Close
    assert not wizard.isVisible()

    again = _wizard_on(qtbot, window, path)
    _validate(qtbot, again)
    assert "0 new, 5 already in the database" in again.validation_page.headline.text()
    _import(qtbot, again)
    assert _summary(again)["sessions"] == "5: 0 new, 5 already present"
    assert _counts(db) == (3, 5, 9)


def _long_file(path: Path, clients: int) -> None:
    lines = ["client,session,date,ORS"]
    for c in range(clients):
        for s in range(1, 4):
            lines.append(f"L{c:05d},{s},2024-0{s}-1{s},{10 + s}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_cancel_during_the_import_leaves_the_database_unchanged(
    qtbot: Any, make_window: MakeWindow, sample_db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "long.csv"
    _long_file(path, 1000)
    before = _counts(sample_db)
    window = _shown_window(qtbot, make_window, sample_db)
    wizard = _wizard_on(qtbot, window, path)
    wizard.batch_size = 100  # several batches written before the first progress report
    _validate(qtbot, wizard)
    assert "3,000 sessions of 1,000 clients" in wizard.validation_page.headline.text()
    reached, release = threading.Event(), threading.Event()

    def pause_at_first_report(done: int, total: int, message: str) -> None:
        # On the worker thread, mid-import, with rows already written in the transaction.
        if not reached.is_set():
            reached.set()
            release.wait(TIMEOUT / 1000)

    def hook(progress: Progress) -> None:
        progress.subscribe(pause_at_first_report)

    page = wizard.import_page
    page.progress_hook = hook
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.current_page() is page
    qtbot.waitUntil(reached.is_set, timeout=TIMEOUT)
    assert page.running and not wizard.back_button.isEnabled()
    assert page.job is not None
    with qtbot.waitSignal(page.job.cancelled, timeout=TIMEOUT):
        qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
        release.set()
    assert "Import cancelled. Nothing was written" in page.status_label.text()
    assert wizard.current_page() is page and wizard.back_button.isEnabled()
    assert _counts(sample_db) == before == (EXPECTED["clients"], EXPECTED["sessions"], 12)


def test_a_dropped_file_is_chosen(
    qtbot: Any, make_window: MakeWindow, db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "dropped.csv"
    path.write_text(GOOD, encoding="utf-8")
    window = _shown_window(qtbot, make_window, db)
    wizard = open_import_wizard(window)
    page = wizard.file_page
    text_only = QMimeData()
    text_only.setText("not a file")
    refused = _drag_enter(text_only)
    QApplication.sendEvent(page, refused)
    assert not refused.isAccepted()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    enter = _drag_enter(mime)
    QApplication.sendEvent(page, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPointF(20, 20),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(page, drop)
    assert page.chosen_path() == path
    assert page.path_note.text() == "File chosen: dropped.csv"
    assert wizard.next_button.isEnabled()
    wizard.reject()


def test_an_export_folder_imports_back_through_the_wizard(
    qtbot: Any, make_window: MakeWindow, sample_db: Database, db_path: Path, tmp_path: Path
) -> None:
    from practice_app.storage.database import open_database
    from practice_app.storage.export import export_database

    folder = tmp_path / "export"
    export_database(sample_db, folder, "csv")
    empty = open_database(str(tmp_path / "empty.sqlite3"))
    window = _shown_window(qtbot, make_window, empty)
    wizard = _wizard_on(qtbot, window, folder)
    page = wizard.mapping_page
    assert page.layout_combo.currentText() == "Detected: A folder written by File ▸ Export"
    assert not page.layout_combo.isEnabled()
    assert page.rows_table.rowCount() == EXPECTED["sessions"]
    _validate(qtbot, wizard)
    _import(qtbot, wizard)
    summary = _summary(wizard)
    assert (
        summary["sessions"]
        == f"{EXPECTED['sessions']}: {EXPECTED['sessions']} new, 0 already present"
    )
    assert summary["scores"] == f"ORS {EXPECTED['ors']}, SRS {EXPECTED['srs']}"
    assert wizard.summary_page.values["extra"].isVisible()
    assert _counts(empty) == _counts(sample_db)


def test_ambiguous_dates_are_refused_until_a_date_format_is_given(
    qtbot: Any, make_window: MakeWindow, db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "dates.csv"
    path.write_text(
        "client,date,ORS\nD1,03/02/2024,20\nD1,10/02/2024,24\nD2,05/03/2024,15\n",
        encoding="utf-8",
    )
    window = _shown_window(qtbot, make_window, db)
    wizard = _wizard_on(qtbot, window, path)
    _validate(qtbot, wizard)
    page = wizard.validation_page
    assert page.headline.text().startswith("The file cannot be imported:")
    assert "dates in column 'date' are ambiguous" in page.headline.text()
    assert not wizard.next_button.isEnabled()
    qtbot.mouseClick(wizard.back_button, Qt.MouseButton.LeftButton)
    assert wizard.current_page() is wizard.mapping_page
    combo = wizard.mapping_page.date_combo
    combo.setCurrentIndex(combo.findData("DD/MM/YYYY"))
    _validate(qtbot, wizard)
    assert "Every row is valid" in page.headline.text()
    _import(qtbot, wizard)
    with db.session() as session:
        dates = sorted(str(d) for d in session.scalars(select(Session.date)))
    assert dates == ["2024-02-03", "2024-02-10", "2024-03-05"]  # day first, as chosen


def test_closing_the_wizard_during_the_import_rolls_it_back_then_closes(
    qtbot: Any, make_window: MakeWindow, db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "long.csv"
    _long_file(path, 300)
    window = _shown_window(qtbot, make_window, db)
    wizard = _wizard_on(qtbot, window, path)
    wizard.batch_size = 100
    _validate(qtbot, wizard)
    reached, release = threading.Event(), threading.Event()

    def pause(done: int, total: int, message: str) -> None:
        if not reached.is_set():
            reached.set()
            release.wait(TIMEOUT / 1000)

    wizard.import_page.progress_hook = lambda progress: progress.subscribe(pause)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(reached.is_set, timeout=TIMEOUT)
    qtbot.keyClick(wizard, Qt.Key.Key_Escape)  # as Cancel: waits for the rollback
    assert wizard.isVisible()
    with qtbot.waitSignal(wizard.rejected, timeout=TIMEOUT):
        release.set()
    assert not wizard.isVisible()
    assert _counts(db) == (0, 0, 0)
    assert window.ui.stack.currentWidget() is window.welcome  # still empty: still welcome
