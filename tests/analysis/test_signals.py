"""Starter rules, alliance signal and the change-of-approach prompt (science.md section 3)."""

from __future__ import annotations

import numpy as np

from practice_app.analysis.instruments import InstrumentDef
from practice_app.analysis.scores import ScoreMatrix, build_score_matrix
from practice_app.analysis.signals import (
    SIGNALS,
    alliance_signals,
    change_prompt,
    expected_lines,
    outcome_signals,
    starter_signals,
)


def matrix(*episodes: list[float]) -> ScoreMatrix:
    ep = [i for i, scores in enumerate(episodes) for _ in scores]
    ses = [j + 1 for scores in episodes for j in range(len(scores))]
    tot = [x for scores in episodes for x in scores]
    return build_score_matrix(ep, ses, tot, n_episodes=len(episodes))


def last_signal(m: ScoreMatrix, sig: np.ndarray) -> list[str]:
    return [SIGNALS[sig[e, m.counts[e] - 1]] if m.counts[e] else "none" for e in range(len(sig))]


def test_starter_rules_ors(ors: InstrumentDef) -> None:
    m = matrix(
        [20.0],  # 1 measurement: no signal
        [20.0, 20.0],  # 2nd: no change yet, no rule fires
        [20.0, 14.9],  # 2nd: reliably worse (d = -5.1)
        [20.0, 15.0],  # 2nd: d = -5 = -RC: red
        [20.0, 21.0, 20.0],  # 3rd: no improvement (d = 0): orange
        [20.0, 21.0, 20.5],  # 3rd: d = 0.5: green
        [20.0, 22.0, 23.0, 24.0, 24.0, 24.9],  # 6th: d = 4.9 < RC: red
        [20.0, 22.0, 23.0, 24.0, 24.0, 25.0],  # 6th: d = 5: green
        [20.0, 22.0, 23.0, 24.0, 24.0],  # 5th: d = 4: green
        [20.0] + [22.0] * 9,  # 10th: no reliable improvement: red + prompt
        [20.0] + [22.0] * 8,  # 9th: red, no prompt yet
        [20.0] + [22.0] * 8 + [26.0],  # 10th: reliably improved: green, no prompt
    )
    sig = starter_signals(m, ors)
    assert last_signal(m, sig) == [
        "none", "green", "red", "red", "orange", "green", "red", "green", "green", "red",
        "red", "green",
    ]  # fmt: skip
    assert change_prompt(m, ors).tolist() == [False] * 9 + [True, False, False]
    # Per-measurement signals of the 6-measurement red episode: n=1 none, then green,
    # n=3..5 green (d > 0), n=6 red.
    assert [SIGNALS[x] for x in sig[6, :6]] == ["none", "green", "green", "green", "green", "red"]


def test_starter_rules_phq9(phq9: InstrumentDef) -> None:
    m = matrix(
        [15.0, 15.0],  # 2nd: green
        [15.0, 21.0],  # 2nd: d = -6 = -RC: red
        [15.0, 14.0, 15.0],  # 3rd: d = 0: orange
        [15.0, 14.0, 13.0, 12.0, 11.0, 10.0],  # 6th: d = 5 < 6: red
        [15.0, 14.0, 13.0, 12.0, 11.0, 9.0],  # 6th: d = 6: green
        [15.0] + [12.0] * 9,  # 10th: red + prompt
    )
    sig = starter_signals(m, phq9)
    assert last_signal(m, sig) == ["green", "red", "orange", "red", "green", "red"]
    assert change_prompt(m, phq9).tolist() == [False] * 5 + [True]


def test_outcome_signals_current_and_ever_red(ors: InstrumentDef) -> None:
    # Red at the 2nd measurement, green at the 3rd: not on track all the same.
    m = matrix([20.0, 14.0, 27.0], [20.0, 21.0, 26.0], [18.0])
    res = outcome_signals(m, ors)
    assert [SIGNALS[x] for x in res.current] == ["green", "green", "none"]
    assert res.ever_red.tolist() == [True, False, False]
    assert res.model == ["starter"] * 3
    assert res.model_n.tolist() == [0, 0, 0]


def test_alliance_signal(srs: InstrumentDef) -> None:
    m = matrix([38.0, 37.0, 35.9, 36.0, 36.0], [40.0, 38.5, 38.0, 36.0])
    sig = alliance_signals(m, srs)
    assert [SIGNALS[x] for x in sig[0]] == ["green", "orange", "red", "green", "green"]
    assert [SIGNALS[x] for x in sig[1, :4]] == ["green", "orange", "green", "orange"]


def test_expected_lines_starter_marks(ors: InstrumentDef, phq9: InstrumentDef) -> None:
    lines = expected_lines(20.0, 3, ors, None)
    assert lines.model == "starter"
    assert lines.success.tolist() == [25.0] * 3 and lines.fail.tolist() == [15.0] * 3
    lines = expected_lines(15.0, 2, phq9, None)
    assert lines.success.tolist() == [9.0, 9.0] and lines.fail.tolist() == [21.0, 21.0]
