"""Property tests: categories partition episodes; a reversed scale mirrors every result."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from practice_app.analysis.categories import CATEGORIES, categorize, categorize_matrix
from practice_app.analysis.instruments import InstrumentDef, builtin_instruments
from practice_app.analysis.scores import ScoreMatrix, build_score_matrix
from practice_app.analysis.signals import starter_signals
from practice_app.analysis.sudden import sudden_changes

ORS = builtin_instruments()["ORS"]
PHQ9 = builtin_instruments()["PHQ-9"]


def reversed_instrument(inst: InstrumentDef) -> InstrumentDef:
    """The same instrument scored the other way round: score -> max + min - score."""
    assert inst.cutoff is not None
    return dataclasses.replace(
        inst,
        name=inst.name + "-rev",
        higher_is_better=not inst.higher_is_better,
        cutoff=inst.max + inst.min - inst.cutoff,
    )


def episodes(inst: InstrumentDef) -> st.SearchStrategy[list[list[float | None]]]:
    # Scores on a 0.1 grid, as the forms record them; some sessions missing (None).
    hi = round(inst.max * 10)
    score = st.one_of(st.none(), st.integers(0, hi).map(lambda k: k / 10))
    return st.lists(st.lists(score, min_size=0, max_size=12), min_size=1, max_size=12)


def to_matrix(eps: list[list[float | None]], flip: float | None = None) -> ScoreMatrix:
    ep, ses, tot = [], [], []
    for i, e in enumerate(eps):
        for j, x in enumerate(e):
            if x is not None:
                ep.append(i)
                ses.append(j + 1)
                tot.append(x if flip is None else flip - x)
    return build_score_matrix(ep, ses, tot, n_episodes=len(eps))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(0, 400), min_size=1, max_size=40),
    st.lists(st.integers(0, 400), min_size=1, max_size=40),
    st.lists(st.integers(0, 4), min_size=1, max_size=40),
)
def test_categories_partition_episodes(a: list[int], b: list[int], c: list[int]) -> None:
    n = min(len(a), len(b), len(c))
    intake, outcome = np.array(a[:n]) / 10, np.array(b[:n]) / 10
    counts = np.array(c[:n])
    codes = categorize(intake, outcome, counts, ORS)
    has = counts >= 2
    assert ((codes >= 0) == has).all()
    assert set(codes[has].tolist()) <= set(range(len(CATEGORIES)))
    # Each episode is in exactly one category, which a scalar reading of the rules gives.
    for i in np.flatnonzero(has):
        d = outcome[i] - intake[i]
        clin_in, clin_out = ORS.is_clinical(intake[i]), ORS.is_clinical(outcome[i])
        rules = {
            "recovered": d >= 5 - 1e-9 and clin_in and not clin_out,
            "improved": d >= 5 - 1e-9 and not (clin_in and not clin_out),
            "unchanged": abs(d) < 5 - 1e-9,
            "deteriorated": d <= -5 + 1e-9 and not (not clin_in and clin_out),
            "harmed": d <= -5 + 1e-9 and not clin_in and clin_out,
        }
        assert [k for k, v in rules.items() if v] == [CATEGORIES[codes[i]]]


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_reversed_scale_mirrors_results(data: st.DataObject) -> None:
    inst = data.draw(st.sampled_from([ORS, PHQ9]))
    rev = reversed_instrument(inst)
    eps = data.draw(episodes(inst))
    m = to_matrix(eps)
    m_rev = to_matrix(eps, flip=inst.max + inst.min)
    np.testing.assert_array_equal(categorize_matrix(m, inst), categorize_matrix(m_rev, rev))
    np.testing.assert_array_equal(starter_signals(m, inst), starter_signals(m_rev, rev))
    a, b = sudden_changes(m, inst), sudden_changes(m_rev, rev)
    for field_a, field_b, name in zip(a, b, a._fields, strict=True):
        if name in ("pregain", "postgain"):
            np.testing.assert_allclose(
                np.asarray(field_a, dtype=float),
                inst.max + inst.min - np.asarray(field_b, dtype=float),
            )
        elif name == "magnitude":
            np.testing.assert_allclose(np.asarray(field_a, float), np.asarray(field_b, float))
        else:
            np.testing.assert_array_equal(field_a, field_b)
