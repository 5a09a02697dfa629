"""The Consultation screen driven as a therapist would: picker, brief, editing, saving, copying."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from clients_sample_data import SRS_ITEMS, write_clients
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from practice_app.gui.main_window import MainWindow
from practice_app.gui.registry import parse_view, valid_views
from practice_app.gui.screens.client_page import ClientPageScreen
from practice_app.gui.screens.consult import ConsultScreen
from practice_app.storage.database import Database, open_database
from practice_app.storage.models import (
    Client,
    ClientLesson,
    ConsultationBrief,
    Episode,
    Instrument,
    Score,
    Session,
)
from practice_app.storage.sessions import add_session

TIMEOUT = 30_000
MakeWindow = Callable[..., MainWindow]
QUESTION = "Is it time to talk about <referring> on?"


@pytest.fixture
def clients_db(db: Database) -> Database:
    """The hand-judged episodes of the client-page tests (R-01 red, O-01 orange, ...)."""
    write_clients(db)
    return db


def _open(qtbot: Any, make_window: MakeWindow, db: Database, view: str) -> ConsultScreen:
    window = make_window(db, parse_view(view))
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        window.show()
    screen = window.current_screen()
    assert isinstance(screen, ConsultScreen)
    window.activateWindow()
    return screen


def _stored(db: Database, code: str) -> list[tuple[str | None, str | None]]:
    with db.session() as s:
        rows = s.execute(
            select(ConsultationBrief.tried, ConsultationBrief.questions)
            .join(Episode, Episode.id == ConsultationBrief.episode_id)
            .join(Client, Client.id == Episode.client_id)
            .where(Client.code == code)
        ).all()
    return [(t, q) for t, q in rows]


def _type_question(qtbot: Any, screen: ConsultScreen, text: str) -> None:
    screen.questions_edit.setFocus()
    qtbot.waitUntil(screen.questions_edit.hasFocus, timeout=TIMEOUT)
    qtbot.keyClicks(screen.questions_edit, text)


def test_the_brief_shows_the_code_chart_summary_signals_and_items(
    qtbot: Any, make_window: MakeWindow, clients_db: Database
) -> None:
    screen = _open(qtbot, make_window, clients_db, "consult:O-01")
    assert screen.title_label.text() == "Consultation brief · O-01"
    assert screen.chart.points == [(1, 20.0), (2, 21.0), (3, 19.0)]
    assert screen.chart.alliance_points == [(1, 35.0), (2, 34.0), (3, 33.0)]
    assert screen.fact("Client") == "O-01 (code only)"
    assert screen.fact("ORS") == "20.0 → 19.0 (-1.0)"
    titles = [n.title for n in screen.view.signals] if screen.view else []
    assert titles[:2] == ["Outcome signal (ORS): orange", "Alliance signal (SRS): red"]
    assert screen.items_table.isHidden()  # O-01 has totals only
    assert "below the cutoff at session 1, 2, 3" in screen.alliance_label.text()
    assert screen.tried_edit.toPlainText() == "" and not screen.dirty


def test_questions_typed_and_saved_by_keyboard_come_back_and_undo(
    qtbot: Any, make_window: MakeWindow, clients_db: Database
) -> None:
    screen = _open(qtbot, make_window, clients_db, "consult:O-01")
    _type_question(qtbot, screen, QUESTION)
    assert screen.dirty and screen.save_button.isEnabled()
    qtbot.keyClick(screen.questions_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not screen.saving and not screen.dirty, timeout=TIMEOUT)
    assert _stored(clients_db, "O-01") == [(None, QUESTION)]
    assert screen.save_label.text().startswith("Saved ")
    # Undo writes the empty brief back and empties the field; redo restores it.
    stack = screen.context.undo_stack
    assert stack.undoText() == "Edit the consultation brief of O-01"
    stack.undo()
    qtbot.waitUntil(lambda: screen.questions_edit.toPlainText() == "", timeout=TIMEOUT)
    qtbot.waitUntil(lambda: _stored(clients_db, "O-01") == [(None, None)], timeout=TIMEOUT)
    stack.redo()
    qtbot.waitUntil(lambda: screen.questions_edit.toPlainText() == QUESTION, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: _stored(clients_db, "O-01") == [(None, QUESTION)], timeout=TIMEOUT)
    screen.window().close()
    again = _open(qtbot, make_window, clients_db, "consult:O-01")
    assert again.questions_edit.toPlainText() == QUESTION
    assert again.save_label.text().startswith("Last saved ")


def test_leaving_the_screen_saves_the_edits(
    qtbot: Any, make_window: MakeWindow, clients_db: Database
) -> None:
    screen = _open(qtbot, make_window, clients_db, "consult:R-01")
    screen.tried_edit.setFocus()
    qtbot.keyClicks(screen.tried_edit, "Behavioural activation")
    window = screen.window()
    assert isinstance(window, MainWindow)
    window.open_view("clients")
    qtbot.waitUntil(lambda: not screen.dirty and not screen.saving, timeout=TIMEOUT)
    assert _stored(clients_db, "R-01") == [("Behavioural activation", None)]
    qtbot.waitUntil(lambda: not window.workers.busy, timeout=TIMEOUT)


def test_closing_the_window_saves_first(
    qtbot: Any, make_window: MakeWindow, clients_db: Database
) -> None:
    screen = _open(qtbot, make_window, clients_db, "consult:G-01")
    _type_question(qtbot, screen, "What next?")
    window = screen.window()
    assert isinstance(window, MainWindow)
    window.close()
    qtbot.waitUntil(lambda: window.workers.closed, timeout=TIMEOUT)
    assert _stored(clients_db, "G-01") == [(None, "What next?")]


def test_copy_as_text_puts_the_brief_on_the_clipboard(
    qtbot: Any, make_window: MakeWindow, clients_db: Database
) -> None:
    screen = _open(qtbot, make_window, clients_db, "consult:O-01")
    _type_question(qtbot, screen, QUESTION)
    QApplication.clipboard().clear()
    qtbot.mouseClick(screen.copy_button, Qt.MouseButton.LeftButton)
    text = QApplication.clipboard().text()
    assert text.startswith("Consultation brief: client O-01")
    assert "QUESTIONS FOR THE CONSULTANT" in text and QUESTION in text
    assert "R-01" not in text and "Female" not in text
    screen.save()  # leave nothing unsaved for the window's close
    qtbot.waitUntil(lambda: not screen.dirty and not screen.saving, timeout=TIMEOUT)


def test_the_picker_lists_open_not_on_track_first_and_opens_by_enter(
    qtbot: Any, make_window: MakeWindow, clients_db: Database
) -> None:
    screen = _open(qtbot, make_window, clients_db, "consult")
    assert screen.title_label.text() == "Consultation"
    table = screen.picker.table
    clients = [table.item(r, 1).text() for r in range(table.rowCount())]
    # N-01 is closed (hidden by "Open episodes only"); R-01 red, O-01 orange, then green.
    assert clients[:2] == ["R-01", "O-01"] and "N-01" not in clients
    assert set(clients[2:]) == {"G-01", "W-01", "S-01"}
    screen.picker.open_only.setChecked(False)
    assert table.rowCount() == 6
    qtbot.keyClicks(screen.picker.search, "o-0")
    assert [table.item(r, 1).text() for r in range(table.rowCount())] == ["O-01"]
    table.setFocus()
    window = screen.window()
    assert isinstance(window, MainWindow)
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        qtbot.keyClick(table, Qt.Key.Key_Return)
    brief = window.current_screen()
    assert isinstance(brief, ConsultScreen) and brief.argument == "O-01"
    assert brief.view is not None and brief.view.code == "O-01"


def test_an_unknown_client_says_so(
    qtbot: Any, make_window: MakeWindow, clients_db: Database
) -> None:
    window = make_window(clients_db, parse_view("consult:NOPE"))
    with qtbot.waitSignal(window.failed, timeout=TIMEOUT):
        window.show()
    screen = window.current_screen()
    assert isinstance(screen, ConsultScreen)
    assert screen.pages.currentIndex() == 2
    assert "client 'NOPE' was not found" in screen.missing_label.text()
    assert not screen.copy_button.isEnabled()


def test_the_client_page_opens_the_brief_of_its_episode(
    qtbot: Any, make_window: MakeWindow, clients_db: Database
) -> None:
    window = make_window(clients_db, parse_view("client:W-01"))
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        window.show()
    page = window.current_screen()
    assert isinstance(page, ClientPageScreen)
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        qtbot.mouseClick(page.brief_button, Qt.MouseButton.LeftButton)
    brief = window.current_screen()
    assert isinstance(brief, ConsultScreen) and brief.argument == "W-01"
    assert brief.view is not None and page.episode is not None
    assert brief.view.episode_id == page.episode.episode_id


def test_the_view_takes_an_optional_code() -> None:
    assert parse_view("consult").argument is None
    assert parse_view("consult:C0132").argument == "C0132"
    assert "consult[:CODE]" in valid_views()
    assert parse_view("consult").key != parse_view("consult:C0132").key


def test_export_saves_the_edits_first_and_writes_the_brief(
    qtbot: Any, make_window: MakeWindow, clients_db: Database, tmp_path: Path
) -> None:
    screen = _open(qtbot, make_window, clients_db, "consult:O-01")
    assert [b.text() for b in screen.export_buttons.values()] == [
        "Export PDF…",
        "Export HTML…",
        "Print…",
    ]
    _type_question(qtbot, screen, QUESTION)
    target = tmp_path / "brief.html"
    run = screen.export("html", path=target)
    with qtbot.waitSignal(run.done, timeout=TIMEOUT):
        pass
    page = target.read_text(encoding="utf-8")
    assert "O-01" in page and "R-01" not in page
    # The unsaved question was saved before the export loaded the brief, and is escaped.
    assert "Is it time to talk about &lt;referring&gt; on?" in page
    assert "<referring>" not in page
    assert _stored(clients_db, "O-01") == [(None, QUESTION)]
    qtbot.waitUntil(lambda: not screen.window().workers.busy, timeout=TIMEOUT)


HOSTILE = "<b>bold</b> & <script>alert(1)</script>"


def _add_earlier_episode_and_markup(db: Database) -> int:
    """Give O-01 an earlier, closed episode, a lesson and a session note with markup."""
    with db.session() as s:
        client = s.scalars(select(Client).where(Client.code == "O-01")).one()
        current = s.scalars(select(Episode).where(Episode.client_id == client.id)).one()
        current.sessions[0].notes = HOSTILE
        ors = s.scalars(select(Instrument).where(Instrument.name == "ORS")).one()
        first = current.sessions[0].date - dt.timedelta(days=400)
        earlier = Episode(
            client_id=client.id,
            therapist_id=current.therapist_id,
            end_date=first + dt.timedelta(days=14),
            ending_reason="planned",
        )
        for number, total in enumerate((12.0, 16.0, 24.0), start=1):
            day = first + dt.timedelta(days=7 * (number - 1))
            earlier.sessions.append(
                Session(number=number, date=day, scores=[Score(instrument=ors, total=total)])
            )
        s.add(earlier)
        s.add(ClientLesson(client_id=client.id, date=first, taught=HOSTILE))
        s.flush()
        return int(earlier.id)


def test_markup_in_notes_and_lessons_shows_as_typed(
    qtbot: Any, make_window: MakeWindow, clients_db: Database
) -> None:
    _add_earlier_episode_and_markup(clients_db)
    screen = _open(qtbot, make_window, clients_db, "consult:O-01")
    texts = [
        box.itemAt(i).widget().text()
        for box in (screen.notes_box, screen.lessons_box)
        for i in range(box.count())
    ]
    assert len(texts) == 2
    for text in texts:
        assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;" in text
        assert "<script>" not in text


def test_choosing_another_episode_saves_first_and_shows_it(
    qtbot: Any, make_window: MakeWindow, clients_db: Database
) -> None:
    earlier = _add_earlier_episode_and_markup(clients_db)
    screen = _open(qtbot, make_window, clients_db, "consult:O-01")
    latest = screen.view.episode_id if screen.view else None
    assert screen.episode_box.count() == 2 and screen.episode_box.currentIndex() == 0
    _type_question(qtbot, screen, "About the current episode")
    window = screen.window()
    assert isinstance(window, MainWindow)
    with qtbot.waitSignal(screen.ready, timeout=TIMEOUT):
        screen.episode_box.setCurrentIndex(1)
    assert screen.view is not None and screen.view.episode_id == earlier
    assert screen.chart.points == [(1, 12.0), (2, 16.0), (3, 24.0)]
    assert screen.fact("Category") == "Improved"  # d = 12 >= RC 5, but 24 is below 25
    assert screen.questions_edit.toPlainText() == ""  # the earlier episode has no brief
    with clients_db.session() as s:
        saved = s.scalars(
            select(ConsultationBrief.questions).where(ConsultationBrief.episode_id == latest)
        ).all()
    assert saved == ["About the current episode"]


def test_a_session_added_on_the_client_page_shows_when_the_brief_is_shown_again(
    qtbot: Any, make_window: MakeWindow, clients_db: Database
) -> None:
    screen = _open(qtbot, make_window, clients_db, "consult:G-01")
    assert len(screen.chart.points) == 2
    window = screen.window()
    assert isinstance(window, MainWindow)
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        window.open_view("client:G-01")
    page = window.current_screen()
    assert isinstance(page, ClientPageScreen) and page.episode is not None
    episode_id, day = page.episode.episode_id, page.episode.last_date
    assert day is not None

    def add(session: Any) -> int:
        return add_session(session, episode_id, day, {"ORS": (30.0, None)})

    holder: list[int] = []
    with qtbot.waitSignal(window.workers.idle, timeout=TIMEOUT):
        window.workers.query(add, on_success=holder.append)
    # What every write of the window does: a command on the shared undo stack.
    screen.context.undo_stack.push(QUndoCommand("Add session for G-01"))
    with qtbot.waitSignal(screen.ready, timeout=TIMEOUT):
        window.open_view("consult:G-01")
    assert [p for _, p in screen.chart.points] == [15.0, 22.0, 30.0]


def test_an_episode_with_totals_only_says_so_instead_of_an_empty_table(
    qtbot: Any, make_window: MakeWindow, clients_db: Database
) -> None:
    screen = _open(qtbot, make_window, clients_db, "consult:S-01")
    assert screen.items_table.isHidden()
    assert screen.lowest_label.text().startswith("Only totals were recorded")
    assert screen.alliance_label.text() == "No alliance scores in this episode."
    assert screen.fact("ORS") == "10.0 → 19.0 (+9.0)"
    assert "Intake (first measurement)" in screen.fact_labels["ORS"].toolTip()


def test_item_scores_show_latest_first_with_weak_alliance_items_marked(
    qtbot: Any, make_window: MakeWindow, clients_db: Database
) -> None:
    screen = _open(qtbot, make_window, clients_db, "consult:W-01")
    table = screen.items_table
    assert not table.isHidden()
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers[0] == "#" and headers[-1] == "SRS\ntotal"  # the ORS has no items here
    assert table.rowCount() == 2 and table.item(0, 0).text() == "2"  # latest first
    cells = [table.item(0, c).text() for c in range(2, table.columnCount())]
    assert cells == [f"{v:.1f}" for v in SRS_ITEMS] + [f"{sum(SRS_ITEMS):.1f}"]
    weak = [c for c in range(table.columnCount()) if table.item(0, c).font().bold()]
    assert [SRS_ITEMS[c - 2] for c in weak] == [8.5]  # below 36 / 4 = 9
    assert "SRS: lowest item on average Approach or method (8.5)" in screen.lowest_label.text()


def test_an_episode_without_sessions_opens_with_empty_sections(
    qtbot: Any, make_window: MakeWindow, clients_db: Database
) -> None:
    with clients_db.session() as s:
        therapist = s.scalars(select(Episode.therapist_id)).first()
        s.add(Episode(client=Client(code="E-00"), therapist_id=therapist))
    screen = _open(qtbot, make_window, clients_db, "consult:E-00")
    assert screen.chart.points == []
    texts = [
        screen.signals_box.itemAt(i).widget().text() for i in range(screen.signals_box.count())
    ]
    assert texts == ["No scores yet, so no signals."]
    assert screen.fact("Sessions") == "none yet"
    assert "No session notes" in screen.notes_box.itemAt(0).widget().text()


def test_an_edit_is_never_written_into_another_database(
    qtbot: Any, make_window: MakeWindow, clients_db: Database, sample_db_path: Path
) -> None:
    screen = _open(qtbot, make_window, clients_db, "consult:O-01")
    _type_question(qtbot, screen, "Belongs to O-01 only")
    window = screen.window()
    assert isinstance(window, MainWindow)
    with qtbot.waitSignal(window.database_changed, timeout=TIMEOUT):
        window.switch_database(str(sample_db_path))
    qtbot.waitUntil(lambda: not window.workers.busy, timeout=TIMEOUT)
    other = open_database(str(sample_db_path))
    try:
        with other.session() as s:
            assert s.scalars(select(ConsultationBrief)).all() == []
    finally:
        other.dispose()
