# Two commands set everything up on a fresh machine with Python 3.11:
#   make run   - the product on http://127.0.0.1:$(PORT) (SQLite, in-memory channel layer, demo network)
#   make test  - the whole suite (SQLite; PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test lint deps load load-short contract messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.run-deps: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.run-deps

# axe-core, injected into pages by the accessibility test (skipped, saying why, without npm).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the accessibility test will be skipped"; fi

deps: $(VENV)/.dev-deps node_modules/.installed

run: $(VENV)/.run-deps
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver --noreload 127.0.0.1:$(PORT)

# Browser tests run in their own pytest process: sync Playwright keeps an event loop on the
# main thread, which breaks async tests that run after it.
test: $(VENV)/.dev-deps node_modules/.installed
	TIMEBANK_TESTING=1 $(BIN)/pytest -m "not browser" $(PYTEST_ARGS)
	TIMEBANK_TESTING=1 DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -m browser $(PYTEST_ARGS); \
		status=$$?; [ $$status -eq 0 ] || [ $$status -eq 5 ]

# schemathesis (--checks all) against /api/schema/ as a member and as a coordinator, each on a fresh database
# with the demo network, served as production serves it (.ci/schemathesis.py; CI runs it).
contract: $(VENV)/.dev-deps
	$(BIN)/python .ci/schemathesis.py

# Import contracts (.importlinter: imports point down the layers) and mypy over the files listed in
# pyproject.toml ([tool.mypy]): every service, selector and rule module.
lint: $(VENV)/.dev-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# The mixed member journey against the local scale-out topology (bench/load/README.md): USERS simulated
# members for DURATION seconds; needs PostgreSQL on 127.0.0.1:5432 (LOAD_DATABASE_URL) and redis-server;
# LOAD_ARGS=--own-postgres runs a throwaway PostgreSQL instead (a machine shared with other work).
USERS ?= 200
DURATION ?= 300
load: $(VENV)/.dev-deps
	$(BIN)/python bench/load/run.py --users $(USERS) --seconds $(DURATION) $(LOAD_ARGS)

# A short try of the same: 50 members for 30 s.
load-short: $(VENV)/.dev-deps
	$(BIN)/python bench/load/run.py --users 50 --seconds 30 $(LOAD_ARGS)

# The Welsh catalogue: gather every string into locale/cy/LC_MESSAGES/django.po (translate what is new),
# then compile django.mo. Both are committed, so `make run` and `make test` need no GNU gettext;
# tests/i18n checks the .mo matches the .po and nothing is missing. Needs GNU gettext (xgettext, msgfmt).
messages: $(VENV)/.dev-deps
	$(BIN)/python manage.py makemessages -l cy --no-obsolete --no-location --ignore=.venv --ignore=node_modules \
		--ignore=bench --ignore=tests --ignore=staticfiles --ignore=deploy --ignore=docs
	$(BIN)/python manage.py compilemessages -l cy --ignore=.venv --ignore=node_modules
