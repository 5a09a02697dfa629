"""Learning-from-clients statistics against scipy and hand-counted fixtures."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from practice_app.analysis.bunt import bunt_rows, is_bunt
from practice_app.analysis.patterns import (
    Feature,
    Flag,
    bh_q,
    find_patterns,
    fisher_p,
    risk_ratio,
    srs_item_finding,
)
from practice_app.analysis.signals import GREEN, NONE, ORANGE, RED


def test_risk_ratio_and_katz_ci_by_hand() -> None:
    # 9 of 15 against 24 of 100: RR = 0.6 / 0.24 = 2.5.
    rr, low, high = risk_ratio([9], [15], [24], [100])
    se = math.sqrt(1 / 9 - 1 / 15 + 1 / 24 - 1 / 100)
    assert rr[0] == pytest.approx(2.5)
    assert low[0] == pytest.approx(math.exp(math.log(2.5) - 1.959964 * se), rel=1e-6)
    assert high[0] == pytest.approx(math.exp(math.log(2.5) + 1.959964 * se), rel=1e-6)
    assert low[0] == pytest.approx(1.456, abs=0.001)  # worked by hand: 2.5 x exp(-0.5407)
    assert high[0] == pytest.approx(4.293, abs=0.001)  # the "1.4-4.3"


def test_risk_ratio_zero_events_adds_half_to_every_cell() -> None:
    # 0 of 10 against 5 of 20 -> cells 0.5, 10.5 | 5.5, 15.5.
    rr, low, high = risk_ratio([0], [10], [5], [20])
    expected = (0.5 / 11) / (5.5 / 21)
    se = math.sqrt(1 / 0.5 - 1 / 11 + 1 / 5.5 - 1 / 21)
    assert rr[0] == pytest.approx(expected)
    assert low[0] == pytest.approx(expected * math.exp(-1.959964 * se), rel=1e-6)
    assert high[0] == pytest.approx(expected * math.exp(1.959964 * se), rel=1e-6)
    # Without a zero cell nothing is added.
    assert risk_ratio([1], [10], [5], [20])[0][0] == pytest.approx(0.1 / 0.25)


def test_fisher_p_matches_scipy() -> None:
    rng = np.random.default_rng(3)
    n1 = rng.integers(0, 80, 400)
    n0 = rng.integers(0, 300, 400)
    a = rng.integers(0, n1 + 1)
    c = rng.integers(0, n0 + 1)
    # Edge cases: empty rows and columns, all events, exact ties between tails.
    extra = np.array([[0, 10, 0, 10], [10, 10, 10, 10], [5, 10, 5, 10], [3, 6, 3, 6],
                      [0, 0, 4, 9], [1, 5, 0, 5], [6, 8, 2, 12]])  # fmt: skip
    a, n1, c, n0 = (np.concatenate([v, extra[:, i]]) for i, v in enumerate((a, n1, c, n0)))
    got = fisher_p(a, n1, c, n0)
    for i in range(a.size):
        table = [[a[i], n1[i] - a[i]], [c[i], n0[i] - c[i]]]
        assert got[i] == pytest.approx(stats.fisher_exact(table).pvalue, rel=1e-9, abs=1e-15)


def _bh_by_hand(p: list[float]) -> list[float]:
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    q = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p[i] * m / rank)
        q[i] = running
    return q


def test_bh_q_matches_hand_and_scipy() -> None:
    p = [0.001, 0.04, 0.03, 0.2, 0.5, 0.012, 0.04, 0.9]
    assert bh_q(p) == pytest.approx(_bh_by_hand(p))
    assert bh_q(p) == pytest.approx(stats.false_discovery_control(p, method="bh"))
    assert bh_q([]).size == 0


def _feature(kind: str, labels: list[str | None]) -> Feature:
    values = tuple(sorted({v for v in labels if v}))
    member = np.array([[lab == v for v in values] for lab in labels], dtype=bool)
    return Feature(kind, values, member, np.array([lab is not None for lab in labels]))


def test_counts_support_unknowns_and_q_over_all_tests() -> None:
    # 30 episodes. Referral: A x8 (6 flagged), B x12 (2 flagged), C x4 (under 5: not
    # tested), unknown x6 (left out of every comparison, flagged or not).
    labels = ["A"] * 8 + ["B"] * 12 + ["C"] * 4 + [None] * 6
    event = np.array([1] * 6 + [0] * 2 + [1] * 2 + [0] * 10 + [1, 0, 0, 0] + [1] * 6, dtype=bool)
    known = np.ones(30, dtype=bool)
    tests = find_patterns(
        [Flag("not_on_track", event, known)], [_feature("referral source", labels)]
    )
    by_value = {t.value: t for t in tests}
    assert set(by_value) == {"A", "B"}  # C has 4 episodes: below the minimum support
    a = by_value["A"]
    # Known others of A: B (12) + C (4) = 16, of which 2 + 1 flagged.
    assert (a.n_with, a.events_with, a.n_without, a.events_without) == (8, 6, 16, 3)
    assert a.rate_with == pytest.approx(6 / 8) and a.rate_without == pytest.approx(3 / 16)
    assert a.p == pytest.approx(stats.fisher_exact([[6, 2], [3, 13]]).pvalue)
    b = by_value["B"]
    assert (b.n_with, b.events_with, b.n_without, b.events_without) == (12, 2, 12, 7)
    ps = [t.p for t in tests]
    assert [t.q for t in tests] == pytest.approx(list(stats.false_discovery_control(ps)))
    for t in tests:
        expected = "pattern" if t.q < 0.10 else "emerging" if t.p < 0.05 else ""
        assert t.status == expected


def test_minimum_support_applies_to_both_groups() -> None:
    labels = ["A"] * 26 + ["B"] * 4
    event = np.arange(30) % 2 == 0
    flag = Flag("dropout", event, np.ones(30, bool))
    assert find_patterns([flag], [_feature("gender", labels)]) == ()
    assert find_patterns([flag], [_feature("gender", labels)], min_support=4) != ()


def test_two_valued_feature_keeps_the_higher_rate_only() -> None:
    labels = ["In person"] * 15 + ["Video"] * 15
    event = np.array([1] * 10 + [0] * 5 + [1] * 3 + [0] * 12, dtype=bool)
    tests = find_patterns(
        [Flag("not_on_track", event, np.ones(30, bool))], [_feature("Modality", labels)]
    )
    assert [t.value for t in tests] == ["In person"]


def test_flag_known_mask_and_skipped_pairs() -> None:
    n = 40
    low = np.zeros(n, bool)
    low[:12] = True
    feature = Feature("early alliance", ("low",), low[:, None], np.ones(n, bool), False,
                      frozenset({"low_alliance"}))  # fmt: skip
    event = low.copy()
    known = np.ones(n, bool)
    known[30:] = False  # dropout unknown for open episodes
    flags = [Flag("low_alliance", event, np.ones(n, bool)), Flag("dropout", event, known)]
    tests = find_patterns(flags, [feature])
    assert [t.flag for t in tests] == ["dropout"]
    assert tests[0].n_with + tests[0].n_without == 30


def test_recurring_needs_the_pattern_in_both_periods() -> None:
    rng = np.random.default_rng(11)
    n = 400
    employer = rng.random(n) < 0.3
    recent = np.arange(n) < n // 2
    base = rng.random(n)
    both = base < np.where(employer, 0.7, 0.2)
    only_recent = base < np.where(employer & recent, 0.7, 0.2)
    feature = _feature("referral source", ["Employer" if e else "GP" for e in employer])
    known = np.ones(n, bool)
    t_both = find_patterns([Flag("not_on_track", both, known)], [feature], recent)[0]
    assert t_both.status == "pattern" and t_both.recurring
    t_one = find_patterns([Flag("not_on_track", only_recent, known)], [feature], recent)[0]
    assert t_one.status == "pattern" and not t_one.recurring


def test_srs_item_finding_by_hand() -> None:
    items = ("Relationship", "Goals and topics", "Approach or method", "Overall")
    # Not on track: lowest items 1,1,1,2,0,-1 ; others: 0,0,2,3,1,3,3
    lowest = np.array([1, 1, 1, 2, 0, -1, 0, 0, 2, 3, 1, 3, 3])
    nt = np.array([True] * 6 + [False] * 7)
    finding = srs_item_finding(lowest, items, nt, np.ones(13, bool))
    assert finding is not None
    assert finding.item == "Goals and topics"
    assert (finding.count_not_on_track, finding.n_not_on_track) == (3, 5)
    assert (finding.count_others, finding.n_others) == (1, 7)
    assert finding.p == pytest.approx(stats.fisher_exact([[3, 2], [1, 6]]).pvalue)
    assert finding.counts == (
        ("Relationship", 1, 2),
        ("Goals and topics", 3, 1),
        ("Approach or method", 1, 1),
        ("Overall", 0, 3),
    )
    assert srs_item_finding(lowest, items, nt, np.arange(13) >= 3) is None  # 2 left: too few


def test_bunt_rows() -> None:
    r, o, g, n = RED, ORANGE, GREEN, NONE
    per = np.array(
        [
            [n, o, o, o, o, r, r, r, r],  # red 4 times, open, good alliance: listed
            [n, r, g, r, g, r, g, r, n],  # red 4 times, not in a row, red now: listed
            [n, o, o, o, o, o, r, r, r],  # red 3 times: not yet
            [n, o, o, o, o, r, r, r, r],  # poor alliance: a different conversation
            [n, o, o, o, o, r, r, r, r],  # closed
            [n, r, r, r, r, g, g, g, n],  # red 4 times, green now: on its way
            [n, r, r, r, r, n, n, n, n],  # red at all 4 judged measurements (5 in all)
        ],
        dtype=np.int8,
    )
    good = np.array([True, True, True, False, True, True, True])
    open_ = np.array([True, True, True, True, False, True, True])
    assert bunt_rows(per, good, open_).tolist() == [0, 1, 6]
    assert bunt_rows(per[:, :0], good, open_).size == 0
    one_by_one = [is_bunt(row.tolist(), g, o) for row, g, o in zip(per, good, open_, strict=True)]
    assert one_by_one == [True, True, False, False, False, False, True]
