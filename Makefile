# luoshi-analysis — run `make help` for the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
LOCK := requirements.lock
# make install puts everything in one environment: the library, the tests and JupyterLab
EXTRAS := test,lab,dask
KERNEL_NAME := luoshi-analysis
KERNEL_DISPLAY_NAME := Python (luoshi-analysis)
KERNEL_INSTALL = $(BIN)/python -m ipykernel install --name $(KERNEL_NAME) --display-name "$(KERNEL_DISPLAY_NAME)"
# extra options for `jupyter lab`, e.g. make lab LAB_ARGS="--port 8890 --no-browser"
LAB_ARGS ?=
# Lab serves the project folder (data/processed to review, outputs/ to look at) and opens
# its file browser in notebooks/
LAB_OPTIONS := --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/notebooks
# jupyter lab refuses to start as root (containers, fresh servers) unless told
LAB_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
# the lock is resolved once for every Python the project accepts, from the lowest one up
LOCK_PYTHON := 3.11
LOCK_ARGS ?=
# the collection make report and make validate build and check: every unit of data/ (the seed
# town at its top, the demo units beside it), or $LUOSHI_COLLECTION / $LUOSHI_DATA_DIR when set
COLLECTION ?= $(or $(LUOSHI_COLLECTION),$(LUOSHI_DATA_DIR),data)
# pytest-xdist workers: one per core
TEST_WORKERS ?= auto

.PHONY: help install venv-deps kernel report validate test test-fast lint lab browser-deps lock clean

help: ## Show the targets and what they do
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

$(STAMP): pyproject.toml $(LOCK) setup.py
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "luoshi-analysis needs Python >= 3.11; $(PYTHON) is $$($(PYTHON) -V)"; exit 1; }
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { rm -rf $(VENV); \
		echo "$(PYTHON) could not create $(VENV) (no ensurepip): needs python3-venv"; \
		$(MAKE) --no-print-directory venv-deps && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e '.[$(EXTRAS)]'
	@# the project kernel inside .venv: papermill and jupyter run from .venv find it, ~ is untouched
	$(KERNEL_INSTALL) --sys-prefix >/dev/null
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install the package, tests and JupyterLab from the lock

venv-deps: ## Install Debian's python3-venv, which `python3 -m venv` needs (root)
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		v=$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
		echo "installing python3-venv python$$v-venv"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			python3-venv "python$$v-venv" >/dev/null; \
	else \
		echo "run: sudo apt-get install python3-venv (or use a Python that has venv and ensurepip)"; exit 1; \
	fi

kernel: install ## Register the project kernel for this user (~/.local/share/jupyter): any JupyterLab finds it
	$(KERNEL_INSTALL) --user

report: install ## Validate the data and build every unit's and year's reports into outputs/
	$(BIN)/luoshi --collection "$(COLLECTION)" validate
	$(BIN)/luoshi --collection "$(COLLECTION)" run

validate: install ## Check every unit's tables, raw-file hashes and accounting identities
	$(BIN)/luoshi --collection "$(COLLECTION)" validate

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

test: lint browser-deps ## Lint, layers and types, then every test on every core (notebooks, Lab, browser, install)
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

test-fast: lint ## Lint, layers and types, then the tests that run no notebook and no browser (< 30 s)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) -m "not slow and not browser"

lint: install ## ruff, the layers contract (lint-imports) and the type check (mypy)
	$(BIN)/ruff check luoshi_analysis tests benchmarks
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

lab: kernel ## Start JupyterLab in the project folder, open at notebooks/, with the project kernel (LAB_ARGS="...")
	PATH="$(abspath $(BIN)):$$PATH" $(abspath $(BIN))/jupyter lab $(LAB_ROOT) $(LAB_OPTIONS) $(LAB_ARGS)

lock: ## Re-resolve requirements.lock for every Python >= 3.11 (LOCK_ARGS=--upgrade for newest)
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet 'uv>=0.5'
	.lock-venv/bin/uv pip compile pyproject.toml --universal --python-version $(LOCK_PYTHON) \
		--extra test --extra lab --extra dask --custom-compile-command "make lock" --quiet $(LOCK_ARGS) -o $(LOCK)
	rm -rf .lock-venv

clean: ## Remove outputs/ and the virtual environment
	rm -rf outputs/* $(VENV)
