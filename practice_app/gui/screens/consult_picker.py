"""The Consultation screen without a client: pick the episode to prepare a brief for.

Open episodes come first, and within them the ones not on track (red, then orange, then
a weak alliance): the clients a therapist most often brings to supervision.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from practice_app.gui.screens.clients import SIGNAL_WORDS, signal_icon
from practice_app.gui.screens.panels import panel
from practice_app.services.consult import ConsultPicker, PickerRow

HEADERS = (
    "Signal",
    "Client",
    "Episode",
    "Sessions",
    "Last seen",
    "Status",
    "Category",
    "Alliance",
    "Brief saved",
)


def _day(iso: str | None) -> str:
    """An ISO date as "24 Nov 2026" ("–" when unknown)."""
    return dt.date.fromisoformat(iso).strftime("%d %b %Y") if iso else "–"


class PickerTable(QTableWidget):
    """The episode table; Enter opens the current row."""

    activated_row = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter or Return opens the selected episode."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentRow() >= 0:
            self.activated_row.emit(self.currentRow())
            return
        super().keyPressEvent(event)


class ConsultPickerView(QWidget):
    """A filterable list of episodes; ``chosen(code, episode_id)`` when one is opened."""

    chosen = Signal(str, int)

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[PickerRow] = []
        self.shown: list[PickerRow] = []
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        frame, layout = panel("Choose a client episode")
        self.hint = QLabel(
            "Open episodes first; within them, not on track (red), at risk (orange), then a "
            "weak alliance. Double-click or press Enter to prepare the brief."
        )
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        filters = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Find a client code…")
        self.search.setAccessibleName("Find a client code")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(240)
        self.search.textChanged.connect(self._filter)
        self.search.returnPressed.connect(self._open_first)
        self.open_only = QCheckBox("Open episodes only")
        self.open_only.setChecked(True)
        self.open_only.toggled.connect(self._filter)
        self.open_button = QPushButton("Prepare brief")
        self.open_button.setObjectName("primaryButton")
        self.open_button.clicked.connect(self._open_current)
        filters.addWidget(self.search)
        filters.addWidget(self.open_only)
        filters.addStretch(1)
        filters.addWidget(self.open_button)
        layout.addLayout(filters)
        self.table = PickerTable()
        self.table.setAccessibleName("Episodes to choose from")
        self.table.setColumnCount(len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setDefaultSectionSize(28)
        self.table.setStyleSheet(
            "QTableWidget { alternate-background-color: #f7f9fa; }"
            "QTableWidget::item { padding: 0 10px; }"
            "QHeaderView::section { background: #eef1f3; color: #37474f; border: none;"
            " padding: 4px 10px; font-weight: 600; }"
        )
        self.table.cellDoubleClicked.connect(lambda row, _column: self._open(row))
        self.table.activated_row.connect(self._open)
        layout.addWidget(self.table, 1)
        self.count_label = QLabel("")
        self.count_label.setObjectName("hint")
        layout.addWidget(self.count_label)
        outer.addWidget(frame, 1)

    def show_picker(self, data: ConsultPicker) -> None:
        """Show the episodes (already in the order described above)."""
        self.rows = list(data.rows)
        self._filter()

    def _filter(self) -> None:
        needle = self.search.text().strip().lower()
        self.shown = [
            r
            for r in self.rows
            if (not self.open_only.isChecked() or r.status == "open")
            and (not needle or needle in r.client.lower())
        ]
        table = self.table
        table.setRowCount(len(self.shown))
        icons = {name: signal_icon(name) for name in SIGNAL_WORDS}
        for r, row in enumerate(self.shown):
            brief = row.brief_updated.strftime("%d %b %Y") if row.brief_updated else ""
            last = (
                dt.date.fromisoformat(row.last_date).strftime("%d %b %Y") if row.last_date else "–"
            )
            cells = (
                SIGNAL_WORDS.get(row.signal, row.signal),
                row.client,
                row.episode,
                str(row.sessions),
                last,
                row.status.capitalize(),
                (row.category or "–").capitalize(),
                SIGNAL_WORDS.get(row.alliance, row.alliance),
                brief,
            )
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 0:
                    item.setIcon(icons.get(row.signal, icons["none"]))
                if c == 7:
                    item.setIcon(icons.get(row.alliance, icons["none"]))
                if c == 3:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                table.setItem(r, c, item)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        if self.shown:
            table.selectRow(0)
        total = len(self.rows)
        self.count_label.setText(
            f"{len(self.shown):,} of {total:,} episode{'s' if total != 1 else ''} shown"
            if total
            else "No episodes with scores yet: import your data or add sessions on a client's page."
        )
        self.open_button.setEnabled(bool(self.shown))

    def _open_current(self) -> None:
        self._open(self.table.currentRow())

    def _open_first(self) -> None:
        if self.shown:
            self._open(0)

    def _open(self, row: int) -> None:
        if 0 <= row < len(self.shown):
            chosen = self.shown[row]
            self.chosen.emit(chosen.client, chosen.episode_id)
