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

install: $(BIN)/parley

serve: install
	$(BIN)/parley serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check schema api tests
	$(BIN)/mypy

validate: install
	$(BIN)/parley validate

coverage: install
	$(BIN)/parley coverage
