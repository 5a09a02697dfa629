"""The Overview screen: what this database holds, with sessions and practice per month."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from practice_app.gui.registry import ScreenSpec
from practice_app.gui.screens.base import Screen, ScreenContext
from practice_app.storage.models import ENDING_LABELS
from practice_app.storage.overview import MonthPoint, Overview

ACCENT = "#2f6f73"
PRACTICE = "#d08c2a"
ACCENT_LIGHT = "#a9c9cb"
PRACTICE_LIGHT = "#ecd1a6"
MONTH_SECONDS = 30.4 * 24 * 3600


def _month_text(day: dt.date | None) -> str:
    return day.strftime("%B %Y") if day else "–"


def _hours(minutes: int) -> str:
    hours = minutes / 60
    return f"{hours:,.0f} h" if hours >= 100 else f"{hours:,.1f} h"


class StatCard(QFrame):
    """A white card with a big number, a caption and a detail line."""

    def __init__(self, caption: str, tooltip: str) -> None:
        super().__init__()
        self.setObjectName("statCard")
        self.setToolTip(tooltip)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(2)
        self.caption = QLabel(caption)
        self.caption.setObjectName("statCaption")
        self.value = QLabel("–")
        self.value.setObjectName("statValue")
        self.detail = QLabel("")
        self.detail.setObjectName("statDetail")
        self.detail.setWordWrap(True)
        for label in (self.caption, self.value, self.detail):
            layout.addWidget(label)

    def set(self, value: str, detail: str) -> None:
        """Show a value and its detail line."""
        self.value.setText(value)
        self.detail.setText(detail)


def _panel(title: str) -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setObjectName("panel")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(18, 14, 18, 14)
    layout.setSpacing(8)
    heading = QLabel(title)
    heading.setObjectName("sectionTitle")
    layout.addWidget(heading)
    return frame, layout


class OverviewScreen(Screen):
    """Counts, date range, scores per instrument and a monthly activity chart."""

    def __init__(self, context: ScreenContext, spec: ScreenSpec, argument: str | None = None):
        super().__init__(context, spec, argument)
        self.data: Overview | None = None
        self.pages = QStackedWidget()
        self.pages.addWidget(self._build_content())
        self.pages.addWidget(self._build_empty())
        self.layout_.addWidget(self.pages, 1)

    @classmethod
    def warm_up(cls) -> None:
        """Import pyqtgraph while the database worker loads the figures."""
        import pyqtgraph  # noqa: F401

    def subtitle(self) -> str:
        """Header line before the data has loaded."""
        return "Loading…"

    def _build_content(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(16)
        cards = QHBoxLayout()
        cards.setSpacing(16)
        self.clients_card = StatCard("Clients", "Clients in the database (each known by a code)")
        self.episodes_card = StatCard(
            "Episodes of care",
            "Open: no end date and no ending reason yet. Closed: ended, with or without a reason.",
        )
        self.sessions_card = StatCard("Sessions", "Every session recorded, with or without scores")
        self.practice_card = StatCard(
            "Practice this year",
            "Sum of the minutes of this calendar year's practice-journal entries, in hours",
        )
        for card in (self.clients_card, self.episodes_card, self.sessions_card, self.practice_card):
            cards.addWidget(card, 1)
        layout.addLayout(cards)

        lower = QHBoxLayout()
        lower.setSpacing(16)
        scores_panel, scores_layout = _panel("In this database")
        scores_panel.setMinimumWidth(250)
        scores_panel.setMaximumWidth(330)
        self.scores_grid = QGridLayout()
        self.scores_grid.setHorizontalSpacing(12)
        self.scores_grid.setVerticalSpacing(6)
        scores_layout.addLayout(self.scores_grid)
        scores_layout.addStretch(1)
        self.range_label = QLabel("")
        self.range_label.setObjectName("hint")
        self.range_label.setWordWrap(True)
        scores_layout.addWidget(self.range_label)
        lower.addWidget(scores_panel)

        chart_panel, chart_layout = _panel("Activity per month")
        chart_panel.setToolTip(
            "Top: sessions held in each calendar month. Bottom: hours of deliberate practice "
            "logged in each calendar month (sum of journal minutes / 60). "
            "The lighter bar is the current month, which is not over yet."
        )
        self.chart_host = QVBoxLayout()
        chart_layout.addLayout(self.chart_host, 1)
        note = QLabel("The lighter bar is the current month, which is not over yet.")
        note.setObjectName("hint")
        note.setWordWrap(True)
        chart_layout.addWidget(note)
        lower.addWidget(chart_panel, 1)
        layout.addLayout(lower, 1)
        self.chart: Any = None
        return page

    def _build_empty(self) -> QWidget:
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.setContentsMargins(0, 0, 0, 0)
        frame, layout = _panel("Nothing here yet")
        frame.setMaximumWidth(640)
        text = QLabel(
            "This database has no clients, sessions or practice entries. Once you add them, "
            "this screen shows what the database holds and your activity month by month.\n\n"
            "To look around first, load the demo data: invented clients and practice, "
            "three years of it. You can start a new, empty database any time from the File menu."
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        self.empty_buttons = QHBoxLayout()
        self.empty_buttons.setSpacing(10)
        for key, label, description in self.context.commands():
            button = QPushButton(label)
            button.setToolTip(description)
            if key == "load-demo":
                button.setObjectName("primaryButton")
            button.clicked.connect(lambda _=False, key=key: self.context.trigger(key))
            self.empty_buttons.addWidget(button)
        self.empty_buttons.addStretch(1)
        layout.addLayout(self.empty_buttons)
        outer.addWidget(frame, 0, Qt.AlignmentFlag.AlignTop)
        outer.addStretch(1)
        return page

    def show_data(self, data: Overview) -> None:
        """Fill the cards, the instrument list and the chart."""
        self.data = data
        if data.is_empty:
            self.subtitle_label.setText("An empty database: here is how to begin.")
            self.pages.setCurrentIndex(1)
            return
        self.pages.setCurrentIndex(0)
        therapists = "1 therapist" if data.therapists == 1 else f"{data.therapists} therapists"
        self.subtitle_label.setText(
            f"Sessions from {_month_text(data.first_session)} to "
            f"{_month_text(data.last_session)} · {therapists}"
        )
        self.clients_card.set(f"{data.clients:,}", therapists)
        self.episodes_card.set(
            f"{data.episodes:,}", f"{data.open_episodes:,} open · {data.closed_episodes:,} closed"
        )
        self.sessions_card.set(f"{data.sessions:,}", f"{data.scores:,} scores recorded")
        self.practice_card.set(
            _hours(data.practice_minutes_this_year),
            f"in {data.year} · {_hours(data.practice_minutes_total)} in all",
        )
        self._fill_scores(data)
        self._draw_chart(data.months, data.today)

    def _fill_scores(self, data: Overview) -> None:
        grid = self.scores_grid
        while grid.count():
            taken = grid.takeAt(0)
            widget = taken.widget() if taken is not None else None
            if widget is not None:
                widget.deleteLater()
        rows: list[tuple[str, str, str]] = []  # (label, value, tooltip); value "" = heading
        rows.append(("Scores by instrument", "", ""))
        for item in data.instruments:
            kind = "an alliance" if item.alliance else "an outcome"
            rows.append((item.title, f"{item.scores:,}", f"{item.name}: {kind} measure"))
        if not data.instruments:
            rows.append(("No scores yet", "", "hint"))
        if data.endings:
            rows.append(("Closed episodes by ending", "", ""))
            for reason, count in data.endings:
                label = ENDING_LABELS.get(reason, reason) if reason else "No reason recorded"
                rows.append((label, f"{count:,}", "How the episode ended"))
        rows.append(("Practice and learning", "", ""))
        rows += [
            ("Practice-journal entries", f"{data.practice_entries:,}", "Deliberate practice"),
            ("Development objectives", f"{data.objectives:,}", "Objectives of the plan"),
            ("Weekly reviews", f"{data.weekly_reviews:,}", "Completed weekly reviews"),
            ("Lessons from clients", f"{data.lessons:,}", "What clients taught"),
            ("Consultation briefs", f"{data.briefs:,}", "De-identified briefs"),
        ]
        for row, (label, value, tooltip) in enumerate(rows):
            name = QLabel(label)
            if not value and tooltip != "hint":
                name.setObjectName("sectionSubtitle")
                name.setContentsMargins(0, 8 if row else 0, 0, 0)
                grid.addWidget(name, row, 0, 1, 2)
                continue
            name.setToolTip(tooltip)
            number = QLabel(value)
            number.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(name, row, 0)
            grid.addWidget(number, row, 1)
        grid.setColumnStretch(0, 1)
        days = (
            (data.last_session - data.first_session).days
            if data.first_session and data.last_session
            else 0
        )
        self.range_label.setText(
            f"Sessions dated {data.first_session:%d %b %Y} to {data.last_session:%d %b %Y} "
            f"({days / 365.25:.1f} years)."
            if data.first_session and data.last_session
            else "No dated sessions yet."
        )

    def _draw_chart(self, months: tuple[MonthPoint, ...], today: dt.date) -> None:
        # pyqtgraph is imported here, not at start-up: only a screen with a chart pays for it.
        import pyqtgraph as pg

        if self.chart is None:
            pg.setConfigOptions(antialias=True, background="w", foreground="#455a64")
            self.chart = pg.GraphicsLayoutWidget()
            self.chart.setAccessibleName("Sessions and practice hours per month")
            self.chart_host.addWidget(self.chart)
        self.chart.clear()
        stamps = [dt.datetime(m.month.year, m.month.month, 15).timestamp() for m in months]
        width = MONTH_SECONDS * 0.7
        # The month under way is not over: draw it lighter so a short bar is not read as a dip.
        unfinished = [(m.month.year, m.month.month) == (today.year, today.month) for m in months]
        top = self._plot(pg, 0, "Sessions per month", "Sessions")
        top.addItem(
            pg.BarGraphItem(
                x=stamps,
                height=[m.sessions for m in months],
                width=width,
                brushes=[ACCENT_LIGHT if u else ACCENT for u in unfinished],
                pen=None,
            )
        )
        bottom = self._plot(pg, 1, "Deliberate practice per month", "Hours")
        bottom.addItem(
            pg.BarGraphItem(
                x=stamps,
                height=[m.practice_hours for m in months],
                width=width,
                brushes=[PRACTICE_LIGHT if u else PRACTICE for u in unfinished],
                pen=None,
            )
        )
        bottom.setXLink(top)
        bottom.setLabel("bottom", "Month")
        if stamps:
            top.setXRange(stamps[0] - MONTH_SECONDS, stamps[-1] + MONTH_SECONDS, padding=0)

    def _plot(self, pg: Any, row: int, title: str, unit_label: str) -> Any:
        plot = self.chart.addPlot(
            row=row, col=0, axisItems={"bottom": pg.DateAxisItem(orientation="bottom")}
        )
        plot.setTitle(title, size="10pt", color="#37474f")
        plot.setLabel("left", unit_label)
        plot.showGrid(y=True, alpha=0.15)
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        plot.setMenuEnabled(False)
        plot.getViewBox().setLimits(yMin=0)
        plot.enableAutoRange(axis="y")
        plot.setYRange(0, 1)
        plot.enableAutoRange(axis="y")
        return plot
