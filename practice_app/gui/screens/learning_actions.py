"""The Learning screen's writes: add a lesson, make a pattern or lesson an objective; undo.

A mixin of ``LearningScreen``: every write runs on the database worker, pushes an
undoable command on the shared stack and reloads the screen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from sqlalchemy.orm import Session as OrmSession

from practice_app.gui.learning_dialogs import (
    LessonDialog,
    LessonInput,
    ObjectiveDialog,
    ObjectiveInput,
)
from practice_app.gui.screens.undoable import WorkerWrite
from practice_app.services.learning_view import (
    LearningView,
    ObjectiveDraft,
    PatternItem,
    delete_objective,
    objective_from_lesson,
    objective_from_pattern,
)
from practice_app.services.lessons import LessonRow, add_lesson, delete_lesson, restore_lesson

if TYPE_CHECKING:
    from practice_app.gui.screens.base import ScreenContext


class LearningActions:
    """Lesson and objective dialogs and their writes (mixed into the Learning screen)."""

    context: ScreenContext
    data: LearningView | None
    selected: PatternItem | LessonRow | None
    lesson_dialog: LessonDialog | None
    objective_dialog: ObjectiveDialog | None

    if TYPE_CHECKING:  # provided by Screen, which follows this mixin in the bases

        def reload(self) -> None:
            """Load the screen's data again."""

    def lesson_target(self) -> tuple[str | None, str | None]:
        """The client (and episode) a new lesson is most likely about."""
        if isinstance(self.selected, LessonRow):
            return self.selected.client, None
        return None, None

    @property
    def widget(self) -> QWidget:
        """The screen as a widget (dialog parent, owner of its jobs)."""
        assert isinstance(self, QWidget)
        return self

    def write(self, work: Callable[[OrmSession], Any], label: str) -> None:
        """Run a write (an undo or redo) on the database worker, then reload."""

        def done(_: Any) -> None:
            self.context.show_status(f"{label}: done")
            self.reload()

        def failed(error: BaseException) -> None:
            self.context.show_status(f"{label}: {error}")

        self.context.workers.query(
            work, on_success=done, on_failure=failed, owner=self.widget, label=label
        )

    def ask_lesson(self) -> LessonDialog | None:
        """Open the lesson dialog, for the client of the selected episode or lesson if any."""
        if self.data is None:
            return None
        client, episode = self.lesson_target()
        dialog = LessonDialog(
            self.widget,
            list(self.data.clients),
            self.data.today,
            client,
            [t.tag for t in self.data.tags],
            episode,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.submitted.connect(lambda values: self._save_lesson(dialog, values))
        self.lesson_dialog = dialog
        dialog.open()
        return dialog

    def _save_lesson(self, dialog: LessonDialog, values: LessonInput) -> None:
        holder: dict[str, LessonRow] = {}

        def add(session: OrmSession) -> LessonRow:
            row = add_lesson(
                session,
                client_code=values.client,
                episode=values.episode,
                taught=values.taught,
                new_or_different=values.new_or_different,
                will_practise=values.will_practise,
                tags=values.tags,
                day=values.date,
            )
            holder["row"] = row
            return row

        def remove(session: OrmSession) -> None:
            delete_lesson(session, holder["row"].id)

        def again(session: OrmSession) -> None:
            restore_lesson(session, holder["row"])

        def added(row: LessonRow) -> None:
            if shiboken6.isValid(dialog):
                dialog.accept()
            text = f"Add lesson from {row.client}"
            self.context.undo_stack.push(WorkerWrite(self, text, again, remove))
            self.context.show_status(f"Lesson from {row.client} saved")
            self.selected = row
            self.reload()

        def failed(error: BaseException) -> None:
            if shiboken6.isValid(dialog):
                dialog.show_error(str(error))

        self.context.workers.query(
            add, on_success=added, on_failure=failed, owner=self.widget, label="add lesson"
        )

    def make_objective(self) -> ObjectiveDialog | None:
        """Open the confirm dialog for the selected pattern or lesson."""
        if self.data is None or self.selected is None:
            return None
        draft: ObjectiveDraft = (
            objective_from_lesson(self.selected)
            if isinstance(self.selected, LessonRow)
            else objective_from_pattern(self.selected)
        )
        dialog = ObjectiveDialog(
            self.widget,
            source=draft.source,
            title=draft.title,
            success_criteria=draft.success_criteria,
            focus_areas=list(self.data.focus_areas),
            current_focus=self.data.current_focus,
            today=self.data.today,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.submitted.connect(lambda values: self._save_objective(dialog, values))
        self.objective_dialog = dialog
        dialog.open()
        return dialog

    def _save_objective(self, dialog: ObjectiveDialog, values: ObjectiveInput) -> None:
        from practice_app.services.plan import add_objective

        holder: dict[str, int] = {}

        def add(session: OrmSession) -> Any:
            row = add_objective(
                session,
                title=values.title,
                focus_area=values.focus_area,
                success_criteria=values.success_criteria,
                review_date=values.review_date,
            )
            holder["id"] = row.id
            return row

        def remove(session: OrmSession) -> None:
            delete_objective(session, holder["id"])

        def added(row: Any) -> None:
            if shiboken6.isValid(dialog):
                dialog.accept()
            state = (
                "it starts now"
                if row.status == "active"
                else "it waits as planned until the current focus is closed"
            )
            self.context.undo_stack.push(
                WorkerWrite(self, f"Add objective “{row.title}”", add, remove)
            )
            self.context.show_status(f"Objective added to your development plan: {state}")
            self.reload()

        def failed(error: BaseException) -> None:
            if shiboken6.isValid(dialog):
                dialog.show_error(str(error))

        self.context.workers.query(
            add, on_success=added, on_failure=failed, owner=self.widget, label="add objective"
        )

    def delete_selected_lesson(self) -> None:
        """Delete the selected lesson on the worker; Undo brings it back under its id."""
        lesson = self.selected
        if not isinstance(lesson, LessonRow):
            return

        def remove(session: OrmSession) -> None:
            delete_lesson(session, lesson.id)

        def again(session: OrmSession) -> None:
            restore_lesson(session, lesson)

        def removed(_: Any) -> None:
            text = f"Delete lesson from {lesson.client}"
            self.context.undo_stack.push(WorkerWrite(self, text, remove, again))
            self.context.show_status(f"Lesson from {lesson.client} deleted · Ctrl+Z brings it back")
            self.selected = None
            self.reload()

        def failed(error: BaseException) -> None:
            self.context.show_status(f"Could not delete the lesson: {error}")

        self.context.workers.query(
            remove, on_success=removed, on_failure=failed, owner=self.widget, label="delete lesson"
        )
