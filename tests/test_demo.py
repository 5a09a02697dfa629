"""Demo data: the generated data set is what it claims, and the demo command behaves."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from practice_app.cli import main
from practice_app.demo import (
    DemoData,
    DemoSummary,
    clear_user_data,
    database_is_empty,
    generate,
    load_demo,
    write_demo,
)
from practice_app.demo.calendar import monday
from practice_app.demo.model import DemoEpisode
from practice_app.progress import Cancelled, Progress
from practice_app.services.patterns import load_bunt_list, load_pattern_report
from practice_app.services.practice_results import load_practice_results
from practice_app.services.weekly import load_weekly_review
from practice_app.services.workload import load_workload
from practice_app.storage.database import Database, open_database
from practice_app.storage.models import DIFFICULTIES, ENDING_REASONS, FEEDBACK_SOURCES

TODAY = dt.date(2026, 11, 22)
RC = 5.0
ACTIVITIES = {
    "recording-review",
    "rehearsal",
    "coaching",
    "mental-rehearsal",
    "case-review",
    "study",
    "other",
}
DOMAINS = {"Structure", "Hope & Expectancy", "Relationship", "Client Factors", "Therapist Factors"}


@pytest.fixture(scope="module")
def data() -> DemoData:
    return generate(1, TODAY)


def ors(e: DemoEpisode) -> list[float]:
    return [s.scores["ORS"].total for s in e.sessions if "ORS" in s.scores]


def measured(data: DemoData) -> list[DemoEpisode]:
    return [e for e in data.episodes if len(e.sessions) >= 2]


def not_on_track(totals: list[float]) -> bool:
    """Red at some measurement by the starter rules of science.md section 3."""
    return any(
        (t - totals[0] <= -RC) or (n >= 6 and t - totals[0] < RC)
        for n, t in enumerate(totals, start=1)
        if n >= 2
    )


def sudden(totals: list[float], sign: int) -> list[int]:
    """Tang & DeRubeis (1999) gains (sign +1) or losses (-1); returns postgain session numbers."""
    found = []
    for k in range(3, len(totals) + 1):  # k = postgain session number
        pre, post = totals[k - 2], totals[k - 1]
        d = sign * (post - pre)
        room = 40.0 - pre if sign > 0 else pre
        before = np.array(totals[max(0, k - 4) : k - 1])
        after = np.array(totals[k - 1 : k + 2])
        if len(before) < 2 or len(after) < 2:
            continue
        n1, n2 = len(before), len(after)
        pooled = np.sqrt(
            ((n1 - 1) * before.var(ddof=1) + (n2 - 1) * after.var(ddof=1)) / (n1 + n2 - 2)
        )
        t_crit = stats.t.ppf(0.975, n1 + n2 - 2)
        if d >= RC and d >= 0.25 * room and sign * (after.mean() - before.mean()) > t_crit * pooled:
            found.append(k)
    return found


def recent(data: DemoData, e: DemoEpisode) -> bool:
    """Whether the episode ended (open: had its latest session) in the last 12 months."""
    return (e.end_date or e.last_date) > data.today - dt.timedelta(days=365)


# --- the outcome data -------------------------------------------------------------


def test_every_score_is_four_items_summing_to_its_total(data: DemoData) -> None:
    unscored = []
    for e in data.episodes:
        for s in e.sessions:
            if not s.scores:
                unscored.append((e, s))
                continue
            assert set(s.scores) == {"ORS", "SRS"}
            for score in s.scores.values():
                assert len(score.items) == 4
                assert all(0.0 <= v <= 10.0 and round(v, 1) == v for v in score.items)
                assert abs(score.total - sum(score.items)) <= 0.05
                assert 0.0 <= score.total <= 40.0
    # One session without scores, planted in the current week for the weekly review.
    assert [(e.planted, s.date >= monday(data.today)) for e, s in unscored] == [("unscored", True)]
    assert data.score_count == 2 * (data.session_count - 1)


def test_episodes_are_plausible_courses_of_care(data: DemoData) -> None:
    first = TODAY - dt.timedelta(days=3 * 365 + 7)
    assert 250 <= len(data.episodes) <= 320
    assert len(data.clients) < len(data.episodes)  # a few clients came back
    for e in data.episodes:
        numbers = [s.number for s in e.sessions]
        dates = [s.date for s in e.sessions]
        assert numbers == list(range(1, len(numbers) + 1))
        assert 1 <= len(numbers) <= 25
        assert dates == sorted(dates) and len(set(dates)) == len(dates)
        assert first <= e.start_date == dates[0] and dates[-1] <= TODAY
        assert all(d.weekday() < 5 for d in dates)
        if e.end_date is None:
            assert e.ending_reason is None
            assert dates[-1] >= TODAY - dt.timedelta(days=45)  # open ones are recent
        else:
            assert e.end_date == dates[-1]
            assert e.ending_reason in ENDING_REASONS and e.ending_reason != "inactive"
    reasons = Counter(e.ending_reason for e in data.episodes)
    assert {"planned", "stopped", "referred", "other", None} <= set(reasons)
    gaps = [
        (b.date - a.date).days for e in data.episodes for a, b in itertools.pairwise(e.sessions)
    ]
    assert Counter(gaps).most_common(1)[0][0] == 7 and max(gaps) >= 21


def test_intakes_and_outcomes_match_the_literature(data: DemoData) -> None:
    eps = measured(data)
    intake = np.array([ors(e)[0] for e in data.episodes])
    change = np.array([ors(e)[-1] - ors(e)[0] for e in eps])
    assert 16.0 <= np.median(intake) <= 20.0
    assert 0.05 <= np.mean(intake >= 25) <= 0.25  # some non-clinical intakes
    improved = np.mean(change >= RC)
    assert 0.50 <= improved <= 0.70
    assert 0.03 <= np.mean(change <= -RC) <= 0.12
    # Most change happens early: among improvers with 8+ sessions, the gain by session 4
    # is more than half of the gain by the last session.
    long = [ors(e) for e in eps if len(e.sessions) >= 8 and e.kind == "responder"]
    early = np.median([(t[3] - t[0]) / (t[-1] - t[0]) for t in long if t[-1] - t[0] >= RC])
    assert early > 0.5


def test_sudden_gains_and_losses_meet_tang_derubeis(data: DemoData) -> None:
    gains = {e.key: sudden(ors(e), +1) for e in data.episodes}
    losses = {e.key: sudden(ors(e), -1) for e in data.episodes}
    assert sum(len(v) for v in gains.values()) >= 1
    assert sum(len(v) for v in losses.values()) >= 1
    planted_gain = [e for e in data.episodes if e.kind == "sudden-gain"]
    planted_loss = [e for e in data.episodes if e.kind == "sudden-loss"]
    assert planted_gain and planted_loss
    assert all(gains[e.key] for e in planted_gain)
    assert all(losses[e.key] for e in planted_loss)


def test_early_low_alliance_predicts_dropout(data: DemoData) -> None:
    closed = [e for e in data.episodes if e.end_date is not None]

    def dropout(e: DemoEpisode) -> bool:
        return e.ending_reason == "stopped" and ors(e)[-1] - ors(e)[0] < RC

    low = [e for e in closed if min(s.scores["SRS"].total for s in e.sessions[:2]) < 36]  # scored
    rest = [e for e in closed if e not in low]
    assert len(low) >= 15
    rate_low = np.mean([dropout(e) for e in low])
    rate_rest = np.mean([dropout(e) for e in rest])
    assert rate_low > 2 * rate_rest
    srs = np.array([s.scores["SRS"].total for e in data.episodes for s in e.sessions if s.scores])
    assert np.median(srs) >= 37.0  # most sessions rate the alliance well


def _bh(p: np.ndarray) -> np.ndarray:
    order = np.argsort(p)
    ranked = p[order] * len(p) / np.arange(1, len(p) + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty_like(q)
    out[order] = np.minimum(q, 1.0)
    return out


def _fisher(flags: np.ndarray, has: np.ndarray) -> tuple[float, float]:
    a, b = int(flags[has].sum()), int((~flags[has]).sum())
    c, d = int(flags[~has].sum()), int((~flags[~has]).sum())
    rr = (a / (a + b)) / (c / (c + d))
    return rr, float(stats.fisher_exact([[a, b], [c, d]])[1])


def test_employer_referrals_are_a_recurring_not_on_track_pattern(data: DemoData) -> None:
    clients = {c.key: c for c in data.clients}
    eps = measured(data)
    flags = np.array([not_on_track(ors(e)) for e in eps])
    employer = np.array([clients[e.client_key].referral_source == "Employer" for e in eps])
    period = np.array([recent(data, e) for e in eps])
    for in_period in (period, ~period):
        has = employer & in_period
        assert has.sum() >= 15
        rr, p = _fisher(flags[in_period], employer[in_period])
        assert rr >= 1.6 and p < 0.05

    # Across every attribute value with 5+ episodes, only the employer referral is a
    # pattern after the Benjamini-Hochberg correction.
    features: dict[tuple[str, str], np.ndarray] = {}
    for name in ("gender", "age_group", "group_name", "referral_source"):
        values = np.array([getattr(clients[e.client_key], name) for e in eps])
        for value in set(values):
            features[(name, value)] = values == value
    for concern in ("anxiety", "depression", "trauma", "relationship", "work stress"):
        features[("concern", concern)] = np.array(
            [concern in clients[e.client_key].presenting_concerns for e in eps]
        )
    modality = np.array([clients[e.client_key].attributes["Modality"] for e in eps])
    for value in set(modality):
        features[("Modality", value)] = modality == value
    tested = [k for k, has in features.items() if 5 <= has.sum() <= len(eps) - 5]
    p_values = np.array([_fisher(flags, features[k])[1] for k in tested])
    q = dict(zip(tested, _bh(p_values), strict=True))
    assert q[("referral_source", "Employer")] < 0.10
    # Chance alone reaches q 0.05-0.10 now and then with ~270 episodes (seed 1: age 26-40,
    # q 0.06 on these starter-rule flags); the app's own report is checked further down.
    others = [k for k, v in q.items() if v < 0.05 and k[0] != "referral_source"]
    assert others == []


def test_heavy_periods_carry_more_sessions_and_slightly_worse_outcomes(data: DemoData) -> None:
    assert len(data.heavy_periods) == 3

    def heavy(day: dt.date) -> bool:
        return any(a <= day <= b for a, b in data.heavy_periods)

    load = Counter(monday(s.date) for e in data.episodes for s in e.sessions)
    weeks = [w for w in load if w >= min(load) + dt.timedelta(days=120)]  # caseload built up
    inside = np.mean([load[w] for w in weeks if heavy(w + dt.timedelta(days=2))])
    outside = np.mean([load[w] for w in weeks if not heavy(w + dt.timedelta(days=2))])
    assert inside > 1.2 * outside

    def improved(group: list[DemoEpisode]) -> float:
        return float(np.mean([ors(e)[-1] - ors(e)[0] >= RC for e in group]))

    eps = measured(data)
    assert improved([e for e in eps if e.heavy_load]) < improved(
        [e for e in eps if not e.heavy_load]
    )


def test_clients_are_codes_with_attributes(data: DemoData) -> None:
    for c in data.clients:
        assert re.fullmatch(r"C\d{4}", c.code)
        assert c.age_group in {"18-25", "26-40", "41-60", "60+"}
        assert c.group_name in {"Individual", "Couples", "Group"}
        assert c.referral_source in {"GP", "Self", "Employer", "Court", "Insurance"}
        assert c.attributes["Modality"] in {"In person", "Video"}
        assert c.presenting_concerns
    assert len({c.code for c in data.clients}) == len(data.clients)
    notes = [s.notes for e in data.episodes for s in e.sessions if s.notes]
    assert 0.03 * data.session_count <= len(notes) <= 0.3 * data.session_count


# --- practice, reviews, lessons ---------------------------------------------------


def test_practice_hours_rise_over_the_three_years(data: DemoData) -> None:
    first_year_end = data.today - dt.timedelta(days=2 * 365)
    last_year_start = data.today - dt.timedelta(days=365)
    first = sum(p.minutes for p in data.practice_entries if p.date < first_year_end) / 60
    last = sum(p.minutes for p in data.practice_entries if p.date >= last_year_start) / 60
    assert last > 2 * first
    assert 0.3 <= first / 52 <= 1.5 and 1.5 <= last / 52 <= 4.0  # hours per week
    client_keys = {c.key for c in data.clients}
    objective_keys = {o.key for o in data.objectives}
    for p in data.practice_entries:
        assert p.activity in ACTIVITIES and p.domain in DOMAINS
        assert p.difficulty in DIFFICULTIES and p.feedback_source in FEEDBACK_SOURCES
        assert p.self_rating is not None and 0 <= p.self_rating <= 10
        assert 1 <= p.minutes <= 1440 and p.date <= data.today
        assert set(p.client_keys) <= client_keys
        assert p.objective_key is None or p.objective_key in objective_keys
    assert sum(bool(p.client_keys) for p in data.practice_entries) >= 20
    assert {p.activity for p in data.practice_entries} == ACTIVITIES


def test_objectives_one_active_with_baselines(data: DemoData) -> None:
    statuses = Counter(o.status for o in data.objectives)
    assert statuses["active"] == 1 and statuses["achieved"] >= 1 and statuses["dropped"] >= 1
    for o in data.objectives:
        assert o.success_criteria and o.domain in DOMAINS
        assert isinstance(o.baseline["n"], int)
        assert (o.closed_date is None) == (o.status == "active")
    active = next(o for o in data.objectives if o.status == "active")
    assert active.baseline["n"] >= 30 and 0.3 < active.baseline["effect_size"] < 2.0
    assert active.review_date is not None and active.review_date > data.today


def test_weekly_reviews_for_most_weeks_with_energy_following_load(data: DemoData) -> None:
    weeks = (monday(data.today) - monday(data.today - dt.timedelta(days=3 * 365))).days // 7
    assert len(data.weekly_reviews) >= 0.7 * weeks
    starts = [r.week_start for r in data.weekly_reviews]
    assert len(set(starts)) == len(starts) and max(starts) < monday(data.today)
    assert all(r.week_start.weekday() == 0 and 0 <= r.energy <= 10 for r in data.weekly_reviews)
    assert all(r.completed_at.date() >= r.week_start for r in data.weekly_reviews)
    load = Counter(monday(s.date) for e in data.episodes for s in e.sessions)
    sessions = [load.get(r.week_start, 0) for r in data.weekly_reviews]
    rho = stats.spearmanr(sessions, [r.energy for r in data.weekly_reviews]).statistic
    assert rho < -0.3


def test_lessons_and_briefs(data: DemoData) -> None:
    assert 15 <= len(data.lessons) <= 25
    tags = Counter(t for lesson in data.lessons for t in lesson.tags)
    assert {"alliance", "pace", "goals", "referral"} <= set(tags)
    assert tags.most_common(1)[0][1] >= 5
    keys = {e.key: e for e in data.episodes}
    for lesson in data.lessons:
        assert keys[lesson.episode_key].client_key == lesson.client_key
    assert 1 <= len(data.briefs) <= 2
    for brief in data.briefs:
        assert not_on_track(ors(keys[brief.episode_key]))


def test_same_seed_same_data_other_seed_other_data(data: DemoData) -> None:
    assert generate(1, TODAY) == data
    other = generate(2, TODAY)
    assert other != data
    assert [ors(e) for e in other.episodes] != [ors(e) for e in data.episodes]


def test_default_today_ends_today() -> None:
    today = dt.date.today()
    d = generate(3)
    assert d.today == today
    assert max(s.date for e in d.episodes for s in e.sessions) <= today
    with pytest.raises(ValueError):
        generate(-1)


def test_summary_line() -> None:
    summary = DemoSummary(1, 150, 152, 1734, 3468, 1020, 140, 20, 4, 2)
    assert summary.line() == (
        "1 therapist, 150 clients, 152 episodes, 1,734 sessions, 3,468 scores, "
        "1,020 practice entries, 140 weekly reviews, 20 lessons, 4 objectives, "
        "2 consultation briefs"
    )


# --- what the app's screens find in the demo (services on a written database) ------


SEEDS = (1, 2, 3, 4)


@pytest.fixture(scope="module")
def demo_dbs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[int, Database]]:
    """The demo of seeds 1-4 written to real SQLite files, as `practice-app demo` would."""
    folder = tmp_path_factory.mktemp("demo")
    dbs = {seed: open_database(str(folder / f"demo{seed}.sqlite3")) for seed in SEEDS}
    try:
        for seed, db in dbs.items():
            load_demo(db, seed=seed, today=TODAY)
        yield dbs
    finally:
        for db in dbs.values():
            db.dispose()


@pytest.fixture(scope="module")
def demo_db(demo_dbs: dict[int, Database]) -> Database:
    return demo_dbs[1]


def planted_codes(data: DemoData, role: str) -> set[str]:
    codes = {c.key: c.code for c in data.clients}
    return {codes[e.client_key] for e in data.episodes if e.planted == role}


def test_practice_against_results_shows_a_moderate_positive_association(
    demo_dbs: dict[int, Database],
) -> None:
    views = {}
    for seed, db in demo_dbs.items():
        with db.session() as session:
            views[seed] = load_practice_results(session, today=TODAY)
    view = views[1]
    same, following = view.scatters
    # A full-time caseload: nearly every complete quarter has 10+ ended episodes.
    assert same.left_out <= 2 and same.correlation.n >= 10
    hours = [p.hours for p in same.pairs]
    saes = [p.saes.value for p in same.pairs]
    rho = stats.spearmanr(hours, saes).statistic
    assert same.correlation.rho == pytest.approx(rho)
    assert 0.4 <= rho < 0.95  # visible, not perfect
    assert same.correlation.ci is not None and same.correlation.ci[0] > 0.0
    assert following.correlation.rho is not None and following.correlation.rho > 0.2
    # Not one lucky seed: most seeds show it (chance alone gives about half of them).
    rhos = [v.scatters[0].correlation.rho or 0.0 for v in views.values()]
    assert sum(r > 0.2 for r in rhos) >= 3 and np.mean(rhos) >= 0.4
    # The rolling SAES rises with practice: the 12-month practice hours behind each
    # rolling window go with its SAES, and the last year is above the first.
    points = [r for r in view.rolling if r.saes.value is not None]
    assert len(points) >= 20
    monthly = {m.start: m.hours for m in view.months}
    behind = [sum(h for start, h in monthly.items() if r.start <= start <= r.end) for r in points]
    values = [r.saes.value for r in points]
    assert stats.spearmanr(behind, values).statistic > 0.3
    assert np.mean(values[-12:]) > np.mean(values[:6]) + 0.15


def test_workload_outcomes_fall_at_the_heaviest_load(demo_dbs: dict[int, Database]) -> None:
    drops = []
    for db in demo_dbs.values():
        with db.session() as session:
            view = load_workload(session, today=TODAY)
        assert view.typical_load is not None and 12 <= view.typical_load <= 22  # full time
        figured = [b for b in view.bands if b.saes.value is not None]
        assert len(figured) >= 3
        peak = max(b.saes.value or 0.0 for b in figured)
        heaviest = figured[-1].saes.value
        assert heaviest is not None and view.decline is not None
        drops.append(peak - heaviest)
    # Short episodes sit in the extreme bands (their load is a few weeks' load), which
    # alone lowers both ends by about 0.3; the planted effect is well beyond that.
    assert min(drops) > 0.25 and np.mean(drops) > 0.4


def test_weekly_review_of_the_current_week_has_a_realistic_mix(
    data: DemoData, demo_db: Database
) -> None:
    with demo_db.session() as session:
        view = load_weekly_review(session, today=TODAY)
        bunt = load_bunt_list(session, today=TODAY)
    assert view.week_start == monday(TODAY) and view.sessions_held >= 5
    by_client = {item.client: item for item in view.attention}
    levels = Counter(item.level for item in view.attention)
    assert levels["red"] >= 2 and levels["orange"] >= 2
    stuck = planted_codes(data, "stuck")
    assert len(stuck) == 2 and stuck <= {row.client for row in bunt}
    for code in stuck:
        assert "referral" in by_client[code].kinds
        assert any("good alliance" in r for r in by_client[code].reasons)
    (loss,) = planted_codes(data, "sudden-loss")
    assert "sudden-loss" in by_client[loss].kinds
    (unscored,) = planted_codes(data, "unscored")
    assert "missing-scores" in by_client[unscored].kinds
    (recovering,) = planted_codes(data, "recovering")
    assert ("recovered", recovering) in {(w.kind, w.client) for w in view.wins}
    # The planted clients are open, ordinary episodes of the current week.
    for e in data.episodes:
        if e.planted:
            assert e.end_date is None and e.last_date >= monday(TODAY) - dt.timedelta(days=7)


def test_learning_finds_the_two_planted_patterns_and_no_other_kind(demo_db: Database) -> None:
    with demo_db.session() as session:
        report = load_pattern_report(session, today=TODAY)
    patterns = [r for r in report.patterns if r.status == "pattern"]
    found = {(r.flag, r.feature, r.value): r for r in patterns}
    employer = found[("not_on_track", "referral source", "Employer")]
    assert employer.recurring and employer.risk_ratio >= 2.0
    assert ("dropout", "early alliance", "low") in found
    # Referral source (and its complements) and early alliance are planted; the load
    # effect may show; anything else shown as a pattern would be an unintended one.
    assert {r.feature for r in patterns} <= {"referral source", "early alliance", "weekly load"}


# --- writing to a database and the command --------------------------------------

USER_TABLES = (
    "therapist",
    "client",
    "client_attribute",
    "episode",
    "session",
    "score",
    "practice_objective",
    "practice_entry",
    "practice_entry_client",
    "weekly_review",
    "client_lesson",
    "lesson_tag",
    "consultation_brief",
)


def dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every user table's rows (without the clock-dependent created/updated columns)."""
    con = sqlite3.connect(path)
    try:
        result = {}
        for table in (*USER_TABLES, "instrument"):
            cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
            keep = ", ".join(c for c in cols if c not in ("created_at", "updated_at"))
            result[table] = con.execute(f"SELECT {keep} FROM {table} ORDER BY 1, 2").fetchall()
        return result
    finally:
        con.close()


def counts(path: Path) -> dict[str, int]:
    return {table: len(rows) for table, rows in dump(path).items()}


def test_load_demo_writes_every_row_and_clear_removes_them(tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite3"
    db = open_database(str(path))
    try:
        assert database_is_empty(db)
        expected = generate(1, TODAY)
        summary = load_demo(db, seed=1, today=TODAY)
        assert not database_is_empty(db)
        n = counts(path)
        assert summary.therapists == n["therapist"] == 1
        assert summary.clients == n["client"] == len(expected.clients)
        assert summary.episodes == n["episode"] == len(expected.episodes)
        assert summary.sessions == n["session"] == expected.session_count
        assert summary.scores == n["score"] == expected.score_count
        assert summary.practice_entries == n["practice_entry"] == len(expected.practice_entries)
        assert summary.weekly_reviews == n["weekly_review"] == len(expected.weekly_reviews)
        assert summary.lessons == n["client_lesson"] == len(expected.lessons)
        assert summary.objectives == n["practice_objective"] == 4
        assert summary.briefs == n["consultation_brief"] == len(expected.briefs)
        assert n["client_attribute"] == len(expected.clients)
        con = sqlite3.connect(path)
        rows = con.execute(
            "SELECT s.total, s.items FROM score s JOIN instrument i ON i.id = s.instrument_id "
            "WHERE i.name = 'ORS'"
        ).fetchall()
        open_count = con.execute("SELECT count(*) FROM episode WHERE end_date IS NULL").fetchone()
        con.close()
        assert len(rows) == expected.session_count - 1  # one planted unscored session
        for total, items in rows:
            assert abs(total - sum(float(v) for v in items.strip("[]").split(","))) <= 0.05
        assert open_count[0] == sum(e.end_date is None for e in expected.episodes) > 0

        instruments = dump(path)["instrument"]
        clear_user_data(db)
        assert database_is_empty(db)
        assert all(v == 0 for k, v in counts(path).items() if k != "instrument")
        assert dump(path)["instrument"] == instruments
    finally:
        db.dispose()


class CancelAt(Progress):
    """A Progress that cancels itself at the n-th update, like a user pressing Cancel."""

    def __init__(self, at: int) -> None:
        super().__init__()
        self.calls = 0
        self.at = at

    def update(self, done: int, total: int | None = None, message: str | None = None) -> None:
        self.calls += 1
        if self.calls == self.at:
            self.cancel()
        super().update(done, total, message)


def test_an_interrupted_replace_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite3"
    db = open_database(str(path))
    try:
        load_demo(db, seed=1, today=TODAY)
        before = dump(path)
        with pytest.raises(Cancelled):
            load_demo(db, seed=2, today=TODAY, progress=CancelAt(4), replace=True)
        assert dump(path) == before
        with pytest.raises(Exception, match="C0001"):
            write_demo(db, generate(2, TODAY))  # clients clash without replace
        assert dump(path) == before
    finally:
        db.dispose()


def test_demo_command_loads_refuses_and_replaces(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cli.sqlite3"
    today = ["--today", TODAY.isoformat()]
    assert main(["--db", str(path), "demo", *today]) == 0
    out = capsys.readouterr().out
    one = generate(1, TODAY)
    assert out.startswith(f"Loaded demo data into {path}: 1 therapist, {len(one.clients)} clients")
    assert f"{one.session_count:,} sessions" in out and out.count("\n") == 1
    first = dump(path)

    assert main(["--db", str(path), "demo", *today]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "--force" in err and err.count("\n") == 1
    assert dump(path) == first

    assert main(["--db", str(path), "demo", "--seed", "2", "--force", *today]) == 0
    capsys.readouterr()
    assert counts(path)["session"] == generate(2, TODAY).session_count
    assert dump(path) != first

    assert main(["--db", str(path), "demo", "--seed", "-3"]) == 2
    assert "--seed: the seed must be 0 or more" in capsys.readouterr().err


def test_same_seed_writes_identical_databases(tmp_path: Path) -> None:
    a, b = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3"
    for path in (a, b):
        assert main(["--db", str(path), "demo", "--seed", "5", "--today", "2025-03-01"]) == 0
    assert dump(a) == dump(b)
    assert counts(a)["score"] > 1000


def test_demo_command_in_a_fresh_process_without_qt(tmp_path: Path) -> None:
    path = tmp_path / "sub.sqlite3"
    script = (
        "import sys\n"
        "from practice_app.cli import main\n"
        "rc = main(sys.argv[1:])\n"
        "qt = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph'))\n"
        "print('qt modules:', qt)\n"
        "raise SystemExit(rc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, "--db", str(path), "demo", "--seed", "3"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert f"Loaded demo data into {path}: 1 therapist" in result.stdout
    assert "qt modules: []" in result.stdout
    assert counts(path)["episode"] == len(generate(3).episodes)
