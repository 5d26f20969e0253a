# skywarden — quick start: `make demo`, then `make test`.
# Every target creates .venv and installs what it needs (idempotent: a stamp file per extra).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
STAMP_RUN := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test

.PHONY: demo test lint typecheck bench clean help system-deps web docs

help:
	@echo "make demo   - install into .venv and run the demo on built-in sample data"
	@echo "make test   - lint (ruff), type-check (mypy) and run the whole test suite"
	@echo "make bench  - run the benchmarks in bench/ (results: bench/README.md)"
	@echo "make lint   - ruff only"
	@echo "make web    - install the web map's CesiumJS from the npm registry (package-lock.json)"
	@echo "make docs   - build the user guide offline into site/ (MkDocs, strict)"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP_RUN): pyproject.toml | $(PY)
	$(PIP) install -e .
	@touch $@

$(STAMP_TEST): pyproject.toml $(STAMP_RUN)
	$(PIP) install -e '.[test]'
	@touch $@

demo: $(STAMP_RUN)
	$(VENV)/bin/skywarden demo --out demo-output

lint: $(STAMP_TEST)
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

typecheck: $(STAMP_TEST)
	$(VENV)/bin/mypy

# System programs the tests run for real: PostgreSQL, Chromium, Node.js (apt-get, as root; idempotent).
system-deps:
	@bash scripts/system-deps.sh

# The web map's JavaScript dependencies (CesiumJS), exactly as locked; node_modules is not committed.
WEB := src/skywarden/web
STAMP_WEB := $(WEB)/node_modules/.installed
$(STAMP_WEB): $(wildcard $(WEB)/package-lock.json)
	@if [ -f $(WEB)/package-lock.json ]; then \
		cd $(WEB) && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	fi
web: $(STAMP_WEB)

test: system-deps lint typecheck web
	$(VENV)/bin/pytest -q

# The user guide (MkDocs Material + mkdocstrings), built offline with --strict into site/.
STAMP_DOCS := $(VENV)/.installed-docs
$(STAMP_DOCS): pyproject.toml $(STAMP_RUN)
	$(PIP) install -e '.[docs]'
	@touch $@
docs: $(STAMP_DOCS)
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict
	@echo "docs: $(CURDIR)/site/index.html"

bench: $(STAMP_TEST)
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) demo-output .pytest_cache .mypy_cache .ruff_cache .benchmarks
