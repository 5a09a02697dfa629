"""The undo command every screen uses for a write that runs on the database worker."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

import shiboken6
from PySide6.QtGui import QUndoCommand

if TYPE_CHECKING:
    from sqlalchemy.orm import Session as OrmSession

Work = Callable[["OrmSession"], Any]


class Writer(Protocol):
    """A screen that runs a write on the database worker and reloads when it is done."""

    def write(self, work: Work, label: str) -> None:
        """Run ``work`` on the database worker; ``label`` names it in progress and errors."""


class WorkerWrite(QUndoCommand):
    """An undoable write on the database worker; the first redo is the write already done.

    The screen pushes the command after its write succeeded, so the push's redo does
    nothing; later redos and undos run ``redo``/``undo`` through the screen's ``write``
    (skipped once the screen is gone, e.g. after the database was switched).
    """

    def __init__(self, screen: Writer, text: str, redo: Work, undo: Work) -> None:
        super().__init__(text)
        self.screen = screen
        self._redo, self._undo = redo, undo
        self._first = True

    def redo(self) -> None:
        """Write again (not on the push: the write has already run)."""
        if self._first:
            self._first = False
            return
        if shiboken6.isValid(self.screen):
            self.screen.write(self._redo, self.text())

    def undo(self) -> None:
        """Reverse the write."""
        if shiboken6.isValid(self.screen):
            text = self.text()
            self.screen.write(self._undo, f"Undo {text[:1].lower()}{text[1:]}")
