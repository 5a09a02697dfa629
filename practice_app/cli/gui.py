"""``practice-app gui [--view NAME] [--screenshot FILE.png]``: open the window or render it to PNG.

Qt is imported only inside ``run`` (after the view is validated), so other
commands, and a bad --view, never load it.
"""

from __future__ import annotations

import argparse
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from practice_app.errors import AppError, UserError

SCREENSHOT_SIZE = (1280, 800)
SCREENSHOT_TIMEOUT_S = 60
# The offscreen platform says this whenever a window is shown; it means nothing here.
_OFFSCREEN_NOISE = ("This plugin does not support propagateSizeHints()",)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the gui command's options."""
    from practice_app.gui.registry import valid_views

    parser.add_argument(
        "--view",
        metavar="NAME",
        help=f"screen to open ({', '.join(valid_views())}; default: the home screen)",
    )
    parser.add_argument(
        "--screenshot",
        metavar="FILE.png",
        help=f"render the window at {SCREENSHOT_SIZE[0]}x{SCREENSHOT_SIZE[1]} offscreen once "
        "its data has loaded, save it as PNG and exit",
    )


def run(args: argparse.Namespace) -> int:
    """Validate the view, open the database, then show the window or save a screenshot."""
    from practice_app.gui.registry import parse_view

    view = parse_view(args.view) if args.view else None
    screenshot = Path(args.screenshot).expanduser().resolve() if args.screenshot else None
    if screenshot is not None:
        if screenshot.suffix.lower() != ".png":
            raise UserError(f"--screenshot needs a .png file name, not '{screenshot.name}'")
        if not screenshot.parent.is_dir():
            raise UserError(f"cannot write {screenshot}: the folder does not exist")
        # Before QApplication exists: never open a real window for a screenshot.
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    # Open (and migrate) the database on a thread while Qt starts: Qt's start-up is
    # mostly C++ that releases the GIL, so the two overlap and the window comes sooner.
    with ThreadPoolExecutor(1, thread_name_prefix="open-database") as pool:
        opening = pool.submit(_open_database, args.db)
        try:
            app = make_application()
            from practice_app.gui.main_window import MainWindow
            from practice_app.gui.settings import app_settings
        finally:
            db = opening.result()  # raises the UserError/AppError of a bad --db

    window = MainWindow(db, app_settings(), view)
    app.aboutToQuit.connect(window.shutdown)
    if screenshot is None:
        window.show()
        return int(app.exec())
    _quiet_offscreen_noise()
    try:
        save_screenshot(app, window, screenshot)
    finally:
        window.shutdown()
        # Delete the window before the interpreter tears Qt down: leaving it to the
        # garbage collector after QApplication is gone crashes at exit.
        import shiboken6

        shiboken6.delete(window)
    return 0


def _open_database(target: str | None) -> Any:
    from practice_app.storage.database import open_database

    return open_database(target)


def make_application() -> Any:
    """Return the QApplication (created once), with names, icon and the app style sheet."""
    from PySide6.QtWidgets import QApplication

    from practice_app.gui.dialogs import app_icon
    from practice_app.gui.settings import APPLICATION, ORGANIZATION
    from practice_app.resources import resource_path

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("practice-app")
    app.setWindowIcon(app_icon())
    app.setStyle("Fusion")  # the same calm look on every platform and offscreen
    app.setStyleSheet(resource_path("styles", "app.qss").read_text(encoding="utf-8"))
    return app


def _quiet_offscreen_noise() -> None:
    """Pass Qt's messages on to stderr, except the offscreen platform's harmless notice."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    def handler(kind: QtMsgType, _context: Any, message: str) -> None:
        if kind == QtMsgType.QtWarningMsg and message.startswith(_OFFSCREEN_NOISE):
            return
        print(message, file=sys.stderr)

    qInstallMessageHandler(handler)


def save_screenshot(app: Any, window: Any, path: Path) -> None:
    """Render ``window`` at the screenshot size once its page is ready; write the PNG."""
    from PySide6.QtCore import QEvent, QEventLoop, Qt, QTimer

    outcome: dict[str, str] = {}
    loop = QEventLoop()

    def ready() -> None:
        outcome.setdefault("ready", "")
        loop.quit()

    def failed(message: str) -> None:
        outcome.setdefault("failed", message)
        loop.quit()

    window.ready.connect(ready)
    window.failed.connect(failed)
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(loop.quit)
    timer.start(SCREENSHOT_TIMEOUT_S * 1000)
    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    window.resize(*SCREENSHOT_SIZE)
    window.show()
    loop.exec()
    timer.stop()
    if "failed" in outcome:
        raise AppError(outcome["failed"])
    if "ready" not in outcome:
        raise AppError(f"the window did not finish loading within {SCREENSHOT_TIMEOUT_S} s")
    window.resize(*SCREENSHOT_SIZE)
    # Let layouts settle: a wrapped label that fits its height to its width posts a new
    # layout request while the first one is handled, so run a few rounds.
    for _ in range(4):
        app.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        app.processEvents()
    image = window.grab().toImage()
    if not image.save(str(path), "PNG"):
        raise AppError(f"cannot write the screenshot {path}")
