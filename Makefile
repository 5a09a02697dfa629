# practice-app: two commands do everything on a fresh machine.
#   make run    create .venv if needed, install the app, open it on the default database
#   make test   the same with test extras, then lint, type checks and the whole suite headless
# System packages (Debian) are checked and installed by tools/ensure_system_deps.py.

PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
SYSDEPS := $(PYTHON) tools/ensure_system_deps.py
# Stamps make a second run quick; they are redone whenever pyproject.toml changes.
APP_STAMP := $(VENV)/.installed-app
TEST_STAMP := $(VENV)/.installed-test
PIP_FLAGS ?= --disable-pip-version-check --quiet

.DEFAULT_GOAL := help
.PHONY: help run test lint typecheck importlint venv install install-test sysdeps-offscreen \
	sysdeps-xcb screenshot bench wheel clean

help:
	@echo "make run         install (into .venv) and open the app on the default database"
	@echo "make test        install test extras; ruff, mypy, import contracts, pytest (headless)"
	@echo "make lint | typecheck | importlint | screenshot | bench | wheel | clean"

$(VPY):
	$(SYSDEPS) venv
	$(PYTHON) -m venv $(VENV)

venv: $(VPY)

$(APP_STAMP): pyproject.toml | $(VPY)
	$(VPY) -m pip install $(PIP_FLAGS) -e .
	@touch $@

$(TEST_STAMP): pyproject.toml | $(VPY)
	$(VPY) -m pip install $(PIP_FLAGS) -e '.[test]'
	@touch $@ $(APP_STAMP)

install: $(APP_STAMP)

install-test: $(TEST_STAMP)

sysdeps-offscreen: $(APP_STAMP)
	$(SYSDEPS) offscreen --python $(VPY)

# A real window needs the X11 (xcb) platform; with QT_QPA_PLATFORM=offscreen set, only that.
sysdeps-xcb: $(APP_STAMP)
	$(SYSDEPS) $(if $(filter offscreen,$(QT_QPA_PLATFORM)),offscreen,xcb) --python $(VPY)

run: sysdeps-xcb
	$(VENV)/bin/practice-app

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(TEST_STAMP)
	$(VENV)/bin/mypy practice_app

importlint: $(TEST_STAMP)
	$(VENV)/bin/lint-imports

# The suite never needs a display (the tests set offscreen too; this covers subprocesses).
test screenshot bench: export QT_QPA_PLATFORM := offscreen

test: $(TEST_STAMP)
	$(SYSDEPS) offscreen --python $(VPY)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy practice_app
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest

# Renders the README's screenshot from demo data in a throw-away database.
screenshot: sysdeps-offscreen
	@mkdir -p docs
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(VENV)/bin/practice-app --db "$$tmp/demo.sqlite3" demo && \
	$(VENV)/bin/practice-app --db "$$tmp/demo.sqlite3" gui \
		--screenshot docs/screenshot.png && echo "wrote docs/screenshot.png"

# Every benchmark (benchmarks/README.md); each prints its ratio against a baseline from the same run.
bench: sysdeps-offscreen
	$(VPY) benchmarks/startup.py
	$(VPY) benchmarks/stats.py
	$(VPY) benchmarks/import.py

wheel: $(TEST_STAMP)
	$(VPY) -m build --wheel --outdir dist .

clean:
	rm -rf $(VENV) dist build .mypy_cache .ruff_cache .pytest_cache .import_linter_cache \
		.hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
