"""Steps 3 to 5 of the import wizard: the dry run, the import itself and the summary."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
)

from practice_app.gui.import_wizard import run_import, validate
from practice_app.gui.import_wizard_pages import (
    ERROR_STYLE,
    OK_STYLE,
    WizardStep,
    _hint,
    _item,
    _JobPage,
    _table,
)
from practice_app.gui.workers import bind_progress_bar
from practice_app.importers import ImportRefused, ImportSummary
from practice_app.importers.records import Problem
from practice_app.progress import Progress

if TYPE_CHECKING:
    from practice_app.gui.import_wizard import ImportWizard


def fill_problems(table: QTableWidget, problems: list[Problem]) -> None:
    """List bad rows: spreadsheet row, column, value, why."""
    table.setRowCount(len(problems))
    for r, p in enumerate(problems):
        row = _item(str(p.row))
        row.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        table.setItem(r, 0, row)
        table.setItem(r, 1, _item(p.field))
        table.setItem(r, 2, _item(p.value))
        table.setItem(r, 3, _item(p.message))
    table.resizeColumnsToContents()
    table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)


class ValidationPage(_JobPage):
    """Step 3: a dry run over the whole file, with every bad row listed."""

    step_name = "Check every row"
    title = "Check every row"
    subtitle = "A dry run reads the whole file with the import's rules. Nothing is written yet."
    next_text = "Import"

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.summary: ImportSummary | None = None
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        self.progress_bar = QProgressBar()
        layout.addWidget(self.progress_bar)
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.headline.setStyleSheet("font-size: 11pt;")
        layout.addWidget(self.headline)
        self.detail = _hint()
        layout.addWidget(self.detail)
        self.problems_table = _table(["Row", "Column", "Value", "Problem"])
        header = self.problems_table.horizontalHeader()
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.problems_table, 100)
        self.skip_check = QCheckBox(
            "Skip the invalid rows and import the rest (the summary lists the skipped rows)"
        )
        layout.addWidget(self.skip_check)
        layout.addStretch(1)  # keeps the text at the top when there is no table
        self.skip_check.toggled.connect(self.changed)

    def skip_invalid(self) -> bool:
        """Whether the user chose to import the good rows only."""
        return self.skip_check.isChecked()

    def initialize(self) -> None:
        """Start the dry run."""
        path = self.w.path
        if path is None:
            return
        options = self.w.import_options()
        self.summary = None
        self.skip_check.setChecked(False)
        self.skip_check.setVisible(False)
        self.problems_table.setRowCount(0)
        self.problems_table.setVisible(False)
        self.detail.setText("")
        self.headline.setStyleSheet("font-size: 11pt;")
        self.headline.setText(f"Checking {path.name}…")
        self.progress_bar.setVisible(True)
        progress = Progress()
        job = self.run(
            lambda db: validate(db, path, options, progress),
            self._show,
            self._failed,
            "validate import",
            progress,
        )
        bind_progress_bar(job, self.progress_bar)
        self.changed.emit()

    def cleanup(self) -> None:
        """Going back: stop the dry run."""
        self.cancel_job()

    def _failed(self, error: BaseException) -> None:
        self.progress_bar.setVisible(False)
        self.headline.setStyleSheet("font-size: 11pt;" + ERROR_STYLE)
        self.headline.setText(f"The file cannot be imported: {error}")
        self.detail.setText("Go back to change the layout, instrument or date format.")
        self.changed.emit()

    def _show(self, summary: ImportSummary) -> None:
        self.progress_bar.setVisible(False)
        self.summary = summary
        problems = summary.rejected
        n = len(problems) + summary.more_rejected
        counts = (
            f"{summary.sessions:,} sessions of {summary.clients:,} clients in "
            f"{summary.episodes:,} episodes: {summary.new_sessions:,} new, "
            f"{summary.already_present:,} already in the database"
        )
        if summary.updated:
            counts += f", {summary.updated:,} to be overwritten"
        if n == 0:
            self.headline.setStyleSheet("font-size: 11pt;" + OK_STYLE)
            self.headline.setText(f"Every row is valid. The file holds {counts}.")
            self.detail.setText("Choose Import to write them, as one transaction.")
        else:
            self.headline.setStyleSheet("font-size: 11pt;" + ERROR_STYLE)
            self.headline.setText(
                f"{n:,} problem{'s' if n != 1 else ''} found. As it is, the file would be "
                "refused and nothing written."
            )
            self.detail.setText(
                f"Without the invalid rows the file holds {counts}. Fix the rows in the file "
                "and check it again (Back, then Next), or skip them below."
                + (
                    f" Only the first {len(problems):,} are listed."
                    if summary.more_rejected
                    else ""
                )
            )
        self.problems_table.setVisible(n > 0)
        self.skip_check.setVisible(n > 0)
        fill_problems(self.problems_table, problems)
        self.changed.emit()

    def problem_count(self) -> int:
        """How many problems the dry run found."""
        s = self.summary
        return 0 if s is None else len(s.rejected) + s.more_rejected

    def complete(self) -> bool:
        """Import needs a finished check, and either no problems or skip chosen."""
        return self.summary is not None and (self.problem_count() == 0 or self.skip_invalid())


class ImportPage(_JobPage):
    """Step 4: the import with a progress bar; Cancel rolls it back."""

    step_name = "Import"
    title = "Importing"
    next_text = ""  # the summary follows by itself
    subtitle = (
        "The import is one transaction: nothing is written until the whole file is in. "
        "Cancel rolls it back and leaves the database exactly as it was."
    )

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.summary: ImportSummary | None = None
        self.progress_hook: Callable[[Progress], None] | None = None
        """Called with the import's Progress before the work starts (tests pause it)."""
        self._close_requested = False
        self._active = False
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addStretch(1)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setStyleSheet("font-size: 11pt;")
        layout.addWidget(self.status_label)
        row = QHBoxLayout()
        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(True)
        row.addWidget(self.progress_bar, 1)
        self.cancel_button = QPushButton("Cancel import")
        row.addWidget(self.cancel_button)
        layout.addLayout(row)
        layout.addStretch(2)
        self.cancel_button.clicked.connect(self.cancel_job)

    @property
    def running(self) -> bool:
        """Whether the import is under way."""
        return self._active

    def initialize(self) -> None:
        """Start the import."""
        path = self.w.path
        if path is None:
            return
        options = self.w.import_options()
        self.summary = None
        self.status_label.setStyleSheet("font-size: 11pt;")
        self.status_label.setText(f"Importing {path.name}…")
        self.cancel_button.setEnabled(True)
        self.cancel_button.setVisible(True)
        self.progress_bar.setVisible(True)
        progress = Progress()
        self._active = True
        if self.progress_hook is not None:
            self.progress_hook(progress)
        job = self.run(
            lambda db: run_import(db, path, options, progress),
            self._done,
            self._failed,
            "import",
            progress,
        )
        job.cancelled.connect(self._cancelled)
        bind_progress_bar(job, self.progress_bar)
        self.changed.emit()

    def can_go_back(self) -> bool:
        """Not while the worker writes, nor once imported (the summary follows)."""
        return not self.running and self.summary is None

    def cancel_and_close(self) -> bool:
        """Cancel a running import and close once it has rolled back; False when none runs."""
        if not self.running:
            return False
        self._close_requested = True
        self.cancel_job()
        return True

    def _finished(self, text: str, style: str) -> None:
        self._active = False  # the job's own "done" is set only after its signals ran
        self.cancel_button.setVisible(False)
        self.progress_bar.setVisible(False)
        self.status_label.setStyleSheet("font-size: 11pt;" + style)
        self.status_label.setText(text)
        self.changed.emit()
        if self._close_requested:
            self.w.done(0)

    def _done(self, summary: ImportSummary) -> None:
        self.summary = summary
        self.w.summary = summary
        self._finished("Imported.", OK_STYLE)
        self.w.imported.emit(summary)
        if not self._close_requested:
            self.w.next()

    def _cancelled(self) -> None:
        self._finished(
            "Import cancelled. Nothing was written: the database is exactly as it was. "
            "Go back to check the file again, or close.",
            "",
        )

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, ImportRefused):
            n = len(error.summary.rejected) + error.summary.more_rejected
            text = (
                f"The file was refused ({n:,} problems); nothing was written. Go back to see them."
            )
        else:
            text = f"The import failed and was rolled back; nothing was written. {error}"
        self._finished(text, ERROR_STYLE)

    def cleanup(self) -> None:
        """Going back (only possible once the import stopped)."""
        self.cancel_job()

    def complete(self) -> bool:
        """Next (to the summary) once imported."""
        return self.summary is not None


class SummaryPage(WizardStep):
    """Step 5: what the file brought in."""

    step_name = "Summary"
    title = "Import finished"
    subtitle = "What the file brought in. The window behind shows the new data already."
    next_text = ""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.headline.setStyleSheet("font-size: 12pt; font-weight: 600;" + OK_STYLE)
        layout.addWidget(self.headline)
        panel = QFrame()
        panel.setObjectName("panel")
        self.form = QFormLayout(panel)
        self.form.setContentsMargins(18, 14, 18, 14)
        self.form.setHorizontalSpacing(18)
        self.form.setVerticalSpacing(7)
        self.values: dict[str, QLabel] = {}
        for key, label in (
            ("therapists", "Therapists"),
            ("clients", "Clients"),
            ("episodes", "Episodes of care"),
            ("sessions", "Sessions"),
            ("scores", "Scores per instrument"),
            ("dropped", "Dropped columns"),
            ("ignored", "Columns not imported"),
            ("extra", "Also restored"),
            ("skipped", "Skipped rows"),
        ):
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            caption = QLabel(label)
            caption.setStyleSheet("font-weight: 600; color: #37474f;")
            self.values[key] = value
            self.form.addRow(caption, value)
        layout.addWidget(panel)
        self.skipped_table = _table(["Row", "Column", "Value", "Problem"])
        self.skipped_table.horizontalHeader().setSectionResizeMode(
            3, QHeaderView.ResizeMode.Stretch
        )
        layout.addWidget(self.skipped_table, 100)
        self.footer = _hint()
        layout.addWidget(self.footer)
        layout.addStretch(1)

    def can_go_back(self) -> bool:
        """The import is done: nothing to go back to."""
        return False

    def initialize(self) -> None:
        """Fill in the summary of the import."""
        s = self.w.summary
        if s is None:
            return
        self.headline.setText(
            f"{Path(s.file).name}: {s.new_sessions:,} new session"
            f"{'s' if s.new_sessions != 1 else ''} imported."
        )
        sessions = f"{s.sessions:,}: {s.new_sessions:,} new, {s.already_present:,} already present"
        if s.updated:
            sessions += f", {s.updated:,} overwritten"
        scores = ", ".join(f"{name} {n:,}" for name, n in sorted(s.scores.items()))
        skipped = len(s.rejected) + s.more_rejected
        texts = {
            "therapists": f"{s.therapists:,}",
            "clients": f"{s.clients:,}",
            "episodes": f"{s.episodes:,}",
            "sessions": sessions,
            "scores": scores or "none",
            "dropped": (", ".join(s.dropped_columns) + " (may hold names; never stored)")
            if s.dropped_columns
            else "none",
            "ignored": ", ".join(s.ignored_columns) or "none",
            "extra": ", ".join(f"{k} {v:,}" for k, v in s.extra.items()),
            "skipped": f"{skipped:,}" + (" (listed below; not imported)" if skipped else ""),
        }
        for key, text in texts.items():
            self.values[key].setText(text)
            label = self.form.labelForField(self.values[key])
            visible = key != "extra" or bool(s.extra)
            self.values[key].setVisible(visible)
            if label is not None:
                label.setVisible(visible)
        self.skipped_table.setVisible(bool(s.rejected))
        fill_problems(self.skipped_table, s.rejected)
        self.footer.setText(
            "The counts are of what the file holds without the skipped rows: imported now plus "
            "already present. Importing the same file again adds nothing."
        )
