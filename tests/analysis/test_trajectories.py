"""Fitted trajectories: kernel, weighted median, extension, model choice, leave-one-out."""

from __future__ import annotations

import math

import numpy as np
import pytest

from practice_app.analysis.instruments import InstrumentDef
from practice_app.analysis.scores import ScoreMatrix, build_score_matrix
from practice_app.analysis.signals import SIGNALS, expected_lines, outcome_signals
from practice_app.analysis.trajectories import (
    fit_trajectories,
    kernel_weights,
    kish_effective_n,
    reference_pool,
    weighted_median,
)


def matrix(episodes: list[list[float]]) -> ScoreMatrix:
    ep = [i for i, scores in enumerate(episodes) for _ in scores]
    ses = [j + 1 for scores in episodes for j in range(len(scores))]
    tot = [x for scores in episodes for x in scores]
    return build_score_matrix(ep, ses, tot, n_episodes=len(episodes))


def test_kish_effective_n() -> None:
    w = np.array([[1.0, 1.0, 1.0, 1.0], [1.0, 0.0, 0.0, 0.0], [2.0, 1.0, 0.0, 0.0]])
    np.testing.assert_allclose(kish_effective_n(w), [4.0, 1.0, 9.0 / 5.0])


def test_weighted_median() -> None:
    v = np.array([4.0, 1.0, 3.0, 2.0])
    w = np.array([[1.0, 1.0, 1.0, 1.0], [5.0, 1.0, 1.0, 1.0], [1.0, 3.0, 1.0, 1.0]])
    # Equal weights: ordinary median 2.5; heavy 4: 4; weight of 1 is exactly half: (1+2)/2.
    np.testing.assert_allclose(weighted_median(v, w), [2.5, 4.0, 1.5])


def test_kernel_widens_until_twenty_effective_episodes() -> None:
    intakes = np.arange(41, dtype=np.float64)
    w = kernel_weights(np.array([20.0]), intakes)
    # Unit-spaced intakes give n_eff of about 2 sqrt(pi) h: h = 2 x 1.25^4 = 4.88 gives
    # 17.31, h = 2 x 1.25^5 = 6.10 gives 21.60, the first bandwidth reaching 20.
    h = 2.0 * 1.25**5
    np.testing.assert_allclose(w[0], np.exp(-0.5 * ((20.0 - intakes) / h) ** 2))
    assert kish_effective_n(w)[0] == pytest.approx(21.60, abs=0.01)
    narrower = np.exp(-0.5 * ((20.0 - intakes) / (h / 1.25)) ** 2)[None, :]
    assert kish_effective_n(narrower)[0] == pytest.approx(17.31, abs=0.01)
    # Symmetric intakes around 20, values equal to intakes: weighted median 20.
    assert weighted_median(intakes, w)[0] == 20.0


SUCCESS = [15.0, 16.0, 19.0, 22.0, 25.0]  # 10 + 3n from the 2nd measurement on
FAIL = [15.0] * 5


def synthetic_pool(n_success: int = 25, n_fail: int = 25) -> list[list[float]]:
    return [SUCCESS] * n_success + [FAIL] * n_fail


def test_fitted_lines_known_answer(ors: InstrumentDef) -> None:
    pool_eps = synthetic_pool()
    judged = [15.0, 17.0, 16.0, 14.0, 25.0, 30.0]
    m = matrix([*pool_eps, judged])
    closed = np.array([True] * len(pool_eps) + [False])
    pool = reference_pool(m, closed)
    assert pool.size == 50
    model = fit_trajectories(pool, ors)
    assert model is not None
    assert (model.n_success, model.n_fail, model.n_reference) == (25, 25, 50)
    success, fail = model.lines(np.array([15.0]), 6)
    ln = np.log(np.arange(1, 6))
    b = float((ln * (np.array(SUCCESS) - 15.0)).sum() / (ln * ln).sum())
    np.testing.assert_allclose(success[0], [*SUCCESS, 15.0 + b * math.log(6)])
    np.testing.assert_allclose(fail[0], [15.0] * 6)
    res = outcome_signals(m, ors, pool)
    # 17 >= 16 green; 16 between 15 and 19 orange; 14 < 15 red; 25 >= 25 green;
    # 30 >= 15 + b ln 6 = 23.93 green.
    assert 15.0 + b * math.log(6) == pytest.approx(23.93, abs=0.01)
    assert [SIGNALS[x] for x in res.per_measurement[50]] == [
        "none", "green", "orange", "red", "green", "green",
    ]  # fmt: skip
    assert res.model[50] == "fitted" and res.model_n[50] == 50
    # Pool members are judged without themselves below 200 episodes.
    assert res.model_n[0] == 49 and res.model[0] == "fitted"
    assert res.ever_red[50]


def test_extension_beyond_measurements_with_twenty_episodes(ors: InstrumentDef) -> None:
    # 25 success episodes, only 10 with 8 measurements: lines measured up to 5, then
    # extended; their scores follow 15 + 4 ln n exactly, so the extension is exact.
    long = [15.0 + 4.0 * math.log(n) for n in range(1, 9)]
    eps = [long[:5]] * 15 + [long] * 10 + [FAIL] * 25
    pool = reference_pool(matrix(eps), np.ones(len(eps), dtype=bool))
    model = fit_trajectories(pool, ors)
    assert model is not None
    assert model.success.shape[1] == 5
    success, _ = model.lines(np.array([15.0]), 8)
    np.testing.assert_allclose(success[0], long)


def test_small_group_is_all_extension(ors: InstrumentDef) -> None:
    pool = reference_pool(matrix(synthetic_pool(25, 8)), np.ones(33, dtype=bool))
    model = fit_trajectories(pool, ors)
    assert model is not None
    assert model.fail.shape[1] == 0
    _, fail = model.lines(np.array([15.0, 17.0]), 4)
    np.testing.assert_allclose(fail, [[15.0] * 4, [17.0] * 4])


def test_starter_rules_below_thirty_reference_episodes(ors: InstrumentDef) -> None:
    eps = synthetic_pool(20, 9)
    m = matrix([*eps, [15.0, 17.0]])
    closed = np.array([True] * 29 + [False])
    res = outcome_signals(m, ors, reference_pool(m, closed))
    assert res.model[-1] == "starter" and res.pool_size == 29
    m = matrix([*synthetic_pool(20, 10), [15.0, 17.0]])
    closed = np.array([True] * 30 + [False])
    res = outcome_signals(m, ors, reference_pool(m, closed))
    assert res.model[-1] == "fitted" and res.model_n[-1] == 30


def test_no_leave_one_out_from_two_hundred(ors: InstrumentDef) -> None:
    m = matrix(synthetic_pool(100, 100))
    res = outcome_signals(m, ors, reference_pool(m, np.ones(200, dtype=bool)))
    assert set(res.model_n.tolist()) == {200}


def test_pool_excludes_open_and_short_episodes(ors: InstrumentDef) -> None:
    m = matrix([SUCCESS, SUCCESS[:2], FAIL, FAIL])
    pool = reference_pool(m, np.array([True, True, False, True]))
    assert pool.source_index.tolist() == [0, 3]


def test_expected_lines_fitted(ors: InstrumentDef) -> None:
    pool = reference_pool(matrix(synthetic_pool()), np.ones(50, dtype=bool))
    model = fit_trajectories(pool, ors)
    lines = expected_lines(15.0, 5, ors, model)
    assert lines.model == "fitted" and lines.n_reference == 50
    np.testing.assert_allclose(lines.success, SUCCESS)
    np.testing.assert_allclose(lines.fail, FAIL)


def test_reversed_scale_gives_identical_fitted_signals(ors: InstrumentDef) -> None:
    rng = np.random.default_rng(7)
    n_ep = 120
    counts = rng.integers(3, 9, size=n_ep)
    intakes = rng.uniform(8, 30, size=n_ep)
    eps = [
        list(np.clip(i + np.cumsum(rng.normal(1.0, 3.0, size=c)) - 1.0, 0, 40))
        for i, c in zip(intakes, counts, strict=True)
    ]
    rev = InstrumentDef(
        name="ORSrev", title="reversed", min=0, max=40, higher_is_better=False,
        cutoff=15, reliable_change=5,
    )  # fmt: skip
    closed = np.arange(n_ep) < 100
    m = matrix(eps)
    m_rev = matrix([[40.0 - x for x in e] for e in eps])
    a = outcome_signals(m, ors, reference_pool(m, closed))
    b = outcome_signals(m_rev, rev, reference_pool(m_rev, closed))
    assert a.model[-1] == "fitted"
    np.testing.assert_array_equal(a.per_measurement, b.per_measurement)
    assert {SIGNALS[x] for x in a.per_measurement.ravel()} == {"none", "green", "orange", "red"}


@pytest.mark.parametrize("intake", [0.0, 13.3, 27.5, 40.0])
def test_fit_near_one_intake_equals_the_full_grid(ors: InstrumentDef, intake: float) -> None:
    rng = np.random.default_rng(3)
    eps = [
        list(np.clip(i + np.cumsum(rng.normal(1.0, 3.0, size=c)) - 1.0, 0, 40).round(1))
        for i, c in zip(rng.uniform(5, 35, 90).round(1), rng.integers(3, 9, 90), strict=True)
    ]
    pool = reference_pool(matrix(eps), np.ones(90, dtype=bool)).without(0)
    full = fit_trajectories(pool, ors)
    near = fit_trajectories(pool, ors, near=intake)
    assert full is not None and near is not None and near.grid.size == 2
    for a, b in zip(
        full.lines(np.array([intake]), 10), near.lines(np.array([intake]), 10), strict=True
    ):
        np.testing.assert_allclose(a, b)


def test_only_a_red_signal_carries_the_change_of_approach_prompt(ors: InstrumentDef) -> None:
    # Ten measurements without reliable improvement (d < 5) under fitted lines: one stays
    # above the fail line (orange: no prompt), one falls below it (red: the prompt).
    pool_eps = synthetic_pool()
    between = [15.0] + [16.0] * 9
    below = [15.0] + [14.0] * 9
    m = matrix([*pool_eps, between, below])
    closed = np.array([True] * len(pool_eps) + [False, False])
    res = outcome_signals(m, ors, reference_pool(m, closed))
    assert res.model[50] == res.model[51] == "fitted"
    assert [SIGNALS[x] for x in res.current[50:]] == ["orange", "red"]
    assert res.prompt[50:].tolist() == [False, True]
