# The README's two commands:
#
#   make run    set up everything on a fresh machine and serve http://127.0.0.1:8000
#   make test   set up the environment and run the test suite
#
# and for production, `make serve-production` (see the README's "Run in production").
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
# Files start in the order tests/conftest.py gives (slowest first), not xdist's
# own (most tests first).
PYTEST_ARGS ?= -n auto --dist loadfile --no-loadscope-reorder

# The development server runs with DEBUG on (which also allows the
# development SECRET_KEY). Tests run with DEBUG off, as production does, so
# they need a key; this one is for tests only and is not secret.
MANAGE := DEBUG=1 $(PYTHON) manage.py
TEST_ENV := SECRET_KEY=$${SECRET_KEY:-insecure-key-for-tests-only}
# pytest rewrites the asserts of every test module in each worker, and Python
# compiles the project's modules; with bytecode writing off
# (PYTHONDONTWRITEBYTECODE) both are redone on every run. The caches go beside
# the sources (__pycache__, ignored by git), not to one folder
# (PYTHONPYCACHEPREFIX): Python then ignores the bytecode that pip and the
# interpreter's installer wrote, and the first run after an install (every CI
# run) compiled the standard library and every package again in each process:
# 9.5-13 s instead of 3.8-5.6 s to collect.
TEST_ENV += PYTHONDONTWRITEBYTECODE=

# Exits 0 when the database holds no register record: the first start.
REGISTER_IS_EMPTY := import sys; from registry.types import MODELS; \
	sys.exit(any(model.objects.exists() for model in MODELS))

.PHONY: help run test lint setup serve-production audit

help:
	@echo "make run    create .venv, install, migrate, load the seed dataset on first start,"
	@echo "            and serve the site on http://$(HOST):$(PORT)"
	@echo "make test   create .venv, install, and run the test suite (DATABASE_URL if set)"
	@echo "make lint   ruff check, ruff format --check, mypy, makemigrations --check"
	@echo "make serve-production   migrate, createcachetable, collectstatic, build the bulk"
	@echo "            files and serve with gunicorn (DEBUG off; needs the production settings)"
	@echo "make audit  pip-audit the installed packages (needs network access to PyPI)"

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
	$(VENV)/bin/mypy
	$(MANAGE) makemigrations --check --dry-run

# Production: DEBUG stays off, so SECRET_KEY, SITE_URL and ALLOWED_HOSTS must
# be set (the README's "Run in production" lists them). Build the bulk files
# before serving, then from a timer (`manage.py build_bulk_data`).
PROD_MANAGE := $(PYTHON) manage.py
serve-production: $(INSTALLED)
	$(PROD_MANAGE) check --deploy --fail-level WARNING
	$(PROD_MANAGE) migrate --no-input
	$(PROD_MANAGE) createcachetable
	$(PROD_MANAGE) collectstatic --no-input --verbosity 0
	$(PROD_MANAGE) build_bulk_data
	$(VENV)/bin/gunicorn --config gunicorn.conf.py portal.wsgi:application

# Known vulnerabilities in the installed packages. Not part of `make lint`:
# pip-audit asks PyPI's vulnerability service, so it needs network access
# that CI may not have.
audit: $(INSTALLED)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --editable ".[audit]"
	$(VENV)/bin/pip-audit --strict
