"""Write demo data with Core bulk inserts in one transaction; check and clear user data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table, func, select
from sqlalchemy import insert as sa_insert

from practice_app.demo.model import DemoData, DemoSummary
from practice_app.errors import UserError
from practice_app.progress import Progress
from practice_app.storage.contents import clear
from practice_app.storage.database import Database
from practice_app.storage.models import (
    Client,
    ClientAttribute,
    ClientLesson,
    ConsultationBrief,
    Episode,
    Instrument,
    LessonTag,
    PracticeEntry,
    PracticeEntryClient,
    PracticeObjective,
    Score,
    Session,
    Therapist,
    WeeklyReview,
)


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def write_demo(
    db: Database, data: DemoData, progress: Progress | None = None, *, replace: bool = False
) -> DemoSummary:
    """Insert ``data`` in one transaction (with ``replace``, after clearing user data)."""
    with db.engine.begin() as conn:
        if replace:
            clear(conn)
        return _write(conn, data, progress or Progress())


def _next_id(conn: Connection, model: Any) -> int:
    return int(conn.scalar(select(func.coalesce(func.max(_table(model).c.id), 0))) or 0) + 1


def _insert(conn: Connection, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn.execute(sa_insert(_table(model)), list(rows))


def _write(conn: Connection, data: DemoData, progress: Progress) -> DemoSummary:
    steps = 8
    progress.update(0, steps, "Writing the demo therapist and clients")
    instruments = {name: id_ for id_, name in conn.execute(select(Instrument.id, Instrument.name))}
    missing = {"ORS", "SRS"} - set(instruments)
    if missing:
        raise UserError(f"the database lacks the instruments {', '.join(sorted(missing))}")
    codes = [c.code for c in data.clients]
    clash = conn.scalar(select(Client.code).where(Client.code.in_(codes)).limit(1))
    if clash is not None:
        raise UserError(f"the database already holds client {clash}; use --force to replace it")

    t = data.therapist
    therapist_id = conn.scalar(select(Therapist.id).where(Therapist.code == t.code))
    therapists = 0
    if therapist_id is None:
        therapist_id = _next_id(conn, Therapist)
        therapist_row = {
            "id": therapist_id,
            "code": t.code,
            "display_name": t.display_name,
            "weekly_practice_target_minutes": t.weekly_practice_target_minutes,
        }
        _insert(conn, Therapist, [therapist_row])
        therapists = 1

    client0 = _next_id(conn, Client) - 1
    client_rows = [
        {
            "id": client0 + c.key,
            "code": c.code,
            "gender": c.gender,
            "age_group": c.age_group,
            "group_name": c.group_name,
            "referral_source": c.referral_source,
            "presenting_concerns": c.presenting_concerns,
        }
        for c in data.clients
    ]
    _insert(conn, Client, client_rows)
    attribute_rows = [
        {"client_id": client0 + c.key, "name": name, "value": value}
        for c in data.clients
        for name, value in c.attributes.items()
    ]
    _insert(conn, ClientAttribute, attribute_rows)

    progress.update(1, steps, "Writing episodes and sessions")
    episode0 = _next_id(conn, Episode) - 1
    episode_rows = [
        {
            "id": episode0 + e.key,
            "client_id": client0 + e.client_key,
            "therapist_id": therapist_id,
            "external_id": e.external_id,
            "start_date": e.start_date,
            "end_date": e.end_date,
            "ending_reason": e.ending_reason,
        }
        for e in data.episodes
    ]
    _insert(conn, Episode, episode_rows)
    session_id = _next_id(conn, Session) - 1
    session_rows: list[dict[str, Any]] = []
    score_rows: list[dict[str, Any]] = []
    for e in data.episodes:
        for s in e.sessions:
            session_id += 1
            session_rows.append(
                {
                    "id": session_id,
                    "episode_id": episode0 + e.key,
                    "number": s.number,
                    "date": s.date,
                    "notes": s.notes,
                }
            )
            for name, score in s.scores.items():
                score_rows.append(
                    {
                        "session_id": session_id,
                        "instrument_id": instruments[name],
                        "total": score.total,
                        "items": list(score.items),
                    }
                )
    _insert(conn, Session, session_rows)
    progress.update(2, steps, "Writing scores")
    _insert(conn, Score, score_rows)

    progress.update(3, steps, "Writing the development plan")
    objective0 = _next_id(conn, PracticeObjective) - 1
    objective_rows = [
        {
            "id": objective0 + o.key,
            "therapist_id": therapist_id,
            "title": o.title,
            "focus_area": o.focus_area,
            "domain": o.domain,
            "success_criteria": o.success_criteria,
            "start_date": o.start_date,
            "review_date": o.review_date,
            "closed_date": o.closed_date,
            "status": o.status,
            "baseline": o.baseline,
            "review_note": o.review_note,
        }
        for o in data.objectives
    ]
    _insert(conn, PracticeObjective, objective_rows)

    progress.update(4, steps, "Writing the practice journal")
    entry0 = _next_id(conn, PracticeEntry) - 1
    entry_rows: list[dict[str, Any]] = []
    link_rows: list[dict[str, Any]] = []
    for i, p in enumerate(data.practice_entries, start=1):
        entry_rows.append(
            {
                "id": entry0 + i,
                "therapist_id": therapist_id,
                "date": p.date,
                "minutes": p.minutes,
                "activity": p.activity,
                "domain": p.domain,
                "objective_id": None if p.objective_key is None else objective0 + p.objective_key,
                "difficulty": p.difficulty,
                "self_rating": p.self_rating,
                "feedback_source": p.feedback_source,
                "notes": p.notes,
            }
        )
        link_rows.extend({"entry_id": entry0 + i, "client_id": client0 + k} for k in p.client_keys)
    _insert(conn, PracticeEntry, entry_rows)
    _insert(conn, PracticeEntryClient, link_rows)

    progress.update(5, steps, "Writing weekly reviews")
    review_rows = [
        {
            "therapist_id": therapist_id,
            "week_start": r.week_start,
            "completed_at": r.completed_at,
            "energy": r.energy,
            "note": r.note,
            "commitment": r.commitment,
        }
        for r in data.weekly_reviews
    ]
    _insert(conn, WeeklyReview, review_rows)

    progress.update(6, steps, "Writing lessons and consultation briefs")
    lesson0 = _next_id(conn, ClientLesson) - 1
    lesson_rows: list[dict[str, Any]] = []
    tag_rows: list[dict[str, Any]] = []
    for i, lesson in enumerate(data.lessons, start=1):
        lesson_rows.append(
            {
                "id": lesson0 + i,
                "client_id": client0 + lesson.client_key,
                "episode_id": episode0 + lesson.episode_key,
                "date": lesson.date,
                "taught": lesson.taught,
                "new_or_different": lesson.new_or_different,
                "will_practise": lesson.will_practise,
            }
        )
        tag_rows.extend({"lesson_id": lesson0 + i, "tag": tag} for tag in lesson.tags)
    _insert(conn, ClientLesson, lesson_rows)
    _insert(conn, LessonTag, tag_rows)
    brief_rows = [
        {
            "episode_id": episode0 + b.episode_key,
            "created_at": b.created_at,
            "updated_at": b.created_at,
            "tried": b.tried,
            "questions": b.questions,
        }
        for b in data.briefs
    ]
    _insert(conn, ConsultationBrief, brief_rows)
    progress.update(steps, steps, "Demo data written")
    return DemoSummary(
        therapists=therapists,
        clients=len(client_rows),
        episodes=len(episode_rows),
        sessions=len(session_rows),
        scores=len(score_rows),
        practice_entries=len(entry_rows),
        weekly_reviews=len(review_rows),
        lessons=len(lesson_rows),
        objectives=len(objective_rows),
        briefs=len(brief_rows),
    )
