# PPS Portal. `make run` and `make test` are all a new machine needs (Python 3.11).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: assets help install install-dev run serve stop backup restore test check lint check-deploy fuzz format migrate seed worker beat bench messages compilemessages screenshots clean

help:
	@echo "make run      - install, migrate, seed demo data and serve http://$(HOST):$(PORT)"
	@echo "make test     - lint (ruff, bandit), check migrations and deployment settings, run the whole suite"
	@echo "make check    - the edit-test loop: ruff and the tests without browser, reliability, property or slow marks"
	@echo "make fuzz     - fuzz the API with schemathesis, longer than in make test (FUZZ_EXAMPLES=40)"
	@echo "make serve    - web (gunicorn), a worker per queue and beat on PostgreSQL and Redis; make stop ends them"
	@echo "make worker   - start a Celery worker against REDIS_URL"
	@echo "make beat     - start Celery beat (periodic tasks) against REDIS_URL"
	@echo "make bench    - benchmarks as ratios to the limit and the naive peer (PostgreSQL, BENCH_DATABASE_URL)"
	@echo "make messages - extract translatable strings into the .po files and compile them"
	@echo "make assets   - rebuild the vendored NL Design System tokens (static/ppsportal/vendor/) with npm; only this needs Node"
	@echo "make screenshots - the guides' pictures (docs/screenshots/) from the demo data, in Chromium"

$(VENV)/.python-ok:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "PPS Portal needs Python 3.11; set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	@touch $@

$(VENV)/.installed: requirements.txt $(VENV)/.python-ok
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	@mkdir -p var
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput

seed: migrate
	DEBUG=$${DEBUG:-1} $(PY) manage.py seed_demo

run: seed
	@echo
	@echo "PPS Portal on http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/, API docs: http://$(HOST):$(PORT)/api/docs/)"
	@echo "Demo password for every user: $${DEMO_PASSWORD:-pps-demo-2026}"
	DEBUG=$${DEBUG:-1} SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(PY) manage.py devserver $(HOST):$(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -c pyproject.toml -r . --severity-level medium --quiet

# The production settings pass Django's deployment checks (HSTS, https redirect, secure cookies).
check-deploy: install
	env -u DATABASE_URL -u REDIS_URL DEBUG=0 ALLOWED_HOSTS=portal.example.nl \
		SECRET_KEY=check-deploy-only-$$(date +%s)-a-long-and-random-enough-secret-key-value \
		$(PY) manage.py check --deploy --fail-level WARNING

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# pytest-xdist workers (one per core of these 2-core machines; PYTEST_WORKERS=0 runs in one
# process). --dist loadgroup keeps each xdist_group (tests/conftest.py: reliability, browser) on
# one worker; each worker has its own test database and Redis database (ppsportal/settings_test.py).
# Tests are handed out in collection order, where tests/conftest.py puts the property tests first
# (1,000 sequences in CI): one worker starts on them while the other takes the rest.
PYTEST_WORKERS ?= 2
XDIST = $(if $(filter-out 0 1,$(PYTEST_WORKERS)),-n $(PYTEST_WORKERS) --dist loadgroup --no-loadscope-reorder)

test: install-dev lint check-deploy
	DJANGO_SETTINGS_MODULE=ppsportal.settings_test $(PY) manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(XDIST) $(PYTEST_ARGS)

# The fast tier for the edit-test loop (under 3 minutes here): ruff, then every test that is not
# marked browser, reliability, property or slow (pyproject.toml; tests/conftest.py marks the
# first three by folder and kind). make test and CI still run everything.
CHECK_MARKERS ?= not browser and not reliability and not property and not slow
check: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest $(XDIST) -q -m "$(CHECK_MARKERS)" $(PYTEST_ARGS)

# More fuzzing than `make test` does, with a new random seed each run.
FUZZ_EXAMPLES ?= 40
fuzz: install-dev
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_RANDOM=1 $(BIN)/pytest tests/security/test_api_fuzz.py -q $(PYTEST_ARGS)

# The production-shaped stack on one machine (bin/serve): web, a worker per queue, beat.
serve: install
	bin/serve

stop:
	bin/stop

# Database (pg_dump) and uploaded files to var/backups/<time>; restore into an empty database.
backup:
	bin/backup $(BACKUP)

restore:
	@test -n "$(BACKUP)" || (echo "usage: make restore BACKUP=var/backups/<time>" && exit 1)
	bin/restore $(BACKUP)

worker: install
	@test -n "$$REDIS_URL" || (echo "REDIS_URL is not set: tasks run in-process without a worker" && exit 1)
	DEBUG=$${DEBUG:-1} $(BIN)/celery -A ppsportal worker --loglevel=INFO

beat: install
	@test -n "$$REDIS_URL" || (echo "REDIS_URL is not set: start beat against a broker" && exit 1)
	@mkdir -p var
	DEBUG=$${DEBUG:-1} $(BIN)/celery -A ppsportal beat --loglevel=INFO --schedule=var/celerybeat-schedule

# Ratios against the limit and the peer, on its own PostgreSQL database (docs/benchmarks.md).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/pps_bench
bench: install-dev
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) DJANGO_SETTINGS_MODULE=ppsportal.settings_test $(PY) bench/run.py $(BENCH_ARGS)

messages: install-dev
	$(PY) manage.py translations extract
	$(PY) manage.py translations compile

# The pictures in docs/guide-*.md, from the demo data in Debian's Chromium (tests/e2e/screenshots.py);
# SHOTS="nctv-map operator-home" takes only those.
screenshots: install-dev
	$(PY) -m tests.e2e.screenshots $(SHOTS)

compilemessages: install-dev
	$(PY) manage.py translations compile

# The NL Design System tokens, pinned in package-lock.json, vendored (built CSS and licence
# committed) so that run and test need no Node. Only the basis and palette custom properties:
# no fonts (system fonts only), no remote URL, no component tokens the portal does not use.
TOKENS_PKG := @nl-design-system-unstable/voorbeeld-design-tokens
VENDOR := ppsportal/static/ppsportal/vendor
assets:
	npm ci --no-audit --no-fund
	@mkdir -p $(VENDOR)
	@version=$$(node -p 'require("$(TOKENS_PKG)/package.json").version'); \
	{ echo "/* $(TOKENS_PKG) $$version (EUPL-1.2, LICENSE-design-tokens.md), built by make assets: */"; \
	  echo "/* the basis and palette custom properties of its dist/variables.css. Do not edit. */"; \
	  echo ":root {"; \
	  grep -E '^  --(basis|voorbeeld)-' node_modules/$(TOKENS_PKG)/dist/variables.css | grep -v 'url(' \
	    | sed -E "s/'[A-Za-z ]+', //g"; \
	  echo "}"; } > $(VENDOR)/nl-design-tokens.css; \
	cp node_modules/$(TOKENS_PKG)/LICENSE.md $(VENDOR)/LICENSE-design-tokens.md; \
	printf '%s\n' "# Vendored NL Design System assets" "" \
	  "- nl-design-tokens.css: $(TOKENS_PKG) $$version (EUPL-1.2, LICENSE-design-tokens.md); rebuilt by \`make assets\` from package-lock.json." \
	  > $(VENDOR)/README.md

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
