# Workback's commands. `make run` and `make test` are the two a newcomer needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

# `make run`: SQLite, background work in-process, mail to the console, on PORT
# (`PORT=8100 make run`). Links in e-mails name the same address unless SITE_URL is set.
PORT ?= 8000
SITE_URL ?= http://127.0.0.1:$(PORT)
RUN_ENV = env -u DATABASE_URL -u REDIS_URL DEBUG=1 SITE_URL=$(SITE_URL)
# `make test`: real PostgreSQL and Redis (override to point elsewhere).
TEST_DATABASE_URL ?= postgres://postgres:postgres@127.0.0.1:5432/workback
TEST_REDIS_URL ?= redis://127.0.0.1:6379/1
TEST_ENV := env DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
	SECRET_KEY=test-only-secret DEBUG=0 STATIC_MANIFEST=0 SECURE_SSL_REDIRECT=0

.PHONY: run test lint format lock audit check-migrations services clean

$(VENV)/.run: requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	touch $@

$(VENV)/.dev: requirements-dev.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	touch $@ $(VENV)/.run

run: $(VENV)/.run
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py demo_data
	$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: lint services
	$(TEST_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

services:
	bin/ensure-services

lint: $(VENV)/.dev check-migrations
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	git ls-files -z '*.py' | xargs -0 $(BIN)/django-upgrade --target-version 5.2
	$(BIN)/djlint --check --quiet templates

check-migrations: $(VENV)/.dev
	$(RUN_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/djlint --reformat --quiet templates || true

# Pins stay where they are unless pyproject.toml asks for more, or LOCK_ARGS says which to move:
# `make lock LOCK_ARGS="--upgrade-package django"`, or `LOCK_ARGS=--upgrade` for everything.
LOCK_ARGS ?=
lock: $(VENV)/.dev
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes \
		--custom-compile-command "make lock" --quiet $(LOCK_ARGS) -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --group dev --universal --python-version 3.11 \
		--generate-hashes --custom-compile-command "make lock" --quiet $(LOCK_ARGS) \
		-o requirements-dev.lock

# Both locks against OSV's vulnerability database (bin/audit): exits 1 when a pinned release has
# a known vulnerability, 2 when the database cannot be reached (nothing checked is no pass).
audit: $(VENV)/.dev
	$(BIN)/python bin/audit requirements.lock requirements-dev.lock

# The digest run for 10,000 users and 200,000 events, on a throwaway PostgreSQL database.
.PHONY: bench-digest
bench-digest: services
	$(TEST_ENV) $(BIN)/python bench/digest_bench.py --users 10000 --events 200000 $(BENCH_ARGS)

# `make bench-digest-kill`: digests sent while workers, database connections and a
# broker of its own are killed (bench/digest_kill_bench.py): due / sent / lost / duplicated.
.PHONY: bench-digest-kill
bench-digest-kill: services
	$(TEST_ENV) $(BIN)/python bench/digest_kill_bench.py --users 500 --rounds 5 --broker-every 1 \
		--json bench/results/digest_kill.json $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache

# `make bench`: Workback under gunicorn on PostgreSQL, driven by wrk, with its budgets
# (bench/run_bench.py). Seeds its own databases on the first run; needs Debian's `wrk`.
BENCH_DATABASE_URL ?= postgres://postgres:postgres@127.0.0.1:5432/workback_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/15
BENCH_PORT ?= 8765

.PHONY: bench
bench: $(VENV)/.run services
	@command -v wrk >/dev/null 2>&1 || { echo "make bench needs wrk: apt-get install wrk" >&2; exit 1; }
	BENCH_PORT=$(BENCH_PORT) $(BIN)/python bench/run_bench.py --database-url $(BENCH_DATABASE_URL) \
		--redis-url $(BENCH_REDIS_URL) $(BENCH_RUN_ARGS)
