"""The Effectiveness screen: effect size, SAES and outcome categories over time, with filters.

Data flow, all off the GUI thread: the database worker loads the instrument's analysis
(services.effectiveness_view.load_inputs); two jobs on the analysis pool then compute
the summary (overall, quarters, baseline) and the rolling 12-month windows in parallel.
The summary is shown as soon as it arrives; ``ready`` is emitted once both are in.
Changing the period or the client group reuses the loaded analysis; changing the
instrument (or any data change, via ``reload``) loads again. The newest request wins.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from practice_app.analysis.effectiveness import N_RESAMPLES, Figure
from practice_app.gui.charts.effect_charts import (
    ACCENT,
    CATEGORY_COLOURS,
    CATEGORY_LABELS,
    CategoryChart,
    EffectChart,
)
from practice_app.gui.charts.effect_charts import BASELINE as BASELINE_COLOUR
from practice_app.gui.registry import ScreenSpec
from practice_app.gui.screens.base import Screen, ScreenContext
from practice_app.gui.screens.overview import StatCard
from practice_app.gui.screens.panels import panel_with_row
from practice_app.services.effectiveness_view import (
    ALL_GROUPS,
    PERIODS,
    EffectivenessInputs,
    EffectivenessView,
    ViewQuery,
    WindowFigures,
    ci_text,
    compute_rolling,
    compute_summary,
    describe_span,
    figure_text,
    load_inputs,
)

BOOTSTRAP = f"95% CI: percentile bootstrap, {N_RESAMPLES:,} resamples over episodes."
MEASURES = {
    "effect_size": ("Effect size (d)", "Pre-post effect size (d)"),
    "saes": ("SAES", "Severity-adjusted effect size (SAES)"),
}


def _hint(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName("hint")
    label.setWordWrap(True)
    return label


def _swatch(colour: str, text: str, dashed: bool = False) -> str:
    mark = (
        f"<span style='color:{colour}'>┄┄</span>"
        if dashed
        else f"<span style='color:{colour}'>■</span>"
    )
    return f"{mark}&nbsp;{text}"


class EffectivenessScreen(Screen):
    """Overall figures as cards, effect size over time, categories per quarter, filters."""

    def __init__(self, context: ScreenContext, spec: ScreenSpec, argument: str | None = None):
        super().__init__(context, spec, argument)
        self.view: EffectivenessView | None = None
        self.measure = "effect_size"
        self._inputs: EffectivenessInputs | None = None
        self._generation = 0
        self._parts: dict[int, dict[str, Any]] = {}
        self._date_timer = QTimer(self)
        self._date_timer.setSingleShot(True)
        self._date_timer.setInterval(400)
        self._date_timer.timeout.connect(self._request)
        self._build_filters()
        self.pages = QStackedWidget()
        self.pages.addWidget(self._build_content())
        self.pages.addWidget(self._build_empty())
        self.layout_.addWidget(self.pages, 1)

    @classmethod
    def warm_up(cls) -> None:
        """pyqtgraph is already imported with the chart module."""

    def subtitle(self) -> str:
        """Header line before the data has loaded."""
        return "Loading…"

    # ----- widgets ---------------------------------------------------------------------
    def _build_filters(self) -> None:
        bar = QHBoxLayout()
        bar.setSpacing(8)
        self.instrument_combo = QComboBox()
        self.instrument_combo.setToolTip("The outcome measure the figures are computed on")
        self.instrument_combo.setAccessibleName("Instrument")
        self.period_combo = QComboBox()
        for key, label in PERIODS.items():
            self.period_combo.addItem(label, key)
        self.period_combo.setToolTip(
            "Which episodes count: those that ended in the period (open episodes by their "
            "latest session). Charts show the whole calendar quarters the period touches."
        )
        self.period_combo.setAccessibleName("Period")
        self.group_combo = QComboBox()
        self.group_combo.addItem("All client groups", ALL_GROUPS)
        self.group_combo.setToolTip("Only clients of one group (the client's Group field)")
        self.group_combo.setAccessibleName("Client group")
        self.since_edit = QDateEdit()
        self.until_edit = QDateEdit()
        for edit, tip in ((self.since_edit, "From"), (self.until_edit, "To")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            edit.setToolTip(f"{tip} (ending date of the episodes, inclusive)")
            edit.setVisible(False)
        today = QDate.currentDate()
        self.since_edit.setDate(today.addYears(-1))
        self.until_edit.setDate(today)
        for edit in (self.since_edit, self.until_edit):
            edit.dateChanged.connect(self._date_changed)
        for widget in (
            self.instrument_combo,
            self.period_combo,
            self.since_edit,
            self.until_edit,
            self.group_combo,
        ):
            bar.addWidget(widget)
        self.instrument_combo.currentIndexChanged.connect(lambda _i: self._request())
        self.period_combo.currentIndexChanged.connect(self._period_changed)
        self.group_combo.currentIndexChanged.connect(lambda _i: self._request())
        self.header_row.addLayout(bar)

    def _build_content(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        cards = QHBoxLayout()
        cards.setSpacing(10)
        self.cards: dict[str, StatCard] = {
            "effect_size": StatCard("Effect size", ""),
            "saes": StatCard("SAES", ""),
            "reliably_improved": StatCard("Reliably improved", ""),
            "recovered": StatCard("Recovered", ""),
            "deteriorated": StatCard("Deteriorated", ""),
            "not_on_track": StatCard("Not on track", ""),
            "dropout": StatCard("Dropout", ""),
        }
        for key, card in self.cards.items():
            card.setObjectName("statCard")
            card.setAccessibleName(key)
            margins = card.layout()
            if margins is not None:
                margins.setContentsMargins(12, 9, 12, 9)
            cards.addWidget(card, 1)
        layout.addLayout(cards)

        charts = QHBoxLayout()
        charts.setSpacing(12)
        effect_panel, effect_layout, effect_head = panel_with_row("")
        self.effect_title = QLabel("Effect size over time")
        self.effect_title.setObjectName("sectionTitle")
        effect_head.insertWidget(0, self.effect_title)
        self.measure_buttons = QButtonGroup(self)
        for key, (short, _long) in MEASURES.items():
            button = QPushButton(short)
            button.setCheckable(True)
            button.setChecked(key == self.measure)
            button.setObjectName(f"measure-{key}")
            button.setStyleSheet(
                "QPushButton { padding: 3px 12px; }"
                "QPushButton:checked { background: #2f6f73; color: #ffffff;"
                " border-color: #2f6f73; }"
            )
            button.setToolTip(
                "Pre-post effect size: mean change / SD of intake scores"
                if key == "effect_size"
                else "Severity-adjusted effect size: change adjusted for intake severity"
            )
            button.clicked.connect(functools.partial(self._set_measure, key))
            self.measure_buttons.addButton(button)
            effect_head.addWidget(button)
        self.effect_chart = EffectChart()
        effect_layout.addWidget(self.effect_chart.widget, 1)
        self.effect_legend = _hint()
        self.effect_legend.setTextFormat(Qt.TextFormat.RichText)
        effect_layout.addWidget(self.effect_legend)
        charts.addWidget(effect_panel, 11)

        cat_panel, cat_layout, _head = panel_with_row("Outcome categories per quarter")
        self.category_chart = CategoryChart()
        cat_layout.addWidget(self.category_chart.widget, 1)
        self.category_legend = _hint()
        self.category_legend.setTextFormat(Qt.TextFormat.RichText)
        cat_layout.addWidget(self.category_legend)
        charts.addWidget(cat_panel, 10)
        layout.addLayout(charts, 1)

        self.reference_note = _hint()
        self.sources_line = _hint()
        layout.addWidget(self.reference_note)
        layout.addWidget(self.sources_line)
        return page

    def _build_empty(self) -> QWidget:
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.setContentsMargins(0, 0, 0, 0)
        frame, layout, _head = panel_with_row("Nothing to measure yet")
        frame.setMaximumWidth(640)
        self.empty_text = QLabel("")
        self.empty_text.setWordWrap(True)
        layout.addWidget(self.empty_text)
        outer.addWidget(frame, 0, Qt.AlignmentFlag.AlignTop)
        outer.addStretch(1)
        return page

    # ----- loading ---------------------------------------------------------------------
    def query(self) -> ViewQuery:
        """The filters as a query."""
        since = until = None
        period = str(self.period_combo.currentData() or "all")
        if period == "custom":
            since = self.since_edit.date().toPython()
            until = self.until_edit.date().toPython()
        return ViewQuery(
            instrument=self.instrument_combo.currentData(),
            period=period,
            since=since,  # type: ignore[arg-type]
            until=until,  # type: ignore[arg-type]
            group=str(self.group_combo.currentData() or ALL_GROUPS),
        )

    def reload(self) -> None:
        """The data may have changed: load the analysis again, then recompute."""
        self._inputs = None
        self._request()

    def _date_changed(self, _date: QDate) -> None:
        # Typing a date changes it digit by digit: wait for a pause before recomputing.
        if self.period_combo.currentData() == "custom":
            self._date_timer.start()

    def _period_changed(self, _index: int) -> None:
        custom = self.period_combo.currentData() == "custom"
        self.since_edit.setVisible(custom)
        self.until_edit.setVisible(custom)
        self._request()

    def _request(self) -> None:
        if self.context.workers.closed:  # the window is closing: start nothing new
            return
        self._generation += 1
        gen = self._generation
        query = self.query()
        self._loads_pending += 1
        self._parts[gen] = {}
        self.subtitle_label.setText("Computing…" if self.view else "Loading…")
        inputs = self._inputs
        cached = (
            inputs is not None
            and inputs.analysis is not None
            and query.instrument in (None, inputs.analysis.instrument.name)
        )
        if cached and inputs is not None:
            self._compute(gen, query, inputs)
            return
        self.context.workers.query(
            functools.partial(load_inputs, instrument=query.instrument),
            on_success=lambda loaded: self._compute(gen, query, loaded),
            on_failure=lambda error: self._part_failed(gen, error),
            owner=self,
            label="load effectiveness",
        )

    def _compute(self, gen: int, query: ViewQuery, inputs: EffectivenessInputs) -> None:
        self._inputs = inputs
        workers = self.context.workers
        if workers.closed:
            self._parts.pop(gen, None)
            self._loads_pending -= 1
            return
        for part, work in (("summary", compute_summary), ("rolling", compute_rolling)):
            workers.analysis(
                functools.partial(work, inputs, query),
                on_success=functools.partial(self._part_done, gen, part),
                on_failure=lambda error: self._part_failed(gen, error),
                owner=self,
                label=f"effectiveness {part}",
            )

    def _part_done(self, gen: int, part: str, value: Any) -> None:
        parts = self._parts.get(gen)
        if parts is None:
            return
        parts[part] = value
        current = gen == self._generation
        if current and part == "summary":
            self.show_data(replace(value, rolling=parts.get("rolling", ())))
        elif current and part == "rolling" and self.view is not None and "summary" in parts:
            self.view = replace(parts["summary"], rolling=value)
            self._draw_effect()
        if "summary" in parts and "rolling" in parts:
            self._finish(gen)

    def _part_failed(self, gen: int, error: BaseException) -> None:
        if self._parts.pop(gen, None) is None:
            return
        self._loads_pending -= 1
        if gen == self._generation:
            message = f"Could not load {self.spec.label}: {error}"
            self.show_error(message)
            self.load_failed.emit(message)

    def _finish(self, gen: int) -> None:
        self._parts.pop(gen, None)
        self._loads_pending -= 1
        if gen == self._generation:
            self.loaded = True
        if not self.loading and self.loaded:
            self.ready.emit()

    # ----- showing ---------------------------------------------------------------------
    def show_data(self, data: EffectivenessView) -> None:
        """Fill the filters, cards, charts and notes from the computed view."""
        self.view = data
        self._fill_filters(data)
        if data.message or data.overall is None:
            self.subtitle_label.setText("No outcome figures yet.")
            self.empty_text.setText(data.message)
            self.pages.setCurrentIndex(1)
            return
        self.pages.setCurrentIndex(0)
        o = data.overall
        span = describe_span(data)
        period = PERIODS.get(data.query.period, "")
        group = "all client groups" if data.query.group == ALL_GROUPS else data.query.group
        self.subtitle_label.setText(
            f"{data.instrument} · {period.lower()} · {group} · {o.n:,} episodes "
            f"with 2+ measurements{', ' + span if span else ''}"
        )
        self._fill_cards(data)
        self._draw_effect()
        self._draw_categories()
        self.reference_note.setText(
            data.reference_note
            + (
                f" Baseline: {data.baseline.description}."
                if data.baseline
                else f" {data.baseline_note}"
            )
        )
        sources = "; ".join(b.short_source for b in data.benchmarks)
        self.sources_line.setText(f"Benchmarks: {sources}." if sources else "")
        self.sources_line.setToolTip("\n\n".join(s for b in data.benchmarks for s in b.sources))

    def _fill_filters(self, data: EffectivenessView) -> None:
        combos = (self.instrument_combo, self.group_combo)
        for combo in combos:
            combo.blockSignals(True)
        self.instrument_combo.clear()
        for name, title in data.instruments:
            self.instrument_combo.addItem(name, name)
            self.instrument_combo.setItemData(
                self.instrument_combo.count() - 1, title, Qt.ItemDataRole.ToolTipRole
            )
        self.instrument_combo.setCurrentIndex(
            max(self.instrument_combo.findData(data.instrument), 0)
        )
        self.group_combo.clear()
        self.group_combo.addItem("All client groups", ALL_GROUPS)
        for group in data.groups:
            self.group_combo.addItem(group, group)
        self.group_combo.setCurrentIndex(max(self.group_combo.findData(data.query.group), 0))
        for combo in combos:
            combo.blockSignals(False)

    def _n_text(self, data: EffectivenessView, n: int) -> str:
        span = describe_span(data)
        return (
            f"n = {n:,} episodes with 2+ {data.instrument} measurements"
            + (f", {span}" if span else "")
            + "."
        )

    def _fill_cards(self, data: EffectivenessView) -> None:
        o = data.overall
        assert o is not None
        n_text = self._n_text(data, o.n)
        es_tip = (
            "Pre-post effect size d = mean change / SD of intake scores (ACORN). "
            f"{BOOTSTRAP} {n_text}"
        )
        saes_tip = (
            "Severity-adjusted effect size (ACORN): outcome = a + b × intake fitted on the "
            "reference pool; SAES = (mean change in the pool + mean residual) / SD of intake "
            f"in the pool. {data.reference_note} {BOOTSTRAP} {n_text}"
        )
        for key, fig, tip in (("effect_size", o.effect_size, es_tip), ("saes", o.saes, saes_tip)):
            ci = ci_text(fig)
            value = figure_text(fig) if fig.value is not None else "–"
            detail = f"{ci}\nn={fig.n:,}" if ci else f"n={fig.n}, not enough data"
            self.cards[key].set(value, detail)
            self.cards[key].setToolTip(tip)
        bench = {b.key: b for b in data.benchmarks}
        p = o.percent
        shares = {
            "reliably_improved": (
                p["reliably_improved"],
                "Reliably improved = recovered + improved: change of at least the reliable "
                "change index in the better direction.",
            ),
            "recovered": (
                p["recovered"],
                "Recovered: reliably improved and moved from the clinical to the "
                "non-clinical range (Jacobson & Truax 1991).",
            ),
            "deteriorated": (
                p["deteriorated"],
                "Deteriorated: reliably worse than at intake (harmed counted separately: "
                "reliably worse and moved into the clinical range).",
            ),
            "not_on_track": (
                p["not_on_track"],
                "Not on track: the outcome signal was red at some measurement.",
            ),
            "dropout": (
                p["dropout"],
                "Dropout: an unplanned ending (stopped, inactive 45+ days, other) before "
                "reliable improvement.",
            ),
        }
        for key, (fig, how) in shares.items():
            value = figure_text(fig, 0, "%")
            ci = ci_text(fig, 0, "%")
            tip = f"{how} Share of episodes in %. {BOOTSTRAP} {n_text}"
            if key == "deteriorated" and fig.value is not None:
                # The deterioration norm counts every reliably worse episode: show both.
                harmed = p["harmed"].value or 0.0
                value = f"{fig.value + harmed:.0f}%"
                ci = f"{fig.value:.0f}% + {harmed:.0f}% harmed"
                tip = f"{how} Shown: deteriorated + harmed. {n_text}"
            elif fig.value is None:
                value, ci = "–", f"n={fig.n}, not enough data"
            b = bench.get(key)
            detail = ci
            if b is not None:
                detail += f"\nbenchmark {b.low:.0f}–{b.high:.0f}%"
                tip += f"\nBenchmark {b.low:.0f}–{b.high:.0f}%: {b.short_source}."
            self.cards[key].set(value, detail)
            self.cards[key].setToolTip(tip)

    def _set_measure(self, key: str) -> None:
        self.measure = key
        self._draw_effect()

    def _draw_effect(self) -> None:
        data = self.view
        if data is None or data.overall is None:
            return
        short, long = MEASURES[self.measure]
        self.effect_title.setText(f"{long} over time")
        for button in self.measure_buttons.buttons():
            button.setChecked(button.objectName() == f"measure-{self.measure}")
        n_quarters = sum(w.n for w in data.quarters)
        rolling_n = [w.n for w in data.rolling if getattr(w, self.measure).value is not None]
        how = (
            "Pre-post effect size d = mean change / SD of intake scores (ACORN)."
            if self.measure == "effect_size"
            else "SAES (ACORN), against your own episodes over all time (equal case mix)."
        )
        tooltip = (
            f"{how} Points: each calendar quarter, by the date the episode ended (open "
            f"episodes: latest session), with 95% CI bars; n under each point. Line and "
            f"band: 12 months up to each month, with the 95% CI "
            f"({len(rolling_n)} windows, n {min(rolling_n, default=0)}–"
            f"{max(rolling_n, default=0)}). {BOOTSTRAP} Quarters with fewer than 10 "
            f"episodes have no figure (n<10). {n_quarters:,} episodes in the quarters shown."
        )
        today = self._today(data)
        self.effect_chart.draw(
            data.quarters, data.rolling, data.baseline, self.measure, short, tooltip, today
        )
        legend = [
            "<span style='color:#1f4e52'>●</span>&nbsp;quarter ± 95% CI",
            "<span style='color:#1f4e52'>○</span>&nbsp;under way",
            _swatch(ACCENT, "rolling 12 months ± 95% CI"),
        ]
        if data.baseline is not None:
            legend.append(_swatch(BASELINE_COLOUR, "baseline", dashed=True))
        if not data.rolling and self.loading:
            legend.append("rolling line: computing…")
        self.effect_legend.setText(" &nbsp; ".join(legend))
        self.effect_chart.widget.setToolTip(tooltip)

    def _draw_categories(self) -> None:
        data = self.view
        if data is None:
            return
        bench = {b.key: b for b in data.benchmarks}.get("reliably_improved")
        band = (bench.low, bench.high) if bench else None
        base = data.baseline.reliably_improved.value if data.baseline else None
        tooltip = (
            "Share of each quarter's episodes in each change category (intake = first, "
            f"outcome = last {data.instrument} score; reliable change and clinical cutoff "
            "of the instrument). Greens: reliably improved. Quarters with fewer than 10 "
            "episodes have no bars (n<10)."
            + (
                f" Band: benchmark for reliably improved, {bench.low:.0f}–{bench.high:.0f}% "
                f"({bench.short_source})."
                if bench
                else ""
            )
            + (f" Dashed: your baseline, {base:.0f}% reliably improved." if base else "")
        )
        label = f"benchmark {band[0]:.0f}–{band[1]:.0f}% reliably improved" if band else ""
        self.category_chart.draw(data.quarters, band, label, base, tooltip, self._today(data))
        legend = [_swatch(c, CATEGORY_LABELS[k]) for k, c in CATEGORY_COLOURS.items()]
        if base is not None:
            legend.append(_swatch(BASELINE_COLOUR, "baseline", dashed=True))
        self.category_legend.setText(" &nbsp; ".join(legend))

    def _today(self, data: EffectivenessView) -> dt.date:
        if self._inputs is not None:
            return self._inputs.today
        return data.last_date or dt.date.today()

    def quarter_points(self) -> list[WindowFigures]:
        """The quarters on show (for tests and accessibility)."""
        return list(self.view.quarters) if self.view else []

    def figure(self, key: str) -> Figure | None:
        """An overall figure on show, by card key."""
        if self.view is None or self.view.overall is None:
            return None
        o = self.view.overall
        return {"effect_size": o.effect_size, "saes": o.saes}.get(key, o.percent.get(key))
