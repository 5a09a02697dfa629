"""The deliberate-practice journal: entries, their checks and their summaries.

Qt-free; used by ``practice-app practice`` and the Practice screen. Every write is
checked in full before anything is added to the session, so a refused entry writes
nothing (the caller's transaction holds no partial change).

Activities, domains and the other names are in ``practice_vocab`` (re-exported here).
Weeks start on Monday (ISO 8601).
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import selectinload

from practice_app.errors import UserError
from practice_app.services.practice_vocab import (
    BUILTIN_ACTIVITIES,
    DIFFICULTY_LABELS,
    DOMAINS,
    FEEDBACK_LABELS,
    SHORT_LABELS,
    Activity,
    add_activity,
    closest,
    find_activity,
    find_difficulty,
    find_domain,
    find_feedback,
    list_activities,
    set_weekly_target,
    therapist_for,
    weekly_target,
)
from practice_app.storage.models import (
    Client,
    PracticeEntry,
    PracticeEntryClient,
    PracticeObjective,
    Therapist,
)

__all__ = [
    "BUILTIN_ACTIVITIES",
    "DIFFICULTY_LABELS",
    "DOMAINS",
    "FEEDBACK_LABELS",
    "SHORT_LABELS",
    "Activity",
    "EntryInput",
    "EntryRow",
    "PeriodTotal",
    "add_activity",
    "add_entry",
    "delete_entry",
    "find_activity",
    "find_difficulty",
    "find_domain",
    "find_feedback",
    "list_activities",
    "list_entries",
    "set_weekly_target",
    "summary",
    "therapist_for",
    "update_entry",
    "weekly_target",
]

MAX_MINUTES = 1440
FUTURE_DAYS = 1
"""Entries are logged after the practice; one day of slack covers time zones."""
EARLIEST = dt.date(1950, 1, 1)

Period = Literal["week", "month"]


@dataclass(frozen=True)
class EntryInput:
    """An entry as typed by the user (checked and normalised by ``check_entry``)."""

    date: dt.date
    minutes: int
    activity: str
    domain: str | None = None
    objective: int | str | None = None
    """The objective's id, or its title (any case)."""
    difficulty: str | None = None
    rating: float | None = None
    feedback: str | None = None
    notes: str | None = None
    clients: tuple[str, ...] = ()


@dataclass(frozen=True)
class EntryRow:
    """A stored journal entry, as the command line and the screen show it."""

    id: int
    date: dt.date
    minutes: int
    activity: str
    activity_label: str
    domain: str | None
    objective_id: int | None
    objective_title: str | None
    difficulty: str | None
    self_rating: float | None
    feedback_source: str | None
    notes: str | None
    clients: tuple[str, ...]

    def as_json(self) -> dict[str, object]:
        """The entry as the ``--json`` output gives it."""
        return {
            "id": self.id,
            "date": self.date.isoformat(),
            "minutes": self.minutes,
            "activity": self.activity,
            "activity_label": self.activity_label,
            "domain": self.domain,
            "objective_id": self.objective_id,
            "objective": self.objective_title,
            "difficulty": self.difficulty,
            "rating": self.self_rating,
            "feedback": self.feedback_source,
            "notes": self.notes,
            "clients": list(self.clients),
        }


@dataclass(frozen=True)
class PeriodTotal:
    """Practice in one week (starting Monday) or calendar month."""

    period_start: dt.date
    minutes: int
    entries: int


@dataclass(frozen=True)
class CheckedEntry:
    """An entry whose every field has been checked and normalised."""

    date: dt.date
    minutes: int
    activity: str
    domain: str | None
    objective_id: int | None
    difficulty: str | None
    rating: float | None
    feedback: str | None
    notes: str | None
    client_ids: tuple[int, ...]


# --- checking --------------------------------------------------------------------------


def find_objective(session: OrmSession, therapist_id: int, ref: int | str) -> int:
    """The id of the therapist's objective given by id or title (any case)."""
    rows = session.execute(
        select(PracticeObjective.id, PracticeObjective.title)
        .where(PracticeObjective.therapist_id == therapist_id)
        .order_by(PracticeObjective.id)
    ).all()
    text = str(ref).strip()
    for oid, title in rows:
        if text == str(oid) or text.lower() == title.lower():
            return int(oid)
    known = "; ".join(f"{oid} {title}" for oid, title in rows[-5:])
    hint = closest(text, [t for _, t in rows])
    raise UserError(f"unknown objective '{text}'{hint} (objectives: {known or 'none yet'})")


def find_clients(session: OrmSession, codes: Iterable[str]) -> tuple[int, ...]:
    """Client ids for the codes (exact), refusing any unknown code."""
    wanted = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    if not wanted:
        return ()
    query = select(Client.code, Client.id).where(Client.code.in_(wanted))
    found = {code: cid for code, cid in session.execute(query)}
    missing = [c for c in wanted if c not in found]
    if missing:
        near = difflib.get_close_matches(
            missing[0], list(session.scalars(select(Client.code))), n=1, cutoff=0.7
        )
        hint = f"; did you mean '{near[0]}'?" if near else ""
        raise UserError(f"unknown client code '{missing[0]}'{hint}")
    return tuple(found[c] for c in wanted)


def check_minutes(minutes: int) -> int:
    """Minutes from 1 to 1440 (a whole day)."""
    if not 1 <= minutes <= MAX_MINUTES:
        raise UserError(f"minutes must be from 1 to {MAX_MINUTES} (got {minutes})")
    return minutes


def check_date(day: dt.date, today: dt.date) -> dt.date:
    """A practice date not in the future (one day of slack) and not absurdly early."""
    if day > today + dt.timedelta(days=FUTURE_DAYS):
        raise UserError(f"date {day} is in the future: log practice once it has happened")
    if day < EARLIEST:
        raise UserError(f"date {day} is before {EARLIEST}: check the year")
    return day


def check_rating(rating: float) -> float:
    """A self-rating from 0 to 10."""
    if not 0 <= rating <= 10:
        raise UserError(f"rating must be from 0 to 10 (got {rating:g})")
    return float(rating)


def check_entry(
    session: OrmSession, therapist_id: int, data: EntryInput, today: dt.date | None = None
) -> CheckedEntry:
    """Check and normalise every field; raise UserError on the first problem."""
    today = today or dt.date.today()
    notes = (data.notes or "").strip() or None
    return CheckedEntry(
        date=check_date(data.date, today),
        minutes=check_minutes(int(data.minutes)),
        activity=find_activity(list_activities(session), data.activity).key,
        domain=find_domain(data.domain) if data.domain and data.domain.strip() else None,
        objective_id=None
        if data.objective is None or str(data.objective).strip() == ""
        else find_objective(session, therapist_id, data.objective),
        difficulty=find_difficulty(data.difficulty) if data.difficulty else None,
        rating=None if data.rating is None else check_rating(data.rating),
        feedback=find_feedback(data.feedback) if data.feedback else None,
        notes=notes,
        client_ids=find_clients(session, data.clients),
    )


# --- writing ---------------------------------------------------------------------------


def _apply(entry: PracticeEntry, c: CheckedEntry) -> None:
    entry.date = c.date
    entry.minutes = c.minutes
    entry.activity = c.activity
    entry.domain = c.domain
    entry.objective_id = c.objective_id
    entry.difficulty = c.difficulty
    entry.self_rating = c.rating
    entry.feedback_source = c.feedback
    entry.notes = c.notes
    entry.clients = [PracticeEntryClient(client_id=cid) for cid in c.client_ids]


def add_entry(
    session: OrmSession,
    data: EntryInput,
    *,
    therapist_code: str | None = None,
    today: dt.date | None = None,
    entry_id: int | None = None,
) -> EntryRow:
    """Check and store a new entry; ``entry_id`` restores a deleted one under its old id."""
    therapist_id = therapist_for(session, therapist_code)
    checked = check_entry(session, therapist_id, data, today)
    entry = PracticeEntry(therapist_id=therapist_id)
    if entry_id is not None:
        entry.id = entry_id
    _apply(entry, checked)
    session.add(entry)
    session.flush()
    return get_entry(session, entry.id)


def _entry(session: OrmSession, entry_id: int) -> PracticeEntry:
    entry = session.get(PracticeEntry, entry_id)
    if entry is None:
        raise UserError(f"no practice entry {entry_id}")
    return entry


def update_entry(
    session: OrmSession, entry_id: int, data: EntryInput, *, today: dt.date | None = None
) -> EntryRow:
    """Check and replace every field of an entry."""
    entry = _entry(session, entry_id)
    checked = check_entry(session, entry.therapist_id, data, today)
    entry.clients.clear()
    session.flush()  # the old links go before the new ones (same primary keys)
    _apply(entry, checked)
    session.flush()
    return get_entry(session, entry_id)


def delete_entry(session: OrmSession, entry_id: int) -> EntryRow:
    """Delete an entry; return it as it was, so it can be restored (undo)."""
    row = get_entry(session, entry_id)
    session.delete(_entry(session, entry_id))
    session.flush()
    return row


def input_of(row: EntryRow) -> EntryInput:
    """The input that stores ``row`` again (for undo and redo)."""
    return EntryInput(
        date=row.date,
        minutes=row.minutes,
        activity=row.activity,
        domain=row.domain,
        objective=row.objective_id,
        difficulty=row.difficulty,
        rating=row.self_rating,
        feedback=row.feedback_source,
        notes=row.notes,
        clients=row.clients,
    )


# --- reading ---------------------------------------------------------------------------


def _rows(session: OrmSession, entries: Iterable[PracticeEntry]) -> list[EntryRow]:
    labels = {a.key: a.label for a in list_activities(session)}
    titles = select(PracticeObjective.id, PracticeObjective.title)
    objective_titles = {oid: title for oid, title in session.execute(titles)}
    entries = list(entries)
    client_ids = {link.client_id for e in entries for link in e.clients}
    query = select(Client.id, Client.code).where(Client.id.in_(client_ids))
    codes = {cid: code for cid, code in session.execute(query)} if client_ids else {}
    return [
        EntryRow(
            id=e.id,
            date=e.date,
            minutes=e.minutes,
            activity=e.activity,
            activity_label=labels.get(e.activity, e.activity),
            domain=e.domain,
            objective_id=e.objective_id,
            objective_title=None
            if e.objective_id is None
            else objective_titles.get(e.objective_id),
            difficulty=e.difficulty,
            self_rating=e.self_rating,
            feedback_source=e.feedback_source,
            notes=e.notes,
            clients=tuple(sorted(codes[link.client_id] for link in e.clients)),
        )
        for e in entries
    ]


def get_entry(session: OrmSession, entry_id: int) -> EntryRow:
    """One entry by id."""
    return _rows(session, [_entry(session, entry_id)])[0]


def list_entries(
    session: OrmSession,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    therapist_code: str | None = None,
    therapist_id: int | None = None,
    activity: str | None = None,
    domain: str | None = None,
    objective: int | str | None = None,
) -> tuple[EntryRow, ...]:
    """The therapist's entries from ``since`` to ``until`` (inclusive), oldest first.

    ``activity`` (key or label), ``domain`` and ``objective`` (id or title) narrow the
    list; an unknown name is refused as when logging.
    """
    if therapist_id is None:
        if therapist_code is None and not session.scalar(select(func.count(Therapist.id))):
            return ()
        therapist_id = therapist_for(session, therapist_code, create=False)
    query = (
        select(PracticeEntry)
        .where(PracticeEntry.therapist_id == therapist_id)
        .options(selectinload(PracticeEntry.clients))
        .order_by(PracticeEntry.date, PracticeEntry.id)
    )
    if since is not None:
        query = query.where(PracticeEntry.date >= since)
    if until is not None:
        query = query.where(PracticeEntry.date <= until)
    if activity is not None:
        key = find_activity(list_activities(session), activity).key
        query = query.where(PracticeEntry.activity == key)
    if domain is not None:
        query = query.where(PracticeEntry.domain == find_domain(domain))
    if objective is not None:
        oid = find_objective(session, therapist_id, objective)
        query = query.where(PracticeEntry.objective_id == oid)
    return tuple(_rows(session, session.scalars(query)))


# --- summaries -------------------------------------------------------------------------


def period_start(day: dt.date, by: Period) -> dt.date:
    """The Monday of the day's week, or the first of its month."""
    if by == "week":
        return day - dt.timedelta(days=day.weekday())
    return day.replace(day=1)


def next_period(start: dt.date, by: Period) -> dt.date:
    """The start of the period after the one starting on ``start``."""
    if by == "week":
        return start + dt.timedelta(days=7)
    return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def period_totals(
    items: Iterable[tuple[dt.date, int]],
    by: Period,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> tuple[PeriodTotal, ...]:
    """Minutes and entry counts per period, periods without practice included as zero.

    Only items dated from ``since`` to ``until`` count. The periods run from the one
    holding ``since`` (default: the first item) to the one holding ``until`` (default:
    the last item), so the first and last may be partly outside the range.
    """
    kept = [
        (d, m) for d, m in items if (since is None or d >= since) and (until is None or d <= until)
    ]
    first = since or min((d for d, _ in kept), default=None)
    last = until or max((d for d, _ in kept), default=None)
    if first is None or last is None or last < first:
        return ()
    minutes: dict[dt.date, int] = {}
    counts: dict[dt.date, int] = {}
    for d, m in kept:
        key = period_start(d, by)
        minutes[key] = minutes.get(key, 0) + m
        counts[key] = counts.get(key, 0) + 1
    out: list[PeriodTotal] = []
    start = period_start(first, by)
    while start <= last:
        out.append(PeriodTotal(start, minutes.get(start, 0), counts.get(start, 0)))
        start = next_period(start, by)
    return tuple(out)


def summary(
    session: OrmSession,
    by: Period,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    therapist_code: str | None = None,
    today: dt.date | None = None,
) -> tuple[PeriodTotal, ...]:
    """Practice per week or month; without ``until`` the periods run up to today."""
    if by not in ("week", "month"):
        raise UserError(f"summary by '{by}': choose week or month")
    if since and until and until < since:
        raise UserError(f"--until {until} is before --since {since}")
    entries = list_entries(session, since=since, until=until, therapist_code=therapist_code)
    if not entries and since is None:
        return ()
    end = until
    if end is None:
        latest = max((e.date for e in entries), default=today or dt.date.today())
        end = max(today or dt.date.today(), latest)
    return period_totals(((e.date, e.minutes) for e in entries), by, since, end)


def totals_by(entries: Iterable[EntryRow], field: Literal["activity", "domain"]) -> dict[str, int]:
    """Minutes per activity key or per domain ('' for entries without a domain)."""
    out: dict[str, int] = {}
    for e in entries:
        key = (e.activity if field == "activity" else e.domain) or ""
        out[key] = out.get(key, 0) + e.minutes
    return out
