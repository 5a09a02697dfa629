#!/usr/bin/env python3
"""Check (and on Debian, install) the system packages practice-app needs.

Runs with the system ``python3`` and its standard library only, because it must
work before the project's virtual environment exists.

Modes:
  venv       python3 can create a virtual environment (Debian: python3-venv)
  offscreen  Qt's offscreen platform can start and draw text (tests, screenshots)
  xcb        Qt's X11 platform can open a real window (make run)

For ``offscreen`` and ``xcb`` the script finds PySide6 inside the project's
virtual environment (so run it after ``pip install``), runs ``ldd`` on Qt's
platform plugin and the Qt libraries the app loads, and maps every missing
shared library to its Debian package. As root with apt-get available it
installs them; otherwise it prints the exact apt-get line and exits 1.

Set PRACTICE_APP_NO_APT=1 (or pass --no-install) to never run apt-get, only print.
Exit codes: 0 all present (or installed), 1 something is missing, 2 bad usage.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PYTHON = REPO / ".venv" / "bin" / "python"

# Shared library (soname) -> the Debian 12 package that ships it. Built from
# `ldd` on PySide6's platform plugins and Qt libraries, and `dpkg -S` on each.
SONAME_PACKAGES: dict[str, str] = {
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libGLX.so.0": "libglx0",
    "libGLdispatch.so.0": "libglvnd0",
    "libOpenGL.so.0": "libopengl0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libXau.so.6": "libxau6",
    "libXdmcp.so.6": "libxdmcp6",
    "libXext.so.6": "libxext6",
    "libXrender.so.1": "libxrender1",
    "libXi.so.6": "libxi6",
    "libSM.so.6": "libsm6",
    "libICE.so.6": "libice6",
    "libbrotlicommon.so.1": "libbrotli1",
    "libbrotlidec.so.1": "libbrotli1",
    "libbsd.so.0": "libbsd0",
    "libcap.so.2": "libcap2",
    "libdbus-1.so.3": "libdbus-1-3",
    "libexpat.so.1": "libexpat1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libgcc_s.so.1": "libgcc-s1",
    "libgcrypt.so.20": "libgcrypt20",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libgobject-2.0.so.0": "libglib2.0-0",
    "libgio-2.0.so.0": "libglib2.0-0",
    "libgpg-error.so.0": "libgpg-error0",
    "liblz4.so.1": "liblz4-1",
    "liblzma.so.5": "liblzma5",
    "libmd.so.0": "libmd0",
    "libpcre2-8.so.0": "libpcre2-8-0",
    "libpng16.so.16": "libpng16-16",
    "libstdc++.so.6": "libstdc++6",
    "libsystemd.so.0": "libsystemd0",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-glx.so.0": "libxcb-glx0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb.so.1": "libxcb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
    "libz.so.1": "zlib1g",
    "libzstd.so.1": "libzstd1",
}

# Loaded with dlopen() by the xcb plugin, so ldd may not list them.
XCB_DLOPENED = ("libxcb-cursor.so.0",)

# The Qt libraries the app loads (beside the platform plugin itself).
QT_LIBS = ("Core", "Gui", "Widgets", "Svg", "PrintSupport", "OpenGL", "DBus")

FONT_PACKAGE = "fonts-dejavu-core"
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".pfb", ".pcf", ".pcf.gz")


class Missing(Exception):
    """Raised when a requirement is missing and cannot be installed here."""


def log(message: str) -> None:
    """Print a progress line to stderr, prefixed so it is clear who speaks."""
    print(f"ensure_system_deps: {message}", file=sys.stderr, flush=True)


def pyside_dir(python: Path) -> Path:
    """Return PySide6's package folder inside the virtual environment of ``python``."""
    if not python.exists():
        raise Missing(f"{python} does not exist; create the venv and install the app first")
    code = (
        "import importlib.util as u; s = u.find_spec('PySide6'); "
        "print(s.submodule_search_locations[0] if s else '')"
    )
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=False)
    location = out.stdout.strip()
    if out.returncode != 0 or not location:
        raise Missing(f"PySide6 is not installed in {python}; run the install step first")
    return Path(location)


def qt_files(pyside: Path, mode: str) -> list[Path]:
    """Return the plugin and library files whose dependencies must resolve in ``mode``."""
    qt = pyside / "Qt"
    plugin = "libqxcb.so" if mode == "xcb" else "libqoffscreen.so"
    files = [qt / "plugins" / "platforms" / plugin]
    names = [*QT_LIBS, "XcbQpa"] if mode == "xcb" else list(QT_LIBS)
    files += [qt / "lib" / f"libQt6{name}.so.6" for name in names]
    if mode == "xcb":
        files += sorted((qt / "plugins" / "xcbglintegrations").glob("*.so"))
    return [f for f in files if f.exists()]


def missing_sonames(files: list[Path]) -> set[str]:
    """Run ldd on each file and return the sonames it reports as not found."""
    if shutil.which("ldd") is None:
        raise Missing("ldd is not available; cannot check Qt's system libraries")
    missing: set[str] = set()
    for path in files:
        out = subprocess.run(["ldd", str(path)], capture_output=True, text=True, check=False)
        for line in out.stdout.splitlines():
            if "=> not found" in line:
                missing.add(line.split()[0])
    return missing


def ldconfig_has(soname: str) -> bool:
    """Return True if the dynamic linker cache knows ``soname``."""
    ldconfig = shutil.which("ldconfig") or "/sbin/ldconfig"
    try:
        out = subprocess.run([ldconfig, "-p"], capture_output=True, text=True, check=False)
    except OSError:
        return False
    return any(line.strip().startswith(soname + " ") for line in out.stdout.splitlines())


def have_fonts() -> bool:
    """Return True if fontconfig (or, lacking fc-list, the font folders) show any font."""
    if shutil.which("fc-list"):
        out = subprocess.run(["fc-list"], capture_output=True, text=True, check=False)
        return bool(out.stdout.strip())
    for folder in FONT_DIRS:
        for _root, _dirs, names in os.walk(os.path.expanduser(folder)):
            if any(name.lower().endswith(FONT_SUFFIXES) for name in names):
                return True
    return False


def packages_for(sonames: set[str]) -> tuple[list[str], list[str]]:
    """Map sonames to Debian packages; return (packages, sonames with no known package)."""
    packages = sorted({SONAME_PACKAGES[s] for s in sonames if s in SONAME_PACKAGES})
    unknown = sorted(s for s in sonames if s not in SONAME_PACKAGES)
    return packages, unknown


def apt_line(packages: list[str], sudo: bool) -> str:
    """Return the exact shell line that installs ``packages``."""
    prefix = "sudo " if sudo else ""
    return (
        f"{prefix}apt-get update && {prefix}env DEBIAN_FRONTEND=noninteractive "
        f"apt-get install -y --no-install-recommends {' '.join(packages)}"
    )


def can_install(no_install: bool) -> bool:
    """Return True if this process may and can run apt-get itself."""
    if no_install or os.environ.get("PRACTICE_APP_NO_APT", "") not in ("", "0"):
        return False
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


def install(packages: list[str], why: str, no_install: bool) -> None:
    """Install ``packages`` with apt-get when allowed, else print the line and raise Missing."""
    if not packages:
        return
    if not can_install(no_install):
        if shutil.which("apt-get") is None and not no_install:
            raise Missing(f"{why}: install the packages providing {', '.join(packages)}")
        print(
            f"practice-app needs system packages ({why}). Run this, then try again:\n"
            f"  {apt_line(packages, sudo=os.geteuid() != 0)}",
            file=sys.stderr,
        )
        raise Missing(f"missing system packages: {' '.join(packages)}")
    log(f"installing {' '.join(packages)} ({why})")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages],
        check=True,
        env=env,
    )


def _venv_works() -> bool:
    if not (importlib.util.find_spec("venv") and importlib.util.find_spec("ensurepip")):
        return False
    try:
        import ensurepip

        return bool(ensurepip.version())  # Debian finds pip's wheel in /usr/share/python-wheels
    except Exception:
        return False


def check_venv(no_install: bool) -> None:
    """Make sure ``python3 -m venv`` can create an environment with pip in it."""
    if _venv_works():
        log("python venv support: ok")
        return
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    install(["python3-venv", f"python{version}-venv"], "python3 -m venv needs it", no_install)
    if not _venv_works():
        raise Missing("python3 -m venv is still not usable after installing python3-venv")
    log("python venv support: installed")


def check_qt(mode: str, python: Path, no_install: bool) -> None:
    """Make sure Qt's ``mode`` platform plugin finds every shared library and a font."""
    files = qt_files(pyside_dir(python), mode)
    if not files:
        raise Missing(f"Qt's {mode} platform plugin is not in the PySide6 installation")
    sonames = missing_sonames(files)
    if mode == "xcb":
        sonames |= {s for s in XCB_DLOPENED if not ldconfig_has(s)}
    packages, unknown = packages_for(sonames)
    if not have_fonts():
        packages.append(FONT_PACKAGE)
    if unknown:
        log(f"no known Debian package for {', '.join(unknown)}; install what provides them")
    install(packages, f"Qt's {mode} platform", no_install)
    still = missing_sonames(files)
    if mode == "xcb":
        still |= {s for s in XCB_DLOPENED if not ldconfig_has(s)}
    if still:
        raise Missing(f"still missing after install: {', '.join(sorted(still))}")
    log(f"Qt {mode} platform libraries: ok ({len(files)} files checked)")


def main(argv: list[str] | None = None) -> int:
    """Check the requirements of one mode; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("venv", "offscreen", "xcb"))
    parser.add_argument("--python", type=Path, default=DEFAULT_PYTHON, help="the venv's python")
    parser.add_argument("--no-install", action="store_true", help="only print the apt-get line")
    args = parser.parse_args(argv)
    if platform.system() != "Linux":
        return 0  # macOS and Windows wheels of PySide6 carry everything they need
    try:
        if args.mode == "venv":
            check_venv(args.no_install)
        else:
            check_qt(args.mode, args.python, args.no_install)
    except Missing as exc:
        log(str(exc))
        return 1
    except subprocess.CalledProcessError as exc:
        log(f"apt-get failed (exit {exc.returncode})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
