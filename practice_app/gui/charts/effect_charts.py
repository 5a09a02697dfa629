"""The Effectiveness screen's two charts (pyqtgraph): effect size over time, categories per quarter.

Both share the x axis: one unit per calendar quarter (x = quarter index), years
labelled at Q1. Quarters with fewer than 10 episodes are gaps with an "n<10" mark,
never zero. Hovering a quarter puts its figures into the chart's tooltip, after the
text saying how the chart is computed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFont

from practice_app.analysis.effectiveness import Figure
from practice_app.services.effectiveness_view import Baseline, WindowFigures

ACCENT = "#2f6f73"
ACCENT_BAND = (47, 111, 115, 45)
QUARTER_POINT = "#1f4e52"
BASELINE = "#8d6e63"
GAP_BRUSH = (236, 239, 241, 150)
MUTED = "#90a4ae"
TEXT = "#455a64"
BENCHMARK = "#3949ab"
CATEGORY_COLOURS = {
    "recovered": "#2e7d32",
    "improved": "#8bc34a",
    "unchanged": "#cfd8dc",
    "deteriorated": "#ef9a9a",
    "harmed": "#c62828",
}
CATEGORY_LABELS = {
    "recovered": "Recovered",
    "improved": "Improved",
    "unchanged": "Unchanged",
    "deteriorated": "Deteriorated",
    "harmed": "Harmed",
}


def quarter_index(day: dt.date, first: dt.date) -> int:
    """Quarters from the quarter of ``first`` to the quarter of ``day``."""
    return (day.year - first.year) * 4 + (day.month - 1) // 3 - (first.month - 1) // 3


def month_x(month_end: dt.date, first: dt.date) -> float:
    """x of the end of a month on the quarter axis (a quarter spans x-0.5 to x+0.5)."""
    q = quarter_index(month_end, first)
    return q - 0.5 + ((month_end.month - 1) % 3 + 1) / 3


def quarter_ticks(quarters: Sequence[WindowFigures]) -> list[list[tuple[float, str]]]:
    """Two tick levels: the year at each Q1 (or at the first quarter), then Q2, Q3, Q4."""
    major: list[tuple[float, str]] = []
    minor: list[tuple[float, str]] = []
    for i, w in enumerate(quarters):
        q = (w.start.month - 1) // 3 + 1
        if q == 1 or i == 0:
            major.append((float(i), f"{w.start.year}" if q == 1 else f"Q{q} {w.start.year}"))
        elif len(quarters) <= 24:
            minor.append((float(i), f"Q{q}"))
    return [major, minor]


def _plot_widget(accessible: str) -> Any:
    pg.setConfigOptions(antialias=True, background="w", foreground=TEXT)
    widget = pg.PlotWidget()
    widget.setAccessibleName(accessible)
    widget.setMinimumHeight(240)
    plot = widget.getPlotItem()
    plot.setMouseEnabled(x=False, y=False)
    plot.hideButtons()
    plot.setMenuEnabled(False)
    plot.showGrid(y=True, alpha=0.15)
    font = QFont()
    font.setPointSizeF(8.5)
    for name in ("left", "bottom"):
        plot.getAxis(name).setTickFont(font)
    return widget


def _text(
    text: str, x: float, y: float, color: str, anchor: tuple[float, float], fill: Any = None
) -> Any:
    item = pg.TextItem(text, color=color, anchor=anchor, fill=fill)
    font = QFont()
    font.setPointSizeF(8)
    item.setFont(font)
    item.setPos(x, y)
    return item


class HoverTips:
    """Keeps a chart's tooltip = how it is computed + the hovered quarter's figures."""

    def __init__(self, widget: Any) -> None:
        self.widget = widget
        self.base = ""
        self.detail: Callable[[int], str] | None = None
        self.count = 0
        widget.scene().sigMouseMoved.connect(self._moved)

    def set(self, base: str, count: int, detail: Callable[[int], str]) -> None:
        """Set the general text and the per-quarter detail function."""
        self.base, self.count, self.detail = base, count, detail
        self.widget.setToolTip(base)

    def _moved(self, pos: QPointF) -> None:
        view = self.widget.getPlotItem().getViewBox()
        if self.detail is None or not view.sceneBoundingRect().contains(pos):
            self.widget.setToolTip(self.base)
            return
        i = round(view.mapSceneToView(pos).x())
        extra = self.detail(i) if 0 <= i < self.count else ""
        self.widget.setToolTip(f"{self.base}\n\n{extra}" if extra else self.base)


def _fig(f: Figure) -> str:
    if f.value is None:
        return f"n={f.n}, not enough data"
    ci = f" (95% CI {f.ci[0]:.2f} to {f.ci[1]:.2f})" if f.ci else ""
    return f"{f.value:.2f}{ci}"


class EffectChart:
    """Effect size (or SAES) per quarter with CI bars, the rolling 12-month line and band."""

    def __init__(self) -> None:
        self.widget = _plot_widget("Effect size over time")
        self.plot = self.widget.getPlotItem()
        self.tips = HoverTips(self.widget)

    def draw(
        self,
        quarters: Sequence[WindowFigures],
        rolling: Sequence[WindowFigures],
        baseline: Baseline | None,
        measure: str,
        label: str,
        tooltip: str,
        today: dt.date,
    ) -> None:
        """Redraw for ``measure`` ("effect_size" or "saes")."""
        plot = self.plot
        plot.clear()
        plot.disableAutoRange()
        plot.setLabel("left", label)
        if not quarters:
            self.tips.set(tooltip, 0, lambda i: "")
            return
        first = quarters[0].start
        plot.getAxis("bottom").setTicks(quarter_ticks(quarters))
        values: list[float] = [0.0]

        def fig(w: WindowFigures) -> Figure:
            f: Figure = getattr(w, measure)
            return f

        # Rolling line and band, split where a window has too few episodes.
        segments: list[list[tuple[float, Figure]]] = [[]]
        for w in rolling:
            f = fig(w)
            if f.value is None or f.ci is None:
                segments.append([])
                continue
            segments[-1].append((month_x(w.end, first), f))
        for seg in segments:
            if len(seg) < 2:
                continue
            xs = [x for x, _ in seg]
            lo = pg.PlotCurveItem(xs, [f.ci[0] for _, f in seg if f.ci], pen=None)
            hi = pg.PlotCurveItem(xs, [f.ci[1] for _, f in seg if f.ci], pen=None)
            plot.addItem(lo)
            plot.addItem(hi)
            plot.addItem(pg.FillBetweenItem(lo, hi, brush=pg.mkBrush(*ACCENT_BAND)))
            line = pg.PlotCurveItem(xs, [f.value for _, f in seg], pen=pg.mkPen(ACCENT, width=2.2))
            plot.addItem(line)
            values += [v for _, f in seg if f.ci for v in f.ci]

        # Quarterly points with CI bars.
        xs, ys, tops, bottoms, tips, brushes = [], [], [], [], [], []
        current = quarter_index(today, first)
        for i, w in enumerate(quarters):
            f = fig(w)
            if f.value is None or f.ci is None:
                continue
            xs.append(float(i))
            ys.append(f.value)
            tops.append(f.ci[1] - f.value)
            bottoms.append(f.value - f.ci[0])
            values += [f.ci[0], f.ci[1]]
            under_way = " (quarter not over yet)" if i == current else ""
            tips.append(f"{w.label}{under_way}: {_fig(f)}, n={w.n}")
            brushes.append(pg.mkBrush("#ffffff" if i == current else QUARTER_POINT))
        if xs:
            plot.addItem(
                pg.ErrorBarItem(
                    x=np.array(xs), y=np.array(ys), top=np.array(tops),
                    bottom=np.array(bottoms), beam=0.18,
                    pen=pg.mkPen(QUARTER_POINT, width=1.3),
                )
            )  # fmt: skip
            plot.addItem(
                pg.ScatterPlotItem(
                    x=xs, y=ys, size=8, brush=brushes, pen=pg.mkPen(QUARTER_POINT, width=1.5),
                    hoverable=True, data=tips, tip=lambda x, y, data: data,
                )
            )  # fmt: skip
        if baseline is not None:
            b = getattr(baseline, measure)
            if b.value is not None:
                values.append(b.value)
                plot.addItem(
                    pg.InfiniteLine(
                        pos=b.value,
                        angle=0,
                        pen=pg.mkPen(BASELINE, width=1.6, style=Qt.PenStyle.DashLine),
                        label=f"your baseline {b.value:.2f}",
                        labelOpts={
                            "position": 0.98,
                            "color": BASELINE,
                            "anchors": [(1, 1), (1, 1)],
                        },
                    )
                )
        low, high = min(values), max(values)
        span = max(high - low, 0.5)
        bottom = low - 0.16 * span
        plot.setXRange(-0.6, len(quarters) - 0.4, padding=0)
        plot.setYRange(bottom, high + 0.06 * span, padding=0)
        plot.addItem(pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen("#b0bec5", width=1)))
        # n under each quarter; gaps shaded and marked.
        show_n = len(quarters) <= 20
        for i, w in enumerate(quarters):
            enough = fig(w).value is not None
            if not enough:
                gap = pg.BarGraphItem(
                    x=[i], y0=[bottom], height=[high + span], width=0.9,
                    brush=pg.mkBrush(*GAP_BRUSH), pen=None,
                )  # fmt: skip
                gap.setZValue(-10)
                plot.addItem(gap)
                if show_n:
                    plot.addItem(_text("n<10", i, high + 0.04 * span, MUTED, (0.5, 0)))
                else:  # narrow quarters: one rotated mark that also gives n
                    mark = _text(f"n<10 (n={w.n})", i, high, MUTED, (1, 0.5))
                    mark.setAngle(90)
                    plot.addItem(mark)
            if show_n:
                colour = TEXT if enough else MUTED
                plot.addItem(_text(f"n={w.n}", i, bottom, colour, (0.5, 1)))

        def detail(i: int) -> str:
            w = quarters[i]
            return f"{w.label}: {label} {_fig(fig(w))}, n={w.n} episodes"

        self.tips.set(tooltip, len(quarters), detail)


class CategoryChart:
    """Outcome categories per quarter as stacked percentage bars, with the benchmark band."""

    def __init__(self) -> None:
        self.widget = _plot_widget("Outcome categories per quarter")
        self.plot = self.widget.getPlotItem()
        self.tips = HoverTips(self.widget)

    def draw(
        self,
        quarters: Sequence[WindowFigures],
        band: tuple[float, float] | None,
        band_label: str,
        baseline: float | None,
        tooltip: str,
        today: dt.date,
    ) -> None:
        """Redraw the bars, the benchmark band and the baseline mark."""
        plot = self.plot
        plot.clear()
        plot.disableAutoRange()
        plot.setLabel("left", "Share of episodes (%)")
        plot.setXRange(-0.6, max(len(quarters), 1) - 0.4, padding=0)
        plot.setYRange(0, 100, padding=0.02)
        plot.getAxis("left").setTicks([[(float(v), f"{v}") for v in range(0, 101, 20)]])
        if not quarters:
            self.tips.set(tooltip, 0, lambda i: "")
            return
        plot.getAxis("bottom").setTicks(quarter_ticks(quarters))
        enough = [i for i, w in enumerate(quarters) if w.enough]
        first = quarters[0].start
        current = quarter_index(today, first)
        bottom = [0.0] * len(enough)
        for key, colour in CATEGORY_COLOURS.items():
            heights = [quarters[i].percent[key] or 0.0 for i in enough]
            brushes = []
            for i in enough:
                c = QColor(colour)
                if i == current:
                    c.setAlpha(150)  # the quarter under way: lighter
                brushes.append(pg.mkBrush(c))
            plot.addItem(
                pg.BarGraphItem(
                    x=enough, y0=bottom, height=heights, width=0.72, brushes=brushes,
                    pen=pg.mkPen("#ffffff", width=0.8),
                )
            )  # fmt: skip
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        for i, w in enumerate(quarters):
            if not w.enough:
                # Rotated, so neighbouring gaps never overlap on a narrow chart.
                mark = _text(f"n<10 (n={w.n})", i, 28, MUTED, (0.5, 0.5))
                mark.setAngle(90)
                plot.addItem(mark)
        if band is not None:
            region = pg.LinearRegionItem(
                values=band, orientation="horizontal", movable=False,
                brush=pg.mkBrush(57, 73, 171, 70), pen=pg.mkPen(BENCHMARK, width=1.2),
            )  # fmt: skip
            region.setZValue(10)
            plot.addItem(region)
            label = _text(
                band_label, -0.5, band[1], BENCHMARK, (0, 1.0), pg.mkBrush(255, 255, 255, 210)
            )
            label.setZValue(11)
            plot.addItem(label)
        if baseline is not None:
            plot.addItem(
                pg.InfiniteLine(
                    pos=baseline, angle=0,
                    pen=pg.mkPen(BASELINE, width=1.6, style=Qt.PenStyle.DashLine),
                )
            )  # fmt: skip

        def detail(i: int) -> str:
            w = quarters[i]
            if not w.enough:
                return f"{w.label}: n={w.n}, not enough data (at least 10 episodes needed)"
            parts = [
                f"{CATEGORY_LABELS[k]} {w.categories[k]} ({w.percent[k] or 0:.0f}%)"
                for k in CATEGORY_COLOURS
            ]
            return f"{w.label}, n={w.n}: " + ", ".join(parts)

        self.tips.set(tooltip, len(quarters), detail)
