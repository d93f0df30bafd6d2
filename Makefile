# p2pboard: `make run` serves the app on its embedded default; `make test` proves it works.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PORT ?= 8000
UV_VERSION := 0.13.9
PYTHON ?= $(shell scripts/find-python)
UV := .tools/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv

.PHONY: help python-check run test lint bench bench-quick screenshots clean

help:
	@echo "make run    serve p2pboard at http://127.0.0.1:$(PORT) (SQLite, no servers needed)"
	@echo "make test   lint, type-check and run every test (installs and starts what it needs)"
	@echo "make bench  the benchmark, ~20 min (make bench-quick: ~6 min; see benchmarks/README.md)"
	@echo "make clean  remove the virtual environment and the tools (keeps ./data)"

python-check:
	@test -n "$(PYTHON)" || { scripts/find-python >/dev/null; exit 1; }

$(UV): | python-check
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# The app alone, from the lock file (leaves the test tools in place if they are there).
.venv/.app: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --no-dev --inexact --python $(PYTHON)
	touch $@

# The app and every tool the tests use, exactly as locked.
.venv/.dev: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	touch $@ .venv/.app

run: .venv/.app
	.venv/bin/python manage.py migrate --noinput -v 0
	.venv/bin/python manage.py demo --url http://127.0.0.1:$(PORT)
	.venv/bin/python -m p2pboard.serve --port $(PORT)

test: .venv/.dev
	scripts/test

# Not part of `make test`: loads the machine for minutes. Installs PostgreSQL, Redis and
# Chromium like `make test`. ARGS go to benchmarks/run.py, e.g. ARGS="--only a,b".
bench: .venv/.dev
	scripts/system-packages
	.venv/bin/python -m benchmarks.run $(ARGS)

# Ends with the regression guard: the figures that moved since benchmarks/baseline.json by
# more than their noise (GUARD=--strict: fail when one moved for the worse).
bench-quick: .venv/.dev
	scripts/system-packages
	.venv/bin/python -m benchmarks.run --quick $(ARGS)
	.venv/bin/python -m benchmarks.guard $(GUARD)

# Screenshots of every step of the agenda at laptop and phone size, for docs/facilitating.md and
# the README: a whole workshop run in Chromium (as the browser tests start it) on the embedded
# default, under a minute. ARGS go to scripts/screenshots.py, e.g. ARGS="--out /tmp/shots".
screenshots: .venv/.dev
	.venv/bin/python scripts/screenshots.py $(ARGS)

lint: .venv/.dev
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy .

clean:
	rm -rf .venv .tools
