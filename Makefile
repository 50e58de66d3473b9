# One command to run, one to test. Both work on a fresh machine with python3 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export HUB_ENV ?= dev

.PHONY: run test demo check lint typecheck setup keys migrate bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP) keys

keys: $(STAMP)
	$(BIN)/hub dev-keys

migrate: setup
	$(BIN)/hub migrate

run: migrate
	$(BIN)/hub serve --host 127.0.0.1 --port 8000

test: setup lint typecheck
	$(BIN)/python -m pytest -n 2 -q

lint: $(STAMP)
	$(BIN)/ruff format --check hub partners tests bench
	$(BIN)/ruff check hub partners tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

demo: migrate
	$(BIN)/python -m partners.demo

bench: setup
	$(BIN)/python bench/policy.py
	$(BIN)/python bench/audit.py
	$(BIN)/python bench/exchange.py --quick

clean:
	rm -rf $(VENV) var certs/dev/*.pem certs/dev/*.json certs/dev/partners
