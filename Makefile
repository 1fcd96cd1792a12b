# The README's two commands:
#
#   make run    set up everything on a fresh machine and serve http://127.0.0.1:8000
#   make test   set up the environment and run the test suite
#
# Both create .venv with Python 3.12+ when it is missing and reinstall the
# dependencies only when pyproject.toml has changed since the last install.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV ?= .venv
PYTHON := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
SEED ?= data/registry.json
HOST ?= 127.0.0.1
PORT ?= 8000
# Two workers on two cores; each test file stays on one worker (module fixtures load once).
PYTEST_ARGS ?= -n auto --dist loadfile

# The development server runs with DEBUG on (which also allows the
# development SECRET_KEY). Tests run with DEBUG off, as production does, so
# they need a key; this one is for tests only and is not secret.
MANAGE := DEBUG=1 $(PYTHON) manage.py
TEST_ENV := SECRET_KEY=$${SECRET_KEY:-insecure-key-for-tests-only}

# Exits 0 when the database holds no register record: the first start.
REGISTER_IS_EMPTY := import sys; from registry.types import MODELS; \
	sys.exit(any(model.objects.exists() for model in MODELS))

.PHONY: help run test lint setup

help:
	@echo "make run    create .venv, install, migrate, load the seed dataset on first start,"
	@echo "            and serve the site on http://$(HOST):$(PORT)"
	@echo "make test   create .venv, install, and run the test suite (DATABASE_URL if set)"
	@echo "make lint   ruff check, ruff format --check, makemigrations --check"

setup: $(INSTALLED)

$(INSTALLED): pyproject.toml
	@scripts/setup-venv $(VENV)
	@touch $@

run: $(INSTALLED)
	$(MANAGE) migrate --no-input
	@if $(MANAGE) shell --no-imports --command "$(REGISTER_IS_EMPTY)"; then \
		echo "First start: loading the seed dataset $(SEED)"; \
		$(MANAGE) import_registry $(SEED); \
	fi
	$(MANAGE) build_bulk_data
	$(MANAGE) runserver $(HOST):$(PORT)

test: $(INSTALLED)
	$(TEST_ENV) $(PYTHON) -m pytest $(PYTEST_ARGS)

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MANAGE) makemigrations --check --dry-run
