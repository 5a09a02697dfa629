"""The GUI's report export: off the GUI thread, status bar on success, message box on failure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from practice_app.demo import load_demo
from practice_app.gui.main_window import MainWindow
from practice_app.gui.report_export import export_report, print_support, suggested_name
from practice_app.storage.database import Database

TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def demo_window(db: Database, make_window: Callable[..., MainWindow], qtbot: Any) -> MainWindow:
    """A window on the demo database (generated as of TODAY)."""
    load_demo(db, today=TODAY)
    window = make_window(db)
    qtbot.waitUntil(lambda: not window.workers.busy, timeout=20_000)
    return window


def _messages(window: MainWindow) -> str:
    return window.statusBar().currentMessage()


@pytest.mark.parametrize("suffix", ["pdf", "html"])
def test_consult_brief_is_written_off_the_gui_thread(
    demo_window: MainWindow, qtbot: Any, tmp_path: Path, suffix: str
) -> None:
    out = tmp_path / f"brief.{suffix}"
    run = export_report(
        demo_window, demo_window.context, "consult", code="C0034", path=out, today=TODAY, fmt=suffix
    )
    assert run is not None
    with qtbot.waitSignal(run.done, timeout=30_000) as done:
        pass
    assert done.args == [out]
    data = out.read_bytes()
    assert data.startswith(b"%PDF" if suffix == "pdf" else b"<!DOCTYPE html>")
    assert _messages(demo_window) == f"Saved {out}"
    qtbot.waitUntil(lambda: not demo_window.workers.busy, timeout=10_000)


def test_weekly_review_export(demo_window: MainWindow, qtbot: Any, tmp_path: Path) -> None:
    out = tmp_path / "week.pdf"
    run = export_report(
        demo_window,
        demo_window.context,
        "weekly",
        week_start=dt.date(2026, 11, 25),
        path=out,
        today=TODAY,
    )
    assert run is not None
    with qtbot.waitSignal(run.done, timeout=30_000):
        pass
    assert out.read_bytes().startswith(b"%PDF")
    qtbot.waitUntil(lambda: not demo_window.workers.busy, timeout=10_000)


def test_unknown_client_fails_in_a_message_box(
    demo_window: MainWindow, qtbot: Any, tmp_path: Path
) -> None:
    out = tmp_path / "nobody.pdf"
    run = export_report(
        demo_window, demo_window.context, "consult", code="ZZ999", path=out, today=TODAY
    )
    assert run is not None
    with qtbot.waitSignal(run.failed, timeout=30_000) as failed:
        pass
    assert "ZZ999" in failed.args[0]
    box = demo_window.findChild(QMessageBox, "reportExportError")
    assert box is not None and box.isVisible()
    assert "ZZ999" in box.text()
    box.close()
    assert not out.exists()
    qtbot.waitUntil(lambda: not demo_window.workers.busy, timeout=10_000)


def test_file_names_and_print_support() -> None:
    assert (
        suggested_name("consult", code="C 01/x", week_start=None, fmt="pdf") == "brief-C_01_x.pdf"
    )
    assert (
        suggested_name("weekly", code=None, week_start=dt.date(2026, 11, 30), fmt="html")
        == "weekly-2026-11-30.html"
    )
    # PySide6-Essentials ships QtPrintSupport, so "print" opens the print dialog.
    assert print_support()


def test_print_lays_out_pages_on_the_chosen_printer(
    demo_window: MainWindow, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    out = tmp_path / "printed.pdf"

    def accept(dialog: QPrintDialog) -> int:
        # The user picks "print to file"; no real printer is needed in the test.
        printer = dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        return int(QPrintDialog.DialogCode.Accepted.value)

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    run = export_report(
        demo_window, demo_window.context, "consult", code="C0034", fmt="print", today=TODAY
    )
    assert run is not None
    with qtbot.waitSignal(run.done, timeout=30_000):
        pass
    assert out.read_bytes().startswith(b"%PDF")
    assert _messages(demo_window).startswith("Sent ")
    assert "to the printer" in _messages(demo_window)
    qtbot.waitUntil(lambda: not demo_window.workers.busy, timeout=10_000)


def test_cancel_writes_nothing(demo_window: MainWindow, qtbot: Any, tmp_path: Path) -> None:
    out = tmp_path / "cancelled.pdf"
    run = export_report(
        demo_window, demo_window.context, "consult", code="C0034", path=out, today=TODAY
    )
    assert run is not None
    with qtbot.waitSignal(run.cancelled, timeout=30_000):
        run.cancel()  # what the progress dialog's Cancel button does
    qtbot.waitUntil(lambda: not demo_window.workers.busy, timeout=10_000)
    assert not out.exists()
    assert not list(tmp_path.glob("*.part"))
    assert _messages(demo_window) == "Export cancelled"
