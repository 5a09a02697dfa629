"""Chart images for the reports, drawn with pyqtgraph and exported as PNG bytes.

The plots live in a ``pg.GraphicsScene`` that is never shown: pyqtgraph's items are
QtWidgets graphics items, so a QApplication must exist (one is created offscreen
when none does; no window ever opens). Charts are laid out at their printed size in
CSS pixels (96 per inch) and exported ``SCALE`` times larger, so they stay sharp on
paper; pen widths and symbol sizes are multiplied by ``SCALE`` because pyqtgraph's
pens are cosmetic (they do not grow with the export's scaling). Must run on the GUI
thread (pyqtgraph's items are not thread-safe).
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import pyqtgraph as pg
import pyqtgraph.exporters
import shiboken6
from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, QRectF, Qt, QThread
from PySide6.QtGui import QColor, QFont, QImage, QPen
from PySide6.QtWidgets import QApplication

from practice_app.analysis.instruments import InstrumentDef
from practice_app.services.client_page import ORANGE_FROM, RED_FROM, EpisodeView

SCALE = 2.5
"""Export pixels per layout pixel (about 240 dpi at the printed size)."""
WIDTH, HEIGHT = 660, 300
"""The trajectory chart's printed size in CSS pixels (fits an A4 page with margins)."""

OUTCOME = "#2f6f73"
ALLIANCE = "#7e57c2"
SUCCESS = "#2e7d32"
FAIL = "#c62828"
CUTOFF = "#546e7a"
TEXT = "#37474f"
BAND = (47, 111, 115, 34)
SIGNAL_FILL = {"red": "#c62828", "orange": "#ef8f00", "green": "#2e7d32", "none": "#ffffff"}


def ensure_application() -> QApplication:
    """Return the QApplication, creating an offscreen one when none exists (CLI use)."""
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    if app is not None:
        raise RuntimeError("chart images need a QApplication, not a QGuiApplication")
    headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if headless and sys.platform.startswith("linux"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    return QApplication(["practice-app"])


def _check_thread() -> None:
    app = ensure_application()
    if QThread.currentThread() is not app.thread():
        raise RuntimeError("chart images must be drawn on the GUI thread")


def _pen(colour: str, width: float = 1.5, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(QColor(colour))
    pen.setWidthF(width * SCALE)
    pen.setStyle(style)
    pen.setCosmetic(True)
    return pen


def _font(points: float, bold: bool = False) -> QFont:
    font = QFont("DejaVu Sans")
    font.setPointSizeF(points)
    font.setBold(bold)
    return font


def png_bytes(image: QImage) -> bytes:
    """Encode ``image`` as PNG."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs want bytes; str works
    buffer.close()
    return bytes(data.data())


def data_uri(png: bytes) -> str:
    """A ``data:`` URI embedding PNG bytes (for standalone HTML)."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


@dataclass(frozen=True)
class LegendEntry:
    """One legend entry, drawn as text under the image (crisper in print than in the PNG)."""

    symbol: str
    """A character standing for the mark: ● ■ ▲ ▼ ▬ or a dashed ╌."""
    colour: str
    text: str


@dataclass(frozen=True)
class ChartImage:
    """A chart as PNG bytes, its printed size in CSS pixels, and its legend."""

    png: bytes
    width: int
    height: int
    legend: tuple[LegendEntry, ...]
    alt: str

    @property
    def uri(self) -> str:
        """The image as a ``data:`` URI."""
        return data_uri(self.png)


class _Canvas:
    """A plot in an unshown graphics view, exported to PNG."""

    def __init__(self, width: int, height: int) -> None:
        _check_thread()
        # A GraphicsLayoutWidget that is never shown hosts the scene: items added to a
        # bare QGraphicsScene without a view crash pyqtgraph's LinearRegionItem.
        self.widget = pg.GraphicsLayoutWidget()
        self.widget.setBackground("w")
        self.layout = self.widget.ci
        self.layout.setContentsMargins(4, 4, 10, 4)
        self.plot = self.layout.addPlot(row=0, col=0)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.plot.showGrid(y=True, alpha=0.15)
        self.legend: list[LegendEntry] = []
        for name in ("left", "bottom", "right"):
            axis = self.plot.getAxis(name)
            axis.setPen(_pen("#78909c", 0.8))
            axis.setTextPen(pg.mkPen(TEXT))
            axis.setTickFont(_font(8))
            axis.label.setFont(_font(8.5))
        self.size = (width, height)
        self.widget.resize(width, height)
        self.layout.setGeometry(QRectF(0, 0, width, height))

    def add_legend(self, symbol: str, colour: str, text: str) -> None:
        """Add a legend entry (shown under the image by the template)."""
        self.legend.append(LegendEntry(symbol, colour, text))

    def image(self, alt: str) -> ChartImage:
        """Export and wrap with the legend."""
        return ChartImage(self.export(), *self.size, tuple(self.legend), alt)

    def export(self) -> bytes:
        """Lay out, export at SCALE times the size on white, return the PNG bytes."""
        width, height = self.size
        exporter = pg.exporters.ImageExporter(self.layout)
        exporter.parameters()["background"] = QColor("#ffffff")
        # Axes measure their tick labels while painting and then ask for a new layout;
        # in a view that is never shown that request waits for the event loop. Paint
        # once, deliver only the layout requests, and paint again at the final sizes.
        for _ in range(2):
            self.layout.setGeometry(QRectF(0, 0, width, height))
            self.layout.layout.activate()
            exporter.parameters()["width"] = int(width * SCALE)
            image = exporter.export(toBytes=True)
            QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        self.widget.clear()
        # Now rather than deleteLater: the command line has no event loop to do it.
        shiboken6.delete(self.widget)
        return png_bytes(image)


def trajectory_png(
    episode: EpisodeView,
    outcome: InstrumentDef | None,
    alliance: InstrumentDef | None,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> ChartImage:
    """The episode's trajectory chart as a PNG image (the client page's chart, for print).

    Outcome scores by session with the clinical cutoff, the reliable-change band around
    intake, the expected success and fail lines (or the starter-rule marks), sudden
    gains and losses marked, and the alliance measure on a right axis.
    """
    canvas = _Canvas(width, height)
    plot = canvas.plot
    plot.setLabel("bottom", "Session number", color=TEXT)
    numbers = [s.number for s in episode.sessions]
    last = max([*numbers, *episode.expected_x, RED_FROM + 1])
    plot.setXRange(0.5, last + 0.5, padding=0)
    plot.getAxis("bottom").setTickSpacing(major=5 if last > 24 else 1, minor=1)
    if outcome is not None:
        _draw_outcome(canvas, episode, outcome)
    if alliance is not None and any(alliance.name in s.totals for s in episode.sessions):
        _draw_alliance(canvas, episode, alliance)
    alt = f"Trajectory of episode {episode.label}: {len(numbers)} sessions"
    return canvas.image(alt)


def _draw_outcome(canvas: _Canvas, episode: EpisodeView, d: InstrumentDef) -> None:
    plot = canvas.plot
    span = d.max - d.min
    plot.setYRange(d.min - 0.03 * span, d.max + 0.05 * span, padding=0)
    direction = "higher is better" if d.higher_is_better else "lower is better"
    plot.setLabel("left", f"{d.name} ({direction})", color=TEXT)
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
        canvas.add_legend("■", "#c9dcdd", f"intake ± {rc:g}: within reliable change")
    if d.cutoff is not None:
        line = pg.InfiniteLine(
            d.cutoff,
            angle=0,
            pen=_pen(CUTOFF, 1.0, Qt.PenStyle.DashLine),
            label=f"cutoff {d.cutoff:g}",
            labelOpts={"position": 0.02, "color": CUTOFF, "anchors": [(0, 1), (0, 1)]},
        )
        line.label.setFont(_font(7.5))
        plot.addItem(line)
    _draw_expected(canvas, episode)
    scored = [
        (s.number, s.totals[d.name], s.signal) for s in episode.sessions if d.name in s.totals
    ]
    if scored:
        curve = pg.PlotDataItem(
            [n for n, _, _ in scored],
            [v for _, v, _ in scored],
            pen=_pen(OUTCOME, 1.8),
            symbol="o",
            symbolSize=7,
            symbolPen=_pen(OUTCOME, 1.0),
            symbolBrush=[pg.mkBrush(SIGNAL_FILL.get(sig, "#ffffff")) for _, _, sig in scored],
        )
        curve.setZValue(10)
        plot.addItem(curve)
        canvas.add_legend("●", OUTCOME, f"{d.name} score (dot colour: signal at that session)")
    _draw_sudden(canvas, episode, d)


def _draw_expected(canvas: _Canvas, episode: EpisodeView) -> None:
    plot, x = canvas.plot, list(episode.expected_x)
    if not x:
        return
    if episode.model == "fitted":
        for values, colour, name in (
            (episode.expected_success, SUCCESS, "Expected: on track"),
            (episode.expected_fail, FAIL, "Expected: not helped"),
        ):
            curve = pg.PlotDataItem(x, list(values), pen=_pen(colour, 1.2, Qt.PenStyle.DashLine))
            curve.setZValue(5)
            plot.addItem(curve)
            canvas.add_legend("╌", colour, name)
        return
    # Starter rules: mark the measurements where they start to apply, labelled low
    # on the plot (the alliance line runs along the top).
    for n, text, colour in (
        (ORANGE_FROM, "3rd: orange if no change", "#ef8f00"),
        (RED_FROM, "6th: red if no reliable change", FAIL),
    ):
        if n > len(x):
            continue
        line = pg.InfiniteLine(
            x[n - 1],
            angle=90,
            pen=_pen(colour, 1.0, Qt.PenStyle.DashDotLine),
            label=text,
            labelOpts={"position": 0.05, "color": colour, "anchors": [(0, 1), (0, 1)]},
        )
        line.label.setFont(_font(7.5))
        plot.addItem(line)


def _draw_sudden(canvas: _Canvas, episode: EpisodeView, d: InstrumentDef) -> None:
    """A broad band over each sudden jump and a labelled triangle beside its end."""
    span = d.max - d.min
    shown: set[str] = set()
    for mark in episode.sudden:
        gain = mark.kind == "gain"
        up = mark.postgain > mark.pregain
        colour = SUCCESS if gain else FAIL
        jump = pg.PlotDataItem(
            [mark.pregain_session, mark.postgain_session],
            [mark.pregain, mark.postgain],
            pen=_pen(QColor(colour).lighter(160).name(), 6),
        )
        jump.setZValue(8)
        canvas.plot.addItem(jump)
        offset = (0.08 if up else -0.08) * span
        symbol = pg.ScatterPlotItem(
            [mark.postgain_session],
            [mark.postgain + offset],
            symbol="t1" if up else "t",
            size=9,
            brush=pg.mkBrush(colour),
            pen=pg.mkPen(None),
        )
        symbol.setZValue(20)
        canvas.plot.addItem(symbol)
        word = "gain" if gain else "loss"
        text = pg.TextItem(
            f"sudden {word} {mark.magnitude:.1f}", color=colour, anchor=(0.5, 1.0 if up else 0.0)
        )
        text.setFont(_font(7.5, bold=True))
        text.setPos(mark.postgain_session, mark.postgain + offset * 1.6)
        text.setZValue(20)
        canvas.plot.addItem(text)
        name = "Sudden gain" if gain else "Sudden loss"
        if name not in shown:
            shown.add(name)
            canvas.add_legend("▲" if up else "▼", colour, name)


def _draw_alliance(canvas: _Canvas, episode: EpisodeView, d: InstrumentDef) -> None:
    plot = canvas.plot
    view = pg.ViewBox()
    view.setMouseEnabled(x=False, y=False)
    plot.showAxis("right")
    plot.scene().addItem(view)
    plot.getAxis("right").linkToView(view)
    view.setXLink(plot)
    span = d.max - d.min
    view.setYRange(d.min - 0.03 * span, d.max + 0.05 * span, padding=0)
    plot.setLabel("right", f"{d.name} (alliance)", color=ALLIANCE)
    if d.cutoff is not None:
        line = pg.InfiniteLine(d.cutoff, angle=0, pen=_pen(ALLIANCE, 0.9, Qt.PenStyle.DotLine))
        view.addItem(line)
    scored = [(s.number, s.totals[d.name]) for s in episode.sessions if d.name in s.totals]
    curve = pg.PlotDataItem(
        [n for n, _ in scored],
        [v for _, v in scored],
        pen=_pen(ALLIANCE, 1.1, Qt.PenStyle.DashLine),
        symbol="s",
        symbolSize=6,
        symbolPen=_pen(ALLIANCE, 0.9),
        symbolBrush=pg.mkBrush("#ffffff"),
    )
    view.addItem(curve)
    cutoff = f" (dotted: cutoff {d.cutoff:g})" if d.cutoff is not None else ""
    canvas.add_legend("□", ALLIANCE, f"{d.name} (alliance), right axis{cutoff}")

    def sync() -> None:
        view.setGeometry(plot.getViewBox().sceneBoundingRect())
        view.linkedViewChanged(plot.getViewBox(), view.XAxis)

    plot.getViewBox().sigResized.connect(sync)
    sync()


def minutes_png(
    labels: Sequence[str],
    minutes: Sequence[float],
    target: float | None,
    width: int = 420,
    height: int = 170,
    highlight: int | None = None,
) -> ChartImage:
    """Practice minutes per week as bars, with the weekly target as a dashed line."""
    canvas = _Canvas(width, height)
    plot = canvas.plot
    x = list(range(len(minutes)))
    brushes = [pg.mkBrush(OUTCOME if i == highlight else "#9fc3c5") for i in range(len(minutes))]
    bars = pg.BarGraphItem(
        x=x, height=list(minutes), width=0.7, brushes=brushes, pen=pg.mkPen(None)
    )
    plot.addItem(bars)
    canvas.add_legend("■", OUTCOME, "minutes practised")
    top = max([*minutes, target or 0, 30])
    plot.setYRange(0, top * 1.12, padding=0)
    plot.setXRange(-0.6, len(minutes) - 0.4, padding=0)
    plot.setLabel("left", "Minutes", color=TEXT)
    step = max(1, len(labels) // 6)
    plot.getAxis("bottom").setTicks([[(i, labels[i]) for i in range(0, len(labels), step)], []])
    if target:
        line = pg.InfiniteLine(target, angle=0, pen=_pen(SUCCESS, 1.0, Qt.PenStyle.DashLine))
        plot.addItem(line)
        canvas.add_legend("╌", SUCCESS, f"target {target:g} min a week")
    return canvas.image("Practice minutes per week")


def week_label(start: dt.date) -> str:
    """A short axis label for the week starting ``start``."""
    return start.strftime("%d %b").lstrip("0")
