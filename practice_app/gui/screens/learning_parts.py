"""Building blocks of the Learning screen: panels, lists of wrapped sentences, undoable writes."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QKeyEvent,
    QPainter,
    QPalette,
    QResizeEvent,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
)

from practice_app.gui.screens.clients import SIGNAL_WORDS, signal_icon
from practice_app.services.learning_view import EpisodeItem

EPISODE_COLUMNS = ("Client · episode", "Sessions", "First – last", "Ending", "Outcome")
SHORT_ENDINGS = {"": "Open", "planned": "Planned", "stopped": "Stopped coming"}
"""Endings short enough for the drill-down table (the others are short already)."""
HTML_ROLE = Qt.ItemDataRole.UserRole + 1
"""Item data holding the rich text a wrapped list draws (plain text stays in DisplayRole)."""
PAD_X, PAD_Y = 8, 7


class WrappedLabel(QLabel):
    """A word-wrapped label that keeps the height its text needs at its current width.

    A layout asks a wrapped label only for its width-free size hint, so a crowded
    column squeezes it and cuts lines off; pinning the minimum height prevents that.
    """

    def __init__(self, text: str = "") -> None:
        super().__init__(text)
        self.setWordWrap(True)

    def setText(self, text: str) -> None:
        """Set the text and the height it needs."""
        super().setText(text)
        self._fit()

    def resizeEvent(self, event: Any) -> None:
        """Fit the height to the new width."""
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        height = self.heightForWidth(max(self.width(), 1))
        if height > 0 and height != self.minimumHeight():
            self.setMinimumHeight(height)


def hint(text: str = "") -> QLabel:
    """A grey, wrapping explanatory line."""
    label = WrappedLabel(text)
    label.setObjectName("hint")
    return label


class WrapDelegate(QStyledItemDelegate):
    """Draws an item's rich text wrapped to the list's width, so no sentence is cut off.

    QListView's own word wrap sizes rows before the scroll bar takes its width and then
    elides; measuring a QTextDocument at the viewport's width avoids both.
    """

    def __init__(self, view: QListWidget) -> None:
        super().__init__(view)
        self.view = view

    def _document(self, index: QModelIndex | QPersistentModelIndex, width: int) -> QTextDocument:
        doc = QTextDocument()
        doc.setDefaultFont(self.view.font())
        text = index.data(HTML_ROLE)
        if text is None:
            text = html.escape(str(index.data(Qt.ItemDataRole.DisplayRole) or "")).replace(
                "\n", "<br>"
            )
        doc.setHtml(str(text))
        doc.setTextWidth(max(width, 80))
        return doc

    def _width(self) -> int:
        return self.view.viewport().width() - 2 * PAD_X - 2

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        """The wrapped text's height at the list's current width."""
        doc = self._document(index, self._width())
        return QSize(self._width(), int(doc.size().height()) + 2 * PAD_Y)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        """Background as the style draws it, then the wrapped text."""
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else self.view.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        rect = option.rect
        doc = self._document(index, self._width())  # the width sizeHint measured at
        painter.save()
        painter.translate(rect.left() + PAD_X, rect.top() + PAD_Y)
        context = QAbstractTextDocumentLayout.PaintContext()
        colour = option.palette.color(QPalette.ColorRole.Text)
        context.palette.setColor(QPalette.ColorRole.Text, colour)
        context.clip = QRectF(0, 0, rect.width(), rect.height())
        doc.documentLayout().draw(painter, context)
        painter.restore()


class WrapList(QListWidget):
    """A list whose rows are measured again at once whenever its width changes.

    QListView otherwise re-lays its items out on a timer after a resize, and a
    screenshot or a quick look in between shows rows measured for another width.
    """

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Measure every row at the new width now."""
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.doItemsLayout()


def wrap_list(name: str) -> QListWidget:
    """A list of wrapped sentences, one per item, with no horizontal scrolling."""
    widget = WrapList()
    widget.setAccessibleName(name)
    widget.setItemDelegate(WrapDelegate(widget))
    widget.setUniformItemSizes(False)
    widget.setResizeMode(QListWidget.ResizeMode.Adjust)
    widget.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    # A scroll bar that comes and goes would change the width the rows were measured at.
    widget.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
    widget.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    widget.setStyleSheet(
        "QListWidget { border: none; background: #ffffff; outline: 0; }"
        "QListWidget::item { border-bottom: 1px solid #eef1f3; color: #263238; }"
        "QListWidget::item:hover { background: #f3f7f7; }"
        "QListWidget::item:selected { background: #d7e8e9; color: #263238; }"
    )
    return widget


def add_item(widget: QListWidget, text: str, rich: str, data: Any = None) -> QListWidgetItem:
    """Append an item: plain ``text`` (for search and accessibility), ``rich`` drawn."""
    item = QListWidgetItem(text)
    item.setData(HTML_ROLE, rich)
    if data is not None:
        item.setData(Qt.ItemDataRole.UserRole, data)
    widget.addItem(item)
    return item


def add_section(widget: QListWidget, title: str, note: str = "") -> QListWidgetItem:
    """A heading inside a list (not selectable), with an optional grey note."""
    rich = f"<b style='color:#37474f'>{html.escape(title)}</b>"
    if note:
        rich += f"<br><span style='color:#78909c'>{html.escape(note)}</span>"
    item = add_item(widget, f"{title}\n{note}".strip(), rich)
    item.setFlags(Qt.ItemFlag.NoItemFlags)
    return item


class EpisodeTable(QTableWidget):
    """The episodes behind a pattern; double-click or Enter asks to open one (by row)."""

    open_requested = Signal(int)

    def __init__(self) -> None:
        super().__init__(0, len(EPISODE_COLUMNS))
        self.setAccessibleName("Episodes behind the pattern")
        self.setHorizontalHeaderLabels(list(EPISODE_COLUMNS))
        self.verticalHeader().hide()
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setShowGrid(False)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setStyleSheet(
            "QTableWidget { border: none; background: #ffffff; alternate-background-color: #f7f9fa;"
            " selection-background-color: #d7e8e9; selection-color: #263238; }"
            "QHeaderView::section { background: #eef1f3; color: #37474f; border: none;"
            " border-bottom: 1px solid #dde2e6; padding: 4px 6px; font-weight: 600; }"
        )
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.cellDoubleClicked.connect(lambda row, _col: self.open_requested.emit(row))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter or Return opens the current episode, like a double-click."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentRow() >= 0:
            self.open_requested.emit(self.currentRow())
            return
        super().keyPressEvent(event)

    def set_episodes(self, rows: list[EpisodeItem], flagged: frozenset[int]) -> None:
        """Show ``rows``; the flagged ones in bold; the signal as a dot beside the outcome."""
        self.setRowCount(0)
        self.setRowCount(len(rows))
        for row, e in enumerate(rows):
            cells = (
                f"{e.client} · {e.episode}",
                str(e.sessions),
                e.span,
                SHORT_ENDINGS.get(e.ending, e.ending_text),
                (e.category or "–").capitalize(),
            )
            for col, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if e.episode_id in flagged:
                    font = cell.font()
                    font.setBold(True)
                    cell.setFont(font)
                if col == len(cells) - 1:
                    cell.setIcon(signal_icon(e.signal))
                    word = SIGNAL_WORDS.get(e.signal, e.signal)
                    cell.setToolTip(f"Outcome signal: {word}; change category: {text.lower()}")
                self.setItem(row, col, cell)


__all__ = [
    "HTML_ROLE",
    "EpisodeTable",
    "WrappedLabel",
    "add_item",
    "add_section",
    "hint",
    "wrap_list",
]
