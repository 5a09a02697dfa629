"""The Practice against results and Workload against results tabs on demo data.

Each tab is built on its own with a real Workers object (the Practice screen embeds
them); the tests load, wait for ``ready`` and read what a therapist would see.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtGui import QUndoStack

from practice_app.demo import load_demo
from practice_app.gui.screens.base import ScreenContext
from practice_app.gui.screens.practice_results_tabs import PracticeResultsTab, WorkloadTab
from practice_app.gui.workers import Workers
from practice_app.storage.database import Database

TIMEOUT = 30_000


@pytest.fixture
def context(qapp: Any, db: Database) -> Iterator[ScreenContext]:
    """A screen context with real workers on the test database (shut down afterwards)."""
    workers = Workers(db)
    yield ScreenContext(
        workers, QUndoStack(), lambda _v: None, lambda _k: None, lambda: [], lambda _m: None
    )
    assert workers.shutdown()


def _shown(qtbot: Any, tab: Any) -> Any:
    qtbot.addWidget(tab)
    tab.resize(1300, 800)
    tab.show()
    with qtbot.waitSignal(tab.ready, timeout=TIMEOUT):
        tab.reload()
    return tab


def test_practice_tab_shows_the_correlation_with_its_n_and_the_caveat(
    qtbot: Any, db: Database, context: ScreenContext
) -> None:
    load_demo(db)
    tab = _shown(qtbot, PracticeResultsTab(context))
    view = tab.view
    assert view is not None and not view.message
    assert view.months and view.rolling
    assert tab.summary.text().startswith(f"{view.entries:,} journal entries")
    caveat = tab.caveat.text()
    assert "not a cause" in caveat and "one person's data" in caveat
    for lag in (0, 1):
        tab.set_lag(lag)
        scatter = view.scatters[lag]
        c = scatter.correlation
        text = tab.correlation_text()
        if c.rho is None:
            assert c.reason in text
        else:
            assert f"ρ = {c.rho:.2f}" in text
            assert f"n = {c.n} quarters" in text
            assert c.ci is not None and f"95% CI {c.ci[0]:.2f} to {c.ci[1]:.2f}" in text
        assert tab.scatter_note.text() == scatter.note
        when = "same quarter" if lag == 0 else "following quarter"
        assert when in tab.scatter_chart.widget.toolTip()
    for chart in (tab.hours_chart, tab.rolling_chart, tab.scatter_chart):
        assert len(chart.widget.toolTip()) > 80  # says how the figure is computed


def test_workload_tab_shows_bands_with_n_and_where_outcomes_fall(
    qtbot: Any, db: Database, context: ScreenContext
) -> None:
    load_demo(db)
    tab = _shown(qtbot, WorkloadTab(context))
    view = tab.view
    assert view is not None
    assert view.weeks and view.energy and view.bands
    assert tab.band_labels() == [b.label for b in view.bands]
    for band in view.bands:
        assert f"<b>{band.label}</b>: n={band.n}" in tab.band_note.text()
    assert tab.decline_label.text() == view.decline_text
    assert f"n = {view.energy_vs_load.n} weeks" in tab.energy_note.text()
    assert "not a cause" in tab.caveat.text()
    for chart in (tab.sessions_chart, tab.energy_chart, tab.band_chart):
        assert len(chart.widget.toolTip()) > 80


def test_tabs_on_an_empty_database_say_what_is_missing(qtbot: Any, context: ScreenContext) -> None:
    practice = _shown(qtbot, PracticeResultsTab(context))
    assert practice.pages.currentIndex() == 1
    assert practice.empty.text().startswith("No outcome scores yet")
    workload = _shown(qtbot, WorkloadTab(context))
    assert workload.pages.currentIndex() == 1
    assert workload.empty.text().startswith("No outcome scores yet")
