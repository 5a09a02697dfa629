"""Steps 1 and 2 of the import wizard (the file, its layout and columns) and the step base class.

See import_wizard for the flow and the worker functions; steps 3-5 are in import_wizard_checks.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QDragEnterEvent, QDropEvent, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from practice_app.gui.import_wizard import (
    KIND_LABELS,
    LAYOUT_NAMES,
    FilePreview,
    build_preview,
)
from practice_app.gui.workers import Job
from practice_app.importers import LAYOUTS, ImportOptions
from practice_app.progress import Progress

if TYPE_CHECKING:
    from practice_app.gui.import_wizard import ImportWizard

FILE_FILTER = "Tables (*.csv *.tsv *.txt *.xlsx);;All files (*)"
DATE_FORMATS = ("DD/MM/YYYY", "MM/DD/YYYY", "YYYY-MM-DD", "DD.MM.YYYY", "DD-MM-YYYY", "YYYY/MM/DD")
TABLE_STYLE = (
    "QTableView { border: 1px solid #dde2e6; background: #ffffff;"
    " alternate-background-color: #f7f9fa; gridline-color: #eceff1; }"
    "QHeaderView::section { background: #eef1f3; color: #37474f; border: none;"
    " border-bottom: 1px solid #dde2e6; border-right: 1px solid #e3e7ea; padding: 4px 6px;"
    " font-weight: 600; }"
)
ERROR_STYLE = "color: #b3261e;"
OK_STYLE = "color: #2f6f73;"
KIND_COLOURS = {
    "instrument": ("#e3f1f0", "#1f5457"),
    "client": ("#eef1f3", "#263238"),
    "therapist": ("#eef1f3", "#263238"),
    "episode": ("#eef1f3", "#263238"),
    "session": ("#eef1f3", "#263238"),
    "date": ("#eef1f3", "#263238"),
    "attribute": ("#f1f4e6", "#3d4f1c"),
    "dropped": ("#fdecea", "#9a2c1c"),
    "ignored": ("#ffffff", "#90a4ae"),
}


def _table(columns: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.verticalHeader().setDefaultSectionSize(26)
    table.setHorizontalHeaderLabels(columns)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.setStyleSheet(TABLE_STYLE)
    table.verticalHeader().setVisible(False)
    return table


def _item(text: str, tooltip: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setToolTip(tooltip or text)
    return item


def _hint(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName("hint")
    label.setWordWrap(True)
    return label


def local_path(mime: QMimeData) -> Path | None:
    """The first local file or folder in dragged data, or None."""
    for url in mime.urls() if mime.hasUrls() else []:
        if url.isLocalFile() and url.toLocalFile():
            return Path(url.toLocalFile())
    return None


class WizardStep(QWidget):
    """One step of the wizard. Plain methods, not Qt virtuals (see ImportWizard)."""

    changed = Signal()
    """Whether the step is complete (or may go back) changed."""
    step_name = ""
    title = ""
    subtitle = ""
    next_text = "Next"

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard

    def initialize(self) -> None:
        """Called when the step is entered going forward."""

    def cleanup(self) -> None:
        """Called when the user goes back from the step."""

    def complete(self) -> bool:
        """Whether Next is enabled."""
        return True

    def accept_step(self) -> bool:
        """Called on Next; False stays on the step."""
        return True

    def can_go_back(self) -> bool:
        """Whether Back is enabled."""
        return True


class _JobPage(WizardStep):
    """A step that runs work on the database worker and can cancel it."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.job: Job | None = None

    def cancel_job(self) -> None:
        """Stop the page's running work (nothing of it is kept)."""
        if self.job is not None and not self.job.done:
            self.job.cancel()

    def run(
        self,
        work: Callable[[Any], Any],
        on_success: Callable[[Any], None],
        on_failure: Callable[[BaseException], None],
        label: str,
        progress: Progress | None = None,
    ) -> Job:
        """Start ``work(db)`` on the database worker; results come back on this page."""
        self.cancel_job()
        job = self.w.workers.database(
            work,
            on_success=on_success,
            on_failure=on_failure,
            owner=self,
            progress=progress,
            label=label,
        )
        self.job = job
        return job


class FilePage(WizardStep):
    """Step 1: a file or an export folder, chosen, typed or dropped."""

    step_name = "File"
    title = "Choose what to import"
    subtitle = (
        "A CSV or Excel (XLSX) file exported from another system, or a folder written "
        "by File ▸ Export. Nothing is written until the import step."
    )

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.setAcceptDrops(True)
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        self.drop_zone = QFrame()
        self.drop_zone.setObjectName("dropZone")
        self.drop_zone.setStyleSheet(
            "QFrame#dropZone { border: 2px dashed #9fb8ba; border-radius: 10px;"
            " background: #f4f8f8; }"
        )
        self.drop_zone.setMinimumHeight(170)
        zone = QVBoxLayout(self.drop_zone)
        zone.setSpacing(12)
        zone.addStretch(1)
        self.drop_label = QLabel("Drop a file or an export folder here")
        self.drop_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.drop_label.setStyleSheet("font-size: 13pt; color: #37474f; border: none;")
        zone.addWidget(self.drop_label)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.choose_file_button = QPushButton("Choose a file…")
        self.choose_file_button.setObjectName("primaryButton")
        self.choose_folder_button = QPushButton("Choose an export folder…")
        buttons.addWidget(self.choose_file_button)
        buttons.addWidget(self.choose_folder_button)
        buttons.addStretch(1)
        zone.addLayout(buttons)
        zone.addStretch(1)
        layout.addWidget(self.drop_zone)
        path_row = QHBoxLayout()
        path_row.addWidget(QLabel("File or folder:"))
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("…or type its path here")
        self.path_edit.setClearButtonEnabled(True)
        path_row.addWidget(self.path_edit, 1)
        layout.addLayout(path_row)
        self.path_note = _hint()
        layout.addWidget(self.path_note)
        layout.addWidget(
            _hint(
                "Layouts read: the OpenFIT flat file, the CamCOPS ORS and SRS task tables, "
                "long (one row per session) and wide (one row per client, a column per "
                "session, e.g. ors_1, ors_2). CSV in any common encoding (UTF-8, UTF-16, "
                "Windows-1252) separated by commas, semicolons or tabs, and XLSX."
            )
        )
        layout.addWidget(
            _hint(
                "Privacy: columns that may hold a client's name are dropped as the file is "
                "read and never reach the database; the summary lists them."
            )
        )
        layout.addStretch(1)
        self.choose_file_button.clicked.connect(self.choose_file)
        self.choose_folder_button.clicked.connect(self.choose_folder)
        self.path_edit.textChanged.connect(self._path_edited)

    def _start_folder(self) -> str:
        current = self.chosen_path()
        return str(current.parent if current else Path.home())

    def choose_file(self) -> None:
        """Ask for a CSV or XLSX file."""
        path, _ = QFileDialog.getOpenFileName(
            self, "Import a file", self._start_folder(), FILE_FILTER
        )
        if path:
            self.set_path(Path(path))

    def choose_folder(self) -> None:
        """Ask for an export folder."""
        path = QFileDialog.getExistingDirectory(
            self, "Import an export folder", self._start_folder()
        )
        if path:
            self.set_path(Path(path))

    def set_path(self, path: Path) -> None:
        """Choose ``path`` (as if typed)."""
        self.path_edit.setText(str(path))

    def chosen_path(self) -> Path | None:
        """The path typed or chosen, or None."""
        text = self.path_edit.text().strip().strip('"')
        return Path(text).expanduser() if text else None

    def _path_edited(self) -> None:
        path = self.chosen_path()
        if path is None:
            self.path_note.setText("")
        elif not path.exists():
            self.path_note.setText(f"There is no file or folder at {path}.")
        elif path.is_dir():
            self.path_note.setText(f"Folder chosen: {path.name} (checked in the next step)")
        else:
            self.path_note.setText(f"File chosen: {path.name}")
        self.changed.emit()

    def complete(self) -> bool:
        """Next needs an existing file or folder."""
        path = self.chosen_path()
        return path is not None and path.exists()

    def accept_step(self) -> bool:
        """Hand the path to the wizard."""
        self.w.path = self.chosen_path()
        return self.w.path is not None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept a dragged local file or folder."""
        if local_path(event.mimeData()) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        """Choose the dropped file or folder."""
        path = local_path(event.mimeData())
        if path is None:
            event.ignore()
            return
        self.set_path(path)
        event.acceptProposedAction()


class MappingPage(_JobPage):
    """Step 2: the detected layout, the first rows and where each column goes; all editable."""

    step_name = "Layout and columns"
    title = "Check how the file maps"
    subtitle = (
        "The first rows of the file and where each column goes. If the layout was "
        "guessed wrong, choose another; the preview follows."
    )

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.preview: FilePreview | None = None
        self._previewed: Path | None = None
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        self.layout_combo = QComboBox()
        self.layout_combo.addItem("Detect from the header", None)
        for name in LAYOUTS:
            self.layout_combo.addItem(LAYOUT_NAMES[name], name)
        self.instrument_combo = QComboBox()
        self.instrument_combo.addItem("From the column names", None)
        self.instrument_combo.setToolTip("Wide files: the instrument of columns like 1, 2, 3")
        self.date_combo = QComboBox()
        self.date_combo.setEditable(True)
        self.date_combo.addItem("ISO, or detect when unambiguous", "")
        for fmt in DATE_FORMATS:
            self.date_combo.addItem(fmt, fmt)
        self.date_combo.setToolTip(
            "How the file writes dates that are not ISO (YYYY-MM-DD); type another, e.g. DD/MM/YY"
        )
        self.therapist_edit = QLineEdit()
        self.therapist_edit.setPlaceholderText("me")
        self.therapist_edit.setToolTip("The therapist of rows that name none")
        self.update_check = QCheckBox(
            "Overwrite sessions already in the database whose scores differ"
        )
        grid.addWidget(QLabel("Layout"), 0, 0)
        grid.addWidget(self.layout_combo, 0, 1)
        grid.addWidget(QLabel("Instrument"), 0, 2)
        grid.addWidget(self.instrument_combo, 0, 3)
        grid.addWidget(QLabel("Dates"), 1, 0)
        grid.addWidget(self.date_combo, 1, 1)
        grid.addWidget(QLabel("Therapist code"), 1, 2)
        grid.addWidget(self.therapist_edit, 1, 3)
        grid.addWidget(self.update_check, 2, 1, 1, 3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        layout.addLayout(grid)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status_label)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(6)
        self.busy.setVisible(False)
        layout.addWidget(self.busy)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.rows_title = QLabel("First rows")
        self.rows_title.setObjectName("sectionTitle")
        left_layout.addWidget(self.rows_title)
        self.rows_table = _table([])
        self.rows_table.verticalHeader().setVisible(True)
        self.rows_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        left_layout.addWidget(self.rows_table)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel("Where each column goes")
        title.setObjectName("sectionTitle")
        right_layout.addWidget(title)
        self.mapping_table = _table(["Column", "Goes to"])
        self.mapping_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.mapping_table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.Stretch
        )
        right_layout.addWidget(self.mapping_table)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout.addWidget(splitter, 1)
        self.layout_combo.currentIndexChanged.connect(self.refresh)
        self.instrument_combo.currentIndexChanged.connect(self.refresh)

    def initialize(self) -> None:
        """Read the file afresh when it changed since the last preview."""
        if self.w.path != self._previewed or self.preview is None:
            for combo in (self.layout_combo, self.instrument_combo):
                combo.blockSignals(True)
                combo.setCurrentIndex(0)
                combo.blockSignals(False)
            self.refresh()

    def refresh(self) -> None:
        """Preview the file with the chosen layout and instrument on the worker."""
        path = self.w.path
        if path is None:
            return
        layout = self.layout_combo.currentData()
        instrument = self.instrument_combo.currentData()
        self.preview = None
        self._previewed = path
        self.busy.setVisible(True)
        self.status_label.setStyleSheet("")
        self.status_label.setText(f"Reading {path.name}…")
        self.changed.emit()
        self.run(
            lambda db: build_preview(db, path, layout, instrument),
            self._show,
            self._failed,
            "preview import",
        )

    def _failed(self, error: BaseException) -> None:
        self.busy.setVisible(False)
        self.preview = None
        self.rows_table.setRowCount(0)
        self.mapping_table.setRowCount(0)
        self.status_label.setStyleSheet(ERROR_STYLE)
        self.status_label.setText(f"Cannot read this file: {error}. Go back and choose another.")
        self.changed.emit()

    def _show(self, preview: FilePreview) -> None:
        self.busy.setVisible(False)
        self.preview = preview
        self._fill_instruments(preview.instruments)
        self.layout_combo.setItemText(
            0, f"Detected: {LAYOUT_NAMES.get(preview.detected_layout, preview.detected_layout)}"
        )
        for combo in (self.layout_combo, self.instrument_combo):
            combo.setEnabled(not preview.is_folder)
        self.instrument_combo.setEnabled(preview.layout == "wide")
        if preview.problem:
            self.status_label.setStyleSheet(ERROR_STYLE)
            self.status_label.setText(
                f"Cannot import with this layout: {preview.problem}. "
                "Choose another layout (or instrument) above."
            )
        else:
            kinds = [r.kind for r in preview.roles]
            self.status_label.setStyleSheet(OK_STYLE)
            dropped = kinds.count("dropped")
            self.status_label.setText(
                f"{preview.path.name}: {preview.description}; read as "
                f"{LAYOUT_NAMES.get(preview.layout, preview.layout).split(':')[0]}. "
                f"{len(kinds) - kinds.count('ignored') - dropped} of {len(kinds)} columns are "
                f"imported" + (f"; {dropped} dropped as possible names" if dropped else "") + "."
            )
        self._fill_rows(preview)
        self._fill_mapping(preview)
        self.changed.emit()

    def _fill_instruments(self, names: list[str]) -> None:
        current = self.instrument_combo.currentData()
        have = [self.instrument_combo.itemData(i) for i in range(self.instrument_combo.count())]
        if have[1:] == names:
            return
        self.instrument_combo.blockSignals(True)
        self.instrument_combo.clear()
        self.instrument_combo.addItem("From the column names", None)
        for name in names:
            self.instrument_combo.addItem(name, name)
        index = self.instrument_combo.findData(current)
        self.instrument_combo.setCurrentIndex(max(index, 0))
        self.instrument_combo.blockSignals(False)

    def _fill_rows(self, preview: FilePreview) -> None:
        table = self.rows_table
        table.clear()
        table.setColumnCount(len(preview.header))
        table.setRowCount(len(preview.rows))
        self.rows_title.setText(f"First {len(preview.rows)} rows (row numbers as in a spreadsheet)")
        for col, role in enumerate(preview.roles):
            head = QTableWidgetItem(f"{role.column}\n{role.short}")
            head.setToolTip(f"{role.column} → {role.target}")
            table.setHorizontalHeaderItem(col, head)
        muted = QBrush(QColor("#a0adb3"))
        for r, (number, cells) in enumerate(preview.rows):
            table.setVerticalHeaderItem(r, QTableWidgetItem(str(number)))
            for col, value in enumerate(cells[: len(preview.header)]):
                item = _item(value or "")
                kind = preview.roles[col].kind if col < len(preview.roles) else "ignored"
                if kind in ("dropped", "ignored"):
                    item.setForeground(muted)
                    font = QFont(item.font())
                    font.setStrikeOut(kind == "dropped")
                    item.setFont(font)
                table.setItem(r, col, item)
        table.resizeColumnsToContents()
        for col in range(table.columnCount()):
            table.setColumnWidth(col, min(max(table.columnWidth(col), 64), 180))

    def _fill_mapping(self, preview: FilePreview) -> None:
        table = self.mapping_table
        table.setRowCount(len(preview.roles))
        for r, role in enumerate(preview.roles):
            background, foreground = KIND_COLOURS.get(role.kind, KIND_COLOURS["ignored"])
            column = _item(role.column)
            target = _item(role.target, f"{KIND_LABELS.get(role.kind, '')}: {role.target}")
            target.setBackground(QBrush(QColor(background)))
            target.setForeground(QBrush(QColor(foreground)))
            table.setItem(r, 0, column)
            table.setItem(r, 1, target)
        table.resizeColumnToContents(0)
        table.setColumnWidth(0, min(table.columnWidth(0), 180))

    def complete(self) -> bool:
        """Next needs a preview without a problem."""
        return self.preview is not None and not self.preview.problem

    def cleanup(self) -> None:
        """Going back: stop a preview still running."""
        self.cancel_job()

    def options(self) -> ImportOptions:
        """The import options chosen on this page."""
        date = self.date_combo.currentText().strip()
        if self.date_combo.currentIndex() == 0 and date == self.date_combo.itemText(0):
            date = ""
        return ImportOptions(
            layout=self.layout_combo.currentData(),
            instrument=self.instrument_combo.currentData(),
            therapist=self.therapist_edit.text().strip() or None,
            date_format=date or None,
            update=self.update_check.isChecked(),
        )
