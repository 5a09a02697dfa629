"""The consultation brief's data types (frozen dataclasses) and its signal words. No Qt."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from practice_app.analysis.instruments import InstrumentDef
from practice_app.services.client_page import EpisodeView


@dataclass(frozen=True)
class EpisodeChoice:
    """One of the client's episodes, for the selector."""

    episode_id: int
    label: str
    first_date: dt.date | None
    last_date: dt.date | None
    status: str
    """"Open", or the ending in words."""
    sessions: int
    signal: str


@dataclass(frozen=True)
class InstrumentResult:
    """One instrument's results over the episode (intake, latest, change, signal)."""

    name: str
    title: str
    role: str
    """"outcome" or "alliance"."""
    measurements: int
    intake: float | None
    latest: float | None
    change: float | None
    category: str | None
    """Change category (outcome measures with 2+ measurements), else None."""
    signal: str
    signal_words: str
    model: str
    """What the signal rests on: the model and its n (outcome), or the alliance rule."""
    cutoff: float | None
    reliable_change: float | None
    higher_is_better: bool


@dataclass(frozen=True)
class TrajectoryPoint:
    """One session on the chart: outcome score and alliance score (either may be absent)."""

    session: int
    date: dt.date | None
    score: float | None
    alliance: float | None
    signal: str
    """Outcome signal at this measurement ("none" when unmeasured)."""


@dataclass(frozen=True)
class Trajectory:
    """What the trajectory chart draws, in plain numbers (for HTML/PDF reports too)."""

    outcome: str | None
    alliance: str | None
    y_min: float | None
    y_max: float | None
    higher_is_better: bool
    points: tuple[TrajectoryPoint, ...]
    cutoff: float | None
    reliable_band: tuple[float, float] | None
    """Intake ± the reliable change: inside it, no reliable change."""
    expected_x: tuple[int, ...]
    expected_success: tuple[float, ...]
    """Empty under the starter rules (they have no lines, only the 3rd/6th marks)."""
    expected_fail: tuple[float, ...]
    model: str
    model_text: str
    alliance_cutoff: float | None
    alliance_min: float | None
    alliance_max: float | None


@dataclass(frozen=True)
class ItemRow:
    """One session's item scores on one instrument; ``low`` flags weak alliance items."""

    session: int
    date: dt.date | None
    values: tuple[float | None, ...]
    total: float | None
    low: tuple[bool, ...]


@dataclass(frozen=True)
class ItemTable:
    """Item-level scores of one instrument, session by session (earliest first)."""

    instrument: str
    items: tuple[str, ...]
    rows: tuple[ItemRow, ...]
    low_below: float | None
    """Alliance items below this (cutoff shared over the items) are flagged."""
    lowest_item: str | None
    """The item with the lowest mean (where the items were scored)."""
    lowest_mean: float | None


@dataclass(frozen=True)
class SignalNote:
    """One alert worth raising in consultation."""

    level: str
    """"red", "orange", "green" or "none" (the colour to show)."""
    title: str
    text: str


@dataclass(frozen=True)
class SuddenChange:
    """A sudden gain or loss (Tang & DeRubeis 1999) between two consecutive sessions."""

    kind: str
    from_session: int
    to_session: int
    from_date: dt.date | None
    to_date: dt.date | None
    before: float
    after: float
    magnitude: float


@dataclass(frozen=True)
class AllianceSummary:
    """The alliance over the episode: latest, lowest, sessions below the cutoff."""

    instrument: str
    signal: str
    words: str
    measurements: int
    latest: float | None
    lowest: float | None
    mean: float | None
    cutoff: float | None
    below_cutoff: tuple[int, ...]
    """Session numbers with a total below the cutoff."""
    lowest_item: str | None
    lowest_item_mean: float | None


@dataclass(frozen=True)
class LessonNote:
    """A lesson this client taught the therapist."""

    date: dt.date
    episode: str | None
    """The episode's label, or None when the lesson belongs to no episode."""
    taught: str
    new_or_different: str
    will_practise: str
    tags: tuple[str, ...]


@dataclass(frozen=True)
class SessionNote:
    """The therapist's note on one session."""

    session: int
    date: dt.date | None
    text: str


@dataclass(frozen=True)
class ConsultBriefView:
    """Everything the consultation brief shows. De-identified: the client is a code only."""

    code: str
    episode_id: int
    episode_label: str
    therapist: str
    first_date: dt.date | None
    last_date: dt.date | None
    end_date: dt.date | None
    status: str
    """"Open", or how the episode ended, in words."""
    open: bool
    sessions: int
    instruments: tuple[InstrumentResult, ...]
    trajectory: Trajectory
    item_tables: tuple[ItemTable, ...]
    signals: tuple[SignalNote, ...]
    sudden: tuple[SuddenChange, ...]
    alliance: AllianceSummary | None
    lessons: tuple[LessonNote, ...]
    notes: tuple[SessionNote, ...]
    tried: str
    questions: str
    brief_id: int | None
    brief_updated: dt.datetime | None
    episodes: tuple[EpisodeChoice, ...]
    today: dt.date
    episode: EpisodeView
    """The client page's view of the episode (what ``TrajectoryChart`` draws)."""
    outcome_def: InstrumentDef | None
    alliance_def: InstrumentDef | None

    @property
    def outcome(self) -> InstrumentResult | None:
        """The outcome instrument's results, if the episode has any."""
        return next((i for i in self.instruments if i.role == "outcome"), None)


@dataclass(frozen=True)
class SavedBrief:
    """What ``save_brief`` stored (and what it replaced, for undo)."""

    brief_id: int
    episode_id: int
    tried: str
    questions: str
    updated_at: dt.datetime
    previous_tried: str | None
    previous_questions: str | None
    """None when the brief did not exist before this save."""
