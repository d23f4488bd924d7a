# The two set-up commands: `make serve` and `make test`. Each bootstraps what it needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install serve test lint validate coverage bench load

$(BIN)/parley: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $@

# GraphiQL for /graphql: npm packages pinned in playground/package-lock.json, bundled into api/static/graphiql/.
GRAPHIQL := api/static/graphiql/playground.js

playground/node_modules/.package-lock.json: playground/package.json playground/package-lock.json
	npm ci --prefix playground --no-audit --no-fund

$(GRAPHIQL): playground/node_modules/.package-lock.json playground/build.mjs playground/src/main.jsx
	npm run --prefix playground build

# Real JavaScript clients the tests drive (Apollo Client, graphql-http's audit), pinned in tests/node.
NODE_TESTS := tests/node/node_modules/.package-lock.json

$(NODE_TESTS): tests/node/package.json tests/node/package-lock.json
	npm ci --prefix tests/node --no-audit --no-fund

install: $(BIN)/parley $(GRAPHIQL)

serve: install
	$(BIN)/parley serve --host $(HOST) --port $(PORT)

test: install $(NODE_TESTS)
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check schema api tests bench tools
	$(BIN)/mypy

validate: install
	$(BIN)/parley validate

coverage: install
	$(BIN)/parley coverage

# Not a test: parley as shipped vs fast paths off vs a raw Starlette limit, driven by Debian's wrk
# (installed if missing); about 15 minutes. Writes bench/results/bench.{json,md,png}.
$(VENV)/.bench-deps: $(BIN)/parley pyproject.toml
	$(BIN)/python -m pip install -q -e ".[dev,bench]"
	touch $@

bench: install $(VENV)/.bench-deps
	$(BIN)/python -m bench.run

# Not a test: 60 s at 64 connections against a real `parley serve`; writes bench/results/load.{json,md}.
load: install
	$(BIN)/python bench/load.py
