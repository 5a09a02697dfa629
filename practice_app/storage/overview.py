"""What a database holds, in a few aggregate queries: the figures behind the Overview screen.

Qt-free and portable (SQLite and PostgreSQL): every figure is one aggregate
statement, never a row per session loaded into Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Integer,
    Label,
    Select,
    case,
    cast,
    extract,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.sql.elements import SQLCoreOperations

from practice_app.storage.models import (
    Client,
    ClientLesson,
    ConsultationBrief,
    Episode,
    Instrument,
    PracticeEntry,
    PracticeObjective,
    Score,
    Session,
    Therapist,
    WeeklyReview,
)


@dataclass(frozen=True)
class InstrumentCount:
    """How many scores the database holds for one instrument."""

    name: str
    title: str
    alliance: bool
    scores: int


@dataclass(frozen=True)
class MonthPoint:
    """One calendar month: sessions held and minutes of deliberate practice logged."""

    month: dt.date
    """The first day of the month."""
    sessions: int
    practice_minutes: int

    @property
    def practice_hours(self) -> float:
        """Practice in hours."""
        return self.practice_minutes / 60.0


@dataclass(frozen=True)
class Overview:
    """The whole database at a glance."""

    therapists: int
    clients: int
    open_episodes: int
    closed_episodes: int
    sessions: int
    instruments: tuple[InstrumentCount, ...]
    """Instruments with at least one score, most-used first."""
    first_session: dt.date | None
    last_session: dt.date | None
    practice_entries: int
    practice_minutes_total: int
    objectives: int
    weekly_reviews: int
    lessons: int
    briefs: int
    endings: tuple[tuple[str, int], ...]
    """Closed episodes per ending reason (None: no reason recorded), most frequent first."""
    today: dt.date
    """The day the figures were computed for ("this year", the unfinished month)."""
    year: int
    practice_minutes_this_year: int
    months: tuple[MonthPoint, ...]
    """Every month from the first to the last dated session or practice entry, gaps as zeros."""

    @property
    def episodes(self) -> int:
        """Open and closed episodes together."""
        return self.open_episodes + self.closed_episodes

    @property
    def scores(self) -> int:
        """Scores of every instrument together."""
        return sum(item.scores for item in self.instruments)

    @property
    def is_empty(self) -> bool:
        """True when there is nothing to show: no clients, sessions or practice."""
        return self.clients == 0 and self.sessions == 0 and self.practice_entries == 0


def _scalar(session: OrmSession, statement: Select[Any]) -> int:
    value = session.execute(statement).scalar()
    return int(value or 0)


def _month_key(column: SQLCoreOperations[Any]) -> tuple[Label[int], Label[int]]:
    # extract() compiles to strftime on SQLite and EXTRACT on PostgreSQL: portable.
    return (
        cast(extract("year", column), Integer).label("y"),
        cast(extract("month", column), Integer).label("m"),
    )


def _months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(dt.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def monthly_activity(session: OrmSession) -> tuple[MonthPoint, ...]:
    """Return sessions and practice minutes per calendar month, with empty months as zeros."""
    s_year, s_month = _month_key(Session.date)
    session_rows = session.execute(
        select(s_year, s_month, func.count(Session.id))
        .where(Session.date.is_not(None))
        .group_by(s_year, s_month)
    ).all()
    p_year, p_month = _month_key(PracticeEntry.date)
    practice_rows = session.execute(
        select(p_year, p_month, func.sum(PracticeEntry.minutes)).group_by(p_year, p_month)
    ).all()
    sessions = {(int(y), int(m)): int(n) for y, m, n in session_rows}
    minutes = {(int(y), int(m)): int(n or 0) for y, m, n in practice_rows}
    keys = sorted(set(sessions) | set(minutes))
    if not keys:
        return ()
    first = dt.date(keys[0][0], keys[0][1], 1)
    last = dt.date(keys[-1][0], keys[-1][1], 1)
    return tuple(
        MonthPoint(
            month,
            sessions.get((month.year, month.month), 0),
            minutes.get((month.year, month.month), 0),
        )
        for month in _months_between(first, last)
    )


def instrument_counts(session: OrmSession) -> tuple[InstrumentCount, ...]:
    """Return the number of scores per instrument (only instruments in use), most-used first."""
    rows = session.execute(
        select(Instrument.name, Instrument.title, Instrument.alliance, func.count(Score.id))
        .join(Score, Score.instrument_id == Instrument.id)
        .group_by(Instrument.id, Instrument.name, Instrument.title, Instrument.alliance)
        .order_by(func.count(Score.id).desc(), Instrument.name)
    ).all()
    return tuple(
        InstrumentCount(name, title, bool(alliance), int(n)) for name, title, alliance, n in rows
    )


def ending_counts(session: OrmSession) -> tuple[tuple[str, int], ...]:
    """Return closed episodes per ending reason ("" when none was recorded), most frequent first."""
    closed = or_(Episode.end_date.is_not(None), Episode.ending_reason.is_not(None))
    rows = session.execute(
        select(Episode.ending_reason, func.count(Episode.id))
        .where(closed)
        .group_by(Episode.ending_reason)
    ).all()
    counts = [(reason or "", int(n)) for reason, n in rows]
    return tuple(sorted(counts, key=lambda item: (-item[1], item[0])))


def load_overview(session: OrmSession, today: dt.date | None = None) -> Overview:
    """Count what the database holds; ``today`` fixes "this year" (default: the real today)."""
    today = today or dt.date.today()
    closed = or_(Episode.end_date.is_not(None), Episode.ending_reason.is_not(None))
    episode_row = session.execute(
        select(
            func.count(Episode.id),
            func.coalesce(func.sum(case((closed, 1), else_=0)), 0),
        )
    ).one()
    date_row = session.execute(select(func.min(Session.date), func.max(Session.date))).one()
    practice_row = session.execute(
        select(func.count(PracticeEntry.id), func.coalesce(func.sum(PracticeEntry.minutes), 0))
    ).one()
    year_start, next_year = dt.date(today.year, 1, 1), dt.date(today.year + 1, 1, 1)
    minutes_this_year = _scalar(
        session,
        select(func.coalesce(func.sum(PracticeEntry.minutes), 0)).where(
            PracticeEntry.date >= year_start, PracticeEntry.date < next_year
        ),
    )
    episodes, closed_count = int(episode_row[0]), int(episode_row[1])
    return Overview(
        therapists=_scalar(session, select(func.count(Therapist.id))),
        clients=_scalar(session, select(func.count(Client.id))),
        open_episodes=episodes - closed_count,
        closed_episodes=closed_count,
        sessions=_scalar(session, select(func.count(Session.id))),
        instruments=instrument_counts(session),
        first_session=date_row[0],
        last_session=date_row[1],
        practice_entries=int(practice_row[0]),
        practice_minutes_total=int(practice_row[1]),
        objectives=_scalar(session, select(func.count(PracticeObjective.id))),
        weekly_reviews=_scalar(session, select(func.count(WeeklyReview.id))),
        lessons=_scalar(session, select(func.count(ClientLesson.id))),
        briefs=_scalar(session, select(func.count(ConsultationBrief.id))),
        endings=ending_counts(session),
        today=today,
        year=today.year,
        practice_minutes_this_year=minutes_this_year,
        months=monthly_activity(session),
    )
