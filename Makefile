# The two commands: `make run` (demo server) and `make test` (the whole suite); `make prod` starts
# it as in production. See README.md.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
WORKERS ?= 3

.PHONY: run prod backup restore test flaky-check bench load install install-test chromium quality pytest clean-db

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[bench]"
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo
	@echo ""
	@echo "Serveur de démonstration : http://127.0.0.1:$(PORT)/  (Ctrl+C pour arrêter)"
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Production (README, « Mise en production ») : deploy/serve.sh, the command of the systemd unit
# and of the container. Without DATABASE_URL it runs on the embedded database, said explicitly
# (EMBEDDED_DB=1), with a secret key generated once into .data/secret_key when none is given.
prod: install
	@if [ -z "$$DATABASE_URL" ]; then \
	  EMBEDDED_DB=1; export EMBEDDED_DB; \
	  if [ -z "$$SECRET_KEY" ]; then \
	    mkdir -p .data; \
	    [ -s .data/secret_key ] || (umask 077 && $(BIN)/python -c \
	      'import secrets; print(secrets.token_urlsafe(50))' > .data/secret_key); \
	    SECRET_KEY=$$(cat .data/secret_key); export SECRET_KEY; \
	  fi; \
	fi; \
	PYTHON=$(BIN)/python HOST=$(HOST) PORT=$(PORT) WORKERS=$(WORKERS); \
	export PYTHON HOST PORT WORKERS; \
	echo "Production : http://$(HOST):$(PORT)/, derrière le proxy HTTPS (Ctrl+C pour arrêter)"; \
	exec deploy/serve.sh

# Browser tests drive Debian's Chromium: install it when missing (as root), never skip silently.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installation de Chromium (paquet Debian 'chromium') pour les tests navigateur…"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Les tests navigateur ont besoin de Chromium : installez le paquet Debian 'chromium'"; \
	    echo "(sudo apt-get install chromium), puis relancez make test."; exit 1; \
	  fi; \
	fi

quality: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

pytest: install-test chromium
	$(BIN)/pytest -n 2 --dist loadgroup

test: quality pytest

# A browser test passes FLAKY_RUNS times in a row before it is committed (README, « Développer »).
# TESTS: files or test ids; by default the browser tests (pytest.mark.browser) added or changed
# since the branch left BASE, committed or not.
BASE ?= main
FLAKY_RUNS ?= 5
flaky-check: install-test chromium
	@tests="$(TESTS)"; \
	if [ -z "$$tests" ]; then \
	  since=$$(git merge-base $(BASE) HEAD) || exit 2; \
	  tests=$$( { git diff --name-only "$$since" -- tests; \
	              git ls-files --others --exclude-standard -- tests; } | sort -u | \
	            grep -E '(^|/)test_[^/]*\.py$$' | \
	            while read -r file; do \
	              [ -f "$$file" ] && grep -l 'pytest.mark.browser' "$$file"; \
	            done ); \
	fi; \
	if [ -z "$$tests" ]; then \
	  echo "Aucun test navigateur ajouté ou modifié depuis $(BASE) : rien à répéter."; exit 0; \
	fi; \
	echo "Chaque test, $(FLAKY_RUNS) fois de suite :" $$tests; \
	$(BIN)/pytest -q --count $(FLAKY_RUNS) $$tests

# Backups of the configured database (DATABASE_URL, or the embedded one) and of the uploaded
# files, with the time in their names (README, « Sauvegarder et restaurer »).
BACKUP_DIR ?= .data/backups

backup: install
	$(BIN)/python manage.py backup --dir "$(BACKUP_DIR)"

restore: install
	@test -n "$(FILE)" || { echo "Indiquez la sauvegarde : make restore FILE=$(BACKUP_DIR)/….dump"; exit 2; }
	$(BIN)/python manage.py restore "$(FILE)"

# Benchmarks run on a database of their own ("bench" on the embedded server).
BENCH_MEDIATIONS ?= 1000000
BENCH_ENV := EMBEDDED_DB_NAME=bench

bench: install
	rm -f bench/results.json
	$(BENCH_ENV) $(BIN)/python manage.py migrate --noinput
	$(BENCH_ENV) $(BIN)/python manage.py bench_dashboard --mediations $(BENCH_MEDIATIONS)
	$(BENCH_ENV) $(BIN)/python manage.py bench_log_form --mediations $(BENCH_MEDIATIONS)
	$(BENCH_ENV) $(BIN)/python manage.py bench_lists --mediations $(BENCH_MEDIATIONS)
	$(BENCH_ENV) $(BIN)/python manage.py bench_exports --mediations $(BENCH_MEDIATIONS)
	$(BENCH_ENV) $(BIN)/python manage.py bench_import --rows 100000
	cp bench/results.json bench/results-$(BENCH_MEDIATIONS).json

# The load test (bench/README.md, « Test de charge ») on the same database: locust, headless,
# against `make prod`'s gunicorn on 127.0.0.1 (LOAD_WORKERS processes), for LOAD_SECONDS.
LOAD_SECONDS ?= 60
LOAD_WORKERS ?= 5

load: install $(VENV)/.installed-bench
	$(BENCH_ENV) $(BIN)/python manage.py migrate --noinput
	$(BENCH_ENV) $(BIN)/python manage.py bench_load --mediations $(BENCH_MEDIATIONS) \
	  --duration $(LOAD_SECONDS) --workers $(LOAD_WORKERS)

clean-db:
	rm -rf .data/pg
