# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
FLASK  := $(BIN)/flask --app events_app
STAMP  := $(VENV)/.installed
WORKERS ?= 4
# gunicorn's worker timeout (s): well above FEED_BUILD_WAIT, the longest a request waits for a feed.
TIMEOUT ?= 60
# Proxies whose X-Forwarded-Proto gunicorn trusts; ProxyFix (EVENTS_PROXY_FIX) handles the rest.
FORWARDED_ALLOW_IPS ?= 127.0.0.1

.PHONY: install run serve test migrate lint format bench soak

# Re-install whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

migrate: $(STAMP)
	$(FLASK) db upgrade

run: migrate
	$(FLASK) tz-refresh
	$(FLASK) seed-demo --if-empty
	$(FLASK) run --host $(HOST) --port $(PORT)

# Production server: configure with DATABASE_URL, SECRET_KEY, EVENTS_PRODUCTION=true, ... (README).
# The app logs one JSON line per request itself; gunicorn_config shares metrics between workers.
serve: migrate
	$(FLASK) tz-refresh
	$(FLASK) render-descriptions
	$(FLASK) feeds render-blocks --if-site-url
	$(BIN)/gunicorn --config python:events_app.gunicorn_config --workers $(WORKERS) \
		--timeout $(TIMEOUT) --bind $(HOST):$(PORT) --forwarded-allow-ips '$(FORWARDED_ALLOW_IPS)' \
		'events_app:create_app()'

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Performance figures A-F of issue 6 (see bench/run.py and README): about 3 minutes once its
# databases are cached in bench/out/, about 6 on the first run.
# DB=postgres: the same figures on the local PostgreSQL 15 (.ci/postgres), 4 workers.
bench: $(STAMP)
	$(BIN)/python -m bench.run $(if $(DB),--db $(DB)) $(BENCH_ARGS)

# Load, editors and faults at once on a PostgreSQL cluster of its own (bench/soak.py, needs root):
# 3 minutes, prints what bench/SOAK.md shows; CI runs SOAK_ARGS="--seconds 30 --faults pg-restart".
soak: $(STAMP)
	$(BIN)/python -m bench.soak $(SOAK_ARGS)
