# Two commands for a fresh machine with only python3 and make: `make report` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
YEAR ?= 2021

.PHONY: report test lab lint format lock clean-venv

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --timeout 180 --retries 5 --upgrade pip
	$(BIN)/python -m pip install --quiet --timeout 180 --retries 5 -c requirements.lock -e ".[dev]"
	touch $(STAMP)

report: $(STAMP)
	$(BIN)/qz render --year $(YEAR)

test: $(STAMP)
	$(BIN)/ruff check qzanalysis tests benchmarks
	$(BIN)/python -m pytest -q

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks

lint: $(STAMP)
	$(BIN)/ruff check qzanalysis tests benchmarks
	$(BIN)/ruff format --check qzanalysis tests benchmarks

format: $(STAMP)
	$(BIN)/ruff format qzanalysis tests benchmarks
	$(BIN)/ruff check --fix qzanalysis tests benchmarks

# Re-pin every dependency (run deliberately, then commit requirements.lock).
lock: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' > requirements.lock

clean-venv:
	rm -rf $(VENV)
