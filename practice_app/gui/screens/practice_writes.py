"""The Practice screen's writes: undoable journal changes and the plan's dialogs.

Each journal change is a pair of Qt-free functions run on the database worker (do,
undo) and a ``WorkerWrite`` on the shared undo stack. An entry put back by undo keeps
its id, so a redo after an undo finds the same row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import Qt

from practice_app.services import practice
from practice_app.services.practice import EntryInput, EntryRow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session as OrmSession

    from practice_app.gui.objective_dialogs import CloseObjectiveDialog, ObjectiveDialog
    from practice_app.gui.practice_dialog import PracticeDialog
    from practice_app.gui.screens.practice import PracticeScreen

Work = Callable[["OrmSession"], Any]


def entry_writes(data: EntryInput, old: EntryRow | None) -> tuple[Work, Work, str]:
    """Do and undo for logging ``data`` (``old`` None) or replacing ``old`` with it."""
    if old is None:
        holder: dict[str, EntryRow] = {}

        def add(session: OrmSession) -> EntryRow:
            row = practice.add_entry(session, data, entry_id=holder["row"].id if holder else None)
            holder.setdefault("row", row)
            return row

        def remove(session: OrmSession) -> None:
            practice.delete_entry(session, holder["row"].id)

        return add, remove, f"Log practice ({data.minutes} min, {data.date:%d %b})"
    before = practice.input_of(old)

    def update(session: OrmSession) -> EntryRow:
        return practice.update_entry(session, old.id, data)

    def restore(session: OrmSession) -> None:
        practice.update_entry(session, old.id, before)

    return update, restore, f"Edit practice entry of {old.date:%d %b}"


def delete_writes(rows: list[EntryRow]) -> tuple[Work, Work, str]:
    """Do and undo for deleting ``rows`` (undo restores them under their ids)."""

    def delete(session: OrmSession) -> None:
        for row in rows:
            practice.delete_entry(session, row.id)

    def restore(session: OrmSession) -> None:
        for row in rows:
            practice.add_entry(session, practice.input_of(row), entry_id=row.id)

    text = (
        f"Delete practice entry of {rows[0].date:%d %b}"
        if len(rows) == 1
        else f"Delete {len(rows)} practice entries"
    )
    return delete, restore, text


def target_writes(therapist: str, old: int, new: int) -> tuple[Work, Work, str]:
    """Do and undo for changing the weekly practice target from ``old`` to ``new`` minutes."""

    def setter(minutes: int) -> Work:
        def work(session: OrmSession) -> None:
            practice.set_weekly_target(session, practice.therapist_for(session, therapist), minutes)

        return work

    return setter(new), setter(old), f"Set the weekly target to {new / 60:.1f} h"


def add_activity_for(screen: PracticeScreen, dialog: PracticeDialog, label: str) -> None:
    """Store a new activity of the user's own on the worker, then offer it in the dialog."""
    key = "-".join(re.findall(r"[a-z0-9]+", label.lower()))[:60] or "activity"

    def added(activity: Any) -> None:
        if shiboken6.isValid(dialog):
            dialog.add_activity(activity.key, activity.label)
        screen.context.show_status(f"Activity added: {activity.label}")
        screen.changed()

    def failed(error: BaseException) -> None:
        if shiboken6.isValid(dialog):
            dialog.show_message(str(error))

    screen.context.workers.query(
        lambda session: practice.add_activity(session, key, label),
        on_success=added,
        on_failure=failed,
        owner=screen,
        label="add activity",
    )


def ask_new_objective(screen: PracticeScreen) -> ObjectiveDialog:
    """Ask for a new objective and add it on the worker."""
    from practice_app.gui.objective_dialogs import ObjectiveDialog
    from practice_app.services.plan import add_objective

    dialog = ObjectiveDialog(screen, screen.view.focus if screen.view else None)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def done(row: Any) -> None:
        waiting = " (planned: one focus at a time)" if row.status == "planned" else ""
        screen.context.show_status(f"Objective added{waiting}: {row.title}")
        screen.changed()

    def chosen() -> None:
        values = dialog.values()
        screen.context.workers.query(
            lambda session: add_objective(session, **values),
            on_success=done,
            on_failure=lambda e: screen.context.show_status(f"Could not add the objective: {e}"),
            owner=screen,
        )

    dialog.accepted.connect(chosen)
    dialog.open()
    return dialog


def ask_close_objective(screen: PracticeScreen, objective_id: int) -> CloseObjectiveDialog:
    """Ask how an objective ended and close it on the worker."""
    from practice_app.gui.objective_dialogs import CloseObjectiveDialog
    from practice_app.services.plan import close_objective

    dialog = CloseObjectiveDialog(screen)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def closed(row: Any) -> None:
        screen.context.show_status(f"Objective {row.status}: {row.title}")
        screen.changed()

    def chosen() -> None:
        status, note = dialog.values()
        screen.context.workers.query(
            lambda s: close_objective(s, objective_id, status=status, note=note),
            on_success=closed,
            on_failure=lambda e: screen.context.show_status(f"Could not close: {e}"),
            owner=screen,
        )

    dialog.accepted.connect(chosen)
    dialog.open()
    return dialog
