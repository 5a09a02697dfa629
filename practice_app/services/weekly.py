"""The weekly review (the home screen): one week's attention list, changes, practice, wins.

``load_weekly_review(session, week_start=None, today=None, therapist_code=None)`` returns
a ``WeeklyReviewView`` for the week (Monday to Sunday) holding ``week_start`` (default:
this week). Everything is judged as it stood at the end of that week, or today while
the week is under way (``as_of``), with the same analysis the Clients screens use
(``services.weekly_state``):

- attention: open episodes with a red or orange outcome signal, a red or orange
  alliance signal, a sudden loss this week or in the three weeks before, the prompt to
  discuss a change of approach or a referral (red for 4+ measurements with a good
  alliance, the "sacrifice bunt" of ``services.patterns``; else 10+ measurements without
  reliable improvement), and sessions of the week
  without scores. One item per episode, with every reason in plain words, red first;
- changes since the last completed review (the day it was completed), or since the
  end of last week when there is none: new and cleared signals, alliance changes,
  episodes started and closed, categories reached, and the rolling effect size;
- practice this week against the weekly target, the current objective, the entries;
- wins: episodes that reached reliable improvement (or recovery) this week, referrals
  on, the most practice in a week, the best rolling 12-month effect size;
- the stored review of the week, the history and the streak (``weekly_reviews``).

Writes: ``complete_review``, ``reopen_review``, ``restore_review`` (re-exported here).
No Qt here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import selectinload

from practice_app.analysis.bunt import bunt_rows, red_counts
from practice_app.analysis.categories import IMPROVED, RECOVERED, clinical_mask
from practice_app.errors import UserError
from practice_app.services import weekly_attention as attention_rules
from practice_app.services.weekly_attention import AttentionItem, ChangeItem, episode_name
from practice_app.services.weekly_reviews import (
    ReviewRecord,
    best_streak,
    complete_review,
    find_therapist,
    load_reviews,
    reopen_review,
    restore_review,
    streak,
    week_start_of,
)
from practice_app.services.weekly_state import (
    Snapshot,
    WeeklyData,
    load_weekly_data,
    monthly_rolling,
    rolling_effect,
    snapshot,
)
from practice_app.storage.models import (
    Client,
    PracticeActivity,
    PracticeEntry,
    PracticeEntryClient,
    PracticeObjective,
    Therapist,
)

__all__ = [
    "AttentionItem",
    "ChangeItem",
    "ChangesSince",
    "EffectMovement",
    "ObjectiveView",
    "PracticeEntryView",
    "PracticeWeek",
    "ReviewRecord",
    "WeeklyReviewView",
    "Win",
    "complete_review",
    "load_weekly_review",
    "reopen_review",
    "restore_review",
    "week_start_of",
]

DEFAULT_TARGET = 180
MIN_EARLIER_WINDOWS = 3
"""Earlier rolling windows with a figure needed before a new best effect size is a win."""


@dataclass(frozen=True)
class EffectMovement:
    """The rolling 12-month effect size then and now, each with its n."""

    before: float | None
    after: float | None
    n_before: int
    n_after: int
    ci_after: tuple[float, float] | None
    text: str


@dataclass(frozen=True)
class ChangesSince:
    """What changed from ``since`` to the week's ``as_of`` day."""

    since: dt.date
    label: str
    """"since your review of 20 Nov" or "since the end of last week"."""
    items: tuple[ChangeItem, ...]
    effect: EffectMovement | None


@dataclass(frozen=True)
class ObjectiveView:
    """The development-plan objective current in the week."""

    id: int
    title: str
    focus_area: str
    success_criteria: str
    start_date: dt.date
    review_date: dt.date | None
    status: str


@dataclass(frozen=True)
class PracticeEntryView:
    """One practice-journal entry of the week."""

    id: int
    date: dt.date
    minutes: int
    activity: str
    domain: str
    objective: str
    difficulty: str
    feedback: str
    notes: str
    clients: tuple[str, ...]
    view: str
    """The client's page when the entry was about one client, else the practice screen."""


@dataclass(frozen=True)
class PracticeWeek:
    """Practice in the week against the therapist's weekly target."""

    minutes: int
    target_minutes: int
    objective: ObjectiveView | None
    entries: tuple[PracticeEntryView, ...]

    @property
    def fraction(self) -> float:
        """Minutes over the target (0 when there is no target)."""
        return self.minutes / self.target_minutes if self.target_minutes > 0 else 0.0


@dataclass(frozen=True)
class Win:
    """Something that went well this week."""

    kind: str
    """"recovered", "improved", "referred", "practice-best", "effect-best"."""
    title: str
    text: str
    client: str | None
    view: str


@dataclass(frozen=True)
class WeeklyReviewView:
    """One week's review, ready to show (see the module docstring)."""

    week_start: dt.date
    week_end: dt.date
    today: dt.date
    as_of: dt.date
    therapist: str | None
    instrument: str | None
    alliance_instrument: str | None
    sessions_held: int
    """Therapy sessions dated in the week (the workload beside the energy rating)."""
    attention: tuple[AttentionItem, ...]
    changes: ChangesSince
    practice: PracticeWeek
    wins: tuple[Win, ...]
    review: ReviewRecord | None
    history: tuple[ReviewRecord, ...]
    """Stored reviews, latest week first."""
    streak: int
    best_streak: int
    has_data: bool
    """Whether the database holds any episode or practice entry at all."""

    @property
    def is_current(self) -> bool:
        """Whether this is the week holding today."""
        return self.week_start <= self.today <= self.week_end

    @property
    def previous_week(self) -> dt.date:
        """The Monday of the week before."""
        return self.week_start - dt.timedelta(days=7)

    @property
    def next_week(self) -> dt.date | None:
        """The Monday of the week after, None when this week holds today."""
        return None if self.is_current else self.week_start + dt.timedelta(days=7)

    @property
    def completed(self) -> bool:
        """Whether the week's review is completed."""
        return self.review is not None and self.review.completed


def _activity_label(key: str, labels: dict[str, str]) -> str:
    return labels.get(key) or key.replace("-", " ").capitalize()


def _practice(
    session: OrmSession, therapist: Therapist | None, start: dt.date, end: dt.date
) -> tuple[PracticeWeek, dict[dt.date, int]]:
    """The week's practice, and the minutes of every week (keyed by Monday) for the records."""
    target = therapist.weekly_practice_target_minutes if therapist else DEFAULT_TARGET
    if therapist is None:
        return PracticeWeek(0, target, None, ()), {}
    per_week: dict[dt.date, int] = defaultdict(int)
    for day, minutes in session.execute(
        select(PracticeEntry.date, PracticeEntry.minutes).where(
            PracticeEntry.therapist_id == therapist.id
        )
    ):
        per_week[week_start_of(day)] += int(minutes)
    labels = dict(session.execute(select(PracticeActivity.key, PracticeActivity.label)).all())
    rows = session.scalars(
        select(PracticeEntry)
        .where(
            PracticeEntry.therapist_id == therapist.id,
            PracticeEntry.date >= start,
            PracticeEntry.date <= end,
        )
        .options(selectinload(PracticeEntry.objective))
        .order_by(PracticeEntry.date, PracticeEntry.id)
    ).all()
    codes: dict[int, list[str]] = defaultdict(list)
    if rows:
        for entry_id, code in session.execute(
            select(PracticeEntryClient.entry_id, Client.code)
            .join(Client, Client.id == PracticeEntryClient.client_id)
            .where(PracticeEntryClient.entry_id.in_([r.id for r in rows]))
            .order_by(Client.code)
        ):
            codes[entry_id].append(code)
    entries = tuple(
        PracticeEntryView(
            id=r.id,
            date=r.date,
            minutes=r.minutes,
            activity=_activity_label(r.activity, labels),
            domain=r.domain or "",
            objective=r.objective.title if r.objective else "",
            difficulty=(r.difficulty or "").replace("-", " "),
            feedback=r.feedback_source or "",
            notes=r.notes or "",
            clients=tuple(codes[r.id]),
            view=f"client:{codes[r.id][0]}" if len(codes[r.id]) == 1 else "practice",
        )
        for r in rows
    )
    objective = session.scalar(
        select(PracticeObjective)
        .where(
            PracticeObjective.therapist_id == therapist.id,
            PracticeObjective.status.in_(("active", "achieved", "dropped")),
            PracticeObjective.start_date <= end,
            (PracticeObjective.closed_date.is_(None)) | (PracticeObjective.closed_date >= start),
        )
        .order_by(
            (PracticeObjective.status == "active").desc(), PracticeObjective.start_date.desc()
        )
        .limit(1)
    )
    current = (
        ObjectiveView(
            objective.id,
            objective.title,
            objective.focus_area or "",
            objective.success_criteria or "",
            objective.start_date,
            objective.review_date,
            objective.status,
        )
        if objective is not None
        else None
    )
    return PracticeWeek(sum(e.minutes for e in entries), target, current, entries), per_week


def _effect_text(before: float | None, after: float | None, n_b: int, n_a: int) -> str:
    if after is None and before is None:
        return "Rolling 12-month effect size: not enough episodes yet (10 needed)"
    if before is None:
        return f"Rolling 12-month effect size now {after:.2f} (n {n_a}); not enough data before"
    if after is None:
        return f"Rolling 12-month effect size: was {before:.2f}, now too few episodes (n {n_a})"
    delta = after - before
    trend = "up" if delta >= 0.005 else "down" if delta <= -0.005 else "unchanged"
    change = f", {trend} {abs(delta):.2f}" if trend != "unchanged" else ", unchanged"
    return f"Rolling 12-month effect size {before:.2f} → {after:.2f}{change} (n {n_b} → {n_a})"


def _effect_movement(prev: Snapshot, now: Snapshot, data: WeeklyData) -> EffectMovement | None:
    b, a = rolling_effect(prev, data), rolling_effect(now, data)
    if a is None or b is None:
        return None
    vb, va = b.effect_size.value, a.effect_size.value
    return EffectMovement(vb, va, b.n, a.n, a.effect_size.ci, _effect_text(vb, va, b.n, a.n))


def _wins(
    data: WeeklyData,
    eve: Snapshot,
    now: Snapshot,
    week_start: dt.date,
    practice: PracticeWeek,
    per_week: dict[dt.date, int],
) -> list[Win]:
    wins: list[Win] = []
    eps = data.episodes
    if now.outcome is not None and eve.outcome is not None and data.outcome is not None:
        good = (RECOVERED, IMPROVED)
        reached = (
            now.exists & np.isin(now.outcome.category, good) & ~np.isin(eve.outcome.category, good)
        )
        name = data.outcome.name
        for e in np.flatnonzero(reached).tolist():
            o = now.outcome
            recovered = int(o.category[e]) == RECOVERED
            title = "Recovered" if recovered else "Reliably improved"
            text = (
                f"{episode_name(data, e)}: {name} {o.intake[e]:g} at intake, {o.latest[e]:g} "
                f"now, after {int(o.n[e])} measurements"
            )
            kind = "recovered" if recovered else "improved"
            wins.append(Win(kind, title, text, eps.client_code[e], f"client:{eps.client_code[e]}"))
    referred = now.exists & (now.ending == "referred") & ~eve.closed
    for e in np.flatnonzero(referred).tolist():
        wins.append(
            Win(
                "referred",
                "Referred on",
                f"{episode_name(data, e)}: referring on when therapy is not helping is a "
                "success of the process",
                eps.client_code[e],
                f"client:{eps.client_code[e]}",
            )
        )
    earlier = [m for w, m in per_week.items() if w < week_start]
    if practice.minutes > 0 and earlier and practice.minutes > max(earlier):
        wins.append(
            Win(
                "practice-best",
                "Most practice in a week",
                f"{_hours(practice.minutes)} this week; the previous best was "
                f"{_hours(max(earlier))}",
                None,
                "practice",
            )
        )
    effect = rolling_effect(now, data)
    value = effect.effect_size.value if effect is not None else None
    if value is not None:
        month = np.datetime64(week_start, "M")
        before = [
            w.result.effect_size.value
            for w in monthly_rolling(now, data)
            if w.end.astype("datetime64[M]") < month and w.result.effect_size.value is not None
        ]
        if len(before) >= MIN_EARLIER_WINDOWS and value > max(before):
            wins.append(
                Win(
                    "effect-best",
                    "Best rolling 12-month effect size",
                    f"{value:.2f} over the last 12 months (n {effect.n if effect else 0}); "
                    f"the best month before was {max(before):.2f}",
                    None,
                    "effectiveness",
                )
            )
    return wins


def _bunts(data: WeeklyData, now: Snapshot) -> dict[int, int]:
    """Episode id -> red measurements, for the "sacrifice bunt" prompts as of the snapshot.

    The app-wide rule (``analysis.bunt``, as the Learning screen and the consultation
    brief apply it) on the data as it stood on the snapshot's day.
    """
    o, m = now.outcome, now.alliance_matrix
    if o is None or m is None or data.alliance is None:
        return {}
    latest = m.latest
    good = ~np.isnan(latest) & ~clinical_mask(latest, data.alliance)
    rows = bunt_rows(o.per_measurement, good, now.exists & ~now.closed)
    reds = red_counts(o.per_measurement)
    return {int(data.episodes.id[e]): int(reds[e]) for e in rows.tolist()}


def _hours(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d} min" if rest else f"{hours} h"


def load_weekly_review(
    session: OrmSession,
    week_start: dt.date | None = None,
    today: dt.date | None = None,
    therapist_code: str | None = None,
) -> WeeklyReviewView:
    """Load the review of the week holding ``week_start`` (default: this week)."""
    today = today or dt.date.today()
    start = week_start_of(week_start or today)
    end = start + dt.timedelta(days=6)
    if start > today:
        raise UserError(f"the week of {start:%d %b %Y} has not started yet")
    as_of = min(end, today)
    therapist = find_therapist(session, therapist_code)
    data = load_weekly_data(session, therapist_code)
    reviews = load_reviews(session, therapist)
    review = next((r for r in reviews if r.week_start == start), None)
    last = next((r for r in reviews if r.week_start < start and r.completed_at), None)
    eve_day = start - dt.timedelta(days=1)
    if last is not None and last.completed_at is not None:
        since = min(last.completed_at.date(), as_of)
        label = f"since your review of {last.completed_at:%a %d %b}"
    else:
        since, label = eve_day, "since the end of last week (no earlier completed review)"
    now = snapshot(data, as_of)
    eve = snapshot(data, eve_day)
    prev = eve if since == eve_day else snapshot(data, since)
    practice, per_week = _practice(session, therapist, start, end)
    done = [r.week_start for r in reviews if r.completed]
    items = attention_rules.attention(data, now, start, as_of, _bunts(data, now))
    return WeeklyReviewView(
        week_start=start,
        week_end=end,
        today=today,
        as_of=as_of,
        therapist=therapist.code if therapist else None,
        instrument=data.outcome.name if data.outcome else None,
        alliance_instrument=data.alliance.name if data.alliance else None,
        sessions_held=attention_rules.sessions_between(data, start, as_of),
        attention=tuple(items),
        changes=ChangesSince(
            since,
            label,
            tuple(attention_rules.changes(data, prev, now)),
            _effect_movement(prev, now, data),
        ),
        practice=practice,
        wins=tuple(_wins(data, eve, now, start, practice, per_week)),
        review=review,
        history=tuple(reviews),
        streak=streak(done, start, today),
        best_streak=best_streak(done),
        has_data=bool(data.episodes.id.size) or bool(per_week),
    )
