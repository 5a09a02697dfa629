"""Startup time: the app's main window on demo data against a bare PySide6 + pyqtgraph window.

Both are timed as whole processes (interpreter start to exit, PNG written), in the
same run, alternating, so machine noise hits both alike. Prints both medians and
their ratio; the target is a ratio of at most 2.0.

    .venv/bin/python benchmarks/startup.py [--runs 5] [--keep]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_RATIO = 2.0

# The baseline: what any PySide6 + pyqtgraph app pays before doing anything of its own.
BASELINE = """
import sys
from PySide6.QtWidgets import QApplication, QMainWindow
import pyqtgraph as pg

app = QApplication(sys.argv[:1])
window = QMainWindow()
plot = pg.PlotWidget()
plot.plot([1, 2, 3, 4, 5], [22.0, 24.5, 27.0, 29.5, 31.0], symbol="o")
window.setCentralWidget(plot)
window.resize(1280, 800)
window.show()
app.processEvents()
if not window.grab().save(sys.argv[1]):
    sys.exit(1)
"""


def _env() -> dict[str, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("PRACTICE_APP_DB", None)
    return env


def _app_command(python: Path) -> list[str]:
    """The installed console script if it sits beside python, else ``python -m practice_app``."""
    script = python.parent / "practice-app"
    return [str(script)] if script.exists() else [str(python), "-m", "practice_app"]


def _time(cmd: list[str], png: Path) -> float:
    """Run ``cmd`` once; return its wall time in seconds; fail loudly if no PNG came out."""
    png.unlink(missing_ok=True)
    start = time.perf_counter()
    result = subprocess.run(
        cmd, env=_env(), stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0 or not png.is_file() or png.stat().st_size == 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{result.stderr.strip()}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    """Prepare a demo database, time both processes, print medians and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each (default 5)")
    parser.add_argument("--python", type=Path, default=Path(sys.executable))
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="practice-app-bench-"))
    try:
        db = work / "demo.sqlite3"
        app = _app_command(args.python)
        prepared = subprocess.run(
            [*app, "--db", str(db), "demo"], env=_env(), capture_output=True, text=True
        )
        if prepared.returncode != 0:
            sys.exit(f"could not create the demo database: {prepared.stderr.strip()}")
        baseline_script = work / "baseline.py"
        baseline_script.write_text(BASELINE)
        app_png, base_png = work / "app.png", work / "baseline.png"
        app_cmd = [*app, "--db", str(db), "gui", "--screenshot", str(app_png)]
        base_cmd = [str(args.python), str(baseline_script), str(base_png)]

        # One unmeasured run of each warms the OS file cache (first start is disk-bound).
        _time(base_cmd, base_png)
        _time(app_cmd, app_png)
        app_times: list[float] = []
        base_times: list[float] = []
        for _ in range(args.runs):
            base_times.append(_time(base_cmd, base_png))
            app_times.append(_time(app_cmd, app_png))
        app_median = statistics.median(app_times)
        base_median = statistics.median(base_times)
        ratio = app_median / base_median
        print(f"runs each:                    {args.runs}")
        print(f"bare PySide6+pyqtgraph window: {base_median:.3f} s (median)")
        print(f"practice-app gui --screenshot: {app_median:.3f} s (median, demo data)")
        verdict = "ok" if ratio <= TARGET_RATIO else "TOO SLOW"
        print(f"ratio:                         {ratio:.2f} (target <= {TARGET_RATIO}) {verdict}")
        if args.keep:
            print(f"kept: {work}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
