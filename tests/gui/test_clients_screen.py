"""The Clients list driven as a user would: filters, sorting, opening a client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from clients_sample_data import EPISODES, EXPECTED_SIGNALS, write_clients
from PySide6.QtCore import QPoint, Qt

from practice_app.gui.main_window import MainWindow
from practice_app.gui.registry import parse_view
from practice_app.gui.screens.client_page import ClientPageScreen
from practice_app.gui.screens.clients import COLUMN, ClientsScreen
from practice_app.storage.database import Database

TIMEOUT = 30_000
MakeWindow = Callable[..., MainWindow]


@pytest.fixture
def clients_db(db: Database) -> Database:
    """The test database with the hand-judged episodes."""
    write_clients(db)
    return db


def _open_clients(qtbot: Any, make_window: MakeWindow, db: Database) -> ClientsScreen:
    window = make_window(db, parse_view("clients"))
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        window.show()
    screen = window.current_screen()
    assert isinstance(screen, ClientsScreen)
    return screen


def test_the_list_shows_every_episode_with_its_hand_judged_signal(
    qtbot: Any, make_window: MakeWindow, clients_db: Database
) -> None:
    screen = _open_clients(qtbot, make_window, clients_db)
    rows = screen.visible_rows()
    assert {r.client: r.signal for r in rows} == EXPECTED_SIGNALS
    assert screen.summary.text() == "6 episodes · 5 open · 1 red · 1 orange · 3 green"
    assert "Starter rules" in screen.subtitle_label.text()
    # The signal is a dot and a word, never colour alone.
    proxy = screen.table.model()
    first = proxy.index(0, COLUMN["signal"])
    assert proxy.data(first) in {"Red", "Orange", "Green", "None"}
    assert proxy.data(first, Qt.ItemDataRole.DecorationRole) is not None
    r01 = next(r for r in rows if r.client == "R-01")
    assert (r01.intake, r01.latest, r01.change, r01.category) == (20.0, 14.0, -6.0, "deteriorated")


def test_filters_by_signal_text_and_status(
    qtbot: Any, make_window: MakeWindow, clients_db: Database
) -> None:
    screen = _open_clients(qtbot, make_window, clients_db)
    screen.signal_filter.setCurrentIndex(screen.signal_filter.findData("red"))
    assert [r.client for r in screen.visible_rows()] == ["R-01"]
    assert screen.summary.text().startswith("Showing 1 of 6 episodes")
    screen.signal_filter.setCurrentIndex(screen.signal_filter.findData("green"))
    assert sorted(r.client for r in screen.visible_rows()) == ["G-01", "S-01", "W-01"]
    qtbot.keyClicks(screen.search, "w-")
    assert [r.client for r in screen.visible_rows()] == ["W-01"]
    screen.search.clear()
    screen.signal_filter.setCurrentIndex(0)
    screen.status_filter.setCurrentIndex(screen.status_filter.findData("closed"))
    assert [r.client for r in screen.visible_rows()] == ["N-01"]
    screen.status_filter.setCurrentIndex(screen.status_filter.findData("open"))
    assert len(screen.visible_rows()) == len(EPISODES) - 1


def test_clicking_a_header_sorts_by_that_column(
    qtbot: Any, make_window: MakeWindow, clients_db: Database
) -> None:
    screen = _open_clients(qtbot, make_window, clients_db)
    header = screen.table.horizontalHeader()

    def click(column: str) -> None:
        x = header.sectionViewportPosition(COLUMN[column]) + header.sectionSize(COLUMN[column]) // 2
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))

    click("intake")
    intakes = [r.intake for r in screen.visible_rows()]
    assert intakes == sorted(intakes)
    assert intakes[0] == 10.0
    click("intake")
    assert [r.intake for r in screen.visible_rows()] == sorted(intakes, reverse=True)
    click("signal")
    first = [r.signal for r in screen.visible_rows()]
    click("signal")
    second = [r.signal for r in screen.visible_rows()]
    # red > orange > green > none, one way or the other
    assert {first[0], second[0]} == {"red", "none"}
    assert second[:2] == ["red", "orange"] or first[:2] == ["red", "orange"]


def test_enter_on_a_row_opens_the_client_page(
    qtbot: Any, make_window: MakeWindow, clients_db: Database
) -> None:
    screen = _open_clients(qtbot, make_window, clients_db)
    window = screen.window()
    assert isinstance(window, MainWindow)
    screen.search.setText("O-01")
    screen.table.setFocus()
    screen.table.setCurrentIndex(screen.table.model().index(0, COLUMN["client"]))
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        qtbot.keyClick(screen.table, Qt.Key.Key_Return)
    page = window.current_screen()
    assert isinstance(page, ClientPageScreen)
    assert page.title_label.text() == "Client O-01"
    assert page.episode is not None and page.episode.signal == "orange"


def test_double_click_opens_the_client_page(
    qtbot: Any, make_window: MakeWindow, clients_db: Database
) -> None:
    screen = _open_clients(qtbot, make_window, clients_db)
    window = screen.window()
    assert isinstance(window, MainWindow)
    screen.signal_filter.setCurrentIndex(screen.signal_filter.findData("red"))
    index = screen.table.model().index(0, COLUMN["client"])
    rect = screen.table.visualRect(index)
    qtbot.mouseClick(screen.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert isinstance(window.current_screen(), ClientsScreen)  # one click only selects
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        qtbot.mouseDClick(screen.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    page = window.current_screen()
    assert isinstance(page, ClientPageScreen)
    assert page.argument == "R-01"


def test_an_empty_database_says_there_are_no_episodes(
    qtbot: Any, make_window: MakeWindow, db: Database
) -> None:
    screen = _open_clients(qtbot, make_window, db)
    assert screen.visible_rows() == []
    assert "No episodes yet" in screen.subtitle_label.text()
    assert screen.summary.text().startswith("0 episodes")


def test_the_list_reloads_after_a_session_is_entered_on_a_client_page(
    qtbot: Any, make_window: MakeWindow, clients_db: Database
) -> None:
    screen = _open_clients(qtbot, make_window, clients_db)
    window = screen.window()
    assert isinstance(window, MainWindow)
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        window.open_view("client:W-01")
    page = window.current_screen()
    assert isinstance(page, ClientPageScreen)
    page.entry.field("ORS", None).setText("14")  # 14 - 20 = -6: reliably worse, red
    with qtbot.waitSignal(page.ready, timeout=TIMEOUT):
        qtbot.keyClick(page.entry.field("ORS", None), Qt.Key.Key_Return)
    with qtbot.waitSignal(screen.ready, timeout=TIMEOUT):
        window.open_view("clients")
    w01 = next(r for r in screen.visible_rows() if r.client == "W-01")
    assert (w01.signal, w01.latest, w01.sessions) == ("red", 14.0, 3)
    assert screen.summary.text() == "6 episodes · 5 open · 2 red · 1 orange · 2 green"
