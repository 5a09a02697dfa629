"""Small windows built from Designer forms: the About box and the welcome page."""

from __future__ import annotations

from typing import Any, cast

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
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


class WelcomePage(QWidget):
    """The first thing an empty database shows: load demo data, start fresh, or an extra action."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_WelcomeWidget()
        cast(Any, self.ui).setupUi(self)  # generated code is untyped
        self.ui.titleLabel.setObjectName("welcomeTitle")
        self.ui.loadDemoHint.setObjectName("hint")
        self.ui.startFreshHint.setObjectName("hint")
        self.ui.statusLabel.setObjectName("hint")
        self.ui.statusLabel.setVisible(False)  # shown when there is something to say

    def set_busy(self, busy: bool) -> None:
        """Disable the choices and show the progress bar (or the reverse)."""
        self.ui.progressBar.setVisible(busy)
        self.ui.cancelButton.setVisible(busy)
        # Move focus before disabling the focused button, or Qt hands it to the sidebar.
        (self.ui.cancelButton if busy else self.ui.loadDemoButton).setFocus()
        for button in (self.ui.loadDemoButton, self.ui.startFreshButton):
            button.setEnabled(not busy)
