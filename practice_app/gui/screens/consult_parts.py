"""Widgets of the consultation brief: panels, the item-score table, the brief editors.

Every text the therapist or an import wrote (notes, lessons, what was tried) is
HTML-escaped before it reaches a rich-text label, so markup in it shows as typed.
"""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QGridLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
)

from practice_app.gui.screens.clients import SIGNAL_COLOURS
from practice_app.gui.session_entry import short_name as short_item
from practice_app.services.consult import (
    ConsultBriefView,
    ItemRow,
    ItemTable,
    LessonNote,
    SessionNote,
    SignalNote,
)

LOW_BRUSH = "#fde2e1"
MUTED = "#607d8b"


def day(value: dt.date | None) -> str:
    """A date as "24 Nov 2026" ("–" when unknown)."""
    return value.strftime("%d %b %Y") if value else "–"


def score(value: float | None, signed: bool = False) -> str:
    """One decimal, signed for changes, "–" when absent."""
    if value is None:
        return "–"
    return f"{value:+.1f}" if signed else f"{value:.1f}"


def clear(layout: QLayout) -> None:
    """Remove and delete every widget of ``layout``."""
    while layout.count():
        taken = layout.takeAt(0)
        widget = taken.widget() if taken is not None else None
        if widget is not None:
            widget.deleteLater()


def wrapped(text: str, name: str = "") -> QLabel:
    """A word-wrapped rich-text label (the caller escapes any free text)."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        label.setObjectName(name)
    return label


def signal_html(note: SignalNote) -> str:
    """A coloured dot, the alert in bold and what it rests on."""
    colour = SIGNAL_COLOURS.get(note.level, SIGNAL_COLOURS["none"])
    return (
        f"<span style='color:{colour}; font-size:13pt'>●</span> "
        f"<b>{html.escape(note.title)}</b><br>"
        f"<span style='color:{MUTED}'>{html.escape(note.text)}</span>"
    )


def lesson_html(lesson: LessonNote) -> str:
    """One lesson: date and episode, what the client taught, then the follow-ups."""
    where = f" · episode {html.escape(lesson.episode)}" if lesson.episode else ""
    parts = [
        f"<span style='color:{MUTED}'>{day(lesson.date)}{where}</span><br>"
        f"<b>{html.escape(lesson.taught)}</b>"
    ]
    if lesson.new_or_different:
        parts.append(f"New or different: {html.escape(lesson.new_or_different)}")
    if lesson.will_practise:
        parts.append(f"I will practise: {html.escape(lesson.will_practise)}")
    if lesson.tags:
        parts.append(
            f"<span style='color:{MUTED}'>Tags: {html.escape(', '.join(lesson.tags))}</span>"
        )
    return "<br>".join(parts)


def note_html(note: SessionNote) -> str:
    """One session note with its session number and date."""
    text = html.escape(note.text).replace("\n", "<br>")
    when = f"<span style='color:{MUTED}'>· {day(note.date)}</span>"
    return f"<b>Session {note.session}</b> {when}<br>{text}"


Fact = tuple[str, str, str]
"""(key, value, tooltip saying what the value rests on)."""


def facts(grid: QGridLayout, rows: list[Fact]) -> dict[str, QLabel]:
    """Fill a two-column key/value grid; return the value labels by key."""
    clear(grid)
    labels = {}
    for r, (key, value, tip) in enumerate(rows):
        k = QLabel(key)
        k.setObjectName("hint")
        v = QLabel(value)
        v.setTextFormat(Qt.TextFormat.PlainText)  # codes and labels come from imports
        v.setWordWrap(True)
        v.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for label in (k, v):
            label.setToolTip(tip)
        labels[key] = v
        grid.addWidget(k, r, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(v, r, 1)
    grid.setColumnStretch(1, 1)
    return labels


def summary_rows(view: ConsultBriefView) -> list[Fact]:
    """The episode summary as (key, value, tooltip) rows."""
    status = view.status + (f" · ended {day(view.end_date)}" if view.end_date else "")
    rows = [
        ("Client", f"{view.code} (code only)", "Clients are known by a code; no name is stored"),
        ("Episode", f"{view.episode_label} · {status}", "The episode's case id and its ending"),
        (
            "Sessions",
            f"{view.sessions} ({day(view.first_date)} – {day(view.last_date)})"
            if view.sessions
            else "none yet",
            "Sessions recorded in this episode, first and latest date",
        ),
        ("Therapist", view.therapist, "The therapist's code"),
    ]
    for i in view.instruments:
        if i.role == "outcome":
            change = f"{score(i.intake)} → {score(i.latest)} ({score(i.change, True)})"
            rc = f"{i.reliable_change:g}" if i.reliable_change is not None else "–"
            cutoff = f"{i.cutoff:g}" if i.cutoff is not None else "–"
            rows.append(
                (
                    i.name,
                    change,
                    f"Intake (first measurement) → latest measurement (change, {i.measurements} "
                    "measurements)",
                )
            )
            rows.append(
                (
                    "Category",
                    (i.category or "not yet (one measurement)").capitalize(),
                    f"Jacobson & Truax: a change of {rc} points or more is reliable; recovered "
                    f"means reliably improved and across the cutoff {cutoff}",
                )
            )
        else:
            rows.append(
                (
                    i.name,
                    f"latest {score(i.latest)} (first {score(i.intake)})",
                    f"Alliance: the latest and the first of {i.measurements} totals",
                )
            )
    outcome = view.outcome
    if outcome is not None:
        rows.append(("Model", outcome.model, "What the signal and the expected lines rest on"))
    return rows


def fill_items(table: QTableWidget, tables: tuple[ItemTable, ...]) -> None:
    """Every session's item scores and totals, latest session first; weak SRS items marked."""
    headers = ["#", "Date"]
    tips = ["Session number", "Session date"]
    for t in tables:
        headers += [f"{t.instrument}\n{short_item(i)}" for i in t.items] + [
            f"{t.instrument}\ntotal"
        ]
        tips += [f"{t.instrument}: {i}" for i in t.items] + [f"{t.instrument} total"]
    by_session: dict[int, dict[str, ItemRow]] = {}
    dates: dict[int, dt.date | None] = {}
    for t in tables:
        for item_row in t.rows:
            by_session.setdefault(item_row.session, {})[t.instrument] = item_row
            dates[item_row.session] = item_row.date
    table.clear()
    table.setColumnCount(len(headers))
    table.setHorizontalHeaderLabels(headers)
    for c, tip in enumerate(tips):
        item = table.horizontalHeaderItem(c)
        if item is not None:
            item.setToolTip(tip)
    numbers = sorted(by_session, reverse=True)
    table.setRowCount(len(numbers))
    bold = QFont()
    bold.setBold(True)
    for r, number in enumerate(numbers):
        found = by_session[number]
        date = dates[number]
        cells: list[tuple[str, bool]] = [
            (str(number), False),
            (date.strftime("%d %b %y") if date else "–", False),
        ]
        for t in tables:
            row = found.get(t.instrument)
            if row is None:
                cells += [("–", False)] * (len(t.items) + 1)
                continue
            cells += [(score(v), low) for v, low in zip(row.values, row.low, strict=True)]
            cells.append((score(row.total), False))
        for c, (text, low) in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if low:
                item.setBackground(QBrush(QColor(LOW_BRUSH)))
                item.setFont(bold)
                item.setToolTip("Below the cutoff shared over the items: a weak spot to ask about")
            table.setItem(r, c, item)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    for c in (0, 1):
        header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
    table.verticalHeader().setDefaultSectionSize(24)


def fit_rows(table: QTableWidget, most: int) -> None:
    """Make ``table`` tall enough for its rows (at most ``most``; beyond that it scrolls)."""
    rows = max(1, min(table.rowCount(), most))
    header = table.horizontalHeader().sizeHint().height()
    height = header + rows * table.verticalHeader().defaultSectionSize() + 2 * table.frameWidth()
    table.setFixedHeight(height + 4)


def item_table() -> QTableWidget:
    """A read-only table styled like the client page's item table."""
    table = QTableWidget()
    table.setObjectName("itemTable")
    table.setAccessibleName("Item scores")
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.setAlternatingRowColors(True)
    table.setStyleSheet(
        "QTableWidget { border: none; alternate-background-color: #f7f9fa; }"
        "QHeaderView::section { background: #eef1f3; color: #37474f; border: none;"
        " padding: 3px 2px; font-weight: 600; font-size: 8pt; }"
    )
    return table


def brief_editor(name: str, placeholder: str) -> QPlainTextEdit:
    """A plain-text field of the brief (Tab moves on to the next field)."""
    editor = QPlainTextEdit()
    editor.setAccessibleName(name)
    editor.setObjectName("briefEditor")
    editor.setPlaceholderText(placeholder)
    editor.setTabChangesFocus(True)
    editor.setMinimumHeight(120)
    editor.setMaximumHeight(220)
    return editor
