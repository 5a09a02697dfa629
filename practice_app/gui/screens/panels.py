"""The white, titled panels the screens are built from (styled as #panel in app.qss)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


def panel(title: str) -> tuple[QFrame, QVBoxLayout]:
    """A panel with a section title; add the content to the returned layout."""
    frame = QFrame()
    frame.setObjectName("panel")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(16, 12, 16, 12)
    layout.setSpacing(6)
    heading = QLabel(title)
    heading.setObjectName("sectionTitle")
    layout.addWidget(heading)
    return frame, layout


def panel_with_row(title: str) -> tuple[QFrame, QVBoxLayout, QHBoxLayout]:
    """A panel whose title sits in a row that also takes controls (a button, a filter).

    Returns (frame, body layout, title row); an empty title leaves the row to the controls.
    """
    frame = QFrame()
    frame.setObjectName("panel")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(16, 12, 16, 12)
    layout.setSpacing(6)
    head = QHBoxLayout()
    if title:
        heading = QLabel(title)
        heading.setObjectName("sectionTitle")
        head.addWidget(heading)
    head.addStretch(1)
    layout.addLayout(head)
    return frame, layout, head


def missing_page(title: str, button: str, on_click: Callable[[], None]) -> tuple[QWidget, QLabel]:
    """The page shown when a screen's subject is not found: a panel, a message, a way back."""
    page = QWidget()
    outer = QVBoxLayout(page)
    outer.setContentsMargins(0, 0, 0, 0)
    frame, layout = panel(title)
    frame.setMaximumWidth(640)
    message = QLabel("")
    message.setWordWrap(True)
    layout.addWidget(message)
    back = QPushButton(button)
    back.clicked.connect(on_click)
    layout.addWidget(back, 0, Qt.AlignmentFlag.AlignLeft)
    outer.addWidget(frame, 0, Qt.AlignmentFlag.AlignTop)
    outer.addStretch(1)
    return page, message
