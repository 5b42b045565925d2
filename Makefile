# Every target bootstraps its own virtual environment from pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint format clean docs system-deps assets image bytecode

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP) system-deps assets bytecode
	$(BIN)/equitrack demo --out demo

# equitrack's modules compiled ahead, as pip compiles an installed package's: an editable
# install is not, and where Python is told not to write bytecode (PYTHONDONTWRITEBYTECODE)
# every command would compile them again (a tenth of a second of `equitrack wres`)
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q src

system-deps:
	./scripts/system-deps

# the dashboard's NHS.UK frontend and axe-core files, from web/package-lock.json
assets:
	./scripts/web-assets

# the dashboard's container image from the Dockerfile (needs a Docker engine), tagged with the
# package's version and latest; docs/deploy.md says how to run it
image:
	version="$$($(PYTHON) -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')" && \
	docker build -t "equitrack:$$version" -t equitrack:latest .

test: $(STAMP) system-deps assets bytecode
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -q -n 2 --dist loadgroup --durations=25

bench: $(STAMP) system-deps assets bytecode
	$(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

docs: $(STAMP)
	$(BIN)/python -m equitrack.model.docs docs/data-model.md
	$(BIN)/python -m equitrack.measures.docs docs/measures.md

clean:
	rm -rf $(VENV) demo out rejects .pytest_cache .ruff_cache
