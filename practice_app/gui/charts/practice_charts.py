"""Charts of the Practice against results and Workload against results tabs (pyqtgraph).

Time charts use a date axis (x = seconds since 1970, UTC) so that a monthly chart and
a weekly chart stacked above each other can share their x range (``link_x``). Every
chart carries a tooltip saying how it is computed; the screens set it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont

from practice_app.analysis.effectiveness import Figure
from practice_app.gui.charts.effect_charts import ACCENT, ACCENT_BAND, MUTED, QUARTER_POINT, TEXT
from practice_app.services.practice_results import MonthHours, RollingPoint, Scatter
from practice_app.services.workload import BandFigures, EnergyPoint, WeekLoad

PRACTICE = "#5c6bc0"
"""Practice hours (bars) and the scatter's points."""
PRACTICE_LIGHT = "#c5cae9"
EFFECT = "#8d6e63"
EFFECT_BAND = (141, 110, 99, 40)
LOAD = "#78909c"
FALL = "#c62828"
FALL_BRUSH = (198, 40, 40, 150)
ENERGY = "#f9a825"
DAY_SECONDS = 86400.0


def epoch(day: dt.date) -> float:
    """Seconds since 1970-01-01 (UTC midnight) of a date, the date axis's unit."""
    return float((day - dt.date(1970, 1, 1)).days) * DAY_SECONDS


def _font(size: float = 8.5) -> QFont:
    font = QFont()
    font.setPointSizeF(size)
    return font


def plot_widget(accessible: str, dates: bool = False, height: int = 150) -> Any:
    """A white, non-interactive plot (with a date axis when ``dates``)."""
    pg.setConfigOptions(antialias=True, background="w", foreground=TEXT)
    axes = {"bottom": pg.DateAxisItem(orientation="bottom", utcOffset=0)} if dates else None
    widget = pg.PlotWidget(axisItems=axes)
    widget.setAccessibleName(accessible)
    widget.setMinimumHeight(height)
    plot = widget.getPlotItem()
    plot.setMouseEnabled(x=False, y=False)
    plot.hideButtons()
    plot.setMenuEnabled(False)
    plot.showGrid(y=True, alpha=0.15)
    for name in ("left", "bottom"):
        plot.getAxis(name).setTickFont(_font())
    # The same left axis width on stacked charts keeps their x positions aligned.
    plot.getAxis("left").setWidth(46)
    return widget


def text_item(
    text: str, x: float, y: float, color: str, anchor: tuple[float, float], size: float = 8
) -> Any:
    """A small text label at (x, y)."""
    item = pg.TextItem(text, color=color, anchor=anchor)
    item.setFont(_font(size))
    item.setPos(x, y)
    return item


def link_x(*widgets: Any) -> None:
    """Make the charts share the x range of the first."""
    first = widgets[0].getPlotItem()
    for w in widgets[1:]:
        w.getPlotItem().setXLink(first)


def _month_end(start: dt.date) -> dt.date:
    nxt = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def time_range(first: dt.date, last: dt.date) -> tuple[float, float]:
    """x range from the start of ``first`` to the end of ``last`` with a little room."""
    lo, hi = epoch(first), epoch(last)
    pad = max((hi - lo) * 0.01, 3 * DAY_SECONDS)
    return lo - pad, hi + pad


def fmt(f: Figure, digits: int = 2) -> str:
    """'0.85 (95% CI 0.61 to 1.10)' or 'not enough data (n=6)'."""
    if f.value is None:
        return f"not enough data (n={f.n})"
    ci = f" (95% CI {f.ci[0]:.{digits}f} to {f.ci[1]:.{digits}f})" if f.ci else ""
    return f"{f.value:.{digits}f}{ci}"


class MonthlyHoursChart:
    """Practice hours per calendar month as bars."""

    def __init__(self) -> None:
        self.widget = plot_widget("Practice hours per month", dates=True)
        self.plot = self.widget.getPlotItem()

    def draw(
        self, months: Sequence[MonthHours], span: tuple[float, float], today: dt.date | None = None
    ) -> None:
        """Bars from each month's first to its last day; the month under way lighter."""
        plot = self.plot
        plot.clear()
        plot.setLabel("left", "Hours")
        if not months:
            return
        x0 = np.array([epoch(m.start) for m in months])
        x1 = np.array([epoch(_month_end(m.start)) + DAY_SECONDS for m in months])
        hours = np.array([m.hours for m in months])
        tips = [f"{m.start:%B %Y}: {m.hours:.1f} h of practice" for m in months]
        if today is not None and months[-1].start <= today <= _month_end(months[-1].start):
            tips[-1] += " (month under way)"
        brushes = [pg.mkBrush(PRACTICE) for _m in months]
        if today is not None and months[-1].start <= today:
            brushes[-1] = pg.mkBrush(PRACTICE_LIGHT)  # the month under way is not complete
        plot.addItem(
            pg.BarGraphItem(
                x0=x0 + 2 * DAY_SECONDS, x1=x1 - 2 * DAY_SECONDS, y0=0, height=hours,
                brushes=brushes, pen=None,
            )
        )  # fmt: skip
        # Invisible hover points at the bar tops give each month's figure.
        plot.addItem(
            pg.ScatterPlotItem(
                x=(x0 + x1) / 2, y=hours, size=14, brush=pg.mkBrush(0, 0, 0, 0), pen=None,
                hoverable=True, data=tips, tip=lambda x, y, data: data,
            )
        )  # fmt: skip
        plot.setXRange(*span, padding=0)
        plot.setYRange(0, max(float(hours.max()), 1.0) * 1.1, padding=0)


class RollingChart:
    """Rolling 12-month SAES and effect size, each with its 95% CI band."""

    def __init__(self) -> None:
        self.widget = plot_widget("Rolling 12-month SAES and effect size", dates=True)
        self.plot = self.widget.getPlotItem()

    def draw(
        self, rolling: Sequence[RollingPoint], span: tuple[float, float], pending: bool = False
    ) -> None:
        """Two lines with bands, split where a window has fewer than 10 episodes."""
        plot = self.plot
        plot.clear()
        plot.setLabel("left", "Effect size (higher is better)")
        plot.setXRange(*span, padding=0)
        if pending:  # the windows are still being computed
            plot.setYRange(0, 1, padding=0)
            plot.addItem(text_item("computing…", sum(span) / 2, 0.5, MUTED, (0.5, 0.5), 9))
            return
        values = [0.0, 1.0]
        for measure, pen, band in (
            ("effect_size", pg.mkPen(EFFECT, width=1.6, style=Qt.PenStyle.DashLine), EFFECT_BAND),
            ("saes", pg.mkPen(ACCENT, width=2.2), ACCENT_BAND),
        ):
            segments: list[list[tuple[float, Figure, RollingPoint]]] = [[]]
            for w in rolling:
                f: Figure = getattr(w, measure)
                if f.value is None or f.ci is None:
                    segments.append([])
                    continue
                segments[-1].append((epoch(_month_end(w.month)), f, w))
            for seg in segments:
                if not seg:
                    continue
                xs = [x for x, _f, _w in seg]
                lo = [f.ci[0] for _x, f, _w in seg if f.ci]
                hi = [f.ci[1] for _x, f, _w in seg if f.ci]
                low = pg.PlotCurveItem(xs, lo, pen=None)
                high = pg.PlotCurveItem(xs, hi, pen=None)
                plot.addItem(low)
                plot.addItem(high)
                plot.addItem(pg.FillBetweenItem(low, high, brush=pg.mkBrush(*band)))
                plot.addItem(pg.PlotCurveItem(xs, [f.value for _x, f, _w in seg], pen=pen))
                name = "SAES" if measure == "saes" else "Effect size"
                tips = [
                    f"12 months to {w.end:%b %Y}: {name} {fmt(f)}, n={w.n} episodes"
                    for _x, f, w in seg
                ]
                plot.addItem(
                    pg.ScatterPlotItem(
                        x=xs, y=[f.value for _x, f, _w in seg], size=9,
                        brush=pg.mkBrush(0, 0, 0, 0), pen=None, hoverable=True, data=tips,
                        tip=lambda x, y, data: data,
                    )
                )  # fmt: skip
                values += lo + hi
        plot.addItem(pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen("#b0bec5", width=1)))
        low_v, high_v = min(values), max(values)
        pad = 0.06 * (high_v - low_v)
        plot.setYRange(low_v - pad, high_v + pad, padding=0)
        shown = [w for w in rolling if w.saes.value is not None]
        first_x = epoch(_month_end(shown[0].month)) if shown else span[1]
        if first_x - span[0] > 0.2 * (span[1] - span[0]):
            # Say why the line starts late rather than leave an unexplained gap.
            note = "no figure yet:\neach point needs 12 months\nof ended episodes (10 or more)"
            mid = (span[0] + first_x) / 2
            plot.addItem(text_item(note, mid, (low_v + high_v) / 2, MUTED, (0.5, 0.5)))


def correlation_text(scatter: Scatter) -> str:
    """'Spearman ρ = 0.32 (95% CI −0.76 to 0.89), n = 7 quarters' or why there is none."""
    c = scatter.correlation
    if c.rho is None:
        return f"No correlation: {c.reason} (quarters with both figures)."
    ci = f" (95% CI {c.ci[0]:.2f} to {c.ci[1]:.2f})" if c.ci else ""
    return f"Spearman ρ = {c.rho:.2f}{ci}, n = {c.n} quarters"


class ScatterChart:
    """Quarterly practice hours (x) against quarterly SAES with its CI (y)."""

    def __init__(self) -> None:
        self.widget = plot_widget("Quarterly practice hours against SAES", height=260)
        self.plot = self.widget.getPlotItem()

    def draw(self, scatter: Scatter | None) -> None:
        """Points with vertical CI bars, quarter labels and the correlation written on top."""
        plot = self.plot
        plot.clear()
        plot.setLabel("bottom", "Practice hours in the quarter")
        plot.setLabel("left", "SAES (higher is better)")
        if scatter is None or not scatter.pairs:
            plot.setXRange(0, 1)
            plot.setYRange(0, 1)
            message = "No quarter yet has both practice and 10+ ended episodes."
            plot.addItem(text_item(message, 0.5, 0.5, MUTED, (0.5, 0.5), 9))
            return
        pairs = scatter.pairs
        xs = np.array([p.hours for p in pairs])
        ys = np.array([p.saes.value or 0.0 for p in pairs])
        lo = np.array([p.saes.ci[0] if p.saes.ci else p.saes.value or 0.0 for p in pairs])
        hi = np.array([p.saes.ci[1] if p.saes.ci else p.saes.value or 0.0 for p in pairs])
        plot.addItem(
            pg.ErrorBarItem(
                x=xs, y=ys, top=hi - ys, bottom=ys - lo, beam=0.0,
                pen=pg.mkPen(PRACTICE, width=1.0),
            )
        )  # fmt: skip
        tips = [
            f"Practice {p.practice_label}: {p.hours:.1f} h; SAES of episodes ended in "
            f"{p.outcome_label}: {fmt(p.saes)}, n={p.saes.n}"
            for p in pairs
        ]
        plot.addItem(
            pg.ScatterPlotItem(
                x=xs, y=ys, size=10, brush=pg.mkBrush(PRACTICE), pen=pg.mkPen("#ffffff"),
                hoverable=True, data=tips, tip=lambda x, y, data: data,
            )
        )  # fmt: skip
        x_pad = max(float(np.ptp(xs)) * 0.12, 2.0)
        y_low, y_high = float(lo.min()), float(hi.max())
        y_pad = max((y_high - y_low) * 0.08, 0.1)
        top = y_high + 3.2 * y_pad  # room for the figure written on the chart
        x_left = max(0.0, float(xs.min()) - x_pad)
        x_right = float(xs.max()) + 2 * x_pad
        for p, x, y in zip(pairs, xs, ys, strict=True):
            label = p.practice_label
            if scatter.lag:
                same_year = p.outcome_label[:4] == p.practice_label[:4]
                label += " → " + (p.outcome_label[5:] if same_year else p.outcome_label)
            # Labels of points near the right edge go to their left, so none is cut off.
            right_side = x > x_left + 0.7 * (x_right - x_left)
            anchor = (1.08, 1.0) if right_side else (-0.08, 1.0)
            plot.addItem(text_item(label, float(x), float(y), TEXT, anchor, 7.5))
        plot.setXRange(x_left, x_right, padding=0)
        plot.setYRange(min(y_low - y_pad, 0.0), top, padding=0)
        plot.addItem(pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen("#b0bec5", width=1)))
        head = text_item(correlation_text(scatter), x_left, top, QUARTER_POINT, (0, 0), 9.5)
        head.setZValue(5)
        plot.addItem(head)


class WeeklySessionsChart:
    """Sessions per week as thin bars, with the typical (median) week as a dashed line."""

    def __init__(self) -> None:
        self.widget = plot_widget("Sessions per week", dates=True)
        self.plot = self.widget.getPlotItem()

    def draw(
        self, weeks: Sequence[WeekLoad], typical: float | None, span: tuple[float, float]
    ) -> None:
        """One bar per week; weeks without sessions are gaps."""
        plot = self.plot
        plot.clear()
        plot.setLabel("left", "Sessions")
        plot.setXRange(*span, padding=0)
        if not weeks:
            return
        x0 = np.array([epoch(w.start) for w in weeks])
        counts = np.array([w.sessions for w in weeks], dtype=float)
        plot.addItem(
            pg.BarGraphItem(
                x0=x0 + 0.5 * DAY_SECONDS, x1=x0 + 6.5 * DAY_SECONDS, y0=0, height=counts,
                brush=pg.mkBrush(LOAD), pen=None,
            )
        )  # fmt: skip
        tips = [f"Week of {w.start:%-d %b %Y}: {w.sessions} sessions" for w in weeks]
        plot.addItem(
            pg.ScatterPlotItem(
                x=x0 + 3.5 * DAY_SECONDS, y=counts, size=8, brush=pg.mkBrush(0, 0, 0, 0),
                pen=None, hoverable=True, data=tips, tip=lambda x, y, data: data,
            )
        )  # fmt: skip
        if typical is not None:
            plot.addItem(
                pg.InfiniteLine(
                    pos=typical, angle=0,
                    pen=pg.mkPen(TEXT, width=1.2, style=Qt.PenStyle.DashLine),
                    label=f"typical week {typical:g}",
                    labelOpts={"position": 0.02, "color": TEXT, "anchors": [(0, 1), (0, 1)]},
                )
            )  # fmt: skip
        plot.setYRange(0, max(float(counts.max()), 1.0) * 1.1, padding=0)


class EnergyChart:
    """Weekly energy self-ratings (0-10) as points, with a 4-review moving average."""

    def __init__(self) -> None:
        self.widget = plot_widget("Energy self-ratings", dates=True)
        self.plot = self.widget.getPlotItem()

    def draw(self, energy: Sequence[EnergyPoint], span: tuple[float, float]) -> None:
        """Points per weekly review and the moving average of the last four."""
        plot = self.plot
        plot.clear()
        plot.setLabel("left", "Energy")
        plot.setXRange(*span, padding=0)
        plot.setYRange(-0.5, 10.5, padding=0)
        plot.getAxis("left").setTicks([[(float(v), str(v)) for v in (0, 5, 10)]])
        if not energy:
            return
        xs = np.array([epoch(e.week) + 3.5 * DAY_SECONDS for e in energy])
        ys = np.array([e.energy for e in energy], dtype=float)
        tips = [
            f"Week of {e.week:%-d %b %Y}: energy {e.energy}/10, {e.sessions} sessions"
            for e in energy
        ]
        plot.addItem(
            pg.ScatterPlotItem(
                x=xs, y=ys, size=6, brush=pg.mkBrush(ENERGY), pen=None, hoverable=True,
                data=tips, tip=lambda x, y, data: data,
            )
        )  # fmt: skip
        if ys.size >= 4:
            avg = np.convolve(ys, np.ones(4) / 4, mode="valid")
            plot.addItem(pg.PlotCurveItem(xs[3:], avg, pen=pg.mkPen("#ef6c00", width=1.8)))


class LoadBandChart:
    """SAES per weekly load band: bars with 95% CI, n under each, the fall marked."""

    def __init__(self) -> None:
        self.widget = plot_widget("Outcome by weekly load", height=260)
        self.plot = self.widget.getPlotItem()

    def draw(self, bands: Sequence[BandFigures], fall_from: int | None) -> None:
        """Bars for bands with a figure; bands with fewer than 10 episodes say so."""
        plot = self.plot
        plot.clear()
        plot.setLabel("left", "SAES (higher is better)")
        plot.setLabel("bottom", "Your sessions per week while the episode ran")
        if not bands:
            plot.setXRange(0, 1)
            plot.setYRange(0, 1)
            return
        plot.getAxis("bottom").setTicks([[(float(i), b.label) for i, b in enumerate(bands)]])
        values = [0.0]
        for b in bands:
            if b.saes.ci is not None:
                values += list(b.saes.ci)
        low_v, high_v = min(values), max([*values, 0.5])
        span = high_v - low_v
        bottom = low_v - 0.14 * span if low_v < 0 else -0.14 * span
        for i, b in enumerate(bands):
            f = b.saes
            if f.value is None:
                plot.addItem(text_item(f"n={b.n}, fewer than 10", i, 0.05 * span, MUTED, (0.5, 1)))
                continue
            falling = fall_from is not None and i >= fall_from
            brush = pg.mkBrush(*FALL_BRUSH) if falling else pg.mkBrush(ACCENT)
            plot.addItem(
                pg.BarGraphItem(x=[i], y0=0, height=[f.value], width=0.6, brush=brush, pen=None)
            )
            if f.ci is not None:
                plot.addItem(
                    pg.ErrorBarItem(
                        x=np.array([i]), y=np.array([f.value]), top=np.array([f.ci[1] - f.value]),
                        bottom=np.array([f.value - f.ci[0]]), beam=0.12,
                        pen=pg.mkPen(TEXT, width=1.2),
                    )
                )  # fmt: skip
            plot.addItem(text_item(f"n={b.n}", i, bottom, TEXT, (0.5, 1)))
        plot.addItem(pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen("#b0bec5", width=1)))
        plot.setXRange(-0.6, len(bands) - 0.4, padding=0)
        plot.setYRange(bottom - 0.04 * span, high_v + 0.08 * span, padding=0)
        # Round ticks only (the automatic ones crowd a tall chart with 0.1 steps).
        step = 0.5 if span > 1.2 else 0.2
        top = high_v + 0.08 * span
        ticks = np.round(np.arange(np.ceil(bottom / step), np.floor(top / step) + 1) * step, 2)
        plot.getAxis("left").setTicks([[(float(t), f"{t + 0.0:g}") for t in ticks]])
