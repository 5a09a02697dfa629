"""Shared fixtures for the analysis tests: instruments and the reference-data folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from practice_app.analysis.instruments import InstrumentDef, builtin_instruments

# The published data sets live beside the repository (../shared/reference-data) and may
# not be copied into it (their licences differ); a checkout elsewhere names the folder
# with $PRACTICE_APP_REFERENCE_DATA, or finds the workplace's copy.
_CANDIDATES = [
    Path(__file__).resolve().parents[3] / "shared" / "reference-data",
    Path("/work/shared/reference-data"),
]
if os.environ.get("PRACTICE_APP_REFERENCE_DATA"):
    _CANDIDATES.insert(0, Path(os.environ["PRACTICE_APP_REFERENCE_DATA"]))
REFERENCE_DATA = next((p for p in _CANDIDATES if p.is_dir()), _CANDIDATES[0])


@pytest.fixture
def ors() -> InstrumentDef:
    return builtin_instruments()["ORS"]


@pytest.fixture
def phq9() -> InstrumentDef:
    return builtin_instruments()["PHQ-9"]


@pytest.fixture
def srs() -> InstrumentDef:
    return builtin_instruments()["SRS"]


@pytest.fixture
def reference_data() -> Path:
    if not REFERENCE_DATA.is_dir():
        pytest.skip(f"reference data folder {REFERENCE_DATA} is absent (it lives outside the repo)")
    return REFERENCE_DATA
