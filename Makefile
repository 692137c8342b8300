# The few commands anyone needs. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench growth venv messages screenshots

$(BIN)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

venv: $(BIN)/.installed

# Web + Celery worker + beat on 127.0.0.1:8000 with embedded defaults (SQLite, file-system broker).
run: export DEBUG ?= true
run: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py refresh_holidays
	$(BIN)/python manage.py load_demo
	HOST=$(HOST) PORT=$(PORT) BIN=$(BIN) bash scripts/run.sh

# The whole suite against real PostgreSQL and Redis (started, or installed, when missing), on
# PYTEST_WORKERS parallel processes (0: serially).
PYTEST_WORKERS ?= 2
test: venv
	bash scripts/services.sh
	PYTEST_WORKERS=$(PYTEST_WORKERS) BIN=$(BIN) bash scripts/test.sh $(PYTEST_ARGS)

# The city-scale benchmark (issue 8) against its own database, outreach_bench: generates the
# dataset first when the database is empty (about a minute), then prints every figure with its
# target. `make bench BENCH_ARGS="--regenerate"` generates again; `--only list,dashboard` a subset;
# `--scale province` the million-retiree province in outreach_province instead (bench/province.py).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/outreach_bench
bench: venv
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/run.py $(BENCH_ARGS)

# Time against size (issue 18): pages and exports at 10,000, 100,000 and 1,000,000 retirees, each
# in its own database (generated when empty; the million is the province's), charted by hand into
# docs/growth.svg. `make growth GROWTH_ARGS="--sizes 10000,100000"` for the small points only.
growth: venv
	$(BIN)/python bench/growth.py $(GROWTH_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Regenerate the Chinese catalogue after changing user-facing strings. --no-wrap keeps entries
# added by hand (one line each) as they are, so an unchanged tree gives no diff.
messages: venv
	DEBUG=true $(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --no-wrap --ignore=.venv --ignore=staticfiles
	DEBUG=true $(BIN)/python manage.py compilemessages -l zh_Hans --ignore=.venv

# docs/screenshots/: the call list, contact form, dashboard and a ledger at 390 and 1366 px, from
# the demo data in a scratch directory (needs Chromium and the CJK fonts; see the script).
screenshots: venv
	$(BIN)/python scripts/screenshots.py
