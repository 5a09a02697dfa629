"""The Practice screen as a user drives it: log by keyboard, the chart moves, edit, delete, undo."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from practice_app.gui.main_window import MainWindow
from practice_app.gui.practice_dialog import PracticeDialog
from practice_app.gui.registry import parse_view
from practice_app.gui.screens.practice import PracticeScreen
from practice_app.services import practice
from practice_app.services.plan import add_objective
from practice_app.storage.database import Database
from practice_app.storage.models import Client, PracticeEntry, Therapist

TIMEOUT = 30_000
MakeWindow = Callable[..., MainWindow]
TODAY = dt.date.today()
MONDAY = TODAY - dt.timedelta(days=TODAY.weekday())


@pytest.fixture
def journal_db(db: Database) -> Database:
    """A therapist (target 2 h a week), two clients, an active objective, three entries."""
    with db.session() as s:
        s.add(Therapist(code="T1", display_name="T", weekly_practice_target_minutes=120))
        s.add_all([Client(code="C-1"), Client(code="C-2")])
        s.flush()
        add_objective(s, title="Repair ruptures", domain="Relationship", focus_area="Alliance")
        for days, minutes, activity in (
            (14, 60, "study"),
            (8, 30, "coaching"),
            (7, 20, "rehearsal"),
        ):
            day = MONDAY - dt.timedelta(days=days)
            practice.add_entry(s, practice.EntryInput(day, minutes, activity))
    return db


def _open(qtbot: Any, make_window: MakeWindow, db: Database) -> tuple[MainWindow, PracticeScreen]:
    window = make_window(db, parse_view("practice"))
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        window.show()
    screen = window.current_screen()
    assert isinstance(screen, PracticeScreen)
    window.activateWindow()
    return window, screen


def _rows(db: Database) -> list[tuple[Any, ...]]:
    with db.session() as s:
        return [
            (e.date, e.minutes, e.activity, e.domain, e.self_rating, e.notes)
            for e in s.scalars(select(PracticeEntry).order_by(PracticeEntry.id))
        ]


def _dialog(screen: PracticeScreen) -> PracticeDialog:
    assert screen.dialog is not None and screen.dialog.isVisible()
    return screen.dialog


def test_log_an_entry_by_keyboard_and_see_the_week_move(
    qtbot: Any, make_window: MakeWindow, journal_db: Database
) -> None:
    window, screen = _open(qtbot, make_window, journal_db)
    chart = screen.weekly_chart
    assert chart.hours[-1] == 0.0  # nothing yet this week
    assert chart.hours[-2] == pytest.approx(20 / 60)  # last week: the Monday-7 entry
    assert chart.hours[-3] == pytest.approx(90 / 60)  # Monday-14 and Sunday before (-8)
    assert screen.model.rowCount() == 3
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    dialog = _dialog(screen)
    # Defaults: today, the last activity, the current objective and its domain.
    assert dialog.date.date().toPython() == TODAY
    assert dialog.activity.currentData() == "rehearsal"
    assert dialog.objective.currentText() == "Repair ruptures"
    assert dialog.domain.currentData() == "Relationship"
    assert dialog.focusWidget() is dialog.minutes
    qtbot.keyClicks(dialog.minutes, "45")
    qtbot.keyClick(dialog.minutes, Qt.Key.Key_Tab)  # -> activity
    assert dialog.focusWidget() is dialog.activity
    qtbot.keyClick(dialog.activity, Qt.Key.Key_Up)  # rehearsal -> recording review
    for widget in (dialog.activity, dialog.domain, dialog.objective):
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
    qtbot.keyClick(dialog.difficulty, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.difficulty, Qt.Key.Key_Down)  # — -> Too easy -> Right
    qtbot.keyClick(dialog.difficulty, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.rating
    qtbot.keyClicks(dialog.rating, "7")
    qtbot.keyClick(dialog.rating, Qt.Key.Key_Tab)
    qtbot.keyClick(dialog.feedback, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.clients, "C-2")
    qtbot.keyClick(dialog.clients, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.notes, "Three takes of the repair")
    with qtbot.waitSignal(screen.ready, timeout=TIMEOUT):
        qtbot.keyClick(dialog.notes, Qt.Key.Key_Return)
    with journal_db.session() as s:
        (entry,) = [e for e in practice.list_entries(s) if e.date == TODAY]
    assert (entry.minutes, entry.activity, entry.domain) == (45, "recording-review", "Relationship")
    assert (entry.objective_title, entry.difficulty, entry.self_rating) == (
        "Repair ruptures",
        "right",
        7.0,
    )
    assert (entry.clients, entry.notes) == (("C-2",), "Three takes of the repair")
    assert chart.hours[-1] == pytest.approx(45 / 60)  # the chart moved
    assert screen.model.rowCount() == 4
    assert screen.model.entry(0).id == entry.id  # newest first
    assert "This week so far: 0.8 h of your 2.0 h target" in screen.week_summary.text()
    assert window.undo_stack.count() == 1


def test_bad_input_is_marked_inline_and_nothing_is_written(
    qtbot: Any, make_window: MakeWindow, journal_db: Database
) -> None:
    _, screen = _open(qtbot, make_window, journal_db)
    dialog = screen.open_log_dialog()
    assert dialog is not None
    dialog.clients.setText("C-1 C-99")
    qtbot.keyClick(dialog.minutes, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert "Unknown client code 'C-99'" in dialog.message.text()
    assert dialog.clients.property("invalid") is True
    assert len(_rows(journal_db)) == 3
    dialog.reject()


def test_edit_then_delete_and_undo_both(
    qtbot: Any, make_window: MakeWindow, journal_db: Database
) -> None:
    window, screen = _open(qtbot, make_window, journal_db)
    before = _rows(journal_db)
    screen.table.setFocus()
    screen.table.selectRow(0)  # newest: the rehearsal of 20 minutes
    qtbot.keyClick(screen.table, Qt.Key.Key_Return)
    dialog = _dialog(screen)
    assert dialog.windowTitle() == "Edit practice entry"
    assert (dialog.minutes.value(), dialog.activity.currentData()) == (20, "rehearsal")
    dialog.minutes.setValue(25)
    with qtbot.waitSignal(screen.ready, timeout=TIMEOUT):
        qtbot.keyClick(dialog.minutes, Qt.Key.Key_Return)
    assert [r[1] for r in _rows(journal_db)] == [60, 30, 25]
    assert screen.weekly_chart.hours[-2] == pytest.approx(25 / 60)

    screen.table.setFocus()
    screen.table.selectRow(0)
    with qtbot.waitSignal(screen.ready, timeout=TIMEOUT):
        qtbot.keyClick(screen.table, Qt.Key.Key_Delete)
    assert [r[1] for r in _rows(journal_db)] == [60, 30]
    assert screen.weekly_chart.hours[-2] == 0.0
    stack = window.undo_stack
    assert stack.undoText().startswith("Delete practice entry")
    with qtbot.waitSignal(screen.ready, timeout=TIMEOUT):
        stack.undo()
    assert [r[1] for r in _rows(journal_db)] == [60, 30, 25]
    with qtbot.waitSignal(screen.ready, timeout=TIMEOUT):
        stack.undo()  # the edit
    assert _rows(journal_db) == before
    assert screen.weekly_chart.hours[-2] == pytest.approx(20 / 60)
    with qtbot.waitSignal(screen.ready, timeout=TIMEOUT):
        stack.redo()
    assert [r[1] for r in _rows(journal_db)] == [60, 30, 25]


def test_filters_apply_to_table_and_bars(
    qtbot: Any, make_window: MakeWindow, journal_db: Database
) -> None:
    _, screen = _open(qtbot, make_window, journal_db)
    screen.activity_filter.setCurrentIndex(screen.activity_filter.findData("coaching"))
    assert screen.model.rowCount() == 1
    assert [b.minutes for b in screen.activity_bars.bars] == [30]
    screen.activity_filter.setCurrentIndex(0)
    screen.search.setText("rehearsal")
    assert [e.minutes for e in screen.model.rows] == [20]
    screen.search.clear()
    assert sum(b.minutes for b in screen.domain_bars.bars) == 110
    assert screen.plan.focus.text().startswith("Current focus: <b>Alliance</b>")


def test_ctrl_l_from_another_screen_opens_the_dialog_on_practice(
    qtbot: Any, make_window: MakeWindow, journal_db: Database
) -> None:
    window = make_window(journal_db, parse_view("effectiveness"))
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        window.show()
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    screen = window.current_screen()
    assert isinstance(screen, PracticeScreen)
    qtbot.waitUntil(
        lambda: screen.dialog is not None and screen.dialog.isVisible(), timeout=TIMEOUT
    )
    _dialog(screen).reject()


def test_result_tabs_load_when_first_shown(
    qtbot: Any, make_window: MakeWindow, journal_db: Database
) -> None:
    _, screen = _open(qtbot, make_window, journal_db)
    assert [screen.tabs.tabText(i) for i in range(screen.tabs.count())] == [
        "Journal && plan",
        "Practice against results",
        "Workload against results",
    ]
    for i, tab in enumerate(screen.result_tabs, start=1):
        assert not tab.loaded
        with qtbot.waitSignal(tab.ready, timeout=TIMEOUT):
            screen.tabs.setCurrentIndex(i)
        assert tab.loaded


def test_the_weekly_target_is_set_from_the_chart_panel_and_undone(
    qtbot: Any, make_window: MakeWindow, journal_db: Database
) -> None:
    window, screen = _open(qtbot, make_window, journal_db)
    assert screen.target.value() == 2.0
    screen.target.setFocus()
    screen.target.selectAll()
    qtbot.keyClicks(screen.target, "3.5")
    with qtbot.waitSignal(screen.ready, timeout=TIMEOUT):
        qtbot.keyClick(screen.target, Qt.Key.Key_Return)
    with journal_db.session() as s:
        assert s.scalar(select(Therapist.weekly_practice_target_minutes)) == 210
    assert "of your 3.5 h target" in screen.week_summary.text()
    with qtbot.waitSignal(screen.ready, timeout=TIMEOUT):
        window.undo_stack.undo()
    with journal_db.session() as s:
        assert s.scalar(select(Therapist.weekly_practice_target_minutes)) == 120
    assert screen.target.value() == 2.0


def test_a_new_activity_from_the_dialog_is_stored_and_chosen(
    qtbot: Any, make_window: MakeWindow, journal_db: Database
) -> None:
    _, screen = _open(qtbot, make_window, journal_db)
    dialog = screen.open_log_dialog()
    assert dialog is not None
    with qtbot.waitSignal(screen.ready, timeout=TIMEOUT):
        dialog.activity_requested.emit("Journal club on alliance")
    assert dialog.activity.currentData() == "journal-club-on-alliance"
    with qtbot.waitSignal(screen.ready, timeout=TIMEOUT):
        qtbot.keyClick(dialog.minutes, Qt.Key.Key_Return)
    with journal_db.session() as s:
        latest = practice.list_entries(s)[-1]
        activities = [a.key for a in practice.list_activities(s)]
    assert (latest.activity, latest.activity_label) == (
        "journal-club-on-alliance",
        "Journal club on alliance",
    )
    assert activities[-1] == "journal-club-on-alliance"
    assert screen.activity_filter.findData("journal-club-on-alliance") > 0


def test_an_objective_added_elsewhere_shows_when_the_screen_is_shown_again(
    qtbot: Any, make_window: MakeWindow, journal_db: Database
) -> None:
    from PySide6.QtGui import QUndoCommand

    window, screen = _open(qtbot, make_window, journal_db)
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        window.open_view("effectiveness")
    # What the Learning screen does: a write on the worker and a command on the stack.
    with qtbot.waitSignal(window.workers.idle, timeout=TIMEOUT):
        window.workers.query(
            lambda s: add_objective(s, title="Hope talk by session 3", domain="Hope & Expectancy")
        )
    window.undo_stack.push(QUndoCommand("Add objective"))
    with qtbot.waitSignal(screen.ready, timeout=TIMEOUT):
        window.open_view("practice")
    titles = [screen.plan.chooser.itemText(i) for i in range(screen.plan.chooser.count())]
    assert "Planned: Hope talk by session 3" in titles
