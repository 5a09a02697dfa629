"""The Practice screen: the journal and the development plan, practice and workload against results.

The "Journal & plan" tab is built here: filters (period, activity, domain, search)
that apply to everything on the tab, hours per week against the weekly target, the
journal table (Enter or double-click edits, Delete deletes, both undoable), the plan
panel and hours by domain and by activity. Every write runs on the database worker
and goes on the shared undo stack. The two result tabs come from
``practice_results_tabs`` and load their own data the first time they are shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QSortFilterProxyModel, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from practice_app.gui.charts.journal_charts import Bar, HoursBars, WeeklyHoursChart
from practice_app.gui.practice_dialog import PracticeDialog
from practice_app.gui.registry import ScreenSpec
from practice_app.gui.screens.base import Screen, ScreenContext
from practice_app.gui.screens.panels import panel
from practice_app.gui.screens.practice_parts import (
    ALL,
    COLUMN,
    NO_DOMAIN,
    JournalModel,
    JournalTable,
    PlanPanel,
    filter_entries,
    hint,
    week_text,
)
from practice_app.gui.screens.practice_writes import (
    add_activity_for,
    ask_close_objective,
    ask_new_objective,
    delete_writes,
    entry_writes,
    target_writes,
)
from practice_app.gui.screens.undoable import WorkerWrite
from practice_app.services import practice
from practice_app.services.practice import EntryInput, EntryRow, period_totals, totals_by
from practice_app.services.practice_view import PracticeView

if TYPE_CHECKING:
    from sqlalchemy.orm import Session as OrmSession

PERIODS = (
    ("12w", "Last 12 weeks", 12),
    ("26w", "Last 6 months", 26),
    ("52w", "Last 12 months", 52),
)
SEGMENT_STYLE = (
    "QPushButton { padding: 4px 12px; border-radius: 0; }"
    "QPushButton:checked { background: #2f6f73; border-color: #2f6f73; color: white; }"
)


class PracticeScreen(Screen):
    """Practice: the journal, the plan, and practice and workload against results."""

    def __init__(self, context: ScreenContext, spec: ScreenSpec, argument: str | None = None):
        super().__init__(context, spec, argument)
        self.view: PracticeView | None = None
        self.dialog: PracticeDialog | None = None
        self._open_dialog_when_loaded = False
        self.saving = False
        self.log_button = QPushButton("Log practice…")
        self.log_button.setObjectName("primaryButton")
        self.log_button.setToolTip("Log a practice entry (Ctrl+L)")
        self.log_button.clicked.connect(lambda: self.open_log_dialog())
        self.header_row.addWidget(self.log_button, 0, Qt.AlignmentFlag.AlignBottom)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.layout_.addWidget(self.tabs, 1)
        self.journal_tab = self._build_journal_tab()
        self.tabs.addTab(self.journal_tab, "Journal && plan")
        self.result_tabs: list[Any] = []
        self._stale: set[int] = set()
        self._add_result_tabs()
        self.tabs.currentChanged.connect(self._tab_shown)
        # Other screens write too (the Learning screen adds objectives, the client page
        # sessions); every write goes through the shared undo stack, so its index moving
        # means this screen may be out of date when it is next shown.
        self.stale = False
        context.undo_stack.indexChanged.connect(self._mark_stale)

    def _mark_stale(self) -> None:
        self.stale = True

    def showEvent(self, event: QShowEvent) -> None:
        """Reload when shown again after a write elsewhere."""
        super().showEvent(event)
        if self.stale and self.loaded and not self.loading:
            self.changed()

    def subtitle(self) -> str:
        """What the screen is for."""
        return (
            "Your deliberate practice, your plan, and how both sit beside your results. "
            "Log an entry with Ctrl+L."
        )

    # --- building ------------------------------------------------------------------------

    def _build_journal_tab(self) -> QWidget:
        tab = QWidget()
        outer = QVBoxLayout(tab)
        outer.setContentsMargins(0, 10, 0, 0)
        outer.setSpacing(10)
        filters = QHBoxLayout()
        filters.setSpacing(8)
        self.period = QComboBox()
        self.period.setAccessibleName("Period")
        for key, label, _ in PERIODS:
            self.period.addItem(label, key)
        self.period.addItem("All time", ALL)
        self.period.setCurrentIndex(1)
        self.activity_filter = QComboBox()
        self.activity_filter.setAccessibleName("Activity filter")
        self.activity_filter.setMinimumContentsLength(16)
        self.activity_filter.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.domain_filter = QComboBox()
        self.domain_filter.setAccessibleName("Domain filter")
        self.domain_filter.addItem("All domains", ALL)
        for d in practice.DOMAINS:
            self.domain_filter.addItem(d, d)
        self.domain_filter.addItem("No domain", NO_DOMAIN)
        self.search = QLineEdit()
        self.search.setAccessibleName("Search the journal")
        self.search.setPlaceholderText("Search notes, clients, objectives…")
        self.search.setClearButtonEnabled(True)
        for label, widget in (("Period", self.period), ("Activity", self.activity_filter)):
            filters.addWidget(hint(label))
            filters.addWidget(widget)
        filters.addWidget(hint("Domain"))
        filters.addWidget(self.domain_filter)
        filters.addWidget(self.search, 1)
        outer.addLayout(filters)
        for combo in (self.period, self.activity_filter, self.domain_filter):
            combo.currentIndexChanged.connect(self.refilter)
        self.search.textChanged.connect(self.refilter)

        columns = QHBoxLayout()
        columns.setSpacing(14)
        outer.addLayout(columns, 1)
        left = QVBoxLayout()
        left.setSpacing(12)
        columns.addLayout(left, 3)
        week_panel, week_layout = panel("Hours per week")
        self.week_summary = hint()
        target_row = QHBoxLayout()
        target_row.addWidget(self.week_summary, 1)
        target_row.addWidget(hint("Weekly target"))
        self.target = QDoubleSpinBox()
        self.target.setAccessibleName("Weekly practice target")
        self.target.setRange(0.0, 40.0)
        self.target.setSingleStep(0.5)
        self.target.setDecimals(1)
        self.target.setSuffix(" h")
        self.target.setToolTip("Your weekly practice target (the dashed line); Enter sets it")
        self.target.editingFinished.connect(self._target_edited)
        target_row.addWidget(self.target)
        week_layout.addLayout(target_row)
        self.weekly_chart = WeeklyHoursChart()
        week_layout.addWidget(self.weekly_chart.widget)
        left.addWidget(week_panel, 2)
        journal_panel, journal_layout = panel("Journal")
        self.model = JournalModel()
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(Qt.ItemDataRole.UserRole)
        self.table = JournalTable(self.edit_current, self.delete_selected)
        self.table.setAccessibleName("Practice journal")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COLUMN["date"], Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        widths = {"date": 92, "minutes": 40, "activity": 118, "domain": 132, "objective": 140}
        widths |= {"difficulty": 70, "rating": 48, "feedback": 76, "clients": 96}
        for key, width in widths.items():
            self.table.setColumnWidth(COLUMN[key], width)
        self.table.doubleClicked.connect(lambda _: self.edit_current())
        self.table.setMinimumHeight(200)
        journal_layout.addWidget(self.table, 1)
        foot = QHBoxLayout()
        self.count_label = hint()
        foot.addWidget(self.count_label, 1)
        keys = hint("Enter: edit · Delete: delete · Ctrl+Z: undo")
        keys.setWordWrap(False)
        foot.addWidget(keys)
        journal_layout.addLayout(foot)
        left.addWidget(journal_panel, 3)

        side = QWidget()
        right = QVBoxLayout(side)
        right.setContentsMargins(0, 0, 10, 0)
        right.setSpacing(12)
        self.plan = PlanPanel()
        self.plan.add_requested.connect(self.open_objective_dialog)
        self.plan.close_requested.connect(self.open_close_dialog)
        right.addWidget(self.plan)
        by_panel, by_layout = panel("Where the hours went")
        toggle = QHBoxLayout()
        toggle.setSpacing(0)
        self.by_buttons = QButtonGroup(self)
        for i, text in enumerate(("By domain", "By activity")):
            button = QPushButton(text)
            button.setCheckable(True)
            button.setChecked(i == 0)
            button.setStyleSheet(SEGMENT_STYLE)
            self.by_buttons.addButton(button, i)
            toggle.addWidget(button)
        toggle.addStretch(1)
        by_layout.addLayout(toggle)
        self.by_stack = QStackedWidget()
        self.by_stack.setStyleSheet("QStackedWidget { background: transparent; }")
        self.domain_bars = HoursBars("Hours by domain")
        self.activity_bars = HoursBars("Hours by activity", "#7e8ccf")
        self.by_stack.addWidget(self.domain_bars)
        self.by_stack.addWidget(self.activity_bars)
        self.by_buttons.idClicked.connect(self.by_stack.setCurrentIndex)
        by_layout.addWidget(self.by_stack)
        right.addWidget(by_panel)
        right.addStretch(1)
        # The plan can be taller than a small window: the side column scrolls.
        scroll = QScrollArea()
        scroll.setWidget(side)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setStyleSheet(
            "QScrollArea, QScrollArea > QWidget > QWidget { background: transparent; }"
        )
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(420)
        columns.addWidget(scroll, 2)
        return tab

    def _add_result_tabs(self) -> None:
        """Add "Practice against results" and "Workload against results" (loaded when shown)."""
        try:
            from practice_app.gui.screens.practice_results_tabs import (
                PracticeResultsTab,
                WorkloadTab,
            )
        except ImportError:  # built separately; the journal works without them
            return
        for tab_class, label in (
            (PracticeResultsTab, "Practice against results"),
            (WorkloadTab, "Workload against results"),
        ):
            tab = tab_class(self.context)
            self.result_tabs.append(tab)
            self._stale.add(len(self.result_tabs) - 1)
            self.tabs.addTab(tab, label)

    def _tab_shown(self, index: int) -> None:
        """Load a result tab the first time it is shown, and again after a journal change."""
        i = index - 1
        if 0 <= i < len(self.result_tabs) and i in self._stale:
            self._stale.discard(i)
            self.result_tabs[i].reload()

    # --- data ----------------------------------------------------------------------------

    def show_data(self, data: PracticeView) -> None:
        """Fill the tab from the loaded view, keeping the filters as they are."""
        self.view = data
        chosen = self.activity_filter.currentData()
        self.activity_filter.blockSignals(True)
        self.activity_filter.clear()
        self.activity_filter.addItem("All activities", ALL)
        for a in data.activities:
            self.activity_filter.addItem(a.label, a.key)
        self.activity_filter.setCurrentIndex(max(0, self.activity_filter.findData(chosen)))
        self.activity_filter.blockSignals(False)
        self.plan.set_plan(data.objectives, data.focus, data.reviews, data.today)
        self.target.blockSignals(True)
        self.target.setValue(data.weekly_target_minutes / 60)
        self.target.blockSignals(False)
        self.target.setEnabled(data.therapist is not None)
        self.refilter()
        # Settle the nested layouts (the side column's scroll area resizes its content one
        # posted event after another), so the screen is laid out when ``ready`` is emitted.
        for _ in range(3):
            QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        if self._open_dialog_when_loaded:
            self._open_dialog_when_loaded = False
            self.open_log_dialog()

    def period_start(self) -> dt.date | None:
        """The first Monday of the chosen period (None for all time)."""
        if self.view is None:
            return None
        weeks = {key: n for key, _, n in PERIODS}.get(str(self.period.currentData()))
        if weeks is None:
            return None
        monday = self.view.today - dt.timedelta(days=self.view.today.weekday())
        return monday - dt.timedelta(weeks=weeks - 1)

    def filtered(self) -> list[EntryRow]:
        """The entries that pass every filter."""
        if self.view is None:
            return []
        return filter_entries(
            self.view.entries,
            since=self.period_start(),
            activity=self.activity_filter.currentData(),
            domain=self.domain_filter.currentData(),
            words=self.search.text().lower().split(),
        )

    def refilter(self, *_: Any) -> None:
        """Apply the filters to the table, the weekly chart and the bars."""
        if self.view is None:
            return
        view = self.view
        entries = self.filtered()
        self.model.set_rows(entries)
        total = sum(e.minutes for e in entries)
        self.count_label.setText(
            f"{len(entries):,} of {len(view.entries):,} entries · {total / 60:,.1f} hours"
        )
        # Weeks before the journal began are not weeks without practice: start there.
        first = min((e.date for e in view.entries), default=None)
        since = self.period_start()
        since = first if since is None or (first is not None and first > since) else since
        weeks = (
            period_totals(((e.date, e.minutes) for e in entries), "week", since, view.today)
            if since is not None
            else ()
        )
        self.weekly_chart.draw(weeks, view.weekly_target_minutes, view.today)
        filtered = self.activity_filter.currentData() not in (None, ALL) or bool(
            self.domain_filter.currentData() not in (None, ALL) or self.search.text().strip()
        )
        self.week_summary.setText(week_text(weeks, view.weekly_target_minutes, filtered))
        by_domain = totals_by(entries, "domain")
        self.domain_bars.set_bars(
            [Bar(d, by_domain.get(d, 0)) for d in practice.DOMAINS]
            + ([Bar("No domain", by_domain[""])] if by_domain.get("") else [])
        )
        by_activity = totals_by(entries, "activity")
        self.activity_bars.set_bars(
            [
                Bar(practice.SHORT_LABELS.get(a.key, a.label), by_activity[a.key], a.label)
                for a in sorted(view.activities, key=lambda a: -by_activity.get(a.key, 0))
                if by_activity.get(a.key)
            ]
        )

    # --- writing -------------------------------------------------------------------------

    def open_log_dialog(self, entry: EntryRow | None = None) -> PracticeDialog | None:
        """Open the log dialog (or the edit dialog for ``entry``); wait for data if needed."""
        if self.view is None:
            self._open_dialog_when_loaded = True
            return None
        if self.dialog is not None and shiboken6.isValid(self.dialog) and self.dialog.isVisible():
            self.dialog.raise_()
            return self.dialog
        dialog = PracticeDialog(self, self.view, entry)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.submitted.connect(lambda data, d=dialog, e=entry: self._save(d, data, e))
        dialog.activity_requested.connect(lambda label, d=dialog: add_activity_for(self, d, label))
        self.dialog = dialog
        dialog.open()
        return dialog

    def selected_entries(self) -> list[EntryRow]:
        """The entries of the selected rows."""
        rows = {self.proxy.mapToSource(i).row() for i in self.table.selectionModel().selectedRows()}
        return [self.model.entry(r) for r in sorted(rows)]

    def edit_current(self) -> PracticeDialog | None:
        """Edit the entry of the current row."""
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.open_log_dialog(self.model.entry(self.proxy.mapToSource(index).row()))

    def _save(self, dialog: PracticeDialog, data: EntryInput, old: EntryRow | None) -> None:
        redo, undo, text = entry_writes(data, old)

        def saved(row: EntryRow) -> None:
            self.saving = False
            if shiboken6.isValid(dialog):
                dialog.done_saving()
            self.context.undo_stack.push(WorkerWrite(self, text, redo, undo))
            self.context.show_status(f"Saved: {row.minutes} min of {row.activity_label.lower()}")
            self.changed()

        def failed(error: BaseException) -> None:
            self.saving = False
            if shiboken6.isValid(dialog):
                dialog.done_saving(str(error))

        self.saving = True
        self.context.workers.query(
            redo, on_success=saved, on_failure=failed, owner=self, label=text
        )

    def delete_selected(self) -> None:
        """Delete the selected entries (one undoable step)."""
        rows = self.selected_entries()
        if not rows or self.saving:
            return
        redo, undo, text = delete_writes(rows)

        def done(_: Any) -> None:
            self.saving = False
            self.context.undo_stack.push(WorkerWrite(self, text, redo, undo))
            self.context.show_status(f"{text} · Ctrl+Z brings it back")
            self.changed()

        def failed(error: BaseException) -> None:
            self.saving = False
            self.context.show_status(f"Could not delete: {error}")

        self.saving = True
        self.context.workers.query(redo, on_success=done, on_failure=failed, owner=self, label=text)

    def write(self, work: Callable[[OrmSession], Any], label: str) -> None:
        """Run an undo or redo on the worker, then reload."""

        def done(_: Any) -> None:
            self.context.show_status(label)
            self.changed()

        def failed(error: BaseException) -> None:
            self.context.show_status(f"{label}: {error}")

        self.context.workers.query(
            work, on_success=done, on_failure=failed, owner=self, label=label
        )

    def changed(self) -> None:
        """After a write: reload the journal; the result tabs reload when next shown."""
        if not shiboken6.isValid(self):
            return
        self.stale = False
        self._stale = set(range(len(self.result_tabs)))
        self.reload()
        self._tab_shown(self.tabs.currentIndex())

    def _target_edited(self) -> None:
        if self.view is None or self.view.therapist is None:
            return
        minutes = round(self.target.value() * 60)
        if minutes == self.view.weekly_target_minutes:
            return
        redo, undo, text = target_writes(
            self.view.therapist, self.view.weekly_target_minutes, minutes
        )

        def done(_: Any) -> None:
            self.context.undo_stack.push(WorkerWrite(self, text, redo, undo))
            self.changed()

        self.context.workers.query(
            redo,
            on_success=done,
            on_failure=lambda e: self.context.show_status(f"Could not set the target: {e}"),
            owner=self,
            label=text,
        )

    def open_objective_dialog(self) -> Any:
        """Ask for a new objective (added on the worker)."""
        return ask_new_objective(self)

    def open_close_dialog(self, objective_id: int) -> Any:
        """Ask how an objective ended (closed on the worker)."""
        return ask_close_objective(self, objective_id)
