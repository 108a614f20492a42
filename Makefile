# Linli: `make run` serves the demo on SQLite; `make test` runs the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PORT ?= 8000
export PATH := $(HOME)/.local/bin:$(PATH)
UV := $(shell command -v uv 2>/dev/null || echo uv)
RUN := $(UV) run --frozen
APT_PACKAGES := fonts-noto-cjk chromium poppler-utils gettext libpango-1.0-0 libpangoft2-1.0-0

.PHONY: help run test deps uv sysdeps static messages migrate lint ci clean

help:
	@echo "make run    install, migrate, load the demo when empty, serve on http://127.0.0.1:$(PORT)"
	@echo "make test   install dev dependencies and system packages, run the whole suite"

uv:
	@command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet --user uv || python3 -m pip install --quiet --break-system-packages uv

deps: uv
	$(UV) sync --frozen --quiet
	@[ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --silent

# System packages the suite needs (Chinese fonts, chromium for browser tests, poppler, gettext).
sysdeps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

messages: deps
	@command -v msgfmt >/dev/null 2>&1 || $(MAKE) --no-print-directory sysdeps
	$(RUN) linli manage compilemessages --ignore=.venv --ignore=node_modules -v0

static: deps
	$(RUN) linli manage collectstatic --noinput -v0

migrate: deps
	@mkdir -p var
	$(RUN) linli migrate -v0

run: deps messages static migrate
	$(RUN) linli demo --if-empty
	@echo ""
	@echo "  Linli is running on http://127.0.0.1:$(PORT)"
	@echo "  Demo logins (password Linli@2026): gm, gm_assistant, hr_manager, eng_manager, hq_supervisor,"
	@echo "  researcher, receptionist, and per community ch_/jg_/bj_ + manager, supervisor, steward1, steward2, reception"
	@echo ""
	PORT=$(PORT) $(RUN) linli serve

test: deps sysdeps messages
	$(RUN) pytest

lint: deps
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy linli
	$(RUN) linli manage makemigrations --check --dry-run

ci:
	bash .ci/run

clean:
	rm -rf var staticfiles .pytest_cache .mypy_cache .ruff_cache
