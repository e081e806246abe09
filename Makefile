# pdgov front door. `make demo` and `make test` both set up .venv from nothing first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.pdgov-installed

.PHONY: setup demo test test-serial lint bench clean system-deps

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==$$(sed -n 's/^pip==//p' constraints.txt)"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	$(BIN)/pdgov parse
	@touch $(STAMP)

# Debian packages the browser and print tests use, installed only when missing and only as root:
# Chromium and a CJK font (UI test); LibreOffice Calc without X, poppler (pdftotext, pdftoppm) and
# Carlito, the font with Calibri's metrics, so LibreOffice lays out columns as Excel does (print test).
OFFICE_PKGS := libreoffice-calc-nogui poppler-utils fonts-crosextra-carlito
system-deps:
	@{ command -v chromium >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q . ; } || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null; \
	  else echo "chromium or a CJK font missing: install Debian's chromium and fonts-wqy-zenhei for the UI test"; fi; }
	@{ command -v soffice >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi carlito ; } || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq --no-install-recommends $(OFFICE_PKGS) >/dev/null; \
	  else echo "LibreOffice, poppler or Carlito missing: install Debian's $(OFFICE_PKGS) for the print test"; fi; }

demo: setup
	$(BIN)/pdgov demo

# Two pytest processes side by side, balanced by measured time: tests/deployment (real Airflow
# components on PostgreSQL + Redis; its Celery night ~1.5 minutes since dbt runs as three tasks, not
# ~100) with the three real retention nights (~3.5 minutes), and the rest (~10.5 minutes alone;
# fresh clone 2026-12-04: 628 s and 413 s side by side, 12 minutes in all). Serial, one pytest took
# ~26 minutes on two cores before dbt ran per layer; side by side the suite takes the longer half.
# Each has its own temp dir; the second's output is printed when both are done; both must pass.
# `make test-serial` runs them one after the other, as one pytest.
BESIDE := tests/deployment tests/retention/test_retention_nights.py
test: lint system-deps
	@tmp=$$(mktemp -d); \
	$(BIN)/python -m pytest -q -p no:cacheprovider --durations=15 --basetemp=$$tmp/beside $(BESIDE) \
	  > $$tmp/beside.log 2>&1 & beside=$$!; \
	$(BIN)/python -m pytest -q --durations=25 --basetemp=$$tmp/rest $(addprefix --ignore=,$(BESIDE)); rest=$$?; \
	wait $$beside; other=$$?; \
	echo "---- $(BESIDE) (ran beside the rest) ----"; cat $$tmp/beside.log; \
	echo "pdgov tests: rest exit $$rest, beside exit $$other"; \
	rm -rf $$tmp; test $$rest = 0 && test $$other = 0

test-serial: lint system-deps
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python bench/run_all.py

# ruff for the Python, sqlfluff for the dbt models and singular tests (config: dbt_project/.sqlfluff).
lint: setup
	$(BIN)/ruff check include dags plugins tests bench
	$(BIN)/sqlfluff lint dbt_project/models dbt_project/tests

clean:
	rm -rf $(VENV) var dbt_project/target dbt_project/logs
