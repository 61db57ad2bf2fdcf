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

# The course environment includes the 'distributed' extra: lesson 02's sweeps return xarray
# Datasets and can run on a local Dask cluster.
$(LAB_STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install -e ".[distributed]"
	touch $@

$(TEST_STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install -e ".[test]"
	touch $@ $(LAB_STAMP)

# JupyterLab refuses to start as root unless told; containers and course servers often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(LAB_STAMP)
	$(BIN)/jupyter lab $(ROOT_FLAG) notebooks/00_welcome.ipynb

# voila.json (read from this directory) leaves out two JupyterLab extensions whose front ends
# need a newer JupyterLab core than Voila's page provides.
app: $(LAB_STAMP)
	$(BIN)/voila notebooks/

test: $(TEST_STAMP) lint pytest jstest

lint: $(TEST_STAMP)
	$(BIN)/ruff check .

pytest: $(TEST_STAMP)
	$(BIN)/python -m pytest

jstest:
	node --test js/widgets/test/

benchmarks: $(LAB_STAMP)
	for script in benchmarks/bench_*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache .ruff_cache
