"""The import wizard: choose a file, check how it maps, validate, import, see what came in.

Every step that reads the file or the database runs on the window's database
worker (``Workers.database``); the wizard only shows results. The import is one
transaction: cancelling it (or any error) rolls everything back.

    wizard = open_import_wizard(window)            # File ▸ Import… (Ctrl+I)
    wizard = open_import_wizard(window, path)      # a file dropped somewhere

The functions ``build_preview``, ``validate`` and ``run_import`` are Qt-free and
run on the worker; the pages live in ``import_wizard_pages``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from practice_app.errors import UserError
from practice_app.gui.workers import Workers
from practice_app.importers import (
    ImportOptions,
    ImportSummary,
    detect_layout,
    import_path,
    make_plan,
    open_table,
)
from practice_app.importers.layouts import Plan
from practice_app.progress import Progress

if TYPE_CHECKING:
    from practice_app.gui import import_wizard_pages as pages_module
    from practice_app.gui.main_window import MainWindow
    from practice_app.storage.database import Database

PREVIEW_ROWS = 20
LAYOUT_NAMES = {
    "openfit": "OpenFIT flat file",
    "camcops-ors": "CamCOPS ORS task table",
    "camcops-srs": "CamCOPS SRS task table",
    "long": "Long: a row per session",
    "wide": "Wide: a row per client",
    "export folder": "A folder written by File ▸ Export",
}
_FIXED_TARGETS = {
    "client": ("Client code", "client"),
    "therapist_code": ("Therapist code", "therapist"),
    "therapist_first": ("Therapist first name", "therapist"),
    "therapist_last": ("Therapist last name", "therapist"),
    "therapist_email": ("Therapist e-mail", "therapist"),
    "therapist_name": ("Therapist name", "therapist"),
    "episode": ("Episode of care", "episode"),
    "case_date": ("Episode start date", "date"),
    "session": ("Session number", "session"),
    "date": ("Session date", "date"),
    "notes": ("Session notes", "session"),
}
KIND_LABELS = {
    "instrument": "Score",
    "client": "Client",
    "therapist": "Therapist",
    "episode": "Episode",
    "session": "Session",
    "date": "Date",
    "attribute": "Client attribute",
    "dropped": "Dropped",
    "ignored": "Ignored",
}


@dataclass(frozen=True)
class ColumnRole:
    """Where one column of the file goes."""

    column: str
    target: str
    kind: str
    """A key of KIND_LABELS."""

    @property
    def short(self) -> str:
        """A few words for a column header: 'Client code', 'ORS item 1', 'dropped'."""
        if self.target == "—":  # the layout does not fit: nothing maps
            return self.target
        if self.kind in ("dropped", "ignored", "attribute"):
            return {"dropped": "dropped", "ignored": "not imported"}.get(self.kind, "attribute")
        return self.target.split(":")[0].replace(" total, ", " ")


@dataclass
class FilePreview:
    """What the mapping page shows: the first rows and how every column maps."""

    path: Path
    description: str
    header: list[str]
    rows: list[tuple[int, list[str | None]]]
    detected_layout: str
    layout: str
    roles: list[ColumnRole] = field(default_factory=list)
    problem: str = ""
    """Why the file cannot be imported with this layout ("" when it can)."""
    instruments: list[str] = field(default_factory=list)
    is_folder: bool = False


def column_roles(plan: Plan) -> list[ColumnRole]:
    """Map every column of the plan's header to a target, in header order."""
    targets: dict[int, tuple[str, str]] = {}
    for slot, fixed in _FIXED_TARGETS.items():
        index = getattr(plan, slot)
        if index is not None:
            targets[index] = fixed
    for index, name in plan.attributes.items():
        label = f"{name[5:]} (custom)" if name.startswith("attr:") else name.replace("_", " ")
        targets[index] = (f"Client attribute: {label}", "attribute")
    for ic in plan.instruments:
        name = ic.defn.name
        if ic.total is not None:
            targets[ic.total] = (f"{name} total", "instrument")
        if ic.skip is not None:
            targets[ic.skip] = (f"{name} skipped (Y/N)", "instrument")
        for n, index in enumerate(ic.items):
            if index is not None:
                item = ic.defn.items[n] if n < len(ic.defn.items) else ""
                targets[index] = (
                    f"{name} item {n + 1}" + (f": {item}" if item else ""),
                    "instrument",
                )
    for session in plan.wide:
        for ic in session.instruments:
            if ic.total is not None:
                targets[ic.total] = (
                    f"{ic.defn.name} total, session {session.number}",
                    "instrument",
                )
    roles = []
    for index, column in enumerate(plan.header):
        if index in targets:
            target, kind = targets[index]
        elif column in plan.dropped:
            target, kind = "Dropped: may hold a name", "dropped"
        else:
            target, kind = "Not imported", "ignored"
        roles.append(ColumnRole(column or f"column {index + 1}", target, kind))
    return roles


def build_preview(
    db: Database, path: Path, layout: str | None = None, instrument: str | None = None
) -> FilePreview:
    """Read the header and first rows of ``path`` and map its columns (on the worker)."""
    from practice_app.storage.instruments import load_instruments

    with db.session() as session:
        instruments = load_instruments(session)
    is_folder = path.is_dir()
    if is_folder:
        # An export folder: its sessions file is a long-layout table with our own names.
        from practice_app.importers.folder import _Folder, is_export_folder

        if not is_export_folder(path):
            raise UserError(f"{path}: a folder, but not one written by File ▸ Export")
        table = _Folder(path).sessions_table()
        detected, layout, instrument = "export folder", "long", None
    else:
        table = open_table(path)
        detected = detect_layout(table.header)
    rows = [(n, cells) for n, cells, _done in itertools.islice(table.rows(), PREVIEW_ROWS)]
    preview = FilePreview(
        path,
        table.description,
        list(table.header),
        rows,
        detected,
        layout or detected,
        instruments=sorted(instruments),
        is_folder=is_folder,
    )
    try:
        plan = make_plan(table.header, instruments, layout=layout, instrument=instrument)
    except UserError as exc:
        preview.problem = str(exc)
        preview.roles = [ColumnRole(h, "—", "ignored") for h in table.header]
    else:
        preview.roles = column_roles(plan)
    return preview


def validate(
    db: Database, path: Path, options: ImportOptions, progress: Progress | None = None
) -> ImportSummary:
    """A dry run listing every bad row (nothing is written; on the worker)."""
    dry = ImportOptions(**{**vars(options), "dry_run": True, "skip_invalid": True})
    return import_path(db, path, dry, progress)


def run_import(
    db: Database, path: Path, options: ImportOptions, progress: Progress | None = None
) -> ImportSummary:
    """The import itself, one transaction (on the worker)."""
    real = ImportOptions(**{**vars(options), "dry_run": False})
    return import_path(db, path, real, progress)


def summary_line(summary: ImportSummary) -> str:
    """One sentence for the status bar."""
    name = Path(summary.file).name
    return (
        f"Imported {name}: {summary.new_sessions:,} new sessions, "
        f"{summary.already_present:,} already present, {len(summary.rejected):,} rows skipped"
    )


class ImportWizard(QDialog):
    """Five steps: file, mapping, validation, import, summary.

    A stepped dialog rather than QWizard: QWizard polls ``QWizardPage.isComplete``, a
    bool-returning Python override, and PySide6 6.12 on Python 3.11 loses a reference
    to True on every such call (the interpreter aborts after a few hundred).
    """

    imported = Signal(object)
    """The ImportSummary of a successful import (emitted once)."""

    def __init__(self, workers: Workers, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from practice_app.gui import import_wizard_checks as checks
        from practice_app.gui import import_wizard_pages as pages

        self.workers = workers
        self.path: Path | None = None
        self.batch_size = ImportOptions().batch_size
        self.summary: ImportSummary | None = None
        self.setWindowTitle("Import outcome history")
        self.setObjectName("importWizard")
        # A disabled Next is greyed by the app style (QPushButton#primaryButton:disabled).
        self.setStyleSheet("QDialog#importWizard { background: #f6f7f8; }")
        self.setMinimumSize(960, 660)
        self.file_page = pages.FilePage(self)
        self.mapping_page = pages.MappingPage(self)
        self.validation_page = checks.ValidationPage(self)
        self.import_page = checks.ImportPage(self)
        self.summary_page = checks.SummaryPage(self)
        self.pages: list[pages.WizardStep] = [
            self.file_page,
            self.mapping_page,
            self.validation_page,
            self.import_page,
            self.summary_page,
        ]
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        steps = QFrame()
        steps.setObjectName("wizardSteps")
        steps.setStyleSheet(
            "QFrame#wizardSteps { background: #eceff1; border-right: 1px solid #d9dee2; }"
        )
        steps.setFixedWidth(210)
        steps_layout = QVBoxLayout(steps)
        steps_layout.setContentsMargins(18, 24, 12, 18)
        steps_layout.setSpacing(10)
        heading = QLabel("Import")
        heading.setStyleSheet("font-size: 14pt; font-weight: 600; color: #263238;")
        steps_layout.addWidget(heading)
        self.step_labels: list[QLabel] = []
        for number, page in enumerate(self.pages, start=1):
            label = QLabel(f"{number}  {page.step_name}")
            self.step_labels.append(label)
            steps_layout.addWidget(label)
        steps_layout.addStretch(1)
        outer.addWidget(steps)
        body = QVBoxLayout()
        body.setContentsMargins(24, 20, 24, 16)
        body.setSpacing(6)
        self.title_label = QLabel()
        self.title_label.setObjectName("screenTitle")
        self.subtitle_label = QLabel()
        self.subtitle_label.setObjectName("screenSubtitle")
        self.subtitle_label.setWordWrap(True)
        body.addWidget(self.title_label)
        body.addWidget(self.subtitle_label)
        body.addSpacing(8)
        self.stack = QStackedWidget()
        for page in self.pages:
            self.stack.addWidget(page)
            page.changed.connect(self.update_buttons)
        body.addWidget(self.stack, 1)
        buttons = QHBoxLayout()
        self.back_button = QPushButton("Back")
        self.cancel_button = QPushButton("Cancel")
        self.next_button = QPushButton("Next")
        self.next_button.setObjectName("primaryButton")
        self.next_button.setDefault(True)
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.next_button)
        body.addLayout(buttons)
        outer.addLayout(body, 1)
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        self.cancel_button.clicked.connect(self._cancel_or_close)
        self._show_page(0)

    # ----- navigation ---------------------------------------------------------------------
    def current_page(self) -> pages_module.WizardStep:
        """The step on show."""
        return self.pages[self.stack.currentIndex()]

    def _show_page(self, index: int) -> None:
        self.stack.setCurrentIndex(index)
        page = self.pages[index]
        self.title_label.setText(page.title)
        self.subtitle_label.setText(page.subtitle)
        for number, label in enumerate(self.step_labels):
            if number == index:
                style = "color: #ffffff; background: #2f6f73; font-weight: 600;"
            elif number < index:
                style = "color: #2f6f73;"
            else:
                style = "color: #78909c;"
            label.setStyleSheet(style + " padding: 6px 8px; border-radius: 6px;")
        self.update_buttons()

    def update_buttons(self) -> None:
        """Enable Back and Next as the current step allows."""
        index = self.stack.currentIndex()
        page = self.pages[index]
        last = index == len(self.pages) - 1
        self.back_button.setVisible(not last)
        self.back_button.setEnabled(index > 0 and page.can_go_back())
        self.next_button.setVisible(not last and page.next_text != "")
        self.next_button.setText(page.next_text or "Next")
        self.next_button.setEnabled(page.complete())
        self.cancel_button.setText("Close" if last else "Cancel")

    def next(self) -> None:
        """Go to the next step if the current one is complete."""
        index = self.stack.currentIndex()
        page = self.pages[index]
        if index + 1 >= len(self.pages) or not page.complete() or not page.accept_step():
            return
        self._show_page(index + 1)
        self.pages[index + 1].initialize()
        self.update_buttons()

    def back(self) -> None:
        """Go back one step (the step left stops its work)."""
        index = self.stack.currentIndex()
        if index == 0 or not self.pages[index].can_go_back():
            return
        self.pages[index].cleanup()
        self._show_page(index - 1)

    def import_options(self) -> ImportOptions:
        """The options the pages collected (the mapping page owns most of them)."""
        options = self.mapping_page.options()
        options.skip_invalid = self.validation_page.skip_invalid()
        options.batch_size = self.batch_size
        return options

    # ----- closing ------------------------------------------------------------------------
    def _cancel_or_close(self) -> None:
        if self.stack.currentIndex() == len(self.pages) - 1:
            self.accept()
        else:
            self.reject()

    def reject(self) -> None:
        """Close; a running import is cancelled first (rolled back), then the wizard closes."""
        if self.import_page.cancel_and_close():
            return
        for page in (self.mapping_page, self.validation_page):
            page.cancel_job()
        super().reject()


def _after_import(window: MainWindow, summary: ImportSummary) -> None:
    window.show_status(summary_line(summary))
    for screen in window.screens.values():
        screen.reload()
    if window.current_screen() is None:  # the welcome (or blank) page: the data is here now
        window.show_view(None)


def open_import_wizard(window: MainWindow, path: Path | str | None = None) -> ImportWizard:
    """File ▸ Import…: open the wizard over ``window`` (optionally with a file chosen)."""
    wizard = ImportWizard(window.workers, window)
    wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    wizard.imported.connect(lambda summary: _after_import(window, summary))
    if path is not None:
        wizard.file_page.set_path(Path(path))
    wizard.open()
    return wizard
