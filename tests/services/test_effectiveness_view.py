"""The Effectiveness screen's data against direct calls to practice_app.analysis."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from sqlalchemy import select

from practice_app.analysis.effectiveness import effectiveness
from practice_app.analysis.windows import effectiveness_by_period, rolling_effectiveness
from practice_app.services.effectiveness_view import (
    ALL_GROUPS,
    ViewQuery,
    choose_baseline,
    effectiveness_view,
    load_benchmarks,
    load_inputs,
    period_bounds,
)
from practice_app.services.outcomes import analyse_instrument, own_reference, stats
from practice_app.storage.database import Database
from practice_app.storage.models import Client, Episode, Instrument, Score, Session, Therapist

TODAY = dt.date(2026, 6, 30)


def write_episodes(db: Database, endings: list[tuple[dt.date, str]]) -> None:
    """One closed episode per (end date, client group): intake, then outcome 4 weeks later."""
    with db.session() as s:
        ors = s.scalars(select(Instrument).where(Instrument.name == "ORS")).one()
        therapist = Therapist(code="T1", display_name="Test")
        s.add(therapist)
        for i, (end, group) in enumerate(endings):
            client = Client(code=f"C{i:03d}", group_name=group)
            start = end - dt.timedelta(days=28)
            episode = Episode(
                client=client, therapist=therapist, start_date=start, end_date=end,
                ending_reason="planned",
            )  # fmt: skip
            intake = 12.0 + (i * 7) % 13
            outcome = intake + ((i * 3) % 11) - 2.0
            for number, (day, total) in enumerate(((start, intake), (end, outcome)), start=1):
                session = Session(episode=episode, number=number, date=day)
                session.scores.append(Score(instrument=ors, total=total))
            s.add(episode)


def _days(start: dt.date, count: int, step: int = 3) -> list[dt.date]:
    return [start + dt.timedelta(days=step * k) for k in range(count)]


@pytest.fixture
def practice(db: Database) -> Database:
    """2025-Q1: 12 episodes, Q2: 6, Q3: none, Q4: 15; groups alternate Individual/Couples."""
    dates = _days(dt.date(2025, 1, 2), 12, 7) + _days(dt.date(2025, 4, 3), 6, 10)
    dates += _days(dt.date(2025, 10, 1), 15, 6)
    groups = ["Individual" if k % 3 else "Couples" for k in range(len(dates))]
    write_episodes(db, list(zip(dates, groups, strict=True)))
    return db


def test_quarters_match_the_analysis_and_gaps_carry_no_figure(practice: Database) -> None:
    with practice.session() as s:
        view = effectiveness_view(s, ViewQuery(), today=TODAY)
        a = analyse_instrument(s, "ORS", today=TODAY)
    labels = [(w.label, w.n, w.enough) for w in view.quarters]
    assert labels == [
        ("2025-Q1", 12, True),
        ("2025-Q2", 6, False),
        ("2025-Q3", 0, False),
        ("2025-Q4", 15, True),
    ]
    m = a.measured
    direct = effectiveness_by_period(
        a.outcomes.subset(m), a.window_date[m], a.instrument, "quarter", own_reference(a)
    )
    by_label = {w.label: w.result for w in direct}
    for w in view.quarters:
        if w.n:
            assert w.effect_size == by_label[w.label].effect_size
            assert w.saes == by_label[w.label].saes
    q2 = view.quarters[1]
    assert q2.effect_size.value is None and q2.effect_size.n == 6
    assert q2.percent["reliably_improved"] is None
    assert q2.categories == by_label["2025-Q2"].categories  # counts are kept below 10


def test_overall_equals_the_stats_command(practice: Database) -> None:
    with practice.session() as s:
        view = effectiveness_view(s, ViewQuery(), today=TODAY)
        a = analyse_instrument(s, "ORS", today=TODAY)
    expected = stats(a)
    assert view.overall is not None and view.overall.n == expected["n"] == 33
    assert round(view.overall.effect_size.value or 0, 3) == expected["effect_size"]["value"]
    assert round(view.overall.saes.value or 0, 3) == expected["saes"]["value"]
    assert view.reference is not None and view.reference.n == 33
    assert "your own 33 episodes over all time" in view.reference_note


def test_the_group_filter_changes_n_but_not_the_reference(practice: Database) -> None:
    with practice.session() as s:
        couples = effectiveness_view(s, ViewQuery(group="Couples"), today=TODAY)
        everyone = effectiveness_view(s, ViewQuery(group=ALL_GROUPS), today=TODAY)
    assert couples.groups == ("Couples", "Individual")
    assert couples.overall is not None and couples.overall.n == 11  # every third of 33
    assert [w.n for w in couples.quarters] == [4, 2, 0, 5]
    assert not any(w.enough for w in couples.quarters)
    assert couples.reference == everyone.reference


def test_period_selects_episodes_and_the_quarters_it_touches(practice: Database) -> None:
    query = ViewQuery(period="custom", since=dt.date(2025, 2, 1), until=dt.date(2025, 6, 30))
    with practice.session() as s:
        view = effectiveness_view(s, query, today=TODAY)
        a = analyse_instrument(s, "ORS", today=TODAY)
    since, until = dt.date(2025, 2, 1), dt.date(2025, 6, 30)
    assert view.overall is not None
    assert view.overall.n == stats(a, since=since, until=until)["n"]
    assert view.overall.n == 12 - 5 + 6  # Q1 episodes from 5 Feb on, and all of Q2
    assert [w.label for w in view.quarters] == ["2025-Q1", "2025-Q2"]
    assert view.quarters[0].n == 12  # whole quarters


def test_period_bounds() -> None:
    assert period_bounds("all", TODAY) == (None, None)
    assert period_bounds("12m", TODAY) == (dt.date(2025, 7, 1), TODAY)
    assert period_bounds("3y", dt.date(2026, 3, 31)) == (dt.date(2023, 4, 1), dt.date(2026, 3, 31))
    assert period_bounds("12m", dt.date(2024, 2, 29)) == (dt.date(2023, 3, 1), dt.date(2024, 2, 29))
    with pytest.raises(ValueError):
        period_bounds("decade", TODAY)


def test_baseline_is_the_first_12_months_when_they_hold_10() -> None:
    dates = np.array(
        ["2024-03-05"] * 4 + ["2025-02-28"] * 6 + ["2025-03-01", "2026-01-01"],
        dtype="datetime64[D]",
    )
    mask, rule = choose_baseline(dates)
    assert rule == "months" and mask.sum() == 10 and not mask[-2:].any()


def test_baseline_widens_to_the_first_10_episodes() -> None:
    dates = np.array(
        ["2024-01-10"] * 3 + ["2025-06-01"] * 5 + ["2025-07-01", "2025-07-02", "2025-07-02"]
        + ["2025-09-01"],
        dtype="datetime64[D]",
    )  # fmt: skip
    mask, rule = choose_baseline(dates)
    assert rule == "episodes"
    assert mask.sum() == 11  # the 10th ends on 2 July, as does the 11th
    assert not mask[-1]
    _mask, rule = choose_baseline(dates[:9])
    assert rule == "none"


def test_baseline_in_the_view(practice: Database) -> None:
    with practice.session() as s:
        view = effectiveness_view(s, ViewQuery(), today=TODAY)
        couples = effectiveness_view(s, ViewQuery(group="Couples"), today=TODAY)
        a = analyse_instrument(s, "ORS", today=TODAY)
    assert view.baseline is not None
    assert view.baseline.rule == "months" and view.baseline.n == 33  # all within 12 months
    direct = effectiveness(a.outcomes.subset(a.measured), a.instrument, own_reference(a))
    assert view.baseline.effect_size == direct.effect_size
    assert "first 12 months" in view.baseline.description
    assert couples.baseline is not None and couples.baseline.n == 11


def test_rolling_windows_match_the_analysis(db: Database) -> None:
    dates = _days(dt.date(2024, 1, 3), 60, 9)  # January 2024 to June 2025
    write_episodes(db, [(d, "Individual") for d in dates])
    with db.session() as s:
        view = effectiveness_view(s, ViewQuery(), today=TODAY)
        a = analyse_instrument(s, "ORS", today=TODAY)
    m = a.measured
    direct = {
        w.label: w.result
        for w in rolling_effectiveness(
            a.outcomes.subset(m), a.window_date[m], a.instrument, 12, own_reference(a)
        )
    }
    # Only full 12-month windows: from December 2024 (12 months after January 2024).
    assert [w.label for w in view.rolling][:2] == ["2024-12", "2025-01"]
    assert view.rolling[-1].label == "2025-06"
    for w in view.rolling:
        assert w.n == direct[w.label].n
        assert w.effect_size == direct[w.label].effect_size
    assert view.rolling[0].start == dt.date(2024, 1, 1)
    assert view.rolling[0].end == dt.date(2024, 12, 31)


def test_other_instruments_and_an_empty_database(db: Database) -> None:
    with db.session() as s:
        view = effectiveness_view(s, ViewQuery(), today=TODAY)
        inputs = load_inputs(s, today=TODAY)
    assert view.overall is None and "No outcome scores yet" in view.message
    assert inputs.analysis is None and inputs.instruments == ()


def test_benchmarks_carry_their_sources() -> None:
    marks = {b.key: b for b in load_benchmarks()}
    ri = marks["reliably_improved"]
    assert (ri.low, ri.high, ri.unit) == (65.0, 68.0, "%")
    assert any("Reese" in s and "2014" in s for s in ri.sources)
    assert "67.5%" in ri.short_source
    assert (marks["deteriorated"].low, marks["deteriorated"].high) == (7.0, 11.0)
    assert (marks["intake"].low, marks["intake"].high) == (16.0, 19.0)
    assert ri.applies_to("ORS") and not ri.applies_to("PHQ-9")
    assert marks["deteriorated"].applies_to("PHQ-9")
