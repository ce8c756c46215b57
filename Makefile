# Two commands do all the set-up: `make run` opens the app, `make test` runs the suite.
# Both install exactly what uv.lock pins (hashes checked), so a fresh clone today and
# in six months gets the same versions; `make upgrade` moves the pins on.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# uv itself is pinned here; it is the only thing installed from outside the lock
UV_VERSION := 0.13.9
UV     := $(BIN)/uv
export UV_PROJECT_ENVIRONMENT := $(VENV)
# the interpreter make found, not whichever Python uv would pick by itself
export UV_PYTHON := $(BIN)/python
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test test-loaded lint types bench demo clean install upgrade

$(STAMP): pyproject.toml uv.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check 'uv==$(UV_VERSION)'
	$(UV) sync --frozen --inexact --extra dev --quiet
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/assessor

lint: $(STAMP)
	$(BIN)/ruff check src plugins tests bench
	$(BIN)/lint-imports

# the laptop side must type-check on every platform an assessor carries (docs/security.md)
types: $(STAMP)
	$(BIN)/mypy --strict src plugins
	$(BIN)/mypy --strict --platform win32 src plugins
	$(BIN)/mypy --strict --platform darwin src plugins

test: lint types
	$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

# the suite on a busy laptop: a busy loop on every core while the tests run (issue 11)
test-loaded: lint types
	$(BIN)/python -m tests.cpu_hog -- $(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench

# refresh every pin to the newest versions pyproject.toml allows, then prove them
upgrade:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check 'uv==$(UV_VERSION)'
	$(UV) lock --upgrade
	$(UV) sync --frozen --inexact --extra dev
	touch $(STAMP)
	$(MAKE) test

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache
