"""Per-episode summary on one instrument."""

from __future__ import annotations

import numpy as np

from practice_app.analysis.instruments import InstrumentDef
from practice_app.analysis.scores import ScoreMatrix, build_score_matrix
from practice_app.analysis.summary import summarize_episodes


def matrix(*episodes: list[float]) -> ScoreMatrix:
    ep = [i for i, scores in enumerate(episodes) for _ in scores]
    ses = [j + 1 for scores in episodes for j in range(len(scores))]
    tot = [x for scores in episodes for x in scores]
    return build_score_matrix(ep, ses, tot, n_episodes=len(episodes))


def test_ors_summary_rows(ors: InstrumentDef) -> None:
    m = matrix(
        [18.0, 19.0, 18.5, 30.0, 31.0, 30.5],  # sudden gain 3 -> 4, recovered
        [20.0, 14.0],  # reliably worse at the 2nd: red, deteriorated
        [22.0],  # one measurement
    )
    s = summarize_episodes(m, ors, closed=[True, False, False])
    assert s.row(0) == {
        "n": 6, "intake": 18.0, "latest": 30.5, "change": 12.5, "category": "recovered",
        "signal": "green", "not_on_track": False, "prompt": False, "model": "starter",
        "model_n": 0, "alliance": "none", "sudden_gains": 1, "sudden_losses": 0,
    }  # fmt: skip
    r1 = s.row(1)
    assert (r1["category"], r1["signal"], r1["not_on_track"]) == ("deteriorated", "red", True)
    r2 = s.row(2)
    assert (r2["category"], r2["signal"], r2["change"], r2["n"]) == (None, "none", 0.0, 1)
    assert s.sudden.postgain_session.tolist() == [4]
    assert s.pool_size == 1 and s.fitted is None


def test_phq9_summary_change_sign(phq9: InstrumentDef) -> None:
    s = summarize_episodes(matrix([18.0, 12.0, 9.0]), phq9, closed=[False])
    row = s.row(0)
    assert (row["change"], row["category"], row["signal"]) == (9.0, "recovered", "green")


def test_alliance_summary(srs: InstrumentDef) -> None:
    s = summarize_episodes(matrix([38.0, 35.0, 37.0], [39.0, 37.5]), srs, closed=[False, False])
    assert [s.row(e)["alliance"] for e in range(2)] == ["green", "orange"]
    assert s.alliance_low_ever.tolist() == [True, False]
    assert s.row(0)["category"] is None and s.row(0)["model"] == "none"
    assert s.sudden.episode.size == 0


def test_summary_uses_fitted_model_with_a_pool(ors: InstrumentDef) -> None:
    success = [15.0, 16.0, 19.0, 22.0, 25.0]
    fail = [15.0] * 5
    eps = [success] * 25 + [fail] * 25 + [[15.0, 14.0]]
    m = matrix(*eps)
    closed = np.array([True] * 50 + [False])
    s = summarize_episodes(m, ors, closed)
    assert s.pool_size == 50 and s.fitted is not None
    assert s.row(50)["model"] == "fitted" and s.row(50)["model_n"] == 50
    assert s.row(50)["signal"] == "red"  # 14 below the fail line (15)
    assert s.row(0)["model_n"] == 49  # leave-one-out below 200 episodes
