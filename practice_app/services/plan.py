"""The development plan: one focus area at a time, objectives, baselines and reviews.

Qt-free; used by ``practice-app objectives``, the Practice screen and the Learning
screen ("turn a pattern into a practice objective").

One focus at a time (Chow's advice). A new objective in the current focus area (or
when nothing is active) starts at once and stores its baseline. One in another focus
area is kept as *planned*: nothing the therapist is working on is closed behind their
back, and nothing is lost. Starting it later (``start_objective``) is refused while
another focus is active, unless the caller says explicitly how the current objectives
end (achieved or dropped).

The baseline is a snapshot of the outcome figures of the episodes that ended in the 12
months before the start (services.outcomes: the same figures as ``stats``); the review
sets the episodes that ended since the start beside it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session as OrmSession

from practice_app.errors import UserError
from practice_app.services.practice_vocab import find_domain, therapist_for
from practice_app.storage.models import PracticeEntry, PracticeObjective, Therapist

if TYPE_CHECKING:
    from practice_app.services.outcomes import EffectivenessData

BASELINE_VERSION = 1
BASELINE_DAYS = 365
"""The baseline covers the 12 months before the start (science.md section 5: rolling 12 months)."""
CLOSED_STATUSES = ("achieved", "dropped")
FIGURES = (
    ("effect_size", "Effect size"),
    ("saes", "SAES"),
    ("reliably_improved", "Reliably improved %"),
    ("recovered", "Recovered %"),
    ("deteriorated", "Deteriorated %"),
    ("not_on_track", "Not on track %"),
    ("dropout", "Dropout %"),
)
"""The figures a baseline holds, with their labels; percentages are 0-100."""


@dataclass(frozen=True)
class Snapshot:
    """Outcome figures of the episodes that ended from ``since`` to ``until``."""

    instrument: str
    since: dt.date
    until: dt.date
    n: int
    enough: bool
    reason: str = ""
    effect_size: float | None = None
    effect_size_ci: tuple[float, float] | None = None
    saes: float | None = None
    saes_ci: tuple[float, float] | None = None
    reliably_improved: float | None = None
    recovered: float | None = None
    deteriorated: float | None = None
    not_on_track: float | None = None
    dropout: float | None = None
    recomputed: bool = False
    """True when rebuilt from the data (an older stored snapshot had another form)."""

    def as_json(self) -> dict[str, Any]:
        """The snapshot as stored in ``practice_objective.baseline`` and printed by --json."""
        out = asdict(self)
        out["since"] = self.since.isoformat()
        out["until"] = self.until.isoformat()
        out["effect_size_ci"] = None if self.effect_size_ci is None else list(self.effect_size_ci)
        out["saes_ci"] = None if self.saes_ci is None else list(self.saes_ci)
        return {"version": BASELINE_VERSION, **out}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Snapshot | None:
        """A stored snapshot, or None when it is not in this form."""
        if data.get("version") != BASELINE_VERSION:
            return None
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        fields["since"] = dt.date.fromisoformat(data["since"])
        fields["until"] = dt.date.fromisoformat(data["until"])
        for key in ("effect_size_ci", "saes_ci"):
            value = data.get(key)
            fields[key] = None if value is None else (float(value[0]), float(value[1]))
        return cls(**fields)

    def value(self, key: str) -> float | None:
        """One figure by its key in FIGURES."""
        result: float | None = getattr(self, key)
        return result


@dataclass(frozen=True)
class ObjectiveRow:
    """An objective of the plan with its baseline and the practice logged toward it."""

    id: int
    title: str
    focus_area: str | None
    domain: str | None
    success_criteria: str | None
    start_date: dt.date
    review_date: dt.date | None
    closed_date: dt.date | None
    status: str
    baseline: Snapshot | None
    review_note: str | None
    minutes: int = 0
    entries: int = 0

    @property
    def open(self) -> bool:
        """Active or planned (not yet achieved or dropped)."""
        return self.status not in CLOSED_STATUSES

    def as_json(self) -> dict[str, Any]:
        """The objective as ``objectives list --json`` gives it."""
        return {
            "id": self.id,
            "title": self.title,
            "focus_area": self.focus_area,
            "domain": self.domain,
            "success_criteria": self.success_criteria,
            "start_date": self.start_date.isoformat(),
            "review_date": None if self.review_date is None else self.review_date.isoformat(),
            "closed_date": None if self.closed_date is None else self.closed_date.isoformat(),
            "status": self.status,
            "review_note": self.review_note,
            "practice_minutes": self.minutes,
            "practice_entries": self.entries,
            "baseline": None if self.baseline is None else self.baseline.as_json(),
        }


@dataclass(frozen=True)
class ObjectiveReview:
    """An objective's baseline beside the episodes that ended since it started."""

    objective: ObjectiveRow
    baseline: Snapshot | None
    since_start: Snapshot | None
    changes: dict[str, float | None]
    """Figure key -> since-start minus baseline (None when either side has no figure)."""


# --- snapshots -------------------------------------------------------------------------


def outcome_data(
    session: OrmSession, therapist_id: int, today: dt.date
) -> EffectivenessData | None:
    """The effectiveness inputs of the therapist's lead outcome instrument (None: no scores)."""
    from practice_app.services.clients import primary_instrument
    from practice_app.services.outcomes import effectiveness_data

    instrument = primary_instrument(session)
    if instrument is None:
        return None
    code = session.scalar(select(Therapist.code).where(Therapist.id == therapist_id))
    return effectiveness_data(session, instrument.name, therapist_code=code, today=today)


def snapshot(data: EffectivenessData | None, since: dt.date, until: dt.date) -> Snapshot:
    """The figures of the measured episodes whose window date lies from since to until."""
    from practice_app.analysis.effectiveness import effectiveness
    from practice_app.services.outcomes import own_reference, select_episodes

    if data is None:
        return Snapshot("ORS", since, until, 0, False, "no outcome scores yet")
    mask = select_episodes(data, since=since, until=until)
    result = effectiveness(data.outcomes.subset(mask), data.instrument, own_reference(data))
    pct = result.percent

    def rounded(v: float | None, digits: int) -> float | None:
        return None if v is None else round(v, digits)

    def ci(v: tuple[float, float] | None) -> tuple[float, float] | None:
        return None if v is None else (round(v[0], 3), round(v[1], 3))

    return Snapshot(
        instrument=data.instrument.name,
        since=since,
        until=until,
        n=result.n,
        enough=result.enough,
        reason=result.reason,
        effect_size=rounded(result.effect_size.value, 3),
        effect_size_ci=ci(result.effect_size.ci),
        saes=rounded(result.saes.value, 3),
        saes_ci=ci(result.saes.ci),
        reliably_improved=rounded(pct["reliably_improved"].value, 1),
        recovered=rounded(pct["recovered"].value, 1),
        deteriorated=rounded(pct["deteriorated"].value, 1),
        not_on_track=rounded(pct["not_on_track"].value, 1),
        dropout=rounded(pct["dropout"].value, 1),
    )


def baseline_window(start: dt.date) -> tuple[dt.date, dt.date]:
    """The 12 months before the start day (the start day itself not included)."""
    return start - dt.timedelta(days=BASELINE_DAYS), start - dt.timedelta(days=1)


def take_baseline(
    session: OrmSession, therapist_id: int, start: dt.date, today: dt.date
) -> Snapshot:
    """Compute the baseline snapshot for an objective starting on ``start``."""
    since, until = baseline_window(start)
    return snapshot(outcome_data(session, therapist_id, today), since, until)


# --- reading ---------------------------------------------------------------------------


def _practice(session: OrmSession, ids: list[int]) -> dict[int, tuple[int, int]]:
    if not ids:
        return {}
    rows = session.execute(
        select(
            PracticeEntry.objective_id,
            func.coalesce(func.sum(PracticeEntry.minutes), 0),
            func.count(PracticeEntry.id),
        )
        .where(PracticeEntry.objective_id.in_(ids))
        .group_by(PracticeEntry.objective_id)
    )
    return {int(oid or 0): (int(m), int(n)) for oid, m, n in rows}


def _row(o: PracticeObjective, practice: tuple[int, int]) -> ObjectiveRow:
    return ObjectiveRow(
        id=o.id,
        title=o.title,
        focus_area=o.focus_area,
        domain=o.domain,
        success_criteria=o.success_criteria,
        start_date=o.start_date,
        review_date=o.review_date,
        closed_date=o.closed_date,
        status=o.status,
        baseline=None if not o.baseline else Snapshot.from_json(o.baseline),
        review_note=o.review_note,
        minutes=practice[0],
        entries=practice[1],
    )


def list_objectives(
    session: OrmSession,
    *,
    therapist_code: str | None = None,
    therapist_id: int | None = None,
    include_closed: bool = True,
) -> tuple[ObjectiveRow, ...]:
    """The therapist's objectives: active first, then planned, then closed, latest first."""
    if therapist_id is None:
        if therapist_code is None and session.scalar(select(func.count(Therapist.id))) == 0:
            return ()  # reading never creates the default therapist
        therapist_id = therapist_for(session, therapist_code, create=False)
    query = select(PracticeObjective).where(PracticeObjective.therapist_id == therapist_id)
    if not include_closed:
        query = query.where(PracticeObjective.status.not_in(CLOSED_STATUSES))
    objectives = list(session.scalars(query))
    practice = _practice(session, [o.id for o in objectives])
    order = {"active": 0, "planned": 1}
    objectives.sort(key=lambda o: (order.get(o.status, 2), -o.start_date.toordinal(), -o.id))
    return tuple(_row(o, practice.get(o.id, (0, 0))) for o in objectives)


def get_objective(session: OrmSession, objective_id: int) -> ObjectiveRow:
    """One objective by id."""
    o = _objective(session, objective_id)
    return _row(o, _practice(session, [o.id]).get(o.id, (0, 0)))


def _objective(session: OrmSession, objective_id: int) -> PracticeObjective:
    o = session.get(PracticeObjective, objective_id)
    if o is None:
        raise UserError(f"no objective {objective_id}")
    return o


def current_focus(objectives: tuple[ObjectiveRow, ...]) -> str | None:
    """The focus area of the active objectives (None when nothing is active)."""
    for o in objectives:
        if o.status == "active":
            return focus_of(o.focus_area, o.domain, o.title)
    return None


def focus_of(focus_area: str | None, domain: str | None, title: str) -> str:
    """An objective's focus area: as given, else its domain, else its title."""
    return (focus_area or domain or title).strip()


def _same(a: str, b: str) -> bool:
    return " ".join(a.lower().split()) == " ".join(b.lower().split())


def _active(session: OrmSession, therapist_id: int) -> list[PracticeObjective]:
    return list(
        session.scalars(
            select(PracticeObjective)
            .where(
                PracticeObjective.therapist_id == therapist_id,
                PracticeObjective.status == "active",
            )
            .order_by(PracticeObjective.id)
        )
    )


# --- writing ---------------------------------------------------------------------------


def _text(value: str | None, limit: int | None = None) -> str | None:
    text = " ".join((value or "").split()) if limit else (value or "").strip()
    if not text:
        return None
    return text[:limit] if limit else text


def add_objective(
    session: OrmSession,
    *,
    title: str,
    focus_area: str | None = None,
    domain: str | None = None,
    success_criteria: str | None = None,
    start_date: dt.date | None = None,
    review_date: dt.date | None = None,
    therapist_code: str | None = None,
    today: dt.date | None = None,
) -> ObjectiveRow:
    """Add an objective to the plan: active (with its baseline) or planned.

    It starts at once when nothing is active or it shares the active focus area and
    its start date has come; otherwise it is kept as planned (see the module docstring).
    """
    today = today or dt.date.today()
    clean_title = _text(title, 300)
    if clean_title is None:
        raise UserError("an objective needs a title")
    clean_domain = find_domain(domain) if domain and domain.strip() else None
    start = start_date or today
    if review_date is not None and review_date < start:
        raise UserError(f"review date {review_date} is before the start {start}")
    focus = _text(focus_area, 120)
    therapist_id = therapist_for(session, therapist_code)
    active = _active(session, therapist_id)
    mine = focus_of(focus, clean_domain, clean_title)
    starts = start <= today and all(
        _same(focus_of(o.focus_area, o.domain, o.title), mine) for o in active
    )
    if starts and active and focus is not None:
        focus = active[0].focus_area or focus  # one spelling of the focus area
    objective = PracticeObjective(
        therapist_id=therapist_id,
        title=clean_title,
        focus_area=focus,
        domain=clean_domain,
        success_criteria=_text(success_criteria),
        start_date=start,
        review_date=review_date,
        status="active" if starts else "planned",
        baseline=take_baseline(session, therapist_id, start, today).as_json() if starts else None,
    )
    session.add(objective)
    session.flush()
    return get_objective(session, objective.id)


def start_objective(
    session: OrmSession,
    objective_id: int,
    *,
    close_current: str | None = None,
    today: dt.date | None = None,
) -> ObjectiveRow:
    """Start a planned objective today and store its baseline.

    Refused while objectives of another focus area are active, unless ``close_current``
    ('achieved' or 'dropped') says how they end.
    """
    today = today or dt.date.today()
    o = _objective(session, objective_id)
    if o.status != "planned":
        raise UserError(f"objective {o.id} is {o.status}; only a planned one can be started")
    mine = focus_of(o.focus_area, o.domain, o.title)
    others = [
        a
        for a in _active(session, o.therapist_id)
        if not _same(focus_of(a.focus_area, a.domain, a.title), mine)
    ]
    if others and close_current is None:
        focus = focus_of(others[0].focus_area, others[0].domain, others[0].title)
        ids = ", ".join(str(a.id) for a in others)
        raise UserError(
            f"your current focus is '{focus}' (objective {ids}): one focus at a time; "
            "close it first, or say how it ended (achieved or dropped)"
        )
    if close_current is not None and close_current not in CLOSED_STATUSES:
        raise UserError(f"close as '{close_current}': choose achieved or dropped")
    for a in others:
        a.status = close_current or "dropped"
        a.closed_date = today
    o.status = "active"
    o.start_date = today
    if o.review_date is not None and o.review_date < today:
        o.review_date = None
    o.baseline = take_baseline(session, o.therapist_id, today, today).as_json()
    session.flush()
    return get_objective(session, o.id)


def close_objective(
    session: OrmSession,
    objective_id: int,
    *,
    status: str,
    note: str | None = None,
    closed_date: dt.date | None = None,
    today: dt.date | None = None,
) -> ObjectiveRow:
    """Close an objective as achieved or dropped, with an optional review note."""
    today = today or dt.date.today()
    if status not in CLOSED_STATUSES:
        raise UserError(f"close as '{status}': choose achieved or dropped")
    o = _objective(session, objective_id)
    if o.status in CLOSED_STATUSES:
        raise UserError(f"objective {o.id} is already closed ({o.status} on {o.closed_date})")
    day = closed_date or today
    if day > today:
        raise UserError(f"closing date {day} is in the future")
    if day < o.start_date:
        raise UserError(f"closing date {day} is before the start {o.start_date}")
    o.status = status
    o.closed_date = day
    o.review_note = _text(note) or o.review_note
    session.flush()
    return get_objective(session, o.id)


# --- review ----------------------------------------------------------------------------


def review(
    objective: ObjectiveRow, data: EffectivenessData | None, today: dt.date
) -> ObjectiveReview:
    """Baseline beside the episodes ended since the start (to the closing day or today)."""
    base = objective.baseline
    if base is None and objective.status != "planned":
        since, until = baseline_window(objective.start_date)
        base = replace(snapshot(data, since, until), recomputed=True)
    now = None
    if objective.status != "planned":
        end = objective.closed_date or today
        now = snapshot(data, objective.start_date, max(end, objective.start_date))
    changes: dict[str, float | None] = {}
    for key, _ in FIGURES:
        a = None if base is None else base.value(key)
        b = None if now is None else now.value(key)
        changes[key] = None if a is None or b is None else round(b - a, 3)
    return ObjectiveReview(objective, base, now, changes)


def review_objective(
    session: OrmSession, objective_id: int, *, today: dt.date | None = None
) -> ObjectiveReview:
    """The review of one objective."""
    today = today or dt.date.today()
    row = get_objective(session, objective_id)
    o = _objective(session, objective_id)
    return review(row, outcome_data(session, o.therapist_id, today), today)
