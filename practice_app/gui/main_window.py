"""The main window: sidebar navigation over lazily created screens, menus, status bar.

The window owns the Database it is given (and any it switches to) and disposes
it when closed. It never runs SQL itself: every query goes through Workers.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QByteArray, QItemSelectionModel, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QWidget,
)

from practice_app.gui import settings as app_settings_mod
from practice_app.gui.dialogs import AboutDialog, WelcomePage, app_icon
from practice_app.gui.forms.ui_main_window import Ui_MainWindow
from practice_app.gui.registry import (
    EXTRA_ACTIONS,
    SCREENS,
    ViewRequest,
    parse_view,
    resolve,
)
from practice_app.gui.screens.base import Screen, ScreenContext
from practice_app.gui.workers import Job, Workers, bind_progress_bar, progress_dialog
from practice_app.progress import Progress

if TYPE_CHECKING:  # storage loads on another thread while the window is built
    from practice_app.storage.database import Database

GEOMETRY_KEY = "mainWindow/geometry"
STATE_KEY = "mainWindow/state"
DEFAULT_SIZE = (1280, 800)
DB_FILTER = "practice-app databases (*.sqlite3 *.sqlite *.db);;All files (*)"


def _is_empty(db: Database) -> bool:
    # storage.contents, not practice_app.demo: the demo generator is not needed at start-up.
    from practice_app.storage.contents import database_is_empty

    return bool(database_is_empty(db))


class MainWindow(QMainWindow):
    """The practice-app window."""

    ready = Signal()
    """The page on show has its data (a screen loaded, or the welcome page shown)."""
    failed = Signal(str)
    """Loading the page on show failed; the message says why."""
    database_changed = Signal()

    def __init__(
        self,
        db: Database,
        settings: QSettings,
        view: ViewRequest | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.ui = Ui_MainWindow()
        cast(Any, self.ui).setupUi(self)  # generated code is untyped
        self.setWindowIcon(app_icon())
        self.workers = Workers(db, self)
        self.undo_stack = QUndoStack(self)
        self.screens: dict[str, Screen] = {}
        self.current_view: ViewRequest | None = None
        self._requested_view = view
        self._demo_job: Job | None = None
        self.context = ScreenContext(
            workers=self.workers,
            undo_stack=self.undo_stack,
            open_view=self.open_view,
            trigger=self.trigger,
            commands=self.empty_state_commands,
            show_status=self.show_status,
        )
        # A blank page until the first check says welcome or screen: no welcome flash.
        self.ui.stack.addWidget(QWidget())
        self.welcome = WelcomePage()
        self.ui.stack.addWidget(self.welcome)
        self._wire_welcome()
        self._build_navigation()
        self._build_menus()
        self._db_label = QLabel()
        self._db_label.setObjectName("databaseLabel")
        self.statusBar().addPermanentWidget(self._db_label)
        self._restore_geometry()
        self._database_opened(db, remember=True)

    # ----- set-up -------------------------------------------------------------------------
    def _build_navigation(self) -> None:
        nav = self.ui.navigation
        for spec in SCREENS:
            if not spec.in_navigation:
                continue
            item = QListWidgetItem(spec.label)
            item.setData(Qt.ItemDataRole.UserRole, spec.name)
            item.setToolTip(spec.tooltip)
            nav.addItem(item)
        nav.currentItemChanged.connect(self._navigation_clicked)
        nav.itemClicked.connect(self._navigation_clicked)  # also the current, unselected item
        self._select_navigation(None)

    def _build_menus(self) -> None:
        ui = self.ui
        ui.actionNewDatabase.setShortcut(QKeySequence.StandardKey.New)
        ui.actionOpenDatabase.setShortcut(QKeySequence.StandardKey.Open)
        ui.actionBackup.setShortcut(QKeySequence("Ctrl+Shift+B"))
        ui.actionQuit.setShortcut(QKeySequence.StandardKey.Quit)
        ui.actionQuit.setMenuRole(QAction.MenuRole.QuitRole)
        ui.actionAbout.setMenuRole(QAction.MenuRole.AboutRole)
        ui.actionNewDatabase.triggered.connect(self.new_database_dialog)
        ui.actionOpenDatabase.triggered.connect(self.open_database_dialog)
        ui.actionBackup.triggered.connect(self.backup_dialog)
        ui.actionQuit.triggered.connect(self.close)
        ui.actionAbout.triggered.connect(self.show_about)
        ui.menuRecent.aboutToShow.connect(self._fill_recent_menu)
        for extra in EXTRA_ACTIONS:
            if extra.in_file_menu:
                action = QAction(extra.label, self)
                action.setToolTip(extra.description)
                if extra.shortcut:
                    action.setShortcut(QKeySequence(extra.shortcut))
                action.triggered.connect(lambda _=False, key=extra.key: self.trigger(key))
                ui.menuFile.insertAction(ui.actionBackup, action)
        undo = self.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        ui.menuEdit.addAction(undo)
        ui.menuEdit.addAction(redo)
        for number, spec in enumerate((s for s in SCREENS if s.in_navigation), start=1):
            action = QAction(spec.label, self)
            if number <= 9:
                action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.triggered.connect(lambda _=False, name=spec.name: self.open_view(name))
            ui.menuView.addAction(action)

    def _wire_welcome(self) -> None:
        ui = self.welcome.ui
        ui.loadDemoButton.clicked.connect(self.load_demo)
        ui.startFreshButton.clicked.connect(lambda: self.show_view(None))
        ui.cancelButton.clicked.connect(self._cancel_demo)
        self.welcome.file_dropped.connect(self._import_dropped)
        for spec in EXTRA_ACTIONS:
            if spec.on_welcome:
                button = QPushButton(spec.label)
                button.setToolTip(spec.description)
                button.clicked.connect(lambda _=False, key=spec.key: self.trigger(key))
                hint = QLabel(spec.description)
                hint.setObjectName("hint")
                hint.setWordWrap(True)
                ui.actionsLayout.insertWidget(2, hint)
                ui.actionsLayout.insertWidget(2, button)

    def _import_dropped(self, path: Path) -> None:
        """A file dropped on the welcome page: the import wizard, with that file chosen."""
        from practice_app.gui.import_wizard import open_import_wizard  # only when asked

        open_import_wizard(self, path)

    def _restore_geometry(self) -> None:
        geometry = self.settings.value(GEOMETRY_KEY)
        if isinstance(geometry, QByteArray) and self.restoreGeometry(geometry):
            state = self.settings.value(STATE_KEY)
            if isinstance(state, QByteArray):
                self.restoreState(state)
        else:
            self.resize(*DEFAULT_SIZE)

    # ----- the database -------------------------------------------------------------------
    @property
    def db(self) -> Database:
        """The database the window shows."""
        return self.workers.db

    def _database_opened(self, db: Database, remember: bool) -> None:
        label = db.location.label
        self.setWindowTitle(f"{Path(label).name if db.location.path else label} – practice-app")
        self.statusBar().showMessage("")
        self._set_permanent_status(f"Database: {label}")
        self.ui.actionBackup.setEnabled(db.location.path is not None)
        if remember:
            app_settings_mod.remember_database(self.settings, label)
        self.workers.database(
            _is_empty, on_success=self._emptiness_known, on_failure=self._page_failed
        )
        # Unless the database turns out empty, the first screen follows: build it now and
        # queue its load right behind the check, so the worker and the GUI thread overlap.
        QTimer.singleShot(0, self._prepare_first_screen)

    def _prepare_first_screen(self) -> None:
        if self.workers.closed:  # the window was closed before the event loop ran
            return
        request = self._requested_view or parse_view(None)
        screen = self._screen_for(request)
        warm_up = getattr(screen, "warm_up", None)
        if callable(warm_up):
            warm_up()

    def _set_permanent_status(self, text: str) -> None:
        # A long path or URL must not widen the window: elide its middle.
        metrics = self._db_label.fontMetrics()
        self._db_label.setText(metrics.elidedText(text, Qt.TextElideMode.ElideMiddle, 520))
        self._db_label.setToolTip(text)

    def _emptiness_known(self, empty: bool) -> None:
        requested, self._requested_view = self._requested_view, None
        if empty and requested is None:
            self.show_welcome()
        else:
            self.show_view(requested)

    def switch_database(self, target: str) -> Job:
        """Open ``target`` (path or URL) off the GUI thread, then make it the window's database."""
        self.show_status(f"Opening {target}…")

        from practice_app.storage.database import open_database

        def opened(new_db: Database) -> None:
            self.workers.swap_database(new_db, on_done=self._database_swapped)

        return self.workers.database(
            lambda _current: open_database(target),
            on_success=opened,
            on_failure=lambda error: self.report_error("Could not open the database", error),
            label="open database",
        )

    def _database_swapped(self, db: Database) -> None:
        for screen in self.screens.values():
            self.ui.stack.removeWidget(screen)
            screen.deleteLater()
        self.screens.clear()
        self.current_view = None
        self.undo_stack.clear()
        self._database_opened(db, remember=True)
        self.database_changed.emit()

    def new_database_dialog(self) -> None:
        """File ▸ New Database…: choose a new file and switch to it."""
        path, _ = QFileDialog.getSaveFileName(
            self, "New database", str(Path.home() / "practice.sqlite3"), DB_FILTER
        )
        if not path:
            return
        if Path(path).exists() and Path(path).stat().st_size > 0:
            self.report_error(
                "Could not create the database",
                f"{path} already exists; use File ▸ Open Database… to open it.",
            )
            return
        Path(path).unlink(missing_ok=True)  # an empty file the dialog may have created
        self.switch_database(path)

    def open_database_dialog(self) -> None:
        """File ▸ Open Database…: choose a file and switch to it."""
        start = str(self.db.location.path.parent) if self.db.location.path else str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Open database", start, DB_FILTER)
        if path:
            self.switch_database(path)

    def _fill_recent_menu(self) -> None:
        menu = self.ui.menuRecent
        menu.clear()
        current = self.db.location.label
        items = [i for i in app_settings_mod.recent_databases(self.settings) if i != current]
        for label in items:
            action = menu.addAction(label)
            action.triggered.connect(lambda _=False, target=label: self.switch_database(target))
        if not items:
            menu.addAction("No other recent databases").setEnabled(False)
        menu.addSeparator()
        menu.addAction("Clear Recent", lambda: app_settings_mod.clear_recent(self.settings))

    # ----- backup -------------------------------------------------------------------------
    def backup_dialog(self) -> None:
        """File ▸ Back Up Database…: choose where, then copy on the database worker."""
        source = self.db.location.path
        if source is None:
            return
        suggested = source.with_name(f"{source.stem}-backup-{dt.date.today():%Y-%m-%d}.sqlite3")
        path, _ = QFileDialog.getSaveFileName(self, "Back up database", str(suggested), DB_FILTER)
        if path:
            self.backup_to(Path(path))

    def backup_to(self, destination: Path) -> Job:
        """Write a consistent copy of the SQLite database to ``destination`` (replacing it)."""

        from practice_app.storage.database import sqlite_backup

        def backup(db: Database) -> Path:
            if db.location.path is None:
                raise ValueError("only an SQLite database file can be backed up from the app")
            partial = destination.with_name(destination.name + ".partial")
            partial.unlink(missing_ok=True)
            sqlite_backup(db.location.path, partial)
            os.replace(partial, destination)  # never leave a half-written backup in place
            return destination

        self.show_status("Backing up…")
        return self.workers.database(
            backup,
            on_success=lambda path: self.show_status(f"Backed up to {path}"),
            on_failure=lambda error: self.report_error("The backup failed", error),
            label="backup",
        )

    # ----- demo data ----------------------------------------------------------------------
    def load_demo(self) -> Job:
        """Fill the database with the demo data on the worker, with progress and cancel."""
        from practice_app.demo import load_demo

        progress = Progress()
        welcome_visible = self.ui.stack.currentWidget() is self.welcome
        job = self.workers.database(
            lambda db: load_demo(db, seed=1, progress=progress),
            progress=progress,
            on_success=self._demo_loaded,
            on_failure=lambda error: self._demo_failed(str(error)),
            label="load demo data",
        )
        job.cancelled.connect(lambda: self._demo_failed("Loading the demo data was cancelled."))
        self._demo_job = job
        if welcome_visible:
            self.welcome.set_busy(True)
            self.welcome.ui.statusLabel.setText("Creating three years of demo data…")
            self.welcome.ui.statusLabel.setVisible(True)
            bind_progress_bar(job, self.welcome.ui.progressBar)
        else:
            progress_dialog(job, self, "Loading demo data")
        return job

    def _cancel_demo(self) -> None:
        if self._demo_job is not None:
            self._demo_job.cancel()

    def _demo_loaded(self, summary: Any) -> None:
        self._demo_job = None
        self.welcome.set_busy(False)
        line = summary.line() if hasattr(summary, "line") else "Demo data loaded"
        self.show_status(line)
        for screen in self.screens.values():
            screen.reload()
        self.show_view(None)

    def _demo_failed(self, message: str) -> None:
        self._demo_job = None
        self.welcome.set_busy(False)
        self.welcome.ui.statusLabel.setText(message)
        self.welcome.ui.statusLabel.setVisible(True)
        self.show_status(message)

    # ----- screens ------------------------------------------------------------------------
    def empty_state_commands(self) -> list[tuple[str, str, str]]:
        """Commands offered where there is no data yet: (key, label, description)."""
        commands = [("load-demo", "Load demo data", "Three years of invented clients and practice")]
        commands += [(s.key, s.label, s.description) for s in EXTRA_ACTIONS if s.on_welcome]
        return commands

    def trigger(self, key: str) -> None:
        """Run a window command by key (``load-demo`` or an ActionSpec key)."""
        if key == "load-demo":
            self.load_demo()
            return
        for spec in EXTRA_ACTIONS:
            if spec.key == key:
                resolve(spec.handler)(self)
                return
        raise KeyError(key)

    def show_welcome(self) -> None:
        """Show the welcome page (empty database)."""
        self.current_view = None
        self.ui.stack.setCurrentWidget(self.welcome)
        self._select_navigation(None)
        self.welcome.ui.loadDemoButton.setFocus()
        self.ready.emit()

    def open_view(self, view: str) -> None:
        """Show a screen by its view text (``overview``, ``client:CODE``)."""
        self.show_view(parse_view(view))

    def show_view(self, request: ViewRequest | None) -> Screen:
        """Show the screen for ``request`` (None: the home screen), creating it on first use."""
        request = request or parse_view(None)
        screen = self._screen_for(request)
        self.current_view = request
        self.ui.stack.setCurrentWidget(screen)
        self._select_navigation(request.spec.name)
        if screen.loaded and not screen.loading:
            self.ready.emit()
        return screen

    def _screen_for(self, request: ViewRequest) -> Screen:
        """Return the screen of ``request``, creating it (and starting its load) on first use."""
        screen = self.screens.get(request.key)
        if screen is None:
            factory = resolve(request.spec.factory)
            screen = factory(self.context, request.spec, request.argument)
            screen.ready.connect(lambda s=screen: self._screen_ready(s))
            screen.load_failed.connect(lambda message, s=screen: self._screen_failed(s, message))
            self.screens[request.key] = screen
            self.ui.stack.addWidget(screen)
            screen.reload()
        return screen

    def current_screen(self) -> Screen | None:
        """The screen on show, or None on the welcome page."""
        widget = self.ui.stack.currentWidget()
        return widget if isinstance(widget, Screen) else None

    def _screen_ready(self, screen: Screen) -> None:
        if screen is self.ui.stack.currentWidget():
            self.ready.emit()

    def _screen_failed(self, screen: Screen, message: str) -> None:
        self.show_status(message)
        if screen is self.ui.stack.currentWidget():
            self.failed.emit(message)

    def _page_failed(self, error: BaseException) -> None:
        message = f"Could not read the database: {error}"
        self.show_status(message)
        self.failed.emit(message)

    def _navigation_clicked(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.open_view(str(item.data(Qt.ItemDataRole.UserRole)))

    def _select_navigation(self, name: str | None) -> None:
        nav = self.ui.navigation
        rows = [nav.item(row).data(Qt.ItemDataRole.UserRole) for row in range(nav.count())]
        nav.blockSignals(True)
        try:
            if name in rows:
                nav.setCurrentRow(rows.index(name))
            elif rows:
                # Keep a current row but select nothing: a list without a current row
                # makes its first item current (and so opens it) when it gets focus.
                nav.setCurrentRow(0, QItemSelectionModel.SelectionFlag.NoUpdate)
                nav.clearSelection()
        finally:
            nav.blockSignals(False)

    # ----- messages, about, closing -------------------------------------------------------
    def show_status(self, message: str) -> None:
        """Show a transient message in the status bar."""
        self.statusBar().showMessage(message, 10_000)

    def report_error(self, title: str, error: BaseException | str) -> None:
        """Tell the user something failed, without blocking the event loop."""
        text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        self.show_status(f"{title}: {text}")
        box = QMessageBox(
            QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def show_about(self) -> AboutDialog:
        """Help ▸ About."""
        dialog = AboutDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def save_geometry(self) -> None:
        """Remember size, position and dock/toolbar state."""
        self.settings.setValue(GEOMETRY_KEY, self.saveGeometry())
        self.settings.setValue(STATE_KEY, self.saveState())
        self.settings.sync()

    def shutdown(self) -> None:
        """Stop background work and close the database (idempotent)."""
        self.workers.shutdown()
        self.workers.db.dispose()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Save the geometry, wait for the workers, dispose the database."""
        self.save_geometry()
        self.shutdown()
        event.accept()
