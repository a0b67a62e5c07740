# Each target creates .venv and installs what it needs, so each works alone
# on a fresh machine that has only Python 3.11.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean venv system-deps

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

venv: $(STAMP)

# Debian packages the real-server tests need (sshd, gpg, psql); root only.
system-deps:
	bash scripts/system-deps.sh

demo: $(STAMP)
	$(PY) cli.py demo

# Two workers: the tests wait on dbt and PostgreSQL as much as they compute
# (four were slower). loadscope keeps a module's tests on one worker, so a
# template or keyring it shares is made once (loadgroup ignored xdist_group
# marks with pytest 9). --durations=15 prints the slowest tests: each
# contributor sees the cost of what they add.
test: $(STAMP) system-deps lint
	$(PY) -m pytest -q -n 2 --dist loadscope --durations=15

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/sqlfluff lint models macros data-tests
	$(PY) cli.py dbt parse

bench: $(STAMP) system-deps
	$(PY) benchmarks/bench_landing.py
	$(PY) benchmarks/bench_sftp.py
	$(PY) benchmarks/bench_startup.py

clean:
	rm -rf $(VENV) .scorebridge target logs
