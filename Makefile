# Hearth: `make run` serves the site with demo content; `make test` runs lint, the type check
# and the suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
REDIS_TEST_URL ?= redis://127.0.0.1:6379/0
HOST ?= 127.0.0.1
# Test processes (pytest-xdist); each gets its own database and Redis key prefix.
TEST_WORKERS ?= 2
PORT ?= 8000
# `make serve`: a signing key made on first use, kept out of git (used when SECRET_KEY is unset).
SECRET_KEY_FILE := .secret_key

.PHONY: run serve test test-fast lint typecheck format lock migrate messages catalogs demo bench bench-chat bench-referrals bench-survey bench-pages clean
# pip-compile reads PyPI only (not this machine's local wheel folders), so the hashes in
# the lock files are those of the files on PyPI.
LOCK := PIP_FIND_LINKS= PIP_CONFIG_FILE=/dev/null $(BIN)/pip-compile --quiet --generate-hashes \
	--allow-unsafe --strip-extras --index-url https://pypi.org/simple --no-emit-index-url

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Every file installed is checked against the lock's hashes.
$(VENV)/.installed: $(BIN)/activate requirements.txt pyproject.toml
	$(PY) -m pip install --quiet --require-hashes -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.txt
	touch $@

# Re-compile the hash-locked requirements after changing requirements*.in.
lock: $(VENV)/.installed-dev
	$(LOCK) --output-file requirements.txt requirements.in
	$(LOCK) --output-file requirements-dev.txt requirements-dev.in

# The translation catalogs compiled to .mo files in pure Python (babel): no GNU gettext needed.
catalogs: $(VENV)/.installed
	$(PY) -m hearth.catalogs

migrate: catalogs
	DEBUG=true $(PY) manage.py migrate --noinput

# Update the catalogs (locale/<language>/LC_MESSAGES/django.po, djangojs.po) from the
# marked strings; needs GNU gettext (xgettext, msgmerge). See docs/i18n.md.
MESSAGES_IGNORE := --ignore=.venv --ignore=bench --ignore=tests --ignore=node_modules \
	--ignore=staticfiles --ignore=hearth.egg-info
messages: $(VENV)/.installed
	DEBUG=true $(PY) manage.py makemessages --no-obsolete --add-location=file $(MESSAGES_IGNORE) \
		-l en_GB -l et -l lv -l lt -l uk
	DEBUG=true $(PY) manage.py makemessages --no-obsolete --add-location=file $(MESSAGES_IGNORE) \
		-d djangojs -l en_GB -l et -l lv -l lt -l uk
	$(PY) -m hearth.catalogs --english
	$(PY) -m hearth.catalogs

demo: migrate
	DEBUG=true $(PY) manage.py load_demo

# The same server as production (uvicorn), one process, reloading when a source file changes.
run: demo
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	DEBUG=true $(BIN)/uvicorn hearth.asgi:application --host $(HOST) --port $(PORT) \
		--ws websockets-sansio --reload --reload-dir site --reload-dir community \
		--reload-dir referrals --reload-dir recognition --reload-dir blog --reload-dir survey --reload-include '*.html' --log-level warning

# The production shape on this machine, DEBUG off: uvicorn workers, the task worker and one
# scheduler under honcho (Procfile). Safe local values fill in what production must set;
# DATABASE_URL, REDIS_URL and the rest are used when set. See docs/deploy.md.
serve: $(VENV)/.installed
	@set -e; \
	if [ -z "$$SECRET_KEY" ]; then \
		if [ ! -s $(SECRET_KEY_FILE) ]; then \
			(umask 077; $(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > $(SECRET_KEY_FILE)); \
		fi; \
		SECRET_KEY=$$(cat $(SECRET_KEY_FILE)); \
	fi; \
	if [ -z "$$WEB_WORKERS" ]; then \
		if [ -n "$$REDIS_URL" ]; then WEB_WORKERS=2; else \
			WEB_WORKERS=1; \
			echo "REDIS_URL is unset: one web process (the in-memory channel layer and cache do not cross processes)."; \
		fi; \
	fi; \
	export SECRET_KEY WEB_WORKERS DEBUG=false HOST="$(HOST)" PORT="$(PORT)" \
		ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}" \
		HTTPS="$${HTTPS:-false}" \
		BASE_URL="$${BASE_URL:-http://$(HOST):$(PORT)}" \
		TASKS_BACKEND="$${TASKS_BACKEND:-django_tasks_db.DatabaseBackend}" \
		PATH="$(CURDIR)/$(BIN):$$PATH"; \
	$(PY) -m hearth.catalogs; \
	$(PY) manage.py migrate --noinput; \
	$(PY) manage.py collectstatic --noinput --verbosity 0; \
	echo "Serving on http://$(HOST):$(PORT)/ with $$WEB_WORKERS web process(es), the task worker and the scheduler (Ctrl-C stops all)"; \
	ulimit -n "$$(ulimit -Hn)" 2>/dev/null || true; \
	exec $(BIN)/honcho start -f Procfile

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	HEARTH_TESTING=true $(PY) manage.py makemigrations --check --dry-run
	HEARTH_TESTING=true $(PY) manage.py check

# mypy reads site/ as the package hearth through a link (pyproject's mypy_path); the Django
# plugin loads the settings, which need no secrets when HEARTH_TESTING is set.
typecheck: $(VENV)/.installed-dev
	mkdir -p .mypy_cache/hearth-path
	ln -sfn ../../site .mypy_cache/hearth-path/hearth
	HEARTH_TESTING=true $(BIN)/mypy

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The suite on the embedded defaults (SQLite, in-memory channel layer), then again on
# PostgreSQL and Redis where they answer. The browser journeys run on the embedded
# defaults beside that second pass: they mostly wait for Chromium, the second pass for
# the database, and one after the other they took a third longer.
test: lint typecheck
	$(BIN)/pytest -n $(TEST_WORKERS) -m "not e2e" --durations=25
	@if $(PY) scripts/services_up.py "$(PG_URL)" "$(REDIS_TEST_URL)"; then \
		echo "== Browser journeys (embedded defaults), and beside them the suite again on PostgreSQL and Redis =="; \
		$(BIN)/pytest -n $(TEST_WORKERS) -m e2e --durations=10 > .journeys.log 2>&1 & journeys=$$!; \
		DATABASE_URL="$(PG_URL)" REDIS_URL="$(REDIS_TEST_URL)" $(BIN)/pytest -n $(TEST_WORKERS) -m "not e2e" --durations=25; again=$$?; \
		wait $$journeys; browser=$$?; \
		echo "== Browser journeys (embedded defaults) =="; cat .journeys.log; rm -f .journeys.log; \
		test $$again -eq 0 && test $$browser -eq 0; \
	else \
		echo "== SKIPPED: PostgreSQL ($(PG_URL)) or Redis ($(REDIS_TEST_URL)) does not answer; the suite runs on the embedded defaults only =="; \
		$(BIN)/pytest -n $(TEST_WORKERS) -m e2e --durations=10; \
	fi

# The quick lane while working: everything but the slow tests (browser journeys, real
# servers, the URL walker); `make test` runs them all.
test-fast: $(VENV)/.installed-dev
	$(BIN)/pytest -n $(TEST_WORKERS) -m "not slow"

bench: bench-chat bench-referrals bench-survey bench-pages

bench-chat: $(VENV)/.installed-dev
	$(PY) -m bench.chat_fanout

# Chat at scale (bench/chat_fanout/README.md, SCALE.md): the fan-out ceiling, 300 rooms on
# Redis, 10,000 idle sockets, a deploy's reconnect storm, presence with 1,000 members; each
# scenario also runs alone: `$(PY) -m bench.chat_fanout --scenario rooms`.
.PHONY: bench-chat-scale
bench-chat-scale: $(VENV)/.installed-dev
	$(PY) -m bench.chat_fanout --scenario ceiling
	$(PY) -m bench.chat_fanout --scenario rooms
	$(PY) -m bench.chat_fanout --scenario idle
	$(PY) -m bench.chat_fanout --scenario stampede
	$(PY) -m bench.chat_fanout --scenario presence

bench-referrals: $(VENV)/.installed-dev
	$(PY) -m bench.referrals

bench-survey: $(VENV)/.installed-dev
	$(PY) -m bench.survey

# Hot pages against a minimal view and django-machina (in its own bench/pages/machina/.venv).
bench-pages: $(VENV)/.installed-dev
	$(PY) -m bench.pages

# Soak with locust (installed into its own bench/soak/.venv): SOAK_MINUTES=10 SOAK_USERS=60
# SOAK_WORKERS=2 DATABASE_URL (default: scratch hearth_soak) REDIS_URL; see bench/README.md.
.PHONY: bench-soak
bench-soak: $(VENV)/.installed-dev
	$(PY) -m bench.soak

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
