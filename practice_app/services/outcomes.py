"""Outcome analysis over the stored data: load with storage, compute with analysis.

This is the one place that joins the two, so the command line, the screens and the
reports show the same numbers. No Qt here.

Two ways in: ``analyse_instrument`` computes every per-episode result (categories,
signals, sudden changes, everything the client list and pages show);
``effectiveness_data`` computes only what the effectiveness figures rest on (intake,
outcome, category, not on track, dropout, sessions, weeks), from a lean load, for
``stats``. ``stats`` takes either and gives the same figures from both.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import numpy as np

from practice_app.analysis.categories import categorize_matrix, reliably_improved
from practice_app.analysis.effectiveness import (
    Effectiveness,
    EpisodeOutcomes,
    Figure,
    SaesReference,
    dropout_flags,
    effectiveness,
    resolve_endings,
    saes_reference,
    weeks_in_care,
)
from practice_app.analysis.instruments import InstrumentDef, normalise_name
from practice_app.analysis.scores import (
    BoolArray,
    DateArray,
    IntArray,
    ScoreMatrix,
    build_score_matrix,
)
from practice_app.analysis.scores import episode_index as to_rows
from practice_app.analysis.signals import outcome_signals
from practice_app.analysis.summary import EpisodeSummaries, summarize_episodes
from practice_app.analysis.trajectories import reference_pool
from practice_app.analysis.windows import (
    Window,
    effectiveness_by_period,
    rolling_effectiveness,
    window_dates,
)
from practice_app.errors import UserError
from practice_app.storage.analysis_data import (
    EpisodeRows,
    OutcomeRows,
    fetch_outcome_rows,
    load_episodes,
    load_outcome_rows,
    load_scores,
)
from practice_app.storage.plain_sqlite import open_for_reading, read_instruments

if TYPE_CHECKING:
    from sqlalchemy.orm import Session as OrmSession

# SQLAlchemy (and storage.instruments, which imports it) load inside the functions that
# take an ORM session: `stats` on an up-to-date SQLite file never needs them, and their
# import is a quarter of its run time.

Period = Literal["month", "quarter", "year"]


@dataclass(frozen=True)
class InstrumentAnalysis:
    """Every episode's results on one instrument, aligned row by row with ``episodes``."""

    instrument: InstrumentDef
    episodes: EpisodeRows
    matrix: ScoreMatrix
    summaries: EpisodeSummaries
    ending: np.ndarray[Any, np.dtype[np.str_]]
    """Resolved ending reason per episode ("" while open; "inactive" by the 45-day rule)."""
    closed: BoolArray
    outcomes: EpisodeOutcomes
    window_date: DateArray
    """The date that places an episode in a period: its end, or its latest session if open."""
    today: dt.date

    @property
    def measured(self) -> BoolArray:
        """Episodes with two or more measurements (the default population of every figure)."""
        return np.asarray(self.matrix.counts >= 2, dtype=bool)


@dataclass(frozen=True)
class EffectivenessData:
    """What the effectiveness figures rest on, per episode (sorted by id) on one instrument."""

    instrument: InstrumentDef
    episode_id: IntArray
    counts: IntArray
    """Measurements of each episode on the instrument."""
    closed: BoolArray
    outcomes: EpisodeOutcomes
    window_date: DateArray
    today: dt.date

    @property
    def measured(self) -> BoolArray:
        """Episodes with two or more measurements (the default population of every figure)."""
        return np.asarray(self.counts >= 2, dtype=bool)


Analysed: TypeAlias = InstrumentAnalysis | EffectivenessData
"""Either input of ``stats``: the full analysis or only the effectiveness inputs."""


def find_instrument(instruments: dict[str, InstrumentDef], name: str) -> InstrumentDef:
    """Return the instrument called ``name`` (any case or punctuation), or a UserError."""
    wanted = normalise_name(name)
    for d in instruments.values():
        if d.key == wanted:
            return d
    raise UserError(f"unknown instrument '{name}' (known: {', '.join(sorted(instruments))})")


def analyse_instrument(
    session: OrmSession,
    name: str,
    *,
    therapist_code: str | None = None,
    today: dt.date | None = None,
) -> InstrumentAnalysis:
    """Load one instrument's scores and episodes and compute every per-episode result."""
    from practice_app.storage.instruments import load_instruments

    instrument = find_instrument(load_instruments(session), name)
    today = today or dt.date.today()
    episodes = load_episodes(session, therapist_code=therapist_code)
    scores = load_scores(session, instrument.name, therapist_code=therapist_code)
    rows = to_rows(scores.episode_id, episodes.id)
    matrix = build_score_matrix(rows, scores.session_number, scores.total, episodes.id.size)
    ending = resolve_endings(episodes.ending_reason, episodes.last_session_date, today)
    closed = np.asarray(ending != "", dtype=bool)
    summaries = summarize_episodes(matrix, instrument, closed)
    outcomes = EpisodeOutcomes(
        intake=summaries.intake,
        outcome=summaries.latest,
        category=summaries.category,
        not_on_track=summaries.ever_red,
        dropout=dropout_flags(ending, reliably_improved(summaries.category)),
        sessions=episodes.sessions.astype(np.float64),
        weeks=weeks_in_care(episodes.first_session_date, episodes.last_session_date),
    )
    dates = window_dates(closed, episodes.end_date, episodes.last_session_date)
    return InstrumentAnalysis(
        instrument, episodes, matrix, summaries, ending, closed, outcomes, dates, today
    )


def effectiveness_data(
    session: OrmSession,
    name: str,
    *,
    therapist_code: str | None = None,
    today: dt.date | None = None,
) -> EffectivenessData:
    """Load and compute only what the effectiveness figures need (``stats``).

    The same numbers as ``analyse_instrument(...).outcomes``, without what the figures
    do not use (client codes, sudden changes, per-episode signal details), from a lean
    load of three columns per score.
    """
    from practice_app.storage.instruments import load_instruments

    instrument = find_instrument(load_instruments(session), name)
    rows = load_outcome_rows(session, instrument.name, therapist_code=therapist_code)
    return effectiveness_from_rows(instrument, rows, today or dt.date.today())


def quick_effectiveness_data(
    target: str | None,
    name: str,
    *,
    therapist_code: str | None = None,
    today: dt.date | None = None,
) -> EffectivenessData | None:
    """``effectiveness_data`` straight from an up-to-date SQLite file, without SQLAlchemy.

    None when the database needs the full open (a URL, a file to create, refuse or
    migrate) or does not hold the instrument yet: then open it with ``open_database``
    and call ``effectiveness_data``, which also gives the errors.
    """
    connection = open_for_reading(target)
    if connection is None:
        return None
    try:
        try:
            instrument = find_instrument(read_instruments(connection), name)
        except UserError:
            return None  # maybe a built-in not stored yet: open_database adds it
        rows = fetch_outcome_rows(connection, instrument.name, therapist_code=therapist_code)
    finally:
        connection.close()
    return effectiveness_from_rows(instrument, rows, today or dt.date.today())


def effectiveness_from_rows(
    instrument: InstrumentDef, data: OutcomeRows, today: dt.date
) -> EffectivenessData:
    """Compute the effectiveness inputs from the lean load (as ``analyse_instrument`` does)."""
    e = data.episode_id.size
    rows = to_rows(data.score_episode_id, data.episode_id)
    matrix = build_score_matrix(rows, data.score_number, data.score_total, e)
    ending = resolve_endings(data.ending_reason, data.last_session_date, today)
    closed = np.asarray(ending != "", dtype=bool)
    # As summarize_episodes: alliance instruments (no RC) get no category and no signal.
    category = categorize_matrix(matrix, instrument)
    if instrument.reliable_change is None:
        not_on_track = np.zeros(e, dtype=bool)
    else:
        pool = reference_pool(matrix, closed)
        not_on_track = outcome_signals(matrix, instrument, pool).ever_red
    outcomes = EpisodeOutcomes(
        intake=matrix.intake,
        outcome=matrix.latest,
        category=category,
        not_on_track=not_on_track,
        dropout=dropout_flags(ending, reliably_improved(category)),
        sessions=data.sessions.astype(np.float64),
        weeks=weeks_in_care(data.first_session_date, data.last_session_date),
    )
    dates = window_dates(closed, data.end_date, data.last_session_date)
    return EffectivenessData(
        instrument, data.episode_id, matrix.counts, closed, outcomes, dates, today
    )


def own_reference(analysis: Analysed) -> SaesReference | None:
    """The SAES reference fit on all the therapist's measured episodes (fixed across windows)."""
    m = analysis.measured
    if not m.any():
        return None
    # outcomes.intake and .outcome are the summaries' intake and latest.
    return saes_reference(
        analysis.outcomes.intake[m], analysis.outcomes.outcome[m], analysis.instrument, "own"
    )


def select_episodes(
    analysis: Analysed,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    closed_only: bool = False,
) -> BoolArray:
    """Mask of measured episodes whose window date lies in [since, until]."""
    mask = analysis.measured.copy()
    if closed_only:
        mask &= analysis.closed
    if since is not None:
        mask &= analysis.window_date >= np.datetime64(since, "D")
    if until is not None:
        mask &= analysis.window_date <= np.datetime64(until, "D")
    return mask


def figure_json(fig: Figure, digits: int = 3) -> dict[str, Any]:
    """A figure as JSON: value, 95% CI, n, and the reason when there is no value."""
    out: dict[str, Any] = {
        "value": None if fig.value is None else round(fig.value, digits),
        "ci": None if fig.ci is None else [round(fig.ci[0], digits), round(fig.ci[1], digits)],
        "n": fig.n,
    }
    if fig.reason:
        out["reason"] = fig.reason
    return out


def reference_json(ref: SaesReference | None) -> dict[str, Any] | None:
    """Describe the SAES reference pool and its fit."""
    if ref is None:
        return None
    own = ref.label == "own"
    return {
        "label": ref.label,
        "description": "the therapist's own episodes (compares windows at equal case mix)"
        if own
        else ref.label,
        "n": ref.n,
        "intercept": round(ref.a, 4),
        "slope": round(ref.b, 4),
        "mean_change": round(ref.mean_change, 4),
        "sd_intake": round(ref.sd_intake, 4),
    }


def effectiveness_json(result: Effectiveness) -> dict[str, Any]:
    """The figures of one set of episodes in the shape ``stats --json`` promises."""
    n = result.n
    percent = {k: figure_json(v, 1) for k, v in result.percent.items()}
    out: dict[str, Any] = {
        "n": n,
        "enough_data": result.enough,
        "categories": dict(result.categories),
        "percent": {k: v["value"] for k, v in percent.items()},
        "percent_ci": {k: v["ci"] for k, v in percent.items()},
        "effect_size": figure_json(result.effect_size),
        "saes": {**figure_json(result.saes), "reference": reference_json(result.saes_reference)},
        "not_on_track": {"n": result.not_on_track, "percent": percent["not_on_track"]["value"]},
        "dropout": {"n": result.dropout, "percent": percent["dropout"]["value"]},
        "mean_sessions": figure_json(result.mean_sessions, 2)["value"],
        "mean_weeks": figure_json(result.mean_weeks, 1)["value"],
    }
    if not result.enough:
        out["reason"] = result.reason
    return out


def window_json(window: Window) -> dict[str, Any]:
    """One period's figures."""
    return {
        "period": window.label,
        "start": str(window.start),
        "end": str(window.end),
        **effectiveness_json(window.result),
    }


def stats(
    analysis: Analysed,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    closed_only: bool = False,
    by: Period | None = None,
    rolling: bool = False,
) -> dict[str, Any]:
    """Effectiveness of the selected episodes, with windows by period when asked."""
    mask = select_episodes(analysis, since=since, until=until, closed_only=closed_only)
    reference = own_reference(analysis)
    subset = analysis.outcomes.subset(mask)
    result = effectiveness(subset, analysis.instrument, reference)
    windows: list[dict[str, Any]] = []
    dates = analysis.window_date[mask]
    if by is not None:
        found = effectiveness_by_period(subset, dates, analysis.instrument, by, reference)
        windows = [window_json(w) for w in found]
    if rolling:
        windows += [
            {**window_json(w), "rolling_months": 12}
            for w in rolling_effectiveness(subset, dates, analysis.instrument, 12, reference)
        ]
    return {
        "instrument": analysis.instrument.name,
        "population": "episodes with two or more measurements"
        + (", closed only" if closed_only else ""),
        "since": since,
        "until": until,
        **effectiveness_json(result),
        "windows": windows,
    }


def episode_status(analysis: InstrumentAnalysis, row: int) -> str:
    """'open' or 'closed' after the inactivity rule."""
    return "closed" if analysis.closed[row] else "open"
