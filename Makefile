# Indberet — the two commands: `make run` and `make test`. Everything else is a step of them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# Local commands run with DEBUG on (mail to var/mail, no SECRET_KEY needed); production uses docs/deploy.md.
MANAGE := DEBUG=1 $(PY) manage.py
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# Tests run in parallel, one worker per core (pytest-xdist; each worker its own test database).
TEST_WORKERS ?= auto

.PHONY: run test setup lint format bench e2e clean demo worker

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch node_modules/.installed

setup: $(STAMP) node_modules/.installed
	mkdir -p var/mail
	$(MANAGE) migrate --noinput
	$(MANAGE) load_municipalities

demo: setup
	$(MANAGE) load_demo

run: demo
	$(MANAGE) runserver 127.0.0.1:8000

test: $(STAMP) node_modules/.installed
	$(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

e2e: $(STAMP) node_modules/.installed
	$(BIN)/pytest tests/e2e $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP) node_modules/.installed
	$(PY) tests/bench/run.py

worker: setup
	$(MANAGE) db_worker

# Regenerate the pins after changing pyproject.toml (reviewed like code).
lock:
	rm -rf /tmp/indberet-lock && $(PYTHON) -m venv /tmp/indberet-lock
	/tmp/indberet-lock/bin/pip install --quiet --upgrade pip
	/tmp/indberet-lock/bin/pip install --quiet -e '.[dev]'
	/tmp/indberet-lock/bin/pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

clean:
	rm -rf $(VENV) node_modules var
