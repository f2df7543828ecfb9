# loyalty-research: `make reproduce` and `make test` are all a new user needs (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
# exact versions of every package (Python 3.11+, any platform); pyproject.toml keeps the floors
LOCK   := requirements.lock

.DEFAULT_GOAL := help
.PHONY: help env lock test reproduce paper gallery data lint clean

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

env: $(STAMP) ## create .venv and install the package with test and notebook tools, versions from the lock

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e ".[test,notebooks,dev]"
	touch $(STAMP)

lock: $(STAMP) ## re-pin requirements.lock to the newest versions pyproject.toml allows (then make env, make test)
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra test --extra notebooks --extra dev --universal \
		--python-version 3.11 --quiet -o $(LOCK)

test: $(STAMP) ## unit tests, reference tests and every notebook under nbval
	$(BIN)/python -m pytest tests src/loyalty_research --doctest-modules
	$(BIN)/python -m pytest --nbval-lax $(NOTEBOOKS)

reproduce: $(STAMP) ## check the data, run every notebook in order, compile paper/paper.pdf
	$(BIN)/loyalty-research reproduce

paper: $(STAMP) ## recompile paper/paper.pdf from the files the notebooks last wrote
	$(BIN)/loyalty-research paper

GALLERY := 03_jones_sasser 05_segment_slopes 08_noise 06_ecsi_paths

gallery: ## copy the README's figures from paper/figures (run make reproduce first)
	mkdir -p docs/gallery
	for f in $(GALLERY); do cp paper/figures/$$f.png docs/gallery/; done

data: $(STAMP) ## regenerate data/ from the simulator (byte-identical for the same seed)
	$(BIN)/loyalty-research data

lint: $(STAMP) ## ruff
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

clean: ## remove the environment and build outputs
	rm -rf $(VENV) build .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
