"""Plain, typed records of the demo data set, before it is written to a database.

Records refer to each other by ``key`` (a 1-based number local to the data set);
the writer turns keys into database ids.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class DemoScore:
    """One instrument's score at one session: items (one decimal) and their sum."""

    total: float
    items: tuple[float, ...]


@dataclass(frozen=True)
class DemoSession:
    """One session of an episode, with its ORS and SRS."""

    number: int
    date: dt.date
    scores: dict[str, DemoScore]
    notes: str | None = None


@dataclass(frozen=True)
class DemoClient:
    """A client, known only by a code."""

    key: int
    code: str
    gender: str
    age_group: str
    group_name: str
    referral_source: str
    presenting_concerns: str
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoEpisode:
    """An episode of care with its sessions; ``kind`` says how it was generated."""

    key: int
    client_key: int
    external_id: str
    start_date: dt.date
    end_date: dt.date | None
    ending_reason: str | None
    sessions: tuple[DemoSession, ...]
    kind: str
    """responder, flat, deteriorating, sudden-gain or sudden-loss (not stored)."""
    dropout: bool = False
    early_low_alliance: bool = False
    heavy_load: bool = False
    planted: str = ""
    """For the current week's planted clients: stuck, sudden-loss, recovering or unscored."""

    @property
    def last_date(self) -> dt.date:
        """The date of the latest session."""
        return self.sessions[-1].date

    def totals(self, instrument: str) -> list[float]:
        """The totals of ``instrument`` in session order."""
        return [s.scores[instrument].total for s in self.sessions if instrument in s.scores]


@dataclass(frozen=True)
class DemoObjective:
    """An objective of the development plan."""

    key: int
    title: str
    focus_area: str
    domain: str
    success_criteria: str
    start_date: dt.date
    review_date: dt.date | None
    closed_date: dt.date | None
    status: str
    baseline: dict[str, Any]
    review_note: str | None = None


@dataclass(frozen=True)
class DemoPracticeEntry:
    """One deliberate-practice session of the journal."""

    date: dt.date
    minutes: int
    activity: str
    domain: str | None
    objective_key: int | None
    difficulty: str | None
    self_rating: float | None
    feedback_source: str | None
    notes: str | None
    client_keys: tuple[int, ...] = ()


@dataclass(frozen=True)
class DemoWeeklyReview:
    """A completed weekly review."""

    week_start: dt.date
    completed_at: dt.datetime
    energy: int
    note: str
    commitment: str


@dataclass(frozen=True)
class DemoLesson:
    """What a client taught the therapist."""

    client_key: int
    episode_key: int
    date: dt.date
    taught: str
    new_or_different: str
    will_practise: str
    tags: tuple[str, ...]


@dataclass(frozen=True)
class DemoBrief:
    """A consultation brief on one episode."""

    episode_key: int
    created_at: dt.datetime
    tried: str
    questions: str


@dataclass(frozen=True)
class DemoTherapist:
    """The one demo therapist."""

    code: str = "T01"
    display_name: str = "Demo Therapist"
    weekly_practice_target_minutes: int = 180


@dataclass(frozen=True)
class DemoData:
    """The whole generated data set for one (seed, today)."""

    seed: int
    today: dt.date
    therapist: DemoTherapist
    clients: tuple[DemoClient, ...]
    episodes: tuple[DemoEpisode, ...]
    objectives: tuple[DemoObjective, ...]
    practice_entries: tuple[DemoPracticeEntry, ...]
    weekly_reviews: tuple[DemoWeeklyReview, ...]
    lessons: tuple[DemoLesson, ...]
    briefs: tuple[DemoBrief, ...]
    heavy_periods: tuple[tuple[dt.date, dt.date], ...] = ()
    """(first, last) days of the stretches with many more new clients (not stored)."""

    @property
    def session_count(self) -> int:
        """How many sessions all episodes hold."""
        return sum(len(e.sessions) for e in self.episodes)

    @property
    def score_count(self) -> int:
        """How many scores all sessions hold."""
        return sum(len(s.scores) for e in self.episodes for s in e.sessions)


@dataclass(frozen=True)
class DemoSummary:
    """How many rows of each kind were written."""

    therapists: int
    clients: int
    episodes: int
    sessions: int
    scores: int
    practice_entries: int
    weekly_reviews: int
    lessons: int
    objectives: int
    briefs: int = 0

    def line(self) -> str:
        """One line for the command line: '1 therapist, 150 clients, ...'."""
        parts = [
            _count(self.therapists, "therapist"),
            _count(self.clients, "client"),
            _count(self.episodes, "episode"),
            _count(self.sessions, "session"),
            _count(self.scores, "score"),
            _count(self.practice_entries, "practice entry", "practice entries"),
            _count(self.weekly_reviews, "weekly review"),
            _count(self.lessons, "lesson"),
            _count(self.objectives, "objective"),
            _count(self.briefs, "consultation brief"),
        ]
        return ", ".join(parts)


def _count(n: int, singular: str, plural: str | None = None) -> str:
    word = singular if n == 1 else (plural or singular + "s")
    return f"{n:,} {word}"
