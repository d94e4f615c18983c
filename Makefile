# make run  - install what is missing, start Redis if none answers, then worker + web app
# make test - install what is missing, run the whole test suite (starts its own Redis)
# make bench - the benchmark (installs wrk and pdftotext with apt-get when they are missing)
VENV ?= .venv
PYTHON ?= python3
PORT ?= 8000
BIN := $(VENV)/bin

.PHONY: install run test lint bench samples clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

run: install
	PYTHONPATH=. $(BIN)/python scripts/ensure_redis.py
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start --procfile Procfile --port $(PORT)

test: install
	$(BIN)/python -m pytest

bench: install
	scripts/install_missing.sh wrk:wrk pdftotext:poppler-utils
	$(BIN)/python -m bench.run

lint: install
	$(BIN)/ruff check .

samples: install
	$(BIN)/python samples/make_samples.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
