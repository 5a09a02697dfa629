"""What the printed reports need beyond the screens' views. No Qt.

``load_report(session, kind, ...)`` returns the weekly review or the consultation
brief (the very views the screens show) plus, for the weekly report, the practice
minutes of the last weeks for its small chart. It runs on the database worker (GUI)
or in the ``report`` command; the rendering happens elsewhere (practice_app.reports).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session as OrmSession

from practice_app.storage.models import PracticeEntry, Therapist

if TYPE_CHECKING:
    from practice_app.services.consult_view import ConsultBriefView
    from practice_app.services.weekly import WeeklyReviewView

ReportKind = Literal["weekly", "consult"]
CHART_WEEKS = 12
"""Weeks of practice minutes in the weekly report's chart (about a quarter)."""


@dataclass(frozen=True)
class WeekMinutes:
    """Practice minutes in the week starting ``week_start`` (a Monday)."""

    week_start: dt.date
    minutes: int


@dataclass(frozen=True)
class WeeklyReport:
    """The weekly review and the practice minutes of the weeks up to it."""

    view: WeeklyReviewView
    weeks: tuple[WeekMinutes, ...]


@dataclass(frozen=True)
class ConsultReport:
    """The consultation brief of one episode."""

    view: ConsultBriefView


Report = WeeklyReport | ConsultReport


def practice_weeks(
    session: OrmSession,
    last_week: dt.date,
    weeks: int = CHART_WEEKS,
    therapist_code: str | None = None,
) -> tuple[WeekMinutes, ...]:
    """Minutes practised in each of the ``weeks`` weeks ending with the week of ``last_week``."""
    monday = last_week - dt.timedelta(days=last_week.weekday())
    first = monday - dt.timedelta(weeks=weeks - 1)
    query = select(PracticeEntry.date, func.sum(PracticeEntry.minutes)).where(
        PracticeEntry.date >= first, PracticeEntry.date < monday + dt.timedelta(days=7)
    )
    if therapist_code:
        query = query.join(Therapist, Therapist.id == PracticeEntry.therapist_id).where(
            Therapist.code == therapist_code
        )
    totals = {first + dt.timedelta(weeks=k): 0 for k in range(weeks)}
    for day, minutes in session.execute(query.group_by(PracticeEntry.date)):
        start = day - dt.timedelta(days=day.weekday())
        totals[start] += int(minutes or 0)
    return tuple(WeekMinutes(start, minutes) for start, minutes in totals.items())


def load_weekly_report(
    session: OrmSession,
    week_start: dt.date | None = None,
    today: dt.date | None = None,
    therapist_code: str | None = None,
) -> WeeklyReport:
    """The weekly review of the week holding ``week_start`` (default this week), for print."""
    from practice_app.services.weekly import load_weekly_review

    view = load_weekly_review(session, week_start, today=today, therapist_code=therapist_code)
    weeks = practice_weeks(session, view.week_start, therapist_code=view.therapist)
    return WeeklyReport(view, weeks)


def load_consult_report(
    session: OrmSession, code: str, episode_id: int | None = None, today: dt.date | None = None
) -> ConsultReport:
    """The consultation brief of the client's episode (default: the latest), for print."""
    from practice_app.services.consult import load_consult_brief

    return ConsultReport(load_consult_brief(session, code, episode_id=episode_id, today=today))
