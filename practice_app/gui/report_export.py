"""Export the weekly review or a consultation brief as PDF or HTML, or print it.

Screens call :func:`export_report`. It asks for a file name, then works in three
steps so the window never blocks:

1. the data is loaded on the database worker (``services.report_data``);
2. the chart images are drawn on the GUI thread (pyqtgraph's items are not
   thread-safe; a chart takes a few tens of milliseconds);
3. the template is rendered and the HTML or PDF written on the thread pool
   (QTextDocument and QPdfWriter are reentrant).

A progress dialog (shown only when the work takes more than a moment) can cancel
it; success is reported in the status bar, failure in a message box. Printing lays
the pages out on the GUI thread, since a QPrinter belongs to the print dialog's
thread; the data and charts are prepared as for a file first.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Literal

from PySide6.QtCore import QObject, QStandardPaths, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget

from practice_app.gui.screens.base import ScreenContext
from practice_app.gui.settings import app_settings
from practice_app.gui.workers import Job
from practice_app.progress import Cancelled, Progress

Kind = Literal["weekly", "consult"]
ExportFormat = Literal["pdf", "html", "print"]
FOLDER_KEY = "reports/lastFolder"
FILTERS = {"pdf": "PDF document (*.pdf)", "html": "Web page, one file (*.html)"}


def print_support() -> bool:
    """Whether QtPrintSupport can be imported (it ships with PySide6-Essentials)."""
    try:
        from PySide6 import QtPrintSupport  # noqa: F401
    except ImportError:
        return False
    return True


def suggested_name(kind: Kind, *, code: str | None, week_start: dt.date | None, fmt: str) -> str:
    """A file name that says what the report is: ``brief-C0034.pdf``, ``weekly-2026-11-30.pdf``."""
    if kind == "consult":
        safe = re.sub(r"[^A-Za-z0-9_-]+", "_", code or "client")
        stem = f"brief-{safe}"
    else:
        stem = f"weekly-{(week_start or dt.date.today()).isoformat()}"
    return f"{stem}.{fmt}"


def _default_folder() -> Path:
    saved = app_settings().value(FOLDER_KEY, "")
    if saved and Path(str(saved)).is_dir():
        return Path(str(saved))
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(docs) if docs and Path(docs).is_dir() else Path.home()


def ask_path(parent: QWidget, kind: Kind, fmt: Literal["pdf", "html"], **names: Any) -> Path | None:
    """Ask where to save; None when the user cancels. Adds the extension if left off."""
    title = "Export Consultation Brief" if kind == "consult" else "Export Weekly Review"
    start = _default_folder() / suggested_name(kind, fmt=fmt, **names)
    chosen, _ = QFileDialog.getSaveFileName(parent, title, str(start), FILTERS[fmt])
    if not chosen:
        return None
    path = Path(chosen)
    wanted = (".pdf",) if fmt == "pdf" else (".html", ".htm")
    if path.suffix.lower() not in wanted:
        path = path.with_name(path.name + f".{fmt}")
    app_settings().setValue(FOLDER_KEY, str(path.parent))
    return path


class ReportExport(QObject):
    """One export under way: load, draw, write (or print). Emits ``done`` or ``failed``."""

    done = Signal(object)
    """The path written (or the printer's name when printed)."""
    failed = Signal(str)
    cancelled = Signal()

    def __init__(
        self,
        parent: QWidget,
        context: ScreenContext,
        kind: Kind,
        fmt: ExportFormat,
        path: Path | None,
        **options: Any,
    ) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.context = context
        self.kind = kind
        self.fmt = fmt
        self.path = path
        self.options = options
        self.progress = Progress()
        self.job: Job | None = None
        self.finished = False
        self.dialog = QProgressDialog("Loading the data…", "Cancel", 0, 0, parent)
        self.dialog.setWindowTitle("Exporting" if fmt != "print" else "Preparing to print")
        self.dialog.setMinimumDuration(400)  # a quick export never flashes a dialog
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.canceled.connect(self.cancel)

    # -- the three steps ---------------------------------------------------------------
    def start(self) -> None:
        """Load the data on the database worker."""
        kind, options = self.kind, dict(self.options)

        def load(session: Any) -> Any:
            from practice_app.services.report_data import load_consult_report, load_weekly_report

            if kind == "consult":
                return load_consult_report(
                    session, options["code"], options.get("episode_id"), today=options.get("today")
                )
            return load_weekly_report(
                session, options.get("week_start"), today=options.get("today")
            )

        self.job = self.context.workers.query(
            load,
            on_success=self._loaded,
            on_failure=self._fail,
            owner=self,
            progress=self.progress,
            label=f"load {kind} report",
        )
        self.job.cancelled.connect(self._cancelled)

    def _loaded(self, report: Any) -> None:
        if self.finished:
            return
        from practice_app.reports.render import report_charts

        self.dialog.setLabelText("Drawing the charts…")
        try:
            charts = report_charts(report)  # GUI thread: pyqtgraph
        except Exception as exc:  # a chart must not take the window down
            self._fail(exc)
            return
        if self.fmt == "print":
            self._print(report, charts)
            return
        self._write(report, charts)

    def _write(self, report: Any, charts: Any) -> None:
        from practice_app.reports.render import write_report

        path, progress = self.path, self.progress
        assert path is not None
        self.dialog.setLabelText(f"Writing {path.name}…")

        def show(done: int, total: int, message: str) -> None:
            if total > 0 and not self.finished:
                self.dialog.setMaximum(total)
                self.dialog.setValue(min(done, total))

        self.job = self.context.workers.analysis(
            lambda: write_report(report, charts, path, progress),
            on_success=self._written,
            on_failure=self._fail,
            owner=self,
            progress=progress,
            label=f"write {path.name}",
        )
        self.job.progressed.connect(show)
        self.job.cancelled.connect(self._cancelled)

    def _written(self, path: Path) -> None:
        self._finish()
        self.context.show_status(f"Saved {path}")
        self.done.emit(path)

    def _print(self, report: Any, charts: Any) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        from practice_app.reports.pdf import paint_pages
        from practice_app.reports.render import render_html, report_title

        self.dialog.hide()
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setFullPage(True)  # margins, header and page numbers are placed by us
        printer.setDocName(report_title(report))
        dialog = QPrintDialog(printer, self.parent_widget)
        if dialog.exec() != QPrintDialog.DialogCode.Accepted:
            self._cancelled()
            return
        try:
            html = render_html(report, charts, for_print=True)
            images = {f"chart-{name}": chart.png for name, chart in charts.items()}
            pages = paint_pages(printer, html, title=report_title(report), images=images)
        except Exception as exc:
            self._fail(exc)
            return
        self._finish()
        self.context.show_status(f"Sent {pages} page{'s' if pages != 1 else ''} to the printer")
        self.done.emit(printer.printerName() or "printer")

    # -- endings -----------------------------------------------------------------------
    def cancel(self) -> None:
        """Stop at the next step (the progress dialog's Cancel)."""
        self.progress.cancel()
        if self.job is not None:
            self.job.cancel()

    def _cancelled(self) -> None:
        if self.finished:
            return
        self._finish()
        self.context.show_status("Export cancelled")
        self.cancelled.emit()

    def _fail(self, error: BaseException) -> None:
        if isinstance(error, Cancelled):
            self._cancelled()
            return
        if self.finished:
            return
        self._finish()
        message = str(error) or type(error).__name__
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Export failed",
            f"The report could not be written.\n\n{message}",
            QMessageBox.StandardButton.Ok,
            self.parent_widget,
        )
        box.setObjectName("reportExportError")
        box.open()  # not exec(): the window keeps running
        self.failed.emit(message)

    def _finish(self) -> None:
        self.finished = True
        self.dialog.reset()
        self.dialog.hide()
        self.dialog.deleteLater()


def export_report(
    parent: QWidget,
    context: ScreenContext,
    kind: Kind,
    *,
    week_start: dt.date | None = None,
    code: str | None = None,
    episode_id: int | None = None,
    fmt: ExportFormat = "pdf",
    path: Path | None = None,
    today: dt.date | None = None,
) -> ReportExport | None:
    """Export a report from a screen; return the running export, or None when cancelled.

    ``kind`` is "weekly" (``week_start``: any day of the week, default this week) or
    "consult" (``code`` required, ``episode_id`` default the latest). ``fmt`` is
    "pdf", "html" or "print"; without QtPrintSupport "print" offers a PDF instead.
    ``path`` skips the file dialog (tests, or a caller that already asked).
    Connect to the returned object's ``done(path)`` / ``failed(message)`` if needed;
    the status bar and a message box already tell the user.
    """
    if kind == "consult" and not code:
        raise ValueError("a consultation brief needs the client's code")
    if fmt == "print" and not print_support():
        box = QMessageBox(
            QMessageBox.Icon.Information,
            "Printing is not available",
            "This installation cannot print directly. Save the report as a PDF and print that.",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
            parent,
        )
        if box.exec() != QMessageBox.StandardButton.Save:
            return None
        fmt = "pdf"
    if fmt != "print" and path is None:
        path = ask_path(parent, kind, fmt, code=code, week_start=week_start)
        if path is None:
            return None
    run = ReportExport(
        parent,
        context,
        kind,
        fmt,
        path,
        code=code,
        episode_id=episode_id,
        week_start=week_start,
        today=today,
    )
    context.show_status("Preparing the report…")
    run.start()
    return run
