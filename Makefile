# Two commands for a fresh machine with only python3 and make: `make report` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
YEAR ?= 2021
# The pip that installs the lock (pinned: a new pip may change resolution or drop an option).
PIP_VERSION := 26.3
PIP := $(BIN)/python -m pip --timeout 180 --retries 5

.PHONY: report test lab lint typecheck format lock clean-venv python-version

# The locked dependencies install on Python 3.11.5–3.14 (see requires-python in pyproject.toml).
python-version:
	@$(PYTHON) -c 'import sys; v = sys.version_info[:3]; sys.exit(0 if (3, 11, 5) <= v < (3, 15) else 1)' \
	  || { echo "需要 Python 3.11.5 到 3.14（现为 $$($(PYTHON) --version 2>&1)）：可用 make PYTHON=python3.12 …" >&2; exit 1; }

$(STAMP): pyproject.toml requirements.lock | python-version
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet pip==$(PIP_VERSION)
	$(PIP) install --quiet -c requirements.lock -e ".[dev]"
	touch $(STAMP)

report: $(STAMP)
	$(BIN)/qz render --year $(YEAR)

test: $(STAMP)
	$(BIN)/ruff check qzanalysis tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks

lint: $(STAMP)
	$(BIN)/ruff check qzanalysis tests benchmarks
	$(BIN)/ruff format --check qzanalysis tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format qzanalysis tests benchmarks
	$(BIN)/ruff check --fix qzanalysis tests benchmarks

# Re-pin every dependency (run deliberately, then commit requirements.lock).
lock: $(STAMP)
	$(PIP) freeze --all --exclude-editable | grep -v -e '^-e' -e '^pip==' > requirements.lock

clean-venv:
	rm -rf $(VENV)
