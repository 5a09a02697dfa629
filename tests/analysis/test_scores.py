"""ScoreMatrix construction from long arrays."""

from __future__ import annotations

import numpy as np
import pytest

from practice_app.analysis.scores import build_score_matrix, episode_index


def test_matrix_by_measurement_and_by_session() -> None:
    # Episode 0: sessions 1, 2, 4 (3 unscored); episode 1: session 2 only; episode 2: none.
    m = build_score_matrix(
        episode=[1, 0, 0, 0, 0],
        session=[2, 4, 1, 2, 3],
        total=[30.0, 22.0, 10.0, 15.0, np.nan],
        n_episodes=3,
    )
    assert m.counts.tolist() == [3, 1, 0]
    np.testing.assert_array_equal(m.scores[0], [10.0, 15.0, 22.0])
    assert m.sessions[0].tolist() == [1, 2, 4]
    np.testing.assert_array_equal(m.intake, [10.0, 30.0, np.nan])
    np.testing.assert_array_equal(m.latest, [22.0, 30.0, np.nan])
    s = m.by_session()
    assert s.shape == (3, 4)
    np.testing.assert_array_equal(s[0], [10.0, 15.0, np.nan, 22.0])
    np.testing.assert_array_equal(s[1], [np.nan, 30.0, np.nan, np.nan])
    assert np.isnan(s[2]).all()


def test_duplicate_session_keeps_last_value() -> None:
    m = build_score_matrix([0, 0, 0], [1, 2, 1], [5.0, 6.0, 7.0])
    np.testing.assert_array_equal(m.scores[0], [7.0, 6.0])


def test_subset_and_at_measurement() -> None:
    m = build_score_matrix([0, 0, 0, 1], [1, 2, 3, 1], [1.0, 2.0, 3.0, 9.0])
    np.testing.assert_array_equal(m.at_measurement(np.array([2, 2])), [2.0, np.nan])
    sub = m.subset(np.array([1]))
    assert sub.scores.shape == (1, 1)
    assert sub.scores[0, 0] == 9.0


def test_bad_input_is_rejected() -> None:
    with pytest.raises(ValueError, match="session numbers start at 1"):
        build_score_matrix([0], [0], [1.0])
    with pytest.raises(ValueError, match="episode indices"):
        build_score_matrix([3], [1], [1.0], n_episodes=2)


def test_episode_index_maps_ids() -> None:
    assert episode_index([7, 3, 9, 5], [3, 5, 7]).tolist() == [2, 0, -1, 1]
