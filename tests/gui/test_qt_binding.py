"""The installed Qt binding keeps Python's reference counts (a broken build aborts the app)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

PROBE = textwrap.dedent(
    """
    import os, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QObject
    from PySide6.QtWidgets import QApplication, QWidget
    app = QApplication([])
    orphan, widget = QObject(), QWidget()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(20000):
        orphan.parent()        # returns None
        widget.isEnabled()     # returns True
        widget.setEnabled(True)
    print(sys.getrefcount(None) - none_before, sys.getrefcount(True) - true_before)
    """
)


def test_wrapped_calls_do_not_leak_or_steal_references_to_none_and_true() -> None:
    # A subprocess: the broken PySide6 6.12.0 on Python 3.11 aborts the interpreter here.
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, f"the Qt binding crashed: {result.stderr.strip()[-400:]}"
    none_change, true_change = (int(x) for x in result.stdout.split())
    # A handful either way is interpreter noise; a broken binding moves them by ~20,000.
    assert abs(none_change) < 100 and abs(true_change) < 100, result.stdout
