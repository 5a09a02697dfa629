"""Writes for one episode: add a session with its scores, delete it, close the episode.

Every check raises a UserError that names the field (``ORS Socially: 11 is above
the item maximum 10``), so the command line and the screens can say what is wrong.
``check_scores`` is the same validation without writing, for inline checks in a form.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session as OrmSession

from practice_app.analysis.instruments import InstrumentDef
from practice_app.errors import UserError
from practice_app.storage.instruments import instrument_ids, load_instruments
from practice_app.storage.models import ENDING_LABELS, ENDING_REASONS, Episode, Score, Session

SUM_TOLERANCE = 0.1
"""Items and total may disagree by rounding only (items carry one decimal)."""

ScoreInput = tuple[float | None, Sequence[float | None] | None]
"""(total or None, items or None) for one instrument."""


@dataclass(frozen=True)
class ScoreProblem:
    """One invalid field: the instrument, the item index (None = the total) and why."""

    instrument: str
    item: int | None
    message: str


@dataclass(frozen=True)
class CheckedScore:
    """A valid score ready to store: the total (computed from items if needed) and items."""

    total: float
    items: list[float] | None


def _field(d: InstrumentDef, item: int | None) -> str:
    return f"{d.name} total" if item is None else f"{d.name} {d.items[item]}"


def _range_problem(value: float, low: float | None, high: float | None, what: str) -> str | None:
    if not math.isfinite(value):
        return "is not a number"
    if low is not None and value < low:
        return f"{value:g} is below the {what} minimum {low:g}"
    if high is not None and value > high:
        return f"{value:g} is above the {what} maximum {high:g}"
    return None


def check_score(
    d: InstrumentDef, total: float | None, items: Sequence[float | None] | None
) -> tuple[CheckedScore | None, list[ScoreProblem]]:
    """Validate one instrument's entry; return the score to store (None if nothing given)."""
    problems: list[ScoreProblem] = []

    def fail(item: int | None, message: str) -> None:
        problems.append(ScoreProblem(d.name, item, f"{_field(d, item)}: {message}"))

    given = [v for v in items or () if v is not None]
    if total is None and not given:
        return None, []
    values: list[float] | None = None
    if given:
        if len(items or ()) != len(d.items):
            fail(None, f"expected {len(d.items)} items, got {len(items or ())}")
            return None, problems
        for index, value in enumerate(items or ()):
            if value is None:
                fail(index, "missing (give every item, or only the total)")
                continue
            problem = _range_problem(float(value), d.item_min, d.item_max, "item")
            if problem:
                fail(index, problem)
        if problems:
            return None, problems
        values = [float(v) for v in items or () if v is not None]
    if total is not None:
        problem = _range_problem(float(total), d.min, d.max, "total")
        if problem:
            fail(None, problem)
            return None, problems
    if values is not None:
        item_sum = math.fsum(values)
        if total is not None and abs(item_sum - float(total)) > SUM_TOLERANCE + 1e-9:
            fail(None, f"{float(total):g} does not match the items, which add up to {item_sum:g}")
            return None, problems
        if total is None:
            problem = _range_problem(item_sum, d.min, d.max, "total")
            if problem:
                fail(None, problem)
                return None, problems
        return CheckedScore(round(item_sum, 6) if total is None else float(total), values), []
    assert total is not None
    return CheckedScore(float(total), None), []


def check_scores(
    instruments: Mapping[str, InstrumentDef], scores: Mapping[str, ScoreInput]
) -> tuple[dict[str, CheckedScore], list[ScoreProblem]]:
    """Validate every instrument's entry; return the scores to store and every problem."""
    checked: dict[str, CheckedScore] = {}
    problems: list[ScoreProblem] = []
    for name, (total, items) in scores.items():
        d = instruments.get(name)
        if d is None:
            known = ", ".join(sorted(instruments))
            problems.append(
                ScoreProblem(name, None, f"unknown instrument '{name}' (known: {known})")
            )
            continue
        score, found = check_score(d, total, items)
        problems += found
        if score is not None:
            checked[name] = score
    return checked, problems


def _episode(session: OrmSession, episode_id: int) -> Episode:
    episode = session.get(Episode, episode_id)
    if episode is None:
        raise UserError(f"episode: no episode with id {episode_id}")
    return episode


def _last_session(session: OrmSession, episode_id: int) -> tuple[int, dt.date | None]:
    """The highest session number of the episode (0 if none) and the latest session date."""
    number, last = session.execute(
        select(func.max(Session.number), func.max(Session.date)).where(
            Session.episode_id == episode_id
        )
    ).one()
    return int(number or 0), last


def add_session(
    session: OrmSession,
    episode_id: int,
    date: dt.date,
    scores: Mapping[str, ScoreInput],
    notes: str | None = None,
) -> int:
    """Add the next session of an open episode with its scores; return the new session id."""
    episode = _episode(session, episode_id)
    if episode.end_date is not None or episode.ending_reason is not None:
        raise UserError(f"episode: episode {episode_id} is closed; reopen it to add a session")
    number, last = _last_session(session, episode_id)
    if last is not None and date < last:
        raise UserError(
            f"date: {date.isoformat()} is before the latest session ({last.isoformat()})"
        )
    checked, problems = check_scores(load_instruments(session), scores)
    if problems:
        raise UserError(problems[0].message)
    ids = instrument_ids(session)
    row = Session(episode_id=episode_id, number=number + 1, date=date, notes=notes or None)
    row.scores = [
        Score(instrument_id=ids[name], total=score.total, items=score.items)
        for name, score in checked.items()
    ]
    session.add(row)
    session.flush()
    return int(row.id)


def delete_session(session: OrmSession, session_id: int) -> None:
    """Delete one session and its scores (the undo of ``add_session``)."""
    row = session.get(Session, session_id)
    if row is None:
        raise UserError(f"session: no session with id {session_id}")
    session.delete(row)
    session.flush()


def close_episode(
    session: OrmSession, episode_id: int, end_date: dt.date, reason: str
) -> tuple[dt.date | None, str | None]:
    """Close an episode with its ending reason; return the previous (end date, reason)."""
    if reason not in ENDING_REASONS:
        known = ", ".join(f"{key} ({ENDING_LABELS[key]})" for key in ENDING_REASONS)
        raise UserError(f"reason: unknown ending reason '{reason}' (known: {known})")
    episode = _episode(session, episode_id)
    _, last = _last_session(session, episode_id)
    if last is not None and end_date < last:
        raise UserError(
            f"end date: {end_date.isoformat()} is before the last session ({last.isoformat()})"
        )
    previous = (episode.end_date, episode.ending_reason)
    episode.end_date = end_date
    episode.ending_reason = reason
    session.flush()
    return previous


def reopen_episode(
    session: OrmSession,
    episode_id: int,
    end_date: dt.date | None = None,
    reason: str | None = None,
) -> None:
    """Set an episode's end date and reason back (None, None: open; the undo of closing)."""
    episode = _episode(session, episode_id)
    episode.end_date = end_date
    episode.ending_reason = reason
    session.flush()
