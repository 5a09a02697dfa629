"""File ▸ Export… and File ▸ Restore from Backup…: the handlers behind the registry's actions.

Each handler asks with a dialog, then calls a function that takes paths, so tests
(and other callers) can skip the dialogs:

    start_export(window, folder, "csv")                    # -> Job on the database worker
    restore_from(window, backup_file, confirm=lambda *_: True)

The export and the restore run on the window's database worker; checking a backup
file (an SQLite integrity check) runs on the analysis pool.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from practice_app.gui.workers import Job, progress_dialog

if TYPE_CHECKING:
    from practice_app.gui.main_window import MainWindow
    from practice_app.storage.backup import BackupCheck
    from practice_app.storage.database import Database
    from practice_app.storage.export import ExportResult

DB_FILTER = "practice-app databases (*.sqlite3 *.sqlite *.db *.bak);;All files (*)"
ConfirmRestore = Callable[["MainWindow", "BackupCheck", Path], bool]


def suggested_export_folder(base: Path, today: dt.date | None = None) -> Path:
    """A new folder name under ``base``: practice-app-export-YYYY-MM-DD (then -2, -3...)."""
    stem = f"practice-app-export-{today or dt.date.today():%Y-%m-%d}"
    candidate, n = base / stem, 1
    while candidate.exists():
        n += 1
        candidate = base / f"{stem}-{n}"
    return candidate


class ExportDialog(QDialog):
    """Where to export, and as CSV or JSON."""

    def __init__(self, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export everything")
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        intro = QLabel(
            "Writes every client, episode, session, score, practice entry, lesson and review "
            "into a new folder, one file per table, with a README describing the layout. "
            "File ▸ Import reads the folder back without loss. Clients are codes only."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        row = QHBoxLayout()
        row.addWidget(QLabel("Folder:"))
        self.folder_edit = QLineEdit(str(folder))
        row.addWidget(self.folder_edit, 1)
        self.browse_button = QPushButton("Browse…")
        row.addWidget(self.browse_button)
        layout.addLayout(row)
        formats = QHBoxLayout()
        formats.addWidget(QLabel("Format:"))
        self.csv_radio = QRadioButton("CSV (spreadsheets)")
        self.json_radio = QRadioButton("JSON (programs)")
        self.csv_radio.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.csv_radio)
        group.addButton(self.json_radio)
        formats.addWidget(self.csv_radio)
        formats.addWidget(self.json_radio)
        formats.addStretch(1)
        layout.addLayout(formats)
        hint = QLabel(
            "The folder must be new or empty. CSV cells that a spreadsheet would run as a "
            "formula are written with a leading quote."
        )
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        export = buttons.button(QDialogButtonBox.StandardButton.Ok)
        export.setText("Export")
        export.setObjectName("primaryButton")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.browse_button.clicked.connect(self._browse)

    def _browse(self) -> None:
        start = Path(self.folder_edit.text()).expanduser()
        parent = QFileDialog.getExistingDirectory(
            self, "Export into which folder?", str(start.parent if start.parent.exists() else "")
        )
        if parent:
            self.folder_edit.setText(str(suggested_export_folder(Path(parent))))

    def folder(self) -> Path:
        """The folder chosen."""
        return Path(self.folder_edit.text().strip()).expanduser()

    def format(self) -> str:
        """csv or json."""
        return "json" if self.json_radio.isChecked() else "csv"


def export_dialog(window: MainWindow) -> ExportDialog:
    """File ▸ Export…: choose a folder and a format, then export on the worker."""
    location = window.db.location.path
    base = location.parent if location is not None else Path.home()
    dialog = ExportDialog(suggested_export_folder(base), window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.accepted.connect(lambda: start_export(window, dialog.folder(), dialog.format()))
    dialog.open()
    return dialog


def _inform(window: MainWindow, title: str, text: str, folder: Path | None = None) -> QMessageBox:
    box = QMessageBox(
        QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok, window
    )
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if folder is not None:
        show = box.addButton("Show Folder", QMessageBox.ButtonRole.ActionRole)
        show.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def export_message(result: ExportResult) -> str:
    """Where the export went and what it holds."""
    rows = sum(result.files.values())
    return (
        f"Exported {rows:,} rows in {len(result.files)} {result.format.upper()} files to "
        f"{result.folder}"
    )


def start_export(window: MainWindow, out: Path, fmt: str = "csv") -> Job:
    """Export the window's database into the new folder ``out`` on the database worker."""
    from practice_app.storage.export import export_database

    def done(result: ExportResult) -> None:
        message = export_message(result)
        window.show_status(message)
        _inform(window, "Export finished", message + ".", result.folder)

    window.show_status(f"Exporting to {out}…")
    job = window.workers.database(
        lambda db: export_database(db, out, fmt),
        on_success=done,
        on_failure=lambda error: window.report_error("The export failed", error),
        label="export",
    )
    progress_dialog(job, window, "Exporting everything")  # busy indicator; appears after 0.3 s
    return job


def restore_dialog(window: MainWindow) -> None:
    """File ▸ Restore from Backup…: choose a backup file, check it, confirm, restore."""
    target = window.db.location.path
    if target is None:
        window.report_error(
            "Restore works on database files",
            f"{window.db.location.label} is a server database; use its own restore tools.",
        )
        return
    source, _ = QFileDialog.getOpenFileName(
        window, "Restore from a backup", str(target.parent), DB_FILTER
    )
    if source:
        restore_from(window, Path(source))


def confirm_restore(window: MainWindow, check: BackupCheck, target: Path) -> bool:
    """Ask before replacing the database (a modal question: this cannot be undone in the app)."""
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "Restore from backup?",
        f"Replace the current database with the backup {check.path.name}?",
        QMessageBox.StandardButton.Cancel,
        window,
    )
    box.setInformativeText(
        f"Everything in {target} will be replaced by what the backup holds. A copy of the "
        f"current database is kept first, beside it, as {target.name}.before-restore-"
        "DATE-TIME.bak, so nothing is lost."
    )
    replace = box.addButton("Replace with Backup", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is replace


def restore_from(
    window: MainWindow, source: Path, confirm: ConfirmRestore | None = None
) -> Job | None:
    """Check ``source``, ask ``confirm``, then restore it over the window's database file.

    The window reopens the restored database (its ``database_changed`` signal says when).
    Returns the job checking the file, or None when the database is not a file.
    """
    from practice_app.storage.backup import check_backup

    target = window.db.location.path
    if target is None:
        window.report_error("Restore works on database files", window.db.location.label)
        return None
    ask = confirm or confirm_restore

    def checked(check: BackupCheck) -> None:
        if not ask(window, check, target):
            window.show_status("Restore cancelled; the database is unchanged.")
            return
        window.show_status(f"Restoring {source.name}…")
        job = window.workers.database(
            lambda db: _restore(db, target, source),
            on_success=lambda kept: _restored(window, source, target, kept),
            on_failure=lambda error: window.report_error("The restore failed", error),
            label="restore",
        )
        progress_dialog(job, window, "Restoring the backup")

    window.show_status(f"Checking {source.name}…")
    return window.workers.analysis(
        lambda: check_backup(source),
        on_success=checked,
        on_failure=lambda error: window.report_error("Cannot restore this file", error),
        label="check backup",
    )


def _restore(db: Database, target: Path, source: Path) -> Path | None:
    from practice_app.storage.backup import restore_database

    db.engine.dispose()  # no pooled connection holds the file while it is replaced
    return restore_database(str(target), source)


def _restored(window: MainWindow, source: Path, target: Path, kept: Path | None) -> None:
    text = f"Restored {target.name} from {source.name}."
    if kept is not None:
        text += f" The database as it was before is kept as {kept}."

    def reopened() -> None:  # opening clears the status bar: say it afterwards
        window.database_changed.disconnect(reopened)
        window.show_status(text)

    window.database_changed.connect(reopened)
    window.switch_database(str(target))  # reopen: screens rebuilt, migrations applied if older
    _inform(window, "Restore finished", text)
