# Two commands matter: `make run` serves the site, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# `make serve` reads these (and WEB_CONCURRENCY) in gunicorn.conf.py; the
# worker count defaults to two per core.
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT
# Only when given: gunicorn itself reads WEB_CONCURRENCY and fails on an empty one.
ifdef WORKERS
export WORKERS
endif
ifdef WEB_CONCURRENCY
export WEB_CONCURRENCY
endif
# The PostgreSQL + Redis pass of `make test`; pytest-django creates and drops test_newsroom.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/newsroom
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: run serve bench bench-deps install test test-sqlite test-postgres check-deploy lint seed-fixture browser-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py prepare_site
	$(MAKE) serve

# Gunicorn with whitenoise for static files; settings in gunicorn.conf.py.
serve: install
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo "Serving the site at http://$(HOST):$(PORT)/ (admin at /admin/)"
	$(BIN)/gunicorn --config gunicorn.conf.py

# Requests per second, latency and SQL queries per page; see README.md.
BENCH_ARGS ?=
bench: install bench-deps
	$(BIN)/python manage.py bench $(BENCH_ARGS)

# The bench drives the site with wrk, from Debian's packages.
bench-deps:
	@command -v wrk >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y wrk; }

test: test-sqlite test-postgres

test-sqlite: install check-deploy browser-deps bench-deps
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/pytest

# Django's deployment checklist, with the production environment the README documents.
check-deploy: install
	SECRET_KEY=$$($(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))") \
	DEBUG=0 HTTPS=1 TRUSTED_PROXIES=1 SECURE_HSTS_PRELOAD=1 ALLOWED_HOSTS=news.example \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

test-postgres: install bench-deps
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# fixtures/seed_story.json is generated from the wire copy; test_ingest checks it is current.
seed-fixture: install
	$(BIN)/python manage.py ingest_story fixtures/wire/000_75c388e515c58762.txt \
		--output fixtures/ --fixture-name seed_story \
		--publish-at 2022-02-15T12:00:00Z --source "Tribune News Service"

# The browser tests (articles/tests/browser) drive Debian's Chromium through Playwright
# (`playwright install` is not used) and check pages with axe-core from npm.
AXE_VERSION ?= 4.14.1
browser-deps:
	@test -x /usr/bin/chromium || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }
	@test -f .cache/axe/node_modules/axe-core/axe.min.js || { \
		command -v npm >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y npm; }; \
		npm install --no-audit --no-fund --prefix .cache/axe axe-core@$(AXE_VERSION); }
