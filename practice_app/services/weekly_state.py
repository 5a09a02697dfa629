"""The outcome state of every episode as it stood on a given day, for the weekly review.

The weekly review compares days (the end of the week, the day of the last completed
review, the eve of the week), so the analysis is run on the scores dated up to each
day: ``WeeklyData`` is loaded once (storage), ``snapshot(data, day)`` computes with
analysis/* exactly what ``services.outcomes.analyse_instrument`` computes, but on the
data as it was then. An episode that had not started by then does not exist in that
snapshot; an ending dated later is not yet an ending. No Qt here.

Open episodes are never in the reference pool, so the signals of open episodes are the
same as the Clients list shows; the leave-one-out refits (which only change the
signals of closed pool episodes) are skipped because the review never shows those.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import numpy as np
from sqlalchemy import String, select, type_coerce
from sqlalchemy.orm import Session as OrmSession

from practice_app.analysis.categories import reliably_improved
from practice_app.analysis.effectiveness import (
    Effectiveness,
    EpisodeOutcomes,
    dropout_flags,
    effectiveness,
    resolve_endings,
    weeks_in_care,
)
from practice_app.analysis.instruments import InstrumentDef
from practice_app.analysis.scores import (
    BoolArray,
    DateArray,
    IntArray,
    ScoreMatrix,
    build_score_matrix,
)
from practice_app.analysis.scores import episode_index as to_rows
from practice_app.analysis.summary import EpisodeSummaries, summarize_episodes
from practice_app.analysis.trajectories import reference_pool
from practice_app.analysis.windows import Window, rolling_effectiveness, window_dates
from practice_app.services.clients import instruments_in_use
from practice_app.storage.analysis_data import (
    EpisodeRows,
    ScoreRows,
    load_episodes,
    load_scores,
    to_dates,
)
from practice_app.storage.models import Episode, Session, Therapist

ROLLING_DAYS = 365
"""The rolling effect size of the review covers the episodes dated in the last year."""


@dataclass(frozen=True)
class SessionDates:
    """Every session (scored or not): its episode, number and date, in load order."""

    episode_id: IntArray
    number: IntArray
    date: DateArray


@dataclass(frozen=True)
class WeeklyData:
    """Everything the snapshots are computed from, loaded once."""

    episodes: EpisodeRows
    sessions: SessionDates
    outcome: InstrumentDef | None
    outcome_scores: ScoreRows | None
    alliance: InstrumentDef | None
    alliance_scores: ScoreRows | None
    episodes_per_client: dict[str, int]
    """How many episodes each client code has (to name the episode only when needed)."""

    def session_date(self, episode_id: int, number: int) -> dt.date | None:
        """The date of one session (None when unknown)."""
        hit = np.flatnonzero(
            (self.sessions.episode_id == episode_id) & (self.sessions.number == number)
        )
        if hit.size == 0 or np.isnat(self.sessions.date[hit[0]]):
            return None
        return dt.date.fromisoformat(str(self.sessions.date[hit[0]]))


@dataclass(frozen=True)
class Snapshot:
    """Every episode's state on ``day`` (arrays aligned with ``data.episodes``)."""

    day: dt.date
    exists: BoolArray
    """The episode had a session (or its start date) on or before ``day``."""
    closed: BoolArray
    ending: np.ndarray
    """Ending reason as of ``day`` ("" while open; "inactive" by the 45-day rule)."""
    first_session: DateArray
    last_session: DateArray
    sessions_held: IntArray
    outcome: EpisodeSummaries | None
    alliance: EpisodeSummaries | None
    outcome_matrix: ScoreMatrix | None
    alliance_matrix: ScoreMatrix | None
    window_date: DateArray
    """The date that places the episode in the rolling window (end, or latest session)."""


def load_session_dates(session: OrmSession, therapist_code: str | None) -> SessionDates:
    """Every session's episode, number and date (the therapist's only, when one is given)."""
    stmt = select(Session.episode_id, Session.number, type_coerce(Session.date, String))
    if therapist_code is not None:
        stmt = (
            stmt.join(Episode, Episode.id == Session.episode_id)
            .join(Therapist, Therapist.id == Episode.therapist_id)
            .where(Therapist.code == therapist_code)
        )
    rows = session.execute(stmt).all()
    if not rows:
        empty = np.empty(0, np.int64)
        return SessionDates(empty, empty.copy(), np.empty(0, "datetime64[D]"))
    ids, numbers, dates = zip(*rows, strict=True)
    return SessionDates(
        np.fromiter(ids, np.int64, len(rows)),
        np.fromiter(numbers, np.int64, len(rows)),
        to_dates(list(dates)),
    )


def load_weekly_data(session: OrmSession, therapist_code: str | None = None) -> WeeklyData:
    """Load episodes, session dates and the lead outcome and alliance instruments' scores."""
    defs = instruments_in_use(session)
    outcome = next((d for d in defs if not d.alliance and d.reliable_change is not None), None)
    alliance = next((d for d in defs if d.alliance), None)
    episodes = load_episodes(session, therapist_code=therapist_code)
    return WeeklyData(
        episodes=episodes,
        sessions=load_session_dates(session, therapist_code),
        outcome=outcome,
        outcome_scores=load_scores(session, outcome.name, therapist_code=therapist_code)
        if outcome
        else None,
        alliance=alliance,
        alliance_scores=load_scores(session, alliance.name, therapist_code=therapist_code)
        if alliance
        else None,
        episodes_per_client=dict(Counter(episodes.client_code)),
    )


def _per_episode(ids: IntArray, values: DateArray, episode_ids: IntArray, how: str) -> DateArray:
    """Latest ("max") or earliest ("min") date per episode (NaT when none)."""
    out = np.full(episode_ids.size, np.datetime64("NaT"), dtype="datetime64[D]")
    rows = to_rows(ids, episode_ids)
    ok = ~np.isnat(values) & (rows >= 0)
    if not ok.any():
        return out
    rows = rows[ok]
    days = values[ok].astype(np.int64)
    big = np.iinfo(np.int64).max
    acc = np.full(episode_ids.size, -big if how == "max" else big, dtype=np.int64)
    (np.maximum if how == "max" else np.minimum).at(acc, rows, days)
    found = acc != (-big if how == "max" else big)
    out[found] = acc[found].astype("datetime64[D]")
    return out


def _summaries(
    scores: ScoreRows, d: InstrumentDef, data: WeeklyData, day: np.datetime64, closed: BoolArray
) -> tuple[ScoreMatrix, EpisodeSummaries]:
    keep = np.isnat(scores.session_date) | (scores.session_date <= day)
    rows = to_rows(scores.episode_id[keep], data.episodes.id)
    matrix = build_score_matrix(
        rows, scores.session_number[keep], scores.total[keep], data.episodes.id.size
    )
    if d.reliable_change is None:
        return matrix, summarize_episodes(matrix, d, closed)
    pool = reference_pool(matrix, closed)
    # -1: no leave-one-out refits (they only concern closed episodes, see the docstring).
    none = np.full(matrix.n_episodes, -1, dtype=np.int64)
    return matrix, summarize_episodes(matrix, d, closed, pool=pool, pool_row=none)


def snapshot(data: WeeklyData, day: dt.date) -> Snapshot:
    """Every episode's state on ``day`` (the scores and endings dated up to it)."""
    eps = data.episodes
    when = np.datetime64(day, "D")
    held = ~np.isnat(data.sessions.date) & (data.sessions.date <= when)
    first = _per_episode(data.sessions.episode_id[held], data.sessions.date[held], eps.id, "min")
    last = _per_episode(data.sessions.episode_id[held], data.sessions.date[held], eps.id, "max")
    started = ~np.isnat(eps.start_date) & (eps.start_date <= when)
    exists = np.asarray(~np.isnat(first) | started, dtype=bool)
    # An ending counts from its date; an imported reason without a date from the last session.
    end = eps.end_date
    ended = np.where(np.isnat(end), eps.last_session_date <= when, end <= when)
    reasons = [r if ok else None for r, ok in zip(eps.ending_reason, ended.tolist(), strict=True)]
    ending = resolve_endings(reasons, last, day)
    ending[~exists] = ""
    closed = np.asarray(ending != "", dtype=bool)
    outcome = (
        _summaries(data.outcome_scores, data.outcome, data, when, closed)
        if data.outcome is not None and data.outcome_scores is not None
        else None
    )
    alliance = (
        _summaries(data.alliance_scores, data.alliance, data, when, closed)
        if data.alliance is not None and data.alliance_scores is not None
        else None
    )
    end_at = np.where(ended, end, np.datetime64("NaT"))
    held_rows = to_rows(data.sessions.episode_id[held], eps.id)
    counts = np.bincount(held_rows[held_rows >= 0], minlength=eps.id.size).astype(np.int64)
    return Snapshot(
        day=day,
        exists=exists,
        closed=closed,
        ending=ending,
        first_session=first,
        last_session=last,
        sessions_held=counts,
        outcome=outcome[1] if outcome else None,
        alliance=alliance[1] if alliance else None,
        outcome_matrix=outcome[0] if outcome else None,
        alliance_matrix=alliance[0] if alliance else None,
        window_date=window_dates(closed, end_at, last),
    )


def outcomes_of(s: Snapshot) -> EpisodeOutcomes | None:
    """The effectiveness inputs of every episode as of the snapshot (as analyse_instrument)."""
    o = s.outcome
    if o is None:
        return None
    return EpisodeOutcomes(
        intake=o.intake,
        outcome=o.latest,
        category=o.category,
        not_on_track=o.ever_red,
        dropout=dropout_flags(s.ending, reliably_improved(o.category)),
        sessions=s.sessions_held.astype(np.float64),
        weeks=weeks_in_care(s.first_session, s.last_session),
    )


def rolling_effect(s: Snapshot, data: WeeklyData) -> Effectiveness | None:
    """Effectiveness of the episodes dated in the year up to the snapshot's day."""
    outcomes = outcomes_of(s)
    if outcomes is None or data.outcome is None:
        return None
    when = np.datetime64(s.day, "D")
    mask = (
        s.exists
        & (outcomes.category >= 0)
        & (s.window_date <= when)
        & (s.window_date > when - np.timedelta64(ROLLING_DAYS, "D"))
    )
    return effectiveness(outcomes.subset(mask), data.outcome)


def monthly_rolling(s: Snapshot, data: WeeklyData) -> list[Window]:
    """Rolling 12-month effect sizes by calendar month (point values; few resamples)."""
    outcomes = outcomes_of(s)
    if outcomes is None or data.outcome is None:
        return []
    mask = s.exists & (outcomes.category >= 0) & ~np.isnat(s.window_date)
    # Only the point values are compared, so the bootstrap can be small.
    return rolling_effectiveness(
        outcomes.subset(mask), s.window_date[mask], data.outcome, 12, n_resamples=20
    )
