# luoshi-analysis — run `make help` for the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
LOCK := requirements.lock

.PHONY: help install report validate test lint lab browser-deps lock clean

help: ## Show the targets and what they do
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

$(STAMP): pyproject.toml $(LOCK) setup.py
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "luoshi-analysis needs Python >= 3.11; $(PYTHON) is $$($(PYTHON) -V)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e '.[test]'
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install the package with its locked dependencies

report: install ## Validate the data and build every year's reports into outputs/
	$(BIN)/luoshi validate
	$(BIN)/luoshi run

validate: install ## Check the tables, the raw-file hashes and the accounting identities
	$(BIN)/luoshi validate

browser-deps: ## Install Debian's chromium, CJK fonts and LibreOffice Calc for the browser and workbook tests (root)
	@if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "Noto Sans CJK" && \
		fc-list 2>/dev/null | grep -qi "WenQuanYi Zen Hei" && command -v libreoffice >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing chromium, fonts-noto-cjk, fonts-wqy-zenhei and libreoffice-calc-nogui"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk fonts-wqy-zenhei >/dev/null && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui >/dev/null; \
	else \
		echo "browser and workbook tests need: sudo apt-get install chromium fonts-noto-cjk fonts-wqy-zenhei libreoffice-calc-nogui"; exit 1; \
	fi

test: install browser-deps ## Run the whole test suite (lint, data, notebooks, browser)
	$(BIN)/ruff check luoshi_analysis tests benchmarks
	$(BIN)/python -m pytest

lint: install ## Run ruff only
	$(BIN)/ruff check luoshi_analysis tests benchmarks

lab: install ## Start JupyterLab in the project's environment, with its kernel
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e '.[lab]'
	$(BIN)/python -m ipykernel install --sys-prefix --name luoshi-analysis --display-name "Python (luoshi-analysis)"
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/jupyter lab notebooks/

lock: ## Re-resolve dependencies into requirements.lock (maintainers)
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet '.[test,lab]'
	.lock-venv/bin/python -m pip freeze --exclude luoshi-analysis > $(LOCK)
	rm -rf .lock-venv

clean: ## Remove outputs/ and the virtual environment
	rm -rf outputs/* $(VENV)
