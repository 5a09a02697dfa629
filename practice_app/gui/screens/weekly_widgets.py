"""Building blocks of the Weekly review screen: panels, clickable rows, the review form."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QMouseEvent, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from practice_app.gui.screens.clients import SIGNAL_COLOURS

GOOD, BAD, NEUTRAL = "#2e7d32", "#c62828", "#607d8b"
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

    def set_busy(self, busy: bool) -> None:
        """Disable the buttons while a write runs."""
        self.complete_button.setEnabled(not busy)
        self.reopen_button.setEnabled(not busy)
