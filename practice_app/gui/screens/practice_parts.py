"""Parts of the Practice screen's Journal & plan tab: the journal table model, the plan panel.

The table model holds plain ``EntryRow``s (set with ``set_rows``); the plan panel
shows the current focus, the chosen objective with its success criteria and dates,
and its review: the outcome figures of the 12 months before it started beside the
episodes that ended since, with the change coloured by which way is better.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from practice_app.services.plan import FIGURES, ObjectiveReview, ObjectiveRow, Snapshot
from practice_app.services.practice import DIFFICULTY_LABELS, SHORT_LABELS, EntryRow, PeriodTotal

ModelIndex = QModelIndex | QPersistentModelIndex

COLUMNS = (
    ("date", "Date"),
    ("minutes", "Min"),
    ("activity", "Activity"),
    ("domain", "Domain"),
    ("objective", "Objective"),
    ("difficulty", "Difficulty"),
    ("rating", "Rating"),
    ("feedback", "Feedback"),
    ("clients", "Clients"),
    ("notes", "Notes"),
)
COLUMN = {key: i for i, (key, _) in enumerate(COLUMNS)}
LOWER_IS_BETTER = {"deteriorated", "not_on_track", "dropout"}
REVIEW_FIGURES = ("effect_size", "saes", "reliably_improved", "not_on_track", "dropout")
GOOD, BAD, TEXT = "#2e7d32", "#c62828", "#455a64"
ALL = "all"
NO_DOMAIN = "(none)"


def hint(text: str = "") -> QLabel:
    """A small grey wrapped label."""
    label = QLabel(text)
    label.setObjectName("hint")
    label.setWordWrap(True)
    return label


def filter_entries(
    entries: Iterable[EntryRow],
    *,
    since: dt.date | None,
    activity: str | None,
    domain: str | None,
    words: list[str],
) -> list[EntryRow]:
    """The entries from ``since`` with that activity and domain holding every word."""
    out = []
    for e in entries:
        if since is not None and e.date < since:
            continue
        if activity not in (None, ALL) and e.activity != activity:
            continue
        if domain == NO_DOMAIN and e.domain is not None:
            continue
        if domain not in (None, ALL, NO_DOMAIN) and e.domain != domain:
            continue
        if words:
            text = " ".join(
                (e.notes or "", e.activity_label, e.domain or "", e.objective_title or "",
                 " ".join(e.clients), e.feedback_source or "")
            ).lower()  # fmt: skip
            if not all(w in text for w in words):
                continue
        out.append(e)
    return out


def week_text(weeks: Sequence[PeriodTotal], target_minutes: int, filtered: bool) -> str:
    """This week against the target, and the weeks before it, in one line."""
    if not weeks:
        return "No practice logged yet. Log your first entry with Ctrl+L."
    target = target_minutes / 60
    done = weeks[:-1]
    average = sum(w.minutes for w in done) / 60 / len(done) if done else 0.0
    reached = sum(1 for w in done if w.minutes / 60 >= target)
    text = f"This week so far: {weeks[-1].minutes / 60:.1f} h"
    if target > 0:
        text += f" of your {target:.1f} h target"
    if done:
        text += f" · before it: {average:.1f} h a week on average"
        if target > 0:
            text += f", {reached} of {len(done)} weeks at target"
    return text + (" (filtered)" if filtered else "")


class JournalTable(QTableView):
    """The journal table: Enter edits the current entry, Delete deletes the selected ones."""

    def __init__(self, edit: Callable[[], Any], delete: Callable[[], Any]) -> None:
        super().__init__()
        self._edit, self._delete = edit, delete
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._context_menu)

    def _context_menu(self, pos: Any) -> None:
        if not self.indexAt(pos).isValid():
            return
        menu = QMenu(self)
        edit = QAction("Edit…", menu)
        edit.triggered.connect(self._edit)
        delete = QAction("Delete", menu)
        delete.setShortcut(QKeySequence.StandardKey.Delete)
        delete.triggered.connect(self._delete)
        menu.addActions([edit, delete])
        menu.popup(self.viewport().mapToGlobal(pos))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter edits; Delete or Backspace deletes."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._edit()
            return
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self._delete()
            return
        super().keyPressEvent(event)


class JournalModel(QAbstractTableModel):
    """Journal entries for a table, newest first; ``Qt.UserRole`` gives a cell's sort key."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[EntryRow] = []

    def set_rows(self, rows: list[EntryRow]) -> None:
        """Replace every row (newest first)."""
        self.beginResetModel()
        self.rows = sorted(rows, key=lambda e: (e.date, e.id), reverse=True)
        self.endResetModel()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        """Number of entries shown."""
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        """Number of columns."""
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][1] if 0 <= section < len(COLUMNS) else None
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return {
                "minutes": "Minutes of practice",
                "rating": "Your self-rating, 0-10",
                "domain": "Taxonomy of Deliberate Practice Activities (Chow & Miller)",
            }.get(COLUMNS[section][0])
        return None

    def entry(self, row: int) -> EntryRow:
        """The entry on a row."""
        return self.rows[row]

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell text, sort key, tooltip and alignment."""
        if not index.isValid():
            return None
        e = self.rows[index.row()]
        key = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(e, key)
        if role == Qt.ItemDataRole.UserRole:
            return self._sort_key(e, key)
        if role == Qt.ItemDataRole.ToolTipRole:
            if key == "activity":
                return e.activity_label
            if key == "date":
                return f"{e.date:%A %d %B %Y}"
            if key in ("notes", "objective"):
                return self._text(e, key) or None
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and key in ("minutes", "rating"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _text(e: EntryRow, key: str) -> str:
        if key == "date":
            return f"{e.date:%d %b %Y}"
        if key == "minutes":
            return str(e.minutes)
        if key == "activity":
            return SHORT_LABELS.get(e.activity, e.activity_label)
        if key == "objective":
            return e.objective_title or ""
        if key == "difficulty":
            return DIFFICULTY_LABELS.get(e.difficulty or "", "")
        if key == "rating":
            return "" if e.self_rating is None else f"{e.self_rating:g}"
        if key == "feedback":
            return (e.feedback_source or "").capitalize()
        if key == "clients":
            return " ".join(e.clients)
        return str(getattr(e, key) or "")

    @staticmethod
    def _sort_key(e: EntryRow, key: str) -> Any:
        if key == "date":
            return e.date.toordinal() * 1_000_000 + e.id
        if key == "minutes":
            return e.minutes
        if key == "rating":
            return -1.0 if e.self_rating is None else e.self_rating
        return JournalModel._text(e, key).lower()


def _figure(snapshot: Snapshot | None, key: str) -> str:
    if snapshot is None:
        return "–"
    value = snapshot.value(key)
    if value is None:
        return "–"
    return f"{value:.1f}%" if key not in ("effect_size", "saes") else f"{value:.2f}"


def _change(key: str, change: float | None) -> tuple[str, str]:
    if change is None:
        return "–", TEXT
    text = f"{change:+.1f} pts" if key not in ("effect_size", "saes") else f"{change:+.2f}"
    if abs(change) < 1e-9:
        return text, TEXT
    better = change < 0 if key in LOWER_IS_BETTER else change > 0
    return text, GOOD if better else BAD


def _snapshot_tip(label: str, s: Snapshot | None) -> str:
    if s is None:
        return f"{label}: not started yet"
    head = f"{label}: {s.n} {s.instrument} episodes ended {s.since:%d %b %Y} to {s.until:%d %b %Y}"
    if not s.enough:
        return f"{head}\n{s.reason or 'not enough data'} (a figure needs at least 10 episodes)"
    extra = []
    if s.effect_size_ci:
        extra.append(f"effect size 95% CI {s.effect_size_ci[0]:.2f} to {s.effect_size_ci[1]:.2f}")
    if s.saes_ci:
        extra.append(f"SAES 95% CI {s.saes_ci[0]:.2f} to {s.saes_ci[1]:.2f}")
    if s.recomputed:
        extra.append("recomputed from the data (the stored snapshot had an older form)")
    return "\n".join([head, *extra])


class PlanPanel(QFrame):
    """The development plan: current focus, one objective's details and its review."""

    add_requested = Signal()
    close_requested = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("panel")
        self.objectives: tuple[ObjectiveRow, ...] = ()
        self.reviews: dict[int, ObjectiveReview] = {}
        self.today = dt.date.today()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 10)
        layout.setSpacing(5)
        head = QHBoxLayout()
        title = QLabel("Development plan")
        title.setObjectName("sectionTitle")
        head.addWidget(title, 1)
        layout.addLayout(head)
        self.focus = QLabel()
        self.focus.setWordWrap(True)
        self.focus.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.focus)
        self.chooser = QComboBox()
        self.chooser.setAccessibleName("Objective shown")
        self.chooser.currentIndexChanged.connect(self._show_chosen)
        layout.addWidget(self.chooser)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.details)
        self.review_box = QWidget()
        self.grid = QGridLayout(self.review_box)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(12)
        self.grid.setVerticalSpacing(1)
        layout.addWidget(self.review_box)
        self.cells: dict[tuple[str, int], QLabel] = {}
        for c, text in enumerate(("", "12 months before", "Since start", "Change")):
            label = hint(text)
            label.setWordWrap(False)
            self.grid.addWidget(
                label,
                0,
                c,
                alignment=Qt.AlignmentFlag.AlignRight if c else Qt.AlignmentFlag.AlignLeft,
            )
        labels = dict(FIGURES)
        for r, key in enumerate((*REVIEW_FIGURES, "n"), start=1):
            name = QLabel(labels.get(key, "Episodes (n)").rstrip(" %"))
            self.grid.addWidget(name, r, 0)
            for c in (1, 2, 3):
                cell = QLabel("–")
                cell.setAlignment(Qt.AlignmentFlag.AlignRight)
                self.grid.addWidget(cell, r, c)
                self.cells[(key, c)] = cell
        self.note = hint()
        layout.addWidget(self.note)
        foot = QHBoxLayout()
        self.add_button = QPushButton("Add objective…")
        self.add_button.setToolTip("One focus at a time: a new focus area waits as planned")
        self.add_button.clicked.connect(self.add_requested)
        foot.addWidget(self.add_button)
        self.close_button = QPushButton("Close objective…")
        self.close_button.setToolTip("Mark the objective achieved or dropped, with a note")
        self.close_button.clicked.connect(self._close_clicked)
        foot.addStretch(1)
        foot.addWidget(self.close_button)
        layout.addLayout(foot)

    def set_plan(
        self,
        objectives: tuple[ObjectiveRow, ...],
        focus: str | None,
        reviews: dict[int, ObjectiveReview],
        today: dt.date,
    ) -> None:
        """Show the plan; keep the chosen objective if it is still there."""
        chosen = self.chooser.currentData()
        self.objectives, self.reviews, self.today = objectives, reviews, today
        planned = [o for o in objectives if o.status == "planned"]
        if focus:
            text = f"Current focus: <b>{_esc(focus)}</b>"
        else:
            text = "<b>No active focus.</b> Pick one area to work on and add an objective."
        if planned:
            text += f"<br><span style='color:#607d8b'>Waiting: {len(planned)} planned</span>"
        self.focus.setText(text)
        self.chooser.blockSignals(True)
        self.chooser.clear()
        for o in objectives:
            self.chooser.addItem(f"{o.status.capitalize()}: {o.title}", o.id)
        self.chooser.blockSignals(False)
        index = self.chooser.findData(chosen) if chosen is not None else -1
        self.chooser.setCurrentIndex(max(index, 0) if objectives else -1)
        self.chooser.setVisible(bool(objectives))
        self._show_chosen()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Give the wrapped labels the height their text needs at the new width."""
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        # A wrapped QLabel's minimum height ignores its width, so a squeezed column
        # would overlap the lines; ask for the height the text needs at this width.
        width = max(100, self.contentsRect().width() - 32)
        for label in (self.focus, self.details, self.note):
            label.setMinimumHeight(label.heightForWidth(width) if label.text() else 0)

    def chosen(self) -> ObjectiveRow | None:
        """The objective on show."""
        oid = self.chooser.currentData()
        return next((o for o in self.objectives if o.id == oid), None)

    def _show_chosen(self, *_: Any) -> None:
        o = self.chosen()
        self.close_button.setEnabled(o is not None and o.open)
        if o is None:
            self.details.setText(
                "Chow's advice: one focus at a time, with an objective you can check. "
                "When an objective starts, the app keeps a snapshot of your outcomes of the "
                "12 months before, so its review can show what changed."
            )
            self._fill(None)
            return
        dates = f"Started {o.start_date:%d %b %Y}" if o.status != "planned" else "Not started"
        if o.closed_date:
            dates += f" · closed {o.closed_date:%d %b %Y}"
        elif o.review_date:
            days = (o.review_date - self.today).days
            when = f"in {days} days" if days > 0 else "today" if days == 0 else "due"
            dates += f" · review {o.review_date:%d %b %Y} ({when})"
        parts = [f"<b>{_esc(o.title)}</b>"]
        if o.success_criteria:
            parts.append(f"Success: {_esc(o.success_criteria)}")
        where = f"{_esc(o.domain)} · " if o.domain else ""
        parts.append(
            f"<span style='color:#607d8b'>{where}{dates} · "
            f"{o.minutes / 60:.1f} h practised in {o.entries} entries</span>"
        )
        if o.review_note:
            parts.append(f"<i>{_esc(o.review_note)}</i>")
        self.details.setText("<br>".join(parts))
        self._fill(self.reviews.get(o.id))

    def _fill(self, review: ObjectiveReview | None) -> None:
        self.review_box.setVisible(review is not None)
        base = None if review is None else review.baseline
        now = None if review is None else review.since_start
        for key in (*REVIEW_FIGURES, "n"):
            if key == "n":
                values = ("–" if base is None else str(base.n), "–" if now is None else str(now.n))
                self.cells[(key, 1)].setText(values[0])
                self.cells[(key, 2)].setText(values[1])
                self.cells[(key, 3)].setText("")
                continue
            self.cells[(key, 1)].setText(_figure(base, key))
            self.cells[(key, 2)].setText(_figure(now, key))
            text, colour = _change(key, None if review is None else review.changes.get(key))
            self.cells[(key, 3)].setText(text)
            self.cells[(key, 3)].setStyleSheet(f"color: {colour}; font-weight: 600;")
        for c, (label, s) in (
            (1, ("12 months before the start", base)),
            (2, ("Since the start", now)),
        ):
            tip = _snapshot_tip(label, s)
            for key in (*REVIEW_FIGURES, "n"):
                self.cells[(key, c)].setToolTip(tip)
        if review is None:
            nothing_chosen = self.chosen() is None
            self.note.setText(
                "" if nothing_chosen else "Its baseline and review appear once it starts."
            )
        elif now is not None and not now.enough:
            self.note.setText(
                f"Since the start: {now.n} episodes ended, too few for a figure (at least 10). "
                "Compare again later."
            )
        else:
            shown = base or now
            instrument = shown.instrument if shown is not None else "ORS"
            self.note.setText(
                f"Episodes ended in each window ({instrument}). Green: better. "
                "Hover a figure for its 95% CI: a change inside it may be noise."
            )
        self._fit()

    def _close_clicked(self) -> None:
        o = self.chosen()
        if o is not None and o.open:
            self.close_requested.emit(o.id)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
