"""A client's page: trajectory chart, signals, item scores, ending, and new-session entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session as OrmSession

from practice_app.gui.registry import ScreenSpec
from practice_app.gui.screens.base import Screen, ScreenContext
from practice_app.gui.screens.clients import SIGNAL_COLOURS
from practice_app.gui.screens.panels import missing_page, panel
from practice_app.gui.screens.undoable import WorkerWrite
from practice_app.gui.session_entry import CloseEpisodeDialog, SessionEntry, SessionInput
from practice_app.gui.session_entry import short_name as _short
from practice_app.services.client_page import (
    ALLIANCE_WORDS,
    ClientPage,
    EpisodeView,
    signal_words,
)
from practice_app.storage.models import ENDING_LABELS
from practice_app.storage.sessions import (
    add_session,
    close_episode,
    delete_session,
    reopen_episode,
)


def _badge(signal: str, title: str, words: str) -> str:
    colour = SIGNAL_COLOURS.get(signal, SIGNAL_COLOURS["none"])
    return (
        f"<span style='color:{colour}; font-size:14pt'>●</span> "
        f"<b>{title}: {signal.capitalize()}</b><br>"
        f"<span style='color:#607d8b'>{words}</span>"
    )


def _date(day: dt.date | None) -> str:
    return day.strftime("%d %b %Y") if day else "–"


class ClientPageScreen(Screen):
    """One client: the chosen episode's chart, signals, scores, ending; entry of a session."""

    def __init__(self, context: ScreenContext, spec: ScreenSpec, argument: str | None = None):
        super().__init__(context, spec, argument)
        self.data: ClientPage | None = None
        self.episode: EpisodeView | None = None
        self.chart: Any = None
        self.close_dialog: CloseEpisodeDialog | None = None
        self.saving = False
        self.fact_labels: dict[str, QLabel] = {}
        selector = QHBoxLayout()
        selector.setSpacing(8)
        self.episode_box = QComboBox()
        self.episode_box.setAccessibleName("Episode")
        self.episode_box.setMinimumWidth(260)
        self.episode_box.currentIndexChanged.connect(self._episode_chosen)
        self.close_button = QPushButton("Close episode…")
        self.close_button.setToolTip("Record how and when this episode ended")
        self.close_button.clicked.connect(self.ask_close_episode)
        self.brief_button = QPushButton("Prepare consultation brief")
        self.brief_button.setToolTip(
            "A de-identified brief on this episode for supervision or consultation"
        )
        self.brief_button.clicked.connect(self.open_brief)
        selector.addWidget(self.episode_box)
        selector.addWidget(self.close_button)
        selector.addWidget(self.brief_button)
        self.header_row.addLayout(selector)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._build_content())
        self.pages.addWidget(self._build_missing())
        self.layout_.addWidget(self.pages, 1)

    @classmethod
    def warm_up(cls) -> None:
        """Import pyqtgraph while the page loads."""
        import pyqtgraph  # noqa: F401

    def subtitle(self) -> str:
        """Header line before the data has loaded."""
        return "Loading…"

    # ----- layout -----------------------------------------------------------------------
    def _build_content(self) -> QWidget:
        page = QWidget()
        row = QHBoxLayout(page)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(16)
        left = QSplitter(Qt.Orientation.Vertical)
        left.setChildrenCollapsible(False)
        chart_panel, self.chart_layout = panel("Trajectory")
        self.model_label = QLabel("")
        self.model_label.setObjectName("hint")
        self.model_label.setWordWrap(True)
        self.chart_layout.addWidget(self.model_label)
        left.addWidget(chart_panel)
        items_panel, items_layout = panel("Item scores")
        items_panel.setToolTip(
            "Every session's item scores. SRS items below 9 (the 36 cutoff shared over four "
            "items) are highlighted: a place to ask the client about the alliance."
        )
        self.items_table = QTableWidget()
        self.items_table.setObjectName("itemTable")
        self.items_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.items_table.verticalHeader().hide()
        self.items_table.setAlternatingRowColors(True)
        self.items_table.setStyleSheet(
            "QTableWidget { border: none; alternate-background-color: #f7f9fa; }"
            "QHeaderView::section { background: #eef1f3; color: #37474f; border: none;"
            " padding: 3px 2px; font-weight: 600; font-size: 8pt; }"
        )
        items_layout.addWidget(self.items_table)
        left.addWidget(items_panel)
        left.setStretchFactor(0, 3)
        left.setStretchFactor(1, 2)
        left.setSizes([480, 230])
        row.addWidget(left, 1)

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 4, 0)
        side_layout.setSpacing(12)
        # Grow (and scroll) rather than squeeze the entry fields when a message appears.
        side_layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        signals_panel, signals_layout = panel("Signals")
        self.outcome_badge = QLabel("")
        self.outcome_badge.setWordWrap(True)
        self.alliance_badge = QLabel("")
        self.alliance_badge.setWordWrap(True)
        self.prompt_label = QLabel("")
        self.prompt_label.setWordWrap(True)
        self.prompt_label.setStyleSheet(
            "background: #fdecea; border: 1px solid #f5c6c2; border-radius: 6px; padding: 6px;"
            " color: #8e1c1c;"
        )
        for label in (self.outcome_badge, self.alliance_badge, self.prompt_label):
            signals_layout.addWidget(label)
        side_layout.addWidget(signals_panel)
        self.entry = SessionEntry()
        self.entry.submitted.connect(self.save_session)
        side_layout.addWidget(self.entry)
        episode_panel, episode_layout = panel("Episode")
        self.facts = QGridLayout()
        self.facts.setHorizontalSpacing(10)
        self.facts.setVerticalSpacing(3)
        episode_layout.addLayout(self.facts)
        side_layout.addWidget(episode_panel)
        side_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(side)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFixedWidth(372)
        row.addWidget(scroll)
        return page

    def _build_missing(self) -> QWidget:
        page, self.missing_label = missing_page(
            "Client not found", "Show all clients", lambda: self.context.open_view("clients")
        )
        return page

    def show_error(self, message: str) -> None:
        """Say the page could not load (an unknown client, most often)."""
        self.subtitle_label.setText(message)
        self.missing_label.setText(
            f"{message}.\n\nClients are known by their code; the Clients list shows them all."
        )
        self.episode_box.setEnabled(False)
        self.close_button.setEnabled(False)
        self.brief_button.setEnabled(False)
        self.pages.setCurrentIndex(1)

    # ----- data -------------------------------------------------------------------------
    def show_data(self, data: ClientPage) -> None:
        """Fill the selector and show the chosen (by default the latest) episode."""
        keep = self.episode.episode_id if self.episode is not None else None
        self.data = data
        self.pages.setCurrentIndex(0)
        attributes = " · ".join(f"{k}: {v}" for k, v in data.attributes.items())
        count = len(data.episodes)
        self.subtitle_label.setText(
            f"{count} episode{'s' if count != 1 else ''}"
            + (f" · {attributes}" if attributes else "")
        )
        self.episode_box.blockSignals(True)
        self.episode_box.clear()
        for e in data.episodes:
            status = "open" if not e.ending else e.ending_text.lower()
            self.episode_box.addItem(
                f"Episode {e.label} · {_date(e.first_date)} · {status}", e.episode_id
            )
        ids = [e.episode_id for e in data.episodes]
        self.episode_box.setCurrentIndex(ids.index(keep) if keep in ids else 0)
        self.episode_box.blockSignals(False)
        self.episode_box.setEnabled(True)
        self.episode_box.setToolTip(
            "Earlier episodes of this client" if count > 1 else "This client's only episode"
        )
        instruments = [d for d in (data.outcome, data.alliance) if d is not None]
        self.entry.set_instruments(instruments)
        self._episode_chosen()

    def _episode_chosen(self) -> None:
        if self.data is None:
            return
        if not self.data.episodes:
            self.episode = None
            self.model_label.setText("This client has no episode yet.")
            self.entry.set_open(False, "No episode to add a session to.")
            self.close_button.setEnabled(False)
            return
        index = max(self.episode_box.currentIndex(), 0)
        self.show_episode(self.data.episodes[index])

    def show_episode(self, e: EpisodeView) -> None:
        """Draw one episode: chart, badges, items, facts and the entry form's state."""
        assert self.data is not None
        self.episode = e
        if self.chart is None:
            from practice_app.gui.charts.trajectory import TrajectoryChart

            self.chart = TrajectoryChart()
            self.chart_layout.insertWidget(2, self.chart, 1)
        self.chart.show_episode(e, self.data.outcome, self.data.alliance)
        self.model_label.setText(self._model_line(e))
        self._badges(e)
        self._fill_items(e)
        self._fill_facts(e)
        last = e.last_date
        self.entry.set_dates(max(self.data.today, last or self.data.today), last)
        if e.stored_open:
            note = (
                "No session for 45 days: counted as inactive until a new session is added."
                if e.ending == "inactive"
                else ""
            )
            self.entry.set_open(True, note)
        else:
            self.entry.set_open(
                False,
                f"This episode is closed ({e.ending_text.lower()}). "
                "Sessions are added to open episodes only.",
            )
        self.close_button.setEnabled(e.stored_open)

    def _model_line(self, e: EpisodeView) -> str:
        n = e.n
        measured = f"{n} measurement{'s' if n != 1 else ''}"
        if self.data is None or self.data.outcome is None:
            return measured
        return f"{self.data.outcome.name}: {measured} · {e.model_text}. Hover for values."

    def _badges(self, e: EpisodeView) -> None:
        assert self.data is not None
        words = signal_words(e)
        name = self.data.outcome.name if self.data.outcome else "Outcome"
        self.outcome_badge.setText(_badge(e.signal, f"Outcome ({name})", words))
        self.outcome_badge.setToolTip(e.model_text)
        ally = self.data.alliance
        if ally is not None:
            extra = ALLIANCE_WORDS[e.alliance]
            if e.alliance_latest is not None:
                extra = f"{extra} (latest {e.alliance_latest:.1f}, cutoff {ally.cutoff:g})"
            self.alliance_badge.setText(_badge(e.alliance, f"Alliance ({ally.name})", extra))
        self.alliance_badge.setVisible(ally is not None)
        self.prompt_label.setText(
            "<b>Discuss a change of approach or a referral.</b> "
            f"{e.n} measurements without reliable improvement."
        )
        self.prompt_label.setVisible(e.prompt)

    def _fill_items(self, e: EpisodeView) -> None:
        assert self.data is not None
        defs = [d for d in (self.data.outcome, self.data.alliance) if d is not None]
        headers = ["#", "Date"]
        for d in defs:
            headers += [f"{d.name}\n{_short(item)}" for item in d.items] + [f"{d.name}\ntotal"]
        table = self.items_table
        table.clear()
        table.setColumnCount(len(headers))
        table.setHorizontalHeaderLabels(headers)
        for c, d_item in enumerate(self._item_names(defs), start=2):
            header_item = table.horizontalHeaderItem(c)
            if header_item is not None:
                header_item.setToolTip(d_item)
        table.setRowCount(len(e.sessions))
        low_brush = QBrush(QColor("#fde2e1"))
        bold = QFont()
        bold.setBold(True)
        for r, s in enumerate(reversed(e.sessions)):
            day = s.date.strftime("%d %b %y") if s.date else "–"
            cells: list[tuple[str, bool]] = [(str(s.number), False), (day, False)]
            for d in defs:
                items = s.items.get(d.name) or [None] * len(d.items)
                limit = d.cutoff / len(d.items) if d.alliance and d.cutoff and d.items else None
                for value in items:
                    low = limit is not None and value is not None and value < limit
                    cells.append(("–" if value is None else f"{value:.1f}", low))
                total = s.totals.get(d.name)
                cells.append(("–" if total is None else f"{total:.1f}", False))
            for c, (text, low) in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if low:
                    item.setBackground(low_brush)
                    item.setFont(bold)
                    item.setToolTip("Below 9: a weak spot in the alliance worth asking about")
                table.setItem(r, c, item)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        for c in (0, 1):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        table.verticalHeader().setDefaultSectionSize(24)

    @staticmethod
    def _item_names(defs: list[Any]) -> list[str]:
        names: list[str] = []
        for d in defs:
            names += [f"{d.name} {item}" for item in d.items] + [f"{d.name} total"]
        return names

    def _fill_facts(self, e: EpisodeView) -> None:
        assert self.data is not None
        grid = self.facts
        while grid.count():
            taken = grid.takeAt(0)
            widget = taken.widget() if taken is not None else None
            if widget is not None:
                widget.deleteLater()
        name = self.data.outcome.name if self.data.outcome else "Score"
        self.fact_labels = {}

        def score(value: float | None, signed: bool = False) -> str:
            if value is None:
                return "–"
            return f"{value:+.1f}" if signed else f"{value:.1f}"

        ending = e.ending_text
        if e.end_date is not None:
            ending += f" · ended {_date(e.end_date)}"
        rows = [
            ("Status", ending),
            ("Sessions", f"{len(e.sessions)} ({_date(e.first_date)} – {_date(e.last_date)})"),
            (f"{name} intake", score(e.intake)),
            (f"{name} latest", score(e.latest)),
            ("Change", score(e.change, signed=True)),
            ("Category", (e.category or "not yet (one measurement)").capitalize()),
            ("Sudden changes", self._sudden_text(e)),
            ("Therapist", e.therapist),
        ]
        for r, (key, value) in enumerate(rows):
            k = QLabel(key)
            k.setObjectName("hint")
            v = QLabel(value)
            v.setWordWrap(True)
            self.fact_labels[key] = v
            grid.addWidget(k, r, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(v, r, 1)
        grid.setColumnStretch(1, 1)

    @staticmethod
    def _sudden_text(e: EpisodeView) -> str:
        if not e.sudden:
            return "none"
        return ", ".join(
            f"{m.kind} {m.pregain_session}→{m.postgain_session} ({m.magnitude:.1f})"
            for m in e.sudden
        )

    def fact(self, key: str) -> str:
        """The text shown for one fact of the Episode panel (for tests and accessibility)."""
        label = self.fact_labels.get(key)
        return label.text() if label is not None else ""

    def open_brief(self) -> None:
        """Open the consultation brief of the episode on show."""
        if self.argument is None:
            return
        if self.episode is not None:
            from practice_app.gui.screens.consult import request_episode

            request_episode(self.argument, self.episode.episode_id)
        self.context.open_view(f"consult:{self.argument}")

    # ----- writes -----------------------------------------------------------------------
    def write(self, work: Callable[[OrmSession], Any], label: str) -> None:
        """Run a write on the database worker, then reload the page."""
        self.saving = True

        def done(_: Any) -> None:
            self.saving = False
            self.context.show_status(f"{label}: saved")
            self.model_label.setText("Updating the chart and the signals…")
            self.reload()

        def failed(error: BaseException) -> None:
            self.saving = False
            self.entry.show_message(str(error))
            self.context.show_status(f"{label}: {error}")

        self.context.workers.query(
            work, on_success=done, on_failure=failed, owner=self, label=label
        )

    def save_session(self, entry: SessionInput) -> None:
        """Save a checked entry on the worker, with an undo command on the shared stack."""
        if self.episode is None or self.saving:
            return
        episode_id = self.episode.episode_id
        holder: dict[str, int] = {}

        def add(session: OrmSession) -> None:
            holder["id"] = add_session(session, episode_id, entry.date, entry.scores)

        def remove(session: OrmSession) -> None:
            delete_session(session, holder["id"])

        text = f"Add session for {self.argument} ({entry.date:%d %b %Y})"
        self.saving = True

        def added(_: Any) -> None:
            self.saving = False
            if not shiboken6.isValid(self):
                return
            self.entry.clear()
            self.context.undo_stack.push(WorkerWrite(self, text, add, remove))
            self.context.show_status(f"Session saved for {self.argument}")
            self.model_label.setText("Saved · updating the chart and the signals…")
            self.reload()

        def failed(error: BaseException) -> None:
            self.saving = False
            self.entry.show_message(str(error))

        self.context.workers.query(
            add, on_success=added, on_failure=failed, owner=self, label="add session"
        )

    def ask_close_episode(self) -> CloseEpisodeDialog | None:
        """Open the dialog asking for the ending reason and date."""
        if self.episode is None or self.data is None or not self.episode.stored_open:
            return None
        e = self.episode
        dialog = CloseEpisodeDialog(
            self, e.last_date, max(self.data.today, e.last_date or self.data.today)
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._close_chosen(e.episode_id, dialog.values()))
        self.close_dialog = dialog
        dialog.open()
        return dialog

    def _close_chosen(self, episode_id: int, values: tuple[str, dt.date]) -> None:
        reason, end = values
        previous: dict[str, Any] = {}

        def close(session: OrmSession) -> None:
            previous["value"] = close_episode(session, episode_id, end, reason)

        def reopen(session: OrmSession) -> None:
            reopen_episode(session, episode_id, *previous["value"])

        text = f"Close episode of {self.argument} ({ENDING_LABELS[reason].lower()})"

        def closed(_: Any) -> None:
            self.saving = False
            self.context.undo_stack.push(WorkerWrite(self, text, close, reopen))
            self.context.show_status(f"Episode closed: {ENDING_LABELS[reason].lower()}")
            self.reload()

        def failed(error: BaseException) -> None:
            self.saving = False
            self.context.show_status(f"Could not close the episode: {error}")

        self.saving = True
        self.context.workers.query(
            close, on_success=closed, on_failure=failed, owner=self, label="close episode"
        )
