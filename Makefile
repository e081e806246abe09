# pdgov front door. `make demo` and `make test` both set up .venv from nothing first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.pdgov-installed

.PHONY: setup demo test lint bench clean system-deps

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==$$(sed -n 's/^pip==//p' constraints.txt)"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	$(BIN)/pdgov parse
	@touch $(STAMP)

# Debian's Chromium and a CJK font for the UI test (headless). Installed only when missing.
system-deps:
	@{ command -v chromium >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q . ; } || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null; \
	  else echo "chromium or a CJK font missing: install Debian's chromium and fonts-wqy-zenhei for the UI test"; fi; }

demo: setup
	$(BIN)/pdgov demo

test: setup system-deps
	$(BIN)/ruff check include dags plugins tests bench
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python bench/run_all.py

lint: setup
	$(BIN)/ruff check include dags plugins tests bench

clean:
	rm -rf $(VENV) var dbt_project/target dbt_project/logs
