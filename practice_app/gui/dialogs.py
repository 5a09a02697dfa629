"""Small windows built from Designer forms: the About box and the welcome page."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QIcon
from PySide6.QtWidgets import QDialog, QWidget

from practice_app import __version__
from practice_app.gui.forms.ui_about_dialog import Ui_AboutDialog
from practice_app.gui.forms.ui_welcome import Ui_WelcomeWidget
from practice_app.resources import resource_path


def app_icon() -> QIcon:
    """Return the application icon."""
    return QIcon(str(resource_path("icons", "practice-app.svg")))


class AboutDialog(QDialog):
    """Help ▸ About: version, what the app is, the ORS/SRS copyright note."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_AboutDialog()
        cast(Any, self.ui).setupUi(self)  # generated code is untyped
        self.ui.iconLabel.setPixmap(app_icon().pixmap(64, 64))
        self.ui.titleLabel.setObjectName("screenTitle")
        self.ui.versionLabel.setText(f"Version {__version__}")
        self.ui.versionLabel.setObjectName("screenSubtitle")
        self.ui.copyrightLabel.setObjectName("hint")
        self.ui.copyrightLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)


def dropped_path(mime: QMimeData) -> Path | None:
    """The first local file or folder among dragged data (None for text, web links, ...)."""
    for url in mime.urls() if mime.hasUrls() else []:
        if url.isLocalFile() and url.toLocalFile():
            return Path(url.toLocalFile())
    return None


class WelcomePage(QWidget):
    """The first thing an empty database shows: load demo data, start fresh, or an extra action.

    A file (or an export folder) dropped anywhere on the page asks for an import:
    ``file_dropped`` carries its path; the window opens the import wizard with it.
    """

    file_dropped = Signal(object)  # pathlib.Path

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_WelcomeWidget()
        cast(Any, self.ui).setupUi(self)  # generated code is untyped
        self.ui.titleLabel.setObjectName("welcomeTitle")
        self.ui.loadDemoHint.setObjectName("hint")
        self.ui.startFreshHint.setObjectName("hint")
        self.ui.dropHint.setObjectName("hint")
        self.ui.statusLabel.setObjectName("hint")
        self.ui.statusLabel.setVisible(False)  # shown when there is something to say
        self.setAcceptDrops(True)

    def _busy(self) -> bool:
        return self.ui.progressBar.isVisible()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept a dragged local file or folder (not while demo data is being written)."""
        if not self._busy() and dropped_path(event.mimeData()) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        """Ask for the dropped file to be imported."""
        path = dropped_path(event.mimeData())
        if path is None or self._busy():
            event.ignore()
            return
        event.acceptProposedAction()
        self.file_dropped.emit(path)

    def set_busy(self, busy: bool) -> None:
        """Disable the choices and show the progress bar (or the reverse)."""
        self.ui.progressBar.setVisible(busy)
        self.ui.cancelButton.setVisible(busy)
        # Move focus before disabling the focused button, or Qt hands it to the sidebar.
        (self.ui.cancelButton if busy else self.ui.loadDemoButton).setFocus()
        for button in (self.ui.loadDemoButton, self.ui.startFreshButton):
            button.setEnabled(not busy)
