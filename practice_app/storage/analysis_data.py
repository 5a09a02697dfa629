"""Bulk loads for the analysis: scores and episodes as numpy arrays, only the needed columns.

These run plain SELECTs through the Core connection and build arrays in one pass
(no ORM objects), because the analysis reads every score of an instrument.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import String, and_, func, select, type_coerce
from sqlalchemy.orm import Session as OrmSession

from practice_app.storage.models import (
    Client,
    ClientAttribute,
    Episode,
    Instrument,
    Score,
    Session,
    Therapist,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
DateArray = npt.NDArray[np.datetime64]


@dataclass(frozen=True)
class ScoreRows:
    """Every score of one instrument, one row per scored session, sorted by episode and number."""

    episode_id: IntArray
    session_number: IntArray
    session_date: DateArray
    total: FloatArray


@dataclass(frozen=True)
class EpisodeRows:
    """Episodes with what the analysis needs to know about them, sorted by id."""

    id: IntArray
    client_code: list[str]
    therapist_code: list[str]
    external_id: list[str | None]
    start_date: DateArray
    end_date: DateArray
    """NaT for open episodes."""
    ending_reason: list[str | None]
    first_session_date: DateArray
    last_session_date: DateArray
    sessions: IntArray
    """Number of sessions held (scored or not)."""


def to_dates(values: list[Any]) -> DateArray:
    """Convert ISO texts, dates or None to a datetime64[D] array (None -> NaT)."""
    return np.array(
        [None if v is None else (v if isinstance(v, str) else v.isoformat()) for v in values],
        dtype="datetime64[D]",
    )


def _episode_filter(therapist_code: str | None) -> list[Any]:
    if therapist_code is None:
        return []
    return [Episode.therapist_id == select(Therapist.id).where(Therapist.code == therapist_code)]


def load_scores(
    session: OrmSession, instrument: str, *, therapist_code: str | None = None
) -> ScoreRows:
    """Load the totals of ``instrument`` with their episode, session number and date."""
    stmt = (
        # type_coerce skips per-row date parsing on SQLite (the ISO text goes to numpy).
        select(Session.episode_id, Session.number, type_coerce(Session.date, String), Score.total)
        .join(Score, Score.session_id == Session.id)
        .join(Instrument, Instrument.id == Score.instrument_id)
        .where(Instrument.name == instrument)
        .order_by(Session.episode_id, Session.number)
    )
    if therapist_code is not None:
        stmt = stmt.join(Episode, Episode.id == Session.episode_id).where(
            *_episode_filter(therapist_code)
        )
    rows = session.execute(stmt).all()
    if not rows:
        return ScoreRows(
            np.empty(0, np.int64),
            np.empty(0, np.int64),
            np.empty(0, "datetime64[D]"),
            np.empty(0, np.float64),
        )
    episode_ids, numbers, dates, totals = zip(*rows, strict=True)
    return ScoreRows(
        np.fromiter(episode_ids, np.int64, len(rows)),
        np.fromiter(numbers, np.int64, len(rows)),
        to_dates(list(dates)),
        np.fromiter(totals, np.float64, len(rows)),
    )


def load_episodes(session: OrmSession, *, therapist_code: str | None = None) -> EpisodeRows:
    """Load every episode with its codes, dates, ending and session count."""
    stats = (
        select(
            Session.episode_id.label("episode_id"),
            func.count(Session.id).label("n"),
            func.min(Session.date).label("first"),
            func.max(Session.date).label("last"),
        )
        .group_by(Session.episode_id)
        .subquery()
    )
    stmt = (
        select(
            Episode.id,
            Client.code,
            Therapist.code,
            Episode.external_id,
            Episode.start_date,
            Episode.end_date,
            Episode.ending_reason,
            stats.c.first,
            stats.c.last,
            func.coalesce(stats.c.n, 0),
        )
        .join(Client, Client.id == Episode.client_id)
        .join(Therapist, Therapist.id == Episode.therapist_id)
        .outerjoin(stats, stats.c.episode_id == Episode.id)
        .where(and_(True, *_episode_filter(therapist_code)))
        .order_by(Episode.id)
    )
    rows = session.execute(stmt).all()
    cols: list[tuple[Any, ...]] = list(zip(*rows, strict=True)) if rows else [()] * 10
    return EpisodeRows(
        id=np.array(cols[0], dtype=np.int64),
        client_code=list(cols[1]),
        therapist_code=list(cols[2]),
        external_id=list(cols[3]),
        start_date=to_dates(list(cols[4])),
        end_date=to_dates(list(cols[5])),
        ending_reason=list(cols[6]),
        first_session_date=to_dates(list(cols[7])),
        last_session_date=to_dates(list(cols[8])),
        sessions=np.array(cols[9], dtype=np.int64),
    )


def load_client_attributes(session: OrmSession) -> dict[str, dict[str, str]]:
    """Return every client's attributes (fixed fields and custom ones) keyed by client code."""
    result: dict[str, dict[str, str]] = {}
    fixed = select(
        Client.code,
        Client.gender,
        Client.age_group,
        Client.group_name,
        Client.referral_source,
        Client.presenting_concerns,
    )
    names = ("gender", "age group", "group", "referral source", "presenting concerns")
    for code, *values in session.execute(fixed):
        result[code] = {n: v for n, v in zip(names, values, strict=True) if v}
    custom = select(Client.code, ClientAttribute.name, ClientAttribute.value).join(
        ClientAttribute, ClientAttribute.client_id == Client.id
    )
    for code, name, value in session.execute(custom):
        result.setdefault(code, {})[name] = value
    return result


def today() -> dt.date:
    """Today's date (one place, so tests and reports agree on 'now')."""
    return dt.date.today()
