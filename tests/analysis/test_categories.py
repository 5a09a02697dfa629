"""Change categories (science.md section 2), hand-computed, both directions."""

from __future__ import annotations

import numpy as np
import pytest

from practice_app.analysis.categories import (
    CATEGORIES,
    NO_CATEGORY,
    categorize,
    category_counts,
    change_better,
    clinical_mask,
)
from practice_app.analysis.instruments import InstrumentDef


def names(codes: np.ndarray) -> list[str | None]:
    return [CATEGORIES[c] if c >= 0 else None for c in codes]


def test_ors_cutoff_boundary(ors: InstrumentDef) -> None:
    # ORS: clinical strictly below 25 (25 is not clinical, 24.9 is).
    assert clinical_mask(np.array([25.0, 24.9, 40.0, np.nan]), ors).tolist() == [
        False,
        True,
        False,
        False,
    ]
    assert not ors.is_clinical(25.0) and ors.is_clinical(24.9)


def test_phq9_cutoff_boundary(phq9: InstrumentDef) -> None:
    # PHQ-9: clinical at 10 and above.
    assert clinical_mask(np.array([10.0, 9.0, 9.9, 27.0]), phq9).tolist() == [
        True,
        False,
        False,
        True,
    ]


def test_ors_categories_hand_computed(ors: InstrumentDef) -> None:
    intake = np.array([18.0, 26.0, 20.0, 20.1, 19.0, 30.0, 30.0, 20.0, 24.9, 25.0])
    outcome = np.array([25.0, 31.0, 24.9, 25.1, 15.0, 25.0, 24.9, 30.0, 29.9, 20.0])
    # d =           7     5     4.9   5.0   -4    -5    -5.1  10    5     -5
    got = names(categorize(intake, outcome, np.full(10, 2), ors))
    assert got == [
        "recovered",  # 18 -> 25: clinical -> not clinical (25 is not clinical), d = 7
        "improved",  # 26 -> 31: d = 5 = RC, intake not clinical
        "unchanged",  # d = 4.9 < RC
        "recovered",  # 20.1 -> 25.1: d = 5.0 despite floating point, crosses
        "unchanged",  # d = -4
        "deteriorated",  # 30 -> 25: d = -5, outcome 25 is not clinical
        "harmed",  # 30 -> 24.9: d = -5.1, outcome clinical
        "recovered",
        "recovered",  # 24.9 (clinical) -> 29.9
        "harmed",  # 25 (not clinical) -> 20 (clinical), d = -5
    ]


def test_phq9_categories_hand_computed(phq9: InstrumentDef) -> None:
    intake = np.array([15.0, 15.0, 12.0, 9.0, 4.0, 20.0, 10.0, 14.0])
    outcome = np.array([9.0, 10.0, 7.0, 3.0, 10.0, 27.0, 4.0, 19.0])
    # d (first - last) = 6   5   5   6   -6  -7   6   -5
    got = names(categorize(intake, outcome, np.full(8, 3), phq9))
    assert got == [
        "recovered",  # 15 -> 9: d = 6 = RC, 9 not clinical
        "unchanged",  # d = 5 < 6
        "unchanged",
        "improved",  # 9 (not clinical) -> 3
        "harmed",  # 4 -> 10: 10 is clinical (clinical_at_cutoff)
        "deteriorated",  # 20 -> 27, intake already clinical
        "recovered",  # 10 (clinical at cutoff) -> 4
        "unchanged",
    ]


def test_fewer_than_two_measurements_get_no_category(ors: InstrumentDef) -> None:
    codes = categorize(np.array([10.0, 10.0]), np.array([30.0, 30.0]), np.array([1, 0]), ors)
    assert codes.tolist() == [NO_CATEGORY, NO_CATEGORY]
    assert category_counts(codes) == dict.fromkeys(CATEGORIES, 0)


def test_no_reliable_change_means_no_category(srs: InstrumentDef) -> None:
    codes = categorize(np.array([30.0]), np.array([39.0]), np.array([2]), srs)
    assert codes.tolist() == [NO_CATEGORY]


@pytest.mark.parametrize(("hib", "expected"), [(True, [3.0, -2.0]), (False, [-3.0, 2.0])])
def test_change_better_direction(hib: bool, expected: list[float]) -> None:
    assert change_better([10.0, 10.0], [13.0, 8.0], hib).tolist() == expected


def test_category_counts(phq9: InstrumentDef) -> None:
    codes = np.array([0, 0, 1, 2, -1, 4], dtype=np.int8)
    assert category_counts(codes) == {
        "recovered": 2,
        "improved": 1,
        "unchanged": 1,
        "deteriorated": 0,
        "harmed": 1,
    }
