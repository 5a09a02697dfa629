"""Shared fixtures for the analysis tests: instruments and the reference-data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from practice_app.analysis.instruments import InstrumentDef, builtin_instruments

REFERENCE_DATA = Path(__file__).resolve().parents[3] / "shared" / "reference-data"
"""The published data sets live beside the repository (../shared/reference-data)."""


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
