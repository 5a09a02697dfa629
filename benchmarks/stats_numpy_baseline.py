"""The baseline of benchmarks/stats.py: ORS categories and effect size from the CSV, plain numpy.

What a competent analyst would write by hand for the same figures: read the needed
columns of the OpenFIT file with ``np.loadtxt``, group sessions by episode, take the
first and last ORS, count the five change categories (science.md section 2: RC 5,
cutoff 25, higher is better, 25 itself not clinical) and a 2,000-resample percentile
bootstrap CI of the effect size (mean change / SD intake, ddof=1). Prints JSON.

    python benchmarks/stats_numpy_baseline.py FILE.csv
"""

from __future__ import annotations

import json
import sys

import numpy as np

RC = 5.0
CUTOFF = 25.0
RESAMPLES = 2000
SEED = 12345
CHUNK = 100
EPS = 1e-9
ITEMS = ("ORSQ1", "ORSQ2", "ORSQ3", "ORSQ4")


def read(path: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Episode key, session number and ORS total per row (items summed when no total)."""
    with open(path, encoding="utf-8") as fh:
        header = fh.readline().rstrip("\r\n").split(",")
    episode_col = "Case_ID" if "Case_ID" in header else "Client_ID"
    names = [episode_col, "Session_ID", "Total_ORS", *ITEMS]
    cols = np.loadtxt(
        path,
        delimiter=",",
        skiprows=1,
        usecols=[header.index(n) for n in names],
        dtype=str,
        encoding="utf-8",
        ndmin=2,
    )
    total = np.char.strip(cols[:, 2])
    missing = total == ""
    ors = np.full(total.shape, np.nan)
    ors[~missing] = total[~missing].astype(np.float64)
    if missing.any():
        items = cols[missing, 3:7]
        complete = (items != "").all(axis=1)
        sums = np.full(items.shape[0], np.nan)
        sums[complete] = items[complete].astype(np.float64).sum(axis=1)
        ors[missing] = sums
    return cols[:, 0], cols[:, 1].astype(np.int64), ors


def main(path: str) -> None:
    """Compute and print the figures."""
    key, session, ors = read(path)
    ok = ~np.isnan(ors)
    key, session, ors = key[ok], session[ok], ors[ok]
    _, episode = np.unique(key, return_inverse=True)
    order = np.lexsort((session, episode))
    episode, ors = episode[order], ors[order]
    starts = np.flatnonzero(np.r_[True, episode[1:] != episode[:-1]])
    ends = np.r_[starts[1:], episode.size] - 1
    counts = ends - starts + 1
    measured = counts >= 2
    intake, last = ors[starts][measured], ors[ends][measured]
    change = last - intake
    up, down = change >= RC - EPS, change <= -RC + EPS
    clin_in, clin_out = intake < CUTOFF, last < CUTOFF
    categories = {
        "recovered": int((up & clin_in & ~clin_out).sum()),
        "improved": int((up & ~(clin_in & ~clin_out)).sum()),
        "unchanged": int((~up & ~down).sum()),
        "deteriorated": int((down & ~(~clin_in & clin_out)).sum()),
        "harmed": int((down & ~clin_in & clin_out).sum()),
    }
    n = int(intake.size)
    effect = change.mean() / intake.std(ddof=1)
    rng = np.random.default_rng(SEED)
    boot = np.empty(RESAMPLES)
    for start in range(0, RESAMPLES, CHUNK):
        idx = rng.integers(0, n, size=(min(CHUNK, RESAMPLES - start), n))
        boot[start : start + idx.shape[0]] = change[idx].mean(axis=1) / intake[idx].std(
            axis=1, ddof=1
        )
    lo, hi = np.percentile(boot, [2.5, 97.5])
    print(
        json.dumps(
            {
                "instrument": "ORS",
                "n": n,
                "categories": categories,
                "effect_size": {
                    "value": round(float(effect), 3),
                    "ci": [round(lo, 3), round(hi, 3)],
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
