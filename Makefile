# motcua — two commands: `make run` and `make test`. Everything else here serves them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# PostgreSQL for the second test run: TEST_DATABASE_URL if given, else the local server if it answers.
LOCAL_PG_URL := postgres://postgres@127.0.0.1:5432/motcua
PYTEST_ARGS ?=

.PHONY: run test test-sqlite test-postgres setup dev-deps runtime-system-deps system-deps node-deps messages lock openapi lint bench clean

## make run: install, migrate, load demo data and serve http://127.0.0.1:8000 through gunicorn, with the
## background worker (huey, its queue in var/tasks.sqlite3): the two processes of the Procfile, under honcho
WEB_CONCURRENCY ?= 2
run: setup
	$(MANAGE) migrate --no-input
	$(MANAGE) seed_demo
	@echo "Serving motcua on http://$(HOST):$(PORT)/ (gunicorn, $(WEB_CONCURRENCY) workers) with its background worker; Ctrl+C stops both"
	PATH="$(CURDIR)/$(BIN):$$PATH" MOTCUA_BIND="$(HOST):$(PORT)" WEB_CONCURRENCY=$(WEB_CONCURRENCY) \
	  $(BIN)/honcho -f Procfile start

setup: runtime-system-deps $(VENV)/.runtime-installed messages

$(VENV)/.runtime-installed: requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	@touch $@

dev-deps: $(VENV)/.dev-installed

$(VENV)/.dev-installed: $(VENV)/.runtime-installed requirements-dev.lock
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock -r requirements-dev.lock
	@touch $@

messages: runtime-system-deps $(VENV)/.runtime-installed
	@$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v 0

# Debian packages, installed only when missing and only as root. The product needs pango and a font with
# Vietnamese glyphs (PDF rendering) and gettext (translations); the tests also need Chromium, poppler's
# pdftotext, zbarimg (reads QR codes), Node.js/npm (axe-core), SoftHSM2 (a PKCS#11 token for the key tests) and
# headless LibreOffice Calc (opens the exported workbooks).
runtime-system-deps:
	@missing=""; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	{ /sbin/ldconfig -p 2>/dev/null || /usr/sbin/ldconfig -p 2>/dev/null; } | grep -q libpangoft2-1.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || missing="$$missing fonts-dejavu-core"; \
	$(call install_debian)

system-deps: runtime-system-deps
	@missing=""; \
	command -v chromium >/dev/null || test -x /usr/bin/chromium || missing="$$missing chromium"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	test -e /usr/lib/softhsm/libsofthsm2.so && command -v softhsm2-util >/dev/null || missing="$$missing softhsm2"; \
	command -v zbarimg >/dev/null || missing="$$missing zbar-tools"; \
	command -v soffice >/dev/null || missing="$$missing libreoffice-calc-nogui"; \
	$(call install_debian)

define install_debian
if [ -n "$$missing" ]; then \
  if [ "$$(id -u)" = 0 ]; then \
    echo "Installing Debian packages:$$missing"; \
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
  else \
    echo "Missing system packages:$$missing — install them with: sudo apt-get install$$missing"; exit 1; \
  fi; \
fi
endef

node-deps: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## make test: the whole suite on SQLite, then on PostgreSQL when one is reachable
test: system-deps dev-deps node-deps messages
	$(BIN)/ruff check motcua scripts conftest.py
	$(BIN)/ruff format --check --quiet motcua scripts conftest.py
	$(MAKE) --no-print-directory test-sqlite
	@url="$${TEST_DATABASE_URL:-}"; \
	if [ -z "$$url" ] && $(BIN)/python scripts/pg_available.py "$(LOCAL_PG_URL)"; then url="$(LOCAL_PG_URL)"; fi; \
	if [ -n "$$url" ]; then $(MAKE) --no-print-directory test-postgres TEST_DATABASE_URL="$$url"; \
	else echo "PostgreSQL not reachable: skipped the PostgreSQL run (set TEST_DATABASE_URL to force it)."; fi

test-sqlite:
	@echo "== tests on SQLite =="
	env -u DATABASE_URL MOTCUA_ENV=test $(BIN)/pytest $(PYTEST_ARGS)

test-postgres:
	@echo "== tests on PostgreSQL =="
	MOTCUA_ENV=test DATABASE_URL="$(TEST_DATABASE_URL)" $(BIN)/pytest $(PYTEST_ARGS)

## make openapi: rewrite the committed OpenAPI document from the code
openapi: setup
	$(MANAGE) export_openapi --output openapi.json

## make lock: re-pin dependencies after editing requirements*.in
lock: dev-deps
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe -o requirements.lock requirements.in
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe -o requirements-dev.lock requirements-dev.in

## make bench: time the dossier reads over BENCH_DOSSIERS generated dossiers, then signing and payments
## (results in bench-results/)
BENCH_DOSSIERS ?= 1000000
BENCH_SQLITE := $(CURDIR)/var/bench.sqlite3
bench: dev-deps messages
	rm -f $(BENCH_SQLITE) $(BENCH_SQLITE)-wal $(BENCH_SQLITE)-shm
	DATABASE_URL=sqlite:///$(BENCH_SQLITE) $(MANAGE) migrate --no-input -v 0
	DATABASE_URL=sqlite:///$(BENCH_SQLITE) $(MANAGE) bench_dossiers --dossiers $(BENCH_DOSSIERS) \
	  --output bench-results/dossiers-sqlite.json
	@if [ -n "$${BENCH_DATABASE_URL:-}" ]; then \
	  DATABASE_URL="$$BENCH_DATABASE_URL" $(MANAGE) flush --no-input && \
	  DATABASE_URL="$$BENCH_DATABASE_URL" $(MANAGE) migrate --no-input -v 0 && \
	  DATABASE_URL="$$BENCH_DATABASE_URL" $(MANAGE) bench_dossiers --dossiers $(BENCH_DOSSIERS) \
	    --output bench-results/dossiers-postgresql.json; \
	fi
	rm -f $(BENCH_SQLITE) $(BENCH_SQLITE)-wal $(BENCH_SQLITE)-shm
	DATABASE_URL=sqlite:///$(BENCH_SQLITE) $(MANAGE) migrate --no-input -v 0
	DATABASE_URL=sqlite:///$(BENCH_SQLITE) $(MANAGE) bench_signing --output bench-results/signing-sqlite.json
	rm -f $(BENCH_SQLITE) $(BENCH_SQLITE)-wal $(BENCH_SQLITE)-shm

lint: dev-deps
	$(BIN)/ruff check motcua scripts conftest.py
	$(BIN)/ruff format --check motcua scripts conftest.py

clean:
	rm -rf $(VENV) node_modules var test-artifacts

## make bench-load: load benchmarks (locust) of the production server (gunicorn + huey on Redis) on PostgreSQL
## filled with BENCH_LOAD_DOSSIERS dossiers, against a bare Django + gunicorn baseline, with a spike and a kill -9
## run; writes bench-results/load-postgresql.json and the README's section (scripts/bench_load/run.py)
.PHONY: bench-load
BENCH_LOAD_DOSSIERS ?= 1000000
bench-load: dev-deps messages
	BENCH_LOAD_DOSSIERS=$(BENCH_LOAD_DOSSIERS) $(BIN)/python scripts/bench_load/run.py

## make bench-metrics: dashboard latency over BENCH_METRICS_DOSSIERS dossiers of synthetic history (each N in
## turn), on PostgreSQL at BENCH_DATABASE_URL or else a local database motcua_bench_metrics (flushed first), with
## the rebuild and refresh costs of BENCH_METRICS_SAMPLE real dossiers (first N only; 0 skips); results merged
## into bench-results/metrics-postgresql.json by N (motcua/metrics/bench.py); BENCH_METRICS_ARGS adds options
## (e.g. --repeat 7 --budget 15 --min-runs 1, as the 10M run of the README). Not part of make test.
.PHONY: bench-metrics
BENCH_METRICS_DOSSIERS ?= 1000000 10000000
BENCH_METRICS_SAMPLE ?= 20000
BENCH_METRICS_OUTPUT ?= bench-results/metrics-postgresql.json
BENCH_METRICS_DB := motcua_bench_metrics
BENCH_METRICS_ARGS ?=
bench-metrics: dev-deps messages
	@url="$${BENCH_DATABASE_URL:-}"; \
	if [ -z "$$url" ]; then \
	  url="postgres://postgres@127.0.0.1:5432/$(BENCH_METRICS_DB)"; \
	  $(BIN)/python -c 'import psycopg, sys; c = psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True); \
	    c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [sys.argv[1]]).fetchone() or c.execute(f"CREATE DATABASE \"{sys.argv[1]}\"")' \
	    $(BENCH_METRICS_DB) || exit 1; \
	fi; \
	sample=$(BENCH_METRICS_SAMPLE); \
	for n in $(BENCH_METRICS_DOSSIERS); do \
	  DATABASE_URL="$$url" $(MANAGE) migrate --no-input -v 0 && \
	  DATABASE_URL="$$url" $(MANAGE) flush --no-input && \
	  DATABASE_URL="$$url" $(MANAGE) bench_metrics --dossiers $$n --real-sample $$sample \
	    --output $(BENCH_METRICS_OUTPUT) $(BENCH_METRICS_ARGS) || exit 1; \
	  sample=0; \
	done

## make bench-sync: the national status-sync scale benchmark: BENCH_SYNC_INSTANCES (34) simulated provincial
## instances (processes, each its own SQLite copy, code and key) push with the real sender to one national gunicorn on
## PostgreSQL (database motcua_bench_sync, recreated) at BENCH_SYNC_RATE changes/s (70), a burst at BENCH_SYNC_BURST
## (700) and a run in which the national gunicorn is killed -9 and restarted; checks nothing is lost or duplicated;
## writes bench-results/sync-postgresql.json and the README's section (scripts/bench_sync/run.py). Not part of make test.
.PHONY: bench-sync
bench-sync: dev-deps messages
	$(BIN)/python scripts/bench_sync/run.py
