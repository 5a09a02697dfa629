"""The Learning screen's dialogs: write down a lesson, make something a practice objective.

Both only collect values: the screen writes them on the database worker, and the
dialog stays open with the error shown when the write is refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)


@dataclass(frozen=True)
class LessonInput:
    """What the lesson dialog collected."""

    client: str
    episode: str | None
    taught: str
    new_or_different: str
    will_practise: str
    tags: tuple[str, ...]
    date: dt.date


@dataclass(frozen=True)
class ObjectiveInput:
    """What the objective dialog collected."""

    title: str
    focus_area: str | None
    success_criteria: str
    review_date: dt.date | None


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(q: QDate) -> dt.date:
    return dt.date(q.year(), q.month(), q.day())


def _text_box(placeholder: str, height: int = 64) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setPlaceholderText(placeholder)
    box.setTabChangesFocus(True)  # Tab moves on, as in every other field of the form
    box.setFixedHeight(height)
    return box


def _error_label() -> QLabel:
    label = QLabel("")
    label.setObjectName("formError")
    label.setStyleSheet("color: #c62828;")
    label.setWordWrap(True)
    label.hide()
    return label


class _FormDialog(QDialog):
    """A form with an error line and Save/Cancel; ``submitted`` carries the values."""

    submitted = Signal(object)

    def __init__(self, parent: QWidget, title: str, save_text: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self.form = QFormLayout(self)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.error = _error_label()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button: QPushButton = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(save_text)
        self.save_button.setDefault(True)
        self.save_button.setObjectName("primaryButton")
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)

    def finish_form(self) -> None:
        """Add the error line and the buttons under the fields."""
        self.form.addRow(self.error)
        self.form.addRow(self.buttons)

    def show_error(self, message: str) -> None:
        """Say why the values were refused; the dialog stays open to fix them."""
        self.error.setText(message[:1].upper() + message[1:])
        self.error.show()
        self.save_button.setEnabled(True)

    def _submit(self) -> None:
        message = self.check()
        if message:
            self.show_error(message)
            return
        self.error.hide()
        self.save_button.setEnabled(False)  # until the worker answers
        self.submitted.emit(self.values())

    def check(self) -> str:
        """A message when a value is missing (the service checks the rest)."""
        return ""

    def values(self) -> object:
        """The collected values."""
        raise NotImplementedError


class LessonDialog(_FormDialog):
    """What this client taught me, what was new, what I will practise, tags."""

    def __init__(
        self,
        parent: QWidget,
        clients: list[str],
        today: dt.date,
        client: str | None = None,
        known_tags: list[str] | None = None,
        episode: str | None = None,
    ) -> None:
        super().__init__(parent, "Add a lesson from a client", "Save lesson")
        intro = QLabel(
            "Clients who did not benefit are often the best teachers. Write down what this "
            "one taught you while it is fresh."
        )
        intro.setWordWrap(True)
        intro.setObjectName("hint")
        self.form.addRow(intro)
        self.client = QLineEdit(client or "")
        self.client.setPlaceholderText("Client code, e.g. C0131")
        completer = QCompleter(clients, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        # Completed in place as the code is typed: no popup stealing the keyboard.
        completer.setCompletionMode(QCompleter.CompletionMode.InlineCompletion)
        self.client.setCompleter(completer)
        self.client.setAccessibleName("Client code")
        self.form.addRow("Client", self.client)
        self.episode = QLineEdit(episode or "")
        self.episode.setPlaceholderText("Optional: case id (default: the client's latest episode)")
        self.episode.setAccessibleName("Episode")
        self.form.addRow("Episode", self.episode)
        self.taught = _text_box("What did this client teach me?")
        self.taught.setAccessibleName("What this client taught me")
        self.form.addRow("Taught me", self.taught)
        self.new = _text_box("What was new or different about this client or this work?", 48)
        self.new.setAccessibleName("What was new or different")
        self.form.addRow("New or different", self.new)
        self.practise = _text_box("What will I practise because of it?", 48)
        self.practise.setAccessibleName("What I will practise")
        self.form.addRow("I will practise", self.practise)
        self.tags = QLineEdit()
        self.tags.setPlaceholderText("Comma-separated, e.g. referral, goals")
        self.tags.setAccessibleName("Tags")
        if known_tags:
            self.tags.setToolTip("Tags used before: " + ", ".join(known_tags[:20]))
        self.form.addRow("Tags", self.tags)
        self.date = QDateEdit(_qdate(today))
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("dd MMM yyyy")
        self.date.setMaximumDate(_qdate(today))
        self.form.addRow("Date", self.date)
        self.finish_form()
        (self.taught if client else self.client).setFocus()

    def check(self) -> str:
        """Client and lesson text are required."""
        if not self.client.text().strip():
            return "Which client? Enter the client's code."
        if not self.taught.toPlainText().strip():
            return "Write down what this client taught you."
        return ""

    def values(self) -> LessonInput:
        """The lesson as typed."""
        return LessonInput(
            client=self.client.text().strip(),
            episode=self.episode.text().strip() or None,
            taught=self.taught.toPlainText().strip(),
            new_or_different=self.new.toPlainText().strip(),
            will_practise=self.practise.toPlainText().strip(),
            tags=tuple(t for t in self.tags.text().split(",") if t.strip()),
            date=_pydate(self.date.date()),
        )


class ObjectiveDialog(_FormDialog):
    """A prefilled practice objective to confirm or adjust."""

    def __init__(
        self,
        parent: QWidget,
        *,
        source: str,
        title: str,
        success_criteria: str,
        focus_areas: list[str],
        current_focus: str | None,
        today: dt.date,
    ) -> None:
        super().__init__(parent, "Make this a practice objective", "Add to my plan")
        intro = QLabel(source)
        intro.setWordWrap(True)
        intro.setObjectName("hint")
        self.form.addRow(intro)
        self.title = QLineEdit(title)
        self.title.setMaxLength(300)
        self.title.setAccessibleName("Objective title")
        self.form.addRow("Objective", self.title)
        self.focus = QComboBox()
        self.focus.setEditable(True)
        self.focus.setAccessibleName("Focus area")
        self.focus.addItems(focus_areas)
        self.focus.setCurrentText(current_focus or "")
        self.form.addRow("Focus area", self.focus)
        focus_hint = QLabel(
            f"One focus at a time: in the current focus ({current_focus}) it starts at once; "
            "in another it waits as planned until you close the current one."
            if current_focus
            else "Nothing is active in your plan, so this starts at once."
        )
        focus_hint.setWordWrap(True)
        focus_hint.setObjectName("hint")
        self.form.addRow("", focus_hint)
        self.criteria = _text_box("How will you know it worked?", 84)
        self.criteria.setPlainText(success_criteria)
        self.criteria.setAccessibleName("Success criteria")
        self.form.addRow("Success criteria", self.criteria)
        self.review = QDateEdit(_qdate(today + dt.timedelta(days=91)))
        self.review.setCalendarPopup(True)
        self.review.setDisplayFormat("dd MMM yyyy")
        self.review.setMinimumDate(_qdate(today))
        self.form.addRow("Review on", self.review)
        self.finish_form()
        self.title.setFocus()

    def check(self) -> str:
        """A title is required."""
        return "" if self.title.text().strip() else "Give the objective a title."

    def values(self) -> ObjectiveInput:
        """The objective as confirmed."""
        return ObjectiveInput(
            title=self.title.text().strip(),
            focus_area=self.focus.currentText().strip() or None,
            success_criteria=self.criteria.toPlainText().strip(),
            review_date=_pydate(self.review.date()),
        )
