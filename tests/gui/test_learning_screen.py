"""The Learning screen driven as a user would: a planted pattern, drill-down, lessons, objectives.

The data plant one pattern that can be counted by hand: 9 of the 12 clients referred
by an employer got reliably worse (ORS 20 -> 17 -> 14, red under the starter rules),
against 3 of the 16 self-referred ones (2 closed, and one open episode red at 5
measurements with an SRS of 38, which also puts it on the bunt list).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from learning_sample_data import write_planted
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select

from practice_app.gui.main_window import MainWindow
from practice_app.gui.registry import parse_view
from practice_app.gui.screens.learning import LearningScreen
from practice_app.services.learning_view import PatternItem
from practice_app.storage.database import Database
from practice_app.storage.models import (
    ClientLesson,
    PracticeObjective,
)

TIMEOUT = 30_000
MakeWindow = Callable[..., MainWindow]
EMPLOYER_SENTENCE = (
    "Clients referred by an employer were not on track in 9 of 12 episodes (75%) "
    "against 19% of the others (3 of 16)"
)


@pytest.fixture
def planted_db(db: Database) -> Database:
    """The test database with the planted pattern."""
    write_planted(db)
    return db


def _open(qtbot: Any, make_window: MakeWindow, db: Database) -> LearningScreen:
    window = make_window(db, parse_view("learning"))
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        window.show()
    screen = window.current_screen()
    assert isinstance(screen, LearningScreen)
    window.activateWindow()
    return screen


def _pattern_index(screen: LearningScreen, startswith: str) -> int:
    for i in range(screen.pattern_list.count()):
        found = screen.pattern_list.item(i).data(Qt.ItemDataRole.UserRole)
        if isinstance(found, PatternItem) and found.sentence.startswith(startswith):
            return i
    texts = [screen.pattern_list.item(i).text() for i in range(screen.pattern_list.count())]
    raise AssertionError(f"no pattern starting {startswith!r} in {texts}")


def _click_pattern(qtbot: Any, screen: LearningScreen, startswith: str) -> PatternItem:
    row = _pattern_index(screen, startswith)
    lst = screen.pattern_list
    lst.scrollToItem(lst.item(row))
    rect = lst.visualItemRect(lst.item(row))
    qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    found = lst.item(row).data(Qt.ItemDataRole.UserRole)
    assert isinstance(found, PatternItem)
    return found


def test_the_pattern_reads_as_a_sentence_and_drills_down_to_its_episodes(
    qtbot: Any, make_window: MakeWindow, planted_db: Database
) -> None:
    screen = _open(qtbot, make_window, planted_db)
    assert screen.data is not None and screen.data.n_episodes == 28
    item = _click_pattern(qtbot, screen, EMPLOYER_SENTENCE)
    assert item.status == "pattern"
    assert "times as often (95% CI" in item.sentence and "q = " in item.sentence
    assert screen.objective_button.isEnabled()
    rows = screen.episode_rows()
    # The 12 employer-referred episodes, the 9 not on track first (in bold).
    assert sorted(e.client for e in rows) == [f"E-{i:02d}" for i in range(1, 13)]
    assert {e.client for e in rows[:9]} == {f"E-{i:02d}" for i in range(1, 10)}
    assert screen.episode_table.item(0, 0).font().bold()
    assert not screen.episode_table.item(11, 0).font().bold()
    assert "12 episodes of clients referred by an employer; 9 were not on track" in (
        screen.episode_caption.text()
    )
    opened: list[str] = []
    screen.context.open_view = opened.append
    table = screen.episode_table
    rect = table.visualRect(table.model().index(0, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened == [f"client:{rows[0].client}"]
    # A lesson written now is about the episode selected in the drill-down.
    dialog = screen.ask_lesson()
    assert dialog is not None
    assert (dialog.client.text(), dialog.episode.text()) == (rows[0].client, rows[0].episode)
    dialog.reject()


def test_the_bunt_list_and_the_explanations(
    qtbot: Any, make_window: MakeWindow, planted_db: Database
) -> None:
    screen = _open(qtbot, make_window, planted_db)
    assert screen.bunt_list.count() == 1
    text = screen.bunt_list.item(0).text()
    assert text.startswith("B-01 · ") and "red at 5 of 6 measurements" in text
    assert "latest SRS 38" in text
    assert "most often “Approach" in screen.srs_label.text()
    assert "could be chance" in screen.srs_label.text()  # every episode: same lowest item
    assert "q < 0.10" in screen.explanation.text() and "Emerging" in screen.explanation.text()


def test_adding_a_lesson_by_keyboard_shows_it_with_its_tag_count(
    qtbot: Any, make_window: MakeWindow, planted_db: Database
) -> None:
    screen = _open(qtbot, make_window, planted_db)
    qtbot.keyClick(
        screen,
        Qt.Key.Key_L,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialog = screen.lesson_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.client, timeout=TIMEOUT)
    for text in ("S-01", "", "Work pressure kept the scores flat.", "", "Name it early"):
        widget = QApplication.focusWidget()
        assert widget is not None
        if text:
            qtbot.keyClicks(widget, text)
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.tags
    qtbot.keyClicks(dialog.tags, " referral , Work context")
    with qtbot.waitSignal(screen.ready, timeout=TIMEOUT):
        qtbot.keyClick(dialog.tags, Qt.Key.Key_Return)
    assert screen.data is not None
    newest = screen.lesson_list.item(0).text()
    assert "S-01: Work pressure kept the scores flat." in newest
    assert "I will practise: Name it early" in newest
    # "Referral" (the older lesson) and " referral " (typed now) are one tag, counted twice.
    counts = {t.tag: t.count for t in screen.data.tags}
    assert counts == {"Referral": 2, "Work context": 1}
    assert "Referral&nbsp;<b>2</b>" in screen.tag_label.text()
    with planted_db.session() as s:
        assert s.scalar(select(func.count()).select_from(ClientLesson)) == 2
    with qtbot.waitSignal(screen.ready, timeout=TIMEOUT):
        screen.context.undo_stack.undo()
    with planted_db.session() as s:
        assert s.scalar(select(func.count()).select_from(ClientLesson)) == 1
    assert screen.lesson_list.count() == 1


def test_a_refused_lesson_keeps_the_dialog_open_and_writes_nothing(
    qtbot: Any, make_window: MakeWindow, planted_db: Database
) -> None:
    screen = _open(qtbot, make_window, planted_db)
    dialog = screen.ask_lesson()
    assert dialog is not None
    dialog.client.setText("NOPE")
    dialog.taught.setPlainText("Something")
    with qtbot.waitSignal(dialog.submitted, timeout=TIMEOUT):
        dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.error.isVisibleTo(dialog), timeout=TIMEOUT)
    assert "Unknown client 'NOPE'" in dialog.error.text()
    assert dialog.isVisible()
    with planted_db.session() as s:
        assert s.scalar(select(func.count()).select_from(ClientLesson)) == 1
    dialog.reject()


def test_a_pattern_becomes_a_practice_objective(
    qtbot: Any, make_window: MakeWindow, planted_db: Database
) -> None:
    screen = _open(qtbot, make_window, planted_db)
    _click_pattern(qtbot, screen, EMPLOYER_SENTENCE)
    qtbot.mouseClick(screen.objective_button, Qt.MouseButton.LeftButton)
    dialog = screen.objective_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.title.text() == "Get clients referred by an employer on track more often"
    criteria = dialog.criteria.toPlainText()
    assert "9 of 12 episodes" in criteria and "19% of the others" in criteria
    with qtbot.waitSignal(screen.ready, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    with planted_db.session() as s:
        stored = s.scalars(select(PracticeObjective)).all()
        assert [(o.title, o.status) for o in stored] == [
            ("Get clients referred by an employer on track more often", "active")
        ]
        assert "9 of 12 episodes" in (stored[0].success_criteria or "")
    with qtbot.waitSignal(screen.ready, timeout=TIMEOUT):
        screen.context.undo_stack.undo()
    with planted_db.session() as s:
        assert s.scalar(select(func.count()).select_from(PracticeObjective)) == 0


def test_a_lesson_becomes_a_practice_objective(
    qtbot: Any, make_window: MakeWindow, planted_db: Database
) -> None:
    screen = _open(qtbot, make_window, planted_db)
    lst = screen.lesson_list
    qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=lst.visualItemRect(
        lst.item(0)).center())  # fmt: skip
    dialog = screen.make_objective()
    assert dialog is not None
    assert dialog.title.text() == "Ask what the client wants."
    with qtbot.waitSignal(screen.ready, timeout=TIMEOUT):
        dialog.save_button.click()
    with planted_db.session() as s:
        assert s.scalars(select(PracticeObjective.title)).all() == ["Ask what the client wants."]


def test_too_few_episodes_say_what_is_missing(
    qtbot: Any, make_window: MakeWindow, sample_db: Database
) -> None:
    screen = _open(qtbot, make_window, sample_db)
    assert screen.pattern_stack.currentWidget() is screen.pattern_empty
    assert "at least 10 episodes" in screen.pattern_empty.text()
    assert not screen.objective_button.isEnabled()


def test_deleting_a_lesson_by_keyboard_and_undoing_it(
    qtbot: Any, make_window: MakeWindow, planted_db: Database
) -> None:
    screen = _open(qtbot, make_window, planted_db)
    lst = screen.lesson_list
    rect = lst.visualItemRect(lst.item(0))
    qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(screen.ready, timeout=TIMEOUT):
        qtbot.keyClick(lst, Qt.Key.Key_Delete)
    with planted_db.session() as s:
        assert s.scalar(select(func.count()).select_from(ClientLesson)) == 0
    assert not screen.lesson_list.isVisible() and "No lessons yet" in screen.tag_label.text()
    with qtbot.waitSignal(screen.ready, timeout=TIMEOUT):
        screen.context.undo_stack.undo()
    with planted_db.session() as s:
        back = s.scalars(select(ClientLesson)).one()
        assert (back.id, back.taught, [t.tag for t in back.tags]) == (
            1,
            "Ask what the client wants.",
            ["Referral"],
        )
