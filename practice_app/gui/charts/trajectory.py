"""The trajectory chart of one episode (pyqtgraph).

Outcome scores by session number on the left axis, with the clinical cutoff, the
reliable-change band around intake, and the expected success and fail lines of the
fitted model (or the starter-rule marks at the 3rd and 6th measurement); the
alliance measure (SRS) on a right axis with its cutoff; sudden gains and losses as
arrows; the signal at each measurement as the point's colour (the words are in the
badge and the hover text). Hovering shows the session's date and scores.
"""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPen

from practice_app.analysis.instruments import InstrumentDef
from practice_app.services.client_page import ORANGE_FROM, RED_FROM, EpisodeView, SessionRow

OUTCOME = "#2f6f73"
ALLIANCE = "#7e57c2"
SUCCESS = "#2e7d32"
FAIL = "#c62828"
CUTOFF = "#546e7a"
BAND = (47, 111, 115, 28)
SIGNAL_FILL = {"red": "#c62828", "orange": "#ef8f00", "green": "#2e7d32", "none": "#ffffff"}


def _pen(colour: str, width: float = 1.5, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(pg.mkPen(colour, width=width))
    pen.setStyle(style)
    pen.setCosmetic(True)
    return pen


class TrajectoryChart(pg.GraphicsLayoutWidget):  # type: ignore[misc]
    """One episode's trajectory; ``show_episode`` redraws it."""

    def __init__(self) -> None:
        pg.setConfigOptions(antialias=True, background="w", foreground="#455a64")
        super().__init__()
        self.setAccessibleName("Trajectory chart")
        self.setMinimumHeight(260)
        self.plot = self.addPlot(row=0, col=0)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.plot.showGrid(y=True, alpha=0.12)
        self.plot.setLabel("bottom", "Session number")
        self.plot.showAxis("right")
        self.alliance_view = pg.ViewBox()
        self.alliance_view.setMouseEnabled(x=False, y=False)
        self.alliance_view.setMenuEnabled(False)
        self.plot.scene().addItem(self.alliance_view)
        self.plot.getAxis("right").linkToView(self.alliance_view)
        self.alliance_view.setXLink(self.plot)
        self.plot.getViewBox().sigResized.connect(self._sync_views)
        self.legend = pg.LegendItem(colCount=3, labelTextSize="9pt")
        self.legend.setLabelTextColor("#37474f")
        self.addItem(self.legend, row=1, col=0)
        self.hover = pg.TextItem(
            "", color="#263238", fill=pg.mkBrush(255, 255, 255, 235), border=pg.mkPen("#b0bec5")
        )
        self.hover.setZValue(100)
        self.cursor = pg.InfiniteLine(angle=90, pen=_pen("#90a4ae", 1, Qt.PenStyle.DotLine))
        self.cursor.setZValue(90)
        self._proxy = pg.SignalProxy(self.scene().sigMouseMoved, rateLimit=30, slot=self._moved)
        self.episode: EpisodeView | None = None
        self.outcome: InstrumentDef | None = None
        self.alliance: InstrumentDef | None = None
        self.points: list[tuple[int, float]] = []
        """(session number, outcome total) of the points drawn."""
        self.alliance_points: list[tuple[int, float]] = []
        self.marks: list[str] = []
        """Texts of the reference marks drawn (cutoffs, band, lines, rule marks)."""
        self.sudden_marks: list[tuple[str, int]] = []

    def _sync_views(self) -> None:
        self.alliance_view.setGeometry(self.plot.getViewBox().sceneBoundingRect())
        self.alliance_view.linkedViewChanged(self.plot.getViewBox(), self.alliance_view.XAxis)

    def show_episode(
        self, episode: EpisodeView, outcome: InstrumentDef | None, alliance: InstrumentDef | None
    ) -> None:
        """Draw ``episode``."""
        self.episode, self.outcome, self.alliance = episode, outcome, alliance
        self.plot.clear()
        self.alliance_view.clear()
        self.legend.clear()
        self.marks, self.sudden_marks = [], []
        self.plot.addItem(self.cursor, ignoreBounds=True)
        self.plot.addItem(self.hover, ignoreBounds=True)
        self.cursor.hide()
        self.hover.hide()
        sessions = episode.sessions
        last = max([s.number for s in sessions] + list(episode.expected_x) + [RED_FROM + 1])
        self.plot.setXRange(0.5, last + 0.5, padding=0)
        self.plot.getAxis("bottom").setTickSpacing(major=5 if last > 24 else 1, minor=1)
        if outcome is not None:
            self._draw_outcome(episode, outcome)
        if alliance is not None:
            self._draw_alliance(sessions, alliance)
        else:
            self.plot.getAxis("right").setLabel("")
        self._sync_views()

    def _draw_outcome(self, episode: EpisodeView, d: InstrumentDef) -> None:
        plot = self.plot
        span = d.max - d.min
        plot.setYRange(d.min - 0.03 * span, d.max + 0.04 * span, padding=0)
        direction = "higher is better" if d.higher_is_better else "lower is better"
        plot.setLabel("left", f"{d.name} score ({direction})")
        if episode.intake is not None and d.reliable_change:
            rc = float(d.reliable_change)
            band = pg.LinearRegionItem(
                (episode.intake - rc, episode.intake + rc),
                orientation="horizontal",
                movable=False,
                brush=pg.mkBrush(*BAND),
                pen=pg.mkPen(None),
            )
            band.setZValue(-20)
            plot.addItem(band)
            text = f"Reliable change: intake {episode.intake:.1f} ± {rc:g}"
            self.legend.addItem(
                pg.BarGraphItem(x=[0], height=[0], width=1, brush=BAND),
                f"Intake ± {rc:g} (reliable change)",
            )
            self.marks.append(text)
        if d.cutoff is not None:
            text = f"Clinical cutoff {d.cutoff:g}"
            line = pg.InfiniteLine(
                d.cutoff,
                angle=0,
                pen=_pen(CUTOFF, 1.2, Qt.PenStyle.DashLine),
                label=text,
                labelOpts={"position": 0.985, "color": CUTOFF, "anchors": [(1, 1), (1, 1)]},
            )
            plot.addItem(line)
            self.marks.append(text)
        self._draw_expected(episode)
        scored = [(s.number, s.totals[d.name], s) for s in episode.sessions if d.name in s.totals]
        self.points = [(n, v) for n, v, _ in scored]
        if scored:
            curve = pg.PlotDataItem(
                [n for n, _, _ in scored],
                [v for _, v, _ in scored],
                pen=_pen(OUTCOME, 2.4),
                symbol="o",
                symbolSize=10,
                symbolPen=pg.mkPen(OUTCOME, width=1.5),
                symbolBrush=[pg.mkBrush(SIGNAL_FILL[s.signal]) for _, _, s in scored],
            )
            curve.setZValue(10)
            plot.addItem(curve)
            self.legend.addItem(curve, f"{d.name} (dot: signal)")
        self._draw_sudden(episode, d)

    def _draw_expected(self, episode: EpisodeView) -> None:
        plot, x = self.plot, list(episode.expected_x)
        if not x:
            return
        if episode.model == "fitted":
            for values, colour, name in (
                (episode.expected_success, SUCCESS, "Expected: on track"),
                (episode.expected_fail, FAIL, "Expected: not helped"),
            ):
                curve = pg.PlotDataItem(
                    x, list(values), pen=_pen(colour, 1.6, Qt.PenStyle.DashLine)
                )
                curve.setZValue(5)
                plot.addItem(curve)
                self.legend.addItem(curve, name)
                self.marks.append(name)
            return
        # Starter rules: mark where the rules start to apply (3rd and 6th measurement).
        for n, text, colour, where in (
            (ORANGE_FROM, "no change by 3rd → orange", "#ef8f00", (0.97, (0, 0))),
            (RED_FROM, "no reliable change by 6th → red", FAIL, (0.06, (1, 1))),
        ):
            if n > len(x):
                continue
            line = pg.InfiniteLine(
                x[n - 1],
                angle=90,
                pen=_pen(colour, 1.2, Qt.PenStyle.DashDotLine),
                label=text,
                labelOpts={
                    "position": where[0],
                    "color": colour,
                    "anchors": [where[1], where[1]],
                },
            )
            plot.addItem(line)
            self.marks.append(text)

    def _draw_sudden(self, episode: EpisodeView, d: InstrumentDef) -> None:
        """Mark each sudden change: a broad band over the jump and a labelled triangle."""
        span = d.max - d.min
        shown: set[str] = set()
        for mark in episode.sudden:
            gain = mark.kind == "gain"
            up = mark.postgain > mark.pregain  # the triangle shows the score's direction
            colour = SUCCESS if gain else FAIL
            jump = pg.PlotDataItem(
                [mark.pregain_session, mark.postgain_session],
                [mark.pregain, mark.postgain],
                pen=pg.mkPen(QColor(colour).lighter(150), width=9),
            )
            jump.setZValue(8)
            self.plot.addItem(jump)
            offset = (0.07 if up else -0.07) * span
            symbol = pg.ScatterPlotItem(
                [mark.postgain_session],
                [mark.postgain + offset],
                symbol="t1" if up else "t",
                size=13,
                brush=pg.mkBrush(colour),
                pen=pg.mkPen(colour),
            )
            symbol.setZValue(20)
            self.plot.addItem(symbol)
            word = "gain" if gain else "loss"
            text = pg.TextItem(
                f"sudden {word} {mark.magnitude:.1f}",
                color=colour,
                anchor=(0.5, 1.0 if up else 0.0),
            )
            text.setPos(mark.postgain_session, mark.postgain + offset * 1.5)
            text.setZValue(20)
            self.plot.addItem(text)
            self.sudden_marks.append((mark.kind, mark.postgain_session))
            name = "Sudden gain" if gain else "Sudden loss"
            if name not in shown:
                shown.add(name)
                sample = pg.ScatterPlotItem(
                    symbol="t1" if up else "t", brush=pg.mkBrush(colour), pen=pg.mkPen(colour)
                )
                self.legend.addItem(sample, name)

    def _draw_alliance(self, sessions: tuple[SessionRow, ...], d: InstrumentDef) -> None:
        view = self.alliance_view
        span = d.max - d.min
        view.setYRange(d.min - 0.03 * span, d.max + 0.04 * span, padding=0)
        self.plot.setLabel("right", f"{d.name} (alliance)", color=ALLIANCE)
        scored = [(s.number, s.totals[d.name]) for s in sessions if d.name in s.totals]
        self.alliance_points = scored
        if d.cutoff is not None:
            text = f"{d.name} cutoff {d.cutoff:g}"
            line = pg.InfiniteLine(
                d.cutoff,
                angle=0,
                pen=_pen(ALLIANCE, 1.0, Qt.PenStyle.DotLine),
                label=text,
                labelOpts={"position": 0.98, "color": ALLIANCE, "anchors": [(1, 0), (1, 0)]},
            )
            view.addItem(line)
            self.marks.append(text)
        if scored:
            curve = pg.PlotDataItem(
                [n for n, _ in scored],
                [v for _, v in scored],
                pen=_pen(ALLIANCE, 1.4, Qt.PenStyle.DashLine),
                symbol="s",
                symbolSize=7,
                symbolPen=pg.mkPen(ALLIANCE),
                symbolBrush=pg.mkBrush("#ffffff"),
            )
            view.addItem(curve)
            self.legend.addItem(curve, f"{d.name}, right axis")

    # ----- hover ----------------------------------------------------------------------
    def hover_text(self, number: int) -> str:
        """What hovering over session ``number`` shows (empty when there is no session)."""
        if self.episode is None:
            return ""
        found = [s for s in self.episode.sessions if s.number == number]
        if not found:
            return ""
        s = found[0]
        lines = [f"Session {s.number}" + (f" · {s.date:%d %b %Y}" if s.date else "")]
        for d in (self.outcome, self.alliance):
            if d is not None and d.name in s.totals:
                lines.append(f"{d.name} {s.totals[d.name]:.1f}")
        if s.signal != "none":
            lines.append(f"Signal: {s.signal}")
        return "\n".join(lines)

    def show_hover(self, number: int) -> None:
        """Show the hover text of session ``number`` beside its point."""
        text = self.hover_text(number)
        if not text:
            self.hover.hide()
            self.cursor.hide()
            return
        self.hover.setText(text)
        d = self.outcome
        y_top = d.max if d is not None else 40.0
        x_range = self.plot.getViewBox().viewRange()[0]
        right = number > (x_range[0] + x_range[1]) / 2
        self.hover.setAnchor((1.05, 0) if right else (-0.05, 0))
        self.hover.setPos(number, y_top)
        self.cursor.setValue(number)
        self.hover.show()
        self.cursor.show()

    def _moved(self, event: Any) -> None:
        pos: QPointF = event[0]
        view = self.plot.getViewBox()
        if self.episode is None or not view.sceneBoundingRect().contains(pos):
            self.hover.hide()
            self.cursor.hide()
            return
        x = view.mapSceneToView(pos).x()
        self.show_hover(round(x))
