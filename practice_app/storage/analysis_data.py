"""Bulk loads for the analysis: scores and episodes as numpy arrays, only the needed columns.

These run plain SELECTs through the Core connection and build arrays in one pass
(no ORM objects), because the analysis reads every score of an instrument.

The lean load behind ``stats`` (``OutcomeRows``): the three columns of every score the
figures need and one aggregated row per episode, fetched as plain tuples from a DBAPI
cursor (no Row objects, no type processing: on 300,000 scores the per-row Python cost
is most of the load). ``load_outcome_rows`` runs it in an ORM session of any database;
``plain_sqlite.open_for_reading`` + ``fetch_outcome_rows`` run it on an up-to-date
SQLite file without SQLAlchemy at all, whose import alone costs more than half a second.

SQLAlchemy and the models are therefore imported inside the functions that use them,
so that importing this module (for the lean SQLite path) does not load them.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from sqlalchemy.orm import Session as OrmSession

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
    from sqlalchemy import select

    from practice_app.storage.models import Episode, Therapist

    if therapist_code is None:
        return []
    therapist = select(Therapist.id).where(Therapist.code == therapist_code).scalar_subquery()
    return [Episode.therapist_id == therapist]


def load_scores(
    session: OrmSession, instrument: str, *, therapist_code: str | None = None
) -> ScoreRows:
    """Load the totals of ``instrument`` with their episode, session number and date."""
    from sqlalchemy import String, select, type_coerce

    from practice_app.storage.models import Episode, Instrument, Score, Session

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
    from sqlalchemy import and_, func, select

    from practice_app.storage.models import Client, Episode, Session, Therapist

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


@dataclass(frozen=True)
class OutcomeRows:
    """One instrument's scores and the episode facts the effectiveness figures need.

    Scores are in no particular order (``build_score_matrix`` sorts them); episodes are
    sorted by id: the same episodes, with the same values, as ``load_episodes`` gives.
    """

    score_episode_id: IntArray
    score_number: IntArray
    score_total: FloatArray
    episode_id: IntArray
    end_date: DateArray
    ending_reason: list[str | None]
    first_session_date: DateArray
    last_session_date: DateArray
    sessions: IntArray


# Plain SQL that SQLite and PostgreSQL both read; {} marks a parameter (see _placeholders).
# "+ 0" keeps SQLite off the instrument index: with one or two instruments per session,
# one pass over the score table is about twice as fast as an index search that then
# looks up every matching row.
_SCORES_SQL = """
SELECT session.episode_id, session.number, score.total
FROM score JOIN session ON session.id = score.session_id
WHERE score.instrument_id + 0 = (SELECT instrument.id FROM instrument WHERE instrument.name = {})
"""
_EPISODES_SQL = """
SELECT episode.id, episode.end_date, episode.ending_reason,
       min(session.date), max(session.date), count(session.id)
FROM episode LEFT OUTER JOIN session ON session.episode_id = episode.id
"""
_THERAPIST_SQL = (
    "episode.therapist_id = (SELECT therapist.id FROM therapist WHERE therapist.code = {})"
)


def _placeholders(sql: str, paramstyle: str, params: Sequence[Any]) -> tuple[str, Any]:
    """Fill the {} marks with the driver's parameter style; return the SQL and its args."""
    n = sql.count("{}")
    if paramstyle == "qmark":
        return sql.format(*["?"] * n), list(params)
    if paramstyle in ("format", "pyformat"):
        return sql.format(*["%s"] * n), list(params)
    if paramstyle == "numeric":
        return sql.format(*[f":{i + 1}" for i in range(n)]), list(params)
    names = [f"p{i}" for i in range(n)]  # named
    return sql.format(*[f":{k}" for k in names]), dict(zip(names, params, strict=True))


def _fetch(connection: Any, paramstyle: str, sql: str, params: Sequence[Any]) -> list[Any]:
    text, args = _placeholders(sql, paramstyle, params)
    cursor = connection.cursor()
    try:
        cursor.execute(text, args)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def fetch_outcome_rows(
    connection: Any,
    instrument: str,
    *,
    therapist_code: str | None = None,
    paramstyle: str = "qmark",
) -> OutcomeRows:
    """Run the lean ``stats`` load on a DBAPI connection (plain tuples, no SQLAlchemy)."""
    scores_sql, episodes_sql = _SCORES_SQL, _EPISODES_SQL
    score_params: list[Any] = [instrument]
    episode_params: list[Any] = []
    if therapist_code is not None:
        scores_sql += (
            " AND session.episode_id IN (SELECT episode.id FROM episode WHERE "
            + _THERAPIST_SQL
            + ")"
        )
        score_params.append(therapist_code)
        episodes_sql += " WHERE " + _THERAPIST_SQL
        episode_params.append(therapist_code)
    # Grouped by the primary key alone (its other columns follow from it, for SQLite and
    # PostgreSQL alike), so SQLite walks the episodes in id order with no sort.
    episodes_sql += " GROUP BY episode.id ORDER BY episode.id"
    score_rows = _fetch(connection, paramstyle, scores_sql, score_params)
    episode_rows = _fetch(connection, paramstyle, episodes_sql, episode_params)
    # All three score columns through one float array: ids and session numbers are
    # exact in a double, and one C loop over the flattened tuples is the fastest way in.
    flat = np.fromiter(
        itertools.chain.from_iterable(score_rows), np.float64, 3 * len(score_rows)
    ).reshape(-1, 3)
    cols: list[tuple[Any, ...]] = (
        list(zip(*episode_rows, strict=True)) if episode_rows else [()] * 6
    )
    return OutcomeRows(
        score_episode_id=flat[:, 0].astype(np.int64),
        score_number=flat[:, 1].astype(np.int64),
        score_total=flat[:, 2].copy(),
        episode_id=np.array(cols[0], dtype=np.int64),
        end_date=to_dates(list(cols[1])),
        ending_reason=list(cols[2]),
        first_session_date=to_dates(list(cols[3])),
        last_session_date=to_dates(list(cols[4])),
        sessions=np.array(cols[5], dtype=np.int64),
    )


def load_outcome_rows(
    session: OrmSession, instrument: str, *, therapist_code: str | None = None
) -> OutcomeRows:
    """Run the lean ``stats`` load inside an ORM session (any database, its transaction)."""
    connection = session.connection()
    return fetch_outcome_rows(
        connection.connection,
        instrument,
        therapist_code=therapist_code,
        paramstyle=connection.dialect.paramstyle,
    )


def load_client_attributes(session: OrmSession) -> dict[str, dict[str, str]]:
    """Return every client's attributes (fixed fields and custom ones) keyed by client code."""
    from sqlalchemy import select

    from practice_app.storage.models import Client, ClientAttribute

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
