# One command to run, one to test. Both work on a fresh machine with python3 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Real OPA as the test oracle (tools/opa_oracle.py): a tool venv of its own, never a dependency of hub/.
OPA_VENV  := .venv-opa
OPA_STAMP := $(OPA_VENV)/.installed
export HUB_ENV ?= dev
# `make run PORT=9000`: the port the hub serves on; in development its issuer (the audience partners put in
# their client assertions) follows it unless HUB_ISSUER is set. `make demo HUB_URL=http://127.0.0.1:9000`: the
# hub the demo talks to (without it, 127.0.0.1:8000, or a hub the demo starts itself when none answers there).
PORT   ?= 8000
HUB_URL ?=

.PHONY: run test demo check lint typecheck setup keys migrate bench clean opa policy-test

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Front-end packages of the screens (package.json + package-lock.json), installed as locked; never committed.
NODE_STAMP := node_modules/.package-lock.json
$(NODE_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $(NODE_STAMP)

# opa-golib-python-bindings declares Requires-Python >=3.14 but runs on 3.11 (docs/POLICIES.md); pinned by hash.
$(OPA_STAMP): tools/opa-requirements.txt
	test -x $(OPA_VENV)/bin/python || $(PYTHON) -m venv $(OPA_VENV)
	$(OPA_VENV)/bin/python -m pip install --quiet --require-hashes --no-deps --ignore-requires-python \
		-r tools/opa-requirements.txt
	touch $(OPA_STAMP)

opa: $(OPA_STAMP)

setup: $(STAMP) $(NODE_STAMP) keys

keys: $(STAMP)
	$(BIN)/hub dev-keys

migrate: setup
	$(BIN)/hub migrate

run: migrate
	HUB_ISSUER="$${HUB_ISSUER:-http://127.0.0.1:$(PORT)}" $(BIN)/hub serve --host 127.0.0.1 --port $(PORT)

policy-test: setup opa
	$(BIN)/hub policy test

test: setup opa lint typecheck policy-test
	$(BIN)/python -m pytest -n 2 -q

lint: $(STAMP)
	$(BIN)/ruff format --check hub partners tests bench tools
	$(BIN)/ruff check hub partners tests bench tools

typecheck: $(STAMP)
	$(BIN)/mypy

demo: migrate
	$(BIN)/python -m partners.demo $(if $(HUB_URL),--hub-url $(HUB_URL))

bench: setup
	$(BIN)/python bench/policy.py
	$(BIN)/python bench/audit.py
	$(BIN)/python bench/exchange.py --quick
	$(BIN)/python bench/screens.py

clean:
	rm -rf $(VENV) $(OPA_VENV) var node_modules certs/dev/*.pem certs/dev/*.json certs/dev/partners
