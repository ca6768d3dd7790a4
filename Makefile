# Every target sets up .venv itself; `make test` on a fresh machine needs only Python 3.11+ and make.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test console run lint bench reliability clean

# `make reliability` needs PostgreSQL (the restart test and the load bench): MAINTBOT_TEST_POSTGRES_URL, or this.
RELIABILITY_POSTGRES ?= $(or $(MAINTBOT_TEST_POSTGRES_URL),postgresql+psycopg://postgres@127.0.0.1:5432/test)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The suite runs on every core (at most 4: each worker has its own databases and servers).
test: $(STAMP)
	$(BIN)/ruff check bot storage tests bench
	$(BIN)/python -m pytest -q -n auto --maxprocesses 4

console: $(STAMP)
	$(BIN)/maintbot db upgrade
	$(BIN)/maintbot demo --if-empty
	$(BIN)/maintbot console

run: $(STAMP)
	$(BIN)/maintbot run

lint: $(STAMP)
	$(BIN)/ruff check bot storage tests bench

# Figures and ratios against floors measured in the same run (bench/README.md); each prints its targets.
BENCHES := list_and_stats api_http list_orderings flood_while_acking slack_roundtrip jobs_tick series status_page
# Every bench runs even when an earlier one misses a target; the target fails at the end if any missed.
bench: $(STAMP)
	@missed=""; for bench in $(BENCHES); do $(BIN)/python bench/$$bench.py || missed="$$missed $$bench"; done; \
	if [ -n "$$missed" ]; then echo "missed a target or a check:$$missed"; exit 1; fi

# Faults, attacks and load (README, "Reliability"). Restarts the local PostgreSQL server: run it alone.
reliability: $(STAMP)
	$(BIN)/ruff check bot storage tests bench
	MAINTBOT_TEST_POSTGRES_URL=$(RELIABILITY_POSTGRES) MAINTBOT_REQUIRE_POSTGRES=1 \
		$(BIN)/python -m pytest -q tests/reliability -m "disruptive or not disruptive"
	MAINTBOT_BENCH_POSTGRES_URL=$(RELIABILITY_POSTGRES) $(BIN)/python bench/reliability_load.py

clean:
	rm -rf $(VENV) *.egg-info
