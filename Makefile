# Every command a newcomer needs. Without DATABASE_URL, an embedded PostgreSQL (pgserver) runs
# from var/pgdata for the duration of the command; with it, that server is used.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# pytest-xdist workers for `make test`, each on its own test database (0: one process).
PYTEST_WORKERS ?= 2
WITH_DB := $(PY) -m config.embedded_db
MANAGE := $(PY) manage.py
export PORT

.DEFAULT_GOAL := help

.PHONY: help install run worker test lint format migrate seed check bench bench-directory bench-sources bench-exports \
	load-directory messages fuzz faulttest replica-test loadtest

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 est requis ($(PYTHON) introuvable)."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

install: $(VENV)/.installed ## Create .venv and install the pinned dependencies

# The job worker (e-mails…) runs beside the web server. Ctrl-C (passed on by config.embedded_db),
# SIGTERM, or either process ending: the trap stops the whole process group, both included.
run: install ## Migrate, seed the guide's data and demo accounts, serve on localhost:$(PORT) with a job worker
	DEBUG=$${DEBUG:-1} $(WITH_DB) bash -c '$(MANAGE) migrate_schemas --noinput -v 0 \
	  && $(MANAGE) seed --demo \
	  && { trap "trap - INT TERM EXIT; kill -TERM 0 2>/dev/null" INT TERM EXIT; \
	       $(MANAGE) procrastinate worker & \
	       $(MANAGE) runserver 127.0.0.1:$(PORT) & \
	       wait -n; }'

worker: install ## Run the job worker alone (e-mails…), as production does
	$(WITH_DB) $(MANAGE) procrastinate worker

test: install ## Run the whole test suite (pytest, PYTEST_WORKERS processes) against PostgreSQL
	$(WITH_DB) $(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: install ## Check style (ruff) and that migrations match the models
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(WITH_DB) $(MANAGE) makemigrations --check --dry-run

format: install ## Reformat the code (ruff)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrate: install ## Migrate the shared schema, then every collectivité's schema
	$(WITH_DB) $(MANAGE) migrate_schemas --noinput

seed: install ## Load the guide's data (idempotent), without demo accounts
	$(WITH_DB) bash -c '$(MANAGE) migrate_schemas --noinput -v 0 && $(MANAGE) seed'

check: install ## Django system checks
	$(WITH_DB) $(MANAGE) check

# Both start their own PostgreSQL (pgserver's binaries, a temporary folder) and gunicorn.
fuzz: install ## Schemathesis against both live APIs (anonymous, curator, contributor), bounded
	$(PY) -m tests.reliability.fuzz $(FUZZ_ARGS)

faulttest: install ## API writes while PostgreSQL is killed and restarted: nothing acknowledged lost
	$(PY) -m tests.reliability.fault $(FAULT_ARGS)

replica-test: install ## Primary + streaming replica of our own: public reads on the replica, writers on the primary
	$(PY) -m tests.reliability.replica

bench: install ## Benchmark the APIs and pages at 10 to 2,000 collectivités (real schemas), the directory, the exports at 20,000 entries
	$(WITH_DB) $(PY) bench/benchmark_api.py
	$(WITH_DB) $(PY) bench/directory.py
	$(WITH_DB) $(PY) bench/sources.py
	$(WITH_DB) $(PY) bench/tenants.py $(BENCH_TENANTS_ARGS)
	$(WITH_DB) $(PY) bench/exports.py

# gunicorn (2 workers, DEBUG=0) on a private database of TENANTS collectivités, wrk against it.
TENANTS ?= 200
loadtest: install ## Load-test gunicorn + wrk at TENANTS (200) real collectivités: req/s, ratios, p99
	@command -v wrk >/dev/null || { echo "wrk absent : installation (apt-get)…"; \
	  apt-get install -y -qq wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }; }
	$(WITH_DB) $(PY) bench/loadtest.py --tenants $(TENANTS) $(LOADTEST_ARGS)

bench-exports: install ## Time every export format at 20,000 entries (and peak memory), the open data's answers
	$(WITH_DB) $(PY) bench/exports.py

bench-directory: install ## Time the directory's load, and what it adds to other requests
	$(WITH_DB) $(PY) bench/directory.py

bench-sources: install ## Rows per second of the public sources' imports (PSTW, US), and a re-import
	$(WITH_DB) $(PY) bench/sources.py

load-directory: install ## Load or refresh the shipped millésime of the official directory
	$(WITH_DB) $(MANAGE) load_directory

messages: install ## Update and compile the English catalogue (locale/en), after changing strings
	$(WITH_DB) bash -c '$(MANAGE) makemessages -l en --ignore=.venv --ignore=var --ignore=tests \
	  --ignore=bench --no-obsolete && $(MANAGE) compilemessages -l en --ignore=.venv'
