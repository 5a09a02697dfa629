"""Sudden gains and losses (Tang & DeRubeis 1999), hand-computed cases."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from practice_app.analysis.instruments import InstrumentDef
from practice_app.analysis.scores import build_score_matrix
from practice_app.analysis.sudden import SuddenChanges, sudden_changes, t_critical

nan = np.nan

BDI = InstrumentDef(
    name="BDI", title="BDI", min=0, max=63, higher_is_better=False, cutoff=None,
    reliable_change=7,
)  # fmt: skip


def rows(*episodes: list[float]) -> np.ndarray:
    width = max(len(e) for e in episodes)
    return np.array([e + [nan] * (width - len(e)) for e in episodes])


def as_tuples(sc: SuddenChanges) -> list[tuple[Any, ...]]:
    return list(zip(*[np.asarray(x).tolist() for x in sc], strict=True))


def test_t_critical_values() -> None:
    assert t_critical(4) == pytest.approx(2.776, abs=5e-4)
    assert t_critical(3) == pytest.approx(3.182, abs=5e-4)
    assert t_critical(2) == pytest.approx(4.303, abs=5e-4)


@pytest.mark.parametrize("df", range(1, 13))
@pytest.mark.parametrize("alpha", [0.05, 0.01])
def test_t_critical_is_what_scipy_gives(df: int, alpha: float) -> None:
    from scipy import special  # the values kept for alpha 0.05 must be scipy's own

    assert t_critical(df, alpha) == float(special.stdtrit(df, 1.0 - alpha / 2.0))


def test_full_windows_vignette_case() -> None:
    # suddengains check_interval example: pre 32, 31, 33; post 5, 6, 7 -> gain.
    sc = sudden_changes(rows([32, 31, 33, 5, 6, 7]), BDI)
    assert as_tuples(sc) == [(0, "gain", 3, 4, 33.0, 5.0, 28.0)]


def test_gap_is_a_gap_not_a_shift() -> None:
    # Session 3 unscored. 4 -> 5: pre window 21, 22 (n1 = 2), post 10, 11, 9 (n2 = 3):
    # pooled SD sqrt((0.5 + 2) / 3) = 0.913, t(3) = 3.182: 11.5 > 2.905.
    sc = sudden_changes(rows([20, 21, nan, 22, 10, 11, 9]), BDI)
    assert as_tuples(sc) == [(0, "gain", 4, 5, 22.0, 10.0, 12.0)]


def test_t_critical_adjusts_for_missing_window_values() -> None:
    # Pre window 18.5, 25.5 (session 1 missing), post 14, 12, 10: means 22 and 12,
    # pooled SD sqrt((24.5 + 8) / 3) = 3.291; 10 / 3.291 = 3.04 passes 2.776 but not
    # t(3) = 3.182, so no gain. With session 1 = 22 the windows are full (df 4,
    # pooled SD sqrt(32.5 / 4) = 2.850, 10 / 2.850 = 3.51 > 2.776): a gain.
    partial = sudden_changes(rows([nan, 18.5, 25.5, 14, 12, 10]), BDI, kind="gain")
    assert partial.episode.size == 0
    full = sudden_changes(rows([22, 18.5, 25.5, 14, 12, 10]), BDI, kind="gain")
    assert as_tuples(full) == [(0, "gain", 3, 4, 25.5, 14.0, 11.5)]


def test_first_testable_interval_is_second_to_third() -> None:
    # 1 -> 2 would be a gain on criteria 1-2 but its pregain window holds one value.
    sc = sudden_changes(rows([40, 10, 10, 10, 10]), BDI)
    assert sc.episode.size == 0
    sc = sudden_changes(rows([40, 40, 10, 10, 10]), BDI)
    assert as_tuples(sc) == [(0, "gain", 2, 3, 40.0, 10.0, 30.0)]


def test_last_interval_needs_two_postgain_values() -> None:
    assert sudden_changes(rows([30, 30, 30, 30, 10]), BDI).episode.size == 0
    sc = sudden_changes(rows([30, 30, 30, 10, 10]), BDI)
    assert as_tuples(sc) == [(0, "gain", 3, 4, 30.0, 10.0, 20.0)]


def test_ors_criterion_two_uses_room_to_improve(ors: InstrumentDef) -> None:
    # Pregain 4: room 36, 25% = 9. A gain of 8 passes RC (5) but not criterion 2.
    sc = sudden_changes(rows([4, 4.5, 4, 12, 12.5, 12], [4, 4.5, 4, 13, 13.5, 13]), ors)
    assert as_tuples(sc) == [(1, "gain", 3, 4, 4.0, 13.0, 9.0)]
    sc = sudden_changes(rows([10, 11, 10, 30, 31, 32]), ors)
    assert as_tuples(sc) == [(0, "gain", 3, 4, 10.0, 30.0, 20.0)]


def test_sudden_losses_both_directions(ors: InstrumentDef, phq9: InstrumentDef) -> None:
    # PHQ-9: 5 -> 12 is 7 >= RC 6 and >= 25% of 5.
    phq = rows([5, 6, 5, 12, 13, 12])
    assert as_tuples(sudden_changes(phq, phq9)) == [(0, "loss", 3, 4, 5.0, 12.0, 7.0)]
    assert sudden_changes(phq, phq9, kind="gain").episode.size == 0
    # ORS: 30 -> 22 is 8 >= 5 and >= 25% of the room (40 - 30).
    o = rows([30, 31, 30, 22, 21, 22])
    assert as_tuples(sudden_changes(o, ors, kind="loss")) == [(0, "loss", 3, 4, 30.0, 22.0, 8.0)]


def test_cutoff_setting(phq9: InstrumentDef) -> None:
    s = rows([15, 14, 15, 10, 9, 10])
    assert sudden_changes(s, phq9).episode.size == 0  # 5 < RC 6
    assert as_tuples(sudden_changes(s, phq9, cutoff=4)) == [(0, "gain", 3, 4, 15.0, 10.0, 5.0)]


def test_vectorized_over_episodes_and_score_matrix_input() -> None:
    ep = [0] * 6 + [1] * 3 + [2] * 6
    ses = [1, 2, 3, 4, 5, 6, 1, 2, 3, 1, 2, 3, 4, 6, 7]
    tot = [32, 31, 33, 5, 6, 7, 9, 9, 9, 20, 21, 22, 10, 11, 9]
    m = build_score_matrix(ep, ses, tot)
    sc = sudden_changes(m, BDI)
    # Episode 1 is too short; episode 2 has no session 5, so its postgain window for
    # 3 -> 4 is 10, (gap), 11: n2 = 2, t(3), still a gain.
    assert as_tuples(sc) == [
        (0, "gain", 3, 4, 33.0, 5.0, 28.0),
        (2, "gain", 3, 4, 22.0, 10.0, 12.0),
    ]
    m2 = build_score_matrix([0] * 6, [1, 2, 3, 4, 5, 6], [20, 21, 22, 10, nan, 11])
    assert as_tuples(sudden_changes(m2, BDI)) == [(0, "gain", 3, 4, 22.0, 10.0, 12.0)]
