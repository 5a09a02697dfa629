"""The brief's two fields, "What has been tried" and "Questions for the consultant".

Saved on the database worker (never on the GUI thread) by ``save``; each save is one
command on the shared undo stack, whose undo writes the previous texts back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout
from sqlalchemy.orm import Session as OrmSession

from practice_app.errors import AppError
from practice_app.gui.screens import consult_parts as parts
from practice_app.gui.screens.base import ScreenContext
from practice_app.services.consult import SavedBrief, save_brief

if TYPE_CHECKING:
    from practice_app.storage.database import Database

TRIED_HINT = (
    "What you have tried so far: approaches, changes made after feedback, what the client "
    "said about them, referrals discussed…"
)
QUESTIONS_HINT = (
    "The questions to bring: what you want the consultant's view on, e.g. "
    "“Is it time to talk about referring on?”"
)


class _BriefEdit(QUndoCommand):
    """One saved edit of a brief; undo writes the texts it replaced back (on the worker)."""

    def __init__(
        self,
        panel: BriefEditors,
        episode_id: int,
        before: tuple[str, str],
        after: tuple[str, str],
    ) -> None:
        super().__init__(f"Edit the consultation brief of {panel.code}")
        self.panel, self.episode_id = panel, episode_id
        self.before, self.after = before, after
        self._first = True

    def redo(self) -> None:
        """Write the edit again (not on the push: it has just been saved)."""
        if self._first:
            self._first = False
            return
        if shiboken6.isValid(self.panel):
            self.panel.write(self.episode_id, self.after, "Redo brief edit")

    def undo(self) -> None:
        """Write back the texts from before the edit."""
        if shiboken6.isValid(self.panel):
            self.panel.write(self.episode_id, self.before, "Undo brief edit")


class BriefEditors(QFrame):
    """The "For the consultant" panel: two plain-text fields, Save, and the save state."""

    def __init__(self, context: ScreenContext, code: str) -> None:
        super().__init__()
        self.context, self.code = context, code
        self.episode_id: int | None = None
        self.database: Database | None = None
        self.saved: tuple[str, str] = ("", "")
        self.saving = False
        self.last_saved: SavedBrief | None = None
        self.setObjectName("panel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(6)
        heading = QLabel("For the consultant")
        heading.setObjectName("sectionTitle")
        layout.addWidget(heading)
        columns = QHBoxLayout()
        columns.setSpacing(16)
        self.tried_edit = parts.brief_editor("What has been tried", TRIED_HINT)
        self.questions_edit = parts.brief_editor("Questions for the consultant", QUESTIONS_HINT)
        for title, editor in (
            ("What has been tried", self.tried_edit),
            ("Questions for the consultant", self.questions_edit),
        ):
            column = QVBoxLayout()
            column.setSpacing(4)
            label = QLabel(f"<b>{title}</b>")
            label.setBuddy(editor)
            column.addWidget(label)
            column.addWidget(editor)
            columns.addLayout(column, 1)
            editor.textChanged.connect(self._edited)
        layout.addLayout(columns)
        row = QHBoxLayout()
        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("primaryButton")
        self.save_button.setToolTip(
            "Save what was tried and the questions (Ctrl+S). They are also saved when you "
            "leave this screen."
        )
        self.save_button.clicked.connect(lambda: self.save())
        self.save_label = QLabel("")
        self.save_label.setObjectName("hint")
        row.addWidget(self.save_button)
        row.addWidget(self.save_label, 1)
        layout.addLayout(row)

    def show_brief(self, episode_id: int, values: tuple[str, str], updated: str) -> None:
        """Show an episode's saved texts; ``updated`` says when they were last saved."""
        self.database = self.context.workers.db  # the one the brief was just loaded from
        self.episode_id = episode_id
        self.set_texts(values)
        self.save_label.setText(updated)

    def texts(self) -> tuple[str, str]:
        """What the fields hold now (trimmed as it would be saved)."""
        return (self.tried_edit.toPlainText().strip(), self.questions_edit.toPlainText().strip())

    @property
    def dirty(self) -> bool:
        """Whether the fields hold edits not yet saved."""
        return self.episode_id is not None and self.texts() != self.saved

    def set_texts(self, values: tuple[str, str]) -> None:
        """Put ``values`` in the fields as the saved state."""
        for editor, value in zip((self.tried_edit, self.questions_edit), values, strict=True):
            if editor.toPlainText().strip() != value:
                editor.blockSignals(True)
                editor.setPlainText(value)
                editor.blockSignals(False)
        self.saved = values
        self._edited()

    def _edited(self) -> None:
        self.save_button.setEnabled(self.dirty and not self.saving)
        if self.dirty:
            self.save_label.setText("Unsaved changes")

    def save(self, then: Callable[[], object] | None = None) -> bool:
        """Save the fields on the worker; ``then`` runs after success. False if nothing to do."""
        if not self.dirty or self.saving or self.episode_id is None:
            return False
        episode_id, before, after = self.episode_id, self.saved, self.texts()
        tried, questions = after
        self.saving = True
        self.save_button.setEnabled(False)
        self.save_label.setText("Saving…")

        def work(session: OrmSession) -> SavedBrief:
            return save_brief(session, episode_id, tried=tried, questions=questions)

        def done(saved: SavedBrief) -> None:
            self.saving = False
            self.last_saved = saved
            if self.episode_id == episode_id:
                self.saved = after
                self.save_label.setText(f"Saved {saved.updated_at:%d %b %Y, %H:%M}")
            self.context.undo_stack.push(_BriefEdit(self, episode_id, before, after))
            self.context.show_status(f"Consultation brief of {self.code} saved")
            self._edited()
            if then is not None:
                then()

        def failed(error: BaseException) -> None:
            self.saving = False
            self.save_label.setText(f"Not saved: {error}")
            self.context.show_status(f"Could not save the brief: {error}")
            self._edited()

        self._run(work, done, failed, "save brief")
        return True

    def write(self, episode_id: int, values: tuple[str, str], label: str) -> None:
        """Write ``values`` as the episode's brief (undo, redo); show them if it is on show."""
        tried, questions = values

        def work(session: OrmSession) -> SavedBrief:
            return save_brief(session, episode_id, tried=tried, questions=questions)

        def done(saved: SavedBrief) -> None:
            if self.episode_id == episode_id:
                self.set_texts(values)
                self.save_label.setText(f"{label}: saved {saved.updated_at:%H:%M}")
            self.context.show_status(f"{label}: saved")

        def failed(error: BaseException) -> None:
            self.context.show_status(f"{label}: {error}")

        self._run(work, done, failed, label)

    def _run(
        self,
        work: Callable[[OrmSession], SavedBrief],
        done: Callable[[SavedBrief], None],
        failed: Callable[[BaseException], None],
        label: str,
    ) -> None:
        """Run a write on the worker, only in the database the brief was loaded from.

        The window may have switched to another database (File > Open) by the time the
        write runs, e.g. the save on leaving the screen as the window drops it: the same
        episode id there is another client's episode, so the write is refused.
        """
        expected = self.database

        def in_database(db: Database) -> SavedBrief:
            if expected is not None and db is not expected:
                raise AppError("another database is open now; the brief was not saved")
            with db.session() as session:
                return work(session)

        self.context.workers.database(
            in_database, on_success=done, on_failure=failed, owner=self, label=label
        )
