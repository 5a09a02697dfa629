"""The weekly review service on hand-judged data (tests/weekly_sample_data.py) and streak rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select
from weekly_sample_data import clinical_today, plan, write_week

from practice_app.errors import UserError
from practice_app.services.client_page import load_client_list
from practice_app.services.patterns import load_bunt_list
from practice_app.services.weekly import (
    complete_review,
    load_weekly_review,
    reopen_review,
    restore_review,
    week_start_of,
)
from practice_app.services.weekly_reviews import best_streak, streak, week_end_of
from practice_app.storage.database import Database
from practice_app.storage.models import WeeklyReview

TODAY = clinical_today()  # Wednesday 10 June 2026
MONDAY = dt.date(2026, 6, 8)
D = dt.timedelta


@pytest.fixture
def week_db(db: Database) -> Database:
    """The hand-judged week."""
    write_week(db, TODAY)
    return db


def _load(db: Database, **kwargs: Any) -> Any:
    with db.session() as s:
        return load_weekly_review(s, today=TODAY, **kwargs)


# ----- weeks and the streak ------------------------------------------------------------
def test_weeks_run_monday_to_sunday() -> None:
    assert week_start_of(dt.date(2026, 6, 8)) == MONDAY  # a Monday is its own start
    assert week_start_of(dt.date(2026, 6, 14)) == MONDAY  # Sunday belongs to the same week
    assert week_start_of(dt.date(2026, 6, 15)) == dt.date(2026, 6, 15)
    assert week_end_of(dt.date(2026, 6, 10)) == dt.date(2026, 6, 14)
    assert week_start_of(dt.date(2026, 1, 1)) == dt.date(2025, 12, 29)  # across a year


def test_the_review_covers_the_week_of_any_day_and_defaults_to_this_week(
    week_db: Database,
) -> None:
    view = _load(week_db)
    assert (view.week_start, view.week_end, view.as_of) == (MONDAY, MONDAY + D(6), TODAY)
    assert view.is_current and view.next_week is None
    past = _load(week_db, week_start=dt.date(2026, 6, 4))  # a Thursday
    last_sunday = MONDAY - D(1)
    assert (past.week_start, past.week_end, past.as_of) == (MONDAY - D(7), last_sunday, last_sunday)
    assert past.next_week == MONDAY and not past.is_current
    with pytest.raises(UserError, match="has not started"):
        _load(week_db, week_start=MONDAY + D(7))


def test_streak_counts_back_from_the_week_shown() -> None:
    w = [MONDAY - D(7 * k) for k in range(6)]  # w[0] is this week, w[1] last week...
    # This week is not over and not done: it does not break the streak.
    assert streak({w[1], w[2], w[3]}, w[0], TODAY) == 3
    assert streak({w[0], w[1], w[2]}, w[0], TODAY) == 3
    # A gap breaks it: only last week counts.
    assert streak({w[1], w[3], w[4]}, w[0], TODAY) == 1
    # A past week that was not reviewed is over: its streak is 0.
    assert streak({w[2], w[3]}, w[1], TODAY) == 0
    # Shown week in the past: counted back from it, later weeks do not matter.
    assert streak({w[2], w[3], w[5]}, w[2], TODAY) == 2
    # Sunday is still part of the week: on that day the week is not over yet.
    sunday = w[1] + D(6)
    assert streak({w[2]}, w[1], sunday) == 1
    assert streak({w[2]}, w[1], sunday + D(1)) == 0
    assert streak(set(), w[0], TODAY) == 0
    assert best_streak({w[1], w[3], w[4], w[5]}) == 3
    assert best_streak(set()) == 0


def test_stored_reviews_history_and_streak(week_db: Database) -> None:
    view = _load(week_db)
    assert view.review is None and not view.completed
    # Reviews for 1 and 2 weeks back, none 3 weeks back, one 4 weeks back.
    assert [r.week_start for r in view.history] == [MONDAY - D(7), MONDAY - D(14), MONDAY - D(28)]
    assert view.streak == 2 and view.best_streak == 2
    last_week = _load(week_db, week_start=MONDAY - D(7))
    assert last_week.review is not None and last_week.review.energy == 6
    assert last_week.review.note == "note 1" and last_week.completed
    assert _load(week_db, week_start=MONDAY - D(21)).streak == 0  # the skipped week


# ----- completing, editing, reopening --------------------------------------------------
def test_completing_stores_the_review_and_extends_the_streak(week_db: Database) -> None:
    now = dt.datetime(2026, 6, 10, 16, 30)
    with week_db.session() as s:
        record = complete_review(
            s, TODAY, energy=7, note="  A calm week. ", commitment="Ask for the SRS", now=now
        )
    assert record.week_start == MONDAY and record.completed_at == now
    view = _load(week_db)
    assert view.review is not None and view.review.note == "A calm week."
    assert (view.review.energy, view.review.commitment) == (7, "Ask for the SRS")
    assert view.streak == 3 and view.best_streak == 3
    # Editing keeps the first completion time and does not add a second row.
    with week_db.session() as s:
        complete_review(s, MONDAY, energy=None, note="edited", commitment="", now=now + D(1))
    with week_db.session() as s:
        rows = s.scalars(select(WeeklyReview).where(WeeklyReview.week_start == MONDAY)).all()
        assert len(rows) == 1 and rows[0].completed_at == now and rows[0].energy is None
    # Reopening keeps the text as a draft and takes the week out of the streak.
    with week_db.session() as s:
        reopened = reopen_review(s, MONDAY)
    assert not reopened.completed and reopened.note == "edited"
    view = _load(week_db)
    assert view.review is not None and not view.completed and view.streak == 2
    # The undo of the first completion: no review at all.
    with week_db.session() as s:
        restore_review(s, MONDAY, None)
    assert _load(week_db).review is None


@pytest.mark.parametrize("energy", [11, -1, True, 5.5])
def test_energy_out_of_range_is_refused_and_nothing_is_stored(
    week_db: Database, energy: Any
) -> None:
    with pytest.raises(UserError, match="energy"), week_db.session() as s:
        complete_review(s, MONDAY, energy=energy, note="n", commitment="c")
    assert _load(week_db).review is None


def test_energy_bounds_and_none_are_accepted(week_db: Database) -> None:
    for value in (0, 10, None):
        with week_db.session() as s:
            record = complete_review(s, MONDAY, energy=value, note="", commitment="")
        assert record.energy == value


def test_a_week_not_started_cannot_be_reviewed(week_db: Database) -> None:
    with pytest.raises(UserError, match="not started"), week_db.session() as s:
        complete_review(
            s, MONDAY + D(7), energy=None, note="", commitment="", now=dt.datetime(2026, 6, 10)
        )


def test_completing_in_an_empty_database_creates_the_therapist(db: Database) -> None:
    with db.session() as s:
        complete_review(s, TODAY, energy=4, note="first", commitment="")
    with db.session() as s:
        view = load_weekly_review(s, today=TODAY)
    assert view.therapist == "me" and view.completed and view.streak == 1
    assert not view.has_data  # no clients or practice yet: the screen shows how to begin


# ----- the attention list ---------------------------------------------------------------
def test_attention_lists_the_hand_judged_episodes_most_urgent_first(week_db: Database) -> None:
    view = _load(week_db)
    levels = {i.client: i.level for i in view.attention}
    assert levels == {
        "B-01": "red",
        "S-01": "red",
        "A-01": "red",
        "R-01": "red",
        "D-01": "orange",
        "M-01": "orange",
        "O-01": "orange",
    }
    order = [i.level for i in view.attention]
    assert order == sorted(order, key=lambda level: level != "red")  # red first
    by = {i.client: i for i in view.attention}
    assert by["B-01"].kinds == ("outcome", "referral")
    assert "Red for 4 measurements with a good alliance" in " ".join(by["B-01"].reasons)
    assert by["S-01"].kinds == ("outcome", "sudden-loss")
    assert "Sudden loss on Mon 25 May: ORS fell from 30.5 to 22 between sessions 2 and 3" in (
        by["S-01"].reasons
    )
    assert by["R-01"].reasons == (
        "Not on track: reliably worse than at intake (ORS 20 → 14, 2 measurements)",
    )
    assert by["O-01"].reasons[0].startswith("At risk: no improvement by the 3rd measurement")
    assert by["A-01"].reasons == ("Weak alliance: SRS 33, below the cutoff (cutoff 36)",)
    assert by["D-01"].reasons == (
        "Alliance dropped 1.5 points since the session before (SRS 39 → 37.5)",
    )
    assert by["M-01"].reasons == ("Session 3 (Tue 09 Jun) has no ORS or SRS score",)
    assert all(i.view == f"client:{i.client}" for i in view.attention)


def test_attention_signals_match_the_clients_list_and_the_bunt_list(week_db: Database) -> None:
    view = _load(week_db)
    with week_db.session() as s:
        rows = load_client_list(s, today=TODAY).rows
        bunts = load_bunt_list(s, today=TODAY)
    flagged = {r.client for r in rows if r.status == "open" and r.signal in ("red", "orange")}
    outcome = {i.client for i in view.attention if "outcome" in i.kinds}
    assert outcome == flagged
    assert {i.client for i in view.attention if "referral" in i.kinds} == {b.client for b in bunts}


def test_a_past_week_is_judged_as_it_stood_then(week_db: Database) -> None:
    # At the end of last week R-01 had one measurement (no signal) and M-01 no unscored session.
    view = _load(week_db, week_start=MONDAY - D(7))
    assert view.as_of == MONDAY - D(1)
    clients = {i.client for i in view.attention}
    assert "R-01" not in clients and "M-01" not in clients
    assert "S-01" in clients  # already reliably worse: 30 -> 21.5 by then


# ----- what changed since the last review ----------------------------------------------
def test_changes_since_the_last_completed_review(week_db: Database) -> None:
    view = _load(week_db)
    changes = view.changes
    assert changes.since == MONDAY - D(3)  # last week's review, completed on its Friday
    assert changes.label == "since your review of Fri 05 Jun"
    texts = {c.text for c in changes.items}
    assert texts == {
        "R-01: New red signal",
        "R-01: now reliably worse than at intake (deteriorated)",
        "O-01: New orange signal (was green)",
        "A-01: alliance fell below the cutoff (SRS 33)",
        "A-01: now reliably improved",
        "D-01: now reliably improved",
        "G-01: now reliably improved",
        "K-01: Signal cleared: now green (was red)",
        "K-01: now recovered (reliable change and out of the clinical range)",
        "E-01: episode closed (planned ending), recovered",
        "N-01: new episode on Mon 08 Jun",
    }
    goods = [c.good for c in changes.items]
    assert goods == sorted(goods, key=lambda g: {False: 0, None: 1, True: 2}[g])  # bad first
    # Rolling effect size now: the 11 episodes with 2+ ORS scores (all but N-01), d =
    # mean(last - first) / SD(first); on Fri 5 Jun only 6 had two scores (< 10: no figure).
    measured = [
        [v for v in ors if v is not None] for ors, _srs, _last, _end in plan(TODAY).values()
    ]
    pairs = np.array([(m[0], m[-1]) for m in measured if len(m) >= 2])
    expected = (pairs[:, 1] - pairs[:, 0]).mean() / np.std(pairs[:, 0], ddof=1)
    effect = changes.effect
    assert effect is not None and (effect.n_before, effect.n_after) == (6, 11)
    assert effect.before is None and effect.after == pytest.approx(expected)
    assert (
        effect.text
        == f"Rolling 12-month effect size now {expected:.2f} (n 11); not enough data before"
    )


def test_without_an_earlier_review_changes_run_from_the_end_of_last_week(db: Database) -> None:
    write_week(db, TODAY)
    with db.session() as s:
        for row in s.scalars(select(WeeklyReview)):
            s.delete(row)
    view = _load(db)
    assert view.changes.since == MONDAY - D(1)
    assert "no earlier completed review" in view.changes.label
    assert view.streak == 0 and not view.history


# ----- practice and wins ----------------------------------------------------------------
def test_practice_against_the_target_with_the_objective_and_entries(week_db: Database) -> None:
    p = _load(week_db).practice
    assert (p.minutes, p.target_minutes) == (90, 120)
    assert p.fraction == pytest.approx(0.75)
    assert p.objective is not None and p.objective.title == "Elicit feedback in every session"
    assert [(e.date, e.minutes, e.activity) for e in p.entries] == [
        (MONDAY, 60, "Rehearsal"),
        (MONDAY + D(1), 30, "Recording review"),
    ]
    assert p.entries[0].notes == "Role-played the <b>hard</b> conversation"  # kept as typed
    assert p.entries[1].clients == ("R-01",) and p.entries[1].view == "client:R-01"
    assert p.entries[0].view == "practice"


def test_wins_of_the_week(week_db: Database) -> None:
    wins = _load(week_db).wins
    kinds = {(w.kind, w.client) for w in wins}
    assert kinds == {
        ("recovered", "E-01"),
        ("recovered", "K-01"),
        ("improved", "A-01"),
        ("improved", "D-01"),
        ("improved", "G-01"),
        ("practice-best", None),
    }
    best = next(w for w in wins if w.kind == "practice-best")
    assert best.text == "1 h 30 min this week; the previous best was 1 h 20 min"
    last_week = _load(week_db, week_start=MONDAY - D(7))
    assert not any(w.kind == "practice-best" for w in last_week.wins)  # 45 < 80 min
