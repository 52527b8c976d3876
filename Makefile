# Two entry points (see README): `make demo` and `make test`. Each installs what it needs.
SHELL := /bin/bash
PY ?= python3
TOOLS := .venv-tools
UV := $(TOOLS)/bin/uv
VENV := .venv
RUN := $(UV) run --frozen --no-progress
DEMO_DIR ?= demo-output
# The web app's tests run a second time on PostgreSQL and Redis (production's setup).
PG_URL ?= postgres://postgres@127.0.0.1:5432/xuncha
REDIS_URL ?= redis://127.0.0.1:6379/13

.PHONY: install browser deploy-deps docs-deps demo test test-install lint types check bench bench-programs bench-web bench-cards bench-sham bench-petitions bench-check-web bench-halfopen bench-planner docs clean

$(UV):
	$(PY) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install -q "uv==0.13.8"

$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --no-progress --all-extras --python $(PY)
	touch $@

install: $(VENV)/.installed

# Browser tests drive Debian's Chromium through its matching ChromeDriver.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y -q chromium chromium-driver >/dev/null 2>&1 || \
	  { $$SUDO apt-get update -q >/dev/null && $$SUDO apt-get install -y -q chromium chromium-driver >/dev/null; }; }

# The deployment test (tests/web/test_deploy.py) runs Debian's nginx in front of the server.
deploy-deps:
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y -q nginx >/dev/null 2>&1 || \
	  { $$SUDO apt-get update -q >/dev/null && $$SUDO apt-get install -y -q nginx >/dev/null; }; }

# Official documents (tests/documents): LibreOffice for PDF, poppler's pdftoppm for the visual
# check, and Chinese fonts to stand in for the GB2312 ones (decision 0021). Installs only what
# is missing.
docs-deps:
	@missing=""; \
	command -v soffice >/dev/null || command -v libreoffice >/dev/null || missing="$$missing libreoffice-writer-nogui"; \
	ls /usr/lib/libreoffice/program/libsclo.so >/dev/null 2>&1 || missing="$$missing libreoffice-calc-nogui"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	fonts=$$(fc-list : family 2>/dev/null); \
	grep -q "WenQuanYi Zen Hei" <<<"$$fonts" || missing="$$missing fonts-wqy-zenhei"; \
	grep -q "AR PL UKai" <<<"$$fonts" || missing="$$missing fonts-arphic-ukai"; \
	grep -q "AR PL UMing" <<<"$$fonts" || missing="$$missing fonts-arphic-uming"; \
	[ -z "$$missing" ] || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y -q --no-install-recommends $$missing >/dev/null 2>&1 || \
	  { $$SUDO apt-get update -q >/dev/null && $$SUDO apt-get install -y -q --no-install-recommends $$missing >/dev/null; }; }

demo: install
	$(RUN) xuncha demo --out $(DEMO_DIR)

# The wheel in a fresh virtual environment without the development group (.ci/clean_install.sh):
# a runtime import left undeclared, or a file left out of the wheel, fails here.
test-install: $(UV)
	PY=$(PY) UV=$(UV) .ci/clean_install.sh

test: install browser deploy-deps docs-deps test-install
	$(RUN) ruff check src tests bench
	$(RUN) ruff format --check src tests bench
	$(RUN) mypy
	$(RUN) xuncha manage makemigrations --check --dry-run
	$(RUN) pytest
	XUNCHA_DATABASE_URL=$(PG_URL) XUNCHA_CACHE_URL=$(REDIS_URL) XUNCHA_QUEUE_URL=$(REDIS_URL) $(RUN) pytest tests/web

lint: install
	$(RUN) ruff check src tests bench && $(RUN) ruff format --check src tests bench

types: install
	$(RUN) mypy

check: test

# Issue 17's figures, in one invocation (bench/bench_check.py, 2M rows, 3 rounds): the
# check, the floor and their ratio; pandas and its ratio; per-rule precision and recall
# of both; xlsx rows/s; peak memory. Smaller: make bench BENCH_ARGS="--payments 200000 --rounds 1"
BENCH_ARGS ?=
bench: install
	$(RUN) python bench/bench_check.py $(BENCH_ARGS)

# Issue 20's figures: every program's check time against the reservoir program's, and
# precision/recall per rule. Smaller: make bench-programs BENCH_ARGS="--payments 200000 --rounds 1"
bench-programs: install
	$(RUN) python bench/bench_programs.py $(BENCH_ARGS)

bench-web: install
	XUNCHA_DATABASE_URL=$(PG_URL) $(RUN) python bench/bench_web_lists.py

bench-cards: install
	$(RUN) python bench/bench_cards.py

bench-sham: install
	$(RUN) python bench/bench_sham.py

bench-petitions: install
	$(RUN) python bench/bench_petitions.py

bench-check-web: install
	$(RUN) python bench/bench_check_web.py

bench-halfopen: install deploy-deps
	$(RUN) python bench/bench_halfopen.py

# Issue 21's term planner (bench/bench_planner.py): greedy vs CP-SAT on a 3,000-unit term
# (5 years × 4 rounds × 10 teams, recusal ties), target a checked plan within 60 s on 2 cores.
# Smaller: make bench-planner BENCH_ARGS="--units 500 --time-limit 10"
bench-planner: install
	$(RUN) python bench/bench_planner.py $(BENCH_ARGS)

# Issue 21's classification (bench/bench_classify.py): 100,000 units read, classified and written
# (target < 10 s on SQLite), the engine against a per-unit Python loop in the same invocation.
# Smaller: make bench-classify BENCH_ARGS="--units 20000"; on PostgreSQL: XUNCHA_DATABASE_URL=postgres://…
.PHONY: bench-classify
bench-classify: install
	$(RUN) python bench/bench_classify.py $(BENCH_ARGS)

docs: install
	COLUMNS=100 $(RUN) python -c "from xuncha.cli import reference_markdown as r; open('docs/cli.md', 'w', encoding='utf-8').write(r())"

clean:
	rm -rf $(VENV) $(TOOLS) $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache

# Issue 19's figures (bench/bench_docs.py): the report of a unit with 200 findings (target
# < 5 s) and its PDF through LibreOffice, each with its ratio to a baseline measured in the
# same invocation. On PostgreSQL: XUNCHA_DATABASE_URL=postgres://… make bench-docs
.PHONY: bench-docs
bench-docs: install docs-deps
	$(RUN) python bench/bench_docs.py
