# Two commands for a newcomer: `make run` and `make test`. Both set themselves up (.venv, install).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
NODE_STAMP := node_modules/.installed-$(shell cksum package-lock.json | cut -d' ' -f1)

.PHONY: install run test test-unit test-integration test-browser lint events-doc bench bench-quick chaos clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

## the portal's browser packages (htmx, alpinejs, bpmn-js and its properties panel, esbuild, axe-core for the
## accessibility checks), pinned by package-lock.json
$(NODE_STAMP): package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@rm -f node_modules/.installed-* && touch $(NODE_STAMP)

## the process designer's modeler (bpmn-js + properties panel + the suite's conventions), bundled by esbuild
MODELER := node_modules/.egov/modeler.js
$(MODELER): services/portal/assets/modeler.js $(NODE_STAMP)
	node_modules/.bin/esbuild services/portal/assets/modeler.js --bundle --minify --format=iife --target=es2020 \
	  --loader:.svg=dataurl --loader:.eot=dataurl --loader:.woff=dataurl --loader:.woff2=dataurl --loader:.ttf=dataurl \
	  --outdir=node_modules/.egov --entry-names=modeler --log-level=warning

install: $(STAMP) $(NODE_STAMP) $(MODELER)

## the whole suite in one process on http://127.0.0.1:8000 with demo data (Ctrl-C stops it)
run: install
	$(PY) -m services.run

WORKERS ?= 2   ## processes for the unit tests (pytest-xdist); each test has its own databases and ports

## every test: unit, API and embedded end to end in parallel; then, one at a time, integration on the real
## PostgreSQL + RabbitMQ (some stop the broker) and the browser tests
test: install
	$(PY) -m pytest -n $(WORKERS) tests/unit tests/e2e
	$(PY) -m pytest tests/integration tests/browser

test-unit: install
	$(PY) -m pytest -n $(WORKERS) tests/unit tests/e2e

test-integration: install
	$(PY) -m pytest tests/integration

test-browser: install
	$(PY) -m pytest tests/browser

bench: install   ## every figure of the benchmark beside its goal; writes bench/results/latest.json
	$(PY) -m bench.run

bench-quick: install   ## the same in small (< 2 minutes), run by CI so the benchmark cannot rot
	$(PY) -m bench.run --quick

chaos: install   ## kill -9 every process in turn, stop the broker, drop DB connections under load; 0 lost
	$(PY) -m bench.chaos

lint: install
	$(VENV)/bin/ruff check services tests

## regenerate docs/events.md and docs/events/*.json from the payload models
events-doc: install
	$(PY) -m services.eventdoc

clean:
	rm -rf $(VENV) var .pytest_cache node_modules
