"""The Weekly review (the home screen): who needs attention, what changed, practice, wins.

The week is chosen with Previous / Next / This week or the date picker; its review is
loaded on the database worker (``services.weekly.load_weekly_review``). Completing,
editing and reopening the review are writes on the worker with undo on the shared stack.
Every client item opens the client's page; a past review in the history opens its week.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QDate, QEvent, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session as OrmSession

from practice_app.gui.registry import ScreenSpec, screen_specs
from practice_app.gui.screens.base import Screen, ScreenContext
from practice_app.gui.screens.clients import SIGNAL_COLOURS
from practice_app.gui.screens.overview import StatCard
from practice_app.gui.screens.undoable import WorkerWrite
from practice_app.gui.screens.weekly_widgets import (
    GOOD,
    ROW_STYLE,
    LinkRow,
    ReviewForm,
    attention_head,
    change_head,
    clear,
    complete_in,
    dot,
    empty_page,
    esc,
    export_button,
    hint,
    minutes_text,
    objective_html,
    panel,
    section,
    span_text,
)
from practice_app.services.weekly import (
    WeeklyReviewView,
    load_weekly_review,
    reopen_review,
    restore_review,
    week_start_of,
)

HISTORY_ROWS = 6
PRACTICE_COLOUR = "#d08c2a"


class WeeklyScreen(Screen):
    """One week: attention list, changes, practice against plan, wins, the review and streak."""

    def __init__(self, context: ScreenContext, spec: ScreenSpec, argument: str | None = None):
        super().__init__(context, spec, argument)
        self.week = week_start_of(dt.date.today())
        self.data: WeeklyReviewView | None = None
        self.saving = False
        self.stale = False
        self._form_week: dt.date | None = None
        self._form_dirty = False
        self._build_header()
        self.pages = QStackedWidget()
        self.pages.addWidget(self._build_content())
        self.pages.addWidget(empty_page(context))
        self.layout_.addWidget(self.pages, 1)
        context.undo_stack.indexChanged.connect(self._mark_stale)
        self.setStyleSheet(ROW_STYLE)

    def subtitle(self) -> str:
        """Header line before the data has loaded."""
        return "Loading…"

    # ----- widgets ---------------------------------------------------------------------
    def _build_header(self) -> None:
        bar = QHBoxLayout()
        bar.setSpacing(3)
        self.export_row = QHBoxLayout()
        """Slot for the report export buttons (Export PDF/HTML of the weekly report)."""
        self.export_row.setSpacing(3)
        self.export_button = export_button(self.export)
        self.export_row.addWidget(self.export_button)
        bar.addLayout(self.export_row)
        self.previous_button = QPushButton("‹")
        self.previous_button.setToolTip("Previous week (Alt+Left)")
        self.previous_button.setAccessibleName("Previous week")
        self.previous_button.setShortcut("Alt+Left")
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("d MMM yyyy")
        self.date_edit.setToolTip("Pick any day: its week (Monday to Sunday) is shown")
        self.date_edit.setAccessibleName("Week")
        self.date_edit.setMaximumDate(QDate.currentDate())
        self.next_button = QPushButton("›")
        self.next_button.setToolTip("Next week (Alt+Right)")
        self.next_button.setAccessibleName("Next week")
        self.next_button.setShortcut("Alt+Right")
        self.this_week_button = QPushButton("Today")
        self.this_week_button.setToolTip("Back to the week holding today (Alt+Home)")
        self.this_week_button.setShortcut("Alt+Home")
        self.this_week_button.setStyleSheet("QPushButton { padding: 7px 10px; }")
        for button in (self.previous_button, self.next_button):
            button.setStyleSheet("QPushButton { padding: 4px 8px; font-size: 12pt; }")
        for widget in (self.previous_button, self.date_edit, self.next_button):
            bar.addWidget(widget)
        bar.addWidget(self.this_week_button)
        self.previous_button.clicked.connect(lambda: self.set_week(self.week - dt.timedelta(7)))
        self.next_button.clicked.connect(lambda: self.set_week(self.week + dt.timedelta(7)))
        self.this_week_button.clicked.connect(lambda: self.set_week(dt.date.today()))
        self.date_edit.dateChanged.connect(lambda d: self.set_week(d.toPython()))
        self._show_week_controls()
        self.header_row.addLayout(bar)

    def _build_content(self) -> QWidget:
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 4, 0)
        layout.setSpacing(12)
        cards = QHBoxLayout()
        cards.setSpacing(12)
        self.attention_card = StatCard(
            "Clients needing attention",
            "Open episodes with a red or orange outcome or alliance signal, a recent sudden "
            "loss, a prompt to discuss a change of approach or a referral, or a session "
            "without scores",
        )
        self.practice_card = StatCard(
            "Practice this week", "Minutes of deliberate practice logged this week"
        )
        self.streak_card = StatCard(
            "Review streak",
            "Weeks in a row with a completed review, up to this one. A week that is not "
            "over yet does not break the streak.",
        )
        for card in (self.attention_card, self.practice_card, self.streak_card):
            margins = card.layout()
            if margins is not None:
                margins.setContentsMargins(14, 9, 14, 9)
            cards.addWidget(card, 1)
        layout.addLayout(cards)

        columns = QHBoxLayout()
        columns.setSpacing(12)
        left, middle, right = QVBoxLayout(), QVBoxLayout(), QVBoxLayout()
        for column in (left, middle, right):
            column.setSpacing(12)
        frame, self.attention_list, self.attention_title = section("Clients needing attention")
        left.addWidget(frame)
        frame, self.wins_list, self.wins_title = section("Wins")
        left.addWidget(frame)
        left.addStretch(1)
        frame, self.changes_list, self.changes_title = section("What changed")
        middle.addWidget(frame)

        frame, practice, _title = panel("Practice this week")
        self.practice_bar = QProgressBar()
        self.practice_bar.setTextVisible(True)
        self.practice_bar.setStyleSheet(
            "QProgressBar { border: 1px solid #d9dee2; border-radius: 5px; background: #f1f3f4;"
            " height: 16px; text-align: center; color: #263238; }"
            f"QProgressBar::chunk {{ background: {PRACTICE_COLOUR}; border-radius: 4px; }}"
        )
        practice.addWidget(self.practice_bar)
        self.objective_label = QLabel("")
        self.objective_label.setWordWrap(True)
        self.objective_label.setTextFormat(Qt.TextFormat.RichText)
        practice.addWidget(self.objective_label)
        self.entries_list = QVBoxLayout()
        self.entries_list.setSpacing(2)
        practice.addLayout(self.entries_list)
        middle.addWidget(frame)
        middle.addStretch(1)

        frame, review, self.review_title = panel("Your review")
        self.form = ReviewForm()
        self.form.complete_requested.connect(self.complete)
        self.form.reopen_requested.connect(self.reopen)
        for signal in (
            self.form.note.textChanged,
            self.form.commitment.textEdited,
            self.form.energy.valueChanged,
        ):
            signal.connect(self._form_edited)
        review.addWidget(self.form)
        right.addWidget(frame)
        frame, self.history_list, self.history_title = section("Earlier reviews")
        right.addWidget(frame)
        right.addStretch(1)
        columns.addLayout(left, 11)
        columns.addLayout(middle, 9)
        columns.addLayout(right, 9)
        layout.addLayout(columns, 1)

        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        return scroll

    # ----- loading ---------------------------------------------------------------------
    def reload(self) -> None:
        """Load the chosen week's review on the database worker."""
        self._load = functools.partial(load_weekly_review, week_start=self.week)
        super().reload()

    def set_week(self, day: dt.date) -> None:
        """Show the week holding ``day`` (not beyond this week)."""
        week = week_start_of(min(day, dt.date.today()))
        if week == self.week:
            self._show_week_controls()
            return
        self.week = week
        self._show_week_controls()
        self.subtitle_label.setText(f"Loading the week of {week:%d %b %Y}…")
        self.reload()

    def _show_week_controls(self) -> None:
        self.date_edit.blockSignals(True)
        self.date_edit.setMaximumDate(QDate.currentDate())
        self.date_edit.setDate(QDate(self.week.year, self.week.month, self.week.day))
        self.date_edit.blockSignals(False)
        current = self.week == week_start_of(dt.date.today())
        self.next_button.setEnabled(not current)
        self.this_week_button.setEnabled(not current)

    def _mark_stale(self) -> None:
        self.stale = True

    def showEvent(self, event: QShowEvent) -> None:
        """Reload when shown again after a write elsewhere (a new session, a closed episode)."""
        super().showEvent(event)
        if self.stale and self.loaded and not self.loading and not self.saving:
            self.stale = False
            self.reload()

    def show_data(self, data: WeeklyReviewView) -> None:
        """Fill every section (an answer for a week no longer chosen is ignored)."""
        if data.week_start != self.week:
            return
        self.data = data
        if not data.has_data:
            self.subtitle_label.setText("An empty database: here is how to begin.")
            self.pages.setCurrentIndex(1)
            return
        self.pages.setCurrentIndex(0)
        when = "as of today" if data.is_current else "as it stood at the end of the week"
        held = f"{data.sessions_held} session{'' if data.sessions_held == 1 else 's'} held"
        self.subtitle_label.setText(
            f"{span_text(data.week_start, data.week_end)} · {when} · {held}"
        )
        self._fill_cards(data)
        self._fill_attention(data)
        self._fill_changes(data)
        self._fill_practice(data)
        self._fill_wins(data)
        self._fill_review(data)
        self._fill_history(data)
        # Wrapped labels settle over a few layout passes; run them now, so the screen is
        # laid out when ``ready`` is emitted (a screenshot taken then shows whole rows).
        for _ in range(4):
            QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)

    def _row(
        self, layout: QVBoxLayout, view: str | None, head: str, body: str = "", tip: str = ""
    ) -> LinkRow:
        row = LinkRow(view, head, body, tip)
        row.activated.connect(self.open_item)
        layout.addWidget(row)
        return row

    def open_item(self, view: str) -> None:
        """Open a client or screen, or go to a week of the history (``week:YYYY-MM-DD``)."""
        if view.startswith("week:"):
            self.set_week(dt.date.fromisoformat(view.partition(":")[2]))
            return
        if view.partition(":")[0] not in screen_specs():
            self.context.show_status(f"The {view} screen is not available yet")
            return
        self.context.open_view(view)

    def _fill_cards(self, data: WeeklyReviewView) -> None:
        red = sum(1 for i in data.attention if i.level == "red")
        orange = len(data.attention) - red
        self.attention_card.set(
            str(len(data.attention)),
            f"{red} red · {orange} orange" if data.attention else "nobody flagged this week",
        )
        p = data.practice
        share = f" · {p.fraction:.0%}" if p.target_minutes else ""
        self.practice_card.set(
            minutes_text(p.minutes), f"of {minutes_text(p.target_minutes)} target{share}"
        )
        weeks = "week" if data.streak == 1 else "weeks"
        open_note = ""
        if data.is_current and not data.completed:
            open_note = " · complete this week's to extend it"
        self.streak_card.set(f"{data.streak} {weeks}", f"best {data.best_streak}{open_note}")

    def _fill_attention(self, data: WeeklyReviewView) -> None:
        clear(self.attention_list)
        n = len(data.attention)
        self.attention_title.setText("Clients needing attention" + (f" ({n})" if n else ""))
        for item in data.attention:
            tip = f"Open {item.client}'s page (episode {item.episode})"
            head = attention_head(item.name, item.level)
            self._row(self.attention_list, item.view, head, "\n".join(item.reasons), tip)
        if not data.attention:
            self.attention_list.addWidget(
                hint(
                    "No open episode has a red or orange signal, a recent sudden loss or a "
                    "session without scores this week."
                )
            )

    def _fill_changes(self, data: WeeklyReviewView) -> None:
        clear(self.changes_list)
        c = data.changes
        self.changes_title.setText(f"What changed {c.label}")
        if c.effect is not None:
            ci = c.effect.ci_after
            tip = (
                "Pre-post effect size d of the episodes ending (or, if open, last seen) in the "
                "365 days up to each day: mean change / SD of intake scores"
                + (f"; 95% CI now {ci[0]:.2f} to {ci[1]:.2f}" if ci else "")
            )
            self._row(self.changes_list, "effectiveness", change_head(c.effect.text, None), "", tip)
        for item in c.items:
            self._row(self.changes_list, item.view, change_head(item.text, item.good))
        if not c.items:
            self.changes_list.addWidget(hint("No signal, ending or category changed."))

    def _fill_practice(self, data: WeeklyReviewView) -> None:
        p = data.practice
        target = max(p.target_minutes, 1)
        self.practice_bar.setRange(0, target)
        self.practice_bar.setValue(min(p.minutes, target))
        self.practice_bar.setFormat(
            f"{minutes_text(p.minutes)} of {minutes_text(p.target_minutes)}"
        )
        self.objective_label.setText(objective_html(p.objective))
        clear(self.entries_list)
        for e in p.entries:
            extra = [e.domain] if e.domain else []
            extra += ["toward the objective"] if e.objective else []
            extra += [f"about {', '.join(e.clients)}"] if e.clients else []
            grey = f"<span style='color:#607d8b'> · {esc(' · '.join(extra))}</span>"
            head = (
                f"<b>{e.date:%a}</b> · {esc(e.activity)} · {e.minutes} min{grey if extra else ''}"
            )
            view = e.view if e.view.partition(":")[0] in screen_specs() else None
            self._row(self.entries_list, view, head, e.notes)
        if not p.entries:
            self.entries_list.addWidget(hint("No practice logged this week."))

    def _fill_wins(self, data: WeeklyReviewView) -> None:
        clear(self.wins_list)
        for w in data.wins:
            head = f"<span style='color:{GOOD}'>★</span>&nbsp;<b>{esc(w.title)}</b>"
            view = w.view if w.view.partition(":")[0] in screen_specs() else None
            self._row(self.wins_list, view, head, w.text)
        if not data.wins:
            self.wins_list.addWidget(
                hint(
                    "No client reached reliable improvement this week, and no new personal "
                    "best. Small steps count too: note them in the review."
                )
            )

    def _fill_review(self, data: WeeklyReviewView) -> None:
        r = data.review
        if self._form_week != data.week_start or not self._form_dirty:
            self.form.fill(r.energy if r else None, r.note if r else "", r.commitment if r else "")
            self._form_week = data.week_start
            self._form_dirty = False
        completed = r is not None and r.completed
        self.form.complete_button.setText("Save changes" if completed else "Complete review")
        self.form.reopen_button.setVisible(completed)
        if r is not None and r.completed_at is not None:
            self.review_title.setText(f"Your review · done {r.completed_at:%a %d %b, %H:%M}")
            self.form.state.setText("Completed. Edit and save, or reopen it.")
        else:
            self.review_title.setText("Your review")
            self.form.state.setText(
                "A draft: complete it to count the week in your streak."
                if r is not None
                else "Not done yet for this week."
            )
        self.form.set_busy(self.saving)

    def _fill_history(self, data: WeeklyReviewView) -> None:
        clear(self.history_list)
        earlier = [r for r in data.history if r.week_start < data.week_start]
        done = sum(1 for r in data.history if r.completed)
        self.history_title.setText(f"Earlier reviews · {done} completed in all")
        for r in earlier[:HISTORY_ROWS]:
            mark = dot(GOOD, 10) if r.completed else dot(SIGNAL_COLOURS["none"], 10)
            energy = f" · energy {r.energy}" if r.energy is not None else ""
            state = "" if r.completed else " · draft"
            head = f"{mark}&nbsp;<b>Week of {r.week_start.day} {r.week_start:%b %Y}</b>"
            view = f"week:{r.week_start.isoformat()}"
            self._row(self.history_list, view, f"{head}{energy}{state}", r.commitment, "Show it")
        if not earlier:
            self.history_list.addWidget(hint("No earlier review stored yet."))

    def export(self, fmt: str) -> Any:
        """Export the week shown as a PDF or HTML report, or print it (report_export)."""
        from practice_app.gui.report_export import export_report

        return export_report(self, self.context, "weekly", week_start=self.week, fmt=fmt)  # type: ignore[arg-type]

    # ----- writes ------------------------------------------------------------------------
    def _form_edited(self, *_args: Any) -> None:
        self._form_dirty = True

    def write(self, work: Callable[[OrmSession], Any], label: str) -> None:
        """Run a write on the database worker, then reload the week."""
        self.saving = True
        self.form.set_busy(True)

        def done(_: Any) -> None:
            self.saving = False
            self._form_dirty = False
            self.context.show_status(f"{label}: saved")
            self.reload()

        def failed(error: BaseException) -> None:
            self.saving = False
            self.form.set_busy(False)
            self.form.state.setText(str(error))
            self.context.show_status(f"{label}: {error}")

        self.context.workers.query(
            work, on_success=done, on_failure=failed, owner=self, label=label
        )

    def _push(
        self, text: str, redo: Callable[[OrmSession], Any], undo: Callable[[OrmSession], Any]
    ) -> None:
        """Run ``redo`` now; once stored, put it on the undo stack and reload."""
        if self.saving:
            return
        self.saving = True
        self.form.set_busy(True)

        def stored(_: Any) -> None:
            self.saving = False
            self._form_dirty = False
            if not shiboken6.isValid(self):
                return
            self.context.undo_stack.push(WorkerWrite(self, text, redo, undo))
            self.context.show_status(f"{text}: saved")
            self.stale = False
            self.reload()

        def failed(error: BaseException) -> None:
            self.saving = False
            self.form.set_busy(False)
            self.form.state.setText(str(error))

        self.context.workers.query(
            redo, on_success=stored, on_failure=failed, owner=self, label=text
        )

    def complete(self) -> None:
        """Complete (or save the edited) review of the week shown."""
        if self.data is None or self.data.week_start != self.week:
            return
        week, previous = self.week, self.data.review
        energy, note = self.form.energy_value(), self.form.note.toPlainText()
        commitment = self.form.commitment.text()
        now = dt.datetime.now().replace(microsecond=0)
        verb = "Edit" if previous is not None and previous.completed else "Complete"
        self._push(
            f"{verb} the review of the week of {week:%d %b %Y}",
            functools.partial(complete_in, week, energy, note, commitment, now),
            functools.partial(restore_review, week_start=week, previous=previous),
        )

    def reopen(self) -> None:
        """Mark the week's review as not done (its text stays as a draft)."""
        if self.data is None or self.data.review is None or self.data.week_start != self.week:
            return
        week, previous = self.week, self.data.review
        self._push(
            f"Reopen the review of the week of {week:%d %b %Y}",
            functools.partial(reopen_review, week_start=week),
            functools.partial(restore_review, week_start=week, previous=previous),
        )
