"""The benchmark scripts run (on small inputs): a refactoring must not leave them broken.

They print ratios and are read by people, so only that they run and measure what they
claim is checked here; their figures are in benchmarks/README.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("script", "options", "expected"),
    [
        ("import.py", ["--rows", "3000", "--runs", "1"], "imported: 3000 sessions"),
        ("stats.py", ["--rows", "3000", "--runs", "1"], "n and category counts agree"),
        ("startup.py", ["--runs", "1"], "ratio:"),
    ],
)
def test_a_benchmark_runs(script: str, options: list[str], expected: str) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    command = [sys.executable, str(ROOT / "benchmarks" / script), *options]
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert expected in done.stdout
