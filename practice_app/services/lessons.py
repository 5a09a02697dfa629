"""Client lessons: what a client taught the therapist, with tags counted across lessons."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from practice_app.errors import UserError
from practice_app.storage.models import Client, ClientLesson, Episode, LessonTag, Therapist

TAG_MAX = 80
"""The lesson_tag.tag column's length."""

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class LessonRow:
    """One lesson as the CLI and the Learning screen show it."""

    id: int
    client: str
    episode_id: int | None
    episode: str | None
    """The episode's label: its imported case id, else its database id."""
    date: dt.date
    taught: str
    new_or_different: str | None
    will_practise: str | None
    tags: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        """The row as plain JSON-ready data."""
        return {
            "id": self.id,
            "client": self.client,
            "episode": self.episode,
            "episode_id": self.episode_id,
            "date": self.date.isoformat(),
            "taught": self.taught,
            "new_or_different": self.new_or_different,
            "will_practise": self.will_practise,
            "tags": list(self.tags),
        }


@dataclass(frozen=True)
class TagCount:
    """A tag with the number of lessons carrying it (any letter case)."""

    tag: str
    """The display form used most often (the earliest one on a tie)."""
    count: int

    @property
    def recurring(self) -> bool:
        """Whether more than one lesson carries the tag."""
        return self.count >= 2


def tag_key(tag: str) -> str:
    """The form tags are compared and counted in (case-folded)."""
    return clean_tag(tag).casefold()


def clean_tag(tag: str) -> str:
    """A tag as displayed: trimmed, inner whitespace collapsed, a leading '#' dropped."""
    return _SPACES.sub(" ", tag.strip().lstrip("#").strip())


def normalise_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Clean the tags, split comma lists, drop empties and case-insensitive repeats."""
    seen: set[str] = set()
    out: list[str] = []
    for raw in tags:
        for part in raw.split(","):
            tag = clean_tag(part)
            if not tag:
                continue
            if len(tag) > TAG_MAX:
                raise UserError(f"the tag '{tag[:30]}…' is longer than {TAG_MAX} characters")
            if tag.casefold() not in seen:
                seen.add(tag.casefold())
                out.append(tag)
    return tuple(out)


def count_tags(lessons: Sequence[LessonRow]) -> list[TagCount]:
    """Each tag with the number of lessons carrying it, most frequent first."""
    counts: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    first: dict[str, int] = {}
    for order, lesson in enumerate(sorted(lessons, key=lambda r: (r.date, r.id))):
        for tag in lesson.tags:
            key = tag.casefold()
            counts[key] += 1
            forms.setdefault(key, Counter())[tag] += 1
            first.setdefault(tag, order)
    result = []
    for key, n in counts.items():
        display = min(forms[key], key=lambda form: (-forms[key][form], first[form]))
        result.append(TagCount(display, n))
    return sorted(result, key=lambda t: (-t.count, t.tag.casefold()))


def _text(value: str | None, what: str, *, required: bool = False) -> str | None:
    text = (value or "").strip()
    if required and not text:
        raise UserError(f"{what} is empty: write down what this client taught you")
    return text or None


def _client(session: OrmSession, code: str) -> Client:
    client = session.scalars(select(Client).where(Client.code == code.strip())).one_or_none()
    if client is None:
        raise UserError(f"unknown client '{code}'")
    return client


def _episode(session: OrmSession, client: Client, episode: str | int | None) -> Episode | None:
    """The named episode of the client (case id or database id), else the latest one."""
    episodes = list(
        session.scalars(
            select(Episode)
            .where(Episode.client_id == client.id)
            .order_by(Episode.start_date.desc().nulls_last(), Episode.id.desc())
        )
    )
    if episode is None or str(episode).strip() == "":
        return episodes[0] if episodes else None
    wanted = str(episode).strip()
    for e in episodes:
        # An int is a database id (undo restores by it); text may be a case id first.
        if not isinstance(episode, int) and e.external_id and e.external_id == wanted:
            return e
    for e in episodes:
        if str(e.id) == wanted:
            return e
    known = ", ".join(_label(e) for e in episodes) or "none"
    raise UserError(f"client {client.code} has no episode '{wanted}' (episodes: {known})")


def _label(e: Episode) -> str:
    return e.external_id or str(e.id)


def _day(day: dt.date | None, today: dt.date | None) -> dt.date:
    today = today or dt.date.today()
    day = day or today
    if day > today:
        raise UserError(f"the lesson's date {day} is in the future")
    return day


def _row(lesson: ClientLesson, client: Client, episode: Episode | None) -> LessonRow:
    return LessonRow(
        id=lesson.id,
        client=client.code,
        episode_id=episode.id if episode else None,
        episode=_label(episode) if episode else None,
        date=lesson.date,
        taught=lesson.taught,
        new_or_different=lesson.new_or_different,
        will_practise=lesson.will_practise,
        tags=tuple(t.tag for t in lesson.tags),
    )


def add_lesson(
    session: OrmSession,
    *,
    client_code: str,
    taught: str,
    new_or_different: str | None = None,
    will_practise: str | None = None,
    tags: Iterable[str] = (),
    episode: str | int | None = None,
    day: dt.date | None = None,
    today: dt.date | None = None,
    lesson_id: int | None = None,
) -> LessonRow:
    """Store a lesson for a client (on the named episode, else the latest); return it.

    ``lesson_id`` restores a deleted lesson under its old id (used by undo).
    """
    taught_text = _text(taught, "the lesson", required=True)
    assert taught_text is not None
    clean = normalise_tags(tags)
    client = _client(session, client_code)
    ep = _episode(session, client, episode)
    lesson = ClientLesson(
        client_id=client.id,
        episode_id=ep.id if ep else None,
        date=_day(day, today),
        taught=taught_text,
        new_or_different=_text(new_or_different, "what was new"),
        will_practise=_text(will_practise, "what you will practise"),
        tags=[LessonTag(tag=t) for t in clean],
    )
    if lesson_id is not None:
        lesson.id = lesson_id
    session.add(lesson)
    session.flush()
    return _row(lesson, client, ep)


def _lesson(session: OrmSession, lesson_id: int) -> ClientLesson:
    lesson = session.get(ClientLesson, lesson_id)
    if lesson is None:
        raise UserError(f"no lesson with id {lesson_id}")
    return lesson


def get_lesson(session: OrmSession, lesson_id: int) -> LessonRow:
    """One lesson by id."""
    lesson = _lesson(session, lesson_id)
    client = session.get_one(Client, lesson.client_id)
    ep = session.get(Episode, lesson.episode_id) if lesson.episode_id else None
    return _row(lesson, client, ep)


KEEP: object = object()
"""Passed to ``edit_lesson`` for a field that stays as it is."""


def edit_lesson(
    session: OrmSession,
    lesson_id: int,
    *,
    taught: str | None = None,
    new_or_different: object = KEEP,
    will_practise: object = KEEP,
    tags: Iterable[str] | None = None,
    day: dt.date | None = None,
    today: dt.date | None = None,
) -> LessonRow:
    """Change the given fields of a lesson (the others stay); return it as it now is."""
    lesson = _lesson(session, lesson_id)
    if taught is not None:
        text = _text(taught, "the lesson", required=True)
        assert text is not None
        lesson.taught = text
    if new_or_different is not KEEP:
        lesson.new_or_different = _text(str(new_or_different or ""), "what was new")
    if will_practise is not KEEP:
        lesson.will_practise = _text(str(will_practise or ""), "what you will practise")
    if day is not None:
        lesson.date = _day(day, today)
    if tags is not None:
        clean = normalise_tags(tags)
        lesson.tags.clear()
        session.flush()  # the old (lesson, tag) keys must be gone before equal ones return
        lesson.tags.extend(LessonTag(tag=t) for t in clean)
    session.flush()
    return get_lesson(session, lesson_id)


def delete_lesson(session: OrmSession, lesson_id: int) -> LessonRow:
    """Delete a lesson; return what it held (so that it can be restored)."""
    row = get_lesson(session, lesson_id)
    session.delete(_lesson(session, lesson_id))
    session.flush()
    return row


def restore_lesson(session: OrmSession, row: LessonRow) -> LessonRow:
    """Write a deleted lesson back under its old id (undo of a delete)."""
    return add_lesson(
        session,
        client_code=row.client,
        taught=row.taught,
        new_or_different=row.new_or_different,
        will_practise=row.will_practise,
        tags=row.tags,
        episode=row.episode_id,
        day=row.date,
        today=row.date,
        lesson_id=row.id,
    )


def list_lessons(
    session: OrmSession,
    *,
    client_code: str | None = None,
    tag: str | None = None,
    therapist_code: str | None = None,
) -> list[LessonRow]:
    """Lessons, newest first, optionally of one client, with one tag, or one therapist's."""
    query = (
        select(ClientLesson, Client, Episode)
        .join(Client, Client.id == ClientLesson.client_id)
        .outerjoin(Episode, Episode.id == ClientLesson.episode_id)
        .order_by(ClientLesson.date.desc(), ClientLesson.id.desc())
    )
    if client_code is not None:
        query = query.where(Client.id == _client(session, client_code).id)
    if therapist_code is not None:
        therapist = session.scalars(
            select(Therapist).where(Therapist.code == therapist_code)
        ).one_or_none()
        if therapist is None:
            raise UserError(f"unknown therapist '{therapist_code}'")
        query = query.where(Episode.therapist_id == therapist.id)
    tags: dict[int, list[str]] = {}
    for lesson_id, name in session.execute(
        select(LessonTag.lesson_id, LessonTag.tag).order_by(LessonTag.lesson_id)
    ):
        tags.setdefault(lesson_id, []).append(name)
    rows = [
        LessonRow(
            id=lesson.id,
            client=client.code,
            episode_id=ep.id if ep else None,
            episode=_label(ep) if ep else None,
            date=lesson.date,
            taught=lesson.taught,
            new_or_different=lesson.new_or_different,
            will_practise=lesson.will_practise,
            tags=tuple(tags.get(lesson.id, ())),
        )
        for lesson, client, ep in session.execute(query)
    ]
    if tag is not None:
        wanted = tag_key(tag)
        rows = [r for r in rows if any(t.casefold() == wanted for t in r.tags)]
    return rows
