# One command to run, one to test. Both work on a fresh machine with python3 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export HUB_ENV ?= dev
# `make run PORT=9000`: the port the hub serves on; in development its issuer (the audience partners put in
# their client assertions) follows it unless HUB_ISSUER is set. `make demo HUB_URL=http://127.0.0.1:9000`: the
# hub the demo talks to (without it, 127.0.0.1:8000, or a hub the demo starts itself when none answers there).
PORT   ?= 8000
HUB_URL ?=

.PHONY: run test demo check lint setup keys migrate bench clean

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
	HUB_ISSUER="$${HUB_ISSUER:-http://127.0.0.1:$(PORT)}" $(BIN)/hub serve --host 127.0.0.1 --port $(PORT)

test: setup lint
	$(BIN)/python -m pytest -n 2 -q

lint: $(STAMP)
	$(BIN)/ruff format --check hub partners tests bench
	$(BIN)/ruff check hub partners tests bench

demo: migrate
	$(BIN)/python -m partners.demo $(if $(HUB_URL),--hub-url $(HUB_URL))

bench: setup
	$(BIN)/python bench/policy.py
	$(BIN)/python bench/audit.py
	$(BIN)/python bench/exchange.py --quick

clean:
	rm -rf $(VENV) var certs/dev/*.pem certs/dev/*.json certs/dev/partners
