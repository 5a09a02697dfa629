"""Workload against results: sessions per week, outcomes by weekly load, energy by week.

Qt-free, the data of the Practice screen's Workload tab (science.md section 6; the load
bands and the decline rule are in analysis.practice_results). ``read_workload_inputs``
runs on the database worker, ``compute_workload`` on the analysis pool.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from sqlalchemy import String, select, type_coerce
from sqlalchemy.orm import Session as OrmSession

from practice_app.analysis.effectiveness import MIN_EPISODES, Figure, effectiveness
from practice_app.analysis.practice_results import (
    Decline,
    RankCorrelation,
    band_index,
    decline,
    episode_load,
    load_bands,
    rank_correlation,
    week_start,
    weekly_sessions,
)
from practice_app.analysis.scores import DateArray, IntArray
from practice_app.services.outcomes import EffectivenessData, own_reference
from practice_app.services.practice_results import (
    as_date,
    find_therapist_id,
    instrument_name,
    outcome_inputs,
    reference_note,
)
from practice_app.storage.analysis_data import OutcomeRows, to_dates
from practice_app.storage.models import Episode, WeeklyReview


@dataclass(frozen=True)
class WeekLoad:
    """Sessions held in one week (Monday to Sunday)."""

    start: dt.date
    sessions: int


@dataclass(frozen=True)
class EnergyPoint:
    """One weekly review's energy rating (0-10) and the sessions held that week."""

    week: dt.date
    energy: int
    sessions: int


@dataclass(frozen=True)
class BandFigures:
    """Outcomes of the episodes whose weekly load fell in one band."""

    label: str
    low: float
    high: float | None
    n: int
    mean_load: float
    effect_size: Figure
    saes: Figure
    reliably_improved: Figure


@dataclass(frozen=True)
class WorkloadView:
    """Everything the Workload against results tab shows."""

    instrument: str
    therapist_code: str | None
    today: dt.date
    weeks: tuple[WeekLoad, ...]
    typical_load: float | None
    """Median sessions in one therapist's working week (therapist-weeks with a session)."""
    bands: tuple[BandFigures, ...]
    decline: Decline | None
    decline_text: str
    energy: tuple[EnergyPoint, ...]
    energy_vs_load: RankCorrelation
    episodes: int
    """Measured episodes with a weekly load (behind the band figures)."""
    reference_note: str
    message: str = ""
    therapists: int = 1
    """Therapists whose sessions are counted (the weekly bars add them up)."""


# ----- workload against results ---------------------------------------------------------
@dataclass(frozen=True)
class WorkloadInputs:
    """What the database worker reads for the Workload against results tab."""

    instrument: str
    therapist_code: str | None
    today: dt.date
    therapist_ids: IntArray
    """Sorted therapist ids; "owner" arrays below index into it."""
    session_date: DateArray
    session_owner: IntArray
    review_week: DateArray
    review_owner: IntArray
    """-1 for a review by a therapist without sessions."""
    review_energy: IntArray
    rows: OutcomeRows | None
    data: EffectivenessData | None
    episode_owner: IntArray
    """Owner of each episode of ``rows`` (aligned with rows.episode_id)."""


def _raw_rows(session: OrmSession, sql: str) -> list[Any]:
    """Plain tuples from the DBAPI cursor (no Row objects: 300,000 sessions load fast)."""
    raw = session.connection().connection
    cursor = raw.cursor()
    try:
        cursor.execute(sql)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def read_workload_inputs(
    session: OrmSession,
    *,
    instrument: str | None = "ORS",
    therapist_code: str | None = None,
    today: dt.date | None = None,
) -> WorkloadInputs:
    """Read session dates, episodes' therapists, energy ratings and the outcome data."""
    today = today or dt.date.today()
    therapist_id = find_therapist_id(session, therapist_code)
    name = instrument_name(session, instrument)
    episodes = select(Episode.id, Episode.therapist_id).order_by(Episode.id)
    if therapist_id is not None:
        episodes = episodes.where(Episode.therapist_id == therapist_id)
    ep_rows = session.execute(episodes).all()
    ep_id = np.array([r[0] for r in ep_rows], dtype=np.int64)
    ep_therapist = np.array([r[1] for r in ep_rows], dtype=np.int64)
    ids = np.unique(ep_therapist)
    sql = "SELECT session.episode_id, session.date FROM session WHERE session.date IS NOT NULL"
    if therapist_id is not None:  # an id read from the database above: an int, safe inline
        sql += (
            " AND session.episode_id IN (SELECT episode.id FROM episode WHERE "
            f"episode.therapist_id = {int(therapist_id)})"
        )
    sessions = _raw_rows(session, sql)
    s_episode = np.fromiter((r[0] for r in sessions), np.int64, len(sessions))
    s_date = to_dates([r[1] for r in sessions])
    pos = np.clip(np.searchsorted(ep_id, s_episode), 0, max(ep_id.size - 1, 0))
    s_owner = np.searchsorted(ids, ep_therapist[pos]) if ep_id.size else np.zeros(0, dtype=np.int64)
    stmt = select(
        type_coerce(WeeklyReview.week_start, String), WeeklyReview.therapist_id, WeeklyReview.energy
    ).where(WeeklyReview.energy.is_not(None))
    if therapist_id is not None:
        stmt = stmt.where(WeeklyReview.therapist_id == therapist_id)
    reviews = sorted(session.execute(stmt).all(), key=lambda r: str(r[0]))
    index = {int(t): i for i, t in enumerate(ids.tolist())}
    rows, data = (
        (None, None) if name is None else outcome_inputs(session, name, therapist_code, today)
    )
    e_owner = np.zeros(0, dtype=np.int64)
    if rows is not None:
        at = np.clip(np.searchsorted(ep_id, rows.episode_id), 0, max(ep_id.size - 1, 0))
        e_owner = np.searchsorted(ids, ep_therapist[at]) if ep_id.size else np.zeros_like(at)
    return WorkloadInputs(
        instrument=name or "",
        therapist_code=therapist_code,
        today=today,
        therapist_ids=ids,
        session_date=s_date,
        session_owner=np.asarray(s_owner, dtype=np.int64),
        review_week=week_start(to_dates([r[0] for r in reviews])),
        review_owner=np.array([index.get(int(r[1]), -1) for r in reviews], dtype=np.int64),
        review_energy=np.array([r[2] for r in reviews], dtype=np.int64),
        rows=rows,
        data=data,
        episode_owner=np.asarray(e_owner, dtype=np.int64),
    )


def _decline_text(bands: tuple[BandFigures, ...], found: Decline | None) -> str:
    figured = [b for b in bands if b.saes.value is not None]
    if len(figured) < 2:
        return (
            f"Too few bands with {MIN_EPISODES}+ episodes to compare loads: more history is needed."
        )
    if found is None:
        best = max(figured, key=lambda b: b.saes.value or 0.0)
        return (
            f"No fall with load in your data: SAES is highest at {best.label} sessions "
            "a week and not lower in any heavier band."
        )
    peak, start = bands[found.peak], bands[found.start]
    p, s = peak.saes.value or 0.0, start.saes.value or 0.0
    sure = (
        "its 95% CI lies wholly below the peak"
        if found.clear
        else "the CIs overlap, so this may be chance"
    )
    return (
        f"Effectiveness is highest at {peak.label} sessions a week (SAES {p:.2f}, "
        f"n={peak.n}) and lower from {start.label} (SAES {s:.2f}, n={start.n}); {sure}."
    )


def compute_workload(inputs: WorkloadInputs) -> WorkloadView:
    """Sessions per week, energy by week, and outcomes by weekly load band."""
    n_owners = max(int(inputs.therapist_ids.size), 1)
    weeks, counts = weekly_sessions(inputs.session_date, inputs.session_owner, n_owners)
    total = counts.sum(axis=0)
    week_rows = tuple(
        WeekLoad(as_date(w), int(c)) for w, c in zip(weeks, total.tolist(), strict=True)
    )
    # The typical week of one therapist: the median over therapist-weeks with sessions.
    working = counts[counts > 0]
    typical = float(np.median(working)) if working.size else None
    # Energy ratings, each with its own therapist's sessions that week.
    r_week, r_owner = inputs.review_week, inputs.review_owner
    r_sessions = np.zeros(r_week.size, dtype=np.int64)
    if weeks.size and r_week.size:
        k = (r_week - weeks[0]).astype(np.int64) // 7
        ok = (k >= 0) & (k < weeks.size) & (r_owner >= 0)
        r_sessions[ok] = counts[r_owner[ok], k[ok]]
    energy = tuple(
        EnergyPoint(as_date(w), int(e), int(n))
        for w, e, n in zip(r_week, inputs.review_energy.tolist(), r_sessions.tolist(), strict=True)
    )
    energy_vs_load = (
        rank_correlation(r_sessions, inputs.review_energy)
        if r_week.size
        else RankCorrelation(None, None, 0, None, "no weekly reviews with an energy rating")
    )
    view = WorkloadView(
        inputs.instrument, inputs.therapist_code, inputs.today, week_rows, typical, (), None,
        "", energy, energy_vs_load, 0, "", therapists=int(inputs.therapist_ids.size),
    )  # fmt: skip
    rows, data = inputs.rows, inputs.data
    if rows is None or data is None:
        return replace(view, message="No outcome scores yet: nothing to set workload against.")
    load = episode_load(
        rows.first_session_date, rows.last_session_date, inputs.episode_owner, weeks, counts
    )
    measured = data.measured & ~np.isnan(load)
    ref = own_reference(data)
    bands = load_bands(load[measured])
    which = band_index(load, bands)
    figures = []
    for b, band in enumerate(bands):
        mask = measured & (which == b)
        result = effectiveness(data.outcomes.subset(mask), data.instrument, ref)
        figures.append(
            BandFigures(
                band.label, band.low, band.high, result.n, float(load[mask].mean()),
                result.effect_size, result.saes, result.percent["reliably_improved"],
            )
        )  # fmt: skip
    found = decline([f.saes.value for f in figures], [f.saes.ci for f in figures])
    band_tuple = tuple(figures)
    return replace(
        view,
        bands=band_tuple,
        decline=found,
        decline_text=_decline_text(band_tuple, found),
        episodes=int(measured.sum()),
        reference_note=reference_note(ref),
    )


def load_workload(
    session: OrmSession,
    *,
    instrument: str | None = "ORS",
    therapist_code: str | None = None,
    today: dt.date | None = None,
) -> WorkloadView:
    """Sessions per week, outcomes by weekly load band, and energy ratings by week."""
    inputs = read_workload_inputs(
        session, instrument=instrument, therapist_code=therapist_code, today=today
    )
    return compute_workload(inputs)


__all__ = [
    "BandFigures",
    "EnergyPoint",
    "WeekLoad",
    "WorkloadInputs",
    "WorkloadView",
    "compute_workload",
    "load_workload",
    "read_workload_inputs",
]
