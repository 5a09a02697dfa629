"""Time `practice-app import` of a 300,000-row OpenFIT file against the floor, in the same run.

The floor: Python's csv module reading the file plus sqlite3 executemany of the same
rows into one bare table. The import must take at most 3x the floor (issue 4).
Run: .venv/bin/python benchmarks/import.py [--rows N] [--runs 3]
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
HEADER = [
    "Service_Location", "Provider_FirstName", "Provider_LastName", "Provider_Email",
    "Provider_ID", "Client_ID", "Client_FirstName", "Client_LastName", "Client_Gender",
    "Client_Group", "Case_ID", "Case_Date", "Session_ID", "Session_Date", "ORS_Skip",
    "ORSQ1", "ORSQ2", "ORSQ3", "ORSQ4", "Total_ORS", "SRS_Skip", "SRSQ1", "SRSQ2", "SRSQ3",
    "SRSQ4", "Total_SRS", "Notes",
]  # fmt: skip
FIRST = ["Anna", "Ben", "Chloé", "Dev", "Eli", "Fatima", "Gus", "Hana", "Ivo", "Jun"]
LAST = ["Smith", "Okafor", "Müller", "Novak", "Tanaka", "Silva", "Kowalski", "Ng"]


def generate(path: Path, rows: int, seed: int = 20240601) -> None:
    """Write a deterministic OpenFIT file of about ``rows`` sessions (9 per episode on average)."""
    rng = random.Random(seed)
    providers = [(f"P{i:03d}", FIRST[i % 10], LAST[i % 8]) for i in range(40)]
    start = date(2015, 1, 5)
    written = 0
    case = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        while written < rows:
            case += 1
            pid, pfirst, plast = providers[case % len(providers)]
            client = f"C{case:06d}"
            n = min(rng.randint(2, 16), rows - written)
            day = start + timedelta(days=rng.randint(0, 3500))
            ors = rng.uniform(8, 30)
            for s in range(1, n + 1):
                ors = min(40.0, max(0.0, ors + rng.gauss(1.0, 3.0)))
                items = [round(min(10.0, max(0.0, ors / 4 + rng.uniform(-1, 1))), 1)
                         for _ in range(4)]  # fmt: skip
                srs = [round(rng.uniform(7.5, 10.0), 1) for _ in range(4)]
                out.writerow([
                    "Main St", pfirst, plast, f"{pid.lower()}@clinic.example", pid, client,
                    rng.choice(FIRST), rng.choice(LAST), rng.choice("MFX"), "adult",
                    f"K{case:06d}", day.isoformat() if s == 1 else "", s, day.isoformat(), "N",
                    *items, f"{sum(items):.1f}", "N", *srs, f"{sum(srs):.1f}",
                    "" if s % 5 else "talked about work",
                ])  # fmt: skip
                day += timedelta(days=rng.randint(5, 14))
            written += n


def floor(path: Path, db_path: Path) -> tuple[float, float]:
    """csv.reader + sqlite3 executemany into one bare table, committed: (wall, CPU) seconds."""
    t0, c0 = time.perf_counter(), time.process_time()
    con = sqlite3.connect(db_path)
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        cols = ", ".join(f'"{h}"' for h in header)
        con.execute(f"CREATE TABLE flat ({cols})")
        marks = ", ".join("?" * len(header))
        batch: list[list[str]] = []
        for row in reader:
            batch.append(row)
            if len(batch) >= 5000:
                con.executemany(f"INSERT INTO flat VALUES ({marks})", batch)
                batch = []
        con.executemany(f"INSERT INTO flat VALUES ({marks})", batch)
    con.commit()
    con.close()
    return time.perf_counter() - t0, time.process_time() - c0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def app_import(path: Path, db_path: Path) -> tuple[float, float]:
    """The whole `practice-app --db TMP import FILE` process: (wall, CPU) seconds."""
    # Until the command is registered in practice_app.cli, register it for this process.
    launcher = (
        "import sys\nfrom practice_app import cli\n"
        "if 'import' not in cli.command_specs():\n"
        "    spec = cli.CommandSpec('import', 'practice_app.cli.import_cmd', 'import')\n"
        "    cli.COMMANDS += (spec,)\n"
        "sys.exit(cli.main(sys.argv[1:]))\n"
    )
    cmd = [sys.executable, "-c", launcher]
    t0, c0 = time.perf_counter(), _children_cpu()
    done = subprocess.run([*cmd, "--db", str(db_path), "import", str(path)], capture_output=True)
    elapsed, cpu = time.perf_counter() - t0, _children_cpu() - c0
    if done.returncode != 0:
        sys.exit(f"import failed ({done.returncode}): {done.stderr.decode()[:2000]}")
    return elapsed, cpu


def main() -> None:
    """Generate (once), time both alternately ``--runs`` times, print the medians' ratio."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=300_000)
    ap.add_argument("--runs", type=int, default=3, help="runs of each, alternating (default 3)")
    args = ap.parse_args()
    DATA.mkdir(exist_ok=True)
    path = DATA / f"openfit_{args.rows}.csv"
    if not path.exists():
        generate(path, args.rows)
    floors: list[float] = []
    apps: list[float] = []
    cpu_floors: list[float] = []
    cpu_apps: list[float] = []
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            wall, cpu = floor(path, Path(tmp) / "floor.sqlite3")
            floors.append(wall)
            cpu_floors.append(cpu)
            wall, cpu = app_import(path, Path(tmp) / "app.sqlite3")
            apps.append(wall)
            cpu_apps.append(cpu)
            con = sqlite3.connect(Path(tmp) / "app.sqlite3")
            sessions = con.execute("SELECT count(*) FROM session").fetchone()[0]
            episodes = con.execute("SELECT count(*) FROM episode").fetchone()[0]
            con.close()
        print(f"run {run + 1}: floor {floors[-1]:.2f} s, app {apps[-1]:.2f} s, "
              f"ratio {apps[-1] / floors[-1]:.2f}x", flush=True)  # fmt: skip
    t_floor, t_app = statistics.median(floors), statistics.median(apps)
    print(f"file: {path.name} ({path.stat().st_size / 1e6:.1f} MB, {args.rows} rows)")
    print(f"imported: {sessions} sessions, {episodes} episodes")
    print(f"runs each: {args.runs} (alternating)")
    print(f"floor (csv + sqlite3 executemany): {t_floor:.2f} s (median)")
    print(f"practice-app import (whole process): {t_app:.2f} s (median)")
    verdict = "ok" if t_app / t_floor <= 3 else "TOO SLOW"
    print(f"ratio: {t_app / t_floor:.2f}x (target <= 3x) {verdict}")
    # CPU seconds vary less than wall time on a shared machine; the target is the wall ratio.
    c_floor, c_app = statistics.median(cpu_floors), statistics.median(cpu_apps)
    print(f"CPU: floor {c_floor:.2f} s, app {c_app:.2f} s, ratio {c_app / c_floor:.2f}x (medians)")


if __name__ == "__main__":
    main()
