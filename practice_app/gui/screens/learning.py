"""The Learning screen: recurring patterns behind poor outcomes, client lessons, moving on.

Patterns (and, labelled apart, emerging results) read as sentences; selecting one lists
the episodes behind it, and double-clicking an episode opens the client. Lessons come
with their recurring tags and can be added here. A pattern or a lesson becomes a
practice objective in one action. Every write runs on the database worker and is
undoable from the shared undo stack.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QLabel,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from practice_app.gui.learning_dialogs import (
    LessonDialog,
    ObjectiveDialog,
)
from practice_app.gui.registry import ScreenSpec
from practice_app.gui.screens.base import Screen, ScreenContext
from practice_app.gui.screens.learning_actions import LearningActions
from practice_app.gui.screens.learning_parts import (
    EpisodeTable,
    WrappedLabel,
    add_item,
    add_section,
    hint,
    wrap_list,
)
from practice_app.gui.screens.panels import panel_with_row
from practice_app.services.learning_view import (
    BUNT_EXPLANATION,
    PATTERN_EXPLANATION,
    EpisodeItem,
    LearningView,
    PatternItem,
)
from practice_app.services.lessons import LessonRow
from practice_app.services.pattern_text import predicate

ROLE = Qt.ItemDataRole.UserRole


class LearningScreen(LearningActions, Screen):
    """Patterns with their episodes, the SRS item, the bunt list, lessons and their tags."""

    def __init__(self, context: ScreenContext, spec: ScreenSpec, argument: str | None = None):
        super().__init__(context, spec, argument)
        self.data: LearningView | None = None
        self.selected: PatternItem | LessonRow | None = None
        self.lesson_dialog: LessonDialog | None = None
        self.objective_dialog: ObjectiveDialog | None = None
        self.shown_episodes: list[EpisodeItem] = []
        self.objective_button = QPushButton("Make this a practice objective…")
        self.objective_button.setObjectName("primaryButton")
        # The primary style outranks the app's grey :disabled rule; say "not yet" visibly.
        self.objective_button.setStyleSheet(
            "QPushButton:disabled { background: #eceff1; color: #90a4ae; border-color: #cfd8dc; }"
        )
        self.objective_button.setEnabled(False)
        self.objective_button.setToolTip("Select a pattern or a lesson first")
        self.objective_button.clicked.connect(self.make_objective)
        self.header_row.addWidget(self.objective_button, 0, Qt.AlignmentFlag.AlignBottom)
        self.explanation = hint(PATTERN_EXPLANATION)
        self.layout_.addWidget(self.explanation)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self._build_left())
        splitter.addWidget(self._build_right())
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([620, 400])
        self.layout_.addWidget(splitter, 1)
        add = QShortcut(QKeySequence("Ctrl+Shift+L"), self)
        add.activated.connect(self.ask_lesson)
        # Sessions entered or episodes closed elsewhere change the flags; reload when shown.
        self.stale = False
        context.undo_stack.indexChanged.connect(self._mark_stale)

    # ----- building ----------------------------------------------------------------------
    def _build_left(self) -> QWidget:
        column = QSplitter(Qt.Orientation.Vertical)
        column.setChildrenCollapsible(False)
        frame, layout, _ = panel_with_row("Patterns behind poor outcomes")
        self.pattern_stack = QStackedWidget()
        self.pattern_stack.setStyleSheet("QStackedWidget { background: #ffffff; }")
        self.pattern_list = wrap_list("Patterns")
        self.pattern_list.currentItemChanged.connect(self._pattern_chosen)
        self.pattern_empty = hint("")
        self.pattern_empty.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.pattern_stack.addWidget(self.pattern_list)
        self.pattern_stack.addWidget(self.pattern_empty)
        layout.addWidget(self.pattern_stack, 1)
        column.addWidget(frame)
        frame, layout, _ = panel_with_row("Episodes behind the selected pattern")
        self.episode_caption = hint("Select a pattern to see the episodes behind it.")
        layout.addWidget(self.episode_caption)
        self.episode_table = EpisodeTable()
        self.episode_table.open_requested.connect(self._open_episode)
        layout.addWidget(self.episode_table, 1)
        layout.addWidget(
            hint(
                "Double-click an episode (or press Enter) to open the client's page; "
                "Add lesson… then writes about the selected episode."
            )
        )
        self.episode_frame = frame
        column.addWidget(frame)
        column.setStretchFactor(0, 3)
        column.setStretchFactor(1, 2)
        return column

    def _build_right(self) -> QWidget:
        column = QWidget()
        layout = QVBoxLayout(column)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        frame, inner, _ = panel_with_row("Lowest alliance item")
        self.srs_label = WrappedLabel()
        inner.addWidget(self.srs_label)
        layout.addWidget(frame)
        frame, inner, _ = panel_with_row("Consider changing approach or referring on")
        inner.addWidget(hint(BUNT_EXPLANATION))
        self.bunt_list = wrap_list("Red despite a good alliance")
        self.bunt_list.itemDoubleClicked.connect(self._open_bunt)
        self.bunt_list.setMaximumHeight(130)
        inner.addWidget(self.bunt_list)
        self.bunt_empty = hint(
            "No open episode is red at 4 or more measurements with a good alliance."
        )
        inner.addWidget(self.bunt_empty)
        layout.addWidget(frame)
        frame, inner, head = panel_with_row("Lessons from clients")
        self.add_lesson_button = QPushButton("Add lesson…")
        self.add_lesson_button.setToolTip(
            "Write down what a client taught you (Ctrl+Shift+L). "
            "Select a lesson and press Delete to remove it; Ctrl+Z brings it back."
        )
        self.add_lesson_button.clicked.connect(self.ask_lesson)
        head.addWidget(self.add_lesson_button)
        self.tag_label = QLabel("")
        self.tag_label.setWordWrap(True)
        self.tag_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.tag_label.setTextFormat(Qt.TextFormat.RichText)
        self.tag_label.setAccessibleName("Recurring tags")
        inner.addWidget(self.tag_label)
        self.lesson_list = wrap_list("Lessons")
        self.lesson_list.currentItemChanged.connect(self._lesson_chosen)
        self.lesson_list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.lesson_list.customContextMenuRequested.connect(self._lesson_menu)
        delete = QShortcut(QKeySequence.StandardKey.Delete, self.lesson_list)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.delete_selected_lesson)
        inner.addWidget(self.lesson_list, 1)
        layout.addWidget(frame, 1)
        return column

    def subtitle(self) -> str:
        """Header line before the data has loaded."""
        return "Loading…"

    # ----- showing -----------------------------------------------------------------------
    def show_data(self, data: LearningView) -> None:
        """Fill every panel from the loaded view."""
        previous = self._selection_key()
        self.data = data
        shown = len(data.patterns) + len(data.emerging)
        self.subtitle_label.setText(
            "Not on track, got worse, dropped out: what these clients have in common "
            f"({data.n_episodes:,} episodes on the {data.instrument})"
        )
        self._fill_patterns(data)
        self.pattern_stack.setCurrentIndex(0 if shown else 1)
        self.episode_frame.setVisible(bool(shown))
        self.pattern_empty.setText(data.empty_text())
        self.srs_label.setText(
            data.srs_text
            or "Not enough not-on-track episodes with item-level alliance scores to say which "
            "item is most often the lowest (5 are needed)."
        )
        self._fill_bunt(data)
        self._fill_lessons(data)
        self._restore_selection(previous)

    def _fill_patterns(self, data: LearningView) -> None:
        self.pattern_list.blockSignals(True)
        self.pattern_list.clear()
        add_section(
            self.pattern_list,
            f"Patterns ({len(data.patterns)})",
            "" if data.patterns else "None survives the correction for many comparisons.",
        )
        for item in data.patterns:
            self._pattern_row(item)
        if data.emerging:
            add_section(
                self.pattern_list,
                f"Emerging, not yet confirmed ({len(data.emerging)})",
                "p < 0.05 before the correction: may be chance. Watch, don't act yet.",
            )
            for item in data.emerging:
                self._pattern_row(item)
        self.pattern_list.blockSignals(False)
        self._show_episodes(None)

    def _pattern_row(self, p: PatternItem) -> None:
        r = p.row
        badge = "Pattern" if p.status == "pattern" else "Emerging"
        colour = "#2f6f73" if p.status == "pattern" else "#8d6e63"
        direction = "more often" if r.risk_ratio >= 1 else "less often"
        tags = [badge, f"{p.flag_words} {direction}"]
        if r.recurring:
            tags.append("recurring")
        head = " · ".join(tags).upper()
        body_colour = "#263238" if p.status == "pattern" else "#455a64"
        rich = (
            f"<div style='color:{colour}; font-size:8pt; font-weight:600'>{html.escape(head)}"
            f"</div><div style='color:{body_colour}'>{html.escape(p.sentence)}.</div>"
        )
        item = add_item(self.pattern_list, p.sentence, rich, p)
        item.setToolTip(
            f"{p.flag_words.capitalize()} · {r.feature}: {r.value}\n"
            f"Risk ratio {r.risk_ratio:.2f}, 95% CI {r.ci[0]:.2f}-{r.ci[1]:.2f} (Katz log method)\n"
            f"Fisher's exact p = {r.p:.3g}; Benjamini-Hochberg q = {r.q:.3g} over all tests\n"
            "Click to list the episodes behind it"
        )

    def _fill_bunt(self, data: LearningView) -> None:
        self.bunt_list.clear()
        for bunt, text in data.bunt:
            client, _, rest = text.partition(" · ")
            rich = f"<b>{html.escape(client)}</b> · {html.escape(rest)}"
            item = add_item(self.bunt_list, text, rich, bunt.client)
            item.setToolTip("Double-click to open the client's page")
        self.bunt_list.setVisible(bool(data.bunt))
        self.bunt_empty.setVisible(not data.bunt)

    def _fill_lessons(self, data: LearningView) -> None:
        recurring = [t for t in data.tags if t.recurring]
        grey = "<span style='color:#607d8b'>{}</span>"
        self.lesson_list.setVisible(bool(data.lessons))
        if not data.lessons:
            self.tag_label.setText(
                grey.format(
                    "No lessons yet. After a client who did not benefit, note what they "
                    "taught you: Add lesson… (Ctrl+Shift+L)."
                )
            )
        elif recurring:
            chips = " &nbsp; ".join(
                f"<span style='background:#e0f0f0; color:#1f4f52'>&nbsp;{html.escape(t.tag)}"
                f"&nbsp;<b>{t.count}</b>&nbsp;</span>"
                for t in recurring
            )
            lead = f"Tags recurring across {len(data.lessons)} lessons:"
            self.tag_label.setText(f"{grey.format(lead)}<br>{chips}")
        else:
            lead = f"No tag recurs across the {len(data.lessons)} lessons yet."
            self.tag_label.setText(grey.format(lead))
        self.lesson_list.blockSignals(True)
        self.lesson_list.clear()
        for lesson in data.lessons:
            plain = [f"{lesson.date:%d %b %Y} · {lesson.client}: {lesson.taught}"]
            rich = (
                f"<span style='color:#607d8b'>{lesson.date:%d %b %Y} · "
                f"{html.escape(lesson.client)}</span><br>{html.escape(lesson.taught)}"
            )
            if lesson.will_practise:
                plain.append(f"I will practise: {lesson.will_practise}")
                rich += (
                    f"<br><span style='color:#2f6f73'>I will practise:</span> "
                    f"{html.escape(lesson.will_practise)}"
                )
            if lesson.tags:
                plain.append("Tags: " + ", ".join(lesson.tags))
                rich += (
                    "<br><span style='color:#78909c'>"
                    + html.escape(" · ".join(f"#{t}" for t in lesson.tags))
                    + "</span>"
                )
            item = add_item(self.lesson_list, "\n".join(plain), rich, lesson)
            if lesson.new_or_different:
                item.setToolTip(f"New or different: {lesson.new_or_different}")
        self.lesson_list.blockSignals(False)

    # ----- selection and drill-down ------------------------------------------------------
    def _selection_key(self) -> tuple[str, Any] | None:
        if isinstance(self.selected, LessonRow):
            return ("lesson", self.selected.id)
        if isinstance(self.selected, PatternItem):
            r = self.selected.row
            return ("pattern", (r.flag, r.feature, r.value))
        return None

    def _restore_selection(self, key: tuple[str, Any] | None) -> None:
        """Select what was selected before a reload; else the first pattern (drill-down shown)."""
        self.selected = None
        kind, value = key if key is not None else ("pattern", None)
        widget = self.lesson_list if kind == "lesson" else self.pattern_list
        for i in range(widget.count()):
            found = widget.item(i).data(ROLE)
            if (
                (isinstance(found, LessonRow) and found.id == value)
                or (isinstance(found, PatternItem) and value is None)
                or (
                    isinstance(found, PatternItem)
                    and (found.row.flag, found.row.feature, found.row.value) == value
                )
            ):
                widget.setCurrentRow(i)
                break
        self._update_action()

    def lesson_target(self) -> tuple[str | None, str | None]:
        """The drill-down's current episode when a pattern is selected, else as the mixin says."""
        row = self.episode_table.currentRow()
        if isinstance(self.selected, PatternItem) and 0 <= row < len(self.shown_episodes):
            episode = self.shown_episodes[row]
            return episode.client, episode.episode
        return super().lesson_target()

    def _lesson_menu(self, pos: Any) -> None:
        if not isinstance(self.selected, LessonRow):
            return
        menu = QMenu(self)
        menu.addAction("Make this a practice objective…", self.make_objective)
        menu.addAction("Delete lesson", self.delete_selected_lesson)
        menu.popup(self.lesson_list.viewport().mapToGlobal(pos))

    def _pattern_chosen(self, current: QListWidgetItem | None, _: Any = None) -> None:
        found = current.data(ROLE) if current is not None else None
        if isinstance(found, PatternItem):
            self.selected = found
            self.lesson_list.blockSignals(True)
            self.lesson_list.clearSelection()
            self.lesson_list.setCurrentRow(-1)
            self.lesson_list.blockSignals(False)
        self._show_episodes(found if isinstance(found, PatternItem) else None)
        self._update_action()

    def _lesson_chosen(self, current: QListWidgetItem | None, _: Any = None) -> None:
        found = current.data(ROLE) if current is not None else None
        if isinstance(found, LessonRow):
            self.selected = found
            self.pattern_list.blockSignals(True)
            self.pattern_list.clearSelection()
            self.pattern_list.setCurrentRow(-1)
            self.pattern_list.blockSignals(False)
            self._show_episodes(None)
        self._update_action()

    def _update_action(self) -> None:
        what = (
            "the selected lesson"
            if isinstance(self.selected, LessonRow)
            else "the selected pattern"
            if isinstance(self.selected, PatternItem)
            else None
        )
        self.objective_button.setEnabled(what is not None)
        self.objective_button.setToolTip(
            f"Turn {what} into an objective of your development plan"
            if what
            else "Select a pattern or a lesson first"
        )

    def _show_episodes(self, pattern: PatternItem | None) -> None:
        table = self.episode_table
        table.set_episodes([], frozenset())
        self.shown_episodes = []
        if pattern is None or self.data is None:
            self.episode_caption.setText("Select a pattern to see the episodes behind it.")
            return
        rows = [self.data.episodes[i] for i in pattern.episode_ids if i in self.data.episodes]
        flagged = pattern.flagged_ids
        rows.sort(key=lambda e: (e.episode_id not in flagged, e.last_date or e.first_date or 0))
        caption = f"{len(rows)} episodes of {pattern.who}"
        if flagged:
            caption += f"; {len(flagged)} {predicate(pattern.row.flag)} (listed first, in bold)"
        self.episode_caption.setText(caption + ".")
        self.shown_episodes = rows
        table.set_episodes(rows, flagged)

    def episode_rows(self) -> list[EpisodeItem]:
        """The episodes listed in the drill-down, in table order."""
        return list(self.shown_episodes)

    def _open_episode(self, row: int) -> None:
        if 0 <= row < len(self.shown_episodes):
            self.context.open_view(f"client:{self.shown_episodes[row].client}")

    def _open_bunt(self, item: QListWidgetItem) -> None:
        self.context.open_view(f"client:{item.data(ROLE)}")

    # ----- writes ------------------------------------------------------------------------
    def _mark_stale(self) -> None:
        self.stale = True

    def showEvent(self, event: Any) -> None:
        """Reload when shown again after a write elsewhere."""
        super().showEvent(event)
        if self.stale and self.loaded and not self.loading:
            self.stale = False
            self.reload()


__all__ = ["LearningScreen"]
