# Two commands do all the set-up: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PY := .venv/bin/python
STAMP := .venv/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: run test test-pg test-browser bench lint messages install clean

$(STAMP): pyproject.toml scripts/setup-venv
	@scripts/setup-venv

install: $(STAMP)
	@$(PY) manage.py compilemessages --ignore=.venv -v 0

run: install
	@scripts/run

test: install
	$(PY) -m pytest -q

# The same suite on PostgreSQL + Redis with the PostgreSQL-only and real-worker tests (used by .ci/run).
test-pg: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/grantdesk} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/3} \
	RUN_POSTGRES_TESTS=1 RUN_WORKER_TESTS=1 $(PY) -m pytest -q

# Journeys in Debian's Chromium (/usr/bin/chromium, never a downloaded browser) with WCAG 2.1 AA scans.
test-browser: install
	RUN_BROWSER_TESTS=1 $(PY) -m pytest -q tests/browser

# Provincial scale on the local PostgreSQL: 100,000 applications, page timings and throughput (BENCHMARKS.md).
bench: install
	.venv/bin/python -m pip install -q -e '.[bench]'
	scripts/bench

lint: install
	.venv/bin/ruff check .

# Refresh the translation catalogues after changing user-facing strings.
messages: install
	$(PY) manage.py makemessages -l nl -l en --ignore=.venv --no-obsolete --add-location=file
	$(PY) manage.py compilemessages --ignore=.venv -v 0

clean:
	rm -rf .venv var
