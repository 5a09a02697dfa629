"""The stored weekly reviews: weeks, the streak, completing, editing and reopening. No Qt.

A week runs Monday to Sunday and is named by its Monday. A review is *completed* when
it has a ``completed_at``; a reopened review keeps its note, commitment and energy as a
draft (``completed_at`` None) until it is completed again.

The streak (``streak``): the number of consecutive weeks with a completed review, counted
back from the week shown. A week that is not over yet (its Sunday is today or later)
and has no completed review does not break the streak: counting starts from the week
before it. A week without a completed review that is over breaks it; so the streak of
a past week whose review was skipped is 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from practice_app.errors import UserError
from practice_app.storage.models import Therapist, WeeklyReview

WEEK = dt.timedelta(days=7)
DEFAULT_THERAPIST = "me"
"""The code given to the therapist a review creates in a database that has none (as imports)."""
ENERGY_RANGE = (0, 10)
NOTE_MAX = 10_000
"""Longest note or commitment kept (a review is a few lines, never a document)."""


def week_start_of(day: dt.date) -> dt.date:
    """The Monday of the week holding ``day``."""
    return day - dt.timedelta(days=day.weekday())


def week_end_of(day: dt.date) -> dt.date:
    """The Sunday of the week holding ``day``."""
    return week_start_of(day) + dt.timedelta(days=6)


@dataclass(frozen=True)
class ReviewRecord:
    """One stored review (completed, or a draft left by reopening)."""

    week_start: dt.date
    completed_at: dt.datetime | None
    energy: int | None
    note: str
    commitment: str

    @property
    def week_end(self) -> dt.date:
        """The Sunday of the review's week."""
        return self.week_start + dt.timedelta(days=6)

    @property
    def completed(self) -> bool:
        """Whether the review counts as done (and in the streak)."""
        return self.completed_at is not None


def find_therapist(session: OrmSession, code: str | None) -> Therapist | None:
    """The therapist called ``code`` (UserError if unknown), else the first one (None if none)."""
    if code is not None:
        found = session.scalar(select(Therapist).where(Therapist.code == code))
        if found is None:
            raise UserError(f"therapist '{code}' was not found")
        return found
    return session.scalar(select(Therapist).order_by(Therapist.id).limit(1))


def _record(row: WeeklyReview) -> ReviewRecord:
    return ReviewRecord(
        row.week_start, row.completed_at, row.energy, row.note or "", row.commitment or ""
    )


def load_reviews(session: OrmSession, therapist: Therapist | None) -> list[ReviewRecord]:
    """Every stored review of the therapist, latest week first."""
    if therapist is None:
        return []
    rows = session.scalars(
        select(WeeklyReview)
        .where(WeeklyReview.therapist_id == therapist.id)
        .order_by(WeeklyReview.week_start.desc())
    )
    return [_record(r) for r in rows]


def streak(completed_weeks: Iterable[dt.date], week_start: dt.date, today: dt.date) -> int:
    """Consecutive completed weeks up to ``week_start`` (see the module docstring)."""
    done = {week_start_of(w) for w in completed_weeks}
    week = week_start_of(week_start)
    if week not in done and week + dt.timedelta(days=6) >= today:
        week -= WEEK  # the week is not over: it does not break the streak yet
    count = 0
    while week in done:
        count += 1
        week -= WEEK
    return count


def best_streak(completed_weeks: Iterable[dt.date]) -> int:
    """The longest run of consecutive completed weeks ever."""
    weeks = sorted({week_start_of(w) for w in completed_weeks})
    best = run = 0
    previous: dt.date | None = None
    for week in weeks:
        run = run + 1 if previous is not None and week - previous == WEEK else 1
        best = max(best, run)
        previous = week
    return best


def check_energy(energy: int | None) -> int | None:
    """The energy rating, or a UserError when it is not a whole number from 0 to 10."""
    if energy is None:
        return None
    if isinstance(energy, bool) or not isinstance(energy, int):
        raise UserError(f"energy must be a whole number from 0 to 10, not {energy!r}")
    low, high = ENERGY_RANGE
    if not low <= energy <= high:
        raise UserError(f"energy must be from {low} to {high}, not {energy}")
    return energy


def _text(value: str, what: str) -> str:
    text = (value or "").strip()
    if len(text) > NOTE_MAX:
        raise UserError(f"the {what} is longer than {NOTE_MAX:,} characters")
    return text


def _row(session: OrmSession, therapist: Therapist, week_start: dt.date) -> WeeklyReview | None:
    return session.scalar(
        select(WeeklyReview).where(
            WeeklyReview.therapist_id == therapist.id, WeeklyReview.week_start == week_start
        )
    )


def _therapist_for_write(session: OrmSession, code: str | None) -> Therapist:
    therapist = find_therapist(session, code)
    if therapist is None:
        therapist = Therapist(code=DEFAULT_THERAPIST)
        session.add(therapist)
        session.flush()
    return therapist


def complete_review(
    session: OrmSession,
    week_start: dt.date,
    *,
    energy: int | None,
    note: str,
    commitment: str,
    now: dt.datetime | None = None,
    therapist_code: str | None = None,
) -> ReviewRecord:
    """Store the week's review as completed (insert, or update the stored one).

    Editing an already completed review keeps its first completion time, so the week
    still counts where it did; completing a draft (a reopened review) stamps ``now``.
    A week that has not started yet cannot be reviewed.
    """
    week = week_start_of(week_start)
    now = now or dt.datetime.now().replace(microsecond=0)
    if week > now.date():
        raise UserError(f"the week of {week:%d %b %Y} has not started yet")
    checked = check_energy(energy)
    note_text, commitment_text = _text(note, "note"), _text(commitment, "commitment")
    therapist = _therapist_for_write(session, therapist_code)
    row = _row(session, therapist, week)
    if row is None:
        row = WeeklyReview(therapist_id=therapist.id, week_start=week)
        session.add(row)
    if row.completed_at is None:
        row.completed_at = now
    row.energy = checked
    row.note = note_text
    row.commitment = commitment_text
    session.flush()
    return _record(row)


def reopen_review(
    session: OrmSession, week_start: dt.date, *, therapist_code: str | None = None
) -> ReviewRecord:
    """Mark the week's review as not done, keeping its text as a draft to edit."""
    therapist = find_therapist(session, therapist_code)
    row = _row(session, therapist, week_start_of(week_start)) if therapist else None
    if row is None:
        raise UserError(f"no review is stored for the week of {week_start_of(week_start):%d %b %Y}")
    row.completed_at = None
    session.flush()
    return _record(row)


def restore_review(
    session: OrmSession,
    week_start: dt.date,
    previous: ReviewRecord | None,
    *,
    therapist_code: str | None = None,
) -> None:
    """Put the week's review back as ``previous`` was (None: no review): the undo of a write."""
    therapist = _therapist_for_write(session, therapist_code)
    week = week_start_of(week_start)
    row = _row(session, therapist, week)
    if previous is None:
        if row is not None:
            session.delete(row)
        session.flush()
        return
    if row is None:
        row = WeeklyReview(therapist_id=therapist.id, week_start=week)
        session.add(row)
    row.completed_at = previous.completed_at
    row.energy = previous.energy
    row.note = previous.note
    row.commitment = previous.commitment
    session.flush()
