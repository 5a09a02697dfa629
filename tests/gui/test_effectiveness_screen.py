"""The Effectiveness screen driven as a user would: cards, filters that reload, tooltips."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from practice_app.gui.main_window import MainWindow
from practice_app.gui.registry import parse_view
from practice_app.gui.screens.effectiveness import EffectivenessScreen
from practice_app.storage.database import Database
from practice_app.storage.models import Client, Episode, Instrument, Score, Session, Therapist

TIMEOUT = 30_000
MakeWindow = Callable[..., MainWindow]
RECENT, EARLIER, WITH_PHQ = 20, 15, 12


def _write(db: Database) -> None:
    """20 episodes ended in the last 6 months, 15 about two years ago; 12 also have PHQ-9.

    Every third client is in the "Couples" group, the others "Individual".
    """
    today = dt.date.today()
    ends = [today - dt.timedelta(days=5 + 8 * k) for k in range(RECENT)]
    ends += [today - dt.timedelta(days=700 + 6 * k) for k in range(EARLIER)]
    with db.session() as s:
        ors = s.scalars(select(Instrument).where(Instrument.name == "ORS")).one()
        phq = s.scalars(select(Instrument).where(Instrument.name == "PHQ-9")).one()
        therapist = Therapist(code="T1", display_name="Test")
        for i, end in enumerate(ends):
            client = Client(code=f"C{i:03d}", group_name="Individual" if i % 3 else "Couples")
            start = end - dt.timedelta(days=42)
            episode = Episode(
                client=client, therapist=therapist, start_date=start, end_date=end,
                ending_reason="planned",
            )  # fmt: skip
            intake = 12.0 + (i * 7) % 13
            outcome = intake + ((i * 3) % 11) - 2.0
            for number, (day, total) in enumerate(((start, intake), (end, outcome)), start=1):
                session = Session(episode=episode, number=number, date=day)
                session.scores.append(Score(instrument=ors, total=total))
                if i < WITH_PHQ:
                    phq_total = 18.0 - (i % 5) if number == 1 else 9.0 + (i % 4)
                    session.scores.append(Score(instrument=phq, total=phq_total))
            s.add(episode)


@pytest.fixture
def screen(qtbot: Any, make_window: MakeWindow, db: Database) -> EffectivenessScreen:
    """The window opened on the Effectiveness screen of the written practice."""
    _write(db)
    window = make_window(db, parse_view("effectiveness"))
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        window.show()
    shown = window.current_screen()
    assert isinstance(shown, EffectivenessScreen)
    return shown


def _n(screen: EffectivenessScreen) -> str:
    return screen.cards["effect_size"].detail.text()


def test_cards_show_the_overall_figures_with_their_n(screen: EffectivenessScreen) -> None:
    view = screen.view
    assert view is not None and view.overall is not None
    assert view.overall.n == RECENT + EARLIER
    es = view.overall.effect_size
    assert es.value is not None and es.ci is not None
    assert screen.cards["effect_size"].value.text() == f"{es.value:.2f}"
    assert f"{es.ci[0]:.2f}–{es.ci[1]:.2f}" in _n(screen)
    assert _n(screen).endswith("n=35")
    assert "n=35" in screen.cards["saes"].detail.text()
    ri = view.overall.percent["reliably_improved"].value
    assert ri is not None
    assert screen.cards["reliably_improved"].value.text() == f"{ri:.0f}%"
    assert "benchmark 65–68%" in screen.cards["reliably_improved"].detail.text()
    assert "35 episodes" in screen.subtitle_label.text()
    assert "Reese et al. 2014" in screen.sources_line.text()
    assert "your own 35 episodes over all time" in screen.reference_note.text()
    assert screen.instrument_combo.currentText() == "ORS"
    assert [screen.group_combo.itemText(i) for i in range(screen.group_combo.count())] == [
        "All client groups",
        "Couples",
        "Individual",
    ]


def test_every_figure_and_chart_says_how_it_is_computed(screen: EffectivenessScreen) -> None:
    for key, card in screen.cards.items():
        tip = card.toolTip()
        assert "n = 35 episodes with 2+ ORS measurements" in tip, key
    assert "mean change / SD of intake scores" in screen.cards["effect_size"].toolTip()
    assert "2,000 resamples" in screen.cards["effect_size"].toolTip()
    assert "against your own" in screen.cards["saes"].toolTip()
    effect_tip = screen.effect_chart.widget.toolTip()
    assert "95% CI" in effect_tip and "fewer than 10" in effect_tip
    category_tip = screen.category_chart.widget.toolTip()
    assert "65–68%" in category_tip and "Reese" in category_tip
    assert "Reese" in screen.sources_line.toolTip()


def test_quarters_with_too_few_episodes_carry_no_figure(screen: EffectivenessScreen) -> None:
    quarters = screen.quarter_points()
    assert sum(w.n for w in quarters) == RECENT + EARLIER
    small = [w for w in quarters if 0 < w.n < 10]
    assert small and all(w.effect_size.value is None for w in small)
    assert all(w.effect_size.value is not None for w in quarters if w.n >= 10)


def test_the_period_filter_reloads_with_the_recent_episodes(
    qtbot: Any, screen: EffectivenessScreen
) -> None:
    screen.period_combo.setFocus()
    with qtbot.waitSignal(screen.ready, timeout=TIMEOUT):
        qtbot.keyClick(screen.period_combo, Qt.Key.Key_Down)
    assert screen.period_combo.currentText() == "Last 12 months"
    assert _n(screen).endswith("n=20")
    assert "last 12 months" in screen.subtitle_label.text()


def test_the_group_filter_reloads_with_the_group_only(
    qtbot: Any, screen: EffectivenessScreen
) -> None:
    with qtbot.waitSignal(screen.ready, timeout=TIMEOUT):
        screen.group_combo.setCurrentIndex(screen.group_combo.findText("Couples"))
    assert _n(screen).endswith("n=12")  # every third of the 35 clients
    assert screen.view is not None and screen.view.overall is not None
    assert screen.view.overall.n == 12
    assert "couples" in screen.subtitle_label.text().lower()
    with qtbot.waitSignal(screen.ready, timeout=TIMEOUT):
        screen.period_combo.setCurrentIndex(screen.period_combo.findText("Last 12 months"))
    # 7 recent couples: below 10, so no figure, and the card says so.
    assert screen.cards["effect_size"].value.text() == "–"
    assert _n(screen) == "n=7, not enough data"
    assert screen.cards["reliably_improved"].detail.text().startswith("n=7, not enough data")


def test_the_instrument_filter_loads_the_other_measure(
    qtbot: Any, screen: EffectivenessScreen
) -> None:
    index = screen.instrument_combo.findText("PHQ-9")
    assert index >= 0
    with qtbot.waitSignal(screen.ready, timeout=TIMEOUT):
        screen.instrument_combo.setCurrentIndex(index)
    assert screen.view is not None and screen.view.instrument == "PHQ-9"
    assert _n(screen).endswith("n=12")
    assert "PHQ-9" in screen.cards["effect_size"].toolTip()
    assert not screen.view.benchmarks or all(b.applies_to("PHQ-9") for b in screen.view.benchmarks)


def test_the_measure_toggle_switches_the_chart_to_saes(
    qtbot: Any, screen: EffectivenessScreen
) -> None:
    button = next(b for b in screen.measure_buttons.buttons() if b.text() == "SAES")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert screen.measure == "saes"
    assert "Severity-adjusted" in screen.effect_title.text()
    assert "SAES" in screen.effect_chart.widget.toolTip()
