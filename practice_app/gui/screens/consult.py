"""The Consultation screen: a de-identified brief on one client episode, for supervision.

``consult`` (the sidebar entry) shows a picker of episodes, the not-on-track ones first;
``consult:CODE`` shows the brief of the client's latest episode (another can be chosen):
summary, trajectory chart, signals and sudden changes, item scores, alliance, lessons,
session notes, and the two fields the therapist writes, "What has been tried" and
"Questions for the consultant". They are saved on the database worker by the Save
button (Ctrl+S), when the screen is left, when another episode is chosen and when the
window closes; every save is one step on the shared undo stack. "Copy as text" puts the
brief on the clipboard for an email; Export PDF…, Export HTML… and Print… go through
``gui.report_export`` (edits are saved first, on the same serial worker).
"""

from __future__ import annotations

import dataclasses
import functools
import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QHideEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from practice_app.gui.registry import ScreenSpec
from practice_app.gui.screens import consult_parts as parts
from practice_app.gui.screens.base import Screen, ScreenContext
from practice_app.gui.screens.consult_editors import BriefEditors
from practice_app.gui.screens.consult_picker import ConsultPickerView
from practice_app.gui.screens.panels import missing_page, panel
from practice_app.services.consult import (
    ConsultBriefView,
    ConsultPicker,
    SignalNote,
    brief_as_text,
    load_consult_brief,
    load_consult_picker,
)

SIDE_WIDTH = 390
MAX_TABLE_ROWS = 24
"""Item-score rows shown without scrolling the table (the page scrolls instead)."""
_requested: dict[str, int] = {}
"""Client code -> episode id asked for by the picker or the client page (taken on show)."""


def request_episode(code: str, episode_id: int) -> None:
    """Ask the next ``consult:CODE`` screen shown to open on ``episode_id``."""
    _requested[code] = episode_id


class ConsultScreen(Screen):
    """The episode picker (no code) or one client's consultation brief."""

    def __init__(self, context: ScreenContext, spec: ScreenSpec, argument: str | None = None):
        super().__init__(context, spec, argument)
        self.view: ConsultBriefView | None = None
        self.chart: Any = None
        self.episode_id: int | None = _requested.pop(argument, None) if argument else None
        self.editors = BriefEditors(context, argument or "")
        self.tried_edit = self.editors.tried_edit
        self.questions_edit = self.editors.questions_edit
        self.save_button = self.editors.save_button
        self.save_label = self.editors.save_label
        self.export_run: Any = None
        """The report export under way (``gui.report_export``), if any."""
        self.fact_labels: dict[str, QLabel] = {}
        self._window: QWidget | None = None
        # Any write elsewhere (a session added, a lesson, an undo) goes through the shared
        # undo stack: its index moving means the brief or the picker may be out of date.
        self.stale = False
        context.undo_stack.indexChanged.connect(self._mark_stale)
        self._close_after_save = False
        self.pages = QStackedWidget()
        self.picker = ConsultPickerView()
        self.picker.chosen.connect(self.open_episode)
        self.pages.addWidget(self.picker)
        self.pages.addWidget(self._build_brief())
        self.pages.addWidget(self._build_missing())
        self._build_actions()
        self.layout_.addWidget(self.pages, 1)
        if argument is not None:
            self.pages.setCurrentIndex(1)
        else:
            self._load = load_consult_picker
        shortcut = QShortcut(QKeySequence.StandardKey.Save, self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.save)

    @classmethod
    def warm_up(cls) -> None:
        """Import pyqtgraph while the brief loads."""
        import pyqtgraph  # noqa: F401

    def title(self) -> str:
        """ "Consultation" for the picker, "Consultation brief · CODE" for a client."""
        if self.argument is None:
            return "Consultation"
        return f"Consultation brief · {self.argument}"

    def subtitle(self) -> str:
        """What the screen is for, until the data says more."""
        if self.argument is None:
            return "Choose the client episode you want to bring to supervision or consultation."
        return "Loading…"

    # ----- layout -----------------------------------------------------------------------
    def _build_actions(self) -> None:
        """The bar above the brief: the episode, then copy, export and print."""
        self.actions_bar = QWidget()
        row = QHBoxLayout(self.actions_bar)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        label = QLabel("Episode")
        label.setObjectName("hint")
        self.episode_box = QComboBox()
        self.episode_box.setAccessibleName("Episode")
        self.episode_box.setMinimumWidth(280)
        self.episode_box.currentIndexChanged.connect(self._episode_chosen)
        label.setBuddy(self.episode_box)
        row.addWidget(label)
        row.addWidget(self.episode_box)
        row.addStretch(1)
        self.copy_button = QPushButton("Copy as text")
        self.copy_button.setToolTip(
            "Put the whole brief on the clipboard as plain text, to paste into an email"
        )
        self.copy_button.clicked.connect(self.copy_text)
        row.addWidget(self.copy_button)
        self.export_buttons: dict[str, QPushButton] = {}
        for fmt, text, tip in (
            ("pdf", "Export PDF…", "Save the brief as a PDF (A4, page numbers, de-identified)"),
            ("html", "Export HTML…", "Save the brief as one web page, charts included"),
            ("print", "Print…", "Print the brief"),
        ):
            button = QPushButton(text)
            button.setToolTip(tip)
            button.clicked.connect(functools.partial(self.export, fmt))
            row.addWidget(button)
            self.export_buttons[fmt] = button
        self.layout_.addWidget(self.actions_bar)
        self.actions_bar.setVisible(self.argument is not None)
        self._set_actions_enabled(False)

    def _set_actions_enabled(self, enabled: bool) -> None:
        for button in (self.copy_button, *self.export_buttons.values()):
            button.setEnabled(enabled)

    def _build_brief(self) -> QWidget:
        content = QWidget()
        grid = QGridLayout(content)
        # Grow (and scroll) rather than squeeze the wrapped texts of the panels.
        grid.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        grid.setContentsMargins(0, 0, 6, 0)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(16)
        chart_panel, self.chart_layout = panel("Trajectory")
        self.model_label = QLabel("")
        self.model_label.setObjectName("hint")
        self.model_label.setWordWrap(True)
        self.chart_layout.addWidget(self.model_label)
        # Tall enough to read; as tall as the summary beside it, no taller.
        chart_panel.setMinimumHeight(420)
        grid.addWidget(chart_panel, 0, 0)
        side = QVBoxLayout()
        side.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        side.setSpacing(16)
        summary_panel, summary_layout = panel("Episode summary")
        self.summary_grid = QGridLayout()
        self.summary_grid.setHorizontalSpacing(10)
        self.summary_grid.setVerticalSpacing(3)
        summary_layout.addLayout(self.summary_grid)
        side.addWidget(summary_panel)
        signals_panel, self.signals_layout = panel("Signals and sudden changes")
        self.signals_box = QVBoxLayout()
        self.signals_box.setSpacing(8)
        self.signals_layout.addLayout(self.signals_box)
        side.addWidget(signals_panel)
        side.addStretch(1)
        side_widget = QWidget()
        side_widget.setLayout(side)
        side_widget.setFixedWidth(SIDE_WIDTH)
        grid.addWidget(side_widget, 0, 1)
        grid.addWidget(self.editors, 1, 0, 1, 2)
        items_panel, items_layout = panel("Item scores")
        items_panel.setToolTip(
            "Every session's item scores, latest first. Alliance items below the cutoff shared "
            "over the items (9 on the SRS) are highlighted."
        )
        self.items_table = parts.item_table()
        items_layout.addWidget(self.items_table)
        self.lowest_label = QLabel("")
        self.lowest_label.setObjectName("hint")
        self.lowest_label.setWordWrap(True)
        items_layout.addWidget(self.lowest_label)
        grid.addWidget(items_panel, 2, 0)
        right = QVBoxLayout()
        right.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        right.setSpacing(16)
        alliance_panel, alliance_layout = panel("Alliance")
        self.alliance_label = parts.wrapped("")
        alliance_layout.addWidget(self.alliance_label)
        right.addWidget(alliance_panel)
        lessons_panel, lessons_layout = panel("Lessons so far")
        self.lessons_box = QVBoxLayout()
        self.lessons_box.setSpacing(10)
        lessons_layout.addLayout(self.lessons_box)
        right.addWidget(lessons_panel)
        right.addStretch(1)
        right_widget = QWidget()
        right_widget.setLayout(right)
        right_widget.setFixedWidth(SIDE_WIDTH)
        grid.addWidget(right_widget, 2, 1)
        notes_panel, notes_layout = panel("Session notes")
        notes_panel.setToolTip("Your own notes on the episode's sessions")
        self.notes_box = QVBoxLayout()
        self.notes_box.setSpacing(8)
        notes_layout.addLayout(self.notes_box)
        grid.addWidget(notes_panel, 3, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setRowStretch(4, 1)  # spare height below the brief, not inside its panels
        scroll = QScrollArea()
        scroll.setWidget(content)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.brief_scroll = scroll
        return scroll

    def _build_missing(self) -> QWidget:
        page, self.missing_label = missing_page(
            "Client not found", "Choose a client episode", lambda: self.context.open_view("consult")
        )
        return page

    # ----- loading ----------------------------------------------------------------------
    def reload(self) -> None:
        """Load the chosen episode's brief (or the picker) on the database worker."""
        if self.argument is not None:
            self._load = functools.partial(
                load_consult_brief, code=self.argument, episode_id=self.episode_id
            )
        super().reload()

    def show_error(self, message: str) -> None:
        """Say the brief could not load (an unknown client, most often)."""
        self.subtitle_label.setText(message)
        self.missing_label.setText(
            f"{message}.\n\nClients are known by their code; choose one from the list of episodes."
        )
        self.episode_box.setEnabled(False)
        self._set_actions_enabled(False)
        self.pages.setCurrentIndex(2)

    def show_data(self, data: ConsultPicker | ConsultBriefView) -> None:
        """Show the picker, or the brief of the loaded episode."""
        if isinstance(data, ConsultPicker):
            self.picker.show_picker(data)
            self.pages.setCurrentIndex(0)
            return
        self.view = data
        self.episode_id = data.episode_id
        self.pages.setCurrentIndex(1)
        self.subtitle_label.setText(
            "De-identified: the client appears only as a code. "
            f"Episode {data.episode_label} · {parts.day(data.first_date)} – "
            f"{parts.day(data.last_date)} · {data.status}"
        )
        self.episode_box.blockSignals(True)
        self.episode_box.clear()
        for e in data.episodes:
            self.episode_box.addItem(
                f"Episode {e.label} · {parts.day(e.first_date)} · {e.status.lower()}",
                e.episode_id,
            )
        ids = [e.episode_id for e in data.episodes]
        self.episode_box.setCurrentIndex(ids.index(data.episode_id))
        self.episode_box.setToolTip(
            "Choose another episode of this client" if len(ids) > 1 else "The only episode"
        )
        self.episode_box.blockSignals(False)
        self._set_actions_enabled(True)
        self._show_chart(data)
        self.fact_labels = parts.facts(self.summary_grid, parts.summary_rows(data))
        self._fill_signals(data)
        parts.fill_items(self.items_table, data.item_tables)
        parts.fit_rows(self.items_table, MAX_TABLE_ROWS)
        lowest = [
            f"{t.instrument}: lowest item on average {t.lowest_item} ({t.lowest_mean:.1f})"
            for t in data.item_tables
            if t.lowest_item is not None and t.lowest_mean is not None
        ]
        self.items_table.setVisible(bool(data.item_tables))
        self.lowest_label.setText(
            " · ".join(lowest)
            if data.item_tables
            else "Only totals were recorded in this episode: no item scores to show."
        )
        self._fill_alliance(data)
        self._fill_list(
            self.lessons_box,
            [parts.lesson_html(x) for x in data.lessons],
            "No lessons recorded for this client yet.",
        )
        self._fill_list(
            self.notes_box,
            [parts.note_html(n) for n in data.notes],
            "No session notes in this episode.",
        )
        self.editors.show_brief(
            data.episode_id,
            (data.tried, data.questions),
            f"Last saved {data.brief_updated:%d %b %Y, %H:%M}"
            if data.brief_updated
            else "Not saved yet",
        )

    def _show_chart(self, data: ConsultBriefView) -> None:
        if self.chart is None:
            from practice_app.gui.charts.trajectory import TrajectoryChart

            self.chart = TrajectoryChart()
            self.chart_layout.insertWidget(1, self.chart, 1)
        self.chart.show_episode(data.episode, data.outcome_def, data.alliance_def)
        t = data.trajectory
        measured = sum(1 for p in t.points if p.score is not None)
        name = t.outcome or "Outcome"
        self.model_label.setText(
            f"{name}: {measured} measurement{'s' if measured != 1 else ''} · {t.model_text}. "
            "Dots are coloured by the signal at each session; hover for values."
        )

    def _fill_signals(self, data: ConsultBriefView) -> None:
        parts.clear(self.signals_box)
        notes = list(data.signals)
        if not data.sudden and data.outcome is not None:
            notes.append(SignalNote("none", "No sudden gains or losses", ""))
        for note in notes:
            label = parts.wrapped(parts.signal_html(note))
            self.signals_box.addWidget(label)
        if not notes:
            self.signals_box.addWidget(parts.wrapped("No scores yet, so no signals."))

    def _fill_alliance(self, data: ConsultBriefView) -> None:
        a = data.alliance
        if a is None:
            self.alliance_label.setText("No alliance scores in this episode.")
            return
        below = (
            "below the cutoff at session " + ", ".join(str(n) for n in a.below_cutoff)
            if a.below_cutoff
            else "never below the cutoff"
        )
        cutoff = f" (cutoff {a.cutoff:g})" if a.cutoff is not None else ""
        lowest_item = (
            f"<br>Lowest item on average: {html.escape(a.lowest_item)} ({a.lowest_item_mean:.1f})"
            if a.lowest_item and a.lowest_item_mean is not None
            else ""
        )
        self.alliance_label.setText(
            f"<b>{html.escape(a.instrument)}: {a.signal}</b> – {a.words}<br>"
            f"Latest {parts.score(a.latest)}, lowest {parts.score(a.lowest)}, mean "
            f"{parts.score(a.mean)} over {a.measurements} sessions{cutoff}; {below}."
            f"{lowest_item}"
        )

    @staticmethod
    def _fill_list(box: QVBoxLayout, texts: list[str], empty: str) -> None:
        parts.clear(box)
        for text in texts or [empty]:
            box.addWidget(parts.wrapped(text if texts else f"<i>{empty}</i>"))

    def fact(self, key: str) -> str:
        """The text shown for one row of the summary (for tests and accessibility)."""
        label = self.fact_labels.get(key)
        return label.text() if label is not None else ""

    # ----- episodes ---------------------------------------------------------------------
    def open_episode(self, code: str, episode_id: int) -> None:
        """Open the brief of ``code``'s episode (from the picker)."""
        request_episode(code, episode_id)
        self.context.open_view(f"consult:{code}")

    def _episode_chosen(self) -> None:
        episode_id = self.episode_box.currentData()
        if episode_id is None or episode_id == self.episode_id:
            return
        self.save()  # queued before the load on the serial worker
        self.episode_id = int(episode_id)
        self.reload()

    def _mark_stale(self) -> None:
        self.stale = True

    def showEvent(self, event: QShowEvent) -> None:
        """Take an episode asked for from elsewhere, reload stale data, watch for the close."""
        super().showEvent(event)
        window = self.window()
        if window is not self and window is not self._window:
            self._window = window
            window.installEventFilter(self)
        asked = _requested.pop(self.argument, None) if self.argument else None
        if asked is not None and asked != self.episode_id and self.loaded:
            self.save()
            self.episode_id = asked
            self.stale = True
        if self.stale and self.loaded and not self.loading:
            self.stale = False
            self.reload()

    def hideEvent(self, event: QHideEvent) -> None:
        """Save unsaved edits when the therapist leaves the screen."""
        super().hideEvent(event)
        if not self.context.workers.closed:
            self.save()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Hold the window's close until unsaved edits are written (once: a failed save
        is shown, and the next close goes ahead)."""
        window = self._window
        if (
            window is None
            or watched is not window
            or event.type() != QEvent.Type.Close
            or self.context.workers.closed
        ):
            return super().eventFilter(watched, event)
        if self.editors.saving:  # a save is on its way: close once it has landed
            QTimer.singleShot(50, window.close)
            event.ignore()
            return True
        if self.dirty and not self._close_after_save:
            self._close_after_save = True
            self.editors.save(then=window.close)
            event.ignore()
            return True
        return super().eventFilter(watched, event)

    # ----- the brief's texts ------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        """Whether the brief's fields hold edits not yet saved."""
        return self.editors.dirty

    @property
    def saving(self) -> bool:
        """Whether a save is on its way."""
        return self.editors.saving

    def texts(self) -> tuple[str, str]:
        """What has been tried, and the questions, as the fields hold them now."""
        return self.editors.texts()

    def save(self) -> None:
        """Save unsaved edits of the brief on the worker."""
        self.editors.save()

    def export(self, fmt: str, path: Path | None = None) -> Any:
        """Export the brief as PDF or HTML, or print it (saving unsaved edits first)."""
        if self.view is None:
            return None
        from practice_app.gui.report_export import export_report

        self.save()  # queued before the export's load on the serial worker
        self.export_run = export_report(
            self,
            self.context,
            "consult",
            code=self.view.code,
            episode_id=self.view.episode_id,
            fmt=fmt,  # type: ignore[arg-type]
            path=path,
        )
        return self.export_run

    def brief_text(self) -> str:
        """The brief as plain text, with the editors' current texts."""
        assert self.view is not None
        tried, questions = self.texts()
        return brief_as_text(dataclasses.replace(self.view, tried=tried, questions=questions))

    def copy_text(self) -> None:
        """Put the brief on the clipboard as plain text."""
        if self.view is None:
            return
        QApplication.clipboard().setText(self.brief_text())
        self.context.show_status(
            f"Brief of {self.view.code} copied as text. Check your own notes for names before "
            "sending."
        )
