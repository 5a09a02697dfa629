"""Effectiveness figures (science.md section 5): hand-computed, both directions."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from practice_app.analysis.categories import categorize
from practice_app.analysis.effectiveness import (
    EpisodeOutcomes,
    bootstrap_means,
    dropout_flags,
    effectiveness,
    resolve_endings,
    saes_reference,
    weeks_in_care,
)
from practice_app.analysis.instruments import InstrumentDef
from practice_app.analysis.windows import (
    effectiveness_by_period,
    period_labels,
    rolling_effectiveness,
    window_dates,
)

ORS_INTAKE = np.arange(10.0, 30.0, 2.0)
ORS_OUTCOME = ORS_INTAKE + np.array([8, 6, 4, 10, -6, 5, 0, 2, 7, 4], dtype=float)


def outcomes(
    intake: np.ndarray, outcome: np.ndarray, inst: InstrumentDef, **kw: np.ndarray
) -> EpisodeOutcomes:
    n = intake.size
    return EpisodeOutcomes(
        intake=intake,
        outcome=outcome,
        category=categorize(intake, outcome, np.full(n, 2), inst),
        not_on_track=kw.get("not_on_track", np.zeros(n, dtype=bool)),
        dropout=kw.get("dropout", np.zeros(n, dtype=bool)),
        sessions=kw.get("sessions", np.full(n, 5.0)),
        weeks=kw.get("weeks", np.full(n, 8.0)),
    )


def test_ors_effect_size_categories_and_percentages(ors: InstrumentDef) -> None:
    nott = np.array([1, 0, 0, 0, 1, 0, 1, 0, 0, 0], dtype=bool)
    drop = np.array([0, 0, 1, 0, 1, 0, 0, 0, 0, 0], dtype=bool)
    sessions = np.arange(1.0, 11.0)
    res = effectiveness(
        outcomes(ORS_INTAKE, ORS_OUTCOME, ors, not_on_track=nott, dropout=drop, sessions=sessions),
        ors,
    )
    assert res.n == 10 and res.enough and not res.certifiable
    # mean change 40 / 10 = 4; SD of 10, 12, ..., 28 (ddof 1) = sqrt(36.667) = 6.0553.
    assert res.effect_size.value == pytest.approx(4.0 / np.sqrt(110.0 / 3.0))
    assert res.effect_size.value == pytest.approx(0.66058, abs=1e-5)
    assert res.categories == {
        "recovered": 2, "improved": 3, "unchanged": 4, "deteriorated": 1, "harmed": 0,
    }  # fmt: skip
    assert res.percent["reliably_improved"].value == pytest.approx(50.0)
    assert res.percent["recovered"].value == pytest.approx(20.0)
    assert res.percent["deteriorated"].value == pytest.approx(10.0)
    assert res.percent["not_on_track"].value == pytest.approx(30.0)
    assert res.percent["dropout"].value == pytest.approx(20.0)
    assert (res.not_on_track, res.dropout) == (3, 2)
    assert res.mean_sessions.value == pytest.approx(5.5)
    assert res.mean_weeks.value == pytest.approx(8.0)
    # Own episodes as SAES reference: OLS residuals average 0, so SAES = d.
    assert res.saes_reference is not None and res.saes_reference.label == "own"
    assert res.saes.value == pytest.approx(res.effect_size.value)
    ci, value = res.effect_size.ci, res.effect_size.value
    assert ci is not None and value is not None and ci[0] < value < ci[1]


def test_saes_with_a_clinic_reference(ors: InstrumentDef) -> None:
    # Reference: outcome = 15 + 0.5 x intake exactly; mean change (10 + 5 + 0) / 3 = 5;
    # SD of 10, 20, 30 = 10. Mean residual of the set: 23 - 15 - 0.5 x 19 = -1.5.
    ref = saes_reference([10.0, 20.0, 30.0], [20.0, 25.0, 30.0], ors, "clinic")
    assert ref is not None
    assert (ref.a, ref.b, ref.mean_change, ref.sd_intake, ref.n) == pytest.approx(
        (15.0, 0.5, 5.0, 10.0, 3)
    )
    res = effectiveness(outcomes(ORS_INTAKE, ORS_OUTCOME, ors), ors, reference=ref)
    assert res.saes.value == pytest.approx((5.0 - 1.5) / 10.0)


def test_phq9_effect_size_and_saes_sign(phq9: InstrumentDef) -> None:
    intake = np.arange(10.0, 20.0)
    outcome = intake - np.array([6, 6, 6, 6, 0, 0, 0, 0, -3, -3], dtype=float)
    res = effectiveness(outcomes(intake, outcome, phq9), phq9)
    # Better = lower: mean change (24 - 6) / 10 = 1.8; SD of 10..19 = 3.0277.
    assert res.effect_size.value == pytest.approx(1.8 / np.sqrt(55.0 / 6.0))
    assert res.categories["recovered"] == 4 and res.categories["unchanged"] == 6
    # Reference on PHQ-9: outcome = 2 + 0.5 x intake; residual signed so lower is better.
    ref = saes_reference([10.0, 20.0], [7.0, 12.0], phq9)
    assert ref is None  # fewer than 3 episodes
    ref = saes_reference([10.0, 20.0, 30.0], [7.0, 12.0, 17.0], phq9)
    assert ref is not None and ref.mean_change == pytest.approx(8.0)
    # Set: mean outcome 14.5 - 1.8 = 12.7, predicted 2 + 0.5 x 14.5 = 9.25,
    # residual (better = lower) 9.25 - 12.7 = -3.45; SAES = (8 - 3.45) / 10.
    res = effectiveness(outcomes(intake, outcome, phq9), phq9, reference=ref)
    assert res.saes.value == pytest.approx((8.0 - 3.45) / 10.0)


def test_fewer_than_ten_episodes_give_no_figure(ors: InstrumentDef) -> None:
    res = effectiveness(outcomes(ORS_INTAKE[:9], ORS_OUTCOME[:9], ors), ors)
    assert res.n == 9 and not res.enough
    assert res.effect_size.value is None and res.effect_size.ci is None
    assert "not enough data" in res.reason and "10" in res.reason
    assert res.percent["recovered"].value is None
    assert res.categories["recovered"] == 2  # counts are still reported


def test_episodes_without_category_are_left_out(ors: InstrumentDef) -> None:
    o = outcomes(np.append(ORS_INTAKE, 5.0), np.append(ORS_OUTCOME, 40.0), ors)
    o.category[-1] = -1  # one measurement only
    assert effectiveness(o, ors).n == 10


def test_bootstrap_is_reproducible_and_matches_a_plain_resample(ors: InstrumentDef) -> None:
    o = outcomes(ORS_INTAKE, ORS_OUTCOME, ors)
    a = effectiveness(o, ors)
    b = effectiveness(o, ors)
    c = effectiveness(o, ors, seed=1)
    assert a.effect_size.ci == b.effect_size.ci and a.saes.ci == b.saes.ci
    assert a.effect_size.ci != c.effect_size.ci
    values = np.column_stack([ORS_OUTCOME - ORS_INTAKE, ORS_INTAKE])
    means = bootstrap_means(values, np.ones_like(values), n_resamples=300, seed=42)
    rng = np.random.default_rng(42)
    idx = np.vstack([rng.integers(0, 10, size=(250, 10)), rng.integers(0, 10, size=(50, 10))])
    np.testing.assert_allclose(means, values[idx].mean(axis=1))


def test_bootstrap_ci_of_a_percentage(ors: InstrumentDef) -> None:
    res = effectiveness(outcomes(ORS_INTAKE, ORS_OUTCOME, ors), ors)
    lo, hi = res.percent["reliably_improved"].ci or (None, None)
    assert lo is not None and hi is not None
    assert 0.0 <= lo < 50.0 < hi <= 100.0


def test_resolve_endings_inactive_after_45_days() -> None:
    last = np.array(["2024-01-16", "2024-01-17", "2023-01-01", "NaT", "2023-06-01"], "M8[D]")
    got = resolve_endings([None, None, "planned", None, "stopped"], last, dt.date(2024, 3, 1))
    assert got.tolist() == ["inactive", "", "planned", "", "stopped"]
    assert resolve_endings([None], last[:1], dt.date(2024, 3, 1), inactive_days=60).tolist() == [""]


def test_dropout_flags() -> None:
    endings = ["stopped", "inactive", "planned", "referred", "other", ""]
    assert dropout_flags(endings, np.zeros(6, dtype=bool)).tolist() == [
        True, True, False, False, True, False,
    ]  # fmt: skip
    assert not dropout_flags(endings, np.ones(6, dtype=bool)).any()


def test_weeks_in_care() -> None:
    first = np.array(["2024-01-01", "NaT"], "M8[D]")
    last = np.array(["2024-02-26", "2024-02-26"], "M8[D]")
    np.testing.assert_array_equal(weeks_in_care(first, last), [8.0, np.nan])


def test_period_labels_and_window_dates() -> None:
    d = np.array(["2024-01-15", "2024-05-02", "2023-12-31", "NaT"], "M8[D]")
    assert period_labels(d, "month").tolist() == ["2024-01", "2024-05", "2023-12", ""]
    assert period_labels(d, "quarter").tolist() == ["2024-Q1", "2024-Q2", "2023-Q4", ""]
    assert period_labels(d, "year").tolist() == ["2024", "2024", "2023", ""]
    closed = np.array([True, True, False])
    end = np.array(["2024-03-01", "NaT", "NaT"], "M8[D]")
    last = np.array(["2024-02-01", "2024-02-02", "2024-02-03"], "M8[D]")
    assert window_dates(closed, end, last).astype(str).tolist() == [
        "2024-03-01", "2024-02-02", "2024-02-03",
    ]  # fmt: skip


def test_windows_by_quarter_and_rolling(ors: InstrumentDef) -> None:
    intake = np.concatenate([ORS_INTAKE, ORS_INTAKE[:5]])
    outcome = np.concatenate([ORS_OUTCOME, ORS_OUTCOME[:5]])
    o = outcomes(intake, outcome, ors)
    dates = np.array(["2024-01-10"] * 6 + ["2024-03-31"] * 4 + ["2024-05-05"] * 5, "M8[D]")
    by_q = effectiveness_by_period(o, dates, ors, "quarter", n_resamples=200)
    assert [w.label for w in by_q] == ["2024-Q1", "2024-Q2"]
    assert by_q[0].start == np.datetime64("2024-01-01") and by_q[0].end == np.datetime64(
        "2024-03-31"
    )
    assert by_q[0].result.n == 10 and by_q[0].result.effect_size.value == pytest.approx(
        0.66058, abs=1e-5
    )
    assert by_q[1].result.n == 5 and by_q[1].result.effect_size.value is None
    rolling = rolling_effectiveness(o, dates, ors, n_resamples=200)
    assert [w.label for w in rolling] == ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05"]
    assert [w.result.n for w in rolling] == [6, 6, 10, 10, 15]
    assert rolling[-1].start == np.datetime64("2023-06-01")
    by_m = effectiveness_by_period(o, dates, ors, "month", n_resamples=200)
    assert [w.result.n for w in by_m] == [6, 4, 5]
