"""Candidate features of learning from clients, on hand-made inputs."""

from __future__ import annotations

import numpy as np
import pytest

from practice_app.analysis import pattern_features as pf
from practice_app.analysis.instruments import InstrumentDef

ORS = InstrumentDef(
    name="ORS", title="ORS", min=0.0, max=40.0, higher_is_better=True, cutoff=25.0,
    reliable_change=5.0,
)  # fmt: skip
PHQ9 = InstrumentDef(
    name="PHQ-9", title="PHQ-9", min=0.0, max=27.0, higher_is_better=False, cutoff=10.0,
    reliable_change=6.0, clinical_at_cutoff=True,
)  # fmt: skip
SRS = InstrumentDef(
    name="SRS", title="SRS", min=0.0, max=40.0, higher_is_better=True, cutoff=36.0,
    reliable_change=None, alliance=True,
)  # fmt: skip


def test_categorical_merges_case_and_spacing_and_skips_unknown() -> None:
    f = pf.categorical("referral source", ["Employer", "GP", " employer ", None, "", "GP", "GP"])
    assert f.values == ("GP", "Employer")  # most frequent first
    assert f.member.tolist() == [
        [False, True], [True, False], [False, True], [False, False], [False, False],
        [True, False], [True, False],
    ]  # fmt: skip
    assert f.known.tolist() == [True, True, True, False, False, True, True]
    assert f.exclusive


def test_multi_valued_splits_concerns() -> None:
    f = pf.multi_valued(
        "presenting concerns", ["anxiety, depression", "Anxiety; grief", None, "grief/work stress"]
    )
    assert set(f.values) == {"anxiety", "depression", "grief", "work stress"}
    col = {v: i for i, v in enumerate(f.values)}
    assert f.member[0, col["anxiety"]] and f.member[0, col["depression"]]
    assert f.member[1, col["anxiety"]] and f.member[1, col["grief"]]
    assert not f.member[2].any() and not f.known[2]
    assert f.member[3, col["work stress"]]
    assert not f.exclusive


def test_severity_bands_ors_and_phq9() -> None:
    f = pf.severity_bands([30.0, 25.0, 24.9, 20.0, 19.9, 15.0, 14.9, np.nan], ORS)
    assert f is not None
    assert f.values == (
        "non-clinical (25 or more)", "mild (20 to under 25)", "moderate (15 to under 20)",
        "severe (under 15)",
    )  # fmt: skip
    band = [int(np.argmax(r)) if r.any() else -1 for r in f.member]
    assert band == [0, 0, 1, 1, 2, 2, 3, -1]
    g = pf.severity_bands([9.0, 10.0, 15.0, 16.0, 22.0, 27.0], PHQ9)
    assert g is not None
    assert g.values[0] == "non-clinical (under 10)" and g.values[-1] == "severe (22 or more)"
    assert [int(np.argmax(r)) for r in g.member] == [0, 1, 1, 2, 3, 3]


def test_early_low_alliance() -> None:
    by_session = np.array(
        [[38.0, 39.0, 30.0], [35.9, 38.0, 38.0], [np.nan, 34.0, 38.0], [np.nan, np.nan, 20.0]]
    )
    f = pf.early_low_alliance(by_session, SRS)
    assert f.member[:, 0].tolist() == [False, True, True, False]
    assert f.known.tolist() == [True, True, True, False]  # nothing at session 1 or 2
    assert "low_alliance" in f.skip_flags


def test_lowest_items_ties_mean_no_single_lowest() -> None:
    means = np.array(
        [[9.0, 8.0, 9.5, 9.9], [9.5, 9.5, 9.8, 9.9], [(7.3 + 7.1) / 2, 7.2, 9.0, 9.0], [np.nan] * 4]
    )
    assert pf.lowest_items(means).tolist() == [1, -1, -1, -1]
    f = pf.lowest_item(np.array([1, -1, 3, 1]), ("R", "G", "A", "O"), "SRS")
    assert f.kind == "lowest SRS item" and f.values == ("G", "O")
    assert f.known.tolist() == [True, False, True, True]


def test_longest_gaps_and_long_gap() -> None:
    ep = np.array([0, 0, 0, 1, 1, 2, 3, 3, 3, 3, 3])
    d = np.array(
        ["2025-01-06", "2025-01-13", "2025-02-10", "2025-03-03", "2025-03-10", "2025-04-01",
         "2025-05-05", "2025-05-12", "2025-05-19", "2025-05-26", "2025-07-28"],
        dtype="datetime64[D]",
    )  # fmt: skip
    gaps = pf.longest_gaps(ep[::-1], d[::-1], 5)  # order of the input does not matter
    assert gaps[[0, 1, 3]].tolist() == [28.0, 7.0, 63.0]
    assert np.isnan(gaps[2]) and np.isnan(gaps[4])
    # Within the first 4 sessions: episode 3's long gap comes after its 4th session,
    # episodes with fewer than 4 sessions are unknown.
    early = pf.longest_gaps(ep, d, 5, within=4)
    assert early[3] == 7.0
    assert np.isnan(early[[0, 1, 2, 4]]).all()
    f = pf.long_gap(pf.longest_gaps(ep, d, 5))
    assert f.kind == "gap in the first 4 sessions" and f.values == ("4 weeks or more",)
    assert f.member[:, 0].tolist() == [True, False, False, True, False]
    assert f.known.tolist() == [True, True, False, True, False]


def test_severity_is_not_tested_against_change_flags() -> None:
    f = pf.severity_bands([10.0, 30.0], ORS)
    assert f is not None
    assert f.skip_flags == {"not_on_track", "deteriorated", "sudden_loss"}


def test_episode_load_over_the_first_four_weeks_by_hand() -> None:
    # Therapist 0: week of 6 Jan 2025: 3 sessions; 13 Jan: none (holiday); 20 Jan: 5;
    # 27 Jan: 2; 3 Feb: 9 (the fifth week: outside an episode starting on 7 Jan).
    days = ["2025-01-06", "2025-01-07", "2025-01-10"] + ["2025-01-20"] * 5
    days += ["2025-01-27"] * 2 + ["2025-02-03"] * 9
    owner = [0] * 19
    # Therapist 1: 2 sessions in the week of 13 Jan.
    days += ["2025-01-14", "2025-01-15"]
    owner += [1, 1]
    load = pf.episode_load(
        np.array(["2025-01-07", "2025-01-27", "2025-01-13"], dtype="datetime64[D]"),
        [0, 0, 1],
        np.array(days, dtype="datetime64[D]"),
        owner,
    )
    # Working weeks only: (3 + 5 + 2) / 3; (2 + 9) / 2; 2 / 1.
    assert load.tolist() == pytest.approx([10 / 3, 5.5, 2.0])


def test_load_bands_follow_the_workload_bands() -> None:
    load = np.concatenate([np.full(12, 7.0), np.full(12, 12.0), np.full(3, 22.0), [np.nan]])
    f = pf.load_bands(load)
    assert f.values == ("under 10 sessions a week", "10 or more sessions a week")
    assert f.member.sum(axis=0).tolist() == [12, 15]
    assert not f.known[-1]
