# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint validate summary bench loadtest chromium data clean messages opendata api

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt requirements-iati.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -r requirements-iati.txt
	touch $@

## Start the dashboard on the bundled data: http://localhost:8501
run: $(VENV)/.runtime
	$(BIN)/python -m ibcr_ui.serve --server.port $(PORT)

## Lint and run every test, browser tests included (installs Debian's chromium if missing).
test: $(VENV)/.dev chromium
	$(MAKE) --no-print-directory lint
	$(BIN)/frictionless validate data/datapackage.yaml
	$(BIN)/python -m pytest -n auto --maxprocesses 4 --dist loadfile

# Debian's chromium (browser tests, Kaleido) and poppler-utils (the packs' pages drawn as PNG in a test).
chromium:
	@[ -x /usr/bin/chromium ] && [ -x /usr/bin/pdftoppm ] || { $(SUDO) apt-get update -qq && \
		$(SUDO) apt-get install -y -qq chromium poppler-utils; }

## Style and architecture: ruff, and the import layers in pyproject.toml (import-linter).
lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports

## The public data as files, named with the version, in dist/: the Frictionless ZIP, the SQLite file, the IATI file.
opendata: $(VENV)/.runtime
	$(BIN)/python -m ibcr_opendata all --out dist

API_PORT ?= 8001

## The API: Datasette serving the public data read-only at http://localhost:8001/ibcr (follows new versions).
api: $(VENV)/.runtime
	$(BIN)/python -m ibcr_opendata api --port $(API_PORT)

validate: $(VENV)/.runtime
	$(BIN)/python -m ibcr_updates validate

summary: $(VENV)/.runtime
	$(BIN)/python -m ibcr_updates summary

## Benchmark against two floor pages; prints a table, writes benchmarks/results/latest.json (BENCH_ARGS="--quick").
bench: $(VENV)/.dev chromium
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/packs.py

## Loopback load test: 30 visitors clicking every 5-10 s for 2 minutes (LOAD_ARGS="--profile saturate", "--compare": 1 vs 2 processes behind nginx).
loadtest: $(VENV)/.dev
	$(BIN)/python tests/load/loadtest.py $(LOAD_ARGS)

## Regenerate the reference tables and the offline base map (needs npm once).
data: $(VENV)/.dev
	$(BIN)/python scripts/build_countries.py
	$(BIN)/python scripts/build_geometry.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts dist

MESSAGE_LANGS := en fr es

## Extract the message ids the code uses and update the catalogues (README "Translations").
messages: $(VENV)/.dev
	$(BIN)/pybabel extract -F babel.cfg --no-default-keywords -k t -k translate:2 -k translate_plural:2 -k tn -k pair \
		--sort-output -w 100 --project "IBCR dashboard" --version 1 \
		--copyright-holder "International Bureau for Children's Rights" \
		-o ibcr_present/locales/messages.pot .
	# Extraction cannot see ids built at run time nor plurals (ids are symbolic), and `update`
	# copies the template's comments: complete the template from en.po first (see the script).
	$(BIN)/python ibcr_present/locales/steps.py template
	for lang in $(MESSAGE_LANGS); do \
		$(BIN)/pybabel update -i ibcr_present/locales/messages.pot -d ibcr_present/locales -D messages -l $$lang --no-fuzzy-matching -w 100; \
	done
	# Babel drops the python-brace-format flag on reading (our ids have no braces): put it back.
	$(BIN)/python ibcr_present/locales/steps.py flags
