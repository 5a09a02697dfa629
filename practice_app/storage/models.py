"""SQLAlchemy 2 typed models: the whole schema, in portable SQL (SQLite and PostgreSQL).

Clients are codes, never names. Enumerated values are stored as short strings
checked by CHECK constraints, so the schema reads the same in any SQL client.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names so Alembic migrations (and SQLite batch mode) can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ENDING_REASONS = ("planned", "stopped", "referred", "inactive", "other")
"""Episode endings: planned; client stopped coming; referred on; inactive (no session
for the inactivity window, set at import); other. See science.md section 5."""

ENDING_LABELS = {
    "planned": "Planned ending",
    "stopped": "Client stopped coming",
    "referred": "Referred on",
    "inactive": "Inactive",
    "other": "Other",
}

DIFFICULTIES = ("too-easy", "right", "too-hard")
FEEDBACK_SOURCES = ("self", "coach", "peer", "supervisor", "client")
OBJECTIVE_STATUSES = ("planned", "active", "achieved", "dropped")


def _in(column: str, values: tuple[str, ...]) -> str:
    """Return a CHECK expression allowing NULL or one of ``values``."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IS NULL OR {column} IN ({quoted})"


class Base(DeclarativeBase):
    """Declarative base with the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Therapist(Base):
    """A therapist; a personal database usually holds one, a clinic's many."""

    __tablename__ = "therapist"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    weekly_practice_target_minutes: Mapped[int] = mapped_column(Integer, default=180)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())

    episodes: Mapped[list[Episode]] = relationship(back_populates="therapist")


class Client(Base):
    """A client, known only by a code."""

    __tablename__ = "client"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    gender: Mapped[str | None] = mapped_column(String(40))
    age_group: Mapped[str | None] = mapped_column(String(40))
    group_name: Mapped[str | None] = mapped_column(String(120))
    referral_source: Mapped[str | None] = mapped_column(String(120))
    presenting_concerns: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())

    episodes: Mapped[list[Episode]] = relationship(back_populates="client")
    attributes: Mapped[list[ClientAttribute]] = relationship(
        back_populates="client", cascade="all, delete-orphan"
    )


class ClientAttribute(Base):
    """A custom client attribute (e.g. an imported ``Client_Modality`` column)."""

    __tablename__ = "client_attribute"
    __table_args__ = (UniqueConstraint("client_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    value: Mapped[str] = mapped_column(Text)

    client: Mapped[Client] = relationship(back_populates="attributes")


class Episode(Base):
    """One client's course of treatment with one therapist."""

    __tablename__ = "episode"
    __table_args__ = (
        CheckConstraint(_in("ending_reason", ENDING_REASONS), name="ending_reason"),
        Index("ix_episode_therapist_end", "therapist_id", "end_date"),
        Index("ix_episode_client", "client_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"))
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapist.id", ondelete="RESTRICT"))
    external_id: Mapped[str | None] = mapped_column(String(120))
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    ending_reason: Mapped[str | None] = mapped_column(String(20))

    client: Mapped[Client] = relationship(back_populates="episodes")
    therapist: Mapped[Therapist] = relationship(back_populates="episodes")
    sessions: Mapped[list[Session]] = relationship(
        back_populates="episode", cascade="all, delete-orphan", order_by="Session.number"
    )


class Session(Base):
    """One therapy session of an episode; its scores hang off it."""

    __tablename__ = "session"
    __table_args__ = (
        UniqueConstraint("episode_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        Index("ix_session_date", "date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episode.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    date: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)

    episode: Mapped[Episode] = relationship(back_populates="sessions")
    scores: Mapped[list[Score]] = relationship(
        back_populates="session", cascade="all, delete-orphan"
    )


class Instrument(Base):
    """An outcome or alliance measure; built-ins are copied here from resources/instruments."""

    __tablename__ = "instrument"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    min_score: Mapped[float] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float)
    higher_is_better: Mapped[bool] = mapped_column(Boolean)
    cutoff: Mapped[float | None] = mapped_column(Float)
    clinical_at_cutoff: Mapped[bool] = mapped_column(Boolean, default=False)
    reliable_change: Mapped[float | None] = mapped_column(Float)
    alliance: Mapped[bool] = mapped_column(Boolean, default=False)
    items: Mapped[list[str]] = mapped_column(JSON, default=list)
    item_min: Mapped[float | None] = mapped_column(Float)
    item_max: Mapped[float | None] = mapped_column(Float)
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """The full parsed definition file (sources, notes, derivations)."""


class Score(Base):
    """One instrument's score at one session: the total and, when given, the items."""

    __tablename__ = "score"
    __table_args__ = (
        UniqueConstraint("session_id", "instrument_id"),
        Index("ix_score_instrument_session", "instrument_id", "session_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("session.id", ondelete="CASCADE"))
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instrument.id", ondelete="RESTRICT"))
    total: Mapped[float] = mapped_column(Float)
    items: Mapped[list[float | None] | None] = mapped_column(JSON)

    session: Mapped[Session] = relationship(back_populates="scores")
    instrument: Mapped[Instrument] = relationship()


class PracticeActivity(Base):
    """A user-defined practice activity (the built-in ones live in code)."""

    __tablename__ = "practice_activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    label: Mapped[str] = mapped_column(String(200))


class PracticeObjective(Base):
    """An objective of the development plan, with its baseline snapshot of outcome figures."""

    __tablename__ = "practice_objective"
    __table_args__ = (CheckConstraint(_in("status", OBJECTIVE_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapist.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    focus_area: Mapped[str | None] = mapped_column(String(120))
    domain: Mapped[str | None] = mapped_column(String(60))
    success_criteria: Mapped[str | None] = mapped_column(Text)
    start_date: Mapped[dt.date] = mapped_column(Date)
    review_date: Mapped[dt.date | None] = mapped_column(Date)
    closed_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="active")
    baseline: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    review_note: Mapped[str | None] = mapped_column(Text)


class PracticeEntry(Base):
    """One deliberate-practice session in the journal."""

    __tablename__ = "practice_entry"
    __table_args__ = (
        CheckConstraint("minutes >= 1 AND minutes <= 1440", name="minutes_range"),
        CheckConstraint(_in("difficulty", DIFFICULTIES), name="difficulty"),
        CheckConstraint(_in("feedback_source", FEEDBACK_SOURCES), name="feedback_source"),
        CheckConstraint(
            "self_rating IS NULL OR (self_rating >= 0 AND self_rating <= 10)", name="self_rating"
        ),
        Index("ix_practice_entry_therapist_date", "therapist_id", "date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapist.id", ondelete="CASCADE"))
    date: Mapped[dt.date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    activity: Mapped[str] = mapped_column(String(60))
    domain: Mapped[str | None] = mapped_column(String(60))
    objective_id: Mapped[int | None] = mapped_column(
        ForeignKey("practice_objective.id", ondelete="SET NULL")
    )
    difficulty: Mapped[str | None] = mapped_column(String(20))
    self_rating: Mapped[float | None] = mapped_column(Float)
    feedback_source: Mapped[str | None] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())

    objective: Mapped[PracticeObjective | None] = relationship()
    clients: Mapped[list[PracticeEntryClient]] = relationship(cascade="all, delete-orphan")


class PracticeEntryClient(Base):
    """Link between a practice entry and a client it was about."""

    __tablename__ = "practice_entry_client"

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("practice_entry.id", ondelete="CASCADE"), primary_key=True
    )
    client_id: Mapped[int] = mapped_column(
        ForeignKey("client.id", ondelete="CASCADE"), primary_key=True
    )


class ClientLesson(Base):
    """What a client taught the therapist (learning from clients)."""

    __tablename__ = "client_lesson"
    __table_args__ = (Index("ix_client_lesson_client", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"))
    episode_id: Mapped[int | None] = mapped_column(ForeignKey("episode.id", ondelete="SET NULL"))
    date: Mapped[dt.date] = mapped_column(Date)
    taught: Mapped[str] = mapped_column(Text)
    new_or_different: Mapped[str | None] = mapped_column(Text)
    will_practise: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list[LessonTag]] = relationship(cascade="all, delete-orphan")


class LessonTag(Base):
    """One tag of a lesson; tags recurring across lessons are counted."""

    __tablename__ = "lesson_tag"

    lesson_id: Mapped[int] = mapped_column(
        ForeignKey("client_lesson.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(80), primary_key=True)


class WeeklyReview(Base):
    """A completed weekly review: note, commitment and the optional energy self-rating."""

    __tablename__ = "weekly_review"
    __table_args__ = (
        UniqueConstraint("therapist_id", "week_start"),
        CheckConstraint("energy IS NULL OR (energy >= 0 AND energy <= 10)", name="energy"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapist.id", ondelete="CASCADE"))
    week_start: Mapped[dt.date] = mapped_column(Date)
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    energy: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    commitment: Mapped[str | None] = mapped_column(Text)


class ConsultationBrief(Base):
    """A de-identified brief on one episode, with what was tried and the questions."""

    __tablename__ = "consultation_brief"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episode.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, server_default=func.now(), onupdate=func.now()
    )
    tried: Mapped[str | None] = mapped_column(Text)
    questions: Mapped[str | None] = mapped_column(Text)
