"""Locate the data files that ship with the app (instruments, templates, icons)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def resources_dir() -> Path:
    """Return the resources folder: inside the package in a wheel, beside it in a checkout."""
    for candidate in (_PACKAGE_DIR / "resources", _PACKAGE_DIR.parent / "resources"):
        if (candidate / "instruments").is_dir():
            return candidate
    raise FileNotFoundError("practice-app resources folder not found; the installation is broken")


def resource_path(*parts: str) -> Path:
    """Return the path of one shipped resource, e.g. resource_path('templates', 'x.html')."""
    return resources_dir().joinpath(*parts)
