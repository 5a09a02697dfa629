"""The Screen base class and the context every screen receives from the window."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from practice_app.gui.registry import ScreenSpec, resolve
from practice_app.gui.workers import Workers


@dataclass
class ScreenContext:
    """What a screen may use: background work, the shared undo stack and window commands.

    Passed in explicitly (no global application object reached from deep code).
    """

    workers: Workers
    undo_stack: QUndoStack
    open_view: Callable[[str], None]
    """Show another screen by its view text, e.g. ``client:C-014``."""
    trigger: Callable[[str], None]
    """Run a window command by key: ``load-demo`` or an ActionSpec key."""
    commands: Callable[[], list[tuple[str, str, str]]]
    """The commands offered on empty screens: (key, label, description)."""
    show_status: Callable[[str], None]


class Screen(QWidget):
    """A screen: a header, a body filled from data loaded on the database worker.

    Subclasses build their widgets in ``__init__`` and implement ``show_data``;
    ``reload`` runs the registered load function off the GUI thread, then calls
    ``show_data`` and emits ``ready``.
    """

    ready = Signal()
    """The screen shows its data (emitted after every load)."""
    load_failed = Signal(str)

    def __init__(self, context: ScreenContext, spec: ScreenSpec, argument: str | None = None):
        super().__init__()
        self.context = context
        self.spec = spec
        self.argument = argument
        self.loaded = False
        self._loads_pending = 0
        self.setObjectName(f"screen-{spec.name}")
        load = resolve(spec.load)
        self._load: Callable[[Any], Any] = (
            load if argument is None else functools.partial(_with_argument, load, argument)
        )
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(28, 22, 28, 18)
        self.layout_.setSpacing(16)
        self.title_label = QLabel(self.title())
        self.title_label.setObjectName("screenTitle")
        self.subtitle_label = QLabel(self.subtitle())
        self.subtitle_label.setObjectName("screenSubtitle")
        self.subtitle_label.setWordWrap(True)
        header = QVBoxLayout()
        header.setSpacing(2)
        header.addWidget(self.title_label)
        header.addWidget(self.subtitle_label)
        self.header_row = QHBoxLayout()
        self.header_row.addLayout(header, 1)
        self.layout_.addLayout(self.header_row)

    @classmethod
    def warm_up(cls) -> None:
        """Import heavy modules early (called while the first data is still loading)."""

    def title(self) -> str:
        """The header title (the registry label by default)."""
        return self.spec.label if self.argument is None else f"{self.spec.label} {self.argument}"

    def subtitle(self) -> str:
        """One line under the title saying what the screen shows."""
        return self.spec.tooltip

    def reload(self) -> None:
        """Load the screen's data on the database worker; show it when it arrives."""
        self._loads_pending += 1
        self.context.workers.query(
            self._load,
            on_success=self._loaded,
            on_failure=self._failed,
            owner=self,
            label=f"load {self.spec.name}",
        )

    @property
    def loading(self) -> bool:
        """Whether a load is still on its way (a newer one may follow an older one)."""
        return self._loads_pending > 0

    def _loaded(self, data: Any) -> None:
        self._loads_pending -= 1
        self.show_data(data)
        self.loaded = True
        if not self.loading:
            self.ready.emit()

    def _failed(self, error: BaseException) -> None:
        self._loads_pending -= 1
        message = f"Could not load {self.spec.label}: {error}"
        self.show_error(message)
        self.load_failed.emit(message)

    def show_data(self, data: Any) -> None:
        """Fill the widgets from the loaded data (GUI thread)."""
        raise NotImplementedError

    def show_error(self, message: str) -> None:
        """Say that loading failed (GUI thread)."""
        self.subtitle_label.setText(message)


def _with_argument(load: Callable[[Any, str], Any], argument: str, session: Any) -> Any:
    return load(session, argument)
