# Two promises on a fresh machine (only Python 3.11+ and make): `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Where `make demo` serves the app: `make demo ADDR=127.0.0.1:8001` when 8000 is taken.
ADDR ?= 127.0.0.1:8000

.PHONY: install demo test lint e2e bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Embedded default: SQLite file and Celery's file-system broker under var/. Set DATABASE_URL
# and REDIS_URL to run the same thing on PostgreSQL and Redis.
demo: export DEBUG ?= 1
demo: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py run_demo --addr $(ADDR)

test: $(STAMP)
	$(BIN)/pytest

# ruff includes the complexity limit (C901, at most 15); the module-length and template-width
# limits and the slice order are tests.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest -q tests/test_code_shape.py tests/test_layering.py
	$(BIN)/python manage.py makemigrations --check --dry-run

# The benchmark: a program that measures and reports, never a test that fails (README,
# Benchmark). Needs PostgreSQL (BENCH_DATABASE_URL, default a local bench_salesculture, dropped
# and made afresh) and Redis (BENCH_REDIS_URL, default local) for the worker and the load run.
# BENCH_FLAGS="--no-load" skips the load run, "--readme" updates the README's table; GROWTH=1
# adds the 10-agency growth run (a second database, ..._growth; about 30 minutes more).
bench: $(STAMP)
	VENV=$(VENV) bench/generate
	$(BIN)/python bench/run.py $(BENCH_FLAGS)
	if [ -n "$(GROWTH)" ]; then VENV=$(VENV) bench/generate --growth && \
		$(BIN)/python bench/run.py --growth $(BENCH_FLAGS); fi

clean:
	rm -rf $(VENV) var staticfiles *.egg-info
