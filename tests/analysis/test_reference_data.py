"""Real published data sets (../shared/reference-data) against peer packages.

sgdata.csv: the example data of the R package suddengains (Wiedemann et al. 2020,
PLOS ONE 15(3):e0230276). Its tutorial vignette (suddengains-tutorial, describe_sg on
the bysg and byperson data sets built with identify_sg defaults, sg_crit1_cutoff = 7,
bdi_s1..bdi_s12) reports 24 sudden gains in 15 of 43 cases, 8 cases with more than one,
magnitude mean 11 (SD 3.43), first gain per person mean 11.4 (SD 3.98), and for ID 5 a
first gain from session 3 to 4 and a largest gain from session 8 to 9.

claus_2020.csv: Claus, Scherbaum & Bonnet (2020) as shipped in the R package
clinicalsignificance; its test snapshot for cs_combined(claus_2020, id, time, hamd,
pre = 1, post = 4, reliability = 0.8, m_functional = 8, sd_functional = 8,
cutoff_type = "c", rci_method = "JT") reports Recovered 26, Improved 3, Unchanged 10,
Deteriorated 1, Harmed 0 (tests/testthat/_snaps/cs_combined.md).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from practice_app.analysis.categories import categorize, categorize_matrix, category_counts
from practice_app.analysis.instruments import (
    InstrumentDef,
    jacobson_truax_cutoff,
    reliable_change_from,
)
from practice_app.analysis.scores import build_score_matrix
from practice_app.analysis.sudden import sudden_changes

BDI = InstrumentDef(
    name="BDI", title="Beck Depression Inventory", min=0, max=63, higher_is_better=False,
    cutoff=None, reliable_change=7,
)  # fmt: skip
"""sudden gains criterion 1 cutoff 7 as in the suddengains examples."""


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def sgdata(folder: Path) -> tuple[list[str], np.ndarray]:
    rows = read_rows(folder / "sgdata.csv")
    cols = [f"bdi_s{i}" for i in range(1, 13)]
    by_session = np.array([[float(r[c]) if r[c] else np.nan for c in cols] for r in rows])
    return [r["id"] for r in rows], by_session


def test_sgdata_sudden_gains_match_suddengains(reference_data: Path) -> None:
    ids, by_session = sgdata(reference_data)
    assert len(ids) == 43
    gains = sudden_changes(by_session, BDI, kind="gain")
    assert gains.episode.size == 24
    per_case = np.bincount(gains.episode, minlength=43)
    assert (per_case > 0).sum() == 15
    assert (per_case > 1).sum() == 8
    assert gains.magnitude.mean() == pytest.approx(11.0)
    assert gains.magnitude.std(ddof=1) == pytest.approx(3.43, abs=0.005)
    first = np.unique(gains.episode, return_index=True)[1]
    assert gains.magnitude[first].mean() == pytest.approx(11.4)
    assert gains.magnitude[first].std(ddof=1) == pytest.approx(3.98, abs=0.005)
    five = gains.episode == ids.index("5")
    assert gains.pregain_session[five].tolist() == [3, 8]
    largest = np.argmax(gains.magnitude[five])
    assert (gains.pregain_session[five][largest], gains.postgain_session[five][largest]) == (8, 9)


def test_sgdata_long_layout_gives_the_same_gains(reference_data: Path) -> None:
    # Through build_score_matrix (long arrays), as the storage layer feeds it.
    _, by_session = sgdata(reference_data)
    ep, ses = np.nonzero(~np.isnan(by_session))
    m = build_score_matrix(ep, ses + 1, by_session[ep, ses], n_episodes=43)
    wide = sudden_changes(by_session, BDI)
    long = sudden_changes(m, BDI)
    for a, b in zip(wide, long, strict=True):
        np.testing.assert_array_equal(a, b)
    assert long.count("gain") == 24
    # No published figure for sudden losses; ours with the mirrored criteria.
    assert long.count("loss") == 3


def claus_matrix(folder: Path, column: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First (time 1) and last (time 4) scores of the patients who have both."""
    per_id: dict[str, dict[int, float]] = {}
    for r in read_rows(folder / "claus_2020.csv"):
        if r[column]:
            per_id.setdefault(r["id"], {})[int(r["time"])] = float(r[column])
    pairs = [(v[1], v[4]) for v in per_id.values() if 1 in v and 4 in v]
    pre = np.array([p for p, _ in pairs])
    post = np.array([q for _, q in pairs])
    return pre, post, np.full(pre.size, 2)


def test_claus_hamd_categories_match_clinicalsignificance(reference_data: Path) -> None:
    pre, post, counts = claus_matrix(reference_data, "hamd")
    assert pre.size == 40
    sd = float(np.std(pre, ddof=1))
    # Jacobson & Truax: RC from the pre-treatment SD and reliability .80; cutoff c
    # between the functional norm (8, 8) and the patients' pre-treatment distribution.
    rc = reliable_change_from(sd, 0.8)
    cutoff = jacobson_truax_cutoff(8.0, 8.0, float(pre.mean()), sd)
    hamd = InstrumentDef(
        name="HAMD", title="HAMD", min=0, max=52, higher_is_better=False, cutoff=cutoff,
        reliable_change=rc,
    )  # fmt: skip
    assert category_counts(categorize(pre, post, counts, hamd)) == {
        "recovered": 26, "improved": 3, "unchanged": 10, "deteriorated": 1, "harmed": 0,
    }  # fmt: skip


def test_claus_bdi2_categories(reference_data: Path) -> None:
    # BDI-II (lower is better, 0-63). RC = 1.96 x SD(intake) x sqrt(2 (1 - .92)) with
    # the outpatient internal consistency .92 of Beck, Steer & Brown (1996), BDI-II
    # manual; clinical from 14 ("minimal" is 0-13 in the manual).
    per_id: dict[str, int] = {}
    ep, ses, tot = [], [], []
    for r in read_rows(reference_data / "claus_2020.csv"):
        if r["bdi"]:
            ep.append(per_id.setdefault(r["id"], len(per_id)))
            ses.append(int(r["time"]))
            tot.append(float(r["bdi"]))
    m = build_score_matrix(ep, ses, tot, n_episodes=len(per_id))
    assert m.n_episodes == 43 and int((m.counts >= 2).sum()) == 40
    sd = float(np.std(m.intake, ddof=1))
    assert sd == pytest.approx(8.449, abs=1e-3)
    rc = reliable_change_from(sd, 0.92)
    assert rc == pytest.approx(6.624, abs=1e-3)
    bdi2 = InstrumentDef(
        name="BDI-II", title="BDI-II", min=0, max=63, higher_is_better=False, cutoff=14,
        clinical_at_cutoff=True, reliable_change=rc,
    )  # fmt: skip
    codes = categorize_matrix(m, bdi2)
    assert category_counts(codes) == {
        "recovered": 8, "improved": 17, "unchanged": 11, "deteriorated": 4, "harmed": 0,
    }  # fmt: skip
    # The same from a plain per-episode reading of section 2.
    for e in np.flatnonzero(m.counts >= 2):
        d = m.intake[e] - m.latest[e]
        ci, co = bdi2.is_clinical(m.intake[e]), bdi2.is_clinical(m.latest[e])
        expected = (
            ("recovered" if ci and not co else "improved") if d >= rc
            else ("harmed" if not ci and co else "deteriorated") if d <= -rc
            else "unchanged"
        )  # fmt: skip
        assert ("recovered", "improved", "unchanged", "deteriorated", "harmed")[
            codes[e]
        ] == expected
