"""The "Log practice" dialog: one entry in under a minute, by keyboard.

Defaults: today, the last activity, the current objective (and its domain). Tab runs
minutes → activity → domain → objective → difficulty → rating → feedback → clients →
notes → date → Save; Enter saves from anywhere. Fields are checked inline with the
rules the journal applies (services.practice); what only the database can check comes
back from the worker and is shown in the same place, the dialog staying open.

``log_practice(window)`` is the Ctrl+L command: it shows the Practice screen and opens
the dialog there.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QRegularExpression, Qt, Signal
from PySide6.QtGui import QKeyEvent, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from practice_app.services.practice import (
    DIFFICULTY_LABELS,
    DOMAINS,
    FEEDBACK_LABELS,
    FUTURE_DAYS,
    MAX_MINUTES,
    EntryInput,
    EntryRow,
)

if TYPE_CHECKING:
    from practice_app.gui.main_window import MainWindow
    from practice_app.services.practice_view import PracticeView

INVALID_STYLE = "border: 2px solid #c62828; background: #fff4f4;"
NONE_TEXT = "—"
RATING = QRegularExpression(r"^\d{0,2}([.,]\d?)?$")
"""Up to two digits and one decimal; the 0-10 range is checked on saving."""
DEFAULT_MINUTES = 30


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def split_codes(text: str) -> tuple[str, ...]:
    """Client codes typed with spaces, commas or semicolons between them."""
    return tuple(dict.fromkeys(c for c in re.split(r"[\s,;]+", text) if c))


class PracticeDialog(QDialog):
    """Log a new entry, or edit one (``entry`` given)."""

    submitted = Signal(object)
    """A checked EntryInput; the screen writes it on the worker and calls ``done_saving``."""
    activity_requested = Signal(str)
    """The label of a new activity of the user's own (the screen adds it, then ``add_activity``)."""

    def __init__(
        self, parent: QWidget | None, view: PracticeView, entry: EntryRow | None = None
    ) -> None:
        super().__init__(parent)
        self.view = view
        self.entry = entry
        self.saving = False
        self.setWindowTitle("Edit practice entry" if entry else "Log practice")
        self.setObjectName("practiceDialog")
        self.setMinimumWidth(460)
        outer = QVBoxLayout(self)
        outer.setSpacing(10)
        intro = QLabel(
            "What did you practise, for how long, and what came back? Tab moves on, Enter saves."
        )
        intro.setObjectName("hint")
        intro.setWordWrap(True)
        outer.addWidget(intro)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        outer.addLayout(form)

        self.minutes = QSpinBox()
        self.minutes.setRange(1, MAX_MINUTES)
        self.minutes.setSuffix(" min")
        self.minutes.setAccessibleName("Minutes")
        self.minutes.setToolTip(f"How long you practised: 1 to {MAX_MINUTES} minutes")
        form.addRow("&Minutes", self.minutes)
        self.activity = QComboBox()
        self.activity.setAccessibleName("Activity")
        for a in view.activities:
            self.activity.addItem(a.label, a.key)
        activity_row = QHBoxLayout()
        activity_row.addWidget(self.activity, 1)
        self.new_activity = QPushButton("New…")
        self.new_activity.setToolTip("Add an activity of your own")
        self.new_activity.setAutoDefault(False)
        self.new_activity.clicked.connect(self.ask_new_activity)
        activity_row.addWidget(self.new_activity)
        form.addRow("&Activity", activity_row)
        self.domain = QComboBox()
        self.domain.setAccessibleName("Domain")
        self.domain.setToolTip("Taxonomy of Deliberate Practice Activities (Chow & Miller)")
        self.domain.addItem(NONE_TEXT, None)
        for d in DOMAINS:
            self.domain.addItem(d, d)
        form.addRow("D&omain", self.domain)
        self.objective = QComboBox()
        self.objective.setAccessibleName("Objective")
        self.objective.addItem("No objective", None)
        for o in view.objectives:
            if o.open or (entry is not None and entry.objective_id == o.id):
                state = "" if o.status == "active" else f" ({o.status})"
                self.objective.addItem(f"{o.title}{state}", o.id)
        form.addRow("O&bjective", self.objective)
        self.difficulty = QComboBox()
        self.difficulty.setAccessibleName("Difficulty")
        self.difficulty.setToolTip("Deliberate practice sits just beyond what you can do now")
        self.difficulty.addItem(NONE_TEXT, None)
        for key, label in DIFFICULTY_LABELS.items():
            self.difficulty.addItem(label, key)
        form.addRow("Di&fficulty", self.difficulty)
        self.rating = QLineEdit()
        self.rating.setAccessibleName("Self-rating")
        self.rating.setPlaceholderText("0–10 (optional)")
        self.rating.setValidator(QRegularExpressionValidator(RATING, self.rating))
        self.rating.setToolTip("How well it went, 0 to 10; leave empty for no rating")
        self.rating.textEdited.connect(lambda _: self._unmark(self.rating))
        form.addRow("Self-&rating", self.rating)
        self.feedback = QComboBox()
        self.feedback.setAccessibleName("Feedback from")
        self.feedback.addItem(NONE_TEXT, None)
        for key, label in FEEDBACK_LABELS.items():
            self.feedback.addItem(label, key)
        form.addRow("Feedback &from", self.feedback)
        self.clients = QLineEdit()
        self.clients.setAccessibleName("Clients")
        self.clients.setPlaceholderText("client codes, e.g. C0132 C0142 (optional)")
        self.clients.textEdited.connect(lambda _: self._unmark(self.clients))
        form.addRow("&Clients", self.clients)
        self.notes = QLineEdit()
        self.notes.setAccessibleName("Notes")
        self.notes.setPlaceholderText("what you worked on (no client names)")
        form.addRow("&Notes", self.notes)
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("ddd dd MMM yyyy")
        self.date.setAccessibleName("Date")
        self.date.setMaximumDate(_qdate(view.today + dt.timedelta(days=FUTURE_DAYS)))
        self.date.setMinimumDate(QDate(1950, 1, 1))
        form.addRow("&Date", self.date)

        self.message = QLabel("")
        self.message.setObjectName("entryMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c62828; font-weight: 600;")
        self.message.hide()
        outer.addWidget(self.message)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = QPushButton("Save changes" if entry else "Save entry")
        self.save_button.setObjectName("primaryButton")
        self.save_button.setDefault(True)
        self.save_button.setToolTip("Save (Enter)")
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.clicked.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)
        order: list[QWidget] = [
            self.minutes, self.activity, self.domain, self.objective, self.difficulty,
            self.rating, self.feedback, self.clients, self.notes, self.date, self.save_button,
        ]  # fmt: skip
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)
        self._fill(entry)
        self.minutes.setFocus()
        self.minutes.selectAll()

    # --- defaults --------------------------------------------------------------------------

    def _select(self, combo: QComboBox, value: Any) -> None:
        index = combo.findData(value)
        combo.setCurrentIndex(max(index, 0))

    def _fill(self, entry: EntryRow | None) -> None:
        if entry is None:
            current = self.view.current_objective
            self.minutes.setValue(DEFAULT_MINUTES)
            self._select(self.activity, self.view.last_activity or "recording-review")
            self._select(self.objective, None if current is None else current.id)
            self._select(self.domain, None if current is None else current.domain)
            self.date.setDate(_qdate(self.view.today))
            return
        self.minutes.setValue(entry.minutes)
        self._select(self.activity, entry.activity)
        self._select(self.domain, entry.domain)
        self._select(self.objective, entry.objective_id)
        self._select(self.difficulty, entry.difficulty)
        self.rating.setText("" if entry.self_rating is None else f"{entry.self_rating:g}")
        self._select(self.feedback, entry.feedback_source)
        self.clients.setText(" ".join(entry.clients))
        self.notes.setText(entry.notes or "")
        self.date.setDate(_qdate(entry.date))

    # --- reading and checking ------------------------------------------------------------

    def read(self) -> tuple[EntryInput | None, str]:
        """The entry, or the first problem (the field is marked)."""
        codes = split_codes(self.clients.text())
        known = set(self.view.client_codes)
        unknown = [c for c in codes if c not in known]
        if unknown:
            self._mark(self.clients)
            return None, f"Unknown client code '{unknown[0]}': use the codes of the client list."
        q = self.date.date()
        text = self.rating.text().strip().replace(",", ".")
        try:
            rating = float(text) if text else None
        except ValueError:  # "." alone
            rating = -1.0
        if rating is not None and not 0 <= rating <= 10:
            self._mark(self.rating)
            return None, "Self-rating: from 0 to 10, or leave it empty."
        return (
            EntryInput(
                date=dt.date(q.year(), q.month(), q.day()),
                minutes=self.minutes.value(),
                activity=str(self.activity.currentData()),
                domain=self.domain.currentData(),
                objective=self.objective.currentData(),
                difficulty=self.difficulty.currentData(),
                rating=rating,
                feedback=self.feedback.currentData(),
                notes=self.notes.text().strip() or None,
                clients=codes,
            ),
            "",
        )

    def submit(self) -> None:
        """Check the fields; mark a bad one, or emit ``submitted``."""
        if self.saving:
            return
        entry, problem = self.read()
        if entry is None:
            self.show_message(problem)
            return
        self.show_message("")
        self.saving = True
        self.save_button.setEnabled(False)
        self.submitted.emit(entry)

    def done_saving(self, error: str | None = None) -> None:
        """The write finished: close, or show why it was refused and stay open."""
        self.saving = False
        self.save_button.setEnabled(True)
        if error is None:
            self.accept()
        else:
            self.show_message(error)

    def show_message(self, text: str) -> None:
        """Show a problem above the buttons."""
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter saves from any field (a combo box would otherwise swallow it)."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.submit()
            return
        super().keyPressEvent(event)

    def ask_new_activity(self) -> None:
        """Ask for the label of a new activity; the screen stores it."""
        label, ok = QInputDialog.getText(self, "New activity", "What do you call this practice?")
        if ok and label.strip():
            self.activity_requested.emit(label.strip())

    def add_activity(self, key: str, label: str) -> None:
        """Offer a newly stored activity and choose it."""
        if self.activity.findData(key) < 0:
            self.activity.addItem(label, key)
        self._select(self.activity, key)
        self.show_message("")

    def _mark(self, edit: QLineEdit) -> None:
        edit.setStyleSheet(INVALID_STYLE)
        edit.setProperty("invalid", True)
        edit.setFocus()
        edit.selectAll()

    def _unmark(self, edit: QLineEdit) -> None:
        if edit.property("invalid"):
            edit.setProperty("invalid", False)
            edit.setStyleSheet("")


def log_practice(window: MainWindow) -> None:
    """Ctrl+L: show the Practice screen and open the log dialog there."""
    from practice_app.gui.registry import parse_view

    screen = window.show_view(parse_view("practice"))
    opener = getattr(screen, "open_log_dialog", None)
    if opener is not None:
        opener()
