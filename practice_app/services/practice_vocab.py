"""The practice journal's vocabulary: therapist, activities, domains, difficulty, feedback.

Qt-free. Built-in activities live in code; the therapist's own are rows of
``practice_activity``. Every name is matched in any case; an unknown one is refused
with the nearest known name as a hint (difflib).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from practice_app.errors import UserError
from practice_app.storage.models import (
    FEEDBACK_SOURCES,
    PracticeActivity,
    PracticeEntry,
    Therapist,
)

DEFAULT_THERAPIST = "me"
"""The therapist created for a database that has none yet (as the importers do)."""


@dataclass(frozen=True)
class Activity:
    """A practice activity: the key the command line takes and the label people read."""

    key: str
    label: str
    builtin: bool = True


BUILTIN_ACTIVITIES: tuple[Activity, ...] = (
    Activity("recording-review", "Reviewing own session recordings"),
    Activity("rehearsal", "Role-play or rehearsal with scripted client statements"),
    Activity("coaching", "Coaching or feedback on a recording"),
    Activity("mental-rehearsal", "Mental rehearsal and planning"),
    Activity("case-review", "Reviewing not-on-track clients' data"),
    Activity("study", "Study applied to a case"),
    Activity("other", "Other"),
)

SHORT_LABELS = {
    "recording-review": "Recording review",
    "rehearsal": "Rehearsal",
    "coaching": "Coaching",
    "mental-rehearsal": "Mental rehearsal",
    "case-review": "Case review",
    "study": "Study",
    "other": "Other",
}
"""Short names for tables and charts (the full label goes in the tooltip)."""

DOMAINS: tuple[str, ...] = (
    "Structure",
    "Hope & Expectancy",
    "Relationship",
    "Client Factors",
    "Therapist Factors",
)
"""The five domains of the Taxonomy of Deliberate Practice Activities (Chow & Miller)."""

DIFFICULTY_LABELS = {"too-easy": "Too easy", "right": "Right", "too-hard": "Too hard"}
FEEDBACK_LABELS = {s: s.capitalize() for s in FEEDBACK_SOURCES}


# --- therapist -------------------------------------------------------------------------


def therapist_for(session: OrmSession, code: str | None = None, *, create: bool = True) -> int:
    """The id of the therapist whose journal this is.

    With a code: that therapist (unknown codes are refused). Without one: the only
    therapist; the one with the most recent practice when there are several (a clinic
    database used by one person); on an empty database a therapist ``me`` is created.
    """
    if code is not None:
        found = session.scalar(select(Therapist.id).where(Therapist.code == code))
        if found is None:
            known = ", ".join(session.scalars(select(Therapist.code).order_by(Therapist.code)))
            raise UserError(f"unknown therapist '{code}' (known: {known or 'none yet'})")
        return found
    ids = list(session.scalars(select(Therapist.id).order_by(Therapist.id)))
    if len(ids) == 1:
        return ids[0]
    if ids:
        latest = session.scalar(
            select(PracticeEntry.therapist_id)
            .order_by(PracticeEntry.date.desc(), PracticeEntry.id.desc())
            .limit(1)
        )
        return latest if latest is not None else ids[0]
    if not create:
        raise UserError("no therapist in this database yet")
    therapist = Therapist(code=DEFAULT_THERAPIST, display_name="")
    session.add(therapist)
    session.flush()
    return therapist.id


def set_weekly_target(session: OrmSession, therapist_id: int, minutes: int) -> int:
    """Set the therapist's weekly practice target (0 to 7 x 1440 minutes); return the old one."""
    if not 0 <= minutes <= 7 * 1440:
        raise UserError(f"weekly target must be from 0 to {7 * 1440} minutes (got {minutes})")
    therapist = session.get(Therapist, therapist_id)
    if therapist is None:
        raise UserError(f"no therapist {therapist_id}")
    old = int(therapist.weekly_practice_target_minutes or 0)
    therapist.weekly_practice_target_minutes = minutes
    session.flush()
    return old


def weekly_target(session: OrmSession, therapist_id: int) -> int:
    """The therapist's weekly practice target in minutes."""
    value = session.scalar(
        select(Therapist.weekly_practice_target_minutes).where(Therapist.id == therapist_id)
    )
    return int(value or 0)


# --- activities and domains ------------------------------------------------------------


def list_activities(session: OrmSession) -> tuple[Activity, ...]:
    """Built-in activities first, then the therapist's own in the order they were added."""
    own = session.execute(
        select(PracticeActivity.key, PracticeActivity.label).order_by(PracticeActivity.id)
    )
    builtin_keys = {a.key for a in BUILTIN_ACTIVITIES}
    return BUILTIN_ACTIVITIES + tuple(
        Activity(key, label or key, False) for key, label in own if key not in builtin_keys
    )


def closest(text: str, choices: Iterable[str]) -> str:
    """ "; did you mean 'x'?" for the nearest choice, or '' when none is near."""
    options = list(choices)
    lowered = {c.lower(): c for c in options}
    near = difflib.get_close_matches(text.lower(), list(lowered), n=1, cutoff=0.6)
    return f"; did you mean '{lowered[near[0]]}'?" if near else ""


def find_activity(activities: Sequence[Activity], text: str) -> Activity:
    """The activity whose key or label is ``text`` (any case), or a UserError with a hint."""
    wanted = text.strip().lower()
    for a in activities:
        if wanted in (a.key.lower(), a.label.lower()):
            return a
    hint = closest(text.strip(), [a.key for a in activities] + [a.label for a in activities])
    keys = ", ".join(a.key for a in activities)
    raise UserError(f"unknown activity '{text.strip()}'{hint} (known: {keys})")


def add_activity(session: OrmSession, key: str, label: str) -> Activity:
    """Add one of the therapist's own activities (key: lower-case letters, digits, -)."""
    key = key.strip().lower()
    label = " ".join(label.split())
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,59}", key):
        raise UserError(f"activity key '{key}': use lower-case letters, digits and '-' only")
    if not label:
        raise UserError("an activity needs a label")
    for a in list_activities(session):
        if key == a.key.lower() or label.lower() == a.label.lower():
            raise UserError(f"activity '{a.key}' ({a.label}) already exists")
    session.add(PracticeActivity(key=key, label=label[:200]))
    session.flush()
    return Activity(key, label[:200], False)


def find_domain(text: str) -> str:
    """The domain named ``text`` (any case, '&' or 'and'), or a UserError with a hint."""
    wanted = " ".join(text.lower().replace(" and ", " & ").split())
    for d in DOMAINS:
        if d.lower() == wanted:
            return d
    hint = closest(text.strip(), DOMAINS)
    raise UserError(f"unknown domain '{text.strip()}'{hint} (domains: {', '.join(DOMAINS)})")


def _choice(text: str, labels: dict[str, str], what: str) -> str:
    wanted = "-".join(text.strip().lower().replace("_", " ").split())
    if wanted == "just-right":
        wanted = "right"
    if wanted in labels:
        return wanted
    hint = closest(text.strip(), labels)
    raise UserError(f"unknown {what} '{text.strip()}'{hint} (choose: {', '.join(labels)})")


def find_difficulty(text: str) -> str:
    """'too-easy', 'right' or 'too-hard' from any spelling ('Too easy', 'too_hard')."""
    return _choice(text, DIFFICULTY_LABELS, "difficulty")


def find_feedback(text: str) -> str:
    """One of the feedback sources (self, coach, peer, supervisor, client), any case."""
    return _choice(text, FEEDBACK_LABELS, "feedback source")
