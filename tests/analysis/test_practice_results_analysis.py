"""Practice and workload against results: the rank correlation against scipy, a bootstrap
re-derived here, lag alignment, period sums, weekly load and load bands on hand-counted data.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from practice_app.analysis.effectiveness import N_RESAMPLES, SEED
from practice_app.analysis.practice_results import (
    MIN_PAIRS,
    LoadBand,
    band_index,
    decline,
    episode_load,
    load_bands,
    pair_quarters,
    period_hours,
    quarter_index,
    rank_correlation,
    week_start,
    weekly_sessions,
)

HOURS = np.array([10.0, 20.0, 5.0, 30.0, 15.0, 25.0, 40.0, 20.0, 12.0])
SAES = np.array([0.7, 0.9, 0.6, 1.3, 0.8, 1.0, 1.4, 0.95, 0.5])
"""Nine quarters with a tie in the hours (20 twice), a clearly positive association."""


def _d(*days: str) -> np.ndarray:
    return np.array(days, dtype="datetime64[D]")


def _bootstrap_by_hand(x: np.ndarray, y: np.ndarray, b: int, seed: int) -> tuple[float, float]:
    """The documented bootstrap: default_rng(seed).integers(0, n, (b, n)), spearmanr per row."""
    idx = np.random.default_rng(seed).integers(0, x.size, size=(b, x.size))
    rhos = []
    for row in idx:
        xs, ys = x[row], y[row]
        if np.ptp(xs) == 0 or np.ptp(ys) == 0:
            continue  # rho undefined: left out, as documented
        rhos.append(stats.spearmanr(xs, ys).statistic)
    lo, hi = np.percentile(rhos, [2.5, 97.5])
    return float(lo), float(hi)


def test_rho_and_p_are_scipys_spearman() -> None:
    result = rank_correlation(HOURS, SAES)
    expected = stats.spearmanr(HOURS, SAES)
    assert result.rho == pytest.approx(expected.statistic, abs=1e-12)
    assert result.p == pytest.approx(expected.pvalue, abs=1e-12)
    assert result.n == 9
    assert result.reason == ""


def test_ci_is_the_percentile_bootstrap_over_pairs() -> None:
    result = rank_correlation(HOURS, SAES)
    assert result.ci is not None
    lo, hi = _bootstrap_by_hand(HOURS, SAES, N_RESAMPLES, SEED)
    assert result.ci == pytest.approx((lo, hi), abs=1e-9)
    assert result.rho is not None
    assert result.ci[0] <= result.rho <= result.ci[1]


def test_ci_with_another_seed_and_resample_count() -> None:
    x = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0])
    y = np.array([2.0, 7.0, 1.0, 8.0, 2.0, 8.0, 1.0, 8.0])
    result = rank_correlation(x, y, n_resamples=500, seed=7)
    assert result.rho == pytest.approx(stats.spearmanr(x, y).statistic)
    assert result.ci == pytest.approx(_bootstrap_by_hand(x, y, 500, 7), abs=1e-9)


def test_pairs_with_a_missing_value_are_dropped_before_counting() -> None:
    x = np.append(HOURS, [np.nan, 3.0])
    y = np.append(SAES, [1.0, np.nan])
    result = rank_correlation(x, y)
    assert result.n == 9
    assert result.rho == pytest.approx(stats.spearmanr(HOURS, SAES).statistic)


def test_too_few_pairs_give_no_figure_and_say_why() -> None:
    result = rank_correlation(HOURS[: MIN_PAIRS - 1], SAES[: MIN_PAIRS - 1])
    assert result.rho is None and result.ci is None and result.p is None
    assert result.n == MIN_PAIRS - 1
    assert "not enough data" in result.reason
    assert f"{MIN_PAIRS - 1} pairs" in result.reason
    assert f"at least {MIN_PAIRS}" in result.reason
    assert rank_correlation(HOURS[:MIN_PAIRS], SAES[:MIN_PAIRS]).rho is not None


def test_no_spread_gives_no_figure() -> None:
    result = rank_correlation(np.full(8, 3.0), SAES[:8])
    assert result.rho is None
    assert "never varies" in result.reason


def test_quarter_index_and_lag_alignment() -> None:
    q = quarter_index(_d("2025-01-01", "2025-03-31", "2025-04-01", "2025-12-31", "2026-01-01"))
    assert q.tolist() == [2025 * 4 + 0 - 1970 * 4] * 2 + [
        2025 * 4 + 1 - 1970 * 4,
        2025 * 4 + 3 - 1970 * 4,
        2026 * 4 - 1970 * 4,
    ]
    practice = np.array([100, 101, 102, 103])
    outcome = np.array([101, 102, 104, 100])
    rows, cols = pair_quarters(practice, outcome, 0)
    # Same quarter: 100-100, 101-101, 102-102.
    assert list(zip(practice[rows].tolist(), outcome[cols].tolist(), strict=True)) == [
        (100, 100),
        (101, 101),
        (102, 102),
    ]
    rows, cols = pair_quarters(practice, outcome, 1)
    # Next quarter: 100-101, 101-102, 103-104 (102 has no 103 outcome).
    assert list(zip(practice[rows].tolist(), outcome[cols].tolist(), strict=True)) == [
        (100, 101),
        (101, 102),
        (103, 104),
    ]


def test_period_hours_by_month_include_empty_months_and_respect_boundaries() -> None:
    dates = _d("2026-01-31", "2026-02-01", "2026-02-28", "2026-04-15", "2025-12-31")
    minutes = [60, 30, 45, 120, 999]
    starts, hours = period_hours(
        dates, minutes, "month", np.datetime64("2026-01-10"), np.datetime64("2026-04-02")
    )
    assert [str(s) for s in starts] == ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]
    assert hours.tolist() == [1.0, 1.25, 0.0, 2.0]  # December's entry lies outside the range


def test_period_hours_by_quarter() -> None:
    dates = _d("2026-03-31", "2026-04-01", "2026-09-30", "2026-10-01")
    starts, hours = period_hours(
        dates,
        [60, 90, 30, 600],
        "quarter",
        np.datetime64("2026-02-01"),
        np.datetime64("2026-09-30"),
    )
    assert [str(s) for s in starts] == ["2026-01-01", "2026-04-01", "2026-07-01"]
    assert hours.tolist() == [1.0, 1.5, 0.5]


def test_week_start_is_monday() -> None:
    days = _d("2026-11-30", "2026-12-01", "2026-12-06", "2026-12-07", "NaT")
    assert [str(d) for d in week_start(days)] == [
        "2026-11-30",
        "2026-11-30",
        "2026-11-30",
        "2026-12-07",
        "NaT",
    ]


def test_weekly_sessions_count_each_therapists_weeks() -> None:
    # Therapist 0: 3 sessions in the week of 2 Nov, none the next, 1 in the week of 16 Nov.
    # Therapist 1: 2 sessions in the week of 9 Nov (one date holding 2 sessions, by weight).
    dates = _d("2026-11-02", "2026-11-04", "2026-11-08", "2026-11-18", "2026-11-10")
    weeks, counts = weekly_sessions(dates, [0, 0, 0, 0, 1], 2, weights=[1, 1, 1, 1, 2])
    assert [str(w) for w in weeks] == ["2026-11-02", "2026-11-09", "2026-11-16"]
    assert counts.tolist() == [[3, 0, 1], [0, 2, 0]]


def test_episode_load_is_the_mean_over_working_weeks() -> None:
    weeks = _d("2026-01-05", "2026-01-12", "2026-01-19", "2026-01-26")
    counts = np.array([[10, 0, 14, 20], [4, 4, 4, 4]])
    first = _d("2026-01-06", "2026-01-20", "2026-01-07", "NaT")
    last = _d("2026-01-21", "2026-01-30", "2026-01-28", "2026-01-28")
    load = episode_load(first, last, [0, 0, 1, 0], weeks, counts)
    # Episode 1: weeks 1-3 of therapist 0 = 10, 0 (holiday, left out), 14 -> 12.
    # Episode 2: weeks 3-4 -> (14 + 20) / 2 = 17. Episode 3: therapist 1 -> 4.
    assert load[:3].tolist() == [12.0, 17.0, 4.0]
    assert np.isnan(load[3])


def test_load_bands_by_five_with_thin_ends_merged() -> None:
    # 12 loads under 5, 10 in 5-9, 11 in 10-14, 3 in 15-19, 2 in 25-29.
    load = [1.0] * 12 + [5.0] * 4 + [9.9] * 6 + [10.0] * 11 + [16.0] * 3 + [27.0] * 2
    bands = load_bands(load)
    assert [b.label for b in bands] == ["under 5", "5–9", "10 or more"]
    assert (bands[1].low, bands[1].high) == (5.0, 10.0)
    assert bands[2].high is None
    index = band_index(load, bands)
    assert np.bincount(index).tolist() == [12, 10, 16]
    assert band_index([4.999, 5.0, 9.999, 10.0, np.nan], bands).tolist() == [0, 1, 1, 2, -1]


def test_load_bands_merge_a_thin_bottom_upwards() -> None:
    load = [2.0] * 3 + [6.0] * 4 + [12.0] * 10 + [17.0] * 10
    bands = load_bands(load)
    # 0-4 (3) and 5-9 (4) are too thin: together with 10-14 they make "under 15".
    assert [b.label for b in bands] == ["under 15", "15 or more"]
    assert np.bincount(band_index(load, bands)).tolist() == [17, 10]


def test_load_bands_of_one_band_and_of_nothing() -> None:
    assert [b.label for b in load_bands([12.0] * 3)] == ["any load"]
    assert load_bands([np.nan]) == []
    assert band_index([3.0, 30.0], [LoadBand(0.0, None, "any load")]).tolist() == [0, 0]


def test_decline_starts_after_the_best_band() -> None:
    found = decline(
        [0.9, 1.2, 0.8, None, 0.4], [(0.5, 1.3), (1.0, 1.4), (0.5, 1.25), None, (0.1, 0.7)]
    )
    assert found is not None
    assert (found.peak, found.start, found.clear) == (1, 2, False)
    clear = decline([1.2, 0.5], [(1.0, 1.4), (0.2, 0.9)])
    assert clear is not None and clear.clear
    assert decline([0.5, 0.9, 1.3], [None, None, None]) is None  # best at the heaviest load
    assert decline([1.0, None], [None, None]) is None
