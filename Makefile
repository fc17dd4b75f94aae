# Two commands on a fresh machine: `make demo` (set up, then crawl the sample web) and `make test`.
VENV ?= .venv
DATA ?= data
PYTHON ?= python3

.PHONY: setup demo test bench

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $@

setup: $(VENV)/.installed
	scripts/system-packages

demo: setup
	$(VENV)/bin/nianbao demo --data $(DATA)

# One process: the crash and kill tests time real crawls, and a second test process on a
# two-core machine starves them.
test: setup
	$(VENV)/bin/pytest

bench: setup
	$(VENV)/bin/nianbao bench
