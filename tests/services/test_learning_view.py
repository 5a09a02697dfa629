"""The Learning screen's loader and objective drafts on the hand-countable planted practice."""

from __future__ import annotations

import datetime as dt

import pytest
from learning_sample_data import write_planted

from practice_app.services.learning_view import (
    MIN_EPISODES,
    EpisodeItem,
    load_learning,
    objective_from_lesson,
    objective_from_pattern,
)
from practice_app.services.lessons import add_lesson
from practice_app.storage.database import Database


@pytest.fixture
def planted(db: Database) -> Database:
    """The test database with the planted pattern (tests/learning_sample_data.py)."""
    write_planted(db)
    return db


def test_the_view_holds_the_pattern_its_episodes_lessons_and_the_bunt(planted: Database) -> None:
    with planted.session() as s:
        add_lesson(s, client_code="S-01", taught="Pace", tags=["referral", "Pace"])
        view = load_learning(s)
    assert view.n_episodes == 28 and view.enough
    employer = [
        p
        for p in view.patterns
        if p.row.feature == "referral source" and p.row.flag == "not_on_track"
    ]
    assert len(employer) == 1
    item = employer[0]
    assert item.who == "clients referred by an employer"
    assert (item.row.events_with, item.row.n_with) == (9, 12)
    ids = {e.client: e.episode_id for e in view.episodes.values()}
    assert {view.episodes[i].client for i in item.episode_ids} == {
        f"E-{i:02d}" for i in range(1, 13)
    }
    assert item.flagged_ids == {ids[f"E-{i:02d}"] for i in range(1, 10)}
    assert [b.client for b, _ in view.bunt] == ["B-01"]
    assert "red at 5 of 6 measurements" in view.bunt[0][1]
    # One tag in two spellings: a tie, so the earlier lesson's spelling is shown.
    assert [(t.tag, t.count) for t in view.tags] == [("Referral", 2), ("Pace", 1)]
    assert view.clients[0] == "B-01" and len(view.clients) == 28
    assert view.current_focus is None  # nothing in the plan yet


def test_objective_drafts_from_a_pattern_and_a_lesson(planted: Database) -> None:
    with planted.session() as s:
        view = load_learning(s)
    item = next(p for p in view.patterns if p.row.flag == "not_on_track")
    draft = objective_from_pattern(item)
    assert draft.title == "Get clients referred by an employer on track more often"
    assert draft.success_criteria.startswith(
        "Now: 9 of 12 episodes of clients referred by an employer (75%) were not on track, "
        "against 19% of the others."
    )
    assert draft.source.startswith("Pattern: Clients referred by an employer")
    lesson = view.lessons[0]
    from_lesson = objective_from_lesson(lesson)
    assert from_lesson.title == "Ask what the client wants."
    assert "Lesson from E-01" in from_lesson.success_criteria


def test_too_few_episodes_say_so(db: Database) -> None:
    with db.session() as s:
        view = load_learning(s)
    assert view.n_episodes == 0 and not view.enough
    assert f"at least {MIN_EPISODES} episodes" in view.empty_text()
    assert view.patterns == () and view.emerging == () and view.lessons == ()


def test_episode_spans() -> None:
    def item(first: dt.date | None, last: dt.date | None) -> EpisodeItem:
        return EpisodeItem(1, "C", "1", first, last, 3, None, "none", "")

    assert item(dt.date(2025, 2, 3), dt.date(2025, 4, 1)).span == "Feb 2025 – Apr 2025"
    assert item(dt.date(2025, 2, 3), dt.date(2025, 2, 20)).span == "Feb 2025"
    assert item(None, None).span == "–"
    assert item(dt.date(2025, 2, 3), dt.date(2025, 4, 1)).dates == "03 Feb 2025 – 01 Apr 2025"


def test_a_practice_measuring_on_the_phq9_gets_its_patterns_there(db: Database) -> None:
    from sqlalchemy import select

    from practice_app.storage.models import Client, Episode, Instrument, Score, Session, Therapist

    with db.session() as s:
        phq = s.scalars(select(Instrument).where(Instrument.name == "PHQ-9")).one()
        therapist = Therapist(code="T1")
        for i in range(3):
            episode = Episode(client=Client(code=f"P-{i}"), therapist=therapist)
            for n, total in enumerate((18.0, 12.0), start=1):
                session = Session(episode=episode, number=n, date=dt.date(2025, 3, 7 * n + i))
                session.scores.append(Score(instrument=phq, total=total))
                episode.sessions.append(session)
            s.add(episode)
    with db.session() as s:
        view = load_learning(s)
    assert view.instrument == "PHQ-9" and view.n_episodes == 3
    assert "measured on the PHQ-9" in view.empty_text()
