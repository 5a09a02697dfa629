"""The Weekly review screen driven as a user would: home screen, keyboard review, links."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select
from weekly_sample_data import monday_of, write_week

from practice_app.gui.main_window import MainWindow
from practice_app.gui.registry import HOME_VIEW, SCREENS, parse_view
from practice_app.gui.screens.client_page import ClientPageScreen
from practice_app.gui.screens.weekly import WeeklyScreen
from practice_app.gui.screens.weekly_widgets import LinkRow
from practice_app.storage.database import Database
from practice_app.storage.models import WeeklyReview

TIMEOUT = 30_000
MakeWindow = Callable[..., MainWindow]


@pytest.fixture
def week_db(db: Database) -> Database:
    """The hand-judged week of tests/weekly_sample_data.py, around today."""
    write_week(db, dt.date.today())
    return db


def _open(qtbot: Any, make_window: MakeWindow, db: Database) -> tuple[MainWindow, WeeklyScreen]:
    window = make_window(db)
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        window.show()
    screen = window.current_screen()
    assert isinstance(screen, WeeklyScreen)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=TIMEOUT)
    return window, screen


def _rows(layout: Any) -> list[LinkRow]:
    found = (layout.itemAt(i).widget() for i in range(layout.count()))
    return [w for w in found if isinstance(w, LinkRow)]


def _stored(db: Database) -> list[WeeklyReview]:
    with db.session() as s:
        rows = s.scalars(
            select(WeeklyReview).where(WeeklyReview.week_start == monday_of(dt.date.today()))
        )
        return list(rows)


def test_the_window_opens_on_the_weekly_review(
    qtbot: Any, make_window: MakeWindow, week_db: Database
) -> None:
    assert HOME_VIEW == "weekly" and SCREENS[0].name == "weekly"
    window, screen = _open(qtbot, make_window, week_db)
    assert window.ui.navigation.currentItem().text() == "Weekly review"
    assert screen.pages.currentIndex() == 0
    monday = monday_of(dt.date.today())
    assert screen.data is not None and screen.data.week_start == monday
    assert f"{monday.day} {monday:%b}" in screen.subtitle_label.text()
    names = [row.head.text() for row in _rows(screen.attention_list)]
    assert any("R-01" in n for n in names) and not any("G-01" in n for n in names)
    first_orange = next(i for i, item in enumerate(screen.data.attention) if item.level == "orange")
    assert all(item.level == "red" for item in screen.data.attention[:first_orange])
    assert screen.streak_card.value.text() == "2 weeks"
    assert not screen.next_button.isEnabled()  # no weeks in the future
    # A note with markup is shown as typed, never interpreted.
    entries = [r for r in _rows(screen.entries_list) if r.body.text()]
    assert entries and entries[0].body.text() == "Role-played the <b>hard</b> conversation"
    assert entries[0].body.textFormat() == Qt.TextFormat.PlainText


def test_completing_the_review_by_keyboard_stores_it_and_extends_the_streak(
    qtbot: Any, make_window: MakeWindow, week_db: Database
) -> None:
    window, screen = _open(qtbot, make_window, week_db)
    assert screen.form.complete_button.text() == "Complete review"
    form = screen.form
    form.energy.setFocus()
    focused = QApplication.focusWidget()
    assert focused is not None
    qtbot.keyClick(focused, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(focused, "7")
    qtbot.keyClick(focused, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is form.note
    qtbot.keyClicks(form.note, "R-01 <b>worse</b>; talked about it")
    qtbot.keyClick(form.note, Qt.Key.Key_Tab)  # the note passes the focus on, no tab typed
    assert QApplication.focusWidget() is form.commitment
    qtbot.keyClicks(form.commitment, "Ask for the SRS every session")
    with qtbot.waitSignal(screen.ready, timeout=TIMEOUT):
        qtbot.keyClick(form.commitment, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    rows = _stored(week_db)
    assert len(rows) == 1 and rows[0].completed_at is not None
    assert (rows[0].energy, rows[0].note, rows[0].commitment) == (
        7,
        "R-01 <b>worse</b>; talked about it",
        "Ask for the SRS every session",
    )
    assert screen.streak_card.value.text() == "3 weeks"
    assert screen.form.complete_button.text() == "Save changes"
    assert screen.form.reopen_button.isVisible()
    assert "done" in screen.review_title.text()
    # Edit ▸ Undo takes the review back out (on the worker) and the streak with it.
    with qtbot.waitSignal(screen.ready, timeout=TIMEOUT):
        window.undo_stack.undo()
    assert _stored(week_db) == []
    assert screen.streak_card.value.text() == "2 weeks"
    with qtbot.waitSignal(screen.ready, timeout=TIMEOUT):
        window.undo_stack.redo()
    assert len(_stored(week_db)) == 1 and screen.streak_card.value.text() == "3 weeks"


def test_reopening_keeps_the_text_and_leaves_the_streak(
    qtbot: Any, make_window: MakeWindow, week_db: Database
) -> None:
    _window, screen = _open(qtbot, make_window, week_db)
    screen.form.note.setPlainText("a note")
    with qtbot.waitSignal(screen.ready, timeout=TIMEOUT):
        qtbot.mouseClick(screen.form.complete_button, Qt.MouseButton.LeftButton)
    assert screen.streak_card.value.text() == "3 weeks"
    with qtbot.waitSignal(screen.ready, timeout=TIMEOUT):
        qtbot.mouseClick(screen.form.reopen_button, Qt.MouseButton.LeftButton)
    rows = _stored(week_db)
    assert len(rows) == 1 and rows[0].completed_at is None and rows[0].note == "a note"
    assert screen.streak_card.value.text() == "2 weeks"
    assert screen.form.note.toPlainText() == "a note"
    assert screen.form.complete_button.text() == "Complete review"


def test_clicking_an_attention_item_opens_the_client_page(
    qtbot: Any, make_window: MakeWindow, week_db: Database
) -> None:
    window, screen = _open(qtbot, make_window, week_db)
    row = next(r for r in _rows(screen.attention_list) if "R-01" in r.head.text())
    assert row.view == "client:R-01"
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        qtbot.mouseClick(row, Qt.MouseButton.LeftButton)
    page = window.current_screen()
    assert isinstance(page, ClientPageScreen) and page.argument == "R-01"


def test_week_selector_and_history_move_between_weeks(
    qtbot: Any, make_window: MakeWindow, week_db: Database
) -> None:
    _window, screen = _open(qtbot, make_window, week_db)
    monday = monday_of(dt.date.today())
    with qtbot.waitSignal(screen.ready, timeout=TIMEOUT):
        qtbot.mouseClick(screen.previous_button, Qt.MouseButton.LeftButton)
    assert screen.data is not None and screen.data.week_start == monday - dt.timedelta(7)
    assert screen.next_button.isEnabled() and screen.this_week_button.isEnabled()
    assert screen.form.note.toPlainText() == "note 1"  # last week's stored review
    assert "done" in screen.review_title.text()
    # The history lists weeks before the one shown; a row opens its week.
    history = _rows(screen.history_list)
    assert history and history[0].view == f"week:{monday - dt.timedelta(14)}"
    with qtbot.waitSignal(screen.ready, timeout=TIMEOUT):
        qtbot.mouseClick(history[0], Qt.MouseButton.LeftButton)
    assert screen.data.week_start == monday - dt.timedelta(14)
    with qtbot.waitSignal(screen.ready, timeout=TIMEOUT):
        qtbot.mouseClick(screen.this_week_button, Qt.MouseButton.LeftButton)
    assert screen.data.week_start == monday and not screen.next_button.isEnabled()


def test_an_empty_database_shows_how_to_begin(
    qtbot: Any, make_window: MakeWindow, db: Database
) -> None:
    window = make_window(db, parse_view("weekly"))
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        window.show()
    screen = window.current_screen()
    assert isinstance(screen, WeeklyScreen) and screen.pages.currentIndex() == 1


def test_export_writes_the_week_as_html(
    qtbot: Any, make_window: MakeWindow, week_db: Database, tmp_path: Any, monkeypatch: Any
) -> None:
    window, screen = _open(qtbot, make_window, week_db)
    target = tmp_path / "week.html"
    monkeypatch.setattr(
        "practice_app.gui.report_export.QFileDialog.getSaveFileName",
        lambda *args, **kwargs: (str(target), ""),
    )
    html_action = next(a for a in screen.export_button.menu().actions() if a.text() == "HTML…")
    html_action.trigger()
    qtbot.waitUntil(target.exists, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: not window.workers.busy, timeout=TIMEOUT)
    text = target.read_text(encoding="utf-8")
    assert "R-01" in text
