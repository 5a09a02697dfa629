"""The journal's charts: hours per week against the weekly target, hours by domain or activity.

The weekly chart draws one bar per week (Monday to Sunday) on a date axis: weeks that
reach the target in the practice colour, the others lighter, the current week hatched
as "so far", the target as a dashed line. Weeks without practice are bars of zero,
never left out. The by-domain and by-activity bars are a small painted widget:
label, bar, hours, with the share of the period in the tooltip.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QHelpEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from practice_app.gui.charts.practice_charts import (
    DAY_SECONDS,
    PRACTICE,
    epoch,
    plot_widget,
    text_item,
)
from practice_app.services.practice import PeriodTotal

TARGET = "#2f6f73"
BELOW = "#b3bbe6"
TEXT = "#455a64"
MUTED = "#90a4ae"


class WeeklyHoursChart:
    """Hours per week as bars with the weekly target as a dashed line."""

    def __init__(self) -> None:
        self.widget = plot_widget("Practice hours per week", dates=True, height=150)
        self.plot = self.widget.getPlotItem()
        self.plot.setLabel("left", "Hours")
        self.hours: np.ndarray[Any, np.dtype[np.float64]] = np.zeros(0)
        self.weeks: tuple[PeriodTotal, ...] = ()

    def draw(self, weeks: Sequence[PeriodTotal], target_minutes: int, today: dt.date) -> None:
        """One bar per week; the current week (still running) hatched."""
        plot = self.plot
        plot.clear()
        self.weeks = tuple(weeks)
        self.hours = np.array([w.minutes / 60 for w in weeks], dtype=float)
        target = target_minutes / 60
        if not weeks:
            return
        x0 = np.array([epoch(w.period_start) for w in weeks])
        reached = self.hours >= target if target > 0 else np.ones(len(weeks), dtype=bool)
        current = np.array(
            [w.period_start <= today < w.period_start + dt.timedelta(7) for w in weeks]
        )
        for mask, brush in (
            (reached & ~current, pg.mkBrush(PRACTICE)),
            (~reached & ~current, pg.mkBrush(BELOW)),
        ):
            if mask.any():
                plot.addItem(
                    pg.BarGraphItem(
                        x0=x0[mask] + 0.6 * DAY_SECONDS, x1=x0[mask] + 6.4 * DAY_SECONDS,
                        y0=0, height=self.hours[mask], brush=brush, pen=None,
                    )
                )  # fmt: skip
        if current.any():
            plot.addItem(
                pg.BarGraphItem(
                    x0=x0[current] + 0.6 * DAY_SECONDS, x1=x0[current] + 6.4 * DAY_SECONDS,
                    y0=0, height=self.hours[current],
                    brush=pg.mkBrush(QColor(PRACTICE), style=Qt.BrushStyle.BDiagPattern),
                    pen=pg.mkPen(PRACTICE, width=1),
                )
            )  # fmt: skip
        tips = [
            f"Week of {w.period_start:%d %b %Y}: {w.minutes / 60:.1f} h in {w.entries} "
            f"{'entry' if w.entries == 1 else 'entries'}"
            + (" (this week so far)" if c else "")
            + (f" · target {target:.1f} h" if target > 0 else "")
            for w, c in zip(weeks, current, strict=True)
        ]
        plot.addItem(
            pg.ScatterPlotItem(
                x=x0 + 3.5 * DAY_SECONDS, y=np.maximum(self.hours, 0.05), size=14,
                brush=pg.mkBrush(0, 0, 0, 0), pen=None, hoverable=True, data=tips,
                tip=lambda x, y, data: data,
            )
        )  # fmt: skip
        right = x0[-1] + 8 * DAY_SECONDS
        # At least eight weeks wide, so a young journal still reads as weeks, not days.
        left = min(x0[0] - DAY_SECONDS, right - 8 * 7 * DAY_SECONDS)
        top = max(float(self.hours.max(initial=0.0)), target, 0.5) * 1.18
        if target > 0:
            plot.addItem(
                pg.InfiniteLine(
                    pos=target, angle=0,
                    pen=pg.mkPen(TARGET, width=1.5, style=Qt.PenStyle.DashLine),
                )
            )  # fmt: skip
            plot.addItem(text_item(f"target {target:.1f} h", left, target, TARGET, (0, 1.05)))
        plot.setXRange(left, right, padding=0)
        plot.setYRange(0, top, padding=0)


@dataclass(frozen=True)
class Bar:
    """One row of an hours-by chart."""

    label: str
    minutes: int
    tooltip: str = ""


class HoursBars(QWidget):
    """Horizontal bars: a label, a bar scaled to the largest row, the hours."""

    ROW = 22
    LABEL_SHARE = 0.42

    def __init__(self, accessible: str, colour: str = PRACTICE) -> None:
        super().__init__()
        self.setAccessibleName(accessible)
        self.colour = QColor(colour)
        self.bars: list[Bar] = []
        self.empty_text = "No practice in this period."
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)

    def set_bars(self, bars: Sequence[Bar]) -> None:
        """Replace the rows (drawn in the given order)."""
        self.bars = list(bars)
        self.setFixedHeight(self.sizeHint().height())
        self.update()

    def sizeHint(self) -> QSize:
        """Room for every row (or the empty text)."""
        return QSize(260, max(1, len(self.bars)) * self.ROW + 4)

    def _rows(self) -> list[tuple[QRectF, Bar]]:
        return [
            (QRectF(0, 2 + i * self.ROW, self.width(), self.ROW), b)
            for i, b in enumerate(self.bars)
        ]

    def paintEvent(self, event: QPaintEvent) -> None:
        """Draw the rows."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = QFontMetrics(self.font())
        total = sum(b.minutes for b in self.bars)
        if not total:
            painter.setPen(QColor(MUTED))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignLeft, self.empty_text)
            painter.end()
            return
        most = max(b.minutes for b in self.bars)
        label_w = self.width() * self.LABEL_SHARE
        value_w = metrics.horizontalAdvance("000.0 h") + 6
        bar_w = max(10.0, self.width() - label_w - value_w - 8)
        for rect, bar in self._rows():
            painter.setPen(QColor(TEXT))
            text = metrics.elidedText(bar.label, Qt.TextElideMode.ElideRight, int(label_w) - 8)
            label_rect = QRectF(rect.left(), rect.top(), label_w - 8, rect.height())
            painter.drawText(
                label_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, text
            )
            width = bar_w * bar.minutes / most if most else 0.0
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self.colour if bar.minutes else QColor(MUTED))
            painter.drawRoundedRect(
                QRectF(label_w, rect.top() + 5, max(width, 1.5), rect.height() - 10), 2, 2
            )
            painter.setPen(QColor(TEXT))
            value_rect = QRectF(label_w + width + 6, rect.top(), value_w, rect.height())
            painter.drawText(value_rect, Qt.AlignmentFlag.AlignVCenter, f"{bar.minutes / 60:.1f} h")
        painter.end()

    def event(self, event: Any) -> bool:
        """Tooltips per row: label, hours and the share of the period."""
        if event.type() == event.Type.ToolTip and isinstance(event, QHelpEvent):
            total = sum(b.minutes for b in self.bars) or 1
            for rect, bar in self._rows():
                if rect.contains(event.pos().toPointF()):
                    share = 100 * bar.minutes / total
                    text = f"{bar.label}: {bar.minutes / 60:.1f} h ({share:.0f}% of the period)"
                    QToolTip.showText(
                        event.globalPos(), text + (f"\n{bar.tooltip}" if bar.tooltip else ""), self
                    )
                    return True
            QToolTip.hideText()
            event.ignore()
            return True
        return super().event(event)
