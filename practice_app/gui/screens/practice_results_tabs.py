"""The Practice screen's two result tabs: practice against results, workload against results.

Each tab is a plain QWidget taking the screen's context. ``reload()`` runs its Qt-free
loader (services.practice_results) on the database worker and draws the result on the
GUI thread; ``ready`` is emitted once the newest load is shown. The lag selector
switches between scatters computed in the same load, so it needs no reload.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from practice_app.analysis.effectiveness import MIN_EPISODES, N_RESAMPLES
from practice_app.analysis.practice_results import BAND_WIDTH, MIN_PAIRS
from practice_app.gui.charts.effect_charts import ACCENT
from practice_app.gui.charts.practice_charts import (
    EFFECT,
    ENERGY,
    FALL,
    LOAD,
    PRACTICE,
    EnergyChart,
    LoadBandChart,
    MonthlyHoursChart,
    RollingChart,
    ScatterChart,
    WeeklySessionsChart,
    correlation_text,
    epoch,
    link_x,
    time_range,
)
from practice_app.gui.screens.base import ScreenContext
from practice_app.gui.screens.panels import panel_with_row
from practice_app.services.practice_results import (
    LAGS,
    PracticeResultsView,
    practice_rolling,
    practice_summary,
    read_practice_inputs,
)
from practice_app.services.workload import WorkloadView, compute_workload, read_workload_inputs

BOOTSTRAP = f"95% CI: percentile bootstrap, {N_RESAMPLES:,} resamples, fixed seed."
CAVEAT = (
    "<b>An association, not a cause.</b> These figures come from one person's data: "
    "you. If more practice goes with better results here, it does not prove the practice "
    "caused them; other things changed over the same months (your clients, your "
    "experience, your caseload). Use it as a question to look into, not a verdict. "
    "Research anchor: Chow et al. 2015 found that time in solitary deliberate practice "
    "predicted therapists' outcomes, while experience and caseload did not."
)
WORKLOAD_CAVEAT = (
    "<b>An association, not a cause.</b> Heavier weeks may also bring different clients "
    "or a different time of year; the bands compare your own episodes with each other. "
    "Tired clinicians tend not to notice the effect on their own outcomes (Salyers et "
    "al.), so the energy ratings sit beside the load. The Calgary Counselling Centre caps "
    "weekly therapy hours where its own data showed outcomes declining."
)


def _hint(text: str = "", rich: bool = False) -> QLabel:
    label = QLabel(text)
    label.setObjectName("hint")
    label.setWordWrap(True)
    if rich:
        label.setTextFormat(Qt.TextFormat.RichText)
    return label


def _caption(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("chartCaption")
    label.setStyleSheet("font-weight: 600; color: #455a64;")
    return label


def _results_page(
    title: str, upper: tuple[str, Any], lower: tuple[str, Any]
) -> tuple[QWidget, QVBoxLayout, QHBoxLayout, QLabel, QLabel]:
    """A result tab's scaffolding: a summary line, then a row whose left panel holds two
    captioned charts on one time axis and a note under them.

    Returns (page, page layout, the row for the right-hand panels, summary, note).
    """
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(10)
    summary = _hint()
    layout.addWidget(summary)
    row = QHBoxLayout()
    row.setSpacing(12)
    left, left_layout, _head = panel_with_row(title)
    for caption, chart in (upper, lower):
        left_layout.addWidget(_caption(caption))
        left_layout.addWidget(chart.widget, 1)
    link_x(upper[1].widget, lower[1].widget)
    note = _hint(rich=True)
    left_layout.addWidget(note)
    row.addWidget(left, 11)
    return page, layout, row, summary, note


def _swatch(colour: str, text: str, mark: str = "■") -> str:
    return f"<span style='color:{colour}'>{mark}</span>&nbsp;{text}"


def _caveat(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("caveat")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setStyleSheet(
        "QLabel#caveat { background: #fff8e1; border: 1px solid #ffe082; border-radius: 6px;"
        " padding: 8px 12px; color: #5d4037; }"
    )
    return label


class _ResultsTab(QWidget):
    """Shared loading: read on the database worker, compute on the analysis pool.

    ``reload`` reads the inputs (``_reader``), then runs each of ``_computations`` on
    the analysis pool in parallel and hands each result to ``show_part`` as it arrives;
    ``ready`` is emitted when all have arrived. The newest reload wins.
    """

    ready = Signal()
    """The tab shows its data (emitted once every part of the newest load is drawn)."""
    load_failed = Signal(str)

    def __init__(self, context: ScreenContext) -> None:
        super().__init__()
        self.context = context
        self.loaded = False
        self._generation = 0
        self._parts: dict[int, dict[str, Any]] = {}
        self.pages = QStackedWidget()
        self.empty = _hint()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 8, 0, 0)
        outer.addWidget(self.pages)

    def _reader(self) -> Callable[[Any], Any]:
        raise NotImplementedError

    def _computations(self) -> dict[str, Callable[[Any], Any]]:
        raise NotImplementedError

    @property
    def loading(self) -> bool:
        """Whether a load is still on its way."""
        return bool(self._parts)

    def reload(self) -> None:
        """Read the tab's data on the database worker, compute it off the GUI thread."""
        workers = self.context.workers
        if workers.closed:  # the window is closing: start nothing new
            return
        self._generation += 1
        gen = self._generation
        self._parts[gen] = {}
        workers.query(
            self._reader(),
            on_success=functools.partial(self._compute, gen),
            on_failure=functools.partial(self._failed, gen),
            owner=self,
            label=f"load {self.objectName()}",
        )

    def _compute(self, gen: int, inputs: Any) -> None:
        workers = self.context.workers
        if gen != self._generation or workers.closed:
            self._parts.pop(gen, None)
            return
        for name, work in self._computations().items():
            workers.analysis(
                functools.partial(work, inputs),
                on_success=functools.partial(self._part_done, gen, name),
                on_failure=functools.partial(self._failed, gen),
                owner=self,
                label=f"{self.objectName()} {name}",
            )

    def _part_done(self, gen: int, name: str, value: Any) -> None:
        parts = self._parts.get(gen)
        if parts is None:
            return
        if gen != self._generation:  # a newer load is on its way: draw that one
            self._parts.pop(gen, None)
            return
        parts[name] = value
        self.show_part(name, value, parts)
        if len(parts) == len(self._computations()):
            self._parts.pop(gen, None)
            self.loaded = True
            self.ready.emit()

    def _failed(self, gen: int, error: BaseException) -> None:
        if self._parts.pop(gen, None) is None or gen != self._generation:
            return
        message = f"Could not load: {error}"
        self.empty.setText(message)
        self.pages.setCurrentIndex(1)
        self.load_failed.emit(message)

    def show_part(self, name: str, value: Any, parts: dict[str, Any]) -> None:
        """Draw one computed part (GUI thread); ``parts`` holds those arrived so far."""
        raise NotImplementedError

    def _empty_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self.empty)
        layout.addStretch(1)
        return page


class PracticeResultsTab(_ResultsTab):
    """Monthly practice hours beside rolling effectiveness; quarterly hours against SAES."""

    def __init__(self, context: ScreenContext) -> None:
        super().__init__(context)
        self.setObjectName("practice-results")
        self.view: PracticeResultsView | None = None
        self._rolling_pending = False
        self.pages.addWidget(self._build())
        self.pages.addWidget(self._empty_page())

    def _reader(self) -> Callable[[Any], Any]:
        return functools.partial(read_practice_inputs, instrument=None)

    def _computations(self) -> dict[str, Callable[[Any], Any]]:
        return {"summary": practice_summary, "rolling": practice_rolling}

    def show_part(self, name: str, value: Any, parts: dict[str, Any]) -> None:
        """The summary is drawn first; the rolling windows join it when they arrive."""
        self._rolling_pending = "rolling" not in parts
        if name == "summary":
            self.show_data(replace(value, rolling=parts.get("rolling", ())))
        elif self.view is not None and "summary" in parts:
            self.view = replace(self.view, rolling=value)
            self._draw_months()

    def _build(self) -> QWidget:
        self.hours_chart = MonthlyHoursChart()
        self.rolling_chart = RollingChart()
        page, layout, row, self.summary, self.month_legend = _results_page(
            "Practice and effectiveness, month by month",
            ("Practice hours per month", self.hours_chart),
            ("Effectiveness over the 12 months up to each month", self.rolling_chart),
        )

        right, right_layout, head = panel_with_row("Quarter by quarter")
        self.lag_combo = QComboBox()
        self.lag_combo.setAccessibleName("Lag")
        self.lag_combo.addItem("Practice and outcomes in the same quarter", 0)
        self.lag_combo.addItem("Practice, then outcomes the next quarter", 1)
        assert tuple(self.lag_combo.itemData(i) for i in range(self.lag_combo.count())) == LAGS
        self.lag_combo.setToolTip(
            "Lag: compare each quarter's practice with the outcomes of episodes that ended "
            "in the same quarter, or in the quarter after (practice may take time to show)."
        )
        self.lag_combo.currentIndexChanged.connect(lambda _i: self._draw_scatter())
        head.addWidget(self.lag_combo)
        self.scatter_chart = ScatterChart()
        right_layout.addWidget(self.scatter_chart.widget, 1)
        self.correlation = QLabel("")
        self.correlation.setObjectName("correlation")
        self.correlation.setStyleSheet("font-weight: 600; color: #1f4e52;")
        self.correlation.setWordWrap(True)
        right_layout.addWidget(self.correlation)
        self.scatter_note = _hint()
        right_layout.addWidget(self.scatter_note)
        row.addWidget(right, 10)
        layout.addLayout(row, 1)

        self.caveat = _caveat(CAVEAT)
        layout.addWidget(self.caveat)
        self.reference_note = _hint()
        layout.addWidget(self.reference_note)
        return page

    @property
    def lag(self) -> int:
        """The chosen lag in quarters."""
        return int(self.lag_combo.currentData() or 0)

    def set_lag(self, lag: int) -> None:
        """Choose the lag (0 or 1 quarter)."""
        self.lag_combo.setCurrentIndex(max(self.lag_combo.findData(lag), 0))

    def show_data(self, data: PracticeResultsView) -> None:
        """Draw the monthly charts and the scatter at the chosen lag."""
        self.view = data
        if data.message:
            self.empty.setText(data.message)
            self.pages.setCurrentIndex(1)
            return
        self.pages.setCurrentIndex(0)
        self.summary.setText(
            f"{data.entries:,} journal entries, {data.total_hours:,.1f} hours of practice · "
            f"{data.episodes:,} episodes with 2+ {data.instrument} measurements"
        )
        self._draw_months()
        self.reference_note.setText(data.reference_note)
        self._draw_scatter()

    def _draw_months(self) -> None:
        data = self.view
        if data is None or data.message:
            return
        dates = [m.start for m in data.months] + [w.month for w in data.rolling]
        span = time_range(min(dates), max(dates)) if dates else (0.0, 1.0)
        if data.months:
            # To the end of the last month, so its bar fits.
            span = (span[0], max(span[1], epoch(data.months[-1].start) + 33 * 86400.0))
        self.hours_chart.draw(data.months, span, data.today)
        self.rolling_chart.draw(data.rolling, span, self._rolling_pending)
        self.hours_chart.widget.setToolTip(
            "Hours of practice logged in the journal in each calendar month (the sum of "
            "the minutes of its entries / 60). Hover a bar for its figure."
        )
        n_rolling = [w.n for w in data.rolling if w.saes.value is not None]
        self.rolling_chart.widget.setToolTip(
            "At each month: the episodes that ended in the 12 months up to it (open "
            "episodes by their latest session). Solid: severity-adjusted effect size (SAES, "
            "ACORN); dashed: pre-post effect size d = mean change / SD of intake. Bands: "
            f"{BOOTSTRAP} Months whose 12 months hold fewer than {MIN_EPISODES} episodes, "
            "and the first 11 months of your history, have no figure. "
            + (
                f"n per window: {min(n_rolling)}–{max(n_rolling)} episodes."
                if n_rolling
                else "No window has enough episodes yet."
            )
        )
        self.month_legend.setText(
            " &nbsp; ".join(
                [
                    _swatch(PRACTICE, "practice hours"),
                    _swatch(ACCENT, "SAES ± 95% CI", "━"),
                    _swatch(EFFECT, "effect size ± 95% CI", "┄┄"),
                ]
                + (["effectiveness line: computing…"] if self._rolling_pending else [])
            )
        )

    def _draw_scatter(self) -> None:
        data = self.view
        if data is None or data.message:
            return
        scatter = next((s for s in data.scatters if s.lag == self.lag), None)
        self.scatter_chart.draw(scatter)
        when = "the same quarter" if self.lag == 0 else "the following quarter"
        self.scatter_chart.widget.setToolTip(
            "Each point: one complete quarter. Across: hours of practice logged in it. Up: "
            f"the SAES of the episodes that ended in {when}, with its 95% CI (quarters with "
            f"fewer than {MIN_EPISODES} ended episodes are left out). Spearman's rank "
            "correlation ρ over the points: +1 when more practice always goes with a higher "
            "SAES, 0 for no relation, −1 for the reverse. Its 95% CI: percentile bootstrap "
            f"over quarters, {N_RESAMPLES:,} resamples, fixed seed. No figure below "
            f"{MIN_PAIRS} quarters."
        )
        if scatter is None:
            self.correlation.setText("")
            self.scatter_note.setText("")
            return
        c = scatter.correlation
        text = correlation_text(scatter)
        if c.rho is not None:
            strength = abs(c.rho)
            word = "strong" if strength >= 0.6 else "moderate" if strength >= 0.3 else "weak"
            direction = "more practice, higher SAES" if c.rho > 0 else "more practice, lower SAES"
            text += f": a {word} association ({direction})"
            if c.ci is not None and c.ci[0] <= 0 <= c.ci[1]:
                text += "; the CI includes 0, so no relation is also consistent with the data"
            text += "."
        self.correlation.setText(text)
        self.scatter_note.setText(scatter.note)

    def correlation_text(self) -> str:
        """The correlation line on show (for tests and accessibility)."""
        return self.correlation.text()


class WorkloadTab(_ResultsTab):
    """Sessions per week and energy ratings over time; outcomes by weekly load band."""

    def __init__(self, context: ScreenContext) -> None:
        super().__init__(context)
        self.setObjectName("workload-results")
        self.view: WorkloadView | None = None
        self.pages.addWidget(self._build())
        self.pages.addWidget(self._empty_page())

    def _reader(self) -> Callable[[Any], Any]:
        return functools.partial(read_workload_inputs, instrument=None)

    def _computations(self) -> dict[str, Callable[[Any], Any]]:
        return {"workload": compute_workload}

    def show_part(self, name: str, value: Any, parts: dict[str, Any]) -> None:
        """One part: the whole view."""
        self.show_data(value)

    def _build(self) -> QWidget:
        self.sessions_chart = WeeklySessionsChart()
        self.energy_chart = EnergyChart()
        page, layout, row, self.summary, self.energy_note = _results_page(
            "Your week, over time",
            ("Sessions per week", self.sessions_chart),
            ("Energy in the weekly review (0–10)", self.energy_chart),
        )

        right, right_layout, _head = panel_with_row("Outcomes by your weekly load")
        self.band_chart = LoadBandChart()
        right_layout.addWidget(self.band_chart.widget, 1)
        self.decline_label = QLabel("")
        self.decline_label.setObjectName("decline")
        self.decline_label.setWordWrap(True)
        self.decline_label.setStyleSheet("font-weight: 600; color: #1f4e52;")
        right_layout.addWidget(self.decline_label)
        self.band_note = _hint(rich=True)
        right_layout.addWidget(self.band_note)
        row.addWidget(right, 10)
        layout.addLayout(row, 1)
        self.caveat = _caveat(WORKLOAD_CAVEAT)
        layout.addWidget(self.caveat)
        self.reference_note = _hint()
        layout.addWidget(self.reference_note)
        return page

    def show_data(self, data: WorkloadView) -> None:
        """Draw the weekly charts and the load bands."""
        self.view = data
        if data.message and not data.weeks:
            self.empty.setText(data.message)
            self.pages.setCurrentIndex(1)
            return
        self.pages.setCurrentIndex(0)
        sessions = sum(w.sessions for w in data.weeks)
        working = sum(1 for w in data.weeks if w.sessions)
        several = data.therapists > 1
        typical = ""
        if data.typical_load:
            typical = f", typically {data.typical_load:g} a week" + (
                " per therapist" if several else ""
            )
        who = f" by {data.therapists} therapists" if several else ""
        self.summary.setText(
            f"{sessions:,} sessions{who} in {working:,} working weeks{typical} · "
            f"{len(data.energy):,} weekly reviews with an energy rating · "
            f"{data.episodes:,} episodes with 2+ {data.instrument or 'outcome'} measurements"
        )
        dates = [w.start for w in data.weeks] + [e.week for e in data.energy]
        span = time_range(min(dates), max(dates)) if dates else (0.0, 1.0)
        span = (span[0], span[1] + 7 * 86400.0)
        # With several therapists the bars add them up: one therapist's typical week
        # would be misread against them, so the line is drawn for one therapist only.
        self.sessions_chart.draw(data.weeks, None if several else data.typical_load, span)
        self.sessions_chart.widget.setToolTip(
            "Sessions held in each week, Monday to Sunday, with all clients (from the "
            "session dates)"
            + (
                f", all {data.therapists} therapists together; the load bands use each "
                "episode's own therapist's weeks."
                if several
                else ". Dashed: your typical week, the median over weeks with at least one session."
            )
        )
        self.energy_chart.draw(data.energy, span)
        self.energy_chart.widget.setToolTip(
            "Your energy rating (0–10) in each weekly review; the line is the average of "
            "the last four ratings. The text below gives Spearman's rank correlation of "
            f"energy with that week's sessions ({BOOTSTRAP})"
        )
        c = data.energy_vs_load
        if c.rho is None:
            energy_text = f"Energy against sessions that week: {c.reason}."
        else:
            ci = f" (95% CI {c.ci[0]:.2f} to {c.ci[1]:.2f})" if c.ci else ""
            trend = "lower" if c.rho < 0 else "higher"
            energy_text = (
                f"Energy against sessions that week: Spearman ρ = {c.rho:.2f}{ci}, "
                f"n = {c.n} weeks: your energy tends to be {trend} in busier weeks."
            )
        self.energy_note.setText(
            _swatch(LOAD, "sessions") + " &nbsp; " + _swatch(ENERGY, "energy", "●")
            + " &nbsp; " + _swatch("#ef6c00", "average of 4", "━") + "<br>" + energy_text
        )  # fmt: skip
        fall = data.decline.start if data.decline else None
        self.band_chart.draw(data.bands, fall)
        self.band_chart.widget.setToolTip(
            "Each episode's load: the mean number of sessions you held per working week "
            "(weeks with at least one session) from its first to its last session, with "
            f"all clients. Bands of {BAND_WIDTH} sessions a week; a band at either end with "
            f"fewer than {MIN_EPISODES} episodes joins its neighbour. Bars: SAES of the "
            f"episodes in the band (2+ measurements), with its 95% CI ({BOOTSTRAP}); n "
            "under each bar. Red: from the band where effectiveness starts to fall, i.e. "
            "the first band heavier than your best one."
        )
        self.decline_label.setText(data.decline_text)
        details = []
        for b in data.bands:
            ri = b.reliably_improved.value
            ri_text = f"{ri:.0f}% reliably improved" if ri is not None else "too few"
            details.append(f"<b>{b.label}</b>: n={b.n}, {ri_text}")
        self.band_note.setText(
            _swatch(ACCENT, "SAES ± 95% CI")
            + (" &nbsp; " + _swatch(FALL, "lower than your best load") if fall else "")
            + "<br>"
            + " · ".join(details)
        )
        self.reference_note.setText(data.reference_note)

    def band_labels(self) -> list[str]:
        """The load bands on show (for tests and accessibility)."""
        return [b.label for b in self.view.bands] if self.view else []
