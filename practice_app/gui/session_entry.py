"""Fast entry of one session's scores (items or totals, Tab through, Enter saves), and the
dialog that closes an episode with its ending reason.

The form checks the entry inline with the same rules the storage applies
(``storage.sessions.check_scores``): a bad field turns red and a message says why;
nothing is sent to the database until every field is valid.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from PySide6.QtCore import QDate, QRegularExpression, Qt, Signal
from PySide6.QtGui import QKeyEvent, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from practice_app.analysis.instruments import InstrumentDef
from practice_app.storage.models import ENDING_LABELS
from practice_app.storage.sessions import ScoreInput, ScoreProblem, check_scores

FieldKey = tuple[str, int | None]
"""(instrument name, item index or None for the total)."""

INVALID_STYLE = "QLineEdit { border: 2px solid #c62828; background: #fff4f4; }"
NUMBER = QRegularExpression(r"^\d{0,3}([.,]\d?)?$")
"""Digits with at most one decimal (comma or point); the range is checked on saving."""


@dataclass(frozen=True)
class SessionInput:
    """A checked entry: the date and, per instrument, (total or None, items or None)."""

    date: dt.date
    scores: dict[str, ScoreInput]


def short_name(item: str) -> str:
    """A short column caption for an item name (the full name goes in the tooltip)."""
    return {
        "Individually": "Indiv.",
        "Interpersonally": "Interp.",
        "Socially": "Social",
        "Relationship": "Relat.",
        "Goals and topics": "Goals",
        "Approach or method": "Appr.",
    }.get(item, item.split(" ")[0][:9])


class SessionEntry(QFrame):
    """The entry form for one instrument pair (usually ORS and SRS)."""

    submitted = Signal(object)
    """A valid SessionInput (the page saves it on the database worker)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("panel")
        self.instruments: dict[str, InstrumentDef] = {}
        self.fields: dict[FieldKey, QLineEdit] = {}
        self.earliest: dt.date | None = None
        self.today = dt.date.today()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(8)
        heading = QLabel("New session")
        heading.setObjectName("sectionTitle")
        layout.addWidget(heading)
        # Everything but the heading and the closed-episode note: hidden for closed episodes.
        self.form = QWidget()
        outer = layout
        layout = QVBoxLayout(self.form)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        outer.addWidget(self.form)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(6)
        self.grid.setVerticalSpacing(4)
        layout.addLayout(self.grid)
        # The date comes after the scores: it defaults to today and rarely changes,
        # so Tab runs through the scores first (a date edit tabs through its sections).
        date_row = QHBoxLayout()
        date_label = QLabel("Date")
        date_label.setObjectName("hint")
        date_row.addWidget(date_label)
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("dd MMM yyyy")
        self.date_edit.setAccessibleName("Session date")
        date_row.addWidget(self.date_edit, 1)
        layout.addLayout(date_row)
        self.hint = QLabel("Items 0–10 (one decimal) or totals only · Enter saves")
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        self.message = QLabel("")
        self.message.setObjectName("entryMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c62828; font-weight: 600;")
        self.message.hide()
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.clear_button = QPushButton("Clear")
        self.clear_button.clicked.connect(self.clear)
        self.save_button = QPushButton("Save session")
        self.save_button.setObjectName("primaryButton")
        self.save_button.setToolTip("Save the session (Enter)")
        self.save_button.clicked.connect(self.submit)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)
        self.closed_note = QLabel("")
        self.closed_note.setObjectName("hint")
        self.closed_note.setWordWrap(True)
        self.closed_note.hide()
        outer.addWidget(self.closed_note)

    def set_instruments(self, instruments: list[InstrumentDef]) -> None:
        """Build one row per instrument: its items, then the total."""
        if [d.name for d in instruments] == list(self.instruments):
            return
        while self.grid.count():
            taken = self.grid.takeAt(0)
            widget = taken.widget() if taken is not None else None
            if widget is not None:
                widget.deleteLater()
        self.instruments = {d.name: d for d in instruments}
        self.fields = {}
        order: list[QWidget] = []
        width = max((len(d.items) for d in instruments), default=0)
        for row, d in enumerate(instruments):
            name = QLabel(d.name)
            name.setToolTip(d.title)
            name.setStyleSheet("font-weight: 600;")
            self.grid.addWidget(name, row * 2 + 1, 0)
            for i, item in enumerate(d.items):
                caption = QLabel(short_name(item))
                caption.setObjectName("hint")
                caption.setToolTip(item)
                self.grid.addWidget(caption, row * 2, i + 1)
                edit = self._field(f"{d.name} {item}", d.item_min, d.item_max)
                self.grid.addWidget(edit, row * 2 + 1, i + 1)
                self.fields[(d.name, i)] = edit
                order.append(edit)
                edit.textChanged.connect(lambda _=None, n=d.name: self._items_changed(n))
            caption = QLabel("Total")
            caption.setObjectName("hint")
            self.grid.addWidget(caption, row * 2, width + 1)
            total = self._field(f"{d.name} total", d.min, d.max)
            total.setStyleSheet("font-weight: 600;")
            self.grid.addWidget(total, row * 2 + 1, width + 1)
            self.fields[(d.name, None)] = total
            order.append(total)
        order += [self.date_edit, self.save_button]
        # Widgets added to a shown layout appear only at the next event-loop turn; show
        # them now so the form can take focus as soon as the page says it is ready.
        for index in range(self.grid.count()):
            cell = self.grid.itemAt(index)
            widget = cell.widget() if cell is not None else None
            if widget is not None:
                widget.show()
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)

    def _field(self, name: str, low: float | None, high: float | None) -> QLineEdit:
        edit = QLineEdit()
        edit.setAccessibleName(name)
        edit.setObjectName(name)
        edit.setValidator(QRegularExpressionValidator(NUMBER, edit))
        edit.setMaximumWidth(52)
        edit.setMinimumWidth(40)
        edit.setMinimumHeight(26)
        edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        if low is not None and high is not None:
            edit.setToolTip(f"{name}: {low:g}–{high:g}")
        edit.textEdited.connect(lambda _=None, e=edit: self._unmark(e))
        return edit

    def set_dates(self, today: dt.date, earliest: dt.date | None) -> None:
        """Default the date to today; allow no date before the latest session."""
        self.today = today
        self.earliest = earliest
        self.date_edit.setMaximumDate(QDate(today.year, today.month, today.day))
        if earliest is not None:
            self.date_edit.setMinimumDate(QDate(earliest.year, earliest.month, earliest.day))
        else:
            self.date_edit.setMinimumDate(QDate(1900, 1, 1))
        self.date_edit.setDate(QDate(today.year, today.month, today.day))

    def set_open(self, open_: bool, note: str = "") -> None:
        """Enable the form for an open episode; otherwise say why it is off."""
        for widget in (self.date_edit, self.save_button, self.clear_button, *self.fields.values()):
            widget.setEnabled(open_)
        self.form.setVisible(open_)
        self.closed_note.setText(note)
        self.closed_note.setVisible(bool(note))

    def field(self, instrument: str, item: int | None = None) -> QLineEdit:
        """The edit for one item (index) or the total (None) of an instrument."""
        return self.fields[(instrument, item)]

    def first_field(self) -> QLineEdit | None:
        """The first score field (where typing starts)."""
        return next(iter(self.fields.values()), None)

    def clear(self) -> None:
        """Empty every field and the message."""
        for edit in self.fields.values():
            edit.clear()
            self._unmark(edit)
        self.show_message("")
        self.date_edit.setDate(QDate(self.today.year, self.today.month, self.today.day))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter or Return anywhere in the form saves."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.submit()
            return
        super().keyPressEvent(event)

    def _items_changed(self, name: str) -> None:
        """Show the sum of the items as the total's placeholder."""
        d = self.instruments[name]
        values = [self._value(self.fields[(name, i)]) for i in range(len(d.items))]
        given = [v for v in values if isinstance(v, float)]
        total = self.fields[(name, None)]
        total.setPlaceholderText(f"{sum(given):.1f}" if len(given) == len(values) else "")

    @staticmethod
    def _value(edit: QLineEdit) -> float | str | None:
        text = edit.text().strip().replace(",", ".")
        if not text:
            return None
        try:
            return float(text)
        except ValueError:
            return text

    def read(self) -> tuple[SessionInput | None, list[ScoreProblem]]:
        """Check the form; return the entry, or the problems (each with its field)."""
        problems: list[ScoreProblem] = []
        scores: dict[str, ScoreInput] = {}
        for name, d in self.instruments.items():
            items: list[float | None] = []
            for i in range(len(d.items)):
                value = self._value(self.fields[(name, i)])
                if isinstance(value, str):
                    problems.append(ScoreProblem(name, i, f"{name} {d.items[i]}: not a number"))
                    value = None
                items.append(value)
            total = self._value(self.fields[(name, None)])
            if isinstance(total, str):
                problems.append(ScoreProblem(name, None, f"{name} total: not a number"))
                total = None
            if total is not None or any(v is not None for v in items):
                scores[name] = (total, items if any(v is not None for v in items) else None)
        checked, found = check_scores(self.instruments, scores)
        problems += found
        if not problems and not checked:
            names = " or ".join(self.instruments) or "scores"
            problems.append(ScoreProblem("", None, f"Enter the {names} (items or totals)."))
        qdate = self.date_edit.date()
        day = dt.date(qdate.year(), qdate.month(), qdate.day())
        if self.earliest is not None and day < self.earliest:
            problems.append(ScoreProblem("", None, "date: before the latest session"))
        if problems:
            return None, problems
        return SessionInput(day, scores), []

    def submit(self) -> None:
        """Check the form; mark the bad fields, or emit ``submitted``."""
        if not self.save_button.isEnabled():
            return
        for edit in self.fields.values():
            self._unmark(edit)
        entry, problems = self.read()
        if entry is None:
            self.show_problems(problems)
            return
        self.show_message("")
        self.submitted.emit(entry)

    def show_problems(self, problems: list[ScoreProblem]) -> None:
        """Highlight each bad field and say what is wrong with the first ones."""
        first: QLineEdit | None = None
        for p in problems:
            edit = self.fields.get((p.instrument, p.item))
            if edit is not None:
                edit.setStyleSheet(INVALID_STYLE)
                edit.setProperty("invalid", True)
                first = first or edit
        more = len(problems) - 1
        text = problems[0].message if problems else ""
        self.show_message(text + (f" (and {more} more marked in red)" if more > 0 else ""))
        if first is not None:
            first.setFocus()
            first.selectAll()

    def show_message(self, text: str) -> None:
        """Show an error under the fields, in place of the hint."""
        self.message.setText(text)
        self.message.setVisible(bool(text))
        self.hint.setVisible(not text)

    def invalid_fields(self) -> list[str]:
        """Accessible names of the fields marked invalid."""
        return [e.accessibleName() for e in self.fields.values() if e.property("invalid")]

    def _unmark(self, edit: QLineEdit) -> None:
        if edit.property("invalid"):
            edit.setProperty("invalid", False)
            bold = (
                "font-weight: 600;"
                if any(edit is self.fields.get((n, None)) for n in self.instruments)
                else ""
            )
            edit.setStyleSheet(bold)


CLOSING_REASONS = ("planned", "stopped", "referred", "other")
"""Reasons offered when closing by hand ("inactive" is set by the inactivity rule)."""


class CloseEpisodeDialog(QDialog):
    """Asks how the episode ended and when."""

    def __init__(self, parent: QWidget, earliest: dt.date | None, today: dt.date) -> None:
        super().__init__(parent)
        self.setWindowTitle("Close episode")
        form = QFormLayout(self)
        intro = QLabel(
            "How did this episode of care end? The ending counts in the dropout figures."
        )
        intro.setWordWrap(True)
        form.addRow(intro)
        self.reason = QComboBox()
        for key in CLOSING_REASONS:
            self.reason.addItem(ENDING_LABELS[key], key)
        form.addRow("Ending", self.reason)
        self.end_date = QDateEdit(QDate(today.year, today.month, today.day))
        self.end_date.setCalendarPopup(True)
        self.end_date.setDisplayFormat("dd MMM yyyy")
        if earliest is not None:
            self.end_date.setMinimumDate(QDate(earliest.year, earliest.month, earliest.day))
        form.addRow("End date", self.end_date)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Close episode")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> tuple[str, dt.date]:
        """The chosen reason key and end date."""
        q = self.end_date.date()
        return str(self.reason.currentData()), dt.date(q.year(), q.month(), q.day())
