# 物业管理系统 (property-management suite on Tryton 8.0): build, demo and tests.
#
#   make demo        build everything on a fresh clone, then serve the demo
#   make test        run every test; the last line is "N passed, N failed, N skipped"
#
# Subsets: ADDONS restricts the addons (for `make test` and for a new demo
# database), TESTS filters test ids (substring or shell pattern, like
# `unittest -k`); add the word `tests` to ADDONS to keep the top-level tests:
#   make test ADDONS=pm_estate
#   make test ADDONS="pm_customer tests" TESTS='*scenario* test_browser'
#   make test ADDONS=tests                       (only tests/test_*.py)
# Other knobs: DB=pm_demo SCALE=1.0 (demo size) V=1 (verbose test output)
# JOBS=2 (test processes; JOBS=1 runs the tests in one process).
# `make help` lists the targets. Everything generated goes to .venv/ and var/.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
DB ?= pm_demo
SCALE ?= 1.0
SAO_VERSION ?= 8.0
# cached test databases (one folder per state of the addons)
DB_CACHE ?= $(CURDIR)/var/dbcache
URL := http://127.0.0.1:8000/

VAR := $(CURDIR)/var
DB_DIR := $(VAR)/db
DB_FILE := $(DB_DIR)/$(DB).sqlite
DB_UPDATED := $(DB_DIR)/$(DB).updated
SAO_DIR := $(VAR)/sao
SAO_STAMP := $(SAO_DIR)/.installed
# sao's own zh_CN strings completed from sao-locale/*.po (make sao)
SAO_LOCALE := $(SAO_DIR)/.locale
VENV_STAMP := $(VENV)/.installed

# trytond 8.0 opens "/var/db" for a relative SQLite path: give absolute ones
TRYTOND_ENV := TRYTOND_DATABASE__PATH=$(DB_DIR) TRYTOND_WEB__ROOT=$(SAO_DIR)

ADDON_NAMES := $(sort $(patsubst addons/%/tryton.cfg,%,$(wildcard addons/*/tryton.cfg)))
ADDON_SOURCES := $(wildcard addons/*/tryton.cfg addons/*/*.py addons/*/*.xml \
	addons/*/view/*.xml addons/*/locale/*.po addons/*/locale/override/*.po \
	addons/*/*.fodt addons/*/*.odt)
# var/addons.list changes only when an addon is added or removed: then the
# suite must be installed again (setup.py registers addons/*/tryton.cfg)
$(shell mkdir -p var && { echo '$(ADDON_NAMES)' | cmp -s - var/addons.list \
	|| echo '$(ADDON_NAMES)' > var/addons.list; })

.PHONY: help demo serve demo-db demo-update demo-reset venv sao test clean distclean demo-pg

help: ## list the targets
	@echo "Targets (run from the repository root):"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) \
		| awk -F':.*## ' '{ printf "  make %-12s %s\n", $$1, $$2 }'
	@echo "Variables: DB=$(DB) SCALE=$(SCALE) ADDONS=<addons> TESTS=<patterns> V=1"

demo: demo-db demo-update sao ## build venv, sao and the demo database if needed, then serve on 127.0.0.1:8000
	@$(MAKE) serve

serve: $(VENV_STAMP) $(SAO_STAMP) $(SAO_LOCALE) ## serve the existing database DB on 127.0.0.1:8000 (Ctrl-C stops)
	@test -f $(DB_FILE) || { echo "no database $(DB_FILE): run make demo-db"; exit 1; }
	@$(PY) -m demo --url $(URL) --database $(DB)
	$(TRYTOND_ENV) exec $(VENV)/bin/trytond -c trytond.conf -d $(DB)

PG_PORT ?= 5433
demo-pg: $(VENV_STAMP) $(SAO_STAMP) ## the demo on PostgreSQL (var/pg, port PG_PORT): gunicorn, worker and cron on 127.0.0.1:8000
	$(PY) deploy/demo_pg.py --database $(DB) --scale $(SCALE) --pg-port $(PG_PORT)

venv: $(VENV_STAMP) ## create .venv and install requirements.txt and the suite (editable)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV_STAMP): requirements.txt pyproject.toml setup.py var/addons.list | $(VENV)/bin/python
	$(PIP) install -q -r requirements.txt
	$(PIP) install -q -e .
	@touch $@

sao: $(SAO_STAMP) $(SAO_LOCALE) ## install the sao web client 8.0.x from npm into var/sao

$(SAO_STAMP):
	@command -v npm >/dev/null || { echo "npm is required (Node.js >= 18)"; exit 1; }
	rm -rf $(VAR)/sao.tmp && mkdir -p $(VAR)/sao.tmp
	cd $(VAR) && tgz=$$(npm pack --silent tryton-sao@$(SAO_VERSION) | tail -n 1) \
		&& tar -xzf "$$tgz" -C sao.tmp --strip-components=1 && rm -f "$$tgz"
	cd $(VAR)/sao.tmp && npm install --omit=dev --legacy-peer-deps \
		--no-audit --no-fund --loglevel=error
	touch $(VAR)/sao.tmp/custom.js $(VAR)/sao.tmp/custom.css
	rm -rf $(SAO_DIR) && mv $(VAR)/sao.tmp $(SAO_DIR)
	@touch $@

# sao loads locale/<lang>.json: merge the completed zh_CN strings into it
$(SAO_LOCALE): $(SAO_STAMP) $(wildcard sao-locale/*.po sao-locale/*.js) sao-locale/apply.py | $(VENV_STAMP)
	$(PY) sao-locale/apply.py $(SAO_DIR)
	@fc-list :lang=zh family 2>/dev/null | grep -q . || echo "warning: no Chinese \
		font (apt-get install fonts-noto-cjk): PDF reports print Chinese as boxes"
	@touch $@

demo-db: $(DB_FILE) ## create the demo database var/db/DB.sqlite unless it exists

$(DB_FILE): | $(VENV_STAMP)
	$(TRYTOND_ENV) $(PY) scripts/create_db.py -c trytond.conf -d $(DB) --scale $(SCALE)
	@touch $(DB_UPDATED)

demo-update: $(DB_UPDATED) ## update the demo database after the addons changed (trytond-admin -u)

$(DB_UPDATED): $(ADDON_SOURCES) | $(DB_FILE) $(VENV_STAMP)
	$(TRYTOND_ENV) $(VENV)/bin/trytond-admin -c trytond.conf -d $(DB) \
		-u $(or $(ADDONS),$(ADDON_NAMES)) --activate-dependencies
	@touch $@

demo-reset: ## delete the demo database and build it again, then serve
	rm -f $(DB_FILE) $(DB_FILE)-wal $(DB_FILE)-shm $(DB_UPDATED)
	@$(MAKE) demo

test: $(VENV_STAMP) $(SAO_STAMP) $(SAO_LOCALE) ## run all tests (ADDONS=..., TESTS=... for a subset)
	TRYTOND_DATABASE_URI=sqlite:// DB_NAME=:memory: DB_CACHE=$(DB_CACHE) $(if $(JOBS),JOBS=$(JOBS)) \
		$(PY) tests/run_all.py $(if $(V),-v)

clean: ## remove test caches, screenshots and __pycache__ (keeps .venv, sao and the demo database)
	rm -rf $(VAR)/dbcache $(VAR)/test-cache $(VAR)/screenshots
	find . -name __pycache__ -type d -not -path './$(VENV)/*' -prune -exec rm -rf {} +

distclean: clean ## remove everything generated: .venv and var/ (the demo database too)
	rm -rf $(VENV) $(VAR)
