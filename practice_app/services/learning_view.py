"""What the Learning screen shows: patterns as sentences, the episodes behind them, lessons.

Qt-free; ``load_learning`` runs on the database worker. The statistics come from
``services.patterns`` (science.md section 7); this module only puts them beside the
lessons, the episode rows for the drill-down, and the drafts of practice objectives.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from practice_app.errors import UserError
from practice_app.services.client_page import ListRow, ending_text, load_client_list
from practice_app.services.clients import instruments_in_use
from practice_app.services.lessons import LessonRow, TagCount, count_tags, list_lessons
from practice_app.services.pattern_text import FLAG_NAMES, predicate, subject
from practice_app.services.patterns import BuntRow, PatternReport, PatternRow, load_pattern_report
from practice_app.storage.models import Client, PracticeObjective

MIN_EPISODES = 10
"""Episodes needed before any test can run: 5 with a feature value and 5 without."""

GOALS = {
    "not_on_track": "Get {who} on track more often",
    "deteriorated": "Spot and prevent deterioration in {who}",
    "dropout": "Keep {who} engaged: fewer dropouts",
    "low_alliance": "Build a stronger alliance with {who}",
    "sudden_loss": "Notice and repair sudden losses with {who}",
}
"""Objective titles for a pattern where the flag is more frequent with the feature."""

BUNT_EXPLANATION = (
    "Red for 4 or more measurements despite a good alliance: the relationship works, the "
    "approach does not. Consider talking with the client about changing approach or "
    "referring on; an ending as “referred on” is the process working, not a failure."
)
PATTERN_EXPLANATION = (
    "A pattern still stands after correcting for the many comparisons made (q < 0.10, "
    "Benjamini-Hochberg). Emerging: p < 0.05 on its own test only, so it may be chance; "
    "watch it, don't act on it yet. Only feature values seen in 5 or more episodes (and 5 "
    "or more without) are tested."
)


@dataclass(frozen=True)
class EpisodeItem:
    """One episode as the drill-down and the bunt list show it."""

    episode_id: int
    client: str
    episode: str
    first_date: dt.date | None
    last_date: dt.date | None
    sessions: int
    category: str | None
    signal: str
    ending: str

    @property
    def dates(self) -> str:
        """First and last session as '12 Jan 2025 – 3 Apr 2025'."""
        if self.first_date is None:
            return "–"
        first = f"{self.first_date:%d %b %Y}"
        if self.last_date is None or self.last_date == self.first_date:
            return first
        return f"{first} – {self.last_date:%d %b %Y}"

    @property
    def span(self) -> str:
        """First and last session by month, 'Feb 2024 – Apr 2025', for narrow tables."""
        if self.first_date is None:
            return "–"
        first = f"{self.first_date:%b %Y}"
        last = f"{self.last_date:%b %Y}" if self.last_date else first
        return first if last == first else f"{first} – {last}"

    @property
    def ending_text(self) -> str:
        """'Open' or how the episode ended."""
        return ending_text(self.ending)


@dataclass(frozen=True)
class PatternItem:
    """One pattern or emerging result with its sentence and the episodes behind it."""

    row: PatternRow
    sentence: str
    who: str
    """Whom it is about, e.g. "clients referred by an employer"."""

    @property
    def status(self) -> str:
        """'pattern' or 'emerging'."""
        return str(self.row.status)

    @property
    def flag_words(self) -> str:
        """The flag in words ('not on track')."""
        return FLAG_NAMES.get(self.row.flag, self.row.flag.replace("_", " "))

    @property
    def episode_ids(self) -> tuple[int, ...]:
        """The episodes with the feature value."""
        return self.row.episode_ids

    @property
    def flagged_ids(self) -> frozenset[int]:
        """Those of the episodes that carried the flag."""
        return frozenset(self.row.flagged_ids)


@dataclass(frozen=True)
class ObjectiveDraft:
    """A prefilled practice objective, confirmed in a dialog before it is stored."""

    source: str
    title: str
    success_criteria: str


@dataclass(frozen=True)
class LearningView:
    """Everything the Learning screen shows."""

    instrument: str
    n_episodes: int
    patterns: tuple[PatternItem, ...]
    emerging: tuple[PatternItem, ...]
    srs_text: str | None
    bunt: tuple[tuple[BuntRow, str], ...]
    """Episodes for the conversation about changing approach, with a line describing each."""
    episodes: dict[int, EpisodeItem]
    lessons: tuple[LessonRow, ...]
    tags: tuple[TagCount, ...]
    clients: tuple[str, ...]
    focus_areas: tuple[str, ...]
    current_focus: str | None
    today: dt.date

    @property
    def enough(self) -> bool:
        """Whether there are episodes enough for any test to run."""
        return self.n_episodes >= MIN_EPISODES

    def empty_text(self) -> str:
        """What to say when there is neither a pattern nor an emerging result."""
        if not self.enough:
            return (
                f"Patterns need at least {MIN_EPISODES} episodes measured on the "
                f"{self.instrument} (5 with a feature and 5 without); there are "
                f"{self.n_episodes} so far. Keep measuring: the comparisons start by themselves."
            )
        return (
            f"Nothing stands out across {self.n_episodes:,} episodes: no feature goes with "
            "poor outcomes more often than chance would explain. Lessons still count: "
            "write down what your not-on-track clients taught you."
        )


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _episode_item(r: ListRow) -> EpisodeItem:
    return EpisodeItem(
        episode_id=r.episode_id,
        client=r.client,
        episode=r.episode,
        first_date=_day(r.first_date),
        last_date=_day(r.last_date),
        sessions=r.sessions,
        category=r.category,
        signal=r.signal,
        ending=r.ending,
    )


def _lower_first(text: str) -> str:
    head = text.split(" ", 1)[0]
    return text if head.isupper() else text[:1].lower() + text[1:]


def _pattern_item(report: PatternReport, row: PatternRow) -> PatternItem:
    who = subject(row.feature, row.value, report.instrument, report.alliance_instrument)
    return PatternItem(row=row, sentence=report.sentence(row), who=_lower_first(who))


def _srs_text(report: PatternReport) -> str | None:
    f = report.srs_item
    if f is None:
        return None
    ally = report.alliance_instrument or "alliance"
    others = (
        f"{f.count_others} of {f.n_others} ({f.share_others:.0%}) of the other episodes"
        if f.n_others
        else "no other episodes to compare with"
    )
    p = "p < 0.001" if f.p < 0.001 else f"p = {f.p:.2g}"
    return (
        f"In not-on-track episodes the lowest {ally} item was most often “{f.item}”: "
        f"in {f.count_not_on_track} of {f.n_not_on_track} ({f.share_not_on_track:.0%}), "
        f"against {others} (Fisher's exact {p}). "
        + (
            "Ask about it early: it is where these clients felt least met."
            if f.p < 0.05
            else "The difference from the other episodes could be chance: no lesson in it yet."
        )
    )


def _bunt(report: PatternReport) -> tuple[tuple[BuntRow, str], ...]:
    ally = report.alliance_instrument or "alliance"
    out = []
    for b in report.bunt:
        parts = [f"{b.client} · episode {b.external_id or b.episode_id}"]
        parts.append(f"red at {b.red_measurements} of {b.measurements} measurements")
        if b.alliance_last is not None:
            parts.append(f"latest {ally} {b.alliance_last:g}")
        if b.last_date is not None:
            parts.append(f"last seen {b.last_date:%d %b %Y}")
        out.append((b, " · ".join(parts)))
    return tuple(out)


def _plan(session: OrmSession) -> tuple[tuple[str, ...], str | None]:
    """The focus areas used so far and the current one (from the development plan)."""
    from practice_app.services.plan import current_focus, focus_of, list_objectives

    try:
        objectives = list_objectives(session)
    except UserError:
        return (), None
    areas: dict[str, str] = {}
    for o in objectives:
        area = focus_of(o.focus_area, o.domain, o.title)
        areas.setdefault(area.casefold(), area)
    return tuple(areas.values()), current_focus(objectives)


def load_learning(
    session: OrmSession, instrument: str = "ORS", today: dt.date | None = None
) -> LearningView:
    """Load the Learning screen: the pattern report, lessons with tag counts, episode rows.

    A practice that measures outcome on another instrument than the ORS gets its
    patterns on that one (the lead outcome instrument of the Clients list).
    """
    today = today or dt.date.today()
    in_use = [d.name for d in instruments_in_use(session) if not d.alliance]
    if in_use and instrument not in in_use:
        instrument = in_use[0]
    report = load_pattern_report(session, instrument=instrument, today=today)
    listing = load_client_list(session, today=today)
    all_episodes = {r.episode_id: _episode_item(r) for r in listing.rows}
    items = [_pattern_item(report, r) for r in report.shown]
    wanted = {i for item in items for i in item.episode_ids}
    lessons = list_lessons(session)
    focus_areas, focus = _plan(session)
    return LearningView(
        instrument=report.instrument,
        n_episodes=int(report.n_episodes),
        patterns=tuple(i for i in items if i.status == "pattern"),
        emerging=tuple(i for i in items if i.status == "emerging"),
        srs_text=_srs_text(report),
        bunt=_bunt(report),
        episodes={k: v for k, v in all_episodes.items() if k in wanted},
        lessons=tuple(lessons),
        tags=tuple(count_tags(lessons)),
        clients=tuple(session.scalars(select(Client.code).order_by(Client.code))),
        focus_areas=focus_areas,
        current_focus=focus,
        today=today,
    )


def _percent(value: float) -> str:
    return f"{100 * value:.0f}%"


def objective_from_pattern(item: PatternItem) -> ObjectiveDraft:
    """A practice objective aimed at a pattern, with a success criterion to review."""
    r = item.row
    now = (
        f"Now: {r.events_with} of {r.n_with} episodes of {item.who} ({_percent(r.rate_with)}) "
        f"{predicate(r.flag)}, against {_percent(r.rate_without)} of the others."
    )
    if r.risk_ratio >= 1:
        title = GOALS.get(r.flag, "Better outcomes for {who}").format(who=item.who)
        success = (
            "Success: at the review, among the episodes that ended since the start, the share "
            f"is down toward the others' {_percent(r.rate_without)}."
        )
    else:
        title = f"Learn from what works with {item.who}"
        success = (
            "Success: I can name what I do differently with them, and have tried it with "
            "other clients."
        )
    kind = "Pattern" if item.status == "pattern" else "Emerging result (may still be chance)"
    return ObjectiveDraft(f"{kind}: {item.sentence}.", title[:300], f"{now}\n{success}")


def objective_from_lesson(lesson: LessonRow) -> ObjectiveDraft:
    """A practice objective from what a lesson says the therapist will practise."""
    aim = lesson.will_practise or lesson.taught
    title = aim if len(aim) <= 300 else aim[:299] + "…"
    lines = [f"Lesson from {lesson.client} ({lesson.date:%d %b %Y}): {lesson.taught}"]
    if lesson.new_or_different:
        lines.append(f"New or different: {lesson.new_or_different}")
    lines.append(
        "Success: I can point to sessions where I practised this, and clients like this one "
        "are on track more often at the review."
    )
    return ObjectiveDraft(f"Lesson from {lesson.client}: {lesson.taught}", title, "\n".join(lines))


def delete_objective(session: OrmSession, objective_id: int) -> None:
    """Remove an objective just made here (the undo of "Make this a practice objective")."""
    objective = session.get(PracticeObjective, objective_id)
    if objective is not None:
        session.delete(objective)
        session.flush()
