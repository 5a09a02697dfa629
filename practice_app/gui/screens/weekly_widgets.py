"""Building blocks of the Weekly review screen: panels, clickable rows, the review form."""

from __future__ import annotations

import datetime as dt
import functools
import html
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QMouseEvent, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session as OrmSession

from practice_app.gui.screens.base import ScreenContext
from practice_app.gui.screens.clients import SIGNAL_COLOURS
from practice_app.services.weekly import ObjectiveView, ReviewRecord, complete_review

GOOD, BAD, NEUTRAL = "#2e7d32", "#c62828", "#607d8b"
ROW_STYLE = (
    "QFrame#linkRow { border-radius: 6px; }"
    "QFrame#linkRow:hover { background: #eef3f4; }"
    "QFrame#linkRow:focus { background: #e3eef0; border: 1px solid #2f6f73; }"
    "QLabel#rowBody { color: #455a64; font-size: 9pt; }"
    "QLabel#rowArrow { color: #90a4ae; font-size: 14pt; }"
)
NOT_RATED = -1


def panel(title: str) -> tuple[QFrame, QVBoxLayout, QLabel]:
    """A white card with a section title; returns the frame, its layout and the title."""
    frame = QFrame()
    frame.setObjectName("panel")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(16, 12, 16, 12)
    layout.setSpacing(6)
    heading = QLabel(title)
    heading.setObjectName("sectionTitle")
    heading.setWordWrap(True)
    layout.addWidget(heading)
    return frame, layout, heading


def hint(text: str = "") -> QLabel:
    """A small grey, wrapping label."""
    label = QLabel(text)
    label.setObjectName("hint")
    label.setWordWrap(True)
    return label


def clear(layout: QLayout) -> None:
    """Remove and delete every widget of ``layout``."""
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget() if item is not None else None
        if widget is not None:
            widget.deleteLater()


def dot(colour: str, size: int = 13) -> str:
    """A coloured bullet as rich text."""
    return f"<span style='color:{colour}; font-size:{size}pt'>●</span>"


def section(title: str) -> tuple[QFrame, QVBoxLayout, QLabel]:
    """A panel whose rows live in their own layout (refilled without touching the title)."""
    frame, layout, heading = panel(title)
    rows = QVBoxLayout()
    rows.setSpacing(2)
    layout.addLayout(rows)
    return frame, rows, heading


class LinkRow(QFrame):
    """A row (a rich-text head line, a plain body) that opens a view when clicked.

    Enter or Space open it too when it has the keyboard focus.
    """

    activated = Signal(str)

    def __init__(self, view: str | None, head: str, body: str = "", tooltip: str = "") -> None:
        super().__init__()
        self.view = view
        self.setObjectName("linkRow")
        outer = QHBoxLayout(self)
        outer.setContentsMargins(6, 4, 6, 4)
        outer.setSpacing(6)
        text = QVBoxLayout()
        text.setSpacing(1)
        self.head = QLabel(head)
        self.head.setTextFormat(Qt.TextFormat.RichText)
        self.head.setWordWrap(True)
        text.addWidget(self.head)
        self.body = QLabel(body)
        self.body.setTextFormat(Qt.TextFormat.PlainText)
        self.body.setWordWrap(True)
        self.body.setObjectName("rowBody")
        self.body.setVisible(bool(body))
        text.addWidget(self.body)
        outer.addLayout(text, 1)
        for label in (self.head, self.body):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        if view:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
            self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            arrow = QLabel("›")
            arrow.setObjectName("rowArrow")
            outer.addWidget(arrow, 0, Qt.AlignmentFlag.AlignVCenter)
            self.setToolTip(tooltip or f"Open {view.replace(':', ' ')}")
        elif tooltip:
            self.setToolTip(tooltip)
        self.setAccessibleName(f"{self.head.text()} {body}".strip())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """Open the view on a left click inside the row."""
        if (
            self.view
            and event.button() == Qt.MouseButton.LeftButton
            and self.rect().contains(event.position().toPoint())
        ):
            self.activated.emit(self.view)
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter, Return or Space open the view."""
        if self.view and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.activated.emit(self.view)
            return
        super().keyPressEvent(event)


def attention_head(name: str, level: str) -> str:
    """The head line of an attention item: a coloured dot and the client in bold."""
    return f"{dot(SIGNAL_COLOURS.get(level, NEUTRAL))}&nbsp;<b>{html.escape(name)}</b>"


def change_head(text: str, good: bool | None) -> str:
    """One change: ▲ good (green), ▼ bad (red), • neither."""
    mark, colour = ("▲", GOOD) if good else ("▼", BAD) if good is False else ("•", NEUTRAL)
    return f"<span style='color:{colour}'>{mark}</span>&nbsp;{html.escape(text)}"


class ReviewForm(QWidget):
    """Energy 0-10 (optional), note and commitment, and the Complete / Reopen buttons."""

    complete_requested = Signal()
    reopen_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        row = QHBoxLayout()
        energy_label = QLabel("&Energy this week")
        self.energy = QSpinBox()
        self.energy.setRange(NOT_RATED, 10)
        self.energy.setSpecialValueText("not rated")
        self.energy.setValue(NOT_RATED)
        self.energy.setSuffix(" / 10")
        self.energy.setAccessibleName("Energy this week")
        self.energy.setToolTip(
            "Optional self-rating, 0 (exhausted) to 10 (full of energy); plotted beside "
            "workload and results. Exhausted clinicians tend not to see the effect on their "
            "outcomes (Salyers et al.)."
        )
        energy_label.setBuddy(self.energy)
        row.addWidget(energy_label)
        row.addWidget(self.energy)
        row.addStretch(1)
        layout.addLayout(row)
        note_label = QLabel("&Note")
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)
        self.note.setPlaceholderText("What stood out this week?")
        self.note.setAccessibleName("Note")
        self.note.setFixedHeight(64)
        note_label.setBuddy(self.note)
        layout.addWidget(note_label)
        layout.addWidget(self.note)
        commit_label = QLabel("Co&mmitment for next week")
        self.commitment = QLineEdit()
        self.commitment.setPlaceholderText("One thing you will do differently")
        self.commitment.setAccessibleName("Commitment")
        commit_label.setBuddy(self.commitment)
        layout.addWidget(commit_label)
        layout.addWidget(self.commitment)
        buttons = QHBoxLayout()
        self.complete_button = QPushButton("Complete review")
        self.complete_button.setObjectName("primaryButton")
        self.complete_button.setToolTip("Store the note and the commitment (Ctrl+Enter)")
        self.complete_button.clicked.connect(self.complete_requested)
        self.reopen_button = QPushButton("Reopen")
        self.reopen_button.setToolTip(
            "Mark the review as not done; the note and the commitment stay as a draft"
        )
        self.reopen_button.clicked.connect(self.reopen_requested)
        buttons.addWidget(self.complete_button)
        buttons.addWidget(self.reopen_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.state = hint()
        layout.addWidget(self.state)
        self.commitment.returnPressed.connect(self.complete_requested)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.complete_requested)

    def energy_value(self) -> int | None:
        """The rating, None when not rated."""
        value = self.energy.value()
        return None if value == NOT_RATED else value

    def fill(self, energy: int | None, note: str, commitment: str) -> None:
        """Show a stored review (or empty fields)."""
        self.energy.setValue(NOT_RATED if energy is None else energy)
        self.note.setPlainText(note)
        self.commitment.setText(commitment)
        self.commitment.setCursorPosition(0)  # show the start of a long commitment

    def set_busy(self, busy: bool) -> None:
        """Disable the buttons while a write runs."""
        self.complete_button.setEnabled(not busy)
        self.reopen_button.setEnabled(not busy)


def span_text(start: dt.date, end: dt.date) -> str:
    """ "Mon 30 Nov – Sun 6 Dec 2026"."""
    first = f"{start:%a} {start.day} {start:%b}"
    return f"{first} – {end:%a} {end.day} {end:%b %Y}"


def minutes_text(minutes: int) -> str:
    """ "45 min", "3 h", "1 h 30 min"."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d} min" if rest else f"{hours} h"


def empty_page(context: ScreenContext) -> QWidget:
    """The page shown on an empty database: what the review needs and how to begin."""
    page = QWidget()
    outer = QVBoxLayout(page)
    outer.setContentsMargins(0, 0, 0, 0)
    frame, layout, _title = panel("Nothing to review yet")
    frame.setMaximumWidth(640)
    text = QLabel(
        "The weekly review shows which clients need attention, what changed since your "
        "last review, your practice against plan and the week's wins. It needs clients "
        "with scores or practice-journal entries.\n\n"
        "To look around first, load the demo data: invented clients and practice, three "
        "years of it."
    )
    text.setWordWrap(True)
    layout.addWidget(text)
    buttons = QHBoxLayout()
    buttons.setSpacing(10)
    for key, label, description in context.commands():
        button = QPushButton(label)
        button.setToolTip(description)
        if key == "load-demo":
            button.setObjectName("primaryButton")
        button.clicked.connect(lambda _=False, key=key: context.trigger(key))
        buttons.addWidget(button)
    buttons.addStretch(1)
    layout.addLayout(buttons)
    outer.addWidget(frame, 0, Qt.AlignmentFlag.AlignTop)
    outer.addStretch(1)
    return page


def export_button(export: Callable[[str], Any]) -> QToolButton:
    """The header's Export menu: PDF, HTML or Print of the week's review (``export(fmt)``)."""
    button = QToolButton()
    button.setText("Export")
    button.setToolTip("Save the week's review as a PDF or HTML report, or print it")
    button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    button.setStyleSheet(
        "QToolButton { padding: 6px 8px; border: 1px solid #b0bec5; border-radius: 6px;"
        " background: #ffffff; color: #263238; }"
        "QToolButton:hover { background: #eef3f4; }"
        "QToolButton::menu-indicator { image: none; }"
    )
    menu = QMenu(button)
    for text, fmt in (("PDF…", "pdf"), ("HTML…", "html"), ("Print…", "print")):
        action = menu.addAction(text)
        action.triggered.connect(functools.partial(export, fmt))
    button.setMenu(menu)
    return button


def objective_html(o: ObjectiveView | None) -> str:
    """The current objective as rich text (title, review date, success criteria)."""
    if o is None:
        return (
            "<span style='color:#607d8b'>No objective of the development plan is current "
            "this week.</span>"
        )
    review = f" · review by {o.review_date:%d %b %Y}" if o.review_date else ""
    criteria = (
        f"<br><span style='color:#607d8b'>Success: {esc(o.success_criteria)}</span>"
        if o.success_criteria
        else ""
    )
    return (
        f"<span style='color:#78909c'>OBJECTIVE{review}</span><br><b>{esc(o.title)}</b>{criteria}"
    )


def complete_in(
    week: dt.date,
    energy: int | None,
    note: str,
    commitment: str,
    now: dt.datetime,
    session: OrmSession,
) -> ReviewRecord:
    """complete_review with the session last (for functools.partial on the worker)."""
    return complete_review(session, week, energy=energy, note=note, commitment=commitment, now=now)


def esc(text: str) -> str:
    """HTML-escape text put into rich-text labels."""
    return html.escape(text)
