"""A client's page driven as a user would: chart, keyboard entry, validation, undo, closing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from clients_sample_data import SRS_ITEMS, TODAY, write_clients
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from sqlalchemy import func, select

from practice_app.gui.main_window import MainWindow
from practice_app.gui.registry import parse_view
from practice_app.gui.screens.client_page import ClientPageScreen
from practice_app.storage.database import Database
from practice_app.storage.models import Client, Episode, Instrument, Score, Session, Therapist

TIMEOUT = 30_000
MakeWindow = Callable[..., MainWindow]


@pytest.fixture
def clients_db(db: Database) -> Database:
    """The test database with the hand-judged episodes."""
    write_clients(db)
    return db


def _open(qtbot: Any, make_window: MakeWindow, db: Database, code: str) -> ClientPageScreen:
    window = make_window(db, parse_view(f"client:{code}"))
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        window.show()
    page = window.current_screen()
    assert isinstance(page, ClientPageScreen)
    window.activateWindow()
    return page


def _sessions(db: Database, code: str) -> list[tuple[int, dict[str, float]]]:
    with db.session() as s:
        rows = s.execute(
            select(Session.number, Instrument.name, Score.total)
            .join(Episode, Episode.id == Session.episode_id)
            .join(Client, Client.id == Episode.client_id)
            .join(Score, Score.session_id == Session.id)
            .join(Instrument, Instrument.id == Score.instrument_id)
            .where(Client.code == code)
            .order_by(Session.number)
        ).all()
    out: dict[int, dict[str, float]] = {}
    for number, name, total in rows:
        out.setdefault(number, {})[name] = total
    return sorted(out.items())


def _type(qtbot: Any, values: list[str]) -> None:
    """Type each value into the focused field, then Tab to the next one."""
    for value in values:
        widget = QApplication.focusWidget()
        assert widget is not None
        if value:
            qtbot.keyClicks(widget, value)
        qtbot.keyClick(widget, Qt.Key.Key_Tab)


def test_the_page_shows_the_chart_signals_items_and_facts(
    qtbot: Any, make_window: MakeWindow, clients_db: Database
) -> None:
    page = _open(qtbot, make_window, clients_db, "O-01")
    assert page.title_label.text() == "Client O-01"
    chart = page.chart
    assert chart.points == [(1, 20.0), (2, 21.0), (3, 19.0)]
    assert chart.alliance_points == [(1, 35.0), (2, 34.0), (3, 33.0)]
    assert "Clinical cutoff 25" in chart.marks
    assert "SRS cutoff 36" in chart.marks
    assert "Reliable change: intake 20.0 ± 5" in chart.marks
    # Starter rules (no closed reference episodes): the rule marks, not fitted lines.
    assert "no change by 3rd → orange" in chart.marks
    assert "no reliable change by 6th → red" in chart.marks
    assert "Starter rules: fewer than 30 closed episodes" in page.model_label.text()
    assert "Outcome (ORS): Orange" in page.outcome_badge.text()
    assert "no improvement by the 3rd" in page.outcome_badge.text()
    # SRS 33 is below the cutoff 36: the alliance is red, in words.
    assert "Alliance (SRS): Red" in page.alliance_badge.text()
    assert chart.hover_text(2).startswith("Session 2 · ")
    assert "ORS 21.0" in chart.hover_text(2) and "SRS 34.0" in chart.hover_text(2)
    assert page.items_table.rowCount() == 3
    assert page.fact("Status") == "Open"
    assert page.fact("Change") == "-1.0"
    assert page.fact("Category") == "Unchanged"


def test_low_srs_items_are_highlighted(
    qtbot: Any, make_window: MakeWindow, clients_db: Database
) -> None:
    page = _open(qtbot, make_window, clients_db, "W-01")
    table = page.items_table
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    first_srs = headers.index("SRS\nRelat.")
    latest = [table.item(0, first_srs + i) for i in range(4)]  # latest session first
    assert [item.text() for item in latest] == [f"{v:.1f}" for v in SRS_ITEMS]
    assert [item.font().bold() for item in latest] == [False, False, True, False]  # 8.5 < 9


def test_entering_a_session_by_keyboard_adds_a_point_and_turns_the_signal_red(
    qtbot: Any, make_window: MakeWindow, clients_db: Database
) -> None:
    page = _open(qtbot, make_window, clients_db, "W-01")
    assert "Outcome (ORS): Green" in page.outcome_badge.text()
    assert page.entry.date_edit.date().toPython() == TODAY
    page.entry.field("ORS", 0).setFocus()
    # ORS items 3.5 x 4 = 14: d = 14 - 20 = -6 <= -5, reliably worse: red.
    _type(qtbot, ["3.5", "3.5", "3.5", "3.5", "", "9", "9", "9", "9.5"])
    assert QApplication.focusWidget() is page.entry.field("SRS", None)
    with qtbot.waitSignal(page.ready, timeout=TIMEOUT):
        qtbot.keyClick(page.entry.field("SRS", None), Qt.Key.Key_Return)
    assert page.chart.points[-1] == (3, 14.0)
    assert len(page.chart.points) == 3
    assert "Outcome (ORS): Red" in page.outcome_badge.text()
    assert "reliably worse than intake" in page.outcome_badge.text()
    assert _sessions(clients_db, "W-01")[-1] == (3, {"ORS": 14.0, "SRS": 36.5})
    assert page.entry.field("ORS", 0).text() == ""  # cleared for the next entry
    assert page.context.undo_stack.count() == 1


def test_an_invalid_entry_shows_the_inline_message_and_writes_nothing(
    qtbot: Any, make_window: MakeWindow, clients_db: Database
) -> None:
    page = _open(qtbot, make_window, clients_db, "W-01")
    before = _sessions(clients_db, "W-01")
    entry = page.entry
    entry.field("ORS", 0).setFocus()
    _type(qtbot, ["11", "5", "5", "5", "25"])
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert entry.invalid_fields() == ["ORS Individually"]
    assert entry.message.isVisible()
    assert "ORS Individually: 11 is above the item maximum 10" in entry.message.text()
    assert QApplication.focusWidget() is entry.field("ORS", 0)
    # Fix the item; now the total disagrees with the items (5 x 4 = 20, not 25).
    entry.field("ORS", 0).setText("5")
    qtbot.keyClick(entry.field("ORS", 0), Qt.Key.Key_Return)
    assert entry.invalid_fields() == ["ORS total"]
    assert "does not match the items, which add up to 20" in entry.message.text()
    # Nothing at all.
    entry.clear()
    qtbot.keyClick(entry.field("ORS", 0), Qt.Key.Key_Return)
    assert "Enter the ORS or SRS" in entry.message.text()
    assert not page.saving
    assert _sessions(clients_db, "W-01") == before


def test_undo_removes_the_entered_session_and_redo_adds_it_back(
    qtbot: Any, make_window: MakeWindow, clients_db: Database
) -> None:
    page = _open(qtbot, make_window, clients_db, "G-01")
    page.entry.field("ORS", None).setText("30")
    with qtbot.waitSignal(page.ready, timeout=TIMEOUT):
        qtbot.keyClick(page.entry.field("ORS", None), Qt.Key.Key_Enter)
    assert len(page.chart.points) == 3
    stack = page.context.undo_stack
    assert stack.undoText().startswith("Add session for G-01")
    with qtbot.waitSignal(page.ready, timeout=TIMEOUT):
        stack.undo()
    assert page.chart.points == [(1, 15.0), (2, 22.0)]
    assert [n for n, _ in _sessions(clients_db, "G-01")] == [1, 2]
    with qtbot.waitSignal(page.ready, timeout=TIMEOUT):
        stack.redo()
    assert page.chart.points[-1] == (3, 30.0)


def test_closing_an_episode_asks_for_the_reason_and_stores_it(
    qtbot: Any, make_window: MakeWindow, clients_db: Database
) -> None:
    page = _open(qtbot, make_window, clients_db, "R-01")
    qtbot.mouseClick(page.close_button, Qt.MouseButton.LeftButton)
    dialog = page.close_dialog
    assert dialog is not None and dialog.isVisible()
    labels = [dialog.reason.itemText(i) for i in range(dialog.reason.count())]
    assert labels == ["Planned ending", "Client stopped coming", "Referred on", "Other"]
    dialog.reason.setCurrentIndex(dialog.reason.findData("referred"))
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    with qtbot.waitSignal(page.ready, timeout=TIMEOUT):
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    with clients_db.session() as s:
        episode = s.scalars(select(Episode).join(Client).where(Client.code == "R-01")).one()
        assert (episode.ending_reason, episode.end_date) == ("referred", TODAY)
    assert page.fact("Status") == f"Referred on · ended {TODAY:%d %b %Y}"
    assert not page.entry.save_button.isEnabled()
    assert not page.close_button.isEnabled()
    with qtbot.waitSignal(page.ready, timeout=TIMEOUT):
        page.context.undo_stack.undo()
    with clients_db.session() as s:
        episode = s.scalars(select(Episode).join(Client).where(Client.code == "R-01")).one()
        assert (episode.ending_reason, episode.end_date) == (None, None)
    assert page.close_button.isEnabled()


def test_a_sudden_gain_is_marked_on_the_chart_and_listed(
    qtbot: Any, make_window: MakeWindow, clients_db: Database
) -> None:
    page = _open(qtbot, make_window, clients_db, "S-01")
    assert page.chart.sudden_marks == [("gain", 3)]
    assert page.fact("Sudden changes") == "gain 2→3 (7.5)"
    assert "Outcome (ORS): Green" in page.outcome_badge.text()


def test_an_unknown_client_says_it_was_not_found(
    qtbot: Any, make_window: MakeWindow, clients_db: Database
) -> None:
    window = make_window(clients_db, parse_view("client:NOPE"))
    with qtbot.waitSignal(window.failed, timeout=TIMEOUT) as blocker:
        window.show()
    assert blocker.args == ["Could not load Client: client 'NOPE' was not found"]
    page = window.current_screen()
    assert isinstance(page, ClientPageScreen)
    assert "client 'NOPE' was not found" in page.missing_label.text()
    assert page.pages.currentIndex() == 1


def test_an_episode_without_enough_days_keeps_the_date_at_or_after_the_last_session(
    qtbot: Any, make_window: MakeWindow, clients_db: Database
) -> None:
    page = _open(qtbot, make_window, clients_db, "O-01")
    last = TODAY - dt.timedelta(days=3)
    assert page.entry.date_edit.minimumDate().toPython() == last
    with clients_db.session() as s:
        assert s.scalar(select(func.count(Session.id))) == 15


def test_the_selector_shows_earlier_episodes_latest_first(
    qtbot: Any, make_window: MakeWindow, clients_db: Database
) -> None:
    with clients_db.session() as s:
        client = s.scalars(select(Client).where(Client.code == "G-01")).one()
        therapist = s.scalars(select(Therapist)).one()
        ors = s.scalars(select(Instrument).where(Instrument.name == "ORS")).one()
        old = Episode(
            client=client,
            therapist=therapist,
            end_date=dt.date(2024, 2, 1),
            ending_reason="stopped",
        )
        for number, total in enumerate((12.0, 13.0, 11.0), start=1):
            row = Session(number=number, date=dt.date(2024, 1, number * 7))
            row.scores.append(Score(instrument=ors, total=total))
            old.sessions.append(row)
        s.add(old)
    page = _open(qtbot, make_window, clients_db, "G-01")
    box = page.episode_box
    assert box.count() == 2
    assert "open" in box.itemText(0) and "client stopped coming" in box.itemText(1)
    assert page.chart.points == [(1, 15.0), (2, 22.0)]
    box.setCurrentIndex(1)
    assert page.chart.points == [(1, 12.0), (2, 13.0), (3, 11.0)]
    assert page.fact("Status") == "Client stopped coming · ended 01 Feb 2024"
    assert not page.entry.form.isVisibleTo(page.entry)
    assert "closed" in page.entry.closed_note.text()
    assert not page.close_button.isEnabled()
