"""Time `practice-app stats --instrument ORS --json` on 300,000 sessions against plain numpy.

The data: the deterministic OpenFIT file of benchmarks/import.py (about 33,000
episodes), written once into benchmarks/data/ and imported once into a temporary
database (setup, not timed). Then, in the same run, alternating, as whole processes:

- the app: ``practice-app --db DB stats --instrument ORS --json``;
- the baseline: ``benchmarks/stats_numpy_baseline.py FILE``, a plain numpy script that
  reads the needed columns of the CSV and computes the same change categories and the
  2,000-resample bootstrap CI of the effect size.

Prints both medians, the ratio app / baseline (target <= 1.0) and whether the two
agree on n and the category counts. Issue 3, "Speed".

    .venv/bin/python benchmarks/stats.py [--rows 300000] [--runs 3] [--keep]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
BASELINE = HERE / "stats_numpy_baseline.py"
TARGET_RATIO = 1.0

# One in-process run of the app's stats path, timed phase by phase (not in the ratio).
BREAKDOWN = """
import datetime as dt, json, os, sys, time
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
t0 = time.perf_counter()
from practice_app.cli import stats as command
from practice_app.services import outcomes
from practice_app.storage import analysis_data, plain_sqlite
t1 = time.perf_counter()
con = plain_sqlite.open_for_reading(sys.argv[1])
assert con is not None, "the quick SQLite path was not taken"
instrument = outcomes.find_instrument(plain_sqlite.read_instruments(con), "ORS")
rows = analysis_data.fetch_outcome_rows(con, instrument.name)
con.close()
t2 = time.perf_counter()
data = outcomes.effectiveness_from_rows(instrument, rows, dt.date.today())
t3 = time.perf_counter()
outcomes.stats(data)
t4 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "load": t2 - t1, "signals": t3 - t2, "figures": t4 - t3}))
"""


def _import_benchmark() -> ModuleType:
    """benchmarks/import.py as a module (its name is a keyword, so load it by path)."""
    spec = importlib.util.spec_from_file_location("import_benchmark", HERE / "import.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def data_file(rows: int) -> Path:
    """The OpenFIT file of ``rows`` sessions, generated on first use (same as import.py)."""
    DATA.mkdir(exist_ok=True)
    path = DATA / f"openfit_{rows}.csv"
    if not path.exists():
        _import_benchmark().generate(path, rows)
    return path


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PRACTICE_APP_DB", None)
    return env


def _app_command(python: Path) -> list[str]:
    """The installed console script if it sits beside python, else ``python -m practice_app``."""
    script = python.parent / "practice-app"
    return [str(script)] if script.exists() else [str(python), "-m", "practice_app"]


def _run(cmd: list[str]) -> tuple[float, dict[str, Any]]:
    """Run ``cmd`` once; return its wall time and its JSON output; fail loudly otherwise."""
    start = time.perf_counter()
    done = subprocess.run(cmd, env=_env(), stdin=subprocess.DEVNULL, capture_output=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr.decode()[-2000:]}")
    return elapsed, json.loads(done.stdout)


def agree(app: dict[str, Any], base: dict[str, Any]) -> bool:
    """Whether the app and the baseline give the same n and category counts."""
    return bool(app["n"] == base["n"] and app["categories"] == base["categories"])


def main(argv: list[str] | None = None) -> int:
    """Prepare the data and the database, time both, print medians, ratio and agreement."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000, help="sessions (default 300000)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each (default 3)")
    parser.add_argument("--python", type=Path, default=Path(sys.executable))
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    args = parser.parse_args(argv)

    csv_path = data_file(args.rows)
    work = Path(tempfile.mkdtemp(prefix="practice-app-stats-bench-"))
    try:
        db = work / "bench.sqlite3"
        app = _app_command(args.python)
        imported = subprocess.run(
            [*app, "--db", str(db), "import", str(csv_path)], env=_env(), capture_output=True
        )
        if imported.returncode != 0:
            sys.exit(f"import failed: {imported.stderr.decode()[-2000:]}")
        app_cmd = [*app, "--db", str(db), "stats", "--instrument", "ORS", "--json"]
        base_cmd = [str(args.python), str(BASELINE), str(csv_path)]

        # One unmeasured run of each warms the OS file cache.
        _, app_out = _run(app_cmd)
        _, base_out = _run(base_cmd)
        app_times: list[float] = []
        base_times: list[float] = []
        for _ in range(args.runs):
            t, base_out = _run(base_cmd)
            base_times.append(t)
            t, app_out = _run(app_cmd)
            app_times.append(t)
        app_median = statistics.median(app_times)
        base_median = statistics.median(base_times)
        ratio = app_median / base_median
        print(f"data:        {csv_path.name}, {app_out['n']} episodes with 2+ ORS measurements")
        print(f"runs each:   {args.runs}")
        print(f"numpy baseline (CSV): {base_median:.3f} s (median)")
        print(f"practice-app stats:   {app_median:.3f} s (median)")
        verdict = "ok" if ratio <= TARGET_RATIO else "TOO SLOW"
        print(f"ratio:                {ratio:.2f} (target <= {TARGET_RATIO}) {verdict}")
        same = agree(app_out, base_out)
        print(
            "agreement:            "
            + ("n and category counts agree" if same else "DISAGREE on n or category counts")
            + f" (effect size app {app_out['effect_size']['value']}, "
            f"baseline {base_out['effect_size']['value']})"
        )
        phases = json.loads(
            subprocess.run(
                [str(args.python), "-c", BREAKDOWN, str(db)],
                env=_env(),
                capture_output=True,
                check=True,
            ).stdout
        )
        print(
            "app phases (one run):  "
            + ", ".join(f"{k} {v:.2f} s" for k, v in phases.items())
            + " (signals: per-episode results and fitted trajectories;"
            " figures: bootstrap and the rest)"
        )
        if args.keep:
            print(f"kept: {work}")
        return 0 if same else 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
