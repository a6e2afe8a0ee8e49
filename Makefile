# VORI: the two commands are `make demo` and `make test`; `make up` / `make down` run the stack.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
VORI := $(VENV)/bin/vori
STAMP := $(VENV)/.installed

.PHONY: help install sysdeps jars up down status demo test lint typecheck pytest bench clean

help:
	@echo "make demo   - install, start the local stack, stream the sample meeting, print the minutes"
	@echo "make test   - install, then ruff, mypy and the whole test suite (starts its own Kafka/PostgreSQL)"
	@echo "make up     - start Kafka, PostgreSQL, gateway, flow, board, analytics in the background"
	@echo "make down   - stop everything 'make up' started"

sysdeps:
	@bash infra/sysdeps.sh

$(STAMP): pyproject.toml constraints.txt
	@bash infra/sysdeps.sh
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	# The speaker encoder's weights (resemblyzer's pretrained.pt, Apache-2.0) without its torch stack:
	# connectors/diarization.py runs them in numpy.
	$(PY) -m pip install --quiet --no-deps resemblyzer==0.1.4
	@touch $(STAMP)

install: $(STAMP)

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
