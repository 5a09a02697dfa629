"""Dialogs of the development plan: add an objective, close one as achieved or dropped."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from practice_app.services.practice import DOMAINS

REVIEW_WEEKS = 12
"""Default time to the review: about the 12 weeks of the demo's and Chow's examples."""


def _buttons(dialog: QDialog, ok: str) -> QDialogButtonBox:
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


class ObjectiveDialog(QDialog):
    """A new objective: title, focus area, domain, success criteria, review date."""

    def __init__(self, parent: QWidget | None, focus: str | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add objective")
        self.setMinimumWidth(460)
        form = QFormLayout(self)
        intro = QLabel(
            "One focus at a time. An objective in your current focus starts now and keeps "
            "a baseline of your outcomes; one in another area waits as planned."
            + (f" Current focus: {focus}." if focus else "")
        )
        intro.setObjectName("hint")
        intro.setWordWrap(True)
        form.addRow(intro)
        self.title = QLineEdit()
        self.title.setPlaceholderText("e.g. Respond in the session to any SRS below 36")
        form.addRow("&Objective", self.title)
        self.focus = QLineEdit(focus or "")
        self.focus.setPlaceholderText("e.g. Alliance (default: the domain)")
        form.addRow("&Focus area", self.focus)
        self.domain = QComboBox()
        self.domain.addItem("—", None)
        for d in DOMAINS:
            self.domain.addItem(d, d)
        form.addRow("&Domain", self.domain)
        self.criteria = QPlainTextEdit()
        self.criteria.setPlaceholderText("How you will know it worked, e.g. for 8 weeks …")
        self.criteria.setTabChangesFocus(True)
        self.criteria.setFixedHeight(64)
        form.addRow("&Success criteria", self.criteria)
        review = dt.date.today() + dt.timedelta(weeks=REVIEW_WEEKS)
        self.review = QDateEdit(QDate(review.year, review.month, review.day))
        self.review.setCalendarPopup(True)
        self.review.setDisplayFormat("dd MMM yyyy")
        self.has_review = QCheckBox("Review on")
        self.has_review.setChecked(True)
        self.has_review.toggled.connect(self.review.setEnabled)
        form.addRow(self.has_review, self.review)
        self.buttons = _buttons(self, "Add objective")
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setEnabled(False)
        self.title.textChanged.connect(lambda t: self.ok.setEnabled(bool(t.strip())))
        form.addRow(self.buttons)

    def values(self) -> dict[str, Any]:
        """Keyword arguments for ``services.plan.add_objective``."""
        q = self.review.date()
        return {
            "title": self.title.text(),
            "focus_area": self.focus.text() or None,
            "domain": self.domain.currentData(),
            "success_criteria": self.criteria.toPlainText() or None,
            "review_date": dt.date(q.year(), q.month(), q.day())
            if self.has_review.isChecked()
            else None,
        }


class CloseObjectiveDialog(QDialog):
    """How an objective ended (achieved or dropped) and what was learned."""

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Close objective")
        self.setMinimumWidth(420)
        form = QFormLayout(self)
        self.status = QComboBox()
        self.status.addItem("Achieved", "achieved")
        self.status.addItem("Dropped", "dropped")
        form.addRow("&Ending", self.status)
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText("What you learned; what comes next")
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(70)
        form.addRow("&Note", self.note)
        form.addRow(_buttons(self, "Close objective"))

    def values(self) -> tuple[str, str]:
        """The status key and the note."""
        return str(self.status.currentData()), self.note.toPlainText()
