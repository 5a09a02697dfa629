"""The Clients screen: every episode of care with its signal, sortable and filterable."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QIcon, QKeyEvent, QPainter, QPixmap, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
)

from practice_app.gui.registry import ScreenSpec
from practice_app.gui.screens.base import Screen, ScreenContext
from practice_app.services.client_page import ClientList, ListRow, ending_text

SIGNAL_COLOURS = {"red": "#c62828", "orange": "#ef8f00", "green": "#2e7d32", "none": "#b0bec5"}
SIGNAL_WORDS = {"red": "Red", "orange": "Orange", "green": "Green", "none": "None"}
SIGNAL_RANK = {"red": 3, "orange": 2, "green": 1, "none": 0}
SIGNAL_HELP = {
    "red": "Not on track: reliably worse than intake, or below the expected fail line",
    "orange": "At risk: no improvement yet, or between the expected lines",
    "green": "On track",
    "none": "No signal: fewer than two measurements",
}
ModelIndex = QModelIndex | QPersistentModelIndex

COLUMNS = (
    ("signal", "Signal"),
    ("client", "Client"),
    ("episode", "Episode"),
    ("intake", "Intake"),
    ("latest", "Latest"),
    ("change", "Change"),
    ("sessions", "Sessions"),
    ("last", "Last seen"),
    ("status", "Status / ending"),
    ("category", "Category"),
    ("alliance", "Alliance"),
)
COLUMN = {key: i for i, (key, _) in enumerate(COLUMNS)}


def signal_icon(signal: str, size: int = 12) -> QIcon:
    """A coloured dot for a signal (always shown beside the signal's word)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(SIGNAL_COLOURS.get(signal, SIGNAL_COLOURS["none"])))
    painter.drawEllipse(1, 1, size - 2, size - 2)
    painter.end()
    return QIcon(pixmap)


def _score(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "–"
    return f"{value:+.1f}" if signed else f"{value:.1f}"


class EpisodeTableModel(QAbstractTableModel):
    """Plain episode rows for a table; ``Qt.UserRole`` gives the sort key of a cell."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[ListRow] = []
        self.instrument = "ORS"
        self.sort_column = -1
        self.sort_order = Qt.SortOrder.AscendingOrder
        self._icons = {name: signal_icon(name) for name in SIGNAL_COLOURS}

    def set_rows(self, rows: list[ListRow], instrument: str | None) -> None:
        """Replace every row (kept in the current sort order)."""
        self.beginResetModel()
        self.rows = list(rows)
        self.instrument = instrument or "–"
        self._sort_rows()
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort the rows by one column.

        Done here, in one Python sort on precomputed keys, rather than by the proxy:
        the proxy's comparisons call ``data()`` twice per comparison, which takes seconds
        on the GUI thread with 30,000 episodes.
        """
        if not 0 <= column < len(COLUMNS):
            return
        self.sort_column, self.sort_order = column, order
        self.beginResetModel()
        self._sort_rows()
        self.endResetModel()

    def _sort_rows(self) -> None:
        if self.sort_column < 0:
            return
        key = COLUMNS[self.sort_column][0]
        self.rows.sort(
            key=lambda r: self._sort_key(r, key),
            reverse=self.sort_order == Qt.SortOrder.DescendingOrder,
        )

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        """Number of episodes."""
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        """Number of columns."""
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles, with the instrument in the score columns' tooltips."""
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        key, title = COLUMNS[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return title
        if role == Qt.ItemDataRole.ToolTipRole:
            return {
                "signal": f"Current outcome signal on the {self.instrument}",
                "intake": f"First {self.instrument} score of the episode",
                "latest": f"Latest {self.instrument} score",
                "change": f"Latest minus intake on the {self.instrument}, in the better direction",
                "sessions": "Sessions held (scored or not)",
                "last": "Date of the latest session",
                "status": "Open, or how the episode ended (inactive: no session for 45 days)",
                "category": "Change category: recovered, improved, unchanged, deteriorated, harmed",
                "alliance": "Current alliance signal (SRS: red below 36, orange after a drop)",
            }.get(key)
        return None

    def row_at(self, row: int) -> ListRow:
        """The episode on a source row."""
        return self.rows[row]

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Display text, sort keys, signal dots and tooltips."""
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        key = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(r, key)
        if role == Qt.ItemDataRole.UserRole:
            return self._sort_key(r, key)
        if role == Qt.ItemDataRole.DecorationRole and key in ("signal", "alliance"):
            return self._icons[getattr(r, key)]
        if role == Qt.ItemDataRole.ToolTipRole and key in ("signal", "alliance"):
            return SIGNAL_HELP[getattr(r, key)]
        if role == Qt.ItemDataRole.TextAlignmentRole and key in (
            "intake",
            "latest",
            "change",
            "sessions",
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and key == "status" and r.status == "open":
            return QBrush(QColor("#2f6f73"))
        return None

    @staticmethod
    def _text(r: ListRow, key: str) -> str:
        if key in ("signal", "alliance"):
            return SIGNAL_WORDS[getattr(r, key)]
        if key == "client":
            return r.client
        if key == "episode":
            return r.episode
        if key in ("intake", "latest"):
            return _score(getattr(r, key))
        if key == "change":
            return _score(r.change, signed=True)
        if key == "sessions":
            return str(r.sessions)
        if key == "last":
            return dt.date.fromisoformat(r.last_date).strftime("%d %b %Y") if r.last_date else "–"
        if key == "status":
            return ending_text(r.ending)
        if key == "category":
            return (r.category or "–").capitalize()
        return ""

    @staticmethod
    def _sort_key(r: ListRow, key: str) -> Any:
        if key in ("signal", "alliance"):
            return SIGNAL_RANK[getattr(r, key)]
        if key in ("intake", "latest", "change"):
            value = getattr(r, key)
            return -1e9 if value is None else value
        if key == "sessions":
            return r.sessions
        if key == "last":
            return r.last_date or ""
        if key == "status":
            return f"{int(r.status != 'open')}{ending_text(r.ending)}"
        if key == "episode":
            return f"{r.episode.zfill(12)}{r.episode_id:012d}"
        return EpisodeTableModel._text(r, key)


class EpisodeFilter(QSortFilterProxyModel):
    """Keeps the episodes matching the search text, the signal and the status."""

    def __init__(self) -> None:
        super().__init__()
        self.text = ""
        self.signal = ""
        self.status = ""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Let the source model sort (fast); this proxy only filters."""
        model = self.sourceModel()
        if isinstance(model, EpisodeTableModel):
            model.sort(column, order)

    def set_filters(self, text: str, signal: str, status: str) -> None:
        """Apply new filter values ("" means any)."""
        self.beginFilterChange()
        self.text, self.signal, self.status = text.strip().lower(), signal, status
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: ModelIndex) -> bool:
        """Whether one episode passes the filters."""
        model = self.sourceModel()
        assert isinstance(model, EpisodeTableModel)
        r = model.row_at(source_row)
        if self.text and self.text not in r.client.lower() and self.text not in r.episode.lower():
            return False
        if self.signal and r.signal != self.signal:
            return False
        return not (self.status and r.status != self.status)


class EpisodeTable(QTableView):
    """The episode table; Enter opens the current episode like a double-click."""

    open_requested = Signal(QModelIndex)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter or Return opens the current row."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.open_requested.emit(self.currentIndex())
            return
        super().keyPressEvent(event)


class ClientsScreen(Screen):
    """Filters, a summary line and the episode table."""

    def __init__(self, context: ScreenContext, spec: ScreenSpec, argument: str | None = None):
        super().__init__(context, spec, argument)
        self.data: ClientList | None = None
        self.model = EpisodeTableModel()
        self.proxy = EpisodeFilter()
        self.proxy.setSourceModel(self.model)
        self.layout_.addLayout(self._build_filters())
        frame = QFrame()
        frame.setObjectName("panel")
        inner = QVBoxLayout(frame)
        inner.setContentsMargins(1, 1, 1, 1)
        self.table = EpisodeTable()
        self.table.setObjectName("episodeTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(28)
        self.table.setStyleSheet(
            "QTableView { border: none; background: #ffffff; alternate-background-color: #f7f9fa;"
            " selection-background-color: #d7e8e9; selection-color: #263238; }"
            "QHeaderView::section { background: #eef1f3; color: #37474f; border: none;"
            " border-bottom: 1px solid #dde2e6; padding: 6px 8px; font-weight: 600; }"
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        for key in ("status", "category"):
            header.setSectionResizeMode(COLUMN[key], QHeaderView.ResizeMode.ResizeToContents)
        header.setMinimumSectionSize(70)
        self.table.setWordWrap(False)
        header.setHighlightSections(False)
        self.table.open_requested.connect(self._open_index)
        self.table.doubleClicked.connect(self._open_index)
        inner.addWidget(self.table)
        self.layout_.addWidget(frame, 1)
        self.hint = QLabel(
            "Double-click an episode, or select it and press Enter, to open the client's page."
        )
        self.hint.setObjectName("hint")
        self.layout_.addWidget(self.hint)
        # Sessions added, undone or episodes closed elsewhere change the signals: every such
        # write goes through the shared undo stack, so its index moving marks the list stale.
        self.stale = False
        context.undo_stack.indexChanged.connect(self._mark_stale)

    def subtitle(self) -> str:
        """Header line before the data has loaded."""
        return "Loading…"

    def _mark_stale(self) -> None:
        self.stale = True

    def showEvent(self, event: QShowEvent) -> None:
        """Reload when shown again after a write elsewhere (a new session, a closed episode)."""
        super().showEvent(event)
        if self.stale and self.loaded and not self.loading:
            self.stale = False
            self.reload()

    def _build_filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(10)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search client code or episode…")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(240)
        self.search.setAccessibleName("Search client code")
        self.signal_filter = QComboBox()
        self.signal_filter.setAccessibleName("Signal filter")
        self.signal_filter.addItem("Any signal", "")
        for name in ("red", "orange", "green", "none"):
            label = "No signal" if name == "none" else SIGNAL_WORDS[name]
            self.signal_filter.addItem(signal_icon(name), label, name)
        self.status_filter = QComboBox()
        self.status_filter.setAccessibleName("Status filter")
        self.status_filter.addItem("Open and closed", "")
        self.status_filter.addItem("Open only", "open")
        self.status_filter.addItem("Closed only", "closed")
        self.summary = QLabel("")
        self.summary.setObjectName("hint")
        self.summary.setWordWrap(True)
        for widget in (self.search, self.signal_filter, self.status_filter):
            row.addWidget(widget)
        row.addWidget(self.summary, 1)
        self.search.textChanged.connect(self._filter)
        self.signal_filter.currentIndexChanged.connect(self._filter)
        self.status_filter.currentIndexChanged.connect(self._filter)
        return row

    def show_data(self, data: ClientList) -> None:
        """Fill the table and the summary line."""
        self.data = data
        self.model.set_rows(list(data.rows), data.instrument)
        if not self.loaded:
            self.table.sortByColumn(COLUMN["last"], Qt.SortOrder.DescendingOrder)
        if not data.rows:
            self.subtitle_label.setText("No episodes yet: import a file or load the demo data.")
        else:
            lead = f"Outcome signal on the {data.instrument}" if data.instrument else "No outcome"
            ally = f" · alliance on the {data.alliance}" if data.alliance else ""
            self.subtitle_label.setText(f"{lead}{ally} · {data.model}")
        self._filter()

    def _filter(self) -> None:
        self.proxy.set_filters(
            self.search.text(),
            str(self.signal_filter.currentData() or ""),
            str(self.status_filter.currentData() or ""),
        )
        self._summarise()

    def _summarise(self) -> None:
        rows = self.model.rows
        shown = self.proxy.rowCount()
        count = {s: sum(r.signal == s for r in rows) for s in SIGNAL_COLOURS}
        opened = sum(r.status == "open" for r in rows)
        parts = [
            f"{len(rows):,} episodes",
            f"{opened:,} open",
            f"{count['red']:,} red",
            f"{count['orange']:,} orange",
            f"{count['green']:,} green",
        ]
        text = " · ".join(parts)
        if shown != len(rows):
            text = f"Showing {shown:,} of {text}"
        self.summary.setText(text)

    def visible_rows(self) -> list[ListRow]:
        """The episodes in table order (what the user sees)."""
        return [
            self.model.row_at(self.proxy.mapToSource(self.proxy.index(i, 0)).row())
            for i in range(self.proxy.rowCount())
        ]

    def _open_index(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        row = self.model.row_at(self.proxy.mapToSource(index).row())
        self.context.open_view(f"client:{row.client}")


__all__ = ["ClientsScreen", "EpisodeTableModel", "signal_icon"]
